// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// demo is the README demo's data: a real TDX quote with its PCS collateral
// and a signed CoRIM approving it.
func demo(name string) string { return filepath.Join("..", "..", "examples", "appraise", "data", name) }

// tdxArgs verifies the demo quote offline at a time its collateral is current.
func tdxArgs(extra ...string) []string {
	return append([]string{"verify", "--offline", "--collateral", demo("tdx-collateral.json"), "--at", "2025-07-01T00:00:00Z"}, append(extra, demo("tdx-quote.bin"))...)
}

// trusteeSubmod runs the CLI with --output json --ear-profile trustee and
// returns the claims set and its cpu0 submodule.
func trusteeSubmod(t *testing.T, args ...string) (code int, claims, cpu0 map[string]any) {
	t.Helper()
	code, out, errOut := runCLI(append(tdxArgs(args...), "--output", "json", "--ear-profile", "trustee")...)
	if err := json.Unmarshal([]byte(out), &claims); err != nil {
		t.Fatalf("output %q (stderr %s): %v", out, errOut, err)
	}
	cpu0, _ = claims["submods"].(map[string]any)["cpu0"].(map[string]any)
	if cpu0 == nil {
		t.Fatalf("no cpu0 submodule in %s", out)
	}
	return code, claims, cpu0
}

func vector(sub map[string]any) map[string]float64 {
	out := map[string]float64{}
	for k, v := range sub["ear.trustworthiness-vector"].(map[string]any) {
		out[k] = v.(float64)
	}
	return out
}

// TestRegoPolicy runs ccverify's copy of Trustee's default CPU policy on the
// demo quote: without reference values it gives Trustee's defaults; with the
// signed CoRIM answering query_reference_value, the vector Trustee's policy
// gives a recognized TD booted without an event log (executables 4, hardware
// 2, configuration 2), and the EAR names the policy.
func TestRegoPolicy(t *testing.T) {
	code, claims, cpu0 := trusteeSubmod(t, "--policy", "builtin:default")
	if code != exitContraindicated {
		t.Errorf("no reference values: exit %d, want %d", code, exitContraindicated)
	}
	if v := vector(cpu0); v["executables"] != 33 || v["hardware"] != 97 || v["configuration"] != 36 {
		t.Errorf("no reference values: vector %v, want Trustee's defaults 33/97/36", v)
	}
	if claims["eat_profile"] != "tag:github.com,2024:confidential-containers/Trustee" || cpu0["ear.appraisal-policy-id"] != "default" {
		t.Errorf("eat_profile %v, policy id %v", claims["eat_profile"], cpu0["ear.appraisal-policy-id"])
	}
	code, _, cpu0 = trusteeSubmod(t, "--policy", "builtin:default", "--refvalues", demo("td.corim"), "--refvalues-key", demo("vendor.pub"))
	if v := vector(cpu0); code != exitAffirming || v["executables"] != 4 || v["hardware"] != 2 || v["configuration"] != 2 {
		t.Errorf("with the CoRIM: exit %d, vector %v; want affirming 4/2/2", code, v)
	}
	// A CoRIM for another TD approves nothing.
	code, _, cpu0 = trusteeSubmod(t, "--policy", "builtin:default", "--refvalues", demo("td-changed.corim"), "--refvalues-key", demo("vendor.pub"))
	if v := vector(cpu0); code == exitAffirming || v["hardware"] != 97 {
		t.Errorf("CoRIM of another MRTD: exit %d, vector %v; want hardware 97 (mr_td not approved)", code, v)
	}
	// RVPS values by Trustee id.
	dir := t.TempDir()
	rv := write(t, dir, "rvps.json", []byte(`{"mr_td":["91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7"],"xfam":["e702060000000000"]}`))
	_, _, cpu0 = trusteeSubmod(t, "--policy", "builtin:default", "--rvps", rv)
	if v := vector(cpu0); v["hardware"] != 2 || v["executables"] != 33 {
		t.Errorf("RVPS mr_td: vector %v, want hardware 2, executables 33", v)
	}
}

// TestRegoPolicyErrors: a policy that does not compile, or RVPS values
// without a Rego policy, are usage errors naming the file.
func TestRegoPolicyErrors(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.rego", []byte("package policy\n\ntrust_claims := {\n"))
	code, _, errOut := runCLI(tdxArgs("--policy", bad)...)
	if code != exitUsage || !strings.Contains(errOut, "bad.rego") {
		t.Errorf("syntax error: exit %d, stderr %q", code, errOut)
	}
	other := write(t, dir, "other.rego", []byte("package other\n\ntrust_claims := {\"hardware\": 2}\n"))
	if code, _, errOut := runCLI(tdxArgs("--policy", other)...); code != exitUsage {
		t.Errorf("package other: exit %d, stderr %q", code, errOut)
	}
	rv := write(t, dir, "rvps.json", []byte(`{"mr_td":["00"]}`))
	if code, _, errOut := runCLI(tdxArgs("--rvps", rv)...); code != exitUsage || !strings.Contains(errOut, "--rvps") {
		t.Errorf("--rvps without a Rego policy: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(tdxArgs("--ear-profile", "kbs")...); code != exitUsage {
		t.Errorf("--ear-profile kbs: exit %d, stderr %q", code, errOut)
	}
}

// TestTrusteeProfileOutput: the annotated evidence is Trustee's, nested
// under the TEE, with report_data and runtime_data_claims at the top.
func TestTrusteeProfileOutput(t *testing.T) {
	_, claims, cpu0 := trusteeSubmod(t, "--hardware-only")
	if claims["iss"] != "CoCo-Attestation-Service" {
		t.Errorf("iss %v", claims["iss"])
	}
	ev := cpu0["ear.veraison.annotated-evidence"].(map[string]any)
	tdx, ok := ev["tdx"].(map[string]any)
	if !ok || ev["report_data"] == nil {
		t.Fatalf("annotated evidence %v: want tdx and report_data", ev)
	}
	if tdx["quote"].(map[string]any)["body"].(map[string]any)["mr_td"] != "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7" {
		t.Errorf("tdx.quote.body.mr_td %v", tdx["quote"])
	}
	if _, ok := tdx["fmspc"]; ok {
		t.Error("ccverify's fmspc outside the ccverify key")
	}
	if tdx["ccverify"].(map[string]any)["fmspc"] != "b0c06f000000" {
		t.Errorf("ccverify.fmspc %v", tdx["ccverify"])
	}
}
