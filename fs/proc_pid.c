/*
 * proc_pid.c — the per-process files of /proc: /proc/<pid>/{stat, statm,
 * status, cmdline, environ, comm, maps, fdinfo/<fd>} and the same for a
 * thread (/proc/<pid>/task/<tid>), with the tables that name them.
 *
 * Layer: fs (part of procfs; fs/proc_internal.h draws the pieces).
 * fs/procfs.c looks names up in proc_pid_table and proc_tid_table and
 * calls the generators on open; they read the process through a snapshot
 * (fs/proc_util.c) and print with pb_printf. Neighbours: fs/proc_kernel.c
 * (the kernel-wide files), fs/proc_mounts.c (mounts, mountinfo).
 *
 * Locks: a generator holds a reference to the process (procfs.c's) and
 * the snapshot's references; maps holds the address space's lock
 * (mm->lock) while it walks the areas; fdinfo the descriptor table's lock
 * only to take its file.
 */
#include "fs/proc_internal.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include "fs/inotify.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/pid_namespace.h"
#include "kern/user_namespace.h"
#include "kern/errno.h"
#include "kern/uio.h"
#include <string.h>

#define TICK_NS (NSEC_PER_SEC / HZ)

/* ---- per-process files ---- */

/* The stat line of p as s shows it, under id (the pid, or a thread's tid). */
static void stat_line(struct proc_buf *b, struct process *p, pid_t id, struct proc_snapshot s)
{
  uint64_t vsize = 0, rss = 0;
  if (s.mm) {
    vsize = s.mm->total_vm;
    rss = mm_rss_pages(s.mm);
  }
  pb_printf(b, "%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %lu %lu %lu %lu 20 0 %d 0 %lu %lu %lu "
            "18446744073709551615 %lu %lu %lu 0 0 0 0 0 0 0 0 0 17 %d 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
            id, s.comm, s.state, s.ppid, s.pgid, s.sid, (int)s.tty, s.tpgid,
            (unsigned long)(s.utime / TICK_NS), (unsigned long)(s.stime / TICK_NS),
            (unsigned long)(p->cutime_ns / TICK_NS), (unsigned long)(p->cstime_ns / TICK_NS),
            s.nthreads, (unsigned long)(p->start_ns / TICK_NS), (unsigned long)vsize,
            (unsigned long)rss, s.mm ? (unsigned long)MMAP_MIN_ADDR : 0UL,
            s.mm ? (unsigned long)s.mm->brk_start : 0UL,
            s.mm ? (unsigned long)s.mm->stack_top : 0UL, s.cpu);
}

/* The snapshot a file shows: the process's, or for a task/<tid> file
 * (b->tid) with that thread's comm, state and hart. Returns the id the file
 * names — the pid, or the thread's id — as the mount's namespace numbers it. */
static pid_t snapshot_for(struct proc_buf *b, struct process *p, struct proc_snapshot *s)
{
  proc_snapshot_get_ns(p, s, b->ns);
  if (!b->tid)
    return s->pid;
  proc_snapshot_thread(p, b->tid, s);
  spin_lock(&proc_lock);
  pid_t nr = pid_nr_ns(b->tid, b->ns);
  spin_unlock(&proc_lock);
  return nr;
}

static void gen_stat(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  pid_t id = snapshot_for(b, p, &s);
  stat_line(b, p, id, s);
  proc_snapshot_put(&s);
}

static void gen_statm(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  uint64_t size = s.mm ? s.mm->total_vm / PAGE_SIZE : 0, rss = s.mm ? mm_rss_pages(s.mm) : 0;
  pb_printf(b, "%lu %lu 0 0 0 0 0\n", (unsigned long)size, (unsigned long)rss);
  proc_snapshot_put(&s);
}

/* NStgid, NSpid, NSpgid, NSsid: the ids as each pid namespace of p's
 * numbers them, from the /proc mount's namespace down to p's own (NSpid:
 * the thread's own of a task/<tid> file). */
static void gen_nspids(struct proc_buf *b, struct process *p)
{
  static const char *const names[] = { "NStgid", "NSpid", "NSpgid", "NSsid" };
  pid_t nrs[MAX_PID_NS_LEVEL + 1];
  for (int k = 0; k < 4; k++) {
    spin_lock(&proc_lock);
    pid_t id = k == 0 ? p->pid : k == 1 ? (b->tid ? b->tid : p->pid) : k == 2 ? p->pgid : p->sid;
    int n = pid_numbers_locked(id, p->pid, nrs);
    spin_unlock(&proc_lock);
    pb_printf(b, "%s:", names[k]);
    for (int i = b->ns->level; i < n; i++)
      pb_printf(b, "\t%d", nrs[i]);
    pb_printf(b, "\n");
  }
}

