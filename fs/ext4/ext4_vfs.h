/*
 * ext4_vfs.h — ext4 in the VFS (fs/ext4/ext4_vfs_super.c, ext4_vfs.c): ext4_init registers the "ext4"
 * file system type (and "ext3", "ext2", which the same code mounts).
 */
#ifndef KITE_EXT4_VFS_H
#define KITE_EXT4_VFS_H

void ext4_init(void);

#endif
