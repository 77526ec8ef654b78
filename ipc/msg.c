/*
 * msg.c — System V message queues: msgget, msgsnd, msgrcv, msgctl and
 * /proc/sysvipc/msg (Linux's ipc/msg.c).
 *
 * A queue is a list of messages (type, size, text) with a byte limit
 * (msg_qbytes). A sender that does not fit and a receiver that finds no
 * matching message sleep on the queue's wait queue; every change (a
 * message added or taken, a limit raised, the queue removed) bumps `gen`
 * and wakes them to look again. Sleepers pin the queue (`refs`); a queue
 * removed under them is freed by the last one, which returns EIDRM.
 *
 * Layer: ipc, over ipc/util.c (tables, keys, permissions) and kern/ (wait
 * queues, user copies, signals); called by the msg* system calls.
 *
 * Locks: the namespace's ids->lock protects the queues and their messages. Message
 * text is copied in before the lock is taken and out after it is dropped.
 */
#include "ipc/ipc.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include <string.h>

struct msg_msg {
  struct list_head link;
  int64_t mtype;
  size_t size;
  char text[];
};

struct msg_queue {
  struct ipc_perm_k perm;
  int64_t stime, rtime, ctime;
  uint64_t cbytes, qnum, qbytes;
  pid_t lspid, lrpid;
  uint64_t gen;
  int refs;
  struct wait_queue wq;
  struct list_head messages;
  struct ipc_namespace *ns;     /* the namespace it is in */
};

struct msqid64_ds_u {
  struct ipc64_perm_u msg_perm;
  int64_t msg_stime, msg_rtime, msg_ctime;
  uint64_t msg_cbytes, msg_qnum, msg_qbytes;
  int32_t msg_lspid, msg_lrpid;
  uint64_t unused4, unused5;
};

struct msginfo_u {
  int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
  uint16_t msgseg;
};

static void msq_changed(struct msg_queue *q)
{
  q->gen++;
  wake_up(&q->wq);
}

static void msg_free_locked(struct msg_queue *q, struct msg_msg *m)
{
  list_del(&m->link);
  q->cbytes -= m->size;
  q->qnum--;
  q->ns->msg_hdrs--;
  q->ns->msg_bytes -= m->size;
  kfree(m);
}

static void msq_rmid(struct msg_queue *q)
{
  ipc_remove(&q->ns->msg_ids, &q->perm);
  while (!list_empty(&q->messages))
    msg_free_locked(q, list_first_entry(&q->messages, struct msg_msg, link));
  msq_changed(q);
  if (q->refs == 0)
    kfree(q);
}

/* ---- msgget ---- */

static int msg_create(int32_t key, int flags, uint64_t unused)
{
  (void)unused;
  struct msg_queue *q = kzalloc(sizeof(*q));
  if (!q)
    return -ENOMEM;
  q->perm.key = key;
  q->perm.mode = flags & 0777;
  q->ns = current_ipc();
  q->qbytes = (uint64_t)q->ns->limits.msg_ctlmnb;
  q->ctime = ipc_now();
  wait_queue_init(&q->wq);
  list_init(&q->messages);
  int r = ipc_add(&q->ns->msg_ids, &q->perm, q->ns->limits.msg_ctlmni);
  if (r) {
    kfree(q);
    return r;
  }
  return q->perm.id;
}

long sys_msgget(int32_t key, int flags)
{
  struct ipc_ids *ids = &current_ipc()->msg_ids;
  static const struct ipc_get_ops ops = { NULL, msg_create };
  mutex_lock(&ids->lock);
  long r = ipc_get(ids, key, flags, 0, &ops);
  mutex_unlock(&ids->lock);
  return r;
}

/* ---- msgsnd ---- */

/*
 * Sleep until the queue changes (the namespace's msg_ids.lock held on entry and exit).
 * Returns 0 to look again, -EIDRM (queue gone: q was freed or must not be
 * used), -EINTR.
 */
static long msq_wait(struct msg_queue *q)
{
  struct mutex *lock = &q->ns->msg_ids.lock;
  q->refs++;
  uint64_t gen = q->gen;
  mutex_unlock(lock);
  long wr = wait_event(&q->wq, READ_ONCE(q->gen) != gen, WAIT_FOREVER);
  mutex_lock(lock);
  q->refs--;
  if (q->perm.deleted) {
    if (q->refs == 0)
      kfree(q);
    return -EIDRM;
  }
  return wr == -ERESTARTSYS ? -EINTR : 0;
}

