/*
 * procmisc.c — three calls about processes (testsuite/abi): kcmp (every
 * kind: files, address spaces, descriptor tables, fs contexts, signal
 * handlers, I/O contexts, semaphore undo lists, epoll targets; the order
 * answers; ESRCH, EBADF, EINVAL, EFAULT, EPERM; clone(CLONE_SYSVSEM) sharing
 * one undo list between processes, applied when the last sharer exits),
 * ioprio_set/ioprio_get
 * (classes and levels, threads, inheritance, process groups, users,
 * errors, permission) and process_mrelease (alive, dying, gone, errors).
 * User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <pthread.h>
#include <sys/epoll.h>
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
  return abi_done();
}
