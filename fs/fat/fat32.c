/*
 * fat32.c — the FAT32 core, volume layer: the boot sector and FSInfo, the
 * file allocation table (reading chains, allocating and freeing clusters),
 * mapping file offsets to clusters, file data, sizes and times, and the
 * table of nodes in use. Directories are in fat_dir.c; the world outside
 * (memory, lock, blocks) is behind fat_env.h. See fat32.h for the model.
 *
 * All metadata goes through the environment's block cache in blocks of one
 * sector; file data goes straight between the device and the caller's
 * buffer. fs->lock is taken by every public function and held throughout;
 * *_locked functions expect it held.
 */
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"
#include "fs/fat/fat_dir.h"  /* fat_dir_forget_locked */

/* ---- blocks ---- */

static struct fat_buf *get_block(struct fat_fs *fs, uint64_t sector, int *err)
{
  return fat_env_bread(fs->dev, sector, fs->sector_size, err);
}

uint64_t fat_cluster_sector(struct fat_fs *fs, uint32_t clus)
{
  return fs->data_start + (uint64_t)(clus - 2) * fs->sec_per_clus;
}

bool fat_cluster_ok(struct fat_fs *fs, uint32_t clus)
{
  return clus >= 2 && clus <= fs->nclusters + 1;
}

/* ---- the FAT ----
 * A fat_cur holds the block of the primary FAT last used, so walking a
 * chain or scanning for free clusters reads each FAT block once. Release it
 * with cur_done() before anyone else may want the same block. */
struct fat_cur {
  struct fat_buf *b;
  uint64_t sector;
};

static void cur_done(struct fat_cur *c)
{
  if (c->b) {
    fat_env_brelse(c->b);
    c->b = NULL;
  }
}

/* Where the entry of `clus` is in FAT copy `copy`. */
static uint64_t fat_entry_sector(struct fat_fs *fs, uint32_t copy, uint32_t clus, uint32_t *off)
{
  uint64_t byte = (uint64_t)clus * 4;
  *off = (uint32_t)(byte % fs->sector_size);
  return fs->reserved_sectors + (uint64_t)copy * fs->fat_sectors + byte / fs->sector_size;
}

static uint8_t *fat_entry(struct fat_fs *fs, struct fat_cur *c, uint32_t clus, int *err)
{
  uint32_t off;
  uint64_t sector = fat_entry_sector(fs, fs->primary_fat, clus, &off);
  if (!c->b || c->sector != sector) {
    cur_done(c);
    c->b = get_block(fs, sector, err);
    if (!c->b)
      return NULL;
    c->sector = sector;
  }
  return (uint8_t *)fat_env_bdata(c->b) + off;
}

static int fat_get(struct fat_fs *fs, struct fat_cur *c, uint32_t clus, uint32_t *val)
{
  int err = -EIO;
  uint8_t *p = fat_entry(fs, c, clus, &err);
  if (!p)
    return err;
  *val = get32(p) & FAT_MASK;
  return 0;
}

/* Set the entry of clus in every FAT copy (keeping the top 4 bits). */
static int fat_set(struct fat_fs *fs, struct fat_cur *c, uint32_t clus, uint32_t val)
{
  int err = -EIO;
  uint8_t *p = fat_entry(fs, c, clus, &err);
  if (!p)
    return err;
  uint32_t v = (get32(p) & ~FAT_MASK) | (val & FAT_MASK);
  put32(p, v);
  fat_env_bdirty(c->b);
  if (!fs->mirror)
    return 0;
  for (uint32_t copy = 0; copy < fs->nfats; copy++) {
    if (copy == fs->primary_fat)
      continue;
    uint32_t off;
    struct fat_buf *b = get_block(fs, fat_entry_sector(fs, copy, clus, &off), &err);
    if (!b)
      return err;
    put32((uint8_t *)fat_env_bdata(b) + off, v);
    fat_env_bdirty(b);
    fat_env_brelse(b);
  }
  return 0;
}

/* The cluster after clus in its chain (0 at the end); -EIO if the FAT
 * points somewhere impossible (a damaged image must not hurt us). */
static int fat_next(struct fat_fs *fs, struct fat_cur *c, uint32_t clus, uint32_t *next)
{
  uint32_t v = 0;
  int r = fat_get(fs, c, clus, &v);
  if (r)
    return r;
  if (v >= FAT_EOC_MIN) {
    *next = 0;
    return 0;
  }
  if (!fat_cluster_ok(fs, v)) {
    fat_env_log("fat: cluster %u links to bad cluster %#x", clus, v);
    return -EIO;
  }
  *next = v;
  return 0;
}

static int count_free_locked(struct fat_fs *fs)
{
  struct fat_cur c = { 0 };
  uint32_t n = 0;
  for (uint32_t clus = 2; clus <= fs->nclusters + 1; clus++) {
    uint32_t v = 0;
    int r = fat_get(fs, &c, clus, &v);
    if (r) {
      cur_done(&c);
      return r;
    }
    if (v == FAT_FREE)
      n++;
  }
  cur_done(&c);
  fs->free_count = n;
  fs->fsinfo_dirty = true;
  return 0;
}

/* Take a free cluster at or after hint (wrapping around) and mark it as
 * the end of a chain. */
