/*
 * nsproxy.c — each task's set of namespaces: shared or copied by clone,
 * replaced by unshare and setns, dropped at exit (Linux's kernel/nsproxy.c;
 * docs/namespaces.md). kern/nsproxy.h says what is real and what is the
 * initial instance only.
 *
 * Layer: core. Below: kern/cred.c (capable), kern/utsname.c (the UTS
 * namespaces' data). Mount namespaces are fs/mnt_ns.c's, reached through
 * the struct mnt_ns_ops it registers (the core cannot call the fs layer);
 * IPC namespaces ipc/namespace.c's, through the copy it registers. Above: kern/sys_clone3.c, kern/process.c (clone),
 * fs/nsfs.c and fs/procfs.c. Locks: proc_lock for task->nsproxy when
 * another task reads it; the counts are atomics.
 */
#include "kern/nsproxy.h"
#include "kern/pid_namespace.h"
#include "kern/user_namespace.h"
#include "kern/task.h"
#include "kern/clone.h"
#include "kern/cred.h"
#include "kern/proc_resource.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include <string.h>

/* The kinds a nsproxy carries (user namespaces go with credentials on
 * Linux), and the ones Kite can make a new instance of. */
#define NSPROXY_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | \
                       CLONE_NEWCGROUP | CLONE_NEWTIME)
#define NS_MADE (CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC)

/* The namespaces that exist once. Inode numbers: network ones are
 * allocated on Linux, from 0xF0000000 up, as Kite's new namespaces are
 * (the initial mount namespace, fs/mnt_ns.c, has 0xF0000000; the user
 * and pid ones have Linux's fixed PROC_*_INIT_INO). */
static struct ns_common init_net_ns = { .type = CLONE_NEWNET, .inum = 0xF0000001U, .refcount = 1 };

static struct nsproxy init_nsproxy = { .refcount = 1, .uts = &init_uts_ns, .pid_for_children = &init_pid_ns };

static unsigned int next_inum = 0xF0000002U; /* atomic; never reused */

/* fs/mnt_ns.c's operations and ipc/namespace.c's copy (set once at boot). */
static const struct mnt_ns_ops *mnt_ops;
static struct ns_common *(*ipc_copy)(struct ns_common *old);

void nsproxy_register_ipc(struct ns_common *init, struct ns_common *(*copy)(struct ns_common *old))
{
  init_nsproxy.ipc = init;
  ipc_copy = copy;
}

void nsproxy_register_mnt(struct ns_common *init, const struct mnt_ns_ops *ops)
{
  init_nsproxy.mnt = init;
  mnt_ops = ops;
}

unsigned int ns_alloc_inum(void)
{
  return __atomic_fetch_add(&next_inum, 1, __ATOMIC_RELAXED);
}

static const char *const kind_names[NR_NS_KINDS] = {
  [NS_IPC] = "ipc", [NS_MNT] = "mnt", [NS_NET] = "net", [NS_PID] = "pid",
  [NS_PID_FOR_CHILDREN] = "pid_for_children", [NS_USER] = "user", [NS_UTS] = "uts",
};

const char *ns_kind_name(int kind)
{
  return kind >= 0 && kind < NR_NS_KINDS ? kind_names[kind] : NULL;
}

void ns_get(struct ns_common *ns)
{
  __atomic_add_fetch(&ns->refcount, 1, __ATOMIC_RELAXED);
}

void ns_put(struct ns_common *ns)
{
  if (__atomic_sub_fetch(&ns->refcount, 1, __ATOMIC_ACQ_REL) == 0 && ns->release) {
    struct ns_common *owner = ns->owner;
    ns->release(ns);
    if (owner)
      ns_put(owner);
  }
}

/* A namespace just made (no one else sees it yet) is owned by owner. */
static void ns_set_owner(struct ns_common *ns, struct user_namespace *owner)
{
  if (ns && owner != &init_user_ns && !ns->owner) {
    get_user_ns(owner);
    ns->owner = &owner->ns;
  }
}

/* The user namespace that owns ns. */
static struct user_namespace *ns_owner(struct ns_common *ns)
{
  return ns->owner ? to_user_ns(ns->owner) : &init_user_ns;
}

