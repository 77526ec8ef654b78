/*
 * futex.c — futex ABI tests (testsuite/abi): FUTEX_WAIT and FUTEX_WAKE,
 * REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET and WAKE_BITSET, with and
 * without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME; relative and
 * absolute timeouts; shared futexes between processes; the clear-tid wake
 * at thread exit; robust futexes of a thread that dies holding one; and
 * the errors. User space; waiters are bare threads (rawthread.h).
 */
#include "check.h"
#include "rawthread.h"
#include <limits.h>
#include <linux/futex.h>

static long futex(void *uaddr, int op, uint32_t val, const void *timeout_or_val2, void *uaddr2, uint32_t val3)
{
  return raw6(SYS_futex, (long)uaddr, op, val, (long)timeout_or_val2, (long)uaddr2, val3);
}

/* A waiter thread: one futex wait, its result kept. */
struct waiter {
  volatile int tid;
  uint32_t *addr;
  int op;
  uint32_t val, bitset;
  const struct timespec *timeout;
  volatile int started, done;
  volatile long result;
  volatile int ctid;
};

static int waiter_main(void *arg)
{
  struct waiter *w = arg;
  w->tid = raw0(SYS_gettid);
  w->started = 1;
  w->result = futex(w->addr, w->op, w->val, w->timeout, 0, w->bitset);
  w->done = 1;
  return 0;
}

static int nthreads;

/*
 * wait_blocked: wait (at most 3 s) until task `tid` sleeps ('S' in
 * /proc/<tid>/stat): a futex waiter that has reached the kernel. Where
 * /proc cannot tell, a pause has to do.
 */
static void wait_blocked(int tid)
{
  char path[64], buf[256];
  snprintf(path, sizeof(path), "/proc/%d/stat", tid);
  for (int i = 0; i < 600; i++) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
      break;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
      break;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (p && p[1] == ' ' && p[2] == 'S')
      return;
    msleep(5);
  }
  msleep(60);
}

/* start: run a waiter on its own bare thread; return once it is blocked. */
static void start(struct waiter *w, uint32_t *addr, int op, uint32_t val, uint32_t bitset)
{
  memset((void *)w, 0, sizeof(*w));
  w->addr = addr;
  w->op = op;
  w->val = val;
  w->bitset = bitset;
  w->ctid = 1;
  int i = nthreads++ % 8;
  abi_clone(THREAD_FLAGS & ~CLONE_CHILD_SETTID, stacks[i] + STACK_SIZE, 0, tls_area[i], &w->ctid, waiter_main, w);
  for (int k = 0; k < 1000 && !w->started; k++)
    msleep(1);
  wait_blocked(w->tid);
}

/* settle: let woken waiters run and record their results. */
static void settle(void) { msleep(60); }

/* finish: wake whatever is left on addr and wait for the thread to end. */
static void finish(struct waiter *w)
{
  for (int k = 0; k < 300 && !w->done; k++) {
    futex(w->addr, FUTEX_WAKE, INT_MAX, 0, 0, 0);
    futex(w->addr, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0);
    msleep(2);
  }
  wait_cleared(&w->ctid, 3000);
}

static int done_count(struct waiter *w, int n)
{
  int c = 0;
  for (int i = 0; i < n; i++)
    c += w[i].done;
  return c;
}

static uint32_t word, word2;

