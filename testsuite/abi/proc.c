/*
 * proc.c — process ABI tests (testsuite/abi): fork and clone with fork
 * semantics, vfork, execve, exit, wait4, orphans, process ids, sessions
 * and groups, uid/gid, umask, resource limits, rusage and times,
 * scheduling calls, prctl names and the robust-list registration.
 * User space; every check encodes what Linux does (see check.h).
 *
 * Run as: proc   (the helper program is $ABI_DIR/helper, default /abi)
 */
#include "check.h"
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/times.h>

#ifndef __WALL
#define __WALL 0x40000000
#endif

static char helper[300];
static char tmpdir[200];

/* ---- small tools ---- */

/* spin_cpu: use about ms milliseconds of CPU time (at most 5 s of wall time). */
static void spin_cpu(long ms)
{
  struct timespec t;
  long long start = now_ns();
  volatile unsigned long x = 0;
  for (;;) {
    for (int i = 0; i < 10000; i++)
      x += i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    if (t.tv_sec * 1000 + t.tv_nsec / 1000000 >= ms)
      break;
    if (now_ns() - start > 5000000000LL)
      break;
  }
}

/*
 * exec_capture: fork; in the child run setup(arg) (may be NULL), send
 * stdout to a pipe, execve(path, argv, envp). The parent reads everything
 * into out (NUL-terminated) and returns the wait status (or -1 on timeout).
 */
static int exec_capture(const char *path, char *const argv[], char *const envp[],
                        void (*setup)(void *), void *arg, char *out, size_t outsz)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return -3;
  pid_t pid = fork();
  if (pid < 0)
    return -3;
  if (pid == 0) {
    dup2(p[1], 1);
    if (setup)
      setup(arg);
    execve(path, argv, envp);
    _exit(126);
  }
  close(p[1]);
  size_t n = 0;
  long long deadline = now_ns() + 10000000000LL;
  for (;;) {
    ssize_t r = read(p[0], out + n, outsz - 1 - n);
    if (r > 0)
      n += r;
    if (r == 0 || n >= outsz - 1 || now_ns() > deadline)
      break;
    if (r < 0 && errno != EINTR)
      break;
  }
  out[n] = 0;
  close(p[0]);
  return wait_child_timeout(pid, 10000);
}

/* has_line: does text contain the whole line `line`? */
static int has_line(const char *text, const char *line)
{
  size_t n = strlen(line);
  for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
    if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0))
      return 1;
  return 0;
}

/* ---- fork and clone with fork semantics ---- */

static int cow_value = 1;
static char cow_buf[64 * 1024];

