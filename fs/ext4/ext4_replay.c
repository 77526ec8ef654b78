/*
 * ext4_replay.c — journal recovery at mount: the transactions a crash left
 * committed in the log (by Linux, e2fsprogs or Kite) are written to their
 * home blocks, as jbd2's recovery does, in three passes over the log:
 *   scan    find the last transaction with a valid commit block;
 *   revoke  collect revoke records (block -> latest revoking transaction);
 *   replay  write every logged block not revoked by the same or a later
 *           transaction (unescaping blocks that began with the magic).
 * Checksums (csum v2/v3) are verified: a bad commit block ends the log
 * (the transaction was interrupted); a bad data block is skipped and
 * reported, as Linux does.
 *
 * Layer: ext4 core, called by ext4_journal_load with fs->lock held, before
 * anything else reads the file system. Writes go straight to the device;
 * the caller then drops the block cache's copies of this device.
 */
#include "fs/ext4/ext4_journal.h"

#define MAX_REVOKES (1u << 20)

struct revoke_set {
  uint64_t *blk;                 /* open addressing: block + 1 (0 = free) */
  uint32_t *seq;
  uint32_t cap, n;
};

static bool tid_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

static uint32_t rslot(uint64_t blk, uint32_t cap)
{
  return (uint32_t)((blk * 0x9E3779B97F4A7C15ULL) >> 32) & (cap - 1);
}

static int revoke_add(struct revoke_set *r, uint64_t blk, uint32_t seq)
{
  if ((r->n + 1) * 2 > r->cap) {
    uint32_t cap = r->cap ? r->cap * 2 : 1024;
    if (cap > 2 * MAX_REVOKES)
      return -ENOMEM;
    uint64_t *nb = ext4_env_zalloc(cap * sizeof(uint64_t));
    uint32_t *ns = ext4_env_zalloc(cap * sizeof(uint32_t));
    if (!nb || !ns) {
      ext4_env_free(nb);
      ext4_env_free(ns);
      return -ENOMEM;
    }
    for (uint32_t i = 0; i < r->cap; i++) {
      if (!r->blk[i])
        continue;
      uint32_t k = rslot(r->blk[i] - 1, cap);
      while (nb[k])
        k = (k + 1) & (cap - 1);
      nb[k] = r->blk[i];
      ns[k] = r->seq[i];
    }
    ext4_env_free(r->blk);
    ext4_env_free(r->seq);
    r->blk = nb;
    r->seq = ns;
    r->cap = cap;
  }
  uint32_t k = rslot(blk, r->cap);
  while (r->blk[k] && r->blk[k] != blk + 1)
    k = (k + 1) & (r->cap - 1);
  if (!r->blk[k]) {
    r->blk[k] = blk + 1;
    r->seq[k] = seq;
    r->n++;
  } else if (tid_ge(seq, r->seq[k])) {
    r->seq[k] = seq;
  }
  return 0;
}

/* Is blk revoked for transaction seq (by seq or a later one)? */
static bool revoked(struct revoke_set *r, uint64_t blk, uint32_t seq)
{
  if (!r->cap)
    return false;
  for (uint32_t k = rslot(blk, r->cap); r->blk[k]; k = (k + 1) & (r->cap - 1))
    if (r->blk[k] == blk + 1)
      return tid_ge(r->seq[k], seq);
  return false;
}

struct replay {
  struct ext4_fs *fs;
  struct ext4_journal *j;
  uint8_t *buf, *data;           /* a log block, a data block */
  struct revoke_set rv;
  uint32_t end_seq;              /* the first transaction not complete */
  uint32_t replayed, bad;
};

static uint32_t wrap(struct ext4_journal *j, uint32_t b)
{
  return b >= j->last ? b - (j->last - j->first) : b;
}

