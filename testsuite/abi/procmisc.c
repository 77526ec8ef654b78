/*
 * procmisc.c — three calls about processes (testsuite/abi): kcmp (every
 * kind: files, address spaces, descriptor tables, fs contexts, signal
 * handlers, I/O contexts, semaphore undo lists, epoll targets; the order
 * answers; ESRCH, EBADF, EINVAL, EFAULT, EPERM; clone(CLONE_SYSVSEM) sharing
 * one undo list between processes, applied when the last sharer exits),
 * ioprio_set/ioprio_get
 * (classes and levels, threads, inheritance, process groups, users,
 * errors, permission), process_mrelease (alive, dying, gone, errors) and
 * the /proc listing (more processes and threads than procfs lists in one
 * pass, each listed once; a thread's own directory: its status and stat,
 * the process's files there too).
 * User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/stat.h>

#ifndef SYS_kcmp
#define SYS_kcmp 272
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, KCMP_EPOLL_TFD };
#define IOPRIO_VALUE(c, l) (((c) << 13) | (l))
enum { IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE };
enum { WHO_PROCESS = 1, WHO_PGRP, WHO_USER };

static long kcmp(long p1, long p2, long type, long i1, long i2)
{
  return raw5(SYS_kcmp, p1, p2, type, i1, i2);
}
static long ioset(int which, int who, int v)
{
  return raw3(SYS_ioprio_set, which, who, v);
}
static long ioget(int which, int who)
{
  return raw2(SYS_ioprio_get, which, who);
}

/* ---- kcmp ---- */

struct thread_arg {
  pid_t tid;
  int go[2];
};
static void *idle_thread(void *p)
{
  struct thread_arg *a = p;
  a->tid = (pid_t)raw0(SYS_gettid);
  char c;
  read(a->go[0], &c, 1);
  return NULL;
}

