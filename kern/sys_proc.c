/*
 * sys_proc.c — process, identity and signal system calls (argument
 * checking; the mechanisms are in process.c, signal.c, exec.c).
 *
 * Layer: syscalls. Below: kern/process.c, kern/pid.c, kern/signal.c,
 * fs/exec.c (do_execveat). Locks: proc_lock to find processes and change
 * groups and sessions; sighand->lock for actions and masks; never held
 * across a copy to or from user memory.
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/clone.h"
#include "kern/pidfd.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/cpu.h"
#include "kern/exec.h"
#include "kern/futex.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "kern/pid_namespace.h"
#include "fs/fs_abi.h"
#include "fs/mount.h"
#include "drivers/tty.h"
#include <string.h>

/* ---- creation and exit ---- */

long sys_clone(uint64_t flags, uaddr_t newsp, uaddr_t ptid, uaddr_t tls, uaddr_t ctid)
{
  int exit_signal = flags & 0xff;
  if (exit_signal > NSIG)
    return -EINVAL;
  if ((flags & 0x00010000 /* CLONE_THREAD */) && exit_signal)
    exit_signal = 0; /* threads never signal at exit */
  /* clone's CLONE_PIDFD puts the pidfd where the parent's tid would go */
  if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
    return -EINVAL;
  struct clone_extras x = { .pidfd = ptid };
  return do_clone(flags & 0xffffffffUL & ~0xffUL, newsp, ptid, tls, ctid, exit_signal, &x);
}

long sys_execve(uaddr_t upath, uaddr_t argv, uaddr_t envp)
{
  char *path = kmalloc(PATH_MAX);
  if (!path)
    return -ENOMEM;
  long r = copy_path(path, upath);
  if (r >= 0)
    r = path[0] ? do_execve(path, argv, envp) : -ENOENT;
  kfree(path);
  /* On success the trap frame holds the new program's registers: do not
   * overwrite its a0 with our return value. */
  return r == 0 ? (long)current->tf->a0 : r;
}

long sys_execveat(int dirfd, uaddr_t upath, uaddr_t argv, uaddr_t envp, int flags)
{
  char *path = kmalloc(PATH_MAX);
  if (!path)
    return -ENOMEM;
  long r = copy_path(path, upath);
  if (r >= 0)
    r = do_execveat(dirfd, path, argv, envp, flags);
  kfree(path);
  return r == 0 ? (long)current->tf->a0 : r;
}

long sys_exit(int code)
{
  do_exit(code & 0xff);
}

long sys_exit_group(int code)
{
  do_exit_group(W_EXITCODE(code, 0));
}

long sys_wait4(int pid, uaddr_t ustatus, int options, uaddr_t urusage)
{
  if (options & ~(WNOHANG | 2 /* WUNTRACED */ | WCONTINUED | 0x20000000 | 0x40000000 | 0x80000000))
    return -EINVAL;
  struct wait_result w;
  long r = do_wait(wait_id_from_vnr(pid), options, &w);
  if (r <= 0)
    return r;
  if (ustatus && copyout(ustatus, &w.status, sizeof(int)))
    return -EFAULT;
  if (urusage) {
    struct rusage_k ru;
    fill_rusage(&ru, w.utime_ns, w.stime_ns);
    ru.ru_maxrss = (int64_t)(w.maxrss * (PAGE_SIZE / 1024));
    if (copyout(urusage, &ru, sizeof(ru)))
      return -EFAULT;
  }
  return r;
}

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3
#define WEXITED 4
#define WSTOPPED 2

