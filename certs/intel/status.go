// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ccverify/ccverify/evidence/tdx"
)

// Sentinel errors of collateral verification and TCB evaluation. Every error
// returned by [Evaluate] and the collateral parsers wraps at least one of them
// (or one of the quote-chain sentinels), with the field and values that failed.
var (
	// ErrCollateralFormat reports collateral that does not parse: JSON, PEM,
	// DER or hex that is malformed, a missing or malformed field, or bytes that
	// are not recognized as any piece of Intel collateral.
	ErrCollateralFormat = errors.New("intel: malformed collateral")
	// ErrCollateralSignature reports a TCB Info, QE Identity or CRL whose
	// signature or issuer chain does not verify to a trusted root.
	ErrCollateralSignature = errors.New("intel: collateral signature does not verify")
	// ErrCollateralExpired reports a TCB Info, QE Identity or CRL whose
	// nextUpdate is not after the verification time.
	ErrCollateralExpired = errors.New("intel: collateral expired")
	// ErrCollateralNotYetValid reports a TCB Info, QE Identity or CRL issued
	// after the verification time (issueDate or thisUpdate later than it).
	ErrCollateralNotYetValid = errors.New("intel: collateral not yet valid")
	// ErrCollateralMissing reports a piece of collateral that the evaluation
	// needs and that was not supplied; the message names it.
	ErrCollateralMissing = errors.New("intel: collateral missing")
	// ErrRevoked reports a certificate listed in a CRL (PCK, PCK CA or TCB
	// Signing certificate), and is also wrapped with [ErrTCBRevoked].
	ErrRevoked = errors.New("intel: revoked")
	// ErrTCBInfoMismatch reports TCB Info that is not TDX TCB Info v3, or
	// whose PCE-ID differs from the PCK certificate's.
	ErrTCBInfoMismatch = errors.New("intel: TCB Info does not apply to the quote")
	// ErrFMSPCMismatch reports collateral whose TCB Info is for another FMSPC
	// than the PCK certificate's.
	ErrFMSPCMismatch = errors.New("intel: no TCB Info for the platform's FMSPC")
	// ErrQEIdentityMismatch reports a QE report that does not match the QE
	// Identity (MRSIGNER, ISVPRODID, MISCSELECT or ATTRIBUTES under their
	// masks), or a QE Identity that is not TD_QE version 2.
	ErrQEIdentityMismatch = errors.New("intel: QE identity mismatch")
	// ErrModuleIdentityMismatch reports a TDX module whose MRSIGNERSEAM or
	// SEAMATTRIBUTES does not match the TCB Info's module identity, or a
	// module version the TCB Info has no identity for.
	ErrModuleIdentityMismatch = errors.New("intel: TDX module identity mismatch")
	// ErrTCBNotSupported reports a platform, TDX module or QE whose SVNs are
	// below every TCB level (Intel's "TCB not supported"). The [Result] is
	// returned with it, with Status [TCBNotSupported].
	ErrTCBNotSupported = errors.New("intel: TCB not supported (below every TCB level)")
	// ErrCollateralStale reports TCB Info, a QE Identity or a CRL older than
	// the freshness options of [EvaluateOptions] allow
	// (MinTCBEvaluationDataNumber, MaxCollateralAge).
	ErrCollateralStale = errors.New("intel: collateral older than the freshness options allow")
	// ErrTCBRevoked reports a converged TCB status of Revoked. The [Result] is
	// returned with it; it also wraps [ErrRevoked].
	ErrTCBRevoked = errors.New("intel: TCB revoked")
)

// TCBStatus is a TCB status as Intel names them. It is a value of the
// evaluation, not an error; the zero value means "not evaluated".
type TCBStatus uint8

