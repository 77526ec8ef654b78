/*
 * unix_io.c — sending and receiving on AF_UNIX sockets: sendmsg builds a
 * message (data and ancillary data, no lock held) and queues it on the
 * receiver; recvmsg takes messages off the socket's own queue (stream
 * reads may take part of one), delivering ancillary data.
 *
 * Layer: net, a protocol under the SocketTable (net/socket.c), reached
 * through unix_ops (net/unix.c). Uses net/unix_msg.c (names, messages)
 * and net/unix_scm.c (SCM_RIGHTS, SCM_CREDENTIALS), never net/unix.c.
 *
 * Locks: unix_lock (net/unix_priv.h) around queue and peer changes, never
 * while copying user memory or sleeping; a writer waiting for room sleeps
 * on unix_space_wq, a reader on its socket's wait queue.
 */
#include "net/socket.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "fs/inode.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include <string.h>

#include "net/unix_priv.h"

/* ---- sending ---- */

/* Where a message of ours goes, and whether it may go now. unix_lock held.
 * Returns the receiver, or NULL with *err set (-EAGAIN: no room yet). */
static struct unix_sock *send_target(struct unix_sock *u, const struct sockaddr_un *sun,
                                     int namelen, struct inode *ino, bool named, size_t len,
                                     int *err)
{
  struct unix_sock *t;
  *err = 0;
  if (u->shutdown & SEND_SHUTDOWN) {
    *err = -EPIPE;
    return NULL;
  }
  if (connection_based(u)) {
    if (u->state != US_CONNECTED) {
      *err = -ENOTCONN;
      return NULL;
    }
    t = u->peer;
    if (!t) {
      *err = -EPIPE;
      return NULL;
    }
  } else if (named) {
    t = unix_find_target(sun, namelen, ino, SOCK_DGRAM);
    if (!t) {
      *err = -ECONNREFUSED;
      return NULL;
    }
  } else {
    t = u->peer;
    if (!t) {
      *err = u->peer_gone ? -ECONNREFUSED : -ENOTCONN;
      if (u->peer_gone) {
        u->peer_gone = false;
        u->state = US_UNCONNECTED;
      }
      return NULL;
    }
  }
  if (!connection_based(u) && t->peer && t->peer != u) {
    *err = -EPERM;  /* it is connected to someone else */
    return NULL;
  }
  if (t->shutdown & RCV_SHUTDOWN) {
    *err = -EPIPE;
    return NULL;
  }
  if (!unix_has_room(t, len)) {
    *err = -EAGAIN;
    return NULL;
  }
  return t;
}

static bool can_send_now(struct unix_sock *u, const struct sockaddr_un *sun, int namelen,
                         struct inode *ino, bool named, size_t len)
{
  int err;
  spin_lock(&unix_lock);
  send_target(u, sun, namelen, ino, named, len, &err);
  spin_unlock(&unix_lock);
  return err != -EAGAIN;
}

ssize_t unix_sendmsg(struct socket *s, struct uio *uio, struct sock_msg *m, int flags,
                     bool nonblock)
{
  struct unix_sock *u = unix_of(s);
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  struct sockaddr_un sun;
  int namelen = 0;
  struct inode *ino = NULL;
  bool named = false;
  int r;
  if (m->addrlen > 0 && !connection_based(u)) {
    r = unix_resolve_name(&m->addr, m->addrlen, &sun, &namelen, &ino);
    if (r)
      return r;
    named = true;
  } else if (m->addrlen > 0 && READ_ONCE(u->state) != US_CONNECTED) {
    return -EOPNOTSUPP;  /* a connection-based socket sends only to its peer */
  }
  if (!is_stream(u) && uio->resid > (size_t)s->sndbuf - 32) {
    if (ino)
      iput(ino);
    return -EMSGSIZE;
  }
  if (is_stream(u) && uio->resid == 0) {
    if (ino)
      iput(ino);
    return 0;
  }
  struct scm scm;
  r = unix_scm_parse(m, &scm);
  if (r) {
    if (ino)
      iput(ino);
    return r;
  }
  uint64_t timeout = nonblock ? 0 : s->sndtimeo_ns;
  mutex_lock(&s->tx_lock);
  ssize_t done = 0;
  long err = 0;
  bool first = true;
  struct unix_msg *pend = NULL;   /* copied in, not yet queued */
  while (first || uio->resid > 0 || pend) {
    if (!pend) {
      size_t n = is_stream(u) ? MIN(uio->resid, (size_t)UNIX_MSG_MAX) : uio->resid;
      /* wait for room before copying, so a full receiver costs no copy */
      long w = wait_event(&unix_space_wq, can_send_now(u, &sun, namelen, ino, named, n), timeout);
      if (w) {
        err = sock_wait_error(w, timeout);
        break;
      }
      pend = unix_msg_alloc(n);
      if (!pend) {
        err = -ENOBUFS;
        break;
      }
      if (n && uio_copy_from(uio, pend->data, n) != (long)n) {
        kfree(pend);
        pend = NULL;
        err = -EFAULT;
        break;
      }
      if (first) {  /* descriptors and credentials ride on the first message */
        pend->files = scm.files;
        pend->nfiles = scm.nfiles;
        if (pend->nfiles)
          __atomic_add_fetch(&unix_msgs_with_files, 1, __ATOMIC_RELAXED);
        scm.files = NULL;
        scm.nfiles = 0;
        if (scm.has_cred)
          pend->cred = scm.cred;
        first = false;
      }
    }
    spin_lock(&unix_lock);
    int e;
    struct unix_sock *t = send_target(u, &sun, namelen, ino, named, pend->len, &e);
    struct socket *ts = NULL;
    if (t) {
      if (!connection_based(u) && u->addr) {
        pend->from = u->addr;
        unix_addr_get(pend->from);
      }
      done += pend->len;
      unix_queue_msg(t, pend);
      pend = NULL;
      ts = t->sock;
      sock_wake(ts, POLLIN | POLLRDNORM);
    }
    spin_unlock(&unix_lock);
    if (ts)
      continue;
    if (e != -EAGAIN) {
      err = e;
      break;
    }
    /* someone else took the room: wait again with the message in hand */
    long w = wait_event(&unix_space_wq, can_send_now(u, &sun, namelen, ino, named, pend->len),
                        timeout);
    if (w) {
      err = sock_wait_error(w, timeout);
      break;
    }
  }
  mutex_unlock(&s->tx_lock);
  if (pend)
    unix_msg_free(pend);
  unix_scm_release(&scm);
  if (ino)
    iput(ino);
  if (done > 0 || (!err && !is_stream(u)))
    return done;
  return err;
}

