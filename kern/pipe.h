/*
 * pipe.h — pipes and FIFOs (fs/pipe.c), and what splice needs of them.
 *
 * Layer: fs, a file kind; the header stays in kern/ for its callers
 * (fs/sys_open.c, kern/sys_splice.c, the file systems that make FIFOs).
 * Locks: pipe->lock (a mutex) guards the ring and the reader/writer
 * counts; readers and writers sleep on the pipe's wait queues without it.
 */
#ifndef KITE_PIPE_H
#define KITE_PIPE_H
#include "kern/types.h"
/* pipe2: a new pipe as two descriptors of the caller's table, fds[0] for
 * reading, fds[1] for writing (flags: O_NONBLOCK, O_CLOEXEC, O_DIRECT).
 * Returns 0, -EINVAL for other flags, -ENFILE when out of memory, or
 * fd_install's -EMFILE (nothing left installed). No lock held. */
int do_pipe2(int fds[2], int flags);
struct inode;
/* A file system's FIFO inode is being evicted: free its pipe (call from
 * inode_ops.evict of every file system that makes FIFOs). */
void fifo_inode_evict(struct inode *ino);
/* F_GETPIPE_SZ / F_SETPIPE_SZ (-EBADF for other files); /proc/sys/fs/pipe-max-size. */
struct file;
long pipe_get_size(struct file *f);
long pipe_set_size(struct file *f, uint64_t arg);
extern int pipe_max_size;

/* splice, tee and vmsplice (kern/sys_splice.c) on pipe files. */
struct pipe;
struct pipe *file_pipe(struct file *f);   /* the pipe of a pipe or FIFO file, or NULL */
/* From pipe file pf into out at *pos (NULL: out keeps no position), at
 * most len bytes: bytes moved, 0 (empty, no writer), -EAGAIN ... */
ssize_t pipe_splice_out(struct file *pf, struct file *out, off_t *pos, size_t len, bool nonblock);
/* From in at *pos into pipe file pf. */
ssize_t pipe_splice_in(struct file *in, off_t *pos, struct file *pf, size_t len, bool nonblock);
/* vmsplice: user memory into the pipe (as much as fits), or out of it. */
struct uio;
ssize_t pipe_vmsplice_to(struct file *pf, struct uio *u, bool nonblock);
ssize_t pipe_vmsplice_from(struct file *pf, struct uio *u, bool nonblock);
/* Pipe to pipe; tee copies without consuming the input. */
ssize_t pipe_splice_pipe(struct file *inf, struct file *outf, size_t len, bool nonblock, bool tee);
#endif
