// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package rego_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/ccverify/ccverify/policy/rego"
	"github.com/ccverify/ccverify/refvalues"
)

// Appraise an SEV-SNP guest's annotated evidence with the default policy and
// reference values in Trustee's RVPS form.
func ExamplePolicy_Appraise() {
	measurement := strings.Repeat("6c", 48)
	raw, err := refvalues.ParseRVPS([]byte(`{
		"snp_launch_measurement": ["` + measurement + `"],
		"snp_bootloader": [4], "snp_microcode": [213], "snp_snp_svn": [22], "snp_tee_svn": [0],
		"snp_smt_enabled": true, "snp_tsme_enabled": false,
		"snp_guest_abi_major": 0, "snp_guest_abi_minor": 31,
		"snp_single_socket": false, "snp_smt_allowed": true
	}`))
	if err != nil {
		log.Fatal(err)
	}
	input := map[string]any{"snp": map[string]any{
		"measurement":             measurement,
		"reported_tcb_bootloader": 4, "reported_tcb_microcode": 213, "reported_tcb_snp": 22, "reported_tcb_tee": 0,
		"policy_debug_allowed": false, "policy_migrate_ma": false,
		"policy_abi_major": 0, "policy_abi_minor": 31, "policy_single_socket": false, "policy_smt_allowed": true,
		"platform_smt_enabled": true, "platform_tsme_enabled": false,
	}}
	// CoRIMs and expected values would come in the Set; here there are none.
	rv := refvalues.Set(nil).For(refvalues.SNP).With(raw)

	p := rego.Default()
	a, err := p.Appraise(context.Background(), input, rv)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.PolicyID(), "executables", int8(a.Vector.Executables), "hardware", int8(a.Vector.Hardware),
		"configuration", int8(a.Vector.Configuration))

	// Without reference values only the configuration's key settings count.
	a, _ = p.Appraise(context.Background(), input, nil)
	fmt.Println(p.PolicyID(), "executables", int8(a.Vector.Executables), "hardware", int8(a.Vector.Hardware),
		"configuration", int8(a.Vector.Configuration))
	// Output:
	// default executables 3 hardware 2 configuration 2
	// default executables 33 hardware 97 configuration 3
}

// Compile a policy of one's own.
func ExampleCompile() {
	p, err := rego.Compile("no-debug", []byte(`package policy

import rego.v1

default configuration := 36

configuration := 2 if input.tdx.td_attributes.debug == false

trust_claims := {"configuration": configuration}
`))
	if err != nil {
		log.Fatal(err)
	}
	a, err := p.Appraise(context.Background(), map[string]any{
		"tdx": map[string]any{"td_attributes": map[string]any{"debug": false}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.PolicyID(), int8(a.Vector.Configuration))

	_, err = rego.Compile("broken", []byte("package kbs\n"))
	fmt.Println(err)
	// Output:
	// no-debug 2
	// rego: invalid policy: broken:1: package kbs, want package policy
}
