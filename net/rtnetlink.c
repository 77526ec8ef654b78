/*
 * rtnetlink.c — NETLINK_ROUTE, the kernel side of a netlink socket that
 * lists interfaces, addresses and routes (Linux's rtnetlink).
 *
 * What Kite answers: RTM_GETLINK (dump, or one interface by index or
 * name), RTM_GETADDR dumps (IPv4 and IPv6), RTM_GETROUTE dumps (IPv4: the
 * default route, connected networks, and the local table). Interfaces
 * come from net/ifconf.c's struct if_info, the source of the SIOCGIF*
 * ioctls too. Interfaces, addresses and routes are fixed (net_config), so
 * every request to change them — and every other message type — gets
 * NLMSG_ERROR with -EOPNOTSUPP, as Linux answers a type it has no handler
 * for.
 *
 * Layer: net, over the netlink socket core (net/netlink.c: parts,
 * messages, dumps; net/netlink_sock.h) and the interface table
 * (net/ifconf.c, lwIP's netif list). Locks: everything here runs with
 * net_lock held (the core calls the hooks with it).
 */
#include "net/netlink_sock.h"
#include "net/ifconf.h"
#include "net/net.h"
#include "kern/errno.h"
#include <string.h>

#include "lwip/netif.h"
#include "lwip/ip6_addr.h"

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
  nl_attr(b, IFLA_STATS64, &s64, sizeof(s64));
  nl_attr(b, IFLA_STATS, &s32, sizeof(s32));
}

/* RTM_NEWLINK for interface n. net_lock held. */
static bool put_link(struct nl_builder *b, struct netif *n)
{
  struct if_info in;
  ifinfo_get(n, &in);
  struct ifinfomsg *ifi = nl_msg_begin(b, RTM_NEWLINK, sizeof(*ifi));
  if (ifi) {
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_type = in.type;
    ifi->ifi_index = in.index;
    ifi->ifi_flags = in.flags;
  }
  nl_attr_str(b, IFLA_IFNAME, in.name);
  nl_attr_u32(b, IFLA_TXQLEN, in.txqlen);
  nl_attr_u8(b, IFLA_OPERSTATE, operstate(&in));
  nl_attr_u8(b, IFLA_LINKMODE, 0);
  nl_attr_u32(b, IFLA_MTU, in.mtu);
  nl_attr_str(b, IFLA_QDISC, "noqueue");  /* true: Kite has no queueing discipline */
  nl_attr(b, IFLA_ADDRESS, in.hwaddr, sizeof(in.hwaddr));
  nl_attr(b, IFLA_BROADCAST, in.broadcast, sizeof(in.broadcast));
  put_stats(b, &in.stats);
  return nl_msg_end(b);
}

static void put_cacheinfo(struct nl_builder *b, uint32_t preferred, uint32_t valid)
{
  struct ifa_cacheinfo ci = { preferred, valid, 0, 0 };
  nl_attr(b, IFA_CACHEINFO, &ci, sizeof(ci));
}

/* RTM_NEWADDR for n's IPv4 address (configured once: permanent). net_lock held. */
static bool put_addr4(struct nl_builder *b, struct netif *n)
{
  struct if_info in;
  ifinfo_get(n, &in);
  bool loopback = (net_ntohl(in.addr) >> 24) == 127;
  struct ifaddrmsg *ifa = nl_msg_begin(b, RTM_NEWADDR, sizeof(*ifa));
  if (ifa) {
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (uint8_t)__builtin_popcount(in.netmask);
    ifa->ifa_flags = IFA_F_PERMANENT;
    ifa->ifa_scope = loopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (uint32_t)in.index;
  }
  nl_attr(b, IFA_ADDRESS, &in.addr, 4);
  nl_attr(b, IFA_LOCAL, &in.addr, 4);
  if (!(in.flags & IFF_LOOPBACK)) {
    uint32_t brd = in.addr | ~in.netmask;
    nl_attr(b, IFA_BROADCAST, &brd, 4);
  }
  nl_attr_str(b, IFA_LABEL, in.name);
  nl_attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
  put_cacheinfo(b, INFINITY_LIFE_TIME, INFINITY_LIFE_TIME);
  return nl_msg_end(b);
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
  struct ifaddrmsg *ifa = nl_msg_begin(b, RTM_NEWADDR, sizeof(*ifa));
  if (ifa) {
    ifa->ifa_family = AF_INET6;
    ifa->ifa_prefixlen = ip6_addr_isloopback(a) ? 128 : 64;
    ifa->ifa_flags = (uint8_t)flags;
    ifa->ifa_scope = scope6(a);
    ifa->ifa_index = netif_get_index(n);
  }
  nl_attr(b, IFA_ADDRESS, a->addr, 16);
  put_cacheinfo(b, life(netif_ip6_addr_pref_life(n, i)), life(valid));
  nl_attr_u32(b, IFA_FLAGS, flags);
  return nl_msg_end(b);
}

