/*
 * sched.c — the scheduler, wait queues, sleeping locks and kernel threads.
 *
 * One run queue, round robin, shared by all harts (simple, and correct on
 * SMP because everything goes through rq.lock). A task runs until it
 * sleeps, or until its time slice (TIMESLICE_TICKS timer ticks) runs out
 * while it is in user mode: the kernel itself is not preempted, which
 * keeps kernel code free of preemption races. Each hart has an idle task
 * that waits for interrupts when nothing is runnable.
 *
 * The run-queue lock is held across swtch(): the task that was switched
 * to releases it (in schedule() after swtch returns, or in
 * task_first_run() for a brand-new task).
 */
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/posix_timers.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/param.h"
#include "arch/riscv/riscv.h"
#include <string.h>

struct cpu cpus[NCPU];

static struct {
  struct spinlock lock;
  struct list_head queue;
  int nr_running;
} rq = { SPINLOCK_INIT("runqueue"), LIST_HEAD_INIT(rq.queue), 0 };

/* Set in schedule() when the outgoing task is dead: freed after the switch. */
static struct task *dead_task[NCPU];

struct cpu *mycpu(void)
{
  return current->cpu;
}

void sched_init(void)
{
  cpus[0].id = 0;
  init_task.cpu = &cpus[0];
  init_task.state = TASK_RUNNING;
  init_task.on_cpu = true;
  init_task.slice = TIMESLICE_TICKS;
  init_task.tid = 0;
  strlcpy(init_task.comm, "idle", sizeof(init_task.comm));
  cpus[0].idle = &init_task;
}

/*
 * Scheduling classes. A SCHED_FIFO or SCHED_RR task has a real-time
 * priority (1..99) and runs before every task of the other policies, which
 * share the hart round robin (priority 0 here). The one run queue is kept
 * in priority order: a task goes behind those of its own priority and ahead
 * of lower ones, so the head is always the task to run. SCHED_FIFO runs
 * until it blocks, yields or a higher priority wakes; SCHED_RR also leaves
 * the hart when its RR_TIMESLICE_TICKS slice runs out and others of its
 * priority wait; a woken task of higher priority than the running one
 * preempts it at its next return to user (the kernel is not preempted).
 */
static inline int task_prio(const struct task *t)
{
  return t->policy == SCHED_FIFO || t->policy == SCHED_RR ? t->rt_priority : 0;
}

static inline int slice_for(const struct task *t)
{
  return t->policy == SCHED_RR ? RR_TIMESLICE_TICKS : TIMESLICE_TICKS;
}

/* The priority of the task at the head of the queue, -1 if empty (rq.lock). */
static int head_prio(void)
{
  if (list_empty(&rq.queue))
    return -1;
  return task_prio(list_first_entry(&rq.queue, struct task, rq_link));
}

static void enqueue(struct task *t)
{
  int prio = task_prio(t);
  if (prio == 0) {
    list_add_tail(&t->rq_link, &rq.queue);
  } else {
    struct task *q;
    struct list_head *before = &rq.queue;  /* the tail, if no lower priority waits */
    list_for_each_entry(q, &rq.queue, rq_link) {
      if (task_prio(q) < prio) {
        before = &q->rq_link;
        break;
      }
    }
    list_add_tail(&t->rq_link, before);
  }
  t->on_rq = true;
  rq.nr_running++;
}

/* Take t off the run queue; no hart may hand off to it any more. */
static void rq_remove(struct task *t)
{
  list_del(&t->rq_link);
  t->on_rq = false;
  rq.nr_running--;
  for (int i = 0; i < NCPU; i++)
    if (cpus[i].last_woken == t)
      cpus[i].last_woken = NULL;
}

static struct task *dequeue(void)
{
  if (list_empty(&rq.queue))
    return NULL;
  struct task *t = list_first_entry(&rq.queue, struct task, rq_link);
  rq_remove(t);
  return t;
}

/*
 * Hand-off: a task that goes to sleep (or exits) with time left in its
 * slice passes the rest of it to the task it woke last, which runs next
 * instead of queueing behind every other runnable task. A thread that
 * signals another and waits for it (pthread_cancel + pthread_join), a
 * writer that wakes its reader and blocks, a thread that exits and wakes
 * its joiner: the work goes on at once, as on Linux, where the wakee of
 * a task about to sleep runs next (CFS's sync wakeups and "next buddy").
 * Without it each such step waited a whole round of the queue: iperf3's
 * server took 20-140 ms to tear a test down, long enough for the next client
 * to be queued on the listener it was about to close (docs/net-sockets.md).
 * The donor's slice is shared, not renewed, so a pair that keeps waking
 * each other still leaves the hart when the slice is over.
 * rq.lock held; returns the task taken off the queue, or NULL.
 */
