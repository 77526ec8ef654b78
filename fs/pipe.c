/*
 * pipe.c — pipes and FIFOs.
 *
 * A pipe is a ring buffer (PIPE_CAPACITY bytes; F_SETPIPE_SZ resizes it) with a count of readers
 * and writers. Writes of at most PIPE_BUF bytes are atomic: they wait
 * until the whole write fits. Reading an empty pipe with no writers
 * returns 0 (EOF); writing with no readers raises SIGPIPE and fails with
 * EPIPE. The same object serves named pipes (FIFOs) in a file system.
 *
 * The pipe hangs off its inode (inode->priv) and lives as long as the
 * inode: an anonymous pipe's inode on the pipefs pseudo superblock, a
 * FIFO's in its file system. Every open file holds the inode, so the
 * pipe is freed at the inode's eviction, never under a file still using
 * it. That also lets an anonymous pipe be opened again by name through
 * /proc/<pid>/fd/N (fifo_open on its inode), as Linux allows.
 *
 * Layer: fs, a file kind (kern/pipe.h). Above: pipe2 and the FIFO opens
 * of the file systems (fifo_fops), splice and tee (kern/sys_splice.c).
 * Below: the pipefs pseudo superblock's inodes (fs/vfs.c), wait queues,
 * kern/signal.c (SIGPIPE).
 *
 * Locks: p->lock (a sleeping mutex) guards one pipe's buffer and counts
 * (two pipes, for splice between them, in address order); fifo_lock (a
 * spinlock) guards making a FIFO inode's pipe.
 */
#include "kern/pipe.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/param.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/ramfs.h"
#include "drivers/tty_ioctl.h"
#include <string.h>

#define PIPE_ORDER 4 /* 16 pages = PIPE_CAPACITY */
STATIC_ASSERT(PIPE_CAPACITY == (PAGE_SIZE << PIPE_ORDER));

struct pipe {
  struct mutex lock;        /* protects the buffer and counts */
  char *buf;
  size_t cap;               /* bytes: PAGE_SIZE << order (F_SETPIPE_SZ changes it) */
  unsigned order;
  uint64_t head, tail;      /* bytes written / read so far */
  int readers, writers;
  struct wait_queue wq;     /* readers and writers both wait here */
};

static size_t pipe_count(struct pipe *p)
{
  return READ_ONCE(p->head) - READ_ONCE(p->tail);
}

int pipe_max_size = 1048576;          /* /proc/sys/fs/pipe-max-size */

/* A new pipe holds PIPE_CAPACITY bytes, or — for a caller without
 * CAP_SYS_RESOURCE, when root lowered pipe-max-size below that — the
 * largest power-of-two number of pages within pipe-max-size (Linux's
 * alloc_pipe_info; at least one page). */
static struct pipe *pipe_alloc(void)
{
  struct pipe *p = kzalloc(sizeof(*p));
  if (!p)
    return NULL;
  unsigned order = PIPE_ORDER;
  size_t max = (size_t)READ_ONCE(pipe_max_size);
  if ((PAGE_SIZE << order) > max && !capable(CAP_SYS_RESOURCE))
    while (order > 0 && (PAGE_SIZE << order) > max)
      order--;
  p->buf = kalloc_pages(order);
  if (!p->buf) {
    kfree(p);
    return NULL;
  }
  p->order = order;
  p->cap = PAGE_SIZE << order;
  page_set_use(kva_to_page(p->buf), PU_PIPE);
  mutex_init(&p->lock, "pipe");
  wait_queue_init(&p->wq);
  return p;
}

static void pipe_free(struct pipe *p)
{
  kfree_pages(p->buf, p->order);
  kfree(p);
}

static ssize_t pipe_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct pipe *p = f->priv;
  uint64_t timeout = (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER;
  for (;;) {
    long w = wait_event(&p->wq, pipe_count(p) > 0 || READ_ONCE(p->writers) == 0, timeout);
    if (w)
      return w;
    mutex_lock(&p->lock);
    size_t count = p->head - p->tail;
    if (count == 0) {
      mutex_unlock(&p->lock);
      if (p->writers == 0)
        return 0;
      continue; /* another reader took it */
    }
    size_t n = MIN(count, u->resid);
    ssize_t done = 0;
    while ((size_t)done < n) {
      size_t off = p->tail % p->cap;
      size_t chunk = MIN(n - done, p->cap - off);
      /* A chunk the reader's buffer cannot take whole stays in the pipe,
       * as on Linux: EFAULT if it was the first, else what came before. */
      long c = uio_copy_to(u, p->buf + off, chunk);
      if (c < (long)chunk) {
        if (!done)
          done = -EFAULT;
        break;
      }
      p->tail += c;
      done += c;
    }
    mutex_unlock(&p->lock);
    wake_up_events(&p->wq, POLLOUT);
    return done;
  }
}

