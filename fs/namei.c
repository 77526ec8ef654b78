/*
 * namei.c — the path walk: turn a name into a (mount, dentry) pair.
 *
 * Components are resolved one at a time from the starting directory (the
 * process root for absolute paths, the cwd or a dirfd otherwise):
 *   "."   stays, ".." goes up (across a mount point if at a mount's root,
 *   never above the process root), anything else is looked up in the
 *   dentry cache, then by the file system. After each step we descend into
 *   any file system mounted there. Symlinks are followed (at most
 *   SYMLOOP_MAX of them) unless they are the last component and the caller
 *   asked not to. A magic link (/proc/<pid>/fd/N) is not a name but the
 *   object itself: the walk jumps there (inode_ops.get_link).
 *
 * openat2 can restrict a walk (struct resolve_scope, current->resolve for
 * the duration of the call): no symlinks or no magic links (ELOOP), no
 * mount crossings (EXDEV), no escape from the starting directory
 * (RESOLVE_BENEATH: EXDEV for "..", absolute names and magic links that
 * would leave it) or the starting directory as the root (RESOLVE_IN_ROOT),
 * and only the dentry cache (RESOLVE_CACHED: EAGAIN on a miss) — checked
 * at the same steps as Linux's nameidata flags.
 *
 * Layer: fs, the VFS core (fs/namei.h). Above: every system call that
 * takes a path, vfs_open, fs/fsops.c. Below: the dentry cache
 * (fs/dcache.c), the file systems' lookup and get_link, follow_mounts
 * (fs/mount.c), fs/perm.c (search permission).
 *
 * Locks: the walk takes each directory's inode lock only around a lookup
 * that misses the dentry cache (a negative dentry counts as a miss: it may
 * be another walk's, still being filled in); it holds a reference (not a
 * lock) to the directory it stands in. fs_context->lock (a spinlock)
 * guards a task's root and cwd.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/pathname.h"
#include "fs/perm.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "kern/proc_resource.h"
#include "kern/clone.h"
#include "kern/errno.h"
#include "kern/syscall.h"   /* copy_path */
#include <string.h>

struct fs_context *fs_context_alloc(void)
{
  struct fs_context *fs = kzalloc(sizeof(*fs));
  if (!fs)
    return NULL;
  fs->refcount = 1;
  spin_init(&fs->lock, "fs");
  fs->umask = 022;
  return fs;
}

struct fs_context *fs_context_copy(struct fs_context *old)
{
  struct fs_context *fs = fs_context_alloc();
  if (!fs)
    return NULL;
  spin_lock(&old->lock);
  fs->root = old->root;
  fs->cwd = old->cwd;
  path_get(&fs->root);
  path_get(&fs->cwd);
  fs->umask = old->umask;
  spin_unlock(&old->lock);
  return fs;
}

