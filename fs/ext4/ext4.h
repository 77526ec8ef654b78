/*
 * ext4.h — the ext4 core: an ext4 (and ext2/ext3) file system on a block
 * device, with its jbd2 journal, that knows nothing about Kite.
 *
 * Layers:
 *   fs/ext4/ext4_vfs.c       Kite's VFS glue (inodes, page cache; the mount
 *                            in ext4_vfs_super.c)
 *   fs/ext4/ext4_namei.c     name operations: create, link, unlink, rename
 *   fs/ext4/ext4_dir.c       directory blocks: entries, linear search, readdir
 *   fs/ext4/ext4_htree.c     the hashed directory index (lookup, insert, split)
 *   fs/ext4/ext4_file.c      file data: read, write, reserve, truncate, fallocate
 *   fs/ext4/ext4_extent.c    extent trees;  ext4_indirect.c  the old block map
 *   fs/ext4/ext4_inode.c     inodes: the node table, read/write, orphans
 *   fs/ext4/ext4_alloc.c     bitmaps: block and inode allocation
 *   fs/ext4/ext4_super.c     mount, superblock, group descriptors, statfs, sync
 *   fs/ext4/ext4_journal.c   transactions, commit, checkpoint (jbd2 format)
 *   fs/ext4/ext4_replay.c    journal recovery at mount
 *   fs/ext4/ext4_xattr.c     extended attributes, inline data
 *   fs/ext4/ext4_csum.c      crc32c, crc16, directory hashes
 *   fs/ext4/ext4_env.h       memory, lock, time, blocks: ext4_env_kernel.c in
 *                            the kernel, testsuite/host/ext4_env_host.c on the host
 *
 * A file in use is a `struct ext4_node`, at most one per inode number (the
 * core keeps them in a table). A node stays valid while referenced, even
 * after its last name is gone (an unlinked open file, kept on the orphan
 * list): its blocks are freed when the last reference goes.
 *
 * Locking: every public function takes fs->lock (a sleeping lock) itself
 * and holds it throughout; callers need no lock of their own. Functions
 * named *_locked, and everything in ext4_int.h, expect it held. The core
 * never calls out while holding it except to the environment.
 *
 * Metadata changes are made in transactions (ext4_journal.c): a public
 * function that writes opens one, changes blocks and says so, and the
 * running transaction is committed to the journal at fsync, sync, unmount,
 * when it grows big, or every few seconds (the caller's periodic sync).
 *
 * File data goes straight between the caller's buffers (pages) and the
 * disk, in whole blocks, never through the journal. Blocks for data written
 * with write() are *reserved* then (ENOSPC at once) and allocated when the
 * data is written back (ext4_write), so data reaches the disk before the
 * metadata that points at it is committed (Linux's data=ordered).
 */
#ifndef KITE_EXT4_H
#define KITE_EXT4_H

#include "fs/ext4/ext4_env.h"
#include "fs/ext4/ext4_layout.h"

/* ---- limits ---- */
#define EXT4_NODE_BUCKETS 1024
#define EXT4_MAX_SYMLINK 4095            /* target length (a page less the NUL) */
#define EXT4_FAST_SYMLINK_MAX 59         /* stored in i_block */
#define EXT4_LINK_MAX 65000              /* i_links_count; dir_nlink counts 1 beyond */
#define EXT4_MAX_FILE_BLOCKS 0xffffffffULL /* logical blocks an extent can name (2^32) */
#define EXT4_RA_MAX_BYTES (128 * 1024)

/* rename flags (Linux's values) */
#define EXT4_RENAME_NOREPLACE 1
#define EXT4_RENAME_EXCHANGE 2

/* fallocate modes (Linux's values) */
#define EXT4_FALLOC_KEEP_SIZE 1
#define EXT4_FALLOC_PUNCH_HOLE 2

struct ext4_node;
struct ext4_journal;
struct ext4_da;

struct ext4_time {
  int64_t sec;
  uint32_t nsec;
};

/* A block group as the core keeps it (the on-disk descriptor, decoded). */
struct ext4_group {
  uint64_t block_bitmap, inode_bitmap, inode_table;
  uint32_t free_blocks, free_inodes, used_dirs, itable_unused;
  uint16_t flags;                /* EXT4_BG_* */
  uint32_t block_bitmap_csum, inode_bitmap_csum;  /* crc32c of the bitmaps */
  uint8_t state;                 /* EXT4_GS_*: in memory only */
};
#define EXT4_GS_DESC_DIRTY 1     /* the descriptor must be written */
#define EXT4_GS_BB_CSUM 2        /* the block bitmap's checksum must be recomputed */
#define EXT4_GS_IB_CSUM 4        /* likewise the inode bitmap's */
#define EXT4_GS_BB_OK 8          /* the block bitmap's checksum was verified */
#define EXT4_GS_IB_OK 16

