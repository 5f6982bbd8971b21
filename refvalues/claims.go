// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"strconv"
	"strings"
)

// claimKind is the shape of a claim in verify's map (CLAIMS.md).
type claimKind uint8

const (
	kHex  claimKind = iota + 1 // lower-case hex of raw bytes; size is the byte length (0: any)
	kInt                       // integer (SVNs, versions, raw integers)
	kBool                      // boolean flag
	kStr                       // text (statuses, names)
	kList                      // list of strings (advisory_ids)
	kMap                       // nested map (no value of its own)
)

// claimSpec describes one claim: where it sits in the map, its shape, and
// which trust-vector claim a mismatch on it speaks to.
type claimSpec struct {
	path  string // dotted path in the claims map
	kind  claimKind
	size  int
	class Class
}

// vocabulary is one TEE's claims by path.
type vocabulary map[string]claimSpec

// adder returns the function a vocabulary's table is written with.
func (v vocabulary) adder() func(path string, kind claimKind, size int, class Class) {
	return func(path string, kind claimKind, size int, class Class) {
		v[path] = claimSpec{path: path, kind: kind, size: size, class: class}
	}
}

// vocab lists the claims of CLAIMS.md by TEE. Expected values and templates
// may name any of them (see resolveClaim for how names resolve).
var vocab = map[string]map[string]claimSpec{TDX: tdxVocab(), SNP: snpVocab(), SE: seVocab()}

func tdxVocab() map[string]claimSpec {
	v := vocabulary{}
	add := v.adder()
	// quote.body: the TD report.
	add("quote.body.tcb_svn", kHex, 16, Hardware)
	add("quote.body.mr_seam", kHex, 48, Hardware)
	add("quote.body.mrsigner_seam", kHex, 48, Hardware)
	add("quote.body.seam_attributes", kHex, 8, Configuration)
	add("quote.body.td_attributes", kHex, 8, Configuration)
	add("quote.body.xfam", kHex, 8, Configuration)
	add("quote.body.mr_td", kHex, 48, Executables)
	add("quote.body.mr_config_id", kHex, 48, Configuration)
	add("quote.body.mr_owner", kHex, 48, Configuration)
	add("quote.body.mr_owner_config", kHex, 48, Configuration)
	for i := 0; i < 4; i++ {
		add("quote.body.rtmr_"+strconv.Itoa(i), kHex, 48, Executables)
	}
	add("quote.body.report_data", kHex, 64, Instance)
	add("quote.body.tee_tcb_svn2", kHex, 16, Hardware)
	add("quote.body.mr_servicetd", kHex, 48, Executables)
	// quote.header and the v5 descriptor.
	add("quote.header.version", kHex, 2, Hardware)
	add("quote.header.att_key_type", kHex, 2, Hardware)
	add("quote.header.tee_type", kHex, 4, Hardware)
	add("quote.header.reserved", kHex, 0, Hardware)
	add("quote.header.vendor_id", kHex, 16, Hardware)
	add("quote.header.user_data", kHex, 20, Hardware)
	add("quote.type", kHex, 2, Hardware)
	add("quote.size", kHex, 4, Hardware)
	for _, b := range []string{"debug", "key_locker", "perfmon", "protection_keys", "septve_disable", "migratable"} {
		add("td_attributes."+b, kBool, 0, Configuration)
	}
	add("report_data", kHex, 64, Instance)
	add("init_data", kHex, 48, Configuration)
	add("debug", kBool, 0, Configuration)
	add("quote_version", kInt, 0, Hardware)
	add("xfam_features", kStr, 0, Configuration)
	add("tdx_module_svn", kInt, 0, Hardware)
	add("tdx_module_major_version", kInt, 0, Hardware)
	add("qe_isvsvn", kInt, 0, Hardware)
	add("qe_isvprodid", kInt, 0, Hardware)
	add("qe_mrsigner", kHex, 32, Hardware)
	add("qe_mrenclave", kHex, 32, Hardware)
	// Not (yet) emitted by verify: the Intel profile's QE values name them, so a
	// QE reference that states them fails ("claim absent") until verify adds them.
	add("qe_miscselect", kHex, 4, Hardware)
	add("qe_attributes", kHex, 16, Hardware)
	add("fmspc", kHex, 6, Hardware)
	add("pce_id", kHex, 2, Hardware)
	add("pce_svn", kInt, 0, Hardware)
	add("cpu_svn", kHex, 16, Hardware)
	add("sgx_tcb_components", kHex, 16, Hardware)
	add("ppid", kHex, 16, Instance)
	add("sgx_type", kStr, 0, Hardware)
	add("platform_instance_id", kHex, 16, Instance)
	add("is_dynamic_platform", kBool, 0, Hardware)
	add("is_cached_keys", kBool, 0, Hardware)
	add("is_smt_enabled", kBool, 0, Hardware)
	add("pck_ca", kStr, 0, Hardware)
	add("pck_serial", kStr, 0, Instance)
	add("tcb_status", kStr, 0, Hardware)
	add("tcb_date", kStr, 0, Hardware)
	add("advisory_ids", kList, 0, Hardware)
	add("tcb_eval_num", kInt, 0, Hardware)
	add("collateral_expiration_status", kStr, 0, Hardware)
	add("platform_tcb_status", kStr, 0, Hardware)
	add("tdx_module_tcb_status", kStr, 0, Hardware)
	add("qe_tcb_status", kStr, 0, Hardware)
	add("revocation_checked", kBool, 0, Hardware)
	add("evidence_sha256", kHex, 32, Instance)
	eventLogVocab(add)
	return v
}