static int alloc_one(struct fat_fs *fs, struct fat_cur *c, uint32_t hint, uint32_t *out)
{
  if (fs->free_count == 0)
    return -ENOSPC;
  uint32_t last = fs->nclusters + 1;
  uint32_t clus = fat_cluster_ok(fs, hint) ? hint : 2;
  for (uint32_t k = 0; k < fs->nclusters; k++) {
    uint32_t v = 0;
    int r = fat_get(fs, c, clus, &v);
    if (r)
      return r;
    if (v == FAT_FREE) {
      r = fat_set(fs, c, clus, FAT_EOC);
      if (r)
        return r;
      if (fs->free_count != FAT_UNKNOWN)
        fs->free_count--;
      fs->next_free = clus == last ? 2 : clus + 1;
      fs->fsinfo_dirty = true;
      *out = clus;
      return 0;
    }
    clus = clus == last ? 2 : clus + 1;
  }
  fs->free_count = 0;
  fs->fsinfo_dirty = true;
  return -ENOSPC;
}

/* Free a chain starting at first. Clusters that held a directory are
 * dropped from the block cache, because they may come back as file data,
 * which is written around the cache. */
static int free_chain(struct fat_fs *fs, uint32_t first, bool was_dir)
{
  struct fat_cur c = { 0 };
  uint32_t clus = first;
  int r = 0;
  for (uint32_t k = 0; clus && k <= fs->nclusters; k++) {
    if (!fat_cluster_ok(fs, clus)) {
      r = -EIO;
      break;
    }
    uint32_t next;
    r = fat_next(fs, &c, clus, &next);
    if (r)
      break;
    r = fat_set(fs, &c, clus, FAT_FREE);
    if (r)
      break;
    if (fs->free_count != FAT_UNKNOWN)
      fs->free_count++;
    fs->fsinfo_dirty = true;
    if (was_dir)
      fat_env_binvalidate(fs->dev, fat_cluster_sector(fs, clus) * fs->dev_per_sector,
                          (uint64_t)fs->sec_per_clus * fs->dev_per_sector);
    clus = next;
  }
  cur_done(&c);
  return r;
}

int fat_free_chain_locked(struct fat_fs *fs, uint32_t first)
{
  return free_chain(fs, first, false);
}

/* ---- mapping a node's clusters ---- */

static void reset_cursor(struct fat_node *n)
{
  n->cur_idx = 0;
  n->cur_clus = 0;
}

/*
 * Cluster `idx` of n's chain, and how many clusters from there on are
 * consecutive on disk (at most maxrun). *clus = 0 if the chain is shorter.
 * Starts from the node's cursor when it is not past idx, so sequential
 * access costs one FAT lookup per cluster; leaves the cursor at the last
 * cluster of the run.
 */
static int map_run(struct fat_fs *fs, struct fat_node *n, uint32_t idx, uint32_t maxrun,
                   uint32_t *clus, uint32_t *run)
{
  *clus = 0;
  *run = 0;
  if (n->first == 0 || (n->nclus != FAT_UNKNOWN && idx >= n->nclus))
    return 0;
  if (!fat_cluster_ok(fs, n->first))
    return -EIO;
  uint32_t i, c;
  if (n->nclus != FAT_UNKNOWN && n->nclus > 0 && idx == n->nclus - 1 && maxrun <= 1) {
    i = idx;
    c = n->last;  /* appending: the common case when a file grows */
  } else if (n->cur_clus && n->cur_idx <= idx) {
    i = n->cur_idx;
    c = n->cur_clus;
  } else {
    i = 0;
    c = n->first;
  }
  struct fat_cur fc = { 0 };
  int r = 0;
  while (i < idx) {
    uint32_t next;
    r = fat_next(fs, &fc, c, &next);
    if (r)
      goto out;
    if (next == 0) { /* the chain ends before idx */
      n->nclus = i + 1;
      n->last = c;
      goto out;
    }
    c = next;
    if (++i > fs->nclusters) {  /* longer than the disk: a loop */
      r = -EIO;
      goto out;
    }
  }
  uint32_t k = 1;
  while (k < maxrun && (n->nclus == FAT_UNKNOWN || idx + k < n->nclus)) {
    uint32_t next;
    r = fat_next(fs, &fc, c + k - 1, &next);
    if (r)
      goto out;
    if (next == 0) {
      n->nclus = idx + k;
      n->last = c + k - 1;
      break;
    }
    if (next != c + k)
      break;
    k++;
  }
  *clus = c;
  *run = k;
  n->cur_idx = idx + k - 1;
  n->cur_clus = c + k - 1;
out:
  cur_done(&fc);
  return r;
}

int fat_bmap_locked(struct fat_fs *fs, struct fat_node *n, uint32_t idx, uint32_t *clus)
{
  uint32_t run;
  return map_run(fs, n, idx, 1, clus, &run);
}

/* Make n->nclus and n->last known (walks the chain once). */
int fat_chain_length_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (n->nclus != FAT_UNKNOWN)
    return 0;
  if (n->first == 0) {
    n->nclus = 0;
    n->last = 0;
    return 0;
  }
  if (!fat_cluster_ok(fs, n->first))
    return -EIO;
  uint32_t i = 0, c = n->first;
  if (n->cur_clus) {
    i = n->cur_idx;
    c = n->cur_clus;
  }
  struct fat_cur fc = { 0 };
  int r = 0;
  for (;;) {
    uint32_t next;
    r = fat_next(fs, &fc, c, &next);
    if (r)
      break;
    if (next == 0) {
      n->nclus = i + 1;
      n->last = c;
      break;
    }
    c = next;
    if (++i > fs->nclusters) {
      r = -EIO;
      break;
    }
  }
  cur_done(&fc);
  return r;
}

