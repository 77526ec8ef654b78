/*
 * sys_dir.c — the system calls on directories and names: getdents64,
 * getcwd, chdir, fchdir, chroot; mkdirat, mknodat, unlinkat, symlinkat,
 * linkat, renameat2, readlinkat.
 *
 * Layer: system calls (fetch and check the arguments, copy in and out).
 * Below: fs/fsops.c (do_mkdirat, do_unlinkat, do_renameat2 ...: the
 * checks and the file system's inode operations), fs/namei.c (the walk,
 * user_path_copy), fs/dcache.c (path_to_string for getcwd).
 * Neighbours: fs/sys_open.c, fs/sys_stat.c.
 *
 * Locks: getdents64 holds the directory file's pos_lock across iterate;
 * chdir, chroot and getcwd take current->fs->lock (a spinlock) only to
 * read or swap the cwd and root, whose references they get and put
 * outside it. The name calls take none: fs/fsops.c locks the directories.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/perm.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include "fs/inotify.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include <string.h>

/* ---- directories ---- */

struct getdents_ctx {
  struct dir_context ctx;
  uaddr_t buf;
  size_t left;
  size_t written;
  int err;
};

static bool filldir64(struct dir_context *ctx, const char *name, size_t len, ino_t ino,
                      unsigned type)
{
  struct getdents_ctx *g = (struct getdents_ctx *)ctx;
  size_t reclen = ROUND_UP(19 + len + 1, 8);
  if (reclen > g->left) {
    if (g->written == 0)
      g->err = -EINVAL;
    return false;
  }
  char rec[19 + NAME_MAX + 1 + 8];
  memset(rec, 0, reclen);
  uint64_t ino64 = ino;
  int64_t off = ctx->pos + 1;
  uint16_t rl = (uint16_t)reclen;
  memcpy(rec, &ino64, 8);
  memcpy(rec + 8, &off, 8);
  memcpy(rec + 16, &rl, 2);
  rec[18] = (char)type;
  memcpy(rec + 19, name, len);
  if (copyout(g->buf + g->written, rec, reclen)) {
    g->err = -EFAULT;
    return false;
  }
  g->written += reclen;
  g->left -= reclen;
  return true;
}

long sys_getdents64(int fd, uaddr_t buf, size_t count)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!f->inode || !S_ISDIR(f->inode->mode)) {
    r = -ENOTDIR;
  } else if (!f->fop || !f->fop->iterate) {
    r = -ENOTDIR;
  } else if (dir_is_dead(f->inode)) {
    r = -ENOENT;
  } else {
    mutex_lock(&f->pos_lock);
    struct getdents_ctx g = { { filldir64, f->pos }, buf, count, 0, 0 };
    r = f->fop->iterate(f, &g.ctx);
    f->pos = g.ctx.pos;
    mutex_unlock(&f->pos_lock);
    if (r == 0)
      r = g.err && !g.written ? g.err : (long)g.written;
    if (r >= 0)
      inotify_file_event(f, IN_ACCESS);
    file_accessed(f);
  }
  fput(f);
  return r;
}

long sys_getcwd(uaddr_t buf, size_t size)
{
  char *k = kmalloc(PATH_MAX);
  if (!k)
    return -ENOMEM;
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path cwd = fs->cwd, root = fs->root;
  path_get(&cwd);
  path_get(&root);
  spin_unlock(&fs->lock);
  /* A removed cwd has no name: Linux says ENOENT. One outside the root
   * (chroot left it behind) is "(unreachable)/..." as on Linux, which is
   * no absolute path: the C library's getcwd and realpath then fail. */
  int n = dir_is_dead(cwd.dentry->inode) ? -ENOENT : path_to_string(&cwd, &root, k, PATH_MAX);
  static const char unreachable[] = "(unreachable)";
  if (n >= 0 && !path_is_under(&cwd, &root)) {
    size_t u = sizeof(unreachable) - 1;
    if ((size_t)n + u + 1 > PATH_MAX) {
      n = -ENAMETOOLONG;
    } else {
      memmove(k + u, k, (size_t)n + 1);
      memcpy(k, unreachable, u);
      n += (int)u;
    }
  }
  path_put(&cwd);
  path_put(&root);
  long r;
  if (n < 0)
    r = n;
  else if ((size_t)n + 1 > size)
    r = -ERANGE;
  else
    r = copyout(buf, k, n + 1) ? -EFAULT : n + 1;
  kfree(k);
  return r;
}

