/*
 * ext4_file.c — file data: mapping logical blocks (through the extent tree
 * or the old block map), reading and writing whole blocks straight to the
 * disk, delayed allocation (blocks promised at write(), allocated at
 * writeback), truncation through the orphan list, eviction of unlinked
 * inodes, fallocate, SEEK_DATA/SEEK_HOLE, and byte-granular pread/pwrite
 * for callers without a page cache.
 *
 * Layer: ext4 core (see ext4.h). Below: ext4_extent.c, ext4_indirect.c,
 * ext4_alloc.c; above: the VFS glue (readpage/writepage) and the tests.
 *
 * Locks: public functions take fs->lock and hold it during their disk I/O
 * (one operation at a time on a volume, as FAT does).
 *
 * Delayed allocation: n->da is a sorted list of logical block ranges with
 * a promise (fs->reserved counts them all). ext4_write allocates what it
 * writes (goal: right after the previous block) and keeps the promise.
 */
#include "fs/ext4/ext4_int.h"

struct ext4_da {
  uint32_t n, cap;
  struct ext4_da_range {
    uint32_t start, len;
  } r[];
};

#define MAX_LBLK ((uint64_t)1 << 32)
#define TRUNCATE_CHUNK 32768u          /* blocks freed per transaction */

/* ---- promised blocks ---- */

static bool da_has(struct ext4_node *n, uint32_t lblk, uint32_t *run)
{
  struct ext4_da *d = n->da;
  for (uint32_t i = 0; d && i < d->n; i++) {
    if (lblk >= d->r[i].start && lblk - d->r[i].start < d->r[i].len) {
      if (run)
        *run = d->r[i].len - (lblk - d->r[i].start);
      return true;
    }
    if (d->r[i].start > lblk)
      break;
  }
  return false;
}

/* Add one block to the promises (it is not in them). 0 or -ENOMEM. */
static int da_add(struct ext4_node *n, uint32_t lblk)
{
  struct ext4_da *d = n->da;
  uint32_t i = 0;
  while (d && i < d->n && d->r[i].start + d->r[i].len < lblk)
    i++;
  if (d && i < d->n && d->r[i].start + d->r[i].len == lblk) {
    d->r[i].len++;
    if (i + 1 < d->n && d->r[i + 1].start == lblk + 1) {  /* joins the next range */
      d->r[i].len += d->r[i + 1].len;
      memmove(&d->r[i + 1], &d->r[i + 2], (d->n - i - 2) * sizeof(d->r[0]));
      d->n--;
    }
    return 0;
  }
  if (d && i < d->n && d->r[i].start == lblk + 1) {
    d->r[i].start--;
    d->r[i].len++;
    return 0;
  }
  if (!d || d->n == d->cap) {
    uint32_t cap = d ? d->cap * 2 : 4;
    struct ext4_da *nd = ext4_env_zalloc(sizeof(*nd) + cap * sizeof(nd->r[0]));
    if (!nd)
      return -ENOMEM;
    if (d)
      memcpy(nd, d, sizeof(*d) + d->n * sizeof(d->r[0]));
    nd->cap = cap;
    ext4_env_free(d);
    n->da = d = nd;
  }
  memmove(&d->r[i + 1], &d->r[i], (d->n - i) * sizeof(d->r[0]));
  d->r[i].start = lblk;
  d->r[i].len = 1;
  d->n++;
  return 0;
}

