// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package verify turns confidential-computing evidence into a verdict: it
// detects the evidence format from the bytes, proves the evidence genuine with
// the vendor's certificate chain and collateral, applies policy, and builds a
// normalized EAR (EAT Attestation Result) that it can sign.
//
// It is the only package that knows every other one: evidence/* parse,
// certs/* prove, and verify judges.
package verify

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/refvalues"
	"github.com/veraison/ear"
)

// Sentinel errors of this package. Failures of the evidence itself wrap the
// sentinel errors of the package that found them (evidence/tdx, certs/intel,
// …) as well, so errors.Is works with either.
var (
	// ErrFormat reports evidence whose format is not recognized.
	ErrFormat = errors.New("verify: unrecognized evidence format")
	// ErrEvidence reports evidence that does not parse.
	ErrEvidence = errors.New("verify: malformed evidence")
	// ErrGenuine reports evidence whose signatures or certificate chain do not
	// prove it genuine.
	ErrGenuine = errors.New("verify: evidence is not proven genuine")
	// ErrCollateral reports collateral that is missing, malformed, not genuine
	// or not valid at the verification time.
	ErrCollateral = errors.New("verify: collateral does not verify")
	// ErrTCB reports a platform whose TCB level the vendor has revoked or no
	// longer supports.
	ErrTCB = errors.New("verify: platform TCB revoked or not supported")
	// ErrPolicy reports evidence that is genuine but that policy rejects.
	ErrPolicy = errors.New("verify: evidence rejected by policy")
	// ErrTooLarge reports evidence larger than Options.MaxEvidenceSize.
	ErrTooLarge = errors.New("verify: evidence too large")
)

// DefaultMaxEvidenceSize is the size limit of evidence when
// Options.MaxEvidenceSize is zero: 1 MiB. A TDX quote with its PCK chain is
// about 5 KiB, an extended SEV-SNP report with its certificate table under
// 16 KiB, Trustee's Azure evidence JSON under 64 KiB.
const DefaultMaxEvidenceSize = 1 << 20

// Format names a kind of evidence. Its value is the EAR submodule name, as
// Trustee names its TEEs.
type Format string

// Formats recognized by [Detect].
const (
	FormatTDX Format = "tdx" // Intel TDX quote, version 4 or 5
	FormatSNP Format = "snp" // AMD SEV-SNP attestation report
)