// TCB statuses. The order is not a ranking.
const (
	StatusNone                           TCBStatus = iota // not evaluated
	UpToDate                                              // "UpToDate"
	SWHardeningNeeded                                     // "SWHardeningNeeded"
	ConfigurationNeeded                                   // "ConfigurationNeeded"
	ConfigurationAndSWHardeningNeeded                     // "ConfigurationAndSWHardeningNeeded"
	OutOfDate                                             // "OutOfDate"
	OutOfDateConfigurationNeeded                          // "OutOfDateConfigurationNeeded"
	Revoked                                               // "Revoked"
	TDRelaunchAdvised                                     // "TDRelaunchAdvised"
	TDRelaunchAdvisedConfigurationNeeded                  // "TDRelaunchAdvisedConfigurationNeeded"
	TCBNotSupported                                       // "TCBNotSupported": below every TCB level
	statusUnrecognized                                    // a status string this package does not know
)

var statusNames = [...]string{
	StatusNone:                           "",
	UpToDate:                             "UpToDate",
	SWHardeningNeeded:                    "SWHardeningNeeded",
	ConfigurationNeeded:                  "ConfigurationNeeded",
	ConfigurationAndSWHardeningNeeded:    "ConfigurationAndSWHardeningNeeded",
	OutOfDate:                            "OutOfDate",
	OutOfDateConfigurationNeeded:         "OutOfDateConfigurationNeeded",
	Revoked:                              "Revoked",
	TDRelaunchAdvised:                    "TDRelaunchAdvised",
	TDRelaunchAdvisedConfigurationNeeded: "TDRelaunchAdvisedConfigurationNeeded",
	TCBNotSupported:                      "TCBNotSupported",
	statusUnrecognized:                   "Unrecognized",
}

// String returns Intel's name of the status ("" for StatusNone).
func (s TCBStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("TCBStatus(%d)", uint8(s))
}

// ParseTCBStatus returns the status Intel's name denotes. A name it does not
// know gives a status that no evaluation accepts.
func ParseTCBStatus(name string) TCBStatus {
	for i, n := range statusNames {
		if n == name && i != int(StatusNone) && i != int(statusUnrecognized) {
			return TCBStatus(i)
		}
	}
	return statusUnrecognized
}

// ConfigurationNeeded reports whether the status asks for a platform
// configuration change (the QVL's isConfigurationNeeded).
func (s TCBStatus) ConfigurationNeeded() bool {
	switch s {
	case ConfigurationNeeded, OutOfDateConfigurationNeeded, ConfigurationAndSWHardeningNeeded, TDRelaunchAdvisedConfigurationNeeded:
		return true
	}
	return false
}

// Statuses each kind of TCB level may carry (the QVL's VALID_*_STATUSES).
func validPlatformStatus(s TCBStatus) bool {
	return s >= UpToDate && s <= Revoked
}

func validModuleStatus(s TCBStatus) bool { return s == UpToDate || s == OutOfDate || s == Revoked }

func validQEStatus(s TCBStatus) bool {
	return s == UpToDate || s == OutOfDate || s == ConfigurationNeeded || s == Revoked || s == OutOfDateConfigurationNeeded
}

// Evaluation is the TCB evaluation of one TEE_TCB_SVN: the matched levels,
// their statuses and their convergence.
type Evaluation struct {
	// Status is the platform status converged with the TDX module's and QE's.
	Status TCBStatus
	// PlatformStatus is the status of the matched TCB Info level.
	PlatformStatus TCBStatus
	// ModuleStatus is the status of the matched tdxModuleIdentities level;
	// StatusNone when TEE_TCB_SVN[1] is 0 (no separate module identity).
	ModuleStatus TCBStatus
	// QEStatus is the status of the matched QE Identity level.
	QEStatus TCBStatus
	// TCBDate is the earliest tcbDate of the matched levels.
	TCBDate time.Time
	// AdvisoryIDs are the matched levels' advisory IDs, merged, sorted, unique.
	AdvisoryIDs []string
	// TCBLevel, ModuleTCBLevel and QETCBLevel are the matched levels
	// (ModuleTCBLevel nil without a module identity). They point into the
	// collateral: callers must not modify them.
	TCBLevel       *TCBLevel
	ModuleTCBLevel *ModuleTCBLevel
	QETCBLevel     *QETCBLevel
}

