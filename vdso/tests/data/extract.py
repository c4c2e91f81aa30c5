#!/usr/bin/env python3
"""Regenerate the real vDSO fixtures in this directory.

qemu-user embeds each guest vDSO image in its binary as a byte array (built
from linux-user/<arch>/vdso*.so, linked at address 0). This script finds
every ELF header in a qemu-user binary, keeps the shared objects whose
e_machine is the guest's, and cuts each one out: its length is the end of
the furthest PT_LOAD segment or of the section header table, whichever is
later. It also dumps the host's own vDSO from /proc/self/mem.

Usage: python3 extract.py [--host]   (run from anywhere; writes next to itself)
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (fixture name, qemu binary, e_machine, which match when there are several)
QEMU = [
    ("qemu-aarch64.so", "qemu-aarch64", 183, 0),
    ("qemu-aarch64_be.so", "qemu-aarch64_be", 183, 0),
    ("qemu-riscv64.so", "qemu-riscv64", 243, 0),
    ("qemu-riscv32.so", "qemu-riscv32", 243, 0),
    ("qemu-x86_64.so", "qemu-x86_64", 62, 0),
    ("qemu-i386.so", "qemu-i386", 3, 0),
    ("qemu-arm.so", "qemu-arm", 40, 0),
    ("qemu-armeb.so", "qemu-armeb", 40, 0),  # BE32; match 1 is BE8
    ("qemu-s390x.so", "qemu-s390x", 22, 0),
    ("qemu-ppc64.so", "qemu-ppc64", 21, 0),
    ("qemu-ppc64le.so", "qemu-ppc64le", 21, 0),
    ("qemu-ppc.so", "qemu-ppc", 20, 0),
    ("qemu-hppa.so", "qemu-hppa", 15, 0),
    ("qemu-loongarch64.so", "qemu-loongarch64", 258, 0),
]


def images(blob, machine):
    """Yield (offset, bytes) of each ET_DYN image for `machine` in `blob`."""
    i = 0
    while True:
        i = blob.find(b"\x7fELF", i + 1)
        if i < 0:
            return
        cls, data, version = blob[i + 4], blob[i + 5], blob[i + 6]
        if cls not in (1, 2) or data not in (1, 2) or version != 1:
            continue
        e = "<" if data == 1 else ">"
        if cls == 2:
            e_type, e_machine = struct.unpack_from(e + "HH", blob, i + 16)
            phoff, shoff = struct.unpack_from(e + "QQ", blob, i + 32)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", blob, i + 54)
            phfmt, want_phentsize = e + "IIQQQQQQ", 56
        else:
            e_type, e_machine = struct.unpack_from(e + "HH", blob, i + 16)
            phoff, shoff = struct.unpack_from(e + "II", blob, i + 28)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(e + "HHHH", blob, i + 42)
            phfmt, want_phentsize = e + "IIIIIIII", 32
        if e_type != 3 or e_machine != machine or phentsize != want_phentsize:
            continue
        end = shoff + shnum * shentsize
        has_dynamic = False
        for k in range(phnum):
            fields = struct.unpack_from(phfmt, blob, i + phoff + k * phentsize)
            if cls == 2:
                p_type, _, p_offset, _, _, p_filesz, _, _ = fields
            else:
                p_type, p_offset, _, _, p_filesz, _, _, _ = fields
            if p_type == 1:
                end = max(end, p_offset + p_filesz)
            has_dynamic |= p_type == 2
        if has_dynamic:
            yield i, blob[i : i + end]


def dump_host(path):
    """Copy this process's [vdso] mapping to `path`."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            if line.rstrip().endswith("[vdso]"):
                start, end = (int(x, 16) for x in line.split()[0].split("-"))
                with open("/proc/self/mem", "rb") as mem:
                    mem.seek(start)
                    data = mem.read(end - start)
                with open(path, "wb") as out:
                    out.write(data)
                print(f"{os.path.basename(path)}: {len(data)} bytes from [vdso] at {start:#x}")
                return
    sys.exit("no [vdso] in /proc/self/maps")


def main():
    for name, binary, machine, which in QEMU:
        path = "/usr/bin/" + binary
        with open(path, "rb") as f:
            blob = f.read()
        found = list(images(blob, machine))
        if len(found) <= which:
            sys.exit(f"{path}: no vDSO image for e_machine {machine}")
        off, image = found[which]
        with open(os.path.join(HERE, name), "wb") as out:
            out.write(image)
        print(f"{name}: {len(image)} bytes at {off:#x} in {path}")
    if "--host" in sys.argv:
        dump_host(os.path.join(HERE, f"host-{os.uname().machine}.so"))


if __name__ == "__main__":
    main()
