/*
 * netlink.c — AF_NETLINK sockets, protocol NETLINK_ROUTE: how busybox ip,
 * iproute2 and musl's getifaddrs()/if_nameindex() list interfaces,
 * addresses and routes.
 *
 * Layer: a protocol under the SocketTable (net/socket.c), beside unix.c.
 * A netlink socket talks to the kernel in messages (net/netlink.h: a
 * header, a family header, attributes). sendmsg copies the user's buffer
 * of requests in and hands it to the "kernel side" (the rtnl_* functions
 * below, Linux's rtnetlink), which answers by queueing *parts* on the
 * sender's own receive queue: a part is one datagram holding one or more
 * whole messages, and recvmsg takes one part per call (the rest of a part
 * that does not fit the caller's buffer is dropped: MSG_TRUNC).
 *
 * Dumps (a GET request with NLM_F_DUMP) are sent the way Linux sends them:
 * in parts of up to part_size bytes, the next part built only when the
 * reader has taken the previous one, so a dump never needs more queue
 * than one part. The socket remembers how many objects (interfaces,
 * addresses, routes) it has sent (struct nl_dump); each part walks the
 * objects from the start in a fixed order, skips those, and adds what
 * fits. When nothing is left, NLMSG_DONE follows in a part of its own.
 *
 * What Kite answers: RTM_GETLINK (dump, or one interface by index or
 * name), RTM_GETADDR dumps (IPv4 and IPv6), RTM_GETROUTE dumps (IPv4: the
 * default route, connected networks, and the local table). Interfaces
 * come from net/ifconf.c's struct if_info, the source of the SIOCGIF*
 * ioctls too. Interfaces, addresses and routes are fixed (net_config), so
 * every request to change them — and every other message type — gets
 * NLMSG_ERROR with -EOPNOTSUPP, which is what Linux answers for a message
 * type it has no handler for. Only the kernel (port 0) can be written to:
 * no messages between user sockets, no multicast notifications.
 *
 * Limits: the receive queue holds at most SO_RCVBUF bytes (parts are
 * counted with their bookkeeping, like Linux's truesize). A reply that
 * does not fit is dropped; as on Linux, the next recvmsg then fails once
 * with ENOBUFS, and nothing more is queued until the reader has emptied
 * the queue (NETLINK_NO_ENOBUFS makes the drops silent).
 *
 * Locks: every field marked net_lock, and the list of netlink sockets
 * (port ids), belong to net_lock, like the datagram queues of dgram.h:
 * the replies are built from lwIP's interface list, which is net_lock's
 * anyway. rx_lock serialises readers, tx_lock senders. User memory is only
 * touched with no spinlock held. Functions marked "net_lock held" expect
 * it on entry and keep it.
 */
#include "net/socket.h"
#include "net/netlink.h"
#include "net/ifconf.h"
#include "net/net.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include <string.h>

#include "lwip/netif.h"
#include "lwip/ip6_addr.h"

#define NL_PART_MIN 4096            /* a dump part (Linux: NLMSG_GOODSIZE, about a page)... */
#define NL_PART_MAX 32768           /* ...growing to the reader's buffer, up to this */
#define NL_DEFAULT_BUF 212992       /* SO_RCVBUF/SO_SNDBUF of a new socket (Linux's default) */
#define NL_ROVER_START 0xfffff000u  /* port ids when the pid is taken: -4096, -4097, ... */
#define NL_NO_ACK 1                 /* a handler answered already (a dump started): no ack */
#define NL_OPT_MAX NETLINK_GET_STRICT_CHK

/* One datagram for recvmsg: whole messages, each padded to 4 bytes. */
struct nl_part {
  struct nl_part *next;
  size_t len;                       /* bytes used */
  size_t size;                      /* bytes allocated */
  char data[];
};

/* What a part costs the receive queue: its memory, bookkeeping included. */
#define NL_PART_COST(size) (sizeof(struct nl_part) + (size))

/* A dump in progress (Linux's netlink_callback). */
struct nl_dump {
  bool running;
  uint16_t type;                    /* RTM_GETLINK, RTM_GETADDR or RTM_GETROUTE */
  uint8_t family;                   /* the request's family filter (AF_UNSPEC: all) */
  uint32_t seq;                     /* the request's sequence number */
  int sent;                         /* objects sent in earlier parts */
};

struct nl_sock {
  struct socket *sock;
  struct list_head link;            /* in nl_socks (net_lock) */
  /* --- net_lock --- */
  uint32_t portid;                  /* our address; 0 until bound */
  uint64_t groups;                  /* bit g-1: multicast group g (nothing is ever sent) */
  uint32_t dst_portid, dst_group;   /* connect()'s default destination */
  struct nl_part *head, *tail;      /* the receive queue */
  size_t queued;                    /* NL_PART_COST of the queued parts */
  int err;                          /* reported by the next recvmsg (ENOBUFS), positive */
  bool congested;                   /* a reply was dropped: queue nothing until empty */
  struct nl_dump dump;
  size_t part_size;                 /* dump parts: the largest read seen, bounded */
  /* --- SOL_NETLINK flag options (single words, no lock) --- */
  bool opt[NL_OPT_MAX + 1];
};

static LIST_HEAD(nl_socks);         /* every netlink socket (net_lock) */
static uint32_t nl_rover = NL_ROVER_START;  /* net_lock */
static const struct sock_ops netlink_ops;

static struct nl_sock *nl_of(struct socket *s)
{
  return s->proto;
}

