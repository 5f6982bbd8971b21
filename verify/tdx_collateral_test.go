// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// The generated TDX catalog (testvectors/data): an UpToDate quote under a
// test Intel PKI, its collateral directories, and the case time.
const tvData = "../testvectors/data"

var tvAt = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

func tvFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tvData, filepath.FromSlash(rel)))
	if err != nil {
		t.Skipf("generated vectors: %v", err)
	}
	return b
}

func tvIntelRoots(t *testing.T) []*x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(tvFile(t, "intel/root.pem"))
	if blk == nil {
		t.Fatal("intel/root.pem: no PEM")
	}
	root, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return []*x509.Certificate{root}
}

func tvDir(rel string) string { return filepath.Join(tvData, filepath.FromSlash(rel)) }

// errClass names the sentinel classes of err, for comparing two verdicts.
func errClass(err error) []bool {
	var out []bool
	for _, s := range []error{verify.ErrFormat, verify.ErrEvidence, verify.ErrGenuine, verify.ErrCollateral, verify.ErrTCB, verify.ErrPolicy, verify.ErrUnavailable} {
		out = append(out, errors.Is(err, s))
	}
	return out
}

// TestTDXCollateralNothingForIntel: offline, collateral that holds nothing
// for Intel (an SNP folder in a mixed audit: AMD certificates and CRLs) gives
// the same verdict as no collateral at all. Less input never gives a better
// verdict, so irrelevant input must not give a worse one either.
func TestTDXCollateralNothingForIntel(t *testing.T) {
	snpDir := t.TempDir()
	for _, f := range []string{"amd/milan/ark.pem", "amd/milan/chain/cert_chain.pem", "amd/milan/chain/vlek_cert_chain.pem"} {
		if err := os.WriteFile(filepath.Join(snpDir, filepath.Base(f)), tvFile(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	crls, _ := filepath.Glob(tvDir("amd/milan/crl/good/*"))
	for _, f := range crls {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(snpDir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) // inside both embedded quotes' PCK validity
	for name, raw := range map[string][]byte{"v4": gtdata.RawQuote, "v5": gtdata.RawQuoteV5} {
		t.Run(name, func(t *testing.T) {
			none, errNone := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at})
			snp, errSNP := verify.Evidence(context.Background(), raw, verify.Options{Offline: true, Time: at, Collateral: []string{snpDir}})
			if none.Status != snp.Status || none.Vector != snp.Vector || !slicesEqual(errClass(errNone), errClass(errSNP)) {
				t.Fatalf("no collateral: %v %+v %v; SNP-only collateral: %v %+v %v", none.Status, none.Vector, errNone, snp.Status, snp.Vector, errSNP)
			}
			if none.Status != ear.TrustTierWarning || errNone != nil {
				t.Errorf("no collateral: %v, %v; want warning, no error", none.Status, errNone)
			}
		})
	}
}

func slicesEqual(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// forgedDir writes, into a temporary directory, a CRL carrying the Platform
// CA's name (the generated names are the same byte for byte) under another
// key, with a thisUpdate newer than the genuine one's.
func forgedDir(t *testing.T) string {
	t.Helper()
	f := testvectors.NewIntelPKI(testvectors.NewSeed(t.Name()), "forger")
	dir := t.TempDir()
	crl := f.IntelCRL(f.PlatformCA, f.PlatformKey, tvAt.Add(-time.Hour), tvAt.AddDate(0, 0, 20))
	if err := os.WriteFile(filepath.Join(dir, "pck-crl-forged.der"), crl, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func hasReason(r *verify.Result, words ...string) bool {
	for _, s := range r.Reasons {
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestTDXCollateralRejectedNamed: a forged PCK CRL (the Platform CA's name,
// a newer thisUpdate) beside the genuine one does not fail a genuine quote:
// the genuine CRL is used, revocation is checked, and a reason names the
// forged one. Alone, the forged CRL is as good as none.
func TestTDXCollateralRejectedNamed(t *testing.T) {
	raw := tvFile(t, "tdx/tdx-v4-platform-uptodate.quote")
	roots := tvIntelRoots(t)
	forged := forgedDir(t)
	opts := verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true}, Offline: true, Time: tvAt, Intel: verify.IntelOptions{Roots: roots},
		Collateral: []string{forged, tvDir("intel/tcb/good"), tvDir("intel/crl/good")}}
	r, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil || r.Status != ear.TrustTierAffirming || r.Claims["revocation_checked"] != true {
		t.Fatalf("%v %v, revocation checked %v; reasons %q", r.Status, err, r.Claims["revocation_checked"], r.Reasons)
	}
	if !hasReason(r, "PCK platform CA CRL", "not used", "signature") {
		t.Errorf("reasons %q do not name the forged CRL", r.Reasons)
	}

	// Alone (with the genuine Root CA CRL): revocation not checked, a warning
	// naming the forged CRL; CRLs required: the forged CRL's signature error.
	dir := t.TempDir()
	for _, f := range []string{"root-crl.der", "pck-ca-chain.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), tvFile(t, "intel/crl/good/"+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts.Collateral = []string{forged, tvDir("intel/tcb/good"), dir}
	r, err = verify.Evidence(context.Background(), raw, opts)
	if err != nil || r.Status != ear.TrustTierWarning || r.Claims["revocation_checked"] != false || r.Vector.Hardware != ear.NoClaim {
		t.Fatalf("forged CRL alone: %v %v hardware %v; reasons %q", r.Status, err, r.Vector.Hardware, r.Reasons)
	}
	if !hasReason(r, "PCK platform CA CRL", "not used") || !hasReason(r, "revocation not checked") {
		t.Errorf("reasons %q", r.Reasons)
	}
	opts.RequireCRLs = true
	if _, err = verify.Evidence(context.Background(), raw, opts); !errors.Is(err, verify.ErrCollateral) || !errors.Is(err, intel.ErrCollateralSignature) {
		t.Errorf("forged CRL alone, CRLs required: %v, want ErrCollateral and intel.ErrCollateralSignature", err)
	}
}

// TestTDXExpiredCRLIsNoCRL: a PCK CRL past its nextUpdate, alone, is as good
// as none: revocation not checked (a warning, hardware AR4SI 0) and the
// expired CRL named, not a failure that removing the file would turn into a
// warning.
func TestTDXExpiredCRLIsNoCRL(t *testing.T) {
	raw := tvFile(t, "tdx/tdx-v4-platform-uptodate.quote")
	opts := verify.Options{RefValues: verify.RefValueOptions{HardwareOnly: true}, Offline: true, Time: tvAt, Intel: verify.IntelOptions{Roots: tvIntelRoots(t)},
		Collateral: []string{tvDir("intel/tcb/good"), tvDir("intel/crl/expired-pck-crl")}}
	r, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil || r.Status != ear.TrustTierWarning || r.Vector.Hardware != ear.NoClaim || r.Claims["revocation_checked"] != false {
		t.Fatalf("%v %v hardware %v; reasons %q", r.Status, err, r.Vector.Hardware, r.Reasons)
	}
	if !hasReason(r, "PCK platform CA CRL", "not used", "expired") {
		t.Errorf("reasons %q do not name the expired CRL", r.Reasons)
	}
	opts.RequireCRLs = true
	if _, err := verify.Evidence(context.Background(), raw, opts); !errors.Is(err, verify.ErrCollateral) || !errors.Is(err, intel.ErrCollateralExpired) {
		t.Errorf("CRLs required: %v, want ErrCollateral and intel.ErrCollateralExpired", err)
	}
}

// TestTDXPCSUnavailable: online, a PCS that cannot give the collateral
// (unreachable, 5xx, 429, 404 for the FMSPC) is a check the verifier could
// not make: ErrUnavailable, hardware -1 (verifier malfunction), never a
// verdict on the evidence.
func TestTDXPCSUnavailable(t *testing.T) {
	raw := tvFile(t, "tdx/tdx-v4-platform-uptodate.quote")
	roots := tvIntelRoots(t)
	dead := httptest.NewServer(nil)
	dead.Close()
	for _, tc := range []struct {
		name string
		url  string
	}{
		{"unreachable", dead.URL},
		{"503", statusServer(t, http.StatusServiceUnavailable)},
		{"429", statusServer(t, http.StatusTooManyRequests)},
		{"404", statusServer(t, http.StatusNotFound)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := verify.Evidence(context.Background(), raw, verify.Options{Time: tvAt,
				Intel: verify.IntelOptions{Roots: roots, PCS: &intel.Client{BaseURL: tc.url, Timeout: 5 * time.Second}}})
			if !errors.Is(err, verify.ErrUnavailable) || !errors.Is(err, intel.ErrCollateralFetch) || !errors.Is(err, verify.ErrCollateral) {
				t.Errorf("error %v, want ErrUnavailable, ErrCollateral and intel.ErrCollateralFetch", err)
			}
			if r.Vector.Hardware != ear.VerifierMalfunctionClaim || r.Status == ear.TrustTierAffirming {
				t.Errorf("hardware %v status %v, want -1", r.Vector.Hardware, r.Status)
			}
		})
	}
}

func statusServer(t *testing.T, code int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }))
	t.Cleanup(srv.Close)
	return srv.URL
}
