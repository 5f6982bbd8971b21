// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"time"
)

// checkCRLs applies the collateral's CRLs to the verified chain in res. A CRL
// issued by the chain's ARK (as AMD's KDS serves them at …/crl) is checked for
// the ASK/ASVK's serial; a CRL issued by the ASK/ASVK, for the VCEK/VLEK's
// serial. Each such CRL must be signed by its issuer (RSA-PSS SHA-384) and
// current at now. CRLs of other issuers are ignored.
func checkCRLs(c Collateral, res *Result, now time.Time, opts *Options, cache *Cache) error {
	targets := []struct {
		issuer, subject *x509.Certificate
	}{
		{res.Root, res.Intermediate},
		{res.Intermediate, res.Endorsement.Cert},
	}
	for _, der := range c.CRLs {
		l, err := cache.crl(der)
		if err != nil {
			return err
		}
		for _, t := range targets {
			if !bytes.Equal(l.RawIssuer, t.issuer.RawSubject) {
				continue
			}
			if err := cache.crlSigned(l, t.issuer); err != nil {
				return fmt.Errorf("%w: CRL of %s (number %v) is not signed by it: %v", ErrCRL, t.issuer.Subject.CommonName, l.Number, err)
			}
			if now.Before(l.ThisUpdate) || l.NextUpdate.IsZero() || now.After(l.NextUpdate) {
				return fmt.Errorf("%w: CRL of %s valid %s to %s, verification time %s", ErrExpired, t.issuer.Subject.CommonName,
					l.ThisUpdate.UTC().Format(time.RFC3339), l.NextUpdate.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
			}
			for _, rc := range l.RevokedCertificateEntries {
				if rc.SerialNumber != nil && rc.SerialNumber.Cmp(t.subject.SerialNumber) == 0 {
					return fmt.Errorf("%w: %s serial %v revoked at %s by the CRL of %s", ErrRevoked, t.subject.Subject.CommonName, t.subject.SerialNumber,
						rc.RevocationTime.UTC().Format(time.RFC3339), t.issuer.Subject.CommonName)
				}
			}
			if t.issuer == res.Root {
				res.CRLChecked = true
			}
		}
	}
	if opts.RequireCRL && !res.CRLChecked {
		return fmt.Errorf("%w: no CRL from %s (RequireCRL)", ErrCollateralMissing, res.Root.Subject.CommonName)
	}
	return nil
}
