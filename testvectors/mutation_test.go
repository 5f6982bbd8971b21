// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// region is a byte range of evidence that a signature covers, directly or
// through a binding (the attestation key and QE authentication data, bound
// by the QE report's REPORT_DATA).
type region struct {
	name       string
	start, end int
}

func offsetIn(full, sub []byte) int { return cap(full) - cap(sub) }

// signedRegions returns the signed regions of evidence and the length of its
// signed structure (truncations shorter than it must fail).
func signedRegions(t testing.TB, raw []byte) ([]region, int) {
	if f, err := verify.Detect(raw); err == nil && f == verify.FormatSNP {
		return []region{{"report 0x000-0x29F", 0, snp.SignedSize}}, snp.ReportSize
	}
	q, _, err := tdx.ParsePrefix(raw)
	if err != nil {
		t.Fatalf("not a quote or report: %v", err)
	}
	var rs []region
	for _, r := range []struct {
		name string
		b    []byte
	}{{"header and body", q.SignedData()}, {"attestation key", q.AttestationKey()}, {"QE report", q.QEReport()}, {"QE authentication data", q.QEAuthData()}} {
		o := offsetIn(raw, r.b)
		rs = append(rs, region{r.name, o, o + len(r.b)})
	}
	return rs, len(q.Raw())
}

// mutationStride is the bit stride of the walk: every bit with
// CCVERIFY_MUTATION_FULL=1 or for the first vector of each TEE, every 31st
// bit otherwise, every 101st in -short mode. Truncations take every length
// at stride 1 and every stride/4-th otherwise.
func mutationStride(first bool) int {
	switch {
	case os.Getenv("CCVERIFY_MUTATION_FULL") != "" || first && !testing.Short():
		return 1
	case testing.Short():
		return 101
	}
	return 31
}

type positive struct {
	name string
	raw  []byte
	opts verify.Options
}

// positives are the vectors that verify: every generated case without an
// expected error, the embedded real go-tdx-guest quotes and go-sev-guest
// report, and the shared real vectors that verify, when present.
func positives(t *testing.T) []positive {
	var out []positive
	for _, c := range loadManifest(t, dataDir).Cases {
		if len(c.Expect.Errors) > 0 {
			continue
		}
		raw, err := os.ReadFile(path(dataDir, c.Evidence))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, positive{c.ID, raw, verifyOptions(t, dataDir, c)})
	}
	out = append(out,
		positive{"go-tdx-guest RawQuote", gtdata.RawQuote, verify.Options{Offline: true, Time: time.Date(2023, 7, 1, 1, 0, 0, 0, time.UTC)}},
		positive{"go-tdx-guest RawQuoteV5", gtdata.RawQuoteV5, verify.Options{Offline: true, Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}},
	)
	if d := vectors.Dir(); d != "" {
		for _, c := range vectors.Cases(t, "") {
			if c.Expect.Verifies && (strings.HasPrefix(c.ID, "tdx-") || strings.HasPrefix(c.ID, "snp-")) {
				out = append(out, positive{"shared " + c.ID, c.EvidenceBytes(t), sharedOptions(t, d, c)})
			}
		}
	}
	dir := t.TempDir()
	vcek := filepath.Join(dir, "vcek.der")
	if err := os.WriteFile(vcek, gsgtestdata.VcekBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	out = append(out, positive{"go-sev-guest Milan report", gsgtestdata.AttestationBytes[:snp.ReportSize],
		verify.Options{Offline: true, Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Collateral: []string{vcek}, AllowDebug: true}})
	return out
}

// TestMutations: for every positive vector, each single-bit flip in a signed
// byte and each truncation of its signed structure must be rejected (an
// error, not merely a worse status). Reports the counts tried.
func TestMutations(t *testing.T) {
	var flips, truncs atomic.Int64
	firstSeen := map[string]bool{}
	for _, p := range positives(t) {
		v := verify.New(p.opts)
		if _, err := v.Evidence(context.Background(), p.raw); err != nil {
			t.Fatalf("%s: the unmutated vector fails: %v", p.name, err)
		}
		regions, signedLen := signedRegions(t, p.raw)
		f, _ := verify.Detect(p.raw)
		stride := mutationStride(!firstSeen[string(f)])
		firstSeen[string(f)] = true
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			m := bytes.Clone(p.raw)
			n := 0
			for _, r := range regions {
				for bit := r.start * 8; bit < r.end*8; bit += stride {
					m[bit/8] ^= 1 << (bit % 8)
					res, err := v.Evidence(context.Background(), m)
					m[bit/8] ^= 1 << (bit % 8)
					n++
					if err == nil {
						t.Errorf("%s: bit %d of byte %#x flipped: accepted (%v)", r.name, bit%8, bit/8, res.Status)
					}
				}
			}
			flips.Add(int64(n))
			k := 0
			for l := 0; l < signedLen; l += max(1, stride/4) {
				if _, err := v.Evidence(context.Background(), p.raw[:l]); err == nil {
					t.Errorf("truncated to %d of %d bytes: accepted", l, signedLen)
				}
				k++
			}
			truncs.Add(int64(k))
		})
	}
	t.Cleanup(func() {
		t.Logf("rejected %d single-bit flips in signed bytes and %d truncations", flips.Load(), truncs.Load())
	})
}
