/*
 * namespace.c — IPC namespaces (Linux's ipc/namespace.c): each has its own
 * System V tables (shm.c, sem.c, msg.c), the limits of /proc/sys/kernel
 * and its POSIX message queues (fs/mqueue.c). docs/namespaces.md.
 *
 * A new namespace starts empty, with Linux's default limits; its last
 * reference (the last task left, no nsfs file holds it, no shared memory
 * mapping or SEM_UNDO list is left) removes every object in it — not
 * there, but in the "ipcns" kernel thread (Linux's free_ipc_work): the
 * last reference may go in a shared memory mapping's close, under
 * mm->lock, which ranks below the locks the removal takes (the tables'
 * and the mqueue root inode's).
 *
 * Layer: ipc. The core (kern/nsproxy.c) cannot call this layer: ipc_init
 * registers the initial namespace and the copy operation with it at boot.
 * Locks: worker_lock (a mutex) for starting the thread; the list of
 * namespaces to free is a lock-free stack (free_list); each table's
 * mutex and the mqueue root's inode lock, taken by the worker.
 */
#include "ipc/ipc.h"
#include "fs/mqueue.h"
#include "kern/mm.h"
#include "kern/clone.h"
#include "kern/errno.h"
#include "kern/task.h"
#include "kern/wait.h"

static void ipc_ns_release(struct ns_common *ns);
static bool ipc_worker_start(void);

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
  if (!ipc_worker_start())
    return NULL;
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

/* ---- the release worker (Linux's free_ipc_work) ---- */

static struct ipc_namespace *free_list; /* atomic: a stack through free_next */
static struct wait_queue free_wq = WAIT_QUEUE_INIT(free_wq);
static struct mutex worker_lock = MUTEX_INIT(worker_lock, "ipcns worker");
static struct task *worker;             /* worker_lock; set once */

/* Every object goes, then the namespace (Linux's free_ipc_ns). Process
 * context, no lock held: takes the tables' mutexes and the mqueue root's
 * inode lock. */
static void ipc_ns_free(struct ipc_namespace *ns)
{
  shm_exit_ns(ns);
  sem_exit_ns(ns);
  msg_exit_ns(ns);
  mq_ns_destroy(ns->mq);
  kfree(ns);
}

/* The "ipcns" kernel thread: frees the namespaces released since it last
 * looked, for ever. */
static void ipc_worker(void *arg)
{
  (void)arg;
  for (;;) {
    wait_event_uninterruptible(&free_wq, READ_ONCE(free_list) != NULL);
    struct ipc_namespace *ns = __atomic_exchange_n(&free_list, NULL, __ATOMIC_ACQUIRE);
    while (ns) {
      struct ipc_namespace *next = ns->free_next;
      ipc_ns_free(ns);
      ns = next;
    }
  }
}

/* Start the worker before the first namespace it may have to free is made
 * (ipc_ns_copy: process context, no spinlock held). false when out of
 * memory. */
static bool ipc_worker_start(void)
{
  if (READ_ONCE(worker))
    return true;
  mutex_lock(&worker_lock);
  if (!worker)
    WRITE_ONCE(worker, kthread_create("ipcns", ipc_worker, NULL));
  bool ok = worker != NULL;
  mutex_unlock(&worker_lock);
  return ok;
}

/* The last reference went, wherever that was — possibly a shm mapping's
 * close under mm->lock: hand the namespace to the worker (which exists:
 * ipc_ns_copy started it). Takes only free_wq's lock. */
static void ipc_ns_release(struct ns_common *n)
{
  struct ipc_namespace *ns = container_of(n, struct ipc_namespace, ns);
  struct ipc_namespace *head = __atomic_load_n(&free_list, __ATOMIC_RELAXED);
  do
    ns->free_next = head;
  while (!__atomic_compare_exchange_n(&free_list, &head, ns, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  wake_up(&free_wq);
}

void ipc_init(void)
{
  ipc_ns_setup(&init_ipc_ns);
  init_ipc_ns.mq = mq_ns_initial();
  sem_init();
  nsproxy_register_ipc(&init_ipc_ns.ns, ipc_ns_copy);
}
