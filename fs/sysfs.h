/*
 * sysfs.h — a minimal sysfs (fs/sysfs.c): /sys/block/<disk>/stat and
 * /sys/block/<disk>/<partition>/stat, each device's I/O statistics as
 * Linux prints them (drivers/blk.c keeps the counters).
 *
 * Layer: fs, a file system under the VFS core, built on ramfs (fs/ramfs.c)
 * for its directories; reads drivers/blk.h. kmain calls sysfs_init, the
 * first process sysfs_add_block_devices.
 *
 * Locks: none of its own (the directories' inode locks while it fills
 * them; blk_stat_lock inside blockdev_stat_line).
 */
#ifndef KITE_SYSFS_H
#define KITE_SYSFS_H

/* At boot, after ramfs_init: make the one sysfs superblock (with an empty
 * block/) and register the "sysfs" type; every mount of it shows that
 * superblock, as on Linux. Panics when out of memory. */
void sysfs_init(void);
/* Once the disks' partitions are known (the first process, before init
 * runs): block/<disk>/stat for every registered whole device (disks, loop
 * devices), block/<disk>/<partition>/stat for its partitions. Devices
 * registered later do not appear. Sleeps (inode locks). */
void sysfs_add_block_devices(void);

#endif
