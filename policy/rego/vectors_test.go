// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package rego_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/policy/rego"
	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/veraison/ear"
)

const trusteeMirror = "/work/.mirror/confidential-containers+trustee/repo"

// trusteeSource is a file of Trustee's repository, or nil without the mirror.
func trusteeSource(t *testing.T, name string) []byte {
	t.Helper()
	if _, err := os.Stat(trusteeMirror); err != nil {
		return nil
	}
	out, err := exec.Command("git", "--git-dir="+trusteeMirror, "show", "HEAD:"+name).Output()
	if err != nil {
		return nil
	}
	return out
}

// appraisalPolicies are the default CPU policy, ours and (with the mirror)
// Trustee's own, which must give the same vectors.
func appraisalPolicies(t *testing.T) map[string]*rego.Policy {
	t.Helper()
	ps := map[string]*rego.Policy{"ccverify default": rego.Default()}
	if src := trusteeSource(t, "attestation-service/src/ear_token/ear_default_policy_cpu.rego"); src != nil {
		p, err := rego.Compile("default", src)
		if err != nil {
			t.Fatal(err)
		}
		ps["Trustee default"] = p
	} else {
		t.Log("no Trustee mirror: Trustee's own default policy not run")
	}
	return ps
}

// trio is the executables, hardware and configuration claims.
type trio struct{ executables, hardware, configuration ear.TrustClaim }

func (v trio) vector() ear.TrustVector {
	return ear.TrustVector{Executables: v.executables, Hardware: v.hardware, Configuration: v.configuration}
}

// goldenRVPS are Trustee reference values approving what the evidence
// measured, stored as Trustee's RVPS would hold them for its default policy:
// lists for the ids it tests with "in", single values for "==".
func goldenRVPS(tee string, in map[string]any) refvalues.RVPS {
	c := in[tee].(map[string]any)
	switch tee {
	case "tdx":
		body := c["quote"].(map[string]any)["body"].(map[string]any)
		return refvalues.RVPS{"mr_td": []any{body["mr_td"]}, "rtmr_1": []any{body["rtmr_1"]},
			"rtmr_2": []any{body["rtmr_2"]}, "xfam": []any{body["xfam"]}}
	case "snp":
		return refvalues.RVPS{
			"snp_launch_measurement": []any{c["measurement"]},
			"snp_bootloader":         []any{c["reported_tcb_bootloader"]}, "snp_microcode": []any{c["reported_tcb_microcode"]},
			"snp_snp_svn": []any{c["reported_tcb_snp"]}, "snp_tee_svn": []any{c["reported_tcb_tee"]},
			"snp_smt_enabled": c["platform_smt_enabled"], "snp_tsme_enabled": c["platform_tsme_enabled"],
			"snp_guest_abi_major": c["policy_abi_major"], "snp_guest_abi_minor": c["policy_abi_minor"],
			"snp_single_socket": c["policy_single_socket"], "snp_smt_allowed": c["policy_smt_allowed"],
		}
	}
	return nil
}

