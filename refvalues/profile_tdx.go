// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package refvalues

import (
	"fmt"
	"strconv"
	"strings"
)

// TD-guest mkeys (ProfileTDXGuest; PROFILES.md).
const (
	MkeyMRTD           = 0  // digests (sha-384): quote.body.mr_td
	MkeyRTMR           = 1  // integrity-registers 0..3 (sha-384): quote.body.rtmr_0..3
	MkeyMRSEAM         = 2  // digests: quote.body.mr_seam
	MkeyMRSIGNERSEAM   = 3  // digests: quote.body.mrsigner_seam
	MkeyTDAttributes   = 4  // raw-value (masked): quote.body.td_attributes
	MkeyXFAM           = 5  // raw-value (masked): quote.body.xfam
	MkeyMRCONFIGID     = 6  // raw-value or digests: quote.body.mr_config_id
	MkeyMROWNER        = 7  // raw-value or digests: quote.body.mr_owner
	MkeyMROWNERCONFIG  = 8  // raw-value or digests: quote.body.mr_owner_config
	MkeyMRSERVICETD    = 9  // raw-value or digests: quote.body.mr_servicetd
	MkeyReportData     = 10 // raw-value (masked): quote.body.report_data
	MkeySEAMAttributes = 11 // raw-value (masked): quote.body.seam_attributes
	MkeyTEETCBSVN      = 16 // 16..31: svn (exact or minimum) of TEE_TCB_SVN byte mkey-16
	// Boot components of the replayed event log (evidence/eventlog).
	MkeyKernel        = 32 // digests (sha-384): eventlog.kernel
	MkeyInitrd        = 33 // digests (sha-384): eventlog.initrd
	MkeyKernelCmdline = 34 // digests (sha-384): eventlog.kernel_cmdline_digest
)

type tdxField struct {
	name  string
	claim string
	size  int
	form  string // "digests", "registers", "raw", "raw|digests", "svnbyte"
}

var tdxFields = map[uint64]tdxField{
	MkeyMRTD:           {"MRTD", "quote.body.mr_td", 48, "digests"},
	MkeyRTMR:           {"RTMR", "quote.body.rtmr_", 48, "registers"},
	MkeyMRSEAM:         {"MRSEAM", "quote.body.mr_seam", 48, "digests"},
	MkeyMRSIGNERSEAM:   {"MRSIGNERSEAM", "quote.body.mrsigner_seam", 48, "digests"},
	MkeyTDAttributes:   {"TD_ATTRIBUTES", "quote.body.td_attributes", 8, "raw"},
	MkeyXFAM:           {"XFAM", "quote.body.xfam", 8, "raw"},
	MkeyMRCONFIGID:     {"MRCONFIGID", "quote.body.mr_config_id", 48, "raw|digests"},
	MkeyMROWNER:        {"MROWNER", "quote.body.mr_owner", 48, "raw|digests"},
	MkeyMROWNERCONFIG:  {"MROWNERCONFIG", "quote.body.mr_owner_config", 48, "raw|digests"},
	MkeyMRSERVICETD:    {"MRSERVICETD", "quote.body.mr_servicetd", 48, "raw|digests"},
	MkeyReportData:     {"REPORTDATA", "quote.body.report_data", 64, "raw"},
	MkeySEAMAttributes: {"SEAM_ATTRIBUTES", "quote.body.seam_attributes", 8, "raw"},
	MkeyKernel:         {"kernel", "eventlog.kernel", 48, "digests"},
	MkeyInitrd:         {"initrd", "eventlog.initrd", 48, "digests"},
	MkeyKernelCmdline:  {"kernel command line", "eventlog.kernel_cmdline_digest", 48, "digests"},
}

func tdxFieldOf(k uint64) (tdxField, bool) {
	if k >= MkeyTEETCBSVN && k < MkeyTEETCBSVN+16 {
		return tdxField{fmt.Sprintf("TEE_TCB_SVN[%d]", k-MkeyTEETCBSVN), "quote.body.tcb_svn", 16, "svnbyte"}, true
	}
	f, ok := tdxFields[k]
	return f, ok
}

// present lists the mval fields a measurement carries, for profile checks.
func (m *mval) present() []string {
	var p []string
	if m.version != nil {
		p = append(p, "version (0)")
	}
	if m.svn != nil {
		p = append(p, "svn (1)")
	}
	if m.hasDigest {
		p = append(p, "digests (2)")
	}
	if m.flags != nil {
		p = append(p, "flags (3)")
	}
	if m.raw != nil {
		p = append(p, "raw-value (4)")
	}
	if m.regs != nil {
		p = append(p, "integrity-registers (14)")
	}
	if m.intRange != nil {
		p = append(p, "int-range (15)")
	}
	p = append(p, m.unused...)
	for _, k := range m.extOrder {
		p = append(p, fmt.Sprintf("extension %d", k))
	}
	return p
}

