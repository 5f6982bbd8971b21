// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package rego

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veraison/ear"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
)

// rv is reference values by id, as an RVPS holds them.
type rv map[string]any

func (r rv) Query(id string) (any, bool) {
	v, ok := r[id]
	return v, ok
}

var (
	mrTD     = strings.Repeat("a1", 48)
	rtmr1    = strings.Repeat("b1", 48)
	rtmr2    = strings.Repeat("b2", 48)
	xfam     = "e742060000000000"
	kernel   = strings.Repeat("c1", 48)
	params   = strings.Repeat("c2", 48)
	snpMeas  = strings.Repeat("6c", 48)
	pcr11    = strings.Repeat("11", 32)
	agentPol = map[string]any{"agent_policy_claims": map[string]any{"containers": []any{
		map[string]any{"OCI": map[string]any{
			"Annotations": map[string]any{"io.kubernetes.cri.image-name": "registry.example/app:1"},
			"Process":     map[string]any{"User": map[string]any{"UID": 1000}},
		}},
		map[string]any{"OCI": map[string]any{
			"Annotations": map[string]any{"io.kubernetes.cri.image-name": "registry.example/pause:3"},
			"Process":     map[string]any{"User": map[string]any{"UID": 65535}},
		}},
	}}}
)

// tdxInput is the annotated evidence of a TD as Trustee's TDX verifier
// shapes it; edit changes its tdx claims.
func tdxInput(edit func(tdx map[string]any)) map[string]any {
	tdx := map[string]any{
		"quote": map[string]any{
			"header": map[string]any{"version": "0400", "tee_type": "81000000", "vendor_id": "939a7233f79c4ca9940a0db3957f0607"},
			"body":   map[string]any{"mr_td": mrTD, "rtmr_1": rtmr1, "rtmr_2": rtmr2, "xfam": xfam, "mr_seam": strings.Repeat("5e", 48)},
		},
		"td_attributes":                map[string]any{"debug": false},
		"tcb_status":                   "UpToDate",
		"collateral_expiration_status": "0",
		"uefi_event_logs": []any{
			map[string]any{"type_name": "EV_EFI_BOOT_SERVICES_APPLICATION",
				"details": map[string]any{"device_paths": []any{"DevicePath(4,4)", "File(kernel)"}},
				"digests": []any{map[string]any{"alg": "SHA-384", "digest": kernel}}},
			map[string]any{"type_name": "EV_EVENT_TAG",
				"details": map[string]any{"string": "LOADED_IMAGE::LoadOptions"},
				"digests": []any{map[string]any{"alg": "SHA-384", "digest": params}}},
		},
	}
	if edit != nil {
		edit(tdx)
	}
	return map[string]any{"tdx": tdx, "report_data": strings.Repeat("00", 64), "init_data": strings.Repeat("00", 48),
		"init_data_claims": agentPol, "runtime_data_claims": nil}
}

func tdxRV() rv {
	return rv{"rtmr_1": []any{rtmr1}, "rtmr_2": []any{"ff", rtmr2}, "mr_td": []any{mrTD}, "xfam": []any{xfam},
		"tdvfkernel": kernel, "tdvfkernelparams": params}
}

// snpInput is the annotated evidence of an SNP guest as Trustee's SNP
// verifier shapes it.
func snpInput(edit func(snp map[string]any)) map[string]any {
	snp := map[string]any{
		"measurement":             snpMeas,
		"reported_tcb_bootloader": 4, "reported_tcb_microcode": 213, "reported_tcb_snp": 22, "reported_tcb_tee": 0,
		"policy_debug_allowed": false, "policy_migrate_ma": false, "policy_abi_major": 0, "policy_abi_minor": 31,
		"policy_single_socket": false, "policy_smt_allowed": true,
		"platform_smt_enabled": true, "platform_tsme_enabled": false,
		"chip_id": strings.Repeat("cc", 64),
	}
	if edit != nil {
		edit(snp)
	}
	return map[string]any{"snp": snp, "report_data": strings.Repeat("00", 64), "init_data": strings.Repeat("00", 32),
		"init_data_claims": nil, "runtime_data_claims": nil}
}

