/*
 * main.c — kmain(): bring the kernel up, one subsystem at a time, then
 * start the first user program.
 *
 * Layer: entry (rank 6): it may name every layer, since bringing them up
 * in order is its job; nothing calls into it but arch/riscv/entry.S. Each
 * init call says in a comment what it sets up. Locks: none while booting
 * (one hart); secondary harts join at smp_boot_secondaries, after which
 * init runs in a kernel thread.
 */
#include "kern/types.h"
#include "kern/printk.h"
#include "kern/devtree.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/tlb.h"
#include "kern/task.h"
#include "ipc/ipc.h"
#include "kern/cpu.h"
#include "kern/exec.h"
#include "kern/epoll.h"
#include "kern/futex.h"
#include "kern/posix_timers.h"
#include "kern/timerfd.h"
#include "kern/lockdep.h"
#include "kern/sysinfo.h"
#include "kern/reboot.h"
#include "kern/pidfd.h"
#include "kern/param.h"
#include "fs/fs_abi.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/mqueue.h"
#include "fs/ramfs.h"
#include "fs/devfs.h"
#include "fs/fsops.h"
#include "fs/fdtable.h"
#include "fs/locks.h"
#include "fs/procfs.h"
#include "fs/sysfs.h"
#include "fs/devpts.h"
#include "drivers/uart.h"
#include "drivers/irq.h"
#include "drivers/rtc.h"
#include "drivers/virtio.h"
#include "drivers/blk.h"
#include "fs/bcache.h"
#include "drivers/tty.h"
#include "kern/nsproxy.h"
#include "kern/pid_namespace.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/trap.h"
#include <string.h>

extern char _kernel_start[], _kernel_end[], _initramfs_start[], _initramfs_end[];

/* Subsystems that may be left out of the build (Makefile: WITH_NET, WITH_FAT). */
extern void net_init(void) __attribute__((weak));
extern void fat_init(void) __attribute__((weak));
extern void ext4_init(void) __attribute__((weak));

static struct fs_context *boot_fs;
static uint64_t entry_ticks;     /* rdtime when the kernel was entered (entry.S) */

static char init_path[256] = "/init";

/*
 * Arguments and environment for init, from the command line, as Linux does
 * it: words without '=' (and everything after "--") become init's
 * arguments; unknown name=value words become its environment.
 */
#define INIT_MAX_ARGS 16
static char cmdline_copy[CMDLINE_MAX];
static const char *init_argv[INIT_MAX_ARGS + 2] = { init_path };
static const char *init_envp[INIT_MAX_ARGS + 4] = {
  "HOME=/", "TERM=linux", "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
};

static bool kernel_option(const char *w)
{
  static const char *const known[] = { "init=", "loglevel=", "quiet", "console=", "rdinit=", "root=",
                                       "maxcpus=", "nosmp", "lockdep_selftest" };
  for (size_t i = 0; i < ARRAY_SIZE(known); i++)
    if (strncmp(w, known[i], strlen(known[i])) == 0)
      return true;
  return false;
}

static void parse_cmdline(const char *cmdline)
{
  printk_parse_cmdline(cmdline);
  strlcpy(cmdline_copy, cmdline, sizeof(cmdline_copy));
  int argc = 1, envc = 3;
  bool after_dashes = false;
  for (char *w = cmdline_copy; *w;) {
    while (*w == ' ')
      w++;
    if (!*w)
      break;
    char *end = w;
    while (*end && *end != ' ')
      end++;
    if (*end)
      *end++ = 0;
    if (!after_dashes && strcmp(w, "--") == 0) {
      after_dashes = true;
    } else if (!after_dashes && strncmp(w, "init=", 5) == 0) {
      strlcpy(init_path, w + 5, sizeof(init_path));
    } else if (after_dashes || !strchr(w, '=')) {
      if (!kernel_option(w) && argc < INIT_MAX_ARGS)
        init_argv[argc++] = w;
    } else if (!kernel_option(w) && envc < INIT_MAX_ARGS + 3) {
      init_envp[envc++] = w;
    }
    w = end;
  }
}

