/*
 * ext4_journal.c — transactions in the jbd2 format: every metadata block a
 * Kite operation changes joins the running transaction (pinned in the
 * block cache, not written); a commit writes copies of them into the log
 * with descriptor, revoke and commit blocks, after which they may go home;
 * a checkpoint writes them home and empties the log. Linux and e2fsck can
 * replay what Kite leaves, and Kite replays what they leave
 * (ext4_replay.c).
 *
 * Layer: ext4 core (see ext4.h). Called by every core file through
 * ext4_bdirty / ext4_tx_*; uses the environment's pin, flush and direct
 * transfers. fs->lock held throughout.
 *
 * Order of a commit: bitmaps' checksums, descriptors and the superblock
 * are brought up to date (ext4_alloc_flush); descriptor blocks and block
 * copies, then revoke blocks, are written; the device is flushed; the
 * journal superblock is pointed at the log if it was empty; the commit
 * block is written and flushed. Only then are the blocks marked dirty for
 * the cache to write home. File data was written before (ext4_write), so
 * a committed block map never points at data that is not on disk.
 *
 * Without a journal (ext2, or ext4 made without one) the same calls just
 * mark blocks dirty, and a "commit" is a sync of the cache.
 */
#include "fs/ext4/ext4_journal.h"

#define STAGE_BYTES (128 * 1024)        /* log blocks written per request */
#define MAX_PINNED 1024                 /* blocks a transaction may pin */

/* ---- journal blocks ---- */

uint64_t ext4_jmap(struct ext4_journal *j, uint32_t lblk)
{
  uint32_t lo = 0, hi = j->nruns;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    struct jrun *r = &j->runs[mid];
    if (lblk < r->lblk)
      hi = mid;
    else if (lblk - r->lblk >= r->len)
      lo = mid + 1;
    else
      return r->pblk + (lblk - r->lblk);
  }
  return 0;
}

int ext4_jio(struct ext4_fs *fs, struct ext4_journal *j, bool write, uint32_t lblk, void *buf,
             uint32_t n)
{
  uint8_t *p = buf;
  while (n) {
    uint64_t pb = ext4_jmap(j, lblk);
    if (!pb)
      return ext4_corrupt(fs, "journal block outside the journal", lblk);
    uint32_t k = 1;  /* extend over physically contiguous blocks */
    while (k < n && ext4_jmap(j, lblk + k) == pb + k)
      k++;
    int err = ext4_env_rw(fs->dev, write, pb * fs->sectors_per_block, p, k * fs->sectors_per_block);
    if (err)
      return err;
    p += (size_t)k * fs->block_size;
    lblk += k;
    n -= k;
  }
  return 0;
}

uint32_t ext4_jcsum(struct ext4_journal *j, const void *block, uint32_t size)
{
  return ext4_crc32c(j->csum_seed, block, size);
}

int ext4_jsb_write(struct ext4_fs *fs, struct ext4_journal *j)
{
  uint8_t *buf = ext4_env_zalloc(fs->block_size);
  if (!buf)
    return -ENOMEM;
  int err = ext4_jio(fs, j, false, 0, buf, 1);
  if (!err) {
    if (j->csum) {
      j->jsb->s_checksum = 0;
      j->jsb->s_checksum = be32(ext4_crc32c(~0u, j->jsb, sizeof(*j->jsb)));
    }
    memcpy(buf, j->jsb, sizeof(*j->jsb));
    err = ext4_jio(fs, j, true, 0, buf, 1);
  }
  ext4_env_free(buf);
  return err;
}

/* ---- loading ---- */

static int build_map(struct ext4_fs *fs, struct ext4_journal *j, uint32_t nblocks)
{
  uint32_t cap = 8;
  j->runs = ext4_env_zalloc(cap * sizeof(*j->runs));
  for (uint32_t lb = 0; j->runs && lb < nblocks;) {
    uint64_t pb;
    uint32_t len;
    unsigned fl;
    int err = ext4_map(fs, j->jn, lb, &pb, &len, &fl);
    if (err)
      return err;
    if (!pb)
      return ext4_corrupt(fs, "hole in the journal", lb);
    len = MIN(len, nblocks - lb);
    if (j->nruns == cap) {
      struct jrun *n = ext4_env_zalloc(2 * cap * sizeof(*n));
      if (!n)
        return -ENOMEM;
      memcpy(n, j->runs, cap * sizeof(*n));
      ext4_env_free(j->runs);
      j->runs = n;
      cap *= 2;
    }
    j->runs[j->nruns++] = (struct jrun){ lb, len, pb };
    lb += len;
  }
  return j->runs ? 0 : -ENOMEM;
}

