/*
 * ext4_xattr.c — extended attributes: reading them (in the inode after
 * i_extra_isize, and in an attribute block that inodes may share), setting
 * and removing them, the inline-data bytes of small files and directories
 * (i_block plus the "system.data" attribute), and giving an attribute
 * block back when its inode goes.
 *
 * Layer: ext4 core (see ext4.h). fs->lock held by the *_locked helpers;
 * the public functions take it.
 *
 * In-inode attributes: a magic word, then entries (name length, index,
 * value offset from the first entry, value size, hash, name), ended by 4
 * zero bytes. An attribute block: a 32-byte header (magic, reference
 * count, checksum), entries from byte 32, values at offsets from the block
 * start, sorted by (index, name length, name), each entry hashed.
 *
 * Setting or removing one attribute reads them all into a list, changes
 * the list, and lays it out again: as many as fit in the inode, the rest
 * in a block (a new one if the old is shared). POSIX ACLs (system.) are
 * not kept: EOPNOTSUPP.
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

/* ---- writing ---- */

struct xattr_item {
  uint8_t index, name_len;
  char name[255];
  uint32_t size;
  uint8_t *value;
};

struct xattr_list {
  struct xattr_item *items;
  int n, cap;
};

static int list_add_item(struct xattr_list *l, uint8_t index, const char *name, size_t len,
                         const void *value, size_t size)
{
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 8;
    struct xattr_item *it = ext4_env_zalloc((size_t)cap * sizeof(*it));
    if (!it)
      return -ENOMEM;
    if (l->n)
      memcpy(it, l->items, (size_t)l->n * sizeof(*it));
    ext4_env_free(l->items);
    l->items = it;
    l->cap = cap;
  }
  struct xattr_item *x = &l->items[l->n];
  x->value = ext4_env_zalloc(size ? size : 1);
  if (!x->value)
    return -ENOMEM;
  x->index = index;
  x->name_len = (uint8_t)len;
  memcpy(x->name, name, len);
  x->size = (uint32_t)size;
  memcpy(x->value, value, size);
  l->n++;
  return 0;
}

static void list_free(struct xattr_list *l)
{
  for (int i = 0; i < l->n; i++)
    ext4_env_free(l->items[i].value);
  ext4_env_free(l->items);
}

static int collect_fn(const struct ext4_xattr_entry *e, const uint8_t *value, void *arg)
{
  if (e->e_value_inum)
    return -EOPNOTSUPP;  /* values in inodes of their own: not rewritten */
  int r = list_add_item(arg, e->e_name_index, e->e_name, e->e_name_len, value, e->e_value_size);
  return r;
}

static uint32_t entry_hash(const struct xattr_item *x, const uint8_t *padded_value)
{
  uint32_t h = 0;
  for (int i = 0; i < x->name_len; i++)
    h = (h << 5) ^ (h >> 27) ^ (uint32_t)(int8_t)x->name[i];
  const uint32_t *v = (const uint32_t *)padded_value;
  for (uint32_t i = 0; i < (x->size + 3) / 4; i++)
    h = (h << 16) ^ (h >> 16) ^ v[i];
  return h;
}

static int item_cmp(const struct xattr_item *a, const struct xattr_item *b)
{
  if (a->index != b->index)
    return a->index - b->index;
  if (a->name_len != b->name_len)
    return a->name_len - b->name_len;
  return memcmp(a->name, b->name, a->name_len);
}

/* Bytes items [from, to) take in an area: entries, terminator, values. */
static uint32_t area_need(const struct xattr_list *l, int from, int to)
{
  uint32_t n = 4;
  for (int i = from; i < to; i++)
    n += EXT4_XATTR_LEN(l->items[i].name_len) + ((l->items[i].size + 3) & ~3u);
  return n;
}

/* Lay items [from, to) out in an area: entries from `first` up, values from
 * `end` down, offsets from `base`. block: entries hashed (a block), else 0. */
static void area_write(const struct xattr_list *l, int from, int to, uint8_t *base, uint8_t *first,
                       uint8_t *end, bool block)
{
  memset(first, 0, (size_t)(end - first));
  uint8_t *e = first, *v = end;
  for (int i = from; i < to; i++) {
    const struct xattr_item *x = &l->items[i];
    uint32_t vs = (x->size + 3) & ~3u;
    v -= vs;
    memcpy(v, x->value, x->size);
    struct ext4_xattr_entry *ent = (struct ext4_xattr_entry *)e;
    ent->e_name_len = x->name_len;
    ent->e_name_index = x->index;
    ent->e_value_offs = (uint16_t)(x->size ? v - base : 0);
    ent->e_value_inum = 0;
    ent->e_value_size = x->size;
    ent->e_hash = block ? entry_hash(x, v) : 0;
    memcpy(ent->e_name, x->name, x->name_len);
    e += EXT4_XATTR_LEN(x->name_len);
  }
}

/* Write items [from, n) into n's attribute block (a new one if it is
 * shared or missing); none left: drop the block. */
