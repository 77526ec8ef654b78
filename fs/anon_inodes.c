/*
 * anon_inodes.c — files with no path for in-kernel objects (Linux's
 * fs/anon_inodes.c).
 *
 * epoll (fs/epoll.c), eventfd, timerfd, signalfd, inotify and pidfd
 * (kern/pidfd.c) instances are files with an inode but no name: each gets
 * a private inode of one anonymous super block (magic ANON_INODE_FS_MAGIC,
 * as Linux's anon_inodefs), so fstat gives them an inode number and a
 * device, and the calls that want a regular file refuse them.
 *
 * Layer: fs. Below: fs/file.c (file_alloc), fs/vfs.c (inode_alloc, iput).
 * Above: the file kinds named here, which then install a descriptor.
 *
 * Locks: none of its own; anon_sb.next_ino is advanced by inode_alloc.
 */
#include "fs/anon_inodes.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "kern/mm.h"

static struct super_block anon_sb = { .magic = 0x09041934, .next_ino = 1 };

/*
 * The inode has no file type, as Linux's anonymous inode (mode 0600): the
 * calls that want a regular file (readahead, fallocate, ftruncate, fsync,
 * FIONREAD) refuse it as they refuse other special files.
 */
struct file *anon_file(const struct file_ops *fops, void *priv, int flags)
{
  struct file *f = file_alloc();
  struct inode *ino = inode_alloc(&anon_sb, 0600);
  if (!f || !ino) {
    kfree(f);
    if (ino)
      iput(ino);
    return NULL;
  }
  f->inode = ino;
  f->fop = fops;
  f->priv = priv;
  f->flags = O_RDWR | (flags & O_NONBLOCK);
  return f;
}
