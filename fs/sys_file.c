/*
 * sys_file.c — file-system system calls: fetch and check the arguments,
 * then call the VFS (fs/namei.c, fs/file.c, fs/fsops.c). No file-system
 * logic lives here.
 */
#include "fs/vfs.h"
#include "fs/perm.h"
#include "kern/cred.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include "fs/locks.h"
#include "fs/ramfs.h"
#include "fs/inotify.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/pipe.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "drivers/tty_ioctl.h"
#include <string.h>

/* A kernel buffer for a path argument, freed with kfree. */
static char *get_path(uaddr_t upath, long *err)
{
  char *p = kmalloc(PATH_MAX);
  if (!p) {
    *err = -ENOMEM;
    return NULL;
  }
  long n = copy_path(p, upath);
  if (n < 0) {
    kfree(p);
    *err = n;
    return NULL;
  }
  return p;
}

/* ---- read and write ---- */

/* Does this file kind keep a position (regular files, directories, block devices)? */
static bool file_has_pos(struct file *f)
{
  return f->fop && f->fop->llseek;
}

/*
 * Do read and write move this file's position under pos_lock? POSIX wants
 * the update atomic for regular files and directories (Linux's
 * FMODE_ATOMIC_POS); Kite adds block devices. Character devices that keep
 * a position (/dev/null, /dev/zero) move it without the lock, as on Linux:
 * the mutex was a third of the instructions of a 1-byte write to /dev/null
 * (docs/vfs.md, benchmarks).
 */
static bool file_atomic_pos(struct file *f)
{
  if (!file_has_pos(f))
    return false;
  if (!f->inode)
    return true;
  mode_t m = f->inode->mode;
  return S_ISREG(m) || S_ISDIR(m) || S_ISBLK(m);
}

static ssize_t do_read(struct file *f, struct uio *u)
{
  if (!file_atomic_pos(f))
    return vfs_read(f, u, &f->pos);
  mutex_lock(&f->pos_lock);
  off_t pos = f->pos;
  ssize_t n = vfs_read(f, u, &pos);
  if (n > 0)
    f->pos = pos;
  mutex_unlock(&f->pos_lock);
  return n;
}

static ssize_t do_write(struct file *f, struct uio *u)
{
  if (!file_atomic_pos(f))
    return vfs_write(f, u, &f->pos);
  mutex_lock(&f->pos_lock);
  off_t pos = f->pos;
  ssize_t n = vfs_write(f, u, &pos);
  if (n > 0)
    f->pos = pos;
  mutex_unlock(&f->pos_lock);
  return n;
}

long sys_read(int fd, uaddr_t buf, size_t count)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  struct uio u;
  uio_init_user(&u, buf, count);
  u.bad |= !access_ok(buf, count);
  long r = do_read(f, &u);
  fput(f);
  return r;
}

long sys_write(int fd, uaddr_t buf, size_t count)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  struct uio u;
  uio_init_user(&u, buf, count);
  u.bad |= !access_ok(buf, count);
  long r = do_write(f, &u);
  fput(f);
  return r;
}

/* readv and friends: at most UIO_MAXIOV entries, else EINVAL. */
static long import_iovec(uaddr_t uiov, int iovcnt, struct uio *u, struct kiovec **iov_out)
{
  if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
    return -EINVAL;
  return uio_import_user_iovec(uiov, (size_t)iovcnt, u, iov_out);
}

long sys_readv(int fd, uaddr_t uiov, int iovcnt)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  struct uio u;
  struct kiovec *iov;
  long r = import_iovec(uiov, iovcnt, &u, &iov);
  if (!r) {
    r = u.resid ? do_read(f, &u) : (file_readable(f) ? 0 : -EBADF);
    kfree(iov);
  }
  fput(f);
  return r;
}

long sys_writev(int fd, uaddr_t uiov, int iovcnt)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  struct uio u;
  struct kiovec *iov;
  long r = import_iovec(uiov, iovcnt, &u, &iov);
  if (!r) {
    r = u.resid ? do_write(f, &u) : (file_writable(f) ? 0 : -EBADF);
    kfree(iov);
  }
  fput(f);
  return r;
}

