/*
 * inotify.c — inotify: watches on inodes, and events the VFS reports,
 * queued to the instances that watch them and read as struct
 * inotify_event records (inotify_init1, inotify_add_watch,
 * inotify_rm_watch; read, poll, FIONREAD on the descriptor).
 *
 * Layer: a file kind (an anonymous file, fs/anon_inodes.c's anon_file) plus
 * the hooks the VFS calls (fs/inotify.h): fs/file.c (open, read, write,
 * close), fs/fsops.c (create, delete, rename, link), fs/sys_sync.c,
 * fs/sys_stat.c, fs/sys_dir.c (truncate, chmod, chown, times, getdents),
 * fs/xattr.c, fs/dcache.c and fs/super.c (the last use of a removed
 * file, unmount).
 *
 * A watch ties an instance to an inode, which it holds: the inode's
 * `watches` list names every instance watching it, the instance's list
 * every inode it watches, by watch descriptor. An event goes to the
 * watches of the inode concerned, and the events a directory hears about
 * its entries (access, modify, attrib, open, close) also to the parent
 * directory's watches, with the entry's name. A new event equal to the
 * last one still queued is dropped (Linux merges them); a full queue ends
 * with one IN_Q_OVERFLOW.
 *
 * Locks: inotify_lock (a spinlock) protects all watch lists and every
 * inode's `watches` pointer; inst->lock the event queue. Order:
 * inotify_lock > inst->lock > the wait queue's lock. Inode references
 * are dropped with no lock held.
 */
#include "fs/inotify.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/perm.h"
#include "fs/anon_inodes.h"
#include "kern/poll.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/param.h"
#include "drivers/tty_ioctl.h"
#include <string.h>

/* /proc/sys/fs/inotify/: the limits, root may change them (kern/param.h
 * gives the defaults; here they count for everyone, not per user). The
 * instance and watch limits live in init_user_ns (fs/inotify.h). */
int inotify_max_queued_events = INOTIFY_MAX_EVENTS;

struct inode_watches {
  struct list_head list;        /* of struct watch, by i_link */
};

struct watch {
  struct list_head i_link;      /* in inode->watches->list */
  struct list_head w_link;      /* in inst->watches */
  struct list_head g_link;      /* in all_watches (for unmount) */
  struct inotify *inst;
  struct inode *ino;            /* held */
  int wd;
  uint32_t mask;                /* IN_ALL_EVENTS bits, IN_ONESHOT, IN_EXCL_UNLINK */
};

struct kevent {
  struct list_head link;
  int32_t wd;
  uint32_t mask, cookie;
  uint32_t len;                 /* of name[], NUL-padded to a multiple of 16 */
  char name[];
};

struct inotify {
  struct spinlock lock;         /* the queue */
  struct list_head events;
  int nevents;
  size_t bytes;                 /* what FIONREAD reports */
  struct wait_queue wq;
  struct list_head watches;     /* inotify_lock */
  int next_wd;                  /* inotify_lock */
};

#define EVENT_HEAD 16           /* sizeof(struct inotify_event) */

static struct spinlock inotify_lock = SPINLOCK_INIT("inotify");
static int nr_instances;   /* inotify_lock */
int inotify_nr_watches;    /* inotify_lock; read without it by inotify_file_event */
static LIST_HEAD(all_watches);          /* inotify_lock */
static uint32_t next_cookie;

uint32_t inotify_cookie(void)
{
  return __atomic_add_fetch(&next_cookie, 1, __ATOMIC_RELAXED);
}

/* ---- queueing (inotify_lock held) ---- */

