/*
 * ptimer.c — POSIX timers and CPU-time interval timers (testsuite/abi):
 * timer_create on every clock that may carry a timer (and the errors for
 * the others), SIGEV_SIGNAL with its value, the default sigevent,
 * SIGEV_NONE, SIGEV_THREAD_ID to one thread, the C library's
 * SIGEV_THREAD; one-shot, periodic and TIMER_ABSTIME timers,
 * timer_gettime, old values, overruns while the signal is blocked
 * (si_overrun and timer_getoverrun), timers on the process and thread CPU
 * clocks, timer_delete, no timers in a fork child or after exec;
 * setitimer/getitimer ITIMER_VIRTUAL and ITIMER_PROF; clock_settime,
 * clock_getcpuclockid, adjtimex and clock_adjtime queries; slewing the
 * clock with adjtimex (frequency, tick, adjtime's single shot, the PLL,
 * the errors and the bookkeeping; not under qemu-user). User space;
 * runs on Kite and on Linux.
 */
#include "check.h"
#include <pthread.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <limits.h>

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

static const char *self_path;

static long long ts_ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static long long cpu_ns(clockid_t c)
{
  struct timespec t;
  clock_gettime(c, &t);
  return ts_ns(&t);
}

/* burn CPU until clock c has advanced by ms (at most 10 s of wall time) */
static void burn_cpu(clockid_t c, long ms)
{
  long long end = cpu_ns(c) + ms * 1000000LL, stop = now_ns() + 10000000000LL;
  volatile unsigned long x = 0;
  while (cpu_ns(c) < end && now_ns() < stop)
    for (int i = 0; i < 20000; i++)
      x += i;
}

/* kernel interface, raw: the C libraries wrap timer ids */
struct ksigevent {
  union { int i; void *p; } value;
  int signo;
  int notify;
  union { int tid; char pad[48]; } u;
};

static long ktimer_create(clockid_t c, struct ksigevent *ev, int *id)
{
  return raw3(SYS_timer_create, c, ev, id);
}

static long ksettime(int id, int flags, long long value_ns, long long interval_ns, struct itimerspec *old)
{
  struct itimerspec it = {{interval_ns / 1000000000LL, interval_ns % 1000000000LL},
                          {value_ns / 1000000000LL, value_ns % 1000000000LL}};
  return raw4(SYS_timer_settime, id, flags, &it, old);
}

static long long kremaining(int id)
{
  struct itimerspec cur;
  if (raw2(SYS_timer_gettime, id, &cur) != 0)
    return -1;
  return ts_ns(&cur.it_value);
}

static void block(int sig)
{
  uint64_t m = SIGBIT(sig);
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &m, 0, 8);
}

static void unblock(int sig)
{
  uint64_t m = SIGBIT(sig);
  raw4(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, 0, 8);
}

/* wait for sig (blocked) at most ms; the signal or -errno */
static long wait_sig(int sig, siginfo_t *si, long ms)
{
  uint64_t m = SIGBIT(sig);
  struct timespec to = {ms / 1000, (ms % 1000) * 1000000L};
  return raw4(SYS_rt_sigtimedwait, &m, si, &to, 8);
}

/* ---- creation and its errors ---- */

static void test_create(void)
{
  static const struct { clockid_t c; const char *name; } ok[] = {
      {CLOCK_REALTIME, "realtime"}, {CLOCK_MONOTONIC, "monotonic"}, {CLOCK_BOOTTIME, "boottime"},
      {CLOCK_PROCESS_CPUTIME_ID, "process-cputime"}, {CLOCK_THREAD_CPUTIME_ID, "thread-cputime"}};
  char name[96];
  for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    int id = -1;
    long r = ktimer_create(ok[i].c, NULL, &id);
    snprintf(name, sizeof(name), "timer_create/%s", ok[i].name);
    CHECKF(name, r == 0 && id >= 0, "r %ld id %d", r, id);
    if (r == 0)
      raw1(SYS_timer_delete, id);
  }
  int id;
  CHECK_RET("timer_create/monotonic-raw-eopnotsupp", ktimer_create(CLOCK_MONOTONIC_RAW, NULL, &id), -EOPNOTSUPP);
  CHECK_RET("timer_create/coarse-eopnotsupp", ktimer_create(CLOCK_MONOTONIC_COARSE, NULL, &id), -EOPNOTSUPP);
  CHECK_RET("timer_create/einval-clock", ktimer_create(100, NULL, &id), -EINVAL);
  struct ksigevent ev = {{0}, SIGUSR1, 7, {0}};
  CHECK_RET("timer_create/einval-notify", ktimer_create(CLOCK_MONOTONIC, &ev, &id), -EINVAL);
  ev.notify = SIGEV_NONE | SIGEV_THREAD_ID;
  ev.u.tid = (int)raw0(SYS_gettid);
  CHECK_RET("timer_create/einval-none-thread-id", ktimer_create(CLOCK_MONOTONIC, &ev, &id), -EINVAL);
  ev.notify = SIGEV_SIGNAL;
  ev.signo = 0;
  CHECK_RET("timer_create/einval-signo-0", ktimer_create(CLOCK_MONOTONIC, &ev, &id), -EINVAL);
  ev.signo = 65;
  CHECK_RET("timer_create/einval-signo-65", ktimer_create(CLOCK_MONOTONIC, &ev, &id), -EINVAL);
  ev.signo = SIGUSR1;
  ev.notify = SIGEV_THREAD_ID;
  ev.u.tid = getppid(); /* not one of our threads */
  CHECK_RET("timer_create/einval-thread-id-elsewhere", ktimer_create(CLOCK_MONOTONIC, &ev, &id), -EINVAL);
  CHECK_RET("timer_create/efault-sigevent", ktimer_create(CLOCK_MONOTONIC, BAD_PTR, &id), -EFAULT);
  CHECK_RET("timer_create/efault-id", ktimer_create(CLOCK_MONOTONIC, NULL, BAD_PTR), -EFAULT);

  CHECK_RET("timer_create/ok", ktimer_create(CLOCK_MONOTONIC, NULL, &id), 0);
  struct itimerspec it = {{0, 0}, {0, 1000000000}};
  CHECK_RET("timer_settime/einval-nsec", raw4(SYS_timer_settime, id, 0, &it, 0), -EINVAL);
  it.it_value.tv_nsec = -1;
  CHECK_RET("timer_settime/einval-negative", raw4(SYS_timer_settime, id, 0, &it, 0), -EINVAL);
  CHECK_RET("timer_settime/einval-null", raw4(SYS_timer_settime, id, 0, 0, 0), -EINVAL);
  CHECK_RET("timer_settime/efault", raw4(SYS_timer_settime, id, 0, BAD_PTR, 0), -EFAULT);
  CHECK_RET("timer_gettime/efault", raw2(SYS_timer_gettime, id, BAD_PTR), -EFAULT);
  CHECK_RET("timer_gettime/disarmed-zero", kremaining(id), 0);
  CHECK_RET("timer_getoverrun/zero", raw1(SYS_timer_getoverrun, id), 0);
  CHECK_RET("timer_delete/ok", raw1(SYS_timer_delete, id), 0);
  CHECK_RET("timer_delete/twice-einval", raw1(SYS_timer_delete, id), -EINVAL);
  CHECK_RET("timer_settime/einval-id", ksettime(id, 0, 1000000, 0, NULL), -EINVAL);
  CHECK_RET("timer_gettime/einval-id", raw2(SYS_timer_gettime, id, &it), -EINVAL);
  CHECK_RET("timer_getoverrun/einval-id", raw1(SYS_timer_getoverrun, id), -EINVAL);

  /* distinct ids for live timers */
  int ids[8], distinct = 1;
  for (int i = 0; i < 8; i++)
    ktimer_create(CLOCK_MONOTONIC, NULL, &ids[i]);
  for (int i = 0; i < 8; i++)
    for (int j = i + 1; j < 8; j++)
      distinct &= ids[i] != ids[j];
  CHECK("timer_create/distinct-ids", distinct);
  for (int i = 0; i < 8; i++)
    raw1(SYS_timer_delete, ids[i]);
}

