/*
 * pty.c — pseudo-terminals: /dev/ptmx and /dev/pts/N (man 7 pty).
 *
 * Opening /dev/ptmx makes a pair: the master (that open file) and a slave,
 * a terminal numbered N that appears as /dev/pts/N (fs/devpts.c). The
 * slave is one kind of tty (tty.h) with the shared line discipline; its
 * driver sends output into a ring the master reads. What the master
 * writes goes into the slave's input through tty_receive(), as if typed:
 *
 *   master write ──► tty_receive(slave) ──► slave input ──► slave read
 *                          │ echo
 *   master read  ◄── to_master ring ◄─────────────────────── slave write
 *
 * Both directions are bounded (PTY_BUFFER_SIZE, TTY_INPUT_SIZE): a writer
 * waits, or gets EAGAIN, until the other side reads. The slave starts
 * locked: unlockpt(3) (TIOCSPTLCK) must unlock it before it can be opened.
 *
 * Ends of a pair:
 *   the master closes   the node goes, the slave hangs up (tty_hangup:
 *                       its session leader gets SIGHUP; reads give 0,
 *                       writes EIO)
 *   all slave files     master reads drain what is left, then fail with
 *   close               EIO, and poll says POLLHUP (a new slave open
 *                       undoes it). Master writes still go into the
 *                       slave's input, kept for the next slave open, as
 *                       on Linux (and as before the first open): once it
 *                       is full, O_NONBLOCK gives EAGAIN and a blocking
 *                       writer waits — for a reopened slave's reader, or
 *                       a signal. Not EIO: a program like telnetd learns
 *                       of the end from poll (POLLHUP) and master reads.
 * The pair is freed with the last reference to the slave tty: the
 * master's, each slave file's, each process that has it as controlling
 * terminal. The number stays taken until then (pts_open: a dying pair
 * is not revived).
 *
 * Termios and window-size ioctls on the master act on the slave, as on
 * Linux (tty.c: tty_ioctl_via_master). The master has no line discipline
 * of its own: it reads raw bytes, and TCXONC is not supported on it.
 *
 * Locking: slave.lock protects the ring and the pair's state below;
 * pty_table_lock the table of numbers. Mutexes keep master reads (and
 * master writes) one at a time.
 *
 * Layer: drivers. Below: drivers/tty.c and n_tty.c (the slave is a tty),
 * drivers/chrdev.c (/dev/ptmx). Above: fs/devpts.c, which makes the
 * /dev/pts/N nodes and opens a slave, reached only through struct
 * pty_fs_ops (drivers/tty.h) that it registers: pty.c names nothing in fs/.
 */
#include "drivers/tty.h"
#include "drivers/tty_ioctl.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "drivers/chrdev.h"
#include "kern/mm.h"
#include "kern/poll.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/printk.h"

struct pty {
  struct tty slave;             /* the terminal side (its lock guards the rest) */
  int index;                    /* N of /dev/pts/N */

  /* slave.lock */
  char to_master[PTY_BUFFER_SIZE]; /* the slave's output, for master reads */
  uint32_t head, tail;          /* bytes put in / taken out so far */
  bool locked;                  /* TIOCSPTLCK: slave opens fail with EIO */
  bool master_open;
  int slave_files;              /* open files on the slave (also via /dev/tty) */
  bool slave_closed;            /* it had slave files and has none now */

  struct wait_queue master_wq;  /* master readers, writers and pollers */
  struct mutex master_read_lock, master_write_lock;
};

static struct pty *ptys[PTY_MAX];
static struct spinlock pty_table_lock = SPINLOCK_INIT("pty-table");
/* /dev/pts, given by fs/devpts.c at boot (tty.h: struct pty_fs_ops). */
static const struct pty_fs_ops *pty_fs;

static struct pty *pty_of(struct tty *tty)
{
  return container_of(tty, struct pty, slave);
}

static size_t to_master_count(struct pty *pty)
{
  return READ_ONCE(pty->head) - READ_ONCE(pty->tail);
}

/* ---- the slave: a kind of tty ---- */

/* Output of the slave (writes and echoes) goes to the master's ring. */
static size_t pty_slave_write(struct tty *tty, const char *buf, size_t n)
{
  struct pty *pty = pty_of(tty);
  n = MIN(n, PTY_BUFFER_SIZE - to_master_count(pty));
  for (size_t i = 0; i < n; i++)
    pty->to_master[(pty->head + i) % PTY_BUFFER_SIZE] = buf[i];
  pty->head += n;
  if (n)
    wake_up_events(&pty->master_wq, POLLIN | POLLRDNORM);
  return n;
}

static size_t pty_slave_write_room(struct tty *tty)
{
  return PTY_BUFFER_SIZE - to_master_count(pty_of(tty));
}

/* The slave's reader made room: master writers may go on. */
static void pty_input_taken(struct tty *tty)
{
  wake_up_events(&pty_of(tty)->master_wq, POLLOUT | POLLWRNORM);
}

