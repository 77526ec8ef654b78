/*
 * ext4_int.h — what the ext4 core's files share among themselves (not for
 * the VFS glue): buffers, transactions, the allocator, block mapping,
 * directories. Every function here expects fs->lock held.
 *
 * Layer: fs, private to the ext4 core (fs/ext4/ext4_*.c but the VFS glue),
 * which sits on fs/ext4/ext4_env.h only.
 *
 * Buffers: a metadata block is read with ext4_bread (held, locked) and
 * released with ext4_brelse. A block that was changed is given to
 * ext4_bdirty before it is released: with a journal it joins the running
 * transaction (pinned until commit), without one it is simply dirty.
 */
#ifndef KITE_EXT4_INT_H
#define KITE_EXT4_INT_H

#include "fs/ext4/ext4.h"

#define EXT4_DIRTY_TIMEOUT_NS 5000000000ULL

/* ---- buffers ---- */
/* Block blk (checked to be inside the file system), held; *err is 0, or
 * the error when NULL is returned. */
struct ext4_buf *ext4_bread(struct ext4_fs *fs, uint64_t blk, int *err);
/* The same, zeroed and not read: a block about to be written whole. */
struct ext4_buf *ext4_bzero(struct ext4_fs *fs, uint64_t blk, int *err);
static inline void *ext4_bdata(struct ext4_buf *b) { return ext4_env_bdata(b); }
static inline void ext4_brelse(struct ext4_buf *b) { if (b) ext4_env_brelse(b); }
/* b (block blk, held) was changed: it goes to disk with the running transaction. */
int ext4_bdirty(struct ext4_fs *fs, struct ext4_buf *b, uint64_t blk);
/* Metadata blocks whose checksum was verified (or which Kite wrote since):
 * checked once per mount, not at every read. */
static inline bool ext4_verified(struct ext4_fs *fs, uint64_t blk)
{
  return fs->verified && blk < fs->nblocks && (fs->verified[blk >> 3] & (1u << (blk & 7)));
}
static inline void ext4_set_verified(struct ext4_fs *fs, uint64_t blk)
{
  if (fs->verified && blk < fs->nblocks)
    fs->verified[blk >> 3] |= (uint8_t)(1u << (blk & 7));
}
void ext4_clear_verified(struct ext4_fs *fs, uint64_t blk, uint64_t n);
/* Log a damaged structure; returns -EFSCORRUPTED. */
int ext4_corrupt(struct ext4_fs *fs, const char *what, uint64_t where);

/* ---- ext4_journal.c: transactions ---- */
/* Open the journal at mount: check it, replay it if it needs it
 * (*replayed says so). Read-only mounts replay too, as Linux does, unless
 * the device itself is read-only (-EROFS). */
int ext4_journal_load(struct ext4_fs *fs, bool *replayed);
/* Start an operation that will change at most `credits` blocks; commits
 * the running transaction first if it could overflow. */
int ext4_tx_begin(struct ext4_fs *fs, uint32_t credits);
/* End it; commits if the transaction has grown big. Returns err, or the
 * commit's error. */
int ext4_tx_end(struct ext4_fs *fs, int err);
int ext4_tx_add(struct ext4_fs *fs, struct ext4_buf *b, uint64_t blk);
/* Metadata blocks [blk, blk + n) are freed: drop them from the running
 * transaction and the cache, and revoke them in the journal. */
void ext4_tx_forget(struct ext4_fs *fs, uint64_t blk, uint64_t n);
/* Commit the running transaction; with `checkpoint`, also write every
 * committed block home and empty the log. */
int ext4_commit_locked(struct ext4_fs *fs, bool checkpoint);
/* Mark the journal empty and free it (unmount). */
void ext4_journal_close(struct ext4_fs *fs, bool clean);
/* ext4_replay.c: replay a journal that needs recovery. */
int ext4_journal_replay(struct ext4_fs *fs, struct ext4_journal *j);

/* ---- ext4_super.c ---- */
/* Store the in-memory superblock (free counts, write time, checksum) /
 * group g's descriptor into its block, which joins the running
 * transaction: 0 or the read's error. */
int ext4_super_write(struct ext4_fs *fs);
int ext4_group_write(struct ext4_fs *fs, uint32_t g);
/* The geometry of group g: does it hold a superblock backup (sparse_super,
 * sparse_super2), its first block, its length in blocks (the last group
 * may be short), and how many of its first blocks the superblock and
 * descriptor copies (and their reserved growth) take. Pure. */
