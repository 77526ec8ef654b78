/*
 * mount.c — changing the shape of the mount tree: hanging a tree of
 * mounts and replaying it on the target's peers and slaves (a new mount,
 * a bind, MS_BIND|MS_REC, a move, an attached open_tree clone: Linux's
 * copy_tree and attach_recursive_mnt; fs/pnode.c gives the receivers and
 * the copies' roles), moving a mount (mount(MS_MOVE), move_mount),
 * open_tree's clones, pivot_root(2), and which mounts a process can see.
 * Layer: VFS, beside fs/super.c (which makes and removes mounts)
 * and fs/namei.c (which walks them). Locks: namespace_mutex (super.c) is
 * held across a whole change, so a tree listed stays as it is while its
 * copies are allocated; mount_lock (super.c) guards every mount's
 * parent/mountpoint and the mount list; it is a leaf spinlock, taken after
 * proc_lock and fs_context locks are dropped. See docs/vfs.md
 * ("Changing the root").
 *
 * How a boot hands over from the initramfs to a disk (user/rootfs/init,
 * docs/runner.md), as on Linux: the initramfs is the first mount and has no
 * parent, so pivot_root(2) refuses it (EINVAL) — a switch_root-style
 * `mount --move /newroot /` followed by `chroot .` is the way; pivot_root
 * works once the caller's root is itself a mounted file system.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/pnode.h"
#include "kern/task.h"
#include "kern/syscall.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/cred.h"
#include <string.h>

/* Is dentry d at or below dentry top, in the same file system? (dcache_lock) */
static bool is_subdir_locked(struct dentry *d, struct dentry *top)
{
  for (;;) {
    if (d == top)
      return true;
    if (d->parent == d)
      return false;
    d = d->parent;
  }
}

/* Can (mnt, d) be reached from root by walking down? (mount_lock held) */
static bool reachable_locked(struct mount *mnt, struct dentry *d, const struct path *root)
{
  while (mnt != root->mnt && mnt->parent) {
    d = mnt->mountpoint;
    mnt = mnt->parent;
  }
  if (mnt != root->mnt)
    return false;
  spin_lock(&dcache_lock);
  bool r = is_subdir_locked(d, root->dentry);
  spin_unlock(&dcache_lock);
  return r;
}

/* Take m off its mountpoint (mount_lock held). Returns the old mountpoint,
 * whose reference (taken by attach) the caller now owns. */
static struct dentry *unhang_locked(struct mount *m)
{
  struct dentry *mp = m->mountpoint;
  mp->mounted--;
  m->parent = NULL;
  m->mountpoint = NULL;                 /* m->ns stays: it is hung again at once */
  list_del(&m->link);
  return mp;
}

/* Hang m at (parent, mp), on top of anything mounted there (mount_lock held).
 * Takes over a reference to mp the caller holds. */
static void hang_locked(struct mount *m, struct mount *parent, struct dentry *mp)
{
  m->parent = parent;
  m->ns = parent->ns;
  m->mountpoint = mp;
  mp->mounted++;
  list_add_tail(&m->link, &mount_list);
}

/* ---- trees of mounts (Linux's copy_tree and attach_recursive_mnt) ---- */

/* The index of m in t[0..n), or -1. */
static int tree_index(struct mount **t, int n, const struct mount *m)
{
  for (int i = 0; i < n; i++)
    if (t[i] == m)
      return i;
  return -1;
}

/* Is dentry d at or below dentry top? Takes dcache_lock. */
static bool is_subdir(struct dentry *d, struct dentry *top)
{
  spin_lock(&dcache_lock);
  bool r = is_subdir_locked(d, top);
  spin_unlock(&dcache_lock);
  return r;
}

/*
 * The tree under top into t (room for max): top first, then breadth
 * first, each parent before its children. With bind (a bind copies it,
 * Linux's copy_tree without CL_COPY_UNBINDABLE): only the children of top
 * on a mount point at or below root, and no unbindable mount nor what is
 * below it. Returns how many (more than max: call again with more room).
 * mount_lock held.
 */
