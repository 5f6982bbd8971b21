// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package tdx_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/oracle"
	"github.com/ccverify/ccverify/internal/vectors"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// realQuote is a real hardware quote and the bytes that follow it in its file.
type realQuote struct {
	name     string
	b        []byte
	trailing int // non-zero bytes after the quote, not counting zero padding
}

// embeddedQuotes are go-tdx-guest's real quotes, reachable on any machine.
// RawQuote carries 39 bytes of appended text ("extra bytes(only for testing
// purpose)") after the quote.
func embeddedQuotes() []realQuote {
	return []realQuote{
		{"go-tdx-guest/RawQuote(v4)", gtdata.RawQuote, 39},
		{"go-tdx-guest/RawQuoteV5", gtdata.RawQuoteV5, 0},
	}
}

// allQuotes returns the embedded quotes and, when present, every TDX quote of
// the shared cases.
func allQuotes(t testing.TB) []realQuote {
	qs := embeddedQuotes()
	if vectors.Dir() == "" {
		return qs
	}
	for _, c := range vectors.Cases(t, "tdx-") {
		qs = append(qs, caseQuote(t, c))
	}
	return qs
}

func caseQuote(t testing.TB, c vectors.Case) realQuote {
	b := c.EvidenceBytes(t)
	trailing := 0
	if _, rest, err := tdx.ParsePrefix(b); err == nil && !allZero(rest) {
		trailing = len(rest)
	}
	return realQuote{c.ID, b, trailing}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func parseReal(t testing.TB, rq realQuote) tdx.Quote {
	t.Helper()
	if rq.trailing > 0 {
		q, rest, err := tdx.ParsePrefix(rq.b)
		if err != nil {
			t.Fatalf("%s: ParsePrefix: %v", rq.name, err)
		}
		if len(rest) != rq.trailing {
			t.Fatalf("%s: %d trailing bytes, want %d", rq.name, len(rest), rq.trailing)
		}
		if _, err := tdx.Parse(rq.b); !errors.Is(err, tdx.ErrTrailingData) {
			t.Fatalf("%s: Parse with trailing text: %v, want ErrTrailingData", rq.name, err)
		}
		return q
	}
	q, err := tdx.Parse(rq.b)
	if err != nil {
		t.Fatalf("%s: %v", rq.name, err)
	}
	return q
}

// TestCaseFacts checks every real quote of cases.json against the facts an
// independent parser read from it.
func TestCaseFacts(t *testing.T) {
	for _, c := range vectors.Cases(t, "tdx-") {
		t.Run(c.ID, func(t *testing.T) {
			q := parseReal(t, caseQuote(t, c))
			if got, want := q.Version(), c.Fact("version"); want != "" && strconv.Itoa(int(got)) != want {
				t.Errorf("version %d, want %s", got, want)
			}
			b := q.Body()
			checks := map[string][]byte{
				"mr_td": b.MRTD(), "rtmr0": b.RTMR(0), "rtmr1": b.RTMR(1), "rtmr2": b.RTMR(2),
				"rtmr3": b.RTMR(3), "report_data": b.ReportData(),
			}
			for k, got := range checks {
				if want := c.Fact(k); want != "" && hex.EncodeToString(got) != want {
					t.Errorf("%s = %x, want %s", k, got, want)
				}
			}
		})
	}
}

// TestEmbeddedQuotes pins facts of go-tdx-guest's embedded quotes, the ones the
// README's first command verifies.
func TestEmbeddedQuotes(t *testing.T) {
	q4 := parseReal(t, embeddedQuotes()[0])
	if q4.Version() != 4 || q4.BodyType() != tdx.BodyTD10 || len(q4.Body()) != 584 {
		t.Errorf("RawQuote: version %d, %v, body %d bytes; want 4, TD 1.0, 584", q4.Version(), q4.BodyType(), len(q4.Body()))
	}
	if q4.Body().TEETCBSVN2() != nil || q4.Body().MRSERVICETD() != nil {
		t.Error("TD 1.0 body has TD 1.5 fields")
	}
	q5 := parseReal(t, embeddedQuotes()[1])
	if q5.Version() != 5 || q5.BodyType() != tdx.BodyTD15 || len(q5.Body()) != 648 {
		t.Errorf("RawQuoteV5: version %d, %v, body %d bytes; want 5, TD 1.5, 648", q5.Version(), q5.BodyType(), len(q5.Body()))
	}
	if got := hex.EncodeToString(q5.Body().TEETCBSVN2()); got != "0d010400000000000000000000000000" {
		t.Errorf("RawQuoteV5 TEE_TCB_SVN2 = %s", got)
	}
	if !bytes.Equal(q5.BodyDescriptor(), []byte{3, 0, 0x88, 2, 0, 0}) {
		t.Errorf("RawQuoteV5 body descriptor = %x", q5.BodyDescriptor())
	}
	for _, q := range []tdx.Quote{q4, q5} {
		if !bytes.Equal(q.Header().QEVendorID(), tdx.IntelQEVendorID[:]) {
			t.Errorf("QE vendor ID %x", q.Header().QEVendorID())
		}
		if !bytes.HasPrefix(q.PCKChain(), []byte("-----BEGIN CERTIFICATE-----")) {
			t.Errorf("PCK chain does not start with PEM: %.20q", q.PCKChain())
		}
		if len(q.Signature()) != 64 || len(q.AttestationKey()) != 64 || len(q.QEReportSignature()) != 64 || len(q.QEReport()) != 384 {
			t.Error("fixed-size signature fields have the wrong size")
		}
	}
}

// TestDifferential compares every field with go-tdx-guest's parser on every real quote.
func TestDifferential(t *testing.T) {
	n := 0
	for _, rq := range allQuotes(t) {
		q := parseReal(t, rq)
		theirs, err := oracle.ParseTDX(rq.b)
		if err != nil {
			t.Errorf("%s: go-tdx-guest rejects a quote we accept: %v", rq.name, err)
			continue
		}
		if err := oracle.CompareTDX(q, theirs); err != nil {
			t.Errorf("%s: %v", rq.name, err)
		}
		n++
	}
	t.Logf("%d real quotes agree field by field with go-tdx-guest", n)
}

// TestTruncation cuts every real quote at every length: each must be ErrTruncated.
func TestTruncation(t *testing.T) {
	for _, rq := range allQuotes(t) {
		q := parseReal(t, rq)
		raw := q.Raw()
		for n := 0; n < len(raw); n++ {
			_, err := tdx.Parse(raw[:n])
			if !errors.Is(err, tdx.ErrTruncated) {
				t.Fatalf("%s cut at %d of %d: %v, want ErrTruncated", rq.name, n, len(raw), err)
			}
		}
	}
}

func TestPadding(t *testing.T) {
	q := parseReal(t, embeddedQuotes()[1])
	padded := append(append([]byte(nil), q.Raw()...), make([]byte, 8000-len(q.Raw()))...)
	p, err := tdx.Parse(padded)
	if err != nil {
		t.Fatal(err)
	}
	if p.Padding() != 8000-len(q.Raw()) || !bytes.Equal(p.Raw(), q.Raw()) {
		t.Errorf("padding %d, raw %d bytes; want %d, %d", p.Padding(), len(p.Raw()), 8000-len(q.Raw()), len(q.Raw()))
	}
	padded[len(padded)-1] = 1
	if _, err := tdx.Parse(padded); !errors.Is(err, tdx.ErrTrailingData) {
		t.Errorf("non-zero byte in padding: %v, want ErrTrailingData", err)
	}
}

// TestMalformed edits one field of a real quote at a time.
func TestMalformed(t *testing.T) {
	base := parseReal(t, embeddedQuotes()[1]).Raw() // v5, TD 1.5
	v4 := parseReal(t, embeddedQuotes()[0]).Raw()
	// Offsets within the v5 quote: header 48, descriptor 6, body 648, then the
	// signature data size (4), signature 64, key 64, cert data type (2) and size (4).
	const sigData = 48 + 6 + 648
	const certData = sigData + 4 + 128
	const qeAuth = certData + 6 + 384 + 64
	authLen := int(binary.LittleEndian.Uint16(base[qeAuth:]))
	innerCert := qeAuth + 2 + authLen

	tests := []struct {
		name string
		src  []byte
		edit func(b []byte) []byte
		want error
	}{
		{"version 3", base, func(b []byte) []byte { b[0] = 3; return b }, tdx.ErrVersion},
		{"version 6", base, func(b []byte) []byte { b[0] = 6; return b }, tdx.ErrVersion},
		{"SGX TEE type", base, func(b []byte) []byte { b[4] = 0; return b }, tdx.ErrTEEType},
		{"P-384 key type", base, func(b []byte) []byte { b[2] = 3; return b }, tdx.ErrKeyType},
		{"body type 4 (TD 1.5 Ex)", base, func(b []byte) []byte { b[48] = 4; return b }, tdx.ErrBodyType},
		{"body type 2 with a TD 1.5 size", base, func(b []byte) []byte { b[48] = 2; return b }, tdx.ErrBodyType},
		{"body size off by one", base, func(b []byte) []byte { b[50]++; return b }, tdx.ErrBodyType},
		{"signature data longer than the quote", base, func(b []byte) []byte { b[sigData+3] = 0x7f; return b }, tdx.ErrTruncated},
		{"signature data one byte short", base, func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[sigData:], binary.LittleEndian.Uint32(b[sigData:])-1)
			return b
		}, tdx.ErrTruncated},
		{"signature data one byte long", base, func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[sigData:], binary.LittleEndian.Uint32(b[sigData:])+1)
			return append(b, 0)
		}, tdx.ErrLength},
		{"outer certification data type 5", base, func(b []byte) []byte { b[certData] = 5; return b }, tdx.ErrCertificationDataType},
		{"inner certification data type 1", base, func(b []byte) []byte { b[innerCert] = 1; return b }, tdx.ErrCertificationDataType},
		{"QE auth data longer than its container", base, func(b []byte) []byte { b[qeAuth+1] = 0xff; return b }, tdx.ErrTruncated},
		{"v4 with a SGX TEE type", v4, func(b []byte) []byte { b[4] = 0; return b }, tdx.ErrTEEType},
		{"empty", base, func(b []byte) []byte { return b[:0] }, tdx.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.edit(append([]byte(nil), tt.src...))
			q, err := tdx.Parse(b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if q.Raw() != nil || q.Version() != 0 {
				t.Error("a failed parse returned a non-zero Quote")
			}
		})
	}
}

