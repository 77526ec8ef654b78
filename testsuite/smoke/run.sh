#!/bin/sh
# run.sh — the smoke runner, started as init (APPEND='init=/smoke/run.sh').
# Prints "SMOKE <name> ok" or "SMOKE <name> FAIL: ..." for each check; the
# host (scripts/smoke.sh) reads these lines.
cd /smoke || exit 1
check() {
  name=$1; expect=$2; shift 2
  out=$("$@" 2>&1)
  if [ "$out" = "$expect" ]; then
    echo "SMOKE $name ok"
  else
    echo "SMOKE $name FAIL: got [$out]"
  fi
}
check hello_static "hello, world" ./hello
check hello_dynamic "hello, world" ./hello_dynamic
check script "script: ok arg1" ./script.sh arg1
check pipe "pipe: ok 1048576" sh -c './pipe_writer | ./pipe_reader'
check efault "efault: ok" ./efault
check profile "profile: ok" ./profile.sh
check initramfs "initramfs: ok" ./initramfs.sh

# Network checks, chosen by flags on the kernel command line (scripts/smoke.sh).
cmdline=$(cat /proc/cmdline 2>/dev/null)
flag() { case " $cmdline " in *" $1=1 "*) return 0 ;; esac; return 1; }
klog() { dmesg | grep -m1 "$1"; }
if flag NET_LOOPBACK_TEST; then
  if klog "net: tcp loopback ok" >/dev/null; then echo "SMOKE net_loopback ok"
  else echo "SMOKE net_loopback FAIL: $(klog 'net: tcp loopback')"; fi
fi
flag TCP_ECHO_TEST && check tcp_echo "tcp-echo: ok" ./tcp_echo
flag UDP_ECHO_TEST && check udp_echo "udp-echo: ok" ./udp_echo
if flag EXPECT_NET; then
  cat /proc/net/dev >/dev/null  # the stack starts on first use: this probes the gateway
  i=0  # the gateway's ARP answer comes from the net task: allow it 10 s
  while [ $i -lt 20 ] && ! klog "answered the ARP probe" >/dev/null; do sleep 0.5; i=$((i + 1)); done
  ready=$(klog "virtio-net: .* ready")
  arp=$(klog "answered the ARP probe")
  if [ -n "$ready" ] && [ -n "$arp" ]; then echo "SMOKE expect_net ok"
  else echo "SMOKE expect_net FAIL: ready=[$ready] arp=[$arp]"; fi
fi
echo "SMOKE done"
