/*
 * vfs.c — the VFS objects: inodes, dentries, superblocks and mounts.
 */
#include "fs/vfs.h"
#include "fs/fsops.h"
#include "fs/xattr.h"
#include "fs/inotify.h"
#include "kern/mm.h"
#include "kern/task.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
struct spinlock mount_lock = SPINLOCK_INIT("mounts");
LIST_HEAD(mount_list);
static struct mount *rootmnt;

#define MAX_FS_TYPES 16
static const struct fs_type *fs_types[MAX_FS_TYPES];

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

/* ---- dentries ---- */

/*
 * The name hash: every dentry with a parent is in the bucket of (parent,
 * name), so finding a cached child costs the same in a directory of ten
 * names and of twenty thousand. Protected by dcache_lock.
 */
#define DHASH_SIZE 16384
static struct list_head dhash[DHASH_SIZE];
static bool dhash_ready;

static struct list_head *dname_bucket(const struct dentry *parent, const char *name, size_t len)
{
  uint64_t h = 14695981039346656037ULL ^ ((uintptr_t)parent >> 4);
  for (size_t i = 0; i < len; i++)
    h = (h ^ (uint8_t)name[i]) * 1099511628211ULL;
  return &dhash[(h ^ (h >> 29)) % DHASH_SIZE];
}

/* Put d in the hash (dcache_lock held; d has a parent). */
static void d_hash_add(struct dentry *d)
{
  if (!dhash_ready) {
    for (int i = 0; i < DHASH_SIZE; i++)
      list_init(&dhash[i]);
    dhash_ready = true;
  }
  list_add(&d->hash_link, dname_bucket(d->parent, d->name, strlen(d->name)));
}

static void d_hash_del(struct dentry *d)
{
  list_del(&d->hash_link);
  list_init(&d->hash_link);
}

struct dentry *dentry_alloc(struct dentry *parent, const char *name, size_t len)
{
  struct dentry *d = kzalloc(sizeof(*d));
  if (!d)
    return NULL;
  d->name = kmalloc(len + 1);
  if (!d->name) {
    kfree(d);
    return NULL;
  }
  memcpy(d->name, name, len);
  d->name[len] = 0;
  d->refcount = 1;
  __atomic_add_fetch(&vfs_nr_dentries, 1, __ATOMIC_RELAXED);
  list_init(&d->children);
  list_init(&d->sibling);
  list_init(&d->hash_link);
  if (parent) {
    spin_lock(&dcache_lock);
    parent->refcount++;
    d->parent = parent;
    d->sb = parent->sb;
    list_add_tail(&d->sibling, &parent->children);
    d_hash_add(d);
    spin_unlock(&dcache_lock);
  } else {
    d->parent = d;
  }
  return d;
}

void dget(struct dentry *d)
{
  spin_lock(&dcache_lock);
  d->refcount++;
  spin_unlock(&dcache_lock);
}

/*
 * Drop a reference. An unused dentry stays cached while it names an
 * existing file; a negative or unlinked one is freed (and releases its
 * parent in turn).
 */
void dput(struct dentry *d)
{
  while (d) {
    spin_lock(&dcache_lock);
    if (--d->refcount > 0 || (d->inode && !d->unlinked && !d->transient) || d->parent == d) {
      spin_unlock(&dcache_lock);
      return;
    }
    if (!list_empty(&d->children)) { /* still has cached children: keep */
      spin_unlock(&dcache_lock);
      return;
    }
    struct dentry *parent = d->parent;
    list_del(&d->sibling);
    d_hash_del(d);
    spin_unlock(&dcache_lock);
    if (d->unlinked && d->inode && d->inode->nlink == 0)
      inotify_inode_removed(d->inode); /* the last use of a removed file */
    iput(d->inode);
    kfree(d->name);
    kfree(d);
    __atomic_sub_fetch(&vfs_nr_dentries, 1, __ATOMIC_RELAXED);
    d = parent; /* drop the reference the child held */
  }
}

/* A cached child of dir named name (referenced), or NULL. */
struct dentry *dentry_lookup_child(struct dentry *dir, const char *name, size_t len)
{
  struct dentry *d;
  spin_lock(&dcache_lock);
  if (!dhash_ready) {
    spin_unlock(&dcache_lock);
    return NULL;
  }
  list_for_each_entry(d, dname_bucket(dir, name, len), hash_link) {
    if (d->parent == dir && !d->unlinked && strlen(d->name) == len && memcmp(d->name, name, len) == 0) {
      d->refcount++;
      spin_unlock(&dcache_lock);
      return d;
    }
  }
  spin_unlock(&dcache_lock);
  return NULL;
}

/* Attach an inode (taking over the caller's reference) to a negative dentry. */
void d_instantiate(struct dentry *d, struct inode *ino)
{
  d->inode = ino;
}