/* ---- expiry and signals ---- */

static void test_expire(void)
{
  int sig = SIGRTMIN + 1;
  block(sig);
  struct ksigevent ev = {{.i = 1234}, sig, SIGEV_SIGNAL, {0}};
  int id;
  CHECK_RET("signal/create", ktimer_create(CLOCK_MONOTONIC, &ev, &id), 0);
  long long t0 = now_ns();
  CHECK_RET("signal/settime", ksettime(id, 0, 50000000, 0, NULL), 0);
  long long left = kremaining(id);
  CHECKF("gettime/counts-down", left > 0 && left <= 50000000, "%lld ns", left);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  long r = wait_sig(sig, &si, 5000);
  long long el = now_ns() - t0;
  CHECKF("signal/one-shot-on-time", r == sig && el >= 50000000LL, "r %ld after %lld ms", r, el / 1000000);
  CHECKF("signal/si-code-timer", si.si_code == SI_TIMER, "si_code %d", si.si_code);
  CHECKF("signal/si-value", si.si_value.sival_int == 1234, "%d", si.si_value.sival_int);
  CHECKF("signal/si-overrun-zero", si.si_overrun == 0, "%d", si.si_overrun);
  CHECK_RET("gettime/zero-after-one-shot", kremaining(id), 0);
  CHECK_RET("signal/no-second-one", wait_sig(sig, &si, 100), -EAGAIN);

  /* old values, re-arming, disarming */
  struct itimerspec old;
  ksettime(id, 0, 5000000000LL, 1000000000LL, NULL);
  CHECK_RET("settime/rearm", ksettime(id, 0, 0, 0, &old), 0);
  CHECKF("settime/old-value", ts_ns(&old.it_value) > 4000000000LL && ts_ns(&old.it_value) <= 5000000000LL &&
                                  ts_ns(&old.it_interval) == 1000000000LL,
         "%lld %lld", ts_ns(&old.it_value), ts_ns(&old.it_interval));
  CHECK_RET("settime/zero-disarms", kremaining(id), 0);
  CHECK_RET("settime/disarmed-no-signal", wait_sig(sig, &si, 100), -EAGAIN);

  /* periodic */
  ksettime(id, 0, 20000000, 20000000, NULL);
  t0 = now_ns();
  int n = 0;
  while (n < 5 && wait_sig(sig, &si, 2000) == sig)
    n++;
  el = now_ns() - t0;
  ksettime(id, 0, 0, 0, NULL);
  CHECKF("periodic/five-signals", n == 5 && el >= 90000000LL, "%d signals in %lld ms", n, el / 1000000);
  struct itimerspec cur;
  ksettime(id, 0, 30000000, 40000000, NULL);
  raw2(SYS_timer_gettime, id, &cur);
  CHECKF("gettime/interval", ts_ns(&cur.it_interval) == 40000000, "%lld", ts_ns(&cur.it_interval));
  ksettime(id, 0, 0, 0, NULL);
  while (wait_sig(sig, &si, 0) == sig)
    ;

  /* overruns while the signal waits: about one per 10 ms period after the first
     expiry. The upper bound follows the time that really passed (a loaded host
     may oversleep the 250 ms). */
  t0 = now_ns();
  ksettime(id, 0, 10000000, 10000000, NULL);
  msleep(250);
  memset(&si, 0, sizeof(si));
  r = wait_sig(sig, &si, 1000);
  long ov = raw1(SYS_timer_getoverrun, id);
  ksettime(id, 0, 0, 0, NULL);
  long long periods = (now_ns() - t0) / 10000000LL;
  CHECKF("overrun/one-signal-counts-the-rest", r == sig && si.si_overrun >= 10 && si.si_overrun <= periods,
         "r %ld si_overrun %d in %lld periods", r, si.si_overrun, periods);
  CHECKF("overrun/getoverrun-matches", ov == si.si_overrun, "%ld vs %d", ov, si.si_overrun);
  while (wait_sig(sig, &si, 0) == sig)
    ;

  /* absolute times */
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  t0 = now_ns();
  long long when = ts_ns(&now) + 60000000LL;
  CHECK_RET("abstime/monotonic", ksettime(id, TIMER_ABSTIME, when, 0, NULL), 0);
  r = wait_sig(sig, &si, 5000);
  el = now_ns() - t0;
  CHECKF("abstime/monotonic-on-time", r == sig && el >= 55000000LL, "r %ld after %lld ms", r, el / 1000000);
  ksettime(id, TIMER_ABSTIME, 1000, 0, NULL); /* long past */
  CHECK_RET("abstime/past-fires-at-once", wait_sig(sig, &si, 1000), sig);
  raw1(SYS_timer_delete, id);

  int rid;
  ktimer_create(CLOCK_REALTIME, &ev, &rid);
  clock_gettime(CLOCK_REALTIME, &now);
  t0 = now_ns();
  ksettime(rid, TIMER_ABSTIME, ts_ns(&now) + 60000000LL, 0, NULL);
  r = wait_sig(sig, &si, 5000);
  el = now_ns() - t0;
  CHECKF("abstime/realtime-on-time", r == sig && el >= 50000000LL, "r %ld after %lld ms", r, el / 1000000);
  raw1(SYS_timer_delete, rid);

  /* NULL sigevent: SIGALRM carrying the timer id */
  block(SIGALRM);
  int aid;
  ktimer_create(CLOCK_MONOTONIC, NULL, &aid);
  ksettime(aid, 0, 10000000, 0, NULL);
  memset(&si, 0, sizeof(si));
  r = wait_sig(SIGALRM, &si, 5000);
  CHECKF("default-sigevent/sigalrm", r == SIGALRM && si.si_code == SI_TIMER, "r %ld code %d", r, si.si_code);
  if (!skip_on_qemu("default-sigevent/value-is-id", "linux-user/syscall.c hands out timer ids of its own"))
    CHECKF("default-sigevent/value-is-id", si.si_value.sival_int == aid, "value %d id %d", si.si_value.sival_int,
           aid);
  /* deleting an armed timer: no signal after */
  ksettime(aid, 0, 50000000, 0, NULL);
  CHECK_RET("delete/armed", raw1(SYS_timer_delete, aid), 0);
  CHECK_RET("delete/no-signal-after", wait_sig(SIGALRM, &si, 150), -EAGAIN);
  unblock(SIGALRM);

  /* SIGEV_NONE: counts down, never signals */
  struct ksigevent none = {{0}, sig, SIGEV_NONE, {0}};
  int nid;
  CHECK_RET("sigev-none/create", ktimer_create(CLOCK_MONOTONIC, &none, &nid), 0);
  ksettime(nid, 0, 30000000, 0, NULL);
  left = kremaining(nid);
  CHECKF("sigev-none/counts-down", left > 0 && left <= 30000000, "%lld", left);
  CHECK_RET("sigev-none/no-signal", wait_sig(sig, &si, 100), -EAGAIN);
  CHECK_RET("sigev-none/expired-zero", kremaining(nid), 0);
  ksettime(nid, 0, 20000000, 20000000, NULL);
  msleep(50);
  left = kremaining(nid);
  CHECKF("sigev-none/periodic-keeps-going", left > 0 && left <= 20000000, "%lld", left);
  raw1(SYS_timer_delete, nid);
  unblock(sig);
}

