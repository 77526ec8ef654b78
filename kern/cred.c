/*
 * cred.c — credentials (kern/cred.h): the cred object and its sharing,
 * the questions asked of it (capable, in_group_p, ...), and the capability
 * rules of Linux's security/commoncap.c for a change of uids and for exec.
 * The system calls that change credentials — set*id, setgroups, capget,
 * capset and the capability prctls — are kern/sys_cred.c.
 *
 * Layer: core, beside kern/process.c. Users: kern/sys_cred.c, fs/perm.c
 * (file permission), kern/sys_proc.c (kill), ipc/ (System V IPC),
 * fs/exec.c, fs/procfs (status lines).
 * Locks: cred_lock for another task's cred pointers (see cred.h).
 */
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/task.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/spinlock.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include <string.h>

static struct group_info no_groups = { .refcount = 1 << 30, .ngroups = 0 };

struct cred init_cred = {
  .refcount = 1 << 30,          /* never freed */
  .groups = &no_groups,
  .cap_permitted = CAP_FULL_SET,
  .cap_effective = CAP_FULL_SET,
  .cap_bset = CAP_FULL_SET,
  .user_ns = &init_user_ns,
};

static struct spinlock cred_lock = SPINLOCK_INIT("cred");

/* ---- the object ---- */

static void groups_get(struct group_info *gi)
{
  __atomic_add_fetch(&gi->refcount, 1, __ATOMIC_RELAXED);
}

void groups_put(struct group_info *gi)
{
  if (__atomic_sub_fetch(&gi->refcount, 1, __ATOMIC_ACQ_REL) == 0)
    kfree(gi);
}

const struct cred *get_cred(const struct cred *c)
{
  __atomic_add_fetch(&((struct cred *)c)->refcount, 1, __ATOMIC_RELAXED);
  return c;
}

void put_cred(const struct cred *c)
{
  struct cred *m = (struct cred *)c;
  if (!m || __atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  groups_put(m->groups);
  put_user_ns(m->user_ns);
  kfree(m);
}

const struct cred *current_cred(void)
{
  struct task *t = current;
  return t && t->cred ? t->cred : &init_cred;
}

static const struct cred *current_real_cred(void)
{
  struct task *t = current;
  return t && t->real_cred ? t->real_cred : &init_cred;
}

struct cred *prepare_creds(void)
{
  struct cred *n = kmalloc(sizeof(*n));
  if (!n)
    return NULL;
  *n = *current_cred();
  n->refcount = 1;
  groups_get(n->groups);
  get_user_ns(n->user_ns);
  return n;
}

void abort_creds(struct cred *new)
{
  put_cred(new);
}

/*
 * Install `new` as both cred pointers of the current task. A change of the
 * effective or file-system ids makes the process non-dumpable, as on Linux.
 */
void commit_creds(struct cred *new)
{
  struct task *t = current;
  const struct cred *old = current_real_cred();
  if (old->euid != new->euid || old->egid != new->egid || old->fsuid != new->fsuid ||
      old->fsgid != new->fsgid)
    t->proc->dumpable = 0;
  spin_lock(&cred_lock);
  const struct cred *oc = t->cred, *orc = t->real_cred;
  t->real_cred = get_cred(new);
  t->cred = new;
  spin_unlock(&cred_lock);
  put_cred(oc);
  put_cred(orc);
}

const struct cred *override_creds(const struct cred *new)
{
  struct task *t = current;
  const struct cred *old = t->cred;
  get_cred(new);
  spin_lock(&cred_lock);
  t->cred = new;
  spin_unlock(&cred_lock);
  return old;
}

void revert_creds(const struct cred *old)
{
  struct task *t = current;
  spin_lock(&cred_lock);
  const struct cred *cur = t->cred;
  t->cred = old;
  spin_unlock(&cred_lock);
  put_cred(cur);
}

const struct cred *get_task_cred(struct task *t)
{
  spin_lock(&cred_lock);
  const struct cred *c = t->real_cred ? t->real_cred : &init_cred;
  get_cred(c);
  spin_unlock(&cred_lock);
  return c;
}

const struct cred *get_process_cred_locked(struct process *p)
{
  if (list_empty(&p->threads))
    return NULL;
  return get_task_cred(list_first_entry(&p->threads, struct task, thread_link));
}

void cred_copy_to_task(struct task *child, struct task *parent)
{
  const struct cred *c = parent && parent->real_cred ? parent->real_cred : &init_cred;
  child->real_cred = get_cred(c);
  child->cred = get_cred(c);
}

void cred_install_task(struct task *t, const struct cred *c)
{
  if (!c)
    c = &init_cred;
  cred_release_task(t);
  t->real_cred = get_cred(c);
  t->cred = get_cred(c);
}

void cred_release_task(struct task *t)
{
  put_cred(t->cred);
  put_cred(t->real_cred);
  t->cred = t->real_cred = NULL;
}

/* Tasks whose real uid is uid (RLIMIT_NPROC). Takes proc_lock, then cred_lock. */
int count_user_tasks(uid_t uid)
{
  int n = 0;
  spin_lock(&proc_lock);
  spin_lock(&cred_lock);
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link) {
    struct task *t;
    list_for_each_entry(t, &p->threads, thread_link)
      if (t->real_cred && t->real_cred->uid == uid)
        n++;
  }
  spin_unlock(&cred_lock);
  spin_unlock(&proc_lock);
  return n;
}

