/*
 * dgram.c — the receive queue of datagram sockets (see dgram.h).
 *
 * Layer: net, under net/udp_sock.c and net/icmp_sock.c (their receive
 * callbacks queue, their recvmsg reads); calls net/socket.c (sock_wake,
 * the socket's waiting) and kern/ memory.
 *
 * Locks: the queue's own spinlock (q->lock, a leaf), net_lock to free a
 * pbuf; a reader holds the socket's rx_lock (dgram.h has the scheme).
 */
#include "net/dgram.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"

#include "lwip/pbuf.h"

void dgram_queue_init(struct dgram_queue *q)
{
  spin_init(&q->lock, "dgram");
}

/* Free a list of datagrams. net_lock held. */
static void dgram_free_list(struct dgram *d)
{
  while (d) {
    struct dgram *next = d->next;
    pbuf_free(d->p);
    kfree(d);
    d = next;
  }
}

bool dgram_enqueue(struct socket *s, struct dgram_queue *q, struct pbuf *p, const ip_addr_t *from,
                   u16_t port)
{
  spin_lock(&q->lock);
  struct dgram *done = q->done;
  q->done = NULL;
  bool room = q->bytes + p->tot_len <= (size_t)s->rcvbuf || !q->head;
  spin_unlock(&q->lock);
  dgram_free_list(done);
  struct dgram *d = room ? kmalloc(sizeof(*d)) : NULL;
  if (!d) {
    q->dropped++;
    return false;
  }
  d->next = NULL;
  d->p = p;
  ip_addr_copy(d->from, *from);
  d->port = port;
  spin_lock(&q->lock);
  if (q->tail)
    q->tail->next = d;
  else
    q->head = d;
  q->tail = d;
  q->bytes += p->tot_len;
  spin_unlock(&q->lock);
  sock_wake(s, POLLIN | POLLRDNORM);
  return true;
}

/* Copy the first n bytes of a pbuf chain into the uio. */
static long copy_pbuf_to_uio(struct pbuf *p, struct uio *u, size_t n)
{
  long done = 0;
  for (struct pbuf *c = p; c && n; c = c->next) {
    size_t len = MIN((size_t)c->len, n);
    long k = uio_copy_to(u, c->payload, len);
    if (k < (long)len)
      return -EFAULT; /* a datagram is copied whole or not at all (Linux) */
    done += k;
    n -= k;
  }
  return done;
}

static bool can_recv(struct inet_sock *inet, struct dgram_queue *q)
{
  return READ_ONCE(q->head) != NULL || READ_ONCE(inet->err);
}

ssize_t dgram_recvmsg(struct socket *s, struct inet_sock *inet, struct dgram_queue *q,
                      struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  if (mutex_lock_interruptible(&s->rx_lock))
    return -EINTR;
  ssize_t r;
  for (;;) {
    long w = wait_event(&s->wq, can_recv(inet, q), timeout);
    if (w) {
      r = sock_wait_error(w, timeout);
      break;
    }
    spin_lock(&q->lock);
    struct dgram *d = q->head;
    if (d && !(flags & MSG_PEEK)) {
      q->head = d->next;
      if (!q->head)
        q->tail = NULL;
      q->bytes -= d->p->tot_len;
    }
    spin_unlock(&q->lock);
    if (!d) {  /* woken by an error (lwIP sets it under net_lock) */
      net_lock_acquire();
      r = -inet->err;
      inet->err = 0;
      net_lock_release();
      if (r)
        break;
      continue;
    }
    /* d is ours now (or, peeking, safe under rx_lock: only readers remove). */
    size_t len = d->p->tot_len;
    long c = copy_pbuf_to_uio(d->p, u, MIN(len, u->resid));
    m->addrlen = inet_make_sockaddr(inet, &d->from, d->port, &m->addr);
    if (c >= 0 && (size_t)c < len)
      m->flags_out |= MSG_TRUNC;
    r = (c >= 0 && (flags & MSG_TRUNC)) ? (ssize_t)len : c; /* the real length, as Linux */
    if (!(flags & MSG_PEEK)) {  /* the next enqueue frees it, under net_lock */
      spin_lock(&q->lock);
      d->next = q->done;
      q->done = d;
      spin_unlock(&q->lock);
    }
    break;
  }
  mutex_unlock(&s->rx_lock);
  return r;
}

int dgram_next_len(struct dgram_queue *q)
{
  spin_lock(&q->lock);
  int n = q->head ? q->head->p->tot_len : 0;
  spin_unlock(&q->lock);
  return n;
}

void dgram_flush(struct dgram_queue *q)
{
  spin_lock(&q->lock);
  struct dgram *queued = q->head, *done = q->done;
  q->head = q->tail = q->done = NULL;
  q->bytes = 0;
  spin_unlock(&q->lock);
  dgram_free_list(queued);
  dgram_free_list(done);
}
