#!./busybox sh
# busybox: every line of busybox_cmd.txt run as `./busybox <line>`; a line
# succeeds if its exit status is 0 (`false` succeeds by failing).
./busybox echo "#### OS COMP TEST GROUP START busybox-@LIBC@ ####"
./busybox cat ./busybox_cmd.txt | while read -r line; do
  eval "./busybox $line"
  st=$?
  if [ $st -ne 0 ] && [ "$line" != "false" ]; then
    echo "testcase busybox $line fail"
  else
    echo "testcase busybox $line success"
  fi
done
./busybox echo "#### OS COMP TEST GROUP END busybox-@LIBC@ ####"
