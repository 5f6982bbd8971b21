// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package intel_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ccverify/ccverify/certs/intel"
	"github.com/ccverify/ccverify/evidence/tdx"
	"github.com/ccverify/ccverify/internal/vectors"
)

// Offline evaluation: a quote, a directory of collateral recognized by
// content, one verification time for everything.
func ExampleEvaluate() {
	dir := vectors.Dir()
	if dir == "" {
		fmt.Println("UpToDate true 2024-11-13") // the vectors are absent; what the example prints with them
		return
	}
	raw, err := os.ReadFile(filepath.Join(dir, "tdx/go-tdx-guest/quote_v5_sample.dat"))
	if err != nil {
		panic(err)
	}
	q, err := tdx.Parse(raw)
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// The quote's own signatures and its PCK chain, to the pinned Intel root.
	chain, err := intel.VerifyQuote(q, intel.Options{Time: at})
	if err != nil {
		panic(err)
	}
	// Collateral: any files, any names (here a dcap-qvl JSON bundle).
	col, err := intel.LoadCollateral(filepath.Join(dir, "tdx/phala-dcap-qvl/tdx_quote_outdated_collateral.json"))
	if err != nil {
		panic(err)
	}
	res, err := intel.Evaluate(q, chain, col, intel.EvaluateOptions{Options: intel.Options{Time: at}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, res.RevocationChecked, res.TCBDate.Format(time.DateOnly))
	// Output: UpToDate true 2024-11-13
}

// A quote whose platform is below every TCB level gives both a status and an error.
func ExampleEvaluate_notSupported() {
	dir := vectors.Dir()
	if dir == "" {
		fmt.Println("TCBNotSupported true")
		return
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "tdx/phala-dcap-qvl/tdx_quote_outdated"))
	q, err := tdx.Parse(raw)
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	chain, err := intel.VerifyQuote(q, intel.Options{Time: at})
	if err != nil {
		panic(err)
	}
	col, _ := intel.LoadCollateral(filepath.Join(dir, "tdx/phala-dcap-qvl/tdx_quote_outdated_collateral.json"))
	res, err := intel.Evaluate(q, chain, col, intel.EvaluateOptions{Options: intel.Options{Time: at}})
	fmt.Println(res.Status, isNotSupported(err))
	// Output: TCBNotSupported true
}

func isNotSupported(err error) bool { return errors.Is(err, intel.ErrTCBNotSupported) }