/* pread/pwrite family: positioned I/O on seekable files only. */
static long positioned(int fd, struct uio *u, off_t offset, bool write)
{
  if (offset < 0)
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!file_has_pos(f) || (f->inode && S_ISFIFO(f->inode->mode)))
    r = -ESPIPE;
  else if (write)
    r = vfs_write(f, u, &offset);
  else
    r = vfs_read(f, u, &offset);
  fput(f);
  return r;
}

long sys_pread64(int fd, uaddr_t buf, size_t count, off_t offset)
{
  struct uio u;
  uio_init_user(&u, buf, count);
  u.bad |= !access_ok(buf, count);
  return positioned(fd, &u, offset, false);
}

long sys_pwrite64(int fd, uaddr_t buf, size_t count, off_t offset)
{
  struct uio u;
  uio_init_user(&u, buf, count);
  u.bad |= !access_ok(buf, count);
  return positioned(fd, &u, offset, true);
}

long sys_preadv(int fd, uaddr_t uiov, int iovcnt, off_t offset)
{
  struct uio u;
  struct kiovec *iov;
  long r = import_iovec(uiov, iovcnt, &u, &iov);
  if (r)
    return r;
  r = positioned(fd, &u, offset, false);
  kfree(iov);
  return r;
}

long sys_pwritev(int fd, uaddr_t uiov, int iovcnt, off_t offset)
{
  struct uio u;
  struct kiovec *iov;
  long r = import_iovec(uiov, iovcnt, &u, &iov);
  if (r)
    return r;
  r = positioned(fd, &u, offset, true);
  kfree(iov);
  return r;
}

/* preadv2/pwritev2 flags (RWF_*) */
#define RWF_HIPRI 0x01
#define RWF_DSYNC 0x02
#define RWF_SYNC 0x04
#define RWF_NOWAIT 0x08
#define RWF_APPEND 0x10
#define RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)

/*
 * preadv2 and pwritev2: preadv/pwritev with flags, and offset -1 meaning
 * the file position (readv/writev). Checked in Linux's order: the offset,
 * the descriptor, seekability, the iovec, the access mode, an empty
 * transfer (0, whatever the flags), then the flags: unknown ones are
 * EOPNOTSUPP, and so is RWF_NOWAIT, which Linux 6.1 honours only on
 * files of ext4, xfs, btrfs and block devices (not tmpfs, pipes or
 * sockets): none Kite has. RWF_HIPRI (polled direct I/O) changes nothing for buffered
 * files; RWF_DSYNC/RWF_SYNC sync the file after a write; RWF_APPEND
 * writes at the end whatever the offset.
 */
static long rw2(int fd, uaddr_t uiov, int iovcnt, off_t offset, int flags, bool write)
{
  if (offset < -1)
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  bool at_pos = offset == -1;
  struct uio u;
  struct kiovec *iov = NULL;
  long r;
  if (!at_pos && (!file_has_pos(f) || (f->inode && S_ISFIFO(f->inode->mode)))) {
    r = -ESPIPE;
  } else if ((r = import_iovec(uiov, iovcnt, &u, &iov))) {
    ;
  } else if (write ? !file_writable(f) : !file_readable(f)) {
    r = -EBADF;
  } else if (!u.resid) {
    r = 0;
  } else if (flags & ~(RWF_SUPPORTED & ~RWF_NOWAIT)) {
    r = -EOPNOTSUPP; /* unknown flags, and RWF_NOWAIT: see above */
  } else if (write && (flags & RWF_APPEND) && f->inode && S_ISREG(f->inode->mode)) {
    mutex_lock(&f->pos_lock);
    off_t pos = f->inode->size;
    r = vfs_write(f, &u, &pos);
    if (r > 0 && at_pos)
      f->pos = pos;
    mutex_unlock(&f->pos_lock);
  } else if (at_pos) {
    r = write ? do_write(f, &u) : do_read(f, &u);
  } else {
    r = write ? vfs_write(f, &u, &offset) : vfs_read(f, &u, &offset);
  }
  if (r > 0 && write && (flags & (RWF_DSYNC | RWF_SYNC)) && f->fop && f->fop->fsync) {
    long e = f->fop->fsync(f, !(flags & RWF_SYNC));
    if (e)
      r = e;
  }
  kfree(iov);
  fput(f);
  return r;
}

