/*
 * sched.c — the scheduler and the idle loop.
 *
 * Layer: core. Neighbours: kern/wait.c (wait queues and timed sleeps, over
 * wake_up_task here), kern/mutex.c (sleeping locks, over wait queues),
 * arch/riscv/swtch.S (the register switch), kern/process.c (processes),
 * kern/task.c (allocating tasks and kernel threads).
 *
 * One run queue, shared by all harts: each hart takes the first queued
 * task it may run (affinity), so load balancing is implicit
 * (docs/smp.md measures why one queue is enough for the harts QEMU gives
 * us). A task runs until it sleeps, or until its time slice
 * (TIMESLICE_TICKS timer ticks) runs out while it is in user mode: the
 * kernel itself is not preempted, which keeps kernel code free of
 * preemption races. Each hart has an idle task that waits in wfi when
 * nothing is runnable; a hart that queues work while others idle wakes
 * them with an IPI ("kick": right away from an idle hart or interrupt,
 * else at the waker's next schedule(), tick, or first return to user
 * KICK_DELAY_NS after the wake-up, so that a task that wakes another and
 * then sleeps in one of its next system calls — a pipe or socket round
 * trip, fork then wait — hands the hart over instead of bouncing the
 * work to another hart).
 *
 * The run-queue lock is held across swtch(): the task that was switched
 * to releases it (in schedule() after swtch returns, or in
 * task_first_run() for a brand-new task). So a task that is being
 * switched out cannot be picked by another hart before its registers are
 * saved.
 */
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/posix_timers.h"
#include "kern/cpu.h"
#include "kern/lockdep.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/param.h"
#include "arch/riscv/riscv.h"
#include <string.h>

struct cpu cpus[NCPU];
/* The boot task: entry.S runs kmain on it; it becomes hart 0's idle task. */
struct task init_task;

static struct {
  struct spinlock lock;
  struct list_head queue;
  int nr_running;         /* tasks on the queue */
  int head_prio;          /* head_prio(), kept for the tick to read without the lock */
  uint64_t enq_seq;       /* bumped by every enqueue: idle harts look again when it moves */
  uint64_t min_vruntime;  /* vruntime of the last SCHED_OTHER task taken off: never goes back */
  cpumask_t idle_mask;    /* harts running their idle task */
  cpumask_t kicked_mask;  /* idle harts sent an IPI that have not scheduled since */
} rq = { SPINLOCK_INIT("runqueue"), LIST_HEAD_INIT(rq.queue), 0, -1, 0, 0, 0 };

static inline bool cpu_allowed(const struct task *t, const struct cpu *c)
{
  return (t->cpus_allowed & cpumask_of(c->id)) != 0;
}

/* Set in schedule() when the outgoing task is dead: freed after the switch. */
static struct task *dead_task[NCPU];

void sched_init(void)
{
  for (int i = 0; i < NCPU; i++)
    cpus[i].slice_end_ns = SLICE_NONE;
  cpus[0].id = 0;
  cpus[0].online = true;
  init_task.cpu = &cpus[0];
  init_task.state = TASK_RUNNING;
  init_task.on_cpu = true;
  init_task.slice = TIMESLICE_TICKS;
  init_task.tid = 0;
  init_task.cpus_allowed = CPUMASK_ALL;
  strlcpy(init_task.comm, "idle", sizeof(init_task.comm));
  cpus[0].idle = cpus[0].curr = &init_task;
  rq.idle_mask = cpumask_of(0);
}

/* The idle task of a hart about to start (kern/smp.c); it runs on c->idle's stack. */
struct task *sched_idle_task_create(struct cpu *c)
{
  if (c->idle)
    return c->idle;
  struct task *t = task_alloc();
  if (!t)
    return NULL;
  t->is_kernel_thread = true;
  t->proc = &kernel_process;
  t->tid = 0;
  strlcpy(t->comm, "idle", sizeof(t->comm));
  t->cpu = c;
  t->on_cpu = true;
  t->cpus_allowed = cpumask_of(c->id);
  spin_lock(&rq.lock);
  c->idle = c->curr = t;
  rq.idle_mask |= cpumask_of(c->id);
  spin_unlock(&rq.lock);
  return t;
}

