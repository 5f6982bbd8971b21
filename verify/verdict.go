// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"errors"
	"fmt"

	"github.com/veraison/ear"
)

// ErrUnavailable reports a verification the verifier could not complete: the
// vendor's collateral service was unreachable, refused or rate-limited us, or
// collateral the evidence needs could not be had. The evidence is neither
// accepted nor proven bad; its hardware claim is AR4SI's verifier
// malfunction (-1). The CLI exits 4.
var ErrUnavailable = errors.New("verify: the verifier could not judge the evidence")

// How findings map onto the AR4SI trust vector (CLAIMS.md has the table):
//
//   - a cryptographic check failed (signature, chain, certificate extension
//     against the evidence): hardware 99, crypto validation failed;
//   - revoked or unsupported TCB, revoked certificate: hardware 96;
//   - genuine but below the vendor's current TCB: hardware 32, unsafe;
//   - genuine, but a check could not be made offline (revocation, TCB
//     status): hardware 0, "the evidence received is insufficient to make a
//     conclusion", and the status is at most warning: see [Result.incomplete];
//   - a check the verifier could not make online (service unreachable,
//     collateral missing): hardware -1, verifier malfunction, with
//     [ErrUnavailable].

// raise sets *c to v when v is worse than *c: a higher tier (none <
// affirming < warning < contraindicated), or a higher value within the same
// tier. A claim is only ever made worse, never better.
func raise(c *ear.TrustClaim, v ear.TrustClaim) {
	tc, tv := c.GetTier(), v.GetTier()
	if tv > tc || (tv == tc && v > *c) {
		*c = v
	}
}

// incomplete records a check that could not be made (revocation not checked,
// TCB status not evaluated): the hardware claim falls from genuine to no
// claim (AR4SI 0: the evidence received is insufficient to make a
// conclusion), a worse hardware claim stays, and the status can be at most
// warning.
func (r *Result) incomplete(format string, args ...any) {
	r.partial = true
	if r.Vector.Hardware.GetTier() == ear.TrustTierAffirming {
		r.Vector.Hardware = ear.NoClaim
	}
	r.reason(format, args...)
}

// unavailable records err, a check the verifier could not make (see
// [ErrUnavailable]), as the verdict and returns the error to return.
func (r *Result) unavailable(err error) error {
	if !errors.Is(err, ErrUnavailable) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	r.Vector.Hardware = ear.VerifierMalfunctionClaim
	r.fail(err)
	return err
}

// settle computes Status from Vector: the worst tier of its claims, at most
// warning when a check could not be made, and never better than warning with
// nothing affirmed.
func (r *Result) settle() {
	r.Status = worstTier(&r.Vector)
	if r.Status < ear.TrustTierWarning && (r.partial || r.Status == ear.TrustTierNone) {
		r.Status = ear.TrustTierWarning
	}
}

// finish enforces the rule callers rely on: err is nil exactly when the
// status is affirming or warning. A contraindicated verdict without a failed
// check (a debug guest, a policy bit) gets ErrPolicy naming the first reason.
func (r *Result) finish(err error) error {
	if err == nil && r.Status == ear.TrustTierContraindicated {
		why := "contraindicated"
		if len(r.Reasons) > 0 {
			why = r.Reasons[0]
		}
		err = fmt.Errorf("%w: %s", ErrPolicy, why)
		r.Err = err
	}
	if err != nil && r.Status != ear.TrustTierContraindicated {
		r.fail(err)
	}
	return err
}

// worstTier is ear.Appraisal.UpdateStatusFromTrustVector from
// TrustTierNone: the highest tier of v's claims, without the map of them it
// builds at every call (twice a verification).
func worstTier(v *ear.TrustVector) ear.TrustTier {
	t := ear.TrustTierNone
	for _, c := range [...]ear.TrustClaim{v.InstanceIdentity, v.Configuration, v.Executables, v.FileSystem,
		v.Hardware, v.RuntimeOpaque, v.StorageOpaque, v.SourcedData} {
		t = max(t, c.GetTier())
	}
	return t
}
