/*
 * ext4_super.c — the ext4 volume: reading and checking the superblock and
 * the group descriptors, the features Kite reads, writes and refuses,
 * mounting and unmounting, statfs, sync; and the metadata-buffer helpers
 * the rest of the core uses.
 *
 * Layer: ext4 core (see ext4.h). Below: ext4_env.h. The journal
 * (ext4_journal.c) is opened from here; orphans are finished here at a
 * read-write mount (ext4_inode.c).
 *
 * Locks: ext4_mount runs before anyone else can see the volume; every
 * other public function takes fs->lock.
 */
#include "fs/ext4/ext4_int.h"

/* What Kite can write; an image with other incompat or ro_compat features
 * is mounted read-only (if those are known) or not at all. */
#define INCOMPAT_READ (EXT4_INCOMPAT_FILETYPE | EXT4_INCOMPAT_RECOVER | EXT4_INCOMPAT_META_BG |     \
                       EXT4_INCOMPAT_EXTENTS | EXT4_INCOMPAT_64BIT | EXT4_INCOMPAT_FLEX_BG |       \
                       EXT4_INCOMPAT_CSUM_SEED | EXT4_INCOMPAT_LARGEDIR | EXT4_INCOMPAT_MMP |       \
                       EXT4_INCOMPAT_INLINE_DATA | EXT4_INCOMPAT_EA_INODE | EXT4_INCOMPAT_ENCRYPT | \
                       EXT4_INCOMPAT_CASEFOLD)
#define INCOMPAT_WRITE (EXT4_INCOMPAT_FILETYPE | EXT4_INCOMPAT_RECOVER | EXT4_INCOMPAT_META_BG |    \
                        EXT4_INCOMPAT_EXTENTS | EXT4_INCOMPAT_64BIT | EXT4_INCOMPAT_FLEX_BG |      \
                        EXT4_INCOMPAT_CSUM_SEED | EXT4_INCOMPAT_LARGEDIR)
#define RO_COMPAT_WRITE (EXT4_RO_COMPAT_SPARSE_SUPER | EXT4_RO_COMPAT_LARGE_FILE |                 \
                         EXT4_RO_COMPAT_BTREE_DIR | EXT4_RO_COMPAT_HUGE_FILE |                     \
                         EXT4_RO_COMPAT_GDT_CSUM | EXT4_RO_COMPAT_DIR_NLINK |                      \
                         EXT4_RO_COMPAT_EXTRA_ISIZE | EXT4_RO_COMPAT_METADATA_CSUM |               \
                         EXT4_RO_COMPAT_ORPHAN_PRESENT)

/* ---- buffers ---- */

struct ext4_buf *ext4_bread(struct ext4_fs *fs, uint64_t blk, int *err)
{
  *err = 0;
  if (blk >= fs->nblocks) {
    *err = ext4_corrupt(fs, "block number out of range", blk);
    return NULL;
  }
  return ext4_env_bread(fs->dev, blk, fs->block_size, err);
}

struct ext4_buf *ext4_bzero(struct ext4_fs *fs, uint64_t blk, int *err)
{
  *err = 0;
  if (blk >= fs->nblocks) {
    *err = ext4_corrupt(fs, "block number out of range", blk);
    return NULL;
  }
  struct ext4_buf *b = ext4_env_bget_noread(fs->dev, blk, fs->block_size, err);
  if (b)
    memset(ext4_env_bdata(b), 0, fs->block_size);
  return b;
}

int ext4_bdirty(struct ext4_fs *fs, struct ext4_buf *b, uint64_t blk)
{
  if (fs->read_only)
    return ext4_corrupt(fs, "write on a read-only mount", blk);
  if (fs->j)
    return ext4_tx_add(fs, b, blk);
  ext4_env_bdirty(b);
  return 0;
}

void ext4_clear_verified(struct ext4_fs *fs, uint64_t blk, uint64_t n)
{
  for (uint64_t b = blk; fs->verified && b < blk + n && b < fs->nblocks; b++)
    fs->verified[b >> 3] &= (uint8_t)~(1u << (b & 7));
}

