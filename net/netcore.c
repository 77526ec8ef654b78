/*
 * netcore.c — the heart of the network stack: the net lock, the net task,
 * and the lwIP network interfaces (lo, and one per NetDevice).
 *
 * Layer: below the sockets (net/socket.c), above the drivers. This is the
 * "one place that receives packets" (docs/lessons.md, L1): a network
 * driver's interrupt handler only masks its interrupt and calls
 * netdev_rx_schedule(), which wakes the net task. The net task, holding
 * net_lock, drains each device (poll), feeds the frames to lwIP, delivers
 * looped-back packets (netif_poll) and runs lwIP's timers, then sleeps
 * until the next timer or the next wake-up.
 *
 * System calls take the same lock to call lwIP's raw API; lwIP's callbacks
 * (net/tcp_sock.c ...) run inside it, queue data on sockets and wake their
 * waiters. Packets sent to 127.0.0.1 or to our own address are queued by
 * lwIP on the interface's loop list; net_lock_release_flush() delivers them
 * before the system call returns, so a local request/response needs no
 * trip through the net task.
 *
 * Locks: net_lock (spinlock; see net/net.h for the order). The device
 * list and every lwIP structure belong to it.
 */
#include "net/net.h"
#include "net/netcore.h"
#include "kern/task.h"
#include "kern/wait.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "kern/devtree.h"
#include <string.h>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip.h"
#include "lwip/nd6.h"
#include "lwip/mld6.h"
#include "lwip/stats.h"
#include "lwip/snmp.h"
#include "lwip/prot/ip.h"
#include "lwip/priv/tcp_priv.h"
#include "netif/ethernet.h"

struct spinlock net_lock = SPINLOCK_INIT("net");

/* QEMU user networking (docs/lessons.md, L12): static, no DHCP. */
const struct net_config net_config = {
  .addr = { 10, 0, 2, 15 },
  .netmask = { 255, 255, 255, 0 },
  .gateway = { 10, 0, 2, 2 },
};

static LIST_HEAD(net_devices);        /* net_lock */
static int net_ndevices;              /* eth0, eth1, ... */
static bool net_ready;                /* lwIP initialised (net_lock) */

/* ---- the net task ---- */

static struct task *net_task;
static struct wait_queue net_task_wq = WAIT_QUEUE_INIT(net_task_wq);
static volatile bool net_task_kick;   /* work for the net task (sticky until it runs) */
static uint64_t net_task_wake_ns;     /* when it plans to wake up (net_lock) */

#define NET_RX_BUDGET 64              /* frames per device per round */

/* ARP probe of the gateway at boot: proves the receive path. */
static struct {
  struct netif *netif;
  int tries;
  uint64_t next_ns;
  bool answered;
} arp_probe;

static void net_task_wake(void)
{
  WRITE_ONCE(net_task_kick, true);
  wake_up(&net_task_wq);
}

void net_lock_acquire(void)
{
  spin_lock(&net_lock);
}

void net_lock_release(void)
{
  spin_unlock(&net_lock);
}

/* Deliver packets waiting on the interfaces' loop lists. net_lock held. */
static void net_poll_loopback(void)
{
  struct netif *n;
  NETIF_FOREACH(n) {
    if (n->loop_first)
      netif_poll(n);
  }
}

/* Monotonic time at which lwIP's next timeout is due (UINT64_MAX: none). */
static uint64_t next_timeout_ns(void)
{
  u32_t ms = sys_timeouts_sleeptime();
  if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
    return UINT64_MAX;
  return time_monotonic_ns() + (uint64_t)ms * NSEC_PER_MSEC;
}

/* True while a lwIP timer that needs its period runs: TCP's (armed while
 * connections are active or in TIME_WAIT) or MLD's with a report delayed.
 * net_lock held. */
static bool net_timers_exact(void)
{
  if (tcp_active_pcbs || tcp_tw_pcbs)
    return true;
  struct netif *n;
  NETIF_FOREACH(n) {
    for (struct mld_group *g = netif_mld6_data(n); g; g = g->next)
      if (g->timer > 0)
        return true;
  }
  return false;
}

