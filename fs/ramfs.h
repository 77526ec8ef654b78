/*
 * ramfs.h — the in-memory file system (fs/ramfs.c): ramfs, tmpfs and
 * devtmpfs, the unnamed shared-memory files behind MAP_SHARED|MAP_ANONYMOUS,
 * System V shared memory and memfd_create, and their seals.
 *
 * Layer: fs, a file system under the VFS core. Called by kmain
 * (ramfs_init), fs/devfs.c, fs/sys_open.c (memfd), kern/sys_mm.c and
 * ipc/shm.c (shmem files); calls fs/super.c, the dentry and page caches.
 *
 * Locks: an inode's lock guards its seals and its directory's entries;
 * the per-superblock inode and block counts are atomic.
 */
#ifndef KITE_RAMFS_H
#define KITE_RAMFS_H
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
/* At boot: register the "ramfs", "tmpfs" and "devtmpfs" file system types. */
void ramfs_init(void);
/* A new inode of sb (a ramfs/tmpfs superblock) of this mode and device
 * number, with ramfs's operations and one reference the caller owns;
 * counted against the mount's nr_inodes. ERR_PTR(-ENOSPC) past that
 * limit, ERR_PTR(-ENOMEM). */
struct inode *ramfs_new_inode(struct super_block *sb, mode_t mode, dev_t dev);
/* An unnamed read-write file of size bytes on the internal shm superblock
 * (Linux's shmem_file_setup): a new struct file with one reference (fput
 * it), whose pages are shared by everyone who maps it. ERR_PTR(-ENOMEM)
 * or ERR_PTR(-ENOSPC). */
struct file *shmem_file_create(size_t size);
/* memfd_create's file: an empty shmem file of mode 0777 (so fexecve can
 * run it), sealable only if allow_sealing (MFD_ALLOW_SEALING; else it
 * carries F_SEAL_SEAL). name is not kept. Errors as shmem_file_create. */
struct file *memfd_file_create(const char *name, bool allow_sealing);
/* fcntl F_ADD_SEALS / F_GET_SEALS on f */
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
/* fcntl's seal commands on f (the caller's reference): F_ADD_SEALS adds
 * arg's seals (EPERM without write access or once F_SEAL_SEAL is set,
 * EINVAL for unknown bits or a file that keeps no seals, EBUSY for
 * F_SEAL_WRITE while a shared mapping may write) and returns 0;
 * F_GET_SEALS returns the seals or EINVAL. Takes the inode's lock. */
long memfd_fcntl(struct file *f, int cmd, uint64_t arg);
/* A FIFO's file operations (fs/pipe.c), which a file system's special
 * inodes use. */
extern const struct file_ops fifo_fops;
#endif
