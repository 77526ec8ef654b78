/*
 * proc_resource.h — what a process holds from the layers above the core:
 * how clone gives a child its share and exit lets go of it.
 *
 * Layer: core (kern/process.c calls these). A task or process holds
 * things that live in higher layers: the descriptor table and the fs
 * context (fs/), a pidfd made by CLONE_PIDFD (kern/pidfd.c), the
 * controlling terminal (drivers/tty.c), POSIX record locks (fs/locks.c),
 * System V semaphore adjustments (ipc/sem.c). kern/process.c names none
 * of their functions or objects: each owner fills a struct proc_resource
 * and registers it in its slot from its init (which kmain calls), and
 * clone and exit call every registered
 * resource in slot order (Linux's copy_process calls copy_files,
 * copy_fs, ... by name; the order there is the order of the calls, here
 * it is the enum below).
 *
 * Locks: registration happens at boot, before any process exists, so
 * the table is only read afterwards. Each hook says what it may assume.
 */
#ifndef KITE_PROC_RESOURCE_H
#define KITE_PROC_RESOURCE_H

#include "kern/types.h"

struct task;
struct process;
struct clone_extras;

/*
 * The slots, in the order clone makes the resources and exit drops them.
 * Why this order: the namespaces come after the fs context, as Linux's
 * copy_namespaces after copy_fs, because a new mount namespace moves the
 * child's root and cwd to its copies of the mounts (and at exit the fs
 * context's paths are gone before the namespace's mounts are taken
 * down); the pidfd comes after the descriptor table, so a child
 * that copies the table (no CLONE_FILES) does not inherit its own pidfd,
 * and it is the last one that can fail (a descriptor user space might
 * already see is best not taken back). At exit the per-task ones go in
 * slot order right after the address space; the per-process ones after
 * the process has become a zombie: terminal (SIGHUP to the foreground
 * group if the session leader died), POSIX locks, semaphore undo — the
 * order exit had when it called them by name.
 */
enum proc_resource_slot {
  PROC_RES_FILES,   /* fs/file.c: the descriptor table (CLONE_FILES shares it) */
  PROC_RES_FS,      /* fs/namei.c: root, cwd, umask (CLONE_FS shares them) */
  PROC_RES_NS,      /* kern/nsproxy.c: the namespaces (CLONE_NEW* makes new ones) */
  PROC_RES_PIDFD,   /* kern/pidfd.c: CLONE_PIDFD's descriptor in the caller's table */
  PROC_RES_TTY,     /* drivers/tty.c: the controlling terminal of the session */
  PROC_RES_LOCKS,   /* fs/locks.c: POSIX record locks */
  PROC_RES_SEM,     /* ipc/sem.c: SEM_UNDO adjustments */
  NR_PROC_RES
};

struct proc_resource {
  const char *name;
  /*
   * clone: give the new task t its share, from current. p is the new
   * process, or current's own for CLONE_THREAD; t->proc is not set yet.
   * No lock held; may sleep. Returns 0 or -errno; on an error clone
   * calls exit_task(t) of every slot before this one, in reverse order,
   * and fails with it. NULL: nothing to do.
   */
  int (*fork)(struct task *t, struct process *p, uint64_t flags, const struct clone_extras *x);
  /*
   * clone of a new process (not CLONE_THREAD), once nothing can fail any
   * more: proc_lock held, p not yet visible to anyone. Cannot fail or
   * sleep. For what must be read from current->proc where it is kept
   * consistent (the controlling terminal). NULL: nothing to do.
   */
  void (*fork_locked)(struct process *p);
  /*
   * Task t leaves: it exits (after its address space is gone), or a
   * clone that made t failed after this slot's fork succeeded. No lock
   * held. Other harts read t's pointers under proc_lock: clear them under
   * it, then drop the reference. NULL: nothing to do.
   */
  void (*exit_task)(struct task *t);
  /*
   * The last task of p has exited: p is a zombie and its parent has been
   * told (it may even have been reaped: the caller holds a reference).
   * No lock held. NULL: nothing to do.
   */
  void (*exit_process)(struct process *p);
};

/*
 * Fill slot with r: called by the owner's init (nsproxy_init, files_init, fs_context_init,
 * pidfd_init, ctty_init, locks_init, sem_init), which kmain runs once, at
 * boot, before the first process; r stays in use for good. No lock: the
 * table is written only then.
 */
void proc_resource_register(enum proc_resource_slot slot, const struct proc_resource *r);

#endif
