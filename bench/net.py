#!/usr/bin/env python3
"""net.py — network benchmarks on Kite and on the reference Linux, on the
same QEMU command, side by side (the numbers issue 5 asks for).

Usage: python3 bench/net.py [--runs 3] [--redis-n 100000] [--linux-redis-n N]
                            [--rr-rounds 10000] [--smp 1] [--iperf-only]
                            [--profile VARIANT]
--profile tcp (or udp, tcp_P5, ...: the names of the BENCH iperf3_* lines)
boots Kite once, iperf3 only, with the kernel profiler (/proc/kite/profile,
docs/performance.md) on during that variant, and prints the profile by
function (bench/profile.py's table).
A separate command, like bench/fs.py (bench/run.sh runs bench.py only). Not
part of `make test`: CI never runs benchmarks.
Environment: KITE_BUILD (default build/): work files go to
$KITE_BUILD/netbench/, where a Kite kernel is built from this tree with the
programs in its initramfs (make EXTRA=...).

Both systems boot the same initramfs: Kite embeds it, Linux (Debian's
linux-source-6.1, scripts/build-linux-ref.sh) gets the very same cpio file
with -initrd. It holds busybox, iperf3 (Debian trixie's riscv64 build:
glibc, dynamic, with its loader and libraries), redis-server, redis-cli and
redis-benchmark (musl) — all staged by testsuite/net/stage-programs.sh —,
bench/src/tcp_rr.c built static with musl, and the guest script NET_SH
below. Kite runs it as init; on Linux, LINUX_INIT first mounts /proc, /dev,
/tmp and configures lo and eth0 (10.0.2.15/24 via 10.0.2.2), which Kite
does by itself. The QEMU command differs only in -kernel, -initrd and
-append; the network is `-netdev user,restrict=on` with one port P (free on
the host, chosen at run time, given to the guest as HOSTPORT=P on the
kernel command line) forwarded as hostfwd=tcp:127.0.0.1:P-:P.

Measured, each boot once; every boot repeated --runs times; medians shown:
  iperf3 over 127.0.0.1: `iperf3 -s -p 5001 -D`, then
      `iperf3 -c 127.0.0.1 -p 5001 -t 2 -i 0` plain, -u -b 1000G, -P 5,
      -u -P 5 -b 1000G, -R, -u -R -b 1000G: the receiver line, in Mbit/s
  host -> guest: the guest runs `iperf3 -s -1 -p P`, the host runs Debian's
      own `iperf3 -c 127.0.0.1 -p P -t 5`: the receiver line, in Mbit/s
  redis-benchmark -h 127.0.0.1 -n N -q -t ping,set,get,incr,lpush,lpop
      against the guest's redis-server: requests/s per test
  tcp_rr: 1-byte request / 1-byte response over 127.0.0.1: round trips/s
Every QEMU command is printed. Numbers vary 10-30 % run to run on TCG, more
when other work shares the machine: compare within one run.
"""
import argparse, os, re, shutil, socket, statistics, subprocess, sys, time

from common import TOP, sh, read_make_vars, boot, parse_bench_lines

BUILD = os.path.abspath(os.environ.get("KITE_BUILD", os.path.join(TOP, "build")))
WORK = os.path.join(BUILD, "netbench")