/*
 * Scheduling classes. A SCHED_FIFO or SCHED_RR task has a real-time
 * priority (1..99) and runs before every task of the other policies, which
 * share the hart round robin (priority 0 here). The one run queue is kept
 * in priority order: a task goes behind those of its own priority and ahead
 * of lower ones, so the head is always the task to run. The others
 * (priority 0) are kept in order of vruntime, the time each has run (not
 * weighed by nice), as Linux's CFS orders them: the one that ran least goes
 * first. A task that wakes is placed no further back than
 * SLEEPER_CREDIT_NS ahead of min_vruntime (the least run of those that
 * queued), a new one START_DEBIT_NS behind it: a task that mostly sleeps — a shell,
 * a measuring thread's parent — runs soon after it wakes, even behind
 * hundreds of busy tasks (cyclictest beside hackbench's 400), instead of
 * waiting a whole round of the queue; a busy task goes back behind those
 * that ran less. SCHED_FIFO runs
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

/*
 * CFS's slice: the runnable normal tasks share SCHED_LATENCY_NS (6 ms),
 * each at least SCHED_MIN_GRANULARITY_NS (sched_slice, equal weights);
 * the running one counts too. Indexed by the tasks waiting (1..7; more get
 * the least), so a switch computes nothing.
 */
#define SLICE(n) (SCHED_LATENCY_NS / (n) > SCHED_MIN_GRANULARITY_NS ? SCHED_LATENCY_NS / (n) : SCHED_MIN_GRANULARITY_NS)
static const uint64_t slice_ns[8] = { 0, SLICE(2), SLICE(3), SLICE(4), SLICE(5), SLICE(6), SLICE(7), SLICE(8) };

/*
 * Start the slice timer of hart c for its running task t, picked at c->picked_ns,
 * if a task waits on the queue: t leaves the hart once it has run its share
 * (sched_slice_expired), not after the TIMESLICE_TICKS ticks. Linux's tick
 * (250 Hz in the reference) checks the same share every 4 ms
 * (check_preempt_tick); Kite's 10 ms tick alone let a task run up to 20 ms
 * while a woken one waited (docs/tasks.md: iperf3's listener behind its
 * client). rq.lock held, on hart c.
 */
static inline void slice_arm(struct cpu *c, struct task *t)
{
  int waiting = rq.nr_running;
  if (waiting == 0 || t == c->idle || task_prio(t) != 0) {
    c->slice_end_ns = SLICE_NONE;
    return;
  }
  uint64_t end = c->picked_ns + (waiting < 8 ? slice_ns[waiting] : SCHED_MIN_GRANULARITY_NS);
  c->slice_end_ns = end;
  if (end < c->timer_ns)
    timer_program_before(end);
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
    /* behind every task that ran no more than t: walk from the tail (a
     * busy task goes there), stopping at the real-time ones */
    uint64_t floor = rq.min_vruntime > SLEEPER_CREDIT_NS ? rq.min_vruntime - SLEEPER_CREDIT_NS : 0;
    if (t->vruntime < floor)
      t->vruntime = floor;
    struct list_head *after = rq.queue.prev;
    while (after != &rq.queue) {
      struct task *q = list_entry(after, struct task, rq_link);
      if (task_prio(q) > 0 || q->vruntime <= t->vruntime)
        break;
      after = after->prev;
    }
    list_add(&t->rq_link, after);
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
  rq.enq_seq++;
  WRITE_ONCE(rq.head_prio, head_prio());
  struct cpu *self = mycpu();
  /* The task running here has someone waiting now: its slice counts. */
  if (self->slice_end_ns == SLICE_NONE && self->curr && self->curr != t && self->curr->on_cpu)
    slice_arm(self, self->curr);
  /* Idle harts (or, for a task that may not run here, any other hart)
   * may have to be woken for it: see kick_idle_locked(). */
  if ((rq.idle_mask & ~cpumask_of(self->id)) || !cpu_allowed(t, self)) {
    if (!self->kick_pending)
      self->kick_since = time_monotonic_ns();
    self->kick_pending = true;
    /* Woken by an interrupt: the task it interrupted will not sleep for
     * it, so the kick goes at the first return to user (sched_kick). */
    if (self->in_irq)
      self->kick_deferred = true;
  }
}

/*
 * Wake idle harts for the tasks on the queue (rq.lock held): each of the
 * first queued tasks gets an idle, not yet kicked hart it may run on.
 * A task that may not run on this hart and finds no idle hart makes one
 * of its harts consider wakeup preemption (IPI_PREEMPT) instead.
 */
