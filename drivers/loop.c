/*
 * loop.c — loop devices: a regular file seen as a block device
 * (/dev/loopN, block major 7), and /dev/loop-control (char 10:237) that
 * hands out free ones. Linux's drivers/block/loop.c, for the uses that
 * need it: mkfs and mount of a file system image (LTP makes its test file
 * systems this way), losetup.
 *
 * A loop device is a struct blockdev whose rw reads and writes the
 * backing file through its page cache (kernel_read/kernel_write) at
 * lo_offset + sector * 512; flush is the backing file's fsync. It has no
 * size until a file is bound (LOOP_SET_FD, LOOP_CONFIGURE). Unbinding
 * (LOOP_CLR_FD) forgets the device's blocks in the block cache.
 *
 * Layer: driver, beside virtio_blk.c; blockdev ioctls arrive through
 * drivers/blk.c. Locks: each device's `lock` (mutex) serialises binding,
 * unbinding and status changes; I/O takes a reference to the backing
 * file under it. loop_lock (spinlock) guards the table of devices.
 */
#include "drivers/blk.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "drivers/chrdev.h"
#include "fs/devfs.h"
#include "fs/bcache.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

#define LOOP_MAJOR 7
#define LOOP_MIN_COUNT 8        /* /dev/loop0..7 exist from boot (Linux's default) */
#define LOOP_MAX 64

#define LOOP_SET_FD 0x4C00
#define LOOP_CLR_FD 0x4C01
#define LOOP_SET_STATUS 0x4C02
#define LOOP_GET_STATUS 0x4C03
#define LOOP_SET_STATUS64 0x4C04
#define LOOP_GET_STATUS64 0x4C05
#define LOOP_CHANGE_FD 0x4C06
#define LOOP_SET_CAPACITY 0x4C07
#define LOOP_SET_DIRECT_IO 0x4C08
#define LOOP_SET_BLOCK_SIZE 0x4C09
#define LOOP_CONFIGURE 0x4C0A
#define LOOP_CTL_ADD 0x4C80
#define LOOP_CTL_REMOVE 0x4C81
#define LOOP_CTL_GET_FREE 0x4C82

#define LO_FLAGS_READ_ONLY 1
#define LO_FLAGS_AUTOCLEAR 4
#define LO_FLAGS_PARTSCAN 8
#define LO_FLAGS_DIRECT_IO 16
#define LO_NAME_SIZE 64

/* struct loop_info64 (linux/loop.h) */
struct loop_info64_u {
  uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
  uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
  uint8_t lo_file_name[LO_NAME_SIZE], lo_crypt_name[LO_NAME_SIZE], lo_encrypt_key[32];
  uint64_t lo_init[2];
};
STATIC_ASSERT(sizeof(struct loop_info64_u) == 232);

/* struct loop_info (the old one), riscv64 layout */
struct loop_info_u {
  int32_t lo_number;
  uint32_t lo_device;
  uint64_t lo_inode;
  uint32_t lo_rdevice;
  int32_t lo_offset, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
  char lo_name[LO_NAME_SIZE];
  uint8_t lo_encrypt_key[32];
  uint64_t lo_init[2];
  char reserved[4];
};
STATIC_ASSERT(sizeof(struct loop_info_u) == 160);

struct loop_config_u {
  uint32_t fd, block_size;
  struct loop_info64_u info;
  uint64_t reserved[8];
};

struct loop_dev {
  struct blockdev bd;
  int index;
  struct mutex lock;
  struct file *backing;         /* NULL: unbound */
  uint64_t offset, sizelimit;
  uint32_t flags, block_size;
  char file_name[LO_NAME_SIZE];
};

static struct loop_dev *loops[LOOP_MAX];
static struct spinlock loop_lock = SPINLOCK_INIT("loop");

/* The backing file, referenced, or NULL. */
static struct file *backing_get(struct loop_dev *lo)
{
  mutex_lock(&lo->lock);
  struct file *f = lo->backing;
  if (f)
    fget(f);
  mutex_unlock(&lo->lock);
  return f;
}

