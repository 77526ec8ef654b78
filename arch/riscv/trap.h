/*
 * trap.h — the saved register state of a trap (struct trapframe) and the
 * entry points of trapvec.S, swtch.S, fpu.S and trap.c.
 *
 * Layer: arch (struct trapframe, struct context, struct fpstate; the
 * assembly entry points). Its users: the trap layer (trap.c, trapvec.S:
 * entry), kern/sched.c and kern/process.c (switching, new tasks),
 * kern/signal.c (frames). No locks: a trapframe belongs to its task.
 */
#ifndef KITE_TRAP_H
#define KITE_TRAP_H

#include "kern/types.h"
#include "arch/riscv/asm.h"

/*
 * Registers saved on a trap. The first 32 words are exactly Linux's
 * riscv `struct user_regs_struct` (pc, then x1..x31), so a signal frame's
 * sc_regs is a plain copy of them.
 */
struct trapframe {
  uint64_t epc;
  uint64_t ra, sp, gp, tp;
  uint64_t t0, t1, t2;
  uint64_t s0, s1;
  uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
  uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
  uint64_t t3, t4, t5, t6;
  uint64_t sstatus, stval, scause; /* from user mode: sstatus not saved, stval only for a fault */
  uint64_t orig_a0;     /* a0 at syscall entry, for restarting the call */
  uint64_t kernel_tp;   /* the task that owns this frame (loaded into tp) */
  uint64_t pad;
};

STATIC_ASSERT(offsetof(struct trapframe, sp) == TF_SP);
STATIC_ASSERT(offsetof(struct trapframe, a0) == TF_A0);
STATIC_ASSERT(offsetof(struct trapframe, t6) == TF_T6);
STATIC_ASSERT(offsetof(struct trapframe, sstatus) == TF_SSTATUS);
STATIC_ASSERT(offsetof(struct trapframe, orig_a0) == TF_ORIG_A0);
STATIC_ASSERT(offsetof(struct trapframe, kernel_tp) == TF_KERNEL_TP);
STATIC_ASSERT(sizeof(struct trapframe) == TF_SIZE);

/* Callee-saved registers of a task switched out by swtch(). */
struct context {
  uint64_t ra, sp;
  uint64_t s[12];
};

/* FP registers f0..f31 and fcsr (lp64d user programs use them). */
struct fpstate {
  uint64_t f[32];
  uint32_t fcsr;
  uint32_t pad;
};

struct task;
/* swtch.S: save the running task's callee-saved registers in *old, load
 * *new and point tp at next; returns on next's stack. Called by
 * kern/sched.c only, with the run-queue lock held and interrupts off. */
void swtch(struct context *old, struct context *new, struct task *next);
/*
 * The trap path: trapvec.S, user_trap and what every return to user mode
 * calls share one page (the section .text.trap_path, arch/riscv/linker.ld):
 * under QEMU a direct jump within a page is chained, one into another page
 * is a lookup in QEMU's jump cache (docs/performance.md).
 */
#define TRAP_PATH __attribute__((section(".text.trap_path")))

/* trapvec.S: back to user mode from tf, the trapframe at the top of the
 * task's kernel stack (the stack below it is dropped). ret_to_user turns
 * interrupts off first; ret_to_user_intr_off is for a caller that never
 * turned them on since the trap (arch/riscv/trap.c). */
void ret_to_user(struct trapframe *tf) NORETURN;
void ret_to_user_intr_off(struct trapframe *tf) NORETURN;
/* swtch.S: where a new kernel thread (task_trampoline) or a new user task
 * (user_task_trampoline, on to user_task_entry) first returns from swtch;
 * set as ra by kern/sched.c and kern/process.c, never called. */
void task_trampoline(void);
void user_task_trampoline(void);
/* Where user_task_trampoline goes (swtch.S), set by trap_init: user_task_start. */
extern void (*user_task_entry)(void);
void user_task_start(void);

/* fpu.S: save this hart's FP registers and fcsr into *fp, or load them
 * from it (the task's own state; no locks). */
void fpu_save(struct fpstate *fp);
void fpu_restore(const struct fpstate *fp);
/* trap.c: the trap vector, FP and counter access, device and software
 * interrupts on this hart (trap_init: the boot hart, once, also setting
 * user_task_entry; trap_init_hart: each secondary hart). */
void trap_init(void);
void trap_init_hart(void);
/* trap.c: the last step before ret_to_user: signals, rescheduling,
 * wake-ups of idle harts, until nothing is pending. Process context,
 * interrupts on, no lock held. */
void prepare_return_to_user(struct trapframe *tf);

#endif
