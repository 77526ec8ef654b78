/*
 * pid_namespace.h — PID namespaces (Linux's include/linux/pid_namespace.h;
 * docs/namespaces.md, "PID namespaces").
 *
 * A pid namespace has a parent and a level (the initial one: none, 0). A
 * task's id is numbered once in every namespace from its own up to the
 * initial one: the initial namespace's number is the global id that
 * kern/pid.c's table is indexed by (task->tid, process->pid, pgid, sid
 * are global ids); the others are kept with the id (pid_entry.nrs). A
 * system call translates an id it takes or returns through the caller's
 * namespace (pid_vnr, find_*_vnr); an id not visible there reads 0.
 *
 * The first process made in a namespace gets number 1 and is its init
 * (the reaper of its orphans, unkillable from inside). When it exits
 * every other process of the namespace is killed and no id can be made
 * in it any more (fork: ENOMEM).
 *
 * Layer: core. Below: kern/pid.c (numbers). Above: kern/process.c
 * (clone, exit), kern/nsproxy.c (pid_for_children), fs/nsfs.c.
 * Locks: proc_lock guards bitmap, last_pid, reaper, dead; level and
 * parent are fixed at creation. The count is ns.refcount (atomic).
 */
#ifndef KITE_PID_NAMESPACE_H
#define KITE_PID_NAMESPACE_H

#include "kern/nsproxy.h"

#define MAX_PID_NS_LEVEL 32   /* Linux's nesting limit (clone: ENOSPC past it) */

struct ksiginfo;
struct process;

struct pid_namespace {
  struct ns_common ns;          /* ns.parent: &parent->ns */
  struct pid_namespace *parent; /* referenced; NULL for the initial one */
  int level;                    /* 0 for the initial one */
  /* proc_lock: */
  uint64_t *bitmap;             /* numbers in use (PID_MAX bits); the initial one's is kern/pid.c's global one */
  pid_t last_pid;               /* ns_last_pid: the number handed out last */
  struct process *reaper;       /* its init (number 1), NULL before it and after it exited */
  bool dead;                    /* its init exited: no new numbers (fork: ENOMEM) */
};

extern struct pid_namespace init_pid_ns;

/* The pid namespace an ns_common of type CLONE_NEWPID is part of. */
static inline struct pid_namespace *to_pid_ns(struct ns_common *ns)
{
  return container_of(ns, struct pid_namespace, ns);
}

/* A new namespace below parent (one reference), or NULL (out of memory;
 * *err says ENOMEM or ENOSPC past MAX_PID_NS_LEVEL). No lock. */
struct pid_namespace *pid_ns_create(struct pid_namespace *parent, int *err);

/* The namespace global id `id` was made in (not referenced; valid while
 * the id is in use). Caller holds proc_lock, or id is current's own. */
struct pid_namespace *pid_ns_of(pid_t id);
/* The namespace current's pid is in (Linux's task_active_pid_ns). */
struct pid_namespace *current_pid_ns(void);
/* Is ns the same as, or below, anc? No lock. */
bool pid_ns_within(struct pid_namespace *ns, struct pid_namespace *anc);

/* Global id -> its number in ns (0: not visible there), and in the
 * caller's namespace. Caller holds proc_lock, or id is one that cannot go
 * away meanwhile (current's own, its parent's). */
pid_t pid_nr_ns(pid_t id, struct pid_namespace *ns);
pid_t pid_vnr(pid_t id);
/* An id kept from earlier (a lock's owner, a message's sender, a System V
 * object's last user), which may have been freed since: as the caller's
 * namespace numbers it (0: not visible there, or gone in a namespace
 * below the initial one), and as the namespace of process p numbers it.
 * Take proc_lock (the caller holds none). */
pid_t pid_vnr_stored(pid_t id);
pid_t pid_nr_seen_by(pid_t id, struct process *p);
/* The caller's number -> the global id, or 0 if it names nothing visible.
 * Caller holds proc_lock. */
pid_t pid_from_vnr_locked(pid_t nr);
/* The same for a number of namespace ns (a /proc mount's). */
pid_t pid_from_nr_ns_locked(pid_t nr, struct pid_namespace *ns);
/* /proc/<pid>/status's NSpid and friends: id as each namespace of process
 * `of` numbers it, from the initial one (out[0]) down to of's own
 * (out[level]; 0: not visible there). Returns level + 1; out has room for
 * MAX_PID_NS_LEVEL + 1. proc_lock held. */
int pid_numbers_locked(pid_t id, pid_t of, pid_t *out);

/* kern/pid.c's find_task / find_process / find_process_by_id with an id
 * as the caller's namespace numbers it (system calls). proc_lock held. */
struct task *find_task_vnr(pid_t nr);
struct process *find_process_vnr(pid_t nr);
struct process *find_process_by_vnr(pid_t nr);

/* The new id for a child made in namespace ns (want: clone3's set_tid for
 * ns's level, or 0): the global id, or -EAGAIN / -EEXIST / -EINVAL /
 * -ENOMEM (ns's init has exited). */
pid_t pid_alloc_ns(struct pid_namespace *ns, pid_t want);

/* clone: the child's id, in the caller's pid_for_children namespace or,
 * with CLONE_NEWPID, in a new one below it (Linux's copy_pid_ns checks:
 * EINVAL for a thread outside its process's namespace, or CLONE_NEWPID
 * after unshare(CLONE_NEWPID)); -errno as pid_alloc_ns, or ENOSPC. */
pid_t pid_alloc_for_clone(uint64_t flags, pid_t set_tid);
/* clone: if p's pid is number 1 of a namespace below the initial one, p
 * is its init (reaper, unkillable). Caller holds proc_lock. */
void pid_ns_note_init_locked(struct process *p);
/* wait4/waitid: a pid argument (a process, or -group) in the caller's
 * numbers as a global id (0, -1 unchanged; one not visible: PID_MAX,
 * which no child has, so ECHILD). Takes proc_lock. */
pid_t wait_id_from_vnr(pid_t pid);
/* A kill-style siginfo as process p reads it: si_pid is the sender's
 * number in p's pid namespace, and from_ancestor_ns is set when the
 * sender is outside it. proc_lock held. */
void signal_info_for(struct ksiginfo *info, struct process *p);

/* exit: p (the init of its namespace) is gone: mark the namespace dead
 * and SIGKILL every other process in it. Caller holds proc_lock. */
void pid_ns_init_exited_locked(struct process *p);
/* fork, after the new process id is queued: SIGKILL to it if its
 * namespace's init exited meanwhile. No lock held. */
void pid_ns_fork_done(pid_t id);
/* The reaper for orphans of p in p's namespace, if p is not in the
 * initial one (NULL otherwise). proc_lock held. */
struct process *pid_ns_reaper_locked(struct process *p);
/* The new parent of p's orphans: the nearest living ancestor in p's pid
 * namespace (the one above, if p is its init) that asked to be a child
 * subreaper (PR_SET_CHILD_SUBREAPER) below the init of p's pid namespace,
 * else that init, else init_process. proc_lock held. */
struct process *find_reaper_locked(struct process *p);

#endif
