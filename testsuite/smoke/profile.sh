#!/bin/sh
# profile.sh — /proc/kite/profile (kern/profile.c, docs/performance.md): sampling
# while on, the kernel's own PCs in the histogram, stopped by "0", a bad
# value refused. Prints "profile: ok" or what went wrong.
p=/proc/kite/profile
echo 1 > $p || { echo "profile: cannot start"; exit 1; }
head -1 $p | grep -q sampling || { echo "profile: not sampling: $(head -1 $p)"; exit 1; }
i=0
while [ $i -lt 10 ]; do  # kernel work: 1 MiB through a pipe, until samples land in the kernel
  ./pipe_writer | ./pipe_reader > /dev/null
  kernel=$(sed -n 's/.* kernel \([0-9]*\) .*/\1/p' $p)
  [ "${kernel:-0}" -gt 0 ] && break
  i=$((i + 1))
done
echo 0 > $p
[ "${kernel:-0}" -gt 0 ] || { echo "profile: no kernel samples: $(sed -n 2p $p)"; exit 1; }
head -1 $p | grep -q stopped || { echo "profile: did not stop: $(head -1 $p)"; exit 1; }
first=$(grep -v '^#' $p | head -1)
case "$first" in
  [0-9]*" ffffffc0"*) ;;
  *) echo "profile: first line not a kernel pc: [$first]"; exit 1 ;;
esac
sum=$(grep -v '^#' $p | awk '{ s += $1 } END { print s }')
[ "$sum" = "$(sed -n 's/.* kernel \([0-9]*\) .*/\1/p' $p)" ] || { echo "profile: lines sum to $sum"; exit 1; }
echo 2 > $p 2>/dev/null && { echo "profile: 2 accepted"; exit 1; }
echo "profile: ok"
