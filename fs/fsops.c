/*
 * fsops.c — name-space operations on kernel strings: mkdir, mknod,
 * symlink, link, unlink/rmdir, rename. The syscalls (fs/sys_*.c) copy
 * the user's strings in and call these; the initramfs unpacker calls them
 * directly.
 *
 * Layer: fs, the VFS core (fs/fsops.h). Below: fs/namei.c (path_parent,
 * the walk), the dentry cache, fs/perm.c (may_create, may_delete),
 * fs/inotify.c, and each file system's inode_ops.
 *
 * Locks: begin_create/end_create hold the parent directory's inode lock
 * around a create; rename takes rename_lock, then the old and the new
 * parent's inode locks.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/inotify.h"
#include "fs/fsops.h"
#include "fs/perm.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "kern/errno.h"
#include <string.h>

/*
 * Resolve the parent of path, lock it, and look up the last name.
 * On success: *parent referenced, parent inode locked, *child referenced
 * (maybe negative). The caller unlocks with end_create().
 */
static int begin_create(int dirfd, const char *path, struct path *parent, struct dentry **child,
                        char *last)
{
  int r = path_parent(dirfd, path, parent, last, NAME_MAX + 1);
  if (r)
    return r;
  if (last[0] == 0 || !strcmp(last, ".") || !strcmp(last, "..")) {
    path_put(parent);
    return -EEXIST;
  }
  struct inode *dir = parent->dentry->inode;
  mutex_lock(&dir->lock);
  struct dentry *d = dir_is_dead(dir) ? ERR_PTR(-ENOENT)
                                      : vfs_lookup_locked(parent->dentry, last, strlen(last));
  if (IS_ERR(d)) {
    mutex_unlock(&dir->lock);
    path_put(parent);
    return PTR_ERR(d);
  }
  *child = d;
  return 0;
}

static void end_create(struct path *parent, struct dentry *child)
{
  mutex_unlock(&parent->dentry->inode->lock);
  dput(child);
  path_put(parent);
}

/* A file system that keeps owners gives the new file its creator's. */
void vfs_new_owner(struct inode *dir, struct dentry *d)
{
  if (d->inode)
    inode_init_owner(dir, d->inode);
}

static int check_writable_dir(struct path *parent)
{
  if (mnt_readonly(parent->mnt))
    return -EROFS;
  return 0;
}

/* The checks mkdirat, mknodat and symlinkat make on the name d in parent (after
 * begin_create), in Linux's order: the name is taken (EEXIST), the file
 * system is read-only (EROFS), the directory may not be written (EACCES,
 * fs/perm.c). */
static int may_create_at(struct path *parent, struct dentry *d)
{
  if (d->inode)
    return -EEXIST;
  int r = check_writable_dir(parent);
  return r ? r : may_create(parent->dentry->inode);
}

int do_mkdirat(int dirfd, const char *path, mode_t mode)
{
  struct path parent;
  struct dentry *d;
  char last[NAME_MAX + 1];
  int r = begin_create(dirfd, path, &parent, &d, last);
  if (r)
    return r;
  struct inode *dir = parent.dentry->inode;
  if ((r = may_create_at(&parent, d)))
    ;
  else if (!dir->iop || !dir->iop->mkdir)
    r = -EPERM;
  else if (!(r = dir->iop->mkdir(dir, d, (mode & 01777 & ~current->fs->umask) | S_IFDIR))) {
    vfs_new_owner(dir, d);
    inotify_dir_event(dir, IN_CREATE | IN_ISDIR, last, 0);
  }
  end_create(&parent, d);
  return r;
}

