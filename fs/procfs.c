/*
 * procfs.c — /proc: processes and the kernel, seen as files.
 *
 * Nothing is stored. Directory entries are made up on lookup (and not
 * cached: their dentries are transient, so a dead pid's directory goes
 * away), and a file's text is generated when it is opened, into a buffer
 * that reads then walk through — one consistent snapshot per open.
 *
 *   /proc/self -> <pid>        /proc/<pid>/{stat,statm,status,cmdline,comm,
 *   /proc/meminfo, mounts,       environ,maps,mounts,mountinfo,exe,cwd,root,fd/}
 *   cpuinfo, uptime, loadavg,  /proc/sys/kernel/{hostname,osrelease,
 *   version, stat, filesystems,  ostype,pid_max}
 *   cmdline                    /proc/net/{dev,sockstat,tcp,tcp6} (from net/, if built)
 *                              /proc/kite/profile (Kite's own: kern/profile.c)
 */
#include "fs/procfs.h"
#include "fs/proc_internal.h"
#include "fs/vfs.h"
#include "fs/fdtable.h"
#include "kern/task.h"
#include "kern/cpu.h"
#include "kern/lockdep.h"
#include "kern/cred.h"
#include "ipc/ipc.h"
#include "fs/locks.h"
#include "fs/inotify.h"
#include "kern/pipe.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "kern/sysinfo.h"
#include "kern/devtree.h"
#include "kern/profile.h"
#include "drivers/tty.h"
#include "drivers/blk.h"
#include <string.h>
#include <stdlib.h>

#define PROC_SUPER_MAGIC 0x9fa0

/* What a procfs inode stands for. */
enum proc_kind {
  PK_ROOT, PK_PID_DIR, PK_FD_DIR, PK_SYS_DIR, PK_SYS_KERNEL_DIR, PK_NET_DIR, PK_SYSVIPC_DIR, PK_SYS_FS_DIR,
  PK_SYS_FS_INOTIFY_DIR,       /* /proc/sys/fs/inotify */
  PK_SYS_RANDOM_DIR,           /* /proc/sys/kernel/random */
  PK_KITE_DIR,                 /* /proc/kite: Kite's own files, not Linux's */
  PK_FDINFO_DIR,               /* /proc/<pid>/fdinfo (files: PK_FILE, gen_fdinfo, fd in proc_info.fd) */
  PK_TASK_DIR, PK_TID_DIR,     /* /proc/<pid>/task and task/<tid> (tid in proc_info.fd) */
  PK_FILE,      /* generated text (gen) */
  PK_SELF,      /* symlink to the caller's pid */
  PK_EXE, PK_CWD, PK_ROOTLINK, PK_FD_LINK,  /* per-process symlinks */
};


struct proc_info {
  enum proc_kind kind;
  pid_t pid;
  int fd;
  proc_gen_fn gen;
};

static struct super_block *proc_sb;
static const struct inode_ops proc_dir_iops;
static const struct inode_ops proc_link_iops;
static const struct inode_ops proc_magic_link_iops;
static const struct file_ops proc_dir_fops;
static const struct file_ops proc_file_fops;

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
static void pb_print_cb(void *ctx, const char *fmt, ...)
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
static struct process *get_process(pid_t pid)
{
  spin_lock(&proc_lock);
  struct process *p = find_process(pid);
  if (p)
    process_get(p);
  spin_unlock(&proc_lock);
  return p;
}

/* A live thread of p (for its mm, files, fs), or NULL for a zombie. proc_lock held. */
static struct task *any_thread(struct process *p)
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
  default: return 'Z';
  }
}

struct proc_snapshot {
  char comm[TASK_COMM_LEN];
  char state;
  pid_t ppid;
  int nthreads;
  uint64_t utime, stime;
  pid_t pgid, sid;
  dev_t tty;             /* controlling terminal's device number, 0 if none */
  pid_t tpgid;           /* its foreground group, -1 if none */
  struct mm *mm;         /* referenced, or NULL */
  struct files *files;   /* referenced, or NULL */
  struct fs_context *fs; /* referenced, or NULL */
  int cpu;               /* hart the leader runs or last ran on */
  const struct cred *cred; /* referenced, or NULL (a zombie) */
  int no_new_privs;
};

/*
 * The controlling terminal's number and foreground group (proc_lock held).
 * Copied here and not read later: p->ctty is a counted reference only
 * while proc_lock keeps it in place; a pty is freed once the session lets
 * go of it (tty.c detach_session drops the references after unlocking).
 * proc_lock > tty->lock is the documented order.
 */
static void snapshot_ctty(struct process *p, struct proc_snapshot *s)
{
  struct tty *tty = p->ctty;
  s->tpgid = -1;
  if (!tty)
    return;
  s->tty = tty_devnum(tty);
  spin_lock(&tty->lock);
  if (tty->pgrp)
    s->tpgid = tty->pgrp;
  spin_unlock(&tty->lock);
}

