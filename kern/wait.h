/*
 * wait.h — wait queues and the one way to sleep: wait_event().
 *
 * A wait queue is a list of sleepers on some condition ("pipe has data",
 * "child exited"). Whoever changes the condition calls wake_up(). Sleeping
 * follows the double-check rule (docs/lessons.md, L3):
 *
 *   register on the queue -> mark ourselves sleeping -> check the condition
 *   again -> only then schedule()
 *
 * A wake_up() that lands between the check and schedule() has already made
 * us runnable again, so schedule() returns at once: no lost wakeups.
 *
 * Timeouts: WAIT_FOREVER, 0 (never block: return -EAGAIN at once if the
 * condition is false; non-blocking calls rely on it) or nanoseconds.
 * Results: 0 condition true, -EAGAIN (timeout 0), -ETIMEDOUT, -ERESTARTSYS
 * (a signal that will be delivered arrived; the syscall layer turns it into
 * EINTR or a restart).
 */
#ifndef KITE_WAIT_H
#define KITE_WAIT_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/errno.h"
#include "kern/time.h"
#include "kern/cpu.h"

struct task;
struct wait_entry;
typedef void (*wake_fn)(struct wait_entry *e, unsigned events);

struct wait_queue {
  struct spinlock lock;
  struct list_head head;
};

struct wait_entry {
  struct list_head link;
  struct task *task;
  wake_fn func;          /* default: wake e->task */
  void *priv;
  unsigned events;       /* poll key filter: 0 = wake on any event */
};

#define WAIT_FOREVER UINT64_MAX

/* A wait queue's lock is named after its declaration ("&p->child_wait"):
 * the lock-order checker tells the queues of different objects apart. */
#define WAIT_QUEUE_INIT(name) { SPINLOCK_INIT("wq " #name), LIST_HEAD_INIT((name).head) }
#define wait_queue_init(wq) wait_queue_init_named((wq), "wq " #wq)
/* An empty queue whose lock is called name (a string that lives for
 * good); wait_queue_init names it after the expression. */
void wait_queue_init_named(struct wait_queue *wq, const char *name);
/* (kern/wait.c) An entry that wakes task t (default_wake_function). */
void wait_entry_init(struct wait_entry *e, struct task *t);
/* Put e on / take it off wq (takes wq->lock; e must not be on another queue). */
void add_wait(struct wait_queue *wq, struct wait_entry *e);
void remove_wait(struct wait_queue *wq, struct wait_entry *e);
/* The first half of a sleep: e on wq (if not yet), then current's state
 * becomes `state` (TASK_INTERRUPTIBLE or TASK_UNINTERRUPTIBLE) — in that
 * order, so a wake-up after the caller's next check is not lost. */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, long state);
/* The second half: current runs again and e is off wq. */
void finish_wait(struct wait_queue *wq, struct wait_entry *e);
/* Call every entry's function (wq->lock held across the calls: they must
 * not sleep nor take a lock ranked above wait queues). wake_up_events
 * passes the POLL* events that happened (epoll and poll filter on them). */
void wake_up(struct wait_queue *wq);
void wake_up_events(struct wait_queue *wq, unsigned events);
/* Is anyone waiting? (A hint: no lock taken.) */
bool wait_queue_active(struct wait_queue *wq);
/* What a plain entry does when woken: wake_up_task(e->task). */
void default_wake_function(struct wait_entry *e, unsigned events);

/* Helpers for wait_event(): timeout timer and signal check. */
struct wait_timeout {
  uint64_t deadline;   /* monotonic ns, 0 = none */
  struct timer timer;  /* wakes the sleeper at the deadline */
};
void wait_timeout_start(struct wait_timeout *wt, uint64_t timeout_ns);
bool wait_timeout_expired(struct wait_timeout *wt);
void wait_timeout_stop(struct wait_timeout *wt);
bool signal_pending_current(void);
void schedule(void);

#define TASK_RUNNING 0
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2

/*
 * Sleep on wq until cond holds. `state` is TASK_INTERRUPTIBLE (signals
 * end the wait) or TASK_UNINTERRUPTIBLE. See the comment at the top.
 */
#define wait_event_state(wq, cond, timeout_ns, state)                     \
  ({                                                                      \
    long __ret = 0;                                                       \
    uint64_t __to = (timeout_ns);                                         \
    if (!(cond)) {                                                        \
      if (__to == 0) {                                                    \
        __ret = -EAGAIN;                                                  \
      } else {                                                            \
        struct wait_entry __we;                                           \
        struct wait_timeout __wt;                                         \
        wait_entry_init(&__we, current);                                  \
        wait_timeout_start(&__wt, __to);                                  \
        for (;;) {                                                        \
          prepare_to_wait((wq), &__we, (state));                          \
          if (cond)                                                       \
            break;                                                        \
          if ((state) == TASK_INTERRUPTIBLE && signal_pending_current()) { \
            __ret = -ERESTARTSYS;                                         \
            break;                                                        \
          }                                                               \
          if (wait_timeout_expired(&__wt)) {                              \
            __ret = -ETIMEDOUT;                                           \
            break;                                                        \
          }                                                               \
          schedule();                                                     \
        }                                                                 \
        finish_wait((wq), &__we);                                         \
        wait_timeout_stop(&__wt);                                         \
      }                                                                   \
    }                                                                     \
    __ret;                                                                \
  })

#define wait_event(wq, cond, timeout_ns) \
  wait_event_state(wq, cond, timeout_ns, TASK_INTERRUPTIBLE)
#define wait_event_uninterruptible(wq, cond) \
  wait_event_state(wq, cond, WAIT_FOREVER, TASK_UNINTERRUPTIBLE)

/* A sleeping lock for long critical sections (may sleep while held). */
struct mutex {
  struct spinlock lk;
  bool locked;
  uint16_t ld_class;      /* the lock-order checker's class for the mutex itself */
  struct task *owner;
  struct wait_queue wq;
};
#define MUTEX_INIT(m, n) { SPINLOCK_INIT(n), false, 0, NULL, WAIT_QUEUE_INIT((m).wq) }
/* (kern/mutex.c) Unlocked; name is its lockdep class. */
void mutex_init(struct mutex *m, const char *name);
/* Take m, sleeping uninterruptibly while another task holds it. Never
 * under a spinlock; taking one the caller holds panics (not recursive). */
void mutex_lock(struct mutex *m);
/* The same, but a signal ends the wait: 0 (held) or -EINTR (not held). */
int mutex_lock_interruptible(struct mutex *m);
/* Take m if free: true (held) or false, without sleeping. */
bool mutex_trylock(struct mutex *m);
/* Release m (the caller holds it) and wake its waiters. */
void mutex_unlock(struct mutex *m);
/* Does current hold m? (For assertions.) */
bool mutex_held(struct mutex *m);

#endif
