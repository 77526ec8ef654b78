/*
 * mnt_ns.c — mount namespaces: each namespace a mount tree of its own
 * (Linux's fs/namespace.c: copy_mnt_ns, mntns_install, free_mnt_ns;
 * docs/namespaces.md, docs/vfs.md).
 *
 * A copy (clone or unshare with CLONE_NEWNS) makes one new struct mount
 * per mount of the old tree — same superblock, same root dentry, hung on
 * the same mount point dentry of its parent's copy — so that the path
 * walk, which follows a mount point only into a mount whose parent is the
 * mount it walks on (fs/super.c's follow_mounts), stays inside its
 * namespace, and a mount or unmount in one tree changes nothing in the
 * other. The copying task's root and cwd move to the copies. When the
 * last reference goes (the last task left and no /proc/<pid>/ns/mnt file
 * is open), the tree is taken down as a lazy unmount would.
 *
 * Layer: fs, above the VFS core: it calls fs/super.c (mount_detached,
 * umount_tree, follow_mounts) and fs/vfs.c, and nothing there calls it
 * (check_mnt is inline in fs/mount.h; kern/main.c calls mnt_ns_init).
 * kern/nsproxy.c holds the namespaces and calls the operations
 * registered here (the core cannot call the fs layer). Locks:
 * mount_lock (a mount's ns, parent and mount point, the list), the fs
 * context's lock for root and cwd; no allocation under either.
 */
#include "fs/fs_abi.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "kern/task.h"
#include "kern/clone.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/user_namespace.h"

/* The namespace every process starts in; Linux numbers it dynamically,
 * from 0xF0000000 (the first number it hands out). */
static struct mnt_namespace init_mnt_ns = {
  .ns = { .type = CLONE_NEWNS, .inum = 0xF0000000U, .refcount = 1 },
};

static struct mnt_namespace *to_mnt_ns(struct ns_common *ns)
{
  return container_of(ns, struct mnt_namespace, ns);
}

/* The last reference went: the tree goes (the mounts still in use stay
 * until their last path_put), then the namespace. */
static void mnt_ns_release(struct ns_common *common)
{
  struct mnt_namespace *ns = to_mnt_ns(common);
  umount_tree(ns->root);
  kfree(ns);
}

/*
 * The mounts of ns, in mount order, into a new array *out (the mounts are
 * never freed, so the pointers stay good after mount_lock is dropped).
 * Returns how many, or -ENOMEM.
 */
static int snapshot(struct mnt_namespace *ns, struct mount ***out)
{
  for (int cap = 16;; cap *= 2) {
    struct mount **a = kmalloc(cap * sizeof(*a));
    if (!a)
      return -ENOMEM;
    int n = 0;
    struct mount *m;
    spin_lock(&mount_lock);
    list_for_each_entry(m, &mount_list, link) {
      if (m->ns != ns)
        continue;
      if (n < cap)
        a[n] = m;
      n++;
    }
    spin_unlock(&mount_lock);
    if (n <= cap) {
      *out = a;
      return n;
    }
    kfree(a);
  }
}

/* The index of m in olds[0..n), or -1. */
static int index_of(struct mount **olds, int n, const struct mount *m)
{
  for (int i = 0; i < n; i++)
    if (olds[i] == m)
      return i;
  return -1;
}

/*
 * Which of the snapshot's mounts are copied (mount_lock held): not one
 * unmounted since the snapshot, nor one whose parent is not copied (a
 * mount moved under a mount made meanwhile) — the copy is the tree as it
 * was, less what changed under it. Sets keep[i].
 */
static void choose_locked(struct mnt_namespace *old, struct mount **olds, bool *keep, int n)
{
  for (int i = 0; i < n; i++)
    keep[i] = olds[i]->ns == old;
  for (bool changed = true; changed;) {
    changed = false;
    for (int i = 0; i < n; i++) {
      if (!keep[i] || !olds[i]->parent)
        continue;
      int j = index_of(olds, n, olds[i]->parent);
      if (j < 0 || !keep[j]) {
        keep[i] = false;
        changed = true;
      }
    }
  }
}

/*
 * Hang copy news[i] of every kept olds[i] in ns, in the old tree's order:
 * its parent is the copy of the old one's parent, its mount point the same
 * dentry (mount_lock held; takes a reference to each mount point).
 */
static void hang_copies_locked(struct mnt_namespace *ns, struct mount **olds,
                               struct mount **news, bool *keep, int n, bool unprivileged)
{
  for (int i = 0; i < n; i++) {
    if (!keep[i])
      continue;
    struct mount *m = news[i];
    m->anon = false;
    m->ns = ns;
    m->group_id = olds[i]->group_id;    /* a shared mount's copy is its peer, */
    m->master = olds[i]->master;        /* a slave's a slave of the same group */
    m->unbindable = olds[i]->unbindable; /* (Linux's copy_tree, as CL_SHARED) */
    m->locked = olds[i]->locked;
    m->locked_flags = olds[i]->locked_flags;
    m->locked_atime = olds[i]->locked_atime;
    if (unprivileged) {
      /* for a less privileged owner (Linux's CL_SHARED_TO_SLAVE and
       * lock_mnt_tree): a shared mount's copy receives from its group but
       * sends nothing back, and every copy is locked as it is */
      if (m->group_id) {
        m->master = m->group_id;
        m->group_id = 0;
      }
      mount_lock_copy(m);
    }
    if (olds[i]->parent) {
      m->parent = news[index_of(olds, n, olds[i]->parent)];
      m->mountpoint = olds[i]->mountpoint;
      dget(m->mountpoint);
      m->mountpoint->mounted++;
    } else {
      ns->root = m;
    }
    list_add_tail(&m->link, &mount_list);
  }
}