static int tree_list_locked(struct mount *top, struct dentry *root, bool bind, struct mount **t,
                            int max)
{
  int n = 1;
  t[0] = top;
  for (int i = 0; i < n && i < max; i++) {
    struct mount *c;
    list_for_each_entry(c, &mount_list, link) {
      if (c->parent != t[i] || (bind && c->unbindable))
        continue;
      if (bind && i == 0 && !is_subdir(c->mountpoint, root))
        continue;
      if (n < max)
        t[n] = c;
      n++;
    }
  }
  return n;
}

/* The tree under top (as tree_list_locked) in a new array *out (kfree
 * it): how many, or -ENOMEM. namespace_mutex held (the tree stays). */
static int tree_snapshot(struct mount *top, struct dentry *root, bool bind, struct mount ***out)
{
  for (int cap = 8;; cap *= 2) {
    struct mount **t = kmalloc(cap * sizeof(*t));
    if (!t)
      return -ENOMEM;
    spin_lock(&mount_lock);
    int n = tree_list_locked(top, root, bind, t, cap);
    spin_unlock(&mount_lock);
    if (n <= cap) {
      *out = t;
      return n;
    }
    kfree(t);
  }
}

/*
 * Detached copies c[0..n) of the tree t (same file systems, roots,
 * sources and flags; c[0] rooted at root), linked as t is: c[j]->parent
 * the copy of t[j]'s parent, c[j]->mountpoint t[j]'s (not referenced
 * until hung). Propagation fields zero. 0, or -ENOMEM with none left.
 * namespace_mutex held, mount_lock not.
 */
static int tree_copy(struct mount **t, int n, struct dentry *root, struct mount **c)
{
  for (int j = 0; j < n; j++) {
    c[j] = mount_detached(t[j]->sb, j ? t[j]->root : root, t[j]->source, t[j]->flags);
    if (!c[j]) {
      while (j > 0)
        mount_free_unhung(c[--j]);
      return -ENOMEM;
    }
    c[j]->locked = t[j]->locked;        /* (Linux's clone_mnt keeps the locks) */
    c[j]->locked_flags = t[j]->locked_flags;
    c[j]->locked_atime = t[j]->locked_atime;
    if (j) {
      c[j]->parent = c[tree_index(t, n, t[j]->parent)];
      c[j]->mountpoint = t[j]->mountpoint;
    }
  }
  return 0;
}

/* Hang c[1..n), linked by tree_copy, below their parents (mount_lock). */
static void hang_below_locked(struct mount **c, int n)
{
  for (int j = 1; j < n; j++)
    mount_hang_locked(c[j], c[j]->parent, c[j]->mountpoint);
}

/* The receivers of dest (fs/pnode.c) into a new array *out: how many, or
 * -ENOMEM. namespace_mutex held. */
static int receivers(struct mount *dest, struct mount ***out)
{
  struct mount **r = NULL;
  for (int cap = 0;;) {
    spin_lock(&mount_lock);
    int n = pnode_receivers_locked(dest, r, cap);
    spin_unlock(&mount_lock);
    if (n <= cap) {
      *out = r;
      return n;
    }
    kfree(r);
    cap = n;
    if (!(r = kzalloc(cap * sizeof(*r))))
      return -ENOMEM;
  }
}

/* Hang t at (dest, mp) as kind says; returns the mount point t[0] left
 * (TREE_MOVE; the caller puts it) or NULL. mount_lock held. */
static struct dentry *hang_tree_locked(struct mount **t, int n, struct mount *dest,
                                       struct dentry *mp, enum tree_kind kind)
{
  struct dentry *old = NULL;
  if (kind == TREE_MOVE) {
    old = t[0]->mountpoint;
    old->mounted--;
    list_del(&t[0]->link);
  }
  mount_hang_locked(t[0], dest, mp);
  if (kind == TREE_NEW)
    hang_below_locked(t, n);
  for (int j = 1; kind == TREE_DETACHED && j < n; j++) {
    t[j]->ns = dest->ns;                /* out of no namespace, after its parent */
    list_del(&t[j]->link);
    list_add_tail(&t[j]->link, &mount_list);
  }
  return old;
}

