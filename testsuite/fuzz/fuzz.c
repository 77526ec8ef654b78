/*
 * fuzz.c — Kite's system-call fuzzer (testsuite/fuzz). User space.
 *
 *   fuzz -t SECONDS [-s SEED] [-w WORKERS] [-d DIR]   run for a time
 *   fuzz -r WORKERSEED [-n CALLS] [-v] [-d DIR]       replay one worker
 *
 * Rounds of a few seconds: the master forks WORKERS workers, each with a
 * seed derived from the run's seed and its number (printed: "FUZZ-WORKER
 * round.n seed"), in a session of its own, with stdin/out/err on
 * /dev/null and its own scratch directory under DIR. A worker opens a pool
 * of descriptors of every kind (files, directories, pipes, FIFOs, sockets
 * of every family, eventfd, timerfd, signalfd, epoll, inotify, memfd, ptys,
 * devices, /proc files) and maps a few regions, then makes system calls:
 * a number from the table generated from kern/syscall.tbl (now and then a
 * random one), each argument drawn for its kind — descriptors from the
 * pool or not, good and bad pointers (NULL, kernel, unmapped, read-only,
 * running off a mapping), huge and negative lengths, random flags, paths
 * inside its scratch directory. Children it forks keep fuzzing. At the end
 * of a round the master kills every process but init and itself
 * (kill(-1)), so nothing a worker did survives, and reaps them. At the
 * end it prints the rounds, the workers and the calls made ("FUZZ-CALLS").
 *
 * A few calls would take the whole machine or the harness with them and
 * are never made as drawn: reboot, changing the clock, mounting and
 * unmounting, pivot_root, and signals to process groups or pids outside
 * the worker's own family (kill/tkill/tgkill get targets of their own:
 * the worker, its children, its group, init — which must survive —, pids
 * that do not exist); so does ptrace, without init (see family_pid).
 * The same seed makes the same calls with the same
 * arguments (descriptor numbers and addresses the kernel hands out may
 * differ); "-r seed -v" replays one worker alone, printing every call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

struct call {
  int nr;
  const char *name;
  const char *kinds;
};
static const struct call table[] = {
#include "fuzz_table.h"
};
#define NCALLS ((int)(sizeof(table) / sizeof(table[0])))

/* never made as drawn (see the header) */
static const char *const banned[] = {
  "reboot", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "mount", "umount2",
  "pivot_root", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal",
  "prlimit64", "process_vm_readv", "process_vm_writev", "swapon", "swapoff", "syslog", "vhangup",
  "setns", "unshare", "kexec_load", "init_module", "delete_module", NULL,
};

/* ---- a small, seeded random generator (xorshift64*) ---- */
static uint64_t rng;
static uint64_t rnd(void)
{
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dULL;
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static int chance(int percent) { return (int)below(100) < percent; }
static uint64_t mix(uint64_t a, uint64_t b)
{
  uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
  x ^= x >> 31;
  return x ? x : 1;
}

static long raw6(long n, long a, long b, long c, long d, long e, long f)
{
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  register long a5 __asm__("a5") = f;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
  return a0;
}

/* clone that cannot return into a shared stack: a child of CLONE_VM exits at once */
static long clone_safe(long flags, long a, long b, long c, long d)
{
  register long a0 __asm__("a0") = flags;
  register long a1 __asm__("a1") = a;
  register long a2 __asm__("a2") = b;
  register long a3 __asm__("a3") = c;
  register long a4 __asm__("a4") = d;
  register long a7 __asm__("a7") = SYS_clone;
  __asm__ volatile("ecall\n bnez a0, 1f\n li a7, 93\n li a0, 0\n ecall\n 1:"
                   : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7) : "memory");
  return a0;
}

/* ---- the worker's world ---- */
#define POOL 64
static int pool[POOL], npool;
static pid_t kids[32];
static int nkids;
static char *scratch;            /* 64 KiB read-write buffers */
static char *ro_page, *ro_file, *off_end, *maps[6];
static char dir[200];
static int verbose;
/* The run's count of calls: every process of the run writes a byte to a
 * pipe (fd CALLS_FD, non-blocking) after each CALLS_STEP calls and the
 * master reads them. A worker may close, replace or drain that descriptor
 * by chance: the count is a lower bound, never garbage (a shared page
 * was not: workers write anywhere in their memory). */
