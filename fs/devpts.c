/*
 * devpts.c — the devpts file system: /dev/pts.
 *
 * A directory of character-device nodes, one per pseudo-terminal slave,
 * named by the pty's number: /dev/pts/N is device 136:N (inode N + 3),
 * beside "ptmx" (5:2, inode 2), as on Linux. The nodes live only in the
 * dentry cache, like ramfs files: drivers/pty.c adds one when a master is
 * opened and removes it when the master closes; lookup finds nothing else.
 *
 * There is one instance: every mount of "devpts" shows it (Linux before
 * 4.7, without "newinstance"), and the kernel keeps a reference of its
 * own, so unmounting never prunes nodes of live ptys. Mount options, which
 * apply to nodes made afterwards: uid=, gid=, mode= (default 0600),
 * ptmxmode= (default 0000), and newinstance (accepted and ignored, as
 * Linux does today). Opening a node reaches the pty driver through the
 * character-device registry (drivers/chrdev.c), by its device number.
 *
 * Layer: fs. The pty driver below it gets its /dev/pts nodes and the
 * TIOCGPTPEER open through struct pty_fs_ops (drivers/tty.h), which
 * devpts_init hands it. Locks: the dcache's (nodes are dentries).
 */
#include "fs/devpts.h"
#include "fs/fdtable.h"
#include "drivers/tty.h"     /* struct pty_fs_ops */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/printk.h"
#include <string.h>
#include <stdlib.h>

#define DEVPTS_SUPER_MAGIC 0x1cd1
#define PTMX_INO 2
#define FIRST_NODE_INO 3

static struct super_block *devpts_sb;
static struct inode *ptmx_inode;

/* Mount options (devpts_sb's root inode lock). */
static uid_t node_uid;
static gid_t node_gid;
static mode_t node_mode = 0600;

/* Every existing name is in the dentry cache: a miss is a negative entry. */
static int devpts_lookup(struct inode *dir, struct dentry *d)
{
  (void)dir;
  (void)d;
  return 0;
}

static const struct inode_ops devpts_dir_iops = {
  .lookup = devpts_lookup,
};

static const struct file_ops devpts_dir_fops = {
  .llseek = counter_llseek,
  .iterate = dcache_readdir,
};

static struct inode *new_node(mode_t mode, dev_t dev, ino_t ino)
{
  struct inode *i = inode_alloc(devpts_sb, mode);
  if (!i)
    return NULL;
  i->ino = ino;
  i->rdev = dev;
  return i;
}

static int node_name(int index, char *buf, size_t size)
{
  return snprintf(buf, size, "%d", index);
}

/* Add /dev/pts/<index> for a new pty. */
int devpts_add_node(int index)
{
  char name[16];
  int len = node_name(index, name, sizeof(name));
  struct dentry *root = devpts_sb->root;
  mutex_lock(&root->inode->lock);
  struct inode *ino = new_node(S_IFCHR | node_mode, MKDEV(PTY_SLAVE_MAJOR, index),
                               FIRST_NODE_INO + index);
  int r = -ENOMEM;
  if (ino) {
    ino->uid = node_uid;
    ino->gid = node_gid;
    struct dentry *d = vfs_lookup_locked(root, name, len);
    if (IS_ERR(d)) {
      r = PTR_ERR(d);
    } else {
      r = d->inode ? -EEXIST : 0;
      if (r == 0) {
        d_instantiate(d, ino);
        ino = NULL;
        inode_touch(root->inode, true);
      }
      dput(d);
    }
  }
  mutex_unlock(&root->inode->lock);
  iput(ino);
  return r;
}

/* Remove /dev/pts/<index> (files open on it keep working). */
void devpts_remove_node(int index)
{
  char name[16];
  int len = node_name(index, name, sizeof(name));
  struct dentry *root = devpts_sb->root;
  mutex_lock(&root->inode->lock);
  struct dentry *d = dentry_lookup_child(root, name, len);
  if (d) {
    if (d->inode) {
      d->inode->nlink = 0;
      d_delete(d);
      inode_touch(root->inode, true);
    }
    dput(d);
  }
  mutex_unlock(&root->inode->lock);
}

static bool option_is(const char *opt, size_t name_len, const char *name)
{
  return name_len == strlen(name) && strncmp(opt, name, name_len) == 0;
}

