// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"fmt"
	"strings"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/veraison/ear"
)

// RefValueOptions say what the evidence's software is judged against.
type RefValueOptions struct {
	// Set holds the reference values: CoRIMs (refvalues.Load, signatures
	// already checked) and expected values (refvalues.Expect). Each TEE's
	// claims are matched against the references that apply to it.
	Set refvalues.Set
	// HardwareOnly accepts a verdict with no reference values for the
	// evidence's TEE as affirming: genuine hardware alone. By default such
	// a verdict is at most warning ("software not appraised"), since
	// nothing says what the TD or guest runs.
	HardwareOnly bool
	// RVPS are reference values by Trustee reference-value id, as
	// Trustee's reference value provider stores them
	// (refvalues.ParseRVPS): an Options.Appraiser's query_reference_value
	// asks them first, then Set. Match never reads them.
	RVPS refvalues.RVPS
}

// appraiseSoftware matches the claims of genuine evidence against the
// reference values and sets the executables claim (and worsens others for
// configuration, hardware and instance mismatches):
//
//   - every component approved, executables among the checks: executables
//     2 (approved);
//   - a component unrecognized: executables 33 (unrecognized) for
//     executables mismatches, configuration 32, hardware 32, instance 97
//     for the others, each mismatch a reason with expected and actual;
//   - no reference values for the TEE: no executables claim and, unless
//     HardwareOnly, the status at most warning.
func (v *Verifier) appraiseSoftware(r *Result) {
	o := &v.opts.RefValues
	var res *refvalues.Result
	if len(o.Set) > 0 {
		res = o.Set.Match(refValueTEE(r.Format), r.Claims)
		r.RefValues = res
	}
	if res == nil || res.Status == refvalues.NoReferenceValues {
		if o.HardwareOnly {
			r.reason("software not appraised: no reference values for %s (hardware-only appraisal accepted by option)", r.Format)
			return
		}
		r.partial = true
		r.reason("software not appraised: no reference values for %s (pass a CoRIM or expected values; --hardware-only accepts genuine hardware alone)", r.Format)
		return
	}
	if res.Approved() {
		var by []string
		for _, c := range res.Components {
			if c.Matched != nil {
				by = append(by, fmt.Sprintf("%s by %s %s", c.Name, c.Matched.Source, c.Matched.Where))
			}
		}
		if res.ExecutablesApproved() {
			raise(&r.Vector.Executables, ear.ApprovedRuntimeClaim)
			r.reason("executables approved: %s", strings.Join(by, "; "))
		} else {
			r.partial = !o.HardwareOnly
			r.reason("reference values hold (%s) but name no executables: software not appraised", strings.Join(by, "; "))
		}
		return
	}
	for _, c := range res.FailedClasses() {
		switch c {
		case refvalues.Executables:
			raise(&r.Vector.Executables, ear.UnrecognizedRuntimeClaim)
		case refvalues.Configuration:
			raise(&r.Vector.Configuration, ear.UnsafeConfigClaim)
		case refvalues.Hardware:
			raise(&r.Vector.Hardware, ear.UnsafeHardwareClaim)
		case refvalues.Instance:
			raise(&r.Vector.InstanceIdentity, ear.UnrecognizedInstanceClaim)
		}
	}
	if r.Vector.Executables == ear.NoClaim {
		// Only other classes failed: the executables are not approved either.
		raise(&r.Vector.Executables, ear.UnrecognizedRuntimeClaim)
	}
	r.Reasons = append([]string{fmt.Sprintf("executables not approved: no reference for %s matches", unapproved(res))}, r.Reasons...)
	for _, f := range res.Mismatches() {
		why := ""
		if f.Reason != "" {
			why = ": " + f.Reason
		}
		r.reason("reference values: %s (%s, %s) expected %s, got %s%s", f.Claim, f.Key, f.Class, f.Expected, f.Got, why)
	}
}

// unapproved names the components no reference approved.
func unapproved(res *refvalues.Result) string {
	var names []string
	for _, c := range res.Components {
		if c.Status != refvalues.Approved {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}
