// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package fuzz

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

func pemCerts(f *testing.F, rel string) []*x509.Certificate {
	b := readGenerated(f, rel)
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, c)
	}
}

// signedBytes returns what the evidence's signature covers.
func signedBytes(b []byte) []byte {
	if f, err := verify.Detect(b); err == nil && f == verify.FormatSNP {
		if r, _, err := snp.ParsePrefix(b); err == nil {
			return r.Signed()
		}
		return nil
	}
	if q, _, err := tdx.ParsePrefix(b); err == nil {
		return q.SignedData()
	}
	return nil
}

// FuzzVerifyGenerated runs verify.Evidence on mutations of the generated
// vectors with each case's own roots, collateral and options, so that the
// fuzzer reaches collateral evaluation and TCB matching (under the pinned
// roots every generated quote stops at its chain). Nothing may panic, a
// failure must be contraindicated, and a verified input's signed bytes must be
// those of a generated vector: anything else verifying is a forgery.
func FuzzVerifyGenerated(f *testing.F) {
	cases := generatedCases(f)
	if len(cases) == 0 {
		f.Skip("no generated vectors")
	}
	type target struct {
		v *verify.Verifier
	}
	targets := make([]target, len(cases))
	var signed [][]byte
	for i, c := range cases {
		raw := readGenerated(f, c.Evidence)
		o := verify.Options{Time: c.At, Offline: true, AllowDebug: c.Options.AllowDebug, RequireCRLs: c.Options.RequireCRLs,
			AllowExpiredCollateral: c.Options.AllowExpiredCollateral, StrictTrailingData: c.Options.StrictTrailingData}
		for _, p := range c.Collateral {
			o.Collateral = append(o.Collateral, filepath.Join(generatedDir, filepath.FromSlash(p)))
		}
		if c.Roots.Intel != "" {
			o.Intel.Roots = pemCerts(f, c.Roots.Intel)
		}
		if c.Roots.AMD != "" {
			o.AMD.Roots = pemCerts(f, c.Roots.AMD)
		}
		if c.Options.DenyDebug {
			o.AMD.Policy = &amd.Policy{DenyDebug: true}
		}
		targets[i] = target{verify.New(o)}
		if s := signedBytes(raw); s != nil {
			signed = append(signed, bytes.Clone(s))
		}
		f.Add(uint8(i), raw)
	}
	f.Fuzz(func(t *testing.T, i uint8, b []byte) {
		tg := targets[int(i)%len(targets)]
		r, err := tg.v.Evidence(context.Background(), b)
		if r == nil {
			t.Fatal("nil Result")
		}
		if err != nil {
			if r.Status != ear.TrustTierContraindicated || !errors.Is(r.Err, err) && r.Err != err {
				t.Fatalf("failed evidence (%v) has status %v", err, r.Status)
			}
			return
		}
		s := signedBytes(b)
		for _, g := range signed {
			if bytes.Equal(s, g) {
				return
			}
		}
		t.Fatalf("evidence whose signed bytes are no generated vector's verified (%v): %x", r.Status, s)
	})
}

// FuzzParseEndorsement parses VCEK and VLEK certificates (the KDS extensions)
// and checks them against a generated report: no input panics, and a parsed
// endorsement's fields are consistent with its kind and product.
func FuzzParseEndorsement(f *testing.F) {
	var reports [][]byte
	for _, c := range generatedCases(f) {
		if c.TEE != "snp" {
			continue
		}
		reports = append(reports, readGenerated(f, c.Evidence))
		for _, p := range c.Collateral {
			if filepath.Ext(p) == ".der" {
				f.Add(readGenerated(f, p), uint8(len(reports)-1))
			}
		}
	}
	if len(reports) == 0 {
		f.Skip("no generated SNP vectors")
	}
	f.Fuzz(func(t *testing.T, der []byte, i uint8) {
		e, err := amd.ParseEndorsement(der)
		if err != nil {
			if !errors.Is(err, amd.ErrChain) && !errors.Is(err, amd.ErrExtensionMismatch) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if e.Product == snp.Unknown || (e.Key != snp.SignedByVCEK && e.Key != snp.SignedByVLEK) {
			t.Fatalf("parsed endorsement of product %v, key %v", e.Product, e.Key)
		}
		if (e.Key == snp.SignedByVCEK) != (e.HWID != nil) || (e.Product == snp.Turin) != e.TCB.HasFMC {
			t.Fatalf("inconsistent endorsement %+v", e)
		}
		if r, _, err := snp.ParsePrefix(reports[int(i)%len(reports)]); err == nil {
			_ = e.CheckReport(r, r.Product())
		}
	})
}
