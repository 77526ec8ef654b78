/*
 * fat_rename.c — the FAT32 core, rename: moving a name within or between
 * directories (replacing, RENAME_NOREPLACE, RENAME_EXCHANGE), fixing a
 * moved directory's "..", and refusing to move a directory into itself.
 *
 * Layer: fs (FAT core, fs/fat/). Below: fat_dir.c (adding and removing
 * names), fat_dindex.c, fat_slots.c, fat_name.c, fat32.c. Above: fat_vfs.c
 * (through fat32.h). Locks: every function expects fs->lock held, except
 * fat_rename, which takes it.
 */
#include "fs/fat/fat_dir.h"

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
  uint8_t *e = fat_slot_ptr(fs, n, &ref, 1, &r);
  if (e && !memcmp(e, "..         ", 11)) {
    de_set_cluster(e, parent == fs->root ? 0 : parent->first);
    fat_env_bdirty(ref.b);
  }
  fat_slot_done(&ref);
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
  fat_touch_dir(fs, odir);
  if (ndir != odir)
    fat_touch_dir(fs, ndir);
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
  int r = fat_lookup_locked(fs, ndir, u, ulen, &victim);
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
  if (!(r = read_entry(fs, n, tmpl)) && !(r = fat_add_entry(fs, ndir, u, ulen, tmpl, ignore, &pos))) {
    if (victim)
      r = fat_unlink_locked(fs, ndir, victim);
    uint32_t oslot = n->slot, onslots = n->nslots;
    if (!r)
      r = fat_remove_slots(fs, odir, oslot, onslots);
    if (!r) {
      set_pos(fs, n, ndir->first, &pos);
      if (n->is_dir && odir != ndir)
        r = fix_dotdot(fs, n, ndir);
      fat_touch_dir(fs, odir);
      if (ndir != odir)
        fat_touch_dir(fs, ndir);
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
  int ulen = fat_name_units(name, len, u);
  if (ulen < 0)
    return ulen;
  fat_env_lock(fs->lock);
  r = fs->read_only ? -EROFS : rename_locked(fs, odir, n, ndir, u, ulen, flags);
  fat_env_unlock(fs->lock);
  return r;
}
