/*
 * profile.h — the kernel's sampling profiler (kern/profile.c), read and
 * controlled through /proc/kite/profile (fs/procfs.c).
 *
 * Layer: core (kern/profile.c). Below: kern/time.c (the sampling
 * interrupt). Above: fs/proc_kernel.c (the file). Locks: none; each hart
 * writes its own sample counters from its timer interrupt and readers take
 * a racy snapshot.
 */
#ifndef KITE_PROFILE_H
#define KITE_PROFILE_H

#include "kern/types.h"

extern bool profile_on;  /* sampling now (read without a lock) */

/* A timer interrupt at pc (from user mode if user): count it. Interrupt context. */
void profile_sample(uint64_t pc, bool user);
/* Clear the histogram and start sampling (on), or stop (the counts stay). */
void profile_control(bool on);
struct profile_slot {
  uint64_t pc;     /* a kernel PC; 0: free (set once, by compare-and-swap) */
  uint64_t count;  /* samples at pc (atomic) */
};
struct profile_totals {
  uint64_t kernel, user, idle, dropped;
};
/* Copy the histogram into v (room for PROFILE_SLOTS), most samples first,
 * and the totals into *t; returns the number of PCs. Allocates nothing:
 * the caller (fs/procfs.c) owns v and prints. */
int profile_snapshot(struct profile_slot *v, struct profile_totals *t);

#endif
