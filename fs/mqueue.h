/*
 * mqueue.h — the POSIX message-queue file system (fs/mqueue.c): what the
 * rest of the kernel calls. The mq_* system calls are in kern/syscall.tbl.
 *
 * Layer: fs (a file system and its file kind; its instances are
 * fs/mqueue_ns.c's). kmain calls mqueue_init;
 * fs/mqueue.c calls the VFS core (fs/super.c, fs/dcache.c, fs/vfs.c).
 *
 * Locks: none here (fs/mqueue.c: mq_lock, then each queue's spinlock).
 */
#ifndef KITE_MQUEUE_H
#define KITE_MQUEUE_H

/* At boot, after vfs_init: register the "mqueue" file system type and make
 * the initial IPC namespace's queues (mq_ns_initial), which /dev/mqueue
 * shows. Panics when out of memory. */
void mqueue_init(void);

/* The queues of one IPC namespace (ipc/namespace.c holds one per
 * namespace): a superblock of its own, which a mount of "mqueue" made
 * in that namespace shows. No lock held by the callers. */
struct mq_ns {
  struct super_block *sb;       /* its priv points back here, NULL once the namespace is gone */
  struct mount *mnt;            /* detached: the paths mq_open hands out */
  int nr_queues;                /* mq_lock: what queues_max limits */
};
struct mq_ns *mq_ns_initial(void);
/* A new, empty set, or NULL when out of memory. */
struct mq_ns *mq_ns_create(void);
/* The namespace is gone: its queues are unlinked (one still open lives
 * until its last descriptor closes, as on Linux) and m is freed; a mount
 * of it still shows what is left. */
void mq_ns_destroy(struct mq_ns *m);

/* The limits /proc/sys/fs/mqueue shows and root may set (fs/proc_kernel.c
 * reads and writes them; fs/mqueue.c applies them under mq_lock). */
extern int mq_queues_max, mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default;

/* Between fs/mqueue.c and fs/mqueue_ns.c only. */
struct inode;
struct dentry;
extern struct mutex mq_lock;                    /* the queue counts, the per-user charges */
extern const struct inode_ops mq_dir_iops;      /* a root directory of queues */
extern const struct file_ops mq_dir_fops;
/* Unlink queue d from dir (dir's inode lock held). 0. */
int mq_dir_unlink(struct inode *dir, struct dentry *d);
/* The caller's IPC namespace's queues (the initial ones before ipc_init:
 * the boot mounts /dev/mqueue first). */
struct mq_ns *mq_current(void);

#endif
