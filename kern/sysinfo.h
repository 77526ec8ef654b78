/*
 * sysinfo.h — system-wide facts shared by uname, /proc and the boot log.
 *
 * Layer: core (kern/utsname.c holds the names, per UTS namespace; kern/sched.c the load
 * average). Read by kern/sys_misc.c (uname, sysinfo) and fs/proc_kernel.c.
 * Locks: none. A reader racing sethostname may see a mix of the old and
 * new name (always NUL-terminated); the load average is a snapshot.
 */
#ifndef KITE_SYSINFO_H
#define KITE_SYSINFO_H
#include "kern/types.h"
#define KITE_RELEASE "6.1.0-kite"
#define KITE_VERSION "#1 SMP Kite"
/* The caller's host and domain names (its UTS namespace, kern/nsproxy.h):
 * 65-byte buffers, always NUL-terminated (kern/utsname.c). */
char *uts_hostname(void);
char *uts_domainname(void);
/* CAP_SYS_ADMIN in the user namespace that owns the caller's UTS
 * namespace (sethostname, setdomainname)? */
bool uts_capable(void);
/* The 1, 5 and 15 minute load averages, fixed point (1 << 16 = 1.0),
 * updated every 5 s by the scheduler tick. No lock (a snapshot). */
void loadavg_get(uint64_t loads[3]);
#endif
