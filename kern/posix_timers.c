/*
 * posix_timers.c — POSIX per-process timers (timer_create, timer_settime,
 * timer_gettime, timer_getoverrun, timer_delete) and the CPU-time
 * interval timers ITIMER_VIRTUAL and ITIMER_PROF.
 *
 * Layer: system calls and mechanism together (kern/sys_time.c has the
 * clocks and ITIMER_REAL; kern/time.c the one-shot kernel timers these
 * are built on; kern/signal.c queues their signals).
 *
 * A timer counts on one of three bases:
 *   BASE_MONO   monotonic time: CLOCK_MONOTONIC and BOOTTIME, and relative
 *               timers on the real-time clocks (as Linux's hrtimers do)
 *   BASE_REAL   real time: CLOCK_REALTIME (and TAI, REALTIME_ALARM) armed
 *               with TIMER_ABSTIME; when the clock is set they follow it
 *   BASE_PCPU / BASE_TCPU   the process's or one thread's CPU time
 * The first two ride on a kernel timer (struct timer, interrupt context);
 * CPU-time timers are checked at every scheduler tick charged to one of
 * the process's threads, since CPU time only advances then.
 *
 * On expiry a timer queues its signal (SI_TIMER, the timer's id and
 * value), to the process or with SIGEV_THREAD_ID to one thread. If that
 * signal is still queued from an earlier expiry, no second one is queued:
 * the queued one's overrun count goes up instead (kern/signal.c), and
 * timer_getoverrun reports the count of the signal delivered last. A
 * periodic timer is re-armed at its next period; when its signal could
 * not be queued (already pending, or ignored) not sooner than one tick
 * from now, so a tiny interval cannot flood the machine with interrupts.
 * SIGEV_NONE timers are never armed: timer_gettime computes them.
 *
 * Locks: ptimer_lock (a spinlock, taken in interrupt context) protects
 * every timer's state, each process's list and its ITIMER_VIRTUAL/PROF.
 * Order: sighand->lock > ptimer_lock > timer_lock (kern/time.c); signals
 * are sent and proc_lock is taken only with ptimer_lock released.
 */
#include "kern/posix_timers.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/time.h"
#include "kern/signal.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/param.h"
#include "kern/errno.h"
#include <string.h>

/* struct sigevent (asm-generic, 64-bit) */
struct sigevent64 {
  uint64_t sigev_value;
  int32_t sigev_signo;
  int32_t sigev_notify;
  int32_t sigev_tid;
  int32_t pad[11];
};
STATIC_ASSERT(sizeof(struct sigevent64) == 64);

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

struct itimerspec64 {
  struct timespec64 it_interval, it_value;
};

enum { BASE_MONO, BASE_REAL, BASE_PCPU, BASE_TCPU };

struct ptimer {
  struct list_head link;        /* in proc->posix_timers */
  struct list_head real_link;   /* in real_timers while armed on BASE_REAL */
  struct process *proc;
  int id;
  uint64_t seq;                 /* unique: names its queued signals */
  int clock;                    /* as given to timer_create */
  int base;
  pid_t cpu_tid;                /* BASE_TCPU: whose CPU time */
  bool signal;                  /* false: SIGEV_NONE */
  int signo;
  uint64_t sigval;
  pid_t target_tid;             /* SIGEV_THREAD_ID's thread, else 0 */
  uint64_t expires;             /* next expiry on its base; 0 = disarmed */
  uint64_t interval;
  int overrun_last;             /* of the signal delivered last */
  bool dead;                    /* deleted; the callback must not re-arm */
  struct timer ktimer;          /* BASE_MONO and BASE_REAL */
};

static struct spinlock ptimer_lock = SPINLOCK_INIT("ptimers");
static LIST_HEAD(real_timers);
static uint64_t next_seq = 1;

#define TICK_NS (NSEC_PER_SEC / HZ)

/* ---- clocks ---- */

static uint64_t proc_cpu_ns(struct process *p, bool user_only)
{
  uint64_t u, s;
  process_cputime(p, &u, &s);
  return user_only ? u : u + s;
}