int ext4_corrupt(struct ext4_fs *fs, const char *what, uint64_t where)
{
  (void)fs;
  ext4_env_log("ext4: %s (%llu)", what, (unsigned long long)where);
  return -EFSCORRUPTED;
}

/* ---- groups ---- */

static bool is_power_of(uint32_t n, uint32_t base)
{
  while (n > 1 && n % base == 0)
    n /= base;
  return n == 1;
}

bool ext4_group_has_super(struct ext4_fs *fs, uint32_t g)
{
  if (g == 0)
    return true;
  if (fs->compat & EXT4_COMPAT_SPARSE_SUPER2)
    return g == fs->sb.s_backup_bgs[0] || g == fs->sb.s_backup_bgs[1];
  if (!(fs->ro_compat & EXT4_RO_COMPAT_SPARSE_SUPER))
    return true;
  return g == 1 || is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

uint64_t ext4_group_first(struct ext4_fs *fs, uint32_t g)
{
  return fs->first_data_block + (uint64_t)g * fs->blocks_per_group;
}

uint32_t ext4_group_nblocks(struct ext4_fs *fs, uint32_t g)
{
  if (g + 1 < fs->ngroups)
    return fs->blocks_per_group;
  return (uint32_t)(fs->nblocks - ext4_group_first(fs, g));
}

static uint32_t descs_per_block(struct ext4_fs *fs) { return fs->block_size / fs->desc_size; }

static bool group_in_meta_bg(struct ext4_fs *fs, uint32_t g)
{
  return (fs->incompat & EXT4_INCOMPAT_META_BG) &&
         g / descs_per_block(fs) >= fs->sb.s_first_meta_bg;
}

/* Blocks at the start of group g holding copies of the superblock and the
 * descriptors (and the blocks reserved for the descriptors to grow). */
uint32_t ext4_group_overhead(struct ext4_fs *fs, uint32_t g)
{
  uint32_t n = ext4_group_has_super(fs, g) ? 1 : 0;
  if (!group_in_meta_bg(fs, g)) {
    if (n)
      n += fs->gdt_blocks + fs->sb.s_reserved_gdt_blocks;
    return n;
  }
  uint32_t i = g % descs_per_block(fs);
  if (i == 0 || i == 1 || i == descs_per_block(fs) - 1)
    n++;
  return n;
}

/* The block holding group g's descriptor (the primary copy). */
static uint64_t desc_block(struct ext4_fs *fs, uint32_t g)
{
  uint32_t dpb = descs_per_block(fs);
  if (!group_in_meta_bg(fs, g))
    return fs->first_data_block + 1 + g / dpb;
  uint32_t first = g / dpb * dpb;
  return ext4_group_first(fs, first) + (ext4_group_has_super(fs, first) ? 1 : 0);
}

static uint16_t group_csum(struct ext4_fs *fs, uint32_t g, const uint8_t *raw)
{
  uint32_t le_g = g;
  if (fs->csum) {
    uint16_t zero = 0;
    uint32_t c = ext4_crc32c(fs->csum_seed, &le_g, 4);
    c = ext4_crc32c(c, raw, EXT4_GD_CSUM_OFFSET);
    c = ext4_crc32c(c, &zero, 2);
    if (fs->desc_size > EXT4_GD_CSUM_OFFSET + 2)
      c = ext4_crc32c(c, raw + EXT4_GD_CSUM_OFFSET + 2, fs->desc_size - EXT4_GD_CSUM_OFFSET - 2);
    return (uint16_t)(c & 0xffff);
  }
  uint16_t c = ext4_crc16(0xffff, fs->sb.s_uuid, 16);
  c = ext4_crc16(c, &le_g, 4);
  c = ext4_crc16(c, raw, EXT4_GD_CSUM_OFFSET);
  if ((fs->incompat & EXT4_INCOMPAT_64BIT) && fs->desc_size > EXT4_GD_CSUM_OFFSET + 2)
    c = ext4_crc16(c, raw + EXT4_GD_CSUM_OFFSET + 2, fs->desc_size - EXT4_GD_CSUM_OFFSET - 2);
  return c;
}

static void group_decode(struct ext4_fs *fs, struct ext4_group *g, const struct ext4_group_desc *d)
{
  bool big = fs->desc_size >= EXT4_MIN_DESC_SIZE_64BIT;
  g->block_bitmap = d->bg_block_bitmap_lo | (big ? (uint64_t)d->bg_block_bitmap_hi << 32 : 0);
  g->inode_bitmap = d->bg_inode_bitmap_lo | (big ? (uint64_t)d->bg_inode_bitmap_hi << 32 : 0);
  g->inode_table = d->bg_inode_table_lo | (big ? (uint64_t)d->bg_inode_table_hi << 32 : 0);
  g->free_blocks = d->bg_free_blocks_count_lo | (big ? (uint32_t)d->bg_free_blocks_count_hi << 16 : 0);
  g->free_inodes = d->bg_free_inodes_count_lo | (big ? (uint32_t)d->bg_free_inodes_count_hi << 16 : 0);
  g->used_dirs = d->bg_used_dirs_count_lo | (big ? (uint32_t)d->bg_used_dirs_count_hi << 16 : 0);
  g->itable_unused = d->bg_itable_unused_lo | (big ? (uint32_t)d->bg_itable_unused_hi << 16 : 0);
  g->flags = d->bg_flags;
  g->block_bitmap_csum = d->bg_block_bitmap_csum_lo | (big ? (uint32_t)d->bg_block_bitmap_csum_hi << 16 : 0);
  g->inode_bitmap_csum = d->bg_inode_bitmap_csum_lo | (big ? (uint32_t)d->bg_inode_bitmap_csum_hi << 16 : 0);
}

static void group_encode(struct ext4_fs *fs, const struct ext4_group *g, struct ext4_group_desc *d)
{
  bool big = fs->desc_size >= EXT4_MIN_DESC_SIZE_64BIT;
  d->bg_block_bitmap_lo = (uint32_t)g->block_bitmap;
  d->bg_inode_bitmap_lo = (uint32_t)g->inode_bitmap;
  d->bg_inode_table_lo = (uint32_t)g->inode_table;
  d->bg_free_blocks_count_lo = (uint16_t)g->free_blocks;
  d->bg_free_inodes_count_lo = (uint16_t)g->free_inodes;
  d->bg_used_dirs_count_lo = (uint16_t)g->used_dirs;
  d->bg_itable_unused_lo = (uint16_t)g->itable_unused;
  d->bg_flags = g->flags;
  d->bg_block_bitmap_csum_lo = (uint16_t)g->block_bitmap_csum;
  d->bg_inode_bitmap_csum_lo = (uint16_t)g->inode_bitmap_csum;
  if (big) {
    d->bg_block_bitmap_csum_hi = (uint16_t)(g->block_bitmap_csum >> 16);
    d->bg_inode_bitmap_csum_hi = (uint16_t)(g->inode_bitmap_csum >> 16);
    d->bg_block_bitmap_hi = (uint32_t)(g->block_bitmap >> 32);
    d->bg_inode_bitmap_hi = (uint32_t)(g->inode_bitmap >> 32);
    d->bg_inode_table_hi = (uint32_t)(g->inode_table >> 32);
    d->bg_free_blocks_count_hi = (uint16_t)(g->free_blocks >> 16);
    d->bg_free_inodes_count_hi = (uint16_t)(g->free_inodes >> 16);
    d->bg_used_dirs_count_hi = (uint16_t)(g->used_dirs >> 16);
    d->bg_itable_unused_hi = (uint16_t)(g->itable_unused >> 16);
  }
}

/* Write group g's in-memory descriptor into its block. */
int ext4_group_write(struct ext4_fs *fs, uint32_t g)
{
  int err = 0;
  uint64_t blk = desc_block(fs, g);
  struct ext4_buf *b = ext4_bread(fs, blk, &err);
  if (!b)
    return err;
  uint8_t *raw = (uint8_t *)ext4_bdata(b) + g % descs_per_block(fs) * fs->desc_size;
  group_encode(fs, &fs->groups[g], (struct ext4_group_desc *)raw);
  if (fs->csum || fs->gdt_csum)
    ((struct ext4_group_desc *)raw)->bg_checksum = group_csum(fs, g, raw);
  err = ext4_bdirty(fs, b, blk);
  ext4_brelse(b);
  return err;
}

static bool group_ok(struct ext4_fs *fs, uint32_t g)
{
  struct ext4_group *gr = &fs->groups[g];
  uint64_t lo = fs->first_data_block, hi = fs->nblocks;
  if (!(fs->incompat & EXT4_INCOMPAT_FLEX_BG)) {
    lo = ext4_group_first(fs, g);
    hi = lo + ext4_group_nblocks(fs, g);
  }
  return gr->block_bitmap >= lo && gr->block_bitmap < hi && gr->inode_bitmap >= lo &&
         gr->inode_bitmap < hi && gr->inode_table >= lo && gr->inode_table + fs->itable_blocks <= hi &&
         gr->free_blocks <= fs->blocks_per_group && gr->free_inodes <= fs->inodes_per_group &&
         gr->itable_unused <= fs->inodes_per_group;
}

/* Read every group descriptor, check its checksum and its locations. */
static int load_groups(struct ext4_fs *fs)
{
  ext4_env_free(fs->groups);
  fs->groups = ext4_env_zalloc((size_t)fs->ngroups * sizeof(struct ext4_group));
  if (!fs->groups)
    return -ENOMEM;
  fs->free_blocks = 0;
  fs->free_inodes = 0;
  for (uint32_t g = 0; g < fs->ngroups; g++) {
    int err = 0;
    struct ext4_buf *b = ext4_bread(fs, desc_block(fs, g), &err);
    if (!b)
      return err;
    const uint8_t *raw = (uint8_t *)ext4_bdata(b) + g % descs_per_block(fs) * fs->desc_size;
    const struct ext4_group_desc *d = (const struct ext4_group_desc *)raw;
    bool bad_csum = (fs->csum || fs->gdt_csum) && d->bg_checksum != group_csum(fs, g, raw);
    group_decode(fs, &fs->groups[g], d);
    ext4_brelse(b);
    if (bad_csum) {
      ext4_env_log("ext4: group %u: descriptor checksum mismatch", g);
      return -EFSBADCRC;
    }
    if (!group_ok(fs, g)) {
      ext4_env_log("ext4: group %u: descriptor points outside the file system", g);
      return -EFSCORRUPTED;
    }
    fs->free_blocks += fs->groups[g].free_blocks;
    fs->free_inodes += fs->groups[g].free_inodes;
  }
  return 0;
}

/* ---- the superblock ---- */

static uint32_t super_csum(const struct ext4_super *s)
{
  return ext4_crc32c(~0u, s, offsetof(struct ext4_super, s_checksum));
}

/* Read the superblock straight from the disk (bytes 1024..2047). */
static int read_super(void *dev, struct ext4_super *s)
{
  if (ext4_env_nsectors(dev) < 4)
    return -EINVAL;
  uint8_t *buf = ext4_env_zalloc(1024);
  if (!buf)
    return -ENOMEM;
  int r = ext4_env_rw(dev, false, EXT4_SUPER_OFFSET / 512, buf, 2);
  if (!r)
    memcpy(s, buf, sizeof(*s));
  ext4_env_free(buf);
  return r;
}

bool ext4_probe(void *dev)
{
  struct ext4_super *s = ext4_env_zalloc(sizeof(*s));
  bool yes = s && read_super(dev, s) == 0 && s->s_magic == EXT4_SUPER_MAGIC;
  ext4_env_free(s);
  return yes;
}

/* Derive the geometry from fs->sb and check it makes sense. */
static int parse_super(struct ext4_fs *fs)
{
  struct ext4_super *s = &fs->sb;
  if (s->s_magic != EXT4_SUPER_MAGIC)
    return -EINVAL;
  if (s->s_log_block_size > 2) {
    ext4_env_log("ext4: block size 2^%u KiB is not supported (1, 2 or 4 KiB)", s->s_log_block_size);
    return -EINVAL;
  }
  fs->log_block = 10 + s->s_log_block_size;
  fs->block_size = 1u << fs->log_block;
  fs->sectors_per_block = fs->block_size / 512;
  fs->compat = s->s_feature_compat;
  fs->incompat = s->s_feature_incompat;
  fs->ro_compat = s->s_feature_ro_compat;
  if (s->s_rev_level == 0) {
    fs->compat = fs->incompat = fs->ro_compat = 0;
    fs->inode_size = EXT4_GOOD_OLD_INODE_SIZE;
    fs->first_ino = 11;
  } else {
    fs->inode_size = s->s_inode_size;
    fs->first_ino = s->s_first_ino;
  }
  fs->csum = fs->ro_compat & EXT4_RO_COMPAT_METADATA_CSUM;
  fs->gdt_csum = !fs->csum && (fs->ro_compat & EXT4_RO_COMPAT_GDT_CSUM);
  if (fs->csum && (s->s_checksum_type != 1 || s->s_checksum != super_csum(s))) {
    ext4_env_log("ext4: superblock checksum mismatch");
    return -EFSBADCRC;
  }
  bool is64 = fs->incompat & EXT4_INCOMPAT_64BIT;
  fs->nblocks = s->s_blocks_count_lo | (is64 ? (uint64_t)s->s_blocks_count_hi << 32 : 0);
  fs->r_blocks = s->s_r_blocks_count_lo | (is64 ? (uint64_t)s->s_r_blocks_count_hi << 32 : 0);
  fs->first_data_block = s->s_first_data_block;
  fs->blocks_per_group = s->s_blocks_per_group;
  fs->inodes_per_group = s->s_inodes_per_group;
  fs->inodes_count = s->s_inodes_count;
  fs->desc_size = is64 ? s->s_desc_size : EXT4_MIN_DESC_SIZE;
  if (fs->inode_size < EXT4_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
      (fs->inode_size & (fs->inode_size - 1)) || fs->blocks_per_group != 8 * fs->block_size ||
      fs->inodes_per_group == 0 || fs->inodes_per_group > 8 * fs->block_size ||
      fs->inodes_per_group % (fs->block_size / fs->inode_size) || fs->first_ino < 11 ||
      fs->desc_size < EXT4_MIN_DESC_SIZE || fs->desc_size > 1024 || (fs->desc_size & (fs->desc_size - 1)) ||
      fs->first_data_block != (fs->block_size == 1024 ? 1u : 0u) || fs->nblocks <= fs->first_data_block ||
      (s->s_log_cluster_size != s->s_log_block_size && (fs->ro_compat & EXT4_RO_COMPAT_BIGALLOC))) {
    ext4_env_log("ext4: superblock geometry is inconsistent");
    return -EINVAL;
  }
  if (fs->nblocks * fs->sectors_per_block > ext4_env_nsectors(fs->dev)) {
    ext4_env_log("ext4: file system (%llu blocks) larger than the device", (unsigned long long)fs->nblocks);
    return -EINVAL;
  }
  fs->ngroups = (uint32_t)((fs->nblocks - fs->first_data_block + fs->blocks_per_group - 1) /
                           fs->blocks_per_group);
  if ((uint64_t)fs->ngroups * fs->inodes_per_group != fs->inodes_count) {
    ext4_env_log("ext4: inode count does not match the groups");
    return -EINVAL;
  }
  fs->itable_blocks = fs->inodes_per_group * fs->inode_size / fs->block_size;
  fs->gdt_blocks = (fs->ngroups + descs_per_block(fs) - 1) / descs_per_block(fs);
  fs->groups_per_flex = (fs->incompat & EXT4_INCOMPAT_FLEX_BG) && s->s_log_groups_per_flex < 31
                            ? 1u << s->s_log_groups_per_flex : 1;
  fs->sb_block = EXT4_SUPER_OFFSET / fs->block_size;
  fs->sb_offset = EXT4_SUPER_OFFSET % fs->block_size;
  fs->csum_seed = (fs->incompat & EXT4_INCOMPAT_CSUM_SEED) ? s->s_checksum_seed
                                                           : ext4_crc32c(~0u, s->s_uuid, 16);
  memcpy(fs->hash_seed, s->s_hash_seed, sizeof(fs->hash_seed));
  fs->unsigned_hash = s->s_flags & EXT4_FLAGS_UNSIGNED_HASH;
  fs->hash_version = s->s_def_hash_version;
  if (fs->hash_version <= EXT4_HASH_TEA && fs->unsigned_hash)
    fs->hash_version += EXT4_HASH_LEGACY_UNSIGNED;
  uint16_t want = s->s_want_extra_isize > s->s_min_extra_isize ? s->s_want_extra_isize : s->s_min_extra_isize;
  if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE && want < 32)
    want = 32;
  if (want > fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE)
    want = (uint16_t)(fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE);
  fs->want_extra_isize = want;
  return 0;
}

