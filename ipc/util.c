/*
 * util.c — what System V shared memory, semaphores and message queues
 * share (ipc/ipc.h): the id tables, get-by-key, permissions, the
 * ipc64_perm layout, the tunables of /proc/sys/kernel and the id
 * sequence numbers, each the caller's IPC namespace's. Linux's
 * ipc/util.c and ipc/ipc_sysctl.c.
 *
 * Layer: ipc, the mechanism under ipc/shm.c, sem.c, msg.c; also read by
 * fs/proc_kernel.c.
 * Locks: the caller holds ids->lock for everything that takes `ids`.
 */
#include "ipc/ipc.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/cpu.h"
#include "kern/mm.h"
#include "kern/time.h"
#include "kern/errno.h"
#include <string.h>
#include <stdlib.h>

/* A new namespace's limits: Linux's defaults (namespace.c copies them). */
const struct ipc_limits ipc_default_limits = {
  .shm_ctlmax = SHMMAX_DEFAULT,
  .shm_ctlall = SHMALL_DEFAULT,
  .shm_ctlmni = SHMMNI_DEFAULT,
  .sem_ctls = { SEMMSL_DEFAULT, SEMMNS_DEFAULT, SEMOPM_DEFAULT, SEMMNI_DEFAULT },
  .msg_ctlmax = MSGMAX_DEFAULT,
  .msg_ctlmnb = MSGMNB_DEFAULT,
  .msg_ctlmni = MSGMNI_DEFAULT,
};

void ipc_ids_init(struct ipc_ids *ids)
{
  mutex_init(&ids->lock, "ipc-ids");
  ids->entries = NULL;
  ids->size = 0;
  ids->in_use = 0;
  ids->max_idx = -1;
  ids->last_idx = -1;
  ids->seq = 0;
  ids->next_id = -1;
}

int64_t ipc_now(void)
{
  return (int64_t)(time_realtime_ns() / NSEC_PER_SEC);
}

/* The C libraries of old ABIs add IPC_64 to the command; riscv64's do not. */
int ipc_strip_version(int cmd)
{
  return cmd & ~IPC_64;
}

/*
 * Make room for index idx in ids's table: double it (64 slots first) until
 * idx fits, as Linux's IDR grows with the ids in use rather than holding
 * all IPCMNI slots (256 KiB a kind) from the first object on. ids->lock
 * held; 0 or -ENOMEM.
 */
static int ipc_grow(struct ipc_ids *ids, int idx)
{
  if (idx < ids->size)
    return 0;
  int size = ids->size ? ids->size : 64;
  while (size <= idx)
    size *= 2;
  void **e = kzalloc((size_t)size * sizeof(void *));
  if (!e)
    return -ENOMEM;
  if (ids->entries)
    memcpy(e, ids->entries, (size_t)ids->size * sizeof(void *));
  kfree(ids->entries);
  ids->entries = e;
  ids->size = size;
  return 0;
}

int ipc_add(struct ipc_ids *ids, struct ipc_perm_k *p, int max)
{
  if (ids->in_use >= max)
    return -ENOSPC;
  int idx = -1;
  if (ids->next_id >= 0) {
    /* checkpoint/restore asked for this id */
    int want = ids->next_id % IPCMNI;
    uint16_t seq = (uint16_t)(ids->next_id / IPCMNI);
    if (ipc_grow(ids, want))
      return -ENOMEM;
    ids->next_id = -1;
    if (ids->entries[want])
      return -ENOSPC;
    idx = want;
    p->seq = seq;
  } else {
    for (int i = 0; i < ids->size && idx < 0; i++)
      if (!ids->entries[i])
        idx = i;
    if (idx < 0 && ids->size >= IPCMNI)
      return -ENOSPC;
    if (idx < 0) {
      idx = ids->size;
      if (ipc_grow(ids, idx))
        return -ENOMEM;
    }
    if (idx <= ids->last_idx) {
      ids->seq++;
      if (ids->seq >= IPCID_SEQ_MAX)
        ids->seq = 0;
    }
    ids->last_idx = idx;
    p->seq = ids->seq;
  }
  const struct cred *c = current_cred();
  p->uid = p->cuid = c->euid;
  p->gid = p->cgid = c->egid;
  p->id = (int)p->seq * IPCMNI + idx;
  p->deleted = false;
  ids->entries[idx] = p;
  ids->in_use++;
  if (idx > ids->max_idx)
    ids->max_idx = idx;
  return 0;
}

