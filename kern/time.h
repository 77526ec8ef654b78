/*
 * time.h — the clock and kernel timers.
 *
 * One clock source: the `time` CSR (rdtime), counting at the device tree's
 * timebase-frequency (10 MHz on QEMU virt). Monotonic time is rdtime since
 * boot in nanoseconds; real time adds the wall-clock time read from the
 * goldfish RTC at boot. Timers are kept sorted by expiry; the timer
 * interrupt is programmed for the earliest one (and the scheduler tick).
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

void time_init(uint64_t timebase);
uint64_t time_monotonic_ns(void);
uint64_t time_realtime_ns(void);
void time_set_realtime_ns(uint64_t ns);
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

void timer_init(struct timer *t, void (*fn)(struct timer *), void *data);
void timer_arm(struct timer *t, uint64_t expires_ns);
bool timer_cancel(struct timer *t);  /* true if it was armed */
void timer_cancel_sync(struct timer *t); /* cancel, and wait out a running callback */
void timer_interrupt(void);          /* from the trap handler */
void timer_hart_init(void);
/* A struct timespec as nanoseconds: 0, or -EINVAL for a negative or
 * unnormalised one (huge values saturate); from user memory: 0, -EFAULT or
 * -EINVAL. No locks; get_user_timespec_ns may fault pages in. */
long timespec_to_ns(const struct timespec64 *ts, uint64_t *ns);
long get_user_timespec_ns(uint64_t uaddr, uint64_t *ns);
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