static ssize_t pipe_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct pipe *p = f->priv;
  size_t total = u->resid;
  ssize_t done = 0;
  bool nonblock = f->flags & O_NONBLOCK;
  while (u->resid > 0) {
    /* Small writes wait for room for all of it; big ones for any room. */
    size_t need = total <= PIPE_BUF ? u->resid : 1;
    long w = wait_event(&p->wq,
                        p->cap - pipe_count(p) >= need || READ_ONCE(p->readers) == 0,
                        nonblock ? 0 : WAIT_FOREVER);
    if (w)
      return done ? done : w;
    mutex_lock(&p->lock);
    if (p->readers == 0) {
      mutex_unlock(&p->lock);
      if (!done)
        send_signal_task(current, SIGPIPE, NULL);
      return done ? done : -EPIPE;
    }
    size_t space = p->cap - (p->head - p->tail);
    if (space < need) {
      mutex_unlock(&p->lock);
      continue;
    }
    size_t n = MIN(space, u->resid);
    while (n > 0) {
      size_t off = p->head % p->cap;
      size_t chunk = MIN(n, p->cap - off);
      /* A chunk that cannot be read whole from the writer's buffer is
       * not written (Linux: EFAULT unless something went in before). */
      long c = uio_copy_from(u, p->buf + off, chunk);
      if (c < (long)chunk) {
        mutex_unlock(&p->lock);
        wake_up_events(&p->wq, POLLIN);
        return done ? done : -EFAULT;
      }
      p->head += c;
      done += c;
      n -= c;
    }
    mutex_unlock(&p->lock);
    wake_up_events(&p->wq, POLLIN);
  }
  return done;
}

/* ---- F_GETPIPE_SZ / F_SETPIPE_SZ ---- */

#define PIPE_MAX_ORDER 10             /* 4 MiB: the most one buffer can be here */

long pipe_get_size(struct file *f)
{
  if (!f->inode || !S_ISFIFO(f->inode->mode) || !f->priv)
    return -EBADF;
  struct pipe *p = f->priv;
  return (long)p->cap;
}

/* Linux's pipe_set_size: a power of two of pages, at least one; above
 * pipe-max-size only with CAP_SYS_RESOURCE; EBUSY if the data would not fit. */
long pipe_set_size(struct file *f, uint64_t arg)
{
  if (!f->inode || !S_ISFIFO(f->inode->mode) || !f->priv)
    return -EBADF;
  struct pipe *p = f->priv;
  if (arg > (1ULL << 31))
    return -EINVAL;
  unsigned order = 0;
  while ((PAGE_SIZE << order) < arg)
    order++;
  size_t cap = PAGE_SIZE << order;
  if (cap > p->cap && cap > (size_t)pipe_max_size && !capable(CAP_SYS_RESOURCE))
    return -EPERM;
  if (order > PIPE_MAX_ORDER)
    return -ENOMEM;
  char *nb = kalloc_pages(order);
  if (!nb)
    return -ENOMEM;
  page_set_use(kva_to_page(nb), PU_PIPE);
  mutex_lock(&p->lock);
  size_t count = p->head - p->tail;
  if (count > cap) {
    mutex_unlock(&p->lock);
    kfree_pages(nb, order);
    return -EBUSY;
  }
  for (size_t i = 0; i < count; i++)
    nb[(p->tail + i) % cap] = p->buf[(p->tail + i) % p->cap];
  char *old = p->buf;
  unsigned old_order = p->order;
  p->buf = nb;
  p->cap = cap;
  p->order = order;
  mutex_unlock(&p->lock);
  kfree_pages(old, old_order);
  wake_up_events(&p->wq, POLLOUT);
  return (long)cap;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
  struct pipe *p = f->priv;
  poll_wait(f, &p->wq, pt);
  unsigned mask = 0;
  size_t count = pipe_count(p);
  if (file_readable(f)) {
    if (count > 0)
      mask |= POLLIN | POLLRDNORM;
    if (p->writers == 0)
      mask |= POLLHUP;
  }
  if (file_writable(f)) {
    if (p->cap - count >= PIPE_BUF)
      mask |= POLLOUT | POLLWRNORM;
    if (p->readers == 0)
      mask |= POLLERR;
  }
  return mask;
}