/* ---- port ids ---- */

static bool portid_taken(uint32_t id)
{
  struct nl_sock *x;
  list_for_each_entry(x, &nl_socks, link)
    if (x->portid == id)
      return true;
  return false;
}

/* Give nl a port id: the process id, as Linux does, or if another socket
 * has that, the next free one counting down from -4096. net_lock held. */
static void autobind(struct nl_sock *nl)
{
  uint32_t id = (uint32_t)current->proc->pid;
  while (id == 0 || portid_taken(id)) {
    id = nl_rover--;
    if (nl_rover < 0x80000000u)
      nl_rover = NL_ROVER_START;  /* wrapped around: start again */
  }
  nl->portid = id;
}

/* ---- the receive queue ---- */

static struct nl_part *part_alloc(size_t size)
{
  struct nl_part *p = kmalloc(sizeof(*p) + size);
  if (p) {
    p->next = NULL;
    p->len = 0;
    p->size = size;
  }
  return p;
}

static void part_free_list(struct nl_part *p)
{
  while (p) {
    struct nl_part *next = p->next;
    kfree(p);
    p = next;
  }
}

/* Report an error to the next recvmsg. net_lock held. */
static void nl_set_error(struct nl_sock *nl, int err)
{
  nl->err = err;
  sock_wake(nl->sock, POLLERR | POLLIN | POLLRDNORM);
}

/* Append p to the queue, room or not (callers have checked). net_lock held. */
static void queue_append(struct nl_sock *nl, struct nl_part *p)
{
  if (nl->tail)
    nl->tail->next = p;
  else
    nl->head = p;
  nl->tail = p;
  nl->queued += NL_PART_COST(p->size);
  sock_wake(nl->sock, POLLIN | POLLRDNORM);
}

/*
 * Queue a reply, or drop it when the queue is full: an empty queue takes
 * any part, otherwise the total may not pass SO_RCVBUF. The first drop
 * makes the socket "congested" and leaves ENOBUFS for the reader (unless
 * NETLINK_NO_ENOBUFS); a congested socket takes nothing until its reader
 * has emptied the queue. net_lock held; p is queued or freed.
 */
static void part_send(struct nl_sock *nl, struct nl_part *p)
{
  bool room = !nl->head || nl->queued + NL_PART_COST(p->size) <= (size_t)nl->sock->rcvbuf;
  if (room && !nl->congested) {
    queue_append(nl, p);
    return;
  }
  kfree(p);
  if (nl->opt[NETLINK_NO_ENOBUFS] || nl->congested)
    return;
  nl->congested = true;
  nl_set_error(nl, ENOBUFS);
}

/*
 * netlink_deliver: queue len bytes on netlink socket s as one datagram
 * from the kernel — mq_notify's SIGEV_THREAD cookie (fs/mqueue.c), as
 * Linux's netlink_sendskb. Dropped like a reply when the queue is full.
 */
void netlink_deliver(struct socket *s, const void *data, size_t len)
{
  struct nl_part *p = part_alloc(len);
  if (!p)
    return;
  memcpy(p->data, data, len);
  p->len = len;
  net_lock_acquire();
  part_send(nl_of(s), p);
  net_lock_release();
}

/* ---- building messages into a part ---- */

struct nl_builder {
  struct nl_part *p;                /* the part being filled */
  size_t msg;                       /* where the current message starts */
  bool full;                        /* something did not fit: the message is dropped */
  uint32_t seq, pid;                /* the request's sequence number, our port id */
  uint16_t flags;                   /* NLM_F_MULTI for dump parts */
};

/* len zeroed bytes (padded to 4) at the end of the part, or NULL if full. */
static void *put(struct nl_builder *b, size_t len)
{
  size_t need = NLMSG_ALIGN(len);
  if (b->full || b->p->len + need > b->p->size) {
    b->full = true;
    return NULL;
  }
  void *at = b->p->data + b->p->len;
  memset(at, 0, need);
  b->p->len += need;
  return at;
}

/* Start a message of this type; returns its family header (famlen bytes, zeroed) or NULL. */
static void *msg_begin(struct nl_builder *b, uint16_t type, size_t famlen)
{
  b->msg = b->p->len;
  struct nlmsghdr *h = put(b, NLMSG_HDRLEN + famlen);
  if (!h)
    return NULL;
  h->nlmsg_type = type;
  h->nlmsg_flags = b->flags;
  h->nlmsg_seq = b->seq;
  h->nlmsg_pid = b->pid;
  return NLMSG_DATA(h);
}

static void attr(struct nl_builder *b, uint16_t type, const void *data, size_t len)
{
  struct rtattr *a = put(b, RTA_LENGTH(len));
  if (!a)
    return;
  a->rta_len = (uint16_t)RTA_LENGTH(len);
  a->rta_type = type;
  memcpy(RTA_DATA(a), data, len);
}

static void attr_u32(struct nl_builder *b, uint16_t type, uint32_t v)
{
  attr(b, type, &v, sizeof(v));
}

static void attr_u8(struct nl_builder *b, uint16_t type, uint8_t v)
{
  attr(b, type, &v, sizeof(v));
}

static void attr_str(struct nl_builder *b, uint16_t type, const char *s)
{
  attr(b, type, s, strlen(s) + 1);
}

