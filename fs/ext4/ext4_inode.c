/*
 * ext4_inode.c — inodes: the table of nodes in use, reading and writing
 * on-disk inodes with their checksums, attributes, and the orphan list
 * (inodes whose blocks must be freed or trimmed if the system stops now:
 * unlinked while open, or being truncated).
 *
 * Layer: ext4 core (see ext4.h). Uses ext4_super.c (buffers, groups),
 * ext4_alloc.c (inode numbers), ext4_file.c (freeing a file's blocks).
 *
 * Locks: public functions take fs->lock; *_locked ones expect it.
 *
 * On disk an inode is s_inode_size bytes: the 128-byte classic part and an
 * extra part (i_extra_isize of it in use) with nanosecond times, the
 * creation time and the high half of the checksum; the rest may hold
 * extended attributes. The core keeps the whole raw inode in the node and
 * writes it back whole, so fields Kite does not interpret survive.
 */
#include "fs/ext4/ext4_int.h"

static uint32_t generation_counter;

void ext4_now(struct ext4_time *t)
{
  int32_t ns;
  t->sec = ext4_env_now(&ns);
  t->nsec = (uint32_t)ns;
}

uint32_t ext4_node_csum_seed(struct ext4_fs *fs, uint32_t ino, uint32_t gen)
{
  uint32_t c = ext4_crc32c(fs->csum_seed, &ino, 4);
  return ext4_crc32c(c, &gen, 4);
}

static bool extra_has(const struct ext4_node *n, uint32_t end)
{
  return n->extra_isize >= end;
}

/* crc32c of a raw inode, with both checksum fields taken as zero. */
static uint32_t inode_csum(struct ext4_fs *fs, uint32_t seed, const uint8_t *raw, uint16_t extra)
{
  uint16_t zero = 0;
  uint32_t c = ext4_crc32c(seed, raw, EXT4_INODE_CSUM_LO);
  c = ext4_crc32c(c, &zero, 2);
  c = ext4_crc32c(c, raw + EXT4_INODE_CSUM_LO + 2, EXT4_GOOD_OLD_INODE_SIZE - EXT4_INODE_CSUM_LO - 2);
  if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE) {
    uint32_t off = EXT4_INODE_CSUM_HI;
    c = ext4_crc32c(c, raw + EXT4_GOOD_OLD_INODE_SIZE, off - EXT4_GOOD_OLD_INODE_SIZE);
    if (extra >= EXT4_EXTRA_HAS_CSUM_HI) {
      c = ext4_crc32c(c, &zero, 2);
      off += 2;
    }
    c = ext4_crc32c(c, raw + off, fs->inode_size - off);
  }
  return c;
}

static int64_t decode_time(uint32_t lo, uint32_t extra, bool has_extra, uint32_t *nsec)
{
  int64_t sec = (int32_t)lo;
  *nsec = 0;
  if (has_extra) {
    sec += (int64_t)(extra & 3) << 32;
    *nsec = extra >> 2;
    if (*nsec >= 1000000000u)
      *nsec = 0;
  }
  return sec;
}

static uint32_t encode_extra(const struct ext4_time *t)
{
  uint32_t epoch = (uint32_t)(((t->sec - (int32_t)t->sec) >> 32) & 3);
  return epoch | (t->nsec << 2);
}

