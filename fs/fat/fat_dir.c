/*
 * fat_dir.c — the FAT32 core, directory layer: 32-byte directory entries,
 * VFAT long names (UTF-16, 13 units per slot, checksummed against the
 * short name), 8.3 short names with their case flags, ~N aliases, and the
 * operations on names: lookup, create, mkdir, unlink, rmdir, rename,
 * readdir. The volume layer (clusters, the node table) is fat32.c.
 *
 * A directory is an array of slots (a cluster chain of at most 2 MiB). A
 * name takes one short-entry slot, preceded by its long-name slots if it
 * has a long name. Slot 0x00 ends the directory, 0xe5 is free.
 *
 * Names follow Linux's vfat with its default options (shortname=mixed,
 * utf8): lookups ignore case (ASCII) and match the long or the 8.3 name;
 * a new name that is a valid upper-case 8.3 name gets only a short entry,
 * any other gets a long name plus a unique short alias; trailing dots are
 * dropped; `"*\/:<>?|` and control characters are refused.
 *
 * Every function here expects fs->lock held, except the public ones
 * declared in fat32.h, which take it.
 */
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"

/* ---- UTF-8 <-> UTF-16 ---- */

/* Decode a UTF-8 name into UTF-16 units (room for FAT_MAX_LFN + 2).
 * Returns the number of units, -EINVAL (not UTF-8), -ENAMETOOLONG. */