static void journal_free(struct ext4_fs *fs, struct ext4_journal *j)
{
  if (!j)
    return;
  if (j->jn)
    ext4_node_put_locked(fs, j->jn);
  ext4_env_free(j->runs);
  ext4_env_free(j->jsb);
  ext4_env_free(j->blocks);
  ext4_env_free(j->hash);
  ext4_env_free(j->revokes);
  ext4_env_free(j);
}

#define JBD2_KNOWN_INCOMPAT (JBD2_INCOMPAT_REVOKE | JBD2_INCOMPAT_64BIT | JBD2_INCOMPAT_ASYNC_COMMIT | \
                             JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3 | JBD2_INCOMPAT_FAST_COMMIT)

static void set_features(struct ext4_journal *j)
{
  j->incompat = be32(j->jsb->s_feature_incompat);
  j->compat = be32(j->jsb->s_feature_compat);
  j->csum = j->incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3);
  if (j->incompat & JBD2_INCOMPAT_CSUM_V3)
    j->tag_bytes = 16;
  else
    j->tag_bytes = 8 + ((j->incompat & JBD2_INCOMPAT_CSUM_V2) ? 2 : 0) +
                   ((j->incompat & JBD2_INCOMPAT_64BIT) ? 4 : 0);
}

/* Read and check the journal superblock. */
static int read_jsb(struct ext4_fs *fs, struct ext4_journal *j)
{
  uint8_t *buf = ext4_env_zalloc(fs->block_size);
  j->jsb = ext4_env_zalloc(sizeof(*j->jsb));
  if (!buf || !j->jsb) {
    ext4_env_free(buf);
    return -ENOMEM;
  }
  int err = ext4_jio(fs, j, false, 0, buf, 1);
  memcpy(j->jsb, buf, sizeof(*j->jsb));
  ext4_env_free(buf);
  if (err)
    return err;
  struct jbd2_super *s = j->jsb;
  uint32_t type = be32(s->s_header.h_blocktype);
  if (be32(s->s_header.h_magic) != JBD2_MAGIC || (type != JBD2_SUPERBLOCK_V1 && type != JBD2_SUPERBLOCK_V2) ||
      be32(s->s_blocksize) != fs->block_size || be32(s->s_first) == 0 ||
      be32(s->s_first) >= be32(s->s_maxlen)) {
    ext4_env_log("ext4: the journal superblock is not valid");
    return -EFSCORRUPTED;
  }
  if (type == JBD2_SUPERBLOCK_V1) {
    s->s_feature_compat = s->s_feature_incompat = s->s_feature_ro_compat = 0;
  }
  set_features(j);
  if (j->incompat & ~JBD2_KNOWN_INCOMPAT) {
    ext4_env_log("ext4: journal features 0x%x unknown", j->incompat & ~JBD2_KNOWN_INCOMPAT);
    return -EINVAL;
  }
  if (j->csum) {
    uint32_t want = be32(s->s_checksum);
    s->s_checksum = 0;
    uint32_t c = ext4_crc32c(~0u, s, sizeof(*s));
    s->s_checksum = be32(want);
    if (c != want) {
      ext4_env_log("ext4: journal superblock checksum mismatch");
      return -EFSBADCRC;
    }
  }
  memcpy(j->uuid, s->s_uuid, 16);
  j->csum_seed = ext4_crc32c(~0u, j->uuid, 16);
  j->first = be32(s->s_first);
  j->last = be32(s->s_maxlen);
  if ((j->incompat & JBD2_INCOMPAT_FAST_COMMIT) && be32(s->s_num_fc_blks) < j->last - j->first)
    j->last -= be32(s->s_num_fc_blks) ? be32(s->s_num_fc_blks) : 256;
  return 0;
}

