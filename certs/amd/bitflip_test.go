// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"bytes"
	"crypto/x509"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
	gsgtestdata "github.com/google/go-sev-guest/verify/testdata"
)

// flipReport flips every bit of the 1184-byte report (the signed region, R, S
// and the rest of the signature field) and requires each to be rejected.
func flipReport(t *testing.T, name string, raw []byte, col amd.Collateral, opts *amd.Options) int {
	t.Helper()
	base, err := snp.Parse(raw[:snp.ReportSize])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := amd.VerifyReport(base, col, opts); err != nil {
		t.Fatalf("%s: unmodified: %v", name, err)
	}
	n := 0
	b := bytes.Clone(raw[:snp.ReportSize])
	for bit := 0; bit < snp.ReportSize*8; bit++ {
		b[bit/8] ^= 1 << (bit % 8)
		r, err := snp.Parse(b)
		if err == nil {
			_, err = amd.VerifyReport(r, col, opts)
		}
		if err == nil {
			t.Errorf("%s: flip of bit %d (byte %#x) accepted", name, bit%8, bit/8)
		}
		b[bit/8] ^= 1 << (bit % 8)
		n++
	}
	return n
}

// flipCert flips every bit of one DER certificate and requires each variant to
// be rejected when it is the certificate the verification depends on.
func flipCert(t *testing.T, name string, der []byte, build func(flipped []byte) amd.Collateral, r snp.Report, opts *amd.Options) int {
	t.Helper()
	n := 0
	b := bytes.Clone(der)
	for bit := 0; bit < len(der)*8; bit++ {
		b[bit/8] ^= 1 << (bit % 8)
		if _, err := amd.VerifyReport(r, build(b), opts); err == nil {
			t.Errorf("%s: flip of bit %d of byte %d accepted", name, bit%8, bit/8)
		}
		b[bit/8] ^= 1 << (bit % 8)
		n++
	}
	return n
}

// TestBitFlips proves that every single-bit change to a real report (Turin v5,
// Milan v2, Genoa A0h, the AWS VLEK report), to its VCEK, and to a supplied
// ASK that the chain depends on, is rejected.
func TestBitFlips(t *testing.T) {
	if testing.Short() {
		t.Skip("bit-flip walk: seconds of ECDSA and RSA verifications")
	}
	total := 0
	// go-sev-guest's testdata: always available.
	milanAt := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	gsgCol := amd.Collateral{VCEK: gsgtestdata.VcekBytes}
	total += flipReport(t, "go-sev-guest Milan v2", gsgtestdata.AttestationBytes, gsgCol, &amd.Options{Now: milanAt})
	r, _ := snp.Parse(gsgtestdata.AttestationBytes[:snp.ReportSize])
	vc := flipCert(t, "go-sev-guest VCEK", gsgtestdata.VcekBytes, func(b []byte) amd.Collateral { return amd.Collateral{VCEK: b} }, r, &amd.Options{Now: milanAt})
	total += vc

	if vectors.Dir() != "" {
		for _, id := range []string{"snp-oak-turin-v5", "snp-trustee-e2e-genoa-a0h-v3", "snp-trustee-aws-vlek-milan-v3"} {
			for _, c := range vectors.Cases(t, id) {
				col := caseCollateral(t, c)
				total += flipReport(t, c.ID, c.EvidenceBytes(t), col, &amd.Options{Now: c.At})
				if id == "snp-oak-turin-v5" {
					total += flipCert(t, "Turin VCEK", col.VCEK, func(b []byte) amd.Collateral { return amd.Collateral{VCEK: b} }, caseReport(t, c), &amd.Options{Now: c.At})
				}
			}
		}
	}

	// A chain the verification depends on: a test PKI whose ASK comes only
	// from the collateral. Every flip of that ASK is rejected.
	pk := newTestPKI(snp.Genoa)
	vcek := pk.leaf(false, chip64, tcbM, pkiStart, pkiStart.AddDate(7, 0, 0))
	rep, _ := snp.Parse(pk.report(3, false, chip64, tcbM))
	opts := &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}}
	total += flipCert(t, "test ASK", pk.ASK.Raw, func(b []byte) amd.Collateral {
		return amd.Collateral{VCEK: vcek, Certs: [][]byte{b}}
	}, rep, opts)

	// A flipped copy of a real ASK or ARK in the collateral is never used:
	// verification succeeds through the pinned certificates, never through it.
	ask := amd.ASK(snp.Milan).Raw
	for bit := 0; bit < len(ask)*8; bit += 97 {
		b := bytes.Clone(ask)
		b[bit/8] ^= 1 << (bit % 8)
		res, err := amd.VerifyReport(r, amd.Collateral{VCEK: gsgtestdata.VcekBytes, Certs: [][]byte{b}}, &amd.Options{Now: milanAt})
		if err == nil && !bytes.Equal(res.Intermediate.Raw, ask) {
			t.Fatalf("flipped ASK (bit %d) used as the intermediate", bit)
		}
	}
	t.Logf("%d single-bit variants rejected", total)
}
