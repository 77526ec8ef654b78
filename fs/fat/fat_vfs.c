/*
 * fat_vfs.c — FAT32 in Kite's VFS, file by file: inodes for the core's
 * nodes, the name operations, the page cache's readpage/writepage (with
 * the readahead and write-behind windows), truncate, times, readdir. The
 * file system as a whole (types, mount, statfs, sync) is fat_vfs_super.c;
 * what the two share is fat_vfs_int.h. The FAT32 logic itself is the core
 * (fat32.h).
 *
 * Layer: a file system under the VFS core (fs/inode.h, fs/mount.h); below it the core (fs/fat/fat32.c,
 * fat_dir.c ...) and its kernel environment (fat_env_kernel.c).
 *
 * Inodes and nodes: every inode of a FAT mount holds one reference to a
 * core node (ino->priv is a struct fat_inode). The core keeps one node per
 * directory entry, so two names that differ only in case, which the dentry
 * cache sees as two dentries, give the same node and thus the same inode
 * (node->owner). A rename moves the node, so open files follow it.
 *
 * What FAT cannot do is refused as Linux's vfat refuses it: link, symlink
 * and mknod of devices are EPERM (the VFS's answer when the operation is
 * missing); chown to another owner is EPERM; chmod keeps what FAT can
 * store (the write bits of a file, as ATTR_RO) and silently ignores the
 * rest; names with "*\/:<>?| or control characters are EINVAL.
 *
 * Locks: the VFS holds the directory's inode->lock for name operations
 * (and both directories' plus the rename lock for rename); inode->lock
 * also serialises size changes. fsb->ilock (a mutex) protects the list of
 * inodes and the node->owner links; fsb->ra_lock and fsb->wb_lock the
 * readahead and write-behind windows. Order: inode->lock > fsb->ilock >
 * page-cache lock > fsb->ra_lock, fsb->wb_lock > the core's fs->lock >
 * block-cache buffers (the two window locks are never held together).
 */
#include "fs/fat/fat_vfs_int.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/fsops.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include <string.h>
#include <stdlib.h>

static const struct inode_ops fat_dir_iops;
static const struct inode_ops fat_file_iops;
static const struct file_ops fat_dir_fops;
static const struct file_ops fat_file_fops;

static struct fat_inode *FI(struct inode *ino) { return ino->priv; }
static struct fat_node *NODE(struct inode *ino) { return FI(ino)->node; }
static struct fat_fs *FS(struct inode *ino) { return FSB(ino->sb)->fs; }

static struct timespec64 ts_of(int64_t t)
{
  struct timespec64 ts = { t, 0 };
  return ts;
}

/* The mode FAT gives an entry: everything the masks allow; no write bits
 * for a read-only file. */
static mode_t fat_mode(struct fat_sb *fsb, const struct fat_attr *a)
{
  if (a->is_dir)
    return S_IFDIR | (0777 & ~fsb->dmask);
  mode_t m = S_IFREG | (0777 & ~fsb->fmask);
  if (a->read_only)
    m &= ~0222;
  return m;
}

/* A reference to a live inode, unless it is already being evicted. */
bool fat_vfs_iget_live(struct inode *ino)
{
  int c = __atomic_load_n(&ino->refcount, __ATOMIC_RELAXED);
  while (c > 0)
    if (__atomic_compare_exchange_n(&ino->refcount, &c, c + 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED))
      return true;
  return false;
}

/*
 * The inode of node n (the caller's reference on n is taken over): the
 * one already in use, or a new one. NULL if out of memory.
 */
struct inode *fat_vfs_node_inode(struct super_block *sb, struct fat_node *n)
{
  struct fat_sb *fsb = FSB(sb);
  mutex_lock(&fsb->ilock);
  struct inode *old = n->owner;
  if (old && fat_vfs_iget_live(old)) {
    mutex_unlock(&fsb->ilock);
    fat_node_put(fsb->fs, n);  /* the inode holds one already */
    return old;
  }
  struct fat_attr a;
  fat_getattr(fsb->fs, n, &a);
  struct fat_inode *fi = kzalloc(sizeof(*fi));
  struct inode *ino = fi ? inode_alloc(sb, fat_mode(fsb, &a)) : NULL;
  if (!ino) {
    mutex_unlock(&fsb->ilock);
    kfree(fi);
    fat_node_put(fsb->fs, n);
    return NULL;
  }
  ino->ino = a.ino;
  ino->uid = fi->uid = fsb->uid;
  ino->gid = fi->gid = fsb->gid;
  fi->mode = ino->mode;
  ino->size = a.size;
  ino->mtime = ino->ctime = ts_of(a.mtime);
  ino->atime = ts_of(a.atime);
  if (a.is_dir) {
    int subdirs = fat_count_subdirs(fsb->fs, n);
    ino->nlink = 2 + (subdirs > 0 ? subdirs : 0);
    ino->iop = &fat_dir_iops;
    ino->fop = &fat_dir_fops;
  } else {
    ino->nlink = 1;
    ino->iop = &fat_file_iops;
    ino->fop = &fat_file_fops;
  }
  fi->node = n;
  fi->inode = ino;
  ino->priv = fi;
  n->owner = ino;
  list_add_tail(&fi->link, &fsb->inodes);
  mutex_unlock(&fsb->ilock);
  return ino;
}