func snpRV() rv {
	return rv{"snp_launch_measurement": []any{snpMeas}, "snp_bootloader": []any{4}, "snp_microcode": []any{209, 213},
		"snp_snp_svn": []any{22}, "snp_tee_svn": []any{0},
		"snp_smt_enabled": true, "snp_tsme_enabled": false, "snp_guest_abi_major": 0, "snp_guest_abi_minor": 31,
		"snp_single_socket": false, "snp_smt_allowed": true}
}

// azSNPInput is Trustee's az-snp-vtpm evidence: text fields, base64
// MEASUREMENT, the vTPM's PCRs.
func azSNPInput() map[string]any {
	b, _ := hex.DecodeString(snpMeas)
	return map[string]any{"az-snp-vtpm": map[string]any{
		"measurement":             base64.StdEncoding.EncodeToString(b),
		"reported_tcb_bootloader": "4", "reported_tcb_microcode": "213", "reported_tcb_snp": "22", "reported_tcb_tee": "0",
		"policy_abi_major": "0", "policy_abi_minor": "31", "policy_single_socket": "false", "policy_smt_allowed": "true",
		"platform_smt_enabled": "true", "platform_tsme_enabled": "false", "policy_debug_allowed": "false",
		"tpm": map[string]any{"pcr11": pcr11},
	}}
}

func azSNPRV() rv {
	b, _ := hex.DecodeString(snpMeas)
	return rv{"measurement": []any{base64.StdEncoding.EncodeToString(b)}, "snp_pcr11": []any{pcr11},
		"tcb_bootloader": []any{"4"}, "tcb_microcode": []any{"213"}, "tcb_snp": []any{"22"}, "tcb_tee": []any{"0"},
		"smt_enabled": []any{"true"}, "tsme_enabled": []any{"false"}, "abi_major": []any{"0"}, "abi_minor": []any{"31"},
		"single_socket": []any{"false"}, "smt_allowed": []any{"true"}}
}

func azTDXInput() map[string]any {
	in := tdxInput(nil)
	tdx := in["tdx"].(map[string]any)
	tdx["tpm"] = map[string]any{"pcr11": pcr11}
	return map[string]any{"az-tdx-vtpm": tdx}
}

// sampleInput is Trustee's sample TEE (deps/verifier/src/sample), with the
// reference values of Trustee's integration tests.
func sampleInput() map[string]any {
	return map[string]any{"sample": map[string]any{"svn": "1", "launch_digest": "abcde",
		"platform_version": map[string]any{"major": 1, "minor": 4}, "debug": false}}
}

func sampleRV() rv {
	return rv{"svn": []any{"1"}, "launch_digest": []any{"abcde"}, "major_version": 1, "minimum_minor_version": 1}
}

type vec struct{ exe, hw, conf int8 }

func (v vec) trust() ear.TrustVector {
	return ear.TrustVector{Executables: ear.TrustClaim(v.exe), Hardware: ear.TrustClaim(v.hw), Configuration: ear.TrustClaim(v.conf)}
}

type appraisalCase struct {
	name  string
	input map[string]any
	rv    verify.ReferenceValues
	want  vec
}