/* Mount a file system at path (creating the directory). */
static void mount_at_flags(const char *fstype, const char *source, const char *path,
                           uint32_t flags, const char *data)
{
  do_mkdirat(AT_FDCWD, path, 0755);
  struct path p;
  if (path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &p) == 0) {
    int r = do_mount(source, &p, fstype, flags, data);
    if (r)
      pr_err("mount %s on %s: error %d", fstype, path, r);
    path_put(&p);
  }
}

static void mount_at(const char *fstype, const char *source, const char *path)
{
  mount_at_flags(fstype, source, path, 0, NULL);
}

/* At power-off the file systems write back and shut down first (kern/reboot.c). */
static struct power_off_hook fs_power_off = { .fn = vfs_shutdown };

static void fs_init(void)
{
  vfs_init();         /* the pseudo mount of nameless files */
  epoll_init();       /* a watched file's last fput drops its epoll items */
  power_off_hook_register(&fs_power_off); /* write back and unmount before power-off */
  mqueue_init();      /* POSIX message queues and their file system */
  ramfs_init();
  sysfs_init();       /* /sys/block/<dev>/stat (on a ramfs superblock) */
  procfs_init();
  devpts_init();
  if (fat_init)       /* vfat (fs/fat/), built only with WITH_FAT=1 for now */
    fat_init();
  if (ext4_init)      /* ext4, ext3, ext2 (fs/ext4/), built with WITH_EXT4=1 */
    ext4_init();
  if (mount_root("ramfs"))
    panic("cannot mount the root file system");
  struct mount *root = root_mount();
  mnt_ns_init(root);  /* the initial mount namespace: the tree under that root */
  boot_fs = fs_context_alloc();
  boot_fs->root.mnt = boot_fs->cwd.mnt = root;
  boot_fs->root.dentry = boot_fs->cwd.dentry = root->root;
  path_get(&boot_fs->root);
  path_get(&boot_fs->cwd);
  boot_fs->umask = 0;
  init_task.fs = boot_fs;

  size_t len = _initramfs_end - _initramfs_start;
  if (len) /* in place: its file data becomes the files' pages (docs/boot.md) */
    initramfs_unpack(_initramfs_start, len, true);
  /* A second archive from the boot loader (QEMU -initrd), on top, as Linux
   * unpacks its built-in one and then the initrd; its memory is freed. */
  if (boot_info.initrd_end > boot_info.initrd_start) {
    initramfs_unpack(pa_to_kva(boot_info.initrd_start), boot_info.initrd_end - boot_info.initrd_start,
                     false);
    page_alloc_release_reserved(boot_info.initrd_start, boot_info.initrd_end);
  }
  mount_at("devtmpfs", "devtmpfs", "/dev");
  devfs_populate("/dev");
  mount_at("devpts", "devpts", "/dev/pts");
  mount_at("proc", "proc", "/proc");
  mount_at("sysfs", "sysfs", "/sys");
  mount_at("tmpfs", "tmpfs", "/tmp");
  /* What a Linux system's init adds to /dev (Kite's init may be any
   * program, so the kernel does it): shared memory for shm_open and
   * sem_open, and the /dev/fd, stdin, stdout, stderr links. */
  mount_at_flags("tmpfs", "tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV, "mode=1777");
  mount_at_flags("mqueue", "mqueue", "/dev/mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  devfs_add_links("/dev");
  boot_fs->umask = 022;
}

/*
 * What a process holds from the layers above the core: each owner
 * registers its struct proc_resource with kern/process.c, so clone and
 * exit reach them without naming them. The slot each takes fixes the
 * order (kern/proc_resource.h says why); SEM_UNDO's is taken by ipc_init.
 */
static void proc_resources_init(void)
{
  nsproxy_init();     /* namespaces */
  files_init();       /* descriptor table */
  fs_context_init();  /* root, cwd, umask */
  pidfd_init();       /* CLONE_PIDFD */
  ctty_init();        /* controlling terminal */
  locks_init();       /* POSIX record locks */
}

/*
 * The first user process (pid 1): open the console as descriptors 0, 1
 * and 2, then exec init. Runs as a kernel thread until the exec succeeds.
 */
static void init_thread(void *arg)
{
  (void)arg;
  struct task *t = current;
  t->is_kernel_thread = false;
  t->files = files_alloc();
  t->fs = fs_context_copy(boot_fs);
  t->sighand = sighand_alloc();
  nsproxy_init_task(t);
  if (!t->files || !t->fs || !t->sighand)
    panic("init: out of memory");
  /* Disks were found at boot; reading their partition tables sleeps, so it
   * happens here, in the first process, before anything can open them. */
  blockdev_scan_partitions();                        /* vda1, vda2, ... */
  devfs_add_block_nodes();                           /* /dev/vda, /dev/vda1, /dev/vdb, ... */
  sysfs_add_block_devices();                         /* /sys/block/vda/stat, ... */
  struct file *con;
  if (kernel_open("/dev/console", O_RDWR, 0, &con) == 0) {
    fd_install(con, 0, false);
    fget(con);
    fd_install(con, 1, false);
    fget(con);
    fd_install(con, 2, false);
  }
  int r = kernel_execve(init_path, init_argv, init_envp);
  if (r) {
    pr_err("cannot run init %s: error %d", init_path, r);
    kernel_power_off(W_EXITCODE(1, 0));
  }
  /* Guest time from the timer's zero (on QEMU, the machine's reset): what
   * came before the kernel (the firmware) and the kernel's own part. */
  uint64_t entry_us = ticks_to_ns(entry_ticks) / 1000, now_us = ticks_to_ns(rdtime()) / 1000;
  pr_notice("boot: first user instruction at %lu.%06lu s after reset (kernel entered at %lu.%06lu s), "
          "free %lu KiB of %lu KiB",
          (unsigned long)(now_us / 1000000), (unsigned long)(now_us % 1000000),
          (unsigned long)(entry_us / 1000000), (unsigned long)(entry_us % 1000000),
          (unsigned long)(nr_free_pages() * 4), (unsigned long)(nr_total_pages() * 4));
  printk_user_started();
  prepare_return_to_user(t->tf);
  ret_to_user(t->tf);
}

static pid_t init_pid; /* reserved first thing, so init is pid 1 */

static void start_init(void)
{
  struct process *p = process_alloc();
  struct task *t = kthread_alloc_tid("init", init_thread, NULL, init_pid);
  if (!p || !t)
    panic("cannot create init");
  /* t is not queued yet: the other harts are up, and one of them would run
   * it at once, still in the kernel process (a race seen at -smp 4). */
  spin_lock(&proc_lock);
  p->pid = p->pgid = p->sid = t->tid;
  p->pid_ns = &init_pid_ns;
  p->leader = t;
  p->nr_threads = 1;
  p->refcount++; /* the task's reference */
  list_add_tail(&t->thread_link, &p->threads);
  list_add_tail(&p->all_link, &all_processes);
  pid_attach_process(p->pid, p);
  pid_attach(t->tid, t);
  spin_unlock(&proc_lock);
  t->proc = p;
  p->unkillable = true; /* no signal without a handler may end init */
  init_process = p;
  if (p->pid != 1)
    panic("init got pid %d", p->pid);
  sched_add_new(t);
}

/*
 * A secondary hart's first C code (arch/riscv/entry.S: secondary_entry;
 * kern/smp.c started it): tp is its idle task, the MMU is on. It sets up
 * what the boot hart set up in kmain for itself, then idles.
 */
void secondary_main(uint64_t hartid)
{
  if (!smp_hart_may_join(hartid)) {
    for (;;)
      wfi(); /* interrupts are off (sie = 0) */
  }
  trap_init_hart();                             /* stvec, FP, soft + external interrupts */
  plic_init_hart(mycpu()->plic_context, false); /* device interrupts stay on the boot hart */
  timer_hart_init();                            /* this hart's scheduler tick */
  smp_hart_online();
  idle_loop();
}

/*
 * The boot hart's first C code (arch/riscv/entry.S). secondary_entry is
 * where the other harts start (in entry.S too, handed over so that no C
 * file names an assembly label of the layer that calls it); entry is the
 * time (rdtime) at which the kernel was entered.
 */
void kmain(uint64_t hartid, paddr_t dtb_pa, void (*secondary_entry)(void), uint64_t entry)
{
  entry_ticks = entry;
  sched_init();
  kernel_process.pid = 0;
  kernel_process.pid_ns = &init_pid_ns;
  list_init(&kernel_process.threads);
  list_init(&kernel_process.children);
  rlimits_default(kernel_process.rlim);
  init_task.proc = &kernel_process;
  init_task.is_kernel_thread = true;

  if (devtree_parse(dtb_pa, hartid))
    panic("no valid device tree at %#lx", (unsigned long)dtb_pa);
  if (boot_info.uart_base)  /* kernel messages on the UART from here: no SBI call per character */
    uart_early_init(boot_info.uart_base, boot_info.uart_reg_shift);
  sifive_test_base = boot_info.test_base;
  cpus[0].hartid = hartid;
  cpus[0].plic_context = boot_info.plic_context;
  time_init(boot_info.timebase);
  parse_cmdline(boot_info.bootargs);
  pr_notice("Kite: a RISC-V teaching kernel (hart %lu, dtb %#lx)", (unsigned long)hartid,
          (unsigned long)dtb_pa);
  pr_notice("cmdline: %s", boot_info.bootargs);

  page_alloc_init(boot_info.ram_start, boot_info.ram_size, kva_to_pa(_kernel_start),
                  kva_to_pa(_kernel_end),
                  (const paddr_t(*)[2])boot_info.reserved, boot_info.nreserved);
  kmalloc_init();
  init_pid = pid_alloc();                            /* 1, before any kernel thread */
  futex_init();                                      /* futex hash buckets */
  posix_timers_init();                               /* they follow clock changes */
  timerfd_init();                                    /* so do timerfds */
  pgtable_init(kalloc_pgtable, kfree_pages);       /* drop the boot identity map */
  asid_init();                                       /* how many ASID bits satp has */
  trap_init();                                       /* stvec, FP on */
  plic_init(boot_info.plic_base, boot_info.plic_ndev);
  plic_init_hart(boot_info.plic_context, true);     /* device interrupts: boot hart */
  uart_init(boot_info.uart_base, boot_info.uart_reg_shift, boot_info.uart_irq);
  rtc_init(boot_info.rtc_base);                      /* CLOCK_REALTIME from the RTC */
  timer_use_sstc(boot_info.has_sstc);
  timer_hart_init();                                 /* scheduler tick */
  mem_devices_init();                                /* /dev/null, zero, random, ... */
  tty_register_devices();                            /* /dev/tty (console: uart_init) */
  pty_init();                                        /* /dev/ptmx and the pty slaves */
  bcache_init();                                     /* block cache (flush thread: first buffer) */
  virtio_blk_init();                                 /* the virtio block driver, for the probe */
  virtio_probe_all();                                /* disks (and the network card) */
  loop_init();                                       /* /dev/loop-control, loop0..7 */
  fs_init();                                         /* root, initramfs, /dev, /proc, /tmp */
  ipc_init();                                        /* System V shared memory, semaphores, queues */
  proc_resources_init();                             /* what clone and exit hand over (fds, tty, ...) */
  if (net_init)                                      /* built only with WITH_NET=1 (Makefile) */
    net_init();                                      /* lwIP, lo, NetDevices, the net task */
  pr_info("kernel %lu KiB, %lu KiB free after boot", (unsigned long)((_kernel_end - _kernel_start) >> 10),
          (unsigned long)(nr_free_pages() * 4));
  if (strstr(boot_info.bootargs, "lockdep_selftest"))
    lockdep_selftest();                              /* debug builds: plant a cycle, see it caught */
  smp_boot_secondaries(kva_to_pa(secondary_entry)); /* the other harts, each to its idle loop */
  start_init();
  idle_loop();
}