/* Now on t's base (ptimer_lock not held: the CPU clocks take proc_lock). */
static uint64_t base_now(int base, struct process *p, pid_t tid)
{
  switch (base) {
  case BASE_REAL:
    return time_realtime_ns();
  case BASE_PCPU:
    return proc_cpu_ns(p, false);
  case BASE_TCPU:
    if (tid == current->tid) {
      uint64_t u, s;
      task_cputime(current, &u, &s);
      return u + s;
    } else {
      uint64_t ns = 0;
      spin_lock(&proc_lock);
      struct task *t = find_task(tid);
      if (t && t->proc == p) {
        uint64_t u, s;
        task_cputime(t, &u, &s);
        ns = u + s;
      }
      spin_unlock(&proc_lock);
      return ns;
    }
  default:
    return time_monotonic_ns();
  }
}

/* The monotonic deadline of an expiry on BASE_MONO or BASE_REAL. */
static uint64_t mono_deadline(int base, uint64_t expires)
{
  if (base != BASE_REAL)
    return expires;
  uint64_t mono = time_monotonic_ns(), real = time_realtime_ns();
  return expires > real ? mono + (expires - real) : mono;
}

/* Periods of `interval` from expires until the first one after now (>= 1
 * when expires <= now): the expiries that have passed. */
static uint64_t periods_passed(uint64_t expires, uint64_t interval, uint64_t now)
{
  if (expires > now)
    return 0;
  return (now - expires) / interval + 1;
}

/* ---- arming (ptimer_lock held) ---- */

static bool on_kernel_timer(struct ptimer *t)
{
  return t->base == BASE_MONO || t->base == BASE_REAL;
}

static void disarm_locked(struct ptimer *t)
{
  if (t->expires && t->signal && !on_kernel_timer(t))
    t->proc->cpu_timers_active--;
  if (!list_empty(&t->real_link)) {
    list_del(&t->real_link);
    list_init(&t->real_link);
  }
  if (on_kernel_timer(t))
    timer_cancel(&t->ktimer);
  t->expires = 0;
}

static void arm_locked(struct ptimer *t, uint64_t expires)
{
  t->expires = expires;
  if (!t->signal)
    return; /* SIGEV_NONE: nothing ever happens; timer_gettime computes */
  if (!on_kernel_timer(t)) {
    t->proc->cpu_timers_active++;
    return;
  }
  if (t->base == BASE_REAL && list_empty(&t->real_link))
    list_add_tail(&t->real_link, &real_timers);
  timer_arm(&t->ktimer, mono_deadline(t->base, expires));
}

/* ---- expiry ---- */

/* What to send for one expiry, copied out under ptimer_lock. */
struct expiry {
  struct process *proc;
  pid_t tid;
  int signo;
  struct ksiginfo info;
};

/*
 * t expired at `now` (ptimer_lock held): advance it and fill *e with the
 * signal to send. Returns false if there is none (SIGEV_NONE).
 */
static bool expire_locked(struct ptimer *t, uint64_t now, struct expiry *e)
{
  uint64_t missed = 0;
  if (t->interval) {
    uint64_t k = periods_passed(t->expires, t->interval, now);
    missed = k ? k - 1 : 0;
    t->expires += k * t->interval;
  } else {
    disarm_locked(t);
  }
  if (!t->signal)
    return false;
  memset(e, 0, sizeof(*e));
  e->proc = t->proc;
  e->tid = t->target_tid;
  e->signo = t->signo;
  e->info.signo = t->signo;
  e->info.code = SI_TIMER;
  e->info.pid = t->id;                                   /* si_timerid */
  e->info.uid = missed > INT32_MAX ? INT32_MAX : (uint32_t)missed; /* si_overrun */
  e->info.value = t->sigval;
  e->info.timer_seq = t->seq;
  return true;
}

