/*
 * task.h — tasks (threads) and processes (thread groups): Linux's object
 * model in miniature (docs/overview.md, decision 1).
 *
 * A task is one thread of execution with its own kernel stack. It points to
 * reference-counted objects that clone() flags decide to share or copy:
 *
 *   task->mm       address space        CLONE_VM
 *   task->files    descriptor table     CLONE_FILES
 *   task->fs       cwd, root, umask     CLONE_FS
 *   task->sighand  signal handlers      CLONE_SIGHAND
 *   task->nsproxy  namespaces           shared unless a CLONE_NEW* flag
 *                  (kern/nsproxy.h)
 *   task->proc     the thread group     CLONE_THREAD (the "process": pid,
 *                  parent, children, process group, session, exit status,
 *                  shared pending signals, resource limits)
 *
 * fork, vfork and pthread_create are all clone() with different flags.
 *
 * Locking: proc_lock protects the process tree (parent/children/threads
 * lists, pgid/sid, zombie state) and the pid table. A task's scheduler
 * fields belong to the run queue lock. Signal state is under the task's
 * sighand->lock.
 *
 * Layer: core. kern/sched.c (tasks, the run queue), kern/process.c (clone,
 * exit, wait, job control), kern/pid.c (ids, groups, sessions). Below:
 * kern/mm.h, kern/vm.h (the address space), arch/riscv/trap.h (the saved
 * registers). The descriptor table, fs context and terminal belong to the
 * layers above (fs/, drivers/tty.c) and reach clone and exit through
 * kern/proc_resource.h.
 */
#ifndef KITE_TASK_H
#define KITE_TASK_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/spinlock.h"
#include "kern/wait.h"
#include "kern/signal.h"
#include "kern/time.h"
#include "arch/riscv/trap.h"

struct mm;
struct sem_undo_list;
struct files;
struct fs_context;
struct resolve_scope;
struct tty;
struct cpu;
struct cred;
struct nsproxy;

/* task->state (Linux values) */
#define TASK_STOPPED 4
#define TASK_TRACED 8                /* in a ptrace stop (kern/ptrace.c) */
#define TASK_DEAD 64

#define TASK_COMM_LEN 16

/* Resource limits (Linux numbering). */
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0UL)

struct rlimit {
  uint64_t cur, max;
};

/* ITIMER_VIRTUAL / ITIMER_PROF: expiry on the process's CPU clock, ns. */
struct cpu_itimer {
  uint64_t expires;             /* 0: disarmed */
  uint64_t interval;
};

struct task {
  /* --- scheduler (runqueue lock) --- */
  struct context ctx;
  volatile long state;          /* TASK_RUNNING, TASK_INTERRUPTIBLE, ... */
  bool on_rq;                   /* queued on the run queue */
  bool on_cpu;                  /* running on a hart (or being switched out) */
  struct list_head rq_link;
  int slice;                    /* ticks left in this time slice */
  struct cpu *cpu;              /* hart it runs (or last ran) on */
  uint64_t cpus_allowed;        /* harts it may run on (cpumask_t, logical ids) */
  int policy;                   /* SCHED_OTHER, SCHED_FIFO, ... (kern/sched.h) */
  int rt_priority;              /* 1..99 for SCHED_FIFO/SCHED_RR, else 0 */
  bool reset_on_fork;           /* SCHED_RESET_ON_FORK: children start as SCHED_OTHER */
  int nice;                     /* -20..19: kept and inherited; not weighed (sched.c) */
  /* SCHED_DEADLINE's reservation (ns), kept and reported; scheduled as SCHED_OTHER (sys_sched.c) */
  uint64_t dl_runtime, dl_deadline, dl_period;
  uint64_t vruntime;            /* ns run, the order of SCHED_OTHER tasks on the queue (sched.c) */
  uint64_t vr_stamp;            /* when run time was last added to vruntime */

  /* --- identity --- */
  pid_t tid;
  char comm[TASK_COMM_LEN];
  struct process *proc;         /* thread group */
  struct list_head thread_link; /* in proc->threads (proc_lock) */
  bool is_kernel_thread;