/* Blocks freed since the last commit: not reused before it (a crash
 * would otherwise find them holding another file's data). */
struct ext4_range {
  uint64_t start, count;
};
#define EXT4_MAX_PENDING_FREE 256

/* A directory block changed since the last commit; its checksum is
 * computed once, at the commit (ext4_alloc_flush), not at every change. */
struct ext4_csum_later {
  uint64_t blk;
  uint32_t seed;                 /* the directory's inode checksum seed */
  uint32_t count_offset;         /* 0: a leaf (tail entry); else an index block */
};

/* ---- the volume ---- */
struct ext4_fs {
  /* Set at mount, then only read. */
  void *dev;                     /* the environment's device */
  bool read_only;                /* mounted read-only (asked for, or forced) */
  uint32_t block_size;           /* 1024, 2048 or 4096 */
  uint32_t log_block;            /* log2(block_size) */
  uint32_t sectors_per_block;    /* 512-byte device sectors per block */
  uint64_t nblocks;
  uint32_t first_data_block;     /* 1 with 1 KiB blocks, else 0 */
  uint32_t blocks_per_group, inodes_per_group, ngroups;
  uint32_t inodes_count, first_ino;
  uint32_t inode_size;           /* bytes per inode on disk */
  uint32_t desc_size;            /* 32 or 64 */
  uint32_t itable_blocks;        /* inode-table blocks per group */
  uint32_t groups_per_flex;      /* 1 without flex_bg */
  uint32_t compat, incompat, ro_compat;
  bool csum;                     /* metadata_csum: crc32c everywhere */
  bool gdt_csum;                 /* the older crc16 on descriptors */
  uint32_t csum_seed;            /* crc32c(~0, uuid) or s_checksum_seed */
  uint32_t hash_seed[4];
  uint8_t hash_version;          /* for new indexes, unsigned variant applied */
  bool unsigned_hash;
  uint64_t sb_block;             /* the block holding the superblock ... */
  uint32_t sb_offset;            /* ... and its offset in it */
  uint32_t gdt_blocks;           /* blocks of group descriptors (not meta_bg) */
  uint16_t want_extra_isize;     /* i_extra_isize for new inodes */
  uint64_t overhead;             /* blocks that never hold data (statfs) */
  void *zeros;                   /* a block of zeros */

  struct ext4_env_lock *lock;    /* fs->lock: everything below, and all nodes */
  struct ext4_super sb;          /* the superblock (counts kept current) */
  struct ext4_group *groups;     /* ngroups descriptors */
  uint64_t free_blocks;          /* exact */
  uint32_t free_inodes;
  uint64_t reserved;             /* blocks promised to delayed writes */
  uint64_t r_blocks;             /* blocks kept back (s_r_blocks_count) */
  uint32_t last_group;           /* where the last allocation happened */
  struct ext4_range *pending_free; /* EXT4_MAX_PENDING_FREE, merged */
  uint32_t npending_free;
  bool ignore_pending;           /* allocating from pending_free too (disk full) */
  struct ext4_csum_later *later; /* directory blocks whose checksum is due at the commit */
  uint32_t nlater, caplater;
  struct ext4_journal *j;        /* NULL without a journal (or read-only) */
  bool sb_dirty;                 /* counts changed: write the superblock at commit */
  bool unmounted;
  bool was_dirty;                /* not cleanly unmounted when mounted */
  int refs;                      /* the mount + every node */
  struct ext4_node *root;
  uint8_t *verified;             /* a bit per block: checksum verified once (or NULL) */
  struct ext4_node **nodes;      /* nodes by inode number (EXT4_NODE_BUCKETS) */
  uint64_t nr_nodes;
  /* Statistics for the tests. */
  uint64_t stat_commits, stat_checkpoints;
};