long sys_msgsnd(int msqid, uaddr_t msgp, size_t msgsz, int flags)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->msg_ids;
  int64_t mtype;
  if (copyin(&mtype, msgp, sizeof(mtype)))
    return -EFAULT;
  if (msgsz > (size_t)ns->limits.msg_ctlmax || (ssize_t)msgsz < 0 || msqid < 0)
    return -EINVAL;
  if (mtype < 1)
    return -EINVAL;
  struct msg_msg *m = kmalloc(sizeof(*m) + msgsz);
  if (!m)
    return -ENOMEM;
  m->mtype = mtype;
  m->size = msgsz;
  if (copyin(m->text, msgp + sizeof(int64_t), msgsz)) {
    kfree(m);
    return -EFAULT;
  }
  mutex_lock(&ids->lock);
  struct msg_queue *q = (struct msg_queue *)ipc_find_id(ids, msqid);
  long r = 0;
  if (!q)
    r = -EINVAL;
  else if (ipcperms(&q->perm, 0222))
    r = -EACCES;
  while (!r) {
    if (msgsz + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes) {
      list_add_tail(&m->link, &q->messages);
      m = NULL;
      q->cbytes += msgsz;
      q->qnum++;
      ns->msg_hdrs++;
      ns->msg_bytes += msgsz;
      q->lspid = current->proc->pid;
      q->stime = ipc_now();
      msq_changed(q);
      break;
    }
    if (flags & IPC_NOWAIT) {
      r = -EAGAIN;
      break;
    }
    r = msq_wait(q);
    if (!r && ipcperms(&q->perm, 0222))
      r = -EACCES;
  }
  mutex_unlock(&ids->lock);
  kfree(m);
  return r;
}

/* ---- msgrcv ---- */

/* The message msgrcv(msgtyp, flags) takes, or NULL. */
static struct msg_msg *find_msg(struct msg_queue *q, int64_t msgtyp, int flags)
{
  struct msg_msg *m, *best = NULL;
  list_for_each_entry(m, &q->messages, link) {
    if (msgtyp == 0)
      return m;
    if (msgtyp > 0) {
      if ((flags & MSG_EXCEPT) ? m->mtype != msgtyp : m->mtype == msgtyp)
        return m;
    } else if (m->mtype <= -msgtyp && (!best || m->mtype < best->mtype)) {
      best = m;
    }
  }
  return best;
}

/* MSG_COPY: the message at position msgtyp (0-based), left in the queue. */
static struct msg_msg *nth_msg(struct msg_queue *q, int64_t n)
{
  struct msg_msg *m;
  list_for_each_entry(m, &q->messages, link)
    if (n-- == 0)
      return m;
  return NULL;
}

long sys_msgrcv(int msqid, uaddr_t msgp, size_t msgsz, int64_t msgtyp, int flags)
{
  struct ipc_ids *ids = &current_ipc()->msg_ids;
  if (msqid < 0 || (ssize_t)msgsz < 0)
    return -EINVAL;
  if ((flags & MSG_COPY) && (!(flags & IPC_NOWAIT) || (flags & MSG_EXCEPT)))
    return -EINVAL;
  mutex_lock(&ids->lock);
  struct msg_queue *q = (struct msg_queue *)ipc_find_id(ids, msqid);
  long r = 0;
  struct msg_msg *m = NULL, *copy = NULL;
  if (!q)
    r = -EINVAL;
  else if (ipcperms(&q->perm, 0444))
    r = -EACCES;
  while (!r) {
    m = (flags & MSG_COPY) ? nth_msg(q, msgtyp) : find_msg(q, msgtyp, flags);
    if (m) {
      if (m->size > msgsz && !(flags & MSG_NOERROR)) {
        r = -E2BIG;
        break;
      }
      size_t n = MIN(m->size, msgsz);
      copy = kmalloc(sizeof(*copy) + n);
      if (!copy) {
        r = -ENOMEM;
        break;
      }
      copy->mtype = m->mtype;
      copy->size = n;
      memcpy(copy->text, m->text, n);
      if (!(flags & MSG_COPY)) {
        msg_free_locked(q, m);
        q->lrpid = current->proc->pid;
        q->rtime = ipc_now();
        msq_changed(q);
      }
      break;
    }
    if (flags & IPC_NOWAIT) {
      r = -ENOMSG;
      break;
    }
    r = msq_wait(q);
    if (!r && ipcperms(&q->perm, 0444))
      r = -EACCES;
  }
  mutex_unlock(&ids->lock);
  if (!copy)
    return r;
  if (copyout(msgp, &copy->mtype, sizeof(int64_t)) ||
      copyout(msgp + sizeof(int64_t), copy->text, copy->size))
    r = -EFAULT;
  else
    r = (long)copy->size;
  kfree(copy);
  return r;
}

/* ---- msgctl ---- */

static long msg_info(int cmd, uaddr_t buf)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->msg_ids;
  struct msginfo_u mi = {
    .msgmni = ns->limits.msg_ctlmni, .msgmax = ns->limits.msg_ctlmax,
    .msgmnb = ns->limits.msg_ctlmnb, .msgssz = MSGSSZ, .msgseg = MSGSEG,
    .msgpool = MSGPOOL, .msgmap = MSGMAP, .msgtql = MSGTQL,
  };
  mutex_lock(&ids->lock);
  if (cmd == MSG_INFO) {
    mi.msgpool = ids->in_use;
    mi.msgmap = (int32_t)ns->msg_hdrs;
    mi.msgtql = (int32_t)ns->msg_bytes;
  }
  long max = ids->max_idx < 0 ? 0 : ids->max_idx;
  mutex_unlock(&ids->lock);
  return copyout(buf, &mi, sizeof(mi)) ? -EFAULT : max;
}

