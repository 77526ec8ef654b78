/*
 * ifconf.c — network interfaces as user space sees them: struct if_info
 * (ifconf.h: the one description of an interface, also used by netlink),
 * the SIOCGIF* ioctls (busybox ifconfig), /proc/net/dev and
 * /proc/net/sockstat.
 *
 * Layer: beside the SocketTable; reads lwIP's interface list (netif_list)
 * and counters with net_lock held. Interfaces are named as on Linux: "lo"
 * for lwIP's loopback netif, "eth0"... for NetDevices (net/netcore.c).
 */
#include "net/socket.h"
#include "net/netcore.h"
#include "net/ifconf.h"
#include "net/inet.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include <string.h>

#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/memp.h"

#define LO_MTU 65536          /* what Linux reports for lo */
#define TXQLEN 1000           /* Linux's default queue length (Kite has no queue) */

bool netif_is_lo(struct netif *n)
{
  return n->name[0] == 'l' && n->name[1] == 'o';
}

/* The Linux name of an interface. net_lock held. */
static void netif_linux_name(struct netif *n, char name[IFNAMSIZ])
{
  memset(name, 0, IFNAMSIZ);
  if (netif_is_lo(n)) {
    strlcpy(name, "lo", IFNAMSIZ);
    return;
  }
  struct net_device *dev = netdev_of_netif(n);
  if (dev)
    strlcpy(name, dev->name, IFNAMSIZ);
  else
    snprintf(name, IFNAMSIZ, "%c%c%u", n->name[0], n->name[1], n->num);
}

struct netif *netif_by_linux_name(const char *want)
{
  struct netif *n;
  char name[IFNAMSIZ];
  NETIF_FOREACH(n) {
    netif_linux_name(n, name);
    if (strncmp(name, want, IFNAMSIZ) == 0)
      return n;
  }
  return NULL;
}

struct netif *netif_next_by_index(int after)
{
  struct netif *n, *best = NULL;
  NETIF_FOREACH(n) {
    int i = netif_get_index(n);
    if (i > after && (!best || i < netif_get_index(best)))
      best = n;
  }
  return best;
}

/* The packet counters: the NetDevice's, or lwIP's per-interface ones (lo). */
static void netif_stats(struct netif *n, struct if_stats *st)
{
  memset(st, 0, sizeof(*st));
  struct net_device *dev = netdev_of_netif(n);
  if (dev) {
    st->rx_bytes = dev->stats.rx_bytes;
    st->rx_packets = dev->stats.rx_packets;
    st->rx_errs = dev->stats.rx_errors;
    st->rx_drop = dev->stats.rx_dropped;
    st->tx_bytes = dev->stats.tx_bytes;
    st->tx_packets = dev->stats.tx_packets;
    st->tx_errs = dev->stats.tx_errors;
    st->tx_drop = dev->stats.tx_dropped;
    return;
  }
  st->rx_bytes = n->mib2_counters.ifinoctets;
  st->rx_packets = n->mib2_counters.ifinucastpkts;
  st->rx_drop = n->mib2_counters.ifindiscards;
  st->tx_bytes = n->mib2_counters.ifoutoctets;
  st->tx_packets = n->mib2_counters.ifoutucastpkts;
  st->tx_drop = n->mib2_counters.ifoutdiscards;
}

void ifinfo_get(struct netif *n, struct if_info *in)
{
  bool lo = netif_is_lo(n);
  memset(in, 0, sizeof(*in));
  netif_linux_name(n, in->name);
  in->index = netif_get_index(n);
  /* Linux: RUNNING and LOWER_UP mean "up and the link has carrier". */
  if (netif_is_up(n))
    in->flags |= IFF_UP;
  if (netif_is_up(n) && netif_is_link_up(n))
    in->flags |= IFF_RUNNING | IFF_LOWER_UP;
  in->flags |= lo ? IFF_LOOPBACK : (IFF_BROADCAST | IFF_MULTICAST);
  in->type = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
  if (!lo) {
    memcpy(in->hwaddr, n->hwaddr, 6);
    memset(in->broadcast, 0xff, 6);
  }
  in->mtu = lo ? LO_MTU : n->mtu;
  in->txqlen = TXQLEN;
  in->addr = ip4_addr_get_u32(netif_ip4_addr(n));
  in->netmask = ip4_addr_get_u32(netif_ip4_netmask(n));
  netif_stats(n, &in->stats);
}

static void put_sockaddr_in(struct sockaddr *sa, uint32_t addr_be)
{
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr = addr_be;
  memcpy(sa, &sin, sizeof(sin));
}

bool ifconf_is_ioctl(unsigned cmd)
{
  switch (cmd) {
  case SIOCGIFNAME: case SIOCGIFCONF: case SIOCGIFFLAGS: case SIOCSIFFLAGS:
  case SIOCGIFADDR: case SIOCSIFADDR: case SIOCGIFDSTADDR: case SIOCGIFBRDADDR:
  case SIOCGIFNETMASK: case SIOCGIFMETRIC: case SIOCGIFMTU: case SIOCGIFHWADDR:
  case SIOCGIFINDEX: case SIOCGIFTXQLEN: case SIOCGIFMAP:
    return true;
  default:
    return false;
  }
}

