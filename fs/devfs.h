/*
 * devfs.h — character devices and /dev.
 *
 * A driver registers its file operations under a device number; opening
 * any character-device inode with that number (on devtmpfs or made with
 * mknod on tmpfs) reaches the driver. /dev is a ramfs that the kernel
 * fills with a node for each registered device.
 */
#ifndef KITE_DEVFS_H
#define KITE_DEVFS_H

#include "kern/types.h"

struct file_ops;

int chrdev_register(dev_t dev, const char *name, const struct file_ops *fops);
int chrdev_register_major(unsigned major, const char *name, const struct file_ops *fops);
const struct file_ops *chrdev_lookup(dev_t dev);
void devfs_init(void);
int devfs_populate(const char *path);  /* create the nodes under `path` (e.g. /dev) */
int devfs_add_node(const char *name, mode_t mode, dev_t dev);
int devfs_add_links(const char *dev);    /* fd, stdin, stdout, stderr -> /proc/self/fd/... */
void mem_devices_init(void);            /* null zero full random urandom kmsg */
void random_bytes(void *buf, size_t n);
void random_seed(uint64_t seed);

#endif
