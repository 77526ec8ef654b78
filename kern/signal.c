/*
 * signal.c — generating, queueing and delivering signals; signal frames.
 *
 * A signal is either sent to one thread (tkill, faults) and queued on
 * task->pending, or to a process (kill) and queued on
 * proc->shared_pending, where any thread not blocking it may take it.
 * Signals are acted on in do_signals(), on the way back to user mode:
 * default action (terminate, ignore, stop, continue) or a handler, for
 * which we push a Linux rt_sigframe on the user stack and return into the
 * handler with ra pointing at the sigreturn trampoline.
 *
 * A signal whose action is "ignore" is discarded when it is sent (unless
 * blocked), so it never wakes a sleeper and never interrupts a syscall.
 *
 * Layer: core. Below: kern/sched.c and kern/wait.c (waking the target),
 * kern/uaccess.c (the signal frame), kern/posix_timers.c (overrun
 * counts). Above: the signal system calls (kern/sys_proc.c, sys_signal*),
 * the file kinds that send signals (fs/fown.c, drivers/tty.c) or wait for
 * them (fs/signalfd.c, through signal_queued_wq).
 *
 * A queue entry is charged to the receiver's user (RLIMIT_SIGPENDING,
 * kern/sigqueue.c): when none can be made, a real-time signal that kill()
 * did not send is refused (EAGAIN), any other arrives without siginfo.
 *
 * Locks: sighand->lock guards actions, pending sets and blocked masks;
 * proc_lock > sighand->lock > sigq_lock, wait-queue locks. do_signals runs with none
 * held and may sleep (stop) or not return (exit).
 */
#include "kern/signal.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/cpu.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "kern/posix_timers.h"
#include "kern/ptrace.h"
#include "kern/poll.h"   /* POLLIN: the event constants only */
#include "arch/riscv/trap.h"
#include "arch/riscv/riscv.h"
#include <string.h>

/* Woken whenever a signal is queued (signal.h; signalfd waits here). */
struct wait_queue signal_queued_wq = WAIT_QUEUE_INIT(signal_queued_wq);

/* ---- signal frame (Linux riscv64 layout) ---- */

struct user_siginfo {
  int32_t si_signo, si_errno, si_code, pad0;
  union {
    struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } chld;
    struct { int32_t pid; uint32_t uid; uint64_t value; } rt;
    struct { uint64_t addr; } fault;
    struct { int64_t band; int32_t fd; } poll;
    uint8_t raw[112];
  };
};
STATIC_ASSERT(sizeof(struct user_siginfo) == 128);

struct user_fpstate {        /* union __riscv_fp_state, as the d extension uses it */
  uint64_t f[32];
  uint32_t fcsr;
  uint8_t pad[528 - 260];
};

struct user_ucontext {
  uint64_t uc_flags;
  uint64_t uc_link;
  struct user_stack_t uc_stack;
  sigset_t uc_sigmask;
  uint8_t unused[1024 / 8 - sizeof(sigset_t)];
  uint8_t align_pad[8];      /* uc_mcontext is 16-byte aligned */
  uint64_t sc_regs[32];      /* pc, ra, sp, ... t6 (= struct trapframe head) */
  struct user_fpstate sc_fpregs;
};
STATIC_ASSERT(offsetof(struct user_ucontext, uc_sigmask) == 40);
STATIC_ASSERT(offsetof(struct user_ucontext, sc_regs) == 176);
STATIC_ASSERT(sizeof(struct user_ucontext) == 960);

struct rt_sigframe {
  struct user_siginfo info;
  struct user_ucontext uc;
};

/* The sigreturn trampoline, mapped read+exec into every process at
 * USER_TRAMPOLINE (kern/vm.c). `li a7, 139; ecall`. */
asm(".pushsection .text.trampoline, \"ax\"\n"
    ".globl sigreturn_trampoline\n"
    "sigreturn_trampoline:\n"
    "  li a7, 139\n"
    "  ecall\n"
    ".popsection\n");

/* ---- pending sets ---- */

void sigpending_init(struct sigpending *p)
{
  p->set = 0;
  list_init(&p->queue);
}

void sigpending_flush(struct sigpending *p)
{
  struct sigqueue *q, *n;
  list_for_each_entry_safe(q, n, &p->queue, link) {
    list_del(&q->link);
    sigqueue_free(q);
  }
  p->set = 0;
}

