/*
 * tcp_sock.c — SOCK_STREAM sockets over lwIP's raw TCP API, with Linux's
 * semantics (connect/accept/recv/send/shutdown/close, blocking and not).
 *
 * Layer: a protocol under the SocketTable (net/socket.c). lwIP calls us
 * back (recv, sent, err, accept, connected) in whatever context holds
 * net_lock; the callbacks only queue data and change state, then wake the
 * socket's wait queue. System calls consume the queues.
 *
 *   receive  tcp_recv_cb queues the pbufs; recvmsg copies them out (with
 *            net_lock dropped: only this reader touches the head, under
 *            rx_lock), frees them and reports the bytes to lwIP with
 *            tcp_recved(), which reopens the window. A NULL pbuf is EOF.
 *   send     sendmsg pins the user's pages first (user memory may fault,
 *            so never under net_lock), then, holding net_lock, lets
 *            tcp_write(COPY) copy straight from them into lwIP's segments
 *            and calls tcp_output(), as much as the send buffer takes. It
 *            returns as soon as the data is queued, and waits for
 *            tcp_sent_cb only when the buffer is full.
 *   connect  EINPROGRESS, EALREADY, then 0 once, then EISCONN; failure
 *            reported by the next connect() or SO_ERROR (docs/lessons.md L12).
 *   accept   tcp_accept_cb makes a socket for each new connection and
 *            queues it on the listener (lwIP counts it against the backlog
 *            until accept() takes it).
 *   errors   tcp_err_cb: lwIP has already freed the pcb; we forget it.
 *
 * All fields marked (net_lock) are written only with net_lock held. The
 * sock_ops functions (tcp_*_op, tcp_sendmsg, ...) follow the contracts in
 * net/socket.h; comments here say what is TCP-specific.
 */
#include "net/inet.h"
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

};

#define TCP_WRITABLE_LOWAT TCP_SNDLOWAT  /* POLLOUT when this much send buffer is free */

static const struct sock_ops tcp_ops;
static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len);
static void tcp_err_cb(void *arg, err_t err);

static struct tcp_sock *tcp_of(struct socket *s)
{
  return s->proto;
}

static struct tcp_sock *tcp_sock_alloc(struct socket *s)
{
  struct tcp_sock *ts = kzalloc(sizeof(*ts));
  if (!ts)
    return NULL;
  ts->inet.sock = s;
  ts->inet.v6 = s->family == AF_INET6;
  ts->inet.tos = ts->inet.ttl = -1;
  ts->keepidle = 7200;
  ts->keepintvl = 75;
  ts->keepcnt = 9;
  s->proto = ts;
  s->ops = &tcp_ops;
  return ts;
}

/* Apply our options to the pcb. net_lock held. */
static void tcp_apply_options(struct tcp_sock *ts)
{
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (!pcb || ts->state == TS_LISTEN)
    return;
  inet_apply_options(&ts->inet);
  if (ts->nodelay)
    tcp_nagle_disable(pcb);
  else
    tcp_nagle_enable(pcb);
  pcb->keep_idle = (u32_t)ts->keepidle * 1000;
  pcb->keep_intvl = (u32_t)ts->keepintvl * 1000;
  pcb->keep_cnt = (u32_t)ts->keepcnt;
}

/* Hook a connection pcb up to ts. net_lock held. */
static void tcp_attach(struct tcp_sock *ts, struct tcp_pcb *pcb)
{
  ts->inet.pcb.tcp = pcb;
  tcp_arg(pcb, ts);
  tcp_recv(pcb, tcp_recv_cb);
  tcp_sent(pcb, tcp_sent_cb);
  tcp_err(pcb, tcp_err_cb);
  tcp_apply_options(ts);
}

/* Unhook the pcb: lwIP will not call us about it again. net_lock held. */
static struct tcp_pcb *tcp_detach(struct tcp_sock *ts)
{
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  ts->inet.pcb.tcp = NULL;
  if (!pcb)
    return NULL;
  tcp_arg(pcb, NULL);
  if (ts->state == TS_LISTEN) {
    tcp_accept(pcb, NULL);
  } else {
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
  }
  return pcb;
}