/* ---- SIGEV_THREAD_ID and the C library's SIGEV_THREAD ---- */

static volatile int thread_tid;
static volatile long thread_got;
static volatile int thread_value;

static void *sig_thread(void *arg)
{
  (void)arg;
  thread_tid = (int)raw0(SYS_gettid);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  thread_got = wait_sig(SIGUSR2, &si, 5000);
  thread_value = si.si_value.sival_int;
  return NULL;
}

static volatile int cb_runs;
static void timer_cb(union sigval v)
{
  if (v.sival_int == 77)
    __atomic_add_fetch(&cb_runs, 1, __ATOMIC_SEQ_CST);
}

static void test_threads(void)
{
  block(SIGUSR2); /* in every thread: only the target's wait takes it */
  pthread_t th;
  pthread_create(&th, NULL, sig_thread, NULL);
  while (!thread_tid)
    msleep(1);
  struct ksigevent ev = {{.i = 55}, SIGUSR2, SIGEV_THREAD_ID, {.tid = thread_tid}};
  int id;
  CHECK_RET("thread-id/create", ktimer_create(CLOCK_MONOTONIC, &ev, &id), 0);
  ksettime(id, 0, 30000000, 0, NULL);
  pthread_join(th, NULL);
  CHECKF("thread-id/signal-to-that-thread", thread_got == SIGUSR2 && thread_value == 55, "got %ld value %d",
         thread_got, thread_value);
  uint64_t pend = 0;
  raw2(SYS_rt_sigpending, &pend, 8);
  CHECK("thread-id/not-pending-elsewhere", !(pend & SIGBIT(SIGUSR2)));
  raw1(SYS_timer_delete, id);
  unblock(SIGUSR2);

  /* SIGEV_THREAD through the C library (a helper thread and SIGEV_THREAD_ID) */
  struct sigevent sev;
  memset(&sev, 0, sizeof(sev));
  sev.sigev_notify = SIGEV_THREAD;
  sev.sigev_notify_function = timer_cb;
  sev.sigev_value.sival_int = 77;
  timer_t lt;
  CHECKF("sigev-thread/libc-create", timer_create(CLOCK_MONOTONIC, &sev, &lt) == 0, "%s", strerror(errno));
  struct itimerspec it = {{0, 20000000}, {0, 20000000}};
  timer_settime(lt, 0, &it, NULL);
  long long stop = now_ns() + 5000000000LL;
  while (cb_runs < 3 && now_ns() < stop)
    msleep(5);
  timer_delete(lt);
  CHECKF("sigev-thread/callback-runs", cb_runs >= 3, "%d runs", cb_runs);
}