/* ---- a file in use ---- */
struct ext4_node {
  uint32_t ino;
  int refs;
  void *owner;                   /* the environment's object (Kite: struct inode) */
  struct ext4_node *hnext;       /* in fs->nodes */
  uint8_t *raw;                  /* the on-disk inode (fs->inode_size bytes) */
  /* Decoded from raw, written back into it by ext4_inode_write_locked(). */
  uint32_t mode, uid, gid, links;
  uint64_t size;
  uint64_t blocks;               /* in 512-byte units */
  uint32_t flags;                /* i_flags */
  uint32_t generation;
  uint64_t file_acl;             /* extended-attribute block, 0 if none */
  struct ext4_time atime, mtime, ctime, crtime;
  uint32_t dtime;                /* on the orphan list: the next orphan */
  uint32_t csum_seed;            /* crc32c(fs seed, ino, generation) */
  uint16_t extra_isize;
  /* In memory only. */
  bool orphan;                   /* on the orphan list on disk */
  bool freed;                    /* its inode has been given back */
  struct { uint32_t lblk, len; uint64_t pblk; bool unwritten; } ec;  /* last extent looked up (len 0: none) */
  struct ext4_da *da;            /* blocks reserved for delayed writes */
};

/* What stat() needs, and what ext4_setattr() may change. */
struct ext4_attr {
  uint64_t ino;
  uint32_t mode, uid, gid, nlink;
  uint64_t size;
  uint64_t blocks;               /* 512-byte units, promised blocks included */
  uint64_t rdev;                 /* Linux's encoding (major << 8 | minor ...) */
  uint32_t flags;
  struct ext4_time atime, mtime, ctime, crtime;
};
#define EXT4_SET_MODE 1
#define EXT4_SET_UID 2
#define EXT4_SET_GID 4
#define EXT4_SET_SIZE 8
#define EXT4_SET_ATIME 16
#define EXT4_SET_MTIME 32
#define EXT4_SET_CTIME 64

/* One directory entry as readdir returns it. */
struct ext4_dirent {
  char name[EXT4_NAME_LEN + 1];  /* NUL-terminated */
  size_t len;
  uint64_t ino;
  uint8_t type;                  /* EXT4_FT_* */
};

struct ext4_statfs {
  uint32_t block_size;
  uint64_t blocks, free, avail;  /* avail: free less the reserved blocks */
  uint64_t files, ffree;
};

/* ---- ext4_super.c: the volume ---- */
/* Read and check the superblock and descriptors, replay the journal if it
 * needs it, finish orphans; *fsp gets a new volume. -EINVAL: not ext4;
 * -EROFS: features Kite cannot write and read_only was not asked for. */
int ext4_mount(void *dev, bool read_only, struct ext4_fs **fsp);
/* Commit, checkpoint, mark clean, and drop the mount's reference (the
 * volume is freed when no node is left). */
int ext4_unmount(struct ext4_fs *fs);
/* Commit the running transaction (everything done so far is durable). */
int ext4_sync(struct ext4_fs *fs);
/* Make a mounted file system read-only (committed and marked clean, as an
 * unmount leaves it) or read-write again (as a read-write mount makes it).
 * 0; -EACCES: the device is read-only; -EROFS: features Kite cannot write. */
int ext4_remount(struct ext4_fs *fs, bool read_only);
void ext4_statfs(struct ext4_fs *fs, struct ext4_statfs *st);
/* The device went away (a power cut, in the tests): free the volume's
 * memory, nodes included, without writing or touching the block cache. */
void ext4_abandon(struct ext4_fs *fs);
/* Is this a superblock of ext2/3/4? (probing; reads block 1 KiB..2 KiB) */
bool ext4_probe(void *dev);

/* ---- ext4_inode.c: nodes ---- */
/* The root directory's node, with a reference the caller drops with
 * ext4_node_put (NULL once the volume is torn down). Takes fs->lock. */
struct ext4_node *ext4_root(struct ext4_fs *fs);
/* The node of inode `ino`, referenced. -ESTALE if it is not in use. */
int ext4_iget(struct ext4_fs *fs, uint32_t ino, struct ext4_node **out);
void ext4_node_get(struct ext4_fs *fs, struct ext4_node *n);
/* Drop a reference; the last one frees an unlinked inode and its blocks. */
void ext4_node_put(struct ext4_fs *fs, struct ext4_node *n);
void ext4_getattr(struct ext4_fs *fs, struct ext4_node *n, struct ext4_attr *a);
/* Change what mask says; EXT4_SET_SIZE truncates or extends (zeros). */
int ext4_setattr(struct ext4_fs *fs, struct ext4_node *n, const struct ext4_attr *a, unsigned mask);

/* ---- ext4_dir.c, ext4_namei.c: directories and names ---- */
/* Find `name` in dir; *out referenced. -ENOENT if absent. */
int ext4_lookup(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                struct ext4_node **out);
/* The entry at or after *pos (a byte offset; start with 0), skipping "."
 * and "..". 1 and *pos advanced past it, 0 at the end, or -errno. */