static void test_kcmp(void)
{
  pid_t me = getpid();
  int fd = open("/proc/self/status", O_RDONLY);
  int dupfd = dup(fd);
  int other = open("/proc/self/status", O_RDONLY);
  CHECK_RET("file/same-descriptor", kcmp(me, me, KCMP_FILE, fd, fd), 0);
  CHECK_RET("file/dup-is-the-same-file", kcmp(me, me, KCMP_FILE, fd, dupfd), 0);
  long ab = kcmp(me, me, KCMP_FILE, fd, other), ba = kcmp(me, me, KCMP_FILE, other, fd);
  CHECKF("file/another-open-differs", (ab == 1 && ba == 2) || (ab == 2 && ba == 1), "%ld %ld", ab, ba);
  CHECK_RET("file/ebadf", kcmp(me, me, KCMP_FILE, fd, 999), -EBADF);
  CHECK_RET("esrch", kcmp(me, 999999, KCMP_VM, 0, 0), -ESRCH);
  CHECK_RET("einval-type", kcmp(me, me, 8, 0, 0), -EINVAL);
  CHECK_RET("vm/self", kcmp(me, me, KCMP_VM, 0, 0), 0);
  CHECK_RET("io/self", kcmp(me, me, KCMP_IO, 0, 0), 0);
  pid_t a = fork();
  if (a == 0) {
    msleep(300);
    _exit(0);
  }
  pid_t b = fork();
  if (b == 0) {
    msleep(300);
    _exit(0);
  }
  /* qemu-user passes kcmp to the host kernel, where its own processes
     may carry semaphore undo lists: checked on Kite and the reference Linux */
  if (!skip_on_qemu("sysvsem/two-without-lists-equal", "the host's processes"))
    CHECK_RET("sysvsem/two-without-lists-equal", kcmp(a, b, KCMP_SYSVSEM, 0, 0), 0);
  wait_child_timeout(a, 5000);
  wait_child_timeout(b, 5000);

  /* a thread shares everything; a forked child nothing but its open files */
  struct thread_arg ta = {0, {-1, -1}};
  pipe(ta.go);
  pthread_t th;
  pthread_create(&th, NULL, idle_thread, &ta);
  while (!__atomic_load_n(&ta.tid, __ATOMIC_ACQUIRE))
    msleep(1);
  int go[2];
  pipe(go);
  pid_t child = fork();
  if (child == 0) {
    char c;
    read(go[0], &c, 1);
    _exit(0);
  }
  static const char *kinds[] = {"file", "vm", "files", "fs", "sighand"};
  for (int k = KCMP_VM; k <= KCMP_SIGHAND; k++) {
    char name[64];
    snprintf(name, sizeof(name), "%s/thread-shares", kinds[k]);
    CHECK_RET(name, kcmp(me, ta.tid, k, 0, 0), 0);
    snprintf(name, sizeof(name), "%s/child-has-its-own", kinds[k]);
    long r = kcmp(me, child, k, 0, 0);
    CHECKF(name, r == 1 || r == 2, "%ld", r);
  }
  long r0;
  CHECK_RET("file/inherited-by-fork-is-the-same", kcmp(me, child, KCMP_FILE, fd, fd), 0);
  /* pthread_create's CLONE_SYSVSEM made this process an undo list; the child has none */
  r0 = kcmp(me, child, KCMP_SYSVSEM, 0, 0);
  CHECKF("sysvsem/thread-made-a-list-the-child-has-none", r0 == 1 || r0 == 2, "%ld", r0);
  CHECK_RET("sysvsem/shared-with-the-thread", kcmp(me, ta.tid, KCMP_SYSVSEM, 0, 0), 0);

  /* epoll targets */
  int ep = epoll_create1(0);
  int pp[2];
  pipe(pp);
  struct epoll_event ev = {EPOLLIN, {0}};
  CHECK("epoll/add", epoll_ctl(ep, EPOLL_CTL_ADD, pp[0], &ev) == 0);
  struct {
    unsigned efd, tfd, toff;
  } slot = {(unsigned)ep, (unsigned)pp[0], 0};
  CHECK_RET("epoll/watched-file", kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (long)&slot), 0);
  long r = kcmp(me, me, KCMP_EPOLL_TFD, pp[1], (long)&slot);
  CHECKF("epoll/another-file", r == 1 || r == 2, "%ld", r);
  slot.toff = 1;
  CHECK_RET("epoll/enoent-offset", kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (long)&slot), -ENOENT);
  slot.toff = 0;
  slot.tfd = (unsigned)pp[1];
  CHECK_RET("epoll/enoent-not-watched", kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (long)&slot), -ENOENT);
  slot.efd = (unsigned)fd;
  CHECK_RET("epoll/einval-not-epoll", kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (long)&slot), -EINVAL);
  slot.efd = 999;
  CHECK_RET("epoll/ebadf", kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (long)&slot), -EBADF);
  CHECK_RET("epoll/efault", kcmp(me, me, KCMP_EPOLL_TFD, pp[0], (long)BAD_PTR), -EFAULT);
  close(pp[0]);
  close(pp[1]);

  /* another user may not look at root's processes */
  pid_t spy = fork();
  if (spy == 0) {
    if (setgid(1000) || setuid(1000))
      _exit(2);
    _exit(kcmp(me, me, KCMP_VM, 0, 0) == -EPERM ? 0 : 1);
  }
  int st = wait_child_timeout(spy, 5000);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
    abi_line("SKIP: %s/eperm-another-user (cannot change user here)", abi_family);
  else
    CHECKF("eperm-another-user", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));

  write(go[1], "x", 1);
  wait_child_timeout(child, 5000);
  write(ta.go[1], "x", 1);
  pthread_join(th, NULL);
  close(ep);
  close(fd);
  close(dupfd);
  close(other);
}

/* ---- ioprio ---- */

static void *ioprio_thread(void *p)
{
  long *r = p;
  r[0] = ioset(WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_IDLE, 0));
  r[1] = ioget(WHO_PROCESS, 0);
  return NULL;
}

