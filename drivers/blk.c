/*
 * blk.c — the list of block devices, and their /dev nodes.
 */
#include "drivers/blk.h"
#include "fs/vfs.h"
#include "fs/fsops.h"
#include "kern/spinlock.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

static LIST_HEAD(blockdevs);
static struct spinlock blk_lock = SPINLOCK_INIT("blockdevs");
static int nr_blockdevs;

int blockdev_register(struct blockdev *bd)
{
  spin_lock(&blk_lock);
  int i = nr_blockdevs++;
  spin_unlock(&blk_lock);
  if (i >= 26)
    return -ENOSPC;
  snprintf(bd->name, sizeof(bd->name), "vd%c", 'a' + i);
  bd->dev = MKDEV(BLK_MAJOR, 16 * i);
  spin_lock(&blk_lock);
  list_add_tail(&bd->link, &blockdevs);
  spin_unlock(&blk_lock);
  pr_info("blk: %s: %lu sectors (%lu MiB)%s", bd->name, (unsigned long)bd->nsectors,
          (unsigned long)(bd->nsectors >> 11), bd->read_only ? ", read-only" : "");
  return 0;
}

struct blockdev *blockdev_by_dev(dev_t dev)
{
  struct blockdev *bd, *found = NULL;
  spin_lock(&blk_lock);
  list_for_each_entry(bd, &blockdevs, link)
    if (bd->dev == dev)
      found = bd;
  spin_unlock(&blk_lock);
  return found;
}

struct blockdev *blockdev_by_index(int i)
{
  struct blockdev *bd, *found = NULL;
  spin_lock(&blk_lock);
  list_for_each_entry(bd, &blockdevs, link)
    if (i-- == 0) {
      found = bd;
      break;
    }
  spin_unlock(&blk_lock);
  return found;
}

struct blockdev *blockdev_by_path(const char *path)
{
  struct path p;
  if (!path || path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &p))
    return NULL;
  struct inode *ino = p.dentry->inode;
  struct blockdev *bd = S_ISBLK(ino->mode) ? blockdev_by_dev(ino->rdev) : NULL;
  path_put(&p);
  return bd;
}

void blockdev_register_nodes(void)
{
  struct blockdev *bd;
  list_for_each_entry(bd, &blockdevs, link) {
    char path[32];
    snprintf(path, sizeof(path), "/dev/%s", bd->name);
    do_mknodat(AT_FDCWD, path, S_IFBLK | 0660, bd->dev);
  }
}
