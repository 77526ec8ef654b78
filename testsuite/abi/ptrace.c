/*
 * ptrace.c — process tracing (testsuite/abi; docs/ptrace.md): PTRACE_TRACEME
 * and the exec stop, signal-delivery stops (ignored signals too) with the
 * tracer cancelling, keeping or changing the signal, PEEKDATA/POKEDATA,
 * GETREGSET/SETREGSET (NT_PRSTATUS, NT_PRFPREG), syscall-entry and -exit
 * stops (PTRACE_O_TRACESYSGOOD, results rewritten), the fork event,
 * ATTACH/SEIZE/DETACH from a process that is not the tracee's parent,
 * PTRACE_O_EXITKILL and a tracer's exit, and the errors in Linux's order
 * (ESRCH, EPERM, EIO, EINVAL, EFAULT). Calls go through the raw system
 * call: PEEKDATA's word comes back through data, as the kernel ABI has it.
 * Runs on Kite and on the reference Linux; qemu-user cannot trace, so
 * there it only says so.
 */
#include "check.h"
#include <sys/uio.h>

#define PTRACE_TRACEME 0
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSR 3
#define PTRACE_POKEDATA 5
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_SETSIGINFO 0x4203
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_O_TRACESYSGOOD 1
#define PTRACE_O_TRACEFORK 2
#define PTRACE_O_EXITKILL 0x100000
#define PTRACE_EVENT_FORK 1
#define NT_PRSTATUS 1
#define NT_PRFPREG 2
#define BAD ((long)1)   /* an address nothing is mapped at */

static const char *self_path;
static volatile long magic = 0x1234;

static long pt(long req, long pid, long addr, long data)
{
  return raw6(SYS_ptrace, req, pid, addr, data, 0, 0);
}

/* waitpid for a tracee (__WALL: it may not be our child), at most 20 s. */
static int wait_traced(pid_t pid)
{
  int st = 0;
  for (int i = 0; i < 4000; i++) {
    pid_t r = waitpid(pid, &st, WNOHANG | __WALL);
    if (r == pid)
      return st;
    if (r < 0)
      return -2;
    msleep(5);
  }
  return -1;
}

/* Let a tracee run to its end, passing on the signals it stops with
 * (its children's SIGCHLD, say): the final wait status. */
