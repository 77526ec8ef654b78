/*
 * fat_vfs_int.h — what the two files of FAT32's VFS glue share: the
 * mounted volume (struct fat_sb), the inode's part (struct fat_inode), and
 * the functions of fat_vfs.c that the super block's code (fat_vfs_super.c)
 * uses.
 *
 * Layer: fs, private to fs/fat/fat_vfs*.c (the VFS glue of FAT32).
 *
 * Locks: as fat_vfs.c's header says (fsb->ilock, ra_lock, wb_lock).
 */
#ifndef KITE_FAT_VFS_INT_H
#define KITE_FAT_VFS_INT_H

#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/fat/fat32.h"

#define MSDOS_SUPER_MAGIC 0x4d44
#define FAT_NAMELEN 1530          /* what Linux reports: 255 characters of up to 6 bytes */

/* One mounted FAT file system. */
struct fat_sb {
  struct fat_fs *fs;
  struct blockdev *bd;
  uid_t uid;                  /* owner of every file (mount options uid=, gid=) */
  gid_t gid;
  mode_t fmask, dmask;        /* permission bits taken away from files, directories */
  struct list_head link;      /* in fat_mounts (fat_mounts_lock) */
  struct mutex ilock;         /* protects inodes and every node->owner */
  struct list_head inodes;    /* struct fat_inode.link, ilock */
  /* The readahead window: a run of one file read in one request. */
  struct mutex ra_lock;       /* protects the four fields below */
  struct fat_node *ra_node;   /* whose bytes [ra_start, ra_start + ra_len) are in ra_buf */
  uint64_t ra_start;
  uint32_t ra_len;
  void *ra_buf;               /* FAT_RA_BYTES, physically contiguous */
  /* The write-behind window: consecutive dirty pages of one file, written
   * in one request when the run ends or someone needs them on disk. */
  struct mutex wb_lock;       /* protects the four fields below */
  struct fat_node *wb_node;   /* whose bytes [wb_start, wb_start + wb_len) wait in wb_buf */
  uint64_t wb_start;
  uint32_t wb_len;
  void *wb_buf;               /* FAT_WB_BYTES, physically contiguous */
};

#define FAT_RA_BYTES (128 * 1024)
#define FAT_WB_BYTES (128 * 1024)

/* What a FAT inode carries besides the VFS's fields. */
struct fat_inode {
  struct fat_node *node;      /* one reference */
  struct inode *inode;
  mode_t mode;                /* mode, owner as last stored: chmod/chown are */
  uid_t uid;                  /* checked against these in write_inode */
  gid_t gid;
  uint64_t ra_next;           /* the page a sequential reader asks for next */
  struct list_head link;      /* in fat_sb.inodes, ilock */
};

/* The FAT volume behind a VFS superblock of type vfat (set at mount). */
static inline struct fat_sb *FSB(struct super_block *sb) { return sb->priv; }

/* Take a reference to ino unless its last one is already being dropped
 * (an inode on fsb->inodes may be on its way out): true if taken. */
bool fat_vfs_iget_live(struct inode *ino);
/* The inode of node n, made if it has none (the caller's reference on n
 * is taken over): referenced, or NULL when out of memory. Takes
 * fsb->ilock. */
struct inode *fat_vfs_node_inode(struct super_block *sb, struct fat_node *n);
/* Write the write-behind window out if it holds n's data (n NULL: in any
 * case). 0 or the device's error. Takes fsb->wb_lock. */
int fat_vfs_wb_flush(struct fat_sb *fsb, struct fat_node *n);
/* Store the inode's size, times and read-only bit in its directory entry
 * (0, -EPERM for an owner or mode FAT cannot keep, -EIO). The caller
 * holds ino->lock. */
int fat_vfs_write_inode(struct inode *ino);

#endif
