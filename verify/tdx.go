// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/veraison/ear"
)

// appraiseTDX verifies a TDX quote: parse, prove the signature chain to the
// Intel root, then judge the TD's configuration. ccel is the CC event log a
// container carried with the quote, if any (Options.EventLog.Log wins).
func (v *Verifier) appraiseTDX(ctx context.Context, r *Result, raw []byte, ccel ...container.Piece) error {
	opts := &v.opts
	q, rest, err := tdx.ParsePrefix(raw)
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrEvidence, err)
		r.fail(err)
		return err
	}
	if !allZero(rest) {
		if opts.StrictTrailingData {
			err := fmt.Errorf("%w: %w: %d bytes after the quote", ErrEvidence, tdx.ErrTrailingData, len(rest))
			r.fail(err)
			return err
		}
		r.Claims["trailing_bytes"] = len(rest)
		r.reason("%d bytes after the quote are not covered by its signature and were ignored", len(rest))
	}
	tdxClaims(r.Claims, q)
	if r.Reasons == nil {
		r.Reasons = make([]string, 0, 4) // a verdict's usual few, in one allocation
	}

	chain, err := intel.VerifyQuote(q, intel.Options{Roots: opts.Intel.Roots, Time: r.Time})
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrGenuine, err)
		r.fail(err)
		return err
	}
	pckClaims(r.Claims, chain)
	r.Expires = chain.NotAfter()
	if l := opts.log(); l.Enabled(ctx, slog.LevelDebug) { // its arguments are built only for a debug log
		l.DebugContext(ctx, "tdx quote signature chain verified", "fmspc", hex.EncodeToString(chain.Extensions.FMSPC[:]), "ca", chain.CA.String())
	}

	switch chain.CA { // the usual reasons are constants: nothing to format per quote
	case intel.CAPlatform:
		r.Reasons = append(r.Reasons, "quote signature chain verifies to the Intel SGX Root CA (PCK issued by the platform CA)")
	case intel.CAProcessor:
		r.Reasons = append(r.Reasons, "quote signature chain verifies to the Intel SGX Root CA (PCK issued by the processor CA)")
	default:
		r.reason("quote signature chain verifies to the Intel SGX Root CA (PCK issued by the %v CA)", chain.CA)
	}

	// Hardware: the chain proves a genuine Intel platform; only collateral
	// says whether its TCB is up to date.
	if err := v.judgeTCB(ctx, r, q, chain); err != nil {
		r.fail(err)
		return err
	}
	judgeTD(r, q, opts)
	if err := v.appraiseEventLog(r, q, ccel...); err != nil {
		return err
	}
	r.settle()
	return nil
}