/* Other dentries in d's directory for the same inode (the same name in
 * another case) stop naming it: the name they stood for is gone. */
static void drop_aliases(struct dentry *d, struct inode *ino)
{
  spin_lock(&dcache_lock);
  struct dentry *c;
  list_for_each_entry(c, &d->parent->children, sibling)
    if (c != d && c->inode == ino)
      c->unlinked = true;
  spin_unlock(&dcache_lock);
}

/* ---- directory operations ---- */

static int fat_vfs_lookup(struct inode *dir, struct dentry *d)
{
  struct fat_node *n;
  int r = fat_lookup(FS(dir), NODE(dir), d->name, strlen(d->name), &n);
  if (r == -ENOENT)
    return 0;  /* a negative dentry */
  if (r)
    return r;
  struct inode *ino = fat_vfs_node_inode(dir->sb, n);
  if (!ino)
    return -ENOMEM;
  d_instantiate(d, ino);
  return 0;
}

static int make(struct inode *dir, struct dentry *d, bool is_dir)
{
  struct fat_node *n;
  int r = fat_create(FS(dir), NODE(dir), d->name, strlen(d->name), is_dir, &n);
  if (r)
    return r;
  struct inode *ino = fat_vfs_node_inode(dir->sb, n);
  if (!ino)
    return -ENOMEM;  /* the entry exists; a later lookup finds it */
  d_instantiate(d, ino);
  if (is_dir)
    dir->nlink++;
  inode_touch(dir, true);
  return 0;
}

static int fat_vfs_create(struct inode *dir, struct dentry *d, mode_t mode)
{
  return make(dir, d, false);
}

static int fat_vfs_mkdir(struct inode *dir, struct dentry *d, mode_t mode)
{
  return make(dir, d, true);
}

static int fat_vfs_unlink(struct inode *dir, struct dentry *d)
{
  struct inode *ino = d->inode;
  int r = fat_unlink(FS(dir), NODE(dir), NODE(ino));
  if (r)
    return r;
  ino->nlink = 0;
  inode_touch(ino, false);
  inode_touch(dir, true);
  drop_aliases(d, ino);
  d_delete(d);
  return 0;
}

static int fat_vfs_rmdir(struct inode *dir, struct dentry *d)
{
  struct inode *ino = d->inode;
  int r = fat_rmdir(FS(dir), NODE(dir), NODE(ino));
  if (r)
    return r;
  ino->nlink = 0;
  dir->nlink--;
  inode_touch(dir, true);
  drop_aliases(d, ino);
  d_delete(d);
  return 0;
}

static int fat_vfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
                          struct dentry *nd, unsigned flags)
{
  struct inode *src = od->inode, *dst = nd->inode;
  unsigned ff = (flags & RENAME_NOREPLACE ? FAT_RENAME_NOREPLACE : 0) |
                (flags & RENAME_EXCHANGE ? FAT_RENAME_EXCHANGE : 0);
  if ((flags & RENAME_EXCHANGE) && !dst)
    return -ENOENT;
  int r = fat_rename(FS(odir), NODE(odir), NODE(src), NODE(ndir), nd->name, strlen(nd->name), ff);
  if (r)
    return r;
  drop_aliases(od, src);
  if (dst)
    drop_aliases(nd, dst);
  vfs_rename_update(odir, od, ndir, nd, flags);
  return 0;
}

/* ---- file data ---- */

/* Forget the readahead window if it holds n's bytes (n is written,
 * truncated or going away). */
static void ra_forget(struct fat_sb *fsb, struct fat_node *n)
{
  mutex_lock(&fsb->ra_lock);
  if (fsb->ra_node == n)
    fsb->ra_node = NULL;
  mutex_unlock(&fsb->ra_lock);
}

