/*
 * super.c — file system types, superblocks and the mount table: register
 * a type, mount the root, mount (new, bind, by device) and unmount (one,
 * a tree, lazily), statfs, sync and the power-off shutdown.
 *
 * Layer: fs, the VFS core (fs/vfs.c draws its files). Neighbours:
 * fs/mount.c (moving mounts, pivot_root), fs/dcache.c (a mount's
 * dentries), fs/namei.c (follow_mounts is called at every step of the
 * walk), fs/sys_mount.c (the system calls), the file systems' mount and
 * put_super operations.
 *
 * Locks: mount_lock (a spinlock, defined here) guards mount_list and every
 * mount's parent and mount point; it is a leaf, dropped before a file
 * system's sync or put_super runs. A superblock's refcount counts its
 * mounts (changed under mount_lock). namespace_mutex (Linux's
 * namespace_sem; a sleeping lock, taken before mount_lock) makes one
 * change of the tree's shape at a time — a mount, bind, move, unmount,
 * propagation change, namespace copy: it owns the marks (mount.doomed)
 * while an unmount takes its mounts away, and keeps a tree as it is
 * while its copies are allocated with mount_lock dropped (fs/mount.c).
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/inotify.h"
#include "fs/pnode.h"
#include "kern/wait.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/mm.h"
#include <string.h>

static int device_sb(const struct fs_type *t, const char *source, struct super_block **sbp);
static void mark_tree_locked(struct mount *top);
static void umount_marked_locked(struct mount *top, int held);

struct spinlock mount_lock = SPINLOCK_INIT("mounts");
LIST_HEAD(mount_list);
static struct mount *rootmnt;
static struct mutex namespace_mutex = MUTEX_INIT(namespace_mutex, "namespace");

void namespace_lock(void)
{
  mutex_lock(&namespace_mutex);
}

void namespace_unlock(void)
{
  mutex_unlock(&namespace_mutex);
}

#define MAX_FS_TYPES 16
static const struct fs_type *fs_types[MAX_FS_TYPES];

/* ---- file system types, superblocks and mounts ---- */

int register_fs(const struct fs_type *type)
{
  for (int i = 0; i < MAX_FS_TYPES; i++) {
    if (!fs_types[i]) {
      fs_types[i] = type;
      return 0;
    }
  }
  return -ENOMEM;
}

const struct fs_type *fs_type_find(const char *name)
{
  for (int i = 0; i < MAX_FS_TYPES; i++)
    if (fs_types[i] && strcmp(fs_types[i]->name, name) == 0)
      return fs_types[i];
  return NULL;
}

/*
 * A new superblock. Its device number is an anonymous one (0:n, as Linux
 * gives in-memory file systems); a disk file system replaces it with its
 * block device's.
 */
struct super_block *sb_alloc(const struct fs_type *type)
{
  static uint32_t next_anon_minor = 1;
  struct super_block *sb = kzalloc(sizeof(*sb));
  if (sb) {
    sb->type = type;
    sb->next_ino = 1;
    sb->dev = MKDEV(0, __atomic_fetch_add(&next_anon_minor, 1, __ATOMIC_RELAXED));
  }
  return sb;
}

static int next_mount_id(void)
{
  static int next = 20; /* Linux numbers its first mounts from about here */
  return __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
}

struct mount *root_mount(void)
{
  return rootmnt;
}

static struct mount *mount_alloc(struct super_block *sb, const char *source, uint32_t flags)
{
  struct mount *m = kzalloc(sizeof(*m));
  if (!m)
    return NULL;
  m->sb = sb;
  m->root = sb->root;
  dget(m->root);
  m->source = kstrdup(source ? source : "none");
  m->flags = flags;
  m->id = next_mount_id();
  sb->refcount++;
  return m;
}

int mount_root(const char *fstype)
{
  const struct fs_type *t = fs_type_find(fstype);
  if (!t)
    return -ENODEV;
  struct super_block *sb;
  int r = t->mount(t, "rootfs", 0, NULL, &sb);
  if (r)
    return r;
  rootmnt = mount_alloc(sb, "rootfs", 0);
  if (!rootmnt)
    return -ENOMEM;
  spin_lock(&mount_lock);
  list_add_tail(&rootmnt->link, &mount_list);
  spin_unlock(&mount_lock);
  return 0;
}

/* The mount whose mountpoint is d inside parent mount pm (mount_lock held). */
static struct mount *mount_on(struct mount *pm, struct dentry *d)
{
  struct mount *m, *found = NULL;
  list_for_each_entry(m, &mount_list, link)
    if (m->parent == pm && m->mountpoint == d)
      found = m; /* the most recent mount on top wins */
  return found;
}