/* Drop the promises for [lblk, lblk + len); returns how many there were. */
static uint64_t da_drop(struct ext4_node *n, uint32_t lblk, uint64_t len)
{
  struct ext4_da *d = n->da;
  uint64_t dropped = 0, end = lblk + len;
  for (uint32_t i = 0; d && i < d->n;) {
    uint64_t s = d->r[i].start, e = s + d->r[i].len;
    if (e <= lblk || s >= end) {
      i++;
      continue;
    }
    uint64_t cs = MAX(s, lblk), ce = MIN(e, end);
    dropped += ce - cs;
    if (cs == s && ce == e) {
      memmove(&d->r[i], &d->r[i + 1], (d->n - i - 1) * sizeof(d->r[0]));
      d->n--;
      continue;
    }
    if (cs == s) {
      d->r[i].start = (uint32_t)ce;
      d->r[i].len = (uint32_t)(e - ce);
    } else if (ce == e) {
      d->r[i].len = (uint32_t)(cs - s);
    } else if (d->n < d->cap) {  /* a hole in the middle of a range */
      memmove(&d->r[i + 1], &d->r[i], (d->n - i) * sizeof(d->r[0]));
      d->n++;
      d->r[i].len = (uint32_t)(cs - s);
      d->r[i + 1].start = (uint32_t)ce;
      d->r[i + 1].len = (uint32_t)(e - ce);
      i++;
    } else {
      dropped -= ce - cs;  /* no room to split: keep the promise */
    }
    i++;
  }
  return dropped;
}

uint64_t ext4_promised(struct ext4_node *n)
{
  uint64_t k = 0;
  for (uint32_t i = 0; n->da && i < n->da->n; i++)
    k += n->da->r[i].len;
  return k;
}

static void unpromise(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t len)
{
  uint64_t k = da_drop(n, lblk, len);
  fs->reserved -= MIN(k, fs->reserved);
}

/* ---- mapping ---- */

int ext4_map(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t *pblk, uint32_t *len,
             unsigned *flags)
{
  *flags = 0;
  if (n->flags & EXT4_INLINE_DATA_FL) {
    *pblk = 0;
    *len = 0xffffffffu - lblk;
    return 0;
  }
  if (n->flags & EXT4_EXTENTS_FL)
    return ext4_ext_map(fs, n, lblk, pblk, len, flags);
  return ext4_ind_map(fs, n, lblk, pblk, len);
}

/* Where the blocks of a file without any should go: its inode's group. */
static uint64_t first_goal(struct ext4_fs *fs, struct ext4_node *n)
{
  uint32_t g = (n->ino - 1) / fs->inodes_per_group;
  return ext4_group_first(fs, g);
}

static int map_alloc(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t count,
                     bool unwritten, bool use_reserved, uint64_t *pblk, uint32_t *got)
{
  uint32_t len;
  unsigned fl;
  int err = ext4_map(fs, n, lblk, pblk, &len, &fl);
  if (err)
    return err;
  if (*pblk) {
    *got = MIN(len, count);
    return 0;
  }
  if (n->flags & EXT4_INLINE_DATA_FL)
    return -EROFS;
  count = MIN(count, len);
  uint64_t goal = 0, prev;
  if (lblk > 0 && ext4_map(fs, n, lblk - 1, &prev, &len, &fl) == 0 && prev)
    goal = prev + 1;
  if (!goal)
    goal = first_goal(fs, n);
  if (!(n->flags & EXT4_EXTENTS_FL))
    count = MIN(count, 64u);
  uint64_t start;
  err = ext4_alloc_blocks(fs, goal, count, use_reserved, &start, got);
  if (err)
    return err;
  if (n->flags & EXT4_EXTENTS_FL)
    err = ext4_ext_insert(fs, n, lblk, start, *got, unwritten);
  else if (unwritten)
    err = -EOPNOTSUPP;
  else
    err = ext4_ind_insert(fs, n, lblk, start, *got);
  if (err) {
    ext4_free_blocks(fs, start, *got, false);
    return err;
  }
  ext4_add_blocks(fs, n, *got);
  *pblk = start;
  return ext4_inode_write(fs, n);
}

int ext4_map_alloc(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t count,
                   bool unwritten, uint64_t *pblk, uint32_t *got)
{
  return map_alloc(fs, n, lblk, count, unwritten, true, pblk, got);
}

int ext4_map_alloc_data(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t count,
                        bool reserved, uint64_t *pblk, uint32_t *got)
{
  return map_alloc(fs, n, lblk, count, false, reserved, pblk, got);
}

