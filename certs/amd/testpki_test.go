// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
)

// testPKI is an AMD-shaped PKI under generated keys: ARK → ASK/ASVK → VCEK/VLEK,
// with AMD's names, RSA-PSS SHA-384 signatures and the KDS extensions.
type testPKI struct {
	product        snp.Product
	arkKey, askKey *rsa.PrivateKey
	ark, ask, asvk *x509.Certificate
	vcekKey        *ecdsa.PrivateKey
}

var (
	pkiOnce  sync.Once
	pkiKeys  [2]*rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	pkiStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pkiAt    = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

func amdName(cn string) pkix.Name {
	return pkix.Name{
		OrganizationalUnit: []string{"Engineering"}, Country: []string{"US"}, Locality: []string{"Santa Clara"},
		Province: []string{"CA"}, Organization: []string{"Advanced Micro Devices"}, CommonName: cn,
	}
}

func newTestPKI(t testing.TB, p snp.Product) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		for i := range pkiKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			pkiKeys[i] = k
		}
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			panic(err)
		}
		ecKey = k
	})
	pk := &testPKI{product: p, arkKey: pkiKeys[0], askKey: pkiKeys[1], vcekKey: ecKey}
	// The forged certificates carry the real ones' names, byte for byte.
	ca := func(cn string, serial int64, key *rsa.PrivateKey, parent *x509.Certificate, signer *rsa.PrivateKey, real *x509.Certificate) *x509.Certificate {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: amdName(cn), RawSubject: real.RawSubject, NotBefore: pkiStart, NotAfter: pkiStart.AddDate(25, 0, 0),
			SignatureAlgorithm: x509.SHA384WithRSAPSS, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		if parent == nil {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	pk.ark = ca("ARK-"+p.String(), 0x10000, pk.arkKey, nil, pk.arkKey, amd.ARK(p))
	pk.ask = ca("SEV-"+p.String(), 0x10001, pk.askKey, pk.ark, pk.arkKey, amd.ASK(p))
	pk.asvk = ca("SEV-VLEK-"+p.String(), 0x10101, pk.askKey, pk.ark, pk.arkKey, amd.ASVK(p))
	return pk
}

// leaf issues a VCEK (or VLEK) for chip and tcb, valid notBefore..notAfter.
func (pk *testPKI) leaf(t testing.TB, vlek bool, chip []byte, tcb snp.TCBParts, notBefore, notAfter time.Time) []byte {
	t.Helper()
	ext := func(id []int, v any) pkix.Extension {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return pkix.Extension{Id: append(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}, id...), Value: b}
	}
	ia5 := func(id []int, s string) pkix.Extension {
		b, _ := asn1.MarshalWithParams(s, "ia5")
		return pkix.Extension{Id: append(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}, id...), Value: b}
	}
	exts := []pkix.Extension{
		ext([]int{1}, 0), ia5([]int{2}, pk.product.String()),
		ext([]int{3, 1}, int(tcb.BootLoader)), ext([]int{3, 2}, int(tcb.TEE)), ext([]int{3, 3}, int(tcb.SNP)),
		ext([]int{3, 4}, 0), ext([]int{3, 5}, 0), ext([]int{3, 6}, 0), ext([]int{3, 7}, 0),
		ext([]int{3, 8}, int(tcb.Microcode)),
	}
	if pk.product == snp.Turin {
		exts[0] = ext([]int{1}, 1)
		exts = append(exts, ext([]int{3, 9}, int(tcb.FMC)))
	}
	cn, issuer := "SEV-VCEK", pk.ask
	if vlek {
		cn, issuer = "SEV-VLEK", pk.asvk
		exts = append(exts, ia5([]int{5}, "Amazon Web Services"))
	} else {
		hw := chip
		if pk.product == snp.Turin {
			hw = chip[:8]
		}
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 4}, Value: hw})
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0), Subject: amdName(cn), NotBefore: notBefore, NotAfter: notAfter,
		SignatureAlgorithm: x509.SHA384WithRSAPSS, ExtraExtensions: exts,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &pk.vcekKey.PublicKey, pk.askKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// crl issues a CRL from the ARK listing serials.
func (pk *testPKI) crl(t testing.TB, this, next time.Time, serials ...int64) []byte {
	t.Helper()
	var revoked []x509.RevocationListEntry
	for _, s := range serials {
		revoked = append(revoked, x509.RevocationListEntry{SerialNumber: big.NewInt(s), RevocationTime: this})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next, SignatureAlgorithm: x509.SHA384WithRSAPSS,
		RevokedCertificateEntries: revoked,
	}, pk.ark, pk.arkKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// report builds and signs a report of version v for the PKI's product.
func (pk *testPKI) report(t testing.TB, v uint32, vlek bool, chip []byte, tcb snp.TCBParts) []byte {
	t.Helper()
	b := make([]byte, snp.ReportSize)
	binary.LittleEndian.PutUint32(b[0x000:], v)
	binary.LittleEndian.PutUint64(b[0x008:], 0x30000)
	binary.LittleEndian.PutUint32(b[0x034:], 1)
	v64 := uint64(tcb.TCBVersion(pk.product))
	for _, off := range []int{0x038, 0x180, 0x1E0, 0x1F0} {
		binary.LittleEndian.PutUint64(b[off:], v64)
	}
	if vlek {
		b[0x048] = 1 << 2
	} else {
		copy(b[0x1A0:], chip)
	}
	if v >= 3 {
		switch pk.product {
		case snp.Milan:
			b[0x188], b[0x189], b[0x18A] = 0x19, 0x01, 0x01
		case snp.Genoa:
			b[0x188], b[0x189], b[0x18A] = 0x19, 0x11, 0x01
		case snp.Turin:
			b[0x188], b[0x189], b[0x18A] = 0x1A, 0x02, 0x01
		}
	}
	copy(b[0x050:], "ccverify test report")
	signReport(t, b, pk.vcekKey)
	return b
}

// signReport signs b[:0x2A0] and stores R and S little-endian.
func signReport(t testing.TB, b []byte, key *ecdsa.PrivateKey) {
	t.Helper()
	h := sha512.Sum384(b[:snp.SignedSize])
	r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	clear(b[0x2A0:])
	putLE(b[0x2A0:0x2A0+72], r)
	putLE(b[0x2E8:0x2E8+72], s)
}

func putLE(dst []byte, v *big.Int) {
	be := v.FillBytes(make([]byte, 48))
	for i := range be {
		dst[i] = be[47-i]
	}
}

var _ crypto.Signer = (*rsa.PrivateKey)(nil)
