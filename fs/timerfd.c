/*
 * timerfd.c — timers read through a file descriptor (timerfd_create,
 * timerfd_settime, timerfd_gettime).
 *
 * A timerfd is an anonymous file (anon_file, fs/anon_inodes.c) whose private
 * data is a struct timerfd. Reading it returns, as a uint64_t, how many
 * times the timer expired since the last read; it is readable (POLLIN)
 * while that count is not zero, so ppoll, pselect6 and epoll need nothing
 * special (kern/poll.h).
 *
 * The count is worked out from the clock, not counted by interrupts: the
 * state is "next expiry, interval, expirations not yet read", and
 * tfd_advance() moves every expiry that has passed into the count (as
 * Linux's hrtimer_forward does). The kernel timer (kern/time.h) is only
 * the wake-up: it is armed while the timer is armed and the count is zero,
 * and its callback advances the state and wakes readers and pollers. So an
 * interval timer nobody reads costs no interrupts once it is readable, and
 * a count is right however late the interrupt comes.
 *
 * Clocks: CLOCK_MONOTONIC and CLOCK_BOOTTIME are the same clock on Kite
 * (no suspend). CLOCK_REALTIME timers set with TFD_TIMER_ABSTIME keep
 * their expiry on the real-time clock; relative ones run on the monotonic
 * clock, as Linux's hrtimers do. The absolute real-time ones sit on a list
 * (rt_timers): when the clock is set (time_set_realtime_ns runs the
 * clock-set hook timerfd_init registers: timerfd_clock_was_set) their wake-ups move to the new time, and those
 * set with TFD_TIMER_CANCEL_ON_SET are cancelled: they become readable,
 * and the next read — or the next settime that arms them — fails with
 * ECANCELED, once (Linux's fs/timerfd.c, including its quirks).
 *
 * Layer: fs, a file kind (kern/timerfd.h), over kern/time.c (timers, the
 * clocks) and fs/anon_inodes.c; under the timerfd_* system calls.
 *
 * Locking: rt_lock (the list) > timerfd->lock (a spinlock: the timer
 * callback takes it in interrupt context; it protects the state below it)
 * > wait-queue locks > timer_lock (timer_arm/timer_cancel). The syscalls
 * are at the bottom; the file operations above them.
 */
#include "kern/timerfd.h"
#include "fs/anon_inodes.h"
#include "kern/poll.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/time.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "fs/fs_abi.h"
#include "fs/file.h"
#include "fs/fdtable.h"

/* Flags (uapi/linux/timerfd.h). */
#define TFD_CLOEXEC O_CLOEXEC
#define TFD_NONBLOCK O_NONBLOCK
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

/* Linux's ktime_t saturates here (KTIME_MAX); so do expiries and intervals. */
#define TFD_MAX_NS ((uint64_t)INT64_MAX)

struct itimerspec64 {
  struct timespec64 it_interval;
  struct timespec64 it_value;
};

struct timerfd {
  int clockid;                  /* as created; fixed */
  struct wait_queue wq;         /* readers, pollers, epoll items */
  struct timer timer;           /* the wake-up (see the top of the file) */
  struct list_head rt_link;     /* in rt_timers while `realtime` (rt_lock) */

  struct spinlock lock;         /* protects everything below */
  bool armed;                   /* an expiry is pending */
  bool realtime;                /* expires_ns is on CLOCK_REALTIME, else monotonic */
  bool cancel_on_set;           /* realtime, and TFD_TIMER_CANCEL_ON_SET */
  bool canceled;                /* the clock was set since ECANCELED was last said */
  bool cancel_tick;             /* ... and it makes the file readable (settime drops this) */
  uint64_t expires_ns;          /* the next expiry (when armed) */
  uint64_t interval_ns;         /* 0: one-shot */
  uint64_t ticks;               /* expirations not yet read */
};

/* The timerfds with an absolute real-time expiry, for timerfd_clock_was_set(). */
static struct spinlock rt_lock = SPINLOCK_INIT("timerfd-rt");
static LIST_HEAD(rt_timers);

/* a + b, saturating at TFD_MAX_NS. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
  return a + b > TFD_MAX_NS || a + b < a ? TFD_MAX_NS : a + b;
}

/* Now, on the clock the expiry is kept on. */
static uint64_t tfd_now(struct timerfd *t)
{
  return t->realtime ? time_realtime_ns() : time_monotonic_ns();
}

/*
 * Move every expiry up to `now` into the count: a one-shot timer is then
 * disarmed, an interval timer's next expiry is the first one after now.
 * (t->lock held.)
 */
static void tfd_advance(struct timerfd *t, uint64_t now)
{
  if (!t->armed || now < t->expires_ns)
    return;
  if (!t->interval_ns) {
    t->ticks++;
    t->armed = false;
    return;
  }
  uint64_t n = (now - t->expires_ns) / t->interval_ns + 1;
  t->ticks += n;
  t->expires_ns += n * t->interval_ns; /* <= now + interval: no overflow */
}

