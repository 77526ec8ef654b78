/*
 * poll.h — readiness: event bits and the poll table.
 *
 * Every kind of file answers one question through file_ops->poll: "which
 * of POLLIN/POLLOUT/POLLHUP/... hold right now?" — and, when the caller
 * passes a poll_table, registers the caller on the wait queues that will
 * be woken when the answer changes (poll_wait()). ppoll, pselect6 and
 * epoll are written once on top of this (fs/poll.c, fs/epoll.c).
 */
#ifndef KITE_POLL_H
#define KITE_POLL_H

#include "kern/types.h"
#include "kern/wait.h"

#define POLLIN 0x0001
#define POLLPRI 0x0002
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG 0x0400
#define POLLRDHUP 0x2000

struct file;
struct poll_table;
typedef void (*poll_queue_proc)(struct poll_table *pt, struct wait_queue *wq, struct file *f);

struct poll_table {
  poll_queue_proc qproc;   /* NULL: just report, don't register */
  unsigned key;            /* events the caller is interested in */
};

static inline void poll_wait(struct file *f, struct wait_queue *wq, struct poll_table *pt)
{
  if (pt && pt->qproc && wq)
    pt->qproc(pt, wq, f);
}

unsigned file_poll(struct file *f, struct poll_table *pt);

#endif
