/*
 * udp.c — UDP socket semantics over loopback (IPv4, IPv6, dual stack):
 * addresses, connected sockets, MSG_TRUNC/MSG_PEEK, FIONREAD, EMSGSIZE,
 * EDESTADDRREQ, timeouts, zero-length and maximum-size datagrams, a
 * bounded receive queue, ECONNREFUSED from an ICMP port unreachable, and
 * datagrams built by sends with MSG_MORE.
 */
#include "nettest.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

/* <linux/errqueue.h>'s, which the C library's headers do not all have */
struct extended_err {
  uint32_t ee_errno;
  uint8_t ee_origin, ee_type, ee_code, ee_pad;
  uint32_t ee_info, ee_data;
};
#define ORIGIN_ICMP 2
#define ORIGIN_ICMP6 3

static int port_of_addr(const struct sockaddr_storage *ss)
{
  if (ss->ss_family == AF_INET)
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
  return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static int udp_bound(int family)
{
  int fd = socket(family, SOCK_DGRAM, 0);
  struct sockaddr_storage ss;
  socklen_t len = loop_addr(family, 0, &ss);
  if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
    return -1;
  return fd;
}

static void wait_in(int fd)
{
  struct pollfd p = { fd, POLLIN, 0 };
  poll(&p, 1, 2000);
}

static void test_basic(int family, const char *tag)
{
  char name[64], buf[256];
  int a = udp_bound(family), b = udp_bound(family);
  snprintf(name, sizeof(name), "%s/bind", tag);
  check(name, a >= 0 && b >= 0, "bind");
  struct sockaddr_storage to, from;
  socklen_t tolen = loop_addr(family, port_of(b), &to), flen = sizeof(from);
  snprintf(name, sizeof(name), "%s/recv-nonblock-eagain", tag);
  CHECK_ERR(name, recvfrom(b, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL), EAGAIN);
  snprintf(name, sizeof(name), "%s/sendto", tag);
  CHECK_EQ(name, sendto(a, "datagram", 8, 0, (struct sockaddr *)&to, tolen), 8);
  wait_in(b);
  snprintf(name, sizeof(name), "%s/recvfrom", tag);
  ssize_t r = recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
  check(name, r == 8 && memcmp(buf, "datagram", 8) == 0, "r %zd", r);
  snprintf(name, sizeof(name), "%s/recvfrom-source", tag);
  check(name, from.ss_family == family && port_of(a) == ntohs(family == AF_INET ?
        ((struct sockaddr_in *)&from)->sin_port : ((struct sockaddr_in6 *)&from)->sin6_port) &&
        flen == tolen, "flen %u", flen);
  /* MSG_PEEK, then MSG_TRUNC (flag and recvmsg's msg_flags), FIONREAD */
  char big[100];
  memset(big, 'x', sizeof(big));
  sendto(a, big, 100, 0, (struct sockaddr *)&to, tolen);
  sendto(a, "second", 6, 0, (struct sockaddr *)&to, tolen);
  wait_in(b);
  usleep(10000);
  int n = -1;
  snprintf(name, sizeof(name), "%s/fionread-next-datagram", tag);
  check(name, ioctl(b, FIONREAD, &n) == 0 && n == 100, "FIONREAD %d", n);
  snprintf(name, sizeof(name), "%s/msg-peek", tag);
  CHECK_EQ(name, recv(b, buf, sizeof(buf), MSG_PEEK), 100);
  struct iovec iov = { buf, 10 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  snprintf(name, sizeof(name), "%s/truncated", tag);
  check(name, recvmsg(b, &mh, 0) == 10 && (mh.msg_flags & MSG_TRUNC), "flags %#x", mh.msg_flags);
  snprintf(name, sizeof(name), "%s/next-datagram-after-trunc", tag);
  check(name, recv(b, buf, sizeof(buf), 0) == 6 && memcmp(buf, "second", 6) == 0, "recv");
  sendto(a, big, 100, 0, (struct sockaddr *)&to, tolen);
  wait_in(b);
  snprintf(name, sizeof(name), "%s/msg-trunc-real-length", tag);
  CHECK_EQ(name, recv(b, buf, 10, MSG_TRUNC), 100);
  /* zero-length datagram */
  snprintf(name, sizeof(name), "%s/send-empty", tag);
  CHECK_EQ(name, sendto(a, "", 0, 0, (struct sockaddr *)&to, tolen), 0);
  wait_in(b);
  snprintf(name, sizeof(name), "%s/recv-empty", tag);
  CHECK_EQ(name, recv(b, buf, sizeof(buf), MSG_DONTWAIT), 0);
  /* errors */
  snprintf(name, sizeof(name), "%s/edestaddrreq", tag);
  CHECK_ERR(name, send(a, "x", 1, 0), EDESTADDRREQ);
  static char huge[70000];
  snprintf(name, sizeof(name), "%s/emsgsize", tag);
  CHECK_ERR(name, sendto(a, huge, sizeof(huge), 0, (struct sockaddr *)&to, tolen), EMSGSIZE);
  snprintf(name, sizeof(name), "%s/largest-datagram", tag);
  size_t max = family == AF_INET ? 65507 : 65487;
  check(name, sendto(a, huge, max, 0, (struct sockaddr *)&to, tolen) == (ssize_t)max &&
        (wait_in(b), recv(b, huge, sizeof(huge), 0)) == (ssize_t)max, "max %zu", max);
  snprintf(name, sizeof(name), "%s/bind-twice", tag);
  CHECK_ERR(name, bind(a, (struct sockaddr *)&to, tolen), EINVAL);
  int c = socket(family, SOCK_DGRAM, 0);
  snprintf(name, sizeof(name), "%s/bind-in-use", tag);
  CHECK_ERR(name, bind(c, (struct sockaddr *)&to, tolen), EADDRINUSE);
  close(c);
  close(a);
  close(b);
}

static void test_connected(void)
{
  int a = udp_bound(AF_INET), b = udp_bound(AF_INET), third = udp_bound(AF_INET);
  struct sockaddr_storage sb, sa;
  socklen_t lb = loop_addr(AF_INET, port_of(b), &sb), la = loop_addr(AF_INET, port_of(a), &sa);
  CHECK_EQ("connect", connect(a, (struct sockaddr *)&sb, lb), 0);
  struct sockaddr_in peer;
  socklen_t pl = sizeof(peer);
  check("getpeername", getpeername(a, (struct sockaddr *)&peer, &pl) == 0 &&
        ntohs(peer.sin_port) == port_of(b), "getpeername");
  CHECK_EQ("send-connected", send(a, "hi", 2, 0), 2);
  char buf[16];
  wait_in(b);
  CHECK_EQ("recv-from-connected", recv(b, buf, sizeof(buf), 0), 2);
  /* a connected socket only hears its peer */
  sendto(third, "noise", 5, 0, (struct sockaddr *)&sa, la);
  sendto(b, "peer", 4, 0, (struct sockaddr *)&sa, la);
  wait_in(a);
  usleep(20000);
  check("connected-filters-others", recv(a, buf, sizeof(buf), MSG_DONTWAIT) == 4 &&
        memcmp(buf, "peer", 4) == 0, "recv");
  CHECK_ERR("connected-nothing-else", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  struct iovec eiov = { buf, sizeof(buf) };
  struct msghdr emh = { .msg_iov = &eiov, .msg_iovlen = 1 };
  CHECK_ERR("errqueue-empty", recvmsg(a, &emh, MSG_ERRQUEUE), EAGAIN);
  struct sockaddr unspec = { .sa_family = AF_UNSPEC };
  CHECK_EQ("connect-unspec", connect(a, &unspec, sizeof(unspec)), 0);
  pl = sizeof(peer);
  CHECK_ERR("disconnected-getpeername", getpeername(a, (struct sockaddr *)&peer, &pl), ENOTCONN);
  struct timeval tv = { 0, 150000 };
  setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  double t0 = now_s();
  CHECK_ERR("so-rcvtimeo", recv(a, buf, sizeof(buf), 0), EAGAIN);
  check("so-rcvtimeo-duration", now_s() - t0 > 0.01, "%.3f s", now_s() - t0);
  int v = 0;
  socklen_t vl = sizeof(v);
  getsockopt(a, SOL_SOCKET, SO_TYPE, &v, &vl);
  check("so-type", v == SOCK_DGRAM, "SO_TYPE %d", v);
  getsockopt(a, SOL_SOCKET, SO_PROTOCOL, &v, &vl);
  check("so-protocol", v == IPPROTO_UDP, "SO_PROTOCOL %d", v);
  close(a);
  close(b);
  close(third);
}

static void test_dual_stack(void)
{
  int s6 = socket(AF_INET6, SOCK_DGRAM, 0), zero = 0;
  setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
  CHECK_EQ("dual-bind", bind(s6, (struct sockaddr *)&any, sizeof(any)), 0);
  int s4 = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_storage to;
  socklen_t tl = loop_addr(AF_INET, port_of(s6), &to);
  CHECK_EQ("dual-sendto-v4", sendto(s4, "four", 4, 0, (struct sockaddr *)&to, tl), 4);
  wait_in(s6);
  struct sockaddr_in6 from;
  socklen_t fl = sizeof(from);
  char buf[8];
  static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  ssize_t r = recvfrom(s6, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
  check("dual-v4-mapped-source", r == 4 && from.sin6_family == AF_INET6 &&
        memcmp(&from.sin6_addr, mapped, 12) == 0, "r %zd", r);
  /* reply through the mapped address */
  CHECK_EQ("dual-reply-to-mapped", sendto(s6, "back", 4, 0, (struct sockaddr *)&from, fl), 4);
  wait_in(s4);
  CHECK_EQ("dual-v4-gets-reply", recv(s4, buf, sizeof(buf), MSG_DONTWAIT), 4);
  close(s4);
  close(s6);
}

/* More than SO_RCVBUF holds: the excess is dropped, nothing blocks. */
static void test_queue_bound(void)
{
  int a = udp_bound(AF_INET), b = udp_bound(AF_INET);
  struct sockaddr_storage to;
  socklen_t tl = loop_addr(AF_INET, port_of(b), &to);
  int rcv = 16384;
  setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
  char buf[1000];
  memset(buf, 1, sizeof(buf));
  int sent = 0;
  for (int i = 0; i < 500; i++)
    if (sendto(a, buf, sizeof(buf), 0, (struct sockaddr *)&to, tl) == (ssize_t)sizeof(buf))
      sent++;
  check("flood-sends-never-fail", sent == 500, "%d of 500 sent", sent);
  usleep(50000);
  int got = 0;
  while (recv(b, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)sizeof(buf))
    got++;
  check("flood-queue-bounded", got > 0 && got < 500, "%d of 500 queued", got);
  close(a);
  close(b);
}

/* sendmmsg/recvmmsg: several datagrams per call. */
static void test_mmsg(void)
{
  int a = udp_bound(AF_INET), b = udp_bound(AF_INET);
  struct sockaddr_storage to;
  socklen_t tl = loop_addr(AF_INET, port_of(b), &to);
  char out[3][8] = { "one", "two!", "three" };
  struct iovec iov[3];
  struct mmsghdr msgs[3];
  memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < 3; i++) {
    iov[i].iov_base = out[i];
    iov[i].iov_len = strlen(out[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = tl;
  }
  CHECK_EQ("sendmmsg", sendmmsg(a, msgs, 3, 0), 3);
  check("sendmmsg-lengths", msgs[0].msg_len == 3 && msgs[1].msg_len == 4 && msgs[2].msg_len == 5,
        "%u %u %u", msgs[0].msg_len, msgs[1].msg_len, msgs[2].msg_len);
  wait_in(b);
  usleep(20000);
  char in[3][16];
  struct iovec riov[3];
  struct mmsghdr rmsgs[3];
  memset(rmsgs, 0, sizeof(rmsgs));
  for (int i = 0; i < 3; i++) {
    riov[i].iov_base = in[i];
    riov[i].iov_len = sizeof(in[i]);
    rmsgs[i].msg_hdr.msg_iov = &riov[i];
    rmsgs[i].msg_hdr.msg_iovlen = 1;
  }
  CHECK_EQ("recvmmsg", recvmmsg(b, rmsgs, 3, MSG_DONTWAIT, NULL), 3);
  check("recvmmsg-data", rmsgs[0].msg_len == 3 && rmsgs[2].msg_len == 5 && memcmp(in[2], "three", 5) == 0,
        "%u %u", rmsgs[0].msg_len, rmsgs[2].msg_len);
  close(a);
  close(b);
}

/*
 * A datagram to a port nobody listens on: the ICMP "port unreachable"
 * gives a connected socket ECONNREFUSED, once (recv, then send, then
 * SO_ERROR each report one), with POLLERR; an unconnected socket hears
 * nothing (no IP_RECVERR).
 */
static void test_refused(int family, const char *tag)
{
  char name[64], buf[16];
  int gone = udp_bound(family);
  struct sockaddr_storage to;
  socklen_t tolen = loop_addr(family, port_of(gone), &to);
  close(gone);
  int a = socket(family, SOCK_DGRAM, 0);
  snprintf(name, sizeof(name), "%s/refused-connect", tag);
  CHECK_EQ(name, connect(a, (struct sockaddr *)&to, tolen), 0);
  /* connected from an unbound socket: getsockname names the route's source */
  struct sockaddr_storage self;
  socklen_t sl = sizeof(self);
  getsockname(a, (struct sockaddr *)&self, &sl);
  int loop = family == AF_INET
                  ? ((struct sockaddr_in *)&self)->sin_addr.s_addr == htonl(INADDR_LOOPBACK)
                  : IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&self)->sin6_addr);
  snprintf(name, sizeof(name), "%s/connected-local-address", tag);
  check(name, self.ss_family == family && loop && port_of_addr(&self) != 0, "family %d, loopback %d, port %d",
        self.ss_family, loop, port_of_addr(&self));
  snprintf(name, sizeof(name), "%s/refused-first-send", tag);
  CHECK_EQ(name, send(a, "x", 1, 0), 1);
  struct pollfd p = { a, POLLIN, 0 };
  int n = poll(&p, 1, 2000);
  snprintf(name, sizeof(name), "%s/refused-pollerr", tag);
  check(name, n == 1 && (p.revents & POLLERR), "poll %d revents %#x", n, p.revents);
  snprintf(name, sizeof(name), "%s/refused-recv", tag);
  CHECK_ERR(name, recv(a, buf, sizeof(buf), 0), ECONNREFUSED);
  snprintf(name, sizeof(name), "%s/refused-reported-once", tag);
  CHECK_ERR(name, recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  send(a, "x", 1, 0);
  poll(&p, 1, 2000);
  snprintf(name, sizeof(name), "%s/refused-send", tag);
  CHECK_ERR(name, send(a, "x", 1, 0), ECONNREFUSED);
  send(a, "x", 1, 0);
  poll(&p, 1, 2000);
  int err = 0;
  socklen_t el = sizeof(err);
  getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &el);
  snprintf(name, sizeof(name), "%s/refused-so-error", tag);
  check(name, err == ECONNREFUSED, "SO_ERROR %d", err);
  close(a);
  int u = udp_bound(family);
  snprintf(name, sizeof(name), "%s/unconnected-sendto", tag);
  CHECK_EQ(name, sendto(u, "x", 1, 0, (struct sockaddr *)&to, tolen), 1);
  p.fd = u;
  n = poll(&p, 1, 200);
  snprintf(name, sizeof(name), "%s/unconnected-hears-nothing", tag);
  check(name, n == 0, "poll %d revents %#x", n, p.revents);
  close(u);
}

/*
 * IP_RECVERR (IPV6_RECVERR): an unconnected socket hears the ICMP error
 * too, and recvmsg(MSG_ERRQUEUE) reads it: the destination as the address,
 * a sock_extended_err naming the ICMP type and code, the offender. Also:
 * a recvmsg that writes no control message says msg_controllen 0.
 */
static void test_recverr(int family, const char *tag)
{
  char name[80], buf[64];
  int gone = udp_bound(family);
  int port = port_of(gone);
  struct sockaddr_storage to;
  socklen_t tolen = loop_addr(family, port, &to);
  close(gone);
  int u = udp_bound(family);
  int on = 1, v = 0;
  socklen_t vl = sizeof(v);
  int level = family == AF_INET ? SOL_IP : SOL_IPV6;
  int opt = family == AF_INET ? IP_RECVERR : IPV6_RECVERR;
  snprintf(name, sizeof(name), "%s/recverr-set", tag);
  CHECK_EQ(name, setsockopt(u, level, opt, &on, sizeof(on)), 0);
  getsockopt(u, level, opt, &v, &vl);
  snprintf(name, sizeof(name), "%s/recverr-get", tag);
  check(name, v == 1, "value %d", v);
  sendto(u, "abc", 3, 0, (struct sockaddr *)&to, tolen);
  struct pollfd p = { u, POLLIN, 0 };
  int n = poll(&p, 1, 2000);
  snprintf(name, sizeof(name), "%s/recverr-pollerr", tag);
  check(name, n == 1 && (p.revents & POLLERR), "poll %d revents %#x", n, p.revents);
  union {
    struct cmsghdr h;
    char space[256];
  } ctl;
  struct sockaddr_storage from;
  struct iovec iov = { buf, sizeof(buf) };
  struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
  long r = recvmsg(u, &mh, MSG_ERRQUEUE);
  snprintf(name, sizeof(name), "%s/errqueue-read", tag);
  /* the data is what the ICMP message quoted of the payload: Linux quotes
   * it all; lwIP's ICMP quotes none, its ICMPv6 all */
  check(name, r >= 0 && r <= 3 && (mh.msg_flags & MSG_ERRQUEUE), "recvmsg %ld (%s) flags %#x", r,
        r < 0 ? strerror(errno) : "", mh.msg_flags);
  struct cmsghdr *c = r >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;
  snprintf(name, sizeof(name), "%s/errqueue-cmsg", tag);
  check(name, c && c->cmsg_level == level && c->cmsg_type == opt, "cmsg %d/%d", c ? c->cmsg_level : -1,
        c ? c->cmsg_type : -1);
  if (c && c->cmsg_level == level && c->cmsg_type == opt) {
    struct extended_err *ee = (struct extended_err *)CMSG_DATA(c);
    int want_origin = family == AF_INET ? ORIGIN_ICMP : ORIGIN_ICMP6;
    int want_type = family == AF_INET ? 3 : 1, want_code = family == AF_INET ? 3 : 4;
    snprintf(name, sizeof(name), "%s/errqueue-extended-err", tag);
    check(name, ee->ee_errno == ECONNREFUSED && ee->ee_origin == want_origin && ee->ee_type == want_type &&
          ee->ee_code == want_code, "errno %u origin %u type %u code %u", ee->ee_errno, ee->ee_origin,
          ee->ee_type, ee->ee_code);
    struct sockaddr *off = (struct sockaddr *)(ee + 1);
    snprintf(name, sizeof(name), "%s/errqueue-offender", tag);
    check(name, off->sa_family == family, "offender family %d", off->sa_family);
  }
  snprintf(name, sizeof(name), "%s/errqueue-address-is-destination", tag);
  check(name, r >= 0 && from.ss_family == family && port_of_addr(&from) == port, "family %d port %d",
        from.ss_family, port_of_addr(&from));
  int err = -1;
  socklen_t el = sizeof(err);
  getsockopt(u, SOL_SOCKET, SO_ERROR, &err, &el);
  snprintf(name, sizeof(name), "%s/errqueue-read-clears-error", tag);
  check(name, err == 0, "SO_ERROR %d", err);
  snprintf(name, sizeof(name), "%s/errqueue-empty-again", tag);
  CHECK_ERR(name, recvmsg(u, &mh, MSG_ERRQUEUE), EAGAIN);
  /* a datagram with no control message to give: msg_controllen 0 */
  int peer = udp_bound(family);
  struct sockaddr_storage self;
  socklen_t sl = loop_addr(family, port_of(u), &self);
  sendto(peer, "d", 1, 0, (struct sockaddr *)&self, sl);
  wait_in(u);
  mh.msg_controllen = sizeof(ctl);
  mh.msg_namelen = sizeof(from);
  r = recvmsg(u, &mh, MSG_DONTWAIT);
  snprintf(name, sizeof(name), "%s/no-cmsg-controllen-0", tag);
  check(name, r == 1 && mh.msg_controllen == 0, "recvmsg %ld controllen %zu", r, (size_t)mh.msg_controllen);
  close(peer);
  close(u);
}

/* MSG_MORE: sends build one datagram, sent by the first send without it
 * (to the first send's address); too much for a datagram is EMSGSIZE and
 * drops what was kept. */
static void test_more(int family, const char *tag)
{
  char name[64], buf[256];
  int a = udp_bound(family), b = udp_bound(family);
  struct sockaddr_storage to;
  socklen_t tolen = loop_addr(family, port_of(b), &to);
  snprintf(name, sizeof(name), "%s/more-kept", tag);
  CHECK_EQ(name, sendto(a, "0123456789abcdef", 16, MSG_MORE, (struct sockaddr *)&to, tolen), 16);
  snprintf(name, sizeof(name), "%s/more-nothing-sent", tag);
  CHECK_ERR(name, recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  snprintf(name, sizeof(name), "%s/more-second-part", tag);
  CHECK_EQ(name, send(a, "!", 1, MSG_MORE), 1); /* no address: the first one's */
  snprintf(name, sizeof(name), "%s/more-last-part", tag);
  CHECK_EQ(name, sendto(a, "END", 3, 0, (struct sockaddr *)&to, tolen), 3);
  wait_in(b);
  ssize_t r = recv(b, buf, sizeof(buf), MSG_DONTWAIT);
  snprintf(name, sizeof(name), "%s/more-one-datagram", tag);
  check(name, r == 20 && memcmp(buf, "0123456789abcdef!END", 20) == 0, "r %zd", r);
  snprintf(name, sizeof(name), "%s/more-no-second", tag);
  CHECK_ERR(name, recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  static char big[65507];
  snprintf(name, sizeof(name), "%s/more-big-kept", tag);
  CHECK_EQ(name, sendto(a, big, 65000, MSG_MORE, (struct sockaddr *)&to, tolen), 65000);
  snprintf(name, sizeof(name), "%s/more-over-emsgsize", tag);
  CHECK_ERR(name, sendto(a, big, 1000, 0, (struct sockaddr *)&to, tolen), EMSGSIZE);
  snprintf(name, sizeof(name), "%s/more-dropped-after-emsgsize", tag);
  CHECK_EQ(name, sendto(a, "x", 1, 0, (struct sockaddr *)&to, tolen), 1);
  wait_in(b);
  r = recv(b, buf, sizeof(buf), MSG_DONTWAIT);
  snprintf(name, sizeof(name), "%s/more-fresh-datagram", tag);
  check(name, r == 1 && buf[0] == 'x', "r %zd", r);
  close(a);
  close(b);
}

int main(void)
{
  test_group = "udp";
  test_mmsg();
  test_basic(AF_INET, "v4");
  test_basic(AF_INET6, "v6");
  test_more(AF_INET, "v4");
  test_more(AF_INET6, "v6");
  test_connected();
  test_refused(AF_INET, "v4");
  test_refused(AF_INET6, "v6");
  test_recverr(AF_INET, "v4");
  test_recverr(AF_INET6, "v6");
  test_dual_stack();
  test_queue_bound();
  return test_exit();
}
