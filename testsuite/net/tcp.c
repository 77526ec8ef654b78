/*
 * tcp.c — TCP socket semantics over loopback (IPv4, IPv6, dual stack),
 * as Linux defines them: connect/accept/EINPROGRESS/EALREADY/EISCONN,
 * ECONNREFUSED and SO_ERROR, EAGAIN, half-close, EPIPE and SIGPIPE,
 * SO_REUSEADDR rebinding, timeouts, MSG_PEEK/MSG_WAITALL/MSG_ERRQUEUE, FIONREAD and
 * the options programs rely on.
 */
#include "nettest.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>

static volatile int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

/* A port with nothing listening on it (bound, then closed). */
static int free_port(int family)
{
  int fd = socket(family, SOCK_STREAM, 0);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, 0, &ss);
  bind(fd, (struct sockaddr *)&ss, len);
  int port = port_of(fd);
  close(fd);
  return port;
}

static int wait_for(int fd, short events, int ms)
{
  struct pollfd p = { fd, events, 0 };
  if (poll(&p, 1, ms) <= 0)
    return 0;
  return p.revents;
}

static void test_create(void)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  check("socket", fd >= 0, "socket");
  struct stat st;
  check("fstat-is-socket", fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
  check("sock-nonblock-flag", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, "F_GETFL");
  check("sock-cloexec-flag", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "F_GETFD");
  CHECK_ERR("lseek-espipe", lseek(fd, 0, SEEK_SET), ESPIPE);
  close(fd);
  CHECK_ERR("bad-family", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
  CHECK_ERR("stream-with-udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
  int p[2];
  pipe(p);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, 0, &ss);
  CHECK_ERR("enotsock", bind(p[0], (struct sockaddr *)&ss, len), ENOTSOCK);
  close(p[0]);
  close(p[1]);
  CHECK_ERR("ebadf", listen(9999, 1), EBADF);
}

static void test_bind(void)
{
  int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, 0, &ss);
  CHECK_EQ("bind-ephemeral", bind(a, (struct sockaddr *)&ss, len), 0);
  int port = port_of(a);
  check("getsockname-port", port > 0, "port %d", port);
  struct sockaddr_in got;
  socklen_t glen = sizeof(got);
  getsockname(a, (struct sockaddr *)&got, &glen);
  check("getsockname-addr", glen == sizeof(got) && got.sin_family == AF_INET &&
        got.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "len %u", glen);
  CHECK_ERR("bind-twice", bind(a, (struct sockaddr *)&ss, len), EINVAL);
  listen(a, 1);
  len = loop_addr(AF_INET, port, &ss);
  CHECK_ERR("bind-in-use", bind(b, (struct sockaddr *)&ss, len), EADDRINUSE);
  struct sockaddr_in far = { .sin_family = AF_INET, .sin_addr.s_addr = inet_addr("10.1.2.3") };
  CHECK_ERR("bind-foreign-addr", bind(b, (struct sockaddr *)&far, sizeof(far)), EADDRNOTAVAIL);
  CHECK_ERR("bind-short-len", bind(b, (struct sockaddr *)&ss, 8), EINVAL);
  CHECK_ERR("bind-bad-pointer", bind(b, (struct sockaddr *)16, sizeof(struct sockaddr_in)), EFAULT);
  CHECK_ERR("getpeername-unconnected", getpeername(b, (struct sockaddr *)&got, &glen), ENOTCONN);
  CHECK_ERR("shutdown-unconnected", shutdown(b, SHUT_RDWR), ENOTCONN);
  CHECK_ERR("shutdown-bad-how", shutdown(b, 7), EINVAL);
  CHECK_ERR("accept-not-listening", accept(b, NULL, NULL), EINVAL);
  CHECK_ERR("send-unconnected-epipe", send(b, "x", 1, MSG_NOSIGNAL), EPIPE);
  CHECK_ERR("connect-listener-eisconn", connect(a, (struct sockaddr *)&ss, len), EISCONN);
  close(a);
  close(b);
}

