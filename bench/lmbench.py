"""lmbench.py — OSComp's lmbench list on Kite and on the reference Linux,
side by side (`bench/run.sh lmbench`; bench.py calls run()).

The programs are Debian trixie's riscv64 `lmbench` package (glibc,
dynamic), fetched with the packages of the OSComp image
(scripts/oscomp/stage-debian.sh lists them; scripts/fetch-trixie-rv.sh
caches them), staged with the glibc loader and the libraries they load.
The command list is OSComp's (testsuite/oscomp/debian/lmbench_testcode.sh).

Timing: lmbench calibrates its loop and timer overheads at every start
(about a minute per program under TCG). To fit a run in minutes both
kernels get the same environment: LOOP_O=0 TIMING_O=0 (no overhead is
subtracted: each figure includes the same few user-mode instructions of
the loop on both) and ENOUGH=ENOUGH_US (each timed batch lasts at least
that long; lmbench's own default is chosen by the calibration). The
figures are therefore comparable with each other, not with OSComp's
published baselines.
"""
import os, re, shutil, statistics, subprocess

from common import TOP, sh, boot

ENOUGH_US = 100000

# (row name, command, how to read the result, unit, True if bigger is better)
#   colon: the number after the last ':'   pair: the second number of the last line
#   ctx: lat_ctx's "N time" lines          fs: lat_fs's "size n create/s delete/s"
ROWS = [
    ("syscall null", "lat_syscall -P 1 null", "colon", "us", False),
    ("syscall read", "lat_syscall -P 1 read", "colon", "us", False),
    ("syscall write", "lat_syscall -P 1 write", "colon", "us", False),
    ("syscall stat", "lat_syscall -P 1 stat /var/tmp/lmbench", "colon", "us", False),
    ("syscall fstat", "lat_syscall -P 1 fstat /var/tmp/lmbench", "colon", "us", False),
    ("syscall open/close", "lat_syscall -P 1 open /var/tmp/lmbench", "colon", "us", False),
    ("select 100 files", "lat_select -n 100 -P 1 file", "colon", "us", False),
    ("signal install", "lat_sig -P 1 install", "colon", "us", False),
    ("signal catch", "lat_sig -P 1 catch", "colon", "us", False),
    ("protection fault", "lat_sig -P 1 prot lat_sig", "colon", "us", False),
    ("pipe latency", "lat_pipe -P 1", "colon", "us", False),
    ("fork+exit", "lat_proc -P 1 fork", "colon", "us", False),
    ("fork+execve", "lat_proc -P 1 exec", "colon", "us", False),
    ("fork+/bin/sh -c", "lat_proc -P 1 shell", "colon", "us", False),
    ("file write bw (lmdd)", "lmdd label=\"File /var/tmp/XXX write bandwidth:\" "
     "of=/var/tmp/XXX move=1m fsync=1 print=3", "colon", "KB/s", True),
    ("page fault", "lat_pagefault -P 1 /var/tmp/XXX", "colon", "us", False),
    ("mmap 512k", "lat_mmap -P 1 512k /var/tmp/XXX", "pair", "us", False),
    ("fs create/delete 0k", "lat_fs /var/tmp", "fs", "/s", True),
    ("pipe bandwidth", "bw_pipe -P 1", "colon", "MB/s", True),
    ("file read 512k io_only", "bw_file_rd -P 1 512k io_only /var/tmp/XXX", "pair", "MB/s", True),
    ("file read 512k open2close", "bw_file_rd -P 1 512k open2close /var/tmp/XXX", "pair", "MB/s", True),
    ("mmap read 512k mmap_only", "bw_mmap_rd -P 1 512k mmap_only /var/tmp/XXX", "pair", "MB/s", True),
    ("mmap read 512k open2close", "bw_mmap_rd -P 1 512k open2close /var/tmp/XXX", "pair", "MB/s", True),
    ("context switch", "lat_ctx -P 1 -s 32 2 4 8 16 24 32 64 96", "ctx", "us", False),
]
PROGRAMS = ["lat_syscall", "lat_select", "lat_sig", "lat_pipe", "lat_proc", "lat_pagefault",
            "lat_mmap", "lat_fs", "lat_ctx", "lmdd", "bw_pipe", "bw_file_rd", "bw_mmap_rd", "hello"]


def wanted(name):
    """LMBENCH_ROWS="page fault,mmap read": run only the rows whose name contains one of
    these comma-separated words (all rows when unset)."""
    words = [w.strip() for w in os.environ.get("LMBENCH_ROWS", "").split(",") if w.strip()]
    return not words or any(w in name for w in words)


