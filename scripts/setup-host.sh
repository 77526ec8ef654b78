#!/bin/sh
# setup-host.sh — install the Debian packages Kite's build and tests need.
#
# Idempotent: a package is installed only when one of its commands/files is
# missing. Adds a deb-src entry (a copy of the system's bookworm `deb` entry)
# so that scripts/fetch-source.sh can run `apt-get source`.
set -eu

# package : a file that proves it is installed
PKGS="
gcc-riscv64-linux-gnu:/usr/bin/riscv64-linux-gnu-gcc
binutils-riscv64-linux-gnu:/usr/bin/riscv64-linux-gnu-ld
linux-libc-dev-riscv64-cross:/usr/riscv64-linux-gnu/include/linux/types.h
libc6-riscv64-cross:/usr/riscv64-linux-gnu/lib/libc.so.6
libc6-dev-riscv64-cross:/usr/riscv64-linux-gnu/include/stdio.h
qemu-system-misc:/usr/bin/qemu-system-riscv64
qemu-user:/usr/bin/qemu-riscv64
qemu-user-static:/usr/bin/qemu-riscv64-static
opensbi:/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
dosfstools:/usr/sbin/mkfs.vfat
mtools:/usr/bin/mcopy
device-tree-compiler:/usr/bin/dtc
cpio:/usr/bin/cpio
dpkg-dev:/usr/bin/dpkg-source
gdb-multiarch:/usr/bin/gdb-multiarch
python3:/usr/bin/python3
xz-utils:/usr/bin/xz
bzip2:/usr/bin/bzip2
util-linux:/usr/bin/unshare
iproute2:/usr/sbin/ip
iperf3:/usr/bin/iperf3
redis-tools:/usr/bin/redis-cli
"

# `setup-host.sh bench`: also what building the reference Linux needs.
if [ "${1:-}" = bench ]; then
  PKGS="$PKGS
flex:/usr/bin/flex
bison:/usr/bin/bison
bc:/usr/bin/bc
libssl-dev:/usr/include/openssl/ssl.h
libelf-dev:/usr/include/libelf.h
"
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup-host: not root and no sudo; install these packages by hand:" >&2
    echo "$PKGS" | cut -d: -f1 >&2
    exit 1
  fi
fi

missing=""
for entry in $PKGS; do
  pkg=${entry%%:*}; file=${entry#*:}
  [ -e "$file" ] || missing="$missing $pkg"
done

# deb-src entry for `apt-get source` (bookworm main), added once.
SRCLIST=/etc/apt/sources.list.d/kite-deb-src.sources
need_update=""
if [ ! -f "$SRCLIST" ]; then
  echo "setup-host: adding deb-src entry $SRCLIST"
  $SUDO sh -c "cat > $SRCLIST" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  need_update=1
fi

# Two builds started at once (two work trees, or a test's setup while
# another runs) take turns here, and apt waits for a dpkg run of anyone
# else's rather than failing on its lock.
if [ -n "$missing" ] || [ -n "$need_update" ]; then
  exec 9> "${TMPDIR:-/tmp}/kite-setup-host.lock"
  flock 9
fi
APT_WAIT="-o DPkg::Lock::Timeout=900"

if [ -n "$missing" ] || [ -n "$need_update" ]; then
  echo "setup-host: apt-get update"
  $SUDO apt-get $APT_WAIT update -qq || { echo "setup-host: apt-get update failed" >&2; exit 1; }
fi
if [ -n "$missing" ]; then
  echo "setup-host: installing$missing"
  # iperf3 (the host side of testsuite/tests/net-host.sh and bench/net.py)
  # asks whether to start a daemon: no, it would take port 5201 on the host.
  echo "iperf3 iperf3/start_daemon boolean false" | $SUDO debconf-set-selections
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get $APT_WAIT install -y -qq --no-install-recommends $missing \
    || { echo "setup-host: apt-get install failed for:$missing" >&2; exit 1; }
fi
exit 0
