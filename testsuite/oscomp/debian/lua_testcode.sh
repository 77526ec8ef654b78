#!./busybox sh
# lua: each script through test.sh, which reports success or fail.
./busybox echo "#### OS COMP TEST GROUP START lua-@LIBC@ ####"
for f in date file_io max_min random remove round_num sin30 sort strings; do
  ./test.sh $f.lua
done
./busybox echo "#### OS COMP TEST GROUP END lua-@LIBC@ ####"