/* (riscv64 passes the offset whole in pos_l; pos_h is for 32-bit ABIs) */
long sys_preadv2(int fd, uaddr_t uiov, int iovcnt, off_t pos_l, uint64_t pos_h, int flags)
{
  (void)pos_h;
  return rw2(fd, uiov, iovcnt, pos_l, flags, false);
}

long sys_pwritev2(int fd, uaddr_t uiov, int iovcnt, off_t pos_l, uint64_t pos_h, int flags)
{
  (void)pos_h;
  return rw2(fd, uiov, iovcnt, pos_l, flags, true);
}

long sys_lseek(int fd, off_t offset, int whence)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!f->fop || !f->fop->llseek) {
    r = -ESPIPE;
  } else {
    mutex_lock(&f->pos_lock);
    r = f->fop->llseek(f, offset, whence);
    mutex_unlock(&f->pos_lock);
  }
  fput(f);
  return r;
}

/* Copy between two files through a kernel buffer (sendfile, copy_file_range). */
static long copy_between(struct file *in, off_t *inpos, struct file *out, off_t *outpos,
                         size_t count)
{
  char *buf = kmalloc(65536);
  if (!buf)
    return -ENOMEM;
  long total = 0;
  while (count > 0) {
    size_t n = MIN(count, 65536);
    struct uio u;
    uio_init_kernel(&u, buf, n);
    ssize_t got = vfs_read(in, &u, inpos);
    if (got <= 0) {
      if (got < 0 && !total)
        total = got;
      break;
    }
    size_t done = 0;
    while (done < (size_t)got) {
      struct uio w;
      uio_init_kernel(&w, buf + done, got - done);
      ssize_t put = vfs_write(out, &w, outpos);
      if (put <= 0) {
        kfree(buf);
        if (total || done)
          return total + done;
        return put ? put : -EIO;
      }
      done += put;
    }
    total += got;
    count -= got;
    if (signal_pending(current))
      break;
  }
  kfree(buf);
  return total;
}

/*
 * sendfile in Linux's order: the offset is read first (EFAULT), then the
 * input (EBADF, ESPIPE for an offset on an unseekable file, EINVAL for a
 * bad range), then the output (EBADF; EINVAL for O_APPEND or an input
 * that is not a regular file). The new offset is written back even after
 * a partial copy; failing that is EFAULT.
 */
long sys_sendfile(int out_fd, int in_fd, uaddr_t uoffset, size_t count)
{
  off_t pos = 0;
  if (uoffset && copyin(&pos, uoffset, sizeof(pos)))
    return -EFAULT;
  struct file *in = fd_get(in_fd), *out = NULL;
  long r = -EBADF;
  if (!in || !file_readable(in))
    goto done;
  r = -ESPIPE;
  if (!uoffset)
    pos = in->pos;
  else if (!file_has_pos(in))
    goto done;
  r = -EINVAL;
  if (pos < 0 || (uint64_t)pos + MIN(count, MAX_RW_COUNT) > (uint64_t)OFF_MAX)
    goto done;
  count = MIN(count, MAX_RW_COUNT);
  out = fd_get(out_fd);
  r = -EBADF;
  if (!out || !file_writable(out))
    goto done;
  r = -EINVAL;
  if ((out->flags & O_APPEND) || !in->inode || !S_ISREG(in->inode->mode))
    goto done; /* Linux needs an input it can splice from a page cache */
  r = copy_between(in, &pos, out, &out->pos, count);
  if (uoffset) {
    if (copyout(uoffset, &pos, sizeof(pos)))
      r = -EFAULT;
  } else if (r > 0) {
    in->pos = pos;
  }
done:
  if (in)
    fput(in);
  if (out)
    fput(out);
  return r;
}

/*
 * The checks of Linux's copy_file_range, in its order, once the offsets
 * are known: both regular files (EISDIR, EINVAL), readable and writable
 * without O_APPEND (EBADF), one file system (EXDEV), ranges that do not
 * wrap (EOVERFLOW), then the length cut at the input's end and at
 * RLIMIT_FSIZE (EFBIG), no overlap within one file (EINVAL). *len is the
 * count to copy.
 */
