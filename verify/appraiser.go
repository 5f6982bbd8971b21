// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/veraison/ear"
)

// ErrAppraiser reports an appraisal policy given as code (Options.Appraiser)
// that could not be evaluated: it failed to run or returned no trust vector.
var ErrAppraiser = errors.New("verify: appraisal policy failed")

// An Appraiser is an appraisal policy given as code, such as a Trustee Rego
// policy (package policy/rego). It runs only on evidence proven genuine, and
// reads what Trustee's attestation service hands its policies: the
// Trustee-profile input of the evidence (see [Result.TrusteeInput]) and the
// reference values, which it asks for by name.
//
// Verification failures are never the Appraiser's to overrule: evidence
// that is not genuine, or that Options reject, stays contraindicated.
type Appraiser interface {
	// PolicyID names the policy: the EAR's ear.appraisal-policy-id.
	PolicyID() string
	// Appraise evaluates the policy and returns the trust vector it sets.
	Appraise(ctx context.Context, input map[string]any, rv ReferenceValues) (*Appraisal, error)
}

// ReferenceValues answer an appraisal policy's question "which values are
// approved for id", as Trustee's query_reference_value built-in does.
type ReferenceValues interface {
	// Query returns the reference values stored under id, and false when
	// there are none.
	Query(id string) (any, bool)
}

// Appraisal is what an Appraiser decided.
type Appraisal struct {
	// Vector is the trustworthiness vector the policy set.
	Vector ear.TrustVector
	// Extensions are the EAR submodule claims the policy adds, by name
	// (Trustee's "ear.trustee.identifiers").
	Extensions map[string]any
}

// appraiseByPolicy runs Options.Appraiser on evidence proven genuine and
// bound: its trust vector replaces the one verification built, as Trustee's
// policy sets the whole vector, except that a contraindicated hardware claim
// (a revoked TCB) stays. A check verification could not make still caps the
// status at warning. Judgements that are policy in Trustee (a debug guest, a
// TCB status, reference values) are the Appraiser's.
func (v *Verifier) appraiseByPolicy(ctx context.Context, r *Result) error {
	p := v.opts.Appraiser
	a, err := p.Appraise(ctx, r.TrusteeInput(), v.policyRefValues(r))
	if err == nil && (a == nil || a.Vector == (ear.TrustVector{})) {
		err = fmt.Errorf("policy %s set no trust claim", p.PolicyID())
	}
	if err != nil {
		if !errors.Is(err, ErrAppraiser) {
			err = fmt.Errorf("%w: %w", ErrAppraiser, err)
		}
		r.Vector.Hardware = ear.VerifierMalfunctionClaim
		r.fail(err)
		return err
	}
	ours := r.Vector.Hardware
	r.Vector = a.Vector
	if ours.GetTier() == ear.TrustTierContraindicated {
		raise(&r.Vector.Hardware, ours)
	}
	r.Extensions = a.Extensions
	r.Reasons = append([]string{fmt.Sprintf("appraisal policy %s: %s", p.PolicyID(), describeVector(&r.Vector))}, r.Reasons...)
	r.settle()
	return nil
}

// describeVector names the claims of v that are set, as AR4SI states them,
// in the order of their names.
func describeVector(v *ear.TrustVector) string {
	claims := v.AsMap()
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		if c := claims[name]; c != ear.NoClaim {
			parts = append(parts, fmt.Sprintf("%s %d", name, int8(c)))
		}
	}
	if len(parts) == 0 {
		return "no claim"
	}
	return strings.Join(parts, ", ")
}

// policyRefValues answers an Appraiser's reference-value queries from
// Options.RefValues, in the encodings of the evidence's Trustee claims (an
// Azure SNP vTPM's are text).
func (v *Verifier) policyRefValues(r *Result) ReferenceValues {
	o := &v.opts.RefValues
	if len(o.Set) == 0 && len(o.RVPS) == 0 {
		return nil
	}
	product, _ := r.Claims["product"].(string)
	return o.Set.For(string(r.Format)).WithProduct(product).With(o.RVPS)
}