static void kick_idle_locked(struct cpu *self)
{
  self->kick_pending = false;
  self->kick_deferred = false;
  cpumask_t online = cpu_online_mask();
  cpumask_t idle = rq.idle_mask & ~rq.kicked_mask & online & ~cpumask_of(self->id);
  bool self_free = self->curr == self->idle; /* this hart picks one task itself */
  cpumask_t send = 0, preempt = 0, resched = 0;
  int budget = 2 * NCPU;
  struct task *t;
  list_for_each_entry(t, &rq.queue, rq_link) {
    if (self_free && cpu_allowed(t, self)) {
      self_free = false;
    } else if (idle & t->cpus_allowed) {
      cpumask_t m = idle & t->cpus_allowed;
      cpumask_t one = m & -m;
      idle &= ~one;
      send |= one;
    } else if (!cpu_allowed(t, self) && (t->cpus_allowed & online)) {
      cpumask_t m = t->cpus_allowed & online;
      if (task_prio(t) > 0) {
        /* Real time: the allowed hart running the least important task,
         * if that is less important, reschedules now. */
        int best = -1, low = task_prio(t);
        for (int i = 0; i < NCPU; i++)
          if ((m & cpumask_of(i)) && cpus[i].curr && task_prio(cpus[i].curr) < low) {
            low = task_prio(cpus[i].curr);
            best = i;
          }
        if (best >= 0)
          resched |= cpumask_of(best);
      } else {
        preempt |= m & -m;
      }
    }
    if (--budget == 0 || (!idle && !self_free && t->cpus_allowed == CPUMASK_ALL))
      break;
  }
  rq.kicked_mask |= send;
  if (send)
    smp_send_ipi(send, 0);
  preempt &= ~send;
  if (preempt)
    smp_send_ipi(preempt, IPI_PREEMPT);
  resched &= ~send;
  if (resched)
    smp_send_ipi(resched, IPI_RESCHED);
}

/*
 * Wake idle harts for work this hart queued (at return to user). Returns
 * within KICK_DELAY_NS of the wake-up let the kick wait: if the task
 * sleeps in one of its next system calls, schedule() hands this hart to
 * the wakee and no IPI is needed — a writer that then reads its reply,
 * or musl's fork, whose parent returns from clone, restores its signal
 * mask and waits. A task that goes on longer kicks at its next return
 * (or its hart's tick). A task queued by an interrupt kicks at once.
 */
void sched_kick(void)
{
  struct cpu *c = mycpu();
  if (!c->kick_pending)
    return;
  if (!c->kick_deferred && time_monotonic_ns() - c->kick_since < KICK_DELAY_NS)
    return;
  spin_lock(&rq.lock);
  kick_idle_locked(c);
  spin_unlock(&rq.lock);
}

/* Take t off the run queue; no hart may hand off to it any more. */
static void rq_remove(struct task *t)
{
  list_del(&t->rq_link);
  t->on_rq = false;
  rq.nr_running--;
  WRITE_ONCE(rq.head_prio, head_prio());
  for (int i = 0; i < NCPU; i++)
    if (cpus[i].last_woken == t)
      cpus[i].last_woken = NULL;
}

/* The first queued task that may run on hart c, taken off the queue. */
static struct task *dequeue(struct cpu *c)
{
  struct task *t;
  list_for_each_entry(t, &rq.queue, rq_link) {
    if (cpu_allowed(t, c)) {
      rq_remove(t);
      if (task_prio(t) == 0 && t->vruntime > rq.min_vruntime)
        rq.min_vruntime = t->vruntime;
      return t;
    }
  }
  return NULL;
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
  if (!t || !t->on_rq || prev == c->idle || prev->state == TASK_RUNNING || prev->slice <= 0 ||
      !cpu_allowed(t, c))
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
  uint64_t run = READ_ONCE(t->runtime_ns);
  /* Running now, here or on another hart: add the current stretch. */
  if (t == current || (READ_ONCE(t->on_cpu) && !t->is_kernel_thread)) {
    uint64_t now = time_monotonic_ns(), since = READ_ONCE(t->last_run_ns);
    if (now > since)
      run += now - since;
  }
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
  prev->last_run_ns = now; /* task_cputime() may look before on_cpu is cleared */
  next->last_run_ns = now;
  next->vr_stamp = now;

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
  if (next->cpu && next->cpu != c)
    c->nr_migrations++;
  next->cpu = c;
  next->on_cpu = true;
  next->slice = slice;
  c->curr = next;
  c->picked_ns = now;
  slice_arm(c, next);
  c->nr_switches++;
  if (next == c->idle)
    rq.idle_mask |= cpumask_of(c->id);
  else
    rq.idle_mask &= ~cpumask_of(c->id);
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
  rq.kicked_mask &= ~cpumask_of(c->id);
  if (prev != c->idle) {  /* its run time so far counts before it queues again */
    uint64_t now = time_monotonic_ns();
    if (now > prev->vr_stamp)
      prev->vruntime += now - prev->vr_stamp;
    prev->vr_stamp = now;
  }
  if (prev->state == TASK_RUNNING && prev != c->idle && !prev->on_rq)
    enqueue(prev);
  if (prev->state != TASK_RUNNING && prev->state != TASK_DEAD)
    prev->nvcsw++;
  int slice = prev->slice;
  struct task *next = handoff_target(c, prev);
  if (!next) {
    next = dequeue(c);
    slice = next ? slice_for(next) : TIMESLICE_TICKS;
  }
  if (!next) {
    next = c->idle;
    c->idle_seen_seq = rq.enq_seq;
  }
  if (c->kick_pending) {
    struct task *cur = c->curr;
    c->curr = next; /* this hart is no longer free to take queued work itself */
    kick_idle_locked(c);
    c->curr = cur;
  }
  if (next == prev) {
    if (prev != c->idle) {  /* picked again: a new slice, as set_next_entity starts one */
      c->picked_ns = time_monotonic_ns();
      slice_arm(c, prev);
    }
    spin_unlock(&rq.lock);
    return;
  }
  if (prev->state == TASK_DEAD)
    dead_task[c->id] = prev;
  switched_from[c->id] = prev;
  context_switch(prev, next, slice);
  finish_switch(switched_from[current->cpu->id]);
}