/* ---- receiving ---- */

static bool can_recv(struct unix_sock *u)
{
  return READ_ONCE(u->rx_head) || (READ_ONCE(u->shutdown) & RCV_SHUTDOWN) || READ_ONCE(u->err) ||
         (connection_based(u) && READ_ONCE(u->state) != US_CONNECTED);
}

/* After taking messages off our queue: wake writers waiting for room. */
static void room_made(struct unix_sock *u)
{
  spin_lock(&unix_lock);
  struct unix_sock *p = u->peer;
  struct socket *ps = p ? p->sock : NULL;
  if (ps)
    sock_wake(ps, POLLOUT | POLLWRNORM);
  spin_unlock(&unix_lock);
  wake_up(&unix_space_wq);
}

ssize_t unix_recvmsg(struct socket *s, struct uio *uio, struct sock_msg *sm, int flags,
                     bool nonblock)
{
  struct unix_sock *u = unix_of(s);
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  /* never connected (or listening): a stream socket says EINVAL, a
   * seqpacket one ENOTCONN (Linux's unix_stream_read_generic and
   * unix_seqpacket_recvmsg) */
  if (connection_based(u) && READ_ONCE(u->state) != US_CONNECTED && !READ_ONCE(u->rx_head))
    return is_stream(u) ? -EINVAL : -ENOTCONN;
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  size_t target = (flags & MSG_WAITALL) && is_stream(u) ? uio->resid : 1;
  size_t cused = 0;
  if (mutex_lock_interruptible(&s->rx_lock))
    return -EINTR;
  ssize_t done = 0;
  long err = 0;
  bool peek = flags & MSG_PEEK;
  for (;;) {
    spin_lock(&unix_lock);
    struct unix_msg *m = u->rx_head;
    if (!m) {
      bool eof = (u->shutdown & RCV_SHUTDOWN) || (connection_based(u) && u->state != US_CONNECTED);
      int e = u->err;
      if (!done && e) {
        u->err = 0;
        err = -e;
      }
      spin_unlock(&unix_lock);
      if ((size_t)done >= target || eof || err)
        break;
      long w = wait_event(&s->wq, can_recv(u), done ? (nonblock ? 0 : timeout) : timeout);
      if (w) {
        err = sock_wait_error(w, timeout);
        break;
      }
      continue;
    }
    /* A stream read does not merge messages that carry descriptors. */
    bool stop = is_stream(u) && done && m->nfiles;
    spin_unlock(&unix_lock);
    if (stop)
      break;
    /* Only readers (serialised by rx_lock) remove messages: m stays ours. */
    size_t avail = m->len - m->off;
    size_t n = MIN(avail, uio->resid);
    /* All of it or nothing, as Linux copies a message (an skb): a
     * buffer that cannot take it leaves it queued (EFAULT, unless
     * something came before). */
    long c = n ? uio_copy_to(uio, m->data + m->off, n) : 0;
    if (c < (long)n) {
      if (!done)
        err = -EFAULT;
      break;
    }
    done += c;
    if (!is_stream(u) && m->from && !sm->addrlen) {  /* an unnamed sender: no address */
      memcpy(&sm->addr, &m->from->sun, m->from->len);
      sm->addrlen = m->from->len;
    }
    if (!peek)
      unix_scm_deliver(sm, m, s->passcred, flags, &cused);
    else if (s->passcred && sm->control)
      unix_scm_put_cred(sm, m, &cused);
    if (!is_stream(u)) {
      if ((size_t)c < avail)
        sm->flags_out |= MSG_TRUNC;  /* the rest of the message is dropped */
      if (flags & MSG_TRUNC)
        done = (ssize_t)avail;
    }
    if (!peek) {
      bool whole = !is_stream(u) || (size_t)c == avail;
      spin_lock(&unix_lock);
      if (whole) {
        u->rx_head = m->next;
        if (!u->rx_head)
          u->rx_tail = NULL;
        u->rx_bytes -= avail;
        u->rx_count--;
      } else {
        m->off += c;
        u->rx_bytes -= c;
      }
      spin_unlock(&unix_lock);
      if (whole)
        unix_msg_free(m);
      room_made(u);
    }
    if (!is_stream(u) || peek || !uio->resid || (size_t)c < n)
      break;
  }
  mutex_unlock(&s->rx_lock);
  sm->control_used = cused;
  if (done > 0 || (!err && done == 0))
    return done;
  return err;
}
