/*
 * ipc.h — System V IPC: shared memory (shm.c), semaphores (sem.c) and
 * message queues (msg.c), and what the three share (util.c): keys, ids,
 * permissions, the ipc64_perm layout, limits and /proc files.
 *
 * Each kind keeps its objects in an `ipc_ids` table indexed by the low
 * bits of the id; the high bits are a sequence number, so a stale id of
 * a removed object does not reach its successor (id = seq * IPCMNI + index,
 * as Linux). An object is found by key (shmget and friends) or by id
 * (everything else).
 *
 * Each IPC namespace (ipc/namespace.c) has its own three tables, its own
 * limits and its own POSIX message-queue instance (fs/mqueue.c): a task
 * finds objects in current_ipc()'s, an object keeps a pointer to the
 * namespace it was made in.
 *
 * Layer: ipc (beside fs and net: layer 4). The system calls are in these
 * files themselves (kern/syscall.tbl); /proc/sysvipc and /proc/sys/kernel
 * (fs/proc_kernel.c) read the tables; shared memory sits on tmpfs files
 * (fs/ramfs.h) and file mappings (fs/filemap.h); below, the scheduler's
 * wait queues and kern/cred.c.
 *
 * Locking: each table has a mutex (ids->lock) that protects the table and
 * every field of its objects. Blocking operations (semop, msgsnd, msgrcv)
 * sleep on the object's wait queue with the mutex released and look the
 * object up again when they wake (it may have been removed: EIDRM).
 * Order: mm->lock > shm_ids.lock (shm's mapping hooks run under mm->lock;
 * shmat and shmdt drop the table lock before they touch the address space).
 */
#ifndef KITE_IPC_H
#define KITE_IPC_H

#include "kern/types.h"
#include "kern/wait.h"
#include "kern/nsproxy.h"

struct process;
struct mq_ns;

/* Commands and flags (include/uapi/linux/ipc.h, shm.h, sem.h, msg.h). */
#define IPC_PRIVATE 0
#define IPC_CREAT 00001000
#define IPC_EXCL 00002000
#define IPC_NOWAIT 00004000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_INFO 3
#define IPC_64 0x0100

#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#define SHM_STAT 13
#define SHM_INFO 14
#define SHM_STAT_ANY 15
#define SHM_DEST 01000     /* in shm_perm.mode: removed, waiting for the last detach */
#define SHM_LOCKED 02000
#define SHM_HUGETLB 04000
#define SHM_NORESERVE 010000

#define SEM_UNDO 0x1000
#define GETPID 11
#define GETVAL 12
#define GETALL 13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL 16
#define SETALL 17
#define SEM_STAT 18
#define SEM_INFO 19
#define SEM_STAT_ANY 20

#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13

/* Limits: Linux 6.1's defaults (include/uapi/linux/{ipc,shm,sem,msg}.h). */
#define IPCMNI_SHIFT 15
#define IPCMNI (1 << IPCMNI_SHIFT)           /* ids per kind: index < IPCMNI */
#define IPCID_SEQ_MAX (INT32_MAX >> IPCMNI_SHIFT)
#define SHMMIN 1
#define SHMMNI_DEFAULT 4096
#define SHMMAX_DEFAULT (UINT64_MAX - (1ULL << 24))
#define SHMALL_DEFAULT (UINT64_MAX - (1ULL << 24))   /* in pages */
#define SHMLBA 4096
#define SEMMSL_DEFAULT 32000
#define SEMMNI_DEFAULT 32000
#define SEMMNS_DEFAULT (SEMMNI_DEFAULT * SEMMSL_DEFAULT)
#define SEMOPM_DEFAULT 500
#define SEMVMX 32767
#define SEMAEM SEMVMX
#define SEMUSZ 20
#define MSGMNI_DEFAULT 32000
#define MSGMAX_DEFAULT 8192
#define MSGMNB_DEFAULT 16384
#define MSGPOOL (MSGMNI_DEFAULT * MSGMNB_DEFAULT / 1024)
#define MSGTQL MSGMNB_DEFAULT
#define MSGMAP MSGMNB_DEFAULT
#define MSGSSZ 16
#define MSGSEG 0xffff

/* The tunables of /proc/sys/kernel (root may change them). */
struct ipc_limits {
  uint64_t shm_ctlmax, shm_ctlall;
  int shm_ctlmni, shm_rmid_forced;
  int sem_ctls[4];              /* semmsl, semmns, semopm, semmni */
  int msg_ctlmax, msg_ctlmnb, msg_ctlmni;
};

extern const struct ipc_limits ipc_default_limits;

/* Every object starts with this. */
struct ipc_perm_k {
  int32_t key;
  uid_t uid, cuid;
  gid_t gid, cgid;
  mode_t mode;                  /* low 9 bits: permissions; SHM_DEST, SHM_LOCKED */
  int id;
  uint16_t seq;
  bool deleted;                 /* removed: sleepers wake with EIDRM */
};

struct ipc_ids {
  struct mutex lock;
  void **entries;               /* size slots (NULL: none), grown by doubling up to
                                   IPCMNI, freed when the last object goes */
  int size;
  int in_use;
  int max_idx;                  /* highest index in use, -1 if none */
  int last_idx;                 /* for the sequence number (ipc_idr_alloc) */
  uint16_t seq;
  int next_id;                  /* /proc/sys/kernel/{shm,sem,msg}_next_id, -1: unset */
};

