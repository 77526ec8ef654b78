/*
 * unix_priv.h — AF_UNIX's internals, shared by net/unix.c (the protocol),
 * net/unix_msg.c (names, messages), net/unix_scm.c (ancillary data),
 * net/unix_io.c (send, receive) and net/unix_gc.c (collecting sockets
 * that only messages in flight keep alive). Nothing else includes it.
 *
 * Layer: net, a protocol family under the socket table (net/socket.c);
 * calls the VFS for bound names (fs/namei.h) and file passing.
 *
 * Locks: see net/unix.c's header.
 */
#ifndef KITE_UNIX_PRIV_H
#define KITE_UNIX_PRIV_H

#include "net/socket.h"
#include "kern/cred.h"
#include "kern/list.h"
#include "kern/spinlock.h"

#define UNIX_STREAM_LIMIT (256 * 1024)  /* bytes a stream receiver may have queued */
#define UNIX_DGRAM_QLEN 512             /* messages a datagram receiver may have queued */
#define UNIX_MSG_MAX (64 * 1024)        /* a stream write is cut into messages this big */
#define UNIX_CONTROL_MAX 4096           /* ancillary data we accept per sendmsg */

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* A bound name, shared by a listener and the connections it accepted. */
struct unix_addr {
  int refs;                     /* unix_lock */
  int len;                      /* sockaddr length: 2 + name bytes (+ NUL for paths) */
  struct sockaddr_un sun;
  struct inode *inode;          /* path names: the socket file (referenced) */
};

/* One message on a receive queue. */
struct unix_msg {
  struct unix_msg *next;
  size_t len, off;              /* bytes, and bytes already read (streams) */
  struct unix_addr *from;       /* datagrams: the sender's name (referenced) or NULL */
  struct file **files;          /* SCM_RIGHTS in flight (referenced), or NULL */
  int nfiles;
  struct ucred cred;            /* the sender's credentials (SCM_CREDENTIALS) */
  char data[];
};

enum unix_state { US_UNCONNECTED, US_LISTEN, US_CONNECTED };

struct unix_sock {
  struct socket *sock;
  int type;
  struct list_head all_link;    /* in unix_all (unix_lock) */
  /* --- unix_lock --- */
  enum unix_state state;
  struct unix_sock *peer;       /* stream: the other end; datagram: connect()'s target */
  bool peer_gone;               /* a connected datagram peer closed: ECONNREFUSED */
  struct unix_addr *addr;       /* our name, or NULL */
  struct unix_msg *rx_head, *rx_tail;
  size_t rx_bytes;
  int rx_count;
  struct unix_sock *acc_head, *acc_tail, *acc_next;  /* listener's pending connections */
  int acc_count, backlog;
  bool bound;                   /* addr came from our own bind() */
  int shutdown;                 /* RCV_SHUTDOWN | SEND_SHUTDOWN (Linux's sk_shutdown) */
  int err;                      /* pending error (positive) */
  struct ucred peercred;        /* SO_PEERCRED */
  struct ucred owncred;         /* ours, as of socket()/listen() */
  /* --- unix_gc's scratch (unix_lock, during a collection) --- */
  struct file *gc_file;         /* our file, as found in flight */
  int gc_inflight;              /* references to it in messages on queues */
  int gc_refs;                  /* of those, from queues of other candidates */
  bool gc_candidate, gc_alive;
};

extern struct spinlock unix_lock;  /* queues, peers, states, names, unix_all (net/unix_gc.c) */
extern struct list_head unix_all;  /* every unix socket */

/* The AF_UNIX state of a socket whose family is AF_UNIX (s->proto). */
static inline struct unix_sock *unix_of(struct socket *s)
{
  return s->proto;
}

/* SOCK_STREAM (byte stream) / connection-based (SOCK_STREAM and
 * SOCK_SEQPACKET: must connect, a peer's close is EOF). The type never
 * changes: no lock. */
static inline bool is_stream(struct unix_sock *u)
{
  return u->type == SOCK_STREAM;
}
static inline bool connection_based(struct unix_sock *u)
{
  return u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET;
}

/* ---- net/unix_msg.c: names and messages ---- */
extern struct wait_queue unix_space_wq; /* room appeared on some receive queue */
/* Take a reference to a name (NULL: nothing). unix_lock held. */
void unix_addr_get(struct unix_addr *a);
/* Drop one (NULL: nothing); the last returns the name's inode for the
 * caller to iput once unix_lock is released, else NULL. unix_lock held. */