int ext4_unmap(struct ext4_fs *fs, struct ext4_node *n, uint64_t from, uint64_t to)
{
  if (!ext4_has_blocks(fs, n) || from >= to)
    return 0;
  if (n->flags & EXT4_EXTENTS_FL)
    return ext4_ext_remove(fs, n, from, &to, UINT64_MAX);
  if (to < MAX_LBLK)
    return -EOPNOTSUPP;  /* the block map only shrinks from the end */
  return ext4_ind_remove(fs, n, from);
}

/* ---- reading and writing whole blocks ---- */

static void note_large_file(struct ext4_fs *fs, struct ext4_node *n)
{
  if (n->size > 0x7fffffffULL && !(fs->sb.s_feature_ro_compat & EXT4_RO_COMPAT_LARGE_FILE)) {
    fs->sb.s_feature_ro_compat |= EXT4_RO_COMPAT_LARGE_FILE;
    fs->ro_compat = fs->sb.s_feature_ro_compat;
    fs->sb_dirty = true;
  }
}


int ext4_read_locked(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len)
{
  if (n->flags & EXT4_INLINE_DATA_FL)
    return ext4_inline_read(fs, n, off, buf, len);
  uint8_t *p = buf;
  uint32_t nblk = (uint32_t)((len + fs->block_size - 1) >> fs->log_block);
  uint64_t lblk = off >> fs->log_block;
  if (lblk + nblk > MAX_LBLK)
    return -EINVAL;
  while (nblk) {
    uint64_t pblk;
    uint32_t run;
    unsigned fl;
    int err = ext4_map(fs, n, (uint32_t)lblk, &pblk, &run, &fl);
    if (err)
      return err;
    run = MIN(run, nblk);
    size_t bytes = (size_t)run << fs->log_block;
    if (!pblk || (fl & EXT4_MAP_UNWRITTEN)) {
      memset(p, 0, bytes);
    } else {
      err = ext4_env_rw(fs->dev, false, pblk * fs->sectors_per_block, p, run * fs->sectors_per_block);
      if (err)
        return err;
    }
    p += bytes;
    lblk += run;
    nblk -= run;
  }
  return 0;
}

int ext4_read(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len)
{
  ext4_env_lock(fs->lock);
  int r = ext4_read_locked(fs, n, off, buf, len);
  ext4_env_unlock(fs->lock);
  return r;
}

/* In a hole that no write() promised blocks to (a page around the bytes
 * written, a page dirtied through mmap): the leading run of blocks that
 * are all zeros (*skip true: nothing to write there), or else the run of
 * blocks holding data. */
static uint32_t zero_blocks(struct ext4_fs *fs, const uint8_t *p, uint32_t run, bool *skip)
{
  uint32_t k = 0;
  bool zero = true;
  for (; k < run; k++) {
    const uint8_t *blk = p + ((size_t)k << fs->log_block);
    bool z = blk[0] == 0 && !memcmp(blk, blk + 1, fs->block_size - 1);
    if (k == 0)
      zero = z;
    else if (z != zero)
      break;
  }
  *skip = zero;
  return k;
}

/*
 * Write whole blocks from buf at off, allocating what is missing, and
 * extend the inode's size to cover what was written (at most file_size,
 * the size the caller knows). Allocation, data and size go in one
 * transaction per run: the data is on disk before the block map that
 * points at it can be committed. *done: bytes written before an error.
 */
