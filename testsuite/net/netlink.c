/*
 * netlink.c — AF_NETLINK / NETLINK_ROUTE sockets, the way busybox ip,
 * iproute2 and musl's getifaddrs() use them: creation and binding (port
 * ids), dumps of links, addresses and routes (RTM_GETLINK/GETADDR/
 * GETROUTE, NLM_F_MULTI parts ended by NLMSG_DONE), single requests with
 * NLM_F_ACK and NLMSG_ERROR, malformed and hostile requests, MSG_PEEK and
 * MSG_TRUNC, the bounded receive queue (ENOBUFS), options and readiness,
 * and the C library on top (getifaddrs, if_nameindex).
 *
 * Only what holds on both Linux (a private network namespace, where lo is
 * the only interface) and Kite is checked here, mostly about lo. Kite's
 * eth0 (10.0.2.15/24, default route via 10.0.2.2) is checked with busybox
 * ip in apps.sh; the few Kite-only answers (change requests are refused
 * with EOPNOTSUPP) are guarded by `kite`, as in stress.c.
 */
#include "nettest.h"
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#define ARPHRD_LOOPBACK 772

static int kite;  /* running on Kite (its /proc/net/sockstat has an lwIP line) */

static int on_kite(void)
{
  FILE *f = fopen("/proc/net/sockstat", "r");
  char line[256];
  int found = 0;
  if (!f)
    return 0;
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, "lwIP:", 5) == 0)
      found = 1;
  fclose(f);
  return found;
}

/* A number from a /proc file: the word after `key` on its line (-1 if none). */
static long proc_value(const char *path, const char *key)
{
  FILE *f = fopen(path, "r");
  char line[256];
  long v = -1;
  if (!f)
    return -1;
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, key, strlen(key)) == 0)
      v = strtol(line + strlen(key), NULL, 10);
  fclose(f);
  return v;
}

