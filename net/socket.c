/*
 * socket.c — the SocketTable: socket files, the generic SOL_SOCKET
 * options, waiting and waking.
 *
 * Layer: under net/sys_socket.c (argument checking) and fs/ (read, write,
 * poll and close arrive here through file_ops), above the protocols. A
 * socket file is an anonymous file, like a pipe: an inode of the sockfs
 * pseudo file system (mode S_IFSOCK, so fstat and /proc/<pid>/fd show a
 * socket) and f->priv = the struct socket.
 *
 * Locks: socket_table.lock (spinlock) protects the table's list and count.
 */
#include "net/socket.h"
#include "net/netcore.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/poll.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include <string.h>

static struct {
  struct spinlock lock;
  struct list_head all;         /* every live socket */
  int count;
} socket_table = { SPINLOCK_INIT("socket-table"), LIST_HEAD_INIT(socket_table.all), 0 };

static const struct file_ops socket_fops;

/* The pseudo file system socket inodes belong to. */
static struct super_block sockfs_sb = { .magic = 0x534F434B, .next_ino = 1 };

/* Default buffer sizes (what Linux reports for a fresh socket). */
#define SOCK_DEFAULT_RCVBUF 131072
#define SOCK_DEFAULT_SNDBUF 16384

/*
 * A new socket, entered in the SocketTable, with default options and no
 * protocol yet (the caller runs the family's create function). NULL if
 * the table is full or memory is short.
 */
struct socket *sock_alloc(int family, int type, int protocol)
{
  struct socket *s = kzalloc(sizeof(*s));
  if (!s)
    return NULL;
  s->family = family;
  s->type = type;
  s->protocol = protocol;
  wait_queue_init(&s->wq);
  mutex_init(&s->rx_lock, "sock-rx");
  mutex_init(&s->tx_lock, "sock-tx");
  s->rcvtimeo_ns = WAIT_FOREVER;
  s->sndtimeo_ns = WAIT_FOREVER;
  s->rcvbuf = SOCK_DEFAULT_RCVBUF;
  s->sndbuf = SOCK_DEFAULT_SNDBUF;
  s->rcvlowat = 1;
  spin_lock(&socket_table.lock);
  if (socket_table.count >= SOCKET_TABLE_MAX) {
    spin_unlock(&socket_table.lock);
    kfree(s);
    return NULL;
  }
  socket_table.count++;
  list_add_tail(&s->table_link, &socket_table.all);
  spin_unlock(&socket_table.lock);
  return s;
}

/* Remove s from the table and free it. The protocol state is gone already. */
void sock_free(struct socket *s)
{
  spin_lock(&socket_table.lock);
  list_del(&s->table_link);
  socket_table.count--;
  spin_unlock(&socket_table.lock);
  kfree(s);
}

int sock_count(void)
{
  return READ_ONCE(socket_table.count);
}

int sock_install(struct socket *s, int flags)
{
  struct inode *ino = inode_alloc(&sockfs_sb, S_IFSOCK | 0777);
  struct file *f = file_alloc();
  if (!ino || !f) {
    if (ino)
      iput(ino);
    kfree(f);
    if (s->ops && s->ops->release)
      s->ops->release(s);
    sock_free(s);
    return -ENFILE;
  }
  s->ino = ino->ino;
  f->fop = &socket_fops;
  f->inode = ino;
  f->priv = s;
  f->flags = O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  int fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
  if (fd < 0)
    fput(f); /* releases the socket */
  return fd;
}

struct socket *sock_from_file(struct file *f)
{
  return f->fop == &socket_fops ? f->priv : NULL;
}

void sock_wake(struct socket *s, unsigned events)
{
  wake_up_events(&s->wq, events);
}

long sock_wait_error(long w, uint64_t timeout)
{
  if (w == -ETIMEDOUT)
    return -EAGAIN;  /* SO_RCVTIMEO/SO_SNDTIMEO expired: EAGAIN, as Linux */
  if (w == -ERESTARTSYS && timeout != WAIT_FOREVER)
    return -EINTR;   /* Linux does not restart calls with a timeout */
  return w;
}

/* ---- sending and receiving (every path: read/write, send*, recv*) ---- */

ssize_t sock_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  if (!s->ops->sendmsg)
    return -EOPNOTSUPP;
  ssize_t r = s->ops->sendmsg(s, u, m, flags, nonblock || (flags & MSG_DONTWAIT));
  if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
    send_signal_task(current, SIGPIPE, NULL);
  return r;
}

ssize_t sock_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock)
{
  if (!s->ops->recvmsg)
    return -EOPNOTSUPP;
  return s->ops->recvmsg(s, u, m, flags, nonblock || (flags & MSG_DONTWAIT));
}

