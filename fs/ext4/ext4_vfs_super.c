/*
 * ext4_vfs_super.c — ext4 in Kite's VFS, the file system as a whole: the
 * types "ext4", "ext3" and "ext2", mounting from a block device, statfs,
 * sync and put_super.
 *
 * Layer: a file system under the VFS core (fs/inode.h, fs/mount.h) (fs/super.c calls the type's mount
 * and the super_ops). Below: the ext4 core (ext4.h: ext4_mount,
 * ext4_sync, ext4_unmount, ext4_statfs), the block-device registry
 * (drivers/blk.h). Beside it: ext4_vfs.c (inodes, names, file data: the
 * inode of a node, write_inode and the write-behind window used here),
 * ext4_vfs_int.h.
 *
 * Locks: ext4_mounts_lock (a spinlock) guards the list of mounted file
 * systems; sync takes fsb->ilock to collect the inodes, then each inode's
 * lock in turn (the order in ext4_vfs.c's header), and the core its own.
 */
#include "fs/ext4/ext4_vfs_int.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/pagecache.h"
#include "fs/namei.h"
#include "fs/ext4/ext4_vfs.h"
#include "drivers/blk.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include <string.h>

static LIST_HEAD(ext4_mounts);
static struct spinlock ext4_mounts_lock = SPINLOCK_INIT("ext4_mounts");

/* ---- the super block ---- */

static int e4_statfs(struct super_block *sb, struct statfs64 *st)
{
  struct ext4_statfs s;
  ext4_statfs(FSB(sb)->fs, &s);
  st->f_type = EXT4_SUPER_MAGIC;
  st->f_bsize = st->f_frsize = s.block_size;
  st->f_blocks = s.blocks;
  st->f_bfree = s.free;
  st->f_bavail = s.avail;
  st->f_files = s.files;
  st->f_ffree = s.ffree;
  st->f_namelen = 255;
  st->f_fsid[0] = (int32_t)sb->dev;
  st->f_fsid[1] = (int32_t)(sb->dev >> 32);
  return 0;
}

/* Write back every inode's pages and attributes, then commit. */
static int e4_sync(struct super_block *sb)
{
  struct ext4_sb *fsb = FSB(sb);
  if (sb->flags & MS_RDONLY)
    return 0;
  mutex_lock(&fsb->ilock);
  size_t n = 0, k = 0;
  struct e4_inode *ei;
  list_for_each_entry(ei, &fsb->inodes, link)
    n++;
  struct inode **inos = n ? kmalloc(n * sizeof(*inos)) : NULL;
  if (n && !inos) {
    mutex_unlock(&fsb->ilock);
    return -ENOMEM;
  }
  list_for_each_entry(ei, &fsb->inodes, link)
    if (e4_iget_live(ei->inode))
      inos[k++] = ei->inode;
  mutex_unlock(&fsb->ilock);
  int err = 0;
  for (size_t i = 0; i < k; i++) {
    struct inode *ino = inos[i];
    mutex_lock(&ino->lock);
    int r = S_ISREG(ino->mode) ? page_cache_writeback(ino) : 0;
    int r2 = (S_ISREG(ino->mode) || ino->dirty) ? e4_write_inode(ino) : 0;
    mutex_unlock(&ino->lock);
    if (!err)
      err = r ? r : r2;
    iput(ino);
  }
  kfree(inos);
  int r = e4_wb_flush(fsb, NULL);
  int r2 = ext4_sync(fsb->fs);
  return err ? err : r ? r : r2;
}

static void e4_put_super(struct super_block *sb)
{
  struct ext4_sb *fsb = FSB(sb);
  e4_wb_flush(fsb, NULL);
  int r = ext4_unmount(fsb->fs);
  spin_lock(&ext4_mounts_lock);
  list_del(&fsb->link);
  spin_unlock(&ext4_mounts_lock);
  /* Inodes of the unmounted tree may still point here: fsb stays. */
  pr_info("ext4: %s unmounted%s", fsb->bd->name, r ? " with errors" : "");
}

/* mount(MS_REMOUNT) between read-only and read-write: to read-only after
 * writing every dirty inode and page back. */
static int e4_remount(struct super_block *sb, bool read_only)
{
  if (read_only) {
    int r = e4_sync(sb);
    if (r)
      return r;
  }
  return ext4_remount(FSB(sb)->fs, read_only);
}