static int nl_socket(void)
{
  return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

static uint32_t nl_portid(int fd)
{
  struct sockaddr_nl a;
  socklen_t len = sizeof(a);
  memset(&a, 0, sizeof(a));
  if (getsockname(fd, (struct sockaddr *)&a, &len))
    return 0;
  return a.nl_pid;
}

/* A request: header, a family header (rtgenmsg/ifinfomsg/...) and attributes. */
struct req {
  struct nlmsghdr h;
  char body[256];
};

static size_t req_init(struct req *r, uint16_t type, uint16_t flags, uint32_t seq, const void *fam,
                       size_t famlen)
{
  memset(r, 0, sizeof(*r));
  r->h.nlmsg_len = NLMSG_LENGTH(famlen);
  r->h.nlmsg_type = type;
  r->h.nlmsg_flags = flags;
  r->h.nlmsg_seq = seq;
  memcpy(r->body, fam, famlen);
  return r->h.nlmsg_len;
}

/* Append an attribute to the request. */
static void req_attr(struct req *r, uint16_t type, const void *data, size_t len)
{
  struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* A request with a one-byte family header (busybox, musl). */
static int send_get(int fd, uint16_t type, uint16_t flags, uint8_t family, uint32_t seq)
{
  struct req r;
  struct rtgenmsg g = { family };
  size_t len = req_init(&r, type, flags, seq, &g, sizeof(g));
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  return sendto(fd, &r, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == (ssize_t)len ? 0 : -1;
}

static int send_dump(int fd, uint16_t type, uint8_t family, uint32_t seq)
{
  return send_get(fd, type, NLM_F_REQUEST | NLM_F_DUMP, family, seq);
}

static int wait_in(int fd, int ms)
{
  struct pollfd p = { fd, POLLIN, 0 };
  return poll(&p, 1, ms) > 0 ? p.revents : 0;
}

/* What a run of replies looked like. */
struct replies {
  int msgs;           /* messages other than DONE/ERROR */
  int done;           /* NLMSG_DONE seen (and its length) */
  int done_len;
  int done_alone;     /* NLMSG_DONE came in a part of its own (as Linux sends it) */
  int error_seen;
  int error;          /* NLMSG_ERROR's error (negative errno or 0) */
  int error_len;
  struct nlmsgerr err;
  int bad_seq, bad_pid, no_multi, bad_sender, recv_err, trunc;
};

typedef void (*msg_fn)(struct nlmsghdr *h, void *ctx);

/*
 * Read replies to request seq until NLMSG_DONE or NLMSG_ERROR (or 2 s of
 * silence), calling fn for every other message and checking headers.
 */
static void collect(int fd, uint32_t seq, uint32_t pid, int multi, msg_fn fn, void *ctx,
                    struct replies *r)
{
  static char buf[32768];
  memset(r, 0, sizeof(*r));
  while (!r->done && !r->error_seen) {
    if (!wait_in(fd, 2000)) {
      r->recv_err = ETIMEDOUT;
      return;
    }
    struct sockaddr_nl from;
    struct iovec iov = { buf, sizeof(buf) };
    struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(fd, &mh, 0);
    if (n < 0) {
      r->recv_err = errno;
      return;
    }
    if (mh.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
      r->bad_sender++;
    if (mh.msg_flags & MSG_TRUNC)
      r->trunc++;
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq)
        r->bad_seq++;
      if (h->nlmsg_pid != pid)
        r->bad_pid++;
      if (h->nlmsg_type == NLMSG_DONE) {
        r->done = 1;
        r->done_len = (int)h->nlmsg_len;
        r->done_alone = (char *)h == buf && n == (ssize_t)NLMSG_ALIGN(h->nlmsg_len);
        break;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        r->error_seen = 1;
        r->error_len = (int)h->nlmsg_len;
        if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
          memcpy(&r->err, NLMSG_DATA(h), sizeof(r->err));
          r->error = r->err.error;
        }
        break;
      }
      if (multi && !(h->nlmsg_flags & NLM_F_MULTI))
        r->no_multi++;
      r->msgs++;
      if (fn)
        fn(h, ctx);
    }
  }
}

static int headers_ok(const struct replies *r)
{
  return !r->bad_seq && !r->bad_pid && !r->bad_sender && !r->recv_err && !r->trunc;
}

static const char *why(const struct replies *r)
{
  static char s[160];
  snprintf(s, sizeof(s), "msgs %d done %d error %d/%d bad seq %d pid %d sender %d multi %d recv_err %d trunc %d",
           r->msgs, r->done, r->error_seen, r->error, r->bad_seq, r->bad_pid, r->bad_sender,
           r->no_multi, r->recv_err, r->trunc);
  return s;
}

/* ---- creation, binding, names ---- */

static void test_socket(void)
{
  int fd = nl_socket();
  check("socket-raw", fd >= 0, "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)");
  check("socket-cloexec", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "FD_CLOEXEC");
  int so = -1;
  socklen_t sl = sizeof(so);
  check("so-domain", getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &so, &sl) == 0 && so == AF_NETLINK,
        "SO_DOMAIN %d", so);
  close(fd);
  fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE);
  check("socket-dgram-nonblock", fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK), "socket");
  char buf[64];
  CHECK_ERR("nonblock-recv-eagain", recv(fd, buf, sizeof(buf), 0), EAGAIN);
  close(fd);
  CHECK_ERR("protocol-unused", socket(AF_NETLINK, SOCK_RAW, 1), EPROTONOSUPPORT);
  CHECK_ERR("protocol-out-of-range", socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
  CHECK_ERR("protocol-negative", socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
  CHECK_ERR("type-stream", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
  int sv[2];
  CHECK_ERR("socketpair", socketpair(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, sv), EOPNOTSUPP);
}

static void test_bind(void)
{
  int a = nl_socket(), b = nl_socket();
  struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
  socklen_t len = sizeof(nl);
  check("unbound-name", getsockname(a, (struct sockaddr *)&nl, &len) == 0 && len == sizeof(nl) &&
        nl.nl_family == AF_NETLINK && nl.nl_pid == 0, "len %u pid %u", len, nl.nl_pid);
  memset(&nl, 0, sizeof(nl));
  nl.nl_family = AF_NETLINK;
  CHECK_EQ("bind-auto", bind(a, (struct sockaddr *)&nl, sizeof(nl)), 0);
  uint32_t pa = nl_portid(a);
  check("bind-auto-is-pid", pa == (uint32_t)getpid(), "port id %u, pid %d", pa, getpid());
  CHECK_EQ("bind-auto-second", bind(b, (struct sockaddr *)&nl, sizeof(nl)), 0);
  uint32_t pb = nl_portid(b);
  check("bind-auto-unique", pb != 0 && pb != pa, "port ids %u %u", pa, pb);
  CHECK_ERR("rebind-other-pid", bind(a, (struct sockaddr *)&nl, sizeof(nl)), EINVAL);
  nl.nl_pid = pa;
  CHECK_EQ("rebind-same-pid", bind(a, (struct sockaddr *)&nl, sizeof(nl)), 0);
  int c = nl_socket();
  CHECK_ERR("bind-taken-pid", bind(c, (struct sockaddr *)&nl, sizeof(nl)), EADDRINUSE);
  nl.nl_pid = 0x7654321;
  CHECK_EQ("bind-chosen-pid", bind(c, (struct sockaddr *)&nl, sizeof(nl)), 0);
  check("chosen-pid-kept", nl_portid(c) == 0x7654321, "port id %u", nl_portid(c));
  close(c);
  c = nl_socket();
  CHECK_EQ("pid-free-after-close", bind(c, (struct sockaddr *)&nl, sizeof(nl)), 0);
  close(c);
  c = nl_socket();
  CHECK_ERR("bind-short", bind(c, (struct sockaddr *)&nl, 4), EINVAL);
  nl.nl_family = AF_INET;
  CHECK_ERR("bind-wrong-family", bind(c, (struct sockaddr *)&nl, sizeof(nl)), EINVAL);
  CHECK_ERR("bind-efault", bind(c, (struct sockaddr *)8, sizeof(nl)), EFAULT);
  CHECK_ERR("getsockname-efault", getsockname(c, (struct sockaddr *)8, &len), EFAULT);
  /* The peer is the kernel (port 0) unless connect() chose another. */
  memset(&nl, 0xff, sizeof(nl));
  len = sizeof(nl);
  check("peer-is-kernel", getpeername(c, (struct sockaddr *)&nl, &len) == 0 && len == sizeof(nl) &&
        nl.nl_family == AF_NETLINK && nl.nl_pid == 0 && nl.nl_groups == 0, "len %u pid %u", len, nl.nl_pid);
  /* An unbound socket gets a port id when it first sends. */
  send_dump(c, RTM_GETLINK, AF_UNSPEC, 1);
  check("autobind-on-send", nl_portid(c) != 0 && nl_portid(c) != pa && nl_portid(c) != pb,
        "port id %u", nl_portid(c));
  close(c);
  close(a);
  close(b);
}

/* ---- dumps ---- */

struct link_seen {
  int lo, lo_index, lo_flags, lo_type, lo_mtu, lo_addr_len, lo_txqlen, lo_operstate, lo_stats;
  int count, first_index;
};

static void on_link(struct nlmsghdr *h, void *ctx)
{
  struct link_seen *s = ctx;
  if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
    return;
  struct ifinfomsg *ifi = NLMSG_DATA(h);
  if (!s->count++)
    s->first_index = ifi->ifi_index;
  int len = (int)IFLA_PAYLOAD(h), is_lo = 0;
  for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
    if (a->rta_type == IFLA_IFNAME && strcmp(RTA_DATA(a), "lo") == 0)
      is_lo = 1;
  if (!is_lo)
    return;
  s->lo = 1;
  s->lo_index = ifi->ifi_index;
  s->lo_flags = (int)ifi->ifi_flags;
  s->lo_type = ifi->ifi_type;
  s->lo_operstate = -1;
  len = (int)IFLA_PAYLOAD(h);
  for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    switch (a->rta_type) {
    case IFLA_MTU: memcpy(&s->lo_mtu, RTA_DATA(a), 4); break;
    case IFLA_TXQLEN: memcpy(&s->lo_txqlen, RTA_DATA(a), 4); break;
    case IFLA_ADDRESS: s->lo_addr_len = (int)RTA_PAYLOAD(a); break;
    case IFLA_OPERSTATE: s->lo_operstate = *(uint8_t *)RTA_DATA(a); break;
    case IFLA_STATS64: s->lo_stats = (int)RTA_PAYLOAD(a) >= 8 * 23; break;
    }
  }
}

static void test_link_dump(int fd, uint32_t pid)
{
  struct link_seen s;
  struct replies r;
  memset(&s, 0, sizeof(s));
  CHECK_EQ("link-dump-send", send_dump(fd, RTM_GETLINK, AF_UNSPEC, 100), 0);
  collect(fd, 100, pid, 1, on_link, &s, &r);
  check("link-dump-done", r.done && r.done_len >= (int)NLMSG_LENGTH(sizeof(int)), "%s", why(&r));
  check("link-dump-headers", headers_ok(&r) && !r.no_multi, "%s", why(&r));
  check("link-dump-done-alone", r.done_alone, "NLMSG_DONE shared a part with links");
  check("link-lo", s.lo && s.lo_index == 1 && s.first_index == 1, "lo %d index %d first %d",
        s.lo, s.lo_index, s.first_index);
  check("link-lo-flags", (s.lo_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
        (IFF_UP | IFF_LOOPBACK | IFF_RUNNING), "flags %#x", s.lo_flags);
  check("link-lo-type", s.lo_type == ARPHRD_LOOPBACK, "type %d", s.lo_type);
  check("link-lo-attrs", s.lo_mtu == 65536 && s.lo_addr_len == 6 && s.lo_txqlen > 0,
        "mtu %d addr %d txqlen %d", s.lo_mtu, s.lo_addr_len, s.lo_txqlen);
  check("link-lo-operstate-unknown", s.lo_operstate == 0, "operstate %d", s.lo_operstate);
  check("link-lo-stats64", s.lo_stats, "IFLA_STATS64");
  /* The same interface through the ioctls (ifconfig's view). */
  int ufd = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strcpy(ifr.ifr_name, "lo");
  check("ioctl-flags-agree", ioctl(ufd, SIOCGIFFLAGS, &ifr) == 0 &&
        (unsigned short)ifr.ifr_flags == (unsigned short)s.lo_flags, "ioctl %#x netlink %#x",
        (unsigned short)ifr.ifr_flags, s.lo_flags);
  check("ioctl-index-agrees", ioctl(ufd, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == s.lo_index,
        "ioctl %d netlink %d", ifr.ifr_ifindex, s.lo_index);
  check("ioctl-mtu-agrees", ioctl(ufd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == s.lo_mtu,
        "ioctl %d netlink %d", ifr.ifr_mtu, s.lo_mtu);
  close(ufd);
}

struct addr_seen {
  int v4_lo, v4_prefix, v4_scope, v4_label, v4_local, v4_index;
  int v6_lo, v6_prefix, v6_scope;
  int v4_count, v6_count, other, v6_before_v4;
};

static void on_addr(struct nlmsghdr *h, void *ctx)
{
  struct addr_seen *s = ctx;
  if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
    return;
  struct ifaddrmsg *ifa = NLMSG_DATA(h);
  int len = (int)IFA_PAYLOAD(h);
  unsigned char addr[16] = { 0 }, local[16] = { 0 };
  char label[IFNAMSIZ] = "";
  int has_local = 0;
  for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    size_t n = RTA_PAYLOAD(a) < 16 ? RTA_PAYLOAD(a) : 16;
    if (a->rta_type == IFA_ADDRESS)
      memcpy(addr, RTA_DATA(a), n);
    if (a->rta_type == IFA_LOCAL) {
      memcpy(local, RTA_DATA(a), n);
      has_local = 1;
    }
    if (a->rta_type == IFA_LABEL)
      snprintf(label, sizeof(label), "%s", (char *)RTA_DATA(a));
  }
  if (ifa->ifa_family == AF_INET) {
    s->v4_count++;
    static const unsigned char lo4[4] = { 127, 0, 0, 1 };
    if (memcmp(addr, lo4, 4) == 0) {
      s->v4_lo = 1;
      s->v4_prefix = ifa->ifa_prefixlen;
      s->v4_scope = ifa->ifa_scope;
      s->v4_index = (int)ifa->ifa_index;
      s->v4_label = strcmp(label, "lo") == 0;
      s->v4_local = has_local && memcmp(local, lo4, 4) == 0;
    }
  } else if (ifa->ifa_family == AF_INET6) {
    s->v6_count++;
    if (memcmp(addr, &in6addr_loopback, 16) == 0) {
      s->v6_lo = (int)ifa->ifa_index;
      s->v6_prefix = ifa->ifa_prefixlen;
      s->v6_scope = ifa->ifa_scope;
    }
  } else {
    s->other++;
  }
  if (ifa->ifa_family == AF_INET && s->v6_count)
    s->v6_before_v4 = 1;
}

static void test_addr_dumps(int fd, uint32_t pid)
{
  struct addr_seen s;
  struct replies r;
  memset(&s, 0, sizeof(s));
  CHECK_EQ("addr4-dump-send", send_dump(fd, RTM_GETADDR, AF_INET, 200), 0);
  collect(fd, 200, pid, 1, on_addr, &s, &r);
  check("addr4-dump-done", r.done && headers_ok(&r) && !r.no_multi, "%s", why(&r));
  check("addr4-lo", s.v4_lo && s.v4_prefix == 8 && s.v4_index == 1, "127.0.0.1/%d index %d",
        s.v4_prefix, s.v4_index);
  check("addr4-lo-scope-host", s.v4_scope == RT_SCOPE_HOST, "scope %d", s.v4_scope);
  check("addr4-lo-local-label", s.v4_local && s.v4_label, "IFA_LOCAL %d IFA_LABEL %d", s.v4_local,
        s.v4_label);
  check("addr4-only-v4", s.v6_count == 0 && s.other == 0, "v6 %d other %d", s.v6_count, s.other);

  memset(&s, 0, sizeof(s));
  CHECK_EQ("addr6-dump-send", send_dump(fd, RTM_GETADDR, AF_INET6, 201), 0);
  collect(fd, 201, pid, 1, on_addr, &s, &r);
  check("addr6-dump-done", r.done && headers_ok(&r) && !r.no_multi, "%s", why(&r));
  check("addr6-lo", s.v6_lo == 1 && s.v6_prefix == 128 && s.v6_scope == RT_SCOPE_HOST,
        "::1 index %d /%d scope %d", s.v6_lo, s.v6_prefix, s.v6_scope);
  check("addr6-only-v6", s.v4_count == 0 && s.other == 0, "v4 %d other %d", s.v4_count, s.other);

  memset(&s, 0, sizeof(s));
  CHECK_EQ("addr-all-dump-send", send_dump(fd, RTM_GETADDR, AF_UNSPEC, 202), 0);
  collect(fd, 202, pid, 1, on_addr, &s, &r);
  check("addr-all-dump", r.done && headers_ok(&r) && s.v4_lo && s.v6_lo == 1 && !s.v6_before_v4,
        "%s; v4 lo %d v6 lo %d v6 first %d", why(&r), s.v4_lo, s.v6_lo, s.v6_before_v4);

  /* Either half of NLM_F_DUMP (ROOT or MATCH) asks for a dump, as older programs send it. */
  memset(&s, 0, sizeof(s));
  CHECK_EQ("addr4-root-only-send", send_get(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_ROOT, AF_INET, 203), 0);
  collect(fd, 203, pid, 1, on_addr, &s, &r);
  check("addr4-root-only-dumps", r.done && headers_ok(&r) && s.v4_lo, "%s; v4 lo %d", why(&r), s.v4_lo);
}

struct route_seen {
  int local_lo;       /* local 127.0.0.1 dev lo table local */
  int count, not_v4;
};

static void on_route(struct nlmsghdr *h, void *ctx)
{
  struct route_seen *s = ctx;
  if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
    return;
  struct rtmsg *rtm = NLMSG_DATA(h);
  s->count++;
  if (rtm->rtm_family != AF_INET)
    s->not_v4++;
  int len = (int)RTM_PAYLOAD(h), oif = 0;
  uint32_t table = rtm->rtm_table;
  unsigned char dst[4] = { 0 };
  for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4)
      memcpy(dst, RTA_DATA(a), 4);
    if (a->rta_type == RTA_OIF)
      memcpy(&oif, RTA_DATA(a), 4);
    if (a->rta_type == RTA_TABLE)
      memcpy(&table, RTA_DATA(a), 4);
  }
  static const unsigned char lo4[4] = { 127, 0, 0, 1 };
  if (rtm->rtm_type == RTN_LOCAL && rtm->rtm_dst_len == 32 && memcmp(dst, lo4, 4) == 0 &&
      oif == 1 && table == RT_TABLE_LOCAL && rtm->rtm_scope == RT_SCOPE_HOST)
    s->local_lo = 1;
}

static void test_route_dump(int fd, uint32_t pid)
{
  struct route_seen s;
  struct replies r;
  memset(&s, 0, sizeof(s));
  CHECK_EQ("route4-dump-send", send_dump(fd, RTM_GETROUTE, AF_INET, 300), 0);
  collect(fd, 300, pid, 1, on_route, &s, &r);
  check("route4-dump-done", r.done && headers_ok(&r) && !r.no_multi, "%s", why(&r));
  check("route4-local-127.0.0.1", s.local_lo && s.not_v4 == 0, "count %d local lo %d not v4 %d",
        s.count, s.local_lo, s.not_v4);
}

/* ---- single requests, acknowledgements, errors ---- */

static void getlink_req(struct req *q, uint16_t flags, uint32_t seq, int index)
{
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
  req_init(q, RTM_GETLINK, (uint16_t)(NLM_F_REQUEST | flags), seq, &ifi, sizeof(ifi));
}

static void test_requests(int fd, uint32_t pid)
{
  struct req q;
  struct replies r;
  struct link_seen s;

  /* RTM_GETLINK for one interface, with NLM_F_ACK: the link, then an ack. */
  memset(&s, 0, sizeof(s));
  getlink_req(&q, NLM_F_ACK, 400, 1);
  CHECK_EQ("getlink-one-send", send(fd, &q, q.h.nlmsg_len, 0), q.h.nlmsg_len);
  collect(fd, 400, pid, 0, on_link, &s, &r);
  check("getlink-one", s.count == 1 && s.lo && headers_ok(&r), "%s; lo %d", why(&r), s.lo);
  check("ack-error-0", r.error_seen && r.error == 0 && r.err.msg.nlmsg_seq == 400 &&
        r.err.msg.nlmsg_type == RTM_GETLINK, "%s", why(&r));
  check("ack-capped", r.error_len == (int)NLMSG_LENGTH(sizeof(struct nlmsgerr)), "len %d", r.error_len);

  /* ... by name. */
  memset(&s, 0, sizeof(s));
  getlink_req(&q, 0, 401, 0);
  req_attr(&q, IFLA_IFNAME, "lo", 3);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 401, pid, 0, on_link, &s, &r);
  check("getlink-by-name", s.count == 1 && s.lo_index == 1, "%s; index %d", why(&r), s.lo_index);
  /* Without NLM_F_ACK, success sends nothing more. */
  char buf[4096];
  CHECK_ERR("no-ack-unless-asked", recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

  /* Errors are always reported, with the request copied back. */
  getlink_req(&q, 0, 402, 9999);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 402, pid, 0, NULL, NULL, &r);
  check("getlink-enodev", r.error_seen && r.error == -ENODEV && r.msgs == 0, "%s", why(&r));
  check("error-echoes-request", r.error_len == (int)(NLMSG_LENGTH(sizeof(int)) + q.h.nlmsg_len),
        "len %d request %u", r.error_len, q.h.nlmsg_len);
  getlink_req(&q, 0, 403, 0);
  req_attr(&q, IFLA_IFNAME, "nosuchif0", 10);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 403, pid, 0, NULL, NULL, &r);
  check("getlink-unknown-name", r.error_seen && r.error == -ENODEV, "%s", why(&r));

  /* Malformed: a family header shorter than struct ifinfomsg. */
  struct ifinfomsg ifi = { 0 };
  req_init(&q, RTM_GETLINK, NLM_F_REQUEST, 404, &ifi, 4);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 404, pid, 0, NULL, NULL, &r);
  check("short-body-einval", r.error_seen && r.error == -EINVAL, "%s", why(&r));

  /* NLMSG_ERROR with NETLINK_CAP_ACK: the request is not copied back. */
  int one = 1;
  CHECK_EQ("netlink-cap-ack", setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)), 0);
  getlink_req(&q, 0, 405, 9999);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 405, pid, 0, NULL, NULL, &r);
  check("cap-ack-error", r.error == -ENODEV && r.error_len == (int)NLMSG_LENGTH(sizeof(struct nlmsgerr)),
        "%s len %d", why(&r), r.error_len);
  int zero = 0;
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &zero, sizeof(zero));

  /* A message that is not a request is not processed (an ack if asked). */
  getlink_req(&q, 0, 406, 1);
  q.h.nlmsg_flags = NLM_F_ACK;
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 406, pid, 0, NULL, NULL, &r);
  check("not-a-request-acked", r.error_seen && r.error == 0 && r.msgs == 0, "%s", why(&r));
  /* Control messages (NLMSG_NOOP) likewise. */
  req_init(&q, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 407, "", 0);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 407, pid, 0, NULL, NULL, &r);
  check("noop-acked", r.error_seen && r.error == 0 && r.msgs == 0, "%s", why(&r));

  /* Garbage headers end the batch silently, as Linux: the send succeeds. */
  req_init(&q, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 408, "", 0);
  q.h.nlmsg_len = 8;
  CHECK_EQ("short-header-accepted", send(fd, &q, 16, 0), 16);
  getlink_req(&q, NLM_F_ACK, 409, 1);
  q.h.nlmsg_len = 1000;
  CHECK_EQ("long-header-accepted", send(fd, &q, 32, 0), 32);
  CHECK_ERR("garbage-no-reply", recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  CHECK_ERR("empty-send-enodata", send(fd, buf, 0, 0), ENODATA);

  /* Two requests in one write: answered in order. */
  struct {
    struct req a;
    struct req b;
  } two;
  getlink_req(&two.a, NLM_F_ACK, 410, 1);
  struct rtgenmsg g = { AF_INET };
  size_t blen = req_init(&two.b, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 411, &g, sizeof(g));
  char packed[sizeof(two)];
  size_t alen = NLMSG_ALIGN(two.a.h.nlmsg_len);
  memcpy(packed, &two.a, alen);
  memcpy(packed + alen, &two.b, blen);
  CHECK_EQ("two-requests-send", send(fd, packed, alen + blen, 0), alen + blen);
  memset(&s, 0, sizeof(s));
  collect(fd, 410, pid, 0, on_link, &s, &r);
  int first_ok = s.count == 1 && r.error_seen && r.error == 0;
  struct addr_seen as;
  memset(&as, 0, sizeof(as));
  collect(fd, 411, pid, 1, on_addr, &as, &r);
  check("two-requests-in-order", first_ok && r.done && as.v4_lo, "first %d, then %s", first_ok, why(&r));

  /* A change Kite cannot make is refused (Linux: here, "no such address"). */
  struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_index = 1 };
  req_init(&q, RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, 412, &ifa, sizeof(ifa));
  unsigned char addr[4] = { 10, 255, 255, 254 };
  req_attr(&q, IFA_LOCAL, addr, 4);
  send(fd, &q, q.h.nlmsg_len, 0);
  collect(fd, 412, pid, 0, NULL, NULL, &r);
  check("deladdr-refused", r.error_seen && r.error < 0, "%s", why(&r));
  if (kite)
    check("kite/change-eopnotsupp", r.error == -EOPNOTSUPP, "%s", why(&r));
  /* Dumps of tables Kite does not have: refused the same way (Kite only). */
  if (kite) {
    send_dump(fd, RTM_GETNEIGH, AF_UNSPEC, 413);
    collect(fd, 413, pid, 0, NULL, NULL, &r);
    check("kite/neigh-dump-eopnotsupp", r.error_seen && r.error == -EOPNOTSUPP, "%s", why(&r));
    req_init(&q, 0x7ff0, NLM_F_REQUEST, 414, "x", 1);
    send(fd, &q, q.h.nlmsg_len, 0);
    collect(fd, 414, pid, 0, NULL, NULL, &r);
    check("kite/unknown-type-eopnotsupp", r.error_seen && r.error == -EOPNOTSUPP, "%s", why(&r));
  }
}

