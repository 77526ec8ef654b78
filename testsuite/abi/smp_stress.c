/*
 * smp_stress.c — the race stress (testsuite/abi, family "smp"): for
 * SMP_STRESS_SECONDS (default 10) processes and threads hammer, all at
 * once, fork/exec/exit/wait, futexes (a ring of threads passing a turn:
 * a lost wake-up hangs it), pipes, sockets (AF_UNIX, and TCP over
 * loopback where there is one), create/rename/unlink in one directory,
 * mmap/mprotect/munmap in shared address spaces with forks in between,
 * and queued signals to threads that spin, sleep or wait. Then the
 * invariants: every worker finished, no worker saw wrong data, every
 * signal sent was handled, the directory is clean, and (on Kite) free
 * memory is back where it was after a warm-up round. One "# smp-stress:"
 * line gives the counts. User space; runs on Kite at any -smp and on
 * Linux (qemu-riscv64).
 *
 * `smp_stress --exit N` exits with status N (what the fork/exec worker
 * runs).
 */
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *self_path;
static int ncpus;

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

#define NSLOTS 8
#define FILE_LEN 100

static struct stress {
  atomic_int stop;
  atomic_long forks, execs, threads, futex_laps, pipe_msgs, sock_bytes, files, renames;
  atomic_long mmaps, mprotects, cow_forks, sig_sent, sig_got;
  atomic_int nerrors;
  char error[4][120];
} *sh;

static void stress_error(const char *fmt, ...)
{
  int i = atomic_fetch_add(&sh->nerrors, 1);
  if (i < 4) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sh->error[i], sizeof(sh->error[i]), fmt, ap);
    va_end(ap);
  }
}

#define RUNNING() (!atomic_load(&sh->stop))

/* fork, exec ourselves or exit at once, wait, check the status. */
static void w_forkexec(int id)
{
  for (int n = 0; RUNNING(); n++) {
    int code = (id * 7 + n) % 100 + 1;
    pid_t pid = fork();
    if (pid < 0) {
      msleep(1);
      continue;
    }
    if (pid == 0) {
      if (n % 2 == 0) {
        char c[8];
        snprintf(c, sizeof(c), "%d", code);
        execl(self_path, self_path, "--exit", c, (char *)NULL);
        _exit(200);
      }
      _exit(code);
    }
    atomic_fetch_add(&sh->forks, 1);
    if (n % 2 == 0)
      atomic_fetch_add(&sh->execs, 1);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != code)
      stress_error("forkexec: child status %#x, wanted exit %d", st, code);
  }
}

/* A ring of threads passing a turn with futexes; a lost wake-up hangs it. */
static atomic_int ring_turn, ring_stop;
static long ring_total;
static pthread_mutex_t ring_mu = PTHREAD_MUTEX_INITIALIZER;
#define RING 4

static void *ring_thread(void *arg)
{
  int me = (int)(long)arg;
  for (;;) {
    int t = atomic_load(&ring_turn);
    if (t < 0)
      break;
    if (t != me) {
      syscall(SYS_futex, &ring_turn, FUTEX_WAIT_PRIVATE, t, NULL, NULL, 0);
      continue;
    }
    pthread_mutex_lock(&ring_mu);
    ring_total++;
    pthread_mutex_unlock(&ring_mu);
    if (me == 0)
      atomic_fetch_add(&sh->futex_laps, 1);
    atomic_store(&ring_turn, !atomic_load(&ring_stop) || me != RING - 1 ? (me + 1) % RING : -1);
    syscall(SYS_futex, &ring_turn, FUTEX_WAKE_PRIVATE, RING, NULL, NULL, 0);
  }
  syscall(SYS_futex, &ring_turn, FUTEX_WAKE_PRIVATE, RING, NULL, NULL, 0);
  return NULL;
}

static void w_futex(int id)
{
  (void)id;
  for (int round = 0; RUNNING(); round++) {
    atomic_store(&ring_turn, 0);
    atomic_store(&ring_stop, 0);
    ring_total = 0;
    pthread_t th[RING];
    for (int i = 0; i < RING; i++)
      pthread_create(&th[i], NULL, ring_thread, (void *)(long)i);
    msleep(50);
    atomic_store(&ring_stop, 1); /* the last in the ring ends the round */
    for (int i = 0; i < RING; i++)
      pthread_join(th[i], NULL);
    atomic_fetch_add(&sh->threads, RING);
    if (ring_total % RING)
      stress_error("futex: ring total %ld is not a multiple of %d", ring_total, RING);
  }
}

