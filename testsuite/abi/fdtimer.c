/*
 * fdtimer.c — timerfd and signalfd ABI tests (testsuite/abi).
 *
 * timerfd: timerfd_create (clocks, TFD_NONBLOCK, TFD_CLOEXEC), settime
 * (relative, TFD_TIMER_ABSTIME in the past and the future, intervals and
 * their accumulated count, the old value, disarming), gettime, read (the
 * 8-byte count, EAGAIN, EINVAL, blocking, EINTR and SA_RESTART, a reader
 * in another process), poll/select/epoll readiness and wake-ups, the
 * errno cases and bad pointers, TFD_TIMER_CANCEL_ON_SET and real-time
 * timers when the clock is set (Kite only: it would set the host's clock),
 * and no leak after closing armed timers.
 *
 * signalfd4: creation and mask updates, SFD_NONBLOCK/SFD_CLOEXEC, reading
 * signals sent with kill, tgkill and sigqueue (one or several records per
 * read, real-time signals queued), dequeueing, blocking reads woken by a
 * signal from another process, EINTR, the reader's own signals after
 * fork, poll and epoll readiness, the errno cases and bad pointers, no
 * leak. And one event loop: epoll over a timerfd and a signalfd.
 *
 * User space.
 */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>

#define MS 1000000LL

/* ---- helpers ---- */

static long tfd_create(int clock, int flags) { return raw2(SYS_timerfd_create, clock, flags); }

/* timerfd_settime with a value and an interval in nanoseconds. */
static long tfd_set(int fd, int flags, long long value, long long interval, struct itimerspec *old)
{
  struct itimerspec it = {{interval / 1000000000LL, interval % 1000000000LL},
                          {value / 1000000000LL, value % 1000000000LL}};
  return raw4(SYS_timerfd_settime, fd, flags, &it, old);
}

static long long ts_ns(const struct timespec *t) { return t->tv_sec * 1000000000LL + t->tv_nsec; }

static long long clock_ns(int clock)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts_ns(&ts);
}

/* read() of the expiration count: the raw result; the count in *n. */
static long tfd_read(int fd, uint64_t *n)
{
  *n = 0;
  return raw3(SYS_read, fd, n, sizeof(*n));
}

/* poll one descriptor for POLLIN for at most ms: the revents (0: timed out). */
static int poll_in(int fd, int ms)
{
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static long sfd_create(int fd, uint64_t mask, int flags) { return raw4(SYS_signalfd4, fd, &mask, 8, flags); }

static void block(uint64_t mask) { raw4(SYS_rt_sigprocmask, SIG_BLOCK, &mask, 0, 8); }
static void unblock(uint64_t mask) { raw4(SYS_rt_sigprocmask, SIG_UNBLOCK, &mask, 0, 8); }
static uint64_t pending_set(void)
{
  uint64_t s = 0;
  raw2(SYS_rt_sigpending, &s, 8);
  return s;
}

/* A child that sends sig to us after ms milliseconds (reap with waitpid). */
static pid_t signal_later(int sig, long ms)
{
  pid_t parent = getpid();
  pid_t c = fork();
  if (c == 0) {
    msleep(ms);
    kill(parent, sig);
    _exit(0);
  }
  return c;
}

static volatile int got_signal;
static void on_signal(int sig) { got_signal = sig; }

/* ---- timerfd: creation ---- */

static void test_tfd_create(void)
{
  static const struct {
    int id;
    const char *name;
  } ok[] = {{CLOCK_REALTIME, "realtime"}, {CLOCK_MONOTONIC, "monotonic"}, {CLOCK_BOOTTIME, "boottime"}};
  char name[80];
  for (unsigned i = 0; i < 3; i++) {
    long fd = tfd_create(ok[i].id, 0);
    snprintf(name, sizeof(name), "timerfd/create-%s", ok[i].name);
    CHECKF(name, fd >= 0, "got %ld", fd);
    if (fd >= 0)
      close(fd);
  }
  CHECK_RET("timerfd/create-einval-process-cputime", tfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), -EINVAL);
  CHECK_RET("timerfd/create-einval-thread-cputime", tfd_create(CLOCK_THREAD_CPUTIME_ID, 0), -EINVAL);
  CHECK_RET("timerfd/create-einval-bad-clock", tfd_create(12345, 0), -EINVAL);
  CHECK_RET("timerfd/create-einval-negative-clock", tfd_create(-1, 0), -EINVAL);
  CHECK_RET("timerfd/create-einval-flags", tfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME), -EINVAL);
  CHECK_RET("timerfd/create-einval-o-rdwr", tfd_create(CLOCK_MONOTONIC, O_RDWR), -EINVAL);

  long fd = tfd_create(CLOCK_MONOTONIC, 0);
  CHECK("timerfd/plain-not-cloexec-blocking", fcntl(fd, F_GETFD) == 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
  CHECK("timerfd/read-write", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  struct itimerspec cur;
  memset(&cur, 0x55, sizeof(cur));
  long r = raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/new-is-disarmed", r == 0 && ts_ns(&cur.it_value) == 0 && ts_ns(&cur.it_interval) == 0,
         "r %ld value %lld interval %lld", r, ts_ns(&cur.it_value), ts_ns(&cur.it_interval));
  uint64_t n;
  CHECK_RET("timerfd/write-einval", raw3(SYS_write, fd, &n, 8), -EINVAL);
  close(fd);

  fd = tfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  CHECK("timerfd/cloexec-nonblock", fcntl(fd, F_GETFD) == FD_CLOEXEC && (fcntl(fd, F_GETFL) & O_NONBLOCK));
  CHECK_RET("timerfd/nonblock-read-disarmed-eagain", tfd_read(fd, &n), -EAGAIN);
  CHECK_RET("timerfd/read-short-buffer-einval", raw3(SYS_read, fd, &n, 4), -EINVAL);
  CHECK_RET("timerfd/read-7-bytes-einval", raw3(SYS_read, fd, &n, 7), -EINVAL);
  /* O_NONBLOCK can be taken away with F_SETFL: the read then blocks (until the timer fires). */
  fcntl(fd, F_SETFL, 0);
  long long t0 = now_ns(); /* before arming: a preemption in between must not shorten el */
  tfd_set(fd, 0, 50 * MS, 0, NULL);
  r = tfd_read(fd, &n);
  long long el = now_ns() - t0;
  CHECKF("timerfd/f-setfl-clears-nonblock", r == 8 && n == 1 && el >= 30 * MS, "r %ld n %llu after %lld ms", r,
         (unsigned long long)n, el / MS);
  close(fd);
}

