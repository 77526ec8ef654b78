/*
 * unix.c — AF_UNIX sockets: stream, datagram and seqpacket; path,
 * abstract and automatic names; socketpair; EOF, EPIPE and resets;
 * descriptor passing (SCM_RIGHTS) and credentials (SCM_CREDENTIALS,
 * SO_PEERCRED); flow control and readiness; a large transfer.
 */
#include "nettest.h"
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

static socklen_t path_addr(const char *path, struct sockaddr_un *a)
{
  memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract_addr(const char *name, struct sockaddr_un *a)
{
  memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, strlen(name));
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int pollev(int fd, short ev, int ms)
{
  struct pollfd p = { fd, ev, 0 };
  return poll(&p, 1, ms) > 0 ? p.revents : 0;
}

static void test_pair_stream(void)
{
  int sv[2];
  CHECK_EQ("socketpair-stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  char buf[64];
  CHECK_EQ("pair-write", write(sv[0], "ping", 4), 4);
  check("pair-read", read(sv[1], buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0, "read");
  CHECK_EQ("pair-write-back", write(sv[1], "pong", 4), 4);
  check("pair-read-back", read(sv[0], buf, sizeof(buf)) == 4 && memcmp(buf, "pong", 4) == 0, "read");
  CHECK_ERR("pair-recv-eagain", recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  write(sv[0], "abcdef", 6);
  int n = -1;
  check("pair-fionread", ioctl(sv[1], FIONREAD, &n) == 0 && n == 6, "FIONREAD %d", n);
  check("pair-peek", recv(sv[1], buf, 3, MSG_PEEK) == 3 && memcmp(buf, "abc", 3) == 0, "peek");
  check("pair-partial-read", read(sv[1], buf, 2) == 2 && read(sv[1], buf + 2, 10) == 4 &&
        memcmp(buf, "abcdef", 6) == 0, "read");
  struct sockaddr_un name;
  socklen_t len = sizeof(name);
  check("pair-unnamed", getsockname(sv[0], (struct sockaddr *)&name, &len) == 0 &&
        len == sizeof(sa_family_t) && name.sun_family == AF_UNIX, "len %u", len);
  CHECK_EQ("pair-shutdown-wr", shutdown(sv[0], SHUT_WR), 0);
  int ev = pollev(sv[1], POLLIN | POLLRDHUP, 1000);
  check("pair-pollrdhup", (ev & POLLIN) && (ev & POLLRDHUP), "revents %#x", ev);
  CHECK_EQ("pair-eof-after-shutdown", read(sv[1], buf, sizeof(buf)), 0);
  CHECK_ERR("pair-write-after-shutdown", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
  CHECK_EQ("pair-other-way-still-open", write(sv[1], "y", 1), 1);
  close(sv[0]);
  close(sv[1]);
  /* the peer closes: EOF, then EPIPE */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  close(sv[1]);
  ev = pollev(sv[0], POLLIN | POLLOUT, 0);
  check("closed-peer-pollhup", (ev & POLLHUP) && (ev & POLLIN), "revents %#x", ev);
  CHECK_EQ("closed-peer-eof", read(sv[0], buf, sizeof(buf)), 0);
  CHECK_ERR("closed-peer-epipe", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
  close(sv[0]);
  /* closing with unread data resets the other end */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "unread", 6);
  close(sv[1]);
  CHECK_ERR("close-unread-econnreset", read(sv[0], buf, sizeof(buf)), ECONNRESET);
  close(sv[0]);
}

static void test_pair_dgram(void)
{
  int sv[2];
  CHECK_EQ("socketpair-dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  send(sv[0], "a", 1, 0);
  send(sv[0], "bb", 2, 0);
  send(sv[0], "ccc", 3, 0);
  char buf[16];
  check("dgram-boundaries", recv(sv[1], buf, sizeof(buf), 0) == 1 && recv(sv[1], buf, sizeof(buf), 0) == 2 &&
        recv(sv[1], buf, sizeof(buf), 0) == 3, "sizes");
  send(sv[0], "truncated", 9, 0);
  struct iovec iov = { buf, 4 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  check("dgram-msg-trunc", recvmsg(sv[1], &mh, 0) == 4 && (mh.msg_flags & MSG_TRUNC), "flags %#x",
        mh.msg_flags);
  CHECK_ERR("dgram-empty-eagain", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  CHECK_EQ("dgram-zero-length", send(sv[0], "", 0, 0), 0);
  CHECK_EQ("dgram-recv-zero-length", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
  close(sv[0]);
  close(sv[1]);
  CHECK_EQ("socketpair-seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
  send(sv[0], "one", 3, 0);
  send(sv[0], "three", 5, 0);
  check("seqpacket-boundaries", recv(sv[1], buf, sizeof(buf), 0) == 3 &&
        recv(sv[1], buf, sizeof(buf), 0) == 5, "sizes");
  close(sv[0]);
  CHECK_EQ("seqpacket-eof", recv(sv[1], buf, sizeof(buf), 0), 0);
  close(sv[1]);
  CHECK_ERR("socketpair-inet", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
}

static void test_path(void)
{
  const char *path = "/tmp/nettest-unix.sock";
  unlink(path);
  struct sockaddr_un a;
  socklen_t alen = path_addr(path, &a);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_EQ("bind-path", bind(l, (struct sockaddr *)&a, alen), 0);
  struct stat st;
  check("socket-file", stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR("bind-path-in-use", bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
  close(l2);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR("connect-not-listening", connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
  CHECK_EQ("listen", listen(l, 4), 0);
  CHECK_EQ("connect-path", connect(c, (struct sockaddr *)&a, alen), 0);
  struct sockaddr_un got;
  socklen_t glen = sizeof(got);
  int s = accept(l, (struct sockaddr *)&got, &glen);
  check("accept-path", s >= 0 && glen == sizeof(sa_family_t), "glen %u", glen);
  glen = sizeof(got);
  check("getpeername-path", getpeername(c, (struct sockaddr *)&got, &glen) == 0 &&
        strcmp(got.sun_path, path) == 0 && glen == alen, "glen %u '%s'", glen, got.sun_path);
  glen = sizeof(got);
  check("getsockname-accepted", getsockname(s, (struct sockaddr *)&got, &glen) == 0 &&
        strcmp(got.sun_path, path) == 0, "'%s'", got.sun_path);
  write(c, "via path", 8);
  char buf[16];
  check("path-data", read(s, buf, sizeof(buf)) == 8, "read");
  struct ucred cr = { 0, 9, 9 };
  socklen_t crl = sizeof(cr);
  check("so-peercred", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &crl) == 0 && cr.pid == getpid() &&
        cr.uid == getuid(), "pid %d uid %u", cr.pid, cr.uid);
  close(s);
  close(c);
  close(l);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR("connect-closed-listener", connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
  close(c);
  unlink(path);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR("connect-missing-path", connect(c, (struct sockaddr *)&a, alen), ENOENT);
  int f = open("/tmp/nettest-unix.file", O_CREAT | O_WRONLY, 0644);
  close(f);
  alen = path_addr("/tmp/nettest-unix.file", &a);
  CHECK_ERR("connect-regular-file", connect(c, (struct sockaddr *)&a, alen), ECONNREFUSED);
  unlink("/tmp/nettest-unix.file");
  close(c);
}

static void test_abstract(void)
{
  struct sockaddr_un a;
  socklen_t alen = abstract_addr("kite-nettest", &a);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_EQ("bind-abstract", bind(l, (struct sockaddr *)&a, alen), 0);
  listen(l, 4);
  int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_ERR("bind-abstract-in-use", bind(l2, (struct sockaddr *)&a, alen), EADDRINUSE);
  close(l2);
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK_EQ("connect-abstract", connect(c, (struct sockaddr *)&a, alen), 0);
  int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
  check("accept4-cloexec", s >= 0 && (fcntl(s, F_GETFD) & FD_CLOEXEC), "accept4");
  struct sockaddr_un got;
  socklen_t glen = sizeof(got);
  getsockname(l, (struct sockaddr *)&got, &glen);
  check("getsockname-abstract", glen == alen && got.sun_path[0] == 0 &&
        memcmp(got.sun_path + 1, "kite-nettest", 12) == 0, "glen %u", glen);
  close(s);
  close(c);
  close(l);
  /* the name is free again */
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK_EQ("rebind-abstract", bind(l, (struct sockaddr *)&a, alen), 0);
  close(l);
  /* autobind */
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un fam = { .sun_family = AF_UNIX };
  CHECK_EQ("autobind", bind(d, (struct sockaddr *)&fam, sizeof(sa_family_t)), 0);
  glen = sizeof(got);
  getsockname(d, (struct sockaddr *)&got, &glen);
  check("autobind-name", glen == offsetof(struct sockaddr_un, sun_path) + 6 && got.sun_path[0] == 0,
        "glen %u", glen);
  close(d);
  int x = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK_ERR("listen-dgram", listen(x, 1), EOPNOTSUPP);
  close(x);
}

static void test_dgram_named(void)
{
  const char *sp = "/tmp/nettest-dgram.sock", *cp = "/tmp/nettest-dgram-c.sock";
  unlink(sp);
  unlink(cp);
  struct sockaddr_un sa, ca, from;
  socklen_t sl = path_addr(sp, &sa), cl = path_addr(cp, &ca), fl;
  int srv = socket(AF_UNIX, SOCK_DGRAM, 0), cli = socket(AF_UNIX, SOCK_DGRAM, 0);
  bind(srv, (struct sockaddr *)&sa, sl);
  char buf[32];
  CHECK_EQ("dgram-sendto-path", sendto(cli, "anon", 4, 0, (struct sockaddr *)&sa, sl), 4);
  fl = sizeof(from);
  check("dgram-from-unnamed", recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) == 4 &&
        fl == 0, "fl %u", fl);
  bind(cli, (struct sockaddr *)&ca, cl);
  sendto(cli, "named", 5, 0, (struct sockaddr *)&sa, sl);
  fl = sizeof(from);
  check("dgram-from-named", recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl) == 5 &&
        strcmp(from.sun_path, cp) == 0, "from '%s'", from.sun_path);
  CHECK_EQ("dgram-reply", sendto(srv, "reply", 5, 0, (struct sockaddr *)&from, fl), 5);
  CHECK_EQ("dgram-reply-arrives", recv(cli, buf, sizeof(buf), 0), 5);
  /* a connected datagram socket takes messages only from its peer */
  CHECK_EQ("dgram-connect", connect(srv, (struct sockaddr *)&ca, cl), 0);
  int third = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK_ERR("dgram-connected-eperm", sendto(third, "x", 1, 0, (struct sockaddr *)&sa, sl), EPERM);
  CHECK_EQ("dgram-send-connected", send(srv, "to peer", 7, 0), 7);
  CHECK_EQ("dgram-recv-connected", recv(cli, buf, sizeof(buf), 0), 7);
  close(third);
  int lone = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK_ERR("dgram-unconnected-send", send(lone, "x", 1, 0), ENOTCONN);
  struct sockaddr_un nowhere;
  socklen_t nl = path_addr("/tmp/nettest-nowhere.sock", &nowhere);
  CHECK_ERR("dgram-sendto-missing", sendto(lone, "x", 1, 0, (struct sockaddr *)&nowhere, nl), ENOENT);
  close(lone);
  close(cli);
  close(srv);
  unlink(sp);
  unlink(cp);
}

static void test_scm(void)
{
  int sv[2], p[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pipe(p);
  char ctl[CMSG_SPACE(sizeof(int) * 2)];
  memset(ctl, 0, sizeof(ctl));
  struct iovec iov = { "F", 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * 2);
  int fds[2] = { p[0], p[1] };
  memcpy(CMSG_DATA(c), fds, sizeof(fds));
  CHECK_EQ("scm-rights-send", sendmsg(sv[0], &mh, 0), 1);
  close(p[0]);
  close(p[1]);
  char rctl[CMSG_SPACE(sizeof(int) * 2)], b;
  struct iovec riov = { &b, 1 };
  struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl, .msg_controllen = sizeof(rctl) };
  CHECK_EQ("scm-rights-recv", recvmsg(sv[1], &rh, MSG_CMSG_CLOEXEC), 1);
  struct cmsghdr *rc = CMSG_FIRSTHDR(&rh);
  int got[2] = { -1, -1 };
  check("scm-rights-cmsg", rc && rc->cmsg_level == SOL_SOCKET && rc->cmsg_type == SCM_RIGHTS &&
        rc->cmsg_len == CMSG_LEN(sizeof(int) * 2), "cmsg");
  if (rc)
    memcpy(got, CMSG_DATA(rc), sizeof(got));
  check("scm-rights-cloexec", (fcntl(got[0], F_GETFD) & FD_CLOEXEC) != 0, "F_GETFD");
  char buf[8];
  check("scm-rights-usable", write(got[1], "pipe", 4) == 4 && read(got[0], buf, 4) == 4 &&
        memcmp(buf, "pipe", 4) == 0, "through the passed pipe");
  close(got[0]);
  close(got[1]);
  /* no room for the descriptors: MSG_CTRUNC, and they are not installed */
  pipe(p);
  memcpy(CMSG_DATA(c), p, sizeof(p));
  sendmsg(sv[0], &mh, 0);
  close(p[0]);
  close(p[1]);
  struct msghdr sh = { .msg_iov = &riov, .msg_iovlen = 1 };
  check("scm-rights-ctrunc", recvmsg(sv[1], &sh, 0) == 1 && (sh.msg_flags & MSG_CTRUNC), "flags %#x",
        sh.msg_flags);
  /* credentials */
  int one = 1;
  CHECK_EQ("so-passcred", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
  write(sv[0], "C", 1);
  char cctl[CMSG_SPACE(sizeof(struct ucred))];
  struct msghdr ch = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = cctl, .msg_controllen = sizeof(cctl) };
  recvmsg(sv[1], &ch, 0);
  struct cmsghdr *cc = CMSG_FIRSTHDR(&ch);
  struct ucred cr = { 0, 0, 0 };
  if (cc && cc->cmsg_type == SCM_CREDENTIALS)
    memcpy(&cr, CMSG_DATA(cc), sizeof(cr));
  check("scm-credentials", cc && cc->cmsg_type == SCM_CREDENTIALS && cr.pid == getpid(), "pid %d", cr.pid);
  close(sv[0]);
  close(sv[1]);
}

static void test_flow(void)
{
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
  static char buf[65536];
  long total = 0;
  ssize_t w;
  while ((w = write(sv[0], buf, sizeof(buf))) > 0)
    total += w;
  check("stream-fills-eagain", w < 0 && errno == EAGAIN && total > 0, "after %ld bytes", total);
  check("full-not-writable", !(pollev(sv[0], POLLOUT, 0) & POLLOUT), "POLLOUT");
  long drained = 0;
  ssize_t r;
  while ((r = read(sv[1], buf, sizeof(buf))) > 0)
    drained += r;
  check("drained-all", drained == total, "%ld of %ld", drained, total);
  check("writable-after-drain", pollev(sv[0], POLLOUT, 1000) & POLLOUT, "POLLOUT");
  close(sv[0]);
  close(sv[1]);
  /* 8 MiB through a stream pair with a child process, checked */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[1]);
    for (int i = 0; i < 128; i++) {
      for (int k = 0; k < 65536; k++)
        buf[k] = (char)(i + k);
      if (write_full(sv[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
        _exit(1);
    }
    _exit(0);
  }
  close(sv[0]);
  long got = 0, bad = 0;
  while ((r = read(sv[1], buf, sizeof(buf))) > 0) {
    for (ssize_t k = 0; k < r; k++)
      if (buf[k] != (char)((got + k) / 65536 + (got + k) % 65536))
        bad++;
    got += r;
  }
  int st;
  waitpid(pid, &st, 0);
  check("stream-8mib", got == 128L * 65536 && bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
        "%ld bytes, %ld bad", got, bad);
  close(sv[1]);
}

int main(void)
{
  test_group = "unix";
  signal(SIGPIPE, SIG_IGN);
  test_pair_stream();
  test_pair_dgram();
  test_path();
  test_abstract();
  test_dgram_named();
  test_scm();
  test_flow();
  return test_exit();
}
