/* futex.h — fast user-space locking (kern/futex.c). */
#ifndef KITE_FUTEX_H
#define KITE_FUTEX_H
#include "kern/types.h"
struct task;
long do_futex(uaddr_t uaddr, int op, uint32_t val, uaddr_t utimeout, uaddr_t uaddr2, uint32_t val3);
int futex_wake(uaddr_t uaddr, int n, bool private_);
void futex_exit_robust_list(struct task *t);
void futex_init(void); /* the hash buckets, at boot */
#endif