/* ---- timers on CPU clocks ---- */

static void test_cpu_timers(void)
{
  int sig = SIGRTMIN + 2;
  block(sig);
  static const struct { clockid_t c; const char *name; } clocks[] = {
      {CLOCK_PROCESS_CPUTIME_ID, "process"}, {CLOCK_THREAD_CPUTIME_ID, "thread"}};
  char name[96];
  for (int i = 0; i < 2; i++) {
    struct ksigevent ev = {{.i = i}, sig, SIGEV_SIGNAL, {0}};
    int id;
    ktimer_create(clocks[i].c, &ev, &id);
    long long c0 = cpu_ns(clocks[i].c), w0 = now_ns();
    ksettime(id, 0, 60000000, 0, NULL);
    msleep(100); /* sleeping uses no CPU time */
    siginfo_t si;
    long early = wait_sig(sig, &si, 0);
    long long left = kremaining(id);
    snprintf(name, sizeof(name), "cpu-timer/%s-not-while-sleeping", clocks[i].name);
    CHECKF(name, early == -EAGAIN && left > 30000000, "r %ld, %lld ns left", early, left);
    long r = -EAGAIN;
    long long stop = now_ns() + 10000000000LL;
    while (r == -EAGAIN && now_ns() < stop) {
      burn_cpu(clocks[i].c, 5);
      r = wait_sig(sig, &si, 0);
    }
    long long used = cpu_ns(clocks[i].c) - c0;
    snprintf(name, sizeof(name), "cpu-timer/%s-fires-after-cpu-time", clocks[i].name);
    CHECKF(name, r == sig && used >= 55000000LL && si.si_code == SI_TIMER, "r %ld after %lld ms CPU, %lld ms wall",
           r, used / 1000000, (now_ns() - w0) / 1000000);
    raw1(SYS_timer_delete, id);
  }
  /* a periodic one */
  struct ksigevent ev = {{0}, sig, SIGEV_SIGNAL, {0}};
  int id;
  ktimer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id);
  ksettime(id, 0, 20000000, 20000000, NULL);
  int n = 0;
  long long stop = now_ns() + 10000000000LL;
  siginfo_t si;
  while (n < 3 && now_ns() < stop) {
    burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 5);
    while (wait_sig(sig, &si, 0) == sig)
      n++;
  }
  raw1(SYS_timer_delete, id);
  CHECKF("cpu-timer/periodic", n >= 3, "%d signals", n);
  unblock(sig);
}

/* ---- fork and exec ---- */

