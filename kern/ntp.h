/*
 * ntp.h — the kernel's NTP clock discipline: what adjtimex and
 * clock_adjtime(CLOCK_REALTIME) read and change.
 *
 * Layer: core (kern/ntp.c), over kern/time.c (the clock it slews). Above:
 * kern/sys_time.c (the system calls, which only copy struct timex in and
 * out). Locks: ntp_lock (spinlock, taken by the once-a-second timer in
 * interrupt context) ranks above clock_lock and timer_lock.
 */
#ifndef KITE_NTP_H
#define KITE_NTP_H

#include "kern/types.h"

/* struct timex as riscv64 Linux lays it out (208 bytes). */
struct timex64 {
  uint32_t modes;
  int32_t pad0;
  int64_t offset, freq, maxerror, esterror;
  int32_t status, pad1;
  int64_t constant, precision, tolerance;
  struct {
    int64_t tv_sec, tv_usec;
  } time;
  int64_t tick, ppsfreq, jitter;
  int32_t shift, pad2;
  int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
  int32_t tai;
  int32_t pad3[11];
};

/* adjtimex on CLOCK_REALTIME, as Linux's do_adjtimex: check tx (the
 * caller's copy) — -EPERM without CAP_SYS_TIME, -EINVAL for a tick or
 * time out of range —, apply its modes, and fill it with the state after.
 * Returns the clock state (TIME_OK, or TIME_ERROR while unsynchronised) or
 * a negative errno. Process context; takes ntp_lock, and may step the
 * clock (time_set_realtime_ns) with no lock held. */
long ntp_adjtimex(struct timex64 *tx);

#endif