NET_SH = r"""#!/bin/sh
# net.sh — bench/net.py's measurements, run in the guest (Kite: as init;
# Linux: from linux-init.sh). Prints "BENCH <name> <value> <unit>" lines.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
port=${HOSTPORT:-5201}
echo BENCH-START

# ---- iperf3 over 127.0.0.1: the six OSComp variants ----
iperf3 -s -p 5001 -D
sleep 1
iperf() { # name, client options
  name=$1; shift
  # PROFILE=name (Kite only): /proc/kite/profile around that variant
  if [ "${PROFILE:-}" = "$name" ]; then
    cat /proc/interrupts > /tmp/irq-before; echo 1 > /proc/kite/profile
  fi
  out=$(timeout 60 iperf3 -c 127.0.0.1 -p 5001 -t 2 -i 0 "$@" 2>&1)
  if [ "${PROFILE:-}" = "$name" ]; then
    echo 0 > /proc/kite/profile
    echo PROFILE-BEGIN; cat /proc/kite/profile; echo PROFILE-END
    echo IRQ-BEFORE; cat /tmp/irq-before; echo IRQ-AFTER; cat /proc/interrupts; echo IRQ-END
  fi
  rate=$(echo "$out" | grep receiver | tail -1 | grep -oE '[0-9.]+ [KMG]bits/sec')
  if [ -n "$rate" ]; then
    echo "BENCH iperf3_$name $rate"
  else
    echo "BENCH-ERROR iperf3_$name: $(echo "$out" | tail -2 | tr '\n' ' ')"
  fi
}
iperf tcp
iperf udp -u -b 1000G
iperf tcp_P5 -P 5
iperf udp_P5 -u -P 5 -b 1000G
iperf tcp_R -R
iperf udp_R -u -R -b 1000G
killall iperf3
sleep 1

# ---- host -> guest: the host runs iperf3 -c once it sees BENCH-HOST-READY ----
timeout 120 iperf3 -s -1 -p "$port" > /tmp/iperf3-host.log 2>&1 &
sleep 1
echo BENCH-HOST-READY
wait $!
echo BENCH-HOST-DONE
if [ "${IPERF_ONLY:-0}" = 1 ]; then echo BENCH-END; poweroff -f; fi

# ---- redis-benchmark against redis-server ----
redis-server --save "" --appendonly no > /tmp/redis.log 2>&1 &
i=0
while [ $i -lt 100 ] && [ "$(redis-cli ping 2>/dev/null)" != PONG ]; do sleep 0.2; i=$((i + 1)); done
timeout 7200 redis-benchmark -h 127.0.0.1 -n "$REDIS_N" -q -t ping,set,get,incr,lpush,lpop 2>&1 \
  | tr '\r' '\n' | grep 'requests per second' \
  | sed -E 's|^([A-Z_]+): ([0-9.]+) requests per second.*|BENCH redis_\1 \2 req/s|'
redis-cli shutdown nosave > /dev/null 2>&1
sleep 1

# ---- TCP request/response ----
/bench/tcp_rr "$RR_ROUNDS"
echo BENCH-END
poweroff -f
"""

LINUX_INIT = r"""#!/bin/sh
# linux-init.sh — Linux's first program for bench/net.py: what Kite's kernel
# does before init (file systems, the static network set-up), then net.sh.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
ifconfig lo 127.0.0.1 up
ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
route add default gw 10.0.2.2
exec /bench/net.sh
"""

# (key, label) in table order; the unit of every value is in UNITS.
ROWS = [("iperf3_tcp", "iperf3 lo TCP"), ("iperf3_udp", "iperf3 lo UDP -b 1000G"),
        ("iperf3_tcp_P5", "iperf3 lo TCP -P 5"), ("iperf3_udp_P5", "iperf3 lo UDP -P 5"),
        ("iperf3_tcp_R", "iperf3 lo TCP -R"), ("iperf3_udp_R", "iperf3 lo UDP -R"),
        ("host_to_guest", "iperf3 host -> guest TCP")]


