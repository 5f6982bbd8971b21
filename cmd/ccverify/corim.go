// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ccverify/ccverify/refvalues"
	"github.com/ccverify/ccverify/verify"
)

// corimCmd is "ccverify corim build|from-evidence|inspect": authoring and
// reading reference values.
func corimCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "ccverify corim: want build, from-evidence or inspect")
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "build":
		return corimBuild(args[1:], stdout, stderr)
	case "from-evidence":
		return corimFromEvidence(args[1:], stdout, stderr)
	case "inspect":
		return corimInspect(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ccverify corim: unknown subcommand %q: want build, from-evidence or inspect\n", args[0])
	return exitUsage
}

// corimBuild: TEMPLATE.json -o FILE [--sign KEY.pem] [--signer NAME].
func corimBuild(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("corim build", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "the CoRIM file to write")
	signKey := fl.String("sign", "", "PEM private key (EC P-256/P-384 or Ed25519) to sign the CoRIM with")
	signer := fl.String("signer", "", "the signer's name in corim-meta (default: ccverify)")
	validFor := fl.Duration("valid-for", 0, "signature validity from now (default: none)")
	chainFile := fl.String("sign-chain", "", "PEM certificates for --sign's key, leaf first: written as the x5chain header")
	files, code, ok := parseArgs(fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 || *out == "" {
		fmt.Fprintln(stderr, "ccverify corim build: want one TEMPLATE.json and -o FILE")
		return exitUsage
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim build: %v\n", err)
		return exitUsage
	}
	tmpl, err := refvalues.ParseTemplate(b)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim build: %s: %v\n", files[0], err)
		return exitUsage
	}
	corim, err := refvalues.Build(tmpl)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim build: %s: %v\n", files[0], err)
		return exitUsage
	}
	kind := "unsigned CoRIM"
	if *signKey != "" {
		key, err := loadSigningKey(*signKey, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify corim build: --sign: %v\n", err)
			return exitUsage
		}
		opts := refvalues.SignOptions{Signer: *signer}
		if *chainFile != "" {
			if opts.Chain, err = loadCerts(*chainFile); err != nil {
				fmt.Fprintf(stderr, "ccverify corim build: --sign-chain: %v\n", err)
				return exitUsage
			}
		}
		if *validFor > 0 {
			opts.NotBefore, opts.NotAfter = time.Now(), time.Now().Add(*validFor)
		}
		if corim, err = refvalues.Sign(corim, key, opts); err != nil {
			fmt.Fprintf(stderr, "ccverify corim build: --sign: %v\n", err)
			return exitUsage
		}
		kind = "signed CoRIM"
	}
	if err := os.WriteFile(*out, corim, 0o644); err != nil {
		fmt.Fprintf(stderr, "ccverify corim build: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s (%s, %d reference(s), %d bytes) written to %s\n", kind, tmpl.TEE, len(tmpl.References), len(corim), *out)
	return exitAffirming
}

// corimFromEvidence: EVIDENCE -o TEMPLATE.json, the template that approves
// what a golden quote or report measured. The evidence is verified first
// (offline, with --collateral and --at as for verify) so that a template is
// never drafted from bytes that are not genuine evidence.
func corimFromEvidence(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("corim from-evidence", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "the template file to write (- for stdout)")
	at := fl.String("at", "", "verification time, RFC 3339 (default: now)")
	offline := fl.Bool("offline", false, "never touch the network")
	var collateral multiFlag
	fl.Var(&collateral, "collateral", "collateral file or directory (repeatable)")
	files, code, ok := parseArgs(fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 || *out == "" {
		fmt.Fprintln(stderr, "ccverify corim from-evidence: want one EVIDENCE and -o TEMPLATE.json")
		return exitUsage
	}
	opts := verify.Options{Offline: *offline, Collateral: collateral, RefValues: verify.RefValueOptions{HardwareOnly: true}}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "ccverify corim from-evidence: --at %q: want an RFC 3339 time such as 2026-03-01T00:00:00Z\n", *at)
			return exitUsage
		}
		opts.Time = t
	}
	raw, err := readEvidence(files[0], verify.DefaultMaxEvidenceSize)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim from-evidence: %s: %v\n", files[0], err)
		return exitUsage
	}
	r, err := verify.Evidence(context.Background(), raw, opts)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim from-evidence: %s: not genuine evidence, no template drafted: %v\n", files[0], err)
		return max(exitContraindicated, (&item{res: r, err: err}).exitCode())
	}
	tmpl, err := refvalues.TemplateFromClaims(string(r.Format), r.Claims)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim from-evidence: %v\n", err)
		return exitUsage
	}
	b, err := json.MarshalIndent(tmpl, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim from-evidence: %v\n", err)
		return exitUsage
	}
	b = append(b, '\n')
	if *out == "-" {
		stdout.Write(b)
		return exitAffirming
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintf(stderr, "ccverify corim from-evidence: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "template for %s evidence (%s) written to %s: review it, then ccverify corim build %s -o FILE\n", r.Format, r.Status, *out, *out)
	return exitAffirming
}

// corimInspect: FILE [--key PUB] [--at T]: decode (and, with a key,
// verify) a CoRIM or expected-values JSON and print it as JSON.
func corimInspect(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("corim inspect", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var keys multiFlag
	fl.Var(&keys, "key", "PEM public key or certificate trusted to sign it (repeatable); without one nothing is verified")
	at := fl.String("at", "", "verification time, RFC 3339 (default: now)")
	files, code, ok := parseArgs(fl, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "ccverify corim inspect: want one FILE")
		return exitUsage
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim inspect: %v\n", err)
		return exitUsage
	}
	var when time.Time
	if *at != "" {
		if when, err = time.Parse(time.RFC3339, *at); err != nil {
			fmt.Fprintf(stderr, "ccverify corim inspect: --at %q: want an RFC 3339 time\n", *at)
			return exitUsage
		}
	}
	var doc *refvalues.Document
	if len(keys) == 0 {
		doc, err = refvalues.Inspect(b, files[0])
	} else {
		var tk []refvalues.TrustedKey
		for _, k := range keys {
			pub, err := loadPublicKey(k)
			if err != nil {
				fmt.Fprintf(stderr, "ccverify corim inspect: --key %s: %v\n", k, err)
				return exitUsage
			}
			tk = append(tk, refvalues.TrustedKey{Public: pub})
		}
		doc, err = refvalues.Load(b, refvalues.LoadOptions{Name: files[0], Keys: tk, Time: when})
	}
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim inspect: %s: %v\n", files[0], err)
		return exitContraindicated
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "ccverify corim inspect: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s\n", out)
	if len(keys) == 0 {
		fmt.Fprintln(stderr, "ccverify: not verified (pass --key to check the signature)")
	}
	return exitAffirming
}
