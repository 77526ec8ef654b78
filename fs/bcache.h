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

void bcache_init(void);
/* The block, locked and referenced, read from disk if needed; ERR_PTR(-EIO). */
struct buf *bread(struct blockdev *bd, uint64_t blockno, uint32_t size);
/* The block, locked and referenced, without reading it (the caller overwrites all of it). */
struct buf *bget_noread(struct blockdev *bd, uint64_t blockno, uint32_t size);
void bmark_dirty(struct buf *b);          /* written back later */
int bwrite(struct buf *b);                /* write now (still held) */
void brelse(struct buf *b);               /* unlock and drop the reference */
/* Keep a held buffer in the cache after brelse, until bunpin: a pinned
 * buffer is never evicted or invalidated (a journal's uncommitted block). */
void bpin(struct buf *b);
void bunpin(struct buf *b);
int bsync(struct blockdev *bd);           /* write back every dirty block of bd, then flush */
/* Forget cached blocks overlapping [sector, sector + count) (sectors of 512 bytes), e.g.
 * before the same sectors are written directly from the page cache. Dirty ones are dropped. */
void binvalidate(struct blockdev *bd, uint64_t sector, uint64_t count);
uint64_t bcache_nr_buffers(void);

#endif
