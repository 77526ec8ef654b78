/*
 * procnew.c — the newer process calls (testsuite/abi): pidfd_open (flags,
 * errors, poll readable once the process exits), pidfd_send_signal (with
 * and without a siginfo, the EPERM and EINVAL rules, ESRCH after the
 * reap), pidfd_getfd, waitid(P_PIDFD) and a non-blocking pidfd's EAGAIN,
 * clone's CLONE_PIDFD; clone3 (sizes, flags, pidfd, set_tid,
 * CLONE_CLEAR_SIGHAND, a new stack); execveat (relative to a directory,
 * AT_EMPTY_PATH on a file, an O_PATH descriptor and a memfd, symlinks,
 * scripts through close-on-exec descriptors, errors);
 * process_vm_readv/writev (both ways, partial transfers, errors);
 * unshare (descriptor table, file-system context, errors) and setns
 * through a pidfd. User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_execveat
#define SYS_execveat 281
#endif
#define P_PIDFD 3
#define CLONE_PIDFD 0x1000
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#define CLONE_INTO_CGROUP 0x200000000ULL

static const char *self_path;

/* A child that waits for SIGTERM (or dies after 20 s). */
static pid_t sleeper(void)
{
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 2000; i++)
      msleep(10);
    _exit(0);
  }
  return pid;
}

