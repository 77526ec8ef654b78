/*
 * locks.c — advisory file locks (Linux's fs/locks.c): POSIX record locks,
 * open-file-description locks and flock().
 *
 * Three kinds of owner share one table:
 *   POSIX  fcntl F_SETLK/F_SETLKW: owned by a process (its pid), released
 *          when the process closes any descriptor of the file, or exits
 *   OFD    fcntl F_OFD_SETLK/F_OFD_SETLKW: owned by the open file
 *          description, released at its last close
 *   FLOCK  flock(): the whole file, owned by the open file description, in
 *          a name space of its own (they never conflict with the others)
 * POSIX and OFD locks conflict with each other. A conflict is an overlap
 * with another owner where either lock is a write lock.
 *
 * An owner's record locks on a file never overlap: setting a lock first
 * cuts the owner's locks of another type out of the range (splitting one
 * that sticks out on both sides), then merges the new lock with the
 * owner's locks of the same type that overlap or touch it — so F_GETLK
 * reports ranges exactly as Linux does.
 *
 * Waiters (F_SETLKW, F_OFD_SETLKW, flock without LOCK_NB) sleep on one wait
 * queue and look again after every change. A POSIX waiter is recorded
 * with the owner it waits for; before sleeping, the chain "the owner I
 * wait for waits for ..." is followed, and a chain that comes back to the
 * caller is a deadlock (EDEADLK), as in Linux's posix_locks_deadlock.
 *
 * Layer: fs (fs/locks.h). Above: fcntl and flock (fs/sys_open.c), close
 * and exit (fd_close, locks_proc_resource). Below: the wait queues and
 * kern/process.c (the owners' pids).
 *
 * Locks: locks_lock (spinlock) protects every list here.
 */
#include "fs/locks.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/proc_resource.h"
#include <string.h>

#define OFFSET_MAX INT64_MAX
#define MAX_DEADLK_ITERATIONS 10

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct file_lock {
  struct list_head link;
  struct inode *inode;
  enum lock_kind kind;
  int type;              /* F_RDLCK or F_WRLCK (F_UNLCK in a request) */
  off_t start, end;      /* inclusive range */
  pid_t pid;             /* POSIX owner (and the pid F_GETLK reports) */
  struct file *file;     /* OFD / flock owner */
};

/* A POSIX owner asleep in F_SETLKW, and the owner of the lock in its way. */
struct lock_waiter {
  struct list_head link;
  pid_t owner, blocker;
};

static struct spinlock locks_lock = SPINLOCK_INIT("locks");
static LIST_HEAD(all_locks);
static LIST_HEAD(blocked);
static struct wait_queue locks_wq = WAIT_QUEUE_INIT(locks_wq);

struct user_flock {
  int16_t l_type, l_whence;
  int32_t pad;
  int64_t l_start, l_len;
  int32_t l_pid, pad2;
};

static bool same_owner(const struct file_lock *a, const struct file_lock *b)
{
  if (a->kind != b->kind)
    return false;
  return a->kind == LK_POSIX ? a->pid == b->pid : a->file == b->file;
}

static bool conflicts(const struct file_lock *held, const struct file_lock *want)
{
  if (held->inode != want->inode || same_owner(held, want))
    return false;
  if ((held->kind == LK_FLOCK) != (want->kind == LK_FLOCK))
    return false; /* flock and record locks do not see each other */
  if (held->type != F_WRLCK && want->type != F_WRLCK)
    return false;
  return held->start <= want->end && want->start <= held->end;
}

/* The first lock in the way of `want` (locks_lock held). */
static struct file_lock *find_conflict(const struct file_lock *want)
{
  struct file_lock *l;
  list_for_each_entry(l, &all_locks, link)
    if (conflicts(l, want))
      return l;
  return NULL;
}

/* Would waiting for `blocker` close a circle of POSIX waiters? (locks_lock held) */
static bool posix_deadlock(const struct file_lock *want, const struct file_lock *blocker)
{
  if (want->kind != LK_POSIX || blocker->kind != LK_POSIX)
    return false;
  pid_t owner = blocker->pid;
  for (int i = 0; i < MAX_DEADLK_ITERATIONS; i++) {
    if (owner == want->pid)
      return true;
    struct lock_waiter *w, *found = NULL;
    list_for_each_entry(w, &blocked, link)
      if (w->owner == owner) {
        found = w;
        break;
      }
    if (!found)
      return false;
    owner = found->blocker;
  }
  return false;
}

/* Does the owner of `want` hold a lock of its kind on [start,end] ... ? */
static bool ranges_touch(const struct file_lock *a, off_t start, off_t end)
{
  /* a ends right before start, or starts right after end */
  if (a->end < start && !(a->end != OFFSET_MAX && a->end + 1 == start))
    return false;
  if (a->start > end && !(end != OFFSET_MAX && end + 1 == a->start))
    return false;
  return true;
}

/*
 * Apply a request of one owner to its own locks (locks_lock held): cut
 * other types out of the range, merge with touching locks of the same
 * type, add the result. `spare` and `newl` are preallocated (set to NULL
 * when used).
 */
