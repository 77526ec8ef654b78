/*
 * lwip_port.c — the few functions lwIP needs from its platform.
 *
 * Layer: the lwIP port (net/). lwIP's NO_SYS mode asks only for a clock
 * (sys_now, milliseconds), random numbers, TCP's initial sequence numbers,
 * and diagnostic/assert hooks.
 * Memory comes from kmalloc through lwipopts.h; locking is net_lock
 * (net/netcore.c), taken by our callers, never by lwIP itself.
 */
#include "kern/types.h"
#include "kern/time.h"
#include "kern/printk.h"
#include "fs/devfs.h"
#include "lwip/sys.h"
#include "lwip/ip_addr.h"

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

/* One round of a 64-bit mixer (splitmix64's finaliser) over h ^ v. */
static uint64_t isn_mix(uint64_t h, uint64_t v)
{
  h ^= v;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

/* h mixed with an IPv4 or IPv6 address. */
static uint64_t isn_mix_addr(uint64_t h, const ip_addr_t *a)
{
  if (!IP_IS_V6(a))
    return isn_mix(h, ip_2_ip4(a)->addr);
  const u32_t *w = ip_2_ip6(a)->addr;
  return isn_mix(isn_mix(h, (uint64_t)w[0] << 32 | w[1]), (uint64_t)w[2] << 32 | w[3]);
}

/*
 * TCP's initial sequence number (lwipopts.h: LWIP_HOOK_TCP_ISN), as Linux
 * chooses it (secure_tcp_seq, RFC 6528): a keyed hash of the four
 * addresses and ports, secret per boot, plus a clock ticking every 64 ns.
 * For one address/port pair the numbers only grow with time, so a new SYN
 * is past what an older connection of the same pair saw — the rule by
 * which a SYN may end a TIME_WAIT (net/tcp_sock.c: tcp_input_hook).
 * lwIP's own counter jumps by large steps and wraps within seconds.
 */
u32_t tcp_isn(const ip_addr_t *local, u16_t lport, const ip_addr_t *remote, u16_t rport)
{
  static uint64_t secret;
  while (!secret)
    random_bytes(&secret, sizeof(secret));
  uint64_t h = isn_mix_addr(isn_mix_addr(secret, local), remote);
  h = isn_mix(h, (uint64_t)lport << 16 | rport);
  return (u32_t)(h + (time_monotonic_ns() >> 6));
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
