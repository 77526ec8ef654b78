/*
 * epoll.c — epoll instances (the file is an anon_file, fs/anon_inodes.c).
 *
 * An epoll instance is a file. Each watched (file, fd) pair is an item
 * whose wait entries sit on the watched file's wait queues (registered
 * through file_ops->poll, as ppoll does). When such a queue is woken,
 * the item goes on the instance's ready list and epoll_wait sleepers wake.
 * epoll_wait re-checks each ready item with file_poll(): level-triggered
 * items stay on the list while they are ready, edge-triggered ones leave
 * it until the next wake-up, one-shot items are disarmed.
 *
 * A watched file's last fput removes its items: fs/file.c calls the
 * release hook epoll_init registers (eventpoll_release), never epoll by
 * name. eventfd, once here, is fs/eventfd.c.
 *
 * Layer: fs, a file kind (kern/epoll.h), under the epoll_* system calls;
 * calls each watched file's poll, the wait queues and fs/anon_inodes.c.
 *
 * Lock order: ep->mtx (epoll_ctl/epoll_wait) > ep->lock (spinlock: ready
 * list, taken in wake-up callbacks) > file wait-queue locks.
 */
#include "kern/epoll.h"
#include "fs/anon_inodes.h"
#include "kern/poll.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include <string.h>

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 0x001
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
#define EP_CONTROL_BITS (EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)
#define EP_MAX_WAITS 3
#define EP_MAX_EVENTS (INT32_MAX / 16)

struct epoll_event_k { /* riscv64 does not pack it: 16 bytes */
  uint32_t events;
  uint32_t pad;
  uint64_t data;
};

struct eventpoll;

struct epitem {
  struct list_head link;        /* in ep->items (ep->mtx) */
  struct list_head rdlink;      /* in ep->ready (ep->lock); empty if not ready */
  struct list_head flink;       /* in file->ep_links (ep_global_lock) */
  struct eventpoll *ep;
  struct file *file;            /* not referenced: the item dies with the file */
  int fd;
  uint32_t events;              /* requested events and control bits */
  uint64_t data;
  int nwait;
  struct wait_entry wait[EP_MAX_WAITS];
  struct wait_queue *wq[EP_MAX_WAITS];
};

struct eventpoll {
  int refs;                     /* the epoll file + eventpoll_release() in progress (atomic) */
  struct mutex mtx;
  struct spinlock lock;
  struct list_head items;
  struct list_head ready;
  struct wait_queue wq;         /* epoll_wait sleepers */
  struct wait_queue poll_wq;    /* pollers of the epoll file itself */
};

/* Protects every file's ep_links list. */
static struct spinlock ep_global_lock = SPINLOCK_INIT("epoll-files");

static void ep_wake_cb(struct wait_entry *e, unsigned events)
{
  struct epitem *it = e->priv;
  struct eventpoll *ep = it->ep;
  if (events && !(events & (it->events | EPOLLERR | EPOLLHUP)))
    return;
  spin_lock(&ep->lock);
  if (list_empty(&it->rdlink) && (it->events & ~EP_CONTROL_BITS))
    list_add_tail(&it->rdlink, &ep->ready);
  spin_unlock(&ep->lock);
  wake_up(&ep->wq);
  wake_up(&ep->poll_wq);
}

struct ep_poll_table {
  struct poll_table pt;
  struct epitem *it;
};

static void ep_register(struct poll_table *pt, struct wait_queue *wq, struct file *f)
{
  (void)f;
  struct epitem *it = container_of(pt, struct ep_poll_table, pt)->it;
  if (it->nwait >= EP_MAX_WAITS)
    return;
  struct wait_entry *e = &it->wait[it->nwait];
  wait_entry_init(e, NULL);
  e->func = ep_wake_cb;
  e->priv = it;
  it->wq[it->nwait++] = wq;
  add_wait(wq, e);
}

