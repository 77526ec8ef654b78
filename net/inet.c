/*
 * inet.c — AF_INET and AF_INET6 sockets: creation (which protocol file
 * serves a (type, protocol) pair), addresses, and IP-level options.
 *
 * Layer: between the SocketTable (net/socket.c) and the protocol files
 * (tcp_sock.c, udp_sock.c, icmp_sock.c). See inet.h for the dual-stack
 * rules. Addresses in sockaddr_in/in6 are in network byte order; lwIP's
 * ip4_addr_t holds the same network-order word, ports are host order.
 */
#include "kern/cred.h"
#include "net/inet.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include "kern/mm.h"
#include "kern/poll.h"
#include "kern/uio.h"
#include <string.h>

#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/ip6_addr.h"
#include "lwip/pbuf.h"

/* ---- ICMP errors and IP_RECVERR's queue ---- */

#define INET_ERRQ_MAX 64

void inet_icmp_error(struct inet_sock *is, const struct icmp_error *e, bool connected)
{
  bool recverr = e->v6 ? is->recverr6 : is->recverr;
  if (!recverr && (!e->hard || !connected))
    return;
  if (recverr && is->errq_len < INET_ERRQ_MAX) {
    struct inet_err_entry *q = kmalloc(sizeof(*q) + e->data_len);
    if (q) {
      q->next = NULL;
      q->e = *e;
      q->e.p = NULL;
      pbuf_copy_partial(e->p, q->data, e->data_len, e->data_off);
      struct inet_err_entry **tail = &is->errq;
      while (*tail)
        tail = &(*tail)->next;
      *tail = q;
      is->errq_len++;
    }
  }
  is->err = e->err;
  sock_wake(is->sock, POLLERR);
}

void inet_flush_errors(struct inet_sock *is)
{
  while (is->errq) {
    struct inet_err_entry *q = is->errq;
    is->errq = q->next;
    kfree(q);
  }
  is->errq_len = 0;
}

long inet_recv_error(struct inet_sock *is, struct uio *u, struct sock_msg *m)
{
  net_lock_acquire();
  struct inet_err_entry *q = is->errq;
  if (q) {
    is->errq = q->next;
    is->errq_len--;
    is->err = is->errq ? is->errq->e.err : 0;
  }
  net_lock_release();
  if (!q)
    return -EAGAIN;
  const struct icmp_error *e = &q->e;
  long c = uio_copy_to(u, q->data, MIN((size_t)e->data_len, u->resid));
  if (c < 0) {
    kfree(q);
    return c;
  }
  if ((size_t)c < e->data_len)
    m->flags_out |= MSG_TRUNC;
  m->addrlen = inet_make_sockaddr(is, &e->dst, e->dport, &m->addr);
  struct {
    struct sock_extended_err ee;
    struct sockaddr_storage offender;
  } msg;
  memset(&msg, 0, sizeof(msg));
  msg.ee.ee_errno = (uint32_t)e->err;
  msg.ee.ee_origin = e->v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP;
  msg.ee.ee_type = e->type;
  msg.ee.ee_code = e->code;
  msg.ee.ee_info = e->info;
  int olen = inet_make_sockaddr(is, &e->offender, 0, &msg.offender);
  size_t used = 0;
  if (!m->control ||
      !sock_put_cmsg(m, &used, is->v6 ? SOL_IPV6 : SOL_IP, is->v6 ? IPV6_RECVERR : IP_RECVERR, &msg,
                     sizeof(msg.ee) + (size_t)olen))
    m->flags_out |= MSG_CTRUNC;
  m->control_used = used;
  m->flags_out |= MSG_ERRQUEUE;
  kfree(q);
  return c;
}

int inet_errno(err_t err)
{
  switch (err) {
  case ERR_OK: return 0;
  case ERR_MEM: return -ENOMEM;
  case ERR_BUF: return -ENOBUFS;
  case ERR_TIMEOUT: return -ETIMEDOUT;
  case ERR_RTE: return -ENETUNREACH;
  case ERR_INPROGRESS: return -EINPROGRESS;
  case ERR_VAL: return -EINVAL;
  case ERR_WOULDBLOCK: return -EAGAIN;
  case ERR_USE: return -EADDRINUSE;
  case ERR_ALREADY: return -EALREADY;
  case ERR_ISCONN: return -EISCONN;
  case ERR_CONN: return -ENOTCONN;
  case ERR_IF: return -ENETDOWN;
  case ERR_ABRT: return -ECONNABORTED;
  case ERR_RST: return -ECONNRESET;
  case ERR_CLSD: return -ENOTCONN;
  case ERR_ARG: return -EINVAL;
  default: return -EIO;
  }
}

