// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package container_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/fxamacker/cbor/v2"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

func jsonOf(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// trusteeTDX is Trustee's TDX evidence (guest-components tdx attester:
// standard base64).
func trusteeTDX(quote, ccel []byte) []byte {
	m := map[string]any{"quote": base64.StdEncoding.EncodeToString(quote), "cc_eventlog": nil}
	if ccel != nil {
		m["cc_eventlog"] = base64.StdEncoding.EncodeToString(ccel)
	}
	return jsonOf(m)
}

func TestTrusteeTDX(t *testing.T) {
	ccel := []byte("CCEL data")
	if vectors.Dir() != "" {
		ccel = vectors.Read(t, "tdx/trustee/CCEL_data")
	}
	e := unwrapOne(t, trusteeTDX(gtdata.RawQuoteV5, ccel))
	if e.TEE != container.TDX || e.Form != container.FormTrusteeTDX || !bytes.Equal(e.Data(container.KindTDXQuote), gtdata.RawQuoteV5) || !bytes.Equal(e.Data(container.KindCCEL), ccel) {
		t.Fatalf("%s %s", e.TEE, e.Form)
	}
	if p, _ := e.First(container.KindCCEL); p.Origin != "trustee-tdx: field cc_eventlog" {
		t.Errorf("origin %q", p.Origin)
	}
	e = unwrapOne(t, trusteeTDX(gtdata.RawQuoteV5, nil))
	if len(e.Pieces) != 1 {
		t.Errorf("%d pieces without an event log", len(e.Pieces))
	}
	// A quote in hex, as tools that print quotes write it (dstack's tappd).
	e = unwrapOne(t, jsonOf(map[string]any{"quote": "0x" + hex.EncodeToString(gtdata.RawQuoteV5), "event_log": "[]"}))
	if p, _ := e.First(container.KindTDXQuote); !bytes.Equal(p.Data, gtdata.RawQuoteV5) || p.Origin != "trustee-tdx: field quote (hex)" {
		t.Errorf("hex quote: %q", p.Origin)
	}
	// An SNP report as a string: base64 or hex.
	rep := make([]byte, 1184)
	rep[0], rep[0x34] = 3, 1
	for _, s := range []string{base64.StdEncoding.EncodeToString(rep), hex.EncodeToString(rep)} {
		e = unwrapOne(t, jsonOf(map[string]any{"attestation_report": s, "cert_chain": nil}))
		if !bytes.Equal(e.Data(container.KindSNPReport), rep) {
			t.Errorf("SNP report string %.8s…", s)
		}
	}
}

func seEvidence() ([]byte, map[string][]byte) {
	fields := map[string][]byte{}
	m := map[string]any{}
	for i, f := range []string{"measurement", "additional_data", "user_data", "cuid", "encr_measurement_key", "encr_request_nonce", "image_hdr_tags"} {
		fields[f] = bytes.Repeat([]byte{byte(i + 1)}, 16+i)
		m[f] = base64.StdEncoding.EncodeToString(fields[f])
	}
	return jsonOf(m), fields
}

func TestTrusteeSE(t *testing.T) {
	b, fields := seEvidence()
	e := unwrapOne(t, b)
	if e.TEE != container.SE || e.Form != container.FormTrusteeSE || len(e.Pieces) != 7 {
		t.Fatalf("%s %s %d", e.TEE, e.Form, len(e.Pieces))
	}
	for _, p := range e.Pieces {
		if p.Kind != container.KindSE || !bytes.Equal(p.Data, fields[p.Name]) || p.Origin != "trustee-se: field "+p.Name {
			t.Errorf("%s: %q", p.Name, p.Origin)
		}
	}
}

// azV2 returns Trustee's az-snp-vtpm v2 evidence as a map to tamper with.
func azV2(t *testing.T) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(vectors.Read(t, "snp/confidential-containers-trustee/az-snp-vtpm/evidence-v2.json"), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrusteeErrors(t *testing.T) {
	se, _ := seEvidence()
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"tdx quote not base64", []byte(`{"quote": "@@@", "cc_eventlog": null}`), container.ErrMalformed},
		{"tdx event log a number", []byte(`{"quote": "AAAA", "cc_eventlog": 5}`), container.ErrMalformed},
		{"se field missing", bytes.Replace(se, []byte(`"cuid"`), []byte(`"cuidx"`), 1), container.ErrUnrecognized},
		{"se field not base64", bytes.Replace(se, []byte(`"cuid":"`), []byte(`"cuid":"@`), 1), container.ErrMalformed},
		{"snp report field missing", []byte(`{"attestation_report": {"version": 3}, "cert_chain": null}`), container.ErrMalformed},
		{"snp report field too big", []byte(`{"attestation_report": {"version": 4294967296}}`), container.ErrMalformed},
		{"snp cert_chain not a list", []byte(`{"attestation_report": "AAAA", "cert_chain": {}}`), container.ErrMalformed},
		{"snp cert type unknown", []byte(`{"attestation_report": "AAAA", "cert_chain": [{"cert_type": "XYZ", "data": [1]}]}`), container.ErrMalformed},
		{"snp cert data not bytes", []byte(`{"attestation_report": "AAAA", "cert_chain": [{"cert_type": "VCEK", "data": [256]}]}`), container.ErrMalformed},
		{"duplicate member", []byte(`{"quote": "AAAA", "quote": "AAAA"}`), container.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := container.Unwrap(tc.b, nil); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The OTHER and Empty certificate types of the sev crate.
	e := unwrapOne(t, []byte(`{"attestation_report": "AAAA", "cert_chain": [{"cert_type": {"OTHER": "ecae0c0f-9502-43b1-afa2-0ae2e0d565b6"}, "data": [1, 2]}, {"cert_type": "Empty", "data": []}]}`))
	if p, ok := e.First(container.KindOther); !ok || p.Name != "OTHER(ecae0c0f-9502-43b1-afa2-0ae2e0d565b6)" || len(e.Pieces) != 2 {
		t.Errorf("OTHER: %+v", e.Pieces)
	}

	if vectors.Dir() == "" {
		return
	}
	tamper := func(f func(m map[string]any)) []byte {
		m := azV2(t)
		f(m)
		return jsonOf(m)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"version 3", tamper(func(m map[string]any) { m["version"] = 3 }), container.ErrVersion},
		{"version a string", tamper(func(m map[string]any) { m["version"] = "2" }), container.ErrVersion},
		{"no vcek", tamper(func(m map[string]any) { delete(m, "vcek") }), container.ErrMalformed},
		{"vcek not base64", tamper(func(m map[string]any) { m["vcek"] = "!!" }), container.ErrMalformed},
		{"hcl_report not base64", tamper(func(m map[string]any) { m["hcl_report"] = "!!" }), container.ErrMalformed},
		{"hcl_report truncated", tamper(func(m map[string]any) { m["hcl_report"] = m["hcl_report"].(string)[:100] }), container.ErrMalformed},
		{"hcl_report of TDX", tamper(func(m map[string]any) {
			h, _ := base64.URLEncoding.DecodeString(m["hcl_report"].(string))
			h[0x4C8] = 4
			m["hcl_report"] = base64.URLEncoding.EncodeToString(h)
		}), container.ErrMalformed},
		{"pcr not hex", tamper(func(m map[string]any) { m["tpm_quote"].(map[string]any)["pcrs"].([]any)[3] = "xx" }), container.ErrMalformed},
		{"message as bytes in v2", tamper(func(m map[string]any) { m["tpm_quote"].(map[string]any)["message"] = []int{1, 2} }), container.ErrMalformed},
		{"no pcrs", tamper(func(m map[string]any) { delete(m["tpm_quote"].(map[string]any), "pcrs") }), container.ErrMalformed},
		{"200 pcrs", tamper(func(m map[string]any) {
			q := m["tpm_quote"].(map[string]any)
			p := q["pcrs"].([]any)
			for len(p) < 200 {
				p = append(p, p[0])
			}
			q["pcrs"] = p
		}), container.ErrTooMany},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := container.Unwrap(tc.b, nil); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestKBSAndAS: Trustee's KBS attestation message and attestation-service
// requests around the evidence.
func TestKBSAndAS(t *testing.T) {
	tdx := trusteeTDX(gtdata.RawQuoteV5, nil)
	se, _ := seEvidence()
	runtime := `{"nonce":"abc","tee-pubkey":{"kty":"EC"}}`
	kbs := jsonOf(map[string]any{
		"runtime-data": json.RawMessage(runtime),
		"init-data":    map[string]any{"format": "toml", "body": "x"},
		"tee-evidence": map[string]any{
			"primary_evidence":    json.RawMessage(tdx),
			"additional_evidence": string(jsonOf(map[string]any{"se": json.RawMessage(se)})),
		},
	})
	es, err := container.Unwrap(kbs, nil)
	if err != nil || len(es) != 2 {
		t.Fatalf("KBS: %d evidences, %v", len(es), err)
	}
	if es[0].TEE != container.TDX || es[0].Meta["kbs.runtime-data"] != runtime || es[0].Origin != "kbs attestation primary_evidence > trustee-tdx" {
		t.Errorf("primary: %s %q %v", es[0].TEE, es[0].Origin, es[0].Meta)
	}
	if es[1].TEE != container.SE || es[1].Origin != `kbs attestation additional_evidence["se"] > trustee-se` {
		t.Errorf("additional: %s %q", es[1].TEE, es[1].Origin)
	}
	// Older KBS: tee-evidence is the evidence's JSON text.
	old := jsonOf(map[string]any{"tee-pubkey": map[string]any{"kty": "EC"}, "tee-evidence": string(tdx)})
	if e := unwrapOne(t, old); e.TEE != container.TDX || e.Meta["kbs.tee-pubkey"] != `{"kty":"EC"}` {
		t.Errorf("old KBS: %s %v", e.TEE, e.Meta)
	}

	as := jsonOf(map[string]any{
		"verification_requests": []any{
			map[string]any{"tee": "tdx", "evidence": base64.RawURLEncoding.EncodeToString(tdx), "runtime_data": map[string]any{"raw": "YWJj"}, "runtime_data_hash_algorithm": "sha384"},
			map[string]any{"tee": "se", "evidence": base64.RawURLEncoding.EncodeToString(se)},
		},
		"policy_ids": []string{"default"},
	})
	es, err = container.Unwrap(as, nil)
	if err != nil || len(es) != 2 || es[0].TEE != container.TDX || es[1].TEE != container.SE {
		t.Fatalf("AS: %d evidences, %v", len(es), err)
	}
	if es[0].Meta["as.tee"] != "tdx" || es[0].Meta["as.runtime_data"] != `{"raw":"YWJj"}` || es[0].Meta["as.runtime_data_hash_algorithm"] != `"sha384"` ||
		es[0].Origin != "as request verification_requests[0] (tee tdx) > base64 text > trustee-tdx" {
		t.Errorf("AS meta %v origin %q", es[0].Meta, es[0].Origin)
	}
	single := jsonOf(map[string]any{"tee": "az-snp-vtpm", "evidence": base64.StdEncoding.EncodeToString(tdx)})
	if _, err := container.Unwrap(single, nil); !errors.Is(err, container.ErrMalformed) {
		t.Errorf("tee az-snp-vtpm holding TDX evidence: %v", err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"unknown tee", jsonOf(map[string]any{"tee": "sgx", "evidence": "e30"}), container.ErrUnknownTEE},
		{"additional evidence of an unknown tee", jsonOf(map[string]any{"tee-evidence": map[string]any{"primary_evidence": json.RawMessage(tdx), "additional_evidence": `{"cca": {}}`}}), container.ErrUnknownTEE},
		{"additional evidence not JSON", jsonOf(map[string]any{"tee-evidence": map[string]any{"primary_evidence": json.RawMessage(tdx), "additional_evidence": `{`}}), container.ErrMalformed},
		{"no verification requests", []byte(`{"verification_requests": [], "policy_ids": []}`), container.ErrMalformed},
		{"evidence neither JSON nor base64", jsonOf(map[string]any{"tee": "tdx", "evidence": "@@"}), container.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := container.Unwrap(tc.b, nil); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if vectors.Dir() == "" {
		return
	}
	// kbs-types' serde name of the TEE, and the evidence itself as a string.
	v2 := vectors.Read(t, "snp/confidential-containers-trustee/az-snp-vtpm/evidence-v2.json")
	kbs = jsonOf(map[string]any{"tee-evidence": map[string]any{"primary_evidence": json.RawMessage(tdx), "additional_evidence": string(jsonOf(map[string]any{"azsnpvtpm": string(v2)}))}})
	es, err = container.Unwrap(kbs, nil)
	if err != nil || len(es) != 2 || es[1].TEE != container.AzSNPvTPM || es[1].Version != 2 {
		t.Fatalf("azsnpvtpm: %v", err)
	}
}

// TestRawAndText: bare forms, and hex and base64 text of everything.
func TestRawAndText(t *testing.T) {
	q := gtdata.RawQuoteV5
	for name, b := range map[string][]byte{
		"raw":               q,
		"hex":               []byte(hex.EncodeToString(q)),
		"hex with 0x":       []byte("0x" + hex.EncodeToString(q) + "\n"),
		"base64":            []byte(base64.StdEncoding.EncodeToString(q)),
		"base64 wrapped":    []byte(wrap(base64.StdEncoding.EncodeToString(q), 64)),
		"base64url":         []byte(base64.RawURLEncoding.EncodeToString(q)),
		"base64 of hex":     []byte(base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(q)))),
		"base64 of trustee": []byte(base64.StdEncoding.EncodeToString(trusteeTDX(q, nil))),
	} {
		t.Run(name, func(t *testing.T) {
			e := unwrapOne(t, b)
			if e.TEE != container.TDX || !bytes.Equal(e.Data(container.KindTDXQuote), q) {
				t.Fatalf("%s %s", e.TEE, e.Form)
			}
		})
	}
	e := unwrapOne(t, []byte(hex.EncodeToString(q)))
	if e.Form != container.FormRaw || e.Origin != "hex text > raw" || e.Pieces[0].Origin != "hex text > raw: TD quote" {
		t.Errorf("origin %q, %q", e.Origin, e.Pieces[0].Origin)
	}
	if vectors.Dir() == "" {
		return
	}
	for _, c := range cases(t) {
		if c.Encoding != "hex" {
			continue
		}
		e := unwrapOne(t, vectors.Read(t, c.Evidence))
		if !bytes.Equal(e.Data(container.KindTDXQuote), c.bytes(t)) {
			t.Errorf("%s: the quote is not the case's", c.ID)
		}
	}
	for id, rep := range snpReports(t) {
		if e := unwrapOne(t, rep); e.TEE != container.SNP || !bytes.Equal(e.Data(container.KindSNPReport), rep) {
			t.Errorf("%s: raw SNP report", id)
		}
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	return b.String() + s + "\n"
}

func TestUnrecognized(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":                nil,
		"spaces":               []byte("  \n"),
		"random bytes":         {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a},
		"a JSON object":        []byte(`{"a": 1}`),
		"a JSON array":         []byte(`[1, 2, 3]`),
		"broken JSON":          []byte(`{"a": `),
		"hex of nothing known": []byte(hex.EncodeToString([]byte("nothing to see here"))),
		"a word":               []byte("hello"),
		"a PEM certificate":    []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
		"a CBOR map":           must(cbor.Marshal(map[string]int{"a": 1})),
		"a CBOR array":         must(cbor.Marshal([]int{1, 2})),
		"a CBOR tag":           must(cbor.Marshal(cbor.Tag{Number: 1, Content: 5})),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := container.Unwrap(b, nil); !errors.Is(err, container.ErrUnrecognized) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestLimits: size, depth and entry bounds, each its sentinel.
func TestLimits(t *testing.T) {
	q := gtdata.RawQuoteV5
	if _, err := container.Unwrap(q, &container.Options{MaxSize: len(q) - 1}); !errors.Is(err, container.ErrTooLarge) {
		t.Errorf("MaxSize: %v", err)
	}
	if _, err := container.UnwrapType("application/octet-stream", q, &container.Options{MaxSize: 10}); !errors.Is(err, container.ErrTooLarge) {
		t.Errorf("UnwrapType MaxSize: %v", err)
	}
	// Text in text: each base64 layer is one level.
	b := q
	for i := 0; i < container.DefaultMaxDepth+1; i++ {
		b = []byte(base64.StdEncoding.EncodeToString(b))
	}
	if _, err := container.Unwrap(b, nil); !errors.Is(err, container.ErrTooDeep) {
		t.Errorf("text in text: %v", err)
	}
	if _, err := container.Unwrap(b, &container.Options{MaxDepth: 2 * container.DefaultMaxDepth}); err != nil {
		t.Errorf("text in text under a higher MaxDepth: %v", err)
	}
	// Collections in collections.
	rec := fmt.Sprintf(`["application/json", %q]`, base64.RawURLEncoding.EncodeToString(trusteeTDX(q, nil)))
	c := rec
	for i := 0; i < container.DefaultMaxDepth; i++ {
		c = fmt.Sprintf(`{"__cmwc_t": "tag:x", "i": %s}`, c)
	}
	if _, err := container.Unwrap([]byte(c), nil); !errors.Is(err, container.ErrTooDeep) {
		t.Errorf("nested collections: %v", err)
	}
	// Too many items, and too many evidences.
	items := []string{`"__cmwc_t": "tag:x"`}
	for i := 0; i < 5; i++ {
		items = append(items, fmt.Sprintf(`"i%d": %s`, i, rec))
	}
	many := []byte("{" + strings.Join(items, ",") + "}")
	if es, err := container.Unwrap(many, nil); err != nil || len(es) != 5 {
		t.Errorf("5 items: %d, %v", len(es), err)
	}
	if _, err := container.Unwrap(many, &container.Options{MaxEntries: 4}); !errors.Is(err, container.ErrTooMany) {
		t.Errorf("MaxEntries 4: %v", err)
	}
	reqs := make([]any, 6)
	for i := range reqs {
		reqs[i] = map[string]any{"tee": "tdx", "evidence": base64.RawURLEncoding.EncodeToString(trusteeTDX(q, nil))}
	}
	if _, err := container.Unwrap(jsonOf(map[string]any{"verification_requests": reqs}), &container.Options{MaxEntries: 5}); !errors.Is(err, container.ErrTooMany) {
		t.Errorf("6 requests: %v", err)
	}
	chain := make([]any, 6)
	for i := range chain {
		chain[i] = map[string]any{"cert_type": "ASK", "data": []int{1}}
	}
	if _, err := container.Unwrap(jsonOf(map[string]any{"attestation_report": "AAAA", "cert_chain": chain}), &container.Options{MaxEntries: 5}); !errors.Is(err, container.ErrTooMany) {
		t.Errorf("6 certificates: %v", err)
	}
}

// TestDeterministic: collections unwrap in key order, whatever the map order.
func TestDeterministic(t *testing.T) {
	se, _ := seEvidence()
	tdx := trusteeTDX(gtdata.RawQuoteV5, nil)
	c := jsonOf(map[string]any{
		"__cmwc_t": "tag:x",
		"b":        []any{"application/json", base64.RawURLEncoding.EncodeToString(tdx)},
		"a":        []any{"application/json", base64.RawURLEncoding.EncodeToString(se)},
	})
	for i := 0; i < 20; i++ {
		es, err := container.Unwrap(c, nil)
		if err != nil || len(es) != 2 || es[0].TEE != container.SE || es[1].TEE != container.TDX {
			t.Fatalf("order: %v", err)
		}
	}
}
