/*
 * xattr.h — extended attributes: the VFS side (fs/xattr.c) and the
 * in-memory store ramfs and tmpfs keep them in.
 *
 * A name is "<namespace>.<rest>". The VFS checks names, sizes, namespaces
 * and permissions the way Linux's fs/xattr.c does, then calls the file
 * system's inode_ops getxattr / setxattr / listxattr (fs/inode.h) with the
 * full name. A file system without those operations has no extended
 * attributes: get, set and remove answer EOPNOTSUPP, list an empty list.
 *
 * Layer: fs, the VFS core: fs/sys_xattr.c (the system calls) calls
 * vfs_*xattr; ramfs and tmpfs plug the simple_xattr_* store into their
 * inode_ops; fs/vfs.c frees an inode's store.
 *
 * Locks: the vfs_* calls take the inode's lock around the file system's
 * operation: call them with it not held.
 */
#ifndef KITE_XATTR_H
#define KITE_XATTR_H

#include "kern/types.h"
#include "kern/list.h"

struct inode;

/* Linux's limits (uapi/linux/limits.h). */
#define XATTR_NAME_MAX 255       /* bytes of a name */
#define XATTR_SIZE_MAX 65536     /* bytes of a value */
#define XATTR_LIST_MAX 65536     /* bytes of a listxattr answer */
/* Kite's: bytes of names and values one in-memory inode may hold. */
#define XATTR_INODE_MAX (1 << 20)

/* setxattr flags */
#define XATTR_CREATE 0x1
#define XATTR_REPLACE 0x2

/* ---- the VFS (fs/xattr.c) ----
 * The caller holds a reference to the inode, has copied the name and the
 * value into the kernel and, for the changes, found the mount writable.
 * Sizes and errors as the inode_ops (fs/inode.h). */
ssize_t vfs_getxattr(struct inode *ino, const char *name, void *buf, size_t size);
int vfs_setxattr(struct inode *ino, const char *name, const void *value, size_t size, int flags);
ssize_t vfs_listxattr(struct inode *ino, char *buf, size_t size);
int vfs_removexattr(struct inode *ino, const char *name);

/* ---- an in-memory store, for file systems without storage ----
 * Attributes in set order; inode->lock serialises changes and reads. */
struct simple_xattrs {
  struct list_head list;     /* of struct simple_xattr */
  size_t space;              /* bytes of names and values */
};
/* inode_ops getxattr / setxattr / listxattr over ino->xattrs, with their
 * contract (inode.h) and the caller holding ino->lock: set adds, replaces
 * or (value NULL) removes one: -EEXIST, -ENODATA per flags, -EOPNOTSUPP
 * for "system." names (no POSIX ACLs kept), -ENOSPC past the store's
 * limit, -ENOMEM. */
ssize_t simple_xattr_get(struct inode *ino, const char *name, void *buf, size_t size);
int simple_xattr_set(struct inode *ino, const char *name, const void *value, size_t size,
                     int flags);
ssize_t simple_xattr_list(struct inode *ino, char *buf, size_t size);
/* Free ino's store (the last iput, fs/vfs.c: nobody else holds ino). */
void simple_xattrs_free(struct inode *ino);

#endif
