/*
 * sys_xattr.c — the extended-attribute system calls: setxattr, getxattr,
 * listxattr, removexattr, each by path (following a final symlink), by
 * path without following it (l*), and by descriptor (f*). Arguments are
 * fetched and checked in Linux's order — the path, a read-only mount,
 * the flags, the name (ERANGE if empty or longer than 255 bytes), the
 * size (E2BIG past 64 KiB), the value — then fs/xattr.c does the rest.
 *
 * Layer: system calls (fetch and check, copy in and out). Below:
 * fs/xattr.c, the walk (user_path_at), fs/fdtable.h.
 *
 * Locks: none held; fs/xattr.c takes the inode's lock.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/xattr.h"
#include "fs/fdtable.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/param.h"
#include <string.h>

/* What a call works on: a looked-up path or an open file. */
struct xtarget {
  struct path path;          /* by path */
  struct file *file;         /* by descriptor */
  struct inode *ino;
  bool rdonly;               /* on a read-only mount */
};

static long target_path(uaddr_t upath, bool follow, struct xtarget *t)
{
  char *path = kmalloc(PATH_MAX);
  if (!path)
    return -ENOMEM;
  long r = copy_path(path, upath);
  if (r >= 0)
    r = path_lookup(AT_FDCWD, path, follow ? LOOKUP_FOLLOW : 0, &t->path);
  kfree(path);
  if (r < 0)
    return r;
  t->file = NULL;
  t->ino = t->path.dentry->inode;
  t->rdonly = (t->path.mnt->flags & MS_RDONLY) || (t->path.mnt->sb->flags & MS_RDONLY);
  return 0;
}

static long target_fd(int fd, struct xtarget *t)
{
  t->file = fd_get(fd);
  if (!t->file || !t->file->inode) {
    if (t->file)
      fput(t->file);
    return -EBADF;
  }
  t->ino = t->file->inode;
  struct mount *m = t->file->path.mnt;
  t->rdonly = m && ((m->flags & MS_RDONLY) || (m->sb->flags & MS_RDONLY));
  return 0;
}

static void target_put(struct xtarget *t)
{
  if (t->file)
    fput(t->file);
  else
    path_put(&t->path);
}

/* The name argument into buf: its length, -ERANGE or -EFAULT. */
static long get_name(char buf[XATTR_NAME_MAX + 1], uaddr_t uname)
{
  long n = copyinstr(buf, uname, XATTR_NAME_MAX + 1);
  if (n == -ENAMETOOLONG || n == 0)
    return -ERANGE;
  return n;
}

static long do_set(struct xtarget *t, uaddr_t uname, uaddr_t uvalue, size_t size, int flags)
{
  if (t->rdonly)
    return -EROFS;
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
    return -EINVAL;
  char name[XATTR_NAME_MAX + 1];
  long r = get_name(name, uname);
  if (r < 0)
    return r;
  if (size > XATTR_SIZE_MAX)
    return -E2BIG;
  void *value = NULL;
  if (size) {
    if (!(value = kmalloc(size)))
      return -ENOMEM;
    if (copyin(value, uvalue, size)) {
      kfree(value);
      return -EFAULT;
    }
  }
  r = vfs_setxattr(t->ino, name, value, size, flags);
  kfree(value);
  return r;
}

static long do_get(struct xtarget *t, uaddr_t uname, uaddr_t uvalue, size_t size)
{
  char name[XATTR_NAME_MAX + 1];
  long r = get_name(name, uname);
  if (r < 0)
    return r;
  size_t ksize = MIN(size, (size_t)XATTR_SIZE_MAX);
  void *buf = NULL;
  if (ksize && !(buf = kmalloc(ksize)))
    return -ENOMEM;
  r = vfs_getxattr(t->ino, name, buf, ksize);
  if (r > 0 && ksize && copyout(uvalue, buf, r))
    r = -EFAULT;
  else if (r == -ERANGE && size >= XATTR_SIZE_MAX)
    r = -E2BIG;
  kfree(buf);
  return r;
}