/*
 * Fill a page-cache page. The page cache asks one page at a time, and one
 * disk request per page is slow; so a reader going through a file in order
 * gets FAT_RA_BYTES read in one request into the volume's readahead window,
 * and the next pages are copied from there. Called with the page-cache lock.
 */
static int fat_vfs_readpage(struct inode *ino, struct page *p, uint64_t index)
{
  struct fat_sb *fsb = FSB(ino->sb);
  struct fat_inode *fi = FI(ino);
  uint64_t off = index * PAGE_SIZE;
  off_t size = READ_ONCE(ino->size);
  if ((off_t)off >= size)
    return 0;  /* the page is already zeroed */
  size_t n = (size_t)MIN((off_t)PAGE_SIZE, size - (off_t)off);
  bool sequential = index == 0 || index == fi->ra_next;
  fi->ra_next = index + 1;
  if (!fsb->ra_buf)
    return fat_read(fsb->fs, fi->node, off, page_to_kva(p), n);
  mutex_lock(&fsb->ra_lock);
  int r = 0;
  if (fsb->ra_node != fi->node || off < fsb->ra_start || off + n > fsb->ra_start + fsb->ra_len) {
    if (!sequential) {  /* not in the window, not in order: just this page */
      mutex_unlock(&fsb->ra_lock);
      return fat_read(fsb->fs, fi->node, off, page_to_kva(p), n);
    }
    uint32_t len = (uint32_t)MIN((off_t)FAT_RA_BYTES, size - (off_t)off);
    fsb->ra_node = NULL;
    r = fat_read(fsb->fs, fi->node, off, fsb->ra_buf, len);
    if (!r) {
      fsb->ra_node = fi->node;
      fsb->ra_start = off;
      fsb->ra_len = len;
    }
  }
  if (!r)
    memcpy(page_to_kva(p), (char *)fsb->ra_buf + (off - fsb->ra_start), n);
  mutex_unlock(&fsb->ra_lock);
  return r;
}

/* Write the write-behind window out (fsb->wb_lock held). */
static int wb_flush_locked(struct fat_sb *fsb)
{
  struct fat_node *n = fsb->wb_node;
  if (!n)
    return 0;
  fsb->wb_node = NULL;
  uint32_t ss = fsb->fs->sector_size;
  uint32_t end = (fsb->wb_len + ss - 1) / ss * ss;  /* the last sector goes whole */
  memset((char *)fsb->wb_buf + fsb->wb_len, 0, end - fsb->wb_len);
  return fat_write(fsb->fs, n, fsb->wb_start, fsb->wb_buf, fsb->wb_len);
}

/* Put n's pages that wait in the write-behind window on disk (any file's if
 * n is NULL). Whoever needs n's data or size on disk calls this first. */
int fat_vfs_wb_flush(struct fat_sb *fsb, struct fat_node *n)
{
  mutex_lock(&fsb->wb_lock);
  int r = (!n || fsb->wb_node == n) ? wb_flush_locked(fsb) : 0;
  mutex_unlock(&fsb->wb_lock);
  return r;
}

/*
 * Write back a dirty page (called by the page cache, in index order, with
 * its lock held). A page that continues the file's run in the write-behind
 * window joins it; otherwise the window is written out and starts again
 * here. An error is that of the run written now.
 */
static int fat_vfs_writepage(struct inode *ino, struct page *p, uint64_t index)
{
  struct fat_sb *fsb = FSB(ino->sb);
  struct fat_node *node = NODE(ino);
  struct fat_attr a;
  fat_getattr(fsb->fs, node, &a);
  if (!a.linked)
    return 0;  /* nobody will read it from disk again */
  uint64_t off = index * PAGE_SIZE;
  off_t size = READ_ONCE(ino->size);
  if ((off_t)off >= size)
    return 0;
  size_t n = (size_t)MIN((off_t)PAGE_SIZE, size - (off_t)off);
  ra_forget(fsb, node);
  if (!fsb->wb_buf)
    return fat_write(fsb->fs, node, off, page_to_kva(p), n);
  mutex_lock(&fsb->wb_lock);
  int r = 0;
  if (fsb->wb_node != node || fsb->wb_start + fsb->wb_len != off || fsb->wb_len % PAGE_SIZE ||
      fsb->wb_len + n > FAT_WB_BYTES) {
    r = wb_flush_locked(fsb);
    fsb->wb_node = node;
    fsb->wb_start = off;
    fsb->wb_len = 0;
  }
  memcpy((char *)fsb->wb_buf + fsb->wb_len, page_to_kva(p), n);
  fsb->wb_len += (uint32_t)n;
  mutex_unlock(&fsb->wb_lock);
  return r;
}

