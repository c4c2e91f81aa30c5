#!/usr/bin/env bash
# The footprint of three programs, release build, for each target (x86_64,
# riscv64, aarch64), linked both ways:
# static-PIE (kind pie, the default) and plain static (kind static,
# FREESTAND_LINK=static, which needs no self-relocation):
#   hello  writes "hello\n";
#   demo   the README's demo;
#   clock  one routed clock_gettime(CLOCK_MONOTONIC), then exit
#          (e2e/programs/clock.rs).
#
# Columns, per program, kind and target:
#   stripped   size in bytes after llvm-strip;
#   segments   memory size of each PT_LOAD, by its flags (R, RX, RW);
#   callgrind  user-mode instructions from exec to exit, valgrind's
#              callgrind total Ir, empty environment (x86_64 only). valgrind
#              hides the vDSO from the program, so routed calls take their
#              system call here;
#   traced     the same count taken by single-stepping the program on the
#              real kernel (scripts/trace-count.py), so with the vDSO: its
#              resolution and calls are included (x86_64; not for demo,
#              whose millions of steps would take minutes); the lowest of
#              three runs, since the vDSO's clock read may retry;
#   rss_kib    peak resident memory (VmHWM) just before exit (x86_64).
#
# Installs valgrind and python3 first if they are missing and this is a
# Debian/Ubuntu machine and we are root; otherwise prints the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh

need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
    else
        echo "scripts/footprint.sh: missing ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2
        exit 1
    fi
fi
strip_tool=$(command -v llvm-strip || command -v rust-strip || true)
[ -n "$strip_tool" ] || { echo "scripts/footprint.sh: needs llvm-strip (apt-get install -y llvm)" >&2; exit 1; }

programs="hello demo clock"
out=target/footprint
mkdir -p "$out"
printf '%-6s %-6s %-8s %9s %-36s %10s %8s %8s\n' program kind arch stripped segments callgrind traced rss_kib
for kind in pie static; do
  # The static kind builds into its own directory, so that neither build
  # overwrites the other's artefacts.
  dir=target
  [ "$kind" = static ] && dir=target/footprint-static
  for target in $targets; do
    arch=${target%%-*}; arch=${arch%gc}
    # hello and demo are examples; clock is a test program of e2e/.
    examples=()
    for p in $programs; do examples+=(--example "$p"); done
    FREESTAND_LINK=$kind cargo build --quiet --release --target "$target" \
        --target-dir "$dir" -p freestand-examples -p freestand-e2e \
        --features freestand-e2e/programs "${examples[@]}"
    for p in $programs; do
        bin="$out/$p-$kind-$arch"
        "$strip_tool" "$dir/$target/release/examples/$p" -o "$bin"
        size=$(stat -c %s "$bin")
        segments=""
        while read -r _ _ _ _ _ memsz flags; do
            flags=${flags% *}; flags=${flags// /}
            [ "$flags" = RE ] && flags=RX
            segments+="${segments:+ }$flags=$((memsz))"
        done < <(readelf -lW "$bin" | grep '^ *LOAD')
        ir=- traced=- rss=-
        if [ "$arch" = x86_64 ]; then
            ir=$(env -i valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 >/dev/null \
                | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
            mode=""
            [ "$p" = demo ] && mode=--rss-only
            read -r _ traced _ rss _ < <(scripts/trace-count.py $mode "$bin" | tail -1)
            # The lowest of three runs: the vDSO's clock read retries its
            # seqlock loop (28 instructions on x86_64) when the kernel
            # updates the time during it, which single-stepping, stretching
            # the read to about a millisecond, makes common.
            if [ "$mode" = "" ]; then
                for _ in 1 2; do
                    read -r _ again _ _ _ < <(scripts/trace-count.py "$bin" | tail -1)
                    [ "$again" -lt "$traced" ] && traced=$again
                done
            fi
        fi
        printf '%-6s %-6s %-8s %9s %-36s %10s %8s %8s\n' "$p" "$kind" "$arch" "$size" "$segments" "$ir" "$traced" "$rss"
    done
  done
done