static int run_to_end(pid_t pid)
{
  for (int i = 0; i < 20; i++) {
    int st = wait_traced(pid);
    if (st < 0 || !WIFSTOPPED(st))
      return st;
    pt(PTRACE_CONT, pid, 0, WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
  }
  return -3;
}

static int stopped_with(int st, int sig)
{
  return st >= 0 && WIFSTOPPED(st) && (st >> 8) == sig;
}

/* The tracee's side: stop itself with a raw kill (no other system call
 * in between: the syscall-stop checks count on it). */
static long self_stop(void)
{
  return raw6(SYS_kill, raw6(SYS_getpid, 0, 0, 0, 0, 0, 0), SIGSTOP, 0, 0, 0, 0);
}

/* ---- TRACEME, the exec stop, GETSIGINFO ---- */

static void traceme_exec(void)
{
  pid_t c = fork();
  if (c == 0) {
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
      _exit(10);
    if (pt(PTRACE_TRACEME, 0, 0, 0) != -EPERM) /* already traced */
      _exit(11);
    execl(self_path, self_path, "exit7", (char *)NULL);
    _exit(12);
  }
  int st = wait_traced(c);
  CHECKF("traceme/exec-stop", stopped_with(st, SIGTRAP), "status %#x", st);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  CHECK_RET("traceme/exec-getsiginfo", pt(PTRACE_GETSIGINFO, c, 0, (long)&si), 0);
  CHECKF("traceme/exec-siginfo", si.si_signo == SIGTRAP && si.si_code == SI_USER,
         "signo %d code %d", si.si_signo, si.si_code);
  CHECK_RET("traceme/getsiginfo-efault", pt(PTRACE_GETSIGINFO, c, 0, BAD), -EFAULT);
  CHECK_RET("traceme/setsiginfo-efault", pt(PTRACE_SETSIGINFO, c, 0, BAD), -EFAULT);
  CHECK_RET("traceme/cont", pt(PTRACE_CONT, c, 0, 0), 0);
  st = wait_traced(c);
  CHECKF("traceme/exit-after-exec", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7,
         "%s", status_str(st));
}

/* ---- signal-delivery stops: cancel, change, and ignored signals ---- */

static volatile int got;
static void on_usr1(int s) { (void)s; got |= 1; }
static void on_usr2(int s) { (void)s; got |= 2; }

static void signal_stops(void)
{
  pid_t c = fork();
  if (c == 0) {
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
      _exit(10);
    kill(getpid(), SIGUSR1);   /* changed into SIGUSR2 by the tracer */
    kill(getpid(), SIGUSR1);   /* cancelled */
    kill(getpid(), SIGWINCH);  /* ignored by default, still a stop */
    _exit(got);
  }
  int st = wait_traced(c);
  CHECKF("signal/stop-usr1", stopped_with(st, SIGUSR1), "status %#x", st);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  pt(PTRACE_GETSIGINFO, c, 0, (long)&si);
  CHECKF("signal/siginfo", si.si_signo == SIGUSR1 && si.si_pid == c && si.si_code == SI_USER,
         "signo %d pid %d code %d", si.si_signo, si.si_pid, si.si_code);
  CHECK_RET("signal/cont-bad-signal", pt(PTRACE_CONT, c, 0, 65), -EIO);
  CHECK_RET("signal/singlestep-eio", pt(PTRACE_SINGLESTEP, c, 0, 0), -EIO);
  CHECK_RET("signal/peekusr-eio", pt(PTRACE_PEEKUSR, c, 0, (long)&si), -EIO);
  CHECK_RET("signal/unknown-request-eio", pt(0x4299, c, 0, 0), -EIO);
  CHECK_RET("signal/setoptions-einval", pt(PTRACE_SETOPTIONS, c, 0, 0x80000000L), -EINVAL);
  CHECK_RET("signal/inject", pt(PTRACE_CONT, c, 0, SIGUSR2), 0);
  st = wait_traced(c);
  CHECKF("signal/stop-again", stopped_with(st, SIGUSR1), "status %#x", st);
  CHECK_RET("signal/cancel", pt(PTRACE_CONT, c, 0, 0), 0);
  st = wait_traced(c);
  CHECKF("signal/stop-ignored-signal", stopped_with(st, SIGWINCH), "status %#x", st);
  pt(PTRACE_CONT, c, 0, SIGWINCH);
  st = wait_traced(c);
  CHECKF("signal/handlers-that-ran", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 2,
         "%s (1: SIGUSR1's handler, 2: SIGUSR2's)", status_str(st));
  CHECK_RET("signal/cont-not-traced", pt(PTRACE_CONT, c, 0, 0), -ESRCH);
}

/* ---- memory and registers ---- */

static void memory_registers(void)
{
  pid_t c = fork();
  if (c == 0) {
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
      _exit(10);
    long r = self_stop();      /* the tracer sets a0: what kill returns */
    _exit(r == 4242 && magic == 0x5678 ? 0 : 1);
  }
  int st = wait_traced(c);
  CHECKF("mem/stop", stopped_with(st, SIGSTOP), "status %#x", st);
  long word = 0;
  CHECK_RET("mem/peekdata", pt(PTRACE_PEEKDATA, c, (long)&magic, (long)&word), 0);
  CHECKF("mem/peekdata-value", word == 0x1234, "word %#lx", word);
  CHECK_RET("mem/pokedata", pt(PTRACE_POKEDATA, c, (long)&magic, 0x5678), 0);
  pt(PTRACE_PEEKDATA, c, (long)&magic, (long)&word);
  CHECKF("mem/poke-then-peek", word == 0x5678, "word %#lx", word);
  CHECK_RET("mem/peekdata-unmapped-eio", pt(PTRACE_PEEKDATA, c, 0, (long)&word), -EIO);
  CHECK_RET("mem/pokedata-unmapped-eio", pt(PTRACE_POKEDATA, c, 8, 1), -EIO);
  CHECK_RET("mem/peekdata-bad-data-efault", pt(PTRACE_PEEKDATA, c, (long)&magic, BAD), -EFAULT);

  uint64_t regs[32];
  struct iovec iov = { regs, sizeof(regs) };
  memset(regs, 0, sizeof(regs));
  CHECK_RET("regs/getregset", pt(PTRACE_GETREGSET, c, NT_PRSTATUS, (long)&iov), 0);
  CHECKF("regs/length", iov.iov_len == 256, "iov_len %zu", iov.iov_len);
  CHECKF("regs/a7-is-kill", regs[17] == SYS_kill, "a7 %lu", (unsigned long)regs[17]);
  CHECKF("regs/a0-is-result", regs[10] == 0, "a0 %ld", (long)regs[10]);
  CHECKF("regs/pc-and-sp", regs[0] != 0 && regs[2] != 0, "pc %#lx sp %#lx",
         (unsigned long)regs[0], (unsigned long)regs[2]);
  regs[10] = 4242;
  CHECK_RET("regs/setregset", pt(PTRACE_SETREGSET, c, NT_PRSTATUS, (long)&iov), 0);
  uint64_t pc = 0;
  struct iovec one = { &pc, 8 };
  CHECK_RET("regs/short-read", pt(PTRACE_GETREGSET, c, NT_PRSTATUS, (long)&one), 0);
  CHECKF("regs/short-read-pc", one.iov_len == 8 && pc == regs[0], "len %zu pc %#lx", one.iov_len,
         (unsigned long)pc);
  struct iovec odd = { regs, 7 };
  CHECK_RET("regs/odd-length-einval", pt(PTRACE_GETREGSET, c, NT_PRSTATUS, (long)&odd), -EINVAL);
  CHECK_RET("regs/bad-type-einval", pt(PTRACE_GETREGSET, c, 0x999, (long)&iov), -EINVAL);
  CHECK_RET("regs/bad-iovec-efault", pt(PTRACE_GETREGSET, c, NT_PRSTATUS, BAD), -EFAULT);
  struct iovec badbase = { (void *)BAD, 256 };
  CHECK_RET("regs/bad-base-efault", pt(PTRACE_GETREGSET, c, NT_PRSTATUS, (long)&badbase), -EFAULT);
  uint64_t fpr[40];
  struct iovec fiov = { fpr, sizeof(fpr) };
  CHECK_RET("regs/fp-getregset", pt(PTRACE_GETREGSET, c, NT_PRFPREG, (long)&fiov), 0);
  CHECKF("regs/fp-length", fiov.iov_len == 264, "iov_len %zu", fiov.iov_len);

  CHECK_RET("mem/cont", pt(PTRACE_CONT, c, 0, 0), 0);
  st = wait_traced(c);
  CHECKF("mem/tracee-saw-changes", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
         status_str(st));
}

/* ---- syscall stops ---- */

static void syscall_stops(void)
{
  pid_t c = fork();
  if (c == 0) {
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
      _exit(10);
    self_stop();
    long r = raw6(SYS_getppid, 0, 0, 0, 0, 0, 0);
    _exit(r == 777 ? 0 : 3);
  }
  int st = wait_traced(c);
  CHECKF("syscall/first-stop", stopped_with(st, SIGSTOP), "status %#x", st);
  CHECK_RET("syscall/setoptions", pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD), 0);
  CHECK_RET("syscall/resume", pt(PTRACE_SYSCALL, c, 0, 0), 0);
  st = wait_traced(c);
  CHECKF("syscall/entry-stop", stopped_with(st, SIGTRAP | 0x80), "status %#x", st);
  uint64_t regs[32];
  struct iovec iov = { regs, sizeof(regs) };
  pt(PTRACE_GETREGSET, c, NT_PRSTATUS, (long)&iov);
  CHECKF("syscall/entry-a7", regs[17] == SYS_getppid, "a7 %lu", (unsigned long)regs[17]);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  pt(PTRACE_GETSIGINFO, c, 0, (long)&si);
  CHECKF("syscall/entry-siginfo", si.si_signo == SIGTRAP && si.si_code == (SIGTRAP | 0x80),
         "signo %d code %#x", si.si_signo, si.si_code);
  CHECK_RET("syscall/resume-to-exit", pt(PTRACE_SYSCALL, c, 0, 0), 0);
  st = wait_traced(c);
  CHECKF("syscall/exit-stop", stopped_with(st, SIGTRAP | 0x80), "status %#x", st);
  pt(PTRACE_GETREGSET, c, NT_PRSTATUS, (long)&iov);
  CHECKF("syscall/exit-result", (pid_t)regs[10] == getpid(), "a0 %ld, want %d", (long)regs[10],
         (int)getpid());
  regs[10] = 777;
  CHECK_RET("syscall/rewrite-result", pt(PTRACE_SETREGSET, c, NT_PRSTATUS, (long)&iov), 0);
  pt(PTRACE_CONT, c, 0, 0);
  st = wait_traced(c);
  CHECKF("syscall/tracee-saw-result", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
         status_str(st));
}

