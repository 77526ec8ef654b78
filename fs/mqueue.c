/*
 * mqueue.c — POSIX message queues: the mqueue file system (mountable,
 * and mounted at boot on /dev/mqueue) and the mq_* system calls.
 *
 * Layers: the system calls (mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr) find queues in the mqueue
 * superblock of the caller's IPC namespace (struct mq_ns, one per
 * namespace: ipc/namespace.c makes and destroys them) → a queue is an inode
 * there whose priv is a struct mqueue → a descriptor is an open file of
 * that inode (so open(2), unlink(2), ls and poll work on /dev/mqueue too).
 *
 * Messages are kept in one list, highest priority first and in arrival
 * order within a priority. Senders wait for room and receivers for a
 * message on the queue's wait queue, with an absolute CLOCK_REALTIME
 * timeout. A registered notification (mq_notify) fires, once, when a
 * message arrives in an empty queue that no receiver is waiting on.
 * Limits are Linux's defaults (kern/param.h): 10 messages of 8 KiB unless
 * asked (more with CAP_SYS_RESOURCE), 256 queues, and the queues of a
 * user charged against its RLIMIT_MSGQUEUE; the first five are the
 * tunables of /proc/sys/fs/mqueue (fs/proc_kernel.c), as on Linux — but
 * one set for every namespace (Linux has a set per IPC namespace); the
 * queue count that queues_max limits is per namespace.
 *
 * fs/mqueue_ns.c makes and destroys the per-namespace superblocks.
 *
 * Locks: mq_lock (a mutex) serialises the directory (create, unlink) and
 * the per-user accounting; each queue's spinlock its messages and its
 * notification. Order: root inode lock > mq_lock > queue lock.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/dentry.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "fs/mqueue.h"
#include "fs/fdtable.h"
#include "fs/perm.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/signal.h"
#include "kern/poll.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "net/socket.h"
#include <string.h>

#define MQ_PRIO_MAX 32768
#define SI_MESGQ (-3)
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define NOTIFY_COOKIE_LEN 32     /* SIGEV_THREAD: the C library's cookie, sent back over netlink... */
#define NOTIFY_WOKENUP 1         /* ... its last byte saying a message came */
#define NOTIFY_REMOVED 2         /* ... or that the registration is gone */
#define MSG_MSG_SIZE 48          /* what Linux charges per message ... */
#define MSG_NODE_SIZE 48         /* ... and per priority in use (struct posix_msg_tree_node) */

struct mq_attr64 {
  int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
  int64_t reserved[4];
};

struct mq_msg {
  struct list_head link;
  unsigned prio;
  size_t len;
  char data[];
};

struct mqueue {
  struct spinlock lock;          /* what follows */
  long maxmsg, msgsize, curmsgs;
  size_t qbytes;                 /* bytes of message text queued (QSIZE) */
  struct list_head msgs;         /* highest priority first, FIFO within one */
  int receivers;                 /* tasks waiting in mq_timedreceive */
  struct wait_queue wq;          /* senders, receivers, pollers */
  /* mq_notify: the process to tell (referenced), how */
  struct process *notify_proc;
  int notify_kind, notify_sig;
  uint64_t notify_value;
  struct file *notify_sock;      /* SIGEV_THREAD: the netlink socket (referenced)... */
  char notify_cookie[NOTIFY_COOKIE_LEN]; /* ... and what to send it */
  /* accounting (mq_lock) */
  uid_t charged_uid;
  size_t charged;
};

struct mutex mq_lock;
/* /proc/sys/fs/mqueue: queues_max, msg_max, msgsize_max, msg_default, msgsize_default */
int mq_queues_max = MQ_QUEUES_MAX, mq_msg_max = MQ_MSG_MAX, mq_msgsize_max = MQ_MSGSIZE_MAX;
int mq_msg_default = MQ_MSG_DEFAULT, mq_msgsize_default = MQ_MSGSIZE_DEFAULT;
static struct { uid_t uid; size_t bytes; } mq_users[64]; /* RLIMIT_MSGQUEUE charges (mq_lock) */

