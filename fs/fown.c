/*
 * fown.c — the owner of an open file and what it is told: F_SETOWN,
 * F_SETOWN_EX, F_SETSIG and their getters, O_ASYNC signals, and leases
 * (F_SETLEASE/F_GETLEASE, broken by a conflicting open or truncate).
 * Linux's fs/fcntl.c (f_setown, send_sigio) and the lease half of
 * fs/locks.c.
 *
 * O_ASYNC: like an epoll item, the file's wait queues get an entry of
 * ours (through its poll operation). Its callback runs in the waker's
 * context, so it only queues the file for the "sigio" kernel thread,
 * which asks the file what is ready and sends the signal — the owner's
 * F_SETSIG signal with si_code POLL_IN/POLL_OUT/..., si_band and si_fd, or
 * a plain SIGIO — to a thread, a process or a process group, if the one
 * who set the owner may signal it.
 *
 * Leases: a read lease is broken by an open for writing (or a truncate),
 * a write lease by any open. The holder gets its I/O signal once and has
 * lease_break_time seconds to give the lease up or downgrade it; the
 * opener waits (or gets EWOULDBLOCK with O_NONBLOCK) and after the time
 * the lease is broken for it.
 *
 * Layer: fs (declared in fs/locks.h, beside the record locks). Above: fcntl (fs/sys_open.c), the open and truncate
 * paths (lease breaks). Below: file polling, kern/signal.c (the signals).
 *
 * Locks: fown_lock (spinlock) for every struct fown and the lease list;
 * sigio_lock for the queue of the sigio thread (taken in wake-up callbacks:
 * a leaf lock).
 */
#include "fs/locks.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/perm.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/poll.h"
#include "kern/signal.h"
#include "kern/pid_namespace.h"
#include "kern/time.h"
#include "kern/errno.h"
#include <string.h>

#define FOWN_MAX_WAITS 4

struct fown {
  int type;                     /* F_OWNER_PID, _TID, _PGRP; -1: none */
  pid_t pid;
  uid_t uid, euid;              /* who set the owner (sigio permission) */
  int signum;                   /* F_SETSIG; 0: SIGIO */
  int fd;                       /* descriptor for si_fd */
  /* O_ASYNC hooks on the file's wait queues */
  int nwait;
  struct wait_entry wait[FOWN_MAX_WAITS];
  struct wait_queue *wq[FOWN_MAX_WAITS];
  /* queued for the sigio thread (sigio_lock) */
  bool queued;
  struct list_head qlink;
  struct file *file;            /* back pointer (for the queue) */
};

struct lease {
  struct list_head link;
  struct inode *inode;
  struct file *file;
  int type;                     /* F_RDLCK or F_WRLCK */
  int target;                   /* being broken to (== type when not breaking) */
  uint64_t deadline;            /* monotonic ns when the break is forced */
};

int lease_break_time = LEASE_BREAK_TIME_DEFAULT;
static struct spinlock fown_lock = SPINLOCK_INIT("fown");
static struct spinlock sigio_lock = SPINLOCK_INIT("sigio");
static LIST_HEAD(sigio_queue);
static LIST_HEAD(leases);
static struct wait_queue lease_wq = WAIT_QUEUE_INIT(lease_wq);
static struct wait_queue sigio_wq = WAIT_QUEUE_INIT(sigio_wq);
static struct task *sigio_task;

/* f's owner record, made on first use (fown_lock held). */
static struct fown *fown_of(struct file *f)
{
  if (!f->fown) {
    struct fown *o = kzalloc(sizeof(*o));
    if (!o)
      return NULL;
    o->type = -1;
    list_init(&o->qlink);
    o->file = f;
    f->fown = o;
  }
  return f->fown;
}

/* ---- sending ---- */

