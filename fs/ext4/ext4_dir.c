/*
 * ext4_dir.c — directory blocks: entries and their checksum tail, linear
 * search, adding and removing entries, growing a directory, readdir and
 * lookup. Indexed (htree) directories are searched and extended by
 * ext4_htree.c; their leaf blocks are ordinary blocks of entries.
 *
 * Layer: ext4 core (see ext4.h). Below: ext4_file.c (block mapping),
 * ext4_alloc.c. Above: ext4_namei.c. fs->lock held by every function
 * here but the public ones, which take it.
 *
 * A leaf block is a chain of entries (inode, rec_len, name_len, type,
 * name) covering it exactly; with metadata_csum its last 12 bytes are a
 * fake entry holding the crc32c of the rest. A removed entry is merged
 * into the one before it (or, first in its block, gets inode 0). An
 * inline-data directory (read-only) keeps its entries in the inode.
 */
#include "fs/ext4/ext4_int.h"

#define DE(block, off) ((struct ext4_dir_entry *)((uint8_t *)(block) + (off)))

uint8_t ext4_mode_to_ft(uint32_t mode)
{
  switch (mode & 0170000) {
  case 0100000: return EXT4_FT_REG;
  case 0040000: return EXT4_FT_DIR;
  case 0020000: return EXT4_FT_CHR;
  case 0060000: return EXT4_FT_BLK;
  case 0010000: return EXT4_FT_FIFO;
  case 0140000: return EXT4_FT_SOCK;
  case 0120000: return EXT4_FT_SYMLINK;
  }
  return EXT4_FT_UNKNOWN;
}

bool ext4_dir_has_tail(struct ext4_fs *fs, const void *block)
{
  const struct ext4_dir_tail *t =
      (const struct ext4_dir_tail *)((const uint8_t *)block + fs->block_size - sizeof(*t));
  return t->det_reserved_zero1 == 0 && t->det_rec_len == sizeof(*t) && t->det_reserved_zero2 == 0 &&
         t->det_reserved_ft == EXT4_FT_DIR_CSUM;
}

uint32_t ext4_dir_usable(struct ext4_fs *fs)
{
  return fs->block_size - (fs->csum ? (uint32_t)sizeof(struct ext4_dir_tail) : 0);
}

static uint32_t leaf_csum(struct ext4_fs *fs, struct ext4_node *dir, const void *block)
{
  return ext4_crc32c(dir->csum_seed, block, fs->block_size - sizeof(struct ext4_dir_tail));
}

void ext4_dir_set_csum(struct ext4_fs *fs, struct ext4_node *dir, void *block)
{
  if (!fs->csum)
    return;
  struct ext4_dir_tail *t = (struct ext4_dir_tail *)((uint8_t *)block + fs->block_size - sizeof(*t));
  memset(t, 0, sizeof(*t));
  t->det_rec_len = sizeof(*t);
  t->det_reserved_ft = EXT4_FT_DIR_CSUM;
  t->det_checksum = leaf_csum(fs, dir, block);
}

int ext4_dir_dirty(struct ext4_fs *fs, struct ext4_node *dir, struct ext4_buf *b, uint64_t pblk)
{
  if (!fs->csum)
    return ext4_bdirty(fs, b, pblk);
  struct ext4_dir_tail *t =
      (struct ext4_dir_tail *)((uint8_t *)ext4_bdata(b) + fs->block_size - sizeof(*t));
  if (t->det_rec_len != sizeof(*t) || t->det_reserved_ft != EXT4_FT_DIR_CSUM) {
    ext4_dir_set_csum(fs, dir, ext4_bdata(b));  /* a block without a tail: make one now */
    return ext4_bdirty(fs, b, pblk);
  }
  return ext4_csum_later(fs, b, pblk, dir->csum_seed, 0);
}

bool ext4_dirent_ok(struct ext4_fs *fs, const void *block, uint32_t off, uint32_t end)
{
  if (off + EXT4_DIRENT_HEADER > end)
    return false;
  const struct ext4_dir_entry *d = DE(block, off);
  return d->rec_len >= 12 && !(d->rec_len & 3) && off + d->rec_len <= end &&
         (uint32_t)d->name_len + EXT4_DIRENT_HEADER <= d->rec_len;
  (void)fs;
}