/* A new task's first instructions (called from the trampolines in swtch.S and trapvec.S). */
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

/*
 * Make a sleeping (or new) task runnable. Safe from interrupt context.
 * The full fence orders the caller's store of the condition before the
 * load of t->state; the sleeper has the mirror fence between setting its
 * state and testing the condition (prepare_to_wait). Without the pair,
 * on two harts both could read the old values: a lost wake-up.
 */
void wake_up_state(struct task *t, long state_mask)
{
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  spin_lock(&rq.lock);
  if (t->state & state_mask)
    t->state = TASK_RUNNING;
  if (t->state == TASK_RUNNING && !t->on_rq && !t->on_cpu) {
    if (t->is_kernel_thread)
      t->vruntime = 0;  /* the kernel's own work (net timers, flushing) goes first, as softirqs */
    enqueue(t);
    struct cpu *c = current->cpu;
    if (current == c->idle) {
      kick_idle_locked(c); /* an interrupt on an idle hart: nothing to wait for */
    } else if (cpu_allowed(t, c)) {
      c->woke_task = true;
      c->last_woken = t;
      if (task_prio(t) > task_prio(current))
        c->need_resched = true;  /* a higher priority preempts at return to user */
    }
  }
  spin_unlock(&rq.lock);
}

/*
 * t may be running in user mode on another hart: interrupt that hart so
 * t passes through prepare_return_to_user (signals) soon, not at its next
 * tick. Linux's kick_process().
 */
void sched_kick_task(struct task *t)
{
  if (ncpu == 1)
    return;
  spin_lock(&rq.lock);
  struct cpu *c = t->cpu;
  if (t->on_cpu && c && c != mycpu() && c->curr == t)
    smp_send_ipi(cpumask_of(c->id), 0);
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
  /* No sleeper's credit: it has not slept. It starts START_DEBIT_NS behind
   * min_vruntime, as CFS's START_DEBIT does (a slice of two tasks), so the
   * tasks already queued run first. A task preempted with a little work
   * left — wakeup preemption after it ran 1 ms — is up to that much past
   * min_vruntime; placed at min_vruntime, a new task went ahead of it:
   * iperf3's server, preempted after answering its client, was still
   * queued when the client exited and the shell started the next client,
   * which connected to the old listener and was told "busy"
   * (docs/net-sockets.md). */
  t->vruntime = rq.min_vruntime + START_DEBIT_NS;
  enqueue(t);
  if (current == current->cpu->idle)
    kick_idle_locked(current->cpu);
  spin_unlock(&rq.lock);
}

/*
 * Restrict t to the harts in mask (logical ids; sched_setaffinity). If t
 * runs on a hart it may no longer use, that hart reschedules and t moves
 * at its next return to user. Returns 0 or -EINVAL (no online hart left).
 */