struct sighand *sighand_alloc(void)
{
  struct sighand *sh = kzalloc(sizeof(*sh));
  if (sh) {
    sh->refcount = 1;
    spin_init(&sh->lock, "sighand");
  }
  return sh;
}

struct sighand *sighand_copy(struct sighand *old)
{
  struct sighand *sh = sighand_alloc();
  if (sh) {
    spin_lock(&old->lock);
    memcpy(sh->action, old->action, sizeof(sh->action));
    spin_unlock(&old->lock);
  }
  return sh;
}

void sighand_put(struct sighand *sh)
{
  if (sh && __atomic_sub_fetch(&sh->refcount, 1, __ATOMIC_ACQ_REL) == 0)
    kfree(sh);
}

/* ---- default actions ---- */

enum sig_default { SIGACT_TERM, SIGACT_CORE, SIGACT_IGN, SIGACT_STOP, SIGACT_CONT };

static enum sig_default default_action(int sig)
{
  switch (sig) {
  case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
  case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
    return SIGACT_CORE;
  case SIGCHLD: case SIGURG: case SIGWINCH:
    return SIGACT_IGN;
  case SIGCONT:
    return SIGACT_CONT;
  case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
    return SIGACT_STOP;
  default:
    return SIGACT_TERM;
  }
}

bool sig_ignored_by_default(int sig)
{
  return default_action(sig) == SIGACT_IGN;
}

/*
 * Would sig be thrown away on arrival? (sighand->lock held) A signal
 * without siginfo is the kernel's own (group exit, the OOM killer).
 */
static bool sig_discarded(struct task *t, int sig, const struct ksiginfo *info)
{
  uint64_t h = t->sighand->action[sig - 1].handler;
  /* a tracer sees every signal, even an ignored one (Linux's sig_ignored) */
  if (READ_ONCE(t->ptracer) && sig != SIGKILL)
    return false;
  /* init (and a pid namespace's init) gets no signal it has no handler
   * for — SIGKILL and SIGSTOP included, unless the kernel or a process of
   * an ancestor pid namespace sends them — and none while it is
   * blocked and still without a handler at delivery (do_signals) */
  bool kernel_only = sig == SIGKILL || sig == SIGSTOP;
  if (t->proc && t->proc->unkillable && !(t->blocked & SIGMASK(sig)) &&
      (kernel_only ? info != NULL && !info->from_ancestor_ns : h == SIG_DFL))
    return true;
  if (sig == SIGKILL || sig == SIGSTOP)
    return false;
  /* a blocked signal is kept even if ignored: the handler may change
   * before it is unblocked, or sigtimedwait may take it (Linux) */
  if ((t->blocked | t->real_blocked) & SIGMASK(sig))
    return false;
  return h == SIG_IGN || (h == SIG_DFL && (default_action(sig) == SIGACT_IGN ||
                                           default_action(sig) == SIGACT_CONT));
}

/* A POSIX timer's signal already queued in pend: count an overrun on it
 * instead of queueing another (kern/posix_timers.c). */
static bool timer_signal_coalesce(struct sigpending *pend, const struct ksiginfo *info)
{
  struct sigqueue *q;
  list_for_each_entry(q, &pend->queue, link) {
    if (q->info.code == SI_TIMER && q->info.timer_seq == info->timer_seq) {
      uint64_t n = (uint64_t)q->info.uid + 1 + info->uid;
      q->info.uid = n > INT32_MAX ? INT32_MAX : (uint32_t)n;
      return true;
    }
  }
  return false;
}

/* Queue sig; returns TIMER_SIGNAL_COALESCED if it joined a timer signal
 * already queued, else TIMER_SIGNAL_QUEUED; -EAGAIN if a real-time signal
 * with siginfo (not from kill()) could not be queued. */
