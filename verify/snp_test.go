// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// TestSNPCases runs every real SEV-SNP case of cases.json, offline, with its
// collateral at its time.
func TestSNPCases(t *testing.T) {
	for _, c := range vectors.Cases(t, "snp-") {
		t.Run(c.ID, func(t *testing.T) {
			raw := c.EvidenceBytes(t)
			if len(raw) > snp.ReportSize {
				raw = raw[:snp.ReportSize] // wrapped reports carry more after the report
			}
			r, err := verify.Evidence(context.Background(), raw, verify.Options{
				Offline: true, Time: c.At, Collateral: append(c.CollateralPaths(t), embeddedCollateral(t, c)...),
			})
			if r.Format != verify.FormatSNP {
				t.Fatalf("format %q", r.Format)
			}
			if !c.Expect.Verifies {
				if !errors.Is(err, verify.ErrGenuine) || !(errors.Is(err, amd.ErrChain) || errors.Is(err, amd.ErrExtensionMismatch)) {
					t.Errorf("error %v, want a chain or extension error", err)
				}
				if r.Status != ear.TrustTierContraindicated {
					t.Errorf("status %v", r.Status)
				}
				return
			}
			if c.Expect.Debug {
				if !errors.Is(err, verify.ErrPolicy) {
					t.Errorf("debug guest: error %v, want ErrPolicy", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if m := c.Fact("measurement"); m != "" && r.Claims["measurement"] != m {
				t.Errorf("measurement %v, want %s", r.Claims["measurement"], m)
			}
			switch {
			case c.Expect.Debug:
				if r.Status != ear.TrustTierContraindicated || r.Claims["policy_debug_allowed"] != true {
					t.Errorf("debug guest: %v, policy_debug_allowed %v", r.Status, r.Claims["policy_debug_allowed"])
				}
			case r.Status == ear.TrustTierContraindicated:
				t.Errorf("status %v: %v", r.Status, r.Reasons)
			}
			if r.Vector.Hardware == ear.GenuineHardwareClaim && r.Claims["crl_checked"] != true {
				t.Error("genuine hardware without a CRL check")
			}
		})
	}
}

// embeddedCollateral writes out the collateral a case's roles name inside a
// JSON file ("file.json#vcek": Trustee's Azure evidence carries the VCEK
// next to the report), for the cases whose collateral list lacks it.
func embeddedCollateral(t *testing.T, c vectors.Case) []string {
	var paths []string
	for role, ref := range c.CollateralRoles {
		file, field, ok := strings.Cut(ref, "#")
		if !ok || !strings.HasSuffix(file, ".json") || slices.Contains(c.Collateral, file) {
			continue
		}
		b, err := vectors.Decode(vectors.Read(t, file), "json:"+field)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		p := filepath.Join(t.TempDir(), role)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestVerifierConcurrent shares one Verifier between goroutines verifying
// TDX quotes and SNP reports (run under -race by .ci/run).
func TestVerifierConcurrent(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vcek"), gsgdata.VcekBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	v := verify.New(verify.Options{Offline: true, AllowDebug: true, Collateral: []string{dir},
		Time: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	ext := append(append([]byte(nil), gsgdata.AttestationBytes[:snp.ReportSize]...), gsgdata.AttestationBytes[snp.ReportSize:]...)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				r, err := v.Evidence(context.Background(), ext)
				if err != nil || r.Status != ear.TrustTierWarning {
					t.Errorf("snp: %v %v", r.Status, err)
					return
				}
				if _, err := v.Evidence(context.Background(), gtdata.RawQuote); err == nil {
					t.Error("a 2023 quote verified at 2025-06 without collateral for it")
				}
			}
		}()
	}
	wg.Wait()
}