long sys_waitid(int idtype, int id, uaddr_t infop, int options, uaddr_t urusage)
{
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
      (options & ~(WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT)))
    return -EINVAL;
  pid_t pid;
  bool pidfd_nonblock = false;
  switch (idtype) {
  case P_ALL: pid = -1; break;
  case P_PID: if (id <= 0) return -EINVAL; pid = wait_id_from_vnr(id); break;
  case P_PGID: if (id < 0) return -EINVAL; pid = id ? wait_id_from_vnr(-id) : 0; break;
  case P_PIDFD: {
    if (id < 0)
      return -EINVAL;
    int fflags = 0;
    long r = pidfd_to_pid(id, &fflags);
    if (r < 0)
      return r;
    pid = (pid_t)r;
    if ((fflags & O_NONBLOCK) && !(options & WNOHANG))
      options |= WNOHANG, pidfd_nonblock = true; /* no child yet: EAGAIN */
    break;
  }
  default: return -EINVAL;
  }
  /* waitid's WSTOPPED is wait4's WUNTRACED (both 2); WEXITED is WAIT_EXITED (4). */
  struct wait_result w;
  long r = do_wait(pid, options | WAIT_FROM_WAITID, &w);
  if (r < 0)
    return r;
  if (r == 0 && pidfd_nonblock)
    return -EAGAIN;
  uint8_t info[128];
  memset(info, 0, sizeof(info));
  if (r > 0) {
    int32_t signo = SIGCHLD, code, status;
    int st = w.status;
    if (st == W_CONTINUED) {
      code = CLD_CONTINUED;
      status = SIGCONT;
    } else if ((st & 0xff) == 0x7f) {
      code = w.trapped ? CLD_TRAPPED : CLD_STOPPED;
      status = w.trapped ? (st >> 8) & 0xffff : (st >> 8) & 0xff; /* a ptrace stop: its whole code */
    } else if ((st & 0x7f) == 0) {
      code = CLD_EXITED;
      status = (st >> 8) & 0xff;
    } else {
      code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
      status = st & 0x7f;
    }
    int32_t pid32 = (int32_t)r;
    memcpy(info, &signo, 4);
    memcpy(info + 8, &code, 4);
    memcpy(info + 16, &pid32, 4);
    memcpy(info + 24, &status, 4);
  }
  if (infop && copyout(infop, info, sizeof(info)))
    return -EFAULT;
  if (urusage) {
    struct rusage_k ru;
    fill_rusage(&ru, w.utime_ns, w.stime_ns);
    ru.ru_maxrss = (int64_t)(w.maxrss * (PAGE_SIZE / 1024));
    if (copyout(urusage, &ru, sizeof(ru)))
      return -EFAULT;
  }
  return 0;
}

long sys_set_tid_address(uaddr_t tidptr)
{
  current->clear_child_tid = tidptr;
  return pid_vnr(current->tid);
}

long sys_set_robust_list(uaddr_t head, size_t len)
{
  if (len != 24)
    return -EINVAL;
  current->robust_list = head;
  current->robust_list_len = len;
  return 0;
}

long sys_get_robust_list(int pid, uaddr_t head, uaddr_t len)
{
  struct task *t = current;
  if (pid) {
    spin_lock(&proc_lock);
    t = find_task_vnr(pid);
    int r = t ? ptrace_may_read(t) : -ESRCH;
    spin_unlock(&proc_lock);
    if (r)
      return r;
  }
  uint64_t h = t->robust_list, l = 24;
  if (copyout(head, &h, 8) || copyout(len, &l, 8))
    return -EFAULT;
  return 0;
}

long sys_futex(uaddr_t uaddr, int op, uint32_t val, uaddr_t timeout, uaddr_t uaddr2, uint32_t val3)
{
  return do_futex(uaddr, op, val, timeout, uaddr2, val3);
}

/* ---- ids ---- */

/* Ids as the caller's pid namespace numbers them (kern/pid_namespace.h). */
long sys_getpid(void) { return pid_vnr(current->proc->pid); }
long sys_gettid(void) { return pid_vnr(current->tid); }

/* 0 when the parent is outside the caller's pid namespace (its init's). */
long sys_getppid(void)
{
  pid_t ppid = READ_ONCE(current->proc->ppid); /* no lock: kern/task.h */
  if (current_pid_ns() == &init_pid_ns)
    return ppid;
  spin_lock(&proc_lock); /* the parent's id stays in use while we look */
  pid_t r = pid_vnr(current->proc->ppid);
  spin_unlock(&proc_lock);
  return r;
}

/* ---- process groups and sessions ---- */