static void test_fork(void)
{
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0)
    _exit(getppid() == parent && getpid() != parent ? 0 : 1);
  int st = 0;
  pid_t w = waitpid(pid, &st, 0);
  CHECKF("fork/child-sees-0-and-its-parent", pid > 0 && w == pid && EXITED_OK(st), "pid %d, %s", pid,
         status_str(st));

  pid = fork();
  if (pid == 0)
    _exit(42);
  waitpid(pid, &st, 0);
  CHECKF("wait4/exit-status-encoding", st == (42 << 8) && WIFEXITED(st) && WEXITSTATUS(st) == 42,
         "status 0x%x, want 0x2a00", st);

  pid = fork();
  if (pid == 0)
    _exit(0x1ff);
  waitpid(pid, &st, 0);
  CHECKF("exit/status-keeps-low-8-bits", WIFEXITED(st) && WEXITSTATUS(st) == 0xff, "status 0x%x", st);

  /* Copy-on-write: each side sees only its own writes. */
  memset(cow_buf, 'p', sizeof(cow_buf));
  int go[2];
  pipe(go);
  pid = fork();
  if (pid == 0) {
    char c;
    int ok = cow_value == 1 && cow_buf[100] == 'p';
    cow_value = 2;
    memset(cow_buf, 'c', sizeof(cow_buf));
    read(go[0], &c, 1); /* the parent has written its own values now */
    ok = ok && cow_value == 2 && cow_buf[sizeof(cow_buf) - 1] == 'c';
    _exit(ok ? 0 : 1);
  }
  cow_value = 3;
  memset(cow_buf, 'P', sizeof(cow_buf));
  write(go[1], "x", 1);
  waitpid(pid, &st, 0);
  CHECKF("fork/copy-on-write-child-view", EXITED_OK(st), "%s", status_str(st));
  CHECK("fork/copy-on-write-parent-view", cow_value == 3 && cow_buf[0] == 'P' && cow_buf[sizeof(cow_buf) - 1] == 'P');
  close(go[0]);
  close(go[1]);

  /* The raw riscv64 clone with fork semantics: clone(SIGCHLD, 0, 0, 0, 0). */
  long r = raw5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (r == 0)
    _exit(17);
  st = 0;
  w = r > 0 ? waitpid(r, &st, 0) : -1;
  CHECKF("clone/raw-fork-semantics", r > 0 && w == r && WIFEXITED(st) && WEXITSTATUS(st) == 17,
         "clone %ld, status %s", r, status_str(st));

  /* PARENT_SETTID and CHILD_SETTID without CLONE_VM: the parent's copy gets
   * the tid at ptid, the child's own copy gets it at ctid. */
  static volatile int ptid, ctid;
  ptid = ctid = 0;
  r = raw5(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID, 0, &ptid, 0, &ctid);
  if (r == 0)
    _exit(ctid == getpid() && ptid == 0 ? 0 : 1);
  st = -1;
  if (r > 0)
    waitpid(r, &st, 0);
  if (!skip_on_qemu("clone/parent-settid-in-parent", "do_fork writes CLONE_PARENT_SETTID into the child's copy"))
    CHECKF("clone/parent-settid-in-parent", r > 0 && ptid == r && ctid == 0, "clone %ld ptid %d ctid %d", r, ptid,
           ctid);
  if (!skip_on_qemu("clone/child-settid-in-child", "do_fork writes CLONE_PARENT_SETTID into the child's copy"))
    CHECKF("clone/child-settid-in-child", EXITED_OK(st), "child: %s", status_str(st));

  /* exit_signal 0: a "clone child", waitable only with __WALL/__WCLONE. */
  if (skip_on_qemu("clone/no-exit-signal", "do_fork refuses exit signals other than SIGCHLD (EINVAL)"))
    return;
  r = raw5(SYS_clone, 0, 0, 0, 0, 0);
  if (r == 0)
    _exit(5);
  CHECKF("clone/no-exit-signal", r > 0, "clone: %ld", r);
  if (r < 0)
    return;
  msleep(20);
  long w1 = raw4(SYS_wait4, r, &st, WNOHANG, 0);
  long w2 = -1;
  for (int i = 0; i < 200; i++) {
    w2 = raw4(SYS_wait4, r, &st, __WALL, 0);
    if (w2 != 0)
      break;
  }
  CHECK_RET("clone/no-exit-signal-not-waitable-without-wall", w1, -ECHILD);
  CHECKF("clone/no-exit-signal-waitable-with-wall", w2 == r && WIFEXITED(st) && WEXITSTATUS(st) == 5,
         "wait4 %ld status 0x%x", w2, st);
}

/* ---- vfork ---- */

/*
 * abi_vfork: the real thing, clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0):
 * the child runs on the parent's stack and the parent sleeps until the
 * child calls execve or exits. (musl's vfork() on riscv64 is a plain
 * fork.) A leaf with no stack frame, so both returns are safe; the child
 * may only write statics, make raw system calls, execve or exit.
 */
pid_t abi_vfork(void) __attribute__((returns_twice));
__asm__(".text\n.globl abi_vfork\n.type abi_vfork, @function\n"
        "abi_vfork:\n"
        "  li a0, 0x4111\n" /* CLONE_VM | CLONE_VFORK | SIGCHLD */
        "  li a1, 0\n"
        "  li a7, 220\n"
        "  ecall\n"
        "  ret\n"
        ".size abi_vfork, .-abi_vfork\n");

static volatile int vfork_flag;
static struct timespec vfork_nap = {0, 50 * 1000 * 1000};
static char *vfork_argv[] = {"helper", "sleep", "1000", NULL};
static char *vfork_envp[] = {NULL};

static void test_vfork(void)
{
  vfork_flag = 0;
  pid_t pid = abi_vfork();
  if (pid == 0) {
    /* The parent is suspended until we exit: sleep, then write. */
    raw2(SYS_nanosleep, &vfork_nap, 0);
    vfork_flag = 7;
    raw1(SYS_exit, 3);
  }
  int seen = vfork_flag;
  int st = 0;
  waitpid(pid, &st, 0);
  if (!skip_on_qemu("vfork/shares-memory-parent-waits", "vfork is a fork (do_fork drops CLONE_VFORK|CLONE_VM)"))
    CHECKF("vfork/shares-memory-parent-waits", pid > 0 && seen == 7, "parent saw %d before the child exited", seen);
  CHECKF("vfork/exit-status", WIFEXITED(st) && WEXITSTATUS(st) == 3, "%s", status_str(st));

  /* The parent resumes when the child execs, not when the program ends. */
  long long t0 = now_ns();
  pid = abi_vfork();
  if (pid == 0) {
    raw3(SYS_execve, helper, vfork_argv, vfork_envp);
    raw1(SYS_exit, 126);
  }
  long long resumed = now_ns() - t0;
  int early = waitpid(pid, &st, WNOHANG);
  waitpid(pid, &st, 0);
  CHECKF("vfork/parent-resumes-at-execve", early == 0 && EXITED_OK(st),
         "resumed after %lld ms, waitpid %d, child %s", resumed / 1000000, early, status_str(st));
}

