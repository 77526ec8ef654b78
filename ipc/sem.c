/*
 * sem.c — System V semaphores: semget, semop, semtimedop, semctl, the
 * SEM_UNDO adjustments applied at exit, and /proc/sysvipc/sem (Linux's
 * ipc/sem.c, without its fine-grained locking).
 *
 * A semop is all or nothing: the operations are tried in order on the
 * values (each sees the ones before it) and undone if one would block or
 * fail. A caller that must wait sleeps on the set's wait queue and tries
 * again whenever the set changes (`gen` counts changes); its blocking
 * operation is recorded so GETNCNT and GETZCNT can count the waiters.
 * A sleeper pins the set (`refs`): a set removed under it is freed by the
 * last one to leave, which returns EIDRM.
 *
 * SEM_UNDO: a process keeps one `sem_undo` per set it used with the flag
 * in its undo list (process->sem_undo_list), made at the first SEM_UNDO
 * or clone(CLONE_SYSVSEM). CLONE_SYSVSEM shares the list with the new
 * process, as Linux's copy_semundo: the adjustments are the sharers'
 * together, applied when the last of them exits. SETVAL and SETALL
 * clear the adjustments of the values they set.
 *
 * Layer: ipc, over ipc/util.c and kern/; called by the sem* system calls
 * and, at clone and exit, through the proc_resource hooks sem_init
 * registers.
 *
 * Locks: the namespace's sem_ids.lock protects its sets, their undo
 * lists and every undo list of the namespace (its count and records). A
 * process's pointer to its list changes under undo_lock, a leaf spinlock,
 * which also makes reading the pointer and the list's namespace one step
 * (another thread may drop the list meanwhile: unshare(CLONE_SYSVSEM)).
 * A list is freed only under its namespace's sem_ids.lock, so a list
 * found under both stays while that mutex is held. An undo list belongs
 * to one namespace (it holds it): unshare and setns of an IPC namespace
 * drop the caller's list first, and clone(CLONE_NEWIPC | CLONE_SYSVSEM)
 * is EINVAL, as on Linux.
 */
#include "ipc/ipc.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/time.h"
#include "kern/errno.h"
#include "kern/proc_resource.h"
#include "kern/clone.h"
#include <string.h>

struct sem {
  int semval;
  pid_t sempid;
};

struct sem_waiter {
  struct list_head link;        /* in sma->waiters */
  int semnum;                   /* the operation that blocked: its semaphore */
  bool zero;                    /* ... and whether it waits for zero */
};

struct sem_array {
  struct ipc_perm_k perm;
  int64_t otime, ctime;
  int nsems;
  uint64_t gen;                 /* bumped on every change (sleepers re-try) */
  int refs;                     /* sleepers holding a pointer across the unlock */
  struct wait_queue wq;
  struct list_head waiters;     /* struct sem_waiter */
  struct list_head undos;       /* struct sem_undo of every process */
  struct ipc_namespace *ns;     /* the namespace it is in */
  struct sem sems[];
};

/* The undo list of the processes that share it (CLONE_SYSVSEM). */
struct sem_undo_list {
  int refcount;                 /* processes pointing at it */
  struct list_head undos;       /* struct sem_undo, by proc_link */
  struct ipc_namespace *ns;     /* referenced: the sets' namespace */
};

struct sem_undo {
  struct list_head set_link;    /* in sma->undos */
  struct list_head proc_link;   /* in sem_undo_list->undos */
  struct sem_array *sma;
  int16_t semadj[];
};

struct sembuf_u {
  uint16_t sem_num;
  int16_t sem_op;
  int16_t sem_flg;
};

struct semid64_ds_u {
  struct ipc64_perm_u sem_perm;
  int64_t sem_otime, sem_ctime;
  uint64_t sem_nsems, unused3, unused4;
};