/* Clear the needs-recovery flag straight on disk (after a replay on a
 * mount that will not write otherwise). */
static int clear_recover_on_disk(struct ext4_fs *fs)
{
  fs->sb.s_feature_incompat &= ~(uint32_t)EXT4_INCOMPAT_RECOVER;
  if (fs->csum)
    fs->sb.s_checksum = ext4_crc32c(~0u, &fs->sb, offsetof(struct ext4_super, s_checksum));
  int err = ext4_env_rw(fs->dev, true, EXT4_SUPER_OFFSET / 512, &fs->sb, 2);
  return err ? err : ext4_env_flush(fs->dev);
}

int ext4_journal_load(struct ext4_fs *fs, bool *replayed)
{
  *replayed = false;
  if (fs->sb.s_journal_dev || !fs->sb.s_journal_inum) {
    ext4_env_log("ext4: external journals are not supported");
    return -EINVAL;
  }
  struct ext4_journal *j = ext4_env_zalloc(sizeof(*j));
  if (!j)
    return -ENOMEM;
  int err = ext4_node_get_locked(fs, fs->sb.s_journal_inum, &j->jn);
  if (!err && (j->jn->size >> fs->log_block) < 64)
    err = ext4_corrupt(fs, "journal too small", j->jn->size);
  if (!err)
    err = build_map(fs, j, (uint32_t)MIN(j->jn->size >> fs->log_block, 0xffffffffULL));
  if (!err)
    err = read_jsb(fs, j);
  bool needs = !err && ((fs->incompat & EXT4_INCOMPAT_RECOVER) || j->jsb->s_start != 0);
  if (needs && ext4_env_read_only(fs->dev)) {
    ext4_env_log("ext4: the journal needs recovery but the device is read-only");
    err = -EROFS;
  }
  if (needs && !err) {
    bool was_ro = fs->read_only;
    /* Replay writes around the cache: drop what mounting read so far. */
    ext4_env_binvalidate(fs->dev, 0, ext4_env_nsectors(fs->dev));
    if (j->jsb->s_start) {
      err = ext4_journal_replay(fs, j);
      *replayed = true;
    }
    /* The cache may hold blocks the replay rewrote. */
    ext4_env_binvalidate(fs->dev, 0, ext4_env_nsectors(fs->dev));
    if (!err) {
      j->jsb->s_start = 0;
      err = ext4_jsb_write(fs, j);
    }
    if (!err && was_ro)
      err = clear_recover_on_disk(fs);
    if (!err)
      ext4_env_log("ext4: journal recovered");
  }
  if (!err && !fs->read_only) {
    if (j->incompat & JBD2_INCOMPAT_FAST_COMMIT) {
      ext4_env_log("ext4: fast-commit journals are not written by Kite: mount read-only");
      err = -EROFS;
    }
  }
  if (err || fs->read_only) {
    journal_free(fs, j);
    return err;
  }
  /* Kite writes what Linux writes on such a file system. */
  uint32_t inc = JBD2_INCOMPAT_REVOKE;
  if (fs->incompat & EXT4_INCOMPAT_64BIT)
    inc |= JBD2_INCOMPAT_64BIT;
  if (fs->csum)
    inc |= JBD2_INCOMPAT_CSUM_V3;
  if (j->incompat & JBD2_INCOMPAT_CSUM_V2)
    inc &= ~(uint32_t)JBD2_INCOMPAT_CSUM_V3;
  j->jsb->s_header.h_blocktype = be32(JBD2_SUPERBLOCK_V2);
  j->jsb->s_feature_incompat = be32(j->incompat | inc);
  if (j->incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3) || (inc & JBD2_INCOMPAT_CSUM_V3))
    j->jsb->s_checksum_type = JBD2_CRC32C_CHKSUM;
  set_features(j);
  j->jsb->s_feature_compat &= ~be32(JBD2_COMPAT_CHECKSUM);  /* v1 checksums: Kite writes v3 or none */
  j->compat &= ~(uint32_t)JBD2_COMPAT_CHECKSUM;
  j->sequence = be32(j->jsb->s_sequence);
  j->head = j->first;
  j->empty = true;
  j->jsb->s_start = 0;
  j->max_tx = MIN((j->last - j->first) / 4, (uint32_t)MAX_PINNED);
  err = ext4_jsb_write(fs, j);
  if (err) {
    journal_free(fs, j);
    return err;
  }
  fs->j = j;
  fs->pending_free = ext4_env_zalloc(EXT4_MAX_PENDING_FREE * sizeof(struct ext4_range));
  if (!fs->pending_free)
    return -ENOMEM;
  return 0;
}

