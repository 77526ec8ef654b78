/*
 * list.h — intrusive doubly-linked circular lists (the Linux shape).
 * A struct embeds a `struct list_head`; container_of() gets the struct back.
 *
 * Layer: lib (header only, used by every layer). Locks: none; whoever owns
 * a list says which lock guards it.
 */
#ifndef KITE_LIST_H
#define KITE_LIST_H

#include "kern/types.h"

struct list_head {
  struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

/* An empty list (or an entry on none); is h empty (or e on no list)? */
static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

/* Link n between prev and next (two neighbours); list_add and
 * list_add_tail are the ones to call. */
static inline void __list_add(struct list_head *n, struct list_head *prev,
                              struct list_head *next)
{
  next->prev = n;
  n->next = next;
  n->prev = prev;
  prev->next = n;
}

/* Insert n right after head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head)
{
  __list_add(n, head, head->next);
}

/* Insert n before head, i.e. at the tail (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
  __list_add(n, head->prev, head);
}

/* Unlink e and leave it pointing at itself, so list_empty(e) is true. */
static inline void list_del(struct list_head *e)
{
  e->next->prev = e->prev;
  e->prev->next = e->next;
  e->next = e->prev = e;
}

/* Take e off its list and put it at the tail of head's. */
static inline void list_move_tail(struct list_head *e, struct list_head *head)
{
  list_del(e);
  list_add_tail(e, head);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, typeof(*(pos)), member)
#define list_for_each(pos, head) \
  for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head) \
  for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
#define list_for_each_entry(pos, head, member)                          \
  for (pos = list_entry((head)->next, typeof(*pos), member);            \
       &pos->member != (head);                                          \
       pos = list_entry(pos->member.next, typeof(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)                  \
  for (pos = list_entry((head)->next, typeof(*pos), member),            \
       n = list_entry(pos->member.next, typeof(*pos), member);          \
       &pos->member != (head);                                          \
       pos = n, n = list_entry(n->member.next, typeof(*n), member))

#endif