/* Finish the message: true if it fits, else it is taken out again. */
static bool msg_end(struct nl_builder *b)
{
  if (b->full) {
    b->p->len = b->msg;
    return false;
  }
  struct nlmsghdr *h = (struct nlmsghdr *)(b->p->data + b->msg);
  h->nlmsg_len = (uint32_t)(b->p->len - b->msg);
  return true;
}

/* ---- the objects: links, addresses, routes ---- */

static uint8_t operstate(const struct if_info *in)
{
  if (in->type == ARPHRD_LOOPBACK)
    return IF_OPER_UNKNOWN;  /* Linux's lo has no carrier to report */
  return (in->flags & IFF_RUNNING) ? IF_OPER_UP : IF_OPER_DOWN;
}

static void put_stats(struct nl_builder *b, const struct if_stats *st)
{
  struct rtnl_link_stats64 s64;
  memset(&s64, 0, sizeof(s64));
  s64.rx_packets = st->rx_packets;
  s64.tx_packets = st->tx_packets;
  s64.rx_bytes = st->rx_bytes;
  s64.tx_bytes = st->tx_bytes;
  s64.rx_errors = st->rx_errs;
  s64.tx_errors = st->tx_errs;
  s64.rx_dropped = st->rx_drop;
  s64.tx_dropped = st->tx_drop;
  struct rtnl_link_stats s32;  /* the same, cut to 32 bits (musl's getifaddrs reads these) */
  memset(&s32, 0, sizeof(s32));
  s32.rx_packets = (uint32_t)s64.rx_packets;
  s32.tx_packets = (uint32_t)s64.tx_packets;
  s32.rx_bytes = (uint32_t)s64.rx_bytes;
  s32.tx_bytes = (uint32_t)s64.tx_bytes;
  s32.rx_errors = (uint32_t)s64.rx_errors;
  s32.tx_errors = (uint32_t)s64.tx_errors;
  s32.rx_dropped = (uint32_t)s64.rx_dropped;
  s32.tx_dropped = (uint32_t)s64.tx_dropped;
  attr(b, IFLA_STATS64, &s64, sizeof(s64));
  attr(b, IFLA_STATS, &s32, sizeof(s32));
}

/* RTM_NEWLINK for interface n. net_lock held. */
static bool put_link(struct nl_builder *b, struct netif *n)
{
  struct if_info in;
  ifinfo_get(n, &in);
  struct ifinfomsg *ifi = msg_begin(b, RTM_NEWLINK, sizeof(*ifi));
  if (ifi) {
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_type = in.type;
    ifi->ifi_index = in.index;
    ifi->ifi_flags = in.flags;
  }
  attr_str(b, IFLA_IFNAME, in.name);
  attr_u32(b, IFLA_TXQLEN, in.txqlen);
  attr_u8(b, IFLA_OPERSTATE, operstate(&in));
  attr_u8(b, IFLA_LINKMODE, 0);
  attr_u32(b, IFLA_MTU, in.mtu);
  attr_str(b, IFLA_QDISC, "noqueue");  /* true: Kite has no queueing discipline */
  attr(b, IFLA_ADDRESS, in.hwaddr, sizeof(in.hwaddr));
  attr(b, IFLA_BROADCAST, in.broadcast, sizeof(in.broadcast));
  put_stats(b, &in.stats);
  return msg_end(b);
}

static void put_cacheinfo(struct nl_builder *b, uint32_t preferred, uint32_t valid)
{
  struct ifa_cacheinfo ci = { preferred, valid, 0, 0 };
  attr(b, IFA_CACHEINFO, &ci, sizeof(ci));
}

/* RTM_NEWADDR for n's IPv4 address (configured once: permanent). net_lock held. */
static bool put_addr4(struct nl_builder *b, struct netif *n)
{
  struct if_info in;
  ifinfo_get(n, &in);
  bool loopback = (net_ntohl(in.addr) >> 24) == 127;
  struct ifaddrmsg *ifa = msg_begin(b, RTM_NEWADDR, sizeof(*ifa));
  if (ifa) {
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (uint8_t)__builtin_popcount(in.netmask);
    ifa->ifa_flags = IFA_F_PERMANENT;
    ifa->ifa_scope = loopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (uint32_t)in.index;
  }
  attr(b, IFA_ADDRESS, &in.addr, 4);
  attr(b, IFA_LOCAL, &in.addr, 4);
  if (!(in.flags & IFF_LOOPBACK)) {
    uint32_t brd = in.addr | ~in.netmask;
    attr(b, IFA_BROADCAST, &brd, 4);
  }
  attr_str(b, IFA_LABEL, in.name);
  attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
  put_cacheinfo(b, INFINITY_LIFE_TIME, INFINITY_LIFE_TIME);
  return msg_end(b);
}

static uint8_t scope6(const ip6_addr_t *a)
{
  if (ip6_addr_isloopback(a))
    return RT_SCOPE_HOST;
  if (ip6_addr_islinklocal(a))
    return RT_SCOPE_LINK;
  if (ip6_addr_issitelocal(a))
    return RT_SCOPE_SITE;
  return RT_SCOPE_UNIVERSE;
}

/* Seconds of an lwIP address lifetime as netlink counts them. */
static uint32_t life(uint32_t lwip_life)
{
  if (ip6_addr_life_isstatic(lwip_life) || ip6_addr_life_isinfinite(lwip_life))
    return INFINITY_LIFE_TIME;
  return lwip_life;
}

/*
 * RTM_NEWADDR for n's IPv6 address slot i. lwIP keeps no prefix length:
 * ::1 is a /128, every other address (link-local, autoconfigured) a /64.
 * Fixed addresses (::1, link-local) are permanent; autoconfigured ones
 * carry their lifetimes. net_lock held.
 */
