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

struct spinlock proc_lock = SPINLOCK_INIT("proc");
LIST_HEAD(all_processes);

static uint64_t pid_bitmap[PID_MAX / 64];

/* An id names a task (while that thread lives) and, if it is a process id,
 * the process (until the zombie is reaped). */
struct pid_entry {
  struct task *task;
  struct process *proc;
};
static struct pid_entry *pid_table; /* PID_MAX entries; valid where the bitmap says in use */
static pid_t last_pid;
static int nr_pids;

/* The table is not zeroed (512 KiB at boot): an entry is cleared when its
 * id is taken (take_pid_locked) and read only while the id is in use. */
static void pid_table_init(void)
{
  if (!pid_table) {
    struct page *p = alloc_pages_nozero(7); /* 128 pages: PID_MAX entries */
    if (!p)
      panic("pid table: out of memory");
    pid_table = page_to_kva(p);
  }
}

static bool pid_in_use(pid_t pid)
{
  return pid_bitmap[pid / 64] & (1ULL << (pid % 64));
}

/* Mark pid in use, with no task or process yet. Caller holds proc_lock. */
static void take_pid_locked(pid_t pid)
{
  pid_bitmap[pid / 64] |= 1ULL << (pid % 64);
  pid_table[pid] = (struct pid_entry){ NULL, NULL };
  nr_pids++;
}

int pid_max = PID_MAX;  /* /proc/sys/kernel/pid_max: ids are 1 .. pid_max-1 (<= PID_MAX) */

/* A free id, or -EAGAIN when all are taken. */
pid_t pid_alloc(void)
{
  spin_lock(&proc_lock);
  pid_table_init();
  pid_t pid = -EAGAIN;
  int max = READ_ONCE(pid_max);
  for (int i = 0; i < max - 1; i++) {
    pid_t cand = (last_pid + i) % (max - 1) + 1; /* 1 .. max-1 */
    if (!pid_in_use(cand)) {
      take_pid_locked(cand);
      last_pid = cand;
      pid = cand;
      break;
    }
  }
  spin_unlock(&proc_lock);
  return pid;
}

/* This very id (clone3's set_tid): it, -EEXIST if taken, -EINVAL if out of range. */
pid_t pid_alloc_exact(pid_t want)
{
  if (want <= 0 || want >= PID_MAX)
    return -EINVAL;
  spin_lock(&proc_lock);
  pid_table_init();
  pid_t pid = -EEXIST;
  if (!pid_in_use(want)) {
    take_pid_locked(want);
    pid = want;
  }
  spin_unlock(&proc_lock);
  return pid;
}

/* Caller holds proc_lock. */
void pid_free_locked(pid_t pid)
{
  if (pid <= 0 || pid >= PID_MAX)
    return;
  pid_bitmap[pid / 64] &= ~(1ULL << (pid % 64));
  pid_table[pid].task = NULL;
  pid_table[pid].proc = NULL;
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

int nr_pids_in_use(void)
{
  return nr_pids;
}

pid_t pid_last(void)
{
  spin_lock(&proc_lock);
  pid_t pid = last_pid;
  spin_unlock(&proc_lock);
  return pid;
}

void pid_set_last(pid_t pid)
{
  spin_lock(&proc_lock);
  last_pid = pid;
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