/* /proc/<pid>/status, and task/<tid>/status: the thread's Name, State
 * and Pid (its id), the rest the process's, as Linux. */
static void gen_status(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  pid_t id = snapshot_for(b, p, &s);
  static const char *names[] = { ['R'] = "running", ['S'] = "sleeping", ['D'] = "disk sleep",
                                 ['T'] = "stopped", ['t'] = "tracing stop", ['Z'] = "zombie" };
  uint64_t vsize = s.mm ? s.mm->total_vm : 0, rss = s.mm ? mm_rss_pages(s.mm) : 0;
  const struct cred *c = s.cred ? s.cred : &init_cred;
  pb_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
            "TracerPid:\t0\n",
            s.comm, s.fs ? s.fs->umask : 022, s.state, names[(int)s.state] ? names[(int)s.state] : "?",
            s.pid, id, s.ppid);
  cred_show_status(c, pb_print_cb, b);
  uint64_t lck = s.mm ? vm_locked_bytes(s.mm, 0, UINT64_MAX) : 0;
  uint64_t hwm = s.mm ? mm_peak_rss_pages(s.mm) : 0;
  uint64_t sigq_max = READ_ONCE(p->rlim[RLIMIT_SIGPENDING].cur);
  pb_printf(b, "FDSize:\t%d\n", s.files ? s.files->size : 0);
  gen_nspids(b, p);
  pb_printf(b, "VmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n"
            "VmSwap:\t%8lu kB\nThreads:\t%d\nSigQ:\t%d/%lu\n",
            (unsigned long)(vsize >> 10), (unsigned long)(lck >> 10),
            (unsigned long)(hwm * 4), (unsigned long)(rss * 4), 0UL, s.nthreads,
            signals_queued_for_user(c->uid), (unsigned long)sigq_max);
  cred_show_caps(c, pb_print_cb, b);
  pb_printf(b, "NoNewPrivs:\t%d\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n", s.no_new_privs);
  proc_snapshot_put(&s);
}

/* Copy a range of the process's memory into the buffer (cmdline, environ). */
static void gen_user_range(struct proc_buf *b, struct process *p, bool env)
{
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  if (s.mm) {
    uaddr_t start = env ? s.mm->env_start : s.mm->arg_start;
    uaddr_t end = env ? s.mm->env_end : s.mm->arg_end;
    if (end > start && end - start <= ARG_MAX) {
      char *tmp = kmalloc(end - start);
      if (tmp && copyin_mm(s.mm, tmp, start, end - start) == 0)
        pb_write(b, tmp, end - start);
      kfree(tmp);
    }
  }
  proc_snapshot_put(&s);
}

static void gen_cmdline(struct proc_buf *b, struct process *p) { gen_user_range(b, p, false); }
static void gen_environ(struct proc_buf *b, struct process *p) { gen_user_range(b, p, true); }

void gen_comm(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  if (b->tid)
    proc_snapshot_thread(p, b->tid, &s);
  pb_printf(b, "%s\n", s.comm);
  proc_snapshot_put(&s);
}

static void gen_maps(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  if (s.mm) {
    mutex_lock(&s.mm->lock);
    struct vma *v;
    char path[256];
    list_for_each_entry(v, &s.mm->vmas, link) {
      const char *name = "";
      if (v->file && v->file->path.dentry) {
        struct path root = proc_reader_root();
        if (proc_path_name(&v->file->path, &root, path, sizeof(path)) >= 0)
          name = path;
      } else if (v->flags & VMA_HEAP) {
        name = "[heap]";
      } else if (v->flags & VMA_STACK) {
        name = "[stack]";
      } else if (v->flags & VMA_VDSO) {
        name = "[vdso]";
      }
      pb_printf(b, "%08lx-%08lx %c%c%c%c %08lx 00:00 %lu %s%s\n", (unsigned long)v->start,
                (unsigned long)v->end, v->prot & PROT_READ ? 'r' : '-',
                v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
                v->flags & VMA_SHARED ? 's' : 'p', (unsigned long)(v->pgoff * PAGE_SIZE),
                v->file && v->file->inode ? (unsigned long)v->file->inode->ino : 0UL,
                *name ? "                          " : "", name);
    }
    mutex_unlock(&s.mm->lock);
  }
  proc_snapshot_put(&s);
}

