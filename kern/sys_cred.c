/*
 * sys_cred.c — the system calls that read and change credentials: the
 * set*id and get*id family and setgroups (Linux's kernel/sys.c), capget
 * and capset (kernel/capability.c), and the prctls of the capability
 * bounding set, the ambient set, keep-caps and the securebits.
 *
 * Layer: system calls. Each call checks and copies its arguments, builds
 * a new cred with prepare_creds() and the rules of kern/cred.c
 * (cred_fix_setuid, cred_fix_setfsuid: commoncap's), and installs it with
 * commit_creds() — or abort_creds() on an error. Neighbours: kern/cred.c
 * (the object and the rules), kern/sys_misc.c (prctl calls cred_prctl).
 *
 * Locks: none of its own. proc_lock while looking another task's cred up
 * (capget of a pid); a cred is immutable once committed, so the caller's
 * is read without a lock.
 */
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/syscall.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include <string.h>

/* ---- set*id (kernel/sys.c) ---- */

/* Ids go out as the caller's user namespace numbers them (65534 when it
 * has no number for one) and come in through its maps (EINVAL when it
 * has none): kern/user_namespace.h. */
static uid_t uid_out(uid_t kuid) { return from_kuid_munged(current_user_ns(), kuid); }
static gid_t gid_out(gid_t kgid) { return from_kgid_munged(current_user_ns(), kgid); }

/* A uid coming in: its kernel id in *k (-1 stays -1); false if unmapped. */
static bool uid_in(uid_t uid, uid_t *k)
{
  *k = uid == INVALID_UID ? INVALID_UID : make_kuid(current_user_ns(), uid);
  return uid == INVALID_UID || *k != INVALID_UID;
}

static bool gid_in(gid_t gid, gid_t *k)
{
  *k = gid == INVALID_GID ? INVALID_GID : make_kgid(current_user_ns(), gid);
  return gid == INVALID_GID || *k != INVALID_GID;
}

long sys_getuid(void) { return uid_out(current_cred()->uid); }
long sys_geteuid(void) { return uid_out(current_cred()->euid); }
long sys_getgid(void) { return gid_out(current_cred()->gid); }
long sys_getegid(void) { return gid_out(current_cred()->egid); }

static long commit_uid_change(struct cred *new)
{
  const struct cred *old = current_cred();
  cred_fix_setuid(new, old);
  commit_creds(new);
  return 0;
}

long sys_setuid(uid_t uid)
{
  if (uid == INVALID_UID || !uid_in(uid, &uid))
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
  if (!uid_in(ruid, &ruid) || !uid_in(euid, &euid))
    return -EINVAL;
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
  if (!uid_in(ruid, &ruid) || !uid_in(euid, &euid) || !uid_in(suid, &suid))
    return -EINVAL;
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
  uid_t prev = old->fsuid, out = uid_out(prev);
  if (uid == INVALID_UID || !uid_in(uid, &uid))
    return out;
  if (uid == old->uid || uid == old->euid || uid == old->suid || uid == old->fsuid ||
      cred_capable(old, CAP_SETUID)) {
    if (uid != prev) {
      struct cred *new = prepare_creds();
      if (!new)
        return out;
      new->fsuid = uid;
      cred_fix_setfsuid(new, old);
      commit_creds(new);
    }
  }
  return out;
}

long sys_setgid(gid_t gid)
{
  if (gid == INVALID_GID || !gid_in(gid, &gid))
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
  if (!gid_in(rgid, &rgid) || !gid_in(egid, &egid))
    return -EINVAL;
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
  if (!gid_in(rgid, &rgid) || !gid_in(egid, &egid) || !gid_in(sgid, &sgid))
    return -EINVAL;
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
  gid_t prev = old->fsgid, out = gid_out(prev);
  if (gid == INVALID_GID || !gid_in(gid, &gid))
    return out;
  if (gid == old->gid || gid == old->egid || gid == old->sgid || gid == old->fsgid ||
      cred_capable(old, CAP_SETGID)) {
    if (gid != prev) {
      struct cred *new = prepare_creds();
      if (!new)
        return out;
      new->fsgid = gid;
      commit_creds(new);
    }
  }
  return out;
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
  return put_ids(r, e, s, uid_out(c->uid), uid_out(c->euid), uid_out(c->suid));
}

long sys_getresgid(uaddr_t r, uaddr_t e, uaddr_t s)
{
  const struct cred *c = current_cred();
  return put_ids(r, e, s, gid_out(c->gid), gid_out(c->egid), gid_out(c->sgid));
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
  for (int i = 0; i < n; i++) {
    gid_t g = gid_out(gi->gid[i]);
    if (copyout(list + (uaddr_t)i * sizeof(gid_t), &g, sizeof(g)))
      return -EFAULT;
  }
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

/* CAP_SETGID in the caller's namespace, whose gid map is written and
 * whose setgroups file does not say "deny" (Linux's may_setgroups). */
long sys_setgroups(size_t size, uaddr_t list)
{
  struct user_namespace *ns = current_user_ns();
  if (!cred_capable(current_cred(), CAP_SETGID) || !userns_may_setgroups(ns))
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
  for (size_t i = 0; i < size; i++)
    if ((gi->gid[i] = make_kgid(ns, gi->gid[i])) == INVALID_GID) {
      kfree(gi);
      return -EINVAL;
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
  if (pid == 0 || (pid_t)pid == pid_vnr(current->tid)) {
    c = get_cred(current_cred());
  } else {
    spin_lock(&proc_lock);
    struct task *t = find_task_vnr((pid_t)pid);
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
  if (!cred_capable(old, CAP_SETPCAP) && !cap_issubset(inh, old->cap_inheritable | old->cap_permitted))
    return -EPERM;
  if (!cap_issubset(inh, old->cap_inheritable | old->cap_bset))
    return -EPERM;
  if (!cap_issubset(perm, old->cap_permitted))
    return -EPERM;
  if (!cap_issubset(eff, perm))
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
       cred_issecure(old, SECURE_NO_CAP_AMBIENT_RAISE)))
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
    return cred_issecure(old, SECURE_KEEP_CAPS);
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
