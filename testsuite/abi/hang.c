/*
 * hang.c — programs that used to hang the whole machine (testsuite/abi):
 * each runs in a child with a time limit and must end the way Linux ends
 * it — killed by SIGSEGV, or an error — while the kernel stays up.
 *
 *   frame/...    a signal frame that cannot be written (bad stack pointer,
 *                alternate stack in unmapped memory) for a SIGSEGV handler
 *                with SA_NODEFER: Linux resets the handler and kills
 *   brk/...      breaks near and past the top of the address space
 *   mremap/...   lengths and destinations that would wrap past 2^64
 *   low/...      mappings below 0x10000 (vm.mmap_min_addr is 4096 on
 *                riscv64; root may map lower) and a static program linked
 *                at 0x1000
 *
 * User space; runs on Linux (qemu-riscv64, the reference Linux) and Kite.
 */
#include "check.h"
#include <sys/resource.h>

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#endif

static char lowexec[300];

static void segv_handler(int sig) { (void)sig; }

/* child: SIGSEGV handler with SA_NODEFER, then a fault with sp unusable */
static void fault_with_bad_sp(void)
{
  ksigaction(SIGSEGV, (void *)segv_handler, SA_NODEFER, 0, NULL);
  __asm__ volatile("li sp, 16\n ld t0, 0(zero)\n" ::: "t0", "memory");
  _exit(0);
}

/* child: the same on an alternate stack that is not mapped */
static void fault_on_unmapped_altstack(void)
{
  char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m, 65536);
  stack_t ss = {.ss_sp = m, .ss_size = 65536, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  ksigaction(SIGSEGV, (void *)segv_handler, SA_NODEFER | SA_ONSTACK, 0, NULL);
  *(volatile int *)BAD_PTR = 1;
  _exit(0);
}

/* child: SIGUSR1's frame cannot be written; SIGSEGV (also SA_NODEFER,
 * also without a usable stack) follows, then the kill */
static void usr1_with_bad_sp(void)
{
  ksigaction(SIGSEGV, (void *)segv_handler, SA_NODEFER, 0, NULL);
  ksigaction(SIGUSR1, (void *)segv_handler, SA_NODEFER, 0, NULL);
  long pid = raw0(SYS_getpid);
  __asm__ volatile("mv a0, %0\n li a1, 10\n li a7, %1\n li sp, 16\n ecall\n 1: j 1b\n"
                   :
                   : "r"(pid), "i"(SYS_kill)
                   : "a0", "a1", "a7", "memory");
  _exit(0);
}

static void expect_sigsegv(const char *name, void (*fn)(void))
{
  pid_t c = fork();
  if (c == 0)
    fn();
  int st = wait_child_timeout(c, 10000);
  CHECKF(name, st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s", status_str(st));
}

static void test_frame(void)
{
  expect_sigsegv("frame/nodefer-bad-sp-killed", fault_with_bad_sp);
  expect_sigsegv("frame/nodefer-unmapped-altstack-killed", fault_on_unmapped_altstack);
  if (!skip_on_qemu("frame/usr1-bad-sp-then-segv-killed", "its own frame setup for the forced SIGSEGV loops (signal.c)"))
    expect_sigsegv("frame/usr1-bad-sp-then-segv-killed", usr1_with_bad_sp);
}

/* every line of /proc/self/maps has start < end */
static int maps_sane(void)
{
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f)
    return 0;
  unsigned long a, b;
  char line[512];
  int ok = 1;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a >= b)
      ok = 0;
  fclose(f);
  return ok;
}

static void brk_child(void *arg)
{
  (void)arg;
  long cur = raw1(SYS_brk, 0);
  CHECK_RET("brk/top-of-2^64-refused", raw1(SYS_brk, 0xfffffffffffff000UL), cur);
  CHECK_RET("brk/minus-one-refused", raw1(SYS_brk, -1L), cur);
  CHECK_RET("brk/2^63-refused", raw1(SYS_brk, 1UL << 63), cur);
  CHECK_RET("brk/grow-still-works", raw1(SYS_brk, cur + 8192), cur + 8192);
  CHECK("brk/maps-sane", maps_sane());
}