/* ---- receiving: PEEK, TRUNC, names, bad pointers ---- */

static void drain(int fd)
{
  char buf[8192];
  while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
    ;
}

static void test_recv_flags(int fd)
{
  char a[8192], b[8192];
  send_dump(fd, RTM_GETLINK, AF_UNSPEC, 500);
  wait_in(fd, 2000);
  ssize_t whole = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  check("peek-trunc-length", whole > (ssize_t)NLMSG_LENGTH(sizeof(struct ifinfomsg)), "len %zd", whole);
  ssize_t p = recv(fd, a, sizeof(a), MSG_PEEK);
  ssize_t n = recv(fd, b, sizeof(b), 0);
  check("peek-then-read-same", p == whole && n == whole && memcmp(a, b, (size_t)n) == 0,
        "peek %zd read %zd whole %zd", p, n, whole);
  drain(fd);

  send_dump(fd, RTM_GETLINK, AF_UNSPEC, 501);
  wait_in(fd, 2000);
  struct sockaddr_nl from;
  memset(&from, 0xff, sizeof(from));
  struct iovec iov = { a, 20 };
  struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
  n = recvmsg(fd, &mh, MSG_PEEK);
  check("short-buffer-msg-trunc", n == 20 && (mh.msg_flags & MSG_TRUNC), "n %zd flags %#x", n, mh.msg_flags);
  check("sender-is-kernel", mh.msg_namelen == sizeof(from) && from.nl_family == AF_NETLINK &&
        from.nl_pid == 0 && from.nl_groups == 0, "namelen %u pid %u", mh.msg_namelen, from.nl_pid);
  n = recv(fd, a, 20, MSG_TRUNC);
  check("recv-msg-trunc-real-length", n == whole, "n %zd, whole %zd", n, whole);
  /* The rest of the truncated part is gone: the next read starts a new one. */
  wait_in(fd, 2000);
  n = recv(fd, a, sizeof(a), MSG_DONTWAIT);
  struct nlmsghdr *h = (struct nlmsghdr *)a;
  check("truncated-rest-dropped", n >= (ssize_t)NLMSG_HDRLEN && h->nlmsg_seq == 501 &&
        h->nlmsg_len <= (uint32_t)n && (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == RTM_NEWLINK),
        "n %zd type %u len %u seq %u", n, h->nlmsg_type, h->nlmsg_len, h->nlmsg_seq);
  drain(fd);

  /* read() and write() work too. */
  struct req q;
  getlink_req(&q, NLM_F_ACK, 502, 1);
  CHECK_EQ("write-request", write(fd, &q, q.h.nlmsg_len), q.h.nlmsg_len);
  wait_in(fd, 2000);
  n = read(fd, a, sizeof(a));
  check("read-reply", n > (ssize_t)NLMSG_HDRLEN && ((struct nlmsghdr *)a)->nlmsg_type == RTM_NEWLINK,
        "n %zd", n);
  drain(fd);

  /* Bad user pointers: EFAULT, and the socket still works. */
  CHECK_ERR("send-efault", send(fd, (void *)8, 64, 0), EFAULT);
  struct msghdr bad = { .msg_iov = (struct iovec *)8, .msg_iovlen = 1 };
  CHECK_ERR("sendmsg-iov-efault", sendmsg(fd, &bad, 0), EFAULT);
  send_dump(fd, RTM_GETLINK, AF_UNSPEC, 503);
  wait_in(fd, 2000);
  CHECK_ERR("recv-efault", recv(fd, (void *)8, 4096, 0), EFAULT);
  drain(fd);
  struct sockaddr_nl wrong = { .nl_family = AF_INET };
  getlink_req(&q, 0, 504, 1);
  CHECK_ERR("sendto-wrong-family", sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&wrong, sizeof(wrong)), EINVAL);
  CHECK_ERR("sendto-short-addr", sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&wrong, 4), EINVAL);
  struct sockaddr_nl nobody = { .nl_family = AF_NETLINK, .nl_pid = 0x7ffffff0 };
  CHECK_ERR("sendto-no-such-port", sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&nobody, sizeof(nobody)), ECONNREFUSED);
  getlink_req(&q, 0, 505, 1);
  send(fd, &q, q.h.nlmsg_len, 0);
  wait_in(fd, 2000);
  n = recv(fd, a, sizeof(a), 0);
  check("still-works-after-efault", n > 0 && ((struct nlmsghdr *)a)->nlmsg_seq == 505, "n %zd", n);
}

