/*
 * locks.h — advisory locks (fs/locks.c: POSIX record locks, OFD locks,
 * flock), and the owner of an open file (fs/fown.c: F_SETOWN and friends,
 * O_ASYNC signals, leases).
 *
 * Layer: fs. Above: fcntl and flock (fs/sys_open.c), fd_close and exit
 * (the proc_resource hooks), the open and truncate paths (lease breaks),
 * the file kinds that send O_ASYNC signals. Below: wait queues and
 * kern/signal.c.
 *
 * Locks: locks_lock (fs/locks.c) over every lock list; fown_lock
 * (fs/fown.c) over every struct fown and the leases; both spinlocks, never
 * held while sleeping: waiters drop them first.
 */
#ifndef KITE_LOCKS_H
#define KITE_LOCKS_H
#include "kern/types.h"
struct file;
struct inode;

/* fcntl commands and lock types (asm-generic/fcntl.h, linux/fcntl.h). */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#define F_SETOWN_EX 15
#define F_GETOWN_EX 16
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#define F_OWNER_TID 0
#define F_OWNER_PID 1
#define F_OWNER_PGRP 2
#define LEASE_BREAK_TIME_DEFAULT 45   /* seconds: /proc/sys/fs/lease-break-time */

/* locks.c */
/* Have exit drop a process's POSIX locks when its last thread goes
 * (kern/proc_resource.h). kmain, once, before the first process. */
void locks_init(void);
/* fcntl's F_GETLK, F_SETLK, F_SETLKW and the F_OFD_* forms on f, arg the
 * user's struct flock: 0 (GETLK: the conflicting lock or F_UNLCK copied
 * back), -EFAULT, -EINVAL (bad type, range, or an OFD l_pid), -EBADF (the
 * access mode does not allow the lock's type), -EAGAIN on a conflict
 * without waiting, -EDEADLK, -EINTR/-ERESTARTSYS while waiting, -ENOLCK.
 * Takes locks_lock; sleeps (SETLKW) without it. */
long fcntl_lock(struct file *f, int cmd, uint64_t arg);
/* Drop locks as their owners go: a process's POSIX locks on ino (any
 * close of a descriptor of the file) / all of a process's (exit) / a
 * file's OFD and flock locks (its last close); waiters are woken. Take
 * locks_lock: call with no spinlock held. */
void locks_remove_posix(struct inode *ino, pid_t pid);
void locks_remove_process(pid_t pid);
void locks_remove_file(struct file *f);

/* fown.c: F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX, F_SETSIG, F_GETSIG,
 * F_SETLEASE, F_GETLEASE for descriptor fd of f. */
long fcntl_owner(struct file *f, int fd, int cmd, uint64_t arg);
/* F_SETFL turned O_ASYNC on or off (fd: the descriptor, for si_fd). */
void fasync_set(struct file *f, int fd, bool on);
/* Send the owner's I/O signal (band: POLLIN ...; reason: POLL_IN ...). */
void send_sigio(struct file *f, unsigned band, int reason);
/* Last close: the file's O_ASYNC hooks and leases go. */
void fown_release(struct file *f);
/* open (flags) or truncate (O_WRONLY) of ino by `opener`: break conflicting
 * leases, waiting for their holders (0, -EWOULDBLOCK with O_NONBLOCK, -EINTR). */
int break_lease(struct inode *ino, int flags, struct file *opener);
extern int lease_break_time;  /* /proc/sys/fs/lease-break-time */
#endif