static int queue_signal(struct sigpending *pend, int sig, const struct ksiginfo *info,
                        const struct sigq_owner *o)
{
  bool rt = sig >= SIGRTMIN;
  if (info && info->code == SI_TIMER && info->timer_seq && timer_signal_coalesce(pend, info))
    return TIMER_SIGNAL_COALESCED;
  if ((pend->set & SIGMASK(sig)) && !rt)
    return TIMER_SIGNAL_QUEUED; /* standard signals do not queue up */
  struct sigqueue *q = sigqueue_alloc(sig, info, o);
  if (q) {
    if (info) {
      q->info = *info;
    } else {
      q->info.code = SI_KERNEL;
    }
    q->info.signo = sig;
    list_add_tail(&q->link, &pend->queue);
  } else if (rt && info && info->code != SI_USER) {
    return -EAGAIN; /* Linux's queue overflow: the sender is told */
  }
  /* (else delivered without its siginfo, as Linux's lost-info case) */
  pend->set |= SIGMASK(sig);
  wake_up_events(&signal_queued_wq, POLLIN); /* a blocked signal wakes nobody else (signalfd) */
  return TIMER_SIGNAL_QUEUED;
}

/* Wake t so it notices a signal (if it is in an interruptible sleep). */
static void signal_wake(struct task *t, int sig)
{
  long states = TASK_INTERRUPTIBLE;
  if (sig == SIGKILL)
    states |= TASK_STOPPED | TASK_TRACED;
  wake_up_state(t, states);
  sched_kick_task(t); /* running on another hart: trap it so it looks now */
}

/* SIGCONT resumes, stop signals cancel pending SIGCONT and vice versa. */
static void prepare_signal(struct process *p, int sig)
{
  if (sig == SIGCONT) {
    struct task *th;
    list_for_each_entry(th, &p->threads, thread_link)
      th->pending.set &= ~(SIGMASK(SIGSTOP) | SIGMASK(SIGTSTP) | SIGMASK(SIGTTIN) | SIGMASK(SIGTTOU));
    p->shared_pending.set &= ~(SIGMASK(SIGSTOP) | SIGMASK(SIGTSTP) | SIGMASK(SIGTTIN) | SIGMASK(SIGTTOU));
  } else if (default_action(sig) == SIGACT_STOP) {
    p->shared_pending.set &= ~SIGMASK(SIGCONT);
  }
}

/* send_signal_task, saying in *how whether it was queued (TIMER_SIGNAL_*). */
static int send_task(struct task *t, int sig, const struct ksiginfo *info, int *how)
{
  *how = TIMER_SIGNAL_DROPPED;
  if (sig < 1 || sig > NSIG)
    return -EINVAL;
  if (!t->sighand || t->state == TASK_DEAD)
    return 0;
  if (sig == SIGCONT)
    process_continue(t->proc);
  struct sigq_owner o;
  sigq_owner_of(t, &o);  /* (takes cred_lock: before sighand->lock) */
  int r = 0;
  spin_lock(&t->sighand->lock);
  prepare_signal(t->proc, sig);
  if (!sig_discarded(t, sig, info)) {
    r = queue_signal(&t->pending, sig, info, &o);
    if (r >= 0) {
      *how = r;
      r = 0;
      if (!(t->blocked & SIGMASK(sig)) || sig == SIGKILL)
        signal_wake(t, sig);
    }
  }
  spin_unlock(&t->sighand->lock);
  return r;
}

int send_signal_task(struct task *t, int sig, const struct ksiginfo *info)
{
  int how;
  return send_task(t, sig, info, &how);
}

/* Wake one thread of p that can take sig (all of them for SIGKILL).
 * proc_lock and sighand->lock held. */
static void wake_for_process_signal(struct process *p, int sig)
{
  struct task *th;
  list_for_each_entry(th, &p->threads, thread_link) {
    if (sig == SIGKILL || !(th->blocked & SIGMASK(sig))) {
      signal_wake(th, sig);
      if (sig != SIGKILL)
        break;
    }
  }
}

/* send_signal_process, saying in *how whether it was queued. */
static int send_process(struct process *p, int sig, const struct ksiginfo *info, int *how)
{
  *how = TIMER_SIGNAL_DROPPED;
  if (sig < 1 || sig > NSIG)
    return -EINVAL;
  if (p == &kernel_process)
    return -EPERM;
  if (sig == SIGCONT)
    process_continue(p);
  struct task *leader = NULL;
  struct task *th;
  /* p->threads changes under proc_lock; the exit path calls us with it
   * held already (proc_lock > sighand->lock). */
  bool locked = !spin_holding(&proc_lock);
  if (locked)
    spin_lock(&proc_lock);
  list_for_each_entry(th, &p->threads, thread_link) {
    leader = th;
    break;
  }
  if (!leader || !leader->sighand) {
    if (locked)
      spin_unlock(&proc_lock);
    return 0; /* zombie */
  }
  struct sighand *sh = leader->sighand;
  struct sigq_owner o;
  sigq_owner_of(leader, &o);
  int r = 0;
  spin_lock(&sh->lock);
  prepare_signal(p, sig);
  if (!sig_discarded(leader, sig, info) || (leader->blocked & SIGMASK(sig))) {
    r = queue_signal(&p->shared_pending, sig, info, &o);
    if (r >= 0) {
      *how = r;
      r = 0;
      wake_for_process_signal(p, sig);
    }
  }
  spin_unlock(&sh->lock);
  if (locked)
    spin_unlock(&proc_lock);
  return r;
}