/* Send it (no lock held); true if a new signal was queued. */
static bool send_expiry(struct expiry *e)
{
  if (!e->tid)
    return send_timer_signal(e->proc, NULL, e->signo, &e->info) == TIMER_SIGNAL_QUEUED;
  spin_lock(&proc_lock);
  struct task *t = find_task(e->tid);
  int r = TIMER_SIGNAL_DROPPED;
  if (t && t->proc == e->proc)
    r = send_timer_signal(e->proc, t, e->signo, &e->info);
  spin_unlock(&proc_lock);
  return r == TIMER_SIGNAL_QUEUED;
}

/* A kernel timer of a BASE_MONO / BASE_REAL timer fired (interrupt context). */
static void ptimer_fire(struct timer *kt)
{
  struct ptimer *t = kt->data;
  struct expiry e;
  spin_lock(&ptimer_lock);
  if (t->dead || !t->expires) {
    spin_unlock(&ptimer_lock);
    return;
  }
  uint64_t now = t->base == BASE_REAL ? time_realtime_ns() : time_monotonic_ns();
  if (now < t->expires) { /* the clock was set back meanwhile */
    timer_arm(&t->ktimer, mono_deadline(t->base, t->expires));
    spin_unlock(&ptimer_lock);
    return;
  }
  bool send = expire_locked(t, now, &e);
  uint64_t expires = t->expires;
  spin_unlock(&ptimer_lock);
  bool queued = send && send_expiry(&e);
  if (!expires)
    return;
  /* Periodic: the next period; if nothing new was queued (the signal is
   * still pending or ignored), not before a tick from now. */
  spin_lock(&ptimer_lock);
  if (!t->dead && t->expires == expires) {
    uint64_t at = mono_deadline(t->base, t->expires);
    uint64_t floor = time_monotonic_ns() + TICK_NS;
    if (!queued && at < floor)
      at = floor;
    timer_arm(&t->ktimer, at);
  }
  spin_unlock(&ptimer_lock);
}

/* ---- CPU-time timers: checked at each tick ---- */

#define TICK_FIRE_MAX 8

/* RLIMIT_CPU (seconds), as Linux's check_process_timers: SIGXCPU at the soft
 * limit, which then moves up a second while below the hard one; SIGKILL at
 * the hard limit. */
static void rlimit_cpu_tick(struct process *p)
{
  uint64_t soft = READ_ONCE(p->rlim[RLIMIT_CPU].cur), hard = READ_ONCE(p->rlim[RLIMIT_CPU].max), u, s;
  if (soft == RLIM_INFINITY || soft > UINT64_MAX / NSEC_PER_SEC)
    return;
  process_cputime(p, &u, &s);
  if (hard <= UINT64_MAX / NSEC_PER_SEC && u + s >= hard * NSEC_PER_SEC) {
    send_signal_process(p, SIGKILL, NULL);
  } else if (u + s >= soft * NSEC_PER_SEC) {
    if (soft < hard)
      WRITE_ONCE(p->rlim[RLIMIT_CPU].cur, soft + 1);
    struct ksiginfo info = { .signo = SIGXCPU, .code = SI_KERNEL };
    send_signal_process(p, SIGXCPU, &info);
  }
}

void posix_cpu_timers_tick(struct task *cur)
{
  struct process *p = cur->proc;
  if (!p || p == &kernel_process || cur->is_kernel_thread)
    return;
  rlimit_cpu_tick(p);
  if (!READ_ONCE(p->cpu_timers_active))
    return;
  uint64_t u, s, tu, ts;
  process_cputime(p, &u, &s);
  task_cputime(cur, &tu, &ts);
  struct expiry fire[TICK_FIRE_MAX];
  int n = 0;
  spin_lock(&ptimer_lock);
  for (int w = 0; w < 2 && n < TICK_FIRE_MAX; w++) {
    struct cpu_itimer *it = &p->itimer_cpu[w];
    uint64_t now = w == 0 ? u : u + s;   /* ITIMER_VIRTUAL: user time; PROF: all */
    if (!it->expires || now < it->expires)
      continue;
    if (it->interval) {
      it->expires += periods_passed(it->expires, it->interval, now) * it->interval;
    } else {
      it->expires = 0;
      p->cpu_timers_active--;
    }
    memset(&fire[n], 0, sizeof(fire[n]));
    fire[n].proc = p;
    fire[n].signo = w == 0 ? SIGVTALRM : SIGPROF;
    fire[n].info.signo = fire[n].signo;
    fire[n].info.code = SI_KERNEL;
    n++;
  }
  struct ptimer *t;
  list_for_each_entry(t, &p->posix_timers, link) {
    if (n >= TICK_FIRE_MAX)
      break;
    if (on_kernel_timer(t) || !t->expires || !t->signal)
      continue;
    if (t->base == BASE_TCPU && t->cpu_tid != cur->tid)
      continue;
    uint64_t now = t->base == BASE_TCPU ? tu + ts : u + s;
    if (now >= t->expires && expire_locked(t, now, &fire[n]))
      n++;
  }
  spin_unlock(&ptimer_lock);
  for (int i = 0; i < n; i++) {
    if (fire[i].info.code == SI_TIMER)
      send_expiry(&fire[i]);
    else
      send_signal_process(fire[i].proc, fire[i].signo, &fire[i].info);
  }
}