static int write_locked(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, const void *buf,
                        size_t len, uint64_t file_size, size_t *done)
{
  const uint8_t *p = buf;
  uint32_t nblk = (uint32_t)((len + fs->block_size - 1) >> fs->log_block);
  uint64_t lblk = off >> fs->log_block;
  *done = 0;
  if (lblk + nblk > MAX_LBLK)
    return -EFBIG;
  int err = 0;
  while (nblk && !err) {
    uint64_t pblk;
    uint32_t run;
    unsigned fl;
    err = ext4_map(fs, n, (uint32_t)lblk, &pblk, &run, &fl);
    if (err)
      break;
    run = MIN(run, nblk);
    bool fresh = !pblk, unw = fl & EXT4_MAP_UNWRITTEN, skip = false;
    uint32_t drun = 0;
    bool promised = fresh && da_has(n, (uint32_t)lblk, &drun);
    if (promised)
      run = MIN(run, drun);
    else if (fresh)
      run = zero_blocks(fs, p, run, &skip);  /* holes nobody wrote stay holes */
    uint64_t end = MIN((lblk + run) << fs->log_block, file_size);
    bool grows = end > n->size;
    if ((fresh && !skip) || unw || grows)
      err = ext4_tx_begin(fs, 16);
    if (!err && fresh && !skip) {
      err = ext4_map_alloc_data(fs, n, (uint32_t)lblk, run, promised, &pblk, &run);
      if (!err && promised)
        unpromise(fs, n, (uint32_t)lblk, run);
      end = MIN((lblk + run) << fs->log_block, file_size);
    }
    if (!err && !skip)
      err = ext4_env_rw(fs->dev, true, pblk * fs->sectors_per_block, (void *)p, run * fs->sectors_per_block);
    if (!err && unw)
      err = ext4_ext_mark_written(fs, n, (uint32_t)lblk, run);
    if (!err && end > n->size) {
      n->size = end;
      note_large_file(fs, n);
    }
    bool tx = (fresh && !skip) || unw || grows;
    if (!err && tx)
      err = ext4_inode_write(fs, n);
    if (tx)
      err = ext4_tx_end(fs, err);
    if (!err)
      *done += (size_t)run << fs->log_block;
    p += (size_t)run << fs->log_block;
    lblk += run;
    nblk -= run;
  }
  return err;
}

int ext4_write(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, const void *buf, size_t len,
               uint64_t file_size)
{
  ext4_env_lock(fs->lock);
  size_t done;
  int r = fs->read_only ? -EROFS : n->freed ? -ESTALE : write_locked(fs, n, off, buf, len, file_size, &done);
  ext4_env_unlock(fs->lock);
  return r;
}

/* Blocks held back for metadata that delayed writes will need. */
static uint64_t margin(struct ext4_fs *fs)
{
  return 64 + fs->nblocks / 1024;
}

int ext4_reserve(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, uint64_t len, uint64_t *got)
{
  ext4_env_lock(fs->lock);
  *got = 0;
  int err = fs->read_only ? -EROFS : 0;
  uint64_t lblk = off >> fs->log_block;
  uint64_t end = (off + len + fs->block_size - 1) >> fs->log_block;
  if (!err && end > MAX_LBLK)
    err = -EFBIG;
  while (!err && lblk < end) {
    uint64_t pblk;
    uint32_t run;
    unsigned fl;
    err = ext4_map(fs, n, (uint32_t)lblk, &pblk, &run, &fl);
    if (err)
      break;
    run = (uint32_t)MIN((uint64_t)run, end - lblk);
    if (!pblk && !(n->flags & EXT4_INLINE_DATA_FL)) {
      for (uint32_t i = 0; i < run && !err; i++) {
        if (da_has(n, (uint32_t)lblk + i, NULL))
          continue;
        if (fs->free_blocks < fs->reserved + margin(fs) + 1) {
          err = -ENOSPC;
          run = i;
          break;
        }
        err = da_add(n, (uint32_t)lblk + i);
        if (!err)
          fs->reserved++;
      }
    }
    lblk += run;
  }
  uint64_t covered = (lblk << fs->log_block) > off ? (lblk << fs->log_block) - off : 0;
  *got = MIN(covered, len);
  ext4_env_unlock(fs->lock);
  return err;
}

void ext4_unreserve(struct ext4_fs *fs, struct ext4_node *n, uint64_t from)
{
  ext4_env_lock(fs->lock);
  uint64_t lblk = (from + fs->block_size - 1) >> fs->log_block;
  if (lblk < MAX_LBLK)
    unpromise(fs, n, (uint32_t)lblk, MAX_LBLK - lblk);
  ext4_env_unlock(fs->lock);
}

/* ---- sizes ---- */

