// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

func u32(v uint32) *uint32 { return &v }

// TestGoSevGuestTestdata proves go-sev-guest's embedded real Milan report
// verifies with its embedded VCEK and the pinned roots.
func TestGoSevGuestTestdata(t *testing.T) {
	r, err := snp.Parse(gsgtestdata.AttestationBytes[:snp.ReportSize])
	if err != nil {
		t.Fatal(err)
	}
	col, err := amd.ParseCollateral(gsgtestdata.VcekBytes)
	if err != nil {
		t.Fatal(err)
	}
	res, err := amd.VerifyReport(r, col, &amd.Options{Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Product != snp.Milan || res.Endorsement.ProductName != "Milan-B0" {
		t.Errorf("product %v %q", res.Product, res.Endorsement.ProductName)
	}
}

// TestPolicy proves each policy option on real reports: a passing and a
// failing setting, the failure wrapping ErrPolicy and naming the field.
func TestPolicy(t *testing.T) {
	gsgAt := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	gsg, _ := snp.Parse(gsgtestdata.AttestationBytes[:snp.ReportSize]) // Milan v2, DEBUG set, TCB bl2 tee0 snp5 ucode68
	gsgCol := amd.Collateral{VCEK: gsgtestdata.VcekBytes}
	type tc struct {
		name  string
		pol   amd.Policy
		field string // "" = passes
	}
	run := func(r snp.Report, col amd.Collateral, at time.Time, cases []tc) {
		t.Helper()
		for _, c := range cases {
			pol := c.pol
			_, err := amd.VerifyReport(r, col, &amd.Options{Now: at, Policy: &pol})
			switch {
			case c.field == "" && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case c.field != "" && (!errors.Is(err, amd.ErrPolicy) || !strings.Contains(err.Error(), c.field)):
				t.Errorf("%s: %v, want ErrPolicy on %s", c.name, err, c.field)
			}
		}
	}
	run(gsg, gsgCol, gsgAt, []tc{
		{"empty policy", amd.Policy{}, ""},
		{"deny debug", amd.Policy{DenyDebug: true}, "POLICY.DEBUG"},
		{"deny SMT", amd.Policy{DenySMT: true}, "POLICY.SMT"},
		{"allow migrate", amd.Policy{DenyMigrateMA: true}, ""},
		{"single socket", amd.Policy{RequireSingleSocket: true}, "POLICY.SINGLE_SOCKET"},
		{"min TCB met", amd.Policy{MinimumTCB: &snp.TCBParts{BootLoader: 2, SNP: 5, Microcode: 68}}, ""},
		{"min TCB ucode", amd.Policy{MinimumTCB: &snp.TCBParts{BootLoader: 2, SNP: 5, Microcode: 69}}, "microcode"},
		{"min launch TCB", amd.Policy{MinimumLaunchTCB: &snp.TCBParts{SNP: 99}}, "LAUNCH_TCB"},
		{"min firmware", amd.Policy{MinimumFirmware: &snp.FirmwareVersion{Major: 9}}, "CURRENT_VERSION"},
		{"min guest SVN", amd.Policy{MinimumGuestSVN: 1}, "GUEST_SVN"},
		{"VMPL 0", amd.Policy{VMPL: u32(0)}, ""},
		{"VMPL 1", amd.Policy{VMPL: u32(1)}, "VMPL"},
		{"min ABI", amd.Policy{MinimumABI: &amd.ABIVersion{Major: 2}}, "POLICY.ABI"},
		{"policy mask", amd.Policy{PolicyForbidden: 1 << 19}, "POLICY"},
		{"platform required", amd.Policy{PlatformRequired: 1 << 1}, "PLATFORM_INFO"},
		{"reserved zero", amd.Policy{RequireReservedZero: true}, ""},
	})
	if vectors.Dir() == "" {
		return
	}
	for _, c := range vectors.Cases(t, "snp-oak-turin-v5") {
		r := caseReport(t, c)
		if r.PlatformInfo()&(1<<6) == 0 {
			t.Logf("Turin PLATFORM_INFO %#x", uint64(r.PlatformInfo()))
		}
		run(r, caseCollateral(t, c), c.At, []tc{
			{"Turin PLATFORM_INFO known bits", amd.Policy{RejectUnknownPlatformInfo: true}, ""},
			{"Turin min TCB with FMC", amd.Policy{MinimumTCB: &snp.TCBParts{HasFMC: true, FMC: 1}}, "fmc"},
			{"Turin committed", amd.Policy{RequireCommittedTCB: true}, ""},
		})
	}
	for _, c := range vectors.Cases(t, "snp-trustee-aws-vlek-milan-v3") {
		r := caseReport(t, c)
		run(r, caseCollateral(t, c), c.At, []tc{
			{"VLEK VMPL 1", amd.Policy{VMPL: u32(1)}, ""},
			{"VLEK max VMPL 0", amd.Policy{MaxVMPL: u32(0)}, "VMPL"},
			{"VLEK committed != current", amd.Policy{RequireCommittedTCB: true}, "COMMITTED_TCB"},
		})
	}
}

// TestPlatformInfoBit6 proves the Turin PLATFORM_INFO bit 6 passes the
// unknown-bits policy while bit 8 does not.
func TestPlatformInfoBit6(t *testing.T) {
	b := make([]byte, snp.ReportSize)
	b[0] = 5
	b[0x040] = 0x65
	r, _ := snp.Parse(b)
	if err := (&amd.Policy{RejectUnknownPlatformInfo: true}).Check(r, snp.Turin); err != nil {
		t.Errorf("bit 6: %v", err)
	}
	b[0x041] = 1
	if err := (&amd.Policy{RejectUnknownPlatformInfo: true}).Check(r, snp.Turin); !errors.Is(err, amd.ErrPolicy) {
		t.Errorf("bit 8: %v", err)
	}
}
