// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"errors"

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
