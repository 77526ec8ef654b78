/*
 * fsopen.c — the new mount API's objects: file system configurations
 * (fsopen, fspick, fsconfig, fsmount) and detached mounts behind O_PATH
 * files (fsmount, open_tree's clones), plus mount_setattr's flag change.
 *
 * Layer: fs, beside the VFS core. Below: fs/super.c (sb_for_mount,
 * mount_detached, mount_drop_detached), fs/anon_inodes.c (the
 * configuration's file), fs/file.c (file_open_path). The system calls are
 * fs/sys_fsmount.c; fs/mount.c's do_move_mount attaches what this makes.
 *
 * A configuration goes through Linux's phases: collecting parameters
 * (CREATE_PARAMS), then FSCONFIG_CMD_CREATE asks the file system for a
 * superblock (with the source, the superblock flags and the other options
 * joined into the option string mount(2) would pass, as Linux's legacy
 * file systems get them) and hangs it on a detached mount the
 * configuration owns (AWAITING_MOUNT); fsmount hands that mount to an
 * O_PATH file, and from then on, as after fspick, the configuration can
 * only reconfigure the superblock (RECONF_PARAMS). A failed create leaves
 * it FAILED. Closing a file that still owns a detached mount unmounts it.
 *
 * Locks: fc->lock (a mutex) serialises fsconfig and fsmount on one
 * configuration and is held across the file system's mount; mount_lock
 * (a spinlock, fs/super.c) is taken inside it for the mount flags.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fsopen.h"
#include "fs/anon_inodes.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/mm.h"
#include "kern/wait.h"
#include <string.h>

enum fsc_phase { FSC_CREATE_PARAMS, FSC_AWAITING_MOUNT, FSC_RECONF_PARAMS, FSC_FAILED };

#define FSC_DATA_MAX PAGE_SIZE  /* the option string's room, as Linux's legacy_data */

struct fs_config {
  struct mutex lock;            /* guards everything below */
  enum fsc_phase phase;
  const struct fs_type *type;
  char *source;                 /* "source", or NULL */
  char *data;                   /* the other options, "a=b,c" (FSC_DATA_MAX), or NULL */
  size_t data_len;
  uint32_t sb_flags, sb_mask;   /* MS_* flags named, and their values */
  struct super_block *sb;       /* made (CMD_CREATE) or picked (fspick) */
  struct mount *mnt;            /* AWAITING_MOUNT: the new mount, owned here */
};

/* ---- the configuration's file ---- */

static ssize_t fs_config_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)f, (void)u, (void)pos;
  return -ENODATA;              /* no messages kept */
}

static void fs_config_release(struct file *f)
{
  struct fs_config *fc = f->priv;
  if (fc->mnt)
    mount_drop_detached(fc->mnt);
  kfree(fc->source);
  kfree(fc->data);
  kfree(fc);
}

static const struct file_ops fs_config_ops = {
  .read = fs_config_read,
  .release = fs_config_release,
};

static struct file *fs_config_file(const struct fs_type *t, enum fsc_phase phase,
                                   struct super_block *sb)
{
  struct fs_config *fc = kzalloc(sizeof(*fc));
  if (!fc)
    return NULL;
  mutex_init(&fc->lock, "fs_config");
  fc->type = t;
  fc->phase = phase;
  fc->sb = sb;
  struct file *f = anon_file(&fs_config_ops, fc, 0);
  if (!f)
    kfree(fc);
  return f;
}

struct file *fs_config_open(const struct fs_type *t)
{
  return fs_config_file(t, FSC_CREATE_PARAMS, NULL);
}

struct file *fs_config_pick(const struct path *p)
{
  return fs_config_file(p->mnt->sb->type, FSC_RECONF_PARAMS, p->mnt->sb);
}

struct fs_config *fs_config_of(struct file *f)
{
  return f->fop == &fs_config_ops ? f->priv : NULL;
}

/* ---- parameters ---- */

/* The superblock flags every file system takes (Linux's
 * vfs_parse_sb_flag): named, whatever the kind of value. */
static const struct {
  const char *name;
  uint32_t flag;
  bool set;
} sb_flag_names[] = {
  { "dirsync", 128 /* MS_DIRSYNC */, true }, { "lazytime", 1u << 25, true },
  { "mand", MS_MANDLOCK, true },             { "ro", MS_RDONLY, true },
  { "sync", MS_SYNCHRONOUS, true },          { "async", MS_SYNCHRONOUS, false },
  { "nolazytime", 1u << 25, false },         { "nomand", MS_MANDLOCK, false },
  { "rw", MS_RDONLY, false },
};