func TestTDAttributes(t *testing.T) {
	a := tdx.TDAttrDebug | tdx.TDAttrSEPTVEDisable | tdx.TDAttributes(1<<40)
	if !a.Debug() || !a.SEPTVEDisable() || a.PKS() || a.KL() || a.PerfMon() || a.Migratable() {
		t.Errorf("flags of %v decoded wrongly", a)
	}
	if got, want := a.String(), "DEBUG|SEPT_VE_DISABLE|0x10000000000"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if a.Unknown() != 1<<40 {
		t.Errorf("Unknown() = %#x", uint64(a.Unknown()))
	}
	if got := tdx.TDAttributes(0).String(); got != "0" {
		t.Errorf("zero String() = %q", got)
	}
	x := tdx.XFAM(0x61ae7)
	if got, want := x.String(), "X87|SSE|AVX|AVX512_OPMASK|AVX512_ZMM_HI256|AVX512_HI16_ZMM|PKRU|CET_U|CET_S|AMX_XTILECFG|AMX_XTILEDATA"; got != want {
		t.Errorf("XFAM String() = %q, want %q", got, want)
	}
	if !x.Has(17) || x.Has(3) || x.Has(64) {
		t.Error("XFAM.Has wrong")
	}
}

func TestClone(t *testing.T) {
	b := append([]byte(nil), gtdata.RawQuoteV5...)
	q, err := tdx.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	c := q.Clone()
	mrtd := append([]byte(nil), q.Body().MRTD()...)
	for i := range b {
		b[i] = 0
	}
	if !bytes.Equal(c.Body().MRTD(), mrtd) {
		t.Error("Clone shares the caller's bytes")
	}
	if (tdx.Quote{}).Clone().Raw() != nil {
		t.Error("Clone of the zero Quote is not zero")
	}
}

