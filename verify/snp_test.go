// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
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
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	gsgdata "github.com/google/go-sev-guest/verify/testdata"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// TestSNPCases runs every real SEV-SNP case of cases.json, offline, with its
// collateral at its time, and checks the status and revocation check the
// case expects. A case whose evidence is a container (Trustee's evidence
// JSON) is passed whole, as users hold it: the VCEK inside is the
// container's.
func TestSNPCases(t *testing.T) {
	for _, c := range vectors.Cases(t, "snp-") {
		t.Run(c.ID, func(t *testing.T) {
			raw := c.EvidenceBytes(t)
			col := append(c.CollateralPaths(t), embeddedCollateral(t, c)...)
			want := verify.FormatSNP
			if c.Container != "" {
				raw, col, want = vectors.Read(t, c.Evidence), c.CollateralPaths(t), verify.FormatAzSNPvTPM
			} else if len(raw) > snp.ReportSize {
				raw = raw[:snp.ReportSize] // wrapped reports carry more after the report
			}
			r, err := verify.Evidence(context.Background(), raw, verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true},
				Offline: true, Time: c.At, Collateral: col,
			})
			if r.Format != want {
				t.Fatalf("format %q, want %q (%v)", r.Format, want, err)
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
			if want := c.Expect.Status; want != "" && r.Status.String() != want {
				t.Errorf("status %v, want %s: %v", r.Status, want, r.Reasons)
			}
			if want := c.Expect.RevocationChecked; want != nil && r.Claims["crl_checked"] != *want {
				t.Errorf("crl_checked %v, want %v", r.Claims["crl_checked"], *want)
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
				// The folder holds nothing for Intel: as without collateral, never affirming.
				if r, err := v.Evidence(context.Background(), gtdata.RawQuote); r.Status == ear.TrustTierAffirming {
					t.Errorf("a 2023 quote affirmed at 2025-06 without collateral for it (%v)", err)
				}
			}
		}()
	}
	wg.Wait()
}

// snpPKI is a Milan test PKI whose CAs carry AMD's names, and the key of its
// VCEKs and VLEKs.
var snpPKI = sync.OnceValues(func() (*testvectors.AMDPKI, *testvectors.Seed) {
	seed := testvectors.NewSeed("verify/snp_test")
	return testvectors.NewAMDPKI(seed, testvectors.Milan, amd.ARK(snp.Milan), amd.ASK(snp.Milan), amd.ASVK(snp.Milan)), seed
})

var (
	snpAt     = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	snpTCB    = testvectors.TCB{BootLoader: 3, SNP: 20, Microcode: 209}
	snpChip   = append([]byte("verify/snp_test chip"), make([]byte, 64-20)...)
	snpLeafNB = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	snpLeafNA = time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)
)

// snpSigned returns a Milan v3 report signed by a VCEK (or VLEK) of the test
// PKI, that certificate, and options trusting the test ARK at snpAt.
func snpSigned(t *testing.T, vlek bool) (report, leaf []byte, pki *testvectors.AMDPKI, opts verify.Options) {
	t.Helper()
	pki, seed := snpPKI()
	key := seed.ECKey(elliptic.P384(), "verify/snp_test leaf")
	chip := snpChip
	if vlek {
		chip = nil
	}
	tcb := snpTCB
	report = testvectors.BuildReport(seed, testvectors.ReportSpec{Version: 3, Product: testvectors.Milan, VLEK: vlek, Label: "verify/snp_test",
		Policy: 0x30000, Reported: &tcb, ChipID: chip, Key: key})
	leaf = pki.IssueLeaf(testvectors.LeafSpec{VLEK: vlek, TCB: tcb, ChipID: snpChip, CSPID: "test cloud", NotBefore: snpLeafNB, NotAfter: snpLeafNA, Key: key})
	return report, leaf, pki, verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true}, Offline: true, Time: snpAt, AMD: verify.AMDOptions{Roots: []*x509.Certificate{pki.ARK}}}
}