int sched_set_affinity(struct task *t, cpumask_t mask)
{
  mask &= CPUMASK_ALL;
  if (!(mask & cpu_online_mask()))
    return -EINVAL;
  spin_lock(&rq.lock);
  t->cpus_allowed = mask;
  struct cpu *self = mycpu();
  if (t->on_cpu && !cpu_allowed(t, t->cpu)) {
    if (t->cpu == self)
      self->need_resched = true;
    else
      smp_send_ipi(cpumask_of(t->cpu->id), IPI_RESCHED);
  } else if (t->on_rq) {
    self->kick_pending = true;
  }
  spin_unlock(&rq.lock);
  return 0;
}

/* Give up the hart to the tasks queued: behind all of them (sched_yield). */
void yield(void)
{
  struct task *cur = current;
  cur->nivcsw++;
  spin_lock(&rq.lock);
  if (!list_empty(&rq.queue)) {
    struct task *last = list_entry(rq.queue.prev, struct task, rq_link);
    if (task_prio(last) == 0 && last->vruntime > cur->vruntime)
      cur->vruntime = last->vruntime;
  }
  spin_unlock(&rq.lock);
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
  int busy = 0;
  cpumask_t online = cpu_online_mask();
  for (int i = 0; i < NCPU; i++)
    if ((online & cpumask_of(i)) && !(READ_ONCE(rq.idle_mask) & cpumask_of(i)))
      busy++;
  uint64_t active = (uint64_t)(READ_ONCE(rq.nr_running) + busy) * FIXED_1;
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
  mycpu()->tick_from_user = user;
}

/* Timer tick (interrupt context): count down the time slice. */
void scheduler_tick(void)
{
  struct task *t = current;
  struct cpu *c = t->cpu;
  c->stat[t == c->idle ? CPU_IDLE : c->tick_from_user ? CPU_USER : CPU_SYSTEM]++;
  if (c->id == 0 && ++load_ticks >= 5 * HZ) { /* one hart keeps the load average */
    load_ticks = 0;
    loadavg_update();
  }
  if (t == c->idle) {
    c->need_resched = READ_ONCE(rq.enq_seq) != c->idle_seen_seq;
    return;
  }
  if (c->kick_pending) { /* the task went on computing after a wake-up (sched_kick) */
    spin_lock(&rq.lock);
    kick_idle_locked(c);
    spin_unlock(&rq.lock);
  }
  /* SCHED_FIFO has no slice; the others leave when it is over and someone of
   * the same or a higher priority waits, or at once for a higher priority. */
  int prio = task_prio(t);
  int head = READ_ONCE(rq.head_prio); /* no lock: every hart ticks, a stale value costs a tick */
  if (t->policy != SCHED_FIFO && --t->slice <= 0 && head >= prio)
    c->need_resched = true;
  if (head > prio)
    c->need_resched = true;
  posix_cpu_timers_tick(t);  /* CPU-time timers: ITIMER_VIRTUAL/PROF, timer_create; RLIMIT_CPU */
}

void sched_slice_expired(void)
{
  struct cpu *c = mycpu();
  struct task *t = current;
  c->slice_end_ns = SLICE_NONE;
  /* a normal task waits (a real-time one has set need_resched already) */
  if (t != c->idle && task_prio(t) == 0 && READ_ONCE(rq.head_prio) == 0)
    c->need_resched = true;
}

bool need_resched(void)
{
  return current->cpu->need_resched;
}

/* ---- the idle task ---- */

/*
 * Wait for work. Nothing new was queued since this hart last found no
 * task it may run (rq.enq_seq did not move): sleep in wfi until an
 * interrupt — the tick, a device, or an IPI from a hart that queued a
 * task for us. Interrupts are off between the check and wfi, so an IPI
 * sent after the check still ends the wfi.
 */
void idle_loop(void)
{
  struct cpu *c = mycpu();
  for (;;) {
    intr_off();
    if (READ_ONCE(rq.enq_seq) == READ_ONCE(c->idle_seen_seq) && !c->need_resched)
      wfi(); /* returns when an interrupt is pending, even with SIE off */
    intr_on(); /* take the interrupt here */
    schedule();
  }
}

/* Per-hart and run-queue figures for /proc/stat. */
void sched_stats(int *running, uint64_t *switches)
{
  *running = READ_ONCE(rq.nr_running);
  uint64_t n = 0;
  cpumask_t online = cpu_online_mask();
  for (int i = 0; i < NCPU; i++)
    if (online & cpumask_of(i)) {
      n += READ_ONCE(cpus[i].nr_switches);
      if (!(READ_ONCE(rq.idle_mask) & cpumask_of(i)))
        (*running)++;
    }
  *switches = n;
}
