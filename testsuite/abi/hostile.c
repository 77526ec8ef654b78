/*
 * hostile.c — hostile-input ABI tests (testsuite/abi): what a program can
 * throw at the kernel must come back as an error or a signal to that
 * program, never as a kernel crash or a leak.
 *
 *   efault/...   a bad pointer (page 0, and a kernel address) in every
 *                pointer argument of every system call that takes one
 *   nproc/...    fork until RLIMIT_NPROC says EAGAIN
 *   enomem/...   mmap until ENOMEM (over RAM, and under RLIMIT_AS)
 *   storm/...    a fault storm in children; the parent is unaffected
 *   misc/...     absurd sizes, numbers and frames
 *
 * After each group, on Kite, MemFree is back where it was (check.h:
 * check_no_leak). User space.
 */
#include "check.h"
#include <linux/futex.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>

static char tmpdir[200];
static char helper[300];

/* efault2: the call must fail with EFAULT both for a low unmapped pointer
 * and for a kernel address in the slot marked P (the macro runs it twice). */
#define EFAULT_CHECK(name, call)                                                                   \
  do {                                                                                             \
    void *P = BAD_PTR;                                                                             \
    long low_ = (call);                                                                            \
    P = KERNEL_PTR;                                                                                \
    long high_ = (call);                                                                           \
    (void)P;                                                                                       \
    abi_check("efault/" name, low_ == -EFAULT && high_ == -EFAULT, "page 0: %ld, kernel address: %ld (want %d)", \
              low_, high_, -EFAULT);                                                               \
  } while (0)

/* zombie: a child that has exited and not been waited for. */
static pid_t zombie(void)
{
  pid_t z = fork();
  if (z == 0)
    _exit(0);
  /* Wait until it has exited, without reaping it (a fixed sleep loses the
   * race on a loaded host, and WNOHANG then finds nothing to report). */
  siginfo_t si;
  waitid(P_PID, z, &si, WEXITED | WNOWAIT);
  return z;
}

/* reap_after: reap z if the call under test did not, and pass r on. */
static long reap_after(pid_t z, long r)
{
  waitpid(z, NULL, WNOHANG);
  return r;
}

