// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/google/go-tdx-guest/testing/testdata"
)

// sentinels are the package's errors of the quote signature chain.
var sentinels = []error{ErrQEVendorID, ErrCertificate, ErrChain, ErrExpired, ErrQEReportSignature, ErrQEReportData, ErrAttestationKey, ErrQuoteSignature}

func whichSentinel(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// offsetIn returns the offset of sub within full (sub is a subslice of full).
func offsetIn(full, sub []byte) int { return cap(full) - cap(sub) }

// region is a byte range of a quote and what flipping a bit in it must give.
type region struct {
	name       string
	start, end int
	want       []error // nil: only the parser may reject (length and type fields, padding)
}

// quoteRegions maps every byte of raw (a quote, perhaps padded) to a region.
func quoteRegions(t *testing.T, raw []byte) []region {
	t.Helper()
	q := mustParse(t, raw)
	off := func(b []byte) int { return offsetIn(raw, b) }
	signedEnd := len(q.SignedData())
	sig := off(q.Signature())
	ak := off(q.AttestationKey())
	rep := off(q.QEReport().Raw())
	repSig := off(q.QEReportSignature())
	auth := off(q.QEAuthData())
	chain := off(q.PCKChain())
	regs := []region{
		{"signed header", 0, 0x0C, []error{ErrQuoteSignature}},
		{"QE vendor ID", 0x0C, 0x1C, []error{ErrQEVendorID}},
		{"signed header/body", 0x1C, signedEnd, []error{ErrQuoteSignature}},
		{"signature data size", signedEnd, sig, nil},
		{"quote signature", sig, sig + 64, []error{ErrQuoteSignature}},
		{"attestation key", ak, ak + 64, []error{ErrQEReportData, ErrAttestationKey}},
		{"certification data type/size", ak + 64, rep, nil},
		{"QE report", rep, rep + 384, []error{ErrQEReportSignature}},
		{"QE report signature", repSig, repSig + 64, []error{ErrQEReportSignature}},
		{"QE auth data size", repSig + 64, auth, nil},
		{"QE auth data", auth, auth + len(q.QEAuthData()), []error{ErrQEReportData}},
		{"PCK chain type/size", auth + len(q.QEAuthData()), chain, nil},
		{"PCK chain", chain, chain + len(q.PCKChain()), []error{ErrCertificate, ErrChain}},
		{"padding", len(q.Raw()), len(raw), nil},
	}
	for i := 1; i < len(regs); i++ {
		if regs[i].start != regs[i-1].end {
			t.Fatalf("regions %q and %q do not meet: %d, %d", regs[i-1].name, regs[i].name, regs[i-1].end, regs[i].start)
		}
	}
	if regs[len(regs)-1].end != len(raw) {
		t.Fatal("regions do not cover the quote")
	}
	return regs
}

// TestBitFlipWalk flips one bit (bit i%8) of every byte i of a real v4 and a
// real v5 quote: the parser or VerifyQuote must reject every flip, and
// VerifyQuote with the sentinel of the region the byte is in. In -short mode
// it samples every 11th byte.
func TestBitFlipWalk(t *testing.T) {
	quotes := gotdxguestQuotes(t)
	step := 1
	if testing.Short() {
		step = 11
	}
	if vectors.Dir() != "" {
		// A real quote padded with zeros, as Parse accepts them (70 bytes).
		b := vectors.Read(t, "tdx/phala-dcap-qvl/tdx_quote")
		quotes = append(quotes, realQuote{"phala-dcap-qvl/tdx_quote(v4, padded)", b, mustTime(t, "2025-07-01T00:00:00Z")})
	}
	for _, rq := range quotes {
		raw := append([]byte(nil), rq.raw...)
		opts := Options{Time: rq.at}
		if _, err := VerifyQuote(mustParse(t, raw), opts); err != nil {
			t.Fatalf("%s: the unmodified quote fails: %v", rq.name, err)
		}
		regs := quoteRegions(t, raw)
		var tried, byParser, byVerify int
		perRegion := map[string]map[string]int{}
		counts := map[string][2]int{}
		for _, r := range regs {
			for i := r.start; i < r.end; i += step {
				buf := append([]byte(nil), raw...)
				buf[i] ^= 1 << (i % 8)
				tried++
				c := counts[r.name]
				q, err := tdx.Parse(buf)
				if err != nil {
					byParser++
					c[0]++
					counts[r.name] = c
					continue
				}
				_, err = VerifyQuote(q, opts)
				if err == nil {
					t.Errorf("%s: flip of bit %d at byte %d (%s) accepted", rq.name, i%8, i, r.name)
					continue
				}
				byVerify++
				c[1]++
				counts[r.name] = c
				got := whichSentinel(err)
				ok := false
				for _, w := range r.want {
					ok = ok || got == w
				}
				if r.want == nil {
					ok = got != nil
				}
				if !ok {
					t.Errorf("%s: flip at byte %d (%s): %v, want one of %v", rq.name, i, r.name, err, r.want)
				}
				if perRegion[r.name] == nil {
					perRegion[r.name] = map[string]int{}
				}
				perRegion[r.name][fmt.Sprint(got)]++
			}
		}
		t.Logf("%s (%d bytes): %d flips tried, %d rejected by the parser, %d by VerifyQuote", rq.name, len(raw), tried, byParser, byVerify)
		for _, r := range regs {
			c := counts[r.name]
			t.Logf("  %-30s bytes %5d..%5d: parser %4d, VerifyQuote %4d %v", r.name, r.start, r.end, c[0], c[1], perRegion[r.name])
		}
	}
}

// TestQuoteBindings: synthetic quotes whose QE report is signed correctly but
// binds the wrong things.
func TestQuoteBindings(t *testing.T) {
	p := newTestPKI(t, pkiConfig{})
	cases := []struct {
		name string
		hook func(ak, report []byte)
		want error
	}{
		{"REPORT_DATA upper half not zero", func(ak, report []byte) { report[0x170] = 1 }, ErrQEReportData},
		{"attestation key not on the curve", func(ak, report []byte) { ak[63] ^= 1 }, ErrAttestationKey},
		{"attestation key zero", func(ak, report []byte) { clear(ak) }, ErrAttestationKey},
		{"attestation key coordinates above p", func(ak, report []byte) {
			for i := range ak[:32] {
				ak[i] = 0xff
			}
		}, ErrAttestationKey},
	}
	for _, tc := range cases {
		raw := buildQuoteWith(t, 4, p.chain(), p.pckKey, tc.hook)
		_, err := VerifyQuote(mustParse(t, raw), p.opts(tAt))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// The QE report signed by a key other than the PCK's.
	raw := buildQuote(t, 5, p.chain(), genKey(t))
	if _, err := VerifyQuote(mustParse(t, raw), p.opts(tAt)); !errors.Is(err, ErrQEReportSignature) {
		t.Errorf("QE report by another key: %v, want ErrQEReportSignature", err)
	}
	if _, err := VerifyQuote(tdx.Quote{}, Options{}); !errors.Is(err, ErrCertificate) {
		t.Errorf("zero Quote: %v, want ErrCertificate", err)
	}
}

// TestVerifyQuoteConcurrent: concurrent verifications of cached and uncached
// chains agree (run with -race).
func TestVerifyQuoteConcurrent(t *testing.T) {
	quotes := gotdxguestQuotes(t)
	chainCache.reset()
	linkCache.reset()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				rq := quotes[(g+i)%len(quotes)]
				q, err := tdx.Parse(rq.raw)
				if err == nil {
					_, err = VerifyQuote(q, Options{Time: rq.at})
				}
				if err != nil {
					errs <- err
				}
				// A wrong time must fail even with the chain cached.
				if _, err := VerifyQuote(q, Options{Time: rq.at.AddDate(30, 0, 0)}); !errors.Is(err, ErrExpired) {
					errs <- fmt.Errorf("cached chain, late time: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestBoundedCache: the caches never exceed their bound.
func TestBoundedCache(t *testing.T) {
	c := newBoundedCache[int, int](3)
	for i := 0; i < 10; i++ {
		c.put(i, i)
		if n := len(c.m); n > 3 {
			t.Fatalf("%d entries after %d puts", n, i+1)
		}
	}
	if v, ok := c.get(9); !ok || v != 9 {
		t.Errorf("latest entry missing: %v %v", v, ok)
	}
}

// FuzzVerifyQuote: no input panics; every failure wraps one of the sentinels;
// nothing but the seeds' exact signed bytes verifies.
func FuzzVerifyQuote(f *testing.F) {
	q4, _, err := tdx.ParsePrefix(testdata.RawQuote)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(q4.Raw())
	f.Add(testdata.RawQuoteV5)
	if vectors.Dir() != "" {
		for _, rq := range vectorQuotes(f) {
			f.Add(rq.raw)
		}
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := tdx.Parse(b)
		if err != nil {
			return
		}
		_, err = VerifyQuote(q, Options{Time: at})
		if err != nil && whichSentinel(err) == nil {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
	})
}

// TestQEVendorID: a quote whose header names another QE vendor than Intel's
// fails with ErrQEVendorID, which is checked before any signature (the
// header is signed, so the quote signature fails too; the QVL rejects the
// vendor first, as an unsupported quote format).
func TestQEVendorID(t *testing.T) {
	for _, rq := range gotdxguestQuotes(t) {
		for _, i := range []int{0x0C, 0x13, 0x1B} { // first, middle and last byte of the vendor ID
			raw := append([]byte(nil), rq.raw...)
			raw[i] ^= 0x01
			_, err := VerifyQuote(mustParse(t, raw), Options{Time: rq.at})
			if !errors.Is(err, ErrQEVendorID) || errors.Is(err, ErrQuoteSignature) {
				t.Errorf("%s: byte %#x changed: %v, want ErrQEVendorID (and not ErrQuoteSignature)", rq.name, i, err)
			}
			if err != nil && !strings.Contains(err.Error(), hex.EncodeToString(raw[0x0C:0x1C])) {
				t.Errorf("%s: %v does not name the vendor ID found", rq.name, err)
			}
		}
	}
}