int send_signal_process(struct process *p, int sig, const struct ksiginfo *info)
{
  int how;
  return send_process(p, sig, info, &how);
}

int send_timer_signal(struct process *p, struct task *t, int sig, const struct ksiginfo *info)
{
  int how;
  if (t)
    send_task(t, sig, info, &how);
  else
    send_process(p, sig, info, &how);
  return how;
}

int kill_pgrp(pid_t pgid, int sig, const struct ksiginfo *info)
{
  struct process *targets[256];
  int n = 0;
  spin_lock(&proc_lock);
  struct process *p;
  list_for_each_entry(p, &all_processes, all_link)
    if (p->pgid == pgid && !p->zombie && n < 256) {
      process_get(p);
      targets[n++] = p;
    }
  spin_unlock(&proc_lock);
  for (int i = 0; i < n; i++) {
    send_signal_process(targets[i], sig, info);
    process_put(targets[i]);
  }
  return n ? 0 : -ESRCH;
}

/*
 * A fault in user mode: the signal is delivered even if blocked or
 * ignored (the program cannot continue), as Linux's force_sig does.
 */
void force_fault_signal(int sig, int code, uint64_t addr)
{
  struct task *t = current;
  struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
  spin_lock(&t->sighand->lock);
  struct k_sigaction *a = &t->sighand->action[sig - 1];
  if ((t->blocked & SIGMASK(sig)) || a->handler == SIG_IGN) {
    a->handler = SIG_DFL;
    t->blocked &= ~SIGMASK(sig);
  }
  if (a->handler == SIG_DFL)
    t->proc->unkillable = false; /* even init dies of a fault it cannot handle */
  spin_unlock(&t->sighand->lock);
  send_signal_task(t, sig, &info);
}

/*
 * Linux's force_sigsegv: the frame for a handler of `sig` could not be
 * written (bad stack or alternate stack). SIGSEGV follows; if it was
 * SIGSEGV's own frame that failed, its handler is reset first, so the
 * next delivery kills the process instead of failing again forever
 * (a handler with SA_NODEFER is not blocked while it "runs").
 */
static void force_sigsegv(struct task *t, int sig)
{
  if (sig == SIGSEGV) {
    spin_lock(&t->sighand->lock);
    t->sighand->action[SIGSEGV - 1].handler = SIG_DFL;
    spin_unlock(&t->sighand->lock);
  }
  force_fault_signal(SIGSEGV, SI_KERNEL, 0);
}

/* Is a signal waiting that this task would act on now? */
bool signal_pending(struct task *t)
{
  if (!t->proc || t->is_kernel_thread)
    return false;
  if (t->proc->exiting || t->must_exit || (t->proc->stopped && !READ_ONCE(t->ptracer)))
    return true;
  sigset_t pend = READ_ONCE(t->pending.set) | READ_ONCE(t->proc->shared_pending.set);
  return (pend & ~t->blocked) != 0;
}

/*
 * Take the lowest-numbered pending signal in `allowed` and its info
 * (sighand->lock held). Thread-directed signals come first.
 */
int dequeue_signal_from(struct task *t, sigset_t allowed, struct ksiginfo *info)
{
  struct sigpending *sets[2] = { &t->pending, &t->proc->shared_pending };
  for (int s = 0; s < 2; s++) {
    sigset_t ready = sets[s]->set & allowed;
    if (!ready)
      continue;
    /* SIGKILL first, then SIGSTOP, then the lowest number */
    int sig;
    if (ready & SIGMASK(SIGKILL))
      sig = SIGKILL;
    else if (ready & SIGMASK(SIGSTOP))
      sig = SIGSTOP;
    else
      sig = __builtin_ctzll(ready) + 1;
    memset(info, 0, sizeof(*info));
    info->signo = sig;
    info->code = SI_USER;
    bool more = false;
    struct sigqueue *q, *n, *found = NULL;
    list_for_each_entry_safe(q, n, &sets[s]->queue, link) {
      if (q->info.signo != sig)
        continue;
      if (!found)
        found = q;
      else
        more = true;
    }
    if (found) {
      *info = found->info;
      list_del(&found->link);
      sigqueue_free(found);
      if (info->code == SI_TIMER && info->timer_seq)
        posix_timer_signal_taken(t->proc, info);
    }
    if (!more)
      sets[s]->set &= ~SIGMASK(sig);
    return sig;
  }
  return 0;
}