// only fails when m carries a field other than those allowed.
func only(m *mval, what string, allowed ...string) error {
	for _, p := range m.present() {
		ok := false
		for _, a := range allowed {
			if strings.HasPrefix(p, a) {
				ok = true
				break
			}
		}
		if !ok {
			return profileErr("%s: %s is not defined for it (allowed: %s)", what, p, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func compileTDX(ref *Reference, t *triple, pk profileKind) error {
	if t.env.instance != nil || t.env.group != nil {
		ref.Checks = append(ref.Checks, unsupported(TDX, "quote", "environment instance/group",
			"a TDX environment instance or group names no claim"))
	}
	for mi := range t.meas {
		m := &t.meas[mi]
		if err := compileTDXMeasurement(ref, m, pk); err != nil {
			return at(err, "measurement %d", mi)
		}
	}
	return nil
}

func compileTDXMeasurement(ref *Reference, m *measurement, pk profileKind) error {
	v := &m.vals
	if m.key == nil {
		if err := only(v, "measurement without mkey", "flags", "extension"); err != nil {
			return err
		}
		if v.flags != nil {
			if err := tdxFlags(ref, v.flags); err != nil {
				return err
			}
		}
		for _, k := range v.extOrder {
			if err := intelExt(ref, k, v.ext[k]); err != nil {
				return at(err, "mval key %d", k)
			}
		}
		return nil
	}
	if m.key.kind != "uint" || ref.Component != componentTD || pk == profIntel {
		ref.Checks = append(ref.Checks, unsupported(TDX, "quote", "mkey "+m.key.String(),
			"mkey "+m.key.String()+" has no meaning in "+ref.Component+" reference values (PROFILES.md)"))
		return nil
	}
	k, _ := strconv.ParseUint(m.key.s, 10, 64)
	f, ok := tdxFieldOf(k)
	if !ok {
		return profileErr("mkey %d: not a TD-guest mkey (PROFILES.md: 0-11, 16-31, 32-34)", k)
	}
	what := fmt.Sprintf("mkey %d (%s)", k, f.name)
	switch f.form {
	case "digests":
		if err := only(v, what, "digests", "raw-value"); err != nil {
			return err
		}
		return tdxDigestOrRaw(ref, v, f, what)
	case "raw|digests":
		if err := only(v, what, "digests", "raw-value"); err != nil {
			return err
		}
		return tdxDigestOrRaw(ref, v, f, what)
	case "raw":
		if err := only(v, what, "raw-value"); err != nil {
			return err
		}
		if v.raw == nil || v.raw.isInt {
			return profileErr("%s: want raw-value bytes", what)
		}
		if len(v.raw.b) != f.size {
			return profileErr("%s: raw-value is %d bytes, want %d", what, len(v.raw.b), f.size)
		}
		ref.Checks = append(ref.Checks, maskedCheck(TDX, f.claim, what+" raw-value", v.raw.b, v.raw.mask, 0))
		return nil
	case "registers":
		if err := only(v, what, "integrity-registers"); err != nil {
			return err
		}
		if v.regs == nil {
			return profileErr("%s: want integrity-registers", what)
		}
		for _, r := range v.regs {
			if !r.isUint || r.idx > 3 {
				return profileErr("%s: integrity register %s: want 0-3 (RTMR0-3)", what, r.key)
			}
			alts, err := digestAlts(r.digests, "sha-384", 48, fmt.Sprintf("%s register %d", what, r.idx))
			if err != nil {
				return err
			}
			ref.Checks = append(ref.Checks, hexCheck(TDX, f.claim+r.key, fmt.Sprintf("%s integrity-register %d", what, r.idx), alts))
		}
		return nil
	case "svnbyte":
		if err := only(v, what, "svn", "int-range"); err != nil {
			return err
		}
		c := newCheck(TDX, f.claim, what)
		c.kind, c.byteAt = ckNum, int(k-MkeyTEETCBSVN)
		switch {
		case v.svn != nil && v.intRange != nil:
			return profileErr("%s: svn and int-range both given", what)
		case v.svn != nil:
			c.num = svnRef(v.svn)
			c.Key += " svn"
		case v.intRange != nil:
			c.num = rangeRef(v.intRange)
			c.Key += " int-range"
		default:
			return profileErr("%s: want svn or int-range", what)
		}
		c.Expected = c.num.String()
		ref.Checks = append(ref.Checks, c)
		return nil
	}
	return profileErr("%s: no encoding", what)
}

func tdxDigestOrRaw(ref *Reference, v *mval, f tdxField, what string) error {
	switch {
	case v.hasDigest && v.raw != nil:
		return profileErr("%s: digests and raw-value both given", what)
	case v.hasDigest:
		alts, err := digestAlts(v.digests, "sha-384", f.size, what)
		if err != nil {
			return err
		}
		ref.Checks = append(ref.Checks, hexCheck(TDX, f.claim, what+" digests", alts))
	case v.raw != nil && !v.raw.isInt:
		if len(v.raw.b) != f.size {
			return profileErr("%s: raw-value is %d bytes, want %d", what, len(v.raw.b), f.size)
		}
		ref.Checks = append(ref.Checks, maskedCheck(TDX, f.claim, what+" raw-value", v.raw.b, v.raw.mask, 0))
	default:
		return profileErr("%s: want digests or raw-value", what)
	}
	return nil
}

// tdxFlags maps flags-map entries: is-debug (3) is TD_ATTRIBUTES.DEBUG;
// is-confidentiality-protected (9), is-integrity-protected (5) and
// is-replay-protected (4) hold for every TD that is not a debug TD.
func tdxFlags(ref *Reference, flags map[int64]bool) error {
	for _, k := range sortedFlagKeys(flags) {
		b := flags[k]
		key := fmt.Sprintf("flags %s", flagName(k))
		switch k {
		case 3:
			ref.Checks = append(ref.Checks, boolCheck(TDX, "td_attributes.debug", key, b))
		case 4, 5, 9:
			ref.Checks = append(ref.Checks, boolCheck(TDX, "td_attributes.debug", key, !b))
		default:
			ref.Checks = append(ref.Checks, unsupported(TDX, "td_attributes", key, "flag "+flagName(k)+" names no TDX claim"))
		}
	}
	return nil
}

func sortedFlagKeys(f map[int64]bool) []int64 {
	ks := make([]int64, 0, len(f))
	for k := range f {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

func flagName(k int64) string {
	names := map[int64]string{0: "is-configured", 1: "is-secure", 2: "is-recovery", 3: "is-debug",
		4: "is-replay-protected", 5: "is-integrity-protected", 6: "is-runtime-meas", 7: "is-immutable",
		8: "is-tcb", 9: "is-confidentiality-protected"}
	if n, ok := names[k]; ok {
		return n + " (" + strconv.FormatInt(k, 10) + ")"
	}
	return "flag " + strconv.FormatInt(k, 10)
}

// intelClaims maps the Intel profile's tee.* keys to claims per component.
var intelClaims = map[string]map[int64]string{
	componentTD: {
		-83: "quote.body.mr_td", -82: "quote.body.td_attributes", -125: "quote.body.tcb_svn",
		-86: "tcb_eval_num", -88: "tcb_status", -89: "advisory_ids", -101: "platform_instance_id", -80: "pce_id",
	},
	componentModule: {
		-83: "quote.body.mr_seam", -84: "quote.body.mrsigner_seam", -82: "quote.body.seam_attributes",
		-73: "tdx_module_svn", -125: "quote.body.tcb_svn", -86: "tcb_eval_num", -88: "tdx_module_tcb_status",
		-89: "advisory_ids",
	},
	componentQE: {
		-83: "qe_mrenclave", -84: "qe_mrsigner", -73: "qe_isvsvn", -85: "qe_isvprodid", -86: "tcb_eval_num",
		-81: "qe_miscselect", -82: "qe_attributes",
		-88: "qe_tcb_status", -89: "advisory_ids",
	},
	componentPCE: {
		-80: "pce_id", -73: "pce_svn", -125: "sgx_tcb_components", -77: "platform_instance_id",
		-101: "platform_instance_id", -86: "tcb_eval_num", -88: "platform_tcb_status", -89: "advisory_ids",
	},
}

var intelNames = map[int64]string{-70: "tee.vendor", -71: "tee.model", -72: "tee.tcbdate", -73: "tee.isvsvn",
	-77: "instance-id", -80: "tee.pceid", -81: "tee.miscselect", -82: "tee.attributes", -83: "tee.mrtee",
	-84: "tee.mrsigner", -85: "tee.isvprodid", -86: "tee.tcb-eval-num", -88: "tee.tcbstatus",
	-89: "tee.advisory-ids", -90: "epoch", -91: "tee.cryptokeys", -101: "tee.platform-instance-id",
	-125: "tee.tcb-comp-svn"}

func intelName(k int64) string {
	if n, ok := intelNames[k]; ok {
		return n + " (" + strconv.FormatInt(k, 10) + ")"
	}
	return "extension " + strconv.FormatInt(k, 10)
}

// intelExt compiles one tee.* value for ref's component.
func intelExt(ref *Reference, k int64, v any) error {
	name := intelName(k)
	if k == -70 {
		if s, ok := v.(string); ok && s == TDGuestVendor {
			return nil // implied by a verified TDX quote
		}
	}
	claim, ok := intelClaims[ref.Component][k]
	if !ok {
		if _, known := intelNames[k]; !known {
			return profileErr("%s: not an Intel profile key", name)
		}
		ref.Checks = append(ref.Checks, unsupported(TDX, "quote", name,
			name+" names no claim of the "+ref.Component+" (PROFILES.md)"))
		return nil
	}
	spec := vocab[TDX][claim]
	switch k {
	case -83, -84: // digests
		ds, member, err := intelDigests(v, name)
		if err != nil {
			return err
		}
		var alts [][]byte
		for _, d := range ds {
			if len(d.v) == spec.size {
				alts = append(alts, d.v)
			}
		}
		if len(alts) == 0 && member {
			var sizes []string
			for _, d := range ds {
				sizes = append(sizes, fmt.Sprintf("%s of %d bytes", d.algName, len(d.v)))
			}
			ref.Checks = append(ref.Checks, unsupported(TDX, claim, name, fmt.Sprintf("%s is %d bytes; the reference has only %s",
				claim, spec.size, strings.Join(sizes, ", "))))
			return nil
		}
		c := hexCheck(TDX, claim, name, alts)
		if !member {
			c.kind, c.flag = ckStr, true
			c.Expected = "none of [" + strings.Join(c.strs, ", ") + "]"
		}
		ref.Checks = append(ref.Checks, c)
	case -81, -82:
		raw, mask, err := intelMasked(v, name)
		if err != nil {
			return err
		}
		ref.Checks = append(ref.Checks, maskedCheck(TDX, claim, name, raw, mask, 0))
	case -73, -86:
		n, err := intelNum(v, name)
		if err != nil {
			return err
		}
		ref.Checks = append(ref.Checks, numCheck(TDX, claim, name, n))
	case -85:
		var n numRef
		switch x := v.(type) {
		case []byte:
			if len(x) > 2 {
				return profileErr("%s: %d bytes, want at most 2", name, len(x))
			}
			var u int64
			for i := len(x) - 1; i >= 0; i-- {
				u = u<<8 | int64(x[i])
			}
			n = numRef{op: opEq, v: u}
		default:
			var err error
			if n, err = intelNum(v, name); err != nil {
				return err
			}
		}
		ref.Checks = append(ref.Checks, numCheck(TDX, claim, name, n))
	case -125:
		a, ok := v.([]any)
		if !ok || len(a) != 16 {
			return profileErr("%s: want an array of 16 SVNs", name)
		}
		for i, e := range a {
			n, err := intelNum(e, fmt.Sprintf("%s[%d]", name, i))
			if err != nil {
				return err
			}
			c := numCheck(TDX, claim, fmt.Sprintf("%s[%d]", name, i), n)
			c.byteAt = i
			ref.Checks = append(ref.Checks, c)
		}
	case -88:
		set, member, err := intelStrings(v, name)
		if err != nil {
			return err
		}
		c := newCheck(TDX, claim, name)
		c.kind, c.strs, c.flag = ckStr, set, !member
		c.Expected = setString(set, member)
		ref.Checks = append(ref.Checks, c)
	case -89:
		set, member, err := intelStrings(v, name)
		if err != nil {
			return err
		}
		c := newCheck(TDX, claim, name)
		c.kind, c.strs, c.flag = ckStrList, set, !member
		if member {
			c.Expected = "a subset of [" + strings.Join(set, ", ") + "]"
		} else {
			c.Expected = "none of [" + strings.Join(set, ", ") + "]"
		}
		ref.Checks = append(ref.Checks, c)
	case -77, -101:
		b, ok := v.([]byte)
		if !ok {
			return profileErr("%s: want bytes, got %s", name, describe(v))
		}
		ref.Checks = append(ref.Checks, hexCheck(TDX, claim, name, [][]byte{b}))
	case -80:
		var s string
		switch x := v.(type) {
		case uint64:
			s = le16hex(x)
		case string: // "four character decimal value"
			u, err := strconv.ParseUint(x, 10, 16)
			if err != nil {
				return profileErr("%s: %q is not a decimal PCEID", name, x)
			}
			s = le16hex(u)
		default:
			return profileErr("%s: want text or uint, got %s", name, describe(v))
		}
		c := newCheck(TDX, claim, name)
		c.kind, c.strs, c.Expected = ckHex, []string{s}, s
		ref.Checks = append(ref.Checks, c)
	default:
		return profileErr("%s: no mapping", name)
	}
	return nil
}

func setString(set []string, member bool) string {
	if member {
		return "one of [" + strings.Join(set, ", ") + "]"
	}
	return "none of [" + strings.Join(set, ", ") + "]"
}