  /* --- shared objects (see the top of this file) --- */
  struct mm *mm;
  struct files *files;
  struct fs_context *fs;
  struct sighand *sighand;
  struct nsproxy *nsproxy;      /* kern/nsproxy.h; NULL: a kernel thread (the initial ones) */
  const struct cred *real_cred; /* objective identity (kern/cred.h; cred_lock) */
  const struct cred *cred;      /* subjective: what this task acts with */
  bool no_new_privs;            /* PR_SET_NO_NEW_PRIVS: exec grants nothing */
  int pdeath_signal;            /* PR_SET_PDEATHSIG: sent when the parent exits */
  uint64_t timer_slack_ns;      /* PR_SET_TIMERSLACK */
  uint64_t default_timer_slack_ns;

  /* --- signals (sighand->lock) --- */
  sigset_t blocked;
  sigset_t saved_mask;          /* restored after sigsuspend/ppoll/pselect */
  sigset_t real_blocked;        /* during rt_sigtimedwait: the mask before it unblocked the
                                   waited-for set (such a signal is not ignored), else 0 */
  bool restore_saved_mask;
  struct sigpending pending;    /* sent to this thread (tkill, faults) */
  struct user_stack_t altstack;

  unsigned int personality;     /* personality(2): inherited by clone, kept by exec */
  uint16_t ioprio;              /* ioprio_set: class << 13 | data (0: none set); inherited (kern/ioprio.c) */
  struct resolve_scope *resolve; /* openat2's RESOLVE_* rules for the call in progress, else NULL */

  /* --- thread-library hooks --- */
  uaddr_t clear_child_tid;      /* CLONE_CHILD_CLEARTID / set_tid_address */
  uaddr_t robust_list;
  uint64_t robust_list_len;

  /* --- kernel stack, saved user registers, FP --- */
  void *kstack;                 /* KSTACK_PAGES pages */
  struct trapframe *tf;         /* at the top of kstack */
  struct fpstate fp;
  bool fp_live;                 /* fp holds state to restore (user FP used) */

  /* --- accounting (runqueue lock) ---
   * The total run time is exact (the clock is read at each context
   * switch); how it splits into user and system time comes from which mode
   * the timer tick found the task in, as Linux's tick-based accounting
   * does. Reading the clock on every trap would cost more than the
   * system calls it measures. */
  uint64_t runtime_ns;          /* run time up to the last switch-in */
  uint64_t last_run_ns;         /* when it was last switched in */
  uint32_t user_ticks, sys_ticks;
  uint64_t start_ns;
  uint64_t nvcsw, nivcsw;       /* voluntary / involuntary switches */

  /* --- sleeping --- */
  struct timer sleep_timer;     /* nanosleep and wait timeouts */
  int exit_code;                /* this thread's exit status */

  /* --- ptrace (proc_lock; kern/ptrace.c, docs/ptrace.md) --- */
  struct process *ptracer;      /* the tracing process, or NULL */
  struct list_head ptrace_link; /* in ptracer->ptraced */
  unsigned int ptrace_opts;     /* PTRACE_O_* */
  bool ptrace_syscall;          /* resumed by PTRACE_SYSCALL: stop at syscall entry and exit */
  bool ptrace_stopped;          /* in a ptrace stop: the tracer may inspect and resume it */
  bool ptrace_report;           /* the tracer's wait() has this stop to report */
  int ptrace_code;              /* the stop's code: sig | event << 8, or SIGTRAP | 0x80 */
  int ptrace_resume_sig;        /* the resuming request's data: the signal to deliver */
  struct ksiginfo *ptrace_siginfo; /* the stop's siginfo (the tracee's stack), NULL: group stop */
  uint64_t ptrace_msg;          /* PTRACE_GETEVENTMSG */

  /* --- system call in progress (for restarts after signals) --- */
  bool in_syscall;              /* tf->a0 holds a syscall's return value */
  bool must_exit;               /* another thread is exec'ing: leave quietly */

#ifdef CONFIG_LOCKDEP
  /* --- lock-order checker (kern/lockdep.c): mutexes this task holds --- */
  uint16_t ld_mutex[16];
  int ld_nmutex;
#endif
};