static void pipe_release(struct file *f)
{
  struct pipe *p = f->priv;
  if (!p)
    return;
  mutex_lock(&p->lock);
  if (file_readable(f))
    p->readers--;
  if (file_writable(f))
    p->writers--;
  if (p->readers == 0 && p->writers == 0)
    p->head = p->tail = 0; /* the last close discards what was left (Linux frees it) */
  mutex_unlock(&p->lock);
  wake_up_events(&p->wq, POLLIN | POLLOUT | POLLHUP | POLLERR);
}

static int pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct pipe *p = f->priv;
  if (cmd == FIONREAD) {
    uint32_t n = (uint32_t)pipe_count(p);
    return copyout(arg, &n, 4);
  }
  return -ENOTTY;
}

static const struct file_ops pipe_fops = {
  .read = pipe_read,
  .write = pipe_write,
  .poll = pipe_poll,
  .ioctl = pipe_ioctl,
  .release = pipe_release,
};

/* The pseudo file system pipes' inodes belong to (fstat shows S_IFIFO). */
static struct super_block pipefs_sb = { .magic = 0x50495045, .next_ino = 1 };

/* The last reference to a pipe's or FIFO's inode is gone: free the pipe. */
void fifo_inode_evict(struct inode *ino)
{
  if (ino->priv)
    pipe_free(ino->priv);
  ino->priv = NULL;
}

static const struct inode_ops pipe_inode_iops = {
  .evict = fifo_inode_evict,
};

int do_pipe2(int fds[2], int flags)
{
  if (flags & ~(O_NONBLOCK | O_CLOEXEC | O_DIRECT))
    return -EINVAL;
  struct pipe *p = pipe_alloc();
  if (!p)
    return -ENFILE;
  struct inode *ino = inode_alloc(&pipefs_sb, S_IFIFO | 0600);
  struct file *rf = file_alloc(), *wf = file_alloc();
  if (!ino || !rf || !wf) {
    kfree(rf);
    kfree(wf);
    if (ino)
      iput(ino);
    pipe_free(p);
    return -ENFILE;
  }
  ino->priv = p;
  ino->iop = &pipe_inode_iops;
  ino->fop = &fifo_fops; /* what opening it by name (a magic link) does */
  iget(ino); /* one reference per file */
  p->readers = p->writers = 1;
  rf->fop = wf->fop = &pipe_fops;
  rf->priv = wf->priv = p;
  rf->inode = wf->inode = ino;
  rf->flags = O_RDONLY | (flags & O_NONBLOCK);
  wf->flags = O_WRONLY | (flags & O_NONBLOCK);
  bool cloexec = flags & O_CLOEXEC;
  int r = fd_install(rf, 0, cloexec);
  if (r < 0) {
    fput(rf);
    fput(wf);
    return r;
  }
  fds[0] = r;
  r = fd_install(wf, 0, cloexec);
  if (r < 0) {
    fd_close(fds[0]);
    fput(wf);
    return r;
  }
  fds[1] = r;
  return 0;
}

/* ---- splice, tee, vmsplice (the system calls are in kern/sys_splice.c) ----
 *
 * Data moves between a pipe's ring and another file with the pipe's lock
 * held, as Linux holds its pipe_lock: the other file is read straight
 * into the ring (or written straight from it), so nothing taken from one
 * side can be lost if the other side takes less. Waiting for data or room
 * happens with the lock dropped, like pipe_read and pipe_write.
 */

struct pipe *file_pipe(struct file *f)
{
  return f && f->fop == &pipe_fops ? f->priv : NULL;
}

/* The ring's bytes [off, off + n) as at most two kernel segments. */
static int ring_segments(struct pipe *p, uint64_t off, size_t n, struct kiovec seg[2])
{
  size_t first = MIN(n, p->cap - off % p->cap);
  seg[0].base = (uint64_t)(uintptr_t)(p->buf + off % p->cap);
  seg[0].len = first;
  seg[1].base = (uint64_t)(uintptr_t)p->buf;
  seg[1].len = n - first;
  return n > first ? 2 : 1;
}