static struct task *handoff_target(struct cpu *c, struct task *prev)
{
  struct task *t = c->last_woken;
  c->last_woken = NULL;
  if (!t || !t->on_rq || prev == c->idle || prev->state == TASK_RUNNING || prev->slice <= 0)
    return NULL;
  if (task_prio(t) < head_prio())
    return NULL;  /* a higher priority waits: it goes first */
  rq_remove(t);
  return t;
}

/*
 * A task's CPU time split into user and system time: the exact run time,
 * divided in the proportion of timer ticks that found it in each mode.
 */
void task_cputime(struct task *t, uint64_t *utime_ns, uint64_t *stime_ns)
{
  uint64_t run = t->runtime_ns;
  if (t == current)
    run += time_monotonic_ns() - t->last_run_ns;
  uint64_t ticks = (uint64_t)t->user_ticks + t->sys_ticks;
  uint64_t u = ticks ? (uint64_t)((__uint128_t)run * t->user_ticks / ticks) : 0;
  *utime_ns = u;
  *stime_ns = run - u;
}

/*
 * Switch from prev to next; rq.lock is held. Saves prev's user FP state if
 * it changed, loads next's, and switches the page table when the address
 * space changes (kernel threads run on the kernel page table).
 */
static void context_switch(struct task *prev, struct task *next, int slice)
{
  uint64_t now = time_monotonic_ns();
  prev->runtime_ns += now - prev->last_run_ns;
  next->last_run_ns = now;

  if ((csr_read(sstatus) & SSTATUS_FS) == SSTATUS_FS_DIRTY && !prev->is_kernel_thread) {
    fpu_save(&prev->fp);
    prev->fp_live = true;
  }
  if (next->fp_live) {
    fpu_restore(&next->fp);
    csr_clear(sstatus, SSTATUS_FS);
    csr_set(sstatus, SSTATUS_FS_CLEAN);
  }
  if (next->mm != prev->mm)
    vm_switch(next->mm);

  struct cpu *c = prev->cpu;
  next->cpu = c;
  next->on_cpu = true;
  next->slice = slice;
  swtch(&prev->ctx, &next->ctx, next);
  /* Running as prev again, possibly on another hart. */
}

/* The second half of a switch, run by whichever task was switched to. */
static void finish_switch(struct task *prev)
{
  struct cpu *c = current->cpu;
  prev->on_cpu = false;
  struct task *dead = dead_task[c->id];
  dead_task[c->id] = NULL;
  spin_unlock(&rq.lock);
  if (dead)
    task_free(dead);
}

static struct task *switched_from[NCPU];

/*
 * Give up the hart. If current is still TASK_RUNNING it goes to the back of
 * the run queue; otherwise (sleeping, stopped, dead) it stays off the queue
 * until wake_up_task(). Must not be called with spinlocks held.
 */
void schedule(void)
{
  struct task *prev = current;
  spin_lock(&rq.lock);
  struct cpu *c = prev->cpu;
  if (c->noff != 1)
    panic("schedule: called holding %d spinlocks", c->noff - 1);
  c->need_resched = false;
  c->woke_task = false;
  if (prev->state == TASK_RUNNING && prev != c->idle && !prev->on_rq)
    enqueue(prev);
  if (prev->state != TASK_RUNNING && prev->state != TASK_DEAD)
    prev->nvcsw++;
  int slice = prev->slice;
  struct task *next = handoff_target(c, prev);
  if (!next) {
    next = dequeue();
    slice = next ? slice_for(next) : TIMESLICE_TICKS;
  }
  if (!next)
    next = c->idle;
  if (next == prev) {
    spin_unlock(&rq.lock);
    return;
  }
  if (prev->state == TASK_DEAD)
    dead_task[c->id] = prev;
  switched_from[c->id] = prev;
  context_switch(prev, next, slice);
  finish_switch(switched_from[current->cpu->id]);
}

/* A new task's first instructions (called from task_trampoline in swtch.S). */
void task_first_run(void)
{
  finish_switch(switched_from[current->cpu->id]);
  intr_on();
}

/*
 * Wakeup preemption: a task that woke another gives up the hart at its
 * next return to user once it has run for WAKEUP_GRANULARITY_NS, instead
 * of at the end of its time slice. Without it, a producer that never
 * sleeps (a UDP sender) runs its whole slice while the consumer it woke
 * waits, and the consumer's queue overflows. Linux's CFS behaves alike
 * (sched_wakeup_granularity, 1 ms). A task that ran for less keeps the
 * hart, so ping-pong patterns do not switch twice.
 */
