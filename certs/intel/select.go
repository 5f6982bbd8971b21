// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Collateral is chosen by proof: see the package documentation.

// How far a candidate's proof came before it failed. When no candidate of a
// required piece is eligible, the error is that of the candidate that came
// furthest (then the newest): a genuine but expired piece says more than a
// forged current one.
const (
	rankKind      = iota + 1 // right kind of piece, wrong version or PCE-ID
	rankSignature            // signature or issuer chain does not verify
	rankWindow               // not valid at the verification time
	rankStale                // older than the freshness options allow
	rankRevoked              // signed by a revoked TCB Signing certificate
)

// candidate is one piece of a kind Evaluate needs and the outcome of its proof.
type candidate[T any] struct {
	piece   T
	n       int       // tcbEvaluationDataNumber; 0 for CRLs
	issued  time.Time // issueDate or thisUpdate
	signer  *x509.Certificate
	err     error // nil: eligible
	rank    int
	expired bool // eligible only because expired collateral is accepted
}

func (c *candidate[T]) fail(rank int, err error) {
	c.rank, c.err = rank, err
}

// Which freshness options apply to a piece (see [EvaluateOptions]).
const (
	freshNumber = 1 << iota // MinTCBEvaluationDataNumber: n is an evaluation number
	freshAge                // MaxCollateralAge
)

// timely checks the validity window and the freshness options (fresh) of a
// piece whose signature verified.
func (c *candidate[T]) timely(what func() string, start, end time.Time, fresh int, opts EvaluateOptions, t time.Time) {
	if t.Before(start) {
		c.fail(rankWindow, window(what(), start, end, t, true)) // not yet valid
		return
	}
	if !t.Before(end) {
		if !opts.AllowExpiredCollateral {
			c.fail(rankWindow, window(what(), start, end, t, false))
			return
		}
		c.expired = true
	}
	if min := opts.MinTCBEvaluationDataNumber; fresh&freshNumber != 0 && min > 0 && c.n < min {
		c.fail(rankStale, fmt.Errorf("%w: %s tcbEvaluationDataNumber %d is below the minimum %d", ErrCollateralStale, what(), c.n, min))
		return
	}
	if age := opts.MaxCollateralAge; fresh&freshAge != 0 && age > 0 && start.Before(t.Add(-age)) {
		c.fail(rankStale, fmt.Errorf("%w: %s issued %s, more than %s before the verification time %s", ErrCollateralStale, what(),
			start.Format(time.RFC3339), age, t.Format(time.RFC3339)))
	}
}

// newer orders eligible candidates: current before expired, then the higher
// evaluation number, then the later issue.
func (c *candidate[T]) newer(o *candidate[T]) bool {
	if c.expired != o.expired {
		return !c.expired
	}
	if c.n != o.n {
		return c.n > o.n
	}
	return c.issued.After(o.issued)
}

// selection is the outcome of proving every candidate of one piece.
type selection[T any] struct {
	chosen   candidate[T]
	ok       bool // chosen is set: a candidate is eligible
	rejected []candidate[T]
	describe func(T) string // names a piece in reasons and errors
}

func (s *selection[T]) offer(c candidate[T]) {
	if c.err != nil {
		s.rejected = append(s.rejected, c)
		return
	}
	if !s.ok || c.newer(&s.chosen) {
		s.chosen, s.ok = c, true
	}
}

// errs appends the rejected candidates to dst as errors naming them.
func (s *selection[T]) errs(dst []error) []error {
	for _, c := range s.rejected {
		dst = append(dst, fmt.Errorf("%s not used: %w", s.describe(c.piece), c.err))
	}
	return dst
}

// maxNamed bounds the other rejected candidates an error names.
const maxNamed = 3

