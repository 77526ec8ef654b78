/*
 * signalfd.c — signals read through a file descriptor (signalfd4).
 *
 * A signalfd is an anonymous file (anon_file, fs/anon_inodes.c) holding a set
 * of signals. Reading it takes pending signals of that set from the
 * *reader* — its own pending set first, then its process's shared one,
 * exactly as delivery would (dequeue_signal_from, kern/signal.c) — and
 * returns one 128-byte struct signalfd_siginfo per signal. It is readable
 * (POLLIN) while one of them is pending for the task that asks. Programs
 * block the signals first (sigprocmask), so that they stay pending
 * instead of being delivered.
 *
 * Wake-ups: a blocked signal wakes nobody (kern/signal.c only wakes
 * threads that do not block it), so signal.c wakes its signal_queued_wq
 * whenever it queues a signal: one wait queue shared by every
 * signalfd — readers, ppoll/pselect6 and epoll items (kern/poll.h) — and
 * each re-checks its own task and set. One queue keeps the wake-up free
 * of lifetime questions (a per-process queue would have to be emptied of
 * epoll items when the process dies); the price is a spurious wake-up of
 * unrelated signalfd waiters, who find nothing and sleep again.
 *
 * Layer: fs, a file kind (kern/signalfd.h), over kern/signal.c (dequeue,
 * signal_queued_wq) and fs/anon_inodes.c; under the signalfd4 call.
 *
 * Locking: the set is one 64-bit word, read and written whole
 * (READ_ONCE/WRITE_ONCE); pending sets are taken under the reader's
 * sighand->lock. signal_queued_wq is woken with sighand->lock held (its
 * wait-queue lock nests inside it) (the order of kern/spinlock.h).
 */
#include "fs/anon_inodes.h"
#include "kern/poll.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "fs/fs_abi.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include <string.h>

/* Flags (uapi/linux/signalfd.h). */
#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK

/* What read() returns per signal (uapi/linux/signalfd.h). */
struct signalfd_siginfo {
  uint32_t ssi_signo;
  int32_t ssi_errno;
  int32_t ssi_code;
  uint32_t ssi_pid;
  uint32_t ssi_uid;
  int32_t ssi_fd;
  uint32_t ssi_tid;
  uint32_t ssi_band;
  uint32_t ssi_overrun;
  uint32_t ssi_trapno;
  int32_t ssi_status;
  int32_t ssi_int;
  uint64_t ssi_ptr;
  uint64_t ssi_utime;
  uint64_t ssi_stime;
  uint64_t ssi_addr;
  uint16_t ssi_addr_lsb;
  uint16_t pad2;
  int32_t ssi_syscall;
  uint64_t ssi_call_addr;
  uint32_t ssi_arch;
  uint8_t pad[28];
};
STATIC_ASSERT(sizeof(struct signalfd_siginfo) == 128);
STATIC_ASSERT(offsetof(struct signalfd_siginfo, ssi_ptr) == 48);
STATIC_ASSERT(offsetof(struct signalfd_siginfo, ssi_addr) == 72);

struct signalfd {
  sigset_t mask;                /* the signals read; never SIGKILL or SIGSTOP */
};

/* Is a signal of `mask` pending for t (thread or process)? No lock: a hint
 * for sleeping and polling; the dequeue below takes sighand->lock. */
static bool sfd_pending(struct task *t, sigset_t mask)
{
  return ((READ_ONCE(t->pending.set) | READ_ONCE(t->proc->shared_pending.set)) & mask) != 0;
}

/*
 * The siginfo fields Linux's signalfd_copyinfo() fills for the layout the
 * signal and code imply (siginfo_layout): sender for kill/tkill/sigqueue
 * (and the value for the last two and timers), the address for faults,
 * status and times for SIGCHLD.
 */
static void sfd_fill(struct signalfd_siginfo *s, const struct ksiginfo *k)
{
  memset(s, 0, sizeof(*s));
  s->ssi_signo = k->signo;
  s->ssi_errno = k->errno_;
  s->ssi_code = k->code;
  if (siginfo_is_poll(k->signo, k->code)) {
    s->ssi_band = (uint32_t)k->band;
    s->ssi_fd = k->fd;
    return;
  }
  if (k->code > SI_USER && k->code < SI_KERNEL) { /* a kernel reason for the signal */
    switch (k->signo) {
    case SIGILL: case SIGFPE: case SIGSEGV: case SIGBUS: case SIGTRAP:
      s->ssi_addr = k->addr;
      break;
    case SIGCHLD:
      s->ssi_pid = k->pid;
      s->ssi_uid = k->uid;
      s->ssi_status = k->status;
      s->ssi_utime = k->utime;
      s->ssi_stime = k->stime;
      break;
    }
    return;
  }
  if (k->code == SI_TIMER) {
    s->ssi_tid = k->pid;      /* the timer id (signal.h) */
    s->ssi_overrun = k->uid;
    s->ssi_ptr = k->value;
    s->ssi_int = (int32_t)k->value;
    return;
  }
  s->ssi_pid = k->pid;   /* SI_USER, SI_KERNEL and the negative (queued) codes */
  s->ssi_uid = k->uid;
  if (k->code < 0) {
    s->ssi_ptr = k->value;
    s->ssi_int = (int32_t)k->value;
  }
}