void wakeup_preempt_check(void)
{
  struct task *cur = current;
  struct cpu *c = cur->cpu;
  if (c->woke_task && task_prio(cur) == 0 && time_monotonic_ns() - cur->last_run_ns >= WAKEUP_GRANULARITY_NS)
    c->need_resched = true;
}

/* Make a sleeping (or new) task runnable. Safe from interrupt context. */
void wake_up_state(struct task *t, long state_mask)
{
  spin_lock(&rq.lock);
  if (t->state & state_mask)
    t->state = TASK_RUNNING;
  if (t->state == TASK_RUNNING && !t->on_rq && !t->on_cpu) {
    enqueue(t);
    struct cpu *c = current->cpu;
    if (current != c->idle) {
      c->woke_task = true;
      c->last_woken = t;
      if (task_prio(t) > task_prio(current))
        c->need_resched = true;  /* a higher priority preempts at return to user */
    }
  }
  spin_unlock(&rq.lock);
}

void sched_fork(struct task *child, struct task *parent)
{
  child->policy = parent->policy;
  child->rt_priority = parent->rt_priority;
  child->reset_on_fork = parent->reset_on_fork;
  child->nice = parent->nice;
  if (parent->reset_on_fork) {  /* sched(7): back to SCHED_OTHER, and no negative nice */
    child->policy = SCHED_OTHER;
    child->rt_priority = 0;
    child->reset_on_fork = false;
    if (child->nice < 0)
      child->nice = 0;
  }
}

void sched_set_policy(struct task *t, int policy, int rt_priority, bool reset_on_fork)
{
  spin_lock(&rq.lock);
  bool queued = t->on_rq;
  if (queued)
    rq_remove(t);
  t->policy = policy;
  t->rt_priority = rt_priority;
  t->reset_on_fork = reset_on_fork;
  if (queued)
    enqueue(t);
  /* The running task no longer the most important: it yields at return to user. */
  struct task *cur = current;
  if (head_prio() > task_prio(cur))
    cur->cpu->need_resched = true;
  spin_unlock(&rq.lock);
}