static int readable(int fd, int ms)
{
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void test_pidfd(void)
{
  if (raw2(SYS_pidfd_open, getpid(), 0) == -ENOSYS && skip_on_qemu("pidfd", "no pidfd_open"))
    return;
  pid_t pid = sleeper();
  int pfd = (int)raw2(SYS_pidfd_open, pid, 0);
  CHECKF("open", pfd >= 0, "%d", pfd);
  CHECK("open/cloexec", fcntl(pfd, F_GETFD) == FD_CLOEXEC);
  CHECK_RET("open/einval-flags", raw2(SYS_pidfd_open, pid, 1), -EINVAL);
  CHECK_RET("open/einval-pid-0", raw2(SYS_pidfd_open, 0, 0), -EINVAL);
  CHECK_RET("open/esrch", raw2(SYS_pidfd_open, 999999, 0), -ESRCH);
  CHECK("poll/not-readable-while-running", !readable(pfd, 50));
  CHECK_RET("send/sig-0", raw4(SYS_pidfd_send_signal, pfd, 0, 0, 0), 0);
  CHECK_RET("send/einval-flags", raw4(SYS_pidfd_send_signal, pfd, SIGTERM, 0, 8), -EINVAL);
  int nf = open("/proc/self/status", O_RDONLY);
  CHECK_RET("send/ebadf-not-a-pidfd", raw4(SYS_pidfd_send_signal, nf, SIGTERM, 0, 0), -EBADF);
  close(nf);
  /* a /proc/<pid> directory names its process too; /proc/<pid>/task/<tid> does not */
  char dir[64];
  snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
  int df = open(dir, O_RDONLY | O_DIRECTORY);
  CHECK_RET("send/proc-pid-dir", raw4(SYS_pidfd_send_signal, df, 0, 0, 0), 0);
  close(df);
  snprintf(dir, sizeof(dir), "/proc/%d/task/%d", (int)pid, (int)pid);
  df = open(dir, O_RDONLY | O_DIRECTORY);
  CHECK_RET("send/proc-task-dir-ebadf", raw4(SYS_pidfd_send_signal, df, 0, 0, 0), -EBADF);
  close(df);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  si.si_signo = SIGUSR1;
  si.si_code = SI_QUEUE;
  CHECK_RET("send/einval-signo-mismatch", raw4(SYS_pidfd_send_signal, pfd, SIGTERM, &si, 0), -EINVAL);
  si.si_code = SI_USER;
  CHECK_RET("send/eperm-si-user-to-another", raw4(SYS_pidfd_send_signal, pfd, SIGUSR1, &si, 0), -EPERM);
  CHECK_RET("send/term", raw4(SYS_pidfd_send_signal, pfd, SIGTERM, 0, 0), 0);
  CHECK("poll/readable-after-exit", readable(pfd, 5000));
  siginfo_t wi;
  memset(&wi, 0, sizeof(wi));
  CHECK_RET("waitid-p-pidfd", raw5(SYS_waitid, P_PIDFD, pfd, &wi, WEXITED, 0), 0);
  CHECKF("waitid-p-pidfd/status", wi.si_pid == pid && wi.si_code == CLD_KILLED && wi.si_status == SIGTERM,
         "pid %d code %d status %d", wi.si_pid, wi.si_code, wi.si_status);
  CHECK("poll/still-readable-after-reap", readable(pfd, 0));
  CHECK_RET("send/esrch-after-reap", raw4(SYS_pidfd_send_signal, pfd, SIGTERM, 0, 0), -ESRCH);
  close(pfd);
  CHECK_RET("waitid-p-pidfd/ebadf", raw5(SYS_waitid, P_PIDFD, 999, &wi, WEXITED, 0), -EBADF);

  /* a non-blocking pidfd: EAGAIN while the child runs */
  pid = sleeper();
  pfd = (int)raw2(SYS_pidfd_open, pid, O_NONBLOCK);
  CHECK_RET("nonblock/waitid-eagain", raw5(SYS_waitid, P_PIDFD, pfd, &wi, WEXITED, 0), -EAGAIN);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(pfd);

  /* pidfd_getfd: a copy of the child's descriptor, its offset shared */
  int ready[2];
  pipe(ready);
  pid = fork();
  if (pid == 0) {
    int fd = open("getfd.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "0123456789", 10);
    lseek(fd, 3, SEEK_SET);
    dup2(fd, 50);
    write(ready[1], "r", 1);
    for (int i = 0; i < 2000; i++)
      msleep(10);
    _exit(0);
  }
  char c;
  read(ready[0], &c, 1);
  pfd = (int)raw2(SYS_pidfd_open, pid, 0);
  long g = raw3(SYS_pidfd_getfd, pfd, 50, 0);
  CHECKF("getfd", g >= 0, "%ld", g);
  char buf[8] = "";
  CHECK("getfd/shares-the-offset", g >= 0 && read((int)g, buf, 2) == 2 && !memcmp(buf, "34", 2));
  CHECK("getfd/cloexec", g >= 0 && fcntl((int)g, F_GETFD) == FD_CLOEXEC);
  CHECK_RET("getfd/ebadf-target", raw3(SYS_pidfd_getfd, pfd, 77, 0), -EBADF);
  CHECK_RET("getfd/einval-flags", raw3(SYS_pidfd_getfd, pfd, 50, 1), -EINVAL);
  close((int)g);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(pfd);
  unlink("getfd.txt");
  close(ready[0]);
  close(ready[1]);

  /* clone(CLONE_PIDFD): the pidfd where the parent's tid would go */
  if (skip_on_qemu("clone-pidfd", "linux-user/syscall.c refuses CLONE_PIDFD"))
    return;
  int cpfd = -1;
  long cp = raw5(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &cpfd, 0, 0);
  if (cp == 0)
    _exit(7);
  CHECKF("clone-pidfd", cp > 0 && cpfd >= 0, "%ld %d", cp, cpfd);
  CHECK("clone-pidfd/readable-at-exit", cpfd >= 0 && readable(cpfd, 5000));
  memset(&wi, 0, sizeof(wi));
  CHECK("clone-pidfd/waitid", raw5(SYS_waitid, P_PIDFD, cpfd, &wi, WEXITED, 0) == 0 && wi.si_status == 7);
  close(cpfd);
  CHECK_RET("clone-pidfd/einval-with-parent-settid", raw5(SYS_clone, CLONE_PIDFD | 0x00100000 | SIGCHLD, 0, &cpfd, 0, 0),
            -EINVAL);
}

struct clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static long kclone3(struct clone_args *a, size_t size) { return raw2(SYS_clone3, a, size); }

static void on_usr1(int s) { (void)s; }

/* clone3; the child exits at once with 0 if its sp is in [lo, hi), else 1 */
static long clone3_sp_check(struct clone_args *args, size_t size, uintptr_t lo, uintptr_t hi)
{
  register long a0 __asm__("a0") = (long)args;
  register long a1 __asm__("a1") = (long)size;
  register long a2 __asm__("a2") = (long)lo;
  register long a3 __asm__("a3") = (long)hi;
  register long a7 __asm__("a7") = SYS_clone3;
  __asm__ volatile("ecall\n"
                   "bnez a0, 1f\n"
                   "li a0, 1\n"
                   "bltu sp, a2, 2f\n"
                   "bgeu sp, a3, 2f\n"
                   "li a0, 0\n"
                   "2: li a7, 94\n" /* exit_group */
                   "ecall\n"
                   "1:\n"
                   : "+r"(a0), "+r"(a7)
                   : "r"(a1), "r"(a2), "r"(a3)
                   : "memory");
  return a0;
}

static void test_clone3(void)
{
  struct clone_args a;
  memset(&a, 0, sizeof(a));
  a.exit_signal = SIGCHLD;
  long r = kclone3(&a, 64);
  if (r == -ENOSYS && skip_on_qemu("clone3", "QEMU 7.2's linux-user has no clone3"))
    return;
  if (r == 0)
    _exit(5);
  int st = 0;
  CHECKF("fork-like", r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 5, "r %ld", r);
  CHECK_RET("einval-small", kclone3(&a, 56), -EINVAL);
  CHECK_RET("e2big-huge", kclone3(&a, 8192), -E2BIG);
  static char bigger[128];
  memset(bigger, 0, sizeof(bigger));
  memcpy(bigger, &a, sizeof(a));
  bigger[120] = 1;
  CHECK_RET("e2big-unknown-field", raw2(SYS_clone3, bigger, sizeof(bigger)), -E2BIG);
  a.exit_signal = 65;
  CHECK_RET("einval-exit-signal", kclone3(&a, sizeof(a)), -EINVAL);
  a.exit_signal = SIGCHLD;
  a.flags = SIGCHLD;
  CHECK_RET("einval-csignal-in-flags", kclone3(&a, sizeof(a)), -EINVAL);
  a.flags = 0x00010000 | 0x800 | 0x100; /* THREAD | SIGHAND | VM */
  CHECK_RET("einval-thread-with-exit-signal", kclone3(&a, sizeof(a)), -EINVAL);
  a.flags = 0;
  a.stack = (uint64_t)(uintptr_t)bigger;
  CHECK_RET("einval-stack-without-size", kclone3(&a, sizeof(a)), -EINVAL);
  a.stack = 0;
  a.set_tid_size = 1;
  CHECK_RET("einval-set-tid-size-without-array", kclone3(&a, sizeof(a)), -EINVAL);
  a.set_tid_size = 0;
  a.flags = 0x800 | 0x100 | CLONE_CLEAR_SIGHAND;
  CHECK_RET("einval-sighand-and-clear-sighand", kclone3(&a, sizeof(a)), -EINVAL);
  CHECK_RET("efault", kclone3(BAD_PTR, 64), -EFAULT);

  /* CLONE_PIDFD */
  int pfd = -1;
  memset(&a, 0, sizeof(a));
  a.flags = CLONE_PIDFD;
  a.pidfd = (uint64_t)(uintptr_t)&pfd;
  a.exit_signal = SIGCHLD;
  r = kclone3(&a, sizeof(a));
  if (r == 0)
    _exit(6);
  siginfo_t wi;
  memset(&wi, 0, sizeof(wi));
  CHECKF("pidfd", r > 0 && pfd >= 0 && raw5(SYS_waitid, P_PIDFD, pfd, &wi, WEXITED, 0) == 0 && wi.si_status == 6,
         "r %ld pfd %d status %d", r, pfd, wi.si_status);
  close(pfd);

  /* set_tid: the child's pid chosen */
  int want = 20000 + getpid() % 5000;
  memset(&a, 0, sizeof(a));
  a.exit_signal = SIGCHLD;
  a.set_tid = (uint64_t)(uintptr_t)&want;
  a.set_tid_size = 1;
  r = kclone3(&a, sizeof(a));
  if (r == 0)
    _exit(getpid() == want ? 0 : 1);
  st = 0;
  CHECKF("set-tid", (r == want && waitpid(want, &st, 0) == want && WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
                        r == -EEXIST,
         "r %ld want %d", r, want);
  int self = getpid();
  a.set_tid = (uint64_t)(uintptr_t)&self;
  CHECK_RET("set-tid-eexist", kclone3(&a, sizeof(a)), -EEXIST);

  /* CLONE_CLEAR_SIGHAND: handlers back to default, ignored stays ignored */
  ksigaction(SIGUSR1, (void *)on_usr1, 0, 0, NULL);
  ksigaction(SIGUSR2, (void *)SIG_IGN, 0, 0, NULL);
  memset(&a, 0, sizeof(a));
  a.flags = CLONE_CLEAR_SIGHAND;
  a.exit_signal = SIGCHLD;
  r = kclone3(&a, sizeof(a));
  if (r == 0) {
    struct ksigaction o1, o2;
    raw4(SYS_rt_sigaction, SIGUSR1, 0, &o1, 8);
    raw4(SYS_rt_sigaction, SIGUSR2, 0, &o2, 8);
    _exit(o1.handler == SIG_DFL && o2.handler == SIG_IGN ? 0 : 1);
  }
  st = 0;
  CHECKF("clear-sighand", r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 0, "r %ld st %x",
         r, st);
  ksigaction(SIGUSR1, (void *)SIG_DFL, 0, 0, NULL);
  ksigaction(SIGUSR2, (void *)SIG_DFL, 0, 0, NULL);

  /* a new stack, given as base and size: the child starts with sp at its
   * top (checked in assembly: its C frame is the parent's) */
  static char stack[16384] __attribute__((aligned(16)));
  memset(&a, 0, sizeof(a));
  a.exit_signal = SIGCHLD;
  a.stack = (uint64_t)(uintptr_t)stack;
  a.stack_size = sizeof(stack);
  r = clone3_sp_check(&a, sizeof(a), (uintptr_t)stack, (uintptr_t)stack + sizeof(stack) + 1);
  st = 0;
  CHECKF("new-stack", r > 0 && waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 0, "r %ld st %x", r,
         st);

  /* CLONE_INTO_CGROUP: without control groups (Kite; the reference Linux
   * is built without) it is accepted and changes nothing */
  int root = open("/", O_RDONLY | O_DIRECTORY);
  memset(&a, 0, sizeof(a));
  a.flags = CLONE_INTO_CGROUP;
  a.exit_signal = SIGCHLD;
  a.cgroup = root;
  r = kclone3(&a, sizeof(a));
  if (r == 0)
    _exit(0);
  if (r > 0)
    waitpid((pid_t)r, NULL, 0);
  CHECKF("into-cgroup-without-cgroups", r > 0, "r %ld", r);
  close(root);
}

static int run_status(pid_t pid)
{
  int st = wait_child_timeout(pid, 20000);
  return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *const child_argv[] = {"procnew", "execveat-child", NULL};
static char *const empty_env[] = {NULL};

/* fork, then execveat in the child; the child's exit status or -errno */
static int fork_execveat(int dirfd, const char *path, int flags)
{
  int p[2];
  pipe(p);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    long r = raw5(SYS_execveat, dirfd, path, child_argv, empty_env, flags);
    int e = (int)-r;
    write(p[1], &e, sizeof(e));
    _exit(100);
  }
  close(p[1]);
  int e = 0;
  int got = read(p[0], &e, sizeof(e));
  close(p[0]);
  int st = run_status(pid);
  return got == sizeof(e) ? -e : st;
}

static void test_execveat(void)
{
  if (raw5(SYS_execveat, -1, "", 0, 0, 0) == -ENOSYS && skip_on_qemu("execveat", "QEMU 7.2's linux-user has no execveat"))
    return;
  CHECK_RET("absolute-path", fork_execveat(AT_FDCWD, self_path, 0), 42);
  char dir[256];
  snprintf(dir, sizeof(dir), "%s", self_path);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : self_path;
  if (slash)
    *slash = 0;
  int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
  CHECK_RET("relative-to-dirfd", fork_execveat(dfd, base, 0), 42);
  int fd = open(self_path, O_RDONLY);
  CHECK_RET("empty-path-fexecve", fork_execveat(fd, "", AT_EMPTY_PATH), 42);
  int opath = open(self_path, O_PATH);
  CHECK_RET("empty-path-o-path", fork_execveat(opath, "", AT_EMPTY_PATH), 42);
  CHECK_RET("empty-path-needs-flag", fork_execveat(fd, "", 0), -ENOENT);
  CHECK_RET("empty-path-enoent-before-flags", fork_execveat(fd, "", 0x4000), -ENOENT);
  CHECK_RET("einval-flags", fork_execveat(fd, "", 0x4000 | AT_EMPTY_PATH), -EINVAL);
  CHECK_RET("ebadf", fork_execveat(999, "", AT_EMPTY_PATH), -EBADF);
  /* a copy in a memfd */
  int mfd = (int)raw2(SYS_memfd_create, "prog", 0);
  static char chunk[65536];
  long n;
  lseek(fd, 0, SEEK_SET);
  while ((n = read(fd, chunk, sizeof(chunk))) > 0)
    write(mfd, chunk, n);
  CHECK_RET("memfd", fork_execveat(mfd, "", AT_EMPTY_PATH), 42);
  close(mfd);
  /* symlinks */
  unlink("self-link");
  symlink(self_path, "self-link");
  CHECK_RET("symlink-followed", fork_execveat(AT_FDCWD, "self-link", 0), 42);
  CHECK_RET("symlink-nofollow-eloop", fork_execveat(AT_FDCWD, "self-link", AT_SYMLINK_NOFOLLOW), -ELOOP);
  unlink("self-link");
  CHECK_RET("directory-eacces", fork_execveat(dfd, "", AT_EMPTY_PATH), -EACCES);
  int nx = open("not-exec", O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(nx, "x", 1);
  CHECK_RET("not-executable-eacces", fork_execveat(nx, "", AT_EMPTY_PATH), -EACCES);
  close(nx);
  unlink("not-exec");
  /* a script through a descriptor: fine, unless close-on-exec (ENOENT) */
  int sfd = open("script.sh", O_RDWR | O_CREAT | O_TRUNC, 0755);
  const char *text = "#!/bin/sh\nexit 43\n";
  write(sfd, text, strlen(text));
  close(sfd);
  sfd = open("script.sh", O_RDONLY);
  CHECK_RET("script-by-fd", fork_execveat(sfd, "", AT_EMPTY_PATH), 43);
  close(sfd);
  sfd = open("script.sh", O_RDONLY | O_CLOEXEC);
  CHECK_RET("script-by-cloexec-fd-enoent", fork_execveat(sfd, "", AT_EMPTY_PATH), -ENOENT);
  close(sfd);
  unlink("script.sh");
  close(fd);
  close(opath);
  close(dfd);
}

#define kpvm(nr, pid, l, lc, r, rc, f) raw6(nr, pid, (long)(l), lc, (long)(r), rc, f)

static void test_process_vm(void)
{
  char *mem = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(mem + 4096, 4096); /* a hole after the first page */
  memset(mem, 'p', 4096);
  int go[2], done[2];
  pipe(go);
  pipe(done);
  pid_t pid = fork();
  if (pid == 0) {
    memcpy(mem, "child data", 10); /* the same address, its own copy */
    write(done[1], "1", 1);
    char c;
    read(go[0], &c, 1); /* the parent has written */
    _exit(memcmp(mem + 100, "written", 7) == 0 ? 0 : 1);
  }
  char c;
  read(done[0], &c, 1);
  char buf[32] = "";
  struct iovec lv = {buf, 10}, rv = {mem, 10};
  long r = kpvm(SYS_process_vm_readv, pid, &lv, 1, &rv, 1, 0);
  if (r == -ENOSYS && skip_on_qemu("process_vm", "no process_vm_readv")) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return;
  }
  CHECKF("readv", r == 10 && !memcmp(buf, "child data", 10), "r %ld %.10s", r, buf);
  struct iovec wl = {"written", 7}, wr = {mem + 100, 7};
  CHECK_RET("writev", kpvm(SYS_process_vm_writev, pid, &wl, 1, &wr, 1, 0), 7);
  /* partial: the remote range runs into the hole */
  static char big[8192];
  struct iovec bl = {big, sizeof(big)}, br = {mem + 4000, 200};
  CHECK_RET("readv-partial-at-a-hole", kpvm(SYS_process_vm_readv, pid, &bl, 1, &br, 1, 0), 96);
  struct iovec hr = {mem + 4096, 10};
  CHECK_RET("readv-efault-remote", kpvm(SYS_process_vm_readv, pid, &bl, 1, &hr, 1, 0), -EFAULT);
  struct iovec badl = {BAD_PTR, 10};
  CHECK_RET("readv-efault-local", kpvm(SYS_process_vm_readv, pid, &badl, 1, &rv, 1, 0), -EFAULT);
  CHECK_RET("einval-flags", kpvm(SYS_process_vm_readv, pid, &lv, 1, &rv, 1, 1), -EINVAL);
  CHECK_RET("esrch", kpvm(SYS_process_vm_readv, 999999, &lv, 1, &rv, 1, 0), -ESRCH);
  CHECK_RET("einval-iovcnt", kpvm(SYS_process_vm_readv, pid, &lv, 1025, &rv, 1, 0), -EINVAL);
  write(go[1], "1", 1);
  CHECK_RET("child-saw-the-write", run_status(pid), 0);
  munmap(mem, 4096);
  close(go[0]);
  close(go[1]);
  close(done[0]);
  close(done[1]);
}

static void test_unshare(void)
{
  CHECK_RET("nothing", raw1(SYS_unshare, 0), 0);
  CHECK_RET("einval-flag", raw1(SYS_unshare, CLONE_PIDFD), -EINVAL);
  if (!skip_on_qemu("vm-single-thread", "QEMU itself runs more threads") &&
      !skip_on_qemu("files", "linux-user/syscall.c takes clone(CLONE_FILES) as a thread and refuses it")) {
  CHECK_RET("vm-single-thread", raw1(SYS_unshare, 0x100 /* CLONE_VM */), 0);
  /* a child sharing our descriptor table takes its own, then closes fd */
  int fd = open("/proc/self/status", O_RDONLY);
  long pid = raw5(SYS_clone, 0x400 /* CLONE_FILES */ | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    long u = raw1(SYS_unshare, 0x400);
    close(fd);
    raw1(SYS_exit_group, u == 0 ? 0 : 1);
  }
  CHECK_RET("files/child", run_status((pid_t)pid), 0);
  CHECK("files/ours-still-open", fcntl(fd, F_GETFD) >= 0);
  close(fd);
  /* a child sharing our cwd takes its own, then moves */
  char before[256], after[256];
  getcwd(before, sizeof(before));
  pid = raw5(SYS_clone, 0x200 /* CLONE_FS */ | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    long u = raw1(SYS_unshare, 0x200);
    chdir("/");
    raw1(SYS_exit_group, u == 0 ? 0 : 1);
  }
  CHECK_RET("fs/child", run_status((pid_t)pid), 0);
  getcwd(after, sizeof(after));
  CHECK("fs/our-cwd-unchanged", !strcmp(before, after));
  }
  /* a child takes a mount namespace of its own (namespaces.c checks what
   * it holds); under qemu-user that would be the host's */
  if (!skip_on_qemu("newns-in-child", "unshare(CLONE_NEWNS) would reach the host")) {
    long child = raw5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (child == 0)
      raw1(SYS_exit_group, raw1(SYS_unshare, 0x00020000 /* CLONE_NEWNS */) == 0 ? 0 : 1);
    CHECK_RET("newns-in-child", run_status((pid_t)child), 0);
  }

  CHECK_RET("setns/ebadf", raw2(SYS_setns, 999, 0), -EBADF);
  int nf = open("/proc/self/status", O_RDONLY);
  CHECK_RET("setns/einval-not-a-namespace", raw2(SYS_setns, nf, 0), -EINVAL);
  close(nf);
  if (raw2(SYS_pidfd_open, getpid(), 0) == -ENOSYS)
    return;
  pid_t child = sleeper();
  int pfd = (int)raw2(SYS_pidfd_open, child, 0);
  CHECK_RET("setns/pidfd-uts", raw2(SYS_setns, pfd, 0x04000000 /* CLONE_NEWUTS */), 0);
  CHECK_RET("setns/pidfd-einval-no-types", raw2(SYS_setns, pfd, 0), -EINVAL);
  CHECK_RET("setns/pidfd-einval-own-user-ns", raw2(SYS_setns, pfd, 0x10000000 /* CLONE_NEWUSER */), -EINVAL);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  close(pfd);
}

int main(int argc, char **argv)
{
  if (argc == 2 && !strcmp(argv[1], "execveat-child"))
    return 42;
  self_path = argv[0];
  abi_family = "procnew";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("pidfd", test_pidfd, 60000);
  run_section("clone3", test_clone3, 60000);
  run_section("execveat", test_execveat, 60000);
  run_section("process_vm", test_process_vm, 30000);
  run_section("unshare-setns", test_unshare, 30000);
  return abi_done();
}
