/*
 * fat_vfs_super.c — FAT32 in Kite's VFS, the file system as a whole: the
 * types "vfat", "fat" and "msdos", mounting from a block device (with the
 * uid=, gid=, umask=, fmask=, dmask= options), statfs, sync and put_super.
 *
 * Layer: a file system under the VFS core (fs/inode.h, fs/mount.h) (fs/super.c calls the type's mount
 * and the super_ops). Below: the FAT32 core (fat32.h: fat_mount, fat_sync,
 * fat_unmount, fat_statfs), the block-device registry (drivers/blk.h).
 * Beside it: fat_vfs.c (inodes, names, file data: the inode of a node,
 * write_inode and the write-behind window used here), fat_vfs_int.h.
 *
 * Locks: fat_mounts_lock (a spinlock) guards the list of mounted volumes;
 * sync takes fsb->ilock to collect the inodes, then each inode's lock in
 * turn (the order in fat_vfs.c's header), and the core takes fs->lock.
 */
#include "fs/fat/fat_vfs_int.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/pagecache.h"
#include "fs/namei.h"
#include "fs/fat/fat_vfs.h"
#include "drivers/blk.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include <string.h>
#include <stdlib.h>

static LIST_HEAD(fat_mounts);
static struct spinlock fat_mounts_lock = SPINLOCK_INIT("fat_mounts");

/* ---- the super block ---- */

static int fat_vfs_statfs(struct super_block *sb, struct statfs64 *st)
{
  uint32_t cs;
  uint64_t total, free;
  fat_statfs(FSB(sb)->fs, &cs, &total, &free);
  st->f_type = MSDOS_SUPER_MAGIC;
  st->f_bsize = st->f_frsize = cs;
  st->f_blocks = total;
  st->f_bfree = st->f_bavail = free;
  st->f_files = st->f_ffree = 0;
  st->f_namelen = FAT_NAMELEN;
  st->f_fsid[0] = (int32_t)sb->dev;
  st->f_fsid[1] = (int32_t)(sb->dev >> 32);
  return 0;
}

/* Write back every inode's pages and entry, then the volume. */
static int fat_vfs_sync(struct super_block *sb)
{
  struct fat_sb *fsb = FSB(sb);
  mutex_lock(&fsb->ilock);
  size_t n = 0, k = 0;
  struct fat_inode *fi;
  list_for_each_entry(fi, &fsb->inodes, link)
    n++;
  struct inode **inos = n ? kmalloc(n * sizeof(*inos)) : NULL;
  if (n && !inos) {
    mutex_unlock(&fsb->ilock);
    return -ENOMEM;
  }
  list_for_each_entry(fi, &fsb->inodes, link)
    if (fat_vfs_iget_live(fi->inode))
      inos[k++] = fi->inode;
  mutex_unlock(&fsb->ilock);
  int err = 0;
  for (size_t i = 0; i < k; i++) {
    struct inode *ino = inos[i];
    if (S_ISREG(ino->mode)) {
      mutex_lock(&ino->lock);
      int r = page_cache_writeback(ino);
      int r2 = fat_vfs_write_inode(ino);
      mutex_unlock(&ino->lock);
      if (!err)
        err = r ? r : (r2 == -EPERM ? 0 : r2);
    } else if (ino->dirty) {
      mutex_lock(&ino->lock);
      fat_vfs_write_inode(ino);
      mutex_unlock(&ino->lock);
    }
    iput(ino);
  }
  kfree(inos);
  int r = fat_vfs_wb_flush(fsb, NULL);
  int r2 = fat_sync(fsb->fs);
  return err ? err : r ? r : r2;
}

static void fat_vfs_put_super(struct super_block *sb)
{
  struct fat_sb *fsb = FSB(sb);
  fat_vfs_wb_flush(fsb, NULL);
  fat_unmount(fsb->fs);
  spin_lock(&fat_mounts_lock);
  list_del(&fsb->link);
  spin_unlock(&fat_mounts_lock);
  /* The inodes of the unmounted tree still point here (the dentry cache
   * keeps them): fsb and the core's volume stay until they are gone. */
  pr_info("fat: %s unmounted", fsb->bd->name);
}

/* mount(MS_REMOUNT) between read-only and read-write: to read-only after
 * writing every dirty inode and page back. */
static int fat_vfs_remount(struct super_block *sb, bool read_only)
{
  if (read_only) {
    int r = fat_vfs_sync(sb);
    if (r)
      return r;
  }
  return fat_remount(FSB(sb)->fs, read_only);
}

static const struct super_ops fat_sops = {
  .statfs = fat_vfs_statfs,
  .sync = fat_vfs_sync,
  .put_super = fat_vfs_put_super,
  .remount = fat_vfs_remount,
};

