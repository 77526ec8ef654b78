/*
 * signal.c — signal ABI tests (testsuite/abi): rt_sigaction and its flags
 * (SA_SIGINFO, SA_NODEFER, SA_RESETHAND, SA_RESTART, SA_ONSTACK, sa_mask),
 * rt_sigprocmask, rt_sigpending, rt_sigsuspend, rt_sigtimedwait,
 * rt_sigqueueinfo, kill, the signal frame (siginfo, ucontext with FP
 * state; registers survive a handler that clobbers them; a handler may
 * edit the context it returns to), sigaltstack, default actions, SIGCHLD,
 * SIGPIPE, faults (SIGSEGV, SIGILL, SIGTRAP, SIGFPE by kill), stop and
 * continue, and the EINTR/SA_RESTART rules. User space.
 *
 * Handlers are installed with the raw rt_sigaction (struct ksigaction,
 * check.h) so the checks see the kernel's ABI, not musl 1.2.3's.
 */
#include "check.h"
#include <poll.h>
#include <sys/resource.h>
#include <ucontext.h>

#define SIG_RT1 (SIGRTMIN + 1)

static volatile int hits, last_sig, last_code, last_pid, last_uid, last_value;
static volatile uint64_t mask_in_handler;
static volatile int order[8], norder;

static uint64_t cur_mask(void)
{
  uint64_t m = 0;
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, 0, &m, 8);
  return m;
}

static void set_mask(uint64_t m) { raw4(SYS_rt_sigprocmask, SIG_SETMASK, &m, 0, 8); }

static void counting(int sig)
{
  hits++;
  last_sig = sig;
  mask_in_handler = cur_mask();
  if (norder < 8)
    order[norder++] = sig;
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  hits++;
  last_sig = sig;
  last_code = si->si_code;
  last_pid = si->si_pid;
  last_uid = si->si_uid;
  last_value = si->si_value.sival_int;
}

static void reset_counts(void)
{
  hits = last_sig = last_code = last_pid = last_uid = last_value = 0;
  norder = 0;
  mask_in_handler = 0;
}

/* ---- rt_sigaction ---- */

static void test_sigaction(void)
{
  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, 0, SIGBIT(SIGUSR2), NULL);
  kill(getpid(), SIGUSR1);
  CHECKF("sigaction/handler-runs-before-kill-returns", hits == 1 && last_sig == SIGUSR1, "hits %d", hits);
  CHECKF("sigaction/own-signal-blocked-in-handler", mask_in_handler & SIGBIT(SIGUSR1), "mask in handler %llx",
         (unsigned long long)mask_in_handler);
  CHECKF("sigaction/sa-mask-blocked-in-handler", mask_in_handler & SIGBIT(SIGUSR2), "mask in handler %llx",
         (unsigned long long)mask_in_handler);
  CHECKF("sigaction/mask-restored-after-handler", !(cur_mask() & (SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2))), "mask %llx",
         (unsigned long long)cur_mask());

  struct ksigaction old = {0};
  ksigaction(SIGUSR1, (void *)info_handler, SA_SIGINFO | SA_RESTART, SIGBIT(SIGHUP), &old);
  CHECK("sigaction/old-action-returned", old.handler == (void *)counting && ksig_mask(&old) == SIGBIT(SIGUSR2));
  ksigaction(SIGUSR1, (void *)counting, 0, 0, &old);
  CHECKF("sigaction/old-flags-and-mask", old.handler == (void *)info_handler && (old.flags & (SA_SIGINFO | SA_RESTART)) ==
                                             (SA_SIGINFO | SA_RESTART) && ksig_mask(&old) == SIGBIT(SIGHUP),
         "flags %lx mask %llx", old.flags, (unsigned long long)ksig_mask(&old));

  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, SA_NODEFER, 0, NULL);
  kill(getpid(), SIGUSR1);
  CHECKF("sigaction/sa-nodefer", hits == 1 && !(mask_in_handler & SIGBIT(SIGUSR1)), "mask %llx",
         (unsigned long long)mask_in_handler);

  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, SA_RESETHAND, 0, NULL);
  kill(getpid(), SIGUSR1);
  raw4(SYS_rt_sigaction, SIGUSR1, 0, &old, 8);
  CHECKF("sigaction/sa-resethand", hits == 1 && old.handler == SIG_DFL, "hits %d handler %p", hits, old.handler);

  CHECK_RET("sigaction/einval-sigkill", ksigaction(SIGKILL, (void *)counting, 0, 0, NULL), -EINVAL);
  CHECK_RET("sigaction/einval-sigstop", ksigaction(SIGSTOP, (void *)counting, 0, 0, NULL), -EINVAL);
  CHECK_RET("sigaction/einval-signal-0", ksigaction(0, (void *)counting, 0, 0, NULL), -EINVAL);
  CHECK_RET("sigaction/einval-signal-65", ksigaction(65, (void *)counting, 0, 0, NULL), -EINVAL);
  struct ksigaction a = {(void *)counting, 0, 0};
  CHECK_RET("sigaction/einval-sigsetsize", raw4(SYS_rt_sigaction, SIGUSR1, &a, 0, 4), -EINVAL);
  CHECK_RET("sigaction/sigkill-query-ok", raw4(SYS_rt_sigaction, SIGKILL, 0, &old, 8), 0);

  /* siginfo for kill, tgkill and rt_sigqueueinfo */
  reset_counts();
  ksigaction(SIGUSR1, (void *)info_handler, SA_SIGINFO, 0, NULL);
  kill(getpid(), SIGUSR1);
  CHECKF("siginfo/kill-si-user", hits == 1 && last_code == SI_USER && last_pid == getpid() && last_uid == 0,
         "code %d pid %d uid %d", last_code, last_pid, last_uid);
  reset_counts();
  raw3(SYS_tgkill, getpid(), raw0(SYS_gettid), SIGUSR1);
  CHECKF("siginfo/tgkill-si-tkill", hits == 1 && last_code == SI_TKILL && last_pid == getpid(), "code %d", last_code);
  reset_counts();
  ksigaction(SIG_RT1, (void *)info_handler, SA_SIGINFO, 0, NULL);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  si.si_signo = SIG_RT1;
  si.si_code = SI_QUEUE;
  si.si_pid = getpid();
  si.si_value.sival_int = 4242;
  long r = raw3(SYS_rt_sigqueueinfo, getpid(), SIG_RT1, &si);
  CHECKF("siginfo/rt-sigqueueinfo-value", r == 0 && hits == 1 && last_code == SI_QUEUE && last_value == 4242,
         "r %ld hits %d code %d value %d", r, hits, last_code, last_value);
  pid_t c = fork();
  if (c == 0) {
    pause();
    _exit(0);
  }
  si.si_code = SI_USER;
  CHECK_RET("siginfo/rt-sigqueueinfo-eperm-forged-code", raw3(SYS_rt_sigqueueinfo, c, SIG_RT1, &si), -EPERM);
  kill(c, SIGKILL);
  waitpid(c, NULL, 0);
  signal(SIGUSR1, SIG_DFL);
  signal(SIG_RT1, SIG_DFL);
}