static void test_fork_exec(void)
{
  int id;
  ktimer_create(CLOCK_MONOTONIC, NULL, &id);
  block(SIGALRM);
  ksettime(id, 0, 10000000000LL, 0, NULL);
  pid_t pid = fork();
  if (pid == 0) {
    struct itimerspec cur;
    _exit(raw2(SYS_timer_gettime, id, &cur) == -EINVAL ? 0 : 1);
  }
  int st = wait_child_timeout(pid, 10000);
  CHECKF("fork/no-timers-in-child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
  pid = fork();
  if (pid == 0) {
    char arg[32];
    snprintf(arg, sizeof(arg), "%d", id);
    execl(self_path, self_path, "after-exec", arg, (char *)NULL);
    _exit(3);
  }
  st = wait_child_timeout(pid, 10000);
  CHECKF("exec/timers-deleted", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
  raw1(SYS_timer_delete, id);
  unblock(SIGALRM);
}

/* ---- ITIMER_VIRTUAL and ITIMER_PROF ---- */

static volatile int vt_hits, prof_hits;
static void on_vtalrm(int s) { (void)s; vt_hits++; }
static void on_prof(int s) { (void)s; prof_hits++; }

static long long itv_ns(const struct timeval *tv) { return tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL; }

static void test_itimer_cpu(void)
{
  ksigaction(SIGVTALRM, (void *)on_vtalrm, 0, 0, NULL);
  ksigaction(SIGPROF, (void *)on_prof, 0, 0, NULL);
  struct itimerval it = {{0, 0}, {0, 100000}}, cur, old;
  CHECK_RET("virtual/set", raw3(SYS_setitimer, ITIMER_VIRTUAL, &it, 0), 0);
  raw2(SYS_getitimer, ITIMER_VIRTUAL, &cur);
  long long a = itv_ns(&cur.it_value);
  msleep(100);
  raw2(SYS_getitimer, ITIMER_VIRTUAL, &cur);
  long long b = itv_ns(&cur.it_value);
  CHECKF("virtual/armed", a > 0 && a <= 120000000LL, "%lld", a);
  CHECKF("virtual/not-while-sleeping", b > 0 && a - b < 20000000LL, "%lld then %lld", a, b);
  long long c0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID), stop = now_ns() + 10000000000LL;
  while (!vt_hits && now_ns() < stop)
    burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 5);
  long long used = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
  /* (user time only, sampled at ticks: well over half the 100 ms, and it
   * did not fire while sleeping above) */
  CHECKF("virtual/sigvtalrm-after-cpu-time", vt_hits == 1 && used >= 50000000LL, "%d after %lld ms CPU", vt_hits,
         used / 1000000);
  raw2(SYS_getitimer, ITIMER_VIRTUAL, &cur);
  CHECK("virtual/disarmed-after-one-shot", itv_ns(&cur.it_value) == 0);

  struct itimerval per = {{0, 20000}, {0, 20000}};
  CHECK_RET("prof/set-periodic", raw3(SYS_setitimer, ITIMER_PROF, &per, 0), 0);
  stop = now_ns() + 10000000000LL;
  while (prof_hits < 3 && now_ns() < stop)
    burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 5);
  CHECKF("prof/sigprof-repeats", prof_hits >= 3, "%d", prof_hits);
  struct itimerval off = {{0, 0}, {0, 0}};
  CHECK_RET("prof/disarm", raw3(SYS_setitimer, ITIMER_PROF, &off, &old), 0);
  CHECKF("prof/old-value", itv_ns(&old.it_interval) == 20000000LL && itv_ns(&old.it_value) > 0, "%lld %lld",
         itv_ns(&old.it_interval), itv_ns(&old.it_value));
  int n = prof_hits;
  burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 60);
  CHECK("prof/disarmed-stays-quiet", prof_hits == n);

  struct itimerval bad = {{0, 0}, {0, 1000000}};
  CHECK_RET("virtual/einval-usec", raw3(SYS_setitimer, ITIMER_VIRTUAL, &bad, 0), -EINVAL);
  CHECK_RET("prof/efault", raw2(SYS_getitimer, ITIMER_PROF, BAD_PTR), -EFAULT);

  /* not inherited by fork */
  it = (struct itimerval){{0, 0}, {10, 0}};
  raw3(SYS_setitimer, ITIMER_VIRTUAL, &it, 0);
  pid_t pid = fork();
  if (pid == 0) {
    struct itimerval c;
    raw2(SYS_getitimer, ITIMER_VIRTUAL, &c);
    _exit(c.it_value.tv_sec == 0 && c.it_value.tv_usec == 0 ? 0 : 1);
  }
  int st = wait_child_timeout(pid, 10000);
  CHECKF("virtual/not-inherited-by-fork", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
  raw3(SYS_setitimer, ITIMER_VIRTUAL, &off, 0);
}

/* ---- clocks: settime, CPU clock ids, adjtimex ---- */

