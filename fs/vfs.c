/*
 * vfs.c — the VFS's inodes and paths: allocating, referencing and
 * touching an inode; taking and dropping a path (mount + dentry); the
 * pseudo mount of nameless files; st_dev.
 *
 * Layer: fs, the VFS core. Neighbours: fs/dcache.c (dentries, the name
 * hash, a path's name), fs/super.c (file system types, superblocks,
 * mounting), fs/namei.c (the walk), fs/file.c.
 *
 * The VFS's files, top to bottom (each object has its header: fs/fs_abi.h
 * the ABI's constants, fs/inode.h, fs/dentry.h, fs/mount.h, fs/file.h,
 * fs/pagecache.h, fs/namei.h; a file includes the ones it uses):
 *   fs/sys_*.c      syscalls: fetch and check arguments
 *   fs/namei.c      path walk: names -> (mount, dentry)
 *   fs/vfs.c        inodes and paths; fs/dcache.c dentries; fs/super.c
 *                   file system types, superblocks, mounts
 *   fs/file.c       open files and descriptor tables
 *   fs/pagecache.c  file pages (read, write, mmap all go through it)
 *   fs/ramfs.c, devfs.c, procfs.c, fat/, ext4/ ...  the file systems
 *
 * Dentries form an in-memory tree of names (the dentry cache). For ramfs
 * the tree *is* the file system; disk file systems fill it on lookup.
 * A dentry's `mounted` count says another file system is mounted on it;
 * the walk crosses into the mount whose mountpoint it is (so the deepest
 * mount on a path wins — the longest-prefix rule, docs/lessons.md L8).
 *
 * Locks: an inode's reference count is atomic; its fields are guarded by
 * ino->lock (a mutex) as fs/inode.h says for each. path_put may free a
 * lazily detached mount's file system (fs/super.c): no spinlock held.
 * Lock order: inode->lock of a parent before a child's; rename takes the
 * global rename_lock first. dcache_lock (spinlock) protects dentry
 * children lists and reference counts; mount_lock protects the mount list.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/xattr.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include <string.h>

/* Objects in use, for /proc/sys/fs/{inode-nr,dentry-state,file-nr} (atomics). */
uint64_t vfs_nr_inodes, vfs_nr_dentries, vfs_nr_files;

/* ---- inodes ---- */

struct inode *inode_alloc(struct super_block *sb, mode_t mode)
{
  struct inode *ino = kzalloc(sizeof(*ino));
  if (!ino)
    return NULL;
  __atomic_add_fetch(&vfs_nr_inodes, 1, __ATOMIC_RELAXED);
  ino->sb = sb;
  ino->mode = mode;
  ino->nlink = 1;
  ino->refcount = 1;
  ino->ino = sb ? __atomic_add_fetch(&sb->next_ino, 1, __ATOMIC_RELAXED) : 0;
  /* unique among the inodes made since boot: a file handle of one file
   * system never opens another's file of the same number (a disk file
   * system sets its own, kept on disk) */
  static uint32_t generation;
  ino->generation = __atomic_add_fetch(&generation, 1, __ATOMIC_RELAXED);
  mutex_init(&ino->lock, "inode");
  page_cache_init(&ino->pages);
  wait_queue_init(&ino->wq);
  uint64_t now = time_realtime_ns();
  ino->atime.tv_sec = ino->mtime.tv_sec = ino->ctime.tv_sec = now / NSEC_PER_SEC;
  ino->atime.tv_nsec = ino->mtime.tv_nsec = ino->ctime.tv_nsec = now % NSEC_PER_SEC;
  return ino;
}

void iget(struct inode *ino)
{
  __atomic_add_fetch(&ino->refcount, 1, __ATOMIC_RELAXED);
}

