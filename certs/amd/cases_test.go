// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
)

// caseReport parses a case's report (wrapped reports with ParsePrefix).
func caseReport(t testing.TB, c vectors.Case) snp.Report {
	t.Helper()
	r, _, err := snp.ParsePrefix(c.EvidenceBytes(t))
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	return r
}

// caseCollateral reads the case's collateral files, "file.json#field" naming a
// JSON field, and recognizes them by content only.
func caseCollateral(t testing.TB, c vectors.Case) amd.Collateral {
	t.Helper()
	var blobs [][]byte
	files := append([]string(nil), c.Collateral...)
	for _, rel := range c.CollateralRoles {
		files = append(files, rel) // roles may name JSON fields the file list lacks
	}
	for _, rel := range files {
		file, field, _ := strings.Cut(rel, "#")
		b := vectors.Read(t, file)
		if field != "" {
			var err error
			if b, err = vectors.Decode(b, "json:"+field); err != nil {
				t.Fatalf("%s: %s: %v", c.ID, rel, err)
			}
		}
		blobs = append(blobs, b)
	}
	col, err := amd.ParseCollateral(blobs...)
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	return col
}

// caseExtra is what cases.json says of a case beyond internal/vectors' fields.
type caseExtra struct {
	Container string `json:"container"`
	Expect    struct {
		Status            string `json:"status"`
		RevocationChecked bool   `json:"revocation_checked"`
	} `json:"expect"`
}

// casesExtra reads those fields of every case, by id.
func casesExtra(t testing.TB) map[string]caseExtra {
	t.Helper()
	var all []struct {
		ID string `json:"id"`
		caseExtra
	}
	if err := json.Unmarshal(vectors.Read(t, "cases.json"), &all); err != nil {
		t.Fatal(err)
	}
	m := map[string]caseExtra{}
	for _, c := range all {
		m[c.ID] = c.caseExtra
	}
	return m
}

// TestCases proves every snp-* case of cases.json gives its expected outcome at
// its time: the real reports verify (Milan v2/v3, Genoa v3/v5 incl. model A0h,
// Turin v5, the AWS VLEK), with the product and signer of the case's facts, and
// the two reports paired with trustee's invalid VCEKs fail with a chain or
// extension error. Revocation is checked exactly in the cases that say so
// (AMD's real CRLs, "-crl"), not with another product's CRL, and a checked
// verdict expires no later than the CRL's nextUpdate.
func TestCases(t *testing.T) {
	cases := vectors.Cases(t, "snp-")
	if len(cases) == 0 {
		t.Fatal("no snp-* cases")
	}
	extra := casesExtra(t)
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			x := extra[c.ID]
			r := caseReport(t, c)
			col := caseCollateral(t, c)
			res, err := amd.VerifyReport(r, col, &amd.Options{Now: c.At})
			if !c.Expect.Verifies {
				if err == nil {
					t.Fatalf("verified, want failure (%s)", c.Expect.Failure)
				}
				if !errors.Is(err, amd.ErrChain) && !errors.Is(err, amd.ErrExtensionMismatch) {
					t.Fatalf("error %v, want ErrChain or ErrExtensionMismatch", err)
				}
				t.Logf("rejected: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("VerifyReport: %v", err)
			}
			if got := res.Product.String(); got != c.Fact("product") {
				t.Errorf("product %s, want %s", got, c.Fact("product"))
			}
			if got := res.SigningKey.String(); got != c.Fact("signer") {
				t.Errorf("signer %s, want %s", got, c.Fact("signer"))
			}
			cl := snp.Claims(r, res.Product)
			if cl["measurement"] != c.Fact("measurement") || cl["chip_id"] != c.Fact("chip_id") {
				t.Errorf("claims disagree with facts")
			}
			if c.Expect.Debug != cl["policy_debug_allowed"] {
				t.Errorf("debug %v, want %v", cl["policy_debug_allowed"], c.Expect.Debug)
			}
			if res.CRLChecked != x.Expect.RevocationChecked {
				t.Errorf("CRLChecked %v, want %v (notes %q)", res.CRLChecked, x.Expect.RevocationChecked, res.Notes)
			}
			certsExpire := res.Endorsement.Cert.NotAfter
			for _, x := range []*x509.Certificate{res.Intermediate, res.Root} {
				if x.NotAfter.Before(certsExpire) {
					certsExpire = x.NotAfter
				}
			}
			switch {
			case res.CRLChecked && !res.Expires.Before(certsExpire):
				t.Errorf("expires %v, at the certificates' %v: the CRL's nextUpdate does not bound it", res.Expires, certsExpire)
			case !res.CRLChecked && !res.Expires.Equal(certsExpire):
				t.Errorf("expires %v, want the certificates' %v", res.Expires, certsExpire)
			}
			// The same collateral one second after the VCEK/VLEK expires: ErrExpired.
			late := res.Endorsement.Cert.NotAfter.Add(time.Second)
			if _, err := amd.VerifyReport(r, col, &amd.Options{Now: late}); !errors.Is(err, amd.ErrExpired) {
				t.Errorf("at %v: %v, want ErrExpired", late, err)
			}
			early := res.Endorsement.Cert.NotBefore.Add(-time.Second)
			if _, err := amd.VerifyReport(r, col, &amd.Options{Now: early}); !errors.Is(err, amd.ErrExpired) {
				t.Errorf("at %v: %v, want ErrExpired", early, err)
			}
			// Without the VCEK/VLEK: ErrCollateralMissing.
			if _, err := amd.VerifyReport(r, amd.Collateral{Certs: col.Certs}, &amd.Options{Now: c.At}); !errors.Is(err, amd.ErrCollateralMissing) {
				t.Errorf("no VCEK: %v, want ErrCollateralMissing", err)
			}
			// Pinned roots alone suffice: the chain files are not needed.
			if _, err := amd.VerifyReport(r, amd.Collateral{VCEK: col.VCEK, VLEK: col.VLEK, CRLs: col.CRLs}, &amd.Options{Now: c.At}); err != nil {
				t.Errorf("without chain files: %v", err)
			}
			// RequireCRL: passes exactly when revocation is checked.
			_, err = amd.VerifyReport(r, col, &amd.Options{Now: c.At, RequireCRL: true})
			switch {
			case res.CRLChecked && err != nil:
				t.Errorf("RequireCRL: %v", err)
			case !res.CRLChecked && !errors.Is(err, amd.ErrCollateralMissing):
				t.Errorf("RequireCRL: %v, want ErrCollateralMissing", err)
			}
			// The case's CRL inside a certificate table (the evidence) checks nothing.
			if len(col.CRLs) > 0 {
				ents := map[snp.GUID][]byte{snp.GUIDCRL: col.CRLs[0].DER}
				if col.VCEK != nil {
					ents[snp.GUIDVCEK] = col.VCEK
				} else {
					ents[snp.GUIDVLEK] = col.VLEK
				}
				tc, err := amd.ParseCollateral(certTable(ents))
				if err != nil {
					t.Fatal(err)
				}
				if res, err := amd.VerifyReport(r, tc, &amd.Options{Now: c.At}); err != nil || res.CRLChecked {
					t.Errorf("CRL from a certificate table: %v, checked %v", err, err == nil && res.CRLChecked)
				}
			}
		})
	}
}

