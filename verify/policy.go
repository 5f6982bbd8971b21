// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
)

// ErrPolicyFile reports an appraisal policy that does not parse or asks for
// something that cannot be (an unknown key, an unknown TCB status).
var ErrPolicyFile = errors.New("verify: malformed appraisal policy")

// MaxPolicySize bounds a policy document.
const MaxPolicySize = 1 << 20

// Policy is an appraisal policy as data: what a verdict may accept beyond the
// strict defaults. Its zero value is the strict default: only UpToDate is
// genuine TDX hardware, CRLs optional (revocation not checked is at most a
// warning), debug guests contraindicated, no SNP guest checks, software
// appraised against reference values when there are any.
//
// As JSON (ParsePolicy; unknown keys are refused so that a misspelt check
// cannot pass silently):
//
//	{
//	  "tdx": {
//	    "accept_tcb_status": ["SWHardeningNeeded"],
//	    "accept_advisories": ["INTEL-SA-00837"],
//	    "reject_tcb_status": ["OutOfDate"]
//	  },
//	  "snp": {"MinimumTCB": {"BootLoader": 3, "SNP": 20, "Microcode": 209}, "DenyDebug": true},
//	  "require_crls": true,
//	  "require_collateral": true,
//	  "allow_debug": false,
//	  "max_collateral_age": "720h",
//	  "min_tcb_eval_num": 17,
//	  "hardware_only": false
//	}
type Policy struct {
	TDX TDXPolicy `json:"tdx"`
	// SNP is checked on SEV-SNP reports proven genuine (certs/amd.Policy,
	// with its Go field names as keys).
	SNP *amd.Policy `json:"snp,omitempty"`
	// RequireCRLs, RequireCollateral, AllowDebug, MaxCollateralAge and
	// MinTCBEvaluationDataNumber set the Options of the same names (a
	// policy can only make them stricter than the caller's Options, except
	// AllowDebug, which it may grant).
	RequireCRLs                bool     `json:"require_crls,omitempty"`
	RequireCollateral          bool     `json:"require_collateral,omitempty"`
	AllowDebug                 bool     `json:"allow_debug,omitempty"`
	MaxCollateralAge           Duration `json:"max_collateral_age,omitempty"`
	MinTCBEvaluationDataNumber int      `json:"min_tcb_eval_num,omitempty"`
	// HardwareOnly accepts a verdict with no reference values for the
	// evidence's software as affirming: genuine hardware alone. By default
	// such a verdict is at most warning ("software not appraised").
	HardwareOnly bool `json:"hardware_only,omitempty"`

	id string // sha256 of the document it was parsed from
}

// TDXPolicy says which TCB statuses a TDX verdict accepts.
type TDXPolicy struct {
	// AcceptTCBStatus lists TCB statuses, besides UpToDate, judged genuine
	// hardware (affirming): e.g. SWHardeningNeeded when the TD's software
	// carries the mitigations.
	AcceptTCBStatus []string `json:"accept_tcb_status,omitempty"`
	// AcceptAdvisories, when set, restricts AcceptTCBStatus: a status is
	// accepted only when every advisory ID of the platform is listed.
	AcceptAdvisories []string `json:"accept_advisories,omitempty"`
	// RejectTCBStatus lists statuses that fail the verdict (ErrPolicy)
	// rather than warn.
	RejectTCBStatus []string `json:"reject_tcb_status,omitempty"`
}

// Duration is a time.Duration written in JSON as Go writes it ("720h").
type Duration time.Duration

// UnmarshalJSON reads "720h", "30m", …
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration such as \"720h\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: want a positive Go duration such as \"720h\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as "720h0m0s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// ParsePolicy reads a policy document (see [Policy]). Unknown keys, unknown
// TCB statuses and trailing data are ErrPolicyFile errors naming them. The
// policy's ID is the SHA-256 of the document.
func ParsePolicy(b []byte) (*Policy, error) {
	if len(b) > MaxPolicySize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrPolicyFile, len(b), MaxPolicySize)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var p Policy
	if err := d.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicyFile, err)
	}
	if d.More() {
		return nil, fmt.Errorf("%w: data after the policy object", ErrPolicyFile)
	}
	for _, list := range [][]string{p.TDX.AcceptTCBStatus, p.TDX.RejectTCBStatus} {
		for _, s := range list {
			// Revoked and TCBNotSupported always fail: no policy lists them.
			if st := intel.ParseTCBStatus(s); st.String() != s || st == intel.Revoked || st == intel.TCBNotSupported {
				return nil, fmt.Errorf("%w: tdx: TCB status %q: want one of Intel's statuses a policy can accept or reject (UpToDate, SWHardeningNeeded, ConfigurationNeeded, OutOfDate, TDRelaunchAdvised, …)", ErrPolicyFile, s)
			}
		}
	}
	for _, s := range p.TDX.AcceptTCBStatus {
		if slices.Contains(p.TDX.RejectTCBStatus, s) {
			return nil, fmt.Errorf("%w: tdx: TCB status %s both accepted and rejected", ErrPolicyFile, s)
		}
	}
	if p.MinTCBEvaluationDataNumber < 0 {
		return nil, fmt.Errorf("%w: min_tcb_eval_num %d", ErrPolicyFile, p.MinTCBEvaluationDataNumber)
	}
	sum := sha256.Sum256(b)
	p.id = "sha256:" + hex.EncodeToString(sum[:])
	return &p, nil
}

// ID names the policy in the EAR (ear.appraisal-policy-id): the SHA-256 of
// the document it was parsed from, or of its JSON encoding when built in Go.
func (p *Policy) ID() string {
	if p.id != "" {
		return p.id
	}
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// apply returns opts with the policy's settings folded in.
func (p *Policy) apply(opts Options) Options {
	opts.RequireCRLs = opts.RequireCRLs || p.RequireCRLs
	opts.RequireCollateral = opts.RequireCollateral || p.RequireCollateral
	opts.AllowDebug = opts.AllowDebug || p.AllowDebug
	if d := time.Duration(p.MaxCollateralAge); d > 0 && (opts.MaxCollateralAge == 0 || d < opts.MaxCollateralAge) {
		opts.MaxCollateralAge = d
	}
	opts.Intel.MinTCBEvaluationDataNumber = max(opts.Intel.MinTCBEvaluationDataNumber, p.MinTCBEvaluationDataNumber)
	opts.RefValues.HardwareOnly = opts.RefValues.HardwareOnly || p.HardwareOnly
	if p.SNP != nil && opts.AMD.Policy == nil {
		opts.AMD.Policy = p.SNP
	}
	return opts
}

// judgeTCBStatus applies the TDX part of the policy to an evaluated status:
// accepted (hardware genuine), rejected (an error), or neither.
func (p *TDXPolicy) judgeTCBStatus(status intel.TCBStatus, advisories []string) (accepted bool, err error) {
	name := status.String()
	if slices.Contains(p.RejectTCBStatus, name) {
		return false, fmt.Errorf("%w: TCB status %s is rejected by the policy (tdx.reject_tcb_status)", ErrPolicy, name)
	}
	if !slices.Contains(p.AcceptTCBStatus, name) {
		return false, nil
	}
	if len(p.AcceptAdvisories) > 0 {
		var other []string
		for _, a := range advisories {
			if !slices.Contains(p.AcceptAdvisories, a) {
				other = append(other, a)
			}
		}
		if len(other) > 0 {
			return false, fmt.Errorf("advisories %s are not in tdx.accept_advisories", strings.Join(other, ", "))
		}
	}
	return true, nil
}