static bool put_addr6(struct nl_builder *b, struct netif *n, int i)
{
  const ip6_addr_t *a = netif_ip6_addr(n, i);
  u8_t state = netif_ip6_addr_state(n, i);
  uint32_t valid = netif_ip6_addr_valid_life(n, i);
  bool fixed = ip6_addr_life_isstatic(valid);
  uint32_t flags = fixed ? IFA_F_PERMANENT : 0;
  if (ip6_addr_istentative(state))
    flags |= IFA_F_TENTATIVE;
  /* lwIP's "valid" is also its "deprecated"; fixed addresses (::1) are just valid */
  if (!fixed && ip6_addr_isdeprecated(state))
    flags |= IFA_F_DEPRECATED;
  struct ifaddrmsg *ifa = msg_begin(b, RTM_NEWADDR, sizeof(*ifa));
  if (ifa) {
    ifa->ifa_family = AF_INET6;
    ifa->ifa_prefixlen = ip6_addr_isloopback(a) ? 128 : 64;
    ifa->ifa_flags = (uint8_t)flags;
    ifa->ifa_scope = scope6(a);
    ifa->ifa_index = netif_get_index(n);
  }
  attr(b, IFA_ADDRESS, a->addr, 16);
  put_cacheinfo(b, life(netif_ip6_addr_pref_life(n, i)), life(valid));
  attr_u32(b, IFA_FLAGS, flags);
  return msg_end(b);
}

/* An IPv4 route as netlink shows it (addresses in network byte order; 0: none). */
struct route {
  uint8_t table, type, scope, protocol, dst_len;
  uint32_t dst, gateway, prefsrc;
  int oif;
};

static bool put_route(struct nl_builder *b, const struct route *r)
{
  struct rtmsg *rtm = msg_begin(b, RTM_NEWROUTE, sizeof(*rtm));
  if (rtm) {
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = r->dst_len;
    rtm->rtm_table = r->table;
    rtm->rtm_protocol = r->protocol;
    rtm->rtm_scope = r->scope;
    rtm->rtm_type = r->type;
  }
  attr_u32(b, RTA_TABLE, r->table);
  if (r->dst_len)
    attr(b, RTA_DST, &r->dst, 4);
  if (r->prefsrc)
    attr(b, RTA_PREFSRC, &r->prefsrc, 4);
  if (r->gateway)
    attr(b, RTA_GATEWAY, &r->gateway, 4);
  attr_u32(b, RTA_OIF, (uint32_t)r->oif);
  return msg_end(b);
}

/* ---- dumps ---- */

/* One part's walk over a dump's objects. */
struct dump_walk {
  struct nl_builder *b;
  int seen;                         /* objects walked so far */
  int skip;                         /* objects sent in earlier parts */
  int added;                        /* objects added to this part */
};

/* Is the next object to be built? No if it was sent before, or the part is full. */
static bool walk_want(struct dump_walk *w)
{
  if (w->b->full)
    return false;
  return w->seen++ >= w->skip;
}

static void walk_added(struct dump_walk *w, bool fitted)
{
  if (fitted)
    w->added++;
}

/* Interfaces, in index order. */
static void dump_links(struct dump_walk *w)
{
  struct netif *n;
  NETIF_FOREACH_BY_INDEX(n)
    if (walk_want(w))
      walk_added(w, put_link(w->b, n));
}

/* IPv4 addresses, then IPv6 ones (Linux's family order), each by interface. */
static void dump_addrs(struct dump_walk *w, uint8_t family)
{
  struct netif *n;
  if (family != AF_INET6) {
    NETIF_FOREACH_BY_INDEX(n)
      if (!ip4_addr_isany(netif_ip4_addr(n)) && walk_want(w))
        walk_added(w, put_addr4(w->b, n));
  }
  if (family == AF_INET)
    return;
  NETIF_FOREACH_BY_INDEX(n)
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
      if (!ip6_addr_isinvalid(netif_ip6_addr_state(n, i)) && walk_want(w))
        walk_added(w, put_addr6(w->b, n, i));
}

static void walk_route(struct dump_walk *w, const struct route *r)
{
  if (walk_want(w))
    walk_added(w, put_route(w->b, r));
}

/* The routes of table local for up interface n: what Linux adds for an address. */
static void dump_local_routes(struct dump_walk *w, struct netif *n)
{
  uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n));
  uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));
  int oif = netif_get_index(n);
  uint8_t plen = (uint8_t)__builtin_popcount(mask);
  if (netif_is_lo(n)) {  /* lo answers for its whole network (127/8) */
    struct route net = { RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, RTPROT_KERNEL, plen,
                         addr & mask, 0, addr, oif };
    walk_route(w, &net);
  }
  struct route local = { RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST, RTPROT_KERNEL, 32,
                         addr, 0, addr, oif };
  struct route brd = { RT_TABLE_LOCAL, RTN_BROADCAST, RT_SCOPE_LINK, RTPROT_KERNEL, 32,
                       addr | ~mask, 0, addr, oif };
  walk_route(w, &local);
  walk_route(w, &brd);
}

/*
 * IPv4 routes, derived from the interfaces as Linux would have them:
 * table main holds the default route (lwIP's default interface and its
 * gateway) and one route per connected network; table local the
 * addresses themselves, lo's 127/8, and the broadcast addresses. IPv6
 * routes are not listed.
 */