void wake_up_task(struct task *t)
{
  wake_up_state(t, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

/* Queue a brand-new task for its first run. */
void sched_add_new(struct task *t)
{
  t->state = TASK_RUNNING;
  t->on_cpu = false;
  spin_lock(&rq.lock);
  enqueue(t);
  spin_unlock(&rq.lock);
}

void yield(void)
{
  current->nivcsw++;
  schedule();
}

/*
 * Load average: every 5 s, an exponential average of the number of
 * runnable tasks over 1, 5 and 15 minutes (Linux's fixed-point method,
 * 1.0 = 1 << 16).
 */
#define FSHIFT 16
#define FIXED_1 (1UL << FSHIFT)
static const uint64_t load_exp[3] = { 1884, 2014, 2037 }; /* 2^11 * exp(-5s/{1,5,15}min) */
static uint64_t loadavg[3];
static int load_ticks;

void loadavg_get(uint64_t loads[3])
{
  for (int i = 0; i < 3; i++)
    loads[i] = loadavg[i];
}

static void loadavg_update(void)
{
  uint64_t active = (uint64_t)(rq.nr_running + (current != current->cpu->idle)) * FIXED_1;
  for (int i = 0; i < 3; i++)
    loadavg[i] = (loadavg[i] * load_exp[i] + active * (2048 - load_exp[i])) >> 11;
}

/* Which mode the tick interrupted: called by the trap code just before it. */
void scheduler_tick_mode(bool user)
{
  if (user)
    current->user_ticks++;
  else
    current->sys_ticks++;
}

/* Timer tick (interrupt context): count down the time slice. */
void scheduler_tick(void)
{
  struct task *t = current;
  struct cpu *c = t->cpu;
  if (++load_ticks >= 5 * HZ) {
    load_ticks = 0;
    loadavg_update();
  }
  if (t == c->idle) {
    c->need_resched = rq.nr_running > 0;
    return;
  }
  /* SCHED_FIFO has no slice; the others leave when it is over and someone of
   * the same or a higher priority waits, or at once for a higher priority. */
  int prio = task_prio(t);
  spin_lock(&rq.lock);
  int head = head_prio();
  spin_unlock(&rq.lock);
  if (t->policy != SCHED_FIFO && --t->slice <= 0 && head >= prio)
    c->need_resched = true;
  if (head > prio)
    c->need_resched = true;
  posix_cpu_timers_tick(t);  /* CPU-time timers: ITIMER_VIRTUAL/PROF, timer_create */
}

bool need_resched(void)
{
  return current->cpu->need_resched;
}

/* ---- the idle task ---- */

void idle_loop(void)
{
  for (;;) {
    intr_off();
    if (READ_ONCE(rq.nr_running) == 0)
      wfi(); /* returns when an interrupt is pending, even with SIE off */
    intr_on(); /* take the interrupt here */
    schedule();
  }
}

/* ---- tasks ---- */

struct task *task_alloc(void)
{
  struct task *t = kzalloc(sizeof(*t));
  if (!t)
    return NULL;
  t->kstack = kalloc_pages(2); /* KSTACK_PAGES == 4 == 1 << 2 */
  if (!t->kstack) {
    kfree(t);
    return NULL;
  }
  t->tf = (struct trapframe *)((char *)t->kstack + KSTACK_PAGES * PAGE_SIZE) - 1;
  t->tf->kernel_tp = (uint64_t)t;
  list_init(&t->rq_link);
  list_init(&t->thread_link);
  sigpending_init(&t->pending);
  t->altstack.ss_flags = SS_DISABLE;
  timer_init(&t->sleep_timer, NULL, t);
  t->state = TASK_RUNNING;
  t->start_ns = t->last_run_ns = time_monotonic_ns();
  cred_copy_to_task(t, NULL); /* root's; clone replaces it with the parent's */
  t->timer_slack_ns = t->default_timer_slack_ns = TIMER_SLACK_DEFAULT_NS;
  return t;
}
STATIC_ASSERT(KSTACK_PAGES == 4);

/* Free a task that has finished running (its stack is no longer in use). */
void task_free(struct task *t)
{
  if (t->proc && !t->is_kernel_thread)
    process_put(t->proc); /* the task's reference (kern/process.c) */
  sigpending_flush(&t->pending);
  cred_release_task(t);
  kfree_pages(t->kstack, 2);
  kfree(t);
}

/* A kernel thread with the given id (0: allocate one), queued to run. */
struct task *kthread_create_tid(const char *name, void (*fn)(void *), void *arg, pid_t tid)
{
  struct task *t = task_alloc();
  if (!t)
    return NULL;
  t->is_kernel_thread = true;
  t->proc = init_task.proc;
  strlcpy(t->comm, name, sizeof(t->comm));
  t->ctx.ra = (uint64_t)task_trampoline;
  t->ctx.sp = (uint64_t)t->tf; /* the unused trapframe area is above sp */
  t->ctx.s[0] = (uint64_t)fn;
  t->ctx.s[1] = (uint64_t)arg;
  t->tid = tid ? tid : pid_alloc();
  sched_add_new(t);
  return t;
}

struct task *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
  return kthread_create_tid(name, fn, arg, 0);
}

void task_exit_kernel_thread(void)
{
  current->state = TASK_DEAD;
  schedule();
  panic("dead kernel thread ran again");
}

/* ---- wait queues ---- */

void wait_queue_init(struct wait_queue *wq)
{
  spin_init(&wq->lock, "waitq");
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

void wait_timeout_stop(struct wait_timeout *wt)
{
  timer_cancel(&wt->timer);
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

/* ---- mutex: a lock that sleeps ---- */

void mutex_init(struct mutex *m, const char *name)
{
  spin_init(&m->lk, name);
  m->locked = false;
  m->owner = NULL;
  wait_queue_init(&m->wq);
}

static bool mutex_try_take(struct mutex *m)
{
  bool ok = false;
  spin_lock(&m->lk);
  if (!m->locked) {
    m->locked = true;
    m->owner = current;
    ok = true;
  }
  spin_unlock(&m->lk);
  return ok;
}

void mutex_lock(struct mutex *m)
{
  if (m->owner == current && m->locked)
    panic("mutex_lock: %s: recursive lock", m->lk.name);
  wait_event_state(&m->wq, mutex_try_take(m), WAIT_FOREVER, TASK_UNINTERRUPTIBLE);
}

int mutex_lock_interruptible(struct mutex *m)
{
  long r = wait_event(&m->wq, mutex_try_take(m), WAIT_FOREVER);
  return r ? -EINTR : 0;
}

bool mutex_trylock(struct mutex *m)
{
  return mutex_try_take(m);
}

void mutex_unlock(struct mutex *m)
{
  spin_lock(&m->lk);
  m->locked = false;
  m->owner = NULL;
  spin_unlock(&m->lk);
  wake_up(&m->wq);
}

bool mutex_held(struct mutex *m)
{
  return m->locked && m->owner == current;
}