/* Called by vfs_truncate() with inode->lock held, before it drops pages. */
static int fat_vfs_truncate(struct inode *ino, off_t size)
{
  if ((uint64_t)size > FAT_MAX_FILE_SIZE)
    return -EFBIG;
  int r = fat_vfs_wb_flush(FSB(ino->sb), NODE(ino));  /* written before the size moves */
  if (r)
    return r;
  if (size < ino->size) {
    /* Pages past the end go first, so no writeback can bring them back. */
    ino->size = size;
    page_cache_truncate(ino, size);
  }
  struct fat_attr a = { .size = (uint64_t)size };
  r = fat_setattr(FS(ino), NODE(ino), &a, FAT_SET_SIZE);
  ra_forget(FSB(ino->sb), NODE(ino));  /* after: a read meanwhile saw the old bytes */
  return r;
}

/* Linux's vfat rule for chmod (fat_sanitize_mode_change): the r and x bits
 * cannot change; the w bits may all go (ATTR_RO) or all come back. */
static bool mode_change_ok(struct fat_sb *fsb, struct fat_inode *fi, mode_t m)
{
  bool reg = S_ISREG(fi->mode);
  mode_t mask = reg ? fsb->fmask : fsb->dmask;
  mode_t perm = m & 0777 & ~mask;
  if ((perm & 0555) != (fi->mode & 0555))
    return false;
  bool can_hold_ro = reg && (~mask & 0222);
  if (can_hold_ro)
    return !(perm & 0222) || (perm & 0222) == (0222 & ~mask);
  return (perm & 0222) == (0222 & ~mask);
}

/*
 * Write the inode's size, times and read-only bit into its directory entry
 * (after its dirty pages, so the size never covers data not on disk).
 * chown and chmod arrive here having changed the inode already: what FAT
 * cannot store is put back (EPERM where Linux says so).
 */
int fat_vfs_write_inode(struct inode *ino)
{
  struct fat_sb *fsb = FSB(ino->sb);
  struct fat_inode *fi = FI(ino);
  int err = 0;
  if (ino->uid != fi->uid || ino->gid != fi->gid) {
    ino->uid = fi->uid;
    ino->gid = fi->gid;
    err = -EPERM;
  }
  if (ino->mode != fi->mode) {
    if (ino->mode & (S_ISUID | S_ISGID | S_ISVTX)) {
      ino->mode = fi->mode;
      err = -EPERM;
    } else if (mode_change_ok(fsb, fi, ino->mode)) {
      mode_t mask = S_ISREG(fi->mode) ? fsb->fmask : fsb->dmask;
      fi->mode = ino->mode = (ino->mode & S_IFMT) | (ino->mode & 0777 & ~mask);
    } else {
      ino->mode = fi->mode;  /* as Linux: no error, no change */
    }
  }
  struct fat_attr a;
  int r = fat_vfs_wb_flush(fsb, fi->node);
  fat_getattr(fsb->fs, fi->node, &a);
  if (!a.linked || r)
    return r ? r : err;
  unsigned mask = FAT_SET_MTIME | FAT_SET_ATIME;
  if (S_ISREG(ino->mode)) {
    if ((uint64_t)ino->size > a.valid) {
      page_cache_writeback(ino);
      fat_vfs_wb_flush(fsb, fi->node);
    }
    mask |= FAT_SET_SIZE | FAT_SET_RO;
  }
  a.size = (uint64_t)ino->size;
  a.mtime = ino->mtime.tv_sec;
  a.atime = ino->atime.tv_sec;
  a.read_only = !(ino->mode & 0222);
  r = fat_setattr(fsb->fs, fi->node, &a, mask);
  if (r)
    return r;
  /* Show what was stored: times to FAT's resolution (ctime is mtime, as Linux shows). */
  fat_getattr(fsb->fs, fi->node, &a);
  ino->mtime = ino->ctime = ts_of(a.mtime);
  ino->atime = ts_of(a.atime);
  ino->dirty = false;
  return err;
}

