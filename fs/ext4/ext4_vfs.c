/*
 * ext4_vfs.c — ext4 in Kite's VFS, file by file: inodes for the core's
 * nodes, the name operations, the page cache's readpage/writepage (with a
 * readahead and a write-behind window, as for FAT), delayed allocation at
 * write(), truncate, fallocate, SEEK_DATA/SEEK_HOLE, attributes, readdir,
 * fsync. The file system as a whole (types, mount, statfs, sync) is
 * ext4_vfs_super.c; what the two share is ext4_vfs_int.h. The ext4 logic
 * itself is the core (ext4.h).
 *
 * Layer: a file system under the VFS core (fs/inode.h, fs/mount.h); below it the core (fs/ext4/ext4_*.c)
 * and its kernel environment (ext4_env_kernel.c).
 *
 * Inodes and nodes: every inode of an ext4 mount holds one reference to a
 * core node (struct e4_inode, found through ino->priv — or, for fifos,
 * whose priv belongs to the pipe, through the mount's list). Attributes
 * changed by the VFS (chmod, chown, utimensat, growth by write) reach the
 * disk through write_inode; the core's link counts and times are copied
 * back after every name operation.
 *
 * Locks: the VFS holds the directory's inode->lock for name operations;
 * inode->lock also serialises size changes. fsb->ilock protects the list of
 * inodes and every node->owner link; fsb->ra_lock and fsb->wb_lock the two
 * windows. Order: inode->lock > fsb->ilock > page-cache lock > fsb->ra_lock,
 * fsb->wb_lock > the core's fs->lock > block-cache buffers.
 */
#include "fs/ext4/ext4_vfs_int.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/fsops.h"
#include "fs/ramfs.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include <string.h>

static const struct inode_ops e4_dir_iops, e4_file_iops, e4_link_iops, e4_special_iops;
static const struct file_ops e4_dir_fops, e4_file_fops;

static struct ext4_fs *FS(struct inode *ino) { return FSB(ino->sb)->fs; }

static struct e4_inode *EI(struct inode *ino)
{
  if (!S_ISFIFO(ino->mode))
    return ino->priv;
  struct ext4_sb *fsb = FSB(ino->sb);  /* a fifo's priv is its pipe */
  struct e4_inode *ei, *found = NULL;
  mutex_lock(&fsb->ilock);
  list_for_each_entry(ei, &fsb->inodes, link)
    if (ei->inode == ino)
      found = ei;
  mutex_unlock(&fsb->ilock);
  return found;
}

static struct ext4_node *NODE(struct inode *ino) { return EI(ino)->node; }

static struct timespec64 ts_of(struct ext4_time t)
{
  struct timespec64 ts = { t.sec, t.nsec };
  return ts;
}

static struct ext4_time et_of(struct timespec64 t)
{
  struct ext4_time e = { t.tv_sec, (uint32_t)t.tv_nsec };
  return e;
}

/* Copy the core's attributes into the VFS inode. */
static void refresh(struct inode *ino, struct e4_inode *ei)
{
  struct ext4_attr a;
  ext4_getattr(FS(ino), ei->node, &a);
  ino->nlink = a.nlink;
  ino->mode = a.mode;
  ino->uid = a.uid;
  ino->gid = a.gid;
  ino->mtime = ts_of(a.mtime);
  ino->ctime = ts_of(a.ctime);
  ino->atime = ts_of(a.atime);
  ei->stored = a;
}

bool e4_iget_live(struct inode *ino)
{
  int c = __atomic_load_n(&ino->refcount, __ATOMIC_RELAXED);
  while (c > 0)
    if (__atomic_compare_exchange_n(&ino->refcount, &c, c + 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED))
      return true;
  return false;
}