/* SIOCGIFCONF: one ifreq (name + IPv4 address) per interface. */
static int ifconf_list(uint64_t arg)
{
  struct ifconf ifc;
  if (copyin(&ifc, arg, sizeof(ifc)))
    return -EFAULT;
  struct ifreq reqs[8];
  int n = 0;
  net_lock_acquire();
  struct netif *nf;
  NETIF_FOREACH(nf) {
    if (n == (int)ARRAY_SIZE(reqs) || !netif_is_up(nf) || ip4_addr_isany(netif_ip4_addr(nf)))
      continue;
    memset(&reqs[n], 0, sizeof(reqs[n]));
    netif_linux_name(nf, reqs[n].ifr_name);
    put_sockaddr_in(&reqs[n].ifr_ifru.ifru_addr, ip4_addr_get_u32(netif_ip4_addr(nf)));
    n++;
  }
  net_lock_release();
  int need = n * (int)sizeof(struct ifreq);
  if (!ifc.ifc_buf) {
    ifc.ifc_len = need;  /* the caller asks how much room it needs */
  } else {
    int fit = MIN(n, ifc.ifc_len / (int)sizeof(struct ifreq));
    if (fit > 0 && copyout(ifc.ifc_buf, reqs, fit * sizeof(struct ifreq)))
      return -EFAULT;
    ifc.ifc_len = fit * (int)sizeof(struct ifreq);
  }
  return copyout(arg, &ifc, sizeof(ifc)) ? -EFAULT : 0;
}

int ifconf_ioctl(unsigned cmd, uint64_t arg)
{
  if (net_start()) /* any socket asks, an AF_UNIX one too: the interfaces must exist */
    return -ENOMEM;
  if (cmd == SIOCGIFCONF)
    return ifconf_list(arg);
  struct ifreq ifr;
  if (copyin(&ifr, arg, sizeof(ifr)))
    return -EFAULT;
  ifr.ifr_name[IFNAMSIZ - 1] = 0;
  int r = 0;
  net_lock_acquire();
  struct netif *n = NULL;
  if (cmd == SIOCGIFNAME) {
    n = netif_get_by_index((u8_t)ifr.ifr_ifru.ifru_ivalue);
    if (n)
      netif_linux_name(n, ifr.ifr_name);
  } else {
    n = netif_by_linux_name(ifr.ifr_name);
  }
  if (!n) {
    net_lock_release();
    return -ENODEV;
  }
  int16_t new_flags = ifr.ifr_ifru.ifru_flags;  /* SIOCSIFFLAGS */
  struct if_info in;
  ifinfo_get(n, &in);
  bool lo = netif_is_lo(n);
  memset(&ifr.ifr_ifru, 0, sizeof(ifr.ifr_ifru));
  switch (cmd) {
  case SIOCGIFNAME:
    break;
  case SIOCGIFFLAGS:
    ifr.ifr_ifru.ifru_flags = (int16_t)in.flags;  /* the low 16 bits, as Linux */
    break;
  case SIOCSIFFLAGS: {
    /* Only up/down can change. */
    if (new_flags & IFF_UP)
      netif_set_up(n);
    else
      netif_set_down(n);
    break;
  }
  case SIOCGIFADDR:
  case SIOCGIFDSTADDR:
    put_sockaddr_in(&ifr.ifr_ifru.ifru_addr, in.addr);
    break;
  case SIOCGIFNETMASK:
    put_sockaddr_in(&ifr.ifr_ifru.ifru_addr, in.netmask);
    break;
  case SIOCGIFBRDADDR:
    put_sockaddr_in(&ifr.ifr_ifru.ifru_addr, lo ? 0 : (in.addr | ~in.netmask));
    break;
  case SIOCGIFMTU:
    ifr.ifr_ifru.ifru_ivalue = (int32_t)in.mtu;
    break;
  case SIOCGIFHWADDR:
    ifr.ifr_ifru.ifru_addr.sa_family = in.type;
    memcpy(ifr.ifr_ifru.ifru_addr.sa_data, in.hwaddr, 6);
    break;
  case SIOCGIFINDEX:
    ifr.ifr_ifru.ifru_ivalue = in.index;
    break;
  case SIOCGIFMETRIC:
  case SIOCGIFMAP:
    break;
  case SIOCGIFTXQLEN:
    ifr.ifr_ifru.ifru_ivalue = (int32_t)in.txqlen;
    break;
  default:  /* SIOCSIFADDR: the addresses are fixed (net_config) */
    r = -EOPNOTSUPP;
  }
  net_lock_release();
  if (r || cmd == SIOCSIFFLAGS)
    return r;
  return copyout(arg, &ifr, sizeof(ifr)) ? -EFAULT : 0;
}

