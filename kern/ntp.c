/*
 * ntp.c — the clock discipline adjtimex drives (Linux's kernel/time/ntp.c,
 * reduced to what a clock with no PPS source needs).
 *
 * The state a time daemon steers: a frequency correction (ADJ_FREQUENCY,
 * ±500 ppm), the length of a clock tick (ADJ_TICK, ±10%), a phase offset
 * the PLL slews away (ADJ_OFFSET with STA_PLL: each second a fraction
 * 2^-(2 + time constant) of what is left), adjtime()'s single-shot offset
 * (slewed at 500 µs per second), and the bookkeeping fields (status, the
 * error estimates, the time constant, the TAI offset). Once a second,
 * while any of it is in play, ntp_second works out the rate for the next
 * second, as Linux's second_overflow does, and hands it to kern/time.c:
 * CLOCK_REALTIME then runs at that rate (the vDSO reads the same line).
 * The monotonic clock is not slewed (on Linux it is; here timers and the
 * scheduler keep the raw counter).
 *
 * Units are Linux's: time_freq in ns per second << 32, time_offset in ns
 * per tick (1/USER_HZ s) << 32, time_adjust in µs.
 *
 * Layer: core, over kern/time.c (time_set_realtime_rate, the clock's
 * step, a kernel timer). Above: kern/sys_time.c. Locks: ntp_lock, a
 * spinlock (the timer callback takes it in interrupt context); it ranks
 * above clock_lock and timer_lock. Stepping the clock (ADJ_SETOFFSET)
 * runs the clock-set hooks, so it happens with ntp_lock released.
 */
#include "kern/ntp.h"
#include "kern/time.h"
#include "kern/spinlock.h"
#include "kern/cred.h"
#include "kern/errno.h"
#include "kern/param.h"
#include <limits.h>

STATIC_ASSERT(sizeof(struct timex64) == 208);

/* modes */
#define ADJ_OFFSET 0x0001
#define ADJ_FREQUENCY 0x0002
#define ADJ_MAXERROR 0x0004
#define ADJ_ESTERROR 0x0008
#define ADJ_STATUS 0x0010
#define ADJ_TIMECONST 0x0020
#define ADJ_TAI 0x0080
#define ADJ_SETOFFSET 0x0100
#define ADJ_MICRO 0x1000
#define ADJ_NANO 0x2000
#define ADJ_TICK 0x4000
#define ADJ_ADJTIME 0x8000          /* with ADJ_OFFSET: adjtime()'s single shot */
#define ADJ_OFFSET_READONLY 0x2000  /* with ADJ_ADJTIME: only read it */
/* status */
#define STA_PLL 0x0001
#define STA_PPSFREQ 0x0002
#define STA_PPSTIME 0x0004
#define STA_FLL 0x0008
#define STA_UNSYNC 0x0040
#define STA_FREQHOLD 0x0080
#define STA_PPSSIGNAL 0x0100
#define STA_PPSJITTER 0x0200
#define STA_PPSWANDER 0x0400
#define STA_PPSERROR 0x0800
#define STA_CLOCKERR 0x1000
#define STA_NANO 0x2000
#define STA_MODE 0x4000
#define STA_RONLY 0xff00            /* PPSSIGNAL ... CLK: the kernel's to set */
/* clock states */
#define TIME_OK 0
#define TIME_ERROR 5

#define NTP_SCALE_SHIFT 32
#define NTP_PHASE_LIMIT 16000000LL  /* µs: the error of a clock nobody disciplines */
#define MAXPHASE 500000000LL        /* ns: the largest offset the PLL takes */
#define MAXFREQ 500000LL            /* ns per s: 500 ppm */
#define MAXFREQ_SCALED (MAXFREQ << NTP_SCALE_SHIFT)
#define PPM_SCALE ((int64_t)NSEC_PER_USEC << (NTP_SCALE_SHIFT - 16)) /* ppm << 16 to ns/s << 32 */
#define PPM_SCALE_INV_SHIFT 19
#define PPM_SCALE_INV ((1LL << (PPM_SCALE_INV_SHIFT + NTP_SCALE_SHIFT)) / PPM_SCALE + 1)
#define MAXTC 10                    /* largest time constant */
#define SHIFT_PLL 2
#define SHIFT_FLL 2
#define MINSEC 256                  /* s: FLL below this interval never */
#define MAXSEC 2048                 /* s: FLL above it always */
#define MAX_TICKADJ 500LL           /* µs per s: adjtime()'s slew rate */
#define MAX_TAI_OFFSET 100000