static void dump_routes(struct dump_walk *w, uint8_t family)
{
  struct netif *n, *def = netif_default;
  if (family == AF_INET6)
    return;
  if (def && netif_is_up(def) && !ip4_addr_isany(netif_ip4_gw(def))) {
    struct route r = { RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_UNIVERSE, RTPROT_BOOT, 0, 0,
                       ip4_addr_get_u32(netif_ip4_gw(def)), 0, netif_get_index(def) };
    walk_route(w, &r);
  }
  NETIF_FOREACH_BY_INDEX(n) {
    if (netif_is_lo(n) || !netif_is_up(n) || ip4_addr_isany(netif_ip4_addr(n)))
      continue;
    uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n));
    uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));
    uint8_t plen = (uint8_t)__builtin_popcount(mask);
    struct route r = { RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_LINK, RTPROT_KERNEL, plen,
                       addr & mask, 0, addr, netif_get_index(n) };
    walk_route(w, &r);
  }
  NETIF_FOREACH_BY_INDEX(n)
    if (netif_is_up(n) && !ip4_addr_isany(netif_ip4_addr(n)))
      dump_local_routes(w, n);
}

/* The dump's objects not sent yet that fit in the builder's part. net_lock held. */
static void dump_fill(struct nl_dump *d, struct dump_walk *w)
{
  switch (d->type) {
  case RTM_GETLINK:
    dump_links(w);
    break;
  case RTM_GETADDR:
    dump_addrs(w, d->family);
    break;
  case RTM_GETROUTE:
    dump_routes(w, d->family);
    break;
  }
}

/* NLMSG_DONE: the end of a dump, with its result (0, or a negative errno). */
static void put_done(struct nl_builder *b, int32_t result)
{
  int32_t *r = msg_begin(b, NLMSG_DONE, sizeof(int32_t));
  if (r)
    *r = result;
  msg_end(b);
}

/*
 * Queue the next part of the running dump: the objects not yet sent that
 * fit, or, once none is left, NLMSG_DONE on its own (as Linux sends it),
 * which ends the dump. Does nothing while the queue lacks room for a
 * whole part: the reader calls again after taking one. A dump that
 * cannot get memory is abandoned with ENOBUFS. net_lock held.
 */
static void dump_step(struct nl_sock *nl)
{
  struct nl_dump *d = &nl->dump;
  if (!d->running)
    return;
  size_t size = nl->part_size;
  if (nl->head && nl->queued + NL_PART_COST(size) > (size_t)nl->sock->rcvbuf)
    return;
  struct nl_part *p = part_alloc(size);
  if (!p) {
    d->running = false;
    nl_set_error(nl, ENOBUFS);
    return;
  }
  struct nl_builder b = { .p = p, .seq = d->seq, .pid = nl->portid, .flags = NLM_F_MULTI };
  struct dump_walk w = { .b = &b, .skip = d->sent };
  dump_fill(d, &w);
  d->sent += w.added;
  if (p->len == 0) {
    bool too_big = b.full;  /* an object bigger than a part (none is): Linux's EMSGSIZE */
    b.full = false;
    put_done(&b, too_big ? -EMSGSIZE : 0);
    d->running = false;
  }
  queue_append(nl, p);
}

/* ---- the kernel side: requests ---- */

static int dump_start(struct nl_sock *nl, const struct nlmsghdr *h, uint8_t family)
{
  if (h->nlmsg_type != RTM_GETLINK && h->nlmsg_type != RTM_GETADDR &&
      h->nlmsg_type != RTM_GETROUTE)
    return -EOPNOTSUPP;  /* neighbours, rules, qdiscs...: Kite has no such tables */
  if (nl->dump.running)
    return -EBUSY;       /* one dump at a time, as Linux */
  nl->dump = (struct nl_dump){ true, h->nlmsg_type, family, h->nlmsg_seq, 0 };
  dump_step(nl);
  return NL_NO_ACK;      /* the dump is the answer, even with NLM_F_ACK */
}

/* Find attribute `type` after a family header of famlen bytes. A malformed
 * attribute ends the search, as Linux's lenient parser ends it. */
static const struct rtattr *attr_find(const struct nlmsghdr *h, size_t famlen, uint16_t type)
{
  size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(famlen);
  while (off + sizeof(struct rtattr) <= h->nlmsg_len) {
    const struct rtattr *a = (const void *)((const char *)h + off);
    if (a->rta_len < sizeof(*a) || a->rta_len > h->nlmsg_len - off)
      return NULL;
    if ((a->rta_type & NLA_TYPE_MASK) == type)
      return a;
    off += RTA_ALIGN(a->rta_len);
  }
  return NULL;
}

/* The IFLA_IFNAME of a request: 1 and name filled in, 0 if absent, or
 * -ERANGE for an empty or too long name (Linux's string check). */
static int request_ifname(const struct nlmsghdr *h, char name[IFNAMSIZ])
{
  const struct rtattr *a = attr_find(h, sizeof(struct ifinfomsg), IFLA_IFNAME);
  if (!a)
    return 0;
  size_t len = a->rta_len - RTA_LENGTH(0);
  const char *s = RTA_DATA(a);
  if (len > 0 && s[len - 1] == 0)
    len--;
  if (len == 0 || len > IFNAMSIZ - 1)
    return -ERANGE;
  memcpy(name, s, len);
  name[len] = 0;
  return 1;
}

