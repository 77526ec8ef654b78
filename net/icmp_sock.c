/*
 * icmp_sock.c — ICMP sockets over lwIP's raw API, so ping and ping6 work:
 *
 *   SOCK_RAW, IPPROTO_ICMP     send ICMP messages (the caller computes the
 *                              checksum); receive every ICMP packet with its
 *                              IPv4 header, as Linux's raw sockets do.
 *   SOCK_RAW, IPPROTO_ICMPV6   the same without IP header; the kernel fills
 *                              in the checksum; ICMP6_FILTER chooses types.
 *   SOCK_DGRAM, IPPROTO_ICMP(V6)  Linux's "ping sockets": only echo
 *                              requests go out (the kernel sets identifier
 *                              and checksum), only the matching echo
 *                              replies come back, without IP header.
 *
 * Layer: a protocol under the SocketTable (net/socket.c). lwIP hands every
 * ICMP packet to each raw pcb before its own ICMP code answers echo
 * requests; we copy what we want (the callback must not keep lwIP's pbuf)
 * and let lwIP go on. Queues are bounded by SO_RCVBUF, like UDP. The
 * sock_ops functions follow the contracts in net/socket.h.
 */
#include "net/inet.h"
#include "net/dgram.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include <string.h>

#include "lwip/raw.h"
#include "lwip/pbuf.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP_MAX_PAYLOAD 65507

struct icmp_sock {
  struct inet_sock inet;        /* first: inet code casts */
  bool raw;                     /* SOCK_RAW, else a ping socket */
  u16_t ident;                  /* ping sockets: our echo identifier (host order) */
  uint32_t filter[8];           /* ICMP6_FILTER: a set bit blocks that type */
  bool connected;
  struct dgram_queue rxq;       /* our copies of the messages received */
};

static const struct sock_ops icmp_ops;
static u16_t next_ident = 1;    /* net_lock */

static struct icmp_sock *icmp_of(struct socket *s)
{
  return s->proto;
}

/* lwIP: an ICMP packet arrived (net_lock held). Returns 0: lwIP keeps it. */
static u8_t icmp_recv_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
  struct icmp_sock *is = arg;
  (void)pcb;
  u16_t hlen = (u16_t)ip_current_header_tot_len();
  if (p->tot_len < hlen + 8)
    return 0;
  u8_t hdr[8];
  pbuf_copy_partial(p, hdr, sizeof(hdr), hlen);
  bool v6 = is->inet.v6;
  if (v6 && is->raw && (is->filter[hdr[0] >> 5] & (1u << (hdr[0] & 31))))
    return 0;
  if (!is->raw) {
    u16_t id = (u16_t)(hdr[4] << 8 | hdr[5]);
    if (hdr[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHO_REPLY) || id != is->ident)
      return 0;
  }
  u16_t off = (!v6 && is->raw) ? 0 : hlen;  /* IPv4 raw sockets see the IP header */
  u16_t len = (u16_t)(p->tot_len - off);
  struct pbuf *q = pbuf_alloc(PBUF_RAW, len, PBUF_RAM);
  if (!q)
    return 0;
  pbuf_copy_partial(p, q->payload, len, off);
  if (!dgram_enqueue(is->inet.sock, &is->rxq, q, addr, 0))
    pbuf_free(q);
  return 0;
}

static unsigned icmp_poll(struct socket *s)
{
  struct icmp_sock *is = icmp_of(s);
  net_lock_acquire();
  unsigned mask = POLLOUT | POLLWRNORM | (is->rxq.head ? POLLIN | POLLRDNORM : 0);
  net_lock_release();
  return mask;
}

/* Parse an address for this socket: v4 sockets take sockaddr_in, v6 sockaddr_in6 (no mapping). */
static int icmp_addr(struct icmp_sock *is, const struct sockaddr_storage *a, int alen, ip_addr_t *ip,
                     u16_t *port, bool for_bind)
{
  int r = inet_parse_addr(&is->inet, a, alen, ip, port, for_bind);
  if (r)
    return r;
  if (is->inet.v6 && !IP_IS_V6(ip))
    return -EAFNOSUPPORT;  /* ICMPv6 cannot reach an IPv4 address */
  return 0;
}

