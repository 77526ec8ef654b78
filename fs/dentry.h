/*
 * dentry.h — the dentry: a name in a directory, the node of the dentry
 * cache (fs/dcache.c); its functions, and the name of a path. A VFS
 * header (fs/vfs.c draws the VFS).
 *
 * Layer: fs, the VFS core. fs/namei.c looks names up here first, the file
 * systems' lookup fills misses, fs/fsops.c changes the tree.
 *
 * Locks: dcache_lock guards the tree's links and the reference counts;
 * changing a directory's names also needs that directory's inode lock
 * (both parents' and rename_lock for a rename), as each function says.
 */
#ifndef KITE_DENTRY_H
#define KITE_DENTRY_H

#include "fs/inode.h"

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

/* ---- fs/dcache.c ---- */
/* Guards every dentry's children list, hash link and reference count
 * (a spinlock; it ranks below the inode locks, above mount_lock). */
extern struct spinlock dcache_lock;
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
 * passes to d. Caller holds the parent directory's inode lock. A release
 * store: set d's other fields first (a walk without the lock may find d;
 * it trusts only a positive one, read with an acquire load). */
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
/* Free every unused dentry below root, leaves first, releasing their
 * inodes (unmount; fs/dcache.c). Takes dcache_lock for each step; the
 * caller holds no spinlock. */
void dcache_prune(struct dentry *root);
/* The dentry below root (or root) naming the inode numbered ino whose
 * generation is gen, referenced (dput it), or NULL: only what the dentry
 * cache holds (open_by_handle_at, fs/fhandle.c). Takes dcache_lock. */
struct dentry *d_find_ino(struct dentry *root, ino_t ino, uint32_t gen);
/* The absolute path of p as seen from root, into buf (size bytes): 0,
 * -ENAMETOOLONG. Walks dentry parents and mounts under dcache_lock and
 * mount_lock; the caller holds references to p and root. */
int path_to_string(struct path *p, const struct path *root, char *buf, size_t size);
/* The path of d from the root of its own file system ("/" for the root),
 * as mountinfo's fourth field: 0 or -ENAMETOOLONG. The caller holds a
 * reference to d; takes dcache_lock. */
int dentry_path_in_sb(struct dentry *d, char *buf, size_t size);
/* Is p root or below it (a cwd outside a chroot is not)? The caller holds
 * references to both; takes dcache_lock. */
bool path_is_under(const struct path *p, const struct path *root);

#endif