// defaultCases are the default policy's decisions, as Trustee's default CPU
// policy makes them.
func defaultCases() []appraisalCase {
	without := func(r rv, ids ...string) rv {
		out := rv{}
		for k, v := range r {
			out[k] = v
		}
		for _, id := range ids {
			delete(out, id)
		}
		return out
	}
	with := func(r rv, id string, v any) rv {
		out := without(r)
		out[id] = v
		return out
	}
	return []appraisalCase{
		{"tdx/no rv", tdxInput(nil), nil, vec{33, 97, 36}},
		{"tdx/rv", tdxInput(nil), tdxRV(), vec{3, 2, 2}},
		{"tdx/no tdvf events", tdxInput(func(t map[string]any) { delete(t, "uefi_event_logs") }), tdxRV(), vec{4, 2, 2}},
		{"tdx/no tdvfkernel rv", tdxInput(nil), without(tdxRV(), "tdvfkernel"), vec{4, 2, 2}},
		{"tdx/tdvfkernel as list", tdxInput(nil), with(tdxRV(), "tdvfkernel", []any{kernel}), vec{4, 2, 2}},
		{"tdx/other rtmr_2", tdxInput(nil), with(tdxRV(), "rtmr_2", []any{rtmr1}), vec{33, 2, 2}},
		{"tdx/other mr_td", tdxInput(nil), with(tdxRV(), "mr_td", []any{rtmr1}), vec{3, 97, 2}},
		{"tdx/out of date", tdxInput(func(t map[string]any) { t["tcb_status"] = "OutOfDate" }), tdxRV(), vec{3, 97, 2}},
		{"tdx/expired collateral", tdxInput(func(t map[string]any) { t["collateral_expiration_status"] = "1" }), tdxRV(), vec{3, 97, 2}},
		{"tdx/debug", tdxInput(func(t map[string]any) { t["td_attributes"] = map[string]any{"debug": true} }), tdxRV(), vec{3, 2, 36}},
		{"tdx/other xfam", tdxInput(nil), with(tdxRV(), "xfam", []any{"0300000000000000"}), vec{3, 2, 36}},
		{"snp/no rv", snpInput(nil), nil, vec{33, 97, 3}},
		{"snp/rv", snpInput(nil), snpRV(), vec{3, 2, 2}},
		{"snp/smt as list", snpInput(nil), with(snpRV(), "snp_smt_enabled", []any{true}), vec{3, 2, 3}},
		{"snp/old microcode", snpInput(func(s map[string]any) { s["reported_tcb_microcode"] = 200 }), snpRV(), vec{3, 97, 2}},
		{"snp/other measurement", snpInput(func(s map[string]any) { s["measurement"] = strings.Repeat("6d", 48) }), snpRV(), vec{33, 2, 2}},
		{"snp/debug", snpInput(func(s map[string]any) { s["policy_debug_allowed"] = true }), snpRV(), vec{3, 2, 36}},
		{"snp/migration agent", snpInput(func(s map[string]any) { s["policy_migrate_ma"] = true }), nil, vec{33, 97, 36}},
		{"snp/abi minor", snpInput(func(s map[string]any) { s["policy_abi_minor"] = 52 }), snpRV(), vec{3, 2, 3}},
		{"az-snp-vtpm/rv", azSNPInput(), azSNPRV(), vec{3, 2, 2}},
		{"az-snp-vtpm/no rv", azSNPInput(), nil, vec{33, 97, 36}},
		{"az-tdx-vtpm/rv", azTDXInput(), rv{"tdx_pcr11": []any{pcr11}, "mr_td": []any{mrTD}, "xfam": []any{xfam}}, vec{3, 2, 2}},
		{"sample/rv", sampleInput(), sampleRV(), vec{3, 2, 2}},
		{"sample/no rv", sampleInput(), nil, vec{33, 97, 2}},
		{"se", map[string]any{"se": map[string]any{"version": 256, "cuid": strings.Repeat("0c", 16)}}, nil, vec{3, 2, 2}},
		{"tpm/rv", map[string]any{"tpm": map[string]any{"pcr11": pcr11, "ak_public": "ak"}},
			rv{"tpm_pcr11": []any{pcr11}, "trusted_aks": []any{"ak"}}, vec{3, 2, 0}},
		{"none", map[string]any{}, tdxRV(), vec{33, 97, 36}},
		{"nil input", nil, nil, vec{33, 97, 36}},
		{"unknown tee", map[string]any{"cca": map[string]any{"debug": false}}, nil, vec{33, 97, 36}},
	}
}

func appraise(t *testing.T, p *Policy, c appraisalCase) *verify.Appraisal {
	t.Helper()
	a, err := p.Appraise(context.Background(), c.input, c.rv)
	if err != nil {
		t.Fatalf("%s: %s: %v", p.PolicyID(), c.name, err)
	}
	return a
}

