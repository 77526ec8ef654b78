#!/bin/sh
# ref-init.sh — pid 1 on the reference Linux (testsuite/tests/abi-ref.sh):
# set up what Kite's kernel sets up before its init runs, and what a Linux
# system's init adds (docs/boot.md) — /proc, /sys, /dev with /dev/pts, a tmpfs
# on /dev/shm, the mqueue file system on /dev/mqueue, the /dev/fd and
# stdin/stdout/stderr links, /tmp — then run the programs named in
# ABI_PROGRAMS with run.sh and power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mkdir -p /sys && mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t tmpfs tmpfs /tmp
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
hostname kite-ref
ABI_PROGRAMS=$(echo "${ABI_PROGRAMS:-}" | tr , " ") sh /abi/run.sh
poweroff -f
