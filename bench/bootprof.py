#!/usr/bin/env python3
"""bootprof.py — where the boot goes, in guest instructions: QEMU's reset
code, OpenSBI, then Kite step by step up to the first user instruction.

Usage:
  bench/bootprof.py [KERNEL [ELF]] [--top N] [--phase TEXT]
      KERNEL: the image to boot (default kernel-rv), ELF: the same kernel
      with symbols (default build/kernel.elf); --phase: count functions
      only in the steps whose name contains TEXT ("initramfs").

Boots the judge's command line (docs/judge.md: -m 1G, an 8 MiB disk in
slot 0, a network card, no -append) with `-icount shift=0` — every guest
instruction is 1 ns of guest time, so the figures do not depend on the
host's load — and `-d exec,nochain,in_asm`, QEMU's log of every
translation block (TB) it translates and every one it enters, read through
a FIFO as it is written. QEMU is stopped at the first user-mode TB.

Prints the guest instructions (and TBs entered) of each phase: QEMU's reset
vector, OpenSBI until it enters the kernel, the kernel before its MMU is on,
then one row per step of kmain (a step starts when the function named in
STEPS is entered for the first time) and the SBI calls the kernel makes;
then the N kernel functions with the most instructions (a function's
inlined callees count as its own). bench/tbtrace.py does the same for one
iteration of a loop.

Every TB entered is counted with the instructions QEMU translated into it;
under -icount a TB that stops at an MMIO access is translated again, so the
counts are within a few percent of what ran. The kernel's own dmesg line
("boot: first user instruction at ...") is the exact figure.
"""
import bisect, collections, os, re, shutil, subprocess, sys, tempfile

from common import TOP, judge_qemu

# The functions that take the boot's steps, one call after another: a step
# is named by the line of kern/main.c that its call is on.
DRIVERS = ["kmain", "init_thread"]
MAIN_C = "kern/main.c"
ADDR2LINE = "riscv64-linux-gnu-addr2line"

QEMU_RESET_END = 0x80000000     # QEMU's reset vector (mrom) is below
OPENSBI_END = 0x80200000        # OpenSBI: 0x80000000..; the kernel from here
KERNEL_VA = 0xffffffc000000000  # the kernel's direct map (docs/memory.md)

