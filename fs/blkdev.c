/*
 * blkdev.c — a block device opened as a file (/dev/vda, /dev/vda1, ...):
 * read, write, llseek, fsync and the BLK* ioctls, straight to the device
 * through a bounce buffer (no page cache; file systems use the block
 * cache). Linux's block/fops.c.
 *
 * Layer: fs, over the block-device registry (drivers/blk.c), which finds
 * the device by the inode's number. Locks: none of its own; the driver
 * serialises its requests.
 */
#include "drivers/blk.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/devfs.h"
#include "kern/errno.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include <string.h>

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
      r = blockdev_rw(bd, false, first, buf, nsec);
    long c = 0;
    if (!r) {
      c = write ? uio_copy_from(u, buf + off, n) : uio_copy_to(u, buf + off, n);
      if (c > 0 && write)
        r = blockdev_rw(bd, true, first, buf, nsec);
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
  return bd ? blockdev_flush(bd) : 0;
}

#define BLKGETSIZE64 0x80081272
#define BLKGETSIZE 0x1260
#define BLKSSZGET 0x1268
#define BLKROGET 0x125e
#define BLKRASET 0x1262
#define BLKRAGET 0x1263
#define BLKFRASET 0x1264
#define BLKFRAGET 0x1265

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
  case BLKRAGET:
  case BLKFRAGET: {
    /* the disk's setting, in sectors (a partition shares its disk's) */
    struct blockdev *disk = bd->whole ? bd->whole : bd;
    uint64_t n = READ_ONCE(disk->ra_pages) * (PAGE_SIZE / SECTOR_SIZE);
    return copyout(arg, &n, 8);
  }
  case BLKRASET:
  case BLKFRASET: {
    if (!capable(CAP_SYS_ADMIN))
      return -EACCES;
    struct blockdev *disk = bd->whole ? bd->whole : bd;
    WRITE_ONCE(disk->ra_pages, arg * SECTOR_SIZE / PAGE_SIZE);
    return 0;
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
  .mmap = generic_file_mmap,
};