static void snapshot(struct process *p, struct proc_snapshot *s)
{
  memset(s, 0, sizeof(*s));
  spin_lock(&proc_lock);
  struct task *t = any_thread(p);
  s->state = state_char(p, t);
  s->cpu = t && t->cpu ? t->cpu->id : 0;
  s->ppid = p->parent ? p->parent->pid : 0;
  s->pgid = p->pgid;
  s->sid = p->sid;
  snapshot_ctty(p, s);
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

static void snapshot_put(struct proc_snapshot *s)
{
  if (s->mm)
    mm_put(s->mm);
  if (s->files)
    files_put(s->files);
  if (s->fs)
    fs_context_put(s->fs);
  put_cred(s->cred);
}

#define TICK_NS (NSEC_PER_SEC / HZ)

/* ---- per-process files ---- */

static void gen_stat(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  snapshot(p, &s);
  uint64_t vsize = 0, rss = 0;
  if (s.mm) {
    vsize = s.mm->total_vm;
    rss = mm_rss_pages(s.mm);
  }
  pb_printf(b, "%d (%s) %c %d %d %d %d %d 4194304 0 0 0 0 %lu %lu %lu %lu 20 0 %d 0 %lu %lu %lu "
            "18446744073709551615 %lu %lu %lu 0 0 0 0 0 0 0 0 0 17 %d 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
            p->pid, s.comm, s.state, s.ppid, s.pgid, s.sid, (int)s.tty, s.tpgid,
            (unsigned long)(s.utime / TICK_NS), (unsigned long)(s.stime / TICK_NS),
            (unsigned long)(p->cutime_ns / TICK_NS), (unsigned long)(p->cstime_ns / TICK_NS),
            s.nthreads, (unsigned long)(p->start_ns / TICK_NS), (unsigned long)vsize,
            (unsigned long)rss, s.mm ? (unsigned long)MMAP_MIN_ADDR : 0UL,
            s.mm ? (unsigned long)s.mm->brk_start : 0UL,
            s.mm ? (unsigned long)s.mm->stack_top : 0UL, s.cpu);
  snapshot_put(&s);
}

static void gen_statm(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  snapshot(p, &s);
  uint64_t size = s.mm ? s.mm->total_vm / PAGE_SIZE : 0, rss = s.mm ? mm_rss_pages(s.mm) : 0;
  pb_printf(b, "%lu %lu 0 0 0 0 0\n", (unsigned long)size, (unsigned long)rss);
  snapshot_put(&s);
}

static void gen_status(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  snapshot(p, &s);
  static const char *names[] = { ['R'] = "running", ['S'] = "sleeping", ['D'] = "disk sleep",
                                 ['T'] = "stopped", ['Z'] = "zombie" };
  uint64_t vsize = s.mm ? s.mm->total_vm : 0, rss = s.mm ? mm_rss_pages(s.mm) : 0;
  const struct cred *c = s.cred ? s.cred : &init_cred;
  pb_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
            "TracerPid:\t0\n",
            s.comm, s.fs ? s.fs->umask : 022, s.state, names[(int)s.state] ? names[(int)s.state] : "?",
            p->pid, p->pid, s.ppid);
  cred_show_status(c, pb_print_cb, b);
  uint64_t lck = s.mm ? vm_locked_bytes(s.mm, 0, UINT64_MAX) : 0;
  pb_printf(b, "FDSize:\t%d\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmRSS:\t%8lu kB\nVmSwap:\t%8lu kB\n"
            "Threads:\t%d\nSigQ:\t0/4096\n",
            s.files ? s.files->size : 0, (unsigned long)(vsize >> 10), (unsigned long)(lck >> 10),
            (unsigned long)(rss * 4), 0UL, s.nthreads);
  cred_show_caps(c, pb_print_cb, b);
  pb_printf(b, "NoNewPrivs:\t%d\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n", s.no_new_privs);
  snapshot_put(&s);
}

/* Copy a range of the process's memory into the buffer (cmdline, environ). */
static void gen_user_range(struct proc_buf *b, struct process *p, bool env)
{
  struct proc_snapshot s;
  snapshot(p, &s);
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
  snapshot_put(&s);
}

static void gen_cmdline(struct proc_buf *b, struct process *p) { gen_user_range(b, p, false); }
static void gen_environ(struct proc_buf *b, struct process *p) { gen_user_range(b, p, true); }

static void gen_comm(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  snapshot(p, &s);
  pb_printf(b, "%s\n", s.comm);
  snapshot_put(&s);
}

/* The reader's root: paths in /proc are shown as the reader sees them
 * (after chroot or the boot's root hand-over too), as Linux's d_path does. */
static struct path reader_root(void)
{
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  struct path root = fs->root;
  spin_unlock(&fs->lock);
  return root;  /* not referenced: the reader's own root outlives this read */
}

