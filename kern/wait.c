/*
 * wait.c — wait queues (kern/wait.h): registering a sleeper, waking the
 * queue, the timeout timer of a sleep, and the simple timed sleeps.
 *
 * Layer: core, over kern/sched.c (wake_up_task, the task states) and
 * kern/time.c (the timeout timer). wait_event() itself is a macro in
 * kern/wait.h built on prepare_to_wait/finish_wait here. Users: every
 * subsystem that sleeps; kern/mutex.c.
 *
 * Locks: wq->lock (a spinlock) guards the queue's list; wake-up callbacks
 * run under it, so they must not take a lock ranked above a wait queue's
 * (docs/locks.md). A sleeper's timeout timer lives on its stack and is
 * cancelled synchronously (wait_timeout_stop) before the frame goes.
 */
#include "kern/task.h"
#include "kern/wait.h"
#include "kern/signal.h"
#include "kern/cpu.h"
#include "kern/printk.h"

void wait_queue_init_named(struct wait_queue *wq, const char *name)
{
  spin_init(&wq->lock, name);
  list_init(&wq->head);
}

void default_wake_function(struct wait_entry *e, unsigned events)
{
  (void)events;
  wake_up_task(e->task);
}

void wait_entry_init(struct wait_entry *e, struct task *t)
{
  list_init(&e->link);
  e->task = t;
  e->func = default_wake_function;
  e->priv = NULL;
  e->events = 0;
}

void add_wait(struct wait_queue *wq, struct wait_entry *e)
{
  spin_lock(&wq->lock);
  if (list_empty(&e->link))
    list_add_tail(&e->link, &wq->head);
  spin_unlock(&wq->lock);
}

void remove_wait(struct wait_queue *wq, struct wait_entry *e)
{
  spin_lock(&wq->lock);
  if (!list_empty(&e->link))
    list_del(&e->link);
  spin_unlock(&wq->lock);
}

/* Register on wq (once) and mark current as sleeping in `state`. */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, long state)
{
  spin_lock(&wq->lock);
  if (list_empty(&e->link))
    list_add_tail(&e->link, &wq->head);
  current->state = state;
  /* Before the caller tests its condition: see wake_up_state(). */
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  spin_unlock(&wq->lock);
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
  current->state = TASK_RUNNING;
  remove_wait(wq, e);
}

void wake_up_events(struct wait_queue *wq, unsigned events)
{
  spin_lock(&wq->lock);
  struct wait_entry *e, *n;
  list_for_each_entry_safe(e, n, &wq->head, link) {
    if (events && e->events && !(e->events & events))
      continue;
    e->func(e, events);
  }
  spin_unlock(&wq->lock);
}

void wake_up(struct wait_queue *wq)
{
  wake_up_events(wq, 0);
}

bool wait_queue_active(struct wait_queue *wq)
{
  return !list_empty(&wq->head);
}

static void wait_timeout_fire(struct timer *t)
{
  wake_up_task((struct task *)t->data);
}

void wait_timeout_start(struct wait_timeout *wt, uint64_t timeout_ns)
{
  timer_init(&wt->timer, wait_timeout_fire, current);
  wt->deadline = 0;
  if (timeout_ns == WAIT_FOREVER)
    return;
  wt->deadline = time_monotonic_ns() + timeout_ns;
  timer_arm(&wt->timer, wt->deadline);
}

bool wait_timeout_expired(struct wait_timeout *wt)
{
  return wt->deadline && time_monotonic_ns() >= wt->deadline;
}

/* The timer lives on the sleeper's stack: its callback (perhaps running on
 * another hart right now) must be over before the frame goes. */
void wait_timeout_stop(struct wait_timeout *wt)
{
  if (wt->deadline)
    timer_cancel_sync(&wt->timer);
}

bool signal_pending_current(void)
{
  return signal_pending(current);
}

/* Sleep uninterruptibly for ns nanoseconds (kernel use). */
void sleep_ns(uint64_t ns)
{
  struct wait_queue wq = WAIT_QUEUE_INIT(wq);
  wait_event_state(&wq, false, ns, TASK_UNINTERRUPTIBLE);
}

/*
 * Sleep until the monotonic deadline or a signal: 0 when the time is up,
 * -ERESTARTSYS when interrupted.
 */
int sleep_interruptible_until(uint64_t deadline_ns)
{
  uint64_t now = time_monotonic_ns();
  if (now >= deadline_ns)
    return 0;
  struct wait_queue wq = WAIT_QUEUE_INIT(wq);
  long r = wait_event(&wq, false, deadline_ns - now);
  return r == -ERESTARTSYS ? -ERESTARTSYS : 0;
}
