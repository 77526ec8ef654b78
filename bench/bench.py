#!/usr/bin/env python3
"""bench.py — run the same benchmark programs on Kite and on Linux, on the
same QEMU, and print both with their ratio.

Usage: bench/run.sh [micro|boot|all|lmbench]   (default: all)
boot: only the boot row (the guest's script prints BENCH-START and ends).
lmbench: OSComp's lmbench list with Debian's programs (bench/lmbench.py).
LMBENCH_ROWS="page fault,mmap read": only the lmbench rows whose name contains one of the words.
BENCH_BASELINE=<git revision>: also build Kite as it was at that revision
(a detached worktree under build/bench/) and boot it in the same rotation,
so a refactoring can show it changed no figure ("Kite/base" column).

Kite is built with the benchmark programs in its initramfs (EXTRA) and
booted with init=/bench/init.sh; Linux (Debian's linux-source-6.1, built by
scripts/build-linux-ref.sh) boots an initramfs with the same busybox and the
same programs. Every QEMU command line is printed. Numbers vary 10-30 % run
to run on TCG: compare within one run.
"""
import os, shutil, statistics, subprocess, sys

from common import TOP, sh, read_make_vars, boot, parse_bench_lines
import lmbench

BUILD = os.path.join(TOP, "build", "bench")
QEMU_BASE = ["qemu-system-riscv64", "-machine", "virt", "-m", "1G", "-nographic", "-smp", "1",
             "-bios", "default", "-no-reboot"]


def third_party():
    return read_make_vars(os.path.join(TOP, "build", "third-party.mk"))


def build_programs(tp):
    os.makedirs(BUILD, exist_ok=True)
    cc = os.path.join(tp["MUSL_DIR"], "bin", "musl-gcc")
    sh(f"{cc} -static -O2 -o {BUILD}/kbench {TOP}/bench/src/kbench.c")


INIT = """#!/bin/sh
echo BENCH-START
/bench/kbench
echo BENCH-END
"""


# The boot mode: nothing but the boot (QEMU start to BENCH-START).
BOOT_INIT = """#!/bin/sh
echo BENCH-START
echo BENCH-END
"""


# The lmbench mode: the programs in /lmb, their libraries in /lib, the
# command list in /lmb/run.sh (bench/lmbench.py).
LMB_INIT = """#!/bin/sh
echo BENCH-START
/bin/sh /lmb/run.sh
echo BENCH-END
"""


def stage_payload(dest, mode):
    """The benchmark files both systems get, under dest; returns the guest script."""
    os.makedirs(os.path.join(dest, "bench"), exist_ok=True)
    if mode == "boot":
        return BOOT_INIT
    if mode == "lmbench":
        lmbench.stage(dest)
        with open(os.path.join(dest, "lmb", "run.sh"), "w") as f:
            f.write(lmbench.guest_script())
        return LMB_INIT
    shutil.copy(os.path.join(BUILD, "kbench"), os.path.join(dest, "bench", "kbench"))
    return INIT


def build_kite(tp, mode, src=TOP, name="kite"):
    extra = os.path.join(BUILD, "kite-extra")
    shutil.rmtree(extra, ignore_errors=True)
    init = stage_payload(extra, mode)
    with open(os.path.join(extra, "bench", "init.sh"), "w") as f:
        f.write(init)
    os.chmod(os.path.join(extra, "bench", "init.sh"), 0o755)
    kbuild = os.path.join(BUILD, name)
    kernel = os.path.join(kbuild, "kernel-rv")
    sh(f"make -s -C {src} BUILD={kbuild} KERNEL_OUT={kernel} EXTRA={extra} all")
    return QEMU_BASE + ["-kernel", kernel, "-append", "init=/bench/init.sh"]


