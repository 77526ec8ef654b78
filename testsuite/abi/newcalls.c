/*
 * newcalls.c — the smaller newer system calls (testsuite/abi):
 * epoll_pwait2 (a timespec timeout, NULL, zero, EINVAL), rt_tgsigqueueinfo
 * (to one thread, the EPERM rule), restart_syscall, sched_rr_get_interval,
 * sched_getattr/sched_setattr (the size handshake, nice, errors; SCHED_DEADLINE's
 * checks, reporting, fork refusal and bandwidth admission),
 * personality (query, set, inherited by fork, kept by exec, STICKY_TIMEOUTS), membarrier
 * (query, registration, EPERM, EINVAL), mlock2, readahead, remap_file_pages, and
 * riscv_hwprobe (keys, unknown keys, errors; Kite only: Linux 6.4's call),
 * name_to_handle_at and open_by_handle_at (handles on tmpfs, sizes,
 * symlinks, directories, stale handles, the errors; not under qemu-user).
 * User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <stdio.h>
#include <fcntl.h>

#ifndef SYS_riscv_hwprobe
#define SYS_riscv_hwprobe 258
#endif

static const char *self_path;

#define kpwait2(ep, out, n, to) raw6(SYS_epoll_pwait2, ep, (long)(out), n, (long)(to), 0, 8)

static void test_epoll_pwait2(void)
{
  if (kpwait2(-1, NULL, 1, NULL) == -ENOSYS &&
      skip_on_qemu("epoll_pwait2", "QEMU 7.2's linux-user has no epoll_pwait2"))
    return;
  int ep = epoll_create1(0);
  int p[2];
  pipe(p);
  struct epoll_event ev = {EPOLLIN, {.fd = p[0]}}, out[4];
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  struct timespec zero = {0, 0}, short_to = {0, 50000000}, bad = {0, 1000000000};
  CHECK_RET("zero-timeout", kpwait2(ep, out, 4, &zero), 0);
  long long t0 = now_ns();
  long r = kpwait2(ep, out, 4, &short_to);
  long long el = now_ns() - t0;
  CHECKF("timespec-timeout", r == 0 && el >= 45000000LL && el < 2000000000LL, "r %ld after %lld ms", r, el / 1000000);
  CHECK_RET("einval-timespec", kpwait2(ep, out, 4, &bad), -EINVAL);
  CHECK_RET("efault-timespec", kpwait2(ep, out, 4, BAD_PTR), -EFAULT);
  write(p[1], "x", 1);
  CHECK_RET("ready-null-timeout", kpwait2(ep, out, 4, NULL), 1);
  CHECK("ready-event", out[0].data.fd == p[0] && (out[0].events & EPOLLIN));
  CHECK_RET("ebadf", kpwait2(999, out, 4, &zero), -EBADF);
  CHECK_RET("einval-maxevents", kpwait2(ep, out, 0, &zero), -EINVAL);
  close(ep);
  close(p[0]);
  close(p[1]);
}

static volatile int got_sig, got_value, got_tid;
static void on_rt(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  got_sig = sig;
  got_value = si->si_value.sival_int;
  got_tid = (int)raw0(SYS_gettid);
}

static volatile int thread_tid;
static volatile int thread_stop;
static void *spin_thread(void *arg)
{
  (void)arg;
  thread_tid = (int)raw0(SYS_gettid);
  while (!thread_stop)
    msleep(1);
  return NULL;
}

static void test_tgsigqueueinfo(void)
{
  int sig = SIGRTMIN + 5;
  ksigaction(sig, (void *)on_rt, SA_SIGINFO, 0, NULL);
  pthread_t th;
  pthread_create(&th, NULL, spin_thread, NULL);
  while (!thread_tid)
    msleep(1);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  si.si_signo = sig;
  si.si_code = SI_QUEUE;
  si.si_value.sival_int = 99;
  si.si_pid = getpid();
  CHECK_RET("to-a-thread", raw4(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, sig, &si), 0);
  for (int i = 0; i < 500 && !got_sig; i++)
    msleep(2);
  CHECKF("delivered-to-that-thread", got_sig == sig && got_value == 99 && got_tid == thread_tid, "sig %d value %d tid %d/%d",
         got_sig, got_value, got_tid, thread_tid);
  CHECK_RET("esrch-wrong-group", raw4(SYS_rt_tgsigqueueinfo, getppid(), thread_tid, sig, &si), -ESRCH);
  CHECK_RET("einval-tid", raw4(SYS_rt_tgsigqueueinfo, getpid(), 0, sig, &si), -EINVAL);
  CHECK_RET("efault", raw4(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, sig, BAD_PTR), -EFAULT);
  si.si_code = SI_USER; /* pretending to be kill() to another thread */
  CHECK_RET("eperm-si-user-to-another-thread", raw4(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, sig, &si), -EPERM);
  CHECK_RET("sig-0-checks-only", raw4(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, 0, &si), -EPERM);
  si.si_code = SI_QUEUE;
  CHECK_RET("sig-0-queue-code", raw4(SYS_rt_tgsigqueueinfo, getpid(), thread_tid, 0, &si), 0);
  thread_stop = 1;
  pthread_join(th, NULL);
  if (!skip_on_qemu("restart_syscall/eintr", "QEMU 7.2's linux-user has no restart_syscall"))
    CHECK_RET("restart_syscall/eintr", raw0(SYS_restart_syscall), -EINTR);
}

