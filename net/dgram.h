/*
 * dgram.h — the receive queue of a datagram socket (UDP, ICMP): whole
 * datagrams with their source address, bounded by SO_RCVBUF, taken one
 * per recvmsg. UDP and ICMP sockets differ in how a datagram is sent and
 * filtered, not in how it waits to be read: that part lives here once.
 *
 * Layer: net, shared by the datagram protocols (net/udp_sock.c,
 * net/icmp_sock.c) below the socket table.
 *
 * Locking: the queue fields are net_lock's; dgram_recvmsg takes the
 * socket's rx_lock (one reader at a time) and net_lock itself.
 */
#ifndef KITE_DGRAM_H
#define KITE_DGRAM_H

#include "net/inet.h"

struct uio;
struct pbuf;

struct dgram {
  struct dgram *next;
  struct pbuf *p;               /* the payload, the queue's own reference */
  ip_addr_t from;
  u16_t port;                   /* the sender's port (0 for ICMP) */
};

struct dgram_queue {
  struct dgram *head, *tail;    /* net_lock */
  size_t bytes;                 /* payload bytes queued (net_lock) */
  uint64_t dropped;             /* datagrams dropped: queue full or no memory (net_lock) */
  struct dgram *consumed;       /* read, freed at the reader's next net_lock hold
                                   (rx_lock; dgram_flush at release) */
};

/*
 * Queue datagram p from (from, port) on socket s and wake its readers
 * (net_lock held). The queue takes p over. A datagram that would make
 * the queue exceed s->rcvbuf (unless the queue is empty) is dropped, as
 * Linux drops it: false, and the caller still owns p.
 */
bool dgram_enqueue(struct socket *s, struct dgram_queue *q, struct pbuf *p, const ip_addr_t *from,
                   u16_t port);
/*
 * recvmsg for a datagram socket: wait (unless nonblock, up to SO_RCVTIMEO)
 * for a datagram, copy it out (MSG_TRUNC in m->flags_out if it did not
 * fit; with MSG_TRUNC in flags the real length is returned), fill in the
 * source address, and remove it unless MSG_PEEK. A pending inet->err is
 * returned (and cleared) once the queue is empty.
 */
ssize_t dgram_recvmsg(struct socket *s, struct inet_sock *inet, struct dgram_queue *q,
                      struct uio *u, struct sock_msg *m, int flags, bool nonblock);
/* The length of the next datagram (SIOCINQ, as Linux), 0 if none (net_lock held). */
int dgram_next_len(struct dgram_queue *q);
/* Free every queued datagram (net_lock held). */
void dgram_flush(struct dgram_queue *q);

#endif
