#!/usr/bin/env python3
"""smp.py — Kite on several harts, beside the reference Linux on the same QEMU.

Usage: bench/run.sh smp [scaling|micro|iperf|all] [runs]   (default: all, 2 boots each)

  scaling  bench/src/smpbench.c at -smp 1, 2 and 4 on Kite and on Linux: the
           speed-up of N independent CPU-bound processes and of one threaded
           program (N = harts), and how busy each hart was.
  micro    bench/src/kbench.c (the system-call micro benchmarks of bench.py)
           on Kite and on Linux at -smp 1 and -smp 4: a system call must not
           get slower because other harts exist.
  iperf    bench/net.py's iperf3 runs over 127.0.0.1 (plain, -u, -P 5, -u -P 5,
           -R, -u -R) on Kite and on Linux at -smp 1 and -smp 4: lwIP has one
           owner (net_lock), so more harts must not make it slower.

This host has 2 cores, shared with whatever else runs: at -smp 4 four harts
share them, so the ceiling of a speed-up is about 2 and Linux's figure is
the bar. Boots of Kite and Linux alternate, so both see the same load; the
tables give medians. Every QEMU command line is printed.
"""
import os, shutil, statistics, subprocess, sys

from common import TOP, sh, read_make_vars, boot, parse_bench_lines

BUILD = os.path.join(TOP, "build", "bench-smp")
SCRIPT = """#!/bin/sh
# Linux's initramfs has neither; Kite mounts both before init (and a
# second devtmpfs on Kite would be an empty one).
[ -e /proc/stat ] || mount -t proc proc /proc
[ -e /dev/null ] || mount -t devtmpfs dev /dev
echo BENCH-START
%s
echo BENCH-END
poweroff -f 2>/dev/null
"""
PROGRAMS = {"scaling": "/bench/smpbench", "micro": "/bench/kbench"}


def qemu(smp):
    return ["qemu-system-riscv64", "-machine", "virt", "-m", "1G", "-nographic", "-smp", str(smp),
            "-bios", "default", "-no-reboot"]


def stage(dirname, tp):
    """bench/ with the two programs and one script per benchmark, under dirname."""
    d = os.path.join(dirname, "bench")
    os.makedirs(d, exist_ok=True)
    cc = os.path.join(tp["MUSL_DIR"], "bin", "musl-gcc")
    sh(f"{cc} -static -O2 -o {d}/smpbench {TOP}/bench/src/smpbench.c -lpthread")
    sh(f"{cc} -static -O2 -o {d}/kbench {TOP}/bench/src/kbench.c")
    for name, prog in PROGRAMS.items():
        path = os.path.join(d, name + ".sh")
        with open(path, "w") as f:
            f.write(SCRIPT % prog)
        os.chmod(path, 0o755)


def build_kite(tp):
    extra = os.path.join(BUILD, "kite-extra")
    shutil.rmtree(extra, ignore_errors=True)
    stage(extra, tp)
    kbuild = os.path.join(BUILD, "kite")
    kernel = os.path.join(kbuild, "kernel-rv")
    sh(f"make -s -C {TOP} BUILD={kbuild} KERNEL_OUT={kernel} EXTRA={extra} all")
    return lambda smp, what: qemu(smp) + ["-kernel", kernel, "-append", f"init=/bench/{what}.sh"]


def build_linux(tp):
    image = subprocess.run([os.path.join(TOP, "scripts", "build-linux-ref.sh")], check=True,
                           text=True, stdout=subprocess.PIPE).stdout.strip()
    root = os.path.join(BUILD, "linux-root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp"]:
        os.makedirs(os.path.join(root, d))
    shutil.copy(tp["BUSYBOX_BIN"], os.path.join(root, "bin", "busybox"))
    for applet in ["sh", "true", "mount", "poweroff", "cat", "echo"]:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    stage(root, tp)
    cpio = os.path.join(BUILD, "linux-initramfs.cpio.gz")
    sh(f"cd {root} && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > {cpio}")
    return lambda smp, what: qemu(smp) + ["-kernel", image, "-initrd", cpio, "-append",
                                          f"console=ttyS0 quiet rdinit=/bench/{what}.sh"]


def collect(systems, what, smps, runs):
    """{system: {smp: [results of each boot]}}, boots of the systems alternating."""
    res = {name: {s: [] for s in smps} for name in systems}
    for smp in smps:
        for name, cmd in systems.items():
            print(f"{name} -smp {smp}: {' '.join(cmd(smp, what))}", flush=True)
        for i in range(runs):
            for name, cmd in systems.items():
                t, text = boot(cmd(smp, what), timeout=900)
                vals = parse_bench_lines(text)
                if t is None or not vals:
                    print(f"{name} -smp {smp}: run {i + 1} gave no results; console tail:\n{text[-1500:]}")
                    continue
                res[name][smp].append(vals)
    return res