/* Two processes: ping-pong with sequence numbers, then a bulk transfer. */
static void w_pipe(int id)
{
  (void)id;
  int a[2], b[2];
  if (pipe(a) || pipe(b)) {
    stress_error("pipe: %s", strerror(errno));
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(a[1]);
    close(b[0]);
    unsigned v;
    while (read(a[0], &v, sizeof(v)) == sizeof(v)) {
      v++;
      if (write(b[1], &v, sizeof(v)) != sizeof(v))
        _exit(1);
    }
    _exit(0);
  }
  close(a[0]);
  close(b[1]);
  for (unsigned n = 0; RUNNING(); n += 2) {
    unsigned v = n, w = 0;
    if (write(a[1], &v, sizeof(v)) != sizeof(v) || read(b[0], &w, sizeof(w)) != sizeof(w) || w != n + 1) {
      stress_error("pipe: sent %u, got back %u", n, w);
      break;
    }
    atomic_fetch_add(&sh->pipe_msgs, 2);
  }
  close(a[1]);
  close(b[0]);
  if (!child_ok(pid))
    stress_error("pipe: the echo child did not finish");
}

/* Echo through a socket: what comes back must be what went out. */
static int echo_round(int fd, unsigned seed)
{
  char out[4096], in[4096];
  size_t len = 1 + seed % sizeof(out);
  for (size_t i = 0; i < len; i++)
    out[i] = (char)(seed + i * 31);
  if (send(fd, out, len, 0) != (ssize_t)len)
    return -1;
  size_t got = 0;
  while (got < len) {
    ssize_t r = recv(fd, in + got, len - got, 0);
    if (r <= 0)
      return -1;
    got += r;
  }
  return memcmp(in, out, len) ? -1 : (int)len;
}

static void echo_server(int fd)
{
  char buf[4096];
  ssize_t r;
  while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
    if (send(fd, buf, r, 0) != r)
      break;
}

static void w_sock(int id)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
    stress_error("socketpair: %s", strerror(errno));
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    echo_server(sv[1]);
    _exit(0);
  }
  close(sv[1]);
  /* TCP over loopback, connection by connection, if there is a loopback. */
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t alen = sizeof(a);
  int tcp = ls >= 0 && bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(ls, 8) == 0 &&
            getsockname(ls, (struct sockaddr *)&a, &alen) == 0;
  pid_t tpid = -1;
  if (tcp && (tpid = fork()) == 0) {
    close(sv[0]); /* or the unix echo child never sees its end of file */
    for (;;) {
      int c = accept(ls, NULL, NULL);
      if (c < 0)
        _exit(0);
      echo_server(c);
      close(c);
    }
  }
  for (unsigned n = id; RUNNING(); n += 13) {
    int r = echo_round(sv[0], n);
    if (r < 0) {
      stress_error("unix socket: echo %u failed", n);
      break;
    }
    atomic_fetch_add(&sh->sock_bytes, 2 * r);
    if (tcp && n % 4 == 0) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (n == (unsigned)id)
          tcp = 0; /* no loopback here (a sandbox without lo) */
        else
          stress_error("tcp: connect: %s", strerror(errno));
      } else if ((r = echo_round(c, n)) < 0) {
        stress_error("tcp: echo %u failed", n);
      } else {
        atomic_fetch_add(&sh->sock_bytes, 2 * r);
      }
      if (c >= 0)
        close(c);
    }
  }
  close(sv[0]);
  if (tpid > 0) {
    kill(tpid, SIGKILL);
    waitpid(tpid, NULL, 0);
  }
  if (!child_ok(pid))
    stress_error("unix socket: the echo child did not finish");
  if (ls >= 0)
    close(ls);
}

/* create/rename/unlink in one directory, from several processes and threads. */
static char stress_dir[256];

static void *files_thread(void *arg)
{
  int me = (int)(long)arg;
  char tmp[320], slot[320], buf[FILE_LEN + 1];
  for (unsigned n = 0; RUNNING(); n++) {
    snprintf(tmp, sizeof(tmp), "%s/t%d-%u", stress_dir, me, n);
    int fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) {
      stress_error("files: create %s: %s", tmp, strerror(errno));
      break;
    }
    memset(buf, '.', FILE_LEN);
    int k = snprintf(buf, FILE_LEN, "%d:%u", me, n);
    buf[k] = '.';
    if (write(fd, buf, FILE_LEN) != FILE_LEN)
      stress_error("files: write: %s", strerror(errno));
    close(fd);
    atomic_fetch_add(&sh->files, 1);
    snprintf(slot, sizeof(slot), "%s/slot%u", stress_dir, (n * 7 + me) % NSLOTS);
    if (rename(tmp, slot) != 0)
      stress_error("files: rename: %s", strerror(errno));
    atomic_fetch_add(&sh->renames, 1);
    snprintf(slot, sizeof(slot), "%s/slot%u", stress_dir, (n * 3 + me + 1) % NSLOTS);
    fd = open(slot, O_RDONLY);
    if (fd >= 0) {
      ssize_t r = read(fd, buf, sizeof(buf));
      if (r != FILE_LEN || buf[0] < '0' || buf[0] > '9' || !memchr(buf, ':', 12))
        stress_error("files: %s holds %zd bytes \"%.20s\"", slot, r, buf);
      close(fd);
    }
    if (n % 2 && unlink(slot) != 0 && errno != ENOENT)
      stress_error("files: unlink: %s", strerror(errno));
  }
  return NULL;
}

