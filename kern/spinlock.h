/*
 * spinlock.h — spinlocks (no interrupts while held) and push_off/pop_off.
 *
 * A spinlock may be taken in interrupt context; while one is held this
 * hart takes no interrupts (they are deferred: see push_off in
 * spinlock.c), so an interrupt handler can never spin on a lock its own
 * hart holds. Never sleep while holding a spinlock.
 *
 * Lock order (outermost first): take a lock only while holding none that
 * comes after it. `make LOCKDEP=1` builds a kernel that checks this at run
 * time and reports a cycle with both stacks (kern/lockdep.c); `make test`
 * (testsuite/tests/smp.sh) runs it on 4 harts and keeps the order it saw
 * in build/smp-test/lock-order.txt.
 *
 * Sleeping locks (struct mutex, kern/wait.h; never taken under a spinlock):
 *   rename_lock > file->pos_lock > a socket's rx/tx lock, pipe->lock, a
 *   tty's read/write lock, ep->mtx > inode->lock > mm->lock
 *   > page-cache lock > file-system metadata locks (FAT, block buffers)
 * Spinlocks, all below every mutex:
 *   mount_lock, fs->lock, files->lock > dcache_lock
 *   net_lock > unix_lock, socket_table.lock, rng_lock > wait-queue locks
 *   proc_lock > tty->lock > console_lock
 *   proc_lock > sighand->lock > wait-queue locks
 *   futex bucket locks, ep->lock, timerfd locks > wait-queue locks
 *   wait-queue locks > timer_lock > runqueue.lock
 * Leaves (nothing is taken inside them): kmalloc's class locks, zone_lock
 * ("pages"), klog_lock, console_lock, and device locks — a driver releases
 * its lock before calling up into the protocol stack (docs/lessons.md, L4).
 * Two locks of one kind (two inodes in rename, two futex buckets, two
 * wait queues in an epoll wake-up) are ordered where they are taken.
 *
 * On several harts: keep what a spinlock covers short; anything that may
 * sleep takes a mutex. A hart that finds a spinlock held spins a little,
 * then halts (wfi) until the holder's unlock sends it an IPI (spinlock.c):
 * when QEMU has more harts than the host has free cores, the holder's
 * hart may not be running at all, and spinning would only take the host
 * core it needs to finish.
 *
 * Layer: core (kern/spinlock.c). Below: arch/riscv/riscv.h (atomics,
 * wfi), kern/cpu.h (this hart's noff count), kern/smp.c (the IPI that
 * wakes a halted waiter), kern/lockdep.c (the order checker). Above:
 * every file that shares data between harts or with an interrupt handler;
 * sleeping locks are struct mutex (kern/mutex.c).
 */
#ifndef KITE_SPINLOCK_H
#define KITE_SPINLOCK_H

#include "kern/types.h"

struct cpu;

struct spinlock {
  volatile uint32_t locked;
  volatile uint32_t waiters; /* harts halted waiting for it (bit = logical id) */
  const char *name;       /* for debugging, and the checker's class name */
  struct cpu *owner;      /* the hart holding it */
  uint16_t ld_class;      /* lock-order checker's class (kern/lockdep.c), 0 until used */
};

#define SPINLOCK_INIT(n) { 0, 0, n, NULL, 0 }

/* An unlocked lock named name (a string that lives for good: lockdep's
 * class and the panic messages use it). SPINLOCK_INIT for static ones. */
void spin_init(struct spinlock *lk, const char *name);
/* Acquire lk, waiting for its holder (spinning, then halting until the
 * unlock's IPI). Turns this hart's interrupts off (push_off) until the
 * matching spin_unlock. Panics if this hart already holds lk. Never sleep
 * while holding it. */
void spin_lock(struct spinlock *lk);
/* Release lk, which this hart must hold (else panic), waking harts
 * halted on it; pop_off's interrupts may be taken right here. */
void spin_unlock(struct spinlock *lk);
/* Does this hart hold lk? Only meaningful with interrupts off (push_off
 * or another spinlock held): for assertions. */
bool spin_holding(struct spinlock *lk);

/*
 * Interrupts off on this hart (push_off) and back on (pop_off) — nested:
 * as many pop_offs as push_offs. Lazy: an interrupt arriving in between is
 * deferred and taken at the last pop_off. pop_off without push_off
 * panics. spin_lock/spin_unlock do these; call them directly to keep
 * per-hart data (mycpu()) stable across a few lines.
 */
void push_off(void);
void pop_off(void);

#endif
