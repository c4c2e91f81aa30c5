#!/usr/bin/env python3
"""Counts the user-mode instructions a program executes from exec to exit by
single-stepping it with ptrace, and reads its peak resident memory (VmHWM)
just before it exits.

Unlike callgrind, it runs the program on the real kernel, so the program sees
the vDSO the kernel maps (valgrind hides it) and its calls into the vDSO are
counted too. Native only (x86_64 here): it traces the program itself.

Usage: scripts/trace-count.py [--rss-only] PROGRAM [ARG]...
Prints: "instructions N peak_rss_kib M exit_status S" (N is "-" with
--rss-only, which lets the program run at full speed); runs it with an
empty environment, as scripts/footprint.sh measures.
"""
import ctypes
import os
import signal
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


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    argv = sys.argv[1:]
    count = True
    if argv[0] == "--rss-only":
        count, argv = False, argv[1:]
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
    steps, hwm = 0, None
    while True:
        ptrace(PTRACE_SINGLESTEP if count else PTRACE_CONT, pid)
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            break
        if status >> 8 == signal.SIGTRAP | (PTRACE_EVENT_EXIT << 8):
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


main()
