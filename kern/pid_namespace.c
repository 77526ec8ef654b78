/*
 * pid_namespace.c — making and ending PID namespaces (Linux's
 * kernel/pid_namespace.c; docs/namespaces.md). The numbers themselves are
 * kern/pid.c's; kern/pid_namespace.h tells the model.
 *
 * Layer: core. Below: kern/pid.c, kern/signal.c (the SIGKILL when a
 * namespace's init exits), kern/kmalloc.c. Above: kern/nsproxy.c (clone,
 * unshare, setns), kern/process.c (clone, exit), fs/nsfs.c (NS_GET_PARENT).
 * Locks: proc_lock as kern/pid_namespace.h says.
 */
#include "kern/pid_namespace.h"
#include "kern/user_namespace.h"
#include "kern/cred.h"
#include "kern/task.h"
#include "kern/signal.h"
#include "kern/param.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/clone.h"

/* The last reference went (no id, nsproxy or nsfs file names it). No
 * lock needed; may run under proc_lock (frees only). */
static void pid_ns_release(struct ns_common *ns)
{
  struct pid_namespace *pns = to_pid_ns(ns);
  kfree(pns->bitmap);
  struct pid_namespace *parent = pns->parent;
  kfree(pns);
  ns_put(&parent->ns);
}

struct pid_namespace *pid_ns_create(struct pid_namespace *parent, int *err)
{
  *err = -ENOSPC;
  if (parent->level + 1 > MAX_PID_NS_LEVEL)
    return NULL;
  /* counted against the caller in its user namespace and above
   * (/proc/sys/user/max_pid_namespaces; kern/ucount.c) */
  struct ucounts *uc = inc_ucount(current_user_ns(), current_cred()->euid, UCOUNT_PID_NAMESPACES);
  if (!uc)
    return NULL;
  *err = -ENOMEM;
  struct pid_namespace *ns = kzalloc(sizeof(*ns));
  if (ns && !(ns->bitmap = kzalloc(PID_MAX / 8))) {
    kfree(ns);
    ns = NULL;
  }
  if (!ns) {
    dec_ucount(uc, UCOUNT_PID_NAMESPACES);
    return NULL;
  }
  ns->ns = (struct ns_common){ .type = CLONE_NEWPID, .inum = ns_alloc_inum(), .refcount = 1,
                               .parent = &parent->ns, .release = pid_ns_release,
                               .ucounts = uc, .ucount_type = UCOUNT_PID_NAMESPACES };
  ns->parent = parent;
  ns->level = parent->level + 1;
  ns_get(&parent->ns);
  *err = 0;
  return ns;
}

/*
 * Linux's zap_pid_ns_processes, without its wait: p was the init of its
 * namespace; no number can be made there any more and every other
 * process that has a number there gets SIGKILL (as the kernel sends it:
 * no siginfo, so even a nested namespace's init dies).
 */
void pid_ns_init_exited_locked(struct process *p)
{
  struct pid_namespace *ns = pid_ns_of(p->pid);
  ns->dead = true;
  ns->reaper = NULL;
  struct process *q;
  list_for_each_entry(q, &all_processes, all_link)
    if (q != p && !q->zombie && pid_nr_ns(q->pid, ns))
      send_signal_process(q, SIGKILL, NULL);
}

/*
 * fork, once the new process is listed and queued: if the init of its
 * namespace (or of one above) exited on another hart while it was being
 * made, that init's SIGKILL sweep missed it, so it gets its own. (Linux
 * refuses such a fork; here the child dies at its first return to user
 * mode.) A child of the initial namespace costs no lock.
 */
void pid_ns_fork_done(pid_t id)
{
  if (pid_ns_of(id) == &init_pid_ns)
    return;
  spin_lock(&proc_lock);
  struct process *p = find_process(id);
  for (struct pid_namespace *ns = pid_ns_of(id); p && ns != &init_pid_ns; ns = ns->parent)
    if (ns->dead) {
      send_signal_process(p, SIGKILL, NULL); /* (it sees proc_lock held) */
      break;
    }
  spin_unlock(&proc_lock);
}

/* The init of p's namespace, if that is not the initial namespace and
 * the init is alive and not p itself; else NULL (init_process reaps). */
struct process *pid_ns_reaper_locked(struct process *p)
{
  struct pid_namespace *ns = pid_ns_of(p->pid);
  for (; ns != &init_pid_ns; ns = ns->parent)
    if (ns->reaper && ns->reaper != p && !ns->reaper->exiting)
      return ns->reaper;
  return NULL;
}

/* wait's pid argument (a process, or -group) as a global id; one that
 * names nothing in the caller's pid namespace becomes PID_MAX, which no
 * child has (ECHILD). */
pid_t wait_id_from_vnr(pid_t pid)
{
  if (pid == 0 || pid == -1 || pid == INT32_MIN)
    return pid;
  spin_lock(&proc_lock);
  pid_t id = pid_from_vnr_locked(pid > 0 ? pid : -pid);
  spin_unlock(&proc_lock);
  if (!id)
    id = PID_MAX;
  return pid > 0 ? id : -id;
}

void signal_info_for(struct ksiginfo *info, struct process *p)
{
  struct pid_namespace *ns = pid_ns_of(p->pid);
  info->pid = pid_nr_ns(current->proc->pid, ns);
  /* Linux's rule: a sender with no number in p's namespace is above it
   * (one inside a namespace below p's has a number there too) */
  info->from_ancestor_ns = info->pid == 0;
}


pid_t pid_alloc_for_clone(uint64_t flags, pid_t set_tid)
{
  struct pid_namespace *pns = current_pid_ns_for_children();
  if ((flags & CLONE_THREAD) && pns != current_pid_ns())
    return -EINVAL; /* a thread stays in its process's namespace */
  if (!(flags & CLONE_NEWPID) || (flags & CLONE_THREAD)) /* (the latter: ns_clone_check's EINVAL) */
    return pid_alloc_ns(pns, set_tid);
  if (pns != current_pid_ns())
    return -EINVAL; /* after unshare(CLONE_NEWPID): its namespace's init comes first */
  int err;
  struct pid_namespace *new_pns = pid_ns_create(pns, &err);
  if (!new_pns)
    return err;
  pid_t tid = pid_alloc_ns(new_pns, set_tid);
  ns_put(&new_pns->ns); /* the child's id holds it now (or it goes) */
  return tid;
}

void pid_ns_note_init_locked(struct process *p)
{
  struct pid_namespace *ns = pid_ns_of(p->pid);
  if (ns != &init_pid_ns && pid_nr_ns(p->pid, ns) == 1) {
    ns->reaper = p;
    p->unkillable = true;
  }
}

struct process *find_reaper_locked(struct process *p)
{
  struct process *ns_init = pid_ns_reaper_locked(p); /* p's pid namespace's init */
  struct process *top = ns_init ? ns_init : init_process;
  /* Linux's find_new_reaper looks only at ancestors in p's own namespace:
   * p's parent may be above it (setns, then fork). An exiting init's
   * orphans go up (Kite's init does not wait for its namespace, docs/
   * namespaces.md), so for it the namespace above is searched. */
  struct pid_namespace *ns = pid_ns_of(p->pid);
  if (ns->reaper == p && ns->parent)
    ns = ns->parent;
  for (struct process *a = p->parent; a && a != top && a != init_process && pid_ns_of(a->pid) == ns;
       a = a->parent)
    if (a->child_subreaper && !a->exiting && !a->zombie)
      return a;
  return top;
}
