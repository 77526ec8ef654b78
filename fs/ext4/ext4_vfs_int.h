/*
 * ext4_vfs_int.h — what the two files of ext4's VFS glue share: the
 * mounted file system (struct ext4_sb), the inode's part (struct
 * e4_inode), and the functions of ext4_vfs.c that the super block's code
 * (ext4_vfs_super.c) uses.
 *
 * Layer: fs, private to fs/ext4/ext4_vfs*.c (the VFS glue of ext4).
 *
 * Locks: as ext4_vfs.c's header says (fsb->ilock, ra_lock, wb_lock).
 */
#ifndef KITE_EXT4_VFS_INT_H
#define KITE_EXT4_VFS_INT_H

#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/ext4/ext4.h"

#define EXT4_SUPER_MAGIC 0xEF53
#define EXT4_WIN_BYTES (128 * 1024)   /* readahead and write-behind windows */

struct ext4_sb {
  struct ext4_fs *fs;
  struct blockdev *bd;
  struct list_head link;        /* in ext4_mounts */
  struct mutex ilock;           /* inodes, node->owner */
  struct list_head inodes;      /* struct e4_inode.link */
  struct mutex ra_lock;         /* the readahead window */
  struct ext4_node *ra_node;
  uint64_t ra_start;
  uint32_t ra_len;
  void *ra_buf;
  struct mutex wb_lock;         /* the write-behind window */
  struct ext4_node *wb_node;
  struct inode *wb_inode;       /* wb_node's inode (for its size) */
  uint64_t wb_start;
  uint32_t wb_len;
  void *wb_buf;
};

struct e4_inode {
  struct ext4_node *node;       /* one reference */
  struct inode *inode;
  struct ext4_attr stored;      /* what the disk has, as far as the VFS set it */
  uint64_t ra_next;
  struct list_head link;        /* in ext4_sb.inodes */
};

/* The ext4 volume behind a VFS superblock of type ext2/3/4 (set at mount). */
static inline struct ext4_sb *FSB(struct super_block *sb) { return sb->priv; }

/* Take a reference to ino unless its last one is already being dropped
 * (an inode on fsb->inodes may be on its way out): true if taken. */
bool e4_iget_live(struct inode *ino);
/* The inode of node n, made if it has none (the caller's reference on n
 * is taken over): referenced, or NULL when out of memory. Takes
 * fsb->ilock. */
struct inode *e4_node_inode(struct super_block *sb, struct ext4_node *n);
/* Write the write-behind window out if it holds n's data (n NULL: in any
 * case). 0 or the error. Takes fsb->wb_lock. */
int e4_wb_flush(struct ext4_sb *fsb, struct ext4_node *n);
/* Store what the VFS changed (size growth, times, mode, owner) in the
 * inode on disk: 0 or -errno. The caller holds ino->lock. */
int e4_write_inode(struct inode *ino);

#endif
