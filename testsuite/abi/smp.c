/*
 * smp.c — several harts (testsuite/abi, family "smp"): what user space
 * sees of them, what must hold when threads of one address space run on
 * different harts at once, and a race stress. User space; runs on Kite at
 * any -smp and on Linux (qemu-riscv64), where "harts" are the host's CPUs.
 *
 *   info     sched_getaffinity, /proc/cpuinfo and /proc/stat agree on the
 *            number of harts; affinity pins a thread (getcpu says where it
 *            runs), is inherited by fork, refuses empty masks
 *   tlb      a page another thread keeps reading faults there as soon as
 *            munmap returns; a page made read-only refuses its writes as
 *            soon as mprotect returns; a child forked while threads write
 *            sees a frozen copy (TLB shootdown, docs/smp.md)
 *   signal   a signal to a thread spinning in user mode on another hart
 *            arrives (and how late)
 *
 * The race stress is smp_stress.c.
 */
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static int ncpus;                 /* harts we may run on */
static int cpu_ids[64];           /* their numbers */

/* ---- helpers ---- */

static int pin(int cpu) /* the calling thread to one hart */
{
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  return sched_setaffinity(0, sizeof(s), &s);
}

static void unpin(void)
{
  cpu_set_t s;
  CPU_ZERO(&s);
  for (int i = 0; i < ncpus; i++)
    CPU_SET(cpu_ids[i], &s);
  sched_setaffinity(0, sizeof(s), &s);
}

static int count_lines(const char *path, const char *prefix, int digit_after)
{
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char line[512];
  int n = 0;
  size_t len = strlen(prefix);
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, prefix, len) == 0 && (!digit_after || (line[len] >= '0' && line[len] <= '9')))
      n++;
  fclose(f);
  return n;
}

/* Per-thread fault catching: probe_touch() returns 1 if the access faulted. */
static __thread sigjmp_buf t_env;
static __thread volatile int t_probing;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
  (void)si;
  (void)uc;
  if (t_probing)
    siglongjmp(t_env, 1);
  signal(sig, SIG_DFL); /* a real crash */
}

/* Touch *p (write val, or read it into *got); returns 1 if that faulted. */
static int probe_touch(volatile char *p, int write, char val, char *got)
{
  t_probing = 1;
  if (sigsetjmp(t_env, 1)) {
    t_probing = 0;
    return 1;
  }
  if (write)
    *p = val;
  else if (got)
    *got = *p;
  else
    (void)*p;
  t_probing = 0;
  return 0;
}

static void catch_segv(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = segv_handler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

/* The child exited with status 0 within 10 s (EXITED_OK evaluates its argument thrice). */
static int child_ok(pid_t pid)
{
  int st = wait_child_timeout(pid, 10000);
  return EXITED_OK(st);
}

/* Spin until *v >= want or ms pass; returns whether it got there. */
static int wait_for(atomic_int *v, int want, long ms)
{
  long long end = now_ns() + ms * 1000000LL;
  while (atomic_load(v) < want) {
    if (now_ns() > end)
      return 0;
    sched_yield();
  }
  return 1;
}

/* ---- info: harts, affinity ---- */

static void test_info(void)
{
  int online = (int)sysconf(_SC_NPROCESSORS_ONLN);
  CHECKF("info/affinity-is-online", ncpus == online, "affinity %d harts, sysconf %d", ncpus, online);
  if (!on_qemu_user()) { /* qemu-user shows the host's files */
    int ci = count_lines("/proc/cpuinfo", "processor", 0);
    CHECKF("info/cpuinfo-processors", ci == ncpus, "%d processor lines, %d harts", ci, ncpus);
    int st = count_lines("/proc/stat", "cpu", 1);
    CHECKF("info/stat-cpu-lines", st == ncpus, "%d cpuN lines, %d harts", st, ncpus);
  }
  int ok = 1;
  for (int i = 0; i < ncpus; i++) {
    if (pin(cpu_ids[i]) != 0) {
      ok = 0;
      break;
    }
    sched_yield(); /* move now if we were elsewhere */
    int where = sched_getcpu();
    if (where != cpu_ids[i]) {
      ok = 0;
      abi_line("# smp: pinned to %d, getcpu says %d", cpu_ids[i], where);
    }
  }
  CHECK("info/pin-each-hart", ok);
  pin(cpu_ids[ncpus - 1]);
  pid_t pid = fork();
  if (pid == 0) {
    cpu_set_t s;
    CPU_ZERO(&s);
    _exit(sched_getaffinity(0, sizeof(s), &s) == 0 && CPU_COUNT(&s) == 1 &&
          CPU_ISSET(cpu_ids[ncpus - 1], &s) ? 0 : 1);
  }
  CHECK("info/fork-inherits-affinity", child_ok(pid));
  unpin();
  cpu_set_t empty;
  CPU_ZERO(&empty);
  CHECK_RET("info/empty-mask-einval", raw3(SYS_sched_setaffinity, 0, sizeof(empty), &empty), -EINVAL);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu_ids[0], &one);
  CHECK_RET("info/no-such-pid", raw3(SYS_sched_setaffinity, 999999, sizeof(one), &one), -ESRCH);
  CHECK_RET("info/getaffinity-efault", raw3(SYS_sched_getaffinity, 0, 128, BAD_PTR), -EFAULT);
}

