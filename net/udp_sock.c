/*
 * udp_sock.c — SOCK_DGRAM sockets over lwIP's raw UDP API.
 *
 * Layer: a protocol under the SocketTable (net/socket.c). lwIP's receive
 * callback queues each datagram with its source address on the socket,
 * bounded by SO_RCVBUF (beyond it datagrams are dropped, as on Linux: a
 * loopback flood cannot exhaust memory); recvmsg takes one datagram per
 * call. sendmsg copies the data straight into a pbuf and hands it to
 * udp_sendto(); a datagram to 127.0.0.1 is delivered before sendmsg
 * returns (net_lock_release_flush). Sends with MSG_MORE build one datagram
 * that the next send without it sends (udp_send_locked).
 *
 * ICMP errors: two kernel raw pcbs (ICMP, ICMPv6) watch every ICMP
 * message and never consume one. An error that quotes one of our
 * datagrams goes to the socket that sent it with Linux's rules
 * (inet_icmp_error): a "port unreachable" gives a connected socket
 * ECONNREFUSED — the next recv or send returns it, once, and poll says
 * POLLERR — and with IP_RECVERR every error is also queued for
 * recvmsg(MSG_ERRQUEUE).
 *
 * Fields marked (net_lock) are written only with net_lock held. The
 * sock_ops functions follow the contracts in net/socket.h.
 */
#include "net/inet.h"
#include "net/dgram.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include <string.h>

#include "lwip/udp.h"
#include "lwip/raw.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"

struct udp_tx;

struct udp_sock {
  struct inet_sock inet;        /* first: inet code casts */
  bool connected;               /* connect() gave a default peer (net_lock) */
  struct dgram_queue rxq;       /* datagrams received, not yet read */
  /* A datagram being built by sends with MSG_MORE (Linux's corked
   * datagram), sent by the next send without it; the socket's tx_lock. */
  struct udp_tx *pend;          /* NULL: none; room for UDP_MAX_PAYLOAD bytes */
  size_t pend_len;
  bool pend_to;                 /* the first send named pend_ip/pend_port */
  ip_addr_t pend_ip;
  u16_t pend_port;
};

#define UDP_MAX_PAYLOAD 65507   /* 65535 - IPv4 header - UDP header */

/* Datagrams dropped because a receiver's queue was full (net_lock). A
 * sender whose datagram to a local socket was dropped gives the CPU away
 * (the kernel is not preempted: otherwise the receiver, which would drain
 * the queue, never runs while the sender floods it). */
static uint64_t udp_overflows;

static const struct sock_ops udp_ops;

/*
 * A datagram being sent: a custom pbuf over one kmalloc'd block, with room
 * for lwIP's headers (UDP, IP, link) in front of the payload. Filling it
 * needs no net_lock (pbuf_alloc would: lwIP's counters), so sending a
 * datagram takes net_lock once (udp_send), not twice.
 */
#define UDP_TX_HEADROOM LWIP_MEM_ALIGN_SIZE(PBUF_TRANSPORT)

struct udp_tx {
  struct pbuf_custom pc;        /* first: lwIP frees it through custom_free_function */
  u8_t mem[];                   /* UDP_TX_HEADROOM, then the payload */
};

static void udp_tx_free(struct pbuf *p)
{
  kfree(p);
}

/* An empty datagram with room for cap payload bytes, or NULL. */
static struct udp_tx *udp_tx_alloc(size_t cap)
{
  return kmalloc(sizeof(struct udp_tx) + UDP_TX_HEADROOM + cap);
}

/* The pbuf of t's first len payload bytes; it owns t from now on. */
static struct pbuf *udp_tx_pbuf(struct udp_tx *t, size_t len)
{
  u8_t *payload = t->mem + UDP_TX_HEADROOM;
  t->pc.custom_free_function = udp_tx_free;
  /* Declared without headroom (PBUF_RAW, starting at the payload): lwIP's
   * size check here is 16-bit, and a 65,507-byte datagram with its
   * headroom passes 64 KiB. udp_sendto and ip_output still put their
   * headers in front: pbuf_add_header may move the payload back over
   * t->mem, down to the end of the struct pbuf. */
  return pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_RAM, &t->pc, payload, (u16_t)len);
}

