/*
 * swtch.S — switching kernel stacks between tasks, and where new tasks
 * start (kern/sched.c decides when; this file only moves registers).
 */
  .text
/*
 * void swtch(struct context *old, struct context *new, struct task *next)
 * Save the callee-saved registers of the running task in *old, load *new,
 * and make tp point to the next task. Returns on the new task's stack.
 */
  .globl swtch
swtch:
  sd ra, 0(a0)
  sd sp, 8(a0)
  sd s0, 16(a0)
  sd s1, 24(a0)
  sd s2, 32(a0)
  sd s3, 40(a0)
  sd s4, 48(a0)
  sd s5, 56(a0)
  sd s6, 64(a0)
  sd s7, 72(a0)
  sd s8, 80(a0)
  sd s9, 88(a0)
  sd s10, 96(a0)
  sd s11, 104(a0)
  ld ra, 0(a1)
  ld sp, 8(a1)
  ld s0, 16(a1)
  ld s1, 24(a1)
  ld s2, 32(a1)
  ld s3, 40(a1)
  ld s4, 48(a1)
  ld s5, 56(a1)
  ld s6, 64(a1)
  ld s7, 72(a1)
  ld s8, 80(a1)
  ld s9, 88(a1)
  ld s10, 96(a1)
  ld s11, 104(a1)
  mv tp, a2
  ret

/*
 * A new task's first return from swtch lands here: s0 = function, s1 = its
 * argument. task_first_run() finishes the scheduler's half of the switch.
 */
  .globl task_trampoline
task_trampoline:
  call task_first_run
  mv a0, s1
  jalr s0
  call task_exit_kernel_thread

/* A new user task (fork/clone child) starts here: sp = its trapframe. */
  .globl user_task_trampoline
user_task_trampoline:
  call task_first_run
  mv a0, sp
  call prepare_return_to_user
  j ret_to_user

