/*
 * poll.h — readiness: event bits and the poll table.
 *
 * Every kind of file answers one question through file_ops->poll: "which
 * of POLLIN/POLLOUT/POLLHUP/... hold right now?" — and, when the caller
 * passes a poll_table, registers the caller on the wait queues that will
 * be woken when the answer changes (poll_wait()). ppoll, pselect6 and
 * epoll are written once on top of this (fs/poll.c, fs/epoll.c).
 *
 * Layer: fs (fs/poll.c defines file_poll; the header stays in kern/ since
 * the event bits are used by every file kind and by kern/signal.c). Locks:
 * a file's poll takes only its own object's lock, briefly; qproc adds an
 * entry under the wait queue's lock.
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

/* In a file's poll: register pt's caller on wq (one of the object's wait
 * queues that is woken when its readiness changes); nothing if pt is NULL
 * or only reports. Called with no spinlock of the object held. */
static inline void poll_wait(struct file *f, struct wait_queue *wq, struct poll_table *pt)
{
  if (pt && pt->qproc && wq)
    pt->qproc(pt, wq, f);
}

/* f's readiness (POLL* bits): its fop->poll, or always readable and
 * writable for a file without one (regular files). The caller holds a
 * reference to f; may take f's object locks. */
unsigned file_poll(struct file *f, struct poll_table *pt);

#endif