static void test_basic(void)
{
  word = 5;
  CHECK_RET("wait/eagain-value-differs", futex(&word, FUTEX_WAIT, 6, 0, 0, 0), -EAGAIN);
  struct timespec t50 = {0, 50 * 1000 * 1000};
  long long t0 = now_ns();
  long r = futex(&word, FUTEX_WAIT, 5, &t50, 0, 0);
  long long el = now_ns() - t0;
  CHECKF("wait/relative-timeout", r == -ETIMEDOUT && el >= 45000000LL && el < 2000000000LL, "r %ld after %lld ms", r,
         el / 1000000);
  struct timespec t0s = {0, 0};
  CHECK_RET("wait/zero-timeout", futex(&word, FUTEX_WAIT_PRIVATE, 5, &t0s, 0, 0), -ETIMEDOUT);
  struct timespec bad = {0, 1000000000};
  CHECK_RET("wait/einval-bad-timeout", futex(&word, FUTEX_WAIT, 5, &bad, 0, 0), -EINVAL);
  CHECK_RET("wait/einval-unaligned", futex((char *)&word + 1, FUTEX_WAIT, 5, &t50, 0, 0), -EINVAL);
  CHECK_RET("wait/efault", futex(BAD_PTR, FUTEX_WAIT, 5, &t50, 0, 0), -EFAULT);
  CHECK_RET("futex/enosys-unknown-op", futex(&word, 99, 0, 0, 0, 0), -ENOSYS);
  CHECK_RET("wake/nobody-waiting", futex(&word, FUTEX_WAKE, 1, 0, 0, 0), 0);
  CHECK_RET("wake/clock-realtime-enosys", futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0), -ENOSYS);

  /* absolute deadlines: WAIT_BITSET on CLOCK_MONOTONIC, and on CLOCK_REALTIME */
  struct timespec now, dl;
  clock_gettime(CLOCK_MONOTONIC, &now);
  dl = now;
  dl.tv_nsec += 50 * 1000 * 1000;
  if (dl.tv_nsec >= 1000000000) {
    dl.tv_sec++;
    dl.tv_nsec -= 1000000000;
  }
  r = futex(&word, FUTEX_WAIT_BITSET, 5, &dl, 0, FUTEX_BITSET_MATCH_ANY);
  struct timespec after;
  clock_gettime(CLOCK_MONOTONIC, &after);
  int reached = after.tv_sec > dl.tv_sec || (after.tv_sec == dl.tv_sec && after.tv_nsec >= dl.tv_nsec);
  CHECKF("wait-bitset/absolute-monotonic-deadline", r == -ETIMEDOUT && reached, "r %ld", r);
  clock_gettime(CLOCK_REALTIME, &now);
  dl = now;
  dl.tv_nsec += 50 * 1000 * 1000;
  if (dl.tv_nsec >= 1000000000) {
    dl.tv_sec++;
    dl.tv_nsec -= 1000000000;
  }
  r = futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME | FUTEX_PRIVATE_FLAG, 5, &dl, 0, FUTEX_BITSET_MATCH_ANY);
  clock_gettime(CLOCK_REALTIME, &after);
  reached = after.tv_sec > dl.tv_sec || (after.tv_sec == dl.tv_sec && after.tv_nsec >= dl.tv_nsec);
  CHECKF("wait-bitset/absolute-realtime-deadline", r == -ETIMEDOUT && reached, "r %ld", r);
  /* (FUTEX_WAIT with FUTEX_CLOCK_REALTIME is not checked: Linux 4.5
   * allowed it and later kernels refuse it with ENOSYS again.) */
  CHECK_RET("wait-bitset/einval-zero-bitset", futex(&word, FUTEX_WAIT_BITSET, 5, &t50, 0, 0), -EINVAL);
}

static void test_wake(void)
{
  struct waiter w[3];
  word = 0;
  for (int i = 0; i < 3; i++)
    start(&w[i], &word, FUTEX_WAIT, 0, 0);
  settle();
  long r1 = futex(&word, FUTEX_WAKE, 1, 0, 0, 0);
  settle();
  int d1 = done_count(w, 3);
  long r2 = futex(&word, FUTEX_WAKE, INT_MAX, 0, 0, 0);
  settle();
  CHECKF("wake/wakes-one", r1 == 1 && d1 == 1, "wake(1) = %ld, %d threads woke", r1, d1);
  CHECKF("wake/wakes-the-rest", r2 == 2 && done_count(w, 3) == 3, "wake(all) = %ld", r2);
  int ok = 1;
  for (int i = 0; i < 3; i++) {
    ok &= w[i].result == 0;
    finish(&w[i]);
  }
  CHECK("wake/woken-waiters-return-0", ok);

  /* private: a private wait is woken by a private wake */
  start(&w[0], &word, FUTEX_WAIT_PRIVATE, 0, 0);
  settle();
  CHECK_RET("wake/private", futex(&word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0), 1);
  finish(&w[0]);

  /* bitsets */
  start(&w[0], &word, FUTEX_WAIT_BITSET_PRIVATE, 0, 1);
  settle();
  CHECK_RET("wake-bitset/other-bits-wake-nobody", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, 0, 2), 0);
  CHECK_RET("wake-bitset/matching-bits-wake", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, 0, 3), 1);
  finish(&w[0]);
  start(&w[0], &word, FUTEX_WAIT_BITSET, 0, 4);
  settle();
  CHECK_RET("wake/plain-wake-matches-any-bitset", futex(&word, FUTEX_WAKE, 1, 0, 0, 0), 1);
  finish(&w[0]);
}