/* ---- timerfd: settime and gettime ---- */

static void test_tfd_settime(void)
{
  int fd = tfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct itimerspec cur, old;
  uint64_t n;

  /* A relative one-shot timer. */
  CHECK_RET("timerfd/settime-relative", tfd_set(fd, 0, 100 * MS, 0, NULL), 0);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/gettime-remaining", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 100 * MS &&
                                          ts_ns(&cur.it_interval) == 0,
         "value %lld interval %lld", ts_ns(&cur.it_value), ts_ns(&cur.it_interval));
  CHECK_RET("timerfd/not-expired-eagain", tfd_read(fd, &n), -EAGAIN);
  CHECK("timerfd/not-expired-not-readable", poll_in(fd, 0) == 0);
  msleep(150);
  CHECKF("timerfd/expired-readable", poll_in(fd, 0) == POLLIN, "revents %x", poll_in(fd, 0));
  long r = tfd_read(fd, &n);
  CHECKF("timerfd/one-shot-count-1", r == 8 && n == 1, "r %ld n %llu", r, (unsigned long long)n);
  CHECK_RET("timerfd/count-reset-by-read", tfd_read(fd, &n), -EAGAIN);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/one-shot-disarmed-after-expiry", ts_ns(&cur.it_value) == 0 && ts_ns(&cur.it_interval) == 0,
         "value %lld interval %lld", ts_ns(&cur.it_value), ts_ns(&cur.it_interval));

  /* The old value. */
  tfd_set(fd, 0, 10000 * MS, 3000 * MS, NULL);
  memset(&old, 0x55, sizeof(old));
  r = tfd_set(fd, 0, 20000 * MS, 0, &old);
  CHECKF("timerfd/settime-old-value", r == 0 && ts_ns(&old.it_value) > 9000 * MS &&
                                          ts_ns(&old.it_value) <= 10000 * MS && ts_ns(&old.it_interval) == 3000 * MS,
         "r %ld value %lld interval %lld", r, ts_ns(&old.it_value), ts_ns(&old.it_interval));
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/settime-replaces", ts_ns(&cur.it_value) > 19000 * MS && ts_ns(&cur.it_value) <= 20000 * MS,
         "value %lld", ts_ns(&cur.it_value));

  /* A zero value disarms; the interval given is still reported. */
  memset(&old, 0x55, sizeof(old));
  r = tfd_set(fd, 0, 0, 2000 * MS, &old);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/zero-value-disarms", r == 0 && ts_ns(&old.it_value) > 19000 * MS && ts_ns(&cur.it_value) == 0,
         "r %ld old %lld now %lld", r, ts_ns(&old.it_value), ts_ns(&cur.it_value));
  CHECKF("timerfd/disarmed-keeps-interval", ts_ns(&cur.it_interval) == 2000 * MS, "interval %lld",
         ts_ns(&cur.it_interval));
  tfd_set(fd, 0, 30 * MS, 0, NULL);
  tfd_set(fd, 0, 0, 0, NULL);
  msleep(60);
  CHECK_RET("timerfd/disarmed-never-fires", tfd_read(fd, &n), -EAGAIN);

  /* Setting the timer again drops a count not yet read. */
  tfd_set(fd, 0, 1 * MS, 0, NULL);
  msleep(20);
  tfd_set(fd, 0, 10000 * MS, 0, NULL);
  CHECK_RET("timerfd/settime-resets-count", tfd_read(fd, &n), -EAGAIN);

  /* TFD_TIMER_ABSTIME in the past fires at once; with an interval it
   * counts every period since then. (Kite's monotonic clock starts at
   * boot: wait until a second ago is a valid time.) */
  while (clock_ns(CLOCK_MONOTONIC) < 1200 * MS)
    msleep(50);
  long long now;
  r = tfd_set(fd, TFD_TIMER_ABSTIME, 1, 0, NULL);
  long long t0 = now_ns();
  int rev = poll_in(fd, 2000);
  long long el = now_ns() - t0;
  r = tfd_read(fd, &n);
  CHECKF("timerfd/abstime-past-fires-at-once", rev == POLLIN && el < 500 * MS && r == 8 && n == 1,
         "revents %x after %lld ms, read %ld n %llu", rev, el / MS, r, (unsigned long long)n);
  now = clock_ns(CLOCK_MONOTONIC);
  tfd_set(fd, TFD_TIMER_ABSTIME, now - 1050 * MS, 100 * MS, NULL);
  poll_in(fd, 2000);
  long long after = clock_ns(CLOCK_MONOTONIC);
  r = tfd_read(fd, &n);
  long long lo = 11, hi = 11 + (after - now + 50 * MS) / (100 * MS) + 1;
  CHECKF("timerfd/abstime-past-interval-counts-periods", r == 8 && (long long)n >= lo && (long long)n <= hi,
         "read %ld n %llu, want %lld..%lld", r, (unsigned long long)n, lo, hi);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/interval-gettime-next-expiry", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 100 * MS &&
                                                     ts_ns(&cur.it_interval) == 100 * MS,
         "value %lld interval %lld", ts_ns(&cur.it_value), ts_ns(&cur.it_interval));
  /* An absolute time in the future. */
  now = clock_ns(CLOCK_MONOTONIC);
  tfd_set(fd, TFD_TIMER_ABSTIME, now + 100 * MS, 0, NULL);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/abstime-future-gettime-relative", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 100 * MS,
         "value %lld", ts_ns(&cur.it_value));
  rev = poll_in(fd, 2000);
  after = clock_ns(CLOCK_MONOTONIC);
  CHECKF("timerfd/abstime-future-fires-on-time", rev == POLLIN && after >= now + 100 * MS,
         "revents %x, %lld ms after arming", rev, (after - now) / MS);
  tfd_read(fd, &n);

  /* An interval timer's count accumulates while nobody reads it. */
  t0 = now_ns();
  tfd_set(fd, 0, 20 * MS, 20 * MS, NULL);
  msleep(230);
  r = tfd_read(fd, &n);
  el = now_ns() - t0;
  lo = 230 * MS / (20 * MS) - 1;
  hi = el / (20 * MS) + 1;
  CHECKF("timerfd/interval-count-accumulates", r == 8 && (long long)n >= lo && (long long)n <= hi,
         "read %ld n %llu after %lld ms, want %lld..%lld", r, (unsigned long long)n, el / MS, lo, hi);
  tfd_set(fd, 0, 0, 0, NULL);

  /* errno cases, in Linux's order: new value (EFAULT), flags and values (EINVAL), fd. */
  struct itimerspec bad = {{0, 0}, {0, 1000000000}};
  CHECK_RET("timerfd/settime-einval-nsec-too-big", raw4(SYS_timerfd_settime, fd, 0, &bad, 0), -EINVAL);
  bad = (struct itimerspec){{0, 0}, {-1, 0}};
  CHECK_RET("timerfd/settime-einval-negative-sec", raw4(SYS_timerfd_settime, fd, 0, &bad, 0), -EINVAL);
  bad = (struct itimerspec){{0, -1}, {1, 0}};
  CHECK_RET("timerfd/settime-einval-bad-interval", raw4(SYS_timerfd_settime, fd, 0, &bad, 0), -EINVAL);
  struct itimerspec good = {{0, 0}, {10, 0}};
  CHECK_RET("timerfd/settime-einval-flags", raw4(SYS_timerfd_settime, fd, 4, &good, 0), -EINVAL);
  CHECK_RET("timerfd/settime-ebadf", raw4(SYS_timerfd_settime, 999, 0, &good, 0), -EBADF);
  CHECK_RET("timerfd/settime-ebadf-negative", raw4(SYS_timerfd_settime, -1, 0, &good, 0), -EBADF);
  CHECK_RET("timerfd/gettime-ebadf", raw2(SYS_timerfd_gettime, 999, &cur), -EBADF);
  int p[2];
  pipe(p);
  CHECK_RET("timerfd/settime-einval-not-timerfd", raw4(SYS_timerfd_settime, p[0], 0, &good, 0), -EINVAL);
  CHECK_RET("timerfd/gettime-einval-not-timerfd", raw2(SYS_timerfd_gettime, p[0], &cur), -EINVAL);
  close(p[0]);
  close(p[1]);
  CHECK_RET("timerfd/settime-efault-new", raw4(SYS_timerfd_settime, fd, 0, BAD_PTR, 0), -EFAULT);
  CHECK_RET("timerfd/settime-efault-new-kernel", raw4(SYS_timerfd_settime, fd, 0, KERNEL_PTR, 0), -EFAULT);
  CHECK_RET("timerfd/settime-efault-before-ebadf", raw4(SYS_timerfd_settime, 999, 0, BAD_PTR, 0), -EFAULT);
  r = raw4(SYS_timerfd_settime, fd, 0, &good, BAD_PTR);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/settime-efault-old-still-sets", r == -EFAULT && ts_ns(&cur.it_value) > 9000 * MS,
         "r %ld value %lld", r, ts_ns(&cur.it_value));
  CHECK_RET("timerfd/gettime-efault", raw2(SYS_timerfd_gettime, fd, BAD_PTR), -EFAULT);
  CHECK_RET("timerfd/gettime-efault-kernel", raw2(SYS_timerfd_gettime, fd, KERNEL_PTR), -EFAULT);
  /* A huge value saturates, it does not wrap into the past. */
  struct itimerspec huge = {{0, 0}, {0x7fffffffffffffffLL, 999999999}};
  r = raw4(SYS_timerfd_settime, fd, 0, &huge, 0);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/settime-huge-saturates", r == 0 && cur.it_value.tv_sec > 100LL * 365 * 86400 && poll_in(fd, 0) == 0,
         "r %ld value %lld s", r, (long long)cur.it_value.tv_sec);
  /* TFD_TIMER_CANCEL_ON_SET is accepted (its effect: tfd-clock-set). */
  now = clock_ns(CLOCK_REALTIME);
  int rfd = tfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  CHECK_RET("timerfd/settime-cancel-on-set-accepted",
            tfd_set(rfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, now + 10000 * MS, 0, NULL), 0);
  CHECK_RET("timerfd/settime-cancel-on-set-relative-accepted",
            tfd_set(rfd, TFD_TIMER_CANCEL_ON_SET, 10000 * MS, 0, NULL), 0);
  close(rfd);
  close(fd);

  /* The real-time clock: relative and absolute. */
  fd = tfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  tfd_set(fd, 0, 50 * MS, 0, NULL);
  rev = poll_in(fd, 2000);
  r = tfd_read(fd, &n);
  CHECKF("timerfd/realtime-relative-fires", rev == POLLIN && r == 8 && n == 1, "revents %x read %ld n %llu", rev, r,
         (unsigned long long)n);
  now = clock_ns(CLOCK_REALTIME);
  tfd_set(fd, TFD_TIMER_ABSTIME, now + 80 * MS, 0, NULL);
  raw2(SYS_timerfd_gettime, fd, &cur);
  CHECKF("timerfd/realtime-abstime-gettime", ts_ns(&cur.it_value) > 0 && ts_ns(&cur.it_value) <= 80 * MS,
         "value %lld", ts_ns(&cur.it_value));
  rev = poll_in(fd, 2000);
  after = clock_ns(CLOCK_REALTIME);
  r = tfd_read(fd, &n);
  CHECKF("timerfd/realtime-abstime-fires", rev == POLLIN && r == 8 && n == 1 && after >= now + 80 * MS,
         "revents %x read %ld n %llu at +%lld ms", rev, r, (unsigned long long)n, (after - now) / MS);
  tfd_set(fd, TFD_TIMER_ABSTIME, now - 5000 * MS, 0, NULL);
  rev = poll_in(fd, 2000);
  CHECKF("timerfd/realtime-abstime-past", rev == POLLIN, "revents %x", rev);
  close(fd);
  fd = tfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
  tfd_set(fd, 0, 30 * MS, 0, NULL);
  rev = poll_in(fd, 2000);
  CHECKF("timerfd/boottime-fires", rev == POLLIN && tfd_read(fd, &n) == 8 && n == 1, "revents %x n %llu", rev,
         (unsigned long long)n);
  close(fd);
}

