/*
 * pidfd.c — the pidfd file kind: a descriptor naming a process, made by
 * pidfd_open (kern/sys_pidfd.c) and clone's CLONE_PIDFD, read by waitid's
 * P_PIDFD, pidfd_send_signal, pidfd_getfd and process_mrelease.
 *
 * A pidfd is an anonymous file (fs/anon_inodes.c's anon_file) holding a
 * reference to a process: it names that process for as long as it is
 * open, even after the pid is reused. It polls readable (POLLIN) once the
 * process has exited — every thread gone, a zombie or reaped — woken by
 * kern/process.c through the process's pidfd_wait queue (as Linux's
 * do_notify_pidfd). Layer: a file kind (fs, as pipes and epoll); the
 * system calls are in kern/sys_pidfd.c. clone's CLONE_PIDFD reaches
 * pidfd_fork through pidfd_proc_resource (kern/proc_resource.h).
 *
 * Locks: proc_lock to look processes and threads up; a process's threads'
 * descriptor table is referenced (files_get) before it is read.
 */
#include "kern/pidfd.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/signal.h"
#include "fs/anon_inodes.h"
#include "kern/cred.h"
#include "kern/poll.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/procfs.h"
#include "kern/proc_resource.h"
#include "kern/clone.h"
#include <string.h>

#define PIDFD_NONBLOCK O_NONBLOCK

bool process_gone(struct process *p)
{
  return READ_ONCE(p->zombie) || READ_ONCE(p->nr_threads) == 0;
}

/* Has p been reaped (its pid freed, maybe reused)? */
bool process_reaped(struct process *p)
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

/* clone with CLONE_PIDFD: a pidfd for the new process p in the caller's
 * table, its number stored at x->pidfd (checked writable before clone
 * made anything). On a failure nothing is left installed. */
static int pidfd_fork(struct task *t, struct process *p, uint64_t flags, const struct clone_extras *x)
{
  (void)t;
  if (!(flags & CLONE_PIDFD))
    return 0;
  long fd = pidfd_install(p, 0);
  int32_t fd32 = (int32_t)fd;
  if (fd >= 0 && copyout(x->pidfd, &fd32, sizeof(fd32)) == 0)
    return 0;
  if (fd >= 0)
    fd_close((int)fd);
  return fd < 0 ? (int)fd : -EFAULT;
}

/* CLONE_PIDFD, as clone sees it (kern/proc_resource.h). */
static const struct proc_resource pidfd_proc_resource = {
  .name = "pidfd",
  .fork = pidfd_fork,
};

void pidfd_init(void)
{
  proc_resource_register(PROC_RES_PIDFD, &pidfd_proc_resource);
}

/* The process a pidfd descriptor names (referenced), or an error. */
struct process *get_pidfd_process(int pidfd, int *fflags, long *err)
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

struct process *get_signal_target(int fd, long *err)
{
  struct file *f = fd_get(fd);
  if (!f) {
    *err = -EBADF;
    return NULL;
  }
  struct process *p = pidfd_process(f);
  if (p) {
    process_get(p);
  } else if (procfs_dir_process(f, &p)) {
    *err = -ESRCH;
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