void cpu_itimer_get(int which, uint64_t *value, uint64_t *interval)
{
  struct process *p = current->proc;
  uint64_t now = proc_cpu_ns(p, which == 1);
  spin_lock(&ptimer_lock);
  struct cpu_itimer *it = &p->itimer_cpu[which - 1];
  /* expired but not yet seen by a tick: "about to fire", a tick (Linux) */
  *value = it->expires ? (it->expires > now ? it->expires - now : TICK_NS) : 0;
  *interval = it->interval;
  spin_unlock(&ptimer_lock);
}

void cpu_itimer_set(int which, uint64_t value, uint64_t interval, uint64_t *ovalue,
                    uint64_t *ointerval)
{
  struct process *p = current->proc;
  uint64_t now = proc_cpu_ns(p, which == 1);
  spin_lock(&ptimer_lock);
  struct cpu_itimer *it = &p->itimer_cpu[which - 1];
  *ovalue = it->expires ? (it->expires > now ? it->expires - now : TICK_NS) : 0;
  *ointerval = it->interval;
  if (it->expires)
    p->cpu_timers_active--;
  /* Linux adds a tick, so the timer never expires early at tick accuracy. */
  it->expires = value ? now + value + TICK_NS : 0;
  it->interval = interval;
  if (it->expires)
    p->cpu_timers_active++;
  spin_unlock(&ptimer_lock);
}

/* ---- delivery bookkeeping, exit, exec, clock changes ---- */

void posix_timer_signal_taken(struct process *p, const struct ksiginfo *info)
{
  spin_lock(&ptimer_lock);
  struct ptimer *t;
  list_for_each_entry(t, &p->posix_timers, link) {
    if (t->seq == info->timer_seq) {
      t->overrun_last = (int)info->uid;
      break;
    }
  }
  spin_unlock(&ptimer_lock);
}

/* Free t, already off its process's list (process context, no locks). */
static void ptimer_free(struct ptimer *t)
{
  timer_cancel_sync(&t->ktimer);
  kfree(t);
}

/* Take t off its process's list and stop it (ptimer_lock held). */
static void unlink_locked(struct ptimer *t)
{
  disarm_locked(t);
  t->dead = true;
  list_del(&t->link);
}

void posix_timers_exec(struct process *p)
{
  for (;;) {
    spin_lock(&ptimer_lock);
    struct ptimer *t = list_empty(&p->posix_timers) ? NULL
                           : list_first_entry(&p->posix_timers, struct ptimer, link);
    if (t)
      unlink_locked(t);
    spin_unlock(&ptimer_lock);
    if (!t)
      return;
    ptimer_free(t);
  }
}

void posix_timers_exit(struct process *p)
{
  posix_timers_exec(p);
  spin_lock(&ptimer_lock);
  p->itimer_cpu[0].expires = p->itimer_cpu[1].expires = 0;
  p->cpu_timers_active = 0;
  spin_unlock(&ptimer_lock);
}

