/*
 * tcp_sock.h — struct tcp_sock and what the TCP socket files share
 * (net/tcp_sock.c: the object, callbacks, connections; net/tcp_io.c: send
 * and receive; net/tcp_opts.c: options, TCP_INFO, /proc/net/tcp). Private
 * to those three: the rest of the kernel sees a TCP socket only through
 * tcp_ops (struct sock_ops, net/socket.h) and net/inet.h.
 *
 * Layer: net, a protocol under the socket table (net/socket.c), over the
 * lwIP port (net/netcore.c, lwIP's tcp API).
 *
 * Locks: fields marked (net_lock) are written only with net_lock held.
 */
#ifndef KITE_TCP_SOCK_H
#define KITE_TCP_SOCK_H

#include "net/inet.h"

enum tcp_sock_state {
  TS_NEW,                       /* not connected (maybe bound): Linux TCP_CLOSE */
  TS_LISTEN,
  TS_CONNECTING,                /* SYN sent, no answer yet */
  TS_CONNECTED,                 /* established (maybe half-closed) */
  TS_CLOSED,                    /* over: reset, refused, timed out or both sides closed */
};

struct tcp_sock {
  struct inet_sock inet;        /* first: inet code casts */
  enum tcp_sock_state state;    /* net_lock */
  bool connect_pending;         /* a connect() result not yet reported (net_lock) */

  /* receive queue: single pbufs linked by ->next (net_lock; the head
   * pbuf's data is read by the rx_lock holder without net_lock) */
  struct pbuf *rx_head, *rx_tail;
  u16_t rx_off;                 /* bytes of rx_head already read */
  size_t rx_bytes;              /* bytes queued and unread */
  bool rx_fin;                  /* the peer closed its side (or the connection died) */
  size_t rx_unreported;         /* read but not yet passed to tcp_recved() */
  bool rx_small;                /* the last data received was less than a segment (tcp_ack_drained) */

  /* listening (net_lock) */
  struct tcp_sock *acc_head, *acc_tail;
  int acc_count;
  struct tcp_sock *acc_next;    /* link in the listener's queue */
  struct tcp_sock *listener;    /* set while on a listener's queue */

  /* shutdown() by us (net_lock) */
  bool shut_rd, shut_wr;

  /* SOL_TCP options */
  bool nodelay, cork, quickack;
  int keepidle, keepintvl, keepcnt;  /* seconds, seconds, count */
  int maxseg;                   /* 0: default */

  uint32_t sent_gen;            /* counts tcp_sent_cb calls (net_lock) */

  /* What bind() fixed, kept across connect(AF_UNSPEC) as Linux's
   * SOCK_BINDPORT_LOCK and SOCK_BINDADDR_LOCK are (net_lock) */
  bool bind_port_lock;          /* bound to a port the caller chose */
  bool bind_addr_lock;          /* bound to an address other than "any" */

};

#define TCP_WRITABLE_LOWAT TCP_SNDLOWAT  /* POLLOUT when this much send buffer is free */

/* The TCP state of a socket whose ops are tcp_ops (s->proto). */
static inline struct tcp_sock *tcp_of(struct socket *s)
{
  return s->proto;
}

/* net/tcp_sock.c */
/* Free the head pbuf of the receive queue (fully read). net_lock held. */
void tcp_rx_pop(struct tcp_sock *ts);
/* Apply ts's options (Nagle, keepalive, TOS/TTL) to its pcb. net_lock held. */
void tcp_apply_options(struct tcp_sock *ts);

/* net/tcp_io.c: sock_ops.sendmsg and .recvmsg (contracts: net/socket.h). */
ssize_t tcp_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);
ssize_t tcp_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);

/* net/tcp_opts.c: sock_ops.setsockopt, .getsockopt, .ioctl (net/socket.h). */
int tcp_setsockopt_op(struct socket *s, int level, int name, const void *val, unsigned len);
int tcp_getsockopt_op(struct socket *s, int level, int name, void *val, unsigned *len);
int tcp_ioctl_op(struct socket *s, unsigned cmd, uint64_t arg);

#endif
