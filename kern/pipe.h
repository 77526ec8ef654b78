/* pipe.h — pipes (kern/pipe.c). */
#ifndef KITE_PIPE_H
#define KITE_PIPE_H
#include "kern/types.h"
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
#endif
