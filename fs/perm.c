/*
 * perm.c — file permission checks (fs/perm.h), the same for every file
 * system: Linux's fs/namei.c generic_permission, may_create, may_delete,
 * may_open and fs/attr.c's ownership rules.
 *
 * Layer: VFS, called by fs/namei.c (search permission on each component),
 * fs/file.c (open), fs/fsops.c (create, remove, rename), fs/sys_stat.c
 * (chmod, chown, utimes, access), fs/sys_sync.c (truncate), fs/exec.c (execute). Reads
 * the caller's cred (kern/cred.h) and the inode's mode, uid and gid; the
 * caller holds whatever lock keeps the inode alive. No locks of its own.
 */
#include "fs/perm.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "kern/cred.h"
#include "kern/errno.h"
#include "kern/vm.h"

/* The mode bits that apply to the caller: owner, group or other. */
static int acl_permission_check(const struct inode *ino, int mask)
{
  const struct cred *c = current_cred();
  mode_t mode = ino->mode;
  if (c->fsuid == ino->uid)
    mode >>= 6;
  else if (in_group_p(ino->gid))
    mode >>= 3;
  return (mask & ~mode & 7) ? -EACCES : 0;
}

int generic_permission(struct inode *ino, int mask)
{
  if (acl_permission_check(ino, mask) == 0)
    return 0;
  if (S_ISDIR(ino->mode)) {
    /* DACs are overridable for directories. */
    if (!(mask & MAY_WRITE) && capable_wrt_inode_uidgid(ino, CAP_DAC_READ_SEARCH))
      return 0;
    if (capable_wrt_inode_uidgid(ino, CAP_DAC_OVERRIDE))
      return 0;
    return -EACCES;
  }
  mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
  if (mask == MAY_READ && capable_wrt_inode_uidgid(ino, CAP_DAC_READ_SEARCH))
    return 0;
  /* Read and write are always overridable; execute only if some x bit is set. */
  if ((!(mask & MAY_EXEC) || (ino->mode & 0111)) && capable_wrt_inode_uidgid(ino, CAP_DAC_OVERRIDE))
    return 0;
  return -EACCES;
}

int inode_permission(struct inode *ino, int mask)
{
  if ((mask & MAY_WRITE) && ino->sb && (ino->sb->flags & MS_RDONLY) &&
      (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
    return -EROFS;
  if ((mask & MAY_WRITE) && IS_IMMUTABLE(ino))
    return -EPERM; /* chattr +i: nobody writes it */
  if (ino->iop && ino->iop->permission)
    return ino->iop->permission(ino, mask);
  return generic_permission(ino, mask);
}

int may_lookup(struct inode *dir)
{
  return inode_permission(dir, MAY_EXEC);
}

int may_create(struct inode *dir)
{
  if (dir_is_dead(dir))
    return -ENOENT;
  return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/* In a sticky directory only the owners (of file or directory) may remove. */
static bool check_sticky(const struct inode *dir, const struct inode *victim)
{
  if (!(dir->mode & S_ISVTX))
    return false;
  uid_t fsuid = current_cred()->fsuid;
  if (victim->uid == fsuid || dir->uid == fsuid)
    return false;
  return !capable_wrt_inode_uidgid(victim, CAP_FOWNER);
}

int may_delete(struct inode *dir, struct inode *victim)
{
  int r = inode_permission(dir, MAY_WRITE | MAY_EXEC);
  if (r)
    return r;
  if (IS_APPEND(dir))
    return -EPERM;
  if (check_sticky(dir, victim) || IS_APPEND(victim) || IS_IMMUTABLE(victim))
    return -EPERM;
  return 0;
}

int may_open_type(struct mount *m, struct inode *ino, int flags)
{
  int acc = flags & O_ACCMODE;
  if (S_ISLNK(ino->mode) && !(flags & O_PATH))
    return -ELOOP;
  if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
    return -ENOTDIR;
  if (flags & O_PATH)
    return 0;
  /* O_CREAT never opens a directory (Linux: EISDIR, even read-only) */
  if (S_ISDIR(ino->mode) && ((flags & O_CREAT) || acc != O_RDONLY || (flags & O_TRUNC)))
    return -EISDIR;
  if (acc != O_RDONLY && mnt_readonly(m) && !S_ISCHR(ino->mode))
    return -EROFS;
  return 0;
}

int may_open(const struct path *p, int flags)
{
  struct inode *ino = p->dentry->inode;
  int acc = flags & O_ACCMODE;
  int mask = 0;
  if (acc == O_RDONLY || acc == O_RDWR)
    mask |= MAY_READ;
  if (acc == O_WRONLY || acc == O_RDWR)
    mask |= MAY_WRITE;
  if (acc == 3) /* Linux: "3" means neither, but ioctl access needs both */
    mask |= MAY_READ | MAY_WRITE;
  if ((flags & O_TRUNC) && S_ISREG(ino->mode))
    mask |= MAY_WRITE;
  if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) {
    if (p->mnt && !mnt_may_open_dev(p->mnt))
      return -EACCES;                   /* nodev, or a user namespace's file system */
  }
  if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode) || S_ISFIFO(ino->mode) || S_ISSOCK(ino->mode)) {
    /* Writing to a device or a fifo does not write the file system. */
    int r = generic_permission(ino, mask | MAY_OPEN);
    if (r)
      return r;
  } else {
    int r = inode_permission(ino, mask | MAY_OPEN);
    if (r)
      return r;
  }
  /* an append-only file opens for writing only with O_APPEND, never with O_TRUNC */
  if (IS_APPEND(ino) && ((acc != O_RDONLY && !(flags & O_APPEND)) || (flags & O_TRUNC)))
    return -EPERM;
  if ((flags & O_NOATIME) && !inode_owner_or_capable(ino))
    return -EPERM;
  return 0;
}