def symbols(elf):
    """Sorted (address, size, name) of the ELF's functions."""
    out = subprocess.run(["riscv64-linux-gnu-nm", "-n", "-S", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTW":
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    return syms


def addr2line(elf, pcs):
    """{pc: [(function, file, line), ...]}: the inline chain, innermost first."""
    out = subprocess.run([ADDR2LINE, "-a", "-f", "-i", "-e", elf] + [hex(p) for p in pcs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    chains, pc, i = {}, None, 0
    while i < len(out):
        if out[i].startswith("0x"):
            pc = int(out[i], 16)
            chains[pc] = []
            i += 1
            continue
        file, _, line = out[i + 1].rpartition(":")
        chains[pc].append((out[i], file, line.split()[0]))
        i += 2
    return chains


def step_names(elf, syms):
    """{pc: step name} for every 2-byte address of the DRIVERS: the line of
    kern/main.c that the innermost frame in main.c is on, and its text."""
    pcs = [a + o for a, size, n in syms if n in DRIVERS for o in range(0, size, 2)]
    source = {}
    names = {}
    for pc, chain in addr2line(elf, pcs).items():
        frame = next((f for f in chain if f[1].endswith(MAIN_C)), None)
        if frame is None:
            continue
        if frame[1] not in source:
            with open(frame[1]) as f:
                source[frame[1]] = f.read().splitlines()
        text = source[frame[1]][int(frame[2]) - 1].strip()
        names[pc] = f"main.c:{frame[2]} {text.split(';')[0][:44]}"
    return names


def trace(cmd, log):
    """Run cmd with its -D log on a FIFO; yield (pc, instructions, pc of the
    last instruction, translated now?) per TB entered until the first
    user-mode TB after the kernel's entry."""
    os.mkfifo(log)
    qemu = subprocess.Popen(cmd + ["-icount", "shift=0", "-d", "exec,nochain,in_asm", "-D", log],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    tbs = {}           # TB host address -> (guest instructions, last pc)
    pending = None     # [instructions, last pc] of the TB just translated
    in_kernel = False
    try:
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("0x"):
                    if pending is not None:
                        pending[0] += 1
                        pending[1] = int(line[:18], 16)
                elif line.startswith("IN:"):
                    pending = [0, 0]
                elif line.startswith("Trace"):
                    m = re.match(r"Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/", line)
                    tb, pc = m.group(1), int(m.group(2), 16)
                    new = pending is not None
                    if new:
                        tbs[tb] = tuple(pending)
                        pending = None
                    if pc >= OPENSBI_END:
                        in_kernel = True
                    elif in_kernel and pc < QEMU_RESET_END:
                        return   # the first user instruction
                    n, last = tbs.get(tb, (0, pc))
                    yield pc, n, last, new
    finally:
        qemu.kill()
        qemu.wait()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    top_n, only = 25, None
    if "--top" in sys.argv:
        top_n = int(sys.argv[sys.argv.index("--top") + 1])
        args = [a for a in args if a != str(top_n)]
    if "--phase" in sys.argv:
        only = sys.argv[sys.argv.index("--phase") + 1]
        args = [a for a in args if a != only]
    kernel = args[0] if args else os.path.join(TOP, "kernel-rv")
    elf = args[1] if len(args) > 1 else os.path.join(TOP, "build", "kernel.elf")
    syms = symbols(elf)
    steps = step_names(elf, syms)

    tmp = tempfile.mkdtemp(prefix="bootprof.")
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(8 << 20)
    phase_insns = collections.Counter()
    phase_tbs = collections.Counter()
    phase_new = collections.Counter()
    pc_insns = collections.Counter()
    pc_new = collections.Counter()   # TBs translated, by their first pc
    order = []
    kernel_entered = False
    step = "kernel: before kmain"
    for pc, n, last, new in trace(judge_qemu(kernel, disk), os.path.join(tmp, "qemu.log")):
        if pc < QEMU_RESET_END:
            where = "QEMU reset vector"
        elif pc < OPENSBI_END:
            where = "SBI calls from the kernel" if kernel_entered else "OpenSBI"
        elif pc < KERNEL_VA:
            kernel_entered = True
            where = "kernel before the MMU (entry.S)"
        else:
            step = steps.get(last, step)
            where = step
            if only is None or only in step:
                pc_insns[pc] += n
                pc_new[pc] += new
        if where not in phase_insns:
            order.append(where)
        phase_insns[where] += n
        phase_tbs[where] += 1
        phase_new[where] += new
    shutil.rmtree(tmp)

    total = sum(phase_insns.values())
    before = phase_insns["QEMU reset vector"] + phase_insns["OpenSBI"]
    print(f"{'phase (kernel steps: the line of kern/main.c)':60} {'instructions':>13} {'TBs':>10}"
          f" {'translated':>10}")
    for k in order:
        print(f"{k:60} {phase_insns[k]:13,} {phase_tbs[k]:10,} {phase_new[k]:10,}")
    new_before = phase_new["QEMU reset vector"] + phase_new["OpenSBI"]
    print(f"{'kernel entry to first user instruction':60} {total - before:13,} {'':10}"
          f" {sum(phase_new.values()) - new_before:10,}")
    print(f"{'reset to first user instruction':60} {total:13,} {'':10} {sum(phase_new.values()):10,}")

    func_insns = collections.Counter()
    for pc, chain in addr2line(elf, list(pc_insns)).items():
        func_insns[chain[0][0]] += pc_insns[pc]
    print(f"\nthe {top_n} kernel functions with the most instructions (innermost inlined function)"
          + (f" in the steps matching {only!r}:" if only else ":"))
    for name, n in func_insns.most_common(top_n):
        print(f"  {name:40} {n:11,}")

    # TBs translated, by the function (symbol) their first instruction is in:
    # under TCG the first run of a path costs its translation.
    starts = [a for a, _, _ in syms]
    func_new = collections.Counter()
    for pc, n in pc_new.items():
        i = bisect.bisect_right(starts, pc) - 1
        func_new[syms[i][2] if i >= 0 else "?"] += n
    print(f"\nthe {top_n} kernel functions with the most TBs translated (the symbol a TB starts in)"
          + (f" in the steps matching {only!r}:" if only else ":"))
    for name, n in func_new.most_common(top_n):
        print(f"  {name:40} {n:11,}")


if __name__ == "__main__":
    main()
