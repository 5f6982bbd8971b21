#!/usr/bin/env bash
# Times audits through the CLI against the library on the same generated
# quotes (one platform, its collateral given), for BENCHMARKS.md:
#   bench/audit.sh [N]   (default 10000; also runs N/10 for the memory ratio)
#   ROUNDS=5 bench/audit.sh
# Each round runs, in turn, the CLI with --jobs 1 and 2 (--output json, the
# lines to /dev/null), the library (bench/audit lib) with 1 and 2
# goroutines, and N floor verifications (bench/audit floor: crypto/ecdsa
# P-256 alone, what the machine gives a second core at best) with 1 and 2,
# so that a change of load on a shared machine hits them alike; the summary
# gives the medians over the rounds and their ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
rounds="${ROUNDS:-3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/ccverify" ./cmd/ccverify
go build -o "$work/audit" ./bench/audit
"$work/audit" gen "$work" "$n" >/dev/null
find "$work/quotes" -type f | sort > "$work/all.txt"
head -n $((n / 10)) "$work/all.txt" > "$work/small.txt"
cli() { # jobs list: "seconds peak-KB"
	/usr/bin/time -f "%e %M" "$work/ccverify" verify --offline --hardware-only --at 2026-01-15T00:00:00Z \
		--intel-root "$work/root.pem" --collateral "$work/collateral" --output json --jobs "$1" --from-list "$2" 2>&1 >/dev/null | tail -1
}
lib() { # mode jobs: seconds
	"$work/audit" "$1" "$work" "$n" "$2" | sed -E 's/.*jobs: ([0-9.]+)(m?s),.*/\1 \2/' | awk '{ print ($2 == "ms") ? $1 / 1000 : $1 }'
}
: > "$work/results"
for r in $(seq "$rounds"); do
	c1=$(cli 1 "$work/all.txt"); c2=$(cli 2 "$work/all.txt"); s2=$(cli 2 "$work/small.txt")
	l1=$(lib lib 1); l2=$(lib lib 2); f1=$(lib floor 1); f2=$(lib floor 2)
	echo "round $r: CLI $n quotes --jobs 1: ${c1% *} s, ${c1#* } KB; --jobs 2: ${c2% *} s, ${c2#* } KB; $((n / 10)) quotes --jobs 2: ${s2#* } KB; library 1 job: $l1 s, 2 jobs: $l2 s; floor 1 job: $f1 s, 2 jobs: $f2 s"
	echo "${c1% *} ${c2% *} ${c2#* } ${s2#* } $l1 $l2 $f1 $f2" >> "$work/results"
done
awk -v n="$n" '
function median(col,   i, j, m, t, a) {
	m = 0
	for (i = 1; i <= NR; i++) { # insertion sort: POSIX awk has no asort
		t = v[i, col] + 0
		for (j = ++m; j > 1 && a[j - 1] > t; j--) a[j] = a[j - 1]
		a[j] = t
	}
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
# Per round: the times, and the ratios within the round (their medians hold
# when the load changes between rounds).
{ for (c = 1; c <= NF; c++) v[NR, c] = $c; v[NR, 9] = $1 / $2; v[NR, 10] = $5 / $6; v[NR, 11] = $7 / $8; v[NR, 12] = $1 / $5; v[NR, 13] = $3 / $4 }
END {
	printf "medians of %d rounds: CLI --jobs 1 %.2f s (%.0f µs a quote), --jobs 2 %.2f s; library %.0f µs a quote; floor %.0f µs\n", \
		NR, median(1), median(1) / n * 1e6, median(2), median(5) / n * 1e6, median(7) / n * 1e6
	printf "medians of the ratios within a round: CLI --jobs 2 %.2fx faster than 1 (library %.2fx, floor %.2fx); CLI / library %.2fx; peak RSS %d / %d quotes %.2fx\n", \
		median(9), median(10), median(11), median(12), n, n / 10, median(13)
}' "$work/results"