// Options configure a verification. The zero value is the safe default:
// pinned vendor roots, strict checks, time.Now, collateral fetched from the
// vendor when none is given.
type Options struct {
	// Time is the verification time for every certificate, CRL and
	// collateral; the zero Time means time.Now(). Set it to audit old
	// evidence reproducibly.
	Time time.Time
	// Offline forbids any network access: collateral must be supplied.
	Offline bool
	// Collateral lists files and directories holding collateral (Intel PCS
	// responses, issuer chains, CRLs, AMD VCEK/VLEK and chains), each piece
	// recognized by its content. AMD's ARK signs one CRL per chain under one
	// name and nothing in it says which: a file whose name or path holds
	// "vlek" is the VLEK chain's, any other the VCEK chain's (see certs/amd).
	Collateral []string
	// RequireCRLs fails evidence whose collateral lacks a usable (genuine,
	// current) CRL it needs: Intel's PCK CA CRL and Root CA CRL; AMD's ARK
	// CRL for the report's chain, from the caller or the KDS (a CRL that
	// arrives in the evidence's certificate table never counts). By default
	// revocation that cannot be checked keeps the verdict from affirming
	// (warning) and says so.
	RequireCRLs bool
	// RequireCollateral fails TDX quotes whose collateral is missing or
	// cannot be used (expired, forged, stale, another platform's), as
	// Intel's QVL does. By default such collateral counts as none: the quote
	// is genuine, its TCB not evaluated, a warning whose reasons name the
	// pieces passed over; handing over less or other collateral can then
	// never get a better verdict.
	RequireCollateral bool
	// AllowExpiredCollateral accepts collateral past its nextUpdate, reported
	// in the claims (collateral_expiration_status "1") and as a warning, as
	// Intel's QVL does with an expiration check date.
	AllowExpiredCollateral bool
	// MaxCollateralAge, when set, makes Intel collateral issued (TCB Info,
	// QE Identity issueDate; PCK CRL thisUpdate) longer than this before the
	// verification time ineligible.
	MaxCollateralAge time.Duration

	// Intel configures TDX verification.
	Intel IntelOptions
	// AMD configures SEV-SNP verification.
	AMD AMDOptions
	// SE configures IBM Secure Execution verification (see [SEOptions]).
	SE SEOptions

	// AllowDebug accepts debug TDs and guests without contraindicating them.
	// A debug guest's memory is readable by its host: never for secrets.
	AllowDebug bool
	// Binding, when set, ties the evidence to a request: REPORT_DATA must
	// carry the relying party's nonce (see [Binding]).
	Binding Binding
	// RefValues are the reference values the evidence's software is judged
	// against (see [RefValueOptions]).
	RefValues RefValueOptions
	// EventLog gives a TDX event log to replay against the quote's RTMRs
	// (see [EventLogOptions] and [ErrEventLog]).
	EventLog EventLogOptions
	// Policy, when set, is the appraisal policy as data (see [Policy]): its
	// settings are folded into these Options by [New], its TDX part judges
	// TCB statuses, and its ID is the EAR's ear.appraisal-policy-id.
	Policy *Policy
	// Appraiser, when set, is an appraisal policy as code (a Trustee Rego
	// policy: package policy/rego) that sets the trust vector of evidence
	// proven genuine, as Trustee's attestation service does; see
	// [Appraiser]. It is asked for reference values through RefValues.
	Appraiser Appraiser

	// StrictTrailingData rejects evidence followed by bytes that are neither
	// part of it nor zero padding. By default such bytes are reported in the
	// result (the signatures do not cover them) and otherwise ignored.
	StrictTrailingData bool
	// MaxEvidenceSize bounds the evidence, in bytes: larger input is
	// ErrTooLarge before any parsing. Zero means DefaultMaxEvidenceSize.
	MaxEvidenceSize int
	// Logger receives debug logs of the steps taken; nil means none.
	Logger *slog.Logger
}

// IntelOptions configure the verification of Intel TDX quotes. The zero
// value is the pinned Intel SGX Root CA and Intel's PCS.
type IntelOptions struct {
	// Roots replaces the pinned Intel SGX Root CA (tests, private PKIs).
	Roots []*x509.Certificate
	// PCS fetches Intel collateral that Options.Collateral lacks, unless
	// Offline; nil means Intel's PCS (standard update channel).
	PCS *intel.Client
	// MinTCBEvaluationDataNumber, when set, makes TCB Info and QE Identity
	// with a lower tcbEvaluationDataNumber ineligible: a bundle handed over
	// with the evidence cannot pick a genuine piece from before a TCB
	// recovery.
	MinTCBEvaluationDataNumber int
}

// AMDOptions configure the verification of AMD SEV-SNP reports. The zero
// value is the pinned AMD roots, AMD's KDS and no policy.
type AMDOptions struct {
	// Roots are trusted in addition to the pinned AMD ARKs (test PKIs).
	Roots []*x509.Certificate
	// KDS fetches a VCEK and CRLs that Options.Collateral lacks, unless
	// Offline; nil means AMD's KDS.
	KDS *amd.KDS
	// Product is the product line of version 2 reports, which do not carry
	// CPUID; zero takes it from the VCEK or VLEK.
	Product snp.Product
	// Policy, when set, is checked on reports proven genuine (minimum TCB,
	// firmware, guest policy bits, VMPL, …); a violation is ErrPolicy.
	Policy *amd.Policy
}

// maxEvidence is the effective evidence size limit.
func (o *Options) maxEvidence() int {
	if o.MaxEvidenceSize > 0 {
		return o.MaxEvidenceSize
	}
	return DefaultMaxEvidenceSize
}

