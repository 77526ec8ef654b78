/*
 * virtio_net.c — the virtio network card, as a NetDevice (net/net.h).
 *
 * Layer: a driver on the shared virtio-mmio transport (drivers/virtio.h),
 * below the network stack. It knows frames, not packets: the stack hands
 * it Ethernet frames to send (xmit) and asks it for received ones (poll).
 *
 * Queues (VirtioNetQueue, docs/lessons.md L12): receive queue 0, transmit queue 1.
 * Every buffer is one page holding the virtio-net header and the frame;
 * header and frame go in separate descriptors (legacy devices without
 * ANY_LAYOUT require it). The header is 10 bytes, or 12 when VERSION_1 is
 * negotiated (modern devices).
 *
 *   receive   all RX buffers are posted at start. The interrupt handler only
 *             acknowledges, suppresses further RX interrupts (NAPI style)
 *             and wakes the net task (netdev_rx_schedule); never lwIP here.
 *             The net task calls vnet_poll(), which hands each frame up and
 *             re-posts its buffer at once, then vnet_rx_irq_enable(), which
 *             turns interrupts back on and re-checks the ring.
 *   transmit  vnet_xmit() copies the frame into a free TX buffer and kicks.
 *             Finished TX buffers are reclaimed lazily, at the next xmit; TX
 *             interrupts stay off.
 *
 * Lock: vn->lock (spinlock) protects both virtqueues. It is a leaf: taken
 * inside net_lock by xmit/poll and in the interrupt handler, and never held
 * while calling up into the stack (docs/lessons.md, L4).
 */
#include "drivers/virtio.h"
#include "drivers/irq.h"
#include "net/net.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

/* The stack is built only with WITH_NET=1 (see the Makefile): without it
 * these are absent and the card is left alone. */
#pragma weak netdev_register
#pragma weak netdev_receive
#pragma weak netdev_rx_schedule

#define VIRTIO_NET_F_MAC 5

#define VNET_QUEUE_SIZE 256       /* descriptors per queue (two per buffer) */
#define VNET_BUFS (VNET_QUEUE_SIZE / 2)
#define VNET_FRAME_OFF 64         /* where the frame starts in a buffer page */
#define VNET_FRAME_MAX 1514       /* Ethernet header + 1500 bytes */
#define VNET_RXQ 0
#define VNET_TXQ 1

struct vnet_buf {
  char *page;                     /* header at 0, frame at VNET_FRAME_OFF */
  int index;
  bool busy;                      /* TX: owned by the device */
};

struct virtio_net {
  struct virtio_device *vd;
  struct virtqueue *rxq, *txq;
  struct spinlock lock;           /* both queues and tx[].busy */
  unsigned hdr_len;               /* 10 (legacy) or 12 (VERSION_1) */
  struct vnet_buf rx[VNET_BUFS];
  struct vnet_buf tx[VNET_BUFS];
  int tx_next;                    /* where to look for a free TX buffer */
  struct net_device dev;
};

/* Give an RX buffer to the device. vn->lock held. */
static int vnet_post_rx(struct virtio_net *vn, struct vnet_buf *b)
{
  struct virtq_buf bufs[2] = {
    { b->page, vn->hdr_len },
    { b->page + VNET_FRAME_OFF, VNET_FRAME_MAX },
  };
  return virtq_add(vn->rxq, bufs, 0, 2, b);
}

/* Take back TX buffers the device has finished with. vn->lock held. */
static void vnet_reclaim_tx(struct virtio_net *vn)
{
  struct vnet_buf *b;
  while ((b = virtq_get_used(vn->txq, NULL)))
    b->busy = false;
}

static int vnet_xmit(struct net_device *dev, const struct pkt_frag *frags, int nfrags)
{
  struct virtio_net *vn = dev->priv;
  size_t len = 0;
  for (int i = 0; i < nfrags; i++)
    len += frags[i].len;
  if (len > VNET_FRAME_MAX)
    return -EMSGSIZE;
  spin_lock(&vn->lock);
  vnet_reclaim_tx(vn);
  struct vnet_buf *b = NULL;
  for (int i = 0; i < VNET_BUFS; i++) {
    struct vnet_buf *c = &vn->tx[(vn->tx_next + i) % VNET_BUFS];
    if (!c->busy) {
      b = c;
      vn->tx_next = (c->index + 1) % VNET_BUFS;
      break;
    }
  }
  if (!b || vn->txq->num_free < 2) {
    spin_unlock(&vn->lock);
    return -ENOBUFS;
  }
  memset(b->page, 0, vn->hdr_len);  /* no checksum offload, no GSO */
  char *p = b->page + VNET_FRAME_OFF;
  for (int i = 0; i < nfrags; i++) {
    memcpy(p, frags[i].data, frags[i].len);
    p += frags[i].len;
  }
  struct virtq_buf bufs[2] = {
    { b->page, vn->hdr_len },
    { b->page + VNET_FRAME_OFF, (uint32_t)len },
  };
  int r = virtq_add(vn->txq, bufs, 2, 0, b);
  if (r == 0) {
    b->busy = true;
    virtq_kick(vn->txq);
  }
  spin_unlock(&vn->lock);
  return r ? -ENOBUFS : 0;
}

