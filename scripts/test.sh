#!/usr/bin/env bash
# freestand's whole test suite: formatting, clippy on every target,
# docs without warnings, a dry-run publish of the crates, host unit
# tests and doctests, the README's quick start, and every example on native
# x86_64, qemu-x86_64, qemu-riscv64 and qemu-aarch64.
#
# On Debian or Ubuntu, run as root, it first installs what is missing
# (qemu-user >= 8.1, strace, binutils, llvm for llvm-objdump); otherwise it
# stops and prints the exact command to run. It also adds to the Rust
# toolchain pinned in rust-toolchain.toml the targets and components that
# file lists and that are missing (scripts/toolchain.sh), and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh

qemu_ok() {
    local v
    v=$("$1" --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -1)
    [ -n "$v" ] || return 1
    set -- $v
    [ "$1" -gt 8 ] || { [ "$1" -eq 8 ] && [ "$2" -ge 1 ]; }
}

missing=()
qemu_all() { qemu_ok qemu-x86_64 && qemu_ok qemu-riscv64 && qemu_ok qemu-aarch64; }
qemu_all || missing+=(qemu-user)
command -v strace >/dev/null || missing+=(strace)
command -v readelf >/dev/null || missing+=(binutils)
command -v llvm-objdump >/dev/null || missing+=(llvm)

if [ ${#missing[@]} -gt 0 ]; then
    . /etc/os-release 2>/dev/null || true
    backports=""
    if [ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ]; then
        # Debian 12's own qemu is 7.2, which maps no guest vDSO.
        backports="bookworm-backports"
    fi
    install="apt-get update && apt-get install -y ${missing[*]}"
    if [ -n "$backports" ]; then
        install="echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list && apt-get update && apt-get install -y -t bookworm-backports ${missing[*]}"
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "scripts/test.sh: installing ${missing[*]}"
        sh -c "DEBIAN_FRONTEND=noninteractive; export DEBIAN_FRONTEND; $install"
        qemu_all || {
            echo "scripts/test.sh: qemu-user >= 8.1 is still missing after the install" >&2
            exit 1
        }
    else
        echo "scripts/test.sh: missing ${missing[*]}. Run as root:" >&2
        echo "  $install" >&2
        exit 1
    fi
fi

echo "== cargo fmt --check"
cargo fmt --all --check
for target in $targets; do
    # With e2e's test programs and the heap benchmark's freestanding
    # program, which only their packages' `programs` features build.
    echo "== cargo clippy --all-targets --target $target"
    cargo clippy --quiet --workspace --all-targets --features freestand-e2e/programs \
        --features freestand-bench/programs --target "$target" -- -D warnings
done

echo "== cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --workspace --exclude freestand-examples

# The four published crates, packaged and built from their tarballs in
# dependency order (build, vdso, syscalls, rt), as crates.io would
# receive them.
# --allow-dirty: the check is about what the packages hold, and must also
# pass on a work tree with uncommitted changes.
echo "== cargo publish --dry-run"
# cargo unpacks the packaged crates into its registry cache (under a
# directory named for the local overlay, starting with `-`) and reuses a
# copy it finds there even when the package has changed since, so a second
# run would check the first run's sources: drop our crates' copies.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/freestand-*
cargo publish --quiet --dry-run --allow-dirty --workspace --exclude freestand-examples

# The examples package has no tests of its own; `cargo test` would build
# its freestanding examples with panic=unwind, which no_std binaries cannot
# use. e2e's test programs are examples too, built only with its `programs`
# feature, so `cargo test` builds just its harness: e2e/tests/platforms
# builds both packages' programs properly and runs them.
echo "== cargo test"
cargo test --workspace --exclude freestand-examples 2>&1 | tee target/test.log
# The platforms harness prints one line per platform; each must have run.
for p in native-x86_64 qemu-x86_64 qemu-riscv64 qemu-aarch64; do
    grep -Eq "^platform $p: [1-9][0-9]* passed, 0 failed$" target/test.log || {
        echo "scripts/test.sh: the $p tests did not all run and pass" >&2
        exit 1
    }
done
echo "== all platforms passed"