/* Parse one option, "name=value" or "newinstance" (mount root locked). */
static int parse_option(const char *opt, size_t len)
{
  if (option_is(opt, len, "newinstance"))
    return 0;
  const char *eq = memchr(opt, '=', len);
  if (!eq)
    return -EINVAL;
  size_t name_len = (size_t)(eq - opt), value_len = len - name_len - 1;
  char value[16];
  if (value_len == 0 || value_len >= sizeof(value))
    return -EINVAL;
  memcpy(value, eq + 1, value_len);
  value[value_len] = 0;
  bool octal = option_is(opt, name_len, "mode") || option_is(opt, name_len, "ptmxmode");
  char *end;
  unsigned long v = strtoul(value, &end, octal ? 8 : 10);
  if (*end)
    return -EINVAL;
  if (option_is(opt, name_len, "uid"))
    node_uid = (uid_t)v;
  else if (option_is(opt, name_len, "gid"))
    node_gid = (gid_t)v;
  else if (option_is(opt, name_len, "mode"))
    node_mode = v & 07777;
  else if (option_is(opt, name_len, "ptmxmode"))
    ptmx_inode->mode = S_IFCHR | (v & 07777);
  else
    return -EINVAL;
  return 0;
}

/* Options: a comma-separated list (see the top of the file). */
static int parse_options(const char *data)
{
  if (!data)
    return 0;
  while (*data) {
    const char *comma = strchr(data, ',');
    size_t len = comma ? (size_t)(comma - data) : strlen(data);
    if (len) {
      int r = parse_option(data, len);
      if (r)
        return r;
    }
    data += len + (comma ? 1 : 0);
  }
  return 0;
}

static int devpts_mount(const struct fs_type *type, const char *source, uint32_t flags,
                        const char *data, struct super_block **sbp)
{
  (void)type;
  (void)source;
  (void)flags;
  struct inode *dir = devpts_sb->root->inode;
  mutex_lock(&dir->lock);
  int r = parse_options(data);
  mutex_unlock(&dir->lock);
  if (r)
    return r;
  *sbp = devpts_sb;
  return 0;
}

/* TIOCGPTPEER (drivers/pty.c): open /dev/pts/<index> as a new descriptor,
 * if it is still the slave the master knows. */
static int devpts_open_slave(int index, int flags, const void *slave)
{
  char path[32];
  snprintf(path, sizeof(path), "/dev/pts/%d", index);
  struct file *sf;
  int r = vfs_open(AT_FDCWD, path, flags, 0, &sf);
  if (r)
    return r;
  if (sf->priv != slave) { /* something else is mounted there */
    fput(sf);
    return -EIO;
  }
  r = fd_install(sf, 0, flags & O_CLOEXEC);
  if (r < 0)
    fput(sf);
  return r;
}

static const struct pty_fs_ops devpts_pty_ops = {
  .add_node = devpts_add_node,
  .remove_node = devpts_remove_node,
  .open_slave = devpts_open_slave,
};

/* Not mountable from a user namespace: Linux gives each mount a new
 * instance (FS_USERNS_MOUNT), Kite has one, whose options a container
 * would change for everyone (docs/namespaces.md). */
static const struct fs_type devpts_type = { .name = "devpts", .mount = devpts_mount };

/* Register "devpts" and make its instance: the root and the ptmx node. */
void devpts_init(void)
{
  pty_set_fs_ops(&devpts_pty_ops);
  devpts_sb = sb_alloc(&devpts_type);
  if (!devpts_sb)
    panic("devpts: out of memory");
  devpts_sb->magic = DEVPTS_SUPER_MAGIC;
  devpts_sb->refcount = 1; /* the kernel's own: never unmounted for good */
  struct inode *root = new_node(S_IFDIR | 0755, 0, 1);
  struct dentry *d = dentry_alloc(NULL, "/", 1);
  ptmx_inode = new_node(S_IFCHR | 0000, MKDEV(5, 2), PTMX_INO);
  if (!root || !d || !ptmx_inode)
    panic("devpts: out of memory");
  root->iop = &devpts_dir_iops;
  root->fop = &devpts_dir_fops;
  root->nlink = 2;
  d->sb = devpts_sb;
  d_instantiate(d, root);
  devpts_sb->root = d;
  struct dentry *ptmx = vfs_lookup_locked(d, "ptmx", 4);
  if (IS_ERR(ptmx))
    panic("devpts: out of memory");
  iget(ptmx_inode); /* one reference for the dentry, one kept here */
  d_instantiate(ptmx, ptmx_inode);
  dput(ptmx);
  register_fs(&devpts_type);
}