struct seminfo_u {
  int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

static const struct proc_resource sem_proc_resource;

void sem_init(void)
{
  proc_resource_register(PROC_RES_SEM, &sem_proc_resource);
}

static void sem_changed(struct sem_array *sma)
{
  sma->gen++;
  wake_up(&sma->wq);
}

static void undo_free(struct sem_undo *un)
{
  list_del(&un->set_link);
  list_del(&un->proc_link);
  kfree(un);
}

/* Remove a set (the namespace's sem_ids.lock held): sleepers wake with EIDRM. */
static void sem_rmid(struct sem_array *sma)
{
  ipc_remove(&sma->ns->sem_ids, &sma->perm);
  sma->ns->used_sems -= sma->nsems;
  while (!list_empty(&sma->undos))
    undo_free(list_first_entry(&sma->undos, struct sem_undo, set_link));
  sem_changed(sma);
  if (sma->refs == 0)
    kfree(sma);
}

/* ---- semget ---- */

static int sem_check(struct ipc_perm_k *p, uint64_t nsems)
{
  return (int)nsems > ((struct sem_array *)p)->nsems ? -EINVAL : 0;
}

static int sem_create(int32_t key, int flags, uint64_t n)
{
  int nsems = (int)n;
  struct ipc_namespace *ns = current_ipc();
  if (nsems == 0)
    return -EINVAL;
  if (ns->used_sems + nsems > ns->limits.sem_ctls[1])
    return -ENOSPC;
  struct sem_array *sma = kzalloc(sizeof(*sma) + (size_t)nsems * sizeof(struct sem));
  if (!sma)
    return -ENOMEM;
  sma->perm.key = key;
  sma->perm.mode = flags & 0777;
  sma->nsems = nsems;
  sma->ctime = ipc_now();
  wait_queue_init(&sma->wq);
  list_init(&sma->waiters);
  list_init(&sma->undos);
  sma->ns = ns;
  int r = ipc_add(&ns->sem_ids, &sma->perm, ns->limits.sem_ctls[3]);
  if (r) {
    kfree(sma);
    return r;
  }
  ns->used_sems += nsems;
  return sma->perm.id;
}

long sys_semget(int32_t key, int nsems, int flags)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->sem_ids;
  static const struct ipc_get_ops ops = { sem_check, sem_create };
  if (nsems < 0 || nsems > ns->limits.sem_ctls[0])
    return -EINVAL;
  mutex_lock(&ids->lock);
  long r = ipc_get(ids, key, flags, (uint64_t)nsems, &ops);
  mutex_unlock(&ids->lock);
  return r;
}

/* ---- semop ---- */

/* Guards every process's sem_undo_list pointer (see "Locks" above). A
 * leaf: nothing is taken under it. */
static struct spinlock undo_lock = SPINLOCK_INIT("sem undo ptr");

/* The namespace whose sem_ids.lock guards p's undo list, referenced: the
 * list's, or current's when p has none yet (p is current's process).
 * The list may change before the caller has that lock: get_undo_list
 * says so. Takes undo_lock. */
static struct ipc_namespace *undo_ns_get(struct process *p)
{
  spin_lock(&undo_lock);
  struct sem_undo_list *ul = p->sem_undo_list;
  struct ipc_namespace *ns = ul ? ul->ns : current_ipc();
  ipc_ns_get(ns);
  spin_unlock(&undo_lock);
  return ns;
}

/*
 * p's undo list in namespace ns, made if p has none; NULL when p's list
 * is another namespace's (another thread left ns meanwhile) or out of
 * memory. ns->sem_ids.lock held (and ns is current's when p may have no
 * list): the list returned stays while it is.
 */
