/*
 * poll.c — ppoll and pselect6, written once over file_ops->poll.
 *
 * The caller scans its descriptors, registering on each file's wait
 * queues during the first scan (poll_wait()). Any wake-up on one of those
 * queues sets `triggered` and wakes the caller, who scans again. The
 * double-check rule holds: the caller marks itself sleeping, then checks
 * `triggered`, and only then schedules.
 *
 * Layer: fs (kern/poll.h), under the ppoll/pselect6 system calls and
 * epoll's readiness checks; calls each file's poll and the wait queues.
 *
 * Locks: none of its own; the poll table's entries are taken and dropped
 * under each wait queue's lock; a signal mask change takes sighand->lock.
 */
#include "kern/poll.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/param.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include <string.h>

unsigned file_poll(struct file *f, struct poll_table *pt)
{
  if (!f->fop || !f->fop->poll)
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM; /* regular files are always ready */
  return f->fop->poll(f, pt);
}

struct poll_entry {
  struct wait_entry we;
  struct wait_queue *wq;
};

#define ENTRIES_PER_CHUNK 32
struct poll_chunk {
  struct poll_chunk *next;
  int used;
  struct poll_entry entries[ENTRIES_PER_CHUNK];
};

struct poll_wqueues {
  struct poll_table pt;
  struct task *task;
  volatile bool triggered;
  struct poll_chunk *chunks;
  int error;
};

static void poll_wake(struct wait_entry *e, unsigned events)
{
  (void)events;
  struct poll_wqueues *pw = e->priv;
  pw->triggered = true;
  wake_up_task(pw->task);
}

static void poll_register(struct poll_table *pt, struct wait_queue *wq, struct file *f)
{
  (void)f;
  struct poll_wqueues *pw = container_of(pt, struct poll_wqueues, pt);
  struct poll_chunk *c = pw->chunks;
  if (!c || c->used == ENTRIES_PER_CHUNK) {
    c = kmalloc(sizeof(*c));
    if (!c) {
      pw->error = -ENOMEM;
      return;
    }
    c->used = 0;
    c->next = pw->chunks;
    pw->chunks = c;
  }
  struct poll_entry *pe = &c->entries[c->used++];
  wait_entry_init(&pe->we, pw->task);
  pe->we.func = poll_wake;
  pe->we.priv = pw;
  pe->wq = wq;
  add_wait(wq, &pe->we);
}

static void poll_init(struct poll_wqueues *pw)
{
  pw->pt.qproc = poll_register;
  pw->pt.key = ~0u;
  pw->task = current;
  pw->triggered = false;
  pw->chunks = NULL;
  pw->error = 0;
}

static void poll_free(struct poll_wqueues *pw)
{
  struct poll_chunk *c = pw->chunks;
  while (c) {
    for (int i = 0; i < c->used; i++)
      remove_wait(c->entries[i].wq, &c->entries[i].we);
    struct poll_chunk *n = c->next;
    kfree(c);
    c = n;
  }
  pw->chunks = NULL;
}

/*
 * Sleep until triggered, the deadline or a signal. Returns 0 to scan
 * again, -ETIMEDOUT or -ERESTARTNOHAND.
 */
static long poll_sleep(struct poll_wqueues *pw, struct wait_timeout *wt)
{
  /* Asleep first, then the deadline: a timer that fires after the check
   * finds us sleeping and wakes us. Checked the other way round, a short
   * timeout (select with 1 us, as iozone polls) could fire in between,
   * find us still running, and leave us asleep for good. */
  current->state = TASK_INTERRUPTIBLE;
  __sync_synchronize();
  if (wait_timeout_expired(wt)) {
    current->state = TASK_RUNNING;
    return -ETIMEDOUT;
  }
  if (!pw->triggered && !signal_pending(current))
    schedule();
  current->state = TASK_RUNNING;
  pw->triggered = false;
  if (signal_pending(current))
    return -ERESTARTNOHAND;
  return 0;
}

struct kpollfd {
  int32_t fd;
  int16_t events, revents;
};

