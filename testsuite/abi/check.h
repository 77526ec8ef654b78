/*
 * check.h — the small harness shared by the process-ABI tests
 * (the C programs in testsuite/abi). User space; runs on Kite and on Linux
 * (qemu-riscv64), built with musl or glibc.
 *
 * Every check prints exactly one line, "PASS: <family>/<name>" or
 * "FAIL: <family>/<name> (<detail>)" — or "SKIP: ..." where the check
 * cannot be made on this system — with one write(2), so lines from several
 * processes never interleave. abi-linux.sh and abi-kite.sh prefix the
 * lines with "linux/" or "kite/" and count PASS and FAIL, so names must be
 * stable and unique within a program. A program exits 1 if a check
 * failed, 0 otherwise.
 *
 * Also here: raw system calls that return -errno (so a test sees exactly
 * what the kernel said, without libc in between), the kernel's struct
 * sigaction, a probe that touches memory and reports the signal, "am I on
 * Kite?", the free-memory probe of the leak checks, and groups of checks
 * run in children with a time limit, so that one crash or hang cannot
 * take the whole family down with it.
 */
#ifndef ABI_CHECK_H
#define ABI_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ABI_UNUSED __attribute__((unused))

static const char *abi_family = "abi";
static int abi_failures;
static int abi_quiet; /* repeating checks already reported: no lines, no counts */

/* abi_line: write one whole line to stdout with a single write(2). */
static ABI_UNUSED void abi_line(const char *fmt, ...)
{
  if (abi_quiet)
    return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if (n > (int)sizeof(buf) - 2)
    n = sizeof(buf) - 2;
  buf[n++] = '\n';
  (void)!write(1, buf, n);
}

/* abi_check: print PASS or FAIL for one check; detail explains a failure. */
static ABI_UNUSED int abi_check(const char *name, int ok, const char *fmt, ...)
{
  if (abi_quiet)
    return ok;
  if (ok) {
    abi_line("PASS: %s/%s", abi_family, name);
    return 1;
  }
  char detail[320] = "";
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
  }
  abi_line("FAIL: %s/%s (%s)", abi_family, name, detail);
  abi_failures++;
  return 0;
}

/* CHECK(name, cond): the condition's text is the failure detail. */
#define CHECK(name, cond) abi_check((name), !!(cond), "%s", #cond)
/* CHECKF(name, cond, fmt, ...): with a formatted failure detail. */
#define CHECKF(name, cond, ...) abi_check((name), !!(cond), __VA_ARGS__)
/* CHECK_RET(name, got, want): a raw syscall result compared with the
 * expected value (use -EXXX for errors). */
#define CHECK_RET(name, got, want)                                                  \
  do {                                                                             \
    long g_ = (long)(got), w_ = (long)(want);                                      \
    abi_check((name), g_ == w_, "got %ld (%s), want %ld (%s)", g_,                 \
              g_ < 0 && g_ > -4096 ? strerror((int)-g_) : "", w_,                  \
              w_ < 0 && w_ > -4096 ? strerror((int)-w_) : "");                     \
  } while (0)

/*
 * skip_on_qemu: where qemu-user (our Linux reference) is known not to
 * behave like Linux, print "SKIP: <family>/<name> (qemu-user: why)" and
 * return 1; the check is then made on Kite only. Every use names the
 * place in QEMU 7.2 (linux-user/) that differs. test.sh counts no SKIP
 * lines.
 */
static ABI_UNUSED int on_qemu_user(void);
static ABI_UNUSED int skip_on_qemu(const char *name, const char *why)
{
  if (!on_qemu_user())
    return 0;
  abi_line("SKIP: %s/%s (qemu-user: %s)", abi_family, name, why);
  return 1;
}

/* abi_done: the program's exit status. */
static ABI_UNUSED int abi_done(void) { return abi_failures ? 1 : 0; }

/*
 * A forked child that makes checks of its own and tells its parent how
 * they went through its exit status: abi_child_start() first thing in the
 * child, abi_child_exit() at its end. fork copies the parent's failure
 * count, and those failures are the parent's own (it reports them): a
 * child that kept the count would exit 1 for them, and the parent's check
 * of the child's status would fail too, for nothing the child did.
 */
static ABI_UNUSED void abi_child_start(void) { abi_failures = 0; }
/* abi_child_exit: the checking child's end, status 1 if one of its own
 * checks failed, else 0. */
static ABI_UNUSED __attribute__((noreturn)) void abi_child_exit(void) { _exit(abi_failures ? 1 : 0); }

/*
 * Raw system calls: the kernel's return value, -errno on failure. The
 * riscv64 convention: number in a7, arguments in a0..a5, result in a0.
 */
