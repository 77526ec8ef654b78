#!/usr/bin/env python3
"""ltp.py — run an LTP build on Kite and on the reference Linux, on the same
QEMU, and compare (the per-test table in docs/ltp.md).

    python3 testsuite/ltp/ltp.py run --ltp DIR [--system kite|linux|both]
                                     [--only "a b c"] [--out DIR]
    python3 testsuite/ltp/ltp.py table [--out DIR] [--rerun DIR ...] [--doc docs/ltp.md]
                                       [--section musl]

(`make ltp LTP=<checkout>` builds LTP with testsuite/ltp/build.sh and runs both.)

DIR is an installed LTP tree (it holds testcases/bin/ and runtest/syscalls),
built elsewhere for riscv64 against glibc (for example by the OSComp test
suite's own LTP build). Nothing here fetches or builds LTP.

Both systems boot the judge's QEMU machine (-m 1G, -smp 1, OpenSBI, the
test disk in virtio slot 0 — here a read-only FAT32 image holding DIR as
/ltp — restrict=on networking). Kite gets the runner in its initramfs
(EXTRA, with glibc's loader and libc in /lib) and init=/ltp-init.sh; the
reference Linux (scripts/build-linux-ref.sh) gets an initramfs with busybox,
the same /etc files and the same runner. testsuite/ltp/run-in-guest.sh runs
every test of the list and prints LTP-RESULT lines. A kernel that crashes
or stops printing (7 minutes) loses that test ("crash"/"hang") and is booted
again after it. Results: OUT/<system>.tsv (name, status, seconds) and
OUT/<system>-console.txt.
"""
import argparse, os, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "bench"))
import common  # noqa: E402

GLIBC = "/usr/riscv64-linux-gnu/lib"
IDLE_LIMIT = 420        # seconds without console output: the kernel is stuck
BOOT_LIMIT = 6 * 3600   # one boot at most


def sh(cmd):
    return subprocess.run(cmd, shell=True, check=True, text=True)


def judge_cmd(kernel, disk):
    return ["qemu-system-riscv64", "-machine", "virt", "-kernel", kernel, "-m", "1G", "-nographic",
            "-smp", "1", "-bios", "default",
            "-drive", f"file={disk},if=none,format=raw,id=x0,readonly=on",
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
            "-no-reboot", "-device", "virtio-net-device,netdev=net",
            "-netdev", "user,id=net,restrict=on", "-rtc", "base=utc"]


def make_disk(ltp, out):
    """A FAT32 image with the LTP tree as /ltp (rebuilt when the tree is newer)."""
    img = os.path.join(out, "ltp-disk.img")
    stamp = max(os.path.getmtime(os.path.join(ltp, d)) for d in ("testcases/bin", "runtest"))
    if os.path.exists(img) and os.path.getmtime(img) > stamp:
        return img
    size_mb = int(subprocess.run(["du", "-sm", ltp], text=True, stdout=subprocess.PIPE).stdout.split()[0])
    tmp = img + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    sh(f"truncate -s {size_mb * 2 + 64}M {tmp} && mkfs.vfat -F 32 {tmp} >/dev/null")
    sh(f"cd {ltp} && MTOOLS_SKIP_CHECK=1 mmd -i {tmp} ::/ltp && "
       f"MTOOLS_SKIP_CHECK=1 mcopy -s -i {tmp} testcases runtest ::/ltp/")
    os.replace(tmp, img)
    return img


INIT_COMMON = """
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mkdir -p /mnt/ltp /dev/shm /home/student
chown 1000:1000 /home/student
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t vfat -o ro /dev/vda /mnt/ltp || echo "LTP-ERROR cannot mount the LTP disk"
LTP_LIST=/ltp-list sh /run-in-guest.sh
poweroff -f
"""

KITE_INIT = "#!/bin/sh\n# Kite: /dev, /proc, /tmp, /dev/pts are mounted by the kernel\n" + INIT_COMMON

