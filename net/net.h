/*
 * net.h — the network stack's public face: start-up, the net lock, and
 * NetDevice, the interface between network drivers and the stack.
 *
 * Layers (top to bottom; docs/net-sockets.md, net-lwip.md, net-driver.md):
 *   net/sys_socket.c      socket system calls: fetch and check arguments
 *   net/socket.c          SocketTable: socket files, waiting, SOL_SOCKET options
 *   net/tcp_sock.c, udp_sock.c, icmp_sock.c, unix.c, netlink.c   one file per protocol
 *   net/inet.c            sockaddr_in/in6 <-> lwIP addresses, IP-level options
 *   net/ifconf.c          struct if_info, interface ioctls, /proc/net/{dev,sockstat,tcp,tcp6}
 *   net/netcore.c         the net task, the net lock, netifs for NetDevices,
 *                         the zero-copy loopback; net/selftest.c its self-test
 *   net/lwip_port.c       what lwIP asks of its platform (clock, random)
 *   lwIP (Debian source)  TCP/IP, built by net/net.mk, configured by net/port/
 *   drivers/virtio_net.c  a NetDevice
 *
 * The net lock (net_lock, a spinlock) serialises everything that touches
 * lwIP: lwIP runs in exactly one context at a time (the net task, or a
 * system call holding the lock), never in an interrupt handler. Lock
 * order: socket mutexes (rx_lock, tx_lock) > net_lock > wait-queue locks,
 * and net_lock > a datagram queue's lock (net/dgram.h: a leaf, which its
 * reader also takes alone);
 * a NetDevice's own lock is taken inside net_lock (transmit) and is never
 * held while calling back into the stack (docs/lessons.md, L4).
 *
 * Layer: net. Above: kmain (net_init), the network drivers (they register
 * NetDevices, drivers/virtio_net.c), /proc/net (fs/proc_kernel.c). Below: the
 * scheduler (the net task), timers, lwIP.
 */
#ifndef KITE_NET_H
#define KITE_NET_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/spinlock.h"

/* ---- start-up ---- */
/* At boot, after the drivers have registered their NetDevices: nothing,
 * unless the boot asks for the loopback self-test — the stack starts on
 * first use (net_start, net/netcore.h). */
void net_init(void);

/* ---- the net lock ---- */
/* Take / drop net_lock (a spinlock: no sleeping while it is held) around
 * any use of lwIP. Rank: below the socket mutexes, above wait-queue locks.
 * Use net_lock_release_flush below after an operation that may send. */
extern struct spinlock net_lock;
void net_lock_acquire(void);
void net_lock_release(void);
/* Release after an operation that may have sent packets or armed lwIP
 * timers: delivers looped-back packets at once (lowest latency for
 * request/response over 127.0.0.1) and wakes the net task if a timer now
 * expires earlier than it planned to wake. */
void net_lock_release_flush(void);

/* ---- NetDevice: what a network driver provides ---- */
struct net_device;

/* One fragment of an outgoing frame (a frame is 1..NETDEV_MAX_FRAGS of them). */
struct pkt_frag {
  const void *data;
  size_t len;
};
#define NETDEV_MAX_FRAGS 16

struct net_device_ops {
  /* Queue one Ethernet frame for transmission, copying the fragments out
   * before returning. Called with net_lock held. 0 or -ENOBUFS (ring full). */
  int (*xmit)(struct net_device *dev, const struct pkt_frag *frags, int nfrags);
  /* Hand up to `budget` received frames to netdev_receive(); return how
   * many. Called by the net task with net_lock held; the driver must not
   * hold its own lock while calling netdev_receive(). */
  int (*poll)(struct net_device *dev, int budget);
  /* Re-enable receive interrupts after poll() ran dry. Returns true if a
   * frame arrived meanwhile (the net task polls again: NAPI's re-check). */
  bool (*rx_irq_enable)(struct net_device *dev);
};

struct net_device_stats {
  uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
  uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

struct net_device {
  char name[16];                  /* "eth0", set by netdev_register */
  uint8_t mac[6];
  unsigned mtu;                   /* payload bytes, 1500 for Ethernet */
  const struct net_device_ops *ops;
  void *priv;                     /* the driver's */
  /* --- owned by the stack --- */
  volatile bool rx_scheduled;     /* the driver asked for a poll (netdev_rx_schedule) */
  struct net_device_stats stats;  /* net_lock */
  void *netif;                    /* lwIP's struct netif for this device */
  struct list_head link;          /* in the device list (net_lock) */
};

/* Driver -> stack. register: name dev ethN and attach it as a netif
 * (now, or at net_start if that has not run): 0; takes net_lock.
 * rx_schedule: from the driver's interrupt handler, ask the net task to
 * call dev's poll (no lock; wakes the task). receive: one received
 * Ethernet frame, from dev's poll(), with net_lock held and the driver's
 * own lock not held (lwIP may answer at once, e.g. ARP); the frame is
 * copied, a runt or over-long one is counted as dropped. */
int netdev_register(struct net_device *dev);
void netdev_rx_schedule(struct net_device *dev);
void netdev_receive(struct net_device *dev, const void *frame, size_t len);

/* ---- NetConfig: the static configuration (QEMU user networking) ---- */
struct net_config {
  uint8_t addr[4], netmask[4], gateway[4];
};
extern const struct net_config net_config;

/* ---- /proc/net/<name> (net/ifconf.c): "dev", "sockstat" ---- */
/* The text of /proc/net/<name> ("dev", "sockstat", "tcp", "tcp6"), given
 * to emit piece by piece (the stack is started first: net_start); nothing
 * for another name. Process context; takes net_lock while it reads lwIP: emit must not sleep or take it. */
void net_proc_show(const char *name, void (*emit)(void *ctx, const char *s, size_t n), void *ctx);

#endif
