/*
 * futex.c — the futex system call: sleep until a user word changes.
 *
 * Waiters sit in a hash table keyed by the futex's identity: for a
 * process-private futex (FUTEX_PRIVATE_FLAG) the address space and the
 * address; for a shared one, the physical page and offset, so processes
 * mapping the same page meet. A waiter is queued *before* the user word
 * is compared with the expected value, so a wake that comes after the
 * user changed the word always finds it (no lost wakeups).
 *
 * Layer: core. Below: kern/wait.c (sleep, wake), kern/uaccess.c (the user
 * word), kern/vm.c (the page of a shared futex), kern/time.c (timeouts).
 * Above: the futex system call, thread exit (kern/process.c).
 *
 * Locks: one spinlock per hash bucket (two for requeue, taken in address
 * order); a waiter is on its bucket's list under that lock, and the lock
 * ranks above wait-queue locks. mm->lock is taken only to make a shared
 * key, never under a bucket lock.
 */
#include "kern/futex.h"
#include "kern/task.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/time.h"
#include <string.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffff

#define NBUCKETS 64

struct futex_key {
  uint64_t a, b;   /* (mm, uaddr) for private; (0, physical address) for shared */
};

struct futex_waiter {
  struct list_head link;
  struct futex_key key;
  uint32_t bitset;
  bool woken;
  struct wait_queue wq;
  struct wait_queue *notify;    /* futex_waitv: the queue all its waiters share (else &wq) */
};

static struct {
  struct spinlock lock;
  struct list_head waiters;
} buckets[NBUCKETS];
static bool buckets_ready;

/* Done at boot (futex_init), before other harts run; later calls return at once. */
static void buckets_init(void)
{
  if (buckets_ready)
    return;
  for (int i = 0; i < NBUCKETS; i++) {
    spin_init(&buckets[i].lock, "futex");
    list_init(&buckets[i].waiters);
  }
  buckets_ready = true;
}

void futex_init(void)
{
  buckets_init();
}

/*
 * The key of the futex at uaddr, in Linux's order (get_futex_key): a
 * misaligned address is EINVAL, one outside user space EFAULT; a private
 * futex is (mm, address) and touches no memory; a shared one is the
 * physical page, which must be reachable (EFAULT) and — if it can only be
 * read — not anonymous memory, which would never change (EFAULT).
 */
static int make_key(uaddr_t uaddr, bool private_, struct futex_key *k)
{
  if (uaddr & 3)
    return -EINVAL;
  if (!access_ok(uaddr, sizeof(uint32_t)))
    return -EFAULT;
  if (private_) {
    k->a = (uint64_t)current->mm;
    k->b = uaddr;
    return 0;
  }
  struct page *p = user_page_get(current->mm, uaddr, true);
  if (!p) {
    p = user_page_get(current->mm, uaddr, false);
    if (p && !p->cache.owner) {
      put_page(p);
      return -EFAULT;
    }
  }
  if (!p)
    return -EFAULT;
  k->a = 0;
  k->b = page_to_pa(p) + (uaddr & (PAGE_SIZE - 1));
  put_page(p);
  return 0;
}

static unsigned hash_key(const struct futex_key *k)
{
  uint64_t h = k->a * 0x9e3779b97f4a7c15ULL ^ k->b * 0xc2b2ae3d27d4eb4fULL;
  return (unsigned)(h >> 32) % NBUCKETS;
}

static bool key_eq(const struct futex_key *x, const struct futex_key *y)
{
  return x->a == y->a && x->b == y->b;
}

/* Wake up to n waiters on key whose bitset matches. Returns the number woken. */
static int wake_key(const struct futex_key *k, int n, uint32_t bitset)
{
  buckets_init();
  unsigned h = hash_key(k);
  int woken = 0;
  spin_lock(&buckets[h].lock);
  struct futex_waiter *w, *tmp;
  list_for_each_entry_safe(w, tmp, &buckets[h].waiters, link) {
    if (woken >= n)
      break;
    if (!key_eq(&w->key, k) || !(w->bitset & bitset))
      continue;
    list_del(&w->link);
    WRITE_ONCE(w->woken, true);
    wake_up(w->notify ? w->notify : &w->wq);
    woken++;
  }
  spin_unlock(&buckets[h].lock);
  return woken;
}

