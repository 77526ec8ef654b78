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
#include "fs/vfs.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include <string.h>

#include "net/unix_priv.h"

static struct wait_queue unix_space_wq = WAIT_QUEUE_INIT(unix_space_wq);  /* room appeared */
static const struct sock_ops unix_ops;
static unsigned autobind_next;                  /* unix_lock */

static bool is_stream(struct unix_sock *u)
{
  return u->type == SOCK_STREAM;
}

static bool connection_based(struct unix_sock *u)
{
  return u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET;
}

/* SCM_CREDENTIALS by default: the real ids (scm_send). */
static void current_ucred(struct ucred *c)
{
  const struct cred *cr = current_cred();
  c->pid = current->proc->pid;
  c->uid = cr->uid;
  c->gid = cr->gid;
}

/* SO_PEERCRED: the effective ids at connect/listen/socketpair time. */
static void current_peer_ucred(struct ucred *c)
{
  const struct cred *cr = current_cred();
  c->pid = current->proc->pid;
  c->uid = cr->euid;
  c->gid = cr->egid;
}

/* ---- names ---- */

static void addr_get(struct unix_addr *a)
{
  if (a)
    a->refs++;
}

/* Drop a name reference; returns the inode to iput (outside unix_lock). */
static struct inode *addr_put_locked(struct unix_addr *a)
{
  if (!a || --a->refs > 0)
    return NULL;
  struct inode *ino = a->inode;
  kfree(a);
  return ino;
}

static bool addr_is_abstract(const struct unix_addr *a)
{
  return a->len > 2 && a->sun.sun_path[0] == 0;
}

/* Parse a user sockaddr_un: *path gets a NUL-terminated path, or *abstract
 * the name bytes with *alen their count (including the leading NUL). */
static int parse_sun(const struct sockaddr_storage *ss, int len, struct sockaddr_un *sun, int *namelen)
{
  if (len < (int)sizeof(uint16_t) || len > (int)sizeof(struct sockaddr_un))
    return -EINVAL;
  if (ss->ss_family != AF_UNIX)
    return -EINVAL;
  memset(sun, 0, sizeof(*sun));
  memcpy(sun, ss, len);
  *namelen = len - 2;
  if (*namelen > 0 && sun->sun_path[0] != 0) {
    /* a path: up to the first NUL */
    *namelen = (int)strnlen(sun->sun_path, *namelen);
    if (*namelen >= UNIX_PATH_MAX)
      return -EINVAL;
    sun->sun_path[*namelen] = 0;
  }
  return 0;
}

/* Can u be reached by its name as a `type` socket? (type < 0: any).
 * Only the socket that called bind() owns the name: accepted connections
 * share their listener's name but cannot be found by it. */
static bool name_target(struct unix_sock *u, int type)
{
  if (!u->bound)
    return false;
  if (type < 0)
    return true;
  return u->type == type && (type == SOCK_DGRAM || u->state == US_LISTEN);
}

/* The socket bound to this abstract name. unix_lock held. */
static struct unix_sock *find_abstract(const char *name, int len, int type)
{
  struct unix_sock *u;
  list_for_each_entry(u, &unix_all, all_link) {
    struct unix_addr *a = u->addr;
    if (a && addr_is_abstract(a) && a->len - 2 == len && memcmp(a->sun.sun_path, name, len) == 0 &&
        name_target(u, type))
      return u;
  }
  return NULL;
}

/* The socket bound to this socket file. unix_lock held. */
static struct unix_sock *find_inode(struct inode *ino, int type)
{
  struct unix_sock *u;
  list_for_each_entry(u, &unix_all, all_link)
    if (u->addr && u->addr->inode == ino && name_target(u, type))
      return u;
  return NULL;
}

/*
 * Resolve a destination name. For paths the file system walk happens
 * here (it may sleep); *ino gets the referenced inode (iput it later).
 * Then, under unix_lock, find_target() matches it.
 */
static int resolve_name(const struct sockaddr_storage *ss, int len, struct sockaddr_un *sun,
                        int *namelen, struct inode **ino)
{
  *ino = NULL;
  int r = parse_sun(ss, len, sun, namelen);
  if (r)
    return r;
  if (*namelen == 0)
    return -EINVAL;
  if (sun->sun_path[0] == 0)
    return 0;  /* abstract */
  struct path p;
  r = path_lookup(AT_FDCWD, sun->sun_path, LOOKUP_FOLLOW, &p);
  if (r)
    return r;
  struct inode *i = p.dentry->inode;
  if (!i || !S_ISSOCK(i->mode)) {
    path_put(&p);
    return -ECONNREFUSED;
  }
  iget(i);
  path_put(&p);
  *ino = i;
  return 0;
}

static struct unix_sock *find_target(const struct sockaddr_un *sun, int namelen,
                                     struct inode *ino, int type)
{
  if (ino)
    return find_inode(ino, type);
  return find_abstract(sun->sun_path, namelen, type);
}

/* ---- messages ---- */