static const struct file_ops mq_fops;
static const struct inode_ops mq_iops;

/* ---- accounting (mq_lock held) ---- */

static size_t *user_bytes(uid_t uid)
{
  for (size_t i = 0; i < ARRAY_SIZE(mq_users); i++)
    if (mq_users[i].bytes && mq_users[i].uid == uid)
      return &mq_users[i].bytes;
  for (size_t i = 0; i < ARRAY_SIZE(mq_users); i++)
    if (!mq_users[i].bytes) {
      mq_users[i].uid = uid;
      return &mq_users[i].bytes;
    }
  return NULL;
}

/* ---- queues ---- */

/* A registration taken off its queue, acted on once the lock is dropped
 * (note_finish): a signal to send, a cookie to deliver, references to drop. */
struct mq_note {
  struct process *proc;
  int sig;                       /* SIGEV_SIGNAL that fired: the signal, else 0 */
  uint64_t value;
  struct file *sock;             /* SIGEV_THREAD: deliver cookie here */
  char cookie[NOTIFY_COOKIE_LEN];
};

/* Take q's registration into n; a SIGEV_THREAD one's cookie ends in code
 * (NOTIFY_WOKENUP or NOTIFY_REMOVED). fired: a message came (the signal
 * goes too). Queue lock held. */
static void note_take(struct mqueue *q, struct mq_note *n, char code, bool fired)
{
  memset(n, 0, sizeof(*n));
  n->proc = q->notify_proc;
  if (fired && q->notify_kind == SIGEV_SIGNAL) {
    n->sig = q->notify_sig;
    n->value = q->notify_value;
  }
  if (q->notify_kind == SIGEV_THREAD) {
    n->sock = q->notify_sock;
    memcpy(n->cookie, q->notify_cookie, NOTIFY_COOKIE_LEN);
    n->cookie[NOTIFY_COOKIE_LEN - 1] = code;
  }
  q->notify_proc = NULL;
  q->notify_sock = NULL;
}

/* Act on a taken registration, no lock held. */
static void note_finish(struct mq_note *n)
{
  if (n->sig) {
    /* the sender as the registered process's pid namespace numbers it */
    struct ksiginfo info = { .signo = n->sig, .code = SI_MESGQ,
                             .pid = pid_nr_seen_by(current->proc->pid, n->proc),
                             .uid = current_cred()->uid, .value = n->value };
    send_signal_process(n->proc, n->sig, &info);
  }
  if (n->sock) {
    netlink_deliver(sock_from_file(n->sock), n->cookie, NOTIFY_COOKIE_LEN);
    fput(n->sock);
  }
  if (n->proc)
    process_put(n->proc);
}

static void mq_evict(struct inode *ino)
{
  struct mqueue *q = ino->priv;
  if (!q)
    return;
  struct mq_msg *m, *n;
  list_for_each_entry_safe(m, n, &q->msgs, link)
    kfree(m);
  if (q->notify_proc)
    process_put(q->notify_proc);
  if (q->notify_sock)
    fput(q->notify_sock);
  mutex_lock(&mq_lock);
  size_t *ub = user_bytes(q->charged_uid);
  if (ub)
    *ub -= MIN(*ub, q->charged);
  struct mq_ns *ns = ino->sb->priv;
  if (ns)
    ns->nr_queues--;
  mutex_unlock(&mq_lock);
  kfree(q);
  ino->priv = NULL;
}

/*
 * A new queue inode with attributes attr (NULL: the defaults), charged to
 * the caller's real uid. mq_lock held. The checks are Linux's
 * mqueue_get_inode's: EINVAL, EOVERFLOW, EMFILE.
 */
