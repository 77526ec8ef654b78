/* pipe.h — pipes (fs/pipe.c). */
#ifndef KITE_PIPE_H
#define KITE_PIPE_H
int do_pipe2(int fds[2], int flags);
struct inode;
/* A file system's FIFO inode is being evicted: free its pipe (call from
 * inode_ops.evict of every file system that makes FIFOs). */
void fifo_inode_evict(struct inode *ino);
#endif
