// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/ccverify/ccverify/evidence/snp"
)

// Options configure [VerifyReport]. The zero value is the safe default: the
// pinned AMD roots, the current time, no CRL required, no policy, the
// package's shared cache.
type Options struct {
	// Now is the verification time; zero means time.Now(). Every certificate
	// and CRL must be valid at this time.
	Now time.Time
	// Product is the product line for version 2 reports, which carry no CPUID.
	// Zero (snp.Unknown) takes it from the VCEK/VLEK's issuer. For version 3+
	// reports the CPUID decides, and a different Product is an error.
	Product snp.Product
	// RequireCRL makes a missing CRL for the chain an [ErrCollateralMissing]
	// error. Without it, CRLs are checked when the collateral has them.
	RequireCRL bool
	// AllowMaskedChipID accepts a VCEK-signed report whose CHIP_ID is all zero
	// (the host set MASK_CHIP_ID) without comparing the VCEK's hwID.
	AllowMaskedChipID bool
	// Policy, if not nil, is checked after the report is proven genuine.
	Policy *Policy
	// ExtraARKs are additional trusted AMD-shaped roots (test PKIs). They are
	// explicit trust: never fill this from the evidence.
	ExtraARKs []*x509.Certificate
	// Cache memoizes parsed certificates and verified signatures; nil uses a
	// package-wide cache. Validity is checked at every verification regardless.
	Cache *Cache
}

// Result describes a report [VerifyReport] proved genuine.
type Result struct {
	Product      snp.Product       // the product line whose root signed the chain
	SigningKey   snp.SigningKey    // VCEK or VLEK
	Endorsement  *Endorsement      // the VCEK/VLEK and its extensions
	Intermediate *x509.Certificate // the ASK (VCEK) or ASVK (VLEK)
	Root         *x509.Certificate // the ARK
	CRLChecked   bool              // a valid CRL from the ARK was consulted
	ChipIDMasked bool              // CHIP_ID was zero and AllowMaskedChipID skipped the hwID check
	// Warnings are findings that are not failures, such as REPORTED_TCB below CURRENT_TCB.
	Warnings []string
}

// defaults returns o (a zero Options for nil), its verification time and its cache.
func (o *Options) defaults() (*Options, time.Time, *Cache) {
	if o == nil {
		o = &Options{}
	}
	now, cache := o.Now, o.Cache
	if now.IsZero() {
		now = time.Now()
	}
	if cache == nil {
		cache = defaultCache
	}
	return o, now, cache
}