/* May the owner's setter signal t? (Linux's sigio_perm) */
static bool sigio_perm(const struct fown *o, struct task *t)
{
  const struct cred *c = get_task_cred(t);
  bool ok = o->euid == 0 || o->euid == c->suid || o->euid == c->uid || o->uid == c->suid ||
            o->uid == c->uid;
  put_cred(c);
  return ok;
}

void send_sigio(struct file *f, unsigned band, int reason)
{
  spin_lock(&fown_lock);
  struct fown *o = f->fown;
  if (!o || o->type < 0 || o->pid == 0) {
    spin_unlock(&fown_lock);
    return;
  }
  struct fown snap = *o;
  spin_unlock(&fown_lock);
  struct ksiginfo info;
  memset(&info, 0, sizeof(info));
  int sig = snap.signum ? snap.signum : SIGIO;
  info.signo = sig;
  if (snap.signum) {
    info.code = reason;
    info.band = band;
    info.fd = snap.fd;
  } else {
    info.code = SI_KERNEL;
  }
  struct task *targets[64];
  int n = 0;
  spin_lock(&proc_lock);
  if (snap.type == F_OWNER_TID) {
    struct task *t = find_task(snap.pid);
    if (t)
      targets[n++] = t;
  } else if (snap.type == F_OWNER_PID) {
    struct process *p = find_process(snap.pid);
    if (p && !p->zombie && !list_empty(&p->threads))
      targets[n++] = list_first_entry(&p->threads, struct task, thread_link);
  } else {
    struct process *p;
    list_for_each_entry(p, &all_processes, all_link)
      if (p->pgid == snap.pid && !p->zombie && !list_empty(&p->threads) && n < 64)
        targets[n++] = list_first_entry(&p->threads, struct task, thread_link);
  }
  for (int i = 0; i < n; i++) {
    if (!sigio_perm(&snap, targets[i]))
      continue;
    if (snap.type == F_OWNER_TID)
      send_signal_task(targets[i], sig, &info);
    else
      send_signal_process(targets[i]->proc, sig, &info);
  }
  spin_unlock(&proc_lock);
}

/* ---- O_ASYNC ---- */

/* What a file that changed has to say: (band, reason) or false. */
static bool sigio_reason(struct file *f, unsigned *band, int *reason)
{
  unsigned ev = file_poll(f, NULL);
  if ((ev & (POLLIN | POLLRDNORM)) && file_readable(f)) {
    *band = POLLIN | POLLRDNORM;
    *reason = POLL_IN;
  } else if ((ev & (POLLOUT | POLLWRNORM)) && file_writable(f)) {
    *band = POLLOUT | POLLWRNORM | POLLWRBAND;
    *reason = POLL_OUT;
  } else if (ev & POLLERR) {
    *band = POLLERR;
    *reason = POLL_ERR;
  } else if (ev & POLLHUP) {
    *band = POLLHUP | POLLERR;
    *reason = POLL_HUP;
  } else {
    return false;
  }
  return true;
}

/* The kernel thread that turns queued wake-ups into signals. */
static void sigio_thread(void *arg)
{
  (void)arg;
  for (;;) {
    wait_event_uninterruptible(&sigio_wq, READ_ONCE(sigio_queue.next) != &sigio_queue);
    spin_lock(&sigio_lock);
    struct file *f = NULL;
    if (!list_empty(&sigio_queue)) {
      struct fown *o = list_first_entry(&sigio_queue, struct fown, qlink);
      list_del(&o->qlink);
      o->queued = false;
      f = o->file;
    }
    spin_unlock(&sigio_lock);
    if (!f)
      continue;
    unsigned band;
    int reason;
    if ((f->flags & O_ASYNC) && sigio_reason(f, &band, &reason))
      send_sigio(f, band, reason);
    fput(f);
  }
}