bool current_chrooted(void)
{
  struct ns_common *mnt = current_mnt_ns();
  return mnt && mnt_ops && mnt_ops->chrooted && current->fs && mnt_ops->chrooted(mnt, current);
}

/* A kernel thread has no nsproxy of its own: it is in the initial ones. */
static struct nsproxy *task_nsproxy(struct task *t)
{
  return t->nsproxy ? t->nsproxy : &init_nsproxy;
}

static void nsproxy_get(struct nsproxy *n)
{
  __atomic_add_fetch(&n->refcount, 1, __ATOMIC_RELAXED);
}

/* Drop the namespaces n holds (any may be NULL) and n. */
static void nsproxy_free(struct nsproxy *n)
{
  if (n->uts)
    ns_put(&n->uts->ns);
  if (n->mnt)
    ns_put(n->mnt);
  if (n->ipc)
    ns_put(n->ipc);
  if (n->pid_for_children)
    ns_put(&n->pid_for_children->ns);
  kfree(n);
}

static void nsproxy_put(struct nsproxy *n)
{
  if (__atomic_sub_fetch(&n->refcount, 1, __ATOMIC_ACQ_REL) == 0)
    nsproxy_free(n);
}

struct pid_namespace *current_pid_ns_for_children(void)
{
  return task_nsproxy(current)->pid_for_children;
}

struct ns_common *current_mnt_ns(void)
{
  return task_nsproxy(current)->mnt;
}

struct ns_common *current_ipc_ns(void)
{
  return task_nsproxy(current)->ipc;
}

struct ns_common *task_ns_locked(struct task *t, int kind)
{
  if (!t->nsproxy && !t->is_kernel_thread)
    return NULL; /* exiting */
  struct ns_common *ns = NULL;
  switch (kind) {
  case NS_IPC: ns = task_nsproxy(t)->ipc; break;
  case NS_MNT: ns = task_nsproxy(t)->mnt; break;
  case NS_NET: ns = &init_net_ns; break;
  case NS_PID: ns = t->proc ? &pid_ns_of(t->proc->pid)->ns : &init_pid_ns.ns; break;
  case NS_PID_FOR_CHILDREN: ns = &task_nsproxy(t)->pid_for_children->ns; break;
  case NS_USER: {
    const struct cred *c = get_task_cred(t);
    ns = &c->user_ns->ns;
    ns_get(ns);
    put_cred(c);
    return ns;
  }
  case NS_UTS: ns = &task_nsproxy(t)->uts->ns; break;
  default: return NULL;
  }
  if (!ns)
    return NULL; /* before the root is mounted */
  ns_get(ns);
  return ns;
}

/* ---- making namespaces ---- */

/*
 * A copy of old with new namespaces of the kinds in flags (only NS_MADE
 * kinds: the callers have refused the others); t is the task that will
 * use it, whose root and cwd follow a new mount namespace (Linux's
 * copy_mnt_ns moves the new fs_struct's). NULL when out of memory.
 */
static struct nsproxy *nsproxy_copy(struct nsproxy *old, uint64_t flags, struct task *t,
                                    struct user_namespace *owner)
{
  struct nsproxy *n = kzalloc(sizeof(*n));
  if (!n)
    return NULL;
  n->refcount = 1;
  if (flags & CLONE_NEWUTS)
    n->uts = uts_copy(old->uts, ns_alloc_inum());
  else
    ns_get(&(n->uts = old->uts)->ns);
  if (flags & CLONE_NEWNS)
    n->mnt = mnt_ops ? mnt_ops->copy(old->mnt, t) : NULL;
  else if ((n->mnt = old->mnt))
    ns_get(n->mnt);
  if (flags & CLONE_NEWIPC)
    n->ipc = ipc_copy ? ipc_copy(old->ipc) : NULL;
  else if ((n->ipc = old->ipc))
    ns_get(n->ipc);
  n->pid_for_children = old->pid_for_children;
  ns_get(&n->pid_for_children->ns); /* a new one: the callers (unshare, clone) set it */
  if (!n->uts || (!n->mnt && old->mnt) || (!n->ipc && old->ipc)) {
    nsproxy_free(n);
    return NULL;
  }
  if (flags & CLONE_NEWUTS)
    ns_set_owner(&n->uts->ns, owner);
  if (flags & CLONE_NEWNS)
    ns_set_owner(n->mnt, owner);
  if (flags & CLONE_NEWIPC)
    ns_set_owner(n->ipc, owner);
  return n;
}

