/*
 * sys_rw.c — the system calls that move file data: read, write and their
 * vector and positioned forms (readv, pread64, preadv2 ...), lseek,
 * sendfile and copy_file_range.
 *
 * Layer: system calls (fetch and check the arguments, copy in and out).
 * Below: fs/file.c (vfs_read, vfs_write: the access-mode and range checks,
 * then the file's operations), kern/uio.c (user buffers and iovecs).
 * Neighbours: fs/sys_open.c (descriptors), fs/sys_sync.c (sizes, syncing).
 *
 * Locks: f->pos_lock serialises the position of a regular file, directory
 * or block device (do_rw, lseek); positioned I/O takes none.
 * Each call holds a reference to its file (fd_get ... fput) throughout.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "kern/task.h"
#include "kern/uio.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include <string.h>

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
 * (docs/vfs.md, benchmarks). Inline: a call and a return are two lookups
 * in QEMU's jump cache on every read and write (docs/performance.md).
 */
static ALWAYS_INLINE bool file_atomic_pos(struct file *f)
{
  if (!file_has_pos(f))
    return false;
  if (!f->inode)
    return true;
  mode_t m = f->inode->mode;
  return S_ISREG(m) || S_ISDIR(m) || S_ISBLK(m);
}

/* vfs_read or vfs_write (fs/file.h), as write says. */
static inline ssize_t vfs_rw(struct file *f, struct uio *u, off_t *pos, bool write)
{
  return write ? vfs_write(f, u, pos) : vfs_read(f, u, pos);
}

/* Read or write at the file's position, moving it under pos_lock where
 * file_atomic_pos says so. Inline, as rw_buf: read and write then make one
 * call, to vfs_read or vfs_write, before the file's own operation. */
static ALWAYS_INLINE ssize_t do_rw(struct file *f, struct uio *u, bool write)
{
  if (!file_atomic_pos(f))
    return vfs_rw(f, u, &f->pos, write);
  mutex_lock(&f->pos_lock);
  off_t pos = f->pos;
  ssize_t n = vfs_rw(f, u, &pos, write);
  if (n > 0)
    f->pos = pos;
  mutex_unlock(&f->pos_lock);
  return n;
}

/* A uio over one user buffer; a bad range makes the transfer EFAULT. */
static void user_buf_uio(struct uio *u, uaddr_t buf, size_t count)
{
  uio_init_user(u, buf, count);
  u->bad |= !access_ok(buf, count);
}

/* read and write: the descriptor taken for the call only (fd_get_light). */
static ALWAYS_INLINE long rw_buf(int fd, uaddr_t buf, size_t count, bool write)
{
  struct fd_light f = fd_get_light(fd); /* fs/fdtable.h */
  if (!f.file)
    return -EBADF;
  struct uio u;
  user_buf_uio(&u, buf, count);
  long r = do_rw(f.file, &u, write);
  fd_put_light(f);
  return r;
}

long sys_read(int fd, uaddr_t buf, size_t count)
{
  return rw_buf(fd, buf, count, false);
}

long sys_write(int fd, uaddr_t buf, size_t count)
{
  return rw_buf(fd, buf, count, true);
}

/* readv and friends: at most UIO_MAXIOV entries, else EINVAL. */
static long import_iovec(uaddr_t uiov, int iovcnt, struct uio *u, struct kiovec **iov_out)
{
  if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
    return -EINVAL;
  return uio_import_user_iovec(uiov, (size_t)iovcnt, u, iov_out);
}

/* readv and writev: an empty vector still checks the access mode (EBADF). */
static long rw_vec(int fd, uaddr_t uiov, int iovcnt, bool write)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  struct uio u;
  struct kiovec *iov;
  long r = import_iovec(uiov, iovcnt, &u, &iov);
  if (!r) {
    if (u.resid)
      r = do_rw(f, &u, write);
    else
      r = (write ? file_writable(f) : file_readable(f)) ? 0 : -EBADF;
    kfree(iov);
  }
  fput(f);
  return r;
}

long sys_readv(int fd, uaddr_t uiov, int iovcnt)
{
  return rw_vec(fd, uiov, iovcnt, false);
}

long sys_writev(int fd, uaddr_t uiov, int iovcnt)
{
  return rw_vec(fd, uiov, iovcnt, true);
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
  else
    r = vfs_rw(f, u, &offset, write);
  fput(f);
  return r;
}

long sys_pread64(int fd, uaddr_t buf, size_t count, off_t offset)
{
  struct uio u;
  user_buf_uio(&u, buf, count);
  return positioned(fd, &u, offset, false);
}

long sys_pwrite64(int fd, uaddr_t buf, size_t count, off_t offset)
{
  struct uio u;
  user_buf_uio(&u, buf, count);
  return positioned(fd, &u, offset, true);
}

/* preadv and pwritev: the vector is imported before the descriptor is looked at. */
static long positioned_vec(int fd, uaddr_t uiov, int iovcnt, off_t offset, bool write)
{
  struct uio u;
  struct kiovec *iov;
  long r = import_iovec(uiov, iovcnt, &u, &iov);
  if (r)
    return r;
  r = positioned(fd, &u, offset, write);
  kfree(iov);
  return r;
}

long sys_preadv(int fd, uaddr_t uiov, int iovcnt, off_t offset)
{
  return positioned_vec(fd, uiov, iovcnt, offset, false);
}

long sys_pwritev(int fd, uaddr_t uiov, int iovcnt, off_t offset)
{
  return positioned_vec(fd, uiov, iovcnt, offset, true);
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
    r = do_rw(f, &u, write);
  } else {
    r = vfs_rw(f, &u, &offset, write);
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
