#!/bin/sh
# build.sh OUTDIR — build the process-ABI test programs (testsuite/abi) and
# gather everything they need into OUTDIR. Host side; used by
# testsuite/tests/abi-linux.sh and abi-kite.sh.
#
# OUTDIR gets:
#   static musl programs   helper proc thread mm signal futex time fd fdtimer pty hostile fpos pthread8
#                          devfs ptimer xattr inotify cred ipc locks extras loop mountapi sched tcpdisc
#                          splice newcalls procnew mqueue openat2 procmisc namespaces ipcns pidns userns usernscap usernsmnt ucounts propagation ptrace (the syscall surface)
#                          hang orphan badptr edges leaks exhaust (issue 9's hostile programs; badptr's cases
#                          are in badptr_table.h)
#                          smp smp_stress (several harts, the race stress)
#   lowexec                a static program linked at 0x1000 (lowexec.S, lowexec.lds)
#   dynamic programs       dyn_musl (+ libabi_dyn_musl.so), dyn_glibc (+ libabi_dyn_glibc.so)
#   real programs          lua (scripts/build-lua.sh), redis-server, redis-cli and
#                          redis-check-rdb (scripts/build-redis.sh)
#   lmbench/               lat_ctx and lat_fs from Debian trixie's riscv64 lmbench
#                          (the OSComp image's packages, scripts/oscomp/stage-debian.sh)
#                          with trixie's glibc loader and libraries in lmbench/lib
#   scripts                run.sh ash.sh redis.sh lmbench.sh ref-init.sh lua/*.lua
#   glibc/                 the glibc loader and the libraries dyn_glibc needs
#                          (from libc6-riscv64-cross), for Kite's /lib
# The musl sysroot comes from $KITE_BUILD/third-party.mk (MUSL_DIR), or
# from scripts/build-musl.sh when that file is missing. A program is
# rebuilt only when its sources are newer; a lock keeps two builds into
# the same OUTDIR apart. Progress goes to stderr.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$src/../.." && pwd)
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=${KITE_BUILD:-$top/build}

exec 9>>"$out/.build.lock"  # append: opening must not make the lock newer than the results
flock 9

musl=
[ -f "$build/third-party.mk" ] && musl=$(sed -n 's/^MUSL_DIR := //p' "$build/third-party.mk")
[ -n "$musl" ] && [ -x "$musl/bin/musl-gcc" ] || musl=$("$top/scripts/build-musl.sh")
MUSLCC="$musl/bin/musl-gcc"
GLIBCC=riscv64-linux-gnu-gcc
CFLAGS="-O2 -g -Wall -Wno-unused-result -I$src"

# stale OUT SRC... — is OUT missing or older than a source (or check.h)?
stale() {
  o=$1; shift
  [ -e "$o" ] || return 0
  for s in "$@" "$src/check.h" "$src/build.sh"; do
    [ "$s" -nt "$o" ] && return 0
  done
  return 1
}

progs="helper proc thread mm signal futex time fd fdtimer pty hostile fpos pthread8"
progs="$progs devfs ptimer xattr inotify splice newcalls procnew mqueue openat2 procmisc namespaces ipcns pidns userns usernscap usernsmnt ucounts propagation ptrace"  # the syscall-surface programs, one line of their own
progs="$progs sched"  # scheduling policies
progs="$progs smp smp_stress"  # several harts (docs/smp.md)
progs="$progs hang orphan badptr edges leaks exhaust"  # hostile programs (issue 9), one line of their own
progs="$progs cred ipc locks extras loop mountapi tcpdisc"  # users and permissions, System V IPC, file locks, extras, the new mount API
for p in $progs; do
  if stale "$out/$p" "$src/$p.c" $(ls "$src/$p"_*.h 2>/dev/null); then
    echo "  MUSLCC  abi/$p" >&2
    $MUSLCC -static $CFLAGS -o "$out/$p.tmp" "$src/$p.c" -lpthread
    mv "$out/$p.tmp" "$out/$p"
  fi
done