/* Make sure a fresh socket has a pcb (a failed connect lost it). net_lock held. */
static int tcp_ensure_pcb(struct tcp_sock *ts)
{
  if (ts->inet.pcb.tcp)
    return 0;
  struct tcp_pcb *pcb = tcp_new_ip_type(inet_pcb_type(&ts->inet));
  if (!pcb)
    return -ENOBUFS;
  tcp_attach(ts, pcb);
  return 0;
}

/* Free the head pbuf of the receive queue (fully read). net_lock held. */
static void tcp_rx_pop(struct tcp_sock *ts)
{
  struct pbuf *p = ts->rx_head;
  ts->rx_head = p->next;
  if (!ts->rx_head)
    ts->rx_tail = NULL;
  ts->rx_off = 0;
  p->next = NULL;  /* free this one only (the queue links single pbufs) */
  p->tot_len = p->len;
  pbuf_free(p);
}

/* Free the receive queue. net_lock held. */
static void tcp_rx_purge(struct tcp_sock *ts)
{
  struct pbuf *p = ts->rx_head;
  while (p) {
    struct pbuf *next = p->next;
    p->next = NULL;
    p->tot_len = p->len;
    pbuf_free(p);
    p = next;
  }
  ts->rx_head = ts->rx_tail = NULL;
  ts->rx_off = 0;
  ts->rx_bytes = 0;
}

/* ---- lwIP callbacks (net_lock held) ---- */

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
  struct tcp_sock *ts = arg;
  (void)err;
  if (!p) {
    ts->rx_fin = true;
    sock_wake(ts->inet.sock, POLLIN | POLLRDNORM | POLLRDHUP);
    return ERR_OK;
  }
  if (ts->shut_rd) { /* we said we read no more: drop, but keep the window open */
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
  }
  ts->rx_bytes += p->tot_len;
  if (ts->rx_tail)
    ts->rx_tail->next = p;
  else
    ts->rx_head = p;
  struct pbuf *q = p;
  while (q->next)
    q = q->next;
  ts->rx_tail = q;
  sock_wake(ts->inet.sock, POLLIN | POLLRDNORM);
  return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
  struct tcp_sock *ts = arg;
  (void)len;
  ts->sent_gen++;
  if (tcp_sndbuf(pcb) >= TCP_WRITABLE_LOWAT || tcp_sndbuf(pcb) >= TCP_SND_BUF / 2)
    sock_wake(ts->inet.sock, POLLOUT | POLLWRNORM);
  return ERR_OK;
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
  struct tcp_sock *ts = arg;
  (void)pcb;
  (void)err;
  ts->state = TS_CONNECTED;
  sock_wake(ts->inet.sock, POLLOUT | POLLWRNORM);
  return ERR_OK;
}

/* The pcb is gone (lwIP freed it): remember why. */
static void tcp_err_cb(void *arg, err_t err)
{
  struct tcp_sock *ts = arg;
  ts->inet.pcb.tcp = NULL;
  int e = 0;
  if (err == ERR_RST && ts->state == TS_CONNECTING)
    e = ECONNREFUSED;
  else if (err == ERR_RST)
    e = ts->rx_fin ? EPIPE : ECONNRESET;  /* Linux: a reset in CLOSE_WAIT is EPIPE */
  else if (err == ERR_ABRT)
    e = ETIMEDOUT;  /* retransmissions, keepalive or SYN timed out */
  else if (err != ERR_CLSD)
    e = -inet_errno(err);
  if (e)
    ts->inet.err = e;
  ts->state = TS_CLOSED;
  ts->rx_fin = true;
  sock_wake(ts->inet.sock, POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
}

static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
  struct tcp_sock *lts = arg;
  if (err != ERR_OK || !newpcb || !lts)
    return ERR_VAL;
  struct socket *ls = lts->inet.sock;
  struct socket *cs = sock_alloc(ls->family, SOCK_STREAM, IPPROTO_TCP);
  if (!cs)
    return ERR_MEM;  /* lwIP aborts the connection */
  struct tcp_sock *cts = tcp_sock_alloc(cs);
  if (!cts) {
    sock_free(cs);
    return ERR_MEM;
  }
  /* Linux: an accepted socket inherits the listener's options. */
  cs->rcvbuf = ls->rcvbuf;
  cs->sndbuf = ls->sndbuf;
  cs->keepalive = ls->keepalive;
  cs->reuseaddr = ls->reuseaddr;
  cs->linger = ls->linger;
  cs->rcvtimeo_ns = ls->rcvtimeo_ns;
  cs->sndtimeo_ns = ls->sndtimeo_ns;
  cts->inet.v6only = lts->inet.v6only;
  cts->inet.tos = lts->inet.tos;
  cts->inet.ttl = lts->inet.ttl;
  cts->nodelay = lts->nodelay;
  cts->keepidle = lts->keepidle;
  cts->keepintvl = lts->keepintvl;
  cts->keepcnt = lts->keepcnt;
  cts->state = TS_CONNECTED;
  tcp_attach(cts, newpcb);
  tcp_backlog_delayed(newpcb);  /* counts against the backlog until accept() */
  cts->listener = lts;
  if (lts->acc_tail)
    lts->acc_tail->acc_next = cts;
  else
    lts->acc_head = cts;
  lts->acc_tail = cts;
  lts->acc_count++;
  sock_wake(ls, POLLIN | POLLRDNORM);
  return ERR_OK;
}

