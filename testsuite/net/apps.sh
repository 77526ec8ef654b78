#!/bin/sh
# apps.sh — real programs over Kite's network stack, run inside Kite as
# init by testsuite/tests/net-apps.sh (which puts the programs in the
# initramfs). Prints PASS:/FAIL: lines and "# ..." measurements.
#
#   iperf3 (Debian's riscv64 build, glibc): the six OSComp variants over
#          127.0.0.1 against `iperf3 -s` (an AF_INET6 dual-stack server);
#          the receiver's bitrate must be in Mbits/sec or Gbits/sec
#   redis  server, redis-cli, redis-benchmark over TCP
#   busybox httpd and telnetd listening at the same time (the seed's two
#          servers that stole each other's SYNs), requests alternating
#          between two servers
#   busybox dnsd + nslookup
PATH=/usr/bin:/bin:/sbin:/usr/sbin
pass() { echo "PASS: apps/$1"; }
fail() { echo "FAIL: apps/$1: $2"; }

iperf() {
  name=$1; shift
  iperf3 -s -1 > /tmp/iperf-s.log 2>&1 &
  spid=$!
  sleep 1
  # a sampler keeps the TCP table, to explain a slow run afterwards
  (while :; do cat /proc/net/tcp; grep lwIP-TCP /proc/net/sockstat; sleep 1; done) > /tmp/iperf-tcp.log 2>&1 &
  tpid=$!
  out=$(timeout 30 iperf3 -c 127.0.0.1 -t 2 "$@" 2>&1)
  kill $tpid 2>/dev/null
  wait $tpid 2>/dev/null
  rate=$(echo "$out" | grep receiver | tail -1 | grep -oE '[0-9.]+ [KMG]bits/sec')
  if echo "$rate" | grep -qE '[MG]bits/sec'; then
    pass "iperf3-$name"
    echo "# iperf3 $name: receiver $rate"
  else
    fail "iperf3-$name" "$(echo "$out" | tail -3 | tr '\n' ' ')"
  fi
  num=$(echo "$rate" | cut -d' ' -f1)
  if echo "$rate" | grep -qE '(K|M)bits' && [ "${num%%.*}" -lt 100 ] 2>/dev/null && ! echo "$name" | grep -q udp; then
    echo "$out" | grep sec | sed 's/^/# slow: /'
    tail -30 /tmp/iperf-tcp.log | sed 's/^/# slow: /'
  fi
  kill $spid 2>/dev/null
  wait $spid 2>/dev/null
}
iperf tcp
iperf udp -u -b 1000M
iperf tcp-parallel -P 5
iperf udp-parallel -u -b 1000M -P 5
iperf tcp-reverse -R
iperf udp-reverse -u -b 1000M -R

# ---- redis ----
redis-server --save "" --appendonly no --daemonize no > /tmp/redis.log 2>&1 &
rpid=$!
i=0
while [ $i -lt 50 ] && [ "$(redis-cli ping 2>/dev/null)" != PONG ]; do sleep 0.2; i=$((i + 1)); done
if [ "$(redis-cli ping 2>&1)" = PONG ]; then pass redis-server-ping; else fail redis-server-ping "$(tail -3 /tmp/redis.log)"; fi
r="$(redis-cli set kite lwip)/$(redis-cli get kite)/$(redis-cli incr n)/$(redis-cli incr n)"
if [ "$r" = "OK/lwip/1/2" ]; then pass redis-cli-commands; else fail redis-cli-commands "got [$r]"; fi
out=$(timeout 120 redis-benchmark -q -n 2000 -c 10 -t ping,set,get 2>&1 | tr '\r' '\n' | grep "requests per second")
if [ "$(echo "$out" | grep -c 'requests per second')" = 4 ]; then
  pass redis-benchmark
  echo "$out" | sed 's/^ */# redis-benchmark /; s/, p50.*//'
else
  fail redis-benchmark "$(echo "$out" | tail -2 | tr '\n' ' ')"
fi
redis-cli shutdown nosave > /dev/null 2>&1
wait $rpid 2>/dev/null

# ---- httpd and telnetd at the same time ----
# (telnetd's shell sessions need a pseudo-terminal, /dev/ptmx, which Kite
# does not have yet: telnetd exits after its first connection. So the
# alternating requests go to two httpd servers instead.)
mkdir -p /www2
echo "second server" > /www2/index.html
httpd -p 8080 -h /www
httpd -p 8081 -h /www2
telnetd -p 2323 -l /bin/sh
sleep 1
listening=$(netstat -tln 2>/dev/null | grep -cE ':(8080|8081|2323) .*LISTEN')
if [ "$listening" = 3 ]; then pass httpd-telnetd-listening; else fail httpd-telnetd-listening "$(netstat -tln 2>&1)"; fi
if nc 127.0.0.1 2323 < /dev/null > /dev/null 2>&1; then pass telnetd-accepts; else fail telnetd-accepts "connect failed"; fi
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
  a=$(wget -q -O - http://127.0.0.1:8080/index.html 2>&1)
  b=$(wget -q -O - http://127.0.0.1:8081/index.html 2>&1)
  [ "$a" = "hello from kite httpd" ] && [ "$b" = "second server" ] && ok=$((ok + 1))
done
if [ $ok = 10 ]; then pass two-servers-alternating; else fail two-servers-alternating "$ok of 10"; fi
killall httpd telnetd 2>/dev/null

# ---- dnsd and nslookup ----
dnsd -c /etc/dnsd.conf -p 53 > /tmp/dnsd.log 2>&1 &
dpid=$!
sleep 1
out=$(timeout 10 nslookup kite.test 127.0.0.1 2>&1)
if echo "$out" | grep -q "Address: 10.0.2.15"; then pass dnsd-nslookup; else fail dnsd-nslookup "$(echo "$out" | tr '\n' ' ')"; fi
kill $dpid 2>/dev/null
cat /proc/net/sockstat | grep -E '^(sockets|lwIP-TCP)' | sed 's/^/# /'
echo "APPS done"