# A program linked at 0x1000, one PT_LOAD, no C library (hang.c runs it).
if stale "$out/lowexec" "$src/lowexec.S" "$src/lowexec.lds"; then
  echo "  AS      abi/lowexec" >&2
  $GLIBCC -nostdlib -static -Wl,-T,"$src/lowexec.lds" -Wl,-z,max-page-size=4096 -Wl,--build-id=none \
    -o "$out/lowexec" "$src/lowexec.S"
fi

# Dynamic programs: the same source against musl and against glibc, each
# dlopen()ing a library of ours built for the same C library.
if stale "$out/libabi_dyn_musl.so" "$src/dyn_lib.c"; then
  echo "  MUSLCC  abi/libabi_dyn_musl.so" >&2
  $MUSLCC $CFLAGS -shared -fPIC -o "$out/libabi_dyn_musl.so" "$src/dyn_lib.c"
fi
if stale "$out/dyn_musl" "$src/dyn_main.c"; then
  echo "  MUSLCC  abi/dyn_musl (dynamic)" >&2
  $MUSLCC $CFLAGS -DABI_LIBC='"musl"' -o "$out/dyn_musl" "$src/dyn_main.c" -lpthread
fi
if stale "$out/libabi_dyn_glibc.so" "$src/dyn_lib.c"; then
  echo "  GLIBCC  abi/libabi_dyn_glibc.so" >&2
  $GLIBCC $CFLAGS -shared -fPIC -o "$out/libabi_dyn_glibc.so" "$src/dyn_lib.c"
fi
if stale "$out/dyn_glibc" "$src/dyn_main.c"; then
  echo "  GLIBCC  abi/dyn_glibc (dynamic)" >&2
  $GLIBCC $CFLAGS -DABI_LIBC='"glibc"' -o "$out/dyn_glibc" "$src/dyn_main.c" -ldl -lpthread
fi

# The glibc loader and libraries dyn_glibc needs, found the way the loader
# finds them: follow DT_NEEDED from the program and each library.
gl=/usr/riscv64-linux-gnu/lib
mkdir -p "$out/glibc"
interp=$(riscv64-linux-gnu-readelf -l "$out/dyn_glibc" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
cp -pL "$gl/$(basename "$interp")" "$out/glibc/"
todo="$out/dyn_glibc $out/libabi_dyn_glibc.so"
while [ -n "$todo" ]; do
  next=
  for f in $todo; do
    for lib in $(riscv64-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [ -e "$out/glibc/$lib" ] && continue
      cp -pL "$gl/$lib" "$out/glibc/$lib"
      next="$next $out/glibc/$lib"
    done
  done
  todo=$next
done

# Real programs, built from Debian source packages (cached).
lua=$("$top/scripts/build-lua.sh")
cp -p "$lua" "$out/lua"
redis=$("$top/scripts/build-redis.sh")
cp -p "$redis/redis-server" "$redis/redis-cli" "$out/"
# redis-check-rdb is redis-server under another name (it looks at argv[0]).
ln -sf redis-server "$out/redis-check-rdb"

# lmbench's lat_ctx and lat_fs: Debian's binaries (glibc 2.41) with their
# own loader and libraries, apart from dyn_glibc's (the cross glibc).
eval "$(sed -n '/^PKGS="/,/"$/p' "$top/scripts/oscomp/stage-debian.sh")"  # sets PKGS
deb=$("$top/scripts/fetch-trixie-rv.sh" oscomp "$PKGS")
mkdir -p "$out/lmbench/lib"
for p in lat_ctx lat_fs; do cp -p "$deb/usr/lib/lmbench/bin/$p" "$out/lmbench/"; done
for l in ld-linux-riscv64-lp64d.so.1 libc.so.6; do cp -pL "$deb/usr/lib/riscv64-linux-gnu/$l" "$out/lmbench/lib/"; done

# Scripts.
cp -p "$src/run.sh" "$src/ash.sh" "$src/redis.sh" "$src/lmbench.sh" "$src/ref-init.sh" "$out/"
mkdir -p "$out/lua-tests"
cp -p "$src"/lua/*.lua "$out/lua-tests/"
chmod 755 "$out/run.sh" "$out/ash.sh" "$out/redis.sh" "$out/lmbench.sh" "$out/ref-init.sh"
echo "$out"