static struct sem_undo_list *get_undo_list(struct process *p, struct ipc_namespace *ns)
{
  /* ul->ns is read under undo_lock: once p stops pointing at a list of
   * another namespace (a sibling's unshare or setns), it can be freed. */
  spin_lock(&undo_lock);
  struct sem_undo_list *ul = p->sem_undo_list;
  bool ours = ul && ul->ns == ns;
  spin_unlock(&undo_lock);
  if (ul)
    return ours ? ul : NULL; /* (a list of ns stays while ns's lock is held) */
  struct sem_undo_list *n = kzalloc(sizeof(*n));
  if (!n)
    return NULL;
  n->refcount = 1;
  list_init(&n->undos);
  n->ns = ns;
  spin_lock(&undo_lock);
  if (!(ul = p->sem_undo_list))
    WRITE_ONCE(p->sem_undo_list, ul = n); /* (kcmp reads it without the lock) */
  ours = ul->ns == ns;
  spin_unlock(&undo_lock);
  if (ul != n) { /* another thread made one first (in ns or elsewhere) */
    kfree(n);
    return ours ? ul : NULL;
  }
  ipc_ns_get(ns);
  return n;
}

/* The caller's undo record for sma, made if missing (the namespace's sem_ids.lock held). */
static struct sem_undo *find_alloc_undo(struct sem_array *sma)
{
  struct sem_undo_list *ul = get_undo_list(current->proc, sma->ns);
  if (!ul)
    return NULL; /* out of memory, or another thread left the namespace and made a list there */
  struct sem_undo *un;
  list_for_each_entry(un, &ul->undos, proc_link)
    if (un->sma == sma)
      return un;
  un = kzalloc(sizeof(*un) + (size_t)sma->nsems * sizeof(int16_t));
  if (!un)
    return NULL;
  un->sma = sma;
  list_add_tail(&un->set_link, &sma->undos);
  list_add_tail(&un->proc_link, &ul->undos);
  return un;
}

/*
 * Try the operations in order. 0: done (values changed, undo updated);
 * 1: must wait (*blocked = index of the operation); or -ERANGE.
 */
static int try_semop(struct sem_array *sma, const struct sembuf_u *sops, int nsops,
                     struct sem_undo *un, int *blocked)
{
  int i, r = 0;
  for (i = 0; i < nsops; i++) {
    const struct sembuf_u *op = &sops[i];
    struct sem *s = &sma->sems[op->sem_num];
    int result = s->semval + op->sem_op;
    if ((op->sem_op == 0 && s->semval != 0) || result < 0) {
      *blocked = i;
      r = 1;
      break;
    }
    if (result > SEMVMX) {
      r = -ERANGE;
      break;
    }
    if (op->sem_flg & SEM_UNDO) {
      int undo = un->semadj[op->sem_num] - op->sem_op;
      if (undo < -SEMAEM - 1 || undo > SEMAEM) {
        r = -ERANGE;
        break;
      }
    }
    s->semval = result;
  }
  if (r) {
    while (--i >= 0)
      sma->sems[sops[i].sem_num].semval -= sops[i].sem_op;
    return r;
  }
  for (i = 0; i < nsops; i++) {
    if (sops[i].sem_flg & SEM_UNDO)
      un->semadj[sops[i].sem_num] -= sops[i].sem_op;
    sma->sems[sops[i].sem_num].sempid = current->proc->pid;
  }
  return 0;
}