func TestDefault(t *testing.T) {
	p := Default()
	if p.PolicyID() != "default" || Default() != p {
		t.Fatalf("Default: id %q", p.PolicyID())
	}
	for _, c := range defaultCases() {
		t.Run(c.name, func(t *testing.T) {
			a := appraise(t, p, c)
			if a.Vector != c.want.trust() {
				t.Errorf("vector %+v, want %+v", a.Vector, c.want.trust())
			}
		})
	}
	// The identifiers extension: images and UIDs of the agent policy.
	a := appraise(t, p, appraisalCase{input: tdxInput(nil)})
	want := map[string]any{"ear.trustee.identifiers": map[string]any{"validated": map[string]any{
		"container_images": []any{"registry.example/app:1", "registry.example/pause:3"},
		"container_uids":   []any{int64(1000), int64(65535)},
	}}}
	if !reflect.DeepEqual(a.Extensions, want) {
		t.Errorf("extensions %#v", a.Extensions)
	}
	a = appraise(t, p, appraisalCase{input: snpInput(nil)})
	if want := map[string]any{"ear.trustee.identifiers": map[string]any{"validated": map[string]any{}}}; !reflect.DeepEqual(a.Extensions, want) {
		t.Errorf("no init data: extensions %#v", a.Extensions)
	}
	if !strings.Contains(string(DefaultSource()), "package policy") {
		t.Error("DefaultSource")
	}
}

// TestDefaultWithRefValues runs the default policy with reference values
// from refvalues: expected values and the Trustee ids they answer.
func TestDefaultWithRefValues(t *testing.T) {
	doc, err := refvalues.Expect(map[string][]string{
		"measurement":             {snpMeas},
		"reported_tcb_bootloader": {"4"}, "reported_tcb_microcode": {"209", "213"},
		"reported_tcb_snp": {"22"}, "reported_tcb_tee": {"0"},
		"platform_smt_enabled": {"true"}, "platform_tsme_enabled": {"false"},
		"policy_abi_major": {"0"}, "policy_abi_minor": {"31"},
		"policy_single_socket": {"false"}, "policy_smt_allowed": {"true"},
		"mr_td": {mrTD}, "rtmr_1": {rtmr1}, "rtmr_2": {rtmr2}, "xfam": {xfam},
		"eventlog.kernel": {kernel}, "eventlog.kernel_cmdline_digest": {params},
	})
	if err != nil {
		t.Fatal(err)
	}
	set := refvalues.Set{doc}
	for _, c := range []appraisalCase{
		{"snp", snpInput(nil), set.For(refvalues.SNP), vec{3, 2, 2}},
		{"tdx", tdxInput(nil), set.For(refvalues.TDX), vec{3, 2, 2}},
		{"az-snp-vtpm", azSNPInput(), set.For(refvalues.AzSNPvTPM).With(refvalues.RVPS{"snp_pcr11": []any{pcr11}}), vec{3, 2, 2}},
		{"snp as tdx", snpInput(nil), set.For(refvalues.TDX), vec{33, 97, 3}},
	} {
		if a := appraise(t, Default(), c); a.Vector != c.want.trust() {
			t.Errorf("%s: vector %+v, want %+v", c.name, a.Vector, c.want.trust())
		}
	}
}