/* Zero the part of the block holding byte `size` that lies past it, on disk. */
static int zero_tail(struct ext4_fs *fs, struct ext4_node *n, uint64_t size)
{
  uint32_t in = (uint32_t)(size & (fs->block_size - 1));
  if (!in || !ext4_has_blocks(fs, n))
    return 0;
  uint64_t pblk;
  uint32_t run;
  unsigned fl;
  int err = ext4_map(fs, n, (uint32_t)(size >> fs->log_block), &pblk, &run, &fl);
  if (err || !pblk || (fl & EXT4_MAP_UNWRITTEN))
    return err;
  uint8_t *buf = ext4_env_zalloc(fs->block_size);
  if (!buf)
    return -ENOMEM;
  err = ext4_env_rw(fs->dev, false, pblk * fs->sectors_per_block, buf, fs->sectors_per_block);
  if (!err) {
    memset(buf + in, 0, fs->block_size - in);
    err = ext4_env_rw(fs->dev, true, pblk * fs->sectors_per_block, buf, fs->sectors_per_block);
  }
  ext4_env_free(buf);
  return err;
}

int ext4_truncate_locked(struct ext4_fs *fs, struct ext4_node *n, uint64_t size)
{
  uint64_t max = (MAX_LBLK << fs->log_block) - 1;
  if (!(n->flags & EXT4_EXTENTS_FL)) {
    uint64_t p = fs->block_size / 4;
    max = MIN(max, (EXT4_NDIR_BLOCKS + p + p * p + p * p * p) << fs->log_block);
  }
  if (size > max)
    return -EFBIG;
  if ((n->flags & EXT4_INLINE_DATA_FL) && size != n->size)
    return -EOPNOTSUPP;
  int err = ext4_tx_begin(fs, 8);
  if (err)
    return err;
  bool shrink = size < n->size || (n->orphan && n->links);
  if (shrink)
    err = ext4_orphan_add(fs, n);  /* a crash now finishes the truncation */
  n->size = size;
  note_large_file(fs, n);
  if (!err)
    err = ext4_inode_write(fs, n);
  err = ext4_tx_end(fs, err);
  uint64_t from = (size + fs->block_size - 1) >> fs->log_block;
  if (!err && from < MAX_LBLK)
    unpromise(fs, n, (uint32_t)from, MAX_LBLK - from);  /* pages past the end are gone */
  if (err || !shrink)
    return err;
  err = zero_tail(fs, n, size);
  /* Free from the end backwards, a chunk of blocks per transaction. */
  uint64_t to = MAX_LBLK;
  if (n->flags & EXT4_EXTENTS_FL) {
    while (!err && to > from) {
      err = ext4_tx_begin(fs, 64);
      if (!err)
        err = ext4_tx_end(fs, ext4_ext_remove(fs, n, from, &to, TRUNCATE_CHUNK));
    }
  } else if (ext4_has_blocks(fs, n)) {
    err = ext4_tx_begin(fs, 256);
    if (!err)
      err = ext4_tx_end(fs, ext4_unmap(fs, n, from, MAX_LBLK));
  }
  if (!err && n->links) {
    err = ext4_tx_begin(fs, 4);
    if (!err)
      err = ext4_tx_end(fs, ext4_orphan_del(fs, n));
  }
  return err;
}

int ext4_evict_locked(struct ext4_fs *fs, struct ext4_node *n)
{
  int err = 0;
  if (ext4_has_blocks(fs, n) && n->size)
    err = ext4_truncate_locked(fs, n, 0);
  else if (ext4_has_blocks(fs, n))
    err = ext4_unmap(fs, n, 0, MAX_LBLK);
  if (!err)
    err = ext4_xattr_free(fs, n);
  if (!err)
    err = ext4_orphan_del(fs, n);
  if (!err) {
    struct ext4_time now;
    ext4_now(&now);
    n->dtime = (uint32_t)now.sec;
    n->links = 0;
    err = ext4_inode_write(fs, n);
  }
  if (!err)
    err = ext4_free_inode(fs, n->ino, ext4_is_dir(n));
  if (!err)
    n->freed = true;
  uint64_t k = n->da ? da_drop(n, 0, MAX_LBLK) : 0;
  fs->reserved -= MIN(k, fs->reserved);
  return err;
}

