/*
 * sys_sched.c — the scheduling-policy system calls: sched_setscheduler,
 * sched_getscheduler, sched_setparam, sched_getparam, sched_setattr,
 * sched_getattr, sched_get_priority_max/min, sched_rr_get_interval,
 * setpriority and getpriority. Argument checks in Linux's order; the
 * mechanism (run-queue order, slices, preemption) is kern/sched.c. Affinity
 * and yield are in kern/sys_misc.c.
 *
 * A pid names a thread (0: the caller), as on Linux. Without CAP_SYS_NICE a
 * caller may change only threads it owns (same euid, or its euid is their
 * real uid), may not lower a nice value below what RLIMIT_NICE allows, and
 * may take a real-time priority only up to RLIMIT_RTPRIO (kernel/sched
 * __sched_setscheduler, kernel/sys.c set_one_prio). The nice value is kept per thread and inherited, but the round-robin
 * class does not weigh it (docs/tasks.md).
 *
 * SCHED_DEADLINE (sched_setattr only) is an approximation: the reservation
 * (runtime <= deadline <= period) is checked as Linux's __checkparam_dl
 * checks it, admitted against Linux's default bandwidth limit (95 % of each
 * hart, summed over every deadline thread: EBUSY beyond), kept and reported
 * back by sched_getattr; a deadline thread may not fork unless it resets on
 * fork (kern/process.c). It is not scheduled by earliest deadline: it runs in
 * the SCHED_OTHER class, neither favoured nor throttled (docs/tasks.md).
 *
 * Layer: syscalls. Below: kern/sched.c (the mechanisms), kern/cred.h (the
 * permission rules). Locks: proc_lock while the target thread is looked up
 * and its scheduling fields changed.
 */
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/cpu.h"
#include "kern/syscall.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "kern/errno.h"
#include <string.h>

struct sched_param {
  int sched_priority;
};

/* struct sched_attr (include/uapi/linux/sched/types.h): the first version
 * is 48 bytes (SCHED_ATTR_SIZE_VER0), 56 with the utilization clamps. */