void fs_context_put(struct fs_context *fs)
{
  if (__atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  path_put(&fs->root);
  path_put(&fs->cwd);
  kfree(fs);
}

int kernel_chdir(const char *path)
{
  struct path p;
  int r = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
  if (r)
    return r;
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path old = fs->cwd;
  fs->cwd = p;
  spin_unlock(&fs->lock);
  path_put(&old);
  return 0;
}

/* clone: the child shares the caller's root, cwd and umask (CLONE_FS) or
 * gets a copy. */
static int fs_fork(struct task *t, struct process *p, uint64_t flags, const struct clone_extras *x)
{
  (void)p;
  (void)x;
  if (flags & CLONE_FS) {
    t->fs = current->fs;
    __atomic_add_fetch(&t->fs->refcount, 1, __ATOMIC_RELAXED);
  } else if (!(t->fs = fs_context_copy(current->fs))) {
    return -ENOMEM;
  }
  return 0;
}

/* exit: t lets go of its fs context (cleared under proc_lock: procfs reads it). */
static void fs_exit_task(struct task *t)
{
  spin_lock(&proc_lock);
  struct fs_context *fs = t->fs;
  t->fs = NULL;
  spin_unlock(&proc_lock);
  if (fs)
    fs_context_put(fs);
}

/* A task's fs context, as clone and exit see it (kern/proc_resource.h). */
static const struct proc_resource fs_proc_resource = {
  .name = "fs",
  .fork = fs_fork,
  .exit_task = fs_exit_task,
};

void fs_context_init(void)
{
  proc_resource_register(PROC_RES_FS, &fs_proc_resource);
}

/* The restrictions of the openat2 in progress, with rule r; else NULL. */
static const struct resolve_scope *restricted(uint64_t r)
{
  const struct resolve_scope *s = current->resolve;
  return s && (s->resolve & r) ? s : NULL;
}
#define SCOPED (RESOLVE_BENEATH | RESOLVE_IN_ROOT)

static void get_root(struct path *p)
{
  const struct resolve_scope *s = restricted(SCOPED);
  if (s) {
    *p = s->root;
    path_get(p);
    return;
  }
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  *p = fs->root;
  path_get(p);
  spin_unlock(&fs->lock);
}

void cwd_get(struct path *p)
{
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  *p = fs->cwd;
  path_get(p);
  spin_unlock(&fs->lock);
}

/* The starting point of a relative lookup: cwd or the directory dirfd. */
static int get_start(int dirfd, struct path *p)
{
  if (dirfd == AT_FDCWD) {
    cwd_get(p);
    return 0;
  }
  struct file *f = fd_get_raw(dirfd);
  if (!f)
    return -EBADF;
  if (!f->path.dentry) {
    fput(f);
    return -ENOTDIR;
  }
  *p = f->path;
  path_get(p);
  fput(f);
  return 0;
}

/* Move p to its parent, staying inside the process root (openat2:
 * RESOLVE_BENEATH refuses to stay, RESOLVE_NO_XDEV to cross a mount). */
static int go_up(struct path *p, const struct path *root)
{
  for (;;) {
    if ((p->dentry == root->dentry && p->mnt == root->mnt) || (p->dentry == p->mnt->root && !p->mnt->parent))
      return restricted(RESOLVE_BENEATH) ? -EXDEV : 0; /* the root, or the global root */
    if (p->dentry != p->mnt->root)
      break;
    if (restricted(RESOLVE_NO_XDEV))
      return -EXDEV;
    struct path up = { p->mnt->parent, p->mnt->mountpoint };
    path_get(&up);
    path_put(p);
    *p = up;
  }
  struct path up = { p->mnt, p->dentry->parent };
  path_get(&up);
  path_put(p);
  *p = up;
  return 0;
}

/*
 * Look up one name in directory dir, whose inode lock the caller holds.
 * Returns the child (referenced; negative if the name does not exist) or
 * an error.
 */
/* Is cached dentry d stale (its file system says its name names another
 * object now)? */
static bool stale(struct dentry *d)
{
  struct inode *ino = d->inode;
  return ino && ino->iop && ino->iop->revalidate && !ino->iop->revalidate(ino);
}

struct dentry *vfs_lookup_locked(struct dentry *dir, const char *name, size_t len)
{
  struct dentry *d = dentry_lookup_child(dir, name, len);
  if (d && stale(d)) {
    d_delete(d); /* its holders keep it; lookups make a new one */
    dput(d);
    d = NULL;
  }
  if (d)
    return d;
  d = dentry_alloc(dir, name, len);
  if (!d)
    return ERR_PTR(-ENOMEM);
  struct inode *di = dir->inode;
  int r = di->iop && di->iop->lookup ? di->iop->lookup(di, d) : 0;
  if (r) {
    d_delete(d);
    dput(d);
    return ERR_PTR(r);
  }
  return d;
}

/*
 * The same, taking the directory lock only on a dentry-cache miss. A
 * negative dentry found without the lock counts as a miss: it may be one
 * that another walk has just made and is filling in (vfs_lookup_locked puts
 * a new dentry in the hash before the file system's lookup instantiates
 * it; procfs makes every /proc/<pid> name afresh this way, so two walks of
 * one /proc path on two harts meet there), and taken as it is it would be
 * ENOENT for a file that exists. Under the lock, which that walk holds
 * until its lookup is done, the dentry is filled in or truly negative.
 * (Linux marks such a dentry "in lookup" and waits on it: d_alloc_parallel.)
 * Negative dentries are not kept once unused, so this costs little.
 */
static struct dentry *lookup_one(struct dentry *dir, const char *name, size_t len)
{
  struct dentry *d = dentry_lookup_child(dir, name, len);
  if (d && __atomic_load_n(&d->inode, __ATOMIC_ACQUIRE) && !stale(d))
    return d;
  dput(d);
  if (restricted(RESOLVE_CACHED))
    return ERR_PTR(-EAGAIN);
  mutex_lock(&dir->inode->lock);
  d = vfs_lookup_locked(dir, name, len);
  mutex_unlock(&dir->inode->lock);
  return d;
}

static int walk(struct path *cur, const char *path, unsigned flags, int *depth,
                const struct path *root);

/* Replace cur (a symlink's path) by what the link points at. */
static int follow_link(struct path *cur, struct path *parent, unsigned flags, int *depth,
                       const struct path *root)
{
  if (++*depth > SYMLOOP_MAX)
    return -ELOOP;
  if (restricted(RESOLVE_NO_SYMLINKS))
    return -ELOOP;
  if (cur->mnt && (cur->mnt->flags & MS_NOSYMFOLLOW))
    return -ELOOP; /* mount -o nosymfollow */
  struct inode *ino = cur->dentry->inode;
  if (ino->iop && ino->iop->get_link) {
    /* a magic link: jump to the object itself */
    if (restricted(RESOLVE_NO_MAGICLINKS))
      return -ELOOP;
    struct path target;
    int r = ino->iop->get_link(ino, &target);
    if (r)
      return r;
    if ((restricted(RESOLVE_NO_XDEV) && target.mnt != cur->mnt) || restricted(SCOPED)) {
      path_put(&target);
      return -EXDEV;
    }
    path_put(cur);
    *cur = target;
    return 0;
  }
  if (!ino->iop || !ino->iop->readlink)
    return -EINVAL;
  char *target = kmalloc(PATH_MAX);
  if (!target)
    return -ENOMEM;
  int n = ino->iop->readlink(ino, target, PATH_MAX - 1);
  if (n < 0) {
    kfree(target);
    return n;
  }
  target[n] = 0;
  struct path start;
  if (target[0] == '/' &&
      (restricted(RESOLVE_BENEATH) || (restricted(RESOLVE_NO_XDEV) && parent->mnt != root->mnt))) {
    kfree(target);
    return -EXDEV;
  }
  if (target[0] == '/') {
    start = *root;
    path_get(&start);
  } else {
    start = *parent;
    path_get(&start);
  }
  int r = walk(&start, target, flags, depth, root);
  kfree(target);
  path_put(cur);
  *cur = start;
  return r;
}

/*
 * Walk path from cur; on success cur holds the result. With LOOKUP_FOLLOW a
 * trailing symlink is followed. A missing last component gives -ENOENT.
 */
static int walk(struct path *cur, const char *path, unsigned flags, int *depth,
                const struct path *root)
{
  const char *name;
  size_t len;
  bool last;
  /* "name/" must name a directory (or a symlink to one), as in POSIX */
  size_t n = strlen(path);
  if (n > 0 && path[n - 1] == '/')
    flags |= LOOKUP_DIRECTORY;
  while (path_next_component(&path, &name, &len, &last)) {
    if (len > NAME_MAX)
      return -ENAMETOOLONG;
    struct inode *di = cur->dentry->inode;
    if (!di || !S_ISDIR(di->mode))
      return -ENOTDIR;
    int perm = may_lookup(di);  /* search permission, for every component */
    if (perm)
      return perm;
    if (len == 1 && name[0] == '.')
      continue;
    if (len == 2 && name[0] == '.' && name[1] == '.') {
      int r = go_up(cur, root);
      if (r)
        return r;
      continue;
    }
    struct dentry *d = lookup_one(cur->dentry, name, len);
    if (IS_ERR(d))
      return PTR_ERR(d);
    if (!d->inode) {
      dput(d);
      return -ENOENT;
    }
    struct path next = { cur->mnt, d };
    __atomic_add_fetch(&next.mnt->refcount, 1, __ATOMIC_RELAXED);
    follow_mounts(&next);
    if (next.mnt != cur->mnt && restricted(RESOLVE_NO_XDEV)) {
      path_put(&next);
      return -EXDEV;
    }
    if (S_ISLNK(next.dentry->inode->mode) &&
        (!last || (flags & LOOKUP_FOLLOW) || (last && path[-1] == '/'))) {
      int r = follow_link(&next, cur, LOOKUP_FOLLOW, depth, root);
      if (r) {
        path_put(&next);
        return r;
      }
    }
    path_put(cur);
    *cur = next;
  }
  if ((flags & LOOKUP_DIRECTORY) && !S_ISDIR(cur->dentry->inode->mode))
    return -ENOTDIR;
  return 0;
}

int path_lookup_at(const struct path *start, const char *path, unsigned flags, struct path *out)
{
  if (path[0] == '/' && restricted(RESOLVE_BENEATH))
    return -EXDEV;
  struct path root;
  get_root(&root);
  struct path cur;
  if (path[0] == '/') {
    cur = root;
  } else {
    cur = *start;
  }
  path_get(&cur);
  int depth = 0;
  int r = walk(&cur, path, flags, &depth, &root);
  path_put(&root);
  if (r) {
    path_put(&cur);
    return r;
  }
  *out = cur;
  return 0;
}

int path_lookup(int dirfd, const char *path, unsigned flags, struct path *out)
{
  if (path[0] == 0 && !(flags & LOOKUP_EMPTY))
    return -ENOENT;
  /* An absolute path starts at the root, which path_lookup_at takes
   * itself: no reference on a start it would not use (each get and put
   * is a lock and an atomic, which cost most with several harts). */
  if (path[0] == '/')
    return path_lookup_at(NULL, path, flags, out);
  struct path start;
  int r;
  if ((r = get_start(dirfd, &start)))
    return r;
  if (path[0] == 0) {
    *out = start;
    return 0;
  }
  r = path_lookup_at(&start, path, flags, out);
  path_put(&start);
  return r;
}

/*
 * Walk to the parent of the last component, starting at *start (absolute
 * paths start at the process root). The name of the last component goes
 * to last (trailing slashes dropped). For "/" or a path ending in "." or
 * "..", last is that name and the caller decides.
 */
int path_parent_at(const struct path *start, const char *path, struct path *parent, char *last,
                   size_t lastsize)
{
  if (path[0] == 0)
    return -ENOENT;
  if (path[0] == '/' && restricted(RESOLVE_BENEATH))
    return -EXDEV;
  size_t i, pos, len;
  bool slash;
  path_split_last(path, &i, &pos, &len, &slash);
  if (len >= lastsize || len > NAME_MAX)
    return -ENAMETOOLONG;
  memcpy(last, path + pos, len);
  last[len] = 0;
  int r;
  if (i == 0) {
    *parent = *start;
    path_get(parent);
    r = 0;
  } else {
    char *dir = kmalloc(i + 1);
    if (!dir)
      return -ENOMEM;
    memcpy(dir, path, i);
    dir[i] = 0;
    r = path_lookup_at(start, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, parent);
    kfree(dir);
  }
  if (r == 0 && (!parent->dentry->inode || !S_ISDIR(parent->dentry->inode->mode))) {
    path_put(parent);
    return -ENOTDIR;
  }
  return r;
}

/* The same from a directory descriptor (or AT_FDCWD). */
int path_parent(int dirfd, const char *path, struct path *parent, char *last, size_t lastsize)
{
  if (path[0] == 0)
    return -ENOENT;
  struct path start;
  int r;
  if (path[0] == '/')
    get_root(&start);
  else if ((r = get_start(dirfd, &start)))
    return r;
  r = path_parent_at(&start, path, parent, last, lastsize);
  path_put(&start);
  return r;
}

/*
 * openat2: the rules for the walks of this call (resolve_end undoes).
 * The scoped ones (BENEATH, IN_ROOT) take the starting directory — dirfd
 * or the cwd — as the walk's root.
 */
int resolve_begin(struct resolve_scope *s, int dirfd, uint64_t resolve)
{
  memset(s, 0, sizeof(*s));
  s->resolve = resolve;
  if (resolve & SCOPED) {
    int r = get_start(dirfd, &s->root);
    if (r)
      return r;
  }
  current->resolve = s;
  return 0;
}

void resolve_end(struct resolve_scope *s)
{
  current->resolve = NULL;
  if (s->root.dentry)
    path_put(&s->root);
}

/*
 * A path argument of a system call copied in (Linux's getname): a
 * PATH_MAX kernel buffer the caller frees with kfree. NULL with *err set
 * to -ENOMEM, -EFAULT or -ENAMETOOLONG. No locks taken.
 */
char *user_path_copy(uaddr_t upath, long *err)
{
  char *p = kmalloc(PATH_MAX);
  if (!p) {
    *err = -ENOMEM;
    return NULL;
  }
  long n = copy_path(p, upath);
  if (n < 0) {
    kfree(p);
    *err = n;
    return NULL;
  }
  return p;
}

/*
 * The two path arguments of linkat, renameat2 and symlinkat copied in,
 * first ua then ub (the order Linux reports their errors in): 0 with *a
 * and *b PATH_MAX buffers the caller frees with kfree, or user_path_copy's
 * error with neither allocated. No locks taken.
 */
long user_two_paths(uaddr_t ua, uaddr_t ub, char **a, char **b)
{
  long err;
  *a = user_path_copy(ua, &err);
  if (!*a)
    return err;
  *b = user_path_copy(ub, &err);
  if (!*b) {
    kfree(*a);
    *a = NULL;
    return err;
  }
  return 0;
}

/*
 * The walk of the *at() calls that take AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH (Linux's user_path_at): flags outside allowed are
 * -EINVAL; otherwise the path is copied in and looked up as path_lookup
 * does, *p referenced on success (path_put it).
 */
long user_path_at(int dirfd, uaddr_t upath, int flags, int allowed, struct path *p)
{
  if (flags & ~allowed)
    return -EINVAL;
  long err;
  char *path = user_path_copy(upath, &err);
  if (!path)
    return err;
  unsigned lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
  if (flags & AT_EMPTY_PATH)
    lf |= LOOKUP_EMPTY;
  long r = path_lookup(dirfd, path, lf, p);
  kfree(path);
  return r;
}