/* If p is on one of the old mounts, move it to that mount's copy, same
 * dentry (fs->lock held). Returns the path to put once unlocked. */
static struct path move_path_locked(struct path *p, struct mount **olds, struct mount **news,
                                    bool *keep, int n)
{
  struct path drop = { NULL, NULL };
  int i = index_of(olds, n, p->mnt);
  if (i < 0 || !keep[i])
    return drop;
  drop = *p;
  p->mnt = news[i];
  path_get(p);
  return drop;
}

/*
 * clone/unshare(CLONE_NEWNS): a new namespace with a copy of old's tree,
 * and t's root and cwd on the copies (Linux's copy_mnt_ns). The copies
 * are made as detached mounts first (no allocation under mount_lock),
 * then hung all at once.
 */
static struct ns_common *mnt_ns_copy(struct ns_common *old_common, struct task *t,
                                     struct user_namespace *owner)
{
  struct mnt_namespace *old = to_mnt_ns(old_common);
  struct ns_common *old_owner = old_common->owner ? old_common->owner : &init_user_ns.ns;
  bool unprivileged = owner && &owner->ns != old_owner;
  struct mnt_namespace *ns = kzalloc(sizeof(*ns));
  struct mount **olds = NULL;
  namespace_lock();                     /* the tree stays as it is while copied */
  int n = ns ? snapshot(old, &olds) : -ENOMEM;
  struct mount **news = n >= 0 ? kzalloc(n * sizeof(*news) + 1) : NULL;
  bool *keep = news ? kzalloc(n * sizeof(*keep) + 1) : NULL;
  bool ok = keep != NULL;
  for (int i = 0; ok && i < n; i++) {
    struct mount *o = olds[i];
    ok = (news[i] = mount_detached(o->sb, o->root, o->source, o->flags)) != NULL;
  }
  if (ok) {
    spin_lock(&mount_lock);
    choose_locked(old, olds, keep, n);
    hang_copies_locked(ns, olds, news, keep, n, unprivileged);
    spin_unlock(&mount_lock);
  }
  for (int i = 0; news && i < n; i++)
    if (news[i] && (!ok || !keep[i]))
      mount_free_unhung(news[i]);   /* left out, or the copy failed: never hung */
  namespace_unlock();
  if (!ok) {
    /* only out of memory: the old root is never unmounted */
    kfree(olds);
    kfree(news);
    kfree(keep);
    kfree(ns);
    return NULL;
  }
  ns->ns.type = CLONE_NEWNS;
  ns->ns.inum = ns_alloc_inum();
  ns->ns.refcount = 1;
  ns->ns.release = mnt_ns_release;
  struct fs_context *fs = t->fs;
  spin_lock(&fs->lock);
  struct path drop_root = move_path_locked(&fs->root, olds, news, keep, n);
  struct path drop_cwd = move_path_locked(&fs->cwd, olds, news, keep, n);
  spin_unlock(&fs->lock);
  path_put(&drop_root);
  path_put(&drop_cwd);
  kfree(olds);
  kfree(news);
  kfree(keep);
  return &ns->ns;
}

/*
 * setns into ns: root and cwd become ns's root (with whatever is mounted
 * on top of it), as Linux's mntns_install. The fs context must be the
 * caller's alone (EINVAL).
 */
static int mnt_ns_enter(struct ns_common *common, struct task *t)
{
  struct fs_context *fs = t->fs;
  if (__atomic_load_n(&fs->refcount, __ATOMIC_ACQUIRE) > 1)
    return -EINVAL;
  struct mnt_namespace *ns = to_mnt_ns(common);
  struct path root = { ns->root, ns->root->root };
  path_get(&root);
  follow_mounts(&root);
  path_get(&root);
  spin_lock(&fs->lock);
  struct path oldroot = fs->root, oldcwd = fs->cwd;
  fs->root = root;
  fs->cwd = root;
  spin_unlock(&fs->lock);
  path_put(&oldroot);
  path_put(&oldcwd);
  return 0;
}

/* Is t's root other than its namespace's root (with whatever is mounted
 * on top of it)? Linux's current_chrooted. */
static bool mnt_ns_chrooted(struct ns_common *common, struct task *t)
{
  struct mnt_namespace *ns = to_mnt_ns(common);
  struct path root = { ns->root, ns->root->root };
  path_get(&root);
  follow_mounts(&root);
  struct fs_context *fs = t->fs;
  spin_lock(&fs->lock);
  bool chrooted = fs->root.mnt != root.mnt || fs->root.dentry != root.dentry;
  spin_unlock(&fs->lock);
  path_put(&root);
  return chrooted;
}

static const struct mnt_ns_ops mnt_ns_ops = {
  .copy = mnt_ns_copy,
  .enter = mnt_ns_enter,
  .chrooted = mnt_ns_chrooted,
};

void mnt_ns_init(struct mount *root)
{
  init_mnt_ns.root = root;
  root->ns = &init_mnt_ns;
  nsproxy_register_mnt(&init_mnt_ns.ns, &mnt_ns_ops);
}