/* ---- readiness: the one function behind poll, ppoll, pselect6, epoll ---- */

static unsigned tcp_poll_locked(struct tcp_sock *ts)
{
  unsigned mask = 0;
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  switch (ts->state) {
  case TS_LISTEN:
    return ts->acc_head ? POLLIN | POLLRDNORM : 0;
  case TS_NEW:
    mask = POLLOUT | POLLWRNORM | POLLHUP;
    break;
  case TS_CONNECTING:
    break;
  case TS_CONNECTED:
  case TS_CLOSED:
    if (ts->rx_bytes || ts->rx_fin || ts->shut_rd)
      mask |= POLLIN | POLLRDNORM;
    if (ts->rx_fin || ts->shut_rd)
      mask |= POLLRDHUP;
    if (ts->state == TS_CLOSED || (ts->rx_fin && ts->shut_wr))
      mask |= POLLHUP;
    if (ts->shut_wr || ts->state == TS_CLOSED ||
        (pcb && tcp_sndbuf(pcb) >= TCP_WRITABLE_LOWAT && tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT))
      mask |= POLLOUT | POLLWRNORM;
    break;
  }
  if (ts->inet.err)
    mask |= POLLERR;
  return mask;
}

static unsigned tcp_sock_poll(struct socket *s)
{
  net_lock_acquire();
  unsigned mask = tcp_poll_locked(tcp_of(s));
  net_lock_release();
  return mask;
}

/* ---- bind, listen, accept, connect ---- */

/* Do two local addresses overlap? Families overlap when equal or when one
 * is dual-stack (IPADDR_TYPE_ANY); then "any" overlaps everything. */
static bool local_addrs_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
  u8_t ta = IP_GET_TYPE(a), tb = IP_GET_TYPE(b);
  if (ta != tb && ta != IPADDR_TYPE_ANY && tb != IPADDR_TYPE_ANY)
    return false;
  return ip_addr_isany(a) || ip_addr_isany(b) || ip_addr_cmp(a, b);
}

/* Is a listener on (ip, port)? Linux refuses to share a port with a
 * listener even with SO_REUSEADDR; lwIP would only refuse at listen(). */
static bool tcp_listener_conflict(const ip_addr_t *ip, u16_t port)
{
  for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
    if (l->local_port == port && local_addrs_overlap(&l->local_ip, ip))
      return true;
  return false;
}

static int tcp_bind_op(struct socket *s, const struct sockaddr_storage *a, int alen)
{
  struct tcp_sock *ts = tcp_of(s);
  ip_addr_t ip;
  u16_t port;
  net_lock_acquire();
  int r = inet_parse_addr(&ts->inet, a, alen, &ip, &port, true);
  if (r)
    goto out;
  if (ts->state != TS_NEW || (ts->inet.pcb.tcp && ts->inet.pcb.tcp->local_port)) {
    r = -EINVAL;
    goto out;
  }
  r = tcp_ensure_pcb(ts);
  if (r)
    goto out;
  if (port && tcp_listener_conflict(&ip, port)) {
    r = -EADDRINUSE;
    goto out;
  }
  inet_apply_options(&ts->inet);
  err_t e = tcp_bind(ts->inet.pcb.tcp, &ip, port);
  r = e == ERR_USE ? -EADDRINUSE : inet_errno(e);
out:
  net_lock_release();
  return r;
}