/* ---- options, readiness, the bounded queue ---- */

static void test_options(void)
{
  int fd = nl_socket();
  int v = 0;
  socklen_t len = sizeof(v);
  check("rcvbuf-default", getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v > 0, "%d", v);
  v = 32768;
  CHECK_EQ("set-rcvbuf", setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
  len = sizeof(v);
  check("rcvbuf-doubled", getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v == 65536, "%d", v);
  v = 32768;
  CHECK_EQ("set-sndbuf", setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
  static const struct { int name; const char *tag; } opts[] = {
    { NETLINK_PKTINFO, "pktinfo" }, { NETLINK_BROADCAST_ERROR, "broadcast-error" },
    { NETLINK_NO_ENOBUFS, "no-enobufs" }, { NETLINK_CAP_ACK, "cap-ack" },
    { NETLINK_EXT_ACK, "ext-ack" }, { NETLINK_GET_STRICT_CHK, "get-strict-chk" },
  };
  for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
    char name[64];
    int one = 1, got = -1;
    snprintf(name, sizeof(name), "sol-netlink-%s", opts[i].tag);
    len = sizeof(got);
    check(name, setsockopt(fd, SOL_NETLINK, opts[i].name, &one, sizeof(one)) == 0 &&
          getsockopt(fd, SOL_NETLINK, opts[i].name, &got, &len) == 0 && got == 1 && len == sizeof(int),
          "got %d len %u", got, len);
  }
  int group = RTNLGRP_LINK;
  CHECK_EQ("add-membership", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)), 0);
  CHECK_EQ("drop-membership", setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &group, sizeof(group)), 0);
  CHECK_ERR("option-short", setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &group, 2), EINVAL);
  CHECK_ERR("option-unknown", setsockopt(fd, SOL_NETLINK, 999, &group, sizeof(group)), ENOPROTOOPT);
  close(fd);
}