// Result is the verdict of [Evaluate]: the TCB status of a quote under
// verified collateral at one verification time.
type Result struct {
	// Status is the final status: the launch evaluation's (TEE_TCB_SVN), with
	// TD relaunch advice applied for TD 1.5 quotes. It hides Evaluation.Status,
	// which is the launch status before that advice.
	Status TCBStatus
	// Evaluation is the launch evaluation, of TEE_TCB_SVN; its fields
	// (PlatformStatus, ModuleStatus, QEStatus, TCBDate, AdvisoryIDs, levels)
	// are promoted.
	Evaluation
	// Current is the evaluation of TEE_TCB_SVN2 for TD 1.5 quotes (the
	// module running now, after TD-preserving updates); nil otherwise.
	Current *Evaluation
	// TCBEvaluationDataNumber is the lower of the TCB Info's and the QE
	// Identity's tcbEvaluationDataNumber.
	TCBEvaluationDataNumber int
	// FMSPC of the platform, 12 lower-case hex digits.
	FMSPC string
	// Time is the verification time every check used.
	Time time.Time
	// EarliestIssueDate and LatestIssueDate bound the issue dates of the
	// collateral used (issueDate, thisUpdate).
	EarliestIssueDate, LatestIssueDate time.Time
	// EarliestExpiration is the earliest nextUpdate or notAfter of the
	// collateral and certificates used (PCK chain, TCB Signing chain, CRLs).
	EarliestExpiration time.Time
	// CollateralExpired reports Time ≥ EarliestExpiration; it can be true
	// only with [EvaluateOptions].AllowExpiredCollateral.
	CollateralExpired bool
	// RevocationChecked reports that both the PCK CRL and the Root CA CRL
	// were applied; false only with [EvaluateOptions].AllowMissingCRLs.
	RevocationChecked bool
	// TCBInfo, QEIdentity, PCKCRL and RootCRL are the collateral used (CRLs
	// nil when not applied).
	TCBInfo    *TCBInfo
	QEIdentity *QEIdentity
	PCKCRL     *CRL
	RootCRL    *CRL
	// Rejected names the candidates that were not used because they failed
	// their proof (version or PCE-ID, signature or issuer chain, validity
	// window, freshness options, a revoked signer), one error each, wrapping
	// the sentinel of the check that failed: a TDX TCB Info for the FMSPC, a
	// TD_QE identity or a CRL under the name of the PCK's CA or the root that
	// is forged, tampered, expired, not yet valid or stale. A rejected piece
	// never shadows one that passes; pieces of another kind (SGX TCB Info,
	// QE and QAE identities, other FMSPCs and CAs) are not candidates.
	Rejected []error
}

