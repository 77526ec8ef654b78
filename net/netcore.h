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
/* Start the stack if it has not started: lwIP (with lo: 127.0.0.1/8, ::1),
 * every NetDevice attached as a netif (the first with the static address,
 * and an ARP probe of the gateway), the net task. Before anything that
 * uses lwIP: creating a socket of an lwIP family, /proc/net. Process
 * context, no lock held (it may sleep). 0, or -ENOMEM when the net task
 * cannot be made (nothing started; a later call tries again). */
int net_start(void);
/* The boot self-test of a TCP connection over lo (net/selftest.c; the
 * NET_LOOPBACK_TEST=1 boot argument): prints its verdict. Once, from
 * net_init, after net_start, with no other network activity; takes net_lock itself. */
void net_selftest_tcp_loopback(void);

#endif
