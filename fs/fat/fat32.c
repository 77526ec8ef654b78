/*
 * fat32.c — the FAT32 core's volume and nodes: the table of nodes in use
 * (one per directory entry, keyed by its position), references to them,
 * and the volume: the boot sector, FSInfo, the "dirty" bit, mount, sync,
 * unmount, statfs. See fat32.h for the model.
 *
 * Layer: fs, the FAT32 core (fs/fat/fat32.h draws it). Below: fat_table.c
 * (clusters, the FAT), the environment (fat_env.h). Beside it: fat_file.c
 * (file data, attributes), the directory files (fat_dir.c ...). Above:
 * fat_vfs.c and the host tests.
 *
 * Locks: fs->lock is taken by every public function and held throughout;
 * *_locked functions expect it held. The node table is guarded by it.
 */
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"
#include "fs/fat/fat_dir.h"  /* fat_dir_forget_locked */

/* ---- the node table ---- */

static unsigned pos_bucket(uint32_t dir_cluster, uint32_t slot)
{
  return (unsigned)((dir_cluster * 2654435761u) ^ (slot * 40503u)) % FAT_POS_BUCKETS;
}

uint64_t fat_pos_ino(uint32_t dir_cluster, uint32_t slot)
{
  return (uint64_t)dir_cluster << 16 | slot;
}

struct fat_node *fat_node_find_locked(struct fat_fs *fs, uint32_t dir_cluster, uint32_t slot)
{
  struct fat_node *n = fs->pos_table[pos_bucket(dir_cluster, slot)];
  for (; n; n = n->pos_next)
    if (n->dir_cluster == dir_cluster && n->slot == slot)
      return n;
  return NULL;
}

void fat_node_hash_locked(struct fat_fs *fs, struct fat_node *n)
{
  unsigned h = pos_bucket(n->dir_cluster, n->slot);
  n->pos_next = fs->pos_table[h];
  fs->pos_table[h] = n;
  n->in_table = true;
}

void fat_node_unhash_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (!n->in_table)
    return;
  struct fat_node **pp = &fs->pos_table[pos_bucket(n->dir_cluster, n->slot)];
  for (; *pp; pp = &(*pp)->pos_next) {
    if (*pp == n) {
      *pp = n->pos_next;
      break;
    }
  }
  n->in_table = false;
}

static void moved_remove(struct fat_fs *fs, struct fat_node *n)
{
  if (!n->in_moved)
    return;
  for (struct fat_node **pp = &fs->moved; *pp; pp = &(*pp)->moved_next) {
    if (*pp == n) {
      *pp = n->moved_next;
      break;
    }
  }
  n->in_moved = false;
}

/* n's position changed: remember it if its ino no longer matches. */
void fat_moved_locked(struct fat_fs *fs, struct fat_node *n)
{
  bool moved = n->ino != fat_pos_ino(n->dir_cluster, n->slot) && n != fs->root;
  if (moved && !n->in_moved) {
    n->moved_next = fs->moved;
    fs->moved = n;
    n->in_moved = true;
  } else if (!moved) {
    moved_remove(fs, n);
  }
}

/* The inode number for a new node at this position: the position itself,
 * unless a renamed node still carries that number. */
uint64_t fat_new_ino_locked(struct fat_fs *fs, uint32_t dir_cluster, uint32_t slot)
{
  uint64_t ino = fat_pos_ino(dir_cluster, slot);
  for (struct fat_node *m = fs->moved; m; m = m->moved_next)
    if (m->ino == ino)
      return fs->spare_ino++;
  return ino;
}

static void fs_destroy(struct fat_fs *fs)
{
  fat_env_lock_free(fs->lock);
  fat_env_free(fs->pos_table);
  fat_env_free(fs->zeros);
  fat_env_free(fs);
}

/* Drop a reference with fs->lock held. Returns true if the volume itself
 * is now unreferenced (the caller frees it after unlocking). */