/* An IPv4 route as netlink shows it (addresses in network byte order; 0: none). */
struct route {
  uint8_t table, type, scope, protocol, dst_len;
  uint32_t dst, gateway, prefsrc;
  int oif;
};

static bool put_route(struct nl_builder *b, const struct route *r)
{
  struct rtmsg *rtm = nl_msg_begin(b, RTM_NEWROUTE, sizeof(*rtm));
  if (rtm) {
    rtm->rtm_family = AF_INET;
    rtm->rtm_dst_len = r->dst_len;
    rtm->rtm_table = r->table;
    rtm->rtm_protocol = r->protocol;
    rtm->rtm_scope = r->scope;
    rtm->rtm_type = r->type;
  }
  nl_attr_u32(b, RTA_TABLE, r->table);
  if (r->dst_len)
    nl_attr(b, RTA_DST, &r->dst, 4);
  if (r->prefsrc)
    nl_attr(b, RTA_PREFSRC, &r->prefsrc, 4);
  if (r->gateway)
    nl_attr(b, RTA_GATEWAY, &r->gateway, 4);
  nl_attr_u32(b, RTA_OIF, (uint32_t)r->oif);
  return nl_msg_end(b);
}

/* ---- dumps ---- */

/* Interfaces, in index order. */
static void dump_links(struct dump_walk *w)
{
  struct netif *n;
  NETIF_FOREACH_BY_INDEX(n)
    if (nl_walk_want(w))
      nl_walk_added(w, put_link(w->b, n));
}

/* IPv4 addresses, then IPv6 ones (Linux's family order), each by interface. */
static void dump_addrs(struct dump_walk *w, uint8_t family)
{
  struct netif *n;
  if (family != AF_INET6) {
    NETIF_FOREACH_BY_INDEX(n)
      if (!ip4_addr_isany(netif_ip4_addr(n)) && nl_walk_want(w))
        nl_walk_added(w, put_addr4(w->b, n));
  }
  if (family == AF_INET)
    return;
  NETIF_FOREACH_BY_INDEX(n)
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
      if (!ip6_addr_isinvalid(netif_ip6_addr_state(n, i)) && nl_walk_want(w))
        nl_walk_added(w, put_addr6(w->b, n, i));
}

static void walk_route(struct dump_walk *w, const struct route *r)
{
  if (nl_walk_want(w))
    nl_walk_added(w, put_route(w->b, r));
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
/* The objects of dump d (the family hook nl_family.dump_fill). net_lock held. */
static void rtnl_dump_fill(const struct nl_dump *d, struct dump_walk *w)
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
  struct nl_part *p = nl_part_alloc(NL_PART_MIN);  /* a link is a few hundred bytes */
  if (!p)
    return -ENOBUFS;
  struct nl_builder b = { .p = p, .seq = h->nlmsg_seq, .pid = nl->portid };
  put_link(&b, n);
  nl_part_send(nl, p);
  return 0;
}

/*
 * One rtnetlink request (Linux's rtnetlink_rcv_msg; the family hook
 * nl_family.request). Returns 0, a
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
  if (get && (h->nlmsg_flags & NLM_F_DUMP)) {  /* ROOT or MATCH: Linux dumps on either */
    if (h->nlmsg_type != RTM_GETLINK && h->nlmsg_type != RTM_GETADDR &&
        h->nlmsg_type != RTM_GETROUTE)
      return -EOPNOTSUPP;  /* neighbours, rules, qdiscs...: Kite has no such tables */
    return nl_dump_start(nl, h, family);
  }
  if (h->nlmsg_type == RTM_GETLINK)
    return rtnl_getlink(nl, h);
  return -EOPNOTSUPP;  /* NEW/DEL/SET...: Kite's configuration is fixed */
}

static const struct nl_family rtnl_family = {
  .protocol = NETLINK_ROUTE,
  .request = rtnl_request,
  .dump_fill = rtnl_dump_fill,
};

int rtnetlink_create(struct socket *s, int type, int protocol)
{
  return netlink_create(s, type, protocol, &rtnl_family);
}
