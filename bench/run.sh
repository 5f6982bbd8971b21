#!/bin/sh
# Copyright 2026 The ccverify Authors
# SPDX-License-Identifier: Apache-2.0
#
# run.sh runs ccverify's and the anchors' (go-tdx-guest, go-sev-guest)
# verifications on the same quotes and reports, with the floor each is
# compared to, and prints one benchstat table: a column per implementation
# (ccverify, anchor, floor, p384), a row per input.
#
#   bench/run.sh                  # COUNT=10 runs of every benchmark
#   COUNT=20 BENCH=TDX bench/run.sh
#   OUT=results.txt bench/run.sh  # keep the raw output (benchstat input)
#
# Benchmarks that need ../shared/vectors (BenchmarkTDXEvidence's ccverify
# side) skip when it is absent. benchstat comes from the module proxy at a
# pinned version. Runs are sequential (-count, not -cpu): on a shared machine
# compare medians and their ± ranges, not single runs.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10}
BENCH=${BENCH:-.}
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
OUT=${OUT:-$(mktemp -t ccverify-bench.XXXXXX)}
go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" ./bench >"$OUT"
echo "raw results: $OUT" >&2
go run "$BENCHSTAT" -col /impl "$OUT"
