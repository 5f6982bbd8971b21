// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"fmt"
	"strconv"
	"strings"
)

// SEV-SNP mkeys (draft-deeglaze-amd-sev-snp-corim-profile; PROFILES.md).
const (
	MkeySNPVersion          = 0    // VERSION: version (decimal) → version
	MkeySNPGuestSVN         = 1    // GUEST_SVN: svn → guest_svn
	MkeySNPPolicy           = 2    // POLICY: raw-value 8 bytes LE, masked → policy
	MkeySNPFamilyID         = 3    // FAMILY_ID: raw-value 16 bytes → family_id
	MkeySNPImageID          = 4    // IMAGE_ID: raw-value 16 bytes → image_id
	MkeySNPVMPL             = 5    // VMPL: int-range / raw int / raw-value 4 bytes LE → vmpl
	MkeySNPCurrentTCB       = 6    // CURRENT_TCB: svn of TCB_VERSION → current_tcb_*
	MkeySNPPlatformInfo     = 7    // PLATFORM_INFO: raw-value 8 bytes LE, masked → platform_info
	MkeySNPReportData       = 640  // REPORT_DATA: raw-value 64 bytes → report_data
	MkeySNPMeasurement      = 641  // MEASUREMENT: digests sha-384 → measurement
	MkeySNPHostData         = 642  // HOST_DATA: digests or raw-value 32 bytes → host_data
	MkeySNPIDKeyDigest      = 643  // ID_KEY_DIGEST: digests sha-384 → id_key_digest
	MkeySNPAuthorKeyDigest  = 644  // AUTHOR_KEY_DIGEST: digests sha-384 → author_key_digest
	MkeySNPReportID         = 645  // REPORT_ID: raw-value 32 bytes → report_id
	MkeySNPReportIDMA       = 646  // REPORT_ID_MA: raw-value 32 bytes → report_id_ma
	MkeySNPReportedTCB      = 647  // REPORTED_TCB: svn of TCB_VERSION → reported_tcb_*
	MkeySNPCPUIDFamily      = 648  // CPUID_FAM_ID: int → cpuid_fam_id
	MkeySNPCPUIDModel       = 649  // CPUID_MOD_ID: int → cpuid_mod_id
	MkeySNPCPUIDStepping    = 650  // CPUID_STEP: int → cpuid_step
	MkeySNPChipID           = 3328 // CHIP_ID: raw-value → chip_id
	MkeySNPCommittedTCB     = 3329 // COMMITTED_TCB: svn → committed_tcb_*
	MkeySNPCurrentVersion   = 3330 // CurrentVersion: semver → current_fw_*
	MkeySNPCommittedVersion = 3936 // CommittedVersion: semver → committed_fw_*
	MkeySNPLaunchTCB        = 3968 // LAUNCH_TCB: svn → launch_tcb_*
)

// policyAlwaysCompared are the POLICY bits a mask cannot exclude: MIGRATE_MA
// (18) and DEBUG (19), as the report holds them (little-endian byte 2).
const policyAlwaysCompared = 0x0C

type snpField struct {
	name  string
	claim string
	size  int
	form  string // "version", "svn", "policy", "raw", "int", "tcb", "digest", "hostdata", "semver", "chipid"
}

var snpFields = map[uint64]snpField{
	MkeySNPVersion:          {"VERSION", "version", 0, "version"},
	MkeySNPGuestSVN:         {"GUEST_SVN", "guest_svn", 0, "svn"},
	MkeySNPPolicy:           {"POLICY", "policy", 8, "policy"},
	MkeySNPFamilyID:         {"FAMILY_ID", "family_id", 16, "raw"},
	MkeySNPImageID:          {"IMAGE_ID", "image_id", 16, "raw"},
	MkeySNPVMPL:             {"VMPL", "vmpl", 4, "int"},
	MkeySNPCurrentTCB:       {"CURRENT_TCB", "current_tcb", 0, "tcb"},
	MkeySNPPlatformInfo:     {"PLATFORM_INFO", "platform_info", 8, "policy"},
	MkeySNPReportData:       {"REPORT_DATA", "report_data", 64, "raw"},
	MkeySNPMeasurement:      {"MEASUREMENT", "measurement", 48, "digest"},
	MkeySNPHostData:         {"HOST_DATA", "host_data", 32, "hostdata"},
	MkeySNPIDKeyDigest:      {"ID_KEY_DIGEST", "id_key_digest", 48, "digest"},
	MkeySNPAuthorKeyDigest:  {"AUTHOR_KEY_DIGEST", "author_key_digest", 48, "digest"},
	MkeySNPReportID:         {"REPORT_ID", "report_id", 32, "raw"},
	MkeySNPReportIDMA:       {"REPORT_ID_MA", "report_id_ma", 32, "raw"},
	MkeySNPReportedTCB:      {"REPORTED_TCB", "reported_tcb", 0, "tcb"},
	MkeySNPCPUIDFamily:      {"CPUID_FAM_ID", "cpuid_fam_id", 1, "int"},
	MkeySNPCPUIDModel:       {"CPUID_MOD_ID", "cpuid_mod_id", 1, "int"},
	MkeySNPCPUIDStepping:    {"CPUID_STEP", "cpuid_step", 1, "int"},
	MkeySNPChipID:           {"CHIP_ID", "chip_id", 64, "chipid"},
	MkeySNPCommittedTCB:     {"COMMITTED_TCB", "committed_tcb", 0, "tcb"},
	MkeySNPCurrentVersion:   {"CurrentVersion", "current_fw", 0, "semver"},
	MkeySNPCommittedVersion: {"CommittedVersion", "committed_fw", 0, "semver"},
	MkeySNPLaunchTCB:        {"LAUNCH_TCB", "launch_tcb", 0, "tcb"},
}