static void apply_lock(struct file_lock *want, struct file_lock **newl, struct file_lock **spare)
{
  off_t start = want->start, end = want->end;
  struct file_lock *l, *n;
  list_for_each_entry_safe(l, n, &all_locks, link) {
    if (l->inode != want->inode || !same_owner(l, want))
      continue;
    if (want->type != F_UNLCK && l->type == want->type) {
      if (!ranges_touch(l, start, end))
        continue;
      if (l->start < start)
        start = l->start;
      if (l->end > end)
        end = l->end;
      list_del(&l->link);
      kfree(l);
      continue;
    }
    if (l->end < want->start || l->start > want->end)
      continue;
    if (l->start < want->start && l->end > want->end && *spare) {
      struct file_lock *right = *spare;
      *spare = NULL;
      *right = *l;
      right->start = want->end + 1;
      list_add(&right->link, &l->link);
      l->end = want->start - 1;
    } else if (l->start < want->start) {
      l->end = want->start - 1;
    } else if (l->end > want->end) {
      l->start = want->end + 1;
    } else {
      list_del(&l->link);
      kfree(l);
    }
  }
  if (want->type != F_UNLCK) {
    **newl = *want;
    (*newl)->start = start;
    (*newl)->end = end;
    /* keep the list in order of start, as Linux keeps an owner's locks:
     * F_GETLK reports the lowest conflicting lock */
    struct list_head *at = &all_locks;
    list_for_each_entry(l, &all_locks, link)
      if (l->start > start) {
        at = &l->link;
        break;
      }
    list_add_tail(&(*newl)->link, at);
    *newl = NULL;
  }
}

/* flock: drop the file's lock of another type first (not atomic, as Linux). */
static void flock_drop_other(struct file_lock *want)
{
  struct file_lock *l, *n;
  list_for_each_entry_safe(l, n, &all_locks, link)
    if (l->kind == LK_FLOCK && l->file == want->file && l->type != want->type) {
      list_del(&l->link);
      kfree(l);
    }
}

static bool flock_held(const struct file_lock *want)
{
  struct file_lock *l;
  list_for_each_entry(l, &all_locks, link)
    if (l->kind == LK_FLOCK && l->file == want->file && l->type == want->type)
      return true;
  return false;
}

/* Take (or change, or drop) a lock, waiting if asked. 0 or -errno. */
static long set_lock(struct file_lock *want, bool wait)
{
  struct file_lock *newl = kmalloc(sizeof(*newl)), *spare = kmalloc(sizeof(*spare));
  if (!newl || !spare) {
    kfree(newl);
    kfree(spare);
    return -ENOLCK;
  }
  struct lock_waiter me = { .owner = want->pid };
  bool queued = false, changed = false;
  long r = 0;
  spin_lock(&locks_lock);
  if (want->kind == LK_FLOCK) {
    if (want->type != F_UNLCK && flock_held(want))
      goto out;
    size_t before = 0;
    struct file_lock *l;
    list_for_each_entry(l, &all_locks, link)
      before++;
    flock_drop_other(want);
    list_for_each_entry(l, &all_locks, link)
      before--;
    changed = before != 0;
  }
  for (;;) {
    struct file_lock *c = want->type == F_UNLCK ? NULL : find_conflict(want);
    if (!c)
      break;
    if (!wait) {
      r = want->kind == LK_FLOCK ? -EWOULDBLOCK : -EAGAIN;
      goto out;
    }
    if (posix_deadlock(want, c)) {
      r = -EDEADLK;
      goto out;
    }
    me.blocker = c->kind == LK_POSIX ? c->pid : 0;
    if (want->kind == LK_POSIX && !queued) {
      list_add_tail(&me.link, &blocked);
      queued = true;
    }
    spin_unlock(&locks_lock);
    if (changed)
      wake_up(&locks_wq);
    changed = false;
    struct file_lock probe = *want;
    r = wait_event(&locks_wq, ({
                     spin_lock(&locks_lock);
                     bool free_now = find_conflict(&probe) == NULL;
                     spin_unlock(&locks_lock);
                     free_now;
                   }),
                   WAIT_FOREVER);
    spin_lock(&locks_lock);
    if (r)
      goto out; /* -ERESTARTSYS: restarted with SA_RESTART, else EINTR */
  }
  apply_lock(want, &newl, &spare);
  changed = true;
out:
  if (queued)
    list_del(&me.link);
  spin_unlock(&locks_lock);
  kfree(newl);
  kfree(spare);
  if (changed)
    wake_up(&locks_wq);
  return r;
}

