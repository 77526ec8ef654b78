/*
 * nsfs.c — namespace files: the inodes /proc/<pid>/ns/<kind> leads to and
 * their ioctls (Linux's fs/nsfs.c; fs/nsfs.h, docs/namespaces.md).
 *
 * Each follow of a link makes a fresh inode of the nsfs super block, with
 * the namespace's inode number and a reference to the namespace, put on
 * the pseudo mount; the inode's eviction drops the reference. Linux keeps
 * one dentry per namespace instead; fstat cannot tell the difference.
 *
 * Layer: fs. Below: fs/vfs.c, fs/file.c, kern/nsproxy.c. Locks: none.
 */
#include "fs/nsfs.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/namei.h"
#include "kern/vm.h"
#include "kern/nsproxy.h"
#include "kern/pid_namespace.h"
#include "kern/user_namespace.h"
#include "kern/clone.h"
#include "kern/syscall.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include <string.h>

#define NSFS_MAGIC 0x6e736673

/* include/uapi/linux/nsfs.h (Linux 6.1) */
#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704

static struct super_block nsfs_sb = { .magic = NSFS_MAGIC, .next_ino = 1 };

static void nsfs_evict(struct inode *ino)
{
  if (ino->priv)
    ns_put(ino->priv);
}

static int nsfs_ioctl(struct file *f, unsigned cmd, uint64_t arg);

static const struct inode_ops nsfs_iops = { .evict = nsfs_evict };
static const struct file_ops nsfs_fops = { .ioctl = nsfs_ioctl };

static const char *type_name(uint64_t type)
{
  switch (type) {
  case CLONE_NEWNS: return "mnt";
  case CLONE_NEWNET: return "net";
  case CLONE_NEWPID: return "pid";
  case CLONE_NEWUSER: return "user";
  case CLONE_NEWUTS: return "uts";
  case CLONE_NEWIPC: return "ipc";
  default: return "?";
  }
}

int nsfs_link_name(struct ns_common *ns, char *buf, unsigned long size)
{
  return snprintf(buf, size, "%s:[%u]", type_name(ns->type), ns->inum);
}

int nsfs_path(struct ns_common *ns, struct path *out)
{
  struct inode *ino = inode_alloc(&nsfs_sb, S_IFREG | 0444);
  if (!ino)
    return -ENOMEM;
  ino->ino = ns->inum;
  ino->iop = &nsfs_iops;
  ino->fop = &nsfs_fops;
  ns_get(ns);
  ino->priv = ns;
  char name[40];
  nsfs_link_name(ns, name, sizeof(name));
  int r = vfs_pseudo_path(ino, name, out);
  iput(ino); /* the dentry has its own reference */
  return r;
}

struct ns_common *nsfs_file_ns(struct file *f)
{
  return f->inode && f->inode->sb == &nsfs_sb ? f->inode->priv : NULL;
}

/* A new close-on-exec descriptor for ns (Linux's open_related_ns). */
static int open_ns(struct ns_common *ns)
{
  struct path p;
  int r = nsfs_path(ns, &p);
  if (r)
    return r;
  struct file *f = file_open_path(&p, O_RDONLY);
  path_put(&p);
  if (IS_ERR_VALUE(f))
    return (int)(long)f;
  r = fd_install(f, 0, true);
  if (r < 0)
    fput(f);
  return r;
}

/*
 * The user namespace that owns ns (for a user namespace: its parent),
 * opened if it is the caller's own or below it, else EPERM (Linux's
 * ns_get_owner; the initial user namespace has no owner).
 */
static int open_owner(struct ns_common *ns)
{
  struct user_namespace *owner = ns->type == CLONE_NEWUSER ? to_user_ns(ns)->parent
                                 : ns->owner ? to_user_ns(ns->owner) : &init_user_ns;
  if (!owner || !userns_within(owner, current_user_ns()))
    return -EPERM;
  return open_ns(&owner->ns);
}

/*
 * UTS, IPC, mount and network namespaces have no parent (EINVAL); a user
 * namespace's parent is its owner; the initial PID and user namespaces
 * have none (EPERM).
 */
static int nsfs_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  struct ns_common *ns = f->inode->priv;
  switch (cmd) {
  case NS_GET_USERNS:
    return open_owner(ns);
  case NS_GET_PARENT:
    if (ns->type != CLONE_NEWPID && ns->type != CLONE_NEWUSER)
      return -EINVAL;
    if (ns->type == CLONE_NEWUSER)
      return open_owner(ns);
    /* a PID namespace's parent only if the caller sees it (pidns_get_parent) */
    if (ns->parent && !pid_ns_within(to_pid_ns(ns->parent), current_pid_ns()))
      return -EPERM;
    return ns->parent ? open_ns(ns->parent) : -EPERM;
  case NS_GET_NSTYPE:
    return (int)ns->type;
  case NS_GET_OWNER_UID: {
    if (ns->type != CLONE_NEWUSER)
      return -EINVAL;
    uid_t uid = from_kuid_munged(current_user_ns(), to_user_ns(ns)->owner);
    return copyout(arg, &uid, sizeof(uid)) ? -EFAULT : 0;
  }
  default:
    return -ENOTTY;
  }
}