/* Current's nsproxy becomes n (whose reference it takes over). */
static void switch_nsproxy(struct nsproxy *n)
{
  struct task *t = current;
  spin_lock(&proc_lock);
  struct nsproxy *old = t->nsproxy;
  t->nsproxy = n;
  spin_unlock(&proc_lock);
  if (old)
    nsproxy_put(old);
}

int ns_clone_flags_check(uint64_t flags)
{
  if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
    return -EINVAL;
  if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
    return -EINVAL;
  if ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID)))
    return -EINVAL;
  return 0;
}

/*
 * clone's checks of the namespace flags, in Linux's order: the thread
 * rules of copy_process (kern/process.c made the new user namespace,
 * the child's, right after them), then copy_namespaces: CAP_SYS_ADMIN in
 * the child's user namespace, CLONE_NEWIPC with CLONE_SYSVSEM, then each
 * kind (EINVAL for the kinds that exist once). 0 or -errno.
 */
static int ns_clone_check(uint64_t flags, struct user_namespace *uns)
{
  int err = ns_clone_flags_check(flags);
  if (err)
    return err;
  uint64_t kinds = flags & NSPROXY_FLAGS & ~(uint64_t)CLONE_NEWTIME; /* clone's CSIGNAL bits */
  if (!kinds)
    return 0;
  if (!ns_capable(uns, CAP_SYS_ADMIN))
    return -EPERM;
  if ((flags & CLONE_NEWIPC) && (flags & CLONE_SYSVSEM))
    return -EINVAL;
  return (kinds & ~(uint64_t)NS_MADE) ? -EINVAL : 0;
}

int ns_unshare(uint64_t flags, struct user_namespace *owner)
{
  flags &= NSPROXY_FLAGS;
  if (!flags)
    return 0;
  if (!ns_capable(owner, CAP_SYS_ADMIN))
    return -EPERM;
  if (flags & ~(uint64_t)NS_MADE)
    return -EINVAL;
  struct pid_namespace *pns = NULL; /* CLONE_NEWPID: for the children only */
  if (flags & CLONE_NEWPID) {
    int err;
    if (task_nsproxy(current)->pid_for_children != current_pid_ns())
      return -EINVAL; /* one unshare until that namespace has its init */
    if (!(pns = pid_ns_create(current_pid_ns(), &err)))
      return err;
    ns_set_owner(&pns->ns, owner);
  }
  struct nsproxy *n = nsproxy_copy(task_nsproxy(current), flags, current, owner);
  if (!n) {
    if (pns)
      ns_put(&pns->ns);
    return -ENOMEM;
  }
  if (pns) {
    ns_put(&n->pid_for_children->ns);
    n->pid_for_children = pns;
  }
  switch_nsproxy(n);
  return 0;
}

/* ---- joining namespaces ---- */

/*
 * Put ns (one reference taken here) in n's slot for this kind (NS_UTS,
 * NS_IPC, NS_MNT or NS_PID_FOR_CHILDREN), dropping the one it replaces.
 * n is a copy no other task sees yet. No lock.
 */
static void nsproxy_set(struct nsproxy *n, int kind, struct ns_common *ns)
{
  struct ns_common *old = NULL;
  ns_get(ns);
  switch (kind) {
  case NS_UTS:
    old = &n->uts->ns;
    n->uts = container_of(ns, struct uts_namespace, ns);
    break;
  case NS_IPC:
    old = n->ipc;
    n->ipc = ns;
    break;
  case NS_MNT:
    old = n->mnt;
    n->mnt = ns;
    break;
  case NS_PID_FOR_CHILDREN:
    old = &n->pid_for_children->ns;
    n->pid_for_children = to_pid_ns(ns);
    break;
  }
  if (old)
    ns_put(old);
}

/*
 * Current's namespace of this kind becomes ns (Linux's install step of
 * setns): a copy of current's nsproxy with ns in that slot replaces it.
 * sys_setns has checked the caller may (and, for IPC, dropped the SEM_UNDO
 * list, which belongs to the namespace it leaves). 0 or -ENOMEM.
 */