func (o *Options) log() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Result is the verdict on one piece of evidence.
type Result struct {
	// Format is the kind of evidence, and the EAR submodule name.
	Format Format
	// Status is the overall tier: affirming, warning or contraindicated.
	Status ear.TrustTier
	// Vector is the AR4SI trustworthiness vector behind Status.
	Vector ear.TrustVector
	// Claims are the evidence's normalized claims, with Trustee's names (see
	// CLAIMS.md): they become the EAR's annotated evidence.
	Claims map[string]any
	// Reasons explain the verdict in words, one line each, most important first.
	Reasons []string
	// Err is the failed check, nil when the evidence is genuine. It is also
	// returned by [Evidence].
	Err error
	// Time is the verification time used.
	Time time.Time
	// Expires is when the verdict stops holding: the earliest expiry of the
	// certificates and collateral it rests on (zero when unknown).
	Expires time.Time

	// Nonce is the relying party's challenge the evidence was bound to
	// (Options.Binding.Nonce), echoed as the EAR's eat_nonce.
	Nonce []byte
	// RefValues is the match of the claims against Options.RefValues, claim
	// by claim; nil when there were none or the evidence was not proven
	// genuine.
	RefValues *refvalues.Result
	// PolicyID names the appraisal policy applied (the EAR's
	// ear.appraisal-policy-id); empty when none was given.
	PolicyID string
	// Extensions are the claims an Options.Appraiser added to the
	// appraisal (Trustee's ear.trustee.identifiers), by name.
	Extensions map[string]any

	runtimeData    []byte // Options.Binding.RuntimeData: Trustee's runtime_data_claims
	partial        bool   // a check could not be made: at most warning
	bindingChecked bool   // Options.Binding was checked on the way (Azure: the TPM quote's nonce)
}

// Verifier verifies many pieces of evidence with one set of options, sharing
// the collateral it loads or fetches and the checks already made on it: an
// audit's per-evidence cost is the evidence's own signatures. Safe for
// concurrent use.
type Verifier struct {
	opts  Options
	load  sync.Once
	intel *intel.Cache
	amd   amd.Collateral // never modified after loading: copied per report
	// amdCache remembers parsed certificates and verified signatures.
	amdCache *amd.Cache
	err      error // from loading Options.Collateral
}

// New returns a Verifier for opts. Collateral files are read on first use.
// With a zero Options.Time, each verification uses the time it runs at.
func New(opts Options) *Verifier {
	if opts.Policy != nil {
		opts = opts.Policy.apply(opts)
	}
	return &Verifier{opts: opts}
}

// loadCollateral reads Options.Collateral once.
func (v *Verifier) loadCollateral() error {
	v.load.Do(func() {
		v.intel = &intel.Cache{}
		if !v.opts.Offline {
			v.intel.Client = v.opts.Intel.PCS
			if v.intel.Client == nil {
				v.intel.Client = &intel.Client{}
			}
		}
		v.amdCache = amd.NewCache(4096)
		for _, p := range v.opts.Collateral {
			col, err := intel.LoadCollateral(p)
			if errors.Is(err, intel.ErrNotCollateral) {
				col, err = nil, nil // a single file of another TEE's collateral
			}
			if err != nil {
				v.err = fmt.Errorf("%w: %w", ErrCollateral, err)
				return
			}
			if col != nil {
				v.intel.Add(col)
			}
			if err := loadAMD(&v.amd, p); err != nil {
				v.err = fmt.Errorf("%w: %w", ErrCollateral, err)
				return
			}
		}
	})
	return v.err
}

