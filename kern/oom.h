/*
 * oom.h — the out-of-memory killer (kern/oom.c).
 *
 * Layer: core (kern/oom.c). Called by the user page-fault path
 * (arch/riscv/trap.c) when a fault found no memory. Locks: oom_lock (a
 * mutex: one kill at a time) and proc_lock to walk the processes; the
 * caller holds neither, nor mm->lock.
 */
#ifndef KITE_OOM_H
#define KITE_OOM_H

#include "kern/types.h"

/*
 * A user page fault of the current task found no free page. Kill the
 * process with the most resident memory (never init) unless an earlier
 * victim is still dying, pause briefly, and return true: the caller
 * returns to user mode and the access is retried. false: the current
 * process is itself the one to kill (or nothing else can be); the caller
 * sends it SIGKILL. May sleep; no locks held.
 */
bool oom_kill_and_retry(void);

/* Processes the OOM killer has killed since boot. */
extern uint64_t oom_kills;

#endif