/* Mount options: uid=, gid=, umask=, fmask=, dmask= (octal); others ignored. */
static void parse_options(struct fat_sb *fsb, const char *data)
{
  while (data && *data) {
    const char *end = strchr(data, ',');
    size_t len = end ? (size_t)(end - data) : strlen(data);
    char opt[32];
    if (len < sizeof(opt)) {
      memcpy(opt, data, len);
      opt[len] = 0;
      char *eq = strchr(opt, '=');
      if (eq) {
        *eq = 0;
        const char *v = eq + 1;
        unsigned long oct = strtoul(v, NULL, 8), dec = strtoul(v, NULL, 10);
        if (!strcmp(opt, "uid"))
          fsb->uid = (uid_t)dec;
        else if (!strcmp(opt, "gid"))
          fsb->gid = (gid_t)dec;
        else if (!strcmp(opt, "umask"))
          fsb->fmask = fsb->dmask = (mode_t)oct & 0777;
        else if (!strcmp(opt, "fmask"))
          fsb->fmask = (mode_t)oct & 0777;
        else if (!strcmp(opt, "dmask"))
          fsb->dmask = (mode_t)oct & 0777;
      }
    }
    data = end ? end + 1 : NULL;
  }
}

static bool device_mounted(struct blockdev *bd)
{
  bool busy = false;
  spin_lock(&fat_mounts_lock);
  struct fat_sb *f;
  list_for_each_entry(f, &fat_mounts, link)
    if (f->bd == bd)
      busy = true;
  spin_unlock(&fat_mounts_lock);
  return busy;
}

static int fat_vfs_mount(const struct fs_type *type, const char *source, uint32_t flags,
                         const char *data, struct super_block **sbp)
{
  if (!source)
    return -EINVAL;
  struct path p;
  int r = path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &p);
  if (r)
    return r;
  bool blk = S_ISBLK(p.dentry->inode->mode);
  dev_t dev = p.dentry->inode->rdev;
  path_put(&p);
  if (!blk)
    return -ENOTBLK;
  struct blockdev *bd = blockdev_by_dev(dev);
  if (!bd)
    return -ENXIO;
  if (device_mounted(bd))
    return -EBUSY;
  struct fat_sb *fsb = kzalloc(sizeof(*fsb));
  if (!fsb)
    return -ENOMEM;
  fsb->bd = bd;
  fsb->fmask = fsb->dmask = current->fs->umask & 0777;
  mutex_init(&fsb->ilock, "fat_inodes");
  mutex_init(&fsb->ra_lock, "fat_readahead");
  mutex_init(&fsb->wb_lock, "fat_writebehind");
  list_init(&fsb->inodes);
  fsb->ra_buf = kmalloc(FAT_RA_BYTES);  /* without them, I/O goes page by page */
  fsb->wb_buf = kmalloc(FAT_WB_BYTES);
  parse_options(fsb, data);
  r = fat_mount(bd, flags & MS_RDONLY, &fsb->fs);
  if (r) {
    kfree(fsb->ra_buf);
    kfree(fsb->wb_buf);
    kfree(fsb);
    return r;
  }
  struct super_block *sb = sb_alloc(type);
  struct dentry *d = sb ? dentry_alloc(NULL, "/", 1) : NULL;
  if (!d) {
    kfree(sb);
    goto nomem;
  }
  sb->ops = &fat_sops;
  sb->magic = MSDOS_SUPER_MAGIC;
  sb->dev = bd->dev;
  sb->priv = fsb;
  if (fsb->fs->read_only)
    sb->flags |= MS_RDONLY;
  struct inode *root = fat_vfs_node_inode(sb, fat_root(fsb->fs));
  if (!root) {
    dput(d);
    kfree(sb);
    goto nomem;
  }
  d->sb = sb;
  d_instantiate(d, root);
  sb->root = d;
  spin_lock(&fat_mounts_lock);
  list_add_tail(&fsb->link, &fat_mounts);
  spin_unlock(&fat_mounts_lock);
  pr_info("fat: %s mounted: %u-byte clusters, %u clusters", bd->name, fsb->fs->cluster_size,
          fsb->fs->nclusters);
  *sbp = sb;
  return 0;
nomem:
  fat_unmount(fsb->fs);
  kfree(fsb->ra_buf);
  kfree(fsb->wb_buf);
  kfree(fsb);
  return -ENOMEM;
}

static const struct fs_type vfat_type = { .name = "vfat", .mount = fat_vfs_mount, .needs_device = true };
static const struct fs_type fat_type = { .name = "fat", .mount = fat_vfs_mount, .needs_device = true };
static const struct fs_type msdos_type = { .name = "msdos", .mount = fat_vfs_mount, .needs_device = true };

/* Make "vfat" (and its aliases) known to mount(). */
void fat_init(void)
{
  register_fs(&vfat_type);
  register_fs(&fat_type);
  register_fs(&msdos_type);
}
