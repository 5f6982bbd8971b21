// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"github.com/ccverify/ccverify/internal/floor"
	"github.com/ccverify/ccverify/internal/p256"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// BenchmarkEvidenceTDX is the whole per-quote cost of an audit: detect,
// parse, chain and signatures, TCB evaluation with collateral already
// verified by the Verifier, claims. Compare with certs/intel's
// BenchmarkGoTDXGuestFullCollateral (go-tdx-guest with collateral, same quote).
func BenchmarkEvidenceTDX(b *testing.B) {
	v := verify.New(verify.Options{
		Offline:    true,
		Time:       time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Collateral: []string{filepath.Join(vectors.Need(b), "tdx/phala-dcap-qvl/tdx_quote_outdated_collateral.json")},
	})
	ctx := context.Background()
	if r, err := v.Evidence(ctx, gtdata.RawQuoteV5); err != nil || r.Claims["tcb_status"] != "UpToDate" {
		b.Fatalf("%v %v", r.Claims["tcb_status"], err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Evidence(ctx, gtdata.RawQuoteV5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvidenceSNP is the per-report cost with the VCEK chain cached.
// Compare with certs/amd's BenchmarkGoSevGuest (verify.SnpAttestation).
func BenchmarkEvidenceSNP(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vcek"), gsgdata.VcekBytes, 0o644); err != nil {
		b.Fatal(err)
	}
	v := verify.New(verify.Options{Offline: true, AllowDebug: true, Collateral: []string{dir},
		Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	raw := gsgdata.AttestationBytes[:snp.ReportSize]
	ctx := context.Background()
	if _, err := v.Evidence(ctx, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Evidence(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorP256 is the floor BenchmarkEvidenceTDX is compared with, in
// the same run: one crypto/ecdsa P-256 verification of the same quote's
// signature by its attestation key (SHA-256 of the signed bytes included).
func BenchmarkFloorP256(b *testing.B) { floor.P256(b, gtdata.RawQuoteV5) }

// BenchmarkFloorP384 is the floor BenchmarkEvidenceSNP is compared with, in
// the same run: one crypto/ecdsa P-384 verification of the same report's
// signature by its VCEK (SHA-384 of the signed bytes included).
func BenchmarkFloorP384(b *testing.B) {
	raw := gsgdata.AttestationBytes[:snp.ReportSize]
	vcek, err := x509.ParseCertificate(gsgdata.VcekBytes)
	if err != nil {
		b.Fatal(err)
	}
	pub := vcek.PublicKey.(*ecdsa.PublicKey)
	be := func(le []byte) *big.Int {
		x := make([]byte, 48)
		for i := range x {
			x[i] = le[47-i]
		}
		return new(big.Int).SetBytes(x)
	}
	r, s := be(raw[0x2A0:]), be(raw[0x2E8:])
	b.ReportAllocs()
	for b.Loop() {
		h := sha512.Sum384(raw[:0x2A0])
		if !ecdsa.Verify(pub, h[:], r, s) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkEvidenceTDXPlatform: verify.Evidence of generated v4 quotes of one
// platform (testvectors.PlatformQuotes) with the catalog's collateral for it
// (tdx-v4-platform-uptodate: intel/tcb/good, intel/crl/good, its root).
// recurring: one quote again and again, its QE proof cached (one P-256
// verification a quote); new-platform: 9,000 quotes in turn, each with its
// own QE report (testvectors.QERestartQuotes), more than the QE proof cache
// holds, so that every call proves the QE report again (two P-256
// verifications), the chain and collateral cached; in turn across -count
// runs too (before, each run started again from the first quotes, which the
// run before had left in the cache: with -count > 1 every run after the
// first measured mostly recurring quotes). Compare with BenchmarkFloorP256.
func BenchmarkEvidenceTDXPlatform(b *testing.B) {
	dir := filepath.Join("..", "testvectors", "data")
	m, err := testvectors.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	var opts verify.Options
	for _, c := range m.Cases {
		if c.ID != "tdx-v4-platform-uptodate" {
			continue
		}
		opts = verify.Options{Time: c.At, Offline: true, RefValues: verify.RefValueOptions{HardwareOnly: true}}
		for _, p := range c.Collateral {
			opts.Collateral = append(opts.Collateral, filepath.Join(dir, filepath.FromSlash(p)))
		}
		pemRoots, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.Roots.Intel)))
		if err != nil {
			b.Fatal(err)
		}
		for blk, rest := pem.Decode(pemRoots); blk != nil; blk, rest = pem.Decode(rest) {
			x, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				b.Fatal(err)
			}
			opts.Intel.Roots = append(opts.Intel.Roots, x)
		}
	}
	if opts.Intel.Roots == nil {
		b.Fatal("tdx-v4-platform-uptodate not in the manifest")
	}
	v := verify.New(opts)
	ctx := context.Background()
	// next is where the quotes go on from: kept across -count runs, so that
	// a run never meets the quotes the last one left in the QE proof cache.
	run := func(b *testing.B, quotes [][]byte, next *int) {
		for _, q := range quotes[:2] {
			if r, err := v.Evidence(ctx, q); err != nil || r.Claims["tcb_status"] != "UpToDate" {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := v.Evidence(ctx, quotes[*next%len(quotes)]); err != nil {
				b.Fatal(err)
			}
			*next++
		}
	}
	var nextRecurring, nextRestart int
	recurring := sync.OnceValue(func() [][]byte {
		q := testvectors.PlatformQuotes(m.Seed, 1)
		return [][]byte{q[0], q[0]}
	})
	restarts := sync.OnceValue(func() [][]byte { return testvectors.QERestartQuotes(m.Seed, 9000) })
	b.Run("recurring", func(b *testing.B) { run(b, recurring(), &nextRecurring) })
	b.Run("new-platform", func(b *testing.B) { run(b, restarts(), &nextRestart) })
	// paired: each iteration times the floor (internal/floor's P-256
	// verification of the quote's signature with crypto/ecdsa), the same with
	// internal/p256 and the key's table (ccverify's own cryptographic cost),
	// then one verify.Evidence, in turn, so that the ratios (x-floor:
	// Evidence's time over the floor's; x-p256: over internal/p256's) hold
	// whatever the load on a shared machine does between them; ns/op is the
	// sum of the three, evidence-ns, floor-ns and p256-ns each's share.
	paired := func(b *testing.B, quotes [][]byte, next *int, firstSight bool) {
		op, err := floor.P256Op(quotes[0])
		if err != nil {
			b.Fatal(err)
		}
		own, err := floor.P256TableOp(quotes[0])
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		var te, tf, tp time.Duration
		for b.Loop() {
			q := quotes[*next%len(quotes)]
			*next++
			if firstSight {
				p256.ResetTables()
				if own, err = floor.P256TableOp(quotes[0]); err != nil {
					b.Fatal(err)
				}
			}
			t0 := time.Now()
			if !op() {
				b.Fatal("floor does not verify")
			}
			t1 := time.Now()
			if !own() {
				b.Fatal("internal/p256 does not verify")
			}
			t2 := time.Now()
			if _, err := v.Evidence(ctx, q); err != nil {
				b.Fatal(err)
			}
			t3 := time.Now()
			tf += t1.Sub(t0)
			tp += t2.Sub(t1)
			te += t3.Sub(t2)
		}
		n := float64(b.N)
		b.ReportMetric(float64(te.Nanoseconds())/n, "evidence-ns")
		b.ReportMetric(float64(tf.Nanoseconds())/n, "floor-ns")
		b.ReportMetric(float64(tp.Nanoseconds())/n, "p256-ns")
		b.ReportMetric(float64(te)/float64(tf), "x-floor")
		b.ReportMetric(float64(te)/float64(tp), "x-p256")
	}
	b.Run("paired/recurring", func(b *testing.B) { paired(b, recurring(), &nextRecurring, false) })
	b.Run("paired/new-platform", func(b *testing.B) { paired(b, restarts(), &nextRestart, false) })
	// first-sight: new-platform with every key's table dropped before each
	// quote, so that both of its P-256 verifications run without one, as for
	// the first QE reports of a PCK (the internal/p256 floor's key gets its
	// table again, untimed).
	b.Run("paired/first-sight", func(b *testing.B) { paired(b, restarts(), &nextRestart, true) })
}
