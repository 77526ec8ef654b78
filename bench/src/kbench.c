/*
 * kbench.c — micro-benchmarks of the system-call paths, run unchanged on
 * Kite and on the reference Linux (bench/run.sh). Each prints
 * "BENCH <name> <value> <unit>". Times come from CLOCK_MONOTONIC; every
 * measurement is the median of 5 runs of a loop.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median over 5 runs of fn(n), in microseconds per iteration. KBENCH_N=<n>
 * in the environment sets every loop's n (bench/tbtrace.py logs each TB
 * QEMU runs, so it wants a few thousand iterations, not 100,000). */
static double measure(void (*fn)(int), int n)
{
  double r[5];
  if (getenv("KBENCH_N"))
    n = atoi(getenv("KBENCH_N"));
  fn(n / 10 + 1); /* warm up */
  for (int i = 0; i < 5; i++) {
    double t0 = now_us();
    fn(n);
    r[i] = (now_us() - t0) / n;
  }
  qsort(r, 5, sizeof(double), cmp);
  return r[2];
}

static void b_getppid(int n) { for (int i = 0; i < n; i++) syscall(SYS_getppid); }

static int devnull, devzero;
static void b_write_null(int n) { char c = 0; for (int i = 0; i < n; i++) if (write(devnull, &c, 1) != 1) exit(1); }
static void b_read_zero(int n) { char c; for (int i = 0; i < n; i++) if (read(devzero, &c, 1) != 1) exit(1); }
static void b_clock(int n) { struct timespec ts; for (int i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &ts); }

static void b_pipe_rtt(int n)
{
  int a[2], b[2];
  if (pipe(a) || pipe(b))
    exit(1);
  pid_t pid = fork();
  char c = 'x';
  if (pid == 0) {
    for (int i = 0; i < n; i++)
      if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
        _exit(1);
    _exit(0);
  }
  for (int i = 0; i < n; i++)
    if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
      exit(1);
  waitpid(pid, NULL, 0);
  close(a[0]); close(a[1]); close(b[0]); close(b[1]);
}

/* Real switches per sched_yield() call in the last b_yield_switch run, from
 * the parent's rusage (the two sides are symmetric; a child's counts do not
 * reach wait4 on every kernel): Linux's CFS often lets the caller go on
 * (the other task's virtual runtime is not behind enough), Kite always
 * moves it to the back of the queue, so "time per yield" alone compares a
 * switch with a bare system call. */
static double yield_switch_rate;

static long nr_switches(const struct rusage *r) { return r->ru_nvcsw + r->ru_nivcsw; }

static void b_yield_switch(int n)
{
  struct rusage self0, self1;
  getrusage(RUSAGE_SELF, &self0);
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < n; i++)
      sched_yield();
    _exit(0);
  }
  for (int i = 0; i < n; i++)
    sched_yield();
  getrusage(RUSAGE_SELF, &self1);
  waitpid(pid, NULL, 0);
  yield_switch_rate = (double)(nr_switches(&self1) - nr_switches(&self0)) / n;
}

static void b_fork_exit(int n)
{
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0)
      _exit(0);
    waitpid(pid, NULL, 0);
  }
}

static void b_fork_exec(int n)
{
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/true", "true", (char *)NULL);
      _exit(127);
    }
    waitpid(pid, NULL, 0);
  }
}

static void b_page_fault(int n)
{
  size_t len = (size_t)n * 4096;
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    exit(1);
  for (size_t off = 0; off < len; off += 4096)
    p[off] = 1;
  munmap(p, len);
}

static void b_open_close(int n)
{
  for (int i = 0; i < n; i++) {
    int fd = open("/bin/busybox", O_RDONLY);
    if (fd < 0)
      exit(1);
    close(fd);
  }
}

/* lmbench's lat_select -n 100 file: select on 100 descriptors of a regular
 * file (always ready), no timeout. */
static int select_fds[100];
static void b_select_100(int n)
{
  fd_set rd;
  for (int i = 0; i < n; i++) {
    FD_ZERO(&rd);
    for (int j = 0; j < 100; j++)
      FD_SET(select_fds[j], &rd);
    struct timeval tv = { 0, 0 };
    if (select(select_fds[99] + 1, &rd, NULL, NULL, &tv) != 100)
      exit(1);
  }
}

