#!/usr/bin/env python3
"""run.py — `make oscomp`: build an OSComp-shaped test disk, boot kernel-rv
under the judge's exact QEMU command line with it, and print the scoreboard
(docs/oscomp.md).

    run.py [--linux] [--testsuite DIR] [--out DIR] [--timeout SECONDS]
           [--record-baselines] [--no-kite]

  --linux         also boot the reference Linux (scripts/build-linux-ref.sh)
                  on a fresh copy of the same disk, with Kite's initramfs
                  (-initrd, rdinit=/init: the same /init and runner), and print
                  its column beside Kite's
  --testsuite DIR the official suite's checkout instead of the Debian programs
  --timeout       the whole run's limit per kernel (default 3600 s, the judge's)
  --record-baselines  write the Linux figures to testsuite/oscomp/linux-baselines.txt
Environment: FS (vfat or ext4), OSCOMP_STAGE (the staging directory),
OSCOMP_GROUPS (only these groups' scripts: stage-debian.sh, stage-testsuite.sh),
OSCOMP_TS_LIBCS, OSCOMP_TS_JOBS, OSCOMP_TS_STAGE_ONLY (stage-testsuite.sh),
KITE_BUILD, KERNEL.

The console of each boot is kept in OUT (default $KITE_BUILD/oscomp) with
the host time at which each group started and ended, which is the group's
wall time in the scoreboard.
"""
import argparse, json, os, re, shutil, subprocess, sys, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(os.environ.get("KITE_BUILD", os.path.join(TOP, "build")))
KERNEL = os.path.abspath(os.environ.get("KERNEL", os.path.join(TOP, "kernel-rv")))
MARK = re.compile(r"#### OS COMP TEST GROUP (START|END) (\S+) ####")


def judge_cmd(kernel, disk):
    """The judge's command line, word for word (docs/judge.md), plus restrict=on."""
    return ["qemu-system-riscv64", "-machine", "virt", "-kernel", kernel, "-m", "1G", "-nographic",
            "-smp", "1", "-bios", "default",
            "-drive", "file=%s,if=none,format=raw,id=x0" % disk,
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
            "-no-reboot", "-device", "virtio-net-device,netdev=net",
            "-netdev", "user,id=net,restrict=on", "-rtc", "base=utc"]


def boot(cmd, console, timeout):
    """Run QEMU with stdin a single newline; keep the console and, per group,
    the host time from its START line to its END line (or to the next START
    if it never ended). Returns (exit status, {group: seconds}, seconds)."""
    print("oscomp: " + " ".join(cmd), file=sys.stderr)
    t0 = time.monotonic()
    starts, times = {}, {}
    last = None
    with open(console, "wb") as out:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        p.stdin.write(b"\n")
        p.stdin.close()
        deadline = t0 + timeout
        for raw in iter(p.stdout.readline, b""):
            out.write(raw)
            out.flush()     # the console can be watched while the run goes on
            now = time.monotonic()
            m = MARK.search(raw.decode("utf-8", "replace"))
            if m:
                kind, name = m.groups()
                if kind == "START":
                    if last and last not in times:
                        times[last] = now - starts[last]
                    starts[name] = now
                    last = name
                    print("oscomp:   %7.1f s  %s" % (now - t0, name), file=sys.stderr)
                elif name in starts:
                    times[name] = now - starts[name]
            if now > deadline:
                p.kill()
                print("oscomp: the %d s limit is over: QEMU killed" % timeout, file=sys.stderr)
                break
        st = p.wait()
    end = time.monotonic()
    if last and last not in times:
        times[last] = end - starts[last]
    return st, times, end - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--linux", action="store_true")
    ap.add_argument("--no-kite", action="store_true")
    ap.add_argument("--testsuite")
    ap.add_argument("--out", default=os.path.join(BUILD, "oscomp"))
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--record-baselines", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    suite = os.path.abspath(a.testsuite) if a.testsuite else "debian"
    img = os.path.join(a.out, "sdcard-rv.img")
    subprocess.run([os.path.join(TOP, "scripts", "mk-oscomp-image.sh"), img, suite], check=True,
                   stdout=subprocess.DEVNULL)
    stage = os.environ.get("OSCOMP_STAGE") or \
        os.path.join(BUILD, "oscomp-stage-" + ("testsuite" if a.testsuite else "debian"))
    baselines = os.path.join(TOP, "testsuite", "oscomp", "linux-baselines.txt")
    summary = {}
    score = [sys.executable, os.path.join(TOP, "scripts", "oscomp", "score.py"), "--stage", stage,
             "--baselines", baselines]
    if not a.no_kite:
        disk = os.path.join(a.out, "kite.img")
        shutil.copyfile(img, disk)
        st, times, secs = boot(judge_cmd(KERNEL, disk), os.path.join(a.out, "kite-console.txt"), a.timeout)
        json.dump(times, open(os.path.join(a.out, "kite-times.json"), "w"))
        summary["kite"] = {"status": st, "seconds": round(secs)}
        score += [os.path.join(a.out, "kite-console.txt"), "--times", os.path.join(a.out, "kite-times.json")]
    if a.linux:
        image = subprocess.run([os.path.join(TOP, "scripts", "build-linux-ref.sh")], check=True,
                               stdout=subprocess.PIPE, text=True).stdout.strip()
        disk = os.path.join(a.out, "linux.img")
        shutil.copyfile(img, disk)
        cmd = judge_cmd(image, disk) + ["-initrd", os.path.join(BUILD, "initramfs.cpio"),
                                        "-append", "console=ttyS0 quiet rdinit=/init"]
        st, times, secs = boot(cmd, os.path.join(a.out, "linux-console.txt"), a.timeout)
        json.dump(times, open(os.path.join(a.out, "linux-times.json"), "w"))
        summary["linux"] = {"status": st, "seconds": round(secs)}
        if a.no_kite:
            score += [os.path.join(a.out, "linux-console.txt"), "--label", "Linux",
                      "--times", os.path.join(a.out, "linux-times.json")]
        else:
            score += ["--linux", os.path.join(a.out, "linux-console.txt"),
                      "--linux-times", os.path.join(a.out, "linux-times.json")]
        if a.record_baselines:
            score += ["--record", baselines]
    score += ["--json", os.path.join(a.out, "scores.json")]
    board = subprocess.run(score, check=True, stdout=subprocess.PIPE, text=True).stdout
    with open(os.path.join(a.out, "scoreboard.txt"), "w") as f:
        f.write(board)
    print(board, end="")
    for k, v in summary.items():
        print("%s: the whole run took %d s (QEMU exit status %d)" % (k, v["seconds"], v["status"]))


if __name__ == "__main__":
    main()