static int tcp_listen_op(struct socket *s, int backlog)
{
  struct tcp_sock *ts = tcp_of(s);
  u8_t bl = (u8_t)MAX(1, MIN(backlog, 255));
  int r = 0;
  net_lock_acquire();
  if (ts->state == TS_LISTEN) {
    tcp_backlog_set(ts->inet.pcb.tcp, bl);
    goto out;
  }
  if (ts->state != TS_NEW) {
    r = -EINVAL;
    goto out;
  }
  r = tcp_ensure_pcb(ts);
  if (r)
    goto out;
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (!pcb->local_port) {  /* Linux binds an unbound listener to a free port */
    inet_apply_options(&ts->inet);
    ip_addr_t any;
    inet_any_addr(&ts->inet, &any);
    err_t e = tcp_bind(pcb, &any, 0);
    if (e != ERR_OK) {
      r = inet_errno(e);
      goto out;
    }
  }
  err_t e;
  struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, bl, &e);
  if (!lpcb) {
    r = e == ERR_USE ? -EADDRINUSE : -ENOBUFS;
    goto out;
  }
  /* lwIP freed pcb and gave us a smaller listening pcb */
  ts->inet.pcb.tcp = lpcb;
  ts->state = TS_LISTEN;
  tcp_arg(lpcb, ts);
  tcp_accept(lpcb, tcp_accept_cb);
out:
  net_lock_release();
  return r;
}

static int tcp_accept_op(struct socket *s, struct socket **child, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  if (READ_ONCE(ts->state) != TS_LISTEN)
    return -EINVAL;
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  for (;;) {
    long w = wait_event(&s->wq, READ_ONCE(ts->acc_head) || READ_ONCE(ts->state) != TS_LISTEN,
                        timeout);
    if (w)
      return sock_wait_error(w, timeout);
    net_lock_acquire();
    if (ts->state != TS_LISTEN) {
      net_lock_release();
      return -EINVAL;
    }
    struct tcp_sock *cts = ts->acc_head;
    if (!cts) {  /* another thread took it */
      net_lock_release();
      continue;
    }
    ts->acc_head = cts->acc_next;
    if (!ts->acc_head)
      ts->acc_tail = NULL;
    ts->acc_count--;
    cts->acc_next = NULL;
    cts->listener = NULL;
    if (cts->inet.pcb.tcp)
      tcp_backlog_accepted(cts->inet.pcb.tcp);
    net_lock_release();
    *child = cts->inet.sock;
    return 0;
  }
}

static int tcp_connect_op(struct socket *s, const struct sockaddr_storage *a, int alen, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  int r = 0;
  net_lock_acquire();
  switch (ts->state) {
  case TS_LISTEN:
    r = -EISCONN;
    break;
  case TS_CONNECTED:
    r = ts->connect_pending ? 0 : -EISCONN;
    ts->connect_pending = false;
    break;
  case TS_CLOSED:
    if (ts->connect_pending) {  /* report how the connection attempt ended */
      r = ts->inet.err ? -ts->inet.err : -ECONNABORTED;
      ts->inet.err = 0;
      ts->connect_pending = false;
      ts->state = TS_NEW;
    } else {
      r = -EISCONN;
    }
    break;
  case TS_CONNECTING:
    r = nonblock ? -EALREADY : 1;  /* 1: wait below */
    break;
  case TS_NEW: {
    ip_addr_t ip;
    u16_t port;
    r = inet_parse_addr(&ts->inet, a, alen, &ip, &port, false);
    if (r)
      break;
    if (ip_addr_isany(&ip)) {  /* Linux: connecting to 0.0.0.0 means this host */
      if (IP_IS_V4(&ip))
        ip_addr_set_loopback(false, &ip);
      else
        ip_addr_set_loopback(true, &ip);
    }
    r = tcp_ensure_pcb(ts);
    if (r)
      break;
    struct tcp_pcb *pcb = ts->inet.pcb.tcp;
    if (ts->maxseg)
      pcb->mss = (u16_t)ts->maxseg;
    inet_apply_options(&ts->inet);
    err_t e = tcp_connect(pcb, &ip, port, tcp_connected_cb);
    if (e != ERR_OK) {
      r = e == ERR_USE ? -EADDRNOTAVAIL : inet_errno(e);
      break;
    }
    ts->state = TS_CONNECTING;
    ts->connect_pending = true;
    r = nonblock ? -EINPROGRESS : 1;
    break;
  }
  }
  net_lock_release_flush();  /* the SYN to a local peer is answered right here */
  if (r != 1)
    return r;
  /* A blocking connect waits for the handshake's end. */
  uint64_t timeout = s->sndtimeo_ns;
  long w = wait_event(&s->wq, READ_ONCE(ts->state) != TS_CONNECTING, timeout);
  if (w == -ETIMEDOUT || w == -EAGAIN)
    return -EINPROGRESS;
  if (w)
    return sock_wait_error(w, timeout);
  net_lock_acquire();
  if (ts->state == TS_CONNECTED) {
    r = 0;
  } else {
    r = ts->inet.err ? -ts->inet.err : -ECONNREFUSED;
    ts->inet.err = 0;
    ts->state = TS_NEW;
  }
  ts->connect_pending = false;
  net_lock_release();
  return r;
}