struct inode *unix_addr_put_locked(struct unix_addr *a);
/* Check a user sockaddr_un of len bytes and copy it to *sun; *namelen is
 * the name's length (0: none given; abstract names count their leading
 * NUL). 0 or -EINVAL. */
int unix_parse_sun(const struct sockaddr_storage *ss, int len, struct sockaddr_un *sun,
                   int *namelen);
/* The socket bound to this abstract name, reachable as a `type` socket
 * (type < 0: any), or NULL. unix_lock held. */
struct unix_sock *unix_find_abstract(const char *name, int len, int type);
/* A destination name, parsed into *sun; a path is looked up and its
 * socket inode referenced in *ino (iput it later; NULL for abstract
 * names). 0, -EINVAL (bad or empty name), a lookup error, or
 * -ECONNREFUSED (not a socket). No lock held: the walk may sleep. */
int unix_resolve_name(const struct sockaddr_storage *ss, int len, struct sockaddr_un *sun,
                      int *namelen, struct inode **ino);
/* The socket that name (from unix_resolve_name) is bound to, or NULL. unix_lock held. */
struct unix_sock *unix_find_target(const struct sockaddr_un *sun, int namelen,
                                   struct inode *ino, int type);
/* A message with room for len bytes, stamped with the sender's
 * credentials; NULL if out of memory. No lock needed. */
struct unix_msg *unix_msg_alloc(size_t len);
/* Free a message that is on no queue: its name reference and files go.
 * No lock held (it takes unix_lock for the name, and fput may sleep). */
void unix_msg_free(struct unix_msg *m);
/* Append m to u's receive queue (the caller wakes the readers). unix_lock held. */
void unix_queue_msg(struct unix_sock *u, struct unix_msg *m);
/* May r's queue take want more bytes (streams) or one more message? unix_lock held. */
bool unix_has_room(struct unix_sock *r, size_t want);

/* ---- net/unix_scm.c: ancillary data (called without unix_lock) ---- */
struct scm {
  struct file **files;
  int nfiles;
  bool has_cred;
  struct ucred cred;
};
/* Drop what scm holds (its file references). */
void unix_scm_release(struct scm *scm);
/* Parse m's control buffer (SCM_RIGHTS: file references taken;
 * SCM_CREDENTIALS: checked) into scm. 0 or -errno (ENOBUFS past
 * UNIX_CONTROL_MAX, ENOMEM, EFAULT, EINVAL, EBADF, EPERM ...). */
int unix_scm_parse(struct sock_msg *m, struct scm *scm);
/* Deliver msg's ancillary data to the reader's buffer at *used:
 * credentials if passcred, then its files (taken off msg under unix_lock,
 * installed as descriptors, close-on-exec per flags); MSG_CTRUNC in
 * sm->flags_out when something did not fit. */
void unix_scm_deliver(struct sock_msg *sm, struct unix_msg *msg, bool passcred, int flags,
                      size_t *used);
/* Only the credentials (SCM_CREDENTIALS, a peek): the sender's pid as the
 * reader's pid namespace numbers it. Takes proc_lock; no lock held. */
void unix_scm_put_cred(struct sock_msg *sm, struct unix_msg *msg, size_t *used);

/* ---- net/unix_io.c ---- */
/* unix_ops' sendmsg and recvmsg (the contract of struct sock_ops,
 * net/socket.h): send queues one message (data, SCM_RIGHTS files,
 * credentials) on the peer, waiting for room unless nonblock (EAGAIN);
 * EPIPE (stream) or ECONNREFUSED/ENOTCONN without a peer, EMSGSIZE past
 * the buffer for a datagram. recv takes from s's own queue (a stream may
 * take part of a message), waiting unless nonblock; 0 at a stream's EOF.
 * Bytes moved or -errno. Called with no locks; take s's rx_lock/tx_lock,
 * then unix_lock, never across a copy or a sleep. */
ssize_t unix_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);
ssize_t unix_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags, bool nonblock);

/*
 * unix_gc (net/unix.c): free the sockets that nothing but messages in
 * flight refer to, and whatever their queues hold (Linux's unix_gc).
 * Called with no lock held, after a unix socket is released.
 */
void unix_gc(void);

/*
 * net/unix_gc.c: find them. false: no collection ran (nothing in flight,
 * or one is running). true: *garbage is the messages taken off the
 * unreachable sockets' queues (maybe NULL); the caller frees them without
 * a lock held, then calls unix_gc_done().
 */
bool unix_gc_collect(struct unix_msg **garbage);
void unix_gc_done(void);
/* Messages carrying descriptors (queued or being received): none, no collection. */
extern uint64_t unix_msgs_with_files;

#endif