/* The inode of node n (the caller's reference on n is taken over). */
struct inode *e4_node_inode(struct super_block *sb, struct ext4_node *n)
{
  struct ext4_sb *fsb = FSB(sb);
  mutex_lock(&fsb->ilock);
  struct inode *old = n->owner;
  if (old && e4_iget_live(old)) {
    mutex_unlock(&fsb->ilock);
    ext4_node_put(fsb->fs, n);
    return old;
  }
  struct ext4_attr a;
  ext4_getattr(fsb->fs, n, &a);
  struct e4_inode *ei = kzalloc(sizeof(*ei));
  struct inode *ino = ei ? inode_alloc(sb, a.mode) : NULL;
  if (!ino) {
    mutex_unlock(&fsb->ilock);
    kfree(ei);
    ext4_node_put(fsb->fs, n);
    return NULL;
  }
  ino->ino = a.ino;
  ino->generation = n->generation;
  ino->size = (off_t)a.size;
  ino->rdev = (dev_t)a.rdev;
  ei->node = n;
  ei->inode = ino;
  switch (a.mode & S_IFMT) {
  case S_IFDIR:
    ino->iop = &e4_dir_iops;
    ino->fop = &e4_dir_fops;
    break;
  case S_IFREG:
    ino->iop = &e4_file_iops;
    ino->fop = &e4_file_fops;
    break;
  case S_IFLNK:
    ino->iop = &e4_link_iops;
    break;
  default:  /* devices, sockets: their fops come at open; fifos are pipes */
    ino->iop = &e4_special_iops;
    ino->fop = S_ISFIFO(a.mode) ? &fifo_fops : NULL;
  }
  if (!S_ISFIFO(a.mode))
    ino->priv = ei;
  n->owner = ino;
  list_add_tail(&ei->link, &fsb->inodes);
  mutex_unlock(&fsb->ilock);
  refresh(ino, ei);
  return ino;
}

/* ---- names ---- */

static int e4_lookup(struct inode *dir, struct dentry *d)
{
  struct ext4_node *n = NULL;
  int r = ext4_lookup(FS(dir), NODE(dir), d->name, strlen(d->name), &n);
  if (r == -ENOENT)
    return 0;
  if (r)
    return r;
  struct inode *ino = e4_node_inode(dir->sb, n);
  if (!ino)
    return -ENOMEM;
  d_instantiate(d, ino);
  return 0;
}

static int e4_mknod(struct inode *dir, struct dentry *d, mode_t mode, dev_t dev)
{
  struct ext4_node *n = NULL;
  int r = ext4_create(FS(dir), NODE(dir), d->name, strlen(d->name), mode, dev, 0, 0, &n);
  if (r)
    return r;
  struct inode *ino = e4_node_inode(dir->sb, n);
  if (!ino)
    return -ENOMEM;  /* the entry exists; a later lookup finds it */
  d_instantiate(d, ino);
  refresh(dir, EI(dir));
  return 0;
}

static int e4_create(struct inode *dir, struct dentry *d, mode_t mode)
{
  return e4_mknod(dir, d, (mode & 07777) | S_IFREG, 0);
}

static int e4_mkdir(struct inode *dir, struct dentry *d, mode_t mode)
{
  return e4_mknod(dir, d, (mode & 07777) | S_IFDIR, 0);
}

static int e4_symlink(struct inode *dir, struct dentry *d, const char *target)
{
  struct ext4_node *n = NULL;
  int r = ext4_symlink(FS(dir), NODE(dir), d->name, strlen(d->name), target, 0, 0, &n);
  if (r)
    return r;
  struct inode *ino = e4_node_inode(dir->sb, n);
  if (!ino)
    return -ENOMEM;
  d_instantiate(d, ino);
  refresh(dir, EI(dir));
  return 0;
}

static int e4_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
  struct inode *ino = old->inode;
  int r = ext4_link(FS(dir), NODE(dir), d->name, strlen(d->name), NODE(ino));
  if (r)
    return r;
  iget(ino);
  d_instantiate(d, ino);
  refresh(ino, EI(ino));
  refresh(dir, EI(dir));
  return 0;
}

static int e4_remove(struct inode *dir, struct dentry *d, bool rmdir)
{
  struct inode *ino = d->inode;
  int r = ext4_unlink(FS(dir), NODE(dir), d->name, strlen(d->name), rmdir);
  if (r)
    return r;
  refresh(ino, EI(ino));
  refresh(dir, EI(dir));
  d_delete(d);
  return 0;
}

static int e4_unlink(struct inode *dir, struct dentry *d) { return e4_remove(dir, d, false); }
static int e4_rmdir(struct inode *dir, struct dentry *d) { return e4_remove(dir, d, true); }

