/*
 * fat_slots.c — the FAT32 core, directory I/O: reading a directory's
 * 32-byte slots through the block layer, scanning them into entries with
 * their long names, and the node (fat32.c) of an entry.
 *
 * A directory is an array of slots (a cluster chain of at most 2 MiB). A
 * name takes one short-entry slot, preceded by its long-name slots if it
 * has a long name. Slot 0x00 ends the directory, 0xe5 is free.
 *
 * Layer: fs (FAT core, fs/fat/). Below: fat32.c (cluster mapping, the node
 * table), fat_name.c, the environment (fat_env.h). Above: fat_dindex.c,
 * fat_dir.c, fat_rename.c. Locks: every function expects fs->lock held.
 */
#include "fs/fat/fat_dir.h"

void fat_slot_done(struct slotref *ref)
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
uint8_t *fat_slot_ptr(struct fat_fs *fs, struct fat_node *dir, struct slotref *ref, uint32_t i,
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

void fat_scan_init(struct dscan *s, uint32_t start)
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
int fat_scan_next(struct fat_fs *fs, struct fat_node *dir, struct dscan *s, struct dent *d)
{
  while (!s->ended) {
    int err;
    uint32_t i = s->slot;
    const uint8_t *e = fat_slot_ptr(fs, dir, &s->ref, i, &err);
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
    if ((e[DE_ATTR] & FAT_ATTR_VOLUME) || fat_is_dot_entry(e)) {
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
  fat_slot_done(&s->ref);
  return 0;
}

void fat_scan_done(struct dscan *s)
{
  fat_slot_done(&s->ref);
}

/* ---- nodes for entries ---- */

/* The node of entry d in dir: the one in use, or a new one. Referenced. */
struct fat_node *fat_node_for(struct fat_fs *fs, struct fat_node *dir, const struct dent *d)
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
bool fat_dent_matches(const struct dent *d, const uint16_t *u, int ulen)
{
  if (d->lfn && fat_same_name(d->lfn, d->lfn_len, u, ulen))
    return true;
  if (ulen > 12)
    return false;  /* longer than any 8.3 name */
  uint16_t sn[13];
  int sl = fat_short_display(d->e, sn);
  return fat_same_name(sn, sl, u, ulen);
}

/* Is slot the entry of one of the `ignore` nodes (a rename's own names)? */
bool fat_ignored(struct fat_node *const *ignore, uint32_t dir_cluster, uint32_t slot)
{
  for (int k = 0; k < 2; k++)
    if (ignore[k] && ignore[k]->linked && ignore[k]->dir_cluster == dir_cluster &&
        ignore[k]->slot == slot)
      return true;
  return false;
}
