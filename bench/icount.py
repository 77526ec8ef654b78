#!/usr/bin/env python3
"""icount.py — guest instructions per iteration of kbench's loops, on Kite
and on the reference Linux: a count that does not depend on the host's load.

Usage: bench/icount.py [--smp N[,M...]] [--kite-only] [kbench names...]
       (default: -smp 1, getppid write_devnull_1B)

Both kernels boot with QEMU's `-icount shift=0`: guest time advances 1 ns
per guest instruction, so kbench's "us per iteration" times 1000 is the
number of guest instructions one iteration executed (user and kernel,
timer interrupts included). With several harts QEMU runs them in turn on
one thread and the count is the sum over all harts: what idle harts
execute while the loop runs (ticks, IPIs, the idle loop) is in it, so
`--smp 1,4` shows whether other harts add work (docs/smp.md). What it
does not count is QEMU's own work per instruction — the cost of a trap,
a CSR write, a TLB flush, an atomic with several harts — which is what
the host's time adds on top (docs/performance.md).
"""
import sys

import bench
from common import boot, parse_bench_lines


def main():
    args = sys.argv[1:]
    smps, kite_only = [1], False
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--smp":
            smps = [int(s) for s in args.pop(0).split(",")]
        elif opt == "--kite-only":
            kite_only = True
        else:
            sys.exit(__doc__)
    names = args or ["getppid", "write_devnull_1B"]
    bench.INIT = "#!/bin/sh\necho BENCH-START\n/bench/kbench %s\necho BENCH-END\n" % " ".join(names)
    tp = bench.third_party()
    bench.build_programs(tp)
    systems = {"Kite": bench.build_kite(tp, "micro", name="kite-icount")}
    if not kite_only:
        systems["Linux"] = bench.build_linux(tp, "micro")
    res = {}
    for name, cmd in systems.items():
        for smp in smps:
            at = cmd.index("-smp")
            c = cmd[:at + 1] + [str(smp)] + cmd[at + 2:] + ["-icount", "shift=0"]
            print(" ".join(c), flush=True)
            _, text = boot(c, timeout=900)
            res[name, smp] = parse_bench_lines(text)
    cols = [(name, smp) for name in systems for smp in smps]
    print(f"\n{'measurement':28}" + "".join(f"{n + ' -smp ' + str(s):>16}" for n, s in cols)
          + "   (guest instructions per iteration)")
    for n in res[cols[0]]:
        print(f"{n:28}" + "".join(f"{res[c].get(n, (float('nan'),))[0] * 1000:16.0f}" for c in cols))


if __name__ == "__main__":
    main()
