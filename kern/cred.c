/*
 * cred.c — credentials (kern/cred.h): the cred object and its sharing,
 * capabilities, and the rules of Linux's kernel/sys.c, kernel/capability.c
 * and security/commoncap.c for changing them — the set*id calls,
 * setgroups, capset, the securebits and the capability transitions on
 * setuid and exec.
 *
 * Layer: process mechanism, beside kern/process.c. Users: fs/perm.c (file
 * permission), kern/sys_proc.c (kill), ipc/ (System V IPC), fs/exec.c.
 * Locks: cred_lock for another task's cred pointers (see cred.h).
 */
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include "kern/spinlock.h"
#include "fs/vfs.h"
#include <string.h>

static struct group_info no_groups = { .refcount = 1 << 30, .ngroups = 0 };

struct cred init_cred = {
  .refcount = 1 << 30,          /* never freed */
  .groups = &no_groups,
  .cap_permitted = CAP_FULL_SET,
  .cap_effective = CAP_FULL_SET,
  .cap_bset = CAP_FULL_SET,
};

static struct spinlock cred_lock = SPINLOCK_INIT("cred");

/* ---- the object ---- */

static void groups_get(struct group_info *gi)
{
  __atomic_add_fetch(&gi->refcount, 1, __ATOMIC_RELAXED);
}

static void groups_put(struct group_info *gi)
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

void cred_copy_to_task(struct task *child, struct task *parent)
{
  const struct cred *c = parent && parent->real_cred ? parent->real_cred : &init_cred;
  child->real_cred = get_cred(c);
  child->cred = get_cred(c);
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
  return cred_capable(current_cred(), cap);
}

