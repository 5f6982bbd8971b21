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
#   PKG=./verify BENCH='EvidenceTDX|FloorP256' bench/run.sh
#                                 # another package's benchmarks, in the same
#                                 # rounds (one table, no /impl columns)
#
# Benchmarks that need ../shared/vectors (BenchmarkTDXEvidence's ccverify
# side) skip when it is absent. benchstat comes from the module proxy at a
# pinned version. On a shared machine compare medians and their ± ranges,
# never single runs.
set -eu
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10}
BENCH=${BENCH:-.}
PKG=${PKG:-./bench}
COL=${COL-/impl}
if [ "$PKG" != ./bench ]; then
	COL=${COL#/impl}
fi
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
OUT=${OUT:-$(mktemp -t ccverify-bench.XXXXXX)}
BIN=$(mktemp -t ccverify-bench-bin.XXXXXX)
trap 'rm -f "$BIN"' EXIT
go test -c -o "$BIN" "$PKG"
: >"$OUT"
# Rounds, not -count: each round runs every benchmark once, so that a change
# of load on a shared machine hits every column alike and the ratios hold.
i=0
while [ "$i" -lt "$COUNT" ]; do
	(cd "$PKG" && "$BIN" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1) >>"$OUT"
	i=$((i + 1))
done
echo "raw results: $OUT" >&2
if [ -n "$COL" ]; then
	go run "$BENCHSTAT" -col "$COL" "$OUT"
else
	go run "$BENCHSTAT" "$OUT"
fi