/* ---- timerfd: blocking reads ---- */

static void test_tfd_read(void)
{
  int fd = tfd_create(CLOCK_MONOTONIC, 0);
  uint64_t n;

  tfd_set(fd, 0, 100 * MS, 0, NULL);
  long long t0 = now_ns();
  long r = tfd_read(fd, &n);
  long long el = now_ns() - t0;
  CHECKF("timerfd/blocking-read-waits", r == 8 && n == 1 && el >= 80 * MS && el < 3000 * MS,
         "read %ld n %llu after %lld ms", r, (unsigned long long)n, el / MS);

  /* A signal with a handler (no SA_RESTART) interrupts the read. */
  ksigaction(SIGUSR2, (void *)on_signal, 0, 0, NULL);
  tfd_set(fd, 0, 10000 * MS, 0, NULL);
  got_signal = 0;
  pid_t c = signal_later(SIGUSR2, 100);
  r = tfd_read(fd, &n);
  waitpid(c, NULL, 0);
  CHECKF("timerfd/blocking-read-eintr", r == -EINTR && got_signal == SIGUSR2, "read %ld signal %d", r, got_signal);

  /* With SA_RESTART the read goes on after the handler, until the expiry. */
  ksigaction(SIGUSR2, (void *)on_signal, SA_RESTART, 0, NULL);
  tfd_set(fd, 0, 400 * MS, 0, NULL);
  got_signal = 0;
  c = signal_later(SIGUSR2, 50);
  r = tfd_read(fd, &n);
  waitpid(c, NULL, 0);
  CHECKF("timerfd/blocking-read-sa-restart", r == 8 && n == 1 && got_signal == SIGUSR2, "read %ld n %llu signal %d",
         r, (unsigned long long)n, got_signal);
  ksigaction(SIGUSR2, (void *)SIG_DFL, 0, 0, NULL);

  /* A reader in another process (the file is shared across fork) is woken. */
  tfd_set(fd, 0, 0, 0, NULL);
  c = fork();
  if (c == 0) {
    uint64_t m;
    _exit(tfd_read(fd, &m) == 8 && m == 1 ? 0 : 1);
  }
  msleep(50);
  tfd_set(fd, 0, 50 * MS, 0, NULL);
  int st = wait_child_timeout(c, 5000);
  CHECKF("timerfd/reader-in-child-woken", EXITED_OK(st), "%s", status_str(st));

  /* An interval timer read in a loop: one expiry per read, in step. */
  tfd_set(fd, 0, 30 * MS, 30 * MS, NULL);
  uint64_t total = 0;
  int reads = 0;
  t0 = now_ns();
  while (total < 5 && reads < 10) {
    if (tfd_read(fd, &n) != 8)
      break;
    total += n;
    reads++;
  }
  el = now_ns() - t0;
  CHECKF("timerfd/interval-blocking-reads", total >= 5 && el >= 120 * MS, "%llu expirations in %d reads, %lld ms",
         (unsigned long long)total, reads, el / MS);
  tfd_set(fd, 0, 0, 0, NULL);

  /* A bad buffer: EFAULT (the count is consumed, as on Linux). */
  tfd_set(fd, 0, 1 * MS, 0, NULL);
  poll_in(fd, 2000);
  CHECK_RET("timerfd/read-efault", raw3(SYS_read, fd, BAD_PTR, 8), -EFAULT);
  tfd_set(fd, 0, 1 * MS, 0, NULL);
  poll_in(fd, 2000);
  CHECK_RET("timerfd/read-efault-kernel", raw3(SYS_read, fd, KERNEL_PTR, 8), -EFAULT);
  /* A bigger buffer gets 8 bytes. */
  tfd_set(fd, 0, 1 * MS, 0, NULL);
  poll_in(fd, 2000);
  uint64_t big[4] = {0, 0x5555, 0x5555, 0x5555};
  r = raw3(SYS_read, fd, big, sizeof(big));
  CHECKF("timerfd/read-big-buffer-8-bytes", r == 8 && big[0] == 1 && big[1] == 0x5555, "read %ld [%llu %llx]", r,
         (unsigned long long)big[0], (unsigned long long)big[1]);
  close(fd);
}