static void posix_timers_clock_was_set(void)
{
  spin_lock(&ptimer_lock);
  struct ptimer *t;
  list_for_each_entry(t, &real_timers, real_link)
    if (t->expires)
      timer_arm(&t->ktimer, mono_deadline(BASE_REAL, t->expires));
  spin_unlock(&ptimer_lock);
}

static struct clock_set_hook ptimer_clock_hook = { .clock_was_set = posix_timers_clock_was_set };

void posix_timers_init(void)
{
  time_add_clock_set_hook(&ptimer_clock_hook);
}

/* CPU time of every thread of p, live and exited. */
void process_cputime(struct process *p, uint64_t *utime_ns, uint64_t *stime_ns)
{
  uint64_t ut = p->dead_utime_ns, st = p->dead_stime_ns;
  spin_lock(&proc_lock);
  struct task *t;
  list_for_each_entry(t, &p->threads, thread_link) {
    uint64_t u, s;
    task_cputime(t, &u, &s);
    ut += u;
    st += s;
  }
  spin_unlock(&proc_lock);
  *utime_ns = ut;
  *stime_ns = st;
}

/* ---- the clocks a timer may use ---- */

#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH(c) ((c) & 3)
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PID(c) ((pid_t) ~((c) >> 3))

/*
 * A negative clock id names another process's or thread's CPU clock (and
 * 0 in it means the caller). Finds whose, and which part of its time:
 * *tid set for a thread clock. 0 or -EINVAL.
 */
static long cpu_clock_target(int clockid, struct process **pp, pid_t *tid)
{
  if (CPUCLOCK_WHICH(clockid) > CPUCLOCK_SCHED)
    return -EINVAL;
  pid_t pid = CPUCLOCK_PID(clockid);
  bool thread = clockid & CPUCLOCK_PERTHREAD;
  if (pid == 0) {
    *pp = current->proc;
    *tid = thread ? current->tid : 0;
    process_get(*pp);
    return 0;
  }
  long r = -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = find_task_vnr(pid);
  if (t && t->proc && (!thread || t->proc == current->proc)) {
    *pp = t->proc;
    *tid = thread ? t->tid : 0;
    process_get(*pp);
    r = 0;
  }
  spin_unlock(&proc_lock);
  return r;
}

long cpu_clock_read(int clockid, uint64_t *ns)
{
  struct process *p;
  pid_t tid;
  long r = cpu_clock_target(clockid, &p, &tid);
  if (r)
    return r;
  bool user_only = CPUCLOCK_WHICH(clockid) == 1; /* CPUCLOCK_VIRT */
  uint64_t u = 0, s = 0;
  if (tid) {
    spin_lock(&proc_lock);
    struct task *t = find_task(tid);
    if (t)
      task_cputime(t, &u, &s);
    spin_unlock(&proc_lock);
  } else {
    process_cputime(p, &u, &s);
  }
  *ns = user_only ? u : u + s;
  process_put(p);
  return 0;
}

/* Which base a new timer on clockid counts on; -EINVAL / -EOPNOTSUPP. */
static long timer_base(int clockid, pid_t *cpu_tid)
{
  *cpu_tid = 0;
  switch (clockid) {
  case CLOCK_REALTIME:
  case CLOCK_TAI:
  case CLOCK_REALTIME_ALARM:
    return BASE_REAL; /* BASE_MONO once armed relative */
  case CLOCK_MONOTONIC:
  case CLOCK_BOOTTIME:
  case CLOCK_BOOTTIME_ALARM:
    return BASE_MONO;
  case CLOCK_PROCESS_CPUTIME_ID:
    return BASE_PCPU;
  case CLOCK_THREAD_CPUTIME_ID:
    *cpu_tid = current->tid;
    return BASE_TCPU;
  case CLOCK_MONOTONIC_RAW:
  case CLOCK_REALTIME_COARSE:
  case CLOCK_MONOTONIC_COARSE:
    return -EOPNOTSUPP; /* clocks Linux reads but cannot time */
  }
  if (clockid >= 0)
    return -EINVAL;
  /* Another process's or thread's CPU clock: only our own process's
   * threads are supported as timer bases here. */
  struct process *p;
  pid_t tid;
  long r = cpu_clock_target(clockid, &p, &tid);
  if (r)
    return r;
  bool ours = p == current->proc;
  process_put(p);
  if (!ours)
    return -EINVAL;
  *cpu_tid = tid;
  return tid ? BASE_TCPU : BASE_PCPU;
}

