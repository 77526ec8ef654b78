/*
 * ext4_extent.c — extent trees: which physical blocks hold a file's
 * logical blocks. Lookup, insertion (merging with neighbours, splitting
 * full nodes, growing the tree by a level), removal of a range (trimming
 * and splitting extents, freeing emptied nodes), and conversion of
 * unwritten (preallocated) extents to written ones.
 *
 * Layer: ext4 core (see ext4.h). Uses ext4_alloc.c for blocks; called by
 * ext4_file.c (through ext4_map and friends). fs->lock held throughout.
 *
 * The tree's root is in the inode's i_block (a 12-byte header and 4
 * entries); deeper nodes are blocks of their own ending in a crc32c tail.
 * Index entries point at the node covering logical blocks from their key
 * on; an index key always equals the first key of its child (e2fsck checks
 * that), so changing a node's first entry fixes the keys above it.
 *
 * A walk down keeps every node on the path held (struct etree); it never
 * holds the same block twice (a damaged tree that loops is EFSCORRUPTED).
 */
#include "fs/ext4/ext4_int.h"

struct epath {
  struct ext4_buf *b;            /* NULL at level 0 (the inode) */
  uint64_t blk;
  struct ext4_extent_header *h;
  int idx;                       /* entry chosen here; -1: before the first */
};

struct etree {
  struct ext4_fs *fs;
  struct ext4_node *n;
  int depth;                     /* of the root: p[depth] is the leaf */
  bool root_dirty;
  struct epath p[EXT4_EXT_MAX_DEPTH + 2];
};

#define HDR(p) ((struct ext4_extent_header *)(p))
#define EXT(h) ((struct ext4_extent *)((h) + 1))
#define IDX(h) ((struct ext4_extent_idx *)((h) + 1))

static uint64_t ext_pblk(const struct ext4_extent *e)
{
  return e->ee_start_lo | (uint64_t)e->ee_start_hi << 32;
}
static void ext_set_pblk(struct ext4_extent *e, uint64_t p)
{
  e->ee_start_lo = (uint32_t)p;
  e->ee_start_hi = (uint16_t)(p >> 32);
}
static uint32_t ext_len(const struct ext4_extent *e)
{
  return e->ee_len > EXT4_EXT_INIT_MAX_LEN ? e->ee_len - EXT4_EXT_INIT_MAX_LEN : e->ee_len;
}
static bool ext_unwritten(const struct ext4_extent *e) { return e->ee_len > EXT4_EXT_INIT_MAX_LEN; }
static void ext_set_len(struct ext4_extent *e, uint32_t len, bool unwritten)
{
  e->ee_len = (uint16_t)(unwritten ? len + EXT4_EXT_INIT_MAX_LEN : len);
}
static uint64_t idx_pblk(const struct ext4_extent_idx *i)
{
  return i->ei_leaf_lo | (uint64_t)i->ei_leaf_hi << 32;
}
static void idx_set_pblk(struct ext4_extent_idx *i, uint64_t p)
{
  i->ei_leaf_lo = (uint32_t)p;
  i->ei_leaf_hi = (uint16_t)(p >> 32);
  i->ei_unused = 0;
}
static uint32_t key_of(struct ext4_extent_header *h, int i)
{
  return h->eh_depth ? IDX(h)[i].ei_block : EXT(h)[i].ee_block;
}
static uint16_t block_max(struct ext4_fs *fs) { return (uint16_t)((fs->block_size - 12) / 12); }
static uint16_t root_max(void) { return 4; }

static uint32_t node_csum(struct ext4_node *n, struct ext4_extent_header *h)
{
  return ext4_crc32c(n->csum_seed, h, 12 + 12 * (size_t)h->eh_max);
}

static int check_node(struct ext4_fs *fs, struct ext4_node *n, struct ext4_extent_header *h,
                      int depth, bool root, uint64_t blk)
{
  uint16_t max = root ? root_max() : block_max(fs);
  if (h->eh_magic != EXT4_EXT_MAGIC || h->eh_max > max || h->eh_max == 0 ||
      h->eh_entries > h->eh_max || (depth >= 0 && h->eh_depth != depth) ||
      h->eh_depth > EXT4_EXT_MAX_DEPTH)
    return ext4_corrupt(fs, "bad extent node", root ? n->ino : blk);
  if (!root && fs->csum && !ext4_verified(fs, blk)) {
    uint32_t *tail = (uint32_t *)((uint8_t *)h + 12 + 12 * (size_t)h->eh_max);
    if (*tail != node_csum(n, h)) {
      ext4_env_log("ext4: inode %u: extent block %llu checksum mismatch", n->ino,
                   (unsigned long long)blk);
      return -EFSBADCRC;
    }
    ext4_set_verified(fs, blk);
  }
  return 0;
}

