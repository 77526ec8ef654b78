/*
 * ifconf.h — one description of a network interface as Linux user space
 * sees it (name, index, IFF_* flags, hardware type and address, MTU,
 * counters), built from lwIP's struct netif in net/ifconf.c. The SIOCGIF*
 * ioctls, /proc/net/dev and netlink's RTM_NEWLINK/NEWADDR messages
 * (net/netlink.c) all read interfaces through it, so they cannot disagree.
 *
 * Layer: net, internal: under net/socket.c (the SIOCGIF* ioctls) and
 * net/rtnetlink.c, and /proc/net/dev in ifconf.c itself; reads lwIP's netifs.
 *
 * Locks: every function here wants net_lock held.
 */
#ifndef KITE_IFCONF_H
#define KITE_IFCONF_H

#include "net/sock_abi.h"

struct netif;

#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

/* Packet counters (struct net_device_stats, or lwIP's MIB-2 ones for lo). */
struct if_stats {
  uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, tx_bytes, tx_packets, tx_errs, tx_drop;
};

struct if_info {
  char name[IFNAMSIZ];          /* "lo", "eth0", ... */
  int index;                    /* lwIP's netif index: lo is 1, as on Linux */
  unsigned flags;               /* IFF_*: SIOCGIFFLAGS shows the low 16 bits */
  uint16_t type;                /* ARPHRD_LOOPBACK or ARPHRD_ETHER */
  uint8_t hwaddr[6];            /* the MAC address; zeros for lo */
  uint8_t broadcast[6];         /* ff:ff:ff:ff:ff:ff; zeros for lo */
  unsigned mtu;
  unsigned txqlen;
  uint32_t addr, netmask;       /* IPv4, network byte order; 0 when none */
  struct if_stats stats;
};

/* Is n the loopback interface (lwIP names it "lo")? */
bool netif_is_lo(struct netif *n);
/* Describe interface n. */
void ifinfo_get(struct netif *n, struct if_info *out);
/* The interface with this Linux name, or NULL. */
struct netif *netif_by_linux_name(const char *name);
/* The interface with the smallest index above `after`, or NULL: Linux
 * lists interfaces in index order (lo first), lwIP's list is newest first. */
struct netif *netif_next_by_index(int after);
#define NETIF_FOREACH_BY_INDEX(n) \
  for ((n) = netif_next_by_index(0); (n); (n) = netif_next_by_index(netif_get_index(n)))

#endif