struct sched_attr {
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_ALL 0x7f

/* SCHED_DEADLINE's limits: Linux's defaults (kernel/sched/deadline.c,
 * sysctl_sched_dl_period_min/max, sched_rt_runtime_us/period_us). */
#define DL_SCALE 10                    /* the runtime is kept in units of 2^10 ns at least */
#define DL_PERIOD_MIN_NS (100ULL * 1000)               /* 100 us */
#define DL_PERIOD_MAX_NS ((1ULL << 22) * 1000)         /* 2^22 us, about 4.2 s */
#define BW_SHIFT 20                                    /* bandwidths are fractions of 2^20 */
#define DL_BW_PER_CPU ((950000ULL << BW_SHIFT) / 1000000)  /* 95 % of a hart */

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define NICE_MIN (-20)
#define NICE_MAX 19

static bool rt_policy(int policy)
{
  return policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool valid_policy(int policy)
{
  return policy == SCHED_OTHER || rt_policy(policy) || policy == SCHED_BATCH || policy == SCHED_IDLE;
}

/* The thread pid names, with proc_lock held by the caller; NULL if none. */
static struct task *target(int pid)
{
  return pid == 0 ? current : find_task_vnr(pid);
}

static bool dl_policy(int policy)
{
  return policy == SCHED_DEADLINE;
}

/* Linux's __checkparam_dl: a deadline, a runtime of at least 2^DL_SCALE ns,
 * runtime <= deadline <= period (a period of 0 means the deadline), the
 * period within [DL_PERIOD_MIN_NS, DL_PERIOD_MAX_NS], no top bits. */
static bool dl_params_ok(const struct sched_attr *a)
{
  if (a->sched_deadline == 0 || a->sched_runtime < (1ULL << DL_SCALE))
    return false;
  if ((a->sched_deadline | a->sched_period) & (1ULL << 63))
    return false;
  uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;
  if (period < a->sched_deadline || a->sched_deadline < a->sched_runtime)
    return false;
  return period >= DL_PERIOD_MIN_NS && period <= DL_PERIOD_MAX_NS;
}

/* runtime/period as a fraction of 2^BW_SHIFT (Linux's to_ratio). */
static uint64_t dl_bw(uint64_t runtime, uint64_t period)
{
  return period ? (runtime << BW_SHIFT) / period : 0;
}

/* Would t's new reservation overflow the bandwidth deadline threads may
 * take (Linux's sched_dl_overflow)? Sums every other deadline thread's.
 * proc_lock held. */
static bool dl_overflow(struct task *t, uint64_t runtime, uint64_t period)
{
  uint64_t total = dl_bw(runtime, period);
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    struct task *o;
    list_for_each_entry(o, &p->threads, thread_link)
      if (o != t && dl_policy(o->policy))
        total += dl_bw(o->dl_runtime, o->dl_period);
  }
  return total > DL_BW_PER_CPU * (uint64_t)ncpu;
}

/* Make t a deadline thread with a's (checked) reservation, as sched_setattr
 * asks: CAP_SYS_NICE only (Linux refuses everyone else), admitted or EBUSY. */
static long set_deadline(int pid, const struct sched_attr *a)
{
  if (!dl_params_ok(a) || (a->sched_flags & SCHED_FLAG_KEEP_PARAMS))
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;
  long r = !t ? -ESRCH : !capable(CAP_SYS_NICE) ? -EPERM
         : dl_overflow(t, a->sched_runtime, period) ? -EBUSY : 0;
  if (!r) {
    t->dl_runtime = a->sched_runtime;
    t->dl_deadline = a->sched_deadline;
    t->dl_period = period;
    sched_set_policy(t, SCHED_DEADLINE, 0, a->sched_flags & SCHED_FLAG_RESET_ON_FORK);
  }
  spin_unlock(&proc_lock);
  return r;
}

/* May the caller lower t's nice value to `nice`? (Linux's can_nice: RLIMIT_NICE) */
static bool can_nice(struct task *t, int nice)
{
  return (uint64_t)(20 - nice) <= t->proc->rlim[RLIMIT_NICE].cur || capable(CAP_SYS_NICE);
}

/* The unprivileged rules of __sched_setscheduler (proc_lock held). */
static long setscheduler_perm(struct task *t, int policy, int prio, bool reset_on_fork)
{
  if (capable(CAP_SYS_NICE))
    return 0;
  if (rt_policy(policy)) {
    uint64_t rlim = t->proc->rlim[RLIMIT_RTPRIO].cur;
    if (policy != t->policy && !rlim)
      return -EPERM;
    if ((uint64_t)prio > MAX((uint64_t)t->rt_priority, rlim))
      return -EPERM;
  }
  if (t->policy == SCHED_IDLE && policy != SCHED_IDLE && !can_nice(t, t->nice))
    return -EPERM;
  if (!check_same_owner(t))
    return -EPERM;
  if (t->reset_on_fork && !reset_on_fork)
    return -EPERM;
  return 0;
}

/* Linux's __sched_setscheduler checks: a real-time policy takes 1..99, the
 * others 0. SCHED_DEADLINE only through sched_setattr (set_deadline): here
 * it has no reservation, EINVAL as Linux's __checkparam_dl says. */
static long set_policy(int pid, int policy, int prio, bool reset_on_fork)
{
  if (!valid_policy(policy))
    return -EINVAL;
  if (prio < 0 || prio > SCHED_RT_PRIO_MAX || rt_policy(policy) != (prio != 0))
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  if (!t) {
    spin_unlock(&proc_lock);
    return -ESRCH;
  }
  long r = setscheduler_perm(t, policy, prio, reset_on_fork);
  if (r) {
    spin_unlock(&proc_lock);
    return r;
  }
  sched_set_policy(t, policy, prio, reset_on_fork);
  spin_unlock(&proc_lock);
  return 0;
}

long sys_sched_setscheduler(int pid, int policy, uaddr_t param)
{
  if (policy < 0)
    return -EINVAL;
  if (!param || pid < 0)
    return -EINVAL;
  struct sched_param sp;
  if (copyin(&sp, param, sizeof(sp)))
    return -EFAULT;
  bool reset = policy & SCHED_RESET_ON_FORK;
  policy &= ~SCHED_RESET_ON_FORK;
  spin_lock(&proc_lock);
  bool found = target(pid) != NULL;
  spin_unlock(&proc_lock);
  if (!found)
    return -ESRCH;
  return set_policy(pid, policy, sp.sched_priority, reset);
}

long sys_sched_setparam(int pid, uaddr_t param)
{
  if (!param || pid < 0)
    return -EINVAL;
  struct sched_param sp;
  if (copyin(&sp, param, sizeof(sp)))
    return -EFAULT;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  int policy = t ? t->policy : 0;
  bool reset = t ? t->reset_on_fork : false;
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  return set_policy(pid, policy, sp.sched_priority, reset);
}

long sys_sched_getscheduler(int pid)
{
  if (pid < 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  long r = t ? t->policy | (t->reset_on_fork ? SCHED_RESET_ON_FORK : 0) : -ESRCH;
  spin_unlock(&proc_lock);
  return r;
}

long sys_sched_getparam(int pid, uaddr_t param)
{
  if (!param || pid < 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  struct sched_param sp = { t ? t->rt_priority : 0 };
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  return copyout(param, &sp, sizeof(sp)) ? -EFAULT : 0;
}

long sys_sched_get_priority_max(int policy)
{
  return rt_policy(policy) ? SCHED_RT_PRIO_MAX : valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
  return rt_policy(policy) ? 1 : valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

/* SCHED_RR's slice; 0 for SCHED_FIFO and SCHED_DEADLINE; the round-robin slice for the others. */
long sys_sched_rr_get_interval(int pid, uaddr_t interval)
{
  if (pid < 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  int policy = t ? t->policy : 0;
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  int ticks = policy == SCHED_FIFO || dl_policy(policy) ? 0 : policy == SCHED_RR ? RR_TIMESLICE_TICKS : TIMESLICE_TICKS;
  uint64_t ns = (uint64_t)ticks * (NSEC_PER_SEC / HZ);
  struct { int64_t tv_sec, tv_nsec; } ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
  return copyout(interval, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/*
 * sched_setattr: policy, priority, nice, a deadline reservation and the reset-on-fork flag (Linux's
 * sched_copy_attr: a size below version 0 or above what the caller's
 * structure holds with non-zero tail bytes is E2BIG, with the kernel's size
 * written back).
 */
long sys_sched_setattr(int pid, uaddr_t uattr, unsigned int flags)
{
  if (!uattr || pid < 0 || flags)
    return -EINVAL;
  struct sched_attr a;
  memset(&a, 0, sizeof(a));
  uint32_t size;
  if (copyin(&size, uattr, 4))
    return -EFAULT;
  if (size == 0)
    size = SCHED_ATTR_SIZE_VER0;
  if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE)
    goto e2big;
  if (size > sizeof(a)) {
    for (uint32_t off = sizeof(a); off < size; off++) {
      uint8_t c;
      if (copyin(&c, uattr + off, 1))
        return -EFAULT;
      if (c)
        goto e2big;
    }
  }
  if (copyin(&a, uattr, MIN(size, (uint32_t)sizeof(a))))
    return -EFAULT;
  if ((int)a.sched_policy < 0 || (a.sched_flags & ~(uint64_t)SCHED_FLAG_ALL))
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  int policy = t ? t->policy : 0, prio = t ? t->rt_priority : 0;
  if (t && (a.sched_flags & SCHED_FLAG_KEEP_PARAMS)) {  /* Linux's get_params */
    bool dl = dl_policy(t->policy);
    a.sched_runtime = dl ? t->dl_runtime : 0;
    a.sched_deadline = dl ? t->dl_deadline : 0;
    a.sched_period = dl ? t->dl_period : 0;
  }
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  if (!(a.sched_flags & SCHED_FLAG_KEEP_POLICY))
    policy = (int)a.sched_policy;
  if (!(a.sched_flags & SCHED_FLAG_KEEP_PARAMS))
    prio = (int)a.sched_priority;
  if (dl_policy(policy))
    return prio ? -EINVAL : set_deadline(pid, &a);
  if (!valid_policy(policy))
    return -EINVAL;
  if (policy == SCHED_OTHER || policy == SCHED_BATCH) {
    int nice = a.sched_nice < NICE_MIN ? NICE_MIN : a.sched_nice > NICE_MAX ? NICE_MAX : a.sched_nice;
    spin_lock(&proc_lock);
    t = target(pid);
    long r = !t ? -ESRCH : nice < t->nice && !can_nice(t, nice) ? -EPERM
           : !capable(CAP_SYS_NICE) && !check_same_owner(t) ? -EPERM : 0;
    if (!r)
      t->nice = nice;
    spin_unlock(&proc_lock);
    if (r)
      return r;
  }
  return set_policy(pid, policy, prio, a.sched_flags & SCHED_FLAG_RESET_ON_FORK);
e2big:
  size = sizeof(a);
  if (copyout(uattr, &size, 4))
    return -EFAULT;
  return -E2BIG;
}

long sys_sched_getattr(int pid, uaddr_t uattr, unsigned int usize, unsigned int flags)
{
  if (!uattr || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || flags)
    return -EINVAL;
  struct sched_attr a;
  memset(&a, 0, sizeof(a));
  spin_lock(&proc_lock);
  struct task *t = target(pid);
  if (t) {  /* Linux's get_params: a nice value for the fair classes only */
    a.sched_policy = (uint32_t)t->policy;
    a.sched_priority = (uint32_t)t->rt_priority;
    if (dl_policy(t->policy)) {
      a.sched_runtime = t->dl_runtime;
      a.sched_deadline = t->dl_deadline;
      a.sched_period = t->dl_period;
    } else if (!rt_policy(t->policy)) {
      a.sched_nice = t->nice;
    }
    a.sched_flags = t->reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
    a.sched_util_max = 1024;  /* SCHED_CAPACITY_SCALE: no clamp */
  }
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  a.size = MIN(usize, (unsigned int)sizeof(a));
  return copyout(uattr, &a, a.size) ? -EFAULT : 0;
}

/* ---- nice: setpriority / getpriority ---- */

/* Does t match (which, who)? proc_lock held. PRIO_USER: t's real uid. */
static bool prio_match(struct task *t, int which, int who)
{
  switch (which) {
  case PRIO_PROCESS:
    return t->tid == (who ? who : current->tid);
  case PRIO_PGRP:
    return t->proc->pgid == (who ? who : current->proc->pgid);
  default: {
    uid_t uid = who ? (uid_t)who : current_cred()->uid;
    const struct cred *c = get_task_cred(t);
    bool same = c->uid == uid;
    put_cred(c);
    return same;
  }
  }
}

/* Call fn on every user thread that matches; the number matched, or the
 * last error fn gave (kernel/sys.c: one that succeeds clears ESRCH). proc_lock held. */
static int prio_each(int which, int who, int (*fn)(struct task *t, int *arg), int *arg)
{
  int n = 0, err = -ESRCH;
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    struct task *t;
    list_for_each_entry(t, &p->threads, thread_link) {
      if (!t->is_kernel_thread && prio_match(t, which, who)) {
        int r = fn(t, arg);
        if (r)
          err = r;
        else if (err == -ESRCH)
          err = 0;
        n++;
      }
    }
  }
  return n ? err : -ESRCH;
}

/* set_one_prio: the owner (or CAP_SYS_NICE), and RLIMIT_NICE to lower it. */
static int set_nice(struct task *t, int *nice)
{
  const struct cred *c = current_cred(), *tc = get_task_cred(t);
  bool perm = tc->uid == c->euid || tc->euid == c->euid || capable(CAP_SYS_NICE);
  put_cred(tc);
  if (!perm)
    return -EPERM;
  if (*nice < t->nice && !can_nice(t, *nice))
    return -EACCES;
  t->nice = *nice;
  return 0;
}
static int best_nice(struct task *t, int *nice)
{
  if (t->nice < *nice)
    *nice = t->nice;
  return 0;
}

long sys_setpriority(int which, int who, int prio)
{
  if (which < PRIO_PROCESS || which > PRIO_USER)
    return -EINVAL;
  int nice = prio < NICE_MIN ? NICE_MIN : prio > NICE_MAX ? NICE_MAX : prio;
  spin_lock(&proc_lock);
  int r = prio_each(which, who, set_nice, &nice);
  spin_unlock(&proc_lock);
  return r;
}

/* The raw system call answers 20 - nice (1..40): the libc turns it back. */
long sys_getpriority(int which, int who)
{
  if (which < PRIO_PROCESS || which > PRIO_USER)
    return -EINVAL;
  int nice = NICE_MAX + 1;
  spin_lock(&proc_lock);
  int r = prio_each(which, who, best_nice, &nice);
  spin_unlock(&proc_lock);
  return r ? r : 20 - nice;
}
