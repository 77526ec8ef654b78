/*
 * sigqueue.c — the entries of the pending-signal queues and what they
 * cost their receiver's user: RLIMIT_SIGPENDING, as Linux's
 * __sigqueue_alloc and ucounts.
 *
 * A signal queued with its siginfo is charged to the receiver's real
 * user. Past the receiver's RLIMIT_SIGPENDING no entry is made: the
 * caller (queue_signal in kern/signal.c) then refuses a real-time signal
 * that kill() did not send (EAGAIN) and delivers any other without its
 * siginfo. The kernel's own standard signals and kill()'s go over the
 * limit. A POSIX timer's signal is not charged (the timer was counted
 * against the limit when it was made, kern/posix_timers.c).
 *
 * Layer: core, below kern/signal.c. Locks: sigq_lock (a spinlock, taken
 * inside sighand->lock) protects the per-user counts; sigq_owner_of takes
 * cred_lock and must be called before sighand->lock.
 */
#include "kern/signal.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/param.h"

/* A user with signals queued (count > 0), or a free slot (count == 0). */
struct sigq_user {
  uint32_t uid;
  uint32_t count;
};
static struct spinlock sigq_lock = SPINLOCK_INIT("sigq");
static struct sigq_user sigq_users[SIGQ_USERS_MAX]; /* sigq_lock */

/* uid's slot, or a free one if make (NULL: none). sigq_lock held. */
static struct sigq_user *sigq_slot(uint32_t uid, bool make)
{
  struct sigq_user *unused = NULL;
  for (int i = 0; i < SIGQ_USERS_MAX; i++) {
    if (sigq_users[i].count && sigq_users[i].uid == uid)
      return &sigq_users[i];
    if (!sigq_users[i].count && !unused)
      unused = &sigq_users[i];
  }
  if (unused && make)
    unused->uid = uid;
  return make ? unused : NULL;
}

/* Count one more signal queued for uid, unless that makes more than
 * limit (override: count it anyway, as Linux's override_rlimit). */
static bool sigq_charge(uint32_t uid, uint64_t limit, bool override)
{
  spin_lock(&sigq_lock);
  struct sigq_user *u = sigq_slot(uid, true);
  bool ok = u && (override || (uint64_t)u->count + 1 <= limit);
  if (ok)
    u->count++;
  spin_unlock(&sigq_lock);
  return ok;
}

static void sigq_uncharge(uint32_t uid)
{
  spin_lock(&sigq_lock);
  struct sigq_user *u = sigq_slot(uid, false);
  if (u)
    u->count--;
  spin_unlock(&sigq_lock);
}

void sigqueue_free(struct sigqueue *q)
{
  if (q->charged)
    sigq_uncharge(q->uid);
  kfree(q);
}

int signals_queued_for_user(uint32_t uid)
{
  spin_lock(&sigq_lock);
  struct sigq_user *u = sigq_slot(uid, false);
  int n = u ? (int)u->count : 0;
  spin_unlock(&sigq_lock);
  return n;
}

void sigq_owner_of(struct task *t, struct sigq_owner *o)
{
  const struct cred *c = get_task_cred(t);
  o->uid = c->uid;
  put_cred(c);
  o->limit = t->proc ? READ_ONCE(t->proc->rlim[RLIMIT_SIGPENDING].cur) : RLIM_INFINITY;
}

/* A queue entry for sig with info, charged to o (see the header); NULL if
 * the limit or memory says no. */
struct sigqueue *sigqueue_alloc(int sig, const struct ksiginfo *info, const struct sigq_owner *o)
{
  bool timer = info && info->code == SI_TIMER && info->timer_seq;
  bool charge = !timer;
  /* the kernel's own standard signals and kill()'s go over the limit */
  bool override = sig < SIGRTMIN && (!info || info->code >= 0);
  if (charge && !sigq_charge(o->uid, o->limit, override))
    return NULL;
  struct sigqueue *q = kzalloc(sizeof(*q));
  if (!q) {
    if (charge)
      sigq_uncharge(o->uid);
    return NULL;
  }
  q->charged = charge;
  q->uid = o->uid;
  return q;
}

