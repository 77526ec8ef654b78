/* sysinfo.h — system-wide facts shared by uname, /proc and the boot log. */
#ifndef KITE_SYSINFO_H
#define KITE_SYSINFO_H
#include "kern/types.h"
#define KITE_RELEASE "6.1.0-kite"
#define KITE_VERSION "#1 SMP Kite"
extern char hostname[65];                /* kern/utsname.c */
extern char domainname[65];
void loadavg_get(uint64_t loads[3]);     /* fixed point, 1 << 16 = 1.0 */
#endif
