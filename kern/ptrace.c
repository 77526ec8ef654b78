/*
 * ptrace.c — process tracing: a tracer process stops, inspects and resumes
 * the threads it traces (docs/ptrace.md).
 *
 * A tracee stops only by itself, in ptrace_stop(): it records why (the
 * stop's code and siginfo), tells its tracer (child_wait, SIGCHLD with
 * CLD_TRAPPED) and sleeps in TASK_TRACED until the tracer resumes it
 * (ptrace_stopped cleared, the signal to deliver in ptrace_resume_sig),
 * its tracer goes away, or SIGKILL comes. The stops, each reached from a
 * hook in the code that owns the event:
 *
 *   signal-delivery stop   kern/signal.c do_signals -> ptrace_signal
 *   group stop             kern/signal.c (a stop action) -> ptrace_group_stop
 *   syscall entry / exit   kern/syscall.c -> ptrace_syscall_entry / _exit
 *   exec                   fs/exec.c -> ptrace_exec (event, or a SIGTRAP)
 *   fork, vfork, clone     kern/process.c do_clone -> ptrace_clone_event
 *   exit                   kern/process.c do_exit -> ptrace_exit_event
 *
 * The tracer's requests (ptrace_request, from kern/sys_ptrace.c) act on a
 * stopped tracee under proc_lock: while it is held and the tracee is
 * found by its id, the tracee cannot be freed, and while it is stopped it
 * touches neither its trapframe nor its saved FP state. User memory is
 * never touched under the lock: the caller's buffers are copied before or
 * after, the tracee's memory through a referenced mm (copyin_mm).
 *
 * Locks: proc_lock guards every ptrace field of struct task and
 * process->ptraced. The tracee sleeps with no lock held. Order as
 * everywhere: proc_lock > sighand->lock (signals sent under proc_lock).
 *
 * Layer: core. Below: kern/sched.c, kern/uaccess.c, kern/signal.c (sending,
 * siginfo layout), kern/cred.c. Above: kern/sys_ptrace.c.
 */
#include "kern/ptrace.h"
#include "kern/task.h"
#include "kern/pid_namespace.h"
#include "kern/signal.h"
#include "kern/cred.h"
#include "kern/user_namespace.h"
#include "kern/clone.h"
#include "kern/pidfd.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/errno.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/riscv.h"
#include <string.h>

#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
/* ptrace_msg at syscall stops (Linux's PTRACE_EVENTMSG_SYSCALL_*) */
#define EVENTMSG_SYSCALL_ENTRY 1
#define EVENTMSG_SYSCALL_EXIT 2

/* The riscv register sets (Linux's riscv_user_regset): NT_PRSTATUS is
 * struct user_regs_struct (pc, x1..x31: the head of struct trapframe),
 * NT_PRFPREG struct __riscv_d_ext_state (f0..f31, fcsr) in 33 slots. */
#define GPR_BYTES (32 * 8)
#define FPR_BYTES (33 * 8)
#define FPR_DATA (32 * 8 + 4)

/* ---- the tracee's side ---- */

static uid_t current_uid(void)
{
  return current_cred()->uid;
}

/* Tell tracer that t stopped (SIGCHLD, CLD_TRAPPED), unless it asked for
 * no stop notices (SA_NOCLDSTOP), as Linux's do_notify_parent_cldstop.
 * No lock held; the caller holds a reference on tracer. */
static void notify_tracer(struct process *tracer, struct task *t, int code)
{
  struct task *l = tracer->leader;
  if (!l || !l->sighand || (l->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP))
    return;
  struct ksiginfo info = { .signo = SIGCHLD, .code = CLD_TRAPPED, .pid = t->tid,
                           .uid = current_uid(), .status = code & 0x7f };
  send_signal_process(tracer, SIGCHLD, &info);
}