static void test_ioprio(void)
{
  CHECK_RET("default-none", ioget(WHO_PROCESS, 0), 0);
  CHECK_RET("set-best-effort", ioset(WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_BE, 3)), 0);
  CHECK_RET("get-as-set", ioget(WHO_PROCESS, 0), IOPRIO_VALUE(IOPRIO_CLASS_BE, 3));
  CHECK_RET("get-by-pid", ioget(WHO_PROCESS, getpid()), IOPRIO_VALUE(IOPRIO_CLASS_BE, 3));
  pid_t pid = fork();
  if (pid == 0)
    _exit(ioget(WHO_PROCESS, 0) == IOPRIO_VALUE(IOPRIO_CLASS_BE, 3) ? 0 : 1);
  CHECK_RET("inherited-by-fork", WEXITSTATUS(wait_child_timeout(pid, 5000)), 0);
  long r[2] = {1, 1};
  pthread_t th;
  pthread_create(&th, NULL, ioprio_thread, r);
  pthread_join(th, NULL);
  CHECKF("per-thread", r[0] == 0 && r[1] == IOPRIO_VALUE(IOPRIO_CLASS_IDLE, 0) &&
                           ioget(WHO_PROCESS, 0) == IOPRIO_VALUE(IOPRIO_CLASS_BE, 3),
         "%ld %ld", r[0], r[1]);
  CHECK_RET("idle", ioset(WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_IDLE, 0)), 0);
  long rt = ioset(WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_RT, 7));
  if (rt == -EPERM && geteuid() != 0)
    abi_line("SKIP: %s/real-time (not root here)", abi_family);
  else if (skip_on_qemu("real-time", "the host may deny CAP_SYS_NICE to a container's root"))
    ;
  else
    CHECK("real-time", rt == 0 && ioget(WHO_PROCESS, 0) == IOPRIO_VALUE(IOPRIO_CLASS_RT, 7));
  CHECK_RET("back-to-none", ioset(WHO_PROCESS, 0, 0), 0);
  CHECK_RET("einval-none-with-a-level", ioset(WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_NONE, 1)), -EINVAL);
  CHECK_RET("einval-class-4", ioset(WHO_PROCESS, 0, IOPRIO_VALUE(4, 0)), -EINVAL);
  CHECK_RET("einval-class-7", ioset(WHO_PROCESS, 0, IOPRIO_VALUE(7, 0)), -EINVAL);
  CHECK_RET("einval-which", ioset(0, 0, 0), -EINVAL);
  CHECK_RET("einval-which-get", ioget(4, 0), -EINVAL);
  CHECK_RET("esrch-set", ioset(WHO_PROCESS, 999999, 0), -ESRCH);
  CHECK_RET("esrch-get", ioget(WHO_PROCESS, 999999), -ESRCH);
  CHECK_RET("esrch-pgrp", ioget(WHO_PGRP, 999999), -ESRCH);

  /* a process group: the best effective value; "none" stands for BE at nice/5 */
  setpgid(0, 0);
  int go[2];
  pipe(go);
  pid_t kid = fork();
  if (kid == 0) {
    char c;
    read(go[0], &c, 1);
    _exit(0);
  }
  setpriority(PRIO_PROCESS, 0, 0);
  ioset(WHO_PROCESS, 0, IOPRIO_VALUE(IOPRIO_CLASS_BE, 6));
  CHECK_RET("pgrp-best-effective", ioget(WHO_PGRP, 0), IOPRIO_VALUE(IOPRIO_CLASS_BE, 4));
  CHECK_RET("pgrp-set", ioset(WHO_PGRP, 0, IOPRIO_VALUE(IOPRIO_CLASS_BE, 1)), 0);
  CHECK_RET("pgrp-set-reached-the-child", ioget(WHO_PROCESS, kid), IOPRIO_VALUE(IOPRIO_CLASS_BE, 1));
  write(go[1], "x", 1);
  wait_child_timeout(kid, 5000);
  long u = ioget(WHO_USER, 0);
  CHECKF("user-of-the-caller", u >= 0, "%ld", u);
  CHECK_RET("user-esrch", ioget(WHO_USER, 54321), -ESRCH);

  /* another user may not change root's */
  pid_t parent = getpid();
  pid_t spy = fork();
  if (spy == 0) {
    if (setgid(1000) || setuid(1000))
      _exit(2);
    _exit(ioset(WHO_PROCESS, parent, 0) == -EPERM ? 0 : 1);
  }
  int st = wait_child_timeout(spy, 5000);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
    abi_line("SKIP: %s/eperm-another-user (cannot change user here)", abi_family);
  else
    CHECKF("eperm-another-user", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", status_str(st));
}

