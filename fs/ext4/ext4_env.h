/*
 * ext4_env.h — what the ext4 core (fs/ext4/ext4_*.c but ext4_vfs*.c) needs
 * from the world around it: memory, a sleeping lock, the time of day, a
 * log, and blocks.
 *
 * The core knows ext4 and nothing about Kite. It is built twice:
 *   - in the kernel, where fs/ext4/ext4_env_kernel.c implements this
 *     interface on the block cache (fs/bcache.h) and the block device
 *     (drivers/blk.h);
 *   - on the host (compiled with -DKITE_HOST), where
 *     testsuite/host/ext4_env_host.c implements it on an image file, so the
 *     host tests run the very same code on images made by mke2fs and check
 *     them with e2fsck and debugfs.
 *
 * Blocks. Metadata goes through a cache of file-system blocks: a buffer is
 * held (locked) by one user between bread and brelse. The journal needs two
 * more things than FAT did: a buffer can be *pinned* (kept in memory,
 * unlocked, not written and not evicted) while the running transaction owns
 * its new contents, and the device cache can be *flushed* (a write barrier:
 * every write issued before has reached the medium). File data does not use
 * the cache: ext4_env_rw() moves whole 512-byte sectors between the disk and
 * a contiguous buffer (a page).
 *
 * Errors are negative Linux errno values in both builds.
 *
 * Layer: fs, the bottom of the ext4 core: the core calls only these;
 * ext4_env_kernel.c implements them over kern/ and the block layer.
 *
 * Locks: ext4_env_lock is a sleeping lock; the block calls may sleep for
 * I/O, so no spinlock may be held across any of them.
 */
#ifndef KITE_EXT4_ENV_H
#define KITE_EXT4_ENV_H

#ifdef KITE_HOST
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#else
#include "kern/types.h"
#include "kern/errno.h"
#include <string.h>
#endif

#ifndef EUCLEAN
#define EUCLEAN 117            /* Linux's EFSCORRUPTED: a damaged structure */
#endif
#define EFSCORRUPTED EUCLEAN
#define EFSBADCRC EBADMSG      /* Linux's answer for a bad checksum */

/* ---- memory ---- */
/* zalloc: size zeroed bytes, or NULL if out of memory (may sleep);
 * free: give them back (NULL does nothing). */
void *ext4_env_zalloc(size_t size);
void ext4_env_free(void *p);

/* ---- a sleeping lock (a mutex in the kernel) ---- */
/* lock_new: a new unlocked lock named name (for lock debugging), NULL if
 * out of memory; lock_free: free an unlocked one. lock/unlock: take
 * (sleeping until it is free; not recursive) and release it. */
struct ext4_env_lock;
struct ext4_env_lock *ext4_env_lock_new(const char *name);
void ext4_env_lock_free(struct ext4_env_lock *l);
void ext4_env_lock(struct ext4_env_lock *l);
void ext4_env_unlock(struct ext4_env_lock *l);

/* ---- time and log ---- */
/* The time of day: seconds since 1970-01-01 UTC, and nanoseconds. */
int64_t ext4_env_now(int32_t *nsec);
void ext4_env_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- blocks (`dev` is what the environment passed to ext4_mount) ---- */
struct ext4_buf;
/* Block `blockno` of `size` bytes, locked, read from disk if needed; NULL on
 * an I/O error (*err set). */
struct ext4_buf *ext4_env_bread(void *dev, uint64_t blockno, uint32_t size, int *err);
/* The same without reading: the caller overwrites all of it. */
struct ext4_buf *ext4_env_bget_noread(void *dev, uint64_t blockno, uint32_t size, int *err);
void *ext4_env_bdata(struct ext4_buf *b);
void ext4_env_bdirty(struct ext4_buf *b);   /* may be written home from now on */
int ext4_env_bwrite(struct ext4_buf *b);    /* write it home now (still held) */
void ext4_env_brelse(struct ext4_buf *b);   /* unlock and drop the reference */
/* Keep a held buffer in memory after brelse (one reference), until unpin.
 * A pinned buffer that is not dirty is never written. */
void ext4_env_bpin(struct ext4_buf *b);
void ext4_env_bunpin(struct ext4_buf *b);
/* Write back every dirty block of dev, then flush the device. */
int ext4_env_bsync(void *dev);
/* Forget cached blocks overlapping these 512-byte sectors (metadata blocks
 * that were freed and may come back as file data); dirty ones are dropped. */
void ext4_env_binvalidate(void *dev, uint64_t sector, uint64_t count);
/* Direct transfer of `count` 512-byte sectors; buf is contiguous. */
int ext4_env_rw(void *dev, bool write, uint64_t sector, void *buf, uint32_t count);
/* Make every completed write durable (a barrier). */
int ext4_env_flush(void *dev);
uint64_t ext4_env_nsectors(void *dev);  /* size of the device in 512-byte sectors */
bool ext4_env_read_only(void *dev);

#endif
