/*
 * sys_fsmount.c — the new mount API's system calls (Linux 5.2): fsopen,
 * fsconfig, fsmount, fspick, open_tree, move_mount and mount_setattr.
 * Their argument checks and errors follow Linux's fs/fsopen.c and
 * fs/namespace.c in Linux's order.
 *
 * Layer: system calls (fetch and check the arguments, copy in).
 * Below: fs/fsopen.c (configurations, detached mounts, mount flags),
 * fs/mount.c (do_move_mount, mount_set_group), fs/namei.c (the walks), fs/super.c
 * (fs_type_find), kern/cred.c (CAP_SYS_ADMIN).
 * Neighbours: fs/sys_mount.c (mount(2), umount2, statfs).
 *
 * Locks: none held on entry; the configuration's mutex and mount_lock
 * are taken below. Every path looked up is put before returning.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/fsopen.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include <string.h>

#define FSOPEN_CLOEXEC 1
#define FSMOUNT_CLOEXEC 1
#define FSPICK_CLOEXEC 1
#define FSPICK_SYMLINK_NOFOLLOW 2
#define FSPICK_NO_AUTOMOUNT 4
#define FSPICK_EMPTY_PATH 8
#define OPEN_TREE_CLONE 1
#define AT_RECURSIVE 0x8000
#define MOVE_MOUNT_F_SYMLINKS 0x01
#define MOVE_MOUNT_F_AUTOMOUNTS 0x02
#define MOVE_MOUNT_F_EMPTY_PATH 0x04
#define MOVE_MOUNT_T_SYMLINKS 0x10
#define MOVE_MOUNT_T_AUTOMOUNTS 0x20
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#define MOVE_MOUNT_SET_GROUP 0x100
#define MOVE_MOUNT__MASK 0x177

#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#define MOUNT_ATTR__ATIME 0x70
#define MOUNT_ATTR_RELATIME 0x00
#define MOUNT_ATTR_NOATIME 0x10
#define MOUNT_ATTR_STRICTATIME 0x20
#define MOUNT_ATTR_NODIRATIME 0x80
#define MOUNT_ATTR_IDMAP 0x100000
#define MOUNT_ATTR_NOSYMFOLLOW 0x200000
#define MOUNT_SETATTR_VALID (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | \
                             MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | \
                             MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSYMFOLLOW)
#define MOUNT_ATTR_SIZE_VER0 32
#define ATIME_MS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

struct mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* A user string of at most max bytes with its NUL (Linux's strndup_user):
 * kfree it; NULL with *err = -EFAULT, -EINVAL (too long), -ENOMEM. */
static char *user_string(uaddr_t u, size_t max, long *err)
{
  char *s = kmalloc(max);
  if (!s) {
    *err = -ENOMEM;
    return NULL;
  }
  long n = copyinstr(s, u, max);
  if (n < 0) {
    kfree(s);
    *err = n == -ENAMETOOLONG ? -EINVAL : n;
    return NULL;
  }
  return s;
}

/* The flags of a mount attribute word (MOUNT_ATTR_*) as MS_* mount flags,
 * the atime setting aside. */
static uint32_t attr_to_ms(uint64_t attr)
{
  uint32_t f = (uint32_t)attr & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (attr & MOUNT_ATTR_NODIRATIME)
    f |= MS_NODIRATIME;
  if (attr & MOUNT_ATTR_NOSYMFOLLOW)
    f |= MS_NOSYMFOLLOW;
  return f;
}

/* MOUNT_ATTR_RELATIME, _NOATIME or _STRICTATIME as a flag; -1 for others. */
static int64_t atime_to_ms(uint64_t attr)
{
  switch (attr & MOUNT_ATTR__ATIME) {
  case MOUNT_ATTR_RELATIME: return MS_RELATIME;
  case MOUNT_ATTR_NOATIME: return MS_NOATIME;
  case MOUNT_ATTR_STRICTATIME: return MS_STRICTATIME;
  default: return -1;
  }
}

/* Give f a descriptor (its reference moves there), or drop it. */
static long install(struct file *f, bool cloexec)
{
  long fd = fd_install(f, 0, cloexec);
  if (fd < 0)
    fput(f);
  return fd;
}

/* ---- configurations ---- */

long sys_fsopen(uaddr_t uname, unsigned int flags)
{
  if (!may_mount())
    return -EPERM;
  if (flags & ~FSOPEN_CLOEXEC)
    return -EINVAL;
  long err;
  char *name = user_string(uname, PAGE_SIZE, &err);
  if (!name)
    return err;
  const struct fs_type *t = fs_type_find(name);
  kfree(name);
  if (!t)
    return -ENODEV;
  struct file *f = fs_config_open(t);
  return f ? install(f, flags & FSOPEN_CLOEXEC) : -ENOMEM;
}

