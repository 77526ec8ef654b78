/*
 * fat_table.c — the FAT32 core's cluster layer: reading blocks, the file
 * allocation table (reading chains, allocating and freeing clusters),
 * mapping a node's file offsets to clusters (with its cursor), growing and
 * shrinking a chain, and writing a node's directory entry back.
 *
 * Layer: fs, the FAT32 core (fs/fat/fat32.h draws it). Below: the
 * environment (fat_env.h: blocks, lock), fat_time.c (dates in an entry).
 * Above: fat_file.c (file data, sizes), fat32.c (nodes, the volume),
 * the directory files (fat_dir.c, fat_slots.c ...).
 *
 * Locks: every function here expects fs->lock held (the public entry
 * points that take it live in fat_file.c, fat32.c and fat_dir.c). All
 * metadata goes through the environment's block cache, a sector at a time.
 */
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"

/* ---- blocks ---- */

struct fat_buf *fat_get_block(struct fat_fs *fs, uint64_t sector, int *err)
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
    c->b = fat_get_block(fs, sector, err);
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
    struct fat_buf *b = fat_get_block(fs, fat_entry_sector(fs, copy, clus, &off), &err);
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

int fat_count_free_locked(struct fat_fs *fs)
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
int fat_free_chain(struct fat_fs *fs, uint32_t first, bool was_dir)
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
  return fat_free_chain(fs, first, false);
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
int fat_map_run(struct fat_fs *fs, struct fat_node *n, uint32_t idx, uint32_t maxrun,
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
  return fat_map_run(fs, n, idx, 1, clus, &run);
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
        fat_free_chain(fs, head, false);
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
    fat_free_chain(fs, head, false);
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
    return fat_free_chain(fs, first, n->is_dir);
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
  return next ? fat_free_chain(fs, next, n->is_dir) : 0;
}

/* ---- a node's directory entry ---- */

/* Write n's size, first cluster, attributes and times into its entry. */
int fat_write_entry_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (!n->linked || fs->read_only)
    return 0;
  int err = -EIO;
  struct fat_buf *b = fat_get_block(fs, n->entry_sector, &err);
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
