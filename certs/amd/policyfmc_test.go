// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
)

// TestPolicyFMC proves an FMC minimum as a policy file writes it
// ({"MinimumTCB":{"FMC":9}}, no HasFMC) is compared on Turin, and is an error
// naming the field on a product without FMC.
func TestPolicyFMC(t *testing.T) {
	var pol amd.Policy
	if err := json.Unmarshal([]byte(`{"MinimumTCB":{"FMC":9},"MinimumLaunchTCB":{"FMC":1}}`), &pol); err != nil {
		t.Fatal(err)
	}
	turin := newTestPKI(snp.Turin)
	tr, _ := snp.Parse(turin.report(5, false, turinChip(), tcbT)) // FMC 1
	trCol := amd.Collateral{VCEK: turin.leaf(false, turinChip(), tcbT, pkiStart, pkiStart.AddDate(7, 0, 0)), Certs: [][]byte{turin.ASK.Raw}}
	trOpts := func(p *amd.Policy) *amd.Options {
		return &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{turin.ARK}, Policy: p}
	}
	if _, err := amd.VerifyReport(tr, trCol, trOpts(&pol)); !errors.Is(err, amd.ErrPolicy) || !strings.Contains(err.Error(), "fmc") {
		t.Errorf("Turin FMC 1, minimum 9: %v, want ErrPolicy on fmc", err)
	}
	met := amd.Policy{MinimumTCB: &snp.TCBParts{FMC: 1}, MinimumLaunchTCB: &snp.TCBParts{FMC: 1}}
	if _, err := amd.VerifyReport(tr, trCol, trOpts(&met)); err != nil {
		t.Errorf("Turin FMC 1, minimum 1: %v", err)
	}
	launch := amd.Policy{MinimumLaunchTCB: &snp.TCBParts{FMC: 2}}
	if _, err := amd.VerifyReport(tr, trCol, trOpts(&launch)); !errors.Is(err, amd.ErrPolicy) || !strings.Contains(err.Error(), "LAUNCH_TCB") {
		t.Errorf("Turin launch FMC 1, minimum 2: %v, want ErrPolicy on LAUNCH_TCB", err)
	}

	f := newMilanFixture(t)
	opts := f.opts(false)
	opts.Policy = &pol
	_, err := amd.VerifyReport(f.vcekRep, f.col(false, f.vcek), opts)
	if err == nil || !strings.Contains(err.Error(), "MinimumTCB.FMC") {
		t.Errorf("Milan with an FMC minimum: %v, want an error naming MinimumTCB.FMC", err)
	}
	// Zero FMC minimum on Milan: no minimum, no error.
	opts.Policy = &amd.Policy{MinimumTCB: &snp.TCBParts{BootLoader: tcbM.BootLoader}}
	if _, err := amd.VerifyReport(f.vcekRep, f.col(false, f.vcek), opts); err != nil {
		t.Errorf("Milan without FMC minimum: %v", err)
	}
}