/* ---- timerfd: poll, select, epoll ---- */

static void test_tfd_poll(void)
{
  int fd = tfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  uint64_t n;

  /* poll sleeps until the expiry; POLLIN alone, never POLLOUT. */
  tfd_set(fd, 0, 100 * MS, 0, NULL);
  struct pollfd pf = {fd, POLLIN | POLLOUT | POLLPRI, 0};
  long long t0 = now_ns();
  int r = poll(&pf, 1, 3000);
  long long el = now_ns() - t0;
  CHECKF("timerfd/poll-woken-at-expiry", r == 1 && pf.revents == POLLIN && el >= 80 * MS && el < 2500 * MS,
         "r %d revents %x after %lld ms", r, pf.revents, el / MS);
  tfd_read(fd, &n);
  pf.revents = 0;
  CHECKF("timerfd/poll-not-ready-after-read", poll(&pf, 1, 0) == 0, "revents %x", pf.revents);

  /* select */
  tfd_set(fd, 0, 50 * MS, 0, NULL);
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(fd, &rs);
  struct timeval tv = {3, 0};
  r = select(fd + 1, &rs, NULL, NULL, &tv);
  CHECKF("timerfd/select-readable", r == 1 && FD_ISSET(fd, &rs), "r %d", r);
  tfd_read(fd, &n);

  /* epoll: level-triggered, blocking wait woken by the expiry. */
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {.u64 = 0x1234}}, out[4];
  CHECK_RET("timerfd/epoll-ctl-add", raw4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fd, &ev), 0);
  CHECK_RET("timerfd/epoll-disarmed-nothing", epoll_wait(ep, out, 4, 0), 0);
  tfd_set(fd, 0, 100 * MS, 0, NULL);
  t0 = now_ns();
  r = epoll_wait(ep, out, 4, 3000);
  el = now_ns() - t0;
  CHECKF("timerfd/epoll-wait-woken", r == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1234 && el >= 80 * MS,
         "r %d events %x data %llx after %lld ms", r, out[0].events, (unsigned long long)out[0].data.u64, el / MS);
  CHECKF("timerfd/epoll-level-triggered", epoll_wait(ep, out, 4, 0) == 1, "not reported again");
  tfd_read(fd, &n);
  CHECK_RET("timerfd/epoll-not-ready-after-read", epoll_wait(ep, out, 4, 0), 0);

  /* An interval timer, edge-triggered: one event per expiry after a read. */
  ev.events = EPOLLIN | EPOLLET;
  raw4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, fd, &ev);
  tfd_set(fd, 0, 50 * MS, 50 * MS, NULL);
  int events = 0;
  uint64_t total = 0;
  for (int i = 0; i < 3; i++) {
    if (epoll_wait(ep, out, 4, 3000) != 1)
      break;
    events++;
    if (tfd_read(fd, &n) == 8)
      total += n;
  }
  CHECKF("timerfd/epoll-edge-interval", events == 3 && total >= 3, "%d events, %llu expirations", events,
         (unsigned long long)total);
  tfd_set(fd, 0, 0, 0, NULL);

  /* Closing the timerfd drops it from the epoll set. */
  tfd_set(fd, 0, 10 * MS, 10 * MS, NULL);
  close(fd);
  msleep(30);
  CHECK_RET("timerfd/epoll-closed-fd-gone", epoll_wait(ep, out, 4, 0), 0);
  close(ep);
}

