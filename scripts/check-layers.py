#!/usr/bin/env python3
"""check-layers.py — do the kernel's files form layers?

Usage: scripts/check-layers.py [BUILD_DIR]   (default: $KITE_BUILD or build)

Builds the kernel's file dependency graph from the compiled objects: every
symbol an object leaves undefined (riscv64-linux-gnu-gcc-nm, which also reads
the LTO objects) is resolved to the object that defines it, giving an edge
"a.c uses b.c" labelled with the symbols. Each source file gets a layer from
scripts/layers.tbl (first matching pattern wins). Then three checks, each
against the exceptions listed in docs/overview.md ("Layer exceptions"):

  up    an edge from a lower layer to a higher one (a lower layer calling a
        higher one by name);
  loop  files of one layer that depend on each other in a cycle (a strongly
        connected component of the same-layer edges, Tarjan's algorithm);
  long  a kernel source file over MAX_LINES lines.

Prints one PASS:/FAIL: line per check (and per problem), the offending pair
and symbols for each, and exits 1 on any problem not on the list or any
exception that no longer applies (so the list only shrinks). --report prints
the whole graph's upward edges and loops without consulting the list.
"""
import collections
import fnmatch
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(TOP, 'scripts', 'layers.tbl')
OVERVIEW = os.path.join(TOP, 'docs', 'overview.md')
SOURCE_DIRS = ('arch', 'kern', 'drivers', 'fs', 'net', 'ipc')
MAX_LINES = 800
NM = os.environ.get('NM', 'riscv64-linux-gnu-gcc-nm')


def read_table():
    layers = []
    for line in open(TABLE):
        line = line.split('#')[0].strip()
        if line:
            pat, rank, name = line.split(None, 2)
            layers.append((pat, int(rank), name))
    return layers


def layer_of(layers, src):
    for pat, rank, name in layers:
        if fnmatch.fnmatch(src, pat):
            return rank, name
    return None


def read_graph(build):
    """(edges {(a, b): {symbols}}, set of source files) from build/kernel/**.o."""
    kdir = os.path.join(build, 'kernel')
    objs = []
    for root, _, files in os.walk(kdir):
        for f in files:
            if not f.endswith('.o'):
                continue
            o = os.path.join(root, f)
            src = os.path.relpath(o, kdir)[:-2]
            for ext in ('.c', '.S'):
                if os.path.exists(os.path.join(TOP, src + ext)):
                    objs.append((o, src + ext))
                    break
            # an object whose source is gone (moved or deleted) is stale: skip it
    defs, undefs = {}, collections.defaultdict(set)
    for o, src in sorted(objs):
        out = subprocess.run([NM, o], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == 'U':
                undefs[src].add(parts[1])
            elif len(parts) == 3 and parts[1] in 'TDBRVW':
                defs.setdefault(parts[2], src)
    edges = collections.defaultdict(set)
    for src, syms in undefs.items():
        for s in syms:
            d = defs.get(s)
            if d and d != src:
                edges[(src, d)].add(s)
    return edges, {src for _, src in objs}


def loops(edges, same_layer):
    """Strongly connected components (more than one file) of the edges kept."""
    g = collections.defaultdict(set)
    for (a, b) in edges:
        if same_layer(a, b):
            g[a].add(b)
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(20000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))
    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def long_files():
    out = {}
    for d in SOURCE_DIRS:
        for root, _, files in os.walk(os.path.join(TOP, d)):
            for f in files:
                if f.endswith(('.c', '.h', '.S')):
                    p = os.path.join(root, f)
                    n = sum(1 for _ in open(p, errors='replace'))
                    if n > MAX_LINES:
                        out[os.path.relpath(p, TOP)] = n
    return out


def read_exceptions():
    """The lists in docs/overview.md: '- up: `a` → `b` — why', '- loop: `a` `b` … — why',
    '- long: `a` — why'."""
    up, loop, long_ = {}, {}, {}
    for n, line in enumerate(open(OVERVIEW), 1):
        m = re.match(r'^- up: `([^`]+)` (?:→|->) `([^`]+)`', line)
        if m:
            up[(m.group(1), m.group(2))] = n
            continue
        m = re.match(r'^- loop: ((?:`[^`]+`[ ,]*)+)', line)
        if m:
            loop[frozenset(re.findall(r'`([^`]+)`', m.group(1)))] = n
            continue
        m = re.match(r'^- long: `([^`]+)`', line)
        if m:
            long_[m.group(1)] = n
    return up, loop, long_