/*
 * When the net task must wake for lwIP's timers (UINT64_MAX: never).
 * lwIP runs its housekeeping timers from boot whether or not they have
 * work: ARP, neighbour discovery and both reassemblies every second, MLD
 * every 100 ms. On a quiet network they find nothing to do, and waking the
 * net task for each took the CPU from whatever user program ran, ten times
 * a second (docs/performance.md, issue 14, ninth round). Linux batches its
 * coarse timers on whole seconds (round_jiffies()); so does Kite: unless a
 * timer of net_timers_exact() runs, the wake-up is rounded up to the next
 * whole second of monotonic time, and lwIP runs whatever is due then.
 * net_lock held.
 */
static uint64_t net_timer_wake_ns(void)
{
  uint64_t wake = next_timeout_ns();
  if (wake == UINT64_MAX || net_timers_exact())
    return wake;
  return ROUND_UP(wake, NSEC_PER_SEC);
}

void net_lock_release_flush(void)
{
  bool kick = false;
  if (net_ready) {
    net_poll_loopback();
    kick = net_timer_wake_ns() < net_task_wake_ns;
  }
  spin_unlock(&net_lock);
  if (kick)
    net_task_wake();
}

static void arp_probe_check(void);

/* Drain every device that asked for a poll. net_lock held. Returns true
 * if a device still has frames (budget exhausted). */
static bool net_poll_devices(void)
{
  bool more = false;
  struct net_device *dev;
  list_for_each_entry(dev, &net_devices, link) {
    if (!dev->rx_scheduled)
      continue;
    dev->rx_scheduled = false;
    int n = dev->ops->poll(dev, NET_RX_BUDGET);
    if (n >= NET_RX_BUDGET || dev->ops->rx_irq_enable(dev)) {
      dev->rx_scheduled = true;
      more = true;
    }
  }
  return more;
}

/*
 * The net task: one loop that receives, delivers loopback, runs timers.
 * It sleeps until lwIP's next timeout or a kick (a device interrupt, a
 * system call that armed an earlier timer).
 */
static struct mutex net_start_lock = MUTEX_INIT(net_start_lock, "net_start");
static bool net_started;              /* net_start done (written under net_start_lock) */

static void net_task_main(void *arg)
{
  (void)arg;
  /* made before lwIP starts (net_start): its first pass waits for that */
  while (!__atomic_load_n(&net_started, __ATOMIC_ACQUIRE))
    wait_event(&net_task_wq, __atomic_load_n(&net_started, __ATOMIC_ACQUIRE), WAIT_FOREVER);
  for (;;) {
    WRITE_ONCE(net_task_kick, false);
    spin_lock(&net_lock);
    bool more = net_poll_devices();
    net_poll_loopback();
    sys_check_timeouts();
    arp_probe_check();
    uint64_t wake = net_timer_wake_ns();
    if (arp_probe.netif && !arp_probe.answered && arp_probe.tries > 0)
      wake = MIN(wake, arp_probe.next_ns);
    net_task_wake_ns = wake;
    spin_unlock(&net_lock);
    if (more) {
      yield(); /* let others run between budgets */
      continue;
    }
    uint64_t now = time_monotonic_ns();
    uint64_t timeout = wake == UINT64_MAX ? WAIT_FOREVER : (wake > now ? wake - now : 0);
    if (timeout)
      wait_event(&net_task_wq, READ_ONCE(net_task_kick), timeout);
  }
}

/* ---- NetDevice <-> lwIP netif ---- */

/* lwIP hands us an Ethernet frame as a pbuf chain: pass it to the driver. */
static err_t netdev_linkoutput(struct netif *netif, struct pbuf *p)
{
  struct net_device *dev = netif->state;
  struct pkt_frag frags[NETDEV_MAX_FRAGS];
  int n = 0;
  for (struct pbuf *q = p; q; q = q->next) {
    if (n == NETDEV_MAX_FRAGS) {
      dev->stats.tx_dropped++;
      return ERR_MEM;
    }
    frags[n].data = q->payload;
    frags[n].len = q->len;
    n++;
  }
  if (dev->ops->xmit(dev, frags, n)) {
    dev->stats.tx_dropped++;
    return ERR_MEM;
  }
  dev->stats.tx_packets++;
  dev->stats.tx_bytes += p->tot_len;
  return ERR_OK;
}