static int pty_slave_open(struct tty *tty, struct file *f)
{
  (void)f;
  struct pty *pty = pty_of(tty);
  int r = 0;
  spin_lock(&tty->lock);
  if (!pty->master_open || pty->locked) {
    r = -EIO;
  } else {
    pty->slave_files++;
    pty->slave_closed = false;
  }
  spin_unlock(&tty->lock);
  return r;
}

static void pty_slave_close(struct tty *tty, struct file *f)
{
  (void)f;
  struct pty *pty = pty_of(tty);
  spin_lock(&tty->lock);
  if (--pty->slave_files == 0)
    pty->slave_closed = true;
  spin_unlock(&tty->lock);
  wake_up_events(&pty->master_wq, POLLIN | POLLHUP);
}

/* The last reference to the slave: the number is free again. */
static void pty_destroy(struct tty *tty)
{
  struct pty *pty = pty_of(tty);
  spin_lock(&pty_table_lock);
  ptys[pty->index] = NULL;
  spin_unlock(&pty_table_lock);
  kfree(pty);
}

/*
 * Opening /dev/pts/N (or any node 136:N). The pair in ptys[N] may be
 * dying: its last tty_put() has run, but pty_destroy() has not yet taken
 * pty_table_lock to clear the slot. Taking a reference then would revive
 * a pair about to be freed, so take one only if the count is not already
 * 0 (tty_get_unless_zero). The memory is safe to look at meanwhile:
 * pty_destroy() frees it only after it has held pty_table_lock, which we
 * hold.
 */
static int pts_open(struct inode *ino, struct file *f)
{
  unsigned index = MINOR(ino->rdev);
  struct pty *pty = NULL;
  spin_lock(&pty_table_lock);
  if (index < PTY_MAX && (pty = ptys[index]) && !tty_get_unless_zero(&pty->slave))
    pty = NULL; /* being freed: as if already gone */
  spin_unlock(&pty_table_lock);
  if (!pty)
    return -ENXIO;
  int r = tty_file_open(&pty->slave, f);
  tty_put(&pty->slave);
  return r;
}

static const struct file_ops pts_fops = {
  .open = pts_open,
  .read = tty_read,
  .write = tty_write,
  .poll = tty_poll,
  .ioctl = tty_ioctl,
  .release = tty_release,
};

static const struct tty_driver pty_slave_driver = {
  .fops = &pts_fops,
  .write = pty_slave_write,
  .write_room = pty_slave_write_room,
  .input_taken = pty_input_taken,
  .open = pty_slave_open,
  .close = pty_slave_close,
  .destroy = pty_destroy,
};

/* ---- the master: /dev/ptmx ---- */

static int alloc_index(struct pty *pty)
{
  int index = -ENOSPC;
  spin_lock(&pty_table_lock);
  for (int i = 0; i < PTY_MAX; i++) {
    if (!ptys[i]) {
      ptys[i] = pty;
      index = i;
      break;
    }
  }
  spin_unlock(&pty_table_lock);
  return index;
}

/* Opening /dev/ptmx: a new pair, its slave locked and named in /dev/pts. */
static int ptmx_open(struct inode *ino, struct file *f)
{
  (void)ino;
  struct pty *pty = kzalloc(sizeof(*pty));
  if (!pty)
    return -ENOMEM;
  int index = alloc_index(pty);
  if (index < 0) {
    kfree(pty);
    return index;
  }
  pty->index = index;
  tty_init(&pty->slave, &pty_slave_driver, &tty_std_termios, MKDEV(PTY_SLAVE_MAJOR, index));
  pty->locked = true;
  pty->master_open = true;
  wait_queue_init(&pty->master_wq);
  mutex_init(&pty->master_read_lock, "pty-master-read");
  mutex_init(&pty->master_write_lock, "pty-master-write");
  int r = pty_fs ? pty_fs->add_node(index) : -ENODEV;
  if (r) {
    tty_put(&pty->slave); /* frees the number and the pair */
    return r;
  }
  f->priv = pty;
  return 0;
}

/* The master's last descriptor closed: the slave hangs up. */
static void ptmx_release(struct file *f)
{
  struct pty *pty = f->priv;
  if (!pty)
    return;
  spin_lock(&pty->slave.lock);
  pty->master_open = false;
  spin_unlock(&pty->slave.lock);
  if (pty_fs)
    pty_fs->remove_node(pty->index);
  tty_hangup(&pty->slave);
  tty_put(&pty->slave); /* the master's reference */
}

/* Read what the slave sent: data first; then EIO once every slave file
 * has closed. */
