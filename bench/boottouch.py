#!/usr/bin/env python3
"""boottouch.py — which 2 MiB chunks of guest RAM the boot has touched by
its first user instruction.

Usage:
  bench/boottouch.py [KERNEL...]      (default: kernel-rv)

QEMU backs guest RAM with anonymous memory that it asks to be transparent
huge pages: the first store to a 2 MiB chunk makes the host find and zero
one — 1 ms on a quiet host, tens of ms when it must compact memory first
(docs/boot.md). Boots each KERNEL under the judge's QEMU command line
(docs/judge.md), stops QEMU (SIGSTOP) when Kite prints its "boot: first
user instruction" line, and reads /proc/<pid>/pagemap over QEMU's guest
RAM mapping: prints the guest-physical chunks that have any page present
(RAM starts at 0x80000000 on QEMU virt) and how many.
"""
import os, re, signal, struct, subprocess, sys, tempfile

from common import TOP, judge_qemu

RAM_BASE = 0x80000000
RAM_SIZE = 1 << 30      # -m 1G
CHUNK = 2 << 20


def touched(kernel, disk):
    """The guest-physical 2 MiB chunks present at the first user instruction."""
    p = subprocess.Popen(judge_qemu(kernel, disk), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    while not re.search(rb"boot: first user instruction[^\n]*\n", out):
        chunk = p.stdout.read1(4096)
        if not chunk:
            raise SystemExit(f"{kernel}: no boot: line\n{out.decode(errors='replace')}")
        out += chunk
    os.kill(p.pid, signal.SIGSTOP)
    try:
        ram = None   # the guest RAM: the anonymous mapping of exactly -m bytes
        for line in open(f"/proc/{p.pid}/maps"):
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            if hi - lo == RAM_SIZE:
                ram = lo
        if ram is None:
            raise SystemExit("no guest RAM mapping of 1 GiB in QEMU's maps")
        chunks = []
        with open(f"/proc/{p.pid}/pagemap", "rb") as pm:
            for off in range(0, RAM_SIZE, CHUNK):
                pm.seek((ram + off) // 4096 * 8)
                entries = struct.unpack(f"{CHUNK // 4096}Q", pm.read(CHUNK // 4096 * 8))
                if any(e >> 63 for e in entries):   # bit 63: page present
                    chunks.append(RAM_BASE + off)
        return chunks
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()


def main():
    kernels = sys.argv[1:] or [os.path.join(TOP, "kernel-rv")]
    with tempfile.TemporaryDirectory(prefix="boottouch.") as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(8 << 20)
        for k in kernels:
            chunks = touched(k, disk)
            print(f"{os.path.relpath(k, TOP)}: {len(chunks)} chunks of 2 MiB: "
                  + " ".join(f"{c:#x}" for c in chunks))


if __name__ == "__main__":
    main()