static err_t netdev_netif_init(struct netif *netif)
{
  struct net_device *dev = netif->state;
  netif->name[0] = 'e';
  netif->name[1] = 't';
  netif->hwaddr_len = ETH_HWADDR_LEN;
  memcpy(netif->hwaddr, dev->mac, ETH_HWADDR_LEN);
  netif->mtu = dev->mtu;
  netif->mtu6 = dev->mtu;
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                 NETIF_FLAG_MLD6 | NETIF_FLAG_LINK_UP;
  netif->output = etharp_output;
  netif->output_ip6 = ethip6_output;
  netif->linkoutput = netdev_linkoutput;
  return ERR_OK;
}

/* Give a device its lwIP netif (the first gets the static address). net_lock held. */
static void netdev_attach(struct net_device *dev)
{
  struct netif *netif = kzalloc(sizeof(*netif));
  if (!netif) {
    pr_err("net: %s: out of memory", dev->name);
    return;
  }
  ip4_addr_t addr, mask, gw;
  bool first = dev->link.prev == &net_devices;
  if (first) {
    IP4_ADDR(&addr, net_config.addr[0], net_config.addr[1], net_config.addr[2], net_config.addr[3]);
    IP4_ADDR(&mask, net_config.netmask[0], net_config.netmask[1], net_config.netmask[2],
             net_config.netmask[3]);
    IP4_ADDR(&gw, net_config.gateway[0], net_config.gateway[1], net_config.gateway[2],
             net_config.gateway[3]);
  } else {
    ip4_addr_set_zero(&addr);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
  }
  if (!netif_add(netif, &addr, &mask, &gw, dev, netdev_netif_init, ethernet_input)) {
    pr_err("net: %s: netif_add failed", dev->name);
    kfree(netif);
    return;
  }
  dev->netif = netif;
  netif_create_ip6_linklocal_address(netif, 1);
  netif_set_ip6_autoconfig_enabled(netif, 1);
  if (first)
    netif_set_default(netif);
  netif_set_up(netif);
  pr_info("net: %s: %02x:%02x:%02x:%02x:%02x:%02x mtu %u%s", dev->name, dev->mac[0],
          dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5], dev->mtu,
          first ? ", 10.0.2.15/24 via 10.0.2.2" : "");
  if (first) {
    arp_probe.netif = netif;
    arp_probe.tries = 5;
    arp_probe.next_ns = 0;
  }
}

int netdev_register(struct net_device *dev)
{
  spin_lock(&net_lock);
  snprintf(dev->name, sizeof(dev->name), "eth%d", net_ndevices++);
  list_add_tail(&dev->link, &net_devices);
  if (net_ready)
    netdev_attach(dev);
  spin_unlock(&net_lock);
  return 0;
}

void netdev_rx_schedule(struct net_device *dev)
{
  dev->rx_scheduled = true;
  net_task_wake();
}

/* A received frame, from the driver's poll(): copy it into a pbuf and
 * hand it to lwIP (which may answer at once, e.g. ARP: the driver must
 * not hold its lock here). net_lock held. */
void netdev_receive(struct net_device *dev, const void *frame, size_t len)
{
  struct netif *netif = dev->netif;
  if (!netif || len < 14 || len > 0xffff) {
    dev->stats.rx_dropped++;
    return;
  }
  struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
  if (!p) {
    dev->stats.rx_dropped++;
    return;
  }
  memcpy(p->payload, frame, len);
  dev->stats.rx_packets++;
  dev->stats.rx_bytes += len;
  if (netif->input(p, netif) != ERR_OK) {
    pbuf_free(p);
    dev->stats.rx_dropped++;
  }
}