/* ---- masks, pending, queueing ---- */

static void test_masks(void)
{
  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, 0, 0, NULL);
  uint64_t b = SIGBIT(SIGUSR1), pend = 0;
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &b, 0, 8);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  raw2(SYS_rt_sigpending, &pend, 8);
  CHECKF("sigprocmask/blocked-stays-pending", hits == 0 && (pend & b), "hits %d pending %llx", hits,
         (unsigned long long)pend);
  raw4(SYS_rt_sigprocmask, SIG_UNBLOCK, &b, 0, 8);
  CHECKF("sigprocmask/unblock-delivers-once", hits == 1, "standard signals do not queue: hits %d", hits);
  CHECK_RET("sigpending/einval-sigsetsize-too-big", raw2(SYS_rt_sigpending, &pend, 16), -EINVAL);
  CHECK_RET("sigprocmask/einval-how", raw4(SYS_rt_sigprocmask, 7, &b, 0, 8), -EINVAL);
  CHECK_RET("sigprocmask/einval-sigsetsize", raw4(SYS_rt_sigprocmask, SIG_BLOCK, &b, 0, 16), -EINVAL);
  uint64_t all = ~0ULL, now = 0, old = cur_mask();
  raw4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, 8);
  now = cur_mask();
  set_mask(old);
  CHECKF("sigprocmask/sigkill-sigstop-never-blocked", !(now & SIGBIT(SIGKILL)) && !(now & SIGBIT(SIGSTOP)) &&
                                                         (now & SIGBIT(SIGUSR2)),
         "mask %llx", (unsigned long long)now);

  /* Real-time signals queue, standard ones do not; the lowest number is
   * taken first (dequeued with sigtimedwait: no handlers to nest). */
  uint64_t rb = SIGBIT(SIG_RT1) | SIGBIT(SIG_RT1 + 1) | SIGBIT(SIGUSR2);
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &rb, 0, 8);
  kill(getpid(), SIG_RT1 + 1);
  kill(getpid(), SIG_RT1);
  kill(getpid(), SIG_RT1);
  kill(getpid(), SIGUSR2);
  kill(getpid(), SIGUSR2);
  struct timespec zero = {0, 0};
  int got[6], n = 0;
  for (; n < 6; n++) {
    long sig = raw4(SYS_rt_sigtimedwait, &rb, 0, &zero, 8);
    if (sig < 0)
      break;
    got[n] = sig;
  }
  raw4(SYS_rt_sigprocmask, SIG_UNBLOCK, &rb, 0, 8);
  CHECKF("sigqueue/realtime-queue-standard-do-not", n == 4, "dequeued %d signals, want 4", n);
  CHECKF("sigqueue/lowest-number-first", n == 4 && got[0] == SIGUSR2 && got[1] == SIG_RT1 && got[2] == SIG_RT1 &&
                                             got[3] == SIG_RT1 + 1,
         "order %d %d %d %d", got[0], got[1], got[2], got[3]);

  /* fork: the child inherits the mask, not the pending signals. */
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &b, 0, 8);
  kill(getpid(), SIGUSR1);
  pid_t c = fork();
  if (c == 0) {
    uint64_t p = 0;
    raw2(SYS_rt_sigpending, &p, 8);
    _exit((cur_mask() & b) && !(p & b) ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  CHECKF("fork/mask-inherited-pending-not", EXITED_OK(st), "%s", status_str(st));
  reset_counts();
  raw4(SYS_rt_sigprocmask, SIG_UNBLOCK, &b, 0, 8);
  CHECK("fork/parent-still-has-its-pending-signal", hits == 1);
  signal(SIGUSR1, SIG_DFL);
}

/* ---- sigsuspend, sigtimedwait ---- */

/* kill_later: a child that sends sig to us after ms milliseconds. */
static pid_t kill_later(int sig, long ms)
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

static void test_wait_for_signal(void)
{
  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, 0, 0, NULL);
  uint64_t b = SIGBIT(SIGUSR1), empty = 0;
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &b, 0, 8);
  pid_t c = kill_later(SIGUSR1, 50);
  long r = raw2(SYS_rt_sigsuspend, &empty, 8);
  CHECKF("sigsuspend/returns-eintr-after-handler", r == -EINTR && hits == 1, "r %ld hits %d", r, hits);
  CHECK("sigsuspend/mask-restored", cur_mask() & b);
  waitpid(c, NULL, 0);

  uint64_t w = SIGBIT(SIGUSR2);
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &w, 0, 8);
  kill(getpid(), SIGUSR2);
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  struct timespec ts = {1, 0};
  r = raw4(SYS_rt_sigtimedwait, &w, &si, &ts, 8);
  CHECKF("sigtimedwait/takes-pending-signal", r == SIGUSR2 && si.si_signo == SIGUSR2 && si.si_code == SI_USER &&
                                                 si.si_pid == getpid(),
         "r %ld signo %d code %d", r, si.si_signo, si.si_code);
  ts.tv_sec = 0;
  ts.tv_nsec = 50 * 1000 * 1000;
  long long t0 = now_ns();
  r = raw4(SYS_rt_sigtimedwait, &w, &si, &ts, 8);
  long long el = now_ns() - t0;
  CHECKF("sigtimedwait/timeout-eagain", r == -EAGAIN && el >= 45000000LL && el < 2000000000LL, "r %ld after %lld ms", r,
         el / 1000000);
  ts.tv_nsec = 1000000000;
  CHECK_RET("sigtimedwait/einval-bad-timeout", raw4(SYS_rt_sigtimedwait, &w, &si, &ts, 8), -EINVAL);
  c = kill_later(SIGUSR2, 50);
  r = raw4(SYS_rt_sigtimedwait, &w, 0, 0, 8);
  CHECK_RET("sigtimedwait/waits-for-signal", r, SIGUSR2);
  waitpid(c, NULL, 0);
  /* an ignored signal that was blocked before the wait is still taken:
   * the wait unblocks it, but it stays unignorable (Linux's real_blocked) */
  signal(SIGUSR2, SIG_IGN);
  c = kill_later(SIGUSR2, 50);
  ts.tv_sec = 5;
  ts.tv_nsec = 0;
  r = raw4(SYS_rt_sigtimedwait, &w, &si, &ts, 8);
  CHECK_RET("sigtimedwait/takes-ignored-blocked-signal", r, SIGUSR2);
  waitpid(c, NULL, 0);
  /* ... and one that was not blocked is thrown away: the wait times out */
  set_mask(0);
  c = kill_later(SIGUSR2, 20);
  ts.tv_sec = 0;
  ts.tv_nsec = 300 * 1000 * 1000;
  r = raw4(SYS_rt_sigtimedwait, &w, &si, &ts, 8);
  CHECK_RET("sigtimedwait/ignored-unblocked-signal-dropped", r, -EAGAIN);
  waitpid(c, NULL, 0);
  signal(SIGUSR2, SIG_DFL);
  set_mask(0);
  signal(SIGUSR1, SIG_DFL);
}