static void test_efault(void)
{
  pid_t z;
  char path[300], link[300], dir[300];
  snprintf(dir, sizeof(dir), "%s/abi-hostile-dir", tmpdir);
  snprintf(path, sizeof(path), "%s/abi-hostile-file", tmpdir);
  snprintf(link, sizeof(link), "%s/abi-hostile-link", tmpdir);
  mkdir(dir, 0755);
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(f, "0123456789abcdef", 16);
  symlink(path, link);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  int pr[2];
  pipe(pr);
  char buf[256];
  struct timespec ts0 = {0, 0}, ts10 = {0, 10 * 1000 * 1000};
  uint64_t set = 0;
  struct stat st;

  /* data transfer (the pipe holds data, the file has bytes to read) */
  write(pr[1], "data", 4);
  EFAULT_CHECK("read", raw3(SYS_read, pr[0], P, 4));
  EFAULT_CHECK("write", raw3(SYS_write, pr[1], P, 4));
  EFAULT_CHECK("pread64", raw4(SYS_pread64, f, P, 8, 0));
  EFAULT_CHECK("pwrite64", raw4(SYS_pwrite64, f, P, 8, 0));
  struct iovec iov = {0, 8};
  EFAULT_CHECK("readv-array", raw3(SYS_readv, f, P, 1));
  EFAULT_CHECK("writev-array", raw3(SYS_writev, f, P, 1));
  EFAULT_CHECK("readv-buffer", (iov.iov_base = P, raw4(SYS_preadv, f, &iov, 1, 0)));
  EFAULT_CHECK("writev-buffer", (iov.iov_base = P, raw4(SYS_pwritev, f, &iov, 1, 0)));
  EFAULT_CHECK("preadv-array", raw4(SYS_preadv, f, P, 1, 0));
  EFAULT_CHECK("pwritev-array", raw4(SYS_pwritev, f, P, 1, 0));
  EFAULT_CHECK("sendfile-offset", raw4(SYS_sendfile, pr[1], f, P, 4));
  EFAULT_CHECK("copy_file_range-offset", raw6(SYS_copy_file_range, f, (long)P, f, 0, 4, 0));
  EFAULT_CHECK("getdents64", raw3(SYS_getdents64, dfd, P, sizeof(buf)));
  EFAULT_CHECK("getcwd", raw2(SYS_getcwd, P, sizeof(buf)));
  EFAULT_CHECK("pipe2", raw2(SYS_pipe2, P, 0));
  EFAULT_CHECK("ioctl-fionread", raw3(SYS_ioctl, pr[0], 0x541B /* FIONREAD */, P));
  EFAULT_CHECK("fcntl-getlk", raw3(SYS_fcntl, f, F_GETLK, P));

  /* path names and the buffers of the file calls */
  EFAULT_CHECK("openat", raw4(SYS_openat, AT_FDCWD, P, O_RDONLY, 0));
  EFAULT_CHECK("mkdirat", raw3(SYS_mkdirat, AT_FDCWD, P, 0755));
  EFAULT_CHECK("mknodat", raw4(SYS_mknodat, AT_FDCWD, P, S_IFIFO | 0644, 0));
  EFAULT_CHECK("unlinkat", raw3(SYS_unlinkat, AT_FDCWD, P, 0));
  EFAULT_CHECK("symlinkat-target", raw3(SYS_symlinkat, P, AT_FDCWD, link));
  EFAULT_CHECK("symlinkat-path", raw3(SYS_symlinkat, path, AT_FDCWD, P));
  EFAULT_CHECK("linkat", raw5(SYS_linkat, AT_FDCWD, P, AT_FDCWD, link, 0));
  EFAULT_CHECK("renameat2", raw5(SYS_renameat2, AT_FDCWD, P, AT_FDCWD, link, 0));
  EFAULT_CHECK("faccessat", raw3(SYS_faccessat, AT_FDCWD, P, F_OK));
  EFAULT_CHECK("faccessat2", raw4(SYS_faccessat2, AT_FDCWD, P, F_OK, 0));
  EFAULT_CHECK("chdir", raw1(SYS_chdir, P));
  EFAULT_CHECK("chroot", raw1(SYS_chroot, P));
  EFAULT_CHECK("fchmodat", raw3(SYS_fchmodat, AT_FDCWD, P, 0644));
  EFAULT_CHECK("fchownat", raw5(SYS_fchownat, AT_FDCWD, P, 0, 0, 0));
  EFAULT_CHECK("truncate", raw2(SYS_truncate, P, 0));
  EFAULT_CHECK("statfs-path", raw2(SYS_statfs, P, buf));
  EFAULT_CHECK("statfs-buffer", raw2(SYS_statfs, "/", P));
  EFAULT_CHECK("fstatfs", raw2(SYS_fstatfs, f, P));
  EFAULT_CHECK("newfstatat-path", raw4(SYS_newfstatat, AT_FDCWD, P, &st, 0));
  EFAULT_CHECK("newfstatat-buffer", raw4(SYS_newfstatat, AT_FDCWD, path, P, 0));
  EFAULT_CHECK("fstat", raw2(SYS_fstat, f, P));
  EFAULT_CHECK("statx-path", raw5(SYS_statx, AT_FDCWD, P, 0, 0x7ff, buf));
  EFAULT_CHECK("statx-buffer", raw5(SYS_statx, AT_FDCWD, path, 0, 0x7ff, P));
  EFAULT_CHECK("readlinkat-path", raw4(SYS_readlinkat, AT_FDCWD, P, buf, sizeof(buf)));
  EFAULT_CHECK("readlinkat-buffer", raw4(SYS_readlinkat, AT_FDCWD, link, P, sizeof(buf)));
  EFAULT_CHECK("utimensat-times", raw4(SYS_utimensat, AT_FDCWD, path, P, 0));
  EFAULT_CHECK("umount2", raw2(SYS_umount2, P, 0));
  EFAULT_CHECK("mount-fstype", raw5(SYS_mount, "none", dir, P, 0, 0));
  EFAULT_CHECK("memfd_create", raw2(SYS_memfd_create, P, 0));
  EFAULT_CHECK("execve-path", raw3(SYS_execve, P, 0, 0));
  char *argv[] = {"x", 0, 0};
  EFAULT_CHECK("execve-argv", raw3(SYS_execve, helper, P, 0));
  EFAULT_CHECK("execve-argv-string", (argv[1] = P, raw3(SYS_execve, helper, argv, 0)));
  char *envp[] = {0, 0};
  argv[1] = 0;
  EFAULT_CHECK("execve-envp-string", (envp[0] = P, raw3(SYS_execve, helper, argv, envp)));

  /* waiting and polling */
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {0}};
  epoll_ctl(ep, EPOLL_CTL_ADD, pr[0], &ev); /* pr[0] holds data: an event is ready */
  EFAULT_CHECK("epoll_ctl", raw4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, pr[0], P));
  EFAULT_CHECK("epoll_pwait-events", raw6(SYS_epoll_pwait, ep, (long)P, 4, 0, 0, 8));
  struct pollfd { int fd; short events, revents; } pf = {pr[0], 1, 0};
  EFAULT_CHECK("ppoll-fds", raw5(SYS_ppoll, P, 1, &ts0, 0, 8));
  EFAULT_CHECK("ppoll-timeout", raw5(SYS_ppoll, &pf, 1, P, 0, 8));
  EFAULT_CHECK("ppoll-sigmask", raw5(SYS_ppoll, &pf, 1, &ts0, P, 8));
  EFAULT_CHECK("pselect6-set", raw6(SYS_pselect6, pr[0] + 1, (long)P, 0, 0, (long)&ts0, 0));
  EFAULT_CHECK("pselect6-timeout", raw6(SYS_pselect6, 0, 0, 0, 0, (long)P, 0));
  EFAULT_CHECK("futex-wait", raw6(SYS_futex, (long)P, FUTEX_WAIT, 0, (long)&ts10, 0, 0));
  /* wait4 and waitid reap the zombie even when the copy-out fails: a
   * fresh zombie for each try */
  EFAULT_CHECK("wait4-status", (z = zombie(), reap_after(z, raw4(SYS_wait4, z, P, WNOHANG, 0))));
  EFAULT_CHECK("wait4-rusage", (z = zombie(), reap_after(z, raw4(SYS_wait4, z, 0, WNOHANG, P))));
  EFAULT_CHECK("waitid-info", (z = zombie(), reap_after(z, raw5(SYS_waitid, P_PID, z, P, WEXITED | WNOHANG, 0))));

  /* time */
  EFAULT_CHECK("clock_gettime", raw2(SYS_clock_gettime, CLOCK_MONOTONIC, P));
  if (!skip_on_qemu("efault/clock_getres", "the copy-out error is ignored (syscall.c)"))
    EFAULT_CHECK("clock_getres", raw2(SYS_clock_getres, CLOCK_MONOTONIC, P));
  EFAULT_CHECK("clock_nanosleep", raw4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, P, 0));
  EFAULT_CHECK("gettimeofday", raw2(SYS_gettimeofday, P, 0));
  EFAULT_CHECK("settimeofday", raw2(SYS_settimeofday, P, 0));
  EFAULT_CHECK("getitimer", raw2(SYS_getitimer, ITIMER_REAL, P));
  EFAULT_CHECK("setitimer-new", raw3(SYS_setitimer, ITIMER_REAL, P, 0));
  EFAULT_CHECK("times", raw1(SYS_times, P));
  if (!skip_on_qemu("efault/nanosleep", "a bad request pointer gives EINVAL (syscall.c ignores the copy error)"))
    EFAULT_CHECK("nanosleep", raw2(SYS_nanosleep, P, 0));

  /* signals */
  EFAULT_CHECK("rt_sigaction-new", raw4(SYS_rt_sigaction, SIGUSR1, P, 0, 8));
  EFAULT_CHECK("rt_sigaction-old", raw4(SYS_rt_sigaction, SIGUSR1, 0, P, 8));
  EFAULT_CHECK("rt_sigprocmask-new", raw4(SYS_rt_sigprocmask, SIG_BLOCK, P, 0, 8));
  EFAULT_CHECK("rt_sigprocmask-old", raw4(SYS_rt_sigprocmask, SIG_BLOCK, 0, P, 8));
  EFAULT_CHECK("rt_sigpending", raw2(SYS_rt_sigpending, P, 8));
  EFAULT_CHECK("rt_sigsuspend", raw2(SYS_rt_sigsuspend, P, 8));
  EFAULT_CHECK("rt_sigtimedwait-set", raw4(SYS_rt_sigtimedwait, P, 0, &ts0, 8));
  set = SIGBIT(SIGUSR2);
  EFAULT_CHECK("rt_sigtimedwait-timeout", raw4(SYS_rt_sigtimedwait, &set, 0, P, 8));
  EFAULT_CHECK("rt_sigqueueinfo", raw3(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, P));
  EFAULT_CHECK("sigaltstack-new", raw2(SYS_sigaltstack, P, 0));
  EFAULT_CHECK("sigaltstack-old", raw2(SYS_sigaltstack, 0, P));

  /* process information and limits */
  EFAULT_CHECK("uname", raw1(SYS_uname, P));
  EFAULT_CHECK("sysinfo", raw1(SYS_sysinfo, P));
  EFAULT_CHECK("getrusage", raw2(SYS_getrusage, RUSAGE_SELF, P));
  EFAULT_CHECK("getrlimit", raw2(SYS_getrlimit, RLIMIT_NOFILE, P));
  EFAULT_CHECK("setrlimit", raw2(SYS_setrlimit, RLIMIT_NOFILE, P));
  EFAULT_CHECK("prlimit64-new", raw4(SYS_prlimit64, 0, RLIMIT_NOFILE, P, 0));
  EFAULT_CHECK("prlimit64-old", raw4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, P));
  EFAULT_CHECK("getresuid", raw3(SYS_getresuid, P, buf, buf + 8));
  EFAULT_CHECK("getresgid", raw3(SYS_getresgid, P, buf, buf + 8));
  EFAULT_CHECK("prctl-set-name", raw5(SYS_prctl, 15 /* PR_SET_NAME */, P, 0, 0, 0));
  EFAULT_CHECK("prctl-get-name", raw5(SYS_prctl, 16 /* PR_GET_NAME */, P, 0, 0, 0));
  EFAULT_CHECK("sched_getaffinity", raw3(SYS_sched_getaffinity, 0, 8, P));
  EFAULT_CHECK("sched_setaffinity", raw3(SYS_sched_setaffinity, 0, 8, P));
  EFAULT_CHECK("sched_getparam", raw2(SYS_sched_getparam, 0, P));
  EFAULT_CHECK("sched_setparam", raw2(SYS_sched_setparam, 0, P));
  EFAULT_CHECK("getcpu", raw3(SYS_getcpu, P, 0, 0));
  EFAULT_CHECK("sched_setscheduler", raw3(SYS_sched_setscheduler, 0, SCHED_OTHER, P));
  EFAULT_CHECK("setgroups", raw2(SYS_setgroups, 1, P));
  EFAULT_CHECK("sethostname", raw2(SYS_sethostname, P, 4));
  EFAULT_CHECK("setdomainname", raw2(SYS_setdomainname, P, 4));
  /* getgroups copies only when there are supplementary groups */
  if (raw2(SYS_getgroups, 0, 0) > 0)
    EFAULT_CHECK("getgroups", raw2(SYS_getgroups, 64, P));
  else
    abi_line("SKIP: hostile/efault/getgroups (no supplementary groups: nothing is copied)");
  EFAULT_CHECK("getrandom", raw3(SYS_getrandom, P, 8, 0));
  if (!skip_on_qemu("efault/syslog", "syslog takes its length from the buffer argument (syscall.c)")) {
    if (raw3(SYS_syslog, 10, 0, 0) == -EPERM && !on_kite())
      abi_line("SKIP: hostile/efault/syslog (Linux denied syslog: not privileged on the host)");
    else
      EFAULT_CHECK("syslog", raw3(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, P, 64));
  }
  char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EFAULT_CHECK("mincore-vector", raw3(SYS_mincore, m, 4096, P));
  munmap(m, 4096);
  if (!skip_on_qemu("efault/get_robust_list", "get_robust_list returns ENOSYS (syscall.c)"))
    EFAULT_CHECK("get_robust_list", raw3(SYS_get_robust_list, 0, P, buf));

  CHECK("efault/still-alive", getpid() > 0);
  close(ep);
  close(pr[0]);
  close(pr[1]);
  close(f);
  close(dfd);
  unlink(link);
  unlink(path);
  rmdir(dir);
}

