/*
 * ext4_env_kernel.c — the ext4 core's environment in the kernel
 * (fs/ext4/ext4_env.h): kmalloc, mutexes, the wall clock, the log ring, the
 * block cache (fs/bcache.h, with bpin/bunpin for the journal) for metadata
 * and the block device (drivers/blk.h) for file data and the log. The
 * device handle is a struct blockdev *.
 *
 * Layer: fs, under the ext4 core; calls kern/ (memory, mutexes, time,
 * printk), fs/bcache.c and the block device's rw and flush.
 *
 * Locks: an ext4_env_lock is a struct mutex; the block cache's as bcache.h.
 */
#include "fs/ext4/ext4_env.h"
#include "fs/bcache.h"
#include "drivers/blk.h"
#include "kern/mm.h"
#include "kern/wait.h"
#include "kern/time.h"
#include "kern/printk.h"

void *ext4_env_zalloc(size_t size)
{
  return kzalloc(size);
}

void ext4_env_free(void *p)
{
  kfree(p);
}

struct ext4_env_lock {
  struct mutex m;
};

struct ext4_env_lock *ext4_env_lock_new(const char *name)
{
  struct ext4_env_lock *l = kzalloc(sizeof(*l));
  if (l)
    mutex_init(&l->m, name);
  return l;
}

void ext4_env_lock_free(struct ext4_env_lock *l)
{
  kfree(l);
}

void ext4_env_lock(struct ext4_env_lock *l)
{
  mutex_lock(&l->m);
}

void ext4_env_unlock(struct ext4_env_lock *l)
{
  mutex_unlock(&l->m);
}

int64_t ext4_env_now(int32_t *nsec)
{
  uint64_t ns = time_realtime_ns();
  *nsec = (int32_t)(ns % NSEC_PER_SEC);
  return (int64_t)(ns / NSEC_PER_SEC);
}

/* Into the log ring only (warnings are not shown once user space runs). */
void ext4_env_log(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintk(LOG_WARNING, fmt, ap);
  va_end(ap);
}

struct ext4_buf *ext4_env_bread(void *dev, uint64_t blockno, uint32_t size, int *err)
{
  struct buf *b = bread(dev, blockno, size);
  if (IS_ERR(b)) {
    *err = (int)PTR_ERR(b);
    return NULL;
  }
  return (struct ext4_buf *)b;
}

struct ext4_buf *ext4_env_bget_noread(void *dev, uint64_t blockno, uint32_t size, int *err)
{
  struct buf *b = bget_noread(dev, blockno, size);
  if (IS_ERR(b)) {
    *err = (int)PTR_ERR(b);
    return NULL;
  }
  return (struct ext4_buf *)b;
}

void *ext4_env_bdata(struct ext4_buf *b)
{
  return ((struct buf *)b)->data;
}

void ext4_env_bdirty(struct ext4_buf *b)
{
  bmark_dirty((struct buf *)b);
}

int ext4_env_bwrite(struct ext4_buf *b)
{
  return bwrite((struct buf *)b);
}

void ext4_env_brelse(struct ext4_buf *b)
{
  brelse((struct buf *)b);
}

void ext4_env_bpin(struct ext4_buf *b)
{
  bpin((struct buf *)b);
}

void ext4_env_bunpin(struct ext4_buf *b)
{
  bunpin((struct buf *)b);
}

int ext4_env_flush(void *dev)
{
  struct blockdev *bd = dev;
  return blockdev_flush(bd);
}

int ext4_env_bsync(void *dev)
{
  return bsync(dev);
}

void ext4_env_binvalidate(void *dev, uint64_t sector, uint64_t count)
{
  binvalidate(dev, sector, count);
}

int ext4_env_rw(void *dev, bool write, uint64_t sector, void *buf, uint32_t count)
{
  struct blockdev *bd = dev;
  if (sector + count > bd->nsectors)
    return -EIO;
  return blockdev_rw(bd, write, sector, buf, count);
}

uint64_t ext4_env_nsectors(void *dev)
{
  return ((struct blockdev *)dev)->nsectors;
}

bool ext4_env_read_only(void *dev)
{
  return ((struct blockdev *)dev)->read_only;
}