static void uio_segments(struct uio *u, struct kiovec *seg, int nseg, size_t n)
{
  u->iov = seg;
  u->iovcnt = nseg;
  u->resid = n;
  u->kernel = true;
  u->bad = false;
}

/* Wait (lock dropped) until p has data or no writer; returns locked, or an
 * error unlocked. */
static long lock_readable(struct pipe *p, bool nonblock)
{
  for (;;) {
    long w = wait_event(&p->wq, pipe_count(p) > 0 || READ_ONCE(p->writers) == 0, nonblock ? 0 : WAIT_FOREVER);
    if (w)
      return w;
    mutex_lock(&p->lock);
    if (p->head != p->tail || p->writers == 0)
      return 0;
    mutex_unlock(&p->lock);
  }
}

/* Wait until p has room or no reader (then SIGPIPE, -EPIPE); returns
 * locked, or an error unlocked. */
static long lock_writable(struct pipe *p, bool nonblock)
{
  for (;;) {
    long w = wait_event(&p->wq, pipe_count(p) < p->cap || READ_ONCE(p->readers) == 0,
                        nonblock ? 0 : WAIT_FOREVER);
    if (w)
      return w;
    mutex_lock(&p->lock);
    if (p->readers == 0) {
      mutex_unlock(&p->lock);
      send_signal_task(current, SIGPIPE, NULL);
      return -EPIPE;
    }
    if (p->head - p->tail < p->cap)
      return 0;
    mutex_unlock(&p->lock);
  }
}

ssize_t pipe_splice_out(struct file *pf, struct file *out, off_t *pos, size_t len, bool nonblock)
{
  struct pipe *p = pf->priv;
  long r = lock_readable(p, nonblock);
  if (r)
    return r;
  size_t n = MIN(len, (size_t)(p->head - p->tail));
  ssize_t done = 0;
  if (n) {
    struct kiovec seg[2];
    struct uio u;
    uio_segments(&u, seg, ring_segments(p, p->tail, n, seg), n);
    done = vfs_write(out, &u, pos);
    if (done > 0)
      p->tail += done;
  }
  mutex_unlock(&p->lock);
  if (done > 0)
    wake_up_events(&p->wq, POLLOUT);
  return done;
}

ssize_t pipe_splice_in(struct file *in, off_t *pos, struct file *pf, size_t len, bool nonblock)
{
  struct pipe *p = pf->priv;
  long r = lock_writable(p, nonblock);
  if (r)
    return r;
  size_t n = MIN(len, (size_t)(p->cap - (p->head - p->tail)));
  struct kiovec seg[2];
  struct uio u;
  uio_segments(&u, seg, ring_segments(p, p->head, n, seg), n);
  ssize_t done = vfs_read(in, &u, pos);
  if (done > 0)
    p->head += done;
  mutex_unlock(&p->lock);
  if (done > 0)
    wake_up_events(&p->wq, POLLIN);
  return done;
}

/* vmsplice: user memory (u) into the pipe, as much as there is room for. */
ssize_t pipe_vmsplice_to(struct file *pf, struct uio *u, bool nonblock)
{
  struct pipe *p = pf->priv;
  long r = lock_writable(p, nonblock);
  if (r)
    return r;
  size_t n = MIN(u->resid, (size_t)(p->cap - (p->head - p->tail)));
  ssize_t done = 0;
  while ((size_t)done < n) {
    size_t off = p->head % p->cap;
    long c = uio_copy_from(u, p->buf + off, MIN(n - done, p->cap - off));
    if (c <= 0) {
      if (!done)
        done = c ? c : -EFAULT;
      break;
    }
    p->head += c;
    done += c;
  }
  mutex_unlock(&p->lock);
  if (done > 0)
    wake_up_events(&p->wq, POLLIN);
  return done;
}

/* vmsplice on a read end: the pipe's data into user memory (u). */
ssize_t pipe_vmsplice_from(struct file *pf, struct uio *u, bool nonblock)
{
  struct pipe *p = pf->priv;
  long r = lock_readable(p, nonblock);
  if (r)
    return r;
  size_t n = MIN(u->resid, (size_t)(p->head - p->tail));
  ssize_t done = 0;
  while ((size_t)done < n) {
    size_t off = p->tail % p->cap;
    long c = uio_copy_to(u, p->buf + off, MIN(n - done, p->cap - off));
    if (c <= 0) {
      if (!done)
        done = c ? c : -EFAULT;
      break;
    }
    p->tail += c;
    done += c;
  }
  mutex_unlock(&p->lock);
  if (done > 0)
    wake_up_events(&p->wq, POLLOUT);
  return done;
}

