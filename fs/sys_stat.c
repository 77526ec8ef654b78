/*
 * sys_stat.c — the system calls on a file's attributes: fstat,
 * newfstatat, statx, faccessat(2), fchmod(at), fchown(at), utimensat.
 *
 * Layer: system calls (fetch and check the arguments, copy in and out).
 * Below: fs/perm.c (the permission and ownership rules: chmod_check,
 * chown_check, utimes_check), fs/namei.c (user_path_at), the inode's
 * write_inode operation, kern/cred.c (access's real-id credentials).
 * Neighbours: fs/sys_dir.c (names), fs/sys_xattr.c (extended attributes).
 *
 * Locks: a change of mode, owner or times is made under the inode's lock
 * (ino->lock, a mutex) and written back with it held; stat reads the
 * inode without it (a snapshot, as Linux's generic_fillattr). Each call
 * holds a reference to its inode or path throughout.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/perm.h"
#include "fs/fdtable.h"
#include "fs/inotify.h"
#include "drivers/blk.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include <string.h>

/* ---- attributes ---- */

struct kstat {
  uint64_t st_dev, st_ino;
  uint32_t st_mode, st_nlink, st_uid, st_gid;
  uint64_t st_rdev, pad1;
  int64_t st_size;
  int32_t st_blksize, pad2;
  int64_t st_blocks;
  int64_t st_atime_sec;
  uint64_t st_atime_nsec;
  int64_t st_mtime_sec;
  uint64_t st_mtime_nsec;
  int64_t st_ctime_sec;
  uint64_t st_ctime_nsec;
  uint32_t unused[2];
};
STATIC_ASSERT(sizeof(struct kstat) == 128);

static void fill_kstat(struct inode *ino, struct kstat *st)
{
  memset(st, 0, sizeof(*st));
  st->st_dev = inode_dev(ino);
  st->st_ino = ino->ino;
  st->st_mode = ino->mode;
  st->st_nlink = ino->nlink;
  st->st_uid = from_kuid_munged(current_user_ns(), ino->uid);
  st->st_gid = from_kgid_munged(current_user_ns(), ino->gid);
  st->st_rdev = ino->rdev;
  st->st_size = ino->size;
  st->st_blksize = PAGE_SIZE;
  st->st_blocks = S_ISREG(ino->mode) || S_ISDIR(ino->mode) ? (int64_t)(ino->pages.nrpages * 8) : 0;
  if (S_ISREG(ino->mode) && ino->iop && ino->iop->readpage)
    st->st_blocks = DIV_ROUND_UP(ino->size, 512);
  if (ino->iop && ino->iop->blocks)
    st->st_blocks = (int64_t)ino->iop->blocks(ino);
  st->st_atime_sec = ino->atime.tv_sec;
  st->st_atime_nsec = ino->atime.tv_nsec;
  st->st_mtime_sec = ino->mtime.tv_sec;
  st->st_mtime_nsec = ino->mtime.tv_nsec;
  st->st_ctime_sec = ino->ctime.tv_sec;
  st->st_ctime_nsec = ino->ctime.tv_nsec;
}

int vfs_getattr(struct inode *ino, void *statbuf)
{
  fill_kstat(ino, statbuf);
  return 0;
}

long sys_fstat(int fd, uaddr_t statbuf)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  struct kstat st;
  long r = 0;
  if (f->inode)
    fill_kstat(f->inode, &st);
  else
    r = -EBADF;
  fput(f);
  if (r)
    return r;
  return copyout(statbuf, &st, sizeof(st)) ? -EFAULT : 0;
}

/*
 * The inode a stat call names, referenced (iput when done): a path, or —
 * with AT_EMPTY_PATH and "" — the descriptor itself, which may be a pipe
 * or socket without a path (glibc's fstat is fstatat(fd, "", AT_EMPTY_PATH)).
 */
