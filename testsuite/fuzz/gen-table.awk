# gen-table.awk — kern/syscall.tbl -> the fuzzer's call table (fuzz_table.h).
# One row per implemented call: number, name, and one kind letter per
# argument, chosen from the argument's type and name:
#   F descriptor   P path (a string)   B buffer   A address (of a mapping)
#   L length       O file offset      X flags, modes, commands
#   I pid          S signal number    N any other number
BEGIN { FS = "\t"; print "/* generated from kern/syscall.tbl by testsuite/fuzz/gen-table.awk */" }
/^#/ || NF < 4 || $4 == "" { next }
$3 != "impl" && $3 !~ /^partial/ { next }
{
  n = split($4, a, ", ")
  kinds = ""
  for (i = 1; i <= n; i++) {
    split(a[i], tn, " ")
    t = tn[1]; nm = tn[2]; k = "N"
    if (t == "uaddr_t") {
      if (nm ~ /path|^target$|^source$|^fstype$|^name$|^new_root$|^put_old$/) k = "P"
      else if (nm ~ /^addr$|^start$|^end$|^old$|^newaddr$|^newsp$|^tls$/) k = "A"
      else k = "B"
    } else if (nm ~ /^(fd|epfd|dirfd|olddirfd|newdirfd|oldfd|newfd|in_fd|out_fd|fd_in|fd_out)$/) k = "F"
    else if (t == "size_t" || nm ~ /len$|^count$|^size$|^length$|^nbytes$|^msgsz$|^nsops$|^vlen$|^iovcnt$|^maxevents$|^nfds$/) k = "L"
    else if (t == "off_t" || nm ~ /^off/) k = "O"
    else if (nm ~ /^(pid|tid|tgid|pgid|who|id)$/) k = "I"
    else if (nm == "sig") k = "S"
    else if (nm ~ /flags|mode|prot|^op$|^cmd$|^how$|^which$|^whence$|^advice$|^options$|^policy$|^resource$|^type$|^level$|^optname$|^domain$|^protocol$|^clockid$|^idtype$|^option$|^mask$/) k = "X"
    kinds = kinds k
  }
  printf "  {%d, \"%s\", \"%s\"},\n", $1, $2, kinds
}
