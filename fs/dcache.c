/*
 * dcache.c — the dentry cache: the in-memory tree of names, its hash of
 * (parent, name) -> dentry, references, and the moves rename makes; the
 * name of a path (path_to_string, for getcwd and /proc) and pruning a
 * file system's unused dentries when it is unmounted.
 *
 * Layer: fs, the VFS core (fs/vfs.c draws its files). Neighbours:
 * fs/vfs.c (inodes: a dentry holds a reference to its inode), fs/namei.c
 * (the walk looks names up here first), fs/super.c (mounts; unmount
 * prunes), fs/fsops.c (create, remove and rename update the tree).
 *
 * Locks: dcache_lock (a spinlock, defined here) guards every dentry's
 * children list, hash link and reference count; path_to_string takes
 * mount_lock inside it. dput drops the inode's reference with no
 * spinlock held.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/fsops.h"
#include "fs/inotify.h"
#include "kern/mm.h"
#include <string.h>

struct spinlock dcache_lock = SPINLOCK_INIT("dcache");

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

/* Attach an inode (taking over the caller's reference) to a negative
 * dentry. A release store: a walk that finds d in the hash without the
 * directory lock and reads the inode with an acquire load (fs/namei.c's
 * lookup_one) sees the inode, and d's other fields, fully set up. */
void d_instantiate(struct dentry *d, struct inode *ino)
{
  __atomic_store_n(&d->inode, ino, __ATOMIC_RELEASE);
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

/*
 * Free every unused dentry below root (unmount): leaves first, so each
 * parent becomes a leaf in turn. Their inodes are released, which lets a
 * disk file system free its per-file state.
 */
void dcache_prune(struct dentry *root)
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

/*
 * Depth first through the tree under root, all under dcache_lock (the
 * links cannot change meanwhile): the first positive, linked dentry whose
 * inode is ino with generation gen.
 */
struct dentry *d_find_ino(struct dentry *root, ino_t ino, uint32_t gen)
{
  struct dentry *found = NULL;
  spin_lock(&dcache_lock);
  struct dentry *d = root;
  for (;;) {
    if (d->inode && !d->unlinked && d->inode->ino == ino && d->inode->generation == gen) {
      found = d;
      found->refcount++;
      break;
    }
    if (!list_empty(&d->children) && d->inode && S_ISDIR(d->inode->mode)) {
      d = list_first_entry(&d->children, struct dentry, sibling);
      continue;
    }
    /* no children: the next sibling, else a parent's next sibling */
    while (d != root && d->sibling.next == &d->parent->children)
      d = d->parent;
    if (d == root)
      break;
    d = list_entry(d->sibling.next, struct dentry, sibling);
  }
  spin_unlock(&dcache_lock);
  return found;
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