static long do_semtimedop(int semid, uaddr_t usops, size_t nsops, uint64_t timeout)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->sem_ids;
  if (nsops < 1 || semid < 0)
    return -EINVAL;
  if (nsops > (size_t)ns->limits.sem_ctls[2])
    return -E2BIG;
  struct sembuf_u fast[16], *sops = fast;
  if (nsops > 16 && !(sops = kmalloc(nsops * sizeof(*sops))))
    return -ENOMEM;
  long r = copyin(sops, usops, nsops * sizeof(*sops)) ? -EFAULT : 0;
  bool undo = false, alter = false;
  int max = 0;
  for (size_t i = 0; i < nsops && !r; i++) {
    if (sops[i].sem_num > max)
      max = sops[i].sem_num;
    undo |= (sops[i].sem_flg & SEM_UNDO) != 0;
    alter |= sops[i].sem_op != 0;
  }
  bool nowait = false;
  for (size_t i = 0; i < nsops; i++)
    nowait |= (sops[i].sem_flg & IPC_NOWAIT) != 0;
  if (r)
    goto out;

  mutex_lock(&ids->lock);
  struct sem_array *sma = (struct sem_array *)ipc_find_id(ids, semid);
  if (!sma)
    r = -EINVAL;
  else if (max >= sma->nsems)
    r = -EFBIG;
  else if (ipcperms(&sma->perm, alter ? 0222 : 0444))
    r = -EACCES;
  struct sem_undo *un = NULL;
  if (!r && undo && !(un = find_alloc_undo(sma)))
    r = -ENOMEM;
  struct wait_timeout_state { uint64_t deadline; } ts = { 0 };
  if (timeout != WAIT_FOREVER && timeout)
    ts.deadline = time_monotonic_ns() + timeout;
  while (!r) {
    int blocked = 0;
    r = try_semop(sma, sops, (int)nsops, un, &blocked);
    if (r <= 0) {
      if (r == 0) {
        sma->otime = ipc_now();
        if (alter)
          sem_changed(sma);
      }
      break;
    }
    /* must wait */
    uint64_t left = timeout;
    if (ts.deadline) {
      uint64_t now = time_monotonic_ns();
      left = now >= ts.deadline ? 0 : ts.deadline - now;
    }
    if (nowait || left == 0) {
      r = -EAGAIN;
      break;
    }
    struct sem_waiter w = { .semnum = sops[blocked].sem_num, .zero = sops[blocked].sem_op == 0 };
    list_add_tail(&w.link, &sma->waiters);
    sma->refs++;
    uint64_t gen = sma->gen;
    mutex_unlock(&ids->lock);
    long wr = wait_event(&sma->wq, READ_ONCE(sma->gen) != gen, left);
    mutex_lock(&ids->lock);
    list_del(&w.link);
    sma->refs--;
    if (sma->perm.deleted) {
      if (sma->refs == 0)
        kfree(sma);
      r = -EIDRM;
      break;
    }
    if (wr == -ERESTARTSYS)
      r = -EINTR;
    else if (wr == -ETIMEDOUT)
      r = -EAGAIN;
    else
      r = 0; /* something changed: try again */
    if (undo && !r && !(un = find_alloc_undo(sma)))
      r = -ENOMEM;
  }
  mutex_unlock(&ids->lock);
out:
  if (sops != fast)
    kfree(sops);
  return r;
}

long sys_semop(int semid, uaddr_t sops, size_t nsops)
{
  return do_semtimedop(semid, sops, nsops, WAIT_FOREVER);
}

long sys_semtimedop(int semid, uaddr_t sops, size_t nsops, uaddr_t utimeout)
{
  uint64_t timeout = WAIT_FOREVER;
  if (utimeout) {
    struct timespec64 ts;
    if (copyin(&ts, utimeout, sizeof(ts)))
      return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
      return -EINVAL;
    timeout = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
  }
  return do_semtimedop(semid, sops, nsops, timeout);
}

/* ---- exit: apply SEM_UNDO adjustments ---- */

/*
 * Called at the last thread's exit, and by unshare(CLONE_SYSVSEM) or a
 * setns into another IPC namespace while other threads may run: two
 * threads may call it at once, so p's pointer is taken and cleared in one
 * step under undo_lock — only one caller gets it, and with it p's
 * reference on the list (which keeps ul and ul->ns alive until the count
 * below).
 */
