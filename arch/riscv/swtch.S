/*
 * swtch.S — switching kernel stacks between tasks, and where new kernel
 * threads start (kern/sched.c decides when; this file only moves registers).
 *
 * Layer: arch (below the core kernel): it names no kernel function; a new
 * task's context says where to go (kern/sched.c fills it in). New user
 * tasks start in trapvec.S (user_task_trampoline). Locks: none (the
 * run-queue lock is held across swtch by the scheduler).
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
 * A new kernel thread's first return from swtch lands here, with its
 * context set by kthread_alloc_tid (kern/sched.c): s2 = the scheduler's
 * first-run function (finishes its half of the switch), s0 = the thread's
 * function, s1 = its argument, s3 = the exit function (does not return).
 */
  .globl task_trampoline
task_trampoline:
  jalr s2
  mv a0, s1
  jalr s0
  jalr s3

/*
 * A new user task (fork/clone child) starts here (kern/process.c sets ra),
 * sp = its trapframe. It goes on to the trap layer's way back to user mode,
 * user_task_start in trapvec.S, whose address trap_init() stores in
 * user_task_entry (this layer does not name the layers above it).
 */
  .globl user_task_trampoline
user_task_trampoline:
  ld t0, user_task_entry
  jr t0

  .data
  .balign 8
  .globl user_task_entry
user_task_entry:
  .dword 0

