/*
 * blk.c — the registry of block devices (disks and their partitions) and
 * /proc/partitions' lines. The file system layer consults it: /dev nodes
 * (fs/devfs.c), /dev/vdX opened as a file (fs/blkdev.c), mounts.
 * Layer: drivers, between the disk drivers (virtio_blk.c, loop.c) and the
 * block cache and file systems (fs/), which it never calls. The
 * partition-table format is drivers/parttab.c.
 * Lock: blk_lock (spinlock) guards the device list; devices are never
 * removed, so a pointer found under it stays valid.
 */
#include "drivers/blk.h"
#include "drivers/parttab.h"
#include "fs/fs_abi.h"
#include "kern/spinlock.h"
#include "kern/printk.h"
#include "kern/time.h"
#include "kern/errno.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include <string.h>

static LIST_HEAD(blockdevs);
static struct spinlock blk_lock = SPINLOCK_INIT("blockdevs");
static int nr_disks;        /* blk_lock */
static unsigned ext_minor;  /* next 259:m for partitions past 15 (blk_lock) */

/* A device that names itself (a loop device): listed, but not one of the disks. */
int blockdev_register_named(struct blockdev *bd)
{
  bd->whole = NULL;
  bd->partno = 0;
  bd->ra_pages = BLK_READAHEAD_PAGES;
  spin_lock(&blk_lock);
  list_add_tail(&bd->link, &blockdevs);
  spin_unlock(&blk_lock);
  return 0;
}

int blockdev_register(struct blockdev *bd)
{
  spin_lock(&blk_lock);
  int i = nr_disks < BLK_MAX_DISKS ? nr_disks++ : BLK_MAX_DISKS;
  spin_unlock(&blk_lock);
  if (i >= BLK_MAX_DISKS)
    return -ENOSPC;
  snprintf(bd->name, sizeof(bd->name), "vd%c", 'a' + i);
  bd->dev = MKDEV(BLK_MAJOR, BLK_MINORS * i);
  blockdev_register_named(bd);
  pr_info("blk: %s: %lu sectors (%lu MiB)%s", bd->name, (unsigned long)bd->nsectors,
          (unsigned long)(bd->nsectors >> 11), bd->read_only ? ", read-only" : "");
  return 0;
}

struct blockdev *blockdev_by_dev(dev_t dev)
{
  struct blockdev *bd, *found = NULL;
  spin_lock(&blk_lock);
  list_for_each_entry(bd, &blockdevs, link)
    if (bd->dev == dev)
      found = bd;
  spin_unlock(&blk_lock);
  return found;
}

struct blockdev *blockdev_by_index(int i)
{
  struct blockdev *bd, *found = NULL;
  spin_lock(&blk_lock);
  list_for_each_entry(bd, &blockdevs, link)
    if (!bd->whole && MAJOR(bd->dev) == BLK_MAJOR && i-- == 0) {
      found = bd;
      break;
    }
  spin_unlock(&blk_lock);
  return found;
}

/* ---- I/O statistics ---- */

static struct spinlock blk_stat_lock = SPINLOCK_INIT("blkstats");  /* a leaf */

/* Linux's update_io_ticks: a request starting in a new millisecond adds
 * one; one ending adds the time since the last update. blk_stat_lock held. */
static void update_io_ticks_locked(struct blk_stats *st, uint64_t now_ms, bool end)
{
  if (now_ms <= st->stamp_ms)
    return;
  st->io_ticks_ms += end ? now_ms - st->stamp_ms : 1;
  st->stamp_ms = now_ms;
}

static uint64_t io_start(struct blockdev *bd)
{
  uint64_t now = time_monotonic_ns();
  spin_lock(&blk_stat_lock);
  update_io_ticks_locked(&bd->stats, now / 1000000, false);
  bd->stats.in_flight++;
  spin_unlock(&blk_stat_lock);
  return now;
}

static void io_done(struct blockdev *bd, int kind, uint32_t count, uint64_t start)
{
  uint64_t now = time_monotonic_ns();
  spin_lock(&blk_stat_lock);
  struct blk_stats *st = &bd->stats;
  st->ios[kind]++;
  st->sectors[kind] += count;
  st->nsecs[kind] += now - start;
  update_io_ticks_locked(st, now / 1000000, true);
  st->in_flight--;
  spin_unlock(&blk_stat_lock);
}

int blockdev_rw(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count)
{
  uint64_t t = io_start(bd);
  int r = bd->ops->rw(bd, write, sector, buf, count);
  io_done(bd, write ? BLK_STAT_WRITE : BLK_STAT_READ, count, t);
  return r;
}

int blockdev_flush(struct blockdev *bd)
{
  if (!bd->ops->flush)
    return 0;
  uint64_t t = io_start(bd);
  int r = bd->ops->flush(bd);
  io_done(bd, BLK_STAT_FLUSH, 0, t);
  return r;
}