/* RTM_GETLINK without NLM_F_DUMP: one interface, by index or else by name. */
static int rtnl_getlink(struct nl_sock *nl, const struct nlmsghdr *h)
{
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
    return -EINVAL;
  const struct ifinfomsg *ifi = NLMSG_DATA(h);
  char name[IFNAMSIZ];
  int named = request_ifname(h, name);
  if (named < 0)
    return named;
  struct netif *n;
  if (ifi->ifi_index > 0)
    n = ifi->ifi_index <= 255 ? netif_get_by_index((u8_t)ifi->ifi_index) : NULL;
  else if (named)
    n = netif_by_linux_name(name);
  else
    return -EINVAL;
  if (!n)
    return -ENODEV;
  struct nl_part *p = part_alloc(NL_PART_MIN);  /* a link is a few hundred bytes */
  if (!p)
    return -ENOBUFS;
  struct nl_builder b = { .p = p, .seq = h->nlmsg_seq, .pid = nl->portid };
  put_link(&b, n);
  part_send(nl, p);
  return 0;
}

/*
 * One rtnetlink request (Linux's rtnetlink_rcv_msg). Returns 0, a
 * negative errno for NLMSG_ERROR, or NL_NO_ACK. net_lock held.
 */
static int rtnl_request(struct nl_sock *nl, const struct nlmsghdr *h)
{
  if (h->nlmsg_type > RTM_MAX)
    return -EOPNOTSUPP;
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
    return 0;  /* no family byte: Linux ignores the message */
  uint8_t family = *(const uint8_t *)NLMSG_DATA(h);
  bool get = ((h->nlmsg_type - RTM_BASE) & 3) == RTM_KIND_GET;
  if (get && (h->nlmsg_flags & NLM_F_DUMP))  /* ROOT or MATCH: Linux dumps on either */
    return dump_start(nl, h, family);
  if (h->nlmsg_type == RTM_GETLINK)
    return rtnl_getlink(nl, h);
  return -EOPNOTSUPP;  /* NEW/DEL/SET...: Kite's configuration is fixed */
}

/*
 * NLMSG_ERROR for request h: error 0 is an acknowledgement. An error
 * copies the whole request back unless NETLINK_CAP_ACK (or it is an
 * ack): then only its header, and NLM_F_CAPPED says so. net_lock held.
 */
static void send_ack(struct nl_sock *nl, const struct nlmsghdr *h, int err)
{
  bool capped = err == 0 || nl->opt[NETLINK_CAP_ACK];
  size_t echo = capped ? 0 : h->nlmsg_len - NLMSG_HDRLEN;
  size_t famlen = sizeof(struct nlmsgerr) + echo;
  struct nl_part *p = part_alloc(NLMSG_ALIGN(NLMSG_LENGTH(famlen)));
  if (!p) {
    nl_set_error(nl, ENOBUFS);
    return;
  }
  struct nl_builder b = { .p = p, .seq = h->nlmsg_seq, .pid = nl->portid,
                          .flags = capped ? NLM_F_CAPPED : 0 };
  struct nlmsgerr *e = msg_begin(&b, NLMSG_ERROR, famlen);
  e->error = err;
  memcpy(&e->msg, h, NLMSG_HDRLEN + echo);  /* the header, and the payload unless capped */
  msg_end(&b);
  part_send(nl, p);
}

/*
 * The kernel side of sendmsg (Linux's netlink_rcv_skb): handle each
 * message in buf in turn. A header whose length does not fit ends the
 * batch silently, as on Linux. Only requests (NLM_F_REQUEST, and not
 * control messages) are handled; errors are always answered, success
 * only when NLM_F_ACK asks for it.
 */
static void rtnl_receive(struct nl_sock *nl, const char *buf, size_t len)
{
  while (len >= NLMSG_HDRLEN) {
    const struct nlmsghdr *h = (const void *)buf;
    if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
      return;
    int err = 0;
    net_lock_acquire();
    if ((h->nlmsg_flags & NLM_F_REQUEST) && h->nlmsg_type >= NLMSG_MIN_TYPE)
      err = rtnl_request(nl, h);
    if (err != NL_NO_ACK && (err || (h->nlmsg_flags & NLM_F_ACK)))
      send_ack(nl, h, err);
    net_lock_release();
    size_t step = MIN((size_t)NLMSG_ALIGN(h->nlmsg_len), len);
    buf += step;
    len -= step;
  }
}

/* ---- socket operations ---- */

int netlink_create(struct socket *s, int type, int protocol)
{
  if (type != SOCK_RAW && type != SOCK_DGRAM)
    return -ESOCKTNOSUPPORT;
  if (protocol != NETLINK_ROUTE)
    return -EPROTONOSUPPORT;  /* Linux, for a protocol nobody registered */
  struct nl_sock *nl = kzalloc(sizeof(*nl));
  if (!nl)
    return -ENOMEM;
  nl->sock = s;
  nl->part_size = NL_PART_MIN;
  s->proto = nl;
  s->ops = &netlink_ops;
  s->rcvbuf = s->sndbuf = NL_DEFAULT_BUF;
  net_lock_acquire();
  list_add_tail(&nl->link, &nl_socks);
  net_lock_release();
  return 0;
}

static int parse_nl_addr(const struct sockaddr_storage *ss, int len, const struct sockaddr_nl **out)
{
  if (len < (int)sizeof(struct sockaddr_nl) || ss->ss_family != AF_NETLINK)
    return -EINVAL;
  *out = (const struct sockaddr_nl *)ss;
  return 0;
}