/* ---- sending ---- */

/* The state of the send side: 0 = may send, else the error to return. net_lock held. */
static int tcp_send_error(struct tcp_sock *ts)
{
  if (ts->shut_wr)
    return -EPIPE;
  if (ts->state == TS_CONNECTED && ts->inet.pcb.tcp)
    return 0;
  if (ts->state == TS_CONNECTING)
    return -EAGAIN;  /* wait for the connection */
  if (ts->inet.err) {
    int e = -ts->inet.err;
    ts->inet.err = 0;
    return e;
  }
  return -EPIPE;
}

/* Can we make progress sending `want` bytes? */
static bool tcp_can_send(struct tcp_sock *ts, size_t want)
{
  bool ok;
  net_lock_acquire();
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (ts->state != TS_CONNECTED || !pcb || ts->shut_wr)
    ok = ts->state != TS_CONNECTING;
  else
    ok = tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN - 2 &&
         tcp_sndbuf(pcb) >= MIN(want, (size_t)TCP_WRITABLE_LOWAT);
  net_lock_release();
  return ok;
}

/*
 * The next bytes of a uio, reachable without faults: user pages are
 * pinned (a page reference each, no copy) and seen through the kernel's
 * direct map; kernel buffers are used as they are. lwIP then copies
 * straight from them into its segments (TCP_WRITE_FLAG_COPY) with net_lock
 * held — safe, because pinned pages cannot fault. This spares the bounce
 * buffer a plain copyin would need.
 */
#define TCP_PIN_BYTES (64 * 1024)               /* bytes pinned per round */
#define TCP_PIN_PIECES (TCP_PIN_BYTES / PAGE_SIZE + 2)

struct send_batch {
  struct page *pages[TCP_PIN_PIECES];
  const char *ptr[TCP_PIN_PIECES];
  size_t len[TCP_PIN_PIECES];
  int npieces, npages;
  size_t bytes;
};

/* Pin up to max bytes of u without advancing it. Returns the bytes made
 * reachable, or -EFAULT if any of them is not: as Linux copies a chunk
 * whole or not at all, a buffer running off its mapping sends nothing of
 * the batch that reaches the fault (the caller releases what was pinned).
 * No lock held. */
static long batch_pin(struct uio *u, size_t max, struct send_batch *b)
{
  b->npieces = b->npages = 0;
  b->bytes = 0;
  struct kiovec *iov = u->iov;
  for (int cnt = u->iovcnt; cnt > 0 && b->bytes < max; cnt--, iov++) {
    uint64_t base = iov->base;
    size_t left = MIN(iov->len, max - b->bytes);
    while (left && b->npieces < (int)TCP_PIN_PIECES) {
      size_t chunk = left;
      if (u->kernel) {
        b->ptr[b->npieces] = (const char *)base;
      } else {
        size_t off = base & (PAGE_SIZE - 1);
        chunk = MIN(left, PAGE_SIZE - off);
        struct page *pg = user_page_get(current->mm, base, false);
        if (!pg)
          return -EFAULT;
        b->pages[b->npages++] = pg;
        b->ptr[b->npieces] = (const char *)page_to_kva(pg) + off;
      }
      b->len[b->npieces++] = chunk;
      b->bytes += chunk;
      base += chunk;
      left -= chunk;
    }
    if (b->npieces == (int)TCP_PIN_PIECES)
      break;
  }
  return (long)b->bytes;
}