static int nsproxy_replace(int kind, struct ns_common *ns)
{
  struct nsproxy *n = nsproxy_copy(task_nsproxy(current), 0, current, NULL);
  if (!n)
    return -ENOMEM;
  nsproxy_set(n, kind, ns);
  switch_nsproxy(n);
  return 0;
}

/* Join UTS namespace u. */
static int join_uts(struct uts_namespace *u)
{
  return task_nsproxy(current)->uts == u ? 0 : nsproxy_replace(NS_UTS, &u->ns);
}

/* Join IPC namespace ipc. */
static int join_ipc(struct ns_common *ipc)
{
  return task_nsproxy(current)->ipc == ipc ? 0 : nsproxy_replace(NS_IPC, ipc);
}

/* Join mount namespace mnt: root and cwd move to its root even when it is
 * the caller's own (Linux's mntns_install), which fails with EINVAL if the
 * fs context is shared. The copy is made first, so that a move is never
 * left without the namespace it belongs to. */
static int join_mnt(struct ns_common *mnt)
{
  struct nsproxy *n = nsproxy_copy(task_nsproxy(current), 0, current, NULL);
  if (!n)
    return -ENOMEM;
  int r = mnt_ops ? mnt_ops->enter(mnt, current) : -EINVAL;
  if (r) {
    nsproxy_put(n);
    return r;
  }
  nsproxy_set(n, NS_MNT, mnt);
  switch_nsproxy(n);
  return 0;
}

/* Join PID namespace pns for the children to come (Linux's pidns_install):
 * only the caller's own or one below it. */
static int join_pid(struct pid_namespace *pns)
{
  if (!pid_ns_within(pns, current_pid_ns()))
    return -EINVAL;
  return nsproxy_replace(NS_PID_FOR_CHILDREN, &pns->ns);
}

/*
 * Linux's install operations (a user namespace is sys_setns's, through
 * userns_install): the others want
 * CAP_SYS_ADMIN in the namespace's owner and in the caller's own user
 * namespace (and the mount namespace CAP_SYS_CHROOT there: sys_setns
 * moves the root).
 */
int ns_setns(struct ns_common *ns)
{
  if (ns->type == CLONE_NEWUSER)
    return -EINVAL; /* sys_setns calls userns_install */
  struct user_namespace *me = current_user_ns();
  if (!ns_capable(ns_owner(ns), CAP_SYS_ADMIN) || !ns_capable(me, CAP_SYS_ADMIN))
    return -EPERM;
  if (ns->type == CLONE_NEWNS && !ns_capable(me, CAP_SYS_CHROOT))
    return -EPERM;
  if (ns->type == CLONE_NEWUTS)
    return join_uts(container_of(ns, struct uts_namespace, ns));
  if (ns->type == CLONE_NEWNS)
    return join_mnt(ns);
  if (ns->type == CLONE_NEWIPC)
    return join_ipc(ns);
  if (ns->type == CLONE_NEWPID)
    return join_pid(to_pid_ns(ns));
  return 0;
}

/* The namespace of this kind process p is in, referenced, or NULL. */
static struct ns_common *process_ns(struct process *p, int kind)
{
  struct ns_common *ns = NULL;
  struct task *t;
  spin_lock(&proc_lock);
  list_for_each_entry(t, &p->threads, thread_link)
    if ((ns = task_ns_locked(t, kind)))
      break;
  spin_unlock(&proc_lock);
  return ns;
}

/*
 * setns with a pidfd changes every kind asked for or none (Linux's
 * prepare_nsset, validate_nsset and commit_nsset): the new cred (for
 * CLONE_NEWUSER) and a copy of current's nsproxy holding p's namespaces
 * are made and every kind checked first; the mount namespace's move of
 * root and cwd is the last step that can fail; then the nsproxy and the
 * cred are switched together. Capabilities are asked with the cred the
 * caller would have (in p's user namespace when it joins that too).
 */
static const struct {
  uint64_t flag;
  int kind, slot;
} setns_kinds[] = {
  { CLONE_NEWNS, NS_MNT, NS_MNT },
  { CLONE_NEWUTS, NS_UTS, NS_UTS },
  { CLONE_NEWIPC, NS_IPC, NS_IPC },
  { CLONE_NEWPID, NS_PID, NS_PID_FOR_CHILDREN },
};