/* Which features stop a mount, or a read-write one. 0, -EINVAL, -EROFS. */
static int check_features(struct ext4_fs *fs, bool read_only)
{
  uint32_t unknown = fs->incompat & ~INCOMPAT_READ;
  if (unknown) {
    ext4_env_log("ext4: unsupported incompatible features 0x%x: not mounted", unknown);
    return -EINVAL;
  }
  if (read_only)
    return 0;
  uint32_t inc = fs->incompat & ~INCOMPAT_WRITE, ro = fs->ro_compat & ~RO_COMPAT_WRITE;
  if (inc || ro) {
    ext4_env_log("ext4: features Kite cannot write (incompat 0x%x, ro_compat 0x%x): "
                 "mount read-only", inc, ro);
    return -EROFS;
  }
  if (!(fs->incompat & EXT4_INCOMPAT_EXTENTS) && fs->sb.s_rev_level > 0 &&
      (fs->incompat & EXT4_INCOMPAT_FILETYPE) == 0) {
    ext4_env_log("ext4: no filetype feature: mount read-only");
    return -EROFS;
  }
  return 0;
}

/* Blocks that never hold file data: group metadata and the journal. */
static uint64_t count_overhead(struct ext4_fs *fs, uint64_t journal_blocks)
{
  if (fs->sb.s_overhead_clusters)
    return fs->sb.s_overhead_clusters;
  uint64_t n = fs->first_data_block + journal_blocks;
  for (uint32_t g = 0; g < fs->ngroups; g++)
    n += ext4_group_overhead(fs, g) + 2 + fs->itable_blocks;
  return n;
}

