/*
 * fat32.h — the FAT32 core: a FAT32 file system on a block device, with
 * VFAT long names, that knows nothing about Kite.
 *
 * Layers:
 *   fs/fat/fat_vfs.c         Kite's VFS glue (inodes, page cache; the mount
 *                            in fat_vfs_super.c)
 *   fs/fat/fat_dir.c         directories: create, unlink, readdir; with
 *     fat_rename.c, fat_dindex.c (the name index, lookup), fat_slots.c
 *     (directory I/O), fat_name.c (long names, 8.3 aliases): fat_dir.h
 *   fs/fat/fat32.c           the volume: boot sector, FSInfo, the node table
 *   fs/fat/fat_file.c        file data, sizes, times, attributes
 *   fs/fat/fat_table.c       the FAT: cluster allocation and mapping, entries
 *   fs/fat/fat_time.c        DOS dates and times
 *   fs/fat/fat_env.h         memory, lock, time, blocks: fat_env_kernel.c in
 *                            the kernel, testsuite/host/fat_env_host.c on the host
 *
 * A file or directory in use is a `struct fat_node`. There is at most one
 * node per directory entry: the core keeps them in a table keyed by the
 * entry's position (the parent directory's first cluster and the slot
 * index), so looking up "README" and "readme" gives the same node, and a
 * rename moves the node to its new position. A node stays valid while it
 * is referenced, even after its name is removed (an unlinked open file):
 * its clusters are freed when the last reference goes.
 *
 * Locking: every function here takes fs->lock (a sleeping lock) itself, so
 * callers need no lock of their own. Node fields are protected by fs->lock;
 * read them through fat_getattr(). The core never calls out while holding
 * it except to the environment (fat_env.h).
 *
 * File data: fat_read()/fat_write() move whole sectors between a file and
 * a contiguous buffer (a page), straight to the device — the caller's page
 * cache is the only copy. Bytes of a file beyond `valid` are not trusted on
 * disk: reads return zeros there, and writes past it zero the gap first, so
 * FAT's "no holes" rule is kept (a sparse seek costs zero-filling).
 */
#ifndef KITE_FAT32_H
#define KITE_FAT32_H

#include "fs/fat/fat_env.h"

/* ---- limits and on-disk constants ---- */
#define FAT_ROOT_INO 1
#define FAT_MAX_LFN 255                  /* UTF-16 units in a long name */
#define FAT_NAME_MAX (FAT_MAX_LFN * 3)   /* bytes of a long name in UTF-8 */
#define FAT_MAX_FILE_SIZE 0xffffffffULL  /* the size field is 32 bits */
#define FAT_MAX_DIR_SLOTS 65536          /* 2 MiB of 32-byte entries */
#define FAT_UNKNOWN 0xffffffffu

#define FAT_ATTR_RO 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME 0x08
#define FAT_ATTR_DIR 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LFN 0x0f

/* rename flags (Linux's values) */
#define FAT_RENAME_NOREPLACE 1
#define FAT_RENAME_EXCHANGE 2

struct fat_node;
struct fat_dindex;

/* ---- the volume ---- */
struct fat_fs {
  /* Set at mount, then only read. */
  void *dev;                   /* the environment's device */
  uint32_t sector_size;        /* bytes per sector (512 .. 4096) */
  uint32_t sec_per_clus;
  uint32_t cluster_size;       /* bytes per cluster */
  uint32_t cluster_shift;      /* log2(cluster_size) */
  uint32_t dev_per_sector;     /* 512-byte device sectors per sector */
  uint32_t reserved_sectors;   /* the first FAT starts here */
  uint32_t nfats;
  uint32_t fat_sectors;        /* sectors per FAT */
  uint32_t primary_fat;        /* the FAT we read (0 unless mirroring is off) */
  bool mirror;                 /* write every FAT copy */
  uint64_t data_start;         /* sector of cluster 2 */
  uint32_t nclusters;          /* valid cluster numbers: 2 .. nclusters + 1 */
  uint32_t root_cluster;
  uint32_t fsinfo_sector;      /* 0: no FSInfo */
  bool read_only;
  bool was_dirty;              /* "not cleanly unmounted" was set at mount */
  void *zeros;                 /* FAT_ZERO_BUF bytes of zeros, for zero-filling */

