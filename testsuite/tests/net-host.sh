#!/bin/sh
# kite-test: smp
# net-host.sh — host <-> guest networking through QEMU's user network:
# servers in Kite, clients on the host, traffic only on 127.0.0.1.
#
# No kernel rebuild: the normal $KERNEL boots with a runner disk (made with
# mkfs.vfat and mtools, as fs-kite.sh does) holding glibc/nethost_testcode.sh,
# iperf3 (Debian trixie's riscv64 build), glibc/lib/ (its loader and
# libraries: the OSComp runner links them into /lib, docs/runner.md), and
# redis-server and redis-cli (musl, static). QEMU forwards two free host
# ports on 127.0.0.1 to the guest's iperf3 (5201) and redis (6379).
#
#   guest: iperf3 -s; redis-server; "NET-HOST ready"; wait for redis to exit
#   host:  iperf3 -c 127.0.0.1 -p <fwd> -t 2     a receiver line in [MG]bits/sec
#          redis-cli -p <fwd> set/get/incr/lpush/lrange, each reply checked
#          redis-cli -p <fwd> shutdown nosave    the guest script ends, the
#                                                runner powers off: QEMU exits 0
#
# The host programs are Debian's iperf3 and redis-tools (scripts/setup-host.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${KITE_BUILD:-$top/build}
kernel=${KERNEL:-$top/kernel-rv}
b=$build/net-host
rm -rf "$b"
mkdir -p "$b"
export MTOOLS_SKIP_CHECK=1
fail=0
pass() { echo "PASS: net-host/$1"; }
failed() { echo "FAIL: net-host/$1"; fail=1; }

for sym in net_init fat_init; do
  if ! ${CROSS:-riscv64-linux-gnu-}nm "$kernel" 2>/dev/null | grep -q " T $sym\$"; then
    echo "FAIL: net-host/kernel ($kernel has no $sym: built without the network stack or FAT32?)"
    exit 1
  fi
done
for prog in iperf3 redis-cli; do
  command -v $prog > /dev/null || { echo "FAIL: net-host/host-$prog (run scripts/setup-host.sh)"; exit 1; }
done

# ---- the runner disk ----
if ! "$top/testsuite/net/stage-programs.sh" "$b/stage" > "$b/stage.log" 2>&1; then
  echo "FAIL: net-host/stage-programs ($(tail -3 "$b/stage.log" | tr '\n' ' '))"
  exit 1
fi
g=$b/run/glibc
mkdir -p "$g/lib"
cp "$b/stage/usr/bin/iperf3" "$b/stage/usr/bin/redis-server" "$b/stage/usr/bin/redis-cli" "$g/"
cp "$b/stage/usr/lib/riscv64-linux-gnu/"* "$g/lib/"
cat > "$g/nethost_testcode.sh" <<'SCRIPT'
#!/bin/sh
# Run by Kite's OSComp runner (net-host.sh made this disk): serve the host
# until it shuts redis down.
echo "NET-HOST start"
./iperf3 -s -p 5201 > /tmp/iperf3-s.log 2>&1 &
ipid=$!
# The host connects from QEMU's gateway (10.0.2.2), not from loopback:
# redis's protected mode would refuse it.
./redis-server --port 6379 --save "" --appendonly no --protected-mode no > /tmp/redis.log 2>&1 &
rpid=$!
i=0
while [ $i -lt 100 ] && [ "$(./redis-cli ping 2>/dev/null)" != PONG ]; do sleep 0.2; i=$((i + 1)); done
echo "NET-HOST ready"
wait $rpid
echo "NET-HOST redis exited"
kill $ipid 2>/dev/null
wait $ipid 2>/dev/null
echo "--- iperf3 -s"; cat /tmp/iperf3-s.log
echo "--- redis-server"; tail -5 /tmp/redis.log
echo "NET-HOST done"
SCRIPT
r=$b/run.img
truncate -s 40M "$r" && mkfs.vfat -F 32 -s 1 "$r" > /dev/null && mcopy -s -i "$r" "$b/run/glibc" ::/

# ---- boot, with two free host ports forwarded ----
set -- $(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
iperf_port=$1 redis_port=$2
fwd="hostfwd=tcp:127.0.0.1:$iperf_port-:5201,hostfwd=tcp:127.0.0.1:$redis_port-:6379"
out=$b/out.txt
HOSTFWD=$fwd NET=1 DISK=$r KERNEL=$kernel \
  /usr/bin/timeout -k 5 600 "$top/scripts/run-qemu.sh" < /dev/null > "$out" 2>&1 &
qemu=$!
echo "# QEMU forwards 127.0.0.1:$iperf_port -> iperf3, 127.0.0.1:$redis_port -> redis"

# wait_for TEXT SECONDS: wait until the console shows TEXT; fails if QEMU exits first.
wait_for() {
  n=0
  while [ $n -lt $(($2 * 5)) ]; do
    grep -q "$1" "$out" && return 0
    kill -0 $qemu 2>/dev/null || return 1
    sleep 0.2; n=$((n + 1))
  done
  return 1
}

if wait_for "^NET-HOST ready" 400; then
  pass guest-servers-started
  # ---- iperf3 from the host ----
  iout=$(/usr/bin/timeout 60 iperf3 -c 127.0.0.1 -p "$iperf_port" -t 2 2>&1)
  rate=$(echo "$iout" | grep receiver | tail -1 | grep -oE '[0-9.]+ [KMG]bits/sec')
  if echo "$rate" | grep -qE '[MG]bits/sec'; then
    pass "iperf3-host-to-guest ($rate)"
  else
    failed "iperf3-host-to-guest ($(echo "$iout" | tail -3 | tr '\n' ' '))"
  fi
  # ---- redis-cli from the host ----
  cli() { /usr/bin/timeout 20 redis-cli -h 127.0.0.1 -p "$redis_port" "$@" 2>&1; }
  check() { # name expected command...
    name=$1 want=$2; shift 2
    got=$(cli "$@" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then pass "redis-cli-$name"; else failed "redis-cli-$name (expected [$want], got [$got])"; fi
  }
  check set OK set kite lwip
  check get lwip get kite
  check incr-1 1 incr counter
  check incr-2 2 incr counter
  check lpush 3 lpush list a b c
  check lrange "c b a" lrange list 0 -1
  cli shutdown nosave > /dev/null
else
  failed "guest-servers-started (no 'NET-HOST ready' on the console)"
  kill $qemu 2>/dev/null
fi

# ---- clean power-off: the guest script returns, the runner powers off ----
wait $qemu
st=$?
tr -d '\r' < "$out" > "$b/out.clean"
if [ $st = 0 ] && grep -q '^NET-HOST done' "$b/out.clean"; then
  pass clean-shutdown
else
  failed "clean-shutdown (QEMU status $st)"
fi
if [ $fail != 0 ]; then
  echo "--- console (last 30 lines) ---"
  tail -30 "$b/out.clean" | sed 's/^/    /'
fi
exit $fail
