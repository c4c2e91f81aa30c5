#!/usr/bin/env bash
# The heap benchmark: the same workloads (bench/src/workloads/) on
# freestand's heap, glibc's malloc and musl's malloc, in one run.
#
# Builds, in release mode, for x86_64:
#   freestand  bench/programs/heap.rs, freestanding (the `heap` example,
#              features programs and json of freestand-bench);
#   glibc      bench/src/bin/heap-std.rs for x86_64-unknown-linux-gnu;
#   musl       the same for x86_64-unknown-linux-musl, statically linked
#              and self-contained (musl's crt and libc.a from the Rust
#              target, linked by rust-lld: no musl-gcc needed).
# It adds the musl target to the pinned toolchain first if it is missing,
# and says so.
#
# Each workload runs in a process of its own; each round runs every
# workload on the three programs one after the other (in an order that
# rotates from round to round), so that the three see the same machine
# state. Of 5 rounds it keeps the best (lowest) figure of each.
#
# Prints one line per measure: ns per operation on each heap, the ratios
# freestand/glibc and musl/glibc, the peak RSS (VmHWM, KiB) of each and the
# ratio freestand/glibc; then how churn's cost per operation grows from 10k
# to 100k live objects, and how the same loop's grows with no heap at all
# (churn-floor). docs/heap-bench.md says what each workload does.
#
# Usage: scripts/heap-bench.sh [--quick]
#   --quick  one round at small sizes: checks that everything builds, runs
#            and keeps its data, in seconds; the figures mean nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh

rounds=5
quick=()
case "${1:-}" in
    "") ;;
    --quick) rounds=1; quick=(--quick) ;;
    *) echo "usage: scripts/heap-bench.sh [--quick]" >&2; exit 2 ;;
esac

gnu=x86_64-unknown-linux-gnu
musl=x86_64-unknown-linux-musl
channel=$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' rust-toolchain.toml)
if ! rustup target list --installed --toolchain "$channel" | grep -qx "$musl"; then
    echo "scripts/heap-bench.sh: installing into Rust $channel the target $musl (for the musl build)"
    rustup target add --toolchain "$channel" "$musl"
fi

echo "# building the three programs (release)" >&2
# The `json` workload (serde_json) needs its feature, which a build of
# this package alone allows (see bench/Cargo.toml).
cargo build --quiet --release --target "$gnu" -p freestand-bench \
    --features programs,json --example heap
cargo build --quiet --release --target "$gnu" -p freestand-bench --features json --bin heap-std
# rust-lld, which ships with the toolchain, links against the target's
# self-contained crt objects and libc.a; the default `cc` would need a C
# compiler and a system linker for nothing.
CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
    cargo build --quiet --release --target "$musl" -p freestand-bench --features json --bin heap-std

sides=(freestand glibc musl)
declare -A bin=(
    [freestand]=target/$gnu/release/examples/heap
    [glibc]=target/$gnu/release/heap-std
    [musl]=target/$musl/release/heap-std
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. scripts/bench-rounds.sh
bench_rounds "$tmp/lines"
bench_header "musl: the one in Rust's $musl target"
echo "# best of $rounds; ns per operation; peak RSS (VmHWM) in KiB${quick:+; --quick: sizes too small to mean anything}"
# Per heap and measure, the lowest time and the lowest peak RSS; then one
# line per measure, in the order the programs printed them.
awk '
    function num(x) {
        if (x == "-") return "-"
        return x < 10 ? sprintf("%.2f", x) : x < 1000 ? sprintf("%.1f", x) : sprintf("%.0f", x)
    }
    function ratio(a, b) { return (a == "-" || b == "-" || b == 0) ? "-" : sprintf("%.2f", a / b) }
    {
        heap = $1; name = $2; k = heap SUBSEP name
        if (!(name in seen)) { seen[name] = 1; order[++n] = name }
        if (!(k in ns) || $3 + 0 < ns[k]) ns[k] = $3 + 0
        if ($4 != "-" && (!(k in rss) || $4 + 0 < rss[k])) rss[k] = $4 + 0
    }
    END {
        printf "%-16s %10s %10s %10s %7s %7s %9s %9s %9s %7s\n", "measure", "freestand", "glibc", "musl", \
            "fs/gl", "musl/gl", "rss_fs", "rss_gl", "rss_musl", "rss/gl"
        for (i = 1; i <= n; i++) {
            m = order[i]
            for (h = 1; h <= 3; h++) {
                heap = h == 1 ? "freestand" : h == 2 ? "glibc" : "musl"
                t[h] = (heap SUBSEP m) in ns ? ns[heap, m] : "-"
                r[h] = (heap SUBSEP m) in rss ? rss[heap, m] : "-"
            }
            printf "%-16s %10s %10s %10s %7s %7s %9s %9s %9s %7s\n", m, num(t[1]), num(t[2]), num(t[3]), \
                ratio(t[1], t[2]), ratio(t[3], t[2]), r[1], r[2], r[3], ratio(r[1], r[2])
        }
        printf "churn 100k/10k live, per-op cost: freestand %s glibc %s musl %s\n", \
            ratio(ns["freestand", "churn-100k"], ns["freestand", "churn-10k"]), \
            ratio(ns["glibc", "churn-100k"], ns["glibc", "churn-10k"]), \
            ratio(ns["musl", "churn-100k"], ns["musl", "churn-10k"])
        # The same loop with no heap at all (churn-floor): what no
        # allocator can take away. The three programs run the same code.
        printf "churn floor (no heap) 100k/10k live, per-op cost: %s %s %s\n", \
            ratio(ns["freestand", "churn-floor-100k"], ns["freestand", "churn-floor-10k"]), \
            ratio(ns["glibc", "churn-floor-100k"], ns["glibc", "churn-floor-10k"]), \
            ratio(ns["musl", "churn-floor-100k"], ns["musl", "churn-floor-10k"])
    }
' "$tmp/lines"
