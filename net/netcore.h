/*
 * netcore.h — what the socket layer and ioctls use from net/netcore.c
 * (internal to net/).
 *
 * Layer: net, the lwIP port's core under the sockets and net/ifconf.c.
 * Locks: as each function says (net_lock, net/net.h).
 */
#ifndef KITE_NETCORE_H
#define KITE_NETCORE_H

#include "net/net.h"

struct netif;
/* The NetDevice behind lwIP's netif, or NULL (lo). net_lock held. */
struct net_device *netdev_of_netif(struct netif *netif);
/* Has net_init run (lwIP may be used)? No lock. */
bool net_is_up(void);
/* The boot self-test of a TCP connection over lo (net/selftest.c; the
 * NET_LOOPBACK_TEST=1 boot argument): prints its verdict. Once, from
 * net_init, with no other network activity; takes net_lock itself. */
void net_selftest_tcp_loopback(void);

#endif
