/*
 * spinlock.c — mutual exclusion between harts and with interrupt handlers.
 */
#include "kern/spinlock.h"
#include "kern/cpu.h"
#include "kern/printk.h"
#include "arch/riscv/riscv.h"

void spin_init(struct spinlock *lk, const char *name)
{
  lk->locked = 0;
  lk->name = name;
  lk->owner = NULL;
}

/* Acquire lk; interrupts stay off on this hart until the matching unlock. */
void spin_lock(struct spinlock *lk)
{
  push_off();
  if (spin_holding(lk))
    panic("spin_lock: %s already held by this hart", lk->name);
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
  pop_off();
}

/* Does this hart hold lk? Interrupts must be off. */
bool spin_holding(struct spinlock *lk)
{
  return lk->locked && lk->owner == mycpu();
}

/*
 * push_off/pop_off are like intr_off/intr_on but nest: it takes two
 * pop_off()s to undo two push_off()s, and interrupts come back on only if
 * they were on before the first push_off().
 */
void push_off(void)
{
  bool old = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = old;
  c->noff++;
}

void pop_off(void)
{
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}