bool inode_owner_or_capable(const struct inode *ino)
{
  return current_cred()->fsuid == ino->uid || capable_wrt_inode_uidgid(ino, CAP_FOWNER);
}

int chmod_check(const struct inode *ino, mode_t *mode)
{
  if (IS_IMMUTABLE(ino) || IS_APPEND(ino))
    return -EPERM;
  if (!inode_owner_or_capable(ino))
    return -EPERM;
  if (!in_group_p(ino->gid) && !capable_wrt_inode_uidgid(ino, CAP_FSETID))
    *mode &= ~S_ISGID;
  return 0;
}

int chown_check(const struct inode *ino, uid_t uid, gid_t gid)
{
  if (IS_IMMUTABLE(ino) || IS_APPEND(ino))
    return -EPERM;
  const struct cred *c = current_cred();
  bool owner = c->fsuid == ino->uid;
  if (uid != INVALID_UID && !(owner && uid == ino->uid) && !capable_wrt_inode_uidgid(ino, CAP_CHOWN))
    return -EPERM;
  if (gid != INVALID_GID && !(owner && (gid == ino->gid || in_group_p(gid))) &&
      !capable_wrt_inode_uidgid(ino, CAP_CHOWN))
    return -EPERM;
  return 0;
}

int utimes_check(struct inode *ino, bool explicit_times)
{
  if (IS_IMMUTABLE(ino) || (explicit_times && IS_APPEND(ino)))
    return -EPERM;
  if (inode_owner_or_capable(ino))
    return 0;
  if (explicit_times)
    return -EPERM;
  int r = inode_permission(ino, MAY_WRITE);
  return r == -EROFS ? r : r ? -EACCES : 0;
}

mode_t mode_strip_sgid(const struct inode *dir, mode_t mode)
{
  if ((mode & (S_ISGID | 0010)) != (S_ISGID | 0010) || S_ISDIR(mode))
    return mode;
  if (!(dir->mode & S_ISGID))
    return mode;
  if (in_group_p(dir->gid) || capable_wrt_inode_uidgid(dir, CAP_FSETID))
    return mode;
  return mode & ~S_ISGID;
}

void inode_init_owner(struct inode *dir, struct inode *ino)
{
  if (!ino->sb || !ino->sb->type || !ino->sb->type->keeps_owners)
    return; /* e.g. vfat: every file belongs to the mount's uid and gid */
  const struct cred *c = current_cred();
  uid_t uid = c->fsuid;
  gid_t gid = c->fsgid;
  mode_t mode = ino->mode;
  if (dir && (dir->mode & S_ISGID)) {
    gid = dir->gid;
    if (S_ISDIR(mode))
      mode |= S_ISGID;
  }
  if (ino->uid != uid || ino->gid != gid || ino->mode != mode) {
    ino->uid = uid;
    ino->gid = gid;
    ino->mode = mode;
    ino->dirty = true;
    if (ino->iop && ino->iop->write_inode)
      ino->iop->write_inode(ino);
  }
}

void file_remove_privs(struct inode *ino)
{
  mode_t kill = 0;
  if (ino->mode & S_ISUID)
    kill |= S_ISUID;
  if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
    kill |= S_ISGID;
  if (!kill || !S_ISREG(ino->mode) || capable(CAP_FSETID))
    return;
  ino->mode &= ~kill;
  inode_touch(ino, false);
  if (ino->iop && ino->iop->write_inode)
    ino->iop->write_inode(ino);
}

/* ---- inode flags (chattr) ---- */

#define FS_IOC_GETFLAGS 0x80086601
#define FS_IOC_SETFLAGS 0x40086602

long inode_flags_ioctl(struct file *f, unsigned cmd, uint64_t arg, bool *handled)
{
  *handled = cmd == FS_IOC_GETFLAGS || cmd == FS_IOC_SETFLAGS;
  if (!*handled)
    return -ENOTTY;
  struct inode *ino = f->inode;
  uint32_t mask = ino && ino->sb && ino->sb->type ? ino->sb->type->iflags_mask : 0;
  if (!mask || (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode)))
    return -ENOTTY;
  if (cmd == FS_IOC_GETFLAGS)
    return put_user_u32(arg, ino->iflags) ? -EFAULT : 0;
  uint32_t flags;
  if (get_user_u32(&flags, arg))
    return -EFAULT;
  if (!inode_owner_or_capable(ino))
    return -EPERM;
  if (flags & ~mask)
    return -EOPNOTSUPP;
  if (((ino->iflags ^ flags) & (FS_APPEND_FL | FS_IMMUTABLE_FL)) && !capable(CAP_LINUX_IMMUTABLE))
    return -EPERM;
  if (ino->sb->flags & MS_RDONLY)
    return -EROFS;
  mutex_lock(&ino->lock);
  ino->iflags = flags;
  inode_touch(ino, false);
  mutex_unlock(&ino->lock);
  return 0;
}