/* The name is gone from its directory (unlink/rmdir). */
void d_delete(struct dentry *d)
{
  spin_lock(&dcache_lock);
  d->unlinked = true;
  spin_unlock(&dcache_lock);
}

/* Rename in the dcache: move d under newparent as newname. */
void d_move(struct dentry *d, struct dentry *newparent, const char *newname)
{
  char *name = kstrdup(newname);
  spin_lock(&dcache_lock);
  d_hash_del(d);
  if (name) {
    kfree(d->name);
    d->name = name;
  }
  struct dentry *old = d->parent;
  if (old != newparent) {
    list_del(&d->sibling);
    list_add_tail(&d->sibling, &newparent->children);
    d->parent = newparent;
    newparent->refcount++;
  } else {
    old = NULL;
  }
  d_hash_add(d);
  spin_unlock(&dcache_lock);
  if (old)
    dput(old);
}

/*
 * RENAME_EXCHANGE in the dentry cache: a and b trade names and parents, so
 * each keeps its inode and, for a directory, its children.
 */
void d_exchange(struct dentry *a, struct dentry *b)
{
  spin_lock(&dcache_lock);
  d_hash_del(a);
  d_hash_del(b);
  char *name = a->name;
  a->name = b->name;
  b->name = name;
  struct dentry *pa = a->parent, *pb = b->parent;
  if (pa != pb) {
    list_del(&a->sibling);
    list_del(&b->sibling);
    list_add_tail(&a->sibling, &pb->children);
    list_add_tail(&b->sibling, &pa->children);
    a->parent = pb;
    b->parent = pa;
  }
  d_hash_add(a);
  d_hash_add(b);
  spin_unlock(&dcache_lock);
}

/*
 * After a file system has carried out a rename on its storage (checks
 * done, nothing can fail any more): the common bookkeeping. Link counts
 * (a directory's ".." moves with it; a replaced target loses its name),
 * the dentry tree, and the times. flags: RENAME_EXCHANGE or not.
 */
void vfs_rename_update(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
                       unsigned flags)
{
  struct inode *src = od->inode, *dst = nd->inode;
  bool src_dir = S_ISDIR(src->mode), dst_dir = dst && S_ISDIR(dst->mode);
  if (flags & RENAME_EXCHANGE) {
    if (odir != ndir && src_dir != dst_dir) {
      int moved = src_dir ? 1 : -1; /* directories now in ndir minus before */
      odir->nlink -= moved;
      ndir->nlink += moved;
    }
    d_exchange(od, nd);
    inode_touch(dst, false);
  } else {
    if (dst) {
      if (dst_dir) {
        dst->nlink = 0;
        ndir->nlink--;
      } else {
        dst->nlink--;
      }
      inode_touch(dst, false);
      d_delete(nd);
    }
    if (src_dir && odir != ndir) {
      odir->nlink--;
      ndir->nlink++;
    }
    d_move(od, nd->parent, nd->name);
  }
  inode_touch(src, false);
  inode_touch(odir, true);
  inode_touch(ndir, true);
}

void path_get(struct path *p)
{
  if (p->dentry)
    dget(p->dentry);
  if (p->mnt)
    __atomic_add_fetch(&p->mnt->refcount, 1, __ATOMIC_RELAXED);
}

static void release_detached(struct mount *m);

void path_put(struct path *p)
{
  if (p->dentry)
    dput(p->dentry);
  if (p->mnt && __atomic_sub_fetch(&p->mnt->refcount, 1, __ATOMIC_ACQ_REL) == 0 &&
      READ_ONCE(p->mnt->release_on_last_put))
    release_detached(p->mnt);
}

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

static const struct fs_type *find_fs(const char *name)
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
  const struct fs_type *t = find_fs(fstype);
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

/* Put m on top of target (mount_lock taken here). */
static void attach_mount(struct mount *m, struct path *target)
{
  spin_lock(&mount_lock);
  m->parent = target->mnt;
  m->mountpoint = target->dentry;
  dget(target->dentry);
  target->dentry->mounted++;
  list_add_tail(&m->link, &mount_list);
  spin_unlock(&mount_lock);
}

/* A bind mount: the subtree at `source` appears at target as well. */
static int bind_mount(const char *source, struct path *target, uint32_t flags)
{
  struct path src;
  int r = path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &src);
  if (r)
    return r;
  struct mount *m = kzalloc(sizeof(*m));
  if (!m) {
    path_put(&src);
    return -ENOMEM;
  }
  m->sb = src.mnt->sb;
  m->sb->refcount++;
  m->root = src.dentry;
  dget(m->root);
  m->source = kstrdup(src.mnt->source);  /* /proc/mounts names the device, as Linux does */
  m->flags = flags & ~MS_BIND;
  m->id = next_mount_id();
  path_put(&src);
  attach_mount(m, target);
  return 0;
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

