/*
 * tcp_opts.c — what TCP sockets say about themselves and let be set:
 * /proc/net/tcp and tcp6 lines, TCP_INFO, the SOL_TCP (and TCP-specific
 * SOL_SOCKET) options and the ioctls (SIOCINQ, SIOCOUTQ, ...).
 *
 * Layer: net, beside net/tcp_sock.c (whose tcp_ops points here) and
 * net/inet.c (the options every inet socket shares). Reads lwIP's pcbs.
 *
 * Locks: net_lock while reading or changing a pcb or a (net_lock) field;
 * option values are copied from and to the caller's buffers outside it.
 */
#include "net/inet.h"
#include "net/tcp_sock.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include <string.h>

#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

/* Linux's state number for a pcb of any list (TIME_WAIT and listeners too). */
static uint8_t pcb_linux_state(enum tcp_state st)
{
  switch (st) {
  case LISTEN: return LINUX_TCP_LISTEN;
  case SYN_SENT: return LINUX_TCP_SYN_SENT;
  case SYN_RCVD: return LINUX_TCP_SYN_RECV;
  case ESTABLISHED: return LINUX_TCP_ESTABLISHED;
  case FIN_WAIT_1: return LINUX_TCP_FIN_WAIT1;
  case FIN_WAIT_2: return LINUX_TCP_FIN_WAIT2;
  case CLOSE_WAIT: return LINUX_TCP_CLOSE_WAIT;
  case CLOSING: return LINUX_TCP_CLOSING;
  case LAST_ACK: return LINUX_TCP_LAST_ACK;
  case TIME_WAIT: return LINUX_TCP_TIME_WAIT;
  default: return LINUX_TCP_CLOSE;
  }
}

/* One /proc/net/tcp line: Linux's hex formats (addresses as stored, ports host order). */
static void tcp_proc_line(struct tcp_pcb *pcb, bool listen, bool v6, int *n,
                          void (*emit)(void *, const char *, size_t), void *ctx)
{
  bool is6 = IP_IS_V6_VAL(pcb->local_ip) || IP_IS_ANY_TYPE_VAL(pcb->local_ip);
  if (is6 != v6)
    return;
  char line[256], la[40], ra[40];
  uint32_t txq = 0, rxq = 0;
  if (!listen && pcb->state != TIME_WAIT) {
    txq = TCP_SND_BUF - tcp_sndbuf(pcb);
    struct tcp_sock *ts = pcb->callback_arg;
    if (ts)
      rxq = (uint32_t)ts->rx_bytes;
  }
  const ip_addr_t *l = &pcb->local_ip, *r = listen ? NULL : &pcb->remote_ip;
  if (v6) {
    static const uint32_t zero[4];
    const uint32_t *a = IP_IS_V6_VAL(*l) ? ip_2_ip6(l)->addr : zero;
    snprintf(la, sizeof(la), "%08X%08X%08X%08X", a[0], a[1], a[2], a[3]);
    a = (r && IP_IS_V6(r)) ? ip_2_ip6(r)->addr : zero;
    snprintf(ra, sizeof(ra), "%08X%08X%08X%08X", a[0], a[1], a[2], a[3]);
  } else {
    snprintf(la, sizeof(la), "%08X", ip4_addr_get_u32(ip_2_ip4(l)));
    snprintf(ra, sizeof(ra), "%08X", r ? ip4_addr_get_u32(ip_2_ip4(r)) : 0);
  }
  int len = snprintf(line, sizeof(line),
                     "%4d: %s:%04X %s:%04X %02X %08X:%08X 00:00000000 00000000     0        0 0\n",
                     (*n)++, la, pcb->local_port, ra, listen ? 0 : pcb->remote_port,
                     pcb_linux_state(pcb->state), txq, rxq);
  emit(ctx, line, (size_t)MIN(len, (int)sizeof(line) - 1));
}

