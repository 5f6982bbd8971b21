// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
)

// TestSharedVectors runs the real vectors of ../shared/vectors (cases.json)
// through the same public API as the manifest, skipping when they are absent.
func TestSharedVectors(t *testing.T) {
	dir := vectors.Need(t)
	cases := vectors.Cases(t, "")
	n := 0
	for _, c := range cases {
		tee, _, _ := strings.Cut(c.ID, "-")
		if tee != "tdx" && tee != "snp" {
			continue
		}
		n++
		t.Run(c.ID, func(t *testing.T) {
			raw := c.EvidenceBytes(t)
			opts := sharedOptions(t, dir, c)
			res, err := verify.Evidence(context.Background(), raw, opts)
			if res == nil {
				t.Fatal("nil Result")
			}
			want := c.Expect.TCBStatus
			if got, _ := res.Claims["tcb_status"].(string); tee == "tdx" && got != want {
				t.Errorf("tcb_status %q, want %q (%v)", got, want, err)
			}
			if got := res.Claims["debug"]; got != nil && got != c.Expect.Debug {
				t.Errorf("debug claim %v, want %v", got, c.Expect.Debug)
			}
			switch {
			case c.Expect.Verifies && err != nil:
				t.Fatalf("want verified: %v", err)
			case c.Expect.Verifies:
				t.Logf("%s: %v", res.Status, strings.Join(res.Reasons, "; "))
				if c.Expect.Status != "" && res.Status.String() != c.Expect.Status {
					t.Errorf("status %s, want %s: %v", res.Status, c.Expect.Status, res.Reasons)
				}
				if rc := c.Expect.RevocationChecked; rc != nil && tee == "snp" && res.Claims["crl_checked"] != *rc {
					t.Errorf("crl_checked %v, want %v", res.Claims["crl_checked"], *rc)
				}
				if rc := c.Expect.RevocationChecked; rc != nil && tee == "tdx" && res.Claims["revocation_checked"] != *rc {
					t.Errorf("revocation_checked %v, want %v", res.Claims["revocation_checked"], *rc)
				}
			case err == nil:
				t.Fatalf("verified (%s), want failure: %s", res.Status, c.Expect.Failure)
			case tee == "tdx" && want == "TCBNotSupported":
				if !errors.Is(err, intel.ErrTCBNotSupported) || !errors.Is(err, verify.ErrTCB) {
					t.Errorf("error %v, want verify.ErrTCB and intel.ErrTCBNotSupported", err)
				}
			case tee == "snp":
				if !errors.Is(err, verify.ErrGenuine) || !errors.Is(err, amd.ErrChain) && !errors.Is(err, amd.ErrExtensionMismatch) {
					t.Errorf("error %v, want verify.ErrGenuine and amd.ErrChain or amd.ErrExtensionMismatch", err)
				}
			default:
				t.Errorf("unexpected failure %v (%s)", err, fmt.Sprint(c.Expect))
			}
		})
	}
	t.Logf("%d shared cases", n)
}

// sharedOptions are the verify options of a shared case: offline at its time,
// its collateral — the roles when given (whole files or JSON fields, as
// certs/intel's and certs/amd's tests read them), else the listed files.
func sharedOptions(t *testing.T, dir string, c vectors.Case) verify.Options {
	// cases.json's verdicts are the hardware's: no reference values.
	opts := verify.Options{Offline: true, Time: c.At, AllowDebug: c.Expect.Debug, RefValues: verify.RefValueOptions{HardwareOnly: true}}
	if len(c.CollateralRoles) == 0 {
		for _, p := range c.Collateral {
			opts.Collateral = append(opts.Collateral, filepath.Join(dir, filepath.FromSlash(p)))
		}
	}
	tmp := t.TempDir()
	for role, ref := range c.CollateralRoles {
		file, field, ok := strings.Cut(ref, "#")
		if !ok {
			opts.Collateral = append(opts.Collateral, filepath.Join(dir, filepath.FromSlash(file)))
			continue
		}
		b, err := vectors.Decode(vectors.Read(t, file), "json:"+field)
		if err != nil {
			t.Fatalf("%s: role %s: %v", c.ID, role, err)
		}
		p := filepath.Join(tmp, role)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		opts.Collateral = append(opts.Collateral, p)
	}
	return opts
}