/*
 * Stop current for its tracer with code (the wait status's stop code),
 * info (GETSIGINFO's answer; NULL: none, a group stop) and msg
 * (GETEVENTMSG's). Returns the signal the tracer resumed it with (0:
 * none), or -1 if it did not stop (no tracer any more, or SIGKILL
 * pending). No lock held; sleeps.
 */
static int ptrace_stop(int code, struct ksiginfo *info, uint64_t msg)
{
  struct task *t = current;
  if (sigkill_pending(t))
    return -1;
  /* The FP registers go to t->fp for the tracer (NT_PRFPREG); marked
   * clean, so that switching away does not write them again over what
   * the tracer may store meanwhile. */
  fpu_save(&t->fp);
  t->fp_live = true;
  csr_clear(sstatus, SSTATUS_FS);
  csr_set(sstatus, SSTATUS_FS_CLEAN);

  spin_lock(&proc_lock);
  struct process *tracer = t->ptracer;
  if (!tracer) {
    spin_unlock(&proc_lock);
    return -1;
  }
  t->ptrace_code = code;
  t->ptrace_siginfo = info;
  t->ptrace_msg = msg;
  /* Linux's exit_code: the stop's own signal until the tracer's wait()
   * consumes it (then 0) or a request sets another; a tracer that exits
   * without either lets it through */
  t->ptrace_resume_sig = code <= NSIG ? code : 0;
  t->ptrace_stopped = true;
  t->ptrace_report = true;
  tracer->child_seq++;
  wake_up(&tracer->child_wait);
  process_get(tracer);
  spin_unlock(&proc_lock);
  notify_tracer(tracer, t, code);
  process_put(tracer);

  for (;;) {
    t->state = TASK_TRACED;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* against ptrace_resume's wake_up_state */
    if (!READ_ONCE(t->ptrace_stopped) || sigkill_pending(t) || READ_ONCE(t->must_exit))
      break;
    schedule();
  }
  t->state = TASK_RUNNING;

  spin_lock(&proc_lock);
  int sig = t->ptrace_resume_sig;
  t->ptrace_stopped = false;
  t->ptrace_report = false;
  t->ptrace_siginfo = NULL;
  t->ptrace_msg = 0;
  t->ptrace_resume_sig = 0;
  spin_unlock(&proc_lock);
  fpu_restore(&t->fp); /* what the tracer left there (NT_PRFPREG) */
  return sig;
}

/* A stop for an event or a system call: siginfo SIGTRAP with the stop's
 * code (Linux's ptrace_do_notify). Returns ptrace_stop's answer. */
static int ptrace_notify(int code, uint64_t msg)
{
  struct ksiginfo info = { .signo = SIGTRAP, .code = code, .pid = current->tid,
                           .uid = current_uid() };
  return ptrace_stop(code, &info, msg);
}

/* An event stop, if the tracer asked for it (option bit 1 << event). */
static void ptrace_event(int event, uint64_t msg)
{
  struct task *t = current;
  if (READ_ONCE(t->ptracer) && (READ_ONCE(t->ptrace_opts) & (1u << event)))
    ptrace_notify(SIGTRAP | event << 8, msg);
}

int ptrace_signal(int sig, struct ksiginfo *info)
{
  struct task *t = current;
  int r = ptrace_stop(sig, info, 0);
  if (r < 0)
    return sig; /* no stop after all: deliver it as usual */
  if (r == 0)
    return 0;   /* the tracer cancelled it */
  if (r != info->signo) {
    /* changed by the tracer: it looks sent by the tracer (Linux) */
    memset(info, 0, sizeof(*info));
    info->signo = r;
    info->code = SI_USER;
    spin_lock(&proc_lock);
    struct process *tracer = t->ptracer;
    info->pid = tracer ? tracer->pid : 0;
    const struct cred *c = tracer ? get_process_cred_locked(tracer) : NULL;
    spin_unlock(&proc_lock);
    if (c) {
      info->uid = c->uid;
      put_cred(c);
    }
  }
  if ((t->blocked & SIGMASK(r)) || sigkill_pending(t)) {
    send_signal_task(t, r, info); /* blocked now: it waits in the queue */
    return 0;
  }
  return r;
}