static void queue_event(struct inotify *in, int wd, uint32_t mask, uint32_t cookie, const char *name)
{
  size_t nlen = name ? strlen(name) : 0;
  uint32_t len = nlen ? (uint32_t)ROUND_UP(nlen + 1, EVENT_HEAD) : 0;
  spin_lock(&in->lock);
  if (!list_empty(&in->events)) {
    struct kevent *last = list_entry(in->events.prev, struct kevent, link);
    if (last->mask == IN_Q_OVERFLOW) {
      spin_unlock(&in->lock);
      return; /* full: nothing more until it is read */
    }
    if (last->wd == wd && last->mask == mask && last->cookie == cookie &&
        ((!name && !last->len) || (name && last->len && !strcmp(last->name, name)))) {
      spin_unlock(&in->lock);
      return; /* the same as the last one: merged */
    }
  }
  bool overflow = in->nevents >= READ_ONCE(inotify_max_queued_events);
  if (overflow) {
    wd = -1;
    mask = IN_Q_OVERFLOW;
    cookie = 0;
    len = 0;
  }
  struct kevent *e = kzalloc(sizeof(*e) + len);
  if (e) {
    e->wd = wd;
    e->mask = mask;
    e->cookie = cookie;
    e->len = len;
    if (len)
      memcpy(e->name, name, nlen);
    list_add_tail(&e->link, &in->events);
    in->nevents++;
    in->bytes += EVENT_HEAD + len;
  }
  spin_unlock(&in->lock);
  wake_up_events(&in->wq, POLLIN | POLLRDNORM);
}

/* Free ino's watch list once it is empty (inotify_lock held). */
static void tidy_watches(struct inode *ino)
{
  struct inode_watches *iw = ino->watches;
  if (iw && list_empty(&iw->list)) {
    ino->watches = NULL;
    kfree(iw);
  }
}

/* Take watch w off both lists; its inode reference goes to *drop. The
 * caller tidies the inode's list when done walking it. */
static void unlink_watch(struct watch *w, struct inode **drop)
{
  list_del(&w->i_link);
  list_del(&w->w_link);
  list_del(&w->g_link);
  inotify_nr_watches--;
  *drop = w->ino;
  kfree(w);
}

/* Report an event to the watches of ino (inotify_lock held); with a name,
 * it is about an entry of directory ino. Watches that end (one-shot) go
 * on `ended` with their inodes. */
#define ENDED_MAX 8
struct ended {
  struct inode *ino[ENDED_MAX];
  int n;
};

static void notify_locked(struct inode *ino, uint32_t mask, uint32_t cookie, const char *name,
                          bool child_unlinked, struct ended *end)
{
  if (!ino->watches)
    return;
  struct watch *w, *n;
  list_for_each_entry_safe(w, n, &ino->watches->list, i_link) {
    uint32_t ev = mask & ~IN_ISDIR;
    bool always = ev & (IN_IGNORED | IN_UNMOUNT);
    if (!always && !(w->mask & ev & IN_ALL_EVENTS))
      continue;
    if (child_unlinked && (w->mask & IN_EXCL_UNLINK))
      continue;
    queue_event(w->inst, w->wd, mask, cookie, name);
    if ((w->mask & IN_ONESHOT) && !always && end->n < ENDED_MAX) {
      queue_event(w->inst, w->wd, IN_IGNORED, 0, NULL);
      unlink_watch(w, &end->ino[end->n++]);
    }
  }
  tidy_watches(ino);
}

static void drop_ended(struct ended *end)
{
  for (int i = 0; i < end->n; i++)
    iput(end->ino[i]);
}

/* ---- the hooks ---- */

void inotify_inode_event(struct inode *ino, uint32_t mask, const char *unused)
{
  (void)unused;
  if (!READ_ONCE(ino->watches))
    return;
  /* inotify never says IN_ISDIR with IN_MOVE_SELF or IN_DELETE_SELF */
  if (S_ISDIR(ino->mode) && !(mask & (IN_MOVE_SELF | IN_DELETE_SELF)))
    mask |= IN_ISDIR;
  struct ended end = { .n = 0 };
  spin_lock(&inotify_lock);
  notify_locked(ino, mask, 0, NULL, false, &end);
  spin_unlock(&inotify_lock);
  drop_ended(&end);
}

