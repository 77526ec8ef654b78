/*
 * blk.h — block devices: the interface between disk drivers (virtio-blk)
 * and their users (the block cache, file systems, /dev/vdX).
 *
 * A driver fills in a struct blockdev and registers it; devices are named
 * vda, vdb, ... in registration order (virtio slot order) and get device
 * numbers 254:0, 254:16, ... Sectors are 512 bytes.
 */
#ifndef KITE_BLK_H
#define KITE_BLK_H

#include "kern/types.h"
#include "kern/list.h"

#define SECTOR_SIZE 512
#define BLK_MAJOR 254

struct blockdev;

struct blockdev_ops {
  /*
   * Read or write `count` sectors starting at `sector` into/from `buf`,
   * a kernel direct-map address of physically contiguous memory (a page,
   * a kmalloc'd buffer, a block-cache buffer). Sleeps until the transfer
   * is complete. Returns 0 or -EIO. Several callers may have requests in
   * flight at once.
   */
  int (*rw)(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count);
  /* Make completed writes durable (virtio-blk FLUSH). */
  int (*flush)(struct blockdev *bd);
};

struct blockdev {
  char name[16];              /* "vda" */
  dev_t dev;                  /* MKDEV(BLK_MAJOR, 16 * index) */
  uint64_t nsectors;
  bool read_only;
  const struct blockdev_ops *ops;
  void *priv;                 /* the driver's */
  struct list_head link;      /* in the device list */
};

int blockdev_register(struct blockdev *bd);     /* names it and creates /dev/<name> later */
struct blockdev *blockdev_by_dev(dev_t dev);
struct blockdev *blockdev_by_index(int i);
/* The block device a path names (a block-device node such as /dev/vda), or NULL. */
struct blockdev *blockdev_by_path(const char *path);
void blockdev_register_nodes(void);             /* block special files in /dev */
extern const struct file_ops blkdev_fops;       /* /dev/vdX opened as a file */

#endif