static const struct super_ops e4_sops = {
  .statfs = e4_statfs,
  .sync = e4_sync,
  .put_super = e4_put_super,
  .remount = e4_remount,
};

static bool device_mounted(struct blockdev *bd)
{
  bool busy = false;
  spin_lock(&ext4_mounts_lock);
  struct ext4_sb *f;
  list_for_each_entry(f, &ext4_mounts, link)
    busy |= f->bd == bd;
  spin_unlock(&ext4_mounts_lock);
  return busy;
}

static struct blockdev *source_device(const char *source, int *err)
{
  struct path p;
  *err = source ? path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &p) : -EINVAL;
  if (*err)
    return NULL;
  bool blk = S_ISBLK(p.dentry->inode->mode);
  dev_t dev = p.dentry->inode->rdev;
  path_put(&p);
  struct blockdev *bd = blk ? blockdev_by_dev(dev) : NULL;
  *err = !blk ? -ENOTBLK : !bd ? -ENXIO : device_mounted(bd) ? -EBUSY : 0;
  return *err ? NULL : bd;
}

static void fsb_free(struct ext4_sb *fsb)
{
  kfree(fsb->ra_buf);
  kfree(fsb->wb_buf);
  kfree(fsb);
}

static int e4_mount(const struct fs_type *type, const char *source, uint32_t flags, const char *data,
                    struct super_block **sbp)
{
  (void)data;
  int r;
  struct blockdev *bd = source_device(source, &r);
  if (!bd)
    return r;
  struct ext4_sb *fsb = kzalloc(sizeof(*fsb));
  if (!fsb)
    return -ENOMEM;
  fsb->bd = bd;
  mutex_init(&fsb->ilock, "ext4_inodes");
  mutex_init(&fsb->ra_lock, "ext4_readahead");
  mutex_init(&fsb->wb_lock, "ext4_writebehind");
  list_init(&fsb->inodes);
  fsb->ra_buf = kmalloc(EXT4_WIN_BYTES);  /* without them, I/O goes page by page */
  fsb->wb_buf = kmalloc(EXT4_WIN_BYTES);
  r = ext4_mount(bd, flags & MS_RDONLY, &fsb->fs);
  if (r) {
    fsb_free(fsb);
    return r;
  }
  struct super_block *sb = sb_alloc(type);
  struct dentry *d = sb ? dentry_alloc(NULL, "/", 1) : NULL;
  struct inode *root = NULL;
  if (d) {
    sb->ops = &e4_sops;
    sb->magic = EXT4_SUPER_MAGIC;
    sb->dev = bd->dev;
    sb->priv = fsb;
    if (fsb->fs->read_only)
      sb->flags |= MS_RDONLY;
    root = e4_node_inode(sb, ext4_root(fsb->fs));
  }
  if (!root) {
    if (d)
      dput(d);
    kfree(sb);
    ext4_unmount(fsb->fs);
    fsb_free(fsb);
    return -ENOMEM;
  }
  d->sb = sb;
  d_instantiate(d, root);
  sb->root = d;
  spin_lock(&ext4_mounts_lock);
  list_add_tail(&fsb->link, &ext4_mounts);
  spin_unlock(&ext4_mounts_lock);
  pr_info("ext4: %s mounted%s: %u-byte blocks, %llu blocks", bd->name,
          fsb->fs->read_only ? " read-only" : "", fsb->fs->block_size,
          (unsigned long long)fsb->fs->nblocks);
  *sbp = sb;
  return 0;
}

static const struct fs_type ext4_type = { .name = "ext4", .mount = e4_mount, .needs_device = true,
                                          .keeps_owners = true, .exportable = true };
static const struct fs_type ext3_type = { .name = "ext3", .mount = e4_mount, .needs_device = true,
                                          .keeps_owners = true, .exportable = true };
static const struct fs_type ext2_type = { .name = "ext2", .mount = e4_mount, .needs_device = true,
                                          .keeps_owners = true, .exportable = true };

/* Make "ext4" (and "ext3", "ext2") known to mount(). */
void ext4_init(void)
{
  register_fs(&ext4_type);
  register_fs(&ext3_type);
  register_fs(&ext2_type);
}