// TestSNPCertTableCRLNotChecked proves the issue's attack fails: a host puts
// the VCEK chain's current CRL (which does not list the ASVK) in the
// certificate table of a VLEK-signed report whose ASVK is revoked. The
// verdict is not affirming and says revocation was not checked.
func TestSNPCertTableCRLNotChecked(t *testing.T) {
	report, vlek, pki, opts := snpSigned(t, true)
	crl := pki.CRL(false, snpAt.AddDate(0, 0, -1), snpAt.AddDate(0, 0, 7)) // the ARK's, listing nothing
	ext := append(report, testvectors.CertTable([2][]byte{testvectors.GUIDVLEK, vlek}, [2][]byte{testvectors.GUIDASK, pki.ASVK.Raw},
		[2][]byte{testvectors.GUIDARK, pki.ARK.Raw}, [2][]byte{snp.GUIDCRL[:], crl})...)
	r, err := verify.Evidence(context.Background(), ext, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status == ear.TrustTierAffirming || r.Claims["crl_checked"] != false {
		t.Errorf("status %v, crl_checked %v: a CRL from the certificate table made revocation checked", r.Status, r.Claims["crl_checked"])
	}
	if r.Vector.Hardware != ear.NoClaim {
		t.Errorf("hardware %v, want 0 (revocation not checked)", r.Vector.Hardware)
	}
}

// TestSNPStaleCRLBesideCurrent proves an older CRL of the ARK kept next to the
// current one is no failure: the verdict is affirming and a reason names the
// stale one.
func TestSNPStaleCRLBesideCurrent(t *testing.T) {
	report, vcek, pki, opts := snpSigned(t, false)
	dir := t.TempDir()
	for name, b := range map[string][]byte{
		"vcek.der":       vcek,
		"cert_chain.pem": testvectors.PEM(pki.ASK, pki.ARK),
		"ark-old.crl":    pki.CRL(false, snpAt.AddDate(0, -3, 0), snpAt.AddDate(0, -2, 0)),
		"ark.crl":        pki.CRL(false, snpAt.AddDate(0, 0, -1), snpAt.AddDate(0, 0, 7)),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts.Collateral = []string{dir}
	r, err := verify.Evidence(context.Background(), report, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ear.TrustTierAffirming || r.Claims["crl_checked"] != true {
		t.Errorf("status %v, crl_checked %v, want affirming with revocation checked: %v", r.Status, r.Claims["crl_checked"], r.Reasons)
	}
	if !slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.Contains(s, "ark-old.crl") }) {
		t.Errorf("no reason names the stale CRL: %v", r.Reasons)
	}
	if want := snpAt.AddDate(0, 0, 7); !r.Expires.Equal(want) {
		t.Errorf("expires %v, want the current CRL's nextUpdate %v", r.Expires, want)
	}
}

// TestSNPExpiresFromCRL proves a verdict checked with AMD's real Milan CRL
// (nextUpdate 2026-05-12) expires then, not at the VCEK's notAfter (2030-04-03).
func TestSNPExpiresFromCRL(t *testing.T) {
	for _, c := range vectors.Cases(t, "snp-virtee-milan-v2-crl") {
		r, err := verify.Evidence(context.Background(), c.EvidenceBytes(t), verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true}, Offline: true, Time: c.At, Collateral: c.CollateralPaths(t)})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 5, 12, 0, 0, 0, 0, time.UTC); !r.Expires.Equal(want) {
			t.Errorf("expires %v, want %v (the CRL's nextUpdate)", r.Expires, want)
		}
		if r.Status != ear.TrustTierAffirming || r.Claims["crl_checked"] != true {
			t.Errorf("status %v, crl_checked %v", r.Status, r.Claims["crl_checked"])
		}
	}
}

// TestSNPKDSUnreachable proves that online, a KDS that cannot be reached
// leaves the verifier unable to judge: ErrUnavailable, hardware -1, not a
// "no VCEK" failure of the evidence.
func TestSNPKDSUnreachable(t *testing.T) {
	srv := httptest.NewServer(nil)
	srv.Close() // connection refused
	raw := gsgdata.AttestationBytes[:snp.ReportSize]
	r, err := verify.Evidence(context.Background(), raw, verify.Options{Time: snpAt, AMD: verify.AMDOptions{Product: snp.Milan,
		KDS: &amd.KDS{BaseURL: srv.URL}}})
	if !errors.Is(err, verify.ErrUnavailable) || !errors.Is(err, amd.ErrKDS) {
		t.Errorf("error %v, want ErrUnavailable and amd.ErrKDS", err)
	}
	if r.Vector.Hardware != ear.VerifierMalfunctionClaim || r.Status == ear.TrustTierAffirming {
		t.Errorf("hardware %v status %v, want -1", r.Vector.Hardware, r.Status)
	}
}