static struct inode *mq_new_inode(struct mq_ns *m, mode_t mode, const struct mq_attr64 *attr,
                                  long *err)
{
  /* the defaults, no larger than the limits (Linux's mqueue_get_inode) */
  long maxmsg = MIN(READ_ONCE(mq_msg_default), READ_ONCE(mq_msg_max));
  long msgsize = MIN(READ_ONCE(mq_msgsize_default), READ_ONCE(mq_msgsize_max));
  if (attr) {
    maxmsg = attr->mq_maxmsg;
    msgsize = attr->mq_msgsize;
  }
  *err = -EINVAL;
  if (maxmsg <= 0 || msgsize <= 0)
    return NULL;
  if (capable(CAP_SYS_RESOURCE) ? maxmsg > MQ_HARD_MSGMAX || msgsize > MQ_HARD_MSGSIZEMAX
                                 : maxmsg > READ_ONCE(mq_msg_max) || msgsize > READ_ONCE(mq_msgsize_max))
    return NULL;
  size_t bytes = (size_t)maxmsg * msgsize + (size_t)maxmsg * MSG_MSG_SIZE +
                 (size_t)MIN(maxmsg, (long)MQ_PRIO_MAX) * MSG_NODE_SIZE;
  uid_t uid = current_cred()->uid;
  size_t *ub = user_bytes(uid);
  *err = -EMFILE;
  if (!ub || *ub + bytes < *ub || *ub + bytes > rlimit_cur(RLIMIT_MSGQUEUE))
    return NULL;
  struct mqueue *q = kzalloc(sizeof(*q));
  struct inode *ino = q ? inode_alloc(m->sb, S_IFREG | (mode & 07777)) : NULL;
  if (!ino) {
    kfree(q);
    *err = -ENOMEM;
    return NULL;
  }
  spin_init(&q->lock, "mqueue");
  list_init(&q->msgs);
  wait_queue_init(&q->wq);
  q->maxmsg = maxmsg;
  q->msgsize = msgsize;
  q->charged_uid = uid;
  q->charged = bytes;
  *ub += bytes;
  m->nr_queues++;
  ino->priv = q;
  ino->iop = &mq_iops;
  ino->fop = &mq_fops;
  inode_init_owner(m->sb->root->inode, ino);
  return ino;
}

/* Make queue `d` in the root of d's superblock (root locked, d negative). */
static int mq_create_at(struct dentry *d, mode_t mode, const struct mq_attr64 *attr)
{
  struct super_block *sb = d->sb;
  mutex_lock(&mq_lock);
  long err = -ENOENT;
  struct inode *ino = NULL;
  struct mq_ns *m = sb->priv;
  if (!m)
    ; /* its namespace is gone (a mount of it outlives it) */
  else if (m->nr_queues >= READ_ONCE(mq_queues_max) && !capable(CAP_SYS_RESOURCE))
    err = -ENOSPC;
  else
    ino = mq_new_inode(m, mode, attr, &err);
  mutex_unlock(&mq_lock);
  if (!ino)
    return (int)err;
  d_instantiate(d, ino);
  inode_touch(sb->root->inode, true);
  return 0;
}

/* ---- the file system ---- */

static int mq_lookup(struct inode *dir, struct dentry *d)
{
  (void)dir;
  (void)d;
  return strlen(d->name) > NAME_MAX ? -ENAMETOOLONG : 0; /* the dentry cache holds them all */
}

/* open(2) with O_CREAT in a mounted mqueue: a queue with the defaults */
static int mq_dir_create(struct inode *dir, struct dentry *d, mode_t mode)
{
  (void)dir;
  return mq_create_at(d, mode, NULL);
}

int mq_dir_unlink(struct inode *dir, struct dentry *d)
{
  d->inode->nlink = 0;
  inode_touch(dir, true);
  d_delete(d);
  return 0;
}

