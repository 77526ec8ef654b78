/*
 * file.c — open files (struct file), descriptor tables, and opening a path.
 *
 * Layer: fs, the VFS core (fs/file.h, fs/fdtable.h). Above: every system
 * call that takes a descriptor, and each file kind (pipes, sockets,
 * epoll ...) that makes a file. Below: fs/namei.c (the walk for
 * vfs_open), the dentry cache, fs/perm.c (may_open), the file systems'
 * file_ops; release hooks tell epoll of a last fput.
 *
 * Locks: a file's refcount is atomic; files->lock (a spinlock) guards a
 * descriptor table, never held across fput or flush; vfs_open takes the
 * parent directory's inode lock to create (O_CREAT).
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/devfs.h"
#include "drivers/blk.h"
#include "fs/locks.h"
#include "fs/perm.h"
#include "fs/fsops.h"
#include "kern/printk.h"
#include "kern/epoll.h"
#include "kern/proc_resource.h"
#include "kern/clone.h"
#include "fs/inotify.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/param.h"
#include "kern/errno.h"
#include <string.h>

/* ---- struct file ---- */

/* Readers and writers of a regular file, for leases (fs/fown.c). */
static void open_count(struct inode *ino, int flags, int delta)
{
  int *n = (flags & O_ACCMODE) == O_RDONLY ? &ino->open_readers : &ino->open_writers;
  __atomic_add_fetch(n, delta, __ATOMIC_RELAXED);
}

struct file *file_alloc(void)
{
  struct file *f = kzalloc(sizeof(*f));
  if (!f)
    return NULL;
  f->refcount = 1;
  __atomic_add_fetch(&vfs_nr_files, 1, __ATOMIC_RELAXED);
  mutex_init(&f->pos_lock, "file-pos");
  list_init(&f->ep_links);
  return f;
}

/* Run at every file's last fput (before fop->release); registered at boot. */
static struct list_head file_release_hooks = LIST_HEAD_INIT(file_release_hooks);

void file_release_hook_register(struct file_release_hook *h)
{
  list_add_tail(&h->link, &file_release_hooks);
}

void fget(struct file *f)
{
  __atomic_add_fetch(&f->refcount, 1, __ATOMIC_RELAXED);
}

/* A descriptor of f is closed by current: the file's flush. */
static void fd_flush(struct file *f)
{
  if (f->fop && f->fop->flush && !(f->flags & O_PATH))
    f->fop->flush(f);
}