static bool block_csum_ok(struct ext4_journal *j, const uint8_t *block, uint32_t bs)
{
  if (!j->csum)
    return true;
  uint32_t want = be32(*(const uint32_t *)(block + bs - 4));
  uint8_t *copy = (uint8_t *)block;
  uint32_t saved = *(uint32_t *)(copy + bs - 4);
  *(uint32_t *)(copy + bs - 4) = 0;
  uint32_t c = ext4_jcsum(j, copy, bs);
  *(uint32_t *)(copy + bs - 4) = saved;
  return c == want;
}

static bool commit_csum_ok(struct ext4_journal *j, uint8_t *block, uint32_t bs)
{
  if (!j->csum)
    return true;
  struct jbd2_commit *c = (struct jbd2_commit *)block;
  uint32_t want = be32(c->h_chksum[0]);
  uint8_t t = c->h_chksum_type, s = c->h_chksum_size;
  c->h_chksum_type = c->h_chksum_size = 0;
  c->h_chksum[0] = 0;
  uint32_t got = ext4_jcsum(j, block, bs);
  c->h_chksum_type = t;
  c->h_chksum_size = s;
  c->h_chksum[0] = be32(want);
  return got == want;
}

struct tag {
  uint64_t blk;
  uint32_t flags;
  uint32_t csum;
};

/* The tags of a descriptor block, one at a time: 1 (got one), 0 (done). */
static int next_tag(struct ext4_journal *j, const uint8_t *desc, uint32_t bs, uint32_t *off, struct tag *t)
{
  uint32_t end = bs - (j->csum ? 4 : 0);
  if (*off + j->tag_bytes > end)
    return 0;
  const uint8_t *p = desc + *off;
  t->blk = be32(*(const uint32_t *)p);
  if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
    t->flags = be32(*(const uint32_t *)(p + 4));
    if (j->incompat & JBD2_INCOMPAT_64BIT)
      t->blk |= (uint64_t)be32(*(const uint32_t *)(p + 8)) << 32;
    t->csum = be32(*(const uint32_t *)(p + 12));
  } else {
    t->csum = be16(*(const uint16_t *)(p + 4));
    t->flags = be16(*(const uint16_t *)(p + 6));
    if (j->incompat & JBD2_INCOMPAT_64BIT)
      t->blk |= (uint64_t)be32(*(const uint32_t *)(p + 8)) << 32;
  }
  *off += j->tag_bytes + ((t->flags & JBD2_FLAG_SAME_UUID) ? 0 : 16);
  return 1;
}

static int replay_tag(struct replay *r, const struct tag *t, uint32_t seq, uint32_t logblk)
{
  struct ext4_fs *fs = r->fs;
  struct ext4_journal *j = r->j;
  if (revoked(&r->rv, t->blk, seq))
    return 0;
  int err = ext4_jio(fs, j, false, logblk, r->data, 1);
  if (err)
    return err;
  if (j->csum) {
    uint32_t seq_be = be32(seq);
    uint32_t c = ext4_crc32c(ext4_jcsum(j, &seq_be, 4), r->data, fs->block_size);
    bool ok = (j->incompat & JBD2_INCOMPAT_CSUM_V3) ? c == t->csum : (c & 0xffff) == t->csum;
    if (!ok) {
      ext4_env_log("ext4: journal: bad checksum on block %llu of transaction %u: skipped",
                   (unsigned long long)t->blk, seq);
      r->bad++;
      return 0;
    }
  }
  if (t->flags & JBD2_FLAG_ESCAPE)
    *(uint32_t *)r->data = be32(JBD2_MAGIC);
  if (t->blk >= fs->nblocks)
    return ext4_corrupt(fs, "journal block for outside the file system", t->blk);
  r->replayed++;
  return ext4_env_rw(fs->dev, true, t->blk * fs->sectors_per_block, r->data, fs->sectors_per_block);
}