static void test_refused(int family, const char *tag)
{
  char name[64];
  int port = free_port(family);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, port, &ss);
  int fd = socket(family, SOCK_STREAM, 0);
  snprintf(name, sizeof(name), "%s/connect-refused", tag);
  CHECK_ERR(name, connect(fd, (struct sockaddr *)&ss, len), ECONNREFUSED);
  close(fd);
  /* Non-blocking: EINPROGRESS (or at once), then the error through SO_ERROR. */
  fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(fd, (struct sockaddr *)&ss, len);
  int e = errno;
  snprintf(name, sizeof(name), "%s/nonblock-refused-einprogress", tag);
  check(name, r == -1 && (e == EINPROGRESS || e == ECONNREFUSED), "r %d", r);
  if (e == EINPROGRESS) {
    int ev = wait_for(fd, POLLOUT, 2000);
    snprintf(name, sizeof(name), "%s/nonblock-refused-poll", tag);
    check(name, (ev & POLLOUT) && (ev & POLLERR) && (ev & POLLHUP), "revents %#x", ev);
    int err = -1;
    socklen_t el = sizeof(err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    snprintf(name, sizeof(name), "%s/so-error-econnrefused", tag);
    check(name, err == ECONNREFUSED, "SO_ERROR %d", err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    snprintf(name, sizeof(name), "%s/so-error-cleared", tag);
    check(name, err == 0, "SO_ERROR %d", err);
  }
  close(fd);
}

static void test_nonblock_connect(int family, const char *tag)
{
  char name[64];
  int port, l = tcp_listener(family, &port);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, port, &ss);
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(fd, (struct sockaddr *)&ss, len);
  int e = errno;
  snprintf(name, sizeof(name), "%s/nonblock-connect-einprogress", tag);
  check(name, r == 0 || e == EINPROGRESS, "r %d", r);
  int ev = wait_for(fd, POLLOUT, 2000);
  snprintf(name, sizeof(name), "%s/nonblock-connect-pollout", tag);
  check(name, (ev & POLLOUT) && !(ev & (POLLERR | POLLHUP)), "revents %#x", ev);
  int err = -1;
  socklen_t el = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
  snprintf(name, sizeof(name), "%s/nonblock-connect-so-error-0", tag);
  check(name, err == 0, "SO_ERROR %d", err);
  if (r != 0) {  /* hiredis: the second connect() reports success */
    snprintf(name, sizeof(name), "%s/second-connect-0", tag);
    CHECK_EQ(name, connect(fd, (struct sockaddr *)&ss, len), 0);
  }
  snprintf(name, sizeof(name), "%s/third-connect-eisconn", tag);
  CHECK_ERR(name, connect(fd, (struct sockaddr *)&ss, len), EISCONN);
  snprintf(name, sizeof(name), "%s/nonblock-accept", tag);
  int s = accept(l, NULL, NULL);
  check(name, s >= 0, "accept");
  close(s);
  close(fd);
  close(l);
}

/* A listener whose accept queue is full leaves a new connect pending: EALREADY. */
static void test_ealready(void)
{
  int port, l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, 0, &ss);
  bind(l, (struct sockaddr *)&ss, len);
  listen(l, 0);
  port = port_of(l);
  len = loop_addr(AF_INET, port, &ss);
  int c[3];
  for (int i = 0; i < 2; i++) {
    c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c[i], (struct sockaddr *)&ss, len);
    usleep(100000);
  }
  /* Fill the queue (Linux lets backlog+1 through), then one more must wait. */
  c[2] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int r = connect(c[2], (struct sockaddr *)&ss, len);
  int e = errno;
  check("connect-pending-einprogress", r == -1 && e == EINPROGRESS, "r %d", r);
  usleep(50000);
  if (!(wait_for(c[2], POLLOUT, 0) & POLLOUT))
    CHECK_ERR("connect-again-ealready", connect(c[2], (struct sockaddr *)&ss, len), EALREADY);
  else
    check("connect-again-ealready", 0, "the third connection completed (queue not full)");
  for (int i = 0; i < 3; i++)
    close(c[i]);
  close(l);
}