/* One scan over the pollfds: fills revents, returns how many are ready. */
static int poll_scan(struct kpollfd *fds, unsigned n, struct poll_table *pt)
{
  int count = 0;
  for (unsigned i = 0; i < n; i++) {
    fds[i].revents = 0;
    if (fds[i].fd < 0)
      continue;
    /* No lock or reference when the table is ours alone (fd_get_light):
     * select on 100 descriptors took 100 of each per call. */
    struct fd_light f = fd_get_light(fds[i].fd);
    if (!f.file) {
      fds[i].revents = POLLNVAL;
      count++;
      continue;
    }
    if (pt)
      pt->key = fds[i].events | POLLERR | POLLHUP;
    unsigned mask = file_poll(f.file, pt);
    fd_put_light(f);
    mask &= (unsigned)(uint16_t)fds[i].events | POLLERR | POLLHUP;
    if (mask) {
      fds[i].revents = (int16_t)mask;
      count++;
    }
  }
  return count;
}

static long do_poll(struct kpollfd *fds, unsigned n, uint64_t timeout_ns)
{
  struct poll_wqueues pw;
  poll_init(&pw);
  struct wait_timeout wt;
  wait_timeout_start(&wt, timeout_ns == 0 ? WAIT_FOREVER : timeout_ns);
  long r;
  for (bool first = true;; first = false) {
    int count = poll_scan(fds, n, first && timeout_ns ? &pw.pt : NULL);
    if (count || timeout_ns == 0) {
      r = count;
      break;
    }
    if (pw.error) {
      r = pw.error;
      break;
    }
    long s = poll_sleep(&pw, &wt);
    if (s == -ETIMEDOUT) {
      r = 0;
      break;
    }
    if (s) {
      r = s;
      break;
    }
  }
  wait_timeout_stop(&wt);
  poll_free(&pw);
  return r;
}

/* Install a temporary signal mask for ppoll/pselect6 (restored on return). */
static long set_temp_sigmask(uaddr_t usigmask, size_t size)
{
  if (!usigmask)
    return 0;
  if (size != sizeof(sigset_t))
    return -EINVAL;
  sigset_t m;
  if (copyin(&m, usigmask, sizeof(m)))
    return -EFAULT;
  struct task *t = current;
  spin_lock(&t->sighand->lock);
  t->saved_mask = t->blocked;
  t->restore_saved_mask = true;
  t->blocked = m & ~SIG_UNBLOCKABLE;
  spin_unlock(&t->sighand->lock);
  return 0;
}

/* Put the mask back unless a signal handler will run (its frame does it). */
static void restore_temp_sigmask(long ret)
{
  struct task *t = current;
  if (!t->restore_saved_mask)
    return;
  if (ret == -ERESTARTNOHAND && signal_pending(t))
    return;
  spin_lock(&t->sighand->lock);
  t->blocked = t->saved_mask;
  t->restore_saved_mask = false;
  spin_unlock(&t->sighand->lock);
}

/* Read a relative timespec: WAIT_FOREVER if NULL, 0 means "don't block". */
static long get_timeout(uaddr_t uts, uint64_t *ns)
{
  if (!uts) {
    *ns = WAIT_FOREVER;
    return 0;
  }
  struct timespec64 ts;
  if (copyin(&ts, uts, sizeof(ts)))
    return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
    return -EINVAL;
  *ns = (uint64_t)ts.tv_sec > 1000000000ULL ? WAIT_FOREVER : ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
  return 0;
}

#define STICKY_TIMEOUTS 0x4000000 /* personality(2): the timeout is left as given */

/* ppoll and pselect6 write back the time left, unless the caller's
 * personality has STICKY_TIMEOUTS (Linux's poll_select_finish). */
static void put_remaining(uaddr_t uts, uint64_t start, uint64_t timeout)
{
  if (!uts || timeout == WAIT_FOREVER || (current->personality & STICKY_TIMEOUTS))
    return;
  uint64_t spent = time_monotonic_ns() - start;
  uint64_t left = spent < timeout ? timeout - spent : 0;
  struct timespec64 ts = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
  copyout(uts, &ts, sizeof(ts));
}

long sys_ppoll(uaddr_t ufds, unsigned int nfds, uaddr_t utimeout, uaddr_t usigmask, size_t sigsetsize)
{
  if (nfds > rlimit_cur(RLIMIT_NOFILE) || nfds > NR_OPEN_MAX)
    return -EINVAL;
  uint64_t timeout;
  long r = get_timeout(utimeout, &timeout);
  if (r)
    return r;
  struct kpollfd *fds = kmalloc(sizeof(*fds) * (nfds ? nfds : 1));
  if (!fds)
    return -ENOMEM;
  if (copyin(fds, ufds, sizeof(*fds) * nfds)) {
    kfree(fds);
    return -EFAULT;
  }
  if ((r = set_temp_sigmask(usigmask, sigsetsize))) {
    kfree(fds);
    return r;
  }
  uint64_t start = time_monotonic_ns();
  r = do_poll(fds, nfds, timeout);
  if (r >= 0) {
    for (unsigned i = 0; i < nfds; i++)
      if (copyout(ufds + i * sizeof(*fds) + 6, &fds[i].revents, 2)) {
        r = -EFAULT;
        break;
      }
  }
  put_remaining(utimeout, start, timeout);
  restore_temp_sigmask(r);
  kfree(fds);
  return r;
}