static int icmp_bind_op(struct socket *s, const struct sockaddr_storage *a, int alen)
{
  struct icmp_sock *is = icmp_of(s);
  ip_addr_t ip;
  u16_t port;
  net_lock_acquire();
  int r = icmp_addr(is, a, alen, &ip, &port, true);
  if (!r) {
    if (ip_addr_isany(&ip))
      inet_any_addr(&is->inet, &ip);
    r = inet_errno(raw_bind(is->inet.pcb.raw, &ip));
  }
  if (!r && !is->raw && port)
    is->ident = port;
  net_lock_release();
  return r;
}

static int icmp_connect_op(struct socket *s, const struct sockaddr_storage *a, int alen, bool nonblock)
{
  struct icmp_sock *is = icmp_of(s);
  (void)nonblock;
  int r;
  net_lock_acquire();
  if (alen >= 2 && a->ss_family == AF_UNSPEC) {
    raw_disconnect(is->inet.pcb.raw);
    is->connected = false;
    r = 0;
  } else {
    ip_addr_t ip;
    u16_t port;
    r = icmp_addr(is, a, alen, &ip, &port, false);
    if (!r)
      r = inet_errno(raw_connect(is->inet.pcb.raw, &ip));
    if (!r)
      is->connected = true;
  }
  net_lock_release();
  return r;
}

static ssize_t icmp_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  struct icmp_sock *is = icmp_of(s);
  (void)nonblock;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  size_t len = u->resid;
  if (len > ICMP_MAX_PAYLOAD)
    return -EMSGSIZE;
  if (!is->raw && len < 8)
    return -EINVAL;
  ip_addr_t ip;
  u16_t port;
  if (m->addrlen > 0) {
    net_lock_acquire();
    int r = icmp_addr(is, &m->addr, m->addrlen, &ip, &port, false);
    net_lock_release();
    if (r)
      return r;
  } else if (!READ_ONCE(is->connected)) {
    return -EDESTADDRREQ;
  }
  net_lock_acquire();
  struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)len, PBUF_RAM);
  net_lock_release();
  if (!p)
    return -ENOBUFS;
  if (len && uio_copy_from(u, p->payload, len) != (long)len) {
    net_lock_acquire();
    pbuf_free(p);
    net_lock_release();
    return -EFAULT;
  }
  u8_t *icmp = p->payload;
  bool v6 = is->inet.v6;
  if (!is->raw) {  /* a ping socket: an echo request with our identifier */
    if (icmp[0] != (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO_REQUEST) || icmp[1] != 0) {
      net_lock_acquire();
      pbuf_free(p);
      net_lock_release();
      return -EINVAL;
    }
    icmp[4] = (u8_t)(is->ident >> 8);
    icmp[5] = (u8_t)is->ident;
  }
  if (v6 && len >= 4) {
    icmp[2] = icmp[3] = 0;  /* lwIP fills in the ICMPv6 checksum */
  } else if (!is->raw) {
    icmp[2] = icmp[3] = 0;
    u16_t sum = inet_chksum(icmp, (u16_t)len);
    memcpy(icmp + 2, &sum, 2);
  }
  net_lock_acquire();
  struct raw_pcb *pcb = is->inet.pcb.raw;
  err_t e = m->addrlen > 0 ? raw_sendto(pcb, p, &ip) : raw_send(pcb, p);
  pbuf_free(p);
  net_lock_release_flush();
  if (e == ERR_MEM || e == ERR_BUF)
    e = ERR_OK;  /* dropped, as on a full link */
  int r = inet_errno(e);
  return r ? r : (ssize_t)len;
}

static ssize_t icmp_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  struct icmp_sock *is = icmp_of(s);
  if (flags & MSG_ERRQUEUE)
    return inet_recv_error();
  return dgram_recvmsg(s, &is->inet, &is->rxq, u, m, flags, nonblock);
}