// newResult starts a verdict: the verification time (each verification's
// own now when Options.Time is zero), the nonce and the policy it answers.
func (v *Verifier) newResult() *Result {
	r := &Result{Time: v.opts.Time, Claims: make(map[string]any, 96), Nonce: v.opts.Binding.Nonce, runtimeData: v.opts.Binding.RuntimeData}
	switch {
	case v.opts.Appraiser != nil:
		r.PolicyID = v.opts.Appraiser.PolicyID()
	case v.opts.Policy != nil:
		r.PolicyID = v.opts.Policy.ID()
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	return r
}

// Evidence detects the format of raw, verifies it and returns the verdict.
// See the package function [Evidence].
func (v *Verifier) Evidence(ctx context.Context, raw []byte) (*Result, error) {
	opts := &v.opts
	r := v.newResult()
	if max := opts.maxEvidence(); len(raw) > max {
		err := fmt.Errorf("%w: %d bytes, limit %d (Options.MaxEvidenceSize)", ErrTooLarge, len(raw), max)
		return r.fail(err), err
	}
	sum := sha256.Sum256(raw)
	r.Claims["evidence_sha256"] = hex.EncodeToString(sum[:])
	f, err := Detect(raw)
	if err != nil {
		if dec, enc := decodeText(raw); dec != nil {
			if df, derr := Detect(dec); derr == nil {
				f, err, raw = df, nil, dec
				r.reason("evidence decoded from %s text", enc)
			}
		}
	}
	if err != nil {
		err = v.unwrap(ctx, r, raw, err)
	} else {
		r.Format = f
		switch f {
		case FormatTDX:
			err = v.appraiseTDX(ctx, r, raw)
		case FormatSNP:
			err = v.appraiseSNP(ctx, r, raw)
		}
	}
	return v.conclude(ctx, r, err)
}

// conclude ends every verification: binding, software appraisal, the
// status, and the error rule.
func (v *Verifier) conclude(ctx context.Context, r *Result, err error) (*Result, error) {
	if err == nil {
		err = checkBinding(r, &v.opts.Binding)
	}
	if err == nil {
		if v.opts.Appraiser != nil {
			err = v.appraiseByPolicy(ctx, r)
		} else {
			v.appraiseSoftware(r)
			r.settle()
		}
	}
	return r, r.finish(err)
}

// Evidence detects the format of raw, verifies it and returns the verdict.
// The Result is never nil: for evidence that fails, it holds the claims read
// so far, a contraindicated status and the error, which Evidence also returns
// (wrapping one of this package's sentinel errors and the failing package's).
//
// A result that is not a failure (an out-of-date TCB, a debug guest) is a
// status and reasons in the Result, with a nil error.
//
// To verify many, make one [Verifier] with [New]: it loads collateral once.
func Evidence(ctx context.Context, raw []byte, opts Options) (*Result, error) {
	return New(opts).Evidence(ctx, raw)
}

// Detect says which kind of evidence raw holds, from its bytes alone. For
// input that is not evidence, the ErrFormat error says what it looks like
// (empty, a certificate, a CRL, JSON, text), so that a caller can tell a
// misplaced collateral file from corrupt evidence.
func Detect(raw []byte) (Format, error) {
	if len(raw) >= 8 {
		version := uint16(raw[0]) | uint16(raw[1])<<8
		keyType := uint16(raw[2]) | uint16(raw[3])<<8
		tee := uint32(raw[4]) | uint32(raw[5])<<8 | uint32(raw[6])<<16 | uint32(raw[7])<<24
		if (version == 4 || version == 5) && keyType == tdx.KeyTypeECDSAP256 && tee == tdx.TEETypeTDX {
			return FormatTDX, nil
		}
	}
	// An SEV-SNP report is 0x4A0 bytes; one cut short but with its version
	// and SIGNATURE_ALGO in place is still SNP, for the parser to call
	// truncated.
	if len(raw) >= 0x38 {
		version := uint32(raw[0]) | uint32(raw[1])<<8 | uint32(raw[2])<<16 | uint32(raw[3])<<24
		sigAlgo := uint32(raw[0x34]) | uint32(raw[0x35])<<8 | uint32(raw[0x36])<<16 | uint32(raw[0x37])<<24
		if version >= 2 && version <= 5 && sigAlgo == 1 {
			return FormatSNP, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrFormat, describe(raw))
}

// fail records err as the verdict: contraindicated, with the error as the
// first reason.
func (r *Result) fail(err error) *Result {
	r.Err = err
	r.Status = ear.TrustTierContraindicated
	if r.Vector.Hardware == ear.NoClaim {
		r.Vector.Hardware = ear.CryptoValidationFailedClaim
	}
	r.Reasons = append([]string{err.Error()}, r.Reasons...)
	return r
}

func (r *Result) reason(format string, args ...any) {
	r.Reasons = append(r.Reasons, fmt.Sprintf(format, args...))
}

func ptr[T any](v T) *T { return &v }