static void siginfo_to_user(const struct ksiginfo *k, struct user_siginfo *u)
{
  memset(u, 0, sizeof(*u));
  u->si_signo = k->signo;
  u->si_errno = k->errno_;
  u->si_code = k->code;
  if (siginfo_is_poll(k->signo, k->code)) {
    u->poll.band = k->band;
    u->poll.fd = k->fd;
    return;
  }
  switch (k->signo) {
  case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
    if (k->code > 0 && k->code != SI_KERNEL) {
      u->fault.addr = k->addr;
      break;
    }
    /* fall through */
  default:
    if (k->signo == SIGCHLD) {
      u->chld.pid = k->pid;
      u->chld.uid = k->uid;
      u->chld.status = k->status;
      u->chld.utime = (int64_t)k->utime;
      u->chld.stime = (int64_t)k->stime;
    } else {
      u->rt.pid = k->pid;
      u->rt.uid = k->uid;
      u->rt.value = k->value;
    }
  }
}

/* ptrace's PTRACE_GETSIGINFO and PTRACE_SETSIGINFO (kern/ptrace.c): a
 * ksiginfo to and from the 128-byte user siginfo. 0 or -EFAULT. */
int siginfo_copyout(uaddr_t dst, const struct ksiginfo *k)
{
  struct user_siginfo u;
  siginfo_to_user(k, &u);
  return copyout(dst, &u, sizeof(u));
}

int siginfo_copyin(struct ksiginfo *k, uaddr_t src)
{
  struct user_siginfo u;
  if (copyin(&u, src, sizeof(u)))
    return -EFAULT;
  memset(k, 0, sizeof(*k));
  k->signo = u.si_signo;
  k->errno_ = u.si_errno;
  k->code = u.si_code;
  if (siginfo_is_poll(k->signo, k->code)) {
    k->band = u.poll.band;
    k->fd = u.poll.fd;
  } else if ((k->signo == SIGSEGV || k->signo == SIGBUS || k->signo == SIGILL ||
              k->signo == SIGFPE || k->signo == SIGTRAP) && k->code > 0 && k->code != SI_KERNEL) {
    k->addr = u.fault.addr;
  } else if (k->signo == SIGCHLD) {
    k->pid = u.chld.pid;
    k->uid = u.chld.uid;
    k->status = u.chld.status;
    k->utime = (uint64_t)u.chld.utime;
    k->stime = (uint64_t)u.chld.stime;
  } else {
    k->pid = u.rt.pid;
    k->uid = u.rt.uid;
    k->value = u.rt.value;
  }
  return 0;
}

static bool on_altstack(struct task *t, uint64_t sp)
{
  return !(t->altstack.ss_flags & SS_DISABLE) && sp > t->altstack.ss_sp &&
         sp <= t->altstack.ss_sp + t->altstack.ss_size;
}

/* Save live FP registers into t->fp (before building a frame or switching). */
static void fpu_flush(struct task *t)
{
  fpu_save(&t->fp);
  t->fp_live = true;
}