/* Hang receiver i's copy of the tree, cs[i*n ..], with the roles its
 * place gives (pnode_copy_role_locked, one mount of the tree at a time;
 * col: room for nr). mount_lock held. */
static void hang_copy_locked(struct mount **t, int n, struct mount *dest, struct dentry *mp,
                             struct mount **rcv, struct mount **cs, struct mount **col, int i)
{
  for (int j = 0; j < n; j++) {
    for (int k = 0; k <= i; k++)
      col[k] = cs[k * n] && !cs[k * n]->anon ? cs[k * n + j] : NULL;
    col[i] = cs[i * n + j];
    pnode_copy_role_locked(t[j], dest, rcv, col, i);
    if (j == 0)
      mount_hang_locked(col[i], rcv[i], mp);
  }
  hang_below_locked(cs + i * n, n);
  mount_lock_propagated(cs + i * n, n);
}

int attach_tree(struct mount **t, int n, struct path *target, enum tree_kind kind)
{
  struct mount *dest = target->mnt, **rcv = NULL, **cs = NULL, **col = NULL;
  struct dentry *mp = target->dentry, *old = NULL;
  int nr = receivers(dest, &rcv), made = 0, err = nr < 0 ? nr : 0;
  if (!err && nr) {
    cs = kzalloc(nr * n * sizeof(*cs));
    col = kzalloc(nr * sizeof(*col));
    err = cs && col ? 0 : -ENOMEM;
  }
  while (!err && made < nr) {
    err = tree_copy(t, n, t[0]->root, cs + made * n);
    made += !err;
  }
  if (err)
    goto out;
  spin_lock(&mount_lock);
  old = hang_tree_locked(t, n, dest, mp, kind);
  for (int j = 0; dest->group_id && j < n; j++) {
    if (!t[j]->group_id)
      t[j]->group_id = pnode_new_group_locked();  /* each on the list: ids differ */
    t[j]->unbindable = false;
  }
  for (int i = 0; i < nr; i++)
    if (tree_index(t, n, rcv[i]) < 0 && pnode_sees_locked(rcv[i], mp))
      hang_copy_locked(t, n, dest, mp, rcv, cs, col, i);
  spin_unlock(&mount_lock);
out:
  for (int i = 0; i < made * n; i++)
    if (cs[i]->anon)
      mount_free_unhung(cs[i]);         /* a receiver that did not see mp */
  if (old)
    dput(old);
  kfree(rcv);
  kfree(cs);
  kfree(col);
  return err;
}

/* Does the tree t[0..n) hold an unbindable mount? (mount_lock) */
static bool tree_unbindable_locked(struct mount **t, int n)
{
  for (int j = 0; j < n; j++)
    if (t[j]->unbindable)
      return true;
  return false;
}

/* Is a locked mount hung on src's mount at or below src's dentry? A
 * bind of src alone would uncover what it hides (Linux's
 * has_locked_children). mount_lock held. */
static bool locked_children_locked(const struct path *src)
{
  struct mount *c;
  list_for_each_entry(c, &mount_list, link)
    if (c->parent == src->mnt && c->locked && is_subdir(c->mountpoint, src->dentry))
      return true;
  return false;
}

/* Copies of the tree at src (the mount and, with rec, what is below it)
 * into a new array *out, roles as Linux's clone_mnt gives a bind: a peer
 * of a shared original, a slave of a slave's master; the top unlocked,
 * the mounts below keeping their locks. How many, -EINVAL (src
 * unbindable, or not rec and a locked mount below it), -ENOMEM.
 * namespace_mutex held. */