static bool node_put(struct fat_fs *fs, struct fat_node *n)
{
  if (--n->refs > 0)
    return false;
  if (!n->linked && n != fs->root && n->first && !fs->read_only && !fs->unmounted)
    fat_free_chain(fs, n->first, n->is_dir);
  fat_node_unhash_locked(fs, n);
  moved_remove(fs, n);
  fat_dir_forget_locked(n);
  fat_env_free(n);
  fs->nr_nodes--;
  return --fs->refs == 0;
}

void fat_node_put_locked(struct fat_fs *fs, struct fat_node *n)
{
  if (node_put(fs, n))
    fat_env_log("fat: volume unreferenced while locked"); /* cannot happen: the caller holds one */
}

void fat_node_get(struct fat_fs *fs, struct fat_node *n)
{
  fat_env_lock(fs->lock);
  n->refs++;
  fat_env_unlock(fs->lock);
}

void fat_node_put(struct fat_fs *fs, struct fat_node *n)
{
  if (!n)
    return;
  fat_env_lock(fs->lock);
  bool last = node_put(fs, n);
  fat_env_unlock(fs->lock);
  if (last)
    fs_destroy(fs);
}

struct fat_node *fat_root(struct fat_fs *fs)
{
  fat_env_lock(fs->lock);
  fs->root->refs++;
  fat_env_unlock(fs->lock);
  return fs->root;
}

/* ---- the volume ---- */

static bool pow2(uint32_t x)
{
  return x && !(x & (x - 1));
}

static uint32_t log2u(uint32_t x)
{
  uint32_t s = 0;
  while ((1u << s) < x)
    s++;
  return s;
}

/* Check the boot sector and fill in the geometry. */
static int parse_bpb(struct fat_fs *fs, const uint8_t *b, uint64_t dev_sectors)
{
  uint32_t bps = get16(b + BPB_BYTES_PER_SEC);
  uint32_t spc = b[BPB_SEC_PER_CLUS];
  uint32_t reserved = get16(b + BPB_RESERVED);
  uint32_t nfats = b[BPB_NUM_FATS];
  uint32_t total = get16(b + BPB_TOTAL16) ? get16(b + BPB_TOTAL16) : get32(b + BPB_TOTAL32);
  uint32_t fatsz = get32(b + BPB_FAT_SIZE32);
  uint16_t ext = get16(b + BPB_EXT_FLAGS);
  if (bps < 512 || bps > 4096 || !pow2(bps) || !pow2(spc) || (uint64_t)bps * spc > (1u << 18))
    return -EINVAL;
  if (reserved == 0 || nfats == 0 || nfats > 4)
    return -EINVAL;
  /* FAT32, as Linux tells it: no fixed root directory, 16-bit FAT size 0. */
  if (get16(b + BPB_ROOT_ENTRIES) != 0 || get16(b + BPB_FAT_SIZE16) != 0 || fatsz == 0)
    return -EINVAL;
  if (get16(b + BPB_FS_VERSION) != 0)
    return -EINVAL;
  fs->sector_size = bps;
  fs->sec_per_clus = spc;
  fs->cluster_size = bps * spc;
  fs->cluster_shift = log2u(fs->cluster_size);
  fs->dev_per_sector = bps / 512;
  fs->reserved_sectors = reserved;
  fs->nfats = nfats;
  fs->fat_sectors = fatsz;
  fs->mirror = !(ext & 0x80);
  fs->primary_fat = fs->mirror ? 0 : (ext & 0xf);
  if (fs->primary_fat >= nfats)
    return -EINVAL;
  fs->data_start = (uint64_t)reserved + (uint64_t)nfats * fatsz;
  if (fs->data_start >= total)
    return -EINVAL;
  uint64_t nclus = (total - fs->data_start) / spc;
  uint64_t fat_entries = (uint64_t)fatsz * bps / 4;
  if (nclus + 2 > fat_entries)
    nclus = fat_entries - 2;
  if (nclus > 0x0ffffff5 || nclus < 1)
    return -EINVAL;
  fs->nclusters = (uint32_t)nclus;
  if ((uint64_t)total * fs->dev_per_sector > dev_sectors) {
    fat_env_log("fat: file system (%u sectors) larger than the device", total);
    return -EINVAL;
  }
  fs->root_cluster = get32(b + BPB_ROOT_CLUSTER) & FAT_MASK;
  if (!fat_cluster_ok(fs, fs->root_cluster))
    return -EINVAL;
  uint32_t fsi = get16(b + BPB_FSINFO);
  fs->fsinfo_sector = (fsi && fsi < reserved) ? fsi : 0;
  return 0;
}

