/*
 * fat_dir.c — the FAT32 core, directories: adding and removing names
 * (create, mkdir, unlink, rmdir), choosing a unique 8.3 alias, and readdir.
 * Lookup is in fat_dindex.c, rename in fat_rename.c.
 *
 * Names follow Linux's vfat with its default options (shortname=mixed,
 * utf8): lookups ignore case (ASCII) and match the long or the 8.3 name;
 * a new name that is a valid upper-case 8.3 name gets only a short entry,
 * any other gets a long name plus a unique short alias; trailing dots are
 * dropped; `"*\/:<>?|` and control characters are refused.
 *
 * Layer: fs (FAT core, fs/fat/). Below: fat_dindex.c, fat_slots.c,
 * fat_name.c, fat32.c. Above: fat_rename.c, fat_vfs.c (through fat32.h).
 * Locks: every function expects fs->lock held, except the public ones
 * declared in fat32.h, which take it.
 */
#include "fs/fat/fat_dir.h"

/* ---- adding and removing names ---- */

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
  uint32_t h = fat_short_hash(raw), at = 0;
  struct dkey *k;
  int r = 0;
  while ((k = fat_idx_next(ix, h, &at))) {
    if (fat_ignored(ignore, dir->first, k->slot))
      continue;
    uint8_t *e = fat_slot_ptr(fs, dir, &ref, k->slot, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    if (!memcmp(e, raw, 11)) {
      r = 1;
      break;
    }
  }
  fat_slot_done(&ref);
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
    fat_tail_name(sn, num, out);
    if ((r = short_taken(fs, dir, ix, out, ignore)) <= 0)
      return r;
  }
  uint32_t h = fat_name_hash(u, ulen);
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
    uint8_t *e = fat_slot_ptr(fs, dir, &ref, i, &r);
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
  fat_slot_done(&ref);
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
int fat_add_entry(struct fat_fs *fs, struct fat_node *dir, const uint16_t *u, int ulen,
                     const uint8_t *tmpl, struct fat_node *const *ignore, struct dpos *pos)
{
  struct fat_dindex *ix;
  int r = fat_dir_index(fs, dir, &ix);
  if (r)
    return r;
  struct shortname sn;
  fat_make_basis(u, ulen, &sn);
  bool need_lfn = sn.lossy || !sn.upper;
  uint32_t want = need_lfn ? (uint32_t)FAT_DIV_UP(ulen, LFN_CHARS) + 1 : 1;
  /* Is the name taken (as a long or an 8.3 name)? Linux also refuses a
   * name whose 8.3 form belongs to another entry. */
  struct fat_node *found;
  if ((r = fat_index_lookup(fs, dir, ix, u, ulen, ignore, &found)))
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
    uint8_t *e = fat_slot_ptr(fs, dir, &ref, start + k, &r);
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
    uint8_t *e = fat_slot_ptr(fs, dir, &ref, start + want, &err);
    if (e && e[0] != DE_END) {
      memset(e, 0, DE_SIZE_BYTES);
      fat_env_bdirty(ref.b);
    }
  }
  fat_slot_done(&ref);
  if (r) {
    fat_dir_index_drop(dir);  /* partly written: rebuild from the disk next time */
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
  if ((r = fat_index_add(ix, need_lfn ? u : NULL, ulen, name, start + want - 1, want)))
    fat_dir_index_drop(dir);
  return 0;
}

/* Mark the slots of a name free (and take it out of the index). */
int fat_remove_slots(struct fat_fs *fs, struct fat_node *dir, uint32_t slot, uint32_t nslots)
{
  struct fat_dindex *ix = dir->index;
  if (ix && fat_index_remove(fs, dir, ix, slot, nslots))
    fat_dir_index_drop(dir);
  struct slotref ref = { 0 };
  int r = 0;
  for (uint32_t i = slot + 1 - nslots; i <= slot; i++) {
    uint8_t *e = fat_slot_ptr(fs, dir, &ref, i, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    e[0] = DE_DELETED;
    fat_env_bdirty(ref.b);
  }
  fat_slot_done(&ref);
  if (r) {
    fat_dir_index_drop(dir);
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
void fat_touch_dir(struct fat_fs *fs, struct fat_node *dir)
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
  return fat_node_for(fs, dir, &d);
}

/* Write "." and ".." into the first cluster of a new directory. */
static int write_dots(struct fat_fs *fs, struct fat_node *n, struct fat_node *parent,
                      const uint8_t *tmpl)
{
  struct slotref ref = { 0 };
  int r = 0;
  for (uint32_t i = 0; i < 2 && !r; i++) {
    uint8_t *e = fat_slot_ptr(fs, n, &ref, i, &r);
    if (!e) {
      r = r ? r : -EIO;
      break;
    }
    memcpy(e, i ? "..         " : ".          ", 11);
    memcpy(e + 11, tmpl + 11, DE_SIZE_BYTES - 11);
    de_set_cluster(e, i == 0 ? n->first : parent == fs->root ? 0 : parent->first);
    fat_env_bdirty(ref.b);
  }
  fat_slot_done(&ref);
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
  int ulen = fat_name_units(name, len, u);
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
  r = fat_add_entry(fs, dir, u, ulen, tmpl, ignore, &pos);
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
  fat_touch_dir(fs, dir);
out:
  fat_env_unlock(fs->lock);
  return r;
}

/* Take n's name out of dir (n stays valid; its clusters go with it). */
int fat_unlink_locked(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n)
{
  if (!n->linked || n->dir_cluster != dir->first)
    return -ENOENT;
  int r = fat_remove_slots(fs, dir, n->slot, n->nslots);
  if (r)
    return r;
  fat_node_unhash_locked(fs, n);
  n->linked = false;
  fat_touch_dir(fs, dir);
  return 0;
}

int fat_unlink(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n)
{
  fat_env_lock(fs->lock);
  int r = fs->read_only ? -EROFS : n->is_dir ? -EISDIR : fat_unlink_locked(fs, dir, n);
  fat_env_unlock(fs->lock);
  return r;
}

int fat_dir_nonempty_locked(struct fat_fs *fs, struct fat_node *dir)
{
  struct dscan *s = fat_env_zalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  struct dent d;
  fat_scan_init(s, 0);
  int r = fat_scan_next(fs, dir, s, &d);
  fat_scan_done(s);
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
    r = fat_unlink_locked(fs, dir, n);
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
  fat_scan_init(s, 0);
  while ((r = fat_scan_next(fs, dir, s, &d)) == 1)
    if (d.e[DE_ATTR] & FAT_ATTR_DIR)
      count++;
  fat_scan_done(s);
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
  fat_scan_init(s, (uint32_t)*pos);
  int r = fat_scan_next(fs, dir, s, &d);
  if (r == 1) {
    uint16_t sn[13];
    if (d.lfn) {
      de->len = fat_utf16_to_utf8(d.lfn, d.lfn_len, de->name);
    } else {
      int sl = fat_short_display(d.e, sn);
      de->len = fat_utf16_to_utf8(sn, sl, de->name);
    }
    de->is_dir = d.e[DE_ATTR] & FAT_ATTR_DIR;
    struct fat_node *n = fat_node_find_locked(fs, dir->first, d.slot);
    de->ino = n ? n->ino : fat_pos_ino(dir->first, d.slot);
    *pos = d.slot + 1;
  }
  fat_scan_done(s);
  fat_env_unlock(fs->lock);
  fat_env_free(s);
  return r;
}