static long copy_range_checks(struct file *in, off_t ipos, struct file *out, off_t opos, size_t *len)
{
  struct inode *ii = in->inode, *oi = out->inode;
  if (!ii || !oi)
    return -EINVAL;
  if (S_ISDIR(ii->mode) || S_ISDIR(oi->mode))
    return -EISDIR;
  if (!S_ISREG(ii->mode) || !S_ISREG(oi->mode))
    return -EINVAL;
  if (!file_readable(in) || !file_writable(out) || (out->flags & O_APPEND))
    return -EBADF;
  if (ii->sb != oi->sb)
    return -EXDEV;
  uint64_t count = *len;
  if ((uint64_t)ipos + count < (uint64_t)ipos || (uint64_t)opos + count < (uint64_t)opos)
    return -EOVERFLOW;
  off_t size = READ_ONCE(ii->size);
  count = ipos >= size ? 0 : MIN(count, (uint64_t)(size - ipos));
  uint64_t limit = rlimit_cur(RLIMIT_FSIZE);
  if (opos >= 0) { /* Linux's generic_write_check_limits */
    if (limit != RLIM_INFINITY) {
      if ((uint64_t)opos >= limit) {
        send_signal_task(current, SIGXFSZ, NULL);
        return -EFBIG;
      }
      count = MIN(count, limit - (uint64_t)opos);
    }
    if (opos >= OFF_MAX)
      return -EFBIG;
    count = MIN(count, (uint64_t)(OFF_MAX - opos));
  }
  if (ii == oi && (uint64_t)opos + count > (uint64_t)ipos && (uint64_t)opos < (uint64_t)ipos + count)
    return -EINVAL;
  if (ipos < 0 || opos < 0 || (uint64_t)ipos + count > (uint64_t)OFF_MAX ||
      (uint64_t)opos + count > (uint64_t)OFF_MAX)
    return -EINVAL; /* rw_verify_area */
  *len = count;
  return 0;
}

long sys_copy_file_range(int fd_in, uaddr_t off_in, int fd_out, uaddr_t off_out, size_t len,
                         unsigned int flags)
{
  struct file *in = fd_get(fd_in), *out = in ? fd_get(fd_out) : NULL;
  long r = -EBADF;
  off_t ipos, opos;
  if (!in || !out)
    goto done;
  r = -EFAULT;
  if ((off_in && copyin(&ipos, off_in, 8)) || (off_out && copyin(&opos, off_out, 8)))
    goto done;
  if (!off_in)
    ipos = in->pos;
  if (!off_out)
    opos = out->pos;
  r = -EINVAL;
  if (flags)
    goto done;
  r = copy_range_checks(in, ipos, out, opos, &len);
  if (r || len == 0)
    goto done;
  r = copy_between(in, &ipos, out, &opos, MIN(len, MAX_RW_COUNT));
  if (r > 0) {
    if (!off_in)
      in->pos = ipos;
    else if (copyout(off_in, &ipos, 8))
      r = -EFAULT;
    if (!off_out)
      out->pos = opos;
    else if (copyout(off_out, &opos, 8))
      r = -EFAULT;
  }
done:
  if (in)
    fput(in);
  if (out)
    fput(out);
  return r;
}

/* ---- open and close ---- */