void inotify_dentry_event(struct dentry *d, uint32_t mask)
{
  struct inode *ino = d->inode;
  struct dentry *parent = d->parent;
  struct inode *dir = parent != d ? parent->inode : NULL;
  if (!ino || (!READ_ONCE(ino->watches) && (!dir || !READ_ONCE(dir->watches))))
    return;
  if (S_ISDIR(ino->mode))
    mask |= IN_ISDIR;
  struct ended end = { .n = 0 };
  spin_lock(&inotify_lock);
  if (dir && dir != ino) {
    spin_lock(&dcache_lock); /* the name, steady while we copy it */
    char name[NAME_MAX + 1];
    strlcpy(name, d->name, sizeof(name));
    bool unlinked = d->unlinked;
    spin_unlock(&dcache_lock);
    notify_locked(dir, mask, 0, name, unlinked, &end);
  }
  notify_locked(ino, mask, 0, NULL, false, &end);
  spin_unlock(&inotify_lock);
  drop_ended(&end);
}

void inotify_file_event_watched(struct file *f, uint32_t mask)
{
  if (f->path.dentry && !path_is_pseudo(&f->path))
    inotify_dentry_event(f->path.dentry, mask);
  else if (f->inode)
    inotify_inode_event(f->inode, mask, NULL);
}

void inotify_dir_event(struct inode *dir, uint32_t mask, const char *name, uint32_t cookie)
{
  if (!READ_ONCE(dir->watches))
    return;
  struct ended end = { .n = 0 };
  spin_lock(&inotify_lock);
  notify_locked(dir, mask, cookie, name, false, &end);
  spin_unlock(&inotify_lock);
  drop_ended(&end);
}

/* Every watch on ino ends after `mask` (IN_DELETE_SELF or IN_UNMOUNT). */
static void end_all_watches(struct inode *ino, uint32_t mask)
{
  for (;;) {
    struct inode *drop = NULL;
    spin_lock(&inotify_lock);
    if (ino->watches && !list_empty(&ino->watches->list)) {
      struct watch *w = list_first_entry(&ino->watches->list, struct watch, i_link);
      if (mask) /* (IN_DELETE_SELF, IN_UNMOUNT: never with IN_ISDIR) */
        queue_event(w->inst, w->wd, mask, 0, NULL);
      queue_event(w->inst, w->wd, IN_IGNORED, 0, NULL);
      unlink_watch(w, &drop);
      tidy_watches(ino);
    }
    spin_unlock(&inotify_lock);
    if (!drop)
      return;
    iput(drop);
  }
}

void inotify_inode_removed(struct inode *ino)
{
  if (READ_ONCE(ino->watches))
    end_all_watches(ino, IN_DELETE_SELF);
}

void inotify_unmount(struct super_block *sb)
{
  for (;;) {
    struct inode *victim = NULL;
    spin_lock(&inotify_lock);
    struct watch *w;
    list_for_each_entry(w, &all_watches, g_link) {
      if (w->ino->sb == sb) {
        victim = w->ino;
        iget(victim); /* keeps it while its watches end */
        break;
      }
    }
    spin_unlock(&inotify_lock);
    if (!victim)
      return;
    end_all_watches(victim, IN_UNMOUNT);
    iput(victim);
  }
}

/* ---- the descriptor ---- */

