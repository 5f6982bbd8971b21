// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Command audit prepares and times audits at scale, for BENCHMARKS.md:
//
//	go run ./bench/audit gen DIR N       write N distinct quotes of one platform to DIR/quotes,
//	                                     their collateral to DIR/collateral, the root to DIR/root.pem
//	go run ./bench/audit lib DIR N JOBS  verify the first N in-process with JOBS goroutines
//	                                     (the library's cost per quote, to compare the CLI's with)
//	go run ./bench/audit floor DIR N JOBS  N crypto/ecdsa P-256 verifications of the first
//	                                     quote's signature (internal/floor), shared among JOBS
//	                                     goroutines: what this machine gives a second core
//	                                     when the work is the floor alone
//
// bench/audit.sh runs both and the CLI over the same files.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ccverify/ccverify/internal/floor"
	"github.com/ccverify/ccverify/testvectors"
	"github.com/ccverify/ccverify/verify"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: audit gen DIR N | audit lib DIR N JOBS | audit floor DIR N JOBS")
		os.Exit(2)
	}
	dir := os.Args[2]
	n, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "gen":
		err = gen(dir, n)
	case "lib", "floor":
		jobs := 1
		if len(os.Args) > 4 {
			jobs, _ = strconv.Atoi(os.Args[4])
		}
		if os.Args[1] == "lib" {
			err = lib(dir, n, jobs)
		} else {
			err = floorRun(dir, n, jobs)
		}
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "audit:", err)
		os.Exit(1)
	}
}

// gen writes the quotes, the catalog's collateral for their platform and
// its root.
func gen(dir string, n int) error {
	set := testvectors.Generate(testvectors.DefaultSeed)
	for name, b := range set.Files {
		var dst string
		switch {
		case name == "intel/root.pem":
			dst = filepath.Join(dir, "root.pem")
		case filepath.Dir(name) == "intel/tcb/good" || filepath.Dir(name) == "intel/crl/good":
			dst = filepath.Join(dir, "collateral", filepath.Base(name))
		default:
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	qd := filepath.Join(dir, "quotes")
	if err := os.MkdirAll(qd, 0o755); err != nil {
		return err
	}
	for i, q := range testvectors.PlatformQuotes(testvectors.DefaultSeed, n) {
		if err := os.WriteFile(filepath.Join(qd, fmt.Sprintf("q%07d", i)), q, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// lib verifies the first n quotes of dir in-process.
func lib(dir string, n, jobs int) error {
	root, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		return err
	}
	roots, err := pemCerts(root)
	if err != nil {
		return err
	}
	v := verify.New(verify.Options{Offline: true, Time: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Collateral: []string{filepath.Join(dir, "collateral")},
		Intel: verify.IntelOptions{Roots: roots}, RefValues: verify.RefValueOptions{HardwareOnly: true}})
	quotes := make([][]byte, n)
	for i := range quotes {
		if quotes[i], err = os.ReadFile(filepath.Join(dir, "quotes", fmt.Sprintf("q%07d", i))); err != nil {
			return err
		}
	}
	start := time.Now()
	// Each goroutine its share of the quotes: no channel between them (a
	// hand-off per quote costs the second core more than it gives).
	var wg sync.WaitGroup
	var failed sync.Map
	for g := range jobs {
		wg.Go(func() {
			for i := g; i < len(quotes); i += jobs {
				if _, err := v.Evidence(context.Background(), quotes[i]); err != nil {
					failed.Store(err.Error(), true)
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	failed.Range(func(k, _ any) bool { fmt.Fprintln(os.Stderr, "failed:", k); return true })
	fmt.Printf("library: %d quotes, %d jobs: %v, %v per quote\n", n, jobs, d.Round(time.Millisecond), (d / time.Duration(n)).Round(time.Microsecond))
	return nil
}

// floorRun times n floor verifications (internal/floor.P256Op of the first
// quote) shared among jobs goroutines, each its own share: no channel, no
// shared state but the key.
func floorRun(dir string, n, jobs int) error {
	q, err := os.ReadFile(filepath.Join(dir, "quotes", "q0000000"))
	if err != nil {
		return err
	}
	op, err := floor.P256Op(q)
	if err != nil {
		return err
	}
	start := time.Now()
	var wg sync.WaitGroup
	for g := range jobs {
		wg.Go(func() {
			for i := g; i < n; i += jobs {
				if !op() {
					panic("the floor does not verify")
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	fmt.Printf("floor: %d verifications, %d jobs: %v, %v each\n", n, jobs, d.Round(time.Millisecond), (d / time.Duration(n)).Round(time.Microsecond))
	return nil
}
