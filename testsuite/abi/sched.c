/*
 * sched.c — scheduling policies: sched_setscheduler/getscheduler,
 * sched_setparam/getparam, sched_setattr/getattr, priority ranges,
 * sched_rr_get_interval, setpriority/getpriority, and what SCHED_FIFO means
 * on one hart: a higher real-time priority runs first, a woken real-time task
 * preempts a normal one at once, a running SCHED_FIFO task keeps the hart
 * from normal ones, and children inherit the policy (not with
 * SCHED_RESET_ON_FORK).
 *
 * Under qemu-user the calls reach the host's scheduler, so the checks that
 * set a real-time policy run on Kite only; errors and SCHED_OTHER are
 * checked on both. Everything runs pinned to CPU 0 with alarm() as a guard,
 * so a broken scheduler ends the test instead of the machine.
 */
#include "check.h"
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

struct sattr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

static long setsched(int pid, int policy, int prio)
{
  struct sched_param sp = { prio };
  return raw3(SYS_sched_setscheduler, pid, policy, &sp);
}

static void pin_cpu0(void)
{
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(0, &s);
  sched_setaffinity(0, sizeof(s), &s);
}

static void errors(void)
{
  struct sched_param sp = { 0 };
  CHECK_RET("setscheduler-bad-policy-EINVAL", raw3(SYS_sched_setscheduler, 0, 42, &sp), -EINVAL);
  CHECK_RET("setscheduler-negative-policy-EINVAL", raw3(SYS_sched_setscheduler, 0, -1, &sp), -EINVAL);
  CHECK_RET("setscheduler-null-param-EINVAL", raw3(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), -EINVAL);
  CHECK_RET("setscheduler-bad-pointer-EFAULT", raw3(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_PTR), -EFAULT);
  CHECK_RET("setscheduler-negative-pid-EINVAL", raw3(SYS_sched_setscheduler, -1, SCHED_OTHER, &sp), -EINVAL);
  CHECK_RET("setscheduler-no-such-pid-ESRCH", raw3(SYS_sched_setscheduler, 999999, SCHED_OTHER, &sp), -ESRCH);
  CHECK_RET("fifo-priority-0-EINVAL", setsched(0, SCHED_FIFO, 0), -EINVAL);
  CHECK_RET("fifo-priority-100-EINVAL", setsched(0, SCHED_FIFO, 100), -EINVAL);
  CHECK_RET("other-priority-5-EINVAL", setsched(0, SCHED_OTHER, 5), -EINVAL);
  CHECK_RET("other-priority-0", setsched(0, SCHED_OTHER, 0), 0);
  CHECK_RET("batch", setsched(0, SCHED_BATCH, 0), 0);
  CHECK_RET("getscheduler-batch", raw1(SYS_sched_getscheduler, 0), SCHED_BATCH);
  CHECK_RET("back-to-other", setsched(0, SCHED_OTHER, 0), 0);
  CHECK_RET("getscheduler-negative-EINVAL", raw1(SYS_sched_getscheduler, -1), -EINVAL);
  CHECK_RET("getscheduler-no-such-pid-ESRCH", raw1(SYS_sched_getscheduler, 999999), -ESRCH);
  CHECK_RET("getparam-null-EINVAL", raw2(SYS_sched_getparam, 0, NULL), -EINVAL);
  CHECK_RET("getparam-bad-pointer-EFAULT", raw2(SYS_sched_getparam, 0, BAD_PTR), -EFAULT);
  CHECK_RET("setparam-other-nonzero-EINVAL", raw2(SYS_sched_setparam, 0, &(struct sched_param){ 3 }), -EINVAL);
  CHECK_RET("priority-max-fifo", raw1(SYS_sched_get_priority_max, SCHED_FIFO), 99);
  CHECK_RET("priority-min-rr", raw1(SYS_sched_get_priority_min, SCHED_RR), 1);
  CHECK_RET("priority-max-other", raw1(SYS_sched_get_priority_max, SCHED_OTHER), 0);
  CHECK_RET("priority-max-bad-EINVAL", raw1(SYS_sched_get_priority_max, 42), -EINVAL);
  struct timespec ts = { 1, 1 };
  CHECK_RET("rr-interval-other", raw2(SYS_sched_rr_get_interval, 0, &ts), 0);
  CHECK_RET("rr-interval-bad-pointer-EFAULT", raw2(SYS_sched_rr_get_interval, 0, BAD_PTR), -EFAULT);
  CHECK_RET("rr-interval-no-such-pid-ESRCH", raw2(SYS_sched_rr_get_interval, 999999, &ts), -ESRCH);
  /* sched_getattr: version-0 size and up */
  struct sattr a;
  memset(&a, 0xff, sizeof(a));
  CHECK_RET("getattr", raw4(SYS_sched_getattr, 0, &a, sizeof(a), 0), 0);
  CHECK("getattr-fields", a.policy == SCHED_OTHER && a.priority == 0 && a.size == sizeof(a));
  CHECK_RET("getattr-small-size-EINVAL", raw4(SYS_sched_getattr, 0, &a, 40, 0), -EINVAL);
  CHECK_RET("getattr-flags-EINVAL", raw4(SYS_sched_getattr, 0, &a, sizeof(a), 1), -EINVAL);
  /* nice */
  errno = 0;
  CHECK_RET("setpriority-nice-5", setpriority(PRIO_PROCESS, 0, 5), 0);
  CHECK_RET("getpriority-raw-is-20-minus-nice", raw2(SYS_getpriority, PRIO_PROCESS, 0), 15);
  CHECK_RET("setpriority-clamped-to-19", setpriority(PRIO_PROCESS, 0, 50), 0);
  CHECK("getpriority-19", getpriority(PRIO_PROCESS, 0) == 19);
  CHECK_RET("setpriority-bad-which-EINVAL", raw3(SYS_setpriority, 7, 0, 0), -EINVAL);
  CHECK_RET("setpriority-no-such-pid-ESRCH", raw3(SYS_setpriority, PRIO_PROCESS, 999999, 0), -ESRCH);
  setpriority(PRIO_PROCESS, 0, 0);
}

