/*
 * orphan.c — init's safety (testsuite/abi): no user program may kill
 * init, and init can reap every orphan it is given.
 *
 *   orphan/...    a child outliving its parent is re-parented to init with
 *                 SIGCHLD as its exit signal, whatever it was made with
 *                 (SIGKILL would kill init; 0 would make a zombie init's
 *                 wait() never sees) — alive or already a zombie
 *   parent/...    clone(CLONE_PARENT | sig): the sibling reports to the
 *                 shared parent with the caller's exit signal, not sig
 *   init/...      signals init has no handler for do not reach it, SIGKILL
 *                 included
 *   console/...   opening /dev/console never makes it a controlling tty
 *
 * The tests run under init (Kite: run.sh is init; Linux: pid 1 of a pid
 * namespace or of the reference Linux), whose shell reaps what it is given
 * while it waits for us. If init died, nothing after that line would run.
 * User space; runs on Linux and Kite.
 */
#include "check.h"
#include <sched.h>
#include <sys/ioctl.h>

/* raw fork-like clone with exit signal `sig` and extra flags */
static long clone_sig(unsigned long flags, int sig) { return raw5(SYS_clone, flags | (unsigned long)sig, 0, 0, 0, 0); }

/* wait until pid is gone (reaped by someone): 1, or 0 after ms */
static int gone_within(pid_t pid, long ms)
{
  for (long t = 0; t < ms; t += 10) {
    if (kill(pid, 0) < 0 && errno == ESRCH)
      return 1;
    msleep(10);
  }
  return 0;
}

/*
 * A middle process M makes grandchild G with exit signal `sig`, tells us
 * G's pid, and exits. G (if !dead_first) waits until M is gone, reports
 * its new parent and exits; with dead_first G exits at once and M exits
 * after it, so G is re-parented as a zombie. Returns G's pid, and its new
 * parent through *ppid (0 if dead_first).
 */
static pid_t orphan_with_signal(int sig, int dead_first, pid_t *ppid)
{
  int p[2];
  pipe(p);
  pid_t m = fork();
  if (m == 0) {
    pid_t mine = getpid();
    int go[2]; /* dead_first: G exits once M has told us its pid (its exit signal may kill M) */
    pipe(go);
    long g = clone_sig(0, sig);
    if (g == 0) {
      if (dead_first) {
        char c;
        read(go[0], &c, 1);
        _exit(0);
      }
      for (int i = 0; i < 500 && getppid() == mine; i++)
        msleep(5);
      pid_t pp = getppid();
      write(p[1], &pp, sizeof(pp));
      _exit(0);
    }
    pid_t gp = (pid_t)g;
    write(p[1], &gp, sizeof(gp));
    write(go[1], "g", 1);
    if (dead_first)
      msleep(100); /* G is a zombie of ours before we go */
    _exit(0);
  }
  close(p[1]);
  pid_t g = -1, pp = 0;
  read(p[0], &g, sizeof(g));
  waitpid(m, NULL, 0);
  if (!dead_first)
    read(p[0], &pp, sizeof(pp));
  close(p[0]);
  *ppid = pp;
  return g;
}

static void test_orphans(void)
{
  if (skip_on_qemu("orphan/exit-signals", "clone without CLONE_VM and with an exit signal other than SIGCHLD is "
                                          "EINVAL (syscall.c do_fork)"))
    return;
  pid_t pp;
  pid_t g = orphan_with_signal(SIGKILL, 0, &pp);
  CHECKF("orphan/exit-signal-sigkill-goes-to-init", g > 0 && pp == 1, "grandchild %d, new parent %d", g, pp);
  CHECKF("orphan/exit-signal-sigkill-reaped", g > 0 && gone_within(g, 5000), "grandchild %d", g);
  CHECK("orphan/exit-signal-sigkill-init-alive", kill(1, 0) == 0);

  g = orphan_with_signal(45, 0, &pp);
  CHECKF("orphan/exit-signal-45-reaped", g > 0 && pp == 1 && gone_within(g, 5000), "grandchild %d, parent %d", g, pp);

  g = orphan_with_signal(0, 0, &pp);
  CHECKF("orphan/exit-signal-0-reaped-by-init", g > 0 && pp == 1 && gone_within(g, 5000), "grandchild %d, parent %d",
         g, pp);

  g = orphan_with_signal(0, 1, &pp);
  CHECKF("orphan/exit-signal-0-zombie-reaped-by-init", g > 0 && gone_within(g, 5000), "grandchild %d", g);
  g = orphan_with_signal(SIGKILL, 1, &pp);
  CHECKF("orphan/exit-signal-sigkill-zombie-reaped", g > 0 && gone_within(g, 5000), "grandchild %d", g);
  CHECK("orphan/init-alive-after-all", kill(1, 0) == 0);
}