int sockopt_int(const void *val, unsigned len, int *out)
{
  if (len >= sizeof(int)) {
    memcpy(out, val, sizeof(int));
    return 0;
  }
  if (len >= 1) {           /* Linux accepts a single byte for some options */
    *out = *(const uint8_t *)val;
    return 0;
  }
  return -EINVAL;
}

int sockopt_put_int(void *val, unsigned *len, int v)
{
  *len = MIN(*len, sizeof(int));
  memcpy(val, &v, *len);
  return 0;
}

u8_t inet_pcb_type(struct inet_sock *is)
{
  if (!is->v6)
    return IPADDR_TYPE_V4;
  return is->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
}

void inet_any_addr(struct inet_sock *is, ip_addr_t *out)
{
  if (!is->v6)
    ip_addr_copy(*out, *IP4_ADDR_ANY);
  else if (is->v6only)
    ip_addr_copy(*out, *IP6_ADDR_ANY);
  else
    ip_addr_copy(*out, *IP_ANY_TYPE);
}

/* Is ip one of our addresses (or 127/8)? net_lock held. */
static bool inet_addr_is_local(const ip_addr_t *ip)
{
  struct netif *n;
  if (IP_IS_V4(ip)) {
    const ip4_addr_t *a = ip_2_ip4(ip);
    if (ip4_addr_isloopback(a))
      return true;
    NETIF_FOREACH(n)
      if (ip4_addr_cmp(a, netif_ip4_addr(n)))
        return true;
    return false;
  }
  const ip6_addr_t *a = ip_2_ip6(ip);
  NETIF_FOREACH(n)
    if (netif_get_ip6_addr_match(n, a) >= 0)
      return true;
  return false;
}

int inet_parse_addr(struct inet_sock *is, const struct sockaddr_storage *ss, int len,
                    ip_addr_t *ip, u16_t *port, bool for_bind)
{
  if (len < (int)sizeof(uint16_t))
    return -EINVAL;
  if (ss->ss_family == AF_INET) {
    if (is->v6 && (is->v6only || for_bind))
      return for_bind ? -EINVAL : -ENETUNREACH;  /* AF_INET6 sockets bind v6 addresses */
    if (len < (int)sizeof(struct sockaddr_in))
      return -EINVAL;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    ip_addr_set_ip4_u32_val(*ip, sin->sin_addr);
    *port = net_ntohs(sin->sin_port);
  } else if (ss->ss_family == AF_INET6) {
    if (!is->v6)
      return -EAFNOSUPPORT;
    if (len < 24)  /* SIN6_LEN_RFC2133: without the scope id */
      return -EINVAL;
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
    ip6_addr_t a6;
    memcpy(a6.addr, sin6->sin6_addr, 16);
    ip6_addr_clear_zone(&a6);
    *port = net_ntohs(sin6->sin6_port);
    if (ip6_addr_isipv4mappedipv6(&a6)) {
      if (is->v6only)
        return for_bind ? -EINVAL : -ENETUNREACH;
      ip4_addr_t a4;
      unmap_ipv4_mapped_ipv6(&a4, &a6);
      ip_addr_copy_from_ip4(*ip, a4);
    } else if (ip6_addr_isany(&a6) && for_bind && !is->v6only) {
      ip_addr_copy(*ip, *IP_ANY_TYPE);  /* [::] without V6ONLY: both families */
    } else {
      if (ip6_addr_islinklocal(&a6) && len >= (int)sizeof(*sin6) && sin6->sin6_scope_id)
        ip6_addr_set_zone(&a6, (u8_t)sin6->sin6_scope_id);
      ip_addr_copy_from_ip6(*ip, a6);
      if (ip6_addr_lacks_zone(ip_2_ip6(ip), IP6_UNICAST)) {
        /* a link-local address without a scope: the default interface's */
        struct netif *n = netif_default;
        if (n)
          ip6_addr_assign_zone(ip_2_ip6(ip), IP6_UNICAST, n);
      }
    }
  } else if (ss->ss_family == AF_UNSPEC && for_bind && !is->v6 && len >= (int)sizeof(struct sockaddr_in)) {
    /* Linux accepts AF_UNSPEC with INADDR_ANY for bind on AF_INET sockets. */
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    if (sin->sin_addr != 0)
      return -EAFNOSUPPORT;
    ip_addr_set_zero_ip4(ip);
    *port = net_ntohs(sin->sin_port);
  } else {
    return -EAFNOSUPPORT;
  }
  if (for_bind && !ip_addr_isany(ip) && !inet_addr_is_local(ip))
    return -EADDRNOTAVAIL;
  /* Ports below 1024 (ip_unprivileged_port_start) are root's. */
  if (for_bind && *port && *port < 1024 && !capable(CAP_NET_BIND_SERVICE))
    return -EACCES;
  return 0;
}