def third_party():
    """The paths of the third-party builds (prepared and cached by make's helper)."""
    mk = os.path.join(WORK, "third-party.mk")
    sh(f"{TOP}/scripts/prepare-third-party.sh {mk} >&2")
    return read_make_vars(mk)


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def build(tp):
    """Build the shared initramfs (via Kite's kernel build) and find Linux's Image.
    Returns (Kite kernel, initramfs cpio, Linux Image)."""
    extra = os.path.join(WORK, "extra")
    shutil.rmtree(extra, ignore_errors=True)
    os.makedirs(os.path.join(extra, "bench"))
    sh(f"{TOP}/testsuite/net/stage-programs.sh {extra} >&2")
    cc = os.path.join(tp["MUSL_DIR"], "bin", "musl-gcc")
    sh(f"{cc} -static -O2 -Wall -o {extra}/bench/tcp_rr {TOP}/bench/src/tcp_rr.c")
    write_script(os.path.join(extra, "bench", "net.sh"), NET_SH)
    write_script(os.path.join(extra, "bench", "linux-init.sh"), LINUX_INIT)
    kbuild = os.path.join(WORK, "kite")
    kernel = os.path.join(kbuild, "kernel-rv")
    sh(f"make -s -C {TOP} BUILD={kbuild} KERNEL_OUT={kernel} EXTRA={extra} all")
    image = subprocess.run([os.path.join(TOP, "scripts", "build-linux-ref.sh")], check=True,
                           text=True, stdout=subprocess.PIPE).stdout.strip()
    return kernel, os.path.join(kbuild, "initramfs.cpio"), image


def free_port():
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qemu_cmd(name, kernel, cpio, image, port, redis_n, rr_rounds, smp=1, iperf_only=False,
             profile=""):
    """The same QEMU command for both systems; only -kernel/-initrd/-append differ.
    iperf_only: the guest stops after the iperf3 runs (127.0.0.1, then host -> guest)."""
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-m", "1G", "-nographic", "-smp", str(smp),
           "-bios", "default", "-no-reboot",
           "-device", "virtio-net-device,netdev=net",
           "-netdev", f"user,id=net,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:{port}"]
    env = f"HOSTPORT={port} REDIS_N={redis_n} RR_ROUNDS={rr_rounds} IPERF_ONLY={int(iperf_only)}"
    if profile:
        env += f" PROFILE={profile}"
    if name == "Kite":
        return cmd + ["-kernel", kernel, "-append", f"init=/bench/net.sh {env}"]
    return cmd + ["-kernel", image, "-initrd", cpio,
                  "-append", f"console=ttyS0 quiet rdinit=/bench/linux-init.sh {env}"]


def to_mbits(value, unit):
    return value * {"Kbits/sec": 1e-3, "Mbits/sec": 1.0, "Gbits/sec": 1e3}[unit]


def host_iperf(port):
    """Debian's iperf3 on the host against the guest's server: the receiver rate in Mbit/s."""
    cmd = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", "5"]
    print("  host: " + " ".join(cmd), flush=True)
    try:
        out = subprocess.run(cmd, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=60).stdout
    except subprocess.TimeoutExpired:
        return None
    m = re.search(r"([0-9.]+) ([KMG]bits/sec)\s+receiver", out)
    if not m:
        print("  host iperf3 failed: " + out.strip()[-300:])
        return None
    return to_mbits(float(m.group(1)), m.group(2))


def boot_and_measure(cmd, port, timeout):
    """Boot once, run the host side when the guest asks; return (results, console text)."""
    host = []
    def on_output(out):
        if not host and b"BENCH-HOST-READY" in out:
            host.append(host_iperf(port) or 0.0)
    _, text = boot(cmd, timeout, on_output)
    return parse(text, host[0] if host else None), text


def parse(text, host):
    """BENCH lines -> {name: value}: throughput in Mbit/s, the rest as printed."""
    res = {}
    for name, (value, unit) in parse_bench_lines(text).items():
        res[name] = to_mbits(value, unit) if unit.endswith("bits/sec") else value
    if host:
        res["host_to_guest"] = host
    return res


def unit_of(key):
    if key.startswith("redis_"):
        return "req/s"
    if key == "tcp_rr":
        return "rt/s"
    return "Mbit/s"


def table(results):
    """Print measurement, Kite, Linux and the ratio Kite/Linux (> 1: Kite is better)."""
    keys = [k for k, _ in ROWS]
    for r in results["Kite"] + results["Linux"]:
        keys += [k for k in r if k not in keys]
    labels = dict(ROWS)
    print(f"\n{'measurement':28} {'Kite':>18} {'Linux':>18} {'ratio':>7}")
    for k in keys:
        kv = [r[k] for r in results["Kite"] if k in r]
        lv = [r[k] for r in results["Linux"] if k in r]
        km = statistics.median(kv) if kv else None
        lm = statistics.median(lv) if lv else None
        cell = lambda v: f"{v:11.1f} {unit_of(k):6}" if v is not None else f"{'-':>11} {'':6}"
        ratio = f"{km / lm:6.2f}x" if km and lm else f"{'-':>7}"
        label = labels.get(k, k.replace("redis_", "redis ").replace("tcp_rr", "tcp_rr 1-byte"))
        print(f"{label:28} {cell(km)} {cell(lm)} {ratio}")