static void gen_maps(struct proc_buf *b, struct process *p)
{
  struct proc_snapshot s;
  snapshot(p, &s);
  if (s.mm) {
    mutex_lock(&s.mm->lock);
    struct vma *v;
    char path[256];
    list_for_each_entry(v, &s.mm->vmas, link) {
      const char *name = "";
      if (v->file && v->file->path.dentry) {
        struct path root = reader_root();
        if (path_to_string(&v->file->path, &root, path, sizeof(path)) >= 0)
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
  snapshot_put(&s);
}

/* The root directory of p (referenced into *root); false for a zombie. */
bool proc_get_root(struct process *p, struct path *root)
{
  struct proc_snapshot s;
  snapshot(p, &s);
  bool ok = s.fs != NULL;
  if (ok) {
    spin_lock(&s.fs->lock);
    *root = s.fs->root;
    path_get(root);
    spin_unlock(&s.fs->lock);
  }
  snapshot_put(&s);
  return ok;
}

/* ---- kernel-wide files ---- */

static void gen_meminfo(struct proc_buf *b, struct process *p)
{
  (void)p;
  unsigned long total = nr_total_pages() * 4, free = nr_free_pages() * 4;
#define KB(use) ((unsigned long)nr_pages_used_for(use) * 4)
  pb_printf(b, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
            "Buffers:               0 kB\nCached:         %8lu kB\nSwapCached:            0 kB\n"
            "Active:                0 kB\nInactive:              0 kB\nSwapTotal:             0 kB\n"
            "SwapFree:              0 kB\nAnonPages:      %8lu kB\nShmem:          %8lu kB\n"
            "Slab:           %8lu kB\nKernelStack:    %8lu kB\nPageTables:     %8lu kB\n",
            total, free, free, KB(PU_FILE), KB(PU_ANON),
            (unsigned long)READ_ONCE(vfs_nr_shmem_pages) * 4, KB(PU_SLAB), KB(PU_KSTACK), KB(PU_PGTABLE));
  /* Kite's own: pages no line above counts (the causes of a leak) */
  pb_printf(b, "KitePipes:      %8lu kB\nKiteKernel:     %8lu kB\n", KB(PU_PIPE), KB(PU_KERNEL));
#undef KB
}

static void gen_uptime(struct proc_buf *b, struct process *p)
{
  (void)p;
  uint64_t ns = time_monotonic_ns();
  pb_printf(b, "%lu.%02lu %lu.%02lu\n", (unsigned long)(ns / NSEC_PER_SEC),
            (unsigned long)(ns % NSEC_PER_SEC / 10000000), (unsigned long)(ns / NSEC_PER_SEC),
            (unsigned long)(ns % NSEC_PER_SEC / 10000000));
}

static void gen_loadavg(struct proc_buf *b, struct process *p)
{
  (void)p;
  uint64_t l[3];
  loadavg_get(l);
  int n = 0, running = 0;
  spin_lock(&proc_lock);
  struct process *q;
  pid_t last = 0;
  list_for_each_entry(q, &all_processes, all_link) {
    n += q->nr_threads;
    last = q->pid;
  }
  spin_unlock(&proc_lock);
  running = 1;
  pb_printf(b, "%lu.%02lu %lu.%02lu %lu.%02lu %d/%d %d\n",
            (unsigned long)(l[0] >> 16), (unsigned long)((l[0] & 0xffff) * 100 >> 16),
            (unsigned long)(l[1] >> 16), (unsigned long)((l[1] & 0xffff) * 100 >> 16),
            (unsigned long)(l[2] >> 16), (unsigned long)((l[2] & 0xffff) * 100 >> 16),
            running, n, last);
}

/* One block per online hart, in Linux's riscv format. */
static void gen_cpuinfo(struct proc_buf *b, struct process *p)
{
  (void)p;
  for (int i = 0; i < ncpu; i++)
    pb_printf(b, "processor\t: %d\nhart\t\t: %lu\nisa\t\t: %s\nmmu\t\t: sv39\n\n", i,
              (unsigned long)cpus[i].hartid, boot_info.isa[0] ? boot_info.isa : "rv64imafdc");
}

static void gen_version(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "Linux version %s (Kite) %s\n", KITE_RELEASE, KITE_VERSION);
}

/*
 * The system-wide line "cpu", then one line per hart: user, nice, system,
 * idle, iowait, irq, softirq, steal, guest, guest_nice, in ticks (USER_HZ
 * = HZ = 100), counted by each hart's timer tick (kern/sched.c).
 */
static void gen_stat_global(struct proc_buf *b, struct process *p)
{
  (void)p;
  uint64_t total[CPU_NSTATS] = { 0 }, irqs = 0;
  int n = ncpu;
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < CPU_NSTATS; k++)
      total[k] += READ_ONCE(cpus[i].stat[k]);
    irqs += READ_ONCE(cpus[i].nr_irqs);
  }
  for (int i = -1; i < n; i++) {
    const uint64_t *v = i < 0 ? total : cpus[i].stat;
    if (i < 0)
      pb_printf(b, "cpu ");
    else
      pb_printf(b, "cpu%d", i);
    pb_printf(b, " %lu %lu %lu %lu %lu %lu %lu 0 0 0\n", (unsigned long)READ_ONCE(v[CPU_USER]),
              (unsigned long)READ_ONCE(v[CPU_NICE]), (unsigned long)READ_ONCE(v[CPU_SYSTEM]),
              (unsigned long)READ_ONCE(v[CPU_IDLE]), (unsigned long)READ_ONCE(v[CPU_IOWAIT]),
              (unsigned long)READ_ONCE(v[CPU_IRQ]), (unsigned long)READ_ONCE(v[CPU_SOFTIRQ]));
  }
  int running;
  uint64_t switches;
  sched_stats(&running, &switches);
  uint64_t boot = (time_realtime_ns() - time_monotonic_ns()) / NSEC_PER_SEC;
  pb_printf(b, "intr %lu\nctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %d\nprocs_blocked 0\n",
            (unsigned long)irqs, (unsigned long)switches, (unsigned long)boot, (unsigned long)READ_ONCE(total_forks),
            running);
}

/*
 * Interrupts per hart, in Linux's layout: the timer and the PLIC by
 * number, then named rows for IPIs, TLB shootdowns and task migrations.
 */
static void gen_interrupts(struct proc_buf *b, struct process *p)
{
  (void)p;
  int n = ncpu;
  pb_printf(b, "     ");
  for (int i = 0; i < n; i++)
    pb_printf(b, "       CPU%-3d", i);
  pb_printf(b, "\n");
  static const struct { const char *label, *what; size_t off; } rows[] = {
    { "  5", "RISC-V INTC   5 Edge      riscv-timer", offsetof(struct cpu, nr_timer_irqs) },
    { "  9", "RISC-V INTC   9 Edge      PLIC (devices)", offsetof(struct cpu, nr_ext_irqs) },
    { "IPI", "Inter-processor interrupts", offsetof(struct cpu, nr_ipis) },
    { "TLB", "TLB shootdowns (flushes that needed other harts)", offsetof(struct cpu, nr_tlb_remote) },
    { "TLL", "TLB flushes done on this hart only", offsetof(struct cpu, nr_tlb_local) },
    { "MIG", "Task migrations (switched in after running elsewhere)",
      offsetof(struct cpu, nr_migrations) },
    { "SPW", "Spinlock acquisitions that had to wait", offsetof(struct cpu, nr_spin_waits) },
    { "SPT", "Turns spent spinning", offsetof(struct cpu, nr_spin_loops) },
    { "SPH", "Halts waiting for a spinlock holder's kick", offsetof(struct cpu, nr_spin_halts) },
  };
  for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
    pb_printf(b, "%4s:", rows[r].label);
    for (int i = 0; i < n; i++)
      pb_printf(b, " %13lu", (unsigned long)READ_ONCE(*(uint64_t *)((char *)&cpus[i] + rows[r].off)));
    pb_printf(b, "  %s\n", rows[r].what);
  }
}

#ifdef CONFIG_LOCKDEP
/* The lock order the checker has seen (debug builds): "cycles N", then one "A -> B" per edge. */
static void gen_lockdep(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "cycles %lu\n", (unsigned long)READ_ONCE(lockdep_cycles));
  const char *from, *to;
  bool fm, tm;
  for (int i = 0; lockdep_edge(i, &from, &fm, &to, &tm); i++)
    pb_printf(b, "%s%s -> %s%s\n", fm ? "mutex " : "", from, tm ? "mutex " : "", to);
  uint64_t waits, loops;
  for (int i = 1; lockdep_class_stat(i, &from, &fm, &waits, &loops); i++)
    if (waits)
      pb_printf(b, "contended %s: %lu waits, %lu turns\n", from, (unsigned long)waits,
                (unsigned long)loops);
}
#endif

static void gen_filesystems(struct proc_buf *b, struct process *p)
{
  (void)p;
  /* Disk file systems in the order an untyped mount should probe them
   * (busybox tries each): ext4 first, then vfat. */
  pb_printf(b, "nodev\tramfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\tdevpts\n"
               "\text4\n\tvfat\n\text3\n\text2\n");
}