long sys_fspick(int dirfd, uaddr_t upath, unsigned int flags)
{
  if (!may_mount())
    return -EPERM;
  if (flags & ~(FSPICK_CLOEXEC | FSPICK_SYMLINK_NOFOLLOW | FSPICK_NO_AUTOMOUNT | FSPICK_EMPTY_PATH))
    return -EINVAL;
  int at = ((flags & FSPICK_SYMLINK_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) |
           ((flags & FSPICK_EMPTY_PATH) ? AT_EMPTY_PATH : 0);
  struct path p;
  long r = user_path_at(dirfd, upath, at, at, &p);
  if (r)
    return r;
  struct file *f = NULL;
  if (p.dentry != p.mnt->root)
    r = -EINVAL;                /* not the root of a mount */
  else if (!(f = fs_config_pick(&p)))
    r = -ENOMEM;
  path_put(&p);
  return r ? r : install(f, flags & FSPICK_CLOEXEC);
}

/* The checks fsconfig makes of its arguments before the descriptor's. */
static long fsconfig_check(unsigned int cmd, uaddr_t ukey, uaddr_t uvalue, int aux)
{
  switch (cmd) {
  case FSCONFIG_SET_FLAG:
    return (!ukey || uvalue || aux) ? -EINVAL : 0;
  case FSCONFIG_SET_STRING:
    return (!ukey || !uvalue || aux) ? -EINVAL : 0;
  case FSCONFIG_SET_BINARY:
    return (!ukey || !uvalue || aux <= 0 || aux > 1024 * 1024) ? -EINVAL : 0;
  case FSCONFIG_SET_PATH:
  case FSCONFIG_SET_PATH_EMPTY:
    return (!ukey || !uvalue || (aux != AT_FDCWD && aux < 0)) ? -EINVAL : 0;
  case FSCONFIG_SET_FD:
    return (!ukey || uvalue || aux < 0) ? -EINVAL : 0;
  case FSCONFIG_CMD_CREATE:
  case FSCONFIG_CMD_RECONFIGURE:
    return (ukey || uvalue || aux) ? -EINVAL : 0;
  default:
    return -EOPNOTSUPP;
  }
}

/* Copy in (and check) the value of a path, binary or descriptor
 * parameter; a string value goes to *string (kfree it). */
static long fsconfig_value(unsigned int cmd, uaddr_t uvalue, int aux, char **string)
{
  long err = 0;
  char *buf = NULL;
  switch (cmd) {
  case FSCONFIG_SET_STRING:
    if (!(*string = user_string(uvalue, 256, &err)))
      return err;
    return 0;
  case FSCONFIG_SET_BINARY:
    if (!(buf = kmalloc((size_t)aux)))
      return -ENOMEM;
    err = copyin(buf, uvalue, (size_t)aux) ? -EFAULT : 0;
    kfree(buf);
    return err;
  case FSCONFIG_SET_PATH:
  case FSCONFIG_SET_PATH_EMPTY:
    if (!(buf = user_path_copy(uvalue, &err)))
      return err;
    err = (!buf[0] && cmd == FSCONFIG_SET_PATH) ? -ENOENT : 0;
    kfree(buf);
    return err;
  case FSCONFIG_SET_FD: {
    struct file *f = fd_get_raw(aux);
    if (!f)
      return -EBADF;
    fput(f);
    return 0;
  }
  default:
    return 0;
  }
}

long sys_fsconfig(int fd, unsigned int cmd, uaddr_t ukey, uaddr_t uvalue, int aux)
{
  if (fd < 0)
    return -EINVAL;
  long r = fsconfig_check(cmd, ukey, uvalue, aux);
  if (r)
    return r;
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  struct fs_config *fc = fs_config_of(f);
  char *key = NULL, *string = NULL;
  r = -EINVAL;
  if (!fc)
    goto out;
  if (ukey && !(key = user_string(ukey, 256, &r)))
    goto out;
  r = fsconfig_value(cmd, uvalue, aux, &string);
  if (r)
    goto out;
  struct fs_param p = { (int)cmd, key, string };
  r = fs_config_apply(fc, &p);
out:
  kfree(key);
  kfree(string);
  fput(f);
  return r;
}

long sys_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags)
{
  if (!may_mount())
    return -EPERM;
  if (flags & ~FSMOUNT_CLOEXEC)
    return -EINVAL;
  if (attr_flags & ~(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                     MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME))
    return -EINVAL;
  int64_t atime = atime_to_ms(attr_flags);
  if (atime < 0)
    return -EINVAL;
  struct file *f = fd_get_raw(fsfd);
  if (!f)
    return -EBADF;
  struct fs_config *fc = fs_config_of(f);
  struct file *mf = NULL;
  long r = fc ? fs_config_mount(fc, attr_to_ms(attr_flags) | (uint32_t)atime, &mf) : -EINVAL;
  fput(f);
  return r ? r : install(mf, flags & FSMOUNT_CLOEXEC);
}

/* ---- mounts ---- */

