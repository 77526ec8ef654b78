/*
 * proc_kernel.c — the kernel-wide files of /proc: /proc/{meminfo, uptime,
 * loadavg, cpuinfo, version, stat, interrupts, filesystems, partitions,
 * slabinfo, cmdline}, /proc/net, /proc/sysvipc, the tunables of
 * /proc/sys (kernel, kernel/random, fs, fs/inotify) and Kite's own
 * /proc/kite/profile, with the tables that name them and the writes the
 * tunables take.
 *
 * Layer: fs (part of procfs; fs/proc_internal.h draws the pieces).
 * fs/procfs.c looks names up in the tables here and calls the generators
 * on open (and proc_sysctl_write on a write). The generators read other
 * subsystems' counters, or pass pb_print_cb / pb_emit to their show
 * functions (ipc/, net/, the block devices, credentials). Neighbours:
 * fs/proc_pid.c (per-process files), fs/proc_mounts.c.
 *
 * Locks: none of its own. An integer tunable is a plain int read and
 * written whole (as Linux's proc_dointvec); a show callback takes its
 * subsystem's lock.
 */
#include "fs/proc_internal.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "kern/lockdep.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "ipc/ipc.h"
#include "fs/locks.h"
#include "fs/inotify.h"
#include "fs/mqueue.h"
#include "kern/pipe.h"
#include "kern/mm.h"
#include "kern/sysinfo.h"
#include "kern/devtree.h"
#include "kern/profile.h"
#include "drivers/blk.h"
#include <string.h>
#include <stdlib.h>

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