void ext4_journal_close(struct ext4_fs *fs, bool clean)
{
  struct ext4_journal *j = fs->j;
  if (!j)
    return;
  /* Blocks of a transaction that was never committed: forget their
   * changes (the disk has the old contents, the cache must too). */
  for (uint32_t i = 0; i < j->nblocks; i++) {
    int err;
    struct ext4_buf *b = ext4_env_bread(fs->dev, j->blocks[i], fs->block_size, &err);
    if (b) {
      ext4_env_brelse(b);
      ext4_env_bunpin(b);
    }
    ext4_env_binvalidate(fs->dev, j->blocks[i] * fs->sectors_per_block, fs->sectors_per_block);
  }
  (void)clean;
  fs->j = NULL;
  journal_free(fs, j);
  ext4_env_free(fs->pending_free);
  fs->pending_free = NULL;
}

/* The device is gone: free the journal's memory, touching no buffer. */
void ext4_journal_abandon(struct ext4_fs *fs)
{
  struct ext4_journal *j = fs->j;
  if (!j)
    return;
  j->jn = NULL;  /* freed with the other nodes */
  fs->j = NULL;
  journal_free(fs, j);
  ext4_env_free(fs->pending_free);
  fs->pending_free = NULL;
}

/* ---- the running transaction ---- */

static uint32_t hslot(uint64_t blk, uint32_t cap)
{
  return (uint32_t)((blk * 0x9E3779B97F4A7C15ULL) >> 32) & (cap - 1);
}

static bool set_has(struct ext4_journal *j, uint64_t blk)
{
  if (!j->hcap)
    return false;
  for (uint32_t i = hslot(blk, j->hcap);; i = (i + 1) & (j->hcap - 1)) {
    if (j->hash[i] == blk + 1)
      return true;
    if (!j->hash[i])
      return false;
  }
}

static int set_rebuild(struct ext4_journal *j, uint32_t cap)
{
  uint64_t *h = ext4_env_zalloc(cap * sizeof(uint64_t));
  if (!h)
    return -ENOMEM;
  ext4_env_free(j->hash);
  j->hash = h;
  j->hcap = cap;
  for (uint32_t k = 0; k < j->nblocks; k++) {
    uint32_t i = hslot(j->blocks[k], cap);
    while (h[i])
      i = (i + 1) & (cap - 1);
    h[i] = j->blocks[k] + 1;
  }
  return 0;
}

int ext4_tx_add(struct ext4_fs *fs, struct ext4_buf *b, uint64_t blk)
{
  struct ext4_journal *j = fs->j;
  if (set_has(j, blk))
    return 0;
  if (j->nblocks == j->cap) {
    uint32_t cap = j->cap ? j->cap * 2 : 64;
    uint64_t *nb = ext4_env_zalloc(cap * sizeof(uint64_t));
    if (!nb)
      return -ENOMEM;
    if (j->nblocks)
      memcpy(nb, j->blocks, j->nblocks * sizeof(uint64_t));
    ext4_env_free(j->blocks);
    j->blocks = nb;
    j->cap = cap;
  }
  if ((j->nblocks + 1) * 2 > j->hcap && set_rebuild(j, j->hcap ? j->hcap * 2 : 256))
    return -ENOMEM;
  j->blocks[j->nblocks++] = blk;
  uint32_t i = hslot(blk, j->hcap);
  while (j->hash[i])
    i = (i + 1) & (j->hcap - 1);
  j->hash[i] = blk + 1;
  ext4_env_bpin(b);
  return 0;
}