long sys_openat(int dirfd, uaddr_t upath, int flags, mode_t mode)
{
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  struct file *f;
  long r = vfs_open(dirfd, path, flags & O_USER_FLAGS, mode, &f);
  kfree(path);
  if (r)
    return r;
  if (!(flags & O_PATH))
    inotify_file_event(f, IN_OPEN);
  r = fd_install(f, 0, flags & O_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
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
  char *path = get_path(upath, &err);
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
  if (!(how.flags & O_PATH))
    inotify_file_event(f, IN_OPEN);
  r = fd_install(f, 0, how.flags & O_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
}

long sys_close(int fd)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  if (f->inode)
    locks_remove_posix(f->inode, current->proc->pid);
  fput(f);
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

/* ---- directories ---- */

struct getdents_ctx {
  struct dir_context ctx;
  uaddr_t buf;
  size_t left;
  size_t written;
  int err;
};

static bool filldir64(struct dir_context *ctx, const char *name, size_t len, ino_t ino,
                      unsigned type)
{
  struct getdents_ctx *g = (struct getdents_ctx *)ctx;
  size_t reclen = ROUND_UP(19 + len + 1, 8);
  if (reclen > g->left) {
    if (g->written == 0)
      g->err = -EINVAL;
    return false;
  }
  char rec[19 + NAME_MAX + 1 + 8];
  memset(rec, 0, reclen);
  uint64_t ino64 = ino;
  int64_t off = ctx->pos + 1;
  uint16_t rl = (uint16_t)reclen;
  memcpy(rec, &ino64, 8);
  memcpy(rec + 8, &off, 8);
  memcpy(rec + 16, &rl, 2);
  rec[18] = (char)type;
  memcpy(rec + 19, name, len);
  if (copyout(g->buf + g->written, rec, reclen)) {
    g->err = -EFAULT;
    return false;
  }
  g->written += reclen;
  g->left -= reclen;
  return true;
}

long sys_getdents64(int fd, uaddr_t buf, size_t count)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!f->inode || !S_ISDIR(f->inode->mode)) {
    r = -ENOTDIR;
  } else if (!f->fop || !f->fop->iterate) {
    r = -ENOTDIR;
  } else if (dir_is_dead(f->inode)) {
    r = -ENOENT;
  } else {
    mutex_lock(&f->pos_lock);
    struct getdents_ctx g = { { filldir64, f->pos }, buf, count, 0, 0 };
    r = f->fop->iterate(f, &g.ctx);
    f->pos = g.ctx.pos;
    mutex_unlock(&f->pos_lock);
    if (r == 0)
      r = g.err && !g.written ? g.err : (long)g.written;
    if (r >= 0)
      inotify_file_event(f, IN_ACCESS);
  }
  fput(f);
  return r;
}

long sys_getcwd(uaddr_t buf, size_t size)
{
  char *k = kmalloc(PATH_MAX);
  if (!k)
    return -ENOMEM;
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path cwd = fs->cwd, root = fs->root;
  path_get(&cwd);
  path_get(&root);
  spin_unlock(&fs->lock);
  /* A removed cwd has no name: Linux says ENOENT. One outside the root
   * (chroot left it behind) is "(unreachable)/..." as on Linux, which is
   * no absolute path: the C library's getcwd and realpath then fail. */
  int n = dir_is_dead(cwd.dentry->inode) ? -ENOENT : path_to_string(&cwd, &root, k, PATH_MAX);
  static const char unreachable[] = "(unreachable)";
  if (n >= 0 && !path_is_under(&cwd, &root)) {
    size_t u = sizeof(unreachable) - 1;
    if ((size_t)n + u + 1 > PATH_MAX) {
      n = -ENAMETOOLONG;
    } else {
      memmove(k + u, k, (size_t)n + 1);
      memcpy(k, unreachable, u);
      n += (int)u;
    }
  }
  path_put(&cwd);
  path_put(&root);
  long r;
  if (n < 0)
    r = n;
  else if ((size_t)n + 1 > size)
    r = -ERANGE;
  else
    r = copyout(buf, k, n + 1) ? -EFAULT : n + 1;
  kfree(k);
  return r;
}

static long set_cwd_or_root(struct path *p, bool root)
{
  if (!S_ISDIR(p->dentry->inode->mode)) {
    path_put(p);
    return -ENOTDIR;
  }
  long r = inode_permission(p->dentry->inode, MAY_EXEC | MAY_CHDIR);
  if (!r && root && !capable(CAP_SYS_CHROOT))
    r = -EPERM;
  if (r) {
    path_put(p);
    return r;
  }
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path old = root ? fs->root : fs->cwd;
  if (root)
    fs->root = *p;
  else
    fs->cwd = *p;
  spin_unlock(&fs->lock);
  path_put(&old);
  return 0;
}

long sys_chdir(uaddr_t upath)
{
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  struct path p;
  long r = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
  kfree(path);
  if (r)
    return r;
  return set_cwd_or_root(&p, false);
}

