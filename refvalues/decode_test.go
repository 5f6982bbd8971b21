// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

type m = map[any]any
type a = []any

func u(i uint64) uint64 { return i }

func tag(n uint64, c any) cbor.Tag { return cbor.Tag{Number: n, Content: c} }

// corimWith builds an unsigned CoRIM: profile (nil: none), one CoMID whose
// reference triples are the given [environment, measurements] pairs.
func corimWith(t *testing.T, profile any, triples ...any) []byte {
	t.Helper()
	cm, err := encMode.Marshal(m{u(1): m{u(0): "tag"}, u(4): m{u(0): a(triples)}})
	if err != nil {
		t.Fatal(err)
	}
	c := m{u(0): "id", u(1): a{tag(tagCoMID, cm)}}
	if profile != nil {
		c[u(3)] = profile
	}
	b, err := encMode.Marshal(tag(tagUnsignedCorim, c))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var tdEnv = m{u(0): m{u(1): TDGuestVendor, u(2): TDGuestModel}}
var snpEnv = m{u(0): m{u(0): tag(tagOID, []byte{0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x03, 0x01})}}

func meas(key any, mv m) m {
	out := m{u(1): mv}
	if key != nil {
		out[u(0)] = key
	}
	return out
}

func TestDecodeErrors(t *testing.T) {
	d48 := bytes.Repeat([]byte{0xaa}, 48)
	deep := []byte{}
	for i := 0; i < 40; i++ {
		deep = append(deep, 0x81)
	}
	deep = append(deep, 0x00)
	for _, tc := range []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"text", []byte("hello"), ErrUnknownFormat, ""},
		{"empty", nil, ErrUnknownFormat, ""},
		{"truncated corim", []byte{0xd9, 0x01, 0xf5, 0xa2, 0x00}, ErrMalformed, "CBOR"},
		{"too deep", append([]byte{0xd9, 0x01, 0xf5}, deep...), ErrTooLarge, ""},
		{"too large", make([]byte, MaxSize+1), ErrTooLarge, ""},
		{"no id", mustCBOR(t, tag(tagUnsignedCorim, m{u(1): a{}})), ErrMalformed, "no id"},
		{"duplicate key", []byte{0xd9, 0x01, 0xf5, 0xa3, 0x00, 0x61, 'x', 0x01, 0x80, 0x00, 0x61, 'y'}, ErrMalformed, "duplicate"},
		{"tags not array", mustCBOR(t, tag(tagUnsignedCorim, m{u(0): "x", u(1): m{}})), ErrMalformed, "tags: want array"},
		{"untagged tag", mustCBOR(t, tag(tagUnsignedCorim, m{u(0): "x", u(1): a{u(1)}})), ErrMalformed, "tag 0: want a tagged concise tag"},
		{"two profiles", mustCBOR(t, tag(tagUnsignedCorim, m{u(0): "x", u(1): a{}, u(3): a{"a:b", "c:d"}})), ErrMalformed, "profile: array of 2"},
		{"triple of 3", corimWith(t, nil, a{tdEnv, a{}, u(1)}), ErrMalformed, "comid 0: triples: reference-triple 0: reference-triple-record: 3 elements"},
		{"mval key 4", corimWith(t, nil, a{tdEnv, a{meas(u(0), m{u(4): "x"})}}), ErrMalformed,
			"comid 0: triples: reference-triple 0: measurement 0: mval key 4: raw-value: want #6.560 bytes or #6.563 [value, mask], got text string"},
		{"masked lengths", corimWith(t, nil, a{tdEnv, a{meas(u(4), m{u(4): tag(tagMaskedRawValue, a{[]byte{1, 2}, []byte{1}})})}}), ErrMalformed, "value is 2 bytes, mask 1"},
		{"mask without value", corimWith(t, nil, a{tdEnv, a{meas(u(4), m{u(5): []byte{1}})}}), ErrMalformed, "raw-value-mask without"},
		{"range", corimWith(t, nil, a{tdEnv, a{meas(u(16), m{u(15): tag(tagIntRange, a{u(5), u(1)})})}}), ErrMalformed, "min 5 > max 1"},
		{"digest arity", corimWith(t, nil, a{tdEnv, a{meas(u(0), m{u(2): a{a{u(7)}}})}}), ErrMalformed, "digest 0: digest: 1 elements"},
		{"empty mval", corimWith(t, nil, a{tdEnv, a{meas(u(0), m{})}}), ErrMalformed, "empty measurement-values-map"},
		{"uuid length", corimWith(t, nil, a{m{u(0): m{u(0): tag(tagUUID, []byte{1})}}, a{meas(u(0), m{u(2): a{a{u(7), d48}}})}}), ErrMalformed, "uuid: 1 bytes"},
		{"td mkey", corimWith(t, nil, a{tdEnv, a{meas(u(99), m{u(2): a{a{u(7), d48}}})}}), ErrProfile, "mkey 99: not a TD-guest mkey"},
		{"td rtmr 4", corimWith(t, nil, a{tdEnv, a{meas(u(1), m{u(14): m{u(4): a{a{u(7), d48}}}})}}), ErrProfile, "register 4"},
		{"td sha-256 mrtd", corimWith(t, nil, a{tdEnv, a{meas(u(0), m{u(2): a{a{u(1), d48[:32]}}})}}), ErrProfile, "no sha-384 digest (have sha-256)"},
		{"td mrtd size", corimWith(t, nil, a{tdEnv, a{meas(u(0), m{u(2): a{a{u(7), d48[:40]}}})}}), ErrProfile, "40 bytes, want 48"},
		{"td extra field", corimWith(t, nil, a{tdEnv, a{meas(u(0), m{u(2): a{a{u(7), d48}}, u(1): u(3)})}}), ErrProfile, "svn (1) is not defined"},
		{"snp policy size", corimWith(t, nil, a{snpEnv, a{meas(u(2), m{u(4): tag(tagBytes, []byte{1})})}}), ErrProfile, "raw-value of 8 bytes"},
		{"snp model", corimWith(t, nil, a{m{u(0): m{u(0): snpEnv[u(0)].(m)[u(0)], u(2): "Milan"}}, a{meas(u(1), m{u(1): u(1)})}}), ErrProfile, "model must not be present"},
		{"snp text mkey", corimWith(t, ProfileSNP, a{m{u(1): tag(tagBytes, d48)}, a{meas("MEASUREMENT", m{u(2): a{a{u(7), d48}}})}}), ErrProfile, "unsigned integers"},
		{"snp semver", corimWith(t, nil, a{snpEnv, a{meas(u(3330), m{u(0): m{u(0): "1.55"}})}}), ErrProfile, "not major.minor.build"},
		{"intel tcb-comp-svn", corimWith(t, nil, a{tdEnv, a{meas(nil, m{int64(-125): a{u(1)}})}}), ErrProfile, "array of 16"},
		{"intel numeric op", corimWith(t, nil, a{tdEnv, a{meas(nil, m{int64(-86): tag(tagNumericExpr, a{u(9), u(1)})})}}), ErrProfile, "numeric operator 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.data, LoadOptions{Name: "x.cbor", AllowUnsigned: true})
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%q does not say %q", err, tc.msg)
			}
			if n := strings.Count(err.Error(), "refvalues:"); n != 1 {
				t.Errorf("%q: the package prefix %d times", err, n)
			}
		})
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := encMode.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProfileWireGenerations: the three encodings of the profile field, and
// a CoMID in each of its three wrappings, decode to the same references.
func TestProfileWireGenerations(t *testing.T) {
	d48 := bytes.Repeat([]byte{0x6c}, 48)
	tr := a{m{u(1): tag(tagBytes, d48)}, a{meas(u(641), m{u(2): a{a{u(7), d48}}})}}
	want := ""
	for name, p := range map[string]any{
		"array (v1.1.2)":                      a{ProfileSNP2024},
		"untagged (corim 2fa49d7)":            ProfileSNP2024,
		"tagged (draft-11)":                   tag(tagURI, ProfileSNP2024),
		"array of tagged (SNP draft example)": a{tag(tagURI, ProfileSNP2024)},
	} {
		doc, err := Load(corimWith(t, p, tr), LoadOptions{AllowUnsigned: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc.Profile != ProfileSNP2024 || len(doc.References) != 1 || doc.References[0].TEE != SNP {
			t.Errorf("%s: profile %q, %d references", name, doc.Profile, len(doc.References))
		}
		got := doc.References[0].Checks[0].Expected + doc.References[0].Checks[1].Expected
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("%s: checks %s, want %s", name, got, want)
		}
	}
	oid, _ := oidBytes(ProfileIntel)
	for name, p := range map[string]any{"oid bytes": oid, "#6.111": tag(tagOID, oid)} {
		doc, err := Load(corimWith(t, p, a{m{u(0): m{u(1): "x"}}, a{meas(nil, m{int64(-83): a{u(7), d48}})}}), LoadOptions{AllowUnsigned: true})
		if err != nil || doc.Profile != ProfileIntel || len(doc.References) != 1 || doc.References[0].Checks[0].Claim != "quote.body.mr_td" {
			t.Errorf("%s: %v %+v", name, err, doc)
		}
	}
	// CoMID wrappings inside corim tags.
	cm := m{u(1): m{u(0): "t"}, u(4): m{u(0): a{a{tdEnv, a{meas(u(0), m{u(2): a{a{u(7), d48}}})}}}}}
	cmb := mustCBOR(t, cm)
	for name, entry := range map[string]any{
		"#6.506(bstr)": tag(tagCoMID, cmb),
		"#6.506(map)":  tag(tagCoMID, cm),
		"bstr(#6.506)": mustCBOR(t, tag(tagCoMID, cm)),
	} {
		b := mustCBOR(t, m{u(0): "id", u(1): a{entry}})
		doc, err := Load(b, LoadOptions{AllowUnsigned: true})
		if err != nil || len(doc.References) != 1 || doc.References[0].Component != componentTD {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestOIDs(t *testing.T) {
	for _, s := range []string{oidSNPChip, oidIntelSEAM, ProfileIntel, "2.999.1234567", "0.9.2342"} {
		b, err := oidBytes(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := oidString(b)
		if err != nil || back != s {
			t.Errorf("%s -> %x -> %s (%v)", s, b, back, err)
		}
	}
	// The SEV-SNP draft's examples carry the DER tag and length.
	if s, _ := oidString([]byte{0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x03, 0x01}); s != oidSNPChip {
		t.Errorf("DER-prefixed OID: %s", s)
	}
	for _, b := range [][]byte{nil, {0x80}, bytes.Repeat([]byte{0x81}, 70)} {
		if _, err := oidString(b); err == nil {
			t.Errorf("%x: no error", b)
		}
	}
}
