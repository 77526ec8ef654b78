#!/usr/bin/env python3
"""qcount.py — what QEMU does for a guest's work, counted, on Kite and on the
reference Linux, with the plugin bench/src/qcount.c (docs/performance.md,
"Issue 14, eighth round").

Usage: bench/qcount.py lmbench [--runs N]
       bench/qcount.py kbench <kbench row> [n]

lmbench: boots each kernel N times (default 3), alternated, with lmbench's
`bw_mmap_rd 512k mmap_only` row only. While the row runs the host polls,
every 20 ms, the plugin's counters and the schedstat of QEMU's busiest
thread (the vCPU). Over the steady part of the row (from the first to the
last pass of bread()'s loop seen) it prints: passes over the 512 KiB
buffer, QEMU's vCPU CPU time per pass (the host's cost of the same guest
work: what the wall-clock MB/s becomes on a host with a core to spare),
the share of a host CPU the vCPU got (the rest it waited for one), and
per second of guest time the TLB flushes (sfence.vma, satp writes) and
timer ticks (stimecmp writes); and for every QEMU thread its CPU time, its
time runnable but waiting, and its voluntary and involuntary context
switches per second (docs/performance.md, "Issue 14, ninth round").

kbench: one boot of each kernel; the counters per iteration of the row
(its iterations with KBENCH_N=n, default 100, minus a control run of
kbench with no row), and per second during `sleep 2` (idle).
"""
import os, re, select, statistics, struct, subprocess, sys, time

import bench
import lmbench
from common import sh

COUNTERS = ["loop", "loop translated", "translated", "sfence.vma x0,x0", "sfence.vma addr",
            "sfence.vma asid", "sfence.vma addr,asid", "satp writes", "stimecmp writes", "wfi"]
SHOWN = range(3, len(COUNTERS))
PLUGIN = os.path.join(bench.BUILD, "qcount.so")
ROW = [i for i, r in enumerate(lmbench.ROWS) if r[0] == "mmap read 512k mmap_only"][0]
PASS_BLOCKS = 512  # bread() runs its 1 KiB block 512 times per 512 KiB pass


def build_plugin():
    os.makedirs(bench.BUILD, exist_ok=True)
    sh(f"gcc -O2 -shared -fPIC -fvisibility=hidden -o {PLUGIN} {bench.TOP}/bench/src/qcount.c")