/* A pbuf holding a copy of len bytes of u, in *out: 0, -ENOBUFS or
 * -EFAULT. No lock held. */
static long udp_tx_fill(struct uio *u, size_t len, struct pbuf **out)
{
  struct udp_tx *t = udp_tx_alloc(len);
  if (!t)
    return -ENOBUFS;
  if (len && uio_copy_from(u, t->mem + UDP_TX_HEADROOM, len) != (long)len) {
    kfree(t);
    return -EFAULT;
  }
  *out = udp_tx_pbuf(t, len);
  return 0;
}

/* Forget the corked datagram (tx_lock held). */
static void udp_pend_drop(struct udp_sock *us)
{
  kfree(us->pend);
  us->pend = NULL;
  us->pend_len = 0;
}

/* Add len bytes of u to the corked datagram, made first if there is none
 * (to ip/port if `to`). tx_lock held. 0, -EMSGSIZE (the datagram is then
 * dropped, as Linux flushes it), -ENOBUFS or -EFAULT. */
static long udp_pend_add(struct udp_sock *us, struct uio *u, size_t len, bool to, const ip_addr_t *ip,
                         u16_t port)
{
  if (!us->pend) {
    if (!(us->pend = udp_tx_alloc(UDP_MAX_PAYLOAD)))
      return -ENOBUFS;
    us->pend_len = 0;
    us->pend_to = to;
    if (to) {
      ip_addr_copy(us->pend_ip, *ip);
      us->pend_port = port;
    }
  }
  if (us->pend_len + len > UDP_MAX_PAYLOAD) {
    udp_pend_drop(us);
    return -EMSGSIZE;
  }
  if (len && uio_copy_from(u, us->pend->mem + UDP_TX_HEADROOM + us->pend_len, len) != (long)len)
    return -EFAULT;
  us->pend_len += len;
  return 0;
}

static struct udp_sock *udp_of(struct socket *s)
{
  return s->proto;
}

/* lwIP: a datagram arrived (net_lock held). Queue it, or drop it if the
 * receive buffer is full. */
static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                        u16_t port)
{
  struct udp_sock *us = arg;
  (void)pcb;
  if (!dgram_enqueue(us->inet.sock, &us->rxq, p, addr, port)) {
    udp_overflows++;
    pbuf_free(p);
  }
}

static unsigned udp_poll(struct socket *s)
{
  struct udp_sock *us = udp_of(s);
  /* No net_lock: a poller is on s->wq before it looks (socket_poll), so a
   * datagram queued after this read still wakes it. */
  unsigned mask = POLLOUT | POLLWRNORM;
  if (READ_ONCE(us->rxq.head))
    mask |= POLLIN | POLLRDNORM;
  if (READ_ONCE(us->inet.err))
    mask |= POLLERR;
  return mask;
}

static int udp_bind_op(struct socket *s, const struct sockaddr_storage *a, int alen)
{
  struct udp_sock *us = udp_of(s);
  ip_addr_t ip;
  u16_t port;
  net_lock_acquire();
  int r = inet_parse_addr(&us->inet, a, alen, &ip, &port, true);
  if (!r && us->inet.pcb.udp->local_port)
    r = -EINVAL;  /* already bound */
  if (!r) {
    inet_apply_options(&us->inet);
    err_t e = udp_bind(us->inet.pcb.udp, &ip, port);
    r = e == ERR_USE ? -EADDRINUSE : inet_errno(e);
  }
  net_lock_release();
  return r;
}