void ipc_remove(struct ipc_ids *ids, struct ipc_perm_k *p)
{
  int idx = p->id % IPCMNI;
  if (idx < ids->size && ids->entries[idx] == p) {
    ids->entries[idx] = NULL;
    ids->in_use--;
    while (ids->max_idx >= 0 && !ids->entries[ids->max_idx])
      ids->max_idx--;
  }
  if (ids->in_use == 0) {  /* the last one: the table goes too */
    kfree(ids->entries);
    ids->entries = NULL;
    ids->size = 0;
  }
  p->deleted = true;
}

struct ipc_perm_k *ipc_find_key(struct ipc_ids *ids, int32_t key)
{
  if (!ids->entries || key == IPC_PRIVATE)
    return NULL;
  for (int i = 0; i <= ids->max_idx; i++) {
    struct ipc_perm_k *p = ids->entries[i];
    if (p && p->key == key)
      return p;
  }
  return NULL;
}

struct ipc_perm_k *ipc_find_index(struct ipc_ids *ids, int idx)
{
  if (idx < 0)
    return NULL;
  /* the low bits only, as Linux's ipcid_to_idx: *_STAT given an id finds it */
  idx &= IPCMNI - 1;
  return idx < ids->size ? ids->entries[idx] : NULL;
}

struct ipc_perm_k *ipc_find_id(struct ipc_ids *ids, int id)
{
  if (id < 0)
    return NULL;
  struct ipc_perm_k *p = ipc_find_index(ids, id % IPCMNI);
  return p && p->id == id ? p : NULL;
}

int ipcperms(const struct ipc_perm_k *p, int flag)
{
  const struct cred *c = current_cred();
  int requested = (flag >> 6) | (flag >> 3) | flag;
  int granted = (int)p->mode;
  if (c->euid == p->cuid || c->euid == p->uid)
    granted >>= 6;
  else if (in_group_p(p->cgid) || in_group_p(p->gid))
    granted >>= 3;
  if ((requested & ~granted & 0007) && !capable(CAP_IPC_OWNER))
    return -EACCES;
  return 0;
}

int ipc_owner_check(const struct ipc_perm_k *p)
{
  const struct cred *c = current_cred();
  if (c->euid == p->cuid || c->euid == p->uid || capable(CAP_SYS_ADMIN))
    return 0;
  return -EPERM;
}

void ipc_fill_perm(const struct ipc_perm_k *p, struct ipc64_perm_u *u)
{
  memset(u, 0, sizeof(*u));
  u->key = p->key;
  u->uid = p->uid;
  u->gid = p->gid;
  u->cuid = p->cuid;
  u->cgid = p->cgid;
  u->mode = p->mode;
  u->seq = p->seq;
}

void ipc_set_perm(struct ipc_perm_k *p, const struct ipc64_perm_u *u)
{
  p->uid = u->uid;
  p->gid = u->gid;
  p->mode = (p->mode & ~0777u) | (u->mode & 0777u);
}

int ipc_get(struct ipc_ids *ids, int32_t key, int flags, uint64_t arg, const struct ipc_get_ops *ops)
{
  if (key == IPC_PRIVATE)
    return ops->create(key, flags, arg);
  struct ipc_perm_k *p = ipc_find_key(ids, key);
  if (!p) {
    if (!(flags & IPC_CREAT))
      return -ENOENT;
    return ops->create(key, flags, arg);
  }
  if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
    return -EEXIST;
  int r = ops->check ? ops->check(p, arg) : 0;
  if (r)
    return r;
  if (ipcperms(p, flags))
    return -EACCES;
  return p->id;
}

/* ---- /proc/sys/kernel ---- */

/* The table a *_next_id file sets, in the caller's namespace, or NULL. */
static struct ipc_ids *next_id_ids(const char *name)
{
  struct ipc_namespace *ns = current_ipc();
  if (!strcmp(name, "shm_next_id"))
    return &ns->shm_ids;
  if (!strcmp(name, "sem_next_id"))
    return &ns->sem_ids;
  if (!strcmp(name, "msg_next_id"))
    return &ns->msg_ids;
  return NULL;
}

