#!/usr/bin/env python3
"""score.py — score an OSComp console log the way the judge's published rules
do (docs/oscomp.md has the rules and the metrics, in our words).

    score.py CONSOLE [--stage DIR] [--linux CONSOLE] [--baselines FILE]
             [--record FILE] [--json OUT]

CONSOLE is what the serial console printed. --stage is the staged disk
(scripts/mk-oscomp-image.sh): it tells how many points a group can give
(busybox_cmd.txt lines, lua scripts, libc-test cases). --linux scores a second
console (the reference Linux on the same disk) into a second column.
--baselines gives the benchmark baselines that are not published (recorded
from the reference Linux); --record writes the Linux console's figures there.

Each group line: name, points/max for Kite (and Linux), whether the group
reached its END marker, and (with --times) its wall time.
"""
import argparse, json, os, re, sys

# ---- published baselines (docs/judge.md) ----
# higher is better for bandwidths and rates, lower for latencies and times.
PUBLISHED = {
    "iperf:BASIC_TCP": 796, "iperf:BASIC_UDP": 393, "iperf:PARALLEL_TCP": 1311,
    "iperf:PARALLEL_UDP": 442, "iperf:REVERSE_TCP": 792, "iperf:REVERSE_UDP": 381,
    "netperf:TCP_STREAM": 79.75, "netperf:UDP_STREAM": 27.5, "netperf:TCP_RR": 2018,
    "netperf:UDP_RR": 2071, "netperf:TCP_CRR": 391,
    "lmbench:Simple syscall": 9.25, "lmbench:Pipe latency": 141.9,
    "lmbench:Process fork+exit": 4409,
}

GROUPS = ["basic", "busybox", "lua", "libctest", "libcbench", "iozone", "unixbench",
          "lmbench", "cyclictest", "iperf", "netperf", "ltp"]


def blocks(text):
    """{group-libc: (lines, ended)} from the START/END markers. A START
    closes the block before it (which stays without END). A START of a group
    whose block has already ended is a stray marker and opens nothing: the
    official netperf script prints "START unixbench" where its END belongs,
    after the unixbench group has run."""
    out = {}
    cur = None
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = re.match(r"#### OS COMP TEST GROUP (START|END) (\S+) ####", line)
        if m:
            kind, name = m.groups()
            if kind == "START":
                cur = None
                if name in out and out[name][1]:
                    continue
                cur = name
                out[name] = ([], False)
            elif name in out:
                out[name] = (out[name][0], True)
                cur = None
            continue
        if cur:
            out[cur][0].append(line)
    return out


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


# ---- metrics per benchmark group: [(key, value, higher_is_better)] ----

def m_iperf(lines):
    res, name, val = [], None, None
    for l in lines:
        m = re.match(r"====== iperf (\S+) begin", l)
        if m:
            name, val = m.group(1), None
            continue
        m = re.search(r"([\d.]+) ([KMG])bits/sec.*receiver", l)
        if name and m and ("[SUM]" in l or val is None):
            v = float(m.group(1)) * {"K": 0.0, "M": 1.0, "G": 1000.0}[m.group(2)]  # Kbits/sec scores 0
            val = v
        m = re.match(r"====== iperf (\S+) end: (\S+)", l)
        if m and name:
            res.append(("iperf:" + name, val if m.group(2) == "success" else None, True))
            name = None
    return res


def m_netperf(lines):
    res, name, nums = [], None, []
    for l in lines:
        m = re.match(r"====== netperf (\S+) begin", l)
        if m:
            name, nums = m.group(1), []
            continue
        m = re.match(r"====== netperf (\S+) end: (\S+)", l)
        if m and name:
            v = None
            if nums:
                # STREAM: the throughput is the last column; UDP_STREAM's second
                # line is the receiver's. RR: transactions per second.
                row = nums[1] if name == "UDP_STREAM" and len(nums) > 1 else nums[0]
                v = row[-1]
            res.append(("netperf:" + name, v if m.group(2) == "success" else None, True))
            name = None
            continue
        if name:
            f = l.split()
            if len(f) >= 3 and all(num(x) is not None for x in f):
                nums.append([float(x) for x in f])
    return res