static int vnet_poll(struct net_device *dev, int budget)
{
  struct virtio_net *vn = dev->priv;
  int n = 0;
  bool reposted = false;
  while (n < budget) {
    uint32_t len;
    spin_lock(&vn->lock);
    struct vnet_buf *b = virtq_get_used(vn->rxq, &len);
    spin_unlock(&vn->lock);
    if (!b)
      break;
    /* The device wrote header + frame; hand the frame up with no lock held. */
    if (len > vn->hdr_len)
      netdev_receive(dev, b->page + VNET_FRAME_OFF, MIN(len - vn->hdr_len, (uint32_t)VNET_FRAME_MAX));
    else
      dev->stats.rx_errors++;
    spin_lock(&vn->lock);
    if (vnet_post_rx(vn, b) == 0)
      reposted = true;
    spin_unlock(&vn->lock);
    n++;
  }
  if (reposted) {
    spin_lock(&vn->lock);
    virtq_kick(vn->rxq);
    spin_unlock(&vn->lock);
  }
  return n;
}

static bool vnet_rx_irq_enable(struct net_device *dev)
{
  struct virtio_net *vn = dev->priv;
  spin_lock(&vn->lock);
  bool more = virtq_enable_cb(vn->rxq);
  if (more)
    virtq_disable_cb(vn->rxq);
  spin_unlock(&vn->lock);
  return more;
}

/* Interrupt: acknowledge, suppress RX interrupts, wake the net task. */
static void vnet_interrupt(int irq, void *arg)
{
  (void)irq;
  struct virtio_net *vn = arg;
  virtio_ack_interrupt(vn->vd);
  spin_lock(&vn->lock);
  virtq_disable_cb(vn->rxq);
  spin_unlock(&vn->lock);
  netdev_rx_schedule(&vn->dev);
}

static const struct net_device_ops vnet_ops = {
  .xmit = vnet_xmit,
  .poll = vnet_poll,
  .rx_irq_enable = vnet_rx_irq_enable,
};

/* A buffer page, not zeroed: the device writes an RX buffer before the
 * driver reads the length it reports, and vnet_xmit writes the header and
 * frame of a TX buffer before the device reads them. Untouched, a buffer
 * costs the host no memory until it is first used. */
static char *vnet_buf_page(void)
{
  struct page *p = alloc_pages_nozero(0);
  return p ? page_to_kva(p) : NULL;
}

static void vnet_free_bufs(struct vnet_buf *bufs)
{
  for (int i = 0; i < VNET_BUFS; i++)
    if (bufs[i].page)
      kfree_pages(bufs[i].page, 0);
}

int virtio_net_probe(struct virtio_device *vd)
{
  if (!netdev_register)
    return -ENODEV;  /* no network stack in this kernel */
  struct virtio_net *vn = kzalloc(sizeof(*vn));
  if (!vn)
    return -ENOMEM;
  vn->vd = vd;
  spin_init(&vn->lock, "virtio-net");
  if (virtio_negotiate(vd, 1ULL << VIRTIO_NET_F_MAC))
    goto fail;
  vn->hdr_len = virtio_has_feature(vd, VIRTIO_F_VERSION_1) ? 12 : 10;
  vn->rxq = virtio_setup_queue(vd, VNET_RXQ, VNET_QUEUE_SIZE);
  vn->txq = virtio_setup_queue(vd, VNET_TXQ, VNET_QUEUE_SIZE);
  if (!vn->rxq || !vn->txq)
    goto fail;
  int nbufs = MIN((int)vn->rxq->num / 2, VNET_BUFS);
  for (int i = 0; i < VNET_BUFS; i++) {
    vn->rx[i].index = vn->tx[i].index = i;
    vn->rx[i].page = i < nbufs ? vnet_buf_page() : NULL;
    vn->tx[i].page = vnet_buf_page();
    if ((i < nbufs && !vn->rx[i].page) || !vn->tx[i].page)
      goto fail;
  }
  if (virtio_has_feature(vd, VIRTIO_NET_F_MAC)) {
    for (int i = 0; i < 6; i++)
      vn->dev.mac[i] = virtio_config_read8(vd, i);
  } else {  /* a locally administered address */
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(vn->dev.mac, mac, 6);
  }
  vn->dev.mtu = 1500;
  vn->dev.ops = &vnet_ops;
  vn->dev.priv = vn;
  vd->priv = vn;
  virtq_disable_cb(vn->txq);  /* TX buffers are reclaimed lazily */
  spin_lock(&vn->lock);
  for (int i = 0; i < nbufs; i++)
    vnet_post_rx(vn, &vn->rx[i]);
  spin_unlock(&vn->lock);
  irq_register(vd->irq, vnet_interrupt, vn);
  virtio_driver_ok(vd);
  virtq_kick(vn->rxq);
  netdev_register(&vn->dev);
  pr_info("virtio-net: %s ready: %02x:%02x:%02x:%02x:%02x:%02x, %s, %d receive buffers",
          vn->dev.name, vn->dev.mac[0], vn->dev.mac[1], vn->dev.mac[2], vn->dev.mac[3],
          vn->dev.mac[4], vn->dev.mac[5], vd->version == 1 ? "legacy" : "modern", nbufs);
  return 0;
fail:
  vnet_free_bufs(vn->rx);
  vnet_free_bufs(vn->tx);
  kfree(vn);  /* the queues stay registered with the (failed) device */
  return -EIO;
}