/* ---- process_mrelease ---- */

static void test_mrelease(void)
{
  if (raw2(SYS_process_mrelease, -1, 0) == -ENOSYS &&
      skip_on_qemu("mrelease", "QEMU 7.2's linux-user has no process_mrelease"))
    return;
  int p[2];
  pipe(p);
  CHECK_RET("ebadf-not-a-pidfd", raw2(SYS_process_mrelease, p[0], 0), -EBADF);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    read(p[0], &c, 1);
    _exit(0);
  }
  long pfd = raw2(SYS_pidfd_open, pid, 0);
  CHECK_RET("einval-flags", raw2(SYS_process_mrelease, pfd, 1), -EINVAL);
  CHECK_RET("einval-alive", raw2(SYS_process_mrelease, pfd, 0), -EINVAL);
  kill(pid, SIGKILL);
  long r = raw2(SYS_process_mrelease, pfd, 0);
  CHECKF("dying", r == 0 || r == -ESRCH, "%ld", r);
  siginfo_t si;
  waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
  CHECK_RET("zombie-esrch", raw2(SYS_process_mrelease, pfd, 0), -ESRCH);
  wait_child_timeout(pid, 5000);
  CHECK_RET("reaped-esrch", raw2(SYS_process_mrelease, pfd, 0), -ESRCH);
  close((int)pfd);
  close(p[0]);
  close(p[1]);
}

/* ---- CLONE_SYSVSEM: an undo list shared between processes ---- */

#define K_CLONE_SYSVSEM 0x00040000

/* A child made by clone(CLONE_SYSVSEM) (fork-like: no new stack). */
static pid_t clone_sysvsem(void)
{
  return (pid_t)raw5(SYS_clone, K_CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0);
}

/* In a process of its own: take one with SEM_UNDO in a clone(CLONE_SYSVSEM)
 * child that exits; while we live the adjustment is still ours too, so
 * the value stays. Exits 0 if so (and if kcmp saw one list in both). */
static void sysvsem_sharer(int id)
{
  pid_t me = getpid();
  pid_t c = clone_sysvsem();
  if (c == 0) {
    int same = (int)kcmp(me, getpid(), KCMP_SYSVSEM, 0, 0) == 0;
    struct sembuf op = {0, 1, SEM_UNDO};
    _exit(same && semop(id, &op, 1) == 0 ? 0 : 1);
  }
  int st;
  waitpid(c, &st, 0);
  int v = semctl(id, 0, GETVAL);
  _exit(EXITED_OK(st) && v == 1 ? 0 : 10 + v);
}