int inet_make_sockaddr(struct inet_sock *is, const ip_addr_t *ip, u16_t port,
                       struct sockaddr_storage *ss)
{
  memset(ss, 0, sizeof(*ss));
  if (!is->v6) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = net_htons(port);
    sin->sin_addr = (ip && IP_IS_V4(ip)) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
    return sizeof(*sin);
  }
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = net_htons(port);
  if (ip && IP_IS_V4(ip) && !ip4_addr_isany(ip_2_ip4(ip))) {
    ip6_addr_t mapped;
    ip4_2_ipv4_mapped_ipv6(&mapped, ip_2_ip4(ip));
    memcpy(sin6->sin6_addr, mapped.addr, 16);
  } else if (ip && IP_IS_V6(ip)) {
    memcpy(sin6->sin6_addr, ip_2_ip6(ip)->addr, 16);
    if (ip6_addr_islinklocal(ip_2_ip6(ip)) && ip6_addr_has_zone(ip_2_ip6(ip)))
      sin6->sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
  }
  return sizeof(*sin6);
}

/* ---- IP-level options ---- */

void inet_apply_options(struct inet_sock *is)
{
  struct ip_pcb *pcb = is->pcb.ip;
  if (!pcb)
    return;
  struct socket *s = is->sock;
  if (s->reuseaddr)
    ip_set_option(pcb, SOF_REUSEADDR);
  else
    ip_reset_option(pcb, SOF_REUSEADDR);
  if (s->keepalive)
    ip_set_option(pcb, SOF_KEEPALIVE);
  else
    ip_reset_option(pcb, SOF_KEEPALIVE);
  if (is->tos >= 0)
    pcb->tos = (u8_t)is->tos;
  if (is->ttl >= 0)
    pcb->ttl = (u8_t)is->ttl;
}

/*
 * IPV6_ADDRFORM to AF_INET (Linux's do_ipv6_setsockopt): a connected TCP
 * or UDP socket of AF_INET6 whose peer is an IPv4 host (a v4-mapped
 * address) becomes an AF_INET socket: its addresses are shown as
 * sockaddr_in from now on, its family (SO_DOMAIN, accept's new sockets)
 * is AF_INET, SOL_IPV6 options are ENOPROTOOPT, and a pcb made later
 * (after connect(AF_UNSPEC)) is IPv4 only. The lwIP pcb is unchanged: a
 * dual-stack pcb already talks IPv4 to that peer. Errors as Linux: EINVAL
 * (short value, or a family other than AF_INET), ENOPROTOOPT (raw and
 * ICMP sockets), ENOTCONN (not connected: a TCP socket must be
 * established), EADDRNOTAVAIL (IPV6_V6ONLY, or an IPv6 peer).
 */
static int inet_addrform(struct inet_sock *is, const void *val, unsigned len)
{
  int v;
  if (len < sizeof(int))
    return -EINVAL;
  memcpy(&v, val, sizeof(v));
  if (v != AF_INET)
    return -EINVAL;
  struct socket *s = is->sock;
  if (s->type == SOCK_RAW || (s->protocol != IPPROTO_TCP && s->protocol != IPPROTO_UDP))
    return -ENOPROTOOPT;
  int r = 0;
  net_lock_acquire();
  struct ip_pcb *pcb = is->pcb.ip;
  bool connected = pcb && (s->protocol == IPPROTO_TCP
                               ? is->pcb.tcp->state == ESTABLISHED
                               : (is->pcb.udp->flags & UDP_FLAGS_CONNECTED) != 0);
  if (!connected) {
    r = -ENOTCONN;
  } else if (is->v6only || !IP_IS_V4_VAL(pcb->remote_ip)) {
    r = -EADDRNOTAVAIL;
  } else {
    is->v6 = false;
    s->family = AF_INET;
    IP_SET_TYPE_VAL(pcb->local_ip, IPADDR_TYPE_V4);
  }
  net_lock_release();
  return r;
}