void exit_sem(struct process *p)
{
  spin_lock(&undo_lock);
  struct sem_undo_list *ul = p->sem_undo_list;
  WRITE_ONCE(p->sem_undo_list, NULL);
  spin_unlock(&undo_lock);
  if (!ul)
    return;
  struct ipc_namespace *ns = ul->ns;
  mutex_lock(&ns->sem_ids.lock);
  if (--ul->refcount > 0) {
    mutex_unlock(&ns->sem_ids.lock); /* another process still shares it */
    return;
  }
  while (!list_empty(&ul->undos)) {
    struct sem_undo *un = list_first_entry(&ul->undos, struct sem_undo, proc_link);
    struct sem_array *sma = un->sma;
    bool changed = false;
    for (int i = 0; i < sma->nsems; i++) {
      if (!un->semadj[i])
        continue;
      int v = sma->sems[i].semval + un->semadj[i];
      sma->sems[i].semval = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
      sma->sems[i].sempid = p->pid;
      changed = true;
    }
    undo_free(un);
    if (changed)
      sem_changed(sma);
  }
  mutex_unlock(&ns->sem_ids.lock);
  kfree(ul);
  ipc_ns_put(ns);
}

/*
 * clone: CLONE_SYSVSEM gives a new process the caller's undo list (made
 * now if it had none, as Linux's copy_semundo); without it the child
 * starts with none. A thread shares its process's. The list's namespace
 * is read under undo_lock and held by a reference until its sem_ids.lock
 * is ours; if another thread dropped the list meanwhile (unshare or setns)
 * and made one elsewhere, look again. No lock held.
 */
static int sem_fork(struct task *t, struct process *p, uint64_t flags, const struct clone_extras *x)
{
  (void)t, (void)x;
  if (!(flags & CLONE_SYSVSEM))
    return 0;
  for (;;) {
    struct ipc_namespace *ns = undo_ns_get(current->proc);
    mutex_lock(&ns->sem_ids.lock);
    struct sem_undo_list *ul = get_undo_list(current->proc, ns);
    bool moved = !ul && READ_ONCE(current->proc->sem_undo_list) != NULL;
    if (ul && p != current->proc) {
      ul->refcount++;
      p->sem_undo_list = ul; /* (p is not visible yet) */
    }
    mutex_unlock(&ns->sem_ids.lock);
    ipc_ns_put(ns);
    if (!moved)
      return ul ? 0 : -ENOMEM;
  }
}

/* SEM_UNDO adjustments are shared at clone and applied when the last
 * sharer exits (kern/proc_resource.h). */
static const struct proc_resource sem_proc_resource = {
  .name = "sem-undo",
  .fork = sem_fork,
  .exit_process = exit_sem,
};

/* ---- semctl ---- */

static int count_waiters(struct sem_array *sma, int semnum, bool zero)
{
  int n = 0;
  struct sem_waiter *w;
  list_for_each_entry(w, &sma->waiters, link)
    if (w->semnum == semnum && w->zero == zero)
      n++;
  return n;
}

static long sem_info(int cmd, uaddr_t arg)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->sem_ids;
  struct seminfo_u si = {
    .semmni = ns->limits.sem_ctls[3], .semmns = ns->limits.sem_ctls[1],
    .semmsl = ns->limits.sem_ctls[0], .semopm = ns->limits.sem_ctls[2],
    .semvmx = SEMVMX, .semmnu = SEMMNS_DEFAULT, .semmap = SEMMNS_DEFAULT,
    .semume = SEMOPM_DEFAULT, .semusz = SEMUSZ, .semaem = SEMAEM,
  };
  mutex_lock(&ids->lock);
  if (cmd == SEM_INFO) {
    si.semusz = ids->in_use;
    si.semaem = ns->used_sems;
  }
  long max = ids->max_idx < 0 ? 0 : ids->max_idx;
  mutex_unlock(&ids->lock);
  return copyout(arg, &si, sizeof(si)) ? -EFAULT : max;
}