/* /proc/<pid>/fdinfo/<fd>: the offset, the open flags (O_CLOEXEC if the
 * descriptor has it), the mount id and inode number, then what the kind of
 * file adds (inotify's watches). -ENOENT once the descriptor is closed. */
int proc_fdinfo_show(struct proc_buf *b, struct process *p, int fd)
{
  struct proc_snapshot s;
  proc_snapshot_get(p, &s);
  struct file *f = NULL;
  bool cloexec = false;
  if (s.files) {
    spin_lock(&s.files->lock);
    if (fd >= 0 && fd < s.files->size && s.files->fd[fd]) {
      f = s.files->fd[fd];
      fget(f);
      cloexec = s.files->cloexec[fd];
    }
    spin_unlock(&s.files->lock);
  }
  proc_snapshot_put(&s);
  if (!f)
    return -ENOENT;
  pb_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n", (long long)f->pos,
            (unsigned)(f->flags | (cloexec ? O_CLOEXEC : 0)), f->path.mnt ? f->path.mnt->id : 0,
            f->inode ? (unsigned long)f->inode->ino : 0UL);
  inotify_show_fdinfo(f, pb_print_cb, b);
  fput(f);
  return 0;
}

/* /proc/<pid>/fdinfo/<fd>: made in proc_file_open, which knows the fd (proc_fdinfo_show). */
void gen_fdinfo(struct proc_buf *b, struct process *p) { (void)b; (void)p; }

/* ---- user namespaces: uid_map, gid_map, projid_map, setgroups ---- */

/* The user namespace p's threads are in, referenced (put_user_ns), or
 * NULL for a zombie. */
static struct user_namespace *process_userns(struct process *p)
{
  spin_lock(&proc_lock);
  const struct cred *c = get_process_cred_locked(p);
  spin_unlock(&proc_lock);
  if (!c)
    return NULL;
  struct user_namespace *ns = c->user_ns;
  get_user_ns(ns);
  put_cred(c);
  return ns;
}

static void gen_idmap(struct proc_buf *b, struct process *p, enum userns_map which)
{
  struct user_namespace *ns = process_userns(p);
  if (ns) {
    userns_map_show(ns, which, pb_print_cb, b);
    put_user_ns(ns);
  }
}

void gen_uid_map(struct proc_buf *b, struct process *p) { gen_idmap(b, p, USERNS_UID_MAP); }
void gen_gid_map(struct proc_buf *b, struct process *p) { gen_idmap(b, p, USERNS_GID_MAP); }
void gen_projid_map(struct proc_buf *b, struct process *p) { gen_idmap(b, p, USERNS_PROJID_MAP); }

void gen_setgroups(struct proc_buf *b, struct process *p)
{
  struct user_namespace *ns = process_userns(p);
  if (ns) {
    userns_setgroups_show(ns, pb_print_cb, b);
    put_user_ns(ns);
  }
}

int proc_userns_open_write(proc_gen_fn gen, struct process *p, struct proc_buf *b)
{
  if (gen == gen_uid_map || gen == gen_gid_map || gen == gen_projid_map) {
    b->opener = get_cred(current_cred()); /* the writes are judged by the opener */
    return 0;
  }
  if (gen != gen_setgroups)
    return 0;
  struct user_namespace *ns = process_userns(p);
  if (!ns)
    return -ESRCH;
  int r = ns_capable(ns, CAP_SYS_ADMIN) ? 0 : -EACCES;
  put_user_ns(ns);
  return r;
}

/* Up to a page (setgroups: 8 bytes), at offset 0 only (EINVAL), as
 * Linux's map_write and proc_setgroups_write. */
ssize_t proc_userns_write(proc_gen_fn gen, pid_t pid, const struct cred *opener, struct uio *u, off_t *pos,
                          bool *handled)
{
  *handled = gen == gen_uid_map || gen == gen_gid_map || gen == gen_projid_map || gen == gen_setgroups;
  if (!*handled)
    return 0;
  if (*pos != 0 || u->resid >= (gen == gen_setgroups ? 8 : PAGE_SIZE))
    return -EINVAL;
  if (gen != gen_setgroups && !opener)
    return -EPERM; /* (not opened for writing) */
  struct process *p = proc_get_process(pid);
  if (!p)
    return -ESRCH;
  struct user_namespace *ns = process_userns(p);
  process_put(p);
  if (!ns)
    return -ESRCH;
  char *buf = kmalloc(PAGE_SIZE);
  long r = buf ? uio_copy_from(u, buf, u->resid) : -ENOMEM;
  if (r >= 0) {
    buf[r] = 0;
    r = gen == gen_setgroups ? userns_setgroups_write(ns, buf, (size_t)r)
        : userns_map_write(ns, gen == gen_uid_map ? USERNS_UID_MAP
                               : gen == gen_gid_map ? USERNS_GID_MAP : USERNS_PROJID_MAP, buf, (size_t)r,
                               opener);
  }
  kfree(buf);
  put_user_ns(ns);
  if (r > 0)
    *pos += r;
  return r;
}