static inline long raw6(long n, long a, long b, long c, long d, long e, long f)
{
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  register long a5 __asm__("a5") = f;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall"
                   : "+r"(a0)
                   : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
                   : "memory");
  return a0;
}
#define raw0(n) raw6((n), 0, 0, 0, 0, 0, 0)
#define raw1(n, a) raw6((n), (long)(a), 0, 0, 0, 0, 0)
#define raw2(n, a, b) raw6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define raw3(n, a, b, c) raw6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define raw4(n, a, b, c, d) raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define raw5(n, a, b, c, d, e) raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* Addresses no user program owns: page 0, and a kernel address. */
#define BAD_PTR ((void *)8)
#define KERNEL_PTR ((void *)0xffffffc080200000UL)

/*
 * The kernel's struct sigaction on riscv64 is {handler, flags, mask}: no
 * restorer field. Two user-space programs get this wrong the same way and
 * read the mask one word later, after a restorer: musl 1.2.3's sigaction()
 * (docs/build-facts.md) and QEMU 7.2's linux-user (target_sigaction), our Linux
 * reference. So these tests talk to the kernel directly, and put the mask
 * in both places: the kernel reads {handler, flags, mask} and ignores the
 * fourth word, QEMU reads the fourth word as the mask and takes the third
 * for a restorer it never uses (no SA_RESTORER flag). An old action comes
 * back with the mask where the kernel puts it (ksig_mask() knows where
 * QEMU puts it). Without SA_RESTORER the kernel provides the return
 * trampoline (Linux: the vDSO).
 */
struct ksigaction {
  void *handler;
  unsigned long flags;
  uint64_t mask;
  uint64_t qemu_mask; /* ignored by the kernel */
};

/* ksigaction: rt_sigaction(sig, {handler, flags, mask}, old); raw result. */
static ABI_UNUSED long ksigaction(int sig, void *handler, unsigned long flags, uint64_t mask, struct ksigaction *old)
{
  struct ksigaction act = {handler, flags, mask, mask};
  return raw4(SYS_rt_sigaction, sig, &act, old, 8);
}

/* ksig_mask: the mask of an action the kernel returned. */
static ABI_UNUSED uint64_t ksig_mask(const struct ksigaction *a) { return on_qemu_user() ? a->qemu_mask : a->mask; }
#define SIGBIT(s) (1ULL << ((s)-1))

/*
 * probe: touch one byte at addr (read, or write if `write`) and return
 * the signal that raised (0 if none); probe_code and probe_addr hold the
 * siginfo's si_code and si_addr. Handlers for SIGSEGV and SIGBUS are
 * installed for the touch and put back afterwards.
 */
static sigjmp_buf probe_env;
static volatile int probe_sig, probe_code;
static void *volatile probe_addr;

static ABI_UNUSED void probe_handler(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  probe_sig = sig;
  probe_code = si->si_code;
  probe_addr = si->si_addr;
  siglongjmp(probe_env, 1);
}

static ABI_UNUSED int probe(volatile char *addr, int write)
{
  struct ksigaction old_segv, old_bus;
  ksigaction(SIGSEGV, (void *)probe_handler, SA_SIGINFO | SA_NODEFER, 0, &old_segv);
  ksigaction(SIGBUS, (void *)probe_handler, SA_SIGINFO | SA_NODEFER, 0, &old_bus);
  probe_sig = 0;
  probe_code = 0;
  probe_addr = 0;
  if (sigsetjmp(probe_env, 1) == 0) {
    if (write)
      *addr = 1;
    else
      (void)*addr;
  }
  raw4(SYS_rt_sigaction, SIGSEGV, &old_segv, 0, 8);
  raw4(SYS_rt_sigaction, SIGBUS, &old_bus, 0, 8);
  return probe_sig;
}

/* on_kite: is the kernel under us Kite? (uname -r contains "kite") */
static ABI_UNUSED int on_kite(void)
{
  static int cached = -1;
  if (cached < 0) {
    struct utsname u;
    cached = uname(&u) == 0 && strstr(u.release, "kite") != NULL;
  }
  return cached;
}

/* on_qemu_user: set by abi-linux.sh, which runs us under qemu-riscv64. */
static ABI_UNUSED int on_qemu_user(void) { return !on_kite() && getenv("ABI_QEMU_USER") != NULL; }

/* memfree_kb: MemFree from /proc/meminfo, or -1. */
static ABI_UNUSED long memfree_kb(void)
{
  char buf[2048];
  int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = 0;
  char *p = strstr(buf, "MemFree:");
  return p ? strtol(p + 8, NULL, 10) : -1;
}

/*
 * free_settled_kb: MemFree once freeing has finished — the value stops
 * changing (dead tasks are freed a little after they are reaped).
 */
static ABI_UNUSED long free_settled_kb(void)
{
  long prev = memfree_kb();
  for (int i = 0; i < 20; i++) {
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    long now = memfree_kb();
    if (now == prev)
      return now;
    prev = now;
  }
  return prev;
}

