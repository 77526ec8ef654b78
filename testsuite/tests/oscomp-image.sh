#!/bin/sh
# kite-test: smp
# oscomp-image.sh — an OSComp-shaped disk (scripts/mk-oscomp-image.sh: /musl
# and /glibc, busybox, loaders in lib/, our own test programs, basic and
# busybox scripts) booted with the judge's exact QEMU command line from
# docs/judge.md (plus restrict=on: nothing leaves the machine), no
# -append, stdin a single newline then EOF. Checks:
#   - the group markers come in order: basic and busybox, musl then glibc;
#   - inside each basic block the programs did what they say (hello, pipe,
#     efault for musl) and exited 0; every file-system program ran to its end; a
#     file-system check that fails with glibc but passes with musl is a
#     FAIL here (the checks themselves are fs-kite.sh's business);
#   - every busybox testcase says success;
#   - nothing but the scripts' own lines appears from the first group
#     marker to the last (no kernel message in the judged blocks);
#   - QEMU exits by itself (power-off, status 0) within the time limit;
#   - the image is clean for the host's checker afterwards.
# All of it twice: on ext4 (the judge's file system since 2024, the default
# of mk-oscomp-image.sh) and on FAT32 (FS=vfat, the judge's before).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/oscomp-test
rm -rf "$b"
mkdir -p "$b"
fail=0
pass() { echo "PASS: oscomp/$fs/$1"; }
failed() { echo "FAIL: oscomp/$fs/$1"; fail=1; }