/* ---- execve ---- */

static void sig_nop(int s) { (void)s; }

struct exec_setup {
  int cloexec_fd, plain_fd;
};

static void exec_setup(void *arg)
{
  struct exec_setup *s = arg;
  /* descriptors: 5 close-on-exec, 6 inherited */
  dup3(s->cloexec_fd, 5, O_CLOEXEC);
  dup3(s->plain_fd, 6, 0);
  signal(SIGUSR1, sig_nop);
  signal(SIGUSR2, SIG_IGN);
  uint64_t set = 1ULL << (SIGTERM - 1);
  raw4(SYS_rt_sigprocmask, SIG_SETMASK, &set, 0, 8);
}

static void test_execve(void)
{
  char out[4096];
  int fd = open("/dev/null", O_RDONLY);
  struct exec_setup s = {fd, fd};
  char *argv[] = {"my-argv0", "report", "one", "two words", "", NULL};
  char *envp[] = {"ABI_A=1", "ABI_B=two", NULL};
  int st = exec_capture(helper, argv, envp, exec_setup, &s, out, sizeof(out));
  close(fd);
  CHECKF("execve/runs-and-exits-0", EXITED_OK(st) && has_line(out, "end"), "%s", status_str(st));
  CHECKF("execve/argv", has_line(out, "argc=5") && has_line(out, "argv[1]=report") && has_line(out, "argv[2]=one") &&
                            has_line(out, "argv[3]=two words") && has_line(out, "argv[4]="),
         "report: %.200s", out);
  CHECK("execve/argv0-as-given", has_line(out, "argv[0]=my-argv0"));
  CHECKF("execve/envp-exactly", has_line(out, "envc=2") && has_line(out, "env=ABI_A=1") && has_line(out, "env=ABI_B=two"),
         "report: %.300s", out);
  CHECK("execve/close-on-exec-descriptor-closed", has_line(out, "fd5=closed"));
  CHECK("execve/plain-descriptor-inherited", has_line(out, "fd6=open"));
  CHECK("execve/caught-signal-reset-to-default", has_line(out, "sigusr1=dfl"));
  CHECK("execve/ignored-signal-stays-ignored", has_line(out, "sigusr2=ign"));
  CHECKF("execve/blocked-mask-kept", has_line(out, "mask=4000"), "want mask=4000 (SIGTERM) in %.300s", out);

  /* The pid survives execve. */
  pid_t pid = fork();
  if (pid == 0) {
    char pidbuf[16];
    snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
    char *a[] = {"helper", "pid", pidbuf, NULL};
    execve(helper, a, envp);
    _exit(126);
  }
  waitpid(pid, &st, 0);
  CHECKF("execve/pid-unchanged", EXITED_OK(st), "%s", status_str(st));

  /* "#!interpreter optional-argument": argv is interpreter, the argument
   * (one string, spaces kept), the script path, then the caller's args. */
  char script[300];
  snprintf(script, sizeof(script), "%s/abi-shebang.sh", tmpdir);
  int sfd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  dprintf(sfd, "#!%s report  x y\n", helper);
  close(sfd);
  char *sargv[] = {"ignored-argv0", "u1", NULL};
  st = exec_capture(script, sargv, envp, NULL, NULL, out, sizeof(out));
  char want0[320], want2[320];
  snprintf(want0, sizeof(want0), "argv[0]=%s", helper);
  snprintf(want2, sizeof(want2), "argv[2]=%s", script);
  CHECKF("execve/shebang-with-argument",
         EXITED_OK(st) && has_line(out, "argc=4") && has_line(out, want0) && has_line(out, "argv[1]=report  x y") &&
             has_line(out, want2) && has_line(out, "argv[3]=u1"),
         "%s: %.300s", status_str(st), out);
  unlink(script);

  /* Errors. */
  char *eargv[] = {"x", NULL};
  snprintf(script, sizeof(script), "%s/abi-no-such-file", tmpdir);
  CHECK_RET("execve/enoent", raw3(SYS_execve, script, eargv, envp), -ENOENT);
  snprintf(script, sizeof(script), "%s/abi-not-executable", tmpdir);
  sfd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(sfd, "#!/bin/sh\n", 10);
  close(sfd);
  CHECK_RET("execve/eacces-no-execute-permission", raw3(SYS_execve, script, eargv, envp), -EACCES);
  chmod(script, 0755);
  sfd = open(script, O_WRONLY | O_TRUNC);
  write(sfd, "\x01\x02garbage, not a program\n", 25);
  close(sfd);
  CHECK_RET("execve/enoexec-unknown-format", raw3(SYS_execve, script, eargv, envp), -ENOEXEC);
  unlink(script);
  CHECK_RET("execve/eacces-directory", raw3(SYS_execve, tmpdir, eargv, envp), -EACCES);
  CHECK_RET("execve/efault-path", raw3(SYS_execve, BAD_PTR, eargv, envp), -EFAULT);
  char *badargv[] = {"x", BAD_PTR, NULL};
  CHECK_RET("execve/efault-argv-element", raw3(SYS_execve, helper, badargv, envp), -EFAULT);
  CHECK_RET("execve/efault-argv-array", raw3(SYS_execve, helper, BAD_PTR, envp), -EFAULT);
}

