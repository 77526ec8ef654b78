#!./busybox sh
# lmbench: the OSComp selection of lmbench's measurements, with Debian's
# programs (one binary per benchmark; Debian's lat_proc runs
# /var/tmp/lmbench/hello). Uses /var/tmp and /tmp, and busybox from $PATH.
./busybox echo "#### OS COMP TEST GROUP START lmbench-@LIBC@ ####"
echo latency measurements
./lat_syscall -P 1 null
./lat_syscall -P 1 read
./lat_syscall -P 1 write
busybox mkdir -p /var/tmp
busybox touch /var/tmp/lmbench
./lat_syscall -P 1 stat /var/tmp/lmbench
./lat_syscall -P 1 fstat /var/tmp/lmbench
./lat_syscall -P 1 open /var/tmp/lmbench
./lat_select -n 100 -P 1 file
./lat_sig -P 1 install
./lat_sig -P 1 catch
./lat_sig -P 1 prot lat_sig
./lat_pipe -P 1
./lat_proc -P 1 fork
busybox rm -f /var/tmp/lmbench
busybox mkdir -p /var/tmp/lmbench
busybox cp hello /var/tmp/lmbench/hello
./lat_proc -P 1 exec
./lat_proc -P 1 shell
./lmdd label="File /var/tmp/XXX write bandwidth:" of=/var/tmp/XXX move=1m fsync=1 print=3
./lat_pagefault -P 1 /var/tmp/XXX
./lat_mmap -P 1 512k /var/tmp/XXX
busybox echo file system latency
./lat_fs /var/tmp
busybox echo Bandwidth measurements
./bw_pipe -P 1
./bw_file_rd -P 1 512k io_only /var/tmp/XXX
./bw_file_rd -P 1 512k open2close /var/tmp/XXX
./bw_mmap_rd -P 1 512k mmap_only /var/tmp/XXX
./bw_mmap_rd -P 1 512k open2close /var/tmp/XXX
busybox echo context switch overhead
./lat_ctx -P 1 -s 32 2 4 8 16 24 32 64 96
busybox rm -rf /var/tmp/XXX /var/tmp/lmbench
./busybox echo "#### OS COMP TEST GROUP END lmbench-@LIBC@ ####"
