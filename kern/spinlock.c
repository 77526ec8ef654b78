/*
 * spinlock.c — mutual exclusion between harts and with interrupt handlers.
 */
#include "kern/spinlock.h"
#include "kern/lockdep.h"
#include "kern/cpu.h"
#include "kern/task.h"
#include "kern/printk.h"
#include "arch/riscv/riscv.h"

void spin_init(struct spinlock *lk, const char *name)
{
  lk->locked = 0;
  lk->ld_class = 0;
  lk->name = name;
  lk->owner = NULL;
}

/* Acquire lk; interrupts stay off on this hart until the matching unlock. */
void spin_lock(struct spinlock *lk)
{
  push_off();
  if (spin_holding(lk))
    panic("spin_lock: %s already held by this hart", lk->name);
  lockdep_acquire(lk->name, LD_SPIN, &lk->ld_class);
  while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
    ;
  lk->owner = mycpu();
}

void spin_unlock(struct spinlock *lk)
{
  if (!spin_holding(lk))
    panic("spin_unlock: %s not held", lk->name);
  lk->owner = NULL;
  __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
  lockdep_release(false, &lk->ld_class);
  pop_off();
}

/* Does this hart hold lk? Interrupts must be off. */
bool spin_holding(struct spinlock *lk)
{
  return lk->locked && lk->owner == mycpu();
}

/*
 * push_off/pop_off mark a region where this hart must not take interrupts
 * (any spinlock held). They nest: it takes two pop_off()s to undo two
 * push_off()s.
 *
 * Masking is lazy: instead of clearing sstatus.SIE (on QEMU every CSR
 * write ends the translation block, which makes it expensive), we only
 * count. If an interrupt arrives while the count is non-zero, the trap
 * handler masks that interrupt source in `sie`, records it, and returns
 * at once (arch/riscv/trap.c: irq_deferred()); the last pop_off() unmasks
 * it and, the interrupt still being pending, it is taken right there.
 */
void push_off(void)
{
  struct cpu *c = mycpu();
  c->noff++;
  asm volatile("" ::: "memory");
}

void pop_off(void)
{
  struct cpu *c = mycpu();
  asm volatile("" ::: "memory");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  if (--c->noff == 0 && c->deferred_sie) {
    uint64_t bits = c->deferred_sie;
    c->deferred_sie = 0;
    csr_set(sie, bits); /* a masked interrupt is taken now */
  }
}
