/*
 * bcache.c — the block cache (see bcache.h).
 *
 * Buffers live in a hash table keyed by (device, block number, size) and on
 * one LRU list. bread() finds or allocates a buffer, taking its sleep lock;
 * brelse() moves it to the most-recently-used end. When the cache is full
 * the least recently used unreferenced buffer is reused, written back first
 * if dirty. A kernel thread, started with the first buffer, syncs the file
 * systems every 5 seconds, so a crash loses at most that much that was not
 * fsync'ed.
 *
 * Layer: fs, under fs/fat and fs/ext4 (their metadata), over the block
 * devices (drivers/blk.h: bd->ops->rw, flush); the flush thread also
 * calls fs/super.c's sync of every mounted file system.
 *
 * Locks: bcache_lock (spinlock) over the hash, the LRU list and refcounts,
 * never held across I/O; each buffer's mutex over its contents.
 */
#include "fs/bcache.h"
#include "drivers/blk.h"
#include "fs/mount.h"
#include "kern/mm.h"
#include "kern/task.h"
#include "kern/wait.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

#define BCACHE_MAX 4096          /* buffers (up to 16 MiB with 4 KiB blocks) */
#define NHASH 1024
#define FLUSH_INTERVAL_NS (5 * NSEC_PER_SEC)

static struct spinlock bcache_lock = SPINLOCK_INIT("bcache");
static struct list_head hash[NHASH];
static LIST_HEAD(lru);           /* head = least recently used */
static uint64_t nbufs;

static unsigned hash_of(struct blockdev *bd, uint64_t blockno)
{
  return (unsigned)(((uintptr_t)bd >> 4) ^ (blockno * 0x9e3779b1u)) % NHASH;
}

static void flush_thread(void *arg);
static struct task *flusher;     /* the flush thread, once started */
static struct mutex flusher_lock = MUTEX_INIT(flusher_lock, "bflush");

void bcache_init(void)
{
  for (int i = 0; i < NHASH; i++)
    list_init(&hash[i]);
}

/* Start the flush thread with the first buffer, not at boot: until a disk
 * file system has read a block through the cache (ext4 and FAT read their
 * superblock so when they mount) nothing can be dirty, and a thread that
 * ran at boot cost the boot its first run (docs/boot.md, ninth round).
 * Process context, no spinlock held; out of memory, the next buffer tries
 * again. */
static void flusher_start(void)
{
  if (READ_ONCE(flusher))
    return;
  mutex_lock(&flusher_lock);
  if (!flusher)
    WRITE_ONCE(flusher, kthread_create("bflush", flush_thread, NULL));
  mutex_unlock(&flusher_lock);
}

static int buf_io(struct buf *b, bool write)
{
  uint32_t spb = b->size / SECTOR_SIZE;
  return blockdev_rw(b->bd, write, b->blockno * spb, b->data, spb);
}

/* Find or make the buffer; returns it referenced but not locked. */
static struct buf *bget(struct blockdev *bd, uint64_t blockno, uint32_t size)
{
  unsigned h = hash_of(bd, blockno);
  for (;;) {
    spin_lock(&bcache_lock);
    struct buf *b;
    list_for_each_entry(b, &hash[h], hash_link) {
      if (b->bd == bd && b->blockno == blockno && b->size == size) {
        b->refcount++;
        spin_unlock(&bcache_lock);
        return b;
      }
    }
    if (nbufs < BCACHE_MAX) {
      nbufs++;
      spin_unlock(&bcache_lock);
      flusher_start();
      struct buf *nb = kzalloc(sizeof(*nb));
      void *data = nb ? kmalloc(size) : NULL;
      if (!data) {
        kfree(nb);
        spin_lock(&bcache_lock);
        nbufs--;
        spin_unlock(&bcache_lock);
        return ERR_PTR(-ENOMEM);
      }
      nb->data = data;
      mutex_init(&nb->lock, "buf");
      list_init(&nb->lru_link);
      list_init(&nb->hash_link);
      spin_lock(&bcache_lock);
      /* Someone may have added the same block meanwhile: look again. */
      list_for_each_entry(b, &hash[h], hash_link) {
        if (b->bd == bd && b->blockno == blockno && b->size == size) {
          b->refcount++;
          nbufs--;
          spin_unlock(&bcache_lock);
          kfree(data);
          kfree(nb);
          return b;
        }
      }
      nb->bd = bd;
      nb->blockno = blockno;
      nb->size = size;
      nb->refcount = 1;
      list_add(&nb->hash_link, &hash[h]);
      list_add_tail(&nb->lru_link, &lru);
      spin_unlock(&bcache_lock);
      return nb;
    }
    /* Recycle the least recently used idle buffer. */
    struct buf *victim = NULL;
    list_for_each_entry(b, &lru, lru_link) {
      if (b->refcount == 0) {
        victim = b;
        break;
      }
    }
    if (!victim) {
      spin_unlock(&bcache_lock);
      return ERR_PTR(-ENOMEM);
    }
    victim->refcount++;
    spin_unlock(&bcache_lock);
    mutex_lock(&victim->lock);
    if (victim->dirty) {
      buf_io(victim, true); /* written before reuse (write-back) */
      victim->dirty = false;
    }
    spin_lock(&bcache_lock);
    if (victim->refcount != 1 || victim->dirty) { /* someone started using it */
      victim->refcount--;
      spin_unlock(&bcache_lock);
      mutex_unlock(&victim->lock);
      continue;
    }
    list_del(&victim->hash_link);
    if (victim->size != size) {
      spin_unlock(&bcache_lock);
      void *data = kmalloc(size);
      spin_lock(&bcache_lock);
      if (!data) {
        list_add(&victim->hash_link, &hash[hash_of(victim->bd, victim->blockno)]);
        victim->refcount--;
        spin_unlock(&bcache_lock);
        mutex_unlock(&victim->lock);
        return ERR_PTR(-ENOMEM);
      }
      kfree(victim->data);
      victim->data = data;
    }
    victim->bd = bd;
    victim->blockno = blockno;
    victim->size = size;
    victim->valid = false;
    list_add(&victim->hash_link, &hash[h]);
    spin_unlock(&bcache_lock);
    mutex_unlock(&victim->lock);
    return victim;
  }
}