// trusteeDefault is what Trustee's default CPU policy decides, restated in
// Go from its rules (ear_default_policy_cpu.rego at 78962cd) for TDX without
// an event log and for SNP: the oracle the Rego evaluation is held to.
func trusteeDefault(tee string, in map[string]any, rv refvalues.RVPS) trio {
	has := func(id string, v any) bool {
		l, _ := rv[id].([]any)
		return slices.Contains(l, v)
	}
	eq := func(id string, v any) bool { w, ok := rv[id]; return ok && w == v }
	out := trio{33, 97, 36}
	c := in[tee].(map[string]any)
	switch tee {
	case "tdx":
		q := c["quote"].(map[string]any)
		body, hdr := q["body"].(map[string]any), q["header"].(map[string]any)
		if has("rtmr_1", body["rtmr_1"]) && has("rtmr_2", body["rtmr_2"]) {
			out.executables = 4 // no event log: the GKE / grub branch
		}
		if hdr["tee_type"] == "81000000" && hdr["vendor_id"] == "939a7233f79c4ca9940a0db3957f0607" &&
			has("mr_td", body["mr_td"]) && c["tcb_status"] == "UpToDate" && c["collateral_expiration_status"] == "0" {
			out.hardware = 2
		}
		if c["td_attributes"].(map[string]any)["debug"] == false && has("xfam", body["xfam"]) {
			out.configuration = 2
		}
	case "snp":
		if has("snp_launch_measurement", c["measurement"]) {
			out.executables = 3
		}
		if has("snp_bootloader", c["reported_tcb_bootloader"]) && has("snp_microcode", c["reported_tcb_microcode"]) &&
			has("snp_snp_svn", c["reported_tcb_snp"]) && has("snp_tee_svn", c["reported_tcb_tee"]) {
			out.hardware = 2
		}
		safe := c["policy_debug_allowed"] == false && c["policy_migrate_ma"] == false
		switch {
		case safe && eq("snp_smt_enabled", c["platform_smt_enabled"]) && eq("snp_tsme_enabled", c["platform_tsme_enabled"]) &&
			eq("snp_guest_abi_major", c["policy_abi_major"]) && eq("snp_guest_abi_minor", c["policy_abi_minor"]) &&
			eq("snp_single_socket", c["policy_single_socket"]) && eq("snp_smt_allowed", c["policy_smt_allowed"]):
			out.configuration = 2
		case safe:
			out.configuration = 3
		}
	}
	return out
}

// plainJSON is v as a policy reads it (JSON numbers as float64).
func plainJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// trusteeToken is r's Trustee-profile EAR claims set, as a KBS decodes it.
func trusteeToken(t *testing.T, r *verify.Result) map[string]any {
	t.Helper()
	b, err := r.EARJSONWith(verify.EAROptions{Profile: verify.ProfileTrustee})
	if err != nil {
		t.Fatal(err)
	}
	var token map[string]any
	if err := json.Unmarshal(b, &token); err != nil {
		t.Fatal(err)
	}
	return token
}

// rvpsFromJSON stores values as ParseRVPS does (integers as int64).
func rvpsFromJSON(t *testing.T, rv refvalues.RVPS) refvalues.RVPS {
	t.Helper()
	b, err := json.Marshal(rv)
	if err != nil {
		t.Fatal(err)
	}
	out, err := refvalues.ParseRVPS(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDefaultPolicyOnSharedVectors runs the default CPU policy, through OPA,
// on the Trustee-profile claims of every shared TDX and SNP case that
// verifies: with no reference values, with reference values approving what
// the evidence measured, and with a changed launch digest. Each vector is
// the one Trustee's policy gives (trusteeDefault), and Trustee's own policy
// text, where the mirror has it, gives the same.
func TestDefaultPolicyOnSharedVectors(t *testing.T) {
	policies := appraisalPolicies(t)
	n := 0
	seen := map[trio]bool{} // the vectors reached, so that the test is not all defaults
	for _, prefix := range []string{"tdx-", "snp-"} {
		for _, c := range vectors.Cases(t, prefix) {
			if c.Container != "" {
				continue
			}
			t.Run(c.ID, func(t *testing.T) {
				raw := c.EvidenceBytes(t)
				base := verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t)}
				r, err := verify.Evidence(context.Background(), raw, verify.Options{Offline: base.Offline, Time: base.Time, Collateral: base.Collateral, AllowDebug: true, RefValues: verify.RefValueOptions{HardwareOnly: true}})
				if err != nil {
					t.Skipf("not verified, so no policy runs (Trustee issues no token either): %v", err)
				}
				tee := string(r.Format)
				in := plainJSON(t, r.TrusteeInput())
				golden := rvpsFromJSON(t, goldenRVPS(tee, in))
				changed := rvpsFromJSON(t, goldenRVPS(tee, in))
				for _, id := range []string{"mr_td", "snp_launch_measurement"} {
					if _, ok := changed[id]; ok {
						changed[id] = []any{"00"}
					}
				}
				for _, rc := range []struct {
					name string
					rv   refvalues.RVPS
				}{{"no reference values", nil}, {"golden", golden}, {"changed digest", changed}} {
					want := trusteeDefault(tee, in, plainJSON(t, rc.rv))
					seen[want] = true
					for name, p := range policies {
						opts := base
						opts.Appraiser = p
						opts.RefValues.RVPS = rc.rv
						r, err := verify.Evidence(context.Background(), raw, opts)
						if r.Vector != want.vector() {
							t.Errorf("%s, %s: vector %+v (%v), want Trustee's %+v", name, rc.name, r.Vector, err, want.vector())
						}
						if r.PolicyID != "default" {
							t.Errorf("%s: policy id %q", name, r.PolicyID)
						}
						if (err == nil) != (r.Status != ear.TrustTierContraindicated) || (err != nil && !errors.Is(err, verify.ErrPolicy)) {
							t.Errorf("%s, %s: status %v, error %v", name, rc.name, r.Status, err)
						}
					}
				}
				n++
			})
		}
	}
	if n == 0 {
		t.Skip("no shared case verified")
	}
	for _, v := range []trio{{33, 97, 36}, {4, 2, 2}, {3, 2, 2}, {33, 97, 3}} {
		if !seen[v] {
			t.Errorf("no case reached %+v: the vectors reached are %v", v, seen)
		}
	}
}