LMB_TIME = re.compile(r"^(.+?): ([\d.]+) microseconds")
LMB_BW = re.compile(r"^([\d.]+) ([\d.]+)$")


def m_lmbench(lines):
    res, seen = [], {}
    section, ctx = None, False
    for l in lines:
        l = l.strip()
        m = LMB_TIME.match(l)
        if m:
            key = m.group(1)
            if key.startswith("Process fork+"):
                key = key.split(" ")[0] + " " + key.split(" ")[1]  # "Process fork+exit" etc.
            res.append(("lmbench:" + key, float(m.group(2)), False))
            continue
        m = re.match(r"^File /var/tmp/XXX write bandwidth:\s*([\d.]+) KB/sec", l)
        if m:
            res.append(("lmbench:lmdd write", float(m.group(1)), True))
            continue
        m = re.match(r"^Pagefaults on \S+: ([\d.]+) microseconds", l)
        if m:
            res.append(("lmbench:Pagefaults", float(m.group(1)), False))
            continue
        m = re.match(r"^Pipe bandwidth: ([\d.]+) MB/sec", l)
        if m:
            res.append(("lmbench:Pipe bandwidth", float(m.group(1)), True))
            continue
        m = re.match(r"^(\d+)k\s+(\d+)\s+(\d+)\s+(\d+)$", l)   # lat_fs: size files create/s delete/s
        if m:
            res.append(("lmbench:lat_fs create %sk" % m.group(1), float(m.group(3)), True))
            res.append(("lmbench:lat_fs delete %sk" % m.group(1), float(m.group(4)), True))
            continue
        if l.startswith("\"size="):
            ctx = True
            continue
        m = LMB_BW.match(l)
        if m and ctx:
            res.append(("lmbench:lat_ctx %s" % m.group(1), float(m.group(2)), False))
            continue
        m = re.match(r"^([\d.]+) ([\d.]+)$", l)
        if m and not ctx:   # bw_file_rd / bw_mmap_rd / lat_mmap: "size value"
            seen_key = "lmbench:size-value"
            seen[seen_key] = seen.get(seen_key, 0) + 1
            res.append(("lmbench:mb-%d" % seen[seen_key], float(m.group(2)), True))
    return res


def m_iozone(lines):
    res, section, auto = [], "", False
    cols = ["write", "rewrite", "read", "reread", "random read", "random write", "bkwd read",
            "record rewrite", "stride read", "fwrite", "frewrite", "fread", "freread"]
    for l in lines:
        if l.startswith("iozone "):
            section = l[len("iozone "):].strip()
        f = l.split()
        if len(f) == 15 and all(x.isdigit() for x in f):
            for c, v in zip(cols, f[2:]):
                res.append(("iozone:auto " + c, float(v), True))
            continue
        m = re.match(r"\s*Children see throughput for\s+\d+\s+(.+?)\s+=\s+([\d.]+) kB/sec", l)
        if m:
            res.append(("iozone:%s: %s" % (section, m.group(1)), float(m.group(2)), True))
    return res


def m_cyclictest(lines):
    res, name, avgs, maxs = [], None, [], []
    killed = any(re.match(r"====== kill hackbench: success", l) for l in lines)
    for l in lines:
        m = re.match(r"====== cyclictest (\S+) begin", l)
        if m:
            name, avgs, maxs = m.group(1), [], []
            continue
        m = re.search(r"C:\s*(\d+).*Avg:\s*(\d+)\s+Max:\s*(\d+)", l)
        if m and name and int(m.group(1)) > 0:   # a thread that never woke has no figures
            avgs.append(float(m.group(2)))
            maxs.append(float(m.group(3)))
        m = re.match(r"====== cyclictest (\S+) end: (\S+)", l)
        if m and name:
            ok = m.group(2) == "success" and avgs and killed
            res.append(("cyclictest:%s avg" % name, sum(avgs) / len(avgs) if ok else None, False))
            res.append(("cyclictest:%s max" % name, max(maxs) if ok else None, False))
            name = None
    return res


