/*
 * ext4_xattr.c — extended attributes, as far as Kite uses them: reading
 * them (in the inode after i_extra_isize, and in a shared attribute
 * block), the inline-data bytes of small files and directories (i_block
 * plus the "system.data" attribute), and giving an attribute block back
 * when its inode goes.
 *
 * Layer: ext4 core (see ext4.h). fs->lock held by the *_locked helpers;
 * the public functions take it.
 *
 * In-inode attributes: a magic word, then entries (name length, index,
 * value offset from the first entry, value size, hash, name), ended by 4
 * zero bytes. An attribute block: a 32-byte header (magic, reference
 * count, checksum), entries from byte 32, values at offsets from the block
 * start. Kite does not write attributes.
 */
#include "fs/ext4/ext4_int.h"

struct xattr_area {
  const uint8_t *base;           /* value offsets are relative to this */
  const uint8_t *first;          /* the first entry */
  const uint8_t *end;
};

static const struct {
  uint8_t index;
  const char *prefix;
} prefixes[] = {
  { 1, "user." }, { 2, "system.posix_acl_access" }, { 3, "system.posix_acl_default" },
  { 4, "trusted." }, { 6, "security." }, { 7, "system." },
};

/* Walk the entries of an area: calls fn for each; stops when fn returns nonzero. */
static int area_walk(struct ext4_fs *fs, const struct xattr_area *a,
                     int (*fn)(const struct ext4_xattr_entry *e, const uint8_t *value, void *arg),
                     void *arg)
{
  const uint8_t *p = a->first;
  while (p + sizeof(uint32_t) <= a->end && *(const uint32_t *)p != 0) {
    const struct ext4_xattr_entry *e = (const struct ext4_xattr_entry *)p;
    if (p + sizeof(*e) > a->end || p + EXT4_XATTR_LEN(e->e_name_len) > a->end)
      return ext4_corrupt(fs, "bad extended attribute entry", 0);
    const uint8_t *v = a->base + e->e_value_offs;
    if (!e->e_value_inum && (v < a->base || v + e->e_value_size > a->end))
      return ext4_corrupt(fs, "extended attribute value out of bounds", 0);
    int r = fn(e, v, arg);
    if (r)
      return r;
    p += EXT4_XATTR_LEN(e->e_name_len);
  }
  return 0;
}

static bool ibody_area(struct ext4_fs *fs, struct ext4_node *n, struct xattr_area *a)
{
  if (fs->inode_size <= EXT4_GOOD_OLD_INODE_SIZE)
    return false;
  const uint8_t *start = n->raw + EXT4_GOOD_OLD_INODE_SIZE + n->extra_isize;
  const uint8_t *end = n->raw + fs->inode_size;
  if (start + 4 > end || *(const uint32_t *)start != EXT4_XATTR_MAGIC)
    return false;
  a->base = a->first = start + 4;
  a->end = end;
  return true;
}

static uint32_t xattr_block_csum(struct ext4_fs *fs, uint64_t blk, const uint8_t *block)
{
  struct ext4_xattr_block_header h;
  memcpy(&h, block, sizeof(h));
  uint32_t c = ext4_crc32c(fs->csum_seed, &blk, 8);
  uint32_t saved = h.h_checksum;
  ((struct ext4_xattr_block_header *)block)->h_checksum = 0;
  c = ext4_crc32c(c, block, fs->block_size);
  ((struct ext4_xattr_block_header *)block)->h_checksum = saved;
  return c;
}

/* The attribute block of n, held and checked; NULL and *err = 0 if none. */
static struct ext4_buf *block_area(struct ext4_fs *fs, struct ext4_node *n, struct xattr_area *a,
                                   int *err)
{
  *err = 0;
  if (!n->file_acl)
    return NULL;
  struct ext4_buf *b = ext4_bread(fs, n->file_acl, err);
  if (!b)
    return NULL;
  uint8_t *block = ext4_bdata(b);
  const struct ext4_xattr_block_header *h = (const struct ext4_xattr_block_header *)block;
  if (h->h_magic != EXT4_XATTR_MAGIC || h->h_blocks != 1) {
    *err = ext4_corrupt(fs, "bad extended attribute block", n->file_acl);
  } else if (fs->csum && h->h_checksum != xattr_block_csum(fs, n->file_acl, block)) {
    ext4_env_log("ext4: inode %u: attribute block checksum mismatch", n->ino);
    *err = -EFSBADCRC;
  }
  if (*err) {
    ext4_brelse(b);
    return NULL;
  }
  a->base = block;
  a->first = block + sizeof(struct ext4_xattr_block_header);
  a->end = block + fs->block_size;
  return b;
}

struct find_arg {
  uint8_t index;
  const char *name;
  size_t len;
  const struct ext4_xattr_entry *e;
  const uint8_t *value;
};

static int find_fn(const struct ext4_xattr_entry *e, const uint8_t *value, void *arg)
{
  struct find_arg *f = arg;
  if (e->e_name_index == f->index && e->e_name_len == f->len && !memcmp(e->e_name, f->name, f->len)) {
    f->e = e;
    f->value = value;
    return 1;
  }
  return 0;
}

/* ---- inline data ---- */

uint64_t ext4_inline_size(struct ext4_fs *fs, struct ext4_node *n)
{
  struct xattr_area a;
  struct find_arg f = { EXT4_XATTR_INDEX_SYSTEM, "data", 4, NULL, NULL };
  if (ibody_area(fs, n, &a) && area_walk(fs, &a, find_fn, &f) == 1)
    return EXT4_MIN_INLINE_DATA_SIZE + f.e->e_value_size;
  return EXT4_MIN_INLINE_DATA_SIZE;
}