/* Zero `count` clusters starting at clus through the block cache (new
 * directory clusters: the cache then holds their only copy). */
static int zero_clusters_cached(struct fat_fs *fs, uint32_t clus)
{
  uint64_t s = fat_cluster_sector(fs, clus);
  for (uint32_t i = 0; i < fs->sec_per_clus; i++) {
    int err = -EIO;
    struct fat_buf *b = fat_env_bget_noread(fs->dev, s + i, fs->sector_size, &err);
    if (!b)
      return err;
    memset(fat_env_bdata(b), 0, fs->sector_size);
    fat_env_bdirty(b);
    fat_env_brelse(b);
  }
  return 0;
}

/*
 * Append `count` clusters to n's chain (all or none). With `zero` they are
 * zeroed through the block cache (directories); file clusters are not
 * zeroed here — `valid` keeps their old contents from being seen.
 */
int fat_extend_locked(struct fat_fs *fs, struct fat_node *n, uint32_t count, bool zero)
{
  if (count == 0)
    return 0;
  if (fs->read_only)
    return -EROFS;
  int r = fat_chain_length_locked(fs, n);
  if (r)
    return r;
  if (fs->free_count != FAT_UNKNOWN && fs->free_count < count)
    return -ENOSPC;
  struct fat_cur fc = { 0 };
  uint32_t head = 0, prev = 0;
  uint32_t hint = n->nclus ? n->last + 1 : fs->next_free;
  for (uint32_t k = 0; k < count; k++) {
    uint32_t c;
    r = alloc_one(fs, &fc, hint, &c);
    if (!r && prev)
      r = fat_set(fs, &fc, prev, c);
    if (r) {
      cur_done(&fc);
      if (head)
        free_chain(fs, head, false);
      return r;
    }
    if (!head)
      head = c;
    prev = c;
    hint = c + 1;
  }
  if (n->nclus)
    r = fat_set(fs, &fc, n->last, head);
  cur_done(&fc);
  if (r) {
    free_chain(fs, head, false);
    return r;
  }
  if (zero) {
    /* walk the new part of the chain to zero it */
    uint32_t c = head;
    struct fat_cur zc = { 0 };
    for (uint32_t k = 0; k < count && c && !r; k++) {
      r = zero_clusters_cached(fs, c);
      if (!r)
        r = fat_next(fs, &zc, c, &c);
    }
    cur_done(&zc);
  }
  bool first_changed = n->nclus == 0;
  if (first_changed)
    n->first = head;
  n->nclus += count;
  n->last = prev;
  if (first_changed && n->linked) {
    int r2 = fat_write_entry_locked(fs, n);
    if (!r)
      r = r2;
  }
  return r;
}

/* Keep the first `keep` clusters of n's chain and free the rest. */
int fat_shrink_locked(struct fat_fs *fs, struct fat_node *n, uint32_t keep)
{
  int r = fat_chain_length_locked(fs, n);
  if (r)
    return r;
  if (keep >= n->nclus)
    return 0;
  if (fs->read_only)
    return -EROFS;
  if (keep == 0) {
    uint32_t first = n->first;
    n->first = 0;
    n->nclus = 0;
    n->last = 0;
    reset_cursor(n);
    if (n->linked)
      fat_write_entry_locked(fs, n);
    return free_chain(fs, first, n->is_dir);
  }
  uint32_t c, next;
  r = fat_bmap_locked(fs, n, keep - 1, &c);
  if (r)
    return r;
  if (!c)
    return -EIO;
  struct fat_cur fc = { 0 };
  r = fat_next(fs, &fc, c, &next);
  if (!r)
    r = fat_set(fs, &fc, c, FAT_EOC);
  cur_done(&fc);
  if (r)
    return r;
  n->nclus = keep;
  n->last = c;
  if (n->cur_idx >= keep) {
    n->cur_idx = keep - 1;
    n->cur_clus = c;
  }
  return next ? free_chain(fs, next, n->is_dir) : 0;
}

/* ---- file data ---- */

/*
 * Move [off, off + len) of n between disk and buf (buf NULL when writing:
 * zeros). off and len are multiples of the sector size and the clusters
 * exist. Consecutive clusters go in one request.
 */
static int xfer(struct fat_fs *fs, struct fat_node *n, bool write, uint64_t off, uint8_t *buf,
                uint64_t len)
{
  const uint64_t chunk_max = FAT_ZERO_BUF;
  while (len) {
    uint32_t idx = (uint32_t)(off >> fs->cluster_shift);
    uint64_t in = off & (fs->cluster_size - 1);
    uint64_t want = FAT_DIV_UP(in + FAT_MIN(len, chunk_max), fs->cluster_size);
    uint32_t clus, run;
    int r = map_run(fs, n, idx, (uint32_t)want, &clus, &run);
    if (r)
      return r;
    if (!clus) {
      fat_env_log("fat: file cluster %u missing", idx);
      return -EIO;
    }
    uint64_t bytes = FAT_MIN((uint64_t)run * fs->cluster_size - in, FAT_MIN(len, chunk_max));
    uint64_t dsector = (fat_cluster_sector(fs, clus) * fs->sector_size + in) / 512;
    r = fat_env_rw(fs->dev, write, dsector, buf ? buf : fs->zeros, (uint32_t)(bytes / 512));
    if (r)
      return r;
    off += bytes;
    len -= bytes;
    if (buf)
      buf += bytes;
  }
  return 0;
}

