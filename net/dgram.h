/*
 * dgram.h — the receive queue of a datagram socket (UDP, ICMP): whole
 * datagrams with their source address, bounded by SO_RCVBUF, taken one
 * per recvmsg. UDP and ICMP sockets differ in how a datagram is sent and
 * filtered, not in how it waits to be read: that part lives here once.
 *
 * Layer: net, shared by the datagram protocols (net/udp_sock.c,
 * net/icmp_sock.c) below the socket table.
 *
 * Locking: the queue has its own spinlock, a leaf taken inside net_lock by
 * the receive callbacks (which append) and alone by a reader (which takes
 * the head), so reading a datagram never waits for lwIP. A pbuf may be
 * freed only under net_lock (lwIP's counters; a loopback datagram points
 * into the sender's pbufs): the reader leaves what it has read on
 * `done`, and the next enqueue, which holds net_lock, frees it.
 * dgram_recvmsg takes the socket's rx_lock (one reader at a time).
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
  struct spinlock lock;         /* the next four fields; a leaf (inside net_lock) */
  struct dgram *head, *tail;    /* lock */
  size_t bytes;                 /* payload bytes queued (lock) */
  struct dgram *done;           /* read, not yet freed: at most what was queued (lock) */
  uint64_t dropped;             /* datagrams dropped: queue full or no memory (net_lock) */
};

/* Initialise an empty queue (a zeroed one, in a socket being created). */
void dgram_queue_init(struct dgram_queue *q);

/*
 * Queue datagram p from (from, port) on socket s and wake its readers
 * (net_lock held); first free the datagrams read since the last call. The
 * queue takes p over. A datagram that would make
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