static bool parse_sb_flag(struct fs_config *fc, const char *key)
{
  for (size_t i = 0; i < sizeof(sb_flag_names) / sizeof(sb_flag_names[0]); i++) {
    if (strcmp(key, sb_flag_names[i].name) != 0)
      continue;
    fc->sb_mask |= sb_flag_names[i].flag;
    if (sb_flag_names[i].set)
      fc->sb_flags |= sb_flag_names[i].flag;
    else
      fc->sb_flags &= ~sb_flag_names[i].flag;
    return true;
  }
  return false;
}

/* Add ",key" or ",key=value" to the option string (Linux's
 * legacy_parse_param): EINVAL for a comma inside, or past a page. */
static int add_option(struct fs_config *fc, const char *key, const char *value)
{
  size_t klen = strlen(key), vlen = value ? strlen(value) + 1 : 0;
  if (fc->data_len + klen + vlen + 2 > FSC_DATA_MAX)
    return -EINVAL;
  if (strchr(key, ',') || (value && strchr(value, ',')))
    return -EINVAL;
  if (!fc->data && !(fc->data = kzalloc(FSC_DATA_MAX)))
    return -ENOMEM;
  char *d = fc->data + fc->data_len;
  if (fc->data_len)
    *d++ = ',';
  memcpy(d, key, klen);
  d += klen;
  if (value) {
    *d++ = '=';
    memcpy(d, value, vlen - 1);
    d += vlen - 1;
  }
  *d = 0;
  fc->data_len = (size_t)(d - fc->data);
  return 0;
}

static int parse_param(struct fs_config *fc, const struct fs_param *p)
{
  if (parse_sb_flag(fc, p->key))
    return 0;
  if (strcmp(p->key, "source") == 0) {
    if (p->cmd != FSCONFIG_SET_STRING || fc->source)
      return -EINVAL;           /* a non-string or a second source */
    return (fc->source = kstrdup(p->string)) ? 0 : -ENOMEM;
  }
  if (fc->phase == FSC_RECONF_PARAMS)
    return 0;                   /* the file systems keep their options at remount (fs/super.c) */
  if (p->cmd != FSCONFIG_SET_STRING && p->cmd != FSCONFIG_SET_FLAG)
    return -EINVAL;             /* only strings reach a file system's option string */
  return add_option(fc, p->key, p->cmd == FSCONFIG_SET_STRING ? p->string : NULL);
}

/* ---- commands ---- */

/* FSCONFIG_CMD_CREATE: the superblock, on a detached mount kept here. */
static int create(struct fs_config *fc)
{
  if (fc->phase != FSC_CREATE_PARAMS)
    return -EBUSY;
  struct user_namespace *owner;
  if (mount_capable(fc->type, &owner))
    return -EPERM;                      /* in the namespace that would own it */
  uint32_t flags = fc->sb_flags & fc->sb_mask;
  struct super_block *sb;
  int r = sb_for_mount(fc->type, fc->source, flags, fc->data, &sb);
  if (r == 0) {
    sb_set_owner(sb, owner);
    fc->mnt = mount_detached(sb, sb->root, fc->source, 0);
    r = fc->mnt ? 0 : -ENOMEM;
  }
  if (r) {
    fc->phase = FSC_FAILED;
    return r;
  }
  fc->sb = sb;
  fc->phase = FSC_AWAITING_MOUNT;
  return 0;
}

/* Forget the parameters (after a reconfigure, or once mounted). */
static void clean(struct fs_config *fc)
{
  kfree(fc->data);
  fc->data = NULL;
  fc->data_len = 0;
  fc->sb_flags = fc->sb_mask = 0;
  fc->phase = FSC_RECONF_PARAMS;
}

/* FSCONFIG_CMD_RECONFIGURE: the superblock flags named change (the
 * file systems keep their options, as mount(MS_REMOUNT) does here). */
static int reconfigure(struct fs_config *fc)
{
  if (fc->phase != FSC_RECONF_PARAMS)
    return -EBUSY;
  if (!ns_capable(sb_user_ns(fc->sb), CAP_SYS_ADMIN)) { /* its owner's */
    fc->phase = FSC_FAILED;
    return -EPERM;
  }
  struct super_block *sb = fc->sb;
  bool ro = fc->sb_flags & MS_RDONLY;
  int r = 0;
  if ((fc->sb_mask & MS_RDONLY) && ro != !!(sb->flags & MS_RDONLY)) {
    if (ro && sb->ops && sb->ops->sync)
      sb->ops->sync(sb);        /* going read-only: write everything back first */
    if (sb->ops && sb->ops->remount)
      r = sb->ops->remount(sb, ro);  /* the file system's own state */
    if (!r)
      sb->flags = (sb->flags & ~MS_RDONLY) | (ro ? MS_RDONLY : 0);
  }
  clean(fc);
  return r;
}

