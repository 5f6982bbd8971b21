// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"fmt"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// ExampleVerifyReport verifies a real Milan report with its VCEK at a fixed
// time (an offline audit) and reads Trustee-named claims. The chain files are
// optional: the ASK and ARK are pinned in the package. With files on disk,
// amd.LoadDir(dir) builds the Collateral from whatever it recognizes.
func ExampleVerifyReport() {
	raw := gsgtestdata.AttestationBytes[:snp.ReportSize] // the report bytes
	vcek := gsgtestdata.VcekBytes                        // DER or PEM, any file name

	r, err := snp.Parse(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	col, err := amd.ParseCollateral(vcek)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := amd.VerifyReport(r, col, &amd.Options{
		Now:    time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Policy: &amd.Policy{MinimumTCB: &snp.TCBParts{BootLoader: 2, SNP: 5, Microcode: 68}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Product, res.SigningKey, res.Intermediate.Subject.CommonName, res.Root.Subject.CommonName)
	c := snp.Claims(r, res.Product)
	fmt.Println(c["reported_tcb_bootloader"], c["reported_tcb_snp"], c["reported_tcb_microcode"], c["policy_debug_allowed"])

	// The same report with DEBUG refused by policy.
	_, err = amd.VerifyReport(r, col, &amd.Options{Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Policy: &amd.Policy{DenyDebug: true}})
	fmt.Println(err)
	// Output:
	// Milan VCEK SEV-Milan ARK-Milan
	// 2 5 68 true
	// amd: report violates policy: POLICY.DEBUG: debugging allowed (policy 0xb0000)
}