void ptrace_group_stop(int sig)
{
  ptrace_stop(sig, NULL, 0); /* the signal given on resuming is ignored (Linux) */
}

/* After a syscall stop a signal given on resuming is sent, not injected
 * (Linux's ptrace_report_syscall). */
static void ptrace_report_syscall(uint64_t msg)
{
  struct task *t = current;
  int code = SIGTRAP | ((READ_ONCE(t->ptrace_opts) & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
  int sig = ptrace_notify(code, msg);
  if (sig > 0) {
    struct ksiginfo info = { .signo = sig, .code = SI_USER, .pid = t->proc->pid,
                             .uid = current_uid() };
    send_signal_task(t, sig, &info);
  }
}

bool ptrace_syscall_entry(struct trapframe *tf)
{
  ptrace_report_syscall(EVENTMSG_SYSCALL_ENTRY);
  return !sigkill_pending(current) && tf->a7 != (uint64_t)-1;
}

void ptrace_syscall_exit(struct trapframe *tf)
{
  (void)tf;
  ptrace_report_syscall(EVENTMSG_SYSCALL_EXIT);
}

void ptrace_exec(pid_t old_tid)
{
  struct task *t = current;
  if (!READ_ONCE(t->ptracer))
    return;
  if (READ_ONCE(t->ptrace_opts) & PTRACE_O_TRACEEXEC) {
    ptrace_notify(SIGTRAP | PTRACE_EVENT_EXEC << 8, (uint64_t)old_tid);
    return;
  }
  /* without the option: a plain SIGTRAP, as sent by the process itself */
  struct ksiginfo info = { .signo = SIGTRAP, .code = SI_USER, .pid = t->proc->pid,
                           .uid = current_uid() };
  send_signal_task(t, SIGTRAP, &info);
}

bool ptrace_exec_unsafe(void)
{
  spin_lock(&proc_lock);
  struct process *tracer = current->ptracer;
  const struct cred *c = tracer ? get_process_cred_locked(tracer) : NULL;
  spin_unlock(&proc_lock);
  if (!tracer)
    return false;
  /* the tracer's capability in the exec'ing process's user namespace */
  bool capable = c && cred_ns_capable(c, current_user_ns(), CAP_SYS_PTRACE);
  if (c)
    put_cred(c);
  return !capable;
}

int ptrace_clone_link(struct task *child, uint64_t flags, int exit_signal)
{
  struct task *cur = current;
  struct process *tracer = cur->ptracer;
  if (!tracer || (flags & CLONE_UNTRACED))
    return 0;
  int event = (flags & CLONE_VFORK) ? PTRACE_EVENT_VFORK
              : exit_signal != SIGCHLD ? PTRACE_EVENT_CLONE : PTRACE_EVENT_FORK;
  if (!(cur->ptrace_opts & (1u << event))) {
    if (!(flags & CLONE_PTRACE))
      return 0;
    event = 0; /* CLONE_PTRACE: traced, but no event reported */
  }
  child->ptracer = tracer;
  child->ptrace_opts = cur->ptrace_opts;
  list_add_tail(&child->ptrace_link, &tracer->ptraced);
  /* it stops at once, before running any user code (Linux) */
  spin_lock(&child->sighand->lock);
  child->pending.set |= SIGMASK(SIGSTOP);
  spin_unlock(&child->sighand->lock);
  return event;
}

/* A new task's id as its tracer's pid namespace numbers it (Linux's
 * ptrace_event_pid). No lock held. */
static uint64_t event_pid(pid_t child_tid)
{
  spin_lock(&proc_lock);
  struct process *tracer = current->ptracer;
  pid_t nr = tracer ? pid_nr_ns(child_tid, pid_ns_of(tracer->pid)) : child_tid;
  spin_unlock(&proc_lock);
  return (uint64_t)nr;
}

void ptrace_clone_event(int event, pid_t child_tid)
{
  if (event)
    ptrace_event(event, event_pid(child_tid));
}

void ptrace_vfork_done(pid_t child_tid)
{
  ptrace_event(PTRACE_EVENT_VFORK_DONE, event_pid(child_tid));
}

void ptrace_exit_event(int status)
{
  ptrace_event(PTRACE_EVENT_EXIT, (uint64_t)status);
}

/* ---- bookkeeping (proc_lock held) ---- */

/* Take t off its tracer's list; a stopped t goes on (with sig). */
static void ptrace_unlink(struct task *t, int sig)
{
  list_del(&t->ptrace_link);
  list_init(&t->ptrace_link);
  t->ptracer = NULL;
  t->ptrace_opts = 0;
  t->ptrace_syscall = false;
  t->ptrace_report = false;
  if (t->ptrace_stopped) {
    t->ptrace_resume_sig = sig;
    t->ptrace_stopped = false;
    wake_up_state(t, TASK_TRACED);
  }
}

/* The exit of a tracee whose tracer is not its parent, kept for the
 * tracer's wait() (the parent hears of it as usual). */
struct ptrace_exit_note {
  struct list_head link;        /* in tracer->ptrace_exits */
  pid_t tid, pgid;
  int status;                   /* wait status */
};

void ptrace_unlink_exiting(struct task *t, int status)
{
  struct process *tracer = t->ptracer;
  if (!tracer)
    return;
  ptrace_unlink(t, 0);
  if (tracer != t->proc->parent) {
    struct ptrace_exit_note *n = kzalloc(sizeof(*n)); /* (never sleeps) */
    if (n) {
      n->tid = t->tid;
      n->pgid = t->proc->pgid;
      n->status = status;
      list_add_tail(&n->link, &tracer->ptrace_exits);
    }
  }
  tracer->child_seq++;      /* its wait() sees the exit (or ECHILD) now */
  wake_up(&tracer->child_wait);
}

void ptrace_tracer_exit(struct process *p)
{
  while (!list_empty(&p->ptraced)) {
    struct task *t = list_entry(p->ptraced.next, struct task, ptrace_link);
    bool kill = t->ptrace_opts & PTRACE_O_EXITKILL;
    ptrace_unlink(t, t->ptrace_resume_sig);
    if (kill)
      send_signal_task(t, SIGKILL, NULL);
  }
  while (!list_empty(&p->ptrace_exits)) {
    struct ptrace_exit_note *n = list_entry(p->ptrace_exits.next, struct ptrace_exit_note, link);
    list_del(&n->link);
    kfree(n);
  }
}

/* Does a tracee (tid, in group pgid) match wait()'s pid argument? */
static bool wait_pid_matches(pid_t pid, pid_t tid, pid_t pgid, struct process *me)
{
  if (pid > 0)
    return tid == pid;
  if (pid == 0)
    return pgid == me->pgid;
  return pid == -1 || pgid == -pid;
}

pid_t ptrace_wait_locked(struct process *me, pid_t pid, int options, struct wait_result *w,
                         bool *any)
{
  struct task *t;
  list_for_each_entry(t, &me->ptraced, ptrace_link) {
    if (!wait_pid_matches(pid, t->tid, t->proc->pgid, me))
      continue;
    *any = true;
    if (!t->ptrace_report)
      continue;
    /* reported whatever WUNTRACED says (Linux's wait_task_stopped) */
    w->status = W_STOPCODE(t->ptrace_code);
    w->trapped = true;
    w->utime_ns = w->stime_ns = w->maxrss = 0;
    if (!(options & WNOWAIT)) {
      t->ptrace_report = false;
      t->ptrace_resume_sig = 0;
    }
    return t->tid;
  }
  struct ptrace_exit_note *n;
  list_for_each_entry(n, &me->ptrace_exits, link) {
    if (!wait_pid_matches(pid, n->tid, n->pgid, me))
      continue;
    *any = true;
    if (!(options & WAIT_EXITED))
      continue;
    pid_t tid = n->tid;
    w->status = n->status;
    w->utime_ns = w->stime_ns = w->maxrss = 0;
    if (!(options & WNOWAIT)) {
      list_del(&n->link);
      kfree(n);
    }
    return tid;
  }
  return 0;
}

/* ---- the tracer's requests ---- */

/* The task pid that current traces, stopped (or not, with any_state):
 * Linux's ptrace_check_attach. NULL (ESRCH) otherwise. proc_lock held. */
static struct task *traced_task(pid_t pid, bool any_state)
{
  struct task *t = pid > 0 ? find_task_vnr(pid) : NULL;
  if (!t || t->ptracer != current->proc || t->state == TASK_DEAD)
    return NULL;
  if (!any_state && !t->ptrace_stopped)
    return NULL;
  return t;
}

/* Does current trace a stopped task pid? (For the requests that copy
 * from the caller first: Linux answers ESRCH before touching memory.) */
static bool traced_task_exists(pid_t pid)
{
  spin_lock(&proc_lock);
  bool ok = traced_task(pid, false) != NULL;
  spin_unlock(&proc_lock);
  return ok;
}

static long ptrace_traceme(void)
{
  struct process *p = current->proc;
  long r = -EPERM;
  spin_lock(&proc_lock);
  struct process *parent = p->parent;
  if (!current->ptracer && parent && parent != &kernel_process && !parent->exiting &&
      !parent->zombie) {
    current->ptracer = parent;
    current->ptrace_opts = 0;
    list_add_tail(&current->ptrace_link, &parent->ptraced);
    r = 0;
  }
  spin_unlock(&proc_lock);
  return r;
}

/* PTRACE_ATTACH (a SIGSTOP follows) and PTRACE_SEIZE (options in data). */
static long ptrace_attach(pid_t pid, bool seize, uint64_t addr, uint64_t data)
{
  if (seize && (addr || (data & ~(uint64_t)PTRACE_O_MASK)))
    return -EIO;
  spin_lock(&proc_lock);
  struct task *t = pid > 0 ? find_task_vnr(pid) : NULL;
  struct process *p = t ? t->proc : NULL;
  if (p)
    process_get(p);
  bool kthread = t && (t->is_kernel_thread || p == &kernel_process);
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  long r = -EPERM;
  if (kthread || p == current->proc || !may_access_process(p))
    goto out;
  spin_lock(&proc_lock);
  t = find_task_vnr(pid);
  if (t && t->proc == p && !p->exiting && !p->zombie && t->state != TASK_DEAD && !t->ptracer) {
    t->ptracer = current->proc;
    t->ptrace_opts = seize ? (unsigned int)data : 0;
    list_add_tail(&t->ptrace_link, &current->proc->ptraced);
    if (!seize)
      send_signal_task(t, SIGSTOP, NULL); /* the kernel's: even init takes it */
    wake_up_state(t, TASK_STOPPED);       /* out of a job-control stop: report to us */
    r = 0;
  }
  spin_unlock(&proc_lock);
out:
  process_put(p);
  return r;
}

/* CONT, SYSCALL, SINGLESTEP, DETACH: resume a stopped tracee with signal
 * data (Linux's ptrace_resume and ptrace_detach). */
static long ptrace_resume(long request, pid_t pid, uint64_t data)
{
  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, false);
  long r = -ESRCH;
  if (!t)
    goto out;
  r = -EIO;
  if (data > NSIG)
    goto out;
  if (request == PTRACE_DETACH) {
    ptrace_unlink(t, (int)data);
    r = 0;
    goto out;
  }
  t->ptrace_syscall = request == PTRACE_SYSCALL;
  if (request == PTRACE_SINGLESTEP)
    goto out; /* riscv has no single-step (arch_has_single_step): EIO */
  t->ptrace_resume_sig = (int)data;
  t->ptrace_stopped = false;
  wake_up_state(t, TASK_TRACED);
  r = 0;
out:
  spin_unlock(&proc_lock);
  return r;
}

/* PEEKTEXT/PEEKDATA (the word to *data) and POKETEXT/POKEDATA. */
static long ptrace_peekpoke(long request, pid_t pid, uint64_t addr, uint64_t data)
{
  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, false);
  struct mm *mm = t ? t->mm : NULL;
  if (mm)
    mm_get(mm);
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  if (!mm)
    return -EIO;
  long r;
  uint64_t word;
  if (request == PTRACE_PEEKTEXT || request == PTRACE_PEEKDATA) {
    r = copyin_mm(mm, &word, addr, sizeof(word)) ? -EIO : 0;
    mm_put(mm);
    if (!r && copyout(data, &word, sizeof(word)))
      r = -EFAULT;
    return r;
  }
  /* (no FOLL_FORCE: a read-only mapping, such as text, is EIO here) */
  r = copyout_mm(mm, addr, &data, sizeof(data)) ? -EIO : 0;
  mm_put(mm);
  return r;
}