/* Fill n's decoded fields from n->raw. */
static void node_decode(struct ext4_fs *fs, struct ext4_node *n)
{
  const struct ext4_inode *r = (const struct ext4_inode *)n->raw;
  n->mode = r->i_mode;
  n->uid = r->i_uid | (uint32_t)r->i_uid_high << 16;
  n->gid = r->i_gid | (uint32_t)r->i_gid_high << 16;
  n->links = r->i_links_count;
  n->size = r->i_size_lo;
  if (ext4_is_reg(n) || (fs->incompat & EXT4_INCOMPAT_LARGEDIR))
    n->size |= (uint64_t)r->i_size_high << 32;
  n->flags = r->i_flags;
  uint64_t blocks = r->i_blocks_lo;
  if (fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE)
    blocks |= (uint64_t)r->i_blocks_high << 32;
  if (n->flags & EXT4_HUGE_FILE_FL)
    blocks *= fs->sectors_per_block;
  n->blocks = blocks;
  n->generation = r->i_generation;
  n->file_acl = r->i_file_acl_lo;
  if (fs->incompat & EXT4_INCOMPAT_64BIT)
    n->file_acl |= (uint64_t)r->i_file_acl_high << 32;
  n->dtime = r->i_dtime;
  n->extra_isize = fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE ? r->i_extra_isize : 0;
  /* The extra fields exist only as far as i_extra_isize reaches (never
   * with 128-byte inodes): not even read otherwise. */
  bool xa = extra_has(n, EXT4_EXTRA_HAS_ATIME), xm = extra_has(n, EXT4_EXTRA_HAS_MTIME),
       xc = extra_has(n, EXT4_EXTRA_HAS_CTIME);
  n->atime.sec = decode_time(r->i_atime, xa ? r->i_atime_extra : 0, xa, &n->atime.nsec);
  n->mtime.sec = decode_time(r->i_mtime, xm ? r->i_mtime_extra : 0, xm, &n->mtime.nsec);
  n->ctime.sec = decode_time(r->i_ctime, xc ? r->i_ctime_extra : 0, xc, &n->ctime.nsec);
  if (extra_has(n, EXT4_EXTRA_HAS_CRTIME))
    n->crtime.sec = decode_time(r->i_crtime, r->i_crtime_extra, true, &n->crtime.nsec);
  n->csum_seed = ext4_node_csum_seed(fs, n->ino, n->generation);
}

/* Store n's decoded fields into n->raw and set its checksum. */
static void node_encode(struct ext4_fs *fs, struct ext4_node *n)
{
  struct ext4_inode *r = (struct ext4_inode *)n->raw;
  r->i_mode = (uint16_t)n->mode;
  r->i_uid = (uint16_t)n->uid;
  r->i_uid_high = (uint16_t)(n->uid >> 16);
  r->i_gid = (uint16_t)n->gid;
  r->i_gid_high = (uint16_t)(n->gid >> 16);
  r->i_links_count = (uint16_t)n->links;
  r->i_size_lo = (uint32_t)n->size;
  r->i_size_high = (uint32_t)(n->size >> 32);
  uint64_t blocks = n->blocks;
  n->flags &= ~(uint32_t)EXT4_HUGE_FILE_FL;
  if (blocks >> 32 && !(fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE))
    blocks = 0xffffffffu;  /* cannot happen below 2 TiB per file */
  r->i_blocks_lo = (uint32_t)blocks;
  r->i_blocks_high = (uint16_t)(blocks >> 32);
  r->i_flags = n->flags;
  r->i_generation = n->generation;
  r->i_file_acl_lo = (uint32_t)n->file_acl;
  r->i_file_acl_high = (uint16_t)(n->file_acl >> 32);
  r->i_dtime = n->dtime;
  r->i_atime = (uint32_t)n->atime.sec;
  r->i_mtime = (uint32_t)n->mtime.sec;
  r->i_ctime = (uint32_t)n->ctime.sec;
  if (extra_has(n, EXT4_EXTRA_HAS_ATIME)) {
    r->i_ctime_extra = encode_extra(&n->ctime);
    r->i_mtime_extra = encode_extra(&n->mtime);
    r->i_atime_extra = encode_extra(&n->atime);
  }
  if (extra_has(n, EXT4_EXTRA_HAS_CRTIME)) {
    r->i_crtime = (uint32_t)n->crtime.sec;
    r->i_crtime_extra = encode_extra(&n->crtime);
  }
  if (fs->csum) {
    uint32_t c = inode_csum(fs, n->csum_seed, n->raw, n->extra_isize);
    r->i_checksum_lo = (uint16_t)c;
    if (extra_has(n, EXT4_EXTRA_HAS_CSUM_HI))
      r->i_checksum_hi = (uint16_t)(c >> 16);
  }
}

