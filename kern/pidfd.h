/* pidfd.h — process file descriptors (kern/pidfd.c). */
#ifndef KITE_PIDFD_H
#define KITE_PIDFD_H

#include "kern/types.h"

struct process;
struct file;

/* A new pidfd for p in the caller's descriptor table (close-on-exec;
 * flags: O_NONBLOCK): the descriptor or -errno. */
long pidfd_install(struct process *p, int flags);
/* The process a pidfd file names (not referenced), or NULL. */
struct process *pidfd_process(struct file *f);
/* waitid(P_PIDFD): the pid descriptor pidfd names, its file flags in
 * *fflags; -EBADF if it is not a pidfd. */
long pidfd_to_pid(int pidfd, int *fflags);
/* May the caller read p's memory and descriptors (ptrace's attach rule)? */
bool may_access_process(struct process *p);
/* p has exited (proc_lock held): wake its pidfds' pollers. */
void process_exited(struct process *p);

#endif