static int bind_copies(const struct path *src, bool rec, struct mount ***out)
{
  struct mount **t, **c = NULL;
  int n = 1, err = 0;
  spin_lock(&mount_lock);
  bool unbindable = src->mnt->unbindable, hides = !rec && locked_children_locked(src);
  spin_unlock(&mount_lock);
  if (unbindable || hides)
    return -EINVAL;
  if (rec)
    n = tree_snapshot(src->mnt, src->dentry, true, &t);
  else if ((t = kmalloc(sizeof(*t))))
    t[0] = src->mnt;
  else
    n = -ENOMEM;
  if (n < 0)
    return n;
  if (!(c = kzalloc(n * sizeof(*c))) || tree_copy(t, n, src->dentry, c)) {
    err = -ENOMEM;
    kfree(c);
  } else {
    spin_lock(&mount_lock);
    for (int j = 0; j < n; j++) {
      c[j]->group_id = t[j]->group_id;
      c[j]->master = t[j]->master;
    }
    c[0]->locked = false;               /* what it hides comes along (rec) or is none */
    spin_unlock(&mount_lock);
    *out = c;
  }
  kfree(t);
  return err ? err : n;
}

int mount_bind(const char *source, struct path *target, uint32_t flags)
{
  struct path src;
  int r = path_lookup(AT_FDCWD, source, LOOKUP_FOLLOW, &src);
  if (r)
    return r;
  struct mount **c;
  namespace_lock();
  spin_lock(&mount_lock);
  bool ours = check_mnt(src.mnt) || path_is_pseudo(&src);
  bool unbindable = src.mnt->unbindable;
  spin_unlock(&mount_lock);
  /* Linux's do_loopback: unbindable, then a source outside our tree (a
   * detached mount, another namespace's; a namespace file may be bound) */
  int n = unbindable ? -EINVAL : !ours ? -EINVAL : bind_copies(&src, flags & MS_REC, &c);
  r = n < 0 ? n : 0;
  /* the copies keep the source's flags and locks, as Linux's do_loopback:
   * the call's MS_RDONLY ... are ignored (a bind remount sets them) */
  if (!r)
    r = attach_tree(c, n, target, TREE_NEW);
  namespace_unlock();
  for (int j = 0; r && n > 0 && j < n; j++)
    mount_free_unhung(c[j]);
  if (n > 0)
    kfree(c);
  path_put(&src);
  return r;
}

int mount_clone_tree(const struct path *p, bool recursive, struct mount **out)
{
  namespace_lock();
  spin_lock(&mount_lock);
  bool in_tree = !p->mnt->anon && check_mnt(p->mnt);
  spin_unlock(&mount_lock);
  struct mount **c;
  int n = in_tree ? bind_copies(p, recursive, &c) : -EINVAL;
  if (n > 0) {
    spin_lock(&mount_lock);
    hang_below_locked(c, n);            /* below the detached top: in no namespace */
    spin_unlock(&mount_lock);
    *out = c[0];
    kfree(c);
  }
  namespace_unlock();
  return n < 0 ? n : 0;
}

/* The checks of a move from (m's root) to to, under mount_lock, in
 * Linux's order (do_move_mount, after lock_mount's ENOENT). */
static int move_check_locked(struct path *from, struct path *to, bool anon)
{
  struct mount *m = from->mnt;
  if (!check_mnt(to->mnt) || (!m->parent && !anon) || (!anon && !check_mnt(m)))
    return -EINVAL;                     /* outside our tree, or a namespace's root */
  if (m->locked)
    return -EINVAL;                     /* it hides something (user namespaces) */
  if (from->dentry != m->root)
    return -EINVAL;                     /* not the root of a mount */
  if (S_ISDIR(to->dentry->inode->mode) != S_ISDIR(from->dentry->inode->mode))
    return -EINVAL;                     /* a directory onto a file, or the reverse */
  if (m->parent && m->parent->group_id)
    return -EINVAL;                     /* under a shared mount */
  for (struct mount *p = to->mnt; p; p = p->parent)
    if (p == m)
      return -ELOOP;                    /* the target is inside the tree moved */
  return 0;
}

