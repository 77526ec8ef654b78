/* fsops.h — name-space operations on kernel strings (fs/fsops.c). */
#ifndef KITE_FSOPS_H
#define KITE_FSOPS_H
#include "kern/types.h"
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
int do_mkdirat(int dirfd, const char *path, mode_t mode);
int do_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
int do_symlinkat(const char *target, int dirfd, const char *path);
int do_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int do_unlinkat(int dirfd, const char *path, int flags);
int do_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                 unsigned flags);
struct inode;
struct dentry;
void vfs_new_owner(struct inode *dir, struct dentry *d); /* after a create */
int initramfs_unpack(const void *buf, size_t len);
#endif
