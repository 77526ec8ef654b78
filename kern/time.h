/*
 * time.h — the clock and kernel timers.
 *
 * One clock source: the `time` CSR (rdtime), counting at the device tree's
 * timebase-frequency (10 MHz on QEMU virt). Monotonic time is rdtime since
 * boot in nanoseconds; real time adds the wall-clock time read from the
 * goldfish RTC at boot. Timers are kept sorted by expiry; the timer
 * interrupt is programmed for the earliest one (and the scheduler tick).
 *
 * Layer: core (kern/time.c). Below: arch/riscv (rdtime, the stimecmp CSR
 * or the SBI timer call). Above: kern/sched.c (the tick), kern/wait.c
 * (timed sleeps), kern/posix_timers.c, fs/timerfd.c (which register
 * clock-set hooks), drivers/rtc.c (sets the real time at boot).
 *
 * Locks: timer_lock (spinlock) guards the timer list and each timer's
 * armed/expires_ns; it ranks below wait-queue locks and above the run
 * queue lock. The clock is read lock-free (the vDSO page's sequence
 * count); its writers take clock_lock, a leaf.
 */
#ifndef KITE_TIME_H
#define KITE_TIME_H

#include "kern/types.h"
#include "kern/list.h"

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL

/* Linux's clock ids (uapi/linux/time.h). */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define CLOCK_TAI 11
#define TIMER_ABSTIME 1

struct timespec64 {
  int64_t tv_sec;
  int64_t tv_nsec;
};

extern uint64_t timebase_hz;

/* Boot, once: the clock counts timebase Hz (0: keep the default) and
 * monotonic time starts now; publishes the vDSO's clock data. */
void time_init(uint64_t timebase);
/* Nanoseconds since boot (CLOCK_MONOTONIC), and since the epoch
 * (CLOCK_REALTIME). Lock-free, any context. */
uint64_t time_monotonic_ns(void);
uint64_t time_realtime_ns(void);
/* Set CLOCK_REALTIME to ns (settimeofday, clock_settime, the RTC): updates
 * the vDSO data and runs every clock-set hook (absolute real-time timers
 * re-arm). Permission is the caller's to check. No lock held: the hooks
 * take their own. */
void time_set_realtime_ns(uint64_t ns);
/* Slew CLOCK_REALTIME: from now on it runs at 1 + rate/2^32 times the
 * monotonic rate (rate: extra nanoseconds per nanosecond, scaled by 2^32);
 * the time it reads now does not jump. kern/ntp.c's once-a-second update
 * calls it; no hooks run (timers are not moved). Takes clock_lock (below
 * ntp_lock); any context. */
void time_set_realtime_rate(int64_t rate);
/* Between clock ticks (the time CSR) and nanoseconds (128-bit, exact). */
uint64_t ticks_to_ns(uint64_t ticks);
uint64_t ns_to_ticks(uint64_t ns);

/* A one-shot kernel timer. fn runs in interrupt context with no locks held. */
struct timer {
  struct list_head link;
  uint64_t expires_ns;         /* monotonic deadline */
  void (*fn)(struct timer *t);
  void *data;
  bool armed;
};

/* Set t up, unarmed, to call fn(t) (t->data = data). No lock. */
void timer_init(struct timer *t, void (*fn)(struct timer *), void *data);
/* Arm t (or move it, if armed) to fire at monotonic time expires_ns (a
 * past time fires at the next timer interrupt). Takes timer_lock: callable
 * with wait-queue locks held and from a timer callback. */
void timer_arm(struct timer *t, uint64_t expires_ns);
/* Disarm t; true if it was armed. Its callback may still be running on
 * another hart: timer_cancel_sync before freeing t. Takes timer_lock. */
bool timer_cancel(struct timer *t);
/* Disarm t and wait until its callback runs on no hart (re-arming by that
 * callback is undone too); then t may be freed. Process context, never
 * from t's own callback nor holding a lock that callback takes. */
void timer_cancel_sync(struct timer *t);
/* The timer interrupt (arch/riscv/trap.c): run every expired timer's
 * callback (interrupt context, timer_lock dropped around each), tick the
 * scheduler when due, program the next interrupt. */
void timer_interrupt(void);
/* This hart's tick: program its first timer interrupt and enable it
 * (boot, and each secondary hart as it comes up). */
void timer_hart_init(void);
/* A struct timespec as nanoseconds: 0, or -EINVAL for a negative or
 * unnormalised one (huge values saturate); from user memory: 0, -EFAULT or
 * -EINVAL. No locks; get_user_timespec_ns may fault pages in. */
long timespec_to_ns(const struct timespec64 *ts, uint64_t *ns);
long get_user_timespec_ns(uint64_t uaddr, uint64_t *ns);
/* Boot: program timers through the stimecmp CSR (Sstc, the device tree
 * says) rather than an SBI call. */
void timer_use_sstc(bool yes);

/*
 * Told when the real-time clock is set (settimeofday, clock_settime, the
 * RTC): timers armed at an absolute real time (timerfd, POSIX timers) move
 * with it. The layers above register a hook at boot (time_add_clock_set_hook,
 * once, before other harts run; never removed), so this file names none of
 * them. clock_was_set runs in process context with no locks held, hooks in
 * the order they were added.
 */
struct clock_set_hook {
  void (*clock_was_set)(void);
  struct clock_set_hook *next;
};
void time_add_clock_set_hook(struct clock_set_hook *h);

#endif
