/*
 * blk.h — block devices: the interface between disk drivers (virtio-blk)
 * and their users (the block cache, file systems, /dev/vdX).
 *
 * A driver fills in a struct blockdev and registers it; disks are named
 * vda, vdb, ... in registration order (virtio slot order) and get device
 * numbers 254:0, 254:16, ... Sectors are 512 bytes.
 *
 * Partitions (drivers/parttab.c reads MBR and GPT tables) are block
 * devices too, named as Linux names them: vda1, vda2, ... with numbers
 * 254:16n+p for p <= 15 and 259:m (Linux's "blkext") beyond. A partition
 * passes its I/O to its disk with its start added; file systems cannot tell
 * the difference.
 *
 * Layer: drivers (drivers/blk.c), between the disk drivers (virtio_blk.c,
 * loop.c) below and fs/ above (fs/bcache.c, fs/devfs.c, fs/blkdev.c),
 * which look devices up here; it never calls fs/. Locks: blk_lock
 * (spinlock) guards the device list; a driver's ops take its own lock.
 */
#ifndef KITE_BLK_H
#define KITE_BLK_H

#include "kern/types.h"
#include "kern/list.h"

#define SECTOR_SIZE 512
/* Direct I/O alignment, as Linux's request queues report them
 * (/sys/block/<dev>/queue/, statx's STATX_DIOALIGN): offsets and lengths in
 * logical blocks of SECTOR_SIZE, buffers on (BLK_DMA_ALIGNMENT + 1)-byte
 * boundaries (the queue default, 511). */
#define BLK_DMA_ALIGNMENT 511
#define BLK_MAJOR 254
#define BLK_EXT_MAJOR 259       /* partitions 16 and up */
#define BLK_MINORS 16           /* minors per disk: the disk and partitions 1..15 */
#define BLK_MAX_DISKS 26        /* vda .. vdz */
#define BLK_READAHEAD_PAGES 32  /* BLKRAGET at first: 128 KiB, Linux's default */

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
  /* Driver ioctls on the device node (the loop device's LOOP_*); NULL: ENOTTY. */
  int (*ioctl)(struct blockdev *bd, unsigned cmd, uint64_t arg);
};

/* I/O counters of a device, as Linux keeps them for /sys/block/<dev>/stat
 * (Documentation/block/stat.rst); guarded by blk_stat_lock (drivers/blk.c). */
enum { BLK_STAT_READ, BLK_STAT_WRITE, BLK_STAT_FLUSH, BLK_STAT_KINDS };
struct blk_stats {
  uint64_t ios[BLK_STAT_KINDS];      /* requests finished */
  uint64_t sectors[BLK_STAT_KINDS];  /* 512-byte sectors moved (none for flushes) */
  uint64_t nsecs[BLK_STAT_KINDS];    /* time spent in them, summed */
  uint64_t io_ticks_ms;              /* time with something in flight (Linux's rule) */
  uint64_t stamp_ms;                 /* when io_ticks was last brought up to date */
  unsigned in_flight;
};

struct blockdev {
  char name[16];              /* "vda" */
  dev_t dev;                  /* MKDEV(BLK_MAJOR, 16 * index) */
  uint64_t nsectors;
  bool read_only;
  uint64_t ra_pages;          /* BLKRASET's readahead setting (a disk's; atomic):
                                 kept and reported, not used: Kite reads no ahead */
  const struct blockdev_ops *ops;
  void *priv;                 /* the driver's */
  struct blockdev *whole;     /* a partition's disk; NULL for a disk */
  uint64_t start;             /* a partition's first sector on `whole` */
  int partno;                 /* 1.. for a partition, 0 for a disk */
  struct list_head link;      /* in the device list: each disk, then its partitions */
  struct blk_stats stats;     /* blk_stat_lock; a partition's I/O counts on its disk too */
};

/*
 * Read or write through bd (bd->ops->rw), counted in bd's I/O statistics:
 * every user of a block device calls this, never ops->rw itself. Same
 * contract as ops->rw (sleeps; 0 or -EIO). Takes blk_stat_lock briefly.
 */
int blockdev_rw(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count);
/* Make bd's completed writes durable (ops->flush; 0 if it has none),
 * counted as a flush request. 0 or -EIO. */
int blockdev_flush(struct blockdev *bd);
/* bd's statistics as Linux 6.1 prints /sys/block/<dev>/stat: 17 fields
 * (reads, merges, sectors, ms; writes, ...; in flight, io_ticks,
 * time_in_queue; discards (none); flushes), a newline, NUL-terminated in
 * buf (size bytes). Returns the length. Takes blk_stat_lock. */
int blockdev_stat_line(struct blockdev *bd, char *buf, size_t size);

/*
 * Add a disk to the registry. blockdev_register names it (vda, vdb, ... in
 * call order) and numbers it 254:16i; blockdev_register_named keeps the
 * name and dev the driver set (loop devices). Both set readahead to the
 * default and make it a whole disk. Returns 0, or -ENOSPC past
 * BLK_MAX_DISKS disks. bd must live for good (devices are never removed);
 * /dev/<name> appears later (fs/devfs.c). Takes blk_lock.
 */
int blockdev_register(struct blockdev *bd);
int blockdev_register_named(struct blockdev *bd);
/* The device numbered dev (disk or partition), or the i-th registered
 * virtio disk (partitions not counted); NULL if none. Not referenced:
 * devices stay for good. Takes blk_lock. */
struct blockdev *blockdev_by_dev(dev_t dev);
struct blockdev *blockdev_by_index(int i);
/* drivers/loop.c (layer fs): /dev/loop-control and loop0..7, at boot. */
void loop_init(void);
/*
 * Read every disk's partition table and register its partitions. Sleeps
 * (disk reads): called once from process context at boot, before
 * devfs_add_block_nodes(). Returns the number of partitions found.
 */
int blockdev_scan_partitions(void);
/* /proc/partitions: "major minor  #blocks  name" for every disk and partition. */
void blockdev_proc_partitions(void (*emit)(void *ctx, const char *s, size_t n), void *ctx);
/* The device after prev in the registry (prev NULL: the first; each disk is
 * followed by its partitions), or NULL after the last. Devices are never
 * removed, so the pointer stays valid. Takes blk_lock. */
struct blockdev *blockdev_next(struct blockdev *prev);

#endif
