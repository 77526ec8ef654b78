/*
 * posix_timers.h — POSIX per-process timers (timer_create and friends)
 * and the CPU-time interval timers ITIMER_VIRTUAL and ITIMER_PROF
 * (kern/posix_timers.c).
 *
 * Layer: core. Below: kern/time.c (kernel timers, a clock-set hook),
 * kern/signal.c (send_timer_signal). Above: the timer system calls and
 * kern/sched.c's CPU-time accounting. Locks: ptimer_lock (spinlock) guards
 * every process's timer table and the timers' state; proc_lock >
 * ptimer_lock > sighand->lock.
 */
#ifndef KITE_POSIX_TIMERS_H
#define KITE_POSIX_TIMERS_H

#include "kern/types.h"

struct task;
struct process;
struct ksiginfo;

/* Scheduler tick (interrupt context): expire the CPU-time timers of the
 * process t belongs to (t is the task the tick was charged to). */
void posix_cpu_timers_tick(struct task *t);

/* A timer's signal was taken (dequeued for delivery, sigtimedwait or a
 * signalfd): remember its overrun for timer_getoverrun. sighand->lock of
 * p is held. */
void posix_timer_signal_taken(struct process *p, const struct ksiginfo *info);

/* exit (last thread) and exec: delete the process's POSIX timers (exit
 * also stops its CPU interval timers). Process context, no locks held. */
void posix_timers_exit(struct process *p);
void posix_timers_exec(struct process *p);

/* At boot: timers armed at an absolute real time follow the real-time
 * clock when it is set (a hook in kern/time.c). */
void posix_timers_init(void);

/* ITIMER_VIRTUAL (which 1) and ITIMER_PROF (2) of the caller's process:
 * the time left and the interval, in ns; set returns the old ones. */
void cpu_itimer_get(int which, uint64_t *value, uint64_t *interval);
void cpu_itimer_set(int which, uint64_t value, uint64_t interval, uint64_t *ovalue,
                    uint64_t *ointerval);

/* The CPU time of a clock id Linux encodes for another process or
 * thread (clock_getcpuclockid, pthread_getcpuclockid): 0 or -EINVAL. */
long cpu_clock_read(int clockid, uint64_t *ns);

#endif
