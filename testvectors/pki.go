// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package testvectors

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// rdn builds a distinguished name with UTF8String values in the order given
// (vendors' certificates list CN first, which pkix.Name cannot express).
func rdn(pairs ...any) []byte {
	var seq pkix.RDNSequence
	for i := 0; i+1 < len(pairs); i += 2 {
		oid := pairs[i].(asn1.ObjectIdentifier)
		val := asn1.RawValue{Tag: asn1.TagUTF8String, Class: asn1.ClassUniversal, Bytes: []byte(pairs[i+1].(string))}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: val}})
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		panic(err)
	}
	return der
}

// lookAlikes maps common names to the raw subjects of the certificates a
// PKI's CAs are to look like.
type lookAlikes map[string][]byte

func newLookAlikes(certs []*x509.Certificate) lookAlikes {
	l := lookAlikes{}
	for _, c := range certs {
		l[c.Subject.CommonName] = c.RawSubject
	}
	return l
}

// subject returns the subject of the look-alike named cn, else name(cn).
func (l lookAlikes) subject(cn string, name func(cn string) []byte) []byte {
	if raw, ok := l[cn]; ok {
		return raw
	}
	return name(cn)
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidL  = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidST = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
)

// issue creates a certificate from tmpl signed by parent's key (tmpl itself
// when parent is nil), deterministically.
func (s *Seed) issue(tmpl, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) *x509.Certificate {
	if parent == nil {
		parent = tmpl
	}
	// The reader is unused by the deterministic signer; serials are always set.
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, s.Signer(parentKey))
	if err != nil {
		panic(fmt.Sprintf("testvectors: certificate %v: %v", tmpl.Subject.CommonName, err))
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c
}

// crl issues a CRL by issuer listing serials, deterministically.
func (s *Seed) crl(issuer *x509.Certificate, key crypto.Signer, number int64, this, next time.Time, alg x509.SignatureAlgorithm, serials ...*big.Int) []byte {
	var entries []x509.RevocationListEntry
	for _, sn := range serials {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: sn, RevocationTime: this})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(number), ThisUpdate: this, NextUpdate: next,
		SignatureAlgorithm: alg, RevokedCertificateEntries: entries,
	}, issuer, s.Signer(key))
	if err != nil {
		panic(fmt.Sprintf("testvectors: CRL of %s: %v", issuer.Subject.CommonName, err))
	}
	return der
}

// PEM encodes certificates as concatenated PEM blocks.
func PEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func pemCRL(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
