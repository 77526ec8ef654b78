/*
 * time.c — the clock (rdtime), wall-clock offset, and kernel timers.
 *
 * Timers sit on one list sorted by expiry, under timer_lock. The hart's
 * timer interrupt is programmed for min(earliest timer, next scheduler
 * tick). Through Sstc (the stimecmp CSR) when the hart has it — no SBI
 * call — else through SBI TIME.
 *
 * Layer: core. Below: arch/riscv (rdtime, stimecmp, SBI), kern/sched.c
 * (scheduler_tick). Above: timed sleeps (kern/wait.c), POSIX timers,
 * timerfd (fs/timerfd.c), drivers/rtc.c; the clock-set hooks reach the
 * ones above without naming them.
 * Locks: timer_lock (spinlock, below wait-queue locks, above the run
 * queue); a callback runs with it dropped, in interrupt context.
 */
#include "kern/time.h"
#include "kern/spinlock.h"
#include "kern/task.h"
#include "kern/cpu.h"
#include "kern/param.h"
#include "kern/vm.h"       /* copyin */
#include "kern/errno.h"
#include "kern/profile.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/vdso/vdso.h"

uint64_t timebase_hz = 10000000;
static uint64_t boot_ticks;
/*
 * CLOCK_REALTIME as a line through one point: at monotonic time rt_base it
 * read rt_base + rt_offset, and it runs at 1 + rt_rate/2^32 times the
 * monotonic rate (adjtimex's slewing, kern/ntp.c; 0 when nothing slews).
 * Writers hold clock_lock and bump the vDSO page's sequence count; readers
 * (the kernel and the vDSO) retry on it.
 */
static uint64_t rt_offset, rt_base;
static int64_t rt_rate;
static struct spinlock clock_lock = SPINLOCK_INIT("clock");
static struct clock_set_hook *clock_set_hooks; /* told when the clock is set */

/* The page every process maps read-only under its vDSO (arch/riscv/vdso). */
struct vdso_data vdso_data_page __attribute__((aligned(4096), section(".data.vdso")));

static void vdso_update(void)
{
  struct vdso_data *d = &vdso_data_page;
  d->seq++;
  __sync_synchronize();
  d->boot_ticks = boot_ticks;
  d->timebase_hz = timebase_hz;
  d->mult = (uint64_t)(((__uint128_t)NSEC_PER_SEC << 32) / timebase_hz);
  d->realtime_offset_ns = rt_offset;
  d->realtime_base_ns = rt_base;
  d->realtime_rate = rt_rate;
  __sync_synchronize();
  d->seq++;
}
static bool have_sstc;

static struct spinlock timer_lock = SPINLOCK_INIT("timers");
static LIST_HEAD(timer_list);
static uint64_t next_tick_ns[NCPU];
static struct timer *running_timer[NCPU]; /* callback each hart is in (timer_lock) */

void time_init(uint64_t timebase)
{
  if (timebase)
    timebase_hz = timebase;
  boot_ticks = rdtime();
  vdso_update();
}

uint64_t ticks_to_ns(uint64_t ticks)
{
  return (uint64_t)((__uint128_t)ticks * NSEC_PER_SEC / timebase_hz);
}

uint64_t ns_to_ticks(uint64_t ns)
{
  return (uint64_t)((__uint128_t)ns * timebase_hz / NSEC_PER_SEC);
}

uint64_t time_monotonic_ns(void)
{
  if (timebase_hz == 10000000)
    return (rdtime() - boot_ticks) * 100; /* QEMU virt: 100 ns per tick */
  return ticks_to_ns(rdtime() - boot_ticks);
}

/* Real time at monotonic time mono, from one consistent copy of the line. */
static uint64_t realtime_at(const volatile struct vdso_data *d, uint64_t mono)
{
  int64_t since = (int64_t)(mono - d->realtime_base_ns);
  return mono + d->realtime_offset_ns + (int64_t)(((__int128)since * d->realtime_rate) >> 32);
}

uint64_t time_realtime_ns(void)
{
  const volatile struct vdso_data *d = &vdso_data_page;
  uint32_t seq;
  uint64_t ns;
  do {
    seq = d->seq;
    __sync_synchronize();
    ns = realtime_at(d, time_monotonic_ns());
    __sync_synchronize();
  } while ((seq & 1) || seq != d->seq);
  return ns;
}

/* Set the real-time clock (settimeofday; the RTC at boot and RTC_SET_TIME). */
void time_set_realtime_ns(uint64_t ns)
{
  spin_lock(&clock_lock);
  rt_base = time_monotonic_ns();
  rt_offset = ns - rt_base;
  vdso_update();
  spin_unlock(&clock_lock);
  /* absolute real-time timers (timerfd, POSIX timers) follow the clock */
  for (struct clock_set_hook *h = clock_set_hooks; h; h = h->next)
    h->clock_was_set();
}

void time_set_realtime_rate(int64_t rate)
{
  spin_lock(&clock_lock);
  uint64_t mono = time_monotonic_ns();
  uint64_t now = realtime_at(&vdso_data_page, mono);
  rt_base = mono;
  rt_offset = now - mono;
  rt_rate = rate;
  vdso_update();
  spin_unlock(&clock_lock);
}

void time_add_clock_set_hook(struct clock_set_hook *h)
{
  struct clock_set_hook **p = &clock_set_hooks;
  while (*p)
    p = &(*p)->next;
  h->next = NULL;
  *p = h;
}