static void test_brk(void)
{
  /* the child's exit unmaps whatever brk left: it must end promptly */
  child_checks("brk/child-exits", brk_child, NULL, 10000);
}

static void mremap_child(void *arg)
{
  (void)arg;
  char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  m[0] = 7;
  long r = raw5(SYS_mremap, m, 8192, 0xffffffffffffe000UL, 0, 0);
  CHECK_RET("mremap/grow-in-place-wrapping-enomem", r, -ENOMEM);
  r = raw5(SYS_mremap, m, 8192, 0xffffffffffffe000UL, MREMAP_MAYMOVE, 0);
  CHECK_RET("mremap/move-wrapping-enomem", r, -ENOMEM);
  r = raw5(SYS_mremap, m, 8192, 0x10000, MREMAP_MAYMOVE | MREMAP_FIXED, 0xffffffffffff0000UL);
  CHECK_RET("mremap/fixed-end-wrapping-einval", r, -EINVAL);
  r = raw5(SYS_mremap, m, 8192, 0xfffffffffff00000UL, MREMAP_MAYMOVE | MREMAP_FIXED, 0x100000);
  CHECK_RET("mremap/fixed-huge-length-einval", r, -EINVAL);
  if (!skip_on_qemu("mremap/shrink-and-zero", "mremap is emulated (mmap.c target_mremap)")) {
    r = raw5(SYS_mremap, m, 0xffffffffffffe000UL, 4096, 0, 0);
    CHECK_RET("mremap/shrink-wrapping-old-einval", r, -EINVAL);
    r = raw5(SYS_mremap, m, 8192, 0, 0, 0);
    CHECK_RET("mremap/zero-length-einval", r, -EINVAL);
  }
  r = raw5(SYS_mremap, m + 1, 4096, 8192, 0, 0);
  CHECK_RET("mremap/unaligned-einval", r, -EINVAL);
  r = raw5(SYS_mremap, m, 8192, 8192, 8, 0);
  CHECK_RET("mremap/unknown-flag-einval", r, -EINVAL);
  r = raw5(SYS_mremap, m, 8192, 16384, MREMAP_MAYMOVE, 0);
  CHECKF("mremap/normal-grow-works", r > 0 && ((char *)r)[0] == 7, "r %ld", r);
  CHECK("mremap/maps-sane", maps_sane());
}

static void test_mremap(void) { child_checks("mremap/child-exits", mremap_child, NULL, 10000); }

static void test_low(void)
{
  /* a hint below the minimum is never honoured */
  void *m = mmap((void *)0x2000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECKF("low/hint-below-min-moved", m != MAP_FAILED && (unsigned long)m >= 4096, "%p", m);
  munmap(m, 4096);
  if (!skip_on_qemu("low/fixed-at-0x1000-root", "guest addresses are host addresses plus a base (mmap.c)")) {
    m = mmap((void *)0x1000, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECKF("low/fixed-at-0x1000-root", m == (void *)0x1000, "%p", m);
    if (m != MAP_FAILED)
      munmap(m, 4096);
  }
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    dup2(p[1], 1);
    execl(lowexec, "lowexec", (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char buf[16] = {0};
  read(p[0], buf, sizeof(buf) - 1);
  close(p[0]);
  int st = wait_child_timeout(c, 10000);
  CHECKF("low/exec-at-0x1000", EXITED_OK(st) && strcmp(buf, "ok\n") == 0, "%s, output '%s'", status_str(st), buf);
}

int main(void)
{
  abi_family = "hang";
  const char *dir = getenv("ABI_DIR");
  snprintf(lowexec, sizeof(lowexec), "%s/lowexec", dir ? dir : "/abi");
  struct rlimit core = {0, 0};
  setrlimit(RLIMIT_CORE, &core);
  long before = free_settled_kb();
  run_section("frame", test_frame, 60000);
  run_section("brk", test_brk, 30000);
  run_section("mremap", test_mremap, 30000);
  run_section("low", test_low, 30000);
  check_no_leak("no-leak", before);
  return abi_done();
}