int do_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
  mode_t type = mode & S_IFMT;
  if (type == 0)
    mode |= type = S_IFREG;
  if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
    return -EINVAL;
  struct path parent;
  struct dentry *d;
  char last[NAME_MAX + 1];
  int r = begin_create(dirfd, path, &parent, &d, last);
  if (r)
    return r;
  struct inode *dir = parent.dentry->inode;
  mode = mode_strip_sgid(dir, mode); /* before the umask, as vfs_prepare_mode */
  mode = (mode & ~07777) | (mode & 07777 & ~current->fs->umask);
  if ((r = may_create_at(&parent, d)))
    ;
  else if ((type == S_IFCHR || type == S_IFBLK) && !(type == S_IFCHR && dev == 0) &&
           !capable(CAP_MKNOD))
    r = -EPERM;
  else if (type == S_IFREG && dir->iop && dir->iop->create)
    r = dir->iop->create(dir, d, mode);
  else if (!dir->iop || !dir->iop->mknod)
    r = -EPERM;
  else
    r = dir->iop->mknod(dir, d, mode, dev);
  if (r == 0) {
    vfs_new_owner(dir, d);
    inotify_dir_event(dir, IN_CREATE, last, 0);
  }
  end_create(&parent, d);
  return r;
}

int do_symlinkat(const char *target, int dirfd, const char *path)
{
  if (target[0] == 0)
    return -ENOENT;
  struct path parent;
  struct dentry *d;
  char last[NAME_MAX + 1];
  int r = begin_create(dirfd, path, &parent, &d, last);
  if (r)
    return r;
  struct inode *dir = parent.dentry->inode;
  if ((r = may_create_at(&parent, d)))
    ;
  else if (!dir->iop || !dir->iop->symlink)
    r = -EPERM;
  else if (!(r = dir->iop->symlink(dir, d, target))) {
    vfs_new_owner(dir, d);
    inotify_dir_event(dir, IN_CREATE, last, 0);
  }
  end_create(&parent, d);
  return r;
}

int do_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  /* naming a descriptor's file needs CAP_DAC_READ_SEARCH (Linux) */
  if ((flags & AT_EMPTY_PATH) && !capable(CAP_DAC_READ_SEARCH))
    return -ENOENT;
  struct path old;
  unsigned lf = (flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0) |
                (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0);
  int r = path_lookup(olddirfd, oldpath, lf, &old);
  if (r)
    return r;
  if (S_ISDIR(old.dentry->inode->mode)) {
    path_put(&old);
    return -EPERM;
  }
  struct path parent;
  struct dentry *d;
  char last[NAME_MAX + 1];
  r = begin_create(newdirfd, newpath, &parent, &d, last);
  if (r) {
    path_put(&old);
    return r;
  }
  struct inode *dir = parent.dentry->inode;
  if (d->inode)
    r = -EEXIST;
  else if (parent.mnt->sb != old.mnt->sb)
    r = -EXDEV;
  else if ((r = check_writable_dir(&parent)) || (r = may_create(dir)))
    ;
  else if (!dir->iop || !dir->iop->link)
    r = -EPERM;
  else if (IS_APPEND(old.dentry->inode) || IS_IMMUTABLE(old.dentry->inode))
    r = -EPERM;
  else if (old.dentry->inode->nlink == 0 && !old.dentry->inode->linkable)
    r = -ENOENT; /* an unlinked file stays unlinked; an O_TMPFILE one may get a name */
  else if (!(r = dir->iop->link(old.dentry, dir, d)))
    old.dentry->inode->linkable = false;
  if (r == 0) {
    inotify_inode_event(old.dentry->inode, IN_ATTRIB, NULL); /* its link count */
    inotify_dir_event(dir, IN_CREATE, last, 0);
  }
  end_create(&parent, d);
  path_put(&old);
  return r;
}

