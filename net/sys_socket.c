/*
 * sys_socket.c — the socket system calls: fetch and check the arguments,
 * then call the socket's protocol through struct sock_ops (net/socket.h).
 * No protocol logic lives here (OpenBSD's uipc_syscalls.c shape).
 *
 * User memory is reached only through copyin/copyout and struct uio.
 * Addresses are copied into a kernel sockaddr_storage on the way in and
 * out of one on the way back (truncated to the caller's buffer, with the
 * real length reported, as Linux does). Each sys_<name> is the Linux system
 * call of that name: its result, or a negative errno.
 *
 * Layer: system calls. Below: net/socket.c (the socket table, sock_*
 * calls), fs/fdtable.h and fs/file.h (socket descriptors), kern/uio.c.
 *
 * Locks: none held on entry or exit; each call holds a reference to its
 * socket's file for its duration, and the protocols take their own
 * (rx_lock, tx_lock, net_lock).
 */
#include "net/socket.h"
#include "net/netcore.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include "fs/fs_abi.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include <string.h>

#define SOMAXCONN 4096

/* The socket behind descriptor fd, with a reference on its file (*fp). */
static struct socket *get_sock(int fd, struct file **fp, long *err)
{
  struct file *f = fd_get(fd);
  if (!f) {
    *err = -EBADF;
    return NULL;
  }
  struct socket *s = sock_from_file(f);
  if (!s) {
    fput(f);
    *err = -ENOTSOCK;
    return NULL;
  }
  *fp = f;
  return s;
}

/* Copy a user sockaddr of len bytes into *ss. */
static long addr_from_user(struct sockaddr_storage *ss, uaddr_t uaddr, int len)
{
  if (len < 0 || (size_t)len > sizeof(*ss))
    return -EINVAL;
  memset(ss, 0, sizeof(*ss));
  if (len && copyin(ss, uaddr, len))
    return -EFAULT;
  return 0;
}

/*
 * Copy a kernel address out (Linux's move_addr_to_user): read *ulen (so a
 * NULL or bad ulen is EFAULT), copy at most that many bytes of the
 * address, then store its real length in *ulen.
 */
static long addr_to_user(const struct sockaddr_storage *ss, int len, uaddr_t uaddr, uaddr_t ulen)
{
  int room;
  if (copyin(&room, ulen, sizeof(room)))
    return -EFAULT;
  if (room > len)
    room = len;
  if (room < 0)
    return -EINVAL;
  if (room > 0 && copyout(uaddr, ss, room))
    return -EFAULT;
  if (copyout(ulen, &len, sizeof(len)))
    return -EFAULT;
  return 0;
}

static long check_type_flags(int type)
{
  return (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) ? -EINVAL : 0;
}

typedef int (*create_fn)(struct socket *s, int type, int protocol);

/* The family's create function, or NULL if Kite has no such family. */
static create_fn family_create(int family)
{
  switch (family) {
  case AF_INET:
  case AF_INET6:
    return inet_create;
  case AF_UNIX:
    return unix_create;
  case AF_NETLINK:
    return rtnetlink_create;
  default:
    return NULL;
  }
}

/* A new socket of (family, type, protocol) with its protocol state. */
static long make_socket(int family, int type, int protocol, struct socket **out)
{
  if (family < 0 || family >= AF_MAX)
    return -EAFNOSUPPORT;
  if ((type & SOCK_TYPE_MASK) < SOCK_STREAM || (type & SOCK_TYPE_MASK) > SOCK_SEQPACKET)
    return -EINVAL;
  create_fn create = family_create(family);
  if (!create)
    return -EAFNOSUPPORT;
  if (family != AF_UNIX && net_start()) /* lwIP's families: the stack starts on first use */
    return -ENOMEM;                     /* (net/netcore.c) */
  struct socket *s = sock_alloc(family, type & SOCK_TYPE_MASK, protocol);
  if (!s)
    return -ENOBUFS;
  int r = create(s, type & SOCK_TYPE_MASK, protocol);
  if (r) {
    sock_free(s);
    return r;
  }
  *out = s;
  return 0;
}

/* Undo make_socket for a socket no file holds yet: its protocol, then its slot. */
static void unmake_socket(struct socket *s)
{
  s->ops->release(s);
  sock_free(s);
}