/* ---- timerfd: the real-time clock is set (Kite only) ---- */

/* settimeofday itself: musl's wrapper calls clock_settime. */
static void set_realtime(long long ns)
{
  struct timeval tv = {ns / 1000000000LL, ns % 1000000000LL / 1000};
  raw2(SYS_settimeofday, &tv, 0);
}

static void test_tfd_clock_set(void)
{
  if (!on_kite()) {
    abi_line("SKIP: %s/timerfd/clock-set (not Kite: would set the host's clock)", abi_family);
    return;
  }
  uint64_t n;
  long long rt = clock_ns(CLOCK_REALTIME);
  long long mono0 = clock_ns(CLOCK_MONOTONIC);

  /* An absolute real-time timer follows the clock: set it 10 s forward. */
  int fd = tfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  tfd_set(fd, TFD_TIMER_ABSTIME, rt + 10000 * MS, 0, NULL);
  /* ... and one with TFD_TIMER_CANCEL_ON_SET, far in the future */
  int cfd = tfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  tfd_set(cfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, rt + 3600000 * MS, 0, NULL);
  /* ... one relative real-time timer (not affected), one monotonic */
  int rel = tfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
  tfd_set(rel, 0, 5000 * MS, 0, NULL);
  CHECK_RET("timerfd/cancel-on-set-not-yet", tfd_read(cfd, &n), -EAGAIN);

  struct pollfd pf = {fd, POLLIN, 0};
  pid_t c = fork();
  if (c == 0) { /* set the clock while the parent sleeps in poll */
    msleep(100);
    set_realtime(clock_ns(CLOCK_REALTIME) + 10000 * MS);
    _exit(0);
  }
  long long t0 = now_ns();
  int r = poll(&pf, 1, 5000);
  long long el = now_ns() - t0;
  waitpid(c, NULL, 0);
  CHECKF("timerfd/realtime-abstime-follows-clock-set", r == 1 && pf.revents == POLLIN && el < 2000 * MS,
         "r %d revents %x after %lld ms", r, pf.revents, el / MS);
  CHECKF("timerfd/realtime-abstime-count-after-set", tfd_read(fd, &n) == 8 && n == 1, "n %llu",
         (unsigned long long)n);
  CHECKF("timerfd/cancel-on-set-readable", poll_in(cfd, 0) == POLLIN, "revents %x", poll_in(cfd, 0));
  CHECK_RET("timerfd/cancel-on-set-read-ecanceled", tfd_read(cfd, &n), -ECANCELED);
  CHECK_RET("timerfd/cancel-on-set-once", tfd_read(cfd, &n), -EAGAIN);
  struct itimerspec cur;
  raw2(SYS_timerfd_gettime, cfd, &cur);
  CHECKF("timerfd/cancel-on-set-stays-armed", cur.it_value.tv_sec > 3000, "value %lld s",
         (long long)cur.it_value.tv_sec);
  CHECK_RET("timerfd/relative-realtime-not-moved", tfd_read(rel, &n), -EAGAIN);
  /* The clock back where it would be. */
  set_realtime(rt + (clock_ns(CLOCK_MONOTONIC) - mono0));
  CHECK_RET("timerfd/cancel-on-set-again", tfd_read(cfd, &n), -ECANCELED);
  /* A cancellation nobody read is reported by the settime that re-arms
   * the timer (which is set all the same), and only there. */
  set_realtime(rt + (clock_ns(CLOCK_MONOTONIC) - mono0));
  CHECK_RET("timerfd/settime-ecanceled-after-clock-set",
            tfd_set(cfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, clock_ns(CLOCK_REALTIME) + 3600000 * MS, 0, NULL),
            -ECANCELED);
  raw2(SYS_timerfd_gettime, cfd, &cur);
  CHECKF("timerfd/settime-ecanceled-still-arms", cur.it_value.tv_sec > 3000, "value %lld s",
         (long long)cur.it_value.tv_sec);
  CHECK_RET("timerfd/settime-ecanceled-once", tfd_read(cfd, &n), -EAGAIN);
  /* Without ABSTIME the flag has no effect. */
  tfd_set(cfd, TFD_TIMER_CANCEL_ON_SET, 3600000 * MS, 0, NULL);
  set_realtime(rt + (clock_ns(CLOCK_MONOTONIC) - mono0));
  CHECK_RET("timerfd/cancel-on-set-needs-abstime", tfd_read(cfd, &n), -EAGAIN);
  close(fd);
  close(cfd);
  close(rel);
}

/* ---- timerfd: closing frees everything ---- */