/*
 * bind: nl_pid 0 asks for a port id (the process id if free), another
 * value takes that one (EADDRINUSE if taken). A bound socket may only
 * "rebind" to its own id, which just updates its groups.
 */
static int nl_bind(struct socket *s, const struct sockaddr_storage *ss, int len)
{
  struct nl_sock *nl = nl_of(s);
  const struct sockaddr_nl *a;
  int r = parse_nl_addr(ss, len, &a);
  if (r)
    return r;
  net_lock_acquire();
  if (nl->portid && a->nl_pid != nl->portid)
    r = -EINVAL;
  else if (!nl->portid && a->nl_pid && portid_taken(a->nl_pid))
    r = -EADDRINUSE;
  else if (!nl->portid && a->nl_pid)
    nl->portid = a->nl_pid;
  else if (!nl->portid)
    autobind(nl);
  if (!r)
    nl->groups = (nl->groups & ~0xffffffffull) | a->nl_groups;
  net_lock_release();
  return r;
}

/* connect: the default destination (AF_UNSPEC: back to the kernel). */
static int nl_connect(struct socket *s, const struct sockaddr_storage *ss, int len, bool nonblock)
{
  static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  struct nl_sock *nl = nl_of(s);
  const struct sockaddr_nl *a = &kernel;
  if (len < (int)sizeof(uint16_t) || ss->ss_family != AF_UNSPEC) {
    int r = parse_nl_addr(ss, len, &a);
    if (r)
      return r;
  }
  net_lock_acquire();
  if (!nl->portid)
    autobind(nl);
  nl->dst_portid = a->nl_pid;
  nl->dst_group = a->nl_groups ? (uint32_t)__builtin_ctz(a->nl_groups) + 1 : 0;  /* the lowest */
  net_lock_release();
  return 0;
}

static int nl_getname(struct socket *s, struct sockaddr_storage *ss, int *len, bool peer)
{
  struct nl_sock *nl = nl_of(s);
  struct sockaddr_nl a = { .nl_family = AF_NETLINK };
  net_lock_acquire();
  if (peer) {
    a.nl_pid = nl->dst_portid;
    a.nl_groups = nl->dst_group ? 1u << (nl->dst_group - 1) : 0;
  } else {
    a.nl_pid = nl->portid;
    a.nl_groups = (uint32_t)nl->groups;
  }
  net_lock_release();
  memset(ss, 0, sizeof(*ss));
  memcpy(ss, &a, sizeof(a));
  *len = sizeof(a);
  return 0;
}

/* Where a sendmsg goes: its address, else connect()'s. */
static int nl_destination(struct nl_sock *nl, const struct sock_msg *m, uint32_t *portid)
{
  if (m->addrlen <= 0) {
    *portid = READ_ONCE(nl->dst_portid);
    return 0;
  }
  const struct sockaddr_nl *a;
  int r = parse_nl_addr(&m->addr, m->addrlen, &a);
  if (!r)
    *portid = a->nl_pid;
  return r;
}

/*
 * sendmsg: copy the requests in (the checks in Linux's order: empty,
 * address, size, memory, user memory, destination) and let the kernel
 * side answer before returning, so the replies are already queued (musl
 * reads them with MSG_DONTWAIT). Returns the length written.
 */
static ssize_t nl_sendmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags,
                          bool nonblock)
{
  struct nl_sock *nl = nl_of(s);
  size_t len = u->resid;
  uint32_t dst;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  if (len == 0)
    return -ENODATA;
  int r = nl_destination(nl, m, &dst);
  if (r)
    return r;
  net_lock_acquire();
  if (!nl->portid)
    autobind(nl);
  net_lock_release();
  if (len > (size_t)s->sndbuf - 32)
    return -EMSGSIZE;
  char *buf = kmalloc(len);
  if (!buf)
    return -ENOBUFS;
  if (uio_copy_from(u, buf, len) != (long)len || dst != 0) {
    kfree(buf);
    return dst != 0 ? -ECONNREFUSED : -EFAULT;  /* no user-to-user messages */
  }
  mutex_lock(&s->tx_lock);  /* one batch at a time: its replies stay together */
  rtnl_receive(nl, buf, len);
  mutex_unlock(&s->tx_lock);
  kfree(buf);
  return (ssize_t)len;
}

static bool can_recv(struct nl_sock *nl)
{
  return READ_ONCE(nl->head) != NULL || READ_ONCE(nl->err) != 0;
}

/* After a read: let the next dump part in, and end congestion once the
 * reader has emptied the queue (Linux's netlink_rcv_wake). net_lock held. */
static void after_read(struct nl_sock *nl)
{
  if (nl->dump.running && nl->queued <= (size_t)nl->sock->rcvbuf / 2)
    dump_step(nl);
  if (!nl->head)
    nl->congested = false;
}

/*
 * recvmsg: a pending error first (once), else one part: as much as fits
 * (MSG_TRUNC in the flags if not all; with MSG_TRUNC in the call the
 * part's real length is returned), removed unless MSG_PEEK. The sender's
 * address is always the kernel's.
 */
