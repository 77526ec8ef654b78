#!/usr/bin/env python3
"""cputime.py — QEMU's host CPU time per iteration of kbench's loops, on Kite
and on the reference Linux: a figure that a loaded host changes far less
than the wall clock (docs/performance.md, "Issue 14, fourth round").

Usage: bench/cputime.py [kbench names...]   (default: getppid write_devnull_1B)
Environment: CPUTIME_REPS (kbench runs per row, default 10),
BENCH_BASELINE=<git revision> (also Kite at that revision, as bench.py),
CPUTIME_LINUX=0 (Kite only), BENCH_RUNS (alternated boots; medians, default 1).

Each boot runs, between console markers, a control phase (`kbench` with no
row: exec, open /dev/null and /dev/zero, exit) and then each row, each
CPUTIME_REPS times. The host reads QEMU's utime+stime (/proc/<pid>/stat,
all threads) when it sees each marker; a row's figure is its phase minus
the control phase, divided by the calls made (kbench's measure(): n/10+1
warm-up calls and 5 runs of n).
"""
import os, statistics, subprocess, sys, time

import bench
from common import sh

TICK = os.sysconf("SC_CLK_TCK")
ITERS = {"getppid": 20000, "write_devnull_1B": 20000, "read_devzero_1B": 20000,
         "clock_gettime": 20000, "pipe_roundtrip": 2000}


def cpu_seconds(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK  # utime, stime (fields 14, 15)


def init_script(names, reps):
    loop = "for i in " + " ".join(str(i) for i in range(reps)) + "; do /bench/kbench %s >/dev/null; done\n"
    s = "#!/bin/sh\necho BENCH-START\necho CPU-MARK\n" + loop % "none" + "echo CPU-MARK\n"
    for n in names:
        s += loop % n + "echo CPU-MARK\n"
    return s + "echo BENCH-END\n"


def run(cmd, timeout=1200):
    """Boot cmd; the CPU time QEMU had used at each CPU-MARK line."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, marks, t0 = b"", [], time.time()
    while time.time() < t0 + timeout:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        out += chunk
        while out.count(b"CPU-MARK\r\n") + out.count(b"CPU-MARK\n") > len(marks):
            marks.append(cpu_seconds(p.pid))
        if b"BENCH-END" in out:
            break
    p.kill()
    p.wait()
    return marks


def main():
    names = sys.argv[1:] or ["getppid", "write_devnull_1B"]
    reps = int(os.environ.get("CPUTIME_REPS", "10"))
    bench.INIT = init_script(names, reps)
    tp = bench.third_party()
    bench.build_programs(tp)
    systems = {"Kite": bench.build_kite(tp, "micro", name="kite-cputime")}
    base = os.environ.get("BENCH_BASELINE")
    if base:
        src = os.path.join(bench.BUILD, "baseline-src")
        sh(f"git -C {bench.TOP} worktree remove --force {src} 2>/dev/null || rm -rf {src}; "
           f"git -C {bench.TOP} worktree prune; git -C {bench.TOP} worktree add -q --detach {src} {base}")
        systems["Kite@base"] = bench.build_kite(tp, "micro", src=src, name="kite-cputime-base")
    if os.environ.get("CPUTIME_LINUX", "1") != "0":
        systems["Linux"] = bench.build_linux(tp, "micro")
    runs = int(os.environ.get("BENCH_RUNS", "1"))
    res = {name: {n: [] for n in names} for name in systems}
    for name, cmd in systems.items():
        print(" ".join(cmd), flush=True)
    for _ in range(runs):  # alternated boots
        for name, cmd in systems.items():
            marks = run(cmd)
            if len(marks) != len(names) + 2:
                sys.exit(f"{name}: {len(marks)} markers seen, {len(names) + 2} expected")
            control = marks[1] - marks[0]
            for i, n in enumerate(names):
                calls = reps * (ITERS.get(n, 20000) // 10 + 1 + 5 * ITERS.get(n, 20000))
                res[name][n].append((marks[i + 2] - marks[i + 1] - control) / calls * 1e6)
    res = {name: {n: statistics.median(v) for n, v in r.items()} for name, r in res.items()}
    cols = list(systems)
    print(f"\n{'QEMU CPU us per iteration':28}" + "".join(f"{c:>12}" for c in cols))
    for n in names:
        print(f"{n:28}" + "".join(f"{res[c][n]:12.3f}" for c in cols))


if __name__ == "__main__":
    main()