static int loop_rw(struct blockdev *bd, bool write, uint64_t sector, void *buf, uint32_t count)
{
  struct loop_dev *lo = bd->priv;
  struct file *f = backing_get(lo);
  if (!f)
    return -EIO;
  off_t pos = (off_t)(lo->offset + sector * SECTOR_SIZE);
  size_t n = (size_t)count * SECTOR_SIZE;
  ssize_t r = write ? kernel_write(f, buf, n, pos) : kernel_read(f, buf, n, pos);
  if (!write && r >= 0 && (size_t)r < n)
    memset((char *)buf + r, 0, n - (size_t)r); /* past the end of the file: zeros */
  fput(f);
  return r < 0 || (write && (size_t)r != n) ? -EIO : 0;
}

static int loop_flush(struct blockdev *bd)
{
  struct loop_dev *lo = bd->priv;
  struct file *f = backing_get(lo);
  if (!f)
    return 0;
  int r = f->fop && f->fop->fsync ? f->fop->fsync(f, false) : 0;
  fput(f);
  return r;
}

/* Size in sectors from the file, offset and limit (lo->lock held). */
static void loop_set_size(struct loop_dev *lo)
{
  uint64_t size = 0;
  if (lo->backing) {
    struct inode *ino = lo->backing->inode;
    uint64_t fsize = S_ISBLK(ino->mode) ? 0 : (uint64_t)ino->size;
    if (S_ISBLK(ino->mode)) {
      struct blockdev *b = blockdev_by_dev(ino->rdev);
      fsize = b ? b->nsectors * SECTOR_SIZE : 0;
    }
    size = fsize > lo->offset ? fsize - lo->offset : 0;
    if (lo->sizelimit && lo->sizelimit < size)
      size = lo->sizelimit;
  }
  lo->bd.nsectors = size / SECTOR_SIZE;
}

static int loop_bind(struct loop_dev *lo, int fd, uint32_t flags)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISBLK(f->inode->mode))) {
    fput(f);
    return -EINVAL;
  }
  mutex_lock(&lo->lock);
  if (lo->backing) {
    mutex_unlock(&lo->lock);
    fput(f);
    return -EBUSY;
  }
  lo->backing = f;
  lo->offset = lo->sizelimit = 0;
  lo->flags = flags & (LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN | LO_FLAGS_DIRECT_IO);
  if (!file_writable(f))
    lo->flags |= LO_FLAGS_READ_ONLY;
  lo->bd.read_only = lo->flags & LO_FLAGS_READ_ONLY;
  lo->block_size = SECTOR_SIZE;
  memset(lo->file_name, 0, sizeof(lo->file_name));
  loop_set_size(lo);
  mutex_unlock(&lo->lock);
  return 0;
}

static int loop_unbind(struct loop_dev *lo)
{
  /* write back and forget the cached blocks first (that I/O takes lo->lock) */
  if (!lo->backing)
    return -ENXIO;
  bsync(&lo->bd);
  binvalidate(&lo->bd, 0, lo->bd.nsectors);
  mutex_lock(&lo->lock);
  struct file *f = lo->backing;
  if (!f) {
    mutex_unlock(&lo->lock);
    return -ENXIO;
  }
  lo->backing = NULL;
  lo->bd.nsectors = 0;
  lo->offset = lo->sizelimit = 0;
  lo->flags = 0;
  memset(lo->file_name, 0, sizeof(lo->file_name));
  mutex_unlock(&lo->lock);
  fput(f);
  return 0;
}

static void fill_info64(struct loop_dev *lo, struct loop_info64_u *i)
{
  memset(i, 0, sizeof(*i));
  struct inode *ino = lo->backing->inode;
  i->lo_device = ino->sb ? ino->sb->dev : 0;
  i->lo_inode = ino->ino;
  i->lo_rdevice = ino->rdev;
  i->lo_offset = lo->offset;
  i->lo_sizelimit = lo->sizelimit;
  i->lo_number = (uint32_t)lo->index;
  i->lo_flags = lo->flags;
  memcpy(i->lo_file_name, lo->file_name, LO_NAME_SIZE);
}