static void test_sysvsem(void)
{
  pid_t me = getpid();
  int id = semget(IPC_PRIVATE, 1, 0600);
  CHECK("sysvsem/semget", id >= 0);
  if (id < 0)
    return;
  /* QEMU's linux-user runs a clone without CLONE_VM as a host fork and does
   * not pass CLONE_SYSVSEM on: the reference Linux (abi-ref) checks these */
  if (skip_on_qemu("sysvsem/clone-sysvsem", "QEMU's linux-user drops CLONE_SYSVSEM")) {
    semctl(id, 0, IPC_RMID);
    return;
  }
  /* kcmp: the parent and its CLONE_SYSVSEM child have one list */
  int go[2];
  pipe(go);
  pid_t c = clone_sysvsem();
  if (c == 0) {
    char x;
    read(go[0], &x, 1);
    _exit(0);
  }
  CHECK_RET("sysvsem/clone-sysvsem-shares-the-list", kcmp(me, c, KCMP_SYSVSEM, 0, 0), 0);
  write(go[1], "x", 1);
  wait_child_timeout(c, 5000);

  /* the adjustment is applied when the last process sharing it exits */
  pid_t a = fork();
  if (a == 0)
    sysvsem_sharer(id);
  int st = wait_child_timeout(a, 5000);
  CHECKF("sysvsem/undo-waits-for-the-last-sharer", EXITED_OK(st), "%s", status_str(st));
  CHECK_RET("sysvsem/undo-applied-after-the-last", semctl(id, 0, GETVAL), 0);
  /* a plain fork: the child's own list, undone at its exit */
  a = fork();
  if (a == 0) {
    struct sembuf op = {0, 1, SEM_UNDO};
    _exit(semop(id, &op, 1) == 0 ? 0 : 1);
  }
  wait_child_timeout(a, 5000);
  CHECK_RET("sysvsem/fork-child-undone-at-exit", semctl(id, 0, GETVAL), 0);
  semctl(id, 0, IPC_RMID);
}

/* ---- the /proc listing: every process and thread exactly once ---- */

#define MANY_KIDS 320
#define MANY_THREADS 300
#define LISTED_MAX 8192

struct dirent64_raw {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

/* The numbers a /proc directory lists, read with getdents64 in calls of
 * bufsize bytes, into out (in the order listed); their count, or -errno. */
static int list_numbers(const char *dir, size_t bufsize, int *out, int max)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  char *buf = malloc(bufsize);
  int n = 0;
  long r;
  while (buf && (r = raw3(SYS_getdents64, fd, (long)buf, (long)bufsize)) > 0) {
    for (long off = 0; off < r;) {
      struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
      if (d->name[0] >= '1' && d->name[0] <= '9' && n < max)
        out[n++] = atoi(d->name);
      off += d->reclen;
    }
  }
  free(buf);
  close(fd);
  return n;
}

static int times_listed(const int *listed, int n, int id)
{
  int k = 0;
  for (int i = 0; i < n; i++)
    k += listed[i] == id;
  return k;
}

/* Each of ids[0..nids) listed exactly once? On failure, detail names the
 * first id that is not and how many are not. */
static int each_once(const int *listed, int n, const pid_t *ids, int nids, char *detail, size_t len)
{
  int bad = 0, first = 0, times = 0;
  for (int i = 0; i < nids; i++) {
    int k = times_listed(listed, n, ids[i]);
    if (k != 1 && bad++ == 0) {
      first = ids[i];
      times = k;
    }
  }
  snprintf(detail, len, "%d of %d not listed once (first: %d, %d times; %d listed)", bad, nids, first,
           times, n);
  return bad == 0;
}

static void write_number(const char *path, long v)
{
  char num[24];
  snprintf(num, sizeof(num), "%ld", v);
  write_text(path, num);
}

/* More processes than procfs lists in one pass (256), forked so that the
 * kernel's list is not in pid order where ns_last_pid can be written: a
 * first batch numbered above a second. Every one must be listed once,
 * the numbers ascending, whatever the getdents buffer. */
