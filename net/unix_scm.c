/*
 * unix_scm.c — AF_UNIX ancillary data: SCM_RIGHTS (descriptors in flight)
 * and SCM_CREDENTIALS, parsed from a sender's control buffer into a
 * struct scm and delivered into a receiver's (Linux's net/core/scm.c and
 * the af_unix parts of it).
 *
 * Layer: net, beside net/unix_msg.c; called by net/unix_io.c. Descriptors
 * become struct file references carried by the message (struct unix_msg)
 * and are installed in the receiver's descriptor table (fs/file.c).
 *
 * Locks: called without unix_lock: parsing copies from the caller's
 * buffer and takes file references, delivery installs descriptors and
 * copies out — both may sleep or fault. Delivery takes unix_lock only to
 * take the files off the message (the collector, net/unix_gc.c, must see
 * them either in flight or installed).
 */
#include "net/socket.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cred.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/uio.h"
#include "kern/poll.h"
#include "kern/errno.h"
#include "kern/param.h"
#include "kern/printk.h"
#include "fs/file.h"
#include "fs/fdtable.h"
#include "fs/fsops.h"
#include <string.h>

#include "net/unix_priv.h"

void unix_scm_release(struct scm *scm)
{
  for (int i = 0; i < scm->nfiles; i++)
    fput(scm->files[i]);
  kfree(scm->files);
  scm->files = NULL;
  scm->nfiles = 0;
}

/* Read SCM_RIGHTS and SCM_CREDENTIALS from the user's control buffer. */
int unix_scm_parse(struct sock_msg *m, struct scm *scm)
{
  memset(scm, 0, sizeof(*scm));
  if (!m->control || m->controllen == 0)
    return 0;
  if (m->controllen > UNIX_CONTROL_MAX)
    return -ENOBUFS;
  size_t n = m->controllen;
  char *buf = kmalloc(n);
  if (!buf)
    return -ENOMEM;
  int r = 0;
  if (copyin(buf, m->control, n)) {
    r = -EFAULT;
    goto out;
  }
  for (size_t off = 0; off + sizeof(struct cmsghdr) <= n;) {
    struct cmsghdr *c = (struct cmsghdr *)(buf + off);
    if (c->cmsg_len < sizeof(*c) || c->cmsg_len > n - off) {
      r = -EINVAL;
      goto out;
    }
    size_t dlen = c->cmsg_len - sizeof(*c);
    void *data = c + 1;
    if (c->cmsg_level != SOL_SOCKET) {
      r = -EINVAL;
      goto out;
    }
    if (c->cmsg_type == SCM_RIGHTS) {
      int count = (int)(dlen / sizeof(int));
      if (scm->files || count <= 0 || count > SCM_MAX_FD) {
        r = -EINVAL;
        goto out;
      }
      scm->files = kzalloc(sizeof(struct file *) * count);
      if (!scm->files) {
        r = -ENOMEM;
        goto out;
      }
      for (int i = 0; i < count; i++) {
        int fd;
        memcpy(&fd, (char *)data + i * sizeof(int), sizeof(int));
        struct file *f = fd_get(fd);
        if (!f) {
          r = -EBADF;
          goto out;
        }
        scm->files[scm->nfiles++] = f;
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      if (dlen < sizeof(struct ucred)) {
        r = -EINVAL;
        goto out;
      }
      memcpy(&scm->cred, data, sizeof(struct ucred));
      /* Claiming other ids needs CAP_SYS_ADMIN (pid), CAP_SETUID, CAP_SETGID
       * (net/core/scm.c scm_check_creds). */
      /* the pid is the caller's number in its namespace; kept global */
      const struct cred *cr = current_cred();
      pid_t own = pid_vnr(current->proc->pid);
      if ((scm->cred.pid != own && !capable(CAP_SYS_ADMIN)) ||
          (scm->cred.uid != cr->uid && scm->cred.uid != cr->euid && scm->cred.uid != cr->suid &&
           !capable(CAP_SETUID)) ||
          (scm->cred.gid != cr->gid && scm->cred.gid != cr->egid && scm->cred.gid != cr->sgid &&
           !capable(CAP_SETGID))) {
        r = -EPERM;
        goto out;
      }
      if (scm->cred.pid != own) {
        spin_lock(&proc_lock);
        struct process *p = find_process_vnr(scm->cred.pid);
        scm->cred.pid = p ? p->pid : 0;
        spin_unlock(&proc_lock);
        if (!p) {
          r = -ESRCH;
          goto out;
        }
      } else {
        scm->cred.pid = current->proc->pid;
      }
      scm->has_cred = true;
    } else {
      r = -EINVAL;
      goto out;
    }
    off += CMSG_ALIGN(c->cmsg_len);
  }
out:
  kfree(buf);
  if (r)
    unix_scm_release(scm);
  return r;
}

/* SCM_CREDENTIALS of msg to the reader: the sender's pid (kept global) as
 * the reader's pid namespace numbers it, 0 if not visible there. */
void unix_scm_put_cred(struct sock_msg *sm, struct unix_msg *msg, size_t *used)
{
  struct ucred c = msg->cred;
  c.pid = c.pid ? pid_vnr_stored(c.pid) : 0;
  if (!sock_put_cmsg(sm, used, SOL_SOCKET, SCM_CREDENTIALS, &c, sizeof(c)))
    sm->flags_out |= MSG_CTRUNC;
}

/* Deliver a message's credentials and descriptors to the reader. */
void unix_scm_deliver(struct sock_msg *sm, struct unix_msg *msg, bool passcred, int flags,
                      size_t *used)
{
  if (passcred && sm->control)
    unix_scm_put_cred(sm, msg, used);
  /* The files leave the message under unix_lock: a collection on another
   * hart (net/unix_gc.c) sees them either in flight or held by us. */
  spin_lock(&unix_lock);
  struct file **files = msg->files;
  int nfiles = msg->nfiles;
  msg->files = NULL;
  msg->nfiles = 0;
  spin_unlock(&unix_lock);
  if (!nfiles)
    return;
  __atomic_sub_fetch(&unix_msgs_with_files, 1, __ATOMIC_RELAXED);
  int fds[SCM_MAX_FD];
  int room = 0;
  if (sm->control && *used + CMSG_LEN(sizeof(int)) <= sm->controllen)
    room = (int)((sm->controllen - *used - sizeof(struct cmsghdr)) / sizeof(int));
  int n = 0;
  for (int i = 0; i < nfiles; i++) {
    struct file *f = files[i];
    if (n < room) {
      int fd = fd_install(f, 0, flags & MSG_CMSG_CLOEXEC);
      if (fd >= 0) {
        fds[n++] = fd;
        continue;
      }
    }
    fput(f);  /* no room, or no descriptor left: the file is dropped */
    sm->flags_out |= MSG_CTRUNC;
  }
  kfree(files);
  if (n)
    sock_put_cmsg(sm, used, SOL_SOCKET, SCM_RIGHTS, fds, n * sizeof(int));
}
