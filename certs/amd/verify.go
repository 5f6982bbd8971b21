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
	"github.com/ccverify/ccverify/internal/p384"
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
	Endorsement  *Endorsement      // the VCEK/VLEK that matches the report and signed it
	Intermediate *x509.Certificate // the ASK (VCEK) or ASVK (VLEK)
	Root         *x509.Certificate // the ARK
	// CRLChecked says revocation was checked: a current CRL of the ARK for
	// this chain (VCEK or VLEK), supplied by the caller or fetched from the
	// KDS, was consulted (see "Revocation" in the package documentation).
	CRLChecked   bool
	ChipIDMasked bool // CHIP_ID was zero and AllowMaskedChipID skipped the hwID check
	// Expires is when the proof stops holding: the earliest notAfter of the
	// VCEK/VLEK, ASK/ASVK and ARK, and nextUpdate of the CRLs that checked
	// revocation (or the VCEK/VLEK's, by its issuer).
	Expires time.Time
	// Warnings are findings about the report that are not failures, such as
	// REPORTED_TCB below CURRENT_TCB.
	Warnings []string
	// Notes are findings about the collateral that are not failures: CRLs
	// not current, not this chain's or from the evidence, pieces that failed
	// proof and were passed over.
	Notes []string
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// bound lowers r.Expires to t.
func (r *Result) bound(t time.Time) {
	if !t.IsZero() && (r.Expires.IsZero() || t.Before(r.Expires)) {
		r.Expires = t
	}
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

// VerifyReport proves r genuine with the collateral c. The VCEK or VLEK is
// chosen by the report: a VCEK whose hwID is CHIP_ID and whose SPLs are
// REPORTED_TCB's, a VLEK whose SPLs are; none in c is [ErrCollateralMissing]
// naming the CHIP_ID and TCB. A chosen certificate must chain to the pinned
// ARK of the report's product through the pinned ASK or ASVK (or one from c
// that the ARK signed), every certificate valid at the verification time; no
// genuine CRL in c may list the chain's certificates (see "Revocation" in
// the package documentation); the report's SIGNATURE_ALGO must be ECDSA
// P-384 with SHA-384 and its signature over bytes 0x000–0x29F must verify
// with the certificate's key. When several certificates match, the first
// that passes is used, and those that failed are named in Result.Notes. Then
// opts.Policy is checked.
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
	if key != snp.SignedByVCEK && key != snp.SignedByVLEK {
		return nil, fmt.Errorf("%w: SIGNING_KEY %v: the report is not signed by a VCEK or VLEK", ErrSignature, key)
	}
	// The product: CPUID for v3+, else the option, else each certificate's.
	p := r.Product()
	switch {
	case p != snp.Unknown && opts.Product != snp.Unknown && opts.Product != p:
		return nil, fmt.Errorf("%w: Options.Product %v, report CPUID %#x/%#x is %v", ErrExtensionMismatch, opts.Product, r.CPUIDFamily(), r.CPUIDModel(), p)
	case p == snp.Unknown:
		p = opts.Product
	}
	cands, n, mismatch := candidates(r, c, p, opts.AllowMaskedChipID, cache)
	if len(cands) == 0 {
		return nil, noEndorsement(r, p, n, mismatch)
	}
	var firstErr error
	var notes []string
	for _, e := range cands {
		res, err := verifyWith(r, e, c, now, opts, cache)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			notes = append(notes, fmt.Sprintf("%v serial %v (matches the report) rejected: %v", key, e.Cert.SerialNumber, err))
			continue
		}
		res.Notes = append(notes, res.Notes...)
		rep, cur := r.ReportedTCB().Parts(res.Product), r.CurrentTCB().Parts(res.Product)
		if ok, comp := rep.AtLeast(cur); !ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("REPORTED_TCB %v is below CURRENT_TCB %v (%s)", rep, cur, comp))
		}
		if opts.Policy != nil {
			if err := opts.Policy.Check(r, res.Product); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	return nil, firstErr
}

