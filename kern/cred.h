/*
 * cred.h — credentials: who a task is and what it may do (Linux's model).
 *
 * A task acts with a `struct cred`: real, effective, saved and file-system
 * user and group ids, supplementary groups, and five capability sets. A
 * cred is never changed once it is visible: to change its identity a task
 * makes a copy (prepare_creds), edits the copy and installs it
 * (commit_creds). So a cred can be shared freely — clone() gives the child
 * the parent's cred with one more reference, as Linux does — and other
 * tasks can read a task's cred without locks beyond taking a reference.
 *
 * Two pointers per task, as in Linux:
 *   task->real_cred  the objective identity: what others see (kill
 *                    permission, /proc/<pid>/status, IPC creator ids)
 *   task->cred       the subjective one: what the task acts with. It differs
 *                    from real_cred only inside override_creds()
 *                    (faccessat checking with the real ids).
 *
 * Root's powers are capabilities (CAP_*): the permission checks in fs/perm.c,
 * kill, System V IPC and the set*id calls ask capable(CAP_X), never "uid 0".
 * The uid-0 rules of Linux (setuid to non-root drops capabilities, exec by
 * root gains them) are in kern/cred.c.
 *
 * Locking: cred_lock (spinlock) guards the swap of a task's cred pointers
 * against readers of another task's cred (get_task_cred). A task reads its
 * own cred without a lock: only the task itself replaces it. Order:
 * proc_lock > cred_lock.
 *
 * Layer: core (kern/cred.c; the system calls are kern/sys_cred.c). Above:
 * fs/perm.c (file permissions), fs/exec.c (set-ID programs), ipc/, the
 * signal permission check in kern/sys_signal.c.
 */
#ifndef KITE_CRED_H
#define KITE_CRED_H

#include "kern/types.h"

struct task;
struct process;
struct inode;
struct user_namespace;

/* Capabilities (Linux numbering; include/uapi/linux/capability.h). */
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_LINUX_IMMUTABLE 9
#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_BROADCAST 11
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_IPC_LOCK 14
#define CAP_IPC_OWNER 15
#define CAP_SYS_MODULE 16
#define CAP_SYS_RAWIO 17
#define CAP_SYS_CHROOT 18
#define CAP_SYS_PTRACE 19
#define CAP_SYS_PACCT 20
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_SYS_TIME 25
#define CAP_SYS_TTY_CONFIG 26
#define CAP_MKNOD 27
#define CAP_LEASE 28
#define CAP_AUDIT_WRITE 29
#define CAP_AUDIT_CONTROL 30
#define CAP_SETFCAP 31
#define CAP_MAC_OVERRIDE 32
#define CAP_MAC_ADMIN 33
#define CAP_SYSLOG 34
#define CAP_WAKE_ALARM 35
#define CAP_BLOCK_SUSPEND 36
#define CAP_AUDIT_READ 37
#define CAP_PERFMON 38
#define CAP_BPF 39
#define CAP_CHECKPOINT_RESTORE 40
#define CAP_LAST_CAP CAP_CHECKPOINT_RESTORE

typedef uint64_t kernel_cap_t;
#define CAP_TO_MASK(c) (1ULL << (c))
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)
#define cap_valid(c) ((c) >= 0 && (c) <= CAP_LAST_CAP)
/* The capabilities that follow the fsuid (setfsuid to/from 0). */
#define CAP_FS_MASK                                                                       \
  (CAP_TO_MASK(CAP_CHOWN) | CAP_TO_MASK(CAP_MKNOD) | CAP_TO_MASK(CAP_DAC_OVERRIDE) |      \
   CAP_TO_MASK(CAP_DAC_READ_SEARCH) | CAP_TO_MASK(CAP_FOWNER) | CAP_TO_MASK(CAP_FSETID) | \
   CAP_TO_MASK(CAP_LINUX_IMMUTABLE) | CAP_TO_MASK(CAP_MAC_OVERRIDE))

/* Securebits (prctl PR_SET_SECUREBITS; include/uapi/linux/securebits.h). */
#define SECURE_NOROOT 0
#define SECURE_NOROOT_LOCKED 1
#define SECURE_NO_SETUID_FIXUP 2
#define SECURE_NO_SETUID_FIXUP_LOCKED 3
#define SECURE_KEEP_CAPS 4
#define SECURE_KEEP_CAPS_LOCKED 5
#define SECURE_NO_CAP_AMBIENT_RAISE 6
#define SECURE_NO_CAP_AMBIENT_RAISE_LOCKED 7
#define SECBIT(b) (1u << (b))
#define SECURE_ALL_BITS (SECBIT(SECURE_NOROOT) | SECBIT(SECURE_NO_SETUID_FIXUP) | \
                         SECBIT(SECURE_KEEP_CAPS) | SECBIT(SECURE_NO_CAP_AMBIENT_RAISE))
#define SECURE_ALL_LOCKS (SECURE_ALL_BITS << 1)

#define NGROUPS_MAX 65536
#define INVALID_UID ((uid_t)-1)
#define INVALID_GID ((gid_t)-1)

