/*
 * devfs.h — /dev and the memory devices (fs/devfs.c).
 *
 * /dev is a ramfs that the kernel fills with a node for each device
 * registered with drivers/chrdev.h (the registry lives with the drivers).
 */
#ifndef KITE_DEVFS_H
#define KITE_DEVFS_H

#include "kern/types.h"
#include "drivers/chrdev.h"

void devfs_init(void);
int devfs_populate(const char *path);  /* create the nodes under `path` (e.g. /dev) */
int devfs_add_node(const char *name, mode_t mode, dev_t dev);
int devfs_add_links(const char *dev);    /* fd, stdin, stdout, stderr -> /proc/self/fd/... */
/* A node in /dev for every registered block device (drivers/blk.h); once,
 * at boot, after blockdev_scan_partitions. */
void devfs_add_block_nodes(void);
/* /dev/vdX opened as a file (fs/blkdev.c). */
extern const struct file_ops blkdev_fops;
void mem_devices_init(void);            /* null zero full random urandom kmsg */
void random_bytes(void *buf, size_t n);
void random_seed(uint64_t seed);

#endif
