/*
 * bcache.h — the block cache: recently used disk blocks kept in memory.
 *
 * File systems read and write their metadata (FAT tables, directories,
 * superblocks) through it; file contents go through the page cache
 * instead (fs/pagecache.c), so no data is cached twice.
 *
 * Policy: LRU replacement among unreferenced buffers; write-back — a
 * dirty buffer is written when it is evicted, on bsync()/sync()/fsync(),
 * on unmount, and by the periodic flush, which every 5 s also syncs the
 * mounted file systems (their dirty file pages). See docs/block.md.
 *
 * Layer: fs, under the disk file systems (fs/fat, fs/ext4) and above the
 * block-device registry (drivers/blk.h), whose rw and flush it calls.
 *
 * Locks: bcache_lock (a spinlock, fs/bcache.c) guards the hash, the LRU
 * list and every refcount; b->lock (a sleeping mutex) is held by the one
 * user of a buffer's contents, from bread/bget_noread to brelse. Take
 * buffer locks with no spinlock held (the calls may sleep for I/O).
 */
#ifndef KITE_BCACHE_H
#define KITE_BCACHE_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/wait.h"

struct blockdev;

struct buf {
  struct blockdev *bd;
  uint64_t blockno;           /* in units of `size` bytes */
  uint32_t size;              /* block size: 512 .. 4096, a power of two */
  void *data;
  bool valid;                 /* data holds the disk contents */
  bool dirty;                 /* data differs from the disk */
  int refcount;               /* holders (bcache lock) */
  struct mutex lock;          /* held by the one user of the contents */
  struct list_head hash_link; /* in its hash bucket */
  struct list_head lru_link;  /* in the LRU list (all buffers) */
};

/* At boot: empty hash buckets. The flush thread ("bflush", every 5 s)
 * starts with the first buffer. */
void bcache_init(void);
/* The block, locked and referenced, read from disk if needed; ERR_PTR(-EIO). */
struct buf *bread(struct blockdev *bd, uint64_t blockno, uint32_t size);
/* The block, locked and referenced, without reading it (the caller overwrites all of it). */
struct buf *bget_noread(struct blockdev *bd, uint64_t blockno, uint32_t size);
/* On a buffer the caller holds (locked): bmark_dirty has it written back
 * later (eviction, bsync, the flush); bwrite writes it now, 0 or the
 * device's -EIO, and the caller still holds it; brelse unlocks it and
 * drops the reference (the buffer stays cached, most recently used). */
void bmark_dirty(struct buf *b);
int bwrite(struct buf *b);
void brelse(struct buf *b);
/* Keep a held buffer in the cache after brelse, until bunpin: a pinned
 * buffer is never evicted or invalidated (a journal's uncommitted block). */
void bpin(struct buf *b);
void bunpin(struct buf *b);
/* Write back every dirty block of bd (NULL: of every device), then flush
 * the device's write cache: 0 or the first error. Takes each buffer's
 * lock in turn: call holding none. */
int bsync(struct blockdev *bd);
/* Forget cached blocks overlapping [sector, sector + count) (sectors of 512 bytes), e.g.
 * before the same sectors are written directly from the page cache. Dirty ones are dropped. */
void binvalidate(struct blockdev *bd, uint64_t sector, uint64_t count);
/* Buffers in the cache now (an atomic read; no caller today). */
uint64_t bcache_nr_buffers(void);

#endif
