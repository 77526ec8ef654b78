/*
 * sys_time.c — clocks (reading, setting, adjtimex: the discipline itself is
 * kern/ntp.c), sleeping, and the
 * interval timers of setitimer. Layer: system calls over kern/time.c (the
 * clock and kernel timers); the CPU-time interval timers and POSIX timers
 * are in kern/posix_timers.c.
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/time.h"
#include "kern/param.h"
#include "kern/posix_timers.h"
#include "kern/ntp.h"
#include "kern/cred.h"
#include <string.h>

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
    /* clock_getcpuclockid / pthread_getcpuclockid: another's CPU clock */
    return id < 0 ? cpu_clock_read(id, ns) : -EINVAL;
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
  /* Timers fire at their exact expiry (one-shot, not on the tick): 1 ns, as
   * Linux reports with high-resolution timers (cyclictest checks it). */
  struct timespec64 ts = { 0, 1 };
  if (clockid == CLOCK_REALTIME_COARSE || clockid == CLOCK_MONOTONIC_COARSE)
    ts.tv_nsec = NSEC_PER_SEC / HZ;
  if (clockid < 0 && (clockid & 3) != 2) /* a CPU clock's user or user+system part: ticks */
    ts.tv_nsec = NSEC_PER_SEC / HZ;
  return copyout(res, &ts, sizeof(ts)) ? -EFAULT : 0;
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
  /* the thread clock has no sleep at all (EOPNOTSUPP); a thread's own
   * CPU-clock id is refused by the CPU clocks' sleep (EINVAL) */
  if (clockid == CLOCK_THREAD_CPUTIME_ID)
    return -EOPNOTSUPP;
  if (clockid < 0 && (clockid & 4))
    return -EINVAL;
  long r = clock_read(clockid, &now);
  if (r)
    return r;
  if (clockid == CLOCK_PROCESS_CPUTIME_ID || clockid < 0)
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

/* The system time zone settimeofday sets and gettimeofday reports (Linux's
 * sys_tz: minutes west of Greenwich, DST type). Only reported, never used. */
static int32_t sys_tz[2];

long sys_gettimeofday(uaddr_t tv, uaddr_t tz)
{
  if (tv) {
    uint64_t ns = time_realtime_ns();
    struct timeval64 t = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
    if (copyout(tv, &t, sizeof(t)))
      return -EFAULT;
  }
  if (tz) {
    int32_t z[2] = { READ_ONCE(sys_tz[0]), READ_ONCE(sys_tz[1]) };
    if (copyout(tz, z, sizeof(z)))
      return -EFAULT;
  }
  return 0;
}

/* settimeofday in Linux's order: both structures are read (EFAULT), then
 * checked (EINVAL: microseconds, a zone beyond +-15 hours), then set. */
