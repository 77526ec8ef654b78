/*
 * pidfd.h — process file descriptors (kern/pidfd.c, kern/sys_pidfd.c).
 *
 * Layer: fs, a file kind (kern/pidfd.c, rank 4 in scripts/layers.tbl);
 * its system calls are kern/sys_pidfd.c. Locks: proc_lock where a
 * process's state is read (process_reaped); the file holds a reference to
 * its process, not a lock.
 */
#ifndef KITE_PIDFD_H
#define KITE_PIDFD_H

#include "kern/types.h"

struct process;
struct file;

/* Have clone honour CLONE_PIDFD (kern/proc_resource.h: the new
 * process's pidfd goes into the caller's table). kmain, once, before the
 * first process. */
void pidfd_init(void);
/* A new pidfd for p in the caller's descriptor table (close-on-exec;
 * flags: O_NONBLOCK): the descriptor or -errno. */
long pidfd_install(struct process *p, int flags);
/* The process a pidfd file names (not referenced), or NULL. */
struct process *pidfd_process(struct file *f);
/* waitid(P_PIDFD): the pid descriptor pidfd names, its file flags in
 * *fflags; -EBADF if it is not a pidfd. */
long pidfd_to_pid(int pidfd, int *fflags);
/* The process pidfd names (referenced), its file flags in *fflags (if not
 * NULL); NULL with *err = -EBADF if pidfd is not a pidfd. */
struct process *get_pidfd_process(int pidfd, int *fflags, long *err);
/* pidfd_send_signal's target (referenced): a pidfd's process, or that of
 * a /proc/<pid> directory open at fd (as Linux's pidfd_to_pid). NULL with
 * *err = -EBADF for any other file, -ESRCH if that process is gone. */
struct process *get_signal_target(int fd, long *err);
/* Has p exited (a zombie, or no thread left)? */
bool process_gone(struct process *p);
/* Has p been reaped (its pid freed, maybe reused)? Takes proc_lock. */
bool process_reaped(struct process *p);
/* May the caller read p's memory and descriptors (ptrace's attach rule;
 * kern/process_vm.c)? */
bool may_access_process(struct process *p);

#endif