static long stat_target(int dirfd, uaddr_t upath, int flags, int allowed, struct inode **out,
                        bool *mount_root)
{
  bool root_dummy;
  if (!mount_root)
    mount_root = &root_dummy;
  *mount_root = false;
  if (flags & ~allowed)
    return -EINVAL;
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  long r;
  if (path[0] == 0 && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
    struct file *f = fd_get_raw(dirfd);
    r = f ? 0 : -EBADF;
    if (f && f->inode) {
      iget(f->inode);
      *out = f->inode;
      *mount_root = f->path.dentry && f->path.mnt && f->path.dentry == f->path.mnt->root;
    } else if (f) {
      r = -EBADF;
    }
    if (f)
      fput(f);
  } else {
    struct path p;
    unsigned lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
    if (flags & AT_EMPTY_PATH)
      lf |= LOOKUP_EMPTY;
    r = path_lookup(dirfd, path, lf, &p);
    if (!r) {
      iget(p.dentry->inode);
      *out = p.dentry->inode;
      *mount_root = p.dentry == p.mnt->root;
      path_put(&p);
    }
  }
  kfree(path);
  return r;
}

long sys_newfstatat(int dirfd, uaddr_t upath, uaddr_t statbuf, int flags)
{
  struct inode *ino;
  long r = stat_target(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT, &ino, NULL);
  if (r)
    return r;
  struct kstat st;
  fill_kstat(ino, &st);
  iput(ino);
  return copyout(statbuf, &st, sizeof(st)) ? -EFAULT : 0;
}

struct statx_timestamp {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t pad;
};

struct kstatx {
  uint32_t stx_mask, stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink, stx_uid, stx_gid;
  uint16_t stx_mode, pad1;
  uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
  struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
  uint64_t stx_mnt_id;
  uint32_t stx_dio_mem_align, stx_dio_offset_align;
  uint64_t spare[12];
};
STATIC_ASSERT(sizeof(struct kstatx) == 256);

#define STATX_BASIC_STATS 0x7ffU
#define STATX_ATTR_MOUNT_ROOT 0x2000
#define STATX_DIOALIGN 0x2000U      /* a mask bit (the attribute above is another field) */

#define STATX__RESERVED 0x80000000U
#define AT_STATX_SYNC_TYPE 0x6000   /* FORCE_SYNC 0x2000, DONT_SYNC 0x4000: not both */