func TestExamplePolicies(t *testing.T) {
	hw, err := Load(filepath.Join("policies", "hardware_only.rego"))
	if err != nil {
		t.Fatal(err)
	}
	pin, err := Load(filepath.Join("policies", "pinned.rego"))
	if err != nil {
		t.Fatal(err)
	}
	if hw.PolicyID() != "hardware_only" || pin.PolicyID() != "pinned" {
		t.Fatalf("ids %q %q", hw.PolicyID(), pin.PolicyID())
	}
	type want struct{ exe, hw, conf, rt int8 }
	for _, c := range []struct {
		name  string
		p     *Policy
		input map[string]any
		rv    verify.ReferenceValues
		want  want
	}{
		{"hw/tdx", hw, tdxInput(nil), nil, want{0, 2, 3, 2}},
		{"hw/tdx out of date", hw, tdxInput(func(t map[string]any) { t["tcb_status"] = "OutOfDate" }), nil, want{0, 97, 3, 2}},
		{"hw/tdx debug", hw, tdxInput(func(t map[string]any) { t["td_attributes"] = map[string]any{"debug": true} }), nil, want{0, 2, 36, 0}},
		{"hw/snp", hw, snpInput(nil), snpRV(), want{0, 2, 3, 2}},
		{"hw/snp old snp fw", hw, snpInput(func(s map[string]any) { s["reported_tcb_snp"] = 7 }), nil, want{0, 97, 3, 2}},
		{"hw/snp migration agent", hw, snpInput(func(s map[string]any) { s["policy_migrate_ma"] = true }), nil, want{0, 2, 36, 0}},
		{"hw/none", hw, map[string]any{}, nil, want{0, 97, 36, 0}},
		{"pin/tdx", pin, tdxInput(nil), tdxRV(), want{2, 2, 2, 0}},
		{"pin/tdx no rv", pin, tdxInput(nil), nil, want{0, 2, 36, 0}},
		{"pin/tdx other rtmr", pin, tdxInput(func(t map[string]any) {
			t["quote"].(map[string]any)["body"].(map[string]any)["rtmr_1"] = rtmr2
		}), tdxRV(), want{33, 2, 2, 0}},
		{"pin/tdx debug", pin, tdxInput(func(t map[string]any) { t["td_attributes"] = map[string]any{"debug": true} }), tdxRV(), want{2, 2, 36, 0}},
		{"pin/snp", pin, snpInput(nil), snpRV(), want{2, 2, 2, 0}},
		{"pin/snp no rv", pin, snpInput(nil), rv{}, want{0, 97, 2, 0}},
		{"pin/snp other", pin, snpInput(func(s map[string]any) { s["measurement"] = strings.Repeat("00", 48) }), snpRV(), want{33, 2, 2, 0}},
		{"pin/none", pin, map[string]any{}, nil, want{33, 97, 36, 0}},
	} {
		a, err := c.p.Appraise(context.Background(), c.input, c.rv)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w := ear.TrustVector{Executables: ear.TrustClaim(c.want.exe), Hardware: ear.TrustClaim(c.want.hw),
			Configuration: ear.TrustClaim(c.want.conf), RuntimeOpaque: ear.TrustClaim(c.want.rt)}
		if a.Vector != w {
			t.Errorf("%s: vector %+v, want %+v", c.name, a.Vector, w)
		}
	}
	a, _ := pin.Appraise(context.Background(), tdxInput(nil), nil)
	if _, ok := a.Extensions["ear.ccverify.pinned"]; !ok || len(a.Extensions) != 1 {
		t.Errorf("pinned extensions %v", a.Extensions)
	}
}

