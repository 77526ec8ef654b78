/*
 * ext4_alloc.c — allocation: the block and inode bitmaps of each group,
 * the free counts in the descriptors and the superblock, and where new
 * blocks and inodes go (near a goal: a file's next block, the parent
 * directory's group; new directories spread over flex groups).
 *
 * Layer: ext4 core (see ext4.h). Uses ext4_super.c for descriptors.
 * fs->lock held throughout.
 *
 * Groups whose bitmaps were never written (BLOCK_UNINIT, INODE_UNINIT, as
 * mke2fs leaves most of them) get them built in memory on first use. The
 * bitmaps' checksums, the descriptors and the superblock change with
 * every allocation; they are brought up to date once per commit
 * (ext4_alloc_flush), not once per bit.
 *
 * Blocks freed since the last commit are not handed out again before it
 * (fs->pending_free): until the commit, the old owner still has them on
 * disk.
 */
#include "fs/ext4/ext4_int.h"

static void csum_forget(struct ext4_fs *fs, uint64_t start, uint64_t count);

static bool test_bit(const uint8_t *b, uint32_t i) { return b[i >> 3] & (1u << (i & 7)); }
static void set_bit(uint8_t *b, uint32_t i) { b[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void clear_bit(uint8_t *b, uint32_t i) { b[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

/* First zero bit in [from, to), or `to`. */
static uint32_t find_zero(const uint8_t *b, uint32_t from, uint32_t to)
{
  uint32_t i = from;
  while (i < to && (i & 63)) {
    if (!test_bit(b, i))
      return i;
    i++;
  }
  while (i + 64 <= to) {
    uint64_t w;
    memcpy(&w, b + (i >> 3), 8);
    if (w != ~0ULL)
      return i + (uint32_t)__builtin_ctzll(~w);
    i += 64;
  }
  for (; i < to; i++)
    if (!test_bit(b, i))
      return i;
  return to;
}

/* Length of the run of zero bits from i (at most max). */
static uint32_t zero_run(const uint8_t *b, uint32_t i, uint32_t to, uint32_t max)
{
  uint32_t n = 0;
  while (i + n < to && n < max && !test_bit(b, i + n))
    n++;
  return n;
}

static uint32_t bitmap_csum(struct ext4_fs *fs, const void *bits, uint32_t nbits)
{
  return ext4_crc32c(fs->csum_seed, bits, nbits / 8);
}

int ext4_bitmap_csum_verify(struct ext4_fs *fs, uint32_t g, bool inode_bitmap, const void *bits)
{
  if (!fs->csum)
    return 0;
  uint32_t want = inode_bitmap ? fs->groups[g].inode_bitmap_csum : fs->groups[g].block_bitmap_csum;
  uint32_t c = bitmap_csum(fs, bits, inode_bitmap ? fs->inodes_per_group : fs->blocks_per_group);
  if (fs->desc_size < EXT4_MIN_DESC_SIZE_64BIT)
    c &= 0xffff;
  if (c == want)
    return 0;
  ext4_env_log("ext4: group %u: %s bitmap checksum mismatch", g, inode_bitmap ? "inode" : "block");
  return -EFSBADCRC;
}

static bool in_group(struct ext4_fs *fs, uint32_t g, uint64_t blk)
{
  uint64_t first = ext4_group_first(fs, g);
  return blk >= first && blk < first + ext4_group_nblocks(fs, g);
}

/* The block bitmap a group never wrote: its own metadata (and that of any
 * group stored in it, with flex_bg) in use, the bits past its end set. */
static void init_block_bitmap(struct ext4_fs *fs, uint32_t g, uint8_t *bits)
{
  memset(bits, 0, fs->block_size);
  uint64_t first = ext4_group_first(fs, g);
  uint32_t over = ext4_group_overhead(fs, g);
  for (uint32_t i = 0; i < over; i++)
    set_bit(bits, i);
  for (uint32_t o = 0; o < fs->ngroups; o++) {
    struct ext4_group *gr = &fs->groups[o];
    if (in_group(fs, g, gr->block_bitmap))
      set_bit(bits, (uint32_t)(gr->block_bitmap - first));
    if (in_group(fs, g, gr->inode_bitmap))
      set_bit(bits, (uint32_t)(gr->inode_bitmap - first));
    for (uint64_t b = gr->inode_table; b < gr->inode_table + fs->itable_blocks; b++)
      if (in_group(fs, g, b))
        set_bit(bits, (uint32_t)(b - first));
  }
  for (uint32_t i = ext4_group_nblocks(fs, g); i < fs->block_size * 8; i++)
    set_bit(bits, i);
}

/* Group g's block (or inode) bitmap, held; built if the group never had
 * one. `for_write`: the caller will change it (it becomes initialised). */
static struct ext4_buf *get_bitmap(struct ext4_fs *fs, uint32_t g, bool inode_bitmap, bool for_write,
                                   int *err)
{
  struct ext4_group *gr = &fs->groups[g];
  uint64_t blk = inode_bitmap ? gr->inode_bitmap : gr->block_bitmap;
  uint16_t uninit = inode_bitmap ? EXT4_BG_INODE_UNINIT : EXT4_BG_BLOCK_UNINIT;
  bool has_csum = fs->csum || fs->gdt_csum;
  if (has_csum && (gr->flags & uninit)) {
    struct ext4_buf *b = ext4_bzero(fs, blk, err);
    if (!b)
      return NULL;
    uint8_t *bits = ext4_bdata(b);
    if (inode_bitmap) {
      for (uint32_t i = fs->inodes_per_group; i < fs->block_size * 8; i++)
        set_bit(bits, i);
    } else {
      init_block_bitmap(fs, g, bits);
    }
    if (for_write) {
      gr->flags &= (uint16_t)~uninit;
      if (!inode_bitmap) {
        /* Make the count agree with the bitmap just built. */
        uint32_t used = 0;
        for (uint32_t i = 0; i < ext4_group_nblocks(fs, g); i++)
          used += test_bit(bits, i);
        uint32_t free = ext4_group_nblocks(fs, g) - used;
        fs->free_blocks = fs->free_blocks - gr->free_blocks + free;
        gr->free_blocks = free;
      }
      gr->state |= EXT4_GS_DESC_DIRTY | (inode_bitmap ? EXT4_GS_IB_CSUM | EXT4_GS_IB_OK
                                                      : EXT4_GS_BB_CSUM | EXT4_GS_BB_OK);
      fs->sb_dirty = true;
      *err = ext4_bdirty(fs, b, blk);  /* the flag is gone: the bitmap must reach the disk */
      if (*err) {
        ext4_brelse(b);
        return NULL;
      }
    }
    return b;
  }
  struct ext4_buf *b = ext4_bread(fs, blk, err);
  if (!b)
    return NULL;
  uint8_t ok = inode_bitmap ? EXT4_GS_IB_OK : EXT4_GS_BB_OK;
  if (!(gr->state & ok)) {
    *err = ext4_bitmap_csum_verify(fs, g, inode_bitmap, ext4_bdata(b));
    if (*err) {
      ext4_brelse(b);
      return NULL;
    }
    gr->state |= ok;
  }
  return b;
}

/* ---- blocks ---- */

/* Is [start, start + n) clear of blocks freed since the last commit? If
 * not, *skip_to is where the clash ends. (fs->ignore_pending: the disk is
 * full but for them, so they are used after all.) */
static bool clear_of_pending(struct ext4_fs *fs, uint64_t start, uint32_t *n, uint64_t *skip_to)
{
  for (uint32_t i = 0; !fs->ignore_pending && i < fs->npending_free; i++) {
    struct ext4_range *r = &fs->pending_free[i];
    if (r->start <= start && start < r->start + r->count) {
      *skip_to = r->start + r->count;
      return false;
    }
    if (start < r->start && r->start < start + *n)
      *n = (uint32_t)(r->start - start);  /* stop short of it */
  }
  return true;
}

/* Take up to `want` blocks at or after bit `from` of group g: 0 if none. */
static uint32_t take_in_group(struct ext4_fs *fs, uint32_t g, uint32_t from, uint32_t want,
                              uint64_t *start, int *err)
{
  struct ext4_group *gr = &fs->groups[g];
  if (gr->free_blocks == 0)
    return 0;
  struct ext4_buf *b = get_bitmap(fs, g, false, true, err);
  if (!b)
    return 0;
  uint8_t *bits = ext4_bdata(b);
  uint32_t end = ext4_group_nblocks(fs, g), got = 0;
  uint64_t first = ext4_group_first(fs, g);
  for (uint32_t i = find_zero(bits, from, end); i < end; i = find_zero(bits, i, end)) {
    uint32_t n = zero_run(bits, i, end, want);
    uint64_t skip;
    if (!clear_of_pending(fs, first + i, &n, &skip)) {
      if (skip >= first + end)
        break;
      i = (uint32_t)(skip - first);
      continue;
    }
    for (uint32_t k = 0; k < n; k++)
      set_bit(bits, i + k);
    *start = first + i;
    got = n;
    break;
  }
  if (got) {
    if (got > gr->free_blocks) {
      *err = ext4_corrupt(fs, "group free count below its bitmap's", g);
      got = 0;
    } else {
      gr->free_blocks -= got;
      gr->state |= EXT4_GS_DESC_DIRTY | EXT4_GS_BB_CSUM;
      fs->free_blocks -= got;
      fs->sb_dirty = true;
      *err = ext4_bdirty(fs, b, gr->block_bitmap);
    }
  }
  ext4_brelse(b);
  return *err ? 0 : got;
}

int ext4_alloc_blocks(struct ext4_fs *fs, uint64_t goal, uint32_t want, bool use_reserved,
                      uint64_t *start, uint32_t *got)
{
  if (fs->read_only)
    return -EROFS;
  uint64_t avail = fs->free_blocks > fs->reserved ? fs->free_blocks - fs->reserved : 0;
  if (use_reserved)
    avail = fs->free_blocks;
  if (avail == 0)
    return -ENOSPC;
  if (want > avail)
    want = (uint32_t)avail;
  if (goal < fs->first_data_block || goal >= fs->nblocks)
    goal = ext4_group_first(fs, fs->last_group);
  uint32_t g0 = (uint32_t)((goal - fs->first_data_block) / fs->blocks_per_group);
  uint32_t from = (uint32_t)((goal - fs->first_data_block) % fs->blocks_per_group);
  int err = 0;
  for (int pass = 0; pass < 2; pass++) {
    fs->ignore_pending = pass == 1;
    for (uint32_t k = 0; k <= fs->ngroups; k++) {
      uint32_t g = (g0 + k) % fs->ngroups;
      uint32_t n = take_in_group(fs, g, k == 0 ? from : 0, want, start, &err);
      if (err || n) {
        fs->ignore_pending = false;
        if (n) {
          *got = n;
          fs->last_group = g;
        }
        return err;
      }
    }
    if (!fs->npending_free)
      break;
  }
  fs->ignore_pending = false;
  return -ENOSPC;
}

static void note_pending_free(struct ext4_fs *fs, uint64_t start, uint64_t count)
{
  if (!fs->j)
    return;  /* without a journal nothing is promised across a crash */
  for (uint32_t i = 0; i < fs->npending_free; i++) {
    struct ext4_range *r = &fs->pending_free[i];
    if (r->start + r->count == start) {
      r->count += count;
      return;
    }
  }
  if (fs->npending_free < EXT4_MAX_PENDING_FREE)
    fs->pending_free[fs->npending_free++] = (struct ext4_range){ start, count };
  /* else: the list is full; such blocks may be reused before the commit
   * (only their old contents are at stake, not the file system) */
}

int ext4_free_blocks(struct ext4_fs *fs, uint64_t start, uint64_t count, bool metadata)
{
  (void)metadata;  /* journaled blocks were dropped by ext4_tx_forget already */
  if (start < fs->first_data_block || start + count > fs->nblocks || start + count < start)
    return ext4_corrupt(fs, "freeing blocks outside the file system", start);
  note_pending_free(fs, start, count);
  ext4_clear_verified(fs, start, count);
  csum_forget(fs, start, count);
  while (count) {
    uint32_t g = (uint32_t)((start - fs->first_data_block) / fs->blocks_per_group);
    uint32_t bit = (uint32_t)((start - fs->first_data_block) % fs->blocks_per_group);
    uint32_t n = (uint32_t)MIN(count, (uint64_t)(fs->blocks_per_group - bit));
    int err = 0;
    struct ext4_buf *b = get_bitmap(fs, g, false, true, &err);
    if (!b)
      return err;
    uint8_t *bits = ext4_bdata(b);
    uint32_t freed = 0;
    for (uint32_t i = bit; i < bit + n; i++) {
      if (test_bit(bits, i)) {
        clear_bit(bits, i);
        freed++;
      }
    }
    struct ext4_group *gr = &fs->groups[g];
    gr->free_blocks += freed;
    gr->state |= EXT4_GS_DESC_DIRTY | EXT4_GS_BB_CSUM;
    fs->free_blocks += freed;
    fs->sb_dirty = true;
    err = ext4_bdirty(fs, b, gr->block_bitmap);
    ext4_brelse(b);
    if (freed != n)
      ext4_env_log("ext4: freeing %u blocks at %llu that were free", n - freed,
                   (unsigned long long)start);
    if (err)
      return err;
    start += n;
    count -= n;
  }
  return 0;
}

int ext4_block_in_use(struct ext4_fs *fs, uint64_t blk)
{
  if (blk < fs->first_data_block || blk >= fs->nblocks)
    return -EINVAL;
  uint32_t g = (uint32_t)((blk - fs->first_data_block) / fs->blocks_per_group);
  int err = 0;
  struct ext4_buf *b = get_bitmap(fs, g, false, false, &err);
  if (!b)
    return err;
  int r = test_bit(ext4_bdata(b), (uint32_t)((blk - fs->first_data_block) % fs->blocks_per_group));
  ext4_brelse(b);
  return r;
}

/* ---- inodes ---- */

/* The group a new inode should go to (-1: none has a free inode). */
static int64_t pick_group(struct ext4_fs *fs, uint32_t parent_ino, bool is_dir)
{
  uint32_t pg = parent_ino ? (parent_ino - 1) / fs->inodes_per_group : 0;
  if (is_dir && parent_ino == EXT4_ROOT_INO) {
    /* Top-level directories spread: the flex group with the most free
     * inodes per directory, among those at least average. */
    uint32_t flex = fs->groups_per_flex, nflex = (fs->ngroups + flex - 1) / flex;
    uint64_t avg = fs->free_inodes / (nflex ? nflex : 1);
    int64_t best = -1;
    uint64_t best_score = 0;
    for (uint32_t f = 0; f < nflex; f++) {
      uint64_t fi = 0, dirs = 0;
      for (uint32_t g = f * flex; g < (f + 1) * flex && g < fs->ngroups; g++) {
        fi += fs->groups[g].free_inodes;
        dirs += fs->groups[g].used_dirs;
      }
      uint64_t score = fi * 1024 / (dirs + 1);
      if (fi && fi >= avg && (best < 0 || score > best_score)) {
        best = f;
        best_score = score;
      }
    }
    if (best >= 0)
      pg = (uint32_t)best * flex;
  }
  for (uint32_t k = 0; k < fs->ngroups; k++) {
    uint32_t g = (pg + k) % fs->ngroups;
    if (fs->groups[g].free_inodes)
      return g;
  }
  return -1;
}

int ext4_alloc_inode(struct ext4_fs *fs, uint32_t parent_ino, bool is_dir, uint32_t *ino)
{
  if (fs->read_only)
    return -EROFS;
  int64_t pg = pick_group(fs, parent_ino, is_dir);
  for (uint32_t k = 0; pg >= 0 && k < fs->ngroups; k++) {
    uint32_t g = (uint32_t)(pg + k) % fs->ngroups;
    struct ext4_group *gr = &fs->groups[g];
    if (!gr->free_inodes)
      continue;
    int err = 0;
    struct ext4_buf *b = get_bitmap(fs, g, true, true, &err);
    if (!b)
      return err;
    uint8_t *bits = ext4_bdata(b);
    uint32_t from = g == 0 ? fs->first_ino - 1 : 0;
    uint32_t i = find_zero(bits, from, fs->inodes_per_group);
    if (i >= fs->inodes_per_group) {
      ext4_brelse(b);
      ext4_env_log("ext4: group %u: free inode count %u but a full bitmap", g, gr->free_inodes);
      continue;
    }
    set_bit(bits, i);
    err = ext4_bdirty(fs, b, gr->inode_bitmap);
    ext4_brelse(b);
    if (err)
      return err;
    gr->free_inodes--;
    if (is_dir)
      gr->used_dirs++;
    if ((fs->csum || fs->gdt_csum) && i + 1 > fs->inodes_per_group - gr->itable_unused)
      gr->itable_unused = fs->inodes_per_group - (i + 1);
    gr->state |= EXT4_GS_DESC_DIRTY | EXT4_GS_IB_CSUM;
    fs->free_inodes--;
    fs->sb_dirty = true;
    *ino = g * fs->inodes_per_group + i + 1;
    return 0;
  }
  return -ENOSPC;
}

int ext4_free_inode(struct ext4_fs *fs, uint32_t ino, bool is_dir)
{
  if (ino < fs->first_ino || ino > fs->inodes_count)
    return ext4_corrupt(fs, "freeing a reserved inode", ino);
  uint32_t g = (ino - 1) / fs->inodes_per_group, i = (ino - 1) % fs->inodes_per_group;
  int err = 0;
  struct ext4_buf *b = get_bitmap(fs, g, true, true, &err);
  if (!b)
    return err;
  uint8_t *bits = ext4_bdata(b);
  struct ext4_group *gr = &fs->groups[g];
  if (!test_bit(bits, i)) {
    ext4_brelse(b);
    return ext4_corrupt(fs, "freeing a free inode", ino);
  }
  clear_bit(bits, i);
  err = ext4_bdirty(fs, b, gr->inode_bitmap);
  ext4_brelse(b);
  gr->free_inodes++;
  if (is_dir && gr->used_dirs)
    gr->used_dirs--;
  gr->state |= EXT4_GS_DESC_DIRTY | EXT4_GS_IB_CSUM;
  fs->free_inodes++;
  fs->sb_dirty = true;
  return err;
}

/* ---- checksums due at the commit ---- */

int ext4_csum_later(struct ext4_fs *fs, struct ext4_buf *b, uint64_t blk, uint32_t seed,
                    uint32_t count_offset)
{
  ext4_set_verified(fs, blk);  /* its checksum is ours to set, not to check */
  for (uint32_t i = fs->nlater; i-- > 0 && i + 8 >= fs->nlater;)
    if (fs->later[i].blk == blk)  /* the same block again (the usual case) */
      return ext4_bdirty(fs, b, blk);
  if (fs->nlater == fs->caplater) {
    uint32_t cap = fs->caplater ? fs->caplater * 2 : 64;
    struct ext4_csum_later *n = ext4_env_zalloc(cap * sizeof(*n));
    if (!n) {  /* no room to remember: compute it now */
      uint8_t *block = ext4_bdata(b);
      if (count_offset)
        ((struct ext4_dx_tail *)(block + count_offset + ((struct ext4_dx_countlimit *)(block + count_offset))->limit * 8))
            ->dt_checksum = ext4_dx_csum(NULL, seed, block, count_offset);
      else
        ((struct ext4_dir_tail *)(block + fs->block_size - 12))->det_checksum =
            ext4_crc32c(seed, block, fs->block_size - 12);
      return ext4_bdirty(fs, b, blk);
    }
    if (fs->nlater)
      memcpy(n, fs->later, fs->nlater * sizeof(*n));
    ext4_env_free(fs->later);
    fs->later = n;
    fs->caplater = cap;
  }
  fs->later[fs->nlater++] = (struct ext4_csum_later){ blk, seed, count_offset };
  return ext4_bdirty(fs, b, blk);
}

/* Compute the checksums put off until now (duplicates cost a recomputation). */
static int csum_flush(struct ext4_fs *fs)
{
  int err = 0;
  for (uint32_t i = 0; i < fs->nlater && !err; i++) {
    struct ext4_csum_later *l = &fs->later[i];
    if (!l->blk)
      continue;  /* freed since */
    struct ext4_buf *b = ext4_bread(fs, l->blk, &err);
    if (!b)
      break;
    /* What the block is now decides the checksum (a leaf may have become
     * an index root since it was noted). */
    uint8_t *block = ext4_bdata(b);
    const struct ext4_dir_entry *d0 = (const struct ext4_dir_entry *)block;
    const struct ext4_dir_entry *d1 = (const struct ext4_dir_entry *)(block + 12);
    uint32_t co = 0;
    if (!ext4_dir_has_tail(fs, block))
      co = d0->rec_len == 12 && d1->rec_len == fs->block_size - 12 ? EXT4_DX_ROOT_ENTRIES
           : d0->inode == 0 && d0->rec_len == fs->block_size ? EXT4_DX_NODE_ENTRIES : 1;
    if (co == 0) {
      ((struct ext4_dir_tail *)(block + fs->block_size - 12))->det_checksum =
          ext4_crc32c(l->seed, block, fs->block_size - 12);
    } else if (co != 1) {
      struct ext4_dx_countlimit *cl = (struct ext4_dx_countlimit *)(block + co);
      if (co + cl->limit * 8u + 8 <= fs->block_size && cl->count <= cl->limit)
        ((struct ext4_dx_tail *)(block + co + cl->limit * 8))->dt_checksum =
            ext4_dx_csum(NULL, l->seed, block, co);
    }
    err = ext4_bdirty(fs, b, l->blk);
    ext4_brelse(b);
  }
  fs->nlater = 0;
  return err;
}

/* Blocks freed: no checksum is due for them any more. */
static void csum_forget(struct ext4_fs *fs, uint64_t start, uint64_t count)
{
  for (uint32_t i = 0; i < fs->nlater; i++)
    if (fs->later[i].blk >= start && fs->later[i].blk < start + count)
      fs->later[i].blk = 0;
}

/*
 * Before a commit: recompute the checksums of the bitmaps that changed,
 * write the descriptors that changed and the superblock. The caller has a
 * transaction open.
 */
int ext4_alloc_flush(struct ext4_fs *fs)
{
  int err = csum_flush(fs);
  for (uint32_t g = 0; g < fs->ngroups && !err; g++) {
    struct ext4_group *gr = &fs->groups[g];
    if (!(gr->state & (EXT4_GS_DESC_DIRTY | EXT4_GS_BB_CSUM | EXT4_GS_IB_CSUM)))
      continue;
    if (fs->csum && (gr->state & (EXT4_GS_BB_CSUM | EXT4_GS_IB_CSUM))) {
      for (int ib = 0; ib < 2 && !err; ib++) {
        if (!(gr->state & (ib ? EXT4_GS_IB_CSUM : EXT4_GS_BB_CSUM)))
          continue;
        struct ext4_buf *b = ext4_bread(fs, ib ? gr->inode_bitmap : gr->block_bitmap, &err);
        if (!b)
          break;
        uint32_t c = bitmap_csum(fs, ext4_bdata(b), ib ? fs->inodes_per_group : fs->blocks_per_group);
        if (ib)
          gr->inode_bitmap_csum = c;
        else
          gr->block_bitmap_csum = c;
        ext4_brelse(b);
      }
    }
    if (!err)
      err = ext4_group_write(fs, g);
    if (!err)
      gr->state &= (uint8_t)~(EXT4_GS_DESC_DIRTY | EXT4_GS_BB_CSUM | EXT4_GS_IB_CSUM);
  }
  if (!err && fs->sb_dirty)
    err = ext4_super_write(fs);
  return err;
}
