/*
 * virtio.c — the virtio-mmio transport (see virtio.h).
 *
 * Layer: drivers. Below: kern/page_alloc.c (ring memory), arch/riscv
 * (fences, the direct map), kern/devtree.h (the slots). Above: the device
 * drivers, which register their probe by device id
 * (virtio_register_driver: virtio_blk.c from virtio_blk_init), or the
 * virtio_net_probe weak hook (drivers/virtio_net.c, built with the
 * network); the transport names neither driver's functions.
 * Locks: none here; each driver holds its own lock around its queue's
 * functions, also from its interrupt handler.
 */
#include "drivers/virtio.h"
#include "kern/devtree.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "arch/riscv/riscv.h"
#include <string.h>

/* virtio-mmio registers */
#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE 0x028 /* legacy */
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_ALIGN 0x03c /* legacy */
#define VIRTIO_MMIO_QUEUE_PFN 0x040   /* legacy */
#define VIRTIO_MMIO_QUEUE_READY 0x044 /* modern */
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MAGIC 0x74726976

static inline uint32_t rd(struct virtio_device *vd, unsigned off)
{
  return *(volatile uint32_t *)(vd->regs + off);
}

static inline void wr(struct virtio_device *vd, unsigned off, uint32_t v)
{
  *(volatile uint32_t *)(vd->regs + off) = v;
}

static void set_status(struct virtio_device *vd, uint32_t bits)
{
  wr(vd, VIRTIO_MMIO_STATUS, rd(vd, VIRTIO_MMIO_STATUS) | bits);
}

