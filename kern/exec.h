/* exec.h — execve (fs/exec.c). */
#ifndef KITE_EXEC_H
#define KITE_EXEC_H
#include "kern/types.h"
struct exec_args;
long do_execve(const char *path, uaddr_t argv, uaddr_t envp);
long do_execveat(int dirfd, const char *path, uaddr_t argv, uaddr_t envp, int flags);
int kernel_execve_args(const char *path, struct exec_args *a);
int kernel_execve(const char *path, const char *const argv[], const char *const envp[]);
void exec_kill_other_threads(void);   /* kern/process.c */
#endif