bool ext4_group_has_super(struct ext4_fs *fs, uint32_t g);
uint64_t ext4_group_first(struct ext4_fs *fs, uint32_t g);
uint32_t ext4_group_nblocks(struct ext4_fs *fs, uint32_t g);
uint32_t ext4_group_overhead(struct ext4_fs *fs, uint32_t g);
/* The last reference to an unmounted volume went (ext4_node_put): free
 * its memory. */
void ext4_fs_free(struct ext4_fs *fs);
/* The device is gone (ext4_abandon): free the journal's / every node's
 * memory, whatever their references, touching no buffer. */
void ext4_journal_abandon(struct ext4_fs *fs);
void ext4_nodes_abandon(struct ext4_fs *fs);

/* ---- ext4_alloc.c ---- */
/* Up to `want` contiguous free blocks, near `goal`: *start, *got (>= 1).
 * Reserved blocks may be used if `use_reserved`. -ENOSPC. */
int ext4_alloc_blocks(struct ext4_fs *fs, uint64_t goal, uint32_t want, bool use_reserved,
                      uint64_t *start, uint32_t *got);
int ext4_free_blocks(struct ext4_fs *fs, uint64_t start, uint64_t count, bool metadata);
/* A free inode, near the parent's group (directories spread out). */
int ext4_alloc_inode(struct ext4_fs *fs, uint32_t parent_ino, bool is_dir, uint32_t *ino);
int ext4_free_inode(struct ext4_fs *fs, uint32_t ino, bool is_dir);
/* Directory block blk (held as b) was changed: its checksum is computed at
 * the next commit (count_offset 0: a leaf; else an index block). Then the
 * block joins the transaction (ext4_bdirty). */
int ext4_csum_later(struct ext4_fs *fs, struct ext4_buf *b, uint64_t blk, uint32_t seed,
                    uint32_t count_offset);
/* Bring bitmap checksums, descriptors and the superblock up to date (before a commit). */
int ext4_alloc_flush(struct ext4_fs *fs);
int ext4_bitmap_csum_verify(struct ext4_fs *fs, uint32_t g, bool inode_bitmap, const void *bits);
int ext4_block_in_use(struct ext4_fs *fs, uint64_t blk);   /* 1, 0, or -errno (tests) */

/* ---- ext4_inode.c ---- */
/* ext4_iget / ext4_node_put with fs->lock already held: the node of
 * inode ino, referenced (read from its table block if not cached), or
 * -ESTALE (freed), -ENOMEM, the read's error; put drops a reference, the
 * last one of an unlinked inode freeing it in a transaction of its own. */
int ext4_node_get_locked(struct ext4_fs *fs, uint32_t ino, struct ext4_node **out);
void ext4_node_put_locked(struct ext4_fs *fs, struct ext4_node *n);
/* Encode n into its raw inode and store it (in the transaction). */
int ext4_inode_write(struct ext4_fs *fs, struct ext4_node *n);
/* A new node for a freshly allocated inode number (mode, owner, times set). */
int ext4_node_new(struct ext4_fs *fs, uint32_t ino, uint32_t mode, uint32_t uid, uint32_t gid,
                  struct ext4_node **out);
/* The time of day in ext4's encoding (seconds and nanoseconds). */
void ext4_now(struct ext4_time *t);
/* i_blocks += / -= `nblk` file-system blocks. */
void ext4_add_blocks(struct ext4_fs *fs, struct ext4_node *n, int64_t nblk);
/* The orphan list (s_last_orphan, chained through i_dtime): add n (its
 * last link is going while it is still open, or a truncate is under way)
 * / take it off; recover, at a read-write mount, finishes every orphan a
 * crash left (frees or truncates it). 0 or -errno; in the running
 * transaction. */
int ext4_orphan_add(struct ext4_fs *fs, struct ext4_node *n);
int ext4_orphan_del(struct ext4_fs *fs, struct ext4_node *n);
int ext4_orphans_recover(struct ext4_fs *fs);
/* metadata_csum's per-inode seed: crc32c of the volume's seed, ino and
 * generation gen. Pure. */