static void test_listing(void)
{
  static pid_t kids[MANY_KIDS];
  static int listed[LISTED_MAX];
  char detail[128];
  int go[2];
  if (pipe(go) != 0) {
    CHECK("pipe", 0);
    return;
  }
  const char *last = "/proc/sys/kernel/ns_last_pid";
  long pid_max = 32768;
  FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
  if (f) {
    if (fscanf(f, "%ld", &pid_max) != 1)
      pid_max = 32768;
    fclose(f);
  }
  long high = getpid() + 3000;
  if (high + MANY_KIDS + 1000 >= pid_max)
    high = 2500;
  int steer = !on_qemu_user() && access(last, W_OK) == 0; /* qemu-user: the host's pids */
  int nk = 0;
  for (int batch = 0; batch < 2; batch++) {
    if (steer)
      write_number(last, batch == 0 ? high : high - 2000);
    for (int i = 0; i < MANY_KIDS / 2; i++) {
      pid_t pid = fork();
      if (pid == 0) {
        char c;
        close(go[1]);
        read(go[0], &c, 1); /* until the parent closes its end */
        _exit(0);
      }
      if (pid < 0)
        break;
      kids[nk++] = pid;
    }
  }
  CHECKF("forked-all", nk == MANY_KIDS, "%d of %d forked", nk, MANY_KIDS);
  int n = list_numbers("/proc", 65536, listed, LISTED_MAX);
  CHECKF("big-buffer/each-child-once", each_once(listed, n, kids, nk, detail, sizeof(detail)), "%s", detail);
  int ascending = 1;
  for (int i = 1; i < n; i++)
    ascending &= listed[i - 1] < listed[i];
  CHECK("big-buffer/ascending", ascending);
  pid_t me = getpid();
  CHECK("big-buffer/self-once", times_listed(listed, n, me) == 1);
  n = list_numbers("/proc", 600, listed, LISTED_MAX);
  CHECKF("small-buffer/each-child-once", each_once(listed, n, kids, nk, detail, sizeof(detail)), "%s",
         detail);
  close(go[1]);
  int reaped = 0;
  for (int i = 0; i < nk; i++)
    reaped += wait_status(kids[i]) == 0;
  CHECKF("children-reaped", reaped == nk, "%d of %d", reaped, nk);
  close(go[0]);
}

static int thread_go[2];
static pid_t thread_tids[MANY_THREADS];
static volatile int threads_started;

static void *parked_thread(void *arg)
{
  int i = (int)(long)arg;
  if (i == 0)
    prctl(PR_SET_NAME, "parked0");
  thread_tids[i] = (pid_t)raw0(SYS_gettid);
  __atomic_add_fetch(&threads_started, 1, __ATOMIC_SEQ_CST);
  char c;
  read(thread_go[0], &c, 1);
  return NULL;
}

/* The first line of path starting with key (the rest of it in out). */
static int status_field(const char *path, const char *key, char *out, size_t len)
{
  char buf[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, strlen(key)) == 0) {
      char *v = line + strlen(key);
      while (*v == '\t' || *v == ' ')
        v++;
      size_t k = strcspn(v, "\n");
      snprintf(out, len, "%.*s", (int)k, v);
      return 0;
    }
  }
  return -ENOENT;
}

/* /proc/self/task with more threads than one pass lists, and a thread's
 * own directory: its status and stat name the thread, the process's
 * files (exe, cwd, fd, ns, environ, mounts) are there too. */
