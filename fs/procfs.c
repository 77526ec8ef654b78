/*
 * procfs.c — /proc: processes and the kernel, seen as files. This file is
 * the file system itself; the files' text comes from the generators in
 * fs/proc_pid.c (per process), fs/proc_kernel.c (kernel-wide, /proc/sys)
 * and fs/proc_mounts.c, through the tables of names they export
 * (fs/proc_internal.h draws the pieces).
 *
 * Nothing is stored. Directory entries are made up on lookup (and not
 * cached: their dentries are transient, so a dead pid's directory goes
 * away), and a file's text is generated when it is opened, into a buffer
 * that reads then walk through — one consistent snapshot per open.
 *
 *   /proc/self -> <pid>        /proc/<pid>/{stat,statm,status,cmdline,comm,
 *   /proc/thread-self
 *   /proc/meminfo, mounts,       environ,maps,mounts,mountinfo,exe,cwd,root,fd/}
 *   cpuinfo, uptime, loadavg,  /proc/sys/kernel/{hostname,osrelease,
 *   version, stat, filesystems,  ostype,pid_max}
 *   cmdline                    /proc/net/{dev,sockstat,tcp,tcp6} (from net/, if built)
 *                              /proc/kite/profile (Kite's own: kern/profile.c)
 *
 * Every mount is a super block of its own showing one pid namespace (the
 * mounter's; sb->priv): directories list and look up its numbers, and the
 * inodes keep the global ids they stand for (docs/namespaces.md).
 *
 * Layer: fs (a file system under the VFS: fs/vfs.c calls its inode and
 * file operations). Locks: proc_lock (kern/) while a process or thread is
 * looked up; a descriptor table's lock while a descriptor is read; none
 * across a generator or a copy to the user.
 */
#include "fs/procfs.h"
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
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/uio.h"
#include <string.h>

#define PROC_SUPER_MAGIC 0x9fa0

static const struct inode_ops proc_dir_iops;
static const struct file_ops proc_dir_fops;
static const struct file_ops proc_file_fops;
static int proc_mount(const struct fs_type *type, const char *source, uint32_t flags,
                      const char *data, struct super_block **sbp);
static const struct fs_type proc_type = { .name = "proc", .mount = proc_mount };

/* ---- inodes ---- */

static void proc_set_owner(struct inode *ino, pid_t pid);

static struct inode *proc_inode(struct super_block *sb, mode_t mode, enum proc_kind kind, pid_t pid,
                                int fd, proc_gen_fn gen)
{
  struct inode *ino = inode_alloc(sb, mode);
  struct proc_info *pi = kzalloc(sizeof(*pi));
  if (!ino || !pi) {
    if (ino)
      iput(ino);
    kfree(pi);
    return NULL;
  }
  pi->kind = kind;
  pi->pid = pid;
  pi->fd = fd;
  pi->gen = gen;
  ino->priv = pi;
  if (S_ISDIR(mode)) {
    ino->iop = &proc_dir_iops;
    ino->fop = &proc_dir_fops;
    ino->nlink = 2;
  } else if (S_ISLNK(mode)) {
    bool magic = kind == PK_CWD || kind == PK_ROOTLINK || kind == PK_FD_LINK || kind == PK_EXE ||
                 kind == PK_NS_LINK;
    ino->iop = magic ? &proc_magic_link_iops : &proc_link_iops;
  } else {
    ino->iop = &proc_link_iops; /* for evict */
    ino->fop = &proc_file_fops;
  }
  /* pid-directory contents are numbered by pid so ino is stable-ish */
  if (pid) {
    ino->ino = ((ino_t)pid << 16) | (ino->ino & 0xffff);
    proc_set_owner(ino, pid);
  }
  return ino;
}

/* A process's files belong to its effective ids (root's if not dumpable). */
static void proc_set_owner(struct inode *ino, pid_t pid)
{
  spin_lock(&proc_lock);
  struct process *p = find_process(pid);
  struct task *t = p ? proc_any_thread(p) : NULL;
  const struct cred *c = t && p->dumpable ? get_task_cred(t) : NULL;
  spin_unlock(&proc_lock);
  if (c) {
    ino->uid = c->euid;
    ino->gid = c->egid;
    put_cred(c);
  }
}


