/*
 * ext4_htree.c — hashed directory indexes ("htree", dir_index): looking a
 * name up through the index, adding a name (splitting a full leaf by hash,
 * splitting full index nodes, adding an index level), and turning a full
 * one-block directory into an indexed one.
 *
 * Layer: ext4 core (see ext4.h), called by ext4_dir.c. fs->lock held.
 *
 * Block 0 of an indexed directory holds ".", ".." (whose record covers the
 * rest of the block) and the root: hash version, levels, then entries
 * (hash, block) sorted by hash; entry 0's hash slot holds the count and
 * limit. Index nodes are blocks starting with an unused entry covering the
 * whole block, then the same count/limit and entries. With metadata_csum
 * each index block ends its entry area with a tail holding a crc32c. An
 * index entry's hash with the low bit set says the previous block holds
 * names of the same hash too (a collision that straddles a split).
 */
#include "fs/ext4/ext4_int.h"

#define DX_MAX_LEVELS 3                  /* root + 2 node levels (largedir) */

struct dx_frame {
  struct ext4_buf *b;
  uint64_t pblk;
  uint8_t *block;
  uint32_t count_offset;             /* of the count/limit in the block */
  struct ext4_dx_entry *entries;
  int at;                            /* the entry followed */
};

static struct ext4_dx_countlimit *CL(struct dx_frame *f)
{
  return (struct ext4_dx_countlimit *)f->entries;
}

static uint32_t dx_limit(struct ext4_fs *fs, uint32_t count_offset)
{
  return (fs->block_size - count_offset - (fs->csum ? sizeof(struct ext4_dx_tail) : 0)) /
         sizeof(struct ext4_dx_entry);
}

uint32_t ext4_dx_csum(struct ext4_node *dir, uint32_t seed, uint8_t *block, uint32_t count_offset)
{
  struct ext4_dx_countlimit *cl = (struct ext4_dx_countlimit *)(block + count_offset);
  struct ext4_dx_tail *t =
      (struct ext4_dx_tail *)(block + count_offset + cl->limit * sizeof(struct ext4_dx_entry));
  uint32_t zero = 0;  /* the checksum field itself counts as zero */
  uint32_t c = ext4_crc32c(dir ? dir->csum_seed : seed, block,
                           count_offset + cl->count * sizeof(struct ext4_dx_entry));
  c = ext4_crc32c(c, t, 4);
  return ext4_crc32c(c, &zero, 4);
}

static void dx_set_csum(struct ext4_fs *fs, struct ext4_node *dir, uint8_t *block, uint32_t count_offset)
{
  if (!fs->csum)
    return;
  struct ext4_dx_countlimit *cl = (struct ext4_dx_countlimit *)(block + count_offset);
  struct ext4_dx_tail *t =
      (struct ext4_dx_tail *)(block + count_offset + cl->limit * sizeof(struct ext4_dx_entry));
  t->dt_reserved = 0;
  t->dt_checksum = ext4_dx_csum(dir, 0, block, count_offset);
}

void ext4_htree_set_root_csum(struct ext4_fs *fs, struct ext4_node *dir, void *block)
{
  dx_set_csum(fs, dir, block, EXT4_DX_ROOT_ENTRIES);
}

static struct ext4_dx_root_info *root_info(uint8_t *block)
{
  return (struct ext4_dx_root_info *)(block + 24);
}

/* The hash version this directory's index uses (unsigned variant applied). */
static int dir_hash_version(struct ext4_fs *fs, uint8_t *root)
{
  int v = root_info(root)->hash_version;
  if (v <= EXT4_HASH_TEA && fs->unsigned_hash)
    v += EXT4_HASH_LEGACY_UNSIGNED;
  return v;
}

static int max_levels(struct ext4_fs *fs)
{
  return (fs->incompat & EXT4_INCOMPAT_LARGEDIR) ? 3 : 2;
}

static void frames_release(struct dx_frame *fr, int n)
{
  for (int i = 0; i < n; i++) {
    ext4_brelse(fr[i].b);
    fr[i].b = NULL;
  }
}

