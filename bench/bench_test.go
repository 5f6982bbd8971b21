// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/floor"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/p384"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	sevabi "github.com/google/go-sev-guest/abi"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	sevverify "github.com/google/go-sev-guest/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	tdxabi "github.com/google/go-tdx-guest/abi"
	gttest "github.com/google/go-tdx-guest/testing"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	tdxverify "github.com/google/go-tdx-guest/verify"
)

// tdxQuote is one of go-tdx-guest's real quotes and a time inside its PCK
// chain's validity.
type tdxQuote struct {
	name string
	raw  []byte
	at   time.Time
}

func tdxQuotes(b *testing.B) []tdxQuote {
	q4, _, err := tdx.ParsePrefix(gtdata.RawQuote) // 39 extra bytes after the quote
	if err != nil {
		b.Fatal(err)
	}
	return []tdxQuote{
		{"tdx-v4", q4.Raw(), time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"tdx-v5", gtdata.RawQuoteV5, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
}

// BenchmarkTDXQuote: the quote's signature chain without collateral (PCK
// chain to the Intel root, QE report, REPORT_DATA, quote signature), the
// platform seen before. ccverify: tdx.Parse + intel.VerifyQuote; anchor:
// go-tdx-guest abi.QuoteToProto + verify.TdxQuote with the Intel root.
func BenchmarkTDXQuote(b *testing.B) {
	roots := x509.NewCertPool()
	roots.AddCert(intel.Root())
	for _, tq := range tdxQuotes(b) {
		b.Run("case="+tq.name+"/impl=ccverify", func(b *testing.B) {
			opts := intel.Options{Time: tq.at}
			run := func() error {
				q, err := tdx.Parse(tq.raw)
				if err != nil {
					return err
				}
				_, err = intel.VerifyQuote(q, opts)
				return err
			}
			loop(b, run)
		})
		b.Run("case="+tq.name+"/impl=anchor", func(b *testing.B) {
			run := func() error {
				pb, err := tdxabi.QuoteToProto(tq.raw)
				if err != nil {
					return err
				}
				return tdxverify.TdxQuote(pb, &tdxverify.Options{TrustedRoots: roots, // rebuilt: TdxQuote mutates it
					Now: &tdxverify.TimeSet{PckCertChain: tq.at, TcbInfo: tq.at, QeIdentity: tq.at, PckCrl: tq.at, RootCaCrl: tq.at}})
			}
			loop(b, run)
		})
		b.Run("case="+tq.name+"/impl=floor", func(b *testing.B) { floor.P256(b, tq.raw) })
		b.Run("case="+tq.name+"/impl=p256", func(b *testing.B) { floor.P256Table(b, tq.raw) })
	}
}

// BenchmarkTDXEvidence: the whole appraisal of go-tdx-guest's v5 quote with
// collateral (TCB Info, QE Identity, CRLs) already loaded and verified.
// ccverify: verify.Verifier.Evidence (detect, parse, signatures, TCB and QE
// evaluation, revocation, claims, policy; shared vectors' Phala collateral);
// anchor: go-tdx-guest verify.RawTdxQuote with its bundled collateral and
// CRLs (its test getter, no network).
func BenchmarkTDXEvidence(b *testing.B) {
	raw := gtdata.RawQuoteV5
	b.Run("case=tdx-v5-collateral/impl=ccverify", func(b *testing.B) {
		v := verify.New(verify.Options{
			Offline: true, Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			Collateral: []string{filepath.Join(vectors.Need(b), "tdx/phala-dcap-qvl/tdx_quote_outdated_collateral.json")},
		})
		ctx := context.Background()
		if r, err := v.Evidence(ctx, raw); err != nil || r.Claims["tcb_status"] != "UpToDate" {
			b.Fatal(err)
		}
		loop(b, func() error {
			_, err := v.Evidence(ctx, raw)
			return err
		})
	})
	b.Run("case=tdx-v5-collateral/impl=anchor", func(b *testing.B) {
		roots := x509.NewCertPool()
		roots.AddCert(intel.Root())
		t2023 := time.Date(2023, 7, 1, 1, 0, 0, 0, time.UTC)
		opts := func() *tdxverify.Options {
			return &tdxverify.Options{GetCollateral: true, CheckRevocations: true, Getter: gttest.TestGetter, TrustedRoots: roots,
				Now: &tdxverify.TimeSet{PckCertChain: time.Date(2026, 2, 3, 1, 0, 0, 0, time.UTC), TcbInfo: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC),
					QeIdentity: t2023, PckCrl: t2023, RootCaCrl: t2023}}
		}
		loop(b, func() error { return tdxverify.RawTdxQuote(raw, opts()) })
	})
	b.Run("case=tdx-v5-collateral/impl=floor", func(b *testing.B) { floor.P256(b, raw) })
	b.Run("case=tdx-v5-collateral/impl=p256", func(b *testing.B) { floor.P256Table(b, raw) })
}

var snpAt = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// be returns the 48 low bytes of a 72-byte little-endian field, big-endian.
func be(le []byte) []byte {
	out := make([]byte, 48)
	for i := range out {
		out[i] = le[47-i]
	}
	return out
}

// BenchmarkSNPReport: go-sev-guest's real Milan report, verified with its
// VCEK, the ASK and ARK, the chain's RSA signatures already verified.
// ccverify: snp.Parse + amd.VerifyReport; anchor: go-sev-guest
// abi.ReportToProto + verify.SnpAttestation (no fetching); floor: one
// crypto/ecdsa P-384 verification of the same signature (SHA-384 included);
// p384: the same with internal/p384 (what ccverify uses).
func BenchmarkSNPReport(b *testing.B) {
	raw := gsgdata.AttestationBytes[:snp.ReportSize]
	vcek, err := x509.ParseCertificate(gsgdata.VcekBytes)
	if err != nil {
		b.Fatal(err)
	}
	pub := vcek.PublicKey.(*ecdsa.PublicKey)
	rb, sb := be(raw[0x2A0:0x2E8]), be(raw[0x2E8:0x330])
	b.Run("case=snp-milan/impl=ccverify", func(b *testing.B) {
		col := amd.Collateral{VCEK: gsgdata.VcekBytes, Certs: [][]byte{amd.ASK(snp.Milan).Raw, amd.ARK(snp.Milan).Raw}}
		opts := &amd.Options{Now: snpAt, Cache: amd.NewCache(0)}
		run := func() error {
			r, err := snp.Parse(raw)
			if err != nil {
				return err
			}
			_, err = amd.VerifyReport(r, col, opts)
			return err
		}
		loop(b, run)
	})
	b.Run("case=snp-milan/impl=anchor", func(b *testing.B) {
		opts := &sevverify.Options{Now: snpAt, DisableCertFetching: true}
		run := func() error {
			rep, err := sevabi.ReportToProto(raw)
			if err != nil {
				return err
			}
			return sevverify.SnpAttestation(&spb.Attestation{Report: rep, CertificateChain: &spb.CertificateChain{
				VcekCert: gsgdata.VcekBytes, AskCert: amd.ASK(snp.Milan).Raw, ArkCert: amd.ARK(snp.Milan).Raw,
			}}, opts)
		}
		loop(b, run)
	})
	b.Run("case=snp-milan/impl=floor", func(b *testing.B) {
		r, s := new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
		b.ReportAllocs()
		for b.Loop() {
			h := sha512.Sum384(raw[:0x2A0])
			if !ecdsa.Verify(pub, h[:], r, s) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("case=snp-milan/impl=p384", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h := sha512.Sum384(raw[:0x2A0])
			if !p384.Verify(pub, h[:], rb, sb) {
				b.Fatal("does not verify")
			}
		}
	})
}

// BenchmarkSNPEvidence: the whole appraisal of the same report through
// verify.Verifier.Evidence (VCEK from a collateral directory, debug
// allowed: go-sev-guest's sample is a debug guest), against the anchor's
// verify.SnpAttestation and the P-384 floor.
func BenchmarkSNPEvidence(b *testing.B) {
	raw := gsgdata.AttestationBytes[:snp.ReportSize]
	b.Run("case=snp-milan-evidence/impl=ccverify", func(b *testing.B) {
		dir := b.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "vcek"), gsgdata.VcekBytes, 0o644); err != nil {
			b.Fatal(err)
		}
		v := verify.New(verify.Options{Offline: true, AllowDebug: true, Collateral: []string{dir}, Time: snpAt})
		loop(b, func() error {
			_, err := v.Evidence(context.Background(), raw)
			return err
		})
	})
}

// loop benchmarks run after one call that must succeed: a setup that fails
// stops the benchmark, and the caches a steady state has are warm.
func loop(b *testing.B, run func() error) {
	b.Helper()
	if err := run(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}
