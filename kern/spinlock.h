/*
 * spinlock.h — spinlocks (no interrupts while held) and push_off/pop_off.
 *
 * A spinlock may be taken in interrupt context; while one is held this
 * hart takes no interrupts (they are deferred: see push_off in
 * spinlock.c), so an interrupt handler can never spin on a lock its own
 * hart holds. Never sleep while holding a spinlock.
 *
 * Lock order (outermost first) — take locks only in this order:
 *   mm->lock (mutex)  >  inode->lock (mutex)  >  proc_lock  >  sighand->lock
 *   >  wait_queue.lock  >  timer_lock  >  runqueue.lock  >  klog_lock
 * Device locks are leaves: a driver releases its lock before calling up
 * into the protocol stack (docs/lessons.md, L4).
 */
#ifndef KITE_SPINLOCK_H
#define KITE_SPINLOCK_H

#include "kern/types.h"

struct cpu;

struct spinlock {
  volatile uint32_t locked;
  const char *name;       /* for debugging */
  struct cpu *owner;      /* the hart holding it */
};

#define SPINLOCK_INIT(n) { 0, n, NULL }

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool spin_holding(struct spinlock *lk);

void push_off(void);
void pop_off(void);

#endif
