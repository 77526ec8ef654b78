/*
 * fat_dindex.c — the FAT32 core, the name index of a directory, and
 * looking names up through it (fat_lookup).
 *
 * Layer: fs (FAT core, fs/fat/). Below: fat_slots.c (scanning), fat_name.c.
 * Above: fat_dir.c and fat_rename.c keep the index up to date. fat32.c
 * frees a directory's index when its node goes (fat_dir_forget_locked,
 * fat_dir.h). Locks: every function expects fs->lock held, except the
 * public ones declared in fat32.h, which take it.
 */
#include "fs/fat/fat_dir.h"

/* ---- the name index of a directory ----
 * Built by one scan on the first lookup or create in a directory and kept
 * up to date by every change, it makes "is this name here?" a hash probe
 * plus one read to confirm, instead of a scan: creating n files in a
 * directory is O(n), not O(n^2). Every entry is keyed twice, by its long
 * name and by its 8.3 name, both folded to upper case. It also knows where
 * the free tail starts and how many freed slots lie before it. */


/* FNV-1a over the name folded to upper case; never 0. */
uint32_t fat_name_hash(const uint16_t *u, int n)
{
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) {
    uint16_t c = fat_fold(u[i]);
    h = (h ^ (c & 0xff)) * 16777619u;
    h = (h ^ (c >> 8)) * 16777619u;
  }
  return h ? h : 1;
}

/* The key of an 8.3 name: its shown form, folded (case flags do not matter). */
uint32_t fat_short_hash(const uint8_t raw[11])
{
  uint8_t e[DE_SIZE_BYTES];
  uint16_t sn[13];
  memcpy(e, raw, 11);
  e[DE_LCASE] = 0;
  return fat_name_hash(sn, fat_short_display(e, sn));
}

/* The next key with hash h along the probe sequence (*at: start with 0). */
struct dkey *fat_idx_next(struct fat_dindex *ix, uint32_t h, uint32_t *at)
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
  while ((k = fat_idx_next(ix, h, &at))) {
    if (k->slot == slot) {
      k->state = K_GONE;
      ix->used--;
      ix->gone++;
      return;
    }
  }
}

/* Both keys of a name. lfn NULL: it has only an 8.3 name. */
int fat_index_add(struct fat_dindex *ix, const uint16_t *lfn, int lfn_len, const uint8_t raw[11],
                     uint32_t slot, uint32_t nslots)
{
  int r = 0;
  if (lfn)
    r = idx_insert(ix, fat_name_hash(lfn, lfn_len), slot, nslots);
  if (!r)
    r = idx_insert(ix, fat_short_hash(raw), slot, nslots);
  return r;
}

void fat_dir_index_drop(struct fat_node *dir)
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
  fat_scan_init(s, 0);
  while ((r = fat_scan_next(fs, dir, s, &d)) == 1)
    if ((r = fat_index_add(ix, d.lfn, d.lfn_len, d.e, d.slot, d.nslots)))
      break;
  fat_scan_done(s);
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
int fat_dir_index(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex **out)
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
int fat_index_lookup(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix,
                        const uint16_t *u, int ulen, struct fat_node *const *ignore,
                        struct fat_node **out)
{
  *out = NULL;
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  uint32_t h = fat_name_hash(u, ulen), at = 0;
  struct dkey *k;
  struct dent d;
  int r = 0;
  while ((k = fat_idx_next(ix, h, &at))) {
    if (ignore && fat_ignored(ignore, dir->first, k->slot))
      continue;
    fat_scan_init(s, k->slot + 1 - k->nslots);
    r = fat_scan_next(fs, dir, s, &d);
    if (r < 0)
      break;
    r = 0;
    if (d.slot == k->slot && fat_dent_matches(&d, u, ulen)) {
      *out = fat_node_for(fs, dir, &d);
      if (!*out)
        r = -ENOMEM;
      break;
    }
    fat_scan_done(s);
  }
  fat_scan_done(s);
  fat_env_free(s);
  return r;
}

/* Take the name at slot out of the index (its keys come from the disk). */
int fat_index_remove(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix,
                        uint32_t slot, uint32_t nslots)
{
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  struct dent d;
  fat_scan_init(s, slot + 1 - nslots);
  int r = fat_scan_next(fs, dir, s, &d);
  if (r == 1 && d.slot == slot) {
    if (d.lfn)
      idx_delete(ix, fat_name_hash(d.lfn, d.lfn_len), slot);
    idx_delete(ix, fat_short_hash(d.e), slot);
    r = 0;
  } else if (r >= 0) {
    r = -EIO;  /* not what the index said: rebuild it */
  }
  fat_scan_done(s);
  fat_env_free(s);
  return r;
}

/* Name -> UTF-16 for lookups (trailing dots dropped). */
int fat_name_units(const char *name, size_t len, uint16_t *u)
{
  len = fat_strip_dots(name, len);
  if (len == 0)
    return -ENOENT;
  return fat_utf8_to_utf16(name, len, u);
}

/* Look `name` up: a referenced node, NULL if absent, or an error. */
int fat_lookup_locked(struct fat_fs *fs, struct fat_node *dir, const uint16_t *u, int ulen,
                         struct fat_node **out)
{
  struct fat_dindex *ix;
  *out = NULL;
  int r = fat_dir_index(fs, dir, &ix);
  return r ? r : fat_index_lookup(fs, dir, ix, u, ulen, NULL, out);
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
      while ((m = fat_idx_next(ix, k->hash, &at)) && (m->slot != k->slot || m->nslots != k->nslots))
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
  int ulen = fat_name_units(name, len, u);
  if (ulen < 0)
    return -ENOENT;  /* a name that cannot be stored does not exist */
  if (!dir->is_dir)
    return -ENOTDIR;
  fat_env_lock(fs->lock);
  int r = fat_lookup_locked(fs, dir, u, ulen, out);
  fat_env_unlock(fs->lock);
  if (r == 0 && !*out)
    r = -ENOENT;
  return r;
}