static struct spinlock ntp_lock = SPINLOCK_INIT("ntp");

/* The discipline (ntp_lock). Linux's names and boot values. */
static struct {
  int64_t tick_usec;     /* µs per USER_HZ tick */
  int64_t time_freq;     /* ns per s << 32 */
  int64_t time_offset;   /* phase left to slew: ns per tick << 32 */
  int64_t time_adjust;   /* adjtime() left to slew: µs */
  int64_t time_constant;
  int64_t maxerror, esterror; /* µs */
  int64_t reftime;       /* real seconds of the last ADJ_OFFSET */
  int64_t extra;         /* this second's slew of offset and adjust: ns/s << 32 */
  int32_t status, tai;
  bool ticking;          /* ntp_second armed */
} ntp = {
  .tick_usec = 1000000 / USER_HZ,
  .time_constant = 2,
  .maxerror = NTP_PHASE_LIMIT,
  .esterror = NTP_PHASE_LIMIT,
  .status = STA_UNSYNC,
};
static void ntp_second(struct timer *t);
static struct timer ntp_timer = { .link = LIST_HEAD_INIT(ntp_timer.link), .fn = ntp_second };

/* x >> s rounding towards zero, as Linux's shift_right. */
static int64_t shift_right(int64_t x, int s)
{
  return x < 0 ? -(int64_t)((uint64_t)-x >> s) : (int64_t)((uint64_t)x >> s);
}

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi)
{
  return x < lo ? lo : x > hi ? hi : x;
}

/* Linux's is_error_status: the clock cannot be trusted. */
static bool is_error_status(int32_t st)
{
  return (st & (STA_UNSYNC | STA_CLOCKERR)) ||
         ((st & (STA_PPSFREQ | STA_PPSTIME)) && !(st & STA_PPSSIGNAL)) ||
         ((st & (STA_PPSTIME | STA_PPSJITTER)) == (STA_PPSTIME | STA_PPSJITTER)) ||
         ((st & STA_PPSFREQ) && (st & (STA_PPSWANDER | STA_PPSERROR)));
}

/* The real-time clock's rate from the state: extra ns per ns << 32.
 * Caller holds ntp_lock. */
static int64_t ntp_rate(void)
{
  int64_t second = (ntp.tick_usec * (int64_t)USER_HZ * (int64_t)NSEC_PER_USEC - (int64_t)NSEC_PER_SEC)
                   * (1LL << NTP_SCALE_SHIFT);
  return (second + ntp.time_freq + ntp.extra) / (int64_t)NSEC_PER_SEC;
}

/* Does anything change from one second to the next? Caller holds ntp_lock. */
static bool ntp_busy(void)
{
  return ntp.tick_usec != 1000000 / USER_HZ || ntp.time_freq || ntp.time_offset || ntp.time_adjust ||
         ntp.extra || ntp.maxerror < NTP_PHASE_LIMIT || !(ntp.status & STA_UNSYNC);
}

/* Apply the rate now, and keep the second timer going while busy. Caller
 * holds ntp_lock. */
static void ntp_update(void)
{
  time_set_realtime_rate(ntp_rate());
  if (!ntp.ticking && ntp_busy()) {
    ntp.ticking = true;
    timer_arm(&ntp_timer, time_monotonic_ns() + NSEC_PER_SEC);
  }
}

/* Once a second while busy (timer callback, interrupt context): Linux's
 * second_overflow — the error estimate grows by 500 µs (past the limit
 * the clock is unsynchronised), and the next second slews a share of the
 * PLL's offset and up to 500 µs of adjtime()'s. */
static void ntp_second(struct timer *t)
{
  spin_lock(&ntp_lock);
  ntp.maxerror += MAXFREQ / (int64_t)NSEC_PER_USEC;
  if (ntp.maxerror > NTP_PHASE_LIMIT) {
    ntp.maxerror = NTP_PHASE_LIMIT;
    ntp.status |= STA_UNSYNC;
  }
  int64_t delta = shift_right(ntp.time_offset, SHIFT_PLL + (int)ntp.time_constant);
  ntp.time_offset -= delta;
  ntp.extra = delta * USER_HZ;
  int64_t adj = clamp64(ntp.time_adjust, -MAX_TICKADJ, MAX_TICKADJ);
  ntp.time_adjust -= adj;
  ntp.extra += adj * (int64_t)NSEC_PER_USEC * (1LL << NTP_SCALE_SHIFT);
  time_set_realtime_rate(ntp_rate());
  if (ntp_busy())
    timer_arm(t, MAX(t->expires_ns + NSEC_PER_SEC, time_monotonic_ns() + NSEC_PER_SEC / 2));
  else
    ntp.ticking = false;
  spin_unlock(&ntp_lock);
}