int blockdev_stat_line(struct blockdev *bd, char *buf, size_t size)
{
  spin_lock(&blk_stat_lock);
  struct blk_stats st = bd->stats;
  spin_unlock(&blk_stat_lock);
  unsigned long ms[BLK_STAT_KINDS];
  for (int k = 0; k < BLK_STAT_KINDS; k++)
    ms[k] = (unsigned long)(st.nsecs[k] / 1000000);
  unsigned long queue = (unsigned long)((st.nsecs[0] + st.nsecs[1] + st.nsecs[2]) / 1000000);
  return snprintf(buf, size,
                  "%8lu %8lu %8lu %8lu %8lu %8lu %8lu %8lu %8u %8lu %8lu %8lu %8lu %8lu %8lu %8lu %8lu\n",
                  (unsigned long)st.ios[BLK_STAT_READ], 0ul, (unsigned long)st.sectors[BLK_STAT_READ],
                  ms[BLK_STAT_READ], (unsigned long)st.ios[BLK_STAT_WRITE], 0ul,
                  (unsigned long)st.sectors[BLK_STAT_WRITE], ms[BLK_STAT_WRITE], st.in_flight,
                  (unsigned long)st.io_ticks_ms, queue, 0ul, 0ul, 0ul, 0ul,
                  (unsigned long)st.ios[BLK_STAT_FLUSH], ms[BLK_STAT_FLUSH]);
}

/* ---- partitions ---- */

/* A partition's I/O: bounds-checked against the partition, then the disk's. */
static int part_rw(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count)
{
  if (sector + count > bd->nsectors || sector + count < sector)
    return -EIO;
  struct blockdev *disk = bd->whole;
  return blockdev_rw(disk, write, bd->start + sector, buf, count);  /* counted on the disk too */
}

static int part_flush(struct blockdev *bd)
{
  struct blockdev *disk = bd->whole;
  return blockdev_flush(disk);
}

static const struct blockdev_ops part_ops = { .rw = part_rw, .flush = part_flush };

struct part_scan {
  struct blockdev *disk;
  struct blockdev *last;   /* the device the next partition goes after in the list */
  int found;
};

static int scan_read(void *dev, uint64_t sector, void *buf, uint32_t count)
{
  struct blockdev *disk = dev;
  return blockdev_rw(disk, false, sector, buf, count);
}

static void *scan_alloc(uint64_t bytes) { return kmalloc(bytes); }

/* parttab_scan found partition `partno`: make it a block device. */
static void scan_add(void *arg, int partno, uint64_t start, uint64_t nsectors)
{
  struct part_scan *ps = arg;
  struct blockdev *disk = ps->disk;
  struct blockdev *p = kzalloc(sizeof(*p));
  if (!p)
    return;
  snprintf(p->name, sizeof(p->name), "%s%d", disk->name, partno);
  p->nsectors = nsectors;
  p->read_only = disk->read_only;
  p->ops = &part_ops;
  p->whole = disk;
  p->start = start;
  p->partno = partno;
  spin_lock(&blk_lock);
  if (partno < BLK_MINORS) {
    p->dev = MKDEV(BLK_MAJOR, MINOR(disk->dev) + partno);
  } else {
    unsigned m = ext_minor++;
    p->dev = MKDEV(BLK_EXT_MAJOR, m);
  }
  list_add(&p->link, &ps->last->link);
  spin_unlock(&blk_lock);
  ps->last = p;
  ps->found++;
  pr_info("blk: %s: sectors %lu..%lu (%lu MiB)", p->name, (unsigned long)start,
          (unsigned long)(start + nsectors - 1), (unsigned long)(nsectors >> 11));
}

int blockdev_scan_partitions(void)
{
  int total = 0;
  for (int i = 0;; i++) {
    struct blockdev *disk = blockdev_by_index(i);
    if (!disk)
      break;
    struct part_scan ps = { disk, disk, 0 };
    int kind = parttab_scan(disk, disk->nsectors, scan_read, scan_add, &ps, scan_alloc, kfree);
    if (kind > 0 && ps.found)
      pr_info("blk: %s: %s partition table, %d partitions", disk->name,
              kind == PARTTAB_GPT ? "GPT" : "MBR", ps.found);
    total += ps.found;
  }
  return total;
}

void blockdev_proc_partitions(void (*emit)(void *ctx, const char *s, size_t n), void *ctx)
{
  char line[80];
  int n = snprintf(line, sizeof(line), "major minor  #blocks  name\n\n");
  emit(ctx, line, n);
  /* One line per device, formatted under the lock and emitted outside it. */
  for (int i = 0;; i++) {
    struct blockdev *bd, *found = NULL;
    int k = i;
    spin_lock(&blk_lock);
    list_for_each_entry(bd, &blockdevs, link)
      if (k-- == 0) {
        found = bd;
        break;
      }
    if (found)
      n = snprintf(line, sizeof(line), "%4u  %7u %10lu %s\n", MAJOR(found->dev), MINOR(found->dev),
                   (unsigned long)(found->nsectors >> 1), found->name);
    spin_unlock(&blk_lock);
    if (!found)
      return;
    emit(ctx, line, n);
  }
}

struct blockdev *blockdev_next(struct blockdev *prev)
{
  struct blockdev *next;
  spin_lock(&blk_lock);
  struct list_head *at = prev ? prev->link.next : blockdevs.next;
  next = at == &blockdevs ? NULL : list_entry(at, struct blockdev, link);
  spin_unlock(&blk_lock);
  return next;
}