static void test_data(int family, const char *tag)
{
  char name[64];
  int c, s;
  snprintf(name, sizeof(name), "%s/pair", tag);
  check(name, tcp_pair(family, &c, &s) == 0, "tcp_pair");
  struct sockaddr_storage peer;
  socklen_t plen = sizeof(peer);
  snprintf(name, sizeof(name), "%s/getpeername", tag);
  check(name, getpeername(s, (struct sockaddr *)&peer, &plen) == 0 && peer.ss_family == family,
        "family %d", peer.ss_family);
  char buf[4096];
  snprintf(name, sizeof(name), "%s/recv-nonblock-eagain", tag);
  CHECK_ERR(name, recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  /* the error queue is empty: EAGAIN at once, even on a blocking socket */
  snprintf(name, sizeof(name), "%s/recv-errqueue-empty", tag);
  CHECK_ERR(name, recv(s, buf, sizeof(buf), MSG_ERRQUEUE), EAGAIN);
  snprintf(name, sizeof(name), "%s/send", tag);
  CHECK_EQ(name, send(c, "hello, world", 12, 0), 12);
  wait_for(s, POLLIN, 2000);
  int n = -1;
  snprintf(name, sizeof(name), "%s/fionread", tag);
  check(name, ioctl(s, FIONREAD, &n) == 0 && n == 12, "FIONREAD %d", n);
  snprintf(name, sizeof(name), "%s/msg-peek", tag);
  check(name, recv(s, buf, 5, MSG_PEEK) == 5 && memcmp(buf, "hello", 5) == 0, "peek");
  snprintf(name, sizeof(name), "%s/recv-after-peek", tag);
  check(name, recv(s, buf, sizeof(buf), 0) == 12 && memcmp(buf, "hello, world", 12) == 0, "recv");
  /* a bigger message (Kite shares big loopback segments instead of copying them) */
  char big1[3000], big2[3000];
  for (int i = 0; i < (int)sizeof(big1); i++)
    big1[i] = (char)(i * 13);
  write_full(c, big1, sizeof(big1));
  wait_for(s, POLLIN, 2000);
  usleep(20000);
  snprintf(name, sizeof(name), "%s/msg-peek-big", tag);
  check(name, recv(s, big2, sizeof(big2), MSG_PEEK) == (ssize_t)sizeof(big2) &&
        memcmp(big1, big2, sizeof(big1)) == 0, "peek");
  snprintf(name, sizeof(name), "%s/recv-after-peek-big", tag);
  check(name, read_full(s, big2, sizeof(big2)) == (ssize_t)sizeof(big2) &&
        memcmp(big1, big2, sizeof(big1)) == 0, "recv");
  /* writev/readv and sendmsg/recvmsg with several pieces */
  struct iovec wv[3] = { { "ab", 2 }, { "cde", 3 }, { "fghi", 4 } };
  snprintf(name, sizeof(name), "%s/writev", tag);
  CHECK_EQ(name, writev(c, wv, 3), 9);
  char r1[4], r2[5];
  struct iovec rv[2] = { { r1, 4 }, { r2, 5 } };
  snprintf(name, sizeof(name), "%s/readv", tag);
  check(name, readv(s, rv, 2) == 9 && memcmp(r1, "abcd", 4) == 0 &&
        memcmp(r2, "efghi", 5) == 0, "readv");
  struct msghdr mh = { .msg_iov = wv, .msg_iovlen = 3 };
  snprintf(name, sizeof(name), "%s/sendmsg", tag);
  CHECK_EQ(name, sendmsg(c, &mh, 0), 9);
  struct iovec one = { buf, sizeof(buf) };
  struct msghdr rh = { .msg_iov = &one, .msg_iovlen = 1 };
  wait_for(s, POLLIN, 2000);
  snprintf(name, sizeof(name), "%s/recvmsg", tag);
  check(name, recvmsg(s, &rh, 0) == 9 && memcmp(buf, "abcdefghi", 9) == 0, "recvmsg");
  /* MSG_WAITALL: a child sends 3000 bytes in three pieces, slowly */
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 3; i++) {
      usleep(30000);
      memset(buf, 'a' + i, 1000);
      write_full(c, buf, 1000);
    }
    _exit(0);
  }
  char big[3000];
  snprintf(name, sizeof(name), "%s/msg-waitall", tag);
  CHECK_EQ(name, recv(s, big, sizeof(big), MSG_WAITALL), 3000);
  waitpid(pid, NULL, 0);
  /* half-close: the client stops sending, the server still can */
  snprintf(name, sizeof(name), "%s/shutdown-wr", tag);
  CHECK_EQ(name, shutdown(c, SHUT_WR), 0);
  snprintf(name, sizeof(name), "%s/eof-after-shutdown", tag);
  CHECK_EQ(name, read(s, buf, sizeof(buf)), 0);
  int ev = wait_for(s, POLLIN | POLLRDHUP, 0);
  snprintf(name, sizeof(name), "%s/pollrdhup", tag);
  check(name, (ev & POLLIN) && (ev & POLLRDHUP) && !(ev & POLLHUP), "revents %#x", ev);
  snprintf(name, sizeof(name), "%s/write-after-peer-shutdown", tag);
  CHECK_EQ(name, write(s, "back", 4), 4);
  snprintf(name, sizeof(name), "%s/read-on-half-closed", tag);
  check(name, read_full(c, buf, 4) == 4 && memcmp(buf, "back", 4) == 0, "read");
  snprintf(name, sizeof(name), "%s/write-after-shutdown-epipe", tag);
  CHECK_ERR(name, send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
  shutdown(s, SHUT_WR);
  wait_for(c, POLLIN, 2000);
  ev = wait_for(c, POLLIN, 0);
  snprintf(name, sizeof(name), "%s/pollhup-both-closed", tag);
  check(name, (ev & POLLHUP) != 0, "revents %#x", ev);
  close(c);
  close(s);
}