static long futex_wait(uaddr_t uaddr, bool private_, uint32_t val, uint64_t deadline_ns,
                       bool has_deadline, uint32_t bitset)
{
  if (bitset == 0)
    return -EINVAL;
  buckets_init();
  struct futex_waiter w;
  int r = make_key(uaddr, private_, &w.key);
  if (r)
    return r;
  w.bitset = bitset;
  w.woken = false;
  w.notify = NULL;
  wait_queue_init(&w.wq);
  list_init(&w.link);
  unsigned h = hash_key(&w.key);
  spin_lock(&buckets[h].lock);
  list_add_tail(&w.link, &buckets[h].waiters);
  spin_unlock(&buckets[h].lock);

  uint32_t cur;
  long ret;
  if (get_user_u32(&cur, uaddr)) {
    ret = -EFAULT;
  } else if (cur != val) {
    ret = -EAGAIN;
  } else {
    uint64_t timeout = WAIT_FOREVER;
    if (has_deadline) {
      uint64_t now = time_monotonic_ns();
      timeout = deadline_ns > now ? deadline_ns - now : 0;
    }
    if (timeout == 0) {
      ret = READ_ONCE(w.woken) ? 0 : -ETIMEDOUT;
    } else {
      ret = wait_event(&w.wq, READ_ONCE(w.woken), timeout);
      if (ret == -ERESTARTSYS)
        ret = -EINTR; /* futex waits are not restarted transparently by Linux either */
    }
  }
  spin_lock(&buckets[h].lock);
  if (!w.woken)
    list_del(&w.link);
  else if (ret != 0)
    ret = 0; /* woken after all: report success */
  spin_unlock(&buckets[h].lock);
  return ret;
}

int futex_wake(uaddr_t uaddr, int n, bool private_)
{
  struct futex_key k;
  if (make_key(uaddr, private_, &k))
    return 0;
  return wake_key(&k, n, FUTEX_BITSET_MATCH_ANY);
}