long sys_socket(int domain, int type, int protocol)
{
  long r = check_type_flags(type);
  if (r)
    return r;
  struct socket *s;
  r = make_socket(domain, type, protocol, &s);
  if (r)
    return r;
  return sock_install(s, type);
}

long sys_socketpair(int domain, int type, int protocol, uaddr_t usv)
{
  long r = check_type_flags(type);
  if (r)
    return r;
  struct socket *a, *b;
  if (domain != AF_UNIX) {
    /* Linux makes the socket first (so the type and protocol are checked),
     * then finds the family has no socketpair */
    if (!family_create(domain))
      return -EAFNOSUPPORT;
    r = make_socket(domain, type, protocol, &a);
    if (r)
      return r;
    unmake_socket(a);
    return -EOPNOTSUPP;
  }
  r = make_socket(domain, type, protocol, &a);
  if (r)
    return r;
  r = make_socket(domain, type, protocol, &b);
  if (r) {
    unmake_socket(a);
    return r;
  }
  r = unix_socketpair(a, b);
  if (r) {
    unmake_socket(a);
    unmake_socket(b);
    return r;
  }
  int fds[2];
  fds[0] = sock_install(a, type);
  if (fds[0] < 0) {
    unmake_socket(b);
    return fds[0];
  }
  fds[1] = sock_install(b, type);
  if (fds[1] < 0) {
    fd_close(fds[0]);
    return fds[1];
  }
  if (copyout(usv, fds, sizeof(fds))) {
    fd_close(fds[0]);
    fd_close(fds[1]);
    return -EFAULT;
  }
  return 0;
}

long sys_bind(int fd, uaddr_t uaddr, int addrlen)
{
  struct sockaddr_storage ss;
  long r = addr_from_user(&ss, uaddr, addrlen);
  if (r)
    return r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = s->ops->bind ? s->ops->bind(s, &ss, addrlen) : -EOPNOTSUPP;
  fput(f);
  return r;
}

long sys_listen(int fd, int backlog)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  if ((unsigned)backlog > SOMAXCONN)
    backlog = SOMAXCONN;  /* negative too, as Linux */
  r = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
  fput(f);
  return r;
}

long sys_accept4(int fd, uaddr_t uaddr, uaddr_t uaddrlen, int flags)
{
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
    return -EINVAL;
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  struct socket *child = NULL;
  r = s->ops->accept ? s->ops->accept(s, &child, f->flags & O_NONBLOCK) : -EOPNOTSUPP;
  fput(f);
  if (r)
    return r;
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  memset(&ss, 0, sizeof(ss));
  if (child->ops->getname && child->ops->getname(child, &ss, &len, true))
    len = 0;
  int nfd = sock_install(child, flags);
  if (nfd < 0)
    return nfd;
  r = uaddr ? addr_to_user(&ss, len, uaddr, uaddrlen) : 0;
  if (r) {
    fd_close(nfd);
    return r;
  }
  return nfd;
}

long sys_accept(int fd, uaddr_t uaddr, uaddr_t uaddrlen)
{
  return sys_accept4(fd, uaddr, uaddrlen, 0);
}

long sys_connect(int fd, uaddr_t uaddr, int addrlen)
{
  struct sockaddr_storage ss;
  long r = addr_from_user(&ss, uaddr, addrlen);
  if (r)
    return r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = s->ops->connect ? s->ops->connect(s, &ss, addrlen, f->flags & O_NONBLOCK) : -EOPNOTSUPP;
  fput(f);
  return r;
}

static long getname(int fd, uaddr_t uaddr, uaddr_t ulen, bool peer)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  int len = sizeof(ss);
  r = s->ops->getname ? s->ops->getname(s, &ss, &len, peer) : -EOPNOTSUPP;
  fput(f);
  if (r)
    return r;
  return addr_to_user(&ss, len, uaddr, ulen);
}

long sys_getsockname(int fd, uaddr_t uaddr, uaddr_t ulen)
{
  return getname(fd, uaddr, ulen, false);
}

long sys_getpeername(int fd, uaddr_t uaddr, uaddr_t ulen)
{
  return getname(fd, uaddr, ulen, true);
}