/* ---- fallocate ---- */

static int punch(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, uint64_t len)
{
  uint64_t end = MIN(off + len, n->size);
  if (off >= end)
    return 0;
  uint64_t first = (off + fs->block_size - 1) >> fs->log_block, last = end >> fs->log_block;
  int err = 0;
  /* partial blocks at the edges: zeros on disk */
  uint8_t *buf = ext4_env_zalloc(fs->block_size);
  if (!buf)
    return -ENOMEM;
  uint64_t edges[2] = { off, end };
  for (int i = 0; i < 2 && !err; i++) {
    uint64_t b = edges[i] >> fs->log_block;
    uint32_t in = (uint32_t)(edges[i] & (fs->block_size - 1));
    uint64_t pblk;
    uint32_t run;
    unsigned fl;
    if (!in || ext4_map(fs, n, (uint32_t)b, &pblk, &run, &fl) || !pblk || (fl & EXT4_MAP_UNWRITTEN))
      continue;
    uint64_t zs = MAX(off, b << fs->log_block), ze = MIN(end, (b + 1) << fs->log_block);
    err = ext4_env_rw(fs->dev, false, pblk * fs->sectors_per_block, buf, fs->sectors_per_block);
    if (!err) {
      memset(buf + (zs - (b << fs->log_block)), 0, ze - zs);
      err = ext4_env_rw(fs->dev, true, pblk * fs->sectors_per_block, buf, fs->sectors_per_block);
    }
  }
  ext4_env_free(buf);
  if (err || first >= last)
    return err;
  unpromise(fs, n, (uint32_t)first, last - first);
  while (!err && first < last) {
    err = ext4_tx_begin(fs, 64);
    if (!err) {
      err = ext4_ext_remove(fs, n, first, &last, TRUNCATE_CHUNK);
      err = ext4_tx_end(fs, err ? err : ext4_inode_write(fs, n));
    }
  }
  return err;
}

int ext4_fallocate(struct ext4_fs *fs, struct ext4_node *n, int mode, uint64_t off, uint64_t len)
{
  ext4_env_lock(fs->lock);
  int err = fs->read_only ? -EROFS : 0;
  if (!err && (!(n->flags & EXT4_EXTENTS_FL) || !ext4_is_reg(n)))
    err = -EOPNOTSUPP;
  if (!err && (mode & EXT4_FALLOC_PUNCH_HOLE)) {
    err = punch(fs, n, off, len);
    ext4_env_unlock(fs->lock);
    return err;
  }
  uint64_t lblk = off >> fs->log_block, end = (off + len + fs->block_size - 1) >> fs->log_block;
  if (!err && end > MAX_LBLK)
    err = -EFBIG;
  while (!err && lblk < end) {
    uint64_t pblk;
    uint32_t run;
    unsigned fl;
    err = ext4_map(fs, n, (uint32_t)lblk, &pblk, &run, &fl);
    if (err)
      break;
    run = (uint32_t)MIN((uint64_t)run, end - lblk);
    uint32_t drun;
    if (!pblk && da_has(n, (uint32_t)lblk, &drun)) {
      run = MIN(run, drun);  /* already promised to a write */
    } else if (!pblk) {
      run = MIN(run, 2048u);
      err = ext4_tx_begin(fs, 32);
      if (!err && fs->free_blocks < fs->reserved + run)
        run = (uint32_t)(fs->free_blocks > fs->reserved ? fs->free_blocks - fs->reserved : 0);
      if (!err && run == 0)
        err = -ENOSPC;
      if (!err)
        err = map_alloc(fs, n, (uint32_t)lblk, run, true, false, &pblk, &run);
      err = ext4_tx_end(fs, err);
    }
    lblk += run;
  }
  if (!err && !(mode & EXT4_FALLOC_KEEP_SIZE) && off + len > n->size) {
    err = ext4_tx_begin(fs, 4);
    if (!err) {
      n->size = off + len;
      note_large_file(fs, n);
      err = ext4_tx_end(fs, ext4_inode_write(fs, n));
    }
  }
  ext4_env_unlock(fs->lock);
  return err;
}