def build_linux(tp, mode):
    image = subprocess.run([os.path.join(TOP, "scripts", "build-linux-ref.sh")], check=True,
                           text=True, stdout=subprocess.PIPE).stdout.strip()
    root = os.path.join(BUILD, "linux-root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "bench"]:
        os.makedirs(os.path.join(root, d))
    shutil.copy(tp["BUSYBOX_BIN"], os.path.join(root, "bin", "busybox"))
    for applet in ["sh", "true", "mount", "poweroff", "cat", "echo", "mkdir", "touch", "rm", "cp"]:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    init = stage_payload(root, mode)
    with open(os.path.join(root, "init"), "w") as f:
        f.write("#!/bin/sh\nmount -t proc proc /proc\nmount -t devtmpfs dev /dev 2>/dev/null\n"
                + init.split("\n", 1)[1] + "poweroff -f\n")
    os.chmod(os.path.join(root, "init"), 0o755)
    cpio = os.path.join(BUILD, "linux-initramfs.cpio.gz")
    sh(f"cd {root} && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > {cpio}")
    return QEMU_BASE + ["-kernel", image, "-initrd", cpio, "-append", "console=ttyS0 quiet rdinit=/init"]



def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    tp = third_party()
    build_programs(tp)
    systems = {"Kite": build_kite(tp, what), "Linux": build_linux(tp, what)}
    base = os.environ.get("BENCH_BASELINE")
    if base:
        # Kite at an older revision, from a worktree of our own repository.
        src = os.path.join(BUILD, "baseline-src")
        sh(f"git -C {TOP} worktree remove --force {src} 2>/dev/null || rm -rf {src}; "
           f"git -C {TOP} worktree prune; git -C {TOP} worktree add -q --detach {src} {base}")
        systems["Kite@base"] = build_kite(tp, what, src=src, name="kite-base")
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    if what == "lmbench":
        for name, cmd in systems.items():
            print(f"{name}: {' '.join(cmd)}", flush=True)
        lmbench.run(systems, runs)
        return
    boots = {k: [] for k in systems}
    results = {k: [] for k in systems}
    for name, cmd in systems.items():
        print(f"{name}: {' '.join(cmd)}", flush=True)
    for i in range(runs):
        for name, cmd in systems.items():
            t, text = boot(cmd, timeout=600)
            if t is None:
                print(f"{name}: run {i + 1} did not start the benchmark; console tail:\n{text[-1500:]}")
                continue
            boots[name].append(t)
            results[name].append(parse_bench_lines(text))
    print()
    has_base = "Kite@base" in systems
    print(f"{'measurement':28} {'Kite':>14} {'Linux':>14} {'Linux/Kite':>11}"
          + (f" {'Kite@base':>14} {'base/Kite':>10}" if has_base else ""))
    def row(label, k, l, unit, b=None):
        ratio = l / k if k else float("nan")
        line = f"{label:28} {k:11.3f} {unit:2} {l:11.3f} {unit:2} {ratio:10.2f}x"
        if b is not None:
            line += f" {b:11.3f} {unit:2} {b / k if k else float('nan'):9.2f}x"
        print(line)
    def median_of(name, key=None):
        if key is None:
            vals = boots.get(name, [])
        else:
            vals = [r[key][0] for r in results.get(name, []) if key in r]
        return statistics.median(vals) if vals else None
    if boots["Kite"] and boots["Linux"]:
        row("boot: QEMU start to /init", median_of("Kite"), median_of("Linux"), "s",
            median_of("Kite@base") if has_base else None)
    if what in ("all", "micro") and results["Kite"] and results["Linux"]:
        names = list(results["Kite"][0].keys())
        for n in names:
            k, l = median_of("Kite", n), median_of("Linux", n)
            if k is not None and l is not None:
                row(n, k, l, results["Kite"][0][n][1],
                    median_of("Kite@base", n) if has_base else None)
    print("\n(medians of %d boots; ratio > 1 means Kite is faster)" % runs)


if __name__ == "__main__":
    main()