const struct inode_ops mq_dir_iops = {
  .lookup = mq_lookup,
  .create = mq_dir_create,
  .unlink = mq_dir_unlink,
};

const struct file_ops mq_dir_fops = {
  .llseek = generic_llseek,
  .iterate = dcache_readdir,
};

static const struct inode_ops mq_iops = {
  .evict = mq_evict,
};

/* ---- the descriptor ---- */

/* read(2): Linux's one line about the queue. */
static ssize_t mq_read(struct file *f, struct uio *u, off_t *pos)
{
  struct mqueue *q = f->inode->priv;
  char buf[128];
  spin_lock(&q->lock);
  int kind = q->notify_proc ? q->notify_kind : 0;
  int sig = q->notify_proc && q->notify_kind == SIGEV_SIGNAL ? q->notify_sig : 0;
  pid_t pid = q->notify_proc ? q->notify_proc->pid : 0;
  unsigned long qsize = q->qbytes;
  spin_unlock(&q->lock);
  pid = pid ? pid_vnr_stored(pid) : 0;
  int n = snprintf(buf, sizeof(buf), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", qsize, kind, sig,
                   pid);
  if (*pos >= n)
    return 0;
  long c = uio_copy_to(u, buf + *pos, MIN((size_t)(n - *pos), u->resid));
  if (c > 0)
    *pos += c;
  return c;
}

static unsigned mq_poll(struct file *f, struct poll_table *pt)
{
  struct mqueue *q = f->inode->priv;
  poll_wait(f, &q->wq, pt);
  unsigned mask = 0;
  spin_lock(&q->lock);
  if (q->curmsgs)
    mask |= POLLIN | POLLRDNORM;
  if (q->curmsgs < q->maxmsg)
    mask |= POLLOUT | POLLWRNORM;
  spin_unlock(&q->lock);
  return mask;
}

/* The registered process closes a descriptor of the queue: its
 * registration goes (a SIGEV_THREAD one is told NOTIFY_REMOVED). */
static void mq_flush(struct file *f)
{
  struct mqueue *q = f->inode->priv;
  struct mq_note n = {0};
  spin_lock(&q->lock);
  if (q->notify_proc && q->notify_proc == current->proc)
    note_take(q, &n, NOTIFY_REMOVED, false);
  spin_unlock(&q->lock);
  note_finish(&n);
}

static const struct file_ops mq_fops = {
  .read = mq_read,
  .llseek = generic_llseek,
  .poll = mq_poll,
  .flush = mq_flush,
};

/* ---- the system calls ---- */

/* Copy in a queue name: the kernel string, or -errno (as getname, then
 * lookup_one_len: an empty name is ENOENT, ".", ".." and a slash EACCES). */
static long get_name(char *buf, uaddr_t uname)
{
  long n = copyinstr(buf, uname, PATH_MAX);
  if (n < 0)
    return n;
  if (n == 0)
    return -ENOENT;
  if (!strcmp(buf, ".") || !strcmp(buf, "..") || strchr(buf, '/'))
    return -EACCES;
  if (n > NAME_MAX)
    return -ENAMETOOLONG;
  return 0;
}

