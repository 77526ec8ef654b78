#!/usr/bin/env python3
"""boottime.py — the boot in wall-clock and guest time, against the floor
that QEMU and OpenSBI set before any kernel runs.

Usage:
  bench/boottime.py [--runs N] [KERNEL...]      (default: kernel-rv)

Boots each KERNEL under the judge's QEMU command line (docs/judge.md: -m 1G,
an 8 MiB disk, a network card, no -append), N times (default 5), the
kernels alternated boot by boot, together with the *floor*: a kernel of
three instructions that prints one character through SBI and powers off
(assembled here from FLOOR). For each boot the host notes when QEMU was
started and when a console line arrived; the kernel's own boot: line adds
the guest's clock (rdtime, zero at the machine's reset):

  floor: QEMU start -> the floor's character     QEMU's start-up + OpenSBI
  QEMU start -> the first byte of OpenSBI's banner
  QEMU start -> Kite's "boot: first user instruction" line (printed just
                before it enters user mode)
  guest: reset -> kernel entry -> first user instruction

Prints the medians. On this shared host a boot's wall time follows the
load of the moment: compare kernels only within one run (the boots are
alternated for that), and prefer bench/bootprof.py's instruction counts
for small changes.
"""
import os, re, signal, statistics, subprocess, sys, tempfile, time

from common import TOP, judge_qemu

FLOOR = """
  .globl _start
_start:                  /* OpenSBI enters here, at 0x80200000 */
  li a7, 1               /* legacy console_putchar */
  li a0, 'K'
  ecall
  li a7, 0x53525354      /* SRST: system_reset(shutdown, no reason) */
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
"""

BOOT_LINE = re.compile(rb"boot: first user instruction at (\d+)\.(\d+) s after reset "
                       rb"\(kernel entered at (\d+)\.(\d+) s\)")


def build_floor(where):
    src, elf = os.path.join(where, "floor.S"), os.path.join(where, "floor.elf")
    with open(src, "w") as f:
        f.write(FLOOR)
    subprocess.run(["riscv64-linux-gnu-gcc", "-nostdlib", "-static", "-Wl,-Ttext=0x80200000",
                    "-Wl,-N", "-Wl,--build-id=none", "-o", elf, src], check=True,
                   stderr=subprocess.DEVNULL)
    return elf


def boot_once(kernel, disk, floor):
    """One boot: {measure: seconds}, or None if it did not get there."""
    t0 = time.time()
    p = subprocess.Popen(judge_qemu(kernel, disk), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, got = b"", {}
    while time.time() < t0 + 120:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        now = time.time() - t0
        out += chunk
        if "banner" not in got and b"OpenSBI" in out:
            got["banner"] = now
        if floor and b"MEDELEG" in out and out.rstrip().endswith(b"K"):
            got["kernel"] = now
            break
        line = re.search(rb"boot: first user instruction at [^\n]*\n", out)
        if line and not floor:
            got["user"] = now
            m = BOOT_LINE.search(line.group(0))   # (older kernels: without the guest times)
            if m:
                got["guest_user"] = int(m.group(1)) + int(m.group(2)) / 1e6
                got["guest_entry"] = int(m.group(3)) + int(m.group(4)) / 1e6
            break
    os.kill(p.pid, signal.SIGKILL)    # not p.kill(): it may reap QEMU first, and
    _, status, ru = os.wait4(p.pid, 0)  # wait4 is what gives QEMU's CPU time
    p.returncode = status
    got["cpu"] = ru.ru_utime + ru.ru_stime
    return got if ("kernel" in got or "user" in got) else None


def main():
    args = sys.argv[1:]
    runs = 5
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    kernels = args or [os.path.join(TOP, "kernel-rv")]
    tmp = tempfile.mkdtemp(prefix="boottime.")
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(8 << 20)
    floor = build_floor(tmp)
    results = {k: [] for k in ["floor"] + kernels}
    for _ in range(runs):
        for k in results:
            r = boot_once(floor if k == "floor" else k, disk, k == "floor")
            if r:
                results[k].append(r)
    subprocess.run(["rm", "-rf", tmp])

    def med(k, key):
        vals = [r[key] for r in results[k] if key in r]
        return statistics.median(vals) * 1000 if vals else float("nan")

    load = os.getloadavg()[0]
    print(f"judge's command line, medians of {runs} alternated boots, load average {load:.1f}; ms")
    print(f"{'kernel':40} {'banner':>7} {'entry':>7} {'user':>7} {'QEMU CPU':>9}"
          f"   {'guest: entry':>12} {'user':>7}")
    print(f"{'floor (print one character, power off)':40} {med('floor', 'banner'):7.1f} "
          f"{med('floor', 'kernel'):7.1f} {'':7} {med('floor', 'cpu'):9.1f}")
    for k in kernels:
        print(f"{os.path.relpath(k, TOP)[-40:]:40} {med(k, 'banner'):7.1f} {'':7} {med(k, 'user'):7.1f}"
              f" {med(k, 'cpu'):9.1f}   {med(k, 'guest_entry'):12.1f} {med(k, 'guest_user'):7.1f}")
    print("banner: QEMU start to OpenSBI's first line; entry: to the floor kernel's character;"
          "\nuser: to Kite's boot: line (its first user instruction); QEMU CPU: the CPU time\n"
          "QEMU used until then (user + system, all its threads: less sensitive to the load\n"
          "than wall time); guest: the kernel's rdtime, from the machine's reset.")


if __name__ == "__main__":
    main()
