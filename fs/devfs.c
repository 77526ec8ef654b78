/*
 * devfs.c — /dev: a ramfs filled with a node for each registered character
 * device (drivers/chrdev.c) and each block device, and the memory devices
 * (null, zero, full, random, urandom, kmsg).
 *
 * Layer: fs, over drivers/chrdev.c (the registry it lists) and ramfs.
 * Locks: none of its own (nodes are made at boot and by block-device
 * registration; the random generator has rng_lock).
 */
#include "fs/devfs.h"
#include "drivers/blk.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/ramfs.h"
#include "fs/fsops.h"
#include "kern/mm.h"
#include "kern/task.h"
#include "kern/errno.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "arch/riscv/riscv.h"
#include "kern/printk.h"
#include <string.h>

/* Make a node in directory dir (a path) unless the name exists. */
static int make_node(struct path *dir, const char *name, mode_t mode, dev_t dev)
{
  struct inode *di = dir->dentry->inode;
  mutex_lock(&di->lock);
  struct dentry *d = vfs_lookup_locked(dir->dentry, name, strlen(name));
  int r = 0;
  if (IS_ERR(d)) {
    r = PTR_ERR(d);
  } else {
    if (!d->inode)
      r = di->iop->mknod(di, d, mode, dev);
    dput(d);
  }
  mutex_unlock(&di->lock);
  return r;
}

/* Add one node to /dev with exactly this mode (no umask), e.g. a disk. */
int devfs_add_node(const char *name, mode_t mode, dev_t dev)
{
  struct path dir;
  int r = path_lookup(AT_FDCWD, "/dev", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
  if (r)
    return r;
  r = make_node(&dir, name, mode, dev);
  path_put(&dir);
  return r;
}

/* Create the nodes of all registered devices under path (e.g. "/dev"). */
int devfs_populate(const char *path)
{
  struct path dir;
  int r = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
  if (r)
    return r;
  const struct chrdev *c;
  for (int i = 0; (c = chrdev_at(i)); i++) {
    if (c->whole_major)
      continue;
    mode_t mode = S_IFCHR | 0666;
    if (!strcmp(c->name, "console") || !strcmp(c->name, "ttyS0"))
      mode = S_IFCHR | 0620;
    make_node(&dir, c->name, mode, c->dev);
  }
  path_put(&dir);
  return 0;
}

void devfs_add_block_nodes(void)
{
  for (struct blockdev *bd = blockdev_next(NULL); bd; bd = blockdev_next(bd))
    devfs_add_node(bd->name, S_IFBLK | 0660, bd->dev);
}

/*
 * The links a Linux system's init (udev, systemd) makes in /dev: fd ->
 * /proc/self/fd (bash's process substitution hands out /dev/fd/N), and
 * stdin, stdout, stderr -> /proc/self/fd/0, 1, 2. Existing names are kept.
 */
int devfs_add_links(const char *dev)
{
  static const struct { const char *name, *target; } links[] = {
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
  };
  char path[64];
  int err = 0;
  for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
    snprintf(path, sizeof(path), "%s/%s", dev, links[i].name);
    int r = do_symlinkat(links[i].target, AT_FDCWD, path);
    if (r && r != -EEXIST && !err)
      err = r;
  }
  return err;
}

/* ---- /dev/null, zero, full, random, urandom, kmsg ---- */

static ssize_t null_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)f; (void)u; (void)pos;
  return 0;
}

/* Everything is taken, nothing is read: like Linux's write_null, the uio
 * is not consumed (no caller of ->write looks at it afterwards). */
static ssize_t null_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)f;
  (void)pos;
  return (ssize_t)u->resid;
}

/* Linux's null_lseek (/dev/null, /dev/zero, /dev/full): always position 0. */
static off_t null_llseek(struct file *f, off_t off, int whence)
{
  (void)off;
  (void)whence;
  return f->pos = 0;
}

static ssize_t zero_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)f;
  (void)pos;
  return uio_zero(u, u->resid);
}

static ssize_t full_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)f; (void)u; (void)pos;
  return -ENOSPC;
}

/*
 * A pseudo-random generator (xoshiro256**), seeded from the clock at
 * boot and stirred with rdtime on every read. Good enough for programs
 * that want unpredictable bytes (AT_RANDOM, mkstemp, iperf3 cookies); it is
 * not a cryptographic generator.
 */
static uint64_t rng_state[4];
static struct spinlock rng_lock = SPINLOCK_INIT("rng");

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(void)
{
  uint64_t *s = rng_state;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

void random_seed(uint64_t seed)
{
  uint64_t z = seed;
  for (int i = 0; i < 4; i++) {
    z += 0x9e3779b97f4a7c15ULL;
    uint64_t x = z;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    rng_state[i] = x ^ (x >> 31);
  }
}

void random_bytes(void *buf, size_t n)
{
  uint8_t *b = buf;
  spin_lock(&rng_lock);
  rng_state[0] ^= rdtime();
  while (n > 0) {
    uint64_t v = rng_next();
    size_t k = MIN(n, 8);
    memcpy(b, &v, k);
    b += k;
    n -= k;
  }
  spin_unlock(&rng_lock);
}

static ssize_t random_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)f;
  (void)pos;
  uint8_t buf[256];
  ssize_t total = 0;
  while (u->resid > 0) {
    size_t n = MIN(u->resid, sizeof(buf));
    random_bytes(buf, n);
    long c = uio_copy_to(u, buf, n);
    if (c <= 0)
      return total ? total : c;
    total += c;
  }
  return total;
}

static const struct file_ops null_fops = { .read = null_read, .write = null_write, .llseek = null_llseek };
static const struct file_ops zero_fops = { .read = zero_read, .write = null_write, .llseek = null_llseek };
static const struct file_ops full_fops = { .read = zero_read, .write = full_write, .llseek = null_llseek };
/* RNDGETENTCNT: the entropy estimate (Linux's pool is always full since 5.18). */
#define RNDGETENTCNT 0x80045200
static int random_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  (void)f;
  if (cmd != RNDGETENTCNT)
    return -ENOTTY;
  int n = 256;
  return copyout(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static const struct file_ops random_fops = { .read = random_read, .write = null_write, .llseek = null_llseek,
                                             .ioctl = random_ioctl };

/* /dev/kmsg: writes become kernel log lines; reads give the log. */
static ssize_t kmsg_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)f;
  (void)pos;
  char buf[256];
  size_t n = MIN(u->resid, sizeof(buf) - 1);
  long c = uio_copy_from(u, buf, n);
  if (c < 0)
    return c;
  buf[c] = 0;
  printk(LOG_INFO, "%s", buf);
  uio_advance(u, u->resid);
  return (ssize_t)(c + u->resid);
}

static const struct file_ops kmsg_fops = { .read = null_read, .write = kmsg_write };

void mem_devices_init(void)
{
  random_seed(rdtime() ^ time_realtime_ns());
  chrdev_register(MKDEV(1, 3), "null", &null_fops);
  chrdev_register(MKDEV(1, 5), "zero", &zero_fops);
  chrdev_register(MKDEV(1, 7), "full", &full_fops);
  chrdev_register(MKDEV(1, 8), "random", &random_fops);
  chrdev_register(MKDEV(1, 9), "urandom", &random_fops);
  chrdev_register(MKDEV(1, 11), "kmsg", &kmsg_fops);
}