void ext4_tx_forget(struct ext4_fs *fs, uint64_t blk, uint64_t n)
{
  struct ext4_journal *j = fs->j;
  for (uint64_t k = blk; k < blk + n; k++) {
    if (j && set_has(j, k)) {
      for (uint32_t i = 0; i < j->nblocks; i++) {
        if (j->blocks[i] == k) {
          j->blocks[i] = j->blocks[--j->nblocks];
          break;
        }
      }
      set_rebuild(j, j->hcap);
      int err;
      struct ext4_buf *b = ext4_env_bread(fs->dev, k, fs->block_size, &err);
      if (b) {
        ext4_env_brelse(b);
        ext4_env_bunpin(b);
      }
    }
    if (j && j->nrevokes == j->rcap) {
      uint32_t cap = j->rcap ? j->rcap * 2 : 64;
      uint64_t *r = ext4_env_zalloc(cap * sizeof(uint64_t));
      if (r) {
        if (j->nrevokes)
          memcpy(r, j->revokes, j->nrevokes * sizeof(uint64_t));
        ext4_env_free(j->revokes);
        j->revokes = r;
        j->rcap = cap;
      }
    }
    if (j && j->nrevokes < j->rcap)
      j->revokes[j->nrevokes++] = k;
  }
  ext4_env_binvalidate(fs->dev, blk * fs->sectors_per_block, n * fs->sectors_per_block);
}

int ext4_tx_begin(struct ext4_fs *fs, uint32_t credits)
{
  if (fs->read_only)
    return -EROFS;
  struct ext4_journal *j = fs->j;
  if (!j)
    return 0;
  if (j->depth == 0 && j->nblocks + credits + j->nrevokes / 64 > j->max_tx) {
    int err = ext4_commit_locked(fs, false);
    if (err)
      return err;
  }
  j->depth++;
  return 0;
}

int ext4_tx_end(struct ext4_fs *fs, int err)
{
  struct ext4_journal *j = fs->j;
  if (!j)
    return err;
  if (j->depth > 0)
    j->depth--;
  if (j->depth == 0 && j->nblocks >= j->max_tx / 2) {
    int r = ext4_commit_locked(fs, false);
    if (!err)
      err = r;
  }
  return err;
}

/* ---- commit and checkpoint ---- */

/* Write every committed block home and empty the log. */
static int checkpoint(struct ext4_fs *fs, struct ext4_journal *j)
{
  int err = ext4_env_bsync(fs->dev);
  if (err)
    return err;
  fs->stat_checkpoints++;
  if (!j->empty) {
    j->jsb->s_start = 0;
    j->jsb->s_sequence = be32(j->sequence);
    err = ext4_jsb_write(fs, j);
    if (!err)
      err = ext4_env_flush(fs->dev);
    j->empty = true;
  }
  j->head = j->first;
  return err;
}

/* Descriptor blocks, block copies and revoke blocks of the running
 * transaction, staged and written from j->head on. Returns the number of
 * log blocks used in *used. */
