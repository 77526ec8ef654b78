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
#include "kern/signal.h"
#include "kern/oom.h"
#include "kern/profile.h"
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
  /* User mode may read cycle, time and instret (the vDSO reads time). */
  csr_write(scounteren, 0x7);
}

void trap_init(void)
{
  user_task_entry = user_task_start;  /* where new user tasks begin (swtch.S) */
  trap_init_hart();
}

/*
 * An interrupt while this hart holds a spinlock (cpu->noff > 0) is
 * deferred: mask its source and let pop_off() unmask it (kern/spinlock.c).
 */
static bool irq_deferred(uint64_t cause)
{
  struct cpu *c = mycpu();
  if (c->noff == 0)
    return false;
  uint64_t bit = 1UL << cause;
  csr_clear(sie, bit);
  c->deferred_sie |= bit;
  return true;
}

static void handle_interrupt(uint64_t cause)
{
  if (irq_deferred(cause))
    return;
  struct cpu *c = mycpu();
  c->in_irq++;
  c->nr_irqs++;
  switch (cause) {
  case IRQ_S_TIMER:
    c->nr_timer_irqs++;
    timer_interrupt();
    break;
  case IRQ_S_EXT:
    c->nr_ext_irqs++;
    irq_handle_external();
    break;
  case IRQ_S_SOFT:
    c->nr_ipis++;
    smp_handle_ipi();
    break;
  default:
    pr_warn("trap: unexpected interrupt %lu", (unsigned long)cause);
  }
  c->in_irq--;
}

static void user_fault(struct trapframe *tf, int access)
{
  int r = handle_page_fault(current->mm, tf->stval, access);
  if (r == 0)
    return;
  /* Out of memory: another process may be killed for it (kern/oom.c), or
   * we already were (the signal is delivered on the way out). */
  if (r == -ENOMEM && (signal_pending(current) || oom_kill_and_retry()))
    return;
  /* Like Linux's "segfault at" line in dmesg. */
  pr_info("%s[%d]: page fault at %#lx pc %#lx sp %#lx (%s): error %d", current->comm,
          current->tid, (unsigned long)tf->stval, (unsigned long)tf->epc, (unsigned long)tf->sp,
          access == FAULT_WRITE ? "write" : access == FAULT_EXEC ? "exec" : "read", r);
  if (r == -ENXIO)
    force_fault_signal(SIGBUS, BUS_ADRERR, tf->stval);
  else if (r == -ENOMEM)
    force_fault_signal(SIGKILL, SI_KERNEL, tf->stval);
  else
    force_fault_signal(SIGSEGV, r == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, tf->stval);
}

/*
 * Is there anything to do before t returns to user mode? Every reason
 * prepare_return_to_user acts on, tested at once: the common answer is
 * no, and `|` instead of `||` makes this one straight run of loads (under
 * QEMU every branch ends a translation block). A yes only means "look":
 * the loop below decides what, if anything, to do.
 */
static ALWAYS_INLINE bool return_work_maybe(struct task *t)
{
  struct cpu *c = t->cpu;
  struct process *p = t->proc;
  sigset_t pend = READ_ONCE(t->pending.set) | READ_ONCE(p->shared_pending.set);
  return c->need_resched | c->woke_task | c->kick_pending |           /* scheduler */
         ((pend & ~t->blocked) != 0) | READ_ONCE(p->exiting) |       /* signals: */
         READ_ONCE(p->stopped) | READ_ONCE(t->must_exit);              /* signal_pending() */
}

/* The work return_work_maybe may have seen: reschedule, deliver signals,
 * until nothing is left. Interrupts on. */
static void return_work(struct trapframe *tf)
{
  for (;;) {
    wakeup_preempt_check();
    if (need_resched()) {
      current->nivcsw++;
      schedule();
      continue;
    }
    sched_kick(); /* tasks this one woke go to idle harts now that it runs on */
    if (signal_pending(current)) {
      do_signals(tf);
      if (!need_resched() && !signal_pending(current))
        break;
      continue;
    }
    break;
  }
}