static int e4_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
                     unsigned flags)
{
  struct inode *src = od->inode, *dst = nd->inode;
  unsigned ef = (flags & RENAME_NOREPLACE ? EXT4_RENAME_NOREPLACE : 0) |
                (flags & RENAME_EXCHANGE ? EXT4_RENAME_EXCHANGE : 0);
  int r = ext4_rename(FS(odir), NODE(odir), od->name, strlen(od->name), NODE(ndir), nd->name,
                      strlen(nd->name), ef);
  if (r)
    return r;
  vfs_rename_update(odir, od, ndir, nd, flags);
  /* The core's counts and times are the truth. */
  refresh(src, EI(src));
  if (dst)
    refresh(dst, EI(dst));
  refresh(odir, EI(odir));
  if (ndir != odir)
    refresh(ndir, EI(ndir));
  return 0;
}

static uint64_t e4_blocks(struct inode *ino)
{
  struct ext4_attr a;
  ext4_getattr(FS(ino), NODE(ino), &a);
  return a.blocks;
}

/* Extended attributes, in the inode and its attribute block (fs/xattr.c
 * has checked the name, the namespace and the permission). */
static ssize_t e4_getxattr(struct inode *ino, const char *name, void *buf, size_t size)
{
  return ext4_getxattr(FS(ino), NODE(ino), name, buf, size);
}

static ssize_t e4_listxattr(struct inode *ino, char *buf, size_t size)
{
  return ext4_listxattr(FS(ino), NODE(ino), buf, size);
}

static int e4_setxattr(struct inode *ino, const char *name, const void *value, size_t size, int flags)
{
  int r = ext4_setxattr(FS(ino), NODE(ino), name, value, size, flags);
  if (!r)
    refresh(ino, EI(ino));  /* the new ctime */
  return r;
}

static int e4_readlink(struct inode *ino, char *buf, size_t size)
{
  return ext4_readlink(FS(ino), NODE(ino), buf, size);
}

/* ---- file data ---- */

static void ra_forget(struct ext4_sb *fsb, struct ext4_node *n)
{
  mutex_lock(&fsb->ra_lock);
  if (fsb->ra_node == n)
    fsb->ra_node = NULL;
  mutex_unlock(&fsb->ra_lock);
}

/* Fill a page (page-cache lock held). A reader going through a file in
 * order gets EXT4_WIN_BYTES read at once into the readahead window. */
static int e4_readpage(struct inode *ino, struct page *p, uint64_t index)
{
  struct ext4_sb *fsb = FSB(ino->sb);
  struct e4_inode *ei = EI(ino);
  uint64_t off = index * PAGE_SIZE;
  off_t size = READ_ONCE(ino->size);
  if ((off_t)off >= size)
    return 0;
  uint32_t bs = fsb->fs->block_size;
  size_t n = (size_t)MIN((off_t)PAGE_SIZE, size - (off_t)off);
  n = ROUND_UP(n, bs);
  bool sequential = index == 0 || index == ei->ra_next;
  ei->ra_next = index + 1;
  if (!fsb->ra_buf || !sequential) {
    ra_forget(fsb, NULL);
    return ext4_read(fsb->fs, ei->node, off, page_to_kva(p), n);
  }
  mutex_lock(&fsb->ra_lock);
  int r = 0;
  if (fsb->ra_node != ei->node || off < fsb->ra_start || off + n > fsb->ra_start + fsb->ra_len) {
    uint32_t len = (uint32_t)MIN((off_t)EXT4_WIN_BYTES, ROUND_UP(size - (off_t)off, (off_t)bs));
    fsb->ra_node = NULL;
    r = ext4_read(fsb->fs, ei->node, off, fsb->ra_buf, len);
    if (!r) {
      fsb->ra_node = ei->node;
      fsb->ra_start = off;
      fsb->ra_len = len;
    }
  }
  if (!r)
    memcpy(page_to_kva(p), (char *)fsb->ra_buf + (off - fsb->ra_start), MIN(n, (size_t)PAGE_SIZE));
  mutex_unlock(&fsb->ra_lock);
  return r;
}

static int wb_flush_locked(struct ext4_sb *fsb)
{
  struct ext4_node *n = fsb->wb_node;
  if (!n)
    return 0;
  fsb->wb_node = NULL;
  uint32_t bs = fsb->fs->block_size, end = ROUND_UP(fsb->wb_len, bs);
  memset((char *)fsb->wb_buf + fsb->wb_len, 0, end - fsb->wb_len);
  return ext4_write(fsb->fs, n, fsb->wb_start, fsb->wb_buf, end, (uint64_t)READ_ONCE(fsb->wb_inode->size));
}