void iput(struct inode *ino)
{
  if (!ino)
    return;
  if (__atomic_sub_fetch(&ino->refcount, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  if (ino->iop && ino->iop->evict)
    ino->iop->evict(ino);
  simple_xattrs_free(ino);
  page_cache_release_all(ino);
  __atomic_sub_fetch(&vfs_nr_inodes, 1, __ATOMIC_RELAXED);
  kfree(ino);
}

/* Set mtime and ctime (modify) or just ctime to now. */
void inode_touch(struct inode *ino, bool modify)
{
  uint64_t now = time_realtime_ns();
  struct timespec64 ts = { (int64_t)(now / NSEC_PER_SEC), (int64_t)(now % NSEC_PER_SEC) };
  if (modify)
    ino->mtime = ts;
  ino->ctime = ts;
  ino->dirty = true;
}

/* Is a's time at or after b's? */
static bool ts_not_before(struct timespec64 a, struct timespec64 b)
{
  return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

#define RELATIME_AGE (24 * 60 * 60) /* seconds: relatime updates an atime older than this */

/*
 * Linux's file_accessed/touch_atime: a read of a regular file or a listing
 * of a directory sets its atime to now (other kinds are left alone), unless it was opened O_NOATIME, the
 * mount is read-only, noatime, or nodiratime for a directory, or (relatime,
 * the default unless strictatime) its atime is already after its mtime
 * and ctime and less than a day old. Files without a mount (pipes,
 * sockets) are left alone. No lock held; the times are plain stores, as
 * inode_touch's.
 */
void file_accessed(struct file *f)
{
  struct inode *ino = f->inode;
  struct mount *m = f->path.mnt;
  if (!ino || !m || (f->flags & O_NOATIME) || !(S_ISREG(ino->mode) || S_ISDIR(ino->mode)))
    return;
  uint32_t mf = m->flags | (m->sb->flags & (MS_RDONLY | MS_NOATIME | MS_NODIRATIME));
  if (mf & (MS_RDONLY | MS_NOATIME))
    return;
  if (S_ISDIR(ino->mode) && (mf & MS_NODIRATIME))
    return;
  uint64_t ns = time_realtime_ns();
  struct timespec64 now = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
  if (!(mf & MS_STRICTATIME) && !ts_not_before(ino->mtime, ino->atime) &&
      !ts_not_before(ino->ctime, ino->atime) && now.tv_sec - ino->atime.tv_sec < RELATIME_AGE)
    return;
  ino->atime = now;
  ino->dirty = true;
}

void path_get(struct path *p)
{
  if (p->dentry)
    dget(p->dentry);
  if (p->mnt)
    __atomic_add_fetch(&p->mnt->refcount, 1, __ATOMIC_RELAXED);
}

void path_put(struct path *p)
{
  if (p->dentry)
    dput(p->dentry);
  if (p->mnt && __atomic_sub_fetch(&p->mnt->refcount, 1, __ATOMIC_ACQ_REL) == 0 &&
      READ_ONCE(p->mnt->release_on_last_put))
    mount_release_detached(p->mnt);
}

/* ---- the pseudo mount of nameless files ----
 * A pipe, socket or epoll instance has no name, yet a magic link to one
 * (/proc/self/fd/N) must lead somewhere: to a dentry made for the purpose
 * under this mount, which is never attached to the tree. It lives while
 * the path does (transient: freed at its last dput). Linux's pipefs and
 * sockfs mounts play this part. */
static struct super_block pseudo_sb = { .magic = 0x50495045 };
static struct mount pseudo_mnt = { .sb = &pseudo_sb, .source = "none", .refcount = 1 };
static struct dentry *pseudo_root;

void vfs_init(void)
{
  pseudo_root = dentry_alloc(NULL, "/", 1);
  if (!pseudo_root)
    panic("vfs_init: out of memory");
  pseudo_root->sb = &pseudo_sb;
  pseudo_sb.root = pseudo_root;
  pseudo_mnt.root = pseudo_root;
}

/* A path for ino (referenced into *out) on the pseudo mount. */
int vfs_pseudo_path(struct inode *ino, const char *name, struct path *out)
{
  struct dentry *d = dentry_alloc(pseudo_root, name, strlen(name));
  if (!d)
    return -ENOMEM;
  iget(ino);
  d->sb = ino->sb;
  d->transient = true;
  d_instantiate(d, ino);
  out->dentry = d;
  out->mnt = &pseudo_mnt;
  __atomic_add_fetch(&pseudo_mnt.refcount, 1, __ATOMIC_RELAXED);
  return 0;
}

bool path_is_pseudo(const struct path *p)
{
  return p->mnt == &pseudo_mnt;
}

/* st_dev: the superblock's device, or an anonymous 0:n for in-memory file systems. */
dev_t inode_dev(struct inode *ino)
{
  if (!ino->sb)
    return 0;
  if (ino->sb->dev)
    return ino->sb->dev;
  /* anonymous devices for in-memory file systems: 0:n by superblock */
  return MKDEV(0, ((uintptr_t)ino->sb >> 6) & 0xff);
}
