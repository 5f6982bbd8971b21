// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package snp

import (
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"testing"

	gsgdata "github.com/google/go-sev-guest/verify/testdata"
)

// TestClaimsEncoding: Claims says what the plain encoding below says (one
// hex.EncodeToString a field, a map literal), for go-sev-guest's Milan v2
// report and every generated report of testvectors (Milan, Genoa, Turin;
// versions 2, 3 and 5; VCEK and VLEK), with the product given and from the
// report; and never more claims than claimCount, its size hint.
func TestClaimsEncoding(t *testing.T) {
	reports := map[string][]byte{"go-sev-guest": gsgdata.AttestationBytes[:ReportSize]}
	files, _ := filepath.Glob("../../testvectors/data/snp/*.report")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		reports[filepath.Base(f)] = b
	}
	if len(reports) < 10 {
		t.Fatalf("%d reports: testvectors/data/snp missing?", len(reports))
	}
	most := 0
	for name, b := range reports {
		r, _, err := ParsePrefix(b)
		if err != nil {
			continue // the truncated case
		}
		for _, p := range []Product{Unknown, Milan, Turin} {
			got, want := Claims(r, p), claimsReference(r, p)
			if !maps.Equal(got, want) {
				t.Errorf("%s, %v: %v\nwant %v", name, p, got, want)
			}
			most = max(most, len(got))
		}
	}
	if most != claimCount {
		t.Errorf("at most %d claims; claimCount is %d", most, claimCount)
	}
}

// BenchmarkClaims: one report's claims, with the map.
func BenchmarkClaims(b *testing.B) {
	r, err := Parse(gsgdata.AttestationBytes[:ReportSize])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Claims(r, Milan)
	}
}

// claimsReference is Claims as it was written before it shared one string
// among its hex claims: the encoding Claims must keep.
func claimsReference(r Report, p Product) map[string]any {
	if p == Unknown {
		p = r.Product()
	}
	pol, pi := r.Policy(), r.PlatformInfo()
	c := map[string]any{
		"version":                            int(r.Version()),
		"guest_svn":                          int(r.GuestSVN()),
		"vmpl":                               int(r.VMPL()),
		"product":                            p.String(),
		"signing_key":                        r.SigningKey().String(),
		"measurement":                        hex.EncodeToString(r.Measurement()),
		"report_data":                        hex.EncodeToString(r.ReportData()),
		"init_data":                          hex.EncodeToString(r.HostData()),
		"host_data":                          hex.EncodeToString(r.HostData()),
		"chip_id":                            hex.EncodeToString(r.ChipID()),
		"family_id":                          hex.EncodeToString(r.FamilyID()),
		"image_id":                           hex.EncodeToString(r.ImageID()),
		"id_key_digest":                      hex.EncodeToString(r.IDKeyDigest()),
		"author_key_digest":                  hex.EncodeToString(r.AuthorKeyDigest()),
		"author_key_en":                      r.AuthorKeyEn(),
		"report_id":                          hex.EncodeToString(r.ReportID()),
		"report_id_ma":                       hex.EncodeToString(r.ReportIDMA()),
		"policy":                             uint64(pol),
		"policy_abi_major":                   int(pol.ABIMajor()),
		"policy_abi_minor":                   int(pol.ABIMinor()),
		"policy_smt_allowed":                 pol.SMT(),
		"policy_migrate_ma":                  pol.MigrateMA(),
		"policy_debug_allowed":               pol.Debug(),
		"policy_single_socket":               pol.SingleSocket(),
		"policy_cxl_allowed":                 pol.CXLAllowed(),
		"policy_mem_aes_256_xts":             pol.MemAES256XTS(),
		"policy_rapl_dis":                    pol.RAPLDis(),
		"policy_ciphertext_hiding":           pol.CiphertextHiding(),
		"policy_page_swap_disable":           pol.PageSwapDisable(),
		"platform_info":                      uint64(pi),
		"platform_smt_enabled":               pi.SMTEnabled(),
		"platform_tsme_enabled":              pi.TSMEEnabled(),
		"platform_ecc_enabled":               pi.ECCEnabled(),
		"platform_rapl_disabled":             pi.RAPLDisabled(),
		"platform_ciphertext_hiding_enabled": pi.CiphertextHidingEnabled(),
		"platform_alias_check_complete":      pi.AliasCheckComplete(),
		"platform_tio_enabled":               pi.TIOEnabled(),
		"current_fw_major":                   int(r.CurrentVersion().Major),
		"current_fw_minor":                   int(r.CurrentVersion().Minor),
		"current_fw_build":                   int(r.CurrentVersion().Build),
		"committed_fw_major":                 int(r.CommittedVersion().Major),
		"committed_fw_minor":                 int(r.CommittedVersion().Minor),
		"committed_fw_build":                 int(r.CommittedVersion().Build),
	}
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
