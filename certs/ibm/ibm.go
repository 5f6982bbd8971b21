// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package ibm proves IBM Secure Execution host key documents (HKDs) as
// s390-tools (pvattest, genprotimg) checks them: exactly one IBM Z signing
// key among the given certificates, found by its subject; the signing key
// verified through the intermediates to a pinned root; a current CRL for
// every CA in that chain; the HKD within its validity, its AKID (when
// present) naming the signing key, its signature by the signing key
// (checked directly: the signing key is no CA), and its serial absent from
// a current CRL of the signing key, which must exist.
//
// The default root is DigiCert Trusted Root G4, embedded and pinned, where
// IBM's real chain ends (HKD ← IBM Z Host Key Signing Service ← DigiCert
// Trusted G4 Code Signing RSA4096 SHA384 2021 CA1 ← DigiCert Trusted Root
// G4). Other roots (test PKIs) only through [Options.Roots]. No root is ever
// taken from the input.
package ibm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Sentinel errors, wrapped with the certificate or CRL and the values that failed.
var (
	// ErrNoSigningKey reports certificates among which none is an IBM Z signing key.
	ErrNoSigningKey = errors.New("ibm: no IBM Z signing key certificate")
	// ErrManySigningKeys reports more than one IBM Z signing key certificate.
	ErrManySigningKeys = errors.New("ibm: more than one IBM Z signing key certificate")
	// ErrChain reports a signing key that does not chain to a trusted root.
	ErrChain = errors.New("ibm: certificate chain does not verify")
	// ErrNoCRL reports a CA of the chain, or the signing key, without a
	// current CRL whose signature verifies.
	ErrNoCRL = errors.New("ibm: no valid CRL")
	// ErrRevoked reports a revoked certificate: an HKD, the signing key or an intermediate.
	ErrRevoked = errors.New("ibm: certificate revoked")
	// ErrExpired reports a certificate outside its validity at the verification time.
	ErrExpired = errors.New("ibm: certificate expired or not yet valid")
	// ErrSignature reports an HKD whose signature or AKID does not match the signing key.
	ErrSignature = errors.New("ibm: host key document not signed by the IBM Z signing key")
	// ErrKey reports an HKD whose key is not an ECDSA P-521 key.
	ErrKey = errors.New("ibm: host key document key is not P-521")
	// ErrMalformed reports input that is neither a certificate nor a CRL.
	ErrMalformed = errors.New("ibm: malformed certificate or CRL")
)

//go:embed digicert_trusted_root_g4.pem
var digicertRootPEM []byte

// DefaultRoot returns the pinned DigiCert Trusted Root G4.
func DefaultRoot() *x509.Certificate {
	blk, _ := pem.Decode(digicertRootPEM)
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil // unreachable: the embedded root parses (TestDefaultRoot)
	}
	return c
}

// Options configure the checks. The zero value trusts the pinned DigiCert
// root at time.Now.
type Options struct {
	// Now is the verification time; zero means time.Now().
	Now time.Time
	// Roots replace the pinned DigiCert Trusted Root G4 (test PKIs).
	Roots []*x509.Certificate
}

