/*
 * profile.c — a sampling profiler of the kernel: which kernel PCs the
 * timer interrupt finds running. Layer: core. Read and switched on and off
 * through /proc/kite/profile (fs/procfs.c); docs/performance.md shows how to use
 * it and how to turn PCs into function names.
 *
 * While it is on, every timer interrupt on every hart is one sample, and
 * the timer fires at least PROFILE_HZ times a second per hart (kern/time.c
 * programs the next interrupt no later than one period ahead). A sample is
 * the interrupted PC when the hart was in the kernel, "idle" when it was
 * the idle task, "user" when it was in user mode.
 *
 * The histogram: PROFILE_SLOTS slots of (pc, count), open addressing on a
 * hash of the PC. A slot's pc is claimed with a compare-and-swap and its
 * count bumped atomically, with no lock: the sample may be taken while the
 * interrupted code holds any spinlock (below), profile_show's included. A
 * PC that finds its probe sequence full counts as "dropped".
 *
 * Spinlocks do not turn interrupts off in Kite: an interrupt that arrives
 * while a lock is held is masked and taken again when the lock is released
 * (arch/riscv/trap.c, irq_deferred; kern/spinlock.c, pop_off). The sample
 * is taken at the first trap, so it shows the PC inside the critical
 * section; the repeated trap at pop_off() is not counted again.
 *
 * What a sample cannot see: the stretches where the hart really has
 * interrupts off (sstatus.SIE = 0). From a trap's first instruction to the
 * intr_on() in user_trap, and in the idle loop's wfi, a timer interrupt
 * waits; it is counted at the PC where interrupts come back on. So the
 * samples at that intr_on() are the cost of entering the kernel.
 */
#include "kern/profile.h"
#include "kern/cpu.h"
#include "kern/task.h"
#include "kern/param.h"
#include <string.h>

#define PROBES 16  /* slots tried before a sample is dropped */

bool profile_on;
static struct profile_slot slots[PROFILE_SLOTS];
static uint64_t nr_user, nr_idle, nr_dropped; /* atomic */
static bool replay[NCPU]; /* this hart's next timer trap repeats a deferred one (irq) */

static void count(uint64_t *v)
{
  __atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
}

static void hit(uint64_t pc)
{
  uint64_t h = (pc >> 1) * 0x9e3779b97f4a7c15ull; /* Fibonacci hashing */
  for (int i = 0; i < PROBES; i++) {
    struct profile_slot *s = &slots[(h + i) & (PROFILE_SLOTS - 1)];
    uint64_t old = __atomic_load_n(&s->pc, __ATOMIC_RELAXED);
    if (old == 0 &&
        __atomic_compare_exchange_n(&s->pc, &old, pc, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      old = pc;
    if (old == pc) {
      count(&s->count);
      return;
    }
  }
  count(&nr_dropped);
}

void profile_sample(uint64_t pc, bool user)
{
  struct cpu *c = mycpu();
  if (replay[c->id]) {
    replay[c->id] = false;
    return;
  }
  if (c->noff > 0)
    replay[c->id] = true; /* deferred: it traps again at pop_off() */
  if (user)
    count(&nr_user);
  else if (current == c->idle)
    count(&nr_idle);
  else
    hit(pc);
}

void profile_control(bool on)
{
  if (on) {
    WRITE_ONCE(profile_on, false);
    memset(slots, 0, sizeof(slots)); /* a sample racing with this may survive: harmless */
    nr_user = nr_idle = nr_dropped = 0;
    memset(replay, 0, sizeof(replay));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
  }
  WRITE_ONCE(profile_on, on);
}

/* Most samples first (shell sort, in place: no recursion, no extra memory). */
static void sort_by_count(struct profile_slot *v, int n)
{
  for (int gap = n / 2; gap > 0; gap /= 2)
    for (int i = gap; i < n; i++)
      for (int j = i; j >= gap && v[j - gap].count < v[j].count; j -= gap) {
        struct profile_slot x = v[j];
        v[j] = v[j - gap];
        v[j - gap] = x;
      }
}

int profile_snapshot(struct profile_slot *v, struct profile_totals *t)
{
  int n = 0;
  t->kernel = 0;
  for (int i = 0; i < PROFILE_SLOTS; i++) {
    struct profile_slot s = { READ_ONCE(slots[i].pc), READ_ONCE(slots[i].count) };
    if (s.pc && s.count) {
      v[n++] = s;
      t->kernel += s.count;
    }
  }
  sort_by_count(v, n);
  t->user = READ_ONCE(nr_user);
  t->idle = READ_ONCE(nr_idle);
  t->dropped = READ_ONCE(nr_dropped);
  return n;
}