def profile_run(args, kernel, cpio, image):
    """One Kite boot, iperf3 only, the profiler on during args.profile."""
    import profile as kprofile
    port = free_port()
    cmd = qemu_cmd("Kite", kernel, cpio, image, port, 0, 0, args.smp, True, args.profile)
    print(" ".join(cmd), flush=True)
    _, text = boot_and_measure(cmd, port, 900)
    for line in text.splitlines():
        if line.startswith("BENCH"):
            print(line)
    m = re.search(r"PROFILE-BEGIN\n(.*)PROFILE-END", text, re.S)
    if not m:
        print("no profile in the console output:\n" + text[-1500:])
        return 1
    m2 = re.search(r"IRQ-BEFORE\n(.*)IRQ-END", text, re.S)
    if m2:
        print("/proc/interrupts before and after the variant:\n" + m2.group(1))
    path = os.path.join(WORK, f"profile-{args.profile}.txt")
    with open(path, "w") as f:
        f.write(m.group(1))
    print(f"(raw profile: {path})\n")
    kprofile.show(m.group(1), os.path.join(WORK, "kite", "kernel.elf"), top=40)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--redis-n", type=int, default=100000, help="redis-benchmark -n (both systems)")
    ap.add_argument("--linux-redis-n", type=int, help="a smaller -n for Linux only")
    ap.add_argument("--rr-rounds", type=int, default=10000, help="tcp_rr round trips")
    ap.add_argument("--smp", type=int, default=1, help="harts of both systems (QEMU -smp)")
    ap.add_argument("--iperf-only", action="store_true",
                    help="only iperf3 (over 127.0.0.1 and host -> guest)")
    ap.add_argument("--profile", metavar="VARIANT", help="profile Kite's kernel during one iperf3 variant")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    sh(f"{TOP}/scripts/setup-host.sh bench >&2")
    kernel, cpio, image = build(third_party())
    if args.profile:
        return profile_run(args, kernel, cpio, image)
    redis_n = {"Kite": args.redis_n, "Linux": args.linux_redis_n or args.redis_n}
    results = {"Kite": [], "Linux": []}
    for i in range(args.runs):
        for name in results:
            port = free_port()
            cmd = qemu_cmd(name, kernel, cpio, image, port, redis_n[name], args.rr_rounds,
                           args.smp, args.iperf_only)
            print(f"{name} run {i + 1}: {' '.join(cmd)}", flush=True)
            t0 = time.time()
            r, text = boot_and_measure(cmd, port, timeout=4 * 3600)
            with open(os.path.join(WORK, f"{name.lower()}-{i + 1}.log"), "w") as f:
                f.write(text)
            if "BENCH-END" not in text or "BENCH-ERROR" in text:
                print(f"{name}: run {i + 1} incomplete; console tail:\n{text[-1500:]}")
            if r:
                results[name].append(r)
            print(f"  ({time.time() - t0:.0f} s) " + ", ".join(f"{k} {v:g}" for k, v in r.items()),
                  flush=True)
    if not results["Kite"] or not results["Linux"]:
        print("no results from one of the systems")
        return 1
    table(results)
    print(f"\n(-smp {args.smp}; medians of {len(results['Kite'])} Kite and {len(results['Linux'])} Linux boots; "
          f"redis-benchmark -n {redis_n['Kite']} on Kite, {redis_n['Linux']} on Linux; "
          f"tcp_rr {args.rr_rounds} round trips; ratio = Kite / Linux: > 1 means Kite is better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
