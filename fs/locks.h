/* locks.h — POSIX record locks (fcntl), OFD locks and flock (fs/locks.c). */
#ifndef KITE_LOCKS_H
#define KITE_LOCKS_H
#include "kern/types.h"
struct file;
struct inode;
long fcntl_lock(struct file *f, int cmd, uint64_t arg);
void locks_remove_posix(struct inode *ino, pid_t pid);
void locks_remove_process(pid_t pid);
void locks_remove_file(struct file *f);
#endif