static void test_readiness(void)
{
  int fd = nl_socket();
  struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
  check("poll-idle", poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "revents %#x", p.revents);
  send_dump(fd, RTM_GETLINK, AF_UNSPEC, 600);
  p.revents = 0;
  check("poll-reply-ready", poll(&p, 1, 2000) == 1 && (p.revents & POLLIN), "revents %#x", p.revents);
  int n = -1;
  CHECK_ERR("fionread-enotty", ioctl(fd, FIONREAD, &n), ENOTTY);
  drain(fd);
  p.revents = 0;
  check("poll-drained", poll(&p, 1, 0) == 1 && !(p.revents & POLLIN), "revents %#x", p.revents);
  close(fd);
}

/*
 * The receive queue is bounded by SO_RCVBUF: replies that do not fit are
 * dropped, the next recv reports ENOBUFS once, and what was queued can
 * still be read.
 */
static void test_overrun(void)
{
  int fd = nl_socket();
  int v = 1;  /* the minimum */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
  struct req q;
  int sent = 0;
  for (int i = 0; i < 200; i++) {
    getlink_req(&q, NLM_F_ACK, (uint32_t)(700 + i), 1);
    if (send(fd, &q, q.h.nlmsg_len, 0) == (ssize_t)q.h.nlmsg_len)
      sent++;
  }
  check("overrun-sends-succeed", sent == 200, "sent %d", sent);
  char buf[8192];
  CHECK_ERR("overrun-enobufs", recv(fd, buf, sizeof(buf), MSG_DONTWAIT), ENOBUFS);
  int got = 0;
  while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
    got++;
  check("overrun-bounded", got > 0 && got < 400, "%d replies queued", got);
  CHECK_ERR("overrun-then-empty", recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
  /* With NETLINK_NO_ENOBUFS the drops are silent. */
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
  for (int i = 0; i < 200; i++) {
    getlink_req(&q, NLM_F_ACK, (uint32_t)(900 + i), 1);
    send(fd, &q, q.h.nlmsg_len, 0);
  }
  ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
  check("no-enobufs-silent", n > 0, "recv %zd", n);
  drain(fd);
  /* The pending error can also be taken with SO_ERROR. */
  int zero = 0, err = -1;
  socklen_t elen = sizeof(err);
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &zero, sizeof(zero));
  for (int i = 0; i < 200; i++) {
    getlink_req(&q, NLM_F_ACK, (uint32_t)(1100 + i), 1);
    send(fd, &q, q.h.nlmsg_len, 0);
  }
  struct pollfd p = { fd, POLLIN, 0 };
  check("overrun-pollerr", poll(&p, 1, 0) == 1 && (p.revents & POLLERR), "revents %#x", p.revents);
  check("overrun-so-error", getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == ENOBUFS,
        "SO_ERROR %d", err);
  n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
  check("so-error-cleared-it", n > 0, "recv %zd", n);
  close(fd);
  /* A dump larger than the queue is sent in parts as the reader drains it. */
  fd = nl_socket();
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
  uint32_t pid;
  send_dump(fd, RTM_GETADDR, AF_UNSPEC, 950);
  pid = nl_portid(fd);
  struct addr_seen s;
  struct replies r;
  memset(&s, 0, sizeof(s));
  collect(fd, 950, pid, 1, on_addr, &s, &r);
  check("small-rcvbuf-dump-complete", r.done && s.v4_lo && s.v6_lo == 1, "%s", why(&r));
  close(fd);
}

