/*
 * devfs.h — /dev and the memory devices (fs/devfs.c).
 *
 * /dev is a ramfs that the kernel fills with a node for each device
 * registered with drivers/chrdev.h (the registry lives with the drivers)
 * and each block device (drivers/blk.h).
 *
 * Layer: fs. kmain populates /dev at boot; drivers/loop.c adds a node per
 * loop device. devfs.c calls the path walk (fs/namei.h), the directory's
 * mknod (ramfs) and the registries below it.
 *
 * Locks: the nodes are made under the /dev directory's inode lock, taken
 * here: call with none held. The random generator has rng_lock (a
 * spinlock) of its own.
 */
#ifndef KITE_DEVFS_H
#define KITE_DEVFS_H

#include "kern/types.h"
#include "drivers/chrdev.h"

/* At boot: a character-device node under path (a directory, "/dev") for
 * every device registered with drivers/chrdev.h (mode 0666; console and
 * ttyS0 0620), skipping names that exist. 0, or path_lookup's error for
 * path; a node that cannot be made is skipped. No locks held. */
int devfs_populate(const char *path);
/* One node /dev/name of exactly this mode (no umask) and device, e.g. a
 * disk: 0 (also when the name exists), path_lookup's error for /dev, or
 * the mknod's (-ENOMEM). No locks held. */
int devfs_add_node(const char *name, mode_t mode, dev_t dev);
/* The symlinks fd, stdin, stdout, stderr in directory dev, pointing into
 * /proc/self/fd: 0, or the first error but EEXIST (the links that can be
 * made are). No locks held. */
int devfs_add_links(const char *dev);
/* A node in /dev for every registered block device (drivers/blk.h); once,
 * at boot, after blockdev_scan_partitions. */
void devfs_add_block_nodes(void);
/* /dev/vdX opened as a file (fs/blkdev.c). */
extern const struct file_ops blkdev_fops;
/* At boot, before devfs_populate: seed the generator and register null,
 * zero, full, random, urandom and kmsg (major 1) with drivers/chrdev.h. */
void mem_devices_init(void);
/* n pseudo-random bytes into buf (the generator behind /dev/urandom and
 * getrandom; not cryptographic). Takes rng_lock: any context. */
void random_bytes(void *buf, size_t n);
/* Reseed the generator from seed (mem_devices_init does, at boot). No
 * lock: call before other harts use the generator. */
void random_seed(uint64_t seed);

#endif