static int read_fsinfo(struct fat_fs *fs)
{
  fs->free_count = FAT_UNKNOWN;
  fs->next_free = 2;
  if (fs->fsinfo_sector) {
    int err = -EIO;
    struct fat_buf *b = fat_get_block(fs, fs->fsinfo_sector, &err);
    if (!b)
      return err;
    const uint8_t *p = fat_env_bdata(b);
    if (get32(p + FSI_LEAD_SIG) == FSI_LEAD_MAGIC && get32(p + FSI_STRUC_SIG) == FSI_STRUC_MAGIC) {
      uint32_t fc = get32(p + FSI_FREE_COUNT), nf = get32(p + FSI_NEXT_FREE);
      if (fc <= fs->nclusters)
        fs->free_count = fc;
      if (fat_cluster_ok(fs, nf))
        fs->next_free = nf;
    } else {
      fs->fsinfo_sector = 0;
    }
    fat_env_brelse(b);
  }
  if (fs->free_count == FAT_UNKNOWN)
    return fat_count_free_locked(fs);
  return 0;
}

static int write_fsinfo(struct fat_fs *fs)
{
  if (!fs->fsinfo_sector || !fs->fsinfo_dirty || fs->read_only)
    return 0;
  int err = -EIO;
  struct fat_buf *b = fat_get_block(fs, fs->fsinfo_sector, &err);
  if (!b)
    return err;
  uint8_t *p = fat_env_bdata(b);
  put32(p + FSI_FREE_COUNT, fs->free_count);
  put32(p + FSI_NEXT_FREE, fs->next_free);
  fat_env_bdirty(b);
  fat_env_brelse(b);
  fs->fsinfo_dirty = false;
  return 0;
}

/* Set or clear the boot sector's "not cleanly unmounted" bit. */
static int set_dirty_bit(struct fat_fs *fs, bool dirty)
{
  int err = -EIO;
  struct fat_buf *b = fat_get_block(fs, 0, &err);
  if (!b)
    return err;
  uint8_t *p = fat_env_bdata(b);
  if (dirty)
    p[BS_STATE] |= BS_STATE_DIRTY;
  else
    p[BS_STATE] &= ~BS_STATE_DIRTY;
  fat_env_bdirty(b);
  fat_env_brelse(b);
  return 0;
}

static struct fat_node *make_root(struct fat_fs *fs)
{
  struct fat_node *n = fat_env_zalloc(sizeof(*n));
  if (!n)
    return NULL;
  n->ino = FAT_ROOT_INO;
  n->refs = 1;       /* the volume's own reference */
  n->is_dir = true;
  n->attr = FAT_ATTR_DIR;
  n->first = fs->root_cluster;
  n->nclus = FAT_UNKNOWN;
  fs->refs++;
  fs->nr_nodes++;
  return n;
}

