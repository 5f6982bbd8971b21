// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

// fakeAppraiser is a policy as code that records what it was given.
type fakeAppraiser struct {
	vector ear.TrustVector
	ext    map[string]any
	err    error
	calls  int
	input  map[string]any
	rv     verify.ReferenceValues
}

func (f *fakeAppraiser) PolicyID() string { return "fake" }

func (f *fakeAppraiser) Appraise(_ context.Context, in map[string]any, rv verify.ReferenceValues) (*verify.Appraisal, error) {
	f.calls++
	f.input, f.rv = in, rv
	if f.err != nil {
		return nil, f.err
	}
	return &verify.Appraisal{Vector: f.vector, Extensions: f.ext}, nil
}

var approving = ear.TrustVector{Executables: ear.ApprovedRuntimeClaim, Hardware: ear.GenuineHardwareClaim, Configuration: ear.ApprovedConfigClaim}

// TestAppraiserSetsVector: on genuine evidence the Appraiser's vector is the
// verdict, its policy ID and extensions reach the EAR, and it is handed the
// Trustee-profile input.
func TestAppraiserSetsVector(t *testing.T) {
	raw, opts := signedTD(t, 0, 0)
	f := &fakeAppraiser{vector: approving, ext: map[string]any{"ear.trustee.identifiers": map[string]any{"validated": map[string]any{}}}}
	opts.Appraiser = f
	r, err := verify.Evidence(context.Background(), raw, opts)
	if f.calls != 1 {
		t.Fatalf("Appraiser called %d times", f.calls)
	}
	if _, ok := f.input["tdx"].(map[string]any)["quote"]; !ok {
		t.Errorf("input %v is not the Trustee profile", f.input)
	}
	if f.rv != nil {
		t.Errorf("reference values %v without any given", f.rv)
	}
	if r.Vector != approving || r.PolicyID != "fake" {
		t.Errorf("vector %+v, policy %q", r.Vector, r.PolicyID)
	}
	// The generated collateral is absent (offline, none given): TCB status
	// unchecked, so at most warning whatever the policy says.
	if err != nil || r.Status != ear.TrustTierWarning {
		t.Errorf("status %v, %v: want warning (a check could not be made)", r.Status, err)
	}
	if !strings.Contains(r.Reasons[0], "appraisal policy fake") {
		t.Errorf("first reason %q", r.Reasons[0])
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, err := r.EARJSONWith(verify.EAROptions{Profile: verify.ProfileTrustee})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	sub := m["submods"].(map[string]any)["cpu0"].(map[string]any)
	if sub["ear.trustee.identifiers"] == nil || sub["ear.appraisal-policy-id"] != "fake" {
		t.Errorf("cpu0 %v: want the extension and the policy id", sub)
	}
	if _, err := r.SignWith(key, verify.EAROptions{Profile: verify.ProfileTrustee}, 0); err != nil {
		t.Error(err)
	}
}

// TestAppraiserFailures: a policy that fails or sets no claim is
// ErrAppraiser, never a verdict; evidence that is not genuine, or not bound
// to the request, never reaches the policy; a policy's contraindication is
// ErrPolicy naming it.
func TestAppraiserFailures(t *testing.T) {
	raw, opts := signedTD(t, 0, 0)
	for _, f := range []*fakeAppraiser{
		{err: errors.New("boom")},
		{vector: ear.TrustVector{}}, // no claim at all
	} {
		opts.Appraiser = f
		r, err := verify.Evidence(context.Background(), raw, opts)
		if !errors.Is(err, verify.ErrAppraiser) || r.Status != ear.TrustTierContraindicated || r.Vector.Hardware != ear.VerifierMalfunctionClaim {
			t.Errorf("%+v: %v, %v, hardware %v; want ErrAppraiser, contraindicated, verifier malfunction", f, err, r.Status, r.Vector.Hardware)
		}
	}
	// A broken quote: the policy is never asked.
	bad := append([]byte(nil), raw...)
	bad[0x30] ^= 1
	f := &fakeAppraiser{vector: approving}
	opts.Appraiser = f
	r, err := verify.Evidence(context.Background(), bad, opts)
	if f.calls != 0 || err == nil || r.Status != ear.TrustTierContraindicated {
		t.Errorf("broken quote: %d calls, %v, %v", f.calls, err, r.Status)
	}
	// A binding that fails: the policy is never asked either.
	opts.Binding = verify.Binding{Nonce: []byte("not the report data of this quote")}
	r, err = verify.Evidence(context.Background(), raw, opts)
	if f.calls != 0 || !errors.Is(err, verify.ErrFreshness) {
		t.Errorf("unbound quote: %d calls, %v", f.calls, err)
	}
	// A policy that contraindicates is ErrPolicy naming it.
	opts.Binding = verify.Binding{}
	opts.Appraiser = &fakeAppraiser{vector: ear.TrustVector{Hardware: ear.UnrecognizedHardwareClaim}}
	r, err = verify.Evidence(context.Background(), raw, opts)
	if !errors.Is(err, verify.ErrPolicy) || !strings.Contains(err.Error(), "appraisal policy fake") || r.Status != ear.TrustTierContraindicated {
		t.Errorf("policy hardware 97: %v, %v", err, r.Status)
	}
}
