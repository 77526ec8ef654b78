/*
 * locks.c — advisory file locks.
 *
 * Three owners share one table: POSIX record locks (fcntl F_SETLK, owned
 * by a process, released when it closes any descriptor of the file or
 * exits), open-file-description locks (F_OFD_SETLK, owned by the struct
 * file) and flock() locks (whole file, owned by the struct file, in their
 * own name space as on Linux). A conflict is an overlap with another
 * owner where either lock is a write lock. Waiters (F_SETLKW, flock
 * without LOCK_NB) sleep on one wait queue and re-check on every unlock.
 */
#include "fs/locks.h"
#include "fs/vfs.h"
#include "fs/fdtable.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include <string.h>

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define OFFSET_MAX INT64_MAX

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct file_lock {
  struct list_head link;
  struct inode *inode;
  enum lock_kind kind;
  int type;              /* F_RDLCK or F_WRLCK */
  off_t start, end;      /* inclusive range */
  pid_t pid;             /* POSIX owner (and reported pid) */
  struct file *file;     /* OFD / flock owner */
};

static struct spinlock locks_lock = SPINLOCK_INIT("locks");
static LIST_HEAD(all_locks);
static struct wait_queue locks_wq = WAIT_QUEUE_INIT(locks_wq);

struct user_flock {
  int16_t l_type, l_whence;
  int32_t pad;
  int64_t l_start, l_len;
  int32_t l_pid, pad2;
};

static bool same_owner(const struct file_lock *a, const struct file_lock *b)
{
  if (a->kind == LK_POSIX && b->kind == LK_POSIX)
    return a->pid == b->pid;
  if (a->kind != LK_POSIX && b->kind != LK_POSIX)
    return a->file == b->file;
  return false;
}

static bool conflicts(const struct file_lock *a, const struct file_lock *b)
{
  if (a->inode != b->inode || same_owner(a, b))
    return false;
  if ((a->kind == LK_FLOCK) != (b->kind == LK_FLOCK))
    return false; /* flock and fcntl locks do not see each other */
  if (a->type != F_WRLCK && b->type != F_WRLCK)
    return false;
  return a->start <= b->end && b->start <= a->end;
}

/* First lock conflicting with `want` (locks_lock held). */
static struct file_lock *find_conflict(const struct file_lock *want)
{
  struct file_lock *l;
  list_for_each_entry(l, &all_locks, link)
    if (conflicts(l, want))
      return l;
  return NULL;
}

static bool no_conflict(const struct file_lock *want)
{
  spin_lock(&locks_lock);
  bool ok = find_conflict(want) == NULL;
  spin_unlock(&locks_lock);
  return ok;
}

/*
 * Remove the owner's locks in [start, end], splitting any that stick out.
 * `spare` is a preallocated lock used for a split (set to NULL if used).
 */
static void cut_range(const struct file_lock *owner, off_t start, off_t end,
                      struct file_lock **spare)
{
  struct file_lock *l, *n;
  list_for_each_entry_safe(l, n, &all_locks, link) {
    if (l->inode != owner->inode || l->kind != owner->kind || !same_owner(l, owner))
      continue;
    if (l->end < start || l->start > end)
      continue;
    if (l->start < start && l->end > end && *spare) {
      struct file_lock *right = *spare;
      *spare = NULL;
      *right = *l;
      right->start = end + 1;
      list_add(&right->link, &l->link);
      l->end = start - 1;
    } else if (l->start < start) {
      l->end = start - 1;
    } else if (l->end > end) {
      l->start = end + 1;
    } else {
      list_del(&l->link);
      kfree(l);
    }
  }
}

static long set_lock(struct file_lock *want, bool wait)
{
  struct file_lock *newl = kmalloc(sizeof(*newl)), *spare = kmalloc(sizeof(*spare));
  if (!newl || !spare) {
    kfree(newl);
    kfree(spare);
    return -ENOLCK;
  }
  long r = 0;
  for (;;) {
    spin_lock(&locks_lock);
    if (want->type == F_UNLCK || !find_conflict(want))
      break;
    spin_unlock(&locks_lock);
    if (!wait) {
      kfree(newl);
      kfree(spare);
      return want->kind == LK_FLOCK ? -EWOULDBLOCK : -EAGAIN;
    }
    r = wait_event(&locks_wq, no_conflict(want), WAIT_FOREVER);
    if (r) {
      kfree(newl);
      kfree(spare);
      return r == -ERESTARTSYS ? -EINTR : r;
    }
  }
  cut_range(want, want->start, want->end, &spare);
  if (want->type != F_UNLCK) {
    *newl = *want;
    list_add_tail(&newl->link, &all_locks);
    newl = NULL;
  }
  spin_unlock(&locks_lock);
  kfree(newl);
  kfree(spare);
  wake_up(&locks_wq);
  return 0;
}

long fcntl_lock(struct file *f, int cmd, uint64_t arg)
{
  struct user_flock uf;
  if (copyin(&uf, arg, sizeof(uf)))
    return -EFAULT;
  if (!f->inode)
    return -EBADF;
  bool ofd = cmd >= F_OFD_GETLK;
  if (ofd && uf.l_pid != 0)
    return -EINVAL;
  off_t base;
  switch (uf.l_whence) {
  case SEEK_SET: base = 0; break;
  case SEEK_CUR: base = f->pos; break;
  case SEEK_END: base = f->inode->size; break;
  default: return -EINVAL;
  }
  struct file_lock want = { .inode = f->inode, .kind = ofd ? LK_OFD : LK_POSIX,
                            .type = uf.l_type, .pid = current->proc->pid, .file = f };
  int64_t start = base + uf.l_start;
  int64_t end;
  if (uf.l_len > 0) {
    end = start + uf.l_len - 1;
  } else if (uf.l_len < 0) {
    end = start - 1;
    start += uf.l_len;
  } else {
    end = OFFSET_MAX;
  }
  if (start < 0)
    return -EINVAL;
  want.start = start;
  want.end = end;
  if (uf.l_type != F_RDLCK && uf.l_type != F_WRLCK && uf.l_type != F_UNLCK)
    return -EINVAL;
  if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
    if (uf.l_type == F_UNLCK)
      return -EINVAL;
    spin_lock(&locks_lock);
    struct file_lock *c = find_conflict(&want);
    if (c) {
      uf.l_type = c->type;
      uf.l_whence = SEEK_SET;
      uf.l_start = c->start;
      uf.l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
      uf.l_pid = c->kind == LK_POSIX ? c->pid : -1;
    } else {
      uf.l_type = F_UNLCK;
    }
    spin_unlock(&locks_lock);
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

long sys_flock(int fd, int op)
{
  struct file *f = fd_get(fd);
  if (!f)
    return -EBADF;
  int kind = op & ~LOCK_NB;
  long r;
  if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN) {
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

/* last close of an open file: its OFD and flock locks. */
void locks_remove_file(struct file *f)
{
  if (!list_empty(&all_locks))
    remove_matching(match_file, f);
}