/* Build the frame and redirect the thread into the handler. */
static int setup_frame(struct trapframe *tf, int sig, struct k_sigaction *act,
                       const struct ksiginfo *info, sigset_t oldmask)
{
  struct task *t = current;
  uint64_t sp = tf->sp;
  if ((act->flags & SA_ONSTACK) && !(t->altstack.ss_flags & SS_DISABLE) && !on_altstack(t, sp))
    sp = t->altstack.ss_sp + t->altstack.ss_size;
  sp -= sizeof(struct rt_sigframe);
  sp &= ~15UL;

  struct rt_sigframe *f = kzalloc(sizeof(*f));
  if (!f)
    return -ENOMEM;
  siginfo_to_user(info, &f->info);
  f->uc.uc_stack.ss_sp = t->altstack.ss_sp;
  f->uc.uc_stack.ss_size = t->altstack.ss_size;
  f->uc.uc_stack.ss_flags = (t->altstack.ss_flags & SS_DISABLE) ? SS_DISABLE
                            : on_altstack(t, tf->sp) ? SS_ONSTACK : 0;
  f->uc.uc_sigmask = oldmask;
  memcpy(f->uc.sc_regs, tf, sizeof(f->uc.sc_regs));
  fpu_flush(t);
  memcpy(f->uc.sc_fpregs.f, t->fp.f, sizeof(t->fp.f));
  f->uc.sc_fpregs.fcsr = t->fp.fcsr;
  int r = copyout(sp, f, sizeof(*f));
  kfree(f);
  if (r)
    return r;

  tf->epc = act->handler;
  tf->a0 = sig;
  tf->a1 = sp + offsetof(struct rt_sigframe, info);
  tf->a2 = sp + offsetof(struct rt_sigframe, uc);
  tf->sp = sp;
  tf->ra = (act->flags & SA_RESTORER) && act->restorer ? act->restorer : USER_TRAMPOLINE;
  return 0;
}

/* Decide about an interrupted syscall before running a handler. */
static void syscall_restart_for_handler(struct trapframe *tf, struct k_sigaction *act)
{
  struct task *t = current;
  if (!t->in_syscall)
    return;
  t->in_syscall = false;
  long ret = (long)tf->a0;
  switch (ret) {
  case -ERESTARTNOHAND:
  case -ERESTART_RESTARTBLOCK:
    tf->a0 = -EINTR;
    break;
  case -ERESTARTSYS:
    if (!(act->flags & SA_RESTART)) {
      tf->a0 = -EINTR;
      break;
    }
    /* fall through */
  case -ERESTARTNOINTR:
    tf->a0 = tf->orig_a0;
    tf->epc -= 4;
    break;
  }
}

/* No handler ran: an interrupted syscall is restarted transparently. Every
 * return to user mode passes here: on the trap path's page (arch/riscv/trap.h). */
void TRAP_PATH syscall_restart_check(struct trapframe *tf)
{
  struct task *t = current;
  if (!t->in_syscall)
    return;
  t->in_syscall = false;
  long ret = (long)tf->a0;
  if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
      ret == -ERESTART_RESTARTBLOCK) {
    tf->a0 = tf->orig_a0;
    tf->epc -= 4;
  }
}

bool sigkill_pending(struct task *t)
{
  return ((READ_ONCE(t->pending.set) | READ_ONCE(t->proc->shared_pending.set)) &
          SIGMASK(SIGKILL)) != 0;
}

/* Wait in the stopped state until SIGCONT or SIGKILL, or a tracer
 * attaches (a traced thread reports stops to it instead: ptrace_group_stop). */
static void do_stop(struct task *t)
{
  struct process *p = t->proc;
  while (READ_ONCE(p->stopped) && !sigkill_pending(t) && !READ_ONCE(t->ptracer)) {
    t->state = TASK_STOPPED;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* against process_continue(): wake_up_state() */
    if (!READ_ONCE(p->stopped) || READ_ONCE(t->ptracer)) {
      t->state = TASK_RUNNING;
      break;
    }
    schedule();
  }
  t->state = TASK_RUNNING;
}

