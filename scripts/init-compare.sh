#!/usr/bin/env bash
# examples/init against tini 0.19 (its dynamic `tini` and `tini-static`)
# and dumb-init, natively on x86_64, all measured in the same run:
#
#   stripped  size in bytes after llvm-strip (tini's and dumb-init's
#             Debian binaries are stripped already), and how it is linked;
#   rss_kib   the init's peak resident memory (VmHWM), read from
#             /proc/PPID/status by its child while the init waits for it:
#             by then the init has done everything but its loop;
#   launch    from launch to the child's first instruction, in µs: the
#             median (and 90th percentile) over ROUNDS runs, and the
#             overhead, that median minus the median of the child run
#             without an init.
#
# The launch is timed from inside: `child launch PROG...` (e2e's test
# subject) reads CLOCK_MONOTONIC and execs PROG... with the time appended,
# where PROG is an init running `child stamp`, which reads the clock again
# as its `main` starts (freestand's start-up before `main` is a few
# hundred instructions, the same in every run). The span thus covers
# exactly the init's exec, its start-up, its fork and the child's exec,
# and none of the shell's fork or of the init's exit. The baseline is
# `child launch child stamp`: the exec of the child alone. The inits run
# in turn within each round, so that they share the machine's phases.
#
# Every init runs as a subreaper where it can be one (`-s`), so that none
# prints a warning: init and tini with -s, dumb-init as it is.
#
# ROUNDS (default 300) sets the number of rounds. Installs tini and
# dumb-init first if they are missing and this is Debian/Ubuntu and we are
# root; otherwise prints the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh

rounds=${ROUNDS:-300}
[ "$(uname -m)" = x86_64 ] || { echo "scripts/init-compare.sh: runs on x86_64 only" >&2; exit 1; }

need=()
command -v tini-static >/dev/null || need+=(tini)
command -v dumb-init >/dev/null || need+=(dumb-init)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "scripts/init-compare.sh: installing ${need[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
    else
        echo "scripts/init-compare.sh: missing ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2
        exit 1
    fi
fi
strip_tool=$(command -v llvm-strip || command -v rust-strip || true)
[ -n "$strip_tool" ] || { echo "scripts/init-compare.sh: needs llvm-strip (apt-get install -y llvm)" >&2; exit 1; }

out=$PWD/target/init-compare
mkdir -p "$out"
cargo build --quiet --release -p freestand-examples -p freestand-e2e \
    --features freestand-e2e/programs --example init --example child
FREESTAND_LINK=static cargo build --quiet --release --target-dir target/init-compare-static \
    -p freestand-examples --example init
"$strip_tool" target/release/examples/init -o "$out/init"
"$strip_tool" target/init-compare-static/release/examples/init -o "$out/init-static"
child=$PWD/target/release/examples/child

tini=$(command -v tini)
tini_static=$(command -v tini-static)
dumb_init=$(command -v dumb-init)

# name, binary, the words that run the child under it.
names=(none init tini-static tini dumb-init)
declare -A run=(
    [none]=""
    [init]="$out/init -s --"
    [tini-static]="$tini_static -s --"
    [tini]="$tini -s --"
    [dumb-init]="$dumb_init"
)

linked() {
    if readelf -lW "$1" | grep -q INTERP; then echo dynamic; else echo static; fi
}

rss() {
    # shellcheck disable=SC2086 # the words of an init's command line
    env -i $1 /bin/sh -c 'sed -n "s/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p" /proc/$PPID/status'
}

echo "== $(date -u +%Y-%m-%d) $(uname -r), $(nproc) CPUs, $rounds rounds"
for n in "${names[@]}"; do : > "$out/launch-$n"; done
for _ in $(seq "$rounds"); do
    for n in "${names[@]}"; do
        # shellcheck disable=SC2086
        env -i "$child" launch ${run[$n]} "$child" stamp >> "$out/launch-$n"
    done
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%d %d\n", v[int((NR + 1) / 2)], v[int(NR * 0.9)] }'; }
read -r base _ < <(median "$out/launch-none")

printf '| %-11s | %9s | %-7s | %7s | %16s | %8s |\n' program stripped linked rss_kib "launch µs (p90)" overhead
printf '|%s|%s|%s|%s|%s|%s|\n' ------------- ----------: --------- --------: ------------------: ---------:
row() {
    local n=$1 bin=$2 size=- link=- rss_kib=- med p90
    if [ "$n" != none ]; then
        size=$(stat -c %s "$bin")
        link=$(linked "$bin")
        rss_kib=$(rss "${run[$n]}")
    fi
    read -r med p90 < <(median "$out/launch-$n")
    printf '| %-11s | %9s | %-7s | %7s | %7.1f (%7.1f) | %8.1f |\n' "$3" "$size" "$link" \
        "$rss_kib" "$(echo "$med / 1000" | bc -l)" "$(echo "$p90 / 1000" | bc -l)" \
        "$(echo "($med - $base) / 1000" | bc -l)"
}
row init "$out/init" "init"
row tini-static "$tini_static" "tini-static"
row tini "$tini" "tini"
row dumb-init "$dumb_init" "dumb-init"
row none "$child" "(no init)"
echo "init linked plain static (FREESTAND_LINK=static): $(stat -c %s "$out/init-static") bytes stripped"
