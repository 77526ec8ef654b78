/*
 * process_vm.c — process_vm_readv and process_vm_writev: copy between the
 * caller's memory and another process's without going through the kernel
 * twice (debuggers, MPI). System-call layer over kern/uaccess.c, which
 * reaches any address space through its page table (copyin_mm,
 * copyout_mm).
 *
 * As Linux: the remote side is transferred page by page in order; a fault
 * there ends the transfer, and the bytes moved so far are the answer (or
 * EFAULT if none were). Permission is ptrace's attach rule
 * (may_access_process, here: kcmp and pidfd_getfd use it too).
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/pidfd.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"

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
  const struct cred *tc = get_process_cred_locked(p);
  int dumpable = p->dumpable;
  spin_unlock(&proc_lock);
  if (!tc)
    return false;
  bool same = c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid &&
              c->gid == tc->gid && c->gid == tc->egid && c->gid == tc->sgid;
  /* CAP_SYS_PTRACE counts in the target's user namespace, not the
   * caller's own: a process that made a user namespace has every
   * capability there, but none over the processes outside it. */
  bool ok = (same && dumpable) || cred_ns_capable(c, tc->user_ns, CAP_SYS_PTRACE);
  put_cred(tc);
  return ok;
}

/* The address space of process pid (referenced) into *mmp: 0, -ESRCH,
 * or -EPERM (ptrace's attach rule). */
static long process_mm(pid_t pid, struct mm **mmp)
{
  struct mm *mm = NULL;
  spin_lock(&proc_lock);
  struct process *p = find_process_vnr(pid);
  if (p) {
    process_get(p);
    struct task *t;
    list_for_each_entry(t, &p->threads, thread_link) {
      if (t->mm) {
        mm = t->mm;
        mm_get(mm);
        break;
      }
    }
  }
  spin_unlock(&proc_lock);
  if (!p)
    return -ESRCH;
  bool ok = may_access_process(p);
  process_put(p);
  if (!mm)
    return -ESRCH;
  if (!ok) {
    mm_put(mm);
    return -EPERM;
  }
  *mmp = mm;
  return 0;
}

static long process_vm_rw(pid_t pid, uaddr_t ulocal, unsigned long lcnt, uaddr_t uremote,
                          unsigned long rcnt, unsigned long flags, bool write)
{
  if (flags)
    return -EINVAL;
  if (lcnt > UIO_MAXIOV || rcnt > UIO_MAXIOV)
    return -EINVAL;
  struct uio local;
  struct kiovec *liov;
  long r = uio_import_user_iovec(ulocal, lcnt, &local, &liov);
  if (r)
    return r;
  struct kiovec *riov = rcnt ? kmalloc(rcnt * sizeof(*riov)) : NULL;
  char *buf = kmalloc(PAGE_SIZE);
  if ((rcnt && !riov) || !buf) {
    r = -ENOMEM;
    goto out;
  }
  if (rcnt && copyin(riov, uremote, rcnt * sizeof(*riov))) {
    r = -EFAULT;
    goto out;
  }
  for (unsigned long i = 0; i < rcnt; i++) {
    if ((int64_t)riov[i].len < 0) {
      r = -EINVAL;
      goto out;
    }
  }
  if (!local.resid) { /* (nothing to move: no process is looked at) */
    r = 0;
    goto out;
  }
  struct mm *mm;
  if ((r = process_mm(pid, &mm)))
    goto out;
  ssize_t done = 0;
  bool fault = false;
  for (unsigned long i = 0; i < rcnt && local.resid && !fault; i++) {
    uaddr_t ra = riov[i].base;
    size_t left = riov[i].len;
    while (left && local.resid) {
      size_t n = MIN(MIN(left, local.resid), PAGE_SIZE - (ra & (PAGE_SIZE - 1)));
      long c;
      if (write) {
        c = uio_copy_from(&local, buf, n);
        if (c > 0 && copyout_mm(mm, ra, buf, c))
          c = -EFAULT;
      } else {
        c = copyin_mm(mm, buf, ra, n) ? -EFAULT : uio_copy_to(&local, buf, n);
      }
      if (c <= 0) {
        fault = true;
        if (!done)
          done = c ? c : -EFAULT;
        break;
      }
      done += c;
      ra += c;
      left -= c;
      if ((size_t)c < n) {
        fault = true;
        break;
      }
    }
  }
  mm_put(mm);
  r = done;
out:
  kfree(buf);
  kfree(riov);
  kfree(liov);
  return r;
}

long sys_process_vm_readv(int pid, uaddr_t lvec, unsigned long liovcnt, uaddr_t rvec,
                          unsigned long riovcnt, unsigned long flags)
{
  return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, false);
}

long sys_process_vm_writev(int pid, uaddr_t lvec, unsigned long liovcnt, uaddr_t rvec,
                           unsigned long riovcnt, unsigned long flags)
{
  return process_vm_rw(pid, lvec, liovcnt, rvec, riovcnt, flags, true);
}
