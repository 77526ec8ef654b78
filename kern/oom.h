/*
 * oom.h — the out-of-memory killer (kern/oom.c).
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