func compileSNP(ref *Reference, t *triple) error {
	if err := snpEnvironment(ref, &t.env); err != nil {
		return at(err, "environment")
	}
	for mi := range t.meas {
		if err := compileSNPMeasurement(ref, &t.meas[mi]); err != nil {
			return at(err, "measurement %d", mi)
		}
	}
	return nil
}

// snpEnvironment checks the environment against the report: the class-id
// names the signing key (by chip: VCEK; by CSP: VLEK), the instance is the
// CHIP_ID (the draft) or the MEASUREMENT (Veraison's convention).
func snpEnvironment(ref *Reference, e *environment) error {
	if e.classID != nil && e.classID.kind == "oid" {
		key := "VCEK"
		if e.classID.s == oidSNPCSP {
			key = "VLEK"
		}
		c := newCheck(SNP, "signing_key", "environment class-id "+e.classID.s)
		c.kind, c.strs, c.Expected = ckStr, []string{key}, key
		ref.Checks = append(ref.Checks, c)
	}
	if e.model != nil {
		return profileErr("class: model must not be present (SEV-SNP profile)")
	}
	if e.instance != nil {
		in := e.instance
		if in.kind != "bytes" {
			ref.Checks = append(ref.Checks, unsupported(SNP, "chip_id", "environment instance "+in.kind,
				"instance "+in.String()+": only #6.560 CHIP_ID or MEASUREMENT bytes are checked"))
			return nil
		}
		switch len(in.b) {
		case 48:
			ref.Checks = append(ref.Checks, hexCheck(SNP, "measurement", "environment instance (MEASUREMENT)", [][]byte{in.b}))
		case 64:
			ref.Checks = append(ref.Checks, hexCheck(SNP, "chip_id", "environment instance (CHIP_ID)", [][]byte{in.b}))
		default:
			ref.Checks = append(ref.Checks, unsupported(SNP, "chip_id", "environment instance",
				fmt.Sprintf("instance of %d bytes (a VCEK hwid or CSP_ID) names no claim", len(in.b))))
		}
	}
	if e.group != nil {
		ref.Checks = append(ref.Checks, unsupported(SNP, "chip_id", "environment group", "a group names no claim"))
	}
	return nil
}

