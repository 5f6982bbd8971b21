// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"time"
)

// checkCRLs applies the collateral's CRLs to the verified chain in res (see
// "Revocation" in the package documentation). A CRL issued by the chain's ARK
// is checked for the ASK/ASVK's serial; one issued by the ASK/ASVK, for the
// VCEK/VLEK's serial. Any CRL its issuer signed (RSA-PSS SHA-384) adds its
// revocations, whatever its origin or validity window; only a current one
// from the caller or the KDS, for res's chain, makes revocation checked.
// CRLs that do not count are named in res.Notes, never a failure unless
// opts.RequireCRL leaves no current one for the chain.
func checkCRLs(c Collateral, res *Result, now time.Time, opts *Options, cache *Cache) error {
	chain := chainOf(res.SigningKey)
	targets := [2]struct{ issuer, subject *x509.Certificate }{
		{res.Root, res.Intermediate},
		{res.Intermediate, res.Endorsement.Cert},
	}
	var (
		expired, rejected error    // why a CRL that would have counted did not (RequireCRL)
		elsewhere         []string // CRLs of other issuers, noted only if revocation stays unchecked
	)
	for i, l := range c.CRLs {
		name := crlName(l, i)
		wouldCount := l.Origin != FromEvidence && crlChain(l) == chain
		parsed, err := cache.crl(l.DER)
		if err != nil {
			res.note("%s ignored: %v", name, err)
			if wouldCount && rejected == nil {
				rejected = fmt.Errorf("%s: %w", name, err)
			}
			continue
		}
		t := -1
		for j := range targets {
			if bytes.Equal(parsed.RawIssuer, targets[j].issuer.RawSubject) {
				t = j
				break
			}
		}
		if t < 0 {
			elsewhere = append(elsewhere, fmt.Sprintf("%s is issued by %q, not by this chain's %s or %s", name,
				parsed.Issuer.CommonName, res.Root.Subject.CommonName, res.Intermediate.Subject.CommonName))
			continue
		}
		issuer, subject := targets[t].issuer, targets[t].subject
		desc := fmt.Sprintf("%s (%s, number %v, valid %s to %s)", name, issuer.Subject.CommonName, parsed.Number,
			parsed.ThisUpdate.UTC().Format(time.RFC3339), parsed.NextUpdate.UTC().Format(time.RFC3339))
		if err := cache.crlSigned(parsed, issuer); err != nil {
			res.note("%s rejected: not signed by %s: %v", desc, issuer.Subject.CommonName, err)
			if t == 0 && wouldCount && rejected == nil {
				rejected = fmt.Errorf("%w: %s is not signed by %s: %v", ErrCRL, desc, issuer.Subject.CommonName, err)
			}
			continue
		}
		// Genuine: its revocations apply. AMD does not un-revoke.
		for _, rc := range parsed.RevokedCertificateEntries {
			if rc.SerialNumber != nil && rc.SerialNumber.Cmp(subject.SerialNumber) == 0 {
				return fmt.Errorf("%w: %s serial %v revoked at %s by the CRL of %s (%s)", ErrRevoked, subject.Subject.CommonName, subject.SerialNumber,
					rc.RevocationTime.UTC().Format(time.RFC3339), issuer.Subject.CommonName, name)
			}
		}
		current := !now.Before(parsed.ThisUpdate) && !parsed.NextUpdate.IsZero() && !now.After(parsed.NextUpdate)
		why := ""
		switch {
		case l.Origin == FromEvidence:
			why = "it came with the evidence"
		case t == 1:
		case l.Chain == chainConflict:
			why = "its sources name different chains"
		case l.Chain != ChainUnknown && l.Chain != chain:
			why = fmt.Sprintf("it is the %v chain's CRL (%v)", l.Chain, l.Origin)
		case crlChain(l) != chain:
			why = fmt.Sprintf("its source does not name its chain, and a CRL of the ARK from the %v counts for the VCEK chain only "+
				"(the ARK's CRL distribution point); supply the VLEK chain's with \"vlek\" in its file name, or fetch it from the KDS", l.Origin)
		}
		switch {
		case !current && why == "":
			res.note("%s is not current at %s: not used", desc, now.UTC().Format(time.RFC3339))
			if t == 0 && expired == nil {
				expired = fmt.Errorf("%w: CRL of %s valid %s to %s, verification time %s (%s)", ErrExpired, issuer.Subject.CommonName,
					parsed.ThisUpdate.UTC().Format(time.RFC3339), parsed.NextUpdate.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), name)
			}
		case !current:
			res.note("%s is not current at %s, and %s: not used", desc, now.UTC().Format(time.RFC3339), why)
		case why != "":
			res.note("%s lists no certificate of this chain, but cannot make revocation of the %v chain checked: %s", desc, chain, why)
		default:
			if t == 0 {
				res.CRLChecked = true
			}
			res.bound(parsed.NextUpdate)
		}
	}
	if res.CRLChecked {
		return nil
	}
	for _, s := range elsewhere {
		res.note("%s: ignored", s)
	}
	if !opts.RequireCRL {
		return nil
	}
	switch {
	case expired != nil:
		return expired
	case rejected != nil:
		return rejected
	}
	return fmt.Errorf("%w: no CRL from %s for the %v chain, current at %s, from the caller or the KDS (RequireCRL)", ErrCollateralMissing,
		res.Root.Subject.CommonName, chain, now.UTC().Format(time.RFC3339))
}

// crlChain is the chain l counts for: the one its source names, else the
// VCEK chain for a CRL the caller supplied (the CRL the ARK's and the ASK's
// CRL distribution points name), else none.
func crlChain(l CRL) Chain {
	switch {
	case l.Chain != ChainUnknown:
		return l.Chain
	case l.Origin == FromCaller:
		return ChainVCEK
	}
	return ChainUnknown
}

// crlName names l (the i-th CRL of the collateral) in notes.
func crlName(l CRL, i int) string {
	if l.Name != "" {
		return "CRL from " + l.Name
	}
	return fmt.Sprintf("CRL %d (from the %v)", i+1, l.Origin)
}