// failure returns the error of a required piece none of whose candidates is
// eligible: that of the candidate that came furthest, naming (some of) the
// others. It is nil when there was no candidate.
func (s *selection[T]) failure() error {
	if len(s.rejected) == 0 {
		return nil
	}
	best := 0
	for i, c := range s.rejected {
		b := &s.rejected[best]
		if c.rank > b.rank || c.rank == b.rank && (c.n > b.n || c.n == b.n && c.issued.After(b.issued)) {
			best = i
		}
	}
	err := fmt.Errorf("%s: %w", s.describe(s.rejected[best].piece), s.rejected[best].err)
	if n := len(s.rejected) - 1; n > 0 {
		var others []string
		for i, c := range s.rejected {
			if i != best && len(others) < maxNamed {
				others = append(others, s.describe(c.piece)+": "+c.err.Error())
			}
		}
		err = fmt.Errorf("%w (%d more not used: %s)", err, n, strings.Join(others, "; "))
	}
	return &ineligibleError{err}
}

// ineligibleError is the error of a required piece for which the collateral
// has candidates but none that proves itself; a [Cache] with a [Client]
// fetches the piece once more on it.
type ineligibleError struct{ err error }

func (e *ineligibleError) Error() string { return e.err.Error() }
func (e *ineligibleError) Unwrap() error { return e.err }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func describeTCBInfo(ti *TCBInfo) string {
	return fmt.Sprintf("TCB Info %s (tcbEvaluationDataNumber %d, issueDate %s)", ti.FMSPCString(), ti.TCBEvaluationDataNumber, rfc3339(ti.IssueDate))
}

func describeQEIdentity(qe *QEIdentity) string {
	return fmt.Sprintf("QE Identity %s (tcbEvaluationDataNumber %d, issueDate %s)", qe.ID, qe.TCBEvaluationDataNumber, rfc3339(qe.IssueDate))
}

func describeCRL(crl *CRL) string {
	num := ""
	if crl.Number != nil {
		num = ", CRL number " + crl.Number.String()
	}
	return fmt.Sprintf("%s (thisUpdate %s, nextUpdate %s%s)", crl.name(), rfc3339(crl.ThisUpdate), rfc3339(crl.NextUpdate), num)
}

// selectTCBInfo proves the TDX TCB Infos for the PCK's FMSPC. others
// describes the TCB Infos for that FMSPC of another kind (SGX).
func (c *Collateral) selectTCBInfo(ext *SGXExtensions, revoked func(*x509.Certificate) error, opts EvaluateOptions, t time.Time) (sel selection[*TCBInfo], others []string) {
	sel.describe = describeTCBInfo
	for _, ti := range c.TCBInfos {
		if ti.FMSPC != ext.FMSPC {
			continue
		}
		if ti.ID != TCBInfoIDTDX {
			others = append(others, fmt.Sprintf("id %q version %d", ti.ID, ti.Version))
			continue
		}
		cd := candidate[*TCBInfo]{piece: ti, n: ti.TCBEvaluationDataNumber, issued: ti.IssueDate}
		what := func() string { return "TCB Info " + ti.FMSPCString() }
		switch {
		case ti.Version != TCBInfoVersion:
			cd.fail(rankKind, ti.checkTDX())
		case ti.PCEID != ext.PCEID:
			cd.fail(rankKind, fmt.Errorf("%w: PCK PCE-ID %x, tcbInfo.pceId %x", ErrTCBInfoMismatch, ext.PCEID, ti.PCEID))
		default:
			var err error
			if cd.signer, err = c.signedBy(ti.VerifySignature, revoked, opts, t, what); err != nil {
				cd.fail(signerRank(err), err)
			} else {
				cd.timely(what, ti.IssueDate, ti.NextUpdate, freshNumber|freshAge, opts, t)
			}
		}
		sel.offer(cd)
	}
	return sel, others
}

func qeWhat() string { return "QE Identity" }