// TestKBSResourcePolicies evaluates the KBS's sample resource policies
// (Trustee kbs/sample_policies; restated here where the mirror is absent)
// on ccverify's Trustee-profile EAR claims, as a KBS evaluates them on the
// token it receives: affirming.rego releases a secret only when every
// submodule is affirming.
func TestKBSResourcePolicies(t *testing.T) {
	src := trusteeSource(t, "kbs/sample_policies/affirming.rego")
	if src == nil {
		src = []byte(`package policy
import rego.v1
default allow := false
allow if {
	not any_not_affirming
	count(input.submods) > 0
}
any_not_affirming if {
	some _, submod in input.submods
	submod["ear.status"] != "affirming"
}`)
	}
	q, err := opa.New(opa.Query("data.policy.allow"), opa.Module("affirming.rego", string(src))).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range vectors.Cases(t, "snp-virtee-milan-v2-crl") {
		raw := c.EvidenceBytes(t)
		r0, err := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t), RefValues: verify.RefValueOptions{HardwareOnly: true}})
		if err != nil {
			t.Fatal(err)
		}
		golden := rvpsFromJSON(t, goldenRVPS("snp", plainJSON(t, r0.TrusteeInput())))
		for _, tc := range []struct {
			name  string
			rv    refvalues.RVPS
			allow bool
		}{{"no reference values", nil, false}, {"golden", golden, true}} {
			opts := verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t), Appraiser: rego.Default()}
			opts.RefValues.RVPS = tc.rv
			r, _ := verify.Evidence(context.Background(), raw, opts)
			token := trusteeToken(t, r)
			rs, err := q.Eval(context.Background(), opa.EvalInput(token))
			if err != nil || len(rs) != 1 {
				t.Fatalf("%s: %v, %v", tc.name, rs, err)
			}
			if got := rs[0].Expressions[0].Value; got != tc.allow {
				t.Errorf("%s (%s): allow %v, want %v", tc.name, r.Status, got, tc.allow)
			}
		}
	}
}

// hardwareOnly is what policies/hardware_only.rego decides.
func hardwareOnly(tee string, in map[string]any) ear.TrustVector {
	c := in[tee].(map[string]any)
	v := ear.TrustVector{Hardware: 97, Configuration: 36}
	notDebug := false
	switch tee {
	case "tdx":
		if c["quote"].(map[string]any)["header"].(map[string]any)["tee_type"] == "81000000" &&
			c["tcb_status"] == "UpToDate" && c["collateral_expiration_status"] == "0" {
			v.Hardware = 2
		}
		notDebug = c["td_attributes"].(map[string]any)["debug"] == false
	case "snp":
		if c["reported_tcb_bootloader"].(float64) >= 3 && c["reported_tcb_tee"].(float64) >= 0 &&
			c["reported_tcb_snp"].(float64) >= 8 && c["reported_tcb_microcode"].(float64) >= 115 {
			v.Hardware = 2
		}
		notDebug = c["policy_debug_allowed"] == false && c["policy_migrate_ma"] == false
	}
	if notDebug {
		v.Configuration, v.RuntimeOpaque = 3, 2
	}
	return v
}