#define CALLS_STEP 32
#define CALLS_FD 1000
static int calls_pipe = -1;    /* the master's read end */
static unsigned long long calls_made;

static void calls_drain(void)
{
  char buf[4096];
  ssize_t n;
  while (calls_pipe >= 0 && (n = read(calls_pipe, buf, sizeof(buf))) > 0)
    calls_made += (unsigned long long)n * CALLS_STEP;
}

static void add_fd(int fd)
{
  if (fd < 0)
    return;
  if (npool < POOL)
    pool[npool++] = fd;
  else
    pool[below(POOL)] = fd;
}

static void open_pool(void)
{
  char p[300];
  int fds[2];
  snprintf(p, sizeof(p), "%s/f0", dir);
  int f = open(p, O_RDWR | O_CREAT, 0644);
  write(f, "fuzz data\n", 10);
  add_fd(f);
  add_fd(open(dir, O_RDONLY | O_DIRECTORY));
  add_fd(open("/proc/self/status", O_RDONLY));
  add_fd(open("/proc/meminfo", O_RDONLY));
  add_fd(open("/proc/self", O_RDONLY | O_DIRECTORY));
  add_fd(open("/dev/null", O_RDWR));
  add_fd(open("/dev/zero", O_RDWR));
  add_fd(open("/dev/urandom", O_RDONLY));
  if (pipe2(fds, O_NONBLOCK) == 0) {
    add_fd(fds[0]);
    add_fd(fds[1]);
  }
  snprintf(p, sizeof(p), "%s/fifo", dir);
  mkfifo(p, 0644);
  add_fd(open(p, O_RDWR | O_NONBLOCK));
  int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
  for (int i = 0; i < 3; i++)
    if (socketpair(AF_UNIX, types[i] | SOCK_NONBLOCK, 0, fds) == 0) {
      add_fd(fds[0]);
      add_fd(fds[1]);
    }
  add_fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  add_fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  add_fd(socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
  add_fd(socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0));
  add_fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP));
  add_fd(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, 0));
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
  socklen_t alen = sizeof(a);
  if (l >= 0 && bind(l, (void *)&a, sizeof(a)) == 0 && listen(l, 4) == 0 && getsockname(l, (void *)&a, &alen) == 0) {
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, (void *)&a, sizeof(a));
    add_fd(l);
    add_fd(c);
    add_fd(accept4(l, 0, 0, SOCK_NONBLOCK));
  }
  add_fd(eventfd(1, EFD_NONBLOCK));
  add_fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  add_fd(signalfd(-1, &s, SFD_NONBLOCK));
  add_fd(epoll_create1(0));
  add_fd(inotify_init1(IN_NONBLOCK));
  add_fd((int)raw6(SYS_memfd_create, (long)"fuzz", 0, 0, 0, 0, 0));
  int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (m >= 0) {
    int u = 0, n = -1;
    ioctl(m, 0x40045431 /* TIOCSPTLCK */, &u);
    ioctl(m, 0x80045430 /* TIOCGPTN */, &n);
    snprintf(p, sizeof(p), "/dev/pts/%d", n);
    add_fd(m);
    add_fd(open(p, O_RDWR | O_NOCTTY | O_NONBLOCK));
  }
}

static void map_world(void)
{
  scratch = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int f = open("/proc/self/exe", O_RDONLY);
  ro_file = f >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, f, 0) : ro_page;
  if (f >= 0)
    close(f);
  char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(two + 4096, 4096);
  off_end = two + 4096 - 16;
  for (int i = 0; i < 6; i++)
    maps[i] = mmap(NULL, 4096 << i, PROT_READ | PROT_WRITE, i & 1 ? MAP_SHARED | MAP_ANONYMOUS : MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
}

/* ---- arguments by kind ---- */
static const long interesting[] = {0, 1, -1, 2, 4, 8, 16, 64, 255, 256, 4095, 4096, 4097, 65536, 0x7fffffff,
                                   0x80000000L, -0x80000000L, 0xffffffffL, 0x7fffffffffffffffL, 1L << 62,
                                   (long)0x8000000000000000UL};
