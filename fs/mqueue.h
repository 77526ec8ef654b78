/*
 * mqueue.h — the POSIX message-queue file system (fs/mqueue.c): what the
 * rest of the kernel calls. The mq_* system calls are in kern/syscall.tbl.
 *
 * Layer: fs (a file system and its file kind). kmain calls mqueue_init;
 * fs/mqueue.c calls the VFS core (fs/super.c, fs/dcache.c, fs/vfs.c).
 *
 * Locks: none here (fs/mqueue.c: mq_lock, then each queue's spinlock).
 */
#ifndef KITE_MQUEUE_H
#define KITE_MQUEUE_H

/* At boot, after vfs_init: register the "mqueue" file system type and make
 * its one superblock (Kite has one IPC namespace), which /dev/mqueue and
 * every mount of "mqueue" share. Panics when out of memory. */
void mqueue_init(void);

/* The limits /proc/sys/fs/mqueue shows and root may set (fs/proc_kernel.c
 * reads and writes them; fs/mqueue.c applies them under mq_lock). */
extern int mq_queues_max, mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default;

#endif