static int write_log(struct ext4_fs *fs, struct ext4_journal *j, uint32_t *used)
{
  uint32_t bs = fs->block_size, per_stage = STAGE_BYTES / bs;
  uint8_t *stage = ext4_env_zalloc(STAGE_BYTES);
  if (!stage)
    return -ENOMEM;
  uint32_t pos = j->head, nst = 0, tail = j->csum ? 4 : 0;
  uint32_t seq_be = be32(j->sequence);
  int err = 0;
#define FLUSH_STAGE()                                                   \
  do {                                                                  \
    if (nst && !err)                                                    \
      err = ext4_jio(fs, j, true, pos - nst, stage, nst);               \
    nst = 0;                                                            \
  } while (0)
  for (uint32_t i = 0; i < j->nblocks && !err;) {
    /* a descriptor, then as many copies as its tags describe */
    if (nst + 2 > per_stage)
      FLUSH_STAGE();
    uint8_t *desc = stage + (size_t)nst * bs;
    memset(desc, 0, bs);
    struct jbd2_header *h = (struct jbd2_header *)desc;
    h->h_magic = be32(JBD2_MAGIC);
    h->h_blocktype = be32(JBD2_DESCRIPTOR_BLOCK);
    h->h_sequence = seq_be;
    uint32_t desc_slot = nst++;
    pos++;
    uint32_t off = sizeof(*h);
    uint8_t *last_tag = NULL;
    while (i < j->nblocks && !err) {
      uint32_t need = j->tag_bytes + (last_tag ? 0 : 16);
      if (off + need > bs - tail)
        break;
      if (nst == per_stage) {
        /* the descriptor must be finished before its stage goes out: end it here */
        break;
      }
      uint64_t blk = j->blocks[i];
      uint8_t *copy = stage + (size_t)nst * bs;
      struct ext4_buf *b = ext4_env_bread(fs->dev, blk, bs, &err);
      if (!b)
        break;
      memcpy(copy, ext4_env_bdata(b), bs);
      ext4_env_brelse(b);
      uint32_t flags = last_tag ? JBD2_FLAG_SAME_UUID : 0;
      if (be32(*(uint32_t *)copy) == JBD2_MAGIC) {
        *(uint32_t *)copy = 0;
        flags |= JBD2_FLAG_ESCAPE;
      }
      desc = stage + (size_t)desc_slot * bs;
      uint8_t *tag = desc + off;
      *(uint32_t *)tag = be32((uint32_t)blk);
      if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
        *(uint32_t *)(tag + 4) = be32(flags);
        *(uint32_t *)(tag + 8) = be32((uint32_t)(blk >> 32));
        uint32_t c = ext4_jcsum(j, &seq_be, 4);
        *(uint32_t *)(tag + 12) = be32(ext4_crc32c(c, copy, bs));
      } else {
        if (j->incompat & JBD2_INCOMPAT_CSUM_V2) {
          uint32_t c = ext4_jcsum(j, &seq_be, 4);
          *(uint16_t *)(tag + 4) = be16((uint16_t)ext4_crc32c(c, copy, bs));
        }
        *(uint16_t *)(tag + 6) = be16((uint16_t)flags);
        if (j->incompat & JBD2_INCOMPAT_64BIT)
          *(uint32_t *)(tag + 8) = be32((uint32_t)(blk >> 32));
      }
      off += j->tag_bytes;
      if (!last_tag) {
        memcpy(desc + off, j->uuid, 16);
        off += 16;
      }
      last_tag = tag;
      nst++;
      pos++;
      i++;
    }
    if (err)
      break;
    desc = stage + (size_t)desc_slot * bs;
    if (last_tag) {
      if (j->incompat & JBD2_INCOMPAT_CSUM_V3)
        *(uint32_t *)(last_tag + 4) |= be32(JBD2_FLAG_LAST_TAG);
      else
        *(uint16_t *)(last_tag + 6) |= be16(JBD2_FLAG_LAST_TAG);
    }
    if (j->csum)
      *(uint32_t *)(desc + bs - 4) = be32(ext4_jcsum(j, desc, bs));
    FLUSH_STAGE();
  }
  /* revoke blocks */
  uint32_t rec = (j->incompat & JBD2_INCOMPAT_64BIT) ? 8 : 4;
  for (uint32_t i = 0; i < j->nrevokes && !err;) {
    if (nst == per_stage)
      FLUSH_STAGE();
    uint8_t *rb = stage + (size_t)nst * bs;
    memset(rb, 0, bs);
    struct jbd2_header *h = (struct jbd2_header *)rb;
    h->h_magic = be32(JBD2_MAGIC);
    h->h_blocktype = be32(JBD2_REVOKE_BLOCK);
    h->h_sequence = seq_be;
    uint32_t off = 16;
    for (; i < j->nrevokes && off + rec <= bs - tail; i++, off += rec) {
      if (rec == 8)
        *(uint64_t *)(rb + off) = be64(j->revokes[i]);
      else
        *(uint32_t *)(rb + off) = be32((uint32_t)j->revokes[i]);
    }
    *(uint32_t *)(rb + 12) = be32(off);
    if (j->csum)
      *(uint32_t *)(rb + bs - 4) = be32(ext4_jcsum(j, rb, bs));
    nst++;
    pos++;
  }
  FLUSH_STAGE();
