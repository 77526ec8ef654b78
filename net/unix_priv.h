/*
 * unix_priv.h — AF_UNIX's internals, shared by net/unix.c (the protocol)
 * and net/unix_gc.c (collecting sockets that only messages in flight keep
 * alive). Nothing else includes it. Locks: see net/unix.c's header.
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

static inline struct unix_sock *unix_of(struct socket *s)
{
  return s->proto;
}

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
