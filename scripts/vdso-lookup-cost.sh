#!/usr/bin/env bash
# Instructions per vDSO symbol lookup, by table: GNU hash, System V hash and
# a linear walk (freestand-vdso, release profile), and through the GNU hash
# table with a `Query` hashed at compile time (`query`).
#
# Counts instructions with callgrind for N and 2N lookups, in turn, of the 12
# functions of the x86_64 host fixture (vdso/tests/data/host-x86_64.so), each
# with its version (LINUX_2.6), and prints (I(2N) - I(N)) / N, so process
# start-up and the one-time validation cancel out. The benchmark loop's own
# cost (measured the same way with a call that does no lookup) is shown on
# the `loop` line and subtracted in the NET column.
#
# Usage: scripts/vdso-lookup-cost.sh [N]    (default N = 12000)
set -eu
cd "$(dirname "$0")/.."
. scripts/toolchain.sh
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

# Instructions per iteration of one method.
per() {
    one=$(count "$1" "$n")
    two=$(count "$1" $((2 * n)))
    awk -v a="$one" -v b="$two" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }'
}

base=$(per none)
printf '%-8s %-24s %s\n' METHOD INSTRUCTIONS_PER_LOOKUP NET_OF_LOOP
for method in gnu sysv linear query; do
    total=$(per "$method")
    awk -v m="$method" -v t="$total" -v b="$base" \
        'BEGIN { printf "%-8s %-24.1f %.1f\n", m, t, t - b }'
done
printf '%-8s %-24s %s\n' loop "$base" -