static ssize_t inotify_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct inotify *in = f->priv;
  long w = wait_event(&in->wq, READ_ONCE(in->nevents) > 0, (f->flags & O_NONBLOCK) ? 0 : WAIT_FOREVER);
  if (w)
    return w;
  /* Take whole events that fit, then copy them out with no lock held. */
  struct list_head taken;
  list_init(&taken);
  size_t room = u->resid, used = 0;
  spin_lock(&in->lock);
  while (!list_empty(&in->events)) {
    struct kevent *e = list_first_entry(&in->events, struct kevent, link);
    size_t sz = EVENT_HEAD + e->len;
    if (used + sz > room)
      break;
    list_del(&e->link);
    list_add_tail(&e->link, &taken);
    in->nevents--;
    in->bytes -= sz;
    used += sz;
  }
  spin_unlock(&in->lock);
  if (!used)
    return -EINVAL; /* the buffer cannot hold the next event */
  ssize_t done = 0;
  struct kevent *e, *n;
  list_for_each_entry_safe(e, n, &taken, link) {
    if (done >= 0) {
      uint32_t head[4] = { (uint32_t)e->wd, e->mask, e->cookie, e->len };
      if (uio_copy_to(u, head, EVENT_HEAD) != EVENT_HEAD ||
          (e->len && uio_copy_to(u, e->name, e->len) != (long)e->len))
        done = -EFAULT;
      else
        done += EVENT_HEAD + e->len;
    }
    kfree(e);
  }
  return done;
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
  struct inotify *in = f->priv;
  poll_wait(f, &in->wq, pt);
  return READ_ONCE(in->nevents) > 0 ? POLLIN | POLLRDNORM : 0;
}

