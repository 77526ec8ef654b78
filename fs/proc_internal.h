/*
 * proc_internal.h — what the pieces of /proc share.
 *
 *   fs/procfs.c       the file system: inodes, lookup, directories, links,
 *                     opening, reading and writing a generated file, mount
 *   fs/proc_pid.c     the per-process files (/proc/<pid>/...), their tables
 *   fs/proc_kernel.c  the kernel-wide files (/proc/meminfo, /proc/sys, ...),
 *                     their tables and the writable tunables
 *   fs/proc_links.c   the symbolic links: self, thread-self, the magic links
 *   fs/proc_mounts.c  /proc/<pid>/mounts and mountinfo
 *   fs/proc_util.c    text buffers and process snapshots, used by all above
 *
 * Layer: fs, private to /proc's files (nothing outside fs/proc*.c
 * includes it).
 *
 * Calls go one way: procfs.c uses the generator files' tables, and every
 * generator file uses proc_util.c; proc_util.c names none of them.
 *
 * A /proc file's text is made when it is opened: a generator appends it
 * to a growing buffer with pb_printf/pb_write (which may allocate, so no
 * spinlock may be held across them ... except where procfs.c's own
 * callers already do, see proc_mounts.c).
 */
#ifndef KITE_PROC_INTERNAL_H
#define KITE_PROC_INTERNAL_H

#include "kern/types.h"
#include "kern/task.h"   /* TASK_COMM_LEN */
#include "fs/inode.h"
#include "fs/mount.h"
#include "kern/mm.h"    /* kfree */

struct process;
struct path;
struct mm;
struct files;
struct fs_context;
struct cred;
struct pid_namespace;

struct proc_buf {
  char *data;
  size_t len, cap;
  struct pid_namespace *ns; /* the /proc mount's pid namespace: ids are shown as it numbers them */
  const struct cred *opener; /* referenced: who opened a map file for writing */
  pid_t tid;                /* a task/<tid> file: the thread (global id); 0: the process's file */
};

typedef void (*proc_gen_fn)(struct proc_buf *b, struct process *p);

/* What a procfs inode stands for. */
enum proc_kind {
  PK_ROOT, PK_PID_DIR, PK_FD_DIR, PK_SYS_DIR, PK_SYS_KERNEL_DIR, PK_NET_DIR, PK_SYSVIPC_DIR, PK_SYS_FS_DIR,
  PK_SYS_FS_INOTIFY_DIR,       /* /proc/sys/fs/inotify */
  PK_SYS_FS_MQUEUE_DIR,        /* /proc/sys/fs/mqueue */
  PK_SYS_RANDOM_DIR,           /* /proc/sys/kernel/random */
  PK_SYS_USER_DIR,             /* /proc/sys/user */
  PK_KITE_DIR,                 /* /proc/kite: Kite's own files, not Linux's */
  PK_FDINFO_DIR,               /* /proc/<pid>/fdinfo (files: PK_FILE, gen_fdinfo, fd in proc_info.fd) */
  PK_TASK_DIR, PK_TID_DIR,     /* /proc/<pid>/task and task/<tid> (tid in proc_info.fd) */
  PK_NS_DIR,                   /* /proc/<pid>/ns: one PK_NS_LINK per kind (enum ns_kind in proc_info.fd) */
  PK_FILE,      /* generated text (gen) */
  PK_SELF,      /* symlink to the caller's pid (in the mount's pid namespace) */
  PK_THREAD_SELF, /* symlink to <pid>/task/<tid> of the caller, likewise */
  PK_EXE, PK_CWD, PK_ROOTLINK, PK_FD_LINK,  /* per-process symlinks */
  PK_NS_LINK,   /* /proc/<pid>/ns/<kind>: a magic link to the namespace (fs/nsfs.c) */
};

/* What a procfs inode stands for (its priv; freed by proc_evict). The ids
 * are global: the mount's namespace only changes what is listed and shown. */
struct proc_info {
  enum proc_kind kind;
  pid_t pid;
  int fd;               /* the fd of an fd/fdinfo entry, the ns kind of a link, the tid of task/<tid> */
  bool of_thread;       /* made by task/<tid>'s lookup: fd is that thread's global id */
  proc_gen_fn gen;
  uint64_t start_ns;    /* PK_PID_DIR: the process's start time (procfs_dir_process) */
};

