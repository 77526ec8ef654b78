#!/bin/sh
# build-lua.sh — build a static lua 5.4 interpreter for riscv64 with Kite's
# musl, from Debian's lua5.4 source package.
#
# Debian's build patch makes lua a libtool build, which is in the way of a
# cross build; we compile src/*.c (minus luac.c) directly instead, with
# LUA_USE_POSIX (os.tmpname via mkstemp, io.popen) and LUA_COMPAT_5_3, plus
# the one header Debian's luaconf.h expects (lua5.4-deb-multiarch.h).
#
# Output (stdout): the path of the lua binary, cached under
# $KITE_CACHE/lua-<version>-<recipe hash>/lua. Progress goes to stderr.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
cache=${KITE_CACHE:-$HOME/.cache/kite}
musl=$("$here/build-musl.sh")
src=$("$here/fetch-source.sh" lua5.4 "$LUA_VERSION")
ver=$(basename "$src"); ver=${ver#lua5.4-}
hash=$(cat "$0" "$musl/.kite-built" | sha256sum | cut -c1-12)
out="$cache/lua-$ver-$hash"
if [ -x "$out/lua" ]; then echo "$out/lua"; exit 0; fi

echo "build-lua: building lua $ver (about 15 seconds)" >&2
build=$(mktemp -d "$cache/.build-lua.XXXXXX")
trap 'rm -rf "$build"' EXIT
echo '#define DEB_HOST_MULTIARCH "riscv64-linux-musl"' > "$build/lua5.4-deb-multiarch.h"
(
  cd "$build"
  for c in "$src"/src/*.c; do
    case $(basename "$c") in luac.c) continue ;; esac
    "$musl/bin/musl-gcc" -static -O2 -std=gnu99 -DLUA_USE_POSIX -DLUA_COMPAT_5_3 \
      -I"$build" -I"$src/src" -c -o "$build/$(basename "$c" .c).o" "$c" || exit 1
  done
  "$musl/bin/musl-gcc" -static -o "$build/lua" "$build"/*.o -lm || exit 1
) >&2 || { echo "build-lua: FAILED" >&2; exit 1; }
mkdir -p "$out"
riscv64-linux-gnu-strip -o "$build/lua.stripped" "$build/lua"
mv "$build/lua.stripped" "$out/lua" # atomic: a concurrent build may finish first
echo "$out/lua"