/* Write the in-memory superblock (with the current counts) into its block. */
int ext4_super_write(struct ext4_fs *fs)
{
  struct ext4_super *s = &fs->sb;
  int32_t ns;
  int64_t now = ext4_env_now(&ns);
  s->s_free_blocks_count_lo = (uint32_t)fs->free_blocks;
  if (fs->incompat & EXT4_INCOMPAT_64BIT)
    s->s_free_blocks_count_hi = (uint32_t)(fs->free_blocks >> 32);
  s->s_free_inodes_count = fs->free_inodes;
  s->s_wtime = (uint32_t)now;
  s->s_times_hi[0] = (uint8_t)(now >> 32);
  if (fs->csum)
    s->s_checksum = super_csum(s);
  int err = 0;
  struct ext4_buf *b = ext4_bread(fs, fs->sb_block, &err);
  if (!b)
    return err;
  memcpy((uint8_t *)ext4_bdata(b) + fs->sb_offset, s, sizeof(*s));
  err = ext4_bdirty(fs, b, fs->sb_block);
  ext4_brelse(b);
  fs->sb_dirty = false;
  return err;
}

/* Write the superblock home now, around the journal (the needs_recovery
 * flag at mount and at a clean unmount, as Linux does), and flush. */
static int super_write_sync(struct ext4_fs *fs)
{
  struct ext4_super *s = &fs->sb;
  s->s_free_blocks_count_lo = (uint32_t)fs->free_blocks;
  if (fs->incompat & EXT4_INCOMPAT_64BIT)
    s->s_free_blocks_count_hi = (uint32_t)(fs->free_blocks >> 32);
  s->s_free_inodes_count = fs->free_inodes;
  if (fs->csum)
    s->s_checksum = super_csum(s);
  int err = 0;
  struct ext4_buf *b = ext4_bread(fs, fs->sb_block, &err);
  if (!b)
    return err;
  memcpy((uint8_t *)ext4_bdata(b) + fs->sb_offset, s, sizeof(*s));
  err = ext4_env_bwrite(b);
  ext4_brelse(b);
  return err ? err : ext4_env_flush(fs->dev);
}

