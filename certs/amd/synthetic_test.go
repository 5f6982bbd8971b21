// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/internal/vectors"
)

var (
	chip64 = bytes.Repeat([]byte{0xA5, 0x5A, 0x01, 0x02}, 16)
	tcbM   = snp.TCBParts{BootLoader: 3, TEE: 0, SNP: 20, Microcode: 209}
	tcbT   = snp.TCBParts{HasFMC: true, FMC: 1, BootLoader: 2, TEE: 0, SNP: 3, Microcode: 77}
)

func turinChip() []byte { c := make([]byte, 64); copy(c, "\x3b\x42\x09\x2f\x69\xc6\x56\xd3"); return c }

// TestForgedChainRejected proves a forged ARK→ASK→VCEK chain with AMD's names,
// supplied with the evidence, is rejected (go-sev-guest issue #185), and that
// the same chain verifies only when its ARK is explicitly trusted.
func TestForgedChainRejected(t *testing.T) {
	for _, p := range []snp.Product{snp.Milan, snp.Genoa, snp.Turin} {
		pk := newTestPKI(p)
		chip, tcb := chip64, tcbM
		if p == snp.Turin {
			chip, tcb = turinChip(), tcbT
		}
		vcek := pk.leaf(false, chip, tcb, pkiStart, pkiStart.AddDate(7, 0, 0))
		rep, err := snp.Parse(pk.report(3, false, chip, tcb))
		if err != nil {
			t.Fatal(err)
		}
		col := amd.Collateral{VCEK: vcek, Certs: [][]byte{pk.ASK.Raw, pk.ARK.Raw}}
		if _, err := amd.VerifyReport(rep, col, &amd.Options{Now: pkiAt}); !errors.Is(err, amd.ErrChain) {
			t.Errorf("%v: forged chain: %v, want ErrChain", p, err)
		}
		res, err := amd.VerifyReport(rep, col, &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}})
		if err != nil {
			t.Fatalf("%v: with the test ARK trusted: %v", p, err)
		}
		if res.Root != pk.ARK || !bytes.Equal(res.Intermediate.Raw, pk.ASK.Raw) {
			t.Errorf("%v: chain not the test chain", p)
		}
		// A forged ARK with the pinned ARK's exact name and a forged ASK: still rejected.
		if _, err := amd.VerifyReport(rep, amd.Collateral{VCEK: vcek}, &amd.Options{Now: pkiAt}); !errors.Is(err, amd.ErrChain) {
			t.Errorf("%v: forged VCEK alone: %v, want ErrChain", p, err)
		}
	}
}

// TestSyntheticVariants proves v2/v3/v5 reports on every product, VCEK and
// VLEK, verify under a trusted test PKI; v2 takes the product from the VCEK.
func TestSyntheticVariants(t *testing.T) {
	for _, p := range []snp.Product{snp.Milan, snp.Genoa, snp.Turin} {
		pk := newTestPKI(p)
		chip, tcb := chip64, tcbM
		if p == snp.Turin {
			chip, tcb = turinChip(), tcbT
		}
		for _, vlek := range []bool{false, true} {
			leaf := pk.leaf(vlek, chip, tcb, pkiStart, pkiStart.AddDate(2, 0, 0))
			for _, v := range []uint32{2, 3, 4, 5} {
				rep, _ := snp.Parse(pk.report(v, vlek, chip, tcb))
				col, err := amd.ParseCollateral(leaf, pk.ASK.Raw, pk.ASVK.Raw)
				if err != nil {
					t.Fatal(err)
				}
				res, err := amd.VerifyReport(rep, col, &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}})
				if err != nil {
					t.Errorf("%v v%d vlek=%v: %v", p, v, vlek, err)
					continue
				}
				if res.Product != p {
					t.Errorf("%v v%d: product %v", p, v, res.Product)
				}
				// A v2 report with a contradicting Options.Product is refused.
				other := snp.Milan
				if p == snp.Milan {
					other = snp.Genoa
				}
				if _, err := amd.VerifyReport(rep, col, &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}, Product: other}); err == nil {
					t.Errorf("%v v%d: Options.Product %v accepted", p, v, other)
				}
			}
		}
		// TCB and HWID mismatches name the component.
		for _, tc := range []struct {
			name string
			tcb  snp.TCBParts
			chip []byte
		}{
			{"ucode", snp.TCBParts{HasFMC: tcb.HasFMC, FMC: tcb.FMC, BootLoader: tcb.BootLoader, TEE: tcb.TEE, SNP: tcb.SNP, Microcode: tcb.Microcode + 1}, chip},
			{"snp", snp.TCBParts{HasFMC: tcb.HasFMC, FMC: tcb.FMC, BootLoader: tcb.BootLoader, TEE: tcb.TEE, SNP: tcb.SNP + 1, Microcode: tcb.Microcode}, chip},
			{"hwid", tcb, bytes.Repeat([]byte{7}, 64)},
		} {
			leaf := pk.leaf(false, tc.chip, tc.tcb, pkiStart, pkiStart.AddDate(7, 0, 0))
			rep, _ := snp.Parse(pk.report(3, false, chip, tcb))
			_, err := amd.VerifyReport(rep, amd.Collateral{VCEK: leaf, Certs: [][]byte{pk.ASK.Raw}}, &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}})
			if !errors.Is(err, amd.ErrExtensionMismatch) {
				t.Errorf("%v %s mismatch: %v, want ErrExtensionMismatch", p, tc.name, err)
			}
		}
	}
}

