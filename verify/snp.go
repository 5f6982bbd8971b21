// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/container"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/veraison/ear"
)

// appraiseSNP verifies an SEV-SNP attestation report, raw or extended (the
// report followed by its certificate table).
//
// extra are pieces a container carried with the report (VCEK, chain, CRLs,
// certificate table): collateral from the evidence, which can prove but is
// never trusted as a root and never makes revocation checked.
func (v *Verifier) appraiseSNP(ctx context.Context, r *Result, raw []byte, extra ...container.Piece) error {
	opts := &v.opts
	rep, rest, err := snp.ParsePrefix(raw)
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrEvidence, err)
		r.fail(err)
		return err
	}
	if err := v.loadCollateral(); err != nil {
		r.fail(err)
		return err
	}
	// A copy whose slices are capped: the evidence's own certificates and
	// fetched pieces join it without writing into the Verifier's, which
	// concurrent verifications share.
	col := v.amd
	col.Certs, col.CRLs = col.Certs[:len(col.Certs):len(col.Certs)], col.CRLs[:len(col.CRLs):len(col.CRLs)]
	if !allZero(rest) {
		// Whatever it holds came with the evidence: its CRLs can add
		// revocations but never make revocation checked.
		if err := col.AddFrom(rest, amd.Provenance{Origin: amd.FromEvidence, Name: "the report's certificate table"}); err == nil {
			r.reason("the report's certificate table supplied collateral")
		} else if opts.StrictTrailingData {
			err := fmt.Errorf("%w: %d bytes after the report are not a certificate table: %w", ErrEvidence, len(rest), err)
			r.fail(err)
			return err
		} else {
			r.Claims["trailing_bytes"] = len(rest)
			r.reason("%d bytes after the report are not covered by its signature and were ignored (%v)", len(rest), err)
		}
	}
	for _, p := range extra {
		if err := col.AddFrom(p.Data, amd.Provenance{Origin: amd.FromEvidence, Name: p.Origin}); err == nil {
			r.reason("%s supplied collateral (%s)", p.Origin, p.Kind)
		} else {
			r.reason("%s: %s not used: %v", p.Origin, p.Kind, err)
		}
	}
	// Online, the KDS adds the report's VCEK when no VCEK at hand matches it,
	// and the ARK's CRL for the report's chain. What it could not fetch is
	// kdsErr: collateral missing because of it is ErrUnavailable below.
	var kdsErr error
	if !opts.Offline {
		kds := opts.AMD.KDS
		if kds == nil {
			kds = defaultKDS
		}
		col, kdsErr = kds.Collateral(ctx, rep, opts.AMD.Product, col, true)
		if kdsErr != nil {
			opts.log().DebugContext(ctx, "KDS fetch failed", "err", kdsErr)
			r.reason("AMD KDS: %v", kdsErr)
		}
	}
	// Claims first, so that a failure still shows the report; the TCB
	// layout depends on the product, which the chain may correct below.
	product := opts.AMD.Product
	if product == snp.Unknown {
		product = rep.Product()
	}
	for k, c := range snp.Claims(rep, product) {
		r.Claims[k] = c
	}
	res, err := amd.VerifyReport(rep, col, &amd.Options{
		Now:        r.Time,
		Product:    opts.AMD.Product,
		RequireCRL: opts.RequireCRLs,
		ExtraARKs:  opts.AMD.Roots,
		Policy:     opts.AMD.Policy,
		Cache:      v.amdCache,
	})
	if err != nil {
		switch {
		case errors.Is(err, amd.ErrPolicy), errors.Is(err, amd.ErrPolicyInvalid):
			err = fmt.Errorf("%w: %w", ErrPolicy, err)
		case errors.Is(err, amd.ErrCollateralMissing) && errors.Is(kdsErr, amd.ErrKDS):
			// Missing because the KDS could not be reached, refused or
			// rate-limited us: the verifier could not judge.
			return r.unavailable(fmt.Errorf("%w (AMD KDS: %w)", err, kdsErr))
		default:
			err = fmt.Errorf("%w: %w", ErrGenuine, err)
		}
		r.fail(err)
		return err
	}
	if res.Product != product { // v2 reports: the proven product decides the layout
		for k, c := range snp.Claims(rep, res.Product) {
			r.Claims[k] = c
		}
	}
	r.Claims["crl_checked"] = res.CRLChecked
	r.Claims["debug"] = rep.Policy().Debug() // the same claim for every TEE
	r.Expires = res.Expires                  // the chain's notAfter and the CRLs' nextUpdate
	r.reason("report signature chain verifies to the pinned AMD %v ARK (%v, %s)", res.Product, res.SigningKey, res.Intermediate.Subject.CommonName)
	for _, n := range res.Notes {
		r.reason("%s", n)
	}

	// Hardware: AMD has no TCB status service; a genuine chain whose
	// certificate matches REPORTED_TCB is genuine hardware, unless revocation
	// could not be checked or the platform runs below its current TCB.
	r.Vector.Hardware = ear.GenuineHardwareClaim
	for _, w := range res.Warnings {
		raise(&r.Vector.Hardware, ear.UnsafeHardwareClaim)
		r.reason("%s", w)
	}
	if !res.CRLChecked {
		why := "from the caller or the KDS"
		if errors.Is(kdsErr, amd.ErrKDS) {
			why = "(the KDS could not be asked)"
		}
		r.incomplete("revocation not checked: no current CRL of %s for the %v chain %s", res.Root.Subject.CommonName, res.SigningKey, why)
	}
	judgeGuest(r, rep, opts)
	r.settle()
	return nil
}