/*
 * The kernel timer follows the state: armed for the next expiry while the
 * count is zero, cancelled otherwise (t->lock held). A real-time expiry
 * becomes a monotonic deadline at today's offset between the clocks; read
 * in this order the deadline is never early (if the clock is set back, the
 * callback finds nothing expired and re-arms).
 */
static void tfd_rearm(struct timerfd *t)
{
  if (!t->armed || t->ticks || t->cancel_tick) {
    timer_cancel(&t->timer);
    return;
  }
  uint64_t deadline = t->expires_ns;
  if (t->realtime) {
    uint64_t rt = time_realtime_ns();
    uint64_t mono = time_monotonic_ns();
    deadline = t->expires_ns > rt ? sat_add(mono, t->expires_ns - rt) : mono;
  }
  timer_arm(&t->timer, deadline);
}

/* Bring the state up to date; is the timerfd readable? (t->lock held.) */
static bool tfd_update(struct timerfd *t)
{
  tfd_advance(t, tfd_now(t));
  tfd_rearm(t);
  return t->ticks || t->cancel_tick;
}

/* The same, taking t->lock: for conditions (wait_event) and poll. */
static bool tfd_readable(struct timerfd *t)
{
  spin_lock(&t->lock);
  bool r = tfd_update(t);
  spin_unlock(&t->lock);
  return r;
}

/* The wake-up timer (interrupt context, no locks held). */
static void tfd_timer_fn(struct timer *tm)
{
  struct timerfd *t = tm->data;
  if (tfd_readable(t))
    wake_up_events(&t->wq, POLLIN);
}

/*
 * The real-time clock was set (the hook in kern/time.c, process context). Absolute
 * real-time timers re-arm for the new time (expiries it jumped over count
 * at once); the TFD_TIMER_CANCEL_ON_SET ones are cancelled (Linux's
 * timerfd_clock_was_set).
 */
static void timerfd_clock_was_set(void)
{
  spin_lock(&rt_lock);
  struct timerfd *t;
  list_for_each_entry(t, &rt_timers, rt_link) {
    spin_lock(&t->lock);
    if (t->cancel_on_set)
      t->canceled = t->cancel_tick = true;
    bool readable = tfd_update(t);
    spin_unlock(&t->lock);
    if (readable)
      wake_up_events(&t->wq, POLLIN);
  }
  spin_unlock(&rt_lock);
}

static struct clock_set_hook tfd_clock_hook = { .clock_was_set = timerfd_clock_was_set };

void timerfd_init(void)
{
  time_add_clock_set_hook(&tfd_clock_hook);
}

