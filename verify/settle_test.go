// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"math/rand/v2"
	"testing"

	"github.com/veraison/ear"
)

// TestWorstTier: settle's tier is ear-go's UpdateStatusFromTrustVector's
// for every claim value in every position, and for random vectors.
func TestWorstTier(t *testing.T) {
	check := func(v ear.TrustVector) {
		t.Helper()
		s := ear.TrustTierNone
		a := ear.Appraisal{Status: &s, TrustVector: &v}
		a.UpdateStatusFromTrustVector()
		if got := worstTier(&v); got != *a.Status {
			t.Fatalf("%+v: %v, ear-go %v", v, got, *a.Status)
		}
	}
	for c := -128; c <= 127; c++ {
		for i := range 8 {
			var v ear.TrustVector
			p := [...]*ear.TrustClaim{&v.InstanceIdentity, &v.Configuration, &v.Executables, &v.FileSystem,
				&v.Hardware, &v.RuntimeOpaque, &v.StorageOpaque, &v.SourcedData}
			*p[i] = ear.TrustClaim(c)
			check(v)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		claim := func() ear.TrustClaim { return ear.TrustClaim(int8(r.IntN(256) - 128)) }
		check(ear.TrustVector{InstanceIdentity: claim(), Configuration: claim(), Executables: claim(), FileSystem: claim(),
			Hardware: claim(), RuntimeOpaque: claim(), StorageOpaque: claim(), SourcedData: claim()})
	}
}
