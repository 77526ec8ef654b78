/*
 * mount.c — changing the shape of the mount tree: moving a mount
 * (mount(MS_MOVE)), pivot_root(2), and which mounts a process can see.
 * Layer: VFS, beside fs/super.c (which makes, attaches and removes mounts)
 * and fs/namei.c (which walks them). Locks: mount_lock (super.c) guards every
 * mount's parent/mountpoint and the mount list; it is a leaf spinlock, taken
 * after proc_lock and fs_context locks are dropped. See docs/vfs.md
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

int do_move_mount(struct path *from, struct path *to)
{
  struct mount *m = from->mnt;
  if (from->dentry != m->root)
    return -EINVAL;                     /* not the root of a mount */
  if (!to->dentry->inode || !from->dentry->inode)
    return -ENOENT;
  if (S_ISDIR(to->dentry->inode->mode) != S_ISDIR(from->dentry->inode->mode))
    return -ENOTDIR;
  if (to->dentry->unlinked)
    return -ENOENT;
  spin_lock(&mount_lock);
  bool anon = m->anon;                  /* fsmount's or open_tree's: not hung yet */
  if ((!m->parent && !anon) || !check_mnt(to->mnt) || (!anon && !check_mnt(m)) ||
      (m->parent && m->parent->group_id)) {
    spin_unlock(&mount_lock);
    return -EINVAL;  /* a namespace's root, outside our tree, or under a shared mount */
  }
  /* the target must not be inside the tree being moved */
  for (struct mount *p = to->mnt; p; p = p->parent) {
    if (p == m) {
      spin_unlock(&mount_lock);
      return -ELOOP;
    }
  }
  dget(to->dentry);
  struct dentry *old = anon ? NULL : unhang_locked(m);
  m->anon = false;                      /* the tree owns it now */
  hang_locked(m, to->mnt, to->dentry);
  spin_unlock(&mount_lock);
  if (old)
    dput(old);
  return 0;
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
  if (shared || !check_mnt(root_mnt) || !check_mnt(new_mnt))
    goto out;                           /* propagation would copy the change; another tree */
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
  if (!capable(CAP_SYS_ADMIN))
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
      r = do_pivot_root(&new, &old);
      path_put(&old);
    }
    path_put(&new);
  }
  kfree(buf);
  return r < 0 ? r : 0;
}
