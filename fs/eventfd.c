/*
 * eventfd.c — eventfd(2): a 64-bit counter as a file (Linux's fs/eventfd.c).
 *
 * write(2) adds to the counter (waiting while it would pass
 * 0xfffffffffffffffe); read(2) waits for it to be non-zero and takes all
 * of it, or 1 with EFD_SEMAPHORE. It polls readable while non-zero and
 * writable while below the maximum, so epoll and poll can wait on it.
 *
 * Layer: fs, a file kind (as pipes, epoll, timerfd and signalfd); the file
 * is an anon_file (fs/anon_inodes.c), the descriptor from fs/file.c.
 *
 * Locks: e->lock (spinlock) guards the counter's changes; readers of the
 * count for wait conditions and poll read it without the lock. e->wq's
 * lock ranks below it.
 */
#include "fs/anon_inodes.h"
#include "kern/poll.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/uio.h"
#include "kern/mm.h"
#include "fs/fs_abi.h"
#include "fs/file.h"
#include "fs/fdtable.h"

#define EFD_SEMAPHORE 1
#define EFD_MAX 0xfffffffffffffffeULL

struct eventfd {
  struct spinlock lock;
  uint64_t count;
  bool semaphore;
  struct wait_queue wq;
};

static uint64_t efd_count(struct eventfd *e)
{
  return READ_ONCE(e->count);
}

static ssize_t efd_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct eventfd *e = f->priv;
  if (u->resid < 8)
    return -EINVAL;
  long w = wait_event(&e->wq, efd_count(e) > 0, (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER);
  if (w)
    return w;
  spin_lock(&e->lock);
  uint64_t v = e->semaphore ? 1 : e->count;
  e->count -= v;
  spin_unlock(&e->lock);
  wake_up_events(&e->wq, POLLOUT);
  return uio_copy_to(u, &v, 8);
}

static ssize_t efd_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct eventfd *e = f->priv;
  uint64_t v;
  if (u->resid < 8)
    return -EINVAL;
  if (uio_copy_from(u, &v, 8) != 8)
    return -EFAULT;
  if (v == UINT64_MAX)
    return -EINVAL;
  long w = wait_event(&e->wq, efd_count(e) <= EFD_MAX - v, (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER);
  if (w)
    return w;
  spin_lock(&e->lock);
  e->count += v;
  spin_unlock(&e->lock);
  wake_up_events(&e->wq, POLLIN);
  return 8;
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
  struct eventfd *e = f->priv;
  poll_wait(f, &e->wq, pt);
  uint64_t c = efd_count(e);
  unsigned mask = 0;
  if (c > 0)
    mask |= POLLIN | POLLRDNORM;
  if (c < EFD_MAX)
    mask |= POLLOUT | POLLWRNORM;
  return mask;
}

static void efd_release(struct file *f)
{
  kfree(f->priv);
}

static const struct file_ops eventfd_fops = {
  .read = efd_read,
  .write = efd_write,
  .poll = efd_poll,
  .release = efd_release,
};

long sys_eventfd2(unsigned int initval, int flags)
{
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
    return -EINVAL;
  struct eventfd *e = kzalloc(sizeof(*e));
  if (!e)
    return -ENOMEM;
  spin_init(&e->lock, "eventfd");
  wait_queue_init(&e->wq);
  e->count = initval;
  e->semaphore = flags & EFD_SEMAPHORE;
  struct file *f = anon_file(&eventfd_fops, e, flags);
  if (!f) {
    kfree(e);
    return -ENOMEM;
  }
  long r = fd_install(f, 0, flags & O_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
}