/* Step down through mounts stacked on p (updates p in place, references moved). */
void follow_mounts(struct path *p)
{
  for (;;) {
    spin_lock(&mount_lock);
    struct mount *m = p->dentry->mounted ? mount_on(p->mnt, p->dentry) : NULL;
    spin_unlock(&mount_lock);
    if (!m)
      return;
    struct path next = { m, m->root };
    path_get(&next);
    path_put(p);
    *p = next;
  }
}

void mount_hang_locked(struct mount *m, struct mount *parent, struct dentry *mp)
{
  m->anon = false;
  m->parent = parent;
  m->ns = parent->ns;
  m->mountpoint = mp;
  dget(mp);
  mp->mounted++;
  list_add_tail(&m->link, &mount_list);
}

/* The last mount of sb went: its dentries, the file system's state and
 * its user namespace go (the superblock itself stays allocated). */
static void sb_end(struct super_block *sb)
{
  dcache_prune(sb->root);
  if (sb->ops && sb->ops->put_super)
    sb->ops->put_super(sb);
  struct user_namespace *owner = sb->user_ns;
  sb->user_ns = NULL;
  if (owner)
    put_user_ns(owner);
}

void mount_free_unhung(struct mount *m)
{
  struct super_block *sb = m->sb;
  spin_lock(&mount_lock);
  bool last = --sb->refcount == 0;
  spin_unlock(&mount_lock);
  dput(m->root);
  if (last)
    sb_end(sb);
  kfree(m->source);
  kfree(m);
}

/*
 * A device that is mounted already is mounted again by sharing its
 * superblock, as Linux does (`mount /dev/vdb /a; mount /dev/vdb /b` shows
 * the same files twice). Returns 1 with *sbp set if source is a block device
 * mounted with type t, -EBUSY if it is mounted with another type, 0 otherwise.
 */
static int device_sb(const struct fs_type *t, const char *source, struct super_block **sbp)
{
  struct path p;
  if (!t->needs_device || !source || path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &p))
    return 0;
  struct inode *ino = p.dentry->inode;
  bool blk = ino && S_ISBLK(ino->mode);
  dev_t dev = blk ? ino->rdev : 0;
  path_put(&p);
  if (!blk)
    return 0;
  int r = 0;
  spin_lock(&mount_lock);
  struct mount *m;
  list_for_each_entry(m, &mount_list, link) {
    if (m->sb->dev != dev || !m->sb->type || !m->sb->type->needs_device)
      continue;
    if (m->sb->type->mount != t->mount) {
      r = -EBUSY;
      break;
    }
    *sbp = m->sb;
    r = 1;
    break;
  }
  spin_unlock(&mount_lock);
  return r;
}

int sb_for_mount(const struct fs_type *t, const char *source, uint32_t flags, const char *data,
                 struct super_block **sbp)
{
  int r = device_sb(t, source, sbp);
  if (r < 0)
    return r;
  if (r == 1)
    return 0;
  r = t->mount(t, source, flags, data, sbp);  /* not mounted yet: the file system reads it */
  if (r)
    return r;
  (*sbp)->flags |= flags & MS_RDONLY;
  return 0;
}

/* ---- detached mounts (fsmount, open_tree's clones) ---- */

struct mount *mount_detached(struct super_block *sb, struct dentry *root, const char *source,
                             uint32_t flags)
{
  struct mount *m = kzalloc(sizeof(*m));
  char *src = kstrdup(source ? source : "none");
  if (!m || !src) {
    kfree(m);
    kfree(src);
    return NULL;
  }
  m->sb = sb;
  m->root = root;
  dget(root);
  m->source = src;
  m->flags = flags;
  m->id = next_mount_id();
  m->anon = true;
  spin_lock(&mount_lock);
  sb->refcount++;
  spin_unlock(&mount_lock);
  return m;
}

/* Its owner let a detached mount go: unless it was attached meanwhile,
 * its file system goes as an unmount's would, once the last path into it
 * is put (mount_release_detached). */
void mount_drop_detached(struct mount *m)
{
  namespace_lock();
  spin_lock(&mount_lock);
  bool mine = m->anon;
  m->anon = false;
  if (mine) {
    mark_tree_locked(m);                /* open_tree's recursive clone: its mounts below */
    m->doomed = false;                  /* m itself is on no list: done below */
    pnode_unmounted_locked(m);
    umount_marked_locked(NULL, 0);
  } else {
    spin_unlock(&mount_lock);
  }
  namespace_unlock();
  if (!mine)
    return;
  struct super_block *sb = m->sb;
  if (sb->ops && sb->ops->sync)
    sb->ops->sync(sb);
  if (sb->refcount == 1)
    inotify_unmount(sb);
  spin_lock(&mount_lock);
  bool last = --sb->refcount == 0;
  spin_unlock(&mount_lock);
  if (!last)
    return;
  __atomic_store_n(&m->release_on_last_put, 1, __ATOMIC_RELEASE);
  if (__atomic_load_n(&m->refcount, __ATOMIC_ACQUIRE) == 0)
    mount_release_detached(m);
}

