/*
 * ioprio.c — ioprio_set and ioprio_get: a thread's I/O scheduling class
 * (real-time, best-effort, idle) and level, as util-linux's ionice sets
 * and shows them.
 *
 * Kite keeps the value Linux keeps (per thread, inherited by clone,
 * IOPRIO_CLASS_NONE until set) and answers with Linux's rules and errors;
 * its block layer (drivers/blk.c, fs/bcache.c) serves requests in order
 * and weighs no priority, as Linux's "none" I/O scheduler does not either.
 *
 * which: IOPRIO_WHO_PROCESS (a thread id, 0: the caller), IOPRIO_WHO_PGRP
 * (every thread of a process group, 0: the caller's), IOPRIO_WHO_USER
 * (every thread of a real user id). Setting needs the target's uid to be
 * the caller's uid or euid, or CAP_SYS_NICE; the real-time class needs
 * CAP_SYS_ADMIN or CAP_SYS_NICE. Getting one thread gives the value as
 * set; getting a group or a user gives the best (lowest) effective value,
 * where "none" stands for the class and level the nice value implies.
 *
 * Locks: proc_lock for the walk over the threads (a thread's ioprio is a
 * single word).
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/errno.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS(v) (((v) >> IOPRIO_CLASS_SHIFT) & 7)
#define IOPRIO_LEVEL(v) ((v) & 7)
#define IOPRIO_VALUE(c, l) (((c) << IOPRIO_CLASS_SHIFT) | (l))
enum { IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE };
enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER };

/* Linux's ioprio_check_cap. */
static int check_value(int v)
{
  switch (IOPRIO_CLASS(v)) {
  case IOPRIO_CLASS_RT:
    if (!capable(CAP_SYS_ADMIN) && !capable(CAP_SYS_NICE))
      return -EPERM;
    return 0;  /* the level, 3 bits, is always below IOPRIO_NR_LEVELS */
  case IOPRIO_CLASS_BE:
    return 0;
  case IOPRIO_CLASS_IDLE:
    return 0;
  case IOPRIO_CLASS_NONE:
    return IOPRIO_LEVEL(v) ? -EINVAL : 0;
  default:
    return -EINVAL;
  }
}

/* The value that counts for t: as set, or the one its nice value implies. */
static int effective(struct task *t)
{
  int v = t->ioprio;
  if (IOPRIO_CLASS(v) != IOPRIO_CLASS_NONE)
    return v;
  int cls = t->policy == SCHED_IDLE ? IOPRIO_CLASS_IDLE
            : (t->policy == SCHED_FIFO || t->policy == SCHED_RR) ? IOPRIO_CLASS_RT
                                                                 : IOPRIO_CLASS_BE;
  return IOPRIO_VALUE(cls, (t->nice + 20) / 5);
}

static uid_t task_uid(struct task *t)
{
  const struct cred *c = get_task_cred(t);
  uid_t u = c->uid;
  put_cred(c);
  return u;
}

/* Linux's set_task_ioprio. proc_lock held. */
static int set_one(struct task *t, int v)
{
  const struct cred *me = current_cred();
  uid_t tu = task_uid(t);
  if (tu != me->euid && tu != me->uid && !capable(CAP_SYS_NICE))
    return -EPERM;
  WRITE_ONCE(t->ioprio, (uint16_t)v);
  return 0;
}

/* Call fn on every user thread (which, who) names, until one fails: its
 * error, else 0, or -ESRCH if none matched. proc_lock held. */
static long each(int which, int who, uid_t uid, long (*fn)(struct task *t, long arg), long arg)
{
  long r = -ESRCH;
  pid_t pgid = who ? who : current->proc->pgid;
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    if (which == IOPRIO_WHO_PGRP && p->pgid != pgid)
      continue;
    struct task *t;
    list_for_each_entry(t, &p->threads, thread_link) {
      if (t->is_kernel_thread || (which == IOPRIO_WHO_USER && task_uid(t) != uid))
        continue;
      long x = fn(t, arg);
      if (x < 0 && x != -ESRCH)
        return x;
      r = r == -ESRCH ? 0 : r;
    }
  }
  return r;
}

static long set_cb(struct task *t, long v)
{
  return set_one(t, (int)v);
}

/* For get: keep the best (lowest) effective value in *best. */
static long best_cb(struct task *t, long arg)
{
  int *best = (int *)(uintptr_t)arg;
  int v = effective(t);
  if (*best < 0 || v < *best)
    *best = v;
  return 0;
}

/* Does a process of user uid exist (Linux's find_user)? proc_lock held. */
static bool user_exists(uid_t uid)
{
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    struct task *t;
    list_for_each_entry(t, &p->threads, thread_link)
      if (!t->is_kernel_thread && task_uid(t) == uid)
        return true;
  }
  return false;
}

long sys_ioprio_set(int which, int who, int ioprio)
{
  long r = check_value(ioprio);
  if (r)
    return r;
  spin_lock(&proc_lock);
  switch (which) {
  case IOPRIO_WHO_PROCESS: {
    struct task *t = who ? find_task_vnr(who) : current;
    r = t ? set_one(t, ioprio) : -ESRCH;
    break;
  }
  case IOPRIO_WHO_PGRP:
    r = each(which, who, 0, set_cb, ioprio);
    break;
  case IOPRIO_WHO_USER:
    /* who 0 is uid 0 here, as in Linux's loop */
    r = (who && !user_exists((uid_t)who)) ? -ESRCH : each(which, who, (uid_t)who, set_cb, ioprio);
    break;
  default:
    r = -EINVAL;
  }
  spin_unlock(&proc_lock);
  return r;
}

long sys_ioprio_get(int which, int who)
{
  long r;
  int best = -1;
  spin_lock(&proc_lock);
  switch (which) {
  case IOPRIO_WHO_PROCESS: {
    struct task *t = who ? find_task_vnr(who) : current;
    r = t ? t->ioprio : -ESRCH;  /* as set (Linux's get_task_raw_ioprio) */
    break;
  }
  case IOPRIO_WHO_PGRP:
    r = each(which, who, 0, best_cb, (long)(uintptr_t)&best);
    break;
  case IOPRIO_WHO_USER: {
    uid_t uid = who ? (uid_t)who : current_cred()->uid;
    r = user_exists(uid) ? each(which, who, uid, best_cb, (long)(uintptr_t)&best) : -ESRCH;
    break;
  }
  default:
    r = -EINVAL;
  }
  spin_unlock(&proc_lock);
  if (r == 0 && which != IOPRIO_WHO_PROCESS)
    r = best;
  return r;
}