long sys_setpgid(int pid, int pgid)
{
  struct process *me = current->proc;
  if (pgid < 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct process *p = pid ? find_process_vnr(pid) : me;
  long r = 0;
  if (!p || (p != me && p->parent != me)) {
    r = -ESRCH;
    goto out;
  }
  if (p->sid == p->pid) {
    r = -EPERM; /* a session leader cannot move */
    goto out;
  }
  if (p != me && p->did_exec) {
    r = -EACCES; /* a child that has exec'd is out of the parent's hands */
    goto out;
  }
  if (p->sid != me->sid) {
    r = -EPERM;
    goto out;
  }
  if (pgid == 0)
    pgid = p->pid;
  else if (!(pgid = pid_from_vnr_locked(pgid)))
    pgid = PID_MAX; /* no such group here: EPERM below */
  if (pgid != p->pid && pgrp_in_session(pgid, me->sid)) {
    r = -EPERM; /* the group must exist in the same session */
    goto out;
  }
  p->pgid = pgid;
out:
  spin_unlock(&proc_lock);
  return r;
}

long sys_getpgid(int pid)
{
  spin_lock(&proc_lock);
  struct process *p = pid ? find_process_vnr(pid) : current->proc;
  long r = p ? pid_vnr(p->pgid) : -ESRCH;
  spin_unlock(&proc_lock);
  return r;
}

long sys_getsid(int pid)
{
  spin_lock(&proc_lock);
  struct process *p = pid ? find_process_vnr(pid) : current->proc;
  long r = p ? pid_vnr(p->sid) : -ESRCH;
  spin_unlock(&proc_lock);
  return r;
}

/*
 * setsid: a new session and group, led by the caller, without a
 * controlling terminal. The terminal goes in the same critical section as
 * the session changes: a fork in between would copy the old session's
 * terminal into the new one. Its reference is dropped after unlocking
 * (tty_put may free a pty, which takes other locks).
 */
long sys_setsid(void)
{
  struct process *me = current->proc;
  spin_lock(&proc_lock);
  struct process *q;
  list_for_each_entry(q, &all_processes, all_link) {
    if (q->pgid == me->pid) {
      spin_unlock(&proc_lock);
      return -EPERM; /* already a group leader */
    }
  }
  me->sid = me->pgid = me->pid;
  struct tty *old_ctty = me->ctty;
  me->ctty = NULL;
  spin_unlock(&proc_lock);
  if (old_ctty)
    tty_put(old_ctty);
  return pid_vnr(me->pid);
}

/* vhangup: hang up the caller's controlling terminal (drivers/tty.c says
 * how much of Linux's hangup Kite does); CAP_SYS_TTY_CONFIG only. */
long sys_vhangup(void)
{
  if (!capable(CAP_SYS_TTY_CONFIG))
    return -EPERM;
  tty_vhangup_self();
  return 0;
}

/* ---- signals ---- */

static void fill_kill_info(struct ksiginfo *info, int sig, int code)
{
  memset(info, 0, sizeof(*info));
  info->signo = sig;
  info->code = code;
  info->pid = current->proc->pid;
  info->uid = current_cred()->uid;
}

/*
 * May the caller send sig to the task with cred tc in session sid? As
 * Linux's check_kill_permission: the sender's real or effective uid is the
 * target's real or saved uid, or CAP_KILL in the target's user namespace,
 * or SIGCONT within the session.
 */
static int kill_ok(const struct cred *tc, pid_t sid, int sig)
{
  const struct cred *c = current_cred();
  if (c->euid == tc->suid || c->euid == tc->uid || c->uid == tc->suid || c->uid == tc->uid ||
      cred_ns_capable(c, tc->user_ns, CAP_KILL))
    return 0;
  if (sig == SIGCONT && sid == current->proc->sid)
    return 0;
  return -EPERM;
}

/* The same for a process (checked against one of its live threads). */
int kill_permission(struct process *p, int sig)
{
  if (p == current->proc)
    return 0;
  spin_lock(&proc_lock);
  const struct cred *tc = get_process_cred_locked(p);
  pid_t sid = p->sid;
  spin_unlock(&proc_lock);
  if (!tc)
    return 0; /* exiting: the signal is discarded anyway */
  int r = kill_ok(tc, sid, sig);
  put_cred(tc);
  return r;
}

/* Permission, then the signal (sig 0 only checks), its si_pid as p's pid
 * namespace numbers the sender. */
static int kill_one(struct process *p, int sig, struct ksiginfo *info)
{
  int r = kill_permission(p, sig);
  if (r == 0 && sig) {
    struct ksiginfo k = *info;
    spin_lock(&proc_lock);
    signal_info_for(&k, p);
    spin_unlock(&proc_lock);
    r = send_signal_process(p, sig, &k);
  }
  return r;
}

#define KILL_TARGETS_MAX 256 /* processes signalled per round of a group kill */
#define KILL_ROUNDS_MAX 64   /* rounds: bounded even while a fork bomb grows */

long sys_kill(int pid, int sig)
{
  if (sig < 0 || sig > NSIG)
    return -EINVAL;
  struct ksiginfo info;
  fill_kill_info(&info, sig, SI_USER);
  if (pid > 0) {
    spin_lock(&proc_lock);
    struct process *p = find_process_by_vnr(pid);
    if (p && !p->zombie)
      process_get(p);
    else
      p = NULL;
    bool zombie = !p && find_process_by_vnr(pid);
    spin_unlock(&proc_lock);
    if (!p)
      return zombie ? 0 : -ESRCH;
    long r = kill_one(p, sig, &info);
    process_put(p);
    return r;
  }
  /* A process group (pid 0: the caller's; pid < -1: -pid), or everyone
   * but init and the caller (pid -1). Signalled KILL_TARGETS_MAX at a time
   * (with references, outside proc_lock), each process once: kill_pass
   * marks the ones this call has taken, so a fork bomb of thousands is
   * reached whole, as on Linux. */
  static uint64_t kill_passes; /* proc_lock */
  pid_t pgid = current->proc->pgid;
  if (pid < -1) {
    spin_lock(&proc_lock);
    pgid = pid_from_vnr_locked(-pid);
    spin_unlock(&proc_lock);
    if (!pgid)
      return -ESRCH;
  }
  struct process *targets[KILL_TARGETS_MAX];
  bool zombies = false, any = false, success = false;
  long ret = pid == -1 ? 0 : -ESRCH;
  spin_lock(&proc_lock);
  uint64_t pass = ++kill_passes;
  spin_unlock(&proc_lock);
  for (int round = 0; round < KILL_ROUNDS_MAX; round++) {
    int n = 0;
    spin_lock(&proc_lock);
    struct process *q;
    list_for_each_entry(q, &all_processes, all_link) {
      /* -1: every process the caller's pid namespace numbers above 1 */
      bool match = pid == -1 ? pid_vnr(q->pid) > 1 && q != current->proc : q->pgid == pgid;
      if (!match || q->kill_pass == pass)
        continue;
      if (q->zombie) {
        zombies = true;
      } else if (n < KILL_TARGETS_MAX) {
        q->kill_pass = pass;
        process_get(q);
        targets[n++] = q;
      }
    }
    spin_unlock(&proc_lock);
    if (n == 0)
      break;
    any = true;
    for (int i = 0; i < n; i++) {
      int err = kill_one(targets[i], sig, &info);
      if (pid == -1) {
        if (err != -EPERM)
          ret = err;
      } else {
        success |= err == 0;
        ret = err;
      }
      process_put(targets[i]);
    }
  }
  if (!any)
    return zombies && pid != -1 ? 0 : -ESRCH;
  return success ? 0 : ret;
}

static long kill_thread(int tgid, int tid, int sig)
{
  if (sig < 0 || sig > NSIG || tid <= 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct task *t = find_task_vnr(tid);
  if (t && tgid > 0 && pid_vnr(t->proc->pid) != tgid)
    t = NULL;
  const struct cred *tc = t && t->proc != current->proc ? get_task_cred(t) : NULL;
  pid_t sid = t ? t->proc->sid : 0;
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  int r = tc ? kill_ok(tc, sid, sig) : 0;
  put_cred(tc);
  if (r || sig == 0)
    return r;
  struct ksiginfo info;
  fill_kill_info(&info, sig, SI_TKILL);
  spin_lock(&proc_lock);
  signal_info_for(&info, t->proc);
  spin_unlock(&proc_lock);
  return send_signal_task(t, sig, &info);
}

long sys_tkill(int tid, int sig) { return kill_thread(-1, tid, sig); }

long sys_tgkill(int tgid, int tid, int sig)
{
  if (tgid <= 0)
    return -EINVAL;
  return kill_thread(tgid, tid, sig);
}

/*
 * rt_tgsigqueueinfo: rt_sigqueueinfo to one thread of a thread group
 * (pthread_sigqueue). As Linux: a si_code that claims a kernel, kill() or
 * tkill() origin is EPERM unless the thread signals itself.
 */
long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, uaddr_t uinfo)
{
  uint8_t buf[128];
  if (copyin(buf, uinfo, sizeof(buf)))
    return -EFAULT;
  if (tgid <= 0 || tid <= 0)
    return -EINVAL;
  int32_t code;
  memcpy(&code, buf + 8, 4);
  if ((code >= 0 || code == SI_TKILL) && tid != pid_vnr(current->tid))
    return -EPERM;
  struct ksiginfo info;
  fill_kill_info(&info, sig, code);
  memcpy(&info.value, buf + 24, 8);
  spin_lock(&proc_lock);
  struct task *t = find_task_vnr(tid);
  long r = !t || !t->proc || pid_vnr(t->proc->pid) != tgid ? -ESRCH : 0;
  if (!r)
    signal_info_for(&info, t->proc);
  if (!r && (sig < 0 || sig > NSIG))
    r = -EINVAL;
  else if (!r && sig)
    r = send_signal_task(t, sig, &info); /* (proc_lock > sighand->lock) */
  spin_unlock(&proc_lock);
  return r;
}

/* restart_syscall: what user space reaches after a system call the kernel
 * set up for restarting with a restart block. Kite restarts calls by
 * running them again (ERESTARTSYS), never through a restart block, so
 * this is Linux's answer when there is none: EINTR. */
long sys_restart_syscall(void)
{
  return -EINTR;
}

long sys_rt_sigqueueinfo(int pid, int sig, uaddr_t uinfo)
{
  uint8_t buf[128];
  if (copyin(buf, uinfo, sizeof(buf)))
    return -EFAULT;
  int32_t code;
  memcpy(&code, buf + 8, 4);
  if ((code >= 0 || code == SI_TKILL) && pid != pid_vnr(current->tid))
    return -EPERM; /* impersonating the kernel, kill() or tkill() */
  struct ksiginfo info;
  fill_kill_info(&info, sig, code);
  memcpy(&info.value, buf + 24, 8);
  spin_lock(&proc_lock);
  struct process *p = find_process_by_vnr(pid);
  if (p)
    process_get(p);
  spin_unlock(&proc_lock);
  if (!p)
    return -ESRCH;
  long r = kill_one(p, sig, &info);
  process_put(p);
  return r;
}

/*
 * rt_sigaction. Linux riscv64 reads {handler, flags, mask} (24 bytes).
 * musl 1.2.3 passes {handler, flags | SA_RESTORER, restorer, mask}: when
 * SA_RESTORER is set the mask is 8 bytes further and the restorer is used
 * as the handler's return address (docs/build-facts.md).
 */
long sys_rt_sigaction(int sig, uaddr_t uact, uaddr_t uoldact, size_t sigsetsize)
{
  if (sigsetsize != sizeof(sigset_t))
    return -EINVAL;
  if (sig < 1 || sig > NSIG)
    return -EINVAL;
  struct k_sigaction newact;
  if (uact) {
    if (sig == SIGKILL || sig == SIGSTOP)
      return -EINVAL;
    uint64_t w[4];
    if (copyin(w, uact, 24))
      return -EFAULT;
    newact.handler = w[0];
    newact.flags = w[1];
    if (w[1] & SA_RESTORER) {
      if (copyin(&w[3], uact + 24, 8))
        return -EFAULT;
      newact.restorer = w[2];
      newact.mask = w[3];
    } else {
      newact.restorer = 0;
      newact.mask = w[2];
    }
    newact.mask &= ~SIG_UNBLOCKABLE;
  }
  struct sighand *sh = current->sighand;
  spin_lock(&sh->lock);
  struct k_sigaction old = sh->action[sig - 1];
  if (uact) {
    sh->action[sig - 1] = newact;
    /* Setting "ignore" discards what is pending (POSIX). */
    if (newact.handler == SIG_IGN || (newact.handler == SIG_DFL && sig_ignored_by_default(sig))) {
      current->proc->shared_pending.set &= ~SIGMASK(sig);
      struct task *th;
      list_for_each_entry(th, &current->proc->threads, thread_link)
        th->pending.set &= ~SIGMASK(sig);
    }
  }
  spin_unlock(&sh->lock);
  if (uoldact) {
    uint64_t w[3] = { old.handler, old.flags, old.mask };
    if (copyout(uoldact, w, sizeof(w)))
      return -EFAULT;
  }
  return 0;
}

long sys_rt_sigprocmask(int how, uaddr_t uset, uaddr_t uoldset, size_t sigsetsize)
{
  if (sigsetsize != sizeof(sigset_t))
    return -EINVAL;
  struct task *t = current;
  sigset_t set = 0, old;
  if (uset && copyin(&set, uset, 8))
    return -EFAULT;
  spin_lock(&t->sighand->lock);
  old = t->blocked;
  long r = 0;
  if (uset) {
    switch (how) {
    case SIG_BLOCK: t->blocked |= set; break;
    case SIG_UNBLOCK: t->blocked &= ~set; break;
    case SIG_SETMASK: t->blocked = set; break;
    default: r = -EINVAL;
    }
    t->blocked &= ~SIG_UNBLOCKABLE;
  }
  spin_unlock(&t->sighand->lock);
  if (r)
    return r;
  if (uoldset && copyout(uoldset, &old, 8))
    return -EFAULT;
  return 0;
}

long sys_rt_sigpending(uaddr_t uset, size_t sigsetsize)
{
  if (sigsetsize > sizeof(sigset_t))
    return -EINVAL;
  struct task *t = current;
  spin_lock(&t->sighand->lock);
  sigset_t pend = (t->pending.set | t->proc->shared_pending.set) & t->blocked;
  spin_unlock(&t->sighand->lock);
  return copyout(uset, &pend, sigsetsize) ? -EFAULT : 0;
}

long sys_rt_sigsuspend(uaddr_t umask, size_t sigsetsize)
{
  if (sigsetsize != sizeof(sigset_t))
    return -EINVAL;
  sigset_t mask;
  if (copyin(&mask, umask, 8))
    return -EFAULT;
  struct task *t = current;
  spin_lock(&t->sighand->lock);
  t->saved_mask = t->blocked;
  t->restore_saved_mask = true;
  t->blocked = mask & ~SIG_UNBLOCKABLE;
  spin_unlock(&t->sighand->lock);
  struct wait_queue wq = WAIT_QUEUE_INIT(wq);
  wait_event(&wq, false, WAIT_FOREVER);
  /* Restoring the mask happens when the handler frame is built (it saves
   * saved_mask) or below if no handler runs. */
  if (!signal_pending(t)) {
    spin_lock(&t->sighand->lock);
    t->blocked = t->saved_mask;
    t->restore_saved_mask = false;
    spin_unlock(&t->sighand->lock);
  }
  return -ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(uaddr_t uset, uaddr_t uinfo, uaddr_t utimeout, size_t sigsetsize)
{
  if (sigsetsize != sizeof(sigset_t))
    return -EINVAL;
  sigset_t set;
  if (copyin(&set, uset, 8))
    return -EFAULT;
  set &= ~SIG_UNBLOCKABLE;
  uint64_t timeout = WAIT_FOREVER;
  if (utimeout) {
    long e = get_user_timespec_ns(utimeout, &timeout);
    if (e)
      return e;
  }
  struct task *t = current;
  uint64_t deadline = timeout == WAIT_FOREVER ? 0 : time_monotonic_ns() + timeout;
  /* Unblock the waited-for signals while sleeping so they wake us; those
   * that were blocked stay unignorable (real_blocked), as in Linux, so an
   * ignored signal we wait for is still queued. */
  spin_lock(&t->sighand->lock);
  sigset_t saved = t->blocked;
  t->real_blocked = saved;
  t->blocked &= ~set;
  spin_unlock(&t->sighand->lock);
  struct wait_queue wq = WAIT_QUEUE_INIT(wq);
  int sig = 0;
  struct ksiginfo info;
  for (;;) {
    spin_lock(&t->sighand->lock);
    sigset_t pend = (t->pending.set | t->proc->shared_pending.set) & set;
    if (pend)
      sig = dequeue_signal_from(t, set, &info);
    spin_unlock(&t->sighand->lock);
    if (sig)
      break;
    long w = wait_event(&wq, signal_pending(t), timeout);
    if (w == -ETIMEDOUT || w == -EAGAIN) {
      sig = -EAGAIN;
      break;
    }
    spin_lock(&t->sighand->lock);
    bool other = ((t->pending.set | t->proc->shared_pending.set) & ~set & ~saved) != 0;
    spin_unlock(&t->sighand->lock);
    if (other || t->proc->exiting) {
      sig = -EINTR;
      break;
    }
    if (timeout != WAIT_FOREVER) { /* spurious: wait out what is left */
      uint64_t now = time_monotonic_ns();
      timeout = now < deadline ? deadline - now : 0;
    }
  }
  spin_lock(&t->sighand->lock);
  t->blocked = saved;
  t->real_blocked = 0;
  spin_unlock(&t->sighand->lock);
  if (sig > 0 && uinfo) {
    uint8_t buf[128];
    memset(buf, 0, sizeof(buf));
    int32_t v[4] = { info.signo, info.errno_, info.code, 0 };
    memcpy(buf, v, 16);
    memcpy(buf + 16, &info.pid, 4);
    memcpy(buf + 20, &info.uid, 4);
    if (siginfo_is_poll(info.signo, info.code)) {
      memcpy(buf + 16, &info.band, 8);
      memcpy(buf + 24, &info.fd, 4);
    } else if (info.signo == SIGCHLD)
      memcpy(buf + 24, &info.status, 4);
    else
      memcpy(buf + 24, &info.value, 8);
    if (copyout(uinfo, buf, sizeof(buf)))
      return -EFAULT;
  }
  return sig;
}

long sys_rt_sigreturn(void)
{
  return do_sigreturn();
}

long sys_sigaltstack(uaddr_t uss, uaddr_t uold)
{
  struct task *t = current;
  struct user_stack_t old = t->altstack;
  uint64_t sp = t->tf->sp;
  bool on = !(old.ss_flags & SS_DISABLE) && sp > old.ss_sp && sp <= old.ss_sp + old.ss_size;
  if (uss) {
    struct user_stack_t ss;
    if (copyin(&ss, uss, sizeof(ss)))
      return -EFAULT;
    if (on)
      return -EPERM;
    if (ss.ss_flags & ~(SS_DISABLE | (int)0x80000000u /* SS_AUTODISARM */))
      return -EINVAL;
    if (ss.ss_flags & SS_DISABLE) {
      t->altstack = (struct user_stack_t){ 0, SS_DISABLE, 0, 0 };
    } else {
      if (ss.ss_size < 2048)
        return -ENOMEM;
      t->altstack = ss;
      t->altstack.ss_flags = 0;
    }
  }
  if (uold) {
    old.ss_flags = (old.ss_flags & SS_DISABLE) ? SS_DISABLE : on ? SS_ONSTACK : 0;
    if (copyout(uold, &old, sizeof(old)))
      return -EFAULT;
  }
  return 0;
}