struct ext4_buf *ext4_dir_bread(struct ext4_fs *fs, struct ext4_node *dir, uint32_t lblk,
                                uint64_t *pblk, int *err)
{
  uint32_t len;
  unsigned fl;
  *err = ext4_map(fs, dir, lblk, pblk, &len, &fl);
  if (*err)
    return NULL;
  if (!*pblk || (fl & EXT4_MAP_UNWRITTEN)) {
    *err = ext4_corrupt(fs, "hole in a directory", dir->ino);
    return NULL;
  }
  struct ext4_buf *b = ext4_bread(fs, *pblk, err);
  if (!b)
    return NULL;
  void *block = ext4_bdata(b);
  if (fs->csum && !ext4_verified(fs, *pblk) && ext4_dir_has_tail(fs, block)) {
    const struct ext4_dir_tail *t =
        (const struct ext4_dir_tail *)((uint8_t *)block + fs->block_size - sizeof(*t));
    if (t->det_checksum != leaf_csum(fs, dir, block)) {
      ext4_env_log("ext4: directory %u block %u: checksum mismatch", dir->ino, lblk);
      ext4_brelse(b);
      *err = -EFSBADCRC;
      return NULL;
    }
    ext4_set_verified(fs, *pblk);
  }
  return b;
}

/* Where a leaf block's entries end: before the tail, if it has one. */
static uint32_t entries_end(struct ext4_fs *fs, const void *block)
{
  return fs->csum && ext4_dir_has_tail(fs, block) ? fs->block_size - 12 : fs->block_size;
}

int ext4_dir_search_block(struct ext4_fs *fs, const void *block, const char *name, size_t len,
                          struct ext4_dir_hit *hit)
{
  uint32_t end = entries_end(fs, block), prev = 0;
  for (uint32_t off = 0; off < end;) {
    if (!ext4_dirent_ok(fs, block, off, end))
      return ext4_corrupt(fs, "bad directory entry", off);
    const struct ext4_dir_entry *d = DE(block, off);
    if (d->inode && d->name_len == len && !memcmp(d->name, name, len)) {
      hit->off = off;
      hit->prev_off = prev;
      hit->ino = d->inode;
      hit->type = d->file_type;
      return 1;
    }
    prev = off;
    off += d->rec_len;
  }
  return 0;
}

static bool is_dx(struct ext4_fs *fs, struct ext4_node *dir)
{
  return (dir->flags & EXT4_INDEX_FL) && (fs->compat & EXT4_COMPAT_DIR_INDEX);
}

static uint32_t dir_blocks(struct ext4_fs *fs, struct ext4_node *dir)
{
  return (uint32_t)MIN(dir->size >> fs->log_block, 0xffffffffULL);
}

/* ---- inline-data directories (read only) ---- */

/* The inline bytes of a directory: 4 bytes of parent, entries to 60, more in the EA. */
static int inline_find(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                       uint32_t *ino, uint64_t *pos, struct ext4_dirent *de)
{
  uint64_t size = ext4_inline_size(fs, dir);
  uint8_t *buf = ext4_env_zalloc(size + 4);
  if (!buf)
    return -ENOMEM;
  int err = ext4_inline_read(fs, dir, 0, buf, size);
  int found = 0;
  /* Two runs of entries: [4, 60) and [60, size). */
  for (int part = 0; !err && part < 2 && !found; part++) {
    uint32_t start = part ? EXT4_MIN_INLINE_DATA_SIZE : 4;
    uint32_t end = part ? (uint32_t)size : (uint32_t)MIN(size, (uint64_t)EXT4_MIN_INLINE_DATA_SIZE);
    for (uint32_t off = start; off < end && !found;) {
      if (!ext4_dirent_ok(fs, buf, off, end)) {
        err = ext4_corrupt(fs, "bad inline directory entry", dir->ino);
        break;
      }
      struct ext4_dir_entry *d = DE(buf, off);
      if (name && d->inode && d->name_len == len && !memcmp(d->name, name, len)) {
        *ino = d->inode;
        found = 1;
      } else if (!name && d->inode && off >= *pos && !(d->name_len == 1 && d->name[0] == '.') &&
                 !(d->name_len == 2 && d->name[0] == '.' && d->name[1] == '.')) {
        de->ino = d->inode;
        de->len = d->name_len;
        memcpy(de->name, d->name, d->name_len);
        de->name[d->name_len] = 0;
        de->type = d->file_type;
        *pos = off + d->rec_len;
        found = 1;
      }
      off += d->rec_len;
    }
  }
  ext4_env_free(buf);
  return err ? err : found;
}

