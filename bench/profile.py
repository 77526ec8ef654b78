#!/usr/bin/env python3
"""profile.py — where Kite's kernel spends its time under a workload, from
the kernel's own sampling profiler (/proc/kite/profile, kern/profile.c;
docs/performance.md shows it step by step).

Usage:
  bench/profile.py run [--smp N] [--repeat K] [kbench names...]
        build Kite with kbench, boot it (on N harts, default 1), run
        `kbench names` (all of kbench if none; K times in a row, default 1,
        for more samples of a short loop) with the profiler on, print the
        profile by function (the raw file goes to build/bench/profile.txt)
  bench/profile.py show FILE [ELF]          fold a saved /proc/kite/profile
        (ELF: the kernel with symbols, default build/kernel.elf)

The kernel prints exact PCs ("count pc" lines); this script names them
with addr2line (the innermost inlined function and its source line) and
adds them up per function.
"""
import collections, os, re, subprocess, sys

from common import TOP, sh, boot

BUILD = os.path.join(TOP, "build", "bench")
ADDR2LINE = "riscv64-linux-gnu-addr2line"


def parse(text):
    """Profile text -> (header dict, [(count, pc)])."""
    head, rows = {}, []
    for line in text.splitlines():
        m = re.match(r"# samples (\d+) kernel (\d+) user (\d+) idle (\d+) dropped (\d+)", line)
        if m:
            head = dict(zip(["samples", "kernel", "user", "idle", "dropped"], map(int, m.groups())))
        m = re.match(r"(\d+) ([0-9a-f]{16})$", line.strip())
        if m:
            rows.append((int(m.group(1)), int(m.group(2), 16)))
    return head, rows


def show(text, elf, top=25):
    head, rows = parse(text)
    if not head:
        sys.exit("no '# samples' header: not a /proc/kite/profile text")
    # one name and one source line per address: the innermost inlined function
    out = subprocess.run([ADDR2LINE, "-f", "-e", elf] + [hex(pc) for _, pc in rows],
                         capture_output=True, text=True).stdout.split("\n")
    names = out[0::2]
    lines = [os.path.relpath(l, TOP) if l.startswith("/") else l for l in out[1::2]]
    total = head["samples"] or 1
    print("samples %(samples)d: kernel %(kernel)d, user %(user)d, idle %(idle)d, "
          "dropped %(dropped)d" % head)
    print("kernel %.1f %%, user %.1f %%, idle %.1f %%\n" %
          (100 * head["kernel"] / total, 100 * head["user"] / total, 100 * head["idle"] / total))
    by_fn = collections.Counter()
    for (n, _), fn in zip(rows, names):
        by_fn[fn] += n
    kernel = head["kernel"] or 1
    print(f"{'function':40} {'samples':>8} {'% kernel':>9}")
    for fn, n in by_fn.most_common(top):
        print(f"{fn:40} {n:8} {100 * n / kernel:8.1f}%")
    print(f"\n{'hottest PCs':40} {'samples':>8}  source")
    for (n, pc), fn, src in list(zip(rows, names, lines))[:top]:
        print(f"{pc:#x} {fn:21} {n:8}  {src}")


INIT = """#!/bin/sh
echo BENCH-START
echo 1 > /proc/kite/profile
i=0
while [ $i -lt %d ]; do /bench/kbench %s; i=$((i + 1)); done
echo 0 > /proc/kite/profile
echo PROFILE-BEGIN
cat /proc/kite/profile
echo PROFILE-END
echo BENCH-END
"""


def run(args):
    import bench
    smp, repeat = 1, 1
    while args and args[0] in ("--smp", "--repeat"):
        opt, val = args[0], int(args[1])
        args = args[2:]
        if opt == "--smp":
            smp = val
        else:
            repeat = val
    names = args
    tp = bench.third_party()
    bench.build_programs(tp)
    extra = os.path.join(BUILD, "profile-extra")
    sh(f"rm -rf {extra} && mkdir -p {extra}/bench && cp {BUILD}/kbench {extra}/bench/")
    with open(os.path.join(extra, "bench", "init.sh"), "w") as f:
        f.write(INIT % (repeat, " ".join(names)))
    os.chmod(os.path.join(extra, "bench", "init.sh"), 0o755)
    kbuild = os.path.join(BUILD, "kite-profile")
    kernel = os.path.join(kbuild, "kernel-rv")
    sh(f"make -s -C {TOP} BUILD={kbuild} KERNEL_OUT={kernel} EXTRA={extra} all")
    cmd = bench.QEMU_BASE + ["-kernel", kernel, "-append", "init=/bench/init.sh"]
    at = cmd.index("-smp")
    cmd[at + 1] = str(smp)
    print(" ".join(cmd), flush=True)
    _, text = boot(cmd, timeout=900)
    for line in text.splitlines():
        if line.startswith("BENCH "):
            print(line)
    m = re.search(r"PROFILE-BEGIN\n(.*)PROFILE-END", text, re.S)
    if not m:
        sys.exit("no profile in the console output:\n" + text[-1500:])
    path = os.path.join(BUILD, "profile.txt")
    with open(path, "w") as f:
        f.write(m.group(1))
    print(f"(raw profile: {path})\n")
    show(m.group(1), os.path.join(kbuild, "kernel.elf"))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "run":
        run(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "show":
        elf = sys.argv[3] if len(sys.argv) > 3 else os.path.join(TOP, "build", "kernel.elf")
        show(open(sys.argv[2]).read(), elf)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