static int icmp_getname(struct socket *s, struct sockaddr_storage *a, int *alen, bool peer)
{
  struct icmp_sock *is = icmp_of(s);
  int r = 0;
  net_lock_acquire();
  struct raw_pcb *pcb = is->inet.pcb.raw;
  if (peer && !is->connected)
    r = -ENOTCONN;
  else if (peer)
    *alen = inet_make_sockaddr(&is->inet, &pcb->remote_ip, 0, a);
  else
    *alen = inet_make_sockaddr(&is->inet, &pcb->local_ip, is->raw ? 0 : is->ident, a);
  net_lock_release();
  return r;
}

static int icmp_setsockopt_op(struct socket *s, int level, int name, const void *val, unsigned len)
{
  struct icmp_sock *is = icmp_of(s);
  if (level == SOL_ICMPV6 && name == ICMP6_FILTER && is->inet.v6 && is->raw) {
    if (len < sizeof(is->filter)) {
      memset(is->filter, 0, sizeof(is->filter));
      memcpy(is->filter, val, len);
    } else {
      memcpy(is->filter, val, sizeof(is->filter));
    }
    return 0;
  }
  if (level == SOL_IPV6 && name == IPV6_CHECKSUM && is->inet.v6) {
    int v;
    if (sockopt_int(val, len, &v))
      return -EINVAL;
    return v == 2 ? 0 : -EINVAL;  /* ICMPv6's checksum is always at offset 2 */
  }
  return inet_setsockopt(&is->inet, level, name, val, len);
}

static int icmp_getsockopt_op(struct socket *s, int level, int name, void *val, unsigned *len)
{
  struct icmp_sock *is = icmp_of(s);
  if (level == SOL_ICMPV6 && name == ICMP6_FILTER && is->inet.v6 && is->raw) {
    *len = MIN(*len, sizeof(is->filter));
    memcpy(val, is->filter, *len);
    return 0;
  }
  return inet_getsockopt(&is->inet, level, name, val, len);
}

static int icmp_ioctl_op(struct socket *s, unsigned cmd, uint64_t arg)
{
  struct icmp_sock *is = icmp_of(s);
  if (cmd != SIOCINQ)
    return -ENOTTY;
  net_lock_acquire();
  int v = dgram_next_len(&is->rxq);
  net_lock_release();
  return copyout(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static void icmp_release(struct socket *s)
{
  struct icmp_sock *is = icmp_of(s);
  net_lock_acquire();
  if (is->inet.pcb.raw)
    raw_remove(is->inet.pcb.raw);
  dgram_flush(&is->rxq);
  net_lock_release();
  kfree(is);
  s->proto = NULL;
}

static const struct sock_ops icmp_ops = {
  .bind = icmp_bind_op,
  .connect = icmp_connect_op,
  .sendmsg = icmp_sendmsg,
  .recvmsg = icmp_recvmsg,
  .getname = icmp_getname,
  .poll = icmp_poll,
  .setsockopt = icmp_setsockopt_op,
  .getsockopt = icmp_getsockopt_op,
  .ioctl = icmp_ioctl_op,
  .release = icmp_release,
};

int icmp_sock_create(struct socket *s, bool raw, struct inet_sock **out)
{
  struct icmp_sock *is = kzalloc(sizeof(*is));
  if (!is)
    return -ENOBUFS;
  bool v6 = s->family == AF_INET6;
  is->inet.sock = s;
  dgram_queue_init(&is->rxq);
  is->inet.v6 = v6;
  is->inet.v6only = true;
  is->inet.tos = is->inet.ttl = -1;
  is->raw = raw;
  s->protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  net_lock_acquire();
  struct raw_pcb *pcb = raw_new_ip_type(v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4,
                                        v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
  if (pcb) {
    is->inet.pcb.raw = pcb;
    raw_recv(pcb, icmp_recv_cb, is);
    if (v6) {
      pcb->chksum_reqd = 1;
      pcb->chksum_offset = 2;
    }
    is->ident = next_ident++;
    if (!next_ident)
      next_ident = 1;
  }
  net_lock_release();
  if (!pcb) {
    kfree(is);
    return -ENOBUFS;
  }
  s->proto = is;
  s->ops = &icmp_ops;
  *out = &is->inet;
  return 0;
}