/* ---- the C library on top: getifaddrs, if_nameindex ---- */

static void test_libc(void)
{
  struct ifaddrs *ifs = NULL;
  CHECK_EQ("getifaddrs", getifaddrs(&ifs), 0);
  int lo4 = 0, lo6 = 0, lopkt = 0, flags = 0, mask = 0;
  for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
    if (!i->ifa_name || strcmp(i->ifa_name, "lo") != 0 || !i->ifa_addr)
      continue;
    flags = (int)i->ifa_flags;
    if (i->ifa_addr->sa_family == AF_INET) {
      struct sockaddr_in *a = (struct sockaddr_in *)i->ifa_addr;
      struct sockaddr_in *m = (struct sockaddr_in *)i->ifa_netmask;
      lo4 = a->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
      mask = m && m->sin_addr.s_addr == htonl(0xff000000);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      lo6 = memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &in6addr_loopback, 16) == 0;
    } else if (i->ifa_addr->sa_family == AF_PACKET) {
      lopkt = i->ifa_data != NULL;
    }
  }
  check("getifaddrs-lo-127.0.0.1", lo4 && mask, "lo v4 %d netmask %d", lo4, mask);
  check("getifaddrs-lo-::1", lo6, "lo v6");
  check("getifaddrs-lo-link-stats", lopkt, "AF_PACKET entry with statistics");
  check("getifaddrs-lo-flags", (flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK), "flags %#x", flags);
  if (ifs)
    freeifaddrs(ifs);

  struct if_nameindex *ni = if_nameindex();
  int lo = 0;
  for (struct if_nameindex *i = ni; i && i->if_index; i++)
    if (i->if_index == 1 && strcmp(i->if_name, "lo") == 0)
      lo = 1;
  check("if-nameindex-lo", ni && lo, "if_nameindex");
  if (ni)
    if_freenameindex(ni);
  char name[IF_NAMESIZE];
  check("if-indextoname", if_indextoname(1, name) && strcmp(name, "lo") == 0, "index 1");
  CHECK_EQ("if-nametoindex", if_nametoindex("lo"), 1);
}

