/*
 * readiness.c — readiness transitions of sockets under ppoll, pselect6 and
 * epoll (one readiness function in the kernel serves all three): a
 * listener with a pending connection, data arriving and being drained, a
 * peer's shutdown, a non-blocking connect completing or being refused,
 * datagrams, edge-triggered epoll, and a sleeper woken by a late write.
 */
#include "nettest.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

enum mech { M_POLL, M_SELECT, M_EPOLL };
static const char *mech_name[] = { "ppoll", "pselect6", "epoll" };
#define R 1
#define W 2
#define E 4   /* error or hang-up */

/* What the mechanism says about fd within ms milliseconds (0: right now),
 * asking for the events in `want` (R, W). */
static int ready_for(enum mech m, int fd, int ms, int want)
{
  int out = 0;
  if (m == M_POLL) {
    struct pollfd p = { fd, (short)(((want & R) ? POLLIN | POLLRDHUP : 0) | ((want & W) ? POLLOUT : 0)), 0 };
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    if (ppoll(&p, 1, &ts, NULL) > 0) {
      out |= (p.revents & POLLIN) ? R : 0;
      out |= (p.revents & POLLOUT) ? W : 0;
      out |= (p.revents & (POLLERR | POLLHUP)) ? E : 0;
    }
  } else if (m == M_SELECT) {
    fd_set rs, ws, es;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&es);
    if (want & R)
      FD_SET(fd, &rs);
    if (want & W)
      FD_SET(fd, &ws);
    FD_SET(fd, &es);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    if (pselect(fd + 1, &rs, &ws, &es, &ts, NULL) > 0) {
      out |= FD_ISSET(fd, &rs) ? R : 0;
      out |= FD_ISSET(fd, &ws) ? W : 0;
    }
  } else {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = ((want & R) ? EPOLLIN | EPOLLRDHUP : 0) | ((want & W) ? EPOLLOUT : 0),
                              .data.fd = fd };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    struct epoll_event got;
    if (epoll_wait(ep, &got, 1, ms) == 1) {
      out |= (got.events & EPOLLIN) ? R : 0;
      out |= (got.events & EPOLLOUT) ? W : 0;
      out |= (got.events & (EPOLLERR | EPOLLHUP)) ? E : 0;
    }
    close(ep);
  }
  return out;
}

static int ready(enum mech m, int fd, int ms)
{
  return ready_for(m, fd, ms, R | W);
}

/* Wait for data to be readable using only the mechanism (ready() waits for any event). */
static int wait_readable(enum mech m, int fd, int ms)
{
  double end = now_s() + ms / 1000.0;
  while (now_s() < end)
    if (ready(m, fd, 10) & R)
      return 1;
  return 0;
}

static void run(enum mech m)
{
  char name[96];
  const char *mn = mech_name[m];
#define N(s) (snprintf(name, sizeof(name), "%s/%s", mn, s), name)
  int port, l = tcp_listener(AF_INET, &port);
  check(N("listener-idle"), (ready(m, l, 0) & R) == 0, "ready %d", ready(m, l, 0));
  int c = tcp_connect_to(AF_INET, port);
  check(N("listener-readable-on-connect"), wait_readable(m, l, 2000), "not readable");
  int s = accept(l, NULL, NULL);
  check(N("listener-idle-after-accept"), (ready(m, l, 0) & R) == 0, "still readable");
  int st = ready(m, c, 0);
  check(N("connected-writable"), st == W, "ready %d", st);
  st = ready(m, s, 0);
  check(N("no-data-not-readable"), st == W, "ready %d", st);
  write(c, "abc", 3);
  check(N("readable-after-write"), wait_readable(m, s, 2000), "not readable");
  char buf[16];
  read(s, buf, sizeof(buf));
  st = ready(m, s, 0);
  check(N("not-readable-after-drain"), st == W, "ready %d", st);
  /* a sleeper is woken by a write that comes later */
  pid_t pid = fork();
  if (pid == 0) {
    usleep(150000);
    write(c, "late", 4);
    _exit(0);
  }
  double t0 = now_s();
  st = ready_for(m, s, 5000, R);
  double dt = now_s() - t0;
  check(N("sleeper-woken-by-data"), (st & R) && dt > 0.05 && dt < 4.0, "ready %d after %.3f s", st, dt);
  waitpid(pid, NULL, 0);
  read(s, buf, sizeof(buf));
  shutdown(c, SHUT_WR);
  check(N("readable-on-peer-shutdown"), wait_readable(m, s, 2000) && read(s, buf, 1) == 0, "no EOF");
  close(c);
  close(s);
  close(l);

  /* non-blocking connect: writable when it completes */
  l = tcp_listener(AF_INET, &port);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, port, &ss);
  connect(c, (struct sockaddr *)&ss, len);
  st = ready(m, c, 2000);
  check(N("nonblocking-connect-writable"), st & W, "ready %d", st);
  close(c);
  close(l);

  /* refused: an error (poll/epoll), readable and writable (select) */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  len = loop_addr(AF_INET, 0, &ss);
  bind(fd, (struct sockaddr *)&ss, len);
  port = port_of(fd);
  close(fd);
  c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  len = loop_addr(AF_INET, port, &ss);
  connect(c, (struct sockaddr *)&ss, len);
  usleep(20000);
  st = ready(m, c, 2000);
  if (m == M_SELECT)
    check(N("refused-connect"), st == (R | W), "ready %d", st);
  else
    check(N("refused-connect"), (st & E) && (st & W), "ready %d", st);
  close(c);

  /* UDP */
  int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
  len = loop_addr(AF_INET, 0, &ss);
  bind(u2, (struct sockaddr *)&ss, len);
  len = loop_addr(AF_INET, port_of(u2), &ss);
  st = ready(m, u2, 0);
  check(N("udp-writable-not-readable"), st == W, "ready %d", st);
  sendto(u1, "d", 1, 0, (struct sockaddr *)&ss, len);
  check(N("udp-readable-after-datagram"), wait_readable(m, u2, 2000), "not readable");
  close(u1);
  close(u2);
#undef N
}

/* Edge-triggered epoll reports each arrival once. */
static void test_epoll_et(void)
{
  int c = -1, s = -1;
  tcp_pair(AF_INET, &c, &s);
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = s }, got;
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  CHECK_EQ("epoll-et-idle", epoll_wait(ep, &got, 1, 0), 0);
  write(c, "1", 1);
  CHECK_EQ("epoll-et-first-arrival", epoll_wait(ep, &got, 1, 2000), 1);
  CHECK_EQ("epoll-et-no-repeat", epoll_wait(ep, &got, 1, 0), 0);
  write(c, "2", 1);
  CHECK_EQ("epoll-et-second-arrival", epoll_wait(ep, &got, 1, 2000), 1);
  /* level-triggered reports until drained; EPOLL_CTL_MOD and DEL work */
  ev.events = EPOLLIN;
  CHECK_EQ("epoll-ctl-mod", epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev), 0);
  CHECK_EQ("epoll-lt-repeats", epoll_wait(ep, &got, 1, 0) + epoll_wait(ep, &got, 1, 0), 2);
  CHECK_EQ("epoll-ctl-del", epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL), 0);
  CHECK_EQ("epoll-after-del", epoll_wait(ep, &got, 1, 0), 0);
  close(ep);
  close(c);
  close(s);
}

int main(void)
{
  test_group = "readiness";
  run(M_POLL);
  run(M_SELECT);
  run(M_EPOLL);
  test_epoll_et();
  return test_exit();
}
