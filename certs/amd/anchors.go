// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"sync"

	"github.com/ccverify/ccverify/evidence/snp"
)

// productAnchors are the pinned certificates of one product line.
type productAnchors struct {
	ark, ask, asvk *x509.Certificate
}

var loadAnchors = sync.OnceValue(func() map[snp.Product]productAnchors {
	m := map[snp.Product]productAnchors{
		snp.Milan: {pinned(milanARKPEM, milanARKSPKI), pinned(milanASKPEM, milanASKSPKI), pinned(milanASVKPEM, milanASVKSPKI)},
		snp.Genoa: {pinned(genoaARKPEM, genoaARKSPKI), pinned(genoaASKPEM, genoaASKSPKI), pinned(genoaASVKPEM, genoaASVKSPKI)},
		snp.Turin: {pinned(turinARKPEM, turinARKSPKI), pinned(turinASKPEM, turinASKSPKI), pinned(turinASVKPEM, turinASVKSPKI)},
	}
	for p, a := range m {
		for _, c := range []*x509.Certificate{a.ark, a.ask, a.asvk} {
			if err := checkSigned(c, a.ark); err != nil {
				panic("amd: embedded " + p.String() + " certificate " + c.Subject.CommonName + ": " + err.Error())
			}
		}
	}
	return m
})

func pinned(pemText, spki string) *x509.Certificate {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		panic("amd: embedded certificate is not PEM")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		panic("amd: embedded certificate: " + err.Error())
	}
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	if hex.EncodeToString(sum[:]) != spki {
		panic("amd: embedded certificate " + c.Subject.CommonName + " does not match its pinned key")
	}
	return c
}

// ARK returns the pinned AMD Root Key certificate of product p, or nil.
// Callers must not modify it.
func ARK(p snp.Product) *x509.Certificate { return loadAnchors()[p].ark }

// ASK returns the pinned AMD SEV Signing Key certificate (issuer of VCEKs) of
// product p, or nil. Callers must not modify it.
func ASK(p snp.Product) *x509.Certificate { return loadAnchors()[p].ask }

// ASVK returns the pinned AMD SEV VLEK Signing Key certificate (issuer of
// VLEKs) of product p, or nil. Callers must not modify it.
func ASVK(p snp.Product) *x509.Certificate { return loadAnchors()[p].asvk }