static void batch_release(struct send_batch *b)
{
  for (int i = 0; i < b->npages; i++)
    put_page(b->pages[i]);
  b->npages = 0;
}

/* Hand the batch to lwIP (copying into segments). Returns bytes taken. net_lock held. */
static __attribute__((noinline)) size_t batch_write(struct tcp_pcb *pcb, struct send_batch *b, bool more)
{
  size_t taken = 0;
  for (int i = 0; i < b->npieces; i++) {
    for (size_t off = 0; off < b->len[i];) {
      u16_t n = (u16_t)MIN(b->len[i] - off, 0xffffu);
      bool last = i == b->npieces - 1 && off + n == b->len[i];
      u8_t wf = TCP_WRITE_FLAG_COPY | ((more || !last) ? TCP_WRITE_FLAG_MORE : 0);
      if (n > tcp_sndbuf(pcb) || tcp_write(pcb, b->ptr[i] + off, n, wf) != ERR_OK)
        return taken;
      off += n;
      taken += n;
    }
  }
  return taken;
}

static ssize_t tcp_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  (void)m;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  uint64_t timeout = nonblock ? 0 : s->sndtimeo_ns;
  mutex_lock(&s->tx_lock);
  ssize_t done = 0;
  long err = 0;
  bool stuck = false;           /* tcp_write refused although there was room */
  struct send_batch *b = kmalloc(sizeof(*b));
  if (!b) {
    mutex_unlock(&s->tx_lock);
    return -ENOMEM;
  }
  while (u->resid > 0) {
    net_lock_acquire();
    err = tcp_send_error(ts);
    struct tcp_pcb *pcb = ts->inet.pcb.tcp;
    size_t room = 0;
    if (!err && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN - 2)
      room = tcp_sndbuf(pcb);
    net_lock_release();
    if (err && err != -EAGAIN)
      break;
    if (!err && room > 0) {
      long pinned = batch_pin(u, MIN(MIN(u->resid, room), (size_t)TCP_PIN_BYTES), b);
      if (pinned < 0) {
        batch_release(b);
        err = pinned;
        break;
      }
      size_t sent = 0;
      net_lock_acquire();
      err = tcp_send_error(ts);
      pcb = ts->inet.pcb.tcp;
      if (!err) {
        bool more = (flags & MSG_MORE) || ts->cork || u->resid > (size_t)pinned;
        sent = batch_write(pcb, b, more);
        if (!(flags & MSG_MORE))
          tcp_output(pcb);
      }
      net_lock_release_flush();  /* to a local peer: delivered here */
      batch_release(b);
      if (err && err != -EAGAIN)
        break;
      uio_advance(u, sent);
      done += sent;
      if (sent > 0)
        continue;
      stuck = !err;
    }
    /* No room: wait for the peer to acknowledge (tcp_sent_cb). Never spin:
     * the kernel is not preempted, so a loop here would starve the reader. */
    uint32_t gen = READ_ONCE(ts->sent_gen);
    long w = stuck ? wait_event(&s->wq, READ_ONCE(ts->sent_gen) != gen ||
                                            READ_ONCE(ts->state) != TS_CONNECTED,
                                timeout == 0 ? 0 : 10 * NSEC_PER_MSEC)
                   : wait_event(&s->wq, tcp_can_send(ts, u->resid), timeout);
    if (stuck && w == -ETIMEDOUT)
      w = 0;
    stuck = false;
    if (w) {
      err = sock_wait_error(w, timeout);
      break;
    }
  }
  kfree(b);
  mutex_unlock(&s->tx_lock);
  if (done > 0)
    return done;
  return err;
}

/* ---- receiving ---- */

/* Something to report to a reader: data, EOF, an error, or a dead connection. */
static bool tcp_can_recv(struct tcp_sock *ts)
{
  return READ_ONCE(ts->rx_bytes) || READ_ONCE(ts->rx_fin) || READ_ONCE(ts->shut_rd) ||
         READ_ONCE(ts->inet.err) || READ_ONCE(ts->state) == TS_CLOSED ||
         READ_ONCE(ts->state) == TS_NEW || READ_ONCE(ts->state) == TS_LISTEN;
}