int do_move_mount(struct path *from, struct path *to)
{
  struct mount *m = from->mnt;
  if (!to->dentry->inode || !from->dentry->inode || to->dentry->unlinked)
    return -ENOENT;                     /* Linux's lock_mount */
  namespace_lock();
  spin_lock(&mount_lock);
  bool anon = m->anon;                  /* fsmount's or open_tree's: not hung yet */
  int r = move_check_locked(from, to, anon);
  spin_unlock(&mount_lock);
  struct mount **t = NULL;
  int n = r ? r : tree_snapshot(m, NULL, false, &t);
  r = n < 0 ? n : 0;
  if (!r) {
    spin_lock(&mount_lock);
    if (to->mnt->group_id && tree_unbindable_locked(t, n))
      r = -EINVAL;                      /* unbindable mounts would be copied */
    spin_unlock(&mount_lock);
  }
  if (!r)
    r = attach_tree(t, n, to, anon ? TREE_DETACHED : TREE_MOVE);
  namespace_unlock();
  kfree(t);
  return r;
}

/* Is m in the caller's tree, or in a detached one (fsmount's, an open_tree
 * clone: its top is m->anon, the mounts below it in no namespace)? False
 * for an unmounted mount. mount_lock held. */
static bool in_reach_locked(struct mount *m)
{
  if (check_mnt(m))
    return true;
  while (!m->ns && m->parent)
    m = m->parent;
  return m->anon;
}

int mount_set_group(struct path *from, struct path *to)
{
  struct mount *f = from->mnt, *t = to->mnt;
  namespace_lock();
  spin_lock(&mount_lock);
  int r = -EINVAL;
  if (!in_reach_locked(f) || !in_reach_locked(t))
    goto out;                           /* unmounted, or another namespace's */
  if (from->dentry != f->root || to->dentry != t->root)
    goto out;                           /* not the roots of mounts */
  if (f->sb != t->sb)
    goto out;                           /* a group shares one file system */
  spin_lock(&dcache_lock);
  bool inside = is_subdir_locked(t->root, f->root);
  spin_unlock(&dcache_lock);
  if (!inside)
    goto out;                           /* to would see more than from's peers do */
  if (t->group_id || t->master)
    goto out;                           /* to is shared or a slave already */
  if (!f->group_id && !f->master)
    goto out;                           /* from has no group to join */
  struct path below = { .mnt = f, .dentry = t->root };
  if (locked_children_locked(&below))
    goto out;                           /* to's peers would uncover what from's locks hide */
  t->master = f->master;                /* a slave of from's master too */
  if (f->group_id) {
    t->group_id = f->group_id;
    t->unbindable = false;              /* a shared mount is bindable (set_mnt_shared) */
  }
  r = 0;
out:
  spin_unlock(&mount_lock);
  namespace_unlock();
  return r;
}

/*
 * Every process whose root (or cwd) is exactly old gets new instead, as
 * Linux's chroot_fs_refs does after pivot_root. One fs_context at a time:
 * found under proc_lock, changed under its own lock, old references
 * dropped with no lock held (the caller keeps old alive).
 */
static void chroot_fs_refs(const struct path *old, const struct path *new)
{
  for (;;) {
    struct fs_context *fs = NULL;
    spin_lock(&proc_lock);
    struct process *p;
    list_for_each_entry(p, &all_processes, all_link) {
      struct task *t;
      list_for_each_entry(t, &p->threads, thread_link) {
        struct fs_context *c = t->fs;
        if (!c)
          continue;
        spin_lock(&c->lock);
        bool hit = (c->root.mnt == old->mnt && c->root.dentry == old->dentry) ||
                   (c->cwd.mnt == old->mnt && c->cwd.dentry == old->dentry);
        spin_unlock(&c->lock);
        if (hit) {
          fs = c;
          __atomic_add_fetch(&fs->refcount, 1, __ATOMIC_RELAXED);
          break;
        }
      }
      if (fs)
        break;
    }
    spin_unlock(&proc_lock);
    if (!fs)
      return;
    struct path drop[2];
    int n = 0;
    spin_lock(&fs->lock);
    if (fs->root.mnt == old->mnt && fs->root.dentry == old->dentry) {
      drop[n++] = fs->root;
      fs->root = *new;
      path_get(&fs->root);
    }
    if (fs->cwd.mnt == old->mnt && fs->cwd.dentry == old->dentry) {
      drop[n++] = fs->cwd;
      fs->cwd = *new;
      path_get(&fs->cwd);
    }
    spin_unlock(&fs->lock);
    while (n > 0)
      path_put(&drop[--n]);
    fs_context_put(fs);
  }
}