/* A wake-up on one of the file's queues (the waker's context: queue only). */
static void fasync_wake_cb(struct wait_entry *e, unsigned events)
{
  (void)events;
  struct file *f = e->priv;
  spin_lock(&sigio_lock);
  struct fown *o = f->fown;
  if (o && !o->queued) {
    o->queued = true;
    fget(f);
    list_add_tail(&o->qlink, &sigio_queue);
  }
  spin_unlock(&sigio_lock);
  wake_up(&sigio_wq);
}

struct fasync_table {
  struct poll_table pt;
  struct fown *o;
};

static void fasync_register(struct poll_table *pt, struct wait_queue *wq, struct file *f)
{
  struct fown *o = container_of(pt, struct fasync_table, pt)->o;
  if (o->nwait >= FOWN_MAX_WAITS)
    return;
  struct wait_entry *e = &o->wait[o->nwait];
  wait_entry_init(e, NULL);
  e->func = fasync_wake_cb;
  e->priv = f;
  o->wq[o->nwait++] = wq;
  add_wait(wq, e);
}

static void fasync_unhook(struct fown *o)
{
  for (int i = 0; i < o->nwait; i++)
    remove_wait(o->wq[i], &o->wait[i]);
  o->nwait = 0;
}

void fasync_set(struct file *f, int fd, bool on)
{
  if (on && !sigio_task) {
    spin_lock(&fown_lock);
    bool start = !sigio_task;
    if (start)
      sigio_task = (struct task *)1; /* claimed */
    spin_unlock(&fown_lock);
    if (start)
      sigio_task = kthread_create("sigio", sigio_thread, NULL);
  }
  spin_lock(&fown_lock);
  struct fown *o = fown_of(f);
  spin_unlock(&fown_lock);
  if (!o)
    return;
  o->fd = fd;
  fasync_unhook(o);
  if (on && f->fop && f->fop->poll) {
    struct fasync_table t = { { fasync_register, 0 }, o };
    f->fop->poll(f, &t.pt);
  }
}

/* ---- F_SETOWN and friends ---- */

struct f_owner_ex {
  int32_t type;
  int32_t pid;
};

/* pid is the caller's number; the owner is kept as the global id (the
 * SIGIO sender looks it up as such) and shown again as the reader's. */
static long set_owner(struct file *f, int fd, int type, pid_t pid)
{
  if (pid) {
    spin_lock(&proc_lock);
    pid = pid_from_vnr_locked(pid);
    bool exists = type == F_OWNER_TID ? find_task(pid) != NULL
                : type == F_OWNER_PID ? find_process(pid) != NULL
                                      : true;
    if (type == F_OWNER_PGRP) {
      exists = false;
      struct process *p;
      list_for_each_entry(p, &all_processes, all_link)
        if (p->pgid == pid)
          exists = true;
    }
    spin_unlock(&proc_lock);
    if (!exists)
      return -ESRCH;
  }
  const struct cred *c = current_cred();
  spin_lock(&fown_lock);
  struct fown *o = fown_of(f);
  if (o) {
    o->type = type;
    o->pid = pid;
    o->uid = c->uid;
    o->euid = c->euid;
    o->fd = fd;
  }
  spin_unlock(&fown_lock);
  return o ? 0 : -ENOMEM;
}

static long lease_set(struct file *f, int fd, long arg);
static long lease_get(struct file *f);

