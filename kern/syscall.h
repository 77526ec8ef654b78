/*
 * syscall.h — system call dispatch (layer 3 of trap handling).
 *
 * The table is generated from kern/syscall.tbl. Each handler is
 * sys_<name>(typed arguments) returning a value or a negative errno.
 *
 * Layer: syscalls (kern/syscall.c and the generated table). Below: every
 * sys_*.c handler. Above: arch/riscv/trap.c, which calls
 * syscall_dispatch for an ecall from user mode. Locks: none held on entry
 * or exit of a handler.
 */
#ifndef KITE_SYSCALL_H
#define KITE_SYSCALL_H

#include "kern/types.h"
#include "kern/errno.h"

#define NR_SYSCALLS 512

struct syscall_entry {
  const char *name;
  long (*fn)(const uint64_t *args);
  bool nosleep; /* runs with interrupts off (the flag in kern/syscall.tbl) */
};

extern const struct syscall_entry syscall_table[NR_SYSCALLS];

/* Is system call nr flagged nosleep in kern/syscall.tbl (a few loads, no
 * sleep, no lock, no user memory)? arch/riscv/trap.c then leaves
 * interrupts off for it. */
static inline bool syscall_nosleep(uint64_t nr)
{
  return nr < NR_SYSCALLS && syscall_table[nr].nosleep;
}

struct trapframe;
/* An ecall from user mode (the current task's tf): run the handler named
 * by a7 with a0-a5 and put its result in a0 (-ENOSYS for an unknown
 * number); the restart codes (-ERESTART*) are left for the signal code.
 * Interrupts on, no lock held. */
void syscall_dispatch(struct trapframe *tf);
/* On the way back to user mode when no handler ran (kern/signal.c): a
 * system call that returned a restart code is restarted (epc back on the
 * ecall, a0 restored), or EINTR for restart_syscall's kind. */
void syscall_restart_check(struct trapframe *tf);
/* rt_sigreturn (kern/signal.c): restore the registers, mask and
 * alternate stack saved in the signal frame on the user stack. Returns the
 * restored a0; a frame that cannot be read kills with SIGSEGV. */
long do_sigreturn(void);

/* Copy a path argument into a kernel buffer of PATH_MAX bytes: its length,
 * or -EFAULT, -ENAMETOOLONG (kern/uaccess.c, so that fs/ may use it). */
long copy_path(char *dst, uaddr_t src);

#endif