static void test_requeue(void)
{
  struct waiter w[3];
  word = 0;
  word2 = 0;
  for (int i = 0; i < 3; i++)
    start(&w[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
  settle();
  long r = futex(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)(long)INT_MAX, &word2, 0);
  settle();
  CHECKF("requeue/wakes-one-moves-rest", r == 3 && done_count(w, 3) == 1, "requeue = %ld (woken + moved), %d woke", r,
         done_count(w, 3));
  CHECK_RET("requeue/nobody-left-on-first", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0), 0);
  CHECK_RET("requeue/moved-waiters-on-second", futex(&word2, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0), 2);
  for (int i = 0; i < 3; i++)
    finish(&w[i]);

  for (int i = 0; i < 2; i++)
    start(&w[i], &word, FUTEX_WAIT_PRIVATE, 0, 0);
  settle();
  CHECK_RET("cmp-requeue/eagain-value-differs", futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1L, &word2, 7), -EAGAIN);
  /* negative counts (val, and val2 read as an int) come before the compare */
  CHECK_RET("cmp-requeue/negative-wake-einval", futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, -1, (void *)1L, &word2, 7), -EINVAL);
  CHECK_RET("cmp-requeue/negative-requeue-einval",
            futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)0xffffffffL, &word2, 0), -EINVAL);
  CHECK_RET("requeue/negative-requeue-einval", futex(&word, FUTEX_REQUEUE_PRIVATE, 0, (void *)-1L, &word2, 0), -EINVAL);
  r = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1L, &word2, 0);
  CHECK_RET("cmp-requeue/moves-one", r, 1);
  CHECK_RET("cmp-requeue/one-left", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0), 1);
  CHECK_RET("cmp-requeue/one-moved", futex(&word2, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0), 1);
  for (int i = 0; i < 2; i++)
    finish(&w[i]);
}

static void test_wake_op(void)
{
  struct waiter a, b;
  word = 0;
  word2 = 0;
  start(&a, &word, FUTEX_WAIT_PRIVATE, 0, 0);
  start(&b, &word2, FUTEX_WAIT_PRIVATE, 0, 0);
  settle();
  /* *word2 = 1; wake 1 on word; if the old *word2 == 0, wake 1 on word2 */
  long r = futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &word2, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
  settle();
  CHECKF("wake-op/both-woken", r == 2 && a.done && b.done, "wake_op = %ld", r);
  CHECKF("wake-op/operation-applied", word2 == 1, "word2 %u", word2);
  finish(&a);
  finish(&b);
  start(&b, &word2, FUTEX_WAIT_PRIVATE, 1, 0);
  settle();
  r = futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &word2, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
  CHECKF("wake-op/comparison-false-no-second-wake", r == 0 && word2 == 6, "wake_op = %ld word2 %u", r, word2);
  word2 = 0;
  finish(&b);
}