/* ---- questions ---- */

bool cred_capable(const struct cred *c, int cap)
{
  return cap_valid(cap) && (c->cap_effective & CAP_TO_MASK(cap));
}

bool capable(int cap)
{
  return ns_capable(&init_user_ns, cap);
}

bool capable_wrt_inode_uidgid(const struct inode *ino, int cap)
{
  struct user_namespace *ns = current_user_ns();
  return ns_capable(ns, cap) && kuid_has_mapping(ns, ino->uid) && kgid_has_mapping(ns, ino->gid);
}

bool groups_search(const struct group_info *gi, gid_t gid)
{
  int lo = 0, hi = gi->ngroups - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (gi->gid[mid] == gid)
      return true;
    if (gi->gid[mid] < gid)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return false;
}

bool check_same_owner(struct task *t)
{
  if (t == current)
    return true;
  const struct cred *c = current_cred(), *tc = get_task_cred(t);
  bool same = c->euid == tc->euid || c->euid == tc->uid;
  put_cred(tc);
  return same;
}

int ptrace_may_read(struct task *t)
{
  if (t->proc == current->proc)
    return 0;
  const struct cred *c = current_cred(), *tc = get_task_cred(t);
  bool same = c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid && c->gid == tc->egid &&
              c->gid == tc->sgid && c->gid == tc->gid;
  put_cred(tc);
  if (!same && !capable(CAP_SYS_PTRACE))
    return -EPERM;
  if (!t->proc->dumpable && !capable(CAP_SYS_PTRACE))
    return -EPERM;
  return 0;
}

bool in_group_p(gid_t gid)
{
  const struct cred *c = current_cred();
  return c->fsgid == gid || groups_search(c->groups, gid);
}

bool in_egroup_p(gid_t gid)
{
  const struct cred *c = current_cred();
  return c->egid == gid || groups_search(c->groups, gid);
}

/* ---- capability transitions (security/commoncap.c) ---- */

void cred_fix_setuid(struct cred *new, const struct cred *old)
{
  if (cred_issecure(new, SECURE_NO_SETUID_FIXUP))
    return;
  uid_t root = make_kuid(old->user_ns, 0); /* root is uid 0 of the cred's namespace */
  bool old_root = old->uid == root || old->euid == root || old->suid == root;
  bool new_root = new->uid == root || new->euid == root || new->suid == root;
  if (old_root && !new_root) {
    if (!cred_issecure(new, SECURE_KEEP_CAPS)) {
      new->cap_permitted = 0;
      new->cap_effective = 0;
    }
    new->cap_ambient = 0;
  }
  if (old->euid == root && new->euid != root)
    new->cap_effective = 0;
  if (old->euid != root && new->euid == root)
    new->cap_effective = new->cap_permitted;
}

