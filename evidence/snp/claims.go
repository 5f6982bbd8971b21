// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp

import "encoding/hex"

// Claims returns the report's fields as normalized claims, named as Trustee's
// SNP verifier names them (reported_tcb_*, policy_*, platform_*, measurement,
// report_data, init_data, chip_id) and, where Trustee has no name, in the same
// style. Digests and identifiers are lowercase hex strings, SVNs and versions
// integers, flags booleans, POLICY and PLATFORM_INFO also whole as integers.
// These are the names and encodings verify puts in the snp submodule and
// ccverify inspect --json prints, the one vocabulary of this module
// (CLAIMS.md lists them, claim by claim).
//
// p is the product line, which decides the TCB_VERSION layout; pass [Unknown]
// to use the report's CPUID (version 3 and later). Version 2 reports need the
// product from the VCEK (certs/amd's Result.Product).
func Claims(r Report, p Product) map[string]any {
	if p == Unknown {
		p = r.Product()
	}
	pol, pi := r.Policy(), r.PlatformInfo()
	c := make(map[string]any, claimCount)

	// The hex claims share one string: one allocation for their text, not
	// two a claim.
	var buf [2 * hexSize]byte
	var ends [len(hexFields)]int
	n := 0
	for i, f := range hexFields {
		n += hex.Encode(buf[n:], f.get(r))
		ends[i] = n
	}
	text, start := string(buf[:n]), 0
	for i, end := range ends {
		c[hexFields[i].name] = text[start:end]
		start = end
	}
	c["init_data"] = c["host_data"] // Trustee's name for HOST_DATA

	c["version"] = int(r.Version())
	c["guest_svn"] = int(r.GuestSVN())
	c["vmpl"] = int(r.VMPL())
	c["product"] = p.String()
	c["signing_key"] = r.SigningKey().String()
	c["author_key_en"] = r.AuthorKeyEn()
	c["policy"] = uint64(pol)
	c["policy_abi_major"] = int(pol.ABIMajor())
	c["policy_abi_minor"] = int(pol.ABIMinor())
	c["policy_smt_allowed"] = pol.SMT()
	c["policy_migrate_ma"] = pol.MigrateMA()
	c["policy_debug_allowed"] = pol.Debug()
	c["policy_single_socket"] = pol.SingleSocket()
	c["policy_cxl_allowed"] = pol.CXLAllowed()
	c["policy_mem_aes_256_xts"] = pol.MemAES256XTS()
	c["policy_rapl_dis"] = pol.RAPLDis()
	c["policy_ciphertext_hiding"] = pol.CiphertextHiding()
	c["policy_page_swap_disable"] = pol.PageSwapDisable()
	c["platform_info"] = uint64(pi)
	c["platform_smt_enabled"] = pi.SMTEnabled()
	c["platform_tsme_enabled"] = pi.TSMEEnabled()
	c["platform_ecc_enabled"] = pi.ECCEnabled()
	c["platform_rapl_disabled"] = pi.RAPLDisabled()
	c["platform_ciphertext_hiding_enabled"] = pi.CiphertextHidingEnabled()
	c["platform_alias_check_complete"] = pi.AliasCheckComplete()
	c["platform_tio_enabled"] = pi.TIOEnabled()
	cur, com := r.CurrentVersion(), r.CommittedVersion()
	c["current_fw_major"] = int(cur.Major)
	c["current_fw_minor"] = int(cur.Minor)
	c["current_fw_build"] = int(cur.Build)
	c["committed_fw_major"] = int(com.Major)
	c["committed_fw_minor"] = int(com.Minor)
	c["committed_fw_build"] = int(com.Build)
	tcb := func(prefix string, v TCBVersion) {
		t := v.Parts(p)
		c[prefix+"_bootloader"] = int(t.BootLoader)
		c[prefix+"_tee"] = int(t.TEE)
		c[prefix+"_snp"] = int(t.SNP)
		c[prefix+"_microcode"] = int(t.Microcode)
		if t.HasFMC {
			c[prefix+"_fmc"] = int(t.FMC)
		}
	}
	tcb("reported_tcb", r.ReportedTCB())
	tcb("current_tcb", r.CurrentTCB())
	tcb("committed_tcb", r.CommittedTCB())
	tcb("launch_tcb", r.LaunchTCB())
	if r.HasCPUID() {
		c["cpuid_fam_id"] = int(r.CPUIDFamily())
		c["cpuid_mod_id"] = int(r.CPUIDModel())
		c["cpuid_step"] = int(r.CPUIDStepping())
	}
	if r.HasMitigationVectors() {
		c["launch_mit_vector"] = r.LaunchMitVector()
		c["current_mit_vector"] = r.CurrentMitVector()
	}
	return c
}

// claimCount is the most claims a report has (a Turin v5 report's).
const claimCount = 68

// hexFields are the claims that are hex of a report field, in report order.
var hexFields = [...]struct {
	name string
	get  func(Report) []byte
}{
	{"family_id", Report.FamilyID},
	{"image_id", Report.ImageID},
	{"report_data", Report.ReportData},
	{"measurement", Report.Measurement},
	{"host_data", Report.HostData},
	{"id_key_digest", Report.IDKeyDigest},
	{"author_key_digest", Report.AuthorKeyDigest},
	{"report_id", Report.ReportID},
	{"report_id_ma", Report.ReportIDMA},
	{"chip_id", Report.ChipID},
}

// hexSize is the length of the hexFields' bytes.
const hexSize = 16 + 16 + 64 + 48 + 32 + 48 + 48 + 32 + 32 + ChipIDSize