int do_mount(const char *source, struct path *target, const char *fstype, uint32_t flags,
             const char *data)
{
  if (flags & MS_REMOUNT) {
    if (target->dentry != target->mnt->root)
      return -EINVAL;
    target->mnt->flags = flags & ~MS_REMOUNT;
    target->mnt->sb->flags = flags & MS_RDONLY;
    return 0;
  }
  if (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) {
    /* Propagation: every mount here is private (nothing propagates), so
     * asking for private, or slave of nothing, changes nothing; shared and
     * unbindable mounts are not implemented. */
    if (target->dentry != target->mnt->root)
      return -EINVAL;
    uint32_t type = flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE);
    if (type & (type - 1))
      return -EINVAL;
    return (type & (MS_SHARED | MS_UNBINDABLE)) ? -EINVAL : 0;
  }
  if (flags & MS_MOVE) {
    struct path from;
    int r = source ? path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &from) : -EINVAL;
    if (r)
      return r;
    r = do_move_mount(&from, target);
    path_put(&from);
    return r;
  }
  if (!target->dentry->inode || !S_ISDIR(target->dentry->inode->mode))
    return -ENOTDIR;
  if (flags & MS_BIND)
    return bind_mount(source, target, flags);
  if (!fstype)
    return -EINVAL; /* a new mount needs a type (Linux's do_new_mount) */
  const struct fs_type *t = find_fs(fstype);
  if (!t)
    return -ENODEV;
  struct super_block *sb;
  int r = device_sb(t, source, &sb);
  if (r < 0)
    return r;
  if (r == 0) {  /* not mounted yet: the file system reads it */
    r = t->mount(t, source, flags, data, &sb);
    if (r)
      return r;
    sb->flags |= flags & MS_RDONLY;
  }
  struct mount *m = mount_alloc(sb, source, flags);
  if (!m)
    return -ENOMEM;
  attach_mount(m, target);
  return 0;
}

/*
 * Free every unused dentry below root (unmount): leaves first, so each
 * parent becomes a leaf in turn. Their inodes are released, which lets a
 * disk file system free its per-file state.
 */
static void prune_dentries(struct dentry *root)
{
  for (;;) {
    struct dentry *victim = NULL;
    spin_lock(&dcache_lock);
    struct dentry *d = root;
    /* walk down to an unused leaf */
    for (;;) {
      struct dentry *c, *next = NULL;
      list_for_each_entry(c, &d->children, sibling) {
        if (c->refcount == 0 && !c->mounted) {
          next = c;
          break;
        }
      }
      if (!next)
        break;
      d = next;
      if (list_empty(&d->children)) {
        victim = d;
        break;
      }
    }
    if (victim) {
      list_del(&victim->sibling);
      d_hash_del(victim);
      victim->parent->refcount--;
    }
    spin_unlock(&dcache_lock);
    if (!victim)
      return;
    iput(victim->inode);
    kfree(victim->name);
    kfree(victim);
  }
}

/* Take m off the tree and let its file system go if nothing else uses it. */
static void umount_one(struct mount *m, bool busy)
{
  spin_lock(&mount_lock);
  list_del(&m->link);
  m->mountpoint->mounted--;
  struct dentry *mp = m->mountpoint;
  m->parent = NULL;                     /* ".." stops at its root from now on */
  m->mountpoint = NULL;
  spin_unlock(&mount_lock);
  struct super_block *sb = m->sb;
  if (sb->ops && sb->ops->sync)
    sb->ops->sync(sb);
  dput(mp);
  if (sb->refcount == 1)
    inotify_unmount(sb); /* its watches end: IN_UNMOUNT, IN_IGNORED */
  /* A lazily detached mount still in use keeps its file system until the
   * last path into it is put (release_detached). */
  if (--sb->refcount == 0) {
    if (!busy) {
      prune_dentries(sb->root);
      if (sb->ops && sb->ops->put_super)
        sb->ops->put_super(sb);
    } else {
      __atomic_store_n(&m->release_on_last_put, 1, __ATOMIC_RELEASE);
      /* the holders may all have gone meanwhile */
      if (__atomic_load_n(&m->refcount, __ATOMIC_ACQUIRE) == 0)
        release_detached(m);
    }
  }
  /* m itself stays allocated: paths may still point at it. */
}

/* The last path into a lazily detached mount is gone: its file system goes
 * now (once: whoever clears the flag does it), unless it was mounted again
 * meanwhile (a bind mount shares the superblock). */
