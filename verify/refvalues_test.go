// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

// goldenCoRIM is an unsigned CoRIM approving what raw measured.
func goldenCoRIM(t *testing.T, raw []byte, opts verify.Options) *refvalues.Document {
	t.Helper()
	opts.RefValues = verify.RefValueOptions{HardwareOnly: true}
	g, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := refvalues.TemplateFromClaims(string(g.Format), g.Claims)
	if err != nil {
		t.Fatal(err)
	}
	b, err := refvalues.Build(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := refvalues.Load(b, refvalues.LoadOptions{Name: "golden.corim", AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestReferenceValues: genuine, current hardware is affirming only when the
// software is appraised; a CoRIM for other software leaves the executables
// unrecognized and names the claim with both values.
func TestReferenceValues(t *testing.T) {
	for _, id := range []string{"tdx-v5-td15-uptodate", "snp-turin-v5-vcek", "snp-milan-v3-vlek"} {
		t.Run(id, func(t *testing.T) {
			raw, opts := generated(t, id)
			doc := goldenCoRIM(t, raw, opts)

			r, err := verify.Evidence(context.Background(), raw, opts)
			if err != nil || r.Status != ear.TrustTierWarning || r.Vector.Executables != ear.NoClaim ||
				!strings.Contains(strings.Join(r.Reasons, "\n"), "software not appraised") {
				t.Errorf("no reference values: %v, %v, executables %v, %q", r.Status, err, r.Vector.Executables, r.Reasons)
			}
			opts.RefValues.HardwareOnly = true
			if r, err := verify.Evidence(context.Background(), raw, opts); err != nil || r.Status != ear.TrustTierAffirming {
				t.Errorf("hardware only: %v, %v", r.Status, err)
			}
			opts.RefValues = verify.RefValueOptions{Set: refvalues.Set{doc}}
			r, err = verify.Evidence(context.Background(), raw, opts)
			if err != nil || r.Status != ear.TrustTierAffirming || r.Vector.Executables != ear.ApprovedRuntimeClaim || r.RefValues == nil {
				t.Fatalf("golden CoRIM: %v, %v, executables %v, %q", r.Status, err, r.Vector.Executables, r.Reasons)
			}
			if !strings.Contains(strings.Join(r.Reasons, "\n"), "executables approved") {
				t.Errorf("reasons %q", r.Reasons)
			}

			claim, got := "mr_td", ""
			if id[:3] == "snp" {
				claim = "measurement"
				got = r.Claims["measurement"].(string)
			} else {
				got = r.Claims["quote"].(map[string]any)["body"].(map[string]any)["mr_td"].(string)
			}
			want := strings.Repeat("ab", len(got)/2)
			other, err := refvalues.Expect(map[string][]string{claim: {want}})
			if err != nil {
				t.Fatal(err)
			}
			opts.RefValues = verify.RefValueOptions{Set: refvalues.Set{other}}
			r, err = verify.Evidence(context.Background(), raw, opts)
			if err != nil || r.Status != ear.TrustTierWarning || r.Vector.Executables != ear.UnrecognizedRuntimeClaim {
				t.Fatalf("other software: %v, %v, executables %v", r.Status, err, r.Vector.Executables)
			}
			all := strings.Join(r.Reasons, "\n")
			if !strings.HasPrefix(r.Reasons[0], "executables not approved") || !strings.Contains(all, "expected "+want) || !strings.Contains(all, "got "+got) {
				t.Errorf("reasons do not name the mismatch with both values: %q", r.Reasons)
			}
		})
	}
}

// TestReferenceValuesConfiguration: a reference that the launch
// configuration breaks (debug expected off) worsens configuration, not only
// executables.
func TestReferenceValuesConfiguration(t *testing.T) {
	raw, opts := generated(t, "snp-milan-v3-vcek")
	doc, err := refvalues.Expect(map[string][]string{"policy_debug_allowed": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	opts.RefValues.Set = refvalues.Set{doc}
	r, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil || r.Vector.Configuration != ear.UnsafeConfigClaim || r.Status == ear.TrustTierAffirming {
		t.Errorf("%v, %v, configuration %v; reasons %q", r.Status, err, r.Vector.Configuration, r.Reasons)
	}
}
