/* ramfs.h — the in-memory file system (fs/ramfs.c). */
#ifndef KITE_RAMFS_H
#define KITE_RAMFS_H
#include "fs/vfs.h"
void ramfs_init(void);
struct inode *ramfs_new_inode(struct super_block *sb, mode_t mode, dev_t dev);
struct file *shmem_file_create(size_t size);
struct file *memfd_file_create(const char *name);
extern const struct file_ops fifo_fops;   /* fs/pipe.c */
#endif
