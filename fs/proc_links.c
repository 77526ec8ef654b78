/*
 * proc_links.c — the symbolic links of /proc: self and thread-self (the
 * reader's numbers in the mount's pid namespace), the per-process magic
 * links cwd, root, exe and fd/N (a jump to the object itself), and
 * ns/<kind> (a jump to the namespace's nsfs file, fs/nsfs.c).
 *
 * Layer: fs (part of procfs; fs/proc_internal.h draws the pieces).
 * fs/procfs.c gives its link inodes these operations.
 *
 * Locks: proc_lock while a process or its namespace is looked up; a
 * descriptor table's lock while a descriptor is read; an fs context's
 * lock while its root or cwd is copied; none across a path walk.
 */
#include "fs/proc_internal.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/nsfs.h"
#include "kern/nsproxy.h"
#include "kern/pidfd.h"
#include "kern/pid_namespace.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include <string.h>

/* The name /proc/<pid>/fd/N shows for an open file (readlink). */
static int file_link_name(struct file *f, char *buf, size_t size)
{
  struct path root = proc_reader_root();
  if (f->path.dentry && (!path_is_pseudo(&f->path) || S_ISREG(f->inode->mode)))
    return proc_path_name(&f->path, &root, buf, size);
  unsigned long ino = f->inode ? (unsigned long)f->inode->ino : 0UL;
  if (f->inode && S_ISFIFO(f->inode->mode))
    return snprintf(buf, size, "pipe:[%lu]", ino);
  if (f->inode && S_ISSOCK(f->inode->mode))
    return snprintf(buf, size, "socket:[%lu]", ino);
  return snprintf(buf, size, "anon_inode:[%lu]", ino);
}

/* The file at descriptor fd of a snapshot, referenced, or NULL. */
static struct file *snapshot_file(struct proc_snapshot *s, int fd)
{
  struct file *f = NULL;
  if (!s->files)
    return NULL;
  spin_lock(&s->files->lock);
  if (fd < s->files->size && (f = s->files->fd[fd]))
    fget(f);
  spin_unlock(&s->files->lock);
  return f;
}

/* The namespace of kind `kind` process pid is in, referenced, or NULL. */
static struct ns_common *proc_task_ns(pid_t pid, int kind)
{
  spin_lock(&proc_lock);
  struct process *p = find_process(pid);
  struct task *t = p ? proc_any_thread(p) : NULL;
  struct ns_common *ns = t ? task_ns_locked(t, kind) : NULL;
  spin_unlock(&proc_lock);
  return ns;
}

/* A namespace link is read or followed only by whom ptrace's read rule
 * lets see the process (Linux's proc_ns_get_link): 0, -ENOENT or -EACCES. */
static int proc_ns_access(pid_t pid)
{
  struct process *p = proc_get_process(pid);
  if (!p)
    return -ENOENT;
  bool ok = may_access_process(p);
  process_put(p);
  return ok ? 0 : -EACCES;
}