class Guest:
    """One QEMU run with the plugin; its console, counters and vCPU schedstat."""

    def __init__(self, cmd, name):
        self.out = os.path.join(bench.BUILD, f"qcount-{name}.bin")
        self.p = subprocess.Popen(cmd + ["-plugin", f"{PLUGIN},out={self.out},loop=0xc6c"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.text = b""

    def read(self, timeout):
        """More console output (False at its end)."""
        r, _, _ = select.select([self.p.stdout.fileno()], [], [], timeout)
        if r:
            chunk = os.read(self.p.stdout.fileno(), 4096)
            if not chunk:
                return False
            self.text += chunk
        return True

    def counters(self):
        with open(self.out, "rb") as f:
            return struct.unpack(f"{len(COUNTERS)}Q", f.read(8 * len(COUNTERS)))

    def vcpu(self):
        """(ns running, ns runnable but waiting) of QEMU's busiest thread."""
        stats = []
        for t in os.listdir(f"/proc/{self.p.pid}/task"):
            with open(f"/proc/{self.p.pid}/task/{t}/schedstat") as f:
                stats.append([int(x) for x in f.read().split()[:2]])
        return max(stats)

    def threads(self):
        """Per QEMU thread: (name, ns running, ns waiting, voluntary and involuntary switches)."""
        out = {}
        for t in os.listdir(f"/proc/{self.p.pid}/task"):
            try:
                d = f"/proc/{self.p.pid}/task/{t}"
                with open(f"{d}/schedstat") as f:
                    run, wait = [int(x) for x in f.read().split()[:2]]
                with open(f"{d}/status") as f:
                    st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
                out[t] = (st["Name"].strip(), run, wait, int(st["voluntary_ctxt_switches"]),
                          int(st["nonvoluntary_ctxt_switches"]))
            except (OSError, KeyError, ValueError):
                pass  # a thread that ended between listdir and open
        return out

    def stop(self):
        self.p.kill()
        self.p.wait()
        return self.text.decode(errors="replace").replace("\r", "")


def lmbench_boot(cmd, name):
    """Boot once; the steady part of the mmap_only row as a dict of figures."""
    g = Guest(cmd, name)
    start, end = re.compile(rb"LMB-ROW %d\r?\n" % ROW), f"LMB-DONE {ROW}".encode()
    samples = []
    while g.read(0.02):
        if start.search(g.text) and end not in g.text:
            samples.append((time.time(), g.counters(), g.vcpu(), g.threads()))
        if end in g.text or b"BENCH-END" in g.text:
            break
    text = g.stop()
    moved = [i for i in range(1, len(samples)) if samples[i][1][0] > samples[i - 1][1][0]]
    if len(moved) < 2:
        sys.exit(f"{name}: the row's loop was not seen; console tail:\n{text[-1500:]}")
    (t0, c0, v0, th0), (t1, c1, v1, th1) = samples[moved[0]], samples[moved[-1]]
    passes = (c1[0] - c0[0]) / PASS_BLOCKS
    m = re.search(rf"LMB-ROW {ROW}\n(.*?)LMB-DONE", text, re.S)
    res = {"MB/s (lmbench)": float(m.group(1).split()[-1]) if m else float("nan"),
           "passes": passes,
           "vCPU us/pass": (v1[0] - v0[0]) / 1e3 / passes,
           "wall us/pass": (t1 - t0) * 1e6 / passes,
           "vCPU share": (v1[0] - v0[0]) / 1e9 / (t1 - t0),
           "loop translated": c1[1]}
    for i in SHOWN:
        res[COUNTERS[i] + " /s"] = (c1[i] - c0[i]) / (t1 - t0)
    # Every QEMU thread over the same span, busiest first: CPU and waiting
    # (ms per second of wall time), voluntary and involuntary switches per second.
    rows = []
    for t, a in th1.items():
        b = th0.get(t, (a[0], 0, 0, 0, 0))
        rows.append((a[1] - b[1], f"{a[0]}[{t}]", (a[1] - b[1]) / 1e6 / (t1 - t0),
                     (a[2] - b[2]) / 1e6 / (t1 - t0), (a[3] - b[3]) / (t1 - t0),
                     (a[4] - b[4]) / (t1 - t0)))
    for _, n, run, wait, vol, inv in sorted(rows, reverse=True):
        print(f"  {name} thread {n:22} cpu {run:6.1f} ms/s  wait {wait:6.1f} ms/s  "
              f"vol {vol:7.1f}/s  invol {inv:7.1f}/s", flush=True)
    return res


def run_lmbench(runs):
    os.environ["LMBENCH_ROWS"] = "mmap_only"
    tp = bench.third_party()
    systems = {"Kite": bench.build_kite(tp, "lmbench", name="kite-qcount"),
               "Linux": bench.build_linux(tp, "lmbench")}
    results = {k: [] for k in systems}
    for _ in range(runs):  # alternated boots
        for name, cmd in systems.items():
            r = lmbench_boot(cmd, name)
            results[name].append(r)
            print(f"{name}: " + ", ".join(f"{k} {v:.3g}" for k, v in r.items()), flush=True)
    print(f"\n{'bw_mmap_rd 512k mmap_only, steady part':40}{'Kite':>12}{'Linux':>12}   (medians of {runs})")
    for key in results["Kite"][0]:
        med = [statistics.median(r[key] for r in results[k]) for k in systems]
        print(f"{key:40}" + "".join(f"{v:12.4g}" for v in med))


def run_kbench(row, n):
    bench.INIT = (f"#!/bin/sh\necho BENCH-START\necho QC-MARK\nKBENCH_N={n} /bench/kbench none\n"
                  f"echo QC-MARK\nKBENCH_N={n} /bench/kbench {row}\necho QC-MARK\nsleep 2\n"
                  "echo QC-MARK\necho BENCH-END\n")
    tp = bench.third_party()
    bench.build_programs(tp)
    systems = {"Kite": bench.build_kite(tp, "micro", name="kite-qcount"),
               "Linux": bench.build_linux(tp, "micro")}
    iters = n // 10 + 1 + 5 * n  # kbench's measure(): warm-up and five runs
    for name, cmd in systems.items():
        g = Guest(cmd, name)
        marks = []
        while g.read(0.05):
            while g.text.count(b"QC-MARK") > len(marks):
                marks.append((time.time(), g.counters()))
            if b"BENCH-END" in g.text:
                break
        g.stop()
        if len(marks) != 4:
            sys.exit(f"{name}: {len(marks)} markers seen, 4 expected")
        d = lambda a, b, i: marks[b][1][i] - marks[a][1][i]
        print(f"{name}: {row}, per iteration ({iters} iterations); idle per second")
        for i in SHOWN:
            print(f"  {COUNTERS[i]:24}{(d(1, 2, i) - d(0, 1, i)) / iters:10.2f}"
                  f"{d(2, 3, i) / (marks[3][0] - marks[2][0]):10.1f}")


def main():
    args = sys.argv[1:]
    build_plugin()
    if args[:1] == ["lmbench"]:
        runs = int(args[2]) if args[1:2] == ["--runs"] else 3
        run_lmbench(runs)
    elif args[:1] == ["kbench"] and len(args) >= 2:
        run_kbench(args[1], int(args[2]) if len(args) > 2 else 100)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
