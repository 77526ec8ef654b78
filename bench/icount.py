#!/usr/bin/env python3
"""icount.py — guest instructions per iteration of kbench's loops, on Kite
and on the reference Linux: a count that does not depend on the host's load.

Usage: bench/icount.py [kbench names...]   (default: getppid write_devnull_1B)

Both kernels boot with QEMU's `-icount shift=0`: guest time advances 1 ns
per guest instruction, so kbench's "us per iteration" times 1000 is the
number of guest instructions one iteration executed (user and kernel,
timer interrupts included). What it does not count is QEMU's own work
per instruction — the cost of a trap, a CSR write, a TLB flush — which is
what the host's time adds on top (docs/performance.md).
"""
import sys

import bench
from common import boot, parse_bench_lines


def main():
    names = sys.argv[1:] or ["getppid", "write_devnull_1B"]
    bench.INIT = "#!/bin/sh\necho BENCH-START\n/bench/kbench %s\necho BENCH-END\n" % " ".join(names)
    tp = bench.third_party()
    bench.build_programs(tp)
    systems = {"Kite": bench.build_kite(tp, "micro", name="kite-icount"),
               "Linux": bench.build_linux(tp, "micro")}
    res = {}
    for name, cmd in systems.items():
        cmd = cmd + ["-icount", "shift=0"]
        print(" ".join(cmd), flush=True)
        _, text = boot(cmd, timeout=900)
        res[name] = parse_bench_lines(text)
    print(f"\n{'measurement':28} {'Kite':>12} {'Linux':>12}   (guest instructions per iteration)")
    for n in res["Kite"]:
        k = res["Kite"][n][0] * 1000
        l = res["Linux"].get(n, (float("nan"),))[0] * 1000
        print(f"{n:28} {k:12.0f} {l:12.0f}")


if __name__ == "__main__":
    main()