bool capable_wrt_inode_uidgid(const struct inode *ino, int cap)
{
  (void)ino; /* every id is mapped: there are no user namespaces */
  return capable(cap);
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

static bool issecure(const struct cred *c, int bit)
{
  return c->securebits & SECBIT(bit);
}

/* After a change of uids by setuid/setreuid/setresuid. */
static void fix_setuid(struct cred *new, const struct cred *old)
{
  if (issecure(new, SECURE_NO_SETUID_FIXUP))
    return;
  bool old_root = old->uid == 0 || old->euid == 0 || old->suid == 0;
  bool new_root = new->uid == 0 || new->euid == 0 || new->suid == 0;
  if (old_root && !new_root) {
    if (!issecure(new, SECURE_KEEP_CAPS)) {
      new->cap_permitted = 0;
      new->cap_effective = 0;
    }
    new->cap_ambient = 0;
  }
  if (old->euid == 0 && new->euid != 0)
    new->cap_effective = 0;
  if (old->euid != 0 && new->euid == 0)
    new->cap_effective = new->cap_permitted;
}

/* After a change of the fsuid (setfsuid, and every uid change). */
static void fix_setfsuid(struct cred *new, const struct cred *old)
{
  if (issecure(new, SECURE_NO_SETUID_FIXUP))
    return;
  if (old->fsuid == 0 && new->fsuid != 0)
    new->cap_effective &= ~CAP_FS_MASK;
  if (old->fsuid != 0 && new->fsuid == 0)
    new->cap_effective |= new->cap_permitted & CAP_FS_MASK;
}

/* ---- set*id (kernel/sys.c) ---- */

long sys_getuid(void) { return current_cred()->uid; }
long sys_geteuid(void) { return current_cred()->euid; }
long sys_getgid(void) { return current_cred()->gid; }
long sys_getegid(void) { return current_cred()->egid; }

static long commit_uid_change(struct cred *new)
{
  const struct cred *old = current_cred();
  fix_setuid(new, old);
  commit_creds(new);
  return 0;
}

long sys_setuid(uid_t uid)
{
  if (uid == INVALID_UID)
    return -EINVAL;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  const struct cred *old = current_cred();
  if (cred_capable(old, CAP_SETUID)) {
    new->uid = new->suid = uid;
  } else if (uid != old->uid && uid != old->suid) {
    abort_creds(new);
    return -EPERM;
  }
  new->euid = new->fsuid = uid;
  return commit_uid_change(new);
}

long sys_setreuid(uid_t ruid, uid_t euid)
{
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  const struct cred *old = current_cred();
  bool cap = cred_capable(old, CAP_SETUID);
  if (ruid != INVALID_UID) {
    if (old->uid != ruid && old->euid != ruid && !cap)
      goto eperm;
    new->uid = ruid;
  }
  if (euid != INVALID_UID) {
    if (old->uid != euid && old->euid != euid && old->suid != euid && !cap)
      goto eperm;
    new->euid = euid;
  }
  if (ruid != INVALID_UID || (euid != INVALID_UID && euid != old->uid))
    new->suid = new->euid;
  new->fsuid = new->euid;
  return commit_uid_change(new);
eperm:
  abort_creds(new);
  return -EPERM;
}

long sys_setresuid(uid_t ruid, uid_t euid, uid_t suid)
{
  const struct cred *old = current_cred();
  if (!cred_capable(old, CAP_SETUID)) {
    uid_t ids[3] = { ruid, euid, suid };
    for (int i = 0; i < 3; i++)
      if (ids[i] != INVALID_UID && ids[i] != old->uid && ids[i] != old->euid && ids[i] != old->suid)
        return -EPERM;
  }
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  if (ruid != INVALID_UID)
    new->uid = ruid;
  if (euid != INVALID_UID)
    new->euid = euid;
  if (suid != INVALID_UID)
    new->suid = suid;
  new->fsuid = new->euid;
  return commit_uid_change(new);
}

long sys_setfsuid(uid_t uid)
{
  const struct cred *old = current_cred();
  uid_t prev = old->fsuid;
  if (uid == INVALID_UID)
    return prev;
  if (uid == old->uid || uid == old->euid || uid == old->suid || uid == old->fsuid ||
      cred_capable(old, CAP_SETUID)) {
    if (uid != prev) {
      struct cred *new = prepare_creds();
      if (!new)
        return prev;
      new->fsuid = uid;
      fix_setfsuid(new, old);
      commit_creds(new);
    }
  }
  return prev;
}

long sys_setgid(gid_t gid)
{
  if (gid == INVALID_GID)
    return -EINVAL;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  const struct cred *old = current_cred();
  if (cred_capable(old, CAP_SETGID)) {
    new->gid = new->sgid = gid;
  } else if (gid != old->gid && gid != old->sgid) {
    abort_creds(new);
    return -EPERM;
  }
  new->egid = new->fsgid = gid;
  commit_creds(new);
  return 0;
}

long sys_setregid(gid_t rgid, gid_t egid)
{
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  const struct cred *old = current_cred();
  bool cap = cred_capable(old, CAP_SETGID);
  if (rgid != INVALID_GID) {
    if (old->gid != rgid && old->egid != rgid && !cap)
      goto eperm;
    new->gid = rgid;
  }
  if (egid != INVALID_GID) {
    if (old->gid != egid && old->egid != egid && old->sgid != egid && !cap)
      goto eperm;
    new->egid = egid;
  }
  if (rgid != INVALID_GID || (egid != INVALID_GID && egid != old->gid))
    new->sgid = new->egid;
  new->fsgid = new->egid;
  commit_creds(new);
  return 0;
eperm:
  abort_creds(new);
  return -EPERM;
}

long sys_setresgid(gid_t rgid, gid_t egid, gid_t sgid)
{
  const struct cred *old = current_cred();
  if (!cred_capable(old, CAP_SETGID)) {
    gid_t ids[3] = { rgid, egid, sgid };
    for (int i = 0; i < 3; i++)
      if (ids[i] != INVALID_GID && ids[i] != old->gid && ids[i] != old->egid && ids[i] != old->sgid)
        return -EPERM;
  }
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  if (rgid != INVALID_GID)
    new->gid = rgid;
  if (egid != INVALID_GID)
    new->egid = egid;
  if (sgid != INVALID_GID)
    new->sgid = sgid;
  new->fsgid = new->egid;
  commit_creds(new);
  return 0;
}

long sys_setfsgid(gid_t gid)
{
  const struct cred *old = current_cred();
  gid_t prev = old->fsgid;
  if (gid == INVALID_GID)
    return prev;
  if (gid == old->gid || gid == old->egid || gid == old->sgid || gid == old->fsgid ||
      cred_capable(old, CAP_SETGID)) {
    if (gid != prev) {
      struct cred *new = prepare_creds();
      if (!new)
        return prev;
      new->fsgid = gid;
      commit_creds(new);
    }
  }
  return prev;
}

static long put_ids(uaddr_t a, uaddr_t b, uaddr_t c, uint32_t x, uint32_t y, uint32_t z)
{
  if (put_user_u32(a, x) || put_user_u32(b, y) || put_user_u32(c, z))
    return -EFAULT;
  return 0;
}

long sys_getresuid(uaddr_t r, uaddr_t e, uaddr_t s)
{
  const struct cred *c = current_cred();
  return put_ids(r, e, s, c->uid, c->euid, c->suid);
}

long sys_getresgid(uaddr_t r, uaddr_t e, uaddr_t s)
{
  const struct cred *c = current_cred();
  return put_ids(r, e, s, c->gid, c->egid, c->sgid);
}

/* ---- supplementary groups ---- */

long sys_getgroups(int size, uaddr_t list)
{
  if (size < 0)
    return -EINVAL;
  const struct group_info *gi = current_cred()->groups;
  int n = gi->ngroups;
  if (size == 0)
    return n;
  if (size < n)
    return -EINVAL;
  if (n && copyout(list, gi->gid, (size_t)n * sizeof(gid_t)))
    return -EFAULT;
  return n;
}

static void sort_gids(gid_t *g, int n)
{
  /* Shell sort: setgroups lists are short, and this needs no extra memory. */
  for (int gap = n / 2; gap > 0; gap /= 2)
    for (int i = gap; i < n; i++)
      for (int j = i; j >= gap && g[j - gap] > g[j]; j -= gap) {
        gid_t x = g[j];
        g[j] = g[j - gap];
        g[j - gap] = x;
      }
}

long sys_setgroups(size_t size, uaddr_t list)
{
  if (!capable(CAP_SETGID))
    return -EPERM;
  if (size > NGROUPS_MAX)
    return -EINVAL;
  struct group_info *gi = kmalloc(sizeof(*gi) + size * sizeof(gid_t));
  if (!gi)
    return -ENOMEM;
  gi->refcount = 1;
  gi->ngroups = (int)size;
  if (size && copyin(gi->gid, list, size * sizeof(gid_t))) {
    kfree(gi);
    return -EFAULT;
  }
  sort_gids(gi->gid, gi->ngroups);
  struct cred *new = prepare_creds();
  if (!new) {
    kfree(gi);
    return -ENOMEM;
  }
  groups_put(new->groups);
  new->groups = gi;
  commit_creds(new);
  return 0;
}

/* ---- capget / capset (kernel/capability.c) ---- */

#define LINUX_CAPABILITY_VERSION_1 0x19980330
#define LINUX_CAPABILITY_VERSION_2 0x20071026
#define LINUX_CAPABILITY_VERSION_3 0x20080522

struct cap_data {
  uint32_t effective, permitted, inheritable;
};

/* How many 32-bit words the header's version carries, or -EINVAL (the
 * preferred version is then written back, as Linux does). */
static long cap_words(uaddr_t header)
{
  uint32_t version;
  if (get_user_u32(&version, header))
    return -EFAULT;
  switch (version) {
  case LINUX_CAPABILITY_VERSION_1:
    return 1;
  case LINUX_CAPABILITY_VERSION_2:
  case LINUX_CAPABILITY_VERSION_3:
    return 2;
  default:
    if (put_user_u32(header, LINUX_CAPABILITY_VERSION_3))
      return -EFAULT;
    return -EINVAL;
  }
}

long sys_capget(uaddr_t header, uaddr_t data)
{
  long words = cap_words(header);
  if (!data)
    return words == -EINVAL ? 0 : words < 0 ? words : 0;
  if (words < 0)
    return words;
  uint32_t pid;
  if (get_user_u32(&pid, header + 4))
    return -EFAULT;
  if ((int32_t)pid < 0)
    return -EINVAL;
  const struct cred *c;
  if (pid == 0 || (pid_t)pid == current->tid) {
    c = get_cred(current_cred());
  } else {
    spin_lock(&proc_lock);
    struct task *t = find_task((pid_t)pid);
    c = t ? get_task_cred(t) : NULL;
    spin_unlock(&proc_lock);
    if (!c)
      return -ESRCH;
  }
  struct cap_data d[2];
  for (int i = 0; i < 2; i++) {
    d[i].effective = (uint32_t)(c->cap_effective >> (32 * i));
    d[i].permitted = (uint32_t)(c->cap_permitted >> (32 * i));
    d[i].inheritable = (uint32_t)(c->cap_inheritable >> (32 * i));
  }
  put_cred(c);
  return copyout(data, d, (size_t)words * sizeof(d[0])) ? -EFAULT : 0;
}

static bool subset(kernel_cap_t a, kernel_cap_t b)
{
  return (a & ~b) == 0;
}

long sys_capset(uaddr_t header, uaddr_t data)
{
  long words = cap_words(header);
  if (words < 0)
    return words;
  uint32_t pid;
  if (get_user_u32(&pid, header + 4))
    return -EFAULT;
  if (pid != 0 && (pid_t)pid != current->tid)
    return -EPERM;
  struct cap_data d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
  if (copyin(d, data, (size_t)words * sizeof(d[0])))
    return -EFAULT;
  kernel_cap_t eff = 0, perm = 0, inh = 0;
  for (int i = 0; i < 2; i++) {
    eff |= (kernel_cap_t)d[i].effective << (32 * i);
    perm |= (kernel_cap_t)d[i].permitted << (32 * i);
    inh |= (kernel_cap_t)d[i].inheritable << (32 * i);
  }
  eff &= CAP_FULL_SET;
  perm &= CAP_FULL_SET;
  inh &= CAP_FULL_SET;
  const struct cred *old = current_cred();
  /* security/commoncap.c cap_capset */
  if (!cred_capable(old, CAP_SETPCAP) && !subset(inh, old->cap_inheritable | old->cap_permitted))
    return -EPERM;
  if (!subset(inh, old->cap_inheritable | old->cap_bset))
    return -EPERM;
  if (!subset(perm, old->cap_permitted))
    return -EPERM;
  if (!subset(eff, perm))
    return -EPERM;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  new->cap_effective = eff;
  new->cap_permitted = perm;
  new->cap_inheritable = inh;
  new->cap_ambient &= perm & inh;
  commit_creds(new);
  return 0;
}

/* ---- prctl: capability bounding set, ambient set, securebits, keepcaps ---- */

#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_CAPBSET_READ 23
#define PR_CAPBSET_DROP 24
#define PR_GET_SECUREBITS 27
#define PR_SET_SECUREBITS 28
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4

static long set_securebits(const struct cred *old, unsigned bits)
{
  /* Locked bits cannot change; locks cannot be removed; CAP_SETPCAP needed. */
  unsigned locked = (old->securebits & SECURE_ALL_LOCKS) >> 1;
  if (((old->securebits ^ bits) & locked) || ((old->securebits & SECURE_ALL_LOCKS) & ~bits) ||
      (bits & ~(SECURE_ALL_BITS | SECURE_ALL_LOCKS)) || !cred_capable(old, CAP_SETPCAP))
    return -EPERM;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  new->securebits = bits;
  commit_creds(new);
  return 0;
}

static long cap_ambient(const struct cred *old, uint64_t op, uint64_t cap, uint64_t a4, uint64_t a5)
{
  if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
    if (cap || a4 || a5)
      return -EINVAL;
    struct cred *new = prepare_creds();
    if (!new)
      return -ENOMEM;
    new->cap_ambient = 0;
    commit_creds(new);
    return 0;
  }
  if (a4 || a5 || !cap_valid((long)cap))
    return -EINVAL;
  kernel_cap_t m = CAP_TO_MASK(cap);
  if (op == PR_CAP_AMBIENT_IS_SET)
    return (old->cap_ambient & m) != 0;
  if (op != PR_CAP_AMBIENT_RAISE && op != PR_CAP_AMBIENT_LOWER)
    return -EINVAL;
  if (op == PR_CAP_AMBIENT_RAISE &&
      (!(old->cap_permitted & m) || !(old->cap_inheritable & m) ||
       issecure(old, SECURE_NO_CAP_AMBIENT_RAISE)))
    return -EPERM;
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  if (op == PR_CAP_AMBIENT_RAISE)
    new->cap_ambient |= m;
  else
    new->cap_ambient &= ~m;
  commit_creds(new);
  return 0;
}

