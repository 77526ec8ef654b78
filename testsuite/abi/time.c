/*
 * time.c — time ABI tests (testsuite/abi): clock_gettime and clock_getres
 * for every clock (REALTIME, MONOTONIC, BOOTTIME, PROCESS and THREAD CPU
 * time, the coarse and raw clocks), gettimeofday, nanosleep,
 * clock_nanosleep (relative and TIMER_ABSTIME), and the ITIMER_REAL timer
 * (setitimer/getitimer, SIGALRM). User space.
 */
#include "check.h"
#include <sys/time.h>

static long long ts_ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static const struct {
  int id;
  const char *name;
} clocks[] = {
    {CLOCK_REALTIME, "realtime"},
    {CLOCK_MONOTONIC, "monotonic"},
    {CLOCK_PROCESS_CPUTIME_ID, "process-cputime"},
    {CLOCK_THREAD_CPUTIME_ID, "thread-cputime"},
    {CLOCK_MONOTONIC_RAW, "monotonic-raw"},
    {CLOCK_REALTIME_COARSE, "realtime-coarse"},
    {CLOCK_MONOTONIC_COARSE, "monotonic-coarse"},
    {CLOCK_BOOTTIME, "boottime"},
};

static void burn(long ms)
{
  long long end = now_ns() + ms * 1000000LL;
  volatile unsigned long x = 0;
  while (now_ns() < end)
    for (int i = 0; i < 1000; i++)
      x += i;
}

static void test_clocks(void)
{
  char name[80];
  for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
    struct timespec t = {-1, -1}, r = {-1, -1};
    long g = raw2(SYS_clock_gettime, clocks[i].id, &t);
    snprintf(name, sizeof(name), "clock_gettime/%s", clocks[i].name);
    CHECKF(name, g == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000, "r %ld %ld.%09ld", g,
           (long)t.tv_sec, t.tv_nsec);
    long gr = raw2(SYS_clock_getres, clocks[i].id, &r);
    snprintf(name, sizeof(name), "clock_getres/%s", clocks[i].name);
    /* High-resolution clocks: at most 1 ms; coarse ones: a tick (at most 10 ms). */
    long long max = strstr(clocks[i].name, "coarse") ? 10000000LL : 1000000LL;
    CHECKF(name, gr == 0 && ts_ns(&r) > 0 && ts_ns(&r) <= max, "r %ld res %lld ns", gr, ts_ns(&r));
  }
  CHECK_RET("clock_gettime/einval-bad-clock", raw2(SYS_clock_gettime, 100, &(struct timespec){0}), -EINVAL);
  CHECK_RET("clock_gettime/efault", raw2(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_PTR), -EFAULT);
  CHECK_RET("clock_getres/einval-bad-clock", raw2(SYS_clock_getres, 100, &(struct timespec){0}), -EINVAL);
  CHECK_RET("clock_getres/null-ok", raw2(SYS_clock_getres, CLOCK_MONOTONIC, 0), 0);

  /* monotonic never goes back; boottime is at least monotonic */
  struct timespec a, b;
  int mono = 1;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < 2000; i++) {
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (ts_ns(&b) < ts_ns(&a))
      mono = 0;
    a = b;
  }
  CHECK("clock/monotonic-never-goes-back", mono);
  struct timespec m, bt;
  clock_gettime(CLOCK_MONOTONIC, &m);
  clock_gettime(CLOCK_BOOTTIME, &bt);
  CHECK("clock/boottime-at-least-monotonic", ts_ns(&bt) >= ts_ns(&m));
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  CHECKF("clock/realtime-is-a-date", rt.tv_sec > 1577836800L, "realtime %ld (before 2020)", (long)rt.tv_sec);

  /* CPU clocks advance with CPU use, not with sleeping */
  struct timespec p0, p1, t0, t1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p0);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  /* Spin until the thread has had 60 ms of CPU (at most 10 s of wall time:
   * on a busy host the CPU share of a spinning program can be small). */
  long long wall_end = now_ns() + 10000000000LL;
  do {
    burn(10);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  } while (ts_ns(&t1) - ts_ns(&t0) < 60000000LL && now_ns() < wall_end);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p1);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  CHECKF("clock/process-cputime-advances", ts_ns(&p1) - ts_ns(&p0) >= 20000000LL, "%lld ns in 10 s of spinning",
         ts_ns(&p1) - ts_ns(&p0));
  CHECKF("clock/thread-cputime-advances", ts_ns(&t1) - ts_ns(&t0) >= 20000000LL, "%lld ns", ts_ns(&t1) - ts_ns(&t0));
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p0);
  msleep(100);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p1);
  CHECKF("clock/cputime-stands-still-while-sleeping", ts_ns(&p1) - ts_ns(&p0) < 60000000LL,
         "%lld ns over a 100 ms sleep", ts_ns(&p1) - ts_ns(&p0));

  struct timeval tv;
  struct timezone tz;
  clock_gettime(CLOCK_REALTIME, &rt);
  long g = raw2(SYS_gettimeofday, &tv, &tz);
  CHECKF("gettimeofday/matches-realtime", g == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000 &&
                                              tv.tv_sec - rt.tv_sec >= 0 && tv.tv_sec - rt.tv_sec <= 1,
         "r %ld tv %ld rt %ld", g, (long)tv.tv_sec, (long)rt.tv_sec);
  CHECK_RET("gettimeofday/null-ok", raw2(SYS_gettimeofday, 0, 0), 0);
  CHECK_RET("gettimeofday/efault", raw2(SYS_gettimeofday, BAD_PTR, 0), -EFAULT);
}