/* Small writes answered by small reads (LTP's send02): the reader's read
 * of a small segment acknowledges it at once, so Nagle does not hold the
 * sender's next small segment for a delayed ACK (lwIP's timer: up to
 * 250 ms a round; Linux and Kite take a few ms for all of them). */
static void test_small_rounds(int family, const char *tag)
{
  char name[64], buf[64];
  int c, s;
  snprintf(name, sizeof(name), "%s/small-rounds-pair", tag);
  check(name, tcp_pair(family, &c, &s) == 0, "tcp_pair");
  int rounds = 0;
  double t0 = now_s();
  for (; rounds < 20; rounds++) {
    if (send(c, "0123456789abcdef", 16, 0) != 16 || wait_for(s, POLLIN, 2000) <= 0 ||
        recv(s, buf, sizeof(buf), 0) != 16)
      break;
    if (send(c, "0123456789abcdef", 16, MSG_MORE) != 16 || send(c, "!", 1, 0) != 1)
      break;
    size_t got = 0;
    while (got < 17 && wait_for(s, POLLIN, 2000) > 0) {
      ssize_t r = recv(s, buf + got, sizeof(buf) - got, 0);
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    if (got != 17)
      break;
  }
  double dt = now_s() - t0;
  snprintf(name, sizeof(name), "%s/small-rounds-data", tag);
  check(name, rounds == 20, "%d of 20 rounds", rounds);
  snprintf(name, sizeof(name), "%s/small-rounds-prompt", tag);
  check(name, dt < 1.5, "20 rounds took %.3f s", dt);
  close(c);
  close(s);
}

static void test_epipe(void)
{
  int c, s;
  tcp_pair(AF_INET, &c, &s);
  signal(SIGPIPE, on_sigpipe);
  close(s);                                 /* the peer is gone */
  wait_for(c, POLLIN, 2000);                /* its FIN */
  CHECK_EQ("write-after-peer-close", write(c, "1", 1), 1);  /* answered with RST */
  wait_for(c, POLLERR, 2000);
  sigpipes = 0;
  CHECK_ERR("write-epipe", write(c, "2", 1), EPIPE);
  check("sigpipe-sent", sigpipes == 1, "%d SIGPIPEs", sigpipes);
  CHECK_ERR("send-nosignal-epipe", send(c, "3", 1, MSG_NOSIGNAL), EPIPE);
  check("no-sigpipe-with-msg-nosignal", sigpipes == 1, "%d SIGPIPEs", sigpipes);
  signal(SIGPIPE, SIG_DFL);
  close(c);
  /* closing with unread data resets the connection */
  tcp_pair(AF_INET, &c, &s);
  write(c, "unread", 6);
  wait_for(s, POLLIN, 2000);
  close(s);
  wait_for(c, POLLERR | POLLIN, 2000);
  char buf[16];
  CHECK_ERR("close-unread-resets", read(c, buf, sizeof(buf)), ECONNRESET);
  close(c);
}

static void test_reuseaddr(void)
{
  int port, l = tcp_listener(AF_INET, &port);
  int c = tcp_connect_to(AF_INET, port);
  int s = accept(l, NULL, NULL);
  close(s);         /* the server closes first: its side waits in TIME_WAIT */
  usleep(20000);
  close(c);
  close(l);
  usleep(20000);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(AF_INET, port, &ss);
  int b = socket(AF_INET, SOCK_STREAM, 0);
  CHECK_ERR("rebind-time-wait-without-reuseaddr", bind(b, (struct sockaddr *)&ss, len), EADDRINUSE);
  close(b);
  b = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  CHECK_EQ("rebind-with-reuseaddr", bind(b, (struct sockaddr *)&ss, len), 0);
  CHECK_EQ("listen-after-rebind", listen(b, 4), 0);
  c = tcp_connect_to(AF_INET, port);
  check("connect-after-rebind", c >= 0, "connect");
  close(c);
  close(b);
}

/* netperf's TCP_CRR: the client binds its port itself and the server
 * closes first, so the server's side of each connection waits in
 * TIME_WAIT; a new SYN for that same 4-tuple must open a new connection
 * (Linux: tcp_timewait_state_process accepts a SYN whose sequence number
 * is past the old one's), not get a RST ("Connection refused") or be held
 * off until TIME_WAIT ends. Three rounds from one client port. */
static void test_time_wait_reuse(void)
{
  int lport, l = tcp_listener(AF_INET, &lport);
  int cport = free_port(AF_INET), ok = 0;
  struct sockaddr_storage me, srv;
  socklen_t mlen = loop_addr(AF_INET, cport, &me), slen = loop_addr(AF_INET, lport, &srv);
  double t0 = now_s();
  for (int round = 0; round < 3; round++) {
    int c = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(c, (struct sockaddr *)&me, mlen) || connect(c, (struct sockaddr *)&srv, slen)) {
      check("time-wait-syn-opens-a-new-connection", 0, "round %d: bind/connect from port %d", round, cport);
      close(c);
      break;
    }
    int s = accept(l, NULL, NULL);
    char x = 'r';
    write(c, &x, 1);
    read(s, &x, 1);
    write(s, &x, 1);
    close(s);                          /* the server closes first: TIME_WAIT on its side */
    ok += read(c, &x, 1) == 1 && read(c, &x, 1) == 0;
    close(c);
  }
  if (ok == 3)
    check("time-wait-syn-opens-a-new-connection", 1, "");
  check("time-wait-syn-is-not-held-off", now_s() - t0 < 2.0, "3 rounds took %.1f s", now_s() - t0);
  close(l);
}