/*
 * Hostile requests: random headers (lengths that lie), flags, families
 * and attributes, several to a write. Only GET and control types are sent
 * on Linux (a random change request would really change its lo); Kite
 * also gets random types. Afterwards the socket must still answer.
 */
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
  rnd_state = rnd_state * 1103515245u + 12345u;
  return rnd_state >> 8;
}

static size_t random_msg(char *at, size_t room)
{
  static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, NLMSG_NOOP,
                                    NLMSG_ERROR, NLMSG_DONE, RTM_GETLINK };
  size_t len = NLMSG_HDRLEN + rnd() % 96;
  if (len > room)
    return 0;
  struct nlmsghdr *h = (struct nlmsghdr *)at;
  for (size_t i = 0; i < len; i++)
    at[i] = (char)rnd();
  h->nlmsg_type = kite && rnd() % 4 == 0 ? (uint16_t)rnd() : types[rnd() % 7];
  h->nlmsg_flags = (uint16_t)(rnd() & (NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP | NLM_F_MULTI));
  h->nlmsg_len = rnd() % 8 == 0 ? rnd() % 200 : (uint32_t)len;  /* sometimes a lie */
  if (len > NLMSG_HDRLEN + 4 && rnd() % 2) {  /* a plausible attribute after a family header */
    struct rtattr *a = (struct rtattr *)(at + NLMSG_HDRLEN + sizeof(struct ifinfomsg));
    if ((char *)(a + 1) <= at + len) {
      a->rta_type = rnd() % 4 ? IFLA_IFNAME : (uint16_t)rnd();
      a->rta_len = (unsigned short)(rnd() % 40);
    }
  }
  return NLMSG_ALIGN(len);
}

