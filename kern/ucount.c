/*
 * ucount.c — how many namespaces each user has made, per user namespace,
 * and the limits /proc/sys/user/max_*_namespaces set on them (Linux's
 * kernel/ucount.c; docs/namespaces.md, "Counts and limits").
 *
 * A count is kept per (user namespace, kernel uid): `struct ucounts`.
 * Making a namespace of kind T as uid U in user namespace N (the new
 * namespace's owner) counts one T on (N, U) and then, because N was made
 * by N's owner in N's parent, on that pair too, and so on up to the
 * initial namespace (the chain: ns->ucounts is the entry that counted the
 * user namespace ns itself). Each step must stay at or below the limit of
 * its namespace (ns->ucount_max[T]), else nothing is counted and the
 * caller fails with ENOSPC — so a limit written in a namespace bounds
 * everything made below it, by anyone.
 *
 * Layer: core, beside kern/user_namespace.c. Users: kern/user_namespace.c
 * (user namespaces), kern/nsproxy.c (UTS, mount, IPC, PID). Locks:
 * ucounts_lock (a leaf spinlock) guards the list of entries and their
 * reference counts; the counts themselves are atomics.
 */
#include "kern/user_namespace.h"
#include "kern/spinlock.h"
#include "kern/mm.h"
#include "kern/list.h"
#include <limits.h>

struct ucounts {
  struct list_head link;        /* ucounts_list; ucounts_lock */
  struct user_namespace *ns;    /* not referenced: whoever holds the entry
                                   holds a namespace owned by ns or below it */
  uid_t uid;                    /* kernel uid */
  int refcount;                 /* ucounts_lock */
  int count[UCOUNT_COUNTS];     /* atomics */
};

static LIST_HEAD(ucounts_list);
static struct spinlock ucounts_lock = SPINLOCK_INIT("ucounts");

/* The entry of (ns, uid), referenced; made if there is none. NULL when
 * out of memory. */
static struct ucounts *get_ucounts(struct user_namespace *ns, uid_t uid)
{
  struct ucounts *fresh = NULL;
  for (;;) {
    spin_lock(&ucounts_lock);
    struct ucounts *u;
    list_for_each_entry(u, &ucounts_list, link) {
      if (u->ns == ns && u->uid == uid) {
        u->refcount++;
        spin_unlock(&ucounts_lock);
        kfree(fresh);
        return u;
      }
    }
    if (fresh) {
      list_add(&fresh->link, &ucounts_list);
      spin_unlock(&ucounts_lock);
      return fresh;
    }
    spin_unlock(&ucounts_lock);
    /* allocate with no lock held, then look again: another hart may have
     * made the same entry meanwhile */
    if (!(fresh = kzalloc(sizeof(*fresh))))
      return NULL;
    fresh->ns = ns;
    fresh->uid = uid;
    fresh->refcount = 1;
  }
}

static void put_ucounts(struct ucounts *u)
{
  spin_lock(&ucounts_lock);
  bool last = --u->refcount == 0;
  if (last)
    list_del(&u->link);
  spin_unlock(&ucounts_lock);
  if (last)
    kfree(u);
}

/* *v + 1 if that is at most max: true; else false, *v unchanged. */
static bool inc_below(int *v, int max)
{
  int old = __atomic_load_n(v, __ATOMIC_RELAXED);
  do {
    if (old >= max)
      return false;
  } while (!__atomic_compare_exchange_n(v, &old, old + 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return true;
}

struct ucounts *inc_ucount(struct user_namespace *ns, uid_t uid, enum ucount_type type)
{
  struct ucounts *first = get_ucounts(ns, uid);
  if (!first)
    return NULL;
  struct ucounts *iter;
  for (iter = first; iter; iter = iter->ns->ucounts)
    if (!inc_below(&iter->count[type], READ_ONCE(iter->ns->ucount_max[type])))
      break;
  if (!iter)
    return first;
  /* one step was full: take back the ones below it */
  for (struct ucounts *back = first; back != iter; back = back->ns->ucounts)
    __atomic_sub_fetch(&back->count[type], 1, __ATOMIC_RELAXED);
  put_ucounts(first);
  return NULL;
}

void dec_ucount(struct ucounts *u, enum ucount_type type)
{
  for (struct ucounts *iter = u; iter; iter = iter->ns->ucounts)
    __atomic_sub_fetch(&iter->count[type], 1, __ATOMIC_RELAXED);
  put_ucounts(u);
}

void ucount_max_init(struct user_namespace *ns)
{
  for (int i = 0; i < UCOUNT_COUNTS; i++)
    ns->ucount_max[i] = INT_MAX; /* a new namespace: only its ancestors' limits bind */
}
