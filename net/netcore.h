/*
 * netcore.h — what the socket layer and ioctls use from net/netcore.c
 * (internal to net/).
 */
#ifndef KITE_NETCORE_H
#define KITE_NETCORE_H

#include "net/net.h"

struct netif;
struct net_device *netdev_of_netif(struct netif *netif);  /* net_lock held */
bool net_is_up(void);
void net_selftest_tcp_loopback(void);                      /* net/selftest.c */

#endif