static long any_number(void)
{
  if (chance(50))
    return interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
  if (chance(50))
    return (long)below(1024);
  return (long)rnd();
}

static long gen_fd(void)
{
  if (npool && chance(85))
    return pool[below(npool)];
  static const long odd[] = {-1, -100 /* AT_FDCWD */, 0, 1, 2, 1023, 1024, 65536, 0x7fffffff, -2};
  return odd[below(sizeof(odd) / sizeof(odd[0]))];
}

static char *gen_buffer(void)
{
  switch (below(20)) {
  case 0: return NULL;
  case 1: return (char *)1;
  case 2: return (char *)0xffffffc080200000UL;
  case 3: return (char *)0x100000000UL; /* unmapped */
  case 4: return ro_page;
  case 5: return ro_file;
  case 6: return off_end;
  case 7: return maps[below(6)];
  case 8: return (char *)rnd();
  default: {
    char *p = scratch + below(65536 - 4096);
    if (chance(50))
      for (int i = 0; i < 64; i++)
        p[i] = (char)rnd();
    return p;
  }
  }
}

static const char *const names[] = {"f0", "f1", "d0", "d0/f2", "fifo", "link", "sock", "nope", "d0/../f0",
                                    ".", "..", "", "user.fuzz", "trusted.fuzz", "security.x"};
static char *gen_path(void)
{
  static char paths[4][300];
  static int next;
  char *p = paths[next++ & 3];
  switch (below(12)) {
  case 0: return (char *)gen_buffer();
  case 1: snprintf(p, 300, "/proc/self/%s", chance(50) ? "status" : "fd/3"); return p;
  case 2: snprintf(p, 300, "/dev/%s", chance(50) ? "null" : "zero"); return p;
  case 3: memset(p, 'a', 299); p[299] = 0; return p; /* too long */
  default:
    snprintf(p, 300, "%s/%s", dir, names[below(sizeof(names) / sizeof(names[0]))]);
    return chance(30) ? p + strlen(dir) + 1 : p; /* relative to the scratch cwd */
  }
}

static long gen_addr(void)
{
  switch (below(6)) {
  case 0: return (long)maps[below(6)];
  case 1: return (long)maps[below(6)] + 4096 * (long)below(4);
  case 2: return (long)(rnd() & 0x3ffffff000L);
  case 3: return (long)gen_buffer();
  default: return 0;
  }
}

static long gen_len(void)
{
  switch (below(8)) {
  case 0: return (long)below(16);
  case 1: return (long)below(4097);
  case 2: return 65536;
  case 3: return -1;
  case 4: return (long)rnd();
  default: return (long)below(256);
  }
}

static long gen_flags(void)
{
  if (chance(30))
    return 0;
  if (chance(40))
    return (long)(1UL << below(32));
  if (chance(50))
    return (long)below(16);
  return (long)(rnd() & 0xffffffff);
}

static long gen_pid(void)
{
  switch (below(6)) {
  case 0: return 0;
  case 1: return getpid();
  case 2: return nkids ? kids[below(nkids)] : getpid();
  case 3: return -1;
  case 4: return 1;
  default: return (long)below(40000);
  }
}

static long gen_arg(char kind)
{
  if (chance(3))
    return any_number(); /* any kind, now and then */
  switch (kind) {
  case 'F': return gen_fd();
  case 'P': return (long)gen_path();
  case 'B': return (long)gen_buffer();
  case 'A': return gen_addr();
  case 'L': return gen_len();
  case 'O': return chance(70) ? (long)below(8192) : any_number();
  case 'X': return gen_flags();
  case 'I': return gen_pid();
  case 'S': return (long)below(66);
  default: return any_number();
  }
}

/* ---- one call ---- */
static int is_banned(const char *name)
{
  for (int i = 0; banned[i]; i++)
    if (strcmp(banned[i], name) == 0)
      return 1;
  return 0;
}

