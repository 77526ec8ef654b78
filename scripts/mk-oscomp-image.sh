#!/bin/sh
# mk-oscomp-image.sh OUT.img [SUITE] — an OSComp-shaped test disk: /musl and
# /glibc at the root of a file system with no partition table, as the judge
# lays it out (docs/judge.md). Prints OUT.img; progress on stderr.
#
# SUITE (default kite) says what goes on it; each is staged by a script in
# scripts/oscomp/ into $KITE_BUILD/oscomp-stage-<suite>:
#   kite      Kite's own test programs in basic and busybox groups
#             (stage-kite.sh; testsuite/tests/oscomp-image.sh boots it)
#   debian    the groups made of programs Debian serves: busybox, lua, iozone,
#             lmbench, cyclictest, iperf, netperf, in both C libraries
#             (stage-debian.sh; `make oscomp`, testsuite/tests/oscomp-score.sh)
#   DIR       a checkout of the official suite (oscomp/testsuits-for-oskernel or
#             a fork) built with our musl and glibc (stage-testsuite.sh;
#             `make oscomp TESTSUITE=DIR`)
#
# FS (environment) chooses the file system:
#   ext4 (the default, as the judge's since 2024): mkfs.ext4 -d with
#        e2fsprogs' default features, no partition table
#   vfat: FAT32 (the judge before 2024), filled with mtools
# OSCOMP_STAGE (environment) overrides the staging directory.
# SIZE (environment) overrides the image size (default: what the files need
# plus room for the tests' own files, at least 128 MiB).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${KITE_BUILD:-$top/build}
out=$1
suite=${2:-kite}
fs=${FS:-ext4}
case "$suite" in
  kite|debian) stage=${OSCOMP_STAGE:-$build/oscomp-stage-$suite}; stager="$top/scripts/oscomp/stage-$suite.sh" ;;
  *) [ -d "$suite" ] || { echo "mk-oscomp-image: no such suite or directory: $suite" >&2; exit 1; }
     stage=${OSCOMP_STAGE:-$build/oscomp-stage-testsuite}; stager="$top/scripts/oscomp/stage-testsuite.sh $suite" ;;
esac
rm -rf "$stage"
mkdir -p "$stage"
echo "mk-oscomp-image: staging the $suite suite in $stage" >&2
# shellcheck disable=SC2086
$stager "$stage" >&2

# Size: the files, plus half again and 64 MiB for what the tests write.
kib=$(du -sk "$stage" | cut -f1)
mib=$(( (kib * 3 / 2) / 1024 + 64 ))
[ $mib -ge 128 ] || mib=128
[ -n "${SIZE:-}" ] && mib=$SIZE
echo "mk-oscomp-image: writing $out ($fs, $mib MiB)" >&2
rm -f "$out"
truncate -s "${mib}M" "$out"
case "$fs" in
  ext4)
    # Default features of this e2fsprogs (64bit, extents, flex_bg,
    # metadata_csum, dir_index, has_journal, ... as the judge's Ubuntu makes).
    mkfs.ext4 -q -F -d "$stage" "$out" > /dev/null
    ;;
  vfat)
    # FAT32 needs at least 65525 clusters: 1 KiB clusters up to 4 GiB.
    mkfs.vfat -F 32 -s 2 -n OSCOMP "$out" > /dev/null
    MTOOLS_SKIP_CHECK=1 mcopy -s -i "$out" "$stage"/* ::/
    ;;
  *) echo "mk-oscomp-image: FS=$fs: ext4 or vfat" >&2; exit 1 ;;
esac
echo "$out"
