/*
 * uio.h — a description of the buffers of one read or write (BSD's uio).
 *
 * File operations never see raw user pointers: read()/readv()/pread() all
 * describe their buffers as a uio, and the file moves data with
 * uio_copy_to() / uio_copy_from(). Kernel callers (the ELF loader, the
 * page cache) use the same operations with kernel buffers.
 *
 * Layer: core (kern/uaccess.c implements the copies). Above: every file
 * kind's read and write, the page cache, sockets. Locks: none; a user
 * uio may fault pages in (mm->lock, sleeps).
 */
#ifndef KITE_UIO_H
#define KITE_UIO_H

#include "kern/types.h"

struct kiovec {
  uint64_t base;        /* user address (uaddr_t) or kernel address */
  uint64_t len;
};

struct uio {
  struct kiovec *iov;   /* current segment */
  int iovcnt;           /* segments left, including the current one */
  size_t resid;         /* bytes left in all segments */
  bool kernel;          /* bases are kernel addresses */
  bool bad;             /* a user buffer past the top of user space (access_ok
                           failed): the transfer is EFAULT, after the checks
                           Linux makes first (vfs_read/vfs_write) */
  struct kiovec one;    /* storage for single-segment uios */
};

/* Linux's limits: iovec entries per call, and bytes one read/write moves. */
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000UL

/* One user buffer of len bytes, clipped to MAX_RW_COUNT, then u->bad if
 * it is not all below the top of user space (Linux's import_single_range;
 * read and write check the unclipped length too, as vfs_read does). */
void uio_init_user(struct uio *u, uaddr_t buf, size_t len);
/* Copy in a user iovec array of n entries (the caller has checked n <=
 * UIO_MAXIOV) and describe it as a uio, lengths clipped so the total stays
 * within MAX_RW_COUNT. 0 or -EFAULT (the array, or a segment not below the
 * top of user space), -EINVAL (a negative length), -ENOMEM; on success
 * *iov_out is to be kfree'd. */
long uio_import_user_iovec(uaddr_t uiov, size_t n, struct uio *u, struct kiovec **iov_out);
void uio_init_kernel(struct uio *u, void *buf, size_t len);
/* Copy n bytes from the kernel buffer into the uio (a read). Returns bytes
 * copied — less than n only at a fault, up to the byte where the user's
 * buffer stops being writable — or -EFAULT if nothing was copied. */
long uio_copy_to(struct uio *u, const void *kbuf, size_t n);
/* Copy n bytes out of the uio into the kernel buffer (a write). */
long uio_copy_from(struct uio *u, void *kbuf, size_t n);
/* Skip n bytes. */
void uio_advance(struct uio *u, size_t n);
/* Zero-fill n bytes of the uio. */
long uio_zero(struct uio *u, size_t n);

#endif