static void fs_free(struct ext4_fs *fs)
{
  if (fs->lock)
    ext4_env_lock_free(fs->lock);
  ext4_env_free(fs->groups);
  ext4_env_free(fs->verified);
  ext4_env_free(fs->later);
  ext4_env_free(fs->nodes);
  ext4_env_free(fs->zeros);
  ext4_env_free(fs);
}

/* Mark a read-write mount on disk, as Linux does: the journal needs
 * recovery from now on until a clean unmount. */
static int mark_mounted(struct ext4_fs *fs)
{
  struct ext4_super *s = &fs->sb;
  int32_t ns;
  int64_t now = ext4_env_now(&ns);
  if (!fs->j)
    s->s_state &= (uint16_t)~EXT4_STATE_VALID;
  else
    s->s_feature_incompat |= EXT4_INCOMPAT_RECOVER;
  s->s_mnt_count++;
  s->s_mtime = (uint32_t)now;
  s->s_times_hi[1] = (uint8_t)(now >> 32);
  return super_write_sync(fs);
}

int ext4_mount(void *dev, bool read_only, struct ext4_fs **fsp)
{
  struct ext4_fs *fs = ext4_env_zalloc(sizeof(*fs));
  if (!fs)
    return -ENOMEM;
  fs->dev = dev;
  int r = read_super(dev, &fs->sb);
  if (!r)
    r = parse_super(fs);
  if (!r)
    r = check_features(fs, read_only || ext4_env_read_only(dev));
  if (r) {
    fs_free(fs);
    return r;
  }
  fs->read_only = read_only || ext4_env_read_only(dev);
  fs->was_dirty = !(fs->sb.s_state & EXT4_STATE_VALID) || (fs->sb.s_state & EXT4_STATE_ERROR);
  fs->lock = ext4_env_lock_new("ext4");
  fs->nodes = ext4_env_zalloc(EXT4_NODE_BUCKETS * sizeof(struct ext4_node *));
  fs->zeros = ext4_env_zalloc(fs->block_size);
  if (!fs->lock || !fs->nodes || !fs->zeros) {
    fs_free(fs);
    return -ENOMEM;
  }
  fs->refs = 1;
  if (fs->nblocks <= (1ULL << 30))  /* at most 128 MiB of bits */
    fs->verified = ext4_env_zalloc((size_t)(fs->nblocks + 7) / 8);
  ext4_env_lock(fs->lock);
  r = load_groups(fs);
  uint64_t jblocks = 0;
  if (!r && (fs->compat & EXT4_COMPAT_HAS_JOURNAL)) {
    /* Replaying may rewrite the superblock and descriptors: read them again. */
    bool replayed = false;
    r = ext4_journal_load(fs, &replayed);
    if (!r && replayed && !(r = read_super(dev, &fs->sb)) && !(r = parse_super(fs)))
      r = load_groups(fs);
  } else if (!r && (fs->incompat & EXT4_INCOMPAT_RECOVER)) {
    ext4_env_log("ext4: needs recovery but has no journal");
    r = -EINVAL;
  }
  struct ext4_node *root = NULL;
  if (!r)
    r = ext4_node_get_locked(fs, EXT4_ROOT_INO, &root);
  if (!r && !ext4_is_dir(root))
    r = ext4_corrupt(fs, "root is not a directory", root->mode);
  if (!r) {
    fs->root = root;
    struct ext4_node *jn = NULL;
    if (fs->sb.s_journal_inum && ext4_node_get_locked(fs, fs->sb.s_journal_inum, &jn) == 0) {
      jblocks = jn->blocks / fs->sectors_per_block;
      ext4_node_put_locked(fs, jn);
    }
    fs->overhead = count_overhead(fs, jblocks);
  }
  if (!r && !fs->read_only)
    r = ext4_orphans_recover(fs);
  if (!r && !fs->read_only)
    r = mark_mounted(fs);
  if (r) {
    fs->read_only = true;  /* nothing more is written */
    if (root)
      ext4_node_put_locked(fs, root);
    ext4_journal_close(fs, false);
    ext4_env_unlock(fs->lock);
    fs_free(fs);
    return r;
  }
  ext4_env_unlock(fs->lock);
  *fsp = fs;
  return 0;
}