long sys_settimeofday(uaddr_t tv, uaddr_t tz)
{
  struct timeval64 t;
  int32_t z[2];
  if (tv && copyin(&t, tv, sizeof(t)))
    return -EFAULT;
  if (tv && (t.tv_usec < 0 || t.tv_usec > 1000000))
    return -EINVAL;
  if (tz && copyin(z, tz, sizeof(z)))
    return -EFAULT;
  if (tv && (t.tv_sec < 0 || t.tv_usec >= 1000000))
    return -EINVAL;
  if (!capable(CAP_SYS_TIME))
    return -EPERM;
  if (tz) {
    if (z[0] > 15 * 60 || z[0] < -15 * 60)
      return -EINVAL;
    WRITE_ONCE(sys_tz[0], z[0]);
    WRITE_ONCE(sys_tz[1], z[1]);
  }
  if (tv)
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

static uint64_t tv_to_ns(const struct timeval64 *tv)
{
  return tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * 1000;
}

static void itimer_get(struct process *p, struct itimerval64 *v)
{
  uint64_t now = time_monotonic_ns();
  uint64_t left = p->itimer_real.armed && p->itimer_real.expires_ns > now
                      ? p->itimer_real.expires_ns - now : 0;
  v->it_value = ns_to_tv(left);
  v->it_interval = ns_to_tv(p->itimer_interval_ns);
}

static void cpu_itimer_to_user(struct itimerval64 *v, uint64_t value, uint64_t interval)
{
  v->it_value = ns_to_tv(value);
  v->it_interval = ns_to_tv(interval);
}

long sys_getitimer(int which, uaddr_t value)
{
  if (which < ITIMER_REAL || which > ITIMER_PROF)
    return -EINVAL;
  struct itimerval64 v = { { 0, 0 }, { 0, 0 } };
  if (which == ITIMER_REAL) {
    itimer_get(current->proc, &v);
  } else {
    uint64_t val, iv;
    cpu_itimer_get(which, &val, &iv);
    cpu_itimer_to_user(&v, val, iv);
  }
  return copyout(value, &v, sizeof(v)) ? -EFAULT : 0;
}

/*
 * setitimer: ITIMER_REAL counts real time (a kernel timer, SIGALRM);
 * ITIMER_VIRTUAL the process's user CPU time (SIGVTALRM), ITIMER_PROF its
 * user and system time (SIGPROF), both in kern/posix_timers.c. A NULL new
 * value disarms, as Linux still allows.
 */
long sys_setitimer(int which, uaddr_t value, uaddr_t ovalue)
{
  struct itimerval64 nv = { { 0, 0 }, { 0, 0 } };
  if (value && copyin(&nv, value, sizeof(nv)))
    return -EFAULT;
  if (nv.it_value.tv_usec < 0 || nv.it_value.tv_usec >= 1000000 || nv.it_interval.tv_usec < 0 ||
      nv.it_interval.tv_usec >= 1000000 || nv.it_value.tv_sec < 0 || nv.it_interval.tv_sec < 0)
    return -EINVAL;
  if (which < ITIMER_REAL || which > ITIMER_PROF)
    return -EINVAL;
  struct process *p = current->proc;
  struct itimerval64 old;
  uint64_t v = tv_to_ns(&nv.it_value), iv = tv_to_ns(&nv.it_interval);
  if (which == ITIMER_REAL) {
    itimer_get(p, &old);
    timer_cancel(&p->itimer_real);
    p->itimer_interval_ns = v ? iv : 0;
    if (v)
      timer_arm(&p->itimer_real, time_monotonic_ns() + v);
  } else {
    uint64_t oval, oiv;
    cpu_itimer_set(which, v, iv, &oval, &oiv); /* (Linux keeps the interval of a disarmed one) */
    cpu_itimer_to_user(&old, oval, oiv);
  }
  if (ovalue && copyout(ovalue, &old, sizeof(old)))
    return -EFAULT;
  return 0;
}

/* ---- setting and adjusting the real-time clock ---- */

/*
 * clock_settime: only CLOCK_REALTIME can be set, with CAP_SYS_TIME. In
 * Linux's order: a clock that cannot be set is EINVAL before the pointer
 * is read; a CPU clock named by pid (clock_getcpuclockid) is read,
 * checked, then refused with EPERM; a bad time is EINVAL before EPERM.
 */
long sys_clock_settime(int clockid, uaddr_t tp)
{
  if (clockid != CLOCK_REALTIME && clockid >= 0)
    return -EINVAL;
  struct timespec64 ts;
  if (copyin(&ts, tp, sizeof(ts)))
    return -EFAULT;
  uint64_t now;
  if (clockid < 0)
    return clock_read(clockid, &now) ?: -EPERM;
  uint64_t ns;
  if (timespec_to_ns(&ts, &ns))
    return -EINVAL;
  if (!capable(CAP_SYS_TIME))
    return -EPERM;
  time_set_realtime_ns(ns);
  return 0;
}

/* (Linux copies the structure back even after an error.) */
long sys_adjtimex(uaddr_t utx)
{
  struct timex64 tx;
  if (copyin(&tx, utx, sizeof(tx)))
    return -EFAULT;
  long r = ntp_adjtimex(&tx);
  return copyout(utx, &tx, sizeof(tx)) ? -EFAULT : r;
}

/* clock_adjtime: CLOCK_REALTIME as adjtimex; the other clocks (and any
 * CPU clock) cannot be adjusted, EOPNOTSUPP; unknown ids are EINVAL. */
long sys_clock_adjtime(int clockid, uaddr_t utx)
{
  struct timex64 tx;
  if (copyin(&tx, utx, sizeof(tx)))
    return -EFAULT;
  if (clockid >= 0 && (clockid > CLOCK_TAI || clockid == 10))
    return -EINVAL;
  if (clockid != CLOCK_REALTIME)
    return -EOPNOTSUPP;
  long r = ntp_adjtimex(&tx);
  if (r >= 0 && copyout(utx, &tx, sizeof(tx)))
    return -EFAULT;
  return r;
}
