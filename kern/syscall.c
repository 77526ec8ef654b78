/*
 * syscall.c — system call dispatch: a7 holds the number, a0..a5 the
 * arguments; the result (or -errno) goes back in a0.
 *
 * Layer: syscalls. Below: every sys_* handler through the table
 * generated from kern/syscall.tbl; kern/ptrace.c (the syscall-entry and
 * -exit stops of a tracee resumed with PTRACE_SYSCALL). Above:
 * arch/riscv/trap.c (the ecall trap). Locks: none held on entry or exit.
 */
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/param.h"
#include "kern/ptrace.h"
#include "arch/riscv/trap.h"

void syscall_dispatch(struct trapframe *tf)
{
  struct task *t = current;
  uint64_t nr = tf->a7;
  tf->orig_a0 = tf->a0;
  long ret = -ENOSYS;
  t->in_syscall = true;
  if (READ_ONCE(t->ptrace_syscall)) {
    /* PTRACE_SYSCALL: the tracer sees (and may change) the call first */
    if (!ptrace_syscall_entry(tf)) {
      t->in_syscall = false; /* skipped: a0 is what the tracer left */
      ptrace_syscall_exit(tf);
      return;
    }
    nr = tf->a7;
    tf->orig_a0 = tf->a0;
  }
  if (nr < NR_SYSCALLS && syscall_table[nr].fn)
    ret = syscall_table[nr].fn(&tf->a0);
  tf->a0 = (uint64_t)ret;
  if (READ_ONCE(t->ptrace_syscall))
    ptrace_syscall_exit(tf);
}
