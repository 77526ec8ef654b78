# redis.sh — redis 7 (Debian's redis source package, built with musl) as a
# real program on the ABI under test (testsuite/abi). Run with `sh redis.sh`
# by run.sh on Kite and on Linux; prints PASS:/FAIL: lines.
#
# Without sockets redis-server refuses to start ("Configured to not listen
# anywhere"), so there are two parts:
#   1. socket-free: --version, and redis-check-rdb (the same binary under
#      another name) loading an RDB file we write byte by byte, and a
#      corrupted one;
#   2. the server on a unix socket (--port 0 --unixsocket): it loads our RDB,
#      answers redis-cli -s, forks for BGSAVE (a fork of a process with
#      several threads), the child's dump passes redis-check-rdb, and SIGTERM
#      ends the server with status 0. This part needs AF_UNIX sockets: on a
#      kernel without them every check of part 2 fails, saying so.

A=${ABI_DIR:-/abi}
fails=0
pass() { echo "PASS: redis/$1"; }
fail() { echo "FAIL: redis/$1 ($2)"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got [$2], want [$3]"; fi; }

D=$(mktemp -d /tmp/abi-redis.XXXXXX) || { fail setup "mktemp"; exit 1; }

# ---- 1. without sockets ----
check server-version "$("$A/redis-server" --version | grep -o 'v=7[.0-9]*' | head -1)" "v=7.0.15"
# RDB version 9: SELECTDB 0, RESIZEDB 1 0, string "k" = "v", EOF, a zero
# checksum (= not checked).
printf 'REDIS0009\376\000\373\001\000\000\001k\001v\377\000\000\000\000\000\000\000\000' > "$D/ok.rdb"
out=$("$A/redis-check-rdb" "$D/ok.rdb" 2>&1)
st=$?
if [ $st -eq 0 ] && echo "$out" | grep -q "RDB looks OK"; then pass check-rdb-valid-file
else fail check-rdb-valid-file "status $st: $(echo "$out" | tail -2 | tr '\n' ' ')"; fi
printf 'REDIS0009\376\000\000\005k' > "$D/bad.rdb"
"$A/redis-check-rdb" "$D/bad.rdb" > "$D/bad.out" 2>&1
st=$?
if [ $st -ne 0 ] && grep -q "RDB ERROR DETECTED" "$D/bad.out"; then pass check-rdb-truncated-file
else fail check-rdb-truncated-file "status $st"; fi

# ---- 2. the server on a unix socket ----
server_checks="server-starts loads-our-rdb set-get dbsize bgsave-started bgsave-completes dump-passes-check-rdb sigterm-clean-exit"
cp "$D/ok.rdb" "$D/dump.rdb"
sock=$D/redis.sock
"$A/redis-server" --port 0 --unixsocket "$sock" --dir "$D" --dbfilename dump.rdb --save '' \
  --appendonly no --daemonize no --logfile "$D/server.log" > /dev/null 2>&1 &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
cli() { "$A/redis-cli" -s "$sock" "$@" 2>&1; }
if [ ! -S "$sock" ] || [ "$(cli ping)" != PONG ]; then
  why=$(tail -1 "$D/server.log" 2>/dev/null | sed 's/^[0-9]*:[A-Z] [^*#]*[*#] //')
  for c in $server_checks; do fail "$c" "the server did not start: $why"; done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
else
  pass server-starts
  check loads-our-rdb "$(cli get k)" v
  check set-get "$(cli set k2 v2)$(cli get k2)" OKv2
  check dbsize "$(cli dbsize)" 2
  check bgsave-started "$(cli bgsave)" "Background saving started"
  i=0
  while [ $i -lt 100 ]; do
    info=$(cli info persistence)
    echo "$info" | grep -q "rdb_bgsave_in_progress:0" && break
    sleep 0.2
    i=$((i + 1))
  done
  check bgsave-completes "$(echo "$info" | grep -o 'rdb_last_bgsave_status:[a-z]*')" "rdb_last_bgsave_status:ok"
  out=$("$A/redis-check-rdb" "$D/dump.rdb" 2>&1)
  if echo "$out" | grep -q "RDB looks OK" && echo "$out" | grep -q "2 keys read"; then pass dump-passes-check-rdb
  else fail dump-passes-check-rdb "$(echo "$out" | tail -3 | tr '\n' ' ')"; fi
  kill -TERM $pid
  wait $pid
  check sigterm-clean-exit "$?" 0
fi
rm -rf "$D"
[ $fails -eq 0 ]