/*
 * mount(MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE [| MS_REC]) on a
 * mount's root: one type at a time (EINVAL), for the mount or, with
 * MS_REC, every mount below it too (fs/pnode.c changes each; Linux's
 * do_change_type).
 */
static int change_propagation(struct path *target, uint32_t flags)
{
  struct mount *top = target->mnt;
  if (target->dentry != top->root)
    return -EINVAL;
  uint32_t type = flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE);
  if (type & (type - 1))
    return -EINVAL;
  namespace_lock();
  spin_lock(&mount_lock);
  mount_set_propagation_locked(top, type, flags & MS_REC);
  spin_unlock(&mount_lock);
  namespace_unlock();
  return 0;
}

void mount_set_propagation_locked(struct mount *top, uint32_t type, bool recursive)
{
  pnode_set_type_locked(top, type);
  struct mount *m;
  if (recursive) {
    list_for_each_entry(m, &mount_list, link)
      for (struct mount *p = m->parent; p; p = p->parent)
        if (p == top)
          pnode_set_type_locked(m, type);
  }
}

int do_mount(const char *source, struct path *target, const char *fstype, uint32_t flags,
             const char *data)
{
  if (flags & MS_REMOUNT) {
    struct mount *m = target->mnt;
    struct super_block *sb = m->sb;
    if (target->dentry != m->root || !check_mnt(m))
      return -EINVAL;
    /* a remount naming no atime option keeps the mount's (Linux) */
    uint32_t atime = MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
    uint32_t keep = (flags & atime) ? 0 : m->flags & atime;
    uint32_t mflags = (flags & ~(MS_REMOUNT | MS_BIND)) | keep;
    if (!mount_flags_may_change(m, mflags))
      return -EPERM;                    /* a locked flag (user namespaces) */
    /* A bind remount changes the mount alone (Linux's do_reconfigure_mnt);
     * a plain one the file system too, which needs CAP_SYS_ADMIN in the
     * namespace that owns it (do_remount). */
    bool ro = flags & MS_RDONLY;
    if (!(flags & MS_BIND)) {
      if (!ns_capable(sb_user_ns(sb), CAP_SYS_ADMIN))
        return -EPERM;
      if (ro != !!(sb->flags & MS_RDONLY) && sb->ops && sb->ops->remount) {
        int r = sb->ops->remount(sb, ro);
        if (r)
          return r;
      }
      sb->flags = flags & MS_RDONLY;
    }
    m->flags = mflags;
    return 0;
  }
  if (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
    return change_propagation(target, flags);
  if (flags & MS_MOVE) {
    struct path from;
    int r = source ? path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &from) : -EINVAL;
    if (r)
      return r;
    r = do_move_mount(&from, target);
    path_put(&from);
    return r;
  }
  if (!check_mnt(target->mnt))
    return -EINVAL; /* the mount point is in another namespace's tree */
  if (!target->dentry->inode || !S_ISDIR(target->dentry->inode->mode))
    return -ENOTDIR;
  if (flags & MS_BIND)
    return mount_bind(source, target, flags);
  if (!fstype)
    return -EINVAL; /* a new mount needs a type (Linux's do_new_mount) */
  const struct fs_type *t = fs_type_find(fstype);
  if (!t)
    return -ENODEV;
  struct user_namespace *owner;
  int r = mount_capable(t, &owner);     /* in the namespace that will own it */
  if (r)
    return r;
  struct super_block *sb;
  r = sb_for_mount(t, source, flags, data, &sb);
  if (r)
    return r;
  sb_set_owner(sb, owner);
  struct mount *m = mount_alloc(sb, source, flags);
  if (!m)
    return -ENOMEM;
  namespace_lock();
  r = mount_too_revealing(m);
  if (!r)
    r = attach_tree(&m, 1, target, TREE_NEW);
  namespace_unlock();
  if (r)
    mount_free_unhung(m);
  return r;
}

/* Take m off the tree and let its file system go if nothing else uses it
 * (only then is it written back, as Linux's last deactivate_super). m may
 * be a namespace's root, which hangs on nothing. */