/* ---- the signal frame ---- */

/* FP registers: loaded, then a handler that clobbers all of them and fcsr
 * runs (kill from inside the same asm block), then read back. */
static uint64_t fp_in[32], fp_out[32];
static uint64_t fcsr_out;
void fp_clobber_handler(int);
__asm__(".text\n.globl fp_clobber_handler\n.type fp_clobber_handler, @function\n"
        "fp_clobber_handler:\n"
        "  li t0, 0x4142434445464748\n"
        "  fmv.d.x f0, t0\n fmv.d.x f1, t0\n fmv.d.x f2, t0\n fmv.d.x f3, t0\n"
        "  fmv.d.x f4, t0\n fmv.d.x f5, t0\n fmv.d.x f6, t0\n fmv.d.x f7, t0\n"
        "  fmv.d.x f8, t0\n fmv.d.x f9, t0\n fmv.d.x f10, t0\n fmv.d.x f11, t0\n"
        "  fmv.d.x f12, t0\n fmv.d.x f13, t0\n fmv.d.x f14, t0\n fmv.d.x f15, t0\n"
        "  fmv.d.x f16, t0\n fmv.d.x f17, t0\n fmv.d.x f18, t0\n fmv.d.x f19, t0\n"
        "  fmv.d.x f20, t0\n fmv.d.x f21, t0\n fmv.d.x f22, t0\n fmv.d.x f23, t0\n"
        "  fmv.d.x f24, t0\n fmv.d.x f25, t0\n fmv.d.x f26, t0\n fmv.d.x f27, t0\n"
        "  fmv.d.x f28, t0\n fmv.d.x f29, t0\n fmv.d.x f30, t0\n fmv.d.x f31, t0\n"
        "  li t0, 0x9f\n csrw fcsr, t0\n"
        "  ret\n.size fp_clobber_handler, .-fp_clobber_handler\n");

