#!/bin/sh
# run.sh BIN DIR NAME — run the file-system test programs (testsuite/fs) in
# BIN on the directory DIR and print their PASS:/FAIL:/SKIP: lines. The same
# script runs on Kite (busybox sh, from fs-kite.sh's disk) and on Linux (the
# host's sh, programs under qemu-riscv64: see fs-linux.sh).
#
# NAME labels the run in the lines this script adds itself: a program that
# hangs (killed after 300 s) or stops without a FAIL line of its own gets
# "FAIL: fs/NAME/<program>/finished". "FS-RUN: NAME/<program>" says what is
# running (after a kernel crash the last one names the culprit).
# Environment: FS_RUN (a command to run the programs with, e.g.
# qemu-riscv64), FS_ROOT (passed on: the root of DIR's file system),
# FS_TMP (where the programs' output is collected; default /tmp).
bin=$1
dir=$2
name=$3
tmp=${FS_TMP:-/tmp}
for p in fs_open fs_io fs_dir fs_attr; do
  echo "FS-RUN: $name/$p"
  out=$tmp/fs-$name-$p.out
  # shellcheck disable=SC2086
  timeout -s KILL 300 ${FS_RUN:-} "$bin/$p" "$dir" > "$out" 2>&1
  st=$?
  cat "$out"
  if [ $st -eq 137 ]; then
    echo "FAIL: fs/$name/$p/finished (killed after 300 s: hung)"
  elif [ $st -ne 0 ] && ! grep -q '^FAIL:' "$out"; then
    echo "FAIL: fs/$name/$p/finished (exit status $st: crashed or stopped early)"
  fi
done
