/*
 * futex.h — fast user-space locking (kern/futex.c).
 *
 * Layer: core. Below: kern/wait.c (sleeping), kern/uaccess.c (the user
 * word), kern/vm.c (a shared futex's key is its page). Above: the futex
 * system call (kern/sys_*.c), thread exit in kern/process.c
 * (CLONE_CHILD_CLEARTID, robust lists).
 *
 * Locks: one spinlock per hash bucket (two buckets in order of address for
 * requeue), above wait-queue locks; the user word is read with the
 * bucket's waiter already queued, so no wake-up is lost.
 */
#ifndef KITE_FUTEX_H
#define KITE_FUTEX_H
#include "kern/types.h"
struct task;
/* The futex system call (FUTEX_WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP,
 * WAIT_BITSET, WAKE_BITSET; the PI ops are -ENOSYS). Returns what Linux
 * returns: waiters woken or moved, 0 after a wait, or -EAGAIN (the word
 * changed), -ETIMEDOUT, -EINTR/-ERESTARTSYS, -EFAULT, -EINVAL. Current
 * task, no lock held; the waits sleep. */
long do_futex(uaddr_t uaddr, int op, uint32_t val, uaddr_t utimeout, uaddr_t uaddr2, uint32_t val3);
/* Wake up to n waiters on the futex at uaddr (of current's address space;
 * private_: keyed by address, else by page). Returns how many woke, 0 for
 * a bad address. Takes the bucket lock; no lock held on entry. */
int futex_wake(uaddr_t uaddr, int n, bool private_);
/* Thread exit: walk t's robust list in user memory, mark each futex it
 * holds FUTEX_OWNER_DIED and wake one waiter of each (a bad list just
 * stops the walk). t is current, its mm still there; no lock held. */
void futex_exit_robust_list(struct task *t);
/* Boot, once: the hash buckets and their locks. */
void futex_init(void);
#endif
