/*
 * proc_mounts.c — /proc/<pid>/mounts and /proc/<pid>/mountinfo: the mount
 * table as the process sees it (procfs layer; fs/procfs.c calls these
 * generators, fs/super.c owns the mounts).
 *
 * Only mounts at or below the process's root directory are shown, with
 * their mount points relative to it (a chroot sees its own tree), as
 * Linux does. mountinfo's line (proc(5)):
 *
 *   id parent major:minor root mountpoint options - fstype source superoptions
 *
 * Between the options and the "-" come the optional fields of mount
 * propagation (fs/pnode.c), as Linux's show_mountinfo prints them:
 * "shared:N" (peer group N), "master:N" (a slave of group N),
 * "propagate_from:N" (the nearest group up the chain of masters with a
 * member this process can see, when that is not the master) and
 * "unbindable". Names are escaped as Linux escapes them (space,
 * tab, newline and backslash as \ooo octal).
 *
 * Locks: mounts_for_each() holds mount_lock around each callback;
 * path_to_string() takes dcache_lock inside it (the order dcache.c uses).
 */
#include "fs/proc_internal.h"
#include "fs/fs_abi.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/pnode.h"
#include "kern/task.h"
#include "kern/param.h"
#include <string.h>

struct mounts_ctx {
  struct proc_buf *b;
  struct path root;      /* the process's root */
  bool info;             /* mountinfo (else mounts) */
};

/* Append s with Linux's escapes for the space-separated mount files. */
static void pb_escaped(struct proc_buf *b, const char *s)
{
  if (!s) /* a mount whose source name could not be copied (out of memory) */
    s = "none";
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
      pb_printf(b, "\\%03o", (unsigned char)*s);
    else
      pb_write(b, s, 1);
  }
}

/* Is the mount point of m at or below root? (dcache_lock not held) */
static bool visible_from(struct mount *m, const struct path *root)
{
  struct mount *cm = m;
  struct dentry *d = m->root;
  bool below = false;
  spin_lock(&dcache_lock);
  for (;;) {
    if (d == root->dentry && cm == root->mnt) {
      below = true;
      break;
    }
    if (d == cm->root || d->parent == d) {
      if (!cm->parent)
        break;
      d = cm->mountpoint;
      cm = cm->parent;
      continue;
    }
    d = d->parent;
  }
  spin_unlock(&dcache_lock);
  return below;
}

/* The mount options field: access mode, then the per-mount flags. */
static void mount_options(struct proc_buf *b, uint32_t flags)
{
  pb_printf(b, "%s", (flags & MS_RDONLY) ? "ro" : "rw");
  if (flags & MS_NOSUID)
    pb_printf(b, ",nosuid");
  if (flags & MS_NODEV)
    pb_printf(b, ",nodev");
  if (flags & MS_NOEXEC)
    pb_printf(b, ",noexec");
}

/* The group whose events reach slave m, nearest first up the chain of
 * masters, that has a member in m's namespace visible from root (Linux's
 * get_dominating_id); 0 if none (mount_lock held). */
static int dominating_group(struct mount *m, const struct path *root)
{
  int depth = 0;
  for (int g = m->master; g && depth < MAX_PROPAGATION_DEPTH; g = pnode_group_master_locked(g), depth++) {
    struct mount *p;
    list_for_each_entry(p, &mount_list, link)
      if (p->group_id == g && p->ns == m->ns && visible_from(p, root))
        return g;
  }
  return 0;
}

/* mountinfo's optional fields of propagation (mount_lock held). */
static void propagation_fields(struct proc_buf *b, struct mount *m, const struct path *root)
{
  if (m->group_id)
    pb_printf(b, " shared:%d", m->group_id);
  if (m->master) {
    int dom = dominating_group(m, root);
    pb_printf(b, " master:%d", m->master);
    if (dom && dom != m->master)
      pb_printf(b, " propagate_from:%d", dom);
  }
  if (m->unbindable)
    pb_printf(b, " unbindable");
}

static void mount_line(struct mount *m, void *arg)
{
  struct mounts_ctx *c = arg;
  if (!visible_from(m, &c->root))
    return;
  char path[256];
  struct path mp = { m, m->root };
  if (path_to_string(&mp, &c->root, path, sizeof(path)) < 0)
    strlcpy(path, "?", sizeof(path));
  const char *type = m->sb->type ? m->sb->type->name : "none";
  struct proc_buf *b = c->b;
  if (!c->info) {
    pb_escaped(b, m->source);
    pb_printf(b, " ");
    pb_escaped(b, path);
    pb_printf(b, " %s ", type);
    mount_options(b, m->flags | (m->sb->flags & MS_RDONLY));
    pb_printf(b, " 0 0\n");
    return;
  }
  char root[256];
  if (dentry_path_in_sb(m->root, root, sizeof(root)) < 0)
    strlcpy(root, "?", sizeof(root));
  int parent = m->parent ? m->parent->id : m->id;
  pb_printf(b, "%d %d %u:%u ", m->id, parent, MAJOR(m->sb->dev), MINOR(m->sb->dev));
  pb_escaped(b, root);
  pb_printf(b, " ");
  pb_escaped(b, path);
  pb_printf(b, " ");
  mount_options(b, m->flags);
  propagation_fields(b, m, &c->root);
  pb_printf(b, " - %s ", type);
  pb_escaped(b, m->source);
  pb_printf(b, " %s\n", (m->sb->flags & MS_RDONLY) ? "ro" : "rw");
}

/* p is NULL for /proc/mounts itself: the caller's view (Linux links it
 * to self/mounts). */
static void gen(struct proc_buf *b, struct process *p, bool info)
{
  struct mounts_ctx c = { .b = b, .info = info };
  if (!p)
    p = current->proc;
  if (!proc_get_root(p, &c.root))
    return;
  mounts_for_each(mount_line, &c);
  path_put(&c.root);
}

void gen_mounts(struct proc_buf *b, struct process *p)
{
  gen(b, p, false);
}

void gen_mountinfo(struct proc_buf *b, struct process *p)
{
  gen(b, p, true);
}