/* Where inode ino lives: its table block and the byte offset there. */
static int inode_location(struct ext4_fs *fs, uint32_t ino, uint64_t *blk, uint32_t *off)
{
  if (ino < 1 || ino > fs->inodes_count)
    return ext4_corrupt(fs, "inode number out of range", ino);
  uint32_t g = (ino - 1) / fs->inodes_per_group, idx = (ino - 1) % fs->inodes_per_group;
  uint64_t byte = (uint64_t)idx * fs->inode_size;
  *blk = fs->groups[g].inode_table + byte / fs->block_size;
  *off = (uint32_t)(byte % fs->block_size);
  return 0;
}

static int inode_read(struct ext4_fs *fs, struct ext4_node *n)
{
  uint64_t blk;
  uint32_t off;
  int err = inode_location(fs, n->ino, &blk, &off);
  if (err)
    return err;
  struct ext4_buf *b = ext4_bread(fs, blk, &err);
  if (!b)
    return err;
  memcpy(n->raw, (uint8_t *)ext4_bdata(b) + off, fs->inode_size);
  ext4_brelse(b);
  const struct ext4_inode *r = (const struct ext4_inode *)n->raw;
  if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE &&
      (r->i_extra_isize & 3 || r->i_extra_isize > fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE))
    return ext4_corrupt(fs, "inode extra size", n->ino);
  node_decode(fs, n);
  if (fs->csum) {
    uint32_t c = inode_csum(fs, n->csum_seed, n->raw, n->extra_isize);
    uint32_t want = r->i_checksum_lo;
    if (extra_has(n, EXT4_EXTRA_HAS_CSUM_HI))
      want |= (uint32_t)r->i_checksum_hi << 16;
    else
      c &= 0xffff;
    if (c != want) {
      ext4_env_log("ext4: inode %u: checksum mismatch", n->ino);
      return -EFSBADCRC;
    }
  }
  return 0;
}

int ext4_inode_write(struct ext4_fs *fs, struct ext4_node *n)
{
  uint64_t blk;
  uint32_t off;
  int err = inode_location(fs, n->ino, &blk, &off);
  if (err)
    return err;
  struct ext4_buf *b = ext4_bread(fs, blk, &err);
  if (!b)
    return err;
  node_encode(fs, n);
  memcpy((uint8_t *)ext4_bdata(b) + off, n->raw, fs->inode_size);
  err = ext4_bdirty(fs, b, blk);
  ext4_brelse(b);
  return err;
}

bool ext4_has_blocks(struct ext4_fs *fs, const struct ext4_node *n)
{
  if (n->flags & EXT4_INLINE_DATA_FL)
    return false;
  if (ext4_is_reg(n) || ext4_is_dir(n))
    return true;
  /* A symlink is fast (its target in i_block) when it owns no block but
   * its extended-attribute block, as Linux decides. */
  uint64_t ea = n->file_acl ? fs->sectors_per_block : 0;
  return ext4_is_lnk(n) && n->blocks > ea;
}

/* ---- the node table ---- */

static struct ext4_node **bucket(struct ext4_fs *fs, uint32_t ino)
{
  return &fs->nodes[ino % EXT4_NODE_BUCKETS];
}

static void node_free(struct ext4_node *n)
{
  ext4_env_free(n->da);
  ext4_env_free(n->raw);
  ext4_env_free(n);
}

static struct ext4_node *node_alloc(struct ext4_fs *fs, uint32_t ino)
{
  struct ext4_node *n = ext4_env_zalloc(sizeof(*n));
  if (n)
    n->raw = ext4_env_zalloc(fs->inode_size);
  if (n && !n->raw) {
    ext4_env_free(n);
    return NULL;
  }
  if (n)
    n->ino = ino;
  return n;
}

static void node_insert(struct ext4_fs *fs, struct ext4_node *n)
{
  n->refs = 1;
  n->hnext = *bucket(fs, n->ino);
  *bucket(fs, n->ino) = n;
  fs->refs++;
  fs->nr_nodes++;
}

