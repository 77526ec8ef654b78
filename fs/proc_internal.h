/*
 * proc_internal.h — what the pieces of /proc share (fs/procfs.c and the
 * generators split out of it, such as fs/proc_mounts.c).
 *
 * A /proc file's text is made when it is opened: a generator appends it
 * to a growing buffer with pb_printf/pb_write (which may allocate, so no
 * spinlock may be held across them ... except where procfs.c's own
 * callers already do, see proc_mounts.c).
 */
#ifndef KITE_PROC_INTERNAL_H
#define KITE_PROC_INTERNAL_H

#include "kern/types.h"

struct process;
struct path;

struct proc_buf {
  char *data;
  size_t len, cap;
};

typedef void (*proc_gen_fn)(struct proc_buf *b, struct process *p);

void pb_printf(struct proc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pb_write(struct proc_buf *b, const char *s, size_t n);
/* The root directory of p, referenced into *root; false for a zombie. */
bool proc_get_root(struct process *p, struct path *root);

/* fs/proc_mounts.c */
void gen_mounts(struct proc_buf *b, struct process *p);
void gen_mountinfo(struct proc_buf *b, struct process *p);

#endif