/* ---- the fork event ---- */

static void fork_event(void)
{
  pid_t c = fork();
  if (c == 0) {
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
      _exit(10);
    self_stop();
    pid_t g = fork();
    if (g == 0)
      _exit(5);
    int gst = 0;
    waitpid(g, &gst, 0);
    _exit(WIFEXITED(gst) && WEXITSTATUS(gst) == 5 ? 0 : 4);
  }
  int st = wait_traced(c);
  CHECKF("fork/first-stop", stopped_with(st, SIGSTOP), "status %#x", st);
  CHECK_RET("fork/setoptions", pt(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEFORK), 0);
  pt(PTRACE_CONT, c, 0, 0);
  st = wait_traced(c);
  CHECKF("fork/event-stop", stopped_with(st, SIGTRAP | PTRACE_EVENT_FORK << 8), "status %#x", st);
  unsigned long g = 0;
  CHECK_RET("fork/geteventmsg", pt(PTRACE_GETEVENTMSG, c, 0, (long)&g), 0);
  CHECK_RET("fork/geteventmsg-efault", pt(PTRACE_GETEVENTMSG, c, 0, BAD), -EFAULT);
  int gs = g ? wait_traced((pid_t)g) : -3;
  CHECKF("fork/new-child-traced-and-stopped", stopped_with(gs, SIGSTOP), "pid %lu status %#x", g,
         gs);
  CHECK_RET("fork/detach-new-child", pt(PTRACE_DETACH, (pid_t)g, 0, 0), 0);
  pt(PTRACE_CONT, c, 0, 0);
  st = run_to_end(c); /* (it stops once more: SIGCHLD from its child) */
  CHECKF("fork/parent-reaped-its-child", st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s",
         status_str(st));
}

