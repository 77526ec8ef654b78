/*
 * proc_util.c — what every /proc generator uses: the growing text buffer
 * a file's contents are printed into, and snapshots of a process.
 *
 * Layer: fs (part of procfs; fs/proc_internal.h draws the pieces). It
 * calls only below itself: kmalloc, the process table (kern/), the tty's
 * device number (drivers/). The generators (fs/proc_pid.c,
 * fs/proc_kernel.c, fs/proc_mounts.c) and fs/procfs.c call it.
 *
 * Locks: a snapshot is taken under proc_lock (and the controlling tty's
 * lock inside it: proc_lock > tty->lock); the references it keeps (mm,
 * descriptor table, fs context, cred) are dropped by proc_snapshot_put
 * with no lock held. The text buffer functions may sleep (kmalloc).
 */
#include "fs/proc_internal.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/pid_namespace.h"
#include "kern/printk.h"
#include "drivers/tty.h"
#include <string.h>

/* ---- text buffers ---- */

void pb_printf(struct proc_buf *b, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? room : 0, fmt, ap);
    va_end(ap);
    if (b->data && (size_t)n < room) {
      b->len += n;
      return;
    }
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *nd = kmalloc(cap);
    if (!nd)
      return;
    if (b->data) {
      memcpy(nd, b->data, b->len);
      kfree(b->data);
    }
    b->data = nd;
    b->cap = cap;
  }
}

/* pb_printf for callbacks that print into a buffer (kern/cred.c). */
void pb_print_cb(void *ctx, const char *fmt, ...)
{
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n > 0)
    pb_printf(ctx, "%s", tmp);
}

void pb_write(struct proc_buf *b, const char *s, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *nd = kmalloc(cap);
    if (!nd)
      return;
    if (b->data) {
      memcpy(nd, b->data, b->len);
      kfree(b->data);
    }
    b->data = nd;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

/* ---- helpers about processes ---- */

/* The process with this pid, referenced, or NULL. */
struct process *proc_get_process(pid_t pid)
{
  spin_lock(&proc_lock);
  struct process *p = find_process(pid);
  if (p)
    process_get(p);
  spin_unlock(&proc_lock);
  return p;
}

struct process *proc_get_process_ns(pid_t nr, struct pid_namespace *ns)
{
  spin_lock(&proc_lock);
  struct process *p = find_process(pid_from_nr_ns_locked(nr, ns));
  if (p)
    process_get(p);
  spin_unlock(&proc_lock);
  return p;
}

/* A live thread of p (for its mm, files, fs), or NULL for a zombie. proc_lock held. */
struct task *proc_any_thread(struct process *p)
{
  struct task *t;
  list_for_each_entry(t, &p->threads, thread_link)
    return t;
  return NULL;
}

static char state_char(struct process *p, struct task *t)
{
  if (p->zombie)
    return 'Z';
  if (p->stopped)
    return 'T';
  if (!t)
    return 'Z';
  switch (t->state) {
  case TASK_RUNNING: return 'R';
  case TASK_INTERRUPTIBLE: return 'S';
  case TASK_UNINTERRUPTIBLE: return 'D';
  case TASK_STOPPED: return 'T';
  case TASK_TRACED: return 't';
  default: return 'Z';
  }
}

/*
 * The controlling terminal's number and foreground group (proc_lock held).
 * Copied here and not read later: p->ctty is a counted reference only
 * while proc_lock keeps it in place; a pty is freed once the session lets
 * go of it (tty.c detach_session drops the references after unlocking).
 * proc_lock > tty->lock is the documented order.
 */
static void snapshot_ctty(struct process *p, struct proc_snapshot *s, struct pid_namespace *ns)
{
  struct tty *tty = p->ctty;
  s->tpgid = -1;
  if (!tty)
    return;
  s->tty = tty_devnum(tty);
  spin_lock(&tty->lock);
  if (tty->pgrp)
    s->tpgid = pid_nr_ns(tty->pgrp, ns);
  spin_unlock(&tty->lock);
}

void proc_snapshot_thread(struct process *p, pid_t tid, struct proc_snapshot *s)
{
  spin_lock(&proc_lock);
  struct task *t = find_task(tid);
  if (t && t->proc == p) {
    s->state = state_char(p, t);
    s->cpu = t->cpu ? t->cpu->id : 0;
    memcpy(s->comm, t->comm, sizeof(s->comm));
  }
  spin_unlock(&proc_lock);
}

void proc_snapshot_get(struct process *p, struct proc_snapshot *s)
{
  proc_snapshot_get_ns(p, s, &init_pid_ns);
}

void proc_snapshot_get_ns(struct process *p, struct proc_snapshot *s, struct pid_namespace *ns)
{
  memset(s, 0, sizeof(*s));
  spin_lock(&proc_lock);
  struct task *t = proc_any_thread(p);
  s->state = state_char(p, t);
  s->cpu = t && t->cpu ? t->cpu->id : 0;
  s->pid = pid_nr_ns(p->pid, ns);
  s->ppid = p->parent ? pid_nr_ns(p->parent->pid, ns) : 0;
  s->pgid = pid_nr_ns(p->pgid, ns);
  s->sid = pid_nr_ns(p->sid, ns);
  snapshot_ctty(p, s, ns);
  s->nthreads = p->nr_threads;
  s->utime = p->dead_utime_ns;
  s->stime = p->dead_stime_ns;
  struct task *th;
  list_for_each_entry(th, &p->threads, thread_link) {
    uint64_t u, st;
    task_cputime(th, &u, &st);
    s->utime += u;
    s->stime += st;
  }
  if (t) {
    memcpy(s->comm, t->comm, sizeof(s->comm));
    if ((s->mm = t->mm))
      mm_get(s->mm);
    if ((s->files = t->files))
      files_get(s->files);
    if ((s->fs = t->fs))
      __atomic_add_fetch(&s->fs->refcount, 1, __ATOMIC_RELAXED);
    s->cred = get_task_cred(t);
    s->no_new_privs = t->no_new_privs;
  } else if (p->leader) {
    memcpy(s->comm, "<defunct>", 10);
  }
  spin_unlock(&proc_lock);
}

void proc_snapshot_put(struct proc_snapshot *s)
{
  if (s->mm)
    mm_put(s->mm);
  if (s->files)
    files_put(s->files);
  if (s->fs)
    fs_context_put(s->fs);
  put_cred(s->cred);
}

/* The reader's root: paths in /proc are shown as the reader sees them
 * (after chroot or the boot's root hand-over too), as Linux's d_path does. */
struct path proc_reader_root(void)
{
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path root = fs->root;
  spin_unlock(&fs->lock);
  return root;  /* not referenced: the reader's own root outlives this read */
}

int proc_path_name(struct path *p, const struct path *root, char *buf, size_t size)
{
  int n = path_to_string(p, root, buf, size);
  if (n < 0 || !p->dentry->unlinked)
    return n;
  static const char deleted[] = " (deleted)";
  if ((size_t)n + sizeof(deleted) > size)
    return -ENAMETOOLONG;
  memcpy(buf + n, deleted, sizeof(deleted));
  return n + (int)sizeof(deleted) - 1;
}

/* The root directory of p (referenced into *root); false for a zombie. */
bool proc_get_root(struct process *p, struct path *root)
{
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  bool ok = s.fs != NULL;
  if (ok) {
    spin_lock(&s.fs->lock);
    *root = s.fs->root;
    path_get(root);
    spin_unlock(&s.fs->lock);
  }
  proc_snapshot_put(&s);
  return ok;
}

