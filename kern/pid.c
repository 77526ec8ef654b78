/*
 * pid.c — process and thread ids.
 *
 * Ids come from one space (as on Linux: a process's pid is its first
 * thread's tid). A bitmap says which are in use; a table maps each id to
 * its task. Allocation goes round-robin from the last id handed out, so
 * ids are not reused right away. proc_lock protects both.
 *
 * Layer: core. Below: kern/spinlock.c. Above: kern/process.c (clone,
 * exit, wait), the id system calls (kern/sys_proc.c), fs/proc_pid.c.
 * Locks: proc_lock guards the bitmap, the table and every process's pgid
 * and sid; the *_locked functions expect it held.
 */
#include "kern/task.h"
#include "kern/printk.h"
#include "kern/param.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "kern/pid_namespace.h"
#include "kern/clone.h"
#include "kern/signal.h"

struct spinlock proc_lock = SPINLOCK_INIT("proc");
LIST_HEAD(all_processes);

static uint64_t pid_bitmap[PID_MAX / 64];

/* An id names a task (while that thread lives) and, if it is a process id,
 * the process (until the zombie is reaped). It was made in namespace ns;
 * nrs[k] is its number at level k (1 .. ns->level; nrs[0] is unused: the
 * global id is the initial namespace's number). */
struct pid_entry {
  struct task *task;
  struct process *proc;
  struct pid_namespace *ns;     /* referenced unless the initial one */
  pid_t *nrs;                   /* ns->level + 1 numbers; NULL at level 0 */
};
static struct pid_entry *pid_table; /* PID_MAX entries; valid where the bitmap says in use */
static int nr_pids;

/* The table's size as a buddy order: 2^8 pages (1 MiB) for 32,768 entries
 * of 32 bytes. Checked here, so that a field added to struct pid_entry
 * cannot leave the table short again (with 128 pages, ids from 16,384 up
 * were written past its end once ns and nrs had doubled the entry). */
#define PID_TABLE_ORDER 8
_Static_assert((PAGE_SIZE << PID_TABLE_ORDER) >= PID_MAX * sizeof(struct pid_entry),
               "pid table: PID_TABLE_ORDER too small for PID_MAX entries");

/* The initial pid namespace: Linux's fixed inode number; its numbers are
 * the global ids, so its bitmap is the global one (pid_bitmap). */
struct pid_namespace init_pid_ns = {
  .ns = { .type = CLONE_NEWPID, .inum = 0xEFFFFFFCU, .refcount = 1 },
  .bitmap = pid_bitmap,
};

/* The table is not zeroed (1 MiB at boot): an entry is cleared when its
 * id is taken (pid_take) and read only while the id is in use. */
static void pid_table_init(void)
{
  if (!pid_table) {
    struct page *p = alloc_pages_nozero(PID_TABLE_ORDER);
    if (!p)
      panic("pid table: out of memory");
    pid_table = page_to_kva(p);
  }
}

static bool pid_in_use(pid_t pid)
{
  return pid_bitmap[pid / 64] & (1ULL << (pid % 64));
}

int pid_max = PID_MAX;  /* /proc/sys/kernel/pid_max: ids are 1 .. pid_max-1 (<= PID_MAX) */

/*
 * Take a number of namespace ns (its bitmap; the initial namespace's
 * numbers are the global ids): this very one if want > 0 (in range:
 * the callers check), else the first free one round robin after its
 * last_pid, which it updates. The number, -EEXIST (want is taken) or
 * -EAGAIN (all 1 .. pid_max-1 are). proc_lock held.
 */
static pid_t ns_take_nr(struct pid_namespace *ns, pid_t want)
{
  int max = READ_ONCE(pid_max);
  for (int i = 0; i < max - 1; i++) {
    pid_t cand = want ? want : (ns->last_pid + i) % (max - 1) + 1; /* 1 .. max-1 */
    if (!(ns->bitmap[cand / 64] & (1ULL << (cand % 64)))) {
      ns->bitmap[cand / 64] |= 1ULL << (cand % 64);
      if (!want)
        ns->last_pid = cand;
      return cand;
    }
    if (want)
      return -EEXIST;
  }
  return -EAGAIN;
}

/* Give back number nr of namespace ns. proc_lock held. */
static void ns_free_nr(struct pid_namespace *ns, pid_t nr)
{
  ns->bitmap[nr / 64] &= ~(1ULL << (nr % 64));
}

/* A global id: want, or any free one (want 0), with no task or process
 * yet; -EEXIST / -EAGAIN as ns_take_nr. */