static void umount_one(struct mount *m, bool busy)
{
  spin_lock(&mount_lock);
  list_del(&m->link);
  struct dentry *mp = m->mountpoint;
  if (mp)
    mp->mounted--;
  m->parent = NULL;                     /* ".." stops at its root from now on */
  m->mountpoint = NULL;
  m->ns = NULL;                         /* in no namespace: check_mnt fails */
  pnode_unmounted_locked(m);            /* private from now on */
  spin_unlock(&mount_lock);
  struct super_block *sb = m->sb;
  if (sb->refcount == 1 && sb->ops && sb->ops->sync)
    sb->ops->sync(sb);
  if (mp)
    dput(mp);
  if (sb->refcount == 1)
    inotify_unmount(sb); /* its watches end: IN_UNMOUNT, IN_IGNORED */
  /* A lazily detached mount still in use keeps its file system until the
   * last path into it is put (mount_release_detached). */
  if (--sb->refcount == 0) {
    if (!busy) {
      sb_end(sb);
    } else {
      __atomic_store_n(&m->release_on_last_put, 1, __ATOMIC_RELEASE);
      /* the holders may all have gone meanwhile */
      if (__atomic_load_n(&m->refcount, __ATOMIC_ACQUIRE) == 0)
        mount_release_detached(m);
    }
  }
  /* m itself stays allocated: paths may still point at it. */
}

/* The last path into a lazily detached mount is gone: its file system goes
 * now (once: whoever clears the flag does it), unless it was mounted again
 * meanwhile (a bind mount shares the superblock). */
void mount_release_detached(struct mount *m)
{
  if (!__atomic_exchange_n(&m->release_on_last_put, 0, __ATOMIC_ACQ_REL))
    return;
  struct super_block *sb = m->sb;
  if (sb->refcount != 0)
    return;
  sb_end(sb);
}

/* Mark top and every mount below it for the unmount (mount_lock held). */
static void mark_tree_locked(struct mount *top)
{
  top->doomed = true;
  struct mount *c;
  list_for_each_entry(c, &mount_list, link)
    for (struct mount *p = c->parent; p; p = p->parent)
      if (p == top)
        c->doomed = true;
}

/* A marked mount with nothing mounted below it, or NULL (mount_lock held). */
static struct mount *doomed_leaf_locked(void)
{
  struct mount *c, *g;
  list_for_each_entry(c, &mount_list, link) {
    if (!c->doomed)
      continue;
    bool leaf = true;
    list_for_each_entry(g, &mount_list, link)
      leaf &= g->parent != c;
    if (leaf)
      return c;
  }
  return NULL;
}

/* Clear every mark (mount_lock held). */
static void unmark_locked(void)
{
  struct mount *c;
  list_for_each_entry(c, &mount_list, link)
    c->doomed = false;
}

/*
 * Unmount every marked mount, leaves first; a mount still in use (more
 * references than `held`, the ones our caller has on top; none on the
 * others) keeps its file system until its last path_put. Called with
 * namespace_mutex and mount_lock held; returns with mount_lock dropped.
 */
static void umount_marked_locked(struct mount *top, int held)
{
  for (;;) {
    struct mount *leaf = doomed_leaf_locked();
    if (!leaf)
      break;
    leaf->doomed = false;
    bool busy = leaf->refcount > (leaf == top ? held : 0);
    spin_unlock(&mount_lock);
    umount_one(leaf, busy);
    spin_lock(&mount_lock);
  }
  unmark_locked();                      /* one that got a child meanwhile stays */
  spin_unlock(&mount_lock);
}

/* Is a marked mount other than m in use? (mount_lock held) */
static bool copy_busy_locked(struct mount *m)
{
  struct mount *c;
  list_for_each_entry(c, &mount_list, link)
    if (c->doomed && c != m && c->refcount > 0)
      return true;
  return false;
}

/* The checks of a plain (not lazy) unmount: nothing below m, no one but
 * our caller using it (mount_lock held). */
static bool umount_busy_locked(struct mount *m)
{
  struct mount *c;
  list_for_each_entry(c, &mount_list, link)
    if (c->parent == m)
      return true;
  return m->refcount > 1;               /* anything but our caller's lookup */
}

/*
 * Unmount the file system whose root is target. Busy (EBUSY) if something
 * is mounted below it or anything but the caller's lookup uses it — unless
 * MNT_DETACH: then the whole tree below goes too, at once (Linux's lazy
 * unmount). Under a shared mount the mounts on the same mount point of
 * its peers and slaves go too (fs/pnode.c), if nothing else is below
 * them; a plain unmount is busy if one of those is in use.
 */