/* lmbench's bw_mmap_rd 512k open2close: open, map, read every word, unmap,
 * close (a file in the page cache: every page is a fault on a cached page). */
#define MMAP_FILE "/tmp/kbench-512k"
#define MMAP_LEN (512 * 1024)
static volatile long mmap_sum;
static void b_mmap_read(int n)
{
  for (int i = 0; i < n; i++) {
    int fd = open(MMAP_FILE, O_RDONLY);
    long *p = mmap(NULL, MMAP_LEN, PROT_READ, MAP_SHARED, fd, 0);
    if (fd < 0 || p == MAP_FAILED)
      exit(1);
    long sum = 0;
    for (size_t w = 0; w < MMAP_LEN / sizeof(long); w += 8)
      sum += p[w];
    mmap_sum = sum;
    munmap(p, MMAP_LEN);
    close(fd);
  }
}

static void make_mmap_file(void)
{
  static char buf[MMAP_LEN];
  memset(buf, 7, sizeof(buf));
  int fd = open(MMAP_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
    exit(1);
  close(fd);
}

/* kbench [name...]: only the named measurements (bench/profile.py runs one
 * under the kernel profiler); no name: all of them. */
static int argc_;
static char **argv_;
static int wanted(const char *name)
{
  if (argc_ < 2)
    return 1;
  for (int i = 1; i < argc_; i++)
    if (strcmp(argv_[i], name) == 0)
      return 1;
  return 0;
}

int main(int argc, char **argv)
{
  argc_ = argc;
  argv_ = argv;
  devnull = open("/dev/null", O_WRONLY);
  devzero = open("/dev/zero", O_RDONLY);
  if (wanted("getppid"))
    printf("BENCH getppid %.3f us\n", measure(b_getppid, 20000));
  if (wanted("write_devnull_1B"))
    printf("BENCH write_devnull_1B %.3f us\n", measure(b_write_null, 20000));
  if (wanted("read_devzero_1B"))
    printf("BENCH read_devzero_1B %.3f us\n", measure(b_read_zero, 20000));
  if (wanted("clock_gettime"))
    printf("BENCH clock_gettime %.3f us\n", measure(b_clock, 20000));
  if (wanted("pipe_roundtrip"))
    printf("BENCH pipe_roundtrip %.3f us\n", measure(b_pipe_rtt, 2000));
  if (wanted("context_switch")) {
    double per_yield = measure(b_yield_switch, 2000) / 2;
    printf("BENCH context_switch %.3f us\n", per_yield);
    printf("BENCH yield_switches_per_call %.3f sw\n", yield_switch_rate);
    if (yield_switch_rate > 0.01)
      printf("BENCH context_switch_per_real_switch %.3f us\n", per_yield / yield_switch_rate);
  }
  if (wanted("fork_exit_wait"))
    printf("BENCH fork_exit_wait %.1f us\n", measure(b_fork_exit, 100));
  if (wanted("fork_exec_wait"))
    printf("BENCH fork_exec_wait %.1f us\n", measure(b_fork_exec, 30));
  if (wanted("page_fault"))
    printf("BENCH page_fault %.3f us\n", measure(b_page_fault, 2048));
  if (wanted("open_close"))
    printf("BENCH open_close %.3f us\n", measure(b_open_close, 2000));
  if (wanted("select_100_files")) {
    for (int j = 0; j < 100; j++)
      if ((select_fds[j] = open("/bin/busybox", O_RDONLY)) < 0)
        exit(1);
    printf("BENCH select_100_files %.3f us\n", measure(b_select_100, 500));
    for (int j = 0; j < 100; j++)
      close(select_fds[j]);
  }
  if (wanted("mmap_read_512k")) {
    make_mmap_file();
    printf("BENCH mmap_read_512k %.3f us\n", measure(b_mmap_read, 50));
    unlink(MMAP_FILE);
  }
  return 0;
}