static void fat_vfs_evict(struct inode *ino)
{
  struct fat_inode *fi = FI(ino);
  if (!fi)
    return;
  struct fat_sb *fsb = FSB(ino->sb);
  mutex_lock(&fsb->ilock);
  struct fat_attr a;
  fat_getattr(fsb->fs, fi->node, &a);
  if (a.linked && !a.is_dir) {
    page_cache_writeback(ino);
    fat_vfs_write_inode(ino);
  }
  if (fi->node->owner == ino)
    fi->node->owner = NULL;
  list_del(&fi->link);
  mutex_unlock(&fsb->ilock);
  fat_vfs_wb_flush(fsb, fi->node);  /* no window may point at a node that goes */
  ra_forget(fsb, fi->node);
  fat_node_put(fsb->fs, fi->node);  /* an unlinked file's clusters go here */
  ino->priv = NULL;
  kfree(fi);
}

/* ---- files ---- */

/*
 * write(): clusters are reserved before the data is copied into the page
 * cache, so a full disk is ENOSPC (or a short write) now, as on Linux, and
 * not a lost page later. FAT files end at 4 GiB - 1: EFBIG past it.
 */
static ssize_t fat_vfs_write(struct file *f, struct uio *u, off_t *pos)
{
  struct inode *ino = f->inode;
  if (u->resid == 0)
    return 0;
  off_t start = (f->flags & O_APPEND) ? READ_ONCE(ino->size) : *pos;
  if ((uint64_t)start >= FAT_MAX_FILE_SIZE)
    return -EFBIG;
  size_t want = (size_t)MIN((uint64_t)u->resid, FAT_MAX_FILE_SIZE - (uint64_t)start);
  uint64_t got = 0;
  int r = fat_reserve(FS(ino), NODE(ino), (uint64_t)start + want, &got);
  if (r == -ENOSPC) {
    if (got <= (uint64_t)start)
      return -ENOSPC;
    want = (size_t)(got - (uint64_t)start);
  } else if (r) {
    return r;
  }
  size_t held_back = u->resid - want;
  u->resid = want;
  ssize_t n = generic_file_write(f, u, pos);
  u->resid += held_back;
  return n;
}

/* Write this file's pages and entry, then the volume's metadata. */
static int fat_vfs_fsync(struct file *f, bool datasync)
{
  struct inode *ino = f->inode;
  int r = 0;
  if (S_ISREG(ino->mode)) {
    mutex_lock(&ino->lock);
    r = page_cache_writeback(ino);
    int r2 = fat_vfs_write_inode(ino);
    mutex_unlock(&ino->lock);
    if (!r)
      r = r2;
  }
  int r3 = fat_sync(FS(ino));
  return r ? r : r3;
}

/* ---- directories ---- */

/* Positions: 0 ".", 1 "..", then 2 + the slot index of the next entry. */
static int fat_vfs_iterate(struct file *f, struct dir_context *ctx)
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
  struct fat_dirent *de = kmalloc(sizeof(*de));
  if (!de)
    return -ENOMEM;
  int r;
  for (;;) {
    uint64_t slot = (uint64_t)ctx->pos - 2;
    r = fat_readdir(FS(dir), NODE(dir), &slot, de);
    if (r <= 0)
      break;
    /* The actor copies to user memory and may fault: no FAT lock is held. */
    if (!ctx->actor(ctx, de->name, de->len, de->ino, de->is_dir ? DT_DIR : DT_REG)) {
      r = 0;
      break;
    }
    ctx->pos = (off_t)slot + 2;
  }
  kfree(de);
  return r < 0 ? r : 0;
}

static const struct inode_ops fat_dir_iops = {
  .lookup = fat_vfs_lookup,
  .create = fat_vfs_create,
  .mkdir = fat_vfs_mkdir,
  .unlink = fat_vfs_unlink,
  .rmdir = fat_vfs_rmdir,
  .rename = fat_vfs_rename,
  .write_inode = fat_vfs_write_inode,
  .evict = fat_vfs_evict,
};

static const struct inode_ops fat_file_iops = {
  .readpage = fat_vfs_readpage,
  .writepage = fat_vfs_writepage,
  .truncate = fat_vfs_truncate,
  .write_inode = fat_vfs_write_inode,
  .evict = fat_vfs_evict,
};

static const struct file_ops fat_dir_fops = {
  .llseek = generic_llseek,
  .iterate = fat_vfs_iterate,
  .fsync = fat_vfs_fsync,
};

static const struct file_ops fat_file_fops = {
  .read = generic_file_read,
  .write = fat_vfs_write,
  .llseek = generic_llseek,
  .mmap = generic_file_mmap,
  .fsync = fat_vfs_fsync,
};
