/*
 * spinlock.c — mutual exclusion between harts and with interrupt handlers.
 *
 * A free lock costs one atomic swap. A held one is waited for in two
 * steps: read it SPIN_TURNS times, then halt the hart (wfi) with its bit
 * in lk->waiters; the unlock that sees a waiter sends those harts an IPI.
 * The waiter sets its bit before it looks at the lock once more, and the
 * unlock frees the lock before it looks at the bits, both with full
 * ordering, so one of them always sees the other: no waiter sleeps
 * through the unlock (and its timer interrupt would end the wfi anyway).
 * With one hart nothing is ever contended and the unlock is a plain
 * release store.
 *
 * Layer: core. Below: arch/riscv (atomics, wfi, sie), kern/smp.c (the
 * IPI to halted waiters), kern/lockdep.c. Above: every lock user.
 * Locks: it is the lock; the order between locks is in kern/spinlock.h.
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
  lk->waiters = 0;
  lk->name = name;
  lk->owner = NULL;
}

/*
 * lk was held: wait until this hart takes it. Reads only while spinning
 * (no stores while another hart holds it); counts for /proc/interrupts
 * and the lock-order checker.
 */
static void spin_wait(struct spinlock *lk)
{
  struct cpu *c = mycpu();
  uint32_t bit = 1u << c->id;
  uint64_t loops = 0;
  for (;;) {
    for (int i = 0; i < SPIN_TURNS && __atomic_load_n(&lk->locked, __ATOMIC_RELAXED); i++)
      loops++;
    if (!__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
        !__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
      break;
    /* Halt only if the IPI can end it: an IPI that arrived while this
     * hart held a lock has masked it until pop_off (trap.c), and one
     * still pending would end the wfi at once. */
    uint64_t en = csr_read(sie);
    if (!(en & SIE_SSIE) || (csr_read(sip) & SIE_SSIE))
      continue;
    /* A hart still coming up is not counted in ncpu yet, and IPIs go
     * only to counted harts (smp_send_ipi): it must not halt. */
    if (c->id >= READ_ONCE(ncpu))
      continue;
    /* Other sources that are pending (the timer interrupt whose handler
     * is waiting here) would end it at once too: mask them meanwhile. */
    uint64_t pend = csr_read(sip) & en & ~SIE_SSIE;
    if (pend)
      csr_clear(sie, pend);
    __atomic_fetch_or(&lk->waiters, bit, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&lk->locked, __ATOMIC_SEQ_CST)) {
      wfi();
      c->nr_spin_halts++;
    }
    __atomic_fetch_and(&lk->waiters, ~bit, __ATOMIC_RELAXED);
    if (pend)
      csr_set(sie, pend);
  }
  c->nr_spin_waits++;
  c->nr_spin_loops += loops;
  lockdep_contended(&lk->ld_class, loops);
}

/* Acquire lk; interrupts stay off on this hart until the matching unlock. */
void spin_lock(struct spinlock *lk)
{
  push_off();
  if (spin_holding(lk))
    panic("spin_lock: %s already held by this hart", lk->name);
  lockdep_acquire(lk->name, LD_SPIN, &lk->ld_class);
  if (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
    spin_wait(lk);
  lk->owner = mycpu();
}

void spin_unlock(struct spinlock *lk)
{
  if (!spin_holding(lk))
    panic("spin_unlock: %s not held", lk->name);
  lk->owner = NULL;
  if (READ_ONCE(ncpu) == 1) {
    store_release_u32(&lk->locked, 0);
  } else {
    /* The release store, then a full fence before reading waiters (the
     * waiter's side: its amoor.aqrl on waiters, then its read of locked).
     * Not an atomic swap: with several harts QEMU turns every AMO into a
     * call to a helper and every fence into a host barrier, and the swap
     * (amoswap.aqrl, then the fences of a seq_cst load) cost both. */
    store_release_u32(&lk->locked, 0);
    fence_rw_rw();
    uint32_t w = __atomic_load_n(&lk->waiters, __ATOMIC_RELAXED);
    if (w)
      smp_send_ipi(w, 0); /* halted waiters: look again */
  }
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
