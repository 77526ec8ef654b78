/*
 * unix_gc.c — garbage collection of AF_UNIX sockets in flight (Linux's
 * unix_gc). Layer: net, the bottom of AF_UNIX: net/unix.c calls it.
 *
 * A socket sent over a socket with SCM_RIGHTS is held by the message until
 * someone receives it. When every descriptor for such sockets is closed,
 * a ring of them — a socket sent over itself, two sent over each other —
 * holds itself: each file's last reference is in a message on a queue of
 * the ring, nobody can receive it, and the memory (with whatever else is
 * in flight: pipes full of data) would never come back.
 *
 * The collection, under unix_lock:
 *   1. count, for every unix socket, the references to its file in
 *      messages on queues (its own pending connections' queues count as
 *      its own); a socket whose file has no other reference is a
 *      candidate;
 *   2. subtract the references held by candidates' queues: a candidate
 *      left with references comes from a queue outside, and is alive;
 *   3. everything reachable from a live candidate's queues is alive;
 *   4. the rest is garbage: its queued messages are taken off.
 * Then, without the lock, the messages are freed: that drops the last
 * references to the garbage sockets, which close as usual.
 *
 * It runs after a unix socket is released, and after descriptors close
 * while messages carry files at all; a collection does not start inside
 * another (the frees of step 4 release sockets too). File reference
 * counts are read under unix_lock alone: that is exact because a socket
 * with no descriptor left gains a reference only through a queue (under
 * unix_lock), and a receiver takes the files out of a message under
 * unix_lock before installing them.
 *
 * This file owns unix_lock and the list of every unix socket; net/unix.c
 * (the protocol, above it) frees what a collection returns.
 */
#include "net/unix_priv.h"
#include "fs/file.h"

struct spinlock unix_lock = SPINLOCK_INIT("unix");
LIST_HEAD(unix_all);
uint64_t unix_msgs_with_files;
static bool gc_running; /* unix_lock */

/* The unix socket behind an in-flight file, or NULL. */
static struct unix_sock *unix_of_file(struct file *f)
{
  struct socket *s = f ? sock_from_file(f) : NULL;
  return s && s->family == AF_UNIX && s->proto ? unix_of(s) : NULL;
}

/* Call fn for every in-flight unix socket on u's queues (and its embryos'). */
static void for_each_inflight(struct unix_sock *u, void (*fn)(struct unix_sock *, struct file *, void *),
                              void *arg)
{
  for (struct unix_sock *q = u; q; q = (q == u) ? u->acc_head : q->acc_next)
    for (struct unix_msg *m = q->rx_head; m; m = m->next)
      for (int i = 0; i < m->nfiles; i++) {
        struct unix_sock *t = unix_of_file(m->files[i]);
        if (t)
          fn(t, m->files[i], arg);
      }
}

static void count_ref(struct unix_sock *t, struct file *f, void *arg)
{
  (void)arg;
  t->gc_file = f;
  t->gc_inflight++;
}

static void drop_internal_ref(struct unix_sock *t, struct file *f, void *arg)
{
  (void)f;
  (void)arg;
  if (t->gc_candidate)
    t->gc_refs--;
}

struct stack {
  struct unix_sock **s;
  int n, max;
  bool overflow;                /* a live socket could not be pushed */
};

static void push_alive(struct unix_sock *t, struct file *f, void *arg)
{
  (void)f;
  struct stack *st = arg;
  if (!t->gc_candidate || t->gc_alive)
    return;
  if (st->n == st->max) {
    st->overflow = true;
    return;
  }
  t->gc_alive = true;
  st->s[st->n++] = t;
}

/* Take every message off u's queue and its embryos' queues. unix_lock held. */
static struct unix_msg *take_queues(struct unix_sock *u, struct unix_msg *list)
{
  for (struct unix_sock *q = u; q; q = (q == u) ? u->acc_head : q->acc_next) {
    if (q->rx_tail) {
      q->rx_tail->next = list;
      list = q->rx_head;
    }
    q->rx_head = q->rx_tail = NULL;
    q->rx_bytes = 0;
    q->rx_count = 0;
  }
  return list;
}

bool unix_gc_collect(struct unix_msg **garbagep)
{
  struct unix_msg *garbage = NULL;
  struct unix_sock *u;
  int ncand = 0;
  *garbagep = NULL;
  if (!READ_ONCE(unix_msgs_with_files))
    return false;
  spin_lock(&unix_lock);
  if (gc_running) {
    spin_unlock(&unix_lock);
    return false;
  }
  gc_running = true;
  list_for_each_entry(u, &unix_all, all_link) {
    u->gc_file = NULL;
    u->gc_inflight = u->gc_refs = 0;
    u->gc_candidate = u->gc_alive = false;
  }
  list_for_each_entry(u, &unix_all, all_link)
    for_each_inflight(u, count_ref, NULL);
  list_for_each_entry(u, &unix_all, all_link) {
    if (u->gc_inflight && READ_ONCE(u->gc_file->refcount) == u->gc_inflight) {
      u->gc_candidate = true;
      u->gc_refs = u->gc_inflight;
      ncand++;
    }
  }
  if (ncand) {
    list_for_each_entry(u, &unix_all, all_link)
      if (u->gc_candidate)
        for_each_inflight(u, drop_internal_ref, NULL);
    struct unix_sock *stack_space[64];
    struct stack st = { stack_space, 0, 64, false };
    list_for_each_entry(u, &unix_all, all_link) {
      if (!u->gc_candidate || u->gc_alive || u->gc_refs <= 0)
        continue;
      u->gc_alive = true;
      st.s[st.n++] = u;
      while (st.n > 0) {
        struct unix_sock *a = st.s[--st.n];
        for_each_inflight(a, push_alive, &st);
      }
    }
    /* A graph too wide to walk here is left for a later collection. */
    list_for_each_entry(u, &unix_all, all_link)
      if (!st.overflow && u->gc_candidate && !u->gc_alive)
        garbage = take_queues(u, garbage);
  }
  spin_unlock(&unix_lock);
  *garbagep = garbage;
  return true;
}

void unix_gc_done(void)
{
  spin_lock(&unix_lock);
  gc_running = false;
  spin_unlock(&unix_lock);
}