// judgeTCB evaluates the platform's TCB with Intel's collateral, when there is
// any to be had, and sets the hardware claim (only ever made worse, see
// raise). Offline, collateral that holds nothing for this platform (no TCB
// Info for its FMSPC, no QE Identity, no CRL of its CA or the root: an SNP
// folder in a mixed audit, say) is no collateral: the TCB is not evaluated,
// as with none. Collateral pieces that failed their proof are named in the
// reasons. A PCS that could not give the collateral (unreachable, 5xx, 429,
// 404), or collateral still missing online, is ErrUnavailable (hardware -1),
// not a verdict on the evidence.
func (v *Verifier) judgeTCB(ctx context.Context, r *Result, q tdx.Quote, chain *intel.QuoteChain) error {
	opts := &v.opts
	if err := v.loadCollateral(); err != nil {
		return err
	}
	fmspc, ca := chain.Extensions.FMSPC, chain.CA
	if opts.Offline {
		if col := v.intel.Collateral(fmspc, ca, r.Time); len(col.TCBInfos)+len(col.QEIdentities)+len(col.CRLs) == 0 {
			raise(&r.Vector.Hardware, ear.GenuineHardwareClaim)
			why := "no collateral (TCB Info, QE Identity, CRLs)"
			if len(opts.Collateral) > 0 {
				why = fmt.Sprintf("the collateral holds nothing for this platform (TCB Info for FMSPC %x, QE Identity, %v CA or Root CA CRL)", fmspc, ca)
			}
			r.incomplete("TCB status not evaluated: %s and offline", why)
			return nil
		}
	}
	eo := intel.EvaluateOptions{
		Options:                    intel.Options{Roots: opts.Intel.Roots, Time: r.Time},
		AllowMissingCRLs:           !opts.RequireCRLs,
		AllowExpiredCollateral:     opts.AllowExpiredCollateral,
		MinTCBEvaluationDataNumber: opts.Intel.MinTCBEvaluationDataNumber,
		MaxCollateralAge:           opts.MaxCollateralAge,
	}
	res, err := v.intel.Evaluate(ctx, q, chain, eo)
	if errors.Is(err, intel.ErrCollateralFetch) || !opts.Offline && res == nil && errors.Is(err, intel.ErrCollateralMissing) {
		// The verifier could not judge: r.unavailable's verdict, recorded
		// once by appraiseTDX's r.fail (which keeps the -1).
		r.Vector.Hardware = ear.VerifierMalfunctionClaim
		return fmt.Errorf("%w: %w: %w", ErrUnavailable, ErrCollateral, err)
	}
	if errors.Is(err, intel.ErrCollateralExpired) && res == nil {
		// Show what the TCB status would be with the expired pieces, whether
		// that fails the verdict or leaves the TCB not evaluated.
		would := eo
		would.AllowExpiredCollateral = true
		if w, _ := v.intel.Evaluate(ctx, q, chain, would); w != nil {
			tcbClaims(r.Claims, w)
		}
	}
	if err != nil && res == nil && opts.Offline && !opts.RequireCRLs && !opts.RequireCollateral && unusableCollateral(err) {
		// Collateral that does not prove itself (forged, expired, stale,
		// another platform's) counts as none: handing over less, or
		// something else, must never get a better verdict than this. The
		// evidence is genuine; its TCB is not evaluated.
		raise(&r.Vector.Hardware, ear.GenuineHardwareClaim)
		r.incomplete("TCB status not evaluated: the collateral given does not prove it: %v", err)
		return nil
	}
	if res != nil {
		tcbClaims(r.Claims, res)
		if res.EarliestExpiration.Before(r.Expires) {
			r.Expires = res.EarliestExpiration
		}
	}
	// Pieces that failed their proof come after the verdict's own reasons.
	rejected := func() {
		for _, e := range res.Rejected {
			r.reason("%v", e)
		}
	}
	if err != nil {
		if res != nil { // revoked or not supported: a verdict on the TCB
			raise(&r.Vector.Hardware, ear.ContraindicatedHardwareClaim)
			rejected()
			return fmt.Errorf("%w: %w", ErrTCB, err)
		}
		return fmt.Errorf("%w: %w", ErrCollateral, err)
	}
	accepted, why := false, ""
	if p := opts.Policy; p != nil && res.Status != intel.UpToDate {
		var perr error
		accepted, perr = p.TDX.judgeTCBStatus(res.Status, res.AdvisoryIDs)
		if errors.Is(perr, ErrPolicy) {
			raise(&r.Vector.Hardware, ear.UnsafeHardwareClaim)
			return perr
		}
		if perr != nil {
			why = fmt.Sprintf(" (tdx.accept_tcb_status lists it, but %v)", perr)
		}
	}
	switch {
	case res.Status == intel.UpToDate:
		raise(&r.Vector.Hardware, ear.GenuineHardwareClaim)
		// "TCB status UpToDate (TCB date %s, evaluation data number %d)",
		// appended: one allocation, the string.
		var buf [96]byte
		b := append(buf[:0], "TCB status UpToDate (TCB date "...)
		b = res.TCBDate.AppendFormat(b, "2006-01-02")
		b = append(b, ", evaluation data number "...)
		b = strconv.AppendInt(b, int64(res.TCBEvaluationDataNumber), 10)
		r.Reasons = append(r.Reasons, string(append(b, ')')))
	case accepted:
		raise(&r.Vector.Hardware, ear.GenuineHardwareClaim)
		r.reason("TCB status %v (platform %v, TDX module %v, QE %v), accepted by the policy (tdx.accept_tcb_status)", res.Status, res.PlatformStatus, res.ModuleStatus, res.QEStatus)
	default:
		raise(&r.Vector.Hardware, ear.UnsafeHardwareClaim)
		r.reason("TCB status %v (platform %v, TDX module %v, QE %v): the platform needs action%s", res.Status, res.PlatformStatus, res.ModuleStatus, res.QEStatus, why)
	}
	if len(res.AdvisoryIDs) > 0 {
		r.reason("advisories: %s", strings.Join(res.AdvisoryIDs, ", "))
	}
	if !res.RevocationChecked {
		var lack []string
		if res.PCKCRL == nil {
			lack = append(lack, fmt.Sprintf("PCK %v CA CRL", ca))
		}
		if res.RootCRL == nil {
			lack = append(lack, "Root CA CRL")
		}
		r.incomplete("revocation not checked: the collateral has no usable %s", strings.Join(lack, " or "))
	}
	if res.CollateralExpired {
		raise(&r.Vector.Hardware, ear.UnsafeHardwareClaim)
		r.reason("collateral expired at %s, before the verification time (accepted by option)", res.EarliestExpiration.Format(time.RFC3339))
	}
	rejected()
	return nil
}

