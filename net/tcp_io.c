/*
 * tcp_io.c — the data path of TCP sockets: sendmsg and recvmsg (the send
 * and receive halves described in net/tcp_sock.c's header).
 *
 * Layer: net, a protocol under the SocketTable (net/socket.c); called
 * through tcp_ops (net/tcp_sock.c), calling lwIP's raw TCP API. The
 * receive queue is filled by tcp_recv_cb and the send side reopened by
 * tcp_sent_cb (both net/tcp_sock.c).
 *
 * Locks: net_lock around every lwIP call and every (net_lock) field of
 * struct tcp_sock (net/tcp_sock.h); user memory is never touched under
 * it: sendmsg pins the user's pages first, recvmsg copies the head pbuf
 * out holding only rx_lock (the one reader).
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

ssize_t tcp_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
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

/*
 * The reader has emptied the receive queue and the last data was less than
 * a segment: an ACK that lwIP was delaying goes now (Linux's
 * tcp_cleanup_rbuf acknowledges when a read drains a small pushed segment).
 * A sender holding a small segment back for that ACK (Nagle) may then send
 * at once instead of waiting for lwIP's delayed-ACK timer (up to 250 ms);
 * full-sized bulk data keeps lwIP's every-other-segment ACKs. net_lock held.
 */
static void tcp_ack_drained(struct tcp_sock *ts)
{
  struct tcp_pcb *pcb = ts->inet.pcb.tcp;
  if (pcb && !ts->rx_bytes && ts->rx_small && (pcb->flags & TF_ACK_DELAY)) {
    tcp_set_flags(pcb, TF_ACK_NOW);
    tcp_output(pcb);
  }
}

ssize_t tcp_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  struct tcp_sock *ts = tcp_of(s);
  (void)m;
  if (flags & MSG_ERRQUEUE)
    return inet_recv_error(&ts->inet, u, m);
  if (flags & MSG_OOB)
    return -EINVAL;
  enum tcp_sock_state st = READ_ONCE(ts->state);
  if (st == TS_LISTEN || (st == TS_NEW && !READ_ONCE(ts->rx_bytes) && !READ_ONCE(ts->inet.err)))
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
      if (ts->state == TS_NEW || ts->state == TS_LISTEN) {  /* disconnected (Linux: CLOSE) */
        err = done ? 0 : -ENOTCONN;
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
  if (done > 0 && !(flags & MSG_PEEK))
    tcp_ack_drained(ts);
  net_lock_release_flush();
  mutex_unlock(&s->rx_lock);
  if (done > 0)
    return done;
  return err;
}