/* Poll the item's file now; with `reg`, also hook its wait queues. */
static unsigned item_poll(struct epitem *it, bool reg)
{
  if (!reg)
    return file_poll(it->file, NULL);
  struct ep_poll_table ept = { { ep_register, it->events }, it };
  it->nwait = 0;
  return file_poll(it->file, &ept.pt);
}

static void item_unhook(struct epitem *it)
{
  for (int i = 0; i < it->nwait; i++)
    remove_wait(it->wq[i], &it->wait[i]);
  it->nwait = 0;
}

/* Remove an item (ep->mtx held). */
static void item_remove(struct eventpoll *ep, struct epitem *it)
{
  item_unhook(it);
  spin_lock(&ep->lock);
  if (!list_empty(&it->rdlink))
    list_del(&it->rdlink);
  spin_unlock(&ep->lock);
  spin_lock(&ep_global_lock);
  list_del(&it->flink);
  spin_unlock(&ep_global_lock);
  list_del(&it->link);
  kfree(it);
}

static struct epitem *item_find(struct eventpoll *ep, struct file *f, int fd)
{
  struct epitem *it;
  list_for_each_entry(it, &ep->items, link)
    if (it->file == f && it->fd == fd)
      return it;
  return NULL;
}

static void ep_put(struct eventpoll *ep)
{
  if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL) == 0)
    kfree(ep);
}

static const struct file_ops epoll_fops;

/*
 * kcmp(KCMP_EPOLL_TFD): the file of the toff-th item of epoll file ef
 * watching descriptor tfd — not referenced, only compared (Linux's
 * get_epoll_tfile_raw_ptr). ERR_PTR(-EINVAL) if ef is not an epoll file,
 * ERR_PTR(-ENOENT) if there is no such item.
 */
struct file *epoll_target_file(struct file *ef, int tfd, unsigned long toff)
{
  if (ef->fop != &epoll_fops)
    return ERR_PTR(-EINVAL);
  struct eventpoll *ep = ef->priv;
  struct file *found = ERR_PTR(-ENOENT);
  mutex_lock(&ep->mtx);
  struct epitem *it;
  list_for_each_entry(it, &ep->items, link) {
    if (it->fd == tfd && toff-- == 0) {
      found = it->file;
      break;
    }
  }
  mutex_unlock(&ep->mtx);
  return found;
}

/* The last reference to f is going: drop it from every epoll watching it
 * (fs/file.c's fput, through the release hook registered below). */
static void eventpoll_release(struct file *f)
{
  if (list_empty(&f->ep_links))
    return; /* watched by no epoll: the usual case, no lock taken */
  for (;;) {
    spin_lock(&ep_global_lock);
    if (list_empty(&f->ep_links)) {
      spin_unlock(&ep_global_lock);
      return;
    }
    struct epitem *it = list_first_entry(&f->ep_links, struct epitem, flink);
    struct eventpoll *ep = it->ep;
    /* ep lives while its item is listed here (item_remove unlinks under
     * this lock); keep it alive past the unlock: the epoll file may be
     * closed on another hart meanwhile. */
    __atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
    spin_unlock(&ep_global_lock);
    mutex_lock(&ep->mtx);
    /* it may have been removed meanwhile; look again under the mutex */
    spin_lock(&ep_global_lock);
    bool still = false;
    struct epitem *x;
    list_for_each_entry(x, &f->ep_links, flink)
      if (x == it)
        still = true;
    spin_unlock(&ep_global_lock);
    if (still)
      item_remove(ep, it);
    mutex_unlock(&ep->mtx);
    ep_put(ep);
  }
}

static unsigned ep_file_poll(struct file *f, struct poll_table *pt)
{
  struct eventpoll *ep = f->priv;
  poll_wait(f, &ep->poll_wq, pt);
  spin_lock(&ep->lock);
  bool ready = !list_empty(&ep->ready);
  spin_unlock(&ep->lock);
  return ready ? POLLIN | POLLRDNORM : 0;
}

static void ep_file_release(struct file *f)
{
  struct eventpoll *ep = f->priv;
  mutex_lock(&ep->mtx);
  while (!list_empty(&ep->items))
    item_remove(ep, list_first_entry(&ep->items, struct epitem, link));
  mutex_unlock(&ep->mtx);
  ep_put(ep);
}