// candidates returns the VCEKs (or VLEKs) of c that match report r of
// product p (snp.Unknown: each certificate's), in c's order, with the number
// of certificates of the report's kind and the first mismatch.
func candidates(r snp.Report, c Collateral, p snp.Product, allowMasked bool, cache *Cache) ([]*Endorsement, int, error) {
	key := r.SigningKey()
	primary := c.VCEK
	if key == snp.SignedByVLEK {
		primary = c.VLEK
	}
	var (
		match    []*Endorsement
		n        int
		mismatch error
	)
	consider := func(der []byte, isPrimary bool) {
		e, err := cache.endorsement(der)
		switch {
		case err != nil && !isPrimary: // an ASK, ARK or other certificate
			return
		case err == nil && e.Key != key && !isPrimary:
			return
		case err == nil && e.Key != key:
			err = fmt.Errorf("%w: report SIGNING_KEY is %v, certificate is a %v", ErrExtensionMismatch, key, e.Key)
		case err == nil:
			err = matchReport(e, r, p, allowMasked)
		}
		n++
		if err != nil {
			if mismatch == nil {
				mismatch = err
			}
			return
		}
		match = append(match, e)
	}
	if primary != nil {
		consider(primary, true)
	}
	for _, x := range c.Certs {
		consider(x, false)
	}
	return match, n, mismatch
}

// matchReport checks that e is the certificate of report r of product p
// (snp.Unknown: e's): e's product, SPLs and (for a VCEK) hwID are the
// report's.
func matchReport(e *Endorsement, r snp.Report, p snp.Product, allowMasked bool) error {
	if p == snp.Unknown {
		p = e.Product
	}
	if p != e.Product {
		return fmt.Errorf("%w: report product %v, but the %v is issued by %s", ErrChain, p, e.Key, e.Cert.Issuer.CommonName)
	}
	if masked(e, r, allowMasked) {
		tmp := *e // compare everything but the hwID
		tmp.HWID = nil
		return tmp.CheckReport(r, p)
	}
	return e.CheckReport(r, p)
}

// masked reports whether e's hwID is not compared: a VCEK-signed report with
// an all-zero CHIP_ID (MASK_CHIP_ID) and AllowMaskedChipID.
func masked(e *Endorsement, r snp.Report, allow bool) bool {
	return allow && e.Key == snp.SignedByVCEK && isZero(r.ChipID())
}

// noEndorsement is the error for a report of product p (snp.Unknown if not
// known) none of whose n candidate certificates matched.
func noEndorsement(r snp.Report, p snp.Product, n int, mismatch error) error {
	key := r.SigningKey()
	what := fmt.Sprintf("REPORTED_TCB %v", r.ReportedTCB().Parts(p))
	if key == snp.SignedByVCEK {
		chip := r.ChipID()
		if p == snp.Turin {
			chip = chip[:8]
		}
		what = fmt.Sprintf("CHIP_ID %x and %s", chip, what)
	}
	if n == 0 {
		return fmt.Errorf("%w: no %v certificate for a %v-signed report (%s)", ErrCollateralMissing, key, key, what)
	}
	return fmt.Errorf("%w: no %v matches %s: the collateral's %d %v certificate(s) are for other chips, TCBs or products; the first: %w",
		ErrCollateralMissing, key, what, n, key, mismatch)
}

// verifyWith proves r with e, which matches it: e chains to a pinned ARK,
// the CRLs in c do not revoke the chain, and e's key signed r.
func verifyWith(r snp.Report, e *Endorsement, c Collateral, now time.Time, opts *Options, cache *Cache) (*Result, error) {
	res := &Result{Product: e.Product, SigningKey: e.Key, Endorsement: e, ChipIDMasked: masked(e, r, opts.AllowMaskedChipID)}
	if err := verifyChain(e, c, e.Product, now, opts, cache, res); err != nil {
		return nil, err
	}
	if err := checkCRLs(c, res, now, opts, cache); err != nil {
		return nil, err
	}
	if err := verifySignature(r, e.Cert.PublicKey.(*ecdsa.PublicKey)); err != nil {
		return nil, err
	}
	return res, nil
}

