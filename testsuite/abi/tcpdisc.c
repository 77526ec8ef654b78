/*
 * tcpdisc.c — two ways a TCP socket changes under its owner, as Linux
 * defines them: IPV6_ADDRFORM (man 7 ipv6: an AF_INET6 socket connected to
 * an IPv4 peer becomes AF_INET) and connect(AF_UNSPEC) (man 2 connect:
 * the socket is disconnected, back in CLOSE, and may bind, listen or
 * connect again; Linux's tcp_disconnect), and LTP connect02's loop that
 * combines them (CVE-2018-9568). Over loopback; runs on Kite, on the
 * reference Linux (abi-ref) and under qemu-user (abi-linux), where QEMU
 * 7.2 has no IPV6_ADDRFORM (linux-user/syscall.c, do_setsockopt's
 * SOL_IPV6 list) and the host's kernel, not 6.1, answers the rest.
 */
#include "check.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define R(x) ({ long r_ = (long)(x); r_ < 0 ? -errno : r_; })

/* Bring lo up where the system booted without doing it (the reference
 * Linux's init is ours). Failure is fine: it may be up already. */
static void lo_up(void)
{
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strcpy(ifr.ifr_name, "lo");
  if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags |= IFF_UP;
    ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  if (fd >= 0)
    close(fd);
}

static int port_of(int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len))
    return -1;
  if (ss.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* The family getsockname (or getpeername) reports and its length; -errno. */
static long name_family(int fd, int peer, socklen_t *len)
{
  struct sockaddr_storage ss;
  *len = sizeof(ss);
  memset(&ss, 0, sizeof(ss));
  int r = peer ? getpeername(fd, (struct sockaddr *)&ss, len)
               : getsockname(fd, (struct sockaddr *)&ss, len);
  return r ? -errno : ss.ss_family;
}

static struct sockaddr_in loop4(int port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int connect4(int port)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loop4(port);
  if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int connect6(int port)
{
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
  a.sin6_addr = in6addr_loopback;
  if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
    close(fd);
    return -1;
  }
  return fd;
}

/* A dual-stack listener on [::], a port the kernel picks. */
static int listen6(int *port)
{
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
  if (l < 0 || bind(l, (struct sockaddr *)&any, sizeof(any)) || listen(l, 8))
    return -1;
  *port = port_of(l);
  return l;
}

static int listen4(int *port)
{
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loop4(0);
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 8))
    return -1;
  *port = port_of(l);
  return l;
}

static void test_addrform(void)
{
  int in4 = AF_INET, in6 = AF_INET6, port;
  int l = listen6(&port);
  CHECK_RET("addrform-listener-enotconn",
            R(setsockopt(l, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4))), -ENOTCONN);
  int c = connect4(port);
  int s = accept(l, NULL, NULL);
  CHECKF("addrform-pair", c >= 0 && s >= 0, "c %d s %d", c, s);
  CHECK_RET("addrform-short", R(setsockopt(s, SOL_IPV6, IPV6_ADDRFORM, &in4, 2)), -EINVAL);
  CHECK_RET("addrform-to-inet6",
            R(setsockopt(s, SOL_IPV6, IPV6_ADDRFORM, &in6, sizeof(in6))), -EINVAL);
  socklen_t len;
  CHECKF("addrform-before-in6", name_family(s, 0, &len) == AF_INET6 &&
         len == sizeof(struct sockaddr_in6), "len %u", len);
  CHECK_RET("addrform-ok", R(setsockopt(s, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4))), 0);
  int dom = -1;
  socklen_t dl = sizeof(dom);
  getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &dl);
  CHECKF("addrform-so-domain", dom == AF_INET, "SO_DOMAIN %d", dom);
  struct sockaddr_in sin;
  len = sizeof(sin);
  getsockname(s, (struct sockaddr *)&sin, &len);
  CHECKF("addrform-sockname-in", len == sizeof(sin) && sin.sin_family == AF_INET &&
         sin.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(sin.sin_port) == port,
         "len %u family %d", len, sin.sin_family);
  CHECKF("addrform-peername-in", name_family(s, 1, &len) == AF_INET && len == sizeof(sin),
         "len %u", len);
  char buf[4] = "";
  CHECK("addrform-data", write(c, "abc", 3) == 3 && read(s, buf, 3) == 3 &&
        write(s, "xyz", 3) == 3 && read(c, buf, 3) == 3 && memcmp(buf, "xyz", 3) == 0);
  CHECK_RET("addrform-again",
            R(setsockopt(s, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4))), -ENOPROTOOPT);
  int v = 0;
  len = sizeof(v);
  CHECK_RET("addrform-v6-options-gone", R(getsockopt(s, SOL_IPV6, IPV6_V6ONLY, &v, &len)),
            -EOPNOTSUPP);  /* Linux's ip_getsockopt now serves it */
  close(s);
  close(c);
  c = connect6(port);
  s = accept(l, NULL, NULL);
  CHECK_RET("addrform-ipv6-peer",
            R(setsockopt(s, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4))), -EADDRNOTAVAIL);
  close(s);
  close(c);
  close(l);
  int u = socket(AF_INET6, SOCK_DGRAM, 0);
  CHECK_RET("addrform-udp-enotconn",
            R(setsockopt(u, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4))), -ENOTCONN);
  struct sockaddr_in6 m = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
  connect(u, (struct sockaddr *)&m, sizeof(m));
  CHECK_RET("addrform-udp-ok", R(setsockopt(u, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4))), 0);
  CHECKF("addrform-udp-name-in", name_family(u, 0, &len) == AF_INET && len == sizeof(sin),
         "len %u", len);
  close(u);
}