#define FLD(n) "fld f" #n ", " #n "*8(%[in])\n"
#define FSD(n) "fsd f" #n ", " #n "*8(%[out])\n"
#define ALL32(M)                                                                                         \
  M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15) M(16) M(17) M(18) \
  M(19) M(20) M(21) M(22) M(23) M(24) M(25) M(26) M(27) M(28) M(29) M(30) M(31)

static void fp_round_trip(int sig)
{
  long pid = getpid();
  register long a0 __asm__("a0") = pid;
  register long a1 __asm__("a1") = sig;
  register long a7 __asm__("a7") = SYS_kill;
  __asm__ volatile("li t0, 0x21\n csrw fcsr, t0\n" ALL32(FLD) "ecall\n" ALL32(FSD) "frcsr t0\n sd t0, 0(%[csr])\n"
                   : "+r"(a0)
                   : "r"(a1), "r"(a7), [in] "r"(fp_in), [out] "r"(fp_out), [csr] "r"(&fcsr_out)
                   : "t0", "memory", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12",
                     "f13", "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26",
                     "f27", "f28", "f29", "f30", "f31");
}

static volatile uint64_t uc_f10;
static volatile unsigned uc_fcsr;
static volatile unsigned long uc_pc, uc_sp;

static void uc_reader(int sig, siginfo_t *si, void *ucv)
{
  (void)sig;
  (void)si;
  ucontext_t *uc = ucv;
  uc_f10 = uc->uc_mcontext.__fpregs.__d.__f[10];
  uc_fcsr = uc->uc_mcontext.__fpregs.__d.__fcsr;
  uc_pc = uc->uc_mcontext.__gregs[REG_PC];
  uc_sp = uc->uc_mcontext.__gregs[REG_SP];
}

/* skip_and_set: a SIGSEGV handler that steps over the 4-byte faulting
 * instruction and hands back a0 = 1234. */
static void skip_and_set(int sig, siginfo_t *si, void *ucv)
{
  (void)sig;
  (void)si;
  ucontext_t *uc = ucv;
  uc->uc_mcontext.__gregs[REG_PC] += 4;
  uc->uc_mcontext.__gregs[REG_A0] = 1234;
}

static void test_frame(void)
{
  for (int i = 0; i < 32; i++)
    fp_in[i] = 0x3ff0000000000000ULL + ((uint64_t)i << 40) + i; /* distinct doubles */
  ksigaction(SIGUSR1, (void *)fp_clobber_handler, 0, 0, NULL);
  memset(fp_out, 0, sizeof(fp_out));
  fp_round_trip(SIGUSR1);
  int same = 1, bad = -1;
  for (int i = 0; i < 32; i++)
    if (fp_out[i] != fp_in[i]) {
      same = 0;
      bad = i;
      break;
    }
  CHECKF("frame/fp-registers-survive-clobbering-handler", same, "f%d is %llx, was %llx", bad,
         bad >= 0 ? (unsigned long long)fp_out[bad] : 0ULL, bad >= 0 ? (unsigned long long)fp_in[bad] : 0ULL);
  CHECKF("frame/fcsr-survives-clobbering-handler", fcsr_out == 0x21, "fcsr %llx, was 0x21",
         (unsigned long long)fcsr_out);

  ksigaction(SIGUSR1, (void *)uc_reader, SA_SIGINFO, 0, NULL);
  fp_round_trip(SIGUSR1);
  CHECKF("frame/ucontext-has-fp-state", uc_f10 == fp_in[10] && (uc_fcsr & 0xff) == 0x21, "f10 %llx fcsr %x",
         (unsigned long long)uc_f10, uc_fcsr);
  CHECK("frame/ucontext-pc-and-sp", uc_pc != 0 && uc_sp != 0);
  signal(SIGUSR1, SIG_DFL);

  /* A handler edits the context: pc past the faulting load, a0 = 1234. */
  ksigaction(SIGSEGV, (void *)skip_and_set, SA_SIGINFO, 0, NULL);
  long got;
  {
    register long a0 __asm__("a0") = 0;
    __asm__ volatile(".option push\n.option norvc\n ld t0, 0(%1)\n.option pop\n" : "+r"(a0) : "r"(BAD_PTR) : "t0", "memory");
    got = a0;
  }
  signal(SIGSEGV, SIG_DFL);
  CHECKF("frame/sigreturn-restores-edited-context", got == 1234, "a0 %ld", got);
}

