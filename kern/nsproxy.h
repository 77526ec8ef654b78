/*
 * nsproxy.h — namespaces: which instance of the host name, the System V
 * IPC objects, the mount tree, the network, the pid numbering and the
 * user ids a task sees (Linux's include/linux/nsproxy.h and ns_common.h;
 * docs/namespaces.md).
 *
 * Each task points to a reference-counted `struct nsproxy`, shared by
 * clone and copied when clone or unshare asks for a new namespace, as
 * Linux's. Kite makes new UTS namespaces (kern/utsname.c), mount
 * namespaces (fs/mnt_ns.c, reached through struct mnt_ns_ops), IPC
 * namespaces (ipc/namespace.c, through nsproxy_register_ipc) and PID
 * namespaces (kern/pid_namespace.h: the nsproxy holds the one for
 * children); user namespaces go with the cred (kern/user_namespace.h),
 * and own the others (ns_common.owner); of the other
 * kinds there is one instance, the initial one, and a request for a new
 * one is EINVAL (Linux built without that kind). Every namespace, real or
 * initial-only, has a `struct ns_common`: its type and its inode number,
 * which names it in /proc/<pid>/ns (fs/nsfs.c) and is equal for two files
 * iff they name the same namespace.
 *
 * Layer: core. Above: the system calls (kern/sys_clone3.c: unshare,
 * setns; kern/process.c: clone), fs/nsfs.c and fs/procfs.c. Locks:
 * proc_lock guards task->nsproxy for readers on other harts (procfs);
 * only the task itself changes its pointer (unshare, setns), and clone
 * and exit set and clear it under proc_lock. The counts are atomics.
 */
#ifndef KITE_NSPROXY_H
#define KITE_NSPROXY_H

#include "kern/types.h"

struct task;
struct process;
struct file;
struct pid_namespace;
struct user_namespace;

struct ns_common {
  uint64_t type;                /* CLONE_NEWUTS, CLONE_NEWPID, ... */
  unsigned int inum;            /* nsfs inode number (Linux's proc inums) */
  int refcount;                 /* atomic; an initial namespace never drops to 0 */
  struct ns_common *parent;     /* pid and user: the parent, NULL for the initial one */
  /* The user namespace that owns it (referenced; NULL for the initial
   * ones, owned by the initial user namespace, and for user namespaces,
   * whose owner is their parent). Set when it is made. */
  struct ns_common *owner;
  void (*release)(struct ns_common *ns);  /* the last reference went (NULL: static) */
};

/* A UTS namespace: the names uname(2) shows. Changed without a lock, as
 * before namespaces: a reader racing sethostname may see a mix of the old
 * and the new name, and the buffers always end in a NUL. */
struct uts_namespace {
  struct ns_common ns;
  char hostname[65];
  char domainname[65];
};

struct nsproxy {
  int refcount;                 /* atomic: tasks pointing here */
  struct uts_namespace *uts;    /* referenced */
  struct ns_common *mnt;        /* referenced: a struct mnt_namespace (fs/mount.h) */
  struct ns_common *ipc;        /* referenced: a struct ipc_namespace (ipc/ipc.h) */
  struct pid_namespace *pid_for_children; /* referenced (kern/pid_namespace.h) */
};

/*
 * Mount namespaces live in the fs layer (fs/mnt_ns.c), which the core
 * cannot call: at boot it hands the initial one and these operations to
 * nsproxy_register_mnt. Both run in process context, no lock held.
 */
struct mnt_ns_ops {
  /* A new namespace holding a copy of old's mount tree; task t's root and
   * cwd move to the copies (t's fs context is its own). Referenced; NULL
   * when out of memory. */
  struct ns_common *(*copy)(struct ns_common *old, struct task *t);
  /* Task t (current) enters ns: its root and cwd become ns's root. 0, or
   * -EINVAL when t shares its fs context (CLONE_FS). */
  int (*enter)(struct ns_common *ns, struct task *t);
  /* Is task t's root other than ns's root (a chroot)? */
  bool (*chrooted)(struct ns_common *ns, struct task *t);
};
/* Boot, once the root is mounted: init is the initial mount namespace
 * (static, never released). No lock: before the first process. */
void nsproxy_register_mnt(struct ns_common *init, const struct mnt_ns_ops *ops);
/* The mount namespace current is in, not referenced: only current changes
 * its own nsproxy, so it stays while current runs. No lock. */
struct ns_common *current_mnt_ns(void);
/* Boot (ipc_init): init is the initial IPC namespace (static); copy makes
 * a new, empty one (referenced; NULL when out of memory). No lock. */
void nsproxy_register_ipc(struct ns_common *init, struct ns_common *(*copy)(struct ns_common *old));
/* The IPC namespace current is in, not referenced (as current_mnt_ns). */
struct ns_common *current_ipc_ns(void);
/* Is current chrooted (its root not its mount namespace's)? No lock. */
bool current_chrooted(void);
/* The pid namespace current's children are made in (not referenced; as
 * current_mnt_ns). No lock. */
struct pid_namespace *current_pid_ns_for_children(void);
/* The next free namespace inode number (never reused). No lock (atomic). */
unsigned int ns_alloc_inum(void);

/* The kinds /proc/<pid>/ns shows, in Linux's (alphabetical) order. */
enum ns_kind { NS_IPC, NS_MNT, NS_NET, NS_PID, NS_PID_FOR_CHILDREN, NS_USER, NS_UTS, NR_NS_KINDS };
/* The link's name in /proc/<pid>/ns ("uts"), or NULL past the last kind. */
const char *ns_kind_name(int kind);

extern struct uts_namespace init_uts_ns;

/* kern/utsname.c: a new UTS namespace with old's names (one reference),
 * or NULL when out of memory. */
struct uts_namespace *uts_copy(struct uts_namespace *old, unsigned int inum);

/* Take / drop a reference; the last drop calls ns->release. No lock. */
void ns_get(struct ns_common *ns);
void ns_put(struct ns_common *ns);

/* The namespace of this kind task t is in, referenced, or NULL (t is
 * leaving). Caller holds proc_lock. */
struct ns_common *task_ns_locked(struct task *t, int kind);

/* clone's checks of the flags alone (CLONE_FS, CLONE_THREAD with new
 * namespaces), made before a new user namespace. 0 or -EINVAL. */
int ns_clone_flags_check(uint64_t flags);
/* unshare(2)'s part: new namespaces of the kinds in flags for the caller
 * (already checked by sys_unshare for the thread rules), owned by user
 * namespace owner (struct user_namespace: the caller's, or the one its
 * CLONE_NEWUSER made). 0 or -errno. */
int ns_unshare(uint64_t flags, struct user_namespace *owner);
/* setns(2) with a namespace file: join ns (nstype already matched). */
int ns_setns(struct ns_common *ns);
/* setns(2) with a pidfd: join the namespaces of kinds `flags` of process
 * p (the caller holds a reference to p): its user namespace first
 * (userns_install; fs_shared: the caller's fs context is shared), then
 * the others, each with CAP_SYS_ADMIN in its owner. All or nothing, as
 * Linux's: a refusal of any kind leaves every namespace and the cred as
 * they were. 0 or -errno. */
int ns_setns_process(struct process *p, uint64_t flags, bool fs_shared);

/* Boot: registers the PROC_RES_NS slot; init_thread's task joins the
 * initial namespaces. */
void nsproxy_init(void);
void nsproxy_init_task(struct task *t);

#endif