/*
 * Pipe to pipe: move (or, for tee, copy) what the input holds into the
 * output's room, both locked in address order (Linux's pipe_double_lock).
 * 0 once the input is empty and has no writer.
 */
ssize_t pipe_splice_pipe(struct file *inf, struct file *outf, size_t len, bool nonblock, bool tee)
{
  struct pipe *a = inf->priv, *b = outf->priv;
  for (;;) {
    long w = wait_event(&a->wq, pipe_count(a) > 0 || READ_ONCE(a->writers) == 0, nonblock ? 0 : WAIT_FOREVER);
    if (w)
      return w;
    w = wait_event(&b->wq, pipe_count(b) < b->cap || READ_ONCE(b->readers) == 0,
                   nonblock ? 0 : WAIT_FOREVER);
    if (w)
      return w;
    struct pipe *first = a < b ? a : b, *second = a < b ? b : a;
    mutex_lock(&first->lock);
    mutex_lock(&second->lock);
    size_t have = a->head - a->tail, room = b->cap - (b->head - b->tail);
    ssize_t r = -1;
    if (b->readers == 0) {
      r = -EPIPE;
    } else if (have == 0 && a->writers == 0) {
      r = 0;
    } else if (have && room) {
      size_t n = MIN(len, MIN(have, room));
      for (size_t i = 0; i < n;) {
        size_t from = (a->tail + i) % a->cap, to = (b->head + i) % b->cap;
        size_t chunk = MIN(n - i, MIN(a->cap - from, b->cap - to));
        memcpy(b->buf + to, a->buf + from, chunk);
        i += chunk;
      }
      b->head += n;
      if (!tee)
        a->tail += n;
      r = (ssize_t)n;
    }
    mutex_unlock(&second->lock);
    mutex_unlock(&first->lock);
    if (r == -EPIPE)
      send_signal_task(current, SIGPIPE, NULL);
    if (r > 0) {
      wake_up_events(&b->wq, POLLIN);
      if (!tee)
        wake_up_events(&a->wq, POLLOUT);
    }
    if (r >= 0 || r == -EPIPE)
      return r;
  }
}

/* ---- FIFOs: a pipe hanging off a file-system inode ---- */

static struct spinlock fifo_lock = SPINLOCK_INIT("fifo");

static int fifo_open(struct inode *ino, struct file *f)
{
  spin_lock(&fifo_lock);
  struct pipe *p = ino->priv;
  spin_unlock(&fifo_lock);
  if (!p) {
    struct pipe *np = pipe_alloc();
    if (!np)
      return -ENOMEM;
    spin_lock(&fifo_lock);
    if (!ino->priv) {
      ino->priv = np;
      np = NULL;
    }
    p = ino->priv;
    spin_unlock(&fifo_lock);
    if (np) /* another opener won the race: use its pipe */
      pipe_free(np);
  }
  f->priv = p;
  f->fop = &pipe_fops;
  bool nonblock = f->flags & O_NONBLOCK;
  /* An anonymous pipe reopened through /proc/<pid>/fd/N neither waits
   * for nor requires the other end (Linux's fifo_open, is_pipe). */
  bool anon = ino->sb == &pipefs_sb;
  mutex_lock(&p->lock);
  if (file_readable(f))
    p->readers++;
  if (file_writable(f)) {
    if (nonblock && p->readers == 0 && !file_readable(f) && !anon) {
      mutex_unlock(&p->lock);
      f->priv = NULL;
      return -ENXIO;
    }
    p->writers++;
  }
  mutex_unlock(&p->lock);
  wake_up(&p->wq);
  if (nonblock || anon)
    return 0;
  /* Opening one end waits for the other (as on Linux). */
  long w = 0;
  if (file_readable(f) && !file_writable(f))
    w = wait_event(&p->wq, READ_ONCE(p->writers) > 0, WAIT_FOREVER);
  else if (file_writable(f) && !file_readable(f))
    w = wait_event(&p->wq, READ_ONCE(p->readers) > 0, WAIT_FOREVER);
  if (w) {
    pipe_release(f);
    f->priv = NULL;
    return -EINTR;
  }
  return 0;
}

const struct file_ops fifo_fops = {
  .open = fifo_open,
};
