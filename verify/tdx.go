// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/veraison/ear"
)

// appraiseTDX verifies a TDX quote: parse, prove the signature chain to the
// Intel root, then judge the TD's configuration.
func appraiseTDX(ctx context.Context, r *Result, raw []byte, opts *Options) error {
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

	chain, err := intel.VerifyQuote(q, intel.Options{Roots: opts.IntelRoots, Time: r.Time})
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrGenuine, err)
		r.fail(err)
		return err
	}
	pckClaims(r.Claims, chain)
	r.Expires = chain.NotAfter()
	opts.log().DebugContext(ctx, "tdx quote signature chain verified", "fmspc", hex.EncodeToString(chain.Extensions.FMSPC[:]), "ca", chain.CA.String())

	// Hardware: the chain proves a genuine Intel platform; only collateral
	// says whether its TCB is up to date.
	r.Vector.Hardware = ear.UnsafeHardwareClaim
	r.reason("quote signature chain verifies to the Intel SGX Root CA (PCK issued by the %v CA)", chain.CA)
	r.reason("TCB status not evaluated: no collateral (TCB Info, QE Identity, CRLs)")

	judgeTD(r, q, opts)
	r.settle()
	return nil
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
		r.Vector.Configuration = ear.UnsafeConfigClaim
		r.reason("TD_ATTRIBUTES has bits the specification does not define: %#x", uint64(u))
	}
	if q.Body().SEAMAttributes() != 0 {
		r.Vector.Configuration = ear.UnsafeConfigClaim
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