/* struct flock -> the range it names (Linux's flock_to_posix_lock). */
static long flock_to_range(struct file *f, const struct user_flock *uf, struct file_lock *fl)
{
  off_t base;
  switch (uf->l_whence) {
  case SEEK_SET: base = 0; break;
  case SEEK_CUR: base = f->pos; break;
  case SEEK_END: base = f->inode->size; break;
  default: return -EINVAL;
  }
  if (uf->l_start > OFFSET_MAX - base)
    return -EOVERFLOW;
  int64_t start = base + uf->l_start;
  if (start < 0)
    return -EINVAL;
  int64_t end;
  if (uf->l_len > 0) {
    if (uf->l_len - 1 > OFFSET_MAX - start)
      return -EOVERFLOW;
    end = start + uf->l_len - 1;
  } else if (uf->l_len < 0) {
    if (start + uf->l_len < 0)
      return -EINVAL;
    end = start - 1;
    start += uf->l_len;
  } else {
    end = OFFSET_MAX;
  }
  fl->start = start;
  fl->end = end;
  return 0;
}

long fcntl_lock(struct file *f, int cmd, uint64_t arg)
{
  struct user_flock uf;
  if (copyin(&uf, arg, sizeof(uf)))
    return -EFAULT;
  if (!f->inode)
    return -EBADF;
  bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
  bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
  if (ofd && uf.l_pid != 0)
    return -EINVAL;
  if (uf.l_type != F_RDLCK && uf.l_type != F_WRLCK && uf.l_type != F_UNLCK)
    return -EINVAL;
  if (get && uf.l_type == F_UNLCK)
    return -EINVAL;
  struct file_lock want = { .inode = f->inode, .kind = ofd ? LK_OFD : LK_POSIX,
                            .type = uf.l_type, .pid = current->proc->pid, .file = f };
  long r = flock_to_range(f, &uf, &want);
  if (r)
    return r;
  if (get) {
    spin_lock(&locks_lock);
    struct file_lock *c = find_conflict(&want);
    if (c) {
      uf.l_type = (int16_t)c->type;
      uf.l_whence = SEEK_SET;
      uf.l_start = c->start;
      uf.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
      uf.l_pid = c->kind == LK_POSIX ? c->pid : -1;
    } else {
      uf.l_type = F_UNLCK;
    }
    spin_unlock(&locks_lock);
    if (uf.l_type != F_UNLCK && uf.l_pid > 0)
      uf.l_pid = pid_vnr_stored(uf.l_pid); /* the owner as the caller's pid namespace numbers it */
    return copyout(arg, &uf, sizeof(uf)) ? -EFAULT : 0;
  }
  if (uf.l_type == F_RDLCK && !file_readable(f))
    return -EBADF;
  if (uf.l_type == F_WRLCK && !file_writable(f))
    return -EBADF;
  return set_lock(&want, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define LOCK_MAND 32

long sys_flock(int fd, int op)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  int kind = op & ~LOCK_NB;
  long r;
  if (op & LOCK_MAND) {
    r = -EOPNOTSUPP;
  } else if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN) {
    r = -EINVAL;
  } else {
    struct file_lock want = { .inode = f->inode, .kind = LK_FLOCK, .start = 0, .end = OFFSET_MAX,
                              .type = kind == LOCK_SH ? F_RDLCK : kind == LOCK_EX ? F_WRLCK : F_UNLCK,
                              .pid = current->proc->pid, .file = f };
    r = f->inode ? set_lock(&want, !(op & LOCK_NB)) : -EBADF;
  }
  fput(f);
  return r;
}

static void remove_matching(bool (*match)(struct file_lock *, void *), void *arg)
{
  bool any = false;
  spin_lock(&locks_lock);
  struct file_lock *l, *n;
  list_for_each_entry_safe(l, n, &all_locks, link) {
    if (match(l, arg)) {
      list_del(&l->link);
      kfree(l);
      any = true;
    }
  }
  spin_unlock(&locks_lock);
  if (any)
    wake_up(&locks_wq);
}

struct posix_key {
  struct inode *ino;
  pid_t pid;
};

static bool match_posix(struct file_lock *l, void *arg)
{
  struct posix_key *k = arg;
  return l->kind == LK_POSIX && l->pid == k->pid && (!k->ino || l->inode == k->ino);
}

static bool match_file(struct file_lock *l, void *arg)
{
  return l->kind != LK_POSIX && l->file == arg;
}

/* close(): a process's POSIX locks on the file go away. */
void locks_remove_posix(struct inode *ino, pid_t pid)
{
  struct posix_key k = { ino, pid };
  if (!list_empty(&all_locks))
    remove_matching(match_posix, &k);
}

/* exit: all POSIX locks of the process. */
void locks_remove_process(pid_t pid)
{
  locks_remove_posix(NULL, pid);
}

static void locks_exit_process(struct process *p)
{
  locks_remove_process(p->pid);
}

/* A process's POSIX locks go when its last thread exits (kern/proc_resource.h). */
static const struct proc_resource locks_proc_resource = {
  .name = "posix-locks",
  .exit_process = locks_exit_process,
};

void locks_init(void)
{
  proc_resource_register(PROC_RES_LOCKS, &locks_proc_resource);
}

/* last close of an open file: its OFD and flock locks. */
void locks_remove_file(struct file *f)
{
  if (!list_empty(&all_locks))
    remove_matching(match_file, f);
}
