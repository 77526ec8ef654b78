/*
 * socket.h — the SocketTable and its slots (struct socket): the state
 * behind every socket descriptor, and the operations each protocol
 * provides (struct sock_ops).
 *
 * Layer: between the socket system calls (net/sys_socket.c) and the
 * protocols (net/tcp_sock.c, udp_sock.c, icmp_sock.c, unix.c, netlink.c). A socket
 * descriptor is an ordinary struct file (fs/file.h) whose priv is a struct
 * socket — a SocketSlot (docs/lessons.md L12) — so read, write, poll, epoll, fcntl and
 * close work on sockets like on any file. Every live socket is also on
 * the SocketTable's list (for counting, limits and /proc/net/sockstat).
 *
 * Waiting: each socket has one wait queue. Protocols call
 * sock_wake(s, POLLIN|...) on every state change; blocking calls sleep
 * with wait_event() on it, and ppoll/pselect6/epoll register on it through
 * file_ops->poll, which calls the protocol's one readiness function
 * (sock_ops->poll).
 *
 * Locks: rx_lock serialises receivers of one socket, tx_lock senders (both
 * mutexes, taken before net_lock). Options are single words written by
 * setsockopt and read without a lock.
 */
#ifndef KITE_SOCKET_H
#define KITE_SOCKET_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/wait.h"
#include "net/sock_abi.h"

struct socket;
struct uio;
struct file;

/* Addresses and ancillary data of one sendmsg/recvmsg. */
struct sock_msg {
  struct sockaddr_storage addr; /* send: destination; recv: source */
  int addrlen;                  /* send: 0 = none given; recv: bytes filled in */
  uaddr_t control;              /* user buffer of cmsgs */
  size_t controllen;            /* its size */
  size_t control_used;          /* recv: bytes of cmsgs written (0: none, as Linux says) */
  int flags_out;                /* recv: MSG_TRUNC, MSG_CTRUNC, MSG_ERRQUEUE */
};

/* Append one control message to m's buffer at *used; false if it did not
 * fit (or could not be written). The caller sets m->control_used at the end. */
bool sock_put_cmsg(struct sock_msg *m, size_t *used, int level, int type, const void *data, size_t len);

/* What each protocol implements. Unset entries mean EOPNOTSUPP. */
struct sock_ops {
  int (*bind)(struct socket *s, const struct sockaddr_storage *a, int alen);
  int (*connect)(struct socket *s, const struct sockaddr_storage *a, int alen, bool nonblock);
  int (*listen)(struct socket *s, int backlog);
  /* On success *child is a new socket, not yet installed in a file. */
  int (*accept)(struct socket *s, struct socket **child, bool nonblock);
  ssize_t (*sendmsg)(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);
  ssize_t (*recvmsg)(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);
  int (*getname)(struct socket *s, struct sockaddr_storage *a, int *alen, bool peer);
  int (*shutdown)(struct socket *s, int how);
  /* The readiness function: POLLIN/POLLOUT/POLLHUP/... now. No waiting. */
  unsigned (*poll)(struct socket *s);
  /* Options: val is a kernel copy. Return -ENOPROTOOPT if not handled. */
  int (*setsockopt)(struct socket *s, int level, int name, const void *val, unsigned len);
  int (*getsockopt)(struct socket *s, int level, int name, void *val, unsigned *len);
  int (*ioctl)(struct socket *s, unsigned cmd, uint64_t arg);
  void (*release)(struct socket *s);  /* the last descriptor closed: free proto */
};

struct socket {
  /* --- identity (constant; family may change once, AF_INET6 to
   * AF_INET, by IPV6_ADDRFORM under net_lock: net/inet.c) --- */
  int family, type, protocol;
  const struct sock_ops *ops;
  void *proto;                  /* the protocol's state (struct tcp_sock, ...) */
  ino_t ino;                    /* shown as socket:[ino] */

  /* --- waiting --- */
  struct wait_queue wq;         /* everyone waiting for this socket */
  struct mutex rx_lock;         /* one receiver at a time */
  struct mutex tx_lock;         /* one sender at a time (keeps a stream in order) */

  /* --- SOL_SOCKET options (single words, no lock) --- */
  uint64_t rcvtimeo_ns;         /* WAIT_FOREVER unless SO_RCVTIMEO */
  uint64_t sndtimeo_ns;
  int rcvbuf, sndbuf;           /* bytes, as getsockopt reports them */
  int rcvlowat;
  bool reuseaddr, reuseport, keepalive, broadcast, oobinline, passcred, dontroute;
  struct linger linger;
  int priority, mark;