/* Read index block lblk of dir into frame f and check it. */
static int read_index(struct ext4_fs *fs, struct ext4_node *dir, uint32_t lblk, bool root,
                      struct dx_frame *f)
{
  int err;
  uint32_t len;
  unsigned fl;
  err = ext4_map(fs, dir, lblk, &f->pblk, &len, &fl);
  if (err)
    return err;
  if (!f->pblk)
    return ext4_corrupt(fs, "htree block is a hole", dir->ino);
  f->b = ext4_bread(fs, f->pblk, &err);
  if (!f->b)
    return err;
  f->block = ext4_bdata(f->b);
  f->count_offset = root ? EXT4_DX_ROOT_ENTRIES : EXT4_DX_NODE_ENTRIES;
  f->entries = (struct ext4_dx_entry *)(f->block + f->count_offset);
  f->at = 0;
  const struct ext4_dir_entry *d0 = (const struct ext4_dir_entry *)f->block;
  bool shape_ok;
  if (root) {
    const struct ext4_dir_entry *d1 = (const struct ext4_dir_entry *)(f->block + 12);
    struct ext4_dx_root_info *ri = root_info(f->block);
    shape_ok = d0->rec_len == 12 && d1->rec_len == fs->block_size - 12 && ri->reserved_zero == 0 &&
               ri->info_length == 8 && ri->indirect_levels < max_levels(fs);
  } else {
    shape_ok = d0->inode == 0 && d0->rec_len == fs->block_size;
  }
  struct ext4_dx_countlimit *cl = CL(f);
  if (!shape_ok || cl->limit != dx_limit(fs, f->count_offset) || cl->count > cl->limit || cl->count == 0)
    return ext4_corrupt(fs, "bad htree block", dir->ino);
  if (fs->csum && !ext4_verified(fs, f->pblk)) {
    struct ext4_dx_tail *t = (struct ext4_dx_tail *)(f->entries + cl->limit);
    if (t->dt_checksum != ext4_dx_csum(dir, 0, f->block, f->count_offset)) {
      ext4_env_log("ext4: directory %u: htree block %u checksum mismatch", dir->ino, lblk);
      return -EFSBADCRC;
    }
    ext4_set_verified(fs, f->pblk);
  }
  return 0;
}

/* Walk the index for `hash`: frames 0 (root) .. *nframes - 1, each held
 * with `at` the entry whose range holds the hash. */
