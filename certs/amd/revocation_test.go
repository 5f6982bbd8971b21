// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
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
)

// arkCRL issues a CRL numbered n by the test PKI's ARK, listing serials.
func (pk *testPKI) arkCRL(t testing.TB, n int64, this, next time.Time, serials ...int64) []byte {
	t.Helper()
	return signCRL(t, pk.ARK, pk.ARKKey, n, this, next, serials...)
}

func signCRL(t testing.TB, issuer *x509.Certificate, key *rsa.PrivateKey, n int64, this, next time.Time, serials ...int64) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, s := range serials {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: big.NewInt(s), RevocationTime: this})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(n), ThisUpdate: this, NextUpdate: next, SignatureAlgorithm: x509.SHA384WithRSAPSS,
		RevokedCertificateEntries: entries,
	}, issuer, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// Serials of the test PKI's CAs (testvectors.NewAMDPKI).
const (
	testASKSerial  = 0x10001
	testASVKSerial = 0x10002
)

var (
	crlThis = pkiAt.AddDate(0, 0, -1) // a current CRL's window
	crlNext = pkiAt.AddDate(0, 0, 6)
	oldThis = pkiAt.AddDate(0, -3, 0) // an older CRL, past its nextUpdate
	oldNext = pkiAt.AddDate(0, -2, 0)
)

// milanFixture is a Milan test PKI with a VCEK- and a VLEK-signed report.
type milanFixture struct {
	pk               *testPKI
	vcek, vlek       []byte
	vcekRep, vlekRep snp.Report
	chain            [][]byte // the test ASK and ASVK
	opts             func(require bool) *amd.Options
}

// col returns collateral with the endorsement vcek (or vlek), further
// certificates and the test chain.
func (f *milanFixture) col(vlek bool, leaf []byte, more ...[]byte) amd.Collateral {
	c := amd.Collateral{Certs: append(append([][]byte(nil), more...), f.chain...)}
	if vlek {
		c.VLEK = leaf
	} else {
		c.VCEK = leaf
	}
	return c
}

func newMilanFixture(t testing.TB) *milanFixture {
	pk := newTestPKI(snp.Milan)
	f := &milanFixture{pk: pk,
		vcek: pk.leaf(false, chip64, tcbM, pkiStart, pkiStart.AddDate(7, 0, 0)),
		vlek: pk.leaf(true, nil, tcbM, pkiStart, pkiStart.AddDate(7, 0, 0)),
	}
	var err error
	if f.vcekRep, err = snp.Parse(pk.report(3, false, chip64, tcbM)); err != nil {
		t.Fatal(err)
	}
	if f.vlekRep, err = snp.Parse(pk.report(3, true, nil, tcbM)); err != nil {
		t.Fatal(err)
	}
	f.chain = [][]byte{pk.ASK.Raw, pk.ASVK.Raw}
	f.opts = func(require bool) *amd.Options {
		return &amd.Options{Now: pkiAt, ExtraARKs: []*x509.Certificate{pk.ARK}, RequireCRL: require}
	}
	return f
}

// TestCRLFromEvidenceNeverChecks proves a CRL that arrives inside the
// evidence's certificate table never makes revocation checked: the host that
// puts the VCEK chain's current CRL (which does not list the ASVK) next to a
// VLEK whose ASVK is revoked gets no "checked" verdict, nor does it with the
// right chain's CRL. Its revocations still apply.
func TestCRLFromEvidenceNeverChecks(t *testing.T) {
	f := newMilanFixture(t)
	vcekChainCRL := f.pk.arkCRL(t, 5, crlThis, crlNext) // lists no ASK; the ASVK's revocation is in the other CRL
	for _, tc := range []struct {
		name  string
		rep   snp.Report
		table map[snp.GUID][]byte
	}{
		{"revoked ASVK, the VCEK chain's CRL in the table", f.vlekRep,
			map[snp.GUID][]byte{snp.GUIDVLEK: f.vlek, snp.GUIDASK: f.pk.ASVK.Raw, snp.GUIDARK: f.pk.ARK.Raw, snp.GUIDCRL: vcekChainCRL}},
		{"VCEK report, its chain's CRL in the table", f.vcekRep,
			map[snp.GUID][]byte{snp.GUIDVCEK: f.vcek, snp.GUIDASK: f.pk.ASK.Raw, snp.GUIDARK: f.pk.ARK.Raw, snp.GUIDCRL: vcekChainCRL}},
	} {
		var col amd.Collateral
		if err := col.Add(certTable(tc.table)); err != nil {
			t.Fatal(err)
		}
		res, err := amd.VerifyReport(tc.rep, col, f.opts(false))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.CRLChecked {
			t.Errorf("%s: CRLChecked true from a CRL in the certificate table", tc.name)
		}
		if _, err := amd.VerifyReport(tc.rep, col, f.opts(true)); !errors.Is(err, amd.ErrCollateralMissing) {
			t.Errorf("%s, RequireCRL: %v, want ErrCollateralMissing", tc.name, err)
		}
	}
	// A table CRL that lists the ASK adds that revocation.
	var col amd.Collateral
	if err := col.Add(certTable(map[snp.GUID][]byte{snp.GUIDVCEK: f.vcek, snp.GUIDASK: f.pk.ASK.Raw, snp.GUIDCRL: f.pk.arkCRL(t, 6, crlThis, crlNext, testASKSerial)})); err != nil {
		t.Fatal(err)
	}
	if _, err := amd.VerifyReport(f.vcekRep, col, f.opts(false)); !errors.Is(err, amd.ErrRevoked) {
		t.Errorf("revoked ASK in the table's CRL: %v, want ErrRevoked", err)
	}
}