static bool is_realtime_clock(int clockid)
{
  return clockid == CLOCK_REALTIME || clockid == CLOCK_TAI || clockid == CLOCK_REALTIME_ALARM;
}

/* ---- the system calls ---- */

static struct ptimer *find_timer_locked(struct process *p, int id)
{
  struct ptimer *t;
  list_for_each_entry(t, &p->posix_timers, link)
    if (t->id == id)
      return t;
  return NULL;
}

static int count_timers_locked(struct process *p)
{
  int n = 0;
  struct ptimer *t;
  list_for_each_entry(t, &p->posix_timers, link)
    n++;
  return n;
}

/*
 * Check a struct sigevent as Linux's good_sigevent does. SIGEV_THREAD is
 * the C library's business (a thread it starts on a signal): to the
 * kernel it means a signal to the process, like SIGEV_SIGNAL.
 */
static long check_sigevent(const struct sigevent64 *ev)
{
  switch (ev->sigev_notify) {
  case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
    spin_lock(&proc_lock);
    struct task *t = find_task(ev->sigev_tid);
    bool ok = t && t->proc == current->proc;
    spin_unlock(&proc_lock);
    if (!ok)
      return -EINVAL;
  }
    /* fall through */
  case SIGEV_SIGNAL:
  case SIGEV_THREAD:
    return ev->sigev_signo <= 0 || ev->sigev_signo > NSIG ? -EINVAL : 0;
  case SIGEV_NONE:
    return 0;
  default:
    return -EINVAL;
  }
}

long sys_timer_create(int clockid, uaddr_t usevp, uaddr_t utimerid)
{
  struct sigevent64 ev;
  if (usevp && copyin(&ev, usevp, sizeof(ev)))
    return -EFAULT;
  pid_t cpu_tid;
  long base = timer_base(clockid, &cpu_tid);
  if (base < 0)
    return base;
  struct ptimer *t = kzalloc(sizeof(*t));
  if (!t)
    return -EAGAIN;
  list_init(&t->link);
  list_init(&t->real_link);
  timer_init(&t->ktimer, ptimer_fire, t);
  t->proc = current->proc;
  t->clock = clockid;
  t->base = (int)base;
  t->cpu_tid = cpu_tid;
  if (usevp) {
    long r = check_sigevent(&ev);
    if (r) {
      kfree(t);
      return r;
    }
    t->signal = ev.sigev_notify != SIGEV_NONE;
    t->signo = ev.sigev_signo;
    t->sigval = ev.sigev_value;
    t->target_tid = ev.sigev_notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID) ? ev.sigev_tid : 0;
  } else {
    t->signal = true;
    t->signo = SIGALRM;
  }
  struct process *p = current->proc;
  spin_lock(&ptimer_lock);
  if (count_timers_locked(p) >= (int)MIN(rlimit_cur(RLIMIT_SIGPENDING), (uint64_t)POSIX_TIMERS_MAX)) {
    spin_unlock(&ptimer_lock);
    kfree(t);
    return -EAGAIN;
  }
  int id = p->next_timer_id;
  while (find_timer_locked(p, id))
    id = id == INT32_MAX ? 0 : id + 1;
  p->next_timer_id = id == INT32_MAX ? 0 : id + 1;
  t->id = id;
  t->seq = next_seq++;
  if (!usevp)
    t->sigval = (uint64_t)id; /* NULL sevp: SIGALRM carrying the timer id */
  list_add_tail(&t->link, &p->posix_timers);
  spin_unlock(&ptimer_lock);
  int32_t uid = id;
  if (copyout(utimerid, &uid, sizeof(uid))) {
    spin_lock(&ptimer_lock);
    bool ours = find_timer_locked(p, id) == t; /* (unless a sibling guessed the id) */
    if (ours)
      unlink_locked(t);
    spin_unlock(&ptimer_lock);
    if (ours)
      ptimer_free(t);
    return -EFAULT;
  }
  return 0;
}