struct iovec_k {
  uint64_t base, len;
};

/* PTRACE_GETREGSET and PTRACE_SETREGSET: type in addr, a struct iovec at
 * data (its length updated to what was moved). */
static long ptrace_regset(long request, pid_t pid, uint64_t type, uint64_t data)
{
  struct iovec_k iov;
  uint8_t buf[FPR_BYTES];
  size_t max, unit = 8;
  if (!traced_task_exists(pid))
    return -ESRCH;
  if (copyin(&iov, data, sizeof(iov)))
    return -EFAULT;
  if (type == NT_PRSTATUS)
    max = GPR_BYTES;
  else if (type == NT_PRFPREG)
    max = FPR_BYTES;
  else
    return -EINVAL;
  if (iov.len % unit)
    return -EINVAL;
  size_t n = MIN(iov.len, max);
  memset(buf, 0, sizeof(buf));
  bool set = request == PTRACE_SETREGSET;
  if (set && copyin(buf, iov.base, n))
    return -EFAULT;

  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, false);
  if (t && type == NT_PRSTATUS) {
    if (set)
      memcpy(t->tf, buf, n);        /* pc, x1..x31: the head of the trapframe */
    else
      memcpy(buf, t->tf, GPR_BYTES);
  } else if (t) {
    if (set) {
      memcpy(t->fp.f, buf, MIN(n, sizeof(t->fp.f)));
      if (n > sizeof(t->fp.f))
        memcpy(&t->fp.fcsr, buf + sizeof(t->fp.f), MIN(n, (size_t)FPR_DATA) - sizeof(t->fp.f));
    } else {
      memcpy(buf, t->fp.f, sizeof(t->fp.f));
      memcpy(buf + sizeof(t->fp.f), &t->fp.fcsr, sizeof(t->fp.fcsr));
    }
  }
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  if (!set && copyout(iov.base, buf, n))
    return -EFAULT;
  iov.len = n;
  return copyout(data + offsetof(struct iovec_k, len), &iov.len, sizeof(iov.len)) ? -EFAULT : 0;
}

