# The part the comparison benchmarks share (sourced by heap-bench.sh and
# thread-bench.sh): run every workload on every program, round after
# round, and the header of the report.
#
# The caller sets:
#   sides   the programs' names, in the order of the first round;
#   bin     an associative array from each name to its binary;
#   rounds  how many rounds; quick  (--quick) or ().

# Runs the rounds and appends `SIDE NAME NS [RSS]` lines to the file $1.
# Each workload runs in a process of its own; each round runs every
# workload on all the programs one after the other, in an order that
# rotates from round to round, so that they see the same machine state.
bench_rounds() {
    local out=$1 n=${#sides[@]} round w k side
    local workloads
    # The workloads, as the programs list them (the usage message), in order.
    mapfile -t workloads < <("${bin[${sides[0]}]}" 2>&1 | awk '/^  / && $1 != "all" { print $1 }')
    echo "# $rounds rounds of ${#workloads[@]} workloads on $n programs" >&2
    for ((round = 0; round < rounds; round++)); do
        for w in "${workloads[@]}"; do
            for ((k = 0; k < n; k++)); do
                side=${sides[(round + k) % n]}
                # A failed check or a crash stops the script here (set -e).
                "${bin[$side]}" "$w" "${quick[@]}" | sed "s/^/$side /" >>"$out"
            done
        done
    done
}

# Prints the report's first two lines: the commit and compiler, then the C
# library ($1 says more about it, may be empty), kernel and CPU.
bench_header() {
    # No `| head` here: under pipefail, the writer's SIGPIPE would stop
    # the script.
    local glibc cpu
    glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null || true)
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    echo "# freestand $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- rt && echo "" || echo " (rt/ modified)"), $(rustc --version)"
    echo "# ${glibc:-glibc: unknown version}${1:+; $1}; $(uname -sr), $(nproc) CPUs, ${cpu:-unknown CPU}"
}