/* ---- wait4 ---- */

static void test_wait(void)
{
  int st;
  pid_t a = fork();
  if (a == 0)
    _exit(1);
  pid_t b = fork();
  if (b == 0)
    _exit(2);
  msleep(30);
  pid_t w = waitpid(b, &st, 0);
  CHECKF("wait4/specific-pid", w == b && WEXITSTATUS(st) == 2, "waitpid %d (want %d) status 0x%x", w, b, st);
  w = waitpid(-1, &st, 0);
  CHECKF("wait4/any-child", w == a && WEXITSTATUS(st) == 1, "waitpid %d (want %d) status 0x%x", w, a, st);
  CHECK_RET("wait4/echild-no-children", raw4(SYS_wait4, -1, &st, 0, 0), -ECHILD);
  CHECK_RET("wait4/echild-not-a-child", raw4(SYS_wait4, 1, &st, 0, 0), -ECHILD);

  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    char x;
    close(p[1]);
    read(p[0], &x, 1);
    _exit(0);
  }
  close(p[0]);
  CHECK_RET("wait4/wnohang-running-child", raw4(SYS_wait4, c, &st, WNOHANG, 0), 0);
  CHECK_RET("wait4/einval-bad-options", raw4(SYS_wait4, c, &st, 0x01000000 /* WNOWAIT */, 0), -EINVAL);
  close(p[1]);
  waitpid(c, &st, 0);

  c = fork();
  if (c == 0) {
    for (;;)
      pause();
  }
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
  CHECKF("wait4/killed-status-encoding", st == SIGKILL && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
         "status 0x%x, want 0x9", st);

  /* Process groups: two children in a new group, one in ours. */
  int gate[2];
  pipe(gate);
  pid_t g1 = fork();
  if (g1 == 0) {
    char x;
    setpgid(0, 0);
    close(gate[1]);
    read(gate[0], &x, 1);
    _exit(11);
  }
  setpgid(g1, g1);
  pid_t g2 = fork();
  if (g2 == 0) {
    char x;
    setpgid(0, g1);
    close(gate[1]);
    read(gate[0], &x, 1);
    _exit(12);
  }
  setpgid(g2, g1);
  pid_t o = fork();
  if (o == 0) {
    char x;
    close(gate[1]);
    read(gate[0], &x, 1);
    _exit(13);
  }
  close(gate[0]);
  close(gate[1]); /* all three exit now */
  msleep(50);
  int got = 0, bad = 0;
  for (int i = 0; i < 2; i++) {
    w = waitpid(-g1, &st, 0);
    if (w == g1 || w == g2)
      got++;
    else
      bad = w;
  }
  long more = raw4(SYS_wait4, -g1, &st, WNOHANG, 0);
  CHECKF("wait4/process-group", got == 2 && more == -ECHILD, "got %d of 2 (stray %d), then %ld", got, bad, more);
  w = waitpid(0, &st, 0);
  CHECKF("wait4/own-process-group", w == o && WEXITSTATUS(st) == 13, "waitpid(0) %d want %d", w, o);

  /* rusage of the waited-for child. */
  c = fork();
  if (c == 0) {
    spin_cpu(150);
    _exit(0);
  }
  struct rusage ru;
  memset(&ru, 0, sizeof(ru));
  long r = raw4(SYS_wait4, c, &st, 0, &ru);
  long ms = ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 + ru.ru_stime.tv_sec * 1000 +
            ru.ru_stime.tv_usec / 1000;
  CHECKF("wait4/rusage-cpu-time", r == c && ms >= 75, "wait4 %ld, child CPU %ld ms (spent 150)", r, ms);
}