long sys_statx(int dirfd, uaddr_t upath, int flags, unsigned int mask, uaddr_t buf)
{
  if ((mask & STATX__RESERVED) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
    return -EINVAL;
  struct inode *ino;
  bool mount_root;
  long r = stat_target(dirfd, upath, flags & ~AT_STATX_SYNC_TYPE,
                       AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT, &ino, &mount_root);
  if (r)
    return r;
  struct kstat st;
  fill_kstat(ino, &st);
  /* chattr flags the file system keeps, and "the root of a mount" (statx attributes) */
  uint64_t attr_mask = (ino->sb && ino->sb->type ? ino->sb->type->iflags_mask : 0) &
                       (FS_COMPR_FL | FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL);
  uint64_t attrs = ino->iflags & attr_mask;
  /* A block device's direct I/O alignment (Linux's bdev_statx_dioalign) */
  bool dioalign = (mask & STATX_DIOALIGN) && S_ISBLK(ino->mode) && blockdev_by_dev(ino->rdev);
  iput(ino);
  struct kstatx x;
  memset(&x, 0, sizeof(x));
  x.stx_mask = STATX_BASIC_STATS;
  x.stx_attributes_mask = attr_mask | STATX_ATTR_MOUNT_ROOT;
  x.stx_attributes = attrs | (mount_root ? STATX_ATTR_MOUNT_ROOT : 0);
  x.stx_blksize = st.st_blksize;
  x.stx_nlink = st.st_nlink;
  x.stx_uid = st.st_uid;
  x.stx_gid = st.st_gid;
  x.stx_mode = (uint16_t)st.st_mode;
  x.stx_ino = st.st_ino;
  x.stx_size = st.st_size;
  x.stx_blocks = st.st_blocks;
  x.stx_atime = (struct statx_timestamp){ st.st_atime_sec, (uint32_t)st.st_atime_nsec, 0 };
  x.stx_mtime = (struct statx_timestamp){ st.st_mtime_sec, (uint32_t)st.st_mtime_nsec, 0 };
  x.stx_ctime = (struct statx_timestamp){ st.st_ctime_sec, (uint32_t)st.st_ctime_nsec, 0 };
  x.stx_rdev_major = MAJOR(st.st_rdev);
  x.stx_rdev_minor = MINOR(st.st_rdev);
  x.stx_dev_major = MAJOR(st.st_dev);
  x.stx_dev_minor = MINOR(st.st_dev);
  if (dioalign) {
    x.stx_mask |= STATX_DIOALIGN;
    x.stx_dio_mem_align = BLK_DMA_ALIGNMENT + 1;
    x.stx_dio_offset_align = SECTOR_SIZE;
  }
  return copyout(buf, &x, sizeof(x)) ? -EFAULT : 0;
}

#define R_OK 4
#define W_OK 2
#define X_OK 1

/*
 * access(): the check is made with the real uid and gid (and, for a real
 * uid other than 0, no capabilities), unless AT_EACCESS asks for the
 * effective ids — as Linux's do_faccessat, which overrides the cred.
 */
long sys_faccessat2(int dirfd, uaddr_t upath, int mode, int flags)
{
  if (mode & ~(R_OK | W_OK | X_OK))
    return -EINVAL;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS))
    return -EINVAL;
  const struct cred *old = NULL;
  if (!(flags & AT_EACCESS)) {
    const struct cred *c = current_cred();
    uid_t root = make_kuid(c->user_ns, 0); /* root of the caller's user namespace */
    if (c->fsuid != c->uid || c->fsgid != c->gid || (c->uid != root && c->cap_effective) ||
        (c->uid == root && c->cap_effective != c->cap_permitted)) {
      struct cred *n = prepare_creds();
      if (!n)
        return -ENOMEM;
      n->fsuid = n->uid;
      n->fsgid = n->gid;
      if (!(n->securebits & SECBIT(SECURE_NO_SETUID_FIXUP)))
        n->cap_effective = n->uid != root ? 0 : n->cap_permitted;
      old = override_creds(n);
      put_cred(n);
    }
  }
  struct path p;
  long r = user_path_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS, &p);
  if (r == 0) {
    struct inode *ino = p.dentry->inode;
    r = inode_permission(ino, (mode & 7) | MAY_ACCESS);
    /* Writing to a device or fifo does not write its file system. */
    if (r == -EROFS && !S_ISREG(ino->mode) && !S_ISDIR(ino->mode) && !S_ISLNK(ino->mode))
      r = generic_permission(ino, (mode & 7) | MAY_ACCESS);
    if (r == 0 && (mode & W_OK) && mnt_readonly(p.mnt) &&
        (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
      r = -EROFS;
    path_put(&p);
  }
  if (old)
    revert_creds(old);
  return r;
}

long sys_faccessat(int dirfd, uaddr_t upath, int mode)
{
  return sys_faccessat2(dirfd, upath, mode, 0);
}

static long chmod_inode(struct path *p, mode_t mode)
{
  if (mnt_readonly(p->mnt))
    return -EROFS;
  struct inode *ino = p->dentry->inode;
  mutex_lock(&ino->lock);
  mode &= 07777;
  int e = chmod_check(ino, &mode);
  if (e) {
    mutex_unlock(&ino->lock);
    return e;
  }
  ino->mode = (ino->mode & S_IFMT) | mode;
  inode_touch(ino, false);
  int r = ino->iop && ino->iop->write_inode ? ino->iop->write_inode(ino) : 0;
  mutex_unlock(&ino->lock);
  if (r == 0)
    inotify_dentry_event(p->dentry, IN_ATTRIB);
  return r;
}

long sys_fchmodat(int dirfd, uaddr_t upath, mode_t mode)
{
  struct path p;
  long r = user_path_at(dirfd, upath, 0, 0, &p);
  if (r)
    return r;
  r = chmod_inode(&p, mode);
  path_put(&p);
  return r;
}

long sys_fchmod(int fd, mode_t mode)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = f->path.dentry ? chmod_inode(&f->path, mode) : -EBADF;
  fput(f);
  return r;
}