int ext4_node_get_locked(struct ext4_fs *fs, uint32_t ino, struct ext4_node **out)
{
  for (struct ext4_node *n = *bucket(fs, ino); n; n = n->hnext) {
    if (n->ino == ino) {
      if (n->freed)
        return -ESTALE;
      n->refs++;
      *out = n;
      return 0;
    }
  }
  struct ext4_node *n = node_alloc(fs, ino);
  if (!n)
    return -ENOMEM;
  int err = inode_read(fs, n);
  if (!err && n->links == 0 && n->mode == 0 && ino != EXT4_ROOT_INO)
    err = -ESTALE;  /* an inode not in use */
  if (err) {
    node_free(n);
    return err;
  }
  node_insert(fs, n);
  *out = n;
  return 0;
}

/* Unlink n from the table and free it (its last reference is gone). */
static void node_drop(struct ext4_fs *fs, struct ext4_node *n)
{
  struct ext4_node **pp = bucket(fs, n->ino);
  while (*pp && *pp != n)
    pp = &(*pp)->hnext;
  if (*pp)
    *pp = n->hnext;
  fs->nr_nodes--;
  fs->refs--;
  node_free(n);
}

void ext4_node_put_locked(struct ext4_fs *fs, struct ext4_node *n)
{
  if (--n->refs > 0)
    return;
  /* The last reference to an inode with no name left: free what it owns
   * (a failure leaves it on the orphan list for the next mount). */
  if (n->links == 0 && !n->freed && !fs->read_only && !fs->unmounted) {
    int err = ext4_tx_begin(fs, 64);
    if (!err)
      err = ext4_evict_locked(fs, n);
    ext4_tx_end(fs, err);
  }
  node_drop(fs, n);
}

/* Free every node's memory, whatever its references (ext4_abandon). */
void ext4_nodes_abandon(struct ext4_fs *fs)
{
  for (uint32_t i = 0; i < EXT4_NODE_BUCKETS; i++) {
    while (fs->nodes[i]) {
      struct ext4_node *n = fs->nodes[i];
      fs->nodes[i] = n->hnext;
      node_free(n);
    }
  }
  fs->nr_nodes = 0;
}

struct ext4_node *ext4_root(struct ext4_fs *fs)
{
  ext4_env_lock(fs->lock);
  struct ext4_node *r = fs->root;
  if (r)
    r->refs++;
  ext4_env_unlock(fs->lock);
  return r;
}

int ext4_iget(struct ext4_fs *fs, uint32_t ino, struct ext4_node **out)
{
  ext4_env_lock(fs->lock);
  int r = ext4_node_get_locked(fs, ino, out);
  ext4_env_unlock(fs->lock);
  return r;
}

void ext4_node_get(struct ext4_fs *fs, struct ext4_node *n)
{
  ext4_env_lock(fs->lock);
  n->refs++;
  ext4_env_unlock(fs->lock);
}

void ext4_node_put(struct ext4_fs *fs, struct ext4_node *n)
{
  ext4_env_lock(fs->lock);
  ext4_node_put_locked(fs, n);
  bool last = fs->refs == 0;
  ext4_env_unlock(fs->lock);
  if (last)
    ext4_fs_free(fs);
}

int ext4_node_new(struct ext4_fs *fs, uint32_t ino, uint32_t mode, uint32_t uid, uint32_t gid,
                  struct ext4_node **out)
{
  struct ext4_node *n = node_alloc(fs, ino);
  if (!n)
    return -ENOMEM;
  n->mode = mode;
  n->uid = uid;
  n->gid = gid;
  ext4_now(&n->ctime);
  n->atime = n->mtime = n->crtime = n->ctime;
  if (!generation_counter)
    generation_counter = (uint32_t)n->ctime.sec * 2654435761u;
  n->generation = generation_counter++;
  n->extra_isize = fs->want_extra_isize;
  if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE)
    ((struct ext4_inode *)n->raw)->i_extra_isize = n->extra_isize;
  n->csum_seed = ext4_node_csum_seed(fs, ino, n->generation);
  node_insert(fs, n);
  *out = n;
  return 0;
}

