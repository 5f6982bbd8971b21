// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/fxamacker/cbor/v2"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/cmw"
)

// GUIDs of the SNP certificate table, in table byte order.
var (
	guidVCEK = mustHex("63da758de6644564adc5f4b93be8accd")
	guidASK  = mustHex("4ab7b379bbac4fe4a02f05aef327c782")
	guidARK  = mustHex("c0b406a4a80349529743 3fb6014cd0ae")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// report is a configfs-tsm report to build the forms of.
type report struct {
	name              string
	provider          string
	tee               container.TEE
	outblob, auxblob  []byte
	outKind, auxKind  container.Kind
	generation        string
	manifest, service []byte
}

// reports returns configfs-tsm reports built from go-tdx-guest's v5 quote
// and, when the shared vectors are there, from every shared SNP report (with
// a certificate table) and every shared TDX quote.
func reports(t testing.TB) []report {
	out := []report{{name: "go-tdx-guest RawQuoteV5", provider: "tdx_guest", tee: container.TDX, outblob: gtdata.RawQuoteV5, outKind: container.KindTDXQuote, generation: "1"}}
	if vectors.Dir() == "" {
		return out
	}
	vcek := vectors.Read(t, "snp/confidential-containers-trustee/test-vcek.der")
	chain := vectors.Read(t, "snp/confidential-containers-trustee/milan_ask_ark_asvk.pem")
	table := testvectors.CertTable([2][]byte{guidVCEK, vcek}, [2][]byte{guidASK, chain}, [2][]byte{guidARK, chain})
	for id, rep := range snpReports(t) {
		out = append(out, report{name: id, provider: "sev_guest\n", tee: container.SNP, outblob: rep, auxblob: table, outKind: container.KindSNPReport, auxKind: container.KindCertTable, generation: "3"})
	}
	seen := map[string]bool{}
	for _, c := range cases(t) {
		if strings.HasPrefix(c.ID, "tdx-") && !seen[c.Evidence] {
			seen[c.Evidence] = true
			out = append(out, report{name: c.ID, provider: "tdx_guest\n", tee: container.TDX, outblob: c.bytes(t), outKind: container.KindTDXQuote, generation: "7"})
		}
	}
	return out
}

// tsmJSON is ratsd's JSON form (tokens.TSMReport.ToJSON: base64url without
// padding).
func (r report) tsmJSON() []byte {
	m := map[string]any{"outblob": base64.RawURLEncoding.EncodeToString(r.outblob), "provider": r.provider}
	if r.auxblob != nil {
		m["auxblob"] = base64.RawURLEncoding.EncodeToString(r.auxblob)
	}
	b, _ := json.Marshal(m)
	return b
}

// tsmCBOR is ratsd's CBOR form (tokens.TSMReport.ToCBOR: fxamacker/cbor of
// the struct, the JSON names as keys, byte strings).
func (r report) tsmCBOR() []byte {
	b, err := cbor.Marshal(struct {
		AuxBlob  []byte `cbor:"auxblob,omitempty"`
		OutBlob  []byte `cbor:"outblob"`
		Provider string `cbor:"provider"`
	}{r.auxblob, r.outblob, r.provider})
	if err != nil {
		panic(err)
	}
	return b
}

// dir writes the report as a configfs-tsm directory.
func (r report) dir(t *testing.T) string {
	d := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(d, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("outblob", r.outblob)
	write("provider", []byte(r.provider))
	write("generation", []byte(r.generation+"\n"))
	write("privlevel", []byte("0\n"))
	if r.auxblob != nil {
		write("auxblob", r.auxblob)
	}
	return d
}

func monad(t testing.TB, typ any, v []byte) *cmw.CMW {
	c, err := cmw.NewMonad(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func collection(t testing.TB, typ string, items map[string]*cmw.CMW) *cmw.CMW {
	c, err := cmw.NewCollection(typ)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range items {
		if err := c.AddCollectionItem(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

const ratsdCMWType = "tag:github.com,2025:veraison/ratsd/cmw"

// forms returns every wrapping of r this package unwraps, built with the
// producers' own encodings (github.com/veraison/cmw for CMW).
func forms(t testing.TB, r report) map[string][]byte {
	js, cb := r.tsmJSON(), r.tsmCBOR()
	jsRec := monad(t, "application/vnd.veraison.tsm-report+json", js)
	cbRec := monad(t, "application/vnd.veraison.tsm-report+cbor", cb)
	tag := monad(t, uint16(60), cb) // application/cbor
	tag.UseCBORTagFormat()
	jsonColl := must(collection(t, ratsdCMWType, map[string]*cmw.CMW{"tsm-report": jsRec}).MarshalJSON())
	cborColl := must(collection(t, ratsdCMWType, map[string]*cmw.CMW{"tsm-report": cbRec}).MarshalCBOR())
	nested := must(collection(t, "tag:example.com,2026:outer", map[string]*cmw.CMW{
		"inner": collection(t, ratsdCMWType, map[string]*cmw.CMW{"tsm-report": jsRec}),
	}).MarshalJSON())
	token, _ := json.Marshal(map[string]any{"eat_profile": "tag:github.com,2024:veraison/ratsd", "eat_nonce": "AAAAAAAAAAAAAAAAAAAAAA", "cmw": base64.StdEncoding.EncodeToString(jsonColl)})
	cose := must(cbor.Marshal(cbor.Tag{Number: 18, Content: []any{must(cbor.Marshal(map[int]any{})), map[int]any{}, cborColl, []byte("ratsd's signature")}}))
	return map[string][]byte{
		"json":                   js,
		"cbor":                   cb,
		"cmw json record":        must(jsRec.MarshalJSON()),
		"cmw cbor record":        must(cbRec.MarshalCBOR()),
		"cmw cbor tag":           must(tag.MarshalCBOR()),
		"cmw json collection":    jsonColl,
		"cmw cbor collection":    cborColl,
		"cmw nested collection":  nested,
		"ratsd token":            token,
		"ratsd v2 token":         cose,
		"cmw application/json":   must(monad(t, "application/json", js).MarshalJSON()),
		"hex of json":            []byte(hex.EncodeToString(js)),
		"base64 of cbor":         []byte(base64.StdEncoding.EncodeToString(cb)),
		"base64url of cmw":       []byte(base64.RawURLEncoding.EncodeToString(jsonColl)),
		"hex of cmw cbor record": []byte("0x" + strings.ToUpper(hex.EncodeToString(must(cbRec.MarshalCBOR())))),
	}
}

// check asserts that e holds exactly r's pieces.
func (r report) check(t *testing.T, e container.Evidence) {
	t.Helper()
	if e.TEE != r.tee {
		t.Fatalf("TEE %s, want %s", e.TEE, r.tee)
	}
	if got := e.Data(r.outKind); !bytes.Equal(got, r.outblob) {
		t.Errorf("outblob: %d bytes differ from the %d given", len(got), len(r.outblob))
	}
	if r.auxblob != nil {
		p, ok := e.First(r.auxKind)
		if !ok || !bytes.Equal(p.Data, r.auxblob) || !strings.HasSuffix(p.Origin, ": auxblob") {
			t.Errorf("auxblob %q", p.Origin)
		}
	} else if _, ok := e.First(container.KindCertTable); ok {
		t.Error("a certificate table from nowhere")
	}
	if n := len(e.Pieces); n != 1+btoi(r.auxblob != nil) {
		t.Errorf("%d pieces", n)
	}
	if e.Meta["provider"] != strings.TrimSpace(r.provider) {
		t.Errorf("provider %q", e.Meta["provider"])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestConfigfsTSM: configfs-tsm reports built from the shared SNP reports
// (with a certificate table) and TDX quotes unwrap to exactly their bytes in
// directory, JSON and CBOR form, and so does every CMW, token and text
// around the JSON and CBOR forms.
func TestConfigfsTSM(t *testing.T) {
	for _, r := range reports(t) {
		t.Run(r.name, func(t *testing.T) {
			t.Run("dir", func(t *testing.T) {
				d := r.dir(t)
				es, err := container.UnwrapDir(d, nil)
				if err != nil || len(es) != 1 {
					t.Fatalf("%d evidences, %v", len(es), err)
				}
				r.check(t, es[0])
				if es[0].Form != container.FormConfigfsTSMDir || es[0].Meta["generation"] != r.generation || es[0].Meta["privlevel"] != "0" || es[0].Origin != d+" > configfs-tsm dir" {
					t.Errorf("form %s meta %v origin %q", es[0].Form, es[0].Meta, es[0].Origin)
				}
			})
			for name, b := range forms(t, r) {
				t.Run(name, func(t *testing.T) {
					e := unwrapOne(t, b)
					r.check(t, e)
					if strings.HasPrefix(name, "cmw") && !strings.HasPrefix(e.Origin, "cmw") {
						t.Errorf("origin %q", e.Origin)
					}
				})
			}
		})
	}
}

func TestConfigfsTSMOrigins(t *testing.T) {
	r := reports(t)[0]
	fs := forms(t, r)
	for name, want := range map[string]string{
		"json":                "configfs-tsm json",
		"cbor":                "configfs-tsm cbor",
		"cmw json collection": `cmw collection["tsm-report"] > cmw application/vnd.veraison.tsm-report+json > configfs-tsm json`,
		"ratsd token":         `ratsd token > cmw collection["tsm-report"] > cmw application/vnd.veraison.tsm-report+json > configfs-tsm json`,
		"ratsd v2 token":      `ratsd token (COSE_Sign1, signature not verified) > cmw collection["tsm-report"] > cmw application/vnd.veraison.tsm-report+cbor > configfs-tsm cbor`,
		"hex of json":         "hex text > configfs-tsm json",
	} {
		e := unwrapOne(t, fs[name])
		if e.Origin != want {
			t.Errorf("%s: origin %q, want %q", name, e.Origin, want)
		}
		if p := e.Pieces[0]; p.Origin != want+": outblob" {
			t.Errorf("%s: piece origin %q", name, p.Origin)
		}
	}
	e := unwrapOne(t, fs["ratsd token"])
	if e.Meta["eat_nonce"] != "AAAAAAAAAAAAAAAAAAAAAA" || e.Meta["cmw.type"] != "application/vnd.veraison.tsm-report+json" {
		t.Errorf("meta %v", e.Meta)
	}
	if e := unwrapOne(t, fs["ratsd v2 token"]); e.Meta["ratsd.signature"] != "not verified" {
		t.Errorf("meta %v", e.Meta)
	}
	es, err := container.UnwrapType("application/vnd.veraison.tsm-report+cbor", fs["cbor"], nil)
	if err != nil || len(es) != 1 || es[0].Origin != "media type application/vnd.veraison.tsm-report+cbor > configfs-tsm cbor" {
		t.Fatalf("UnwrapType: %v", err)
	}
}

// TestCMWErrors: a CMW of an unknown type is ErrUnknownMediaType, wherever
// it is; malformed records are ErrMalformed.
func TestCMWErrors(t *testing.T) {
	js := reports(t)[0].tsmJSON()
	unknownTag := monad(t, uint16(65000), js)
	unknownTag.UseCBORTagFormat()
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"json record", must(monad(t, "application/x-unknown", js).MarshalJSON()), container.ErrUnknownMediaType},
		{"cbor record", must(monad(t, "application/x-unknown", js).MarshalCBOR()), container.ErrUnknownMediaType},
		{"cbor record of an unknown content-format", must(monad(t, uint16(65000), js).MarshalCBOR()), container.ErrUnknownMediaType},
		{"cbor tag of an unknown content-format", must(unknownTag.MarshalCBOR()), container.ErrUnknownMediaType},
		{"json record of an unknown content-format", []byte(`[65000, "e30"]`), container.ErrUnknownMediaType},
		{"in a collection", must(collection(t, ratsdCMWType, map[string]*cmw.CMW{"x": monad(t, "text/plain", js)}).MarshalJSON()), container.ErrUnknownMediaType},
		{"eat without ratsd's profile", must(monad(t, `application/eat+cwt; eat_profile="tag:example.com,2026:x"`, js).MarshalJSON()), container.ErrUnknownMediaType},
		{"unparsable media type", []byte(`["a b/c", "e30"]`), container.ErrUnknownMediaType},
		{"record value not base64url", []byte(`["application/json", "@@"]`), container.ErrMalformed},
		{"record value a number", []byte(`["application/json", 5]`), container.ErrMalformed},
		{"indicator 32", []byte(`["application/json", "e30", 32]`), container.ErrMalformed},
		{"collection item a number", []byte(`{"__cmwc_t": "tag:x", "a": 1}`), container.ErrMalformed},
		{"collection without items", []byte(`{"__cmwc_t": "tag:x"}`), container.ErrMalformed},
		{"duplicate collection item", []byte(`{"__cmwc_t": "tag:x", "a": ["application/json", "e30"], "a": ["application/json", "e30"]}`), container.ErrMalformed},
		{"record of an unknown form inside", must(monad(t, "application/json", []byte(`{"a": 1}`)).MarshalJSON()), container.ErrUnrecognized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := container.Unwrap(tc.b, nil); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := container.UnwrapType("application/x-unknown", js, nil); !errors.Is(err, container.ErrUnknownMediaType) {
		t.Fatalf("UnwrapType: %v", err)
	}
}

func TestConfigfsTSMErrors(t *testing.T) {
	r := reports(t)[0]
	withProvider := func(p string) report { r := r; r.provider = p; return r }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"unknown provider", withProvider("arm_cca_guest").tsmJSON(), container.ErrUnknownProvider},
		{"no provider", []byte(`{"outblob": "AAAA"}`), container.ErrMalformed},
		{"empty provider", withProvider("").tsmCBOR(), container.ErrMalformed},
		{"outblob not base64", []byte(`{"outblob": "@", "provider": "tdx_guest"}`), container.ErrMalformed},
		{"empty outblob", []byte(`{"outblob": "", "provider": "tdx_guest"}`), container.ErrMalformed},
		{"cbor outblob as text", must(cbor.Marshal(map[string]any{"outblob": "AAAA", "provider": "tdx_guest"})), container.ErrMalformed},
		{"cbor duplicate key", []byte{0xa2, 0x67, 'o', 'u', 't', 'b', 'l', 'o', 'b', 0x41, 1, 0x67, 'o', 'u', 't', 'b', 'l', 'o', 'b', 0x41, 2}, container.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := container.Unwrap(tc.b, nil); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}

	t.Run("dir", func(t *testing.T) {
		d := r.dir(t)
		if err := os.Remove(filepath.Join(d, "outblob")); err != nil {
			t.Fatal(err)
		}
		if _, err := container.UnwrapDir(d, nil); !errors.Is(err, container.ErrMalformed) {
			t.Fatalf("no outblob: %v", err)
		}
		d = withProvider("sev_host").dir(t)
		if _, err := container.UnwrapDir(d, nil); !errors.Is(err, container.ErrUnknownProvider) {
			t.Fatalf("provider sev_host: %v", err)
		}
		d = r.dir(t)
		if err := os.WriteFile(filepath.Join(d, "generation"), []byte("one\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := container.UnwrapDir(d, nil); !errors.Is(err, container.ErrMalformed) {
			t.Fatalf("generation not a number: %v", err)
		}
		d = r.dir(t)
		if err := os.Remove(filepath.Join(d, "outblob")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/zero", filepath.Join(d, "outblob")); err != nil {
			t.Skip(err)
		}
		if _, err := container.UnwrapDir(d, nil); !errors.Is(err, container.ErrMalformed) {
			t.Fatalf("outblob a symlink: %v", err)
		}
		d = r.dir(t)
		if _, err := container.UnwrapDir(d, &container.Options{MaxSize: len(r.outblob)}); !errors.Is(err, container.ErrTooLarge) {
			t.Fatalf("over MaxSize: %v", err)
		}
	})
}
