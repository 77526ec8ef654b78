/*
 * fat_vfs.h — FAT32 in the VFS (fs/fat/fat_vfs_super.c, fat_vfs.c): fat_init registers the "vfat"
 * file system type (and the aliases "fat", "msdos").
 */
#ifndef KITE_FAT_VFS_H
#define KITE_FAT_VFS_H

void fat_init(void);

#endif