static void test_clocks(void)
{
  struct timespec ts = {0, 0};
  CHECK_RET("clock_settime/efault", raw2(SYS_clock_settime, CLOCK_REALTIME, BAD_PTR), -EFAULT);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  CHECK_RET("clock_settime/monotonic-einval", raw2(SYS_clock_settime, CLOCK_MONOTONIC, &ts), -EINVAL);
  CHECK_RET("clock_settime/cputime-einval", raw2(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &ts), -EINVAL);
  if (!skip_on_qemu("clock_settime/einval-before-efault", "linux-user/syscall.c reads the timespec first"))
    CHECK_RET("clock_settime/einval-before-efault", raw2(SYS_clock_settime, CLOCK_MONOTONIC, BAD_PTR), -EINVAL);
  clockid_t own;
  clock_getcpuclockid(getpid(), &own);
  CHECK_RET("clock_settime/cpu-clock-by-pid-eperm", raw2(SYS_clock_settime, own, &ts), -EPERM);
  CHECK_RET("clock_settime/bad-clock-einval", raw2(SYS_clock_settime, 100, &ts), -EINVAL);
  if (!on_kite()) {
    abi_line("SKIP: %s/clock_settime/realtime (not Kite: would set the host's clock)", abi_family);
  } else {
    struct timespec bad = {0, 1000000000};
    CHECK_RET("clock_settime/einval-nsec", raw2(SYS_clock_settime, CLOCK_REALTIME, &bad), -EINVAL);
    /* an absolute real-time timer follows the clock when it is set */
    int sig = SIGRTMIN + 3;
    block(sig);
    struct ksigevent ev = {{0}, sig, SIGEV_SIGNAL, {0}};
    int id;
    ktimer_create(CLOCK_REALTIME, &ev, &id);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    ksettime(id, TIMER_ABSTIME, ts_ns(&now) + 3600000000000LL, 0, NULL); /* an hour from now */
    struct timespec later = now;
    later.tv_sec += 3600;
    long long t0 = now_ns();
    CHECK_RET("clock_settime/realtime", raw2(SYS_clock_settime, CLOCK_REALTIME, &later), 0);
    struct timespec got;
    clock_gettime(CLOCK_REALTIME, &got);
    CHECKF("clock_settime/took", got.tv_sec >= later.tv_sec && got.tv_sec <= later.tv_sec + 2, "%ld vs %ld",
           (long)got.tv_sec, (long)later.tv_sec);
    siginfo_t si;
    long r = wait_sig(sig, &si, 2000);
    CHECKF("clock_settime/abstime-timer-follows", r == sig && now_ns() - t0 < 1500000000LL, "r %ld", r);
    /* put the clock back where it was, plus the time spent */
    clock_gettime(CLOCK_REALTIME, &got);
    got.tv_sec -= 3600;
    raw2(SYS_clock_settime, CLOCK_REALTIME, &got);
    raw1(SYS_timer_delete, id);
    unblock(sig);
  }

  /* CPU clocks of a process and a thread, by id */
  clockid_t pc;
  CHECK("getcpuclockid/self", clock_getcpuclockid(getpid(), &pc) == 0);
  struct timespec a, b;
  burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 20);
  CHECK("getcpuclockid/self-readable", clock_gettime(pc, &a) == 0 && ts_ns(&a) >= 20000000LL);
  pid_t child = fork();
  if (child == 0) {
    burn_cpu(CLOCK_PROCESS_CPUTIME_ID, 40);
    pause();
    _exit(0);
  }
  long long stop = now_ns() + 10000000000LL;
  int ok = 0;
  clockid_t cc;
  int cr = clock_getcpuclockid(child, &cc);
  while (cr == 0 && now_ns() < stop) {
    if (clock_gettime(cc, &b) == 0 && ts_ns(&b) >= 40000000LL) {
      ok = 1;
      break;
    }
    msleep(10);
  }
  CHECKF("getcpuclockid/child-clock", cr == 0 && ok, "cr %d %lld ns", cr, ts_ns(&b));
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  clockid_t tc;
  CHECK("pthread_getcpuclockid/self", pthread_getcpuclockid(pthread_self(), &tc) == 0 && clock_gettime(tc, &a) == 0 &&
                                          ts_ns(&a) > 0);
  CHECK_RET("cpuclock/einval-no-such-pid", raw2(SYS_clock_gettime, (~(clockid_t)999999 << 3) | 2, &a), -EINVAL);

  /* adjtimex: a query */
  struct timex tx;
  memset(&tx, 0, sizeof(tx));
  long r = raw1(SYS_adjtimex, &tx);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  CHECKF("adjtimex/query", r >= 0 && r <= 5, "%ld", r);
  CHECKF("adjtimex/tick", tx.tick >= 900000 / 100 && tx.tick <= 1100000 / 100, "%ld", (long)tx.tick);
  CHECKF("adjtimex/tolerance", tx.tolerance == 500 << 16, "%ld", (long)tx.tolerance);
  CHECKF("adjtimex/time", tx.time.tv_sec >= tv.tv_sec - 2 && tx.time.tv_sec <= tv.tv_sec, "%ld vs %ld",
         (long)tx.time.tv_sec, (long)tv.tv_sec);
  CHECK("adjtimex/unsync-means-time-error", !(tx.status & STA_UNSYNC) || r == TIME_ERROR);
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_OFFSET_SS_READ;
  CHECKF("adjtimex/ss-read", raw1(SYS_adjtimex, &tx) >= 0 && tx.offset == 0, "offset %ld", (long)tx.offset);
  CHECK_RET("adjtimex/efault", raw1(SYS_adjtimex, BAD_PTR), -EFAULT);
  memset(&tx, 0, sizeof(tx));
  CHECKF("clock_adjtime/realtime", raw2(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0, "");
  CHECK_RET("clock_adjtime/monotonic-eopnotsupp", raw2(SYS_clock_adjtime, CLOCK_MONOTONIC, &tx), -EOPNOTSUPP);
  CHECK_RET("clock_adjtime/einval", raw2(SYS_clock_adjtime, 100, &tx), -EINVAL);
  CHECK_RET("clock_adjtime/cpu-eopnotsupp", raw2(SYS_clock_adjtime, CLOCK_PROCESS_CPUTIME_ID, &tx), -EOPNOTSUPP);

  /* SIGEV_THREAD, to the kernel: a signal to the process */
  if (skip_on_qemu("sigev-thread/signal-comes", "linux-user/syscall.c takes SIGEV_THREAD as its own and crashes"))
    return;
  int sig = SIGRTMIN + 4;
  block(sig);
  struct ksigevent ev = {{.i = 9}, sig, SIGEV_THREAD, {0}};
  int id;
  CHECK_RET("timer_create/sigev-thread-is-a-signal", ktimer_create(CLOCK_MONOTONIC, &ev, &id), 0);
  ksettime(id, 0, 10000000, 0, NULL);
  siginfo_t si;
  CHECK_RET("sigev-thread/signal-comes", wait_sig(sig, &si, 5000), sig);
  raw1(SYS_timer_delete, id);
  unblock(sig);
}

/* ---- adjtimex: slewing the real-time clock (Kite and the reference Linux) ---- */

static long adjtimex_raw(struct timex *tx) { return raw1(SYS_adjtimex, tx); }

static long long clock_ns(clockid_t c)
{
  struct timespec t;
  clock_gettime(c, &t);
  return ts_ns(&t);
}

/* How fast CLOCK_REALTIME runs against the raw counter over ms: ppm off 1. */
static long slew_ppm(long ms)
{
  long long r0 = clock_ns(CLOCK_REALTIME), m0 = clock_ns(CLOCK_MONOTONIC_RAW);
  msleep(ms);
  long long r1 = clock_ns(CLOCK_REALTIME), m1 = clock_ns(CLOCK_MONOTONIC_RAW);
  return (long)(((r1 - r0) - (m1 - m0)) * 1000000 / (m1 - m0));
}

