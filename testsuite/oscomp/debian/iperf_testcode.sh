# iperf: one iperf3 server in the background, six client runs on 127.0.0.1.
host=127.0.0.1
port=5001
./busybox echo "#### OS COMP TEST GROUP START iperf-@LIBC@ ####"
run_iperf() {
  echo "====== iperf $1 begin ======"
  ./iperf3 -c $host -p $port -t 2 -i 0 $2
  if [ $? -eq 0 ]; then ans="success"; else ans="fail"; fi
  echo "====== iperf $1 end: $ans ======"
  echo ""
}
./iperf3 -s -p $port -D
run_iperf BASIC_UDP "-u -b 1000G"
run_iperf BASIC_TCP ""
run_iperf PARALLEL_UDP "-u -P 5 -b 1000G"
run_iperf PARALLEL_TCP "-P 5"
run_iperf REVERSE_UDP "-u -R -b 1000G"
run_iperf REVERSE_TCP "-R"
./busybox echo "#### OS COMP TEST GROUP END iperf-@LIBC@ ####"
