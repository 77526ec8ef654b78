/*
 * lockdep.h — hooks of the lock-order checker (kern/lockdep.c), compiled
 * in by `make LOCKDEP=1` (CONFIG_LOCKDEP) and empty otherwise.
 *
 * Layer: core. Called by kern/spinlock.c and kern/mutex.c on every
 * acquire and release; read by /proc/kite/lockdep (fs/proc_kernel.c).
 * Locks: its own graph lock, a raw flag that is not itself checked.
 */
#ifndef KITE_LOCKDEP_H
#define KITE_LOCKDEP_H

#include "kern/types.h"

#define LOCKDEP_HELD 16   /* locks one hart (spinlocks) or task (mutexes) may hold at once */

#define LD_SPIN 0
#define LD_MUTEX 1      /* a sleeping lock (held by the task, not the hart) */
#define LD_TRY 2        /* trylock: cannot wait, so adds no order; only held */

#ifdef CONFIG_LOCKDEP
/* A lock of class name (its class id cached in *class_cache) is about to
 * be taken (flags LD_*) / was released: record the order against every
 * lock held (per hart for spinlocks, per task for mutexes) and report a
 * cycle with both stacks on the console. Never fails. */
void lockdep_acquire(const char *name, int flags, uint16_t *class_cache);
void lockdep_release(bool mutex, uint16_t *class_cache);
extern uint64_t lockdep_cycles;
/* /proc/kite/lockdep: order edge i, class i and its contention counts;
 * false past the last. */
bool lockdep_edge(int i, const char **from, bool *from_mutex, const char **to, bool *to_mutex);
bool lockdep_class_stat(int i, const char **name, bool *mutex, uint64_t *waits, uint64_t *loops);
/* Boot with lockdep_selftest: take two locks in both orders and check the
 * cycle is reported. */
void lockdep_selftest(void);
/* A wait for a lock of this class took `loops` spins (statistics). */
void lockdep_contended(uint16_t *class_cache, uint64_t loops);
#else
/* Without CONFIG_LOCKDEP every hook is empty. */
static inline void lockdep_contended(uint16_t *class_cache, uint64_t loops)
{
  (void)class_cache; (void)loops;
}
static inline void lockdep_selftest(void) {}
static inline void lockdep_acquire(const char *name, int flags, uint16_t *class_cache)
{
  (void)name; (void)flags; (void)class_cache;
}
static inline void lockdep_release(bool mutex, uint16_t *class_cache)
{
  (void)mutex; (void)class_cache;
}
#endif

#endif
