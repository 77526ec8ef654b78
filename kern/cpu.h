/*
 * cpu.h — per-hart state, the `current` task, and masks of harts.
 *
 * In the kernel, register tp always points at the running task (trapvec.S
 * loads it on every entry from user mode; swtch() sets it on a switch),
 * and current->cpu is the hart it runs on.
 *
 * Harts get logical ids 0..ncpu-1 (cpus[i].id), the boot hart being 0;
 * their SBI hart ids (cpus[i].hartid) are whatever the device tree says.
 * Everything in Kite — affinity masks, /proc/stat, getcpu — speaks
 * logical ids; only the SBI calls in kern/smp.c translate.
 *
 * Per-hart data and preemption: the kernel is not preempted, so a task
 * changes hart only inside schedule(). mycpu() is therefore stable
 * between two calls that may sleep, and a field of struct cpu may be used
 * without a lock by code on that hart as long as it does not sleep in
 * between — unless the field's comment names a lock (other harts read
 * it). Interrupt handlers run on the hart they interrupt and see the same
 * struct cpu; fields they change are marked (irq).
 *
 * Layer: core. Below: arch/riscv (tp, the CSRs). Above: kern/spinlock.c
 * (push_off's count), kern/sched.c (the run queue and idle task of each
 * hart), kern/smp.c (bring-up, IPIs), kern/tlb.c (ASIDs in use).
 */
#ifndef KITE_CPU_H
#define KITE_CPU_H

#include "kern/types.h"
#include "kern/param.h"

struct task;
struct mm;

/* Per-hart time accounting for /proc/stat, in scheduler ticks. */
enum cpu_stat { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ,
                CPU_NSTATS };

/* Reasons for an inter-processor interrupt (cpu->ipi_pending bits). */
#define IPI_RESCHED 0x1   /* schedule at the next chance (a task was queued for it) */
#define IPI_PREEMPT 0x2   /* a task was woken for this hart: wakeup preemption */
#define IPI_STOP 0x4      /* another hart panicked: stop here */

#define SLICE_NONE UINT64_MAX

struct cpu {
  int id;                 /* logical id: index in cpus[] */
  uint64_t hartid;        /* the hart's id as OpenSBI reports it */
  bool online;            /* running the scheduler */
  int plic_context;       /* its S-mode PLIC context */
  struct task *idle;      /* this hart's idle task */
  int noff;               /* depth of push_off() nesting (spinlocks held) */
  uint64_t deferred_sie;  /* interrupt sources masked while noff > 0 */
  int in_irq;             /* inside an interrupt handler (lock checker) */
  bool need_resched;      /* set by the timer, an IPI or a wakeup; acted on at return to user */
  bool tick_from_user;    /* the timer interrupt being handled came from user mode (irq) */

  /* --- scheduler (rq.lock) --- */
  struct task *curr;      /* the task running here (or being switched to) */
  bool woke_task;         /* the running task woke another since it got the hart */
  struct task *last_woken; /* the task it woke last, while that waits on the run queue
                              (the hand-off in schedule()) */
  bool kick_pending;      /* tasks were queued from here while harts idle: wake them at
                             the next schedule(), tick, or return to user KICK_DELAY_NS
                             after the first of them (sched.c) */
  bool kick_deferred;     /* queued by an interrupt: kick at the next return to user */
  uint64_t kick_since;    /* when kick_pending was set */
  uint64_t idle_seen_seq; /* rq.enq_seq when this hart last found nothing to run */
  uint64_t picked_ns;     /* when the running task was last picked (its slice starts) */
  uint64_t slice_end_ns;  /* its share of SCHED_LATENCY_NS ends (SLICE_NONE: nobody waits);
                             the hart's timer fires then (kern/time.c, sched_slice_expired) */
  uint64_t timer_ns;      /* what this hart's timer is set to (kern/time.c) */

  /* --- IPIs --- */
  uint32_t ipi_pending;   /* IPI_* bits, set atomically by the sender */

  /* --- address space: the mm whose page table is in satp (NULL: the kernel's) --- */
  struct mm *active_mm;

  /* --- accounting (this hart only; /proc/stat and /proc/interrupts) --- */
  uint64_t stat[CPU_NSTATS]; /* ticks by what the tick found running */
  uint64_t nr_switches;   /* context switches */
  uint64_t nr_migrations; /* tasks switched in that last ran on another hart */
  uint64_t nr_irqs;       /* interrupts taken */
  uint64_t nr_timer_irqs, nr_ext_irqs, nr_ipis;
  uint64_t nr_tlb_local;  /* TLB flushes of a changed mm done here only */
  uint64_t nr_tlb_remote; /* ... that needed other harts (SBI RFENCE calls) */
  uint64_t nr_spin_waits; /* spinlock acquisitions that found it held */
  uint64_t nr_spin_loops; /* ... and the turns they spun */
  uint64_t nr_spin_halts; /* ... and the times they halted until kicked */

#ifdef CONFIG_LOCKDEP
  /* --- lock-order checker (kern/lockdep.c): spinlocks held here --- */
  uint16_t ld_spin[16];
  int ld_nspin;
  bool ld_busy;
#endif
};

extern struct cpu cpus[NCPU];
extern int ncpu;          /* harts online (logical ids 0 .. ncpu-1) */

/* The task running this code (register tp); `current` for short. Never
 * NULL once kmain has started; any context. */
static inline struct task *get_current(void)
{
  struct task *t;
  asm volatile("mv %0, tp" : "=r"(t));
  return t;
}
#define current get_current()

/* mycpu(), the hart running this code (current->cpu), is in kern/task.h. */

/* A set of harts by logical id (NCPU <= 64). */
typedef uint64_t cpumask_t;
#define CPUMASK_ALL ((cpumask_t)-1 >> (64 - NCPU))
/* The mask of hart id alone; the mask of the harts online now (0 ..
 * ncpu-1; lock-free, ncpu only grows). */
static inline cpumask_t cpumask_of(int id) { return (cpumask_t)1 << id; }
cpumask_t cpu_online_mask(void);

/* kern/smp.c */
/* Start every other hart at entry_pa (boot hart, kmain): each runs
 * secondary_main (kern/main.c), which asks smp_hart_may_join() first and
 * calls smp_hart_online() when its traps and interrupts are set up. */
void smp_boot_secondaries(paddr_t entry_pa);
/* A starting hart (secondary_main): may it join (not past maxcpus=, a
 * logical id free)? Then, set up, it is counted online (ncpu grows). */
bool smp_hart_may_join(uint64_t hartid);
void smp_hart_online(void);
/* Send an IPI (reason: a bit the receiver acts on; 0 just wakes it) to
 * the harts of mask that are online, through SBI. Any context. */
void smp_send_ipi(cpumask_t mask, uint32_t reason);
/* The supervisor software interrupt on this hart: clear it, act on the
 * reasons sent. Interrupt context. */
void smp_handle_ipi(void);
/* panic: halt every other hart (they stop where they are). */
void smp_stop_others(void);
/* sfence.vma of [start, start+size) on the harts of mask, through SBI
 * RFENCE (returns once they are done); fence.i on every hart (code was
 * written: the vDSO, a new program). */
void smp_remote_sfence_vma(cpumask_t mask, uint64_t start, uint64_t size);
void smp_fence_i_all(void);

#endif