static volatile int got_usr1, got_usr2, got_chld;
static void on_sig(int sig)
{
  if (sig == SIGUSR1)
    got_usr1++;
  else if (sig == SIGUSR2)
    got_usr2++;
  else if (sig == SIGCHLD)
    got_chld++;
}

static void test_clone_parent(void)
{
  if (skip_on_qemu("parent/clone-parent", "clone without CLONE_VM becomes the host's fork(): no CLONE_PARENT, exit "
                                          "signal SIGCHLD (syscall.c do_fork)"))
    return;
  signal(SIGUSR1, on_sig);
  signal(SIGUSR2, on_sig);
  signal(SIGCHLD, on_sig);
  int p[2];
  pipe(p);
  /* B: our child with exit signal SIGUSR2; C: B's sibling via CLONE_PARENT|SIGUSR1 */
  long b = clone_sig(0, SIGUSR2);
  if (b == 0) {
    long c = clone_sig(CLONE_PARENT, SIGUSR1);
    if (c == 0) {
      msleep(100);
      _exit(7);
    }
    pid_t cp = (pid_t)c;
    write(p[1], &cp, sizeof(cp));
    _exit(0);
  }
  close(p[1]);
  pid_t c = -1;
  read(p[0], &c, sizeof(c));
  close(p[0]);
  int st = 0;
  long r = raw4(SYS_wait4, b, &st, __WCLONE, 0);
  CHECKF("parent/first-child-waited", r == b, "wait4 %ld", r);
  got_usr1 = got_usr2 = got_chld = 0;
  r = raw4(SYS_wait4, c, &st, __WCLONE, 0);
  CHECKF("parent/sibling-is-our-child", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 7, "wait4(%d) %ld, %s", c, r,
         status_str(st));
  CHECKF("parent/sibling-reports-callers-exit-signal", got_usr2 == 1 && got_usr1 == 0,
         "SIGUSR2 %d, SIGUSR1 %d, SIGCHLD %d", got_usr2, got_usr1, got_chld);
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
}

static void test_init_signals(void)
{
  if (skip_on_qemu("init/signals", "init is qemu-user, which has a handler for every signal and acts out its "
                                   "guest's default actions itself (signal.c)"))
    return;
  /* init (a shell running a script) has no handler for these */
  CHECK_RET("init/sigkill-accepted", raw2(SYS_kill, 1, SIGKILL), 0);
  CHECK_RET("init/sigsegv-accepted", raw2(SYS_kill, 1, SIGSEGV), 0);
  CHECK_RET("init/sigusr1-accepted", raw2(SYS_kill, 1, SIGUSR1), 0);
  CHECK_RET("init/sigstop-accepted", raw2(SYS_kill, 1, SIGSTOP), 0);
  msleep(100);
  CHECK("init/still-alive", kill(1, 0) == 0);
  /* and not stopped: an orphan it must reap still gets reaped */
  pid_t pp;
  pid_t g = orphan_with_signal(SIGCHLD, 0, &pp);
  CHECKF("init/still-reaping", g > 0 && gone_within(g, 5000), "grandchild %d", g);
}

static void console_child(void *arg)
{
  (void)arg;
  setsid();
  int fd = open("/dev/console", O_RDWR);
  if (fd < 0) {
    abi_line("SKIP: orphan/console/not-ctty (/dev/console: %s)", strerror(errno));
    return;
  }
  int t = open("/dev/tty", O_RDWR);
  CHECKF("console/not-ctty", t < 0 && errno == ENXIO, "open /dev/tty: %d (%s)", t, t < 0 ? strerror(errno) : "opened");
  pid_t sid = 0;
  CHECK_RET("console/tiocgsid-enotty", raw3(SYS_ioctl, fd, TIOCGSID, &sid), -ENOTTY);
  close(fd);
}

int main(void)
{
  abi_family = "orphan";
  long before = free_settled_kb();
  run_section("orphans", test_orphans, 60000);
  run_section("clone-parent", test_clone_parent, 30000);
  run_section("init", test_init_signals, 30000);
  child_checks("console/child", console_child, NULL, 10000);
  check_no_leak("no-leak", before);
  return abi_done();
}