/* sendto in Linux's order: the buffer's range (EFAULT), the socket, the address. */
long sys_sendto(int fd, uaddr_t buf, size_t len, int flags, uaddr_t uaddr, int addrlen)
{
  struct uio u;
  uio_init_user(&u, buf, len);
  if (u.bad)
    return -EFAULT;
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  struct sock_msg m;
  memset(&m, 0, sizeof(m));
  r = 0;
  if (uaddr) {
    r = addr_from_user(&m.addr, uaddr, addrlen);
    m.addrlen = addrlen;
  }
  if (!r)
    r = sock_sendmsg(s, &u, &m, flags, f->flags & O_NONBLOCK);
  fput(f);
  return r;
}

/* recvfrom: the buffer's range first (EFAULT before blocking); the sender's
 * address only if one is asked for (connected streams report length 0). */
long sys_recvfrom(int fd, uaddr_t buf, size_t len, int flags, uaddr_t uaddr, uaddr_t uaddrlen)
{
  struct uio u;
  uio_init_user(&u, buf, len);
  if (u.bad)
    return -EFAULT;
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  struct sock_msg m;
  memset(&m, 0, sizeof(m));
  r = sock_recvmsg(s, &u, &m, flags, f->flags & O_NONBLOCK);
  fput(f);
  if (r >= 0 && uaddr) {
    long e = addr_to_user(&m.addr, MAX(m.addrlen, 0), uaddr, uaddrlen);
    if (e)
      return e;
  }
  return r;
}

long sys_setsockopt(int fd, int level, int optname, uaddr_t optval, int optlen)
{
  if (optlen < 0)
    return -EINVAL;
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = sock_setsockopt(s, level, optname, optval, (unsigned)optlen);
  fput(f);
  return r;
}

long sys_getsockopt(int fd, int level, int optname, uaddr_t optval, uaddr_t optlen)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = sock_getsockopt(s, level, optname, optval, optlen);
  fput(f);
  return r;
}

long sys_shutdown(int fd, int how)
{
  if (how < SHUT_RD || how > SHUT_RDWR)
    return -EINVAL;
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
  fput(f);
  return r;
}

/* ---- sendmsg / recvmsg and their batched forms ---- */

/* Copy in a msghdr's iovec array as a uio. *iov_out must be kfree'd. */
/* sendmsg/recvmsg: at most UIO_MAXIOV entries, else EMSGSIZE. */
static long import_msg_iov(const struct msghdr_user *mh, struct uio *u, struct kiovec **iov_out)
{
  if (mh->msg_iovlen > UIO_MAXIOV)
    return -EMSGSIZE;
  return uio_import_user_iovec(mh->msg_iov, mh->msg_iovlen, u, iov_out);
}

/*
 * Linux copies a sendmsg's control data into the kernel before anything
 * is sent: more than OPTMEM_MAX bytes is ENOBUFS, unreadable bytes (a NULL
 * pointer with a length, too) EFAULT. The protocol reads it from user
 * memory again later; this makes the errors Linux's, in its order.
 */
#define OPTMEM_MAX 20480 /* Linux's net.core.optmem_max */
static long control_readable(uaddr_t ctl, uint64_t len)
{
  if (!len)
    return 0;
  if (len > INT32_MAX || len > OPTMEM_MAX)
    return -ENOBUFS;
  void *k = kmalloc(len);
  if (!k)
    return -ENOBUFS;
  long r = copyin(k, ctl, len) ? -EFAULT : 0;
  kfree(k);
  return r;
}

static long do_sendmsg(struct socket *s, struct file *f, uaddr_t umsg, int flags)
{
  struct msghdr_user mh;
  if (copyin(&mh, umsg, sizeof(mh)))
    return -EFAULT;
  struct sock_msg m;
  memset(&m, 0, sizeof(m));
  if (mh.msg_name && mh.msg_namelen) {
    long r = addr_from_user(&m.addr, mh.msg_name, (int)mh.msg_namelen);
    if (r)
      return r;
    m.addrlen = (int)mh.msg_namelen;
  }
  struct uio u;
  struct kiovec *iov;
  long r = import_msg_iov(&mh, &u, &iov);
  if (r)
    return r;
  r = control_readable(mh.msg_control, mh.msg_controllen);
  if (!r) {
    m.control = mh.msg_control;
    m.controllen = mh.msg_controllen;
    r = sock_sendmsg(s, &u, &m, flags, f->flags & O_NONBLOCK);
  }
  kfree(iov);
  return r;
}

