/*
 * inet.h — what the Internet protocols (TCP, UDP, ICMP sockets) share:
 * the common part of their socket state, address conversion between
 * Linux's sockaddr_in/sockaddr_in6 and lwIP's ip_addr_t, and the IP-level
 * options.
 *
 * Dual stack: an AF_INET6 socket without IPV6_V6ONLY uses an lwIP pcb of
 * IPADDR_TYPE_ANY, which talks to IPv4 peers too; their addresses are
 * shown to user space as v4-mapped IPv6 addresses (::ffff:a.b.c.d), and
 * v4-mapped addresses given by user space are unmapped before lwIP sees
 * them.
 *
 * Layer: net/ protocol glue; lwIP headers are included here.
 */
#ifndef KITE_INET_H
#define KITE_INET_H

#include "net/socket.h"
#include "net/net.h"
#include "lwip/ip_addr.h"
#include "lwip/ip.h"

struct tcp_pcb;
struct udp_pcb;
struct raw_pcb;

/* The part of every inet socket's state the shared code uses. */
struct inet_sock {
  struct socket *sock;
  union {                       /* NULL: no pcb (not created yet, or gone) */
    struct ip_pcb *ip;          /* the fields every lwIP pcb starts with */
    struct tcp_pcb *tcp;
    struct udp_pcb *udp;
    struct raw_pcb *raw;
  } pcb;                        /* net_lock */
  bool v6;                      /* AF_INET6: addresses shown as sockaddr_in6 */
  bool v6only;                  /* IPV6_V6ONLY */
  int err;                      /* pending error for SO_ERROR, positive errno (net_lock) */
  int tos, ttl;                 /* IP_TOS, IP_TTL (-1: default) */
  bool recverr, recverr6;       /* IP_RECVERR, IPV6_RECVERR */
  struct inet_err_entry *errq;  /* IP_RECVERR's error queue, oldest first (net_lock) */
  unsigned errq_len;
};

/* An ICMP error about one datagram a socket sent. */
struct icmp_error {
  int err;                      /* positive errno, Linux's icmp_err_convert */
  bool hard;                    /* reported even without IP_RECVERR (connected sockets) */
  bool v6;                      /* an ICMPv6 message (else ICMP) */
  u8_t type, code;              /* the ICMP message's */
  u32_t info;                   /* the MTU of "fragmentation needed"/"packet too big" */
  ip_addr_t offender;           /* who sent the ICMP message */
  ip_addr_t dst;                /* the datagram's destination */
  u16_t dport;
  struct pbuf *p;               /* the ICMP message (during the call only) */
  u16_t data_off, data_len;     /* where in p the datagram's quoted payload is */
};
struct inet_err_entry {
  struct inet_err_entry *next;
  struct icmp_error e;          /* e.p not kept */
  u8_t data[];                  /* e.data_len bytes of the quoted payload */
};

/*
 * An ICMP error for a socket (net_lock held), with Linux's rules: without
 * IP_RECVERR (IPV6_RECVERR for ICMPv6) only a hard error on a connected
 * socket is reported; with it every error is, and is also queued (at most
 * 64) for recvmsg(MSG_ERRQUEUE). Reporting sets the pending error and
 * wakes pollers with POLLERR.
 */
void inet_icmp_error(struct inet_sock *is, const struct icmp_error *e, bool connected);
/* Drop every queued error (net_lock held): the socket is going away. */
void inet_flush_errors(struct inet_sock *is);

/* The lwIP address type for a new pcb of this socket. */
u8_t inet_pcb_type(struct inet_sock *is);
/* The "any" address this socket binds to when it must pick one itself. */
void inet_any_addr(struct inet_sock *is, ip_addr_t *out);
/*
 * Parse a user sockaddr for this socket: *ip and *port (host order).
 * for_bind chooses the bind rules (an unspecified address is "any"; the
 * address must be local). Errors as Linux: EINVAL (short), EAFNOSUPPORT
 * (family), EADDRNOTAVAIL (bind to a foreign address), ENETUNREACH
 * (IPv4 peer on a v6-only socket).
 */
int inet_parse_addr(struct inet_sock *is, const struct sockaddr_storage *ss, int len,
                    ip_addr_t *ip, u16_t *port, bool for_bind);
/* Make the sockaddr user space sees for (ip, port); returns its length. */
int inet_make_sockaddr(struct inet_sock *is, const ip_addr_t *ip, u16_t port,
                       struct sockaddr_storage *ss);
/* SOL_IP / SOL_IPV6 options (and SO_REUSEADDR/SO_KEEPALIVE on the pcb). */
int inet_setsockopt(struct inet_sock *is, int level, int name, const void *val, unsigned len);
int inet_getsockopt(struct inet_sock *is, int level, int name, void *val, unsigned *len);
/* Copy the pcb-independent options onto a new pcb. net_lock held. */
void inet_apply_options(struct inet_sock *is);
/* Map an lwIP err_t to a negative errno. */
int inet_errno(err_t err);
/*
 * recvmsg(MSG_ERRQUEUE): the oldest queued ICMP error, as Linux's
 * ip_recv_error: as data, what the ICMP message quoted of the datagram's
 * payload (MSG_TRUNC if cut); the datagram's destination as the address; and an IP_RECVERR (IPV6_RECVERR
 * on an AF_INET6 socket) control message: struct sock_extended_err and
 * the offender's address; MSG_ERRQUEUE in flags_out; the pending error
 * becomes the next queued one's, or none. An empty queue: EAGAIN at once,
 * even on a blocking socket. Takes net_lock.
 */
long inet_recv_error(struct inet_sock *is, struct uio *u, struct sock_msg *m);
/* An int option value (a kernel copy of len bytes) into *out: 0, or
 * -EINVAL when len is 0 (one byte is accepted, as Linux does for some
 * options). put_int: v into val, *len cut to sizeof(int); 0. Pure. */
int sockopt_int(const void *val, unsigned len, int *out);
int sockopt_put_int(void *val, unsigned *len, int v);

/* /proc/net/tcp and tcp6 (net/tcp_sock.c). */
void tcp_proc_show(bool v6, void (*emit)(void *ctx, const char *s, size_t n), void *ctx);

/* The protocols, for inet_create (socket.h): the protocol state of s
 * (s->proto, s->ops set) and its inet part in *out. 0, -ENOBUFS or
 * -ENOMEM (the pcb); on error s has no protocol. raw: an ICMP SOCK_RAW
 * socket rather than a datagram "ping" socket. Take net_lock themselves. */
int tcp_sock_create(struct socket *s, struct inet_sock **out);
int udp_sock_create(struct socket *s, struct inet_sock **out);
int icmp_sock_create(struct socket *s, bool raw, struct inet_sock **out);

#endif
