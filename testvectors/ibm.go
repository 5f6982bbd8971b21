// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"time"
)

// IBMPKI is an IBM-shaped PKI for IBM Secure Execution host key documents
// (HKDs), as s390-tools' genprotimg and pvattest check them: a root CA, an
// intermediate code-signing CA, the "IBM Z Host Key Signing Service" key
// (code signing), and HKDs it signs (ECDSA P-521 host keys, RSA-PSS SHA-512
// signatures), with CRLs from the intermediate and from the signing key.
// Only the names are IBM's; the root is a test root.
type IBMPKI struct {
	Root, Intermediate, SigningKey          *x509.Certificate
	RootKey, IntermediateKey, SigningKeyKey *rsa.PrivateKey
	seed                                    *Seed
}

var oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}

func ibmName(ou, cn string, extra ...any) []byte {
	pairs := []any{oidC, "US", oidST, "New York", oidL, "Poughkeepsie", oidO, "International Business Machines Corporation", oidOU, ou, oidCN, cn}
	return rdn(append(pairs, extra...)...)
}

// NewIBMPKI derives the PKI from seed.
func NewIBMPKI(seed *Seed) *IBMPKI {
	k := &IBMPKI{seed: seed,
		RootKey:         seed.RSAKey(2048, "ibm-root"),
		IntermediateKey: seed.RSAKey(2048, "ibm-intermediate"),
		SigningKeyKey:   seed.RSAKey(2048, "ibm-signing-key"),
	}
	k.Root = seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(0x5e01), RawSubject: rdn(oidC, "US", oidO, "ccverify test", oidCN, "ccverify Test Root CA for IBM Z"),
		NotBefore: date(2020, 1, 1), NotAfter: date(2045, 1, 1), SignatureAlgorithm: x509.SHA384WithRSA,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, &k.RootKey.PublicKey, k.RootKey)
	k.Intermediate = seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(0x5e02), RawSubject: rdn(oidC, "US", oidO, "ccverify test", oidCN, "ccverify Test Code Signing RSA SHA384 CA1"),
		NotBefore: date(2021, 1, 1), NotAfter: date(2036, 1, 1), SignatureAlgorithm: x509.SHA384WithRSA,
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 0, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}, k.Root, &k.IntermediateKey.PublicKey, k.RootKey)
	k.SigningKey = seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(0x5e03), RawSubject: ibmName("IBM Z Host Key Signing Service", "International Business Machines Corporation"),
		NotBefore: date(2024, 1, 1), NotAfter: date(2027, 1, 1), SignatureAlgorithm: x509.SHA384WithRSA,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		SubjectKeyId: keyID(&k.SigningKeyKey.PublicKey), // it issues CRLs: Go requires a key identifier
	}, k.Intermediate, &k.SigningKeyKey.PublicKey, k.IntermediateKey)
	return k
}

func keyID(pub *rsa.PublicKey) []byte {
	sum := sha256.Sum256(pub.N.Bytes())
	return sum[:20]
}

// IssueHKD issues a host key document for the machine serial, valid
// notBefore..notAfter, and returns it with its P-521 host key.
func (k *IBMPKI) IssueHKD(machine string, serial int64, notBefore, notAfter time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	key := k.seed.ECKey(elliptic.P521(), "ibm-hkd/"+machine)
	hkd := k.seed.issue(&x509.Certificate{
		SerialNumber: big.NewInt(serial),
		RawSubject:   ibmName("IBM Z Host Key Signing Service", "International Business Machines Corporation", oidSerialNumber, machine),
		NotBefore:    notBefore, NotAfter: notAfter, SignatureAlgorithm: x509.SHA512WithRSAPSS,
	}, k.SigningKey, &key.PublicKey, k.SigningKeyKey)
	return hkd, key
}

// CRLs returns the intermediate's CRL (listing signing keys) and the signing
// key's CRL (listing HKDs), valid this..next.
func (k *IBMPKI) CRLs(this, next time.Time, revokedSigning, revokedHKDs []int64) (inter, signing []byte) {
	big := func(ss []int64) []*big.Int {
		var out []*big.Int
		for _, s := range ss {
			out = append(out, new(big.Int).SetInt64(s))
		}
		return out
	}
	inter = k.seed.crl(k.Intermediate, k.IntermediateKey, 1, this, next, x509.SHA384WithRSA, big(revokedSigning)...)
	signing = k.seed.crl(k.SigningKey, k.SigningKeyKey, 1, this, next, x509.SHA512WithRSAPSS, big(revokedHKDs)...)
	return inter, signing
}

// SE files, for the IBM Secure Execution verifier to come (no evidence yet).
const (
	SERoot          = "se/root.pem"
	SEChain         = "se/ibm-signing-chain.pem" // signing key, intermediate
	SEHKD           = "se/hkd-8561-0001.crt"
	SEHKDKey        = "se/hkd-8561-0001.key.pem" // the host key (test only): an Ultravisor stand-in decrypts with it
	SEHKDRevoked    = "se/hkd-8561-0002-revoked.crt"
	SEHKDExpired    = "se/hkd-8561-0003-expired.crt"
	SEIntermediateC = "se/intermediate.crl"
	SESigningKeyCRL = "se/ibm-signing-key.crl"
)

func (g *generator) ibm() {
	k := NewIBMPKI(g.seed)
	g.file(SERoot, PEM(k.Root))
	g.file(SEChain, PEM(k.SigningKey, k.Intermediate))
	hkd, key := k.IssueHKD("8561-0001", 0x1001, date(2025, 6, 1), date(2027, 1, 1))
	g.file(SEHKD, PEM(hkd))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	g.file(SEHKDKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	revoked, _ := k.IssueHKD("8561-0002", 0x1002, date(2025, 6, 1), date(2027, 1, 1))
	g.file(SEHKDRevoked, PEM(revoked))
	expired, _ := k.IssueHKD("8561-0003", 0x1003, date(2024, 6, 1), date(2025, 6, 1))
	g.file(SEHKDExpired, PEM(expired))
	inter, signing := k.CRLs(tdxIssue, tdxNext, nil, []int64{0x1002})
	g.file(SEIntermediateC, inter)
	g.file(SESigningKeyCRL, signing)
}