/* ---- sigaltstack ---- */

static char alt[64 * 1024] __attribute__((aligned(16)));
static volatile char *handler_local;
static volatile int alt_flags;

static void on_alt(int sig)
{
  (void)sig;
  volatile char here;
  handler_local = &here;
  stack_t cur;
  sigaltstack(NULL, &cur);
  alt_flags = cur.ss_flags;
}

static int depth(int n)
{
  volatile char pad[512];
  pad[0] = n;
  return n > 0 ? depth(n + 1) + pad[0] : 0; /* never ends: overflows */
}

static void overflow_handler(int sig)
{
  (void)sig;
  _exit(0);
}

static void test_altstack(void)
{
  stack_t ss = {alt, 0, sizeof(alt)}, old;
  CHECK_RET("sigaltstack/set", raw2(SYS_sigaltstack, &ss, &old), 0);
  CHECK("sigaltstack/old-was-disabled", old.ss_flags == SS_DISABLE);
  ksigaction(SIGUSR1, (void *)on_alt, SA_ONSTACK, 0, NULL);
  kill(getpid(), SIGUSR1);
  CHECKF("sigaltstack/handler-runs-on-it", handler_local >= alt && handler_local < alt + sizeof(alt), "local at %p",
         handler_local);
  CHECKF("sigaltstack/ss-onstack-inside", alt_flags == SS_ONSTACK, "flags %d", alt_flags);
  ksigaction(SIGUSR1, (void *)on_alt, 0, 0, NULL);
  kill(getpid(), SIGUSR1);
  CHECK("sigaltstack/not-without-sa-onstack", !(handler_local >= alt && handler_local < alt + sizeof(alt)));
  stack_t small = {alt, 0, 1024};
  CHECK_RET("sigaltstack/enomem-too-small", raw2(SYS_sigaltstack, &small, 0), -ENOMEM);
  stack_t badf = {alt, 0x1234, sizeof(alt)};
  CHECK_RET("sigaltstack/einval-flags", raw2(SYS_sigaltstack, &badf, 0), -EINVAL);
  stack_t dis = {0, SS_DISABLE, 0};
  CHECK_RET("sigaltstack/disable", raw2(SYS_sigaltstack, &dis, 0), 0);
  signal(SIGUSR1, SIG_DFL);

  /* The classic use: catch a stack overflow on the alternate stack. */
  pid_t c = fork();
  if (c == 0) {
    stack_t s2 = {alt, 0, sizeof(alt)};
    sigaltstack(&s2, 0);
    ksigaction(SIGSEGV, (void *)overflow_handler, SA_ONSTACK, 0, NULL);
    struct rlimit rl = {1 << 20, 1 << 20};
    setrlimit(RLIMIT_STACK, &rl);
    depth(1);
    _exit(3);
  }
  int st = wait_child_timeout(c, 20000);
  CHECKF("sigaltstack/catches-stack-overflow", EXITED_OK(st), "%s", status_str(st));
}

/* ---- default actions, faults ---- */

/* report_fault: exit 0 if si_code is expect_code and si_addr the faulting
 * instruction (abi_illegal or abi_ebreak), 1 or 2 otherwise. */
extern char abi_illegal[], abi_ebreak[];
static volatile int expect_code;
static void report_fault(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  if (si->si_code != expect_code)
    _exit(1);
  _exit(si->si_addr == (sig == SIGILL ? abi_illegal : abi_ebreak) ? 0 : 2);
}

static volatile int *volatile nowhere = BAD_PTR;

static int die_by(int sig)
{
  pid_t c = fork();
  if (c == 0) {
    kill(getpid(), sig);
    msleep(200);
    _exit(0);
  }
  int st = wait_child_timeout(c, 5000);
  return st;
}