func compileSNPMeasurement(ref *Reference, m *measurement) error {
	v := &m.vals
	if m.key == nil {
		if err := only(v, "measurement without mkey", "flags"); err != nil {
			return err
		}
		for _, k := range sortedFlagKeys(v.flags) {
			b := v.flags[k]
			key := "flags " + flagName(k)
			switch k {
			case 3: // is-debug is POLICY.DEBUG
				ref.Checks = append(ref.Checks, boolCheck(SNP, "policy_debug_allowed", key, b))
			case 4, 5, 9: // hold for every guest whose memory the host cannot read
				ref.Checks = append(ref.Checks, boolCheck(SNP, "policy_debug_allowed", key, !b))
			default:
				ref.Checks = append(ref.Checks, unsupported(SNP, "policy", key, "flag "+flagName(k)+" names no SEV-SNP claim"))
			}
		}
		return nil
	}
	if m.key.kind != "uint" {
		return profileErr("mkey %s: the SEV-SNP profile's mkeys are unsigned integers", m.key)
	}
	k, _ := strconv.ParseUint(m.key.s, 10, 64)
	f, ok := snpFields[k]
	if !ok {
		return profileErr("mkey %d: not a SEV-SNP mkey (PROFILES.md)", k)
	}
	what := fmt.Sprintf("mkey %d (%s)", k, f.name)
	switch f.form {
	case "version":
		if err := only(v, what, "version", "int-range"); err != nil {
			return err
		}
		if v.intRange != nil {
			ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" int-range", rangeRef(v.intRange)))
			return nil
		}
		if v.version == nil {
			return profileErr("%s: want version", what)
		}
		n, err := strconv.ParseUint(v.version.v, 10, 32)
		if err != nil {
			return profileErr("%s: version %q is not a decimal integer", what, v.version.v)
		}
		ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" version", numRef{op: opEq, v: int64(n)}))
	case "svn":
		if err := only(v, what, "svn", "int-range"); err != nil {
			return err
		}
		switch {
		case v.svn != nil:
			ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" svn", svnRef(v.svn)))
		case v.intRange != nil:
			ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" int-range", rangeRef(v.intRange)))
		default:
			return profileErr("%s: want svn", what)
		}
	case "policy":
		if err := only(v, what, "raw-value"); err != nil {
			return err
		}
		if v.raw == nil || v.raw.isInt || len(v.raw.b) != f.size {
			return profileErr("%s: want raw-value of %d bytes", what, f.size)
		}
		mask := v.raw.mask
		if mask != nil && len(mask) != f.size {
			return profileErr("%s: mask is %d bytes, want %d", what, len(mask), f.size)
		}
		key := what + " raw-value"
		if mask != nil && f.claim == "policy" && mask[2]&policyAlwaysCompared != policyAlwaysCompared {
			mask = append([]byte(nil), mask...)
			mask[2] |= policyAlwaysCompared
			key += " (DEBUG and MIGRATE_MA always compared)"
		}
		ref.Checks = append(ref.Checks, maskedCheck(SNP, f.claim, key, v.raw.b, mask, f.size))
	case "raw", "chipid":
		if err := only(v, what, "raw-value"); err != nil {
			return err
		}
		if v.raw == nil || v.raw.isInt {
			return profileErr("%s: want raw-value bytes", what)
		}
		b := v.raw.b
		if f.form == "chipid" && len(b) >= 8 && len(b) < f.size { // shorter GET_ID identities, zero padded in the report
			b = append(append([]byte(nil), b...), make([]byte, f.size-len(b))...)
		}
		if len(b) != f.size {
			return profileErr("%s: raw-value is %d bytes, want %d", what, len(b), f.size)
		}
		ref.Checks = append(ref.Checks, maskedCheck(SNP, f.claim, what+" raw-value", b, v.raw.mask, 0))
	case "int":
		if err := only(v, what, "int-range", "raw-value"); err != nil {
			return err
		}
		switch {
		case v.intRange != nil:
			ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" int-range", rangeRef(v.intRange)))
		case v.raw != nil && v.raw.isInt:
			ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" raw-value", numRef{op: opEq, v: v.raw.i}))
		case v.raw != nil: // Veraison: the report's little-endian bytes
			if len(v.raw.b) != f.size || v.raw.mask != nil {
				return profileErr("%s: raw-value is %d bytes, want %d unmasked", what, len(v.raw.b), f.size)
			}
			var u int64
			for i := len(v.raw.b) - 1; i >= 0; i-- {
				u = u<<8 | int64(v.raw.b[i])
			}
			ref.Checks = append(ref.Checks, numCheck(SNP, f.claim, what+" raw-value", numRef{op: opEq, v: u}))
		default:
			return profileErr("%s: want int-range (raw-int)", what)
		}
	case "tcb":
		if err := only(v, what, "svn"); err != nil {
			return err
		}
		if v.svn == nil {
			return profileErr("%s: want svn", what)
		}
		c := Check{Claim: f.claim + "_*", Key: what + " svn", Class: Hardware, path: []string{f.claim}, byteAt: -1,
			kind: ckTCB, tcb: v.svn.v, tcbMin: v.svn.min}
		if v.svn.min {
			c.Expected = fmt.Sprintf("each component ≥ TCB_VERSION %#016x", v.svn.v)
		} else {
			c.Expected = fmt.Sprintf("TCB_VERSION %#016x", v.svn.v)
		}
		ref.Checks = append(ref.Checks, c)
	case "digest", "hostdata":
		if err := only(v, what, "digests", "raw-value"); err != nil {
			return err
		}
		switch {
		case v.hasDigest:
			alg := "sha-384"
			if f.form == "hostdata" { // HOST_DATA is opaque 32 bytes; the draft's alg 7 is nominal
				alg = ""
			}
			alts, err := digestAlts(v.digests, alg, f.size, what)
			if err != nil {
				return err
			}
			ref.Checks = append(ref.Checks, hexCheck(SNP, f.claim, what+" digests", alts))
		case v.raw != nil && !v.raw.isInt:
			if len(v.raw.b) != f.size {
				return profileErr("%s: raw-value is %d bytes, want %d", what, len(v.raw.b), f.size)
			}
			ref.Checks = append(ref.Checks, maskedCheck(SNP, f.claim, what+" raw-value", v.raw.b, v.raw.mask, 0))
		default:
			return profileErr("%s: want digests", what)
		}
	case "semver":
		if err := only(v, what, "version"); err != nil {
			return err
		}
		if v.version == nil {
			return profileErr("%s: want version", what)
		}
		var fw [3]int
		parts := strings.Split(v.version.v, ".")
		if len(parts) != 3 {
			return profileErr("%s: version %q is not major.minor.build", what, v.version.v)
		}
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 10, 8)
			if err != nil {
				return profileErr("%s: version %q is not major.minor.build", what, v.version.v)
			}
			fw[i] = int(n)
		}
		ref.Checks = append(ref.Checks, Check{Claim: f.claim + "_*", Key: what + " version", Class: Hardware,
			path: []string{f.claim}, byteAt: -1, kind: ckFW, fw: fw, Expected: v.version.v})
	}
	return nil
}