uint64_t virtio_device_features(struct virtio_device *vd)
{
  wr(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  uint64_t f = rd(vd, VIRTIO_MMIO_DEVICE_FEATURES);
  wr(vd, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  f |= (uint64_t)rd(vd, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
  return f;
}

/*
 * Accept the wanted features the device offers. A modern device must also
 * get VIRTIO_F_VERSION_1 and confirm with FEATURES_OK.
 */
int virtio_negotiate(struct virtio_device *vd, uint64_t wanted)
{
  uint64_t offered = virtio_device_features(vd);
  if (vd->version >= 2)
    wanted |= 1ULL << VIRTIO_F_VERSION_1;
  uint64_t f = offered & wanted;
  wr(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  wr(vd, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
  wr(vd, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  wr(vd, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
  vd->features = f;
  if (vd->version >= 2) {
    set_status(vd, VIRTIO_STATUS_FEATURES_OK);
    if (!(rd(vd, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
      return -EIO;
  }
  return 0;
}

/* Ring sizes for the legacy layout: desc + avail, then used at the next page. */
static size_t legacy_ring_bytes(uint16_t num, size_t *used_off)
{
  size_t head = 16 * (size_t)num + 6 + 2 * (size_t)num;
  *used_off = PGROUNDUP(head);
  return *used_off + PGROUNDUP(6 + 8 * (size_t)num);
}

struct virtqueue *virtio_setup_queue(struct virtio_device *vd, int index, uint16_t max_num)
{
  wr(vd, VIRTIO_MMIO_QUEUE_SEL, index);
  uint32_t dev_max = rd(vd, VIRTIO_MMIO_QUEUE_NUM_MAX);
  if (dev_max == 0)
    return NULL;
  uint16_t num = (uint16_t)MIN(dev_max, (uint32_t)max_num);
  /* a power of two (required by legacy devices) */
  while (num & (num - 1))
    num &= num - 1;
  struct virtqueue *vq = kzalloc(sizeof(*vq));
  void **tokens = kzalloc(sizeof(void *) * num);
  size_t used_off;
  size_t bytes = legacy_ring_bytes(num, &used_off);
  unsigned order = 0;
  while ((PAGE_SIZE << order) < bytes)
    order++;
  void *mem = kalloc_pages(order); /* zeroed, physically contiguous */
  if (!vq || !tokens || !mem) {
    kfree(vq);
    kfree(tokens);
    kfree_pages(mem, order);
    return NULL;
  }
  vq->vdev = vd;
  vq->index = index;
  vq->num = num;
  vq->mem = mem;
  vq->mem_order = order;
  vq->desc = mem;
  vq->avail = (struct virtq_avail *)((char *)mem + 16 * num);
  vq->used = (struct virtq_used *)((char *)mem + used_off);
  vq->token = tokens;
  for (uint16_t i = 0; i < num; i++)
    vq->desc[i].next = (uint16_t)(i + 1);
  vq->free_head = 0;
  vq->num_free = num;
  vq->last_used = 0;

  wr(vd, VIRTIO_MMIO_QUEUE_NUM, num);
  paddr_t pa = kva_to_pa(mem);
  if (vd->version == 1) {
    wr(vd, VIRTIO_MMIO_QUEUE_ALIGN, PAGE_SIZE);
    wr(vd, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(pa >> PAGE_SHIFT));
  } else {
    paddr_t avail = kva_to_pa(vq->avail), used = kva_to_pa(vq->used);
    wr(vd, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)pa);
    wr(vd, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(pa >> 32));
    wr(vd, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(vd, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(vd, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(vd, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(vd, VIRTIO_MMIO_QUEUE_READY, 1);
  }
  return vq;
}

void virtio_driver_ok(struct virtio_device *vd)
{
  set_status(vd, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_fail(struct virtio_device *vd)
{
  set_status(vd, VIRTIO_STATUS_FAILED);
}

uint32_t virtio_ack_interrupt(struct virtio_device *vd)
{
  uint32_t isr = rd(vd, VIRTIO_MMIO_INTERRUPT_STATUS);
  if (isr)
    wr(vd, VIRTIO_MMIO_INTERRUPT_ACK, isr);
  return isr;
}

uint8_t virtio_config_read8(struct virtio_device *vd, unsigned off)
{
  return *(volatile uint8_t *)(vd->regs + VIRTIO_MMIO_CONFIG + off);
}

uint32_t virtio_config_read32(struct virtio_device *vd, unsigned off)
{
  /* legacy config space may be unaligned for 32-bit reads: go bytewise */
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--)
    v = (v << 8) | virtio_config_read8(vd, off + i);
  return v;
}

uint64_t virtio_config_read64(struct virtio_device *vd, unsigned off)
{
  return (uint64_t)virtio_config_read32(vd, off + 4) << 32 | virtio_config_read32(vd, off);
}

int virtq_add(struct virtqueue *vq, const struct virtq_buf *bufs, int out, int in, void *token)
{
  int n = out + in;
  if (n == 0 || n > vq->num_free)
    return -ENOSPC;
  uint16_t head = vq->free_head, i = head, last = head;
  for (int k = 0; k < n; k++) {
    struct virtq_desc *d = &vq->desc[i];
    d->addr = kva_to_pa(bufs[k].addr);
    d->len = bufs[k].len;
    d->flags = (k < out ? 0 : VIRTQ_DESC_F_WRITE) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
    last = i;
    i = d->next;
  }
  vq->free_head = vq->desc[last].next; /* the descriptor after the chain */
  vq->num_free -= n;
  vq->token[head] = token;
  uint16_t idx = vq->avail->idx;
  vq->avail->ring[idx % vq->num] = head;
  __sync_synchronize(); /* ring entry before the index */
  vq->avail->idx = (uint16_t)(idx + 1);
  __sync_synchronize();
  return 0;
}

void virtq_kick(struct virtqueue *vq)
{
  __sync_synchronize();
  wr(vq->vdev, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
}

bool virtq_has_used(struct virtqueue *vq)
{
  __sync_synchronize();
  return READ_ONCE(vq->used->idx) != vq->last_used;
}

void *virtq_get_used(struct virtqueue *vq, uint32_t *len)
{
  if (!virtq_has_used(vq))
    return NULL;
  struct virtq_used_elem *e = &vq->used->ring[vq->last_used % vq->num];
  vq->last_used++;
  uint16_t head = (uint16_t)e->id;
  if (len)
    *len = e->len;
  void *token = vq->token[head];
  vq->token[head] = NULL;
  /* Give the chain's descriptors back to the free list. */
  uint16_t i = head;
  int n = 1;
  while (vq->desc[i].flags & VIRTQ_DESC_F_NEXT) {
    i = vq->desc[i].next;
    n++;
  }
  vq->desc[i].next = vq->free_head;
  vq->free_head = head;
  vq->num_free += n;
  return token;
}

void virtq_disable_cb(struct virtqueue *vq)
{
  vq->avail->flags |= VIRTQ_AVAIL_F_NO_INTERRUPT;
}

bool virtq_enable_cb(struct virtqueue *vq)
{
  vq->avail->flags &= ~VIRTQ_AVAIL_F_NO_INTERRUPT;
  __sync_synchronize();
  return virtq_has_used(vq);
}

static struct {
  uint32_t device_id;
  int (*probe)(struct virtio_device *vd);
} drivers[VIRTIO_MAX_DRIVERS];
static int nr_drivers;

void virtio_register_driver(uint32_t device_id, int (*probe)(struct virtio_device *vd))
{
  if (nr_drivers == VIRTIO_MAX_DRIVERS)
    panic("virtio: more than %d drivers", VIRTIO_MAX_DRIVERS);
  drivers[nr_drivers].device_id = device_id;
  drivers[nr_drivers++].probe = probe;
}

/* The probe of the driver registered for device id, or NULL. */
static int (*driver_for(uint32_t id))(struct virtio_device *)
{
  for (int i = 0; i < nr_drivers; i++)
    if (drivers[i].device_id == id)
      return drivers[i].probe;
  if (id == VIRTIO_ID_NET && virtio_net_probe)
    return virtio_net_probe;
  return NULL;
}

/* Look at every virtio-mmio slot the device tree lists and start drivers. */
void virtio_probe_all(void)
{
  for (int i = 0; i < boot_info.nvirtio; i++) {
    volatile uint8_t *regs = pa_to_kva(boot_info.virtio_base[i]);
    if (*(volatile uint32_t *)(regs + VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC)
      continue;
    uint32_t id = *(volatile uint32_t *)(regs + VIRTIO_MMIO_DEVICE_ID);
    if (id == 0)
      continue; /* empty slot */
    struct virtio_device *vd = kzalloc(sizeof(*vd));
    if (!vd)
      return;
    vd->base = boot_info.virtio_base[i];
    vd->regs = regs;
    vd->irq = boot_info.virtio_irq[i];
    vd->version = (int)rd(vd, VIRTIO_MMIO_VERSION);
    vd->device_id = id;
    vd->slot = i;
    /* reset, then say hello */
    wr(vd, VIRTIO_MMIO_STATUS, 0);
    set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    if (vd->version == 1)
      wr(vd, VIRTIO_MMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
    pr_info("virtio: slot %d at %#lx: device %u, %s (v%d), irq %d", i, (unsigned long)vd->base,
            id, vd->version == 1 ? "legacy" : "modern", vd->version, vd->irq);
    int (*probe)(struct virtio_device *) = driver_for(id);
    int r = probe ? probe(vd) : -ENODEV;
    if (r) {
      if (r != -ENODEV)
        pr_err("virtio: slot %d: driver failed (%d)", i, r);
      virtio_fail(vd);
      kfree(vd);
    }
  }
}