static void gen_hostname(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%s\n", uts_hostname()); }
static void gen_domainname(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%s\n", uts_domainname()); }
static void gen_osrelease(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%s\n", KITE_RELEASE); }
static void gen_ostype(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "Linux\n"); }
static void gen_pid_max(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", pid_max); }
/* Linux's ns_last_pid: the last id given out in the caller's PID
 * namespace (there is one); writing it (CAP_CHECKPOINT_RESTORE or
 * CAP_SYS_ADMIN, 0 .. pid_max) makes the next fork try the id after it. */
static void gen_ns_last_pid(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", pid_last()); }
static int printk_levels[4] = { 4, 4, 1, 7 };
static void gen_printk(struct proc_buf *b, struct process *p)
{
  (void)p;
  pb_printf(b, "%d\t%d\t%d\t%d\n", printk_levels[0], printk_levels[1], printk_levels[2], printk_levels[3]);
}

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
static void gen_mq_queues_max(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", mq_queues_max); }
static void gen_mq_msg_max(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", mq_msg_max); }
static void gen_mq_msgsize_max(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", mq_msgsize_max); }
static void gen_mq_msg_default(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", mq_msg_default); }
static void gen_mq_msgsize_default(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", mq_msgsize_default); }
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
/* /proc/sys/user/max_*: the limits of the reader's user namespace (kern/
 * ucount.c), Linux's per-namespace sysctl set; the inotify ones of the
 * initial namespace are /proc/sys/fs/inotify's (fs/inotify.h). */
#define UCOUNT_SYSCTL(name, type)                                                  \
  static void gen_max_##name(struct proc_buf *b, struct process *p)                \
  {                                                                                \
    (void)p;                                                                       \
    pb_printf(b, "%d\n", READ_ONCE(current_user_ns()->ucount_max[type]));          \
  }
UCOUNT_SYSCTL(user_ns, UCOUNT_USER_NAMESPACES)
UCOUNT_SYSCTL(pid_ns, UCOUNT_PID_NAMESPACES)
UCOUNT_SYSCTL(uts_ns, UCOUNT_UTS_NAMESPACES)
UCOUNT_SYSCTL(ipc_ns, UCOUNT_IPC_NAMESPACES)
UCOUNT_SYSCTL(net_ns, UCOUNT_NET_NAMESPACES)
UCOUNT_SYSCTL(mnt_ns, UCOUNT_MNT_NAMESPACES)
UCOUNT_SYSCTL(cgroup_ns, UCOUNT_CGROUP_NAMESPACES)
UCOUNT_SYSCTL(time_ns, UCOUNT_TIME_NAMESPACES)
UCOUNT_SYSCTL(inotify_instances, UCOUNT_INOTIFY_INSTANCES)
UCOUNT_SYSCTL(inotify_watches, UCOUNT_INOTIFY_WATCHES)
static const proc_gen_fn ucount_gens[UCOUNT_COUNTS] = {
  [UCOUNT_USER_NAMESPACES] = gen_max_user_ns, [UCOUNT_PID_NAMESPACES] = gen_max_pid_ns,
  [UCOUNT_UTS_NAMESPACES] = gen_max_uts_ns, [UCOUNT_IPC_NAMESPACES] = gen_max_ipc_ns,
  [UCOUNT_NET_NAMESPACES] = gen_max_net_ns, [UCOUNT_MNT_NAMESPACES] = gen_max_mnt_ns,
  [UCOUNT_CGROUP_NAMESPACES] = gen_max_cgroup_ns, [UCOUNT_TIME_NAMESPACES] = gen_max_time_ns,
  [UCOUNT_INOTIFY_INSTANCES] = gen_max_inotify_instances,
  [UCOUNT_INOTIFY_WATCHES] = gen_max_inotify_watches,
};

/* Which limit a /proc/sys/user file shows, or -1 for any other file. */
static int ucount_type_of(proc_gen_fn gen)
{
  for (int i = 0; i < UCOUNT_COUNTS; i++)
    if (ucount_gens[i] == gen)
      return i;
  return -1;
}

/* Linux's set_permissions for the per-namespace set: read and write for
 * whoever has CAP_SYS_RESOURCE in the reader's user namespace (its root),
 * read only for the others, whatever the file's owner. */
static int proc_ucount_permission(struct inode *ino, int mask)
{
  (void)ino;
  int mode = ns_capable(current_user_ns(), CAP_SYS_RESOURCE) ? 6 : 4;
  return (mask & ~mode & 7) ? -EACCES : 0;
}

static const struct inode_ops proc_ucount_iops = {
  .permission = proc_ucount_permission,
  .evict = proc_evict,
};

bool proc_sysctl_per_userns(proc_gen_fn gen)
{
  return ucount_type_of(gen) >= 0;
}

const struct inode_ops *proc_sysctl_iops(proc_gen_fn gen)
{
  return ucount_type_of(gen) >= 0 ? &proc_ucount_iops : NULL;
}

/* /proc/sys/kernel/overflow{uid,gid}, cap_last_cap */
static void gen_overflowid(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", OVERFLOW_UID); }
static void gen_cap_last_cap(struct proc_buf *b, struct process *p) { (void)p; pb_printf(b, "%d\n", CAP_LAST_CAP); }

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
  /* Linux's ranges: queues_max any, the message limits 1..HARD_MSGMAX and
   * 128..HARD_MSGSIZEMAX */
  { gen_mq_queues_max, &mq_queues_max, 0, INT32_MAX },
  { gen_mq_msg_max, &mq_msg_max, 1, MQ_HARD_MSGMAX },
  { gen_mq_msgsize_max, &mq_msgsize_max, 128, MQ_HARD_MSGSIZEMAX },
  { gen_mq_msg_default, &mq_msg_default, 1, MQ_HARD_MSGMAX },
  { gen_mq_msgsize_default, &mq_msgsize_default, 128, MQ_HARD_MSGSIZEMAX },
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

/* ---- the kernel-wide directories ---- */

static const struct proc_entry root_entries[] = {
  { "self", PK_SELF, NULL, S_IFLNK | 0777 },
  { "thread-self", PK_THREAD_SELF, NULL, S_IFLNK | 0777 },
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
  { "mqueue", PK_SYS_FS_MQUEUE_DIR, NULL, S_IFDIR | 0555 },
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

static const struct proc_entry sys_fs_mqueue_entries[] = {
  { "msg_default", PK_FILE, gen_mq_msg_default, S_IFREG | 0644 },
  { "msg_max", PK_FILE, gen_mq_msg_max, S_IFREG | 0644 },
  { "msgsize_default", PK_FILE, gen_mq_msgsize_default, S_IFREG | 0644 },
  { "msgsize_max", PK_FILE, gen_mq_msgsize_max, S_IFREG | 0644 },
  { "queues_max", PK_FILE, gen_mq_queues_max, S_IFREG | 0644 },
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

const struct proc_table proc_root_table = PROC_TABLE(root_entries);
const struct proc_table proc_sys_fs_table = PROC_TABLE(sys_fs_entries);
const struct proc_table proc_sys_random_table = PROC_TABLE(sys_random_entries);
const struct proc_table proc_sys_fs_inotify_table = PROC_TABLE(sys_fs_inotify_entries);
const struct proc_table proc_sys_fs_mqueue_table = PROC_TABLE(sys_fs_mqueue_entries);
const struct proc_table proc_sysvipc_table = PROC_TABLE(sysvipc_entries);
const struct proc_table proc_net_table = PROC_TABLE(net_entries);

static const struct proc_entry kite_entries[] = {
  { "profile", PK_FILE, gen_profile, S_IFREG | 0644 },
};
const struct proc_table proc_kite_table = PROC_TABLE(kite_entries);

static const struct proc_entry sys_entries[] = {
  { "kernel", PK_SYS_KERNEL_DIR, NULL, S_IFDIR | 0555 },
  { "fs", PK_SYS_FS_DIR, NULL, S_IFDIR | 0555 },
  { "user", PK_SYS_USER_DIR, NULL, S_IFDIR | 0555 },
};

static const struct proc_entry sys_user_entries[] = {
  { "max_cgroup_namespaces", PK_FILE, gen_max_cgroup_ns, S_IFREG | 0644 },
  { "max_inotify_instances", PK_FILE, gen_max_inotify_instances, S_IFREG | 0644 },
  { "max_inotify_watches", PK_FILE, gen_max_inotify_watches, S_IFREG | 0644 },
  { "max_ipc_namespaces", PK_FILE, gen_max_ipc_ns, S_IFREG | 0644 },
  { "max_mnt_namespaces", PK_FILE, gen_max_mnt_ns, S_IFREG | 0644 },
  { "max_net_namespaces", PK_FILE, gen_max_net_ns, S_IFREG | 0644 },
  { "max_pid_namespaces", PK_FILE, gen_max_pid_ns, S_IFREG | 0644 },
  { "max_time_namespaces", PK_FILE, gen_max_time_ns, S_IFREG | 0644 },
  { "max_user_namespaces", PK_FILE, gen_max_user_ns, S_IFREG | 0644 },
  { "max_uts_namespaces", PK_FILE, gen_max_uts_ns, S_IFREG | 0644 },
};
const struct proc_table proc_sys_user_table = PROC_TABLE(sys_user_entries);

static const struct proc_entry sys_kernel_entries[] = {
  { "domainname", PK_FILE, gen_domainname, S_IFREG | 0644 },
  { "hostname", PK_FILE, gen_hostname, S_IFREG | 0644 },
  { "ns_last_pid", PK_FILE, gen_ns_last_pid, S_IFREG | 0666 },
  { "overflowgid", PK_FILE, gen_overflowid, S_IFREG | 0444 },
  { "overflowuid", PK_FILE, gen_overflowid, S_IFREG | 0444 },
  { "cap_last_cap", PK_FILE, gen_cap_last_cap, S_IFREG | 0444 },
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

const struct proc_table proc_sys_table = PROC_TABLE(sys_entries);
const struct proc_table proc_sys_kernel_table = PROC_TABLE(sys_kernel_entries);

/* ---- writing the tunables ---- */

/*
 * A write of buf (a line, its newline removed) to the /proc/sys file
 * whose generator is gen: the printk levels, an integer tunable within
 * its range (EINVAL outside it), a System V IPC limit, or the host name
 * (CAP_SYS_ADMIN, else EPERM). *handled is false for any other file.
 * Returns 0 or -errno.
 */
int proc_sysctl_write(proc_gen_fn gen, char *buf, const struct cred *opener, bool *handled)
{
  *handled = true;
  if (gen == gen_printk) {
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
    return 0;
  }
  int type = ucount_type_of(gen);
  if (type >= 0 && opener) { /* the opener's namespace's (it passed proc_ucount_permission) */
    char *end;
    long v = strtol(buf, &end, 10);
    if (end == buf || *end || v < 0 || v > INT32_MAX)
      return -EINVAL;
    WRITE_ONCE(opener->user_ns->ucount_max[type], (int)v);
    return 0;
  }
  for (size_t i = 0; i < ARRAY_SIZE(int_sysctls); i++)
    if (gen == int_sysctls[i].gen) {
      char *end;
      long v = strtol(buf, &end, 10);
      if (end == buf || *end || v < int_sysctls[i].min || v > int_sysctls[i].max)
        return -EINVAL;
      *int_sysctls[i].var = (int)v;
      return 0;
    }
  if (gen == gen_ns_last_pid) {
    if (!capable(CAP_CHECKPOINT_RESTORE) && !capable(CAP_SYS_ADMIN))
      return -EPERM;
    char *end;
    long v = strtol(buf, &end, 10);
    if (end == buf || *end || v < 0 || v > READ_ONCE(pid_max))
      return -EINVAL;
    pid_set_last((pid_t)v);
    return 0;
  }
  if (gen == gen_profile) { /* 1: clear and start, 0: stop */
    if (!capable(CAP_SYS_ADMIN))
      return -EPERM;
    if (strcmp(buf, "1") && strcmp(buf, "0"))
      return -EINVAL;
    profile_control(buf[0] == '1');
    return 0;
  }
  for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
    if (gen == ipc_sysctls[i].gen)
      return ipc_sysctl_store(ipc_sysctls[i].name, buf);
  if (gen == gen_hostname || gen == gen_domainname) {
    if (!uts_capable())
      return -EPERM;
    if (gen == gen_hostname)
      strlcpy(uts_hostname(), buf, 65);
    else
      strlcpy(uts_domainname(), buf, 65);
    return 0;
  }
  *handled = false;
  return 0;
}