/* Linux's ntp_update_offset_fll: below MINSEC (or below MAXSEC without
 * STA_FLL) the PLL alone steers. Caller holds ntp_lock. */
static int64_t update_offset_fll(int64_t offset, int64_t secs)
{
  ntp.status &= ~STA_MODE;
  if (secs < MINSEC)
    return 0;
  if (!(ntp.status & STA_FLL) && secs <= MAXSEC)
    return 0;
  ntp.status |= STA_MODE;
  return offset * (1LL << (NTP_SCALE_SHIFT - SHIFT_FLL)) / secs;
}

/* ADJ_OFFSET: a measured phase offset for the PLL (only with STA_PLL), as
 * Linux's ntp_update_offset. Caller holds ntp_lock. */
static void update_offset(int64_t offset, int64_t real_secs)
{
  if (!(ntp.status & STA_PLL))
    return;
  if (!(ntp.status & STA_NANO))
    offset = clamp64(offset, -1000000, 1000000) * (int64_t)NSEC_PER_USEC;
  offset = clamp64(offset, -MAXPHASE, MAXPHASE);
  int64_t secs = (ntp.status & STA_FREQHOLD) ? 0 : real_secs - ntp.reftime;
  ntp.reftime = real_secs;
  int64_t freq_adj = update_offset_fll(offset, secs);
  int tc = (int)ntp.time_constant;
  secs = MIN(secs, 1LL << (SHIFT_PLL + 1 + tc));
  freq_adj += offset * secs * (1LL << (NTP_SCALE_SHIFT - 2 * (SHIFT_PLL + 2 + tc)));
  ntp.time_freq = clamp64(freq_adj + ntp.time_freq, -MAXFREQ_SCALED, MAXFREQ_SCALED);
  ntp.time_offset = offset * (1LL << NTP_SCALE_SHIFT) / USER_HZ;
}

/* ADJ_STATUS, as Linux's process_adj_status. Caller holds ntp_lock. */
static void adj_status(int32_t st, int64_t real_secs)
{
  if ((ntp.status & STA_PLL) && !(st & STA_PLL))
    ntp.status = STA_UNSYNC;   /* PLL off: start again (drops STA_NANO too) */
  if (!(ntp.status & STA_PLL) && (st & STA_PLL))
    ntp.reftime = real_secs;
  ntp.status = (ntp.status & STA_RONLY) | (st & ~STA_RONLY);
}

/* Everything but ADJ_ADJTIME and ADJ_SETOFFSET, in Linux's order
 * (process_adjtimex_modes). Caller holds ntp_lock. */
static void adj_modes(const struct timex64 *tx, int64_t real_secs)
{
  uint32_t m = tx->modes;
  if (m & ADJ_STATUS)
    adj_status(tx->status, real_secs);
  if (m & ADJ_NANO)
    ntp.status |= STA_NANO;
  if (m & ADJ_MICRO)
    ntp.status &= ~STA_NANO;
  if (m & ADJ_FREQUENCY)
    ntp.time_freq = clamp64(tx->freq * PPM_SCALE, -MAXFREQ_SCALED, MAXFREQ_SCALED);
  if (m & ADJ_MAXERROR)
    ntp.maxerror = clamp64(tx->maxerror, 0, NTP_PHASE_LIMIT);
  if (m & ADJ_ESTERROR)
    ntp.esterror = clamp64(tx->esterror, 0, NTP_PHASE_LIMIT);
  if (m & ADJ_TIMECONST) {
    int64_t tc = clamp64(tx->constant, 0, MAXTC);
    if (!(ntp.status & STA_NANO))
      tc += 4;
    ntp.time_constant = clamp64(tc, 0, MAXTC);
  }
  if ((m & ADJ_TAI) && tx->constant >= 0 && tx->constant <= MAX_TAI_OFFSET)
    ntp.tai = (int32_t)tx->constant;
  if (m & ADJ_OFFSET)
    update_offset(tx->offset, real_secs);
  if (m & ADJ_TICK)
    ntp.tick_usec = tx->tick;
}

