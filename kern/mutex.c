/*
 * mutex.c — a lock that sleeps (struct mutex, kern/wait.h): for code that
 * may block while holding it (file systems, the page cache, mm->lock).
 *
 * Layer: core, over kern/wait.c (its waiters sleep on m->wq) and
 * kern/lockdep.c (the lock-order checker of debug builds). Not recursive:
 * taking a mutex the caller holds panics (a kernel bug).
 *
 * Locks: m->lk (a spinlock) guards locked and owner; it is held only for
 * the test-and-set, never while sleeping.
 */
#include "kern/task.h"
#include "kern/wait.h"
#include "kern/cpu.h"
#include "kern/lockdep.h"
#include "kern/printk.h"

void mutex_init(struct mutex *m, const char *name)
{
  spin_init(&m->lk, name);
  m->locked = false;
  m->ld_class = 0;
  m->owner = NULL;
  wait_queue_init(&m->wq);
}

static bool mutex_try_take(struct mutex *m)
{
  bool ok = false;
  spin_lock(&m->lk);
  if (!m->locked) {
    m->locked = true;
    m->owner = current;
    ok = true;
  }
  spin_unlock(&m->lk);
  return ok;
}

void mutex_lock(struct mutex *m)
{
  if (m->owner == current && m->locked)
    panic("mutex_lock: %s: recursive lock", m->lk.name);
  lockdep_acquire(m->lk.name, LD_MUTEX, &m->ld_class);
  wait_event_state(&m->wq, mutex_try_take(m), WAIT_FOREVER, TASK_UNINTERRUPTIBLE);
}

int mutex_lock_interruptible(struct mutex *m)
{
  lockdep_acquire(m->lk.name, LD_MUTEX, &m->ld_class);
  long r = wait_event(&m->wq, mutex_try_take(m), WAIT_FOREVER);
  if (r)
    lockdep_release(true, &m->ld_class);
  return r ? -EINTR : 0;
}

bool mutex_trylock(struct mutex *m)
{
  bool ok = mutex_try_take(m);
  if (ok)
    lockdep_acquire(m->lk.name, LD_MUTEX | LD_TRY, &m->ld_class);
  return ok;
}

/*
 * Release m and wake its waiters, if it has any. The test for waiters is
 * made under m->lk: a task that queued itself on m->wq did so before its
 * mutex_try_take, so if that try found m taken it ran before this critical
 * section and its queue entry is visible here; if it runs after, it finds
 * m free and takes it. An uncontended unlock so takes one spinlock, not
 * two (each pair an AMO and fences: with several harts, a QEMU helper
 * call and host barriers, docs/smp.md).
 */
void mutex_unlock(struct mutex *m)
{
  lockdep_release(true, &m->ld_class);
  spin_lock(&m->lk);
  m->locked = false;
  m->owner = NULL;
  bool waiters = wait_queue_active(&m->wq);
  spin_unlock(&m->lk);
  if (waiters)
    wake_up(&m->wq);
}

bool mutex_held(struct mutex *m)
{
  return m->locked && m->owner == current;
}