/* Put n's pages waiting in the write-behind window on disk (any file's if NULL). */
int e4_wb_flush(struct ext4_sb *fsb, struct ext4_node *n)
{
  mutex_lock(&fsb->wb_lock);
  int r = (!n || fsb->wb_node == n) ? wb_flush_locked(fsb) : 0;
  mutex_unlock(&fsb->wb_lock);
  return r;
}

/* Write back a dirty page (page-cache lock held, pages in index order). */
static int e4_writepage(struct inode *ino, struct page *p, uint64_t index)
{
  struct ext4_sb *fsb = FSB(ino->sb);
  struct ext4_node *node = NODE(ino);
  if (ino->nlink == 0)
    return 0;  /* unlinked: nobody will read it from disk again */
  uint64_t off = index * PAGE_SIZE;
  off_t size = READ_ONCE(ino->size);
  if ((off_t)off >= size)
    return 0;
  size_t n = (size_t)MIN((off_t)PAGE_SIZE, size - (off_t)off);
  ra_forget(fsb, node);
  if (!fsb->wb_buf)
    return ext4_write(fsb->fs, node, off, page_to_kva(p), ROUND_UP(n, fsb->fs->block_size), (uint64_t)size);
  mutex_lock(&fsb->wb_lock);
  int r = 0;
  if (fsb->wb_node != node || fsb->wb_start + fsb->wb_len != off || fsb->wb_len % PAGE_SIZE ||
      fsb->wb_len + n > EXT4_WIN_BYTES) {
    r = wb_flush_locked(fsb);
    fsb->wb_node = node;
    fsb->wb_inode = ino;
    fsb->wb_start = off;
    fsb->wb_len = 0;
  }
  memcpy((char *)fsb->wb_buf + fsb->wb_len, page_to_kva(p), n);
  fsb->wb_len += (uint32_t)n;
  mutex_unlock(&fsb->wb_lock);
  return r;
}

/* vfs_truncate's hook (inode->lock held), before it drops pages. */
static int e4_truncate(struct inode *ino, off_t size)
{
  struct ext4_sb *fsb = FSB(ino->sb);
  int r = e4_wb_flush(fsb, NODE(ino));
  if (r)
    return r;
  if (size < ino->size) {
    ino->size = size;  /* no writeback may bring the pages back */
    page_cache_truncate(ino, size);
  }
  struct ext4_attr a = { .size = (uint64_t)size };
  r = ext4_setattr(fsb->fs, NODE(ino), &a, EXT4_SET_SIZE);
  ra_forget(fsb, NODE(ino));
  if (!r)
    EI(ino)->stored.size = (uint64_t)size;
  return r;
}

static int e4_fallocate(struct inode *ino, int mode, off_t off, off_t len)
{
  struct ext4_sb *fsb = FSB(ino->sb);
  struct e4_inode *ei = EI(ino);
  int r = e4_wb_flush(fsb, ei->node);
  if (r)
    return r;
  if ((mode & FALLOC_FL_PUNCH_HOLE) && off < ino->size) {
    /* Cached pages of the hole go too (written first: their reservations
     * turn into blocks the core then frees). */
    page_cache_writeback(ino);
    r = e4_wb_flush(fsb, ei->node);
    page_cache_punch(ino, off, MIN(off + len, ino->size));
  }
  if (!r)
    r = ext4_fallocate(fsb->fs, ei->node, mode, (uint64_t)off, (uint64_t)len);
  ra_forget(fsb, ei->node);
  if (!r && !(mode & FALLOC_FL_KEEP_SIZE) && off + len > ino->size) {
    ino->size = off + len;
    ei->stored.size = (uint64_t)ino->size;
  }
  if (!r)
    inode_touch(ino, true);
  return r;
}

/*
 * Store what the VFS changed (size growth, times, mode, owner) in the
 * inode on disk. Dirty pages go first when the size grows, so the size
 * does not cover data that is not written yet.
 */