static long do_list(struct xtarget *t, uaddr_t ulist, size_t size)
{
  size_t ksize = MIN(size, (size_t)XATTR_LIST_MAX);
  char *buf = NULL;
  if (ksize && !(buf = kmalloc(ksize)))
    return -ENOMEM;
  long r = vfs_listxattr(t->ino, buf, ksize);
  if (r > 0 && ksize && copyout(ulist, buf, r))
    r = -EFAULT;
  else if (r == -ERANGE && size >= XATTR_LIST_MAX)
    r = -E2BIG;
  kfree(buf);
  return r;
}

static long do_remove(struct xtarget *t, uaddr_t uname)
{
  if (t->rdonly)
    return -EROFS;
  char name[XATTR_NAME_MAX + 1];
  long r = get_name(name, uname);
  if (r < 0)
    return r;
  return vfs_removexattr(t->ino, name);
}

/* ---- the twelve calls ---- */

static long path_set(uaddr_t upath, bool follow, uaddr_t n, uaddr_t v, size_t size, int flags)
{
  struct xtarget t;
  long r = target_path(upath, follow, &t);
  if (r)
    return r;
  r = do_set(&t, n, v, size, flags);
  target_put(&t);
  return r;
}

long sys_setxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size, int flags)
{
  return path_set(path, true, name, value, size, flags);
}

long sys_lsetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size, int flags)
{
  return path_set(path, false, name, value, size, flags);
}

long sys_fsetxattr(int fd, uaddr_t name, uaddr_t value, size_t size, int flags)
{
  struct xtarget t;
  long r = target_fd(fd, &t);
  if (r)
    return r;
  r = do_set(&t, name, value, size, flags);
  target_put(&t);
  return r;
}

static long path_getx(uaddr_t upath, bool follow, uaddr_t n, uaddr_t v, size_t size)
{
  struct xtarget t;
  long r = target_path(upath, follow, &t);
  if (r)
    return r;
  r = do_get(&t, n, v, size);
  target_put(&t);
  return r;
}

long sys_getxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
  return path_getx(path, true, name, value, size);
}

long sys_lgetxattr(uaddr_t path, uaddr_t name, uaddr_t value, size_t size)
{
  return path_getx(path, false, name, value, size);
}

long sys_fgetxattr(int fd, uaddr_t name, uaddr_t value, size_t size)
{
  struct xtarget t;
  long r = target_fd(fd, &t);
  if (r)
    return r;
  r = do_get(&t, name, value, size);
  target_put(&t);
  return r;
}

static long path_list(uaddr_t upath, bool follow, uaddr_t list, size_t size)
{
  struct xtarget t;
  long r = target_path(upath, follow, &t);
  if (r)
    return r;
  r = do_list(&t, list, size);
  target_put(&t);
  return r;
}

long sys_listxattr(uaddr_t path, uaddr_t list, size_t size)
{
  return path_list(path, true, list, size);
}

long sys_llistxattr(uaddr_t path, uaddr_t list, size_t size)
{
  return path_list(path, false, list, size);
}

long sys_flistxattr(int fd, uaddr_t list, size_t size)
{
  struct xtarget t;
  long r = target_fd(fd, &t);
  if (r)
    return r;
  r = do_list(&t, list, size);
  target_put(&t);
  return r;
}

static long path_remove(uaddr_t upath, bool follow, uaddr_t name)
{
  struct xtarget t;
  long r = target_path(upath, follow, &t);
  if (r)
    return r;
  r = do_remove(&t, name);
  target_put(&t);
  return r;
}

long sys_removexattr(uaddr_t path, uaddr_t name)
{
  return path_remove(path, true, name);
}

long sys_lremovexattr(uaddr_t path, uaddr_t name)
{
  return path_remove(path, false, name);
}

long sys_fremovexattr(int fd, uaddr_t name)
{
  struct xtarget t;
  long r = target_fd(fd, &t);
  if (r)
    return r;
  r = do_remove(&t, name);
  target_put(&t);
  return r;
}