static void test_task_dir(void)
{
  static int listed[LISTED_MAX];
  static pthread_t th[MANY_THREADS];
  char detail[128], path[96], want[64], got[64];
  if (pipe(thread_go) != 0) {
    CHECK("pipe", 0);
    return;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int nt = 0;
  for (; nt < MANY_THREADS; nt++)
    if (pthread_create(&th[nt], &attr, parked_thread, (void *)(long)nt) != 0)
      break;
  for (int ms = 0; threads_started < nt && ms < 20000; ms += 10)
    usleep(10000);
  CHECKF("threads-started", nt == MANY_THREADS && threads_started == nt, "%d made, %d started", nt,
         threads_started);
  int n = list_numbers("/proc/self/task", 65536, listed, LISTED_MAX);
  CHECKF("each-thread-once", each_once(listed, n, thread_tids, threads_started, detail, sizeof(detail)), "%s",
         detail);
  pid_t me = getpid(), tid = thread_tids[0];
  CHECK("main-thread-once", times_listed(listed, n, me) == 1);
  snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
  snprintf(want, sizeof(want), "%d", tid);
  CHECKF("status-pid-is-tid", status_field(path, "Pid:", got, sizeof(got)) == 0 && !strcmp(got, want),
         "'%s' want %s", got, want);
  snprintf(want, sizeof(want), "%d", me);
  CHECKF("status-tgid", status_field(path, "Tgid:", got, sizeof(got)) == 0 && !strcmp(got, want), "'%s'", got);
  CHECKF("status-name", status_field(path, "Name:", got, sizeof(got)) == 0 && !strcmp(got, "parked0"),
         "'%s'", got);
  snprintf(want, sizeof(want), "%d", tid);
  CHECKF("status-nspid", status_field(path, "NSpid:", got, sizeof(got)) == 0 && !strcmp(got, want), "'%s'",
         got);
  CHECKF("process-status-name", status_field("/proc/self/status", "Name:", got, sizeof(got)) == 0 &&
                                    strcmp(got, "parked0") != 0, "'%s'", got);
  snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char line[128] = "";
  ssize_t r = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;
  line[r > 0 ? r : 0] = 0;
  close(fd);
  snprintf(want, sizeof(want), "%d (parked0) ", tid);
  CHECKF("stat-names-thread", !strncmp(line, want, strlen(want)), "'%.40s'", line);
  /* the process's files, seen from the thread's directory too */
  static const char *const files[] = { "environ", "mounts", "mountinfo", "cmdline", "statm", "comm" };
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, files[i]);
    char name[48];
    snprintf(name, sizeof(name), "file-%s", files[i]);
    CHECKF(name, access(path, R_OK) == 0, "%s: %s", path, strerror(errno));
  }
  static const char *const links[] = { "cwd", "root", "ns/pid", "ns/mnt" };
  for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
    char a[256] = "", b[256] = "", self[64], name[48];
    snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, links[i]);
    snprintf(self, sizeof(self), "/proc/self/%s", links[i]);
    ssize_t la = readlink(path, a, sizeof(a) - 1), lb = readlink(self, b, sizeof(b) - 1);
    snprintf(name, sizeof(name), "link-%s", links[i]);
    CHECKF(name, la > 0 && la == lb && !memcmp(a, b, (size_t)la), "'%s' vs '%s'", a, b);
  }
  snprintf(path, sizeof(path), "/proc/self/task/%d/fd/%d", tid, thread_go[0]);
  CHECKF("fd-entry", access(path, F_OK) == 0 || errno == EACCES, "%s: %s", path, strerror(errno));
  snprintf(path, sizeof(path), "/proc/self/task/%d/fdinfo/%d", tid, thread_go[0]);
  CHECKF("fdinfo-entry", access(path, R_OK) == 0, "%s: %s", path, strerror(errno));
  if (!skip_on_qemu("exe-link", "qemu-user's threads run the emulator")) {
    char a[256] = "", b[256] = "";
    snprintf(path, sizeof(path), "/proc/self/task/%d/exe", tid);
    ssize_t la = readlink(path, a, sizeof(a) - 1), lb = readlink("/proc/self/exe", b, sizeof(b) - 1);
    CHECKF("exe-link", la > 0 && la == lb && !memcmp(a, b, (size_t)la), "'%s' vs '%s'", a, b);
  }
  close(thread_go[1]);
  for (int i = 0; i < nt; i++)
    pthread_join(th[i], NULL);
  close(thread_go[0]);
}

int main(void)
{
  abi_family = "procmisc";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (kcmp(getpid(), getpid(), KCMP_VM, 0, 0) == -ENOSYS && skip_on_qemu("kcmp", "QEMU 7.2's linux-user has no kcmp"))
    ;
  else
    run_section("kcmp", test_kcmp, 30000);
  if (kcmp(getpid(), getpid(), KCMP_VM, 0, 0) == -ENOSYS &&
      skip_on_qemu("kcmp-sysvsem", "QEMU 7.2's linux-user has no kcmp"))
    ;
  else
    run_section("kcmp-sysvsem", test_sysvsem, 30000);
  if (ioget(WHO_PROCESS, 0) == -ENOSYS && skip_on_qemu("ioprio", "QEMU 7.2's linux-user has no ioprio_get"))
    ;
  else
    run_section("ioprio", test_ioprio, 30000);
  run_section("mrelease", test_mrelease, 30000);
  run_section("listing", test_listing, 60000);
  run_section("task-dir", test_task_dir, 60000);
  return abi_done();
}