// TestSNPKDSRateLimited proves a KDS that answers 429 leaves the verifier
// unable to judge (ErrUnavailable, hardware -1), not a failure of the
// evidence.
func TestSNPKDSRateLimited(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	raw := gsgdata.AttestationBytes[:snp.ReportSize]
	r, err := verify.Evidence(context.Background(), raw, verify.Options{Time: snpAt, AMD: verify.AMDOptions{Product: snp.Milan,
		KDS: &amd.KDS{BaseURL: srv.URL, Client: srv.Client()}}})
	if !errors.Is(err, verify.ErrUnavailable) || !errors.Is(err, amd.ErrKDS) || errors.Is(err, verify.ErrGenuine) {
		t.Errorf("error %v, want ErrUnavailable and amd.ErrKDS, not ErrGenuine", err)
	}
	if r.Vector.Hardware != ear.VerifierMalfunctionClaim {
		t.Errorf("hardware %v, want -1", r.Vector.Hardware)
	}
}

// TestSNPOtherChipVCEK proves offline, a collateral VCEK of another chip is
// not what the report is checked against: the verdict says no VCEK matches
// the report's CHIP_ID (collateral missing), and online the KDS is asked for
// the report's own VCEK.
func TestSNPOtherChipVCEK(t *testing.T) {
	report, _, pki, opts := snpSigned(t, false)
	_, seed := snpPKI()
	other := pki.IssueLeaf(testvectors.LeafSpec{TCB: snpTCB, ChipID: bytes.Repeat([]byte{7}, 64), NotBefore: snpLeafNB, NotAfter: snpLeafNA,
		Key: seed.ECKey(elliptic.P384(), "verify/snp_test leaf")})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vcek.der"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Collateral = []string{dir}
	_, err := verify.Evidence(context.Background(), report, opts)
	if !errors.Is(err, amd.ErrCollateralMissing) || !strings.Contains(err.Error(), "no VCEK matches CHIP_ID") {
		t.Errorf("offline: %v, want ErrCollateralMissing naming the CHIP_ID", err)
	}
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	opts.Offline, opts.AMD.KDS = false, &amd.KDS{BaseURL: srv.URL, Client: srv.Client()}
	_, err = verify.Evidence(context.Background(), report, opts)
	if !slices.Contains(asked, "/vcek/v1/Milan/"+hexs(snpChip)) || !errors.Is(err, verify.ErrUnavailable) {
		t.Errorf("online: asked %v, error %v; want the report's VCEK asked for, ErrUnavailable on 404", asked, err)
	}
}

// TestSNPPolicyFMCMilan proves an FMC minimum cannot apply to a Milan report:
// the verdict is ErrPolicy wrapping amd.ErrPolicyInvalid, naming the field.
func TestSNPPolicyFMCMilan(t *testing.T) {
	report, vcek, pki, opts := snpSigned(t, false)
	dir := t.TempDir()
	for name, b := range map[string][]byte{"vcek.der": vcek, "cert_chain.pem": testvectors.PEM(pki.ASK, pki.ARK)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var pol amd.Policy
	if err := json.Unmarshal([]byte(`{"MinimumTCB":{"FMC":9}}`), &pol); err != nil {
		t.Fatal(err)
	}
	opts.Collateral, opts.AMD.Policy = []string{dir}, &pol
	r, err := verify.Evidence(context.Background(), report, opts)
	if !errors.Is(err, verify.ErrPolicy) || !errors.Is(err, amd.ErrPolicyInvalid) || !strings.Contains(err.Error(), "MinimumTCB.FMC") {
		t.Errorf("error %v, want ErrPolicy and amd.ErrPolicyInvalid naming MinimumTCB.FMC", err)
	}
	if r.Status != ear.TrustTierContraindicated {
		t.Errorf("status %v", r.Status)
	}
}