static void test_interrupt(void)
{
  struct ksigaction old;
  ksigaction(SIGUSR1, (void *)msleep, 0, 0, &old); /* any handler will do: msleep(10) */
  pid_t parent = getpid();
  pid_t c = fork();
  if (c == 0) {
    msleep(50);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  word = 0;
  struct timespec t = {3, 0};
  long r = futex(&word, FUTEX_WAIT_PRIVATE, 0, &t, 0, 0);
  waitpid(c, NULL, 0);
  CHECK_RET("wait/eintr-on-signal", r, -EINTR);
  signal(SIGUSR1, SIG_DFL);
}

/* ---- between processes ---- */

static void test_shared(void)
{
  uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  sh[0] = 0;
  sh[1] = 0;
  pid_t c = fork();
  if (c == 0) {
    sh[1] = 1;
    struct timespec t = {5, 0};
    long r = futex(&sh[0], FUTEX_WAIT, 0, &t, 0, 0);
    _exit(r == 0 ? 0 : 1);
  }
  for (int i = 0; i < 500 && !sh[1]; i++)
    msleep(2);
  wait_blocked(c);
  long r = futex(&sh[0], FUTEX_WAKE, 1, 0, 0, 0);
  int st = wait_child_timeout(c, 8000);
  CHECKF("shared/wake-across-processes", r == 1 && EXITED_OK(st), "wake %ld, waiter %s", r, status_str(st));

  sh[1] = 0;
  c = fork();
  if (c == 0) {
    sh[1] = 1;
    struct timespec t = {0, 400 * 1000 * 1000};
    long r2 = futex(&sh[0], FUTEX_WAIT_PRIVATE, 0, &t, 0, 0);
    _exit(r2 == -ETIMEDOUT ? 0 : 1);
  }
  for (int i = 0; i < 500 && !sh[1]; i++)
    msleep(2);
  wait_blocked(c);
  r = futex(&sh[0], FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
  st = wait_child_timeout(c, 8000);
  CHECKF("shared/private-futex-stays-in-its-process", r == 0 && EXITED_OK(st), "wake %ld, waiter %s", r, status_str(st));
  munmap(sh, 4096);
}

/* ---- thread exit: clear-tid wake, robust list ---- */

static int quick_exit_thread(void *arg)
{
  (void)arg;
  tsleep(50);
  return 0;
}

struct robust_entry {
  struct robust_entry *next;
};
static struct {
  struct robust_entry *next;
  long futex_offset;
  struct robust_entry *pending;
} rhead;
static struct {
  struct robust_entry link;
  uint32_t lock;
} rlock;

static int robust_thread(void *arg)
{
  (void)arg;
  rlock.lock = raw0(SYS_gettid); /* "locked" by us */
  rlock.link.next = (struct robust_entry *)&rhead;
  rhead.next = &rlock.link;
  rhead.futex_offset = (char *)&rlock.lock - (char *)&rlock.link;
  rhead.pending = 0;
  raw2(SYS_set_robust_list, &rhead, sizeof(rhead));
  return 0; /* dies holding it */
}

static void test_exit_wakes(void)
{
  static volatile int ctid;
  ctid = 0;
  long tid = abi_clone(THREAD_FLAGS, stacks[6] + STACK_SIZE, 0, tls_area[6], &ctid, quick_exit_thread, 0);
  struct timespec t = {5, 0};
  long r = futex((void *)&ctid, FUTEX_WAIT, tid, &t, 0, 0);
  CHECKF("exit/clear-tid-store-and-wake", (r == 0 || r == -EAGAIN) && ctid == 0, "wait %ld ctid %d", r, ctid);

  if (skip_on_qemu("robust/owner-died-at-thread-exit", "set_robust_list returns ENOSYS (syscall.c)"))
    return;
  ctid = 0;
  /* CLONE_PARENT_SETTID: ctid holds the tid before clone returns here (the
     child's own CHILD_SETTID store may come later, on another hart), so
     wait_cleared really waits for the thread's exit */
  tid = abi_clone(THREAD_FLAGS | CLONE_PARENT_SETTID, stacks[7] + STACK_SIZE, &ctid, tls_area[7], &ctid,
                  robust_thread, 0);
  wait_cleared(&ctid, 3000);
  CHECKF("robust/owner-died-at-thread-exit", rlock.lock == FUTEX_OWNER_DIED, "lock word %x, want %x", rlock.lock,
         FUTEX_OWNER_DIED);
}

int main(void)
{
  abi_family = "futex";
  run_section("basic", test_basic, 60000);
  run_section("wake", test_wake, 60000);
  run_section("requeue", test_requeue, 60000);
  run_section("wake-op", test_wake_op, 60000);
  run_section("interrupt", test_interrupt, 60000);
  run_section("shared", test_shared, 60000);
  run_section("exit", test_exit_wakes, 60000);
  return abi_done();
}
