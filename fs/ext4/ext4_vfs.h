/*
 * ext4_vfs.h — ext4 in the VFS (fs/ext4/ext4_vfs_super.c, ext4_vfs.c):
 * what kmain calls.
 *
 * Layer: fs, a file system under the VFS core; the glue calls the ext4
 * core (fs/ext4/ext4.h) and the VFS (fs/super.c, page cache). Locks: none
 * across this call.
 */
#ifndef KITE_EXT4_VFS_H
#define KITE_EXT4_VFS_H

/* At boot: register the "ext4" file system type and "ext3", "ext2", which
 * the same code mounts (fs/super.c's register_fs). */
void ext4_init(void);

#endif
