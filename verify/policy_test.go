// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	"github.com/veraison/ear"
)

func TestParsePolicy(t *testing.T) {
	p, err := verify.ParsePolicy([]byte(`{"tdx": {"accept_tcb_status": ["SWHardeningNeeded"], "accept_advisories": ["INTEL-SA-00837"],
		"reject_tcb_status": ["OutOfDate"]}, "snp": {"DenyDebug": true, "MinimumTCB": {"SNP": 8}},
		"require_crls": true, "max_collateral_age": "720h", "min_tcb_eval_num": 17, "hardware_only": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if !p.RequireCRLs || time.Duration(p.MaxCollateralAge) != 720*time.Hour || p.MinTCBEvaluationDataNumber != 17 || p.SNP == nil || !p.SNP.DenyDebug || !p.HardwareOnly {
		t.Errorf("parsed %+v", p)
	}
	if !strings.HasPrefix(p.ID(), "sha256:") || len(p.ID()) != 7+64 {
		t.Errorf("ID %q", p.ID())
	}
	for _, tt := range []struct{ doc, want string }{
		{`{"requre_crls": true}`, `unknown field "requre_crls"`},
		{`{"tdx": {"accept_tcb_status": ["UpToDat"]}}`, `"UpToDat"`},
		{`{"tdx": {"accept_tcb_status": ["Revoked"]}}`, `"Revoked"`},
		{`{"tdx": {"accept_tcb_status": ["TCBNotSupported"]}}`, `"TCBNotSupported"`},
		{`{"tdx": {"accept_tcb_status": ["OutOfDate"], "reject_tcb_status": ["OutOfDate"]}}`, "both accepted and rejected"},
		{`{"max_collateral_age": "a month"}`, `"a month"`},
		{`{"max_collateral_age": "-1h"}`, `"-1h"`},
		{`{"min_tcb_eval_num": -1}`, "min_tcb_eval_num -1"},
		{`{"snp": {"DenyDebugging": true}}`, `unknown field "DenyDebugging"`},
		{`{} {}`, "data after the policy"},
		{`[]`, "cannot unmarshal array"},
	} {
		if _, err := verify.ParsePolicy([]byte(tt.doc)); !errors.Is(err, verify.ErrPolicyFile) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrPolicyFile naming %s", tt.doc, err, tt.want)
		}
	}
}

// generated returns a generated case's evidence and the options that
// verify it (testvectors/data).
func generated(t *testing.T, id string) ([]byte, verify.Options) {
	t.Helper()
	const dir = "../testvectors/data"
	m, err := testvectors.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Cases {
		if c.ID != id {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, c.Evidence))
		if err != nil {
			t.Fatal(err)
		}
		opts := verify.Options{Offline: true, Time: c.At}
		for _, p := range c.Collateral {
			opts.Collateral = append(opts.Collateral, filepath.Join(dir, p))
		}
		if c.Roots.Intel != "" {
			opts.Intel.Roots = pemFile(t, filepath.Join(dir, c.Roots.Intel))
		}
		if c.Roots.AMD != "" {
			opts.AMD.Roots = pemFile(t, filepath.Join(dir, c.Roots.AMD))
		}
		return raw, opts
	}
	t.Fatalf("no generated case %s", id)
	return nil, verify.Options{}
}

func pemFile(t *testing.T, path string) []*x509.Certificate {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

// TestPolicyTCBStatus: a platform that needs software hardening (advisory
// INTEL-SA-90001, CRLs checked), judged by the strict default, accepted by
// a policy, accepted only with its advisories, and rejected.
func TestPolicyTCBStatus(t *testing.T) {
	raw, base := generated(t, "tdx-v4-swhardeningneeded")
	base.RefValues.HardwareOnly = true // the hardware verdict is under test
	run := func(doc string) (*verify.Result, error) {
		opts := base
		if doc != "" {
			p, err := verify.ParsePolicy([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			opts.Policy = p
		}
		return verify.Evidence(context.Background(), raw, opts)
	}
	r, err := run("")
	if err != nil || r.Status != ear.TrustTierWarning || r.Vector.Hardware != ear.UnsafeHardwareClaim {
		t.Fatalf("default: %v, %v, hardware %v", r.Status, err, r.Vector.Hardware)
	}
	r, err = run(`{"tdx": {"accept_tcb_status": ["SWHardeningNeeded"]}}`)
	if err != nil || r.Status != ear.TrustTierAffirming || !strings.Contains(strings.Join(r.Reasons, "\n"), "accepted by the policy") {
		t.Errorf("accepted: %v, %v, %v", r.Status, err, r.Reasons)
	}
	if got := r.EAR().Submods["tdx"].AppraisalPolicyID; got == nil || *got != r.PolicyID || r.PolicyID == "" {
		t.Errorf("ear.appraisal-policy-id %v, want %s", got, r.PolicyID)
	}
	r, err = run(`{"tdx": {"accept_tcb_status": ["SWHardeningNeeded"], "accept_advisories": ["INTEL-SA-90001"]}}`)
	if err != nil || r.Status != ear.TrustTierAffirming {
		t.Errorf("accepted with its advisory: %v, %v", r.Status, err)
	}
	r, err = run(`{"tdx": {"accept_tcb_status": ["SWHardeningNeeded"], "accept_advisories": ["INTEL-SA-00001"]}}`)
	if err != nil || r.Status != ear.TrustTierWarning || !strings.Contains(strings.Join(r.Reasons, "\n"), "INTEL-SA-90001 are not in tdx.accept_advisories") {
		t.Errorf("advisory not listed: %v, %v, %v", r.Status, err, r.Reasons)
	}
	r, err = run(`{"tdx": {"reject_tcb_status": ["SWHardeningNeeded"]}}`)
	if !errors.Is(err, verify.ErrPolicy) || r.Status != ear.TrustTierContraindicated || !strings.Contains(err.Error(), "tdx.reject_tcb_status") {
		t.Errorf("rejected: %v, %v", r.Status, err)
	}
}

// TestPolicySettings: a policy's settings reach the verification: its SNP
// part refuses go-sev-guest's debug guest even with AllowDebug, and
// require_crls fails a report without a CRL.
func TestPolicySettings(t *testing.T) {
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	col := writeTemp(t, "vcek.der", gsgdata.VcekBytes)
	raw := gsgdata.AttestationBytes[:1184]
	p, _ := verify.ParsePolicy([]byte(`{"snp": {"DenyDebug": true}}`))
	_, err := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at, Collateral: []string{col}, AllowDebug: true, Policy: p})
	if !errors.Is(err, verify.ErrPolicy) || !errors.Is(err, amd.ErrPolicy) {
		t.Errorf("snp.DenyDebug: %v", err)
	}
	p, _ = verify.ParsePolicy([]byte(`{"require_crls": true, "allow_debug": true}`))
	_, err = verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at, Collateral: []string{col}, Policy: p})
	if !errors.Is(err, amd.ErrCollateralMissing) {
		t.Errorf("require_crls: %v, want amd.ErrCollateralMissing", err)
	}
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := t.TempDir() + "/" + name
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