static int setns_prepare(struct process *p, uint64_t flags, const struct cred *c, struct nsproxy *n)
{
  struct user_namespace *me = c->user_ns;
  if (!cred_ns_capable(c, me, CAP_SYS_ADMIN) || ((flags & CLONE_NEWNS) && !cred_ns_capable(c, me, CAP_SYS_CHROOT)))
    return -EPERM;
  for (size_t i = 0; i < sizeof(setns_kinds) / sizeof(setns_kinds[0]); i++) {
    if (!(flags & setns_kinds[i].flag))
      continue;
    struct ns_common *ns = process_ns(p, setns_kinds[i].kind);
    if (!ns)
      return -ESRCH;
    int r = !cred_ns_capable(c, ns_owner(ns), CAP_SYS_ADMIN) ? -EPERM
            : setns_kinds[i].kind == NS_PID && !pid_ns_within(to_pid_ns(ns), current_pid_ns()) ? -EINVAL
                                                                                             : 0;
    if (!r)
      nsproxy_set(n, setns_kinds[i].slot, ns);
    ns_put(ns);
    if (r)
      return r;
  }
  if (flags & CLONE_NEWNS) /* last: it moves current's root and cwd */
    return mnt_ops ? mnt_ops->enter(n->mnt, current) : -EINVAL;
  return 0;
}

int ns_setns_process(struct process *p, uint64_t flags, bool fs_shared)
{
  struct cred *cred = NULL;
  int r = 0;
  if (flags & CLONE_NEWUSER) { /* first: the other kinds are asked in it */
    struct ns_common *uns = process_ns(p, NS_USER);
    if (!uns)
      return -ESRCH;
    r = userns_prepare(to_user_ns(uns), fs_shared, &cred);
    ns_put(uns);
    if (r)
      return r;
  }
  if (flags & NSPROXY_FLAGS) {
    struct nsproxy *n = nsproxy_copy(task_nsproxy(current), 0, current, NULL);
    r = n ? setns_prepare(p, flags, cred ? cred : current_cred(), n) : -ENOMEM;
    if (!r)
      switch_nsproxy(n);
    else if (n)
      nsproxy_put(n);
  }
  if (cred) {
    if (r)
      abort_creds(cred);
    else
      commit_creds(cred);
  }
  return r;
}

/* ---- clone and exit (kern/proc_resource.h) ---- */

static int ns_fork(struct task *t, struct process *p, uint64_t flags, const struct clone_extras *x)
{
  (void)p;
  (void)x;
  struct user_namespace *uns = t->cred->user_ns; /* the child's (do_clone made a new one) */
  int err = ns_clone_check(flags, uns);
  if (err)
    return err;
  struct nsproxy *cur = task_nsproxy(current);
  if (flags & NS_MADE) {
    if (!(t->nsproxy = nsproxy_copy(cur, flags, t, uns)))
      return -ENOMEM;
    if (flags & CLONE_NEWPID) { /* do_clone made it: the child's pid is its first */
      ns_put(&t->nsproxy->pid_for_children->ns);
      ns_get(&(t->nsproxy->pid_for_children = pid_ns_of(t->tid))->ns);
      ns_set_owner(&t->nsproxy->pid_for_children->ns, uns);
    }
  } else {
    nsproxy_get(cur);
    t->nsproxy = cur;
  }
  return 0;
}

static void ns_exit_task(struct task *t)
{
  spin_lock(&proc_lock);
  struct nsproxy *n = t->nsproxy;
  t->nsproxy = NULL;
  spin_unlock(&proc_lock);
  if (n)
    nsproxy_put(n);
}

static const struct proc_resource ns_proc_resource = {
  .name = "namespaces",
  .fork = ns_fork,
  .exit_task = ns_exit_task,
};

void nsproxy_init(void)
{
  proc_resource_register(PROC_RES_NS, &ns_proc_resource);
}

void nsproxy_init_task(struct task *t)
{
  nsproxy_get(&init_nsproxy);
  t->nsproxy = &init_nsproxy;
}