/* kill and its kind, with targets inside the worker's family (or init) */
static long family_signal(void)
{
  static const long targets_kinds = 5;
  long sig = (long)below(66), pid;
  switch (below(targets_kinds)) {
  case 0: pid = getpid(); break;
  case 1: pid = nkids ? kids[below(nkids)] : getpid(); break;
  case 2: pid = 0; break;       /* our own process group: the worker's */
  case 3: pid = 1; break;       /* init: must survive whatever it gets */
  default: pid = 30000 + (long)below(2000); break;
  }
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
    sig = SIGCONT; /* a stopped worker only wastes its round */
  switch (below(3)) {
  case 0: return raw6(SYS_kill, pid, sig, 0, 0, 0, 0);
  case 1: return raw6(SYS_tkill, pid ? pid : getpid(), sig, 0, 0, 0, 0);
  default: return raw6(SYS_tgkill, getpid(), pid ? pid : getpid(), sig, 0, 0, 0);
  }
}

/*
 * ptrace's pid, kept inside the worker's family: PTRACE_ATTACH stops its
 * tracee with the kernel's own SIGSTOP, which even init cannot refuse (as
 * on Linux), and a tracer that dies before it waits for that stop leaves
 * the tracee stopped for good (Linux's too). Attaching to init or to the
 * master would stop the harness itself. The worker, its children, 0 and
 * -1 stay as drawn; any other pid becomes one that does not exist (as
 * family_signal's), so the random stream, and with it the seed's other
 * calls, is unchanged.
 */
static long family_pid(long drawn)
{
  int pid = (int)drawn; /* what the kernel reads: ptrace's pid is an int */
  if (pid == 0 || pid == -1 || pid == getpid())
    return pid;
  for (int k = 0; k < nkids; k++)
    if (pid == kids[k])
      return pid;
  return 30000 + (long)((unsigned int)pid % 2000);
}

static void one_call(unsigned long i)
{
  long a[6] = {0};
  const struct call *c;
  int nr;
  if (chance(2)) { /* any number at all */
    nr = (int)below(500) - 20;
    for (int k = 0; k < 6; k++)
      a[k] = any_number();
    if (verbose)
      fprintf(stderr, "%lu: nr %d(%lx, %lx, %lx, ...)\n", i, nr, a[0], a[1], a[2]);
    for (int k = 0; k < NCALLS; k++)
      if (table[k].nr == nr && is_banned(table[k].name))
        return;
    if (nr == SYS_ptrace)
      a[1] = family_pid(a[1]);
    raw6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    return;
  }
  c = &table[below(NCALLS)];
  if (strcmp(c->name, "kill") == 0 || strcmp(c->name, "tkill") == 0 || strcmp(c->name, "tgkill") == 0) {
    family_signal();
    return;
  }
  if (is_banned(c->name))
    return;
  for (int k = 0; c->kinds[k] && k < 6; k++)
    a[k] = gen_arg(c->kinds[k]);
  if (c->nr == SYS_ptrace)
    a[1] = family_pid(a[1]);
  if (strcmp(c->name, "exit") == 0 || strcmp(c->name, "exit_group") == 0)
    if (!chance(5))
      return; /* rarely: the worker would end */
  if (verbose)
    fprintf(stderr, "%lu: %s(%lx, %lx, %lx, %lx, %lx, %lx)", i, c->name, a[0], a[1], a[2], a[3], a[4], a[5]);
  long r;
  if (strcmp(c->name, "clone") == 0)
    r = clone_safe(a[0], a[1], a[2], a[3], a[4]);
  else
    r = raw6(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (verbose)
    fprintf(stderr, " = %ld\n", r);
  if (r == 0 && (strcmp(c->name, "clone") == 0 || strcmp(c->name, "clone3") == 0)) {
    nkids = 0; /* a child: keep fuzzing with a seed of its own */
    rng = mix(rng, (uint64_t)getpid());
    return;
  }
  static const char *const makes_fd[] = {"open", "socket", "dup", "accept", "fd", "create", "init", NULL};
  for (int k = 0; r > 0 && r < 1024 && makes_fd[k]; k++)
    if (strstr(c->name, makes_fd[k])) {
      add_fd((int)r);
      break;
    }
  if (r > 0 && (strcmp(c->name, "clone") == 0 || strcmp(c->name, "clone3") == 0) && nkids < 32)
    kids[nkids++] = (pid_t)r;
}

static void worker(uint64_t seed, const char *base, int id, long calls)
{
  rng = seed;
  snprintf(dir, sizeof(dir), "%s/w%d", base, id);
  mkdir(dir, 0755);
  if (chdir(dir) != 0)
    _exit(1);
  char p[300];
  snprintf(p, sizeof(p), "%s/d0", dir);
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/link", dir);
  symlink("f0", p);
  if (!verbose) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }
  map_world();
  open_pool();
  for (unsigned long i = 0; calls < 0 || (long)i < calls; i++) {
    one_call(i);
    if (i % CALLS_STEP == CALLS_STEP - 1)
      (void)!write(CALLS_FD, "c", 1);
  }
  _exit(0);
}

