/*
 * cpu.h — per-hart state and the `current` task.
 *
 * In the kernel, register tp always points at the running task (trapvec.S
 * loads it on every entry from user mode; swtch() sets it on a switch).
 */
#ifndef KITE_CPU_H
#define KITE_CPU_H

#include "kern/types.h"
#include "kern/param.h"

struct task;

struct cpu {
  int id;                 /* index in cpus[] */
  uint64_t hartid;        /* the hart's id as OpenSBI reports it */
  struct task *idle;      /* this hart's idle task */
  int noff;               /* depth of push_off() nesting (spinlocks held) */
  uint64_t deferred_sie;  /* interrupt sources masked while noff > 0 */
  bool need_resched;      /* set by the timer (or a wakeup); acted on at return to user */
  bool woke_task;         /* the running task woke another since it got the hart */
  struct task *last_woken; /* the task it woke last, while that waits on the run queue
                              (rq.lock: the hand-off in schedule()) */
};

extern struct cpu cpus[NCPU];

static inline struct task *get_current(void)
{
  struct task *t;
  asm volatile("mv %0, tp" : "=r"(t));
  return t;
}
#define current get_current()

struct cpu *mycpu(void);

#endif
