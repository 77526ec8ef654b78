/*
 * perm.h — file permission checks for every file system (fs/perm.c).
 *
 * The VFS asks these before it acts; file systems only store mode, uid and
 * gid. The caller's identity is its subjective cred (kern/cred.h): the
 * fsuid and fsgid, the supplementary groups, and the capabilities that
 * override the mode bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
 * CAP_FOWNER, CAP_FSETID, CAP_CHOWN).
 *
 * Layer: fs, the VFS core: called by the walk, vfs_open, fs/fsops.c, the
 * attribute-changing system calls; calls kern/cred.c only.
 *
 * Locks: none taken; a check reads the inode's mode and owner, which the
 * caller keeps stable (holds ino->lock) where it then acts on them.
 */
#ifndef KITE_PERM_H
#define KITE_PERM_H

#include "kern/types.h"

struct inode;
struct path;
struct mount;
struct file;

/* What is asked (Linux's MAY_* values). */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
#define MAY_APPEND 0x8
#define MAY_ACCESS 0x10
#define MAY_OPEN 0x20
#define MAY_CHDIR 0x40

/* Mode bits, owner/group/other, then the capability overrides: 0 or -EACCES. */
int generic_permission(struct inode *ino, int mask);
/* generic_permission, and -EROFS for writes to a read-only file system. */
int inode_permission(struct inode *ino, int mask);
/* Search permission on a directory during a path walk. */
int may_lookup(struct inode *dir);
/* May a name be added to dir? (-ENOENT for a removed directory) */
int may_create(struct inode *dir);
/* May victim be removed from dir (or renamed away)? Sticky directories:
 * only the file's owner, the directory's owner or CAP_FOWNER (-EPERM). */
int may_delete(struct inode *dir, struct inode *victim);
/* open(): what no permission allows — a symlink without O_PATH (ELOOP),
 * O_DIRECTORY on a non-directory (ENOTDIR), writing a directory (EISDIR)
 * or a file on a read-only mount m (EROFS) —, in that order: 0 or -errno. */
int may_open_type(struct mount *m, struct inode *ino, int flags);
/* open(): the access the flags ask for (O_ACCMODE, O_TRUNC, O_NOATIME). */
int may_open(const struct path *p, int flags);
/* The owner, or CAP_FOWNER (chmod, utimes with explicit times, O_NOATIME). */
bool inode_owner_or_capable(const struct inode *ino);

/* chmod: may the caller set this mode? Strips set-group-ID when the caller
 * is not in the file's group and lacks CAP_FSETID. 0 or -EPERM. */
int chmod_check(const struct inode *ino, mode_t *mode);
/* chown: may the caller give the file this owner and group (-1: unchanged)? */
int chown_check(const struct inode *ino, uid_t uid, gid_t gid);
/* utimensat: times = NULL or UTIME_NOW for both (explicit = false) needs
 * write permission or ownership; explicit times need ownership. */
int utimes_check(struct inode *ino, bool explicit_times);

/* A new inode's owner: the caller's fsuid, and the fsgid or — in a
 * set-group-ID directory — the directory's group (new directories inherit
 * the bit; other files lose S_ISGID unless the caller is in the group or
 * has CAP_FSETID). Called by the VFS after a file system made the inode. */
void inode_init_owner(struct inode *dir, struct inode *ino);
/* The mode the VFS passes to create/mkdir/mknod in dir (umask already applied). */
mode_t mode_strip_sgid(const struct inode *dir, mode_t mode);
/* A write or truncate by someone without CAP_FSETID clears set-user-ID
 * and (with group execute) set-group-ID. Caller holds ino->lock. */
void file_remove_privs(struct inode *ino);

/* Inode flags (FS_IOC_GETFLAGS/SETFLAGS, chattr), include/uapi/linux/fs.h. */
#define FS_COMPR_FL 0x00000004
#define FS_IMMUTABLE_FL 0x00000010
#define FS_APPEND_FL 0x00000020
#define FS_NODUMP_FL 0x00000040
#define FS_NOATIME_FL 0x00000080
#define IS_IMMUTABLE(ino) (((ino)->iflags & FS_IMMUTABLE_FL) != 0)
#define IS_APPEND(ino) (((ino)->iflags & FS_APPEND_FL) != 0)
/* FS_IOC_GETFLAGS / FS_IOC_SETFLAGS on an open file: -ENOTTY if the file
 * system keeps no flags. */
long inode_flags_ioctl(struct file *f, unsigned cmd, uint64_t arg, bool *handled);

#endif