static void usage(void)
{
  fprintf(stderr, "usage: fuzz -t SECONDS [-s SEED] [-w WORKERS] [-d DIR] | fuzz -r SEED [-n CALLS] [-v] [-d DIR]\n");
  exit(2);
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
  long seconds = 0, calls = -1;
  uint64_t seed = 0, replay = 0;
  int workers = 6;
  const char *base = "/tmp/fuzz";
  int opt;
  while ((opt = getopt(argc, argv, "t:s:w:d:r:n:v")) != -1) {
    switch (opt) {
    case 't': seconds = strtol(optarg, NULL, 0); break;
    case 's': seed = strtoull(optarg, NULL, 0); break;
    case 'w': workers = atoi(optarg); break;
    case 'd': base = optarg; break;
    case 'r': replay = strtoull(optarg, NULL, 0); break;
    case 'n': calls = strtol(optarg, NULL, 0); break;
    case 'v': verbose = 1; break;
    default: usage();
    }
  }
  mkdir(base, 0755);
  if (replay) {
    worker(replay, base, 0, calls < 0 ? 100000 : calls);
    return 0;
  }
  if (seconds <= 0)
    usage();
  if (!seed)
    seed = (uint64_t)now_ms() * 2654435761ULL;
  printf("FUZZ-SEED %llu (%d calls in the table, %d workers, %ld s)\n", (unsigned long long)seed, NCALLS, workers,
         seconds);
  fflush(stdout);
  /* Nothing a worker sends stops the master (only SIGKILL could). */
  for (int s = 1; s < 65; s++)
    if (s != SIGCHLD)
      signal(s, SIG_IGN);
  int cp[2];
  if (pipe2(cp, O_NONBLOCK) == 0 && dup2(cp[1], CALLS_FD) == CALLS_FD) {
    close(cp[1]);
    calls_pipe = cp[0];
  }
  long long end = now_ms() + seconds * 1000LL;
  int round = 0;
  long spawned = 0;
  while (now_ms() < end) {
    round++;
    for (int w = 0; w < workers; w++) {
      uint64_t ws = mix(seed, (uint64_t)round * 1000 + (uint64_t)w);
      printf("FUZZ-WORKER %d.%d %llu\n", round, w, (unsigned long long)ws);
      fflush(stdout);
      pid_t c = fork();
      if (c == 0) {
        if (calls_pipe >= 0)
          close(calls_pipe);
        setsid(); /* a session of its own: no way into the master's group */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < 65; s++)
          signal(s, SIG_DFL);
        worker(ws, base, w, -1);
      }
      if (c > 0)
        spawned++;
    }
    long long round_end = now_ms() + 2000 + (long long)(mix(seed, (uint64_t)round) % 3000);
    while (now_ms() < round_end && now_ms() < end) {
      struct timespec ts = {0, 50 * 1000 * 1000};
      nanosleep(&ts, NULL);
      while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
      calls_drain();
    }
    kill(-1, SIGKILL); /* everyone but init and us */
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
      ;
    calls_drain();
  }
  printf("FUZZ-DONE %d rounds, %ld workers\n", round, spawned);
  printf("FUZZ-CALLS %llu (at least: counted in steps of %d)\n", calls_made, CALLS_STEP);
  return 0;
}