/* ---- fork until RLIMIT_NPROC ---- */

#define NPROC_LIMIT 40

static void nproc_child(void *arg)
{
  (void)arg;
  /* Root is exempt from RLIMIT_NPROC: become nobody first. */
  int dropped = setgid(65534) == 0 && setuid(65534) == 0;
  CHECKF("nproc/drops-to-nobody", dropped, "setuid(65534): %s", strerror(errno));
  struct rlimit rl = {NPROC_LIMIT, NPROC_LIMIT};
  CHECK("nproc/setrlimit", setrlimit(RLIMIT_NPROC, &rl) == 0);
  /* (qemu-user children that cannot start their own helper thread complain
   * on stderr: keep that out of the results) */
  int null = open("/dev/null", O_WRONLY);
  dup2(null, 2);
  close(null);
  int gate[2];
  pipe(gate);
  static pid_t pids[200];
  int n = 0, err = 0;
  for (int i = 0; i < 200; i++) {
    pid_t p = fork();
    if (p == 0) {
      char x;
      close(gate[1]);
      read(gate[0], &x, 1);
      _exit(0);
    }
    if (p < 0) {
      err = errno;
      break;
    }
    pids[n++] = p;
  }
  CHECKF("nproc/fork-fails-with-eagain", err == EAGAIN && n < NPROC_LIMIT, "%d forks, then %s", n, strerror(err));
  close(gate[1]);
  close(gate[0]);
  int reaped = 0;
  for (int i = 0; i < n; i++)
    reaped += waitpid(pids[i], NULL, 0) == pids[i];
  CHECKF("nproc/all-children-reaped", reaped == n, "%d of %d", reaped, n);
  pid_t p = fork();
  if (p == 0)
    _exit(0);
  int st = -1;
  if (p > 0)
    waitpid(p, &st, 0);
  CHECKF("nproc/fork-works-again", p > 0 && EXITED_OK(st), "fork %d", p);
}