struct process {
  struct list_head all_link;    /* in all_processes (proc_lock) */
  pid_t pid;                    /* thread-group id = leader's tid */
  struct pid_namespace *pid_ns; /* the namespace pid was made in (pid_ns_of(pid)): fixed for
                                   the process's life; not referenced, the pid's entry holds
                                   it until the zombie is reaped (current_pid_ns reads it) */
  pid_t pgid, sid;              /* proc_lock */
  struct process *parent;       /* proc_lock */
  pid_t ppid;                   /* parent->pid, set with parent (proc_lock); getppid reads it
                                   without the lock, as Linux reads real_parent under RCU */
  struct list_head children;    /* proc_lock */
  struct list_head sibling;     /* in parent->children */
  struct list_head threads;     /* tasks of this group (proc_lock) */
  struct list_head ptraced;     /* tasks this process traces (task->ptrace_link; proc_lock) */
  struct list_head ptrace_exits; /* exits of tracees that are not its children, for wait()
                                   (kern/ptrace.c; proc_lock) */
  int nr_threads;               /* live threads */
  struct task *leader;
  int refcount;                 /* tasks + the zombie's reaper; proc_lock */
  uint64_t kill_pass;           /* the last kill() to a group or -1 that took it (proc_lock) */

  /* exit and wait (proc_lock) */
  bool exiting;                 /* exit_group in progress: threads die */
  bool zombie;                  /* every thread has exited; waiting for reap */
  int exit_status;              /* wait status word (W* macros) */
  struct wait_queue child_wait; /* the parent sleeps here in wait4() */
  bool vfork_done;
  struct wait_queue vfork_wait; /* vfork parent sleeps until exec/exit */
  struct wait_queue pidfd_wait; /* pidfd pollers: woken when it exits (kern/pidfd.c) */

  /* job control */
  bool stopped;                 /* group stopped by SIGSTOP/SIGTSTP... */
  int stop_sig;
  int report_stop;              /* wait4(WUNTRACED) has a stop to report */
  bool report_cont;             /* wait4(WCONTINUED) has a continue to report */

  /* signals shared by the group (sighand->lock) */
  struct sigpending shared_pending;

  struct rlimit rlim[RLIM_NLIMITS];
  struct tty *ctty;             /* controlling terminal (a counted reference; proc_lock) */
  pid_t tty_old_pgrp;           /* foreground group of a terminal that hung up under
                                   this session leader: SIGHUP'd when it exits (proc_lock) */

  /* times of reaped children, for times()/getrusage(RUSAGE_CHILDREN) */
  uint64_t cutime_ns, cstime_ns;
  uint64_t dead_utime_ns, dead_stime_ns; /* of this group's exited threads */
  /* peak resident sizes in pages (proc_lock; read with READ_ONCE): maxrss
   * of the address spaces it left (exec, a thread's exit), cmaxrss the
   * largest max(maxrss, cmaxrss) of the children it reaped (Linux's
   * signal_struct maxrss/cmaxrss: zero in a new process, kept by exec) */
  uint64_t maxrss, cmaxrss;

  /* ITIMER_REAL */
  struct timer itimer_real;
  uint64_t itimer_interval_ns;

  /* POSIX timers and ITIMER_VIRTUAL/PROF (kern/posix_timers.c, ptimer_lock) */
  struct list_head posix_timers;
  int next_timer_id;
  struct cpu_itimer itimer_cpu[2];  /* [0] ITIMER_VIRTUAL, [1] ITIMER_PROF */
  int cpu_timers_active;        /* armed timers on CPU clocks: checked each tick */

  uint64_t start_ns;
  int exit_signal;              /* sent to the parent at exit (SIGCHLD, or 0) */
  bool unkillable;              /* init: signals it has no handler for are dropped
                                   (Linux's SIGNAL_UNKILLABLE); a fault clears it */
  bool did_exec;                /* has called execve (setpgid by the parent: EACCES) */
  bool leader_exited;           /* the leader left with exit(): its code is the group's */
  int leader_code;
  uint64_t child_seq;           /* bumped on every child state change (proc_lock) */
  int dumpable;                 /* PR_GET_DUMPABLE: 0 after a change of identity */
  bool child_subreaper;         /* PR_SET_CHILD_SUBREAPER: orphans below come here */
  struct sem_undo_list *sem_undo_list; /* SEM_UNDO records, applied when the last process
                                   sharing them exits (ipc/sem.c; sem_ids.lock): NULL until
                                   the first SEM_UNDO or CLONE_SYSVSEM, which shares it */
};

