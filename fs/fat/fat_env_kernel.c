/*
 * fat_env_kernel.c — the FAT32 core's environment in the kernel
 * (fs/fat/fat_env.h): kmalloc, mutexes, the wall clock, the log ring, the
 * block cache (fs/bcache.h) for metadata and the block device
 * (drivers/blk.h) for file data. The device handle is a struct blockdev *.
 *
 * Layer: fs, under the FAT32 core; calls kern/ (memory, mutexes, time,
 * printk), fs/bcache.c and the block device's rw.
 *
 * Locks: a fat_env_lock is a struct mutex; the block cache's as bcache.h.
 */
#include "fs/fat/fat_env.h"
#include "fs/bcache.h"
#include "drivers/blk.h"
#include "kern/mm.h"
#include "kern/wait.h"
#include "kern/time.h"
#include "kern/printk.h"

void *fat_env_zalloc(size_t size)
{
  return kzalloc(size);
}

void fat_env_free(void *p)
{
  kfree(p);
}

struct fat_env_lock {
  struct mutex m;
};

struct fat_env_lock *fat_env_lock_new(const char *name)
{
  struct fat_env_lock *l = kzalloc(sizeof(*l));
  if (l)
    mutex_init(&l->m, name);
  return l;
}

void fat_env_lock_free(struct fat_env_lock *l)
{
  kfree(l);
}

void fat_env_lock(struct fat_env_lock *l)
{
  mutex_lock(&l->m);
}

void fat_env_unlock(struct fat_env_lock *l)
{
  mutex_unlock(&l->m);
}

int64_t fat_env_now(int32_t *nsec)
{
  uint64_t ns = time_realtime_ns();
  *nsec = (int32_t)(ns % NSEC_PER_SEC);
  return (int64_t)(ns / NSEC_PER_SEC);
}

/* Into the log ring only (warnings are not shown once user space runs). */
void fat_env_log(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintk(LOG_WARNING, fmt, ap);
  va_end(ap);
}

struct fat_buf *fat_env_bread(void *dev, uint64_t blockno, uint32_t size, int *err)
{
  struct buf *b = bread(dev, blockno, size);
  if (IS_ERR(b)) {
    *err = (int)PTR_ERR(b);
    return NULL;
  }
  return (struct fat_buf *)b;
}

struct fat_buf *fat_env_bget_noread(void *dev, uint64_t blockno, uint32_t size, int *err)
{
  struct buf *b = bget_noread(dev, blockno, size);
  if (IS_ERR(b)) {
    *err = (int)PTR_ERR(b);
    return NULL;
  }
  return (struct fat_buf *)b;
}

void *fat_env_bdata(struct fat_buf *b)
{
  return ((struct buf *)b)->data;
}

void fat_env_bdirty(struct fat_buf *b)
{
  bmark_dirty((struct buf *)b);
}

void fat_env_brelse(struct fat_buf *b)
{
  brelse((struct buf *)b);
}

int fat_env_bsync(void *dev)
{
  return bsync(dev);
}

void fat_env_binvalidate(void *dev, uint64_t sector, uint64_t count)
{
  binvalidate(dev, sector, count);
}

int fat_env_rw(void *dev, bool write, uint64_t sector, void *buf, uint32_t count)
{
  struct blockdev *bd = dev;
  if (sector + count > bd->nsectors)
    return -EIO;
  return blockdev_rw(bd, write, sector, buf, count);
}

uint64_t fat_env_nsectors(void *dev)
{
  return ((struct blockdev *)dev)->nsectors;
}

bool fat_env_read_only(void *dev)
{
  return ((struct blockdev *)dev)->read_only;
}
