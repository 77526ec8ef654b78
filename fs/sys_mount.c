/*
 * sys_mount.c — the system calls on whole file systems: statfs, fstatfs,
 * mount and umount2.
 *
 * Layer: system calls (fetch and check the arguments, copy in and out).
 * Below: fs/super.c (do_mount, do_umount, vfs_statfs),
 * fs/namei.c (the mount point's walk), kern/cred.c (CAP_SYS_ADMIN).
 * Neighbours: fs/sys_sync.c (syncfs), fs/proc_mounts.c (/proc/mounts).
 *
 * Locks: none held on entry; fs/mount.c takes mount_lock. The target's
 * path is referenced across do_mount/do_umount and put after.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include <string.h>

/* ---- file systems ---- */

long sys_statfs(uaddr_t upath, uaddr_t buf)
{
  struct path p;
  long r = user_path_at(AT_FDCWD, upath, 0, 0, &p);
  if (r)
    return r;
  struct statfs64 st;
  r = vfs_statfs(&p, &st);
  path_put(&p);
  if (r)
    return r;
  return copyout(buf, &st, sizeof(st)) ? -EFAULT : 0;
}

long sys_fstatfs(int fd, uaddr_t buf)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  struct statfs64 st;
  bool named = f->path.dentry && !path_is_pseudo(&f->path);  /* (not a pipe, memfd) */
  long r = named ? vfs_statfs(&f->path, &st) : -EBADF;
  if (!named && f->inode) {
    memset(&st, 0, sizeof(st));
    st.f_type = f->inode->sb ? f->inode->sb->magic : 0;
    st.f_bsize = PAGE_SIZE;
    st.f_namelen = NAME_MAX;
    r = 0;
  }
  fput(f);
  if (r)
    return r;
  return copyout(buf, &st, sizeof(st)) ? -EFAULT : 0;
}

long sys_mount(uaddr_t usource, uaddr_t utarget, uaddr_t ufstype, uint64_t flags, uaddr_t udata)
{
  long err = 0;
  char *source = NULL, *target = NULL, *fstype = NULL, *data = NULL;
  long r;
  if (usource && !(source = user_path_copy(usource, &err)))
    return err;
  if (!(target = user_path_copy(utarget, &err))) {
    r = err;
    goto out;
  }
  if (ufstype && !(fstype = user_path_copy(ufstype, &err))) {
    r = err;
    goto out;
  }
  if (udata) {
    /* Linux's copy_mount_options: up to a page, as much as can be read;
     * EFAULT only if nothing can */
    data = kmalloc(PAGE_SIZE);
    if (!data) {
      r = -ENOMEM;
      goto out;
    }
    size_t n = copyin_part(data, udata, PAGE_SIZE - 1);
    if (n == 0) {
      r = -EFAULT;
      goto out;
    }
    data[n] = 0;
  }
  struct path p;
  r = path_lookup(AT_FDCWD, target, LOOKUP_FOLLOW, &p);
  if (r)
    goto out;
  r = may_mount() ? do_mount(source, &p, fstype, (uint32_t)flags, data) : -EPERM;
  path_put(&p);
out:
  kfree(source);
  kfree(target);
  kfree(fstype);
  kfree(data);
  return r;
}

long sys_umount2(uaddr_t utarget, int flags)
{
  if (flags & ~(MNT_FORCE | MNT_DETACH | 4 /* MNT_EXPIRE */ | 8 /* UMOUNT_NOFOLLOW */))
    return -EINVAL;
  long err;
  char *target = user_path_copy(utarget, &err);
  if (!target)
    return err;
  struct path p;
  long r = path_lookup(AT_FDCWD, target, (flags & 8) ? 0 : LOOKUP_FOLLOW, &p);
  kfree(target);
  if (r)
    return r;
  r = may_mount() ? do_umount(&p, flags) : -EPERM;
  path_put(&p);
  return r;
}