  struct fat_env_lock *lock;   /* fs->lock: everything below and all nodes */
  uint32_t free_count;         /* free clusters, FAT_UNKNOWN until counted */
  uint32_t next_free;          /* where to start looking for a free cluster */
  bool fsinfo_dirty;           /* free_count/next_free differ from FSInfo */
  bool dirty_flag_set;         /* we set the boot sector's dirty bit */
  bool unmounted;
  int refs;                    /* the mount + every node */
  struct fat_node *root;
  struct fat_node **pos_table; /* nodes by entry position (FAT_POS_BUCKETS) */
  struct fat_node *moved;      /* nodes whose ino is not their position's */
  uint64_t spare_ino;          /* inode numbers for those that collide */
  uint64_t nr_nodes;
};

#define FAT_POS_BUCKETS 1024
#define FAT_ZERO_BUF 65536

/* ---- a file or directory in use ---- */
struct fat_node {
  uint64_t ino;                /* stable while the node lives */
  int refs;
  void *owner;                 /* the environment's object (Kite: struct inode);
                                  the core never touches it, the environment locks it */
  /* Where its short entry is. */
  uint32_t dir_cluster;        /* first cluster of the parent directory */
  uint32_t slot;               /* index of the short entry in it */
  uint32_t nslots;             /* long-name slots + 1 */
  uint64_t entry_sector;       /* the sector holding the short entry ... */
  uint32_t entry_off;          /* ... and its byte offset there */
  bool linked;                 /* has a name (false: unlinked, or the root) */
  bool is_dir;
  uint8_t attr;
  uint32_t first;              /* first cluster, 0 if none */
  uint32_t size;               /* the size field (0 for directories) */
  uint64_t valid;              /* bytes [0, valid) on disk are the file's */
  int64_t mtime, atime, crtime;  /* seconds since 1970 (FAT resolution) */
  /* The cluster chain: length and last cluster when known, and a cursor
   * (the cursor'th cluster is cur_clus) so sequential access is O(1). */
  uint32_t nclus;              /* FAT_UNKNOWN until walked */
  uint32_t last;
  uint32_t cur_idx, cur_clus;  /* cur_clus 0: no cursor */
  struct fat_dindex *index;    /* directories: their names (fat_dir.c), or NULL */
  struct fat_node *pos_next;   /* in fs->pos_table */
  struct fat_node *moved_next; /* in fs->moved */
  bool in_table, in_moved;
};

/* What stat() needs, and what fat_setattr() may change. */
struct fat_attr {
  bool is_dir;
  bool read_only;              /* ATTR_RO */
  bool linked;                 /* still has a name */
  uint64_t ino;
  uint64_t size;
  uint64_t valid;              /* bytes of file data on disk (see fat_write) */
  int64_t mtime, atime, crtime;
  uint32_t first;
};
#define FAT_SET_SIZE 1
#define FAT_SET_MTIME 2
#define FAT_SET_ATIME 4
#define FAT_SET_RO 8

/* One directory entry as readdir returns it. */
struct fat_dirent {
  char name[FAT_NAME_MAX + 1]; /* UTF-8, NUL-terminated */
  size_t len;
  uint64_t ino;
  bool is_dir;
};

/* ---- fat32.c: the volume ---- */
/* Read and check the boot sector; *fsp gets a new volume. -EINVAL: not FAT32. */
int fat_mount(void *dev, bool read_only, struct fat_fs **fsp);
/* Write everything back, mark the volume clean and drop the mount's
 * reference (the volume is freed when no node is left). */
int fat_unmount(struct fat_fs *fs);
/* Write back the FSInfo hints and every cached block, and flush the device. */
int fat_sync(struct fat_fs *fs);
/* Make a mounted volume read-only (synced, its dirty bit cleared, as an
 * unmount leaves it) or read-write again (the bit set, as a read-write
 * mount sets it). 0; -EACCES: the device is read-only. */
