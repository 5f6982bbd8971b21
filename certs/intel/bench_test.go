// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/p256"
	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/verify"
)

// benchQuotes are go-tdx-guest's v4 and v5 quotes with a time in their windows.
func benchQuotes(b *testing.B) map[string]realQuote {
	qs := gotdxguestQuotes(b)
	return map[string]realQuote{"v4": qs[0], "v5": qs[1]}
}

// BenchmarkVerifyQuote: parse + VerifyQuote with the chain cache warm (the
// steady state of a verifier). recurring: the platform's QE proof cached
// too, so the quote's own signature is the one ECDSA verification;
// new-platform: the proof cache emptied before each call (QE report
// signature, REPORT_DATA, attestation key parse, then the quote's signature),
// the PCK's key verifying with its table (package p256) as it does once it
// has signed p256.UsesBeforeTable QE reports; first-sight: the same with
// every key's table dropped too, as for the first QE reports of a PCK.
func BenchmarkVerifyQuote(b *testing.B) {
	for _, v := range []string{"v4", "v5"} {
		rq := benchQuotes(b)[v]
		for _, mode := range []string{"recurring", "new-platform", "first-sight"} {
			b.Run(v+"/"+mode, func(b *testing.B) {
				opts := Options{Time: rq.at}
				if q, err := tdx.Parse(rq.raw); err != nil {
					b.Fatal(err)
				} else if _, err := VerifyQuote(q, opts); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					switch mode {
					case "new-platform":
						proofs.reset()
					case "first-sight":
						proofs.reset()
						p256.ResetTables()
					}
					q, err := tdx.Parse(rq.raw)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := VerifyQuote(q, opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyQuoteCold: the same with every cache emptied before every
// call (first sight of a chain: parse, extensions, intermediate and PCK links).
func BenchmarkVerifyQuoteCold(b *testing.B) {
	for _, v := range []string{"v4", "v5"} {
		rq := benchQuotes(b)[v]
		b.Run(v, func(b *testing.B) {
			opts := Options{Time: rq.at}
			b.ReportAllocs()
			for b.Loop() {
				chainCache.reset()
				linkCache.reset()
				proofs.reset()
				q, err := tdx.Parse(rq.raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := VerifyQuote(q, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGoTDXGuest: go-tdx-guest's verify.TdxQuote on the same quotes, no
// collateral (chain + QE report + quote signature, as VerifyQuote), with
// TrustedRoots holding the Intel root (notes/tdx.md §4). Options are rebuilt
// per call because TdxQuote mutates them; QuoteToProto is included, as our
// loop includes tdx.Parse.
func BenchmarkGoTDXGuest(b *testing.B) {
	roots := x509.NewCertPool()
	roots.AddCert(Root())
	for _, v := range []string{"v4", "v5"} {
		rq := benchQuotes(b)[v]
		b.Run(v, func(b *testing.B) {
			opts := func(at time.Time) *verify.Options {
				return &verify.Options{
					GetCollateral: false, CheckRevocations: false, TrustedRoots: roots,
					Now: &verify.TimeSet{PckCertChain: at, TcbInfo: at, QeIdentity: at, PckCrl: at, RootCaCrl: at},
				}
			}
			run := func() error {
				pb, err := abi.QuoteToProto(rq.raw)
				if err != nil {
					return err
				}
				return verify.TdxQuote(pb, opts(rq.at))
			}
			if err := run(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkECDSAP256Verify is the floor: one crypto/ecdsa verification of
// the v4 quote's signature (VerifyQuote's recurring path makes one, with
// package p256's table for the recurring attestation key).
func BenchmarkECDSAP256Verify(b *testing.B) {
	q := mustParse(b, benchQuotes(b)["v4"].raw)
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, q.AttestationKey()...))
	if err != nil {
		b.Fatal(err)
	}
	if !verifyP256(key, q.SignedData(), q.Signature()) {
		b.Fatal("does not verify")
	}
	b.ReportAllocs()
	for b.Loop() {
		verifyP256(key, q.SignedData(), q.Signature())
	}
}