// TestCRL proves CRL handling: signature by the ARK, validity window, serial
// lookup of the ASK (ARK's CRL) and the VCEK (ASK's CRL), RequireCRL.
func TestCRL(t *testing.T) {
	pk := newTestPKI(snp.Milan)
	vcek := pk.leaf(false, chip64, tcbM, pkiStart, pkiStart.AddDate(7, 0, 0))
	rep, _ := snp.Parse(pk.report(3, false, chip64, tcbM))
	opts := func(require bool) *amd.Options {
		return &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}, RequireCRL: require}
	}
	this, next := pkiAt.AddDate(0, 0, -1), pkiAt.AddDate(0, 0, 6)
	forger, _ := rsa.GenerateKey(rand.Reader, 2048)
	forged, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(3), ThisUpdate: this, NextUpdate: next, SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, pk.ARK, forger)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		crls    [][]byte
		require bool
		want    error
		checked bool
	}{
		{"no CRL", nil, false, nil, false},
		{"no CRL, required", nil, true, amd.ErrCollateralMissing, false},
		{"clean CRL, required", [][]byte{pk.CRL(false, this, next)}, true, nil, true},
		{"CRL lists another serial", [][]byte{pk.CRL(false, this, next, 0x20001)}, true, nil, true},
		{"ASK revoked", [][]byte{pk.CRL(false, this, next, 0x10001)}, false, amd.ErrRevoked, false},
		{"VCEK revoked by the ASK's CRL", [][]byte{pk.CRL(false, this, next), pk.CRL(true, this, next, 0)}, false, amd.ErrRevoked, false},
		{"CRL expired", [][]byte{pk.CRL(false, pkiAt.AddDate(0, -2, 0), pkiAt.AddDate(0, -1, 0))}, false, nil, false},
		{"CRL expired, required", [][]byte{pk.CRL(false, pkiAt.AddDate(0, -2, 0), pkiAt.AddDate(0, -1, 0))}, true, amd.ErrExpired, false},
		{"CRL not yet valid", [][]byte{pk.CRL(false, pkiAt.AddDate(0, 0, 1), pkiAt.AddDate(0, 1, 0))}, false, nil, false},
		{"CRL not yet valid, required", [][]byte{pk.CRL(false, pkiAt.AddDate(0, 0, 1), pkiAt.AddDate(0, 1, 0))}, true, amd.ErrExpired, false},
		{"CRL signed by another key", [][]byte{forged}, false, nil, false},
		{"CRL signed by another key, required", [][]byte{forged}, true, amd.ErrCRL, false},
		{"CRL garbage", [][]byte{{0x30, 0x03, 1, 2, 3}}, false, nil, false},
		{"CRL garbage, required", [][]byte{{0x30, 0x03, 1, 2, 3}}, true, amd.ErrCRL, false},
	} {
		col := amd.Collateral{VCEK: vcek, Certs: [][]byte{pk.ASK.Raw}}
		for _, d := range tc.crls {
			col.CRLs = append(col.CRLs, amd.CRL{DER: d, Provenance: amd.Provenance{Origin: amd.FromCaller}})
		}
		res, err := amd.VerifyReport(rep, col, opts(tc.require))
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if tc.checked != res.CRLChecked {
				t.Errorf("%s: CRLChecked %v", tc.name, res.CRLChecked)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// CRLs are recognized by content, DER or PEM.
	col, err := amd.ParseCollateral(vcek, pk.ASK.Raw, pemBlock("X509 CRL", pk.CRL(false, this, next, 0x10001)))
	if err != nil || len(col.CRLs) != 1 {
		t.Fatalf("PEM CRL: %v", err)
	}
	if _, err := amd.VerifyReport(rep, col, opts(false)); !errors.Is(err, amd.ErrRevoked) {
		t.Errorf("PEM CRL: %v, want ErrRevoked", err)
	}
}

// TestCRLForgedForRealARK proves a CRL that names the real ARK-Milan but is
// signed by another key is refused with a real Milan report: it checks
// nothing, is named in a note, and with RequireCRL is ErrCRL.
func TestCRLForgedForRealARK(t *testing.T) {
	r, _ := snp.Parse(vectors.Read(t, "snp/google-go-sev-guest/attestation.bin"))
	vcek := vectors.Read(t, "snp/google-go-sev-guest/vcek.testcer")
	fakeARK := *amd.ARK(snp.Milan)
	fakeARK.KeyUsage = x509.KeyUsageCRLSign | x509.KeyUsageCertSign
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	fakeARK.PublicKey = &k.PublicKey
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: at.AddDate(0, 0, -1), NextUpdate: at.AddDate(0, 0, 1), SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}, &fakeARK, k)
	if err != nil {
		t.Fatal(err)
	}
	col, err := amd.ParseCollateral(vcek, der)
	if err != nil {
		t.Fatal(err)
	}
	res, err := amd.VerifyReport(r, col, &amd.Options{Now: at})
	if err != nil || res.CRLChecked || len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "rejected: not signed by ARK-Milan") {
		t.Errorf("forged CRL: %v; want verified, revocation unchecked, the CRL named as rejected", err)
	} else {
		t.Logf("note: %s", res.Notes[0])
	}
	if _, err := amd.VerifyReport(r, col, &amd.Options{Now: at, RequireCRL: true}); !errors.Is(err, amd.ErrCRL) {
		t.Errorf("forged CRL, RequireCRL: %v, want ErrCRL", err)
	}
}
