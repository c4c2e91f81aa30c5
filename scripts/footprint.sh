#!/usr/bin/env bash
# Prints the footprint of the `hello` example: stripped size on each target
# and, on x86_64, the user-mode instructions from exec to exit counted by
# valgrind's callgrind (total Ir) with an empty environment.
#
# Installs valgrind first if it is missing and this is a Debian/Ubuntu
# machine and we are root; otherwise prints the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y valgrind
    else
        echo "scripts/footprint.sh: valgrind is missing; run: apt-get install -y valgrind" >&2
        exit 1
    fi
fi
strip_tool=$(command -v llvm-strip || command -v rust-strip || true)
[ -n "$strip_tool" ] || { echo "scripts/footprint.sh: needs llvm-strip (apt-get install -y llvm)" >&2; exit 1; }

out=target/footprint
mkdir -p "$out"
printf '%-8s %-8s %14s %14s\n' program arch stripped_bytes instructions
for target in x86_64-unknown-linux-gnu riscv64gc-unknown-linux-gnu; do
    arch=${target%%-*}; arch=${arch%gc}
    cargo build --quiet --release --target "$target" -p freestand-examples --example hello
    "$strip_tool" "target/$target/release/examples/hello" -o "$out/hello-$arch"
    size=$(stat -c %s "$out/hello-$arch")
    ir=-
    if [ "$arch" = x86_64 ]; then
        ir=$(env -i valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/hello-$arch" 2>&1 >/dev/null \
            | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    fi
    printf '%-8s %-8s %14s %14s\n' hello "$arch" "$size" "$ir"
done