bool ipc_sysctl_show(const char *name, ipc_print_fn pr, void *ctx)
{
  struct ipc_limits *l = &current_ipc()->limits;
  struct ipc_ids *ids = next_id_ids(name);
  if (ids)
    pr(ctx, "%d\n", ids->next_id);
  else if (!strcmp(name, "shmmax"))
    pr(ctx, "%lu\n", (unsigned long)l->shm_ctlmax);
  else if (!strcmp(name, "shmall"))
    pr(ctx, "%lu\n", (unsigned long)l->shm_ctlall);
  else if (!strcmp(name, "shmmni"))
    pr(ctx, "%d\n", l->shm_ctlmni);
  else if (!strcmp(name, "shm_rmid_forced"))
    pr(ctx, "%d\n", l->shm_rmid_forced);
  else if (!strcmp(name, "sem"))
    pr(ctx, "%d\t%d\t%d\t%d\n", l->sem_ctls[0], l->sem_ctls[1], l->sem_ctls[2], l->sem_ctls[3]);
  else if (!strcmp(name, "msgmax"))
    pr(ctx, "%d\n", l->msg_ctlmax);
  else if (!strcmp(name, "msgmnb"))
    pr(ctx, "%d\n", l->msg_ctlmnb);
  else if (!strcmp(name, "msgmni"))
    pr(ctx, "%d\n", l->msg_ctlmni);
  else
    return false;
  return true;
}

/* Parse up to n decimal numbers separated by blanks: how many, or -EINVAL. */
static int parse_numbers(const char *s, int64_t *v, int n)
{
  int got = 0;
  while (*s && got < n) {
    while (*s == ' ' || *s == '\t' || *s == '\n')
      s++;
    if (!*s)
      break;
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s)
      return -EINVAL;
    v[got++] = x;
    s = end;
  }
  while (*s == ' ' || *s == '\t' || *s == '\n')
    s++;
  return *s ? -EINVAL : got;
}

int ipc_sysctl_store(const char *name, const char *text)
{
  if (!capable(CAP_SYS_ADMIN) && !capable(CAP_SYS_RESOURCE))
    return -EPERM;
  int64_t v[4];
  int n = parse_numbers(text, v, !strcmp(name, "sem") ? 4 : 1);
  if (n <= 0)
    return -EINVAL;
  struct ipc_limits *l = &current_ipc()->limits;
  struct ipc_ids *ids = next_id_ids(name);
  if (ids) {
    if (v[0] < -1 || v[0] > INT32_MAX)
      return -EINVAL;
    mutex_lock(&ids->lock);
    ids->next_id = (int)v[0];
    mutex_unlock(&ids->lock);
  } else if (!strcmp(name, "shmmax")) {
    l->shm_ctlmax = (uint64_t)v[0];
  } else if (!strcmp(name, "shmall")) {
    l->shm_ctlall = (uint64_t)v[0];
  } else if (!strcmp(name, "shmmni")) {
    if (v[0] < 0 || v[0] > IPCMNI)
      return -EINVAL;
    l->shm_ctlmni = (int)v[0];
  } else if (!strcmp(name, "shm_rmid_forced")) {
    if (v[0] < 0 || v[0] > 1)
      return -EINVAL;
    l->shm_rmid_forced = (int)v[0];
  } else if (!strcmp(name, "sem")) {
    if (n != 4 || v[3] < 0 || v[3] > IPCMNI || v[0] < 0 || v[1] < 0 || v[2] < 0)
      return -EINVAL;
    for (int i = 0; i < 4; i++)
      l->sem_ctls[i] = (int)v[i];
  } else if (!strcmp(name, "msgmax")) {
    if (v[0] < 0 || v[0] > INT32_MAX)
      return -EINVAL;
    l->msg_ctlmax = (int)v[0];
  } else if (!strcmp(name, "msgmnb")) {
    if (v[0] < 0 || v[0] > INT32_MAX)
      return -EINVAL;
    l->msg_ctlmnb = (int)v[0];
  } else if (!strcmp(name, "msgmni")) {
    if (v[0] < 0 || v[0] > IPCMNI)
      return -EINVAL;
    l->msg_ctlmni = (int)v[0];
  } else {
    return -EINVAL;
  }
  return 0;
}
