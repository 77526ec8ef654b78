#!/bin/sh
# build-musl.sh — cross-build musl for riscv64 from Debian's source package.
#
# Output (printed on stdout): a sysroot $KITE_CACHE/musl-<version>/ with
#   lib/libc.a lib/libc.so (the dynamic loader) lib/crt*.o lib/musl-gcc.specs
#   include/ (musl headers + the kernel UAPI headers from linux-libc-dev-riscv64-cross)
# Built once per version; a stamp file marks a complete build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
cache=${KITE_CACHE:-$HOME/.cache/kite}
src=$("$here/fetch-source.sh" musl "$MUSL_VERSION")
ver=$(basename "$src"); ver=${ver#musl-}
# -r2: the build recipe's own version (bump it when this script changes).
out="$cache/musl-$ver-r2"
if [ -f "$out/.kite-built" ]; then echo "$out"; exit 0; fi

echo "build-musl: building musl $ver for riscv64 (about 1 minute)" >&2
build=$(mktemp -d "$cache/.build-musl.XXXXXX")
trap 'rm -rf "$build"' EXIT
rm -rf "$out"
(
  cd "$build"
  # syslibdir=/lib: dynamic programs ask for /lib/ld-musl-riscv64.so.1, as
  # on a real system. Installed into a scratch DESTDIR, then moved to $out.
  "$src/configure" --target=riscv64-linux-gnu CROSS_COMPILE=riscv64-linux-gnu- \
    --prefix="$out" --syslibdir=/lib --enable-wrapper=gcc >configure.log 2>&1 \
    || { tail -20 configure.log; exit 1; }
  make -j"$(nproc)" >make.log 2>&1 || { tail -30 make.log; exit 1; }
  make install DESTDIR="$build/dest" >install.log 2>&1 || { tail -30 install.log; exit 1; }
  mkdir -p "$out"
  cp -a "$build/dest$out/." "$out/"
  # For qemu-riscv64 -L "$out": the loader where programs look for it.
  ln -sf libc.so "$out/lib/ld-musl-riscv64.so.1"
) >&2 || { echo "build-musl: FAILED (see messages above)" >&2; exit 1; }

# The kernel UAPI headers (linux/, asm/, ...) that user programs include.
uapi=/usr/riscv64-linux-gnu/include
for d in asm asm-generic linux misc mtd rdma scsi sound video drm xen; do
  [ -d "$uapi/$d" ] && cp -r "$uapi/$d" "$out/include/"
done
touch "$out/.kite-built"
echo "$out"