/* Move up to n2 waiters from key1 to key2 (after waking n1). */
static long futex_requeue(uaddr_t u1, uaddr_t u2, bool private_, int n1, int n2, bool cmp,
                          uint32_t val3)
{
  struct futex_key k1, k2;
  int r = make_key(u1, private_, &k1);
  if (!r)
    r = make_key(u2, private_, &k2);
  if (r)
    return r;
  if (cmp) {
    uint32_t cur;
    if (get_user_u32(&cur, u1))
      return -EFAULT;
    if (cur != val3)
      return -EAGAIN;
  }
  buckets_init();
  int woken = wake_key(&k1, n1, FUTEX_BITSET_MATCH_ANY);
  unsigned h1 = hash_key(&k1), h2 = hash_key(&k2);
  int moved = 0;
  /* lock both buckets in index order */
  unsigned first = MIN(h1, h2), second = MAX(h1, h2);
  spin_lock(&buckets[first].lock);
  if (second != first)
    spin_lock(&buckets[second].lock);
  struct futex_waiter *w, *tmp;
  list_for_each_entry_safe(w, tmp, &buckets[h1].waiters, link) {
    if (moved >= n2)
      break;
    if (!key_eq(&w->key, &k1))
      continue;
    list_del(&w->link);
    w->key = k2;
    list_add_tail(&w->link, &buckets[h2].waiters);
    moved++;
  }
  if (second != first)
    spin_unlock(&buckets[second].lock);
  spin_unlock(&buckets[first].lock);
  return woken + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; if cmp(old) wake uaddr2. */
static long futex_wake_op(uaddr_t u1, uaddr_t u2, bool private_, int n1, int n2, uint32_t val3)
{
  struct futex_key k1, k2;
  int r = make_key(u1, private_, &k1);
  if (!r)
    r = make_key(u2, private_, &k2); /* Linux takes both keys first */
  if (r)
    return r;
  int op = (val3 >> 28) & 7, cmp = (val3 >> 24) & 15;
  int oparg = (val3 >> 12) & 0xfff, cmparg = val3 & 0xfff;
  if (val3 & (8u << 28))
    oparg = 1 << oparg;
  if (oparg & 0x800 && !(val3 & (8u << 28)))
    oparg |= ~0xfff; /* sign-extend 12 bits */
  if (cmparg & 0x800)
    cmparg |= ~0xfff;
  uint32_t old, nv;
  for (int tries = 0;; tries++) {
    if (get_user_u32(&old, u2))
      return -EFAULT;
    switch (op) {
    case 0: nv = oparg; break;
    case 1: nv = old + oparg; break;
    case 2: nv = old | oparg; break;
    case 3: nv = old & ~oparg; break;
    case 4: nv = old ^ oparg; break;
    default: return -ENOSYS;
    }
    uint32_t seen;
    if (user_cmpxchg_u32(u2, old, nv, &seen))
      return -EFAULT;
    if (seen == old)
      break;
  }
  long woken = futex_wake(u1, n1, private_);
  bool c;
  switch (cmp) {
  case 0: c = (int)old == cmparg; break;
  case 1: c = (int)old != cmparg; break;
  case 2: c = (int)old < cmparg; break;
  case 3: c = (int)old <= cmparg; break;
  case 4: c = (int)old > cmparg; break;
  case 5: c = (int)old >= cmparg; break;
  default: return -ENOSYS;
  }
  if (c)
    woken += futex_wake(u2, n2, private_);
  return woken;
}

long do_futex(uaddr_t uaddr, int op, uint32_t val, uaddr_t utimeout, uaddr_t uaddr2, uint32_t val3)
{
  bool private_ = op & FUTEX_PRIVATE_FLAG;
  bool realtime = op & FUTEX_CLOCK_REALTIME;
  int cmd = op & FUTEX_CMD_MASK;
  if (realtime && cmd != FUTEX_WAIT_BITSET)
    return -ENOSYS; /* only meaningful for an absolute wait */
  switch (cmd) {
  case FUTEX_WAIT:
  case FUTEX_WAIT_BITSET: {
    uint64_t deadline = 0;
    bool has = false;
    if (utimeout) {
      uint64_t ns;
      long e = get_user_timespec_ns(utimeout, &ns);
      if (e)
        return e;
      has = true;
      if (cmd == FUTEX_WAIT) {
        deadline = time_monotonic_ns() + ns;          /* relative */
      } else if (realtime) {
        uint64_t now_rt = time_realtime_ns();          /* absolute, realtime */
        deadline = time_monotonic_ns() + (ns > now_rt ? ns - now_rt : 0);
      } else {
        deadline = ns;                                 /* absolute, monotonic */
      }
    }
    return futex_wait(uaddr, private_, val, deadline, has,
                      cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3);
  }
  case FUTEX_WAKE:
  case FUTEX_WAKE_BITSET: {
    struct futex_key k;
    int r = make_key(uaddr, private_, &k);
    if (r)
      return r;
    uint32_t bits = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
    if (bits == 0)
      return -EINVAL;
    return wake_key(&k, (int)MIN(val, (uint32_t)INT32_MAX), bits);
  }
  case FUTEX_REQUEUE:
  case FUTEX_CMP_REQUEUE:
    /* val2 travels in the timeout argument: an int, as Linux reads it */
    if ((int)val < 0 || (int)(uint32_t)utimeout < 0)
      return -EINVAL;
    return futex_requeue(uaddr, uaddr2, private_, (int)val, (int)(uint32_t)utimeout,
                         cmd == FUTEX_CMP_REQUEUE, val3);
  case FUTEX_WAKE_OP:
    return futex_wake_op(uaddr, uaddr2, private_, (int)val, (int)MIN(utimeout, (uint64_t)INT32_MAX), val3);
  default:
    return -ENOSYS;
  }
}

/*
 * Robust futexes: at thread exit, mark each lock the thread still holds
 * as owner-died and wake one waiter (the glibc/musl robust mutex protocol).
 */
#define FUTEX_WAITERS 0x80000000
#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_TID_MASK 0x3fffffff

static void handle_robust_entry(uaddr_t uaddr, pid_t tid)
{
  for (int tries = 0; tries < 8; tries++) {
    uint32_t v;
    if (get_user_u32(&v, uaddr) || (v & FUTEX_TID_MASK) != (uint32_t)tid)
      return;
    uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED, seen;
    if (user_cmpxchg_u32(uaddr, v, nv, &seen))
      return;
    if (seen == v) {
      if (v & FUTEX_WAITERS)
        futex_wake(uaddr, 1, false);
      return;
    }
  }
}

void futex_exit_robust_list(struct task *t)
{
  if (!t->robust_list || !t->mm)
    return;
  /* struct robust_list_head { list.next; long futex_offset; list_op_pending; } */
  uint64_t head[3];
  if (copyin(head, t->robust_list, sizeof(head)))
    return;
  int64_t offset = (int64_t)head[1];
  uint64_t entry = head[0];
  for (int n = 0; entry != t->robust_list && entry && n < 2048; n++) {
    uint64_t next;
    if (get_user_u64(&next, entry & ~1UL))
      break;
    handle_robust_entry((entry & ~1UL) + offset, t->tid);
    entry = next;
  }
  if (head[2])
    handle_robust_entry((head[2] & ~1UL) + offset, t->tid);
}

/* ---- futex_waitv: wait on up to 128 futexes at once ---- */

#define FUTEX_WAITV_MAX 128
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG

struct futex_waitv_u {
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t reserved;
};

/* Take waiter i (and those before it) off their buckets; was any woken? Returns its index or -1. */
static int waitv_unqueue(struct futex_waiter *w, int n)
{
  int first = -1;
  for (int i = 0; i < n; i++) {
    unsigned h = hash_key(&w[i].key);
    spin_lock(&buckets[h].lock);
    if (!w[i].woken)
      list_del(&w[i].link);
    else if (first < 0)
      first = i;
    spin_unlock(&buckets[h].lock);
  }
  return first;
}

/*
 * futex_waitv(2): sleep until one of the futexes is woken; returns its
 * index. Every waiter is queued before any value is compared (as
 * futex_wait does for one), so no wake is lost; a value that differs is
 * EAGAIN. The timeout is absolute, on CLOCK_MONOTONIC or CLOCK_REALTIME.
 */
long sys_futex_waitv(uaddr_t uwaiters, unsigned int nr, unsigned int flags, uaddr_t utimeout,
                     int clockid)
{
  if (flags)
    return -EINVAL;
  if (!nr || nr > FUTEX_WAITV_MAX || !uwaiters)
    return -EINVAL;
  uint64_t deadline = 0;
  bool has_deadline = false;
  if (utimeout) {
    if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
      return -EINVAL;
    struct timespec64 ts;
    if (copyin(&ts, utimeout, sizeof(ts)))
      return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
      return -EINVAL;
    uint64_t abs = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
    uint64_t mono = time_monotonic_ns();
    if (clockid == CLOCK_REALTIME) {
      uint64_t real = time_realtime_ns();
      deadline = abs > real ? mono + (abs - real) : mono;
    } else {
      deadline = abs;
    }
    has_deadline = true;
  }
  struct futex_waitv_u *uv = kmalloc(nr * sizeof(*uv));
  struct futex_waiter *w = kzalloc(nr * sizeof(*w));
  long ret = 0;
  if (!uv || !w) {
    ret = -ENOMEM;
    goto out;
  }
  if (copyin(uv, uwaiters, nr * sizeof(*uv))) {
    ret = -EFAULT;
    goto out;
  }
  for (unsigned i = 0; i < nr; i++)
    if ((uv[i].flags & ~(FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)) || uv[i].reserved ||
        !(uv[i].flags & FUTEX2_SIZE_U32)) {
      ret = -EINVAL;
      goto out;
    }
  buckets_init();
  struct wait_queue wq;
  wait_queue_init(&wq);
  unsigned queued = 0;
  for (; queued < nr; queued++) {
    struct futex_waiter *x = &w[queued];
    if ((ret = make_key(uv[queued].uaddr, uv[queued].flags & FUTEX2_PRIVATE, &x->key)))
      break;
    x->bitset = FUTEX_BITSET_MATCH_ANY;
    x->notify = &wq;
    wait_queue_init(&x->wq);
    unsigned h = hash_key(&x->key);
    spin_lock(&buckets[h].lock);
    list_add_tail(&x->link, &buckets[h].waiters);
    spin_unlock(&buckets[h].lock);
  }
  for (unsigned i = 0; i < queued && !ret; i++) {
    uint32_t cur;
    if (get_user_u32(&cur, uv[i].uaddr))
      ret = -EFAULT;
    else if (cur != (uint32_t)uv[i].val)
      ret = -EAGAIN;
  }
  if (!ret) {
    uint64_t timeout = WAIT_FOREVER;
    if (has_deadline) {
      uint64_t now = time_monotonic_ns();
      timeout = deadline > now ? deadline - now : 0;
    }
    bool any = false;
    if (timeout == 0) {
      ret = -ETIMEDOUT;
    } else {
      ret = wait_event(&wq, ({
                         any = false;
                         for (unsigned i = 0; i < queued; i++)
                           any |= READ_ONCE(w[i].woken);
                         any;
                       }),
                       timeout);
    }
  }
  int woken = waitv_unqueue(w, (int)queued);
  if (woken >= 0)
    ret = woken; /* woken after all: report which (a signal restarts the call) */
out:
  kfree(uv);
  kfree(w);
  return ret;
}