/* Each second until answered (5 tries): ask who has the gateway's address. */
static void arp_probe_check(void)
{
  if (!arp_probe.netif || arp_probe.answered)
    return;
  ip4_addr_t gw;
  IP4_ADDR(&gw, net_config.gateway[0], net_config.gateway[1], net_config.gateway[2],
           net_config.gateway[3]);
  struct eth_addr *mac;
  const ip4_addr_t *ip;
  if (etharp_find_addr(arp_probe.netif, &gw, &mac, &ip) >= 0) {
    arp_probe.answered = true;
    pr_info("net: gateway 10.0.2.2 answered the ARP probe: %02x:%02x:%02x:%02x:%02x:%02x",
            mac->addr[0], mac->addr[1], mac->addr[2], mac->addr[3], mac->addr[4], mac->addr[5]);
    return;
  }
  uint64_t now = time_monotonic_ns();
  if (arp_probe.tries > 0 && now >= arp_probe.next_ns) {
    arp_probe.tries--;
    arp_probe.next_ns = now + NSEC_PER_SEC;
    etharp_request(arp_probe.netif, &gw);
    if (arp_probe.tries == 0)
      pr_info("net: no ARP answer from the gateway yet (last probe sent)");
  }
}

/* ---- zero-copy loopback ----
 *
 * lwIP's loopback (netif_loop_output) copies every packet sent to lo. For
 * big TCP segments and datagrams that copy is a third of the work, so lo
 * uses this output instead: it copies only the IP and TCP/UDP headers
 * (the receiver rewrites them in place) and hands over the data by
 * reference — a custom pbuf pointing into the sender's pbuf, holding a
 * reference on it. The sender never changes data it has queued (only
 * headers, on retransmission), and the memory lives until both the
 * sender (acknowledged) and the receiver (read) are done with it.
 */
#define LO_SHARE_MIN 512        /* smaller packets are simply copied */

struct lo_ref {
  struct pbuf_custom pc;        /* first: lwIP frees it through custom_free_function */
  struct pbuf *orig;            /* the sender's pbuf, referenced */
};

static void lo_ref_free(struct pbuf *p)
{
  struct lo_ref *r = (struct lo_ref *)p;
  pbuf_free(r->orig);
  kfree(r);
}

/* Bytes of IP + TCP/UDP header at the start of p (0: copy the packet). */
static u16_t lo_header_len(struct pbuf *p)
{
  const u8_t *b = p->payload;
  u16_t hl;
  u8_t proto;
  if (p->len < 40)
    return 0;
  if ((b[0] >> 4) == 4) {
    hl = (u16_t)((b[0] & 0xf) * 4);
    proto = b[9];
  } else if ((b[0] >> 4) == 6) {
    hl = 40;
    proto = b[6];
  } else {
    return 0;
  }
  if (proto == IP_PROTO_TCP && p->len >= hl + 20)
    hl = (u16_t)(hl + (b[hl + 12] >> 4) * 4);
  else if (proto == IP_PROTO_UDP)
    hl = (u16_t)(hl + 8);
  else
    return 0;
  return hl <= p->len ? hl : 0;
}

/* Can every pbuf of p be shared (memory owned by the pbuf itself)? */
static bool lo_shareable(struct pbuf *p)
{
  for (struct pbuf *q = p; q; q = q->next)
    if (!pbuf_match_type(q, PBUF_RAM) && !pbuf_match_type(q, PBUF_POOL))
      return false;
  return true;
}

static err_t lo_output(struct netif *netif, struct pbuf *p)
{
  u16_t hl = lo_header_len(p);
  if (!hl || p->tot_len - hl < LO_SHARE_MIN || !lo_shareable(p))
    return netif_loop_output(netif, p);
  struct pbuf *h = pbuf_alloc(PBUF_LINK, hl, PBUF_RAM);
  if (!h)
    return ERR_MEM;
  memcpy(h->payload, p->payload, hl);
  u16_t off = hl;
  for (struct pbuf *q = p; q; q = q->next, off = 0) {
    if (q->len <= off)
      continue;
    struct lo_ref *r = kmalloc(sizeof(*r));
    struct pbuf *d = NULL;
    if (r) {
      r->pc.custom_free_function = lo_ref_free;
      r->orig = q;
      d = pbuf_alloced_custom(PBUF_RAW, (u16_t)(q->len - off), PBUF_REF, &r->pc,
                              (u8_t *)q->payload + off, (u16_t)(q->len - off));
    }
    if (!d) {
      kfree(r);
      pbuf_free(h);
      return ERR_MEM;
    }
    pbuf_ref(q);
    pbuf_cat(h, d);
  }
  u16_t clen = pbuf_clen(h);
  if (netif->loop_cnt_current + clen > LWIP_LOOPBACK_MAX_PBUFS) {
    pbuf_free(h);
    MIB2_STATS_NETIF_INC(netif, ifoutdiscards);
    return ERR_MEM;
  }
  netif->loop_cnt_current = (u16_t)(netif->loop_cnt_current + clen);
  struct pbuf *last = h;
  while (last->next)
    last = last->next;
  if (netif->loop_first) {
    netif->loop_last->next = h;
    netif->loop_last = last;
  } else {
    netif->loop_first = h;
    netif->loop_last = last;
  }
  LINK_STATS_INC(link.xmit);
  MIB2_STATS_NETIF_ADD(netif, ifoutoctets, p->tot_len);
  MIB2_STATS_NETIF_INC(netif, ifoutucastpkts);
  return ERR_OK;
}