int e4_write_inode(struct inode *ino)
{
  struct ext4_sb *fsb = FSB(ino->sb);
  struct e4_inode *ei = EI(ino);
  if (!ei)
    return 0;
  struct ext4_attr a = { 0 };
  unsigned mask = 0;
  if (S_ISREG(ino->mode) && (uint64_t)ino->size > ei->stored.size) {
    page_cache_writeback(ino);
    int r = e4_wb_flush(fsb, ei->node);
    if (r)
      return r;
    a.size = (uint64_t)ino->size;
    mask |= EXT4_SET_SIZE;
  }
  a.mode = ino->mode;
  a.uid = ino->uid;
  a.gid = ino->gid;
  a.atime = et_of(ino->atime);
  a.mtime = et_of(ino->mtime);
  a.ctime = et_of(ino->ctime);
  if (a.mode != ei->stored.mode)
    mask |= EXT4_SET_MODE;
  if (a.uid != ei->stored.uid)
    mask |= EXT4_SET_UID;
  if (a.gid != ei->stored.gid)
    mask |= EXT4_SET_GID;
  if (a.atime.sec != ei->stored.atime.sec || a.atime.nsec != ei->stored.atime.nsec)
    mask |= EXT4_SET_ATIME;
  if (a.mtime.sec != ei->stored.mtime.sec || a.mtime.nsec != ei->stored.mtime.nsec)
    mask |= EXT4_SET_MTIME;
  if (a.ctime.sec != ei->stored.ctime.sec || a.ctime.nsec != ei->stored.ctime.nsec)
    mask |= EXT4_SET_CTIME;
  ino->dirty = false;
  if (!mask || (FSB(ino->sb) && (ino->sb->flags & MS_RDONLY)))
    return 0;
  int r = ext4_setattr(fsb->fs, ei->node, &a, mask);
  if (!r) {
    if (mask & EXT4_SET_SIZE)
      ei->stored.size = a.size;
    ei->stored.mode = a.mode;
    ei->stored.uid = a.uid;
    ei->stored.gid = a.gid;
    ei->stored.atime = a.atime;
    ei->stored.mtime = a.mtime;
    ei->stored.ctime = a.ctime;
  }
  return r;
}

static void e4_evict(struct inode *ino)
{
  struct e4_inode *ei = EI(ino);
  if (!ei)
    return;
  struct ext4_sb *fsb = FSB(ino->sb);
  if (S_ISREG(ino->mode) && ino->nlink && !(ino->sb->flags & MS_RDONLY)) {
    page_cache_writeback(ino);
    e4_write_inode(ino);
  } else if (ino->dirty && ino->nlink && !(ino->sb->flags & MS_RDONLY)) {
    e4_write_inode(ino);
  }
  e4_wb_flush(fsb, ei->node);  /* no window may point at a node that goes */
  ra_forget(fsb, ei->node);
  mutex_lock(&fsb->ilock);
  if (ei->node->owner == ino)
    ei->node->owner = NULL;
  list_del(&ei->link);
  mutex_unlock(&fsb->ilock);
  ext4_node_put(fsb->fs, ei->node);  /* an unlinked file's blocks go here */
  if (!S_ISFIFO(ino->mode))
    ino->priv = NULL;
  kfree(ei);
}

/* write(): blocks are promised before the data is copied into the page
 * cache, so a full disk is ENOSPC (or a short write) now. */
static ssize_t e4_write(struct file *f, struct uio *u, off_t *pos)
{
  struct inode *ino = f->inode;
  if (u->resid == 0)
    return 0;
  off_t start = (f->flags & O_APPEND) ? READ_ONCE(ino->size) : *pos;
  size_t want = u->resid;
  uint64_t got = 0;
  int r = ext4_reserve(FS(ino), NODE(ino), (uint64_t)start, want, &got);
  if (r == -ENOSPC || r == -EFBIG) {
    if (got == 0)
      return r;
    want = (size_t)got;
  } else if (r) {
    return r;
  }
  size_t held_back = u->resid - want;
  u->resid = want;
  ssize_t n = generic_file_write(f, u, pos);
  u->resid += held_back;
  return n;
}