static void test_disconnect(void)
{
  struct sockaddr unspec = { .sa_family = AF_UNSPEC };
  char buf[4];
  socklen_t len;
  int port, l = listen4(&port);
  int c = connect4(port), s = accept(l, NULL, NULL);
  close(l);
  CHECK_RET("disconnect-short", R(connect(s, &unspec, 1)), -EINVAL);
  CHECK_RET("disconnect-established", R(connect(s, &unspec, sizeof(unspec))), 0);
  CHECK_RET("disconnect-peer-reset", R(read(c, buf, sizeof(buf))), -ECONNRESET);
  CHECK_RET("disconnect-no-peer", name_family(s, 1, &len), -ENOTCONN);
  CHECK_RET("disconnect-recv-econnreset", R(recv(s, buf, sizeof(buf), MSG_DONTWAIT)), -ECONNRESET);
  CHECK_RET("disconnect-recv-enotconn", R(recv(s, buf, sizeof(buf), MSG_DONTWAIT)), -ENOTCONN);
  CHECK_RET("disconnect-send-epipe", R(send(s, "x", 1, MSG_NOSIGNAL)), -EPIPE);
  struct sockaddr_in a = loop4(0);
  CHECK_RET("disconnect-bind-again", R(bind(s, (struct sockaddr *)&a, sizeof(a))), 0);
  close(c);
  /* listen() after disconnecting a connected socket: 6.1 allows it (LTP
   * connect02 relies on it); newer kernels refuse it */
  if (!skip_on_qemu("disconnect-listen-again", "the host's kernel is not 6.1: listen() is EINVAL there")) {
    long r = R(listen(s, 4));
    CHECK_RET("disconnect-listen-again", r, 0);
    port = port_of(s);
    int c2 = r == 0 ? connect4(port) : -1, s2 = c2 >= 0 ? accept(s, NULL, NULL) : -1;
    CHECKF("disconnect-accept-after", c2 >= 0 && s2 >= 0, "c2 %d s2 %d", c2, s2);
    close(s2);
    close(c2);
  }
  close(s);
  /* a listener: its queued connection is reset, accept() is EINVAL, the
   * port the kernel chose is released, and it connects again */
  l = listen4(&port);
  int c2 = connect4(port);
  CHECK_RET("disconnect-listener", R(connect(l, &unspec, sizeof(unspec))), 0);
  CHECK_RET("disconnect-queued-reset", R(read(c2, buf, sizeof(buf))), -ECONNRESET);
  close(c2);
  CHECK_RET("disconnect-accept-einval", R(accept(l, NULL, NULL)), -EINVAL);
  CHECK_RET("disconnect-listener-gone", R(connect4(port)), -ECONNREFUSED);
  /* connect() after disconnecting a listener: 6.1 allows it; 6.18 (the
   * host's kernel under qemu-user here) is EINVAL */
  if (!skip_on_qemu("disconnect-connect-again", "the host's kernel is not 6.1: connect() is EINVAL there")) {
    int l2 = listen4(&port);
    a = loop4(port);
    long r = R(connect(l, (struct sockaddr *)&a, sizeof(a)));
    CHECK_RET("disconnect-connect-again", r, 0);
    int s2 = r == 0 ? accept(l2, NULL, NULL) : -1; /* no connection: accept() would wait for ever */
    CHECK("disconnect-connect-again-data", s2 >= 0 && write(l, "ok", 2) == 2 &&
          read(s2, buf, 2) == 2 && memcmp(buf, "ok", 2) == 0);
    close(s2);
    close(l2);
  }
  close(l);
  int fresh = socket(AF_INET, SOCK_STREAM, 0);
  CHECK_RET("disconnect-fresh", R(connect(fresh, &unspec, sizeof(unspec))), 0);
  close(fresh);
  /* a port fixed by bind() stays bound (SOCK_BINDPORT_LOCK) */
  int b = socket(AF_INET, SOCK_STREAM, 0);
  l = listen4(&port);
  close(l);
  a = loop4(port);
  bind(b, (struct sockaddr *)&a, sizeof(a));
  listen(b, 4);
  CHECK_RET("disconnect-bound-listener", R(connect(b, &unspec, sizeof(unspec))), 0);
  CHECKF("disconnect-bound-port-kept", port_of(b) == port, "port %d want %d", port_of(b), port);
  CHECK_RET("disconnect-bound-rebind", R(bind(b, (struct sockaddr *)&a, sizeof(a))), -EINVAL);
  CHECK_RET("disconnect-bound-listen", R(listen(b, 4)), 0);
  c2 = connect4(port);
  int s2 = c2 >= 0 ? accept(b, NULL, NULL) : -1;
  CHECKF("disconnect-bound-accept", c2 >= 0 && s2 >= 0, "c2 %d s2 %d", c2, s2);
  close(s2);
  close(c2);
  close(b);
}

