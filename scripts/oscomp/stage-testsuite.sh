#!/bin/sh
# stage-testsuite.sh CHECKOUT DIR — the official OSComp test suite (a
# checkout of oscomp/testsuits-for-oskernel or its fork
# Azure-stars/testsuits-for-oskernel, branch main), built the way its own
# Makefile does and staged in DIR for scripts/mk-oscomp-image.sh
# (`make oscomp TESTSUITE=CHECKOUT`; docs/oscomp.md).
#
# The suite's Makefile.sub is run once per C library, into DIR/musl and
# DIR/glibc, one group at a time (a group that fails to build is reported
# and left out; the others go on):
#   musl:  PREFIX=riscv64-linux-musl- — wrappers (in $KITE_BUILD/oscomp-ts/tc)
#          around Kite's musl (riscv64-linux-gnu-gcc with musl's specs) and
#          Debian's riscv64 binutils
#   glibc: PREFIX=riscv64-linux-gnu- — Debian's cross gcc and glibc
# then, as the suite's Makefile does: the C library's loader and libraries in
# <libc>/lib, and "-musl"/"-glibc" added to the group names in the scripts.
# LTP is not built (hours on two cores; OSCOMP_TS_GROUPS adds it back).
# The checkout is copied first (the build writes into its tree); the result
# is kept in $KITE_BUILD/oscomp-ts/<libc> and reused while the checkout's
# HEAD and the recipe are the same.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
src=$(cd "$1" && pwd)
stage=$2
groups=${OSCOMP_TS_GROUPS:-basic busybox lua libc-test iozone iperf libcbench lmbench_src cyclictest netperf unixbench}
w=$build/oscomp-ts
mkdir -p "$w"
musl=$("$top/scripts/build-musl.sh")

# ---- the musl cross toolchain the suite expects ----
# (A musl toolchain ships libatomic, which numactl's configure looks for:
# gcc's own, from the cross sysroot, is on the musl wrapper's search path.)
tc=$w/tc
mkdir -p "$tc/lib"
cp -p "$(riscv64-linux-gnu-gcc -print-file-name=libatomic.a)" "$tc/lib/"
printf '#!/bin/sh\nexec "%s/bin/musl-gcc" "$@" -L"%s/lib"\n' "$musl" "$tc" > "$tc/riscv64-linux-musl-gcc"
cp "$tc/riscv64-linux-musl-gcc" "$tc/riscv64-linux-musl-cc"
for t in ar ranlib strip objcopy objdump nm ld as readelf size; do
  printf '#!/bin/sh\nexec riscv64-linux-gnu-%s "$@"\n' "$t" > "$tc/riscv64-linux-musl-$t"
done
# The suite's Makefile.sub runs `make -j` (no number: as many jobs as there
# are files) for busybox, iozone and iperf, and `make -j 8` for netperf:
# hundreds of compilers at once on a shared machine. A `make` first on PATH
# turns every -j into -j$OSCOMP_TS_JOBS (default 2).
cat > "$tc/make" <<EOF
#!/bin/sh
skip=
for a; do
  shift
  if [ -n "\$skip" ]; then skip=; case "\$a" in [0-9]*) continue ;; esac; fi
  case "\$a" in
    -j) set -- "\$@" -j${OSCOMP_TS_JOBS:-2}; skip=1 ;;
    -j[0-9]*|--jobs*) set -- "\$@" -j${OSCOMP_TS_JOBS:-2} ;;
    *) set -- "\$@" "\$a" ;;
  esac
done
exec $(command -v make) "\$@"
EOF
chmod 755 "$tc"/riscv64-* "$tc/make"
export PATH="$tc:$PATH"
# configure scripts (iperf's) find this host's OpenSSL headers and then fail
# to link the riscv64 libraries it does not have: the suite's builders have
# no OpenSSL, so neither do we (a site file, read by every configure).
printf 'with_openssl=no\n' > "$w/config.site"
export CONFIG_SITE="$w/config.site"

key=$( (git -C "$src" rev-parse HEAD 2>/dev/null || find "$src" -maxdepth 1 -newer "$0" 2>/dev/null | head -1;
        echo "$groups"; cat "$0" "$musl/.kite-built") | sha256sum | cut -c1-12)

build_libc() { # libc prefix
  libc=$1; prefix=$2
  out=$w/$libc
  if [ -f "$out/.kite-$key" ]; then
    echo "stage-testsuite: $libc: built before ($out)" >&2
    return
  fi
  rm -rf "$out" "$w/src-$libc"
  mkdir -p "$out"
  echo "stage-testsuite: copying the checkout for the $libc build" >&2
  cp -a "$src" "$w/src-$libc"
  for g in $groups; do
    echo "stage-testsuite: $libc: building $g" >&2
    if "$tc/make" -C "$w/src-$libc" -f Makefile.sub "$g" ARCH=riscv64 PREFIX="$prefix" DESTDIR="$out" \
         NPROC="${OSCOMP_TS_JOBS:-2}" > "$w/$libc-$g.log" 2>&1; then
      echo "stage-testsuite: $libc: $g built" >&2
    else
      echo "stage-testsuite: $libc: $g FAILED (see $w/$libc-$g.log; left out)" >&2
      tail -5 "$w/$libc-$g.log" | sed 's/^/    /' >&2
    fi
  done
  mkdir -p "$out/lib"
  if [ "$libc" = musl ]; then
    cp "$musl/lib/libc.so" "$out/lib/libc.so"
  else
    for f in libc.so.6 libm.so.6 ld-linux-riscv64-lp64d.so.1; do
      cp -L "/usr/riscv64-linux-gnu/lib/$f" "$out/lib/$f"
    done
  fi
  for s in "$out"/*_testcode.sh; do
    [ -f "$s" ] && sed -E -i "s/#### OS COMP TEST GROUP ([^ ]+) ([^ ]+) ####/#### OS COMP TEST GROUP \\1 \\2-$libc ####/g" "$s"
  done
  rm -rf "$w/src-$libc"
  touch "$out/.kite-$key"
}

build_libc musl riscv64-linux-musl-
build_libc glibc riscv64-linux-gnu-
mkdir -p "$stage"
for libc in musl glibc; do
  rm -rf "${stage:?}/$libc"
  cp -a "$w/$libc" "$stage/$libc"
  rm -f "$stage/$libc"/.kite-*
done
