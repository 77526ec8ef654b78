/*
 * inotify.h — file-system events for inotify (fs/inotify.c).
 *
 * The VFS reports what happens to files through the inotify_* calls
 * below; they cost one unlocked check when nobody watches the inode (or,
 * for the events a directory hears about its entries, its parent).
 *
 * Layer: fs, the VFS core. The VFS's operations (fs/fsops.c, fs/file.c,
 * fs/sys_*.c ...) call the event functions; inotify.c calls the dentry
 * cache and the wait queues, and makes its instances with anon_file.
 *
 * Locks: inotify_lock (a spinlock) guards every watch list; an instance's
 * lock its event queue (below inotify_lock). The event calls may be made
 * with inode locks held; they never sleep.
 */
#ifndef KITE_INOTIFY_H
#define KITE_INOTIFY_H

#include "kern/types.h"

struct inode;
struct dentry;
struct file;
struct super_block;

/* /proc/<pid>/fdinfo/<fd> of an inotify descriptor: one "inotify wd:..
 * ino:.. sdev:.. mask:.." line per watch (nothing for other files). */
void inotify_show_fdinfo(struct file *f, void (*print)(void *ctx, const char *fmt, ...), void *ctx);

/* The limits /proc/sys/fs/inotify/ shows and root may set (fs/inotify.c).
 * The first two are the initial user namespace's, as on Linux, where
 * /proc/sys/user/max_inotify_{instances,watches} show the same numbers
 * (kern/ucount.c); here they count for everyone, not per user. */
#include "kern/user_namespace.h"
#define inotify_max_user_instances (init_user_ns.ucount_max[UCOUNT_INOTIFY_INSTANCES])
#define inotify_max_user_watches (init_user_ns.ucount_max[UCOUNT_INOTIFY_WATCHES])
extern int inotify_max_queued_events;

/* Event bits (uapi/linux/inotify.h). */
#define IN_ACCESS 0x00000001
#define IN_MODIFY 0x00000002
#define IN_ATTRIB 0x00000004
#define IN_CLOSE_WRITE 0x00000008
#define IN_CLOSE_NOWRITE 0x00000010
#define IN_OPEN 0x00000020
#define IN_MOVED_FROM 0x00000040
#define IN_MOVED_TO 0x00000080
#define IN_CREATE 0x00000100
#define IN_DELETE 0x00000200
#define IN_DELETE_SELF 0x00000400
#define IN_MOVE_SELF 0x00000800
#define IN_ALL_EVENTS 0x00000fff
#define IN_UNMOUNT 0x00002000
#define IN_Q_OVERFLOW 0x00004000
#define IN_IGNORED 0x00008000
#define IN_ONLYDIR 0x01000000
#define IN_DONT_FOLLOW 0x02000000
#define IN_EXCL_UNLINK 0x04000000
#define IN_MASK_CREATE 0x10000000
#define IN_MASK_ADD 0x20000000
#define IN_ISDIR 0x40000000
#define IN_ONESHOT 0x80000000

/* Something happened to ino itself (IN_ATTRIB, IN_MOVE_SELF ...). */
void inotify_inode_event(struct inode *ino, uint32_t mask, const char *unused);
/* Something happened to the file at dentry d: its own watches hear it,
 * and so does its directory's, with d's name (access, modify, attrib,
 * open, close). */
void inotify_dentry_event(struct dentry *d, uint32_t mask);
/* The same for an open file (read, write, open, close). Every read and
 * write passes here: with no watch anywhere (the common case) it is one
 * load, inline, and no call (docs/performance.md, issue 14). */
extern int inotify_nr_watches;
void inotify_file_event_watched(struct file *f, uint32_t mask);
static inline void inotify_file_event(struct file *f, uint32_t mask)
{
  if (READ_ONCE(inotify_nr_watches))
    inotify_file_event_watched(f, mask);
}
/* An entry of directory dir changed (create, delete, moved from/to). */
void inotify_dir_event(struct inode *dir, uint32_t mask, const char *name, uint32_t cookie);
/* The last name of ino is gone and so is the last use of it through that
 * name: IN_DELETE_SELF, and its watches end (IN_IGNORED). */
void inotify_inode_removed(struct inode *ino);
/* Every watch on a file system being unmounted: IN_UNMOUNT, IN_IGNORED. */
void inotify_unmount(struct super_block *sb);
/* A fresh cookie tying an IN_MOVED_FROM to its IN_MOVED_TO. */
uint32_t inotify_cookie(void);

#endif