bool sock_put_cmsg(struct sock_msg *m, size_t *used, int level, int type, const void *data, size_t len)
{
  struct cmsghdr c = { CMSG_LEN(len), level, type };
  size_t space = CMSG_SPACE(len);
  if (*used + CMSG_LEN(len) > m->controllen)
    return false;
  if (copyout(m->control + *used, &c, sizeof(c)) ||
      copyout(m->control + *used + sizeof(c), data, len))
    return false;
  *used += MIN(space, m->controllen - *used);
  return true;
}

/* ---- the socket file ---- */

static ssize_t socket_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct socket *s = f->priv;
  struct sock_msg m;
  memset(&m, 0, sizeof(m));
  return sock_recvmsg(s, u, &m, 0, f->flags & O_NONBLOCK);
}

static ssize_t socket_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct socket *s = f->priv;
  struct sock_msg m;
  memset(&m, 0, sizeof(m));
  return sock_sendmsg(s, u, &m, 0, f->flags & O_NONBLOCK);
}

static unsigned socket_poll(struct file *f, struct poll_table *pt)
{
  struct socket *s = f->priv;
  poll_wait(f, &s->wq, pt);
  return s->ops->poll ? s->ops->poll(s) : 0;
}

static int socket_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct socket *s = f->priv;
  if (ifconf_is_ioctl(cmd))
    return ifconf_ioctl(cmd, arg);
  if (s->ops->ioctl)
    return s->ops->ioctl(s, cmd, arg);
  return -ENOTTY;
}

static void socket_release(struct file *f)
{
  struct socket *s = f->priv;
  if (!s)
    return;
  if (s->ops && s->ops->release)
    s->ops->release(s);
  sock_free(s);
}

static const struct file_ops socket_fops = {
  .read = socket_read,
  .write = socket_write,
  .poll = socket_poll,
  .ioctl = socket_ioctl,
  .release = socket_release,
};

/* ---- SOL_SOCKET options ---- */

/* Linux doubles SO_SNDBUF/SO_RCVBUF values (room for bookkeeping). */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MAX_BUF (4 << 20)