void cred_fix_setfsuid(struct cred *new, const struct cred *old)
{
  if (cred_issecure(new, SECURE_NO_SETUID_FIXUP))
    return;
  uid_t root = make_kuid(old->user_ns, 0);
  if (old->fsuid == root && new->fsuid != root)
    new->cap_effective &= ~CAP_FS_MASK;
  if (old->fsuid != root && new->fsuid == root)
    new->cap_effective |= new->cap_permitted & CAP_FS_MASK;
}

/* ---- exec (fs/exec.c bprm_fill_uid, commoncap.c cap_bprm_creds_from_file) ---- */

int exec_prepare_creds(struct exec_creds *ec, const struct inode *ino, bool nosuid)
{
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  const struct cred *old = current_cred();
  new->securebits &= ~SECBIT(SECURE_KEEP_CAPS);
  /* Set-id bits count only when the file's owner and group both have a
   * number in the caller's user namespace (Linux's bprm_fill_uid). */
  if (!nosuid && !current->no_new_privs && kuid_has_mapping(new->user_ns, ino->uid) &&
      kgid_has_mapping(new->user_ns, ino->gid)) {
    if (ino->mode & S_ISUID)
      new->euid = ino->uid;
    if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
      new->egid = ino->gid;
  }
  /* No file capabilities: root (real or effective) gets the bounding and
   * inheritable sets; everyone else keeps only the ambient set. */
  bool effective = false;
  new->cap_permitted = 0;
  uid_t root = make_kuid(new->user_ns, 0); /* root of the caller's namespace */
  if (!cred_issecure(new, SECURE_NOROOT)) {
    if (new->euid == root || new->uid == root)
      new->cap_permitted = old->cap_bset | old->cap_inheritable;
    if (new->euid == root)
      effective = true;
  }
  bool is_setid = new->euid != old->uid || new->egid != old->gid;
  new->suid = new->fsuid = new->euid;
  new->sgid = new->fsgid = new->egid;
  if (is_setid)
    new->cap_ambient = 0;
  new->cap_permitted |= new->cap_ambient;
  new->cap_effective = effective ? new->cap_permitted : new->cap_ambient;
  bool grew = !cap_issubset(new->cap_permitted, old->cap_permitted | old->cap_ambient);
  ec->secureexec = is_setid || (new->uid != root && (effective || grew));
  ec->new = new;
  return 0;
}

void exec_commit_creds(struct exec_creds *ec)
{
  const struct cred *old = current_cred();
  bool dumpable = old->euid == ec->new->euid && old->egid == ec->new->egid && !ec->secureexec;
  commit_creds(ec->new);
  ec->new = NULL;
  current->proc->dumpable = dumpable ? 1 : 0;
  if (!dumpable)
    current->pdeath_signal = 0;
}

/* ---- /proc/<pid>/status ---- */

/* The ids as the reader's user namespace numbers them. */
void cred_show_status(const struct cred *c, cred_print_fn pr, void *ctx)
{
  struct user_namespace *ns = current_user_ns();
  pr(ctx, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t", from_kuid_munged(ns, c->uid),
     from_kuid_munged(ns, c->euid), from_kuid_munged(ns, c->suid), from_kuid_munged(ns, c->fsuid),
     from_kgid_munged(ns, c->gid), from_kgid_munged(ns, c->egid), from_kgid_munged(ns, c->sgid),
     from_kgid_munged(ns, c->fsgid));
  for (int i = 0; i < c->groups->ngroups; i++)
    pr(ctx, "%u ", from_kgid_munged(ns, c->groups->gid[i]));
  pr(ctx, "\n");
}

void cred_show_caps(const struct cred *c, cred_print_fn pr, void *ctx)
{
  pr(ctx, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\nCapAmb:\t%016lx\n",
     (unsigned long)c->cap_inheritable, (unsigned long)c->cap_permitted,
     (unsigned long)c->cap_effective, (unsigned long)c->cap_bset, (unsigned long)c->cap_ambient);
}
