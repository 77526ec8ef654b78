/*
 * sys_sync.c — the system calls on a file's size and its way to the
 * disk: truncate, ftruncate, fallocate, fsync, fdatasync,
 * sync_file_range, sync, syncfs, readahead, fadvise64.
 *
 * Layer: system calls (fetch and check the arguments).
 * Below: fs/pagecache.c (vfs_truncate, vfs_fallocate, readahead),
 * fs/super.c (sync_all, sync_fs), fs/locks.c (break_lease), fs/perm.c.
 * Neighbours: fs/sys_rw.c (data), fs/sys_mount.c (file systems).
 *
 * Locks: a size change holds the inode's lock (ino->lock) across
 * file_remove_privs and the truncate or allocation; syncing takes the
 * file system's own locks (none held on entry).
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/namei.h"
#include "fs/perm.h"
#include "fs/fdtable.h"
#include "fs/locks.h"
#include "fs/inotify.h"
#include "kern/mm.h"
#include <string.h>

/* ---- sizes and syncing ---- */

long sys_truncate(uaddr_t upath, off_t length)
{
  if (length < 0)
    return -EINVAL;
  struct path p;
  long r = user_path_at(AT_FDCWD, upath, 0, 0, &p);
  if (r)
    return r;
  struct inode *ino = p.dentry->inode;
  if (S_ISDIR(ino->mode)) {
    r = -EISDIR;
  } else if (!S_ISREG(ino->mode)) {
    r = -EINVAL;
  } else if (mnt_readonly(p.mnt)) {
    r = -EROFS;
  } else if ((r = inode_permission(ino, MAY_WRITE))) {
  } else if (IS_APPEND(ino)) {
    r = -EPERM;
  } else if (READ_ONCE(ino->deny_writers) > 0) {
    r = -ETXTBSY; /* a running program's file */
  } else if (!(r = break_lease(ino, O_WRONLY, NULL))) {
    mutex_lock(&ino->lock);
    file_remove_privs(ino);
    r = vfs_truncate(ino, length);
    mutex_unlock(&ino->lock);
    if (r == 0)
      inotify_dentry_event(p.dentry, IN_MODIFY);
  }
  path_put(&p);
  return r;
}

long sys_ftruncate(int fd, off_t length)
{
  if (length < 0)
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!f->inode || !S_ISREG(f->inode->mode) || !file_writable(f)) {
    r = -EINVAL; /* Linux: a directory, pipe or read-only descriptor alike */
  } else if (IS_APPEND(f->inode)) {
    r = -EPERM;
  } else {
    mutex_lock(&f->inode->lock);
    file_remove_privs(f->inode);
    r = vfs_truncate(f->inode, length);
    mutex_unlock(&f->inode->lock);
    if (r == 0)
      inotify_file_event(f, IN_MODIFY);
  }
  fput(f);
  return r;
}

long sys_fallocate(int fd, int mode, off_t offset, off_t len)
{
  if (offset < 0 || len <= 0)
    return -EINVAL;
  if (len > INT64_MAX - offset)
    return -EFBIG;
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) ||
      ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)))
    return -EOPNOTSUPP;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!file_writable(f))
    r = -EBADF;
  else if (f->inode && S_ISFIFO(f->inode->mode))
    r = -ESPIPE;
  else if (S_ISDIR(f->inode->mode))
    r = -EISDIR;
  else if (!f->inode || !S_ISREG(f->inode->mode))
    r = -ENODEV;
  else if (f->path.mnt && mnt_readonly(f->path.mnt))
    r = -EROFS;
  else {
    mutex_lock(&f->inode->lock);
    r = vfs_fallocate(f->inode, mode, offset, len);
    mutex_unlock(&f->inode->lock);
    if (r == 0)
      inotify_file_event(f, IN_MODIFY);
  }
  fput(f);
  return r;
}

static long fsync_fd(int fd, bool datasync)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = 0;
  if (f->fop && f->fop->fsync)
    r = f->fop->fsync(f, datasync);
  else if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISDIR(f->inode->mode) &&
                         !S_ISBLK(f->inode->mode)))
    r = -EINVAL;
  fput(f);
  return r;
}

long sys_fsync(int fd) { return fsync_fd(fd, false); }
long sys_fdatasync(int fd) { return fsync_fd(fd, true); }

long sys_sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags)
{
  if (offset < 0 || nbytes < 0 || (flags & ~7u))
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  mode_t m = f->inode ? f->inode->mode : 0;
  fput(f);
  if (!S_ISREG(m) && !S_ISBLK(m) && !S_ISDIR(m) && !S_ISLNK(m))
    return -ESPIPE;
  return fsync_fd(fd, true);
}

long sys_sync(void)
{
  sync_all();
  return 0;
}

long sys_syncfs(int fd)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = f->inode ? sync_fs(f->inode->sb) : 0;
  fput(f);
  return r;
}

/*
 * readahead: read [offset, offset + count) of a regular file (or block
 * device) into the page cache now, so later reads find it there. Pages
 * past the end of the file are not read; a file system kept in memory
 * has them all already.
 */
#define READAHEAD_MAX (2UL << 20)  /* bytes one call brings in at most */
long sys_readahead(int fd, off_t offset, size_t count)
{
  struct file *f = fd_get(fd);
  if (!f || !file_readable(f)) {
    if (f)
      fput(f);
    return -EBADF;
  }
  struct inode *ino = f->inode;
  long r = 0;
  if (!ino || (!S_ISREG(ino->mode) && !S_ISBLK(ino->mode)) || (off_t)count < 0) {
    r = -EINVAL;
  } else if (offset >= 0 && ino->iop && ino->iop->readpage) {
    uint64_t first = (uint64_t)offset / PAGE_SIZE;
    uint64_t end = MIN((uint64_t)ino->size, (uint64_t)offset + MIN(count, READAHEAD_MAX));
    for (uint64_t i = first; i * PAGE_SIZE < end; i++) {
      struct page *p = page_cache_get(ino, i, false);
      if (IS_ERR(p))
        break; /* advice: a page that cannot be read is not an error */
      put_page(p);
    }
  }
  fput(f);
  return r;
}

long sys_fadvise64(int fd, off_t offset, off_t len, int advice)
{
  (void)offset;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = 0;
  if (f->inode && S_ISFIFO(f->inode->mode))
    r = -ESPIPE;
  else if (advice < 0 || advice > 5 || len < 0)
    r = -EINVAL;
  fput(f);
  return r; /* advice only: the page cache decides */
}