/* The proc_info of a procfs inode. */
static inline struct proc_info *info_of(struct inode *ino)
{
  return ino->priv;
}

/* Every procfs inode's evict: frees its proc_info. */
static inline void proc_evict(struct inode *ino)
{
  kfree(ino->priv);
}

/* The pid namespace a /proc mount shows (its super block's; referenced by
 * it): directories list its processes by their numbers there. */
static inline struct pid_namespace *proc_ns(struct super_block *sb)
{
  return sb->priv;
}

/* ---- fs/proc_links.c ---- */

/* self and thread-self (readlink only); cwd, root, exe, fd/N, ns/<kind>
 * (magic links: get_link jumps to the object). */
extern const struct inode_ops proc_link_iops;
extern const struct inode_ops proc_magic_link_iops;

/* One name in a /proc directory: what it is, its generator, its mode. */
struct proc_entry {
  const char *name;
  enum proc_kind kind;
  proc_gen_fn gen;
  mode_t mode;
};

/* A directory's entries, in the order readdir lists them. */
struct proc_table {
  const struct proc_entry *entries;
  size_t n;
};
#define PROC_TABLE(arr) { arr, ARRAY_SIZE(arr) }

/* ---- fs/proc_util.c: text buffers ---- */

/* Append formatted text (or n bytes of s) to b, growing it with kmalloc;
 * out of memory, the text is dropped (the file reads short). May sleep. */
