// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
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
