/*
 * chrdev.c — the character-device registry: device numbers to drivers.
 *
 * Layer: drivers (the drivers register here at boot; the file layer looks
 * numbers up when an inode is opened, and devfs lists the registry to make
 * /dev). It calls nothing. Locks: none, see chrdev.h.
 */
#include "drivers/chrdev.h"
#include "kern/errno.h"
#include "fs/fs_abi.h"   /* MKDEV, MAJOR */

static struct chrdev chrdevs[MAX_CHRDEV];
static int nr_chrdevs;

static int add_chrdev(dev_t dev, const char *name, const struct file_ops *fops, bool whole_major)
{
  if (nr_chrdevs >= MAX_CHRDEV)
    return -ENOMEM;
  chrdevs[nr_chrdevs].dev = dev;
  chrdevs[nr_chrdevs].name = name;
  chrdevs[nr_chrdevs].fops = fops;
  chrdevs[nr_chrdevs].whole_major = whole_major;
  nr_chrdevs++;
  return 0;
}

int chrdev_register(dev_t dev, const char *name, const struct file_ops *fops)
{
  return add_chrdev(dev, name, fops, false);
}

int chrdev_register_major(unsigned major, const char *name, const struct file_ops *fops)
{
  return add_chrdev(MKDEV(major, 0), name, fops, true);
}

const struct file_ops *chrdev_lookup(dev_t dev)
{
  for (int i = 0; i < nr_chrdevs; i++) {
    bool match = chrdevs[i].whole_major ? MAJOR(chrdevs[i].dev) == MAJOR(dev) : chrdevs[i].dev == dev;
    if (match)
      return chrdevs[i].fops;
  }
  return NULL;
}

const struct chrdev *chrdev_at(int i)
{
  return i >= 0 && i < nr_chrdevs ? &chrdevs[i] : NULL;
}
