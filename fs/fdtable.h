/*
 * fdtable.h — per-process file descriptor tables.
 *
 * A descriptor is an index into files->fd[]; the entry holds a reference
 * to a struct file. dup() shares the struct file (and so its offset);
 * fork copies the table (each entry gains a reference); CLONE_FILES
 * shares the table itself.
 *
 * Layer: fs (fs/file.c). The system calls (fs/sys_*.c, net/sys_socket.c
 * ...) and every file kind that makes a descriptor call these; fork and
 * exit reach the table through the proc_resource hooks files_init
 * registers (kern/proc_resource.h).
 *
 * Locks: files->lock (a spinlock) guards fd[] and cloexec[]; it is never
 * held across fput or a file's flush, which may sleep. The fd_* calls act
 * on current's table.
 */
#ifndef KITE_FDTABLE_H
#define KITE_FDTABLE_H

#include "kern/types.h"
#include "kern/spinlock.h"
#include "kern/cpu.h"
#include "kern/task.h"
#include "fs/file.h"

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
/* An empty table (room for 64 descriptors) with one reference, or NULL
 * when out of memory. */
struct files *files_alloc(void);
/* fork without CLONE_FILES: a new table (one reference) holding every
 * descriptor of old, each file gaining a reference, close-on-exec flags
 * kept. NULL when out of memory. Takes old->lock. */
struct files *files_copy(struct files *old);
/* Take a reference to ft (the caller holds one already: CLONE_FILES). */
void files_get(struct files *ft);
/* Drop a reference; the last one flushes and fputs every descriptor and
 * frees the table (then AF_UNIX's garbage collection runs). Process
 * context, no locks held. */
void files_put(struct files *ft);
/* Install f at the lowest free descriptor >= min (takes over the caller's
 * reference on success; on error the caller keeps it): the descriptor,
 * -EINVAL for min < 0, -EMFILE at RLIMIT_NOFILE, -ENOMEM. */
int fd_install(struct file *f, int min, bool cloexec);
/* The last step of every open call (openat, openat2, open_by_handle_at):
 * report IN_OPEN (not for O_PATH) and install the newly opened f at the
 * lowest free descriptor, close-on-exec as open_flags says. Takes over the
 * reference either way (fput on error): the descriptor or -EMFILE/-ENOMEM. */
int fd_install_opened(struct file *f, int open_flags);
/* dup2/dup3: put f at exactly fd (reference taken over as fd_install),
 * then flush and fput what was there, outside the lock: fd, -EBADF for
 * fd outside [0, RLIMIT_NOFILE), -ENOMEM. */
int fd_install_at(int fd, struct file *f, bool cloexec);
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
/* Inline: every read and write passes here, and under QEMU a call and its
 * return are two jump-cache lookups (docs/performance.md, issue 14). */
static inline struct fd_light fd_get_light(int fd)
{
  struct files *ft = current->files;
  if (__atomic_load_n(&ft->refcount, __ATOMIC_ACQUIRE) != 1)
    return (struct fd_light){ fd_get(fd), true };
  struct file *f = fd >= 0 && fd < ft->size ? ft->fd[fd] : NULL;
  if (f && (f->flags & O_PATH))
    f = NULL;
  return (struct fd_light){ f, false };
}
static inline void fd_put_light(struct fd_light f)
{
  if (f.ref && f.file)
    fput(f.file);
}
/* close(fd): take it out of the table (one hold of the table's lock),
 * run the file's flush, drop the caller's POSIX locks on its inode (as
 * Linux's filp_close) and the table's reference (the file goes when its
 * last holder does). 0 or -EBADF. No locks held (flush and fput may sleep). */
int fd_close(int fd);
/* F_GETFD / F_SETFD: fd's close-on-exec flag (0 or 1) / set it to on (0).
 * -EBADF for a descriptor not open. Take the table's lock. */
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
/* execve: close every descriptor of ft marked close-on-exec, as fd_close
 * does. The caller holds a reference to ft; no locks held. */
void files_close_on_exec(struct files *ft);
/* How many descriptors ft has open (no caller today). Takes ft->lock. */
int files_count(struct files *ft);

#endif
