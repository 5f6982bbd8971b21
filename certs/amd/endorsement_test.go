// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
)

// TestEndorsementsInVectors proves every VCEK and VLEK under vectors/snp is
// recognized by content and, except trustee's two deliberately invalid VCEKs,
// chains to the pinned roots inside its validity window; and checks the facts
// the MANIFESTs give for the Turin VCEKs (structVersion 1, fmcSPL, 8-byte hwID).
func TestEndorsementsInVectors(t *testing.T) {
	root := filepath.Join(vectors.Need(t), "snp")
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, _ := os.ReadFile(path)
		var c amd.Collateral
		if c.Add(b) != nil {
			return nil
		}
		for _, der := range append([][]byte{c.VCEK, c.VLEK}, c.Certs...) {
			if !isLeaf(der) {
				continue
			}
			rel, _ := filepath.Rel(root, path)
			invalid := filepath.Base(path) == "test-vcek-invalid-legacy.der" || filepath.Base(path) == "test-vcek-invalid-new.der"
			e, err := amd.ParseEndorsement(der)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				continue
			}
			n++
			res, err := amd.VerifyEndorsement(der, amd.Collateral{}, &amd.Options{Now: e.Cert.NotBefore.Add(24 * time.Hour)})
			if invalid {
				if !errors.Is(err, amd.ErrChain) {
					t.Errorf("%s: %v, want ErrChain", rel, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				continue
			}
			if res.Product == snp.Turin && (e.StructVersion != 1 || !e.TCB.HasFMC || len(e.HWID) != 8 || e.ProductName != "Turin") {
				t.Errorf("%s: Turin VCEK facts: %+v", rel, e)
			}
			if e.Key == snp.SignedByVLEK && e.CSPID == "" {
				t.Errorf("%s: VLEK without CSP ID", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("only %d VCEK/VLEK certificates found", n)
	}
	t.Logf("%d VCEK/VLEK certificates verified", n)
}

// isLeaf reports whether der is a certificate whose subject is SEV-VCEK or SEV-VLEK.
func isLeaf(der []byte) bool {
	c, err := x509.ParseCertificate(der)
	return err == nil && (c.Subject.CommonName == "SEV-VCEK" || c.Subject.CommonName == "SEV-VLEK")
}