/*
 * pivot_root: the mount at new_root becomes the caller's root (hung where
 * the current root mount was), and the current root mount moves to put_old,
 * which must be at or under new_root. Linux's checks, in Linux's order.
 */
int do_pivot_root(struct path *new, struct path *put_old)
{
  struct path root;
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  root = fs->root;
  path_get(&root);
  spin_unlock(&fs->lock);
  struct mount *new_mnt = new->mnt, *root_mnt = root.mnt, *old_mnt = put_old->mnt;
  int r = -EINVAL;
  spin_lock(&mount_lock);
  bool shared = old_mnt->group_id || (new_mnt->parent && new_mnt->parent->group_id) ||
                (root_mnt->parent && root_mnt->parent->group_id);
  spin_unlock(&mount_lock);
  if (shared || !check_mnt(root_mnt) || !check_mnt(new_mnt) || new_mnt->locked)
    goto out;                           /* propagation would copy the change; another tree;
                                           new_root hides something */
  r = -ENOENT;
  if (new->dentry->unlinked || put_old->dentry->unlinked)
    goto out;
  r = -EBUSY;
  if (new_mnt == root_mnt || old_mnt == root_mnt)
    goto out;                           /* on the same file system as the root */
  r = -EINVAL;
  spin_lock(&mount_lock);
  if (root.dentry != root_mnt->root || !root_mnt->parent ||     /* root not a mounted fs */
      new->dentry != new_mnt->root || !new_mnt->parent ||       /* new_root not a mount */
      !reachable_locked(old_mnt, put_old->dentry, new) ||       /* put_old not under new_root */
      !reachable_locked(new_mnt, new->dentry, &root)) {         /* new_root not under root */
    spin_unlock(&mount_lock);
    goto out;
  }
  struct mount *root_parent = root_mnt->parent;
  struct dentry *new_mp = unhang_locked(new_mnt);
  struct dentry *root_mp = unhang_locked(root_mnt);
  dget(put_old->dentry);
  hang_locked(root_mnt, old_mnt, put_old->dentry);
  hang_locked(new_mnt, root_parent, root_mp);  /* takes over root_mp's reference */
  if (root_mnt->locked) {               /* the lock stays on the mount at the top */
    new_mnt->locked = true;
    root_mnt->locked = false;
  }
  spin_unlock(&mount_lock);
  dput(new_mp);
  chroot_fs_refs(&root, new);
  r = 0;
out:
  path_put(&root);
  return r;
}

long sys_pivot_root(uaddr_t unew, uaddr_t uold)
{
  if (!may_mount())
    return -EPERM;                      /* Linux's may_mount, before anything else */
  char *buf = kmalloc(2 * PATH_MAX);
  if (!buf)
    return -ENOMEM;
  long r = copy_path(buf, unew);
  if (r >= 0)
    r = copy_path(buf + PATH_MAX, uold);
  struct path new, old;
  if (r >= 0)
    r = path_lookup(AT_FDCWD, buf, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &new);
  if (r >= 0) {
    r = path_lookup(AT_FDCWD, buf + PATH_MAX, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &old);
    if (r >= 0) {
      namespace_lock();
      r = do_pivot_root(&new, &old);
      namespace_unlock();
      path_put(&old);
    }
    path_put(&new);
  }
  kfree(buf);
  return r < 0 ? r : 0;
}