LINUX_INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname kite
ifconfig lo 127.0.0.1 up
""" + INIT_COMMON


def write_list(ltp, only, path):
    """The runtest lines to run (all of runtest/syscalls, or the named ones)."""
    want = set(only.split()) if only else None
    with open(os.path.join(ltp, "runtest", "syscalls")) as f, open(path, "w") as o:
        for line in f:
            w = line.split()
            if w and not w[0].startswith("#") and (want is None or w[0] in want):
                o.write(line)


def glibc_libs(dest):
    os.makedirs(dest, exist_ok=True)
    for lib in ("ld-linux-riscv64-lp64d.so.1", "libc.so.6", "libm.so.6"):
        shutil.copy(os.path.join(GLIBC, lib), dest)


def prepare_kite(out, list_file):
    stage = os.path.join(out, "kite-stage")
    shutil.rmtree(stage, ignore_errors=True)
    glibc_libs(os.path.join(stage, "lib"))
    with open(os.path.join(stage, "ltp-init.sh"), "w") as f:
        f.write(KITE_INIT)
    os.chmod(os.path.join(stage, "ltp-init.sh"), 0o755)
    shutil.copy(os.path.join(HERE, "run-in-guest.sh"), stage)
    shutil.copy(list_file, os.path.join(stage, "ltp-list"))
    kb = os.path.join(out, "kite-kernel")
    kernel = os.path.join(kb, "kernel-rv")
    sh(f"make -s -C {TOP} BUILD={kb} KERNEL_OUT={kernel} EXTRA={stage} all > {kb}.log 2>&1")
    return kernel, lambda after: f"init=/ltp-init.sh{' LTP_AFTER=' + after if after else ''}"


def prepare_linux(out, list_file):
    tp = common.read_make_vars(os.path.join(TOP, "build", "third-party.mk"))
    image = subprocess.run([os.path.join(TOP, "scripts", "build-linux-ref.sh")], check=True, text=True,
                           stdout=subprocess.PIPE).stdout.strip()
    root = os.path.join(out, "linux-root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "mnt", "root", "etc"]:
        os.makedirs(os.path.join(root, d))
    shutil.copy(tp["BUSYBOX_BIN"], os.path.join(root, "bin", "busybox"))
    for applet in subprocess.run(["qemu-riscv64", tp["BUSYBOX_BIN"], "--list-full"], text=True,
                                 stdout=subprocess.PIPE, check=True).stdout.split():
        path = os.path.join(root, applet)
        if applet != "bin/busybox" and not os.path.exists(path):
            os.symlink("/bin/busybox", path)
    glibc_libs(os.path.join(root, "lib"))
    sh(f"cp -R {TOP}/user/rootfs/etc/. {root}/etc/ && chmod 600 {root}/etc/shadow")
    with open(os.path.join(root, "init"), "w") as f:
        f.write(LINUX_INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    shutil.copy(os.path.join(HERE, "run-in-guest.sh"), root)
    shutil.copy(list_file, os.path.join(root, "ltp-list"))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    cpio = os.path.join(out, "linux-initramfs.cpio.gz")
    sh(f"cd {root} && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > {cpio}")
    return image, cpio


def boot_once(cmd, console):
    """Boot until LTP-DONE, a crash, or silence. Returns (text, how) with how
    'done', 'exit' (QEMU stopped), 'hang' or 'limit'."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(p.stdout.fileno(), False)
    out = b""
    t0 = last = time.time()
    how = "limit"
    with open(console, "ab") as log:
        while time.time() - t0 < BOOT_LIMIT:
            try:
                chunk = p.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                out += chunk
                log.write(chunk)
                log.flush()
                last = time.time()
                if b"LTP-DONE" in out:
                    how = "done"
                    break
            elif p.poll() is not None:
                how = "exit"
                break
            elif time.time() - last > IDLE_LIMIT:
                how = "hang"
                break
            else:
                time.sleep(0.5)
    p.kill()
    p.wait()
    return out.decode(errors="replace").replace("\r", ""), how


def run_system(system, args, disk, list_file):
    out = args.out
    console = os.path.join(out, f"{system}-console.txt")
    tsv = os.path.join(out, f"{system}.tsv")
    if os.path.exists(console):
        os.remove(console)
    names = [line.split()[0] for line in open(list_file)]
    if system == "kite":
        kernel, append = prepare_kite(out, list_file)
        base = judge_cmd(kernel, disk)
    else:
        image, cpio = prepare_linux(out, list_file)
        base = judge_cmd(image, disk) + ["-initrd", cpio]
        append = lambda after: "console=ttyS0 quiet" + (f" LTP_AFTER={after}" if after else "")
    results = {}
    after = None
    while True:
        cmd = base + ["-append", append(after)]
        text, how = boot_once(cmd, console)
        current = None
        for line in text.splitlines():
            m = re.match(r"LTP-START (\S+)", line)
            if m:
                current = m.group(1)
            m = re.match(r"LTP-RESULT (\S+) (\d+) (\d+)", line)
            if m:
                results[m.group(1)] = (m.group(2), m.group(3))
                current = None
        if how == "done":
            break
        if current is None:
            # died between tests (or before the first): nothing to blame
            done = [n for n in names if n in results]
            if not done or (after and done[-1] == after):
                print(f"{system}: boot failed ({how}) after {after}; giving up", flush=True)
                break
            after = done[-1]
            continue
        results[current] = ("crash" if how == "exit" else "hang", "-")
        print(f"{system}: {current} -> {results[current][0]}; booting again", flush=True)
        after = current
    with open(tsv, "w") as f:
        for n in names:
            st, secs = results.get(n, ("missing", "-"))
            f.write(f"{n}\t{st}\t{secs}\n")
    passed = sum(1 for n in names if results.get(n, ("",))[0] == "0")
    print(f"{system}: {passed} of {len(names)} passed ({tsv})", flush=True)