int do_unlinkat(int dirfd, const char *path, int flags)
{
  if (flags & ~AT_REMOVEDIR)
    return -EINVAL;
  struct path parent;
  struct dentry *d;
  char last[NAME_MAX + 1];
  int r = path_parent(dirfd, path, &parent, last, sizeof(last));
  if (r)
    return r;
  if (last[0] == 0 || !strcmp(last, "..")) {
    path_put(&parent);
    return (flags & AT_REMOVEDIR) ? -ENOTEMPTY : -EISDIR;
  }
  if (!strcmp(last, ".")) {
    path_put(&parent);
    return (flags & AT_REMOVEDIR) ? -EINVAL : -EISDIR;
  }
  /* a read-only file system refuses before the name is looked up (Linux's
   * mnt_want_write): EROFS, not ENOENT, for a name that is not there */
  if ((r = check_writable_dir(&parent))) {
    path_put(&parent);
    return r;
  }
  if (!(flags & AT_REMOVEDIR) && path[strlen(path) - 1] == '/') {
    /* "file/" must name a directory: unlink of it is EISDIR or ENOTDIR */
    struct path p;
    r = path_lookup(dirfd, path, 0, &p);
    if (r == 0) {
      r = S_ISDIR(p.dentry->inode->mode) ? -EISDIR : -ENOTDIR;
      path_put(&p);
    }
    path_put(&parent);
    return r;
  }
  struct inode *dir = parent.dentry->inode;
  mutex_lock(&dir->lock);
  d = vfs_lookup_locked(parent.dentry, last, strlen(last));
  if (IS_ERR(d)) {
    r = PTR_ERR(d);
    mutex_unlock(&dir->lock);
    path_put(&parent);
    return r;
  }
  struct inode *victim = d->inode;
  if (!d->inode)
    r = -ENOENT;
  else if ((r = may_delete(dir, d->inode)))
    ;
  else if (d->mounted)
    r = -EBUSY;
  else if (flags & AT_REMOVEDIR) {
    if (!S_ISDIR(d->inode->mode))
      r = -ENOTDIR;
    else if (!dir->iop || !dir->iop->rmdir)
      r = -EPERM;
    else
      r = dir->iop->rmdir(dir, d);
  } else {
    if (S_ISDIR(d->inode->mode))
      r = -EISDIR;
    else if (!dir->iop || !dir->iop->unlink)
      r = -EPERM;
    else
      r = dir->iop->unlink(dir, d);
  }
  mutex_unlock(&dir->lock);
  if (r == 0) {
    /* as Linux: the link count, the entry gone, and (when the last use of
     * the name ends, in dput) IN_DELETE_SELF */
    bool isdir = S_ISDIR(victim->mode);
    if (!isdir)
      inotify_inode_event(victim, IN_ATTRIB, NULL);
    dput(d);
    inotify_dir_event(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), last, 0);
  } else {
    dput(d);
  }
  path_put(&parent);
  return r;
}

/*
 * Permission to rename od (in odir) to nd (in ndir): removing the old name,
 * adding or replacing the new one, and — for a directory that changes
 * parent — writing its "..".
 */
static int rename_permission(struct inode *odir, struct dentry *od, struct inode *ndir,
                             struct dentry *nd, unsigned flags)
{
  int r = may_delete(odir, od->inode);
  if (r)
    return r;
  r = nd->inode ? may_delete(ndir, nd->inode) : may_create(ndir);
  if (r)
    return r;
  if (ndir != odir) {
    if (S_ISDIR(od->inode->mode) && (r = inode_permission(od->inode, MAY_WRITE)))
      return r;
    if ((flags & RENAME_EXCHANGE) && nd->inode && S_ISDIR(nd->inode->mode) &&
        (r = inode_permission(nd->inode, MAY_WRITE)))
      return r;
  }
  return 0;
}

static struct mutex rename_lock = MUTEX_INIT(rename_lock, "rename");

/* Is `d` an ancestor of (or the same as) `child` in the dentry tree? */
static bool is_ancestor(struct dentry *d, struct dentry *child)
{
  spin_lock(&dcache_lock);
  for (struct dentry *c = child;; c = c->parent) {
    if (c == d) {
      spin_unlock(&dcache_lock);
      return true;
    }
    if (c->parent == c)
      break;
  }
  spin_unlock(&dcache_lock);
  return false;
}

/*
 * The inotify events of a rename, as Linux's fsnotify_move: the entry
 * moved from the old directory and to the new (one cookie), the replaced
 * target's link count, the moved file itself; an exchange moves both.
 * src and dst are the inodes that were at the old and new names.
 */