static int utf8_to_utf16(const char *s, size_t len, uint16_t *out)
{
  int n = 0;
  for (size_t i = 0; i < len;) {
    uint8_t c = (uint8_t)s[i];
    uint32_t cp;
    int extra;
    if (c < 0x80) {
      cp = c;
      extra = 0;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      extra = 1;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      extra = 2;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      extra = 3;
    } else {
      return -EINVAL;
    }
    if (extra && i + extra >= len)
      return -EINVAL;
    for (int k = 1; k <= extra; k++) {
      uint8_t cc = (uint8_t)s[i + k];
      if ((cc & 0xc0) != 0x80)
        return -EINVAL;
      cp = cp << 6 | (cc & 0x3f);
    }
    static const uint32_t min_cp[4] = { 0, 0x80, 0x800, 0x10000 };
    if (cp < min_cp[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return -EINVAL;
    i += extra + 1;
    if (cp >= 0x10000) {
      if (n + 2 > FAT_MAX_LFN)
        return -ENAMETOOLONG;
      cp -= 0x10000;
      out[n++] = (uint16_t)(0xd800 | cp >> 10);
      out[n++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
    } else {
      if (n + 1 > FAT_MAX_LFN)
        return -ENAMETOOLONG;
      out[n++] = (uint16_t)cp;
    }
  }
  return n;
}

/* Encode UTF-16 units as UTF-8 into out (room for 3 bytes per unit + 1). */
static size_t utf16_to_utf8(const uint16_t *u, int n, char *out)
{
  size_t o = 0;
  for (int i = 0; i < n; i++) {
    uint32_t cp = u[i];
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (u[i + 1] - 0xdc00);
      i++;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = '?';  /* a lone surrogate has no UTF-8 form */
    }
    if (cp < 0x80) {
      out[o++] = (char)cp;
    } else if (cp < 0x800) {
      out[o++] = (char)(0xc0 | cp >> 6);
      out[o++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out[o++] = (char)(0xe0 | cp >> 12);
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      out[o++] = (char)(0x80 | (cp & 0x3f));
    } else {
      out[o++] = (char)(0xf0 | cp >> 18);
      out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      out[o++] = (char)(0x80 | (cp & 0x3f));
    }
  }
  out[o] = 0;
  return o;
}

static uint16_t fold(uint16_t c)
{
  return c >= 'a' && c <= 'z' ? (uint16_t)(c - 'a' + 'A') : c;
}

static bool same_name(const uint16_t *a, int alen, const uint16_t *b, int blen)
{
  if (alen != blen)
    return false;
  for (int i = 0; i < alen; i++)
    if (fold(a[i]) != fold(b[i]))
      return false;
  return true;
}

/* ---- names ---- */

/* Linux's vfat ignores trailing dots: "foo." is "foo". */
static size_t strip_dots(const char *name, size_t len)
{
  while (len && name[len - 1] == '.')
    len--;
  return len;
}

int fat_check_name(const char *name, size_t len)
{
  len = strip_dots(name, len);
  if (len == 0)
    return -ENOENT;
  if (name[len - 1] == ' ')
    return -EINVAL;
  for (size_t i = 0; i < len; i++) {
    uint8_t c = (uint8_t)name[i];
    if (c < 0x20 || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' || c == '>' ||
        c == '?' || c == '\\' || c == '|')
      return -EINVAL;
  }
  uint16_t u[FAT_MAX_LFN + 2];
  int n = utf8_to_utf16(name, len, u);
  return n < 0 ? n : 0;
}

uint8_t fat_lfn_checksum(const uint8_t name[11])
{
  uint8_t sum = 0;
  for (int i = 0; i < 11; i++)
    sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
  return sum;
}

/* The short name as shown (case flags applied) in UTF-16. */
static int short_display(const uint8_t *e, uint16_t *out)
{
  int n = 0, blen = 8, elen = 3;
  while (blen > 0 && e[blen - 1] == ' ')
    blen--;
  while (elen > 0 && e[8 + elen - 1] == ' ')
    elen--;
  for (int i = 0; i < blen; i++) {
    uint8_t c = (i == 0 && e[0] == DE_E5) ? 0xe5 : e[i];
    if ((e[DE_LCASE] & LCASE_BASE) && c >= 'A' && c <= 'Z')
      c = (uint8_t)(c - 'A' + 'a');
    out[n++] = c;
  }
  if (elen) {
    out[n++] = '.';
    for (int i = 0; i < elen; i++) {
      uint8_t c = e[8 + i];
      if ((e[DE_LCASE] & LCASE_EXT) && c >= 'A' && c <= 'Z')
        c = (uint8_t)(c - 'A' + 'a');
      out[n++] = c;
    }
  }
  return n;
}

static bool is_dot_entry(const uint8_t *e)
{
  return !memcmp(e, ".          ", 11) || !memcmp(e, "..         ", 11);
}

/* ---- slots ----
 * A slotref holds the block of the directory last used (one at a time:
 * release it with slot_done() before touching any other directory block). */
struct slotref {
  struct fat_buf *b;
  uint64_t sector;
  uint32_t cidx, clus;   /* the cluster of the last slot: skips bmap */
  uint32_t first, count; /* slots [first, first + count) are in b */
};

static void slot_done(struct slotref *ref)
{
  if (ref->b) {
    fat_env_brelse(ref->b);
    ref->b = NULL;
  }
  ref->clus = 0;
  ref->count = 0;
}

/* Slot i of dir (32 bytes, valid until the next call). NULL past the end
 * of the cluster chain (*err = 0) or on an error. */
static uint8_t *slot_ptr(struct fat_fs *fs, struct fat_node *dir, struct slotref *ref, uint32_t i,
                         int *err)
{
  *err = 0;
  if (ref->b && i - ref->first < ref->count)  /* the same block: the common case */
    return (uint8_t *)fat_env_bdata(ref->b) + (i - ref->first) * DE_SIZE_BYTES;
  if (i >= FAT_MAX_DIR_SLOTS)
    return NULL;
  uint32_t shift = fs->cluster_shift - 5;
  uint32_t cidx = i >> shift, clus;
  if (ref->clus && ref->cidx == cidx) {
    clus = ref->clus;
  } else {
    if ((*err = fat_bmap_locked(fs, dir, cidx, &clus)) || !clus)
      return NULL;
    ref->cidx = cidx;
    ref->clus = clus;
  }
  uint64_t byte = (uint64_t)(i & ((1u << shift) - 1)) * DE_SIZE_BYTES;
  uint64_t sector = fat_cluster_sector(fs, clus) + byte / fs->sector_size;
  if (!ref->b || ref->sector != sector) {
    if (ref->b)
      fat_env_brelse(ref->b);
    ref->b = fat_env_bread(fs->dev, sector, fs->sector_size, err);
    if (!ref->b) {
      ref->clus = 0;
      return NULL;
    }
    ref->sector = sector;
  }
  uint32_t per_block = fs->sector_size / DE_SIZE_BYTES;
  ref->first = i - i % per_block;
  ref->count = per_block;
  return (uint8_t *)fat_env_bdata(ref->b) + byte % fs->sector_size;
}

/* ---- scanning: slots -> entries with their long names ---- */

/* One entry found by the scanner. */
struct dent {
  uint32_t slot;                /* of the short entry */
  uint32_t nslots;              /* with its long-name slots */
  const uint8_t *e;             /* the short entry (until the next step) */
  uint64_t sector;              /* where it is */
  uint32_t off;
  const uint16_t *lfn;          /* the long name, NULL if none */
  int lfn_len;
};

struct dscan {
  struct slotref ref;
  uint32_t slot;                /* next slot to look at */
  bool ended;
  uint32_t end_slot;            /* first slot of the free tail (0x00 or chain end) */
  /* the long name being put together */
  uint16_t lfn[LFN_MAX_SLOTS * LFN_CHARS + 1];
  int lfn_next;                 /* ordinal expected next, 0: none */
  int lfn_count, lfn_total;
  uint8_t lfn_csum;
  uint32_t lfn_start;
  bool lfn_done;
  /* freed (0xe5) slots seen: how many, and the first */
  uint32_t ndeleted, first_deleted;
};

static void scan_init(struct dscan *s, uint32_t start)
{
  memset(s, 0, sizeof(*s));
  s->slot = start;
}

static void lfn_reset(struct dscan *s)
{
  s->lfn_next = 0;
  s->lfn_done = false;
}

/* Take one long-name slot. */
static void lfn_add(struct dscan *s, const uint8_t *e, uint32_t i)
{
  int ord = e[LFN_ORD] & 0x1f;
  if (e[LFN_ORD] & LFN_LAST) {
    if (ord < 1 || ord > LFN_MAX_SLOTS) {
      lfn_reset(s);
      return;
    }
    s->lfn_next = ord;
    s->lfn_total = ord;
    s->lfn_count = 0;
    s->lfn_csum = e[LFN_CSUM];
    s->lfn_start = i;
    s->lfn_done = false;
  }
  if (!s->lfn_next || ord != s->lfn_next || e[LFN_CSUM] != s->lfn_csum || s->lfn_done) {
    lfn_reset(s);
    return;
  }
  uint16_t *dst = s->lfn + (ord - 1) * LFN_CHARS;
  for (int k = 0; k < 5; k++)
    dst[k] = get16(e + LFN_NAME1 + 2 * k);
  for (int k = 0; k < 6; k++)
    dst[5 + k] = get16(e + LFN_NAME2 + 2 * k);
  for (int k = 0; k < 2; k++)
    dst[11 + k] = get16(e + LFN_NAME3 + 2 * k);
  s->lfn_count++;
  s->lfn_next = ord - 1;
  if (ord == 1)
    s->lfn_done = true;
}

/* Length of the assembled long name, or 0 if it is not usable. */
static int lfn_length(struct dscan *s)
{
  int max = s->lfn_total * LFN_CHARS, n = 0;
  while (n < max && s->lfn[n] != 0)
    n++;
  return n > FAT_MAX_LFN ? 0 : n;
}

/*
 * The next entry in use (not free, not a long-name slot, not the volume
 * label, not . or ..). Returns 1, 0 at the end (s->end_slot then says
 * where the free tail starts), or -errno.
 */
static int scan_next(struct fat_fs *fs, struct fat_node *dir, struct dscan *s, struct dent *d)
{
  while (!s->ended) {
    int err;
    uint32_t i = s->slot;
    const uint8_t *e = slot_ptr(fs, dir, &s->ref, i, &err);
    if (!e) {
      if (err)
        return err;
      s->ended = true;
      s->end_slot = i;
      break;
    }
    s->slot++;
    if (e[0] == DE_END) {
      s->ended = true;
      s->end_slot = i;
      break;
    }
    if (e[0] == DE_DELETED) {
      lfn_reset(s);
      if (s->ndeleted++ == 0)
        s->first_deleted = i;
      continue;
    }
    if ((e[DE_ATTR] & 0x3f) == FAT_ATTR_LFN) {
      lfn_add(s, e, i);
      continue;
    }
    if ((e[DE_ATTR] & FAT_ATTR_VOLUME) || is_dot_entry(e)) {
      lfn_reset(s);
      continue;
    }
    d->slot = i;
    d->e = e;
    d->sector = s->ref.sector;
    d->off = (uint32_t)((const uint8_t *)e - (const uint8_t *)fat_env_bdata(s->ref.b));
    d->lfn = NULL;
    d->lfn_len = 0;
    d->nslots = 1;
    if (s->lfn_done && s->lfn_start + s->lfn_count == i &&
        fat_lfn_checksum(e) == s->lfn_csum && (d->lfn_len = lfn_length(s)) > 0) {
      d->lfn = s->lfn;
      d->nslots = s->lfn_count + 1;
    }
    lfn_reset(s);
    return 1;
  }
  slot_done(&s->ref);
  return 0;
}

static void scan_done(struct dscan *s)
{
  slot_done(&s->ref);
}

/* ---- nodes for entries ---- */

/* The node of entry d in dir: the one in use, or a new one. Referenced. */
static struct fat_node *node_for(struct fat_fs *fs, struct fat_node *dir, const struct dent *d)
{
  struct fat_node *n = fat_node_find_locked(fs, dir->first, d->slot);
  if (n) {
    n->refs++;
    return n;
  }
  n = fat_env_zalloc(sizeof(*n));
  if (!n)
    return NULL;
  const uint8_t *e = d->e;
  n->refs = 1;
  n->attr = e[DE_ATTR];
  n->is_dir = e[DE_ATTR] & FAT_ATTR_DIR;
  n->first = de_cluster(e);
  n->size = n->is_dir ? 0 : get32(e + DE_FILE_SIZE);
  n->valid = n->size;
  n->mtime = fat_time_to_unix(get16(e + DE_MDATE), get16(e + DE_MTIME));
  n->atime = fat_time_to_unix(get16(e + DE_ADATE), 0);
  n->crtime = fat_time_to_unix(get16(e + DE_CDATE), get16(e + DE_CTIME));
  n->dir_cluster = dir->first;
  n->slot = d->slot;
  n->nslots = d->nslots;
  n->entry_sector = d->sector;
  n->entry_off = d->off;
  n->linked = true;
  n->nclus = FAT_UNKNOWN;
  n->ino = fat_new_ino_locked(fs, dir->first, d->slot);
  fat_node_hash_locked(fs, n);
  fat_moved_locked(fs, n);
  fs->refs++;
  fs->nr_nodes++;
  return n;
}

/* Does entry d carry the name u (long or 8.3, ignoring case)? */
static bool dent_matches(const struct dent *d, const uint16_t *u, int ulen)
{
  if (d->lfn && same_name(d->lfn, d->lfn_len, u, ulen))
    return true;
  if (ulen > 12)
    return false;  /* longer than any 8.3 name */
  uint16_t sn[13];
  int sl = short_display(d->e, sn);
  return same_name(sn, sl, u, ulen);
}

/* Is slot the entry of one of the `ignore` nodes (a rename's own names)? */
static bool ignored(struct fat_node *const *ignore, uint32_t dir_cluster, uint32_t slot)
{
  for (int k = 0; k < 2; k++)
    if (ignore[k] && ignore[k]->linked && ignore[k]->dir_cluster == dir_cluster &&
        ignore[k]->slot == slot)
      return true;
  return false;
}

/* ---- the name index of a directory ----
 * Built by one scan on the first lookup or create in a directory and kept
 * up to date by every change, it makes "is this name here?" a hash probe
 * plus one read to confirm, instead of a scan: creating n files in a
 * directory is O(n), not O(n^2). Every entry is keyed twice, by its long
 * name and by its 8.3 name, both folded to upper case. It also knows where
 * the free tail starts and how many freed slots lie before it. */

#define K_EMPTY 0
#define K_USED 1
#define K_GONE 2

struct dkey {
  uint32_t hash;
  uint16_t slot;                /* of the short entry */
  uint8_t nslots;               /* with its long-name slots */
  uint8_t state;
};

struct fat_dindex {
  struct dkey *tab;             /* open addressing, linear probing */
  uint32_t cap, used, gone;
  uint32_t end_slot;            /* first slot of the free tail */
  uint32_t holes;               /* freed slots before end_slot */
  uint32_t hole_hint;           /* no freed slot before this one */
};

/* FNV-1a over the name folded to upper case; never 0. */
static uint32_t name_hash(const uint16_t *u, int n)
{
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) {
    uint16_t c = fold(u[i]);
    h = (h ^ (c & 0xff)) * 16777619u;
    h = (h ^ (c >> 8)) * 16777619u;
  }
  return h ? h : 1;
}

/* The key of an 8.3 name: its shown form, folded (case flags do not matter). */
static uint32_t short_hash(const uint8_t raw[11])
{
  uint8_t e[DE_SIZE_BYTES];
  uint16_t sn[13];
  memcpy(e, raw, 11);
  e[DE_LCASE] = 0;
  return name_hash(sn, short_display(e, sn));
}

/* The next key with hash h along the probe sequence (*at: start with 0). */
static struct dkey *idx_next(struct fat_dindex *ix, uint32_t h, uint32_t *at)
{
  while (*at < ix->cap) {
    struct dkey *k = &ix->tab[(h + *at) & (ix->cap - 1)];
    (*at)++;
    if (k->state == K_EMPTY)
      break;
    if (k->state == K_USED && k->hash == h)
      return k;
  }
  *at = ix->cap;
  return NULL;
}

static void idx_put(struct dkey *tab, uint32_t cap, uint32_t h, uint32_t slot, uint32_t nslots)
{
  for (uint32_t n = 0;; n++) {
    struct dkey *k = &tab[(h + n) & (cap - 1)];
    if (k->state != K_USED) {
      k->hash = h;
      k->slot = (uint16_t)slot;
      k->nslots = (uint8_t)nslots;
      k->state = K_USED;
      return;
    }
  }
}

static int idx_insert(struct fat_dindex *ix, uint32_t h, uint32_t slot, uint32_t nslots)
{
  if ((ix->used + ix->gone + 1) * 4 > ix->cap * 3) {  /* keep it at most 3/4 full */
    uint32_t cap = 64;
    while ((ix->used + 1) * 2 > cap)
      cap *= 2;
    struct dkey *tab = fat_env_zalloc(cap * sizeof(*tab));
    if (!tab)
      return -ENOMEM;
    for (uint32_t i = 0; i < ix->cap; i++)
      if (ix->tab[i].state == K_USED)
        idx_put(tab, cap, ix->tab[i].hash, ix->tab[i].slot, ix->tab[i].nslots);
    fat_env_free(ix->tab);
    ix->tab = tab;
    ix->cap = cap;
    ix->gone = 0;
  }
  uint32_t at = 0;
  for (;; at++) {  /* reuse a tombstone if the probe meets one first */
    struct dkey *k = &ix->tab[(h + at) & (ix->cap - 1)];
    if (k->state != K_USED) {
      if (k->state == K_GONE)
        ix->gone--;
      break;
    }
  }
  idx_put(ix->tab, ix->cap, h, slot, nslots);
  ix->used++;
  return 0;
}

static void idx_delete(struct fat_dindex *ix, uint32_t h, uint32_t slot)
{
  uint32_t at = 0;
  struct dkey *k;
  while ((k = idx_next(ix, h, &at))) {
    if (k->slot == slot) {
      k->state = K_GONE;
      ix->used--;
      ix->gone++;
      return;
    }
  }
}

/* Both keys of a name. lfn NULL: it has only an 8.3 name. */
static int index_add(struct fat_dindex *ix, const uint16_t *lfn, int lfn_len, const uint8_t raw[11],
                     uint32_t slot, uint32_t nslots)
{
  int r = 0;
  if (lfn)
    r = idx_insert(ix, name_hash(lfn, lfn_len), slot, nslots);
  if (!r)
    r = idx_insert(ix, short_hash(raw), slot, nslots);
  return r;
}

void fat_dir_forget_locked(struct fat_node *dir)
{
  if (dir->index) {
    fat_env_free(dir->index->tab);
    fat_env_free(dir->index);
    dir->index = NULL;
  }
}

static void dir_index_drop(struct fat_node *dir)
{
  fat_dir_forget_locked(dir);
}

/* Read the whole directory once into a new index. */
static int index_build(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex **out)
{
  struct fat_dindex *ix = fat_env_zalloc(sizeof(*ix));
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  int r = -ENOMEM;
  if (!ix || !s || !(ix->tab = fat_env_zalloc(64 * sizeof(struct dkey))))
    goto fail;
  ix->cap = 64;
  struct dent d;
  scan_init(s, 0);
  while ((r = scan_next(fs, dir, s, &d)) == 1)
    if ((r = index_add(ix, d.lfn, d.lfn_len, d.e, d.slot, d.nslots)))
      break;
  scan_done(s);
  if (r < 0)
    goto fail;
  ix->end_slot = s->end_slot;
  ix->holes = s->ndeleted;
  ix->hole_hint = s->ndeleted ? s->first_deleted : s->end_slot;
  fat_env_free(s);
  *out = ix;
  return 0;
fail:
  if (ix)
    fat_env_free(ix->tab);
  fat_env_free(ix);
  fat_env_free(s);
  return r;
}

/* The index of dir, built if needed. */
static int dir_index(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex **out)
{
  if (!dir->index) {
    int r = index_build(fs, dir, &dir->index);
    if (r)
      return r;
  }
  *out = dir->index;
  return 0;
}

/* Find name u through the index: a referenced node in *out, or NULL. */
static int index_lookup(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix,
                        const uint16_t *u, int ulen, struct fat_node *const *ignore,
                        struct fat_node **out)
{
  *out = NULL;
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  uint32_t h = name_hash(u, ulen), at = 0;
  struct dkey *k;
  struct dent d;
  int r = 0;
  while ((k = idx_next(ix, h, &at))) {
    if (ignore && ignored(ignore, dir->first, k->slot))
      continue;
    scan_init(s, k->slot + 1 - k->nslots);
    r = scan_next(fs, dir, s, &d);
    if (r < 0)
      break;
    r = 0;
    if (d.slot == k->slot && dent_matches(&d, u, ulen)) {
      *out = node_for(fs, dir, &d);
      if (!*out)
        r = -ENOMEM;
      break;
    }
    scan_done(s);
  }
  scan_done(s);
  fat_env_free(s);
  return r;
}

/* Take the name at slot out of the index (its keys come from the disk). */
static int index_remove(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix,
                        uint32_t slot, uint32_t nslots)
{
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  struct dent d;
  scan_init(s, slot + 1 - nslots);
  int r = scan_next(fs, dir, s, &d);
  if (r == 1 && d.slot == slot) {
    if (d.lfn)
      idx_delete(ix, name_hash(d.lfn, d.lfn_len), slot);
    idx_delete(ix, short_hash(d.e), slot);
    r = 0;
  } else if (r >= 0) {
    r = -EIO;  /* not what the index said: rebuild it */
  }
  scan_done(s);
  fat_env_free(s);
  return r;
}

/* Name -> UTF-16 for lookups (trailing dots dropped). */
static int name_units(const char *name, size_t len, uint16_t *u)
{
  len = strip_dots(name, len);
  if (len == 0)
    return -ENOENT;
  return utf8_to_utf16(name, len, u);
}

/* Look `name` up: a referenced node, NULL if absent, or an error. */
static int lookup_locked(struct fat_fs *fs, struct fat_node *dir, const uint16_t *u, int ulen,
                         struct fat_node **out)
{
  struct fat_dindex *ix;
  *out = NULL;
  int r = dir_index(fs, dir, &ix);
  return r ? r : index_lookup(fs, dir, ix, u, ulen, NULL, out);
}

/* Does the index agree with the disk? (For tests: 0 if so.) */
int fat_dir_check_index(struct fat_fs *fs, struct fat_node *dir)
{
  fat_env_lock(fs->lock);
  struct fat_dindex *fresh = NULL, *ix = dir->index;
  int r = ix ? index_build(fs, dir, &fresh) : 0;
  if (!r && ix) {
    if (fresh->used != ix->used || fresh->end_slot != ix->end_slot || fresh->holes != ix->holes ||
        ix->hole_hint > fresh->hole_hint)
      r = 1;
    for (uint32_t i = 0; !r && i < fresh->cap; i++) {
      struct dkey *k = &fresh->tab[i], *m;
      if (k->state != K_USED)
        continue;
      uint32_t at = 0;
      while ((m = idx_next(ix, k->hash, &at)) && (m->slot != k->slot || m->nslots != k->nslots))
        ;
      if (!m)
        r = 2;
    }
  }
  if (fresh) {
    fat_env_free(fresh->tab);
    fat_env_free(fresh);
  }
  fat_env_unlock(fs->lock);
  return r;
}

int fat_lookup(struct fat_fs *fs, struct fat_node *dir, const char *name, size_t len,
               struct fat_node **out)
{
  uint16_t u[FAT_MAX_LFN + 2];
  *out = NULL;
  int ulen = name_units(name, len, u);
  if (ulen < 0)
    return -ENOENT;  /* a name that cannot be stored does not exist */
  if (!dir->is_dir)
    return -ENOTDIR;
  fat_env_lock(fs->lock);
  int r = lookup_locked(fs, dir, u, ulen, out);
  fat_env_unlock(fs->lock);
  if (r == 0 && !*out)
    r = -ENOENT;
  return r;
}

/* ---- short names for new entries ---- */

/* Characters a short name may hold (besides A-Z, 0-9 and bytes >= 0x80). */
static bool short_char_ok(uint16_t c)
{
  if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '(': case ')':
  case '-': case '@': case '^': case '_': case '`': case '{': case '}': case '~':
    return true;
  }
  return false;
}

struct shortname {
  uint8_t name[11];  /* the basis: base padded to 8, extension to 3 */
  int baselen;       /* characters of the base before padding */
  bool lossy;        /* characters dropped or replaced, or too long: needs ~N */
  bool upper;        /* no lower-case letters: no long name needed */
};

/* One part (base or extension) of the basis name, as Linux's vfat does it. */
static void short_part(const uint16_t *u, int len, uint8_t *out, int max, int *outlen,
                       struct shortname *sn)
{
  int n = 0;
  for (int i = 0; i < len; i++) {
    uint16_t c = u[i];
    if (c == '.' || c == ' ') {  /* dropped (Windows does the same) */
      sn->lossy = true;
      continue;
    }
    if (c >= 'a' && c <= 'z') {
      sn->upper = false;
      c = (uint16_t)(c - 'a' + 'A');
    } else if (!short_char_ok(c)) {
      c = '_';
      sn->lossy = true;
    }
    if (n == max) {
      sn->lossy = true;
      break;
    }
    out[n++] = (uint8_t)c;
  }
  *outlen = n;
}

static void make_basis(const uint16_t *u, int ulen, struct shortname *sn)
{
  memset(sn->name, ' ', 11);
  sn->lossy = false;
  sn->upper = true;
  /* The extension follows the last dot, unless only dots and spaces
   * come before it (".profile" is all base, no extension). */
  int dot = -1;
  for (int i = ulen - 1; i >= 0; i--) {
    if (u[i] == '.') {
      dot = i;
      break;
    }
  }
  if (dot >= 0) {
    int k = 0;
    while (k < dot && (u[k] == '.' || u[k] == ' '))
      k++;
    if (k == dot)
      dot = -1;
  }
  int blen, elen = 0;
  short_part(u, dot >= 0 ? dot : ulen, sn->name, 8, &blen, sn);
  if (dot >= 0)
    short_part(u + dot + 1, ulen - dot - 1, sn->name + 8, 3, &elen, sn);
  if (blen == 0) {  /* nothing usable left of the base */
    sn->name[0] = '_';
    blen = 1;
    sn->lossy = true;
  }
  if (sn->name[0] == 0xe5)
    sn->name[0] = DE_E5;
  sn->baselen = blen;
}

static int digits(uint32_t n)
{
  int d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

/* The basis with the numeric tail ~N: base cut so that base~N fits in 8. */
static void tail_name(const struct shortname *sn, uint32_t num, uint8_t out[11])
{
  memcpy(out, sn->name, 11);
  int nd = digits(num);
  int keep = FAT_MIN(sn->baselen, 7 - nd);
  memset(out + keep, ' ', 8 - keep);
  out[keep] = '~';
  for (int k = nd; k > 0; k--, num /= 10)
    out[keep + k] = (uint8_t)('0' + num % 10);
}

/* ---- adding and removing names ---- */

/* Where a name was written. */
struct dpos {
  uint32_t slot, nslots;
  uint64_t sector;
  uint32_t off;
};

/* Fill one long-name slot: part `ord` (1-based) of u. */
static void fill_lfn(uint8_t *e, const uint16_t *u, int ulen, int ord, bool last, uint8_t csum)
{
  static const uint8_t at[LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
  memset(e, 0, DE_SIZE_BYTES);
  e[LFN_ORD] = (uint8_t)(ord | (last ? LFN_LAST : 0));
  e[LFN_ATTR] = FAT_ATTR_LFN;
  e[LFN_CSUM] = csum;
  for (int k = 0; k < LFN_CHARS; k++) {
    int i = (ord - 1) * LFN_CHARS + k;
    put16(e + at[k], i < ulen ? u[i] : i == ulen ? 0 : 0xffff);
  }
}

/* Is the short name `raw` taken in dir (by an entry not ignored)? */
static int short_taken(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix,
                       const uint8_t raw[11], struct fat_node *const *ignore)
{
  struct slotref ref = { 0 };
  uint32_t h = short_hash(raw), at = 0;
  struct dkey *k;
  int r = 0;
  while ((k = idx_next(ix, h, &at))) {
    if (ignored(ignore, dir->first, k->slot))
      continue;
    uint8_t *e = slot_ptr(fs, dir, &ref, k->slot, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    if (!memcmp(e, raw, 11)) {
      r = 1;
      break;
    }
  }
  slot_done(&ref);
  return r;
}

/*
 * The 8.3 alias for a name that needs one (Windows' way): BASIS~1 .. ~4,
 * then two characters, four hex digits of a hash of the long name, ~1..~9.
 * Each candidate is checked in the index: no scan of the directory.
 */
static int pick_alias(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix,
                      const struct shortname *sn, const uint16_t *u, int ulen,
                      struct fat_node *const *ignore, uint8_t out[11])
{
  int r;
  for (uint32_t num = 1; num <= 4; num++) {
    tail_name(sn, num, out);
    if ((r = short_taken(fs, dir, ix, out, ignore)) <= 0)
      return r;
  }
  uint32_t h = name_hash(u, ulen);
  int keep = FAT_MIN(sn->baselen, 2);
  for (uint32_t tries = 0; tries < 0x10000; tries++, h = h * 0x9e3779b1u + 1) {
    static const char hex[] = "0123456789ABCDEF";
    memcpy(out, sn->name, 11);
    memset(out + keep, ' ', 8 - keep);
    for (int d = 0; d < 4; d++)
      out[keep + d] = (uint8_t)hex[(h >> (12 - 4 * d)) & 15];
    for (uint32_t num = 1; num <= 9; num++) {
      out[keep + 4] = '~';
      out[keep + 5] = (uint8_t)('0' + num);
      if ((r = short_taken(fs, dir, ix, out, ignore)) <= 0)
        return r;
    }
  }
  return -ENOSPC;
}

/*
 * Where `want` consecutive free slots are: a run of freed slots below the
 * end if there are enough of them (searched from the hint), else the free
 * tail (which the caller grows if the chain is too short).
 */
static int find_room(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix, uint32_t want,
                     uint32_t *start)
{
  *start = ix->end_slot;
  if (ix->holes < want)
    return 0;
  struct slotref ref = { 0 };
  uint32_t run = 0, run_start = 0, first_hole = ix->end_slot;
  int r = 0;
  for (uint32_t i = ix->hole_hint; i < ix->end_slot; i++) {
    uint8_t *e = slot_ptr(fs, dir, &ref, i, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    if (e[0] != DE_DELETED) {
      run = 0;
      continue;
    }
    if (first_hole == ix->end_slot)
      first_hole = i;
    if (run++ == 0)
      run_start = i;
    if (run == want)
      break;
  }
  slot_done(&ref);
  if (r)
    return r;
  ix->hole_hint = first_hole;
  if (run)  /* a full run, or one that goes on into the free tail */
    *start = run_start;
  return 0;
}

/*
 * Write the name u into dir for an entry whose contents (attributes,
 * times, cluster, size: bytes 11..31 except the case byte) are tmpl.
 * The names of the `ignore` nodes do not count as taken (rename). Picks
 * the short name, finds or makes room, writes the slots, updates the index.
 */
static int add_entry(struct fat_fs *fs, struct fat_node *dir, const uint16_t *u, int ulen,
                     const uint8_t *tmpl, struct fat_node *const *ignore, struct dpos *pos)
{
  struct fat_dindex *ix;
  int r = dir_index(fs, dir, &ix);
  if (r)
    return r;
  struct shortname sn;
  make_basis(u, ulen, &sn);
  bool need_lfn = sn.lossy || !sn.upper;
  uint32_t want = need_lfn ? (uint32_t)FAT_DIV_UP(ulen, LFN_CHARS) + 1 : 1;
  /* Is the name taken (as a long or an 8.3 name)? Linux also refuses a
   * name whose 8.3 form belongs to another entry. */
  struct fat_node *found;
  if ((r = index_lookup(fs, dir, ix, u, ulen, ignore, &found)))
    return r;
  if (found) {
    fat_node_put_locked(fs, found);
    return -EEXIST;
  }
  uint8_t name[11];
  memcpy(name, sn.name, 11);
  if (!sn.lossy) {
    if ((r = short_taken(fs, dir, ix, name, ignore)))
      return r < 0 ? r : -EEXIST;
  } else if ((r = pick_alias(fs, dir, ix, &sn, u, ulen, ignore, name))) {
    return r;
  }
  uint32_t start;
  if ((r = find_room(fs, dir, ix, want, &start)) || (r = fat_chain_length_locked(fs, dir)))
    return r;
  uint64_t have = (uint64_t)dir->nclus << (fs->cluster_shift - 5);
  if (start + want > have) {
    uint64_t per_clus = 1u << (fs->cluster_shift - 5);
    uint64_t more = FAT_DIV_UP(start + want - have, per_clus);
    if (have + more * per_clus > FAT_MAX_DIR_SLOTS)
      return -ENOSPC;
    if ((r = fat_extend_locked(fs, dir, (uint32_t)more, true)))
      return r;
  }
  /* Write: long-name slots last part first, then the short entry. */
  uint8_t csum = fat_lfn_checksum(name);
  struct slotref ref = { 0 };
  for (uint32_t k = 0; k < want; k++) {
    uint8_t *e = slot_ptr(fs, dir, &ref, start + k, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    if (k + 1 < want) {
      fill_lfn(e, u, ulen, (int)(want - 1 - k), k == 0, csum);
    } else {
      memcpy(e, name, 11);
      memcpy(e + 11, tmpl + 11, DE_SIZE_BYTES - 11);
      e[DE_LCASE] = 0;
      pos->slot = start + k;
      pos->nslots = want;
      pos->sector = ref.sector;
      pos->off = (uint32_t)(e - (uint8_t *)fat_env_bdata(ref.b));
    }
    fat_env_bdirty(ref.b);
  }
  /* Written into the free tail: make sure the directory still ends after us. */
  if (!r && start + want > ix->end_slot) {
    int err;
    uint8_t *e = slot_ptr(fs, dir, &ref, start + want, &err);
    if (e && e[0] != DE_END) {
      memset(e, 0, DE_SIZE_BYTES);
      fat_env_bdirty(ref.b);
    }
  }
  slot_done(&ref);
  if (r) {
    dir_index_drop(dir);  /* partly written: rebuild from the disk next time */
    return r;
  }
  /* The index: the new keys, the free slots used up. */
  if (start + want > ix->end_slot) {
    if (start < ix->end_slot)
      ix->holes -= ix->end_slot - start;
    ix->end_slot = start + want;
  } else {
    ix->holes -= want;
  }
  if (ix->hole_hint == start)
    ix->hole_hint = start + want;
  if ((r = index_add(ix, need_lfn ? u : NULL, ulen, name, start + want - 1, want)))
    dir_index_drop(dir);
  return 0;
}

/* Mark the slots of a name free (and take it out of the index). */
static int remove_slots(struct fat_fs *fs, struct fat_node *dir, uint32_t slot, uint32_t nslots)
{
  struct fat_dindex *ix = dir->index;
  if (ix && index_remove(fs, dir, ix, slot, nslots))
    dir_index_drop(dir);
  struct slotref ref = { 0 };
  int r = 0;
  for (uint32_t i = slot + 1 - nslots; i <= slot; i++) {
    uint8_t *e = slot_ptr(fs, dir, &ref, i, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    e[0] = DE_DELETED;
    fat_env_bdirty(ref.b);
  }
  slot_done(&ref);
  if (r) {
    dir_index_drop(dir);
    return r;
  }
  if ((ix = dir->index)) {
    ix->holes += nslots;
    if (slot + 1 - nslots < ix->hole_hint)
      ix->hole_hint = slot + 1 - nslots;
  }
  return 0;
}

/* A directory's contents changed: its modification time is now. */
static void touch_dir(struct fat_fs *fs, struct fat_node *dir)
{
  int32_t ns;
  uint16_t d, t;
  fat_time_from_unix(fat_env_now(&ns), &d, &t);
  dir->mtime = fat_time_to_unix(d, t);
  fat_write_entry_locked(fs, dir);
}

/* The contents of a new entry (attributes, times; no cluster yet). */
static void new_template(uint8_t *tmpl, uint8_t attr, uint32_t first)
{
  int32_t ns;
  int64_t now = fat_env_now(&ns);
  uint16_t d, t;
  fat_time_from_unix(now, &d, &t);
  memset(tmpl, 0, DE_SIZE_BYTES);
  tmpl[DE_ATTR] = attr;
  tmpl[DE_CTIME_CS] = (uint8_t)((now & 1) * 100 + ns / 10000000);
  put16(tmpl + DE_CTIME, t);
  put16(tmpl + DE_CDATE, d);
  put16(tmpl + DE_ADATE, d);
  put16(tmpl + DE_MTIME, t);
  put16(tmpl + DE_MDATE, d);
  de_set_cluster(tmpl, first);
}

/* A new node for the entry just written at pos. */
static struct fat_node *node_at(struct fat_fs *fs, struct fat_node *dir, const struct dpos *pos,
                                const uint8_t *tmpl)
{
  struct dent d = { pos->slot, pos->nslots, tmpl, pos->sector, pos->off, NULL, 0 };
  return node_for(fs, dir, &d);
}

/* Write "." and ".." into the first cluster of a new directory. */
static int write_dots(struct fat_fs *fs, struct fat_node *n, struct fat_node *parent,
                      const uint8_t *tmpl)
{
  struct slotref ref = { 0 };
  int r = 0;
  for (uint32_t i = 0; i < 2 && !r; i++) {
    uint8_t *e = slot_ptr(fs, n, &ref, i, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    memcpy(e, i ? "..         " : ".          ", 11);
    memcpy(e + 11, tmpl + 11, DE_SIZE_BYTES - 11);
    de_set_cluster(e, i == 0 ? n->first : parent == fs->root ? 0 : parent->first);
    fat_env_bdirty(ref.b);
  }
  slot_done(&ref);
  return r;
}

int fat_create(struct fat_fs *fs, struct fat_node *dir, const char *name, size_t len, bool is_dir,
               struct fat_node **out)
{
  uint16_t u[FAT_MAX_LFN + 2];
  *out = NULL;
  int r = fat_check_name(name, len);
  if (r)
    return r;
  int ulen = name_units(name, len, u);
  if (ulen < 0)
    return ulen;
  fat_env_lock(fs->lock);
  struct fat_node *ignore[2] = { NULL, NULL };
  struct fat_node tmp;  /* the new directory, before it has a name */
  uint8_t tmpl[DE_SIZE_BYTES];
  struct dpos pos;
  memset(&tmp, 0, sizeof(tmp));  /* explicitly: an implicit memset does not link under LTO */
  if (fs->read_only) {
    r = -EROFS;
    goto out;
  }
  if (!dir->is_dir || (!dir->linked && dir != fs->root)) {
    r = dir->is_dir ? -ENOENT : -ENOTDIR;
    goto out;
  }
  if (is_dir) {
    tmp.is_dir = true;
    tmp.nclus = 0;
    if ((r = fat_extend_locked(fs, &tmp, 1, true)))
      goto out;
    new_template(tmpl, FAT_ATTR_DIR, tmp.first);
    if ((r = write_dots(fs, &tmp, dir, tmpl))) {
      fat_free_chain_locked(fs, tmp.first);
      goto out;
    }
  } else {
    new_template(tmpl, FAT_ATTR_ARCHIVE, 0);
  }
  r = add_entry(fs, dir, u, ulen, tmpl, ignore, &pos);
  if (r) {
    if (is_dir)
      fat_free_chain_locked(fs, tmp.first);
    goto out;
  }
  *out = node_at(fs, dir, &pos, tmpl);
  if (!*out) {
    r = -ENOMEM;
    goto out;
  }
  if (is_dir) {
    (*out)->nclus = 1;
    (*out)->last = tmp.first;
  } else {
    (*out)->nclus = 0;
  }
  touch_dir(fs, dir);
out:
  fat_env_unlock(fs->lock);
  return r;
}

/* Take n's name out of dir (n stays valid; its clusters go with it). */
static int unlink_locked(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n)
{
  if (!n->linked || n->dir_cluster != dir->first)
    return -ENOENT;
  int r = remove_slots(fs, dir, n->slot, n->nslots);
  if (r)
    return r;
  fat_node_unhash_locked(fs, n);
  n->linked = false;
  touch_dir(fs, dir);
  return 0;
}

int fat_unlink(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n)
{
  fat_env_lock(fs->lock);
  int r = fs->read_only ? -EROFS : n->is_dir ? -EISDIR : unlink_locked(fs, dir, n);
  fat_env_unlock(fs->lock);
  return r;
}

int fat_dir_nonempty_locked(struct fat_fs *fs, struct fat_node *dir)
{
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  struct dent d;
  scan_init(s, 0);
  int r = scan_next(fs, dir, s, &d);
  scan_done(s);
  fat_env_free(s);
  return r;
}

int fat_rmdir(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n)
{
  fat_env_lock(fs->lock);
  int r;
  if (fs->read_only)
    r = -EROFS;
  else if (!n->is_dir)
    r = -ENOTDIR;
  else if (n == fs->root)
    r = -EBUSY;
  else if ((r = fat_dir_nonempty_locked(fs, n)) == 0)
    r = unlink_locked(fs, dir, n);
  else if (r > 0)
    r = -ENOTEMPTY;
  fat_env_unlock(fs->lock);
  return r;
}

int fat_count_subdirs(struct fat_fs *fs, struct fat_node *dir)
{
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  fat_env_lock(fs->lock);
  struct dent d;
  int r, count = 0;
  scan_init(s, 0);
  while ((r = scan_next(fs, dir, s, &d)) == 1)
    if (d.e[DE_ATTR] & FAT_ATTR_DIR)
      count++;
  scan_done(s);
  fat_env_unlock(fs->lock);
  fat_env_free(s);
  return r < 0 ? r : count;
}

int fat_readdir(struct fat_fs *fs, struct fat_node *dir, uint64_t *pos, struct fat_dirent *de)
{
  if (*pos >= FAT_MAX_DIR_SLOTS)
    return 0;
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  fat_env_lock(fs->lock);
  struct dent d;
  scan_init(s, (uint32_t)*pos);
  int r = scan_next(fs, dir, s, &d);
  if (r == 1) {
    uint16_t sn[13];
    if (d.lfn) {
      de->len = utf16_to_utf8(d.lfn, d.lfn_len, de->name);
    } else {
      int sl = short_display(d.e, sn);
      de->len = utf16_to_utf8(sn, sl, de->name);
    }
    de->is_dir = d.e[DE_ATTR] & FAT_ATTR_DIR;
    struct fat_node *n = fat_node_find_locked(fs, dir->first, d.slot);
    de->ino = n ? n->ino : fat_pos_ino(dir->first, d.slot);
    *pos = d.slot + 1;
  }
  scan_done(s);
  fat_env_unlock(fs->lock);
  fat_env_free(s);
  return r;
}

/* ---- rename ---- */

/* The first cluster of the directory named by ".." in dir (0: the root). */
static int parent_of(struct fat_fs *fs, uint32_t dir_first, uint32_t *parent)
{
  uint64_t sector = fat_cluster_sector(fs, dir_first);
  int err = -EIO;
  struct fat_buf *b = fat_env_bread(fs->dev, sector, fs->sector_size, &err);
  if (!b)
    return err;
  const uint8_t *e = (const uint8_t *)fat_env_bdata(b) + DE_SIZE_BYTES;
  *parent = memcmp(e, "..         ", 11) ? FAT_UNKNOWN : de_cluster(e);
  fat_env_brelse(b);
  return 0;
}

/* Is directory `anc` (by first cluster) dir or one of its ancestors? */
static int is_ancestor(struct fat_fs *fs, uint32_t anc, struct fat_node *dir)
{
  uint32_t c = dir == fs->root ? 0 : dir->first;
  for (int depth = 0; depth < 4096; depth++) {
    if (c == anc)
      return 1;
    if (c == 0 || c == fs->root_cluster || !fat_cluster_ok(fs, c))
      return 0;
    int r = parent_of(fs, c, &c);
    if (r)
      return r;
  }
  return -ELOOP;
}

/* Point the ".." of directory n at its new parent. */
static int fix_dotdot(struct fat_fs *fs, struct fat_node *n, struct fat_node *parent)
{
  struct slotref ref = { 0 };
  int r = 0;
  uint8_t *e = slot_ptr(fs, n, &ref, 1, &r);
  if (e && !memcmp(e, "..         ", 11)) {
    de_set_cluster(e, parent == fs->root ? 0 : parent->first);
    fat_env_bdirty(ref.b);
  }
  slot_done(&ref);
  return r;
}

/* Copy the 32 bytes of n's short entry. */
static int read_entry(struct fat_fs *fs, struct fat_node *n, uint8_t *out)
{
  int err = -EIO;
  struct fat_buf *b = fat_env_bread(fs->dev, n->entry_sector, fs->sector_size, &err);
  if (!b)
    return err;
  memcpy(out, (uint8_t *)fat_env_bdata(b) + n->entry_off, DE_SIZE_BYTES);
  fat_env_brelse(b);
  return 0;
}

/* Put the contents of entry `from` (not its name) into n's entry. */
static int write_contents(struct fat_fs *fs, struct fat_node *n, const uint8_t *from)
{
  int err = -EIO;
  struct fat_buf *b = fat_env_bread(fs->dev, n->entry_sector, fs->sector_size, &err);
  if (!b)
    return err;
  uint8_t *e = (uint8_t *)fat_env_bdata(b) + n->entry_off;
  uint8_t lcase = e[DE_LCASE];
  memcpy(e + 11, from + 11, DE_SIZE_BYTES - 11);
  e[DE_LCASE] = lcase;
  fat_env_bdirty(b);
  fat_env_brelse(b);
  return 0;
}

static void set_pos(struct fat_fs *fs, struct fat_node *n, uint32_t dir_cluster, const struct dpos *p)
{
  fat_node_unhash_locked(fs, n);
  n->dir_cluster = dir_cluster;
  n->slot = p->slot;
  n->nslots = p->nslots;
  n->entry_sector = p->sector;
  n->entry_off = p->off;
  n->linked = true;
  fat_node_hash_locked(fs, n);
  fat_moved_locked(fs, n);
}

static void get_pos(struct fat_node *n, struct dpos *p)
{
  p->slot = n->slot;
  p->nslots = n->nslots;
  p->sector = n->entry_sector;
  p->off = n->entry_off;
}

/* RENAME_EXCHANGE: the two names swap what they name. */
static int exchange_locked(struct fat_fs *fs, struct fat_node *odir, struct fat_node *a,
                           struct fat_node *ndir, struct fat_node *b)
{
  uint8_t ea[DE_SIZE_BYTES], eb[DE_SIZE_BYTES];
  int r;
  if ((r = read_entry(fs, a, ea)) || (r = read_entry(fs, b, eb)))
    return r;
  if ((r = write_contents(fs, a, eb)) || (r = write_contents(fs, b, ea)))
    return r;
  struct dpos pa, pb;
  get_pos(a, &pa);
  get_pos(b, &pb);
  uint32_t ca = a->dir_cluster, cb = b->dir_cluster;
  fat_node_unhash_locked(fs, b);
  set_pos(fs, a, cb, &pb);
  set_pos(fs, b, ca, &pa);
  if (odir != ndir) {
    if (a->is_dir && (r = fix_dotdot(fs, a, ndir)))
      return r;
    if (b->is_dir && (r = fix_dotdot(fs, b, odir)))
      return r;
  }
  touch_dir(fs, odir);
  if (ndir != odir)
    touch_dir(fs, ndir);
  return 0;
}

static int rename_locked(struct fat_fs *fs, struct fat_node *odir, struct fat_node *n,
                         struct fat_node *ndir, const uint16_t *u, int ulen, unsigned flags)
{
  if (!n->linked || n->dir_cluster != odir->first)
    return -ENOENT;
  if (!ndir->is_dir || (!ndir->linked && ndir != fs->root))
    return -ENOENT;
  if (n->is_dir && ndir != odir) {
    int r = is_ancestor(fs, n->first, ndir);
    if (r)
      return r < 0 ? r : -EINVAL;  /* into itself */
  }
  struct fat_node *victim;
  int r = lookup_locked(fs, ndir, u, ulen, &victim);
  if (r)
    return r;
  if (flags & FAT_RENAME_EXCHANGE) {
    if (!victim)
      return -ENOENT;
    r = victim == n ? 0 : exchange_locked(fs, odir, n, ndir, victim);
    fat_node_put_locked(fs, victim);
    return r;
  }
  struct fat_node *ignore[2] = { n, NULL };
  if (victim == n) {          /* the same entry under another case */
    fat_node_put_locked(fs, victim);
    victim = NULL;
  }
  if (victim) {
    if (flags & FAT_RENAME_NOREPLACE)
      r = -EEXIST;
    else if (n->is_dir && !victim->is_dir)
      r = -ENOTDIR;
    else if (!n->is_dir && victim->is_dir)
      r = -EISDIR;
    else if (victim->is_dir && (r = fat_dir_nonempty_locked(fs, victim)) > 0)
      r = -ENOTEMPTY;
    if (r) {
      fat_node_put_locked(fs, victim);
      return r;
    }
    ignore[1] = victim;
  }
  uint8_t tmpl[DE_SIZE_BYTES];
  struct dpos pos;
  if (!(r = read_entry(fs, n, tmpl)) && !(r = add_entry(fs, ndir, u, ulen, tmpl, ignore, &pos))) {
    if (victim)
      r = unlink_locked(fs, ndir, victim);
    uint32_t oslot = n->slot, onslots = n->nslots;
    if (!r)
      r = remove_slots(fs, odir, oslot, onslots);
    if (!r) {
      set_pos(fs, n, ndir->first, &pos);
      if (n->is_dir && odir != ndir)
        r = fix_dotdot(fs, n, ndir);
      touch_dir(fs, odir);
      if (ndir != odir)
        touch_dir(fs, ndir);
    }
  }
  if (victim)
    fat_node_put_locked(fs, victim);
  return r;
}

int fat_rename(struct fat_fs *fs, struct fat_node *odir, struct fat_node *n, struct fat_node *ndir,
               const char *name, size_t len, unsigned flags)
{
  uint16_t u[FAT_MAX_LFN + 2];
  if ((flags & FAT_RENAME_EXCHANGE) && (flags & FAT_RENAME_NOREPLACE))
    return -EINVAL;
  int r = fat_check_name(name, len);
  if (r)
    return r;
  int ulen = name_units(name, len, u);
  if (ulen < 0)
    return ulen;
  fat_env_lock(fs->lock);
  r = fs->read_only ? -EROFS : rename_locked(fs, odir, n, ndir, u, ulen, flags);
  fat_env_unlock(fs->lock);
  return r;
}
