#!/usr/bin/env bash
# Times audits through the CLI against the library on the same generated
# quotes (one platform, its collateral given), for BENCHMARKS.md:
#   bench/audit.sh [N]   (default 10000; also runs N/10 for the memory ratio)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/ccverify" ./cmd/ccverify
go run ./bench/audit gen "$work" "$n" >/dev/null
find "$work/quotes" -type f | sort > "$work/all.txt"
head -n $((n / 10)) "$work/all.txt" > "$work/small.txt"
cli() { # jobs list
	/usr/bin/time -f "%e s, %M KB peak" "$work/ccverify" verify --offline --hardware-only --at 2026-01-15T00:00:00Z \
		--intel-root "$work/root.pem" --collateral "$work/collateral" --output json --jobs "$1" --from-list "$2" 2>&1 >/dev/null | tail -1
}
echo "CLI, $n quotes, --jobs 1: $(cli 1 "$work/all.txt")"
echo "CLI, $n quotes, --jobs 2: $(cli 2 "$work/all.txt")"
echo "CLI, $((n / 10)) quotes, --jobs 2: $(cli 2 "$work/small.txt")"
go run ./bench/audit lib "$work" "$n" 1
go run ./bench/audit lib "$work" "$n" 2
