#!/usr/bin/env bash
# How start-up cost grows with the environment: user-mode instructions
# (valgrind's callgrind, total Ir) from exec to exit of release `hello`,
# which never reads the environment, and of `probe argsize`, which walks
# all of it once, with 0 to 100,000 entries of the form E<i>=1.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/toolchain.sh
command -v valgrind >/dev/null || { echo "scripts/env-scaling.sh: valgrind is missing; run: apt-get install -y valgrind" >&2; exit 1; }
# probe is a test program of e2e/ (e2e/programs/probe.rs).
cargo build --quiet --release -p freestand-examples -p freestand-e2e \
    --features freestand-e2e/programs --example hello --example probe
ir() { sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
printf '%8s %12s %16s\n' entries hello_Ir probe_argsize_Ir
for n in 0 25000 50000 100000; do
    envs=()
    [ "$n" -eq 0 ] || mapfile -t envs < <(seq 0 $((n - 1)) | sed 's/^/E/; s/$/=1/')
    h=$(env -i "${envs[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/hello 2>&1 >/dev/null | ir)
    p=$(env -i "${envs[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/probe argsize 2>&1 >/dev/null | ir)
    printf '%8s %12s %16s\n' "$n" "$h" "$p"
done