static void test_timeouts(void)
{
  int c, s;
  tcp_pair(AF_INET, &c, &s);
  struct timeval tv = { 0, 200000 };
  CHECK_EQ("so-rcvtimeo-set", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
  struct timeval got = { 9, 9 };
  socklen_t gl = sizeof(got);
  getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &gl);
  check("so-rcvtimeo-get", got.tv_sec == 0 && got.tv_usec == 200000, "%ld.%06ld",
        (long)got.tv_sec, (long)got.tv_usec);
  char buf[8];
  double t0 = now_s();
  CHECK_ERR("so-rcvtimeo-eagain", read(s, buf, sizeof(buf)), EAGAIN);
  double dt = now_s() - t0;
  check("so-rcvtimeo-duration", dt > 0.15 && dt < 3.0, "waited %.3f s", dt);
  /* FIONBIO and fcntl O_NONBLOCK */
  int on = 1;
  ioctl(c, FIONBIO, &on);
  CHECK_ERR("fionbio-eagain", read(c, buf, sizeof(buf)), EAGAIN);
  on = 0;
  ioctl(c, FIONBIO, &on);
  set_nonblock(c, 1);
  CHECK_ERR("o-nonblock-eagain", read(c, buf, sizeof(buf)), EAGAIN);
  close(c);
  close(s);
}

