/*
 * exec.h — execve (fs/exec.c), and the thread side of it (kern/process.c).
 *
 * Layer: fs (fs/exec.c opens the program and reads its ELF headers through
 * the VFS; kern/elf.c checks them); the header stays in kern/ for its
 * callers, kern/sys_proc.c and kmain. Locks: none held on entry; exec
 * takes mm->lock to build the new address space and proc_lock to end the
 * other threads.
 */
#ifndef KITE_EXEC_H
#define KITE_EXEC_H
#include "kern/types.h"
struct exec_args;
/*
 * execve of the current task: path (a kernel string) and the user
 * argv/envp arrays; execveat of path relative to dirfd (AT_EMPTY_PATH:
 * dirfd's own file; AT_SYMLINK_NOFOLLOW: ELOOP on a final symlink).
 * Returns 0 with the task set up to start the new program on its return to
 * user mode, or -errno (-EFAULT, -E2BIG, -ENOENT, -EACCES, -ENOEXEC, ...)
 * with the old program intact — unless the failure came after the point of
 * no return, which kills the process. Process context, no lock held.
 */
long do_execve(const char *path, uaddr_t argv, uaddr_t envp);
long do_execveat(int dirfd, const char *path, uaddr_t argv, uaddr_t envp, int flags);
/* Exec with arguments already in the kernel (a; the caller frees them),
 * or from NULL-terminated arrays: starts /init from a kernel thread.
 * Returns as do_execve. */
int kernel_execve_args(const char *path, struct exec_args *a);
int kernel_execve(const char *path, const char *const argv[], const char *const envp[]);
/* execve in a multi-threaded process (kern/process.c): make every other
 * thread exit and wait for them (uninterruptibly); the caller becomes the
 * leader, taking the process's pid. Takes proc_lock; none held on entry. */
void exec_kill_other_threads(void);
#endif
