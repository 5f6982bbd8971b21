// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel_test

import (
	"fmt"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/google/go-tdx-guest/testing/testdata"
)

// ExampleVerifyQuote proves a real TDX v5 quote's signature chain to the
// pinned Intel SGX Root CA, at a fixed time for a reproducible audit.
func ExampleVerifyQuote() {
	q, err := tdx.Parse(testdata.RawQuoteV5)
	if err != nil {
		fmt.Println(err)
		return
	}
	chain, err := intel.VerifyQuote(q, intel.Options{
		Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), // zero: time.Now()
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("PCK issued by the %s CA, serial %x\n", chain.CA, chain.PCK.SerialNumber)
	fmt.Printf("FMSPC %x, PCESVN %d, SGX type %v\n", chain.Extensions.FMSPC, chain.Extensions.TCB.PCESVN, chain.Extensions.SGXType)
	fmt.Println("chain valid until", chain.NotAfter().Format(time.DateOnly))
	// Output:
	// PCK issued by the platform CA, serial 281450cd833a6cf298ea01209af1400091fb756b
	// FMSPC 90c06f000000, PCESVN 13, SGX type Scalable
	// chain valid until 2033-01-27
}
