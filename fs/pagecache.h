/*
 * pagecache.h — the pages of a file (fs/pagecache.c): finding, reading,
 * dirtying and writing them back, and changing a file's size through
 * them. A VFS header (fs/vfs.c
 * draws the VFS).
 *
 * Layer: fs, the VFS core. Reads, writes (generic_file_read/_write) and
 * mapping faults (fs/filemap.c) all find pages here; a file system
 * supplies readpage and writepage.
 *
 * Locks: ino->pages.lock (a mutex) serialises one file's tree; it ranks
 * below mm->lock and ino->lock.
 */
#ifndef KITE_PAGECACHE_H
#define KITE_PAGECACHE_H

#include "fs/inode.h"

/* An empty cache for a new inode (inode_alloc calls it). */
void page_cache_init(struct page_cache *pc);
/* The cached page index of ino, referenced (put_page it), or NULL: nothing
 * is read or made. Takes pages.lock. */
struct page *page_cache_peek(struct inode *ino, uint64_t index);
/* Page index of ino, read in (iop->readpage; zeroed without one) or, with
 * create, made if the file system has no page there yet: referenced
 * (put_page it), or ERR_PTR(-ENOMEM, -ENOSPC for a full tmpfs, or the
 * read's error). Takes pages.lock (may sleep reading); the caller may
 * hold ino->lock, not pages.lock. */
struct page *page_cache_get(struct inode *ino, uint64_t index, bool create);
/* Make p, a whole page of data the caller owns, the page index of ino (a
 * memory-only file: ramfs, tmpfs) without copying it, and grow the file
 * to cover it: the initramfs hands its archive's pages to its files this
 * way (fs/initramfs.c). The caller's reference passes to the cache on
 * success. 0, or -EINVAL (the file has a backing store), -EEXIST (a page
 * is cached there), -ENOSPC (a full tmpfs), -ENOMEM. Takes ino->lock,
 * then pages.lock. */
int page_cache_give(struct inode *ino, uint64_t index, struct page *p);
/* Drop the pages wholly past size, zero the rest of the last one. The
 * caller holds ino->lock; takes pages.lock. */
void page_cache_truncate(struct inode *ino, off_t size);
/* A hole punched in [start, end): drop its whole pages, zero the rest of
 * it. Locks as for page_cache_truncate. */
void page_cache_punch(struct inode *ino, off_t start, off_t end);
/* Write every dirty page back (iop->writepage; none: 0). 0 or the first
 * error. Takes pages.lock; the caller may hold ino->lock. */
int page_cache_writeback(struct inode *ino);
/* Drop every page (the inode is going: iput). Takes pages.lock. */
void page_cache_release_all(struct inode *ino);
/* Mark p dirty (written back by page_cache_writeback or msync). The
 * caller holds a reference to p. */
void page_mark_dirty(struct page *p);


/* Change ino's size to size: the file system's truncate, then the page
 * cache (pages past it dropped, a grown file reads zeros there). 0 or
 * -errno (-EFBIG, -ENOSPC, the file system's). The caller holds ino->lock. */
int vfs_truncate(struct inode *ino, off_t size);
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
/* fallocate(2) on ino (mode 0, FALLOC_FL_KEEP_SIZE, with PUNCH_HOLE):
 * the file system's own, else in memory for memory-only files, else mode
 * 0 grows the file as truncate does. 0 or -EFBIG, -ENOSPC, -EOPNOTSUPP.
 * The caller holds ino->lock. */
int vfs_fallocate(struct inode *ino, int mode, off_t off, off_t len);

#endif