  /* --- SocketTable --- */
  struct list_head table_link;  /* socket_table.lock */
};

/* SocketTable limits (kern/param.h style: one place). */
#define SOCKET_TABLE_MAX 16384  /* sockets in the whole system: then ENOBUFS */

/* ---- socket.c ---- */
/* A new socket slot with the defaults (buffers, no timeouts), on the
 * SocketTable, with no protocol yet (the caller runs the family's create
 * function). NULL when the table is full (SOCKET_TABLE_MAX: the caller's
 * ENOBUFS) or memory is short. Takes the table's lock. */
struct socket *sock_alloc(int family, int type, int protocol);
/* Take s off the table and free it: after ops->release (or before the
 * protocol was set up). Nobody else may hold s. */
void sock_free(struct socket *s);
/* Put s in a new file and descriptor (flags: SOCK_NONBLOCK, SOCK_CLOEXEC).
 * Returns the descriptor; on failure (-ENFILE, -EMFILE) s has been
 * released. */
int sock_install(struct socket *s, int flags);
/* The socket of f (the caller holds f), or NULL if f is not a socket. */
struct socket *sock_from_file(struct file *f);
/* Wake everyone waiting on s for these POLL* events (readers, writers,
 * poll and epoll). Any context; takes the wait queue's lock. */
void sock_wake(struct socket *s, unsigned events);
/* Sockets in the table now (an atomic read, /proc/net/sockstat). */
int sock_count(void);
/* Turn a wait_event() result into the socket call's error: a timeout
 * (SO_RCVTIMEO/SO_SNDTIMEO) is EAGAIN, a signal EINTR when a timeout was
 * set (no restart, as Linux), else the result as is. */
long sock_wait_error(long w, uint64_t timeout);
/* setsockopt/getsockopt: copy the value in (at most 256 bytes) / the
 * length and value out; SOL_SOCKET options common to all families here,
 * the rest (and SOL_SOCKET ones a protocol also applies) through s->ops.
 * 0, -EFAULT, -EINVAL, -ENOPROTOOPT or the protocol's error. No locks
 * held on entry; the protocol takes its own. */
int sock_setsockopt(struct socket *s, int level, int name, uaddr_t uval, unsigned len);
int sock_getsockopt(struct socket *s, int level, int name, uaddr_t uval, uaddr_t ulen);
/* Every send and receive path (read/write, send*, recv*) ends here: the
 * protocol's sendmsg/recvmsg (-EOPNOTSUPP without one), non-blocking if
 * nonblock or MSG_DONTWAIT. A send failing with EPIPE raises SIGPIPE
 * unless MSG_NOSIGNAL. Bytes moved or -errno; may sleep (no locks held). */
ssize_t sock_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);
ssize_t sock_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);

/* Protocol families (socket(2) after sock_alloc): create the protocol
 * state of s for (type, protocol) and set s->ops and s->proto. 0, or
 * -EPROTONOSUPPORT / -ESOCKTNOSUPPORT for a combination the family lacks,
 * -ENOBUFS / -ENOMEM; on error s has no protocol (sock_free it).
 * inet_create: AF_INET and AF_INET6 (TCP, UDP, ICMP datagram and raw
 * sockets, net/inet.c); unix_create: AF_UNIX (net/unix.c);
 * rtnetlink_create: AF_NETLINK, NETLINK_ROUTE (net/rtnetlink.c). */
int inet_create(struct socket *s, int type, int protocol);
int unix_create(struct socket *s, int type, int protocol);
int rtnetlink_create(struct socket *s, int type, int protocol);
/* socketpair(2): connect two new AF_UNIX sockets of one type to each
 * other, each with the other's credentials. 0. Takes unix_lock. */
int unix_socketpair(struct socket *a, struct socket *b);
/* Queue a datagram from the kernel on a netlink socket (mq_notify's SIGEV_THREAD). */
void netlink_deliver(struct socket *s, const void *data, size_t len);
/* The interface ioctls every socket takes (SIOCGIFCONF, SIOCGIFFLAGS,
 * SIOCGIFADDR, SIOCGIFHWADDR, SIOCGIFINDEX ..., net/ifconf.c): is cmd one
 * of them, and run it on the user's struct ifreq/ifconf at arg: 0,
 * -EFAULT, -ENODEV (no such interface), -EOPNOTSUPP (a setting Kite does
 * not change). Takes net_lock around the reads. */
bool ifconf_is_ioctl(unsigned cmd);
int ifconf_ioctl(unsigned cmd, uint64_t arg);

#endif
