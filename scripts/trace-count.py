#!/usr/bin/env python3
"""Counts the user-mode instructions a program executes from exec to exit by
single-stepping it with ptrace, and reads its peak resident memory (VmHWM)
just before it exits.

Unlike callgrind, it runs the program on the real kernel, so the program sees
the vDSO the kernel maps (valgrind hides it) and its calls into the vDSO are
counted too. Native only (x86_64 here): it traces the program itself.

With --profile it also prints, after that line, the instructions per
function (from the program's symbol table; "[vdso]" for the vDSO), most
first: where the count goes, on the real kernel.

Usage: scripts/trace-count.py [--rss-only | --profile] PROGRAM [ARG]...
Prints: "instructions N peak_rss_kib M exit_status S" (N is "-" with
--rss-only, which lets the program run at full speed); runs it with an
empty environment, as scripts/footprint.sh measures.
"""
import bisect
import collections
import ctypes
import os
import signal
import subprocess
import sys

PTRACE_TRACEME, PTRACE_CONT, PTRACE_SINGLESTEP = 0, 7, 9
PTRACE_SETOPTIONS = 0x4200
PTRACE_O_TRACEEXIT, PTRACE_O_EXITKILL = 0x40, 0x100000
PTRACE_EVENT_EXIT = 6

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def ptrace(req, pid, data=0):
    if libc.ptrace(req, pid, None, ctypes.c_void_p(data)) == -1:
        err = ctypes.get_errno()
        sys.exit(f"trace-count: ptrace({req}) failed: {os.strerror(err)}")


def read_maps(pid, path):
    """(start, end, load base, name) of the program's and the vDSO's
    executable mappings; the base is where the program's offset-0 mapping
    starts (its ELF header)."""
    out, base = [], 0
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5] if len(fields) > 5 else ""
            mine = os.path.realpath(path) == name
            if mine and int(fields[2], 16) == 0 and base == 0:
                base = lo
            if "x" in fields[1] and (name == "[vdso]" or mine):
                out.append((lo, hi, name))
    return [(lo, hi, base, name) for lo, hi, name in out]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    argv = sys.argv[1:]
    count, profile = True, False
    if argv[0] == "--rss-only":
        count, argv = False, argv[1:]
    elif argv[0] == "--profile":
        profile, argv = True, argv[1:]
    pid = os.fork()
    if pid == 0:
        ptrace(PTRACE_TRACEME, 0)
        try:
            os.execve(argv[0], argv, {})
        finally:
            os._exit(127)
    # First stop: the SIGTRAP after a successful execve, before the
    # program's first instruction.
    _, status = os.waitpid(pid, 0)
    if not os.WIFSTOPPED(status):
        sys.exit(f"trace-count: {argv[0]} did not start (status {status:#x})")
    ptrace(PTRACE_SETOPTIONS, pid, PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)
    steps, hwm, maps = 0, None, []
    regs = (ctypes.c_ulonglong * 27)()
    pcs = collections.Counter()
    while True:
        if profile:
            # PTRACE_GETREGS (12): user_regs_struct, rip is the 17th word.
            libc.ptrace(12, pid, None, ctypes.byref(regs))
            pcs[regs[16]] += 1
        ptrace(PTRACE_SINGLESTEP if count else PTRACE_CONT, pid)
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            break
        if status >> 8 == signal.SIGTRAP | (PTRACE_EVENT_EXIT << 8):
            maps = read_maps(pid, argv[0])
            # The exit event comes inside exit_group, after the last
            # instruction and while the address space still exists.
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
            ptrace(PTRACE_CONT, pid)
            _, status = os.waitpid(pid, 0)
            break
        sig = os.WSTOPSIG(status)
        if sig != signal.SIGTRAP:
            sys.exit(f"trace-count: {argv[0]} stopped by signal {sig}")
        steps += 1
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    steps = steps if count else "-"
    print(f"instructions {steps} peak_rss_kib {hwm} exit_status {code}")
    if profile:
        print_profile(argv[0], pcs, maps)


def print_profile(path, pcs, maps):
    """Instructions per function, attributing each pc through the maps of
    the traced process and the program's symbol table."""
    syms = []
    for line in subprocess.run(["nm", "-n", "--defined-only", "-C", path],
                               capture_output=True, text=True).stdout.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    starts = [a for a, _ in syms]
    # e_type: an ET_EXEC (2) runs where it was linked, so its symbols are
    # addresses already; a static-PIE (ET_DYN) is linked at 0.
    with open(path, "rb") as f:
        exec_type = int.from_bytes(f.read(18)[16:18], "little") == 2
    per = collections.Counter()
    for pc, n in pcs.items():
        name = "?"
        for lo, hi, base, what in maps:
            if lo <= pc < hi:
                if what == "[vdso]":
                    name = "[vdso]"
                elif starts:
                    # A static-PIE's addresses are offsets from its ELF
                    # header.
                    i = bisect.bisect_right(starts, pc if exec_type else pc - base) - 1
                    name = syms[i][1] if i >= 0 else "?"
                break
        per[name] += n
    for name, n in per.most_common():
        print(f"{n:8} {name}")


main()