int fs_config_apply(struct fs_config *fc, const struct fs_param *p)
{
  mutex_lock(&fc->lock);
  int r;
  if (p->cmd == FSCONFIG_CMD_CREATE)
    r = create(fc);
  else if (p->cmd == FSCONFIG_CMD_RECONFIGURE)
    r = reconfigure(fc);
  else if (fc->phase != FSC_CREATE_PARAMS && fc->phase != FSC_RECONF_PARAMS)
    r = -EBUSY;
  else
    r = parse_param(fc, p);
  mutex_unlock(&fc->lock);
  return r;
}

/* ---- detached mounts behind O_PATH files ---- */

static void mount_file_release(struct file *f)
{
  mount_drop_detached(f->path.mnt);  /* nothing, if move_mount attached it */
}

static const struct file_ops mount_file_ops = {
  .release = mount_file_release,
};

/* An O_PATH file at m's root that owns detached mount m (and lets it go
 * at its last fput); NULL when out of memory (m still the caller's). */
static struct file *mount_file(struct mount *m)
{
  struct path p = { m, m->root };
  struct file *f = file_open_path(&p, O_PATH);
  if (IS_ERR(f))
    return NULL;
  f->fop = &mount_file_ops;
  return f;
}

int fs_config_mount(struct fs_config *fc, uint32_t mnt_flags, struct file **out)
{
  mutex_lock(&fc->lock);
  int r = -EINVAL;
  if (!fc->sb)
    goto out;                   /* nothing created */
  r = -EBUSY;
  if (fc->phase != FSC_AWAITING_MOUNT)
    goto out;
  fc->mnt->flags = mnt_flags;
  if ((r = mount_too_revealing(fc->mnt)))
    goto out;                           /* a proc or sysfs no more visible than one there */
  r = -ENOMEM;
  struct file *f = mount_file(fc->mnt);
  if (!f)
    goto out;
  fc->mnt = NULL;               /* the file owns it now */
  clean(fc);
  *out = f;
  r = 0;
out:
  mutex_unlock(&fc->lock);
  return r;
}

int mount_clone_file(const struct path *p, bool recursive, struct file **out)
{
  struct mount *m = NULL;
  int r = mount_clone_tree(p, recursive, &m);
  if (r)
    return r;
  struct file *f = mount_file(m);
  if (!f) {
    mount_drop_detached(m);
    return -ENOMEM;
  }
  *out = f;
  return 0;
}

/* Is m below top (or top itself)? mount_lock held. */
static bool below_locked(struct mount *m, struct mount *top)
{
  for (; m; m = m->parent)
    if (m == top)
      return true;
  return false;
}

int mount_change_flags(const struct path *p, uint32_t clr, uint32_t set, uint32_t prop,
                       bool recursive)
{
  struct mount *top = p->mnt;
  if (p->dentry != top->root)
    return -EINVAL;
  namespace_lock();
  spin_lock(&mount_lock);
  int r = 0;
  if (!top->anon && !check_mnt(top)) {
    r = -EINVAL;                /* unmounted, or in another namespace's tree */
    goto out;
  }
  /* a locked flag may not be cleared on any of them (Linux's
   * mount_setattr_prepare): all or nothing */
  bool may = mount_flags_may_change(top, (top->flags & ~clr) | set);
  struct mount *m;
  if (recursive)
    list_for_each_entry(m, &mount_list, link)
      if (m != top && below_locked(m, top))
        may &= mount_flags_may_change(m, (m->flags & ~clr) | set);
  r = may ? 0 : -EPERM;
  if (r)
    goto out;
  top->flags = (top->flags & ~clr) | set;
  if (recursive) {              /* a detached clone's mounts hang below it too */
    list_for_each_entry(m, &mount_list, link)
      if (m != top && below_locked(m, top))
        m->flags = (m->flags & ~clr) | set;
  }
  if (prop)
    mount_set_propagation_locked(top, prop, recursive);
out:
  spin_unlock(&mount_lock);
  namespace_unlock();
  return r;
}