static int udp_connect_op(struct socket *s, const struct sockaddr_storage *a, int alen, bool nonblock)
{
  struct udp_sock *us = udp_of(s);
  (void)nonblock;
  int r = 0;
  net_lock_acquire();
  struct udp_pcb *pcb = us->inet.pcb.udp;
  if (alen >= 2 && a->ss_family == AF_UNSPEC) {  /* dissolve the association */
    udp_disconnect(pcb);
    us->connected = false;
    goto out;
  }
  ip_addr_t ip;
  u16_t port;
  r = inet_parse_addr(&us->inet, a, alen, &ip, &port, false);
  if (r)
    goto out;
  if (ip_addr_isany(&ip))
    ip_addr_set_loopback(IP_IS_V6(&ip), &ip);
  if (!pcb->local_port) {  /* bind to an ephemeral port first, as Linux */
    ip_addr_t any;
    inet_any_addr(&us->inet, &any);
    err_t e = udp_bind(pcb, &any, 0);
    if (e != ERR_OK) {
      r = inet_errno(e);
      goto out;
    }
  }
  err_t e = udp_connect(pcb, &ip, port);
  r = inet_errno(e);
  if (!r)
    us->connected = true;
out:
  net_lock_release();
  return r;
}

/* Send p (ours until here) to ip/port, or to the connected peer. */
static long udp_push(struct udp_sock *us, struct pbuf *p, bool to, const ip_addr_t *ip, u16_t port)
{
  net_lock_acquire();
  struct udp_pcb *pcb = us->inet.pcb.udp;
  uint64_t overflows = udp_overflows;
  err_t e = to ? udp_sendto(pcb, p, ip, port) : udp_send(pcb, p);
  pbuf_free(p);
  bool dropped = udp_overflows != overflows;
  net_lock_release_flush();
  if (dropped)
    yield();  /* let the receiver drain its queue */
  if (e == ERR_MEM || e == ERR_BUF)
    e = ERR_OK;  /* a full queue drops the datagram, as a lossy link would */
  return inet_errno(e);
}

/*
 * MSG_MORE (Linux's corking without UDP_CORK): the data is kept and the
 * next send adds to it, to the first send's address (later ones are not
 * looked at); a send without MSG_MORE sends the whole datagram. tx_lock
 * held.
 */
static ssize_t udp_send_locked(struct udp_sock *us, struct uio *u, struct sock_msg *m, int flags)
{
  size_t len = u->resid;
  if (len > UDP_MAX_PAYLOAD)
    return -EMSGSIZE;
  ip_addr_t ip;
  u16_t port = 0;
  int r;
  if (us->pend) {
    ip_addr_copy(ip, us->pend_ip);
    port = us->pend_port;
  } else if (m->addrlen > 0) {
    net_lock_acquire();
    r = inet_parse_addr(&us->inet, &m->addr, m->addrlen, &ip, &port, false);
    net_lock_release();
    if (r)
      return r;
    if (ip_addr_isany(&ip))
      ip_addr_set_loopback(IP_IS_V6(&ip), &ip);
    if (port == 0)
      return -EINVAL;
  } else if (!READ_ONCE(us->connected)) {
    return -EDESTADDRREQ;
  }
  bool to = us->pend ? us->pend_to : m->addrlen > 0;
  if (READ_ONCE(us->inet.err)) {  /* an ICMP error is reported once, as Linux's sock_error */
    net_lock_acquire();
    int e = us->inet.err;
    us->inet.err = 0;
    net_lock_release();
    if (e)
      return -e;
  }
  struct pbuf *p;
  if (us->pend || (flags & MSG_MORE)) {
    long a = udp_pend_add(us, u, len, to, &ip, port);
    if (a || (flags & MSG_MORE))
      return a ? a : (ssize_t)len;
    p = udp_tx_pbuf(us->pend, us->pend_len);
    us->pend = NULL;
    us->pend_len = 0;
  } else {
    /* Copy the payload into a fresh pbuf: nobody else sees it until udp_push. */
    long f = udp_tx_fill(u, len, &p);
    if (f)
      return f;
  }
  r = udp_push(us, p, to, &ip, port);
  return r ? r : (ssize_t)len;
}