/*
 * Find timer id of the caller's process with ptimer_lock held (returned
 * locked, or NULL and unlocked), having read the time on its base first
 * (the CPU clocks cannot be read under ptimer_lock). A sibling thread may
 * change or delete the timer meanwhile: look again until the base read
 * is the timer's.
 */
static struct ptimer *lock_timer(int id, uint64_t *now)
{
  for (;;) {
    spin_lock(&ptimer_lock);
    struct ptimer *t = find_timer_locked(current->proc, id);
    if (!t) {
      spin_unlock(&ptimer_lock);
      return NULL;
    }
    int base = t->base;
    pid_t tid = t->cpu_tid;
    struct process *p = t->proc;
    spin_unlock(&ptimer_lock);
    *now = base_now(base, p, tid);
    spin_lock(&ptimer_lock);
    t = find_timer_locked(current->proc, id);
    if (t && t->base == base && t->cpu_tid == tid)
      return t;
    spin_unlock(&ptimer_lock);
  }
}

/* The time left and the interval of t at `now` (ptimer_lock held). */
static void ptimer_get_locked(struct ptimer *t, uint64_t now, struct itimerspec64 *v)
{
  uint64_t left = 0;
  if (t->expires) {
    uint64_t next = t->expires;
    if (t->interval)
      next += periods_passed(next, t->interval, now) * t->interval;
    left = next > now ? next - now : 0;
  }
  v->it_value = (struct timespec64){ (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
  v->it_interval = (struct timespec64){ (int64_t)(t->interval / NSEC_PER_SEC),
                                        (int64_t)(t->interval % NSEC_PER_SEC) };
}

long sys_timer_gettime(int id, uaddr_t usetting)
{
  uint64_t now;
  struct ptimer *t = lock_timer(id, &now);
  if (!t)
    return -EINVAL;
  struct itimerspec64 v;
  ptimer_get_locked(t, now, &v);
  spin_unlock(&ptimer_lock);
  return copyout(usetting, &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_timer_settime(int id, int flags, uaddr_t unew, uaddr_t uold)
{
  struct itimerspec64 nv, ov;
  if (!unew)
    return -EINVAL;
  if (copyin(&nv, unew, sizeof(nv)))
    return -EFAULT;
  uint64_t value, interval;
  if (timespec_to_ns(&nv.it_value, &value) || timespec_to_ns(&nv.it_interval, &interval))
    return -EINVAL;
  /* Both clocks a real-time timer may use are cheap to read here; a
   * relative one counts monotonic time (as Linux's hrtimers do). */
  uint64_t mono = time_monotonic_ns(), real = time_realtime_ns();
  uint64_t now;
  struct ptimer *t = lock_timer(id, &now);
  if (!t)
    return -EINVAL;
  ptimer_get_locked(t, now, &ov);
  disarm_locked(t);
  if (is_realtime_clock(t->clock)) {
    t->base = (flags & TIMER_ABSTIME) ? BASE_REAL : BASE_MONO;
    now = t->base == BASE_REAL ? real : mono;
  }
  t->interval = value ? interval : 0;
  if (value) {
    uint64_t expires = (flags & TIMER_ABSTIME) ? value : now + value;
    arm_locked(t, expires ? expires : 1);
  }
  spin_unlock(&ptimer_lock);
  if (uold && copyout(uold, &ov, sizeof(ov)))
    return -EFAULT;
  return 0;
}

long sys_timer_getoverrun(int id)
{
  spin_lock(&ptimer_lock);
  struct ptimer *t = find_timer_locked(current->proc, id);
  long r = t ? t->overrun_last : -EINVAL;
  spin_unlock(&ptimer_lock);
  return r;
}

long sys_timer_delete(int id)
{
  spin_lock(&ptimer_lock);
  struct ptimer *t = find_timer_locked(current->proc, id);
  if (t)
    unlink_locked(t);
  spin_unlock(&ptimer_lock);
  if (!t)
    return -EINVAL;
  ptimer_free(t);
  return 0;
}
