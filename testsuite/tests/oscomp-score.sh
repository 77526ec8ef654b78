#!/bin/sh
# oscomp-score.sh — the scoreboard machinery of `make oscomp` (docs/oscomp.md)
# on a short disk: the Debian-program disk with three groups only (busybox,
# lua, netperf; OSCOMP_GROUPS, both C libraries), staged, packed, booted on
# Kite under the judge's command and scored by scripts/oscomp/run.py, as
# `make oscomp` does. Checks:
#   - QEMU powers off by itself, every group reaches its END marker;
#   - the scoreboard has one line per group and C library, and its points and
#     maxima are the ones this test computes on its own from the same console
#     (a second reading of the rules: success lines for busybox (`clear`'s escape
#     codes come first on its line) and
#     lua, out of the staged command list and scripts; netperf's per-test
#     points from the published baselines, 2 - baseline/result above them);
#   - a console cut in the middle of a group scores that group "(no END)"
#     with the lines it has, out of the same maximum.
# No figure is written down here: every expected number comes from the run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
b=$build/oscomp-score
rm -rf "$b"
mkdir -p "$b"
fail=0
pass() { echo "PASS: oscomp-score/$1"; }
failed() { echo "FAIL: oscomp-score/$1"; fail=1; }
groups="busybox lua netperf"
stage=$b/stage

OSCOMP_GROUPS=$groups OSCOMP_STAGE=$stage "$top/scripts/oscomp/run.py" --out "$b" --timeout 900 \
  > "$b/run.out" 2> "$b/run.err"
st=$?
if [ $st = 0 ]; then pass "run.py"; else failed "run.py (status $st: $(tail -3 "$b/run.err" | tr '\n' '|'))"; exit 1; fi
con=$b/kite-console.txt
tr -d '\r' < "$con" > "$b/console.txt"
if grep -q '^kite: the whole run took [0-9]* s (QEMU exit status 0)$' "$b/run.out"; then
  pass "powers-off-by-itself"
else
  failed "powers-off-by-itself ($(grep '^kite:' "$b/run.out"))"
fi

# block GROUP — the lines between a group's markers (END included if there).
block() {
  sed -n "/^#### OS COMP TEST GROUP START $1 ####\$/,/^#### OS COMP TEST GROUP END $1 ####\$/p" "$2"
}
# netperf_points FILE — the netperf block's points, our second reading of the
# rules: per test, the last figure of its first all-numeric row (UDP_STREAM:
# the second row, the receiver), 0 unless the test says success.
netperf_points() {
  awk '
    BEGIN { base["TCP_STREAM"] = 79.75; base["UDP_STREAM"] = 27.5; base["TCP_RR"] = 2018;
            base["UDP_RR"] = 2071; base["TCP_CRR"] = 391 }
    /^====== netperf [A-Z_]+ begin/ { t = $3; rows = 0; v1 = ""; v2 = ""; next }
    /^====== netperf [A-Z_]+ end: / {
      v = (t == "UDP_STREAM" && v2 != "") ? v2 : v1
      p = 0
      if ($5 == "success" && v != "" && v + 0 > 0) p = (v + 0 <= base[t]) ? 1 : 2 - base[t] / v
      sum += p; t = ""; next }
    t != "" && NF >= 3 {
      for (i = 1; i <= NF; i++) if ($i !~ /^[0-9.]+$/) next
      rows++
      if (rows == 1) v1 = $NF
      if (rows == 2) v2 = $NF
    }
    END { printf "%.2f\n", sum }' "$1"
}
# expected GROUP LIBC CONSOLE — "points max ended" by our own count.
expected() {
  block "$1-$2" "$3" > "$b/blk.txt"
  if grep -qx "#### OS COMP TEST GROUP END $1-$2 ####" "$b/blk.txt"; then e=yes; else e=no; fi
  case $1 in
    busybox) p=$(grep -c 'testcase busybox .* success$' "$b/blk.txt"); m=$(grep -c . "$stage/$2/busybox_cmd.txt") ;;
    lua) p=$(grep -c '^testcase lua [^ ]* success$' "$b/blk.txt"); m=$(ls "$stage/$2"/*.lua | wc -l) ;;
    netperf) p=$(netperf_points "$b/blk.txt"); m=10 ;;
  esac
  echo "$p $m $e"
}
# scored GROUP LIBC JSON — "points max ended" as score.py wrote it.
scored() {
  python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["kite"].get(sys.argv[2])
if g is None:
    print("missing")
else:
    p = g["points"]
    print("%s %d %s" % (("%.2f" % p) if isinstance(p, float) else p, g["max"], "yes" if g["ended"] else "no"))
' "$3" "$1-$2"
}
same() { # "p m e" "p m e": points equal within a rounding step
  python3 -c '
import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
ok = len(a) == 3 and len(b) == 3 and abs(float(a[0]) - float(b[0])) < 0.011 and a[1:] == b[1:]
sys.exit(0 if ok else 1)' "$1" "$2"
}

for libc in musl glibc; do
  for g in $groups; do
    want=$(expected $g $libc "$b/console.txt")
    got=$(scored $g $libc "$b/scores.json")
    if [ "${want##* }" = yes ]; then pass "$g-$libc/reached-END"; else failed "$g-$libc/reached-END"; fi
    if same "$want" "$got"; then
      pass "$g-$libc/score-as-recomputed ($got)"
    else
      failed "$g-$libc/score-as-recomputed (score.py: $got; recomputed: $want)"
    fi
    line=$(grep "^$g-$libc " "$b/scoreboard.txt")
    pts=$(echo "$got" | cut -d' ' -f1-2 | tr ' ' /)
    case "$line" in
      *" $pts "*|*" $(echo "$pts" | sed 's/\.00\//\//') "*) pass "$g-$libc/scoreboard-line" ;;
      *) failed "$g-$libc/scoreboard-line (want $pts in: $line)" ;;
    esac
  done
done

# A console cut in the middle of busybox-glibc: that group is "(no END)",
# scored from the lines it has, out of the staged maximum.
n=$(grep -n '^testcase busybox ' "$b/console.txt" | tail -20 | head -1 | cut -d: -f1)
head -n "$n" "$b/console.txt" > "$b/cut.txt"
python3 "$top/scripts/oscomp/score.py" "$b/cut.txt" --stage "$stage" --json "$b/cut.json" > "$b/cut-board.txt"
want=$(expected busybox glibc "$b/cut.txt")
got=$(scored busybox glibc "$b/cut.json")
if [ "${got##* }" = no ] && same "$want" "$got" && grep -q '^busybox-glibc .*(no END)' "$b/cut-board.txt"; then
  pass "cut-console/scored-as-cut ($got)"
else
  failed "cut-console/scored-as-cut (score.py: $got; recomputed: $want)"
fi

# A stray START of a group that has already ended (the official netperf
# script prints "START unixbench" where its END belongs) opens nothing: the
# group keeps the block it ran.
{ cat "$b/console.txt"; echo "#### OS COMP TEST GROUP START busybox-musl ####"; echo "testcase busybox true fail"; } > "$b/stray.txt"
python3 "$top/scripts/oscomp/score.py" "$b/stray.txt" --stage "$stage" --json "$b/stray.json" > /dev/null
want=$(scored busybox musl "$b/scores.json")
got=$(scored busybox musl "$b/stray.json")
if [ "$got" = "$want" ]; then
  pass "stray-start/ignored ($got)"
else
  failed "stray-start/ignored (with a stray START: $got; without: $want)"
fi
[ $fail = 0 ] || { echo "--- scoreboard:"; sed 's/^/    /' "$b/scoreboard.txt"; }
exit $fail