// selectQEIdentity proves the TD_QE identities.
func (c *Collateral) selectQEIdentity(revoked func(*x509.Certificate) error, opts EvaluateOptions, t time.Time) (sel selection[*QEIdentity]) {
	sel.describe = describeQEIdentity
	for _, qe := range c.QEIdentities {
		if qe.ID != QEIdentityIDTDX {
			continue
		}
		cd := candidate[*QEIdentity]{piece: qe, n: qe.TCBEvaluationDataNumber, issued: qe.IssueDate}
		if qe.Version != QEIdentityVersion {
			cd.fail(rankKind, qe.checkTDX())
		} else {
			var err error
			if cd.signer, err = c.signedBy(qe.VerifySignature, revoked, opts, t, qeWhat); err != nil {
				cd.fail(signerRank(err), err)
			} else {
				cd.timely(qeWhat, qe.IssueDate, qe.NextUpdate, freshNumber|freshAge, opts, t)
			}
		}
		sel.offer(cd)
	}
	return sel
}

func signerRank(err error) int {
	if errors.Is(err, ErrRevoked) {
		return rankRevoked
	}
	return rankSignature
}

// selectCRL proves the CRLs that carry issuer's name (root: the Root CA
// CRL; otherwise the CRL of the PCK's CA). genuine, appended to the slice
// passed in, are those whose signature verifies and that were issued by t,
// expired or not: their revocations stand.
func (c *Collateral) selectCRL(root bool, issuer *x509.Certificate, opts EvaluateOptions, t time.Time, genuine []*CRL) (sel selection[*CRL], _ []*CRL) {
	sel.describe = describeCRL
	for _, crl := range c.CRLs {
		if crl.Root != root || !bytes.Equal(crl.RawIssuer(), issuer.RawSubject) {
			continue
		}
		cd := candidate[*CRL]{piece: crl, issued: crl.ThisUpdate}
		if err := crl.VerifySignature(issuer); err != nil {
			cd.fail(rankSignature, err)
		} else {
			if !crl.ThisUpdate.After(t) {
				genuine = append(genuine, crl)
			}
			fresh := freshAge
			if root {
				fresh = 0 // see EvaluateOptions.MaxCollateralAge
			}
			cd.timely(crl.name, crl.ThisUpdate, crl.NextUpdate, fresh, opts, t)
		}
		sel.offer(cd)
	}
	return sel, genuine
}

// listedIn returns a CRL of crls that lists serial (chosen first), or nil.
func listedIn(crls []*CRL, chosen *CRL, serial *big.Int) *CRL {
	if chosen != nil && chosen.Revoked(serial) {
		return chosen
	}
	for _, crl := range crls {
		if crl.Revoked(serial) {
			return crl
		}
	}
	return nil
}

// verified is the collateral Evaluate uses for one quote, every piece proven.
type verified struct {
	tcbInfo                    *TCBInfo
	qeIdentity                 *QEIdentity
	pckCRL, rootCRL            *CRL
	earliestIssue, latestIssue time.Time
	earliestExpiry             time.Time
	rejected                   []error
}

func (v *verified) issued(start, end time.Time) {
	if v.earliestIssue.IsZero() || start.Before(v.earliestIssue) {
		v.earliestIssue = start
	}
	if start.After(v.latestIssue) {
		v.latestIssue = start
	}
	v.expires(end)
}

func (v *verified) expires(end time.Time) {
	if v.earliestExpiry.IsZero() || end.Before(v.earliestExpiry) {
		v.earliestExpiry = end
	}
}