struct kattr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

static void test_sched(void)
{
  struct timespec ts = {-1, -1};
  CHECK_RET("rr-interval", raw2(SYS_sched_rr_get_interval, 0, &ts), 0);
  CHECKF("rr-interval-value", ts.tv_sec == 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L, "%ld.%09ld",
         (long)ts.tv_sec, ts.tv_nsec);
  CHECK_RET("rr-interval-esrch", raw2(SYS_sched_rr_get_interval, 999999, &ts), -ESRCH);
  CHECK_RET("rr-interval-einval", raw2(SYS_sched_rr_get_interval, -1, &ts), -EINVAL);
  CHECK_RET("rr-interval-efault", raw2(SYS_sched_rr_get_interval, 0, BAD_PTR), -EFAULT);

  struct kattr a;
  memset(&a, 0xff, sizeof(a));
  CHECK_RET("getattr", raw4(SYS_sched_getattr, 0, &a, sizeof(a), 0), 0);
  CHECKF("getattr-fields", a.size == sizeof(a) && a.policy == 0 && a.priority == 0, "size %u policy %u prio %u", a.size,
         a.policy, a.priority);
  CHECK_RET("getattr-einval-small", raw4(SYS_sched_getattr, 0, &a, 40, 0), -EINVAL);
  CHECK_RET("getattr-einval-flags", raw4(SYS_sched_getattr, 0, &a, sizeof(a), 1), -EINVAL);
  CHECK_RET("getattr-esrch", raw4(SYS_sched_getattr, 999999, &a, sizeof(a), 0), -ESRCH);
  memset(&a, 0, sizeof(a));
  a.size = 48;
  a.policy = 0;
  a.nice = 5;
  CHECK_RET("setattr-nice", raw3(SYS_sched_setattr, 0, &a, 0), 0);
  struct kattr b;
  raw4(SYS_sched_getattr, 0, &b, sizeof(b), 0);
  CHECKF("setattr-nice-took", b.nice == 5, "nice %d", b.nice);
  a.nice = 0;
  raw3(SYS_sched_setattr, 0, &a, 0);
  a.priority = 3;
  CHECK_RET("setattr-einval-priority-for-other", raw3(SYS_sched_setattr, 0, &a, 0), -EINVAL);
  a.priority = 0;
  a.policy = 77;
  CHECK_RET("setattr-einval-policy", raw3(SYS_sched_setattr, 0, &a, 0), -EINVAL);
  static char bigattr[128];
  memset(bigattr, 0, sizeof(bigattr));
  memcpy(bigattr, &a, sizeof(a));
  ((struct kattr *)bigattr)->policy = 0;
  ((struct kattr *)bigattr)->size = sizeof(bigattr);
  bigattr[100] = 1; /* a field this kernel does not know, not zero */
  CHECK_RET("setattr-e2big", raw3(SYS_sched_setattr, 0, bigattr, 0), -E2BIG);
  CHECKF("setattr-e2big-writes-size", ((struct kattr *)bigattr)->size == 56 || ((struct kattr *)bigattr)->size == 48,
         "%u", ((struct kattr *)bigattr)->size);
  CHECK_RET("setattr-efault", raw3(SYS_sched_setattr, 0, BAD_PTR, 0), -EFAULT);
}

/* ---- SCHED_DEADLINE: the reservation checked, admitted, reported ---- */

#define DL_RUNTIME 10000000ULL   /* 10 ms of every 30 ms */
#define DL_PERIOD 30000000ULL