long fcntl_owner(struct file *f, int fd, int cmd, uint64_t arg)
{
  struct f_owner_ex ex;
  switch (cmd) {
  case F_SETOWN: {
    int32_t who = (int32_t)arg;
    if (who == INT32_MIN)
      return -EINVAL;
    return who < 0 ? set_owner(f, fd, F_OWNER_PGRP, -who) : set_owner(f, fd, F_OWNER_PID, who);
  }
  case F_GETOWN: {
    spin_lock(&fown_lock);
    struct fown *o = f->fown;
    long r = !o || o->type < 0 ? 0 : o->type == F_OWNER_PGRP ? -(long)pid_vnr(o->pid) : pid_vnr(o->pid);
    spin_unlock(&fown_lock);
    return r;
  }
  case F_SETOWN_EX:
    if (copyin(&ex, arg, sizeof(ex)))
      return -EFAULT;
    if (ex.type != F_OWNER_TID && ex.type != F_OWNER_PID && ex.type != F_OWNER_PGRP)
      return -EINVAL;
    if (ex.pid < 0)
      return -EINVAL;
    return set_owner(f, fd, ex.type, ex.pid);
  case F_GETOWN_EX:
    spin_lock(&fown_lock);
    ex.type = f->fown && f->fown->type >= 0 ? f->fown->type : F_OWNER_PID;
    ex.pid = f->fown && f->fown->type >= 0 ? pid_vnr(f->fown->pid) : 0;
    spin_unlock(&fown_lock);
    return copyout(arg, &ex, sizeof(ex)) ? -EFAULT : 0;
  case F_SETSIG:
    if (arg > NSIG)
      return -EINVAL;
    spin_lock(&fown_lock);
    struct fown *o = fown_of(f);
    if (o)
      o->signum = (int)arg;
    spin_unlock(&fown_lock);
    return o ? 0 : -ENOMEM;
  case F_GETSIG:
    return f->fown ? f->fown->signum : 0;
  case F_SETLEASE:
    return lease_set(f, fd, (long)arg);
  case F_GETLEASE:
    return lease_get(f);
  default:
    return -EINVAL;
  }
}

/* ---- leases ---- */

static struct lease *lease_of(struct file *f)
{
  struct lease *l;
  list_for_each_entry(l, &leases, link)
    if (l->file == f)
      return l;
  return NULL;
}

static long lease_get(struct file *f)
{
  spin_lock(&fown_lock);
  struct lease *l = lease_of(f);
  long r = l ? l->target : F_UNLCK;
  spin_unlock(&fown_lock);
  return r;
}

/* Another file holds a lease on ino, or one is being broken? (fown_lock held) */
static bool other_leases(struct inode *ino, struct file *f, bool breaking_to_unlock)
{
  struct lease *l;
  list_for_each_entry(l, &leases, link)
    if (l->inode == ino && l->file != f && (!breaking_to_unlock || l->target == F_UNLCK))
      return true;
  return false;
}

static long lease_set(struct file *f, int fd, long arg)
{
  struct inode *ino = f->inode;
  if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
    return -EINVAL;
  if (!ino || !S_ISREG(ino->mode))
    return -EINVAL;
  if (current_cred()->fsuid != ino->uid && !capable(CAP_LEASE))
    return -EACCES;
  long r = 0;
  spin_lock(&fown_lock);
  struct lease *l = lease_of(f);
  if (arg == F_UNLCK) {
    if (l) {
      list_del(&l->link);
      kfree(l);
    }
    spin_unlock(&fown_lock);
    wake_up(&lease_wq);
    return 0;
  }
  /* Only this file may have the file open as the lease needs (check_conflicting_open). */
  int self_w = file_writable(f) ? 1 : 0, self_r = !self_w && file_readable(f) ? 1 : 0;
  if (arg == F_RDLCK && ino->open_writers > 0)
    r = -EAGAIN;
  else if (arg == F_WRLCK && (ino->open_writers != self_w || ino->open_readers != self_r))
    r = -EAGAIN;
  else if (arg == F_WRLCK && other_leases(ino, f, false))
    r = -EAGAIN;
  else if (!l && other_leases(ino, f, true))
    r = -EAGAIN; /* someone is opening for write */
  if (!r && !l) {
    l = kzalloc(sizeof(*l));
    if (!l) {
      r = -ENOMEM;
    } else {
      l->inode = ino;
      l->file = f;
      list_add_tail(&l->link, &leases);
    }
  }
  if (!r) {
    l->type = l->target = (int)arg;
  }
  spin_unlock(&fown_lock);
  if (r)
    return r;
  wake_up(&lease_wq);
  /* the caller becomes the file's owner (it gets the break signal) */
  return set_owner(f, fd, F_OWNER_PID, current->proc->pid);
}

