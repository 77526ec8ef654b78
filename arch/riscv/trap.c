/*
 * trap.c — what a trap means (layer 2 of 3; trapvec.S saves registers,
 * kern/syscall.c dispatches system calls).
 *
 *   user_trap()    from user mode: system call, page fault, other
 *                  exception (-> signal), or interrupt
 *   kernel_trap()  from the kernel: only interrupts are expected; any
 *                  exception is a kernel bug and panics
 *   prepare_return_to_user()  the last stop before sret: reschedule if the
 *                  time slice ran out, deliver pending signals
 */
#include "arch/riscv/trap.h"
#include "arch/riscv/riscv.h"
#include "kern/task.h"
#include "kern/cpu.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/syscall.h"
#include "drivers/irq.h"

extern void trap_entry(void);

void trap_init_hart(void)
{
  csr_write(stvec, (uint64_t)trap_entry);
  csr_write(sscratch, 0);
  /* FP on (Initial) from the start: user code uses it; the kernel never does. */
  csr_clear(sstatus, SSTATUS_FS);
  csr_set(sstatus, SSTATUS_FS_INITIAL);
  csr_set(sie, SIE_SEIE | SIE_SSIE);
}

void trap_init(void)
{
  trap_init_hart();
}

static void handle_interrupt(uint64_t cause)
{
  switch (cause) {
  case IRQ_S_TIMER:
    timer_interrupt();
    break;
  case IRQ_S_EXT:
    irq_handle_external();
    break;
  case IRQ_S_SOFT:
    csr_clear(sip, 1UL << IRQ_S_SOFT);
    break;
  default:
    pr_warn("trap: unexpected interrupt %lu", (unsigned long)cause);
  }
}

/* Charge user time since the last return to user mode. */
static void account_user_time(struct task *t)
{
  uint64_t now = time_monotonic_ns();
  if (t->user_entry_ns)
    t->utime_ns += now - t->user_entry_ns;
  t->user_entry_ns = now;
}

static void user_fault(struct trapframe *tf, int access)
{
  int r = handle_page_fault(current->mm, tf->stval, access);
  if (r == 0)
    return;
  if (r == -ENXIO)
    force_fault_signal(SIGBUS, BUS_ADRERR, tf->stval);
  else if (r == -ENOMEM)
    force_fault_signal(SIGKILL, SI_KERNEL, tf->stval);
  else
    force_fault_signal(SIGSEGV, r == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, tf->stval);
}

void user_trap(struct trapframe *tf)
{
  struct task *t = current;
  account_user_time(t);
  uint64_t cause = tf->scause;
  if (cause & SCAUSE_INTR) {
    handle_interrupt(cause & ~SCAUSE_INTR);
  } else {
    intr_on();
    switch (cause) {
    case EXC_ECALL_U:
      tf->epc += 4;
      syscall_dispatch(tf);
      break;
    case EXC_INST_PAGE_FAULT:
      user_fault(tf, FAULT_EXEC);
      break;
    case EXC_LOAD_PAGE_FAULT:
      user_fault(tf, FAULT_READ);
      break;
    case EXC_STORE_PAGE_FAULT:
      user_fault(tf, FAULT_WRITE);
      break;
    case EXC_ILLEGAL_INST:
      force_fault_signal(SIGILL, ILL_ILLOPC, tf->epc);
      break;
    case EXC_BREAKPOINT:
      force_fault_signal(SIGTRAP, TRAP_BRKPT, tf->epc);
      break;
    case EXC_INST_MISALIGNED:
    case EXC_LOAD_MISALIGNED:
    case EXC_STORE_MISALIGNED:
      force_fault_signal(SIGBUS, 1 /* BUS_ADRALN */, tf->stval);
      break;
    default:
      force_fault_signal(SIGSEGV, SEGV_ACCERR, tf->stval);
    }
  }
  prepare_return_to_user(tf);
}

void prepare_return_to_user(struct trapframe *tf)
{
  for (;;) {
    intr_on();
    if (need_resched()) {
      current->nivcsw++;
      schedule();
      continue;
    }
    if (signal_pending(current)) {
      do_signals(tf);
      if (!need_resched() && !signal_pending(current))
        break;
      continue;
    }
    break;
  }
  syscall_restart_check(tf);
  intr_off();
  struct task *t = current;
  uint64_t now = time_monotonic_ns();
  if (t->user_entry_ns)
    t->stime_ns += now - t->user_entry_ns;
  t->user_entry_ns = now;
}

void kernel_trap(struct trapframe *tf)
{
  uint64_t cause = tf->scause;
  if (cause & SCAUSE_INTR) {
    handle_interrupt(cause & ~SCAUSE_INTR);
    return;
  }
  panic("kernel trap: scause %#lx sepc %#lx stval %#lx (task %d %s)",
        (unsigned long)cause, (unsigned long)tf->epc, (unsigned long)tf->stval,
        current->tid, current->comm);
}