def guest_script():
    """The guest side: each command between LMB-ROW markers, stdout and stderr together."""
    lines = ["cd /lmb", "export PATH=/lmb:/bin:/sbin:/usr/bin", f"export ENOUGH={ENOUGH_US}",
             "export LOOP_O=0 TIMING_O=0", "mkdir -p /var/tmp /tmp", "touch /var/tmp/lmbench"]
    # lmdd writes /var/tmp/XXX, the file the rows after it read: it runs whenever one of them does.
    needs_file = any(wanted(name) and "/var/tmp/XXX" in cmd for name, cmd, _, _, _ in ROWS)
    for i, (name, cmd, _, _, _) in enumerate(ROWS):
        if not (wanted(name) or (needs_file and cmd.startswith("lmdd"))):
            continue
        if cmd.startswith("lat_proc -P 1 exec"):
            lines += ["rm -f /var/tmp/lmbench", "mkdir -p /var/tmp/lmbench",
                      "cp /lmb/hello /var/tmp/lmbench/hello"]
        lines += [f"echo LMB-ROW {i}", f"./{cmd} 2>&1", f"echo LMB-DONE {i}"]
    lines.append("rm -rf /var/tmp/XXX /var/tmp/lmbench")
    return "\n".join(lines) + "\n"


def stage(dest):
    """Copy the lmbench programs, the glibc loader and what they load into dest/lmb, dest/lib."""
    text = open(os.path.join(TOP, "scripts", "oscomp", "stage-debian.sh")).read()
    pkgs = " ".join(re.search(r'PKGS="([^"]*)"', text, re.S).group(1).split())
    root = subprocess.run([os.path.join(TOP, "scripts", "fetch-trixie-rv.sh"), "oscomp", pkgs],
                          check=True, text=True, stdout=subprocess.PIPE).stdout.strip()
    os.makedirs(os.path.join(dest, "lmb"), exist_ok=True)
    os.makedirs(os.path.join(dest, "lib"), exist_ok=True)
    for p in PROGRAMS:
        shutil.copy(os.path.join(root, "usr/lib/lmbench/bin", p), os.path.join(dest, "lmb", p))
    libdir = os.path.join(root, "usr/lib/riscv64-linux-gnu")
    todo = [os.path.join(dest, "lmb", p) for p in PROGRAMS]
    while todo:
        f = todo.pop()
        out = subprocess.run(["riscv64-linux-gnu-readelf", "-d", f], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        for n in re.findall(r"\(NEEDED\).*\[(.*)\]", out):
            target = os.path.join(dest, "lib", n)
            if not os.path.exists(target):
                shutil.copy(os.path.join(libdir, n), target)
                todo.append(target)
    shutil.copy(os.path.join(libdir, "ld-linux-riscv64-lp64d.so.1"), os.path.join(dest, "lib"))


def parse(text):
    """Console text -> {row index: value} (lat_ctx and lat_fs give several rows)."""
    vals = {}
    for m in re.finditer(r"LMB-ROW (\d+)\n(.*?)LMB-DONE \1", text, re.S):
        i, out = int(m.group(1)), m.group(2)
        kind = ROWS[i][2]
        nums = lambda line: [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", line)]
        lines = [l for l in out.split("\n") if l.strip()]
        try:
            if kind == "colon":
                line = [l for l in lines if ":" in l][-1]
                vals[(i, "")] = nums(line.rsplit(":", 1)[1])[0]
            elif kind == "pair":
                vals[(i, "")] = nums(lines[-1])[1]
            elif kind == "ctx":
                for l in lines:
                    n = nums(l)
                    if len(n) == 2 and not l.startswith('"'):
                        vals[(i, f" {int(n[0])} procs")] = n[1]
            elif kind == "fs":
                n = nums(lines[-1])
                vals[(i, " create")] = n[2]
                vals[(i, " delete")] = n[3]
        except (IndexError, ValueError):
            pass  # a failed program: its row shows as missing
    return vals


def run(systems, runs):
    """Boot each system runs times, alternated; print the table of medians.
    systems: {name: qemu command}; each boots an image holding /lmb, /lib
    and /lmb/run.sh (bench.py builds them with stage() and guest_script())."""
    results = {k: [] for k in systems}
    for i in range(runs):
        for name, cmd in systems.items():
            t, text = boot(cmd, timeout=3600)
            if t is None:
                print(f"{name}: run {i + 1} did not start; console tail:\n{text[-1500:]}")
                continue
            results[name].append(parse(text))
    print()
    print(f"{'lmbench (OSComp list)':36} {'Kite':>12} {'Linux':>12} {'Kite ahead':>11}")
    keys = []
    for r in results["Kite"] + results["Linux"]:
        keys += [k for k in r if k not in keys]
    for key in sorted(keys):
        i, sub = key
        name, _, _, unit, bigger = ROWS[i]
        kv = [r[key] for r in results["Kite"] if key in r]
        lv = [r[key] for r in results["Linux"] if key in r]
        k = statistics.median(kv) if kv else None
        l = statistics.median(lv) if lv else None
        if k and l:
            ratio = k / l if bigger else l / k
            rs = f"{ratio:10.2f}x"
        else:
            rs = "   missing"
        fmt = lambda v: f"{v:12.3f}" if v is not None else f"{'-':>12}"
        print(f"{name + sub:30} {unit:5} {fmt(k)} {fmt(l)} {rs}")
    print(f"\n(medians of {runs} boots; ENOUGH={ENOUGH_US} LOOP_O=0 TIMING_O=0 on both; "
          "ratio > 1 means Kite is ahead)")
