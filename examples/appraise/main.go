// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Command appraise is the README's first command: it appraises real
// evidence end to end, offline, with nothing but Go:
//
//	go run ./examples/appraise
//
// A real Intel TDX quote and a real AMD SEV-SNP report (data/, sources in
// data/README.md) are proven genuine to the pinned Intel and AMD roots with
// their collateral (TCB Info, QE Identity, PCK and Root CA CRLs; VCEK, ASK,
// the ARK's CRL), and their software is judged against reference values: a
// CoRIM per TEE signed by a (demo) vendor key the verifier trusts. Both come
// out affirming with their executables approved. Then the TDX quote is judged
// against a CoRIM whose MRTD differs in one byte, and the verdict says, claim
// by claim, why it is not approved.
//
// Each verification runs at the time its collateral was current, so the
// output is the same on every machine and every day.
package main

import (
	"context"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

//go:embed data
var data embed.FS

// The evidence, its collateral, the time it is appraised at and the CoRIM
// that says what it may run.
var cases = []struct {
	name       string
	evidence   string
	collateral []string
	at         time.Time
	corim      string
}{
	{"Intel TDX quote v4 (Phala dcap-qvl sample)", "tdx-quote.bin", []string{"tdx-collateral.json"},
		time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), "td.corim"},
	{"AMD SEV-SNP report v2, Milan (virtee/sev test data)", "snp-report.bin", []string{"snp-vcek.der", "snp-ask-ark.pem", "snp-ark-vcek-crl.der"},
		time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "guest.corim"},
	{"the same TDX quote, against a CoRIM for another TD (MRTD changed in one byte)", "tdx-quote.bin", []string{"tdx-collateral.json"},
		time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), "td-changed.corim"},
}

func main() { os.Exit(run(os.Stdout)) }

// run appraises the cases and returns 0 when each verdict is the expected
// one: the first two affirming, the third not.
func run(w io.Writer) int {
	dir, err := unpack()
	if err != nil {
		fmt.Fprintln(w, "appraise:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	vendor, err := vendorKey(filepath.Join(dir, "vendor.pub"))
	if err != nil {
		fmt.Fprintln(w, "appraise:", err)
		return 1
	}
	code := 0
	for i, c := range cases {
		r, err := appraise(dir, vendor, c.evidence, c.collateral, c.corim, c.at)
		if err != nil && r == nil {
			fmt.Fprintln(w, "appraise:", err)
			return 1
		}
		fmt.Fprintf(w, "%s\n  reference values: data/%s\n  verdict: %s at %s (hardware %v, executables %v)\n",
			c.name, c.corim, r.Status, c.at.Format(time.RFC3339), r.Vector.Hardware, r.Vector.Executables)
		for _, reason := range r.Reasons {
			fmt.Fprintf(w, "  - %s\n", reason)
		}
		fmt.Fprintln(w)
		if approved := r.Status == ear.TrustTierAffirming && r.Vector.Executables == ear.ApprovedRuntimeClaim; approved != (i < 2) {
			code = 1
		}
	}
	return code
}

// appraise verifies one piece of evidence with its collateral and a CoRIM
// signed by the vendor.
func appraise(dir string, vendor any, evidence string, collateral []string, corim string, at time.Time) (*verify.Result, error) {
	raw, err := os.ReadFile(filepath.Join(dir, evidence))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, corim))
	if err != nil {
		return nil, err
	}
	doc, err := refvalues.Load(b, refvalues.LoadOptions{Name: "data/" + corim, Keys: []refvalues.TrustedKey{{Public: vendor}}, Time: at})
	if err != nil {
		return nil, err
	}
	opts := verify.Options{Offline: true, Time: at, RefValues: verify.RefValueOptions{Set: refvalues.Set{doc}}}
	for _, c := range collateral {
		opts.Collateral = append(opts.Collateral, filepath.Join(dir, c))
	}
	return verify.Evidence(context.Background(), raw, opts)
}

// unpack writes the embedded data to a temporary directory: collateral is
// read from files, as from a user's audit folder.
func unpack() (string, error) {
	dir, err := os.MkdirTemp("", "ccverify-appraise-")
	if err != nil {
		return "", err
	}
	ents, err := data.ReadDir("data")
	if err != nil {
		return "", err
	}
	for _, e := range ents {
		b, err := data.ReadFile("data/" + e.Name())
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// vendorKey reads the public key the verifier trusts to sign CoRIMs.
func vendorKey(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	return x509.ParsePKIXPublicKey(blk.Bytes)
}
