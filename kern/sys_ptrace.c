/*
 * sys_ptrace.c — ptrace(request, pid, addr, data): the system call of
 * process tracing (docs/ptrace.md). Thin on purpose: the arguments mean
 * different things per request (addr a tracee address, a register-set
 * type or a size; data a signal, an option set, or the caller's
 * pointer), so each request's checks live with its mechanism in
 * kern/ptrace.c.
 *
 * Layer: syscalls. Below: kern/ptrace.c. Locks: none held.
 */
#include "kern/syscall.h"
#include "kern/ptrace.h"

long sys_ptrace(long request, int pid, unsigned long addr, unsigned long data)
{
  return ptrace_request(request, pid, addr, data);
}