int fat_mount(void *dev, bool read_only, struct fat_fs **fsp)
{
  struct fat_fs *fs = fat_env_zalloc(sizeof(*fs));
  uint8_t *boot = fat_env_zalloc(512);
  int r = -ENOMEM;
  if (!fs || !boot)
    goto fail;
  fs->dev = dev;
  fs->read_only = read_only || fat_env_read_only(dev);
  fs->spare_ino = 1ULL << 48;
  if ((r = fat_env_rw(dev, false, 0, boot, 1)))
    goto fail;
  if ((r = parse_bpb(fs, boot, fat_env_nsectors(dev))))
    goto fail;
  r = -ENOMEM;
  fs->lock = fat_env_lock_new("fat");
  fs->pos_table = fat_env_zalloc(FAT_POS_BUCKETS * sizeof(struct fat_node *));
  fs->zeros = fat_env_zalloc(FAT_ZERO_BUF);
  if (!fs->lock || !fs->pos_table || !fs->zeros)
    goto fail;
  fs->refs = 1;  /* the mount */
  if ((r = read_fsinfo(fs)))
    goto fail;
  fs->was_dirty = boot[BS_STATE] & BS_STATE_DIRTY;
  if (fs->was_dirty)
    fat_env_log("fat: volume was not properly unmounted; some data may be corrupt, run fsck");
  r = -ENOMEM;
  if (!(fs->root = make_root(fs)))
    goto fail;
  if (!fs->read_only && !fs->was_dirty) {
    if ((r = set_dirty_bit(fs, true)) || (r = fat_env_bsync(dev)))
      goto fail;
    fs->dirty_flag_set = true;
  }
  fat_env_free(boot);
  *fsp = fs;
  return 0;
fail:
  fat_env_free(boot);
  if (fs) {
    fat_env_free(fs->root);
    if (fs->lock)
      fat_env_lock_free(fs->lock);
    fat_env_free(fs->pos_table);
    fat_env_free(fs->zeros);
      fat_env_free(fs);
  }
  return r;
}

int fat_sync(struct fat_fs *fs)
{
  fat_env_lock(fs->lock);
  int r = write_fsinfo(fs);
  fat_env_unlock(fs->lock);
  int r2 = fat_env_bsync(fs->dev);
  return r ? r : r2;
}

int fat_remount(struct fat_fs *fs, bool read_only)
{
  if (!read_only && fat_env_read_only(fs->dev))
    return -EACCES;  /* Linux's reconfigure_super */
  int r = read_only ? fat_sync(fs) : 0;
  fat_env_lock(fs->lock);
  if (r || fs->unmounted || read_only == fs->read_only) {
    /* nothing to change */
  } else if (read_only) {
    if (fs->dirty_flag_set) {
      r = set_dirty_bit(fs, false);
      fs->dirty_flag_set = r != 0;
    }
    if (!r)
      fs->read_only = true;
  } else {
    fs->read_only = false;
    if (!fs->was_dirty) {
      r = set_dirty_bit(fs, true);
      fs->dirty_flag_set = r == 0;
    }
  }
  fat_env_unlock(fs->lock);
  int r2 = fat_env_bsync(fs->dev);
  return r ? r : r2;
}

int fat_unmount(struct fat_fs *fs)
{
  int r = fat_sync(fs);
  fat_env_lock(fs->lock);
  if (fs->dirty_flag_set && !r) {
    r = set_dirty_bit(fs, false);
    fs->dirty_flag_set = false;
  }
  fat_env_unlock(fs->lock);
  int r2 = fat_env_bsync(fs->dev);
  if (!r)
    r = r2;
  fat_env_lock(fs->lock);
  fs->unmounted = true;
  fs->read_only = true;  /* whatever still holds a node may read, not write */
  bool last = node_put(fs, fs->root);  /* the volume's reference to its root */
  if (!last)
    last = --fs->refs == 0;            /* the mount's */
  fat_env_unlock(fs->lock);
  if (last)
    fs_destroy(fs);
  return r;
}

void fat_statfs(struct fat_fs *fs, uint32_t *cluster_size, uint64_t *total, uint64_t *free)
{
  fat_env_lock(fs->lock);
  if (fs->free_count == FAT_UNKNOWN)
    fat_count_free_locked(fs);
  *cluster_size = fs->cluster_size;
  *total = fs->nclusters;
  *free = fs->free_count == FAT_UNKNOWN ? 0 : fs->free_count;
  fat_env_unlock(fs->lock);
}