/* prepare_return_to_user, inline in user_trap: on the common way out it
 * is one test, and a call to another page and its return would be two
 * lookups in QEMU's jump cache. */
static ALWAYS_INLINE void prepare_return(struct trapframe *tf)
{
  if (return_work_maybe(current))
    return_work(tf);
  syscall_restart_check(tf);
  /* ret_to_user turns interrupts off */
}

/* Interrupts are on (as everywhere in process context). */
void prepare_return_to_user(struct trapframe *tf)
{
  prepare_return(tf);
}

static void user_syscall(struct trapframe *tf);

/* From trapvec.S with the task's trapframe; leaves through ret_to_user. */
void TRAP_PATH NORETURN user_trap(struct trapframe *tf)
{
  uint64_t cause = tf->scause;
  if (cause == EXC_ECALL_U) {
    user_syscall(tf);
  } else if (cause & SCAUSE_INTR) {
    if ((cause & ~SCAUSE_INTR) == IRQ_S_TIMER) {
      scheduler_tick_mode(true);
      if (profile_on)
        profile_sample(tf->epc, true);
    }
    handle_interrupt(cause & ~SCAUSE_INTR);
    intr_on();
  } else {
    tf->stval = csr_read(stval); /* for faults only (trapvec.S); an interrupt would clear it */
    intr_on();
    switch (cause) {
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
      pr_info("%s[%d]: illegal instruction at pc %#lx", current->comm, current->tid,
              (unsigned long)tf->epc);
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
      pr_info("%s[%d]: unexpected exception %lu at pc %#lx", current->comm, current->tid,
              (unsigned long)cause, (unsigned long)tf->epc);
      force_fault_signal(SIGSEGV, SEGV_ACCERR, tf->stval);
    }
  }
  prepare_return(tf);
  ret_to_user(tf);
}

/*
 * An ecall from user mode: the system call, with interrupts on. One
 * flagged nosleep in kern/syscall.tbl (getpid and the like: a few loads)
 * runs with interrupts off, as the trap left them: under QEMU the sstatus
 * writes that turn them on here and off again in ret_to_user are two of
 * the ten exits from translated code that a system call costs
 * (docs/traps.md); an interrupt that comes meanwhile is taken right after
 * sret, a few dozen instructions later. SPP is still 0 then (the ecall
 * set it; nothing ran since that could trap), which ret_to_user would
 * otherwise make sure of.
 */
static TRAP_PATH void user_syscall(struct trapframe *tf)
{
  /* (a tracee resumed with PTRACE_SYSCALL stops in the call: not nosleep) */
  bool nosleep = syscall_nosleep(tf->a7) && !READ_ONCE(current->ptrace_syscall);
  if (!nosleep)
    intr_on();
  tf->epc += 4;
  syscall_dispatch(tf);
  if (nosleep) {
    if (!return_work_maybe(current)) {
      /* End the call for the signal code: what syscall_restart_check
       * does, less its look at a0 (a nosleep call never asks for a
       * restart) and its call and return (docs/performance.md). */
      current->in_syscall = false;
      ret_to_user_intr_off(tf);
    }
    intr_on(); /* work to do: rescheduling or signals, as after any call */
  }
}

void kernel_trap(struct trapframe *tf)
{
  uint64_t cause = tf->scause;
  if (cause & SCAUSE_INTR) {
    if ((cause & ~SCAUSE_INTR) == IRQ_S_TIMER) {
      scheduler_tick_mode(false);
      if (profile_on)
        profile_sample(tf->epc, false); /* kern/profile.c: /proc/kite/profile */
    }
    handle_interrupt(cause & ~SCAUSE_INTR);
    return;
  }
  panic("kernel trap: scause %#lx sepc %#lx stval %#lx (task %d %s)",
        (unsigned long)cause, (unsigned long)tf->epc, (unsigned long)tf->stval,
        current->tid, current->comm);
}