func TestIDFromPath(t *testing.T) {
	for path, want := range map[string]string{
		"default_cpu.rego":                 "default",
		"/etc/trustee/default.rego":        "default",
		"policy/ear_no_rv_policy_cpu.rego": "ear_no_rv_policy",
		"my_gpu.rego":                      "my_gpu",
		"_cpu.rego":                        "_cpu",
		"noext":                            "noext",
	} {
		if got := IDFromPath(path); got != want {
			t.Errorf("IDFromPath(%q) = %q, want %q", path, got, want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.rego")); !errors.Is(err, ErrCompile) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

const claimsOnly = "package policy\n\ntrust_claims := {\"hardware\": 2}\n"

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"syntax", "package policy\n\ntrust_claims := {\n\t\"hardware\": 2,,\n}\n", []string{"bad.rego:4:", "rego_parse_error"}},
		{"v0 syntax", "package policy\n\ntrust_claims := {\"hardware\": 2}\n\nallow { true }\n", []string{"bad.rego:5:", "rego_parse_error"}},
		{"package", "package other\n\ntrust_claims := {\"hardware\": 2}\n", []string{"bad.rego:1:", "package other"}},
		{"nested package", "package policy.sub\n\ntrust_claims := {\"hardware\": 2}\n", []string{"package policy.sub"}},
		{"no trust_claims", "package policy\n\nallow := true\n", []string{"no rule trust_claims"}},
		{"empty", "", []string{"bad.rego"}},
		{"type error", "package policy\n\ntrust_claims := {\"hardware\": query_reference_value(1)}\n", []string{"bad.rego:3:", "rego_type_error"}},
		{"unsafe var", "package policy\n\ntrust_claims := {\"hardware\": x}\n", []string{"bad.rego:3:", "unsafe"}},
		{"http.send", "package policy\n\ntrust_claims := {\"hardware\": 2} if http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1/\"})\n",
			[]string{"bad.rego:3:", "http.send"}},
		{"opa.runtime", "package policy\n\ntrust_claims := {\"hardware\": count(opa.runtime())}\n", []string{"opa.runtime"}},
	} {
		_, err := Compile("bad.rego", []byte(c.src))
		if !errors.Is(err, ErrCompile) {
			t.Errorf("%s: %v, want ErrCompile", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
	}
	if _, err := Compile("ok", []byte(claimsOnly)); err != nil {
		t.Errorf("minimal policy: %v", err)
	}
	// Rego v1 keywords with or without import rego.v1, as Regorus takes them.
	if _, err := Compile("v1", []byte("package policy\nimport rego.v1\ndefault hardware := 97\nhardware := 2 if input.x\ntrust_claims := {\"hardware\": hardware}\n")); err != nil {
		t.Errorf("rego.v1 import: %v", err)
	}
}

func TestAppraiseErrors(t *testing.T) {
	for _, c := range []struct {
		name, rules string
		input       map[string]any
		want        string
	}{
		{"string claim", `trust_claims := {"hardware": "2"}`, nil, "trust claim hardware"},
		{"fraction", `trust_claims := {"hardware": 2.5}`, nil, "trust claim hardware"},
		{"too large", `trust_claims := {"executables": 128}`, nil, "trust claim executables: 128 is outside -128..127"},
		{"too small", `trust_claims := {"configuration": -129}`, nil, "trust claim configuration: -129"},
		{"huge", `trust_claims := {"hardware": 1e300}`, nil, "trust claim hardware"},
		{"unknown claim", `trust_claims := {"hardware": 2, "firmware": 2}`, nil, `"firmware" is not an AR4SI trust claim`},
		{"not an object", `trust_claims := [2]`, nil, "not an object"},
		{"empty", `trust_claims := {}`, nil, "sets no claim"},
		{"undefined", `trust_claims := {"hardware": 2} if input.never`, nil, "trust_claims is undefined"},
		{"conflict", "trust_claims := {\"hardware\": 2}\ntrust_claims := {\"hardware\": 3}", nil, "policy t"},
		{"runtime conflict", "trust_claims := {\"hardware\": 2} if input.a\ntrust_claims := {\"hardware\": 3} if input.b", map[string]any{"a": true, "b": true}, "policy t"},
		{"dynamic non-string id", `trust_claims := {"hardware": 2} if query_reference_value(input.id) == null`, map[string]any{"id": 1}, "id must be a string"},
		{"undefined extensions", "trust_claims := {\"hardware\": 2}\nextensions := [] if input.never", nil, "extensions is undefined"},
		{"extensions not a list", "trust_claims := {\"hardware\": 2}\nextensions := {\"name\": \"x\"}", nil, "extensions is not a list"},
		{"extension name", "trust_claims := {\"hardware\": 2}\nextensions := [{\"name\": 1, \"key\": 1, \"value\": 1}]", nil, "extension 0: name"},
		{"extension key", "trust_claims := {\"hardware\": 2}\nextensions := [{\"name\": \"x\", \"key\": \"k\", \"value\": 1}]", nil, "extension x: key"},
		{"extension value", "trust_claims := {\"hardware\": 2}\nextensions := [{\"name\": \"x\", \"key\": 1}]", nil, "extension x: no value"},
		{"duplicate name", "trust_claims := {\"hardware\": 2}\nextensions := [{\"name\": \"x\", \"key\": 1, \"value\": 1}, {\"name\": \"x\", \"key\": 2, \"value\": 1}]", nil, "given twice"},
		{"duplicate key", "trust_claims := {\"hardware\": 2}\nextensions := [{\"name\": \"x\", \"key\": 1, \"value\": 1}, {\"name\": \"y\", \"key\": 1, \"value\": 1}]", nil, "key 1 is also x's"},
	} {
		p, err := Compile("t", []byte("package policy\n\n"+c.rules+"\n"))
		if err != nil {
			t.Errorf("%s: compile: %v", c.name, err)
			continue
		}
		_, err = p.Appraise(context.Background(), c.input, nil)
		if !errors.Is(err, verify.ErrAppraiser) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "policy t") {
			t.Errorf("%s: %v, want ErrAppraiser saying %q", c.name, err, c.want)
		}
	}
}

func TestAppraiseValues(t *testing.T) {
	p, err := Compile("t", []byte(`package policy

trust_claims := {"hardware": -1, "executables": 127, "configuration": -128, "sourced-data": 2.0}

extensions := [
	{"name": "a", "key": -1, "value": {"n": 1, "f": 1.5, "l": [true, null, "s"]}},
	{"name": "b", "key": 2147483647, "value": "text"},
]
`))
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Appraise(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := ear.TrustVector{Hardware: -1, Executables: 127, Configuration: -128, SourcedData: 2}
	if a.Vector != want {
		t.Errorf("vector %+v", a.Vector)
	}
	wantExt := map[string]any{"a": map[string]any{"n": int64(1), "f": 1.5, "l": []any{true, nil, "s"}}, "b": "text"}
	if !reflect.DeepEqual(a.Extensions, wantExt) {
		t.Errorf("extensions %#v", a.Extensions)
	}
	// No extensions rule: none.
	p, _ = Compile("t", []byte(claimsOnly))
	if a, err := p.Appraise(context.Background(), nil, nil); err != nil || a.Extensions != nil {
		t.Errorf("no extensions: %v %v", a, err)
	}
}

func TestQueryReferenceValue(t *testing.T) {
	p, err := Compile("q", []byte(`package policy

import rego.v1

default hardware := 97

hardware := 2 if query_reference_value("unknown") == null

default executables := 33

executables := 3 if input.d in query_reference_value("list")

default configuration := 36

configuration := 2 if query_reference_value("scalar") == 7

trust_claims := {"hardware": hardware, "executables": executables, "configuration": configuration}
`))
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"d": "ab"}
	for _, c := range []struct {
		name string
		rv   verify.ReferenceValues
		want vec
	}{
		{"nil", nil, vec{33, 2, 36}},
		{"empty", rv{}, vec{33, 2, 36}},
		{"typed nil", (rv)(nil), vec{33, 2, 36}},
		{"values", rv{"list": []any{"00", "ab"}, "scalar": int64(7), "unknown": nil}, vec{3, 2, 2}},
		{"strings", rv{"list": []string{"ab"}, "scalar": 7}, vec{3, 2, 2}},
		{"set", refvalues.Set{}.For(refvalues.TDX), vec{33, 2, 36}},
		{"stored", rv{"unknown": []any{}}, vec{33, 97, 36}},
	} {
		a, err := p.Appraise(context.Background(), in, c.rv)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a.Vector != c.want.trust() {
			t.Errorf("%s: vector %+v, want %+v", c.name, a.Vector, c.want.trust())
		}
	}
	// A value OPA cannot hold stops the evaluation.
	if _, err := p.Appraise(context.Background(), in, rv{"list": make(chan int)}); !errors.Is(err, verify.ErrAppraiser) {
		t.Errorf("unconvertible value: %v", err)
	}
}

// slow iterates about 10^12 times without allocating.
const slow = `package policy

import rego.v1

r := numbers.range(1, 10000)

spin if {
	some a in r
	some b in r
	some c in r
	a + b + c < 0
}

trust_claims := {"hardware": 2} if not spin
`

func TestEvaluationBounded(t *testing.T) {
	p, err := Compile("slow", []byte(slow))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p.Appraise(ctx, nil, nil)
	if !errors.Is(err, verify.ErrAppraiser) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow policy: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stopped after %v", d)
	}
	// Without a deadline, the default one applies.
	defer func(d time.Duration) { defaultTimeout = d }(defaultTimeout)
	defaultTimeout = 100 * time.Millisecond
	start = time.Now()
	if _, err := p.Appraise(context.Background(), nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("default deadline: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("default deadline: stopped after %v", d)
	}
	// A cancelled context.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := p.Appraise(ctx, nil, nil); !errors.Is(err, verify.ErrAppraiser) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestConcurrent(t *testing.T) {
	p := Default()
	cases := defaultCases()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				c := cases[(g+i)%len(cases)]
				a, err := p.Appraise(context.Background(), c.input, c.rv)
				if err != nil || a.Vector != c.want.trust() {
					t.Errorf("%s: %v %v", c.name, a, err)
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAppraiseDefault(b *testing.B) {
	p := Default()
	in, r := tdxInput(nil), tdxRV()
	for b.Loop() {
		if _, err := p.Appraise(context.Background(), in, r); err != nil {
			b.Fatal(err)
		}
	}
}
