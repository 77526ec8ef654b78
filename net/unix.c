/*
 * unix.c — AF_UNIX sockets: stream, datagram and seqpacket, named by a path
 * in the file system (a socket inode made with mknod) or by an abstract
 * name (sun_path[0] == 0), or unnamed (socketpair), with descriptor passing
 * (SCM_RIGHTS) and credentials (SCM_CREDENTIALS, SO_PEERCRED).
 *
 * Layer: a protocol under the SocketTable (net/socket.c); it does not use
 * lwIP. Data moves in "messages" (struct unix_msg): a writer copies user
 * data into a new message (no lock held: user memory may fault), then
 * appends it to the peer's receive queue under unix_lock. A reader takes
 * messages off its own queue. Stream writes are cut into messages of at
 * most UNIX_MSG_MAX bytes and a reader may take part of one; datagram and
 * seqpacket messages are read whole (the rest is dropped, MSG_TRUNC).
 * Descriptors in flight are struct file references carried by the message;
 * the reader installs them in its own descriptor table.
 *
 * Shutdown bits follow Linux: shutdown(SHUT_WR) here is the peer's
 * RCV_SHUTDOWN (it reads EOF after the queue), and closing a stream socket
 * sets both bits on its peer.
 *
 * Locks: unix_lock (spinlock) protects every unix_sock's queues, peer
 * pointers, states and the name table; it is never held while touching
 * user memory, sleeping, or dropping a file reference (fput may close
 * another unix socket). Cross-socket pointers (peer, the listener's queue)
 * are only followed under unix_lock, and release clears them under it.
 * The sock_ops functions follow the contracts in net/socket.h.
 *
 * This file: creation and pairs, bind/listen/connect/accept, readiness,
 * shutdown, options, release, the operations table and the collector's
 * entry (unix_gc). Below it: net/unix_msg.c (names and messages),
 * net/unix_scm.c (ancillary data), net/unix_io.c (sending and receiving,
 * named by the operations table), net/unix_gc.c (finding sockets only
 * messages in flight hold); what they share is net/unix_priv.h.
 */
#include "net/socket.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include <string.h>

#include "net/unix_priv.h"

static const struct sock_ops unix_ops;
static unsigned autobind_next;                  /* unix_lock */

/* SO_PEERCRED: the effective ids at connect/listen/socketpair time. */
static void current_peer_ucred(struct ucred *c)
{
  const struct cred *cr = current_cred();
  c->pid = current->proc->pid;
  c->uid = cr->euid;
  c->gid = cr->egid;
}

/* ---- collecting sockets in flight (net/unix_gc.c finds them) ---- */

static void msg_free_list(struct unix_msg *m)
{
  while (m) {
    struct unix_msg *next = m->next;
    unix_msg_free(m);
    m = next;
  }
}

/*
 * Collect the sockets that only messages in flight hold (net/unix_gc.c
 * finds them and takes their queues off) and free what they held. No
 * lock held; a collection does not start inside another.
 */
void unix_gc(void)
{
  struct unix_msg *garbage;
  if (!unix_gc_collect(&garbage))
    return;
  if (garbage)
    printk(LOG_DEBUG, "unix_gc: freeing the queues of unreachable sockets in flight");
  msg_free_list(garbage); /* releases the garbage sockets (their unix_gc calls return at once) */
  unix_gc_done();
}

/*
 * Descriptors were closed (close(), exit, exec's close-on-exec): the last
 * one of a socket in flight may have been among them, which a collection
 * at the next release would only find later. fs/file.c calls this (a weak
 * no-op there when Kite is built without the network).
 */
void unix_gc_after_close(void)
{
  if (READ_ONCE(unix_msgs_with_files))
    unix_gc();
}

/* ---- creation and pairs ---- */