static ssize_t udp_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  (void)nonblock;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  mutex_lock(&s->tx_lock);
  ssize_t r = udp_send_locked(udp_of(s), u, m, flags);
  mutex_unlock(&s->tx_lock);
  return r;
}

static ssize_t udp_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  struct udp_sock *us = udp_of(s);
  if (flags & MSG_ERRQUEUE)
    return inet_recv_error(&us->inet, u, m);
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  return dgram_recvmsg(s, &us->inet, &us->rxq, u, m, flags, nonblock);
}

static int udp_getname(struct socket *s, struct sockaddr_storage *a, int *alen, bool peer)
{
  struct udp_sock *us = udp_of(s);
  int r = 0;
  net_lock_acquire();
  struct udp_pcb *pcb = us->inet.pcb.udp;
  if (peer) {
    if (!us->connected)
      r = -ENOTCONN;
    else
      *alen = inet_make_sockaddr(&us->inet, &pcb->remote_ip, pcb->remote_port, a);
  } else if (us->connected && ip_addr_isany(&pcb->local_ip)) {
    /* Connected but bound to "any": the address it sends from, the route's
     * to the peer (Linux picks it at connect). */
    struct netif *nif;
    const ip_addr_t *src;
    ip_route_get_local_ip(&pcb->local_ip, &pcb->remote_ip, nif, src);
    *alen = inet_make_sockaddr(&us->inet, src ? src : &pcb->local_ip, pcb->local_port, a);
  } else {
    *alen = inet_make_sockaddr(&us->inet, &pcb->local_ip, pcb->local_port, a);
  }
  net_lock_release();
  return r;
}

static int udp_shutdown_op(struct socket *s, int how)
{
  (void)how;
  struct udp_sock *us = udp_of(s);
  /* Linux: only a connected datagram socket may be shut down; it wakes readers. */
  if (!READ_ONCE(us->connected))
    return -ENOTCONN;
  sock_wake(s, POLLIN | POLLOUT | POLLHUP);
  return 0;
}

static void udp_release(struct socket *s)
{
  struct udp_sock *us = udp_of(s);
  net_lock_acquire();
  if (us->inet.pcb.udp)
    udp_remove(us->inet.pcb.udp);
  dgram_flush(&us->rxq);
  inet_flush_errors(&us->inet);
  net_lock_release();
  udp_pend_drop(us);
  kfree(us);
  s->proto = NULL;
}

static int udp_setsockopt_op(struct socket *s, int level, int name, const void *val, unsigned len)
{
  return inet_setsockopt(&udp_of(s)->inet, level, name, val, len);
}

static int udp_getsockopt_op(struct socket *s, int level, int name, void *val, unsigned *len)
{
  return inet_getsockopt(&udp_of(s)->inet, level, name, val, len);
}