static long set_dl(long tid, uint64_t runtime, uint64_t deadline, uint64_t period, uint32_t prio)
{
  struct kattr a;
  memset(&a, 0, sizeof(a));
  a.size = 48;
  a.policy = 6; /* SCHED_DEADLINE */
  a.priority = prio;
  a.runtime = runtime;
  a.deadline = deadline;
  a.period = period;
  return raw3(SYS_sched_setattr, tid, &a, 0);
}

static long set_other(long tid)
{
  struct kattr a;
  memset(&a, 0, sizeof(a));
  a.size = 48;
  return raw3(SYS_sched_setattr, tid, &a, 0);
}

static int dl_pipe[2];
static long dl_tids[16];

static void *dl_sleeper(void *arg)
{
  __atomic_store_n(&dl_tids[(long)arg], raw0(SYS_gettid), __ATOMIC_RELEASE);
  char c;
  (void)!read(dl_pipe[0], &c, 1);
  return NULL;
}

/* Bandwidth: every hart may give 95 % to deadline threads. With n harts,
 * n threads at 90 % are admitted and one more is EBUSY until one shrinks.
 * A section of its own, after a pause: Linux gives back the bandwidth of a
 * thread that leaves SCHED_DEADLINE only at its 0-lag time (Kite at once). */
static void test_dl_admission(void)
{
  if (on_qemu_user()) {
    abi_line("SKIP: sched_dl_admission/all (qemu-user: the host refuses SCHED_DEADLINE in the sandbox's user namespace)");
    return;
  }
  usleep(200000);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1 || n > 15) {
    abi_line("SKIP: sched_deadline/admission (%ld harts)", n);
    return;
  }
  CHECK("pipe", pipe(dl_pipe) == 0);
  pthread_t th[16];
  for (long i = 0; i <= n; i++)
    pthread_create(&th[i], NULL, dl_sleeper, (void *)i);
  for (long i = 0; i <= n; i++)
    while (!__atomic_load_n(&dl_tids[i], __ATOMIC_ACQUIRE))
      sched_yield();
  uint64_t rt = DL_PERIOD / 10 * 9;
  long ok = 0;
  for (long i = 0; i < n; i++)
    ok += set_dl(dl_tids[i], rt, DL_PERIOD, DL_PERIOD, 0) == 0;
  CHECKF("admission-n-at-90", ok == n, "%ld of %ld admitted", ok, n);
  CHECK_RET("admission-one-more-EBUSY", set_dl(dl_tids[n], rt, DL_PERIOD, DL_PERIOD, 0), -EBUSY);
  CHECK_RET("admission-shrink", set_dl(dl_tids[0], rt / 2, DL_PERIOD, DL_PERIOD, 0), 0);
  CHECK_RET("admission-after-shrink", set_dl(dl_tids[n], DL_PERIOD / 10 * 4, DL_PERIOD, DL_PERIOD, 0), 0);
  close(dl_pipe[1]);  /* they wake and exit as deadline threads: their bandwidth goes with them */
  for (long i = 0; i <= n; i++)
    pthread_join(th[i], NULL);
  close(dl_pipe[0]);
}