/* /proc/cmdline: the kernel command line. */
static void gen_kernel_cmdline(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "%s\n", boot_info.bootargs);
}

/* /proc/net/<name>: text from the network stack (net/ifconf.c), when it is built in. */
extern void net_proc_show(const char *name, void (*emit)(void *ctx, const char *s, size_t n),
                          void *ctx) __attribute__((weak));
static void pb_emit(void *ctx, const char *s, size_t n) { pb_write(ctx, s, n); }
/* /proc/partitions: every disk and partition (drivers/blk.c). */
static void gen_partitions(struct proc_buf *b, struct process *p)
{
  (void)p;
  blockdev_proc_partitions(pb_emit, b);
}

static void gen_net_dev(struct proc_buf *b, struct process *p)
{
  (void)p;
  if (net_proc_show)
    net_proc_show("dev", pb_emit, b);
}
static void gen_net_sockstat(struct proc_buf *b, struct process *p)
{
  (void)p;
  if (net_proc_show)
    net_proc_show("sockstat", pb_emit, b);
}
static void gen_net_tcp(struct proc_buf *b, struct process *p)
{
  (void)p;
  if (net_proc_show)
    net_proc_show("tcp", pb_emit, b);
}
static void gen_net_tcp6(struct proc_buf *b, struct process *p)
{
  (void)p;
  if (net_proc_show)
    net_proc_show("tcp6", pb_emit, b);
}

static void gen_hostname(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%s\n", hostname); }
static void gen_osrelease(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%s\n", KITE_RELEASE); }
static void gen_ostype(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "Linux\n"); }
static void gen_pid_max(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", pid_max); }
static int printk_levels[4] = { 4, 4, 1, 7 };
static void gen_printk(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "%d\t%d\t%d\t%d\n", printk_levels[0], printk_levels[1], printk_levels[2], printk_levels[3]);
}
/* /proc/<pid>/fdinfo/<fd>: made in proc_open, which knows the fd (fdinfo_show). */
static void gen_fdinfo(struct proc_buf *b, struct process *p) { (void)b; (void)p; }

/* /proc/sys/kernel/random: the entropy estimate RNDGETENTCNT also gives
 * (drivers' /dev/random: the pool counts as full, as Linux 5.18 and later say) */
static void gen_entropy_avail(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "256\n"); }
static void gen_poolsize(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "256\n"); }
static void gen_tainted(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "0\n"); }

