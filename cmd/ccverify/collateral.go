// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ccverify/ccverify/certs/amd"
	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/snp"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/verify"
)

// collateralCmd fetches the Intel collateral a TDX quote needs into a
// directory that verify --collateral reads back.
func collateralCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "fetch" {
		fmt.Fprintln(stderr, "ccverify collateral: want 'fetch'")
		usage(stderr)
		return exitUsage
	}
	fl := flag.NewFlagSet("collateral fetch", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "directory to write the collateral to")
	pcsURL := fl.String("pcs-url", "", "Intel PCS or PCCS base URL (default: Intel PCS)")
	update := fl.String("pcs-update", "", "TCB update channel: standard or early")
	timeout := fl.Duration("timeout", time.Minute, "time allowed for the whole fetch")
	kdsURL := fl.String("kds-url", "", "AMD KDS base URL (default: AMD's KDS)")
	snpProduct := fl.String("snp-product", "", "product line of a version 2 SEV-SNP report: Milan, Genoa or Turin")
	files, code, ok := parseArgs(fl, args[1:], stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 || *out == "" {
		fmt.Fprintln(stderr, "ccverify collateral fetch: want one QUOTE and --out DIR")
		return exitUsage
	}
	raw, err := readEvidence(files[0], verify.DefaultMaxEvidenceSize)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
		return exitUsage
	}
	if f, _ := verify.Detect(raw); f == verify.FormatSNP {
		return fetchSNP(raw, files[0], *out, *kdsURL, *snpProduct, *timeout, stdout, stderr)
	}
	q, _, err := tdx.ParsePrefix(raw)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %s: %v\n", files[0], err)
		return exitContraindicated
	}
	// The chain is verified now, so that the FMSPC and CA asked for are genuine.
	chain, err := intel.VerifyQuote(q, intel.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %s: %v\n", files[0], err)
		return exitContraindicated
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c := &intel.Client{BaseURL: *pcsURL, Update: *update}
	col, err := c.Fetch(ctx, chain.Extensions.FMSPC, chain.CA)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
		return exitUnavailable
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
		return exitUsage
	}
	if err := intel.WriteCollateral(*out, col); err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "collateral for FMSPC %x (%v CA) written to %s\n", chain.Extensions.FMSPC, chain.CA, *out)
	return exitAffirming
}

// fetchSNP fetches an SEV-SNP report's VCEK and the ARK's CRL for its chain
// from AMD's KDS into dir (vcek.der, {vcek,vlek}-crl.der: the names say
// which chain a CRL is for when read back with --collateral), after proving
// the report with them: nothing is written that does not verify it.
func fetchSNP(raw []byte, path, dir, kdsURL, product string, timeout time.Duration, stdout, stderr io.Writer) int {
	rep, _, err := snp.ParsePrefix(raw)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %s: %v\n", path, err)
		return exitContraindicated
	}
	var p snp.Product
	switch product {
	case "":
	case "Milan":
		p = snp.Milan
	case "Genoa":
		p = snp.Genoa
	case "Turin":
		p = snp.Turin
	default:
		fmt.Fprintf(stderr, "ccverify collateral fetch: --snp-product %q: want Milan, Genoa or Turin\n", product)
		return exitUsage
	}
	if rep.SigningKey() == snp.SignedByVLEK {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %s: VLEK-signed: the VLEK comes from the cloud provider (in the extended report's certificate table), not from the KDS\n", path)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	col, err := (&amd.KDS{BaseURL: kdsURL}).Collateral(ctx, rep, p, amd.Collateral{}, true)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
		return exitUnavailable
	}
	res, err := amd.VerifyReport(rep, col, &amd.Options{Product: p})
	if err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %s: the KDS's collateral does not verify the report: %v\n", path, err)
		return exitContraindicated
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
		return exitUsage
	}
	files := map[string][]byte{"vcek.der": res.Endorsement.Cert.Raw}
	for _, c := range col.CRLs {
		files[strings.ToLower(c.Chain.String())+"-crl.der"] = c.DER
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			fmt.Fprintf(stderr, "ccverify collateral fetch: %v\n", err)
			return exitUsage
		}
	}
	fmt.Fprintf(stdout, "collateral for the %v report (CHIP_ID %x…, VCEK) written to %s\n", res.Product, rep.ChipID()[:8], dir)
	return exitAffirming
}