static struct unix_sock *unix_sock_new(struct socket *s, int type)
{
  struct unix_sock *u = kzalloc(sizeof(*u));
  if (!u)
    return NULL;
  u->sock = s;
  u->type = type;
  current_peer_ucred(&u->owncred);
  u->peercred.pid = 0;
  u->peercred.uid = u->peercred.gid = (uint32_t)-1;
  s->proto = u;
  s->ops = &unix_ops;
  s->rcvbuf = s->sndbuf = 212992;
  spin_lock(&unix_lock);
  list_add_tail(&u->all_link, &unix_all);
  spin_unlock(&unix_lock);
  return u;
}

int unix_create(struct socket *s, int type, int protocol)
{
  if (protocol != 0 && protocol != AF_UNIX)
    return -EPROTONOSUPPORT;
  if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
    return -ESOCKTNOSUPPORT;
  return unix_sock_new(s, type) ? 0 : -ENOBUFS;
}

int unix_socketpair(struct socket *a, struct socket *b)
{
  struct unix_sock *ua = unix_of(a), *ub = unix_of(b);
  spin_lock(&unix_lock);
  ua->peer = ub;
  ub->peer = ua;
  ua->state = ub->state = US_CONNECTED;
  ua->peercred = ub->owncred;
  ub->peercred = ua->owncred;
  spin_unlock(&unix_lock);
  return 0;
}

/* ---- bind, listen, connect, accept ---- */

static int unix_bind(struct socket *s, const struct sockaddr_storage *ss, int len)
{
  struct unix_sock *u = unix_of(s);
  struct sockaddr_un sun;
  int namelen;
  int r = unix_parse_sun(ss, len, &sun, &namelen);
  if (r)
    return r;
  if (READ_ONCE(u->addr))
    return -EINVAL;
  struct unix_addr *a = kzalloc(sizeof(*a));
  if (!a)
    return -ENOMEM;
  a->refs = 1;
  a->sun = sun;
  if (namelen == 0) {  /* autobind: an abstract name of 5 hex digits */
    spin_lock(&unix_lock);
    for (int tries = 0; tries < 0x100000; tries++) {
      char name[8];
      name[0] = 0;
      snprintf(name + 1, 7, "%05x", autobind_next++ & 0xfffff);
      if (!unix_find_abstract(name, 6, -1)) {
        memcpy(a->sun.sun_path, name, 6);
        break;
      }
    }
    spin_unlock(&unix_lock);
    a->len = 2 + 6;
  } else if (sun.sun_path[0] == 0) {
    a->len = 2 + namelen;
  } else {
    r = do_mknodat(AT_FDCWD, sun.sun_path, S_IFSOCK | 0777, 0);
    if (r) {
      kfree(a);
      return r == -EEXIST ? -EADDRINUSE : r;
    }
    struct path p;
    r = path_lookup(AT_FDCWD, sun.sun_path, 0, &p);
    if (r) {
      kfree(a);
      return r;
    }
    a->inode = p.dentry->inode;
    iget(a->inode);
    path_put(&p);
    a->len = 2 + namelen + 1;  /* Linux counts the path's NUL */
  }
  spin_lock(&unix_lock);
  if (u->addr) {
    r = -EINVAL;
  } else if (!a->inode && unix_find_abstract(a->sun.sun_path, a->len - 2, -1)) {
    r = -EADDRINUSE;
  } else {
    u->addr = a;
    u->bound = true;
    a = NULL;
  }
  spin_unlock(&unix_lock);
  if (a) {
    if (a->inode)
      iput(a->inode);
    kfree(a);
  }
  return r;
}

static int unix_listen(struct socket *s, int backlog)
{
  struct unix_sock *u = unix_of(s);
  if (!connection_based(u))
    return -EOPNOTSUPP;
  int r = 0;
  spin_lock(&unix_lock);
  if (!u->addr || u->state == US_CONNECTED) {
    r = -EINVAL;
  } else {
    u->state = US_LISTEN;
    u->backlog = backlog;
    current_peer_ucred(&u->owncred);
  }
  spin_unlock(&unix_lock);
  if (!r)
    sock_wake(s, POLLIN);
  return r;
}