def m_libcbench(lines):
    res, name = [], None
    for l in lines:
        m = re.match(r"^(b_\S+) \((\d+)\)", l)
        if m:
            name = "%s(%s)" % m.groups()
            continue
        m = re.match(r"^\s*time: ([\d.]+)", l)
        if m and name:
            res.append(("libcbench:" + name, float(m.group(1)), False))
            name = None
    return res


def m_unixbench(lines):
    """Each "Unixbench NAME test(unit): N" line: loops, MFLOPS or KB/s, higher
    is better. (The judge runs unixbench without scoring it; we score it the
    benchmark way against Linux's figures, to compare.)"""
    res = []
    for l in lines:
        m = re.match(r"^Unixbench (\S+) test\([^)]*\): ([\d.]+)", l.strip())
        if m:
            res.append(("unixbench:" + m.group(1), float(m.group(2)), True))
    return res


METRICS = {"iperf": m_iperf, "unixbench": m_unixbench, "netperf": m_netperf, "lmbench": m_lmbench, "iozone": m_iozone,
           "cyclictest": m_cyclictest, "libcbench": m_libcbench}


def dedupe(metrics):
    """Keys made unique in order of appearance (a key seen twice gets #2)."""
    out, count = [], {}
    for k, v, hi in metrics:
        count[k] = count.get(k, 0) + 1
        out.append((k if count[k] == 1 else "%s #%d" % (k, count[k]), v, hi))
    return out


def metric_points(v, base, higher):
    if v is None or v <= 0:
        return 0.0
    if base is None or base <= 0:
        return 1.0
    if higher:
        return 1.0 if v <= base else 2.0 - base / v
    return 1.0 if v >= base else 2.0 - v / base


# ---- the point groups ----

def stage_count(stage, libc, what):
    if not stage:
        return None
    d = os.path.join(stage, libc)
    try:
        if what == "busybox":
            with open(os.path.join(d, "busybox_cmd.txt")) as f:
                return sum(1 for l in f if l.strip())
        if what == "lua":
            return len([x for x in os.listdir(d) if x.endswith(".lua")])
        if what == "libctest":
            n = 0
            for s in ("run-static.sh", "run-dynamic.sh"):
                p = os.path.join(d, s)
                if os.path.exists(p):
                    with open(p) as f:
                        n += sum(1 for l in f if "runtest.exe" in l)
            return n or None
    except OSError:
        return None
    return None


def score_group(group, libc, lines, stage, baselines):
    """(points, max, details) for one group's lines."""
    if group == "busybox":
        ok = sum(1 for l in lines if re.search(r"testcase busybox .* success$", l))  # `clear` prints before it
        total = stage_count(stage, libc, "busybox") or sum(1 for l in lines if "testcase busybox " in l)
        return ok, total, {}
    if group == "lua":
        ok = sum(1 for l in lines if re.search(r"testcase lua \S+ success$", l))
        total = stage_count(stage, libc, "lua") or sum(1 for l in lines if l.startswith("testcase lua "))
        return ok, total, {}
    if group == "libctest":
        ok = sum(1 for l in lines if l.strip() == "Pass!")
        total = stage_count(stage, libc, "libctest") or sum(1 for l in lines if l.startswith("========== START "))
        return ok, total, {}
    if group == "basic":
        import basic_rules
        return basic_rules.score(lines)
    if group == "ltp":
        ok = sum(1 for l in lines if re.match(r"^(FAIL LTP CASE \S+ : 0)$", l))
        total = sum(1 for l in lines if l.startswith("RUN LTP CASE "))
        return ok, total, {}
    if group in METRICS:
        ms = dedupe(METRICS[group](lines))
        pts, det = 0.0, {}
        for k, v, hi in ms:
            base = PUBLISHED.get(k, baselines.get(k))
            p = metric_points(v, base, hi)
            pts += p
            det[k] = (v, base, round(p, 3))
        # The metrics a complete run gives: those with a baseline (published or
        # recorded from Linux), or what this run printed if it printed more.
        known = set(k for k in list(PUBLISHED) + list(baselines) if k.startswith(group + ":"))
        return round(pts, 2), 2 * max(len(known), len(ms)), det
    return 0, 0, {}