static long sem_stat(int semid, int cmd, uaddr_t arg)
{
  struct ipc_ids *ids = &current_ipc()->sem_ids;
  struct semid64_ds_u ds;
  memset(&ds, 0, sizeof(ds));
  mutex_lock(&ids->lock);
  struct sem_array *sma = (struct sem_array *)(cmd == IPC_STAT ? ipc_find_id(ids, semid)
                                                               : ipc_find_index(ids, semid));
  long r;
  if (!sma) {
    r = -EINVAL;
  } else if (cmd != SEM_STAT_ANY && ipcperms(&sma->perm, 0444)) {
    r = -EACCES;
  } else {
    ipc_fill_perm(&sma->perm, &ds.sem_perm);
    ds.sem_otime = sma->otime;
    ds.sem_ctime = sma->ctime;
    ds.sem_nsems = (uint64_t)sma->nsems;
    r = cmd == IPC_STAT ? 0 : sma->perm.id;
  }
  mutex_unlock(&ids->lock);
  if (r < 0)
    return r;
  return copyout(arg, &ds, sizeof(ds)) ? -EFAULT : r;
}

static long sem_setval(int semid, int semnum, int val)
{
  struct ipc_ids *ids = &current_ipc()->sem_ids;
  if (val > SEMVMX || val < 0)
    return -ERANGE;
  mutex_lock(&ids->lock);
  struct sem_array *sma = (struct sem_array *)ipc_find_id(ids, semid);
  long r = 0;
  if (!sma)
    r = -EINVAL;
  else if (semnum < 0 || semnum >= sma->nsems)
    r = -EINVAL;
  else if (ipcperms(&sma->perm, 0222))
    r = -EACCES;
  if (!r) {
    struct sem_undo *un;
    list_for_each_entry(un, &sma->undos, set_link)
      un->semadj[semnum] = 0;
    sma->sems[semnum].semval = val;
    sma->sems[semnum].sempid = current->proc->pid;
    sma->ctime = ipc_now();
    sem_changed(sma);
  }
  mutex_unlock(&ids->lock);
  return r;
}

/* GETALL, SETALL, GETVAL, GETPID, GETNCNT, GETZCNT. */
static long sem_main(int semid, int semnum, int cmd, uaddr_t arg)
{
  struct ipc_ids *ids = &current_ipc()->sem_ids;
  uint16_t *vals = NULL;
  int nsems = 0;
  if (cmd == SETALL || cmd == GETALL) {
    /* the size is known only under the lock: copy in/out around it */
    mutex_lock(&ids->lock);
    struct sem_array *sma = (struct sem_array *)ipc_find_id(ids, semid);
    nsems = sma ? sma->nsems : 0;
    mutex_unlock(&ids->lock);
    if (!sma)
      return -EINVAL;
    vals = kmalloc((size_t)nsems * sizeof(uint16_t));
    if (!vals)
      return -ENOMEM;
    if (cmd == SETALL && copyin(vals, arg, (size_t)nsems * sizeof(uint16_t))) {
      kfree(vals);
      return -EFAULT;
    }
  }
  mutex_lock(&ids->lock);
  struct sem_array *sma = (struct sem_array *)ipc_find_id(ids, semid);
  long r = 0;
  if (!sma || ((cmd == SETALL || cmd == GETALL) && sma->nsems != nsems)) {
    r = -EINVAL;
  } else if (ipcperms(&sma->perm, cmd == SETALL ? 0222 : 0444)) {
    r = -EACCES;
  } else if (cmd == GETALL) {
    for (int i = 0; i < nsems; i++)
      vals[i] = (uint16_t)sma->sems[i].semval;
  } else if (cmd == SETALL) {
    for (int i = 0; i < nsems && !r; i++)
      if (vals[i] > SEMVMX)
        r = -ERANGE;
    if (!r) {
      struct sem_undo *un;
      list_for_each_entry(un, &sma->undos, set_link)
        memset(un->semadj, 0, (size_t)nsems * sizeof(int16_t));
      for (int i = 0; i < nsems; i++) {
        sma->sems[i].semval = vals[i];
        sma->sems[i].sempid = current->proc->pid;
      }
      sma->ctime = ipc_now();
      sem_changed(sma);
    }
  } else if (semnum < 0 || semnum >= sma->nsems) {
    r = -EINVAL;
  } else if (cmd == GETVAL) {
    r = sma->sems[semnum].semval;
  } else if (cmd == GETPID) {
    r = pid_vnr_stored(sma->sems[semnum].sempid); /* in the caller's pid namespace */
  } else {
    r = count_waiters(sma, semnum, cmd == GETZCNT);
  }
  mutex_unlock(&ids->lock);
  if (r == 0 && cmd == GETALL && copyout(arg, vals, (size_t)nsems * sizeof(uint16_t)))
    r = -EFAULT;
  kfree(vals);
  return r;
}