/* Act on pending signals (called on the way back to user mode). */
void do_signals(struct trapframe *tf)
{
  struct task *t = current;
  struct process *p = t->proc;
  for (;;) {
    if (p->exiting || t->must_exit)
      do_exit(0);
    if (p->stopped && !sigkill_pending(t) && !READ_ONCE(t->ptracer)) {
      do_stop(t);
      continue;
    }
    struct ksiginfo info;
    spin_lock(&t->sighand->lock);
    int sig = dequeue_signal_from(t, ~t->blocked, &info);
    if (!sig) {
      spin_unlock(&t->sighand->lock);
      return;
    }
    if (sig != SIGKILL && READ_ONCE(t->ptracer)) {
      /* the signal-delivery stop: the tracer may cancel or change it */
      spin_unlock(&t->sighand->lock);
      sig = ptrace_signal(sig, &info);
      if (!sig)
        continue;
      spin_lock(&t->sighand->lock);
    }
    struct k_sigaction act = t->sighand->action[sig - 1];
    if (act.handler == SIG_IGN && sig != SIGKILL && sig != SIGSTOP) {
      spin_unlock(&t->sighand->lock);
      continue;
    }
    if (act.handler == SIG_DFL || sig == SIGKILL || sig == SIGSTOP) {
      spin_unlock(&t->sighand->lock);
      if (p->unkillable && act.handler == SIG_DFL && sig != SIGKILL && sig != SIGSTOP)
        continue; /* blocked while init had no handler for it: dropped now */
      switch (default_action(sig)) {
      case SIGACT_IGN:
      case SIGACT_CONT:
        continue;
      case SIGACT_STOP:
        process_stop(p, sig);
        if (READ_ONCE(t->ptracer))
          ptrace_group_stop(sig);
        else
          do_stop(t);
        continue;
      case SIGACT_TERM:
        do_exit_group(sig);
      case SIGACT_CORE:
        do_exit_group(sig); /* no core files: RLIMIT_CORE is 0 */
      }
    }
    /* A handler. */
    sigset_t oldmask = t->restore_saved_mask ? t->saved_mask : t->blocked;
    t->restore_saved_mask = false;
    t->blocked |= act.mask | (act.flags & SA_NODEFER ? 0 : SIGMASK(sig));
    t->blocked &= ~SIG_UNBLOCKABLE;
    if (act.flags & SA_RESETHAND)
      t->sighand->action[sig - 1].handler = SIG_DFL;
    spin_unlock(&t->sighand->lock);
    syscall_restart_for_handler(tf, &act);
    if (setup_frame(tf, sig, &act, &info, oldmask)) {
      force_sigsegv(t, sig);
      continue;
    }
    return; /* one handler at a time; more on the next return to user */
  }
}

/* rt_sigreturn: restore what setup_frame saved. Returns the restored a0. */
long do_sigreturn(void)
{
  struct task *t = current;
  struct trapframe *tf = t->tf;
  struct rt_sigframe *f = kmalloc(sizeof(*f));
  if (!f)
    do_exit_group(SIGSEGV);
  if (copyin(f, tf->sp, sizeof(*f))) {
    kfree(f);
    force_fault_signal(SIGSEGV, SI_KERNEL, tf->sp);
    t->in_syscall = false;
    return tf->a0;
  }
  uint64_t ktp = tf->kernel_tp;
  memcpy(tf, f->uc.sc_regs, sizeof(f->uc.sc_regs));
  tf->kernel_tp = ktp;
  memcpy(t->fp.f, f->uc.sc_fpregs.f, sizeof(t->fp.f));
  t->fp.fcsr = f->uc.sc_fpregs.fcsr;
  fpu_restore(&t->fp);
  t->fp_live = true;
  spin_lock(&t->sighand->lock);
  t->blocked = f->uc.uc_sigmask & ~SIG_UNBLOCKABLE;
  spin_unlock(&t->sighand->lock);
  if (!(f->uc.uc_stack.ss_flags & SS_DISABLE) || !(t->altstack.ss_flags & SS_DISABLE)) {
    if (!on_altstack(t, tf->sp)) {
      t->altstack.ss_sp = f->uc.uc_stack.ss_sp;
      t->altstack.ss_size = f->uc.uc_stack.ss_size;
      t->altstack.ss_flags = f->uc.uc_stack.ss_flags & SS_DISABLE;
    }
  }
  kfree(f);
  t->in_syscall = false; /* a0 is the interrupted code's, not a syscall result */
  return (long)tf->a0;
}

/* execve: caught signals go back to default; ignored ones stay ignored. */
void signal_exec_reset(struct task *t)
{
  if (__atomic_load_n(&t->sighand->refcount, __ATOMIC_ACQUIRE) > 1) {
    struct sighand *sh = sighand_copy(t->sighand);
    if (sh) {
      sighand_put(t->sighand);
      t->sighand = sh;
    }
  }
  spin_lock(&t->sighand->lock);
  for (int i = 0; i < NSIG; i++) {
    struct k_sigaction *a = &t->sighand->action[i];
    if (a->handler != SIG_IGN)
      a->handler = SIG_DFL;
    a->flags = 0;
    a->restorer = 0;
    a->mask = 0;
  }
  t->altstack = (struct user_stack_t){ 0, SS_DISABLE, 0, 0 };
  spin_unlock(&t->sighand->lock);
}
