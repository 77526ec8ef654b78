#!/bin/sh
# build-redis.sh — build static redis-server, redis-cli, redis-check-rdb and
# redis-benchmark (the network tests and bench/net.py)
# for riscv64 with Kite's musl, from Debian's redis source package.
#
# libc malloc instead of jemalloc, no TLS, no systemd. AR and RANLIB are
# given explicitly: otherwise redis's bundled lua is archived with the
# host's tools.
#
# Output (stdout): the directory holding redis-server, redis-cli, redis-benchmark and
# redis-check-rdb, cached under $KITE_CACHE/redis-<version>-<recipe hash>/.
# Progress goes to stderr.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
cache=${KITE_CACHE:-$HOME/.cache/kite}
musl=$("$here/build-musl.sh")
src=$("$here/fetch-source.sh" redis "$REDIS_VERSION")
ver=$(basename "$src"); ver=${ver#redis-}
hash=$(cat "$0" "$musl/.kite-built" | sha256sum | cut -c1-12)
out="$cache/redis-$ver-$hash"
if [ -x "$out/redis-server" ]; then echo "$out"; exit 0; fi

echo "build-redis: building redis $ver (about 1-2 minutes)" >&2
build=$(mktemp -d "$cache/.build-redis.XXXXXX")
trap 'rm -rf "$build"' EXIT
# redis builds in its source tree: build in a copy, so the cached source
# stays pristine.
cp -a "$src/." "$build/"
(
  cd "$build"
  make -j2 MALLOC=libc USE_JEMALLOC=no BUILD_TLS=no USE_SYSTEMD=no \
    CC="$musl/bin/musl-gcc -static" AR=riscv64-linux-gnu-ar RANLIB=riscv64-linux-gnu-ranlib \
    uname_S=Linux uname_M=riscv64 >make.log 2>&1 \
    || { grep -E 'error|Error' make.log | head -20; tail -20 make.log; exit 1; }
) >&2 || { echo "build-redis: FAILED" >&2; exit 1; }
mkdir -p "$build/out"
for p in redis-server redis-cli redis-check-rdb redis-benchmark; do
  riscv64-linux-gnu-strip -o "$build/out/$p" "$build/src/$p"
done
# Atomic: if a concurrent build got there first, keep its result.
mv -T "$build/out" "$out" 2>/dev/null || [ -x "$out/redis-server" ]
echo "$out"
