/*
 * namespace.c — IPC namespaces (Linux's ipc/namespace.c): each has its own
 * System V tables (shm.c, sem.c, msg.c), the limits of /proc/sys/kernel
 * and its POSIX message queues (fs/mqueue.c). docs/namespaces.md.
 *
 * A new namespace starts empty, with Linux's default limits; its last
 * reference (the last task left, no nsfs file holds it, no shared memory
 * mapping or SEM_UNDO list is left) removes every object in it.
 *
 * Layer: ipc. The core (kern/nsproxy.c) cannot call this layer: ipc_init
 * registers the initial namespace and the copy operation with it at boot.
 * Locks: none of its own; each table's mutex, taken by the *_exit_ns.
 */
#include "ipc/ipc.h"
#include "fs/mqueue.h"
#include "kern/mm.h"
#include "kern/clone.h"
#include "kern/errno.h"

static void ipc_ns_release(struct ns_common *ns);

/* The initial namespace: Linux's fixed inode number PROC_IPC_INIT_INO. */
static struct ipc_namespace init_ipc_ns = {
  .ns = { .type = CLONE_NEWIPC, .inum = 0xEFFFFFFFU, .refcount = 1 },
};

static void ipc_ns_setup(struct ipc_namespace *ns)
{
  ipc_ids_init(&ns->shm_ids);
  ipc_ids_init(&ns->sem_ids);
  ipc_ids_init(&ns->msg_ids);
  ns->limits = ipc_default_limits;
}

/* A new, empty namespace (kern/nsproxy.c's copy for CLONE_NEWIPC): one
 * reference, or NULL when out of memory. `old` gives nothing to it. */
static struct ns_common *ipc_ns_copy(struct ns_common *old)
{
  (void)old;
  struct ipc_namespace *ns = kzalloc(sizeof(*ns));
  if (!ns)
    return NULL;
  if (!(ns->mq = mq_ns_create())) {
    kfree(ns);
    return NULL;
  }
  ipc_ns_setup(ns);
  ns->ns.type = CLONE_NEWIPC;
  ns->ns.inum = ns_alloc_inum();
  ns->ns.refcount = 1;
  ns->ns.release = ipc_ns_release;
  return &ns->ns;
}

/* The last reference went: every object goes, then the namespace (Linux's
 * free_ipc_ns). Runs where the last ns_put ran — possibly a shm mapping's
 * close, under mm->lock, which ranks above the tables' locks. */
static void ipc_ns_release(struct ns_common *n)
{
  struct ipc_namespace *ns = container_of(n, struct ipc_namespace, ns);
  shm_exit_ns(ns);
  sem_exit_ns(ns);
  msg_exit_ns(ns);
  mq_ns_destroy(ns->mq);
  kfree(ns);
}

void ipc_init(void)
{
  ipc_ns_setup(&init_ipc_ns);
  init_ipc_ns.mq = mq_ns_initial();
  sem_init();
  nsproxy_register_ipc(&init_ipc_ns.ns, ipc_ns_copy);
}