static int udp_ioctl_op(struct socket *s, unsigned cmd, uint64_t arg)
{
  struct udp_sock *us = udp_of(s);
  int v;
  net_lock_acquire();
  if (cmd == SIOCINQ)
    v = dgram_next_len(&us->rxq);  /* the next datagram, as Linux */
  else if (cmd == SIOCOUTQ)
    v = 0;
  else
    v = -1;
  net_lock_release();
  if (v < 0)
    return -ENOTTY;
  return copyout(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static const struct sock_ops udp_ops = {
  .bind = udp_bind_op,
  .connect = udp_connect_op,
  .sendmsg = udp_sendmsg,
  .recvmsg = udp_recvmsg,
  .getname = udp_getname,
  .shutdown = udp_shutdown_op,
  .poll = udp_poll,
  .setsockopt = udp_setsockopt_op,
  .getsockopt = udp_getsockopt_op,
  .ioctl = udp_ioctl_op,
  .release = udp_release,
};

/* ---- ICMP errors about our datagrams ---- */

#define UDP_HLEN 8

/* Linux's icmp_err_convert: an ICMP "destination unreachable" code's errno
 * and whether it is a hard error. */
static const struct { int err; bool hard; } icmp_unreach[16] = {
  { ENETUNREACH, false },  { EHOSTUNREACH, false }, { ENOPROTOOPT, true },  { ECONNREFUSED, true },
  { EMSGSIZE, true },      { EOPNOTSUPP, false },   { ENETUNREACH, true },  { EHOSTDOWN, true },
  { ENONET, true },        { ENETUNREACH, true },   { EHOSTUNREACH, true }, { ENETUNREACH, false },
  { EHOSTUNREACH, false }, { EHOSTUNREACH, true },  { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
};

/* The same for ICMPv6 "destination unreachable" (icmpv6_err_convert). */
static const struct { int err; bool hard; } icmp6_unreach[7] = {
  { ENETUNREACH, false }, { EACCES, true }, { EHOSTUNREACH, false }, { EHOSTUNREACH, false },
  { ECONNREFUSED, true }, { EACCES, true }, { EACCES, true },
};

/*
 * An ICMP error quoting a datagram sent from (src, sport) to e->dst,
 * e->dport arrived (net_lock held): the socket that sent it — the
 * connected one of that pair, or one bound to sport — decides with
 * inet_icmp_error, as Linux's udp_err.
 */
static void udp_icmp_error(const ip_addr_t *src, u16_t sport, const struct icmp_error *e)
{
  for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
    if (pcb->recv != udp_recv_cb || pcb->local_port != sport)
      continue;
    if (!ip_addr_isany(&pcb->local_ip) && !ip_addr_cmp(&pcb->local_ip, src))
      continue;
    bool connected = pcb->flags & UDP_FLAGS_CONNECTED;
    if (connected && (pcb->remote_port != e->dport || !ip_addr_cmp(&pcb->remote_ip, &e->dst)))
      continue;
    struct udp_sock *us = pcb->recv_arg;
    inet_icmp_error(&us->inet, e, connected);
  }
}

static u16_t get16(const u8_t *b)
{
  return (u16_t)(b[0] << 8 | b[1]);
}

/* lwIP: an ICMP message, with its IPv4 header (net_lock held). Never eaten. */
static u8_t icmp4_error_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
  (void)arg, (void)pcb;
  u8_t b[60 + 8 + 60 + UDP_HLEN];  /* IPv4 header, ICMP header, the quoted header and UDP header */
  u16_t n = pbuf_copy_partial(p, b, sizeof(b), 0);
  u16_t outer = (u16_t)((b[0] & 0x0f) * 4);
  if (n < outer + 8 + IP_HLEN)
    return 0;
  const u8_t *icmp = b + outer, *q = icmp + 8;  /* q: the datagram's own IPv4 header */
  struct icmp_error e = { .type = icmp[0], .code = icmp[1], .offender = *from };
  if (e.type == 3 && e.code < 16) {  /* destination unreachable */
    e.err = icmp_unreach[e.code].err;
    e.hard = icmp_unreach[e.code].hard;
    if (e.code == 4)
      e.info = get16(icmp + 6);  /* the next hop's MTU */
  } else if (e.type == 11) {  /* time exceeded */
    e.err = EHOSTUNREACH;
  } else if (e.type == 12) {  /* parameter problem */
    e.err = EPROTO;
    e.hard = true;
  } else {
    return 0;
  }
  u16_t inner = (u16_t)((q[0] & 0x0f) * 4);
  if (q[9] != IP_PROTO_UDP || n < outer + 8 + inner + UDP_HLEN)
    return 0;
  ip_addr_t src;
  memcpy(ip_2_ip4(&src), q + 12, 4);
  memcpy(ip_2_ip4(&e.dst), q + 16, 4);
  IP_SET_TYPE_VAL(src, IPADDR_TYPE_V4);
  IP_SET_TYPE_VAL(e.dst, IPADDR_TYPE_V4);
  const u8_t *u = q + inner;
  e.dport = get16(u + 2);
  e.p = p;
  e.data_off = (u16_t)(outer + 8 + inner + UDP_HLEN);
  e.data_len = p->tot_len > e.data_off ? (u16_t)(p->tot_len - e.data_off) : 0;
  udp_icmp_error(&src, get16(u), &e);
  return 0;
}

/* lwIP: an ICMPv6 message, with its IPv6 header (net_lock held). Never eaten. */
static u8_t icmp6_error_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
  (void)arg, (void)pcb;
  u8_t b[IP6_HLEN + 8 + IP6_HLEN + UDP_HLEN];
  if (pbuf_copy_partial(p, b, sizeof(b), 0) != sizeof(b))
    return 0;
  const u8_t *icmp = b + IP6_HLEN, *q = icmp + 8, *u = q + IP6_HLEN;
  struct icmp_error e = { .v6 = true, .type = icmp[0], .code = icmp[1], .offender = *from };
  if (e.type == 1 && e.code < 7) {  /* destination unreachable */
    e.err = icmp6_unreach[e.code].err;
    e.hard = icmp6_unreach[e.code].hard;
  } else if (e.type == 2) {  /* packet too big */
    e.err = EMSGSIZE;
    e.hard = true;
    e.info = (u32_t)get16(icmp + 4) << 16 | get16(icmp + 6);
  } else if (e.type == 3) {  /* time exceeded */
    e.err = EHOSTUNREACH;
  } else if (e.type == 4) {  /* parameter problem */
    e.err = EPROTO;
    e.hard = true;
  } else {
    return 0;
  }
  if (q[6] != IP6_NEXTH_UDP)
    return 0;
  ip_addr_t src;
  memcpy(ip_2_ip6(&src)->addr, q + 8, 16);
  memcpy(ip_2_ip6(&e.dst)->addr, q + 24, 16);
  IP_SET_TYPE_VAL(src, IPADDR_TYPE_V6);
  IP_SET_TYPE_VAL(e.dst, IPADDR_TYPE_V6);
  ip6_addr_clear_zone(ip_2_ip6(&src));
  ip6_addr_clear_zone(ip_2_ip6(&e.dst));
  e.dport = get16(u + 2);
  e.p = p;
  e.data_off = sizeof(b);
  e.data_len = (u16_t)(p->tot_len - sizeof(b));
  udp_icmp_error(&src, get16(u), &e);
  return 0;
}

