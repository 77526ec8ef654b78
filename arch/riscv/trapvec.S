/*
 * trapvec.S — trap entry and exit, the assembly layer of trap handling.
 *
 * Layer 1 of 3 (xv6's shape): this file saves and restores registers;
 * arch/riscv/trap.c decides what the trap means (user_trap, kernel_trap);
 * kern/syscall.c dispatches system calls.
 *
 * sscratch tells where a trap came from:
 *   0                 the trap came from the kernel (sp is a kernel stack)
 *   kernel stack top  the trap came from user mode; the top of the kernel
 *                     stack holds this task's struct trapframe
 */
#include "arch/riscv/asm.h"

/* The whole file and user_trap share one page (.text.trap_path, see
 * arch/riscv/linker.ld): QEMU chains a direct jump only within a page. */

.macro SAVE_GPRS_EXCEPT_SP
  sd ra, TF_RA(sp)
  sd gp, TF_GP(sp)
  sd tp, TF_TP(sp)
  sd t0, TF_T0(sp)
  sd t1, TF_T1(sp)
  sd t2, TF_T2(sp)
  sd s0, TF_S0(sp)
  sd s1, TF_S1(sp)
  sd a0, TF_A0(sp)
  sd a1, TF_A1(sp)
  sd a2, TF_A2(sp)
  sd a3, TF_A3(sp)
  sd a4, TF_A4(sp)
  sd a5, TF_A5(sp)
  sd a6, TF_A6(sp)
  sd a7, TF_A7(sp)
  sd s2, TF_S2(sp)
  sd s3, TF_S3(sp)
  sd s4, TF_S4(sp)
  sd s5, TF_S5(sp)
  sd s6, TF_S6(sp)
  sd s7, TF_S7(sp)
  sd s8, TF_S8(sp)
  sd s9, TF_S9(sp)
  sd s10, TF_S10(sp)
  sd s11, TF_S11(sp)
  sd t3, TF_T3(sp)
  sd t4, TF_T4(sp)
  sd t5, TF_T5(sp)
  sd t6, TF_T6(sp)
.endm

.macro RESTORE_GPRS_EXCEPT_SP
  ld ra, TF_RA(sp)
  ld gp, TF_GP(sp)
  ld tp, TF_TP(sp)
  ld t0, TF_T0(sp)
  ld t1, TF_T1(sp)
  ld t2, TF_T2(sp)
  ld s0, TF_S0(sp)
  ld s1, TF_S1(sp)
  ld a0, TF_A0(sp)
  ld a1, TF_A1(sp)
  ld a2, TF_A2(sp)
  ld a3, TF_A3(sp)
  ld a4, TF_A4(sp)
  ld a5, TF_A5(sp)
  ld a6, TF_A6(sp)
  ld a7, TF_A7(sp)
  ld s2, TF_S2(sp)
  ld s3, TF_S3(sp)
  ld s4, TF_S4(sp)
  ld s5, TF_S5(sp)
  ld s6, TF_S6(sp)
  ld s7, TF_S7(sp)
  ld s8, TF_S8(sp)
  ld s9, TF_S9(sp)
  ld s10, TF_S10(sp)
  ld s11, TF_S11(sp)
  ld t3, TF_T3(sp)
  ld t4, TF_T4(sp)
  ld t5, TF_T5(sp)
  ld t6, TF_T6(sp)
.endm

.macro SAVE_CSRS
  csrr t0, sepc
  sd t0, TF_EPC(sp)
  csrr t0, sstatus
  sd t0, TF_SSTATUS(sp)
  csrr t0, stval
  sd t0, TF_STVAL(sp)
  csrr t0, scause
  sd t0, TF_SCAUSE(sp)
.endm

  .section .text.trap_path, "ax"
  .globl trap_entry
  .balign 4
trap_entry:
  csrrw sp, sscratch, sp
  bnez sp, from_user

  /* From the kernel: undo the swap (sp = kernel sp, sscratch = 0). */
  csrrw sp, sscratch, sp
  addi sp, sp, -TF_SIZE
  SAVE_GPRS_EXCEPT_SP
  addi t0, sp, TF_SIZE
  sd t0, TF_SP(sp)
  SAVE_CSRS
  mv a0, sp
  call kernel_trap
  ld t0, TF_EPC(sp)
  csrw sepc, t0
  ld t0, TF_SSTATUS(sp)
  csrw sstatus, t0
  RESTORE_GPRS_EXCEPT_SP
  addi sp, sp, TF_SIZE
  sret

from_user:
  /* sp = top of this task's kernel stack, sscratch = user sp. Under QEMU
   * every CSR access ends a translation block (a trip through its main
   * loop), so this path touches only the CSRs it needs: sstatus is not
   * saved (ret_to_user sets the bits it needs) and stval is read by
   * user_trap only for a fault. */
  addi sp, sp, -TF_SIZE
  SAVE_GPRS_EXCEPT_SP
  /* The three CSR reads back to back: each ends a TB, and QEMU finds the
   * next one (the instruction after it) in its jump cache, a table of 64
   * slots per guest page chosen by bits of the address. With a store
   * between the reads, the TB after `csrr sepc` shared trap_entry's slot
   * and the two evicted each other on every trap: two full lookups in
   * QEMU's TB hash table per system call (docs/performance.md, "what
   * QEMU does for a 1-byte write"; bench/tbtrace.py lists such collisions). */
  csrrw t0, sscratch, zero     /* the user sp; sscratch = 0: now in the kernel */
  csrr t1, sepc
  csrr t2, scause
  sd t0, TF_SP(sp)
  sd t1, TF_EPC(sp)
  sd t2, TF_SCAUSE(sp)
  ld tp, TF_KERNEL_TP(sp)      /* tp = current task while in the kernel */
  mv a0, sp
  tail user_trap               /* it ends in ret_to_user, never returns */

/*
 * ret_to_user(tf): return to user mode from the trapframe tf (a0), at the
 * top of the task's kernel stack; whatever the C code had below it on the
 * stack is dropped. Also the first way out of new tasks (kern/main.c,
 * user_task_start).
 */
  .globl ret_to_user
ret_to_user:
  /* SIE = 0 until sret: from the sscratch write on, a trap would take
   * this frame for a new one. SPP = 0: sret goes to user mode. (SPIE
   * does not matter: in user mode, supervisor interrupts are always on.) */
  li t0, (1 << 8) | (1 << 1)
  csrc sstatus, t0
  /* ret_to_user_intr_off(tf): the same, entered with SIE and SPP 0 already
   * (a nosleep system call, arch/riscv/trap.c). */
  .globl ret_to_user_intr_off
ret_to_user_intr_off:
  mv sp, a0
  addi t0, sp, TF_SIZE
  csrw sscratch, t0
  ld t0, TF_EPC(sp)
  csrw sepc, t0
  RESTORE_GPRS_EXCEPT_SP
  ld sp, TF_SP(sp)
  sret

/*
 * A new user task (fork/clone child) comes here from user_task_trampoline
 * (swtch.S; trap_init registers this address there): sp = its trapframe.
 * task_first_run() finishes the scheduler's half of the switch.
 */
  .globl user_task_start
user_task_start:
  call task_first_run
  mv a0, sp
  call prepare_return_to_user
  mv a0, sp
  j ret_to_user
