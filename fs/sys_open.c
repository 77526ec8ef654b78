/*
 * sys_open.c — the system calls that make and unmake descriptors: openat,
 * openat2, close, close_range, dup, dup3, pipe2, memfd_create, and the
 * per-descriptor controls fcntl and ioctl.
 *
 * Layer: system calls (fetch and check the arguments, copy in and out).
 * Below: fs/file.c and fs/fdtable.h (struct file, the descriptor table:
 * fd_install, fd_close), fs/namei.c (vfs_open, openat2's resolve scope),
 * fs/locks.c (POSIX locks, F_SETOWN, leases), fs/pipe.c, fs/ramfs.c (memfd).
 * Neighbours: fs/sys_rw.c (data), fs/sys_dir.c (names), fs/sys_stat.c.
 *
 * Locks: none held across a call; the descriptor table takes its own
 * (fs/file.c), close_range's unshare swaps current->files under proc_lock.
 * A file found by fd_get/fd_get_raw is referenced until the call's fput.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/perm.h"
#include "fs/fdtable.h"
#include "fs/locks.h"
#include "fs/ramfs.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/pipe.h"
#include "drivers/tty_ioctl.h"
#include <string.h>

/* ---- open and close ---- */

long sys_openat(int dirfd, uaddr_t upath, int flags, mode_t mode)
{
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  struct file *f;
  long r = vfs_open(dirfd, path, flags & O_USER_FLAGS, mode, &f);
  kfree(path);
  if (r)
    return r;
  return fd_install_opened(f, flags);
}

/*
 * openat2(dirfd, path, how, size): openat with its arguments in a
 * structure that may grow (a bigger one must be zero past what Kite
 * knows: E2BIG), every flag checked (unknown open flags, a mode without
 * O_CREAT or O_TMPFILE, unknown RESOLVE_* flags: EINVAL), and how->resolve
 * restricting the walk (fs/namei.c). RESOLVE_CACHED will not create or
 * truncate (EAGAIN), as on Linux.
 */
struct open_how {
  uint64_t flags, mode, resolve;
};
#define OPEN_HOW_SIZE_VER0 24
#define VALID_OPEN_FLAGS 037777703u  /* Linux's: every O_* flag open knows */
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH)

long sys_openat2(int dirfd, uaddr_t upath, uaddr_t uhow, size_t size)
{
  if (size < OPEN_HOW_SIZE_VER0)
    return -EINVAL;
  if (size > PAGE_SIZE)
    return -E2BIG;
  struct open_how how = {0};
  if (copyin(&how, uhow, MIN(size, sizeof(how))))
    return -EFAULT;
  for (size_t off = sizeof(how); off < size; off++) {
    uint8_t b;
    if (copyin(&b, uhow + off, 1))
      return -EFAULT;
    if (b)
      return -E2BIG;
  }
  uint64_t flags = how.flags & ~(uint64_t)O_CLOEXEC;
  if (flags & ~(uint64_t)VALID_OPEN_FLAGS)
    return -EINVAL;
  if (how.resolve & ~(uint64_t)RESOLVE_ALL)
    return -EINVAL;
  if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
    return -EINVAL;
  if (flags & (O_CREAT | __O_TMPFILE)) {
    if (how.mode & ~(uint64_t)07777)
      return -EINVAL;
  } else if (how.mode) {
    return -EINVAL;
  }
  if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
    return -EINVAL;
  if ((flags & __O_TMPFILE) && (!(flags & O_DIRECTORY) || (flags & O_ACCMODE) == O_RDONLY))
    return -EINVAL;
  if ((flags & O_PATH) && (flags & ~(uint64_t)O_PATH_FLAGS))
    return -EINVAL;
  if ((how.resolve & RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
    return -EAGAIN;
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  struct resolve_scope scope;
  long r;
  if (path[0] == '/' && (how.resolve & RESOLVE_BENEATH))
    r = -EXDEV;
  else
    r = resolve_begin(&scope, dirfd, how.resolve);
  struct file *f = NULL;
  if (!r) {
    r = vfs_open(dirfd, path, (int)how.flags & O_USER_FLAGS, (mode_t)how.mode, &f);
    resolve_end(&scope);
  }
  kfree(path);
  if (r)
    return r;
  return fd_install_opened(f, (int)how.flags);
}

long sys_close(int fd)
{
  return fd_close(fd);
}

long sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  if (flags & ~(4u /* CLOSE_RANGE_CLOEXEC */ | 2u /* CLOSE_RANGE_UNSHARE */))
    return -EINVAL;
  if (first > last)
    return -EINVAL;
  if ((flags & 2u) && __atomic_load_n(&current->files->refcount, __ATOMIC_ACQUIRE) > 1) {
    /* CLOSE_RANGE_UNSHARE: a table shared by CLONE_FILES becomes the
     * caller's own copy first, so the others keep their descriptors */
    struct files *copy = files_copy(current->files);
    if (!copy)
      return -ENOMEM;
    spin_lock(&proc_lock);
    struct files *shared = current->files;
    current->files = copy;
    spin_unlock(&proc_lock);
    files_put(shared);
  }
  struct files *ft = current->files;
  unsigned int end = MIN(last, (unsigned int)ft->size - 1);
  for (unsigned int fd = first; fd <= end && fd < (unsigned int)ft->size; fd++) {
    if (flags & 4u)
      fd_set_cloexec(fd, true);
    else if (fd_get_cloexec(fd) >= 0)
      sys_close(fd);
  }
  return 0;
}

long sys_dup(int fd)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  long r = fd_install(f, 0, false);
  if (r < 0)
    fput(f);
  return r;
}

