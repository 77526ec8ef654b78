/*
 * pidfd.c — process file descriptors: pidfd_open, pidfd_send_signal,
 * pidfd_getfd, clone's CLONE_PIDFD and waitid's P_PIDFD.
 *
 * A pidfd is an anonymous file (kern/epoll.c's anon_file) holding a
 * reference to a process: it names that process for as long as it is
 * open, even after the pid is reused. It polls readable (POLLIN) once the
 * process has exited — every thread gone, a zombie or reaped — woken from
 * process_exited() through the process's pidfd_wait queue. Layer: system
 * calls and the file kind; signals through kern/signal.c, descriptor
 * tables through fs/.
 *
 * Locks: proc_lock to look processes and threads up; a process's threads'
 * descriptor table is referenced (files_get) before it is read.
 */
#include "kern/pidfd.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/signal.h"
#include "kern/epoll.h"
#include "kern/cred.h"
#include "kern/poll.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "fs/vfs.h"
#include "fs/fdtable.h"
#include <string.h>

#define PIDFD_NONBLOCK O_NONBLOCK

static bool process_gone(struct process *p)
{
  return READ_ONCE(p->zombie) || READ_ONCE(p->nr_threads) == 0;
}

/* Has p been reaped (its pid freed, maybe reused)? */
static bool process_reaped(struct process *p)
{
  spin_lock(&proc_lock);
  bool gone = find_process(p->pid) != p;
  spin_unlock(&proc_lock);
  return gone;
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
  struct process *p = f->priv;
  poll_wait(f, &p->pidfd_wait, pt);
  return process_gone(p) ? POLLIN | POLLRDNORM : 0;
}

static void pidfd_release(struct file *f)
{
  process_put(f->priv);
}

static const struct file_ops pidfd_fops = {
  .poll = pidfd_poll,
  .release = pidfd_release,
};

void process_exited(struct process *p)
{
  wake_up_events(&p->pidfd_wait, POLLIN | POLLRDNORM);
}

struct process *pidfd_process(struct file *f)
{
  return f && f->fop == &pidfd_fops ? f->priv : NULL;
}

long pidfd_install(struct process *p, int flags)
{
  struct file *f = anon_file(&pidfd_fops, p, flags & PIDFD_NONBLOCK);
  if (!f)
    return -ENOMEM;
  process_get(p);
  long fd = fd_install(f, 0, true); /* always close-on-exec */
  if (fd < 0)
    fput(f);
  return fd;
}

/*
 * May the caller look into p's memory and descriptors (Linux's
 * ptrace_may_access, PTRACE_MODE_ATTACH_REALCREDS)? Its own process, a
 * process whose real, effective and saved ids all are the caller's real
 * ones and which is dumpable, or CAP_SYS_PTRACE.
 */
bool may_access_process(struct process *p)
{
  if (p == current->proc)
    return true;
  const struct cred *c = current_cred();
  spin_lock(&proc_lock);
  struct task *t = list_empty(&p->threads) ? NULL
                                           : list_first_entry(&p->threads, struct task, thread_link);
  const struct cred *tc = t ? get_task_cred(t) : NULL;
  int dumpable = p->dumpable;
  spin_unlock(&proc_lock);
  bool same = tc && c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid &&
              c->gid == tc->gid && c->gid == tc->egid && c->gid == tc->sgid;
  if (tc)
    put_cred(tc);
  if (same && dumpable)
    return true;
  return cred_capable(c, CAP_SYS_PTRACE);
}

/* The process a pidfd descriptor names (referenced), or an error. */
static struct process *get_pidfd_process(int pidfd, int *fflags, long *err)
{
  struct file *f = fd_get(pidfd);
  if (!f) {
    *err = -EBADF;
    return NULL;
  }
  struct process *p = pidfd_process(f);
  if (p) {
    process_get(p);
    if (fflags)
      *fflags = (int)f->flags;
  } else {
    *err = -EBADF;
  }
  fput(f);
  return p;
}

long pidfd_to_pid(int pidfd, int *fflags)
{
  long err;
  struct process *p = get_pidfd_process(pidfd, fflags, &err);
  if (!p)
    return err;
  pid_t pid = p->pid;
  process_put(p);
  return pid;
}

long sys_pidfd_open(int pid, unsigned int flags)
{
  if (flags & ~PIDFD_NONBLOCK)
    return -EINVAL;
  if (pid <= 0)
    return -EINVAL;
  spin_lock(&proc_lock);
  struct process *p = find_process(pid);
  long r = 0;
  if (p)
    process_get(p);
  else
    r = find_task(pid) ? -EINVAL : -ESRCH; /* a thread that leads no group */
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
  struct process *p = get_pidfd_process(pidfd, NULL, &err);
  if (!p)
    return err;
  struct ksiginfo info;
  memset(&info, 0, sizeof(info));
  info.signo = sig;
  info.code = SI_USER;
  info.pid = current->proc->pid;
  long r = 0;
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