/* Where a per-process symlink points. */
static int proc_readlink(struct inode *ino, char *buf, size_t size)
{
  struct proc_info *pi = info_of(ino);
  char tmp[PATH_MAX > 512 ? 512 : PATH_MAX];
  int n = -ENOENT;
  if (pi->kind == PK_SELF || pi->kind == PK_THREAD_SELF) {
    /* the reader's numbers in the mount's namespace: none (ENOENT, a
     * dangling link) when the reader is outside it, as Linux */
    struct pid_namespace *ns = proc_ns(ino->sb);
    pid_t tgid = pid_nr_ns(current->proc->pid, ns), tid = pid_nr_ns(current->tid, ns);
    if (!tgid || !tid)
      return -ENOENT;
    if (pi->kind == PK_SELF)
      n = snprintf(tmp, sizeof(tmp), "%d", tgid);
    else
      n = snprintf(tmp, sizeof(tmp), "%d/task/%d", tgid, tid);
  } else if (pi->kind == PK_NS_LINK) {
    n = proc_ns_access(pi->pid);
    struct ns_common *ns = n ? NULL : proc_task_ns(pi->pid, pi->fd);
    if (ns) {
      n = nsfs_link_name(ns, tmp, sizeof(tmp));
      ns_put(ns);
    }
  } else {
    struct process *p = proc_get_process(pi->pid);
    if (!p)
      return -ENOENT;
    struct proc_snapshot s;
    proc_snapshot_get(p, &s);
    struct path root = proc_reader_root();
    if (pi->kind == PK_EXE && s.mm) {
      n = (int)strlcpy(tmp, s.mm->exe_path, sizeof(tmp));
    } else if ((pi->kind == PK_CWD || pi->kind == PK_ROOTLINK) && s.fs) {
      spin_lock(&s.fs->lock);
      struct path pp = pi->kind == PK_CWD ? s.fs->cwd : s.fs->root;
      path_get(&pp);
      spin_unlock(&s.fs->lock);
      n = path_to_string(&pp, &root, tmp, sizeof(tmp));
      path_put(&pp);
    } else if (pi->kind == PK_FD_LINK) {
      struct file *f = snapshot_file(&s, pi->fd);
      if (f) {
        n = file_link_name(f, tmp, sizeof(tmp));
        fput(f);
      }
    }
    proc_snapshot_put(&s);
    process_put(p);
  }
  if (n < 0)
    return n;
  n = MIN((size_t)n, size);
  memcpy(buf, tmp, n);
  return n;
}

/* Where a magic link to f leads: its path, or for a nameless file (a pipe,
 * a socket) its place on the pseudo mount; `none` if it has neither. */
static int file_link_target(struct file *f, struct path *out, int none)
{
  if (f->path.dentry) {
    *out = f->path;
    path_get(out);
    return 0;
  }
  if (!f->inode)
    return none;
  char name[48];
  file_link_name(f, name, sizeof(name));
  return vfs_pseudo_path(f->inode, name, out);
}

/*
 * Following cwd, root, exe or fd/N is a jump to the object itself (a magic
 * link): a removed file or directory is still reached, and a pipe, which
 * has no name, is reached on the pseudo mount and reopens as a FIFO
 * (bash's <(...) opens /dev/fd/63 this way). exe is the file the mm runs
 * (mm->exe, fixed for the life of the mm; the snapshot holds the mm).
 */
static int proc_get_link(struct inode *ino, struct path *out)
{
  struct proc_info *pi = info_of(ino);
  if (pi->kind == PK_NS_LINK) {
    int denied = proc_ns_access(pi->pid);
    if (denied)
      return denied;
    struct ns_common *ns = proc_task_ns(pi->pid, pi->fd);
    if (!ns)
      return -ENOENT;
    int r = nsfs_path(ns, out);
    ns_put(ns);
    return r;
  }
  struct process *p = proc_get_process(pi->pid);
  if (!p)
    return -ENOENT;
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  int r = -ENOENT;
  if ((pi->kind == PK_CWD || pi->kind == PK_ROOTLINK) && s.fs) {
    spin_lock(&s.fs->lock);
    *out = pi->kind == PK_CWD ? s.fs->cwd : s.fs->root;
    path_get(out);
    spin_unlock(&s.fs->lock);
    r = 0;
  } else if (pi->kind == PK_EXE) {
    struct file *f = s.mm && s.mm->exe ? s.mm->exe->file : NULL;
    if (f)
      r = file_link_target(f, out, -ENOENT);
  } else if (pi->kind == PK_FD_LINK) {
    struct file *f = snapshot_file(&s, pi->fd);
    if (f) {
      r = file_link_target(f, out, -ENXIO);
      fput(f);
    }
  }
  proc_snapshot_put(&s);
  process_put(p);
  return r;
}

const struct inode_ops proc_link_iops = {
  .readlink = proc_readlink,
  .evict = proc_evict,
};

const struct inode_ops proc_magic_link_iops = {
  .readlink = proc_readlink,
  .get_link = proc_get_link,
  .evict = proc_evict,
};