static void test_sleep(void)
{
  struct timespec req = {0, 50 * 1000 * 1000};
  long long t0 = now_ns();
  long r = raw2(SYS_nanosleep, &req, 0);
  long long el = now_ns() - t0;
  CHECKF("nanosleep/sleeps-at-least", r == 0 && el >= 50000000LL && el < 2000000000LL, "r %ld slept %lld ms", r,
         el / 1000000);
  req.tv_nsec = 1000000000;
  CHECK_RET("nanosleep/einval-nsec", raw2(SYS_nanosleep, &req, 0), -EINVAL);
  req.tv_sec = -1;
  req.tv_nsec = 0;
  CHECK_RET("nanosleep/einval-negative", raw2(SYS_nanosleep, &req, 0), -EINVAL);
  if (!skip_on_qemu("nanosleep/efault", "a bad request pointer gives EINVAL (syscall.c ignores the copy error)"))
    CHECK_RET("nanosleep/efault", raw2(SYS_nanosleep, BAD_PTR, 0), -EFAULT);
  req.tv_sec = 0;
  CHECK_RET("nanosleep/zero", raw2(SYS_nanosleep, &req, 0), 0);

  req.tv_nsec = 40 * 1000 * 1000;
  t0 = now_ns();
  r = raw4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, 0);
  el = now_ns() - t0;
  CHECKF("clock_nanosleep/relative", r == 0 && el >= 40000000LL, "r %ld slept %lld ms", r, el / 1000000);
  struct timespec dl, now;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  dl.tv_nsec += 40 * 1000 * 1000;
  if (dl.tv_nsec >= 1000000000) {
    dl.tv_sec++;
    dl.tv_nsec -= 1000000000;
  }
  r = raw4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, 0);
  clock_gettime(CLOCK_MONOTONIC, &now);
  CHECKF("clock_nanosleep/abstime-monotonic", r == 0 && ts_ns(&now) >= ts_ns(&dl), "r %ld, woke %lld ns early", r,
         ts_ns(&dl) - ts_ns(&now));
  clock_gettime(CLOCK_REALTIME, &dl);
  dl.tv_nsec += 40 * 1000 * 1000;
  if (dl.tv_nsec >= 1000000000) {
    dl.tv_sec++;
    dl.tv_nsec -= 1000000000;
  }
  r = raw4(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &dl, 0);
  clock_gettime(CLOCK_REALTIME, &now);
  CHECKF("clock_nanosleep/abstime-realtime", r == 0 && ts_ns(&now) >= ts_ns(&dl), "r %ld", r);
  dl.tv_sec -= 10;
  t0 = now_ns();
  r = raw4(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &dl, 0);
  CHECKF("clock_nanosleep/abstime-in-the-past-returns-at-once", r == 0 && now_ns() - t0 < 500000000LL, "r %ld", r);
  CHECK_RET("clock_nanosleep/einval-bad-clock", raw4(SYS_clock_nanosleep, 100, 0, &req, 0), -EINVAL);
  /* Sleeping on a thread's CPU clock is refused: EINVAL in older Linux,
   * EOPNOTSUPP in newer (no nsleep for the thread clock). */
  r = raw4(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, 0);
  CHECKF("clock_nanosleep/refused-on-thread-cputime", r == -EINVAL || r == -EOPNOTSUPP, "r %ld", r);
  req.tv_nsec = -5;
  CHECK_RET("clock_nanosleep/einval-bad-time", raw4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, 0), -EINVAL);
}

