// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ccverify/ccverify/verify"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// Verify a real TDX quote offline at a fixed time and read the verdict.
func ExampleEvidence() {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := verify.Evidence(context.Background(), gtdata.RawQuoteV5, verify.Options{Offline: true, Time: at})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	fmt.Println(r.Format, r.Status)
	for _, reason := range r.Reasons {
		fmt.Println("-", reason)
	}
	fmt.Println("FMSPC:", r.Claims["fmspc"])
	// Output:
	// tdx warning
	// - quote signature chain verifies to the Intel SGX Root CA (PCK issued by the platform CA)
	// - TCB status not evaluated: no collateral (TCB Info, QE Identity, CRLs) and offline
	// FMSPC: 90c06f000000
}