uint32_t ext4_node_csum_seed(struct ext4_fs *fs, uint32_t ino, uint32_t gen);
/* n is a directory / regular file / symlink (its mode's type). Pure. */
static inline bool ext4_is_dir(const struct ext4_node *n) { return (n->mode & 0170000) == 0040000; }
static inline bool ext4_is_reg(const struct ext4_node *n) { return (n->mode & 0170000) == 0100000; }
static inline bool ext4_is_lnk(const struct ext4_node *n) { return (n->mode & 0170000) == 0120000; }
/* Does the inode keep data in blocks (regular, directory, slow symlink)? */
bool ext4_has_blocks(struct ext4_fs *fs, const struct ext4_node *n);
static inline uint32_t *ext4_iblock(struct ext4_node *n)
{
  return (uint32_t *)(n->raw + offsetof(struct ext4_inode, i_block));  /* 4-aligned */
}

/* ---- block mapping: ext4_extent.c, ext4_indirect.c, ext4_file.c ---- */
#define EXT4_MAP_UNWRITTEN 1
/* Where logical block lblk is: *pblk (0 in a hole) and how many blocks
 * from lblk on are mapped contiguously (or are a hole): *len >= 1;
 * *flags EXT4_MAP_UNWRITTEN for an unwritten extent (reads as zeros). */
int ext4_map(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t *pblk, uint32_t *len,
             unsigned *flags);
/* Map [lblk, lblk + count) allocating what is missing (goal-directed);
 * returns the first run: *pblk, *got >= 1. unwritten: new extents are
 * marked unwritten (fallocate). */
int ext4_map_alloc(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t count,
                   bool unwritten, uint64_t *pblk, uint32_t *got);
/* The same, for file data not covered by a reservation (may not use
 * blocks promised to delayed writes). */
int ext4_map_alloc_data(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t count,
                        bool reserved, uint64_t *pblk, uint32_t *got);
/* Free the blocks of logical [from, to) (to = EXT4_MAX_FILE_BLOCKS: to the end). */
int ext4_unmap(struct ext4_fs *fs, struct ext4_node *n, uint64_t from, uint64_t to);

/* The extent tree's ext4_map (ext4_extent.c; through a one-extent cache
 * in the node) and its insert of the run [lblk, lblk + len) -> pblk
 * (split into extents of the largest allowed length, growing the tree;
 * -ENOSPC, read errors). */
int ext4_ext_map(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t *pblk,
                 uint32_t *len, unsigned *flags);
int ext4_ext_insert(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t pblk,
                    uint32_t len, bool unwritten);
/* Unmap [from, *top) backwards, stopping after `budget` blocks freed
 * (*top: what is left is [from, *top)). */
int ext4_ext_remove(struct ext4_fs *fs, struct ext4_node *n, uint64_t from, uint64_t *top,
                    uint64_t budget);
/* Mark [lblk, lblk+len) written (converting unwritten extents). */
int ext4_ext_mark_written(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint32_t len);
void ext4_ext_init(struct ext4_fs *fs, struct ext4_node *n);  /* empty tree in i_block */
/* For tests and fsck-like checks: walk the tree, count its blocks. */
int ext4_ext_check(struct ext4_fs *fs, struct ext4_node *n);
int ext4_ind_map(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t *pblk, uint32_t *len);
int ext4_ind_remove(struct ext4_fs *fs, struct ext4_node *n, uint64_t from);
int ext4_ind_insert(struct ext4_fs *fs, struct ext4_node *n, uint32_t lblk, uint64_t pblk,
                    uint32_t len);

/* Blocks promised to n's delayed writes (ext4_file.c). */
uint64_t ext4_promised(struct ext4_node *n);
/* File truncation with the orphan list (ext4_file.c). */
int ext4_truncate_locked(struct ext4_fs *fs, struct ext4_node *n, uint64_t size);
/* Free everything an inode owns and the inode (its last link and reference are gone). */
int ext4_evict_locked(struct ext4_fs *fs, struct ext4_node *n);
/* Read whole blocks of a file (no page cache): directories, slow symlinks. */
int ext4_read_locked(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len);