/* Zero the file's bytes [from, to) on disk (from >= valid; the clusters
 * exist). The sector holding `from` is read, patched and written. */
static int zero_range(struct fat_fs *fs, struct fat_node *n, uint64_t from, uint64_t to)
{
  if (from >= to)
    return 0;
  uint32_t ss = fs->sector_size;
  if (from % ss) {
    uint8_t *tmp = fat_env_zalloc(ss);
    if (!tmp)
      return -ENOMEM;
    uint64_t base = from - from % ss;
    int r = xfer(fs, n, false, base, tmp, ss);
    if (!r) {
      memset(tmp + from % ss, 0, ss - from % ss);
      r = xfer(fs, n, true, base, tmp, ss);
    }
    fat_env_free(tmp);
    if (r)
      return r;
    from = base + ss;
  }
  if (from >= to)
    return 0;
  return xfer(fs, n, true, from, NULL, FAT_ROUND_UP(to - from, (uint64_t)ss));
}

static int read_locked(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
  if (off % fs->sector_size)
    return -EINVAL;
  uint64_t ondisk = off < n->valid ? FAT_MIN((uint64_t)len, n->valid - off) : 0;
  int r = 0;
  if (ondisk)
    r = xfer(fs, n, false, off, buf, FAT_ROUND_UP(ondisk, (uint64_t)fs->sector_size));
  memset((uint8_t *)buf + ondisk, 0, FAT_ROUND_UP((uint64_t)len, fs->sector_size) - ondisk);
  return r;
}

static int write_locked(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf,
                        size_t len)
{
  if (fs->read_only)
    return -EROFS;
  if (n->is_dir)
    return -EISDIR;
  if (off % fs->sector_size)
    return -EINVAL;
  if (len == 0)
    return 0;
  if (off + len > FAT_MAX_FILE_SIZE)
    return -EFBIG;
  int r = fat_chain_length_locked(fs, n);
  if (r)
    return r;
  uint64_t need = FAT_DIV_UP(off + len, (uint64_t)fs->cluster_size);
  if (need > n->nclus && (r = fat_extend_locked(fs, n, (uint32_t)(need - n->nclus), false)))
    return r;
  if (off > n->valid && (r = zero_range(fs, n, n->valid, off)))
    return r;
  r = xfer(fs, n, true, off, (uint8_t *)buf, FAT_ROUND_UP((uint64_t)len, fs->sector_size));
  if (r)
    return r;
  if (off + len > n->valid)
    n->valid = off + len;
  return 0;
}

int fat_read(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
  fat_env_lock(fs->lock);
  int r = read_locked(fs, n, off, buf, len);
  fat_env_unlock(fs->lock);
  return r;
}

int fat_write(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf, size_t len)
{
  fat_env_lock(fs->lock);
  int r = write_locked(fs, n, off, buf, len);
  fat_env_unlock(fs->lock);
  return r;
}

#define PIO_CHUNK (1u << 20)  /* whole sectors moved per request by pread/pwrite */

long fat_pread(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
  uint32_t ss = fs->sector_size;
  uint8_t *tmp = fat_env_zalloc(ss);
  if (!tmp)
    return -ENOMEM;
  fat_env_lock(fs->lock);
  long done = 0;
  int r = n->is_dir ? -EISDIR : 0;
  if (!r && off < n->size)
    len = FAT_MIN((uint64_t)len, n->size - off);
  else
    len = 0;
  while (!r && (size_t)done < len) {
    uint64_t pos = off + done;
    size_t left = len - done;
    if (pos % ss == 0 && left >= ss) {
      size_t nb = FAT_MIN(left - left % ss, (size_t)PIO_CHUNK);
      r = read_locked(fs, n, pos, (uint8_t *)buf + done, nb);
      done += nb;
    } else {
      size_t in = pos % ss, nb = FAT_MIN(ss - in, left);
      r = read_locked(fs, n, pos - in, tmp, ss);
      memcpy((uint8_t *)buf + done, tmp + in, nb);
      done += nb;
    }
  }
  fat_env_unlock(fs->lock);
  fat_env_free(tmp);
  return r ? r : done;
}

static void now_fat(struct fat_node *n, bool modify);

long fat_pwrite(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf, size_t len)
{
  uint32_t ss = fs->sector_size;
  if (off >= FAT_MAX_FILE_SIZE && len)
    return -EFBIG;
  len = FAT_MIN((uint64_t)len, FAT_MAX_FILE_SIZE - off);
  uint8_t *tmp = fat_env_zalloc(ss);
  if (!tmp)
    return -ENOMEM;
  fat_env_lock(fs->lock);
  long done = 0;
  int r = n->is_dir ? -EISDIR : 0;
  while (!r && (size_t)done < len) {
    uint64_t pos = off + done;
    size_t left = len - done;
    /* Write no more than the disk can take, so a full disk gives a short write. */
    if ((r = fat_chain_length_locked(fs, n)))
      break;
    uint64_t room = ((uint64_t)n->nclus + fs->free_count) * fs->cluster_size;
    if (pos >= room) {
      r = -ENOSPC;
      break;
    }
    left = FAT_MIN((uint64_t)left, room - pos);
    if (pos % ss == 0 && left >= ss) {
      size_t nb = FAT_MIN(left - left % ss, (size_t)PIO_CHUNK);
      r = write_locked(fs, n, pos, (const uint8_t *)buf + done, nb);
      if (!r)
        done += nb;
    } else {
      size_t in = pos % ss, nb = FAT_MIN(ss - in, left);
      r = read_locked(fs, n, pos - in, tmp, ss);
      if (!r) {
        memcpy(tmp + in, (const uint8_t *)buf + done, nb);
        r = write_locked(fs, n, pos - in, tmp, in + nb);
      }
      if (!r)
        done += nb;
    }
  }
  if (done) {
    if (off + done > n->size)
      n->size = (uint32_t)(off + done);
    now_fat(n, true);
    int r2 = fat_write_entry_locked(fs, n);
    if (!r)
      r = r2;
  }
  /* A failed write may have allocated past what was written: give it back. */
  uint64_t keep = FAT_DIV_UP(FAT_MAX((uint64_t)n->size, n->valid), (uint64_t)fs->cluster_size);
  if (r && n->nclus != FAT_UNKNOWN && keep < n->nclus)
    fat_shrink_locked(fs, n, (uint32_t)keep);
  fat_env_unlock(fs->lock);
  fat_env_free(tmp);
  return done ? done : r;
}

