#!/bin/sh
# build.sh OUTDIR — compile the socket conformance tests (testsuite/net/*.c)
# as static musl riscv64 programs into OUTDIR. The musl toolchain comes from
# the build's third-party.mk (scripts/prepare-third-party.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$1
build=${KITE_BUILD:-$top/build}
musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk")
[ -x "$musl/bin/musl-gcc" ] || { echo "build.sh: no musl-gcc in $build/third-party.mk" >&2; exit 1; }
mkdir -p "$out"
for src in "$here"/*.c; do
  name=$(basename "$src" .c)
  "$musl/bin/musl-gcc" -static -O2 -Wall -Wno-unused-function -o "$out/$name" "$src"
done