/* ---- orphans ---- */

static void test_orphan(void)
{
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    pid_t mid = getpid();
    if (fork() == 0) {
      /* grandchild: wait for the middle process to die */
      int ppid = 0;
      for (int i = 0; i < 400; i++) {
        ppid = getppid();
        if (ppid != mid)
          break;
        msleep(5);
      }
      write(p[1], &ppid, sizeof(ppid));
      _exit(0);
    }
    _exit(0);
  }
  close(p[1]);
  int st;
  waitpid(c, &st, 0);
  int ppid = -1;
  read(p[0], &ppid, sizeof(ppid));
  close(p[0]);
  CHECKF("orphan/reparented-to-init", ppid == 1, "orphan's getppid() %d", ppid);
}

/* ---- ids, sessions, groups ---- */

static void test_ids(void)
{
  int st;
  CHECK("ids/getpid-equals-gettid-in-main-thread", getpid() == (pid_t)raw0(SYS_gettid));
  pid_t c = fork();
  if (c == 0) {
    pid_t me = getpid();
    int ok = setsid() == me && getsid(0) == me && getpgid(0) == me && getpgrp() == me;
    _exit(ok ? 0 : 1);
  }
  waitpid(c, &st, 0);
  CHECKF("ids/setsid-makes-session-and-group", EXITED_OK(st), "%s", status_str(st));
  c = fork();
  if (c == 0) {
    setpgid(0, 0);
    _exit(raw0(SYS_setsid) == -EPERM ? 0 : 1);
  }
  waitpid(c, &st, 0);
  CHECKF("ids/setsid-eperm-for-group-leader", EXITED_OK(st), "%s", status_str(st));
  c = fork();
  if (c == 0) {
    int ok = setpgid(0, 0) == 0 && getpgid(0) == getpid() && getsid(0) == getsid(getppid());
    _exit(ok ? 0 : 1);
  }
  waitpid(c, &st, 0);
  CHECKF("ids/setpgid-self-new-group", EXITED_OK(st), "%s", status_str(st));
  CHECK_RET("ids/setpgid-esrch", raw2(SYS_setpgid, 999999, 0), -ESRCH);
  CHECK_RET("ids/getpgid-esrch", raw1(SYS_getpgid, 999999), -ESRCH);
  CHECK_RET("ids/getsid-esrch", raw1(SYS_getsid, 999999), -ESRCH);
  CHECK_RET("ids/setpgid-einval-negative", raw2(SYS_setpgid, 0, -1), -EINVAL);

  /* A child that is a session leader cannot be moved: EPERM. */
  int ready[2], go[2];
  pipe(ready);
  pipe(go);
  c = fork();
  if (c == 0) {
    char x;
    setsid();
    write(ready[1], "s", 1);
    read(go[0], &x, 1);
    _exit(0);
  }
  char x;
  read(ready[0], &x, 1);
  CHECK_RET("ids/setpgid-eperm-session-leader", raw2(SYS_setpgid, c, getpgrp()), -EPERM);
  CHECK_RET("ids/getsid-of-child", raw1(SYS_getsid, c), c);
  write(go[1], "x", 1);
  waitpid(c, &st, 0);
  close(ready[0]); close(ready[1]); close(go[0]); close(go[1]);

  /* A child that has called execve cannot be moved: EACCES. */
  c = fork();
  if (c == 0) {
    char *a[] = {"helper", "sleep", "300", NULL};
    char *e[] = {NULL};
    execve(helper, a, e);
    _exit(126);
  }
  msleep(150);
  CHECK_RET("ids/setpgid-eacces-after-execve", raw2(SYS_setpgid, c, c), -EACCES);
  waitpid(c, &st, 0);

  /* One user: root. */
  CHECK("uid/all-ids-root", getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
  uid_t r = 1, e = 1, s = 1;
  CHECK("uid/getresuid", getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0);
  gid_t gr = 1, ge = 1, gs = 1;
  CHECK("uid/getresgid", getresgid(&gr, &ge, &gs) == 0 && gr == 0 && ge == 0 && gs == 0);
  CHECK("uid/setuid-0", setuid(0) == 0 && setgid(0) == 0);
  gid_t groups[64];
  CHECK("uid/getgroups", getgroups(64, groups) >= 0);
  CHECK_RET("uid/getgroups-einval-negative", raw2(SYS_getgroups, -1, groups), -EINVAL);
}

/* ---- umask ---- */

static void test_umask(void)
{
  mode_t old = umask(027);
  mode_t back = umask(027);
  char path[300];
  snprintf(path, sizeof(path), "%s/abi-umask", tmpdir);
  unlink(path);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  struct stat sb;
  fstat(fd, &sb);
  close(fd);
  unlink(path);
  umask(old);
  CHECKF("umask/returns-previous", back == 027, "got %o", back);
  CHECKF("umask/applied-to-create", (sb.st_mode & 0777) == 0640, "mode %o, want 640", sb.st_mode & 0777);
  CHECKF("umask/only-permission-bits", (raw1(SYS_umask, 0177777) & ~0777) == 0 && raw1(SYS_umask, old) == 0777,
         "umask keeps only 0777");
}

/* ---- resource limits ---- */

static void nofile_child(void *arg)
{
  (void)arg;
  struct rlimit rl = {10, 10};
  CHECK("rlimit/nofile-set", setrlimit(RLIMIT_NOFILE, &rl) == 0);
  int last = -1, err = 0;
  for (int i = 0; i < 20; i++) {
    int fd = dup(0);
    if (fd < 0) {
      err = errno;
      break;
    }
    last = fd;
  }
  CHECKF("rlimit/nofile-emfile", last == 9 && err == EMFILE, "last fd %d, then %s", last, strerror(err));
  CHECK_RET("rlimit/nofile-dup3-beyond-ebadf", raw3(SYS_dup3, 0, 10, 0), -EBADF);
  CHECK_RET("rlimit/nofile-f-dupfd-beyond-einval", raw3(SYS_fcntl, 0, F_DUPFD, 10), -EINVAL);
  close(9);
  int pfd[2];
  CHECK_RET("rlimit/nofile-pipe2-needs-two", raw2(SYS_pipe2, pfd, 0), -EMFILE);
}

static void stack_child(void *arg)
{
  (void)arg;
  int st;
  char *e[] = {NULL};
  pid_t c = fork();
  if (c == 0) {
    char *a[] = {"helper", "stack", "1024", NULL};
    execve(helper, a, e);
    _exit(126);
  }
  waitpid(c, &st, 0);
  CHECKF("rlimit/stack-default-allows-1MiB", EXITED_OK(st), "%s", status_str(st));
  if (skip_on_qemu("rlimit/stack-enforced", "setrlimit(RLIMIT_STACK) is accepted and ignored (syscall.c)"))
    return;
  struct rlimit rl = {256 * 1024, RLIM_INFINITY};
  getrlimit(RLIMIT_STACK, &rl);
  rl.rlim_cur = 256 * 1024;
  setrlimit(RLIMIT_STACK, &rl);
  c = fork();
  if (c == 0) {
    char *a[] = {"helper", "stack", "1024", NULL};
    execve(helper, a, e);
    _exit(126);
  }
  waitpid(c, &st, 0);
  CHECKF("rlimit/stack-enforced", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
         "1 MiB of stack under a 256 KiB limit: %s (want SIGSEGV)", status_str(st));
}

static void as_child(void *arg)
{
  (void)arg;
  if (skip_on_qemu("rlimit/as-enforced", "setrlimit(RLIMIT_AS) is accepted and ignored (syscall.c)"))
    return;
  struct rlimit rl = {64 << 20, 64 << 20};
  CHECK("rlimit/as-set", setrlimit(RLIMIT_AS, &rl) == 0);
  rl.rlim_cur = 0;
  getrlimit(RLIMIT_AS, &rl);
  CHECK("rlimit/as-read-back", rl.rlim_cur == 64 << 20);
  long r = raw6(SYS_mmap, 0, 128 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK_RET("rlimit/as-enforced", r, -ENOMEM);
  r = raw6(SYS_mmap, 0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECKF("rlimit/as-small-map-still-fits", r > 0, "mmap 1 MiB: %ld", r);
}

/* RLIMIT_CPU {1, 2}: SIGXCPU at one second of CPU time (the soft limit
 * then moves up a second), SIGKILL at two. */
static volatile int *xcpu_count;
static void on_xcpu(int sig) { (void)sig; (*xcpu_count)++; }

static void rlimit_cpu(void)
{
  xcpu_count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  *xcpu_count = 0;
  pid_t c = fork();
  if (c == 0) {
    signal(SIGXCPU, on_xcpu);
    struct rlimit rl = {1, 2};
    if (setrlimit(RLIMIT_CPU, &rl))
      _exit(1);
    alarm(60);
    for (volatile unsigned long i = 0;; i++)
      ;
  }
  int st = wait_child_timeout(c, 90000);
  CHECKF("rlimit/cpu-sigxcpu-then-sigkill", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && *xcpu_count >= 1,
         "child %s after %d SIGXCPU", status_str(st), *xcpu_count);
  munmap((void *)xcpu_count, 4096);
}

static void test_rlimit(void)
{
  struct rlimit rl;
  CHECK("rlimit/getrlimit-nofile", getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0 && rl.rlim_cur <= rl.rlim_max);
  struct rlimit bad = {rl.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : rl.rlim_max + 1, rl.rlim_max};
  if (rl.rlim_max != RLIM_INFINITY)
    CHECK_RET("rlimit/soft-above-hard-einval", raw2(SYS_setrlimit, RLIMIT_NOFILE, &bad), -EINVAL);
  bad.rlim_cur = 10;
  bad.rlim_max = 5;
  CHECK_RET("rlimit/soft-above-hard-einval-2", raw2(SYS_setrlimit, RLIMIT_CORE, &bad), -EINVAL);
  CHECK_RET("rlimit/getrlimit-bad-resource", raw2(SYS_getrlimit, 99, &rl), -EINVAL);
  child_checks("rlimit/nofile-child", nofile_child, NULL, 10000);
  child_checks("rlimit/stack-child", stack_child, NULL, 20000);
  child_checks("rlimit/as-child", as_child, NULL, 10000);
  rlimit_cpu();

  /* prlimit64 on ourselves and on a child. */
  struct rlimit old, keep, now;
  getrlimit(RLIMIT_NOFILE, &keep);
  struct rlimit new = {keep.rlim_cur - 1, keep.rlim_max};
  long r = raw4(SYS_prlimit64, 0, RLIMIT_NOFILE, &new, &old);
  getrlimit(RLIMIT_NOFILE, &now);
  CHECKF("prlimit64/self-set-and-old", r == 0 && old.rlim_cur == keep.rlim_cur && now.rlim_cur == new.rlim_cur,
         "r %ld old %ld now %ld", r, (long)old.rlim_cur, (long)now.rlim_cur);
  setrlimit(RLIMIT_NOFILE, &keep);
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    char x;
    close(p[1]);
    read(p[0], &x, 1);
    getrlimit(RLIMIT_NOFILE, &now);
    _exit(now.rlim_cur == 33 ? 0 : 1);
  }
  close(p[0]);
  struct rlimit n33;
  getrlimit(RLIMIT_NOFILE, &n33);
  n33.rlim_cur = 33;
  r = raw4(SYS_prlimit64, c, RLIMIT_NOFILE, &n33, 0);
  write(p[1], "x", 1);
  close(p[1]);
  int st;
  waitpid(c, &st, 0);
  CHECKF("prlimit64/other-process", r == 0 && EXITED_OK(st), "prlimit64 %ld, child %s", r, status_str(st));
  CHECK_RET("prlimit64/esrch", raw4(SYS_prlimit64, 999999, RLIMIT_NOFILE, 0, &old), -ESRCH);
  CHECK_RET("prlimit64/einval-resource", raw4(SYS_prlimit64, 0, 99, 0, &old), -EINVAL);
}

/* ---- rusage, times ---- */

static void test_usage(void)
{
  spin_cpu(100);
  struct rusage ru;
  CHECK("getrusage/self", getrusage(RUSAGE_SELF, &ru) == 0 &&
                              ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
                                      ru.ru_stime.tv_usec >= 50000);
  CHECK("getrusage/thread", getrusage(RUSAGE_THREAD, &ru) == 0 &&
                                ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
                                        ru.ru_stime.tv_usec >= 50000);
  CHECK_RET("getrusage/einval", raw2(SYS_getrusage, 5, &ru), -EINVAL);
  struct rusage before;
  getrusage(RUSAGE_CHILDREN, &before);
  struct tms t0, t1;
  clock_t c0 = times(&t0);
  pid_t c = fork();
  if (c == 0) {
    spin_cpu(150);
    _exit(0);
  }
  int st;
  waitpid(c, &st, 0);
  getrusage(RUSAGE_CHILDREN, &ru);
  long grew = (ru.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1000 + (ru.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1000 +
              (ru.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000 + (ru.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1000;
  CHECKF("getrusage/children-after-wait", grew >= 75, "children's CPU grew by %ld ms (spent 150)", grew);
  msleep(30);
  clock_t c1 = times(&t1);
  long hz = sysconf(_SC_CLK_TCK);
  CHECKF("times/elapsed-ticks-advance", c1 > c0 && (c1 - c0) >= hz / 50, "%ld -> %ld (hz %ld)", (long)c0, (long)c1, hz);
  CHECKF("times/children-time", (t1.tms_cutime + t1.tms_cstime) - (t0.tms_cutime + t0.tms_cstime) >= hz * 75 / 1000,
         "cutime+cstime grew by %ld ticks", (long)((t1.tms_cutime + t1.tms_cstime) - (t0.tms_cutime + t0.tms_cstime)));
  CHECK("times/self-time", t1.tms_utime + t1.tms_stime >= hz * 50 / 1000);
  CHECK_RET("times/null-buffer-allowed", raw1(SYS_times, 0) > 0, 1);
}

/* ---- scheduling, prctl, robust list ---- */

static void test_misc(void)
{
  CHECK_RET("sched/yield", raw0(SYS_sched_yield), 0);
  uint64_t mask[4] = {0};
  long r = raw3(SYS_sched_getaffinity, 0, sizeof(mask), mask);
  unsigned cpu = 99;
  raw3(SYS_getcpu, &cpu, 0, 0);
  CHECKF("sched/getaffinity", r >= 8 && r % 8 == 0 && mask[0] != 0 && cpu < 64 && (mask[0] >> cpu & 1),
         "r %ld mask %llx cpu %u", r, (unsigned long long)mask[0], cpu);
  CHECK_RET("sched/getaffinity-einval-short", raw3(SYS_sched_getaffinity, 0, 4, mask), -EINVAL);
  CHECK_RET("sched/getaffinity-esrch", raw3(SYS_sched_getaffinity, 999999, 8, mask), -ESRCH);

  char name[32] = "";
  CHECK("prctl/set-name", prctl(PR_SET_NAME, "abi-a-very-long-name-indeed", 0, 0, 0) == 0);
  CHECK("prctl/get-name", prctl(PR_GET_NAME, name, 0, 0, 0) == 0 && strcmp(name, "abi-a-very-long") == 0);
  char comm[64] = "";
  int fd = open("/proc/self/comm", O_RDONLY);
  if (fd >= 0) {
    read(fd, comm, sizeof(comm) - 1);
    close(fd);
  }
  CHECKF("prctl/name-in-proc-comm", strcmp(comm, "abi-a-very-long\n") == 0, "comm [%s]", comm);
  CHECK_RET("prctl/einval-unknown-option", raw5(SYS_prctl, 0x7fff1234, 0, 0, 0, 0), -EINVAL);

  if (!skip_on_qemu("robust/set-robust-list", "set_robust_list returns ENOSYS (syscall.c)")) {
    static struct { void *next; long off; void *pending; } head = {&head, 0, 0};
    CHECK_RET("robust/set-robust-list", raw2(SYS_set_robust_list, &head, 24), 0);
    void *got = 0;
    size_t len = 0;
    CHECK("robust/get-robust-list", raw3(SYS_get_robust_list, 0, &got, &len) == 0 && got == &head && len == 24);
    CHECK_RET("robust/einval-bad-length", raw2(SYS_set_robust_list, &head, 23), -EINVAL);
  }
}

int main(void)
{
  abi_family = "proc";
  const char *dir = getenv("ABI_DIR");
  snprintf(helper, sizeof(helper), "%s/helper", dir ? dir : "/abi");
  const char *t = getenv("ABI_TMP");
  snprintf(tmpdir, sizeof(tmpdir), "%s", t ? t : "/tmp");
  struct rlimit core;
  getrlimit(RLIMIT_CORE, &core);
  core.rlim_cur = 0;
  setrlimit(RLIMIT_CORE, &core);
  run_section("fork", test_fork, 60000);
  run_section("vfork", test_vfork, 60000);
  run_section("execve", test_execve, 60000);
  run_section("wait4", test_wait, 60000);
  run_section("orphan", test_orphan, 60000);
  run_section("ids", test_ids, 60000);
  run_section("umask", test_umask, 60000);
  run_section("rlimit", test_rlimit, 150000);
  run_section("usage", test_usage, 60000);
  run_section("misc", test_misc, 60000);
  return abi_done();
}