/*
 * Take one pending signal of the set from the current task into *info:
 * the signal number, -EAGAIN (nothing pending and `nonblock`), or
 * -ERESTARTSYS (a signal to be delivered interrupted the wait).
 */
static long sfd_dequeue(struct signalfd *s, struct ksiginfo *info, bool nonblock)
{
  struct task *t = current;
  for (;;) {
    spin_lock(&t->sighand->lock);
    int sig = dequeue_signal_from(t, READ_ONCE(s->mask), info);
    spin_unlock(&t->sighand->lock);
    if (sig)
      return sig;
    if (nonblock)
      return -EAGAIN;
    long w = wait_event(&signal_queued_wq, sfd_pending(t, READ_ONCE(s->mask)), WAIT_FOREVER);
    if (w)
      return w;
  }
}

/* ---- file operations ---- */

/*
 * read: as many whole records as fit and signals are pending; blocks
 * (interruptibly) for the first unless O_NONBLOCK (EAGAIN), never for
 * more. EINVAL if not even one record fits.
 */
static ssize_t sfd_read(struct file *f, struct uio *u, off_t *pos)
{
  (void)pos;
  struct signalfd *s = f->priv;
  size_t count = u->resid / sizeof(struct signalfd_siginfo);
  if (!count)
    return -EINVAL;
  bool nonblock = f->flags & O_NONBLOCK;
  ssize_t total = 0;
  for (; count; count--) {
    struct ksiginfo info;
    long r = sfd_dequeue(s, &info, nonblock);
    if (r < 0)
      return total ? total : r;
    struct signalfd_siginfo si;
    sfd_fill(&si, &info);
    /* As on Linux, a signal taken but not copied out is lost. */
    if (uio_copy_to(u, &si, sizeof(si)) != (long)sizeof(si))
      return total ? total : -EFAULT;
    total += sizeof(si);
    nonblock = true;
  }
  return total;
}

static unsigned sfd_poll(struct file *f, struct poll_table *pt)
{
  struct signalfd *s = f->priv;
  poll_wait(f, &signal_queued_wq, pt);
  return sfd_pending(current, READ_ONCE(s->mask)) ? POLLIN : 0; /* Linux: POLLIN alone */
}

static void sfd_release(struct file *f)
{
  kfree(f->priv);
}

static const struct file_ops signalfd_fops = {
  .read = sfd_read,
  .poll = sfd_poll,
  .release = sfd_release,
};

/* ---- system call ---- */

/*
 * signalfd4(-1, mask, 8, flags) makes a new signalfd; signalfd4(fd, ...)
 * replaces the set of an existing one (flags are then checked, not used)
 * and returns fd. SIGKILL and SIGSTOP are left out of the set silently.
 */
long sys_signalfd4(int ufd, uaddr_t umask, size_t sizemask, int flags)
{
  sigset_t mask;
  if (sizemask != sizeof(sigset_t))
    return -EINVAL;
  if (copyin(&mask, umask, sizeof(mask)))
    return -EFAULT;
  if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
    return -EINVAL;
  mask &= ~SIG_UNBLOCKABLE;

  if (ufd != -1) {
    struct file *f = fd_get(ufd);
    if (!f)
      return -EBADF;
    if (f->fop != &signalfd_fops) {
      fput(f);
      return -EINVAL;
    }
    struct signalfd *s = f->priv;
    WRITE_ONCE(s->mask, mask);
    fput(f);
    wake_up_events(&signal_queued_wq, POLLIN); /* the new set may be readable */
    return ufd;
  }

  struct signalfd *s = kzalloc(sizeof(*s));
  if (!s)
    return -ENOMEM;
  s->mask = mask;
  struct file *f = anon_file(&signalfd_fops, s, flags);
  if (!f) {
    kfree(s);
    return -ENOMEM;
  }
  long r = fd_install(f, 0, flags & SFD_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
}