int ext4_sync(struct ext4_fs *fs)
{
  ext4_env_lock(fs->lock);
  int r = 0;
  if (!fs->read_only && !fs->unmounted)
    r = ext4_commit_locked(fs, false);
  if (!r && !fs->j && !fs->read_only)
    r = ext4_env_bsync(fs->dev);
  ext4_env_unlock(fs->lock);
  return r;
}

/* Everything committed and home, the file system marked clean on disk
 * (no recovery needed). Caller holds fs->lock; fs is read-write. */
static int leave_clean(struct ext4_fs *fs)
{
  int r = ext4_commit_locked(fs, true);  /* everything home, the log empty */
  if (!r) {
    fs->sb.s_feature_incompat &= ~(uint32_t)EXT4_INCOMPAT_RECOVER;
    if (!fs->was_dirty)
      fs->sb.s_state |= EXT4_STATE_VALID;
    r = ext4_env_bsync(fs->dev);
    if (!r)
      r = super_write_sync(fs);
  }
  return r;
}

/* Read-only to read-write: what ext4_mount does for a read-write mount
 * after the tree is loaded. Caller holds fs->lock. */
static int make_writable(struct ext4_fs *fs)
{
  if (ext4_env_read_only(fs->dev))
    return -EACCES;  /* Linux's reconfigure_super */
  int r = check_features(fs, false);
  if (r)
    return r;
  fs->read_only = false;
  if (fs->compat & EXT4_COMPAT_HAS_JOURNAL) {
    bool replayed = false;
    r = ext4_journal_load(fs, &replayed);
    if (!r && replayed && !(r = read_super(fs->dev, &fs->sb)) && !(r = parse_super(fs)))
      r = load_groups(fs);
  }
  if (!r)
    r = ext4_orphans_recover(fs);
  if (!r)
    r = mark_mounted(fs);
  if (r) {
    ext4_journal_close(fs, false);
    fs->read_only = true;
  }
  return r;
}

