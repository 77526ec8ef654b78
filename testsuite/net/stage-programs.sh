#!/bin/sh
# stage-programs.sh DIR — put the network test programs into DIR, laid out
# as a root file system, for the guests of testsuite/tests/net-apps.sh,
# testsuite/tests/net-host.sh and bench/net.py:
#
#   DIR/usr/bin/iperf3                 Debian trixie's riscv64 build (glibc,
#                                      dynamic; fetch-iperf3.sh)
#   DIR/usr/bin/redis-server, redis-cli      musl, static (build-redis.sh)
#   DIR/usr/bin/redis-benchmark              musl, static (build-redis.sh)
#   DIR/usr/lib/riscv64-linux-gnu/     glibc's loader and iperf3's libraries
#                                      (plain files: symbolic links resolved)
#   DIR/lib/ld-linux-riscv64-lp64d.so.1 -> the loader (iperf3's PT_INTERP)
#
# The last line is the only symbolic link, so a FAT disk can take the rest.
# Everything is cached by the helpers; progress goes to stderr. Exits
# non-zero, naming the step, when one fails.
set -eu
net=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$net/../.." && pwd)
dir=$1
multiarch=usr/lib/riscv64-linux-gnu

iperf=$("$net/fetch-iperf3.sh") || { echo "stage-programs: fetch-iperf3.sh failed" >&2; exit 1; }
redis=$("$top/scripts/build-redis.sh") || { echo "stage-programs: build-redis.sh failed" >&2; exit 1; }

mkdir -p "$dir/usr/bin" "$dir/$multiarch" "$dir/lib"
cp "$iperf/usr/bin/iperf3" "$redis/redis-server" "$redis/redis-cli" "$redis/redis-benchmark" "$dir/usr/bin/"
# The shared objects only (not gconv/ or engines-3/: iperf3 loads neither).
# A library reached through a link (libz.so.1 -> libz.so.1.3.1) is copied
# once, under the link's name, which is the name the loader asks for.
lib=$iperf/$multiarch
for f in "$lib"/*.so*; do
  name=$(basename "$f")
  if [ ! -L "$f" ] && ls -l "$lib" | grep -q -- "-> $name\$"; then continue; fi
  cp -L "$f" "$dir/$multiarch/$name"
done
ln -sfn "/$multiarch/ld-linux-riscv64-lp64d.so.1" "$dir/lib/ld-linux-riscv64-lp64d.so.1"