/* ---- sizes, times, attributes ---- */

/* Times kept at what FAT can store: mtime to 2 s, atime to the day. */
static int64_t fat_round_mtime(int64_t t)
{
  uint16_t d, tm;
  fat_time_from_unix(t, &d, &tm);
  return fat_time_to_unix(d, tm);
}

static int64_t fat_round_atime(int64_t t)
{
  uint16_t d, tm;
  fat_time_from_unix(t, &d, &tm);
  return fat_time_to_unix(d, 0);
}

static void now_fat(struct fat_node *n, bool modify)
{
  int32_t ns;
  int64_t now = fat_env_now(&ns);
  if (modify)
    n->mtime = fat_round_mtime(now);
}

/* Change the size of a file: free clusters past it, or allocate and zero. */
static int resize_locked(struct fat_fs *fs, struct fat_node *n, uint64_t size)
{
  if (size > FAT_MAX_FILE_SIZE)
    return -EFBIG;
  int r = fat_chain_length_locked(fs, n);
  if (r)
    return r;
  uint64_t need = FAT_DIV_UP(size, (uint64_t)fs->cluster_size);
  if (need < n->nclus && (r = fat_shrink_locked(fs, n, (uint32_t)need)))
    return r;
  if (size < n->valid)
    n->valid = size;
  if (size > n->valid) {
    if (need > n->nclus && (r = fat_extend_locked(fs, n, (uint32_t)(need - n->nclus), false)))
      return r;
    if ((r = zero_range(fs, n, n->valid, size)))
      return r;
    n->valid = size;
  }
  n->size = (uint32_t)size;
  return 0;
}

void fat_getattr(struct fat_fs *fs, struct fat_node *n, struct fat_attr *a)
{
  fat_env_lock(fs->lock);
  if (n->is_dir)
    fat_chain_length_locked(fs, n);
  a->is_dir = n->is_dir;
  a->read_only = n->attr & FAT_ATTR_RO;
  a->linked = n->linked || n == fs->root;
  a->ino = n->ino;
  a->valid = n->valid;
  a->size = n->is_dir ? (uint64_t)(n->nclus == FAT_UNKNOWN ? 0 : n->nclus) * fs->cluster_size
                      : n->size;
  a->mtime = n->mtime;
  a->atime = n->atime;
  a->crtime = n->crtime;
  a->first = n->first;
  fat_env_unlock(fs->lock);
}

int fat_setattr(struct fat_fs *fs, struct fat_node *n, const struct fat_attr *a, unsigned mask)
{
  fat_env_lock(fs->lock);
  int r = 0;
  bool changed = false;
  if (fs->read_only) {
    r = -EROFS;
    goto out;
  }
  if (mask & FAT_SET_SIZE) {
    if (n->is_dir) {
      r = -EISDIR;
      goto out;
    }
    int64_t keep = n->nclus == FAT_UNKNOWN ? -1 : (int64_t)n->nclus;
    if (a->size != n->size || (keep >= 0 &&
        (uint64_t)keep != FAT_DIV_UP(a->size, (uint64_t)fs->cluster_size)) || a->size > n->valid) {
      if ((r = resize_locked(fs, n, a->size)))
        goto out;
      changed = true;
    }
  }
  if ((mask & FAT_SET_MTIME) && fat_round_mtime(a->mtime) != n->mtime) {
    n->mtime = fat_round_mtime(a->mtime);
    changed = true;
  }
  if ((mask & FAT_SET_ATIME) && fat_round_atime(a->atime) != n->atime) {
    n->atime = fat_round_atime(a->atime);
    changed = true;
  }
  if (mask & FAT_SET_RO) {
    uint8_t attr = a->read_only ? (n->attr | FAT_ATTR_RO) : (n->attr & ~FAT_ATTR_RO);
    if (attr != n->attr) {
      n->attr = attr;
      changed = true;
    }
  }
  if (changed)
    r = fat_write_entry_locked(fs, n);
out:
  fat_env_unlock(fs->lock);
  return r;
}

int fat_reserve(struct fat_fs *fs, struct fat_node *n, uint64_t size, uint64_t *got)
{
  fat_env_lock(fs->lock);
  int r = fs->read_only ? -EROFS : fat_chain_length_locked(fs, n);
  uint64_t cs = fs->cluster_size;
  if (size > FAT_MAX_FILE_SIZE)
    size = FAT_MAX_FILE_SIZE;
  if (!r) {
    uint64_t need = FAT_DIV_UP(size, cs);
    if (need > n->nclus) {
      uint64_t want = need - n->nclus;
      if (fs->free_count != FAT_UNKNOWN && fs->free_count < want) {
        want = fs->free_count;
        r = -ENOSPC;
      }
      int r2 = fat_extend_locked(fs, n, (uint32_t)want, false);
      if (r2)
        r = r2;
    }
  }
  if (got)
    *got = n->nclus == FAT_UNKNOWN ? 0 : FAT_MIN((uint64_t)n->nclus * cs, size);
  fat_env_unlock(fs->lock);
  return r;
}