static long set_cwd_or_root(struct path *p, bool root)
{
  if (!S_ISDIR(p->dentry->inode->mode)) {
    path_put(p);
    return -ENOTDIR;
  }
  long r = inode_permission(p->dentry->inode, MAY_EXEC | MAY_CHDIR);
  if (!r && root && !capable(CAP_SYS_CHROOT))
    r = -EPERM;
  if (r) {
    path_put(p);
    return r;
  }
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path old = root ? fs->root : fs->cwd;
  if (root)
    fs->root = *p;
  else
    fs->cwd = *p;
  spin_unlock(&fs->lock);
  path_put(&old);
  return 0;
}

/* chdir and chroot: look the directory up by name, then set it. */
static long chdir_by_name(uaddr_t upath, bool root)
{
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  struct path p;
  long r = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
  kfree(path);
  if (r)
    return r;
  return set_cwd_or_root(&p, root);
}

long sys_chdir(uaddr_t upath)
{
  return chdir_by_name(upath, false);
}

long sys_fchdir(int fd)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  if (!f->path.dentry) {
    fput(f);
    return -ENOTDIR;
  }
  struct path p = f->path;
  path_get(&p);
  fput(f);
  return set_cwd_or_root(&p, false);
}

long sys_chroot(uaddr_t upath)
{
  return chdir_by_name(upath, true);
}

/* ---- names ---- */

long sys_mkdirat(int dirfd, uaddr_t upath, mode_t mode)
{
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  long r = do_mkdirat(dirfd, path, mode);
  kfree(path);
  return r;
}

long sys_mknodat(int dirfd, uaddr_t upath, mode_t mode, dev_t dev)
{
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  long r = S_ISDIR(mode) ? -EPERM : do_mknodat(dirfd, path, mode, (dev_t)(uint32_t)dev);
  kfree(path);
  return r;
}

long sys_unlinkat(int dirfd, uaddr_t upath, int flags)
{
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  long r = do_unlinkat(dirfd, path, flags);
  kfree(path);
  return r;
}

long sys_symlinkat(uaddr_t utarget, int dirfd, uaddr_t upath)
{
  char *target, *path;
  long r = user_two_paths(utarget, upath, &target, &path);
  if (r)
    return r;
  r = do_symlinkat(target, dirfd, path);
  kfree(target);
  kfree(path);
  return r;
}

long sys_linkat(int olddirfd, uaddr_t uold, int newdirfd, uaddr_t unew, int flags)
{
  char *old, *new;
  long r = user_two_paths(uold, unew, &old, &new);
  if (r)
    return r;
  r = do_linkat(olddirfd, old, newdirfd, new, flags);
  kfree(old);
  kfree(new);
  return r;
}

long sys_renameat2(int olddirfd, uaddr_t uold, int newdirfd, uaddr_t unew, unsigned int flags)
{
  char *old, *new;
  long r = user_two_paths(uold, unew, &old, &new);
  if (r)
    return r;
  r = do_renameat2(olddirfd, old, newdirfd, new, flags);
  kfree(old);
  kfree(new);
  return r;
}

long sys_readlinkat(int dirfd, uaddr_t upath, uaddr_t buf, int size)
{
  if (size <= 0)
    return -EINVAL;
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  struct path p;
  bool empty = path[0] == 0;
  long r = path_lookup(dirfd, path, LOOKUP_EMPTY, &p);
  kfree(path);
  if (r)
    return r;
  struct inode *ino = p.dentry->inode;
  if (!S_ISLNK(ino->mode) || !ino->iop || !ino->iop->readlink) {
    path_put(&p);
    return empty ? -ENOENT : -EINVAL; /* "" names the directory itself: no such link */
  }
  char *k = kmalloc(PATH_MAX);
  if (!k) {
    path_put(&p);
    return -ENOMEM;
  }
  int n = ino->iop->readlink(ino, k, MIN((size_t)size, (size_t)PATH_MAX));
  path_put(&p);
  r = n < 0 ? n : copyout(buf, k, n) ? -EFAULT : n;
  kfree(k);
  return r;
}
