/*
 * oom.c — the out-of-memory killer. Layer: memory management; called by
 * the user page-fault path (arch/riscv/trap.c) when a fault cannot get a
 * page. Neighbours: kern/vm.c (mm_rss_pages), kern/signal.c (the SIGKILL),
 * kern/process.c (the process list).
 *
 * As Linux's: when memory runs out, the process with the most resident
 * memory is killed with SIGKILL — never init, never a kernel thread — and
 * the task whose fault failed waits a little and tries its access again.
 * While an earlier victim is still dying (its memory not yet back), no
 * new one is chosen. Only a fault of a process that is itself the
 * largest (or of init with nothing else to kill) ends in its own death.
 *
 * Locks: proc_lock while the candidates are collected (each with a
 * reference on its process and its mm); mm->lock inside mm_rss_pages
 * after proc_lock is dropped; oom_lock (a mutex) makes one choice at a
 * time.
 */
#include "kern/oom.h"
#include "kern/task.h"
#include "kern/signal.h"
#include "kern/vm.h"
#include "kern/time.h"
#include "kern/wait.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include <string.h>

#define OOM_CANDIDATES_MAX 512          /* processes looked at per choice */
#define OOM_RETRY_NS (10 * 1000 * 1000) /* the faulting task's pause before retrying */
#define OOM_VICTIM_GRACE_NS (5ULL * 1000 * 1000 * 1000) /* a victim may take this long to die */

static struct mutex oom_lock = MUTEX_INIT(oom_lock, "oom");
static struct process *victim;          /* oom_lock; referenced */
static uint64_t victim_since;           /* when it was killed */
uint64_t oom_kills;                     /* for /proc/vmstat's oom_kill */

/* A live thread's mm (referenced), or NULL for a zombie or a kernel thread. proc_lock held. */
static struct mm *process_mm(struct process *p)
{
  struct task *t;
  list_for_each_entry(t, &p->threads, thread_link) {
    if (t->mm)
      mm_get(t->mm);
    return t->mm;
  }
  return NULL;
}

/* Is the last victim still on its way out (and not for too long)? oom_lock held. */
static bool victim_dying(void)
{
  if (!victim)
    return false;
  spin_lock(&proc_lock);
  bool alive = !victim->zombie && victim->nr_threads > 0;
  spin_unlock(&proc_lock);
  if (alive && time_monotonic_ns() - victim_since < OOM_VICTIM_GRACE_NS)
    return true;
  process_put(victim);
  victim = NULL;
  return false;
}

/* The process with the most resident pages but init (referenced), or NULL. */
static struct process *choose_victim(void)
{
  static struct process *cand[OOM_CANDIDATES_MAX]; /* oom_lock */
  static struct mm *mms[OOM_CANDIDATES_MAX];
  int n = 0;
  spin_lock(&proc_lock);
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    if (n == OOM_CANDIDATES_MAX)
      break;
    if (p->pid <= 1 || p == &kernel_process || p->zombie || p->exiting || p == victim)
      continue;
    struct mm *mm = process_mm(p);
    if (!mm)
      continue;
    process_get(p);
    cand[n] = p;
    mms[n++] = mm;
  }
  spin_unlock(&proc_lock);
  struct process *best = NULL;
  uint64_t most = 0;
  for (int i = 0; i < n; i++) {
    uint64_t rss = mm_rss_pages(mms[i]);
    if (!best || rss > most) {
      best = cand[i];
      most = rss;
    }
  }
  for (int i = 0; i < n; i++) {
    mm_put(mms[i]);
    if (cand[i] != best)
      process_put(cand[i]);
  }
  if (best)
    printk(LOG_WARNING, "oom: out of memory: killed process %d (%lu kB resident)", best->pid,
           (unsigned long)(most * (PAGE_SIZE / 1024)));
  return best;
}

bool oom_kill_and_retry(void)
{
  mutex_lock(&oom_lock);
  if (victim_dying()) {
    mutex_unlock(&oom_lock);
    sleep_interruptible_until(time_monotonic_ns() + OOM_RETRY_NS);
    return true;
  }
  struct process *v = choose_victim();
  if (!v) {
    mutex_unlock(&oom_lock);
    return false;
  }
  if (v == current->proc) { /* we are the largest: the caller kills us */
    process_put(v);
    mutex_unlock(&oom_lock);
    return false;
  }
  struct ksiginfo info;
  memset(&info, 0, sizeof(info));
  info.signo = SIGKILL;
  info.code = SI_KERNEL;
  send_signal_process(v, SIGKILL, &info);
  victim = v;
  victim_since = time_monotonic_ns();
  __atomic_add_fetch(&oom_kills, 1, __ATOMIC_RELAXED);
  mutex_unlock(&oom_lock);
  sleep_interruptible_until(time_monotonic_ns() + OOM_RETRY_NS);
  return true;
}