long sys_open_tree(int dirfd, uaddr_t upath, unsigned int flags)
{
  if (flags & ~(AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW |
                OPEN_TREE_CLONE | O_CLOEXEC))
    return -EINVAL;
  if ((flags & (AT_RECURSIVE | OPEN_TREE_CLONE)) == AT_RECURSIVE)
    return -EINVAL;
  bool clone = flags & OPEN_TREE_CLONE;
  if (clone && !may_mount())
    return -EPERM;
  int at = flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  struct path p;
  long r = user_path_at(dirfd, upath, at, at, &p);
  if (r)
    return r;
  struct file *f = NULL;
  if (clone) {
    r = mount_clone_file(&p, flags & AT_RECURSIVE, &f);
  } else {
    f = file_open_path(&p, O_PATH);
    r = IS_ERR(f) ? PTR_ERR(f) : 0;
  }
  path_put(&p);
  return r ? r : install(f, flags & O_CLOEXEC);
}

long sys_move_mount(int from_dirfd, uaddr_t from_path, int to_dirfd, uaddr_t to_path,
                    unsigned int flags)
{
  if (!may_mount())
    return -EPERM;
  if (flags & ~MOVE_MOUNT__MASK)
    return -EINVAL;
  int from_at = ((flags & MOVE_MOUNT_F_SYMLINKS) ? 0 : AT_SYMLINK_NOFOLLOW) |
                ((flags & MOVE_MOUNT_F_EMPTY_PATH) ? AT_EMPTY_PATH : 0);
  int to_at = ((flags & MOVE_MOUNT_T_SYMLINKS) ? 0 : AT_SYMLINK_NOFOLLOW) |
              ((flags & MOVE_MOUNT_T_EMPTY_PATH) ? AT_EMPTY_PATH : 0);
  struct path from, to;
  long r = user_path_at(from_dirfd, from_path, from_at, from_at, &from);
  if (r)
    return r;
  r = user_path_at(to_dirfd, to_path, to_at, to_at, &to);
  if (r == 0) {
    r = (flags & MOVE_MOUNT_SET_GROUP) ? mount_set_group(&from, &to) : do_move_mount(&from, &to);
    path_put(&to);
  }
  path_put(&from);
  return r;
}

/* mount_setattr's attributes as flags to clear and set (Linux's
 * build_mount_kattr): 0 or -EINVAL. */
static long setattr_flags(const struct mount_attr *a, uint32_t *clr, uint32_t *set)
{
  uint64_t prop = a->propagation;
  if (prop & ~(uint64_t)(MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED))
    return -EINVAL;
  if (prop & (prop - 1))
    return -EINVAL;             /* more than one propagation type */
  if ((a->attr_set | a->attr_clr) & MOUNT_ATTR_IDMAP)
    return -EINVAL;             /* not implemented here: id-mapped mounts */
  if ((a->attr_set | a->attr_clr) & ~(uint64_t)MOUNT_SETATTR_VALID)
    return -EINVAL;
  *set = attr_to_ms(a->attr_set);
  *clr = attr_to_ms(a->attr_clr);
  if (a->attr_clr & MOUNT_ATTR__ATIME) {
    /* the atime settings are one value: changing it names all of it */
    if ((a->attr_clr & MOUNT_ATTR__ATIME) != MOUNT_ATTR__ATIME)
      return -EINVAL;
    int64_t atime = atime_to_ms(a->attr_set);
    if (atime < 0)
      return -EINVAL;
    *clr |= ATIME_MS;
    *set |= (uint32_t)atime;
  } else if (a->attr_set & MOUNT_ATTR__ATIME) {
    return -EINVAL;
  }
  return 0;
}

long sys_mount_setattr(int dirfd, uaddr_t upath, unsigned int flags, uaddr_t uattr, size_t size)
{
  if (flags & ~(AT_EMPTY_PATH | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT))
    return -EINVAL;
  if (size > PAGE_SIZE)
    return -E2BIG;
  if (size < MOUNT_ATTR_SIZE_VER0)
    return -EINVAL;
  if (!may_mount())
    return -EPERM;
  struct mount_attr a;
  if (copyin(&a, uattr, sizeof(a)))
    return -EFAULT;
  for (size_t off = sizeof(a); off < size; off++) {   /* a newer, bigger struct */
    uint8_t b;
    if (copyin(&b, uattr + off, 1))
      return -EFAULT;
    if (b)
      return -E2BIG;
  }
  if (!a.attr_set && !a.attr_clr && !a.propagation)
    return 0;                   /* nothing to do: not even the path is looked up */
  uint32_t clr, set;
  long r = setattr_flags(&a, &clr, &set);
  if (r)
    return r;
  int at = flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  struct path p;
  r = user_path_at(dirfd, upath, at, at, &p);
  if (r)
    return r;
  r = mount_change_flags(&p, clr, set, (uint32_t)a.propagation, flags & AT_RECURSIVE);
  path_put(&p);
  return r;
}