def med(runs, key):
    v = [r[key][0] for r in runs if key in r]
    return statistics.median(v) if v else float("nan")


def scaling(systems, runs):
    smps = [1, 2, 4]
    res = collect(systems, "scaling", smps, runs)
    print()
    head = "".join(f"{'-smp ' + str(s):>9}" for s in smps)
    print(f"{'scaling (median of %d boots)' % runs:34}{'Kite':^27}   {'Linux':^27}")
    print(f"{'':34}{head}   {head}")
    rows = [("N independent processes, speed-up", "procs_speedup", "x"),
            ("  one process alone (s)", "procs_1", "s"),
            ("  N processes at once (s)", "procs_N", "s"),
            ("one threaded program, speed-up", "threads_speedup", "x"),
            ("  1 thread (s)", "threads_1", "s"),
            ("  N threads (s)", "threads_N", "s")]
    for label, key, unit in rows:
        cells = []
        for name in ("Kite", "Linux"):
            cells.append("".join(f"{med(res[name][s], key):9.2f}" for s in smps))
        print(f"{label:34}{cells[0]}   {cells[1]}")
    for name in ("Kite", "Linux"):
        for s in smps:
            busy = [f"{med(res[name][s], f'busy_cpu{k}'):.0f}%" for k in range(s)
                    if any(f"busy_cpu{k}" in r for r in res[name][s])]
            print(f"{name} -smp {s}: harts busy while the N processes ran: {' '.join(busy)}")


def micro(systems, runs):
    smps = [1, 4]
    res = collect(systems, "micro", smps, runs)
    print()
    print(f"{'micro (median of %d boots)' % runs:24}{'Kite -smp 1':>14}{'Kite -smp 4':>14}{'4/1':>7}"
          f"{'Linux -smp 1':>15}{'Linux -smp 4':>15}{'4/1':>7}")
    first = res["Kite"][1][0] if res["Kite"][1] else {}
    for key in first:
        unit = first[key][1]
        k1, k4 = med(res["Kite"][1], key), med(res["Kite"][4], key)
        l1, l4 = med(res["Linux"][1], key), med(res["Linux"][4], key)
        print(f"{key:24}{k1:11.3f} {unit:2}{k4:11.3f} {unit:2}{k4 / k1:7.2f}"
              f"{l1:12.3f} {unit:2}{l4:12.3f} {unit:2}{l4 / l1:7.2f}")
    print("(times per operation: a 4/1 ratio above 1 means slower with 4 harts)")


def iperf(runs):
    import net
    os.makedirs(net.WORK, exist_ok=True)
    kernel, cpio, image = net.build(net.third_party())
    smps = [1, 4]
    res = {(name, s): [] for name in ("Kite", "Linux") for s in smps}
    for s in smps:
        for i in range(runs):
            for name in ("Kite", "Linux"):
                port = net.free_port()
                cmd = net.qemu_cmd(name, kernel, cpio, image, port, 0, 0, s, True)
                print(f"{name} -smp {s} run {i + 1}: {' '.join(cmd)}", flush=True)
                r, text = net.boot_and_measure(cmd, port, timeout=900)
                if "BENCH-END" not in text or "BENCH-ERROR" in text:
                    print(f"{name} -smp {s}: run {i + 1} incomplete; console tail:\n{text[-1500:]}")
                if r:
                    res[(name, s)].append(r)
    print()
    print(f"{'iperf3 over lo, Mbit/s (median of %d)' % runs:38}{'Kite -smp 1':>12}{'Kite -smp 4':>12}"
          f"{'4/1':>6}{'Linux -smp 1':>13}{'Linux -smp 4':>13}{'4/1':>6}")
    for key, label in net.ROWS:
        v = {}
        for k in res:
            got = [r[key] for r in res[k] if key in r]
            v[k] = statistics.median(got) if got else float("nan")
        print(f"{label:38}{v['Kite', 1]:12.1f}{v['Kite', 4]:12.1f}{v['Kite', 4] / v['Kite', 1]:6.2f}"
              f"{v['Linux', 1]:13.1f}{v['Linux', 4]:13.1f}{v['Linux', 4] / v['Linux', 1]:6.2f}")
    print("(throughput: a 4/1 ratio below 1 means slower with 4 harts)")


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    if what == "iperf":
        iperf(runs)
        return
    tp = read_make_vars(os.path.join(TOP, "build", "third-party.mk"))
    os.makedirs(BUILD, exist_ok=True)
    systems = {"Kite": build_kite(tp), "Linux": build_linux(tp)}
    if what in ("all", "scaling"):
        scaling(systems, runs)
    if what in ("all", "micro"):
        micro(systems, runs)
    if what in ("all", "iperf"):
        iperf(runs)


if __name__ == "__main__":
    main()