struct buf *bread(struct blockdev *bd, uint64_t blockno, uint32_t size)
{
  struct buf *b = bget(bd, blockno, size);
  if (IS_ERR(b))
    return b;
  mutex_lock(&b->lock);
  if (!b->valid) {
    if (buf_io(b, false)) {
      mutex_unlock(&b->lock);
      spin_lock(&bcache_lock);
      b->refcount--;
      spin_unlock(&bcache_lock);
      return ERR_PTR(-EIO);
    }
    b->valid = true;
  }
  return b;
}

struct buf *bget_noread(struct blockdev *bd, uint64_t blockno, uint32_t size)
{
  struct buf *b = bget(bd, blockno, size);
  if (IS_ERR(b))
    return b;
  mutex_lock(&b->lock);
  b->valid = true;
  return b;
}

void bmark_dirty(struct buf *b)
{
  b->dirty = true;
}

int bwrite(struct buf *b)
{
  int r = buf_io(b, true);
  if (r == 0)
    b->dirty = false;
  return r;
}

void brelse(struct buf *b)
{
  mutex_unlock(&b->lock);
  spin_lock(&bcache_lock);
  b->refcount--;
  list_move_tail(&b->lru_link, &lru); /* most recently used */
  spin_unlock(&bcache_lock);
}

void bpin(struct buf *b)
{
  spin_lock(&bcache_lock);
  b->refcount++;
  spin_unlock(&bcache_lock);
}

void bunpin(struct buf *b)
{
  spin_lock(&bcache_lock);
  b->refcount--;
  spin_unlock(&bcache_lock);
}

/* Write back dirty buffers of bd (all devices if NULL). */
static int writeback(struct blockdev *bd)
{
  int err = 0;
  for (;;) {
    struct buf *found = NULL;
    spin_lock(&bcache_lock);
    struct buf *b;
    list_for_each_entry(b, &lru, lru_link) {
      if (b->dirty && (!bd || b->bd == bd)) {
        found = b;
        b->refcount++;
        break;
      }
    }
    spin_unlock(&bcache_lock);
    if (!found)
      return err;
    mutex_lock(&found->lock);
    if (found->dirty) {
      int r = bwrite(found);
      if (r) {
        err = r;
        found->dirty = false; /* drop it: retrying forever would hang sync */
        pr_err("bcache: write error on %s block %lu", found->bd->name, (unsigned long)found->blockno);
      }
    }
    brelse(found);
  }
}

int bsync(struct blockdev *bd)
{
  int r = writeback(bd);
  if (bd) {
    int f = blockdev_flush(bd);
    if (!r)
      r = f;
  }
  return r;
}

void binvalidate(struct blockdev *bd, uint64_t sector, uint64_t count)
{
  spin_lock(&bcache_lock);
  for (int h = 0; h < NHASH; h++) {
    struct buf *b;
    list_for_each_entry(b, &hash[h], hash_link) {
      if (b->bd != bd)
        continue;
      uint64_t spb = b->size / SECTOR_SIZE, s = b->blockno * spb;
      if (s < sector + count && sector < s + spb && b->refcount == 0) {
        b->valid = false;
        b->dirty = false;
      }
    }
  }
  spin_unlock(&bcache_lock);
}

uint64_t bcache_nr_buffers(void)
{
  return READ_ONCE(nbufs);
}

/*
 * The periodic flush: every 5 s, write back what the file systems hold
 * dirty (page-cache pages and inodes, through each file system's sync),
 * then any block still dirty here. A crash loses at most about 5 s of
 * writes that were not fsync'ed.
 */
static void flush_thread(void *arg)
{
  (void)arg;
  for (;;) {
    sleep_ns(FLUSH_INTERVAL_NS);
    sync_all();
    writeback(NULL);
  }
}