#define LEAK_FDS 200
static void test_tfd_no_leak(void)
{
  int fds[LEAK_FDS];
  long before = free_settled_kb();
  for (int round = 0; round < 3; round++) {
    int ep = epoll_create1(0);
    for (int i = 0; i < LEAK_FDS; i++) {
      fds[i] = tfd_create(i % 2 ? CLOCK_MONOTONIC : CLOCK_REALTIME, TFD_NONBLOCK);
      if (fds[i] < 0)
        continue;
      /* armed: some fire while open (1 ms intervals), some never */
      if (i % 3 == 0)
        tfd_set(fds[i], 0, 1 * MS, 1 * MS, NULL);
      else if (i % 3 == 1)
        tfd_set(fds[i], TFD_TIMER_ABSTIME, clock_ns(i % 2 ? CLOCK_MONOTONIC : CLOCK_REALTIME) + 3600000 * MS, 0, NULL);
      struct epoll_event ev = {EPOLLIN, {.u32 = (uint32_t)i}};
      if (i % 4 == 0)
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    msleep(20);
    for (int i = 0; i < LEAK_FDS; i++)
      close(fds[i]);
    close(ep);
  }
  check_no_leak("timerfd/close-frees-everything", before);
  msleep(20); /* no timer of a closed timerfd fires into freed memory */
  CHECK("timerfd/close-armed-no-crash", 1);
}

/* ---- signalfd ---- */

/* Read one record; the raw result. */
static long sfd_read1(int fd, struct signalfd_siginfo *si)
{
  memset(si, 0x55, sizeof(*si));
  return raw3(SYS_read, fd, si, sizeof(*si));
}

/* Drain whatever is pending in the signalfd (nonblocking). */
static void sfd_drain(int fd)
{
  struct signalfd_siginfo si[4];
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  while (raw3(SYS_read, fd, si, sizeof(si)) > 0)
    ;
  fcntl(fd, F_SETFL, fl);
}

static void test_sfd_create(void)
{
  uint64_t m = SIGBIT(SIGUSR1);
  long fd = sfd_create(-1, m, 0);
  CHECKF("signalfd/create", fd >= 0, "got %ld", fd);
  CHECK("signalfd/plain-not-cloexec-blocking", fcntl(fd, F_GETFD) == 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
  CHECK("signalfd/read-write", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  long fd2 = sfd_create(-1, m, SFD_NONBLOCK | SFD_CLOEXEC);
  CHECK("signalfd/cloexec-nonblock", fd2 >= 0 && fcntl(fd2, F_GETFD) == FD_CLOEXEC && (fcntl(fd2, F_GETFL) & O_NONBLOCK));
  CHECK_RET("signalfd/update-returns-fd", sfd_create(fd2, SIGBIT(SIGUSR2), 0), fd2);
  CHECK_RET("signalfd/update-with-flags-returns-fd", sfd_create(fd2, SIGBIT(SIGUSR2), SFD_NONBLOCK), fd2);
  CHECK_RET("signalfd/update-einval-flags", sfd_create(fd2, m, 1), -EINVAL);
  long all = sfd_create(-1, ~0ULL, SFD_NONBLOCK);
  CHECKF("signalfd/kill-stop-in-mask-ignored", all >= 0, "got %ld", all);
  close(all);
  long none = sfd_create(-1, SIGBIT(SIGKILL) | SIGBIT(SIGSTOP), SFD_NONBLOCK);
  struct signalfd_siginfo si;
  CHECKF("signalfd/only-kill-stop-empty-set", none >= 0 && sfd_read1(none, &si) == -EAGAIN, "got %ld", none);
  close(none);

  /* QEMU's linux-user/syscall.c passes signalfd4 on without its sizemask (do_signalfd4). */
  if (!skip_on_qemu("signalfd/einval-sizemask-4", "do_signalfd4 drops the sizemask argument"))
    CHECK_RET("signalfd/einval-sizemask-4", raw4(SYS_signalfd4, -1, &m, 4, 0), -EINVAL);
  if (!skip_on_qemu("signalfd/einval-sizemask-16", "do_signalfd4 drops the sizemask argument"))
    CHECK_RET("signalfd/einval-sizemask-16", raw4(SYS_signalfd4, -1, &m, 16, 0), -EINVAL);
  CHECK_RET("signalfd/einval-flags", raw4(SYS_signalfd4, -1, &m, 8, 1), -EINVAL);
  CHECK_RET("signalfd/einval-o-rdwr", raw4(SYS_signalfd4, -1, &m, 8, O_RDWR), -EINVAL);
  CHECK_RET("signalfd/efault-mask", raw4(SYS_signalfd4, -1, BAD_PTR, 8, 0), -EFAULT);
  CHECK_RET("signalfd/efault-mask-kernel", raw4(SYS_signalfd4, -1, KERNEL_PTR, 8, 0), -EFAULT);
  CHECK_RET("signalfd/ebadf", raw4(SYS_signalfd4, 999, &m, 8, 0), -EBADF);
  CHECK_RET("signalfd/ebadf-negative", raw4(SYS_signalfd4, -2, &m, 8, 0), -EBADF);
  int p[2];
  pipe(p);
  CHECK_RET("signalfd/einval-not-signalfd", raw4(SYS_signalfd4, p[0], &m, 8, 0), -EINVAL);
  close(p[0]);
  close(p[1]);
  int t = tfd_create(CLOCK_MONOTONIC, 0);
  CHECK_RET("signalfd/einval-timerfd", raw4(SYS_signalfd4, t, &m, 8, 0), -EINVAL);
  CHECK_RET("timerfd/gettime-einval-signalfd", raw2(SYS_timerfd_gettime, fd, &(struct itimerspec){0}), -EINVAL);
  close(t);

  CHECK_RET("signalfd/nonblock-nothing-eagain", sfd_read1(fd2, &si), -EAGAIN);
  CHECK_RET("signalfd/read-short-buffer-einval", raw3(SYS_read, fd2, &si, 127), -EINVAL);
  CHECK_RET("signalfd/write-einval", raw3(SYS_write, fd2, &si, sizeof(si)), -EINVAL);
  close(fd);
  close(fd2);
}

static void test_sfd_read(void)
{
  struct signalfd_siginfo si[8];
  block(SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2) | SIGBIT(40));
  int fd = sfd_create(-1, SIGBIT(SIGUSR1), SFD_NONBLOCK);

  /* kill(): a process-directed signal, SI_USER with the sender. */
  kill(getpid(), SIGUSR1);
  CHECK("signalfd/blocked-signal-pending", pending_set() & SIGBIT(SIGUSR1));
  CHECKF("signalfd/readable-when-pending", poll_in(fd, 0) == POLLIN, "revents %x", poll_in(fd, 0));
  long r = sfd_read1(fd, &si[0]);
  CHECKF("signalfd/read-kill", r == 128 && si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_USER &&
                                   si[0].ssi_pid == (uint32_t)getpid() && si[0].ssi_uid == getuid() &&
                                   si[0].ssi_errno == 0,
         "read %ld signo %u code %d pid %u uid %u", r, si[0].ssi_signo, si[0].ssi_code, si[0].ssi_pid, si[0].ssi_uid);
  CHECK("signalfd/read-zeroes-the-rest", si[0].ssi_ptr == 0 && si[0].ssi_int == 0 && si[0].ssi_addr == 0 &&
                                            si[0].ssi_status == 0 && si[0].ssi_tid == 0);
  CHECK("signalfd/read-dequeues", !(pending_set() & SIGBIT(SIGUSR1)));
  CHECK_RET("signalfd/empty-again-eagain", sfd_read1(fd, &si[0]), -EAGAIN);
  CHECK("signalfd/not-readable-when-empty", poll_in(fd, 0) == 0);

  /* tgkill(): thread-directed, SI_TKILL. */
  raw3(SYS_tgkill, getpid(), raw0(SYS_gettid), SIGUSR1);
  r = sfd_read1(fd, &si[0]);
  CHECKF("signalfd/read-tgkill", r == 128 && si[0].ssi_signo == SIGUSR1 && si[0].ssi_code == SI_TKILL &&
                                     si[0].ssi_pid == (uint32_t)getpid(),
         "read %ld signo %u code %d pid %u", r, si[0].ssi_signo, si[0].ssi_code, si[0].ssi_pid);

  /* Signals outside the set stay pending and are not read. */
  kill(getpid(), SIGUSR2);
  CHECK_RET("signalfd/other-signal-not-read", sfd_read1(fd, &si[0]), -EAGAIN);
  CHECK("signalfd/other-signal-still-pending", pending_set() & SIGBIT(SIGUSR2));
  /* Changing the set makes it readable. */
  sfd_create(fd, SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2), 0);
  kill(getpid(), SIGUSR1);
  /* Several records in one read, lowest signal first. */
  r = raw3(SYS_read, fd, si, sizeof(si));
  CHECKF("signalfd/read-several", r == 256 && si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2,
         "read %ld signos %u %u", r, si[0].ssi_signo, si[1].ssi_signo);
  /* A buffer of one and a half records gets one. */
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR2);
  r = raw3(SYS_read, fd, si, 200);
  CHECKF("signalfd/read-whole-records-only", r == 128 && si[0].ssi_signo == SIGUSR1, "read %ld signo %u", r,
         si[0].ssi_signo);
  sfd_drain(fd);

  /* Real-time signals queue, each with its value (sigqueue: SI_QUEUE). */
  sfd_create(fd, SIGBIT(40), 0);
  for (int v = 1; v <= 3; v++)
    sigqueue(getpid(), 40, (union sigval){.sival_ptr = (void *)(long)(v * 100)});
  r = raw3(SYS_read, fd, si, sizeof(si));
  CHECKF("signalfd/rt-signals-queue", r == 3 * 128 && si[0].ssi_int == 100 && si[1].ssi_int == 200 &&
                                          si[2].ssi_int == 300 && si[0].ssi_code == SI_QUEUE &&
                                          si[0].ssi_pid == (uint32_t)getpid() && si[2].ssi_ptr == 300,
         "read %ld ints %d %d %d code %d", r, si[0].ssi_int, si[1].ssi_int, si[2].ssi_int, si[0].ssi_code);

  /* A standard signal sent twice is read once. */
  sfd_create(fd, SIGBIT(SIGUSR1), 0);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  r = raw3(SYS_read, fd, si, sizeof(si));
  CHECKF("signalfd/standard-signal-once", r == 128, "read %ld", r);

  /* A bad buffer: EFAULT. */
  kill(getpid(), SIGUSR1);
  CHECK_RET("signalfd/read-efault", raw3(SYS_read, fd, BAD_PTR, 128), -EFAULT);
  sfd_drain(fd);
  kill(getpid(), SIGUSR1);
  CHECK_RET("signalfd/read-efault-kernel", raw3(SYS_read, fd, KERNEL_PTR, 128), -EFAULT);
  sfd_drain(fd);

  /* After fork the child reads its own signals: fork clears pending ones. */
  kill(getpid(), SIGUSR1);
  pid_t c = fork();
  if (c == 0) {
    struct signalfd_siginfo x;
    if (sfd_read1(fd, &x) != -EAGAIN)
      _exit(1);
    kill(getpid(), SIGUSR1);
    _exit(sfd_read1(fd, &x) == 128 && x.ssi_pid == (uint32_t)getpid() ? 0 : 2);
  }
  int st = wait_child_timeout(c, 5000);
  CHECKF("signalfd/child-reads-its-own", EXITED_OK(st), "%s", status_str(st));
  r = sfd_read1(fd, &si[0]);
  CHECKF("signalfd/parent-signal-still-there", r == 128 && si[0].ssi_pid == (uint32_t)getpid(), "read %ld pid %u", r,
         si[0].ssi_pid);

  /* SIGCHLD through a signalfd: the child's pid and status. */
  block(SIGBIT(SIGCHLD));
  sfd_create(fd, SIGBIT(SIGCHLD), 0);
  c = fork();
  if (c == 0)
    _exit(7);
  struct pollfd pf = {fd, POLLIN, 0};
  poll(&pf, 1, 5000);
  r = sfd_read1(fd, &si[0]);
  waitpid(c, NULL, 0);
  CHECKF("signalfd/sigchld", r == 128 && si[0].ssi_signo == SIGCHLD && si[0].ssi_code == CLD_EXITED &&
                                 si[0].ssi_pid == (uint32_t)c && si[0].ssi_status == 7,
         "read %ld signo %u code %d pid %u status %d", r, si[0].ssi_signo, si[0].ssi_code, si[0].ssi_pid,
         si[0].ssi_status);
  unblock(SIGBIT(SIGCHLD));
  close(fd);
}

