// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestCacheFetchOnce: the first evaluation fetches, later ones (also
// concurrent) use the cache without a request; after nextUpdate the cache
// refetches.
func TestCacheFetchOnce(t *testing.T) {
	f := newFakePCS(t)
	c := findCase(t, "tdx-phala-v4-b0c06f-uptodate")
	q, chain := caseQuote(t, c)
	cache := &Cache{Client: pcsClient(f)}
	opts := EvaluateOptions{Options: Options{Time: c.At}}
	res, err := cache.Evaluate(context.Background(), q, chain, opts)
	if err != nil || res.Status != UpToDate {
		t.Fatalf("%v %v", res, err)
	}
	if n := f.Requests.Load(); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				res, err := cache.Evaluate(context.Background(), q, chain, opts)
				if err != nil || res.Status != UpToDate {
					t.Errorf("%v %v", res, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := f.Requests.Load(); n != 4 {
		t.Fatalf("%d requests after cached evaluations, want 4", n)
	}
	// After the collateral's nextUpdate the pieces are dropped and fetched
	// again (the fake server serves the same, so the evaluation fails as expired).
	late := EvaluateOptions{Options: Options{Time: time.Date(2025, 7, 20, 0, 0, 0, 0, time.UTC)}}
	if _, err := cache.Evaluate(context.Background(), q, chain, late); err == nil {
		t.Fatal("evaluation after nextUpdate succeeded")
	}
	if n := f.Requests.Load(); n <= 4 {
		t.Fatalf("no refetch after nextUpdate (%d requests)", n)
	}
}

// TestCacheOffline: a cache without a client evaluates what was added, and
// reuses one Collateral (so its remembered checks) per FMSPC and CA.
func TestCacheOffline(t *testing.T) {
	c := findCase(t, "tdx-gotdxguest-v5-td15-90c06f-uptodate")
	q, chain := caseQuote(t, c)
	col, _ := caseCollateral(t, c)
	var cache Cache
	cache.Add(col)
	cache.Add(col) // twice: no duplicates
	a := cache.Collateral(chain.Extensions.FMSPC, chain.CA, c.At)
	if b := cache.Collateral(chain.Extensions.FMSPC, chain.CA, c.At); a != b || len(a.TCBInfos) != 1 || len(a.CRLs) != 2 {
		t.Fatalf("collateral not reused or duplicated: %d TCB Infos, %d CRLs", len(a.TCBInfos), len(a.CRLs))
	}
	res, err := cache.Evaluate(context.Background(), q, chain, EvaluateOptions{Options: Options{Time: c.At}})
	if err != nil || res.Status != UpToDate || res.Current == nil {
		t.Fatalf("%v %v", res, err)
	}

	// Offline, nothing can replace an expired piece: it is kept, so that the
	// error names the expiry rather than a missing piece, and the caller may
	// accept it.
	later := c.At.AddDate(0, 2, 0)
	_, err = cache.Evaluate(context.Background(), q, chain, EvaluateOptions{Options: Options{Time: later}})
	if !errors.Is(err, ErrCollateralExpired) {
		t.Errorf("offline, expired: %v, want ErrCollateralExpired", err)
	}
	res, err = cache.Evaluate(context.Background(), q, chain, EvaluateOptions{Options: Options{Time: later}, AllowExpiredCollateral: true})
	if err != nil || !res.CollateralExpired {
		t.Errorf("offline, expired accepted: %v, %v", res, err)
	}
}
