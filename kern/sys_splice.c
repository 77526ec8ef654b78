/*
 * sys_splice.c — splice, tee and vmsplice: moving data to and from pipes
 * without a user-space buffer in between. System-call layer: arguments,
 * descriptors, offsets and flags are checked here in Linux's order; the
 * data moves in kern/pipe.c (pipe_splice_*, pipe_vmsplice_*), with the
 * pipe's lock held across the transfer.
 *
 * Kite copies through the pipe's ring (no pages are gifted or shared), so
 * SPLICE_F_MOVE and SPLICE_F_GIFT are accepted and change nothing, as on
 * Linux today; SPLICE_F_NONBLOCK (or O_NONBLOCK on a pipe end involved)
 * makes the pipe side EAGAIN instead of waiting.
 */
#include "kern/pipe.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/fdtable.h"

#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

/* Does f keep a file position one may give an offset for (Linux's
 * FMODE_PREAD/FMODE_PWRITE)? Regular files, block devices, directories. */
static bool seekable(struct file *f)
{
  return f->fop && f->fop->llseek && !file_pipe(f);
}

/*
 * One file side of a splice: at *off (the caller's offset) or at the
 * file's position, which is then updated under its lock.
 */
static ssize_t to_pipe(struct file *in, off_t *off, struct file *pf, size_t len, bool nb)
{
  if (off)
    return pipe_splice_in(in, off, pf, len, nb);
  if (!seekable(in))
    return pipe_splice_in(in, &in->pos, pf, len, nb);
  mutex_lock(&in->pos_lock);
  off_t pos = in->pos;
  ssize_t r = pipe_splice_in(in, &pos, pf, len, nb);
  if (r > 0)
    in->pos = pos;
  mutex_unlock(&in->pos_lock);
  return r;
}

static ssize_t from_pipe(struct file *pf, struct file *out, off_t *off, size_t len, bool nb)
{
  if (off)
    return pipe_splice_out(pf, out, off, len, nb);
  if (!seekable(out))
    return pipe_splice_out(pf, out, &out->pos, len, nb);
  mutex_lock(&out->pos_lock);
  off_t pos = out->pos;
  ssize_t r = pipe_splice_out(pf, out, &pos, len, nb);
  if (r > 0)
    out->pos = pos;
  mutex_unlock(&out->pos_lock);
  return r;
}

/*
 * Can f be the file side of a splice (Linux's splice_read/splice_write)?
 * Not an anonymous-inode file (epoll, eventfd, signalfd, timerfd, inotify,
 * pidfd: no file type), nor a directory to read from. Checked before the
 * pipe side waits, so such a splice is EINVAL at once, not a sleep.
 */
static bool splice_capable(struct file *f, bool reading)
{
  mode_t type = f->inode ? f->inode->mode & S_IFMT : S_IFSOCK;
  return type != 0 && !(reading && S_ISDIR(type));
}

/* Linux's do_splice, with offsets already copied in (NULL: none). */
static ssize_t do_splice(struct file *in, off_t *off_in, struct file *out, off_t *off_out, size_t len,
                         unsigned flags)
{
  if (!file_readable(in) || !file_writable(out))
    return -EBADF;
  bool ipipe = file_pipe(in), opipe = file_pipe(out);
  bool nb = flags & SPLICE_F_NONBLOCK;
  if (ipipe && opipe) {
    if (file_pipe(in) == file_pipe(out))
      return -EINVAL;
    nb |= ((in->flags | out->flags) & O_NONBLOCK) != 0;
    return pipe_splice_pipe(in, out, len, nb, false);
  }
  if (ipipe) {
    if (off_out && !seekable(out))
      return -EINVAL;
    if (out->flags & O_APPEND)
      return -EINVAL;
    if (off_out && *off_out < 0)
      return -EINVAL;
    if (!splice_capable(out, false))
      return -EINVAL;
    nb |= (in->flags & O_NONBLOCK) != 0;
    return from_pipe(in, out, off_out, len, nb);
  }
  if (opipe) {
    if (off_in && !seekable(in))
      return -EINVAL;
    if (off_in && *off_in < 0)
      return -EINVAL;
    if (!splice_capable(in, true))
      return -EINVAL;
    nb |= (out->flags & O_NONBLOCK) != 0;
    return to_pipe(in, off_in, out, len, nb);
  }
  return -EINVAL; /* neither end is a pipe */
}

long sys_splice(int fd_in, uaddr_t uoff_in, int fd_out, uaddr_t uoff_out, size_t len, unsigned int flags)
{
  if (!len)
    return 0;
  if (flags & ~SPLICE_F_ALL)
    return -EINVAL;
  struct file *in = fd_get(fd_in);
  if (!in)
    return -EBADF;
  struct file *out = fd_get(fd_out);
  if (!out) {
    fput(in);
    return -EBADF;
  }
  long r;
  off_t oin = 0, oout = 0;
  if ((file_pipe(in) && uoff_in) || (file_pipe(out) && uoff_out))
    r = -ESPIPE;
  else if ((uoff_out && copyin(&oout, uoff_out, sizeof(oout))) ||
           (uoff_in && copyin(&oin, uoff_in, sizeof(oin))))
    r = -EFAULT;
  else {
    r = do_splice(in, uoff_in ? &oin : NULL, out, uoff_out ? &oout : NULL, MIN(len, MAX_RW_COUNT), flags);
    if (r >= 0 && ((uoff_out && copyout(uoff_out, &oout, sizeof(oout))) ||
                   (uoff_in && copyout(uoff_in, &oin, sizeof(oin)))))
      r = -EFAULT;
  }
  fput(out);
  fput(in);
  return r;
}

long sys_tee(int fd_in, int fd_out, size_t len, unsigned int flags)
{
  if (flags & ~SPLICE_F_ALL)
    return -EINVAL;
  if (!len)
    return 0;
  struct file *in = fd_get(fd_in);
  if (!in)
    return -EBADF;
  struct file *out = fd_get(fd_out);
  if (!out) {
    fput(in);
    return -EBADF;
  }
  long r;
  if (!file_readable(in) || !file_writable(out))
    r = -EBADF;
  else if (!file_pipe(in) || !file_pipe(out) || file_pipe(in) == file_pipe(out))
    r = -EINVAL;
  else
    r = pipe_splice_pipe(in, out, MIN(len, MAX_RW_COUNT), (flags & SPLICE_F_NONBLOCK) ||
                         ((in->flags | out->flags) & O_NONBLOCK), true);
  fput(out);
  fput(in);
  return r;
}

/* vmsplice: a write end takes user memory; a read end gives its data to it. */
long sys_vmsplice(int fd, uaddr_t uiov, unsigned long nr_segs, unsigned int flags)
{
  if (flags & ~SPLICE_F_ALL)
    return -EINVAL;
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  long r;
  bool to_pipe = file_writable(f);
  if (!to_pipe && !file_readable(f)) {
    fput(f);
    return -EBADF;
  }
  if (nr_segs > UIO_MAXIOV) {
    fput(f);
    return -EINVAL;
  }
  struct uio u;
  struct kiovec *iov;
  r = uio_import_user_iovec(uiov, nr_segs, &u, &iov);
  if (r) {
    fput(f);
    return r;
  }
  bool nb = flags & SPLICE_F_NONBLOCK;
  if (!u.resid)
    r = 0;
  else if (!file_pipe(f))
    r = -EBADF;
  else
    r = to_pipe ? pipe_vmsplice_to(f, &u, nb) : pipe_vmsplice_from(f, &u, nb);
  kfree(iov);
  fput(f);
  return r;
}