static long chown_inode(struct path *p, uid_t owner, gid_t group)
{
  if (mnt_readonly(p->mnt))
    return -EROFS;
  /* the caller's ids, as its user namespace maps them */
  struct user_namespace *ns = current_user_ns();
  if (owner != (uid_t)-1 && (owner = make_kuid(ns, owner)) == (uid_t)-1)
    return -EINVAL;
  if (group != (gid_t)-1 && (group = make_kgid(ns, group)) == (gid_t)-1)
    return -EINVAL;
  struct inode *ino = p->dentry->inode;
  mutex_lock(&ino->lock);
  int e = chown_check(ino, owner, group);
  if (e) {
    mutex_unlock(&ino->lock);
    return e;
  }
  if (owner != (uid_t)-1)
    ino->uid = owner;
  if (group != (gid_t)-1)
    ino->gid = group;
  /* As Linux: a chown drops set-user-ID, and set-group-ID when it means
   * "setgid" rather than "mandatory locking" (no group-execute bit). */
  if (!S_ISDIR(ino->mode)) {
    ino->mode &= ~S_ISUID;
    if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
      ino->mode &= ~S_ISGID;
  }
  inode_touch(ino, false);
  int r = ino->iop && ino->iop->write_inode ? ino->iop->write_inode(ino) : 0;
  mutex_unlock(&ino->lock);
  if (r == 0)
    inotify_dentry_event(p->dentry, IN_ATTRIB);
  return r;
}

long sys_fchownat(int dirfd, uaddr_t upath, uid_t owner, gid_t group, int flags)
{
  struct path p;
  long r = user_path_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);
  if (r)
    return r;
  r = chown_inode(&p, owner, group);
  path_put(&p);
  return r;
}

long sys_fchown(int fd, uid_t owner, gid_t group)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = f->path.dentry ? chown_inode(&f->path, owner, group) : -EBADF;
  fput(f);
  return r;
}

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/*
 * utimensat in Linux's order: the times are read (EFAULT) and two
 * UTIME_OMITs end it there, before the path is even looked at; a NULL
 * path names the descriptor itself (flags must be 0, EBADF) unless the
 * descriptor is AT_FDCWD (then the NULL path is EFAULT); the times'
 * nanoseconds are checked last (EINVAL).
 */
long sys_utimensat(int dirfd, uaddr_t upath, uaddr_t utimes, int flags)
{
  struct timespec64 ts[2];
  uint64_t now = time_realtime_ns();
  struct timespec64 tnow = { (int64_t)(now / NSEC_PER_SEC), (int64_t)(now % NSEC_PER_SEC) };
  bool explicit_times = false;  /* anything but "now" needs ownership */
  if (utimes) {
    if (copyin(ts, utimes, sizeof(ts)))
      return -EFAULT;
    if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
      return 0;
    for (int i = 0; i < 2; i++)
      if (ts[i].tv_nsec != UTIME_NOW)
        explicit_times = true;
  } else {
    ts[0] = ts[1] = tnow;
  }
  struct path p;
  long r;
  if (upath == 0 && dirfd != AT_FDCWD) {
    /* utimensat(fd, NULL, ...): the file itself (futimens) */
    if (flags)
      return -EINVAL;
    struct file *f = fd_get(dirfd);
    if (!f)
      return -EBADF;
    if (!f->path.dentry) {
      fput(f);
      return -EBADF;
    }
    p = f->path;
    path_get(&p);
    fput(f);
  } else if ((r = user_path_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p))) {
    return r;
  }
  for (int i = 0; utimes && i < 2; i++) {
    if (ts[i].tv_nsec == UTIME_NOW) {
      ts[i] = tnow;
    } else if (ts[i].tv_nsec != UTIME_OMIT && (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= (int64_t)NSEC_PER_SEC)) {
      path_put(&p);
      return -EINVAL;
    }
  }
  if (mnt_readonly(p.mnt)) {
    path_put(&p);
    return -EROFS;
  }
  struct inode *ino = p.dentry->inode;
  if ((r = utimes_check(ino, explicit_times))) {
    path_put(&p);
    return r;
  }
  mutex_lock(&ino->lock);
  if (ts[0].tv_nsec != UTIME_OMIT)
    ino->atime = ts[0];
  if (ts[1].tv_nsec != UTIME_OMIT)
    ino->mtime = ts[1];
  ino->ctime = tnow;
  ino->dirty = true;
  r = ino->iop && ino->iop->write_inode ? ino->iop->write_inode(ino) : 0;
  mutex_unlock(&ino->lock);
  if (r == 0)
    inotify_dentry_event(p.dentry, IN_ATTRIB);
  path_put(&p);
  return r;
}
