// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Command tvgen writes ccverify's generated test vectors and their manifest:
//
//	go run ./testvectors/cmd/tvgen [-seed S] [-out testvectors/data]
//
// The output is deterministic: the same seed writes the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ccverify/ccverify/testvectors"
)

func main() {
	seed := flag.String("seed", testvectors.DefaultSeed, "generation seed")
	out := flag.String("out", "testvectors/data", "output directory (replaced)")
	flag.Parse()
	set := testvectors.Generate(*seed)
	if err := os.RemoveAll(*out); err != nil {
		fmt.Fprintln(os.Stderr, "tvgen:", err)
		os.Exit(1)
	}
	if err := set.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "tvgen:", err)
		os.Exit(1)
	}
	fmt.Printf("tvgen: %d files, %d cases in %s\n", len(set.Files)+1, len(set.Manifest.Cases), *out)
}
