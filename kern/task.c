/*
 * task.c — allocating and freeing tasks, and kernel threads.
 *
 * Layer: core. Neighbours: kern/sched.c (queues what is made here:
 * sched_add_new), kern/process.c (user tasks: do_clone fills what
 * task_alloc returns), arch/riscv/swtch.S (task_trampoline, where a new
 * kernel thread first runs). Locks: none held on entry or exit.
 */
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/printk.h"
#include "kern/param.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/trap.h"
#include <string.h>

struct task *task_alloc(void)
{
  struct task *t = kzalloc(sizeof(*t));
  if (!t)
    return NULL;
  t->kstack = kalloc_pages(2); /* KSTACK_PAGES == 4 == 1 << 2 */
  if (!t->kstack) {
    kfree(t);
    return NULL;
  }
  page_set_use(kva_to_page(t->kstack), PU_KSTACK);
  t->tf = (struct trapframe *)((char *)t->kstack + KSTACK_PAGES * PAGE_SIZE) - 1;
  t->tf->kernel_tp = (uint64_t)t;
  list_init(&t->rq_link);
  list_init(&t->thread_link);
  list_init(&t->ptrace_link);
  t->cpus_allowed = CPUMASK_ALL;
  sigpending_init(&t->pending);
  t->altstack.ss_flags = SS_DISABLE;
  timer_init(&t->sleep_timer, NULL, t);
  t->state = TASK_RUNNING;
  t->start_ns = t->last_run_ns = time_monotonic_ns();
  cred_copy_to_task(t, NULL); /* root's; clone replaces it with the parent's */
  t->timer_slack_ns = t->default_timer_slack_ns = TIMER_SLACK_DEFAULT_NS;
  return t;
}
STATIC_ASSERT(KSTACK_PAGES == 4);

/* Free a task that has finished running (its stack is no longer in use). */
void task_free(struct task *t)
{
  if (t->proc && !t->is_kernel_thread)
    process_put(t->proc); /* the task's reference (kern/process.c) */
  sigpending_flush(&t->pending);
  cred_release_task(t);
  kfree_pages(t->kstack, 2);
  kfree(t);
}

/* A kernel thread with the given id (0: allocate one), not yet queued: the
 * caller finishes setting it up, then hands it to sched_add_new(). With
 * several harts a queued task may start on another hart at once. */
struct task *kthread_alloc_tid(const char *name, void (*fn)(void *), void *arg, pid_t tid)
{
  struct task *t = task_alloc();
  if (!t)
    return NULL;
  t->is_kernel_thread = true;
  t->proc = init_task.proc;
  strlcpy(t->comm, name, sizeof(t->comm));
  t->ctx.ra = (uint64_t)task_trampoline;
  t->ctx.sp = (uint64_t)t->tf; /* the unused trapframe area is above sp */
  t->ctx.s[0] = (uint64_t)fn;
  t->ctx.s[1] = (uint64_t)arg;
  t->ctx.s[2] = (uint64_t)task_first_run;          /* swtch.S names no kernel function */
  t->ctx.s[3] = (uint64_t)task_exit_kernel_thread;
  t->tid = tid ? tid : pid_alloc();
  return t;
}

/* A kernel thread, queued to run (it may run before this returns). */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
  struct task *t = kthread_alloc_tid(name, fn, arg, 0);
  if (t)
    sched_add_new(t);
  return t;
}

void task_exit_kernel_thread(void)
{
  current->state = TASK_DEAD;
  schedule();
  panic("dead kernel thread ran again");
}