/* Wait status encoding (as Linux's wait.h). */
#define W_EXITCODE(ret, sig) (((ret) & 0xff) << 8 | (sig))
#define W_STOPCODE(sig) ((sig) << 8 | 0x7f)
#define W_CONTINUED 0xffff

extern struct spinlock proc_lock;
extern struct list_head all_processes;
extern struct task init_task;   /* the boot task: becomes hart 0's idle task */
extern struct process *init_process;
extern struct process kernel_process; /* owner of kernel threads */

/* Scheduling policies (sched(7)); sched.c runs SCHED_FIFO and SCHED_RR
 * tasks (priorities 1..99, higher first) before all the others. */
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000
#define SCHED_RT_PRIO_MAX 99

/* ---- kern/sched.c: the run queue (rq.lock, a spinlock below timer_lock
 * and every wait-queue lock; the functions take it themselves) ---- */
/* Boot, first thing in kmain: the run queue, and init_task as hart 0's
 * idle (and current) task. */
void sched_init(void);
/* clone: child gets parent's policy, priority and nice (SCHED_RESET_ON_FORK
 * puts them back to SCHED_OTHER, nice >= 0). No lock: child is not queued. */
void sched_fork(struct task *child, struct task *parent);
/* Change t's policy and real-time priority (already checked); requeues it. */
void sched_set_policy(struct task *t, int policy, int rt_priority, bool reset_on_fork);
/* The timer tick (interrupt context, from timer_interrupt): charge the
 * slice, CPU-time timers and the load average; may set need_resched. */
void scheduler_tick(void);
/* The running task's share of SCHED_LATENCY_NS is over (interrupt context,
 * from timer_interrupt at cpu->slice_end_ns): it yields at its next return
 * to user if a normal task waits. */
void sched_slice_expired(void);
/* Bring this hart's timer forward to deadline_ns if it is set later
 * (kern/time.c; interrupts off). */
void timer_program_before(uint64_t deadline_ns);
/* Make t runnable if it sleeps in one of the states of state_mask
 * (wake_up_task: either sleeping state); nothing otherwise. Any context,
 * any lock below rq.lock held; a full fence pairs with the sleeper's. */
void wake_up_task(struct task *t);
void wake_up_state(struct task *t, long state_mask);
/* sched_yield: go behind every queued task of the same priority. */
void yield(void);
/* Queue a new task (from clone or kthread_alloc_tid) for its first run;
 * with several harts it may start at once, elsewhere. */
void sched_add_new(struct task *t);
/* Should this hart switch at the next chance (return to user)? Lock-free. */
bool need_resched(void);
/* At return to user: a task woken by this one has waited long enough
 * (WAKEUP_GRANULARITY_NS): yield to it now. */
void wakeup_preempt_check(void);
/* A new task with a kernel stack, root's cred and default slack, not
 * queued (the caller fills it in); NULL when out of memory. task_free
 * frees one that has finished running (never current). No locks. */
struct task *task_alloc(void);
void task_free(struct task *t);
/* CPU time of a task, or of every thread of a process (live and exited),
 * split into user and system time by the proportion of ticks in each.
 * process_cputime takes proc_lock. */
void task_cputime(struct task *t, uint64_t *utime_ns, uint64_t *stime_ns);
void process_cputime(struct process *p, uint64_t *utime_ns, uint64_t *stime_ns);
/* p is leaving address space mm (exec, a thread's exit): keep its peak
 * resident size in p->maxrss. Takes mm->lock, then proc_lock. */
void process_note_maxrss(struct process *p, struct mm *mm);
/* The trap code, before scheduler_tick: did the tick interrupt user mode? */
void scheduler_tick_mode(bool user);
/* A kernel thread running fn(arg), named name, queued at once (it may run
 * before this returns), or with id tid (0: a new one) and not queued yet
 * (the caller finishes it, then sched_add_new). NULL when out of memory. */