int ext4_inline_read(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len)
{
  uint8_t *out = buf;
  memset(out, 0, len);
  uint64_t avail = ext4_inline_size(fs, n);
  if (off < EXT4_MIN_INLINE_DATA_SIZE) {
    size_t k = (size_t)MIN((uint64_t)len, EXT4_MIN_INLINE_DATA_SIZE - off);
    memcpy(out, (uint8_t *)ext4_iblock(n) + off, k);
    out += k;
    len -= k;
    off += k;
  }
  if (len && off < avail) {
    struct xattr_area a;
    struct find_arg f = { EXT4_XATTR_INDEX_SYSTEM, "data", 4, NULL, NULL };
    if (ibody_area(fs, n, &a) && area_walk(fs, &a, find_fn, &f) == 1) {
      uint64_t in = off - EXT4_MIN_INLINE_DATA_SIZE;
      memcpy(out, f.value + in, (size_t)MIN((uint64_t)len, f.e->e_value_size - in));
    }
  }
  return 0;
}

/* ---- attributes ---- */

static int split_name(const char *name, uint8_t *index, const char **suffix)
{
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
    size_t pl = strlen(prefixes[i].prefix);
    if (!strncmp(name, prefixes[i].prefix, pl)) {
      *index = prefixes[i].index;
      *suffix = name + pl;
      return 0;
    }
  }
  return -EOPNOTSUPP;
}

long ext4_getxattr(struct ext4_fs *fs, struct ext4_node *n, const char *name, void *buf, size_t size)
{
  struct find_arg f = { 0 };
  const char *suffix;
  if (split_name(name, &f.index, &suffix))
    return -EOPNOTSUPP;
  f.name = suffix;
  f.len = strlen(suffix);
  ext4_env_lock(fs->lock);
  struct xattr_area a;
  long r = ibody_area(fs, n, &a) ? area_walk(fs, &a, find_fn, &f) : 0;
  int err = 0;
  struct ext4_buf *b = NULL;
  if (r == 0) {
    b = block_area(fs, n, &a, &err);
    r = b ? area_walk(fs, &a, find_fn, &f) : err;
  }
  if (r == 1) {
    if (f.e->e_value_inum)
      r = -EOPNOTSUPP;  /* values in inodes of their own (ea_inode) */
    else if (size && size < f.e->e_value_size)
      r = -ERANGE;
    else {
      if (size)
        memcpy(buf, f.value, f.e->e_value_size);
      r = f.e->e_value_size;
    }
  } else if (r == 0) {
    r = -ENODATA;
  }
  ext4_brelse(b);
  ext4_env_unlock(fs->lock);
  return r;
}

struct list_arg {
  char *buf;
  size_t size, used;
  bool overflow;
};

static int list_fn(const struct ext4_xattr_entry *e, const uint8_t *value, void *arg)
{
  (void)value;
  struct list_arg *l = arg;
  const char *prefix = NULL;
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
    if (prefixes[i].index == e->e_name_index)
      prefix = prefixes[i].prefix;
  if (!prefix || (e->e_name_index == EXT4_XATTR_INDEX_SYSTEM && e->e_name_len == 4 &&
                  !memcmp(e->e_name, "data", 4)))
    return 0;  /* unknown namespaces and inline data are not listed */
  size_t pl = strlen(prefix), k = pl + e->e_name_len + 1;
  if (l->size) {
    if (l->used + k > l->size) {
      l->overflow = true;
      return 1;
    }
    memcpy(l->buf + l->used, prefix, pl);
    memcpy(l->buf + l->used + pl, e->e_name, e->e_name_len);
    l->buf[l->used + k - 1] = 0;
  }
  l->used += k;
  return 0;
}

long ext4_listxattr(struct ext4_fs *fs, struct ext4_node *n, char *buf, size_t size)
{
  ext4_env_lock(fs->lock);
  struct list_arg l = { buf, size, 0, false };
  struct xattr_area a;
  int err = ibody_area(fs, n, &a) ? area_walk(fs, &a, list_fn, &l) : 0;
  struct ext4_buf *b = NULL;
  if (err >= 0 && !l.overflow) {
    b = block_area(fs, n, &a, &err);
    if (b)
      err = area_walk(fs, &a, list_fn, &l);
  }
  ext4_brelse(b);
  ext4_env_unlock(fs->lock);
  if (err < 0)
    return err;
  return l.overflow ? -ERANGE : (long)l.used;
}

/* The inode goes: drop its reference to the attribute block. */
int ext4_xattr_free(struct ext4_fs *fs, struct ext4_node *n)
{
  if (!n->file_acl)
    return 0;
  uint64_t blk = n->file_acl;
  int err;
  struct ext4_buf *b = ext4_bread(fs, blk, &err);
  if (!b)
    return err;
  struct ext4_xattr_block_header *h = ext4_bdata(b);
  bool last = h->h_magic != EXT4_XATTR_MAGIC || h->h_refcount <= 1;
  if (!last) {
    h->h_refcount--;
    if (fs->csum)
      h->h_checksum = xattr_block_csum(fs, blk, ext4_bdata(b));
    err = ext4_bdirty(fs, b, blk);
  }
  ext4_brelse(b);
  if (last) {
    ext4_tx_forget(fs, blk, 1);
    err = ext4_free_blocks(fs, blk, 1, true);
  }
  ext4_add_blocks(fs, n, -1);
  n->file_acl = 0;
  return err;
}
