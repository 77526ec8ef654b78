/*
 * ext4_indirect.c — the block map of ext2/ext3 files (inodes without the
 * extents flag): 12 direct block numbers in i_block, then a single, a
 * double and a triple indirect block of 32-bit block numbers.
 *
 * Layer: ext4 core (see ext4.h), beside ext4_extent.c; called through
 * ext4_map and friends (ext4_file.c). fs->lock held throughout.
 *
 * Indirect blocks are metadata: they go through the journal, and freeing
 * one revokes it. A lookup reports runs of consecutive block numbers in
 * one indirect block (or of holes) so reads go in large requests.
 */
#include "fs/ext4/ext4_int.h"

static uint32_t per_block(struct ext4_fs *fs) { return fs->block_size / 4; }

/* The path to logical block lblk: offsets at each level; the depth (0 =
 * direct), or -EFBIG past what the map can address. */
static int ind_path(struct ext4_fs *fs, uint64_t lblk, uint32_t off[4])
{
  uint64_t p = per_block(fs);
  if (lblk < EXT4_NDIR_BLOCKS) {
    off[0] = (uint32_t)lblk;
    return 0;
  }
  lblk -= EXT4_NDIR_BLOCKS;
  if (lblk < p) {
    off[0] = EXT4_IND_BLOCK;
    off[1] = (uint32_t)lblk;
    return 1;
  }
  lblk -= p;
  if (lblk < p * p) {
    off[0] = EXT4_DIND_BLOCK;
    off[1] = (uint32_t)(lblk / p);
    off[2] = (uint32_t)(lblk % p);
    return 2;
  }
  lblk -= p * p;
  if (lblk < p * p * p) {
    off[0] = EXT4_TIND_BLOCK;
    off[1] = (uint32_t)(lblk / (p * p));
    off[2] = (uint32_t)(lblk / p % p);
    off[3] = (uint32_t)(lblk % p);
    return 3;
  }
  return -EFBIG;
}

int ext4_ind_map(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t *pblk, uint32_t *len)
{
  uint32_t off[4];
  int depth = ind_path(fs, lblk, off);
  if (depth < 0) {
    *pblk = 0;
    *len = 1;
    return 0;
  }
  uint32_t ptr = ext4_iblock(n)[off[0]];
  if (depth == 0) {
    /* direct blocks: extend the run through i_block */
    *pblk = ptr;
    uint32_t k = 1;
    while (off[0] + k < EXT4_NDIR_BLOCKS &&
           (ptr ? ext4_iblock(n)[off[0] + k] == ptr + k : ext4_iblock(n)[off[0] + k] == 0))
      k++;
    *len = k;
    goto check;
  }
  for (int l = 1; l <= depth; l++) {
    if (!ptr) {
      /* The missing level-l table would cover P^(depth-l+1) blocks; lblk
       * is `pos` blocks into them. */
      uint64_t size = 1, pos = 0;
      for (int k = depth; k >= l; k--) {
        pos += off[k] * size;
        size *= per_block(fs);
      }
      *pblk = 0;
      *len = (uint32_t)MIN(size - pos, 0x10000u);
      return 0;
    }
    int err;
    struct ext4_buf *b = ext4_bread(fs, ptr, &err);
    if (!b)
      return err;
    const uint32_t *tab = ext4_bdata(b);
    ptr = tab[off[l]];
    if (l == depth) {
      uint32_t k = 1;
      while (off[l] + k < per_block(fs) && (ptr ? tab[off[l] + k] == ptr + k : tab[off[l] + k] == 0))
        k++;
      *len = k;
      *pblk = ptr;
    }
    ext4_brelse(b);
  }
check:
  if (*pblk && (*pblk < fs->first_data_block || *pblk + *len > fs->nblocks))
    return ext4_corrupt(fs, "block map points outside the file system", n->ino);
  return 0;
}

/* Free everything at logical blocks >= from in the subtree at *slot
 * (level 0: a data block; k: a k-level indirect block) that covers
 * logical blocks from base on; *slot is cleared when what it names is freed. */