// TestExpiresRealCRL proves a verdict checked with AMD's real Milan CRL
// (nextUpdate 2026-05-12) expires then, not at the VCEK's notAfter
// (2030-04-03).
func TestExpiresRealCRL(t *testing.T) {
	for _, c := range vectors.Cases(t, "snp-virtee-milan-v2-crl") {
		res, err := amd.VerifyReport(caseReport(t, c), caseCollateral(t, c), &amd.Options{Now: c.At})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 5, 12, 0, 0, 0, 0, time.UTC); !res.Expires.Equal(want) || !res.CRLChecked {
			t.Errorf("expires %v (checked %v), want %v", res.Expires, res.CRLChecked, want)
		}
		if vcek := res.Endorsement.Cert.NotAfter; !vcek.After(res.Expires) || vcek.Year() != 2030 {
			t.Errorf("VCEK notAfter %v", vcek)
		}
	}
}

// TestLoadDir proves offline collateral is recognized by content under any
// name: each positive case verifies with LoadDir of its evidence's folder,
// which holds many VCEKs, chains and non-collateral files.
func TestLoadDir(t *testing.T) {
	dir := vectors.Need(t)
	for _, c := range vectors.Cases(t, "snp-") {
		if !c.Expect.Verifies {
			continue
		}
		col, err := amd.LoadDir(filepath.Join(dir, filepath.Dir(filepath.FromSlash(c.Collateral[0]))))
		if err != nil {
			t.Fatal(err)
		}
		// Add the case's own collateral too (some are JSON fields or in other folders).
		extra := caseCollateral(t, c)
		for _, b := range append([][]byte{extra.VCEK, extra.VLEK}, extra.Certs...) {
			if b != nil {
				if err := col.Add(b); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := amd.VerifyReport(caseReport(t, c), col, &amd.Options{Now: c.At}); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
	}
	if _, err := amd.LoadDir(filepath.Join(os.TempDir(), "does-not-exist-ccverify")); !errors.Is(err, amd.ErrCollateral) {
		t.Errorf("missing dir: %v", err)
	}
}
