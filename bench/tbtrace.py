#!/usr/bin/env python3
"""tbtrace.py — what one iteration of a guest loop costs under QEMU TCG, read
from QEMU's own execution log: the translation blocks (TBs) it ran, the
guest instructions in them, and the kernel functions they belong to.

Usage:
  qemu-system-riscv64 ... -d exec,nochain,in_asm -D /tmp/q.log   (run the loop N times)
  bench/tbtrace.py [--any] /tmp/q.log build/kernel.elf N [K]

The loop's user-mode TB that ends with `ecall` and ran N..1.3N times is the
anchor (K picks another one when several do); the TBs between two runs
of it, taken from the middle of the log, are one iteration (--any: any
user TB that ran N..1.3N times, for a loop without a system call, such
as one that page-faults). Prints the totals, the atomic instructions and
fences of the iteration by function (AMOs, lr/sc, fence: what costs a
helper call or a host barrier once QEMU runs several harts, MTTCG), then
the iteration's path folded by function (addr2line names the
innermost inlined function). -d exec with nochain logs every TB entry, so
the log grows by ~100 bytes per TB: keep N at a few thousand.

Why TBs matter: QEMU ends a TB at every branch and at every CSR access,
and a CSR access or an indirect jump (a return, a call through a pointer)
goes back through its TB lookup; guest instructions inside a TB are cheap.
The summary counts how each TB of the iteration was left (tb_exit): a
trip through QEMU's main loop, a jump-cache lookup, or a chained jump;
and lists the TBs reached by exits and lookups that share a jump-cache
slot (jc_slot), which miss the cache on every iteration.
docs/processes.md (benchmarks) shows what this found.
"""
import collections, re, subprocess, sys


def read_log(path):
    """-> (list of TB start pcs in execution order, {pc: [instruction text]})"""
    trace, insns, cur = [], {}, None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Trace"):
                m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
                trace.append(int(m.group(1), 16))
                cur = None
            elif line.startswith("IN:"):
                cur = "new"
            elif cur is not None and line.startswith("0x"):
                pc = int(line.split(":")[0], 16)
                if cur == "new":
                    cur = pc
                    insns[cur] = []
                insns[cur].append(line.strip())
    return trace, insns


PAGE = 4096


def tb_exit(insns, pc, next_pc):
    """How QEMU 7.2 leaves the TB at pc for next_pc: "exit" (back to its
    main loop: a CSR access, ecall, sret, a fence), "lookup" (a jump-cache
    lookup, helper_lookup_tb_ptr: an indirect jump — every return — or a
    direct one into another guest page) or "chain" (a direct jump within
    the page, patched in once: nearly free)."""
    last = insns.get(pc, [""])[-1]
    op = last.split()[2] if len(last.split()) > 2 else ""
    if op.startswith("csr") or op in ("ecall", "sret", "fence.i", "sfence.vma", "wfi"):
        return "exit"
    if op in ("jalr", "jr", "ret", "c.jr", "c.jalr"):
        return "lookup"
    return "chain" if pc // PAGE == next_pc // PAGE else "lookup"


def jc_slot(pc):
    """The slot of QEMU 7.2's jump cache (4096 per hart) that a TB at pc
    goes to (tb_jmp_cache_hash_func): 6 bits of the page number choose
    64 slots, 6 bits of the address within the page one of them. Two TBs
    of one iteration that are both reached by an exit or a lookup and
    share a slot evict each other: each run then takes the slow path
    (QEMU's TB hash table, the code TLB) instead of the cache."""
    tmp = pc ^ (pc >> 6)
    return ((tmp >> 6) & 0xfc0) | (tmp & 0x3f)


def atomic_kind(text):
    """"amo", "lr/sc", "fence" or None for one logged instruction."""
    op = text.split()[2] if len(text.split()) > 2 else ""
    if op.startswith("amo"):
        return "amo"
    if op.startswith(("lr.", "sc.")):
        return "lr/sc"
    if op == "fence":
        return "fence"
    return None


def main():
    args = sys.argv[1:]
    any_anchor = args[0] == "--any"
    if any_anchor:
        args.pop(0)
    log, elf, n = args[0], args[1], int(args[2])
    which = int(args[3]) if len(args) > 3 else 0
    trace, insns = read_log(log)
    count = collections.Counter(trace)
    anchors = sorted(p for p, c in count.items()
                     if p < 0x80000000 and n <= c <= n * 1.3 and
                     (any_anchor or any("ecall" in t for t in insns.get(p, []))))
    if not anchors:
        sys.exit("no user TB ending in ecall ran %d..%d times" % (n, n * 1.3))
    anchor = anchors[which]
    idx = [i for i, p in enumerate(trace) if p == anchor]
    seg = trace[idx[len(idx) // 2]:idx[len(idx) // 2 + 1]]
    kernel = [p for p in seg if p >= 0xffffffc000000000]
    names = subprocess.run(["addr2line", "-f", "-e", elf] + [hex(p) for p in kernel],
                           capture_output=True, text=True).stdout.split("\n")[0::2]
    name_of = dict(zip(kernel, names))
    print(f"anchor {anchor:#x}; one iteration: {len(seg)} TBs, "
          f"{sum(len(insns.get(p, [])) for p in seg)} guest instructions")
    ends = collections.Counter(tb_exit(insns, p, q) for p, q in zip(seg, seg[1:] + [anchor]))
    print(f"TBs left by: {ends['exit']} exits to QEMU's main loop, {ends['lookup']} jump-cache "
          f"lookups, {ends['chain']} chained jumps")
    slots = collections.defaultdict(set)
    for p, q in zip(seg, seg[1:] + [anchor]):
        if tb_exit(insns, p, q) != "chain":
            slots[jc_slot(q)].add(q)
    clash = [sorted(v) for v in slots.values() if len(v) > 1]
    print(f"jump-cache collisions: {len(clash)}" +
          "".join(" [" + " ".join(f"{q:#x} {name_of.get(q, 'user')}" for q in v) + "]"
                  for v in clash))
    atom = collections.Counter()
    for p in seg:
        for t in insns.get(p, []):
            k = atomic_kind(t)
            if k:
                atom[(name_of.get(p, "user"), k)] += 1
    kinds = collections.Counter()
    for (fn, k), c in atom.items():
        kinds[k] += c
    print("atomics: " + ", ".join(f"{kinds[k]} {k}" for k in ("amo", "lr/sc", "fence")))
    for (fn, k), c in sorted(atom.items(), key=lambda x: -x[1]):
        print(f"  {fn:36} {c:4} {k}")
    folded = []
    for p in seg:
        fn = name_of.get(p, "user")
        if folded and folded[-1][0] == fn:
            folded[-1][1] += len(insns.get(p, []))
            folded[-1][2] += 1
        else:
            folded.append([fn, len(insns.get(p, [])), 1])
    for fn, ni, nt in folded:
        print(f"  {fn:36} {ni:4} insns {nt:3} TBs")


if __name__ == "__main__":
    main()