static const struct file_ops epoll_fops = {
  .poll = ep_file_poll,
  .release = ep_file_release,
};

static struct file_release_hook ep_release_hook = { .fn = eventpoll_release };

void epoll_init(void)
{
  file_release_hook_register(&ep_release_hook);
}

long sys_epoll_create1(int flags)
{
  if (flags & ~O_CLOEXEC)
    return -EINVAL;
  struct eventpoll *ep = kzalloc(sizeof(*ep));
  if (!ep)
    return -ENOMEM;
  ep->refs = 1;
  mutex_init(&ep->mtx, "epoll");
  spin_init(&ep->lock, "epoll");
  list_init(&ep->items);
  list_init(&ep->ready);
  wait_queue_init(&ep->wq);
  wait_queue_init(&ep->poll_wq);
  struct file *f = anon_file(&epoll_fops, ep, 0);
  if (!f) {
    kfree(ep);
    return -ENOMEM;
  }
  long r = fd_install(f, 0, flags & O_CLOEXEC);
  if (r < 0)
    fput(f);
  return r;
}

static long ep_ctl(struct eventpoll *ep, struct file *tf, int fd, int op, struct epoll_event_k *ev)
{
  struct epitem *it = item_find(ep, tf, fd);
  switch (op) {
  case EPOLL_CTL_ADD: {
    if (it)
      return -EEXIST;
    it = kzalloc(sizeof(*it));
    if (!it)
      return -ENOMEM;
    list_init(&it->rdlink);
    it->ep = ep;
    it->file = tf;
    it->fd = fd;
    it->events = ev->events | EPOLLERR | EPOLLHUP;
    it->data = ev->data;
    list_add_tail(&it->link, &ep->items);
    spin_lock(&ep_global_lock);
    list_add_tail(&it->flink, &tf->ep_links);
    spin_unlock(&ep_global_lock);
    unsigned mask = item_poll(it, true);
    if (mask & it->events) {
      spin_lock(&ep->lock);
      if (list_empty(&it->rdlink))
        list_add_tail(&it->rdlink, &ep->ready);
      spin_unlock(&ep->lock);
      wake_up(&ep->wq);
      wake_up(&ep->poll_wq);
    }
    return 0;
  }
  case EPOLL_CTL_DEL:
    if (!it)
      return -ENOENT;
    item_remove(ep, it);
    return 0;
  case EPOLL_CTL_MOD: {
    if (!it)
      return -ENOENT;
    if (it->events & EPOLLEXCLUSIVE)
      return -EINVAL;
    it->events = ev->events | EPOLLERR | EPOLLHUP;
    it->data = ev->data;
    unsigned mask = item_poll(it, false);
    spin_lock(&ep->lock);
    if ((mask & it->events) && list_empty(&it->rdlink))
      list_add_tail(&it->rdlink, &ep->ready);
    spin_unlock(&ep->lock);
    if (mask & it->events) {
      wake_up(&ep->wq);
      wake_up(&ep->poll_wq);
    }
    return 0;
  }
  default:
    return -EINVAL;
  }
}

/*
 * Epoll instances may watch each other, but not in a loop and not more
 * than EP_MAX_NESTS deep (Linux's ep_loop_check: ELOOP). Adding an epoll
 * file is the only way to make such an edge, and every such add holds
 * ep_nest_lock through the check and the add, so the graph cannot change
 * under the walk.
 */
#define EP_MAX_NESTS 4
static struct mutex ep_nest_lock = { .lk = SPINLOCK_INIT("epoll-nests"), .wq = WAIT_QUEUE_INIT(ep_nest_lock.wq) };