static volatile int alarms;
static void on_alarm(int s)
{
  (void)s;
  alarms++;
}

static void test_itimer(void)
{
  ksigaction(SIGALRM, (void *)on_alarm, SA_RESTART, 0, NULL);
  struct itimerval it = {{0, 0}, {0, 300 * 1000}}, cur, old;
  alarms = 0;
  long long t0 = now_ns();
  CHECK_RET("setitimer/one-shot", raw3(SYS_setitimer, ITIMER_REAL, &it, 0), 0);
  raw2(SYS_getitimer, ITIMER_REAL, &cur);
  long left = cur.it_value.tv_sec * 1000000 + cur.it_value.tv_usec;
  CHECKF("getitimer/counts-down", left > 0 && left <= 300000 && cur.it_interval.tv_usec == 0, "%ld us left", left);
  while (!alarms && now_ns() - t0 < 3000000000LL)
    msleep(5);
  long long el = now_ns() - t0;
  CHECKF("setitimer/sigalrm-on-time", alarms == 1 && el >= 300000000LL, "%d alarms after %lld ms", alarms, el / 1000000);
  raw2(SYS_getitimer, ITIMER_REAL, &cur);
  CHECK("getitimer/disarmed-after-one-shot", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

  struct itimerval per = {{0, 30 * 1000}, {0, 30 * 1000}};
  alarms = 0;
  raw3(SYS_setitimer, ITIMER_REAL, &per, 0);
  t0 = now_ns();
  while (alarms < 3 && now_ns() - t0 < 3000000000LL)
    msleep(5);
  struct itimerval off = {{0, 0}, {0, 0}};
  long r = raw3(SYS_setitimer, ITIMER_REAL, &off, &old);
  CHECKF("setitimer/interval-repeats", alarms >= 3, "%d alarms", alarms);
  CHECKF("setitimer/returns-old-value", r == 0 && old.it_interval.tv_usec == 30000, "interval %ld",
         (long)old.it_interval.tv_usec);
  int n = alarms;
  msleep(100);
  CHECK("setitimer/zero-disarms", alarms == n);
  struct itimerval bad = {{0, 0}, {0, 1000000}};
  CHECK_RET("setitimer/einval-usec", raw3(SYS_setitimer, ITIMER_REAL, &bad, 0), -EINVAL);
  CHECK_RET("setitimer/einval-which", raw3(SYS_setitimer, 7, &it, 0), -EINVAL);
  CHECK_RET("getitimer/einval-which", raw2(SYS_getitimer, 7, &cur), -EINVAL);

  /* alarm() is ITIMER_REAL too */
  alarm(5);
  raw2(SYS_getitimer, ITIMER_REAL, &cur);
  CHECKF("alarm/is-itimer-real", cur.it_value.tv_sec >= 4 && cur.it_value.tv_sec <= 5, "%ld s", (long)cur.it_value.tv_sec);
  unsigned prev = alarm(0);
  CHECKF("alarm/returns-remaining", prev >= 4 && prev <= 5, "%u", prev);

  /* the timer interrupts a blocking call: EINTR without SA_RESTART */
  ksigaction(SIGALRM, (void *)on_alarm, 0, 0, NULL);
  int p[2];
  pipe(p);
  struct itimerval once = {{0, 0}, {0, 50 * 1000}};
  raw3(SYS_setitimer, ITIMER_REAL, &once, 0);
  char c;
  r = raw3(SYS_read, p[0], &c, 1);
  CHECK_RET("setitimer/interrupts-blocking-read", r, -EINTR);
  close(p[0]);
  close(p[1]);

  /* children do not inherit the timer; exec keeps it (not checked) */
  raw3(SYS_setitimer, ITIMER_REAL, &it, 0);
  pid_t ch = fork();
  if (ch == 0) {
    struct itimerval cc;
    raw2(SYS_getitimer, ITIMER_REAL, &cc);
    _exit(cc.it_value.tv_sec == 0 && cc.it_value.tv_usec == 0 ? 0 : 1);
  }
  int st = wait_child_timeout(ch, 10000); /* (SIGALRM may interrupt a plain waitpid) */
  CHECKF("setitimer/not-inherited-by-fork", EXITED_OK(st), "%s", status_str(st));
  raw3(SYS_setitimer, ITIMER_REAL, &off, 0);
  signal(SIGALRM, SIG_DFL);
}

int main(void)
{
  abi_family = "time";
  run_section("clocks", test_clocks, 60000);
  run_section("sleep", test_sleep, 60000);
  run_section("itimer", test_itimer, 60000);
  return abi_done();
}