check_fs() { # FS
  fs=$1
  mkdir -p "$b/$fs"
  img=$b/$fs/sdcard-rv.img
  if ! FS=$fs "$top/scripts/mk-oscomp-image.sh" "$img" > "$b/$fs/mk.log" 2>&1; then
    failed "image (scripts/mk-oscomp-image.sh failed)"
    tail -20 "$b/$fs/mk.log"
    return
  fi
  pass "image-built"

  # The judge's command, word for word (docs/judge.md), + restrict=on.
  start=$(date +%s)
  printf '\n' | /usr/bin/timeout -k 5 600 qemu-system-riscv64 -machine virt -kernel "$kernel" -m 1G -nographic -smp "${SMP:-1}" \
    -bios default -drive file="$img",if=none,format=raw,id=x0 \
    -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 -no-reboot -device virtio-net-device,netdev=net \
    -netdev user,id=net,restrict=on -rtc base=utc > "$b/$fs/console.raw" 2>&1
  st=$?
  secs=$(($(date +%s) - start))
  out=$b/$fs/console.txt
  tr -d '\r' < "$b/$fs/console.raw" > "$out"
  if [ $st = 0 ]; then pass "powers-off-by-itself ($secs s)"; else failed "powers-off-by-itself (QEMU status $st after $secs s)"; fi

  # ---- the markers, in order ----
  grep -E '^#### OS COMP TEST GROUP (START|END) ' "$out" > "$b/$fs/markers.txt"
  for libc in musl glibc; do
    for g in basic busybox; do
      echo "#### OS COMP TEST GROUP START $g-$libc ####"
      echo "#### OS COMP TEST GROUP END $g-$libc ####"
    done
  done > "$b/$fs/markers.want"
  if cmp -s "$b/$fs/markers.txt" "$b/$fs/markers.want"; then
    pass "group-markers-in-order"
  else
    failed "group-markers-in-order (got: $(tr '\n' '|' < "$b/$fs/markers.txt"))"
  fi

  # block GROUP — the lines between a group's START and END markers.
  block() {
    sed -n "/^#### OS COMP TEST GROUP START $1 ####\$/,/^#### OS COMP TEST GROUP END $1 ####\$/p" "$out"
  }
  # test_block GROUP TEST — the lines of one basic test, inside its markers.
  test_block() {
    block "$1" | sed -n "/^========== START test_$2 ==========\$/,/^========== END test_$2 ==========\$/p"
  }
  for libc in musl glibc; do
    g=basic-$libc
    block $g > "$b/$fs/$g.txt"
    for t in hello hello_dynamic efault pipe fs_open fs_io fs_dir fs_attr; do
      test_block $g $t > "$b/$fs/$g-$t.txt"
    done
    ok() { grep -qx "$2" "$b/$fs/$g-$1.txt" && grep -qx "test_$1: exit 0" "$b/$fs/$g-$1.txt"; }
    if ok hello "hello, world"; then pass "$g/hello"; else failed "$g/hello ($(tr '\n' '|' < "$b/$fs/$g-hello.txt"))"; fi
    if ok hello_dynamic "hello, world"; then pass "$g/hello_dynamic"; else failed "$g/hello_dynamic ($(tr '\n' '|' < "$b/$fs/$g-hello_dynamic.txt"))"; fi
    if [ $libc = glibc ]; then :; elif ok efault "efault: ok"; then pass "$g/efault"; else failed "$g/efault ($(tr '\n' '|' < "$b/$fs/$g-efault.txt"))"; fi
    if ok pipe "pipe: ok 1048576"; then pass "$g/pipe"; else failed "$g/pipe ($(tr '\n' '|' < "$b/$fs/$g-pipe.txt"))"; fi
    for t in fs_open fs_io fs_dir fs_attr; do
      n=$(grep -c "^PASS: fs/$fs/" "$b/$fs/$g-$t.txt")
      if grep -q "^test_$t: exit [01]\$" "$b/$fs/$g-$t.txt" && [ "$n" -gt 20 ] && ! grep -q '/finished ' "$b/$fs/$g-$t.txt"; then
        pass "$g/$t-ran-to-the-end ($n checks passed, $(grep -c '^FAIL: ' "$b/$fs/$g-$t.txt") failed)"
      else
        failed "$g/$t-ran-to-the-end ($(grep -e '^test_' -e '/finished ' "$b/$fs/$g-$t.txt" | tr '\n' '|'), $n checks passed)"
      fi
    done
  done
  # the C library must not matter: checks failing with glibc only
  sed -n 's/^FAIL: \([^ ]*\).*/\1/p' "$b/$fs/basic-musl.txt" | sort -u > "$b/$fs/fail-musl.txt"
  sed -n 's/^FAIL: \([^ ]*\).*/\1/p' "$b/$fs/basic-glibc.txt" | sort -u > "$b/$fs/fail-glibc.txt"
  comm -13 "$b/$fs/fail-musl.txt" "$b/$fs/fail-glibc.txt" > "$b/$fs/fail-glibc-only.txt"
  if [ -s "$b/$fs/fail-glibc-only.txt" ]; then
    while read -r name; do failed "basic-glibc/glibc-only-failure/$name"; done < "$b/$fs/fail-glibc-only.txt"
  else
    pass "basic-glibc/no-glibc-only-failures"
  fi

  # ---- busybox ----
  for libc in musl glibc; do
    g=busybox-$libc
    block $g > "$b/$fs/$g.txt"
    total=$(grep -c '^testcase busybox ' "$b/$fs/$g.txt")
    bad=$(grep '^testcase busybox .* fail$' "$b/$fs/$g.txt")
    want=$(grep -c . "$build/oscomp-image/busybox_cmd.txt")
    if [ "$total" = "$want" ] && [ -z "$bad" ]; then
      pass "$g/all-testcases-succeed ($total)"
    else
      failed "$g/all-testcases-succeed ($total of $want reported; $(echo "$bad" | head -5 | tr '\n' '|'))"
    fi
  done

  # ---- console discipline: only the scripts' lines inside the judged region ----
  sed -n '/^#### OS COMP TEST GROUP START /,$p' "$out" | sed '/^#### OS COMP TEST GROUP END busybox-glibc ####$/q' |
    grep -v -E -e '^#### OS COMP TEST GROUP (START|END) [a-z]+-(musl|glibc) ####$' \
      -e '^========== (START|END) test_[a-z_]+ ==========$' -e '^test_[a-z_]+: exit [0-9]+$' \
      -e '^testcase busybox .* (success|fail)$' -e '^hello, world$' -e '^efault: ok$' -e '^pipe: ok [0-9]+$' \
      -e '^(PASS|FAIL|SKIP): fs/' > "$b/$fs/foreign.txt"
  if [ -s "$b/$fs/foreign.txt" ]; then
    failed "console-only-test-output ($(wc -l < "$b/$fs/foreign.txt") other lines, first: $(head -3 "$b/$fs/foreign.txt" | tr '\n' '|'))"
  else
    pass "console-only-test-output"
  fi
  [ $fail = 0 ] || { echo "--- console (last 25 lines):"; tail -25 "$out" | sed 's/^/    /'; }
  if [ $fs = ext4 ]; then
    e2fsck -fn "$img" > "$b/$fs/fsck.txt" 2>&1 && pass "e2fsck-clean" || failed "e2fsck-clean ($(grep -v '^Pass\|^e2fsck' "$b/$fs/fsck.txt" | head -3 | tr '\n' '|'))"
  else
    fsck.vfat -n "$img" > "$b/$fs/fsck.txt" 2>&1 && pass "fsck.vfat-clean" || failed "fsck.vfat-clean ($(tail -3 "$b/$fs/fsck.txt" | tr '\n' '|'))"
  fi
}
check_fs ext4
check_fs vfat
exit $fail
