/*
 * fat_vfs.h — FAT32 in the VFS (fs/fat/fat_vfs_super.c, fat_vfs.c): what
 * kmain calls.
 *
 * Layer: fs, a file system under the VFS core; the glue calls the FAT32
 * core (fs/fat/fat32.h) and the VFS (fs/super.c, page cache). Locks: none
 * across this call.
 */
#ifndef KITE_FAT_VFS_H
#define KITE_FAT_VFS_H

/* At boot: register the "vfat" file system type and its aliases "fat"
 * and "msdos" (fs/super.c's register_fs). */
void fat_init(void);

#endif
