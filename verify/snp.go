// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/veraison/ear"
)

// appraiseSNP verifies an SEV-SNP attestation report, raw or extended (the
// report followed by its certificate table).
func (v *Verifier) appraiseSNP(ctx context.Context, r *Result, raw []byte) error {
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
		if err := col.Add(rest); err == nil {
			r.reason("the report's certificate table supplied collateral")
		} else if opts.StrictTrailingData {
			err := fmt.Errorf("%w: %d bytes after the report are not a certificate table", ErrEvidence, len(rest))
			r.fail(err)
			return err
		} else {
			r.Claims["trailing_bytes"] = len(rest)
			r.reason("%d bytes after the report are not covered by its signature and were ignored", len(rest))
		}
	}
	if !opts.Offline {
		kds := opts.AMDKDS
		if kds == nil {
			kds = defaultKDS
		}
		if fetched, err := kds.Collateral(ctx, rep, opts.SNPProduct, col, true); err == nil {
			col = fetched
		} else {
			opts.log().DebugContext(ctx, "KDS fetch failed", "err", err)
			r.reason("AMD KDS: %v", err)
		}
	}
	// Claims first, so that a failure still shows the report; the TCB
	// layout depends on the product, which the chain may correct below.
	product := opts.SNPProduct
	if product == snp.Unknown {
		product = rep.Product()
	}
	for k, c := range snp.Claims(rep, product) {
		r.Claims[k] = c
	}
	res, err := amd.VerifyReport(rep, col, &amd.Options{
		Now:        r.Time,
		Product:    opts.SNPProduct,
		RequireCRL: opts.RequireCRLs,
		ExtraARKs:  opts.AMDRoots,
		Policy:     opts.SNPPolicy,
		Cache:      v.amdCache,
	})
	if err != nil {
		if errors.Is(err, amd.ErrPolicy) {
			err = fmt.Errorf("%w: %w", ErrPolicy, err)
		} else {
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
	r.Expires = res.Endorsement.Cert.NotAfter
	for _, c := range []*x509.Certificate{res.Intermediate, res.Root} {
		if c != nil && c.NotAfter.Before(r.Expires) {
			r.Expires = c.NotAfter
		}
	}
	r.reason("report signature chain verifies to the pinned AMD %v ARK (%v, %s)", res.Product, res.SigningKey, res.Intermediate.Subject.CommonName)

	// Hardware: AMD has no TCB status service; a genuine chain whose
	// certificate matches REPORTED_TCB is genuine hardware, unless revocation
	// could not be checked or the platform runs below its current TCB.
	r.Vector.Hardware = ear.GenuineHardwareClaim
	for _, w := range res.Warnings {
		raise(&r.Vector.Hardware, ear.UnsafeHardwareClaim)
		r.reason("%s", w)
	}
	if !res.CRLChecked {
		r.incomplete("revocation not checked: no CRL from the ARK for the %v chain", res.SigningKey)
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
	_ = c.Add(b) // not AMD collateral: skipped
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