static long msg_stat(int msqid, int cmd, uaddr_t buf)
{
  struct ipc_ids *ids = &current_ipc()->msg_ids;
  struct msqid64_ds_u ds;
  memset(&ds, 0, sizeof(ds));
  mutex_lock(&ids->lock);
  struct msg_queue *q = (struct msg_queue *)(cmd == IPC_STAT ? ipc_find_id(ids, msqid)
                                                             : ipc_find_index(ids, msqid));
  long r;
  if (!q) {
    r = -EINVAL;
  } else if (cmd != MSG_STAT_ANY && ipcperms(&q->perm, 0444)) {
    r = -EACCES;
  } else {
    ipc_fill_perm(&q->perm, &ds.msg_perm);
    ds.msg_stime = q->stime;
    ds.msg_rtime = q->rtime;
    ds.msg_ctime = q->ctime;
    ds.msg_cbytes = q->cbytes;
    ds.msg_qnum = q->qnum;
    ds.msg_qbytes = q->qbytes;
    ds.msg_lspid = pid_vnr_stored(q->lspid); /* in the caller's pid namespace */
    ds.msg_lrpid = pid_vnr_stored(q->lrpid);
    r = cmd == IPC_STAT ? 0 : q->perm.id;
  }
  mutex_unlock(&ids->lock);
  if (r < 0)
    return r;
  return copyout(buf, &ds, sizeof(ds)) ? -EFAULT : r;
}

static long msg_set_rmid(int msqid, int cmd, uaddr_t buf)
{
  struct ipc_namespace *ns = current_ipc();
  struct ipc_ids *ids = &ns->msg_ids;
  struct msqid64_ds_u ds;
  if (cmd == IPC_SET && copyin(&ds, buf, sizeof(ds)))
    return -EFAULT;
  mutex_lock(&ids->lock);
  struct msg_queue *q = (struct msg_queue *)ipc_find_id(ids, msqid);
  long r = !q ? -EINVAL : ipc_owner_check(&q->perm);
  if (!r && cmd == IPC_SET) {
    if (ds.msg_qbytes > (uint64_t)ns->limits.msg_ctlmnb && !capable(CAP_SYS_RESOURCE)) {
      r = -EPERM;
    } else {
      ipc_set_perm(&q->perm, &ds.msg_perm);
      q->qbytes = ds.msg_qbytes;
      q->ctime = ipc_now();
      msq_changed(q); /* senders may fit now */
    }
  } else if (!r) {
    msq_rmid(q);
  }
  mutex_unlock(&ids->lock);
  return r;
}

long sys_msgctl(int msqid, int cmd, uaddr_t buf)
{
  cmd = ipc_strip_version(cmd);
  if (msqid < 0 || cmd < 0)
    return -EINVAL;
  switch (cmd) {
  case IPC_INFO:
  case MSG_INFO:
    return msg_info(cmd, buf);
  case IPC_STAT:
  case MSG_STAT:
  case MSG_STAT_ANY:
    return msg_stat(msqid, cmd, buf);
  case IPC_SET:
  case IPC_RMID:
    return msg_set_rmid(msqid, cmd, buf);
  default:
    return -EINVAL;
  }
}

/* ---- /proc/sysvipc/msg ---- */

void msg_proc_show(ipc_print_fn pr, void *ctx)
{
  struct ipc_ids *ids = &current_ipc()->msg_ids;
  pr(ctx, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      "
          "stime      rtime      ctime\n");
  mutex_lock(&ids->lock);
  for (int i = 0; i <= ids->max_idx; i++) {
    struct msg_queue *q = (struct msg_queue *)ipc_find_index(ids, i);
    if (!q)
      continue;
    pr(ctx, "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10ld %10ld %10ld\n", q->perm.key,
       q->perm.id, q->perm.mode, (unsigned long)q->cbytes, (unsigned long)q->qnum, pid_vnr_stored(q->lspid),
       pid_vnr_stored(q->lrpid), q->perm.uid, q->perm.gid, q->perm.cuid, q->perm.cgid, (long)q->stime,
       (long)q->rtime, (long)q->ctime);
  }
  mutex_unlock(&ids->lock);
}

/* The namespace's last reference is gone (no task is left to sleep on a
 * queue): every queue is removed. */
void msg_exit_ns(struct ipc_namespace *ns)
{
  mutex_lock(&ns->msg_ids.lock);
  for (int i = ns->msg_ids.max_idx; i >= 0; i--) {
    struct msg_queue *q = (struct msg_queue *)ipc_find_index(&ns->msg_ids, i);
    if (q)
      msq_rmid(q);
  }
  mutex_unlock(&ns->msg_ids.lock);
}