void timer_use_sstc(bool yes)
{
  have_sstc = yes;
}

static void program_timer(uint64_t deadline_ns)
{
  mycpu()->timer_ns = deadline_ns;
  uint64_t ticks = boot_ticks + ns_to_ticks(deadline_ns);
  if (have_sstc)
    csr_write(0x14d /* stimecmp */, ticks);
  else
    sbi_set_timer(ticks);
}

/*
 * Program this hart's timer for the earliest of the next tick, the first
 * timer and, while the profiler samples, one PROFILE_HZ period from now.
 */
static void reprogram(void)
{
  struct cpu *c = mycpu();
  uint64_t deadline = MIN(next_tick_ns[c->id], c->slice_end_ns);
  if (READ_ONCE(profile_on))
    deadline = MIN(deadline, time_monotonic_ns() + NSEC_PER_SEC / PROFILE_HZ);
  if (!list_empty(&timer_list)) {
    struct timer *t = list_first_entry(&timer_list, struct timer, link);
    if (t->expires_ns < deadline)
      deadline = t->expires_ns;
  }
  program_timer(deadline);
}

/* The scheduler's slice ends at deadline_ns: this hart's timer fires no
 * later (rq.lock held, so interrupts are off and reprogram() cannot run here). */
void timer_program_before(uint64_t deadline_ns)
{
  if (deadline_ns < mycpu()->timer_ns)
    program_timer(deadline_ns);
}

void timer_hart_init(void)
{
  next_tick_ns[mycpu()->id] = time_monotonic_ns() + NSEC_PER_SEC / HZ;
  spin_lock(&timer_lock);
  reprogram();
  spin_unlock(&timer_lock);
  csr_set(sie, SIE_STIE);
}

void timer_init(struct timer *t, void (*fn)(struct timer *), void *data)
{
  list_init(&t->link);
  t->fn = fn;
  t->data = data;
  t->armed = false;
  t->expires_ns = 0;
}

/* Arm (or re-arm) t to fire at the monotonic time expires_ns. */
void timer_arm(struct timer *t, uint64_t expires_ns)
{
  spin_lock(&timer_lock);
  if (t->armed)
    list_del(&t->link);
  t->expires_ns = expires_ns;
  t->armed = true;
  struct timer *pos;
  list_for_each_entry(pos, &timer_list, link)
    if (pos->expires_ns > expires_ns)
      break;
  list_add_tail(&t->link, &pos->link); /* before the first later timer */
  if (timer_list.next == &t->link)
    reprogram();
  spin_unlock(&timer_lock);
}

bool timer_cancel(struct timer *t)
{
  spin_lock(&timer_lock);
  bool was = t->armed;
  if (was) {
    list_del(&t->link);
    t->armed = false;
  }
  spin_unlock(&timer_lock);
  return was;
}

/*
 * Cancel t and wait until its callback is not running on any hart, so
 * that the memory holding t may be freed. A callback that re-armed t
 * meanwhile is cancelled too. Process context only: never from t's own
 * callback, nor holding a lock that callback takes.
 */
void timer_cancel_sync(struct timer *t)
{
  for (;;) {
    spin_lock(&timer_lock);
    if (t->armed) {
      list_del(&t->link);
      t->armed = false;
    }
    bool running = false;
    for (int i = 0; i < NCPU; i++)
      if (running_timer[i] == t)
        running = true;
    spin_unlock(&timer_lock);
    if (!running)
      return;
  }
}

/* The timer interrupt: end the running task's slice, run expired timers,
 * tick the scheduler, re-program. */
void timer_interrupt(void)
{
  uint64_t now = time_monotonic_ns();
  int id = mycpu()->id;
  bool tick = now >= next_tick_ns[id];
  if (tick)
    next_tick_ns[id] = now + NSEC_PER_SEC / HZ;
  if (now >= mycpu()->slice_end_ns)
    sched_slice_expired(); /* before reprogram(): the slice's deadline is gone */

  spin_lock(&timer_lock);
  while (!list_empty(&timer_list)) {
    struct timer *t = list_first_entry(&timer_list, struct timer, link);
    if (t->expires_ns > now)
      break;
    list_del(&t->link);
    t->armed = false;
    running_timer[id] = t;
    spin_unlock(&timer_lock);
    t->fn(t);
    spin_lock(&timer_lock);
    running_timer[id] = NULL;
  }
  reprogram();
  spin_unlock(&timer_lock);

  if (tick)
    scheduler_tick();
}

/*
 * A struct timespec as nanoseconds: -EINVAL for a negative or unnormalised
 * value; huge values saturate (never overflow).
 */
long timespec_to_ns(const struct timespec64 *ts, uint64_t *ns)
{
  if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (int64_t)NSEC_PER_SEC)
    return -EINVAL;
  if ((uint64_t)ts->tv_sec > UINT64_MAX / NSEC_PER_SEC - 1)
    *ns = UINT64_MAX / 2;
  else
    *ns = ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
  return 0;
}

/* The same for a struct timespec in user memory: also -EFAULT. */
long get_user_timespec_ns(uaddr_t u, uint64_t *ns)
{
  struct timespec64 ts;
  if (copyin(&ts, u, sizeof(ts)))
    return -EFAULT;
  return timespec_to_ns(&ts, ns);
}