static void test_sfd_block(void)
{
  struct signalfd_siginfo si;
  block(SIGBIT(SIGUSR1));
  int fd = sfd_create(-1, SIGBIT(SIGUSR1), 0);

  /* A blocking read is woken by a blocked signal sent from another process. */
  pid_t c = signal_later(SIGUSR1, 100);
  long long t0 = now_ns();
  long r = sfd_read1(fd, &si);
  long long el = now_ns() - t0;
  waitpid(c, NULL, 0);
  CHECKF("signalfd/blocking-read-woken", r == 128 && si.ssi_signo == SIGUSR1 && si.ssi_pid == (uint32_t)c &&
                                             el >= 50 * MS,
         "read %ld signo %u pid %u after %lld ms", r, si.ssi_signo, si.ssi_pid, el / MS);

  /* ... and interrupted by another signal that has a handler. */
  ksigaction(SIGUSR2, (void *)on_signal, 0, 0, NULL);
  got_signal = 0;
  c = signal_later(SIGUSR2, 100);
  r = sfd_read1(fd, &si);
  waitpid(c, NULL, 0);
  CHECKF("signalfd/blocking-read-eintr", r == -EINTR && got_signal == SIGUSR2, "read %ld signal %d", r, got_signal);
  ksigaction(SIGUSR2, (void *)SIG_DFL, 0, 0, NULL);

  /* poll and epoll sleepers are woken by a blocked signal. */
  c = signal_later(SIGUSR1, 100);
  struct pollfd pf = {fd, POLLIN, 0};
  t0 = now_ns();
  int pr = poll(&pf, 1, 5000);
  el = now_ns() - t0;
  waitpid(c, NULL, 0);
  CHECKF("signalfd/poll-woken", pr == 1 && pf.revents == POLLIN && el >= 50 * MS, "r %d revents %x after %lld ms",
         pr, pf.revents, el / MS);
  sfd_drain(fd);

  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {.u64 = 77}}, out[2];
  CHECK_RET("signalfd/epoll-ctl-add", raw4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, fd, &ev), 0);
  CHECK_RET("signalfd/epoll-nothing-pending", epoll_wait(ep, out, 2, 0), 0);
  c = signal_later(SIGUSR1, 100);
  pr = epoll_wait(ep, out, 2, 5000);
  waitpid(c, NULL, 0);
  CHECKF("signalfd/epoll-woken", pr == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 77, "r %d events %x", pr,
         out[0].events);
  CHECKF("signalfd/epoll-read-after-wait", sfd_read1(fd, &si) == 128 && si.ssi_signo == SIGUSR1, "signo %u",
         si.ssi_signo);
  CHECK_RET("signalfd/epoll-empty-after-read", epoll_wait(ep, out, 2, 0), 0);
  /* kill to self while in the set: ready at once */
  kill(getpid(), SIGUSR1);
  CHECK_RET("signalfd/epoll-ready-self-kill", epoll_wait(ep, out, 2, 0), 1);
  sfd_drain(fd);
  close(ep);
  close(fd);
}

