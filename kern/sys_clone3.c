/*
 * sys_clone3.c — clone3, unshare and setns: the calls about what a task
 * shares. System-call layer over do_clone (kern/process.c) and the shared
 * objects of kern/task.h.
 *
 * Namespaces (kern/nsproxy.h, docs/namespaces.md): new UTS, mount, IPC,
 * PID and user namespaces (kern/user_namespace.h) are made; of the other
 * kinds (network, cgroup, time) there is one instance, and a request for a new one is EINVAL (after
 * Linux's EPERM for a caller without CAP_SYS_ADMIN), the answer of a Linux
 * built without that kind. setns joins a namespace named by a
 * /proc/<pid>/ns file (fs/nsfs.c) or the ones of the process a pidfd names.
 * unshare of the descriptor table and the file system context is real; of
 * the address space, handlers and thread group it is possible only for a
 * single thread, where it changes nothing.
 */
#include "kern/syscall.h"
#include "kern/clone.h"
#include "kern/pidfd.h"
#include "kern/task.h"
#include "kern/signal.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "kern/cred.h"
#include "kern/nsproxy.h"
#include "kern/pid_namespace.h"
#include "kern/user_namespace.h"
#include "fs/nsfs.h"
#include "ipc/ipc.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/fdtable.h"
#include <string.h>