// EvaluateOptions configure [Evaluate]. The zero value is the safe default:
// the pinned Intel SGX Root CA, time.Now, every CRL required, expired
// collateral rejected.
type EvaluateOptions struct {
	// Options gives the trusted roots and the one verification time used for
	// every check, as for [VerifyQuote].
	Options
	// AllowMissingCRLs skips revocation checks for which the collateral holds
	// no eligible CRL; Result.RevocationChecked then says false, and the CRLs
	// that were not eligible (forged, expired, stale, not yet valid) are named
	// in Result.Rejected. Without it, such a CRL is as good as none: the error
	// is that of its proof ([ErrCollateralSignature], [ErrCollateralExpired],
	// …), or [ErrCollateralMissing] when there is no CRL at all. Either way,
	// every CRL whose signature verifies and that was issued by the
	// verification time adds its revocations, even when expired or
	// superseded: a revocation, once published, stands.
	AllowMissingCRLs bool
	// AllowExpiredCollateral accepts TCB Info, QE Identity and CRLs whose
	// nextUpdate has passed, reporting it in Result.CollateralExpired (the
	// QVL's collateral expiration status). Collateral not yet valid is always
	// rejected.
	AllowExpiredCollateral bool
	// MinTCBEvaluationDataNumber, when positive, makes TCB Info and QE
	// Identity whose tcbEvaluationDataNumber is below it not eligible; with
	// none eligible left, the error wraps [ErrCollateralStale]. Off (0) by
	// default.
	//
	// Collateral is often supplied by the attester (a bundle sent with the
	// quote, a cache it controls), and every genuine piece still inside its
	// validity window verifies: without a minimum, a bundle may pick the TCB
	// Info from before a TCB recovery (Intel's TCB-R raises the evaluation
	// number), under which a platform that has not applied the recovery
	// still looks UpToDate. Set it to the number of the latest TCB recovery
	// the relying party requires (Intel PCS /tdx/certification/v4/tcbevaluationdatanumbers).
	MinTCBEvaluationDataNumber int
	// MaxCollateralAge, when positive, makes TCB Info and QE Identity issued
	// (issueDate), and PCK CRLs updated (thisUpdate), more than
	// MaxCollateralAge before the verification time not eligible: a TCB Info
	// or QE Identity left without an eligible piece is an
	// [ErrCollateralStale] error, a PCK CRL is as good as none (see
	// AllowMissingCRLs). Off (0) by default. The rationale is
	// MinTCBEvaluationDataNumber's: it bounds how old a genuine piece an
	// attester-supplied bundle can choose. The Root CA CRL is exempt: Intel
	// publishes it about once a year (the one in the shared vectors has
	// thisUpdate 2025-03-20, nextUpdate 2026-04-03), so any useful bound
	// would leave no Root CA CRL eligible.
	MaxCollateralAge time.Duration
}

