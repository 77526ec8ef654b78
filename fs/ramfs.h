/* ramfs.h — the in-memory file system (fs/ramfs.c). */
#ifndef KITE_RAMFS_H
#define KITE_RAMFS_H
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
void ramfs_init(void);
struct inode *ramfs_new_inode(struct super_block *sb, mode_t mode, dev_t dev);
struct file *shmem_file_create(size_t size);
struct file *memfd_file_create(const char *name, bool allow_sealing);
/* fcntl F_ADD_SEALS / F_GET_SEALS on f */
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
long memfd_fcntl(struct file *f, int cmd, uint64_t arg);
extern const struct file_ops fifo_fops;   /* fs/pipe.c */
#endif