static void rename_events(struct inode *odir, const char *oname, struct inode *src,
                          struct inode *ndir, const char *nname, struct inode *dst, unsigned flags)
{
  uint32_t cookie = inotify_cookie();
  uint32_t isdir = S_ISDIR(src->mode) ? IN_ISDIR : 0;
  inotify_dir_event(odir, IN_MOVED_FROM | isdir, oname, cookie);
  inotify_dir_event(ndir, IN_MOVED_TO | isdir, nname, cookie);
  if (dst && !(flags & RENAME_EXCHANGE))
    inotify_inode_event(dst, IN_ATTRIB, NULL);
  inotify_inode_event(src, IN_MOVE_SELF, NULL);
  if (dst && (flags & RENAME_EXCHANGE)) {
    cookie = inotify_cookie();
    isdir = S_ISDIR(dst->mode) ? IN_ISDIR : 0;
    inotify_dir_event(ndir, IN_MOVED_FROM | isdir, nname, cookie);
    inotify_dir_event(odir, IN_MOVED_TO | isdir, oname, cookie);
    inotify_inode_event(dst, IN_MOVE_SELF, NULL);
  }
}

int do_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                 unsigned flags)
{
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
    return -EINVAL;
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
    return -EINVAL;
  if (flags & RENAME_WHITEOUT)
    return -EINVAL;
  struct path op, np;
  char olast[NAME_MAX + 1], nlast[NAME_MAX + 1];
  int r = path_parent(olddirfd, oldpath, &op, olast, sizeof(olast));
  if (r)
    return r;
  r = path_parent(newdirfd, newpath, &np, nlast, sizeof(nlast));
  if (r) {
    path_put(&op);
    return r;
  }
  struct dentry *od = NULL, *nd = NULL;
  if (!olast[0] || !nlast[0] || !strcmp(olast, ".") || !strcmp(olast, "..") ||
      !strcmp(nlast, ".") || !strcmp(nlast, "..")) {
    r = -EBUSY;
    goto out_paths;
  }
  if (op.mnt->sb != np.mnt->sb || op.mnt != np.mnt) {
    r = -EXDEV;
    goto out_paths;
  }
  if ((r = check_writable_dir(&np)))
    goto out_paths;
  mutex_lock(&rename_lock);
  struct inode *odir = op.dentry->inode, *ndir = np.dentry->inode;
  mutex_lock(&odir->lock);
  if (ndir != odir)
    mutex_lock(&ndir->lock);
  od = vfs_lookup_locked(op.dentry, olast, strlen(olast));
  if (IS_ERR(od)) {
    r = PTR_ERR(od);
    od = NULL;
    goto out_locked;
  }
  nd = vfs_lookup_locked(np.dentry, nlast, strlen(nlast));
  if (IS_ERR(nd)) {
    r = PTR_ERR(nd);
    nd = NULL;
    goto out_locked;
  }
  if (!od->inode || dir_is_dead(ndir)) {
    r = -ENOENT;
    goto out_locked;
  }
  /* "name/" on either side says "a directory": a file there is ENOTDIR */
  if (!S_ISDIR(od->inode->mode) &&
      (oldpath[strlen(oldpath) - 1] == '/' || newpath[strlen(newpath) - 1] == '/')) {
    r = -ENOTDIR;
    goto out_locked;
  }
  if (od == nd || (nd->inode && od->inode == nd->inode && !(flags & RENAME_EXCHANGE))) {
    r = 0; /* same file: nothing to do */
    goto out_locked;
  }
  if (od->mounted || nd->mounted) {
    r = -EBUSY;
    goto out_locked;
  }
  if (S_ISDIR(od->inode->mode) && is_ancestor(od, np.dentry)) {
    r = -EINVAL; /* moving a directory into itself */
    goto out_locked;
  }
  if ((flags & RENAME_EXCHANGE) && nd->inode && S_ISDIR(nd->inode->mode) &&
      is_ancestor(nd, op.dentry)) {
    r = -EINVAL;
    goto out_locked;
  }
  if ((r = rename_permission(odir, od, ndir, nd, flags)))
    goto out_locked;
  if (!odir->iop || !odir->iop->rename)
    r = -EPERM;
  else
    r = odir->iop->rename(odir, od, ndir, nd, flags);
  if (r == 0)
    rename_events(odir, olast, od->inode, ndir, nlast, nd->inode, flags);
out_locked:
  if (ndir != odir)
    mutex_unlock(&ndir->lock);
  mutex_unlock(&odir->lock);
  mutex_unlock(&rename_lock);
  if (od)
    dput(od);
  if (nd)
    dput(nd);
out_paths:
  path_put(&op);
  path_put(&np);
  return r;
}
