#!/bin/sh
# stage-testsuite.sh CHECKOUT DIR — the official OSComp test suite (a
# checkout of oscomp/testsuits-for-oskernel or its fork
# Azure-stars/testsuits-for-oskernel, branch main), built the way its own
# Makefile does and staged in DIR for scripts/mk-oscomp-image.sh
# (`make oscomp TESTSUITE=CHECKOUT`; docs/oscomp.md).
#
# The suite's Makefile.sub is run once per C library and group, each group
# into a directory of its own ($KITE_BUILD/oscomp-ts/<libc>/<group>; a group
# that fails to build is reported and left out; the others go on):
#   musl:  PREFIX=riscv64-linux-musl- — wrappers (in $KITE_BUILD/oscomp-ts/tc)
#          around Kite's musl (riscv64-linux-gnu-gcc with musl's specs) and
#          Debian's riscv64 binutils
#   glibc: PREFIX=riscv64-linux-gnu- — Debian's cross gcc and glibc
# then, as the suite's Makefile does: the groups merged into <libc>, the C
# library's loader and libraries in <libc>/lib, and "-musl"/"-glibc" added to
# the group names in the scripts.
# A group's build is kept and reused while the checkout's HEAD, the toolchain
# wrappers, Kite's musl and the group's recipe (RECIPE and its prepare_ hook
# below) are the same: fixing one group rebuilds only that group.
#
# Environment:
#   OSCOMP_TS_GROUPS  the Makefile.sub targets to build (default: every group
#                     but ltp, whose build takes hours on two cores)
#   OSCOMP_TS_LIBCS   "musl glibc" (default) or one of them: build only that
#                     one (two builds can then run at once, one per C library)
#   OSCOMP_TS_JOBS    make's -j (default 2)
#   OSCOMP_GROUPS     stage only these groups' scripts (script names:
#                     "libctest unixbench"; the programs are all staged)
#   OSCOMP_TS_STAGE_ONLY=1  do not build: stage what was built
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
src=$(cd "$1" && pwd)
stage=$2
groups=${OSCOMP_TS_GROUPS:-basic busybox lua libc-test iozone iperf libcbench lmbench_src cyclictest netperf unixbench}
libcs=${OSCOMP_TS_LIBCS:-musl glibc}
jobs=${OSCOMP_TS_JOBS:-2}
# Bump when the way every group is built changes (a change to one group
# goes in its prepare_ hook, which is part of that group's key).
RECIPE=2
w=$build/oscomp-ts
mkdir -p "$w"
musl=$("$top/scripts/build-musl.sh")

# ---- the musl cross toolchain the suite expects ----
# (A musl toolchain ships libatomic, which numactl's configure looks for:
# gcc's own, from the cross sysroot, is on the musl wrapper's search path.)
tc=$w/tc
mkdir -p "$tc/lib"
# put FILE: stdin becomes FILE, replaced whole and only when it changed (a
# build of the other C library may be running with these files).
put() {
  cat > "$1.new.$$"
  if cmp -s "$1.new.$$" "$1"; then rm -f "$1.new.$$"; else chmod 755 "$1.new.$$"; mv -f "$1.new.$$" "$1"; fi
}
put "$tc/lib/libatomic.a" < "$(riscv64-linux-gnu-gcc -print-file-name=libatomic.a)"
printf '#!/bin/sh\nexec "%s/bin/musl-gcc" "$@" -L"%s/lib"\n' "$musl" "$tc" | put "$tc/riscv64-linux-musl-gcc"
put "$tc/riscv64-linux-musl-cc" < "$tc/riscv64-linux-musl-gcc"
for t in ar ranlib strip objcopy objdump nm ld as readelf size; do
  printf '#!/bin/sh\nexec riscv64-linux-gnu-%s "$@"\n' "$t" | put "$tc/riscv64-linux-musl-$t"
done
# The suite's Makefile.sub runs `make -j` (no number: as many jobs as there
# are files) for busybox, iozone and iperf, and `make -j 8` for netperf:
# hundreds of compilers at once on a shared machine. A `make` first on PATH
# turns every -j into -j$OSCOMP_TS_JOBS (default 2).
put "$tc/make" <<EOF
#!/bin/sh
skip=
for a; do
  shift
  if [ -n "\$skip" ]; then skip=; case "\$a" in [0-9]*) continue ;; esac; fi
  case "\$a" in
    -j) set -- "\$@" -j$jobs; skip=1 ;;
    -j[0-9]*|--jobs*) set -- "\$@" -j$jobs ;;
    *) set -- "\$@" "\$a" ;;
  esac
done
exec $(command -v make) "\$@"
EOF
export PATH="$tc:$PATH"
# configure scripts (iperf's) find this host's OpenSSL headers and then fail
# to link the riscv64 libraries it does not have: the suite's builders have
# no OpenSSL, so neither do we (a site file, read by every configure).
printf 'with_openssl=no\n' | put "$w/config.site"
export CONFIG_SITE="$w/config.site"