static int ind_free(struct ext4_fs *fs, struct ext4_node *n, uint32_t *slot, int level, uint64_t base,
                    uint64_t from, int budget)
{
  if (!*slot)
    return 0;
  if (*slot < fs->first_data_block || *slot >= fs->nblocks || budget <= 0)
    return ext4_corrupt(fs, "block map points outside the file system", n->ino);
  bool meta = !ext4_is_reg(n);
  if (level == 0) {
    if (base < from)
      return 0;
    if (meta)
      ext4_tx_forget(fs, *slot, 1);
    int err = ext4_free_blocks(fs, *slot, 1, meta);
    ext4_add_blocks(fs, n, -1);
    *slot = 0;
    return err;
  }
  uint64_t span = 1;
  for (int l = 1; l < level; l++)
    span *= per_block(fs);
  int err;
  uint32_t blk = *slot;
  struct ext4_buf *b = ext4_bread(fs, blk, &err);
  if (!b)
    return err;
  uint32_t *tab = ext4_bdata(b);
  bool dirty = false;
  for (uint32_t i = 0; i < per_block(fs) && !err; i++) {
    uint64_t cb = base + i * span;
    if (cb + span <= from || !tab[i])
      continue;
    uint32_t before = tab[i];
    err = ind_free(fs, n, &tab[i], level - 1, cb, from, budget - 1);
    dirty |= tab[i] != before;
  }
  if (!err && base >= from) {
    ext4_brelse(b);
    ext4_tx_forget(fs, blk, 1);
    err = ext4_free_blocks(fs, blk, 1, true);
    ext4_add_blocks(fs, n, -1);
    *slot = 0;
    return err;
  }
  if (!err && dirty)
    err = ext4_bdirty(fs, b, blk);
  ext4_brelse(b);
  return err;
}

int ext4_ind_remove(struct ext4_fs *fs, struct ext4_node *n, uint64_t from)
{
  uint32_t *ib = ext4_iblock(n);
  uint64_t p = per_block(fs);
  int err = 0;
  for (uint32_t i = 0; i < EXT4_NDIR_BLOCKS && !err; i++)
    err = ind_free(fs, n, &ib[i], 0, i, from, 1);
  uint64_t base = EXT4_NDIR_BLOCKS, span = p;
  for (int l = 1; l <= 3 && !err; l++) {
    err = ind_free(fs, n, &ib[EXT4_IND_BLOCK + l - 1], l, base, from, 4);
    base += span;
    span *= p;
  }
  int err2 = ext4_inode_write(fs, n);
  return err ? err : err2;
}

/* Map one logical block to pblk, making indirect blocks on the way. */
static int ind_set(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t pblk)
{
  uint32_t off[4];
  int depth = ind_path(fs, lblk, off);
  if (depth < 0)
    return depth;
  if (pblk >> 32)
    return -EFBIG;
  uint32_t *slot = &ext4_iblock(n)[off[0]];
  struct ext4_buf *b = NULL;
  uint64_t bblk = 0;
  int err = 0;
  for (int l = 1; l <= depth && !err; l++) {
    if (!*slot) {
      uint64_t nb;
      uint32_t got;
      err = ext4_alloc_blocks(fs, pblk, 1, true, &nb, &got);
      if (err)
        break;
      struct ext4_buf *z = ext4_bzero(fs, nb, &err);
      if (!z) {
        ext4_free_blocks(fs, nb, 1, true);
        break;
      }
      err = ext4_bdirty(fs, z, nb);
      ext4_brelse(z);
      ext4_add_blocks(fs, n, 1);
      *slot = (uint32_t)nb;
      if (b)
        err = err ? err : ext4_bdirty(fs, b, bblk);
    }
    uint32_t next = *slot;
    ext4_brelse(b);
    b = err ? NULL : ext4_bread(fs, next, &err);
    bblk = next;
    if (b)
      slot = (uint32_t *)ext4_bdata(b) + off[l];
  }
  if (!err) {
    *slot = (uint32_t)pblk;
    err = b ? ext4_bdirty(fs, b, bblk) : 0;
  }
  ext4_brelse(b);
  return err;
}

int ext4_ind_insert(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t pblk,
                    uint32_t len)
{
  int err = 0;
  for (uint32_t i = 0; i < len && !err; i++)
    err = ind_set(fs, n, lblk + i, pblk + i);
  int err2 = ext4_inode_write(fs, n);
  return err ? err : err2;
}
