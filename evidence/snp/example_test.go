// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp_test

import (
	"encoding/binary"
	"fmt"

	"github.com/ccverify/ccverify/evidence/snp"
)

// ExampleParse reads a version 5 report from a Turin CPU: the product comes
// from CPUID, and the TCB is decoded in Turin's layout (FMC first).
func ExampleParse() {
	b := make([]byte, snp.ReportSize) // a report as /dev/sev-guest or configfs-tsm returns it
	binary.LittleEndian.PutUint32(b[0x000:], 5)
	binary.LittleEndian.PutUint64(b[0x008:], 0x30000)            // POLICY: SMT allowed, bit 17
	binary.LittleEndian.PutUint64(b[0x180:], 0x4700000002000100) // REPORTED_TCB
	b[0x188], b[0x189], b[0x18A] = 0x1A, 0x02, 0x01              // CPUID family, model, stepping

	r, err := snp.Parse(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Version(), r.Product(), r.Policy().Debug(), r.Policy().SMT())
	fmt.Println(r.ReportedTCB().Parts(r.Product()))
	fmt.Println(len(r.Signed()), "signed bytes")
	// Output:
	// 5 Turin false true
	// fmc=0 bl=1 tee=0 snp=2 ucode=71
	// 672 signed bytes
}

// ExampleClaims prints a few of the Trustee-named claims of a report.
func ExampleClaims() {
	b := make([]byte, snp.ReportSize)
	binary.LittleEndian.PutUint32(b[0x000:], 3)
	binary.LittleEndian.PutUint64(b[0x008:], 0xB0000) // debug allowed
	binary.LittleEndian.PutUint64(b[0x180:], 0xDB18000000000004)
	b[0x188], b[0x189] = 0x19, 0x01 // Milan
	r, _ := snp.Parse(b)
	c := snp.Claims(r, snp.Unknown)
	fmt.Println(c["product"], c["policy_debug_allowed"], c["reported_tcb_bootloader"], c["reported_tcb_snp"], c["reported_tcb_microcode"])
	// Output: Milan true 4 24 219
}
