/*
 * blk.c — the list of block devices (disks and their partitions), their
 * /dev nodes, /proc/partitions, and /dev/vdX opened as a file.
 * Layer: between the disk drivers (virtio_blk.c) and the block cache and
 * file systems (fs/). The partition-table format is drivers/parttab.c.
 * Lock: blk_lock (spinlock) guards the device list; devices are never
 * removed, so a pointer found under it stays valid.
 */
#include "drivers/blk.h"
#include "drivers/parttab.h"
#include "fs/vfs.h"
#include "fs/devfs.h"
#include "kern/spinlock.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include <string.h>

static LIST_HEAD(blockdevs);
static struct spinlock blk_lock = SPINLOCK_INIT("blockdevs");
static int nr_disks;        /* blk_lock */
static unsigned ext_minor;  /* next 259:m for partitions past 15 (blk_lock) */

int blockdev_register(struct blockdev *bd)
{
  spin_lock(&blk_lock);
  int i = nr_disks < BLK_MAX_DISKS ? nr_disks++ : BLK_MAX_DISKS;
  spin_unlock(&blk_lock);
  if (i >= BLK_MAX_DISKS)
    return -ENOSPC;
  snprintf(bd->name, sizeof(bd->name), "vd%c", 'a' + i);
  bd->dev = MKDEV(BLK_MAJOR, BLK_MINORS * i);
  bd->whole = NULL;
  bd->partno = 0;
  spin_lock(&blk_lock);
  list_add_tail(&bd->link, &blockdevs);
  spin_unlock(&blk_lock);
  pr_info("blk: %s: %lu sectors (%lu MiB)%s", bd->name, (unsigned long)bd->nsectors,
          (unsigned long)(bd->nsectors >> 11), bd->read_only ? ", read-only" : "");
  return 0;
}

/* A device that names itself (a loop device): listed, but not one of the disks. */
int blockdev_register_named(struct blockdev *bd)
{
  bd->whole = NULL;
  bd->partno = 0;
  spin_lock(&blk_lock);
  list_add_tail(&bd->link, &blockdevs);
  spin_unlock(&blk_lock);
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

struct blockdev *blockdev_by_path(const char *path)
{
  struct path p;
  if (!path || path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &p))
    return NULL;
  struct inode *ino = p.dentry->inode;
  struct blockdev *bd = S_ISBLK(ino->mode) ? blockdev_by_dev(ino->rdev) : NULL;
  path_put(&p);
  return bd;
}

/* ---- partitions ---- */

/* A partition's I/O: bounds-checked against the partition, then the disk's. */
static int part_rw(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count)
{
  if (sector + count > bd->nsectors || sector + count < sector)
    return -EIO;
  struct blockdev *disk = bd->whole;
  return disk->ops->rw(disk, write, bd->start + sector, buf, count);
}

static int part_flush(struct blockdev *bd)
{
  struct blockdev *disk = bd->whole;
  return disk->ops->flush ? disk->ops->flush(disk) : 0;
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
  return disk->ops->rw(disk, false, sector, buf, count);
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

void blockdev_register_nodes(void)
{
  struct blockdev *bd;
  list_for_each_entry(bd, &blockdevs, link)
    devfs_add_node(bd->name, S_IFBLK | 0660, bd->dev);
}

/* ---- /dev/vdX: reading and writing a disk as a file ---- */

#include "kern/uio.h"
#include "kern/mm.h"

#define BOUNCE (64 * 1024)

static struct blockdev *file_bd(struct file *f)
{
  return blockdev_by_dev(f->inode->rdev);
}

static ssize_t blkdev_rw(struct file *f, struct uio *u, off_t *pos, bool write)
{
  struct blockdev *bd = file_bd(f);
  if (!bd)
    return -ENXIO;
  off_t size = (off_t)(bd->nsectors * SECTOR_SIZE);
  if (*pos >= size)
    return write && u->resid ? -ENOSPC : 0;
  char *buf = kmalloc(BOUNCE);
  if (!buf)
    return -ENOMEM;
  ssize_t total = 0;
  while (u->resid > 0 && *pos < size) {
    uint64_t first = *pos / SECTOR_SIZE;
    size_t off = *pos % SECTOR_SIZE;
    size_t n = MIN(MIN(u->resid, (size_t)BOUNCE - off), (size_t)(size - *pos));
    uint32_t nsec = DIV_ROUND_UP(off + n, SECTOR_SIZE);
    int r = 0;
    if (!write || off || (off + n) % SECTOR_SIZE) /* read (or read-modify-write) */
      r = bd->ops->rw(bd, false, first, buf, nsec);
    long c = 0;
    if (!r) {
      c = write ? uio_copy_from(u, buf + off, n) : uio_copy_to(u, buf + off, n);
      if (c > 0 && write)
        r = bd->ops->rw(bd, true, first, buf, nsec);
    }
    if (r || c <= 0) {
      if (!total)
        total = r ? r : c;
      break;
    }
    total += c;
    *pos += c;
  }
  kfree(buf);
  return total;
}

static ssize_t blkdev_read(struct file *f, struct uio *u, off_t *pos)
{
  return blkdev_rw(f, u, pos, false);
}

static ssize_t blkdev_write(struct file *f, struct uio *u, off_t *pos)
{
  return blkdev_rw(f, u, pos, true);
}

static off_t blkdev_llseek(struct file *f, off_t off, int whence)
{
  struct blockdev *bd = file_bd(f);
  off_t size = bd ? (off_t)(bd->nsectors * SECTOR_SIZE) : 0;
  return llseek_size(f, off, whence, size, size); /* Linux's fixed_size_llseek */
}

static int blkdev_fsync(struct file *f, bool datasync)
{
  (void)datasync;
  struct blockdev *bd = file_bd(f);
  return bd && bd->ops->flush ? bd->ops->flush(bd) : 0;
}

#define BLKGETSIZE64 0x80081272
#define BLKGETSIZE 0x1260
#define BLKSSZGET 0x1268
#define BLKROGET 0x125e

static int blkdev_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct blockdev *bd = file_bd(f);
  if (!bd)
    return -ENXIO;
  switch (cmd) {
  case BLKGETSIZE64: {
    uint64_t bytes = bd->nsectors * SECTOR_SIZE;
    return copyout(arg, &bytes, 8);
  }
  case BLKGETSIZE: {
    uint64_t n = bd->nsectors;
    return copyout(arg, &n, 8);
  }
  case BLKSSZGET: {
    int n = SECTOR_SIZE;
    return copyout(arg, &n, 4);
  }
  case BLKROGET: {
    int ro = bd->read_only;
    return copyout(arg, &ro, 4);
  }
  default:
    return bd->ops->ioctl ? bd->ops->ioctl(bd, cmd, arg) : -ENOTTY;
  }
}

static int blkdev_open(struct inode *ino, struct file *f)
{
  (void)f;
  return blockdev_by_dev(ino->rdev) ? 0 : -ENXIO;
}

const struct file_ops blkdev_fops = {
  .open = blkdev_open,
  .read = blkdev_read,
  .write = blkdev_write,
  .llseek = blkdev_llseek,
  .fsync = blkdev_fsync,
  .ioctl = blkdev_ioctl,
};