static int unix_connect_stream(struct unix_sock *u, const struct sockaddr_storage *ss, int len,
                               bool nonblock)
{
  struct socket *s = u->sock;
  struct sockaddr_un sun;
  int namelen;
  struct inode *ino;
  int r = unix_resolve_name(ss, len, &sun, &namelen, &ino);
  if (r)
    return r;
  /* The server side of the connection, made before we know it is needed. */
  struct socket *cs = sock_alloc(AF_UNIX, u->type, 0);
  struct unix_sock *cu = cs ? unix_sock_new(cs, u->type) : NULL;
  if (!cu) {
    if (cs)
      sock_free(cs);
    if (ino)
      iput(ino);
    return -ENOBUFS;
  }
  uint64_t timeout = nonblock ? 0 : s->sndtimeo_ns;
  for (;;) {
    spin_lock(&unix_lock);
    struct unix_sock *l = unix_find_target(&sun, namelen, ino, u->type);
    if (u->state == US_CONNECTED) {
      r = -EISCONN;
    } else if (u->state == US_LISTEN) {
      r = -EINVAL;
    } else if (!l || l->state != US_LISTEN) {
      r = -ECONNREFUSED;
    } else if (l->acc_count > l->backlog) {
      r = -EAGAIN;  /* full: wait below */
    } else {
      u->peer = cu;
      cu->peer = u;
      u->state = cu->state = US_CONNECTED;
      cu->addr = l->addr;
      unix_addr_get(cu->addr);
      cu->owncred = l->owncred;
      current_peer_ucred(&cu->peercred);
      u->peercred = l->owncred;
      cu->sock->passcred = l->sock->passcred;
      if (l->acc_tail)
        l->acc_tail->acc_next = cu;
      else
        l->acc_head = cu;
      l->acc_tail = cu;
      l->acc_count++;
      r = 0;
      spin_unlock(&unix_lock);
      sock_wake(l->sock, POLLIN | POLLRDNORM);
      break;
    }
    spin_unlock(&unix_lock);
    if (r != -EAGAIN)
      break;
    long w = wait_event(&unix_space_wq, ({
      spin_lock(&unix_lock);
      struct unix_sock *t = unix_find_target(&sun, namelen, ino, u->type);
      bool ok = !t || t->state != US_LISTEN || t->acc_count <= t->backlog;
      spin_unlock(&unix_lock);
      ok;
    }), timeout);
    if (w) {
      r = sock_wait_error(w, timeout);
      break;
    }
  }
  if (ino)
    iput(ino);
  if (r) {  /* the server side was not needed */
    spin_lock(&unix_lock);
    list_del(&cu->all_link);
    spin_unlock(&unix_lock);
    kfree(cu);
    sock_free(cs);
  }
  return r;
}

static int unix_connect(struct socket *s, const struct sockaddr_storage *ss, int len, bool nonblock)
{
  struct unix_sock *u = unix_of(s);
  if (connection_based(u))
    return unix_connect_stream(u, ss, len, nonblock);
  /* datagram: remember a default destination (AF_UNSPEC forgets it) */
  if (len >= 2 && ss->ss_family == AF_UNSPEC) {
    spin_lock(&unix_lock);
    u->peer = NULL;
    u->peer_gone = false;
    u->state = US_UNCONNECTED;
    spin_unlock(&unix_lock);
    return 0;
  }
  struct sockaddr_un sun;
  int namelen;
  struct inode *ino;
  int r = unix_resolve_name(ss, len, &sun, &namelen, &ino);
  if (r)
    return r;
  spin_lock(&unix_lock);
  struct unix_sock *t = unix_find_target(&sun, namelen, ino, SOCK_DGRAM);
  if (!t) {
    r = -ECONNREFUSED;
  } else {
    u->peer = t;
    u->peer_gone = false;
    u->state = US_CONNECTED;
    u->peercred = t->owncred;
  }
  spin_unlock(&unix_lock);
  if (ino)
    iput(ino);
  return r;
}

