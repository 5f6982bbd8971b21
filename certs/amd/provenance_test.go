// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
)

func hasNote(res *amd.Result, parts ...string) bool {
	return slices.ContainsFunc(res.Notes, func(n string) bool {
		for _, p := range parts {
			if !strings.Contains(n, p) {
				return false
			}
		}
		return true
	})
}

// TestCRLChainFromProvenance proves a CRL checks the chain its source names,
// and only that one: the name the caller gives (a file name with vcek or
// vlek, a KDS-shaped path), the chain the caller states, the intermediate in
// the same PEM file; a caller's CRL naming no chain is the VCEK chain's; two
// sources naming different chains check neither.
func TestCRLChainFromProvenance(t *testing.T) {
	f := newMilanFixture(t)
	crl := f.pk.arkCRL(t, 5, crlThis, crlNext)
	pemCRL := pemBlock("X509 CRL", crl)
	type src struct {
		b []byte
		p amd.Provenance
	}
	caller := func(name string) amd.Provenance { return amd.Provenance{Origin: amd.FromCaller, Name: name} }
	for _, tc := range []struct {
		name       string
		srcs       []src
		vcek, vlek bool // which chain it checks
	}{
		{"no name", []src{{crl, caller("")}}, true, false},
		{"ark.crl", []src{{crl, caller("/x/ark.crl")}}, true, false},
		{"vlek-crl.der", []src{{crl, caller("/x/vlek-crl.der")}}, false, true},
		{"Milan_VCEK.crl", []src{{crl, caller("Milan_VCEK.crl")}}, true, false},
		{"KDS-shaped path vlek/v1/Milan/crl", []src{{crl, caller("mirror/vlek/v1/Milan/crl")}}, false, true},
		{"KDS URL", []src{{crl, caller("https://kdsintf.amd.com/vlek/v1/Milan/crl")}}, false, true},
		{"both words", []src{{crl, caller("vcek-and-vlek.crl")}}, true, false},
		{"stated VLEK", []src{{crl, amd.Provenance{Origin: amd.FromCaller, Chain: amd.ChainVLEK}}}, false, true},
		{"stated VCEK beats the name", []src{{crl, amd.Provenance{Origin: amd.FromCaller, Chain: amd.ChainVCEK, Name: "vlek.crl"}}}, true, false},
		{"PEM with the ASVK", []src{{append(pemBlock("CERTIFICATE", f.pk.ASVK.Raw), pemCRL...), caller("bundle.pem")}}, false, true},
		{"PEM with the ASK", []src{{append(pemBlock("CERTIFICATE", f.pk.ASK.Raw), pemCRL...), caller("bundle.pem")}}, true, false},
		{"PEM with both", []src{{append(append(pemBlock("CERTIFICATE", f.pk.ASK.Raw), pemBlock("CERTIFICATE", f.pk.ASVK.Raw)...), pemCRL...), caller("")}}, true, false},
		{"named VCEK and VLEK", []src{{crl, caller("vcek.crl")}, {crl, caller("vlek.crl")}}, false, false},
		{"from the evidence, named VLEK", []src{{crl, amd.Provenance{Origin: amd.FromEvidence, Chain: amd.ChainVLEK}}}, false, false},
		{"KDS beats a caller's name", []src{{crl, caller("vcek.crl")}, {crl, amd.Provenance{Origin: amd.FromKDS, Chain: amd.ChainVLEK}}}, false, true},
		{"the evidence cannot take it from the caller", []src{{crl, caller("vlek.crl")}, {crl, amd.Provenance{Origin: amd.FromEvidence, Chain: amd.ChainVCEK}}}, false, true},
	} {
		for _, vlek := range []bool{false, true} {
			col, rep, want := f.col(false, f.vcek), f.vcekRep, tc.vcek
			if vlek {
				col, rep, want = f.col(true, f.vlek), f.vlekRep, tc.vlek
			}
			for _, s := range tc.srcs {
				if err := col.AddFrom(s.b, s.p); err != nil {
					t.Fatal(err)
				}
			}
			if len(col.CRLs) != 1 {
				t.Fatalf("%s: %d CRLs", tc.name, len(col.CRLs))
			}
			res, err := amd.VerifyReport(rep, col, f.opts(false))
			if err != nil {
				t.Errorf("%s (vlek %v): %v", tc.name, vlek, err)
				continue
			}
			if res.CRLChecked != want {
				t.Errorf("%s: %v report: CRLChecked %v, want %v (notes %q)", tc.name, rep.SigningKey(), res.CRLChecked, want, res.Notes)
			}
			if !want && !hasNote(res, "cannot make revocation of the") {
				t.Errorf("%s: %v report: no note says why the CRL does not count: %q", tc.name, rep.SigningKey(), res.Notes)
			}
		}
	}
	// LoadDir names files by their path.
	dir := t.TempDir()
	for name, b := range map[string][]byte{"vlek": f.vlek, "chain.pem": pemBlock("CERTIFICATE", f.pk.ASVK.Raw), "Milan-vlek.crl": crl} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	col, err := amd.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(col.CRLs) != 1 || col.CRLs[0].Chain != amd.ChainVLEK || col.CRLs[0].Origin != amd.FromCaller {
		t.Fatalf("LoadDir CRLs %+v", col.CRLs)
	}
	if res, err := amd.VerifyReport(f.vlekRep, col, f.opts(true)); err != nil || !res.CRLChecked {
		t.Errorf("LoadDir vlek CRL: %v", err)
	}
	// A certificate table's pieces are the evidence's whatever the caller says.
	var tcol amd.Collateral
	if err := tcol.AddFrom(certTable(map[snp.GUID][]byte{snp.GUIDVCEK: f.vcek, snp.GUIDCRL: crl}), amd.Provenance{Origin: amd.FromKDS, Chain: amd.ChainVCEK}); err != nil {
		t.Fatal(err)
	}
	if len(tcol.CRLs) != 1 || tcol.CRLs[0].Origin != amd.FromEvidence {
		t.Errorf("certificate table CRL %+v", tcol.CRLs)
	}
}