/* LOOP_SET_STATUS(64): offset, size limit, name, the settable flags. */
static int set_status(struct loop_dev *lo, uint64_t offset, uint64_t sizelimit, uint32_t flags,
                      const char *name)
{
  if (!lo->backing)
    return -ENXIO;
  if (lo->offset != offset || lo->sizelimit != sizelimit) {
    bsync(&lo->bd); /* (its I/O takes lo->lock) */
    binvalidate(&lo->bd, 0, lo->bd.nsectors);
  }
  mutex_lock(&lo->lock);
  if (!lo->backing) {
    mutex_unlock(&lo->lock);
    return -ENXIO;
  }
  lo->offset = offset;
  lo->sizelimit = sizelimit;
  uint32_t settable = LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN;
  lo->flags = (lo->flags & ~settable) | (flags & settable);
  memcpy(lo->file_name, name, LO_NAME_SIZE);
  lo->file_name[LO_NAME_SIZE - 1] = 0;
  loop_set_size(lo);
  mutex_unlock(&lo->lock);
  return 0;
}

static int loop_ioctl(struct blockdev *bd, unsigned cmd, uint64_t arg)
{
  struct loop_dev *lo = bd->priv;
  switch (cmd) {
  case LOOP_SET_FD:
    return loop_bind(lo, (int)arg, 0);
  case LOOP_CONFIGURE: {
    struct loop_config_u c;
    if (copyin(&c, arg, sizeof(c)))
      return -EFAULT;
    int r = loop_bind(lo, (int)c.fd, c.info.lo_flags);
    if (!r)
      r = set_status(lo, c.info.lo_offset, c.info.lo_sizelimit, c.info.lo_flags,
                     (const char *)c.info.lo_file_name);
    return r;
  }
  case LOOP_CLR_FD:
    return loop_unbind(lo);
  case LOOP_SET_STATUS64: {
    struct loop_info64_u i;
    if (copyin(&i, arg, sizeof(i)))
      return -EFAULT;
    return set_status(lo, i.lo_offset, i.lo_sizelimit, i.lo_flags, (const char *)i.lo_file_name);
  }
  case LOOP_SET_STATUS: {
    struct loop_info_u i;
    if (copyin(&i, arg, sizeof(i)))
      return -EFAULT;
    if (i.lo_offset < 0)
      return -EINVAL;
    return set_status(lo, (uint64_t)i.lo_offset, 0, (uint32_t)i.lo_flags, i.lo_name);
  }
  case LOOP_GET_STATUS64:
  case LOOP_GET_STATUS: {
    struct loop_info64_u i;
    mutex_lock(&lo->lock);
    bool bound = lo->backing != NULL;
    if (bound)
      fill_info64(lo, &i);
    mutex_unlock(&lo->lock);
    if (!bound)
      return -ENXIO;
    if (cmd == LOOP_GET_STATUS64)
      return copyout(arg, &i, sizeof(i)) ? -EFAULT : 0;
    struct loop_info_u o;
    memset(&o, 0, sizeof(o));
    o.lo_number = (int32_t)i.lo_number;
    o.lo_device = (uint32_t)i.lo_device;
    o.lo_inode = i.lo_inode;
    o.lo_rdevice = (uint32_t)i.lo_rdevice;
    o.lo_offset = (int32_t)i.lo_offset;
    o.lo_flags = (int32_t)i.lo_flags;
    memcpy(o.lo_name, i.lo_file_name, LO_NAME_SIZE);
    return copyout(arg, &o, sizeof(o)) ? -EFAULT : 0;
  }
  case LOOP_SET_CAPACITY:
    mutex_lock(&lo->lock);
    if (lo->backing)
      loop_set_size(lo);
    mutex_unlock(&lo->lock);
    return lo->backing ? 0 : -ENXIO;
  case LOOP_SET_BLOCK_SIZE:
    if (arg < 512 || arg > PAGE_SIZE || (arg & (arg - 1)))
      return -EINVAL;
    lo->block_size = (uint32_t)arg;
    return lo->backing ? 0 : -ENXIO;
  case LOOP_SET_DIRECT_IO:
    return lo->backing ? 0 : -ENXIO; /* all I/O goes through the page cache anyway */
  case LOOP_CHANGE_FD:
    return -EINVAL; /* only for read-only devices (Linux), which nobody here swaps */
  default:
    return -ENOTTY;
  }
}

