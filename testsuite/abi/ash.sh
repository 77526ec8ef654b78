# ash.sh — busybox ash and its applets as real programs (testsuite/abi):
# pipes, redirections, here-documents, subshells, $(...), background jobs,
# wait, trap + kill -USR1 $$, and the applets ps kill sleep date dmesg free
# uptime timeout find xargs sort md5sum tar gzip. Run with `sh ash.sh`
# (busybox sh) by run.sh on Kite and on Linux; prints PASS:/FAIL: lines.

fails=0
pass() { echo "PASS: ash/$1"; }
fail() { echo "FAIL: ash/$1 ($2)"; fails=$((fails + 1)); }
# check NAME GOT WANT
check() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got [$2], want [$3]"; fi
}
on_kite() { uname -r | grep -q kite; }

T=${ABI_TMP:-/tmp}/ash.$$
rm -rf "$T"
mkdir -p "$T" && cd "$T" || { fail setup "cannot use $T"; exit 1; }

# ---- the shell ----
check pipeline "$(echo 'c a b' | tr ' ' '\n' | sort | tr -d '\n')" "abc"
check pipeline-status-is-last "$(false | true; echo $?)" 0
check pipe-1MiB "$(dd if=/dev/zero bs=1024 count=1024 2>/dev/null | wc -c | tr -d ' ')" 1048576
echo one > f
echo two >> f
check redirect-and-append "$(cat f | tr '\n' ' ')" "one two "
check redirect-stdin "$(wc -l < f | tr -d ' ')" 2
check redirect-stderr-to-stdout "$(sh -c 'echo oops >&2' 2>&1)" oops
check redirect-stderr-to-null "$(sh -c 'echo oops >&2; echo ok' 2>/dev/null)" ok
exec 3> fd3
echo via-fd-3 >&3
exec 3>&-
check redirect-numbered-fd "$(cat fd3)" via-fd-3
x=world
check here-document "$(cat <<EOF
hello $x
EOF
)" "hello world"
check here-document-quoted "$(cat <<'EOF'
hello $x
EOF
)" 'hello $x'
check here-document-tab-strip "$(cat <<-EOF
	indented
	EOF
)" "indented"
check subshell-keeps-cwd "$(cd /; (cd "$T" && pwd) >/dev/null; pwd)" "/"
check subshell-variables "$(y=1; (y=2); echo $y)" 1
check command-substitution-nested "$(echo $(echo $(echo deep)))" deep
check arithmetic "$((6 * 7 % 100))" 42
check while-read-loop "$(printf '1\n2\n3\n' | { s=0; while read n; do s=$((s + n)); done; echo $s; })" 6
check case-pattern "$(case foo.txt in *.log) echo log ;; *.txt) echo txt ;; esac)" txt
f2() { local v=inner; echo "$v$1"; }
check function-and-local "$(f2 -arg)" "inner-arg"
check dollar-dollar-in-subshell "$(echo $$)" "$$"

# ---- jobs ----
sleep 0.2 &
wait $!
check background-job-wait "$?" 0
(exit 3) &
wait $!
check background-exit-status "$?" 3
sleep 0.3 & a=$!
sleep 0.1 & b=$!
wait
check wait-for-all "$(kill -0 $a 2>/dev/null; echo $?)$(kill -0 $b 2>/dev/null; echo $?)" "11"
sleep 10 &
p=$!
kill $p
wait $p 2>/dev/null
check kill-background-job "$?" 143
got=no
trap 'got=yes' USR1
kill -USR1 $$
check trap-usr1-kill-self "$got" yes
trap - USR1
check trap-exit-in-subshell "$( (trap 'echo bye' EXIT; echo hi) | tr '\n' ' ')" "hi bye "
check exit-status-of-signal-death "$(sh -c 'kill -TERM $$' 2>/dev/null; echo $?)" 143

# ---- applets ----
check ps-lists-this-shell "$(ps | awk -v p=$$ '$1 == p { print "found" }')" found
s0=$(date +%s)
sleep 1
s1=$(date +%s)
check sleep-1s "$((s1 - s0 >= 1 && s1 - s0 <= 3))" 1
check sleep-fraction "$(sleep 0.1 && echo done)" done
check date-epoch "$(date -u -d @0 +%Y-%m-%d)" 1970-01-01
check date-is-now "$(($(date +%s) > 1600000000))" 1
if out=$(dmesg 2>&1); then
  check dmesg-reads-log "$([ -n "$out" ] && echo text)" text
elif ! on_kite && echo "$out" | grep -q "not permitted"; then
  echo "SKIP: ash/dmesg-reads-log (Linux denied syslog: not privileged on the host)"
else
  fail dmesg-reads-log "$out"
fi
check free-shows-memory "$(free | grep -c '^Mem:')" 1
check uptime-load-average "$(uptime | grep -c 'load average')" 1
timeout 1 sleep 10 2>/dev/null
check timeout-kills-with-sigterm "$?" 143
check timeout-passes-status "$(timeout 5 sh -c 'exit 4'; echo $?)" 4
mkdir -p d/e
touch d/a.txt d/e/b.txt d/c.log
check find-by-name "$(find d -name '*.txt' | sort | tr '\n' ' ')" "d/a.txt d/e/b.txt "
check find-type-dir "$(find d -type d | sort | tr '\n' ' ')" "d d/e "
check xargs-n1 "$(echo 1 2 3 | xargs -n1 echo | wc -l | tr -d ' ')" 3
check xargs-from-find "$(find d -name '*.txt' | sort | xargs cat | wc -c | tr -d ' ')" 0
check sort-numeric-reverse "$(printf '10\n9\n100\n' | sort -rn | tr '\n' ' ')" "100 10 9 "
check sort-unique "$(printf 'b\na\nb\n' | sort -u | tr '\n' ' ')" "a b "
check md5sum "$(echo abc | md5sum | cut -d' ' -f1)" 0bee89b07a248e27c83fc3d5951213c1
mkdir -p src/sub
echo payload > src/sub/file
tar cf t.tar src && mkdir -p x && tar xf t.tar -C x
check tar-round-trip "$(cat x/src/sub/file 2>&1)" payload
seq 1 2000 > n
gzip -c n > n.gz
check gzip-round-trip "$(gunzip -c n.gz | md5sum | cut -c1-32)" "$(md5sum < n | cut -c1-32)"
check gzip-compresses "$(($(wc -c < n.gz) < $(wc -c < n)))" 1
tar czf t.tgz src && mkdir -p y && tar xzf t.tgz -C y
check tar-gzip-round-trip "$(cat y/src/sub/file 2>&1)" payload

cd / && rm -rf "$T"
[ $fails -eq 0 ]
