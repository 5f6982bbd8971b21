// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Command audit verifies the real Intel TDX quotes that ship inside
// github.com/google/go-tdx-guest/testing/testdata (a v4 quote from a Sapphire
// Rapids host and a v5 quote with a TD 1.5 body), offline, and prints each
// verdict with its reasons. It needs nothing but Go:
//
//	go run ./examples/audit
//
// The verification time is fixed (2026-03-01, when both PCK chains are valid)
// so the output is the same on every machine and every day.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/veraison/ear"
)

// at is the audit's verification time.
var at = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func main() { os.Exit(run(os.Stdout)) }

// run audits the embedded quotes and returns 0 when each one's signature chain
// verifies, 1 otherwise.
func run(w io.Writer) int {
	quotes := []struct {
		name string
		raw  []byte
	}{
		{"go-tdx-guest testdata RawQuote (TDX quote v4, TD 1.0)", gtdata.RawQuote},
		{"go-tdx-guest testdata RawQuoteV5 (TDX quote v5, TD 1.5)", gtdata.RawQuoteV5},
	}
	code := 0
	for _, q := range quotes {
		r, err := verify.Evidence(context.Background(), q.raw, verify.Options{Offline: true, Time: at})
		fmt.Fprintf(w, "%s\n  verdict: %s (at %s)\n", q.name, r.Status, at.Format(time.RFC3339))
		for _, reason := range r.Reasons {
			fmt.Fprintf(w, "  - %s\n", reason)
		}
		if err != nil || r.Status == ear.TrustTierContraindicated {
			code = 1
			continue
		}
		body := r.Claims["quote"].(map[string]any)["body"].(map[string]any)
		fmt.Fprintf(w, "  FMSPC %v, TCB components %v, MRTD %v\n\n", r.Claims["fmspc"], body["tcb_svn"], body["mr_td"])
	}
	return code
}