/* Is a lease on ino still in the way of an opener (fown_lock held)? */
static bool lease_blocks(struct inode *ino, bool want_write)
{
  struct lease *l;
  list_for_each_entry(l, &leases, link)
    if (l->inode == ino && (l->type == F_WRLCK || want_write))
      return true;
  return false;
}

/* Force the breaks whose time is up (fown_lock held). */
static void leases_expire(struct inode *ino)
{
  uint64_t now = time_monotonic_ns();
  struct lease *l, *n;
  list_for_each_entry_safe(l, n, &leases, link) {
    if (l->inode != ino || l->target == l->type || now < l->deadline)
      continue;
    if (l->target == F_UNLCK) {
      list_del(&l->link);
      kfree(l);
    } else {
      l->type = l->target;
    }
  }
}

int break_lease(struct inode *ino, int flags, struct file *opener)
{
  (void)opener;
  if (list_empty(&leases))
    return 0;
  bool want_write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
  struct file *notify[16];
  int n = 0;
  uint64_t deadline = time_monotonic_ns() + (uint64_t)lease_break_time * NSEC_PER_SEC;
  spin_lock(&fown_lock);
  struct lease *l;
  list_for_each_entry(l, &leases, link) {
    if (l->inode != ino || !(l->type == F_WRLCK || want_write))
      continue;
    int target = want_write ? F_UNLCK : F_RDLCK;
    if (l->target == l->type || target < l->target) {
      bool fresh = l->target == l->type;
      l->target = target == F_UNLCK || l->target == F_UNLCK ? F_UNLCK : F_RDLCK;
      if (fresh) {
        l->deadline = deadline;
        if (n < 16) {
          fget(l->file);
          notify[n++] = l->file;
        }
      }
    }
  }
  bool blocked = lease_blocks(ino, want_write);
  spin_unlock(&fown_lock);
  for (int i = 0; i < n; i++) {
    send_sigio(notify[i], POLLMSG, POLL_MSG);
    fput(notify[i]);
  }
  if (!blocked)
    return 0;
  if (flags & O_NONBLOCK)
    return -EWOULDBLOCK;
  for (;;) {
    spin_lock(&fown_lock);
    leases_expire(ino);
    blocked = lease_blocks(ino, want_write);
    uint64_t next = UINT64_MAX;
    list_for_each_entry(l, &leases, link)
      if (l->inode == ino && l->target != l->type && l->deadline < next)
        next = l->deadline;
    spin_unlock(&fown_lock);
    if (!blocked)
      return 0;
    uint64_t now = time_monotonic_ns();
    uint64_t wait = next == UINT64_MAX ? WAIT_FOREVER : next > now ? next - now : 1;
    long r = wait_event(&lease_wq, ({
                          spin_lock(&fown_lock);
                          bool b = lease_blocks(ino, want_write);
                          spin_unlock(&fown_lock);
                          !b;
                        }),
                        wait);
    if (r == -ERESTARTSYS)
      return -EINTR;
  }
}

/* ---- the last close ---- */

void fown_release(struct file *f)
{
  bool leased = false;
  if (!list_empty(&leases)) {
    spin_lock(&fown_lock);
    struct lease *l = lease_of(f);
    if (l) {
      list_del(&l->link);
      kfree(l);
      leased = true;
    }
    spin_unlock(&fown_lock);
  }
  if (leased)
    wake_up(&lease_wq);
  struct fown *o = f->fown;
  if (!o)
    return;
  fasync_unhook(o);
  spin_lock(&sigio_lock);
  if (o->queued)
    list_del(&o->qlink); /* cannot happen: a queued file holds a reference */
  spin_unlock(&sigio_lock);
  f->fown = NULL;
  kfree(o);
}
