/*
 * fdtable.h — per-process file descriptor tables.
 *
 * A descriptor is an index into files->fd[]; the entry holds a reference
 * to a struct file. dup() shares the struct file (and so its offset);
 * fork copies the table (each entry gains a reference); CLONE_FILES
 * shares the table itself.
 */
#ifndef KITE_FDTABLE_H
#define KITE_FDTABLE_H

#include "kern/types.h"
#include "kern/spinlock.h"

struct file;

struct files {
  int refcount;            /* atomic: tasks sharing this table */
  struct spinlock lock;    /* protects the arrays */
  int size;                /* capacity of fd[] */
  struct file **fd;
  uint8_t *cloexec;
};

/* Hand clone and exit the descriptor table (kern/proc_resource.h: a new
 * task copies or shares its creator's; an exiting one drops its
 * reference). kmain, once, before the first process. */
void files_init(void);
struct files *files_alloc(void);
struct files *files_copy(struct files *old);
void files_get(struct files *ft);
void files_put(struct files *ft);
/* Install f at the lowest free descriptor >= min (takes over the caller's reference). */
int fd_install(struct file *f, int min, bool cloexec);
int fd_install_at(int fd, struct file *f, bool cloexec);  /* dup3 */
/*
 * The referenced file at descriptor fd, or NULL. fd_get() refuses O_PATH
 * descriptors (they only name a place, so read, write, fchmod, mmap ...
 * give EBADF, as Linux's fdget()); fd_get_raw() accepts them, for the
 * calls that only need the path: close, dup, fcntl, fstat, fchdir, *at().
 */
struct file *fd_get(int fd);
struct file *fd_get_raw(int fd);
/*
 * fd_get() for the length of one system call (Linux's fdget): when no
 * other task shares this task's table, nobody can close or replace fd
 * before the call returns, so neither the lock nor a reference is taken.
 * f.ref says whether one was; fd_put_light(f) drops it. Never for a file
 * kept past the call.
 */
struct fd_light {
  struct file *file;
  bool ref;
};
struct fd_light fd_get_light(int fd);
void fd_put_light(struct fd_light f);
int fd_close(int fd);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
void files_close_on_exec(struct files *ft);
int files_count(struct files *ft);

#endif