/* The policies real-time programs (cyclictest) rely on; Kite only. */
static void realtime(void)
{
  if (skip_on_qemu("fifo", "the threads are the host's: a real-time policy would apply to its scheduler"))
    return;
  CHECK_RET("set-fifo-50", setsched(0, SCHED_FIFO, 50), 0);
  CHECK_RET("getscheduler-fifo", raw1(SYS_sched_getscheduler, 0), SCHED_FIFO);
  struct sched_param sp = { 0 };
  CHECK("getparam-50", raw2(SYS_sched_getparam, 0, &sp) == 0 && sp.sched_priority == 50);
  CHECK_RET("setparam-60", raw2(SYS_sched_setparam, 0, &(struct sched_param){ 60 }), 0);
  CHECK("getparam-60", raw2(SYS_sched_getparam, 0, &sp) == 0 && sp.sched_priority == 60);
  struct timespec ts = { 9, 9 };
  CHECK("rr-interval-fifo-is-0", raw2(SYS_sched_rr_get_interval, 0, &ts) == 0 && ts.tv_sec == 0 && ts.tv_nsec == 0);

  /* a child inherits SCHED_FIFO 60 */
  pid_t c = fork();
  if (c == 0)
    _exit(raw1(SYS_sched_getscheduler, 0) == SCHED_FIFO && raw2(SYS_sched_getparam, 0, &sp) == 0 &&
          sp.sched_priority == 60 ? 0 : 1);
  int st = -1;
  waitpid(c, &st, 0);
  CHECKF("child-inherits-fifo", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);

  /* two children of priorities 20 and 30, released together: 30 runs first */
  int go[2][2], res[2];
  pipe(go[0]);
  pipe(go[1]);
  pipe(res);
  pid_t kids[2];
  for (int i = 0; i < 2; i++) {
    kids[i] = fork();
    if (kids[i] == 0) {
      setsched(0, SCHED_FIFO, i == 0 ? 20 : 30);
      char ch;
      read(go[i][0], &ch, 1);
      char me = i == 0 ? 'L' : 'H';
      write(res[1], &me, 1);
      _exit(0);
    }
  }
  usleep(100000); /* both children are blocked in read */
  write(go[0][1], "x", 1); /* the low one first ... */
  write(go[1][1], "x", 1); /* ... then the high one; we are at 60 and keep the hart */
  for (int i = 0; i < 2; i++)
    waitpid(kids[i], NULL, 0);
  char order[3] = "";
  read(res[0], order, 2);
  CHECKF("higher-priority-runs-first", strcmp(order, "HL") == 0, "order %s", order);

  /* a normal task that wakes a SCHED_FIFO one is preempted at once */
  CHECK_RET("back-to-other", setsched(0, SCHED_OTHER, 0), 0);
  int wake[2], flag[2];
  pipe(wake);
  pipe(flag);
  c = fork();
  if (c == 0) {
    setsched(0, SCHED_FIFO, 10);
    char ch;
    read(wake[0], &ch, 1);
    write(flag[1], "r", 1);
    _exit(0);
  }
  usleep(100000);
  fcntl(flag[0], F_SETFL, O_NONBLOCK);
  write(wake[1], "x", 1);
  char got = 0;
  long n = read(flag[0], &got, 1); /* the child ran before write() returned to us */
  waitpid(c, NULL, 0);
  CHECKF("woken-fifo-preempts-normal", n == 1 && got == 'r', "read %ld", n);

  /* a spinning SCHED_FIFO task keeps a normal one off the hart */
  int ready[2];
  pipe(ready);
  fcntl(ready[0], F_SETFL, O_NONBLOCK);
  c = fork();
  if (c == 0) {
    usleep(50000);
    write(ready[1], "n", 1);
    _exit(0);
  }
  CHECK_RET("fifo-for-the-spin", setsched(0, SCHED_FIFO, 5), 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do
    clock_gettime(CLOCK_MONOTONIC, &t1);
  while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 300000000L);
  n = read(ready[0], &got, 1);
  setsched(0, SCHED_OTHER, 0);
  waitpid(c, NULL, 0);
  CHECKF("spinning-fifo-starves-normal", n < 0, "the normal child ran (read %ld)", n);

  /* SCHED_RESET_ON_FORK: the child starts as SCHED_OTHER */
  CHECK_RET("fifo-reset-on-fork", setsched(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 7), 0);
  CHECK_RET("getscheduler-shows-reset-flag", raw1(SYS_sched_getscheduler, 0), SCHED_FIFO | SCHED_RESET_ON_FORK);
  c = fork();
  if (c == 0)
    _exit(raw1(SYS_sched_getscheduler, 0) == SCHED_OTHER ? 0 : 1);
  waitpid(c, &st, 0);
  CHECKF("reset-on-fork-child-is-other", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
  CHECK_RET("rr", setsched(0, SCHED_RR, 3), 0);
  CHECK("rr-interval-100ms", raw2(SYS_sched_rr_get_interval, 0, &ts) == 0 && ts.tv_sec == 0 &&
        ts.tv_nsec == 100000000);
  struct sattr a;
  memset(&a, 0, sizeof(a));
  CHECK_RET("getattr-rr", raw4(SYS_sched_getattr, 0, &a, sizeof(a), 0), 0);
  CHECK("getattr-rr-fields", a.policy == SCHED_RR && a.priority == 3);
  memset(&a, 0, sizeof(a));
  a.size = 48;
  a.policy = SCHED_OTHER;
  a.nice = 4;
  CHECK_RET("setattr-other-nice-4", raw3(SYS_sched_setattr, 0, &a, 0), 0);
  CHECK("nice-4-after-setattr", getpriority(PRIO_PROCESS, 0) == 4 && raw1(SYS_sched_getscheduler, 0) == 0);
  setpriority(PRIO_PROCESS, 0, 0);
}

int main(void)
{
  abi_family = "sched";
  alarm(30);
  pin_cpu0();
  errors();
  realtime();
  return abi_done();
}