// Evaluate runs every check Intel's QVL makes on a TDX quote beyond its own
// signatures: it chooses the collateral by proof (TCB Info, QE Identity, PCK
// and Root CA CRLs: versions, signatures to a trusted root, issuers,
// validity windows, freshness options; see the package documentation),
// checks revocation of the PCK, its CA and the TCB Signing certificate,
// matches the FMSPC and PCE-ID, the TDX module identity and the QE identity,
// and evaluates and converges the TCB status. Candidates that failed their
// proof are named in Result.Rejected; when a required piece has candidates
// but none is eligible, the error is that of the candidate whose proof came
// furthest ([ErrCollateralSignature], [ErrCollateralExpired],
// [ErrCollateralNotYetValid], [ErrCollateralStale], [ErrRevoked],
// [ErrTCBInfoMismatch], [ErrQEIdentityMismatch]); with none at all it is
// [ErrCollateralMissing] (or [ErrFMSPCMismatch]).
//
// chain must come from [VerifyQuote] on q with the same roots and time: the
// quote's signatures are not checked again here. Signature checks of
// collateral are remembered in the collateral, so evaluating many quotes
// against one [Collateral] (or a [Cache]) costs no ECDSA work after the first.
//
// A TCB status is a value of the Result, not an error, with two exceptions
// that are both: a quote below every TCB level returns the Result (Status
// [TCBNotSupported]) and an error wrapping [ErrTCBNotSupported]; a converged
// status of Revoked returns the Result and an error wrapping [ErrTCBRevoked]
// and [ErrRevoked]. Every other error returns a nil Result.
func Evaluate(q tdx.Quote, chain *QuoteChain, col *Collateral, opts EvaluateOptions) (*Result, error) {
	if q.Raw() == nil {
		return nil, fmt.Errorf("%w: not a parsed quote (zero tdx.Quote)", ErrCollateralMissing)
	}
	if chain == nil || chain.PCK == nil || chain.Intermediate == nil {
		return nil, fmt.Errorf("%w: no verified PCK chain", ErrCollateralMissing)
	}
	if col == nil {
		return nil, fmt.Errorf("%w: no collateral", ErrCollateralMissing)
	}
	t := opts.now()
	v, err := col.verify(chain, opts, t)
	if err != nil {
		return nil, err
	}
	ti, qe := v.tcbInfo, v.qeIdentity
	res := &Result{
		FMSPC:                   ti.FMSPCString(),
		Time:                    t,
		TCBEvaluationDataNumber: min(ti.TCBEvaluationDataNumber, qe.TCBEvaluationDataNumber),
		EarliestIssueDate:       v.earliestIssue,
		LatestIssueDate:         v.latestIssue,
		EarliestExpiration:      v.earliestExpiry,
		CollateralExpired:       !t.Before(v.earliestExpiry),
		RevocationChecked:       v.pckCRL != nil && v.rootCRL != nil,
		TCBInfo:                 ti,
		QEIdentity:              qe,
		PCKCRL:                  v.pckCRL,
		RootCRL:                 v.rootCRL,
		Rejected:                v.rejected,
	}

	body := q.Body()
	tee := body.TEETCBSVN()
	if len(tee) != 16 {
		return nil, fmt.Errorf("%w: quote has no TEE_TCB_SVN", ErrCollateralFormat)
	}
	if err := checkModuleIdentity(ti, q); err != nil {
		return nil, err
	}
	qeReport := q.QEReport()
	if err := checkQEReport(qe, qeReport); err != nil {
		return nil, err
	}

	ext := &chain.Extensions
	launch, err := evaluateTDX(ti, qe, &ext.TCB.SGXComponents, ext.TCB.PCESVN, tee, qeReport.ISVSVN())
	if err != nil {
		res.Status = TCBNotSupported
		res.Evaluation.Status = TCBNotSupported
		return res, err
	}
	res.Evaluation = launch
	res.Status = launch.Status
	if q.BodyType() >= tdx.BodyTD15 {
		tee2 := body.TEETCBSVN2()
		if len(tee2) != 16 {
			return nil, fmt.Errorf("%w: TD 1.5 quote has no TEE_TCB_SVN2", ErrCollateralFormat)
		}
		current, err := evaluateTDX(ti, qe, &ext.TCB.SGXComponents, ext.TCB.PCESVN, tee2, qeReport.ISVSVN())
		if err != nil {
			res.Status = TCBNotSupported
			return res, fmt.Errorf("TEE_TCB_SVN2: %w", err)
		}
		res.Current = &current
		res.Status = relaunch(launch.Status, current.Status)
	}
	if res.Status == Revoked {
		return res, fmt.Errorf("%w (%w): platform %s, TDX module %s, QE %s", ErrTCBRevoked, ErrRevoked, res.PlatformStatus, res.ModuleStatus, res.QEStatus)
	}
	return res, nil
}

// relaunch applies the QVL's TD relaunch check: a TD launched on an
// out-of-date TCB whose current TCB is up to date should be relaunched.
func relaunch(launch, current TCBStatus) TCBStatus {
	if launch != OutOfDate && launch != OutOfDateConfigurationNeeded {
		return launch
	}
	switch current {
	case UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded:
		if launch.ConfigurationNeeded() || current.ConfigurationNeeded() {
			return TDRelaunchAdvisedConfigurationNeeded
		}
		return TDRelaunchAdvised
	}
	return launch
}

