/*
 * mount_userns.c — mounts and user namespaces: who may mount, which
 * mounts a less privileged namespace may not take apart, and what a file
 * system owned by a user namespace may not do (Linux's may_mount,
 * mount_capable, mount_too_revealing, MNT_LOCK_*, mnt_may_suid and
 * may_open_dev; docs/vfs.md, "Mounts in user namespaces", and
 * docs/namespaces.md).
 *
 * The rules, as Linux's:
 * - Changing a mount namespace's tree needs CAP_SYS_ADMIN in the user
 *   namespace that owns it (may_mount): the root of a container that made
 *   its own user and mount namespaces may mount there.
 * - A new file system needs CAP_SYS_ADMIN in the user namespace that will
 *   own it (fs_type.userns_mount), or in the initial one for a type that
 *   has none (disks, devtmpfs, sysfs...). A proc (or sysfs) mount made
 *   in a mount namespace owned by a user namespace below the initial one
 *   must not show more than a mount of its type that is already fully
 *   visible there (mount_too_revealing).
 * - When a mount namespace is copied for a new owner (fs/mnt_ns.c), each
 *   mount of the copy is locked: its flags cannot be cleared, it cannot
 *   be unmounted or moved or bound without what is mounted below it, so
 *   nothing the more privileged namespace hid or made read-only is
 *   revealed.
 * - A file system owned by a user namespace below the initial one opens
 *   no device files (Linux's SB_I_NODEV), and set-user-ID bits count only
 *   on a mount of the caller's namespace whose file system its user
 *   namespace (or one above it) owns.
 *
 * Layer: fs, the VFS core, beside fs/super.c and fs/mount.c which call
 * it. Locks: mount_lock for the walk over the mount list; the rest reads
 * fields fixed before anyone else sees them.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "kern/user_namespace.h"
#include "kern/cred.h"
#include "kern/task.h"

/* The user namespace that owns the caller's mount namespace. */
static struct user_namespace *mnt_ns_owner(void)
{
  struct mnt_namespace *ns = current_mnt_namespace();
  return ns && ns->ns.owner ? to_user_ns(ns->ns.owner) : &init_user_ns;
}

bool may_mount(void)
{
  return ns_capable(mnt_ns_owner(), CAP_SYS_ADMIN);
}

struct user_namespace *sb_user_ns(const struct super_block *sb)
{
  return sb->user_ns ? sb->user_ns : &init_user_ns;
}

/* The atime setting of a set of flags, as Linux's MNT_ATIME_MASK holds
 * it: noatime, nodiratime, and relatime unless noatime or strictatime. */
static uint32_t atime_setting(uint32_t f)
{
  if (f & MS_STRICTATIME)
    f &= ~MS_NOATIME;
  uint32_t a = f & (MS_NOATIME | MS_NODIRATIME);
  if (!(f & (MS_NOATIME | MS_STRICTATIME)))
    a |= MS_RELATIME;
  return a;
}

bool mount_flags_may_change(const struct mount *m, uint32_t flags)
{
  if (m->locked_flags & ~flags)
    return false;                       /* a locked flag would be cleared */
  return !m->locked_atime || atime_setting(m->flags) == atime_setting(flags);
}

void mount_lock_copy(struct mount *m)
{
  m->locked_flags |= m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  m->locked_atime = true;
  m->locked = true;
}

/* The user namespace that owns mount namespace ns (ns.owner NULL: the
 * initial one). */
static struct ns_common *owner_of(const struct mnt_namespace *ns)
{
  return ns->ns.owner ? ns->ns.owner : &init_user_ns.ns;
}

void mount_lock_propagated(struct mount **c, int n)
{
  struct mnt_namespace *mine = current_mnt_namespace();
  if (!c[0]->ns || !mine || owner_of(c[0]->ns) == owner_of(mine))
    return;
  for (int j = 0; j < n; j++)
    mount_lock_copy(c[j]);
  c[0]->locked = false;                 /* its flags stay locked, it may go */
}

bool mnt_may_suid(const struct mount *m)
{
  return !(m->flags & MS_NOSUID) && check_mnt(m) && userns_within(current_user_ns(), sb_user_ns(m->sb));
}

bool mnt_may_open_dev(const struct mount *m)
{
  return !(m->flags & MS_NODEV) && sb_user_ns(m->sb) == &init_user_ns;
}

/*
 * Linux's mount_capable: may the caller make a new superblock of type t?
 * The namespace that will own it goes to *owner (NULL: the initial one).
 */
int mount_capable(const struct fs_type *t, struct user_namespace **owner)
{
  struct user_namespace *ns = t->userns_mount ? t->userns_mount() : &init_user_ns;
  *owner = ns == &init_user_ns ? NULL : ns;
  return ns_capable(ns, CAP_SYS_ADMIN) ? 0 : -EPERM;
}

void sb_set_owner(struct super_block *sb, struct user_namespace *owner)
{
  if (owner && !sb->user_ns && sb->refcount == 0) {
    get_user_ns(owner);
    sb->user_ns = owner;
  }
}

/*
 * Linux's mnt_already_visible, for a new superblock of type t mounted
 * with *flags: is a mount of t at its file system's root in the caller's
 * namespace, not read-only-locked unless the new one is read-only too,
 * with the same atime setting if that is locked, and with no locked
 * mount over any of its directories? (Linux lets permanently empty
 * directories be covered; Kite has none.) The new mount takes over the
 * locks of the one that proves it. mount_lock held.
 */
static bool already_visible_locked(const struct fs_type *t, uint32_t flags, struct mount *nm)
{
  struct mnt_namespace *ns = current_mnt_namespace();
  struct mount *m, *c;
  list_for_each_entry(m, &mount_list, link) {
    if (m->ns != ns || m->sb->type != t || m->root != m->sb->root)
      continue;
    uint32_t locked = m->locked_flags | (m->sb->flags & MS_RDONLY);
    if ((locked & MS_RDONLY) && !(flags & MS_RDONLY))
      continue;
    if (m->locked_atime && atime_setting(m->flags) != atime_setting(flags))
      continue;
    bool covered = false;
    list_for_each_entry(c, &mount_list, link)
      covered |= c->parent == m && c->locked;
    if (covered)
      continue;
    nm->locked_flags |= locked & MS_RDONLY;
    nm->locked_atime |= m->locked_atime;
    return true;
  }
  return false;
}

/* Linux's mount_too_revealing: a new mount nm of a file system type that
 * shows the whole system (proc, sysfs), in a mount namespace owned by a
 * user namespace below the initial one, must be no more than a mount of
 * it that is already visible there. -EPERM or 0. */
int mount_too_revealing(struct mount *nm)
{
  if (mnt_ns_owner() == &init_user_ns || !nm->sb->type->userns_visible)
    return 0;
  spin_lock(&mount_lock);
  bool visible = already_visible_locked(nm->sb->type, nm->flags, nm);
  spin_unlock(&mount_lock);
  return visible ? 0 : -EPERM;
}