#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET (POLLPRI)

long sys_pselect6(int nfds, uaddr_t ureadfds, uaddr_t uwritefds, uaddr_t uexceptfds,
                  uaddr_t utimeout, uaddr_t usigmask)
{
  if (nfds < 0 || (uint64_t)nfds > rlimit_cur(RLIMIT_NOFILE) + 64 || nfds > NR_OPEN_MAX)
    return -EINVAL;
  uint64_t timeout;
  long r = get_timeout(utimeout, &timeout);
  if (r)
    return r;
  size_t words = DIV_ROUND_UP((size_t)nfds, 64);
  size_t bytes = words * 8;
  uint64_t *in = kzalloc(bytes * 3 + 8), *out, *ex;
  if (!in)
    return -ENOMEM;
  out = in + words;
  ex = out + words;
  if ((ureadfds && copyin(in, ureadfds, bytes)) || (uwritefds && copyin(out, uwritefds, bytes)) ||
      (uexceptfds && copyin(ex, uexceptfds, bytes))) {
    kfree(in);
    return -EFAULT;
  }
  /* pselect6's sixth argument points at { const sigset_t *ss; size_t ss_len; } */
  if (usigmask) {
    uint64_t sm[2];
    if (copyin(sm, usigmask, sizeof(sm))) {
      kfree(in);
      return -EFAULT;
    }
    if ((r = set_temp_sigmask(sm[0], sm[1]))) {
      kfree(in);
      return r;
    }
  }
  /* Build a pollfd list for the descriptors named in any set. */
  unsigned n = 0;
  for (int fd = 0; fd < nfds; fd++)
    if (((in[fd / 64] | out[fd / 64] | ex[fd / 64]) >> (fd % 64)) & 1)
      n++;
  struct kpollfd *fds = kmalloc(sizeof(*fds) * (n ? n : 1));
  if (!fds) {
    kfree(in);
    restore_temp_sigmask(0);
    return -ENOMEM;
  }
  n = 0;
  for (int fd = 0; fd < nfds; fd++) {
    uint64_t bit = 1ULL << (fd % 64);
    short ev = 0;
    if (in[fd / 64] & bit)
      ev |= POLLIN_SET;
    if (out[fd / 64] & bit)
      ev |= POLLOUT_SET;
    if (ex[fd / 64] & bit)
      ev |= POLLEX_SET;
    if (ev) {
      fds[n].fd = fd;
      fds[n].events = ev;
      n++;
    }
  }
  uint64_t start = time_monotonic_ns();
  r = do_poll(fds, n, timeout);
  if (r >= 0) {
    /* A closed descriptor in the sets is EBADF for select. */
    for (unsigned i = 0; i < n; i++)
      if (fds[i].revents & POLLNVAL)
        r = -EBADF;
  }
  if (r >= 0) {
    memset(in, 0, bytes * 3);
    int count = 0;
    for (unsigned i = 0; i < n; i++) {
      int fd = fds[i].fd;
      uint64_t bit = 1ULL << (fd % 64);
      short rev = fds[i].revents;
      bool want_in = fds[i].events & POLLIN, want_out = fds[i].events & POLLOUT,
           want_ex = fds[i].events & POLLPRI;
      if (want_in && (rev & POLLIN_SET)) {
        in[fd / 64] |= bit;
        count++;
      }
      if (want_out && (rev & POLLOUT_SET)) {
        out[fd / 64] |= bit;
        count++;
      }
      if (want_ex && (rev & POLLEX_SET)) {
        ex[fd / 64] |= bit;
        count++;
      }
    }
    r = count;
    if ((ureadfds && copyout(ureadfds, in, bytes)) || (uwritefds && copyout(uwritefds, out, bytes)) ||
        (uexceptfds && copyout(uexceptfds, ex, bytes)))
      r = -EFAULT;
  }
  put_remaining(utimeout, start, timeout);
  restore_temp_sigmask(r);
  kfree(fds);
  kfree(in);
  return r;
}
