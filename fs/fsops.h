/*
 * fsops.h — name-space operations on kernel strings (fs/fsops.c): mkdir,
 * mknod, symlink, link, unlink/rmdir, rename; and the initramfs unpacker
 * (fs/initramfs.c), their in-kernel user.
 *
 * Layer: fs, the VFS core. Above: the system calls (fs/sys_dir.c copies
 * the user's strings in), fs/devfs.c, fs/initramfs.c. Below: the walk
 * (fs/namei.c: path_parent), the dentry cache, fs/perm.c, inotify, and the
 * file systems' inode_ops.
 *
 * Locks: call with no inode lock held. Each operation takes the parent
 * directory's inode lock (rename: rename_lock, then the old parent's, then the
 * new parent's) around the file system's operation; the paths it walks are
 * referenced only for its duration.
 */
#ifndef KITE_FSOPS_H
#define KITE_FSOPS_H
#include "kern/types.h"
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
/*
 * The *at() operations, on kernel strings, with Linux's errors: path
 * relative to dirfd (AT_FDCWD: the cwd); 0 or -errno: ENOENT, ENOTDIR,
 * ENAMETOOLONG, ELOOP from the walk; EEXIST for a name taken (also "."
 * and ".."); EROFS, EACCES/EPERM from the checks; the file system's own
 * (ENOSPC, ENOMEM, EIO). A new name is owned by the caller's fsuid/fsgid
 * (vfs_new_owner) and reported to inotify.
 *
 * mkdirat: mode & 01777 less the umask. mknodat: a regular file, device,
 * FIFO or socket (EINVAL for other types; CAP_MKNOD for devices but
 * 0:0 whiteouts). symlinkat: target may not be empty (ENOENT). linkat:
 * flags AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (which needs CAP_DAC_READ_SEARCH);
 * EXDEV across mounts, EPERM on directories and immutable or append-only
 * files. unlinkat: flags AT_REMOVEDIR (rmdir: ENOTEMPTY, EBUSY for a
 * mount point). renameat2: RENAME_NOREPLACE or RENAME_EXCHANGE (not both,
 * and no RENAME_WHITEOUT: EINVAL); EBUSY for "." and ".." or a mount
 * point, EINVAL for moving a directory below itself, EXDEV across mounts.
 */
int do_mkdirat(int dirfd, const char *path, mode_t mode);
int do_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
int do_symlinkat(const char *target, int dirfd, const char *path);
int do_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int do_unlinkat(int dirfd, const char *path, int flags);
int do_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                 unsigned flags);
struct inode;
struct dentry;
/* After a create in dir: give d's new inode (if d is positive) its
 * owner, the caller's fsuid and fsgid or dir's group (set-gid
 * directories), as inode_init_owner (fs/perm.h). The caller holds dir's
 * inode lock. */
void vfs_new_owner(struct inode *dir, struct dentry *d);
/* At boot, with the root mounted: unpack the newc cpio archive buf[0,len)
 * into the root (directories, files, symlinks, device nodes, hard links,
 * with their modes, owners and times). With in_place, buf is memory
 * reserved at boot that is never read again (the archive in the kernel
 * image): the whole pages of file data that lie page-aligned in it become
 * the files' pages instead of being copied. 0, or cpio_parse's error for a
 * malformed archive (what was unpacked stays); an entry that fails is
 * logged and skipped. Takes the locks of the operations above. */
int initramfs_unpack(const void *buf, size_t len, bool in_place);
#endif
