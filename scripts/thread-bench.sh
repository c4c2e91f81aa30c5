#!/usr/bin/env bash
# The thread benchmark: the same workloads (bench/src/threads.rs) on
# freestand's threads, Mutex and thread_local!, and on std's over glibc,
# in one run.
#
# Builds, in release mode, for x86_64-unknown-linux-gnu:
#   freestand  bench/programs/thread-bench.rs, freestanding (the
#              `thread-bench` example, feature programs of freestand-bench);
#   std        bench/src/bin/thread-bench-std.rs (`thread-bench-std`):
#              std::thread, std::sync::Mutex, std::thread_local!, glibc.
#
# Each workload runs in a process of its own; each round runs every
# workload on the two programs one after the other, the one first in one
# round second in the next. Of 5 rounds it keeps the best (lowest) figure
# of each.
#
# Prints one line per workload: ns per operation on each, and the ratio
# freestand/std; then how churn scales from 1 thread to 2: the throughput
# of churn-2-threads over that of churn-1-thread, for each (2.00 is
# perfect). docs/thread-bench.md says what each workload does.
#
# Usage: scripts/thread-bench.sh [--quick]
#   --quick  one round at small sizes: checks that everything builds, runs
#            and checks out, in seconds; the figures mean nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh

rounds=5
quick=()
case "${1:-}" in
    "") ;;
    --quick) rounds=1; quick=(--quick) ;;
    *) echo "usage: scripts/thread-bench.sh [--quick]" >&2; exit 2 ;;
esac

gnu=x86_64-unknown-linux-gnu
echo "# building the two programs (release)" >&2
cargo build --quiet --release --target "$gnu" -p freestand-bench --features programs --example thread-bench
cargo build --quiet --release --target "$gnu" -p freestand-bench --bin thread-bench-std

sides=(freestand std)
declare -A bin=(
    [freestand]=target/$gnu/release/examples/thread-bench
    [std]=target/$gnu/release/thread-bench-std
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. scripts/bench-rounds.sh
bench_rounds "$tmp/lines"
bench_header ""
echo "# best of $rounds; ns per operation${quick:+; --quick: sizes too small to mean anything}"
awk '
    function num(x) {
        if (x == "-") return "-"
        return x < 10 ? sprintf("%.2f", x) : x < 1000 ? sprintf("%.1f", x) : sprintf("%.0f", x)
    }
    function ratio(a, b) { return (a == "-" || b == "-" || b == 0) ? "-" : sprintf("%.2f", a / b) }
    function get(side, m) { return (side SUBSEP m) in ns ? ns[side, m] : "-" }
    {
        side = $1; name = $2; k = side SUBSEP name
        if (!(name in seen)) { seen[name] = 1; order[++n] = name }
        if (!(k in ns) || $3 + 0 < ns[k]) ns[k] = $3 + 0
    }
    END {
        printf "%-18s %10s %10s %7s\n", "measure", "freestand", "std", "fs/std"
        for (i = 1; i <= n; i++) {
            m = order[i]
            printf "%-18s %10s %10s %7s\n", m, num(get("freestand", m)), num(get("std", m)), \
                ratio(get("freestand", m), get("std", m))
        }
        # Throughput is 1/ns per op, so throughput(2)/throughput(1) is
        # ns(1)/ns(2).
        printf "churn scaling, throughput 2 threads / 1 thread: freestand %s std %s\n", \
            ratio(get("freestand", "churn-1-thread"), get("freestand", "churn-2-threads")), \
            ratio(get("std", "churn-1-thread"), get("std", "churn-2-threads"))
    }
' "$tmp/lines"