int ext4_dir_find(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                  struct ext4_dir_hit *hit)
{
  if (dir->flags & EXT4_INLINE_DATA_FL) {
    uint32_t ino = 0;
    int r = inline_find(fs, dir, name, len, &ino, NULL, NULL);
    if (r <= 0)
      return r < 0 ? r : -ENOENT;
    memset(hit, 0, sizeof(*hit));
    hit->ino = ino;
    return 0;
  }
  if (is_dx(fs, dir)) {
    int r = ext4_htree_find(fs, dir, name, len, hit);
    if (r != -EFSCORRUPTED && r != -EFSBADCRC)
      return r;
    ext4_env_log("ext4: directory %u: damaged index, searching linearly", dir->ino);
  }
  uint32_t nb = dir_blocks(fs, dir);
  for (uint32_t lb = 0; lb < nb; lb++) {
    int err;
    uint64_t pblk;
    struct ext4_buf *b = ext4_dir_bread(fs, dir, lb, &pblk, &err);
    if (!b)
      return err;
    int r = ext4_dir_search_block(fs, ext4_bdata(b), name, len, hit);
    ext4_brelse(b);
    if (r < 0)
      return r;
    if (r) {
      hit->lblk = lb;
      hit->pblk = pblk;
      return 0;
    }
  }
  return -ENOENT;
}

/* A name Kite can look up: not empty, no '/' or NUL, at most 255 bytes. */
static int check_name(const char *name, size_t len)
{
  if (len == 0)
    return -ENOENT;
  if (len > EXT4_NAME_LEN)
    return -ENAMETOOLONG;
  return 0;
}

int ext4_lookup(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                struct ext4_node **out)
{
  int err = check_name(name, len);
  if (err)
    return err;
  ext4_env_lock(fs->lock);
  struct ext4_dir_hit hit;
  if (!ext4_is_dir(dir))
    err = -ENOTDIR;
  else if (dir->links == 0 && dir != fs->root)
    err = -ENOENT;  /* removed */
  else
    err = ext4_dir_find(fs, dir, name, len, &hit);
  if (!err)
    err = ext4_node_get_locked(fs, hit.ino, out);
  if (err == -ESTALE)
    err = ext4_corrupt(fs, "directory entry names a free inode", hit.ino);
  ext4_env_unlock(fs->lock);
  return err;
}

int ext4_readdir(struct ext4_fs *fs, struct ext4_node *dir, uint64_t *pos, struct ext4_dirent *de)
{
  ext4_env_lock(fs->lock);
  int r = 0;
  if (dir->flags & EXT4_INLINE_DATA_FL) {
    uint32_t ino;
    r = inline_find(fs, dir, NULL, 0, &ino, pos, de);
    ext4_env_unlock(fs->lock);
    return r;
  }
  while (!r) {
    uint32_t lb = (uint32_t)(*pos >> fs->log_block);
    if (lb >= dir_blocks(fs, dir))
      break;
    uint64_t pblk;
    struct ext4_buf *b = ext4_dir_bread(fs, dir, lb, &pblk, &r);
    if (!b)
      break;
    const void *block = ext4_bdata(b);
    uint32_t end = entries_end(fs, block), want = (uint32_t)(*pos & (fs->block_size - 1));
    for (uint32_t off = 0; off < end;) {
      if (!ext4_dirent_ok(fs, block, off, end)) {
        r = ext4_corrupt(fs, "bad directory entry", dir->ino);
        break;
      }
      const struct ext4_dir_entry *d = DE(block, off);
      off += d->rec_len;
      if (off - d->rec_len < want || !d->inode)
        continue;
      if ((d->name_len == 1 && d->name[0] == '.') ||
          (d->name_len == 2 && d->name[0] == '.' && d->name[1] == '.'))
        continue;
      de->ino = d->inode;
      de->len = d->name_len;
      memcpy(de->name, d->name, d->name_len);
      de->name[d->name_len] = 0;
      de->type = d->file_type;
      *pos = ((uint64_t)lb << fs->log_block) + off;
      r = 1;
      break;
    }
    ext4_brelse(b);
    if (!r)
      *pos = (uint64_t)(lb + 1) << fs->log_block;
  }
  ext4_env_unlock(fs->lock);
  return r;
}

/* ---- changing directories ---- */

int ext4_dir_insert_block(struct ext4_fs *fs, void *block, const char *name, size_t len,
                          uint32_t ino, uint8_t type)
{
  uint32_t need = EXT4_DIRENT_LEN(len), end = entries_end(fs, block);
  for (uint32_t off = 0; off < end;) {
    if (!ext4_dirent_ok(fs, block, off, end))
      return ext4_corrupt(fs, "bad directory entry", off);
    struct ext4_dir_entry *d = DE(block, off);
    uint32_t used = d->inode ? EXT4_DIRENT_LEN(d->name_len) : 0;
    if (d->rec_len - used >= need) {
      if (used) {
        struct ext4_dir_entry *nd = DE(block, off + used);
        nd->rec_len = (uint16_t)(d->rec_len - used);
        d->rec_len = (uint16_t)used;
        d = nd;
      }
      d->inode = ino;
      d->name_len = (uint8_t)len;
      d->file_type = (fs->incompat & EXT4_INCOMPAT_FILETYPE) ? type : 0;
      memcpy(d->name, name, len);
      return 1;
    }
    off += d->rec_len;
  }
  return 0;
}