func (o *Options) now() time.Time {
	if o == nil || o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// Load reads certificates and CRLs from b: PEM (any number of blocks) or
// one DER certificate or CRL.
func Load(b []byte) (certs []*x509.Certificate, crls []*x509.RevocationList, err error) {
	if blk, rest := pem.Decode(b); blk != nil {
		for ; blk != nil; blk, rest = pem.Decode(rest) {
			switch blk.Type {
			case "CERTIFICATE":
				c, err := x509.ParseCertificate(blk.Bytes)
				if err != nil {
					return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
				}
				certs = append(certs, c)
			case "X509 CRL":
				c, err := x509.ParseRevocationList(blk.Bytes)
				if err != nil {
					return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
				}
				crls = append(crls, c)
			}
		}
		return certs, crls, nil
	}
	if c, err := x509.ParseCertificate(b); err == nil {
		return []*x509.Certificate{c}, nil, nil
	}
	if c, err := x509.ParseRevocationList(b); err == nil {
		return nil, []*x509.RevocationList{c}, nil
	}
	return nil, nil, fmt.Errorf("%w: neither PEM nor a DER certificate or CRL", ErrMalformed)
}

var (
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidST = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidL  = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
)

const ibmName = "International Business Machines Corporation"

// IsSigningKey reports whether c's subject is an IBM Z signing key's, by
// s390-tools' rule: exactly six attributes, C=US, ST=New York,
// L=Poughkeepsie or Armonk, O=CN=International Business Machines
// Corporation, and an OU ending in "Key Signing Service".
func IsSigningKey(c *x509.Certificate) bool {
	names := c.Subject.Names
	if len(names) != 6 {
		return false
	}
	got := map[string]string{}
	for _, n := range names {
		s, ok := n.Value.(string)
		if !ok {
			return false
		}
		k := n.Type.String()
		if _, dup := got[k]; dup {
			return false
		}
		got[k] = s
	}
	l := got[oidL.String()]
	return got[oidC.String()] == "US" && got[oidST.String()] == "New York" &&
		(l == "Poughkeepsie" || l == "Armonk") &&
		got[oidO.String()] == ibmName && got[oidCN.String()] == ibmName &&
		strings.HasSuffix(got[oidOU.String()], "Key Signing Service")
}

// Chain is a verified IBM Z signing key: its chain to a trusted root, every
// CA's CRL checked, and its own current CRLs for checking HKDs.
type Chain struct {
	// SigningKey is the IBM Z signing key certificate.
	SigningKey *x509.Certificate
	// Path is the verified chain, signing key first, root last.
	Path []*x509.Certificate
	// Expires is the earliest notAfter and nextUpdate the chain rests on.
	Expires time.Time
	now     time.Time
	crls    []*x509.RevocationList // the signing key's current, verified CRLs
}

// VerifyChain finds the one IBM Z signing key among certs, verifies it to a
// trusted root through the others, and checks a current CRL of every CA in
// the chain. crls are candidates: those not issued by, or not signed by, a
// chain certificate, or not current, are passed over.
func VerifyChain(certs []*x509.Certificate, crls []*x509.RevocationList, opts *Options) (*Chain, error) {
	now := opts.now()
	var signing *x509.Certificate
	inter := x509.NewCertPool()
	for _, c := range certs {
		if IsSigningKey(c) {
			if signing != nil && !signing.Equal(c) {
				return nil, fmt.Errorf("%w: %q and %q", ErrManySigningKeys, signing.Subject, c.Subject)
			}
			signing = c
			continue
		}
		inter.AddCert(c)
	}
	if signing == nil {
		return nil, fmt.Errorf("%w among %d certificates", ErrNoSigningKey, len(certs))
	}
	roots := x509.NewCertPool()
	rs := []*x509.Certificate{DefaultRoot()}
	if opts != nil && len(opts.Roots) > 0 {
		rs = opts.Roots
	}
	for _, r := range rs {
		roots.AddCert(r)
	}
	if now.Before(signing.NotBefore) || !now.Before(signing.NotAfter) {
		return nil, fmt.Errorf("%w: IBM Z signing key %q valid %s..%s, now %s", ErrExpired, signing.Subject, signing.NotBefore.Format(time.RFC3339), signing.NotAfter.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	chains, err := signing.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return nil, fmt.Errorf("%w: IBM Z signing key %q (serial %x): %v", ErrChain, signing.Subject, signing.SerialNumber, err)
	}
	var lastErr error
	for _, path := range chains {
		ch, err := checkPath(path, crls, now)
		if err == nil {
			return ch, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// checkPath checks the CRLs of one verified path (CRL_CHECK_ALL).
func checkPath(path []*x509.Certificate, crls []*x509.RevocationList, now time.Time) (*Chain, error) {
	if len(path) < 2 {
		return nil, fmt.Errorf("%w: chain of %d certificates, want at least 2", ErrChain, len(path))
	}
	ch := &Chain{SigningKey: path[0], Path: path, now: now}
	for _, c := range path {
		ch.expire(c.NotAfter)
	}
	for i := 0; i+1 < len(path); i++ {
		sub, iss := path[i], path[i+1]
		var found []*x509.RevocationList
		for _, crl := range crls {
			if sameIssuer(crl.RawIssuer, iss.RawSubject, false) && crl.CheckSignatureFrom(iss) == nil && current(crl, now) && akidOK(crl.AuthorityKeyId, iss) {
				found = append(found, crl)
			}
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%w: none of %d CRLs is a current one of %q, which issued %q", ErrNoCRL, len(crls), iss.Subject, sub.Subject)
		}
		for _, crl := range found {
			ch.expire(crl.NextUpdate)
			if revoked(crl, sub.SerialNumber.Bytes()) {
				return nil, fmt.Errorf("%w: %q (serial %x) by %q's CRL", ErrRevoked, sub.Subject, sub.SerialNumber, iss.Subject)
			}
		}
	}
	signing := path[0]
	for _, crl := range crls {
		if sameIssuer(crl.RawIssuer, signing.RawSubject, true) && akidOK(crl.AuthorityKeyId, signing) && current(crl, now) &&
			signing.CheckSignature(crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature) == nil {
			ch.crls = append(ch.crls, crl)
		}
	}
	return ch, nil
}

func (c *Chain) expire(t time.Time) {
	if c.Expires.IsZero() || t.Before(c.Expires) {
		c.Expires = t
	}
}

func current(crl *x509.RevocationList, now time.Time) bool {
	return !crl.NextUpdate.IsZero() && !now.Before(crl.ThisUpdate) && now.Before(crl.NextUpdate)
}

func akidOK(akid []byte, iss *x509.Certificate) bool {
	return len(akid) == 0 || len(iss.SubjectKeyId) == 0 || bytes.Equal(akid, iss.SubjectKeyId)
}

func revoked(crl *x509.RevocationList, serial []byte) bool {
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && bytes.Equal(e.SerialNumber.Bytes(), serial) {
			return true
		}
	}
	return false
}

// sameIssuer compares two raw names as s390-tools looks up CRLs: the same
// attributes in any order and, for the signing key (quirks), with
// L=Armonk and L=Poughkeepsie taken as one.
func sameIssuer(a, b []byte, quirks bool) bool {
	if bytes.Equal(a, b) {
		return true
	}
	na, ok1 := attrs(a, quirks)
	nb, ok2 := attrs(b, quirks)
	if !ok1 || !ok2 || len(na) != len(nb) {
		return false
	}
	for i := range na {
		if na[i] != nb[i] {
			return false
		}
	}
	return true
}

func attrs(raw []byte, quirks bool) ([]string, bool) {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return nil, false
	}
	var out []string
	for _, rdn := range seq {
		for _, a := range rdn {
			v := fmt.Sprint(a.Value)
			if quirks && a.Type.Equal(oidL) && v == "Armonk" {
				v = "Poughkeepsie"
			}
			out = append(out, a.Type.String()+"="+v)
		}
	}
	sort.Strings(out)
	return out, true
}

// HKD is a verified host key document.
type HKD struct {
	// Cert is the host key document.
	Cert *x509.Certificate
	// Key is its P-521 host key.
	Key *ecdsa.PublicKey
	// Expires is the earliest of its notAfter, the chain's and the CRLs'.
	Expires time.Time
}

// VerifyHKD checks one host key document against the verified chain.
func (c *Chain) VerifyHKD(hkd *x509.Certificate) (*HKD, error) {
	key, ok := hkd.PublicKey.(*ecdsa.PublicKey)
	if !ok || key.Curve != elliptic.P521() {
		return nil, fmt.Errorf("%w: %q (serial %x) has a %T key", ErrKey, hkd.Subject, hkd.SerialNumber, hkd.PublicKey)
	}
	if c.now.Before(hkd.NotBefore) || !c.now.Before(hkd.NotAfter) {
		return nil, fmt.Errorf("%w: host key document %q (serial %x) valid %s..%s, now %s", ErrExpired, hkd.Subject, hkd.SerialNumber,
			hkd.NotBefore.Format(time.RFC3339), hkd.NotAfter.Format(time.RFC3339), c.now.Format(time.RFC3339))
	}
	if len(hkd.AuthorityKeyId) > 0 && !bytes.Equal(hkd.AuthorityKeyId, c.SigningKey.SubjectKeyId) {
		return nil, fmt.Errorf("%w: host key document %q (serial %x) AKID %x, signing key SKID %x", ErrSignature, hkd.Subject, hkd.SerialNumber, hkd.AuthorityKeyId, c.SigningKey.SubjectKeyId)
	}
	// Directly, not CheckSignatureFrom: the signing key is CA:FALSE.
	if err := c.SigningKey.CheckSignature(hkd.SignatureAlgorithm, hkd.RawTBSCertificate, hkd.Signature); err != nil {
		return nil, fmt.Errorf("%w: host key document %q (serial %x): %v", ErrSignature, hkd.Subject, hkd.SerialNumber, err)
	}
	if len(c.crls) == 0 {
		return nil, fmt.Errorf("%w: no current CRL of the IBM Z signing key %q to check host key document serial %x", ErrNoCRL, c.SigningKey.Subject, hkd.SerialNumber)
	}
	h := &HKD{Cert: hkd, Key: key, Expires: c.Expires}
	if hkd.NotAfter.Before(h.Expires) {
		h.Expires = hkd.NotAfter
	}
	for _, crl := range c.crls {
		if crl.NextUpdate.Before(h.Expires) {
			h.Expires = crl.NextUpdate
		}
		if revoked(crl, hkd.SerialNumber.Bytes()) {
			return nil, fmt.Errorf("%w: host key document %q (serial %x) by the IBM Z signing key's CRL (this update %s)", ErrRevoked, hkd.Subject, hkd.SerialNumber, crl.ThisUpdate.Format(time.RFC3339))
		}
	}
	return h, nil
}