static int probe(struct ext4_fs *fs, struct ext4_node *dir, uint32_t hash, struct dx_frame *fr,
                 int *nframes)
{
  *nframes = 0;
  memset(fr, 0, sizeof(struct dx_frame) * DX_MAX_LEVELS);
  int err = read_index(fs, dir, 0, true, &fr[0]);
  if (err) {
    frames_release(fr, 1);
    return err;
  }
  int levels = root_info(fr[0].block)->indirect_levels;
  for (int l = 0;; l++) {
    struct dx_frame *f = &fr[l];
    *nframes = l + 1;
    int lo = 1, hi = CL(f)->count - 1, at = 0;
    while (lo <= hi) {
      int mid = (lo + hi) / 2;
      if (f->entries[mid].hash <= hash) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    f->at = at;
    if (l == levels)
      return 0;
    err = read_index(fs, dir, f->entries[at].block, false, &fr[l + 1]);
    if (err) {
      frames_release(fr, l + 2);
      *nframes = 0;
      return err;
    }
  }
}

int ext4_hash_name(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                   uint32_t *hash, uint32_t *minor)
{
  (void)dir;
  return ext4_dirhash(name, (int)len, fs->hash_version, fs->hash_seed, hash, minor);
}

/* Advance to the next leaf if names of hash `hash` may continue there:
 * returns 1 (frames moved), 0 (no), or -errno. */
static int next_leaf(struct ext4_fs *fs, struct ext4_node *dir, uint32_t hash, struct dx_frame *fr,
                     int nframes)
{
  int l = nframes - 1;
  while (l >= 0 && fr[l].at + 1 >= CL(&fr[l])->count)
    l--;
  if (l < 0)
    return 0;
  fr[l].at++;
  if ((fr[l].entries[fr[l].at].hash & ~1u) != hash)
    return 0;
  for (int k = l + 1; k < nframes; k++) {
    ext4_brelse(fr[k].b);
    fr[k].b = NULL;
    int err = read_index(fs, dir, fr[k - 1].entries[fr[k - 1].at].block, false, &fr[k]);
    if (err)
      return err;
  }
  return 1;
}

int ext4_htree_find(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                    struct ext4_dir_hit *hit)
{
  struct dx_frame fr[DX_MAX_LEVELS];
  int nframes, err;
  err = read_index(fs, dir, 0, true, &fr[0]);
  int version = err ? 0 : dir_hash_version(fs, fr[0].block);
  ext4_brelse(fr[0].b);
  if (err)
    return err;
  uint32_t hash;
  if (ext4_dirhash(name, (int)len, version, fs->hash_seed, &hash, NULL))
    return ext4_corrupt(fs, "unknown directory hash", dir->ino);
  err = probe(fs, dir, hash, fr, &nframes);
  if (err)
    return err;
  for (;;) {
    struct dx_frame *f = &fr[nframes - 1];
    uint32_t lblk = f->entries[f->at].block;
    uint64_t pblk;
    struct ext4_buf *b = ext4_dir_bread(fs, dir, lblk, &pblk, &err);
    if (!b)
      break;
    int r = ext4_dir_search_block(fs, ext4_bdata(b), name, len, hit);
    ext4_brelse(b);
    if (r) {
      err = r < 0 ? r : 0;
      hit->lblk = lblk;
      hit->pblk = pblk;
      break;
    }
    r = next_leaf(fs, dir, hash, fr, nframes);
    if (r <= 0) {
      err = r < 0 ? r : -ENOENT;
      break;
    }
  }
  frames_release(fr, nframes);
  return err;
}

/* A new directory block (lblk at the end), zeroed, held. */
static int new_block(struct ext4_fs *fs, struct ext4_node *dir, uint32_t *lblk, uint64_t *pblk,
                     struct ext4_buf **bp)
{
  int err = ext4_dir_grow(fs, dir, lblk, pblk, bp);
  if (!err)
    memset(ext4_bdata(*bp), 0, fs->block_size);
  return err;
}

static void init_node(struct ext4_fs *fs, uint8_t *block)
{
  memset(block, 0, fs->block_size);
  struct ext4_dir_entry *d = (struct ext4_dir_entry *)block;
  d->rec_len = (uint16_t)fs->block_size;
  struct ext4_dx_countlimit *cl = (struct ext4_dx_countlimit *)(block + EXT4_DX_NODE_ENTRIES);
  cl->limit = (uint16_t)dx_limit(fs, EXT4_DX_NODE_ENTRIES);
}

static int frame_dirty(struct ext4_fs *fs, struct ext4_node *dir, struct dx_frame *f)
{
  if (!fs->csum)
    return ext4_bdirty(fs, f->b, f->pblk);
  struct ext4_dx_tail *t = (struct ext4_dx_tail *)(f->entries + CL(f)->limit);
  t->dt_reserved = 0;
  return ext4_csum_later(fs, f->b, f->pblk, dir->csum_seed, f->count_offset);
}

/* Insert (hash, block) into frame f after f->at (which has room). */
static void insert_entry(struct dx_frame *f, uint32_t hash, uint32_t block)
{
  struct ext4_dx_countlimit *cl = CL(f);
  int pos = f->at + 1;
  memmove(&f->entries[pos + 1], &f->entries[pos], (cl->count - pos) * sizeof(struct ext4_dx_entry));
  f->entries[pos].hash = hash;
  f->entries[pos].block = block;
  cl->count++;
}

/* The root is full: move its entries to a new node below it (one more level). */
static int add_level(struct ext4_fs *fs, struct ext4_node *dir, struct dx_frame *fr, int *nframes)
{
  uint32_t lblk;
  uint64_t pblk;
  struct ext4_buf *b;
  int err = new_block(fs, dir, &lblk, &pblk, &b);
  if (err)
    return err;
  uint8_t *block = ext4_bdata(b);
  init_node(fs, block);
  struct dx_frame nf = { b, pblk, block, EXT4_DX_NODE_ENTRIES,
                         (struct ext4_dx_entry *)(block + EXT4_DX_NODE_ENTRIES), fr[0].at };
  uint16_t count = CL(&fr[0])->count;
  memcpy(&nf.entries[1], &fr[0].entries[1], (count - 1) * sizeof(struct ext4_dx_entry));
  nf.entries[0].block = fr[0].entries[0].block;
  CL(&nf)->count = count;
  CL(&fr[0])->count = 1;
  fr[0].entries[0].block = lblk;
  fr[0].at = 0;
  root_info(fr[0].block)->indirect_levels++;
  memmove(&fr[2], &fr[1], sizeof(struct dx_frame) * (size_t)(*nframes - 1));
  fr[1] = nf;
  (*nframes)++;
  err = frame_dirty(fs, dir, &fr[1]);
  return err ? err : frame_dirty(fs, dir, &fr[0]);
}

/* Split full index node fr[l] (l >= 1; its parent has room). */
static int split_node(struct ext4_fs *fs, struct ext4_node *dir, struct dx_frame *fr, int l)
{
  uint32_t lblk;
  uint64_t pblk;
  struct ext4_buf *b;
  int err = new_block(fs, dir, &lblk, &pblk, &b);
  if (err)
    return err;
  uint8_t *block = ext4_bdata(b);
  init_node(fs, block);
  struct dx_frame nf = { b, pblk, block, EXT4_DX_NODE_ENTRIES,
                         (struct ext4_dx_entry *)(block + EXT4_DX_NODE_ENTRIES), 0 };
  struct dx_frame *f = &fr[l];
  uint16_t count = CL(f)->count, keep = count / 2;
  uint32_t hash2 = f->entries[keep].hash;
  /* The upper half moves; its first entry's hash lives on in the parent
   * (entry 0's hash slot holds the count and limit). */
  memcpy(&nf.entries[1], &f->entries[keep + 1], (count - keep - 1) * sizeof(struct ext4_dx_entry));
  nf.entries[0].block = f->entries[keep].block;
  CL(&nf)->count = count - keep;
  CL(f)->count = keep;
  insert_entry(&fr[l - 1], hash2, lblk);
  err = frame_dirty(fs, dir, f);
  if (!err)
    err = frame_dirty(fs, dir, &nf);
  if (!err)
    err = frame_dirty(fs, dir, &fr[l - 1]);
  if (f->at >= keep) {  /* follow the half that covers our hash */
    nf.at = f->at - keep;
    ext4_brelse(f->b);
    *f = nf;
    fr[l - 1].at++;
  } else {
    ext4_brelse(b);
  }
  return err;
}

struct dx_map {
  uint32_t hash, off, size;
};

static void sort_map(struct dx_map *m, int n)
{
  for (int i = 1; i < n; i++) {  /* insertion sort: a block holds a few hundred names */
    struct dx_map x = m[i];
    int j = i - 1;
    while (j >= 0 && (m[j].hash > x.hash || (m[j].hash == x.hash && m[j].off > x.off))) {
      m[j + 1] = m[j];
      j--;
    }
    m[j + 1] = x;
  }
}

/* Write entries m[from, to) of src into dst as a fresh leaf. */
static void pack_leaf(struct ext4_fs *fs, struct ext4_node *dir, const uint8_t *src, struct dx_map *m,
                      int from, int to, uint8_t *dst)
{
  memset(dst, 0, fs->block_size);
  uint32_t off = 0, last = 0;
  for (int i = from; i < to; i++) {
    const struct ext4_dir_entry *s = (const struct ext4_dir_entry *)(src + m[i].off);
    struct ext4_dir_entry *d = (struct ext4_dir_entry *)(dst + off);
    memcpy(d, s, EXT4_DIRENT_HEADER + s->name_len);
    d->rec_len = (uint16_t)EXT4_DIRENT_LEN(s->name_len);
    last = off;
    off += d->rec_len;
  }
  struct ext4_dir_entry *d = (struct ext4_dir_entry *)(dst + last);
  d->rec_len = (uint16_t)(ext4_dir_usable(fs) - last);
  ext4_dir_set_csum(fs, dir, dst);
}

/* Split the full leaf under fr[n-1].at by hash; the upper half goes to a
 * new block entered in fr[n-1]. *which gets the block where `hash` goes. */
static int split_leaf(struct ext4_fs *fs, struct ext4_node *dir, struct dx_frame *fr, int n,
                      struct ext4_buf *leaf, uint64_t leaf_pblk, int version, uint32_t hash,
                      struct ext4_buf **which, uint64_t *which_pblk)
{
  uint8_t *block = ext4_bdata(leaf);
  uint32_t maxn = fs->block_size / 12;
  struct dx_map *m = ext4_env_zalloc(maxn * sizeof(*m));
  uint8_t *copy = ext4_env_zalloc(fs->block_size);
  if (!m || !copy) {
    ext4_env_free(m);
    ext4_env_free(copy);
    return -ENOMEM;
  }
  memcpy(copy, block, fs->block_size);
  int cnt = 0, err = 0;
  uint32_t end = ext4_dir_usable(fs);
  for (uint32_t off = 0; off < end && cnt < (int)maxn;) {
    if (!ext4_dirent_ok(fs, copy, off, end)) {
      err = ext4_corrupt(fs, "bad directory entry", dir->ino);
      break;
    }
    const struct ext4_dir_entry *d = (const struct ext4_dir_entry *)(copy + off);
    if (d->inode) {
      ext4_dirhash(d->name, d->name_len, version, fs->hash_seed, &m[cnt].hash, NULL);
      m[cnt].off = off;
      m[cnt].size = EXT4_DIRENT_LEN(d->name_len);
      cnt++;
    }
    off += d->rec_len;
  }
  uint32_t lblk;
  uint64_t pblk;
  struct ext4_buf *nb = NULL;
  if (!err && cnt < 2)
    err = ext4_corrupt(fs, "full directory leaf with one name", dir->ino);
  if (!err)
    err = new_block(fs, dir, &lblk, &pblk, &nb);
  if (!err) {
    sort_map(m, cnt);
    /* Move the upper half by size, keeping names of one hash together where possible. */
    uint32_t size = 0;
    int move = 0, i;
    for (i = cnt - 1; i >= 0; i--) {
      if (size + m[i].size / 2 > fs->block_size / 2)
        break;
      size += m[i].size;
      move++;
    }
    int split = i > 0 ? cnt - move : cnt / 2;
    uint32_t hash2 = m[split].hash;
    bool continued = hash2 == m[split - 1].hash;
    pack_leaf(fs, dir, copy, m, split, cnt, ext4_bdata(nb));
    pack_leaf(fs, dir, copy, m, 0, split, block);
    struct dx_frame *f = &fr[n - 1];
    insert_entry(f, hash2 | (continued ? 1 : 0), lblk);
    err = frame_dirty(fs, dir, f);
    if (!err)
      err = ext4_bdirty(fs, leaf, leaf_pblk);
    if (!err)
      err = ext4_bdirty(fs, nb, pblk);
    if (hash >= hash2) {
      *which = nb;
      *which_pblk = pblk;
    } else {
      *which = leaf;
      *which_pblk = leaf_pblk;
    }
  }
  if (nb && *which != nb)
    ext4_brelse(nb);
  ext4_env_free(m);
  ext4_env_free(copy);
  return err;
}

int ext4_htree_add(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                   uint32_t ino, uint8_t type)
{
  struct dx_frame fr[DX_MAX_LEVELS + 1];
  int n = 0, err;
  err = read_index(fs, dir, 0, true, &fr[0]);
  int version = err ? 0 : dir_hash_version(fs, fr[0].block);
  ext4_brelse(fr[0].b);
  if (err)
    return err;
  uint32_t hash;
  if (ext4_dirhash(name, (int)len, version, fs->hash_seed, &hash, NULL))
    return ext4_corrupt(fs, "unknown directory hash", dir->ino);
  err = probe(fs, dir, hash, fr, &n);
  if (err)
    return err;
  uint64_t pblk;
  struct ext4_buf *leaf = ext4_dir_bread(fs, dir, fr[n - 1].entries[fr[n - 1].at].block, &pblk, &err);
  if (!leaf)
    goto out;
  int r = ext4_dir_insert_block(fs, ext4_bdata(leaf), name, len, ino, type);
  if (r) {
    if (r == 1) {
      err = ext4_dir_dirty(fs, dir, leaf, pblk);
    } else {
      err = r;
    }
    ext4_brelse(leaf);
    goto out;
  }
  /* The leaf is full. Make room in the index above it first: find the
   * highest full frame of the run of full frames ending at the bottom. */
  int top = n - 1;
  while (top >= 0 && CL(&fr[top])->count >= CL(&fr[top])->limit)
    top--;
  if (top < 0) {  /* even the root is full */
    if (n >= max_levels(fs)) {
      ext4_brelse(leaf);
      err = -ENOSPC;  /* as Linux: "Directory index full" */
      goto out;
    }
    err = add_level(fs, dir, fr, &n);
    top = 1;
  } else {
    top++;
  }
  for (int l = top; l < n && !err; l++)
    if (CL(&fr[l])->count >= CL(&fr[l])->limit)
      err = split_node(fs, dir, fr, l);
  struct ext4_buf *target = NULL;
  uint64_t tpblk = 0;
  if (!err)
    err = split_leaf(fs, dir, fr, n, leaf, pblk, version, hash, &target, &tpblk);
  if (!err) {
    r = ext4_dir_insert_block(fs, ext4_bdata(target), name, len, ino, type);
    if (r == 1) {
      err = ext4_dir_dirty(fs, dir, target, tpblk);
    } else {
      err = r < 0 ? r : ext4_corrupt(fs, "no room after a leaf split", dir->ino);
    }
  }
  if (target && target != leaf)
    ext4_brelse(target);
  ext4_brelse(leaf);
out:
  frames_release(fr, n);
  return err;
}

/* Index a full one-block directory: its names move to a new leaf (block
 * 1) and block 0 becomes the root pointing at it. */
int ext4_htree_create(struct ext4_fs *fs, struct ext4_node *dir)
{
  int err;
  uint64_t p0;
  struct ext4_buf *b0 = ext4_dir_bread(fs, dir, 0, &p0, &err);
  if (!b0)
    return err;
  uint8_t *root = ext4_bdata(b0);
  struct ext4_dir_entry *dot = (struct ext4_dir_entry *)root;
  struct ext4_dir_entry *dotdot = (struct ext4_dir_entry *)(root + 12);
  if (dot->rec_len != 12 || dotdot->name_len != 2 || !ext4_dirent_ok(fs, root, 12, fs->block_size)) {
    ext4_brelse(b0);
    return ext4_corrupt(fs, "directory block 0 without . and ..", dir->ino);
  }
  uint32_t lblk;
  uint64_t p1;
  struct ext4_buf *b1;
  err = ext4_dir_grow(fs, dir, &lblk, &p1, &b1);
  if (err) {
    ext4_brelse(b0);
    return err;
  }
  /* Block 1: everything after "..", the last entry stretched to the end. */
  uint8_t *leaf = ext4_bdata(b1);
  uint32_t end = ext4_dir_usable(fs), out = 0, last = 0;
  memset(leaf, 0, fs->block_size);
  for (uint32_t off = 12 + dotdot->rec_len; off < end;) {
    if (!ext4_dirent_ok(fs, root, off, end))
      break;
    struct ext4_dir_entry *d = (struct ext4_dir_entry *)(root + off);
    if (d->inode) {
      memcpy(leaf + out, d, EXT4_DIRENT_HEADER + d->name_len);
      ((struct ext4_dir_entry *)(leaf + out))->rec_len = (uint16_t)EXT4_DIRENT_LEN(d->name_len);
      last = out;
      out += EXT4_DIRENT_LEN(d->name_len);
    }
    off += d->rec_len;
  }
  if (out)
    ((struct ext4_dir_entry *)(leaf + last))->rec_len = (uint16_t)(end - last);
  else
    ((struct ext4_dir_entry *)leaf)->rec_len = (uint16_t)end;
  ext4_dir_set_csum(fs, dir, leaf);
  /* Block 0: ".", ".." covering the block, the root with one entry. */
  memset(root + 24, 0, fs->block_size - 24);
  dotdot->rec_len = (uint16_t)(fs->block_size - 12);
  struct ext4_dx_root_info *ri = root_info(root);
  ri->hash_version = fs->sb.s_def_hash_version;
  ri->info_length = 8;
  struct ext4_dx_countlimit *cl = (struct ext4_dx_countlimit *)(root + EXT4_DX_ROOT_ENTRIES);
  cl->limit = (uint16_t)dx_limit(fs, EXT4_DX_ROOT_ENTRIES);
  cl->count = 1;
  ((struct ext4_dx_entry *)cl)[0].block = lblk;
  dx_set_csum(fs, dir, root, EXT4_DX_ROOT_ENTRIES);
  dir->flags |= EXT4_INDEX_FL;
  err = ext4_bdirty(fs, b1, p1);
  if (!err)
    err = ext4_bdirty(fs, b0, p0);
  ext4_brelse(b1);
  ext4_brelse(b0);
  return err ? err : ext4_inode_write(fs, dir);
}