void ext4_add_blocks(struct ext4_fs *fs, struct ext4_node *n, int64_t nblk)
{
  n->blocks += (uint64_t)(nblk * (int64_t)fs->sectors_per_block);
}

/* ---- attributes ---- */

void ext4_getattr(struct ext4_fs *fs, struct ext4_node *n, struct ext4_attr *a)
{
  ext4_env_lock(fs->lock);
  a->ino = n->ino;
  a->mode = n->mode;
  a->uid = n->uid;
  a->gid = n->gid;
  a->nlink = n->links;
  a->size = n->size;
  a->blocks = n->blocks + ext4_promised(n) * fs->sectors_per_block;
  a->flags = n->flags;
  a->atime = n->atime;
  a->mtime = n->mtime;
  a->ctime = n->ctime;
  a->crtime = n->crtime;
  a->rdev = 0;
  uint32_t t = n->mode & 0170000;
  if (t == 0020000 || t == 0060000) {
    const uint32_t *ib = ext4_iblock(n);
    a->rdev = ib[0] ? ib[0] : ib[1];
  }
  ext4_env_unlock(fs->lock);
}

int ext4_setattr(struct ext4_fs *fs, struct ext4_node *n, const struct ext4_attr *a, unsigned mask)
{
  ext4_env_lock(fs->lock);
  int err = fs->read_only ? -EROFS : n->freed ? -ESTALE : 0;
  if (!err && (mask & EXT4_SET_SIZE)) {
    if (!ext4_is_reg(n))
      err = -EINVAL;
    else
      err = ext4_truncate_locked(fs, n, a->size);
  }
  if (!err)
    err = ext4_tx_begin(fs, 4);
  if (!err) {
    if (mask & EXT4_SET_MODE)
      n->mode = (n->mode & 0170000) | (a->mode & 07777);
    if (mask & EXT4_SET_UID)
      n->uid = a->uid;
    if (mask & EXT4_SET_GID)
      n->gid = a->gid;
    if (mask & EXT4_SET_ATIME)
      n->atime = a->atime;
    if (mask & EXT4_SET_MTIME)
      n->mtime = a->mtime;
    if (mask & EXT4_SET_CTIME)
      n->ctime = a->ctime;
    err = ext4_tx_end(fs, ext4_inode_write(fs, n));
  }
  ext4_env_unlock(fs->lock);
  return err;
}

/* ---- the orphan list: s_last_orphan -> i_dtime -> i_dtime ... ---- */

int ext4_orphan_add(struct ext4_fs *fs, struct ext4_node *n)
{
  if (n->orphan)
    return 0;
  n->dtime = fs->sb.s_last_orphan;
  fs->sb.s_last_orphan = n->ino;
  n->orphan = true;
  int err = ext4_inode_write(fs, n);
  return err ? err : ext4_super_write(fs);
}

int ext4_orphan_del(struct ext4_fs *fs, struct ext4_node *n)
{
  if (!n->orphan)
    return 0;
  n->orphan = false;
  uint32_t next = n->dtime;
  n->dtime = 0;
  int err = 0;
  if (fs->sb.s_last_orphan == n->ino) {
    fs->sb.s_last_orphan = next;
    err = ext4_super_write(fs);
  } else {
    /* Find the orphan pointing at n (the list is short: open unlinked
     * files and truncations in progress). */
    uint32_t cur = fs->sb.s_last_orphan;
    for (uint32_t steps = 0; cur && steps < fs->inodes_count; steps++) {
      struct ext4_node *p;
      err = ext4_node_get_locked(fs, cur, &p);
      if (err)
        break;
      cur = p->dtime;
      if (cur == n->ino) {
        p->dtime = next;
        err = ext4_inode_write(fs, p);
        ext4_node_put_locked(fs, p);
        break;
      }
      ext4_node_put_locked(fs, p);
    }
  }
  int err2 = ext4_inode_write(fs, n);
  return err ? err : err2;
}

