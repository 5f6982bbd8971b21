// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package tdx_test

import (
	"fmt"

	"github.com/ccverify/ccverify/evidence/tdx"
	gtdata "github.com/google/go-tdx-guest/testing/testdata"
)

// Parse a real TDX quote (version 5, TD 1.5 body) and read its measurements.
// Parsing proves nothing; certs/intel verifies the signatures.
func ExampleParse() {
	q, err := tdx.Parse(gtdata.RawQuoteV5)
	if err != nil {
		fmt.Println(err)
		return
	}
	body := q.Body()
	fmt.Println("version:", q.Version(), q.BodyType())
	fmt.Printf("MRTD: %x…\n", body.MRTD()[:8])
	fmt.Println("TD attributes:", body.TDAttributes())
	fmt.Println("debug:", body.TDAttributes().Debug())
	fmt.Println("QE SVN:", q.QEReport().ISVSVN())
	// Output:
	// version: 5 TD Report 1.5
	// MRTD: 7348651a34b2d2d3…
	// TD attributes: SEPT_VE_DISABLE
	// debug: false
	// QE SVN: 7
}