int fat_remount(struct fat_fs *fs, bool read_only);
/* Cluster size and counts of all and free clusters (counts the FAT once). */
void fat_statfs(struct fat_fs *fs, uint32_t *cluster_size, uint64_t *total, uint64_t *free);

/* ---- internal to the core (fat32.c, fat_table.c, fat_file.c, fat_dir.c ...) ---- */
/* Cluster chains (fat_table.c), fs->lock held: bmap sets *clus to cluster
 * idx of n's chain (0 past its end); chain_length makes n->nclus and
 * n->last known (walks the chain once); extend appends count clusters,
 * all or none (-ENOSPC), zeroed through the block cache if zero (for
 * directories); free_chain frees the chain from first; shrink keeps n's
 * first keep clusters and frees the rest. 0 or -errno: -EIO (a read
 * error or a broken chain), -EROFS (extend, shrink on a read-only
 * volume). */
int fat_bmap_locked(struct fat_fs *fs, struct fat_node *n, uint32_t idx, uint32_t *clus);
int fat_chain_length_locked(struct fat_fs *fs, struct fat_node *n);
int fat_extend_locked(struct fat_fs *fs, struct fat_node *n, uint32_t count, bool zero);
int fat_free_chain_locked(struct fat_fs *fs, uint32_t first);
int fat_shrink_locked(struct fat_fs *fs, struct fat_node *n, uint32_t keep);
/* The first sector of data cluster clus / is clus a data cluster of this
 * volume (2 .. nclusters + 1)? Pure. */
uint64_t fat_cluster_sector(struct fat_fs *fs, uint32_t clus);
bool fat_cluster_ok(struct fat_fs *fs, uint32_t clus);
/* The node table (fat32.c), fs->lock held. put_locked drops a reference
 * the caller does not hold the last of. find_locked: the live node of the
 * entry at (dir_cluster, slot), not referenced, or NULL; hash/unhash put
 * a node in that table / take it out (a no-op if it is not there). */
void fat_node_put_locked(struct fat_fs *fs, struct fat_node *n);
struct fat_node *fat_node_find_locked(struct fat_fs *fs, uint32_t dir_cluster, uint32_t slot);
void fat_node_hash_locked(struct fat_fs *fs, struct fat_node *n);
void fat_node_unhash_locked(struct fat_fs *fs, struct fat_node *n);
/* Inode numbers: an entry's position (pure: dir_cluster << 16 | slot);
 * new_ino_locked the number for a new node there (the position, unless a
 * renamed node still carries it); moved_locked records that n's position
 * changed under its old number (fs->lock held). */
uint64_t fat_pos_ino(uint32_t dir_cluster, uint32_t slot);
uint64_t fat_new_ino_locked(struct fat_fs *fs, uint32_t dir_cluster, uint32_t slot);
void fat_moved_locked(struct fat_fs *fs, struct fat_node *n);
/* Write n's size, first cluster, attributes and times into its directory
 * entry (through the block cache): 0 or -EIO. fs->lock held. */
int fat_write_entry_locked(struct fat_fs *fs, struct fat_node *n);
/* fat_table.c, for fat_file.c and fat32.c (fs->lock held): a metadata
 * block through the environment's cache (fat_env_brelse it; NULL with *err
 * set), the count of free clusters (reads the whole FAT), freeing a chain
 * (was_dir: a directory's, whose clusters leave the block cache), and cluster idx of
 * n's chain with the length of the run of consecutive clusters from it
 * (at most maxrun; *clus = 0 past the end). */
struct fat_buf *fat_get_block(struct fat_fs *fs, uint64_t sector, int *err);
int fat_count_free_locked(struct fat_fs *fs);
int fat_free_chain(struct fat_fs *fs, uint32_t first, bool was_dir);
int fat_map_run(struct fat_fs *fs, struct fat_node *n, uint32_t idx, uint32_t maxrun,
                uint32_t *clus, uint32_t *run);

/* ---- nodes ---- */
/* The root directory's node, with a reference the caller drops with
 * fat_node_put. Takes fs->lock. */
struct fat_node *fat_root(struct fat_fs *fs);
/* Take another reference to n (the caller holds one). Takes fs->lock. */
void fat_node_get(struct fat_fs *fs, struct fat_node *n);
/* Drop a reference (NULL: nothing); the last one frees an unlinked node's
 * clusters. Takes fs->lock: call without it. */