// checkModuleIdentity compares MRSIGNERSEAM and SEAMATTRIBUTES with the TCB
// Info's module identity: the tdxModuleIdentities entry of the module's major
// version (TEE_TCB_SVN[1]) when it is non-zero, tdxModule otherwise. As the
// QVL requires, SEAMATTRIBUTES must be zero and equal to the identity's
// attributes (the mask is not applied).
func checkModuleIdentity(ti *TCBInfo, q tdx.Quote) error {
	body := q.Body()
	major := body.TEETCBSVN()[1]
	var m *TDXModule
	what := func() string { return "tcbInfo.tdxModule" } // named only in errors
	if major > 0 {
		id := ti.moduleIdentity(major)
		if id == nil {
			return fmt.Errorf("%w: TCB Info has no tdxModuleIdentities entry TDX_%02X for TEE_TCB_SVN[1] = %d", ErrModuleIdentityMismatch, major, major)
		}
		m, what = &id.TDXModule, func() string { return "tcbInfo.tdxModuleIdentities " + id.ID }
	} else if ti.TDXModule != nil {
		m = ti.TDXModule
	}
	if m == nil {
		return fmt.Errorf("%w: TCB Info has no tdxModule", ErrModuleIdentityMismatch)
	}
	if mr := body.MRSIGNERSEAM(); string(mr) != string(m.MRSigner) {
		return fmt.Errorf("%w: MRSIGNERSEAM %x, %s.mrsigner %x", ErrModuleIdentityMismatch, mr, what(), m.MRSigner)
	}
	attrs := body.SEAMAttributes()
	var want uint64
	for i, b := range m.Attributes { // the same byte order as the quote's field
		want |= uint64(b) << (8 * i)
	}
	if attrs != 0 || attrs != want {
		return fmt.Errorf("%w: SEAMATTRIBUTES %016x, must be zero and equal to %s.attributes %x", ErrModuleIdentityMismatch, attrs, what(), m.Attributes)
	}
	return nil
}

// checkQEReport compares the QE report with the QE Identity (QVL 4.1.2.9.5-8).
func checkQEReport(qe *QEIdentity, r tdx.EnclaveReport) error {
	if got := r.MiscSelect() & qe.MiscSelectMask; got != qe.MiscSelect {
		return fmt.Errorf("%w: MISCSELECT %08x under mask %08x is %08x, want %08x", ErrQEIdentityMismatch, r.MiscSelect(), qe.MiscSelectMask, got, qe.MiscSelect)
	}
	attrs := r.Attributes()
	if len(attrs) != 16 {
		return fmt.Errorf("%w: QE report has no ATTRIBUTES", ErrQEIdentityMismatch)
	}
	for i := range 16 {
		if attrs[i]&qe.AttributesMask[i] != qe.Attributes[i] {
			return fmt.Errorf("%w: ATTRIBUTES %x under mask %x, want %x", ErrQEIdentityMismatch, attrs, qe.AttributesMask, qe.Attributes)
		}
	}
	if mr := r.MRSigner(); string(mr) != string(qe.MRSigner[:]) {
		return fmt.Errorf("%w: MRSIGNER %x, want %x", ErrQEIdentityMismatch, mr, qe.MRSigner)
	}
	if r.ISVProdID() != qe.ISVProdID {
		return fmt.Errorf("%w: ISVPRODID %d, want %d", ErrQEIdentityMismatch, r.ISVProdID(), qe.ISVProdID)
	}
	return nil
}

