/*
 * sys_misc.c — system information, limits, scheduling knobs, randomness,
 * the kernel log and reboot.
 *
 * Layer: syscalls: argument checks and copying; the mechanisms are
 * kern/sched.c, kern/utsname.c, kern/printk.c (syslog), kern/reboot.c.
 * Locks: proc_lock to read other processes (prlimit, getrusage), fs->lock
 * for umask; none held across a copy to user memory.
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/cpu.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "kern/sysinfo.h"
#include "kern/reboot.h"
#include "fs/namei.h"
#include "fs/devfs.h"
#include "arch/riscv/sbi.h"
#include <string.h>

/* ---- uname and host name ---- */

struct utsname {
  char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long sys_uname(uaddr_t buf)
{
  struct utsname u;
  memset(&u, 0, sizeof(u));
  strlcpy(u.sysname, "Linux", 65); /* the ABI Kite implements; see docs/overview.md */
  strlcpy(u.nodename, uts_hostname(), 65);
  strlcpy(u.release, KITE_RELEASE, 65);
  strlcpy(u.version, KITE_VERSION, 65);
  strlcpy(u.machine, "riscv64", 65);
  strlcpy(u.domainname, uts_domainname(), 65);
  return copyout(buf, &u, sizeof(u)) ? -EFAULT : 0;
}

static long set_name(char *dst, uaddr_t name, size_t len)
{
  if (len > 64)
    return -EINVAL;
  char tmp[65];
  if (copyin(tmp, name, len))
    return -EFAULT;
  tmp[len] = 0;
  memcpy(dst, tmp, len + 1);
  return 0;
}

long sys_sethostname(uaddr_t name, size_t len)
{
  return uts_capable() ? set_name(uts_hostname(), name, len) : -EPERM;
}

long sys_setdomainname(uaddr_t name, size_t len)
{
  return uts_capable() ? set_name(uts_domainname(), name, len) : -EPERM;
}

/* ---- sysinfo ---- */

struct sysinfo_k {
  int64_t uptime;
  uint64_t loads[3];
  uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
  uint16_t procs, pad;
  uint32_t pad2;
  uint64_t totalhigh, freehigh;
  uint32_t mem_unit;
  char f[4];
};
STATIC_ASSERT(sizeof(struct sysinfo_k) == 112);

long sys_sysinfo(uaddr_t info)
{
  struct sysinfo_k s;
  memset(&s, 0, sizeof(s));
  s.uptime = (int64_t)(time_monotonic_ns() / NSEC_PER_SEC);
  loadavg_get(s.loads);
  s.totalram = nr_total_pages() * PAGE_SIZE;
  s.freeram = nr_free_pages() * PAGE_SIZE;
  s.procs = (uint16_t)nr_pids_in_use();
  s.mem_unit = 1;
  return copyout(info, &s, sizeof(s)) ? -EFAULT : 0;
}

/* ---- syslog(2): the kernel log ring (dmesg) ---- */

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

long sys_syslog(int type, uaddr_t buf, int len)
{
  /* dmesg_restrict is 0: anyone may read all and ask the size; the rest
   * needs CAP_SYSLOG (or CAP_SYS_ADMIN), as Linux's check_syslog_permissions */
  if (type != SYSLOG_ACTION_READ_ALL && type != SYSLOG_ACTION_SIZE_BUFFER && !capable(CAP_SYSLOG) &&
      !capable(CAP_SYS_ADMIN))
    return -EPERM;
  switch (type) {
  case SYSLOG_ACTION_CLOSE:
  case SYSLOG_ACTION_OPEN:
    return 0;
  case SYSLOG_ACTION_READ:
  case SYSLOG_ACTION_READ_ALL:
  case SYSLOG_ACTION_READ_CLEAR: {
    if (len < 0 || !buf)
      return -EINVAL;
    if (len == 0)
      return 0;
    if (!access_ok(buf, (size_t)len))
      return -EFAULT;
    size_t n = MIN((size_t)len, (size_t)KLOG_SIZE);
    char *k = kmalloc(n);
    if (!k)
      return -ENOMEM;
    size_t got = klog_read_all(k, n, type != SYSLOG_ACTION_READ_ALL);
    long r = copyout(buf, k, got) ? -EFAULT : (long)got;
    kfree(k);
    return r;
  }
  case SYSLOG_ACTION_CLEAR:
    klog_clear();
    return 0;
  case SYSLOG_ACTION_CONSOLE_OFF:
    console_loglevel = LOG_ALERT;
    return 0;
  case SYSLOG_ACTION_CONSOLE_ON:
    console_loglevel = LOG_CRIT;
    return 0;
  case SYSLOG_ACTION_CONSOLE_LEVEL:
    if (len < 1 || len > 8)
      return -EINVAL;
    console_loglevel = len;
    return 0;
  case SYSLOG_ACTION_SIZE_UNREAD:
    return (long)klog_size();
  case SYSLOG_ACTION_SIZE_BUFFER:
    return KLOG_SIZE;
  default:
    return -EINVAL;
  }
}

/* ---- reboot ---- */

#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_MAGIC2A 85072278
#define REBOOT_MAGIC2B 369367448
#define REBOOT_MAGIC2C 537993216
#define RB_AUTOBOOT 0x01234567
#define RB_HALT_SYSTEM 0xcdef0123
#define RB_POWER_OFF 0x4321fedc
#define RB_ENABLE_CAD 0x89abcdef
#define RB_DISABLE_CAD 0x00000000
#define RB_RESTART2 0xa1b2c3d4

long sys_reboot(int magic1, int magic2, unsigned int cmd, uaddr_t arg)
{
  if (!capable(CAP_SYS_BOOT))
    return -EPERM;
  if ((uint32_t)magic1 != REBOOT_MAGIC1 ||
      (magic2 != REBOOT_MAGIC2 && magic2 != REBOOT_MAGIC2A && magic2 != REBOOT_MAGIC2B &&
       magic2 != REBOOT_MAGIC2C))
    return -EINVAL;
  switch (cmd) {
  case RB_ENABLE_CAD:
  case RB_DISABLE_CAD:
    return 0;
  case RB_RESTART2: { /* restart with a command string: read it first, as Linux */
    char cmd[256];
    long n = copyinstr(cmd, arg, sizeof(cmd) - 1);
    if (n < 0 && n != -ENAMETOOLONG)
      return -EFAULT;
    kernel_power_off(0);
  }
  case RB_POWER_OFF:
  case RB_HALT_SYSTEM:
  case RB_AUTOBOOT:
    kernel_power_off(0); /* restart is a power-off too (docs/syscalls.md) */
  default:
    return -EINVAL;
  }
}

/* ---- randomness ---- */

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

long sys_getrandom(uaddr_t buf, size_t count, unsigned int flags)
{
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
    return -EINVAL;
  if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
    return -EINVAL;
  struct uio u;
  uio_init_user(&u, buf, count);
  if (u.bad)
    return -EFAULT;
  /* What fits before a fault is returned (Linux's short count). */
  uint8_t tmp[256];
  long done = 0;
  while (u.resid > 0) {
    size_t n = MIN(u.resid, sizeof(tmp));
    random_bytes(tmp, n);
    long c = uio_copy_to(&u, tmp, n);
    if (c <= 0)
      return done ? done : c;
    done += c;
    if ((size_t)c < n)
      break;
    if (signal_pending(current))
      break;
  }
  return done;
}

/* ---- resource limits and usage ---- */

static long get_limit(struct process *p, unsigned int resource, struct rlimit *out)
{
  if (resource >= RLIM_NLIMITS)
    return -EINVAL;
  *out = p->rlim[resource];
  return 0;
}

static long set_limit(struct process *p, unsigned int resource, const struct rlimit *nl)
{
  if (resource >= RLIM_NLIMITS)
    return -EINVAL;
  if (nl->cur > nl->max)
    return -EINVAL;
  if (resource == RLIMIT_NOFILE && nl->max > NR_OPEN_MAX)
    return -EPERM;
  /* Raising a hard limit needs CAP_SYS_RESOURCE. */
  if (nl->max > p->rlim[resource].max && !capable(CAP_SYS_RESOURCE))
    return -EPERM;
  p->rlim[resource] = *nl;
  return 0;
}

/* prlimit64 on another process: the same ids all round, or CAP_SYS_RESOURCE. */
static long prlimit_permission(struct process *p)
{
  if (p == current->proc)
    return 0;
  spin_lock(&proc_lock);
  const struct cred *tc = get_process_cred_locked(p);
  spin_unlock(&proc_lock);
  if (!tc)
    return -ESRCH;
  const struct cred *c = current_cred();
  bool same = c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid &&
              c->gid == tc->egid && c->gid == tc->sgid && c->gid == tc->gid;
  put_cred(tc);
  return same || capable(CAP_SYS_RESOURCE) ? 0 : -EPERM;
}

long sys_getrlimit(unsigned int resource, uaddr_t rlim)
{
  struct rlimit r;
  long e = get_limit(current->proc, resource, &r);
  if (e)
    return e;
  return copyout(rlim, &r, sizeof(r)) ? -EFAULT : 0;
}

long sys_setrlimit(unsigned int resource, uaddr_t rlim)
{
  struct rlimit r;
  if (copyin(&r, rlim, sizeof(r)))
    return -EFAULT;
  return set_limit(current->proc, resource, &r);
}

long sys_prlimit64(int pid, unsigned int resource, uaddr_t new_limit, uaddr_t old_limit)
{
  if (resource >= RLIM_NLIMITS)
    return -EINVAL;
  struct process *p = current->proc;
  if (pid) {
    spin_lock(&proc_lock);
    p = find_process_vnr(pid);
    if (p)
      process_get(p);
    spin_unlock(&proc_lock);
    if (!p)
      return -ESRCH;
  }
  struct rlimit nl, ol;
  long r = 0;
  if (new_limit && copyin(&nl, new_limit, sizeof(nl)))
    r = -EFAULT;
  if (!r)
    r = prlimit_permission(p);
  if (!r)
    get_limit(p, resource, &ol);
  if (!r && new_limit)
    r = set_limit(p, resource, &nl);
  if (!r && old_limit && copyout(old_limit, &ol, sizeof(ol)))
    r = -EFAULT;
  if (pid)
    process_put(p);
  return r;
}

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

long sys_getrusage(int who, uaddr_t usage)
{
  struct process *p = current->proc;
  uint64_t ut = 0, st = 0;
  if (who == RUSAGE_SELF) {
    process_cputime(p, &ut, &st);
  } else if (who == RUSAGE_CHILDREN) {
    ut = p->cutime_ns;
    st = p->cstime_ns;
  } else if (who == RUSAGE_THREAD) {
    task_cputime(current, &ut, &st);
  } else {
    return -EINVAL;
  }
  struct rusage_k ru;
  fill_rusage(&ru, ut, st);
  /* the peak resident size: of the children reaped, or of this process
   * (its earlier address spaces and this one), as Linux's */
  uint64_t maxrss = who == RUSAGE_CHILDREN ? READ_ONCE(p->cmaxrss) : READ_ONCE(p->maxrss);
  if (who != RUSAGE_CHILDREN && current->mm)
    maxrss = MAX(maxrss, mm_peak_rss_pages(current->mm));
  ru.ru_maxrss = (int64_t)(maxrss * (PAGE_SIZE / 1024));
  ru.ru_nvcsw = (int64_t)current->nvcsw;
  ru.ru_nivcsw = (int64_t)current->nivcsw;
  return copyout(usage, &ru, sizeof(ru)) ? -EFAULT : 0;
}

long sys_umask(mode_t mask)
{
  struct fs_context *fs = current->fs;
  spin_lock(&fs->lock);
  mode_t old = fs->umask;
  fs->umask = mask & 0777;
  spin_unlock(&fs->lock);
  return old;
}

/* ---- scheduling ---- */

long sys_sched_yield(void)
{
  yield();
  return 0;
}

/* The task a scheduling call names (0: the caller), or NULL. proc_lock held. */
static struct task *sched_target(int pid)
{
  return pid == 0 ? current : find_task_vnr(pid);
}

long sys_sched_getaffinity(int pid, size_t len, uaddr_t mask)
{
  if (pid < 0)
    return -EINVAL;
  /* The kernel's mask is one unsigned long (NCPU <= 64), as Linux's
   * cpumask_size() here: shorter or unaligned buffers are refused. */
  if (len < 8 || (len & 7))
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = sched_target(pid);
  uint64_t m = t ? READ_ONCE(t->cpus_allowed) & cpu_online_mask() : 0;
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  if (copyout(mask, &m, 8) || clear_user(mask + 8, MIN(len, (size_t)128) - 8))
    return -EFAULT;
  return 8;
}

long sys_sched_setaffinity(int pid, size_t len, uaddr_t mask)
{
  if (pid < 0)
    return -EINVAL;
  uint64_t m = 0;
  /* A shorter mask is zero-extended, a longer one cut to the harts we can have. */
  if (copyin(&m, mask, MIN(len, (size_t)8)))
    return -EFAULT;
  spin_lock(&proc_lock);
  struct task *t = sched_target(pid);
  /* another user's thread: CAP_SYS_NICE */
  long r = !t ? -ESRCH : !check_same_owner(t) && !capable(CAP_SYS_NICE) ? -EPERM : sched_set_affinity(t, m);
  spin_unlock(&proc_lock);
  return r;
}

long sys_getcpu(uaddr_t cpu, uaddr_t node, uaddr_t cache)
{
  (void)cache;
  uint32_t c = (uint32_t)current->cpu->id, n = 0;
  if ((cpu && copyout(cpu, &c, 4)) || (node && copyout(node, &n, 4)))
    return -EFAULT;
  return 0;
}

/* ---- prctl ---- */

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_TIMERSLACK 30
#define PR_SET_TIMERSLACK 29
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37

long sys_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
  struct task *t = current;
  bool handled;
  long r = cred_prctl(option, arg2, arg3, arg4, arg5, &handled);
  if (handled)
    return r;
  switch (option) {
  case PR_SET_NAME: {
    char name[TASK_COMM_LEN];
    long n = copyinstr(name, arg2, sizeof(name));
    if (n == -ENAMETOOLONG) {
      if (copyin(name, arg2, sizeof(name) - 1))
        return -EFAULT;
      name[sizeof(name) - 1] = 0;
    } else if (n < 0) {
      return n;
    }
    set_task_comm(t, name);
    return 0;
  }
  case PR_GET_NAME:
    return copyout(arg2, t->comm, TASK_COMM_LEN) ? -EFAULT : 0;
  case PR_SET_PDEATHSIG:
    if (arg2 > NSIG)
      return -EINVAL;
    t->pdeath_signal = (int)arg2;
    return 0;
  case PR_GET_PDEATHSIG:
    return put_user_u32(arg2, (uint32_t)t->pdeath_signal) ? -EFAULT : 0;
  case PR_GET_DUMPABLE:
    return t->proc->dumpable;
  case PR_SET_DUMPABLE:
    if (arg2 > 1)
      return -EINVAL;
    t->proc->dumpable = (int)arg2;
    return 0;
  case PR_SET_TIMERSLACK:
    t->timer_slack_ns = arg2 ? arg2 : t->default_timer_slack_ns;
    return 0;
  case PR_GET_TIMERSLACK:
    return (long)t->timer_slack_ns;
  case PR_SET_NO_NEW_PRIVS:
    if (arg2 != 1 || arg3 || arg4 || arg5)
      return -EINVAL;
    t->no_new_privs = true;
    return 0;
  case PR_GET_NO_NEW_PRIVS:
    if (arg2 || arg3 || arg4 || arg5)
      return -EINVAL;
    return t->no_new_privs;
  case PR_SET_CHILD_SUBREAPER:
    t->proc->child_subreaper = arg2 != 0;
    return 0;
  case PR_GET_CHILD_SUBREAPER:
    return put_user_u32(arg2, t->proc->child_subreaper ? 1 : 0) ? -EFAULT : 0;
  default:
    return -EINVAL;
  }
}