void fat_node_put(struct fat_fs *fs, struct fat_node *n);
void fat_getattr(struct fat_fs *fs, struct fat_node *n, struct fat_attr *a);
/* Change size (shrink frees clusters, growing zero-fills), times, ATTR_RO;
 * writes the directory entry. -EFBIG past 4 GiB - 1, -ENOSPC. */
int fat_setattr(struct fat_fs *fs, struct fat_node *n, const struct fat_attr *a, unsigned mask);
/* Allocate clusters so the file can hold `size` bytes, without changing its
 * size (a write() about to happen). -ENOSPC if not all could be had: then
 * the allocation covers as many bytes as *got says. */
int fat_reserve(struct fat_fs *fs, struct fat_node *n, uint64_t size, uint64_t *got);

/* ---- file data ---- */
/* Read len bytes at off (a multiple of the sector size) into buf, which has
 * room for len rounded up to whole sectors. Bytes past `valid` read as 0. */
int fat_read(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len);
/* Write len bytes at off (a multiple of the sector size) from buf (len
 * rounded up to whole sectors is written). Allocates clusters as needed and
 * zero-fills any gap after `valid`. Does not change the size field. */
int fat_write(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf, size_t len);
/* Byte-granular read and write (write updates the size): for callers
 * without a page cache, such as the host tests. Return bytes or -errno. */
long fat_pread(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len);
long fat_pwrite(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf, size_t len);

/* ---- directories (fat_dir.c, fat_dindex.c, fat_rename.c, fat_name.c) ---- */
/* Is `name` acceptable for a new entry? 0, -EINVAL (a character FAT
 * forbids, or a trailing space), -ENAMETOOLONG, -ENOENT (only dots). */
int fat_check_name(const char *name, size_t len);
/* Find `name` (case-insensitively, long or 8.3) in dir. -ENOENT if absent. */
int fat_lookup(struct fat_fs *fs, struct fat_node *dir, const char *name, size_t len,
               struct fat_node **out);
/* Make a file or (with . and ..) a directory. -EEXIST if the name exists. */
int fat_create(struct fat_fs *fs, struct fat_node *dir, const char *name, size_t len, bool is_dir,
               struct fat_node **out);
/* Remove a file's name (its clusters go with the last reference). */
int fat_unlink(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n);
/* Remove an empty directory's name. -ENOTEMPTY. */
int fat_rmdir(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n);
/* Give n (in odir) the name `name` in ndir, replacing what is there unless
 * FAT_RENAME_NOREPLACE; FAT_RENAME_EXCHANGE swaps the two. A directory
 * moved to another parent gets its ".." fixed. */
int fat_rename(struct fat_fs *fs, struct fat_node *odir, struct fat_node *n, struct fat_node *ndir,
               const char *name, size_t len, unsigned flags);
/* The first entry at or after *pos (a slot index; start with 0), skipping
 * "." and "..". Returns 1 and advances *pos past it, 0 at the end, or -errno. */
int fat_readdir(struct fat_fs *fs, struct fat_node *dir, uint64_t *pos, struct fat_dirent *de);
/* Number of subdirectories (for a directory's link count). */
int fat_count_subdirs(struct fat_fs *fs, struct fat_node *dir);
/* For tests: does dir's name index agree with the disk? 0 if so. */
int fat_dir_check_index(struct fat_fs *fs, struct fat_node *dir);
/* Does the directory hold anything besides . and ..? 1, 0 or -errno. */
int fat_dir_nonempty_locked(struct fat_fs *fs, struct fat_node *dir);

/* ---- helpers shared by the core and its tests ---- */
/* DOS date/time <-> seconds since 1970 (UTC); dates clamp to 1980..2107. */
int64_t fat_time_to_unix(uint16_t date, uint16_t time);
void fat_time_from_unix(int64_t t, uint16_t *date, uint16_t *time);
/* The checksum of an 11-byte short name, stored in its long-name slots. */
uint8_t fat_lfn_checksum(const uint8_t name[11]);

#endif