long sys_fchdir(int fd)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  if (!f->path.dentry) {
    fput(f);
    return -ENOTDIR;
  }
  struct path p = f->path;
  path_get(&p);
  fput(f);
  return set_cwd_or_root(&p, false);
}

long sys_chroot(uaddr_t upath)
{
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  struct path p;
  long r = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
  kfree(path);
  if (r)
    return r;
  return set_cwd_or_root(&p, true);
}

/* ---- names ---- */

long sys_mkdirat(int dirfd, uaddr_t upath, mode_t mode)
{
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  long r = do_mkdirat(dirfd, path, mode);
  kfree(path);
  return r;
}

long sys_mknodat(int dirfd, uaddr_t upath, mode_t mode, dev_t dev)
{
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  long r = S_ISDIR(mode) ? -EPERM : do_mknodat(dirfd, path, mode, (dev_t)(uint32_t)dev);
  kfree(path);
  return r;
}

long sys_unlinkat(int dirfd, uaddr_t upath, int flags)
{
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  long r = do_unlinkat(dirfd, path, flags);
  kfree(path);
  return r;
}

long sys_symlinkat(uaddr_t utarget, int dirfd, uaddr_t upath)
{
  long err;
  char *target = get_path(utarget, &err);
  if (!target)
    return err;
  char *path = get_path(upath, &err);
  if (!path) {
    kfree(target);
    return err;
  }
  long r = do_symlinkat(target, dirfd, path);
  kfree(target);
  kfree(path);
  return r;
}

long sys_linkat(int olddirfd, uaddr_t uold, int newdirfd, uaddr_t unew, int flags)
{
  long err;
  char *old = get_path(uold, &err);
  if (!old)
    return err;
  char *new = get_path(unew, &err);
  if (!new) {
    kfree(old);
    return err;
  }
  long r = do_linkat(olddirfd, old, newdirfd, new, flags);
  kfree(old);
  kfree(new);
  return r;
}

long sys_renameat2(int olddirfd, uaddr_t uold, int newdirfd, uaddr_t unew, unsigned int flags)
{
  long err;
  char *old = get_path(uold, &err);
  if (!old)
    return err;
  char *new = get_path(unew, &err);
  if (!new) {
    kfree(old);
    return err;
  }
  long r = do_renameat2(olddirfd, old, newdirfd, new, flags);
  kfree(old);
  kfree(new);
  return r;
}

long sys_readlinkat(int dirfd, uaddr_t upath, uaddr_t buf, int size)
{
  if (size <= 0)
    return -EINVAL;
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  struct path p;
  bool empty = path[0] == 0;
  long r = path_lookup(dirfd, path, LOOKUP_EMPTY, &p);
  kfree(path);
  if (r)
    return r;
  struct inode *ino = p.dentry->inode;
  if (!S_ISLNK(ino->mode) || !ino->iop || !ino->iop->readlink) {
    path_put(&p);
    return empty ? -ENOENT : -EINVAL; /* "" names the directory itself: no such link */
  }
  char *k = kmalloc(PATH_MAX);
  if (!k) {
    path_put(&p);
    return -ENOMEM;
  }
  int n = ino->iop->readlink(ino, k, MIN((size_t)size, (size_t)PATH_MAX));
  path_put(&p);
  r = n < 0 ? n : copyout(buf, k, n) ? -EFAULT : n;
  kfree(k);
  return r;
}

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
  st->st_uid = ino->uid;
  st->st_gid = ino->gid;
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

/* Look up for the *at() calls that take AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH. */
static long lookup_at(int dirfd, uaddr_t upath, int flags, int allowed, struct path *p)
{
  if (flags & ~allowed)
    return -EINVAL;
  long err;
  char *path = get_path(upath, &err);
  if (!path)
    return err;
  unsigned lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
  if (flags & AT_EMPTY_PATH)
    lf |= LOOKUP_EMPTY;
  long r = path_lookup(dirfd, path, lf, p);
  kfree(path);
  return r;
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
  char *path = get_path(upath, &err);
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
  uint64_t spare[13];
};
STATIC_ASSERT(sizeof(struct kstatx) == 256);

