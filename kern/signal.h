/*
 * signal.h — signal numbers, sets, actions and pending queues (Linux ABI),
 * and the functions of kern/signal.c that send, queue and deliver them.
 *
 * Layer: core. Below: kern/sched.c and kern/wait.c (waking the target),
 * kern/vm.c (the signal frame on the user stack), arch/riscv/trap.h (the
 * trap frame). Above: the system calls (kern/sys_signal*.c, kill, tkill),
 * the file kinds that send (fs/fown.c's SIGIO, drivers/tty.c's job
 * control) or wait for signals (fs/signalfd.c).
 *
 * Locks: sighand->lock (a spinlock, shared by the threads that share
 * their handlers) guards the actions, every pending set of those threads
 * and task->blocked changes of other tasks; proc_lock > sighand->lock >
 * wait-queue locks. Pending bits are read without it (READ_ONCE) for the
 * quick "anything pending?" test.
 */
#ifndef KITE_SIGNAL_H
#define KITE_SIGNAL_H

#include "kern/types.h"
#include "kern/list.h"
#include "kern/spinlock.h"

#define NSIG 64
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32

typedef uint64_t sigset_t;
#define SIGMASK(sig) (1ULL << ((sig) - 1))
#define SIG_UNBLOCKABLE (SIGMASK(SIGKILL) | SIGMASK(SIGSTOP))

#define SIG_DFL 0UL
#define SIG_IGN 1UL

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* si_code values */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE -1
#define SI_TIMER -2
#define SI_TKILL -6
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2
#define ILL_ILLOPC 1
#define TRAP_BRKPT 1
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define POLL_IN 1               /* SIGPOLL (and F_SETSIG signals): si_band, si_fd */
#define POLL_OUT 2
#define POLL_MSG 3
#define POLL_ERR 4
#define POLL_PRI 5
#define POLL_HUP 6
#define NSIGPOLL 6

/* What the kernel remembers about one pending signal. */
struct ksiginfo {
  int signo;
  int code;
  int errno_;
  pid_t pid;            /* sender / child */
  uid_t uid;
  int status;           /* SIGCHLD */
  uint64_t addr;        /* faults */
  uint64_t value;       /* sigqueue value / timer */
  uint64_t utime, stime;
  uint64_t timer_seq;   /* SI_TIMER: the POSIX timer that sent it (0: none) */
  int64_t band;         /* I/O signals (fs/fown.c): si_band ... */
  int fd;               /* ... and si_fd */
  bool from_ancestor_ns; /* sent from an ancestor pid namespace: may stop or kill
                            the target namespace's init (not copied to user) */
};

/* Does this siginfo have the SIGPOLL layout (si_band, si_fd)? As Linux's
 * siginfo_layout: a kernel code 1..NSIGPOLL on a signal that has no
 * layout of its own. */
static inline bool siginfo_is_poll(int signo, int code)
{
  if (code <= 0 || code > NSIGPOLL)
    return false;
  switch (signo) {
  case 4: case 5: case 7: case 8: case 11: case 17: case 31: /* ILL TRAP BUS FPE SEGV CHLD SYS */
    return false;
  default:
    return true;
  }
}
/* SI_TIMER signals keep the timer id in `pid` and the overrun count in
 * `uid`: siginfo's si_timerid and si_overrun sit where si_pid and si_uid
 * do. */

/* A pending set plus queued siginfo (one per standard signal, many for RT). */
struct sigqueue {
  struct list_head link;
  struct ksiginfo info;
  bool charged;          /* counted against uid's RLIMIT_SIGPENDING (kern/signal.c) */
  uint32_t uid;
};

struct sigpending {
  sigset_t set;
  struct list_head queue;
};

struct k_sigaction {
  uint64_t handler;      /* user address, SIG_DFL or SIG_IGN */
  uint64_t flags;
  uint64_t restorer;
  sigset_t mask;
};

/* Signal handlers, shared by threads (CLONE_SIGHAND). */
struct sighand {
  int refcount;
  struct spinlock lock;  /* protects actions and all pending/blocked state */
  struct k_sigaction action[NSIG];
};

struct user_stack_t {
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t pad;
  uint64_t ss_size;
};
#define SS_ONSTACK 1
#define SS_DISABLE 2

struct task;
struct process;
struct trapframe;

/* An empty pending set (init), or empty it, freeing its queued siginfo
 * (flush; the caller holds the owner's sighand->lock, or is the only user:
 * a new or dead task). */
void sigpending_init(struct sigpending *p);
/* Signals queued with their siginfo for the user uid (real uid of the
 * receiver), as RLIMIT_SIGPENDING counts them; /proc/<pid>/status SigQ. */
int signals_queued_for_user(uint32_t uid);