/* Finish what an orphan was doing: free it, or trim it to its size.
 * on_list: it is the head of the orphan list (which finishing pops). */
static int orphan_finish(struct ext4_fs *fs, uint32_t ino, bool on_list)
{
  struct ext4_node *n;
  int err = ext4_node_get_locked(fs, ino, &n);
  if (err)
    return err;
  n->orphan = on_list;
  if (n->links == 0) {
    n->refs--;  /* no reference holds it: evict now */
    err = ext4_tx_begin(fs, 64);
    if (!err)
      err = ext4_evict_locked(fs, n);
    err = ext4_tx_end(fs, err);
    node_drop(fs, n);
    return err;
  }
  err = ext4_truncate_locked(fs, n, n->size);  /* takes it off the list */
  ext4_node_put_locked(fs, n);
  return err;
}

/* Entries of the orphan file (orphan_file feature, Linux >= 5.15). */
static int orphan_file_recover(struct ext4_fs *fs)
{
  struct ext4_node *of;
  int err = ext4_node_get_locked(fs, fs->sb.s_orphan_file_inum, &of);
  if (err)
    return err;
  uint32_t per_block = (fs->block_size - sizeof(struct ext4_orphan_block_tail)) / 4;
  for (uint32_t lb = 0; !err && (uint64_t)lb * fs->block_size < of->size; lb++) {
    uint64_t pblk;
    uint32_t len;
    unsigned fl;
    err = ext4_map(fs, of, lb, &pblk, &len, &fl);
    if (err || !pblk)
      continue;
    struct ext4_buf *b = ext4_bread(fs, pblk, &err);
    if (!b)
      break;
    uint32_t *ent = ext4_bdata(b);
    uint32_t inos[1024];
    uint32_t k = 0;
    for (uint32_t i = 0; i < per_block && k < 1024; i++)
      if (ent[i])
        inos[k++] = ent[i];
    if (k) {
      err = ext4_tx_begin(fs, 4);
      if (!err) {
        memset(ent, 0, per_block * 4);
        uint64_t le = pblk;
        uint32_t c = ext4_crc32c(of->csum_seed, &le, 8);
        ((struct ext4_orphan_block_tail *)((uint8_t *)ent + fs->block_size - 8))->ob_checksum =
            ext4_crc32c(c, ent, per_block * 4);
        err = ext4_tx_end(fs, ext4_bdirty(fs, b, pblk));
      }
    }
    ext4_brelse(b);
    for (uint32_t i = 0; i < k && !err; i++)
      err = orphan_finish(fs, inos[i], false);
  }
  ext4_node_put_locked(fs, of);
  return err;
}

/* At a read-write mount: finish every orphan a crash left behind. */
int ext4_orphans_recover(struct ext4_fs *fs)
{
  int err = 0;
  uint32_t steps = 0;
  while (!err && fs->sb.s_last_orphan) {
    uint32_t ino = fs->sb.s_last_orphan;
    if (steps++ >= fs->inodes_count)
      err = ext4_corrupt(fs, "orphan list loops", ino);
    else
      err = orphan_finish(fs, ino, true);
    if (!err && fs->sb.s_last_orphan == ino)
      err = ext4_corrupt(fs, "orphan list head did not move", ino);
  }
  if (!err && (fs->compat & EXT4_COMPAT_ORPHAN_FILE) && fs->sb.s_orphan_file_inum &&
      (fs->ro_compat & EXT4_RO_COMPAT_ORPHAN_PRESENT)) {
    err = orphan_file_recover(fs);
    if (!err) {
      fs->sb.s_feature_ro_compat &= ~(uint32_t)EXT4_RO_COMPAT_ORPHAN_PRESENT;
      fs->ro_compat = fs->sb.s_feature_ro_compat;
      err = ext4_tx_begin(fs, 4);
      if (!err)
        err = ext4_tx_end(fs, ext4_super_write(fs));
    }
  }
  if (err)
    ext4_env_log("ext4: finishing orphans failed: %d", err);
  return err;
}
