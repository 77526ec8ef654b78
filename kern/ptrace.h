/*
 * ptrace.h — process tracing (ptrace(2), docs/ptrace.md): the request and
 * option numbers of Linux's ABI, and the hooks kern/ptrace.c offers the
 * places where a tracee stops (signal delivery, system calls, exec,
 * clone, exit) and the wait/exit paths that must know about tracers.
 *
 * Model: a tracer is a process (any of its threads may make requests and
 * wait), a tracee is a thread (struct task). The tracee's ptrace fields
 * live in struct task and the tracer's list of tracees in struct process
 * (kern/task.h), all under proc_lock.
 *
 * Layer: core, beside kern/signal.c. Below: kern/sched.c (sleeping in the
 * TASK_TRACED state), kern/uaccess.c (the tracee's memory). Above: the
 * system call (kern/sys_ptrace.c), kern/signal.c, kern/syscall.c,
 * kern/process.c and fs/exec.c, which call the hooks.
 */
#ifndef KITE_PTRACE_H
#define KITE_PTRACE_H

#include "kern/types.h"

struct task;
struct process;
struct trapframe;
struct ksiginfo;
struct wait_result;

/* Requests (include/uapi/linux/ptrace.h; riscv has no GETREGS family). */
#define PTRACE_TRACEME 0
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSR 3
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSR 6
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_SETSIGINFO 0x4203
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_INTERRUPT 0x4207
#define PTRACE_LISTEN 0x4208

/* Options (PTRACE_SETOPTIONS, PTRACE_SEIZE's data). */
#define PTRACE_O_TRACESYSGOOD 0x01
#define PTRACE_O_TRACEFORK 0x02
#define PTRACE_O_TRACEVFORK 0x04
#define PTRACE_O_TRACECLONE 0x08
#define PTRACE_O_TRACEEXEC 0x10
#define PTRACE_O_TRACEVFORKDONE 0x20
#define PTRACE_O_TRACEEXIT 0x40
#define PTRACE_O_TRACESECCOMP 0x80
#define PTRACE_O_EXITKILL 0x100000
#define PTRACE_O_SUSPEND_SECCOMP 0x200000
#define PTRACE_O_MASK 0x3000ff

/* Events: a stop's wait status carries SIGTRAP | event << 8. */
#define PTRACE_EVENT_FORK 1
#define PTRACE_EVENT_VFORK 2
#define PTRACE_EVENT_CLONE 3
#define PTRACE_EVENT_EXEC 4
#define PTRACE_EVENT_VFORK_DONE 5
#define PTRACE_EVENT_EXIT 6
#define PTRACE_EVENT_STOP 128

/* Register sets (elf.h note types) for PTRACE_GETREGSET/SETREGSET. */
#define NT_PRSTATUS 1
#define NT_PRFPREG 2

/* The request itself (kern/sys_ptrace.c checks nothing more). */
long ptrace_request(long request, pid_t pid, uint64_t addr, uint64_t data);

/* ---- hooks: the tracee's side (current, no lock held) ---- */
/* do_signals dequeued sig (not SIGKILL) for a traced current: stop and
 * let the tracer see it. Returns the signal to act on (the tracer's
 * choice, info rewritten if it changed), or 0 if cancelled or requeued
 * because it is blocked now. */
int ptrace_signal(int sig, struct ksiginfo *info);
/* A stop action (SIGSTOP...) for a traced current: report it as a
 * group stop (no siginfo) and go on when the tracer resumes. */
void ptrace_group_stop(int sig);
/* syscall_dispatch, around the call when PTRACE_SYSCALL asked for
 * stops. Entry returns false if the call is to be skipped (the tracer
 * set a7 to -1, or the tracee is being killed). */
bool ptrace_syscall_entry(struct trapframe *tf);
void ptrace_syscall_exit(struct trapframe *tf);
/* execve succeeded (old_tid: the caller's thread id before it became
 * the leader): the exec event stop, or a SIGTRAP without TRACEEXEC. */
void ptrace_exec(pid_t old_tid);
/* Does a tracer forbid exec's set-user/group-id change (it lacks
 * CAP_SYS_PTRACE)? As Linux's LSM_UNSAFE_PTRACE. */
bool ptrace_exec_unsafe(void);
/* do_clone: the event the new task child reports (0: none), decided and
 * child attached to current's tracer with a SIGSTOP pending, under
 * proc_lock before child can run; then, after it is queued, the event
 * stop of the parent (no lock held). */
int ptrace_clone_link(struct task *child, uint64_t flags, int exit_signal);
void ptrace_clone_event(int event, pid_t child_tid);
void ptrace_vfork_done(pid_t child_tid);
/* do_exit, first thing: PTRACE_O_TRACEEXIT's stop (status: the wait
 * status the thread exits with). */
void ptrace_exit_event(int status);

/* ---- hooks: bookkeeping (proc_lock held) ---- */
/* Thread t is leaving for good (with wait status `status`): off its
 * tracer's list; a tracer that is not its parent gets the exit to wait
 * for (a note on process->ptrace_exits). */
void ptrace_unlink_exiting(struct task *t, int status);
/* Process p (every thread gone) traced others: detach them, or kill
 * those with PTRACE_O_EXITKILL. */
void ptrace_tracer_exit(struct process *p);
/* do_wait over the tracees of me: the pid of one whose stop matches, or
 * (with WAIT_EXITED) whose exit note does (status in *w, consumed unless
 * WNOWAIT), or 0; *any set if a tracee or note matched pid at all. */
pid_t ptrace_wait_locked(struct process *me, pid_t pid, int options, struct wait_result *w,
                         bool *any);

#endif
