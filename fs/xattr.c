/*
 * xattr.c — extended attributes: the VFS checks every file system shares,
 * and the in-memory store of ramfs and tmpfs.
 *
 * Layers: fs/sys_xattr.c (the twelve system calls: arguments, user
 * memory, read-only mounts) → here (namespaces, permissions, dispatch to
 * inode_ops, timestamps) → the file system (ramfs and tmpfs use the
 * simple_xattr_* store below; a disk file system brings its own).
 *
 * Namespaces, as Linux: "user." only on regular files and directories
 * (elsewhere a write is EPERM and a read finds nothing, ENODATA);
 * "trusted." for callers with CAP_SYS_ADMIN; "security." (changed only with
 * CAP_SYS_ADMIN)
 * left to the file system; "system." (POSIX ACLs) is not kept here,
 * EOPNOTSUPP. An unknown namespace is EOPNOTSUPP, a bare prefix ("user.")
 * EINVAL.
 *
 * Locks: the inode's lock serialises a file's attributes (the file
 * system's operations are called with it held).
 */
#include "fs/xattr.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/inotify.h"
#include "fs/perm.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include <string.h>

enum { XNS_USER, XNS_TRUSTED, XNS_SECURITY, XNS_SYSTEM };

static const struct { const char *prefix; size_t len; } namespaces[] = {
  [XNS_USER] = { "user.", 5 },
  [XNS_TRUSTED] = { "trusted.", 8 },
  [XNS_SECURITY] = { "security.", 9 },
  [XNS_SYSTEM] = { "system.", 7 },
};

/* The namespace of name: XNS_*, -EOPNOTSUPP (unknown) or -EINVAL (a
 * prefix with nothing after it). */
static int name_space(const char *name)
{
  for (int i = 0; i < (int)ARRAY_SIZE(namespaces); i++)
    if (strncmp(name, namespaces[i].prefix, namespaces[i].len) == 0)
      return name[namespaces[i].len] ? i : -EINVAL;
  return -EOPNOTSUPP;
}

/*
 * Linux's xattr_permission and, for security., its capability check
 * (cap_inode_setxattr): security. and system. are left to the file
 * system, but changing security. needs CAP_SYS_ADMIN; trusted. needs
 * CAP_SYS_ADMIN (a read without it finds nothing, ENODATA); user. is only
 * on regular files and directories, a sticky directory's only for its
 * owner, and otherwise follows the file's permission bits.
 */
static int xattr_permission(struct inode *ino, const char *name, bool write)
{
  if (strncmp(name, "security.", 9) == 0)
    return write && !capable(CAP_SYS_ADMIN) ? -EPERM : 0;
  if (strncmp(name, "system.", 7) == 0)
    return 0;
  if (strncmp(name, "trusted.", 8) == 0) {
    if (!capable(CAP_SYS_ADMIN))
      return write ? -EPERM : -ENODATA;
    return 0;
  }
  if (strncmp(name, "user.", 5) == 0) {
    if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
      return write ? -EPERM : -ENODATA;
    if (S_ISDIR(ino->mode) && (ino->mode & S_ISVTX) && write && !inode_owner_or_capable(ino))
      return -EPERM;
  }
  return inode_permission(ino, write ? MAY_WRITE : MAY_READ);
}

/* Permission, then the name, then whether the file system keeps any. */
static int xattr_check(struct inode *ino, const char *name, bool write)
{
  int r = xattr_permission(ino, name, write);
  if (r)
    return r;
  r = name_space(name);
  if (r < 0)
    return r;
  if (!ino->iop || !ino->iop->setxattr)
    return -EOPNOTSUPP;
  return 0;
}

ssize_t vfs_getxattr(struct inode *ino, const char *name, void *buf, size_t size)
{
  int r = xattr_check(ino, name, false);
  if (r)
    return r;
  mutex_lock(&ino->lock);
  ssize_t n = ino->iop->getxattr(ino, name, buf, size);
  mutex_unlock(&ino->lock);
  return n;
}

static int set_or_remove(struct inode *ino, const char *name, const void *value, size_t size,
                         int flags)
{
  int r = xattr_check(ino, name, true);
  if (r)
    return r;
  mutex_lock(&ino->lock);
  r = ino->iop->setxattr(ino, name, value, size, flags);
  if (r == 0)
    inode_touch(ino, false); /* ctime */
  mutex_unlock(&ino->lock);
  if (r == 0)
    inotify_inode_event(ino, IN_ATTRIB, NULL);
  return r;
}

