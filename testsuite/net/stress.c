/*
 * stress.c — volume and hostile cases: a large TCP transfer checked end to
 * end (default 256 MiB), 1000 connections opened and closed, sockets until
 * the descriptor limit (EMFILE/ENFILE/ENOBUFS), a UDP flood on loopback, and
 * peers that vanish mid-transfer. On Kite it then checks that nothing
 * leaked: the SocketTable count and lwIP's pools (/proc/net/sockstat) and
 * the free memory (/proc/meminfo) return to where they were.
 *
 * Usage: stress [MiB]
 */
#include "nettest.h"
#include <poll.h>
#include <sys/resource.h>

/* ---- the data: a reproducible stream and a checksum over it ---- */

static uint64_t rng_state;
static uint64_t rng(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static uint64_t hash_update(uint64_t h, const unsigned char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ULL;  /* FNV-1a */
  return h;
}

static void test_bulk(size_t mib)
{
  int c, s;
  if (tcp_pair(AF_INET, &c, &s)) {
    check("bulk-connect", 0, "tcp_pair");
    return;
  }
  int hp[2];
  pipe(hp);
  size_t total = mib << 20;
  pid_t pid = fork();
  if (pid == 0) {  /* the sender */
    close(s);
    static unsigned char buf[65536];
    uint64_t h = 0xcbf29ce484222325ULL;
    rng_state = 0x9e3779b97f4a7c15ULL;
    for (size_t sent = 0; sent < total;) {
      size_t n = sizeof(buf);
      for (size_t i = 0; i < n; i += 8) {
        uint64_t r = rng();
        memcpy(buf + i, &r, 8);
      }
      h = hash_update(h, buf, n);
      if (write_full(c, buf, n) != (ssize_t)n)
        _exit(1);
      sent += n;
    }
    close(c);
    write(hp[1], &h, sizeof(h));
    _exit(0);
  }
  close(c);
  close(hp[1]);
  static unsigned char buf[100000];
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t got = 0;
  double t0 = now_s();
  for (;;) {
    ssize_t r = read(s, buf, sizeof(buf));
    if (r <= 0)
      break;
    h = hash_update(h, buf, (size_t)r);
    got += (size_t)r;
  }
  double dt = now_s() - t0;
  uint64_t want = 0;
  read(hp[0], &want, sizeof(want));
  int st;
  waitpid(pid, &st, 0);
  check("bulk-length", got == total, "%zu of %zu bytes", got, total);
  check("bulk-checksum", h == want && want != 0, "%016llx vs %016llx", (unsigned long long)h,
        (unsigned long long)want);
  check("bulk-sender-ok", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
  printf("# bulk: %zu MiB in %.2f s: %.1f MiB/s\n", mib, dt, dt > 0 ? mib / dt : 0.0);
  close(s);
  close(hp[0]);
}

static void test_many_connections(int n)
{
  int port, l = tcp_listener(AF_INET, &port);
  int ok = 0;
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    int c = tcp_connect_to(AF_INET, port);
    int s = c >= 0 ? accept(l, NULL, NULL) : -1;
    char b = (char)i, r = 0;
    if (c >= 0 && s >= 0 && write(c, &b, 1) == 1 && read(s, &r, 1) == 1 && r == b)
      ok++;
    if (c >= 0)
      close(c);
    if (s >= 0)
      close(s);
  }
  close(l);
  check("1000-connections", ok == n, "%d of %d", ok, n);
  printf("# %d connections in %.2f s\n", n, now_s() - t0);
}

static void test_many_sockets(int want)
{
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit old = rl;
  rl.rlim_cur = rl.rlim_max < (rlim_t)want + 64 ? rl.rlim_max : (rlim_t)want + 64;
  setrlimit(RLIMIT_NOFILE, &rl);
  int *fds = calloc((size_t)want + 100, sizeof(int));
  int n = 0, err = 0;
  while (n < want + 100) {
    int fd = socket(n % 2 ? AF_INET : AF_INET6, n % 3 ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (fd < 0) {
      err = errno;
      break;
    }
    fds[n++] = fd;
  }
  check("sockets-until-limit", n >= 1000 && (err == EMFILE || err == ENFILE || err == ENOBUFS ||
        err == ENOMEM), "%d sockets, then errno %d", n, err);
  printf("# %d sockets, then %s\n", n, strerror(err));
  for (int i = 0; i < n; i++)
    close(fds[i]);
  free(fds);
  setrlimit(RLIMIT_NOFILE, &old);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  check("socket-after-limit", fd >= 0, "socket");
  close(fd);
}

static void test_udp_flood(void)
{
  int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, 0, &ss);
  bind(b, (struct sockaddr *)&ss, len);
  len = loop_addr(AF_INET, port_of(b), &ss);
  static char buf[1400];
  int sent = 0, total = 20000;
  double t0 = now_s();
  for (int i = 0; i < total; i++)
    if (sendto(a, buf, sizeof(buf), 0, (struct sockaddr *)&ss, len) == (ssize_t)sizeof(buf))
      sent++;
  int got = 0;
  while (recv(b, buf, sizeof(buf), MSG_DONTWAIT) > 0)
    got++;
  check("udp-flood-sends", sent == total, "%d of %d sent", sent, total);
  check("udp-flood-receiver-survives", got > 0 && got <= sent, "%d received", got);
  printf("# udp flood: %d datagrams sent, %d received, %.2f s\n", sent, got, now_s() - t0);
  close(a);
  close(b);
}

static void test_vanishing_peer(void)
{
  /* the reader dies while we write: the writer gets an error, not a hang */
  int c, s;
  tcp_pair(AF_INET, &c, &s);
  pid_t pid = fork();
  if (pid == 0) {
    close(c);
    char buf[4096];
    for (;;)
      if (read(s, buf, sizeof(buf)) <= 0)
        _exit(0);
  }
  close(s);
  struct timeval tv = { 10, 0 };
  setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  static char buf[65536];
  int err = 0;
  double t0 = now_s();
  for (int i = 0; i < 100000; i++) {
    if (i == 20)
      kill(pid, SIGKILL);
    if (send(c, buf, sizeof(buf), MSG_NOSIGNAL) < 0) {
      err = errno;
      break;
    }
  }
  waitpid(pid, NULL, 0);
  check("reader-vanishes", err == EPIPE || err == ECONNRESET, "errno %d after %.2f s", err,
        now_s() - t0);
  close(c);
  /* the writer dies while we read: EOF (or a reset), not a hang */
  tcp_pair(AF_INET, &c, &s);
  pid = fork();
  if (pid == 0) {
    close(s);
    for (;;)
      if (write(c, buf, sizeof(buf)) < 0)
        _exit(0);
  }
  close(c);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ssize_t r = 1;
  for (int i = 0; r > 0; i++) {
    if (i == 20)
      kill(pid, SIGKILL);
    r = read(s, buf, sizeof(buf));
  }
  int e = errno;
  waitpid(pid, NULL, 0);
  check("writer-vanishes", r == 0 || (r < 0 && e == ECONNRESET), "read %zd errno %d", r, e);
  close(s);
}

/* ---- leak check (Kite: /proc/net/sockstat has an "lwIP:" line) ---- */

struct usage {
  long sockets;
  char lwip[2048];          /* the lwIP line: heap bytes and every pool's count */
  long mem_free_kb;
};

static int read_usage(struct usage *u)
{
  memset(u, 0, sizeof(*u));
  FILE *f = fopen("/proc/net/sockstat", "r");
  if (!f)
    return -1;
  char line[2048];
  while (fgets(line, sizeof(line), f)) {
    sscanf(line, "sockets: used %ld", &u->sockets);
    if (strncmp(line, "lwIP:", 5) == 0)
      snprintf(u->lwip, sizeof(u->lwip), "%s", line);
  }
  fclose(f);
  f = fopen("/proc/meminfo", "r");
  if (f) {
    while (fgets(line, sizeof(line), f))
      sscanf(line, "MemFree: %ld kB", &u->mem_free_kb);
    fclose(f);
  }
  return u->lwip[0] ? 0 : -1;
}

/* Sum of lwIP's pool counts and heap bytes (the numbers after the names). */
static long lwip_total(const char *line, long *heap)
{
  long total = 0;
  const char *p = line + 5;
  int first = 1;
  while (*p) {
    char word[64];
    int n = 0;
    if (sscanf(p, "%63s%n", word, &n) != 1)
      break;
    p += n;
    char *end;
    long v = strtol(word, &end, 10);
    if (*end == 0) {
      if (first)
        *heap = v;
      else
        total += v;
      first = 0;
    } else if (strcmp(word, "mem") != 0) {
      first = 0;
    }
  }
  return total;
}

int main(int argc, char **argv)
{
  test_group = "stress";
  signal(SIGPIPE, SIG_IGN);
  size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 256;
  struct usage before, after;
  int kite = read_usage(&before) == 0;
  test_bulk(mib);
  test_many_connections(1000);
  test_many_sockets(10000);
  test_udp_flood();
  test_vanishing_peer();
  if (!kite) {
    printf("# leak check skipped: no lwIP line in /proc/net/sockstat (not Kite)\n");
    return test_exit();
  }
  /* Connections closed actively wait in TIME_WAIT (2 * TCP_MSL); allow for it. */
  long heap0 = 0, heap1 = 0, pools0 = lwip_total(before.lwip, &heap0), pools1 = 0;
  for (int i = 0; i < 60; i++) {
    read_usage(&after);
    pools1 = lwip_total(after.lwip, &heap1);
    if (after.sockets <= before.sockets && pools1 <= pools0 && heap1 <= heap0)
      break;
    usleep(500000);
  }
  check("no-socket-leak", after.sockets <= before.sockets, "sockets %ld -> %ld", before.sockets,
        after.sockets);
  check("lwip-pools-back", pools1 <= pools0 && heap1 <= heap0,
        "pools %ld -> %ld, heap %ld -> %ld\n  before %s  after  %s", pools0, pools1, heap0, heap1,
        before.lwip, after.lwip);
  long lost = before.mem_free_kb - after.mem_free_kb;
  check("free-memory-back", lost < 1024, "MemFree %ld kB -> %ld kB", before.mem_free_kb,
        after.mem_free_kb);
  printf("# MemFree %ld kB -> %ld kB\n", before.mem_free_kb, after.mem_free_kb);
  return test_exit();
}