#define STATX_BASIC_STATS 0x7ffU
#define STATX_ATTR_MOUNT_ROOT 0x2000

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
    if (c->fsuid != c->uid || c->fsgid != c->gid || (c->uid != 0 && c->cap_effective) ||
        (c->uid == 0 && c->cap_effective != c->cap_permitted)) {
      struct cred *n = prepare_creds();
      if (!n)
        return -ENOMEM;
      n->fsuid = n->uid;
      n->fsgid = n->gid;
      if (!(n->securebits & SECBIT(SECURE_NO_SETUID_FIXUP)))
        n->cap_effective = n->uid != 0 ? 0 : n->cap_permitted;
      old = override_creds(n);
      put_cred(n);
    }
  }
  struct path p;
  long r = lookup_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS, &p);
  if (r == 0) {
    struct inode *ino = p.dentry->inode;
    r = inode_permission(ino, (mode & 7) | MAY_ACCESS);
    /* Writing to a device or fifo does not write its file system. */
    if (r == -EROFS && !S_ISREG(ino->mode) && !S_ISDIR(ino->mode) && !S_ISLNK(ino->mode))
      r = generic_permission(ino, (mode & 7) | MAY_ACCESS);
    if (r == 0 && (mode & W_OK) && (p.mnt->sb->flags & MS_RDONLY) &&
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
  if (p->mnt->sb->flags & MS_RDONLY)
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
  long r = lookup_at(dirfd, upath, 0, 0, &p);
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
  if (p->mnt->sb->flags & MS_RDONLY)
    return -EROFS;
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
  long r = lookup_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);
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
  } else if ((r = lookup_at(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p))) {
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
  if (p.mnt->sb->flags & MS_RDONLY) {
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

/* ---- sizes and syncing ---- */

long sys_truncate(uaddr_t upath, off_t length)
{
  if (length < 0)
    return -EINVAL;
  struct path p;
  long r = lookup_at(AT_FDCWD, upath, 0, 0, &p);
  if (r)
    return r;
  struct inode *ino = p.dentry->inode;
  if (S_ISDIR(ino->mode)) {
    r = -EISDIR;
  } else if (!S_ISREG(ino->mode)) {
    r = -EINVAL;
  } else if (p.mnt->sb->flags & MS_RDONLY) {
    r = -EROFS;
  } else if ((r = inode_permission(ino, MAY_WRITE))) {
  } else if (IS_APPEND(ino)) {
    r = -EPERM;
  } else if (READ_ONCE(ino->deny_writers) > 0) {
    r = -ETXTBSY; /* a running program's file */
  } else if (!(r = break_lease(ino, O_WRONLY, NULL))) {
    mutex_lock(&ino->lock);
    file_remove_privs(ino);
    r = vfs_truncate(ino, length);
    mutex_unlock(&ino->lock);
    if (r == 0)
      inotify_dentry_event(p.dentry, IN_MODIFY);
  }
  path_put(&p);
  return r;
}

long sys_ftruncate(int fd, off_t length)
{
  if (length < 0)
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!f->inode || !S_ISREG(f->inode->mode) || !file_writable(f)) {
    r = -EINVAL; /* Linux: a directory, pipe or read-only descriptor alike */
  } else if (IS_APPEND(f->inode)) {
    r = -EPERM;
  } else {
    mutex_lock(&f->inode->lock);
    file_remove_privs(f->inode);
    r = vfs_truncate(f->inode, length);
    mutex_unlock(&f->inode->lock);
    if (r == 0)
      inotify_file_event(f, IN_MODIFY);
  }
  fput(f);
  return r;
}

long sys_fallocate(int fd, int mode, off_t offset, off_t len)
{
  if (offset < 0 || len <= 0)
    return -EINVAL;
  if (len > INT64_MAX - offset)
    return -EFBIG;
  if ((mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) ||
      ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)))
    return -EOPNOTSUPP;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  if (!file_writable(f))
    r = -EBADF;
  else if (f->inode && S_ISFIFO(f->inode->mode))
    r = -ESPIPE;
  else if (S_ISDIR(f->inode->mode))
    r = -EISDIR;
  else if (!f->inode || !S_ISREG(f->inode->mode))
    r = -ENODEV;
  else if (f->path.mnt && (f->path.mnt->sb->flags & MS_RDONLY))
    r = -EROFS;
  else {
    mutex_lock(&f->inode->lock);
    r = vfs_fallocate(f->inode, mode, offset, len);
    mutex_unlock(&f->inode->lock);
    if (r == 0)
      inotify_file_event(f, IN_MODIFY);
  }
  fput(f);
  return r;
}

