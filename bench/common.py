"""common.py — what the benchmark scripts (bench.py, fs.py, net.py, the
boot's bootprof.py and boottime.py) share: running shell steps, reading the
third-party paths make prepared, the judge's QEMU command line, and
booting a QEMU command while watching its console for the BENCH lines
the guest prints.

Protocol of every guest benchmark script: it prints BENCH-START when it
begins measuring, one `BENCH <name> <value> <unit>` line per number, and
BENCH-END when it is done (the host then stops QEMU).
"""
import os, re, subprocess, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def sh(cmd, **kw):
    """Run a shell command; a failure raises (the benchmark cannot go on)."""
    return subprocess.run(cmd, shell=True, check=True, text=True, **kw)


def judge_qemu(kernel, disk):
    """The OSComp judge's QEMU command line (docs/judge.md; restrict=on, as
    in Kite's own tests) booting kernel with disk in virtio slot 0."""
    return ["qemu-system-riscv64", "-machine", "virt", "-kernel", kernel, "-m", "1G",
            "-nographic", "-smp", "1", "-bios", "default",
            "-drive", f"file={disk},if=none,format=raw,id=x0",
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0", "-no-reboot",
            "-device", "virtio-net-device,netdev=net", "-netdev", "user,id=net,restrict=on",
            "-rtc", "base=utc"]


def read_make_vars(path):
    """The `NAME := value` lines of a make fragment (e.g. third-party.mk) as a dict."""
    vals = {}
    for line in open(path):
        m = re.match(r"(\w+) := (.*)", line.strip())
        if m:
            vals[m.group(1)] = m.group(2)
    return vals


def boot(cmd, timeout, on_output=None):
    """Boot cmd once and read its console until BENCH-END or the time limit.

    on_output(text so far), if given, is called after every chunk (the
    network benchmark starts its host side when the guest asks for it).
    Returns (seconds from QEMU's start to BENCH-START or None, console text
    with carriage returns removed)."""
    t0 = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    t_start = None
    while time.time() < t0 + timeout:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        out += chunk
        if t_start is None and b"BENCH-START" in out:
            t_start = time.time() - t0
        if on_output:
            on_output(out)
        if b"BENCH-END" in out:
            break
    p.kill()
    p.wait()
    return t_start, out.decode(errors="replace").replace("\r", "")


def parse_bench_lines(text):
    """BENCH lines -> {name: (value, unit)}."""
    return {m.group(1): (float(m.group(2)), m.group(3))
            for m in re.finditer(r"BENCH (\w+) ([0-9.]+) (\S+)", text)}
