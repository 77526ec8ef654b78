/*
 * sys_time.c — clocks, sleeping and interval timers.
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/time.h"
#include "kern/param.h"

struct timeval64 {
  int64_t tv_sec, tv_usec;
};

static uint64_t process_cpu_ns(struct process *p)
{
  uint64_t u, s;
  process_cputime(p, &u, &s);
  return u + s;
}

/* The time on clock id in ns, or -EINVAL. */
static long clock_read(int id, uint64_t *ns)
{
  switch (id) {
  case CLOCK_REALTIME:
  case CLOCK_REALTIME_COARSE:
  case CLOCK_REALTIME_ALARM:
  case CLOCK_TAI:
    *ns = time_realtime_ns();
    return 0;
  case CLOCK_MONOTONIC:
  case CLOCK_MONOTONIC_RAW:
  case CLOCK_MONOTONIC_COARSE:
  case CLOCK_BOOTTIME:
  case CLOCK_BOOTTIME_ALARM:
    *ns = time_monotonic_ns();
    return 0;
  case CLOCK_PROCESS_CPUTIME_ID:
    *ns = process_cpu_ns(current->proc);
    return 0;
  case CLOCK_THREAD_CPUTIME_ID:
    *ns = current->runtime_ns + (time_monotonic_ns() - current->last_run_ns);
    return 0;
  default:
    return -EINVAL;
  }
}