void fput(struct file *f)
{
  if (!f || __atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  if (f->fop && !(f->flags & O_PATH))
    inotify_file_event(f, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
  locks_remove_file(f);
  fown_release(f);
  if (f->open_counted)
    open_count(f->inode, f->flags, -1);
  struct file_release_hook *h;
  list_for_each_entry(h, &file_release_hooks, link)
    h->fn(f);
  if (f->fop && f->fop->release)
    f->fop->release(f);
  if (f->path.dentry)
    path_put(&f->path);
  else if (f->inode)
    iput(f->inode);
  __atomic_sub_fetch(&vfs_nr_files, 1, __ATOMIC_RELAXED);
  kfree(f);
}

/*
 * Linux's rw_verify_area: a transfer at a negative position, or one whose
 * end would pass OFF_MAX, is EINVAL — so no file operation ever sees a
 * position that could index memory below or far past its data.
 */
static int rw_verify_pos(off_t pos, size_t count)
{
  if (pos < 0 || (uint64_t)pos + count > (uint64_t)OFF_MAX)
    return -EINVAL;
  return 0;
}

/*
 * read and write check in Linux's order (vfs_read): the access mode
 * (EBADF), whether the file can be read at all (EINVAL; a directory can,
 * and says EISDIR last), the buffer's range (EFAULT: u->bad, before
 * anything blocks), the position (EINVAL).
 */
ssize_t vfs_read(struct file *f, struct uio *u, off_t *pos)
{
  if (!file_readable(f))
    return -EBADF;
  bool dir = f->inode && S_ISDIR(f->inode->mode);
  if (!dir && (!f->fop || !f->fop->read))
    return -EINVAL;
  if (u->bad)
    return -EFAULT;
  int r = rw_verify_pos(*pos, u->resid);
  if (r)
    return r;
  if (dir)
    return -EISDIR;
  if (u->resid == 0)
    return 0;
  ssize_t n = f->fop->read(f, u, pos);
  if (n > 0)
    inotify_file_event(f, IN_ACCESS);
  file_accessed(f); /* even after an error, as Linux's filemap_read */
  return n;
}

ssize_t vfs_write(struct file *f, struct uio *u, off_t *pos)
{
  if (!file_writable(f))
    return -EBADF;
  if (!f->fop || !f->fop->write)
    return -EINVAL;
  if (u->bad)
    return -EFAULT;
  int r = rw_verify_pos(*pos, u->resid);
  if (r)
    return r;
  ssize_t n = f->fop->write(f, u, pos);
  if (n > 0)
    inotify_file_event(f, IN_MODIFY);
  return n;
}

ssize_t kernel_read(struct file *f, void *buf, size_t n, off_t pos)
{
  struct uio u;
  uio_init_kernel(&u, buf, n);
  if (!f->fop || !f->fop->read)
    return -EINVAL;
  if (rw_verify_pos(pos, n))
    return -EINVAL;
  return f->fop->read(f, &u, &pos);
}

ssize_t kernel_write(struct file *f, const void *buf, size_t n, off_t pos)
{
  struct uio u;
  uio_init_kernel(&u, (void *)buf, n);
  if (!f->fop || !f->fop->write)
    return -EINVAL;
  if (rw_verify_pos(pos, n))
    return -EINVAL;
  return f->fop->write(f, &u, &pos);
}

/* Open the object at p (a reference to p is taken). */
struct file *file_open_path(struct path *p, int flags)
{
  struct inode *ino = p->dentry->inode;
  /* Through a magic link, of the nameless objects a pipe reopens (as a
   * FIFO) and a memfd or shared-memory file as itself; sockets, epoll,
   * eventfd ... answer ENXIO as on Linux. */
  if (path_is_pseudo(p) && !S_ISFIFO(ino->mode) && !S_ISREG(ino->mode) && !(flags & O_PATH))
    return ERR_PTR(-ENXIO);
  struct file *f = file_alloc();
  if (!f)
    return ERR_PTR(-ENOMEM);
  f->path = *p;
  path_get(&f->path);
  f->inode = ino;
  f->flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
  if (flags & O_NOCTTY)
    f->flags |= O_NOCTTY; /* seen by tty_open, cleared below */
  if (flags & O_PATH) {
    f->fop = NULL;
    return f;
  }
  f->fop = ino->fop;
  if (S_ISCHR(ino->mode)) {
    f->fop = chrdev_lookup(ino->rdev);
    if (!f->fop) {
      fput(f);
      return ERR_PTR(-ENXIO);
    }
  } else if (S_ISBLK(ino->mode)) {
    f->fop = &blkdev_fops;
  }
  if (f->fop && f->fop->open) {
    int r = f->fop->open(ino, f);
    if (r) {
      f->fop = NULL; /* don't call release for a failed open */
      fput(f);
      return ERR_PTR(r);
    }
  }
  f->flags &= ~O_NOCTTY;
  return f;
}

/* Create a regular file named `name` in parent (parent inode locked). */
static int create_child(struct path *parent, struct dentry *d, mode_t mode)
{
  struct inode *dir = parent->dentry->inode;
  if (mnt_readonly(parent->mnt))
    return -EROFS;
  int r = may_create(dir);
  if (r)
    return r;
  if (!dir->iop || !dir->iop->create)
    return -EACCES;
  /* as Linux's vfs_prepare_mode: set-group-ID stripped first, then the umask */
  mode = (mode_strip_sgid(dir, (mode & 07777) | S_IFREG) & ~current->fs->umask) | S_IFREG;
  r = dir->iop->create(dir, d, mode);
  if (r == 0) {
    vfs_new_owner(dir, d);
    inotify_dir_event(dir, IN_CREATE, d->name, 0);
  }
  return r;
}

/*
 * The O_CREAT half of open(): find the parent of the last component and
 * create a regular file there if the name is free. If the name is a
 * symlink whose target does not exist, the target is created, as Linux
 * does (following at most SYMLOOP_MAX links). On success *out holds the
 * file and *created says whether it is new.
 */
static int open_create(int dirfd, const char *path, int flags, mode_t mode, struct path *out,
                       bool *created)
{
  struct path parent;
  char last[NAME_MAX + 1];
  char *target = NULL; /* the link being followed; path points into it */
  int r = path_parent(dirfd, path, &parent, last, sizeof(last));
  bool have_parent = r == 0;
  for (int links = 0; r == 0; links++) {
    if (last[0] == 0 || !strcmp(last, ".") || !strcmp(last, "..") ||
        path[strlen(path) - 1] == '/') {
      r = -EISDIR;
      break;
    }
    struct inode *dir = parent.dentry->inode;
    mutex_lock(&dir->lock);
    struct dentry *d = vfs_lookup_locked(parent.dentry, last, strlen(last));
    if (IS_ERR(d)) {
      mutex_unlock(&dir->lock);
      r = PTR_ERR(d);
      break;
    }
    if (!d->inode) {
      if (dir_is_dead(dir))
        r = -ENOENT; /* the directory itself was removed */
      else
        r = create_child(&parent, d, mode);
      mutex_unlock(&dir->lock);
      if (r) {
        dput(d);
        break;
      }
      out->mnt = parent.mnt;
      out->dentry = d;
      __atomic_add_fetch(&out->mnt->refcount, 1, __ATOMIC_RELAXED);
      *created = true;
      break;
    }
    mutex_unlock(&dir->lock);
    if (flags & O_EXCL) {
      dput(d);
      r = -EEXIST;
      break;
    }
    struct path p = { parent.mnt, d };
    __atomic_add_fetch(&p.mnt->refcount, 1, __ATOMIC_RELAXED);
    follow_mounts(&p);
    if (!S_ISLNK(p.dentry->inode->mode) || (flags & O_NOFOLLOW)) {
      *out = p; /* an O_NOFOLLOW symlink is refused by the caller */
      break;
    }
    r = path_lookup_at(&parent, last, LOOKUP_FOLLOW, out);
    if (r != -ENOENT) {
      path_put(&p);
      break;
    }
    /* A dangling symlink: create what it names. */
    struct inode *link = p.dentry->inode;
    char *next = NULL;
    int n;
    if (links >= SYMLOOP_MAX)
      n = -ELOOP;
    else if (!link->iop || !link->iop->readlink)
      n = -EINVAL;
    else if (!(next = kmalloc(PATH_MAX)))
      n = -ENOMEM;
    else
      n = link->iop->readlink(link, next, PATH_MAX - 1);
    path_put(&p);
    if (n <= 0) {
      kfree(next);
      r = n < 0 ? n : -ENOENT;
      break;
    }
    next[n] = 0;
    struct path up;
    r = path_parent_at(&parent, next, &up, last, sizeof(last));
    kfree(target);
    target = next;
    path = next;
    path_put(&parent);
    have_parent = r == 0;
    if (r)
      break;
    parent = up;
  }
  if (have_parent)
    path_put(&parent);
  kfree(target);
  return r;
}

/*
 * O_TMPFILE: an unnamed regular file in the directory `path` names — on an
 * unlinked dentry, with nlink 0 — that linkat() may name later unless
 * O_EXCL was given (Linux's vfs_tmpfile).
 */
static int open_tmpfile(int dirfd, const char *path, int flags, mode_t mode, struct file **out)
{
  if ((flags & (__O_TMPFILE | O_DIRECTORY | O_CREAT)) != O_TMPFILE)
    return -EINVAL;
  if ((flags & O_ACCMODE) == O_RDONLY)
    return -EINVAL;
  struct path dir;
  int r = path_lookup(dirfd, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dir);
  if (r)
    return r;
  struct inode *di = dir.dentry->inode;
  char name[32];
  struct dentry *d = NULL;
  if ((r = may_create(di)))
    goto out;
  if (mnt_readonly(dir.mnt)) {
    r = -EROFS;
    goto out;
  }
  if (!di->iop || !di->iop->tmpfile) {
    r = -EOPNOTSUPP;
    goto out;
  }
  static uint64_t seq;
  int n = snprintf(name, sizeof(name), "#%lu", (unsigned long)__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
  if (!(d = dentry_alloc(dir.dentry, name, (size_t)n))) {
    r = -ENOMEM;
    goto out;
  }
  d_delete(d); /* in no directory: lookups never find it */
  mutex_lock(&di->lock);
  r = di->iop->tmpfile(di, d, (mode_strip_sgid(di, (mode & 07777) | S_IFREG) & ~current->fs->umask) | S_IFREG);
  mutex_unlock(&di->lock);
  if (r)
    goto out;
  inode_init_owner(di, d->inode);
  d->inode->linkable = !(flags & O_EXCL);
  struct path p = { dir.mnt, d };
  struct file *f = file_open_path(&p, flags & ~(__O_TMPFILE | O_DIRECTORY | O_EXCL));
  if (IS_ERR(f)) {
    r = (int)PTR_ERR(f);
    goto out;
  }
  open_count(d->inode, flags, 1);
  f->open_counted = true;
  *out = f;
out:
  if (d)
    dput(d);
  path_put(&dir);
  return r;
}

/*
 * The second half of openat (and open_by_handle_at): check the object p
 * names — the caller's reference passes to us — against flags, truncate,
 * and return a new struct file in *out. created: this open made it.
 */
static int open_resolved(struct path *pp, int flags, bool created, struct file **out)
{
  struct path p = *pp;
  struct inode *ino = p.dentry->inode;
  int acc = flags & O_ACCMODE;
  int r = may_open_type(p.mnt, ino, flags);
  /* A file we just made may be opened as asked, whatever its mode. The
   * kernel's own exec opens need execute permission, not read (exec.c). */
  if (!r && !created && !(flags & O_PATH))
    r = (flags & O_EXEC_OPEN) ? inode_permission(ino, MAY_EXEC | MAY_OPEN) : may_open(&p, flags);
  if (r) {
    path_put(&p);
    return r;
  }
  /* Count the opener (leases look at who has the file open), then break
   * the leases in its way. */
  bool count = S_ISREG(ino->mode) && !(flags & O_PATH);
  if (count && acc != O_RDONLY && READ_ONCE(ino->deny_writers) > 0) {
    path_put(&p);
    return -ETXTBSY; /* a running program's file */
  }
  if (count) {
    open_count(ino, flags, 1);
    if (!(flags & O_EXEC_OPEN) && (r = break_lease(ino, flags, NULL)))
      goto fail;
  }
  if ((flags & O_TRUNC) && S_ISREG(ino->mode) && !(flags & O_PATH)) {
    mutex_lock(&ino->lock);
    file_remove_privs(ino);
    r = vfs_truncate(ino, 0);
    mutex_unlock(&ino->lock);
    if (r)
      goto fail;
    inotify_dentry_event(p.dentry, IN_MODIFY);
  }
  struct file *f = file_open_path(&p, flags & ~O_EXEC_OPEN);
  if (IS_ERR(f)) {
    r = (int)PTR_ERR(f);
    goto fail;
  }
  path_put(&p);
  f->open_counted = count;
  *out = f;
  return 0;
fail:
  if (count)
    open_count(ino, flags, -1);
  path_put(&p);
  return r;
}

/*
 * openat(): resolve (creating with O_CREAT), check, truncate, and return a
 * new struct file in *out.
 */
int vfs_open(int dirfd, const char *path, int flags, mode_t mode, struct file **out)
{
  struct path p;
  int r;
  bool created = false;
  if (flags & __O_TMPFILE)
    return open_tmpfile(dirfd, path, flags, mode, out);
  if (flags & O_CREAT) {
    if ((r = open_create(dirfd, path, flags, mode, &p, &created)))
      return r;
    if (created)
      flags &= ~O_TRUNC; /* it is empty */
  } else {
    r = path_lookup(dirfd, path, (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
    if (r)
      return r;
  }
  return open_resolved(&p, flags, created, out);
}

int vfs_open_path(struct path *p, int flags, struct file **out)
{
  return open_resolved(p, flags & ~(O_CREAT | O_EXCL | __O_TMPFILE), false, out);
}


int kernel_open(const char *path, int flags, mode_t mode, struct file **out)
{
  return vfs_open(AT_FDCWD, path, flags, mode, out);
}

/* ---- descriptor tables ---- */

#define FD_INITIAL 64

struct files *files_alloc(void)
{
  struct files *ft = kzalloc(sizeof(*ft));
  if (!ft)
    return NULL;
  ft->refcount = 1;
  spin_init(&ft->lock, "files");
  ft->size = FD_INITIAL;
  ft->fd = kzalloc(FD_INITIAL * sizeof(struct file *));
  ft->cloexec = kzalloc(FD_INITIAL);
  if (!ft->fd || !ft->cloexec) {
    kfree(ft->fd);
    kfree(ft->cloexec);
    kfree(ft);
    return NULL;
  }
  return ft;
}

/* Grow the table to hold at least n descriptors (lock held; may drop it). */
static int files_grow(struct files *ft, int n)
{
  int size = ft->size;
  while (size < n)
    size *= 2;
  spin_unlock(&ft->lock);
  struct file **fd = kzalloc(size * sizeof(struct file *));
  uint8_t *ce = kzalloc(size);
  spin_lock(&ft->lock);
  if (!fd || !ce) {
    kfree(fd);
    kfree(ce);
    return -ENOMEM;
  }
  if (ft->size >= n) { /* someone else grew it */
    kfree(fd);
    kfree(ce);
    return 0;
  }
  memcpy(fd, ft->fd, ft->size * sizeof(struct file *));
  memcpy(ce, ft->cloexec, ft->size);
  struct file **oldfd = ft->fd;
  uint8_t *oldce = ft->cloexec;
  ft->fd = fd;
  ft->cloexec = ce;
  ft->size = size;
  spin_unlock(&ft->lock);
  kfree(oldfd);
  kfree(oldce);
  spin_lock(&ft->lock);
  return 0;
}

struct files *files_copy(struct files *old)
{
  struct files *ft = files_alloc();
  if (!ft)
    return NULL;
  spin_lock(&old->lock);
  int size = old->size;
  spin_unlock(&old->lock);
  spin_lock(&ft->lock);
  if (size > ft->size && files_grow(ft, size)) {
    spin_unlock(&ft->lock);
    files_put(ft);
    return NULL;
  }
  spin_unlock(&ft->lock);
  spin_lock(&old->lock);
  for (int i = 0; i < old->size && i < ft->size; i++) {
    if (old->fd[i]) {
      fget(old->fd[i]);
      ft->fd[i] = old->fd[i];
      ft->cloexec[i] = old->cloexec[i];
    }
  }
  spin_unlock(&old->lock);
  return ft;
}

void files_get(struct files *ft)
{
  __atomic_add_fetch(&ft->refcount, 1, __ATOMIC_RELAXED);
}

/*
 * After descriptors close: AF_UNIX may now collect sockets that only
 * messages in flight hold (net/unix_gc.c). A no-op without the network.
 */
__attribute__((weak)) void unix_gc_after_close(void) {}

void files_put(struct files *ft)
{
  if (__atomic_sub_fetch(&ft->refcount, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  for (int i = 0; i < ft->size; i++)
    if (ft->fd[i]) {
      fd_flush(ft->fd[i]);
      fput(ft->fd[i]);
    }
  kfree(ft->fd);
  kfree(ft->cloexec);
  kfree(ft);
  unix_gc_after_close();
}

/* clone: the child shares the caller's table (CLONE_FILES) or gets a copy. */
static int files_fork(struct task *t, struct process *p, uint64_t flags, const struct clone_extras *x)
{
  (void)p;
  (void)x;
  if (flags & CLONE_FILES) {
    t->files = current->files;
    files_get(t->files);
  } else if (!(t->files = files_copy(current->files))) {
    return -ENOMEM;
  }
  return 0;
}

/* exit: t lets go of its table (cleared under proc_lock: procfs reads it). */
static void files_exit_task(struct task *t)
{
  spin_lock(&proc_lock);
  struct files *files = t->files;
  t->files = NULL;
  spin_unlock(&proc_lock);
  if (files)
    files_put(files);
}

/* A task's descriptor table, as clone and exit see it (kern/proc_resource.h). */
static const struct proc_resource files_proc_resource = {
  .name = "files",
  .fork = files_fork,
  .exit_task = files_exit_task,
};

void files_init(void)
{
  proc_resource_register(PROC_RES_FILES, &files_proc_resource);
}

int fd_install(struct file *f, int min, bool cloexec)
{
  struct files *ft = current->files;
  int limit = (int)MIN(rlimit_cur(RLIMIT_NOFILE), (uint64_t)NR_OPEN_MAX);
  if (min < 0)
    return -EINVAL;
  if (min >= limit)
    return -EMFILE;
  spin_lock(&ft->lock);
  for (int fd = min; fd < limit; fd++) {
    if (fd >= ft->size && files_grow(ft, fd + 1)) {
      spin_unlock(&ft->lock);
      return -ENOMEM;
    }
    if (!ft->fd[fd]) {
      ft->fd[fd] = f;
      ft->cloexec[fd] = cloexec;
      spin_unlock(&ft->lock);
      return fd;
    }
  }
  spin_unlock(&ft->lock);
  return -EMFILE;
}

int fd_install_opened(struct file *f, int open_flags)
{
  if (!(open_flags & O_PATH))
    inotify_file_event(f, IN_OPEN);
  int fd = fd_install(f, 0, open_flags & O_CLOEXEC);
  if (fd < 0)
    fput(f);
  return fd;
}

/* Put f at exactly fd, closing what was there (dup2/dup3). */
int fd_install_at(int fd, struct file *f, bool cloexec)
{
  struct files *ft = current->files;
  int limit = (int)MIN(rlimit_cur(RLIMIT_NOFILE), (uint64_t)NR_OPEN_MAX);
  if (fd < 0 || fd >= limit)
    return -EBADF;
  spin_lock(&ft->lock);
  if (fd >= ft->size && files_grow(ft, fd + 1)) {
    spin_unlock(&ft->lock);
    return -ENOMEM;
  }
  struct file *old = ft->fd[fd];
  ft->fd[fd] = f;
  ft->cloexec[fd] = cloexec;
  spin_unlock(&ft->lock);
  if (old) {
    fd_flush(old);
    fput(old);
  }
  return fd;
}

struct file *fd_get_raw(int fd)
{
  struct files *ft = current->files;
  struct file *f = NULL;
  spin_lock(&ft->lock);
  if (fd >= 0 && fd < ft->size && ft->fd[fd]) {
    f = ft->fd[fd];
    fget(f);
  }
  spin_unlock(&ft->lock);
  return f;
}

struct file *fd_get(int fd)
{
  struct file *f = fd_get_raw(fd);
  if (f && (f->flags & O_PATH)) {
    fput(f);
    return NULL;
  }
  return f;
}

int fd_close(int fd)
{
  struct files *ft = current->files;
  spin_lock(&ft->lock);
  if (fd < 0 || fd >= ft->size || !ft->fd[fd]) {
    spin_unlock(&ft->lock);
    return -EBADF;
  }
  struct file *f = ft->fd[fd];
  ft->fd[fd] = NULL;
  ft->cloexec[fd] = 0;
  spin_unlock(&ft->lock);
  /* The table's reference is ours now: no fget/fput pair around it. */
  fd_flush(f);
  if (f->inode)
    locks_remove_posix(f->inode, current->proc->pid);
  fput(f);
  unix_gc_after_close();
  return 0;
}

int fd_get_cloexec(int fd)
{
  struct files *ft = current->files;
  spin_lock(&ft->lock);
  int r = (fd >= 0 && fd < ft->size && ft->fd[fd]) ? ft->cloexec[fd] : -EBADF;
  spin_unlock(&ft->lock);
  return r;
}

int fd_set_cloexec(int fd, bool on)
{
  struct files *ft = current->files;
  spin_lock(&ft->lock);
  int r = -EBADF;
  if (fd >= 0 && fd < ft->size && ft->fd[fd]) {
    ft->cloexec[fd] = on;
    r = 0;
  }
  spin_unlock(&ft->lock);
  return r;
}

void files_close_on_exec(struct files *ft)
{
  for (int i = 0; i < ft->size; i++) {
    spin_lock(&ft->lock);
    struct file *f = NULL;
    if (ft->fd[i] && ft->cloexec[i]) {
      f = ft->fd[i];
      ft->fd[i] = NULL;
      ft->cloexec[i] = 0;
    }
    spin_unlock(&ft->lock);
    if (f) {
      fd_flush(f);
      fput(f);
    }
  }
}

int files_count(struct files *ft)
{
  int n = 0;
  spin_lock(&ft->lock);
  for (int i = 0; i < ft->size; i++)
    if (ft->fd[i])
      n++;
  spin_unlock(&ft->lock);
  return n;
}
