// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

// Package bench holds no code: its benchmarks run ccverify and the anchors
// (go-tdx-guest, go-sev-guest) on the same quotes and reports, next to the
// floor each figure is compared to, so that one benchstat table shows all
// three (run.sh; the method and figures are in BENCHMARKS.md).
//
// Every benchmark is named Benchmark<what>/case=<inputs>/impl=<who>, impl
// being ccverify, anchor (go-tdx-guest for TDX, go-sev-guest for SNP),
// floor (one standard-library ECDSA verification of the same signature:
// P-256 for TDX, P-384 for SNP), or p256 and p384 (the same verification
// with what ccverify uses: internal/p256 with the recurring key's table,
// internal/p384), so that benchstat -col /impl -row /case lays them side by
// side.
package bench