struct clone_args64 {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

/* Linux's clone3_args_valid. */
static bool args_valid(struct clone_args64 *a)
{
  if (a->flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
    return false;
  if (a->flags & (CLONE_DETACHED | CSIGNAL))
    return false;
  if ((a->flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
    return false;
  if ((a->flags & (CLONE_THREAD | CLONE_PARENT)) && a->exit_signal)
    return false;
  if (a->stack == 0)
    return a->stack_size == 0;
  return a->stack_size != 0 && a->stack + a->stack_size > a->stack; /* no wrap */
}

/*
 * clone3(args, size): clone with its arguments in a structure that may
 * grow (a bigger one must be zero past what the kernel knows: E2BIG),
 * plus CLONE_PIDFD into args.pidfd, CLONE_CLEAR_SIGHAND, a chosen pid
 * (set_tid, one level: the number in the child's own PID namespace) and a stack given as
 * base and size. CLONE_INTO_CGROUP is checked and then changes nothing:
 * Kite has no control groups, and a Linux built without them does the
 * same.
 */
long sys_clone3(uaddr_t uargs, size_t size)
{
  struct clone_args64 a;
  if (size > PAGE_SIZE)
    return -E2BIG;
  if (size < CLONE_ARGS_SIZE_VER0)
    return -EINVAL;
  memset(&a, 0, sizeof(a));
  if (copyin(&a, uargs, MIN(size, sizeof(a))))
    return -EFAULT;
  for (size_t off = sizeof(a); off < size; off++) {
    uint8_t b;
    if (copyin(&b, uargs + off, 1))
      return -EFAULT;
    if (b)
      return -E2BIG;
  }
  if (a.set_tid_size > MAX_PID_NS_LEVEL || (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
    return -EINVAL;
  if (a.exit_signal > NSIG)
    return -EINVAL;
  if ((a.flags & CLONE_INTO_CGROUP) && (a.cgroup > INT32_MAX || size < 88))
    return -EINVAL;
  if (!args_valid(&a))
    return -EINVAL;
  struct clone_extras x = { .pidfd = a.pidfd };
  if (a.set_tid_size) {
    if (a.set_tid_size > 1)
      return -EINVAL; /* Kite chooses the number of one level only */
    int32_t tid;
    if (copyin(&tid, a.set_tid, sizeof(tid)))
      return -EFAULT;
    if (tid < 1 || tid >= PID_MAX)
      return -EINVAL;
    if (!capable(CAP_CHECKPOINT_RESTORE) && !capable(CAP_SYS_ADMIN))
      return -EPERM;
    x.set_tid = tid;
  }
  uaddr_t sp = a.stack ? a.stack + a.stack_size : 0;
  return do_clone(a.flags & ~CLONE_INTO_CGROUP, sp, a.parent_tid, a.tls, a.child_tid, (int)a.exit_signal, &x);
}

/* ---- unshare ---- */

#define UNSHARE_VALID (CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | \
                       CLONE_SYSVSEM | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |  \
                       CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)
#define NEW_NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | \
                        CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)

static long unshare_rest(struct task *t, uint64_t flags, struct user_namespace *owner);

long sys_unshare(uint64_t flags)
{
  struct task *t = current;
  if (flags & ~(uint64_t)UNSHARE_VALID)
    return -EINVAL;
  /* what Linux implies */
  if (flags & CLONE_NEWUSER)
    flags |= CLONE_THREAD | CLONE_FS;
  if (flags & CLONE_VM)
    flags |= CLONE_SIGHAND;
  if (flags & CLONE_SIGHAND)
    flags |= CLONE_THREAD;
  if (flags & CLONE_NEWNS)
    flags |= CLONE_FS;
  if (flags & CLONE_NEWIPC)
    flags |= CLONE_SYSVSEM;
  if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && READ_ONCE(t->proc->nr_threads) > 1)
    return -EINVAL;
  if ((flags & (CLONE_SIGHAND | CLONE_VM)) && __atomic_load_n(&t->sighand->refcount, __ATOMIC_ACQUIRE) > 1)
    return -EINVAL;
  if ((flags & CLONE_VM) && t->mm && __atomic_load_n(&t->mm->refcount, __ATOMIC_ACQUIRE) > 1)
    return -EINVAL; /* (a vfork child shares its parent's) */
  /* A new user namespace first (Linux's unshare_userns): the other new
   * namespaces are owned by it, and CAP_SYS_ADMIN is asked there. The
   * cred is committed last, when nothing can fail any more. */
  struct cred *ucred = NULL;
  struct user_namespace *owner = current_user_ns();
  if (flags & CLONE_NEWUSER) {
    if (!(ucred = prepare_creds()))
      return -ENOMEM;
    long err = create_user_ns(ucred, current_chrooted());
    if (err) {
      abort_creds(ucred);
      return err;
    }
    owner = ucred->user_ns;
  }
  if ((flags & NEW_NAMESPACES & ~(uint64_t)CLONE_NEWUSER) && !ns_capable(owner, CAP_SYS_ADMIN)) {
    if (ucred)
      abort_creds(ucred);
    return -EPERM; /* before changing anything, as Linux */
  }
  long r = unshare_rest(t, flags, owner);
  if (ucred) {
    if (r)
      abort_creds(ucred);
    else
      commit_creds(ucred);
  }
  return r;
}

/* unshare's changes after the checks: the fs context, the descriptor
 * table, the undo list and new namespaces (owned by owner). */
static long unshare_rest(struct task *t, uint64_t flags, struct user_namespace *owner)
{
  if ((flags & CLONE_FS) && __atomic_load_n(&t->fs->refcount, __ATOMIC_ACQUIRE) > 1) {
    struct fs_context *fs = fs_context_copy(t->fs);
    if (!fs)
      return -ENOMEM;
    struct fs_context *old = t->fs;
    t->fs = fs;
    fs_context_put(old);
  }
  if ((flags & CLONE_FILES) && __atomic_load_n(&t->files->refcount, __ATOMIC_ACQUIRE) > 1) {
    struct files *files = files_copy(t->files);
    if (!files)
      return -ENOMEM;
    struct files *old = t->files;
    t->files = files;
    files_put(old);
  }
  /* CLONE_SYSVSEM: leave the undo list (its adjustments are applied when
   * no other process shares it, as at exit); it belongs to the IPC
   * namespace a CLONE_NEWIPC leaves */
  if (flags & CLONE_SYSVSEM)
    exit_sem(t->proc);
  return ns_unshare(flags, owner);
}

/* ---- setns ---- */

/*
 * setns(fd, nstype): join the namespace a /proc/<pid>/ns file names
 * (nstype 0 or its type, else EINVAL), or the namespaces of kinds nstype
 * of the process a pidfd names. Any other file: EINVAL.
 */
long sys_setns(int fd, int nstype)
{
  struct file *f = fd_get_raw(fd);
  if (!f)
    return -EBADF;
  struct ns_common *ns = nsfs_file_ns(f);
  struct process *p = ns ? NULL : pidfd_process(f);
  long r = 0;
  if (ns) {
    if (nstype && (uint64_t)nstype != ns->type)
      r = -EINVAL;
    else if (ns->type == CLONE_NEWUSER)
      r = userns_install(to_user_ns(ns), __atomic_load_n(&current->fs->refcount, __ATOMIC_ACQUIRE) > 1);
    else if (!(r = ns_setns(ns)) && ns->type == CLONE_NEWIPC)
      exit_sem(current->proc); /* the undo list stays with the namespace left */
  } else if (!p) {
    r = -EINVAL; /* not a namespace file */
  } else if (!nstype || (nstype & ~(int)NEW_NAMESPACES)) {
    r = -EINVAL;
  } else if (READ_ONCE(p->zombie) || READ_ONCE(p->nr_threads) == 0) {
    r = -ESRCH;
  } else if (!may_access_process(p)) {
    r = -EPERM; /* Linux's ptrace_may_access(PTRACE_MODE_READ_REALCREDS) */
  } else if ((nstype & CLONE_NEWNS) && !(nstype & CLONE_NEWUSER) && ns_capable(current_user_ns(), CAP_SYS_ADMIN) &&
             ns_capable(current_user_ns(), CAP_SYS_CHROOT) && __atomic_load_n(&current->fs->refcount, __ATOMIC_ACQUIRE) > 1) {
    r = -EINVAL; /* the fs context is shared (CLONE_FS): refused before anything changes */
  } else if (!(r = ns_setns_process(p, (uint64_t)nstype,
                                      __atomic_load_n(&current->fs->refcount, __ATOMIC_ACQUIRE) > 1)) &&
             (nstype & CLONE_NEWIPC)) {
    exit_sem(current->proc);
  }
  fput(f);
  return r;
}