// unusableCollateral reports whether err says the collateral cannot be used
// for this quote (missing, forged, expired, stale, another platform's), as
// opposed to genuine collateral rejecting the quote (QE or module identity,
// revocation, TCB level).
func unusableCollateral(err error) bool {
	if errors.Is(err, intel.ErrRevoked) {
		return false
	}
	for _, e := range []error{intel.ErrCollateralMissing, intel.ErrCollateralExpired, intel.ErrCollateralNotYetValid,
		intel.ErrCollateralSignature, intel.ErrCollateralStale, intel.ErrCollateralFormat, intel.ErrTCBInfoMismatch, intel.ErrFMSPCMismatch} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// judgeTD sets the configuration and runtime-opaque claims from the TD's attributes.
func judgeTD(r *Result, q tdx.Quote, opts *Options) {
	attrs := q.Body().TDAttributes()
	switch {
	case attrs.Debug() && !opts.AllowDebug:
		r.Vector.RuntimeOpaque = ear.VisibleMemoryRuntimeClaim
		r.Vector.Configuration = ear.UnsupportableConfigClaim
		r.Reasons = append([]string{"debug TD: TD_ATTRIBUTES.DEBUG is set, the host can read the TD's memory"}, r.Reasons...)
	case attrs.Debug():
		// The caller accepts debug TDs: a warning, not a contraindication.
		r.Vector.RuntimeOpaque = ear.IsolatedMemoryRuntimeClaim
		r.Vector.Configuration = ear.UnsafeConfigClaim
		r.reason("debug TD accepted by option: the host can read the TD's memory")
	default:
		r.Vector.RuntimeOpaque = ear.EncryptedMemoryRuntimeClaim
		r.Vector.Configuration = ear.NoConfigVulnsClaim
	}
	if u := attrs.Unknown(); u != 0 {
		raise(&r.Vector.Configuration, ear.UnsafeConfigClaim)
		r.reason("TD_ATTRIBUTES has bits the specification does not define: %#x", uint64(u))
	}
	if q.Body().SEAMAttributes() != 0 {
		raise(&r.Vector.Configuration, ear.UnsafeConfigClaim)
		r.reason("SEAMATTRIBUTES %#x is not zero: not a production TDX module", q.Body().SEAMAttributes())
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