int inet_setsockopt(struct inet_sock *is, int level, int name, const void *val, unsigned len)
{
  if (level == SOL_IPV6 && name == IPV6_ADDRFORM && is->v6)
    return inet_addrform(is, val, len);
  int v;
  if (level == SOL_SOCKET) {
    if (name != SO_REUSEADDR && name != SO_KEEPALIVE)
      return -ENOPROTOOPT;
    net_lock_acquire();
    inet_apply_options(is);
    net_lock_release();
    return 0;
  }
  if (sockopt_int(val, len, &v))
    return -EINVAL;
  if (level == SOL_IP) {
    switch (name) {
    case IP_TOS:
      is->tos = v & 0xff;
      break;
    case IP_TTL:
      if (v == -1)
        v = IP_DEFAULT_TTL;
      if (v < 1 || v > 255)
        return -EINVAL;
      is->ttl = v;
      break;
    case IP_RECVERR:
      net_lock_acquire();
      is->recverr = v != 0;
      if (!v)
        inet_flush_errors(is);  /* as Linux: turning it off empties the queue */
      net_lock_release();
      return 0;
    case IP_MTU_DISCOVER:
    case IP_PKTINFO:
    case IP_RECVTTL:
    case IP_RECVTOS:
    case IP_MULTICAST_LOOP:
    case IP_MULTICAST_TTL:
    default:
      return -ENOPROTOOPT;
    }
  } else if (level == SOL_IPV6) {
    if (!is->v6)
      return -ENOPROTOOPT;
    switch (name) {
    case IPV6_V6ONLY: {
      net_lock_acquire();
      struct ip_pcb *pcb = is->pcb.ip;
      bool bound = pcb && ((is->sock->type == SOCK_STREAM && is->pcb.tcp->local_port) ||
                           (is->sock->type == SOCK_DGRAM && !ip_addr_isany(&pcb->local_ip)));
      if (bound) {
        net_lock_release();
        return -EINVAL;
      }
      is->v6only = v != 0;
      if (pcb) {
        IP_SET_TYPE_VAL(pcb->local_ip, inet_pcb_type(is));
        IP_SET_TYPE_VAL(pcb->remote_ip, inet_pcb_type(is));
      }
      net_lock_release();
      return 0;
    }
    case IPV6_UNICAST_HOPS:
      if (v == -1)
        v = IP_DEFAULT_TTL;
      if (v < 0 || v > 255)
        return -EINVAL;
      is->ttl = v;
      break;
    case IPV6_TCLASS:
      if (v < -1 || v > 255)
        return -EINVAL;
      is->tos = v < 0 ? 0 : v;
      break;
    case IPV6_RECVERR:
      net_lock_acquire();
      is->recverr6 = v != 0;
      if (!v)
        inet_flush_errors(is);
      net_lock_release();
      return 0;
    default:
      return -ENOPROTOOPT;
    }
  } else {
    return -ENOPROTOOPT;
  }
  net_lock_acquire();
  inet_apply_options(is);
  net_lock_release();
  return 0;
}

int inet_getsockopt(struct inet_sock *is, int level, int name, void *val, unsigned *len)
{
  if (level == SOL_SOCKET && name == SO_ERROR) {
    net_lock_acquire();
    int e = is->err;
    is->err = 0;
    net_lock_release();
    return sockopt_put_int(val, len, e);
  }
  if (level == SOL_IP) {
    switch (name) {
    case IP_TOS: return sockopt_put_int(val, len, is->tos < 0 ? 0 : is->tos);
    case IP_TTL: return sockopt_put_int(val, len, is->ttl < 0 ? IP_DEFAULT_TTL : is->ttl);
    case IP_RECVERR: return sockopt_put_int(val, len, is->recverr);
    default: return -ENOPROTOOPT;
    }
  }
  if (level == SOL_IPV6 && is->v6) {
    switch (name) {
    case IPV6_V6ONLY: return sockopt_put_int(val, len, is->v6only);
    case IPV6_UNICAST_HOPS: return sockopt_put_int(val, len, is->ttl < 0 ? IP_DEFAULT_TTL : is->ttl);
    case IPV6_TCLASS: return sockopt_put_int(val, len, is->tos < 0 ? 0 : is->tos);
    case IPV6_RECVERR: return sockopt_put_int(val, len, is->recverr6);
    default: return -ENOPROTOOPT;
    }
  }
  if (level == SOL_SOCKET || level == SOL_IP || (level == SOL_IPV6 && is->v6))
    return -ENOPROTOOPT;
  return -EOPNOTSUPP;  /* an unknown level (SOL_IPV6 on AF_INET too), as Linux's ip_getsockopt */
}

/* ---- creation ---- */

int inet_create(struct socket *s, int type, int protocol)
{
  struct inet_sock *is = NULL;
  int r;
  bool v6 = s->family == AF_INET6;
  int icmp = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  switch (type) {
  case SOCK_STREAM:
    if (protocol != 0 && protocol != IPPROTO_TCP)
      return -EPROTONOSUPPORT;
    s->protocol = IPPROTO_TCP;
    r = tcp_sock_create(s, &is);
    break;
  case SOCK_DGRAM:
    if (protocol == icmp) {
      r = icmp_sock_create(s, false, &is);
      break;
    }
    if (protocol != 0 && protocol != IPPROTO_UDP)
      return -EPROTONOSUPPORT;
    s->protocol = IPPROTO_UDP;
    r = udp_sock_create(s, &is);
    break;
  case SOCK_RAW:
    if (protocol != icmp)
      return -EPROTONOSUPPORT;
    if (!capable(CAP_NET_RAW))
      return -EPERM;
    r = icmp_sock_create(s, true, &is);
    break;
  default:
    return -ESOCKTNOSUPPORT;
  }
  return r;
}