int ext4_remount(struct ext4_fs *fs, bool read_only)
{
  ext4_env_lock(fs->lock);
  int r = 0;
  if (fs->unmounted || read_only == fs->read_only) {
    /* nothing to change */
  } else if (read_only) {
    r = leave_clean(fs);
    if (!r) {
      ext4_journal_close(fs, true);
      fs->read_only = true;
    }
  } else {
    r = make_writable(fs);
  }
  ext4_env_unlock(fs->lock);
  return r;
}

int ext4_unmount(struct ext4_fs *fs)
{
  ext4_env_lock(fs->lock);
  int r = 0;
  if (!fs->read_only && !fs->unmounted)
    r = leave_clean(fs);
  ext4_journal_close(fs, r == 0);
  fs->unmounted = true;
  ext4_env_binvalidate(fs->dev, 0, ext4_env_nsectors(fs->dev));
  if (fs->root)
    ext4_node_put_locked(fs, fs->root);
  fs->root = NULL;
  bool last = --fs->refs == 0;
  ext4_env_unlock(fs->lock);
  if (last)
    fs_free(fs);
  return r;
}

void ext4_abandon(struct ext4_fs *fs)
{
  ext4_journal_abandon(fs);
  ext4_nodes_abandon(fs);
  fs_free(fs);
}

/* The last reference to an unmounted volume went (ext4_node_put). */
void ext4_fs_free(struct ext4_fs *fs)
{
  fs_free(fs);
}

void ext4_statfs(struct ext4_fs *fs, struct ext4_statfs *st)
{
  ext4_env_lock(fs->lock);
  st->block_size = fs->block_size;
  st->blocks = fs->nblocks > fs->overhead ? fs->nblocks - fs->overhead : 0;
  uint64_t free = fs->free_blocks > fs->reserved ? fs->free_blocks - fs->reserved : 0;
  st->free = free;
  st->avail = free > fs->r_blocks ? free - fs->r_blocks : 0;
  st->files = fs->inodes_count;
  st->ffree = fs->free_inodes;
  ext4_env_unlock(fs->lock);
}