/* ---- ATTACH, SEIZE, DETACH; a tracer's exit ---- */

static volatile long *counter; /* shared: the sleeper's heartbeat */

static pid_t sleeper(void)
{
  pid_t s = fork();
  if (s == 0) {
    for (;;) {
      (*counter)++;
      msleep(2);
    }
  }
  return s;
}

static int advancing(void)
{
  long a = *counter;
  for (int i = 0; i < 200; i++) {
    msleep(10);
    if (*counter != a)
      return 1;
  }
  return 0;
}

static void attach_detach(void)
{
  counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t s = sleeper();
  CHECK_RET("attach/self-eperm", pt(PTRACE_ATTACH, getpid(), 0, 0), -EPERM);
  CHECK_RET("attach/no-such-pid-esrch", pt(PTRACE_ATTACH, 0x3fffff00, 0, 0), -ESRCH);
  CHECK_RET("attach/not-traced-esrch", pt(PTRACE_PEEKDATA, s, (long)&magic, (long)&magic), -ESRCH);
  pid_t t = fork();
  if (t == 0) {
    /* a tracer that is not the tracee's parent */
    abi_child_start();
    CHECK_RET("attach/attach", pt(PTRACE_ATTACH, s, 0, 0), 0);
    CHECK_RET("attach/twice-eperm", pt(PTRACE_ATTACH, s, 0, 0), -EPERM);
    int st = wait_traced(s);
    CHECKF("attach/sigstop-stop", stopped_with(st, SIGSTOP), "status %#x", st);
    long word = 0;
    CHECK_RET("attach/peekdata", pt(PTRACE_PEEKDATA, s, (long)&magic, (long)&word), 0);
    CHECKF("attach/peekdata-value", word == 0x1234, "word %#lx", word);
    CHECK_RET("attach/detach", pt(PTRACE_DETACH, s, 0, 0), 0);
    CHECK_RET("attach/wait-after-detach-echild", waitpid(s, &st, WNOHANG | __WALL) == -1 ? -errno : 0,
              -ECHILD);
    _exit(abi_failures);
  }
  int tst = wait_child_timeout(t, 20000);
  CHECKF("attach/tracer", tst >= 0 && WIFEXITED(tst) && WEXITSTATUS(tst) == 0, "%s", status_str(tst));
  CHECK("attach/runs-after-detach", advancing());

  /* a tracer that exits with its tracee stopped: the tracee goes on */
  t = fork();
  if (t == 0) {
    if (pt(PTRACE_ATTACH, s, 0, 0) != 0 || !stopped_with(wait_traced(s), SIGSTOP))
      _exit(1);
    _exit(0);
  }
  tst = wait_child_timeout(t, 20000);
  CHECKF("attach/tracer-exits", tst >= 0 && WIFEXITED(tst) && WEXITSTATUS(tst) == 0, "%s", status_str(tst));
  CHECK("attach/runs-after-tracer-exit", advancing());

  /* a tracer that is not the parent waits for its tracee's death too;
   * so does the parent, afterwards */
  pid_t s2 = sleeper();
  t = fork();
  if (t == 0) {
    if (pt(PTRACE_ATTACH, s2, 0, 0) != 0 || !stopped_with(wait_traced(s2), SIGSTOP))
      _exit(1);
    kill(s2, SIGKILL);
    int st = wait_traced(s2);
    _exit(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 2);
  }
  tst = wait_child_timeout(t, 20000);
  CHECKF("attach/tracer-waits-for-exit", tst >= 0 && WIFEXITED(tst) && WEXITSTATUS(tst) == 0, "%s",
         status_str(tst));
  int s2st = wait_child_timeout(s2, 20000);
  CHECKF("attach/parent-waits-for-exit", s2st >= 0 && WIFSIGNALED(s2st) && WTERMSIG(s2st) == SIGKILL,
         "%s", status_str(s2st));

  /* unprivileged: EPERM on a root process */
  t = fork();
  if (t == 0) {
    if (setuid(65534) != 0)
      _exit(2);
    _exit(pt(PTRACE_ATTACH, s, 0, 0) == -EPERM ? 0 : 1);
  }
  tst = wait_child_timeout(t, 20000);
  CHECKF("attach/unprivileged-eperm", tst >= 0 && WIFEXITED(tst) && WEXITSTATUS(tst) == 0, "%s",
         status_str(tst));

  /* SEIZE with PTRACE_O_EXITKILL: the tracee dies with its tracer */
  t = fork();
  if (t == 0) {
    if (pt(PTRACE_SEIZE, s, 1, 0) != -EIO)
      _exit(3);
    _exit(pt(PTRACE_SEIZE, s, 0, PTRACE_O_EXITKILL) == 0 ? 0 : 1);
  }
  tst = wait_child_timeout(t, 20000);
  CHECKF("attach/seize", tst >= 0 && WIFEXITED(tst) && WEXITSTATUS(tst) == 0, "%s", status_str(tst));
  int sst = wait_child_timeout(s, 20000);
  CHECKF("attach/exitkill", sst >= 0 && WIFSIGNALED(sst) && WTERMSIG(sst) == SIGKILL, "%s",
         status_str(sst));
}

/* ---- PTRACE_KILL ---- */

static void kill_request(void)
{
  pid_t c = fork();
  if (c == 0) {
    if (pt(PTRACE_TRACEME, 0, 0, 0) != 0)
      _exit(10);
    self_stop();
    _exit(0);
  }
  int st = wait_traced(c);
  CHECKF("kill/stop", stopped_with(st, SIGSTOP), "status %#x", st);
  CHECK_RET("kill/kill", pt(PTRACE_KILL, c, 0, 0), 0);
  st = wait_traced(c);
  CHECKF("kill/killed", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s", status_str(st));
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "exit7") == 0)
    return 7;
  self_path = argv[0];
  abi_family = "ptrace";
  if (skip_on_qemu("all", "linux-user does not emulate ptrace (ENOSYS); the reference Linux runs this"))
    return 0;
  run_section("traceme", traceme_exec, 30000);
  run_section("signal", signal_stops, 30000);
  run_section("mem", memory_registers, 30000);
  run_section("syscall", syscall_stops, 30000);
  run_section("fork", fork_event, 30000);
  run_section("attach", attach_detach, 60000);
  run_section("kill", kill_request, 30000);
  return abi_done();
}
