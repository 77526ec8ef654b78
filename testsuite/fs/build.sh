#!/bin/sh
# build.sh OUTDIR — build the file-system test programs (testsuite/fs) into
# OUTDIR, static, with musl. Host side; used by testsuite/tests/fs-linux.sh,
# fs-kite.sh, storage.sh and scripts/mk-oscomp-image.sh.
#
# OUTDIR gets: fs_open fs_io fs_dir fs_attr (the system-call checks),
# fsync_writer (the power-off test's writer), run.sh, tree.sh.
# The musl sysroot comes from $KITE_BUILD/third-party.mk (MUSL_DIR), or from
# scripts/build-musl.sh when that file is missing. A program is rebuilt only
# when its sources are newer; a lock keeps two builds into one OUTDIR apart.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$src/../.." && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${KITE_BUILD:-$top/build}

exec 9>"$out/.build.lock"
flock 9

musl=
[ -f "$build/third-party.mk" ] && musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk")
[ -n "$musl" ] && [ -x "$musl/bin/musl-gcc" ] || musl=$("$top/scripts/build-musl.sh")
CFLAGS="-O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-unused-result -Wno-format-truncation -I$src -I$top/testsuite/abi"

# stale OUT SRC... — is OUT missing or older than a source (or a header)?
stale() {
  o=$1; shift
  [ -e "$o" ] || return 0
  for s in "$@" "$src/fstest.h" "$top/testsuite/abi/check.h" "$src/build.sh"; do
    [ "$s" -nt "$o" ] && return 0
  done
  return 1
}

for p in fs_open fs_io fs_dir fs_attr fsync_writer; do
  if stale "$out/$p" "$src/$p.c"; then
    echo "  MUSLCC  fs/$p" >&2
    "$musl/bin/musl-gcc" -static $CFLAGS -o "$out/$p.tmp" "$src/$p.c"
    mv "$out/$p.tmp" "$out/$p"
  fi
done
cp "$src/run.sh" "$src/tree.sh" "$out/"
chmod 755 "$out/run.sh" "$out/tree.sh"
echo "$out"