def expected_max(group, libc, stage, kite_max, linux_max):
    m = stage_count(stage, libc, group)
    return m if m is not None else max(kite_max or 0, linux_max or 0)


def score_console(text, stage, baselines):
    bl = blocks(text)
    out = {}
    for name, (lines, ended) in bl.items():
        if "-" not in name:
            continue
        group, libc = name.rsplit("-", 1)
        pts, mx, det = score_group(group, libc, lines, stage, baselines)
        out[name] = {"points": pts, "max": mx, "ended": ended, "metrics": det}
    return out


def load_baselines(path):
    b = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for l in f:
                l = l.rstrip("\n")
                if not l or l.startswith("#"):
                    continue
                k, _, v = l.rpartition("\t")
                if num(v) is not None:
                    b[k] = float(v)
    return b


def record(path, linux):
    """Write the Linux figures (per metric: the mean over both C libraries)."""
    vals = {}
    for g in linux.values():
        for k, m in g["metrics"].items():
            if len(m) != 3:  # a point group's [points, maximum]: no figure
                continue
            if m[0]:
                vals.setdefault(k, []).append(m[0])
    with open(path, "w") as f:
        f.write("# Benchmark figures of the reference Linux on the Debian-program disk\n"
                "# (make oscomp LINUX=1; scripts/oscomp/score.py --record): the baselines\n"
                "# for the metrics whose OSComp baseline is not published. metric<TAB>value\n")
        for k in sorted(vals):
            f.write("%s\t%.4g\n" % (k, sum(vals[k]) / len(vals[k])))


def order_key(name):
    group, libc = name.rsplit("-", 1)
    gi = GROUPS.index(group) if group in GROUPS else len(GROUPS)
    return (0 if libc == "musl" else 1, gi, group)


def fmt(g):
    if g is None:
        return "%-16s" % "missing"
    p = g["points"]
    ps = ("%.2f" % p) if isinstance(p, float) and p != int(p) else str(int(p))
    return "%-16s" % ("%s/%d%s" % (ps, g["max"], "" if g["ended"] else " (no END)"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("console")
    ap.add_argument("--stage")
    ap.add_argument("--linux")
    ap.add_argument("--baselines")
    ap.add_argument("--record")
    ap.add_argument("--times", help="JSON {group: seconds} for the Kite column")
    ap.add_argument("--linux-times")
    ap.add_argument("--json")
    ap.add_argument("--label", default="Kite", help="the first column's name")
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    base = load_baselines(a.baselines)
    with open(a.console, errors="replace") as f:
        kite = score_console(f.read(), a.stage, base)
    linux = None
    if a.linux:
        with open(a.linux, errors="replace") as f:
            linux = score_console(f.read(), a.stage, base)
        if a.record:
            record(a.record, linux)
    times = json.load(open(a.times)) if a.times and os.path.exists(a.times) else {}
    ltimes = json.load(open(a.linux_times)) if a.linux_times and os.path.exists(a.linux_times) else {}
    names = sorted(set(kite) | set(linux or {}), key=order_key)
    head = "%-18s %-16s" % ("group", a.label)
    if linux is not None:
        head += " %-16s" % "Linux"
    print(head + "  time (s)")
    tot = [0.0, 0.0, 0.0]
    for n in names:
        k, l = kite.get(n), (linux or {}).get(n)
        line = "%-18s %s" % (n, fmt(k))
        if linux is not None:
            line += " " + fmt(l)
        t = "%s" % (("%.0f" % times[n]) if n in times else "-")
        if linux is not None:
            t += " / %s" % (("%.0f" % ltimes[n]) if n in ltimes else "-")
        print(line + "  " + t)
        tot[0] += k["points"] if k else 0
        tot[1] += l["points"] if l else 0
        tot[2] += max(k["max"] if k else 0, l["max"] if l else 0)
    total = "%-18s %-16s" % ("total", "%.2f/%d" % (tot[0], tot[2]))
    if linux is not None:
        total += " %-16s" % ("%.2f/%d" % (tot[1], tot[2]))
    print(total)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"kite": kite, "linux": linux}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