static err_t lo_output_ip4(struct netif *netif, struct pbuf *p, const ip4_addr_t *addr)
{
  (void)addr;
  return lo_output(netif, p);
}

static err_t lo_output_ip6(struct netif *netif, struct pbuf *p, const ip6_addr_t *addr)
{
  (void)addr;
  return lo_output(netif, p);
}

/* ---- lookups for sockets and ioctls ---- */

struct net_device *netdev_of_netif(struct netif *netif)
{
  struct net_device *dev;
  list_for_each_entry(dev, &net_devices, link)
    if (dev->netif == netif)
      return dev;
  return NULL;
}

/* ---- start-up ----
 *
 * lwIP starts on first use, not at boot: under QEMU's TCG every code path
 * that runs for the first time is translated first, and bringing the
 * stack up — lwIP's pools, lo, each netif with its addresses and MLD
 * reports, the net task's first round, the gateway's ARP probe and its
 * answer — was ~450 translation blocks (~2-3 ms) between the kernel's
 * entry and the first user instruction (docs/boot.md, ninth round), for a
 * system that may never use the network. Everything that reaches lwIP
 * comes through a socket of an lwIP family (net/sys_socket.c) or
 * /proc/net (net/ifconf.c), and both call net_start() first. Before that,
 * a NetDevice is only on net_devices (netdev_register); a frame it
 * receives waits in its ring (the interrupt only marks it for a poll).
 */

int net_start(void)
{
  if (__atomic_load_n(&net_started, __ATOMIC_ACQUIRE))
    return 0;
  mutex_lock(&net_start_lock);
  if (net_started) {
    mutex_unlock(&net_start_lock);
    return 0;
  }
  /* the task first: the one step that can fail (memory), before lwIP is
   * touched, so that a caller out of memory gets ENOMEM and a later call
   * tries again; the task waits for net_started before its first pass */
  if (!net_task)
    net_task = kthread_create("net", net_task_main, NULL);
  if (!net_task) {
    mutex_unlock(&net_start_lock);
    return -ENOMEM;
  }
  spin_lock(&net_lock);
  lwip_init();  /* also creates lo: 127.0.0.1/8 and ::1 */
  struct netif *lo = netif_find("lo0");
  if (lo) {
    NETIF_SET_CHECKSUM_CTRL(lo, NETIF_CHECKSUM_DISABLE_ALL);
    lo->output = lo_output_ip4;       /* zero-copy loopback (above) */
    lo->output_ip6 = lo_output_ip6;
  }
  net_ready = true;
  struct net_device *dev;
  list_for_each_entry(dev, &net_devices, link)
    netdev_attach(dev);
  net_task_wake_ns = 0;
  spin_unlock(&net_lock);
  pr_info("net: lwIP %s up, lo 127.0.0.1/8 ::1, %d device(s)", LWIP_VERSION_STRING,
          net_ndevices);
  __atomic_store_n(&net_started, true, __ATOMIC_RELEASE);
  wake_up(&net_task_wq);
  mutex_unlock(&net_start_lock);
  return 0;
}

void net_init(void)
{
  if (strstr(boot_info.bootargs, "NET_LOOPBACK_TEST=1") && net_start() == 0) {
    net_selftest_tcp_loopback();
  }
}