/* ---- tlb: changes to a shared address space reach every hart ---- */

static struct {
  atomic_int phase;               /* round * 4 + state: 1 mapped, 2 unmapped, 3 read-only
                                     (one word, so a reader never pairs a round with the
                                     state of another) */
  atomic_int acks;
  atomic_int stop;
  atomic_long bad, faults;
  char *volatile page;
} tl;

static void *tlb_reader(void *arg)
{
  pin((int)(long)arg);
  int seen = 0;
  while (!atomic_load(&tl.stop)) {
    int key = atomic_load(&tl.phase), st = key & 3, r = key >> 2;
    volatile char *p = tl.page;
    if (st == 1) {
      /* Keep the page in this hart's TLB: it may fault once munmap starts. */
      char v;
      if (!probe_touch(p, 0, 0, &v) && v != (char)r && atomic_load(&tl.phase) == key)
        atomic_fetch_add(&tl.bad, 1);
    } else if (st == 2 && key != seen) {
      /* munmap has returned: the access must fault, on every hart. */
      if (probe_touch(p, 0, 0, NULL))
        atomic_fetch_add(&tl.faults, 1);
      else
        atomic_fetch_add(&tl.bad, 1);
    } else if (st == 3 && key != seen) {
      /* mprotect(PROT_READ) has returned: reading works, writing faults. */
      if (probe_touch(p, 0, 0, NULL) || !probe_touch(p, 1, 9, NULL))
        atomic_fetch_add(&tl.bad, 1);
      else
        atomic_fetch_add(&tl.faults, 1);
    }
    if (st && key != seen) {
      seen = key;
      atomic_fetch_add(&tl.acks, 1);
    }
  }
  return NULL;
}

static void test_tlb(void)
{
  catch_segv();
  pin(cpu_ids[0]);
  int nr = ncpus > 1 ? (ncpus - 1 < 4 ? ncpus - 1 : 4) : 1;
  pthread_t th[4];
  memset(&tl, 0, sizeof(tl));
  for (int i = 0; i < nr; i++)
    pthread_create(&th[i], NULL, tlb_reader, (void *)(long)cpu_ids[ncpus > 1 ? 1 + i : 0]);
  int rounds = 40, ok = 1;
  for (int r = 1; r <= rounds && ok; r++) {
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = (char)r;
    tl.page = p;
    atomic_store(&tl.acks, 0);
    atomic_store(&tl.phase, r * 4 + 1);
    ok = wait_for(&tl.acks, nr, 5000);
    if (r % 2) {
      munmap(p, 4096);
      atomic_store(&tl.acks, 0);
      atomic_store(&tl.phase, r * 4 + 2);
      ok = ok && wait_for(&tl.acks, nr, 5000);
    } else {
      mprotect(p, 4096, PROT_READ);
      atomic_store(&tl.acks, 0);
      atomic_store(&tl.phase, r * 4 + 3);
      ok = ok && wait_for(&tl.acks, nr, 5000);
      atomic_store(&tl.phase, r * 4);
      munmap(p, 4096);
    }
  }
  atomic_store(&tl.stop, 1);
  for (int i = 0; i < nr; i++)
    pthread_join(th[i], NULL);
  CHECKF("tlb/readers-kept-up", ok, "a reader did not acknowledge a change within 5 s");
  CHECKF("tlb/munmap-mprotect-seen-everywhere", atomic_load(&tl.bad) == 0 && atomic_load(&tl.faults) == rounds * nr,
         "%ld stale accesses, %ld of %d expected faults", atomic_load(&tl.bad), atomic_load(&tl.faults),
         rounds * nr);
  unpin();
}

/* fork while other threads write: the child's copy must not change. */
static atomic_int cow_stop;
static volatile long *cow_page;