// evaluateTDX is the QVL's tdxEvaluateTCB: match the platform level (SGX
// components, PCESVN, TDX components — 0 and 1 skipped when the module has
// its own identity), the module level and the QE level, then converge.
func evaluateTDX(ti *TCBInfo, qe *QEIdentity, sgx *[16]uint8, pcesvn uint16, tee []byte, qeSVN uint16) (Evaluation, error) {
	var ev Evaluation
	start := 0
	if tee[1] > 0 {
		start = 2
	}
	for i := range ti.TCBLevels {
		l := &ti.TCBLevels[i]
		if atLeast(sgx[:], l.SGXComponents[:], 0) && pcesvn >= l.PCESVN && atLeast(tee, l.TDXComponents[:], start) {
			ev.TCBLevel = l
			break
		}
	}
	if ev.TCBLevel == nil {
		return ev, fmt.Errorf("%w: platform: SGX TCB components %x, PCESVN %d, TEE_TCB_SVN %x are below every TCB level of FMSPC %s", ErrTCBNotSupported, sgx[:], pcesvn, tee, ti.FMSPCString())
	}
	if !validPlatformStatus(ev.TCBLevel.Status) {
		return ev, fmt.Errorf("%w: matched TCB level has unrecognized tcbStatus %q", ErrCollateralFormat, ev.TCBLevel.StatusName)
	}
	ev.PlatformStatus = ev.TCBLevel.Status
	ev.TCBDate = ev.TCBLevel.TCBDate
	n := len(ev.TCBLevel.AdvisoryIDs)

	if tee[1] > 0 {
		id := ti.moduleIdentity(tee[1])
		if id == nil {
			return ev, fmt.Errorf("%w: TDX module: no tdxModuleIdentities entry TDX_%02X", ErrTCBNotSupported, tee[1])
		}
		for i := range id.TCBLevels {
			if tee[0] >= id.TCBLevels[i].ISVSVN {
				ev.ModuleTCBLevel = &id.TCBLevels[i]
				break
			}
		}
		if ev.ModuleTCBLevel == nil {
			return ev, fmt.Errorf("%w: TDX module %s: TEE_TCB_SVN[0] = %d is below every TCB level", ErrTCBNotSupported, id.ID, tee[0])
		}
		if !validModuleStatus(ev.ModuleTCBLevel.Status) {
			return ev, fmt.Errorf("%w: matched TDX module level has unrecognized tcbStatus %q", ErrCollateralFormat, ev.ModuleTCBLevel.StatusName)
		}
		ev.ModuleStatus = ev.ModuleTCBLevel.Status
		if ev.ModuleTCBLevel.TCBDate.Before(ev.TCBDate) {
			ev.TCBDate = ev.ModuleTCBLevel.TCBDate
		}
		n += len(ev.ModuleTCBLevel.AdvisoryIDs)
	}

	for i := range qe.TCBLevels {
		if qe.TCBLevels[i].ISVSVN <= qeSVN {
			ev.QETCBLevel = &qe.TCBLevels[i]
			break
		}
	}
	if ev.QETCBLevel == nil {
		return ev, fmt.Errorf("%w: QE: ISVSVN %d is below every QE Identity level", ErrTCBNotSupported, qeSVN)
	}
	if !validQEStatus(ev.QETCBLevel.Status) {
		return ev, fmt.Errorf("%w: matched QE Identity level has unrecognized tcbStatus %q", ErrCollateralFormat, ev.QETCBLevel.StatusName)
	}
	ev.QEStatus = ev.QETCBLevel.Status
	if ev.QETCBLevel.TCBDate.Before(ev.TCBDate) {
		ev.TCBDate = ev.QETCBLevel.TCBDate
	}
	n += len(ev.QETCBLevel.AdvisoryIDs)

	if n > 0 {
		ids := make([]string, 0, n)
		ids = append(ids, ev.TCBLevel.AdvisoryIDs...)
		if ev.ModuleTCBLevel != nil {
			ids = append(ids, ev.ModuleTCBLevel.AdvisoryIDs...)
		}
		ids = append(ids, ev.QETCBLevel.AdvisoryIDs...)
		slices.Sort(ids)
		ev.AdvisoryIDs = slices.Compact(ids)
	}
	ev.Status = converge(ev.PlatformStatus, ev.ModuleStatus, ev.QEStatus)
	return ev, nil
}

// atLeast reports whether every svn[i] ≥ level[i] for i ≥ start.
func atLeast(svn, level []byte, start int) bool {
	for i := start; i < len(level) && i < len(svn); i++ {
		if svn[i] < level[i] {
			return false
		}
	}
	return len(svn) >= len(level)
}

// converge is the QVL's convergeTcbStatuses: an OutOfDate module or QE makes
// an UpToDate or SWHardeningNeeded platform OutOfDate, and a configuration-
// needing platform OutOfDateConfigurationNeeded; a Revoked one makes it Revoked.
func converge(platform TCBStatus, components ...TCBStatus) TCBStatus {
	s := platform
	if slices.Contains(components, OutOfDate) {
		switch platform {
		case UpToDate, SWHardeningNeeded:
			s = OutOfDate
		case ConfigurationNeeded, ConfigurationAndSWHardeningNeeded:
			s = OutOfDateConfigurationNeeded
		}
	}
	if slices.Contains(components, Revoked) {
		s = Revoked
	}
	return s
}
