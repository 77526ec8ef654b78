#!/bin/sh
# build-redis-benchmark.sh — build a static redis-benchmark for riscv64 with
# Kite's musl from Debian's redis source package (scripts/build-redis.sh
# builds the server and redis-cli the same way but does not keep the
# benchmark). Prints the directory holding redis-benchmark, cached under
# $KITE_CACHE/redis-benchmark-<version>-<recipe hash>/. Progress to stderr.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/scripts/versions.sh"
cache=${KITE_CACHE:-$HOME/.cache/kite}
musl=$("$top/scripts/build-musl.sh")
src=$("$top/scripts/fetch-source.sh" redis "$REDIS_VERSION")
ver=$(basename "$src"); ver=${ver#redis-}
hash=$(cat "$0" "$musl/.kite-built" | sha256sum | cut -c1-12)
out="$cache/redis-benchmark-$ver-$hash"
if [ -x "$out/redis-benchmark" ]; then echo "$out"; exit 0; fi
echo "build-redis-benchmark: building redis-benchmark $ver (about 1-2 minutes)" >&2
build=$(mktemp -d "$cache/.build-redis-benchmark.XXXXXX")
trap 'rm -rf "$build"' EXIT
cp -a "$src/." "$build/"
(
  cd "$build"
  make -j2 MALLOC=libc USE_JEMALLOC=no BUILD_TLS=no USE_SYSTEMD=no \
    CC="$musl/bin/musl-gcc -static" AR=riscv64-linux-gnu-ar RANLIB=riscv64-linux-gnu-ranlib \
    uname_S=Linux uname_M=riscv64 >make.log 2>&1 \
    || { grep -E 'error|Error' make.log | head -20; tail -20 make.log; exit 1; }
) >&2 || { echo "build-redis-benchmark: FAILED" >&2; exit 1; }
mkdir -p "$out.tmp"
riscv64-linux-gnu-strip -o "$out.tmp/redis-benchmark" "$build/src/redis-benchmark"
rm -rf "$out"; mv "$out.tmp" "$out"
echo "$out"