/* ---- /proc/net ---- */

struct dev_row {
  char name[IFNAMSIZ];
  struct if_stats st;
};

static int snapshot_devices(struct dev_row *rows, int max)
{
  int n = 0;
  struct netif *nf;
  struct if_info in;
  net_lock_acquire();
  NETIF_FOREACH(nf) {
    if (n == max)
      break;
    ifinfo_get(nf, &in);
    memcpy(rows[n].name, in.name, IFNAMSIZ);
    rows[n++].st = in.stats;
  }
  net_lock_release();
  return n;
}

typedef void (*emit_fn)(void *ctx, const char *s, size_t n);

static void emitf(emit_fn emit, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emitf(emit_fn emit, void *ctx, const char *fmt, ...)
{
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  emit(ctx, line, (size_t)MIN(n, (int)sizeof(line) - 1));
}

static void show_dev(emit_fn emit, void *ctx)
{
  struct dev_row rows[8];
  int n = snapshot_devices(rows, 8);
  emitf(emit, ctx, "Inter-|   Receive                                                |  Transmit\n");
  emitf(emit, ctx, " face |bytes    packets errs drop fifo frame compressed multicast|"
                   "bytes    packets errs drop fifo colls carrier compressed\n");
  for (int i = 0; i < n; i++) {
    struct if_stats *r = &rows[i].st;
    emitf(emit, ctx, "%6s:%8lu %7lu %4lu %4lu %4lu %5lu %10lu %9lu %8lu %7lu %4lu %4lu %4lu %5lu %7lu %10lu\n",
          rows[i].name, (unsigned long)r->rx_bytes, (unsigned long)r->rx_packets,
          (unsigned long)r->rx_errs, (unsigned long)r->rx_drop, 0UL, 0UL, 0UL, 0UL,
          (unsigned long)r->tx_bytes, (unsigned long)r->tx_packets, (unsigned long)r->tx_errs,
          (unsigned long)r->tx_drop, 0UL, 0UL, 0UL, 0UL);
  }
}

/* lwIP's pool names, in memp_t order. */
static const char *const memp_names[] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

static void show_sockstat(emit_fn emit, void *ctx)
{
  uint32_t used[MEMP_MAX];
  uint64_t mem_used;
  struct stats_proto tcp, ip, lnk;
  uint32_t retrans;
  net_lock_acquire();
  for (int i = 0; i < MEMP_MAX; i++)
    used[i] = memp_pools[i]->stats ? memp_pools[i]->stats->used : 0;
  mem_used = lwip_stats.mem.used;
  tcp = lwip_stats.tcp;
  ip = lwip_stats.ip;
  lnk = lwip_stats.link;
  retrans = lwip_stats.mib2.tcpretranssegs;
  net_lock_release();
  emitf(emit, ctx, "sockets: used %d\n", sock_count());
  emitf(emit, ctx, "TCP: inuse %u orphan 0 tw 0 alloc %u mem 0\n", used[MEMP_TCP_PCB],
        used[MEMP_TCP_PCB] + used[MEMP_TCP_PCB_LISTEN]);
  emitf(emit, ctx, "UDP: inuse %u mem 0\n", used[MEMP_UDP_PCB]);
  emitf(emit, ctx, "RAW: inuse %u\n", used[MEMP_RAW_PCB]);
  /* Kite's own line: lwIP's heap bytes and every pool's count, for leak checks. */
  emitf(emit, ctx, "lwIP: mem %lu", (unsigned long)mem_used);
  for (int i = 0; i < MEMP_MAX; i++)
    emitf(emit, ctx, " %s %u", memp_names[i], used[i]);
  emitf(emit, ctx, "\n");
  /* and its protocol counters: retransmissions and drops explain slow transfers */
  emitf(emit, ctx, "lwIP-TCP: xmit %u recv %u retrans %u drop %u chkerr %u memerr %u proterr %u\n",
        tcp.xmit, tcp.recv, retrans, tcp.drop, tcp.chkerr, tcp.memerr, tcp.proterr);
  emitf(emit, ctx, "lwIP-IP: xmit %u recv %u drop %u err %u; link: xmit %u recv %u drop %u memerr %u\n",
        ip.xmit, ip.recv, ip.drop, ip.err, lnk.xmit, lnk.recv, lnk.drop, lnk.memerr);
}

void net_proc_show(const char *name, emit_fn emit, void *ctx)
{
  if (net_start()) /* lo and the netifs it shows exist once the stack runs */
    return;         /* out of memory: nothing to show */
  if (strcmp(name, "dev") == 0)
    show_dev(emit, ctx);
  else if (strcmp(name, "sockstat") == 0)
    show_sockstat(emit, ctx);
  else if (strcmp(name, "tcp") == 0)
    tcp_proc_show(false, emit, ctx);
  else if (strcmp(name, "tcp6") == 0)
    tcp_proc_show(true, emit, ctx);
}