/* Supplementary groups: sorted, shared between creds, never changed. */
struct group_info {
  int refcount;                 /* atomic */
  int ngroups;
  gid_t gid[];
};

struct cred {
  int refcount;                 /* atomic */
  uid_t uid, euid, suid, fsuid;
  gid_t gid, egid, sgid, fsgid;
  struct group_info *groups;
  unsigned securebits;
  /* The capability sets hold in user_ns (and every namespace below it
   * that this euid owns: kern/user_namespace.h). The ids above are
   * kernel ids (the initial namespace's numbers). */
  kernel_cap_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
  struct user_namespace *user_ns; /* referenced */
};

extern struct cred init_cred;   /* root with every capability: the boot task, kernel threads */

/* The cred the current task acts with (no reference taken: valid while it runs). */
const struct cred *current_cred(void);
/* A referenced copy of the current subjective cred, to edit and commit. */
struct cred *prepare_creds(void);
/* Install `new` as the current task's real and subjective cred (takes its reference). */
void commit_creds(struct cred *new);
void abort_creds(struct cred *new);
/* Act with `new` (subjective only) until revert_creds(old). Returns the old one. */
const struct cred *override_creds(const struct cred *new);
void revert_creds(const struct cred *old);
const struct cred *get_cred(const struct cred *c);
void put_cred(const struct cred *c);
/* Another task's objective cred, referenced (put_cred() when done). */
const struct cred *get_task_cred(struct task *t);
/* The objective cred of one of p's live threads, referenced (put_cred), or
 * NULL if p has none left (exiting, a zombie). The caller holds proc_lock
 * (so it may read p's other fields in the same step); takes cred_lock. */
const struct cred *get_process_cred_locked(struct process *p);
/* clone(): the child's cred pointers (shared with the parent's). */
void cred_copy_to_task(struct task *child, struct task *parent);
/* clone(): the child's cred pointers both become c (two references
 * taken; the ones it had are dropped). */
void cred_install_task(struct task *t, const struct cred *c);
void cred_release_task(struct task *t);

/* RLIMIT_NPROC: the tasks whose real uid is uid. Takes proc_lock and
 * cred_lock: the caller holds neither. */
int count_user_tasks(uid_t uid);
/* Does the current task have capability cap in the initial user
 * namespace (capable), or cred c in its own (its effective set)? false
 * for an invalid cap. No locks (c is referenced or current's own).
 * ns_capable (kern/user_namespace.h) asks about another namespace. */
bool capable(int cap);
bool cred_capable(const struct cred *c, int cap);
/* cap in the caller's own user namespace, and the inode's owner and
 * group are mapped there (Linux's capable_wrt_inode_uidgid). */
bool capable_wrt_inode_uidgid(const struct inode *ino, int cap);
bool in_group_p(gid_t gid);   /* fsgid or a supplementary group */
/* Does the caller's euid own t (its euid or real uid)? (sched_setscheduler, affinity) */
bool check_same_owner(struct task *t);
/* May the caller look into t (ptrace_may_access, PTRACE_MODE_READ_REALCREDS)? 0 or -EPERM. */
int ptrace_may_read(struct task *t);
bool in_egroup_p(gid_t gid);  /* egid or a supplementary group */
bool groups_search(const struct group_info *gi, gid_t gid);
/* Drop a reference to a group list (the last frees it). */
void groups_put(struct group_info *gi);

/* Is every capability of a also in b? */
static inline bool cap_issubset(kernel_cap_t a, kernel_cap_t b)
{
  return (a & ~b) == 0;
}

/* Is securebit `bit` (SECURE_*) set in c? */
static inline bool cred_issecure(const struct cred *c, int bit)
{
  return c->securebits & SECBIT(bit);
}
/* commoncap's rules after a change of uids (setuid, setreuid, setresuid)
 * in new, from old: root losing its uids loses its capabilities unless
 * SECURE_KEEP_CAPS; the effective set follows euid 0. Unless
 * SECURE_NO_SETUID_FIXUP. new is not yet committed. */
void cred_fix_setuid(struct cred *new, const struct cred *old);
/* ... and after a change of the fsuid: the file-system capabilities
 * follow fsuid 0. */
void cred_fix_setfsuid(struct cred *new, const struct cred *old);

/* exec (fs/exec.c): fill bprm ids from the file's set-ID bits, then the capability rules. */
struct exec_creds {
  struct cred *new;
  bool secureexec;              /* AT_SECURE */
};
int exec_prepare_creds(struct exec_creds *ec, const struct inode *ino, bool nosuid);
void exec_commit_creds(struct exec_creds *ec);

/* prctl options that belong to credentials (kern/sys_cred.c): the result,
 * with *handled false if option is not one of them. */
long cred_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5,
                bool *handled);

/* /proc/<pid>/status lines about ids and capabilities. */
typedef void (*cred_print_fn)(void *ctx, const char *fmt, ...);
void cred_show_status(const struct cred *c, cred_print_fn pr, void *ctx);
void cred_show_caps(const struct cred *c, cred_print_fn pr, void *ctx);

#endif