static void tree_release(struct etree *t)
{
  for (int l = 1; l <= t->depth; l++) {
    ext4_brelse(t->p[l].b);
    t->p[l].b = NULL;
  }
}

/* Index of the last entry with key <= lblk, or -1. */
static int search(struct ext4_extent_header *h, uint32_t lblk)
{
  int lo = 0, hi = h->eh_entries - 1, found = -1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (key_of(h, mid) <= lblk) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/* Walk from the root to the leaf that covers (or would hold) lblk. */
static int tree_find(struct etree *t, struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk)
{
  memset(t, 0, sizeof(*t));
  t->fs = fs;
  t->n = n;
  struct ext4_extent_header *h = HDR(ext4_iblock(n));
  int err = check_node(fs, n, h, -1, true, 0);
  if (err)
    return err;
  t->depth = h->eh_depth;
  t->p[0].h = h;
  for (int l = 0;; l++) {
    struct epath *p = &t->p[l];
    p->idx = search(p->h, lblk);
    if (l == t->depth)
      return 0;
    if (p->h->eh_entries == 0)
      return ext4_corrupt(fs, "empty extent index", n->ino);
    if (p->idx < 0)
      p->idx = 0;  /* before every key: the leftmost child */
    uint64_t blk = idx_pblk(&IDX(p->h)[p->idx]);
    for (int k = 1; k <= l; k++)
      if (t->p[k].blk == blk)
        return ext4_corrupt(fs, "extent tree loops", blk);
    struct epath *c = &t->p[l + 1];
    c->b = ext4_bread(fs, blk, &err);
    if (!c->b) {
      t->depth = l;  /* release only what is held */
      return err;
    }
    c->blk = blk;
    c->h = HDR(ext4_bdata(c->b));
    err = check_node(fs, n, c->h, t->depth - l - 1, false, blk);
    if (err) {
      t->depth = l + 1;
      return err;
    }
  }
}

/* Level l of the path was changed. */
static int mark(struct etree *t, int l)
{
  if (l == 0) {
    t->root_dirty = true;
    return 0;
  }
  struct epath *p = &t->p[l];
  if (t->fs->csum)
    *(uint32_t *)((uint8_t *)p->h + 12 + 12 * (size_t)p->h->eh_max) = node_csum(t->n, p->h);
  return ext4_bdirty(t->fs, p->b, p->blk);
}

/* Node l's first key may have changed: carry it up while it is the
 * first entry of its parent. */
static int fix_keys(struct etree *t, int l)
{
  for (; l > 0; l--) {
    struct epath *p = &t->p[l], *up = &t->p[l - 1];
    if (p->h->eh_entries == 0)
      return 0;
    int ui = up->idx;
    uint32_t k = key_of(p->h, 0);
    if (IDX(up->h)[ui].ei_block != k) {
      IDX(up->h)[ui].ei_block = k;
      int err = mark(t, l - 1);
      if (err)
        return err;
    }
    if (ui != 0)
      return 0;
  }
  return 0;
}

int ext4_ext_map(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t *pblk,
                 uint32_t *len, unsigned *flags)
{
  *flags = 0;
  if (n->ec.len && lblk >= n->ec.lblk && lblk - n->ec.lblk < n->ec.len) {
    uint32_t d = lblk - n->ec.lblk;
    *pblk = n->ec.pblk ? n->ec.pblk + d : 0;
    *len = n->ec.len - d;
    *flags = n->ec.unwritten ? EXT4_MAP_UNWRITTEN : 0;
    return 0;
  }
  struct etree t;
  int err = tree_find(&t, fs, n, lblk);
  if (err) {
    tree_release(&t);
    return err;
  }
  /* The hole (if any) ends at the next key found on the way down. */
  uint64_t next = (uint64_t)1 << 32;
  for (int l = 0; l <= t.depth; l++) {
    struct epath *p = &t.p[l];
    if (p->idx + 1 < p->h->eh_entries && key_of(p->h, p->idx + 1) < next)
      next = key_of(p->h, p->idx + 1);
  }
  struct epath *leaf = &t.p[t.depth];
  struct ext4_extent *e = leaf->idx >= 0 ? &EXT(leaf->h)[leaf->idx] : NULL;
  if (e && lblk - e->ee_block < ext_len(e)) {
    n->ec.lblk = e->ee_block;
    n->ec.len = ext_len(e);
    n->ec.pblk = ext_pblk(e);
    n->ec.unwritten = ext_unwritten(e);
    if (n->ec.pblk + n->ec.len > fs->nblocks || n->ec.pblk < fs->first_data_block) {
      n->ec.len = 0;
      tree_release(&t);
      return ext4_corrupt(fs, "extent points outside the file system", n->ino);
    }
  } else {
    n->ec.lblk = lblk;
    n->ec.len = (uint32_t)MIN(next - lblk, 0xffffffffULL);
    n->ec.pblk = 0;
    n->ec.unwritten = false;
  }
  tree_release(&t);
  return ext4_ext_map(fs, n, lblk, pblk, len, flags);
}

void ext4_ext_init(struct ext4_fs *fs, struct ext4_node *n)
{
  (void)fs;
  struct ext4_extent_header *h = HDR(ext4_iblock(n));
  memset(ext4_iblock(n), 0, 60);
  h->eh_magic = EXT4_EXT_MAGIC;
  h->eh_max = root_max();
  n->flags |= EXT4_EXTENTS_FL;
  n->ec.len = 0;
}

/* A new tree block near goal, counted in the inode. */
static int new_node_block(struct etree *t, uint64_t goal, uint64_t *blk, struct ext4_buf **bp)
{
  uint32_t got;
  int err = ext4_alloc_blocks(t->fs, goal, 1, true, blk, &got);
  if (err)
    return err;
  *bp = ext4_bzero(t->fs, *blk, &err);
  if (!*bp) {
    ext4_free_blocks(t->fs, *blk, 1, true);
    return err;
  }
  ext4_add_blocks(t->fs, t->n, 1);
  return 0;
}

/* The root is full: move its entries into a new block below it. The path
 * gains a level (p[1] is the new block, holding what the root held). */
static int grow(struct etree *t, uint64_t goal)
{
  if (t->depth >= EXT4_EXT_MAX_DEPTH)
    return -EFBIG;
  uint64_t blk;
  struct ext4_buf *b;
  int err = new_node_block(t, goal, &blk, &b);
  if (err)
    return err;
  struct ext4_extent_header *root = t->p[0].h, *h = HDR(ext4_bdata(b));
  memcpy(h, root, 12 + 12 * (size_t)root->eh_entries);
  h->eh_max = block_max(t->fs);
  memmove(&t->p[2], &t->p[1], sizeof(t->p[0]) * (size_t)t->depth);
  t->p[1] = (struct epath){ b, blk, h, t->p[0].idx };
  root->eh_depth++;
  root->eh_entries = 1;
  IDX(root)[0].ei_block = h->eh_entries ? key_of(h, 0) : 0;
  idx_set_pblk(&IDX(root)[0], blk);
  t->p[0].idx = 0;
  t->depth++;
  err = mark(t, 1);
  return err ? err : mark(t, 0);
}

/* Put a 12-byte entry into a node at position pos. */
static void put_entry(struct ext4_extent_header *h, int pos, const void *ent)
{
  uint8_t *base = (uint8_t *)(h + 1);
  memmove(base + 12 * (size_t)(pos + 1), base + 12 * (size_t)pos, 12 * (size_t)(h->eh_entries - pos));
  memcpy(base + 12 * (size_t)pos, ent, 12);
  h->eh_entries++;
}

/*
 * Insert an entry into node l of the path right after p[l].idx, splitting
 * the node (and recursively its parents) or growing the tree when full.
 * The path stays valid for the levels above l.
 */
static int insert_at(struct etree *t, int l, const void *ent, uint64_t goal)
{
  struct epath *p = &t->p[l];
  int pos = p->idx + 1;
  if (p->h->eh_entries < p->h->eh_max) {
    put_entry(p->h, pos, ent);
    p->idx = pos;
    int err = mark(t, l);
    return err ? err : pos == 0 ? fix_keys(t, l) : 0;
  }
  if (l == 0) {
    int err = grow(t, goal);
    return err ? err : insert_at(t, 1, ent, goal);
  }
  /* Split node l: entries from `s` on go to a new sibling. Appending (the
   * common case) moves nothing and leaves a full node behind. */
  uint64_t blk;
  struct ext4_buf *b;
  int err = new_node_block(t, goal, &blk, &b);
  if (err)
    return err;
  int cnt = p->h->eh_entries, s = pos == cnt ? cnt : cnt / 2;
  struct ext4_extent_header *nh = HDR(ext4_bdata(b));
  nh->eh_magic = EXT4_EXT_MAGIC;
  nh->eh_max = block_max(t->fs);
  nh->eh_depth = p->h->eh_depth;
  nh->eh_entries = (uint16_t)(cnt - s);
  memcpy(nh + 1, (uint8_t *)(p->h + 1) + 12 * (size_t)s, 12 * (size_t)(cnt - s));
  p->h->eh_entries = (uint16_t)s;
  struct epath old = *p, sib = { b, blk, nh, 0 };
  bool into_sib = pos >= s;
  if (into_sib) {
    put_entry(nh, pos - s, ent);
    sib.idx = pos - s;
  } else {
    put_entry(old.h, pos, ent);
    old.idx = pos;
  }
  /* Write both halves, then hang the sibling off the parent, right after
   * the old half's entry (which the parent's idx points at). */
  t->p[l] = old;
  err = mark(t, l);
  if (!err && !into_sib && pos == 0)
    err = fix_keys(t, l);
  t->p[l] = sib;
  if (!err)
    err = mark(t, l);
  struct ext4_extent_idx ie = { .ei_block = key_of(nh, 0) };
  idx_set_pblk(&ie, blk);
  int d0 = t->depth;
  if (!err)
    err = insert_at(t, l - 1, &ie, goal);
  l += t->depth - d0;  /* the tree may have grown a level above us */
  /* The path keeps the half holding the new entry; the other is released. */
  if (into_sib) {
    ext4_brelse(old.b);
    t->p[l] = sib;
  } else {
    ext4_brelse(b);
    t->p[l] = old;
  }
  return err;
}

int ext4_ext_insert(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t pblk,
                    uint32_t len, bool unwritten)
{
  n->ec.len = 0;
  uint32_t max = unwritten ? EXT4_EXT_UNWRITTEN_MAX_LEN : EXT4_EXT_INIT_MAX_LEN;
  int err = 0;
  while (len && !err) {
    uint32_t part = MIN(len, max);
    struct etree t;
    err = tree_find(&t, fs, n, lblk);
    struct epath *leaf = &t.p[t.depth];
    struct ext4_extent *prev = !err && leaf->idx >= 0 ? &EXT(leaf->h)[leaf->idx] : NULL;
    struct ext4_extent *next = !err && leaf->idx + 1 < leaf->h->eh_entries ? &EXT(leaf->h)[leaf->idx + 1] : NULL;
    if (err) {
      ;
    } else if (prev && lblk - prev->ee_block < ext_len(prev)) {
      err = ext4_corrupt(fs, "extent insert over a mapped block", lblk);
    } else if (prev && prev->ee_block + ext_len(prev) == lblk && ext_pblk(prev) + ext_len(prev) == pblk &&
               ext_unwritten(prev) == unwritten && ext_len(prev) < max) {
      part = MIN(part, max - ext_len(prev));  /* grow the previous extent */
      ext_set_len(prev, ext_len(prev) + part, unwritten);
      err = mark(&t, t.depth);
    } else if (next && lblk + part == next->ee_block && pblk + part == ext_pblk(next) &&
               ext_unwritten(next) == unwritten && ext_len(next) + part <= max) {
      next->ee_block = lblk;  /* grow the next extent downwards */
      ext_set_pblk(next, pblk);
      ext_set_len(next, ext_len(next) + part, unwritten);
      leaf->idx++;
      err = mark(&t, t.depth);
      if (!err && leaf->idx == 0)
        err = fix_keys(&t, t.depth);
    } else {
      if (next && lblk + part > next->ee_block)
        part = next->ee_block - lblk;
      struct ext4_extent e = { .ee_block = lblk };
      ext_set_pblk(&e, pblk);
      ext_set_len(&e, part, unwritten);
      err = insert_at(&t, t.depth, &e, pblk);
    }
    if (t.root_dirty && !err)
      err = ext4_inode_write(fs, n);
    tree_release(&t);
    lblk += part;
    pblk += part;
    len -= part;
  }
  n->ec.len = 0;
  return err;
}

/* Remove the entry at p[l].idx from node l; an emptied non-root node is
 * freed and removed from its parent in turn. */
static int drop_entry(struct etree *t, int l)
{
  struct epath *p = &t->p[l];
  int i = p->idx;
  uint8_t *base = (uint8_t *)(p->h + 1);
  memmove(base + 12 * (size_t)i, base + 12 * (size_t)(i + 1), 12 * (size_t)(p->h->eh_entries - i - 1));
  p->h->eh_entries--;
  p->idx = i - 1;
  if (p->h->eh_entries == 0 && l > 0) {
    uint64_t blk = p->blk;
    ext4_brelse(p->b);
    p->b = NULL;
    ext4_tx_forget(t->fs, blk, 1);
    int err = ext4_free_blocks(t->fs, blk, 1, true);
    ext4_add_blocks(t->fs, t->n, -1);
    return err ? err : drop_entry(t, l - 1);
  }
  if (l == 0 && p->h->eh_entries == 0) {
    p->h->eh_depth = 0;  /* the tree is empty: the root is a leaf again */
    t->depth = 0;
  }
  int err = mark(t, l);
  return err ? err : i == 0 ? fix_keys(t, l) : 0;
}

/* Free physical blocks of a file's data. */
static int free_data(struct etree *t, uint64_t pblk, uint32_t len)
{
  bool meta = !ext4_is_reg(t->n);
  if (meta)
    ext4_tx_forget(t->fs, pblk, len);
  ext4_add_blocks(t->fs, t->n, -(int64_t)len);
  return ext4_free_blocks(t->fs, pblk, len, meta);
}

/*
 * Unmap logical blocks [from, *top), working backwards from the last
 * extent that starts before *top, one extent per walk (the path changes as
 * nodes empty). An extent that straddles both ends is split in two. Stops
 * once `budget` blocks are freed: [from, *top) is what is left to do.
 */
int ext4_ext_remove(struct ext4_fs *fs, struct ext4_node *n, uint64_t from, uint64_t *top,
                    uint64_t budget)
{
  n->ec.len = 0;
  uint64_t to = MIN(*top, (uint64_t)1 << 32), freed = 0;
  int err = 0;
  while (!err && from < to && freed < budget) {
    struct etree t;
    err = tree_find(&t, fs, n, (uint32_t)(to - 1));
    struct epath *leaf = &t.p[t.depth];
    if (err || leaf->idx < 0) {
      tree_release(&t);
      if (!err)
        to = from;  /* nothing at all before `to` */
      break;
    }
    struct ext4_extent *e = &EXT(leaf->h)[leaf->idx];
    uint64_t es = e->ee_block, ee = es + ext_len(e), pb = ext_pblk(e);
    bool unw = ext_unwritten(e);
    if (ee <= from) {
      tree_release(&t);
      to = from;
      break;  /* nothing mapped in [from, to) any more */
    }
    uint64_t cs = MAX(es, from), ce = MIN(ee, to);  /* the part to cut */
    freed += ce - cs;
    if (cs == es && ce == ee) {
      err = free_data(&t, pb, (uint32_t)(ee - es));
      if (!err)
        err = drop_entry(&t, t.depth);
      to = es;
    } else if (cs == es) {  /* cut the head */
      e->ee_block = (uint32_t)ce;
      ext_set_pblk(e, pb + (ce - es));
      ext_set_len(e, (uint32_t)(ee - ce), unw);
      err = free_data(&t, pb, (uint32_t)(ce - es));
      if (!err)
        err = mark(&t, t.depth);
      if (!err && leaf->idx == 0)
        err = fix_keys(&t, t.depth);
      to = es;
    } else if (ce == ee) {  /* cut the tail */
      ext_set_len(e, (uint32_t)(cs - es), unw);
      err = free_data(&t, pb + (cs - es), (uint32_t)(ee - cs));
      if (!err)
        err = mark(&t, t.depth);
      to = cs;
    } else {  /* a hole in the middle: keep the head here, re-insert the tail */
      ext_set_len(e, (uint32_t)(cs - es), unw);
      err = mark(&t, t.depth);
      if (!err)
        err = free_data(&t, pb + (cs - es), (uint32_t)(ce - cs));
      if (t.root_dirty && !err)
        err = ext4_inode_write(fs, n);
      tree_release(&t);
      if (!err)
        err = ext4_ext_insert(fs, n, (uint32_t)ce, pb + (ce - es), (uint32_t)(ee - ce), unw);
      to = cs;
      continue;
    }
    if (t.root_dirty && !err)
      err = ext4_inode_write(fs, n);
    tree_release(&t);
  }
  *top = to;
  n->ec.len = 0;
  return err;
}

/* Turn the unwritten parts of [lblk, lblk + len) into written ones. */
int ext4_ext_mark_written(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t len)
{
  uint64_t end = (uint64_t)lblk + len;
  int err = 0;
  while (!err && lblk < end) {
    uint64_t pb0;
    uint32_t run;
    unsigned fl;
    err = ext4_ext_map(fs, n, lblk, &pb0, &run, &fl);
    if (err)
      break;
    if (!pb0 || !(fl & EXT4_MAP_UNWRITTEN)) {  /* a hole, or written already */
      lblk = (uint32_t)MIN(end, (uint64_t)lblk + run);
      continue;
    }
    n->ec.len = 0;
    struct etree t;
    err = tree_find(&t, fs, n, lblk);
    struct ext4_extent *e = err ? NULL : &EXT(t.p[t.depth].h)[t.p[t.depth].idx];
    if (err) {
      tree_release(&t);
      break;
    }
    uint64_t es = e->ee_block, ee = es + ext_len(e), pb = ext_pblk(e);
    uint64_t ce = MIN(ee, end);
    if (es == lblk && ce == ee) {
      ext_set_len(e, (uint32_t)(ee - es), false);  /* the whole extent */
      err = mark(&t, t.depth);
      if (t.root_dirty && !err)
        err = ext4_inode_write(fs, n);
      tree_release(&t);
    } else {
      /* Keep [es, lblk) unwritten here; re-insert the rest in pieces. */
      if (es < lblk) {
        ext_set_len(e, (uint32_t)(lblk - es), true);
        err = mark(&t, t.depth);
      } else {
        err = drop_entry(&t, t.depth);
      }
      if (t.root_dirty && !err)
        err = ext4_inode_write(fs, n);
      tree_release(&t);
      if (!err)
        err = ext4_ext_insert(fs, n, lblk, pb + (lblk - es), (uint32_t)(ce - lblk), false);
      if (!err && ce < ee)
        err = ext4_ext_insert(fs, n, (uint32_t)ce, pb + (ce - es), (uint32_t)(ee - ce), true);
    }
    if (ce >= end)
      break;
    lblk = (uint32_t)ce;
  }
  n->ec.len = 0;
  return err;
}

/* Check one node and everything below it: keys ordered and equal to the
 * parent's, extents inside the file system, blocks counted in *nblocks. */
static int check_subtree(struct ext4_fs *fs, struct ext4_node *n, struct ext4_extent_header *h,
                         uint32_t key, bool root, uint64_t *nblocks, int budget)
{
  if (budget <= 0)
    return ext4_corrupt(fs, "extent tree too deep", n->ino);
  if (h->eh_entries && !root && key_of(h, 0) != key)
    return ext4_corrupt(fs, "extent index key differs from its child", n->ino);
  for (int i = 0; i < h->eh_entries; i++) {
    if (i && key_of(h, i) <= key_of(h, i - 1))
      return ext4_corrupt(fs, "extent keys out of order", n->ino);
    if (h->eh_depth == 0) {
      struct ext4_extent *e = &EXT(h)[i];
      if (i + 1 < h->eh_entries && (uint64_t)e->ee_block + ext_len(e) > key_of(h, i + 1))
        return ext4_corrupt(fs, "extents overlap", n->ino);
      if (ext_len(e) == 0 || ext_pblk(e) + ext_len(e) > fs->nblocks)
        return ext4_corrupt(fs, "bad extent", n->ino);
      *nblocks += ext_len(e);
      continue;
    }
    int err;
    uint64_t blk = idx_pblk(&IDX(h)[i]);
    struct ext4_buf *b = ext4_bread(fs, blk, &err);
    if (!b)
      return err;
    struct ext4_extent_header *ch = HDR(ext4_bdata(b));
    err = check_node(fs, n, ch, h->eh_depth - 1, false, blk);
    if (!err)
      err = check_subtree(fs, n, ch, key_of(h, i), false, nblocks, budget - 1);
    ext4_brelse(b);
    (*nblocks)++;
    if (err)
      return err;
  }
  return 0;
}

int ext4_ext_check(struct ext4_fs *fs, struct ext4_node *n)
{
  struct ext4_extent_header *h = HDR(ext4_iblock(n));
  int err = check_node(fs, n, h, -1, true, 0);
  uint64_t nblocks = 0;
  if (!err)
    err = check_subtree(fs, n, h, 0, true, &nblocks, EXT4_EXT_MAX_DEPTH + 1);
  if (!err && nblocks * fs->sectors_per_block != n->blocks - (n->file_acl ? fs->sectors_per_block : 0))
    err = ext4_corrupt(fs, "i_blocks does not match the extent tree", n->ino);
  return err;
}