int ext4_readdir(struct ext4_fs *fs, struct ext4_node *dir, uint64_t *pos, struct ext4_dirent *de);
/* A symlink's target into buf (at most size bytes, NUL-terminated if that
 * leaves room); the bytes stored, or -errno. */
int ext4_readlink(struct ext4_fs *fs, struct ext4_node *n, char *buf, size_t size);
/* Make a file, directory, device, fifo or socket (mode says which). */
int ext4_create(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid, struct ext4_node **out);
int ext4_symlink(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                 const char *target, uint32_t uid, uint32_t gid, struct ext4_node **out);
/* Another name for n in dir. -EMLINK at EXT4_LINK_MAX. */
int ext4_link(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
              struct ext4_node *n);
/* Remove a name (rmdir: an empty directory's; -ENOTEMPTY, -ENOTDIR, -EISDIR). */
int ext4_unlink(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len, bool rmdir);
/* rename(2) with EXT4_RENAME_NOREPLACE / EXT4_RENAME_EXCHANGE. The caller
 * has checked that a directory is not moved into itself. */
int ext4_rename(struct ext4_fs *fs, struct ext4_node *odir, const char *oname, size_t olen,
                struct ext4_node *ndir, const char *nname, size_t nlen, unsigned flags);

/* ---- ext4_file.c: file data ---- */
/* Read len bytes at off (a multiple of the block size) into buf, which has
 * room for len rounded up to whole blocks; holes read as zeros. */
int ext4_read(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len);
/* Write len bytes at off (a multiple of the block size), whole blocks,
 * allocating what is missing; the inode's size grows to cover what was
 * written, up to file_size (the caller's idea of the file's size). */
int ext4_write(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, const void *buf, size_t len,
               uint64_t file_size);
/* Promise blocks for a write() of [off, off + len) that will reach
 * ext4_write later. -ENOSPC: *got says how many bytes from off are covered. */
int ext4_reserve(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, uint64_t len, uint64_t *got);
/* Drop reservations of blocks at or after byte `from` (pages gone unwritten). */
void ext4_unreserve(struct ext4_fs *fs, struct ext4_node *n, uint64_t from);
int ext4_fallocate(struct ext4_fs *fs, struct ext4_node *n, int mode, uint64_t off, uint64_t len);
/* Byte-granular read and write (write updates the size): for callers
 * without a page cache, such as the host tests. Bytes or -errno. */
long ext4_pread(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len);
long ext4_pwrite(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, const void *buf, size_t len);
/* First data or hole at or after off (SEEK_DATA/SEEK_HOLE) in a file of
 * `size` bytes (the caller's, which may be ahead of the inode's); -ENXIO
 * past the end. */
int64_t ext4_seek_data(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, uint64_t size, bool hole);

/* ---- ext4_xattr.c ---- */
/* name is "user.x", "trusted.x", "security.x", "system.x". Value length or
 * -ENODATA; -ERANGE if size is too small (size 0: just the length). */
long ext4_getxattr(struct ext4_fs *fs, struct ext4_node *n, const char *name, void *buf, size_t size);
long ext4_listxattr(struct ext4_fs *fs, struct ext4_node *n, char *buf, size_t size);
/* Set (value non-NULL) or remove one. flags: 1 create only (-EEXIST), 2
 * replace only (-ENODATA). -ENOSPC if it does not fit (inode + one block),
 * -EOPNOTSUPP for POSIX ACLs and "system." names. */
int ext4_setxattr(struct ext4_fs *fs, struct ext4_node *n, const char *name, const void *value,
                  size_t size, int flags);

/* ---- ext4_csum.c ---- */
/* crc32c (Castagnoli) and crc16 (ANSI, gdt_csum) of buf[0, len)
 * continuing from crc, the raw register as Linux's (pass ~0 to start a
 * crc32c). dirhash: the htree hash of a name, hash version version
 * (EXT4_HASH_*) and the volume's seed: 0 with the major hash (low bit
 * clear) in *hash and the minor in *minor, or -EINVAL for a version Kite
 * lacks (siphash). Pure (crc32c's tables are built at first use). */
uint32_t ext4_crc32c(uint32_t crc, const void *buf, size_t len);
uint16_t ext4_crc16(uint16_t crc, const void *buf, size_t len);
int ext4_dirhash(const char *name, int len, int version, const uint32_t seed[4], uint32_t *hash,
                 uint32_t *minor);

#endif