static struct timespec64 ns_to_ts(uint64_t ns)
{
  return (struct timespec64){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

long sys_clock_gettime(int clockid, uaddr_t tp)
{
  uint64_t ns;
  long r = clock_read(clockid, &ns);
  if (r)
    return r;
  struct timespec64 ts = ns_to_ts(ns);
  return copyout(tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

long sys_clock_getres(int clockid, uaddr_t res)
{
  uint64_t ns;
  long r = clock_read(clockid, &ns);
  if (r)
    return r;
  if (!res)
    return 0;
  struct timespec64 ts = { 0, (int64_t)(NSEC_PER_SEC / timebase_hz ? NSEC_PER_SEC / timebase_hz : 1) };
  if (clockid == CLOCK_REALTIME_COARSE || clockid == CLOCK_MONOTONIC_COARSE)
    ts.tv_nsec = NSEC_PER_SEC / HZ;
  return copyout(res, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/*
 * A struct timespec as nanoseconds: -EINVAL for a negative or unnormalised
 * value; huge values saturate (never overflow).
 */
long timespec_to_ns(const struct timespec64 *ts, uint64_t *ns)
{
  if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (int64_t)NSEC_PER_SEC)
    return -EINVAL;
  if ((uint64_t)ts->tv_sec > UINT64_MAX / NSEC_PER_SEC - 1)
    *ns = UINT64_MAX / 2;
  else
    *ns = ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
  return 0;
}

/* The same for a struct timespec in user memory: also -EFAULT. */
long get_user_timespec_ns(uaddr_t u, uint64_t *ns)
{
  struct timespec64 ts;
  if (copyin(&ts, u, sizeof(ts)))
    return -EFAULT;
  return timespec_to_ns(&ts, ns);
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

/* Sleep until the monotonic deadline; on a signal report what was left. */
static long sleep_until(uint64_t deadline, uaddr_t rem)
{
  int r = sleep_interruptible_until(deadline);
  if (r == 0)
    return 0;
  if (rem) {
    uint64_t now = time_monotonic_ns();
    struct timespec64 left = ns_to_ts(deadline > now ? deadline - now : 0);
    if (copyout(rem, &left, sizeof(left)))
      return -EFAULT;
  }
  return -EINTR;
}

long sys_nanosleep(uaddr_t req, uaddr_t rem)
{
  uint64_t ns;
  long r = get_user_timespec_ns(req, &ns);
  if (r)
    return r;
  return sleep_until(time_monotonic_ns() + ns, rem);
}

long sys_clock_nanosleep(int clockid, int flags, uaddr_t req, uaddr_t rem)
{
  uint64_t ns, now;
  if (clockid == CLOCK_THREAD_CPUTIME_ID)
    return -EINVAL;
  long r = clock_read(clockid, &now);
  if (r)
    return r;
  if (clockid == CLOCK_PROCESS_CPUTIME_ID)
    return -ENOTSUP;
  if ((r = get_user_timespec_ns(req, &ns)))
    return r;
  uint64_t mono = time_monotonic_ns();
  uint64_t deadline;
  if (flags & TIMER_ABSTIME)
    deadline = ns > now ? mono + (ns - now) : mono;
  else
    deadline = mono + ns;
  r = sleep_until(deadline, (flags & TIMER_ABSTIME) ? 0 : rem);
  return r;
}

long sys_gettimeofday(uaddr_t tv, uaddr_t tz)
{
  if (tv) {
    uint64_t ns = time_realtime_ns();
    struct timeval64 t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
    if (copyout(tv, &t, sizeof(t)))
      return -EFAULT;
  }
  if (tz) {
    int32_t z[2] = { 0, 0 };
    if (copyout(tz, z, sizeof(z)))
      return -EFAULT;
  }
  return 0;
}

long sys_settimeofday(uaddr_t tv, uaddr_t tz)
{
  (void)tz;
  if (!tv)
    return 0;
  struct timeval64 t;
  if (copyin(&t, tv, sizeof(t)))
    return -EFAULT;
  if (t.tv_sec < 0 || t.tv_usec < 0 || t.tv_usec >= 1000000)
    return -EINVAL;
  if (!capable(CAP_SYS_TIME))
    return -EPERM;
  time_set_realtime_ns(t.tv_sec * NSEC_PER_SEC + t.tv_usec * 1000);
  return 0;
}

long sys_times(uaddr_t buf)
{
  struct process *p = current->proc;
  uint64_t tick = NSEC_PER_SEC / HZ;
  if (buf) {
    uint64_t ut, st;
    process_cputime(p, &ut, &st);
    int64_t tms[4] = { (int64_t)(ut / tick), (int64_t)(st / tick), (int64_t)(p->cutime_ns / tick),
                       (int64_t)(p->cstime_ns / tick) };
    if (copyout(buf, tms, sizeof(tms)))
      return -EFAULT;
  }
  return (long)(time_monotonic_ns() / tick);
}

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

struct itimerval64 {
  struct timeval64 it_interval, it_value;
};

static struct timeval64 ns_to_tv(uint64_t ns)
{
  return (struct timeval64){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
}

static void itimer_get(struct process *p, struct itimerval64 *v)
{
  uint64_t now = time_monotonic_ns();
  uint64_t left = p->itimer_real.armed && p->itimer_real.expires_ns > now
                      ? p->itimer_real.expires_ns - now : 0;
  v->it_value = ns_to_tv(left);
  v->it_interval = ns_to_tv(p->itimer_interval_ns);
}

long sys_getitimer(int which, uaddr_t value)
{
  if (which < ITIMER_REAL || which > ITIMER_PROF)
    return -EINVAL;
  struct itimerval64 v = { { 0, 0 }, { 0, 0 } };
  if (which == ITIMER_REAL)
    itimer_get(current->proc, &v);
  return copyout(value, &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_setitimer(int which, uaddr_t value, uaddr_t ovalue)
{
  if (which != ITIMER_REAL)
    return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS : -EINVAL;
  struct itimerval64 nv;
  if (value && copyin(&nv, value, sizeof(nv)))
    return -EFAULT;
  if (value && (nv.it_value.tv_usec < 0 || nv.it_value.tv_usec >= 1000000 ||
                nv.it_interval.tv_usec < 0 || nv.it_interval.tv_usec >= 1000000 ||
                nv.it_value.tv_sec < 0 || nv.it_interval.tv_sec < 0))
    return -EINVAL;
  struct process *p = current->proc;
  struct itimerval64 old;
  itimer_get(p, &old);
  if (value) {
    timer_cancel(&p->itimer_real);
    uint64_t v = nv.it_value.tv_sec * NSEC_PER_SEC + nv.it_value.tv_usec * 1000;
    p->itimer_interval_ns = nv.it_interval.tv_sec * NSEC_PER_SEC + nv.it_interval.tv_usec * 1000;
    if (v)
      timer_arm(&p->itimer_real, time_monotonic_ns() + v);
  }
  if (ovalue && copyout(ovalue, &old, sizeof(old)))
    return -EFAULT;
  return 0;
}