/* Copy queued data without consuming it (MSG_PEEK). net_lock dropped around copies. */
static ssize_t tcp_peek(struct tcp_sock *ts, struct uio *u)
{
  ssize_t done = 0;
  net_lock_acquire();
  struct pbuf *p = ts->rx_head;
  size_t off = ts->rx_off;
  net_lock_release();
  while (p && u->resid) {
    size_t n = MIN((size_t)p->len - off, u->resid);  /* 0 for a header-only pbuf */
    if (n) {
      long c = uio_copy_to(u, (char *)p->payload + off, n);
      if (c < (long)n) /* all of a segment or nothing, as Linux's skb copies */
        return done ? done : -EFAULT;
      done += c;
    }
    net_lock_acquire();
    p = p->next;
    net_lock_release();
    off = 0;
  }
  return done;
}

/* Tell lwIP what was read (reopens the window; may send an ACK). net_lock held. */
static void tcp_report_read(struct tcp_sock *ts)
{
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  while (ts->rx_unreported) {
    u16_t n = (u16_t)MIN(ts->rx_unreported, 0xffffu);
    if (pcb)
      tcp_recved(pcb, n);
    ts->rx_unreported -= n;
  }
}

static ssize_t tcp_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  (void)m;
  if (flags & MSG_ERRQUEUE)
    return inet_recv_error();
  if (flags & MSG_OOB)
    return -EINVAL;
  enum tcp_sock_state st = READ_ONCE(ts->state);
  if (st == TS_LISTEN || (st == TS_NEW && !READ_ONCE(ts->rx_bytes)))
    return -ENOTCONN;
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  size_t target = (flags & MSG_WAITALL) ? u->resid : 1;
  if (mutex_lock_interruptible(&s->rx_lock))
    return -EINTR;
  ssize_t done = 0;
  long err = 0;
  for (;;) {
    net_lock_acquire();
    if (!ts->rx_bytes) {
      if ((size_t)done >= target || ts->rx_fin || ts->shut_rd || ts->state == TS_CLOSED) {
        if (!done && ts->inet.err) {
          err = -ts->inet.err;
          ts->inet.err = 0;
        }
        net_lock_release();
        break;
      }
      if (!done && ts->inet.err) {
        err = -ts->inet.err;
        ts->inet.err = 0;
        net_lock_release();
        break;
      }
      tcp_report_read(ts);
      net_lock_release_flush();
      long w = wait_event(&s->wq, tcp_can_recv(ts), done ? (nonblock ? 0 : timeout) : timeout);
      if (w) {
        err = sock_wait_error(w, timeout);
        break;
      }
      continue;
    }
    if (flags & MSG_PEEK) {
      net_lock_release();
      ssize_t c = tcp_peek(ts, u);
      if (c < 0)
        err = c;
      else
        done += c;
      break;
    }
    struct pbuf *p = ts->rx_head;
    size_t off = ts->rx_off;
    if (off == p->len) {  /* an empty pbuf (a header-only one from loopback): drop it */
      tcp_rx_pop(ts);
      net_lock_release();
      continue;
    }
    net_lock_release();
    /* Only we consume the head (rx_lock), so p stays ours while we copy. */
    /* All of a segment's bytes or none, as Linux copies an skb. */
    size_t want = MIN((size_t)p->len - off, u->resid);
    long c = uio_copy_to(u, (char *)p->payload + off, want);
    if (c < (long)want) {
      err = -EFAULT;
      break;
    }
    net_lock_acquire();
    ts->rx_off += (u16_t)c;
    ts->rx_bytes -= c;
    ts->rx_unreported += c;
    if (ts->rx_off == p->len)
      tcp_rx_pop(ts);
    net_lock_release();
    done += c;
    if (!u->resid)
      break;
  }
  net_lock_acquire();
  tcp_report_read(ts);
  net_lock_release_flush();
  mutex_unlock(&s->rx_lock);
  if (done > 0)
    return done;
  return err;
}

/* ---- the rest of the operations ---- */

static int tcp_getname(struct socket *s, struct sockaddr_storage *a, int *alen, bool peer)
{
  struct tcp_sock *ts = tcp_of(s);
  int r = 0;
  net_lock_acquire();
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (peer) {
    if (!pcb || ts->state != TS_CONNECTED)
      r = -ENOTCONN;
    else
      *alen = inet_make_sockaddr(&ts->inet, &pcb->remote_ip, pcb->remote_port, a);
  } else {
    *alen = inet_make_sockaddr(&ts->inet, pcb ? &pcb->local_ip : NULL, pcb ? pcb->local_port : 0, a);
  }
  net_lock_release();
  return r;
}