/* Write n's size, first cluster, attributes and times into its entry. */
int fat_write_entry_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (!n->linked || fs->read_only)
    return 0;
  int err = -EIO;
  struct fat_buf *b = get_block(fs, n->entry_sector, &err);
  if (!b)
    return err;
  uint8_t *e = (uint8_t *)fat_env_bdata(b) + n->entry_off;
  uint16_t d, t;
  e[DE_ATTR] = n->attr;
  de_set_cluster(e, n->first);
  put32(e + DE_FILE_SIZE, n->is_dir ? 0 : n->size);
  fat_time_from_unix(n->mtime, &d, &t);
  put16(e + DE_MDATE, d);
  put16(e + DE_MTIME, t);
  fat_time_from_unix(n->atime, &d, &t);
  put16(e + DE_ADATE, d);
  fat_env_bdirty(b);
  fat_env_brelse(b);
  return 0;
}

/* ---- the node table ---- */

static unsigned pos_bucket(uint32_t dir_cluster, uint32_t slot)
{
  return (unsigned)((dir_cluster * 2654435761u) ^ (slot * 40503u)) % FAT_POS_BUCKETS;
}

uint64_t fat_pos_ino(uint32_t dir_cluster, uint32_t slot)
{
  return (uint64_t)dir_cluster << 16 | slot;
}

struct fat_node *fat_node_find_locked(struct fat_fs *fs, uint32_t dir_cluster, uint32_t slot)
{
  struct fat_node *n = fs->pos_table[pos_bucket(dir_cluster, slot)];
  for (; n; n = n->pos_next)
    if (n->dir_cluster == dir_cluster && n->slot == slot)
      return n;
  return NULL;
}

void fat_node_hash_locked(struct fat_fs *fs, struct fat_node *n)
{
  unsigned h = pos_bucket(n->dir_cluster, n->slot);
  n->pos_next = fs->pos_table[h];
  fs->pos_table[h] = n;
  n->in_table = true;
}

void fat_node_unhash_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (!n->in_table)
    return;
  struct fat_node **pp = &fs->pos_table[pos_bucket(n->dir_cluster, n->slot)];
  for (; *pp; pp = &(*pp)->pos_next) {
    if (*pp == n) {
      *pp = n->pos_next;
      break;
    }
  }
  n->in_table = false;
}

static void moved_remove(struct fat_fs *fs, struct fat_node *n)
{
  if (!n->in_moved)
    return;
  for (struct fat_node **pp = &fs->moved; *pp; pp = &(*pp)->moved_next) {
    if (*pp == n) {
      *pp = n->moved_next;
      break;
    }
  }
  n->in_moved = false;
}

/* n's position changed: remember it if its ino no longer matches. */
void fat_moved_locked(struct fat_fs *fs, struct fat_node *n)
{
  bool moved = n->ino != fat_pos_ino(n->dir_cluster, n->slot) && n != fs->root;
  if (moved && !n->in_moved) {
    n->moved_next = fs->moved;
    fs->moved = n;
    n->in_moved = true;
  } else if (!moved) {
    moved_remove(fs, n);
  }
}

/* The inode number for a new node at this position: the position itself,
 * unless a renamed node still carries that number. */
uint64_t fat_new_ino_locked(struct fat_fs *fs, uint32_t dir_cluster, uint32_t slot)
{
  uint64_t ino = fat_pos_ino(dir_cluster, slot);
  for (struct fat_node *m = fs->moved; m; m = m->moved_next)
    if (m->ino == ino)
      return fs->spare_ino++;
  return ino;
}

static void fs_destroy(struct fat_fs *fs)
{
  fat_env_lock_free(fs->lock);
  fat_env_free(fs->pos_table);
  fat_env_free(fs->zeros);
  fat_env_free(fs);
}

/* Drop a reference with fs->lock held. Returns true if the volume itself
 * is now unreferenced (the caller frees it after unlocking). */
static bool node_put(struct fat_fs *fs, struct fat_node *n)
{
  if (--n->refs > 0)
    return false;
  if (!n->linked && n != fs->root && n->first && !fs->read_only && !fs->unmounted)
    free_chain(fs, n->first, n->is_dir);
  fat_node_unhash_locked(fs, n);
  moved_remove(fs, n);
  fat_dir_forget_locked(n);
  fat_env_free(n);
  fs->nr_nodes--;
  return --fs->refs == 0;
}

void fat_node_put_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (node_put(fs, n))
    fat_env_log("fat: volume unreferenced while locked"); /* cannot happen: the caller holds one */
}

void fat_node_get(struct fat_fs *fs, struct fat_node *n)
{
  fat_env_lock(fs->lock);
  n->refs++;
  fat_env_unlock(fs->lock);
}

void fat_node_put(struct fat_fs *fs, struct fat_node *n)
{
  if (!n)
    return;
  fat_env_lock(fs->lock);
  bool last = node_put(fs, n);
  fat_env_unlock(fs->lock);
  if (last)
    fs_destroy(fs);
}

