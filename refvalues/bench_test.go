// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
)

func BenchmarkLoadUnsigned(b *testing.B) {
	tm, err := ParseTemplate(readTestdata(b, "template-tdx.json"))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := Build(tm)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Load(raw, LoadOptions{AllowUnsigned: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSigned(b *testing.B) {
	tm, _ := ParseTemplate(readTestdata(b, "template-snp.json"))
	raw, _ := Build(tm)
	key := newKey(b, "p384")
	signed, err := Sign(raw, key, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	opts := LoadOptions{Keys: trusted(key.Public())}
	b.ReportAllocs()
	b.SetBytes(int64(len(signed)))
	for b.Loop() {
		if _, err := Load(signed, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadVeraisonSNP(b *testing.B) {
	raw := vectors.Read(b, "corim/veraison-services@286a4e2/scheme/sevsnp/test/corim/corim-sevsnp-valid.cbor")
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Load(raw, LoadOptions{AllowUnsigned: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSet is a golden SNP CoRIM plus 15 other releases, the golden one last:
// Match evaluates all 16 candidates.
func benchSet(b *testing.B, tee string, claims map[string]any) Set {
	tm, err := TemplateFromClaims(tee, claims)
	if err != nil {
		b.Fatal(err)
	}
	golden := tm.References[0]
	tm.References = nil
	for i := 0; i < 15; i++ {
		r := TemplateReference{Values: map[string]any{}}
		for k, v := range golden.Values {
			r.Values[k] = v
		}
		if tee == SNP {
			r.Values["measurement"] = string(rune('a'+i%6)) + golden.Values["measurement"].(string)[1:]
		} else {
			r.Values["mr_td"] = string(rune('a'+i%6)) + golden.Values["mr_td"].(string)[1:]
		}
		tm.References = append(tm.References, r)
	}
	tm.References = append(tm.References, golden)
	raw, err := Build(tm)
	if err != nil {
		b.Fatal(err)
	}
	doc, err := Load(raw, LoadOptions{AllowUnsigned: true})
	if err != nil {
		b.Fatal(err)
	}
	return Set{doc}
}

func BenchmarkMatchSNP(b *testing.B) {
	claims := snpClaims(b)
	s := benchSet(b, SNP, claims)
	if !s.Match(SNP, claims).Approved() {
		b.Fatal("not approved")
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Match(SNP, claims)
	}
}

func BenchmarkMatchTDX(b *testing.B) {
	claims := tdxClaims(b)
	s := benchSet(b, TDX, claims)
	if !s.Match(TDX, claims).Approved() {
		b.Fatal("not approved")
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Match(TDX, claims)
	}
}

func BenchmarkMatchExpected(b *testing.B) {
	claims := snpClaims(b)
	doc, err := Expect(map[string][]string{"measurement": {claims["measurement"].(string)}, "guest_svn": {"0", "1"}, "vmpl": {"0"}})
	if err != nil {
		b.Fatal(err)
	}
	s := Set{doc}
	b.ReportAllocs()
	for b.Loop() {
		s.Match(SNP, claims)
	}
}
