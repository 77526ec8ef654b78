/*
 * vfs.h — the virtual file system: inodes, dentries, mounts, files.
 *
 * Layers (top to bottom):
 *   fs/sys_*.c      syscalls: fetch and check arguments
 *   fs/namei.c      path walk: names -> (mount, dentry)
 *   fs/vfs.c        inodes and paths; fs/dcache.c dentries; fs/super.c
 *                   file system types, superblocks, mounts
 *   fs/file.c       open files and descriptor tables
 *   fs/pagecache.c  file pages (read, write, mmap all go through it)
 *   fs/ramfs.c, devfs.c, procfs.c, fat32 ...  the file systems
 *
 * Dentries form an in-memory tree of names (the dentry cache). For ramfs
 * the tree *is* the file system; disk file systems fill it on lookup.
 * A dentry's `mounted` count says another file system is mounted on it;
 * the walk crosses into the mount whose mountpoint it is (so the deepest
 * mount on a path wins — the longest-prefix rule, docs/lessons.md L8).
 *
 * Lock order: inode->lock of a parent before a child's; rename takes the
 * global rename_lock first. dcache_lock (spinlock) protects dentry
 * children lists and reference counts; mount_lock protects the mount list.
 */
#ifndef KITE_VFS_H
#define KITE_VFS_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/wait.h"
#include "kern/time.h"

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

/* File types and permission bits (st_mode). */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)

/* open flags (asm-generic) */
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_ASYNC 00020000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define __O_TMPFILE 020000000
#define O_TMPFILE (__O_TMPFILE | O_DIRECTORY)
/* Kernel-internal: open for execve (execute permission instead of read). */
#define O_EXEC_OPEN 040000000
/* Flags open() accepts from user space (others are ignored, as on Linux). */
#define O_USER_FLAGS 037777777
/* Flags F_SETFL may change. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_EACCESS 0x200

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* d_type values for getdents64 */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

#define MAJOR(dev) ((unsigned)(((dev) >> 8) & 0xfff))
#define MINOR(dev) ((unsigned)(((dev) & 0xff) | (((dev) >> 12) & 0xfff00)))
#define MKDEV(ma, mi) ((dev_t)(((ma) & 0xfff) << 8 | ((mi) & 0xff) | (((mi) & ~0xffu) << 12)))

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

static inline void inode_unmap_writable(struct inode *ino)
{
  __atomic_sub_fetch(&ino->mmap_writable, 1, __ATOMIC_RELEASE);
}

/* ---- dentry ---- */
struct dentry {
  char *name;
  struct dentry *parent;        /* itself for a file system root */
  struct inode *inode;          /* NULL: negative (name does not exist) */
  struct list_head children;    /* dcache_lock */
  struct list_head sibling;     /* in parent->children */
  struct list_head hash_link;   /* in the name hash: (parent, name) -> dentry (dcache_lock) */
  int refcount;                 /* dcache_lock */
  int mounted;                  /* file systems mounted here (mount_lock) */
  bool unlinked;                /* removed from its directory */
  bool transient;               /* not cached once unused (procfs) */
  struct super_block *sb;
};