long cred_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5,
                bool *handled)
{
  const struct cred *old = current_cred();
  *handled = true;
  switch (option) {
  case PR_GET_KEEPCAPS:
    return issecure(old, SECURE_KEEP_CAPS);
  case PR_SET_KEEPCAPS:
    if (arg2 > 1)
      return -EINVAL;
    if (old->securebits & SECBIT(SECURE_KEEP_CAPS_LOCKED))
      return -EPERM;
    {
      struct cred *new = prepare_creds();
      if (!new)
        return -ENOMEM;
      if (arg2)
        new->securebits |= SECBIT(SECURE_KEEP_CAPS);
      else
        new->securebits &= ~SECBIT(SECURE_KEEP_CAPS);
      commit_creds(new);
    }
    return 0;
  case PR_CAPBSET_READ:
    if (!cap_valid((long)arg2))
      return -EINVAL;
    return (old->cap_bset & CAP_TO_MASK(arg2)) != 0;
  case PR_CAPBSET_DROP:
    if (!cred_capable(old, CAP_SETPCAP))
      return -EPERM;
    if (!cap_valid((long)arg2))
      return -EINVAL;
    {
      struct cred *new = prepare_creds();
      if (!new)
        return -ENOMEM;
      new->cap_bset &= ~CAP_TO_MASK(arg2);
      commit_creds(new);
    }
    return 0;
  case PR_GET_SECUREBITS:
    return old->securebits;
  case PR_SET_SECUREBITS:
    return set_securebits(old, (unsigned)arg2);
  case PR_CAP_AMBIENT:
    return cap_ambient(old, arg2, arg3, arg4, arg5);
  default:
    *handled = false;
    return -EINVAL;
  }
}