def symlist(syms):
    syms = sorted(syms)
    return ', '.join(syms[:8]) + (' ...' if len(syms) > 8 else '')


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    report = '--report' in sys.argv
    build = args[0] if args else os.environ.get('KITE_BUILD', os.path.join(TOP, 'build'))
    os.chdir(TOP)
    layers = read_table()
    edges, files = read_graph(build)
    if not files:
        print(f'FAIL: layers: no kernel objects under {build}/kernel (build the kernel first)')
        return 1
    unplaced = sorted(f for f in files if layer_of(layers, f) is None)
    up = {}
    for (a, b), syms in sorted(edges.items()):
        la, lb = layer_of(layers, a), layer_of(layers, b)
        if la and lb and la[0] < lb[0]:
            up[(a, b)] = (la[1], lb[1], syms)

    def same_layer(a, b):
        la, lb = layer_of(layers, a), layer_of(layers, b)
        return la is not None and lb is not None and la[0] == lb[0]
    cycles = loops(edges, same_layer)
    longs = long_files()

    if report:
        print(f'{len(up)} upward dependencies')
        for (a, b), (la, lb, syms) in up.items():
            print(f'  {a} ({la}) -> {b} ({lb}): {symlist(syms)}')
        print(f'{len(cycles)} file loops')
        for c in cycles:
            print(f'  loop of {len(c)}: {" ".join(sorted(c))}')
        print(f'{len(longs)} files over {MAX_LINES} lines')
        for f, n in sorted(longs.items()):
            print(f'  {f}: {n}')
        return 0

    ex_up, ex_loop, ex_long = read_exceptions()
    fail = 0
    if unplaced:
        print(f'FAIL: layers: files with no layer in scripts/layers.tbl: {" ".join(unplaced)}')
        fail = 1
    # upward calls
    bad = [(k, v) for k, v in up.items() if k not in ex_up]
    for (a, b), (la, lb, syms) in bad:
        print(f'FAIL: layers/up: {a} ({la}) calls {b} ({lb}): {symlist(syms)}')
    stale = [k for k in ex_up if k not in up and k[0] in files and k[1] in files]
    for (a, b) in stale:
        print(f'FAIL: layers/up: docs/overview.md:{ex_up[(a, b)]} lists {a} -> {b}, '
              'which no longer holds: remove the line')
    if bad or stale:
        fail = 1
    else:
        print(f'PASS: layers/up: no upward calls but the {len(up)} listed in docs/overview.md')
    # loops
    bad = [c for c in cycles if c not in ex_loop]
    for c in bad:
        inner = sorted((a, b) for (a, b) in edges if a in c and b in c)
        print(f'FAIL: layers/loop: {len(c)} files call each other: {" ".join(sorted(c))}')
        for a, b in inner[:40]:
            print(f'    {a} -> {b}: {symlist(edges[(a, b)])}')
    stale = [c for c in ex_loop if c not in cycles and c <= files]
    for c in stale:
        print(f'FAIL: layers/loop: docs/overview.md:{ex_loop[c]} lists a loop that no longer exists '
              f'as written ({" ".join(sorted(c))}): correct or remove the line')
    if bad or stale:
        fail = 1
    else:
        print(f'PASS: layers/loop: no file loops but the {len(cycles)} listed in docs/overview.md')
    # long files
    bad = sorted(f for f in longs if f not in ex_long)
    for f in bad:
        print(f'FAIL: layers/long: {f} has {longs[f]} lines (more than {MAX_LINES}): split it')
    stale = sorted(f for f in ex_long if f not in longs)
    for f in stale:
        print(f'FAIL: layers/long: docs/overview.md:{ex_long[f]} lists {f}, '
              f'which is no longer over {MAX_LINES} lines: remove the line')
    if bad or stale:
        fail = 1
    else:
        print(f'PASS: layers/long: no file over {MAX_LINES} lines but the {len(longs)} listed in docs/overview.md')
    return fail


if __name__ == '__main__':
    sys.exit(main())