struct task *kthread_create(const char *name, void (*fn)(void *), void *arg);
struct task *kthread_alloc_tid(const char *name, void (*fn)(void *), void *arg, pid_t tid);
/* The end of a kernel thread (its fn returned): dead, freed after the
 * switch away. Never returns. */
void task_exit_kernel_thread(void) NORETURN;
/* A new task's first instructions in C (kern/sched.c, from swtch.S and
 * trapvec.S): finish the switch to it, interrupts on. */
void task_first_run(void);
/* Sleep ns nanoseconds uninterruptibly (kernel use); or until the
 * monotonic deadline or a signal: 0 when the time is up, -ERESTARTSYS
 * when a signal came. No spinlock held (they schedule). */
void sleep_ns(uint64_t ns);
int sleep_interruptible_until(uint64_t deadline_ns);
/* A hart's idle task: run queued tasks, else wfi until an interrupt
 * (the tick, a device, an IPI from a hart that queued work). Never
 * returns. */
void idle_loop(void) NORETURN;
/* The idle task of hart c, about to start (kern/smp.c); NULL when out of
 * memory. */
struct task *sched_idle_task_create(struct cpu *c);
/* At return to user: send idle harts an IPI for work this hart queued. */
void sched_kick(void);
/* t may be running in user mode on another hart: interrupt that hart so
 * t looks at its signals now (Linux's kick_process). Takes rq.lock. */
void sched_kick_task(struct task *t);
/* Restrict t to the harts in mask (logical ids): 0, or -EINVAL if no
 * online hart is left; t moves at its next return to user. */
int sched_set_affinity(struct task *t, uint64_t mask);
/* Runnable tasks and context switches so far (/proc/stat). */
void sched_stats(int *running, uint64_t *switches);

/* ---- kern/pid.c: ids (proc_lock guards the bitmap and the table) ---- */
extern int pid_max;                         /* /proc/sys/kernel/pid_max (301 .. PID_MAX) */
/* A free id, round-robin after the last one handed out, or -EAGAIN when
 * all below pid_max are taken; or this very id (clone3's set_tid):
 * -EEXIST if taken, -EINVAL out of range. Both take proc_lock. */
pid_t pid_alloc(void);
pid_t pid_alloc_exact(pid_t want);
/* Give an id back (and unlink its task and process): pid_free takes
 * proc_lock, pid_free_locked expects it held. Bad ids are ignored. */
void pid_free(pid_t pid);
void pid_free_locked(pid_t pid);
/* Make id pid find task t / process p (find_task, find_process). The
 * caller holds proc_lock; t or p must unlink before they are freed. */
void pid_attach(pid_t pid, struct task *t);
void pid_attach_process(pid_t pid, struct process *p);
/* Ids in use now (/proc/loadavg's count; racy read). */
int nr_pids_in_use(void);
/* /proc/sys/kernel/ns_last_pid: the id handed out last; the next
 * allocation tries the one after it first (proc_lock taken). */
pid_t pid_last(void);
void pid_set_last(pid_t pid);
/* Processes and threads made since boot, /proc/stat's "processes" (proc_lock; kern/process.c). */
extern uint64_t total_forks;
/* The task with tid, the process with pid, or the process whose pid or
 * any thread's tid is id; NULL if none. Not referenced: the caller holds
 * proc_lock and takes a reference before dropping it. */
struct task *find_task(pid_t tid);
struct process *find_process(pid_t pid);
struct process *find_process_by_id(pid_t id);

/* ---- kern/pid.c, kern/sys_proc.c: groups and permission ---- */
/* Is pgrp a group of session sid? 0; -ESRCH if no process is in pgrp;
 * -EPERM if it belongs to another session. Caller holds proc_lock. */
int pgrp_in_session(pid_t pgrp, pid_t sid);
/* May the caller send sig to p (Linux's check_kill_permission: the
 * caller's real or effective uid is the real or saved uid of one of p's
 * threads, or CAP_KILL, or SIGCONT within the session)? 0 or -EPERM (0
 * for an exiting p: the signal is dropped). Takes proc_lock. */
int kill_permission(struct process *p, int sig);