long sys_dup3(int oldfd, int newfd, int flags)
{
  if (flags & ~O_CLOEXEC)
    return -EINVAL;
  if (oldfd == newfd)
    return -EINVAL;
  struct file *f = fd_get_raw(oldfd);
  if (!f)
    return -EBADF;
  long r = fd_install_at(newfd, f, flags & O_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
}

long sys_pipe2(uaddr_t ufds, int flags)
{
  int fds[2];
  int r = do_pipe2(fds, flags);
  if (r)
    return r;
  if (copyout(ufds, fds, sizeof(fds))) {
    fd_close(fds[0]);
    fd_close(fds[1]);
    return -EFAULT;
  }
  return 0;
}

long sys_memfd_create(uaddr_t uname, unsigned int flags)
{
  char name[256];
  long n = copyinstr(name, uname, sizeof(name) - 6);
  if (n < 0)
    return n == -ENAMETOOLONG ? -EINVAL : n;
  if (flags & ~7u /* CLOEXEC ALLOW_SEALING HUGETLB */)
    return -EINVAL;
  struct file *f = memfd_file_create(name, flags & 2 /* MFD_ALLOW_SEALING */);
  if (IS_ERR(f))
    return PTR_ERR(f);
  long r = fd_install(f, 0, flags & 1);
  if (r < 0)
    fput(f);
  return r;
}

/* ---- fcntl and ioctl ---- */

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define FD_CLOEXEC 1

long sys_fcntl(int fd, int cmd, uint64_t arg)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  /* An O_PATH descriptor allows only the descriptor-level commands. */
  if ((f->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD &&
      cmd != F_SETFD && cmd != F_GETFL) {
    fput(f);
    return -EBADF;
  }
  long r;
  switch (cmd) {
  case F_DUPFD:
  case F_DUPFD_CLOEXEC:
    if ((int64_t)(int)arg < 0) {
      r = -EINVAL;
      break;
    }
    fget(f);
    r = fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
    if (r < 0) {
      fput(f);
      if (r == -EMFILE && (uint64_t)(int)arg >= rlimit_cur(RLIMIT_NOFILE))
        r = -EINVAL;
    }
    break;
  case F_GETFD:
    r = fd_get_cloexec(fd) > 0 ? FD_CLOEXEC : 0;
    break;
  case F_SETFD:
    r = fd_set_cloexec(fd, arg & FD_CLOEXEC);
    break;
  case F_GETFL:
    r = f->flags & ~O_CLOEXEC;
    break;
  case F_SETFL:
    if ((arg & O_NOATIME) && !(f->flags & O_NOATIME) && f->inode && !inode_owner_or_capable(f->inode)) {
      r = -EPERM;
      break;
    }
    if ((arg ^ f->flags) & O_ASYNC)
      fasync_set(f, fd, arg & O_ASYNC);
    f->flags = (f->flags & ~SETFL_MASK) | ((uint32_t)arg & SETFL_MASK);
    r = 0;
    break;
  case F_GETLK:
  case F_SETLK:
  case F_SETLKW:
  case F_OFD_GETLK:
  case F_OFD_SETLK:
  case F_OFD_SETLKW:
    r = fcntl_lock(f, cmd, arg);
    break;
  case F_GETOWN:
  case F_SETOWN:
  case F_GETOWN_EX:
  case F_SETOWN_EX:
  case F_GETSIG:
  case F_SETSIG:
  case F_GETLEASE:
  case F_SETLEASE:
    r = fcntl_owner(f, fd, cmd, arg);
    break;
  case F_GETPIPE_SZ:
    r = pipe_get_size(f);
    break;
  case F_SETPIPE_SZ:
    r = pipe_set_size(f, arg);
    break;
  case F_ADD_SEALS:
  case F_GET_SEALS:
    r = memfd_fcntl(f, cmd, arg);
    break;
  default:
    r = -EINVAL;
  }
  fput(f);
  return r;
}

long sys_ioctl(int fd, unsigned int cmd, uint64_t arg)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  switch (cmd) {
  case FIOCLEX:
  case FIONCLEX:
    r = fd_set_cloexec(fd, cmd == FIOCLEX);
    break;
  case FIONBIO: {
    uint32_t on;
    if (copyin(&on, arg, 4)) {
      r = -EFAULT;
      break;
    }
    if (on)
      f->flags |= O_NONBLOCK;
    else
      f->flags &= ~O_NONBLOCK;
    r = 0;
    break;
  }
  case FIOASYNC: {
    uint32_t on;
    if (copyin(&on, arg, 4)) {
      r = -EFAULT;
      break;
    }
    if (!on != !(f->flags & O_ASYNC))
      fasync_set(f, fd, on);
    f->flags = on ? f->flags | O_ASYNC : f->flags & ~O_ASYNC;
    r = 0;
    break;
  }
  default: {
    bool handled;
    r = inode_flags_ioctl(f, cmd, arg, &handled);
    if (handled)
      break;
    if (f->fop && f->fop->ioctl) {
      r = f->fop->ioctl(f, cmd, arg);
    } else if (cmd == FIONREAD && f->inode && S_ISREG(f->inode->mode)) {
      /* Linux stores size - position in an int, as it is: the low 32 bits */
      uint32_t n = (uint32_t)((uint64_t)f->inode->size - (uint64_t)f->pos);
      r = copyout(arg, &n, 4);
    } else {
      r = -ENOTTY;
    }
  }
  }
  fput(f);
  return r;
}