/* Time to the next expiry and the interval, as timerfd_gettime reports them. (t->lock held.) */
static void tfd_get(struct timerfd *t, struct itimerspec64 *v)
{
  uint64_t now = tfd_now(t);
  tfd_advance(t, now);
  tfd_rearm(t);
  uint64_t left = t->armed && t->expires_ns > now ? t->expires_ns - now : 0;
  v->it_value = (struct timespec64){ (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
  v->it_interval = (struct timespec64){ (int64_t)(t->interval_ns / NSEC_PER_SEC),
                                        (int64_t)(t->interval_ns % NSEC_PER_SEC) };
}

/*
 * Set a new expiry (value 0: disarm) and interval; the count starts again
 * from zero. Returns the old setting in *old, and 0 — or -ECANCELED when
 * a TFD_TIMER_CANCEL_ON_SET timer is armed after a clock change nobody was
 * told about yet (the timer is set all the same). (No locks held.)
 */
static long tfd_set(struct timerfd *t, int flags, uint64_t value, uint64_t interval,
                    struct itimerspec64 *old)
{
  bool abs = flags & TFD_TIMER_ABSTIME;
  bool realtime = abs && t->clockid == CLOCK_REALTIME;
  spin_lock(&rt_lock);
  spin_lock(&t->lock);
  tfd_get(t, old);
  t->ticks = 0;
  t->cancel_tick = false;
  t->interval_ns = interval;
  t->armed = value != 0;
  t->realtime = realtime;
  t->cancel_on_set = realtime && (flags & TFD_TIMER_CANCEL_ON_SET);
  t->expires_ns = abs ? value : sat_add(time_monotonic_ns(), value);
  if (realtime && list_empty(&t->rt_link))
    list_add_tail(&t->rt_link, &rt_timers);
  else if (!realtime && !list_empty(&t->rt_link))
    list_del(&t->rt_link);
  bool readable = tfd_update(t); /* an absolute time in the past counts at once */
  long r = 0;
  if (value && t->cancel_on_set && t->canceled) {
    t->canceled = false;
    r = -ECANCELED;
  }
  spin_unlock(&t->lock);
  spin_unlock(&rt_lock);
  if (readable)
    wake_up_events(&t->wq, POLLIN);
  return r;
}

/* ---- file operations ---- */

/*
 * Take the count (t->lock held): it, 0 if there is none, or -ECANCELED
 * when a TFD_TIMER_CANCEL_ON_SET timer saw the clock set. Then the count
 * is dropped, and an interval timer that had expired stops (Linux does
 * not re-arm it); one that had not stays armed.
 */
static long tfd_take(struct timerfd *t, uint64_t *n)
{
  tfd_advance(t, tfd_now(t));
  long r = 0;
  if (t->cancel_on_set && t->canceled) {
    if (t->ticks && t->interval_ns)
      t->armed = false;
    t->ticks = 0;
    t->canceled = t->cancel_tick = false;
    r = -ECANCELED;
  }
  *n = t->ticks;
  t->ticks = 0;
  tfd_rearm(t); /* readable no more: wake readers at the next expiry */
  return r;
}

/*
 * read: the count as a uint64_t, which starts again from zero. Blocks
 * (interruptibly) while the file is not readable, unless O_NONBLOCK:
 * EAGAIN. EINVAL for a buffer smaller than 8 bytes; ECANCELED (tfd_take).
 */
static ssize_t tfd_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct timerfd *t = f->priv;
  if (u->resid < sizeof(uint64_t))
    return -EINVAL;
  bool nonblock = f->flags & O_NONBLOCK;
  uint64_t n;
  for (;;) {
    if (!nonblock) {
      long w = wait_event(&t->wq, tfd_readable(t), WAIT_FOREVER);
      if (w)
        return w;
    }
    spin_lock(&t->lock);
    long r = tfd_take(t, &n);
    spin_unlock(&t->lock);
    if (r)
      return r;
    if (n)
      break;
    if (nonblock)
      return -EAGAIN;
    /* Another reader of the same file took the count first: wait again. */
  }
  /* As on Linux, the count is gone even if it cannot be copied out. */
  long c = uio_copy_to(u, &n, sizeof(n));
  return c == (long)sizeof(n) ? (ssize_t)sizeof(n) : -EFAULT;
}

static unsigned tfd_poll(struct file *f, struct poll_table *pt)
{
  struct timerfd *t = f->priv;
  poll_wait(f, &t->wq, pt);
  return tfd_readable(t) ? POLLIN : 0; /* Linux reports POLLIN alone */
}

/* The last reference is gone: stop the timer (wait out a running callback), free. */
static void tfd_release(struct file *f)
{
  struct timerfd *t = f->priv;
  spin_lock(&rt_lock);
  if (!list_empty(&t->rt_link))
    list_del(&t->rt_link);
  spin_lock(&t->lock);
  t->armed = false; /* a callback running now will not re-arm */
  spin_unlock(&t->lock);
  spin_unlock(&rt_lock);
  timer_cancel_sync(&t->timer);
  kfree(t);
}

static const struct file_ops timerfd_fops = {
  .read = tfd_read,
  .poll = tfd_poll,
  .release = tfd_release,
};

/* The timerfd behind descriptor fd (referenced in *fp), or -EBADF / -EINVAL. */
static long timerfd_get(int fd, struct file **fp)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  if (f->fop != &timerfd_fops) {
    fput(f);
    return -EINVAL;
  }
  *fp = f;
  return 0;
}

/* ---- system calls ---- */

long sys_timerfd_create(int clockid, int flags)
{
  if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
    return -EINVAL;
  if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME)
    return -EINVAL; /* the alarm clocks too (Linux: EPERM without CAP_WAKE_ALARM) */
  struct timerfd *t = kzalloc(sizeof(*t));
  if (!t)
    return -ENOMEM;
  t->clockid = clockid;
  list_init(&t->rt_link);
  spin_init(&t->lock, "timerfd");
  wait_queue_init(&t->wq);
  timer_init(&t->timer, tfd_timer_fn, t);
  struct file *f = anon_file(&timerfd_fops, t, flags);
  if (!f) {
    kfree(t);
    return -ENOMEM;
  }
  long r = fd_install(f, 0, flags & TFD_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
}

/*
 * Linux's order of checks: copy the new value (EFAULT), flags and
 * timespecs (EINVAL), the descriptor (EBADF, EINVAL if not a timerfd);
 * the old value is written after the timer is set.
 */
long sys_timerfd_settime(int fd, int flags, uaddr_t unew, uaddr_t uold)
{
  struct itimerspec64 nv, old;
  uint64_t value, interval;
  if (copyin(&nv, unew, sizeof(nv)))
    return -EFAULT;
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
    return -EINVAL;
  if (timespec_to_ns(&nv.it_value, &value) || timespec_to_ns(&nv.it_interval, &interval))
    return -EINVAL;
  value = value > TFD_MAX_NS ? TFD_MAX_NS : value;
  interval = interval > TFD_MAX_NS ? TFD_MAX_NS : interval;
  struct file *f;
  long r = timerfd_get(fd, &f);
  if (r)
    return r;
  r = tfd_set(f->priv, flags, value, interval, &old);
  fput(f);
  if (r)
    return r;
  if (uold && copyout(uold, &old, sizeof(old)))
    return -EFAULT;
  return 0;
}

long sys_timerfd_gettime(int fd, uaddr_t ucur)
{
  struct file *f;
  long r = timerfd_get(fd, &f);
  if (r)
    return r;
  struct timerfd *t = f->priv;
  struct itimerspec64 cur;
  spin_lock(&t->lock);
  tfd_get(t, &cur);
  spin_unlock(&t->lock);
  fput(f);
  return copyout(ucur, &cur, sizeof(cur)) ? -EFAULT : 0;
}