static void w_files(int id)
{
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&th[i], NULL, files_thread, (void *)(long)(id * 2 + i));
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
}

/* mmap/mprotect/munmap by several threads of one process; forks in between. */
static void *mm_thread(void *arg)
{
  int me = (int)(long)arg;
  for (unsigned n = 0; RUNNING(); n++) {
    size_t pages = 1 + (n + me) % 16, len = pages * 4096;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      stress_error("mm: mmap: %s", strerror(errno));
      break;
    }
    for (size_t i = 0; i < len; i += 4096)
      p[i] = (char)(n + i);
    atomic_fetch_add(&sh->mmaps, 1);
    if (mprotect(p, len, PROT_READ) != 0)
      stress_error("mm: mprotect: %s", strerror(errno));
    atomic_fetch_add(&sh->mprotects, 1);
    for (size_t i = 0; i < len; i += 4096)
      if (p[i] != (char)(n + i))
        stress_error("mm: page %zu changed under us", i / 4096);
    if (me == 0 && n % 32 == 0) {
      pid_t pid = fork();
      if (pid == 0)
        _exit(p[0] == (char)n ? 0 : 1);
      atomic_fetch_add(&sh->cow_forks, 1);
      if (pid < 0 || !child_ok(pid))
        stress_error("mm: forked child saw the wrong data");
    }
    if (munmap(p, len) != 0)
      stress_error("mm: munmap: %s", strerror(errno));
  }
  return NULL;
}

static void w_mm(int id)
{
  pthread_t th[3];
  for (int i = 0; i < 3; i++)
    pthread_create(&th[i], NULL, mm_thread, (void *)(long)(id * 3 + i));
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);
}

/* Queued (real-time) signals to threads that spin, sleep or wait: none may be lost. */
static atomic_int rt_tids[3], rt_quit;

static void rt_handler(int s)
{
  (void)s;
  atomic_fetch_add(&sh->sig_got, 1);
}

static void *rt_target(void *arg)
{
  int me = (int)(long)arg;
  atomic_store(&rt_tids[me], (int)raw0(SYS_gettid));
  volatile unsigned long x = 0;
  while (!atomic_load(&rt_quit)) {
    if (me == 0)
      x++;
    else if (me == 1)
      msleep(1);
    else
      syscall(SYS_futex, &rt_quit, FUTEX_WAIT_PRIVATE, 0, &(struct timespec){ 0, 2000000 }, NULL, 0);
  }
  return NULL;
}

static void w_signal(int id)
{
  (void)id;
  signal(SIGRTMIN + 2, rt_handler); /* tgkill names the thread: the sender never takes one */
  pthread_t th[3];
  for (int i = 0; i < 3; i++)
    pthread_create(&th[i], NULL, rt_target, (void *)(long)i);
  for (int i = 0; i < 3; i++)
    wait_for(&rt_tids[i], 1, 5000);
  for (unsigned n = 0; RUNNING(); n++) {
    while (atomic_load(&sh->sig_sent) - atomic_load(&sh->sig_got) > 16 && RUNNING())
      sched_yield();
    if (raw3(SYS_tgkill, getpid(), atomic_load(&rt_tids[n % 3]), SIGRTMIN + 2) == 0)
      atomic_fetch_add(&sh->sig_sent, 1);
  }
  long long end = now_ns() + 5000000000LL;
  while (atomic_load(&sh->sig_got) < atomic_load(&sh->sig_sent) && now_ns() < end)
    msleep(1);
  atomic_store(&rt_quit, 1);
  syscall(SYS_futex, &rt_quit, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0);
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);
}

static const struct {
  const char *name;
  void (*fn)(int);
  int copies;
} workers[] = {
  { "forkexec", w_forkexec, 2 }, { "futex", w_futex, 1 }, { "pipe", w_pipe, 1 },
  { "sock", w_sock, 1 },         { "files", w_files, 2 }, { "mm", w_mm, 1 },
  { "signal", w_signal, 1 },
};