/* ---- the per-process directories ---- */

static const struct proc_entry pid_entries[] = {
  { "stat", PK_FILE, gen_stat, S_IFREG | 0444 },
  { "statm", PK_FILE, gen_statm, S_IFREG | 0444 },
  { "status", PK_FILE, gen_status, S_IFREG | 0444 },
  { "cmdline", PK_FILE, gen_cmdline, S_IFREG | 0444 },
  { "environ", PK_FILE, gen_environ, S_IFREG | 0400 },
  { "comm", PK_FILE, gen_comm, S_IFREG | 0644 },
  { "maps", PK_FILE, gen_maps, S_IFREG | 0444 },
  { "mounts", PK_FILE, gen_mounts, S_IFREG | 0444 },
  { "mountinfo", PK_FILE, gen_mountinfo, S_IFREG | 0444 },
  { "exe", PK_EXE, NULL, S_IFLNK | 0777 },
  { "cwd", PK_CWD, NULL, S_IFLNK | 0777 },
  { "root", PK_ROOTLINK, NULL, S_IFLNK | 0777 },
  { "fd", PK_FD_DIR, NULL, S_IFDIR | 0500 },
  { "fdinfo", PK_FDINFO_DIR, NULL, S_IFDIR | 0500 },
  { "task", PK_TASK_DIR, NULL, S_IFDIR | 0555 },
  { "ns", PK_NS_DIR, NULL, S_IFDIR | 0511 },
  { "uid_map", PK_FILE, gen_uid_map, S_IFREG | 0644 },
  { "gid_map", PK_FILE, gen_gid_map, S_IFREG | 0644 },
  { "projid_map", PK_FILE, gen_projid_map, S_IFREG | 0644 },
  { "setgroups", PK_FILE, gen_setgroups, S_IFREG | 0644 },
};

/* /proc/<pid>/task/<tid>: Linux's tid_base_stuff — what a process
 * directory has but task/. The thread's own comm, and its id, state and
 * comm in stat and status (b->tid); the rest is the process's. */
static const struct proc_entry tid_entries[] = {
  { "stat", PK_FILE, gen_stat, S_IFREG | 0444 },
  { "statm", PK_FILE, gen_statm, S_IFREG | 0444 },
  { "status", PK_FILE, gen_status, S_IFREG | 0444 },
  { "cmdline", PK_FILE, gen_cmdline, S_IFREG | 0444 },
  { "environ", PK_FILE, gen_environ, S_IFREG | 0400 },
  { "comm", PK_FILE, gen_comm, S_IFREG | 0644 },
  { "maps", PK_FILE, gen_maps, S_IFREG | 0444 },
  { "mounts", PK_FILE, gen_mounts, S_IFREG | 0444 },
  { "mountinfo", PK_FILE, gen_mountinfo, S_IFREG | 0444 },
  { "exe", PK_EXE, NULL, S_IFLNK | 0777 },
  { "cwd", PK_CWD, NULL, S_IFLNK | 0777 },
  { "root", PK_ROOTLINK, NULL, S_IFLNK | 0777 },
  { "fd", PK_FD_DIR, NULL, S_IFDIR | 0500 },
  { "fdinfo", PK_FDINFO_DIR, NULL, S_IFDIR | 0500 },
  { "ns", PK_NS_DIR, NULL, S_IFDIR | 0511 },
  { "uid_map", PK_FILE, gen_uid_map, S_IFREG | 0644 },
  { "gid_map", PK_FILE, gen_gid_map, S_IFREG | 0644 },
  { "projid_map", PK_FILE, gen_projid_map, S_IFREG | 0644 },
  { "setgroups", PK_FILE, gen_setgroups, S_IFREG | 0644 },
};

const struct proc_table proc_pid_table = PROC_TABLE(pid_entries);
const struct proc_table proc_tid_table = PROC_TABLE(tid_entries);
