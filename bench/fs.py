#!/usr/bin/env python3
"""fs.py — file-system benchmarks on Kite and on the reference Linux, on the
same QEMU command, side by side (the numbers issues 4 and 10 ask for).

Usage: python3 bench/fs.py [RUNS] [vfat|ext4|all]   (default 3 runs, all;
medians are shown)
Environment: KITE_BUILD (default build/) and KERNEL (default kernel-rv):
build first, e.g. `make BUILD=build/x KERNEL_OUT=build/x/kernel-rv all`
and run with KITE_BUILD=build/x KERNEL=build/x/kernel-rv.

Both systems boot the OSComp judge's QEMU command line (docs/judge.md,
with restrict=on) with two disks: slot 0 a runner disk holding
musl/fsbench_testcode.sh and bench/src/fsbench.c built static with musl,
slot 1 a fresh 512 MiB data disk for every boot: FAT32 (mkfs.vfat -F 32
-s 8), or ext4 (mkfs.ext4 with Debian's defaults: 4 KiB blocks, journal).
Kite finds the runner disk by itself (/init -> oscomp-run); Linux
(scripts/build-linux-ref.sh, built with ext4 and jbd2) also gets -initrd
(busybox and an /init that mounts the runner disk and runs the same script)
and -append. The script mounts the data disk with `mount -t <fs>` and runs:
  fsbench write  256 MiB in 1 MiB writes + fsync          (MB/s)
  umount, mount                                           (nothing cached)
  fsbench read   the same file                            (MB/s)
  fsbench create 1000 empty files in one directory        (ms; then + sync)
and on ext4 also:
  fsbench unlink the 1000 files, then sync                (ms)
  fsbench create 20,000 files; umount, mount; fsbench list the directory,
                 then again with lstat of every name      (ms)
  fsbench run    busybox tar x of musl's source tree (2,658 files, 13 MB,
                 from the runner disk), then sync         (ms)
Every QEMU command is printed. Numbers vary 10-30 % run to run on TCG:
compare within one run.
"""
import os, shutil, statistics, subprocess, sys
import common

from common import TOP, read_make_vars, boot, parse_bench_lines

BUILD = os.path.abspath(os.environ.get("KITE_BUILD", os.path.join(TOP, "build")))
KERNEL = os.path.abspath(os.environ.get("KERNEL", os.path.join(TOP, "kernel-rv")))
WORK = os.path.join(BUILD, "fsbench")
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1")


def judge_cmd(kernel, runner, data):
    """The judge's command line, a second disk in slot 1, restrict=on."""
    return ["qemu-system-riscv64", "-machine", "virt", "-kernel", kernel, "-m", "1G", "-nographic",
            "-smp", "1", "-bios", "default",
            "-drive", f"file={runner},if=none,format=raw,id=x0",
            "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
            "-drive", f"file={data},if=none,format=raw,id=x1",
            "-device", "virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1",
            "-no-reboot", "-device", "virtio-net-device,netdev=net",
            "-netdev", "user,id=net,restrict=on", "-rtc", "base=utc"]


def sh(cmd):
    return common.sh(cmd, env=ENV)


def third_party():
    return read_make_vars(os.path.join(BUILD, "third-party.mk"))


SCRIPT = """#!/bin/sh
# fsbench: the same script on Kite (OSComp runner) and Linux (its /init).
data=${FSBENCH_DATA:-/dev/vdb}
fs=$(cat ./fstype)
umount "/mnt/${data#/dev/}" 2>/dev/null  # Kite's /init mounted it: nothing may stay cached
mkdir -p /mnt/bench
mount -t $fs "$data" /mnt/bench || echo "BENCH-ERROR mount $data"
echo BENCH-START
./fsbench write /mnt/bench/big.bin 256
umount /mnt/bench && mount -t $fs "$data" /mnt/bench || echo "BENCH-ERROR remount"
./fsbench read /mnt/bench/big.bin
mkdir /mnt/bench/many
./fsbench create /mnt/bench/many 1000
if [ $fs = ext4 ]; then
  ./fsbench unlink /mnt/bench/many 1000
  mkdir /mnt/bench/big20k
  ./fsbench create /mnt/bench/big20k 20000
  umount /mnt/bench && mount -t $fs "$data" /mnt/bench || echo "BENCH-ERROR remount"
  ./fsbench list /mnt/bench/big20k
  mkdir /mnt/bench/src
  ./fsbench run fs_tar_x_musl busybox tar xf ./musl-src.tar -C /mnt/bench/src
fi
umount /mnt/bench
echo BENCH-END
"""

LINUX_INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /mnt/a
for d in vda vdb; do
  mount -t vfat /dev/$d /mnt/a 2>/dev/null || continue
  if [ -f /mnt/a/musl/fsbench_testcode.sh ]; then runner=$d; break; fi
  umount /mnt/a