static pid_t pid_take(pid_t want)
{
  spin_lock(&proc_lock);
  pid_table_init();
  pid_t pid = ns_take_nr(&init_pid_ns, want);
  if (pid > 0) {
    pid_table[pid] = (struct pid_entry){ NULL, NULL, &init_pid_ns, NULL };
    nr_pids++;
  }
  spin_unlock(&proc_lock);
  return pid;
}

/* A free id, or -EAGAIN when all are taken. */
pid_t pid_alloc(void)
{
  return pid_take(0);
}

/* This very id (clone3's set_tid): it, -EEXIST if taken, -EINVAL if out of range. */
pid_t pid_alloc_exact(pid_t want)
{
  if (want <= 0 || want >= PID_MAX)
    return -EINVAL;
  return pid_take(want);
}

/* Caller holds proc_lock. */
void pid_free_locked(pid_t pid)
{
  if (pid <= 0 || pid >= PID_MAX)
    return;
  if (!pid_in_use(pid))
    return;
  struct pid_entry *e = &pid_table[pid];
  /* number 1 freed before any process took it (the fork that would have
   * made the namespace's init failed): as Linux, the namespace takes no
   * more numbers — a later fork into it is ENOMEM, not a second "first" */
  if (e->ns->level > 0 && e->nrs[e->ns->level] == 1 && !e->ns->reaper)
    e->ns->dead = true;
  for (struct pid_namespace *ns = e->ns; ns->level > 0; ns = ns->parent)
    ns_free_nr(ns, e->nrs[ns->level]);
  if (e->ns != &init_pid_ns) {
    kfree(e->nrs);
    ns_put(&e->ns->ns); /* maybe the last: its release only frees (kmalloc's leaf locks) */
  }
  ns_free_nr(&init_pid_ns, pid);
  *e = (struct pid_entry){ NULL, NULL, NULL, NULL };
  nr_pids--;
}

void pid_free(pid_t pid)
{
  spin_lock(&proc_lock);
  pid_free_locked(pid);
  spin_unlock(&proc_lock);
}

/* Caller holds proc_lock. */
void pid_attach(pid_t pid, struct task *t)
{
  if (pid > 0 && pid < PID_MAX)
    pid_table[pid].task = t;
}

/* Caller holds proc_lock. */
void pid_attach_process(pid_t pid, struct process *p)
{
  if (pid > 0 && pid < PID_MAX)
    pid_table[pid].proc = p;
}

/* The task with this tid (caller holds proc_lock). */
struct task *find_task(pid_t tid)
{
  if (tid <= 0 || tid >= PID_MAX || !pid_table || !pid_in_use(tid))
    return NULL;
  return pid_table[tid].task;
}

/* The process with this pid (caller holds proc_lock). */
struct process *find_process(pid_t pid)
{
  if (pid <= 0 || pid >= PID_MAX || !pid_table || !pid_in_use(pid))
    return NULL;
  return pid_table[pid].proc;
}

/* The process a kill-style id names: its pid, or the tid of any of its
 * threads (Linux's find_vpid then the task's thread group). Caller holds
 * proc_lock. */
struct process *find_process_by_id(pid_t id)
{
  struct process *p = find_process(id);
  if (p)
    return p;
  struct task *t = find_task(id);
  return t ? t->proc : NULL;
}

/* ---- pid namespaces: numbers per level (kern/pid_namespace.h) ---- */

struct pid_namespace *pid_ns_of(pid_t id)
{
  if (id <= 0 || id >= PID_MAX || !pid_table || !pid_in_use(id))
    return &init_pid_ns;
  return pid_table[id].ns;
}

/* Kept in the process (its pid's namespace never changes), not looked up
 * in pid_table: getpid and getppid ask on every call, and the lookup was a
 * tenth of getppid's instructions (docs/performance.md, issue 14). */
struct pid_namespace *current_pid_ns(void)
{
  struct process *p = current->proc;
  return p ? p->pid_ns : &init_pid_ns;
}

bool pid_ns_within(struct pid_namespace *ns, struct pid_namespace *anc)
{
  while (ns && ns->level > anc->level)
    ns = ns->parent;
  return ns == anc;
}

pid_t pid_nr_ns(pid_t id, struct pid_namespace *ns)
{
  if (ns == &init_pid_ns)
    return id; /* the global id is the initial namespace's number */
  if (id <= 0 || id >= PID_MAX || !pid_table || !pid_in_use(id))
    return 0;
  struct pid_entry *e = &pid_table[id];
  return pid_ns_within(e->ns, ns) ? e->nrs[ns->level] : 0;
}

pid_t pid_vnr(pid_t id)
{
  return pid_nr_ns(id, current_pid_ns());
}

