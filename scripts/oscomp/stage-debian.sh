#!/bin/sh
# stage-debian.sh DIR — the OSComp groups that Debian's programs make, staged
# in DIR for scripts/mk-oscomp-image.sh (SUITE=debian): busybox, lua, iozone,
# lmbench, cyclictest, iperf and netperf, in /musl and /glibc, each with the
# commands the OSComp scripts run (testsuite/oscomp/debian/: our scripts, our
# busybox command list and lua scripts; docs/oscomp.md).
#
# Where the programs come from (all from Debian's archive, none from GitHub):
#   glibc copies: Debian 13 (trixie) riscv64 binary packages — busybox-static,
#     lua5.4, iozone3 and lmbench (non-free), rt-tests (cyclictest, hackbench),
#     iperf3, netperf — with trixie's glibc loader and the libraries they load
#     in glibc/lib.
#   musl copies: built with Kite's musl from Debian source where the archive
#     serves it: busybox and lua (bookworm), netperf (trixie). iozone3,
#     lmbench, rt-tests and iperf3 sources are not served (404): their musl
#     copies are the same trixie glibc binaries, with what they load in
#     musl/lib (the runner links it into /lib beside musl's loader).
# OSCOMP_GROUPS (environment), e.g. "busybox lua netperf", stages only those
# groups' scripts (the programs are all staged; the runner runs the scripts
# it finds): testsuite/tests/oscomp-score.sh boots such a short disk.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$1
src=$top/testsuite/oscomp/debian
# Pinned trixie riscv64 versions (the loader and libraries with them).
PKGS="busybox-static=1:1.37.0-6+b9 lua5.4=5.4.7-1+b2 libreadline8t64=8.2-6 libtinfo6=6.5+20250216-2
iozone3=507-2 lmbench=3.0-a9+debian.1-9 rt-tests=2.6-1.1 libnuma1=2.0.19-1
libtirpc3t64=1.3.6+ds-1 libgssapi-krb5-2=1.21.3-5+deb13u1 libkrb5-3=1.21.3-5+deb13u1
libk5crypto3=1.21.3-5+deb13u1 libkrb5support0=1.21.3-5+deb13u1 libcom-err2=1.47.2-3+b12 libkeyutils1=1.6.3-6
netperf=2.7.0+git20210121.3bc455b+ds-3
iperf3=3.18-2+deb13u2 libiperf0=3.18-2+deb13u2 libsctp1=1.0.21+dfsg-1 libssl3t64=3.5.9-1~deb13u1
zlib1g=1:1.3.dfsg+really1.3.1-1+deb13u1 libzstd1=1.5.7+dfsg-1
libc6=2.41-12+deb13u5 libgcc-s1=14.2.0-19"
deb=$("$top/scripts/fetch-trixie-rv.sh" oscomp "$PKGS")
musl=$("$top/scripts/build-musl.sh")
busybox=$("$top/scripts/build-busybox.sh")
lua=$("$top/scripts/build-lua.sh")
netperf=$("$top/scripts/build-netperf.sh")

# needed_closure LIBDIR FILES... — copy into LIBDIR every shared library the
# dynamic FILES load (and what those load), from the trixie root.
needed_closure() {
  libdir=$1; shift
  todo="$*"
  while [ -n "$todo" ]; do
    next=
    for f in $todo; do
      for n in $(riscv64-linux-gnu-readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -e "$libdir/$n" ] && continue
        p=$(ls "$deb/usr/lib/riscv64-linux-gnu/$n" "$deb/usr/lib/$n" 2>/dev/null | head -1)
        [ -n "$p" ] || { echo "stage-debian: $n (needed by $(basename "$f")) is not in the packages" >&2; exit 1; }
        cp -L "$p" "$libdir/$n"
        next="$next $libdir/$n"
      done
    done
    todo=$next
  done
  # the loader itself, under the name programs ask for, and libgcc_s, which
  # glibc loads with dlopen (pthread_cancel, unwinding: iperf3 needs it)
  cp -L "$deb/usr/lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1" \
    "$deb/usr/lib/riscv64-linux-gnu/libgcc_s.so.1" "$libdir/"
}

for libc in musl glibc; do
  d=$stage/$libc
  mkdir -p "$d/lib"
  # busybox, lua, netperf: musl builds or the Debian binaries
  if [ $libc = musl ]; then
    cp "$busybox" "$d/busybox"
    cp "$lua" "$d/lua"
    cp "$netperf/netperf" "$netperf/netserver" "$d/"
    cp "$musl/lib/libc.so" "$d/lib/libc.so"
  else
    cp "$deb/usr/bin/busybox" "$d/busybox"
    cp "$deb/usr/bin/lua5.4" "$d/lua"
    cp "$deb/usr/bin/netperf" "$deb/usr/bin/netserver" "$d/"
  fi
  # the same Debian binaries in both
  cp "$deb/usr/bin/iozone" "$deb/usr/bin/cyclictest" "$deb/usr/bin/hackbench" "$deb/usr/bin/iperf3" "$d/"
  for p in lat_syscall lat_select lat_sig lat_pipe lat_proc lat_pagefault lat_mmap lat_fs lat_ctx \
           lmdd bw_pipe bw_file_rd bw_mmap_rd hello; do
    cp "$deb/usr/lib/lmbench/bin/$p" "$d/"
  done
  # the scripts and their data
  for s in "$src"/*_testcode.sh "$src/test.sh"; do
    g=$(basename "$s" _testcode.sh)
    if [ "$g" != test.sh ] && [ -n "${OSCOMP_GROUPS:-}" ]; then
      case " $OSCOMP_GROUPS " in *" $g "*) ;; *) continue ;; esac
    fi
    sed "s/@LIBC@/$libc/g" "$s" > "$d/$(basename "$s")"
  done
  cp "$src/busybox_cmd.txt" "$src"/lua/*.lua "$d/"
  chmod 755 "$d"/*_testcode.sh "$d/test.sh"
  # what the dynamic programs load
  dyn=
  for f in "$d"/*; do
    [ -f "$f" ] && riscv64-linux-gnu-readelf -d "$f" 2>/dev/null | grep -q NEEDED && dyn="$dyn $f"
  done
  needed_closure "$d/lib" $dyn
done
