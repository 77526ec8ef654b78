/*
 * smpbench.c — how work scales over harts, run unchanged on Kite and on the
 * reference Linux at the same -smp (bench/smp.py). N is the number of harts
 * this process may run on. Prints "BENCH <name> <value> <unit>":
 *
 *   procs_1        one process doing W units of CPU work, seconds
 *   procs_N        N processes doing W units each, all at once, seconds
 *   procs_speedup  N * procs_1 / procs_N (ideal: N, or the host's free cores)
 *   threads_1      one thread doing N*W units, seconds
 *   threads_N      N threads of one process sharing the same N*W units
 *                  (chunks taken with an atomic counter; a mutex-protected
 *                  total every chunk), seconds
 *   threads_speedup  threads_1 / threads_N
 *   busy_cpuK      share of hart K that was busy (user + system in
 *                  /proc/stat) while the N processes ran, percent
 *
 * Each time is the median of three runs. W is calibrated at start so that
 * procs_1 takes about a second.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile uint64_t sink;

/* n steps of a xorshift generator: registers only, no memory traffic. */
static uint64_t work(uint64_t n, uint64_t x)
{
  for (uint64_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median3(double (*fn)(int, uint64_t), int n, uint64_t w)
{
  double r[3];
  for (int i = 0; i < 3; i++)
    r[i] = fn(n, w);
  qsort(r, 3, sizeof(double), cmp);
  return r[1];
}

/* n processes, w units each, at once. */
static double run_procs(int n, uint64_t w)
{
  double t0 = now();
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      sink = work(w, 88172645463325252ULL + i);
      _exit(0);
    }
    if (pid < 0)
      exit(1);
  }
  for (int i = 0; i < n; i++)
    wait(NULL);
  return now() - t0;
}

/* One process, n threads, sharing `total` units in chunks. */
#define CHUNKS 400
static atomic_long next_chunk;
static uint64_t chunk_size, total_sum;
static pthread_mutex_t total_mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
  uint64_t x = 88172645463325252ULL + (uintptr_t)arg;
  while (atomic_fetch_add(&next_chunk, 1) < CHUNKS) {
    x = work(chunk_size, x);
    pthread_mutex_lock(&total_mu);
    total_sum += x & 0xff;
    pthread_mutex_unlock(&total_mu);
  }
  return NULL;
}

static double run_threads(int n, uint64_t total)
{
  atomic_store(&next_chunk, 0);
  chunk_size = total / CHUNKS;
  pthread_t th[64];
  double t0 = now();
  for (int i = 0; i < n; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i))
      exit(1);
  for (int i = 0; i < n; i++)
    pthread_join(th[i], NULL);
  return now() - t0;
}

/* Per-hart busy and total ticks from /proc/stat; returns harts read. */
static int read_stat(long long busy[], long long total[], int max)
{
  FILE *f = fopen("/proc/stat", "r");
  if (!f)
    return 0;
  char line[512];
  int n = 0;
  while (fgets(line, sizeof(line), f) && n < max) {
    int k;
    long long v[10] = {0};
    if (sscanf(line, "cpu%d %lld %lld %lld %lld %lld %lld %lld %lld", &k, &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) >= 5 && k == n) {
      busy[n] = v[0] + v[1] + v[2] + v[5] + v[6];
      total[n] = busy[n] + v[3] + v[4] + v[7];
      n++;
    }
  }
  fclose(f);
  return n;
}

int main(void)
{
  setvbuf(stdout, NULL, _IONBF, 0);
  cpu_set_t s;
  CPU_ZERO(&s);
  int n = sched_getaffinity(0, sizeof(s), &s) == 0 ? CPU_COUNT(&s) : 1;
  if (n > 64)
    n = 64;
  /* Calibrate: W units take about a second on one hart. */
  uint64_t w = 1000000;
  for (;;) {
    double t0 = now();
    sink = work(w, 1);
    double t = now() - t0;
    if (t > 0.2) {
      w = (uint64_t)(w / t);
      break;
    }
    w *= 4;
  }
  printf("BENCH harts %d n\n", n);
  double p1 = median3(run_procs, 1, w);
  long long b0[64], t0[64], b1[64], t1[64];
  int k0 = read_stat(b0, t0, 64);
  double pn = median3(run_procs, n, w);
  int k1 = read_stat(b1, t1, 64);
  printf("BENCH procs_1 %.3f s\n", p1);
  printf("BENCH procs_N %.3f s\n", pn);
  printf("BENCH procs_speedup %.2f x\n", n * p1 / pn);
  for (int i = 0; i < k0 && i < k1; i++)
    if (t1[i] > t0[i])
      printf("BENCH busy_cpu%d %.0f %%\n", i, 100.0 * (b1[i] - b0[i]) / (t1[i] - t0[i]));
  double th1 = median3(run_threads, 1, n * w);
  double thn = median3(run_threads, n, n * w);
  printf("BENCH threads_1 %.3f s\n", th1);
  printf("BENCH threads_N %.3f s\n", thn);
  printf("BENCH threads_speedup %.2f x\n", th1 / thn);
  return 0;
}