static int inotify_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct inotify *in = f->priv;
  if (cmd != FIONREAD)
    return -ENOTTY;
  spin_lock(&in->lock);
  uint32_t n = (uint32_t)in->bytes;
  spin_unlock(&in->lock);
  return copyout(arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static void inotify_release(struct file *f)
{
  struct inotify *in = f->priv;
  for (;;) {
    struct inode *drop = NULL;
    spin_lock(&inotify_lock);
    if (!list_empty(&in->watches)) {
      struct watch *w = list_first_entry(&in->watches, struct watch, w_link);
      struct inode *ino = w->ino;
      unlink_watch(w, &drop);
      tidy_watches(ino);
    } else
      nr_instances--;
    spin_unlock(&inotify_lock);
    if (!drop)
      break;
    iput(drop);
  }
  struct kevent *e, *n;
  list_for_each_entry_safe(e, n, &in->events, link)
    kfree(e);
  kfree(in);
}

static const struct file_ops inotify_fops = {
  .read = inotify_read,
  .poll = inotify_poll,
  .ioctl = inotify_ioctl,
  .release = inotify_release,
};

/* ---- the system calls ---- */

long sys_inotify_init1(int flags)
{
  if (flags & ~(O_NONBLOCK | O_CLOEXEC))
    return -EINVAL;
  struct inotify *in = kzalloc(sizeof(*in));
  if (!in)
    return -ENOMEM;
  spin_init(&in->lock, "inotify-queue");
  list_init(&in->events);
  list_init(&in->watches);
  wait_queue_init(&in->wq);
  in->next_wd = 1;
  spin_lock(&inotify_lock);
  bool full = nr_instances >= READ_ONCE(inotify_max_user_instances);
  if (!full)
    nr_instances++;
  spin_unlock(&inotify_lock);
  if (full) {
    kfree(in);
    return -EMFILE;
  }
  struct file *f = anon_file(&inotify_fops, in, flags);
  if (!f) {
    spin_lock(&inotify_lock);
    nr_instances--;
    spin_unlock(&inotify_lock);
    kfree(in);
    return -ENOMEM;
  }
  f->flags = O_RDONLY | (flags & O_NONBLOCK);
  int fd = fd_install(f, 0, flags & O_CLOEXEC);
  if (fd < 0)
    fput(f);
  return fd;
}

void inotify_show_fdinfo(struct file *f, void (*print)(void *ctx, const char *fmt, ...), void *ctx)
{
  if (f->fop != &inotify_fops)
    return;
  struct inotify *in = f->priv;
  spin_lock(&inotify_lock);
  struct watch *w;
  list_for_each_entry(w, &in->watches, w_link)
    print(ctx, "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:0\n", w->wd, (unsigned long)w->ino->ino,
          (unsigned)inode_dev(w->ino), w->mask);
  spin_unlock(&inotify_lock);
}

/* The inotify instance of descriptor fd (file referenced into *fp). */
static struct inotify *instance_of(int fd, struct file **fp, long *err)
{
  struct file *f = fd_get(fd);
  if (!f) {
    *err = -EBADF;
    return NULL;
  }
  if (f->fop != &inotify_fops) {
    fput(f);
    *err = -EINVAL;
    return NULL;
  }
  *fp = f;
  return f->priv;
}

static struct watch *find_watch(struct inotify *in, struct inode *ino, int wd)
{
  struct watch *w;
  list_for_each_entry(w, &in->watches, w_link)
    if ((ino && w->ino == ino) || (!ino && w->wd == wd))
      return w;
  return NULL;
}

long sys_inotify_add_watch(int fd, uaddr_t upath, uint32_t mask)
{
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
    return -EINVAL;
  if (!(mask & IN_ALL_EVENTS))
    return -EINVAL;
  struct file *f = NULL;
  long r = 0;
  struct inotify *in = instance_of(fd, &f, &r);
  if (!in)
    return r;
  char *path = kmalloc(PATH_MAX);
  struct path p;
  if (!path) {
    fput(f);
    return -ENOMEM;
  }
  r = copy_path(path, upath);
  if (r >= 0)
    r = path_lookup(AT_FDCWD, path, ((mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW) |
                                         ((mask & IN_ONLYDIR) ? LOOKUP_DIRECTORY : 0), &p);
  kfree(path);
  if (r < 0) {
    fput(f);
    return r;
  }
  struct inode *ino = p.dentry->inode;
  r = inode_permission(ino, MAY_READ);
  if (r) {
    path_put(&p);
    fput(f);
    return r;
  }
  uint32_t keep = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
  struct watch *nw = kzalloc(sizeof(*nw));
  struct inode_watches *niw = kzalloc(sizeof(*niw));
  spin_lock(&inotify_lock);
  struct watch *w = find_watch(in, ino, 0);
  if (w) {
    if (mask & IN_MASK_CREATE)
      r = -EEXIST;
    else {
      w->mask = (mask & IN_MASK_ADD) ? w->mask | keep : keep;
      r = w->wd;
    }
  } else if (!nw || !niw) {
    r = -ENOMEM;
  } else if (inotify_nr_watches >= READ_ONCE(inotify_max_user_watches)) {
    r = -ENOSPC;
  } else {
    if (!ino->watches) {
      list_init(&niw->list);
      ino->watches = niw;
      niw = NULL;
    }
    iget(ino);
    nw->ino = ino;
    nw->inst = in;
    nw->mask = keep;
    while (find_watch(in, NULL, in->next_wd))
      in->next_wd = in->next_wd == INT32_MAX ? 1 : in->next_wd + 1;
    nw->wd = in->next_wd;
    in->next_wd = in->next_wd == INT32_MAX ? 1 : in->next_wd + 1;
    list_add_tail(&nw->i_link, &ino->watches->list);
    list_add_tail(&nw->w_link, &in->watches);
    list_add_tail(&nw->g_link, &all_watches);
    inotify_nr_watches++;
    r = nw->wd;
    nw = NULL;
  }
  spin_unlock(&inotify_lock);
  kfree(nw);
  kfree(niw);
  path_put(&p);
  fput(f);
  return r;
}

long sys_inotify_rm_watch(int fd, int wd)
{
  struct file *f = NULL;
  long r = 0;
  struct inotify *in = instance_of(fd, &f, &r);
  if (!in)
    return r;
  struct inode *drop = NULL;
  spin_lock(&inotify_lock);
  struct watch *w = find_watch(in, NULL, wd);
  if (w) {
    queue_event(in, wd, IN_IGNORED, 0, NULL);
    struct inode *ino = w->ino;
    unlink_watch(w, &drop);
    tidy_watches(ino);
  }
  spin_unlock(&inotify_lock);
  if (drop)
    iput(drop);
  fput(f);
  return w ? 0 : -EINVAL;
}