/* ---- exec (fs/exec.c bprm_fill_uid, commoncap.c cap_bprm_creds_from_file) ---- */

int exec_prepare_creds(struct exec_creds *ec, const struct inode *ino, bool nosuid)
{
  struct cred *new = prepare_creds();
  if (!new)
    return -ENOMEM;
  const struct cred *old = current_cred();
  new->securebits &= ~SECBIT(SECURE_KEEP_CAPS);
  if (!nosuid && !current->no_new_privs) {
    if (ino->mode & S_ISUID)
      new->euid = ino->uid;
    if ((ino->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
      new->egid = ino->gid;
  }
  /* No file capabilities: root (real or effective) gets the bounding and
   * inheritable sets; everyone else keeps only the ambient set. */
  bool effective = false;
  new->cap_permitted = 0;
  if (!issecure(new, SECURE_NOROOT)) {
    if (new->euid == 0 || new->uid == 0)
      new->cap_permitted = old->cap_bset | old->cap_inheritable;
    if (new->euid == 0)
      effective = true;
  }
  bool is_setid = new->euid != old->uid || new->egid != old->gid;
  new->suid = new->fsuid = new->euid;
  new->sgid = new->fsgid = new->egid;
  if (is_setid)
    new->cap_ambient = 0;
  new->cap_permitted |= new->cap_ambient;
  new->cap_effective = effective ? new->cap_permitted : new->cap_ambient;
  bool grew = !subset(new->cap_permitted, old->cap_permitted | old->cap_ambient);
  ec->secureexec = is_setid || (new->uid != 0 && (effective || grew));
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

void cred_show_status(const struct cred *c, cred_print_fn pr, void *ctx)
{
  pr(ctx, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nGroups:\t", c->uid, c->euid, c->suid,
     c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
  for (int i = 0; i < c->groups->ngroups; i++)
    pr(ctx, "%u ", c->groups->gid[i]);
  pr(ctx, "\n");
}

void cred_show_caps(const struct cred *c, cred_print_fn pr, void *ctx)
{
  pr(ctx, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\nCapAmb:\t%016lx\n",
     (unsigned long)c->cap_inheritable, (unsigned long)c->cap_permitted,
     (unsigned long)c->cap_effective, (unsigned long)c->cap_bset, (unsigned long)c->cap_ambient);
}