long sys_mq_open(uaddr_t uname, int oflag, mode_t mode, uaddr_t uattr)
{
  struct mq_attr64 attr;
  if (uattr && copyin(&attr, uattr, sizeof(attr)))
    return -EFAULT;
  char *name = kmalloc(PATH_MAX);
  if (!name)
    return -ENOMEM;
  long r = get_name(name, uname);
  if (r) {
    kfree(name);
    return r;
  }
  struct mq_ns *m = mq_current();
  struct dentry *root = m->sb->root;
  mutex_lock(&root->inode->lock);
  struct dentry *d = vfs_lookup_locked(root, name, strlen(name));
  kfree(name);
  if (IS_ERR(d)) {
    mutex_unlock(&root->inode->lock);
    return PTR_ERR(d);
  }
  int acc = oflag & O_ACCMODE;
  bool created = false;
  if (!d->inode) {
    r = (oflag & O_CREAT) ? mq_create_at(d, mode & ~current->fs->umask, uattr ? &attr : NULL) : -ENOENT;
    created = !r;
  } else if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
    r = -EEXIST;
  } else if (acc == O_ACCMODE) {
    r = -EINVAL;
  } else {
    r = inode_permission(d->inode, acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE
                                                                                : MAY_READ | MAY_WRITE);
  }
  mutex_unlock(&root->inode->lock);
  if (!r && acc == O_ACCMODE)
    r = -EINVAL;
  if (r) {
    dput(d);
    return r;
  }
  struct path p = { m->mnt, d };
  __atomic_add_fetch(&m->mnt->refcount, 1, __ATOMIC_RELAXED);
  if (created)
    dget(d);  /* to take the new queue back if no descriptor can be had */
  struct file *f = file_open_path(&p, oflag & (O_ACCMODE | O_NONBLOCK));
  path_put(&p);
  if (IS_ERR(f)) {
    r = PTR_ERR(f);
  } else {
    r = fd_install(f, 0, oflag & O_CLOEXEC);
    if (r < 0)
      fput(f);
  }
  if (created) {
    /* Linux takes the descriptor before it makes the queue: a caller out
     * of descriptors (EMFILE) leaves no queue behind */
    if (r < 0) {
      mutex_lock(&root->inode->lock);
      if (d->inode)
        mq_dir_unlink(root->inode, d);
      mutex_unlock(&root->inode->lock);
    }
    dput(d);
  }
  return r;
}

long sys_mq_unlink(uaddr_t uname)
{
  char *name = kmalloc(PATH_MAX);
  if (!name)
    return -ENOMEM;
  long r = get_name(name, uname);
  if (r) {
    kfree(name);
    return r;
  }
  struct dentry *root = mq_current()->sb->root;
  mutex_lock(&root->inode->lock);
  struct dentry *d = vfs_lookup_locked(root, name, strlen(name));
  kfree(name);
  if (IS_ERR(d)) {
    r = PTR_ERR(d);
    d = NULL;
  } else if (!d->inode) {
    r = -ENOENT;
  } else if (!(r = may_delete(root->inode, d->inode))) {
    r = mq_dir_unlink(root->inode, d);
  }
  mutex_unlock(&root->inode->lock);
  if (d)
    dput(d);
  return r;
}

/* The queue of descriptor fd (file referenced into *fp), or -EBADF. */
static struct mqueue *fd_queue(int fd, struct file **fp)
{
  struct file *f = fd_get(fd);
  if (!f)
    return NULL;
  if (f->fop != &mq_fops) {
    fput(f);
    return NULL;
  }
  *fp = f;
  return f->inode->priv;
}

/* An absolute CLOCK_REALTIME timeout from user memory as a relative wait
 * (WAIT_FOREVER without one). 0, -EFAULT or -EINVAL. */
static long get_abs_timeout(uaddr_t uts, uint64_t *wait)
{
  *wait = WAIT_FOREVER;
  if (!uts)
    return 0;
  uint64_t abs;
  long r = get_user_timespec_ns(uts, &abs);
  if (r)
    return r;
  uint64_t now = time_realtime_ns();
  *wait = abs > now ? abs - now : 1; /* (1 ns: already past, ETIMEDOUT if it must wait) */
  return 0;
}

/* A message arrived in an empty queue nobody waits on: the notification,
 * once (queue lock held; note_finish acts on it). */
static void take_notification(struct mqueue *q, struct mq_note *n)
{
  if (q->notify_proc && q->curmsgs == 1 && !q->receivers)
    note_take(q, n, NOTIFY_WOKENUP, true);
}