static long ptrace_getsiginfo(pid_t pid, uint64_t data)
{
  struct ksiginfo k;
  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, false);
  long r = !t ? -ESRCH : !t->ptrace_siginfo ? -EINVAL : 0;
  if (!r)
    k = *t->ptrace_siginfo;
  spin_unlock(&proc_lock);
  if (r)
    return r;
  return siginfo_copyout(data, &k);
}

static long ptrace_setsiginfo(pid_t pid, uint64_t data)
{
  struct ksiginfo k;
  if (!traced_task_exists(pid))
    return -ESRCH;
  if (siginfo_copyin(&k, data))
    return -EFAULT;
  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, false);
  long r = !t ? -ESRCH : !t->ptrace_siginfo ? -EINVAL : 0;
  if (!r)
    *t->ptrace_siginfo = k;
  spin_unlock(&proc_lock);
  return r;
}

/* GETSIGMASK/SETSIGMASK: addr is the size of the set (8). */
static long ptrace_sigmask(long request, pid_t pid, uint64_t size, uint64_t data)
{
  if (!traced_task_exists(pid))
    return -ESRCH;
  if (size != sizeof(sigset_t))
    return -EINVAL;
  sigset_t m;
  if (request == PTRACE_SETSIGMASK && copyin(&m, data, sizeof(m)))
    return -EFAULT;
  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, false);
  if (t) {
    spin_lock(&t->sighand->lock);
    if (request == PTRACE_SETSIGMASK)
      t->blocked = m & ~SIG_UNBLOCKABLE;
    else
      m = t->blocked;
    spin_unlock(&t->sighand->lock);
  }
  spin_unlock(&proc_lock);
  if (!t)
    return -ESRCH;
  if (request == PTRACE_GETSIGMASK && copyout(data, &m, sizeof(m)))
    return -EFAULT;
  return 0;
}