// VerifyReport proves r genuine with the collateral c: the VCEK or VLEK in c
// chains to the pinned ARK of the report's product through the pinned ASK or
// ASVK (or one from c that the ARK signed), every certificate is valid at the
// verification time, the certificate's extensions match the report, the CRLs
// in c (from the ARK, valid at that time) list none of them, the report's
// SIGNATURE_ALGO is ECDSA P-384 with SHA-384 and its signature over bytes
// 0x000–0x29F verifies with the certificate's key. Then opts.Policy is checked.
//
// opts may be nil. Errors wrap one of the package's sentinel errors.
func VerifyReport(r snp.Report, c Collateral, opts *Options) (*Result, error) {
	opts, now, cache := opts.defaults()
	if r.Raw() == nil {
		return nil, fmt.Errorf("%w: empty report", ErrSignature)
	}
	if a := r.SignatureAlgo(); a != snp.SignatureAlgoECDSAP384SHA384 {
		return nil, fmt.Errorf("%w: SIGNATURE_ALGO %d (want 1, ECDSA P-384 with SHA-384)", ErrSignature, a)
	}
	key := r.SigningKey()
	var der []byte
	switch key {
	case snp.SignedByVCEK:
		der = c.VCEK
	case snp.SignedByVLEK:
		der = c.VLEK
	default:
		return nil, fmt.Errorf("%w: SIGNING_KEY %v: the report is not signed by a VCEK or VLEK", ErrSignature, key)
	}
	cands := make([][]byte, 0, 2)
	if der != nil {
		cands = append(cands, der)
	}
	for _, x := range c.Certs {
		if xe, err := cache.endorsement(x); err == nil && xe.Key == key {
			cands = append(cands, x)
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: no %v certificate for a %v-signed report", ErrCollateralMissing, key, key)
	}
	var firstErr error
	for _, d := range cands {
		res, err := verifyWith(r, d, c, now, opts, cache)
		if err == nil {
			return res, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

func verifyWith(r snp.Report, der []byte, c Collateral, now time.Time, opts *Options, cache *Cache) (*Result, error) {
	key := r.SigningKey()
	e, err := cache.endorsement(der)
	if err != nil {
		return nil, err
	}
	if e.Key != key {
		return nil, fmt.Errorf("%w: report SIGNING_KEY is %v, certificate is a %v", ErrExtensionMismatch, key, e.Key)
	}

	// The product: CPUID for v3+, else the option, else the certificate.
	p := r.Product()
	switch {
	case p != snp.Unknown && opts.Product != snp.Unknown && opts.Product != p:
		return nil, fmt.Errorf("%w: Options.Product %v, report CPUID %#x/%#x is %v", ErrExtensionMismatch, opts.Product, r.CPUIDFamily(), r.CPUIDModel(), p)
	case p == snp.Unknown && opts.Product != snp.Unknown:
		p = opts.Product
	case p == snp.Unknown:
		p = e.Product
	}
	if p != e.Product {
		return nil, fmt.Errorf("%w: report product %v, but the %v is issued by %s", ErrChain, p, key, e.Cert.Issuer.CommonName)
	}

	res := &Result{Product: p, SigningKey: key, Endorsement: e}
	if err := verifyChain(e, c, p, now, opts, cache, res); err != nil {
		return nil, err
	}
	if err := checkExtensions(e, r, p, opts, res); err != nil {
		return nil, err
	}
	if err := checkCRLs(c, res, now, opts, cache); err != nil {
		return nil, err
	}
	if err := verifySignature(r, e.Cert.PublicKey.(*ecdsa.PublicKey)); err != nil {
		return nil, err
	}
	rep, cur := r.ReportedTCB().Parts(p), r.CurrentTCB().Parts(p)
	if ok, comp := rep.AtLeast(cur); !ok {
		res.Warnings = append(res.Warnings, fmt.Sprintf("REPORTED_TCB %v is below CURRENT_TCB %v (%s)", rep, cur, comp))
	}
	if opts.Policy != nil {
		if err := opts.Policy.Check(r, p); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func checkExtensions(e *Endorsement, r snp.Report, p snp.Product, opts *Options, res *Result) error {
	if e.Key == snp.SignedByVCEK && opts.AllowMaskedChipID && isZero(r.ChipID()) {
		res.ChipIDMasked = true
		tmp := *e // compare everything but the hwID
		tmp.HWID = nil
		return tmp.CheckReport(r, p)
	}
	return e.CheckReport(r, p)
}

// verifyChain checks endorsement ← intermediate ← ARK, with names, algorithms
// and validity at now, and fills res.Intermediate and res.Root.
func verifyChain(e *Endorsement, c Collateral, p snp.Product, now time.Time, opts *Options, cache *Cache, res *Result) error {
	wantCN := "SEV-" + p.String()
	if e.Key == snp.SignedByVLEK {
		wantCN = "SEV-VLEK-" + p.String()
	}
	type pair struct{ inter, ark *x509.Certificate }
	var cands []pair
	a := loadAnchors()[p]
	pinnedInter := a.ask
	if e.Key == snp.SignedByVLEK {
		pinnedInter = a.asvk
	}
	if pinnedInter != nil {
		cands = append(cands, pair{pinnedInter, a.ark})
	}
	arks := make([]*x509.Certificate, 0, 1+len(opts.ExtraARKs))
	if a.ark != nil {
		arks = append(arks, a.ark)
	}
	for _, x := range opts.ExtraARKs {
		if x.Subject.CommonName == "ARK-"+p.String() {
			arks = append(arks, x)
		}
	}
	// Intermediates from the collateral are candidates only under a trusted ARK.
	for _, der := range c.Certs {
		ic, err := cache.cert(der)
		if err != nil || ic.Subject.CommonName != wantCN || (pinnedInter != nil && bytes.Equal(ic.Raw, pinnedInter.Raw)) {
			continue
		}
		for _, ark := range arks {
			if bytes.Equal(ic.RawIssuer, ark.RawSubject) {
				cands = append(cands, pair{ic, ark})
			}
		}
	}
	var firstErr error
	for _, cand := range cands {
		if !bytes.Equal(e.Cert.RawIssuer, cand.inter.RawSubject) {
			continue
		}
		if err := cache.signed(e.Cert, cand.inter); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%w: %v (serial %v) is not signed by %s: %v", ErrChain, e.Key, e.Cert.SerialNumber, cand.inter.Subject.CommonName, err)
			}
			continue
		}
		if err := cache.signed(cand.inter, cand.ark); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("%w: %s is not signed by %s: %v", ErrChain, cand.inter.Subject.CommonName, cand.ark.Subject.CommonName, err)
			}
			continue
		}
		if err := cache.signed(cand.ark, cand.ark); err != nil {
			firstErr = fmt.Errorf("%w: %s is not self-signed: %v", ErrChain, cand.ark.Subject.CommonName, err)
			continue
		}
		for _, x := range []*x509.Certificate{e.Cert, cand.inter, cand.ark} {
			if now.Before(x.NotBefore) || now.After(x.NotAfter) {
				return fmt.Errorf("%w: %s (serial %v) valid %s to %s, verification time %s", ErrExpired, x.Subject.CommonName, x.SerialNumber,
					x.NotBefore.UTC().Format(time.RFC3339), x.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
			}
		}
		res.Intermediate, res.Root = cand.inter, cand.ark
		return nil
	}
	if firstErr != nil {
		return firstErr
	}
	return fmt.Errorf("%w: no trusted %s issues the %v (issuer %q)", ErrChain, wantCN, e.Key, e.Cert.Issuer.String())
}

// checkSigned checks that parent's key signed child with RSA-PSS SHA-384 (the
// only algorithm AMD's chain uses).
func checkSigned(child, parent *x509.Certificate) error {
	if child.SignatureAlgorithm != x509.SHA384WithRSAPSS {
		return fmt.Errorf("signature algorithm %v (want SHA384-RSAPSS)", child.SignatureAlgorithm)
	}
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return fmt.Errorf("issuer %q is not %q", child.Issuer.String(), parent.Subject.String())
	}
	return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
}

// verifySignature checks the report's ECDSA P-384 signature over Signed(). R
// and S are 72-byte little-endian fields; bytes 48–71 of each, and the rest of
// the 512-byte signature field, must be zero, so no unsigned byte can vary.
func verifySignature(r snp.Report, pub *ecdsa.PublicKey) error {
	rs, ss := r.SignatureR(), r.SignatureS()
	if !isZero(rs[48:]) || !isZero(ss[48:]) {
		return fmt.Errorf("%w: R or S exceeds 384 bits", ErrSignature)
	}
	if !isZero(r.Signature()[2*snp.SigComponentSize:]) {
		return fmt.Errorf("%w: the signature field's reserved bytes after S are not zero", ErrSignature)
	}
	var buf [2 + 2*(2+1+48)]byte
	sig := appendSigDER(buf[:0], rs[:48], ss[:48])
	h := sha512.Sum384(r.Signed())
	if !ecdsa.VerifyASN1(pub, h[:], sig) {
		return fmt.Errorf("%w: ECDSA P-384 over bytes 0x000–0x29F with the %s key", ErrSignature, "VCEK/VLEK")
	}
	return nil
}

// appendSigDER encodes SEQUENCE { INTEGER r, INTEGER s } from 48-byte
// little-endian r and s, without allocating when dst has room.
func appendSigDER(dst, rle, sle []byte) []byte {
	var r, s [49]byte
	rb, sb := beInt(r[:], rle), beInt(s[:], sle)
	dst = append(dst, 0x30, byte(2+len(rb)+2+len(sb)))
	dst = append(dst, 0x02, byte(len(rb)))
	dst = append(dst, rb...)
	dst = append(dst, 0x02, byte(len(sb)))
	return append(dst, sb...)
}

// beInt writes le (little-endian) as a minimal positive DER INTEGER body into buf (49 bytes).
func beInt(buf, le []byte) []byte {
	for i, c := range le {
		buf[len(buf)-1-i] = c
	}
	buf[0] = 0
	i := 0
	for i < len(buf)-1 && buf[i] == 0 && buf[i+1]&0x80 == 0 {
		i++
	}
	return buf[i:]
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// VerifyEndorsement proves a VCEK or VLEK certificate (DER) alone, without a
// report: it chains to the pinned ARK of its issuer's product line through the
// pinned ASK/ASVK (or one from c that the ARK signed), each certificate valid
// at the verification time, and passes c's CRLs. The Result has no report
// facts (Warnings, ChipIDMasked unset).
func VerifyEndorsement(der []byte, c Collateral, opts *Options) (*Result, error) {
	opts, now, cache := opts.defaults()
	e, err := cache.endorsement(der)
	if err != nil {
		return nil, err
	}
	res := &Result{Product: e.Product, SigningKey: e.Key, Endorsement: e}
	if err := verifyChain(e, c, e.Product, now, opts, cache, res); err != nil {
		return nil, err
	}
	if err := checkCRLs(c, res, now, opts, cache); err != nil {
		return nil, err
	}
	return res, nil
}
