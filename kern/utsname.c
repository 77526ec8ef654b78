/*
 * utsname.c — the host and domain names (uname, sethostname,
 * setdomainname, /proc/sys/kernel/hostname and domainname).
 *
 * Layer: core (data only), read by the system calls (kern/sys_misc.c) and
 * by procfs. Limits: 64 bytes and a NUL each (Linux's __NEW_UTS_LEN).
 * Locks: none (a reader racing sethostname may see a mix of the old and
 * the new name: harmless, and the buffer always ends in a NUL).
 */
#include "kern/sysinfo.h"

char hostname[65] = "kite";
char domainname[65] = "(none)";