int vfs_setxattr(struct inode *ino, const char *name, const void *value, size_t size, int flags)
{
  return set_or_remove(ino, name, value ? value : "", size, flags);
}

int vfs_removexattr(struct inode *ino, const char *name)
{
  return set_or_remove(ino, name, NULL, 0, XATTR_REPLACE);
}

ssize_t vfs_listxattr(struct inode *ino, char *buf, size_t size)
{
  if (!ino->iop || !ino->iop->listxattr)
    return 0; /* no attributes: an empty list, as Linux */
  mutex_lock(&ino->lock);
  ssize_t n = ino->iop->listxattr(ino, buf, size);
  mutex_unlock(&ino->lock);
  return n;
}

/* ---- the in-memory store ---- */

struct simple_xattr {
  struct list_head link;
  size_t size;               /* of the value */
  char *value;               /* after the name, in the same allocation */
  char name[];
};

static size_t entry_space(const char *name, size_t size)
{
  return strlen(name) + 1 + size;
}

static struct simple_xattr *find(struct simple_xattrs *xs, const char *name)
{
  struct simple_xattr *x;
  if (!xs)
    return NULL;
  list_for_each_entry(x, &xs->list, link)
    if (strcmp(x->name, name) == 0)
      return x;
  return NULL;
}

ssize_t simple_xattr_get(struct inode *ino, const char *name, void *buf, size_t size)
{
  struct simple_xattr *x = find(ino->xattrs, name);
  if (!x)
    return -ENODATA;
  if (size == 0)
    return (ssize_t)x->size;
  if (size < x->size)
    return -ERANGE;
  memcpy(buf, x->value, x->size);
  return (ssize_t)x->size;
}

int simple_xattr_set(struct inode *ino, const char *name, const void *value, size_t size,
                     int flags)
{
  if (name_space(name) == XNS_SYSTEM)
    return -EOPNOTSUPP; /* POSIX ACLs: not kept */
  struct simple_xattrs *xs = ino->xattrs;
  struct simple_xattr *old = find(xs, name);
  if (old && (flags & XATTR_CREATE))
    return -EEXIST;
  if (!old && ((flags & XATTR_REPLACE) || !value))
    return -ENODATA;
  size_t now = xs ? xs->space : 0;
  if (old)
    now -= entry_space(old->name, old->size);
  struct simple_xattr *x = NULL;
  if (value) {
    if (now + entry_space(name, size) > XATTR_INODE_MAX)
      return -ENOSPC;
    if (!xs) {
      xs = kzalloc(sizeof(*xs));
      if (!xs)
        return -ENOMEM;
      list_init(&xs->list);
      ino->xattrs = xs;
    }
    size_t nlen = strlen(name) + 1;
    x = kmalloc(sizeof(*x) + nlen + size);
    if (!x)
      return -ENOMEM;
    memcpy(x->name, name, nlen);
    x->value = x->name + nlen;
    x->size = size;
    memcpy(x->value, value, size);
    now += entry_space(name, size);
  }
  if (old) {
    if (x)
      list_add_tail(&x->link, &old->link); /* in place of the old one */
    list_del(&old->link);
    kfree(old);
  } else {
    list_add_tail(&x->link, &xs->list);
  }
  xs->space = now;
  return 0;
}

ssize_t simple_xattr_list(struct inode *ino, char *buf, size_t size)
{
  struct simple_xattrs *xs = ino->xattrs;
  size_t total = 0;
  struct simple_xattr *x;
  if (!xs)
    return 0;
  bool trusted = capable(CAP_SYS_ADMIN);
  list_for_each_entry(x, &xs->list, link) {
    if (!trusted && strncmp(x->name, "trusted.", 8) == 0)
      continue; /* not for unprivileged eyes */
    size_t n = strlen(x->name) + 1;
    if (size) {
      if (total + n > size)
        return -ERANGE;
      memcpy(buf + total, x->name, n);
    }
    total += n;
  }
  return (ssize_t)total;
}

void simple_xattrs_free(struct inode *ino)
{
  struct simple_xattrs *xs = ino->xattrs;
  if (!xs)
    return;
  struct simple_xattr *x, *n;
  list_for_each_entry_safe(x, n, &xs->list, link)
    kfree(x);
  kfree(xs);
  ino->xattrs = NULL;
}