static ssize_t ptmx_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct pty *pty = f->priv;
  uint64_t timeout = (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER;
  if (mutex_lock_interruptible(&pty->master_read_lock))
    return -ERESTARTSYS;
  long w = wait_event(&pty->master_wq,
                      to_master_count(pty) > 0 || READ_ONCE(pty->slave_closed), timeout);
  if (w) {
    mutex_unlock(&pty->master_read_lock);
    return w;
  }
  char buf[256];
  ssize_t total = 0;
  while (u->resid > 0) {
    /* copy out first, take the bytes after: a fault loses nothing */
    spin_lock(&pty->slave.lock);
    size_t n = MIN(MIN(to_master_count(pty), sizeof(buf)), u->resid);
    for (size_t i = 0; i < n; i++)
      buf[i] = pty->to_master[(pty->tail + i) % PTY_BUFFER_SIZE];
    spin_unlock(&pty->slave.lock);
    if (n == 0)
      break;
    long c = uio_copy_to(u, buf, n);
    if (c <= 0) {
      if (!total)
        total = c ? c : -EFAULT;
      break;
    }
    spin_lock(&pty->slave.lock);
    pty->tail += c;
    spin_unlock(&pty->slave.lock);
    wake_up_events(&pty->slave.wq, POLLOUT | POLLWRNORM);
    total += c;
    if ((size_t)c < n)
      break;
  }
  mutex_unlock(&pty->master_read_lock);
  if (total == 0 && READ_ONCE(pty->slave_closed))
    return -EIO;
  return total;
}

/* Write into the slave's input, as far as it has room. */
static ssize_t ptmx_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct pty *pty = f->priv;
  struct tty *slave = &pty->slave;
  uint64_t timeout = (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER;
  uint8_t buf[256];
  ssize_t total = 0;
  long err = 0;
  if (mutex_lock_interruptible(&pty->master_write_lock))
    return -ERESTARTSYS;
  while (u->resid > 0) {
    err = wait_event(&pty->master_wq, tty_receive_room(slave) > 0, timeout);
    if (err)
      break;
    size_t n = MIN(MIN(tty_receive_room(slave), sizeof(buf)), u->resid);
    long c = uio_copy_from(u, buf, n);
    if (c < (long)n) { /* whole chunks only, as Linux's tty_write */
      err = -EFAULT;
      break;
    }
    tty_receive(slave, buf, c);
    total += c;
  }
  mutex_unlock(&pty->master_write_lock);
  return total ? total : err;
}

static unsigned ptmx_poll(struct file *f, struct poll_table *pt)
{
  struct pty *pty = f->priv;
  poll_wait(f, &pty->master_wq, pt);
  unsigned mask = 0;
  if (to_master_count(pty) > 0)
    mask |= POLLIN | POLLRDNORM;
  if (READ_ONCE(pty->slave_closed))
    mask |= POLLHUP;
  if (tty_receive_room(&pty->slave) > 0)
    mask |= POLLOUT | POLLWRNORM;
  return mask;
}

/* TIOCGPTPEER: open the slave (by its /dev/pts path) as a new descriptor. */
static int open_peer(struct pty *pty, int flags)
{
  return pty_fs ? pty_fs->open_slave(pty->index, flags, &pty->slave) : -ENODEV;
}

/* TCFLSH on the master: its input is what the slave sent. */
static int flush_master(struct pty *pty, uint64_t arg)
{
  if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
    return -EINVAL;
  if (arg == TCOFLUSH)
    return 0; /* the master's writes are already the slave's input */
  spin_lock(&pty->slave.lock);
  pty->tail = pty->head;
  spin_unlock(&pty->slave.lock);
  wake_up_events(&pty->slave.wq, POLLOUT | POLLWRNORM);
  return 0;
}

static int ptmx_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct pty *pty = f->priv;
  switch (cmd) {
  case TIOCGPTN: {
    uint32_t n = (uint32_t)pty->index;
    return copyout(arg, &n, 4);
  }
  case TIOCSPTLCK: {
    int32_t lock;
    if (copyin(&lock, arg, 4))
      return -EFAULT;
    spin_lock(&pty->slave.lock);
    pty->locked = lock != 0;
    spin_unlock(&pty->slave.lock);
    return 0;
  }
  case TIOCGPTLCK: {
    int32_t lock = READ_ONCE(pty->locked);
    return copyout(arg, &lock, 4);
  }
  case TIOCGPTPEER:
    return open_peer(pty, (int)arg);
  case FIONREAD: {
    uint32_t n = (uint32_t)to_master_count(pty);
    return copyout(arg, &n, 4);
  }
  case TIOCOUTQ: {
    uint32_t n = 0; /* written bytes are in the slave's input at once */
    return copyout(arg, &n, 4);
  }
  case TCFLSH:
    return flush_master(pty, arg);
  case TCSBRK:
  case TCSBRKP:
    return 0; /* tcdrain: nothing queued; a pty has no break */
  case TIOCNOTTY:
  case TCXONC:
    return -ENOTTY;
  default:
    return tty_ioctl_via_master(&pty->slave, cmd, arg);
  }
}

static const struct file_ops ptmx_fops = {
  .open = ptmx_open,
  .read = ptmx_read,
  .write = ptmx_write,
  .poll = ptmx_poll,
  .ioctl = ptmx_ioctl,
  .release = ptmx_release,
};

/* /dev/ptmx (5:2) and the slaves (136:*). */
void pty_set_fs_ops(const struct pty_fs_ops *ops)
{
  pty_fs = ops;
}

void pty_init(void)
{
  chrdev_register(MKDEV(5, 2), "ptmx", &ptmx_fops);
  chrdev_register_major(PTY_SLAVE_MAJOR, "pts", &pts_fops);
}
