// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"sync"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// TestConcurrentCache proves one Cache (and the default one) serves concurrent
// verifications, good and bad, without races (run with -race) or cross-talk.
func TestConcurrentCache(t *testing.T) {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize]
	bad := append([]byte(nil), raw...)
	bad[0x90] ^= 1
	cache := amd.NewCache(3) // tiny: forces resets while others read
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 4; j++ {
				c := cache
				if i%2 == 0 {
					c = nil
				}
				b := raw
				if j%2 == 1 {
					b = bad
				}
				r, _ := snp.Parse(b)
				_, err := amd.VerifyReport(r, amd.Collateral{VCEK: gsgtestdata.VcekBytes, Certs: [][]byte{amd.ASK(snp.Milan).Raw}}, &amd.Options{Now: benchAt, Cache: c})
				if (err == nil) != (j%2 == 0) {
					t.Errorf("goroutine %d iteration %d: %v", i, j, err)
				}
			}
		}(i)
	}
	wg.Wait()
}
