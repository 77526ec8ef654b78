/*
 * inode.h — the inode: one per file in use, whatever its file system; its
 * operations (struct inode_ops), its page cache's root, and the functions
 * of fs/vfs.c that make, reference and touch one. A VFS header (fs/vfs.c
 * draws the VFS).
 *
 * Layer: fs, the VFS core. Each file system fills inode_ops; fs/namei.c,
 * fs/fsops.c, fs/file.c and fs/pagecache.c call them.
 *
 * Locks: refcount is atomic; ino->lock (a sleeping mutex) serialises
 * writes, size changes and changes to a directory (a parent's before a
 * child's; rename takes rename_lock first); the page cache has its own
 * pages.lock below it.
 */
#ifndef KITE_INODE_H
#define KITE_INODE_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/wait.h"
#include "kern/time.h"
#include "fs/fs_abi.h"

struct uio;
struct page;
struct vma;
struct poll_table;
struct super_block;
struct dentry;
struct inode;
struct file;
struct mount;
struct fown;
struct path;

/* ---- page cache: the pages of one file, indexed by page number ---- */
struct page_cache {
  struct mutex lock;
  void *root;                 /* radix tree of struct page * (fs/pagecache.c) */
  int height;
  uint64_t nrpages;
};

/* ---- inode ---- */
struct inode_ops {
  /* directory operations: the dentry is a child of dir (negative for create) */
  int (*lookup)(struct inode *dir, struct dentry *d);   /* 0 (maybe negative) or -errno */
  int (*create)(struct inode *dir, struct dentry *d, mode_t mode);
  int (*mkdir)(struct inode *dir, struct dentry *d, mode_t mode);
  int (*mknod)(struct inode *dir, struct dentry *d, mode_t mode, dev_t dev);
  /* O_TMPFILE: make an unnamed regular file (nlink 0) on the unlinked dentry d */
  int (*tmpfile)(struct inode *dir, struct dentry *d, mode_t mode);
  int (*symlink)(struct inode *dir, struct dentry *d, const char *target);
  int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
  int (*unlink)(struct inode *dir, struct dentry *d);
  int (*rmdir)(struct inode *dir, struct dentry *d);
  int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
                unsigned flags);
  int (*readlink)(struct inode *ino, char *buf, size_t size);  /* length or -errno */
  /* A magic link (/proc/<pid>/fd/N, cwd, root): the object itself, as a
   * referenced path, instead of a name to walk (Linux's nd_jump_link). */
  int (*get_link)(struct inode *ino, struct path *out);
  /* file data: fill a page-cache page / write one back / change the size */
  int (*readpage)(struct inode *ino, struct page *p, uint64_t index);
  int (*writepage)(struct inode *ino, struct page *p, uint64_t index);
  int (*truncate)(struct inode *ino, off_t size);
  int (*fallocate)(struct inode *ino, int mode, off_t off, off_t len);  /* NULL: see vfs_fallocate */
  int (*write_inode)(struct inode *ino);  /* flush metadata (times, size) */
  uint64_t (*blocks)(struct inode *ino);  /* st_blocks (512-byte units); NULL: from the size */
  int (*permission)(struct inode *ino, int mask);  /* NULL: generic_permission (fs/perm.h) */
  void (*evict)(struct inode *ino);        /* last reference gone */
  /* A cached dentry's inode: does its name still name it? false: the
   * lookup drops the dentry (d_delete) and asks the file system again —
   * Linux's d_revalidate; procfs's /proc/<pid> after the pid was reused.
   * NULL: always. No lock held but the directory's, maybe. */
  bool (*revalidate)(struct inode *ino);
  /* Extended attributes (fs/xattr.h), the full name ("user.mime_type");
   * fs/xattr.c has checked the name, the namespace and the permissions.
   * getxattr: the value's length (size 0: just the length; too small:
   * -ERANGE; none: -ENODATA). setxattr: value NULL removes (-ENODATA if
   * there is none); flags XATTR_CREATE / XATTR_REPLACE; a namespace the
   * file system does not keep: -EOPNOTSUPP. listxattr: the NUL-separated
   * names, as getxattr sizes them. All NULL: no extended attributes. The
   * caller holds ino->lock. */
  ssize_t (*getxattr)(struct inode *ino, const char *name, void *buf, size_t size);
  int (*setxattr)(struct inode *ino, const char *name, const void *value, size_t size, int flags);
  ssize_t (*listxattr)(struct inode *ino, char *buf, size_t size);
};