struct fat_node *fat_root(struct fat_fs *fs)
{
  fat_env_lock(fs->lock);
  fs->root->refs++;
  fat_env_unlock(fs->lock);
  return fs->root;
}

/* ---- the volume ---- */

static bool pow2(uint32_t x)
{
  return x && !(x & (x - 1));
}

static uint32_t log2u(uint32_t x)
{
  uint32_t s = 0;
  while ((1u << s) < x)
    s++;
  return s;
}

/* Check the boot sector and fill in the geometry. */
static int parse_bpb(struct fat_fs *fs, const uint8_t *b, uint64_t dev_sectors)
{
  uint32_t bps = get16(b + BPB_BYTES_PER_SEC);
  uint32_t spc = b[BPB_SEC_PER_CLUS];
  uint32_t reserved = get16(b + BPB_RESERVED);
  uint32_t nfats = b[BPB_NUM_FATS];
  uint32_t total = get16(b + BPB_TOTAL16) ? get16(b + BPB_TOTAL16) : get32(b + BPB_TOTAL32);
  uint32_t fatsz = get32(b + BPB_FAT_SIZE32);
  uint16_t ext = get16(b + BPB_EXT_FLAGS);
  if (bps < 512 || bps > 4096 || !pow2(bps) || !pow2(spc) || (uint64_t)bps * spc > (1u << 18))
    return -EINVAL;
  if (reserved == 0 || nfats == 0 || nfats > 4)
    return -EINVAL;
  /* FAT32, as Linux tells it: no fixed root directory, 16-bit FAT size 0. */
  if (get16(b + BPB_ROOT_ENTRIES) != 0 || get16(b + BPB_FAT_SIZE16) != 0 || fatsz == 0)
    return -EINVAL;
  if (get16(b + BPB_FS_VERSION) != 0)
    return -EINVAL;
  fs->sector_size = bps;
  fs->sec_per_clus = spc;
  fs->cluster_size = bps * spc;
  fs->cluster_shift = log2u(fs->cluster_size);
  fs->dev_per_sector = bps / 512;
  fs->reserved_sectors = reserved;
  fs->nfats = nfats;
  fs->fat_sectors = fatsz;
  fs->mirror = !(ext & 0x80);
  fs->primary_fat = fs->mirror ? 0 : (ext & 0xf);
  if (fs->primary_fat >= nfats)
    return -EINVAL;
  fs->data_start = (uint64_t)reserved + (uint64_t)nfats * fatsz;
  if (fs->data_start >= total)
    return -EINVAL;
  uint64_t nclus = (total - fs->data_start) / spc;
  uint64_t fat_entries = (uint64_t)fatsz * bps / 4;
  if (nclus + 2 > fat_entries)
    nclus = fat_entries - 2;
  if (nclus > 0x0ffffff5 || nclus < 1)
    return -EINVAL;
  fs->nclusters = (uint32_t)nclus;
  if ((uint64_t)total * fs->dev_per_sector > dev_sectors) {
    fat_env_log("fat: file system (%u sectors) larger than the device", total);
    return -EINVAL;
  }
  fs->root_cluster = get32(b + BPB_ROOT_CLUSTER) & FAT_MASK;
  if (!fat_cluster_ok(fs, fs->root_cluster))
    return -EINVAL;
  uint32_t fsi = get16(b + BPB_FSINFO);
  fs->fsinfo_sector = (fsi && fsi < reserved) ? fsi : 0;
  return 0;
}

static int read_fsinfo(struct fat_fs *fs)
{
  fs->free_count = FAT_UNKNOWN;
  fs->next_free = 2;
  if (fs->fsinfo_sector) {
    int err = -EIO;
    struct fat_buf *b = get_block(fs, fs->fsinfo_sector, &err);
    if (!b)
      return err;
    const uint8_t *p = fat_env_bdata(b);
    if (get32(p + FSI_LEAD_SIG) == FSI_LEAD_MAGIC && get32(p + FSI_STRUC_SIG) == FSI_STRUC_MAGIC) {
      uint32_t fc = get32(p + FSI_FREE_COUNT), nf = get32(p + FSI_NEXT_FREE);
      if (fc <= fs->nclusters)
        fs->free_count = fc;
      if (fat_cluster_ok(fs, nf))
        fs->next_free = nf;
    } else {
      fs->fsinfo_sector = 0;
    }
    fat_env_brelse(b);
  }
  if (fs->free_count == FAT_UNKNOWN)
    return count_free_locked(fs);
  return 0;
}

static int write_fsinfo(struct fat_fs *fs)
{
  if (!fs->fsinfo_sector || !fs->fsinfo_dirty || fs->read_only)
    return 0;
  int err = -EIO;
  struct fat_buf *b = get_block(fs, fs->fsinfo_sector, &err);
  if (!b)
    return err;
  uint8_t *p = fat_env_bdata(b);
  put32(p + FSI_FREE_COUNT, fs->free_count);
  put32(p + FSI_NEXT_FREE, fs->next_free);
  fat_env_bdirty(b);
  fat_env_brelse(b);
  fs->fsinfo_dirty = false;
  return 0;
}

/* Set or clear the boot sector's "not cleanly unmounted" bit. */
static int set_dirty_bit(struct fat_fs *fs, bool dirty)
{
  int err = -EIO;
  struct fat_buf *b = get_block(fs, 0, &err);
  if (!b)
    return err;
  uint8_t *p = fat_env_bdata(b);
  if (dirty)
    p[BS_STATE] |= BS_STATE_DIRTY;
  else
    p[BS_STATE] &= ~BS_STATE_DIRTY;
  fat_env_bdirty(b);
  fat_env_brelse(b);
  return 0;
}

