/*
 * param.h — the kernel's limits, in one place (xv6's param.h).
 *
 * Layer: core (constants only, used by every layer). No locks.
 */
#ifndef KITE_PARAM_H
#define KITE_PARAM_H

#define NCPU 8                   /* harts the kernel can manage (<= 32: spinlock waiter bits) */
#define SMP_HART_START_WAIT_NS (5ull * 1000000000ull) /* how long the boot hart waits for each secondary hart to come online */
#define SPIN_TURNS 2000          /* reads of a held spinlock before halting for a kick */
#define KSTACK_PAGES 4           /* kernel stack per task: 16 KiB */
#define FAULT_AROUND_PAGES 16    /* a read fault on a file maps this aligned window of cached pages */
#define HZ 100                   /* scheduler ticks per second */
#define USER_HZ 100              /* clock ticks user space counts in (AT_CLKTCK; adjtimex tick units) */
#define PROFILE_HZ 1000          /* timer samples per second per hart while /proc/kite/profile is on */
#define PROFILE_SLOTS 4096       /* distinct kernel PCs the profile counts (a power of 2) */
#define TIMESLICE_TICKS 2        /* ticks a task runs before preemption */
#define WAKEUP_GRANULARITY_NS 1000000 /* a waker that ran this long yields (sched.c) */
#define KICK_DELAY_NS 100000     /* a waker that goes on this long after a wake-up hands the task to an idle hart (sched.c) */
#define SLEEPER_CREDIT_NS 3000000  /* a woken task queues this far ahead of the least run (sched.c) */
#define START_DEBIT_NS 3000000   /* a new task starts this far behind min_vruntime (sched.c) */
#define SCHED_LATENCY_NS 6000000  /* CFS's sched_latency: the runnable normal tasks share it (sched.c) */
#define SCHED_MIN_GRANULARITY_NS 750000 /* the least slice of it one task gets (CFS's) */
#define RR_TIMESLICE_TICKS 10    /* SCHED_RR's slice: 100 ms, as Linux's RR_TIMESLICE */
#define PID_MAX 32768            /* pids are 1 .. PID_MAX-1 */
#define NR_OPEN_DEFAULT 1024     /* RLIMIT_NOFILE soft limit */
#define NR_OPEN_MAX 65536        /* RLIMIT_NOFILE hard limit */
#define NPROC_DEFAULT 4096       /* RLIMIT_NPROC */
#define STACK_LIMIT_DEFAULT (8UL << 20) /* RLIMIT_STACK */
#define ARG_MAX (2UL << 20)      /* bytes of argv + envp at execve */
#define MAX_ARG_STRINGS 32768    /* argv + envp entries */
#define PATH_MAX 4096
#define NAME_MAX 255
#define SYMLOOP_MAX 40           /* symlinks followed in one lookup */
#define INTERP_DEPTH_MAX 4       /* nested #! interpreters */
#define PIPE_BUF 4096            /* atomic pipe write size */
#define PIPE_CAPACITY 65536      /* bytes a pipe holds */
#define KLOG_SIZE (64 * 1024)    /* kernel log ring buffer */
#define CMDLINE_MAX 1024
#define TTY_INPUT_SIZE 4096      /* tty input buffer */
#define PTY_BUFFER_SIZE 4096     /* a pty slave's output, waiting for the master */
#define PTY_MAX 256              /* pseudo-terminals at once (/dev/pts/0 .. 255) */
#define TIMER_SLACK_DEFAULT_NS 50000 /* PR_GET_TIMERSLACK of a new task */
#define POSIX_TIMERS_MAX 4096    /* timer_create per process (also RLIMIT_SIGPENDING) */
#define SIGQ_USERS_MAX 64        /* users with queued signals at once (RLIMIT_SIGPENDING's count) */
#define INOTIFY_MAX_INSTANCES 128 /* inotify_init1 at once (Linux's max_user_instances) */
#define INOTIFY_MAX_WATCHES 65536 /* inotify watches at once (max_user_watches) */
#define INOTIFY_MAX_EVENTS 16384 /* events one instance queues (max_queued_events) */
#define MQ_MSG_DEFAULT 10        /* POSIX message queues: messages when not asked (msg_default) */
#define MQ_MSGSIZE_DEFAULT 8192  /* and their size (msgsize_default) */
#define MQ_MSG_MAX 10            /* the most a caller may ask for (msg_max) ... */
#define MQ_MSGSIZE_MAX 8192      /* (msgsize_max) ... */
#define MQ_HARD_MSGMAX 65536     /* ... or, with CAP_SYS_RESOURCE, these (HARD_MSGMAX) */
#define MQ_HARD_MSGSIZEMAX (16 << 20)
#define MQ_QUEUES_MAX 256        /* queues at once (queues_max) */

#endif
