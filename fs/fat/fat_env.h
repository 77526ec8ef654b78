/*
 * fat_env.h — what the FAT32 core (fat32.c, fat_dir.c) needs from the world
 * around it: memory, a sleeping lock, the time of day, a log, and blocks.
 *
 * The core knows FAT32 and nothing about Kite. It is built twice:
 *   - in the kernel, where fs/fat/fat_env_kernel.c implements this interface
 *     on top of the block cache (fs/bcache.h) and the block device
 *     (drivers/blk.h);
 *   - on the host (compiled with -DKITE_HOST), where
 *     testsuite/host/fat_env_host.c implements it on a plain image file, so
 *     the host unit tests run the very same code on images made by
 *     mkfs.vfat and check them with fsck.fat and mtools.
 *
 * Errors are negative Linux errno values in both builds.
 *
 * Layer: fs, the bottom of the FAT32 core: the core (fat32.c, fat_dir.c,
 * fat_file.c ...) calls only these; fat_env_kernel.c implements them over
 * kern/ and the block layer.
 *
 * Locks: fat_env_lock is a sleeping lock; the block calls may sleep for
 * I/O, so no spinlock may be held across any of them.
 */
#ifndef KITE_FAT_ENV_H
#define KITE_FAT_ENV_H

#ifdef KITE_HOST
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#else
#include "kern/types.h"
#include "kern/errno.h"
#include <string.h>
#endif

/* ---- memory ---- */
/* zalloc: size zeroed bytes, or NULL if out of memory (may sleep);
 * free: give them back (NULL does nothing). */
void *fat_env_zalloc(size_t size);
void fat_env_free(void *p);

/* ---- a sleeping lock (a mutex in the kernel) ---- */
/* lock_new: a new unlocked lock named name (for lock debugging), NULL if
 * out of memory; lock_free: free an unlocked one. lock/unlock: take
 * (sleeping until it is free; not recursive) and release it. */
struct fat_env_lock;
struct fat_env_lock *fat_env_lock_new(const char *name);
void fat_env_lock_free(struct fat_env_lock *l);
void fat_env_lock(struct fat_env_lock *l);
void fat_env_unlock(struct fat_env_lock *l);

/* ---- time and log ---- */
/* The time of day: seconds since 1970-01-01 UTC, and nanoseconds. */
int64_t fat_env_now(int32_t *nsec);
void fat_env_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- blocks ----
 * `dev` is whatever the environment passed to fat_mount(). Metadata (boot
 * sector, FSInfo, FAT, directories) goes through a cache of blocks of
 * `size` bytes (the file system's sector size); block `blockno` starts at
 * byte blockno * size. A buffer is held by one user between bread and
 * brelse. File data does not use the cache: fat_env_rw() moves whole
 * 512-byte device sectors between the disk and a buffer (a page). */
struct fat_buf;
/* Block `blockno`, read from disk if needed; NULL on an I/O error (*err set). */
struct fat_buf *fat_env_bread(void *dev, uint64_t blockno, uint32_t size, int *err);
/* The same without reading: the caller overwrites all of it. */
struct fat_buf *fat_env_bget_noread(void *dev, uint64_t blockno, uint32_t size, int *err);
void *fat_env_bdata(struct fat_buf *b);
void fat_env_bdirty(struct fat_buf *b);   /* written back later (or at sync) */
void fat_env_brelse(struct fat_buf *b);
int fat_env_bsync(void *dev);             /* write back every dirty block, flush */
/* Forget cached blocks overlapping these 512-byte sectors (a directory's
 * clusters that are freed and may come back as file data). */
void fat_env_binvalidate(void *dev, uint64_t sector, uint64_t count);
/* Direct transfer of `count` 512-byte sectors; buf is contiguous. */
int fat_env_rw(void *dev, bool write, uint64_t sector, void *buf, uint32_t count);
uint64_t fat_env_nsectors(void *dev);     /* size of the device in 512-byte sectors */
bool fat_env_read_only(void *dev);

#endif