/* Is `target` (an epoll) or anything it watches, `depth` levels down, ep? */
static bool ep_reaches(struct eventpoll *target, struct eventpoll *ep, int depth)
{
  if (target == ep || depth > EP_MAX_NESTS)
    return true;
  struct file *kids[16];
  int n = 0;
  bool loop = false;
  mutex_lock(&target->mtx);
  struct epitem *it;
  list_for_each_entry(it, &target->items, link) {
    if (it->file->fop != &epoll_fops)
      continue;
    if (n == (int)ARRAY_SIZE(kids)) {
      loop = true; /* wider than we look: refuse rather than guess */
      break;
    }
    fget(it->file);
    kids[n++] = it->file;
  }
  mutex_unlock(&target->mtx);
  for (int i = 0; i < n; i++) {
    if (!loop)
      loop = ep_reaches(kids[i]->priv, ep, depth + 1);
    fput(kids[i]);
  }
  return loop;
}

long sys_epoll_ctl(int epfd, int op, int fd, uaddr_t uevent)
{
  struct epoll_event_k ev = { 0, 0, 0 };
  if (op != EPOLL_CTL_DEL && copyin(&ev, uevent, sizeof(ev)))
    return -EFAULT;
  struct file *ef = fd_get(epfd);
  if (!ef)
    return -EBADF;
  struct file *tf = fd_get(fd);
  long r;
  if (!tf) {
    r = -EBADF;
  } else if (ef->fop != &epoll_fops) {
    r = -EINVAL;
  } else if (tf == ef) {
    r = -EINVAL;
  } else if (!tf->fop || !tf->fop->poll) {
    r = -EPERM; /* regular files and directories cannot be watched */
  } else if ((ev.events & EPOLLEXCLUSIVE) && op == EPOLL_CTL_MOD) {
    r = -EINVAL;
  } else {
    struct eventpoll *ep = ef->priv;
    bool nest = op == EPOLL_CTL_ADD && tf->fop == &epoll_fops;
    if (nest)
      mutex_lock(&ep_nest_lock);
    if (nest && ep_reaches(tf->priv, ep, 1)) {
      r = -ELOOP;
    } else {
      mutex_lock(&ep->mtx);
      r = ep_ctl(ep, tf, fd, op, &ev);
      mutex_unlock(&ep->mtx);
    }
    if (nest)
      mutex_unlock(&ep_nest_lock);
  }
  if (tf)
    fput(tf);
  fput(ef);
  return r;
}

/*
 * Report ready items into the user array; returns how many (ep->mtx held).
 * An item's rdlink changes only under ep->lock, even while it sits on the
 * private batch: a wake-up callback on another hart tests it (list_empty)
 * to decide whether to queue the item, and queueing it twice would
 * corrupt the ready list.
 */
static long ep_collect(struct eventpoll *ep, uaddr_t uevents, int maxevents)
{
  LIST_HEAD(batch);
  spin_lock(&ep->lock);
  while (!list_empty(&ep->ready)) /* move the ready list aside */
    list_move_tail(ep->ready.next, &batch);
  spin_unlock(&ep->lock);

  long n = 0;
  while (n < maxevents) {
    spin_lock(&ep->lock);
    struct epitem *it = list_empty(&batch) ? NULL : list_first_entry(&batch, struct epitem, rdlink);
    if (it)
      list_del(&it->rdlink);
    spin_unlock(&ep->lock);
    if (!it)
      break;
    unsigned mask = item_poll(it, false) & it->events;
    if (!mask)
      continue; /* not ready after all */
    struct epoll_event_k ev = { mask & ~EP_CONTROL_BITS, 0, it->data };
    if (copyout(uevents + n * sizeof(ev), &ev, sizeof(ev))) {
      spin_lock(&ep->lock);
      if (list_empty(&it->rdlink))
        list_add(&it->rdlink, &ep->ready);
      spin_unlock(&ep->lock);
      if (!n)
        n = -EFAULT;
      break;
    }
    n++;
    if (it->events & EPOLLONESHOT)
      it->events &= EP_CONTROL_BITS; /* disarmed until EPOLL_CTL_MOD */
    else if (!(it->events & EPOLLET)) {
      spin_lock(&ep->lock);
      if (list_empty(&it->rdlink)) /* unless a wake-up queued it meanwhile */
        list_add_tail(&it->rdlink, &ep->ready); /* level-triggered: check again next time */
      spin_unlock(&ep->lock);
    }
  }
  /* Put back what was not looked at. */
  spin_lock(&ep->lock);
  while (!list_empty(&batch)) {
    struct list_head *e = batch.prev;
    list_del(e);
    list_add(e, &ep->ready);
  }
  spin_unlock(&ep->lock);
  return n;
}