void pb_printf(struct proc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pb_write(struct proc_buf *b, const char *s, size_t n);
/* pb_printf for other subsystems' show callbacks (ctx is the proc_buf);
 * a line longer than 255 bytes is cut. */
void pb_print_cb(void *ctx, const char *fmt, ...);

/* ---- fs/proc_util.c: processes ---- */

/* What a generator needs of a process, copied under proc_lock at once so
 * the lines of one file agree; the references are dropped by
 * proc_snapshot_put. */
struct proc_snapshot {
  char comm[TASK_COMM_LEN];
  char state;
  pid_t pid;             /* the ids below as proc_snapshot_get_ns's namespace numbers */
  pid_t ppid;            /* (0: not in that namespace) */
  int nthreads;
  uint64_t utime, stime;
  pid_t pgid, sid;
  dev_t tty;             /* controlling terminal's device number, 0 if none */
  pid_t tpgid;           /* its foreground group, -1 if none */
  struct mm *mm;         /* referenced, or NULL */
  struct files *files;   /* referenced, or NULL */
  struct fs_context *fs; /* referenced, or NULL */
  int cpu;               /* hart the leader runs or last ran on */
  const struct cred *cred; /* referenced, or NULL (a zombie) */
  int no_new_privs;
};

/* The process with this pid, referenced (process_put it), or NULL.
 * Takes proc_lock. */
struct process *proc_get_process(pid_t pid);
/* The same for the process that namespace ns numbers nr. */
struct process *proc_get_process_ns(pid_t nr, struct pid_namespace *ns);
/* A live thread of p (for its mm, files, fs), or NULL for a zombie.
 * The caller holds proc_lock. */
struct task *proc_any_thread(struct process *p);
/* Fill *s from p (the caller holds a reference to p; takes proc_lock,
 * then the controlling tty's lock). Release with proc_snapshot_put. */
void proc_snapshot_get(struct process *p, struct proc_snapshot *s);
/* The same with the ids (pid, ppid, pgid, sid, tpgid) as namespace ns
 * numbers them (proc_snapshot_get: the initial namespace's). */
void proc_snapshot_get_ns(struct process *p, struct proc_snapshot *s, struct pid_namespace *ns);
void proc_snapshot_put(struct proc_snapshot *s);
/* Make *s (of p) speak for its thread tid: that thread's state, hart and
 * comm (/proc/<pid>/task/<tid>/stat). No change if tid is not p's. Takes
 * proc_lock. */
void proc_snapshot_thread(struct process *p, pid_t tid, struct proc_snapshot *s);
/* The reading task's root, not referenced (its own root outlives the
 * read): paths in /proc are shown as the reader sees them. */
struct path proc_reader_root(void);
/* p as Linux's d_path shows it in /proc (fd links, maps): its path from
 * root, with " (deleted)" after a removed file's (a memfd's too). Length,
 * or -ENAMETOOLONG. */
int proc_path_name(struct path *p, const struct path *root, char *buf, size_t size);
/* The root directory of p, referenced into *root; false for a zombie. */
bool proc_get_root(struct process *p, struct path *root);

/* ---- fs/proc_pid.c ---- */

extern const struct proc_table proc_pid_table;   /* /proc/<pid> */
extern const struct proc_table proc_tid_table;   /* /proc/<pid>/task/<tid> */
/* /proc/<pid>/comm (a task/<tid> file, b->tid set: that thread's);
 * procfs.c writes a thread's own comm itself. */
void gen_comm(struct proc_buf *b, struct process *p);
/* The generator of /proc/<pid>/fdinfo/<fd> files (a marker: the text is
 * made by proc_fdinfo_show, which is given the fd). */
void gen_fdinfo(struct proc_buf *b, struct process *p);
/* fdinfo of descriptor fd of p into b: 0, or -ENOENT once it is closed.
 * The caller holds a reference to p; no locks held. */
int proc_fdinfo_show(struct proc_buf *b, struct process *p, int fd);

/* /proc/<pid>/{uid,gid,projid}_map and setgroups (user namespaces,
 * kern/user_namespace.h): procfs.c hands their opens and writes here.
 * Opening setgroups for writing needs CAP_SYS_ADMIN in p's namespace
 * (EACCES); opening a map for writing keeps the opener's cred in b, and
 * the writes are judged by it (a descriptor handed to a set-user-ID
 * program gives no more power than its opener had): 0 or -errno. A
 * write to the file of process pid at *pos: the bytes taken or -errno;
 * *handled false for the other files. No locks held. */
void gen_uid_map(struct proc_buf *b, struct process *p);
void gen_gid_map(struct proc_buf *b, struct process *p);
void gen_projid_map(struct proc_buf *b, struct process *p);
void gen_setgroups(struct proc_buf *b, struct process *p);
int proc_userns_open_write(proc_gen_fn gen, struct process *p, struct proc_buf *b);
struct uio;
ssize_t proc_userns_write(proc_gen_fn gen, pid_t pid, const struct cred *opener, struct uio *u, off_t *pos,
                          bool *handled);

/* ---- fs/proc_kernel.c ---- */

extern const struct proc_table proc_root_table;            /* /proc */
extern const struct proc_table proc_sys_table;             /* /proc/sys */
extern const struct proc_table proc_sys_kernel_table;      /* /proc/sys/kernel */
extern const struct proc_table proc_sys_random_table;      /* /proc/sys/kernel/random */
extern const struct proc_table proc_sys_user_table;        /* /proc/sys/user */
extern const struct proc_table proc_sys_fs_table;          /* /proc/sys/fs */
extern const struct proc_table proc_sys_fs_inotify_table;  /* /proc/sys/fs/inotify */
extern const struct proc_table proc_sys_fs_mqueue_table;   /* /proc/sys/fs/mqueue */
extern const struct proc_table proc_sysvipc_table;         /* /proc/sysvipc */
extern const struct proc_table proc_net_table;             /* /proc/net */
extern const struct proc_table proc_kite_table;            /* /proc/kite */
/* A write of buf to the /proc/sys (or /proc/kite) file made by gen: 0 or
 * -errno (EINVAL out of range, EPERM for the host name or the profiler
 * without CAP_SYS_ADMIN); *handled false if gen is not a writable
 * tunable. No locks held. */
int proc_sysctl_write(proc_gen_fn gen, char *buf, const struct cred *opener, bool *handled);
/* Is gen one of /proc/sys/user's per-user-namespace limits (written in
 * the namespace of the cred that opened the file)? */
bool proc_sysctl_per_userns(proc_gen_fn gen);
/* The inode operations of a /proc/sys file whose permission is not its
 * mode's (/proc/sys/user: the reader's namespace's CAP_SYS_RESOURCE), or
 * NULL. */
const struct inode_ops *proc_sysctl_iops(proc_gen_fn gen);

/* ---- fs/proc_mounts.c ---- */

/* /proc/<pid>/mounts and mountinfo: the mounts under p's root. */
void gen_mounts(struct proc_buf *b, struct process *p);
void gen_mountinfo(struct proc_buf *b, struct process *p);

#endif