static const struct blockdev_ops loop_ops = {
  .rw = loop_rw,
  .flush = loop_flush,
  .ioctl = loop_ioctl,
};

/* Make /dev/loopN (and its device) if it does not exist yet. */
static struct loop_dev *loop_add(int i)
{
  if (i < 0 || i >= LOOP_MAX)
    return NULL;
  spin_lock(&loop_lock);
  struct loop_dev *lo = loops[i];
  spin_unlock(&loop_lock);
  if (lo)
    return lo;
  lo = kzalloc(sizeof(*lo));
  if (!lo)
    return NULL;
  lo->index = i;
  mutex_init(&lo->lock, "loop");
  lo->bd.ops = &loop_ops;
  lo->bd.priv = lo;
  snprintf(lo->bd.name, sizeof(lo->bd.name), "loop%d", i);
  lo->bd.dev = MKDEV(LOOP_MAJOR, i);
  spin_lock(&loop_lock);
  if (loops[i]) {
    spin_unlock(&loop_lock);
    kfree(lo);
    return loops[i];
  }
  loops[i] = lo;
  spin_unlock(&loop_lock);
  blockdev_register_named(&lo->bd);
  devfs_add_node(lo->bd.name, S_IFBLK | 0660, lo->bd.dev);
  return lo;
}

/* ---- /dev/loop-control ---- */

static int loop_ctl_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  (void)f;
  if (!capable(CAP_SYS_ADMIN))
    return -EPERM;
  switch (cmd) {
  case LOOP_CTL_GET_FREE:
    for (int i = 0; i < LOOP_MAX; i++) {
      struct loop_dev *lo = loop_add(i);
      if (!lo)
        return -ENOMEM;
      mutex_lock(&lo->lock);
      bool free_ = lo->backing == NULL;
      mutex_unlock(&lo->lock);
      if (free_)
        return i;
    }
    return -ENOSPC;
  case LOOP_CTL_ADD:
    if ((int64_t)arg < 0 || arg >= LOOP_MAX)
      return -EINVAL;
    spin_lock(&loop_lock);
    bool exists = loops[arg] != NULL;
    spin_unlock(&loop_lock);
    if (exists)
      return -EEXIST;
    return loop_add((int)arg) ? (int)arg : -ENOMEM;
  case LOOP_CTL_REMOVE:
    return -EBUSY; /* devices are never freed (their nodes stay) */
  default:
    return -ENOTTY;
  }
}

static const struct file_ops loop_ctl_fops = {
  .ioctl = loop_ctl_ioctl,
};

/* Boot: /dev/loop-control, and loop0..7 (their nodes come with the other disks'). */
void loop_init(void)
{
  chrdev_register(MKDEV(10, 237), "loop-control", &loop_ctl_fops);
  for (int i = 0; i < LOOP_MIN_COUNT; i++) {
    struct loop_dev *lo = kzalloc(sizeof(*lo));
    if (!lo)
      return;
    lo->index = i;
    mutex_init(&lo->lock, "loop");
    lo->bd.ops = &loop_ops;
    lo->bd.priv = lo;
    snprintf(lo->bd.name, sizeof(lo->bd.name), "loop%d", i);
    lo->bd.dev = MKDEV(LOOP_MAJOR, i);
    loops[i] = lo;
    blockdev_register_named(&lo->bd);
  }
}