static bool ep_has_ready(struct eventpoll *ep)
{
  spin_lock(&ep->lock);
  bool r = !list_empty(&ep->ready);
  spin_unlock(&ep->lock);
  return r;
}

/* epoll_pwait and epoll_pwait2: wait at most `to` ns (WAIT_FOREVER: no
 * limit, 0: do not block) with the signal mask usigmask meanwhile. */
static long epoll_wait_common(int epfd, uaddr_t uevents, int maxevents, uint64_t to, uaddr_t usigmask,
                              size_t sigsetsize)
{
  if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
    return -EINVAL;
  if (!access_ok(uevents, (size_t)maxevents * sizeof(struct epoll_event_k)))
    return -EFAULT; /* before anything sleeps, as Linux */
  struct file *ef = fd_get(epfd);
  if (!ef)
    return -EBADF;
  if (ef->fop != &epoll_fops) {
    fput(ef);
    return -EINVAL;
  }
  struct task *t = current;
  if (usigmask) {
    sigset_t m;
    if (sigsetsize != sizeof(sigset_t)) {
      fput(ef);
      return -EINVAL;
    }
    if (copyin(&m, usigmask, 8)) {
      fput(ef);
      return -EFAULT;
    }
    spin_lock(&t->sighand->lock);
    t->saved_mask = t->blocked;
    t->restore_saved_mask = true;
    t->blocked = m & ~SIG_UNBLOCKABLE;
    spin_unlock(&t->sighand->lock);
  }
  struct eventpoll *ep = ef->priv;
  uint64_t deadline = to == WAIT_FOREVER ? 0 : time_monotonic_ns() + to;
  long r;
  for (;;) {
    mutex_lock(&ep->mtx);
    r = ep_collect(ep, uevents, maxevents);
    mutex_unlock(&ep->mtx);
    if (r != 0)
      break;
    uint64_t left = to;
    if (deadline) {
      uint64_t now = time_monotonic_ns();
      left = deadline > now ? deadline - now : 0;
    }
    long w = wait_event(&ep->wq, ep_has_ready(ep), left);
    if (w == -ERESTARTSYS) {
      r = -EINTR;
      break;
    }
    if (w == -ETIMEDOUT || w == -EAGAIN) {
      r = 0;
      break;
    }
  }
  if (usigmask && !(r == -EINTR && signal_pending(t))) {
    spin_lock(&t->sighand->lock);
    t->blocked = t->saved_mask;
    t->restore_saved_mask = false;
    spin_unlock(&t->sighand->lock);
  }
  fput(ef);
  return r;
}

long sys_epoll_pwait(int epfd, uaddr_t uevents, int maxevents, int timeout, uaddr_t usigmask,
                     size_t sigsetsize)
{
  uint64_t to = timeout < 0 ? WAIT_FOREVER : (uint64_t)timeout * NSEC_PER_MSEC;
  return epoll_wait_common(epfd, uevents, maxevents, to, usigmask, sigsetsize);
}

/* epoll_pwait2: the timeout is a struct timespec (NULL: none), to the
 * nanosecond; a bad one is EFAULT or EINVAL before anything else. */
long sys_epoll_pwait2(int epfd, uaddr_t uevents, int maxevents, uaddr_t utimeout, uaddr_t usigmask,
                      size_t sigsetsize)
{
  uint64_t to = WAIT_FOREVER;
  if (utimeout) {
    long r = get_user_timespec_ns(utimeout, &to);
    if (r)
      return r;
  }
  return epoll_wait_common(epfd, uevents, maxevents, to, usigmask, sigsetsize);
}