static int unix_accept(struct socket *s, struct socket **child, bool nonblock)
{
  struct unix_sock *u = unix_of(s);
  if (!connection_based(u))
    return -EOPNOTSUPP;
  if (READ_ONCE(u->state) != US_LISTEN)
    return -EINVAL;
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  for (;;) {
    long w = wait_event(&s->wq, READ_ONCE(u->acc_head) || READ_ONCE(u->state) != US_LISTEN, timeout);
    if (w)
      return sock_wait_error(w, timeout);
    spin_lock(&unix_lock);
    struct unix_sock *c = u->acc_head;
    if (u->state != US_LISTEN) {
      spin_unlock(&unix_lock);
      return -EINVAL;
    }
    if (!c) {
      spin_unlock(&unix_lock);
      continue;
    }
    u->acc_head = c->acc_next;
    if (!u->acc_head)
      u->acc_tail = NULL;
    u->acc_count--;
    c->acc_next = NULL;
    spin_unlock(&unix_lock);
    wake_up(&unix_space_wq);  /* a connect() may be waiting for room in the queue */
    *child = c->sock;
    return 0;
  }
}

static int unix_getname(struct socket *s, struct sockaddr_storage *ss, int *len, bool peer)
{
  struct unix_sock *u = unix_of(s);
  int r = 0;
  spin_lock(&unix_lock);
  struct unix_addr *a = u->addr;
  if (peer) {
    if (!u->peer)
      r = -ENOTCONN;
    else
      a = u->peer->addr;
  }
  if (!r) {
    memset(ss, 0, sizeof(*ss));
    ss->ss_family = AF_UNIX;
    *len = 2;
    if (a) {
      memcpy(ss, &a->sun, a->len);
      *len = a->len;
    }
  }
  spin_unlock(&unix_lock);
  return r;
}

/* ---- readiness, shutdown, options, release ---- */

static unsigned unix_poll(struct socket *s)
{
  struct unix_sock *u = unix_of(s);
  unsigned mask = 0;
  spin_lock(&unix_lock);
  if (u->state == US_LISTEN) {
    mask = u->acc_head ? POLLIN | POLLRDNORM : 0;
    spin_unlock(&unix_lock);
    return mask;
  }
  if (u->err)
    mask |= POLLERR;
  if (u->shutdown == SHUTDOWN_MASK)
    mask |= POLLHUP;
  if (u->shutdown & RCV_SHUTDOWN)
    mask |= POLLRDHUP | POLLIN | POLLRDNORM;
  if (u->rx_head)
    mask |= POLLIN | POLLRDNORM;
  if (connection_based(u) && u->state != US_CONNECTED)
    mask |= POLLHUP;
  bool writable;
  if (connection_based(u))
    writable = !u->peer || unix_has_room(u->peer, 1);  /* no peer: writes fail at once */
  else
    writable = !u->peer || unix_has_room(u->peer, 1);
  if (writable)
    mask |= POLLOUT | POLLWRNORM;
  spin_unlock(&unix_lock);
  return mask;
}