int do_umount(struct path *target, int flags)
{
  struct mount *m = target->mnt;
  if (target->dentry != m->root || !check_mnt(m) || m->locked)
    return -EINVAL;                     /* not a mount's root, not in our tree, or locked */
  if ((flags & MNT_FORCE) && !capable(CAP_SYS_ADMIN))
    return -EPERM;                      /* (Linux's can_umount) */
  bool lazy = flags & MNT_DETACH;
  int r = -EBUSY;
  mutex_lock(&namespace_mutex);
  spin_lock(&mount_lock);
  if (!m->parent || (!lazy && umount_busy_locked(m)))
    goto busy;                          /* the namespace's root, or in use */
  if (lazy)
    mark_tree_locked(m);
  else
    m->doomed = true;
  pnode_mark_umounts_locked();
  if (!lazy && copy_busy_locked(m))
    goto busy;
  umount_marked_locked(m, 1);           /* our caller's lookup holds one reference */
  mutex_unlock(&namespace_mutex);
  return 0;
busy:
  unmark_locked();
  spin_unlock(&mount_lock);
  mutex_unlock(&namespace_mutex);
  return r;
}

void umount_tree(struct mount *top)
{
  mutex_lock(&namespace_mutex);
  spin_lock(&mount_lock);
  mark_tree_locked(top);                /* a dead namespace: nothing propagates */
  umount_marked_locked(top, 0);
  mutex_unlock(&namespace_mutex);
}

void mounts_for_each(void (*fn)(struct mount *m, void *arg), void *arg)
{
  spin_lock(&mount_lock);
  struct mount *m;
  list_for_each_entry(m, &mount_list, link)
    fn(m, arg);
  spin_unlock(&mount_lock);
}

/* statfs's f_flags: ST_VALID and the mount's flags (Linux's calculate_f_flags);
 * relatime is the default unless noatime or strictatime was asked for. */
#define ST_VALID 0x20
#define ST_NOSYMFOLLOW 0x2000
#define ST_RELATIME 0x1000
static uint64_t statfs_flags(struct mount *m)
{
  uint32_t mf = m->flags | (m->sb->flags & MS_RDONLY);
  uint64_t f = ST_VALID | (mf & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
                                 MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME));
  if (mf & MS_NOSYMFOLLOW)
    f |= ST_NOSYMFOLLOW;
  if (!(mf & (MS_NOATIME | MS_STRICTATIME)))
    f |= ST_RELATIME;
  return f;
}

int vfs_statfs(struct path *p, struct statfs64 *st)
{
  memset(st, 0, sizeof(*st));
  struct super_block *sb = p->mnt->sb;
  st->f_namelen = NAME_MAX;
  st->f_bsize = st->f_frsize = PAGE_SIZE;
  st->f_type = sb->magic;
  st->f_flags = statfs_flags(p->mnt);
  if (sb->ops && sb->ops->statfs) {
    int r = sb->ops->statfs(sb, st);
    st->f_flags = statfs_flags(p->mnt);
    return r;
  }
  return 0;
}

/* The distinct superblocks mounted now (at most max). Superblocks are
 * never freed, so using one after the lock is dropped is safe; one
 * unmounted meanwhile has a sync that does nothing. */
static int mounted_superblocks(struct super_block **sbs, int max)
{
  int n = 0;
  spin_lock(&mount_lock);
  struct mount *m;
  list_for_each_entry(m, &mount_list, link) {
    bool seen = false;
    for (int i = 0; i < n; i++)
      seen |= sbs[i] == m->sb;
    if (!seen && n < max)
      sbs[n++] = m->sb;
  }
  spin_unlock(&mount_lock);
  return n;
}

/* Write back one file system (syncfs). */
int sync_fs(struct super_block *sb)
{
  return sb && sb->ops && sb->ops->sync ? sb->ops->sync(sb) : 0;
}

int sync_all(void)
{
  struct super_block *sbs[32];
  int n = mounted_superblocks(sbs, 32);
  int err = 0;
  for (int i = 0; i < n; i++) {
    int r = sync_fs(sbs[i]);
    if (!err)
      err = r;
  }
  return err;
}

/*
 * Before power-off: write every file system back and shut it down as an
 * unmount would (FAT clears its "not cleanly unmounted" bit), so the disk
 * is clean even after `poweroff -f`. Nothing runs after this.
 */
void vfs_shutdown(void)
{
  struct super_block *sbs[32];
  int n = mounted_superblocks(sbs, 32);
  for (int i = 0; i < n; i++) {
    sync_fs(sbs[i]);
    if (sbs[i]->ops && sbs[i]->ops->put_super)
      sbs[i]->ops->put_super(sbs[i]);
  }
}