#undef FLUSH_STAGE
  ext4_env_free(stage);
  *used = pos - j->head;
  return err;
}

static int write_commit_block(struct ext4_fs *fs, struct ext4_journal *j, uint32_t at)
{
  uint8_t *cb = ext4_env_zalloc(fs->block_size);
  if (!cb)
    return -ENOMEM;
  struct jbd2_commit *c = (struct jbd2_commit *)cb;
  c->h.h_magic = be32(JBD2_MAGIC);
  c->h.h_blocktype = be32(JBD2_COMMIT_BLOCK);
  c->h.h_sequence = be32(j->sequence);
  int32_t ns;
  int64_t now = ext4_env_now(&ns);
  c->h_commit_sec = be64((uint64_t)now);
  c->h_commit_nsec = be32((uint32_t)ns);
  if (j->csum)
    c->h_chksum[0] = be32(ext4_jcsum(j, cb, fs->block_size));
  int err = ext4_jio(fs, j, true, at, cb, 1);
  ext4_env_free(cb);
  return err;
}

static int journal_commit(struct ext4_fs *fs, struct ext4_journal *j)
{
  /* Everything the transaction changed must be in its blocks first. */
  j->depth++;
  int err = ext4_alloc_flush(fs);
  j->depth--;
  if (err)
    return err;
  if (!j->nblocks && !j->nrevokes)
    return 0;
  /* Log blocks needed: copies, descriptors (each ends with its stage),
   * revoke blocks, the commit block. */
  uint32_t rec = (j->incompat & JBD2_INCOMPAT_64BIT) ? 8 : 4, tail = j->csum ? 4 : 0;
  uint32_t per_desc = MIN((fs->block_size - 12 - 16 - tail) / j->tag_bytes,
                          STAGE_BYTES / fs->block_size - 1);
  uint32_t per_revoke = (fs->block_size - 16 - tail) / rec;
  uint32_t need = j->nblocks + (j->nblocks + per_desc - 1) / per_desc +
                  (j->nrevokes + per_revoke - 1) / per_revoke + 1;
  if (need > j->last - j->first)
    return ext4_corrupt(fs, "transaction larger than the journal", j->nblocks);
  if (j->head + need > j->last) {
    err = checkpoint(fs, j);
    if (err)
      return err;
  }
  uint32_t used;
  err = write_log(fs, j, &used);
  if (!err)
    err = ext4_env_flush(fs->dev);
  if (!err && j->empty) {
    /* The log starts with this transaction. */
    j->jsb->s_start = be32(j->head);
    j->jsb->s_sequence = be32(j->sequence);
    err = ext4_jsb_write(fs, j);
    j->empty = false;
  }
  if (!err)
    err = write_commit_block(fs, j, j->head + used);
  if (!err)
    err = ext4_env_flush(fs->dev);
  if (err) {
    ext4_env_log("ext4: journal commit failed (%d)", err);
    return err;
  }
  /* Committed: the blocks may go home now. */
  for (uint32_t i = 0; i < j->nblocks; i++) {
    struct ext4_buf *b = ext4_env_bread(fs->dev, j->blocks[i], fs->block_size, &err);
    if (b) {
      ext4_env_bdirty(b);
      ext4_env_brelse(b);
      ext4_env_bunpin(b);
    }
  }
  err = 0;
  j->head += used + 1;
  j->sequence++;
  j->nblocks = 0;
  j->nrevokes = 0;
  if (j->hcap)
    memset(j->hash, 0, j->hcap * sizeof(uint64_t));
  fs->npending_free = 0;
  fs->stat_commits++;
  return 0;
}

int ext4_commit_locked(struct ext4_fs *fs, bool do_checkpoint)
{
  if (fs->read_only)
    return 0;
  struct ext4_journal *j = fs->j;
  if (!j) {
    int err = ext4_alloc_flush(fs);
    return err ? err : ext4_env_bsync(fs->dev);
  }
  if (j->depth)
    return 0;  /* an operation is open (nested call): commit later */
  int err = journal_commit(fs, j);
  if (!err && do_checkpoint)
    err = checkpoint(fs, j);
  return err;
}