static int block_store(struct ext4_fs *fs, struct ext4_node *n, const struct xattr_list *l, int from)
{
  int err = 0;
  if (from == l->n)
    return ext4_xattr_free(fs, n);
  uint64_t blk = n->file_acl;
  bool fresh = !blk;
  if (blk) {
    struct ext4_buf *b = ext4_bread(fs, blk, &err);
    if (!b)
      return err;
    bool shared = ((struct ext4_xattr_block_header *)ext4_bdata(b))->h_refcount > 1;
    ext4_brelse(b);
    if (shared) {
      err = ext4_xattr_free(fs, n);  /* our reference goes; a copy of our own follows */
      fresh = true;
    }
  }
  if (!err && fresh) {
    uint32_t got;
    err = ext4_alloc_blocks(fs, ext4_group_first(fs, (n->ino - 1) / fs->inodes_per_group), 1, true,
                            &blk, &got);
    if (!err) {
      ext4_add_blocks(fs, n, 1);
      n->file_acl = blk;
    }
  }
  if (err)
    return err;
  struct ext4_buf *b = ext4_bzero(fs, blk, &err);
  if (!b)
    return err;
  uint8_t *block = ext4_bdata(b);
  struct ext4_xattr_block_header *h = (struct ext4_xattr_block_header *)block;
  area_write(l, from, l->n, block, block + sizeof(*h), block + fs->block_size, true);
  h->h_magic = EXT4_XATTR_MAGIC;
  h->h_refcount = 1;
  h->h_blocks = 1;
  uint32_t hash = 0;
  for (const uint8_t *p = block + sizeof(*h); *(const uint32_t *)p;
       p += EXT4_XATTR_LEN(((const struct ext4_xattr_entry *)p)->e_name_len)) {
    uint32_t eh = ((const struct ext4_xattr_entry *)p)->e_hash;
    if (!eh) {
      hash = 0;
      break;
    }
    hash = (hash << 16) ^ (hash >> 16) ^ eh;
  }
  h->h_hash = hash;
  if (fs->csum)
    h->h_checksum = xattr_block_csum(fs, blk, block);
  ext4_set_verified(fs, blk);
  err = ext4_bdirty(fs, b, blk);
  ext4_brelse(b);
  return err;
}

/* Store the whole list: what fits in the inode there, the rest in a block. */
static int store(struct ext4_fs *fs, struct ext4_node *n, struct xattr_list *l)
{
  uint8_t *ib = n->raw + EXT4_GOOD_OLD_INODE_SIZE + n->extra_isize;
  uint32_t room = fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE
                      ? fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE - n->extra_isize : 0;
  /* in the block: sorted; in the inode: the first ones that fit */
  for (int i = 1; i < l->n; i++)
    for (int k = i; k > 0 && item_cmp(&l->items[k - 1], &l->items[k]) > 0; k--) {
      struct xattr_item t = l->items[k];
      l->items[k] = l->items[k - 1];
      l->items[k - 1] = t;
    }
  int in = 0;
  while (in < l->n && room >= 4 && area_need(l, 0, in + 1) <= room - 4)
    in++;
  if (area_need(l, in, l->n) > fs->block_size - sizeof(struct ext4_xattr_block_header))
    return -ENOSPC;
  if (room >= 4) {
    memset(ib, 0, room);
    if (in) {
      *(uint32_t *)ib = EXT4_XATTR_MAGIC;
      area_write(l, 0, in, ib + 4, ib + 4, ib + room, false);
    }
  }
  int err = block_store(fs, n, l, in);
  return err ? err : ext4_inode_write(fs, n);
}

int ext4_setxattr(struct ext4_fs *fs, struct ext4_node *n, const char *name, const void *value,
                  size_t size, int flags)
{
  uint8_t index;
  const char *suffix;
  if (split_name(name, &index, &suffix) || index == 2 || index == 3 || index == EXT4_XATTR_INDEX_SYSTEM)
    return -EOPNOTSUPP;  /* POSIX ACLs and system.data are not kept by Kite */
  size_t len = strlen(suffix);
  if (len > 255)
    return -ERANGE;
  if (size > fs->block_size)
    return -ENOSPC;
  ext4_env_lock(fs->lock);
  struct xattr_list l = { 0 };
  struct xattr_area a;
  int err = fs->read_only ? -EROFS : n->freed ? -ESTALE : 0;
  if (!err && (n->flags & EXT4_INLINE_DATA_FL))
    err = -EOPNOTSUPP;
  if (!err && ibody_area(fs, n, &a))
    err = area_walk(fs, &a, collect_fn, &l);
  struct ext4_buf *b = NULL;
  if (!err) {
    b = block_area(fs, n, &a, &err);
    if (b)
      err = area_walk(fs, &a, collect_fn, &l);
    ext4_brelse(b);
  }
  int at = -1;
  for (int i = 0; !err && i < l.n; i++)
    if (l.items[i].index == index && l.items[i].name_len == len && !memcmp(l.items[i].name, suffix, len))
      at = i;
  if (!err && at >= 0 && (flags & 1 /* XATTR_CREATE */))
    err = -EEXIST;
  if (!err && at < 0 && (!value || (flags & 2 /* XATTR_REPLACE */)))
    err = -ENODATA;
  if (!err && at >= 0) {  /* out with the old */
    ext4_env_free(l.items[at].value);
    l.items[at] = l.items[--l.n];
  }
  if (!err && value)
    err = list_add_item(&l, index, suffix, len, value, size);
  if (!err)
    err = ext4_tx_begin(fs, 8);
  if (!err) {
    err = store(fs, n, &l);
    if (!err) {
      ext4_now(&n->ctime);
      err = ext4_inode_write(fs, n);
    }
    err = ext4_tx_end(fs, err);
  }
  list_free(&l);
  ext4_env_unlock(fs->lock);
  return err;
}