static long sem_set_rmid(int semid, int cmd, uaddr_t arg)
{
  struct ipc_ids *ids = &current_ipc()->sem_ids;
  struct semid64_ds_u ds;
  if (cmd == IPC_SET && copyin(&ds, arg, sizeof(ds)))
    return -EFAULT;
  mutex_lock(&ids->lock);
  struct sem_array *sma = (struct sem_array *)ipc_find_id(ids, semid);
  long r = !sma ? -EINVAL : ipc_owner_check(&sma->perm);
  if (!r && cmd == IPC_SET) {
    ipc_set_perm(&sma->perm, &ds.sem_perm);
    sma->ctime = ipc_now();
  } else if (!r) {
    sem_rmid(sma);
  }
  mutex_unlock(&ids->lock);
  return r;
}

long sys_semctl(int semid, int semnum, int cmd, uint64_t arg)
{
  cmd = ipc_strip_version(cmd);
  if (semid < 0)
    return -EINVAL;
  switch (cmd) {
  case IPC_INFO:
  case SEM_INFO:
    return sem_info(cmd, arg);
  case IPC_STAT:
  case SEM_STAT:
  case SEM_STAT_ANY:
    return sem_stat(semid, cmd, arg);
  case GETALL:
  case GETVAL:
  case GETPID:
  case GETNCNT:
  case GETZCNT:
  case SETALL:
    return sem_main(semid, semnum, cmd, arg);
  case SETVAL:
    return sem_setval(semid, semnum, (int)arg);
  case IPC_SET:
  case IPC_RMID:
    return sem_set_rmid(semid, cmd, arg);
  default:
    return -EINVAL;
  }
}

/* ---- /proc/sysvipc/sem ---- */

void sem_proc_show(ipc_print_fn pr, void *ctx)
{
  struct ipc_ids *ids = &current_ipc()->sem_ids;
  pr(ctx, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
  mutex_lock(&ids->lock);
  for (int i = 0; i <= ids->max_idx; i++) {
    struct sem_array *sma = (struct sem_array *)ipc_find_index(ids, i);
    if (!sma)
      continue;
    pr(ctx, "%10d %10d  %4o %10u %5u %5u %5u %5u %10ld %10ld\n", sma->perm.key, sma->perm.id,
       sma->perm.mode, sma->nsems, sma->perm.uid, sma->perm.gid, sma->perm.cuid, sma->perm.cgid,
       (long)sma->otime, (long)sma->ctime);
  }
  mutex_unlock(&ids->lock);
}

/* The namespace's last reference is gone (no undo list or sleeper is
 * left: each holds it): every set is removed. */
void sem_exit_ns(struct ipc_namespace *ns)
{
  mutex_lock(&ns->sem_ids.lock);
  for (int i = ns->sem_ids.max_idx; i >= 0; i--) {
    struct sem_array *sma = (struct sem_array *)ipc_find_index(&ns->sem_ids, i);
    if (sma)
      sem_rmid(sma);
  }
  mutex_unlock(&ns->sem_ids.lock);
}
