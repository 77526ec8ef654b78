# gen-syscalls.awk — kern/syscall.tbl -> the C dispatch table.
#
# For each system call it emits the handler's prototype and a wrapper that
# takes the six raw argument registers and casts each to its declared type
# (so an int argument is really truncated to 32 bits before the handler
# sees it), then the table indexed by number. Handlers are weak references:
# one whose subsystem is left out of the build (Makefile WITH_NET=...)
# answers ENOSYS, and scripts/check-kernel.sh lists any that are missing.
# Rows whose status is "enosys: <why>" get no entry: they answer ENOSYS.
# The flag nosleep (fifth column) sets the entry's nosleep.
BEGIN {
  FS = "\t"
  print "/* Generated from kern/syscall.tbl by scripts/gen-syscalls.awk. Do not edit. */"
  print "#include \"kern/syscall.h\""
  print ""
  n = 0
}
/^#/ || NF < 3 || $3 ~ /^enosys/ { next }
{
  nr = $1; name = $2; args = (NF >= 4) ? $4 : ""
  proto = ""; call = ""
  if (args == "") {
    proto = "void"
  } else {
    k = split(args, parts, /, */)
    for (i = 1; i <= k; i++) {
      a = parts[i]
      sub(/^ +/, "", a); sub(/ +$/, "", a)
      m = split(a, words, / +/)
      type = words[1]
      for (j = 2; j < m; j++) type = type " " words[j]
      proto = proto (i > 1 ? ", " : "") a
      call = call (i > 1 ? ", " : "") "(" type ")a[" (i - 1) "]"
    }
  }
  printf "long sys_%s(%s) __attribute__((weak));\n", name, proto
  printf "static long wrap_%s(const uint64_t *a) { (void)a; return sys_%s ? sys_%s(%s) : -ENOSYS; }\n", name, name, name, call
  nrs[n] = nr; names[n] = name; nosleep[n] = ($5 == "nosleep") ? "true" : "false"; n++
}
END {
  print ""
  print "const struct syscall_entry syscall_table[NR_SYSCALLS] = {"
  for (i = 0; i < n; i++)
    printf "  [%s] = { \"%s\", wrap_%s, %s },\n", nrs[i], names[i], names[i], nosleep[i]
  print "};"
}