// judgeGuest sets the configuration and runtime-opaque claims from the guest policy.
func judgeGuest(r *Result, rep snp.Report, opts *Options) {
	pol := rep.Policy()
	switch {
	case pol.Debug() && !opts.AllowDebug:
		r.Vector.RuntimeOpaque = ear.VisibleMemoryRuntimeClaim
		r.Vector.Configuration = ear.UnsupportableConfigClaim
		r.Reasons = append([]string{"debug guest: POLICY.DEBUG allows the host to debug (read) the guest"}, r.Reasons...)
	case pol.Debug():
		r.Vector.RuntimeOpaque = ear.IsolatedMemoryRuntimeClaim
		r.Vector.Configuration = ear.UnsafeConfigClaim
		r.reason("debug guest accepted by option: the host can debug the guest")
	default:
		r.Vector.RuntimeOpaque = ear.EncryptedMemoryRuntimeClaim
		r.Vector.Configuration = ear.NoConfigVulnsClaim
	}
	if pol.MigrateMA() {
		raise(&r.Vector.Configuration, ear.UnsafeConfigClaim)
		r.reason("POLICY.MIGRATE_MA: a migration agent may be associated with the guest")
	}
}

// loadAMD reads the AMD pieces of path, a file or a directory, into c. Files
// that are not AMD collateral are skipped: one directory may hold collateral
// for several TEEs.
func loadAMD(c *amd.Collateral, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		d, err := amd.LoadDir(path)
		if err != nil {
			return err
		}
		merge(c, d)
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_ = c.AddFrom(b, amd.Provenance{Origin: amd.FromCaller, Name: path}) // not AMD collateral: skipped
	return nil
}

// merge adds d's pieces to c; a second VCEK or VLEK goes to Certs, where
// amd.VerifyReport also looks.
func merge(c *amd.Collateral, d amd.Collateral) {
	for _, k := range []struct {
		dst *[]byte
		src []byte
	}{{&c.VCEK, d.VCEK}, {&c.VLEK, d.VLEK}} {
		switch {
		case k.src == nil:
		case *k.dst == nil:
			*k.dst = k.src
		default:
			c.Certs = append(c.Certs, k.src)
		}
	}
	c.Certs = append(c.Certs, d.Certs...)
	c.CRLs = append(c.CRLs, d.CRLs...)
}

var defaultKDS = &amd.KDS{}