def cmd_run(args):
    os.makedirs(args.out, exist_ok=True)
    ltp = os.path.abspath(args.ltp)
    disk = make_disk(ltp, args.out)
    list_file = os.path.join(args.out, "list")
    write_list(ltp, args.only, list_file)
    systems = ["kite", "linux"] if args.system == "both" else [args.system]
    if len(systems) == 2:
        # the two boots in parallel: each is one QEMU process
        pid = os.fork()
        if pid == 0:
            run_system("linux", args, disk, list_file)
            os._exit(0)
        run_system("kite", args, disk, list_file)
        os.waitpid(pid, 0)
    else:
        run_system(systems[0], args, disk, list_file)


def load(path):
    r = {}
    if os.path.exists(path):
        for line in open(path):
            n, st, secs = line.rstrip("\n").split("\t")
            r[n] = st
    return r


def load_runs(system, out, reruns):
    """A system's results: the whole run in out, then each rerun directory
    (LTP_ONLY runs of a few tests) in order, a later result replacing an
    earlier one (a test a rerun did not reach keeps its first result)."""
    r = load(os.path.join(out, f"{system}.tsv"))
    for d in reruns:
        for n, st in load(os.path.join(d, f"{system}.tsv")).items():
            if st != "missing":
                r[n] = st
    return r


def word(st):
    return {"0": "pass", "32": "skip (TCONF)", "": "-"}.get(st, "fail" if st.isdigit() else st)


def cmd_table(args):
    kite = load_runs("kite", args.out, args.rerun)
    linux = load_runs("linux", args.out, args.rerun)
    names = list(linux)
    for n in kite:
        if n not in linux:
            names.append(n)
    kp = sum(1 for n in names if kite.get(n) == "0")
    lp = sum(1 for n in names if linux.get(n) == "0")
    only_linux = [n for n in names if linux.get(n) == "0" and kite.get(n) != "0"]
    only_kite = [n for n in names if kite.get(n) == "0" and linux.get(n) != "0"]
    lines = [f"{len(names)} tests; Linux passes {lp}, Kite passes {kp}; "
             f"{len(only_linux)} pass on Linux only, {len(only_kite)} on Kite only.", "",
             "| test | Linux | Kite | status |", "|---|---|---|---|"]
    for n in names:
        l, k = linux.get(n, ""), kite.get(n, "")
        lines.append(f"| {n} | {word(l)} ({l}) | {word(k)} ({k}) | {l == k and 'same' or ''} |")
    text = "\n".join(lines) + "\n"
    if args.doc:
        # the glibc table sits between <!-- ltp-table-begin/end -->, a
        # second C library's between <!-- ltp-musl-table-begin/end -->
        tag = f"ltp-{args.section}-" if args.section else "ltp-"
        doc = open(args.doc).read()
        for what, body in (("table", text), ("totals", lines[0] + "\n")):
            begin, end = f"<!-- {tag}{what}-begin -->", f"<!-- {tag}{what}-end -->"
            i, j = doc.index(begin) + len(begin), doc.index(end)
            doc = doc[:i] + "\n" + body + doc[j:]
        open(args.doc, "w").write(doc)
    else:
        sys.stdout.write(text)
    print(f"Linux {lp}, Kite {kp}; Linux only: {' '.join(only_linux)}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--ltp", required=True)
    r.add_argument("--system", default="both", choices=["kite", "linux", "both"])
    r.add_argument("--only", default="")
    r.add_argument("--out", default=os.path.join(TOP, "build", "ltp-run"))
    t = sub.add_parser("table")
    t.add_argument("--out", default=os.path.join(TOP, "build", "ltp-run"))
    t.add_argument("--doc", default="")
    t.add_argument("--rerun", action="append", default=[], help="a later run's --out (LTP_ONLY), overriding")
    t.add_argument("--section", default="", help="the doc's second table (e.g. musl)")
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    {"run": cmd_run, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()
