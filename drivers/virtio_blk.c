/*
 * virtio_blk.c — the virtio block device (disks: /dev/vda, /dev/vdb, ...).
 *
 * Each request is a chain of three descriptors: a header (type, sector),
 * the data, and a status byte the device writes. Several requests can be
 * in flight (up to ring size / 3). The submitter sleeps on the request's
 * `done` flag; the interrupt handler collects finished requests from the
 * used ring and wakes their submitters.
 *
 * Layer: drivers. Below: drivers/virtio.c (the transport),
 * drivers/blk.c (it registers each disk), drivers/plic.c (its
 * interrupt), kern/wait.c (a submitter sleeps). Above: the block cache
 * (fs/bcache.c), through struct blockdev_ops.
 * Locks: vb->lock (spinlock) guards the queue and the in-flight requests;
 * it is released before a submitter sleeps and before the interrupt
 * handler wakes the submitters (vb->wq), so it is a leaf.
 */
#include "drivers/virtio.h"
#include "drivers/blk.h"
#include "drivers/irq.h"
#include "kern/mm.h"
#include "kern/wait.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK 0

#define QUEUE_SIZE 128
#define MAX_TRANSFER (1U << 20)   /* bytes per request; bigger ones are split */

struct blk_req {
  struct {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
  } hdr;
  volatile uint8_t status;
  volatile bool done;
};

struct virtio_blk {
  struct virtio_device *vd;
  struct virtqueue *vq;
  struct spinlock lock;          /* protects vq */
  struct wait_queue wq;          /* submitters waiting for completion or ring space */
  struct blockdev bd;
};

static void blk_interrupt(int irq, void *arg)
{
  (void)irq;
  struct virtio_blk *vb = arg;
  virtio_ack_interrupt(vb->vd);
  spin_lock(&vb->lock);
  struct blk_req *r;
  while ((r = virtq_get_used(vb->vq, NULL)))
    r->done = true;
  spin_unlock(&vb->lock);
  wake_up(&vb->wq);
}

static bool req_done(struct blk_req *r)
{
  return READ_ONCE(r->done);
}

/* Submit one request and wait for it. `data` may be NULL (flush). */
static int blk_submit(struct virtio_blk *vb, uint32_t type, uint64_t sector, void *data,
                      uint32_t len)
{
  struct blk_req *r = kzalloc(sizeof(*r));
  if (!r)
    return -ENOMEM;
  r->hdr.type = type;
  r->hdr.sector = sector;
  r->status = 0xff;
  struct virtq_buf bufs[3];
  int n = 0, out;
  bufs[n++] = (struct virtq_buf){ &r->hdr, sizeof(r->hdr) };
  if (type == VIRTIO_BLK_T_OUT) {
    bufs[n++] = (struct virtq_buf){ data, len };
    out = n;
  } else {
    out = n;
    if (data)
      bufs[n++] = (struct virtq_buf){ data, len };
  }
  bufs[n++] = (struct virtq_buf){ (void *)&r->status, 1 };
  /* Wait for room in the ring, then queue the request. */
  for (;;) {
    spin_lock(&vb->lock);
    int err = virtq_add(vb->vq, bufs, out, n - out, r);
    if (err == 0) {
      virtq_kick(vb->vq);
      spin_unlock(&vb->lock);
      break;
    }
    spin_unlock(&vb->lock);
    wait_event_state(&vb->wq, READ_ONCE(vb->vq->num_free) >= n, 10 * NSEC_PER_MSEC,
                     TASK_UNINTERRUPTIBLE);
  }
  wait_event_uninterruptible(&vb->wq, req_done(r));
  int status = r->status;
  kfree(r);
  return status == VIRTIO_BLK_S_OK ? 0 : -EIO;
}

static int blk_rw(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count)
{
  struct virtio_blk *vb = bd->priv;
  if (sector + count > bd->nsectors || sector + count < sector)
    return -EIO;
  if (write && bd->read_only)
    return -EROFS;
  char *p = buf;
  while (count > 0) {
    uint32_t n = MIN(count, MAX_TRANSFER / SECTOR_SIZE);
    int r = blk_submit(vb, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, p,
                       n * SECTOR_SIZE);
    if (r)
      return r;
    sector += n;
    p += (size_t)n * SECTOR_SIZE;
    count -= n;
  }
  return 0;
}

static int blk_flush(struct blockdev *bd)
{
  struct virtio_blk *vb = bd->priv;
  if (!virtio_has_feature(vb->vd, VIRTIO_BLK_F_FLUSH))
    return 0; /* the device has no write cache to flush */
  return blk_submit(vb, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

static const struct blockdev_ops virtio_blk_ops = {
  .rw = blk_rw,
  .flush = blk_flush,
};

static int virtio_blk_probe(struct virtio_device *vd)
{
  struct virtio_blk *vb = kzalloc(sizeof(*vb));
  if (!vb)
    return -ENOMEM;
  vb->vd = vd;
  spin_init(&vb->lock, "virtio-blk");
  wait_queue_init(&vb->wq);
  if (virtio_negotiate(vd, (1ULL << VIRTIO_BLK_F_RO) | (1ULL << VIRTIO_BLK_F_FLUSH) |
                               (1ULL << VIRTIO_BLK_F_BLK_SIZE))) {
    kfree(vb);
    return -EIO;
  }
  vb->vq = virtio_setup_queue(vd, 0, QUEUE_SIZE);
  if (!vb->vq) {
    kfree(vb);
    return -EIO;
  }
  vb->bd.nsectors = virtio_config_read64(vd, 0); /* capacity, in 512-byte sectors */
  vb->bd.read_only = virtio_has_feature(vd, VIRTIO_BLK_F_RO);
  vb->bd.ops = &virtio_blk_ops;
  vb->bd.priv = vb;
  vd->priv = vb;
  irq_register(vd->irq, blk_interrupt, vb);
  virtio_driver_ok(vd);
  return blockdev_register(&vb->bd);
}

void virtio_blk_init(void)
{
  virtio_register_driver(VIRTIO_ID_BLOCK, virtio_blk_probe);
}