func TestZeroQuoteAccessors(t *testing.T) {
	var q tdx.Quote
	if q.Header().Version() != 0 || q.Body().MRTD() != nil || q.Body().RTMR(5) != nil || q.QEReport().ISVSVN() != 0 || q.BodyDescriptor() != nil {
		t.Error("zero Quote accessors returned data")
	}
}

// FuzzParse checks that no input panics and that an accepted quote is
// self-consistent and agrees with go-tdx-guest.
func FuzzParse(f *testing.F) {
	for _, rq := range allQuotes(f) {
		f.Add(rq.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		q, rest, err := tdx.ParsePrefix(b)
		if err != nil {
			return
		}
		if len(q.Raw())+len(rest) != len(b) || !bytes.HasPrefix(b, q.Raw()) {
			t.Fatalf("raw %d + rest %d != input %d", len(q.Raw()), len(rest), len(b))
		}
		if !bytes.HasPrefix(q.Raw(), q.SignedData()) || len(q.Body()) != map[tdx.BodyType]int{tdx.BodyTD10: 584, tdx.BodyTD15: 648}[q.BodyType()] {
			t.Fatal("inconsistent signed data or body")
		}
		again, err := tdx.Parse(q.Raw())
		if err != nil || !bytes.Equal(again.Raw(), q.Raw()) {
			t.Fatalf("re-parse of Raw: %v", err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, rq := range embeddedQuotes() {
		b.Run(rq.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, _, err := tdx.ParsePrefix(rq.b); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseGoTDXGuest is go-tdx-guest's parser on the same quotes.
func BenchmarkParseGoTDXGuest(b *testing.B) {
	for _, rq := range embeddedQuotes() {
		b.Run(rq.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := oracle.ParseTDX(rq.b); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