static struct unix_msg *msg_alloc(size_t len)
{
  struct unix_msg *m = kmalloc(sizeof(*m) + (len ? len : 1));
  if (!m)
    return NULL;
  memset(m, 0, sizeof(*m));
  m->len = len;
  current_ucred(&m->cred);
  return m;
}

/* Free a message (not on any queue): its name reference and files. No lock held. */
static void msg_free(struct unix_msg *m)
{
  if (m->nfiles)
    __atomic_sub_fetch(&unix_msgs_with_files, 1, __ATOMIC_RELAXED);
  for (int i = 0; i < m->nfiles; i++)
    fput(m->files[i]);
  kfree(m->files);
  if (m->from) {
    spin_lock(&unix_lock);
    struct inode *ino = addr_put_locked(m->from);
    spin_unlock(&unix_lock);
    if (ino)
      iput(ino);
  }
  kfree(m);
}

static void msg_free_list(struct unix_msg *m)
{
  while (m) {
    struct unix_msg *next = m->next;
    msg_free(m);
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

/* Append to u's receive queue. unix_lock held. */
static void queue_msg(struct unix_sock *u, struct unix_msg *m)
{
  m->next = NULL;
  if (u->rx_tail)
    u->rx_tail->next = m;
  else
    u->rx_head = m;
  u->rx_tail = m;
  u->rx_bytes += m->len;
  u->rx_count++;
}

static bool has_room(struct unix_sock *r, size_t want)
{
  if (is_stream(r))
    return r->rx_bytes + MIN(want, (size_t)UNIX_MSG_MAX) <= UNIX_STREAM_LIMIT || r->rx_bytes == 0;
  return r->rx_count < UNIX_DGRAM_QLEN;
}

/* ---- ancillary data ---- */

struct scm {
  struct file **files;
  int nfiles;
  bool has_cred;
  struct ucred cred;
};

static void scm_release(struct scm *scm)
{
  for (int i = 0; i < scm->nfiles; i++)
    fput(scm->files[i]);
  kfree(scm->files);
  scm->files = NULL;
  scm->nfiles = 0;
}

/* Read SCM_RIGHTS and SCM_CREDENTIALS from the user's control buffer. */
static int scm_parse(struct sock_msg *m, struct scm *scm)
{
  memset(scm, 0, sizeof(*scm));
  if (!m->control || m->controllen == 0)
    return 0;
  if (m->controllen > UNIX_CONTROL_MAX)
    return -ENOBUFS;
  size_t n = m->controllen;
  char *buf = kmalloc(n);
  if (!buf)
    return -ENOMEM;
  int r = 0;
  if (copyin(buf, m->control, n)) {
    r = -EFAULT;
    goto out;
  }
  for (size_t off = 0; off + sizeof(struct cmsghdr) <= n;) {
    struct cmsghdr *c = (struct cmsghdr *)(buf + off);
    if (c->cmsg_len < sizeof(*c) || c->cmsg_len > n - off) {
      r = -EINVAL;
      goto out;
    }
    size_t dlen = c->cmsg_len - sizeof(*c);
    void *data = c + 1;
    if (c->cmsg_level != SOL_SOCKET) {
      r = -EINVAL;
      goto out;
    }
    if (c->cmsg_type == SCM_RIGHTS) {
      int count = (int)(dlen / sizeof(int));
      if (scm->files || count <= 0 || count > SCM_MAX_FD) {
        r = -EINVAL;
        goto out;
      }
      scm->files = kzalloc(sizeof(struct file *) * count);
      if (!scm->files) {
        r = -ENOMEM;
        goto out;
      }
      for (int i = 0; i < count; i++) {
        int fd;
        memcpy(&fd, (char *)data + i * sizeof(int), sizeof(int));
        struct file *f = fd_get(fd);
        if (!f) {
          r = -EBADF;
          goto out;
        }
        scm->files[scm->nfiles++] = f;
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      if (dlen < sizeof(struct ucred)) {
        r = -EINVAL;
        goto out;
      }
      memcpy(&scm->cred, data, sizeof(struct ucred));
      /* Claiming other ids needs CAP_SYS_ADMIN (pid), CAP_SETUID, CAP_SETGID
       * (net/core/scm.c scm_check_creds). */
      const struct cred *cr = current_cred();
      if ((scm->cred.pid != current->proc->pid && !capable(CAP_SYS_ADMIN)) ||
          (scm->cred.uid != cr->uid && scm->cred.uid != cr->euid && scm->cred.uid != cr->suid &&
           !capable(CAP_SETUID)) ||
          (scm->cred.gid != cr->gid && scm->cred.gid != cr->egid && scm->cred.gid != cr->sgid &&
           !capable(CAP_SETGID))) {
        r = -EPERM;
        goto out;
      }
      if (scm->cred.pid != current->proc->pid) {
        spin_lock(&proc_lock);
        bool exists = find_process(scm->cred.pid) != NULL;
        spin_unlock(&proc_lock);
        if (!exists) {
          r = -ESRCH;
          goto out;
        }
      }
      scm->has_cred = true;
    } else {
      r = -EINVAL;
      goto out;
    }
    off += CMSG_ALIGN(c->cmsg_len);
  }
out:
  kfree(buf);
  if (r)
    scm_release(scm);
  return r;
}

/* Write one cmsg into the user's control buffer; false if it did not fit. */
static bool put_cmsg(struct sock_msg *m, size_t *used, int type, const void *data, size_t len)
{
  struct cmsghdr c = { CMSG_LEN(len), SOL_SOCKET, type };
  size_t space = CMSG_SPACE(len);
  if (*used + CMSG_LEN(len) > m->controllen)
    return false;
  if (copyout(m->control + *used, &c, sizeof(c)) ||
      copyout(m->control + *used + sizeof(c), data, len))
    return false;
  *used += MIN(space, m->controllen - *used);
  return true;
}

/* Deliver a message's credentials and descriptors to the reader. */
static void scm_deliver(struct sock_msg *sm, struct unix_msg *msg, bool passcred, int flags,
                        size_t *used)
{
  if (passcred && sm->control) {
    if (!put_cmsg(sm, used, SCM_CREDENTIALS, &msg->cred, sizeof(msg->cred)))
      sm->flags_out |= MSG_CTRUNC;
  }
  /* The files leave the message under unix_lock: a collection on another
   * hart (net/unix_gc.c) sees them either in flight or held by us. */
  spin_lock(&unix_lock);
  struct file **files = msg->files;
  int nfiles = msg->nfiles;
  msg->files = NULL;
  msg->nfiles = 0;
  spin_unlock(&unix_lock);
  if (!nfiles)
    return;
  __atomic_sub_fetch(&unix_msgs_with_files, 1, __ATOMIC_RELAXED);
  int fds[SCM_MAX_FD];
  int room = 0;
  if (sm->control && *used + CMSG_LEN(sizeof(int)) <= sm->controllen)
    room = (int)((sm->controllen - *used - sizeof(struct cmsghdr)) / sizeof(int));
  int n = 0;
  for (int i = 0; i < nfiles; i++) {
    struct file *f = files[i];
    if (n < room) {
      int fd = fd_install(f, 0, flags & MSG_CMSG_CLOEXEC);
      if (fd >= 0) {
        fds[n++] = fd;
        continue;
      }
    }
    fput(f);  /* no room, or no descriptor left: the file is dropped */
    sm->flags_out |= MSG_CTRUNC;
  }
  kfree(files);
  if (n)
    put_cmsg(sm, used, SCM_RIGHTS, fds, n * sizeof(int));
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
  int r = parse_sun(ss, len, &sun, &namelen);
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
      if (!find_abstract(name, 6, -1)) {
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
  } else if (!a->inode && find_abstract(a->sun.sun_path, a->len - 2, -1)) {
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
  int r = resolve_name(ss, len, &sun, &namelen, &ino);
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
    struct unix_sock *l = find_target(&sun, namelen, ino, u->type);
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
      addr_get(cu->addr);
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
      struct unix_sock *t = find_target(&sun, namelen, ino, u->type);
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
  int r = resolve_name(ss, len, &sun, &namelen, &ino);
  if (r)
    return r;
  spin_lock(&unix_lock);
  struct unix_sock *t = find_target(&sun, namelen, ino, SOCK_DGRAM);
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
    t = find_target(sun, namelen, ino, SOCK_DGRAM);
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
  if (!has_room(t, len)) {
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

static ssize_t unix_sendmsg(struct socket *s, struct uio *uio, struct sock_msg *m, int flags,
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
    r = resolve_name(&m->addr, m->addrlen, &sun, &namelen, &ino);
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
  r = scm_parse(m, &scm);
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
      pend = msg_alloc(n);
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
        addr_get(pend->from);
      }
      done += pend->len;
      queue_msg(t, pend);
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
    msg_free(pend);
  scm_release(&scm);
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

static ssize_t unix_recvmsg(struct socket *s, struct uio *uio, struct sock_msg *sm, int flags,
                            bool nonblock)
{
  struct unix_sock *u = unix_of(s);
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  if (connection_based(u) && READ_ONCE(u->state) != US_CONNECTED && !READ_ONCE(u->rx_head))
    return -ENOTCONN;  /* never connected (or listening) */
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
      scm_deliver(sm, m, s->passcred, flags, &cused);
    else if (s->passcred && sm->control &&
             !put_cmsg(sm, &cused, SCM_CREDENTIALS, &m->cred, sizeof(m->cred)))
      sm->flags_out |= MSG_CTRUNC;
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
        msg_free(m);
      room_made(u);
    }
    if (!is_stream(u) || peek || !uio->resid || (size_t)c < n)
      break;
  }
  mutex_unlock(&s->rx_lock);
  sm->controllen = cused;
  if (done > 0 || (!err && done == 0))
    return done;
  return err;
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
    writable = !u->peer || has_room(u->peer, 1);  /* no peer: writes fail at once */
  else
    writable = !u->peer || has_room(u->peer, 1);
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
  *ino = addr_put_locked(u->addr);
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