long sys_mq_timedsend(int mqdes, uaddr_t umsg, size_t len, unsigned int prio, uaddr_t uts)
{
  uint64_t wait;
  long r = get_abs_timeout(uts, &wait);
  if (r)
    return r;
  if (prio >= MQ_PRIO_MAX)
    return -EINVAL;
  struct file *f;
  struct mqueue *q = fd_queue(mqdes, &f);
  if (!q)
    return -EBADF;
  struct mq_msg *m = NULL;
  if (!file_writable(f))
    r = -EBADF;
  else if ((long)len > q->msgsize)
    r = -EMSGSIZE;
  else if (!(m = kmalloc(sizeof(*m) + len)))
    r = -ENOMEM;
  else if (len && copyin(m->data, umsg, len))
    r = -EFAULT;
  if (r)
    goto out;
  m->prio = prio;
  m->len = len;
  bool nonblock = f->flags & O_NONBLOCK;
  for (;;) {
    spin_lock(&q->lock);
    if (q->curmsgs < q->maxmsg)
      break;
    spin_unlock(&q->lock);
    if (nonblock) {
      r = -EAGAIN;
      goto out;
    }
    long w = wait_event(&q->wq, READ_ONCE(q->curmsgs) < q->maxmsg, wait);
    if (w == -ETIMEDOUT) {
      r = -ETIMEDOUT;
      goto out;
    }
    if (w) {
      r = w;
      goto out;
    }
  }
  /* after the last message of a priority at least as high: FIFO within it */
  struct list_head *at = &q->msgs;
  struct mq_msg *it;
  list_for_each_entry(it, &q->msgs, link) {
    if (it->prio < prio) {
      at = &it->link;
      break;
    }
  }
  list_add_tail(&m->link, at);
  m = NULL;
  q->curmsgs++;
  q->qbytes += len;
  struct mq_note note = {0};
  take_notification(q, &note);
  spin_unlock(&q->lock);
  inode_touch(f->inode, true);
  wake_up_events(&q->wq, POLLIN | POLLRDNORM);
  note_finish(&note);
out:
  kfree(m);
  fput(f);
  return r;
}

long sys_mq_timedreceive(int mqdes, uaddr_t umsg, size_t len, uaddr_t uprio, uaddr_t uts)
{
  uint64_t wait;
  long r = get_abs_timeout(uts, &wait);
  if (r)
    return r;
  struct file *f;
  struct mqueue *q = fd_queue(mqdes, &f);
  if (!q)
    return -EBADF;
  if (!file_readable(f)) {
    fput(f);
    return -EBADF;
  }
  if ((long)len < q->msgsize) {
    fput(f);
    return -EMSGSIZE;
  }
  bool nonblock = f->flags & O_NONBLOCK;
  struct mq_msg *m = NULL;
  for (;;) {
    spin_lock(&q->lock);
    if (q->curmsgs)
      break;
    if (nonblock) {
      spin_unlock(&q->lock);
      fput(f);
      return -EAGAIN;
    }
    q->receivers++;
    spin_unlock(&q->lock);
    long w = wait_event(&q->wq, READ_ONCE(q->curmsgs) > 0, wait);
    spin_lock(&q->lock);
    q->receivers--;
    spin_unlock(&q->lock);
    if (w) {
      fput(f);
      return w;
    }
  }
  m = list_first_entry(&q->msgs, struct mq_msg, link);
  list_del(&m->link);
  q->curmsgs--;
  q->qbytes -= m->len;
  spin_unlock(&q->lock);
  inode_touch(f->inode, false);
  wake_up_events(&q->wq, POLLOUT | POLLWRNORM);
  /* (as Linux: a message that cannot be stored is lost) */
  r = (long)m->len;
  if ((m->len && copyout(umsg, m->data, m->len)) || (uprio && copyout(uprio, &m->prio, sizeof(m->prio))))
    r = -EFAULT;
  kfree(m);
  fput(f);
  return r;
}