struct inode {
  ino_t ino;
  uint32_t generation;          /* with ino, names this file in a file handle (fs/fhandle.c) */
  mode_t mode;
  uint32_t nlink;
  uid_t uid;
  gid_t gid;
  dev_t rdev;
  off_t size;
  struct timespec64 atime, mtime, ctime;
  struct super_block *sb;
  const struct inode_ops *iop;
  const struct file_ops *fop;   /* used when the inode is opened */
  int refcount;                 /* atomic */
  struct mutex lock;            /* serialises writes, size changes, dir changes */
  struct page_cache pages;
  struct wait_queue wq;         /* for fifos and other waiters */
  void *priv;                   /* file system data */
  bool dirty;                   /* metadata changed (write_inode pending) */
  struct simple_xattrs *xattrs; /* in-memory extended attributes (ramfs, tmpfs) or NULL */
  struct inode_watches *watches; /* inotify watches on it, or NULL (fs/inotify.c) */
  int open_readers, open_writers; /* open files read-only / for writing (leases; fs/fown.c) */
  bool linkable;                /* an O_TMPFILE file that linkat may still give a name */
  int deny_writers;             /* running programs mapped from it: opens for writing get ETXTBSY */
  uint32_t iflags;              /* FS_IOC_GETFLAGS: FS_IMMUTABLE_FL, FS_APPEND_FL, ... (fs/perm.c) */
  /* File seals (memfd, tmpfs: fs/ramfs.c) under lock; mmap_writable (atomic) counts
   * the shared mappings that may write, or is -1 once F_SEAL_WRITE denies them. */
  uint32_t seals;
  int mmap_writable;
};

/* File seals (fcntl F_ADD_SEALS / F_GET_SEALS), Linux's values */
#define F_SEAL_SEAL 0x0001          /* no more seals */
#define F_SEAL_SHRINK 0x0002        /* the size may not shrink */
#define F_SEAL_GROW 0x0004          /* nor grow */
#define F_SEAL_WRITE 0x0008         /* the data may not change */
#define F_SEAL_FUTURE_WRITE 0x0010  /* no new way to change it (existing mappings keep theirs) */
#define F_SEALS_WRITE (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/*
 * A shared mapping that may write to ino is made (false: F_SEAL_WRITE has
 * set the count to -1 and denies it; Linux's mapping_map_writable) / goes.
 * Inline: kern/vm.c counts its regions with these.
 */
static inline bool inode_map_writable(struct inode *ino)
{
  int n = __atomic_load_n(&ino->mmap_writable, __ATOMIC_RELAXED);
  do {
    if (n < 0)
      return false;
  } while (!__atomic_compare_exchange_n(&ino->mmap_writable, &n, n + 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED));
  return true;
}
/* A shared writable mapping of ino goes (one inode_map_writable undone). Atomic. */
static inline void inode_unmap_writable(struct inode *ino)
{
  __atomic_sub_fetch(&ino->mmap_writable, 1, __ATOMIC_RELEASE);
}

/* A directory that was removed (rmdir, or replaced by rename) while still
 * in use: it takes no new entries and lists none (Linux's IS_DEADDIR). */
static inline bool dir_is_dead(const struct inode *dir)
{
  return S_ISDIR(dir->mode) && dir->nlink == 0;
}

/* ---- fs/vfs.c ---- */
/* Inodes, dentries and open files in existence (atomics; /proc/sys/fs). */
extern uint64_t vfs_nr_inodes, vfs_nr_dentries, vfs_nr_files;
extern uint64_t vfs_nr_shmem_pages; /* pages of shmem super blocks' files (fs/pagecache.c) */
/* A new inode of sb (NULL: none) with the next inode number, nlink 1, times
 * now, and one reference, which the caller owns (drop it with iput). NULL
 * when out of memory. No locks needed. */
struct inode *inode_alloc(struct super_block *sb, mode_t mode);
/* Take a reference to ino (the caller already holds one, or a lock that
 * keeps ino alive). Atomic; any context that may sleep or not. */
void iget(struct inode *ino);
/* Drop a reference (NULL: nothing). The last one evicts the inode
 * (iop->evict), frees its xattrs and page cache and the inode: call it with
 * no inode, dentry or spin lock held, from process context (evict may sleep). */
void iput(struct inode *ino);
/* Set mtime and ctime (modify) or just ctime to now. Caller holds ino->lock
 * or owns the inode. */
void inode_touch(struct inode *ino, bool modify);
/* The device number stat reports for ino (st_dev): the superblock's
 * device, or an anonymous 0:n for a file system in memory. No locks. */
dev_t inode_dev(struct inode *ino);

#endif