static int e4_fsync(struct file *f, bool datasync)
{
  struct inode *ino = f->inode;
  int r = 0;
  if (S_ISREG(ino->mode)) {
    mutex_lock(&ino->lock);
    r = page_cache_writeback(ino);
    int r2 = e4_wb_flush(FSB(ino->sb), NODE(ino));
    int r3 = e4_write_inode(ino);
    mutex_unlock(&ino->lock);
    r = r ? r : r2 ? r2 : r3;
  } else if (ino->dirty) {
    e4_write_inode(ino);
  }
  int r4 = (ino->sb->flags & MS_RDONLY) ? 0 : ext4_sync(FS(ino));
  return r ? r : r4;
}

static off_t e4_llseek(struct file *f, off_t off, int whence)
{
  if (whence != SEEK_DATA && whence != SEEK_HOLE)
    return generic_llseek(f, off, whence);
  if (off < 0)
    return -ENXIO;
  int64_t r = ext4_seek_data(FS(f->inode), NODE(f->inode), (uint64_t)off,
                             (uint64_t)READ_ONCE(f->inode->size), whence == SEEK_HOLE);
  if (r >= 0)
    f->pos = r;
  return r;
}

/* Positions: 0 ".", 1 "..", then 2 + the byte offset of the next entry. */
static int e4_iterate(struct file *f, struct dir_context *ctx)
{
  struct inode *dir = f->inode;
  if (ctx->pos == 0) {
    if (!ctx->actor(ctx, ".", 1, dir->ino, DT_DIR))
      return 0;
    ctx->pos = 1;
  }
  if (ctx->pos == 1) {
    struct inode *pi = f->path.dentry ? f->path.dentry->parent->inode : NULL;
    if (!ctx->actor(ctx, "..", 2, pi ? pi->ino : dir->ino, DT_DIR))
      return 0;
    ctx->pos = 2;
  }
  struct ext4_dirent *de = kmalloc(sizeof(*de));
  if (!de)
    return -ENOMEM;
  static const unsigned char dt[8] = { DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK, DT_LNK };
  int r;
  for (;;) {
    uint64_t pos = (uint64_t)ctx->pos - 2;
    r = ext4_readdir(FS(dir), NODE(dir), &pos, de);
    if (r <= 0)
      break;
    /* The actor copies to user memory and may fault: no ext4 lock is held. */
    if (!ctx->actor(ctx, de->name, de->len, de->ino, de->type < 8 ? dt[de->type] : DT_UNKNOWN)) {
      r = 0;
      break;
    }
    ctx->pos = (off_t)pos + 2;
  }
  kfree(de);
  return r < 0 ? r : 0;
}

static const struct inode_ops e4_dir_iops = {
  .getxattr = e4_getxattr,
  .setxattr = e4_setxattr,
  .listxattr = e4_listxattr,
  .blocks = e4_blocks,
  .lookup = e4_lookup,
  .create = e4_create,
  .mkdir = e4_mkdir,
  .mknod = e4_mknod,
  .symlink = e4_symlink,
  .link = e4_link,
  .unlink = e4_unlink,
  .rmdir = e4_rmdir,
  .rename = e4_rename,
  .write_inode = e4_write_inode,
  .evict = e4_evict,
};

static const struct inode_ops e4_file_iops = {
  .getxattr = e4_getxattr,
  .setxattr = e4_setxattr,
  .listxattr = e4_listxattr,
  .blocks = e4_blocks,
  .readpage = e4_readpage,
  .writepage = e4_writepage,
  .truncate = e4_truncate,
  .fallocate = e4_fallocate,
  .write_inode = e4_write_inode,
  .evict = e4_evict,
};

static const struct inode_ops e4_link_iops = {
  .getxattr = e4_getxattr,
  .setxattr = e4_setxattr,
  .listxattr = e4_listxattr,
  .blocks = e4_blocks,
  .readlink = e4_readlink,
  .write_inode = e4_write_inode,
  .evict = e4_evict,
};

static const struct inode_ops e4_special_iops = {
  .getxattr = e4_getxattr,
  .setxattr = e4_setxattr,
  .listxattr = e4_listxattr,
  .write_inode = e4_write_inode,
  .evict = e4_evict,
};

static const struct file_ops e4_dir_fops = {
  .llseek = generic_llseek,
  .iterate = e4_iterate,
  .fsync = e4_fsync,
};

static const struct file_ops e4_file_fops = {
  .read = generic_file_read,
  .write = e4_write,
  .llseek = e4_llseek,
  .mmap = generic_file_mmap,
  .fsync = e4_fsync,
};