// eventLogVocab adds the claims of a TD's replayed event log (CLAIMS.md,
// "eventlog"): present only when the CCEL replayed to the quote's RTMRs,
// so a reference on them never holds for a TD without a log.
func eventLogVocab(add func(path string, kind claimKind, size int, class Class)) {
	add("eventlog.replayed", kBool, 0, Executables)
	add("eventlog.kernel", kHex, 48, Executables)
	add("eventlog.kernel_path", kStr, 0, Executables)
	add("eventlog.initrd", kHex, 48, Executables)
	add("eventlog.kernel_cmdline", kStr, 0, Configuration)
	add("eventlog.kernel_cmdline_digest", kHex, 48, Configuration)
	add("eventlog.boot_applications", kList, 0, Executables)
	add("eventlog.firmware_blobs", kList, 0, Executables)
	add("eventlog.grub_cmds", kList, 0, Configuration)
	add("eventlog.secure_boot", kBool, 0, Configuration)
	for _, v := range []string{"pk", "kek", "db", "dbx"} {
		add("eventlog."+v, kHex, 48, Configuration)
	}
	add("eventlog.duplicate_separator", kBool, 0, Configuration)
}

func snpVocab() map[string]claimSpec {
	v := vocabulary{}
	add := v.adder()
	add("version", kInt, 0, Hardware)
	add("guest_svn", kInt, 0, Executables)
	add("vmpl", kInt, 0, Configuration)
	add("product", kStr, 0, Hardware)
	add("signing_key", kStr, 0, Hardware)
	add("measurement", kHex, 48, Executables)
	add("report_data", kHex, 64, Instance)
	add("init_data", kHex, 32, Configuration)
	add("host_data", kHex, 32, Configuration)
	add("chip_id", kHex, 64, Instance)
	add("family_id", kHex, 16, Executables)
	add("image_id", kHex, 16, Executables)
	add("id_key_digest", kHex, 48, Executables)
	add("author_key_digest", kHex, 48, Executables)
	add("author_key_en", kBool, 0, Executables)
	add("report_id", kHex, 32, Instance)
	add("report_id_ma", kHex, 32, Instance)
	add("policy", kInt, 0, Configuration)
	add("platform_info", kInt, 0, Configuration)
	for _, p := range []string{"abi_major", "abi_minor"} {
		add("policy_"+p, kInt, 0, Configuration)
	}
	for _, p := range []string{"smt_allowed", "migrate_ma", "debug_allowed", "single_socket", "cxl_allowed",
		"mem_aes_256_xts", "rapl_dis", "ciphertext_hiding", "page_swap_disable"} {
		add("policy_"+p, kBool, 0, Configuration)
	}
	for _, p := range []string{"smt_enabled", "tsme_enabled", "ecc_enabled", "rapl_disabled",
		"ciphertext_hiding_enabled", "alias_check_complete", "tio_enabled"} {
		add("platform_"+p, kBool, 0, Configuration)
	}
	for _, fw := range []string{"current_fw", "committed_fw"} {
		for _, p := range []string{"major", "minor", "build"} {
			add(fw+"_"+p, kInt, 0, Hardware)
		}
	}
	for _, t := range []string{"reported_tcb", "current_tcb", "committed_tcb", "launch_tcb"} {
		for _, p := range tcbParts {
			add(t+"_"+p, kInt, 0, Hardware)
		}
	}
	add("cpuid_fam_id", kInt, 0, Hardware)
	add("cpuid_mod_id", kInt, 0, Hardware)
	add("cpuid_step", kInt, 0, Hardware)
	add("launch_mit_vector", kInt, 0, Hardware)
	add("current_mit_vector", kInt, 0, Hardware)
	add("crl_checked", kBool, 0, Hardware)
	add("debug", kBool, 0, Configuration)
	add("evidence_sha256", kHex, 32, Instance)
	return v
}

// resolveClaim resolves a claim name for tee. A dotted name is a path from
// the root of the claims map ("quote.body.mr_td", "td_attributes.debug"); a
// flat name is a root claim when the TEE has one of that name with a value
// ("report_data", "measurement"), and otherwise, for TDX, a field of
// quote.body ("mr_td", "rtmr_1", "xfam", "td_attributes"). A "tdx." or
// "snp." prefix restricts the name to that TEE. ok is false when tee has no
// such claim.
func resolveClaim(tee, name string) (claimSpec, bool) {
	if rest, found := strings.CutPrefix(name, tee+"."); found {
		name = rest
	} else if strings.HasPrefix(name, TDX+".") || strings.HasPrefix(name, SNP+".") || strings.HasPrefix(name, SE+".") {
		return claimSpec{}, false
	}
	v := vocab[tee]
	if s, ok := v[name]; ok {
		return s, true
	}
	if tee == TDX && !strings.Contains(name, ".") {
		if s, ok := v["quote.body."+name]; ok {
			return s, true
		}
	}
	return claimSpec{}, false
}

func splitPath(p string) []string { return strings.Split(p, ".") }

// seVocab lists the IBM Secure Execution claims (CLAIMS.md ## se).
func seVocab() map[string]claimSpec {
	v := vocabulary{}
	add := v.adder()
	add("version", kInt, 0, Hardware)
	add("tag", kHex, 16, Executables)
	add("image_hdr_tags", kHex, 208, Executables)
	add("image_phkh", kHex, 32, Instance)
	add("attestation_phkh", kHex, 32, Instance)
	add("cuid", kHex, 16, Instance)
	add("report_data", kHex, 64, Instance)
	add("user_data", kHex, 0, Instance)
	add("secret_store_hash", kHex, 64, Configuration)
	add("evidence_sha256", kHex, 32, Instance)
	return v
}
