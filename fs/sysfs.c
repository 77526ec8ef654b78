/*
 * sysfs.c — a minimal sysfs: block/<disk>/stat and
 * block/<disk>/<partition>/stat, the device's I/O statistics in Linux's
 * format (Documentation/block/stat.rst, 17 fields as Linux 6.1 prints
 * them), read from drivers/blk.c's counters at each read, and
 * block/<disk>/queue/ with the block sizes and DMA alignment. Enough for the
 * programs that measure a disk's writes (LTP's tst_dev_bytes_written,
 * iostat-style tools) or ask how to align direct I/O; nothing else of
 * Linux's sysfs is here.
 *
 * Layer: fs, a file system under the VFS core. Its tree lives in the
 * dentry cache of a ramfs superblock (fs/ramfs.c makes the directories
 * and inodes); the stat files get their own read. One superblock, made at
 * boot and never released: every mount of "sysfs" shows it. Neighbours:
 * fs/devfs.c (the /dev nodes of the same devices), drivers/blk.c.
 *
 * Locks: a directory's inode lock while a name is added to it; the
 * statistics are copied under blk_stat_lock (blockdev_stat_line).
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "kern/user_namespace.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/sysfs.h"
#include "drivers/blk.h"
#include "kern/printk.h"
#include "kern/uio.h"
#include "kern/wait.h"
#include <string.h>

#define SYSFS_MAGIC 0x62656572

static struct super_block *sysfs_sb;
static struct dentry *block_dir;    /* block/, referenced for good */

/* ---- the attribute files ---- */

/* An attribute's text (buf, n bytes) from the position on: made whole at
 * every read, as Linux's sysfs reads an attribute. */
static ssize_t attr_copy(const char *buf, int n, struct uio *u, off_t *pos)
{
  if (*pos >= n)
    return 0;
  long c = uio_copy_to(u, buf + *pos, (size_t)(n - *pos));
  if (c > 0)
    *pos += c;
  return c;
}

/* stat: the device's I/O statistics line. */
static ssize_t stat_read(struct file *f, struct uio *u, off_t *pos)
{
  struct blockdev *bd = blockdev_by_dev(f->inode->rdev);
  if (!bd)
    return -ENODEV;
  char buf[256];
  return attr_copy(buf, blockdev_stat_line(bd, buf, sizeof(buf)), u, pos);
}

/* A number and a newline. */
static ssize_t number_read(unsigned long v, struct uio *u, off_t *pos)
{
  char buf[32];
  return attr_copy(buf, snprintf(buf, sizeof(buf), "%lu\n", v), u, pos);
}

/* queue/: the request queue's limits, the same for every Kite disk
 * (drivers/blk.h): 512-byte logical and physical blocks, buffers aligned
 * to 512 bytes. */
static ssize_t block_size_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)f;
  return number_read(SECTOR_SIZE, u, pos);
}
static ssize_t dma_alignment_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)f;
  return number_read(BLK_DMA_ALIGNMENT, u, pos);
}

static const struct file_ops stat_fops = {
  .read = stat_read,
  .llseek = generic_llseek,
};
static const struct file_ops block_size_fops = {
  .read = block_size_read,
  .llseek = generic_llseek,
};
static const struct file_ops dma_alignment_fops = {
  .read = dma_alignment_read,
  .llseek = generic_llseek,
};

/* ---- the tree ---- */

/* The child name of dir, made with mode (a directory or a file whose rdev
 * is dev) if it is not there: referenced (dput it), or ERR_PTR. */
static struct dentry *make_child(struct dentry *dir, const char *name, mode_t mode, dev_t dev)
{
  struct inode *di = dir->inode;
  mutex_lock(&di->lock);
  struct dentry *d = vfs_lookup_locked(dir, name, strlen(name));
  if (!IS_ERR(d) && !d->inode) {
    int r = S_ISDIR(mode) ? di->iop->mkdir(di, d, mode) : di->iop->mknod(di, d, mode, dev);
    if (r) {
      dput(d);
      d = ERR_PTR(r);
    }
  }
  mutex_unlock(&di->lock);
  return d;
}

/* dir/name, read through fops, for device bd. */
static void add_attr(struct dentry *dir, const char *name, const struct file_ops *fops,
                     struct blockdev *bd)
{
  struct dentry *d = make_child(dir, name, S_IFREG | 0444, bd->dev);
  if (IS_ERR(d))
    return;
  d->inode->fop = fops;
  dput(d);
}

/* dir/queue/ of a whole disk: its limits (Linux has none for a partition). */
static void add_queue(struct dentry *dir, struct blockdev *bd)
{
  struct dentry *q = make_child(dir, "queue", S_IFDIR | 0755, 0);
  if (IS_ERR(q))
    return;
  add_attr(q, "logical_block_size", &block_size_fops, bd);
  add_attr(q, "physical_block_size", &block_size_fops, bd);
  add_attr(q, "hw_sector_size", &block_size_fops, bd);
  add_attr(q, "dma_alignment", &dma_alignment_fops, bd);
  dput(q);
}

void sysfs_add_block_devices(void)
{
  struct dentry *disk_dir = NULL;
  struct blockdev *disk = NULL;
  for (struct blockdev *bd = blockdev_next(NULL); bd; bd = blockdev_next(bd)) {
    struct dentry *parent = block_dir;
    if (bd->whole) {            /* a partition: under its disk's directory */
      if (bd->whole != disk || !disk_dir)
        continue;
      parent = disk_dir;
    }
    struct dentry *d = make_child(parent, bd->name, S_IFDIR | 0755, 0);
    if (IS_ERR(d))
      continue;
    add_attr(d, "stat", &stat_fops, bd);
    if (bd->whole) {
      dput(d);
      continue;
    }
    add_queue(d, bd);
    if (disk_dir)
      dput(disk_dir);
    disk_dir = d;
    disk = bd;
  }
  if (disk_dir)
    dput(disk_dir);
}

/* ---- the file system ---- */

static int sysfs_mount(const struct fs_type *type, const char *source, uint32_t flags,
                       const char *data, struct super_block **sbp)
{
  (void)type, (void)source, (void)flags, (void)data;
  *sbp = sysfs_sb;
  return 0;
}

/* sysfs belongs to the network namespace's owner (Linux's
 * sysfs_init_fs_context): Kite has one network namespace, the initial
 * user namespace's, so only its CAP_SYS_ADMIN mounts sysfs; shown whole,
 * it is "visible" as proc is (fs/mount_userns.c). */
static struct user_namespace *sysfs_userns(void)
{
  return &init_user_ns;
}
static const struct fs_type sysfs_type = { .name = "sysfs", .mount = sysfs_mount,
                                           .userns_mount = sysfs_userns, .userns_visible = true };

void sysfs_init(void)
{
  const struct fs_type *ramfs = fs_type_find("ramfs");
  if (!ramfs || ramfs->mount(ramfs, "sysfs", 0, NULL, &sysfs_sb))
    panic("sysfs_init: no ramfs superblock");
  sysfs_sb->type = &sysfs_type;
  sysfs_sb->magic = SYSFS_MAGIC;
  sysfs_sb->ops = NULL;         /* nothing to sync, never put */
  sysfs_sb->refcount = 1;       /* the kernel's own: unmounting never prunes the tree */
  block_dir = make_child(sysfs_sb->root, "block", S_IFDIR | 0755, 0);
  if (IS_ERR(block_dir))
    panic("sysfs_init: out of memory");
  register_fs(&sysfs_type);
}
