// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"errors"
	"testing"

	"github.com/ccverify/ccverify/verify"
)

// FuzzParsePolicy: any document parses to a policy or fails with
// ErrPolicyFile, never panics, and a policy that parses has an ID.
func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"tdx": {"accept_tcb_status": ["SWHardeningNeeded"], "accept_advisories": ["INTEL-SA-00837"], "reject_tcb_status": ["OutOfDate"]}}`,
		`{"snp": {"DenyDebug": true, "MinimumTCB": {"BootLoader": 3, "SNP": 20, "Microcode": 209}}, "require_crls": true}`,
		`{"max_collateral_age": "720h", "min_tcb_eval_num": 17, "hardware_only": true, "allow_debug": true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := verify.ParsePolicy(b)
		if err != nil {
			if !errors.Is(err, verify.ErrPolicyFile) {
				t.Fatalf("error %v is not ErrPolicyFile", err)
			}
			return
		}
		if p.ID() == "" {
			t.Fatal("no ID")
		}
	})
}