/* An empty leaf: one unused entry covering it, and the tail. */
static void init_leaf(struct ext4_fs *fs, struct ext4_node *dir, void *block)
{
  memset(block, 0, fs->block_size);
  DE(block, 0)->rec_len = (uint16_t)ext4_dir_usable(fs);
  ext4_dir_set_csum(fs, dir, block);
}

int ext4_dir_grow(struct ext4_fs *fs, struct ext4_node *dir, uint32_t *lblk, uint64_t *pblk,
                  struct ext4_buf **bp)
{
  uint64_t nb = dir->size >> fs->log_block;
  if (nb >= (fs->incompat & EXT4_INCOMPAT_LARGEDIR ? 0xffffffffULL : (1ULL << 31) >> fs->log_block))
    return -ENOSPC;
  uint32_t got;
  int err = ext4_map_alloc(fs, dir, (uint32_t)nb, 1, false, pblk, &got);
  if (err)
    return err;
  struct ext4_buf *b = ext4_bzero(fs, *pblk, &err);
  if (!b)
    return err;
  init_leaf(fs, dir, ext4_bdata(b));
  dir->size += fs->block_size;
  err = ext4_inode_write(fs, dir);
  if (err) {
    ext4_brelse(b);
    return err;
  }
  *lblk = (uint32_t)nb;
  *bp = b;
  return 0;
}

int ext4_dir_add(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                 uint32_t ino, uint8_t type)
{
  if (dir->flags & EXT4_INLINE_DATA_FL)
    return -EROFS;
  if (is_dx(fs, dir)) {
    int r = ext4_htree_add(fs, dir, name, len, ino, type);
    if (r != -EFSCORRUPTED && r != -EFSBADCRC)
      return r;
    /* A damaged index: drop it (as Linux's e2fsck would rebuild it) and go linear. */
    ext4_env_log("ext4: directory %u: damaged index dropped", dir->ino);
    dir->flags &= ~(uint32_t)EXT4_INDEX_FL;
  }
  uint32_t nb = dir_blocks(fs, dir);
  int err = 0;
  for (uint32_t lb = 0; lb < nb; lb++) {
    uint64_t pblk;
    struct ext4_buf *b = ext4_dir_bread(fs, dir, lb, &pblk, &err);
    if (!b)
      return err;
    int r = ext4_dir_insert_block(fs, ext4_bdata(b), name, len, ino, type);
    if (r == 1)
      err = ext4_dir_dirty(fs, dir, b, pblk);
    ext4_brelse(b);
    if (r)
      return r < 0 ? r : err;
  }
  if (nb == 1 && (fs->compat & EXT4_COMPAT_DIR_INDEX)) {
    err = ext4_htree_create(fs, dir);  /* the one block is full: index it */
    return err ? err : ext4_htree_add(fs, dir, name, len, ino, type);
  }
  uint32_t lb;
  uint64_t pblk;
  struct ext4_buf *b;
  err = ext4_dir_grow(fs, dir, &lb, &pblk, &b);
  if (err)
    return err;
  ext4_dir_insert_block(fs, ext4_bdata(b), name, len, ino, type);
  ext4_dir_set_csum(fs, dir, ext4_bdata(b));
  err = ext4_bdirty(fs, b, pblk);
  ext4_brelse(b);
  return err;
}

/* Re-read the block of a hit and check the entry is still the one found. */
static struct ext4_buf *hit_block(struct ext4_fs *fs, struct ext4_node *dir,
                                  const struct ext4_dir_hit *hit, int *err)
{
  uint64_t pblk;
  struct ext4_buf *b = ext4_dir_bread(fs, dir, hit->lblk, &pblk, err);
  if (b && (pblk != hit->pblk || DE(ext4_bdata(b), hit->off)->inode != hit->ino)) {
    ext4_brelse(b);
    *err = ext4_corrupt(fs, "directory entry moved", hit->off);
    return NULL;
  }
  return b;
}