static int tcp_shutdown_op(struct socket *s, int how)
{
  struct tcp_sock *ts = tcp_of(s);
  int r = 0;
  net_lock_acquire();
  if (ts->state == TS_NEW || ts->state == TS_CONNECTING) {
    r = -ENOTCONN;
  } else if (ts->state != TS_LISTEN) {
    if (how == SHUT_RD || how == SHUT_RDWR)
      ts->shut_rd = true;
    if ((how == SHUT_WR || how == SHUT_RDWR) && !ts->shut_wr) {
      ts->shut_wr = true;
      if (ts->inet.pcb.tcp && ts->state == TS_CONNECTED)
        tcp_shutdown(ts->inet.pcb.tcp, 0, 1);  /* FIN after the queued data */
    }
  }
  net_lock_release_flush();
  sock_wake(s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  return r;
}

/* Close a connection we no longer have a socket for. net_lock held. */
static void tcp_close_pcb(struct tcp_sock *ts, bool reset)
{
  struct tcp_pcb *pcb = tcp_detach(ts);
  if (!pcb)
    return;
  if (reset || tcp_close(pcb) != ERR_OK)
    tcp_abort(pcb);
}

/* Free a never-accepted connection on a closing listener. net_lock held. */
static void tcp_free_unaccepted(struct tcp_sock *cts)
{
  tcp_close_pcb(cts, true);
  tcp_rx_purge(cts);
  struct socket *cs = cts->inet.sock;
  kfree(cts);
  sock_free(cs);
}

static void tcp_release(struct socket *s)
{
  struct tcp_sock *ts = tcp_of(s);
  net_lock_acquire();
  if (ts->state == TS_LISTEN) {
    while (ts->acc_head) {
      struct tcp_sock *cts = ts->acc_head;
      ts->acc_head = cts->acc_next;
      tcp_free_unaccepted(cts);
    }
    ts->acc_tail = NULL;
    struct tcp_pcb *lpcb = tcp_detach(ts);
    if (lpcb)
      tcp_close(lpcb);  /* never fails for a listener */
  } else {
    /* Linux resets a connection closed with unread data, or with linger 0. */
    bool reset = ts->rx_bytes > 0 || (s->linger.l_onoff && s->linger.l_linger == 0);
    tcp_close_pcb(ts, reset);
  }
  tcp_rx_purge(ts);
  net_lock_release_flush();
  kfree(ts);
  s->proto = NULL;
}

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

/* Linux's state numbers for TCP_INFO. */
static uint8_t tcp_linux_state(struct tcp_sock *ts, struct tcp_pcb *pcb)
{
  if (ts->state == TS_LISTEN)
    return LINUX_TCP_LISTEN;
  if (!pcb)
    return LINUX_TCP_CLOSE;
  switch (pcb->state) {
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

static int tcp_setsockopt_op(struct socket *s, int level, int name, const void *val, unsigned len)
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

static int tcp_getsockopt_op(struct socket *s, int level, int name, void *val, unsigned *len)
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

static int tcp_ioctl_op(struct socket *s, unsigned cmd, uint64_t arg)
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

static const struct sock_ops tcp_ops = {
  .bind = tcp_bind_op,
  .connect = tcp_connect_op,
  .listen = tcp_listen_op,
  .accept = tcp_accept_op,
  .sendmsg = tcp_sendmsg,
  .recvmsg = tcp_recvmsg,
  .getname = tcp_getname,
  .shutdown = tcp_shutdown_op,
  .poll = tcp_sock_poll,
  .setsockopt = tcp_setsockopt_op,
  .getsockopt = tcp_getsockopt_op,
  .ioctl = tcp_ioctl_op,
  .release = tcp_release,
};

int tcp_sock_create(struct socket *s, struct inet_sock **out)
{
  struct tcp_sock *ts = tcp_sock_alloc(s);
  if (!ts)
    return -ENOBUFS;
  net_lock_acquire();
  int r = tcp_ensure_pcb(ts);
  net_lock_release();
  if (r) {
    kfree(ts);
    s->proto = NULL;
    s->ops = NULL;
    return r;
  }
  *out = &ts->inet;
  return 0;
}
