// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"fmt"

	"github.com/ccverify/ccverify/evidence/snp"
)

// Policy holds optional checks of a genuine report's TCB and configuration.
// Each zero field checks nothing. Failures wrap [ErrPolicy] and name the
// field; a policy that cannot apply to the report's product wraps
// [ErrPolicyInvalid] instead.
type Policy struct {
	// MinimumTCB: every component of REPORTED_TCB (and CURRENT_TCB) must be at
	// least this. FMC is compared on Turin whether or not HasFMC is set; a
	// non-zero FMC for a product without FMC (Milan, Genoa) is an
	// [ErrPolicyInvalid] error naming the field.
	MinimumTCB *snp.TCBParts
	// MinimumLaunchTCB: every component of LAUNCH_TCB must be at least this
	// (FMC as for MinimumTCB).
	MinimumLaunchTCB *snp.TCBParts
	// RequireCommittedTCB: COMMITTED_TCB must equal CURRENT_TCB and the
	// committed firmware version the current one (no provisional firmware).
	RequireCommittedTCB bool
	// MinimumFirmware: CURRENT major.minor and build must be at least this.
	MinimumFirmware *snp.FirmwareVersion
	// MinimumGuestSVN: GUEST_SVN must be at least this.
	MinimumGuestSVN uint32
	// MinimumABI: the policy's ABI_MAJOR.ABI_MINOR must be at least this.
	MinimumABI *ABIVersion

	// Guest policy flags. Zero values allow; set to refuse.
	DenyDebug     bool // refuse POLICY.DEBUG
	DenyMigrateMA bool // refuse POLICY.MIGRATE_MA
	DenySMT       bool // refuse POLICY.SMT (SMT allowed)
	// RequireSingleSocket requires POLICY.SINGLE_SOCKET.
	RequireSingleSocket bool
	// PolicyRequired and PolicyForbidden are raw POLICY bit masks that must be
	// set, or clear, for any bit not named above.
	PolicyRequired, PolicyForbidden snp.Policy

	// VMPL, if not nil, is the only VMPL accepted.
	VMPL *uint32
	// MaxVMPL, if not nil, is the highest VMPL accepted.
	MaxVMPL *uint32

	// PlatformRequired and PlatformForbidden are PLATFORM_INFO bit masks
	// (snp.PlatformInfo: bit 0 SMT_EN, 1 TSME_EN, …) that must be set, or clear.
	PlatformRequired, PlatformForbidden snp.PlatformInfo
	// RejectUnknownPlatformInfo refuses PLATFORM_INFO bits above bit 7.
	// Bit 6, which Turin sets, is known.
	RejectUnknownPlatformInfo bool

	// RequireReservedZero runs the report's strict reserved-bytes check.
	RequireReservedZero bool
}

// tcbMinimum returns the minimum m (the policy's field named field) as it
// applies to product p: on Turin the FMC component is always compared, on
// products without one a non-zero FMC minimum is an [ErrPolicyInvalid]
// error. A policy file's {"FMC": 9} sets FMC without HasFMC; both mean the
// same.
func tcbMinimum(field string, m snp.TCBParts, p snp.Product) (snp.TCBParts, error) {
	if p == snp.Turin {
		m.HasFMC = true
		return m, nil
	}
	if m.FMC != 0 {
		return m, fmt.Errorf("%w: %s.FMC: minimum %d, but %v has no FMC component (Turin only)", ErrPolicyInvalid, field, m.FMC, p)
	}
	m.HasFMC = false
	return m, nil
}

// ABIVersion is a SEV-SNP ABI version, major.minor.
type ABIVersion struct{ Major, Minor uint8 }