/* /proc/sys/fs: integer tunables (root may write them within their range). */
static int leases_enable = 1;
static int nr_open = NR_OPEN_MAX;
static void gen_lease_break_time(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", lease_break_time); }
static void gen_leases_enable(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", leases_enable); }
static void gen_nr_open(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", nr_open); }
static void gen_pipe_max_size(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", pipe_max_size); }
static int pipe_user_pages_soft = 16384, pipe_user_pages_hard;
static void gen_pipe_soft(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", pipe_user_pages_soft); }
static void gen_pipe_hard(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", pipe_user_pages_hard); }
static void gen_inotify_instances(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", inotify_max_user_instances); }
static void gen_inotify_watches(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", inotify_max_user_watches); }
static void gen_inotify_events(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", inotify_max_queued_events); }
/* Linux's formats: files allocated, free (always 0), maximum (Linux's
 * file-max: 10% of RAM in KiB, at least NR_FILE — shown, not enforced:
 * Linux exempts root, and Kite has no system-wide file limit, only
 * RLIMIT_NOFILE); inodes and dentries in use, then fields Kite has no use
 * for. */
static void gen_file_nr(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "%lu\t0\t%lu\n", (unsigned long)READ_ONCE(vfs_nr_files), (unsigned long)MAX(nr_total_pages() * (PAGE_SIZE / 1024) / 10, 8192));
}
static void gen_inode_nr(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "%lu\t0\n", (unsigned long)READ_ONCE(vfs_nr_inodes));
}
static void gen_dentry_state(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "%lu\t0\t45\t0\t0\t0\n", (unsigned long)READ_ONCE(vfs_nr_dentries));
}
/* /proc/slabinfo in Linux's 2.1 format, one line per kmalloc size class. */
static void gen_slabinfo(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> "
               "<objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
               "slabdata <active_slabs> <num_slabs> <sharedavail>\n");
  uint32_t size;
  uint64_t inuse;
  for (int i = 0; kmalloc_class_stats(i, &size, &inuse); i++)
    pb_printf(b, "kmalloc-%-9u %6lu %6lu %6u %4u    1 : tunables    0    0    0 : slabdata      0      0      0\n",
              size, (unsigned long)inuse, (unsigned long)inuse, size, (unsigned)(PAGE_SIZE / size));
}
static const struct { proc_gen_fn gen; int *var; int min, max; } int_sysctls[] = {
  { gen_inotify_instances, &inotify_max_user_instances, 0, INT32_MAX },
  { gen_inotify_watches, &inotify_max_user_watches, 0, INT32_MAX },
  { gen_inotify_events, &inotify_max_queued_events, 0, INT32_MAX },
  { gen_lease_break_time, &lease_break_time, 0, INT32_MAX },
  { gen_leases_enable, &leases_enable, 0, 1 },
  { gen_pipe_max_size, &pipe_max_size, 4096, 1 << 30 },
  { gen_pipe_soft, &pipe_user_pages_soft, 0, INT32_MAX },
  { gen_pipe_hard, &pipe_user_pages_hard, 0, INT32_MAX },
  { gen_pid_max, &pid_max, 301, PID_MAX },
};

/* System V IPC: /proc/sysvipc/{shm,sem,msg} and the tunables in /proc/sys/kernel. */
static void gen_sysvipc_shm(struct proc_buf *b, struct process *p) { (void)p; shm_proc_show(pb_print_cb, b); }
static void gen_sysvipc_sem(struct proc_buf *b, struct process *p) { (void)p; sem_proc_show(pb_print_cb, b); }
static void gen_sysvipc_msg(struct proc_buf *b, struct process *p) { (void)p; msg_proc_show(pb_print_cb, b); }
#define IPC_SYSCTL(n)                                              \
  static void gen_ipc_##n(struct proc_buf *b, struct process *p)   \
  {                                                                \
    (void)p;                                                       \
    ipc_sysctl_show(#n, pb_print_cb, b);                           \
  }
IPC_SYSCTL(shmmax)
IPC_SYSCTL(shmall)
IPC_SYSCTL(shmmni)
IPC_SYSCTL(shm_rmid_forced)
IPC_SYSCTL(sem)
IPC_SYSCTL(msgmax)
IPC_SYSCTL(msgmnb)
IPC_SYSCTL(msgmni)
IPC_SYSCTL(shm_next_id)
IPC_SYSCTL(sem_next_id)
IPC_SYSCTL(msg_next_id)
static const struct { proc_gen_fn gen; const char *name; } ipc_sysctls[] = {
  { gen_ipc_shmmax, "shmmax" }, { gen_ipc_shmall, "shmall" }, { gen_ipc_shmmni, "shmmni" },
  { gen_ipc_shm_rmid_forced, "shm_rmid_forced" }, { gen_ipc_sem, "sem" },
  { gen_ipc_msgmax, "msgmax" }, { gen_ipc_msgmnb, "msgmnb" }, { gen_ipc_msgmni, "msgmni" },
  { gen_ipc_shm_next_id, "shm_next_id" }, { gen_ipc_sem_next_id, "sem_next_id" },
  { gen_ipc_msg_next_id, "msg_next_id" },
};

/* /proc/kite/profile: the kernel's sampling profiler (kern/profile.c). */
static void gen_profile(struct proc_buf *b, struct process *p)
{
  (void)p;
  struct profile_slot *v = kmalloc(PROFILE_SLOTS * sizeof(*v));
  if (!v)
    return;
  struct profile_totals t;
  int n = profile_snapshot(v, &t);
  pb_printf(b, "# Kite kernel profile: %s, %d timer samples/s per hart (docs/performance.md)\n",
            READ_ONCE(profile_on) ? "sampling" : "stopped", PROFILE_HZ);
  pb_printf(b, "# samples %lu kernel %lu user %lu idle %lu dropped %lu\n",
            (unsigned long)(t.kernel + t.user + t.idle + t.dropped), (unsigned long)t.kernel,
            (unsigned long)t.user, (unsigned long)t.idle, (unsigned long)t.dropped);
  pb_printf(b, "# count pc\n");
  for (int i = 0; i < n; i++)
    pb_printf(b, "%lu %016lx\n", (unsigned long)v[i].count, (unsigned long)v[i].pc);
  kfree(v);
}

struct proc_entry {
  const char *name;
  enum proc_kind kind;
  proc_gen_fn gen;
  mode_t mode;
};

static const struct proc_entry root_entries[] = {
  { "self", PK_SELF, NULL, S_IFLNK | 0777 },
  { "meminfo", PK_FILE, gen_meminfo, S_IFREG | 0444 },
  { "slabinfo", PK_FILE, gen_slabinfo, S_IFREG | 0444 },
  { "mounts", PK_FILE, gen_mounts, S_IFREG | 0444 },
  { "uptime", PK_FILE, gen_uptime, S_IFREG | 0444 },
  { "loadavg", PK_FILE, gen_loadavg, S_IFREG | 0444 },
  { "cpuinfo", PK_FILE, gen_cpuinfo, S_IFREG | 0444 },
  { "interrupts", PK_FILE, gen_interrupts, S_IFREG | 0444 },
#ifdef CONFIG_LOCKDEP
  { "lockdep", PK_FILE, gen_lockdep, S_IFREG | 0444 },
#endif
  { "version", PK_FILE, gen_version, S_IFREG | 0444 },
  { "stat", PK_FILE, gen_stat_global, S_IFREG | 0444 },
  { "filesystems", PK_FILE, gen_filesystems, S_IFREG | 0444 },
  { "partitions", PK_FILE, gen_partitions, S_IFREG | 0444 },
  { "sys", PK_SYS_DIR, NULL, S_IFDIR | 0555 },
  { "cmdline", PK_FILE, gen_kernel_cmdline, S_IFREG | 0444 },
  { "net", PK_NET_DIR, NULL, S_IFDIR | 0555 },
  { "sysvipc", PK_SYSVIPC_DIR, NULL, S_IFDIR | 0555 },
  { "kite", PK_KITE_DIR, NULL, S_IFDIR | 0555 },
};

static const struct proc_entry kite_entries[] = {
  { "profile", PK_FILE, gen_profile, S_IFREG | 0644 },
};

static const struct proc_entry sys_fs_entries[] = {
  { "lease-break-time", PK_FILE, gen_lease_break_time, S_IFREG | 0644 },
  { "leases-enable", PK_FILE, gen_leases_enable, S_IFREG | 0644 },
  { "nr_open", PK_FILE, gen_nr_open, S_IFREG | 0444 },
  { "pipe-max-size", PK_FILE, gen_pipe_max_size, S_IFREG | 0644 },
  { "pipe-user-pages-hard", PK_FILE, gen_pipe_hard, S_IFREG | 0644 },
  { "pipe-user-pages-soft", PK_FILE, gen_pipe_soft, S_IFREG | 0644 },
  { "file-nr", PK_FILE, gen_file_nr, S_IFREG | 0444 },
  { "inode-nr", PK_FILE, gen_inode_nr, S_IFREG | 0444 },
  { "dentry-state", PK_FILE, gen_dentry_state, S_IFREG | 0444 },
  { "inotify", PK_SYS_FS_INOTIFY_DIR, NULL, S_IFDIR | 0555 },
};

static const struct proc_entry sys_random_entries[] = {
  { "entropy_avail", PK_FILE, gen_entropy_avail, S_IFREG | 0444 },
  { "poolsize", PK_FILE, gen_poolsize, S_IFREG | 0444 },
};

static const struct proc_entry sys_fs_inotify_entries[] = {
  { "max_queued_events", PK_FILE, gen_inotify_events, S_IFREG | 0644 },
  { "max_user_instances", PK_FILE, gen_inotify_instances, S_IFREG | 0644 },
  { "max_user_watches", PK_FILE, gen_inotify_watches, S_IFREG | 0644 },
};

static const struct proc_entry sysvipc_entries[] = {
  { "shm", PK_FILE, gen_sysvipc_shm, S_IFREG | 0444 },
  { "sem", PK_FILE, gen_sysvipc_sem, S_IFREG | 0444 },
  { "msg", PK_FILE, gen_sysvipc_msg, S_IFREG | 0444 },
};

static const struct proc_entry net_entries[] = {
  { "dev", PK_FILE, gen_net_dev, S_IFREG | 0444 },
  { "sockstat", PK_FILE, gen_net_sockstat, S_IFREG | 0444 },
  { "tcp", PK_FILE, gen_net_tcp, S_IFREG | 0444 },
  { "tcp6", PK_FILE, gen_net_tcp6, S_IFREG | 0444 },
};

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
};

/* /proc/<pid>/task/<tid>: the thread's own comm; the rest is the process's. */
static const struct proc_entry tid_entries[] = {
  { "stat", PK_FILE, gen_stat, S_IFREG | 0444 },
  { "statm", PK_FILE, gen_statm, S_IFREG | 0444 },
  { "status", PK_FILE, gen_status, S_IFREG | 0444 },
  { "cmdline", PK_FILE, gen_cmdline, S_IFREG | 0444 },
  { "comm", PK_FILE, gen_comm, S_IFREG | 0644 },
  { "maps", PK_FILE, gen_maps, S_IFREG | 0444 },
};

static const struct proc_entry sys_entries[] = {
  { "kernel", PK_SYS_KERNEL_DIR, NULL, S_IFDIR | 0555 },
  { "fs", PK_SYS_FS_DIR, NULL, S_IFDIR | 0555 },
};

static const struct proc_entry sys_kernel_entries[] = {
  { "hostname", PK_FILE, gen_hostname, S_IFREG | 0644 },
  { "osrelease", PK_FILE, gen_osrelease, S_IFREG | 0444 },
  { "ostype", PK_FILE, gen_ostype, S_IFREG | 0444 },
  { "pid_max", PK_FILE, gen_pid_max, S_IFREG | 0644 },
  { "printk", PK_FILE, gen_printk, S_IFREG | 0644 },
  { "tainted", PK_FILE, gen_tainted, S_IFREG | 0444 },
  { "random", PK_SYS_RANDOM_DIR, NULL, S_IFDIR | 0555 },
  { "shmmax", PK_FILE, gen_ipc_shmmax, S_IFREG | 0644 },
  { "shmall", PK_FILE, gen_ipc_shmall, S_IFREG | 0644 },
  { "shmmni", PK_FILE, gen_ipc_shmmni, S_IFREG | 0644 },
  { "shm_rmid_forced", PK_FILE, gen_ipc_shm_rmid_forced, S_IFREG | 0644 },
  { "sem", PK_FILE, gen_ipc_sem, S_IFREG | 0644 },
  { "msgmax", PK_FILE, gen_ipc_msgmax, S_IFREG | 0644 },
  { "msgmnb", PK_FILE, gen_ipc_msgmnb, S_IFREG | 0644 },
  { "msgmni", PK_FILE, gen_ipc_msgmni, S_IFREG | 0644 },
  { "shm_next_id", PK_FILE, gen_ipc_shm_next_id, S_IFREG | 0644 },
  { "sem_next_id", PK_FILE, gen_ipc_sem_next_id, S_IFREG | 0644 },
  { "msg_next_id", PK_FILE, gen_ipc_msg_next_id, S_IFREG | 0644 },
};

/* ---- inodes ---- */

static void proc_set_owner(struct inode *ino, pid_t pid);

static struct inode *proc_inode(mode_t mode, enum proc_kind kind, pid_t pid, int fd, proc_gen_fn gen)
{
  struct inode *ino = inode_alloc(proc_sb, mode);
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
    bool magic = kind == PK_CWD || kind == PK_ROOTLINK || kind == PK_FD_LINK;
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
  struct task *t = p ? any_thread(p) : NULL;
  const struct cred *c = t && p->dumpable ? get_task_cred(t) : NULL;
  spin_unlock(&proc_lock);
  if (c) {
    ino->uid = c->euid;
    ino->gid = c->egid;
    put_cred(c);
  }
}

static void proc_evict(struct inode *ino)
{
  kfree(ino->priv);
}

static struct proc_info *info_of(struct inode *ino)
{
  return ino->priv;
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
      struct inode *ino = proc_inode(tab[i].mode, tab[i].kind, pid, tid, tab[i].gen);
      if (!ino)
        return -ENOMEM;
      d_instantiate(d, ino);
      d->transient = true;
      return 0;
    }
  }
  return 0;
}

/* Is tid a live thread of process pid? */
static bool thread_of(pid_t pid, pid_t tid)
{
  spin_lock(&proc_lock);
  struct task *t = find_task(tid);
  bool ok = t && t->proc && t->proc->pid == pid;
  spin_unlock(&proc_lock);
  return ok;
}

static int lookup_table(struct dentry *d, const struct proc_entry *tab, size_t n, pid_t pid)
{
  for (size_t i = 0; i < n; i++) {
    if (strcmp(d->name, tab[i].name) == 0) {
      struct inode *ino = proc_inode(tab[i].mode, tab[i].kind, pid, 0, tab[i].gen);
      if (!ino)
        return -ENOMEM;
      d_instantiate(d, ino);
      d->transient = true;
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
      struct process *p = get_process((pid_t)n);
      if (!p)
        return 0;
      process_put(p);
      struct inode *ino = proc_inode(S_IFDIR | 0555, PK_PID_DIR, (pid_t)n, 0, NULL);
      if (!ino)
        return -ENOMEM;
      d_instantiate(d, ino);
      d->transient = true;
      return 0;
    }
    return lookup_table(d, root_entries, ARRAY_SIZE(root_entries), 0);
  case PK_PID_DIR:
    return lookup_table(d, pid_entries, ARRAY_SIZE(pid_entries), di->pid);
  case PK_SYS_DIR:
    return lookup_table(d, sys_entries, ARRAY_SIZE(sys_entries), 0);
  case PK_SYS_KERNEL_DIR:
    return lookup_table(d, sys_kernel_entries, ARRAY_SIZE(sys_kernel_entries), 0);
  case PK_NET_DIR:
    return lookup_table(d, net_entries, ARRAY_SIZE(net_entries), 0);
  case PK_SYSVIPC_DIR:
    return lookup_table(d, sysvipc_entries, ARRAY_SIZE(sysvipc_entries), 0);
  case PK_KITE_DIR:
    return lookup_table(d, kite_entries, ARRAY_SIZE(kite_entries), 0);
  case PK_SYS_FS_DIR:
    return lookup_table(d, sys_fs_entries, ARRAY_SIZE(sys_fs_entries), 0);
  case PK_SYS_RANDOM_DIR:
    return lookup_table(d, sys_random_entries, ARRAY_SIZE(sys_random_entries), 0);
  case PK_SYS_FS_INOTIFY_DIR:
    return lookup_table(d, sys_fs_inotify_entries, ARRAY_SIZE(sys_fs_inotify_entries), 0);
  case PK_TASK_DIR: {
    if (!parse_num(d->name, strlen(d->name), &n) || !thread_of(di->pid, (pid_t)n))
      return 0;
    struct inode *ino = proc_inode(S_IFDIR | 0555, PK_TID_DIR, di->pid, (int)n, NULL);
    if (!ino)
      return -ENOMEM;
    d_instantiate(d, ino);
    d->transient = true;
    return 0;
  }
  case PK_TID_DIR:
    return lookup_table_tid(d, tid_entries, ARRAY_SIZE(tid_entries), di->pid, di->fd);
  case PK_FD_DIR:
  case PK_FDINFO_DIR: {
    if (!parse_num(d->name, strlen(d->name), &n))
      return 0;
    struct process *p = get_process(di->pid);
    if (!p)
      return 0;
    struct proc_snapshot s;
    snapshot(p, &s);
    bool exists = false;
    if (s.files) {
      spin_lock(&s.files->lock);
      exists = n < s.files->size && s.files->fd[n];
      spin_unlock(&s.files->lock);
    }
    snapshot_put(&s);
    process_put(p);
    if (!exists)
      return 0;
    struct inode *ino = di->kind == PK_FD_DIR ? proc_inode(S_IFLNK | 0700, PK_FD_LINK, di->pid, (int)n, NULL)
                                              : proc_inode(S_IFREG | 0400, PK_FILE, di->pid, (int)n, gen_fdinfo);
    if (!ino)
      return -ENOMEM;
    d_instantiate(d, ino);
    d->transient = true;
    return 0;
  }
  default:
    return -ENOTDIR;
  }
}

static const struct inode_ops proc_dir_iops = {
  .lookup = proc_lookup,
  .evict = proc_evict,
};

/* The name /proc/<pid>/fd/N shows for an open file (readlink). */
static int file_link_name(struct file *f, char *buf, size_t size)
{
  struct path root = reader_root();
  if (f->path.dentry && !path_is_pseudo(&f->path))
    return path_to_string(&f->path, &root, buf, size);
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

/* Where a per-process symlink points. */
static int proc_readlink(struct inode *ino, char *buf, size_t size)
{
  struct proc_info *pi = info_of(ino);
  char tmp[PATH_MAX > 512 ? 512 : PATH_MAX];
  int n = -ENOENT;
  if (pi->kind == PK_SELF) {
    n = snprintf(tmp, sizeof(tmp), "%d", current->proc->pid);
  } else {
    struct process *p = get_process(pi->pid);
    if (!p)
      return -ENOENT;
    struct proc_snapshot s;
    snapshot(p, &s);
    struct path root = reader_root();
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
    snapshot_put(&s);
    process_put(p);
  }
  if (n < 0)
    return n;
  n = MIN((size_t)n, size);
  memcpy(buf, tmp, n);
  return n;
}

/*
 * Following cwd, root or fd/N is a jump to the object itself (a magic
 * link): a removed file or directory is still reached, and a pipe, which
 * has no name, is reached on the pseudo mount and reopens as a FIFO
 * (bash's <(...) opens /dev/fd/63 this way).
 */
static int proc_get_link(struct inode *ino, struct path *out)
{
  struct proc_info *pi = info_of(ino);
  struct process *p = get_process(pi->pid);
  if (!p)
    return -ENOENT;
  struct proc_snapshot s;
  snapshot(p, &s);
  int r = -ENOENT;
  if ((pi->kind == PK_CWD || pi->kind == PK_ROOTLINK) && s.fs) {
    spin_lock(&s.fs->lock);
    *out = pi->kind == PK_CWD ? s.fs->cwd : s.fs->root;
    path_get(out);
    spin_unlock(&s.fs->lock);
    r = 0;
  } else if (pi->kind == PK_FD_LINK) {
    struct file *f = snapshot_file(&s, pi->fd);
    if (f && f->path.dentry) {
      *out = f->path;
      path_get(out);
      r = 0;
    } else if (f && f->inode) {
      char name[48];
      file_link_name(f, name, sizeof(name));
      r = vfs_pseudo_path(f->inode, name, out);
    } else if (f) {
      r = -ENXIO;
    }
    if (f)
      fput(f);
  }
  snapshot_put(&s);
  process_put(p);
  return r;
}

static const struct inode_ops proc_link_iops = {
  .readlink = proc_readlink,
  .evict = proc_evict,
};

static const struct inode_ops proc_magic_link_iops = {
  .readlink = proc_readlink,
  .get_link = proc_get_link,
  .evict = proc_evict,
};

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
    if (!emit_table(ctx, root_entries, ARRAY_SIZE(root_entries), 2, 0))
      return 0;
    /* then one directory per process, positions 1000 + pid */
    pid_t pids[256];
    int n = 0;
    if (ctx->pos - 1000 >= PID_MAX)
      return 0;
    pid_t after = ctx->pos >= 1000 ? (pid_t)(ctx->pos - 1000) : 0;
    spin_lock(&proc_lock);
    struct process *p;
    list_for_each_entry(p, &all_processes, all_link)
      if (p->pid > after && n < 256)
        pids[n++] = p->pid;
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
    emit_table(ctx, pid_entries, ARRAY_SIZE(pid_entries), 2, pi->pid);
    return 0;
  case PK_SYS_DIR:
    emit_table(ctx, sys_entries, ARRAY_SIZE(sys_entries), 2, 0);
    return 0;
  case PK_SYS_KERNEL_DIR:
    emit_table(ctx, sys_kernel_entries, ARRAY_SIZE(sys_kernel_entries), 2, 0);
    return 0;
  case PK_NET_DIR:
    emit_table(ctx, net_entries, ARRAY_SIZE(net_entries), 2, 0);
    return 0;
  case PK_SYS_FS_DIR:
    emit_table(ctx, sys_fs_entries, ARRAY_SIZE(sys_fs_entries), 2, 0);
    return 0;
  case PK_SYS_RANDOM_DIR:
    emit_table(ctx, sys_random_entries, ARRAY_SIZE(sys_random_entries), 2, 0);
    return 0;
  case PK_SYS_FS_INOTIFY_DIR:
    emit_table(ctx, sys_fs_inotify_entries, ARRAY_SIZE(sys_fs_inotify_entries), 2, 0);
    return 0;
  case PK_TID_DIR:
    emit_table(ctx, tid_entries, ARRAY_SIZE(tid_entries), 2, pi->pid);
    return 0;
  case PK_TASK_DIR: {
    /* one directory per thread, positions 2 + i in tid order */
    pid_t tids[256];
    int n = 0;
    spin_lock(&proc_lock);
    struct process *p = find_process(pi->pid);
    if (p) {
      struct task *t;
      list_for_each_entry(t, &p->threads, thread_link)
        if (n < 256)
          tids[n++] = t->tid;
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
    emit_table(ctx, sysvipc_entries, ARRAY_SIZE(sysvipc_entries), 2, 0);
    return 0;
  case PK_KITE_DIR:
    emit_table(ctx, kite_entries, ARRAY_SIZE(kite_entries), 2, 0);
    return 0;
  case PK_FD_DIR:
  case PK_FDINFO_DIR: {
    struct process *p = get_process(pi->pid);
    if (!p)
      return 0;
    struct proc_snapshot s;
    snapshot(p, &s);
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
    snapshot_put(&s);
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

/* /proc/<pid>/fdinfo/<fd>: the offset, the open flags (O_CLOEXEC if the
 * descriptor has it), the mount id and inode number, then what the kind of
 * file adds (inotify's watches). -ENOENT once the descriptor is closed. */
static int fdinfo_show(struct proc_buf *b, struct process *p, int fd)
{
  struct proc_snapshot s;
  snapshot(p, &s);
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
  snapshot_put(&s);
  if (!f)
    return -ENOENT;
  pb_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n", (long long)f->pos,
            (unsigned)(f->flags | (cloexec ? O_CLOEXEC : 0)), f->path.mnt ? f->path.mnt->id : 0,
            f->inode ? (unsigned long)f->inode->ino : 0UL);
  inotify_show_fdinfo(f, pb_print_cb, b);
  fput(f);
  return 0;
}

static int proc_file_open(struct inode *ino, struct file *f)
{
  struct proc_info *pi = info_of(ino);
  struct proc_buf *b = kzalloc(sizeof(*b));
  if (!b)
    return -ENOMEM;
  struct process *p = NULL;
  if (pi->pid) {
    p = get_process(pi->pid);
    if (!p) {
      kfree(b);
      return -ESRCH;
    }
  }
  if (pi->gen == gen_comm && pi->fd > 0 && pi->kind == PK_FILE) {
    spin_lock(&proc_lock);
    struct task *t = find_task(pi->fd);
    char comm[TASK_COMM_LEN] = "";
    if (t)
      memcpy(comm, t->comm, sizeof(comm));
    spin_unlock(&proc_lock);
    pb_printf(b, "%s\n", comm);
  } else if (pi->gen == gen_fdinfo) {
    int r = fdinfo_show(b, p, pi->fd);
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

/* Writes to /proc/sys/kernel/hostname and /proc/<pid>/comm. */
static ssize_t proc_file_write(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct proc_info *pi = info_of(f->inode);
  char buf[65];
  size_t n = MIN(u->resid, sizeof(buf) - 1);
  long c = uio_copy_from(u, buf, n);
  if (c < 0)
    return c;
  buf[c] = 0;
  if (c && buf[c - 1] == '\n')
    buf[c - 1] = 0;
  if (pi->gen == gen_printk) {
    /* console_loglevel default_message_loglevel minimum_console_loglevel default_console_loglevel */
    char *q = buf;
    for (int i = 0; i < 4 && *q; i++) {
      char *end;
      long v = strtol(q, &end, 10);
      if (end == q)
        return -EINVAL;
      printk_levels[i] = (int)v;
      q = end;
      while (*q == ' ' || *q == '\t')
        q++;
    }
    return c;
  }
  for (size_t i = 0; i < ARRAY_SIZE(int_sysctls); i++)
    if (pi->gen == int_sysctls[i].gen) {
      char *end;
      long v = strtol(buf, &end, 10);
      if (end == buf || *end || v < int_sysctls[i].min || v > int_sysctls[i].max)
        return -EINVAL;
      *int_sysctls[i].var = (int)v;
      return c;
    }
  if (pi->gen == gen_profile) { /* 1: clear and start, 0: stop */
    if (!capable(CAP_SYS_ADMIN))
      return -EPERM;
    if (strcmp(buf, "1") && strcmp(buf, "0"))
      return -EINVAL;
    profile_control(buf[0] == '1');
    return c;
  }
  for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
    if (pi->gen == ipc_sysctls[i].gen) {
      int r = ipc_sysctl_store(ipc_sysctls[i].name, buf);
      return r ? r : c;
    }
  if (pi->gen == gen_hostname) {
    if (!capable(CAP_SYS_ADMIN))
      return -EPERM;
    strlcpy(hostname, buf, sizeof(hostname));
  } else if (pi->gen == gen_comm && pi->pid == current->proc->pid) {
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

static int proc_mount(const struct fs_type *type, const char *source, uint32_t flags,
                      const char *data, struct super_block **sbp)
{
  (void)source;
  (void)flags;
  (void)data;
  if (!proc_sb) {
    proc_sb = sb_alloc(type);
    if (!proc_sb)
      return -ENOMEM;
    proc_sb->magic = PROC_SUPER_MAGIC;
    struct inode *root = proc_inode(S_IFDIR | 0555, PK_ROOT, 0, 0, NULL);
    struct dentry *d = root ? dentry_alloc(NULL, "/", 1) : NULL;
    if (!d)
      return -ENOMEM;
    d->sb = proc_sb;
    d_instantiate(d, root);
    proc_sb->root = d;
  }
  *sbp = proc_sb;
  return 0;
}

static const struct fs_type proc_type = { .name = "proc", .mount = proc_mount };

void procfs_init(void)
{
  register_fs(&proc_type);
}