/* Linux's timekeeping_validate_timex: 0 or -EPERM/-EINVAL. */
static long validate(const struct timex64 *tx)
{
  uint32_t m = tx->modes;
  if (m & ADJ_ADJTIME) {
    if (!(m & ADJ_OFFSET))
      return -EINVAL;   /* adjtime()'s modes are ADJ_OFFSET_SINGLESHOT and _SS_READ */
    if (!(m & ADJ_OFFSET_READONLY) && !capable(CAP_SYS_TIME))
      return -EPERM;
  } else {
    if (m && !capable(CAP_SYS_TIME))
      return -EPERM;
    if ((m & ADJ_TICK) && (tx->tick < 900000 / USER_HZ || tx->tick > 1100000 / USER_HZ))
      return -EINVAL;
  }
  if (m & ADJ_SETOFFSET) {
    if (!capable(CAP_SYS_TIME))
      return -EPERM;
    int64_t lim = (m & ADJ_NANO) ? (int64_t)NSEC_PER_SEC : 1000000;
    if (tx->time.tv_usec < 0 || tx->time.tv_usec >= lim)
      return -EINVAL;
  }
  if ((m & ADJ_FREQUENCY) && (tx->freq < LLONG_MIN / PPM_SCALE || tx->freq > LLONG_MAX / PPM_SCALE))
    return -EINVAL;
  return 0;
}

/* ADJ_SETOFFSET: step the clock by tx->time (ns with ADJ_NANO, else µs);
 * -EINVAL if that would go before the epoch. No lock held. */
static long step_clock(const struct timex64 *tx)
{
  int64_t delta = tx->time.tv_sec * (int64_t)NSEC_PER_SEC +
                  tx->time.tv_usec * ((tx->modes & ADJ_NANO) ? 1 : (int64_t)NSEC_PER_USEC);
  int64_t now = (int64_t)time_realtime_ns();
  if (now + delta < 0)
    return -EINVAL;
  time_set_realtime_ns((uint64_t)(now + delta));
  return 0;
}

/* Fill tx with the state, as Linux's __do_adjtimex (modes and the padding
 * are left as the caller gave them). Caller holds ntp_lock. */
static void fill(struct timex64 *tx, uint64_t real)
{
  tx->freq = shift_right((ntp.time_freq >> PPM_SCALE_INV_SHIFT) * PPM_SCALE_INV, NTP_SCALE_SHIFT);
  tx->maxerror = ntp.maxerror;
  tx->esterror = ntp.esterror;
  tx->status = ntp.status;
  tx->constant = ntp.time_constant;
  tx->precision = 1;
  tx->tolerance = MAXFREQ_SCALED / PPM_SCALE;
  tx->tick = ntp.tick_usec;
  tx->tai = ntp.tai;
  tx->ppsfreq = tx->jitter = tx->stabil = 0;
  tx->jitcnt = tx->calcnt = tx->errcnt = tx->stbcnt = 0;
  tx->shift = 0;
  tx->time.tv_sec = (int64_t)(real / NSEC_PER_SEC);
  tx->time.tv_usec = (int64_t)(real % NSEC_PER_SEC);
  if (!(ntp.status & STA_NANO))
    tx->time.tv_usec /= (int64_t)NSEC_PER_USEC;
}

long ntp_adjtimex(struct timex64 *tx)
{
  long r = validate(tx);
  if (r)
    return r;
  if ((tx->modes & ADJ_SETOFFSET) && (r = step_clock(tx)))
    return r;
  uint32_t m = tx->modes;
  spin_lock(&ntp_lock);
  uint64_t real = time_realtime_ns();
  int64_t real_secs = (int64_t)(real / NSEC_PER_SEC);
  if (m & ADJ_ADJTIME) {
    int64_t save = ntp.time_adjust;
    if (!(m & ADJ_OFFSET_READONLY))
      ntp.time_adjust = tx->offset;
    tx->offset = save;
  } else {
    if (m)
      adj_modes(tx, real_secs);
    int64_t off = shift_right(ntp.time_offset * USER_HZ, NTP_SCALE_SHIFT);
    /* in µs Linux converts through an unsigned 32-bit value (sic) */
    tx->offset = (ntp.status & STA_NANO) ? off : (int64_t)((uint32_t)off / NSEC_PER_USEC);
  }
  r = is_error_status(ntp.status) ? TIME_ERROR : TIME_OK;
  fill(tx, real);
  if (m)
    ntp_update();
  spin_unlock(&ntp_lock);
  return r;
}