static bool parse_num(const char *s, size_t len, long *out)
{
  if (len == 0 || len > 9)
    return false;
  long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static int lookup_table_tid(struct dentry *d, const struct proc_entry *tab, size_t n, pid_t pid,
                            pid_t tid)
{
  for (size_t i = 0; i < n; i++) {
    if (strcmp(d->name, tab[i].name) == 0) {
      struct inode *ino = proc_inode(d->sb, tab[i].mode, tab[i].kind, pid, tid, tab[i].gen);
      if (!ino)
        return -ENOMEM;
      d->transient = true; /* before the inode: d_instantiate publishes both */
      d_instantiate(d, ino);
      return 0;
    }
  }
  return 0;
}

/* The global id of the live thread of process pid that namespace ns
 * numbers nr, or 0. */
static pid_t thread_of(pid_t pid, pid_t nr, struct pid_namespace *ns)
{
  spin_lock(&proc_lock);
  pid_t tid = pid_from_nr_ns_locked(nr, ns);
  struct task *t = find_task(tid);
  bool ok = t && t->proc && t->proc->pid == pid;
  spin_unlock(&proc_lock);
  return ok ? tid : 0;
}

static int lookup_table(struct dentry *d, const struct proc_entry *tab, size_t n, pid_t pid)
{
  for (size_t i = 0; i < n; i++) {
    if (strcmp(d->name, tab[i].name) == 0) {
      struct inode *ino = proc_inode(d->sb, tab[i].mode, tab[i].kind, pid, 0, tab[i].gen);
      if (!ino)
        return -ENOMEM;
      d->transient = true;
      d_instantiate(d, ino);
      return 0;
    }
  }
  return 0;
}

static int proc_lookup(struct inode *dir, struct dentry *d)
{
  struct proc_info *di = info_of(dir);
  long n;
  switch (di->kind) {
  case PK_ROOT:
    if (parse_num(d->name, strlen(d->name), &n)) {
      /* n is a number of the mount's pid namespace */
      struct process *p = proc_get_process_ns((pid_t)n, proc_ns(dir->sb));
      if (!p)
        return 0;
      uint64_t start_ns = p->start_ns;
      pid_t pid = p->pid;
      process_put(p);
      struct inode *ino = proc_inode(d->sb, S_IFDIR | 0555, PK_PID_DIR, pid, 0, NULL);
      if (!ino)
        return -ENOMEM;
      info_of(ino)->start_ns = start_ns;
      d->transient = true;
      d_instantiate(d, ino);
      return 0;
    }
    return lookup_table(d, proc_root_table.entries, proc_root_table.n, 0);
  case PK_PID_DIR:
    return lookup_table(d, proc_pid_table.entries, proc_pid_table.n, di->pid);
  case PK_SYS_DIR:
    return lookup_table(d, proc_sys_table.entries, proc_sys_table.n, 0);
  case PK_SYS_KERNEL_DIR:
    return lookup_table(d, proc_sys_kernel_table.entries, proc_sys_kernel_table.n, 0);
  case PK_NET_DIR:
    return lookup_table(d, proc_net_table.entries, proc_net_table.n, 0);
  case PK_SYSVIPC_DIR:
    return lookup_table(d, proc_sysvipc_table.entries, proc_sysvipc_table.n, 0);
  case PK_KITE_DIR:
    return lookup_table(d, proc_kite_table.entries, proc_kite_table.n, 0);
  case PK_SYS_FS_DIR:
    return lookup_table(d, proc_sys_fs_table.entries, proc_sys_fs_table.n, 0);
  case PK_SYS_RANDOM_DIR:
    return lookup_table(d, proc_sys_random_table.entries, proc_sys_random_table.n, 0);
  case PK_SYS_USER_DIR:
    return lookup_table(d, proc_sys_user_table.entries, proc_sys_user_table.n, 0);
  case PK_SYS_FS_INOTIFY_DIR:
    return lookup_table(d, proc_sys_fs_inotify_table.entries, proc_sys_fs_inotify_table.n, 0);
  case PK_SYS_FS_MQUEUE_DIR:
    return lookup_table(d, proc_sys_fs_mqueue_table.entries, proc_sys_fs_mqueue_table.n, 0);
  case PK_TASK_DIR: {
    pid_t tid;
    if (!parse_num(d->name, strlen(d->name), &n) || !(tid = thread_of(di->pid, (pid_t)n, proc_ns(dir->sb))))
      return 0;
    struct inode *ino = proc_inode(d->sb, S_IFDIR | 0555, PK_TID_DIR, di->pid, (int)tid, NULL);
    if (!ino)
      return -ENOMEM;
    d->transient = true;
    d_instantiate(d, ino);
    return 0;
  }
  case PK_TID_DIR:
    return lookup_table_tid(d, proc_tid_table.entries, proc_tid_table.n, di->pid, di->fd);
  case PK_NS_DIR:
    for (int k = 0; k < NR_NS_KINDS; k++) {
      if (strcmp(d->name, ns_kind_name(k)) != 0)
        continue;
      struct inode *ino = proc_inode(d->sb, S_IFLNK | 0777, PK_NS_LINK, di->pid, k, NULL);
      if (!ino)
        return -ENOMEM;
      d->transient = true;
      d_instantiate(d, ino);
      return 0;
    }
    return 0;
  case PK_FD_DIR:
  case PK_FDINFO_DIR: {
    if (!parse_num(d->name, strlen(d->name), &n))
      return 0;
    struct process *p = proc_get_process(di->pid);
    if (!p)
      return 0;
    struct proc_snapshot s;
    proc_snapshot_get(p, &s);
    bool exists = false;
    if (s.files) {
      spin_lock(&s.files->lock);
      exists = n < s.files->size && s.files->fd[n];
      spin_unlock(&s.files->lock);
    }
    proc_snapshot_put(&s);
    process_put(p);
    if (!exists)
      return 0;
    struct inode *ino = di->kind == PK_FD_DIR
                          ? proc_inode(d->sb, S_IFLNK | 0700, PK_FD_LINK, di->pid, (int)n, NULL)
                          : proc_inode(d->sb, S_IFREG | 0400, PK_FILE, di->pid, (int)n, gen_fdinfo);
    if (!ino)
      return -ENOMEM;
    d->transient = true;
    d_instantiate(d, ino);
    return 0;
  }
  default:
    return -ENOTDIR;
  }
}

/* /proc/<pid> held open (a dentry in use stays cached) names the process
 * it was made for; once that one is gone, its pid may name a later process,
 * which gets a directory (and inode number) of its own. */
static bool proc_revalidate(struct inode *ino)
{
  struct proc_info *pi = info_of(ino);
  if (pi->kind != PK_PID_DIR)
    return true;
  spin_lock(&proc_lock);
  struct process *p = find_process(pi->pid);
  bool same = p && p->start_ns == pi->start_ns;
  spin_unlock(&proc_lock);
  return same;
}

static const struct inode_ops proc_dir_iops = {
  .lookup = proc_lookup,
  .evict = proc_evict,
  .revalidate = proc_revalidate,
};

/* Linux's tgid_pidfd_to_pid, so that pidfd_send_signal takes such a file
 * too: the process is told from a later one with its pid by its start time
 * (monotonic nanoseconds, kept in the directory's proc_info). */
bool procfs_dir_process(struct file *f, struct process **pp)
{
  if (!f->inode || f->inode->sb->type != &proc_type || !S_ISDIR(f->inode->mode))
    return false;
  struct proc_info *pi = f->inode->priv;
  if (!pi || pi->kind != PK_PID_DIR)
    return false;
  spin_lock(&proc_lock);
  struct process *p = find_process(pi->pid);
  if (p && p->start_ns != pi->start_ns)
    p = NULL;
  if (p)
    process_get(p);
  spin_unlock(&proc_lock);
  *pp = p;
  return true;
}

/* ---- directories ---- */

static bool emit_table(struct dir_context *ctx, const struct proc_entry *tab, size_t n,
                       off_t base, pid_t pid)
{
  for (size_t i = 0; i < n; i++) {
    if (ctx->pos > base + (off_t)i)
      continue;
    unsigned type = S_ISDIR(tab[i].mode) ? DT_DIR : S_ISLNK(tab[i].mode) ? DT_LNK : DT_REG;
    if (!ctx->actor(ctx, tab[i].name, strlen(tab[i].name), ((ino_t)pid << 16) | (i + 16), type))
      return false;
    ctx->pos = base + i + 1;
  }
  return true;
}

static int proc_iterate(struct file *f, struct dir_context *ctx)
{
  struct proc_info *pi = info_of(f->inode);
  if (ctx->pos == 0) {
    if (!ctx->actor(ctx, ".", 1, f->inode->ino, DT_DIR))
      return 0;
    ctx->pos = 1;
  }
  if (ctx->pos == 1) {
    if (!ctx->actor(ctx, "..", 2, 1, DT_DIR))
      return 0;
    ctx->pos = 2;
  }
  switch (pi->kind) {
  case PK_ROOT: {
    if (!emit_table(ctx, proc_root_table.entries, proc_root_table.n, 2, 0))
      return 0;
    /* then one directory per process, positions 1000 + pid */
    pid_t pids[256];
    int n = 0;
    if (ctx->pos - 1000 >= PID_MAX)
      return 0;
    pid_t after = ctx->pos >= 1000 ? (pid_t)(ctx->pos - 1000) : 0;
    struct pid_namespace *ns = proc_ns(f->inode->sb);
    spin_lock(&proc_lock);
    struct process *p;
    list_for_each_entry(p, &all_processes, all_link) {
      pid_t nr = pid_nr_ns(p->pid, ns); /* 0: not in the mount's namespace */
      if (nr > after && n < 256)
        pids[n++] = nr;
    }
    spin_unlock(&proc_lock);
    /* sort ascending (ps shows them in pid order) */
    for (int i = 1; i < n; i++)
      for (int j = i; j > 0 && pids[j - 1] > pids[j]; j--) {
        pid_t x = pids[j]; pids[j] = pids[j - 1]; pids[j - 1] = x;
      }
    for (int i = 0; i < n; i++) {
      char name[16];
      int len = snprintf(name, sizeof(name), "%d", pids[i]);
      if (!ctx->actor(ctx, name, len, (ino_t)pids[i] << 16, DT_DIR))
        return 0;
      ctx->pos = 1000 + pids[i];
    }
    return 0;
  }
  case PK_PID_DIR:
    emit_table(ctx, proc_pid_table.entries, proc_pid_table.n, 2, pi->pid);
    return 0;
  case PK_SYS_DIR:
    emit_table(ctx, proc_sys_table.entries, proc_sys_table.n, 2, 0);
    return 0;
  case PK_SYS_KERNEL_DIR:
    emit_table(ctx, proc_sys_kernel_table.entries, proc_sys_kernel_table.n, 2, 0);
    return 0;
  case PK_NET_DIR:
    emit_table(ctx, proc_net_table.entries, proc_net_table.n, 2, 0);
    return 0;
  case PK_SYS_FS_DIR:
    emit_table(ctx, proc_sys_fs_table.entries, proc_sys_fs_table.n, 2, 0);
    return 0;
  case PK_SYS_RANDOM_DIR:
    emit_table(ctx, proc_sys_random_table.entries, proc_sys_random_table.n, 2, 0);
    return 0;
  case PK_SYS_USER_DIR:
    emit_table(ctx, proc_sys_user_table.entries, proc_sys_user_table.n, 2, 0);
    return 0;
  case PK_SYS_FS_INOTIFY_DIR:
    emit_table(ctx, proc_sys_fs_inotify_table.entries, proc_sys_fs_inotify_table.n, 2, 0);
    return 0;
  case PK_SYS_FS_MQUEUE_DIR:
    emit_table(ctx, proc_sys_fs_mqueue_table.entries, proc_sys_fs_mqueue_table.n, 2, 0);
    return 0;
  case PK_TID_DIR:
    emit_table(ctx, proc_tid_table.entries, proc_tid_table.n, 2, pi->pid);
    return 0;
  case PK_NS_DIR:
    for (int k = (int)ctx->pos - 2; k >= 0 && k < NR_NS_KINDS; k++) {
      const char *name = ns_kind_name(k);
      if (!ctx->actor(ctx, name, strlen(name), ((ino_t)pi->pid << 16) | (0x800 + k), DT_LNK))
        return 0;
      ctx->pos = k + 3;
    }
    return 0;
  case PK_TASK_DIR: {
    /* one directory per thread, positions 2 + i in tid order */
    pid_t tids[256];
    int n = 0;
    struct pid_namespace *ns = proc_ns(f->inode->sb);
    spin_lock(&proc_lock);
    struct process *p = find_process(pi->pid);
    if (p) {
      struct task *t;
      list_for_each_entry(t, &p->threads, thread_link)
        if (n < 256)
          tids[n++] = pid_nr_ns(t->tid, ns);
    }
    spin_unlock(&proc_lock);
    for (int i = 1; i < n; i++)
      for (int j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
        pid_t x = tids[j]; tids[j] = tids[j - 1]; tids[j - 1] = x;
      }
    for (int i = 0; i < n; i++) {
      if (ctx->pos > 2 + i)
        continue;
      char name[16];
      int len = snprintf(name, sizeof(name), "%d", tids[i]);
      if (!ctx->actor(ctx, name, len, ((ino_t)tids[i] << 16) | 1, DT_DIR))
        return 0;
      ctx->pos = 3 + i;
    }
    return 0;
  }
  case PK_SYSVIPC_DIR:
    emit_table(ctx, proc_sysvipc_table.entries, proc_sysvipc_table.n, 2, 0);
    return 0;
  case PK_KITE_DIR:
    emit_table(ctx, proc_kite_table.entries, proc_kite_table.n, 2, 0);
    return 0;
  case PK_FD_DIR:
  case PK_FDINFO_DIR: {
    struct process *p = proc_get_process(pi->pid);
    if (!p)
      return 0;
    struct proc_snapshot s;
    proc_snapshot_get(p, &s);
    if (s.files && ctx->pos - 2 < s.files->size) {
      for (int fd = (int)(ctx->pos - 2); fd < s.files->size; fd++) {
        spin_lock(&s.files->lock);
        bool used = fd < s.files->size && s.files->fd[fd];
        spin_unlock(&s.files->lock);
        if (!used)
          continue;
        char name[16];
        int len = snprintf(name, sizeof(name), "%d", fd);
        if (!ctx->actor(ctx, name, len, 0x1000 + fd, pi->kind == PK_FD_DIR ? DT_LNK : DT_REG))
          break;
        ctx->pos = fd + 3;
      }
    }
    proc_snapshot_put(&s);
    process_put(p);
    return 0;
  }
  default:
    return -ENOTDIR;
  }
}

/* Directory positions stop at 2^31 - 1, as on Linux (procfs's s_maxbytes). */
static off_t proc_dir_llseek(struct file *f, off_t off, int whence)
{
  return llseek_size(f, off, whence, INT32_MAX, READ_ONCE(f->inode->size));
}

static const struct file_ops proc_dir_fops = {
  .llseek = proc_dir_llseek,
  .iterate = proc_iterate,
};

/* ---- generated files ---- */

static int proc_file_open(struct inode *ino, struct file *f)
{
  struct proc_info *pi = info_of(ino);
  struct proc_buf *b = kzalloc(sizeof(*b));
  if (!b)
    return -ENOMEM;
  b->ns = proc_ns(ino->sb);
  struct process *p = NULL;
  if (pi->pid) {
    p = proc_get_process(pi->pid);
    if (!p) {
      kfree(b);
      return -ESRCH;
    }
  }
  int err = p && (f->flags & O_ACCMODE) != O_RDONLY ? proc_userns_open_write(pi->gen, p, b) : 0;
  if (err) {
    process_put(p);
    kfree(b);
    return err;
  }
  if (pi->gen == gen_comm && pi->fd > 0 && pi->kind == PK_FILE) {
    spin_lock(&proc_lock);
    struct task *t = find_task(pi->fd);
    char comm[TASK_COMM_LEN] = "";
    if (t)
      memcpy(comm, t->comm, sizeof(comm));
    spin_unlock(&proc_lock);
    pb_printf(b, "%s\n", comm);
  } else if (pi->gen == gen_tid_stat && pi->fd > 0 && p) {
    proc_tid_stat_show(b, p, pi->fd);
  } else if (pi->gen == gen_fdinfo) {
    int r = proc_fdinfo_show(b, p, pi->fd);
    if (r) {
      process_put(p);
      kfree(b);
      return r;
    }
  } else {
    pi->gen(b, p);
  }
  if (p)
    process_put(p);
  f->priv = b;
  return 0;
}

static ssize_t proc_file_read(struct file *f, struct uio *u, off_t *pos)
{
  struct proc_buf *b = f->priv;
  if (*pos < 0)
    return -EINVAL;
  if (*pos >= (off_t)b->len)
    return 0;
  long n = uio_copy_to(u, b->data + *pos, MIN(u->resid, b->len - *pos));
  if (n > 0)
    *pos += n;
  return n;
}

/* Writes to the tunables in /proc/sys (fs/proc_kernel.c), /proc/<pid>/comm
 * and a user namespace's files. */
static ssize_t proc_file_write(struct file *f, struct uio *u, off_t *pos)
{
  struct proc_info *pi = info_of(f->inode);
  bool handled;
  ssize_t ur = proc_userns_write(pi->gen, pi->pid, ((struct proc_buf *)f->priv)->opener, u, pos, &handled);
  if (handled)
    return ur;
  char buf[65];
  size_t n = MIN(u->resid, sizeof(buf) - 1);
  long c = uio_copy_from(u, buf, n);
  if (c < 0)
    return c;
  buf[c] = 0;
  if (c && buf[c - 1] == '\n')
    buf[c - 1] = 0;
  int r = proc_sysctl_write(pi->gen, buf, &handled);
  if (handled)
    return r ? r : c;
  if (pi->gen == gen_comm && pi->pid == current->proc->pid) {
    /* a thread's own comm (task/<tid>/comm), or the caller's */
    struct task *t = current;
    if (pi->fd > 0) {
      spin_lock(&proc_lock);
      t = find_task(pi->fd);
      if (t && t->proc != current->proc)
        t = NULL;
      if (t)
        set_task_comm(t, buf);
      spin_unlock(&proc_lock);
      return t ? c : -ESRCH;
    }
    set_task_comm(t, buf);
  } else {
    return -EACCES;
  }
  return c;
}

static void proc_file_release(struct file *f)
{
  struct proc_buf *b = f->priv;
  if (b) {
    if (b->opener)
      put_cred(b->opener);
    kfree(b->data);
    kfree(b);
  }
}

static const struct file_ops proc_file_fops = {
  .open = proc_file_open,
  .read = proc_file_read,
  .write = proc_file_write,
  .llseek = counter_llseek,
  .release = proc_file_release,
};

/* ---- mounting ---- */

/* The last mount of a /proc went: its namespace may go too. (The super
 * block itself stays allocated, as every file system's in Kite.) */
static void proc_put_super(struct super_block *sb)
{
  struct pid_namespace *ns = proc_ns(sb);
  sb->priv = &init_pid_ns;
  if (ns != &init_pid_ns)
    ns_put(&ns->ns);
}

static const struct super_ops proc_sops = { .put_super = proc_put_super };

/*
 * Every mount of "proc" is a super block of its own (Linux since 5.8),
 * showing the pid namespace of the task that mounts it — not the one its
 * children will be made in (Linux's task_active_pid_ns): after
 * unshare(CLONE_NEWPID) it is a child that mounts the new namespace's.
 */
static int proc_mount(const struct fs_type *type, const char *source, uint32_t flags,
                      const char *data, struct super_block **sbp)
{
  (void)source;
  (void)flags;
  (void)data;
  struct super_block *sb = sb_alloc(type);
  if (!sb)
    return -ENOMEM;
  sb->magic = PROC_SUPER_MAGIC;
  sb->priv = &init_pid_ns;
  struct inode *root = proc_inode(sb, S_IFDIR | 0555, PK_ROOT, 0, 0, NULL);
  struct dentry *d = root ? dentry_alloc(NULL, "/", 1) : NULL;
  if (!d) {
    if (root)
      iput(root);
    kfree(sb);
    return -ENOMEM;
  }
  d->sb = sb;
  d_instantiate(d, root);
  sb->root = d;
  struct pid_namespace *ns = current_pid_ns();
  if (ns != &init_pid_ns)
    ns_get(&ns->ns);
  sb->priv = ns;
  sb->ops = &proc_sops;
  *sbp = sb;
  return 0;
}

void procfs_init(void)
{
  register_fs(&proc_type);
}