/* struct sigevent (asm-generic, 64-bit) */
struct sigevent64 {
  uint64_t value;
  int32_t signo, notify;
  int32_t rest[12];
};

/*
 * mq_notify: register the caller's process to be told when a message
 * arrives in the empty queue — SIGEV_SIGNAL: a signal with si_code
 * SI_MESGQ; SIGEV_NONE: registered, told nothing; SIGEV_THREAD (how the
 * C library runs a function in a new thread): the 32-byte cookie at
 * sigev_value, its last byte NOTIFY_WOKENUP, sent to the netlink socket
 * whose descriptor is sigev_signo (NOTIFY_REMOVED if the registration is
 * given up instead) — or (NULL) give up its registration. Another
 * process's registration is EBUSY.
 */
long sys_mq_notify(int mqdes, uaddr_t usev)
{
  struct sigevent64 ev;
  char cookie[NOTIFY_COOKIE_LEN];
  struct file *sock = NULL;
  if (usev) {
    if (copyin(&ev, usev, sizeof(ev)))
      return -EFAULT;
    if (ev.notify != SIGEV_NONE && ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_THREAD)
      return -EINVAL;
    if (ev.notify == SIGEV_SIGNAL && (ev.signo < 0 || ev.signo > NSIG))
      return -EINVAL;
    if (ev.notify == SIGEV_THREAD) {
      if (copyin(cookie, (uaddr_t)ev.value, sizeof(cookie)))
        return -EFAULT;
      if (!(sock = fd_get_raw(ev.signo)))
        return -EBADF;
      struct socket *s = sock_from_file(sock);
      if (!s || s->family != AF_NETLINK) {
        fput(sock);
        return s ? -EINVAL : -ENOTSOCK;
      }
    }
  }
  struct file *f;
  struct mqueue *q = fd_queue(mqdes, &f);
  if (!q) {
    if (sock)
      fput(sock);
    return -EBADF;
  }
  long r = 0;
  struct mq_note n = {0};
  struct process *me = current->proc;
  spin_lock(&q->lock);
  if (!usev) {
    if (q->notify_proc == me)
      note_take(q, &n, NOTIFY_REMOVED, false);
  } else if (q->notify_proc) {
    r = -EBUSY;
  } else {
    process_get(me);
    q->notify_proc = me;
    q->notify_kind = ev.notify;
    q->notify_sig = ev.signo;
    q->notify_value = ev.value;
    if (ev.notify == SIGEV_THREAD) {
      q->notify_sock = sock;
      memcpy(q->notify_cookie, cookie, sizeof(cookie));
      sock = NULL;
    }
  }
  spin_unlock(&q->lock);
  note_finish(&n);
  if (sock)
    fput(sock);
  fput(f);
  return r;
}

long sys_mq_getsetattr(int mqdes, uaddr_t unew, uaddr_t uold)
{
  struct mq_attr64 na, oa;
  if (unew) {
    if (copyin(&na, unew, sizeof(na)))
      return -EFAULT;
    if (na.mq_flags & ~(int64_t)O_NONBLOCK)
      return -EINVAL;
  }
  struct file *f;
  struct mqueue *q = fd_queue(mqdes, &f);
  if (!q)
    return -EBADF;
  memset(&oa, 0, sizeof(oa));
  spin_lock(&q->lock);
  oa.mq_flags = f->flags & O_NONBLOCK;
  oa.mq_maxmsg = q->maxmsg;
  oa.mq_msgsize = q->msgsize;
  oa.mq_curmsgs = q->curmsgs;
  spin_unlock(&q->lock);
  if (unew) {
    if (na.mq_flags & O_NONBLOCK)
      __atomic_or_fetch(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
    else
      __atomic_and_fetch(&f->flags, ~O_NONBLOCK, __ATOMIC_RELAXED);
  }
  fput(f);
  if (uold && copyout(uold, &oa, sizeof(oa)))
    return -EFAULT;
  return 0;
}
