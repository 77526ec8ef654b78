/*
 * file.h — the open file (struct file) and its operations (struct
 * file_ops), one for every kind of descriptor: regular files, directories,
 * pipes, sockets, devices, epoll, eventfd, timerfd, signalfd ...; the
 * functions of fs/file.c that make, reference, read and write one, and
 * the generic operations a simple file system plugs in. A VFS header (fs/vfs.c
 * draws the VFS);
 * descriptor tables are fs/fdtable.h.
 *
 * Layer: fs. The system calls (fs/sys_rw.c, sys_open.c ...) call down
 * into these; every file kind fills file_ops.
 *
 * Locks: refcount is atomic; f->pos_lock (a mutex) serialises read, write
 * and lseek on files that keep a position (fs/sys_rw.c).
 */
#ifndef KITE_FILE_H
#define KITE_FILE_H

#include "fs/mount.h"

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

/* May f be read / written through: its access mode allows it, and it is
 * not an O_PATH descriptor (which only names a place). No locks: the
 * flags' access bits never change after open. */
static inline bool file_readable(struct file *f)
{
  return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}
static inline bool file_writable(struct file *f)
{
  return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

/* ---- fs/file.c ---- */
/* A new, empty struct file with one reference (the caller's), or NULL
 * when out of memory. No locks. */
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
/* A read or a directory listing happened: update atime as Linux's mount
 * options say (noatime, nodiratime, relatime, strictatime; fs/vfs.c). */
void file_accessed(struct file *f);
ssize_t vfs_write(struct file *f, struct uio *u, off_t *pos);
/* Read or write n bytes at pos to or from a kernel buffer (no position
 * update, no access-mode check). Bytes moved, or -errno. */
ssize_t kernel_read(struct file *f, void *buf, size_t n, off_t pos);
ssize_t kernel_write(struct file *f, const void *buf, size_t n, off_t pos);
/* Fill a kernel struct stat for ino (the caller holds a reference;
 * fs/sys_stat.c). */
int vfs_getattr(struct inode *ino, void *statbuf_kernel);


/* ---- generic operations for simple file systems (fs/pagecache.c, fs/ramfs.c) ---- */
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
/* read and write through the page cache (fs/pagecache.c), for files
 * whose data lives there: bytes moved, or -EINVAL (negative position),
 * -EFBIG (past RLIMIT_FSIZE, with SIGXFSZ), -EFAULT, the file system's
 * read or allocation error (-ENOSPC, -ENOMEM). write takes ino->lock
 * (O_APPEND's position, the size, dropping set-id bits); read takes none.
 * The caller holds f->pos_lock when pos is &f->pos. */
ssize_t generic_file_read(struct file *f, struct uio *u, off_t *pos);
ssize_t generic_file_write(struct file *f, struct uio *u, off_t *pos);
/* mmap of a page-cache file: installs generic_file_vm_ops (fs/filemap.c)
 * on v; 0. Called by the mmap code with mm->lock held. */
int generic_file_mmap(struct file *f, struct vma *v);
/* fsync: write the dirty pages back, then (unless datasync) the inode,
 * then the file system's sync. 0 or the first error. No locks held. */
int generic_file_fsync(struct file *f, bool datasync);
/* iterate for a directory that lives in the dentry cache (ramfs, devpts,
 * mqueue; fs/ramfs.c): ".", "..", then the positive children, the
 * position counting entries. 0. Takes dcache_lock, dropped around each
 * entry (the actor may sleep), holding a reference to it. */
int dcache_readdir(struct file *f, struct dir_context *ctx);

#endif