int64_t ext4_seek_data(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, uint64_t size, bool hole)
{
  ext4_env_lock(fs->lock);
  int64_t r = hole ? (int64_t)size : -ENXIO;
  uint64_t lblk = off >> fs->log_block;
  if (off >= size)
    r = -ENXIO;
  while (off < size && (lblk << fs->log_block) < size) {
    uint64_t pblk;
    uint32_t run;
    unsigned fl;
    int err = ext4_map(fs, n, (uint32_t)lblk, &pblk, &run, &fl);
    if (err) {
      r = err;
      break;
    }
    uint32_t drun = 0;
    bool data = pblk || (n->flags & EXT4_INLINE_DATA_FL) || da_has(n, (uint32_t)lblk, &drun);
    if (!pblk && !data) {
      uint32_t i = 1;  /* a hole, up to the first promised block in it */
      while (i < run && !da_has(n, (uint32_t)lblk + i, NULL))
        i++;
      run = i;
    } else if (!pblk && drun) {
      run = MIN(run, drun);
    }
    if (data != hole) {
      r = (int64_t)MAX(off, lblk << fs->log_block);
      break;
    }
    lblk += run;
  }
  if (r > (int64_t)size)
    r = (int64_t)size;
  ext4_env_unlock(fs->lock);
  return r;
}

/* ---- byte-granular access (no page cache) ---- */

long ext4_pread(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len)
{
  ext4_env_lock(fs->lock);
  long done = 0;
  uint8_t *tmp = ext4_env_zalloc(fs->block_size);
  if (!tmp) {
    ext4_env_unlock(fs->lock);
    return -ENOMEM;
  }
  while (len && off < n->size) {
    uint64_t b = off & ~(uint64_t)(fs->block_size - 1);
    uint32_t in = (uint32_t)(off - b);
    size_t k = MIN(len, (size_t)(fs->block_size - in));
    k = (size_t)MIN((uint64_t)k, n->size - off);
    int err = ext4_read_locked(fs, n, b, tmp, fs->block_size);
    if (err) {
      done = done ? done : err;
      break;
    }
    memcpy((uint8_t *)buf + done, tmp + in, k);
    done += (long)k;
    off += k;
    len -= k;
  }
  ext4_env_free(tmp);
  ext4_env_unlock(fs->lock);
  return done;
}

long ext4_pwrite(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, const void *buf, size_t len)
{
  ext4_env_lock(fs->lock);
  long done = 0;
  int err = fs->read_only ? -EROFS : 0;
  uint32_t chunk = 64 * 1024;
  uint8_t *tmp = err ? NULL : ext4_env_zalloc(chunk);
  if (!err && !tmp)
    err = -ENOMEM;
  while (!err && len) {
    uint64_t b = off & ~(uint64_t)(fs->block_size - 1);
    uint32_t in = (uint32_t)(off - b);
    size_t k = MIN(len, (size_t)(chunk - in));
    uint64_t span = (in + k + fs->block_size - 1) & ~(uint64_t)(fs->block_size - 1);
    /* Read the partly written blocks at both ends (within the old size). */
    if (in || (k + in) % fs->block_size)
      err = ext4_read_locked(fs, n, b, tmp, (size_t)span);
    if (err)
      break;
    if (n->size < b + span) {
      uint64_t keep = n->size > b ? n->size - b : 0;  /* past the old end: zeros */
      if (keep < span)
        memset(tmp + keep, 0, (size_t)(span - keep));
    }
    memcpy(tmp + in, (const uint8_t *)buf + done, k);
    size_t wrote;
    err = write_locked(fs, n, b, tmp, (size_t)span, MAX(n->size, off + k), &wrote);
    size_t got = wrote > in ? MIN(wrote - in, k) : 0;
    done += (long)got;
    off += got;
    len -= got;
  }
  ext4_env_free(tmp);
  ext4_env_unlock(fs->lock);
  return done ? done : err;
}