static void test_fuzz(void)
{
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE);
  char buf[512], in[8192];
  int sent = 0;
  for (int i = 0; i < 3000; i++) {
    size_t len = 0, k;
    int count = 1 + (int)(rnd() % 3);
    for (int j = 0; j < count && (k = random_msg(buf + len, sizeof(buf) - len)); j++)
      len += k;
    if (send(fd, buf, len, 0) >= 0)
      sent++;
    while (recv(fd, in, sizeof(in), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
      ;
  }
  check("fuzz-sends", sent > 2500, "%d of 3000 sent", sent);
  close(fd);
  fd = nl_socket();
  struct link_seen s;
  struct replies r;
  memset(&s, 0, sizeof(s));
  send_dump(fd, RTM_GETLINK, AF_UNSPEC, 77);
  collect(fd, 77, nl_portid(fd), 1, on_link, &s, &r);
  check("fuzz-survived", r.done && s.lo, "%s", why(&r));
  close(fd);
}

/* Many sockets and requests, closed with replies unread: nothing leaks. */
static void test_churn(void)
{
  int ok = 1;
  for (int i = 0; i < 200 && ok; i++) {
    int fd = nl_socket();
    ok = fd >= 0 && send_dump(fd, RTM_GETADDR, AF_UNSPEC, 1) == 0;
    if (fd >= 0)
      close(fd);
  }
  check("churn-200-sockets", ok, "socket/send");
}

int main(void)
{
  test_group = "netlink";
  kite = on_kite();
  long sockets0 = proc_value("/proc/net/sockstat", "sockets: used");
  long free0 = proc_value("/proc/meminfo", "MemFree:");
  test_socket();
  test_bind();
  int fd = nl_socket();
  struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
  bind(fd, (struct sockaddr *)&nl, sizeof(nl));
  uint32_t pid = nl_portid(fd);
  test_link_dump(fd, pid);
  test_addr_dumps(fd, pid);
  test_route_dump(fd, pid);
  test_requests(fd, pid);
  test_recv_flags(fd);
  close(fd);
  test_options();
  test_readiness();
  test_overrun();
  test_libc();
  test_fuzz();
  test_churn();
  if (kite) {  /* every socket and queued reply was freed on close */
    long sockets1 = proc_value("/proc/net/sockstat", "sockets: used");
    long free1 = proc_value("/proc/meminfo", "MemFree:");
    check("kite/no-socket-leak", sockets1 == sockets0, "sockets %ld -> %ld", sockets0, sockets1);
    check("kite/no-memory-leak", free0 - free1 < 256, "MemFree %ld kB -> %ld kB", free0, free1);
  }
  return test_exit();
}