static void test_defaults(void)
{
  int st = die_by(SIGTERM);
  CHECKF("default/sigterm-terminates", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "%s", status_str(st));
  st = die_by(SIGUSR2);
  CHECKF("default/sigusr2-terminates", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2, "%s", status_str(st));
  st = die_by(SIGFPE);
  CHECKF("default/sigfpe-by-kill-terminates", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGFPE, "%s", status_str(st));
  st = die_by(SIGCHLD);
  CHECKF("default/sigchld-ignored", EXITED_OK(st), "%s", status_str(st));
  st = die_by(SIGWINCH);
  CHECKF("default/sigwinch-ignored", EXITED_OK(st), "%s", status_str(st));
  st = die_by(SIGURG);
  CHECKF("default/sigurg-ignored", EXITED_OK(st), "%s", status_str(st));
  st = die_by(SIGCONT);
  CHECKF("default/sigcont-alone-continues", EXITED_OK(st), "%s", status_str(st));

  pid_t c = fork();
  if (c == 0) {
    *nowhere = 1;
    _exit(0);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("fault/sigsegv-default-kills", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s", status_str(st));

  c = fork();
  if (c == 0) {
    /* A fault while SIGSEGV is blocked still kills (the block is ignored). */
    ksigaction(SIGSEGV, (void *)counting, 0, 0, NULL);
    uint64_t b = SIGBIT(SIGSEGV);
    raw4(SYS_rt_sigprocmask, SIG_BLOCK, &b, 0, 8);
    *nowhere = 1;
    _exit(0);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("fault/blocked-sigsegv-still-kills", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s",
         status_str(st));

  /* SIGILL: an all-zero instruction is illegal. SIGTRAP: ebreak. First
   * the default action, then a handler that reports si_code and si_addr. */
  c = fork();
  if (c == 0) {
    __asm__ volatile(".word 0");
    _exit(0);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("fault/sigill-default-kills", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL, "%s", status_str(st));
  c = fork();
  if (c == 0) {
    ksigaction(SIGILL, (void *)report_fault, SA_SIGINFO, 0, NULL);
    expect_code = ILL_ILLOPC;
    __asm__ volatile(".globl abi_illegal\nabi_illegal: .word 0");
    _exit(9);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("fault/sigill-siginfo", EXITED_OK(st), "%s (1: wrong si_code, 2: wrong si_addr)", status_str(st));
  c = fork();
  if (c == 0) {
    __asm__ volatile("ebreak");
    _exit(0);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("fault/sigtrap-ebreak-default-kills", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP, "%s",
         status_str(st));
  c = fork();
  if (c == 0) {
    ksigaction(SIGTRAP, (void *)report_fault, SA_SIGINFO, 0, NULL);
    expect_code = TRAP_BRKPT;
    __asm__ volatile(".globl abi_ebreak\nabi_ebreak: ebreak");
    _exit(9);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("fault/sigtrap-siginfo", EXITED_OK(st), "%s (1: wrong si_code, 2: wrong si_addr)", status_str(st));

  /* riscv integer division by zero does not trap. */
  volatile long zero = 0, x = 7;
  long q = x / zero;
  CHECKF("fault/no-trap-on-integer-division-by-zero", q == -1, "7/0 = %ld (riscv gives -1)", q);
  CHECK_RET("kill/einval-bad-signal", raw2(SYS_kill, getpid(), 65), -EINVAL);
  CHECK_RET("kill/esrch", raw2(SYS_kill, 999999, 0), -ESRCH);
  CHECK_RET("kill/probe-self", raw2(SYS_kill, getpid(), 0), 0);
}

/* ---- SIGCHLD, SIGPIPE ---- */

static void test_sigchld_sigpipe(void)
{
  reset_counts();
  ksigaction(SIGCHLD, (void *)info_handler, SA_SIGINFO | SA_RESTART, 0, NULL);
  pid_t c = fork();
  if (c == 0)
    _exit(7);
  for (int i = 0; i < 500 && !hits; i++)
    msleep(2);
  CHECKF("sigchld/on-child-exit", hits == 1 && last_code == CLD_EXITED && last_pid == c, "hits %d code %d pid %d",
         hits, last_code, last_pid);
  waitpid(c, NULL, 0);
  reset_counts();
  c = fork();
  if (c == 0) {
    pause();
    _exit(0);
  }
  kill(c, SIGKILL);
  for (int i = 0; i < 500 && !hits; i++)
    msleep(2);
  CHECKF("sigchld/on-child-killed", hits == 1 && last_code == CLD_KILLED, "hits %d code %d", hits, last_code);
  waitpid(c, NULL, 0);
  signal(SIGCHLD, SIG_DFL);

  int p[2];
  pipe(p);
  close(p[0]);
  reset_counts();
  ksigaction(SIGPIPE, (void *)counting, 0, 0, NULL);
  long r = raw3(SYS_write, p[1], "x", 1);
  CHECKF("sigpipe/handler-and-epipe", r == -EPIPE && hits == 1 && last_sig == SIGPIPE, "write %ld hits %d", r, hits);
  signal(SIGPIPE, SIG_IGN);
  r = raw3(SYS_write, p[1], "x", 1);
  CHECK_RET("sigpipe/ignored-gives-epipe", r, -EPIPE);
  signal(SIGPIPE, SIG_DFL);
  c = fork();
  if (c == 0) {
    write(p[1], "x", 1);
    _exit(0);
  }
  int st = wait_child_timeout(c, 5000);
  CHECKF("sigpipe/default-kills", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "%s", status_str(st));
  close(p[1]);

  /* SIGCHLD ignored: children are reaped by the kernel. */
  c = fork();
  if (c == 0) {
    signal(SIGCHLD, SIG_IGN);
    pid_t g = fork();
    if (g == 0)
      _exit(0);
    msleep(50);
    long w = raw4(SYS_wait4, -1, 0, 0, 0);
    _exit(w == -ECHILD ? 0 : 1);
  }
  st = wait_child_timeout(c, 5000);
  CHECKF("sigchld/ignored-means-auto-reap", EXITED_OK(st), "%s", status_str(st));
}

/* ---- stop and continue ---- */

static void test_stop(void)
{
  reset_counts();
  ksigaction(SIGCHLD, (void *)info_handler, SA_SIGINFO | SA_RESTART, 0, NULL);
  pid_t c = fork();
  if (c == 0) {
    for (;;)
      msleep(10);
  }
  msleep(20);
  kill(c, SIGSTOP);
  int st = 0;
  pid_t w = waitpid(c, &st, WUNTRACED);
  CHECKF("stop/wuntraced-reports-stop", w == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP && st == 0x137f,
         "status 0x%x", st);
  for (int i = 0; i < 200 && last_code != CLD_STOPPED; i++)
    msleep(2);
  CHECKF("stop/sigchld-cld-stopped", last_code == CLD_STOPPED, "code %d", last_code);
  CHECK_RET("stop/no-second-report", raw4(SYS_wait4, c, &st, WNOHANG | WUNTRACED, 0), 0);
  reset_counts();
  kill(c, SIGCONT);
  w = waitpid(c, &st, WCONTINUED);
  CHECKF("stop/wcontinued-reports-continue", w == c && WIFCONTINUED(st) && st == 0xffff, "status 0x%x", st);
  for (int i = 0; i < 200 && last_code != CLD_CONTINUED; i++)
    msleep(2);
  CHECKF("stop/sigchld-cld-continued", last_code == CLD_CONTINUED, "code %d", last_code);

  /* SA_NOCLDSTOP: no SIGCHLD for stops. */
  ksigaction(SIGCHLD, (void *)info_handler, SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP, 0, NULL);
  reset_counts();
  kill(c, SIGTSTP);
  w = waitpid(c, &st, WUNTRACED);
  msleep(30);
  CHECKF("stop/sigtstp-stops", w == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "status 0x%x", st);
  if (!skip_on_qemu("stop/sa-nocldstop", "the host's SIGCHLD for a stop is passed on despite SA_NOCLDSTOP"))
    CHECKF("stop/sa-nocldstop", hits == 0, "SIGCHLD arrived (code %d)", last_code);
  kill(c, SIGKILL);
  w = waitpid(c, &st, 0);
  CHECKF("stop/sigkill-ends-stopped-process", w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status 0x%x", st);
  signal(SIGCHLD, SIG_DFL);
}

/* ---- EINTR and SA_RESTART ---- */

/* blocked_read: read from an empty pipe while a child sends `sig` after
 * 50 ms and writes a byte after 150 ms. Returns read's raw result. */
static long blocked_read(int sig)
{
  int p[2];
  pipe(p);
  pid_t parent = getpid();
  pid_t c = fork();
  if (c == 0) {
    msleep(50);
    kill(parent, sig);
    msleep(100);
    write(p[1], "d", 1);
    _exit(0);
  }
  char x;
  long r = raw3(SYS_read, p[0], &x, 1);
  waitpid(c, NULL, 0);
  close(p[0]);
  close(p[1]);
  return r;
}

static void test_eintr(void)
{
  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, 0, 0, NULL);
  long r = blocked_read(SIGUSR1);
  CHECKF("eintr/read-interrupted-without-sa-restart", r == -EINTR && hits == 1, "read %ld hits %d", r, hits);
  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, SA_RESTART, 0, NULL);
  r = blocked_read(SIGUSR1);
  CHECKF("eintr/read-restarted-with-sa-restart", r == 1 && hits == 1, "read %ld hits %d", r, hits);
  signal(SIGUSR1, SIG_IGN);
  r = blocked_read(SIGUSR1);
  CHECKF("eintr/ignored-signal-never-interrupts", r == 1, "read %ld", r);
  signal(SIGUSR1, SIG_DFL);
  r = blocked_read(SIGWINCH); /* default action: ignore */
  CHECKF("eintr/default-ignored-signal-never-interrupts", r == 1, "read %ld", r);

  /* nanosleep is not restarted, even with SA_RESTART: EINTR with the rest. */
  reset_counts();
  ksigaction(SIGUSR1, (void *)counting, SA_RESTART, 0, NULL);
  pid_t c = kill_later(SIGUSR1, 50);
  struct timespec ts = {5, 0}, rem = {0, 0};
  r = raw2(SYS_nanosleep, &ts, &rem);
  CHECKF("eintr/nanosleep-eintr-even-with-sa-restart", r == -EINTR && rem.tv_sec >= 1 && rem.tv_sec <= 5,
         "r %ld rem %ld.%09ld", r, (long)rem.tv_sec, rem.tv_nsec);
  waitpid(c, NULL, 0);

  /* poll-type waits are not restarted either. */
  int p[2];
  pipe(p);
  struct pollfd pf = {p[0], POLLIN, 0};
  struct timespec pt = {2, 0};
  c = kill_later(SIGUSR1, 50);
  r = raw5(SYS_ppoll, &pf, 1, &pt, 0, 8);
  CHECK_RET("eintr/ppoll-eintr-even-with-sa-restart", r, -EINTR);
  waitpid(c, NULL, 0);
  close(p[0]);
  close(p[1]);

  /* wait4 is restarted with SA_RESTART. */
  pid_t slow = fork();
  if (slow == 0) {
    msleep(200);
    _exit(4);
  }
  c = kill_later(SIGUSR1, 50);
  int st = 0;
  r = raw4(SYS_wait4, slow, &st, 0, 0);
  CHECKF("eintr/wait4-restarted-with-sa-restart", r == slow && WEXITSTATUS(st) == 4, "wait4 %ld", r);
  waitpid(c, NULL, 0);

  /* An ignored signal does not cut a sleep short either. */
  signal(SIGUSR1, SIG_IGN);
  c = kill_later(SIGUSR1, 20);
  ts.tv_sec = 0;
  ts.tv_nsec = 150 * 1000 * 1000;
  long long t0 = now_ns();
  r = raw2(SYS_nanosleep, &ts, 0);
  long long el = now_ns() - t0;
  CHECKF("eintr/ignored-signal-does-not-wake-nanosleep", r == 0 && el >= 140000000LL, "r %ld after %lld ms", r,
         el / 1000000);
  waitpid(c, NULL, 0);
  signal(SIGUSR1, SIG_DFL);
}

/* ---- kill to groups ---- */

static void test_kill_groups(void)
{
  int gate[2];
  pipe(gate);
  pid_t a = fork();
  if (a == 0) {
    setpgid(0, 0);
    close(gate[1]);
    char x;
    read(gate[0], &x, 1);
    for (;;)
      pause();
  }
  setpgid(a, a);
  pid_t b = fork();
  if (b == 0) {
    setpgid(0, a);
    close(gate[1]);
    char x;
    read(gate[0], &x, 1);
    for (;;)
      pause();
  }
  setpgid(b, a);
  close(gate[0]);
  close(gate[1]);
  msleep(20);
  long r = raw2(SYS_kill, -a, SIGTERM);
  int sa = 0, sb = 0;
  waitpid(a, &sa, 0);
  waitpid(b, &sb, 0);
  CHECKF("kill/process-group", r == 0 && WIFSIGNALED(sa) && WTERMSIG(sa) == SIGTERM && WIFSIGNALED(sb) &&
                                   WTERMSIG(sb) == SIGTERM,
         "kill %ld, %s", r, status_str(sb));
  CHECK_RET("kill/esrch-empty-group", raw2(SYS_kill, -a, SIGTERM), -ESRCH);
  pid_t z = fork();
  if (z == 0)
    _exit(0);
  msleep(50);
  CHECK_RET("kill/zombie-ok", raw2(SYS_kill, z, 0), 0);
  waitpid(z, NULL, 0);
}

int main(void)
{
  abi_family = "signal";
  struct rlimit core;
  getrlimit(RLIMIT_CORE, &core);
  core.rlim_cur = 0;
  setrlimit(RLIMIT_CORE, &core);
  run_section("sigaction", test_sigaction, 60000);
  run_section("masks", test_masks, 60000);
  run_section("wait", test_wait_for_signal, 60000);
  run_section("frame", test_frame, 60000);
  run_section("altstack", test_altstack, 60000);
  run_section("defaults", test_defaults, 60000);
  run_section("sigchld-sigpipe", test_sigchld_sigpipe, 60000);
  run_section("stop", test_stop, 60000);
  run_section("eintr", test_eintr, 60000);
  run_section("kill", test_kill_groups, 60000);
  return abi_done();
}