pid_t pid_vnr_stored(pid_t id)
{
  struct pid_namespace *ns = current_pid_ns();
  if (ns == &init_pid_ns)
    return id;
  spin_lock(&proc_lock);
  pid_t nr = pid_nr_ns(id, ns);
  spin_unlock(&proc_lock);
  return nr;
}

pid_t pid_nr_seen_by(pid_t id, struct process *p)
{
  spin_lock(&proc_lock);
  pid_t nr = pid_nr_ns(id, pid_ns_of(p->pid));
  spin_unlock(&proc_lock);
  return nr;
}

int pid_numbers_locked(pid_t id, pid_t of, pid_t *out)
{
  struct pid_namespace *ns = pid_ns_of(of);
  for (struct pid_namespace *a = ns; a; a = a->parent)
    out[a->level] = pid_nr_ns(id, a);
  return ns->level + 1;
}

/* A number of a namespace below the initial one has no table of its own:
 * the ids in use are searched (a few hundred at most on a teaching
 * system; docs/namespaces.md, "Risks"). */
pid_t pid_from_vnr_locked(pid_t nr)
{
  return pid_from_nr_ns_locked(nr, current_pid_ns());
}

pid_t pid_from_nr_ns_locked(pid_t nr, struct pid_namespace *ns)
{
  if (ns == &init_pid_ns)
    return nr;
  if (nr <= 0 || nr >= PID_MAX || !(ns->bitmap[nr / 64] & (1ULL << (nr % 64))))
    return 0;
  for (int w = 0; w < PID_MAX / 64; w++) {
    for (uint64_t bits = pid_bitmap[w]; bits; bits &= bits - 1) {
      pid_t id = w * 64 + __builtin_ctzll(bits);
      if (pid_nr_ns(id, ns) == nr)
        return id;
    }
  }
  return 0;
}

struct task *find_task_vnr(pid_t nr) { return find_task(pid_from_vnr_locked(nr)); }
struct process *find_process_vnr(pid_t nr) { return find_process(pid_from_vnr_locked(nr)); }
struct process *find_process_by_vnr(pid_t nr) { return find_process_by_id(pid_from_vnr_locked(nr)); }

pid_t pid_alloc_ns(struct pid_namespace *ns, pid_t want)
{
  if (ns == &init_pid_ns)
    return want ? pid_alloc_exact(want) : pid_alloc();
  if (want < 0 || want >= PID_MAX)
    return -EINVAL;
  pid_t *nrs = kmalloc((ns->level + 1) * sizeof(pid_t));
  if (!nrs)
    return -ENOMEM;
  pid_t id = pid_alloc();
  if (id < 0) {
    kfree(nrs);
    return id;
  }
  spin_lock(&proc_lock);
  pid_t err = 0;
  struct pid_namespace *a;
  for (a = ns; a->level > 0; a = a->parent) {
    if (a->dead) {
      err = -ENOMEM;
      break;
    }
    pid_t nr = ns_take_nr(a, a == ns ? want : 0);
    if (nr < 0) {
      err = nr;
      break;
    }
    nrs[a->level] = nr;
  }
  if (err) { /* give back the numbers taken below a */
    for (struct pid_namespace *b = ns; b != a; b = b->parent)
      ns_free_nr(b, nrs[b->level]);
    pid_free_locked(id);
    spin_unlock(&proc_lock);
    kfree(nrs);
    return err;
  }
  nrs[0] = id;
  pid_table[id].ns = ns;
  pid_table[id].nrs = nrs;
  ns_get(&ns->ns);
  spin_unlock(&proc_lock);
  return id;
}

int nr_pids_in_use(void)
{
  return nr_pids;
}

pid_t pid_last(void)
{
  spin_lock(&proc_lock);
  pid_t pid = current_pid_ns()->last_pid;
  spin_unlock(&proc_lock);
  return pid;
}

void pid_set_last(pid_t pid)
{
  spin_lock(&proc_lock);
  current_pid_ns()->last_pid = pid;
  spin_unlock(&proc_lock);
}

/*
 * Is pgrp a process group of session sid? setpgid may join only such a
 * group, and TIOCSPGRP make only such a group the foreground. 0 if so;
 * -ESRCH if no process is in group pgrp; -EPERM if the group belongs to
 * another session. Zombies count until reaped, as on Linux. Caller holds
 * proc_lock.
 */
int pgrp_in_session(pid_t pgrp, pid_t sid)
{
  int r = -ESRCH;
  struct process *q;
  list_for_each_entry(q, &all_processes, all_link) {
    if (q->pgid != pgrp)
      continue;
    if (q->sid == sid)
      return 0;
    r = -EPERM;
  }
  return r;
}