static long fsync_fd(int fd, bool datasync)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = 0;
  if (f->fop && f->fop->fsync)
    r = f->fop->fsync(f, datasync);
  else if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISDIR(f->inode->mode) &&
                         !S_ISBLK(f->inode->mode)))
    r = -EINVAL;
  fput(f);
  return r;
}

long sys_fsync(int fd) { return fsync_fd(fd, false); }
long sys_fdatasync(int fd) { return fsync_fd(fd, true); }

long sys_sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags)
{
  if (offset < 0 || nbytes < 0 || (flags & ~7u))
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  mode_t m = f->inode ? f->inode->mode : 0;
  fput(f);
  if (!S_ISREG(m) && !S_ISBLK(m) && !S_ISDIR(m) && !S_ISLNK(m))
    return -ESPIPE;
  return fsync_fd(fd, true);
}

long sys_sync(void)
{
  sync_all();
  return 0;
}

long sys_syncfs(int fd)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = f->inode ? sync_fs(f->inode->sb) : 0;
  fput(f);
  return r;
}

/*
 * readahead: read [offset, offset + count) of a regular file (or block
 * device) into the page cache now, so later reads find it there. Pages
 * past the end of the file are not read; a file system kept in memory
 * has them all already.
 */
#define READAHEAD_MAX (2UL << 20)  /* bytes one call brings in at most */
long sys_readahead(int fd, off_t offset, size_t count)
{
  struct file *f = fd_get(fd);
  if (!f || !file_readable(f)) {
    if (f)
      fput(f);
    return -EBADF;
  }
  struct inode *ino = f->inode;
  long r = 0;
  if (!ino || (!S_ISREG(ino->mode) && !S_ISBLK(ino->mode)) || (off_t)count < 0) {
    r = -EINVAL;
  } else if (offset >= 0 && ino->iop && ino->iop->readpage) {
    uint64_t first = (uint64_t)offset / PAGE_SIZE;
    uint64_t end = MIN((uint64_t)ino->size, (uint64_t)offset + MIN(count, READAHEAD_MAX));
    for (uint64_t i = first; i * PAGE_SIZE < end; i++) {
      struct page *p = page_cache_get(ino, i, false);
      if (IS_ERR(p))
        break; /* advice: a page that cannot be read is not an error */
      put_page(p);
    }
  }
  fput(f);
  return r;
}

long sys_fadvise64(int fd, off_t offset, off_t len, int advice)
{
  (void)offset;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r = 0;
  if (f->inode && S_ISFIFO(f->inode->mode))
    r = -ESPIPE;
  else if (advice < 0 || advice > 5 || len < 0)
    r = -EINVAL;
  fput(f);
  return r; /* advice only: the page cache decides */
}

/* ---- file systems ---- */

long sys_statfs(uaddr_t upath, uaddr_t buf)
{
  struct path p;
  long r = lookup_at(AT_FDCWD, upath, 0, 0, &p);
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
  long r = f->path.dentry ? vfs_statfs(&f->path, &st) : -EBADF;
  if (!f->path.dentry && f->inode) {
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
  if (usource && !(source = get_path(usource, &err)))
    return err;
  if (!(target = get_path(utarget, &err))) {
    r = err;
    goto out;
  }
  if (ufstype && !(fstype = get_path(ufstype, &err))) {
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
  r = capable(CAP_SYS_ADMIN) ? do_mount(source, &p, fstype, (uint32_t)flags, data) : -EPERM;
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
  char *target = get_path(utarget, &err);
  if (!target)
    return err;
  struct path p;
  long r = path_lookup(AT_FDCWD, target, (flags & 8) ? 0 : LOOKUP_FOLLOW, &p);
  kfree(target);
  if (r)
    return r;
  r = capable(CAP_SYS_ADMIN) ? do_umount(&p, flags) : -EPERM;
  path_put(&p);
  return r;
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