int ext4_dir_remove(struct ext4_fs *fs, struct ext4_node *dir, const struct ext4_dir_hit *hit)
{
  int err;
  struct ext4_buf *b = hit_block(fs, dir, hit, &err);
  if (!b)
    return err;
  void *block = ext4_bdata(b);
  struct ext4_dir_entry *d = DE(block, hit->off);
  if (hit->prev_off != hit->off)
    DE(block, hit->prev_off)->rec_len += d->rec_len;
  else
    d->inode = 0;
  err = ext4_dir_dirty(fs, dir, b, hit->pblk);
  ext4_brelse(b);
  return err;
}

int ext4_dir_retarget(struct ext4_fs *fs, struct ext4_node *dir, const struct ext4_dir_hit *hit,
                      uint32_t ino, uint8_t type)
{
  int err;
  struct ext4_buf *b = hit_block(fs, dir, hit, &err);
  if (!b)
    return err;
  struct ext4_dir_entry *d = DE(ext4_bdata(b), hit->off);
  d->inode = ino;
  d->file_type = (fs->incompat & EXT4_INCOMPAT_FILETYPE) ? type : 0;
  err = ext4_dir_dirty(fs, dir, b, hit->pblk);
  ext4_brelse(b);
  return err;
}

int ext4_dir_init(struct ext4_fs *fs, struct ext4_node *dir, uint32_t parent)
{
  uint32_t lb;
  uint64_t pblk;
  struct ext4_buf *b;
  int err = ext4_dir_grow(fs, dir, &lb, &pblk, &b);
  if (err)
    return err;
  void *block = ext4_bdata(b);
  struct ext4_dir_entry *dot = DE(block, 0), *dotdot = DE(block, 12);
  dot->inode = dir->ino;
  dot->rec_len = 12;
  dot->name_len = 1;
  dot->file_type = EXT4_FT_DIR;
  dot->name[0] = '.';
  dotdot->inode = parent;
  dotdot->rec_len = (uint16_t)(ext4_dir_usable(fs) - 12);
  dotdot->name_len = 2;
  dotdot->file_type = EXT4_FT_DIR;
  dotdot->name[0] = dotdot->name[1] = '.';
  if (!(fs->incompat & EXT4_INCOMPAT_FILETYPE))
    dot->file_type = dotdot->file_type = 0;
  ext4_dir_set_csum(fs, dir, block);
  err = ext4_bdirty(fs, b, pblk);
  ext4_brelse(b);
  return err;
}

int ext4_dir_empty(struct ext4_fs *fs, struct ext4_node *dir)
{
  uint32_t nb = dir_blocks(fs, dir);
  for (uint32_t lb = 0; lb < nb; lb++) {
    int err;
    uint64_t pblk;
    struct ext4_buf *b = ext4_dir_bread(fs, dir, lb, &pblk, &err);
    if (!b)
      return err;
    const void *block = ext4_bdata(b);
    uint32_t end = entries_end(fs, block);
    /* An index node is one unused entry covering the block: empty of names. */
    for (uint32_t off = 0; off < end;) {
      if (!ext4_dirent_ok(fs, block, off, end)) {
        ext4_brelse(b);
        return ext4_corrupt(fs, "bad directory entry", dir->ino);
      }
      const struct ext4_dir_entry *d = DE(block, off);
      off += d->rec_len;
      bool dots = (d->name_len == 1 && d->name[0] == '.') ||
                  (d->name_len == 2 && d->name[0] == '.' && d->name[1] == '.');
      if (d->inode && !(lb == 0 && dots)) {
        ext4_brelse(b);
        return 0;
      }
    }
    ext4_brelse(b);
  }
  return 1;
}

int ext4_dir_set_parent(struct ext4_fs *fs, struct ext4_node *dir, uint32_t parent)
{
  int err;
  uint64_t pblk;
  struct ext4_buf *b = ext4_dir_bread(fs, dir, 0, &pblk, &err);
  if (!b)
    return err;
  void *block = ext4_bdata(b);
  struct ext4_dir_entry *dotdot = DE(block, 12);
  if (!ext4_dirent_ok(fs, block, 0, fs->block_size) || DE(block, 0)->rec_len != 12 ||
      dotdot->name_len != 2 || dotdot->name[0] != '.' || dotdot->name[1] != '.') {
    ext4_brelse(b);
    return ext4_corrupt(fs, "directory without \"..\"", dir->ino);
  }
  dotdot->inode = parent;
  if (ext4_dir_has_tail(fs, block))
    ext4_dir_set_csum(fs, dir, block);
  else if (is_dx(fs, dir))
    ext4_htree_set_root_csum(fs, dir, block);
  err = ext4_bdirty(fs, b, pblk);
  ext4_brelse(b);
  return err;
}