/* The small requests that only read or set a field of the tracee. */
static long ptrace_field(long request, pid_t pid, uint64_t data)
{
  uint64_t msg = 0;
  spin_lock(&proc_lock);
  struct task *t = traced_task(pid, request == PTRACE_KILL);
  long r = t ? 0 : -ESRCH;
  if (t) {
    switch (request) {
    case PTRACE_KILL:
      send_signal_task(t, SIGKILL, NULL);
      break;
    case PTRACE_SETOPTIONS:
      if (data & ~(uint64_t)(PTRACE_O_MASK & ~PTRACE_O_SUSPEND_SECCOMP))
        r = -EINVAL; /* (no seccomp to suspend) */
      else
        t->ptrace_opts = (unsigned int)data;
      break;
    case PTRACE_GETEVENTMSG:
      msg = t->ptrace_msg;
      break;
    default:
      r = -EIO;
    }
  }
  spin_unlock(&proc_lock);
  if (!r && request == PTRACE_GETEVENTMSG && copyout(data, &msg, sizeof(msg)))
    r = -EFAULT;
  return r;
}

long ptrace_request(long request, pid_t pid, uint64_t addr, uint64_t data)
{
  switch (request) {
  case PTRACE_TRACEME:
    return ptrace_traceme();
  case PTRACE_ATTACH:
  case PTRACE_SEIZE:
    return ptrace_attach(pid, request == PTRACE_SEIZE, addr, data);
  }
  /* every other request: a tracee of ours, stopped (PTRACE_KILL: any) */
  switch (request) {
  case PTRACE_CONT:
  case PTRACE_SYSCALL:
  case PTRACE_SINGLESTEP:
  case PTRACE_DETACH:
    return ptrace_resume(request, pid, data);
  case PTRACE_PEEKTEXT:
  case PTRACE_PEEKDATA:
  case PTRACE_POKETEXT:
  case PTRACE_POKEDATA:
    return ptrace_peekpoke(request, pid, addr, data);
  case PTRACE_GETREGSET:
  case PTRACE_SETREGSET:
    return ptrace_regset(request, pid, addr, data);
  case PTRACE_GETSIGINFO:
    return ptrace_getsiginfo(pid, data);
  case PTRACE_SETSIGINFO:
    return ptrace_setsiginfo(pid, data);
  case PTRACE_GETSIGMASK:
  case PTRACE_SETSIGMASK:
    return ptrace_sigmask(request, pid, addr, data);
  default:
    /* KILL, SETOPTIONS, GETEVENTMSG; anything else (PEEKUSR, POKEUSR,
     * INTERRUPT, LISTEN ...) is EIO once the tracee is checked */
    return ptrace_field(request, pid, data);
  }
}