/* Run every worker for `secs` seconds; returns whether all finished in time. */
static int stress_run(int secs)
{
  memset(sh, 0, sizeof(*sh));
  pid_t pids[16];
  const char *names[16];
  int n = 0;
  for (size_t w = 0; w < ARRAY_LEN(workers); w++)
    for (int c = 0; c < workers[w].copies; c++) {
      pid_t pid = fork();
      if (pid == 0) {
        workers[w].fn(c);
        _exit(0);
      }
      names[n] = workers[w].name;
      pids[n++] = pid;
    }
  msleep(secs * 1000L);
  atomic_store(&sh->stop, 1);
  int all = 1;
  for (int i = 0; i < n; i++) {
    int st = pids[i] > 0 ? wait_child_timeout(pids[i], 60000) : -2;
    if (!EXITED_OK(st)) {
      stress_error("worker %s: %s", names[i], status_str(st));
      all = 0;
    }
  }
  return all;
}

/* The directory must hold nothing but the slots; empty it. */
static int stress_dir_clean(void)
{
  int stray = 0;
  char path[320];
  for (int k = 0; k < NSLOTS; k++) {
    snprintf(path, sizeof(path), "%s/slot%d", stress_dir, k);
    unlink(path);
  }
  if (rmdir(stress_dir) != 0)
    stray = 1;
  return !stray;
}

static void test_stress(void)
{
  const char *e = getenv("SMP_STRESS_SECONDS");
  int secs = e ? atoi(e) : 10;
  if (secs < 1)
    secs = 1;
  sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  const char *tmp = getenv("ABI_TMP");
  snprintf(stress_dir, sizeof(stress_dir), "%s/smp-stress", tmp ? tmp : "/tmp");
  mkdir(stress_dir, 0755);
  stress_run(1); /* warm up: what the kernel allocates once and keeps */
  stress_dir_clean();
  mkdir(stress_dir, 0755);
  long before = free_settled_kb();
  long long t0 = now_ns();
  int all = stress_run(secs);
  double took = (now_ns() - t0) / 1e9;
  abi_line("# smp-stress: %d s (%.1f s with the wind-down) on %d hart%s: forks %ld (execs %ld), threads %ld, "
           "futex ring laps %ld, pipe messages %ld, socket bytes %ld, files %ld (renames %ld), "
           "mmaps %ld, mprotects %ld, forks of threaded mm %ld, signals %ld sent %ld handled",
           secs, took, ncpus, ncpus == 1 ? "" : "s", atomic_load(&sh->forks), atomic_load(&sh->execs),
           atomic_load(&sh->threads), atomic_load(&sh->futex_laps), atomic_load(&sh->pipe_msgs),
           atomic_load(&sh->sock_bytes), atomic_load(&sh->files), atomic_load(&sh->renames),
           atomic_load(&sh->mmaps), atomic_load(&sh->mprotects), atomic_load(&sh->cow_forks),
           atomic_load(&sh->sig_sent), atomic_load(&sh->sig_got));
  CHECKF("stress/every-worker-finished", all, "%s", sh->error[0]);
  int ne = atomic_load(&sh->nerrors);
  CHECKF("stress/no-errors", ne == 0, "%d: %s | %s | %s", ne, sh->error[0], sh->error[1], sh->error[2]);
  CHECKF("stress/every-signal-handled", atomic_load(&sh->sig_got) == atomic_load(&sh->sig_sent),
         "%ld sent, %ld handled", atomic_load(&sh->sig_sent), atomic_load(&sh->sig_got));
  CHECKF("stress/work-done", atomic_load(&sh->forks) > 0 && atomic_load(&sh->futex_laps) > 0 &&
         atomic_load(&sh->pipe_msgs) > 0 && atomic_load(&sh->sock_bytes) > 0 &&
         atomic_load(&sh->renames) > 0 && atomic_load(&sh->mmaps) > 0 && atomic_load(&sh->sig_got) > 0,
         "a worker did nothing");
  CHECK("stress/directory-left-clean", stress_dir_clean());
  /* TCP connections closed in the last seconds sit in TIME_WAIT (on Kite
   * 2 * TCP_MSL = 10 s) and hold their memory until then. */
  for (int i = 0; i < 30 && on_kite() && free_settled_kb() < before - LEAK_SLACK_KB; i++)
    msleep(500);
  check_no_leak("stress/free-memory-back", before);
  munmap(sh, sizeof(*sh));
}


int main(int argc, char **argv)
{
  abi_family = "smp";
  if (argc == 3 && strcmp(argv[1], "--exit") == 0)
    return atoi(argv[2]);
  self_path = argv[0];
  setvbuf(stdout, NULL, _IONBF, 0);
  cpu_set_t s;
  CPU_ZERO(&s);
  ncpus = sched_getaffinity(0, sizeof(s), &s) == 0 ? CPU_COUNT(&s) : 1;
  test_stress();
  return abi_done();
}
