/*
 * anon_inodes.h — files with no path for in-kernel objects (Linux's
 * include/linux/anon_inodes.h): epoll, eventfd, timerfd, signalfd,
 * inotify and pidfd instances are such files.
 *
 * Layer: fs. Built on fs/file.c (file_alloc) and fs/inode.h (inode_alloc);
 * the file kinds above call it, then fd_install (fs/fdtable.h).
 *
 * Locks: none of its own.
 */
#ifndef KITE_ANON_INODES_H
#define KITE_ANON_INODES_H

struct file;
struct file_ops;

/*
 * A new file for an in-kernel object: no path, a private inode of the
 * anonymous super block (mode 0600, no file type), f->fop = fops,
 * f->priv = priv, flags O_RDWR plus the O_NONBLOCK of `flags`. Returns the
 * file with one reference (the caller's; fput it, or hand it to
 * fd_install), or NULL when out of memory — then priv is still the
 * caller's to free. On success the file owns priv: fops->release frees it
 * at the last fput. No locks held or taken; may not be called with a spin
 * lock held (it allocates).
 */
struct file *anon_file(const struct file_ops *fops, void *priv, int flags);

#endif