// TestExamplePoliciesOnSharedVectors runs Trustee's example appraisal
// policies (where the mirror has them) and ccverify's hardware_only.rego
// on every shared case that verifies, and Trustee's KBS sample resource
// policy default.rego on the EAR: Trustee's examples judge only its sample
// TEE, so on TDX and SNP they give their defaults, as in Trustee.
func TestExamplePoliciesOnSharedVectors(t *testing.T) {
	examples := map[string]*rego.Policy{}
	for id, name := range map[string]string{
		"ear_no_rv_policy": "attestation-service/tests/coco-as/policy/opa/ear_no_rv_policy_cpu.rego",
		"ear_sample":       "attestation-service/tests/policy/ear_sample.rego",
	} {
		if src := trusteeSource(t, name); src != nil {
			p, err := rego.Compile(id, src)
			if err != nil {
				t.Fatal(err)
			}
			examples[id] = p
		}
	}
	if len(examples) == 0 {
		t.Log("no Trustee mirror: only ccverify's example policy runs")
	}
	hw, err := rego.Load("policies/hardware_only.rego")
	if err != nil {
		t.Fatal(err)
	}
	kbsSrc := trusteeSource(t, "kbs/sample_policies/default.rego")
	if kbsSrc == nil {
		kbsSrc = []byte("package policy\ndefault allow = false\nplugin = data.plugin\nallow if {\n\tplugin == \"resource\"\n\tnot input[\"submods\"][\"cpu0\"][\"ear.veraison.annotated-evidence\"][\"sample\"]\n}\n")
	}
	// The KBS evaluates resource policies with the plugin asked as data.
	kbs := map[string]opa.PreparedEvalQuery{}
	for _, plugin := range []string{"resource", "other"} {
		q, err := opa.New(opa.Query("data.policy.allow"), opa.Module("default.rego", string(kbsSrc)),
			opa.Store(inmem.NewFromObject(map[string]any{"plugin": plugin}))).PrepareForEval(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		kbs[plugin] = q
	}
	n := 0
	for _, prefix := range []string{"tdx-", "snp-"} {
		for _, c := range vectors.Cases(t, prefix) {
			if c.Container != "" {
				continue
			}
			raw := c.EvidenceBytes(t)
			base := verify.Options{Offline: true, Time: c.At, Collateral: c.CollateralPaths(t)}
			opts := base
			opts.AllowDebug, opts.RefValues.HardwareOnly = true, true
			r0, err := verify.Evidence(context.Background(), raw, opts)
			if err != nil {
				continue // not verified: no policy runs
			}
			tee := string(r0.Format)
			in := plainJSON(t, r0.TrusteeInput())
			golden := rvpsFromJSON(t, goldenRVPS(tee, in))
			for id, p := range examples {
				opts := base
				opts.Appraiser, opts.RefValues.RVPS = p, golden
				r, _ := verify.Evidence(context.Background(), raw, opts)
				if want := (trio{33, 97, 36}).vector(); r.Vector != want || r.PolicyID != id {
					t.Errorf("%s, %s: vector %+v, policy %q; want Trustee's defaults %+v", c.ID, id, r.Vector, r.PolicyID, want)
				}
			}
			opts = base
			opts.Appraiser = hw
			r, _ := verify.Evidence(context.Background(), raw, opts)
			if want := hardwareOnly(tee, in); r.Vector != want {
				t.Errorf("%s, hardware_only: vector %+v, want %+v", c.ID, r.Vector, want)
			}
			token := trusteeToken(t, r)
			for plugin, want := range map[string]bool{"resource": true, "other": false} {
				rs, err := kbs[plugin].Eval(context.Background(), opa.EvalInput(token))
				if err != nil || len(rs) != 1 {
					t.Fatalf("%s: KBS default.rego: %v, %v", c.ID, rs, err)
				}
				if got := rs[0].Expressions[0].Value; got != want {
					t.Errorf("%s: KBS default.rego, plugin %s: allow %v, want %v", c.ID, plugin, got, want)
				}
			}
			n++
		}
	}
	if n == 0 {
		t.Skip("no shared case verified")
	}
}