// Check applies the policy to report r of product p. Errors wrap [ErrPolicy]
// (the report fails a check) or [ErrPolicyInvalid] (a check does not apply
// to p).
func (pol *Policy) Check(r snp.Report, p snp.Product) error {
	if pol == nil {
		return nil
	}
	fail := func(field, format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrPolicy, field, fmt.Sprintf(format, a...))
	}
	if pol.RequireReservedZero {
		if err := r.CheckReserved(); err != nil {
			return fmt.Errorf("%w: reserved: %w", ErrPolicy, err)
		}
	}
	if m := pol.MinimumTCB; m != nil {
		min, err := tcbMinimum("MinimumTCB", *m, p)
		if err != nil {
			return err
		}
		for _, t := range []struct {
			name string
			v    snp.TCBVersion
		}{{"REPORTED_TCB", r.ReportedTCB()}, {"CURRENT_TCB", r.CurrentTCB()}} {
			got := t.v.Parts(p)
			if ok, comp := got.AtLeast(min); !ok {
				return fail(t.name, "%s %v below minimum %v", comp, got, min)
			}
		}
	}
	if m := pol.MinimumLaunchTCB; m != nil {
		min, err := tcbMinimum("MinimumLaunchTCB", *m, p)
		if err != nil {
			return err
		}
		got := r.LaunchTCB().Parts(p)
		if ok, comp := got.AtLeast(min); !ok {
			return fail("LAUNCH_TCB", "%s %v below minimum %v", comp, got, min)
		}
	}
	if pol.RequireCommittedTCB {
		if r.CommittedTCB() != r.CurrentTCB() {
			return fail("COMMITTED_TCB", "%v differs from CURRENT_TCB %v", r.CommittedTCB().Parts(p), r.CurrentTCB().Parts(p))
		}
		if r.CommittedVersion() != r.CurrentVersion() {
			return fail("COMMITTED_VERSION", "%v differs from CURRENT_VERSION %v", r.CommittedVersion(), r.CurrentVersion())
		}
	}
	if m := pol.MinimumFirmware; m != nil && r.CurrentVersion().Less(*m) {
		return fail("CURRENT_VERSION", "%v below minimum %v", r.CurrentVersion(), *m)
	}
	if r.GuestSVN() < pol.MinimumGuestSVN {
		return fail("GUEST_SVN", "%d below minimum %d", r.GuestSVN(), pol.MinimumGuestSVN)
	}
	gp := r.Policy()
	if m := pol.MinimumABI; m != nil {
		if gp.ABIMajor() < m.Major || (gp.ABIMajor() == m.Major && gp.ABIMinor() < m.Minor) {
			return fail("POLICY.ABI", "%d.%d below minimum %d.%d", gp.ABIMajor(), gp.ABIMinor(), m.Major, m.Minor)
		}
	}
	switch {
	case pol.DenyDebug && gp.Debug():
		return fail("POLICY.DEBUG", "debugging allowed (policy %#x)", uint64(gp))
	case pol.DenyMigrateMA && gp.MigrateMA():
		return fail("POLICY.MIGRATE_MA", "migration agent allowed (policy %#x)", uint64(gp))
	case pol.DenySMT && gp.SMT():
		return fail("POLICY.SMT", "SMT allowed (policy %#x)", uint64(gp))
	case pol.RequireSingleSocket && !gp.SingleSocket():
		return fail("POLICY.SINGLE_SOCKET", "not set (policy %#x)", uint64(gp))
	case gp&pol.PolicyRequired != pol.PolicyRequired:
		return fail("POLICY", "%#x lacks required bits %#x", uint64(gp), uint64(pol.PolicyRequired&^gp))
	case gp&pol.PolicyForbidden != 0:
		return fail("POLICY", "%#x has forbidden bits %#x", uint64(gp), uint64(gp&pol.PolicyForbidden))
	}
	if pol.VMPL != nil && r.VMPL() != *pol.VMPL {
		return fail("VMPL", "%d, want %d", r.VMPL(), *pol.VMPL)
	}
	if pol.MaxVMPL != nil && r.VMPL() > *pol.MaxVMPL {
		return fail("VMPL", "%d above maximum %d", r.VMPL(), *pol.MaxVMPL)
	}
	pi := r.PlatformInfo()
	switch {
	case pi&pol.PlatformRequired != pol.PlatformRequired:
		return fail("PLATFORM_INFO", "%#x lacks required bits %#x", uint64(pi), uint64(pol.PlatformRequired&^pi))
	case pi&pol.PlatformForbidden != 0:
		return fail("PLATFORM_INFO", "%#x has forbidden bits %#x", uint64(pi), uint64(pi&pol.PlatformForbidden))
	case pol.RejectUnknownPlatformInfo && pi&^snp.KnownPlatformInfoBits != 0:
		return fail("PLATFORM_INFO", "%#x has unknown bits %#x", uint64(pi), uint64(pi&^snp.KnownPlatformInfoBits))
	}
	return nil
}
