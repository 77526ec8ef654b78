/*
 * chrdev.h — the character-device registry (drivers/chrdev.c).
 *
 * A driver registers its file operations under a device number; opening
 * any character-device inode with that number (on devtmpfs or made with
 * mknod on tmpfs) reaches the driver: the file layer asks chrdev_lookup.
 * fs/devfs.c walks the registry (chrdev_at) to fill /dev.
 *
 * Layer: drivers. Limits: MAX_CHRDEV registrations. Locks: none —
 * registration happens at boot, before any other hart or process runs;
 * afterwards the registry is only read.
 */
#ifndef KITE_CHRDEV_H
#define KITE_CHRDEV_H

#include "kern/types.h"

#define MAX_CHRDEV 64

struct file_ops;

struct chrdev {
  dev_t dev;
  const char *name;             /* its node in /dev */
  const struct file_ops *fops;
  bool whole_major;             /* every minor of MAJOR(dev); no node in /dev */
};

/* Register fops for device number dev, with a node `name` in /dev (name
 * must live for ever). 0, or -ENOMEM when the registry is full. Boot only. */
int chrdev_register(dev_t dev, const char *name, const struct file_ops *fops);
/* The same for every minor of a major (the pty slaves: their nodes are made
 * elsewhere, in /dev/pts); the open finds the minor in inode->rdev. */
int chrdev_register_major(unsigned major, const char *name, const struct file_ops *fops);
/* The file operations for device number dev, or NULL if no driver has it. */
const struct file_ops *chrdev_lookup(dev_t dev);
/* Registration i (0, 1, ...), or NULL past the last one. */
const struct chrdev *chrdev_at(int i);

#endif