static int timeval_to_ns(const void *val, unsigned len, uint64_t *out)
{
  struct timeval_user tv;
  if (len < sizeof(tv))
    return -EINVAL;
  memcpy(&tv, val, sizeof(tv));
  if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
    return -EDOM;
  if (tv.tv_sec < 0) {
    *out = 1; /* Linux: a negative timeout expires at once (1 ns: EAGAIN) */
    return 0;
  }
  if (tv.tv_sec == 0 && tv.tv_usec == 0) {
    *out = WAIT_FOREVER;
    return 0;
  }
  *out = (uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * NSEC_PER_USEC;
  return 0;
}

static void ns_to_timeval(uint64_t ns, struct timeval_user *tv)
{
  if (ns == WAIT_FOREVER) {
    tv->tv_sec = tv->tv_usec = 0;
    return;
  }
  tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
  tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

/* Store a SOL_SOCKET option. val is a kernel copy of len bytes. */
static int sol_socket_set(struct socket *s, int name, const void *val, unsigned len)
{
  int v = 0;
  if (len >= sizeof(int))
    memcpy(&v, val, sizeof(int));
  bool is_int = len >= sizeof(int);
  switch (name) {
  case SO_RCVTIMEO_OLD:
  case SO_RCVTIMEO_NEW:
    return timeval_to_ns(val, len, &s->rcvtimeo_ns);
  case SO_SNDTIMEO_OLD:
  case SO_SNDTIMEO_NEW:
    return timeval_to_ns(val, len, &s->sndtimeo_ns);
  case SO_LINGER:
    if (len < sizeof(struct linger))
      return -EINVAL;
    memcpy(&s->linger, val, sizeof(struct linger));
    return 0;
  case SO_BINDTODEVICE:
    return 0 == len ? 0 : -EPERM;  /* only "unbind" is allowed */
  }
  if (!is_int)
    return -EINVAL;
  switch (name) {
  case SO_REUSEADDR: s->reuseaddr = v != 0; return 0;
  case SO_REUSEPORT: s->reuseport = v != 0; return 0;
  case SO_KEEPALIVE: s->keepalive = v != 0; return 0;
  case SO_BROADCAST: s->broadcast = v != 0; return 0;
  case SO_OOBINLINE: s->oobinline = v != 0; return 0;
  case SO_PASSCRED: s->passcred = v != 0; return 0;
  case SO_DONTROUTE: s->dontroute = v != 0; return 0;
  case SO_PRIORITY: s->priority = v; return 0;
  case SO_MARK: s->mark = v; return 0;
  case SO_SNDBUF:
  case SO_SNDBUFFORCE:
    s->sndbuf = MAX(MIN(v < 0 ? 0 : v, SOCK_MAX_BUF / 2) * 2, SOCK_MIN_SNDBUF);
    return 0;
  case SO_RCVBUF:
  case SO_RCVBUFFORCE:
    s->rcvbuf = MAX(MIN(v < 0 ? 0 : v, SOCK_MAX_BUF / 2) * 2, SOCK_MIN_RCVBUF);
    return 0;
  case SO_RCVLOWAT:
    s->rcvlowat = v < 1 ? 1 : v;
    return 0;
  case SO_SNDLOWAT:
    return -ENOPROTOOPT; /* Linux: not changeable */
  case SO_DEBUG:
  case SO_TIMESTAMP_OLD:
  case SO_BUSY_POLL:
  case SO_RXQ_OVFL:
    return -ENOPROTOOPT;
  default:
    return -ENOPROTOOPT;
  }
}

/* Read a SOL_SOCKET option into val (*len: in room, out bytes). */
static int sol_socket_get(struct socket *s, int name, void *val, unsigned *len)
{
  int v;
  switch (name) {
  case SO_RCVTIMEO_OLD:
  case SO_RCVTIMEO_NEW:
  case SO_SNDTIMEO_OLD:
  case SO_SNDTIMEO_NEW: {
    struct timeval_user tv;
    bool rcv = name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW;
    ns_to_timeval(rcv ? s->rcvtimeo_ns : s->sndtimeo_ns, &tv);
    *len = MIN(*len, sizeof(tv));
    memcpy(val, &tv, *len);
    return 0;
  }
  case SO_LINGER:
    *len = MIN(*len, sizeof(struct linger));
    memcpy(val, &s->linger, *len);
    return 0;
  case SO_TYPE: v = s->type; break;
  case SO_DOMAIN: v = s->family; break;
  case SO_PROTOCOL: v = s->protocol; break;
  case SO_REUSEADDR: v = s->reuseaddr; break;
  case SO_REUSEPORT: v = s->reuseport; break;
  case SO_KEEPALIVE: v = s->keepalive; break;
  case SO_BROADCAST: v = s->broadcast; break;
  case SO_OOBINLINE: v = s->oobinline; break;
  case SO_PASSCRED: v = s->passcred; break;
  case SO_DONTROUTE: v = s->dontroute; break;
  case SO_PRIORITY: v = s->priority; break;
  case SO_MARK: v = s->mark; break;
  case SO_SNDBUF: v = s->sndbuf; break;
  case SO_RCVBUF: v = s->rcvbuf; break;
  case SO_RCVLOWAT: v = s->rcvlowat; break;
  case SO_SNDLOWAT: v = 1; break;
  case SO_ERROR: v = 0; break;      /* protocols with errors answer first */
  case SO_ACCEPTCONN: v = 0; break; /* likewise for listeners */
  default:
    return -ENOPROTOOPT;
  }
  *len = MIN(*len, sizeof(int));
  memcpy(val, &v, *len);
  return 0;
}

#define SOCKOPT_MAX 256  /* largest option value we copy in or out */

int sock_setsockopt(struct socket *s, int level, int name, uaddr_t uval, unsigned len)
{
  if ((int)len < 0)
    return -EINVAL;
  char buf[SOCKOPT_MAX];
  unsigned n = MIN(len, sizeof(buf));
  if (n && copyin(buf, uval, n))
    return -EFAULT;
  if (level == SOL_SOCKET) {
    int r = sol_socket_set(s, name, buf, n);
    if (r)
      return r;
    /* Let the protocol apply it (SO_KEEPALIVE, SO_REUSEADDR on a pcb, ...). */
    if (s->ops->setsockopt) {
      r = s->ops->setsockopt(s, level, name, buf, n);
      if (r != -ENOPROTOOPT)
        return r;
    }
    return 0;
  }
  if (!s->ops->setsockopt)
    return -ENOPROTOOPT;
  return s->ops->setsockopt(s, level, name, buf, n);
}

int sock_getsockopt(struct socket *s, int level, int name, uaddr_t uval, uaddr_t ulen)
{
  int ilen;
  if (copyin(&ilen, ulen, sizeof(ilen)))
    return -EFAULT;
  if (ilen < 0)
    return -EINVAL;
  char buf[SOCKOPT_MAX];
  memset(buf, 0, sizeof(buf));
  unsigned len = MIN((unsigned)ilen, sizeof(buf));
  int r = -ENOPROTOOPT;
  if (s->ops->getsockopt)
    r = s->ops->getsockopt(s, level, name, buf, &len);
  if (r == -ENOPROTOOPT && level == SOL_SOCKET) {
    len = MIN((unsigned)ilen, sizeof(buf));
    r = sol_socket_get(s, name, buf, &len);
  }
  if (r)
    return r;
  if (copyout(uval, buf, len))
    return -EFAULT;
  ilen = (int)len;
  if (copyout(ulen, &ilen, sizeof(ilen)))
    return -EFAULT;
  return 0;
}
