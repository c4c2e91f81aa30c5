#!/bin/sh
# Instructions per vDSO symbol lookup, by table: GNU hash, System V hash and
# a linear walk. Counts instructions with callgrind for N and 2N lookups of
# the 12 functions of the x86_64 host fixture and prints (I(2N) - I(N)) / N,
# so process start-up and the one-time validation cancel out.
#
# Usage: scripts/vdso-lookup-cost.sh [N]    (default N = 12000)
set -eu
cd "$(dirname "$0")/.."
n=${1:-12000}
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }

cargo build --quiet --release -p freestand-vdso --example lookup_cost
bin=target/release/examples/lookup_cost
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Total instructions ("Collected") of one run.
count() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" "$1" "$2" \
        >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/err"
}

printf '%-8s %s\n' METHOD INSTRUCTIONS_PER_LOOKUP
for method in gnu sysv linear; do
    one=$(count "$method" "$n")
    two=$(count "$method" $((2 * n)))
    awk -v m="$method" -v a="$one" -v b="$two" -v n="$n" \
        'BEGIN { printf "%-8s %.1f\n", m, (b - a) / n }'
done