/*
 * check_no_leak(name, before): on Kite, MemFree is back to `before`.
 * MemFree counts the whole system, and the shell and the `timeout` around
 * us take a page now and then: 16 KiB of slack. (hostile.c repeats each
 * case, so a leak on an error path grows well past that.) On Linux
 * /proc/meminfo is the host's and says nothing about us: a SKIP line.
 */
#define LEAK_SLACK_KB 16
static ABI_UNUSED void check_no_leak(const char *name, long before)
{
  if (!on_kite()) {
    abi_line("SKIP: %s/%s (not Kite: /proc/meminfo describes the host)", abi_family, name);
    return;
  }
  long after = before;
  for (int i = 0; i < 10; i++) {
    after = free_settled_kb();
    if (after >= before - LEAK_SLACK_KB)
      break;
  }
  abi_check(name, before >= 0 && after >= before - LEAK_SLACK_KB,
            "MemFree %ld kB before, %ld kB after: %ld kB lost", before, after, before - after);
}

/* now_ns: CLOCK_MONOTONIC in nanoseconds. */
static ABI_UNUSED long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* msleep: sleep for ms milliseconds (restarting after signals). */
static ABI_UNUSED void msleep(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/*
 * wait_child_timeout: waitpid(pid) for at most `ms` milliseconds; on
 * timeout the child is killed with SIGKILL and -1 is returned. Otherwise
 * the wait status. Polls with WNOHANG, so the caller's signal handlers
 * and alarms are left alone.
 */
static ABI_UNUSED int wait_child_timeout(pid_t pid, long ms)
{
  int st = 0;
  for (long waited = 0;; waited += 5) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid)
      return st;
    if (r < 0 && errno != EINTR)
      return -2;
    if (waited >= ms)
      break;
    msleep(5);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return -1;
}

/* wait_status: the exit code of child pid (waited for at most 20 s), or
 * -1 if it was killed, timed out or could not be waited for. */
static ABI_UNUSED int wait_status(pid_t pid)
{
  int st = wait_child_timeout(pid, 20000);
  return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ns_ino: the inode number of path (a /proc/<pid>/ns link names its
 * namespace by it), or 0 if stat fails. */
static ABI_UNUSED ino_t ns_ino(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* write_text: write string s to path (a /proc/sys file) in one write.
 * 0, -errno, or -EIO for a short write. */
static ABI_UNUSED int write_text(const char *path, const char *s)
{
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -errno;
  ssize_t n = write(fd, s, strlen(s));
  int r = n == (ssize_t)strlen(s) ? 0 : n < 0 ? -errno : -EIO;
  close(fd);
  return r;
}

/* status_str: a wait status in words, for failure details. */
static ABI_UNUSED const char *status_str(int st);

/*
 * child_checks: run fn(arg) in a forked child that makes checks of its
 * own (printing their lines); the child's failures count here. A child
 * that crashes or hangs (more than `ms` milliseconds) is one more FAIL,
 * named `name`. For checks that may kill their process, or that change
 * process-wide state (limits, uid, brk) the rest of the program needs.
 */
static ABI_UNUSED void child_checks(const char *name, void (*fn)(void *), void *arg, long ms)
{
  pid_t pid = fork();
  if (pid < 0) {
    abi_check(name, 0, "fork: %s", strerror(errno));
    return;
  }
  if (pid == 0) {
    abi_child_start();
    fn(arg);
    _exit(abi_failures > 100 ? 100 : abi_failures);
  }
  int st = wait_child_timeout(pid, ms);
  if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) <= 100) {
    abi_failures += WEXITSTATUS(st);
    return;
  }
  abi_check(name, 0, "the checking child: %s", status_str(st));
}

/*
 * run_section: run a group of checks, void fn(void), in a child of its own
 * (child_checks), so that a crash or a hang in one group costs only that
 * group: it shows as "FAIL: <family>/<name>/finished (...)". With
 * ABI_ONLY=<name> in the environment only that section runs.
 */
static void (*abi_section_fn)(void);
static ABI_UNUSED void abi_section_tramp(void *arg)
{
  (void)arg;
  abi_section_fn();
}
static ABI_UNUSED void run_section(const char *name, void (*fn)(void), long ms)
{
  const char *only = getenv("ABI_ONLY"); /* run just this section (debugging) */
  if (only && *only && strcmp(only, name) != 0)
    return;
  char full[96];
  snprintf(full, sizeof(full), "%s/finished", name);
  abi_section_fn = fn;
  child_checks(full, abi_section_tramp, NULL, ms);
}

static ABI_UNUSED const char *status_str(int st)
{
  static char buf[64];
  if (st == -1)
    snprintf(buf, sizeof(buf), "timed out");
  else if (st < -1)
    snprintf(buf, sizeof(buf), "could not start or wait (%d)", st);
  else if (WIFEXITED(st))
    snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(st));
  else
    snprintf(buf, sizeof(buf), "status 0x%x", st);
  return buf;
}

/* exited_ok: the child ran to the end and returned 0. */
#define EXITED_OK(st) ((st) >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)

#endif
