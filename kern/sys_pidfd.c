/*
 * sys_pidfd.c — the pidfd system calls: pidfd_open, pidfd_send_signal,
 * pidfd_getfd and process_mrelease. System-call layer over the pidfd file
 * kind (kern/pidfd.c); signals through kern/signal.c, descriptor tables
 * through fs/, ptrace's access rule from kern/process_vm.c.
 *
 * Locks: proc_lock to look processes and threads up; a process's threads'
 * descriptor table is referenced (files_get) before it is read.
 */
#include "kern/pidfd.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/signal.h"
#include "kern/cred.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include <string.h>

#define PIDFD_NONBLOCK O_NONBLOCK

long sys_pidfd_open(int pid, unsigned int flags)
{
  if (flags & ~PIDFD_NONBLOCK)
    return -EINVAL;
  if (pid <= 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct process *p = find_process_vnr(pid);
  long r = 0;
  if (p)
    process_get(p);
  else
    r = find_task_vnr(pid) ? -EINVAL : -ESRCH; /* a thread that leads no group */
  spin_unlock(&proc_lock);
  if (!p)
    return r;
  r = pidfd_install(p, (int)flags);
  process_put(p);
  return r;
}

/*
 * pidfd_send_signal: kill(2) by pidfd. With a siginfo, its si_signo must
 * be sig, and only a process signalling itself may claim a kill() or
 * kernel origin (si_code >= 0) or tkill's (EPERM), as rt_sigqueueinfo.
 */
long sys_pidfd_send_signal(int pidfd, int sig, uaddr_t uinfo, unsigned int flags)
{
  if (flags)
    return -EINVAL;
  long err;
  struct process *p = get_signal_target(pidfd, &err);
  if (!p)
    return err;
  struct ksiginfo info;
  memset(&info, 0, sizeof(info));
  info.signo = sig;
  info.code = SI_USER;
  spin_lock(&proc_lock);
  signal_info_for(&info, p); /* si_pid as p's pid namespace numbers us */
  /* only a process in our namespace or one below it (a pidfd passed up
   * from below must not reach above: Linux's access_pidfd_pidns) */
  long r = find_process(p->pid) == p && !pid_ns_within(pid_ns_of(p->pid), current_pid_ns()) ? -EINVAL : 0;
  spin_unlock(&proc_lock);
  if (r)
    goto out;
  if (uinfo) {
    uint8_t buf[128];
    int32_t signo, code;
    if (copyin(buf, uinfo, sizeof(buf))) {
      r = -EFAULT;
      goto out;
    }
    memcpy(&signo, buf, 4);
    memcpy(&code, buf + 8, 4);
    if (signo != sig) {
      r = -EINVAL;
      goto out;
    }
    if (p != current->proc && (code >= 0 || code == SI_TKILL)) {
      r = -EPERM;
      goto out;
    }
    info.code = code;
    memcpy(&info.pid, buf + 16, 4);
    memcpy(&info.uid, buf + 20, 4);
    memcpy(&info.value, buf + 24, 8);
  }
  if (process_reaped(p))
    r = -ESRCH;
  else if (sig < 0 || sig > NSIG)
    r = -EINVAL;
  else if ((r = kill_permission(p, sig)))
    ;
  else if (sig)
    r = send_signal_process(p, sig, &info); /* (to a zombie: nothing, 0) */
out:
  process_put(p);
  return r;
}

/*
 * pidfd_getfd: a duplicate, in the caller, of descriptor targetfd of the
 * process (close-on-exec, as Linux). A process with no live thread has no
 * descriptors any more: EBADF, as there; a reaped one ESRCH.
 */
long sys_pidfd_getfd(int pidfd, int targetfd, unsigned int flags)
{
  if (flags)
    return -EINVAL;
  long err;
  struct process *p = get_pidfd_process(pidfd, NULL, &err);
  if (!p)
    return err;
  if (!may_access_process(p)) {
    process_put(p);
    return -EPERM;
  }
  struct files *files = NULL;
  spin_lock(&proc_lock);
  bool reaped = find_process(p->pid) != p;
  struct task *t;
  list_for_each_entry(t, &p->threads, thread_link) {
    if (t->files) {
      files = t->files;
      files_get(files);
      break;
    }
  }
  spin_unlock(&proc_lock);
  long r;
  if (reaped && !files) {
    r = -ESRCH;
  } else if (!files) {
    r = -EBADF;
  } else {
    struct file *f = NULL;
    spin_lock(&files->lock);
    if (targetfd >= 0 && targetfd < files->size && (f = files->fd[targetfd]))
      fget(f);
    spin_unlock(&files->lock);
    files_put(files);
    if (!f) {
      r = -EBADF;
    } else {
      r = fd_install(f, 0, true);
      if (r < 0)
        fput(f);
    }
  }
  process_put(p);
  return r;
}

/*
 * process_mrelease(pidfd, flags): free the memory of a process that is
 * dying, before its threads have all gone (Linux's oom reaper, asked for
 * by user-space memory managers such as Android's lmkd). Linux's checks
 * and errors: flags must be 0 (EINVAL); not a pidfd (EBADF); a process
 * reaped or with no address space left — every thread gone — is ESRCH; a
 * process that is not dying (no SIGKILL pending, no group exit under way)
 * is EINVAL. A dying one: 0. Kite frees an address space when its last
 * thread leaves it, which a dying thread does at its next return towards
 * user mode, so there is nothing to take early: the call answers 0 and
 * the memory goes with the threads.
 */
long sys_process_mrelease(int pidfd, unsigned int flags)
{
  if (flags)
    return -EINVAL;
  long err;
  struct process *p = get_pidfd_process(pidfd, NULL, &err);
  if (!p)
    return err;
  long r;
  spin_lock(&proc_lock);
  bool has_mm = false;
  struct task *t;
  list_for_each_entry(t, &p->threads, thread_link)
    if (t->mm)
      has_mm = true;
  bool dying = p->exiting || (READ_ONCE(p->shared_pending.set) & SIGMASK(SIGKILL));
  list_for_each_entry(t, &p->threads, thread_link)
    if (READ_ONCE(t->pending.set) & SIGMASK(SIGKILL))
      dying = true;
  spin_unlock(&proc_lock);
  if (process_reaped(p) || !has_mm || process_gone(p))
    r = -ESRCH;
  else
    r = dying ? 0 : -EINVAL;
  process_put(p);
  return r;
}