/* ---- ext4_dir.c, ext4_htree.c ---- */
struct ext4_dir_hit {               /* where a name was found */
  uint32_t lblk;                    /* block in the directory */
  uint64_t pblk;
  uint32_t off;                     /* of the entry in the block */
  uint32_t prev_off;                /* of the entry before it, or the same if first */
  uint32_t ino;
  uint8_t type;
};
/* find: the entry name in dir into *hit, or -ENOENT (htree or linear
 * scan; inline directories too). add: a new entry name -> ino of type
 * (ENOSPC, EROFS for an inline directory; a damaged htree index is dropped
 * and the add goes linear). remove: take out the entry hit found (merging
 * its space into the one before). 0 or -errno, the blocks changed in the
 * running transaction. */
int ext4_dir_find(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                  struct ext4_dir_hit *hit);
int ext4_dir_add(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                 uint32_t ino, uint8_t type);
int ext4_dir_remove(struct ext4_fs *fs, struct ext4_node *dir, const struct ext4_dir_hit *hit);
/* Point an existing entry at another inode (rename over a name). */
int ext4_dir_retarget(struct ext4_fs *fs, struct ext4_node *dir, const struct ext4_dir_hit *hit,
                      uint32_t ino, uint8_t type);
int ext4_dir_init(struct ext4_fs *fs, struct ext4_node *dir, uint32_t parent);
int ext4_dir_empty(struct ext4_fs *fs, struct ext4_node *dir);   /* 1, 0 or -errno */
int ext4_dir_set_parent(struct ext4_fs *fs, struct ext4_node *dir, uint32_t parent);
/* A directory block, read and checked (leaf checksum). */
struct ext4_buf *ext4_dir_bread(struct ext4_fs *fs, struct ext4_node *dir, uint32_t lblk,
                                uint64_t *pblk, int *err);
bool ext4_dir_has_tail(struct ext4_fs *fs, const void *block);
void ext4_dir_set_csum(struct ext4_fs *fs, struct ext4_node *dir, void *block);
/* A changed leaf block (held as b): its checksum later, then ext4_bdirty. */
int ext4_dir_dirty(struct ext4_fs *fs, struct ext4_node *dir, struct ext4_buf *b, uint64_t pblk);
/* Can the entry at off in a block be trusted (rec_len, name_len)? */
bool ext4_dirent_ok(struct ext4_fs *fs, const void *block, uint32_t off, uint32_t end);
uint8_t ext4_mode_to_ft(uint32_t mode);
int ext4_hash_name(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                   uint32_t *hash, uint32_t *minor);
int ext4_htree_find(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                    struct ext4_dir_hit *hit);
int ext4_htree_add(struct ext4_fs *fs, struct ext4_node *dir, const char *name, size_t len,
                   uint32_t ino, uint8_t type);
/* The checksum of an index block (leaf checksums: ext4_dir_set_csum). */
uint32_t ext4_dx_csum(struct ext4_node *dir, uint32_t seed, uint8_t *block, uint32_t count_offset);
/* Recompute the checksum of an index block (the root or a node). */
void ext4_htree_set_root_csum(struct ext4_fs *fs, struct ext4_node *dir, void *block);
/* Turn a one-block directory into an indexed one (it is full). */
int ext4_htree_create(struct ext4_fs *fs, struct ext4_node *dir);
/* Search one leaf block for name: 1 found (*hit filled), 0 not, -errno. */
int ext4_dir_search_block(struct ext4_fs *fs, const void *block, const char *name, size_t len,
                          struct ext4_dir_hit *hit);
/* Put an entry into a block if it fits: 1 done, 0 no room. */
int ext4_dir_insert_block(struct ext4_fs *fs, void *block, const char *name, size_t len,
                          uint32_t ino, uint8_t type);
uint32_t ext4_dir_usable(struct ext4_fs *fs);   /* bytes of a leaf before the tail */
/* Append a new (empty) leaf block to the directory: its lblk, pblk and buffer. */
int ext4_dir_grow(struct ext4_fs *fs, struct ext4_node *dir, uint32_t *lblk, uint64_t *pblk,
                  struct ext4_buf **bp);

/* ---- ext4_xattr.c ---- */
/* The inline-data bytes of an inode (i_block then system.data). */
int ext4_inline_read(struct ext4_fs *fs, struct ext4_node *n, uint64_t off, void *buf, size_t len);
uint64_t ext4_inline_size(struct ext4_fs *fs, struct ext4_node *n);
int ext4_xattr_free(struct ext4_fs *fs, struct ext4_node *n);   /* drop the EA block */

#endif