// verifyChain checks endorsement ← intermediate ← ARK, with names, algorithms
// and validity at now, and fills res.Intermediate, res.Root and res.Expires.
// Intermediates from c that fail are named in res.Notes when another passes.
func verifyChain(e *Endorsement, c Collateral, p snp.Product, now time.Time, opts *Options, cache *Cache, res *Result) error {
	wantCN := "SEV-" + p.String()
	if e.Key == snp.SignedByVLEK {
		wantCN = "SEV-VLEK-" + p.String()
	}
	type pair struct {
		inter, ark *x509.Certificate
		pinned     bool
	}
	var cands []pair
	a := loadAnchors()[p]
	pinnedInter := a.ask
	if e.Key == snp.SignedByVLEK {
		pinnedInter = a.asvk
	}
	if pinnedInter != nil {
		cands = append(cands, pair{pinnedInter, a.ark, true})
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
				cands = append(cands, pair{ic, ark, false})
			}
		}
	}
	// The error returned is the first of the candidate that got furthest: a
	// chain whose signatures verify but that has expired says ErrExpired.
	var (
		firstErr  error
		firstRank int
		rejected  []string
		noted     = map[*x509.Certificate]bool{}
	)
	fail := func(cand pair, rank int, err error) {
		if firstErr == nil || rank > firstRank {
			firstErr, firstRank = err, rank
		}
		if !cand.pinned && !noted[cand.inter] {
			noted[cand.inter] = true
			rejected = append(rejected, fmt.Sprintf("%s serial %v from the collateral rejected: %v", cand.inter.Subject.CommonName, cand.inter.SerialNumber, err))
		}
	}
	for _, cand := range cands {
		if !bytes.Equal(e.Cert.RawIssuer, cand.inter.RawSubject) {
			continue
		}
		if err := cache.signed(e.Cert, cand.inter); err != nil {
			fail(cand, 0, fmt.Errorf("%w: %v (serial %v) is not signed by %s: %v", ErrChain, e.Key, e.Cert.SerialNumber, cand.inter.Subject.CommonName, err))
			continue
		}
		if err := cache.signed(cand.inter, cand.ark); err != nil {
			fail(cand, 0, fmt.Errorf("%w: %s is not signed by %s: %v", ErrChain, cand.inter.Subject.CommonName, cand.ark.Subject.CommonName, err))
			continue
		}
		if err := cache.signed(cand.ark, cand.ark); err != nil {
			fail(cand, 0, fmt.Errorf("%w: %s is not self-signed: %v", ErrChain, cand.ark.Subject.CommonName, err))
			continue
		}
		var expired error
		for _, x := range []*x509.Certificate{e.Cert, cand.inter, cand.ark} {
			if now.Before(x.NotBefore) || now.After(x.NotAfter) {
				expired = fmt.Errorf("%w: %s (serial %v) valid %s to %s, verification time %s", ErrExpired, x.Subject.CommonName, x.SerialNumber,
					x.NotBefore.UTC().Format(time.RFC3339), x.NotAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
				break
			}
		}
		if expired != nil {
			fail(cand, 1, expired)
			continue
		}
		for _, x := range []*x509.Certificate{e.Cert, cand.inter, cand.ark} {
			res.bound(x.NotAfter)
		}
		res.Intermediate, res.Root = cand.inter, cand.ark
		res.Notes = append(res.Notes, rejected...)
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
	if !p384.VerifyASN1(pub, h[:], sig) { // crypto/ecdsa's decision, twice as fast (internal/p384)
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