/* One pass over the log (0 scan, 1 revoke, 2 replay). */
static int pass(struct replay *r, int which)
{
  struct ext4_fs *fs = r->fs;
  struct ext4_journal *j = r->j;
  uint32_t bs = fs->block_size;
  uint32_t seq = be32(j->jsb->s_sequence), blk = be32(j->jsb->s_start);
  if (blk < j->first || blk >= j->last)
    return ext4_corrupt(fs, "journal log start outside the log", blk);
  for (uint32_t steps = 0; steps <= j->last - j->first; steps++) {
    if (which != 0 && tid_ge(seq, r->end_seq))
      break;
    int err = ext4_jio(fs, j, false, blk, r->buf, 1);
    if (err)
      return err;
    blk = wrap(j, blk + 1);
    struct jbd2_header *h = (struct jbd2_header *)r->buf;
    if (be32(h->h_magic) != JBD2_MAGIC || be32(h->h_sequence) != seq)
      break;
    uint32_t type = be32(h->h_blocktype);
    if (type == JBD2_DESCRIPTOR_BLOCK) {
      if (!block_csum_ok(j, r->buf, bs)) {
        if (which == 0)
          break;  /* a stale block: the log ends before it */
        return ext4_corrupt(fs, "journal descriptor checksum", blk);
      }
      uint32_t off = sizeof(*h);
      struct tag t;
      uint8_t *desc = ext4_env_zalloc(bs);
      if (!desc)
        return -ENOMEM;
      memcpy(desc, r->buf, bs);
      while (next_tag(j, desc, bs, &off, &t)) {
        if (which == 2 && (err = replay_tag(r, &t, seq, blk)))
          break;
        blk = wrap(j, blk + 1);
        if (t.flags & JBD2_FLAG_LAST_TAG)
          break;
      }
      ext4_env_free(desc);
      if (err)
        return err;
    } else if (type == JBD2_COMMIT_BLOCK) {
      if (which == 0 && !commit_csum_ok(j, r->buf, bs))
        break;  /* an interrupted commit */
      seq++;
    } else if (type == JBD2_REVOKE_BLOCK) {
      if (which == 0 && !block_csum_ok(j, r->buf, bs))
        break;
      if (which != 1)
        continue;
      uint32_t count = be32(*(uint32_t *)(r->buf + 12));
      uint32_t rec = (j->incompat & JBD2_INCOMPAT_64BIT) ? 8 : 4;
      if (count > bs - (j->csum ? 4 : 0))
        return ext4_corrupt(fs, "journal revoke block", count);
      for (uint32_t off = 16; off + rec <= count && !err; off += rec) {
        uint64_t b = rec == 8 ? be64(*(uint64_t *)(r->buf + off)) : be32(*(uint32_t *)(r->buf + off));
        err = revoke_add(&r->rv, b, seq);
      }
      if (err)
        return err;
    } else {
      break;
    }
  }
  if (which == 0)
    r->end_seq = seq;
  return 0;
}

int ext4_journal_replay(struct ext4_fs *fs, struct ext4_journal *j)
{
  struct replay r = { .fs = fs, .j = j };
  r.buf = ext4_env_zalloc(fs->block_size);
  r.data = ext4_env_zalloc(fs->block_size);
  int err = r.buf && r.data ? 0 : -ENOMEM;
  for (int p = 0; p < 3 && !err; p++)
    err = pass(&r, p);
  if (!err)
    err = ext4_env_flush(fs->dev);
  if (!err) {
    /* The log is empty now; the next transaction follows the last one seen. */
    j->jsb->s_sequence = be32(r.end_seq);
    ext4_env_log("ext4: journal: replayed %u blocks up to transaction %u%s", r.replayed,
                 r.end_seq - 1, r.bad ? " (some blocks had bad checksums)" : "");
  }
  ext4_env_free(r.buf);
  ext4_env_free(r.data);
  ext4_env_free(r.rv.blk);
  ext4_env_free(r.rv.seq);
  return err;
}