static long do_recvmsg(struct socket *s, struct file *f, uaddr_t umsg, int flags)
{
  struct msghdr_user mh;
  if (copyin(&mh, umsg, sizeof(mh)))
    return -EFAULT;
  if ((int)mh.msg_namelen < 0)
    return -EINVAL;
  struct sock_msg m;
  memset(&m, 0, sizeof(m));
  m.control = mh.msg_control;
  m.controllen = mh.msg_control ? mh.msg_controllen : 0;
  struct uio u;
  struct kiovec *iov;
  long r = import_msg_iov(&mh, &u, &iov);
  if (r)
    return r;
  r = sock_recvmsg(s, &u, &m, flags, f->flags & O_NONBLOCK);
  kfree(iov);
  if (r < 0)
    return r;
  /* Write back: name length, control length used, flags. */
  uint32_t namelen = 0;
  if (mh.msg_name && m.addrlen > 0) {
    if (copyout(mh.msg_name, &m.addr, MIN(mh.msg_namelen, (uint32_t)m.addrlen)))
      return -EFAULT;
    namelen = (uint32_t)m.addrlen;
  }
  mh.msg_namelen = namelen;
  mh.msg_controllen = m.control ? m.control_used : 0;
  mh.msg_flags = m.flags_out;
  if (copyout(umsg + offsetof(struct msghdr_user, msg_namelen), &mh.msg_namelen, 4) ||
      copyout(umsg + offsetof(struct msghdr_user, msg_controllen), &mh.msg_controllen, 8) ||
      copyout(umsg + offsetof(struct msghdr_user, msg_flags), &mh.msg_flags, 4))
    return -EFAULT;
  return r;
}

long sys_sendmsg(int fd, uaddr_t umsg, int flags)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = do_sendmsg(s, f, umsg, flags);
  fput(f);
  return r;
}

long sys_recvmsg(int fd, uaddr_t umsg, int flags)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  r = do_recvmsg(s, f, umsg, flags);
  fput(f);
  return r;
}

long sys_sendmmsg(int fd, uaddr_t uvec, unsigned int vlen, int flags)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  if (vlen > UIO_MAXIOV)
    vlen = UIO_MAXIOV;
  r = 0;
  unsigned done = 0;
  for (; done < vlen; done++) {
    uaddr_t um = uvec + done * sizeof(struct mmsghdr_user);
    r = do_sendmsg(s, f, um, flags);
    if (r < 0)
      break;
    uint32_t n = (uint32_t)r;
    if (copyout(um + offsetof(struct mmsghdr_user, msg_len), &n, 4)) {
      r = -EFAULT;
      break;
    }
  }
  fput(f);
  return done ? (long)done : r;
}

long sys_recvmmsg(int fd, uaddr_t uvec, unsigned int vlen, int flags, uaddr_t utimeout)
{
  long r;
  struct file *f;
  struct socket *s = get_sock(fd, &f, &r);
  if (!s)
    return r;
  uint64_t deadline = 0;
  if (utimeout) {
    struct timespec64 ts;
    if (copyin(&ts, utimeout, sizeof(ts))) {
      fput(f);
      return -EFAULT;
    }
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC) {
      fput(f);
      return -EINVAL;
    }
    deadline = time_monotonic_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
  }
  if (vlen > UIO_MAXIOV)
    vlen = UIO_MAXIOV;
  r = 0;
  unsigned done = 0;
  for (; done < vlen; done++) {
    uaddr_t um = uvec + done * sizeof(struct mmsghdr_user);
    r = do_recvmsg(s, f, um, flags);
    if (r < 0)
      break;
    uint32_t n = (uint32_t)r;
    if (copyout(um + offsetof(struct mmsghdr_user, msg_len), &n, 4)) {
      r = -EFAULT;
      break;
    }
    if (flags & MSG_WAITFORONE)
      flags |= MSG_DONTWAIT;
    if (deadline && time_monotonic_ns() >= deadline) {
      done++;
      break;
    }
  }
  fput(f);
  return done ? (long)done : r;
}