static void release_detached(struct mount *m)
{
  if (!__atomic_exchange_n(&m->release_on_last_put, 0, __ATOMIC_ACQ_REL))
    return;
  struct super_block *sb = m->sb;
  if (sb->refcount != 0)
    return;
  prune_dentries(sb->root);
  if (sb->ops && sb->ops->put_super)
    sb->ops->put_super(sb);
}

/* A mount below m with nothing mounted below it, or NULL (mount_lock held). */
static struct mount *leaf_below_locked(struct mount *m)
{
  struct mount *c;
  list_for_each_entry(c, &mount_list, link) {
    for (struct mount *p = c->parent; p; p = p->parent) {
      if (p != m)
        continue;
      struct mount *g;
      bool leaf = true;
      list_for_each_entry(g, &mount_list, link)
        leaf &= g->parent != c;
      if (leaf)
        return c;
      break;
    }
  }
  return NULL;
}

/*
 * Unmount the file system whose root is target. Busy (EBUSY) if something
 * is mounted below it or anything but the caller's lookup uses it — unless
 * MNT_DETACH: then the whole tree below goes too, at once (Linux's lazy
 * unmount).
 */
int do_umount(struct path *target, int flags)
{
  struct mount *m = target->mnt;
  if (target->dentry != m->root)
    return -EINVAL;
  if (m == rootmnt)
    return -EBUSY;
  spin_lock(&mount_lock);
  if (!m->parent) {
    spin_unlock(&mount_lock);
    return -EINVAL;                     /* already detached */
  }
  if (!(flags & MNT_DETACH)) {
    struct mount *c;
    list_for_each_entry(c, &mount_list, link) {
      if (c->parent == m) {
        spin_unlock(&mount_lock);
        return -EBUSY;
      }
    }
    /* Busy if anything but our caller's lookup holds it. */
    if (m->refcount > 1) {
      spin_unlock(&mount_lock);
      return -EBUSY;
    }
  }
  for (;;) {
    struct mount *leaf = leaf_below_locked(m);
    if (!leaf)
      break;
    bool busy = leaf->refcount > 0;
    spin_unlock(&mount_lock);
    umount_one(leaf, busy);
    spin_lock(&mount_lock);
  }
  bool busy = m->refcount > 1;
  spin_unlock(&mount_lock);
  umount_one(m, busy);
  return 0;
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

/*
 * The absolute path of p as seen from root, into buf. Walks up dentry
 * parents and across mount points.
 */
int path_to_string(struct path *p, const struct path *root, char *buf, size_t size)
{
  char *end = buf + size;
  char *s = end;
  *--s = 0;
  struct mount *m = p->mnt;
  struct dentry *d = p->dentry;
  spin_lock(&dcache_lock);
  while (!(d == root->dentry && m == root->mnt)) {
    if (d == m->root || d->parent == d) {
      if (!m->parent)
        break;
      d = m->mountpoint;
      m = m->parent;
      continue;
    }
    size_t len = strlen(d->name);
    if ((size_t)(s - buf) < len + 2) {
      spin_unlock(&dcache_lock);
      return -ENAMETOOLONG;
    }
    s -= len;
    memcpy(s, d->name, len);
    *--s = '/';
    d = d->parent;
  }
  spin_unlock(&dcache_lock);
  if (*s == 0)
    *--s = '/';
  size_t n = end - s;
  memmove(buf, s, n);
  return (int)(n - 1);
}

bool path_is_under(const struct path *p, const struct path *root)
{
  struct mount *m = p->mnt;
  struct dentry *d = p->dentry;
  bool under = true;
  spin_lock(&dcache_lock);
  while (!(d == root->dentry && m == root->mnt)) {
    if (d == m->root || d->parent == d) {
      if (!m->parent) {
        under = false;
        break;
      }
      d = m->mountpoint;
      m = m->parent;
      continue;
    }
    d = d->parent;
  }
  spin_unlock(&dcache_lock);
  return under;
}

/*
 * The path of d from the root of its own file system ("/" for the root),
 * as /proc/<pid>/mountinfo's fourth field (a bind mount's root).
 */
int dentry_path_in_sb(struct dentry *d, char *buf, size_t size)
{
  char *end = buf + size;
  char *s = end;
  *--s = 0;
  spin_lock(&dcache_lock);
  while (d->parent != d) {
    size_t len = strlen(d->name);
    if ((size_t)(s - buf) < len + 2) {
      spin_unlock(&dcache_lock);
      return -ENAMETOOLONG;
    }
    s -= len;
    memcpy(s, d->name, len);
    *--s = '/';
    d = d->parent;
  }
  spin_unlock(&dcache_lock);
  if (*s == 0)
    *--s = '/';
  size_t n = end - s;
  memmove(buf, s, n);
  return (int)(n - 1);
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