done
case $runner in vda) data=/dev/vdb ;; *) data=/dev/vda ;; esac
cd /mnt/a/musl && FSBENCH_DATA=$data sh ./fsbench_testcode.sh
cd /
poweroff -f
"""


MUSL_SRC = os.path.join(os.environ.get("KITE_CACHE", os.path.expanduser("~/.cache/kite")), "src")


def runner_disk(tp, fs):
    """The runner disk for one file system: the script, fsbench, the tarball."""
    stage = os.path.join(WORK, "runner-" + fs, "musl")
    shutil.rmtree(os.path.dirname(stage), ignore_errors=True)
    os.makedirs(stage)
    cc = os.path.join(tp["MUSL_DIR"], "bin", "musl-gcc")
    sh(f"{cc} -static -O2 -Wall -o {stage}/fsbench {TOP}/bench/src/fsbench.c")
    with open(os.path.join(stage, "fsbench_testcode.sh"), "w") as f:
        f.write(SCRIPT)
    with open(os.path.join(stage, "fstype"), "w") as f:
        f.write(fs + "\n")
    if fs == "ext4":
        musl = [d for d in os.listdir(MUSL_SRC) if d.startswith("musl-")][0]
        sh(f"tar cf {stage}/musl-src.tar -C {MUSL_SRC} {musl}")
    runner = os.path.join(WORK, f"runner-{fs}.img")
    sh(f"truncate -s 64M {runner} && mkfs.vfat -F 32 -s 1 {runner} >/dev/null && "
       f"mcopy -s -i {runner} {stage} ::/")
    return runner


def build(tp, fs):
    runner = runner_disk(tp, fs)
    # Linux: busybox and the init above in an initramfs
    image = subprocess.run([os.path.join(TOP, "scripts", "build-linux-ref.sh")], check=True, text=True,
                           stdout=subprocess.PIPE).stdout.strip()
    root = os.path.join(WORK, "linux-root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ["bin", "sbin", "dev", "proc", "sys", "tmp", "mnt"]:
        os.makedirs(os.path.join(root, d))
    shutil.copy(tp["BUSYBOX_BIN"], os.path.join(root, "bin", "busybox"))
    for applet in ["sh", "mount", "umount", "mkdir", "poweroff", "echo", "cat"]:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(LINUX_INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    cpio = os.path.join(WORK, "linux-initramfs.cpio.gz")
    sh(f"cd {root} && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 > {cpio}")
    data = os.path.join(WORK, f"data-{fs}.img")
    kite = judge_cmd(KERNEL, runner, data)
    linux = judge_cmd(image, runner, data) + ["-initrd", cpio, "-append", "console=ttyS0 quiet"]
    return {"Kite": kite, "Linux": linux}, data


def fresh_disk(data, fs):
    if os.path.exists(data):
        os.remove(data)
    if fs == "ext4":
        sh(f"truncate -s 512M {data} && /sbin/mkfs.ext4 -q -F {data}")
    else:
        sh(f"truncate -s 512M {data} && mkfs.vfat -F 32 -s 8 {data} >/dev/null")


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    status = 0
    for fs in (["vfat", "ext4"] if which == "all" else [which]):
        print(f"\n=== {fs} ===", flush=True)
        status |= bench_fs(fs, runs)
    return status


def bench_fs(fs, runs):
    systems, data = build(third_party(), fs)
    for name, cmd in systems.items():
        print(f"{name}: {' '.join(cmd)}", flush=True)
    results = {k: [] for k in systems}
    for i in range(runs):
        for name, cmd in systems.items():
            fresh_disk(data, fs)
            _, text = boot(cmd, timeout=1800)
            if "BENCH-END" not in text or "BENCH-ERROR" in text:
                print(f"{name}: run {i + 1} failed; console tail:\n{text[-1500:]}")
                continue
            r = parse_bench_lines(text)
            results[name].append(r)
            print(f"{name} run {i + 1}: " + ", ".join(f"{k} {v[0]:g} {v[1]}" for k, v in r.items()), flush=True)
    if not results["Kite"] or not results["Linux"]:
        print("no complete runs on one of the systems")
        return 1
    print()
    print(f"{'measurement (' + fs + ')':26} {'Kite':>14} {'Linux':>14} {'Kite vs Linux':>14}")
    for n in results["Kite"][0]:
        kv = [r[n][0] for r in results["Kite"] if n in r]
        lv = [r[n][0] for r in results["Linux"] if n in r]
        if not kv or not lv:
            continue
        k, l, unit = statistics.median(kv), statistics.median(lv), results["Kite"][0][n][1]
        faster = (k / l if unit.endswith("/s") else l / k) if k and l else float("nan")
        print(f"{n:26} {k:10.1f} {unit:4} {l:9.1f} {unit:4} {faster:12.2f}x")
    print(f"\n(medians of {len(results['Kite'])} Kite and {len(results['Linux'])} Linux boots; "
          "the last column is how many times faster Kite is: > 1 means Kite wins)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