// verify selects, by proof, the pieces that apply to chain at time t and
// checks revocation. Errors come in this order: TCB Info, QE Identity, PCK
// CRL and the PCK's revocation, Root CA CRL and the PCK CA's revocation.
func (c *Collateral) verify(chain *QuoteChain, opts EvaluateOptions, t time.Time) (v verified, _ error) {
	ext := &chain.Extensions
	root := chain.Root
	if root == nil {
		return v, fmt.Errorf("%w: verified PCK chain has no root", ErrCollateralMissing)
	}
	v.expires(chain.NotAfter())

	// The Root CA CRLs first, silently: they say which TCB Signing
	// certificates are revoked, and so which TCB Info and QE Identity are
	// eligible. Their errors come last. (The genuine CRLs go to arrays on
	// the stack while there are few.)
	var rootBuf, pckBuf [4]*CRL
	rootSel, rootGenuine := c.selectCRL(true, root, opts, t, rootBuf[:0])
	var rootChosen *CRL
	if rootSel.ok {
		rootChosen = rootSel.chosen.piece
	}
	revokedByRoot := func(x *x509.Certificate) error {
		if crl := listedIn(rootGenuine, rootChosen, x.SerialNumber); crl != nil {
			return fmt.Errorf("%w: %q serial %x is listed in the Root CA CRL (thisUpdate %s)", ErrRevoked, x.Subject.CommonName, x.SerialNumber, rfc3339(crl.ThisUpdate))
		}
		return nil
	}

	// TCB Info for the FMSPC.
	tiSel, others := c.selectTCBInfo(ext, revokedByRoot, opts, t)
	v.rejected = tiSel.errs(v.rejected)
	if !tiSel.ok {
		if err := tiSel.failure(); err != nil {
			return v, err
		}
		if len(others) > 0 {
			return v, fmt.Errorf("%w: %w: no TDX TCB Info for FMSPC %x, only %s", ErrCollateralMissing, ErrTCBInfoMismatch, ext.FMSPC, strings.Join(others, ", "))
		}
		if len(c.TCBInfos) == 0 {
			return v, fmt.Errorf("%w: TCB Info for FMSPC %x", ErrCollateralMissing, ext.FMSPC)
		}
		have := make([]string, len(c.TCBInfos))
		for i, ti := range c.TCBInfos {
			have[i] = ti.FMSPCString()
		}
		return v, fmt.Errorf("%w: PCK FMSPC %x, TCB Info for %s", ErrFMSPCMismatch, ext.FMSPC, strings.Join(have, ", "))
	}
	v.tcbInfo = tiSel.chosen.piece
	v.issued(v.tcbInfo.IssueDate, v.tcbInfo.NextUpdate)
	v.expires(tiSel.chosen.signer.NotAfter)

	// QE Identity.
	qeSel := c.selectQEIdentity(revokedByRoot, opts, t)
	v.rejected = qeSel.errs(v.rejected)
	if !qeSel.ok {
		if err := qeSel.failure(); err != nil {
			return v, err
		}
		return v, fmt.Errorf("%w: QE Identity (TD_QE)", ErrCollateralMissing)
	}
	v.qeIdentity = qeSel.chosen.piece
	v.issued(v.qeIdentity.IssueDate, v.qeIdentity.NextUpdate)
	v.expires(qeSel.chosen.signer.NotAfter)

	// PCK CRL of the PCK's issuing CA.
	pckSel, pckGenuine := c.selectCRL(false, chain.Intermediate, opts, t, pckBuf[:0])
	v.rejected = pckSel.errs(v.rejected)
	if !pckSel.ok && !opts.AllowMissingCRLs {
		if err := pckSel.failure(); err != nil {
			return v, err
		}
		return v, fmt.Errorf("%w: PCK CRL of %q", ErrCollateralMissing, chain.PCK.Issuer.CommonName)
	}
	if pckSel.ok {
		v.pckCRL = pckSel.chosen.piece
		v.issued(v.pckCRL.ThisUpdate, v.pckCRL.NextUpdate)
	}
	if crl := listedIn(pckGenuine, v.pckCRL, chain.PCK.SerialNumber); crl != nil {
		return v, fmt.Errorf("%w: PCK certificate serial %x is listed in the %s (thisUpdate %s)", ErrRevoked, chain.PCK.SerialNumber, crl.name(), rfc3339(crl.ThisUpdate))
	}

	// Root CA CRL: the PCK CA (the TCB Signing certificates were checked
	// when their pieces were proven).
	v.rejected = rootSel.errs(v.rejected)
	if rootChosen == nil && !opts.AllowMissingCRLs {
		if err := rootSel.failure(); err != nil {
			return v, err
		}
		return v, fmt.Errorf("%w: Root CA CRL", ErrCollateralMissing)
	}
	if rootChosen != nil {
		v.rootCRL = rootChosen
		v.issued(rootChosen.ThisUpdate, rootChosen.NextUpdate)
	}
	if err := revokedByRoot(chain.Intermediate); err != nil {
		return v, err
	}
	return v, nil
}