/* ---- kern/process.c: clone and exit ---- */
struct clone_extras;
/*
 * clone: a new task sharing or copying the caller's resources as flags
 * say (CLONE_VM, _FILES, _FS, _SIGHAND, _THREAD, _VFORK, ...; x: clone3's
 * extras, or NULL), starting at newsp in user mode. Returns the child's
 * tid, or -EINVAL (bad flag combination), -EAGAIN (RLIMIT_NPROC, no id),
 * -ENOMEM, or a registered resource's error — everything made so far is
 * undone. With CLONE_VFORK the caller sleeps until the child execs or
 * exits. Current task, no lock held.
 */
long do_clone(uint64_t flags, uaddr_t newsp, uaddr_t ptid, uaddr_t tls, uaddr_t ctid,
              int exit_signal, const struct clone_extras *x);
/* This thread exits with code (do_exit), or the whole process with wait
 * status `status` (do_exit_group: every other thread is told to exit).
 * Drops the task's resources with no lock held, wakes the parent, and
 * never returns; init's exit powers the machine off. */
void do_exit(int code) NORETURN;
void do_exit_group(int status) NORETURN;
/* wait */
#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#define WAIT_EXITED 0x00000004      /* report exits (waitid's WEXITED) */
#define WAIT_FROM_WAITID 0x00001000 /* kernel-internal: caller chose WAIT_EXITED itself */
struct wait_result {
  int status;                   /* wait status word */
  bool trapped;                 /* a ptrace stop (waitid's CLD_TRAPPED) */
  uint64_t utime_ns, stime_ns;
  uint64_t maxrss;              /* the reaped child's peak, with its children's (pages) */
};
/*
 * The hart running this code. Inline (it was a call): every spinlock takes
 * it four times, and on QEMU each call and return is a jump between
 * translation blocks (docs/smp.md, benchmarks).
 */
static inline struct cpu *mycpu(void)
{
  return current->cpu;
}

struct rusage_k {
  int64_t ru_utime_sec, ru_utime_usec, ru_stime_sec, ru_stime_usec;
  int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap,
      ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};
/*
 * Wait for a child of the caller's process (pid > 0: that one; 0: its
 * group; -1: any; < -1: group -pid) to exit, or with WUNTRACED/WCONTINUED
 * to stop or continue. Returns the child's pid with *w filled (an exited
 * one is reaped unless WNOWAIT), 0 with WNOHANG if none changed yet,
 * -ECHILD if there is no such child, -ERESTARTSYS on a signal. Takes
 * proc_lock; sleeps on the process's child_wait with no lock held.
 */
long do_wait(pid_t pid, int options, struct wait_result *w);
/* Fill a user rusage from CPU times in ns, everything else zero. */
void fill_rusage(struct rusage_k *ru, uint64_t utime_ns, uint64_t stime_ns);
/* A new process: empty lists, one reference (the caller's), SIGCHLD as
 * exit signal, no pid yet; NULL when out of memory. No locks. */
struct process *process_alloc(void);
/* Take a reference to p (the caller holds one, or proc_lock while p is on
 * a list). Drop one: the last frees p (its timer stopped, its shared
 * pending signals freed); NULL and the kernel process are ignored. Atomic;
 * process_put may wait for a running itimer callback: no spinlock held. */
void process_get(struct process *p);
void process_put(struct process *p);
/* The caller's soft limit of resource (RLIMIT_*; RLIM_INFINITY for a
 * kernel thread without a process). Lock-free read. */
uint64_t rlimit_cur(int resource);
/* Linux's defaults for init's limits (the rest inherit them). */
void rlimits_default(struct rlimit *r);
/* t's name for /proc/<pid>/comm and ps (truncated to 15 bytes). */
void set_task_comm(struct task *t, const char *name);
/* A vfork child p exec'd or exited: wake its waiting parent (once). */
void vfork_release(struct process *p);
/* Job control. Stop p (by sig; nothing if stopped or exiting already):
 * mark it stopped, tell and wake its parent (SIGCHLD CLD_STOPPED unless
 * SA_NOCLDSTOP). Continue p: wake its stopped threads, and if it was
 * stopped report CLD_CONTINUED to the parent. Both take proc_lock; the
 * caller holds no sighand->lock (send_signal takes it). */
void process_stop(struct process *p, int sig);
void process_continue(struct process *p);

#endif
