// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/internal/p256"
	"github.com/ccverify/ccverify/testvectors"
)

// TestProofCacheRecurring: a quote of a platform seen before is proved from
// the cache (one entry for the platform's QE proof), and everything the
// cache does not cover still fails with its own sentinel while it is warm:
// another quote signature, a different QE report signature, a time outside
// the chain's validity, an untrusted root.
func TestProofCacheRecurring(t *testing.T) {
	proofs.reset()
	p := newTestPKI(t, pkiConfig{})
	raw := buildQuote(t, 4, p.chain(), p.pckKey)
	q := mustParse(t, raw)
	if _, err := VerifyQuote(q, p.opts(tAt)); err != nil {
		t.Fatal(err)
	}
	k := proofKey(p.pck.RawSubjectPublicKeyInfo, q.QEReport().Raw(), q.QEReportSignature(), q.AttestationKey(), q.QEAuthData())
	if _, ok := proofs.get(k, tAt); !ok {
		t.Fatal("proof not cached after a verified quote")
	}
	if _, err := VerifyQuote(mustParse(t, raw), p.opts(tAt)); err != nil {
		t.Fatalf("recurring quote: %v", err)
	}
	if n, _ := proofs.stats(); n != 1 {
		t.Fatalf("%d proofs cached for one platform, want 1", n)
	}

	flip := func(off int) []byte {
		b := append([]byte(nil), raw...)
		b[off] ^= 0x01
		return b
	}
	sig := offsetIn(raw, q.Signature())
	repSig := offsetIn(raw, q.QEReportSignature())
	for _, tc := range []struct {
		name string
		raw  []byte
		opts Options
		want error
	}{
		{"quote signature", flip(sig + 5), p.opts(tAt), ErrQuoteSignature},
		{"signed body", flip(0x40), p.opts(tAt), ErrQuoteSignature},
		{"QE report signature", flip(repSig + 5), p.opts(tAt), ErrQEReportSignature},
		{"after PCK notAfter", raw, p.opts(tNotAfter.Add(time.Second)), ErrExpired},
		{"before PCK notBefore", raw, p.opts(tNotBefore.Add(-time.Second)), ErrExpired},
		{"untrusted root", raw, Options{Roots: []*x509.Certificate{}, Time: tAt}, ErrChain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyQuote(mustParse(t, tc.raw), tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if n, _ := proofs.stats(); n != 1 {
		t.Fatalf("%d proofs cached after failures, want 1 (failures are never cached)", n)
	}
}

// TestProofCacheBounds: entries stay within the entry bound and the byte
// bound, the oldest go first, and an entry past its notAfter is dropped at
// lookup.
func TestProofCacheBounds(t *testing.T) {
	for _, tc := range []struct {
		name              string
		entries, bytes    int
		wantMax           int
		inserts           int
		wantOldestEvicted bool
	}{
		{"entries bound", 10, 1 << 20, 10, 25, true},
		{"bytes bound", 1000, 5 * proofEntryBytes, 5, 12, true},
		{"under both", 100, 1 << 20, 100, 40, false},
		{"one", 1, 1, 1, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newProofCache(tc.entries, tc.bytes)
			key := func(i int) [32]byte { return [32]byte{byte(i), byte(i >> 8), 1} }
			for i := range tc.inserts {
				c.put(key(i), proof{notAfter: tNotAfter})
				if n, b := c.stats(); n > tc.wantMax || b > max(tc.bytes, proofEntryBytes) {
					t.Fatalf("after %d inserts: %d entries, %d bytes (bounds %d, %d)", i+1, n, b, tc.wantMax, tc.bytes)
				}
			}
			if _, ok := c.get(key(tc.inserts-1), tAt); !ok {
				t.Fatal("newest entry evicted")
			}
			if _, ok := c.get(key(0), tAt); ok == tc.wantOldestEvicted {
				t.Fatalf("oldest entry present = %v", ok)
			}
		})
	}
	t.Run("expiry", func(t *testing.T) {
		c := newProofCache(10, 1<<20)
		c.put([32]byte{1}, proof{notAfter: tAt})
		if _, ok := c.get([32]byte{1}, tAt); !ok {
			t.Fatal("entry at its notAfter dropped")
		}
		if _, ok := c.get([32]byte{1}, tAt.Add(time.Nanosecond)); ok {
			t.Fatal("entry past its notAfter returned")
		}
		if n, _ := c.stats(); n != 0 {
			t.Fatalf("%d entries after expiry, want 0", n)
		}
		for i := range 30 { // the stale ring slot is reclaimed, the bound holds
			c.put([32]byte{byte(i), 2}, proof{notAfter: tNotAfter})
		}
		if n, _ := c.stats(); n > 10 {
			t.Fatalf("%d entries, bound 10", n)
		}
	})
}

// TestProofCacheConcurrent: many goroutines verify quotes of a few platforms
// (each its own attestation key) while the cache is small enough to evict;
// every result is right (run with -race).
func TestProofCacheConcurrent(t *testing.T) {
	p := newTestPKI(t, pkiConfig{})
	var quotes [][]byte
	for i := range 6 {
		quotes = append(quotes, testvectors.BuildQuote(testvectors.NewSeed(fmt.Sprint(t.Name(), i)), testvectors.QuoteSpec{
			Version: 4, Label: fmt.Sprint(i), XFAM: 0x61ae7, QEISVProdID: 2, QEISVSVN: 8,
			PCKChain: p.chain(), PCKKey: p.pckKey, AKKey: genKey(t), BreakQuoteSignature: i == 5,
		}))
	}
	saved := proofs
	proofs = newProofCache(3, 1<<20)
	defer func() { proofs = saved }()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				n := (g + i) % len(quotes)
				_, err := VerifyQuote(mustParse(t, quotes[n]), p.opts(tAt))
				if n == 5 && !errors.Is(err, ErrQuoteSignature) || n != 5 && err != nil {
					errs <- fmt.Errorf("quote %d: %v", n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, _ := proofs.stats(); n > 3 {
		t.Fatalf("%d proofs, bound 3", n)
	}
}

// TestMemoryBounded100k verifies 100,000 distinct generated quotes of one
// platform and checks after every thousand that every cache stays within its
// bounds: parsed chains, verified links, QE proofs, and package p256's key
// tables. Counts, not time. Even quotes each have a QE report of their own
// (50,000 QE proofs, 6× the bound), their attestation key changing every 4;
// odd ones share key and QE report 20 at a time, past
// p256.UsesBeforeTable, so that 2,500 keys get a table (39× the bound).
func TestMemoryBounded100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 quotes: skipped with -short")
	}
	p := newTestPKI(t, pkiConfig{})
	chain := p.chain()
	seed := testvectors.NewSeed(t.Name())
	churn, recur := genKey(t), genKey(t)
	for i := range 100_000 {
		switch {
		case i%2 == 0 && i/2%4 == 0:
			churn = genKey(t)
		case i%2 == 1 && i/2%20 == 0:
			recur = genKey(t)
		}
		ak, qe := churn, "" // the QE report's fields from Label: a proof of its own
		if i%2 == 1 {
			ak, qe = recur, fmt.Sprint("recur/", i/40) // one QE report for the key's 20 quotes
		}
		raw := testvectors.BuildQuote(seed, testvectors.QuoteSpec{
			Version: 4, Label: fmt.Sprint(i), QELabel: qe, XFAM: 0x61ae7, QEISVProdID: 2, QEISVSVN: 8,
			PCKChain: chain, PCKKey: p.pckKey, AKKey: ak,
		})
		if _, err := VerifyQuote(mustParse(t, raw), p.opts(tAt)); err != nil {
			t.Fatalf("quote %d: %v", i, err)
		}
		if i%1000 == 999 || i == 99_999 {
			checkCacheBounds(t, i+1)
		}
	}
	if n, _ := p256.Tables(); n != p256.MaxTables { // the ring filled and turned
		t.Fatalf("%d key tables after 2,500 recurring keys, want the bound %d", n, p256.MaxTables)
	}
}

// checkCacheBounds fails t if any of the package's caches is past a bound.
func checkCacheBounds(t *testing.T, after int) {
	t.Helper()
	if n, b := proofs.stats(); n > maxProofs || b > maxProofBytes {
		t.Fatalf("after %d quotes: %d QE proofs, %d bytes (bounds %d, %d)", after, n, b, maxProofs, maxProofBytes)
	}
	if n, b := p256.Tables(); n > p256.MaxTables || b > p256.MaxTables*p256.TableBytes {
		t.Fatalf("after %d quotes: %d key tables, %d bytes (bounds %d, %d)", after, n, b, p256.MaxTables, p256.MaxTables*p256.TableBytes)
	}
	for _, c := range []struct {
		name    string
		n, max_ int
	}{
		{"parsed chains", cacheLen(chainCache), maxChains},
		{"verified links", cacheLen(linkCache), maxLinks},
	} {
		if c.n > c.max_ {
			t.Fatalf("after %d quotes: %d %s (bound %d)", after, c.n, c.name, c.max_)
		}
	}
}

// cacheLen returns the number of entries of a boundedCache.
func cacheLen[K comparable, V any](c *boundedCache[K, V]) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