// TestCRLSeveralOfOneIssuer proves that with several CRLs of one ARK a
// serial listed in any current one is revoked, whatever the order and an
// older CRL beside it.
func TestCRLSeveralOfOneIssuer(t *testing.T) {
	f := newMilanFixture(t)
	older := f.pk.arkCRL(t, 4, oldThis, oldNext)
	clean := f.pk.arkCRL(t, 5, crlThis, crlNext)
	revoking := f.pk.arkCRL(t, 6, crlThis, crlNext, testASKSerial, testASVKSerial)
	for name, crls := range map[string][][]byte{
		"older then current revoking": {older, revoking},
		"current revoking then older": {revoking, older},
		"clean current then revoking": {clean, revoking},
		"revoking then clean current": {revoking, clean},
	} {
		for _, vlek := range []bool{false, true} {
			col, rep := f.col(false, f.vcek), f.vcekRep
			if vlek {
				col, rep = f.col(true, f.vlek), f.vlekRep
			}
			for _, d := range crls {
				if err := col.Add(d); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := amd.VerifyReport(rep, col, f.opts(false)); !errors.Is(err, amd.ErrRevoked) {
				t.Errorf("%s (vlek %v): %v, want ErrRevoked", name, vlek, err)
			}
		}
	}
}

// TestCRLStaleBesideCurrent proves a CRL past its nextUpdate (or not yet
// valid) beside a current one of the same chain is no failure: the current
// one checks revocation. With only stale CRLs revocation is unchecked, and
// RequireCRL says they expired.
func TestCRLStaleBesideCurrent(t *testing.T) {
	f := newMilanFixture(t)
	older := f.pk.arkCRL(t, 4, oldThis, oldNext)
	future := f.pk.arkCRL(t, 7, pkiAt.AddDate(0, 0, 2), pkiAt.AddDate(0, 1, 0))
	current := f.pk.arkCRL(t, 5, crlThis, crlNext)
	for name, crls := range map[string][][]byte{
		"older, current":         {older, current},
		"current, older":         {current, older},
		"not yet valid, current": {future, current},
	} {
		col := f.col(false, f.vcek)
		for _, d := range crls {
			if err := col.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		res, err := amd.VerifyReport(f.vcekRep, col, f.opts(true))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !res.CRLChecked {
			t.Errorf("%s: revocation not checked", name)
		}
	}
	for name, crls := range map[string][][]byte{"older": {older}, "not yet valid": {future}, "both": {older, future}} {
		col := f.col(false, f.vcek)
		for _, d := range crls {
			if err := col.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		res, err := amd.VerifyReport(f.vcekRep, col, f.opts(false))
		if err != nil || res.CRLChecked {
			t.Errorf("%s only: %v, checked %v; want verified, revocation unchecked", name, err, err == nil && res.CRLChecked)
		}
		if _, err := amd.VerifyReport(f.vcekRep, col, f.opts(true)); !errors.Is(err, amd.ErrExpired) {
			t.Errorf("%s only, RequireCRL: %v, want ErrExpired", name, err)
		}
	}
}

// TestCRLChosenByProof proves a CRL that fails proof (not signed by the ARK
// whose name it carries, newer than the genuine one) never shadows a genuine
// current CRL; alone it leaves revocation unchecked, and RequireCRL names it
// (ErrCRL).
func TestCRLChosenByProof(t *testing.T) {
	f := newMilanFixture(t)
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged := signCRL(t, f.pk.ARK, forger, 99, pkiAt, crlNext)
	genuine := f.pk.arkCRL(t, 5, crlThis, crlNext)
	for name, crls := range map[string][][]byte{"forged, genuine": {forged, genuine}, "genuine, forged": {genuine, forged}} {
		col := f.col(false, f.vcek)
		for _, d := range crls {
			if err := col.Add(d); err != nil {
				t.Fatal(err)
			}
		}
		res, err := amd.VerifyReport(f.vcekRep, col, f.opts(true))
		if err != nil || !res.CRLChecked {
			t.Errorf("%s: %v; want verified with revocation checked", name, err)
		}
	}
	col := f.col(false, f.vcek)
	if err := col.Add(forged); err != nil {
		t.Fatal(err)
	}
	if res, err := amd.VerifyReport(f.vcekRep, col, f.opts(false)); err != nil || res.CRLChecked {
		t.Errorf("forged only: %v; want verified, revocation unchecked", err)
	}
	if _, err := amd.VerifyReport(f.vcekRep, col, f.opts(true)); !errors.Is(err, amd.ErrCRL) {
		t.Errorf("forged only, RequireCRL: %v, want ErrCRL", err)
	}
}

// TestEndorsementChosenByReport proves the VCEK is the one whose hwID and
// SPLs match the report: another chip's VCEK is never what the report is
// checked against, nor its mismatch the error when a matching one exists;
// with none matching, the error says which CHIP_ID and TCB lack one.
func TestEndorsementChosenByReport(t *testing.T) {
	f := newMilanFixture(t)
	chipB := make([]byte, 64)
	copy(chipB, "another chip")
	vcekA := f.vcek
	vcekB := f.pk.leaf(false, chipB, tcbM, pkiStart, pkiStart.AddDate(7, 0, 0))
	otherTCB := tcbM
	otherTCB.SNP++
	vcekBOtherTCB := f.pk.leaf(false, chipB, otherTCB, pkiStart, pkiStart.AddDate(7, 0, 0))
	brokenB := append([]byte(nil), vcekB...)
	brokenB[len(brokenB)-1] ^= 1 // the ASK's signature no longer verifies
	repB, err := snp.Parse(f.pk.report(3, false, chipB, tcbM))
	if err != nil {
		t.Fatal(err)
	}
	opts := f.opts(false)

	for name, col := range map[string]amd.Collateral{
		"A first, B among the others": f.col(false, vcekA, vcekB),
		"B's other TCB first":         f.col(false, vcekBOtherTCB, vcekA, vcekB),
	} {
		res, err := amd.VerifyReport(repB, col, opts)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(res.Endorsement.HWID) != string(chipB) {
			t.Errorf("%s: verified with hwID %x", name, res.Endorsement.HWID)
		}
	}
	// None matches: missing, naming the CHIP_ID and the TCB.
	for name, col := range map[string]amd.Collateral{
		"only chip A's VCEK":       {VCEK: vcekA},
		"only B's VCEK, other TCB": {VCEK: vcekBOtherTCB},
	} {
		_, err := amd.VerifyReport(repB, col, opts)
		if !errors.Is(err, amd.ErrCollateralMissing) || !strings.Contains(err.Error(), "no VCEK matches CHIP_ID "+hexs(chipB)) ||
			!strings.Contains(err.Error(), tcbM.String()) {
			t.Errorf("%s: %v, want ErrCollateralMissing naming CHIP_ID and TCB", name, err)
		}
	}
	// A matching VCEK that fails proof is the error, not another chip's mismatch.
	_, err = amd.VerifyReport(repB, f.col(false, vcekA, brokenB), opts)
	if !errors.Is(err, amd.ErrChain) || errors.Is(err, amd.ErrExtensionMismatch) {
		t.Errorf("broken matching VCEK beside another chip's: %v, want ErrChain only", err)
	}

	// VLEKs: chosen by REPORTED_TCB.
	vlekOther := f.pk.leaf(true, nil, otherTCB, pkiStart, pkiStart.AddDate(7, 0, 0))
	if res, err := amd.VerifyReport(f.vlekRep, f.col(true, vlekOther, f.vlek), opts); err != nil {
		t.Errorf("VLEK among others: %v", err)
	} else if res.Endorsement.TCB != tcbM {
		t.Errorf("VLEK with TCB %v", res.Endorsement.TCB)
	}
	if _, err := amd.VerifyReport(f.vlekRep, f.col(true, vlekOther), opts); !errors.Is(err, amd.ErrCollateralMissing) ||
		!strings.Contains(err.Error(), "no VLEK matches") {
		t.Errorf("only another TCB's VLEK: %v, want ErrCollateralMissing", err)
	}
}