static void test_sched_deadline(void)
{
  if (on_qemu_user()) {
    abi_line("SKIP: sched_deadline/all (qemu-user: the host refuses SCHED_DEADLINE in the sandbox's user namespace)");
    return;
  }
  /* what __checkparam_dl refuses */
  CHECK_RET("einval-no-deadline", set_dl(0, DL_RUNTIME, 0, DL_PERIOD, 0), -EINVAL);
  CHECK_RET("einval-runtime-over-deadline", set_dl(0, DL_PERIOD, DL_RUNTIME, DL_PERIOD, 0), -EINVAL);
  CHECK_RET("einval-deadline-over-period", set_dl(0, DL_RUNTIME, DL_PERIOD, DL_RUNTIME * 2, 0), -EINVAL);
  CHECK_RET("einval-runtime-under-1024ns", set_dl(0, 1000, DL_PERIOD, DL_PERIOD, 0), -EINVAL);
  CHECK_RET("einval-period-under-100us", set_dl(0, 20000, 50000, 50000, 0), -EINVAL);
  CHECK_RET("einval-period-over-4s", set_dl(0, DL_RUNTIME, DL_PERIOD, 5000000000ULL, 0), -EINVAL);
  CHECK_RET("einval-priority", set_dl(0, DL_RUNTIME, DL_PERIOD, DL_PERIOD, 1), -EINVAL);
  CHECK_RET("esrch", set_dl(999999, DL_RUNTIME, DL_PERIOD, DL_PERIOD, 0), -ESRCH);
  int prio0 = 0;
  CHECK_RET("setscheduler-einval", raw3(SYS_sched_setscheduler, 0, 6, &prio0), -EINVAL);
  CHECK_RET("priority-range", raw1(SYS_sched_get_priority_max, 6) | raw1(SYS_sched_get_priority_min, 6), 0);

  /* a reservation taken and read back */
  CHECK_RET("set", set_dl(0, DL_RUNTIME, DL_PERIOD, DL_PERIOD, 0), 0);
  CHECK_RET("getscheduler", raw1(SYS_sched_getscheduler, 0), 6);
  struct kattr b;
  memset(&b, 0xff, sizeof(b));
  CHECK_RET("getattr", raw4(SYS_sched_getattr, 0, &b, sizeof(b), 0), 0);
  CHECKF("getattr-values", b.policy == 6 && b.priority == 0 && b.nice == 0 && b.runtime == DL_RUNTIME &&
         b.deadline == DL_PERIOD && b.period == DL_PERIOD,
         "policy %u prio %u nice %d %llu/%llu/%llu", b.policy, b.priority, b.nice,
         (unsigned long long)b.runtime, (unsigned long long)b.deadline, (unsigned long long)b.period);
  struct timespec ts = {-1, -1};
  CHECK_RET("rr-interval", raw2(SYS_sched_rr_get_interval, 0, &ts), 0);
  CHECKF("rr-interval-zero", ts.tv_sec == 0 && ts.tv_nsec == 0, "%ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
  long child = raw5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (child == 0)
    _exit(0);
  if (child > 0)
    waitpid(child, NULL, 0);
  CHECKF("fork-EAGAIN", child == -EAGAIN, "%ld", child);
  /* a period of 0 is the deadline */
  CHECK_RET("set-period-0", set_dl(0, DL_RUNTIME, DL_PERIOD, 0, 0), 0);
  memset(&b, 0, sizeof(b));
  raw4(SYS_sched_getattr, 0, &b, sizeof(b), 0);
  CHECKF("period-0-is-deadline", b.period == DL_PERIOD && b.deadline == DL_PERIOD, "%llu/%llu",
         (unsigned long long)b.deadline, (unsigned long long)b.period);
  CHECK_RET("back-to-other", set_other(0), 0);
  CHECK_RET("other-again", raw1(SYS_sched_getscheduler, 0), 0);
}

static void test_personality(void)
{
  long cur = raw1(SYS_personality, 0xffffffff);
  CHECKF("query", cur >= 0, "%ld", cur);
  CHECK_RET("set-returns-old", raw1(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */), cur);
  CHECK_RET("query-after-set", raw1(SYS_personality, 0xffffffff), 0x0040000);
  pid_t pid = fork();
  if (pid == 0)
    _exit(raw1(SYS_personality, 0xffffffff) == 0x0040000 ? 0 : 1);
  int st = wait_child_timeout(pid, 10000);
  CHECKF("inherited-by-fork", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
  pid = fork();
  if (pid == 0) {
    execl(self_path, self_path, "personality", (char *)NULL);
    _exit(3);
  }
  st = wait_child_timeout(pid, 10000);
  CHECKF("kept-by-exec", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
  /* STICKY_TIMEOUTS: pselect6 and ppoll leave the timeout as it was */
  struct timespec ts = {0, 20000000};
  raw1(SYS_personality, 0x4000000);
  raw6(SYS_pselect6, 0, 0, 0, 0, (long)&ts, 0);
  CHECKF("sticky-timeouts-pselect6", ts.tv_sec == 0 && ts.tv_nsec == 20000000, "left %ld ns", (long)ts.tv_nsec);
  raw5(SYS_ppoll, 0, 0, &ts, 0, 8);
  CHECKF("sticky-timeouts-ppoll", ts.tv_sec == 0 && ts.tv_nsec == 20000000, "left %ld ns", (long)ts.tv_nsec);
  raw1(SYS_personality, 0);
  raw6(SYS_pselect6, 0, 0, 0, 0, (long)&ts, 0);
  CHECKF("timeouts-updated-without", ts.tv_sec == 0 && ts.tv_nsec < 20000000, "left %ld ns", (long)ts.tv_nsec);
  raw1(SYS_personality, cur);
}

static void test_membarrier(void)
{
  long q = raw3(SYS_membarrier, 0, 0, 0);
  CHECKF("query", q >= 0 && (q & 31) == 31, "%ld", q);
  CHECK_RET("global", raw3(SYS_membarrier, 1, 0, 0), 0);
  CHECK_RET("global-expedited", raw3(SYS_membarrier, 2, 0, 0), 0);
  CHECK_RET("private-expedited-unregistered-eperm", raw3(SYS_membarrier, 8, 0, 0), -EPERM);
  CHECK_RET("register-private-expedited", raw3(SYS_membarrier, 16, 0, 0), 0);
  CHECK_RET("private-expedited", raw3(SYS_membarrier, 8, 0, 0), 0);
  CHECK_RET("einval-flags", raw3(SYS_membarrier, 1, 1, 0), -EINVAL);
  CHECK_RET("einval-cmd", raw3(SYS_membarrier, 3, 0, 0), -EINVAL);
  if (!(q & 32))
    CHECK_RET("sync-core-not-offered-einval", raw3(SYS_membarrier, 32, 0, 0), -EINVAL);
}

static void test_mlock2_readahead(void)
{
  char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!skip_on_qemu("mlock2", "QEMU 7.2's linux-user has no mlock2")) {
    CHECK_RET("mlock2", raw3(SYS_mlock2, m, 8192, 0), 0);
    CHECK_RET("mlock2-onfault", raw3(SYS_mlock2, m, 8192, 1), 0);
    CHECK_RET("mlock2-einval-flags", raw3(SYS_mlock2, m, 8192, 2), -EINVAL);
    munlock(m, 8192);
  }
  munmap(m, 8192);
  int fd = open("ra.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
  static char buf[20000];
  write(fd, buf, sizeof(buf));
  CHECK_RET("readahead", raw3(SYS_readahead, fd, 0, 16384), 0);
  CHECK_RET("readahead-past-end", raw3(SYS_readahead, fd, 1 << 20, 4096), 0);
  int wo = open("ra.txt", O_WRONLY);
  CHECK_RET("readahead-ebadf-write-only", raw3(SYS_readahead, wo, 0, 4096), -EBADF);
  close(wo);
  int p[2];
  pipe(p);
  CHECK_RET("readahead-einval-pipe", raw3(SYS_readahead, p[0], 0, 4096), -EINVAL);
  close(p[0]);
  close(p[1]);
  CHECK_RET("readahead-ebadf", raw3(SYS_readahead, 999, 0, 4096), -EBADF);
  /* the in-kernel objects' files (anonymous inodes: no file type in
   * st_mode, as Linux's) cannot be read ahead either */
  int ep = epoll_create1(0), ev = (int)raw2(SYS_eventfd2, 0, 0);
  struct stat es;
  CHECKF("anon-inode-no-file-type", fstat(ep, &es) == 0 && (es.st_mode & S_IFMT) == 0 &&
         (es.st_mode & 07777) == 0600, "mode %o", es.st_mode);
  CHECK_RET("readahead-einval-epoll", raw3(SYS_readahead, ep, 0, 4096), -EINVAL);
  CHECK_RET("readahead-einval-eventfd", raw3(SYS_readahead, ev, 0, 4096), -EINVAL);
  close(ep);
  close(ev);
  close(fd);
  unlink("ra.txt");
}

struct hwpair {
  int64_t key;
  uint64_t value;
};

static void test_hwprobe(void)
{
  struct hwpair p[6] = {{3, 7}, {4, 7}, {8, 7}, {7, 7}, {1000, 7}, {0, 7}};
  long r = raw5(SYS_riscv_hwprobe, p, 6, 0, 0, 0);
  if (r == -ENOSYS && !on_kite()) {
    abi_line("SKIP: %s/riscv_hwprobe (this Linux is older than 6.4)", abi_family);
    return;
  }
  CHECK_RET("ok", r, 0);
  CHECKF("base-behavior-ima", p[0].key == 3 && p[0].value == 1, "%lld %llu", (long long)p[0].key,
         (unsigned long long)p[0].value);
  CHECKF("ima-ext-0-fd-and-c", p[1].key == 4 && (p[1].value & 3) == 3, "%llx", (unsigned long long)p[1].value);
  CHECKF("time-csr-freq", p[2].key == 8 && p[2].value == 10000000, "%llu", (unsigned long long)p[2].value);
  CHECKF("highest-virt-address", p[3].key == 7 && p[3].value > (uint64_t)(uintptr_t)&p, "%llx",
         (unsigned long long)p[3].value);
  CHECKF("unknown-key", p[4].key == -1 && p[4].value == 0, "%lld %llu", (long long)p[4].key,
         (unsigned long long)p[4].value);
  CHECK_RET("einval-flags", raw5(SYS_riscv_hwprobe, p, 1, 0, 0, 2), -EINVAL);
  CHECK_RET("efault-pairs", raw5(SYS_riscv_hwprobe, BAD_PTR, 1, 0, 0, 0), -EFAULT);
  unsigned long cpus = 1;
  CHECK_RET("cpu-set", raw5(SYS_riscv_hwprobe, p, 1, sizeof(cpus), &cpus, 0), 0);
  cpus = 0;
  CHECK_RET("einval-empty-cpu-set", raw5(SYS_riscv_hwprobe, p, 1, sizeof(cpus), &cpus, 0), -EINVAL);
}

/* remap_file_pages (Linux emulates it with mmap): four pages of a shared
 * file mapping shown in reverse order, then the refusals (all EINVAL). */
static void test_remap_file_pages(void)
{
  if (raw5(SYS_remap_file_pages, 0, 0, 0, 0, 0) == -ENOSYS &&
      skip_on_qemu("remap_file_pages", "QEMU 7.2's linux-user has no remap_file_pages"))
    return;
  int fd = (int)raw2(SYS_memfd_create, "remap", 0);
  char page[4096];
  for (int i = 0; i < 4; i++) {
    memset(page, 'A' + i, sizeof(page));
    (void)!write(fd, page, sizeof(page));
  }
  long pg = 4096;
  char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK("remap/mmap", m != MAP_FAILED);
  if (m == MAP_FAILED)
    return;
  int ok = 0;
  for (int i = 0; i < 4; i++)
    ok += raw5(SYS_remap_file_pages, m + i * pg, pg, 0, 3 - i, 0) == 0;
  CHECKF("remap/reverse-pages", ok == 4, "%d of 4 succeeded", ok);
  CHECKF("remap/contents", m[0] == 'D' && m[pg] == 'C' && m[2 * pg + 5] == 'B' && m[4 * pg - 1] == 'A',
         "%c %c %c %c", m[0], m[pg], m[2 * pg + 5], m[4 * pg - 1]);
  m[0] = 'x'; /* still the file's page 3, shared */
  char c = 0;
  pread(fd, &c, 1, 3 * pg);
  CHECKF("remap/writes-reach-file", c == 'x', "file byte %c", c);
  CHECK_RET("remap/prot-nonzero", raw5(SYS_remap_file_pages, m, pg, PROT_READ, 0, 0), -EINVAL);
  CHECK_RET("remap/size-zero", raw5(SYS_remap_file_pages, m, 0, 0, 0, 0), -EINVAL);
  CHECK_RET("remap/past-the-mapping", raw5(SYS_remap_file_pages, m, 5 * pg, 0, 0, 0), -EINVAL);
  char *priv = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK_RET("remap/private-mapping", raw5(SYS_remap_file_pages, priv, pg, 0, 0, 0), -EINVAL);
  char *anon = mmap(NULL, pg, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK_RET("remap/shared-anonymous", raw5(SYS_remap_file_pages, anon, pg, 0, 0, 0), 0);
  munmap(anon, pg);
  CHECK_RET("remap/unmapped", raw5(SYS_remap_file_pages, anon, pg, 0, 0, 0), -EINVAL);
  munmap(priv, pg);
  munmap(m, 4 * pg);
  close(fd);
}

/* ---- file handles: name_to_handle_at, open_by_handle_at ---- */

struct khandle {
  unsigned int handle_bytes;
  int handle_type;
  unsigned char f_handle[128];
};

static long name_to_handle(int dfd, const char *path, struct khandle *h, int *mnt, int flags)
{
  return raw5(SYS_name_to_handle_at, dfd, path, h, mnt, flags);
}

/* mountinfo's id of the mount at mount point dir, or -1 */
static int mount_id_of(const char *dir)
{
  FILE *f = fopen("/proc/self/mountinfo", "r");
  char line[512], mp[256];
  int id, found = -1;
  while (f && fgets(line, sizeof(line), f))
    if (sscanf(line, "%d %*d %*s %*s %255s", &id, mp) == 2 && !strcmp(mp, dir))
      found = id; /* the last mount there is the one seen */
  if (f)
    fclose(f);
  return found;
}

static void test_fhandle(void)
{
  if (on_qemu_user()) {
    abi_line("SKIP: %s/fhandle (qemu-user: the host's /tmp, and no CAP_DAC_READ_SEARCH in its user namespace)",
             abi_family);
    return;
  }
  mkdir("/tmp/fh", 0755);
  int dir = open("/tmp/fh", O_RDONLY | O_DIRECTORY);
  int fd = openat(dir, "file", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK("fhandle/setup", dir >= 0 && fd >= 0 && write(fd, "handle", 6) == 6);
  close(fd);
  symlinkat("file", dir, "link");
  struct khandle h, h2, hl;
  int mnt = -7;
  memset(&h, 0, sizeof(h));
  CHECK_RET("name_to_handle_at/eoverflow", name_to_handle(dir, "file", &h, &mnt, 0), -EOVERFLOW);
  CHECKF("name_to_handle_at/size-needed", h.handle_bytes > 0 && h.handle_bytes <= 128, "%u", h.handle_bytes);
  CHECKF("name_to_handle_at/mount-id-even-on-eoverflow", mnt == mount_id_of("/tmp"), "%d vs %d", mnt,
         mount_id_of("/tmp"));
  unsigned need = h.handle_bytes;
  h.handle_bytes = 128;
  CHECK_RET("name_to_handle_at/file", name_to_handle(dir, "file", &h, &mnt, 0), 0);
  CHECKF("name_to_handle_at/bytes", h.handle_bytes == need, "%u", h.handle_bytes);
  fd = openat(dir, "file", O_RDONLY);
  h2.handle_bytes = 128;
  CHECK_RET("name_to_handle_at/empty-path", name_to_handle(fd, "", &h2, &mnt, AT_EMPTY_PATH), 0);
  CHECK("name_to_handle_at/same-handle", h2.handle_bytes == h.handle_bytes && h2.handle_type == h.handle_type &&
                                             !memcmp(h.f_handle, h2.f_handle, h.handle_bytes));
  close(fd);
  hl.handle_bytes = 128;
  CHECK_RET("name_to_handle_at/symlink", name_to_handle(dir, "link", &hl, &mnt, 0), 0);
  CHECK("name_to_handle_at/symlink-is-itself", memcmp(h.f_handle, hl.f_handle, h.handle_bytes) != 0);
  h2.handle_bytes = 128;
  name_to_handle(dir, "link", &h2, &mnt, AT_SYMLINK_FOLLOW);
  CHECK("name_to_handle_at/follow", !memcmp(h.f_handle, h2.f_handle, h.handle_bytes));

  /* the errors, in Linux's order */
  CHECK_RET("name_to_handle_at/flags-einval", name_to_handle(dir, "file", &h2, &mnt, -1), -EINVAL);
  CHECK_RET("name_to_handle_at/ebadf", name_to_handle(-1, "file", &h2, &mnt, 0), -EBADF);
  CHECK_RET("name_to_handle_at/path-efault", name_to_handle(dir, BAD_PTR, &h2, &mnt, 0), -EFAULT);
  CHECK_RET("name_to_handle_at/empty-enoent", name_to_handle(dir, "", &h2, &mnt, 0), -ENOENT);
  CHECK_RET("name_to_handle_at/handle-efault", name_to_handle(dir, "file", BAD_PTR, &mnt, 0), -EFAULT);
  CHECK_RET("name_to_handle_at/mount-id-efault", name_to_handle(dir, "file", &h2, BAD_PTR, 0), -EFAULT);
  h2.handle_bytes = 129;
  CHECK_RET("name_to_handle_at/too-big-einval", name_to_handle(dir, "file", &h2, &mnt, 0), -EINVAL);
  h2.handle_bytes = 128;
  CHECK_RET("name_to_handle_at/proc-eopnotsupp", name_to_handle(AT_FDCWD, "/proc/self/status", &h2, &mnt, 0),
            -EOPNOTSUPP);

  /* open_by_handle_at: the file, as openat would open it */
  fd = raw3(SYS_open_by_handle_at, dir, &h, O_RDWR);
  char buf[8] = {0};
  struct stat a, b;
  fstatat(dir, "file", &a, 0);
  CHECKF("open_by_handle_at/file", fd >= 0 && pread(fd, buf, 6, 0) == 6 && !memcmp(buf, "handle", 6) &&
                                       fstat(fd, &b) == 0 && a.st_ino == b.st_ino, "fd %d", fd);
  CHECK("open_by_handle_at/writable", fd >= 0 && pwrite(fd, "H", 1, 0) == 1);
  close(fd);
  char cwd[256];
  if (!getcwd(cwd, sizeof(cwd)))
    strcpy(cwd, "/");
  chdir("/tmp/fh");
  fd = raw3(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY);
  CHECKF("open_by_handle_at/at-fdcwd", fd >= 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino, "%d", fd);
  if (fd >= 0)
    close(fd);
  chdir(cwd);
  CHECK_RET("open_by_handle_at/symlink-eloop", raw3(SYS_open_by_handle_at, dir, &hl, O_RDONLY), -ELOOP);
  struct khandle hd;
  hd.handle_bytes = 128;
  name_to_handle(dir, "", &hd, &mnt, AT_EMPTY_PATH);
  fd = raw3(SYS_open_by_handle_at, dir, &hd, O_RDONLY | O_DIRECTORY);
  CHECKF("open_by_handle_at/directory", fd >= 0 && fstat(fd, &b) == 0 && S_ISDIR(b.st_mode), "%d", fd);
  if (fd >= 0)
    close(fd);
  CHECK_RET("open_by_handle_at/directory-rdwr-eisdir", raw3(SYS_open_by_handle_at, dir, &hd, O_RDWR), -EISDIR);
  CHECK_RET("open_by_handle_at/ebadf", raw3(SYS_open_by_handle_at, -1, &h, O_RDONLY), -EBADF);
  CHECK_RET("open_by_handle_at/handle-efault", raw3(SYS_open_by_handle_at, dir, BAD_PTR, O_RDONLY), -EFAULT);
  h2 = h;
  h2.handle_bytes = 0;
  CHECK_RET("open_by_handle_at/zero-size-einval", raw3(SYS_open_by_handle_at, dir, &h2, O_RDONLY), -EINVAL);
  h2.handle_bytes = 129;
  CHECK_RET("open_by_handle_at/too-big-einval", raw3(SYS_open_by_handle_at, dir, &h2, O_RDONLY), -EINVAL);
  int proc = open("/proc", O_RDONLY | O_DIRECTORY);
  CHECK_RET("open_by_handle_at/other-fs-estale", raw3(SYS_open_by_handle_at, proc, &h, O_RDONLY), -ESTALE);
  close(proc);
  pid_t pid = fork();
  if (pid == 0) {
    if (setuid(65534))
      _exit(9);
    struct khandle t;
    t.handle_bytes = 128;
    if (name_to_handle(dir, "file", &t, &mnt, 0) != 0)
      _exit(1); /* naming needs no privilege */
    _exit(raw3(SYS_open_by_handle_at, dir, &t, O_RDONLY) == -EPERM ? 0 : 2);
  }
  int st = wait_child_timeout(pid, 10000);
  CHECKF("open_by_handle_at/needs-cap-dac-read-search", EXITED_OK(st), "%s", status_str(st));
  /* a removed file's handle is stale */
  unlinkat(dir, "link", 0);
  unlinkat(dir, "file", 0);
  CHECK_RET("open_by_handle_at/removed-estale", raw3(SYS_open_by_handle_at, dir, &h, O_RDONLY), -ESTALE);
  fd = openat(dir, "file", O_CREAT | O_RDWR, 0644);
  h2.handle_bytes = 128;
  name_to_handle(dir, "file", &h2, &mnt, 0);
  CHECK("name_to_handle_at/new-file-new-handle", memcmp(h.f_handle, h2.f_handle, h.handle_bytes) != 0);
  CHECK_RET("open_by_handle_at/old-handle-still-estale", raw3(SYS_open_by_handle_at, dir, &h, O_RDONLY), -ESTALE);
  close(fd);
  unlinkat(dir, "file", 0);
  close(dir);
  rmdir("/tmp/fh");
}

int main(int argc, char **argv)
{
  if (argc == 2 && !strcmp(argv[1], "personality"))
    return raw1(SYS_personality, 0xffffffff) == 0x0040000 ? 0 : 1;
  self_path = argv[0];
  abi_family = "newcalls";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("epoll_pwait2", test_epoll_pwait2, 30000);
  run_section("rt_tgsigqueueinfo", test_tgsigqueueinfo, 30000);
  run_section("sched", test_sched, 30000);
  run_section("sched_deadline", test_sched_deadline, 30000);
  run_section("sched_dl_admission", test_dl_admission, 30000);
  run_section("personality", test_personality, 30000);
  run_section("membarrier", test_membarrier, 30000);
  run_section("mlock2-readahead", test_mlock2_readahead, 30000);
  run_section("riscv_hwprobe", test_hwprobe, 30000);
  run_section("remap_file_pages", test_remap_file_pages, 30000);
  run_section("fhandle", test_fhandle, 30000);
  return abi_done();
}