static struct fat_node *make_root(struct fat_fs *fs)
{
  struct fat_node *n = fat_env_zalloc(sizeof(*n));
  if (!n)
    return NULL;
  n->ino = FAT_ROOT_INO;
  n->refs = 1;       /* the volume's own reference */
  n->is_dir = true;
  n->attr = FAT_ATTR_DIR;
  n->first = fs->root_cluster;
  n->nclus = FAT_UNKNOWN;
  fs->refs++;
  fs->nr_nodes++;
  return n;
}

int fat_mount(void *dev, bool read_only, struct fat_fs **fsp)
{
  struct fat_fs *fs = fat_env_zalloc(sizeof(*fs));
  uint8_t *boot = fat_env_zalloc(512);
  int r = -ENOMEM;
  if (!fs || !boot)
    goto fail;
  fs->dev = dev;
  fs->read_only = read_only || fat_env_read_only(dev);
  fs->spare_ino = 1ULL << 48;
  if ((r = fat_env_rw(dev, false, 0, boot, 1)))
    goto fail;
  if ((r = parse_bpb(fs, boot, fat_env_nsectors(dev))))
    goto fail;
  r = -ENOMEM;
  fs->lock = fat_env_lock_new("fat");
  fs->pos_table = fat_env_zalloc(FAT_POS_BUCKETS * sizeof(struct fat_node *));
  fs->zeros = fat_env_zalloc(FAT_ZERO_BUF);
  if (!fs->lock || !fs->pos_table || !fs->zeros)
    goto fail;
  fs->refs = 1;  /* the mount */
  if ((r = read_fsinfo(fs)))
    goto fail;
  fs->was_dirty = boot[BS_STATE] & BS_STATE_DIRTY;
  if (fs->was_dirty)
    fat_env_log("fat: volume was not properly unmounted; some data may be corrupt, run fsck");
  r = -ENOMEM;
  if (!(fs->root = make_root(fs)))
    goto fail;
  if (!fs->read_only && !fs->was_dirty) {
    if ((r = set_dirty_bit(fs, true)) || (r = fat_env_bsync(dev)))
      goto fail;
    fs->dirty_flag_set = true;
  }
  fat_env_free(boot);
  *fsp = fs;
  return 0;
fail:
  fat_env_free(boot);
  if (fs) {
    fat_env_free(fs->root);
    if (fs->lock)
      fat_env_lock_free(fs->lock);
    fat_env_free(fs->pos_table);
    fat_env_free(fs->zeros);
      fat_env_free(fs);
  }
  return r;
}

int fat_sync(struct fat_fs *fs)
{
  fat_env_lock(fs->lock);
  int r = write_fsinfo(fs);
  fat_env_unlock(fs->lock);
  int r2 = fat_env_bsync(fs->dev);
  return r ? r : r2;
}

int fat_unmount(struct fat_fs *fs)
{
  int r = fat_sync(fs);
  fat_env_lock(fs->lock);
  if (fs->dirty_flag_set && !r) {
    r = set_dirty_bit(fs, false);
    fs->dirty_flag_set = false;
  }
  fat_env_unlock(fs->lock);
  int r2 = fat_env_bsync(fs->dev);
  if (!r)
    r = r2;
  fat_env_lock(fs->lock);
  fs->unmounted = true;
  fs->read_only = true;  /* whatever still holds a node may read, not write */
  bool last = node_put(fs, fs->root);  /* the volume's reference to its root */
  if (!last)
    last = --fs->refs == 0;            /* the mount's */
  fat_env_unlock(fs->lock);
  if (last)
    fs_destroy(fs);
  return r;
}

void fat_statfs(struct fat_fs *fs, uint32_t *cluster_size, uint64_t *total, uint64_t *free)
{
  fat_env_lock(fs->lock);
  if (fs->free_count == FAT_UNKNOWN)
    count_free_locked(fs);
  *cluster_size = fs->cluster_size;
  *total = fs->nclusters;
  *free = fs->free_count == FAT_UNKNOWN ? 0 : fs->free_count;
  fat_env_unlock(fs->lock);
}

/* ---- DOS dates and times ----
 * date: bits 15-9 year - 1980, 8-5 month, 4-0 day
 * time: bits 15-11 hours, 10-5 minutes, 4-0 seconds / 2
 * Days from the civil calendar after Howard Hinnant's algorithms. */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t fat_time_to_unix(uint16_t date, uint16_t time)
{
  unsigned m = (date >> 5) & 15, d = date & 31;
  if (m < 1)
    m = 1;
  if (m > 12)
    m = 12;
  if (d < 1)
    d = 1;
  int64_t days = days_from_civil(1980 + (date >> 9), m, d);
  return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
}

#define FAT_EPOCH 315532800LL     /* 1980-01-01 00:00:00 UTC */
#define FAT_LAST 4354819198LL     /* 2107-12-31 23:59:58 UTC */

void fat_time_from_unix(int64_t t, uint16_t *date, uint16_t *time)
{
  if (t < FAT_EPOCH)
    t = FAT_EPOCH;
  if (t > FAT_LAST)
    t = FAT_LAST;
  int64_t days = t / 86400, secs = t % 86400, y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  *date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
  *time = (uint16_t)((secs / 3600) << 11 | ((secs / 60) % 60) << 5 | (secs % 60) / 2);
}