static void test_adjtimex(void)
{
  if (on_qemu_user()) {
    abi_line("SKIP: %s/adjtimex (qemu-user: no CAP_SYS_TIME in its user namespace)", abi_family);
    return;
  }
  struct timex saved, tx;
  memset(&saved, 0, sizeof(saved));
  long r = adjtimex_raw(&saved);
  CHECKF("adjtimex/save", r >= 0 && r <= 5, "%ld", r);
  /* LTP's adjtimex01: every slewing mode at once, with the values read */
  tx = saved;
  tx.modes = ADJ_OFFSET | ADJ_FREQUENCY | ADJ_MAXERROR | ADJ_ESTERROR | ADJ_STATUS | ADJ_TIMECONST | ADJ_TICK;
  r = adjtimex_raw(&tx);
  CHECKF("adjtimex/set-all-modes", r >= 0 && r <= 5, "%ld", r);
  CHECKF("adjtimex/modes-left-alone", tx.modes == (ADJ_OFFSET | ADJ_FREQUENCY | ADJ_MAXERROR | ADJ_ESTERROR |
                                                   ADJ_STATUS | ADJ_TIMECONST | ADJ_TICK), "%x", tx.modes);

  /* the errors, in Linux's order */
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_TICK;
  tx.tick = 900000 / 100 - 1;
  CHECK_RET("adjtimex/tick-low-einval", adjtimex_raw(&tx), -EINVAL);
  tx.tick = 1100000 / 100 + 1;
  CHECK_RET("adjtimex/tick-high-einval", adjtimex_raw(&tx), -EINVAL);
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_SETOFFSET;
  tx.time.tv_usec = 1000000;
  CHECK_RET("adjtimex/setoffset-usec-einval", adjtimex_raw(&tx), -EINVAL);
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  tx.time.tv_usec = 1000000000;
  CHECK_RET("adjtimex/setoffset-nsec-einval", adjtimex_raw(&tx), -EINVAL);
  tx.time.tv_usec = -1;
  CHECK_RET("adjtimex/setoffset-negative-einval", adjtimex_raw(&tx), -EINVAL);
  memset(&tx, 0, sizeof(tx));
  tx.modes = 0x8000; /* ADJ_ADJTIME without ADJ_OFFSET (LTP's adjtimex03) */
  CHECK_RET("adjtimex/adjtime-without-offset-einval", adjtimex_raw(&tx), -EINVAL);
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_FREQUENCY;
  tx.freq = LLONG_MAX / 65536000 + 1;
  CHECK_RET("adjtimex/freq-overflow-einval", adjtimex_raw(&tx), -EINVAL);
  pid_t pid = fork();
  if (pid == 0) {
    if (setuid(65534))
      _exit(9);
    struct timex t;
    memset(&t, 0, sizeof(t));
    if (adjtimex_raw(&t) < 0)
      _exit(1); /* reading needs nothing */
    t.modes = ADJ_OFFSET_SS_READ;
    if (adjtimex_raw(&t) < 0)
      _exit(2);
    t.modes = ADJ_MAXERROR;
    if (adjtimex_raw(&t) != -EPERM)
      _exit(3);
    t.modes = ADJ_OFFSET_SINGLESHOT;
    if (adjtimex_raw(&t) != -EPERM)
      _exit(4);
    memset(&t, 0, sizeof(t));
    t.modes = ADJ_TICK;
    t.tick = 1; /* EPERM comes before EINVAL */
    if (adjtimex_raw(&t) != -EPERM)
      _exit(5);
    _exit(0);
  }
  int st = wait_child_timeout(pid, 10000);
  CHECKF("adjtimex/unprivileged-eperm-but-may-read", EXITED_OK(st), "%s", status_str(st));

  /* bookkeeping: the time constant (+4 in µs units), status and the state returned */
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_MICRO | ADJ_TIMECONST;
  tx.constant = 3;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/timeconst-micro-plus-4", tx.constant == 7, "%ld", (long)tx.constant);
  tx.modes = ADJ_NANO | ADJ_TIMECONST;
  tx.constant = 3;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/timeconst-nano", tx.constant == 3 && (tx.status & STA_NANO), "%ld %x", (long)tx.constant,
         tx.status);
  tx.modes = ADJ_MICRO;
  adjtimex_raw(&tx);
  CHECK("adjtimex/micro-clears-sta-nano", !(tx.status & STA_NANO));
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR;
  tx.status = 0;
  tx.maxerror = 1000;
  tx.esterror = 20;
  r = adjtimex_raw(&tx);
  CHECKF("adjtimex/synced-time-ok", r == TIME_OK && tx.maxerror >= 1000 && tx.maxerror < 10000 &&
                                        tx.esterror == 20, "r %ld maxerror %ld", r, (long)tx.maxerror);
  msleep(2200);
  memset(&tx, 0, sizeof(tx));
  adjtimex_raw(&tx);
  CHECKF("adjtimex/maxerror-grows-500us-a-second", tx.maxerror >= 1000 + 2 * 500 && tx.maxerror <= 1000 + 4 * 500,
         "%ld", (long)tx.maxerror);
  tx.modes = ADJ_STATUS;
  tx.status = STA_UNSYNC;
  CHECK_RET("adjtimex/unsync-time-error", adjtimex_raw(&tx), TIME_ERROR);
  tx.modes = ADJ_MAXERROR;
  tx.maxerror = 100000000;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/maxerror-clamped", tx.maxerror == 16000000, "%ld", (long)tx.maxerror);

  /* ADJ_FREQUENCY: kept in ppm << 16, clamped to 500 ppm, and the clock runs at it */
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_FREQUENCY;
  tx.freq = -(123 << 16);
  adjtimex_raw(&tx);
  CHECKF("adjtimex/freq", tx.freq == -(123 << 16), "%ld", (long)tx.freq);
  tx.freq = 900 << 16;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/freq-clamped-500ppm", tx.freq == 500 << 16, "%ld", (long)tx.freq);
  /* ADJ_TICK: a tick of 11000 µs makes the clock 10% fast (easy to see on a loaded host) */
  tx.modes = ADJ_TICK | ADJ_FREQUENCY;
  tx.freq = 0;
  tx.tick = 11000;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/tick", tx.tick == 11000, "%ld", (long)tx.tick);
  long ppm = slew_ppm(500);
  CHECKF("adjtimex/tick-slews-clock", ppm > 80000 && ppm < 120000, "%ld ppm", ppm);
  tx.tick = 9000;
  adjtimex_raw(&tx);
  ppm = slew_ppm(500);
  CHECKF("adjtimex/short-tick-slows-clock", ppm < -80000 && ppm > -120000, "%ld ppm", ppm);
  tx.modes = ADJ_TICK;
  tx.tick = 10000;
  adjtimex_raw(&tx);
  ppm = slew_ppm(300);
  CHECKF("adjtimex/tick-back", ppm > -20000 && ppm < 20000, "%ld ppm", ppm);

  /* adjtime()'s single shot: 500 µs a second, the old value returned */
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_OFFSET_SINGLESHOT;
  tx.offset = 300000;  /* µs */
  adjtimex_raw(&tx);
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_OFFSET_SS_READ;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/singleshot-pending", tx.offset <= 300000 && tx.offset >= 300000 - 2 * 500, "%ld",
         (long)tx.offset);
  long long r0 = clock_ns(CLOCK_REALTIME), m0 = clock_ns(CLOCK_MONOTONIC_RAW);
  msleep(2500);
  tx.modes = ADJ_OFFSET_SS_READ;
  adjtimex_raw(&tx);
  long long gained = (clock_ns(CLOCK_REALTIME) - r0) - (clock_ns(CLOCK_MONOTONIC_RAW) - m0);
  CHECKF("adjtimex/singleshot-slews", tx.offset < 300000 - 500 && tx.offset >= 300000 - 5 * 500, "%ld",
         (long)tx.offset);
  CHECKF("adjtimex/singleshot-clock-gains", gained > 500000 && gained < 2500000, "%lld ns", gained);
  tx.modes = ADJ_OFFSET_SINGLESHOT;
  tx.offset = 0;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/singleshot-returns-old", tx.offset > 0 && tx.offset < 300000, "%ld", (long)tx.offset);

  /* the PLL: ADJ_OFFSET only with STA_PLL; the offset is slewed away */
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_STATUS | ADJ_OFFSET;
  tx.status = 0;
  tx.offset = 5000;
  adjtimex_raw(&tx);
  CHECKF("adjtimex/offset-needs-pll", tx.offset == 0, "%ld", (long)tx.offset);
  tx.modes = ADJ_STATUS | ADJ_NANO | ADJ_TIMECONST | ADJ_OFFSET;
  tx.status = STA_PLL;
  tx.constant = 0;
  tx.offset = 40000000; /* 40 ms, in ns */
  adjtimex_raw(&tx);
  CHECKF("adjtimex/pll-offset", tx.offset == 40000000 && (tx.status & STA_PLL), "%ld", (long)tx.offset);
  msleep(2200);
  memset(&tx, 0, sizeof(tx));
  adjtimex_raw(&tx);
  /* each second a quarter of what is left: 30 ms, 22.5 ms, 16.9 ms ... */
  CHECKF("adjtimex/pll-slews-offset", tx.offset <= 23000000 && tx.offset >= 9000000, "%ld", (long)tx.offset);
  tx.modes = ADJ_OFFSET;
  tx.offset = 0;
  adjtimex_raw(&tx);
  tx.modes = ADJ_STATUS | ADJ_MICRO;
  tx.status = STA_UNSYNC;
  adjtimex_raw(&tx);
  CHECK("adjtimex/pll-off", !(tx.status & (STA_PLL | STA_NANO)) && tx.offset == 0);

  /* ADJ_SETOFFSET: a step, not a slew */
  r0 = clock_ns(CLOCK_REALTIME);
  m0 = clock_ns(CLOCK_MONOTONIC_RAW);
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_SETOFFSET;
  tx.time.tv_sec = 5;
  tx.time.tv_usec = 0;
  CHECKF("adjtimex/setoffset", adjtimex_raw(&tx) >= 0, "");
  gained = (clock_ns(CLOCK_REALTIME) - r0) - (clock_ns(CLOCK_MONOTONIC_RAW) - m0);
  CHECKF("adjtimex/setoffset-steps", gained > 4900000000LL && gained < 5100000000LL, "%lld", gained);
  tx.time.tv_sec = -6;
  tx.time.tv_usec = 999999000;
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  adjtimex_raw(&tx);
  gained = (clock_ns(CLOCK_REALTIME) - r0) - (clock_ns(CLOCK_MONOTONIC_RAW) - m0);
  CHECKF("adjtimex/setoffset-back", gained > -100000000LL && gained < 100000000LL, "%lld", gained);

  /* clock_adjtime(CLOCK_REALTIME) is the same state */
  memset(&tx, 0, sizeof(tx));
  tx.modes = ADJ_ESTERROR;
  tx.esterror = 4242;
  raw2(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
  memset(&tx, 0, sizeof(tx));
  adjtimex_raw(&tx);
  CHECKF("clock_adjtime/same-state", tx.esterror == 4242, "%ld", (long)tx.esterror);

  /* put back what was there */
  saved.modes = ADJ_FREQUENCY | ADJ_MAXERROR | ADJ_ESTERROR | ADJ_STATUS | ADJ_TIMECONST | ADJ_TICK |
                ((saved.status & STA_NANO) ? ADJ_NANO : ADJ_MICRO);
  CHECKF("adjtimex/restore", adjtimex_raw(&saved) >= 0, "");
}

int main(int argc, char **argv)
{
  if (argc == 3 && !strcmp(argv[1], "after-exec")) {
    struct itimerspec cur;
    return raw2(SYS_timer_gettime, atoi(argv[2]), &cur) == -EINVAL ? 0 : 1;
  }
  self_path = argv[0];
  abi_family = "ptimer";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("create", test_create, 30000);
  run_section("expire", test_expire, 60000);
  run_section("threads", test_threads, 30000);
  run_section("cpu", test_cpu_timers, 60000);
  run_section("fork-exec", test_fork_exec, 30000);
  run_section("itimer-cpu", test_itimer_cpu, 60000);
  run_section("clocks", test_clocks, 60000);
  run_section("adjtimex", test_adjtimex, 60000);
  return abi_done();
}