/* Start watching ICMP errors with the first UDP socket (net_lock held). */
static void udp_watch_icmp_errors(void)
{
  static struct raw_pcb *v4, *v6;
  if (!v4 && (v4 = raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_ICMP)))
    raw_recv(v4, icmp4_error_cb, NULL);
  if (!v6 && (v6 = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6)))
    raw_recv(v6, icmp6_error_cb, NULL);
}

int udp_sock_create(struct socket *s, struct inet_sock **out)
{
  struct udp_sock *us = kzalloc(sizeof(*us));
  if (!us)
    return -ENOBUFS;
  us->inet.sock = s;
  dgram_queue_init(&us->rxq);
  us->inet.v6 = s->family == AF_INET6;
  us->inet.tos = us->inet.ttl = -1;
  s->rcvbuf = s->sndbuf = 212992;  /* Linux's net.core.[rw]mem_default */
  net_lock_acquire();
  udp_watch_icmp_errors();
  struct udp_pcb *pcb = udp_new_ip_type(inet_pcb_type(&us->inet));
  if (pcb) {
    us->inet.pcb.udp = pcb;
    udp_recv(pcb, udp_recv_cb, us);
  }
  net_lock_release();
  if (!pcb) {
    kfree(us);
    return -ENOBUFS;
  }
  s->proto = us;
  s->ops = &udp_ops;
  *out = &us->inet;
  return 0;
}