/* LTP connect02's loop: an accepted AF_INET6 socket with an IPv4 peer is
 * made AF_INET, disconnected, bound and listened on, 200 times. */
static void test_connect02(void)
{
  int port, in4 = AF_INET, bad = 0, i;
  int l = listen6(&port);
  struct sockaddr unspec = { .sa_family = AF_UNSPEC };
  for (i = 0; i < 200 && !bad; i++) {
    int c1 = connect4(port), fd = accept(l, NULL, NULL);
    struct sockaddr_in a4 = { .sin_family = AF_INET };
    if (c1 < 0 || fd < 0 || setsockopt(fd, SOL_IPV6, IPV6_ADDRFORM, &in4, sizeof(in4)) ||
        connect(fd, &unspec, sizeof(unspec)) || bind(fd, (struct sockaddr *)&a4, sizeof(a4)) ||
        listen(fd, 5))
      bad = 1;
    int c2 = bad ? -1 : connect4(port_of(fd));
    int c3 = c2 >= 0 ? accept(fd, NULL, NULL) : -1;
    if (c3 < 0)
      bad = 1;
    close(c3);
    close(c2);
    close(c1);
    close(fd);
  }
  CHECKF("connect02-loop", !bad, "round %d: errno %d", i, errno);
  close(l);
}

int main(void)
{
  abi_family = "tcpdisc";
  lo_up();
  if (!skip_on_qemu("addrform", "no IPV6_ADDRFORM in do_setsockopt"))
    test_addrform();
  test_disconnect();
  if (!skip_on_qemu("connect02-loop", "no IPV6_ADDRFORM in do_setsockopt"))
    test_connect02();
  return abi_done();
}
