// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package rego

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"reflect"
	"strings"
	"testing"
)

// trusteeGitDir is a read-only mirror of Trustee's repository, where there
// is one; the tests that read it skip without it.
const trusteeGitDir = "/work/.mirror/confidential-containers+trustee/repo"

// trusteeFile returns a file of Trustee's tree, or skips the test.
func trusteeFile(t *testing.T, name string) []byte {
	t.Helper()
	if _, err := os.Stat(trusteeGitDir); err != nil {
		t.Skipf("no Trustee mirror: %v", err)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	out, err := exec.Command(git, "--git-dir="+trusteeGitDir, "show", "HEAD:"+name).Output()
	if err != nil {
		t.Skipf("git show %s: %v", name, err)
	}
	return out
}

// trusteeFiles lists Trustee's files under dir ending in suffix.
func trusteeFiles(t *testing.T, dir, suffix string) []string {
	t.Helper()
	trusteeFile(t, "README.md")
	out, err := exec.Command("git", "--git-dir="+trusteeGitDir, "ls-tree", "-r", "--name-only", "HEAD", dir).Output()
	if err != nil {
		t.Skipf("git ls-tree: %v", err)
	}
	var names []string
	for _, n := range strings.Fields(string(out)) {
		if strings.HasSuffix(n, suffix) {
			names = append(names, n)
		}
	}
	return names
}

// TestDifferentialTrusteeDefault evaluates Trustee's own default CPU policy
// and ours on every test input: the same vectors and extensions.
func TestDifferentialTrusteeDefault(t *testing.T) {
	const name = "attestation-service/src/ear_token/ear_default_policy_cpu.rego"
	theirs, err := Compile("trustee-default", trusteeFile(t, name))
	if err != nil {
		t.Fatalf("Trustee's default policy: %v", err)
	}
	cases := defaultCases()
	// Inputs beyond the default cases: every TEE with every set of
	// reference values.
	inputs := []map[string]any{tdxInput(nil), snpInput(nil), azSNPInput(), azTDXInput(), sampleInput(),
		tdxInput(func(t map[string]any) { t["uefi_event_logs"] = []any{} }),
		snpInput(func(s map[string]any) { s["platform_smt_enabled"] = false })}
	rvs := []rv{nil, tdxRV(), snpRV(), azSNPRV(), sampleRV()}
	for i, in := range inputs {
		for j, r := range rvs {
			cases = append(cases, appraisalCase{name: "cross " + string(rune('a'+i)) + string(rune('0'+j)), input: in, rv: r})
		}
	}
	for _, c := range cases {
		a, err := theirs.Appraise(context.Background(), c.input, c.rv)
		if err != nil {
			t.Fatalf("%s: Trustee's policy: %v", c.name, err)
		}
		b := appraise(t, Default(), c)
		if a.Vector != b.Vector {
			t.Errorf("%s: Trustee's %+v, ours %+v", c.name, a.Vector, b.Vector)
		}
		if !reflect.DeepEqual(a.Extensions, b.Extensions) {
			t.Errorf("%s: extensions: Trustee's %#v, ours %#v", c.name, a.Extensions, b.Extensions)
		}
	}
}

// TestTrusteePolicies compiles and runs Trustee's other appraisal policies.
func TestTrusteePolicies(t *testing.T) {
	noRV, err := Compile(IDFromPath("ear_no_rv_policy_cpu.rego"),
		trusteeFile(t, "attestation-service/tests/coco-as/policy/opa/ear_no_rv_policy_cpu.rego"))
	if err != nil {
		t.Fatal(err)
	}
	if noRV.PolicyID() != "ear_no_rv_policy" {
		t.Errorf("id %q", noRV.PolicyID())
	}
	sample, err := Compile("ear_sample", trusteeFile(t, "attestation-service/tests/policy/ear_sample.rego"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    *Policy
		appraisalCase
	}{
		{"no rv/sample", noRV, appraisalCase{input: sampleInput(), want: vec{3, 2, 2}}},
		// As Trustee's broker tests run it: claims without the sample's fields.
		{"no rv/broker test", noRV, appraisalCase{input: map[string]any{"sample": map[string]any{"claim": "claim1"}}, want: vec{33, 97, 36}}},
		{"no rv/tdx", noRV, appraisalCase{input: tdxInput(nil), rv: tdxRV(), want: vec{33, 97, 36}}},
		// ear_sample reads data.reference, which Trustee no longer fills.
		{"ear_sample/sample", sample, appraisalCase{input: sampleInput(), rv: sampleRV(), want: vec{33, 97, 36}}},
	} {
		a := appraise(t, c.p, c.appraisalCase)
		if a.Vector != c.want.trust() {
			t.Errorf("%s: vector %+v, want %+v", c.name, a.Vector, c.want.trust())
		}
	}
	// The device-class defaults compile too.
	for _, name := range trusteeFiles(t, "attestation-service/src/ear_token", ".rego") {
		if _, err := Compile(path.Base(name), trusteeFile(t, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Trustee's other policies (KBS resource policies, policy-engine tests,
	// the legacy examples) define no trust_claims: not appraisal policies.
	var others []string
	for _, dir := range []string{"kbs/sample_policies", "deps/policy-engine/test_data", "attestation-service/tests/coco-as/policy"} {
		others = append(others, trusteeFiles(t, dir, ".rego")...)
	}
	if len(others) == 0 {
		t.Fatal("no other policies found")
	}
	for _, name := range others {
		if strings.HasSuffix(name, "ear_no_rv_policy_cpu.rego") {
			continue
		}
		if _, err := Compile(path.Base(name), trusteeFile(t, name)); !errors.Is(err, ErrCompile) || !strings.Contains(err.Error(), "no rule trust_claims") {
			t.Errorf("%s: %v, want no rule trust_claims", name, err)
		}
	}
}