static void *cow_writer(void *arg)
{
  pin((int)(long)arg);
  while (!atomic_load(&cow_stop))
    (*cow_page)++;
  return NULL;
}

static void test_cow(void)
{
  cow_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int nw = ncpus > 1 ? (ncpus - 1 < 3 ? ncpus - 1 : 3) : 1;
  pthread_t th[3];
  atomic_store(&cow_stop, 0);
  for (int i = 0; i < nw; i++)
    pthread_create(&th[i], NULL, cow_writer, (void *)(long)cpu_ids[ncpus > 1 ? 1 + i : 0]);
  int bad = 0, runs = 20;
  for (int i = 0; i < runs; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      long a = *cow_page;
      msleep(5);
      long b = *cow_page;
      _exit(a == b ? 0 : 1);
    }
    if (!child_ok(pid))
      bad++;
  }
  atomic_store(&cow_stop, 1);
  for (int i = 0; i < nw; i++)
    pthread_join(th[i], NULL);
  CHECKF("tlb/fork-snapshot-while-threads-write", bad == 0, "%d of %d children saw the parent's writes",
         bad, runs);
  munmap((void *)cow_page, 4096);
}

/* ---- signal: to a thread spinning in user mode, maybe on another hart ---- */

static atomic_int sig_got[4], spin_stop;
static __thread int my_slot;

static void usr1_handler(int s)
{
  (void)s;
  atomic_fetch_add(&sig_got[my_slot], 1);
}

static atomic_int spin_tids[4];

static void *spinner(void *arg)
{
  my_slot = (int)(long)arg;
  if (ncpus > 1)
    pin(cpu_ids[1 + my_slot % (ncpus - 1)]);
  atomic_store(&spin_tids[my_slot], (int)raw0(SYS_gettid));
  volatile unsigned long x = 0;
  while (!atomic_load(&spin_stop))
    x++; /* no system calls: only an interrupt brings it into the kernel */
  return NULL;
}

static void test_signal(void)
{
  signal(SIGUSR1, usr1_handler);
  pin(cpu_ids[0]);
  int nt = ncpus > 1 ? (ncpus - 1 < 4 ? ncpus - 1 : 4) : 1;
  pthread_t th[4];
  atomic_store(&spin_stop, 0);
  for (int i = 0; i < nt; i++) {
    atomic_store(&sig_got[i], 0);
    atomic_store(&spin_tids[i], 0);
    pthread_create(&th[i], NULL, spinner, (void *)(long)i);
  }
  int ok = 1;
  long long worst = 0;
  for (int i = 0; i < nt && ok; i++) {
    ok = wait_for(&spin_tids[i], 1, 5000);
    for (int k = 0; k < 20 && ok; k++) {
      long long t0 = now_ns();
      raw3(SYS_tgkill, getpid(), atomic_load(&spin_tids[i]), SIGUSR1);
      ok = wait_for(&sig_got[i], k + 1, 10000); /* generous: the host may be busy */
      if (now_ns() - t0 > worst)
        worst = now_ns() - t0;
    }
  }
  atomic_store(&spin_stop, 1);
  for (int i = 0; i < nt; i++)
    pthread_join(th[i], NULL);
  CHECKF("signal/to-spinning-threads", ok, "a signal was not handled within 10 s");
  abi_line("# smp: signal to a thread spinning on another hart: worst %lld us", worst / 1000);
  signal(SIGUSR1, SIG_DFL);
  unpin();
}


int main(int argc, char **argv)
{
  abi_family = "smp";
  (void)argc;
  (void)argv;
  setvbuf(stdout, NULL, _IONBF, 0);
  cpu_set_t s;
  CPU_ZERO(&s);
  if (sched_getaffinity(0, sizeof(s), &s) != 0) {
    CHECK("info/getaffinity", 0);
    return abi_done();
  }
  for (int i = 0; i < CPU_SETSIZE && ncpus < 64; i++)
    if (CPU_ISSET(i, &s))
      cpu_ids[ncpus++] = i;
  abi_line("# smp: %d hart%s", ncpus, ncpus == 1 ? "" : "s");
  const char *only = getenv("SMP_ONLY");
  if (!only || !strcmp(only, "info"))
    run_section("info", test_info, 30000);
  if (!only || !strcmp(only, "tlb")) {
    run_section("tlb", test_tlb, 60000);
    run_section("cow", test_cow, 60000);
  }
  if (!only || !strcmp(only, "signal"))
    run_section("signal", test_signal, 60000);
  return abi_done();
}