static int unix_shutdown(struct socket *s, int how)
{
  struct unix_sock *u = unix_of(s);
  int mode = (how == SHUT_RD ? RCV_SHUTDOWN : how == SHUT_WR ? SEND_SHUTDOWN : SHUTDOWN_MASK);
  struct socket *ps = NULL;
  spin_lock(&unix_lock);
  if (connection_based(u) && u->state != US_CONNECTED) {
    spin_unlock(&unix_lock);
    return -ENOTCONN;
  }
  u->shutdown |= mode;
  struct unix_sock *p = u->peer;
  if (p && connection_based(u)) {
    if (mode & SEND_SHUTDOWN)
      p->shutdown |= RCV_SHUTDOWN;
    if (mode & RCV_SHUTDOWN)
      p->shutdown |= SEND_SHUTDOWN;
    ps = p->sock;
  }
  if (ps)
    sock_wake(ps, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  spin_unlock(&unix_lock);
  sock_wake(s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  wake_up(&unix_space_wq);
  return 0;
}

static int unix_getsockopt(struct socket *s, int level, int name, void *val, unsigned *len)
{
  struct unix_sock *u = unix_of(s);
  if (level != SOL_SOCKET)
    return -EOPNOTSUPP;
  int v;
  switch (name) {
  case SO_PEERCRED: {
    struct ucred c;
    spin_lock(&unix_lock);
    c = u->peercred;
    spin_unlock(&unix_lock);
    c.pid = c.pid ? pid_vnr_stored(c.pid) : 0; /* kept global: as the caller's pid namespace numbers it */
    *len = MIN(*len, sizeof(c));
    memcpy(val, &c, *len);
    return 0;
  }
  case SO_ERROR:
    spin_lock(&unix_lock);
    v = u->err;
    u->err = 0;
    spin_unlock(&unix_lock);
    break;
  case SO_ACCEPTCONN:
    v = READ_ONCE(u->state) == US_LISTEN;
    break;
  default:
    return -ENOPROTOOPT;
  }
  *len = MIN(*len, sizeof(int));
  memcpy(val, &v, *len);
  return 0;
}

static int unix_ioctl(struct socket *s, unsigned cmd, uint64_t arg)
{
  struct unix_sock *u = unix_of(s);
  int v;
  spin_lock(&unix_lock);
  if (cmd == SIOCINQ) {
    if (u->state == US_LISTEN)
      v = -1;
    else if (is_stream(u))
      v = (int)MIN(u->rx_bytes, (size_t)INT32_MAX);
    else
      v = u->rx_head ? (int)u->rx_head->len : 0;
  } else if (cmd == SIOCOUTQ) {
    v = 0;
  } else {
    spin_unlock(&unix_lock);
    return -ENOTTY;
  }
  spin_unlock(&unix_lock);
  if (v < 0)
    return -EINVAL;
  return copyout(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* Take u out of every structure; returns what must be freed without the lock. unix_lock held. */
static struct unix_msg *unix_unlink_locked(struct unix_sock *u, struct inode **ino,
                                           struct unix_sock **pending)
{
  list_del(&u->all_link);
  bool unread = u->rx_head != NULL;
  struct unix_sock *x;
  list_for_each_entry(x, &unix_all, all_link) {
    if (x->peer != u)
      continue;
    x->peer = NULL;
    if (connection_based(x)) {
      x->shutdown = SHUTDOWN_MASK;
      if (unread)
        x->err = ECONNRESET;
    } else {
      x->peer_gone = true;
    }
    sock_wake(x->sock, POLLIN | POLLOUT | POLLHUP | POLLRDHUP | POLLERR);
  }
  u->peer = NULL;
  *pending = u->acc_head;
  u->acc_head = u->acc_tail = NULL;
  struct unix_msg *q = u->rx_head;
  u->rx_head = u->rx_tail = NULL;
  u->rx_bytes = 0;
  *ino = unix_addr_put_locked(u->addr);
  u->addr = NULL;
  return q;
}

static void unix_destroy(struct unix_sock *u);

static void unix_release(struct socket *s)
{
  unix_destroy(unix_of(s));
  s->proto = NULL;
  unix_gc(); /* it may have been the last way into a cycle of sockets in flight */
}

/* Free u (and, for a listener, the connections nobody accepted). */
static void unix_destroy(struct unix_sock *u)
{
  struct inode *ino;
  struct unix_sock *pending;
  spin_lock(&unix_lock);
  struct unix_msg *q = unix_unlink_locked(u, &ino, &pending);
  spin_unlock(&unix_lock);
  wake_up(&unix_space_wq);
  msg_free_list(q);
  if (ino)
    iput(ino);
  while (pending) {
    struct unix_sock *c = pending;
    pending = c->acc_next;
    struct socket *cs = c->sock;
    unix_destroy(c);
    sock_free(cs);
  }
  kfree(u);
}

static const struct sock_ops unix_ops = {
  .bind = unix_bind,
  .connect = unix_connect,
  .listen = unix_listen,
  .accept = unix_accept,
  .sendmsg = unix_sendmsg,
  .recvmsg = unix_recvmsg,
  .getname = unix_getname,
  .shutdown = unix_shutdown,
  .poll = unix_poll,
  .getsockopt = unix_getsockopt,
  .ioctl = unix_ioctl,
  .release = unix_release,
};
