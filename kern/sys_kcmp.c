/*
 * sys_kcmp.c — kcmp(pid1, pid2, type, idx1, idx2): do two threads share a
 * kernel object? The answer for checkpoint/restore tools (CRIU) and for
 * programs that must know whether two descriptors are one open file
 * (Mesa compares DRM descriptors this way).
 *
 * Like Linux it answers 0 (the same object), 1 or 2 (different: an order
 * of the objects' addresses after they are scrambled with per-boot random
 * cookies, so the order is stable within a boot but tells nothing about
 * kernel addresses). The caller needs ptrace's read access to both
 * (may_access_process, else EPERM). Kinds: KCMP_FILE (a descriptor in
 * each), KCMP_VM (address space), KCMP_FILES (descriptor table), KCMP_FS
 * (root, cwd, umask), KCMP_SIGHAND (signal handlers), KCMP_IO (I/O
 * context: Kite has none, so every pair is the same, as on Linux for two
 * tasks that never made one), KCMP_SYSVSEM (System V semaphore undo list:
 * none until the first SEM_UNDO or CLONE_SYSVSEM — every pthread_create —
 * then the one the process shares with those cloned with CLONE_SYSVSEM) and
 * KCMP_EPOLL_TFD (a descriptor against the file an epoll item of the
 * other watches).
 *
 * Locks: proc_lock while the threads are looked up and their shared
 * objects read (all but the descriptor tables, which are referenced and
 * read under their own lock).
 *
 * Layer: syscalls. Below: kern/pid.c (finding the threads), fs/fdtable.h
 * (descriptors), fs/epoll.c (epoll_target_file), kern/pidfd.c
 * (may_access_process).
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/pidfd.h"
#include "kern/epoll.h"
#include "kern/vm.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/devfs.h"
#include <string.h>

enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, KCMP_EPOLL_TFD, KCMP_TYPES };

struct kcmp_epoll_slot {
  uint32_t efd, tfd, toff;
};

static unsigned long cookies[KCMP_TYPES][2];
static int cookies_ready;

/* Linux's kptr_obfuscate and kcmp_ptr: 0 equal, 1 below, 2 above. */
static long kcmp_ptr(const void *a, const void *b, int type)
{
  if (!__atomic_load_n(&cookies_ready, __ATOMIC_ACQUIRE)) {
    unsigned long c[KCMP_TYPES][2];
    random_bytes(c, sizeof(c));
    for (int i = 0; i < KCMP_TYPES; i++)
      c[i][1] |= (~(~0UL >> 1)) | 1;  /* odd, top bit set: the multiply is a bijection */
    spin_lock(&proc_lock);
    if (!cookies_ready) {
      memcpy(cookies, c, sizeof(c));
      __atomic_store_n(&cookies_ready, 1, __ATOMIC_RELEASE);
    }
    spin_unlock(&proc_lock);
  }
  long t1 = (long)(((unsigned long)(uintptr_t)a ^ cookies[type][0]) * cookies[type][1]);
  long t2 = (long)(((unsigned long)(uintptr_t)b ^ cookies[type][0]) * cookies[type][1]);
  return (t1 < t2) | ((t1 > t2) << 1);
}

/* The open file at descriptor fd of t (not referenced: only compared), or NULL. */
static struct file *raw_file(struct files *files, unsigned long fd)
{
  if (!files)
    return NULL;
  spin_lock(&files->lock);
  struct file *f = fd < (unsigned long)files->size ? files->fd[fd] : NULL;
  spin_unlock(&files->lock);
  return f;
}

static long epoll_target(struct files *f1, struct files *f2, unsigned long idx1, uaddr_t uslot)
{
  struct kcmp_epoll_slot slot;
  if (copyin(&slot, uslot, sizeof(slot)))
    return -EFAULT;
  struct file *a = raw_file(f1, idx1);
  if (!a)
    return -EBADF;
  struct file *ef = NULL;
  if (f2) {
    spin_lock(&f2->lock);
    if (slot.efd < (uint32_t)f2->size && (ef = f2->fd[slot.efd]))
      fget(ef);
    spin_unlock(&f2->lock);
  }
  if (!ef)
    return -EBADF;
  struct file *b = epoll_target_file(ef, (int)slot.tfd, slot.toff);
  fput(ef);
  if (IS_ERR(b))
    return PTR_ERR(b);
  return kcmp_ptr(a, b, KCMP_FILE);
}

long sys_kcmp(int pid1, int pid2, int type, unsigned long idx1, unsigned long idx2)
{
  spin_lock(&proc_lock);
  struct task *t1 = find_task_vnr(pid1), *t2 = find_task_vnr(pid2);
  struct process *p1 = t1 ? t1->proc : NULL, *p2 = t2 ? t2->proc : NULL;
  if (p1)
    process_get(p1);
  if (p2)
    process_get(p2);
  spin_unlock(&proc_lock);
  long r = -ESRCH;
  if (!t1 || !t2)
    goto out;
  r = -EPERM;
  if (!may_access_process(p1) || !may_access_process(p2))
    goto out;
  /* The shared objects, read under proc_lock (a thread that has exited
   * has none left: the comparison is then of NULLs, as Linux's of an
   * exiting task's cleared pointers). */
  const void *a = NULL, *b = NULL;
  struct files *f1 = NULL, *f2 = NULL;
  spin_lock(&proc_lock);
  if (find_task_vnr(pid1) != t1 || find_task_vnr(pid2) != t2) {
    spin_unlock(&proc_lock);
    r = -ESRCH;
    goto out;
  }
  switch (type) {
  case KCMP_FILE:
  case KCMP_EPOLL_TFD:
    if ((f1 = t1->files))
      files_get(f1);
    if ((f2 = t2->files))
      files_get(f2);
    break;
  case KCMP_VM:
    a = t1->mm, b = t2->mm;
    break;
  case KCMP_FILES:
    a = t1->files, b = t2->files;
    break;
  case KCMP_FS:
    a = t1->fs, b = t2->fs;
    break;
  case KCMP_SIGHAND:
    a = t1->sighand, b = t2->sighand;
    break;
  case KCMP_IO:
    break;  /* no I/O contexts: NULL and NULL */
  case KCMP_SYSVSEM:
    a = READ_ONCE(p1->sem_undo_list), b = READ_ONCE(p2->sem_undo_list);
    break;
  }
  spin_unlock(&proc_lock);
  switch (type) {
  case KCMP_FILE: {
    struct file *x = raw_file(f1, idx1), *y = raw_file(f2, idx2);
    r = x && y ? kcmp_ptr(x, y, KCMP_FILE) : -EBADF;
    break;
  }
  case KCMP_EPOLL_TFD:
    r = epoll_target(f1, f2, idx1, (uaddr_t)idx2);
    break;
  case KCMP_VM:
  case KCMP_FILES:
  case KCMP_FS:
  case KCMP_SIGHAND:
  case KCMP_IO:
  case KCMP_SYSVSEM:
    r = kcmp_ptr(a, b, type);
    break;
  default:
    r = -EINVAL;
  }
  if (f1)
    files_put(f1);
  if (f2)
    files_put(f2);
out:
  if (p1)
    process_put(p1);
  if (p2)
    process_put(p2);
  return r;
}
