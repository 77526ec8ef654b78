#!/bin/sh
# build-netperf.sh — netperf and netserver for riscv64, static, with Kite's
# musl, from Debian 13's netperf source package (its patches applied,
# autoreconf'd as Debian's rules do, configured without Debian's --enable-demo,
# as the OSComp suite builds it). Prints the directory holding both programs,
# cached under $KITE_CACHE/netperf-<version>-<recipe hash>/. Progress on stderr.
#
# netlib.c includes <sched.h> inside a function; musl's header defines inline
# functions, which C forbids there: including it first (-include sched.h) makes
# the inner include a no-op. No source file is changed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
cache=${KITE_CACHE:-$HOME/.cache/kite}
musl=$("$here/build-musl.sh")
src=$("$here/fetch-trixie-rv.sh" source netperf "netperf=$NETPERF_VERSION")
hash=$(cat "$0" "$musl/.kite-built" | sha256sum | cut -c1-12)
out="$cache/netperf-$(echo "$NETPERF_VERSION" | tr ':+' '__')-$hash"
if [ -x "$out/netserver" ]; then echo "$out"; exit 0; fi
echo "build-netperf: building netperf (about a minute)" >&2
build=$(mktemp -d "$cache/.build-netperf.XXXXXX")
trap 'rm -rf "$build"' EXIT
cp -a "$src/." "$build/"
(
  cd "$build"
  autoreconf -f -i -I src/missing/m4
  ./configure --host=riscv64-linux-gnu CC="$musl/bin/musl-gcc" CFLAGS="-O2" \
    CPPFLAGS="-D_GNU_SOURCE -include sched.h" LDFLAGS=-static
  make -j2
) > "$build/build.log" 2>&1 || { tail -20 "$build/build.log" >&2; echo "build-netperf: FAILED" >&2; exit 1; }
mkdir -p "$out.tmp"
riscv64-linux-gnu-strip -o "$out.tmp/netperf" "$build/src/netperf"
riscv64-linux-gnu-strip -o "$out.tmp/netserver" "$build/src/netserver"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
