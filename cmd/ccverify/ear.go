// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/ccverify/ccverify/verify"
	"github.com/veraison/ear"
)

// earCmd is "ccverify ear verify TOKEN --key PUB [--nonce HEX] [--at T]":
// what a relying party runs on an EAR before acting on it.
func earCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "ccverify ear: want 'verify'")
		usage(stderr)
		return exitUsage
	}
	fl := flag.NewFlagSet("ear verify", flag.ContinueOnError)
	fl.SetOutput(stderr)
	keyPath := fl.String("key", "", "PEM public key (or certificate) of the verifier that signed the EAR")
	nonce := fl.String("nonce", "", "hex nonce the EAR's eat_nonce must be")
	at := fl.String("at", "", "time exp is checked at, RFC 3339 (default: now)")
	files, code, ok := parseArgs(fl, args[1:], stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 || *keyPath == "" {
		fmt.Fprintln(stderr, "ccverify ear verify: want one TOKEN (a file, or - for stdin) and --key PUB")
		return exitUsage
	}
	pub, err := loadPublicKey(*keyPath)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify ear verify: --key: %v\n", err)
		return exitUsage
	}
	var opts verify.EARVerifyOptions
	if *nonce != "" {
		if opts.Nonce, err = hex.DecodeString(*nonce); err != nil {
			fmt.Fprintf(stderr, "ccverify ear verify: --nonce %q: want hex\n", *nonce)
			return exitUsage
		}
	}
	if *at != "" {
		if opts.Time, err = time.Parse(time.RFC3339, *at); err != nil {
			fmt.Fprintf(stderr, "ccverify ear verify: --at %q: want an RFC 3339 time such as 2026-03-01T00:00:00Z\n", *at)
			return exitUsage
		}
	}
	var raw []byte
	if files[0] == "-" {
		raw, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	} else {
		raw, err = readEvidence(files[0], 1<<20)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ccverify ear verify: %v\n", err)
		return exitUsage
	}
	token := bytes.TrimSpace(raw)
	// A line of "ccverify verify --output ear": {"path", "evidence_sha256", "ear"}.
	var line struct{ EAR string }
	if len(token) > 0 && token[0] == '{' && json.Unmarshal(token, &line) == nil && line.EAR != "" {
		token = []byte(line.EAR)
	}
	ar, err := verify.VerifyEAR(token, pub, opts)
	if err != nil {
		fmt.Fprintf(stderr, "ccverify ear verify: %s: %v\n", files[0], err)
		return exitContraindicated
	}
	b, err := ar.MarshalJSONIndent("", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "ccverify ear verify: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s\n", b)
	worst := ear.TrustTierNone
	names := make([]string, 0, len(ar.Submods))
	for name := range ar.Submods {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := ar.Submods[name].Status
		fmt.Fprintf(stderr, "ccverify: %s: %s\n", name, s)
		worst = max(worst, *s)
	}
	switch worst {
	case ear.TrustTierAffirming:
		return exitAffirming
	case ear.TrustTierWarning:
		return exitWarning
	}
	return exitContraindicated
}

// loadPublicKey reads a PEM public key (PKIX) or the key of a PEM certificate.
func loadPublicKey(path string) (crypto.PublicKey, error) {
	block, err := firstPEM(path, "PUBLIC KEY", "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	if block.Type == "PUBLIC KEY" {
		return x509.ParsePKIXPublicKey(block.Bytes)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	return c.PublicKey, nil
}
