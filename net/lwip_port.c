/*
 * lwip_port.c — the few functions lwIP needs from its platform.
 *
 * Layer: the lwIP port (net/). lwIP's NO_SYS mode asks only for a clock
 * (sys_now, milliseconds), random numbers, and diagnostic/assert hooks.
 * Memory comes from kmalloc through lwipopts.h; locking is net_lock
 * (net/netcore.c), taken by our callers, never by lwIP itself.
 */
#include "kern/types.h"
#include "kern/time.h"
#include "kern/printk.h"
#include "fs/devfs.h"
#include "lwip/sys.h"

/* Monotonic milliseconds (rdtime, 10 MHz on QEMU virt). Wraps after 49
 * days, which lwIP's timeout arithmetic expects. */
u32_t sys_now(void)
{
  return (u32_t)(time_monotonic_ns() / NSEC_PER_MSEC);
}

/* TCP initial sequence numbers and ephemeral ports. */
uint32_t lwip_port_rand(void)
{
  uint32_t r;
  random_bytes(&r, sizeof(r));
  return r;
}

/* lwIP's debug messages (only with LWIP_DEBUG) go to the kernel log. */
void lwip_port_diag(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintk(LOG_DEBUG, fmt, ap);
  va_end(ap);
}

/* An lwIP assertion is a kernel bug: stop with the message. */
void lwip_port_assert(const char *msg, const char *file, int line)
{
  panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}