static int getint(int fd, int level, int opt)
{
  int v = -1;
  socklen_t len = sizeof(v);
  if (getsockopt(fd, level, opt, &v, &len))
    return -1000 - errno;
  return v;
}

static void test_options(void)
{
  int port, l = tcp_listener(AF_INET, &port);
  int c = tcp_connect_to(AF_INET, port);
  int v = -1;
  socklen_t len = sizeof(v);
#define GETINT(fd, lvl, opt) (v = getint(fd, lvl, opt))
  CHECK_EQ("so-type", GETINT(c, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  CHECK_EQ("so-domain", GETINT(c, SOL_SOCKET, SO_DOMAIN), AF_INET);
  CHECK_EQ("so-protocol", GETINT(c, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
  CHECK_EQ("so-acceptconn-listener", GETINT(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
  CHECK_EQ("so-acceptconn-client", GETINT(c, SOL_SOCKET, SO_ACCEPTCONN), 0);
  CHECK_EQ("so-error", GETINT(c, SOL_SOCKET, SO_ERROR), 0);
  v = getint(c, SOL_SOCKET, SO_SNDBUF);
  check("so-sndbuf", v > 0, "SO_SNDBUF %d", v);
  v = getint(c, SOL_SOCKET, SO_RCVBUF);
  check("so-rcvbuf", v > 0, "SO_RCVBUF %d", v);
  int set = 65536;
  setsockopt(c, SOL_SOCKET, SO_RCVBUF, &set, sizeof(set));
  CHECK_EQ("so-rcvbuf-doubled", GETINT(c, SOL_SOCKET, SO_RCVBUF), 131072);
  int one = 1;
  CHECK_EQ("so-keepalive-set", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), 0);
  CHECK_EQ("so-keepalive-get", GETINT(c, SOL_SOCKET, SO_KEEPALIVE), 1);
  CHECK_EQ("so-reuseport-set", setsockopt(c, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
  CHECK_EQ("tcp-nodelay-set", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
  CHECK_EQ("tcp-nodelay-get", GETINT(c, IPPROTO_TCP, TCP_NODELAY), 1);
  v = getint(c, IPPROTO_TCP, TCP_MAXSEG);
  check("tcp-maxseg", v > 0, "TCP_MAXSEG %d", v);
  int idle = 30;
  CHECK_EQ("tcp-keepidle", setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)), 0);
  CHECK_EQ("tcp-keepidle-get", GETINT(c, IPPROTO_TCP, TCP_KEEPIDLE), 30);
  struct linger lg = { 1, 5 }, lg2 = { 0, 0 };
  len = sizeof(lg2);
  setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  getsockopt(c, SOL_SOCKET, SO_LINGER, &lg2, &len);
  check("so-linger", lg2.l_onoff == 1 && lg2.l_linger == 5, "linger %d %d", lg2.l_onoff, lg2.l_linger);
  struct tcp_info ti;
  memset(&ti, 0, sizeof(ti));
  len = sizeof(ti);
  check("tcp-info", getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && len > 0 &&
        ti.tcpi_state == 1 /* TCP_ESTABLISHED */, "state %d len %u", ti.tcpi_state, len);
  char cc[32] = "";
  len = sizeof(cc);
  check("tcp-congestion-get", getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, cc, &len) == 0 && cc[0],
        "'%s'", cc);
  CHECK_EQ("tcp-congestion-set-reno", setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4), 0);
  len = sizeof(v);
  CHECK_ERR("getsockopt-bad-level", getsockopt(c, 9999, 1, &v, &len), EOPNOTSUPP);
  CHECK_ERR("getsockopt-bad-ip-option", getsockopt(c, IPPROTO_IP, 9999, &v, &len), ENOPROTOOPT);
  CHECK_ERR("getsockopt-efault", getsockopt(c, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)16), EFAULT);
  int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  check("accept4-flags", s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) &&
        (fcntl(s, F_GETFD) & FD_CLOEXEC), "accept4");
  set_nonblock(l, 1);
  CHECK_ERR("accept-nonblock-eagain", accept(l, NULL, NULL), EAGAIN);
  close(s);
  close(c);
  close(l);
}

static void test_sendfile(void)
{
  int c, s;
  tcp_pair(AF_INET, &c, &s);
  char path[] = "/tmp/nettest-sendfile-XXXXXX";
  int f = mkstemp(path);
  char data[10000];
  for (int i = 0; i < (int)sizeof(data); i++)
    data[i] = (char)(i * 7);
  write_full(f, data, sizeof(data));
  lseek(f, 0, SEEK_SET);
  CHECK_EQ("sendfile-to-socket", sendfile(c, f, NULL, sizeof(data)), sizeof(data));
  char got[10000];
  check("sendfile-data", read_full(s, got, sizeof(got)) == (ssize_t)sizeof(got) &&
        memcmp(got, data, sizeof(data)) == 0, "data");
  close(f);
  unlink(path);
  close(c);
  close(s);
}

static void test_dual_stack(void)
{
  /* [::] without IPV6_V6ONLY accepts IPv4 clients as ::ffff:a.b.c.d */
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  int zero = 0, one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  CHECK_EQ("v6only-off", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)), 0);
  struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
  CHECK_EQ("bind-in6addr-any", bind(l, (struct sockaddr *)&any, sizeof(any)), 0);
  listen(l, 8);
  int port = port_of(l);
  int c4 = tcp_connect_to(AF_INET, port);
  check("ipv4-client-to-dual-stack", c4 >= 0, "connect");
  struct sockaddr_in6 peer;
  socklen_t plen = sizeof(peer);
  int s = accept(l, (struct sockaddr *)&peer, &plen);
  static const unsigned char mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };
  check("v4-mapped-peer", s >= 0 && plen == sizeof(peer) && peer.sin6_family == AF_INET6 &&
        memcmp(&peer.sin6_addr, mapped, 16) == 0, "plen %u", plen);
  write(c4, "v4", 2);
  char buf[4];
  check("v4-mapped-data", read_full(s, buf, 2) == 2 && memcmp(buf, "v4", 2) == 0, "read");
  close(s);
  close(c4);
  int c6 = tcp_connect_to(AF_INET6, port);
  s = accept(l, NULL, NULL);
  check("ipv6-client-to-dual-stack", c6 >= 0 && s >= 0, "connect");
  close(s);
  close(c6);
  close(l);
  /* IPV6_V6ONLY: IPv4 clients are refused */
  l = socket(AF_INET6, SOCK_STREAM, 0);
  setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  int v = 0;
  socklen_t len = sizeof(v);
  getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len);
  check("v6only-get", v == 1, "IPV6_V6ONLY %d", v);
  bind(l, (struct sockaddr *)&any, sizeof(any));
  listen(l, 8);
  port = port_of(l);
  errno = 0;
  c4 = tcp_connect_to(AF_INET, port);
  check("v6only-refuses-ipv4", c4 < 0 && errno == ECONNREFUSED, "fd %d", c4);
  if (c4 >= 0)
    close(c4);
  close(l);
}

int main(void)
{
  test_group = "tcp";
  signal(SIGPIPE, SIG_IGN);
  test_create();
  test_bind();
  test_refused(AF_INET, "v4");
  test_refused(AF_INET6, "v6");
  test_nonblock_connect(AF_INET, "v4");
  test_nonblock_connect(AF_INET6, "v6");
  test_ealready();
  test_data(AF_INET, "v4");
  test_data(AF_INET6, "v6");
  test_small_rounds(AF_INET, "v4");
  test_small_rounds(AF_INET6, "v6");
  test_epipe();
  test_reuseaddr();
  test_time_wait_reuse();
  test_timeouts();
  test_options();
  test_sendfile();
  test_dual_stack();
  return test_exit();
}
