// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
	gttest "github.com/google/go-tdx-guest/testing"
	gtverify "github.com/google/go-tdx-guest/verify"
)

// benchSet is go-tdx-guest's v5 sample quote (TD 1.5) with Phala's
// 90C06F000000 collateral (2026-02), UpToDate at 2026-03-01 with every CRL.
func benchSet(b *testing.B) (vectorCase, tdx.Quote, *QuoteChain, *Cache) {
	c := findCase(b, "tdx-gotdxguest-v5-td15-90c06f-uptodate")
	q, chain := caseQuote(b, c)
	col, _ := caseCollateral(b, c)
	cache := new(Cache)
	cache.Add(col)
	return c, q, chain, cache
}

// BenchmarkEvaluateCached: the collateral part of verifying one quote once
// the platform's collateral is cached and verified (no ECDSA at all).
func BenchmarkEvaluateCached(b *testing.B) {
	c, q, chain, cache := benchSet(b)
	opts := EvaluateOptions{Options: Options{Time: c.At}}
	ctx := context.Background()
	if res, err := cache.Evaluate(ctx, q, chain, opts); err != nil || res.Status != UpToDate {
		b.Fatal(res, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cache.Evaluate(ctx, q, chain, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFullCached: a whole verification of one quote with cached
// collateral: parse, PCK chain and quote signatures (VerifyQuote, whose chain
// links are cached too) and Evaluate. Compare with BenchmarkGoTDXGuestFullCollateral.
func BenchmarkFullCached(b *testing.B) {
	c, q, _, cache := benchSet(b)
	raw := q.Raw()
	opts := EvaluateOptions{Options: Options{Time: c.At}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		q, err := tdx.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		chain, err := VerifyQuote(q, opts.Options)
		if err != nil {
			b.Fatal(err)
		}
		if res, err := cache.Evaluate(ctx, q, chain, opts); err != nil || res.Status != UpToDate {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkFirstEvaluation: Evaluate with collateral loaded but never
// verified (every collateral signature and chain link checked once).
func BenchmarkFirstEvaluation(b *testing.B) {
	c, q, chain, _ := benchSet(b)
	opts := EvaluateOptions{Options: Options{Time: c.At}}
	b.ReportAllocs()
	for b.Loop() {
		col, _ := caseCollateral(b, c)
		if _, err := Evaluate(q, chain, col, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoTDXGuestFullCollateral: go-tdx-guest's RawTdxQuote on the same
// quote with collateral and CRLs from its bundled test getter (the notes'
// anchor: its bundled pieces need one time each).
func BenchmarkGoTDXGuestFullCollateral(b *testing.B) {
	_, q, _, _ := benchSet(b)
	raw := q.Raw()
	roots := x509.NewCertPool()
	roots.AddCert(Root())
	t2023 := time.Date(2023, 7, 1, 1, 0, 0, 0, time.UTC)
	opts := func() *gtverify.Options {
		return &gtverify.Options{GetCollateral: true, CheckRevocations: true, Getter: gttest.TestGetter, TrustedRoots: roots,
			Now: &gtverify.TimeSet{PckCertChain: time.Date(2026, 2, 3, 1, 0, 0, 0, time.UTC), TcbInfo: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC),
				QeIdentity: t2023, PckCrl: t2023, RootCaCrl: t2023}}
	}
	if err := gtverify.RawTdxQuote(raw, opts()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := gtverify.RawTdxQuote(raw, opts()); err != nil {
			b.Fatal(err)
		}
	}
}