// TestCollateralNotes proves the pieces passed over are named: a stale CRL
// beside a current one, a forged CRL, another product's CRL (when revocation
// stays unchecked), a forged ASK and a matching VCEK that fails proof.
func TestCollateralNotes(t *testing.T) {
	f := newMilanFixture(t)
	col := f.col(false, f.vcek)
	for name, d := range map[string][]byte{
		"old.crl":     f.pk.arkCRL(t, 4, oldThis, oldNext),
		"current.crl": f.pk.arkCRL(t, 5, crlThis, crlNext),
	} {
		if err := col.AddFrom(d, amd.Provenance{Origin: amd.FromCaller, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if err := col.AddFrom(signCRL(t, f.pk.ARK, forger, 99, crlThis, crlNext), amd.Provenance{Origin: amd.FromCaller, Name: "forged.crl"}); err != nil {
		t.Fatal(err)
	}
	res, err := amd.VerifyReport(f.vcekRep, col, f.opts(true))
	if err != nil || !res.CRLChecked {
		t.Fatalf("%v", err)
	}
	if !hasNote(res, "old.crl", "number 4", "not current") {
		t.Errorf("stale CRL not named: %q", res.Notes)
	}
	if !hasNote(res, "forged.crl", "number 99", "rejected: not signed by ARK-Milan") {
		t.Errorf("forged CRL not named: %q", res.Notes)
	}
	if hasNote(res, "current.crl") {
		t.Errorf("the CRL used is named as passed over: %q", res.Notes)
	}
	if want := crlNext; !res.Expires.Equal(want) {
		t.Errorf("expires %v, want the CRL's nextUpdate %v", res.Expires, want)
	}
	// Another product's CRL: named when revocation stays unchecked.
	genoa := newTestPKI(snp.Genoa)
	gcol := f.col(false, f.vcek)
	if err := gcol.AddFrom(genoa.arkCRL(t, 3, crlThis, crlNext), amd.Provenance{Origin: amd.FromCaller, Name: "genoa.crl"}); err != nil {
		t.Fatal(err)
	}
	res, err = amd.VerifyReport(f.vcekRep, gcol, f.opts(false))
	if err != nil || res.CRLChecked || !hasNote(res, "genoa.crl", "ARK-Genoa") {
		t.Fatalf("another product's CRL: %v, notes %q", err, res.Notes)
	}
	if !res.Expires.Equal(res.Endorsement.Cert.NotAfter) { // the VCEK expires before the test ASK and ARK
		t.Errorf("expires %v without a CRL, want the VCEK's notAfter %v", res.Expires, res.Endorsement.Cert.NotAfter)
	}

	// A forged ASK (AMD's name, another key) before the genuine one.
	fakeARK := *f.pk.ARK
	fakeARK.PublicKey = &forger.PublicKey
	forgedASK, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(0x10001), RawSubject: f.pk.ASK.RawSubject, NotBefore: f.pk.ASK.NotBefore, NotAfter: f.pk.ASK.NotAfter,
		SignatureAlgorithm: x509.SHA384WithRSAPSS, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, &fakeARK, &forger.PublicKey, forger)
	if err != nil {
		t.Fatal(err)
	}
	acol := amd.Collateral{VCEK: f.vcek, Certs: [][]byte{forgedASK, f.pk.ASK.Raw}}
	res, err = amd.VerifyReport(f.vcekRep, acol, f.opts(false))
	if err != nil {
		t.Fatalf("forged ASK first: %v", err)
	}
	if !hasNote(res, "SEV-Milan serial 65537 from the collateral rejected") {
		t.Errorf("forged ASK not named: %q", res.Notes)
	}
	// A matching VCEK that fails proof, before the genuine one.
	broken := append([]byte(nil), f.vcek...)
	broken[len(broken)-1] ^= 1
	res, err = amd.VerifyReport(f.vcekRep, f.col(false, broken, f.vcek), f.opts(false))
	if err != nil {
		t.Fatalf("broken VCEK first: %v", err)
	}
	if !hasNote(res, "VCEK serial 0 (matches the report) rejected") {
		t.Errorf("broken VCEK not named: %q", res.Notes)
	}
}

// TestKDSCRLChain proves KDS.Collateral fetches the CRL of the report's chain
// (/vlek/ for a VLEK) and records it as that chain's: it checks the VLEK
// chain, and the VCEK chain's does not.
func TestKDSCRLChain(t *testing.T) {
	f := newMilanFixture(t)
	stub := &kdsStub{bodies: map[string][]byte{
		"/vlek/v1/Milan/crl": f.pk.arkCRL(t, 8, crlThis, crlNext),
		"/vcek/v1/Milan/crl": f.pk.arkCRL(t, 9, crlThis, crlNext),
	}, hits: map[string]int{}}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	k := &amd.KDS{BaseURL: srv.URL, Client: srv.Client()}
	col, err := k.Collateral(context.Background(), f.vlekRep, snp.Unknown, f.col(true, f.vlek), true)
	if err != nil {
		t.Fatal(err)
	}
	if stub.hits["/vlek/v1/Milan/crl"] != 1 || stub.hits["/vcek/v1/Milan/crl"] != 0 || len(col.CRLs) != 1 {
		t.Fatalf("requests %v, %d CRLs", stub.hits, len(col.CRLs))
	}
	if l := col.CRLs[0]; l.Origin != amd.FromKDS || l.Chain != amd.ChainVLEK || !strings.HasSuffix(l.Name, "/vlek/v1/Milan/crl") {
		t.Errorf("fetched CRL provenance %+v", l.Provenance)
	}
	if res, err := amd.VerifyReport(f.vlekRep, col, f.opts(true)); err != nil || !res.CRLChecked {
		t.Errorf("VLEK with the KDS's VLEK CRL: %v", err)
	}
	// The VCEK chain's CRL from the KDS, given to a VLEK report: not checked.
	vc, err := k.Collateral(context.Background(), f.vcekRep, snp.Unknown, f.col(false, f.vcek), true)
	if err != nil {
		t.Fatal(err)
	}
	other := f.col(true, f.vlek)
	other.CRLs = vc.CRLs
	if res, err := amd.VerifyReport(f.vlekRep, other, f.opts(false)); err != nil || res.CRLChecked || !hasNote(res, "VCEK chain's CRL") {
		t.Errorf("VLEK with the KDS's VCEK CRL: %v, notes %q", err, res.Notes)
	}
	// A VLEK the collateral lacks: missing, and the CRL is still fetched.
	_, err = k.Collateral(context.Background(), f.vlekRep, snp.Unknown, f.col(false, f.vcek), true)
	if err == nil || !strings.Contains(err.Error(), "no VLEK matches") {
		t.Errorf("no VLEK: %v", err)
	}
}