/* ---- kern/sigqueue.c: queue entries and RLIMIT_SIGPENDING ---- */
/* Who a signal is charged to: the receiver's real uid and its limit. */
struct sigq_owner {
  uint32_t uid;
  uint64_t limit;
};
struct task;
/* Fill o for receiver t. Takes cred_lock: call before sighand->lock. */
void sigq_owner_of(struct task *t, struct sigq_owner *o);
/* An entry for sig with info (not filled in), charged to o; NULL if o's
 * limit or memory says no. sighand->lock may be held. */
struct sigqueue *sigqueue_alloc(int sig, const struct ksiginfo *info, const struct sigq_owner *o);
/* Free an entry (unlinked), giving back its charge. */
void sigqueue_free(struct sigqueue *q);
void sigpending_flush(struct sigpending *p);
/* A new handler table, every action SIG_DFL, one reference; or a copy of
 * old's actions (takes old->lock) for clone without CLONE_SIGHAND. NULL
 * when out of memory. */
struct sighand *sighand_alloc(void);
struct sighand *sighand_copy(struct sighand *old);
/* Drop a reference (NULL: nothing); the last frees the table. Atomic. */
void sighand_put(struct sighand *sh);

/*
 * Send sig to a whole process (queued on its shared pending set, one
 * thread that does not block it woken; every thread for SIGKILL), or to
 * one thread t (its own pending set). info NULL: sent by the kernel
 * (SI_KERNEL). A signal whose action is to ignore it, and that is not
 * blocked, is dropped here; SIGCONT resumes a stopped process, a stop
 * signal cancels a pending SIGCONT. Returns 0 (also for a zombie or a dead
 * task: nothing is sent), -EINVAL for a bad number, -EPERM for the kernel
 * process. No permission check: the caller did it. The caller holds a
 * reference to p or t; proc_lock may be held (send_signal_process takes
 * it otherwise), no sighand->lock. Never sleeps.
 */
int send_signal_process(struct process *p, int sig, const struct ksiginfo *info);
int send_signal_task(struct task *t, int sig, const struct ksiginfo *info);
/* send_signal_process to every live process of group pgid (at most 256 at
 * a time). Returns 0. Takes proc_lock; the caller holds no spinlock. */
int kill_pgrp(pid_t pgid, int sig, const struct ksiginfo *info);
/* A POSIX timer's signal to process p, or to its thread t (not NULL):
 * if the same timer's signal is still queued there, its overrun count
 * grows instead of a second one being queued. */
#define TIMER_SIGNAL_QUEUED 0
#define TIMER_SIGNAL_COALESCED 1
#define TIMER_SIGNAL_DROPPED 2     /* ignored, or nobody to take it */
/* Returns TIMER_SIGNAL_* (the timer counts an overrun unless QUEUED);
 * locks as send_signal_process. */
int send_timer_signal(struct process *p, struct task *t, int sig, const struct ksiginfo *info);
/* A fault of the current task in user mode (code: SEGV_MAPERR ...,
 * addr: si_addr): sig is delivered even if blocked or ignored (its action
 * goes back to default then), as Linux's force_sig. Takes sighand->lock. */
void force_fault_signal(int sig, int code, uint64_t addr);
/* Would t act on a signal now: one pending and not blocked, or its
 * process exiting or stopped? Lock-free; for sleep loops (-EINTR) and the
 * return to user mode. Kernel threads: never. */
bool signal_pending(struct task *t);
/* On the way back to user mode (trap.c), current only: exit, stop or run
 * each deliverable signal's default action, or push a signal frame onto
 * the user stack and point tf at the handler. A frame that cannot be
 * written kills with SIGSEGV. Takes and drops sighand->lock; may sleep
 * (stopped) and may not return (exit). No locks held on entry. */
void do_signals(struct trapframe *tf);
/* Is sig's default action to ignore it (SIGCHLD, SIGURG, SIGWINCH)? */
bool sig_ignored_by_default(int sig);
/* execve of t (current): caught signals go back to SIG_DFL, ignored ones
 * stay ignored, flags and alternate stack cleared; a table shared with
 * other processes is copied first (left shared if out of memory). */
void signal_exec_reset(struct task *t);
/* Take the lowest-numbered pending signal of t in `allowed` (SIGKILL, then
 * SIGSTOP first; t's own set before its process's), filling *info; 0 if
 * none. The caller holds t->sighand->lock (do_signals, rt_sigtimedwait,
 * signalfd's read). */
int dequeue_signal_from(struct task *t, sigset_t allowed, struct ksiginfo *info);
/* Is SIGKILL pending for t (its own or its process's)? Lock-free read. */
bool sigkill_pending(struct task *t);
/* A ksiginfo to or from the 128-byte user siginfo_t (ptrace's GETSIGINFO
 * and SETSIGINFO): 0 or -EFAULT. */
int siginfo_copyout(uaddr_t dst, const struct ksiginfo *k);
int siginfo_copyin(struct ksiginfo *k, uaddr_t src);
/* Woken (POLLIN) whenever a signal is queued, blocked or not: signalfd
 * readers and pollers wait here and re-check their own task and set
 * (fs/signalfd.c). Woken with sighand->lock held. */
extern struct wait_queue signal_queued_wq;

#endif