static void test_sfd_no_leak(void)
{
  block(SIGBIT(SIGUSR1));
  long before = free_settled_kb();
  int fds[LEAK_FDS];
  for (int round = 0; round < 3; round++) {
    int ep = epoll_create1(0);
    for (int i = 0; i < LEAK_FDS; i++) {
      fds[i] = sfd_create(-1, SIGBIT(SIGUSR1), SFD_NONBLOCK);
      struct epoll_event ev = {EPOLLIN, {.u32 = (uint32_t)i}};
      if (fds[i] >= 0 && i % 2)
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    kill(getpid(), SIGUSR1);
    struct epoll_event out[8];
    epoll_wait(ep, out, 8, 0);
    for (int i = 0; i < LEAK_FDS; i++)
      close(fds[i]);
    close(ep);
    struct timespec zero = {0, 0};
    uint64_t m = SIGBIT(SIGUSR1);
    raw4(SYS_rt_sigtimedwait, &m, 0, &zero, 8);
  }
  check_no_leak("signalfd/close-frees-everything", before);
}

/* ---- both: one event loop ---- */

static void test_event_loop(void)
{
  block(SIGBIT(SIGUSR1));
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int t = tfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  int s = sfd_create(-1, SIGBIT(SIGUSR1), SFD_NONBLOCK | SFD_CLOEXEC);
  struct epoll_event ev = {EPOLLIN, {.u32 = 1}};
  epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev);
  ev.data.u32 = 2;
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  tfd_set(t, 0, 40 * MS, 40 * MS, NULL);
  pid_t c = fork();
  if (c == 0) { /* three signals, 70 ms apart */
    for (int i = 0; i < 3; i++) {
      msleep(70);
      kill(getppid(), SIGUSR1);
    }
    _exit(0);
  }
  uint64_t ticks = 0;
  int sigs = 0, loops = 0;
  while (sigs < 3 && loops < 100) {
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, 3000);
    if (n <= 0)
      break;
    for (int i = 0; i < n; i++) {
      if (out[i].data.u32 == 1) {
        uint64_t k;
        if (tfd_read(t, &k) == 8)
          ticks += k;
      } else {
        struct signalfd_siginfo si;
        while (sfd_read1(s, &si) == 128)
          sigs++;
      }
    }
    loops++;
  }
  waitpid(c, NULL, 0);
  CHECKF("event-loop/timerfd-and-signalfd", sigs == 3 && ticks >= 3, "%d signals, %llu ticks in %d loops", sigs,
         (unsigned long long)ticks, loops);
  close(t);
  close(s);
  close(ep);
}

int main(void)
{
  abi_family = "fdtimer";
  run_section("tfd-create", test_tfd_create, 30000);
  run_section("tfd-settime", test_tfd_settime, 60000);
  run_section("tfd-read", test_tfd_read, 60000);
  run_section("tfd-poll", test_tfd_poll, 60000);
  run_section("tfd-clock-set", test_tfd_clock_set, 30000);
  run_section("tfd-no-leak", test_tfd_no_leak, 60000);
  run_section("sfd-create", test_sfd_create, 30000);
  run_section("sfd-read", test_sfd_read, 30000);
  run_section("sfd-block", test_sfd_block, 30000);
  run_section("sfd-no-leak", test_sfd_no_leak, 60000);
  run_section("event-loop", test_event_loop, 30000);
  return abi_done();
}