# The checkout's directories each Makefile.sub target reads (copied afresh
# before the group builds: the build writes into its tree).
srcdirs() {
  case "$1" in
    basic) echo basic scripts ;;
    busybox) echo busybox config scripts ;;
    lua) echo lua scripts ;;
    libc-test) echo libc-test scripts ;;
    iozone) echo iozone scripts ;;
    unixbench) echo UnixBench scripts ;;
    iperf) echo iperf scripts ;;
    libcbench) echo libc-bench scripts ;;
    lmbench_src) echo lmbench_src scripts ;;
    cyclictest) echo rt-tests scripts ;;
    ltp) echo ltp-full-20240524 scripts ;;
    netperf) echo netperf scripts ;;
    *) echo "$1" scripts ;;
  esac
}

# prepare_<group> SRC LIBC: what a group needs before its Makefile.sub target
# runs, for reasons of ours (this host, our toolchains), never the suite's.
# (None yet.)

# The key of a group's build.
group_key() { # group libc
  { git -C "$src" rev-parse HEAD 2>/dev/null || ls -l --full-time "$src"
    echo "$RECIPE $1 $2"
    cat "$tc"/riscv64-* "$tc/make" "$w/config.site" "$musl/.kite-built"
    sed -n "/^prepare_$(echo "$1" | tr - _)()/,/^}/p" "$0"
  } | sha256sum | cut -c1-12
}

build_group() { # group libc prefix
  g=$1; libc=$2; prefix=$3
  out=$w/$libc/$g
  key=$(group_key "$g" "$libc")
  if [ -f "$out/.kite-$key" ]; then
    echo "stage-testsuite: $libc: $g: built before" >&2
    return
  fi
  [ -n "${OSCOMP_TS_STAGE_ONLY:-}" ] && { echo "stage-testsuite: $libc: $g: not built" >&2; return; }
  s=$w/src-$libc
  rm -rf "$out"
  mkdir -p "$out" "$s"
  cp -p "$src/Makefile.sub" "$s/"
  for d in $(srcdirs "$g"); do
    rm -rf "${s:?}/$d"
    [ -e "$src/$d" ] && cp -a "$src/$d" "$s/$d"
  done
  if command -v "prepare_$(echo "$g" | tr - _)" > /dev/null 2>&1; then
    "prepare_$(echo "$g" | tr - _)" "$s" "$libc"
  fi
  echo "stage-testsuite: $libc: building $g ($(date -u +%H:%M:%S))" >&2
  if "$tc/make" -C "$s" -f Makefile.sub "$g" ARCH=riscv64 PREFIX="$prefix" DESTDIR="$out" \
       NPROC="$jobs" > "$w/$libc-$g.log" 2>&1; then
    echo "stage-testsuite: $libc: $g built ($(date -u +%H:%M:%S))" >&2
    touch "$out/.kite-$key"
  else
    echo "stage-testsuite: $libc: $g FAILED (see $w/$libc-$g.log; left out)" >&2
    tail -5 "$w/$libc-$g.log" | sed 's/^/    /' >&2
  fi
  for d in $(srcdirs "$g"); do
    [ "$d" = scripts ] || rm -rf "${s:?}/$d"
  done
}

for libc in $libcs; do
  case $libc in musl) prefix=riscv64-linux-musl- ;; *) prefix=riscv64-linux-gnu- ;; esac
  for g in $groups; do
    build_group "$g" "$libc" "$prefix"
  done
done

# ---- the staged disk: the groups that built, merged as Makefile.sub's
# DESTDIR would hold them ----
mkdir -p "$stage"
for libc in musl glibc; do
  d=$stage/$libc
  rm -rf "${d:?}"
  mkdir -p "$d/lib"
  for g in $groups; do
    if ls "$w/$libc/$g"/.kite-* > /dev/null 2>&1; then
      cp -a "$w/$libc/$g/." "$d/"
    fi
  done
  rm -f "$d"/.kite-*
  if [ "$libc" = musl ]; then
    cp "$musl/lib/libc.so" "$d/lib/libc.so"
  else
    for f in libc.so.6 libm.so.6 ld-linux-riscv64-lp64d.so.1; do
      cp -L "/usr/riscv64-linux-gnu/lib/$f" "$d/lib/$f"
    done
  fi
  # The fork's tree holds every file as 100644 (the original repository
  # keeps 100755 on its scripts) and libc-test's run-*.sh are written by
  # echo: the scripts the groups run as ./test.sh, ./run-static.sh ... are
  # made executable, as they must be on the judge's disk.
  chmod 755 "$d"/*.sh
  for s in "$d"/*_testcode.sh; do
    [ -f "$s" ] || continue
    if [ -n "${OSCOMP_GROUPS:-}" ]; then
      case " $OSCOMP_GROUPS " in *" $(basename "$s" _testcode.sh) "*) ;; *) rm -f "$s"; continue ;; esac
    fi
    sed -E -i "s/#### OS COMP TEST GROUP ([^ ]+) ([^ ]+) ####/#### OS COMP TEST GROUP \\1 \\2-$libc ####/g" "$s"
  done
done