/* /proc/net/tcp and /proc/net/tcp6: every pcb lwIP knows. */
void tcp_proc_show(bool v6, void (*emit)(void *, const char *, size_t), void *ctx)
{
  static const char head[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                             "retrnsmt   uid  timeout inode\n";
  static const char head6[] = "  sl  local_address                         remote_address                  "
                              "      st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  if (v6)
    emit(ctx, head6, sizeof(head6) - 1);
  else
    emit(ctx, head, sizeof(head) - 1);
  int n = 0;
  net_lock_acquire();
  for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
    tcp_proc_line((struct tcp_pcb *)l, true, v6, &n, emit, ctx);
  for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
    tcp_proc_line(p, false, v6, &n, emit, ctx);
  for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
    tcp_proc_line(p, false, v6, &n, emit, ctx);
  net_lock_release();
}

/* Linux's state number for TCP_INFO (net_lock held): a listener's pcb is
 * a listening one (both change together in tcp_listen_op), so the pcb's
 * state says it all once there is a pcb. */
static uint8_t tcp_linux_state(struct tcp_sock *ts, struct tcp_pcb *pcb)
{
  if (ts->state == TS_LISTEN)
    return LINUX_TCP_LISTEN;
  if (!pcb)
    return LINUX_TCP_CLOSE;
  return pcb_linux_state(pcb->state);
}

static void tcp_fill_info(struct tcp_sock *ts, struct tcp_info *ti)
{
  memset(ti, 0, sizeof(*ti));
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  ti->tcpi_state = tcp_linux_state(ts, pcb);
  if (!pcb || ts->state == TS_LISTEN)
    return;
  uint32_t tick_us = TCP_SLOW_INTERVAL * 1000;
  uint32_t mss = pcb->mss ? pcb->mss : 536;
  ti->tcpi_retransmits = pcb->nrtx;
  ti->tcpi_rto = (uint32_t)pcb->rto * tick_us;
  ti->tcpi_snd_mss = mss;
  ti->tcpi_rcv_mss = mss;
  ti->tcpi_advmss = mss;
  ti->tcpi_rtt = (uint32_t)(pcb->sa >> 3) * tick_us;
  ti->tcpi_rttvar = (uint32_t)(pcb->sv >> 2) * tick_us;
  ti->tcpi_snd_cwnd = pcb->cwnd / mss;
  ti->tcpi_snd_ssthresh = pcb->ssthresh / mss;
  ti->tcpi_rcv_space = pcb->rcv_wnd;
  ti->tcpi_rcv_ssthresh = pcb->rcv_wnd;
  ti->tcpi_snd_wnd = pcb->snd_wnd;
  ti->tcpi_pmtu = 1500;
  ti->tcpi_reordering = 3;
  ti->tcpi_notsent_bytes = 0;
  for (struct tcp_seg *seg = pcb->unacked; seg; seg = seg->next)
    ti->tcpi_unacked++;
  for (struct tcp_seg *seg = pcb->unsent; seg; seg = seg->next)
    ti->tcpi_notsent_bytes += seg->len;
#if LWIP_WND_SCALE
  if (pcb->flags & TF_WND_SCALE) {
    ti->tcpi_options |= 4;  /* TCPI_OPT_WSCALE */
    ti->tcpi_wscale = (uint8_t)((pcb->snd_scale & 0xf) | ((pcb->rcv_scale & 0xf) << 4));
  }
#endif
}

int tcp_setsockopt_op(struct socket *s, int level, int name, const void *val, unsigned len)
{
  struct tcp_sock *ts = tcp_of(s);
  if (level != SOL_TCP)
    return inet_setsockopt(&ts->inet, level, name, val, len);
  if (name == TCP_CONGESTION) {
    char cc[16];
    size_t n = MIN(len, sizeof(cc) - 1);
    memcpy(cc, val, n);
    cc[n] = 0;
    return (strcmp(cc, "reno") == 0) ? 0 : -ENOENT;  /* lwIP does NewReno */
  }
  int v;
  if (sockopt_int(val, len, &v))
    return -EINVAL;
  switch (name) {
  case TCP_NODELAY:
    ts->nodelay = v != 0;
    break;
  case TCP_CORK:
    ts->cork = v != 0;
    break;
  case TCP_QUICKACK:
    ts->quickack = v != 0;
    break;
  case TCP_MAXSEG:
    if (v && (v < 88 || v > 65495))
      return -EINVAL;
    ts->maxseg = v;
    break;
  case TCP_KEEPIDLE:
  case TCP_KEEPINTVL:
    if (v < 1 || v > 32767)
      return -EINVAL;
    if (name == TCP_KEEPIDLE)
      ts->keepidle = v;
    else
      ts->keepintvl = v;
    break;
  case TCP_KEEPCNT:
    if (v < 1 || v > 127)
      return -EINVAL;
    ts->keepcnt = v;
    break;
  default:
    return -ENOPROTOOPT;
  }
  net_lock_acquire();
  tcp_apply_options(ts);
  net_lock_release_flush();
  return 0;
}

int tcp_getsockopt_op(struct socket *s, int level, int name, void *val, unsigned *len)
{
  struct tcp_sock *ts = tcp_of(s);
  if (level == SOL_SOCKET && name == SO_ACCEPTCONN)
    return sockopt_put_int(val, len, READ_ONCE(ts->state) == TS_LISTEN);
  if (level != SOL_TCP)
    return inet_getsockopt(&ts->inet, level, name, val, len);
  switch (name) {
  case TCP_NODELAY: return sockopt_put_int(val, len, ts->nodelay);
  case TCP_CORK: return sockopt_put_int(val, len, ts->cork);
  case TCP_QUICKACK: return sockopt_put_int(val, len, ts->quickack);
  case TCP_KEEPIDLE: return sockopt_put_int(val, len, ts->keepidle);
  case TCP_KEEPINTVL: return sockopt_put_int(val, len, ts->keepintvl);
  case TCP_KEEPCNT: return sockopt_put_int(val, len, ts->keepcnt);
  case TCP_MAXSEG: {
    net_lock_acquire();
    struct tcp_pcb *pcb = ts->inet.pcb.tcp;
    int mss = (pcb && ts->state == TS_CONNECTED) ? pcb->mss : (ts->maxseg ? ts->maxseg : 536);
    net_lock_release();
    return sockopt_put_int(val, len, mss);
  }
  case TCP_CONGESTION: {
    static const char name_reno[16] = "reno";
    *len = MIN(*len, sizeof(name_reno));
    memcpy(val, name_reno, *len);
    return 0;
  }
  case TCP_INFO: {
    struct tcp_info ti;
    net_lock_acquire();
    tcp_fill_info(ts, &ti);
    net_lock_release();
    *len = MIN(*len, sizeof(ti));
    memcpy(val, &ti, *len);
    return 0;
  }
  default:
    return -ENOPROTOOPT;
  }
}

int tcp_ioctl_op(struct socket *s, unsigned cmd, uint64_t arg)
{
  struct tcp_sock *ts = tcp_of(s);
  int v;
  net_lock_acquire();
  bool listening = ts->state == TS_LISTEN;
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  switch (cmd) {
  case SIOCINQ:
    v = (int)MIN(ts->rx_bytes, (size_t)INT32_MAX);
    break;
  case SIOCOUTQ:
    v = (pcb && !listening) ? (int)(TCP_SND_BUF - tcp_sndbuf(pcb)) : 0;
    break;
  case SIOCATMARK:
    v = 0;
    break;
  default:
    net_lock_release();
    return -ENOTTY;
  }
  net_lock_release();
  if (listening && cmd != SIOCATMARK)
    return -EINVAL;
  return copyout(arg, &v, sizeof(v)) ? -EFAULT : 0;
}
