// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"sync"
)

// Cache memoizes what does not depend on the verification time: parsed
// certificates and CRLs (keyed by the SHA-256 of their DER) and signature
// checks between them. Validity windows, extensions, CRL contents and the
// report's own signature are checked at every verification. A Cache is safe
// for concurrent use; the zero value is not usable, use [NewCache].
type Cache struct {
	mu    sync.RWMutex
	max   int
	certs map[[32]byte]*x509.Certificate
	ends  map[[32]byte]endEntry
	crls  map[[32]byte]*x509.RevocationList
	sigs  map[[2]any]struct{} // {child, parent} pointers whose signature verified
}

type endEntry struct {
	e   *Endorsement
	err error
}

// NewCache returns a cache holding up to max certificates and CRLs (all are
// dropped when it fills); max ≤ 0 means 4096.
func NewCache(max int) *Cache {
	if max <= 0 {
		max = 4096
	}
	return &Cache{
		max:   max,
		certs: map[[32]byte]*x509.Certificate{},
		ends:  map[[32]byte]endEntry{},
		crls:  map[[32]byte]*x509.RevocationList{},
		sigs:  map[[2]any]struct{}{},
	}
}

var defaultCache = NewCache(0)

func (c *Cache) full() bool { return len(c.certs)+len(c.ends)+len(c.crls) >= c.max }

func (c *Cache) reset() {
	clear(c.certs)
	clear(c.ends)
	clear(c.crls)
	clear(c.sigs)
}

// endorsement returns the parsed VCEK/VLEK for der.
func (c *Cache) endorsement(der []byte) (*Endorsement, error) {
	k := sha256.Sum256(der)
	c.mu.RLock()
	v, ok := c.ends[k]
	c.mu.RUnlock()
	if ok {
		return v.e, v.err
	}
	e, err := ParseEndorsement(der)
	c.mu.Lock()
	if c.full() {
		c.reset()
	}
	if prev, ok := c.ends[k]; ok {
		e, err = prev.e, prev.err
	} else {
		c.ends[k] = endEntry{e, err}
	}
	c.mu.Unlock()
	return e, err
}

// cert returns the parsed certificate for der.
func (c *Cache) cert(der []byte) (*x509.Certificate, error) {
	k := sha256.Sum256(der)
	c.mu.RLock()
	x, ok := c.certs[k]
	c.mu.RUnlock()
	if ok {
		return x, nil
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCollateral, err)
	}
	c.mu.Lock()
	if c.full() {
		c.reset()
	}
	if prev, ok := c.certs[k]; ok {
		x = prev
	} else {
		c.certs[k] = x
	}
	c.mu.Unlock()
	return x, nil
}

// crl returns the parsed CRL for der.
func (c *Cache) crl(der []byte) (*x509.RevocationList, error) {
	k := sha256.Sum256(der)
	c.mu.RLock()
	x, ok := c.crls[k]
	c.mu.RUnlock()
	if ok {
		return x, nil
	}
	x, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCRL, err)
	}
	c.mu.Lock()
	if c.full() {
		c.reset()
	}
	if prev, ok := c.crls[k]; ok {
		x = prev
	} else {
		c.crls[k] = x
	}
	c.mu.Unlock()
	return x, nil
}

// signed checks (once per pair of parsed objects) that parent signed child.
func (c *Cache) signed(child, parent *x509.Certificate) error {
	k := [2]any{child, parent}
	c.mu.RLock()
	_, ok := c.sigs[k]
	c.mu.RUnlock()
	if ok {
		return nil
	}
	if err := checkSigned(child, parent); err != nil {
		return err
	}
	c.mu.Lock()
	c.sigs[k] = struct{}{}
	c.mu.Unlock()
	return nil
}

// crlSigned checks (once per pair) that parent signed the CRL.
func (c *Cache) crlSigned(l *x509.RevocationList, parent *x509.Certificate) error {
	k := [2]any{l, parent}
	c.mu.RLock()
	_, ok := c.sigs[k]
	c.mu.RUnlock()
	if ok {
		return nil
	}
	if l.SignatureAlgorithm != x509.SHA384WithRSAPSS {
		return fmt.Errorf("signature algorithm %v (want SHA384-RSAPSS)", l.SignatureAlgorithm)
	}
	if err := parent.CheckSignature(l.SignatureAlgorithm, l.RawTBSRevocationList, l.Signature); err != nil {
		return err
	}
	c.mu.Lock()
	c.sigs[k] = struct{}{}
	c.mu.Unlock()
	return nil
}
