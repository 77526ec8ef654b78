/*
 * mqueue_ns.c — the POSIX message-queue file system's instances: one
 * superblock per IPC namespace (struct mq_ns, fs/mqueue.h), made for a
 * new namespace and taken down when it goes (ipc/namespace.c calls
 * both), and mounting "mqueue", which shows the mounter's namespace's.
 * The queues themselves and the mq_* calls are fs/mqueue.c's.
 *
 * Layer: fs. Neighbours: fs/mqueue.c (the directory operations, mq_lock),
 * fs/super.c (superblocks, detached mounts), fs/dcache.c.
 * Locks: the root inode's lock, then mq_lock, as in fs/mqueue.c.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "kern/user_namespace.h"
#include "fs/mqueue.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "ipc/ipc.h"

#define MQUEUE_MAGIC 0x19800202

static struct mq_ns *init_mq_ns;

/* The caller's IPC namespace's queues (the initial ones before ipc_init
 * has registered the namespaces: the boot mounts /dev/mqueue first). */
struct mq_ns *mq_current(void)
{
  return current_ipc_ns() ? current_ipc()->mq : init_mq_ns;
}

/* Mounting mqueue shows the queues of the mounter's IPC namespace. */
static int mq_mount(const struct fs_type *type, const char *source, uint32_t flags, const char *data,
                    struct super_block **sbp)
{
  (void)type; (void)source; (void)flags; (void)data;
  *sbp = mq_current()->sb; /* (mount_alloc adds the mount's reference) */
  return 0;
}

/* The owner of the mounter's IPC namespace owns its queues' file system
 * (Linux's mqueue_init_fs_context): its root may mount it. */
static struct user_namespace *mq_userns(void)
{
  struct ns_common *ipc = current_ipc_ns();
  return ipc && ipc->owner ? to_user_ns(ipc->owner) : &init_user_ns;
}
static const struct fs_type mq_type = { .name = "mqueue", .mount = mq_mount, .userns_mount = mq_userns };

static int mq_statfs(struct super_block *sb, struct statfs64 *st)
{
  st->f_type = sb->magic;
  st->f_bsize = PAGE_SIZE;
  st->f_namelen = NAME_MAX;
  return 0;
}

static const struct super_ops mq_sops = { .statfs = mq_statfs };

struct mq_ns *mq_ns_create(void)
{
  struct mq_ns *m = kzalloc(sizeof(*m));
  struct super_block *sb = m ? sb_alloc(&mq_type) : NULL;
  struct inode *root = sb ? inode_alloc(sb, S_IFDIR | 01777) : NULL;
  struct dentry *d = root ? dentry_alloc(NULL, "/", 1) : NULL;
  if (!d) {
    if (root)
      iput(root);
    kfree(sb);
    kfree(m);
    return NULL;
  }
  root->iop = &mq_dir_iops;
  root->fop = &mq_dir_fops;
  root->nlink = 2;
  d->sb = sb;
  d_instantiate(d, root);
  sb->root = d;
  sb->magic = MQUEUE_MAGIC;
  sb->ops = &mq_sops;
  sb->priv = m;
  m->sb = sb;
  if (!(m->mnt = mount_detached(sb, d, "mqueue", 0))) {
    dput(d);
    kfree(sb);
    kfree(m);
    return NULL;
  }
  return m;
}

/* The first queue below `root` still named there, referenced, or NULL. */
static struct dentry *first_queue(struct dentry *root)
{
  struct dentry *c, *found = NULL;
  spin_lock(&dcache_lock);
  list_for_each_entry(c, &root->children, sibling)
    if (c->inode && !c->unlinked) {
      found = c;
      found->refcount++;
      break;
    }
  spin_unlock(&dcache_lock);
  return found;
}

void mq_ns_destroy(struct mq_ns *m)
{
  struct dentry *root = m->sb->root;
  mutex_lock(&root->inode->lock);
  struct dentry *d;
  while ((d = first_queue(root))) {
    mq_dir_unlink(root->inode, d);
    dput(d);
  }
  mutex_unlock(&root->inode->lock);
  mutex_lock(&mq_lock);
  m->sb->priv = NULL; /* queues still open are counted no more */
  mutex_unlock(&mq_lock);
  mount_drop_detached(m->mnt);
  kfree(m);
}

struct mq_ns *mq_ns_initial(void)
{
  return init_mq_ns;
}

void mqueue_init(void)
{
  mutex_init(&mq_lock, "mqueue");
  if (!(init_mq_ns = mq_ns_create()))
    panic("mqueue_init: out of memory");
  register_fs(&mq_type);
}