static ssize_t nl_recvmsg(struct socket *s, struct uio *u, struct sock_msg *m, int flags,
                          bool nonblock)
{
  struct nl_sock *nl = nl_of(s);
  uint64_t timeout = nonblock ? 0 : s->rcvtimeo_ns;
  bool peek = flags & MSG_PEEK;
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  if (mutex_lock_interruptible(&s->rx_lock))
    return -EINTR;
  ssize_t r;
  for (;;) {
    net_lock_acquire();
    if (!nl->head)
      dump_step(nl);  /* a dump that waited for room */
    net_lock_release();
    long w = wait_event(&s->wq, can_recv(nl), timeout);
    if (w) {
      r = sock_wait_error(w, timeout);
      break;
    }
    net_lock_acquire();
    struct nl_part *p = nl->head;
    if (nl->err) {
      r = -nl->err;
      nl->err = 0;
      net_lock_release();
      break;
    }
    if (p && !peek) {
      nl->head = p->next;
      if (!nl->head)
        nl->tail = NULL;
      nl->queued -= NL_PART_COST(p->size);
    }
    nl->part_size = MAX(nl->part_size, MIN(u->resid, (size_t)NL_PART_MAX));
    net_lock_release();
    if (!p)
      continue;
    /* p is ours now (or, peeking, safe under rx_lock: only readers remove parts). */
    size_t n = MIN(p->len, u->resid);
    long c = n ? uio_copy_to(u, p->data, n) : 0;
    if (c != (long)n)
      r = -EFAULT;
    else
      r = (flags & MSG_TRUNC) ? (ssize_t)p->len : (ssize_t)n;
    if (n < p->len)
      m->flags_out |= MSG_TRUNC;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    memset(&m->addr, 0, sizeof(m->addr));
    memcpy(&m->addr, &kernel, sizeof(kernel));
    m->addrlen = sizeof(kernel);
    if (!peek)
      kfree(p);
    net_lock_acquire();
    after_read(nl);
    net_lock_release();
    break;
  }
  mutex_unlock(&s->rx_lock);
  return r;
}

static unsigned nl_poll(struct socket *s)
{
  struct nl_sock *nl = nl_of(s);
  unsigned mask = POLLOUT | POLLWRNORM;  /* requests are never refused for lack of room */
  net_lock_acquire();
  if (nl->head)
    mask |= POLLIN | POLLRDNORM;
  if (nl->err)
    mask |= POLLERR;
  net_lock_release();
  return mask;
}

static bool is_flag_option(int name)
{
  switch (name) {
  case NETLINK_PKTINFO: case NETLINK_BROADCAST_ERROR: case NETLINK_NO_ENOBUFS:
  case NETLINK_LISTEN_ALL_NSID: case NETLINK_CAP_ACK: case NETLINK_EXT_ACK:
  case NETLINK_GET_STRICT_CHK:
    return true;
  default:
    return false;
  }
}

/*
 * SOL_NETLINK options. The flags are stored and read back; of them only
 * NETLINK_CAP_ACK and NETLINK_NO_ENOBUFS change what Kite does (there is
 * no packet info, no extended ack, no strict checking to turn on).
 * Group membership is recorded, but no notifications are ever sent.
 */
static int nl_setsockopt(struct socket *s, int level, int name, const void *val, unsigned len)
{
  struct nl_sock *nl = nl_of(s);
  bool group = name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP;
  if (level != SOL_NETLINK || (!group && !is_flag_option(name)))
    return -ENOPROTOOPT;
  int v;
  if (len < sizeof(v))
    return -EINVAL;
  memcpy(&v, val, sizeof(v));
  if (!group) {
    WRITE_ONCE(nl->opt[name], v != 0);
    return 0;
  }
  if (v <= 0 || v > RTNLGRP_MAX)
    return -EINVAL;
  net_lock_acquire();
  if (name == NETLINK_ADD_MEMBERSHIP)
    nl->groups |= 1ull << (v - 1);
  else
    nl->groups &= ~(1ull << (v - 1));
  net_lock_release();
  return 0;
}

/* SO_ERROR: the pending error (ENOBUFS after a drop), cleared. */
static int take_error(struct nl_sock *nl, void *val, unsigned *len)
{
  net_lock_acquire();
  int v = nl->err;
  nl->err = 0;
  net_lock_release();
  *len = MIN(*len, sizeof(v));
  memcpy(val, &v, *len);
  return 0;
}

static int nl_getsockopt(struct socket *s, int level, int name, void *val, unsigned *len)
{
  struct nl_sock *nl = nl_of(s);
  if (level == SOL_SOCKET && name == SO_ERROR)
    return take_error(nl, val, len);
  if (level != SOL_NETLINK || !is_flag_option(name))
    return -ENOPROTOOPT;
  if (*len < sizeof(int))
    return -EINVAL;
  int v = READ_ONCE(nl->opt[name]);
  *len = sizeof(v);
  memcpy(val, &v, sizeof(v));
  return 0;
}

/* The last descriptor closed: forget the port id, free the queue. */
static void nl_release(struct socket *s)
{
  struct nl_sock *nl = nl_of(s);
  net_lock_acquire();
  list_del(&nl->link);
  struct nl_part *q = nl->head;
  nl->head = nl->tail = NULL;
  net_lock_release();
  part_free_list(q);
  kfree(nl);
  s->proto = NULL;
}

static const struct sock_ops netlink_ops = {
  .bind = nl_bind,
  .connect = nl_connect,
  .sendmsg = nl_sendmsg,
  .recvmsg = nl_recvmsg,
  .getname = nl_getname,
  .poll = nl_poll,
  .setsockopt = nl_setsockopt,
  .getsockopt = nl_getsockopt,
  .release = nl_release,
};