/* ---- mmap until ENOMEM ---- */

static void as_child(void *arg)
{
  (void)arg;
  if (skip_on_qemu("enomem/rlimit-as-loop", "setrlimit(RLIMIT_AS) is accepted and ignored (syscall.c)"))
    return;
  struct rlimit rl = {256 << 20, 256 << 20};
  setrlimit(RLIMIT_AS, &rl);
  static void *maps[128];
  int n = 0;
  long r = 0;
  while (n < 128) {
    r = raw6(SYS_mmap, 0, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r < 0 && r > -4096)
      break;
    maps[n++] = (void *)r;
    ((char *)r)[12345] = 1;
  }
  CHECKF("enomem/rlimit-as-loop", r == -ENOMEM && n > 0 && n < 16, "%d maps of 16 MiB, then %ld", n, r);
  for (int i = 0; i < n; i++)
    munmap(maps[i], 16 << 20);
  void *again = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK("enomem/recovers-after-unmap", again != MAP_FAILED);
}

static void test_enomem(void)
{
  struct sysinfo si;
  sysinfo(&si);
  unsigned long long total = (unsigned long long)(si.totalram + si.totalswap) * si.mem_unit;
  unsigned long long big = (2 * total + (1ULL << 30)) & ~((1ULL << 20) - 1);
  long r = raw6(SYS_mmap, 0, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECKF("enomem/mapping-twice-ram", r == -ENOMEM, "mmap of %llu MiB: %ld", big >> 20, r);
  if (r > 0)
    munmap((void *)r, big);
  r = raw6(SYS_mmap, 0, 1UL << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK_RET("enomem/mapping-beyond-address-space", r, -ENOMEM);
  child_checks("enomem/child", as_child, NULL, 30000);
}

/* ---- fault storms ---- */

static volatile long faults;

static void skip_fault(int sig, siginfo_t *si, void *ucv)
{
  (void)sig;
  (void)si;
  ucontext_t *uc = ucv;
  faults++;
  uc->uc_mcontext.__gregs[REG_PC] += 4;
}

static volatile int *volatile nowhere = BAD_PTR;

static int storm(long n)
{
  faults = 0;
  ksigaction(SIGSEGV, (void *)skip_fault, SA_SIGINFO | SA_NODEFER, 0, NULL);
  for (long i = 0; i < n; i++)
    __asm__ volatile(".option push\n.option norvc\n ld t0, 0(%0)\n.option pop\n" : : "r"(BAD_PTR + (i & 0xff) * 8)
                     : "t0", "memory");
  return faults == n;
}

static void test_storm(void)
{
  pid_t c = fork();
  if (c == 0)
    _exit(storm(5000) ? 0 : 1);
  int st = wait_child_timeout(c, 60000);
  CHECKF("storm/5000-handled-faults", EXITED_OK(st), "%s", status_str(st));

  enum { N = 8 };
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    kids[i] = fork();
    if (kids[i] == 0) {
      storm(500);
      signal(SIGSEGV, SIG_DFL);
      *nowhere = 1; /* then die of the default action */
      _exit(0);
    }
  }
  int died = 0;
  for (int i = 0; i < N; i++) {
    st = wait_child_timeout(kids[i], 60000);
    died += st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
  }
  CHECKF("storm/children-die-of-sigsegv", died == N, "%d of %d", died, N);
  volatile char local[4096];
  memset((char *)local, 3, sizeof(local));
  c = fork();
  if (c == 0)
    _exit(local[4095] == 3 ? 0 : 1);
  st = wait_child_timeout(c, 5000);
  CHECKF("storm/parent-unaffected", local[4095] == 3 && EXITED_OK(st), "%s", status_str(st));
}

/* ---- absurd arguments ---- */

static void test_misc(void)
{
  CHECK_RET("misc/unknown-syscall-enosys", raw0(5000), -ENOSYS);
  CHECK_RET("misc/negative-syscall-enosys", raw0(-5), -ENOSYS);
  CHECK_RET("misc/huge-fd-ebadf", raw3(SYS_read, 0x7fffffff, (char[4]){0}, 1), -EBADF);
  CHECK_RET("misc/munmap-huge-einval", raw2(SYS_munmap, 4096, 1UL << 63), -EINVAL);
  CHECK_RET("misc/dup3-huge-ebadf", raw3(SYS_dup3, 0, 0x7fffffff, 0), -EBADF);
  CHECK_RET("misc/kill-huge-pid-esrch", raw2(SYS_kill, 0x3fffffff, 0), -ESRCH);
  struct iovec iov[1025];
  for (int i = 0; i < 1025; i++) {
    iov[i].iov_base = "x";
    iov[i].iov_len = 1;
  }
  int p[2];
  pipe(p);
  CHECK_RET("misc/writev-too-many-iovecs", raw3(SYS_writev, p[1], iov, 1025), -EINVAL);
  CHECK_RET("misc/writev-negative-count", raw3(SYS_writev, p[1], iov, -1), -EINVAL);
  struct iovec neg[1] = {{"x", (size_t)-1}};
  CHECK_RET("misc/writev-negative-length", raw3(SYS_writev, p[1], neg, 1), -EINVAL);
  close(p[0]);
  close(p[1]);

  /* execve with one argument longer than MAX_ARG_STRLEN (32 pages) */
  char *huge = mmap(NULL, 200000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(huge, 'a', 199999);
  char *argv[] = {"helper", huge, NULL};
  char *envp[] = {NULL};
  CHECK_RET("misc/execve-e2big", raw3(SYS_execve, helper, argv, envp), -E2BIG);
  munmap(huge, 200000);

  /* rt_sigreturn with no frame on an unmapped stack: SIGSEGV for the caller */
  pid_t c = fork();
  if (c == 0) {
    __asm__ volatile("li sp, 4096\n li a7, 139\n ecall\n" ::: "memory");
    _exit(0);
  }
  int st = wait_child_timeout(c, 5000);
  CHECKF("misc/sigreturn-without-frame-sigsegv", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s",
         status_str(st));
}

/* repeat_quietly: the section once with its lines, then `more` times quietly. */
static void repeat_quietly(const char *name, void (*fn)(void), int more)
{
  run_section(name, fn, 120000);
  abi_quiet = 1;
  for (int i = 0; i < more; i++)
    run_section(name, fn, 120000);
  abi_quiet = 0;
}

int main(void)
{
  abi_family = "hostile";
  const char *dir = getenv("ABI_DIR");
  snprintf(helper, sizeof(helper), "%s/helper", dir ? dir : "/abi");
  const char *t = getenv("ABI_TMP");
  snprintf(tmpdir, sizeof(tmpdir), "%s", t ? t : "/tmp");
  struct rlimit core;
  getrlimit(RLIMIT_CORE, &core);
  core.rlim_cur = 0;
  setrlimit(RLIMIT_CORE, &core);

  /* Each case runs once with its checks reported, then again quietly, and
   * MemFree is compared across all the runs: a leak on an error path grows
   * with every run, a cache filled on the first run does not. */
  long before = free_settled_kb();
  repeat_quietly("efault", test_efault, 4);
  check_no_leak("efault/no-leak", before);
  before = free_settled_kb();
  child_checks("nproc/child", nproc_child, NULL, 60000);
  abi_quiet = 1;
  for (int i = 0; i < 2; i++)
    child_checks("nproc/child", nproc_child, NULL, 60000);
  abi_quiet = 0;
  check_no_leak("nproc/no-leak", before);
  before = free_settled_kb();
  repeat_quietly("enomem", test_enomem, 2);
  check_no_leak("enomem/no-leak", before);
  before = free_settled_kb();
  repeat_quietly("storm", test_storm, 1);
  check_no_leak("storm/no-leak", before);
  before = free_settled_kb();
  repeat_quietly("misc", test_misc, 2);
  check_no_leak("misc/no-leak", before);
  return abi_done();
}