/* ---- superblock and mounts ---- */
struct statfs64 {
  uint64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  uint64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

struct super_ops {
  int (*statfs)(struct super_block *sb, struct statfs64 *st);
  int (*sync)(struct super_block *sb);
  void (*put_super)(struct super_block *sb);
};

struct super_block {
  const struct fs_type *type;
  const struct super_ops *ops;
  struct dentry *root;
  dev_t dev;
  uint32_t flags;               /* MS_RDONLY ... */
  uint64_t magic;
  ino_t next_ino;               /* for file systems that number inodes themselves */
  void *priv;
  int refcount;                 /* mounts using it */
  /* Memory-only file systems (tmpfs): pages of file data and inodes in
   * use, and their limits (0: none). Atomics; charged by the page cache
   * and ramfs (fs/ramfs.c: "size=" and "nr_inodes=", half of RAM by
   * default, as Linux's tmpfs). */
  uint64_t max_pages, nr_pages;
  uint64_t max_inodes, nr_inodes;
  bool shmem;                   /* tmpfs and the kernel's shared-memory files: their
                                   pages are charged to nr_pages and count as Shmem */
};

#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_SYNCHRONOUS 16
#define MS_MANDLOCK 64
#define MS_NOSYMFOLLOW 256
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MNT_FORCE 1
#define MNT_DETACH 2

struct fs_type {
  const char *name;
  /* Build a superblock for `source` (device path or name) with options. */
  int (*mount)(const struct fs_type *type, const char *source, uint32_t flags,
               const char *data, struct super_block **sbp);
  bool needs_device;
  bool keeps_owners;    /* stores each file's uid, gid and mode: new files get the
                           creator's (fs/perm.c inode_init_owner) */
  uint32_t iflags_mask; /* inode flags FS_IOC_SETFLAGS may set (0: the ioctl is ENOTTY) */
};

struct mount {
  struct mount *parent;         /* NULL for the root mount */
  struct dentry *mountpoint;    /* in parent */
  struct dentry *root;
  struct super_block *sb;
  char *source;
  uint32_t flags;
  struct list_head link;        /* mount_list, in mount order */
  int refcount;
  int id;                       /* /proc/<pid>/mountinfo's mount id */
  int release_on_last_put;      /* lazily detached while in use: the last path_put
                                   lets its file system go (fs/super.c) */
};

struct path {
  struct mount *mnt;
  struct dentry *dentry;
};

/* ---- open files ---- */
struct dir_context;
typedef bool (*filldir_t)(struct dir_context *ctx, const char *name, size_t len,
                          ino_t ino, unsigned type);
struct dir_context {
  filldir_t actor;              /* returns false when the buffer is full */
  off_t pos;                    /* the file system's cursor; saved in file->pos */
};

struct file_ops {
  ssize_t (*read)(struct file *f, struct uio *u, off_t *pos);
  ssize_t (*write)(struct file *f, struct uio *u, off_t *pos);
  off_t (*llseek)(struct file *f, off_t off, int whence);   /* NULL: ESPIPE */
  int (*ioctl)(struct file *f, unsigned cmd, uint64_t arg);
  int (*mmap)(struct file *f, struct vma *v);               /* set v->ops (kern/vm.h); NULL: ENODEV */
  unsigned (*poll)(struct file *f, struct poll_table *pt);  /* NULL: always ready */
  int (*iterate)(struct file *f, struct dir_context *ctx);  /* directories */
  int (*fsync)(struct file *f, bool datasync);
  int (*open)(struct inode *ino, struct file *f);
  void (*release)(struct file *f);
  /* A descriptor of f is being closed (close, dup2 over it, exec's
   * close-on-exec, exit) by current — Linux's flush: mq_notify's
   * registration goes with its owner's close. May be NULL. */
  void (*flush)(struct file *f);
};

struct file {
  int refcount;                 /* atomic: descriptors and other holders */
  const struct file_ops *fop;
  struct path path;             /* where it was opened (mnt NULL for pipes, sockets) */
  struct inode *inode;
  uint32_t flags;               /* O_* status flags and access mode */
  off_t pos;
  struct mutex pos_lock;        /* serialises read/write/lseek on this file */
  void *priv;                   /* for the driver / socket / pipe */
  struct fown *fown;            /* F_SETOWN, F_SETSIG, O_ASYNC hooks (fs/fown.c); NULL if none */
  bool open_counted;            /* counted in inode->open_readers/_writers (leases) */
  struct list_head ep_links;    /* epoll items watching this file (fs/epoll.c) */
};

static inline bool file_readable(struct file *f)
{
  return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}
static inline bool file_writable(struct file *f)
{
  return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
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
/* At boot: the pseudo mount of nameless files, the dentry hash. */
void vfs_init(void);
void mqueue_init(void);   /* fs/mqueue.c */
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
/* A new dentry named name under parent (NULL: a root, its own parent),
 * negative (no inode), with one reference for the caller; it takes a
 * reference to parent and enters the dentry hash (dcache_lock, taken here).
 * NULL when out of memory. The caller holds parent's inode lock. */
struct dentry *dentry_alloc(struct dentry *parent, const char *name, size_t len);
/* Take a reference to d (takes dcache_lock). */
void dget(struct dentry *d);
/* Drop a reference (NULL: nothing). An unused dentry stays cached while it
 * names an existing file; a negative or unlinked one is freed with its
 * inode reference and drops its parent in turn. Takes dcache_lock; may
 * iput, so no spin lock may be held. */
void dput(struct dentry *d);
/* The cached, not unlinked child of dir named name, referenced (dput it),
 * or NULL (not cached: ask the file system). Takes dcache_lock. */
struct dentry *dentry_lookup_child(struct dentry *dir, const char *name, size_t len);
/* Attach ino to the negative dentry d; the caller's reference to ino
 * passes to d. Caller holds the parent directory's inode lock. */
void d_instantiate(struct dentry *d, struct inode *ino);
/* The name is gone from its directory (unlink, rmdir): lookups no longer
 * find d; it is freed with its last reference. Parent's inode lock held. */
void d_delete(struct dentry *d);
/* Rename in the dcache: move d under newparent as newname (rename_lock and
 * both parents' inode locks held). */
void d_move(struct dentry *d, struct dentry *newparent, const char *newname);
/* RENAME_EXCHANGE in the dcache: a and b trade names and parents (locks as
 * for d_move). */
void d_exchange(struct dentry *a, struct dentry *b);
/* After a file system renamed od (in odir) to nd (in ndir): update the
 * dcache (moving, replacing or exchanging per flags) and the times. Locks
 * as for d_move. */
void vfs_rename_update(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
                       unsigned flags);
/* Take a reference to both the dentry and the mount of p (either may be
 * NULL). path_put drops both; a path returned by a lookup is referenced and
 * the caller must path_put it. No lock may be held that dput forbids. */
void path_get(struct path *p);
void path_put(struct path *p);
/* Make a file system type mountable by name (boot). 0, or -ENOMEM when the
 * table (MAX_FS_TYPES) is full. */
int register_fs(const struct fs_type *type);
/*
 * mount(2) on target, a path the caller has looked up and keeps its
 * reference to: MS_REMOUNT, MS_MOVE, MS_BIND, or a new mount of fstype from
 * source (a block device path for disk file systems; a device already
 * mounted shares its superblock). Returns 0 or -ENOTDIR, -ENODEV (unknown
 * type), -EBUSY, -EINVAL, the file system's error. Takes mount_lock inside;
 * call with no locks held (the file system reads its device).
 */
int do_mount(const char *source, struct path *target, const char *fstype, uint32_t flags,
             const char *data);
/* umount2(2) of the mount whose root is target (caller's reference, kept):
 * -EINVAL if target is not a mount's root, -EBUSY if in use or something is
 * mounted below (unless MNT_DETACH, which takes the whole tree away). No
 * locks held. */
int do_umount(struct path *target, int flags);
/* At boot: mount fstype as the root ("rootfs"). 0, -ENODEV, -ENOMEM. */
int mount_root(const char *fstype);
/* Step down through the mounts stacked on p, in place: the references p
 * held move to the new (mount, root) pair. Takes mount_lock. */
void follow_mounts(struct path *p);
/* The root mount (not referenced: it is never unmounted). */
struct mount *root_mount(void);
/* statfs(2) of the file system p is on. 0 or the file system's error. */
int vfs_statfs(struct path *p, struct statfs64 *st);
/* The absolute path of p as seen from root, into buf (size bytes): 0,
 * -ENAMETOOLONG. Walks dentry parents and mounts under dcache_lock and
 * mount_lock; the caller holds references to p and root. */
int path_to_string(struct path *p, const struct path *root, char *buf, size_t size);
/* The path of d from the root of its own file system ("/" for the root),
 * as mountinfo's fourth field: 0 or -ENAMETOOLONG. */
int dentry_path_in_sb(struct dentry *d, char *buf, size_t size);
/* Files without a name (pipes, sockets, epoll ...) reached through a magic
 * link get a dentry of their own on a pseudo mount outside the tree. */
int vfs_pseudo_path(struct inode *ino, const char *name, struct path *out);
bool path_is_pseudo(const struct path *p);
void mounts_for_each(void (*fn)(struct mount *m, void *arg), void *arg);
/* The last path into a lazily detached mount was put (path_put): its file
 * system goes now unless mounted again meanwhile (fs/super.c). No
 * spinlock held. */
void mount_release_detached(struct mount *m);
/* Free every unused dentry below root, leaves first, releasing their
 * inodes (unmount; fs/dcache.c). Takes dcache_lock for each step; the
 * caller holds no spinlock. */
void dcache_prune(struct dentry *root);
/* fs/mount.c: reshaping the tree (mount_lock and mount_list belong to super.c) */
extern struct spinlock mount_lock;
extern struct list_head mount_list;
int do_move_mount(struct path *from, struct path *to);           /* mount(MS_MOVE) */
int do_pivot_root(struct path *new_root, struct path *put_old);
/* sync(2): write back every mounted file system; 0 or the first error.
 * Process context, no locks held. */
int sync_all(void);
/* syncfs(2): write back one file system (sb->ops->sync); 0 or its error. */
int sync_fs(struct super_block *sb);
/* Before power-off: write back every file system and shut it down as an
 * unmount would (the disk is clean even after poweroff -f). */
void vfs_shutdown(void);
/* A new superblock of type with an anonymous device number (0:n; a disk
 * file system sets its block device's), not referenced yet (a mount takes
 * the reference). NULL when out of memory. */
struct super_block *sb_alloc(const struct fs_type *type);
extern struct spinlock dcache_lock;

/* generic helpers for simple file systems */
#define OFF_MAX INT64_MAX  /* the largest file position (Linux's MAX_LFS_FILESIZE) */
/*
 * llseek_size: Linux's generic_file_llseek_size. The new position for
 * (off, whence) in a file whose data ends at eof and whose positions stop
 * at maxsize: EINVAL for a result below 0 or above maxsize (overflow
 * included), ENXIO for SEEK_DATA/SEEK_HOLE at or past eof (negative
 * included; the whole file counts as data). Sets f->pos; the caller holds
 * f->pos_lock.
 */
off_t llseek_size(struct file *f, off_t off, int whence, off_t maxsize, off_t eof);
/* generic_llseek: llseek_size up to OFF_MAX with eof = the inode's size. */
off_t generic_llseek(struct file *f, off_t off, int whence);
/* counter_llseek: for positions that count entries, not bytes (directories
 * listed from the dcache, generated /proc files; Linux's dcache_dir_lseek
 * and seq_lseek): SEEK_SET and SEEK_CUR only, never negative; else EINVAL. */
off_t counter_llseek(struct file *f, off_t off, int whence);
ssize_t generic_file_read(struct file *f, struct uio *u, off_t *pos);
ssize_t generic_file_write(struct file *f, struct uio *u, off_t *pos);
int generic_file_mmap(struct file *f, struct vma *v);
int generic_file_fsync(struct file *f, bool datasync);
int vfs_truncate(struct inode *ino, off_t size);
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
int vfs_fallocate(struct inode *ino, int mode, off_t off, off_t len);  /* ino->lock held */
int dcache_readdir(struct file *f, struct dir_context *ctx);

/* ---- fs/pagecache.c ---- */
void page_cache_init(struct page_cache *pc);
struct page *page_cache_peek(struct inode *ino, uint64_t index);  /* cached page or NULL */
/* Find page `index` of ino, reading it in if needed. Returns it with a
 * reference (put_page() when done) or ERR_PTR. */
struct page *page_cache_get(struct inode *ino, uint64_t index, bool create);
void page_cache_truncate(struct inode *ino, off_t size);  /* drop pages past size */
/* A hole punched in [start, end): drop its whole pages, zero the rest of it. */
void page_cache_punch(struct inode *ino, off_t start, off_t end);
int page_cache_writeback(struct inode *ino);               /* write dirty pages */
void page_cache_release_all(struct inode *ino);
void page_mark_dirty(struct page *p);

/* ---- fs/namei.c ---- */
#define LOOKUP_FOLLOW 0x1       /* follow a trailing symlink */
#define LOOKUP_DIRECTORY 0x2    /* the result must be a directory */
#define LOOKUP_EMPTY 0x4        /* an empty path names the dirfd itself */
/* openat2's RESOLVE_* (<linux/openat2.h>) */
#define RESOLVE_NO_XDEV 0x01       /* cross no mount point (down, up, or by a link) */
#define RESOLVE_NO_MAGICLINKS 0x02 /* follow no /proc/<pid>/fd-style magic link */
#define RESOLVE_NO_SYMLINKS 0x04   /* follow no symlink at all */
#define RESOLVE_BENEATH 0x08       /* never leave the starting directory */
#define RESOLVE_IN_ROOT 0x10       /* the starting directory is "/" for this walk */
#define RESOLVE_CACHED 0x20        /* only what the dentry cache holds, else EAGAIN */
#define RESOLVE_ALL 0x3f
/*
 * The rules openat2 puts on every walk of one call: resolve_begin sets
 * current->resolve for the call's duration (fs/namei.c consults it at
 * each step), resolve_end clears it.
 */
struct resolve_scope {
  uint64_t resolve;            /* RESOLVE_* */
  struct path root;            /* BENEATH, IN_ROOT: the starting directory (referenced) */
};
int resolve_begin(struct resolve_scope *s, int dirfd, uint64_t resolve);
void resolve_end(struct resolve_scope *s);
/*
 * The path walk: resolve path (relative to dirfd, or AT_FDCWD; absolute
 * paths from the process root) into *out, referenced (path_put it).
 * Returns 0 or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES (search
 * permission), -EBADF (dirfd). path is a kernel string (copy it in first).
 * Takes and drops each directory's inode lock in turn; call with none held.
 */
int path_lookup(int dirfd, const char *path, unsigned flags, struct path *out);
/* Look up one name in directory dir, whose inode lock the caller holds:
 * the child, referenced (negative if the name does not exist), or ERR_PTR. */
struct dentry *vfs_lookup_locked(struct dentry *dir, const char *name, size_t len);
/* path_lookup from *start (the caller's reference, kept) instead of a dirfd. */
int path_lookup_at(const struct path *start, const char *path, unsigned flags, struct path *out);
/* A system call's path argument copied in: a PATH_MAX buffer (kfree it),
 * or NULL with *err = -ENOMEM, -EFAULT or -ENAMETOOLONG (Linux's getname). */
char *user_path_copy(uaddr_t upath, long *err);
/* path_lookup of a user path for the *at() calls: flags outside allowed
 * are -EINVAL; AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH become lookup flags.
 * *p referenced on success (path_put it); no locks held on entry or exit. */
long user_path_at(int dirfd, uaddr_t upath, int flags, int allowed, struct path *p);
/* Walk all but the last component: *parent (referenced) and the last name. */
int path_parent(int dirfd, const char *path, struct path *parent, char *last, size_t lastsize);
int path_parent_at(const struct path *start, const char *path, struct path *parent, char *last,
                   size_t lastsize);
/* openat(2) without the descriptor: resolve (creating with O_CREAT),
 * check permissions, truncate, open. *out is a new file with one reference
 * (fput it, or fd_install it). Returns 0 or -errno as openat(2) does. No
 * locks held (takes the directory's inode lock to create). */
int vfs_open(int dirfd, const char *path, int flags, mode_t mode, struct file **out);
/* Open the object at p (takes its own reference to p; the caller keeps
 * its own): a new file with one reference, or ERR_PTR. */
struct file *file_open_path(struct path *p, int flags);
/* vfs_open from the kernel (AT_FDCWD of the calling task). */
int kernel_open(const char *path, int flags, mode_t mode, struct file **out);

/* ---- fs/file.c ---- */
/* A new, empty struct file with one reference (the caller's), or NULL. */
struct file *file_alloc(void);
/* Take a reference to f (the caller holds one, or the descriptor table's
 * lock). Atomic. */
void fget(struct file *f);
/* Drop a reference (NULL: nothing). The last one runs the release hooks
 * (epoll drops its items watching f), calls fop->release, and drops its
 * path: process context, no spin lock held (release may sleep). */
void fput(struct file *f);
/* A watcher of files in a higher or sibling subsystem that must hear of
 * any file's last fput (epoll: fs/epoll.c), so fput names no watcher. */
struct file_release_hook {
  void (*fn)(struct file *f);   /* may sleep; f is still whole */
  struct list_head link;
};
/* Add h (at boot, before any file is opened; it stays for good). */
void file_release_hook_register(struct file_release_hook *h);
/* read(2)/write(2) on f at *pos (the caller holds f->pos_lock when pos is
 * &f->pos): checks in Linux's order (-EBADF, -EINVAL, -EFAULT before
 * blocking), then the file's operation. Bytes moved, or -errno. */
ssize_t vfs_read(struct file *f, struct uio *u, off_t *pos);
ssize_t vfs_write(struct file *f, struct uio *u, off_t *pos);
/* Read or write n bytes at pos to or from a kernel buffer (no position
 * update, no access-mode check). Bytes moved, or -errno. */
ssize_t kernel_read(struct file *f, void *buf, size_t n, off_t pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, off_t pos);
/* Fill a kernel struct stat for ino (the caller holds a reference;
 * fs/sys_stat.c). */
int vfs_getattr(struct inode *ino, void *statbuf_kernel);

#endif

/* ---- per-task file-system context (CLONE_FS shares it) ---- */
#ifndef KITE_FS_CONTEXT
#define KITE_FS_CONTEXT
struct fs_context {
  int refcount;             /* atomic */
  struct spinlock lock;     /* protects root and cwd */
  struct path root, cwd;
  mode_t umask;
};
/* A new context (root and cwd unset, umask 022, one reference), or NULL. */
struct fs_context *fs_context_alloc(void);
/* A copy of old (fork without CLONE_FS): referenced root and cwd, same
 * umask, one reference; NULL when out of memory. Takes old->lock. */
struct fs_context *fs_context_copy(struct fs_context *old);
/* Drop a reference; the last one puts root and cwd (no spin lock held). */
void fs_context_put(struct fs_context *fs);
/* The device number stat reports for ino (st_dev; fs/vfs.c). */
dev_t inode_dev(struct inode *ino);

/* Is p root or below it (a cwd outside a chroot is not)? (fs/dcache.c) */
bool path_is_under(const struct path *p, const struct path *root);

#endif