/*
 * An IPC namespace (Linux's struct ipc_namespace): the three id tables,
 * their limits and totals, and the POSIX message queues. Referenced by
 * the nsproxies of the tasks in it, by nsfs files, by every mapping of
 * one of its shared memory segments (so an attached segment outlives the
 * last task, as Linux's shm_file_data holds the namespace) and by each
 * SEM_UNDO list. The last reference removes every object (ipc_ns_release).
 */
struct ipc_namespace {
  struct ns_common ns;
  struct ipc_ids shm_ids, sem_ids, msg_ids;
  struct ipc_limits limits;     /* set by root through /proc/sys/kernel */
  uint64_t shm_tot;             /* shm_ids.lock: pages of all segments (SHM_INFO, shmall) */
  int used_sems;                /* sem_ids.lock: semaphores in all sets (semmns) */
  uint64_t msg_hdrs, msg_bytes; /* msg_ids.lock: messages and bytes queued (MSG_INFO) */
  struct mq_ns *mq;             /* fs/mqueue.c: its queues (set at creation) */
  struct ipc_namespace *free_next; /* on the release worker's list (ipc/namespace.c) */
};

/* The IPC namespace current is in (not referenced: only current changes
 * its own nsproxy). */
static inline struct ipc_namespace *current_ipc(void)
{
  return container_of(current_ipc_ns(), struct ipc_namespace, ns);
}
static inline void ipc_ns_get(struct ipc_namespace *ns) { ns_get(&ns->ns); }
static inline void ipc_ns_put(struct ipc_namespace *ns) { ns_put(&ns->ns); }

/* The user-visible struct ipc64_perm (asm-generic, 48 bytes). */
struct ipc64_perm_u {
  int32_t key;
  uint32_t uid, gid, cuid, cgid;
  uint32_t mode;
  uint16_t seq, pad2;
  uint32_t pad3;
  uint64_t unused1, unused2;
};

/* namespace.c: boot (after mqueue_init): the initial namespace, registered
 * with the core (kern/nsproxy.c makes new ones through it). */
void ipc_init(void);
/* The objects of a namespace being released (its last reference is gone,
 * so no task can reach them; no lock held): every one is removed. */
void shm_exit_ns(struct ipc_namespace *ns);
void sem_exit_ns(struct ipc_namespace *ns);
void msg_exit_ns(struct ipc_namespace *ns);

/* util.c */
void sem_init(void);            /* boot: SEM_UNDO's clone and exit hooks */
void ipc_ids_init(struct ipc_ids *ids);
/* Insert p (caller holds ids->lock): fills id, seq, owner and creator. -ENOSPC if full. */
int ipc_add(struct ipc_ids *ids, struct ipc_perm_k *p, int max);
void ipc_remove(struct ipc_ids *ids, struct ipc_perm_k *p);
/* Find by key (IPC_PRIVATE never matches), by id (checks the sequence) or by
 * index (its low bits: an id's index, as Linux's *_STAT look up). */
struct ipc_perm_k *ipc_find_key(struct ipc_ids *ids, int32_t key);
struct ipc_perm_k *ipc_find_id(struct ipc_ids *ids, int id);
struct ipc_perm_k *ipc_find_index(struct ipc_ids *ids, int idx);
/* Mode bits for the caller (flag: S_IRUGO-style requested bits): 0 or -EACCES. */
int ipcperms(const struct ipc_perm_k *p, int flag);
/* IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN. */
int ipc_owner_check(const struct ipc_perm_k *p);
void ipc_fill_perm(const struct ipc_perm_k *p, struct ipc64_perm_u *u);
void ipc_set_perm(struct ipc_perm_k *p, const struct ipc64_perm_u *u);
int64_t ipc_now(void);
int ipc_strip_version(int cmd);
/* get: the shared part of shmget/semget/msgget (caller holds ids->lock).
 * `check` validates an existing object (EINVAL for size); `create` makes a new one. */
struct ipc_get_ops {
  int (*check)(struct ipc_perm_k *p, uint64_t arg);
  int (*create)(int32_t key, int flags, uint64_t arg);  /* returns the id or -errno */
};
int ipc_get(struct ipc_ids *ids, int32_t key, int flags, uint64_t arg, const struct ipc_get_ops *ops);

/* /proc/sysvipc/{shm,sem,msg} and /proc/sys/kernel tunables (fs/proc_kernel.c calls). */
typedef void (*ipc_print_fn)(void *ctx, const char *fmt, ...);
void shm_proc_show(ipc_print_fn pr, void *ctx);
void sem_proc_show(ipc_print_fn pr, void *ctx);
void msg_proc_show(ipc_print_fn pr, void *ctx);
/* name: shmmax shmall shmmni shm_rmid_forced sem msgmax msgmnb msgmni
 * shm_next_id sem_next_id msg_next_id */
bool ipc_sysctl_show(const char *name, ipc_print_fn pr, void *ctx);
int ipc_sysctl_store(const char *name, const char *text);

/* sem.c: a process's SEM_UNDO adjustments are applied when it exits. */
void exit_sem(struct process *p);

#endif
