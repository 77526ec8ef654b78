/*
 * extras.c — smaller process and file features (testsuite/abi): prctl
 * (PR_SET_PDEATHSIG delivered when the parent dies, PR_SET_TIMERSLACK,
 * PR_SET_NO_NEW_PRIVS, PR_GET_DUMPABLE after a change of identity),
 * /proc/<pid>/task (one directory per thread, a thread's own comm),
 * O_TMPFILE (unnamed files, linking one into a directory, O_EXCL, errors),
 * SEEK_DATA/SEEK_HOLE on a sparse tmpfs file, and futex_waitv. User
 * space; static musl.
 */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

static char tmpdir[256];

/* ---- prctl ---- */

static void prctl_checks(void)
{
  int sig = -1;
  CHECK_RET("prctl/pdeathsig-initial", prctl(PR_GET_PDEATHSIG, &sig) == 0 ? sig : -1, 0);
  CHECK_RET("prctl/pdeathsig-bad", prctl(PR_SET_PDEATHSIG, 99) == -1 ? -errno : 0, -EINVAL);
  /* a grandchild asks for SIGUSR1 when its parent (our child) dies */
  int p[2], ready[2];
  pipe(p);
  pipe(ready);
  pid_t c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGUSR1);
      sigprocmask(SIG_BLOCK, &set, NULL);
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      int got = 0;
      prctl(PR_GET_PDEATHSIG, &got);
      (void)!write(ready[1], "r", 1);
      struct timespec ts = {5, 0};
      int s = sigtimedwait(&set, NULL, &ts);
      char r = s == SIGUSR1 && got == SIGUSR1 ? 'y' : 'n';
      (void)!write(p[1], &r, 1);
      _exit(0);
    }
    char x;
    (void)!read(ready[0], &x, 1);
    _exit(0); /* the parent dies */
  }
  char b = 0;
  waitpid(c, NULL, 0);
  close(p[1]);
  (void)!read(p[0], &b, 1);
  CHECKF("prctl/pdeathsig-delivered", b == 'y', "grandchild said %c", b);
  close(p[0]);
  close(ready[0]);
  close(ready[1]);
  /* timer slack */
  CHECK_RET("prctl/timerslack-default", prctl(PR_GET_TIMERSLACK), 50000);
  CHECK_RET("prctl/timerslack-set", prctl(PR_SET_TIMERSLACK, 200000), 0);
  CHECK_RET("prctl/timerslack-get", prctl(PR_GET_TIMERSLACK), 200000);
  c = fork();
  if (c == 0)
    _exit(prctl(PR_GET_TIMERSLACK) == 200000 ? 0 : 1);
  CHECK("prctl/timerslack-inherited", wait_child_timeout(c, 5000) == 0);
  CHECK_RET("prctl/timerslack-reset", prctl(PR_SET_TIMERSLACK, 0), 0);
  CHECK_RET("prctl/timerslack-back-to-default", prctl(PR_GET_TIMERSLACK), 50000);
  /* no-new-privs is one-way and inherited */
  CHECK_RET("prctl/nnp-initial", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
  CHECK_RET("prctl/nnp-bad-arg", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0) == -1 ? -errno : 0, -EINVAL);
  c = fork();
  if (c == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    pid_t g = fork();
    if (g == 0)
      _exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
    _exit(wait_child_timeout(g, 5000) == 0 ? 0 : 1);
  }
  CHECK("prctl/nnp-set-and-inherited", wait_child_timeout(c, 5000) == 0);
  /* dumpable: cleared by a change of effective uid */
  CHECK_RET("prctl/dumpable", prctl(PR_GET_DUMPABLE), 1);
  c = fork();
  if (c == 0) {
    raw3(SYS_setresuid, -1, 1000, -1);
    _exit(prctl(PR_GET_DUMPABLE) == 0 ? 0 : 1);
  }
  CHECK("prctl/setuid-clears-dumpable", wait_child_timeout(c, 5000) == 0);
  CHECK_RET("prctl/set-dumpable-bad", prctl(PR_SET_DUMPABLE, 2) == -1 ? -errno : 0, -EINVAL);
}

/* ---- /proc/<pid>/task ---- */

static volatile int thread_go;
static void *thread_main(void *arg)
{
  (void)arg;
  prctl(PR_SET_NAME, "worker-x");
  while (!thread_go)
    msleep(5);
  return NULL;
}

static void task_dir(void)
{
  pthread_t th;
  pthread_create(&th, NULL, thread_main, NULL);
  msleep(100);
  DIR *d = opendir("/proc/self/task");
  int n = 0, self_seen = 0;
  char other[256] = "";
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    n++;
    if (atoi(e->d_name) == (int)raw0(SYS_gettid))
      self_seen = 1;
    else
      snprintf(other, sizeof(other), "%s", e->d_name);
  }
  if (d)
    closedir(d);
  /* (qemu-user runs a thread of its own in every process) */
  if (!skip_on_qemu("task/two-threads-listed", "qemu's RCU thread is listed too"))
    CHECKF("task/two-threads-listed", n == 2 && self_seen, "%d entries", n);
  char path[300], comm[32] = "";
  snprintf(path, sizeof(path), "/proc/self/task/%s/comm", other);
  int fd = open(path, O_RDONLY);
  ssize_t r = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
  if (fd >= 0)
    close(fd);
  comm[r > 0 ? r : 0] = 0;
  CHECKF("task/thread-comm", strcmp(comm, "worker-x\n") == 0, "comm \"%s\"", comm);
  fd = open(path, O_WRONLY);
  CHECK("task/write-thread-comm", fd >= 0 && write(fd, "renamed", 7) == 7);
  if (fd >= 0)
    close(fd);
  fd = open(path, O_RDONLY);
  r = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
  if (fd >= 0)
    close(fd);
  comm[r > 0 ? r : 0] = 0;
  CHECKF("task/thread-comm-renamed", strcmp(comm, "renamed\n") == 0, "comm \"%s\"", comm);
  snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)raw0(SYS_gettid));
  struct stat st;
  CHECK("task/own-stat", stat(path, &st) == 0);
  CHECK_RET("task/missing-tid", stat("/proc/self/task/999999", &st) ? -errno : 0, -ENOENT);
  thread_go = 1;
  pthread_join(th, NULL);
}

/* ---- O_TMPFILE ---- */

static void tmpfiles(void)
{
  int fd = open(tmpdir, O_TMPFILE | O_RDWR, 0600);
  CHECKF("tmpfile/open", fd >= 0, "%s", strerror(errno));
  if (fd < 0)
    return;
  struct stat st;
  CHECK("tmpfile/nlink-0", fstat(fd, &st) == 0 && st.st_nlink == 0 && S_ISREG(st.st_mode) &&
                               (st.st_mode & 0777) == 0600 && st.st_uid == getuid());
  CHECK("tmpfile/write-read", write(fd, "hello", 5) == 5 && pread(fd, (char[8]){0}, 5, 0) == 5);
  /* give it a name through /proc/self/fd */
  char proc[64], name[300];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  snprintf(name, sizeof(name), "%s/tmpfile-linked", tmpdir);
  unlink(name);
  CHECK_RET("tmpfile/linkat", linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) ? -errno : 0, 0);
  char buf[8] = "";
  int fd2 = open(name, O_RDONLY);
  CHECK("tmpfile/linked-has-data", fd2 >= 0 && read(fd2, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
  CHECK("tmpfile/nlink-1", fstat(fd, &st) == 0 && st.st_nlink == 1);
  close(fd2);
  close(fd);
  unlink(name);
  /* O_EXCL: never linkable */
  fd = open(tmpdir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  CHECK_RET("tmpfile/excl-not-linkable", linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) ? -errno : 0,
            -ENOENT);
  close(fd);
  CHECK_RET("tmpfile/rdonly-einval", open(tmpdir, O_TMPFILE | O_RDONLY, 0600) < 0 ? -errno : 0, -EINVAL);
  CHECK_RET("tmpfile/creat-einval", open(tmpdir, O_TMPFILE | O_RDWR | O_CREAT, 0600) < 0 ? -errno : 0, -EINVAL);
  snprintf(name, sizeof(name), "%s/tmpfile-plain", tmpdir);
  close(open(name, O_WRONLY | O_CREAT, 0600));
  CHECK_RET("tmpfile/not-a-directory", open(name, O_TMPFILE | O_RDWR, 0600) < 0 ? -errno : 0, -ENOTDIR);
  unlink(name);
  /* an unlinked ordinary file cannot be linked back */
  fd = open(name, O_RDWR | O_CREAT, 0600);
  unlink(name);
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  CHECK_RET("tmpfile/unlinked-file-enoent", linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) ? -errno : 0,
            -ENOENT);
  close(fd);
}

/* ---- SEEK_DATA / SEEK_HOLE ---- */

static void seek_holes(void)
{
  char name[300];
  snprintf(name, sizeof(name), "%s/sparse", tmpdir);
  int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
  char page[4096];
  memset(page, 'x', sizeof(page));
  pwrite(fd, page, sizeof(page), 1 << 20);           /* data at [1 MiB, 1 MiB + 4 KiB) */
  pwrite(fd, page, sizeof(page), (1 << 20) + 65536); /* and 64 KiB later */
  ftruncate(fd, 4 << 20);
  CHECK_RET("seek/data-from-0", lseek(fd, 0, SEEK_DATA), 1 << 20);
  CHECK_RET("seek/hole-from-0", lseek(fd, 0, SEEK_HOLE), 0);
  CHECK_RET("seek/hole-after-data", lseek(fd, 1 << 20, SEEK_HOLE), (1 << 20) + 4096);
  CHECK_RET("seek/data-in-data", lseek(fd, (1 << 20) + 10, SEEK_DATA), (1 << 20) + 10);
  CHECK_RET("seek/next-data", lseek(fd, (1 << 20) + 4096, SEEK_DATA), (1 << 20) + 65536);
  CHECK_RET("seek/hole-in-hole-is-offset", lseek(fd, (1 << 20) + 70000, SEEK_HOLE), (1 << 20) + 70000);
  CHECK_RET("seek/data-to-hole", lseek(fd, (1 << 20) + 65536, SEEK_HOLE), (1 << 20) + 65536 + 4096);
  CHECK_RET("seek/no-data-after", lseek(fd, (1 << 20) + 70000, SEEK_DATA) < 0 ? -errno : 0, -ENXIO);
  CHECK_RET("seek/data-at-eof", lseek(fd, 4 << 20, SEEK_DATA) < 0 ? -errno : 0, -ENXIO);
  CHECK_RET("seek/hole-at-eof", lseek(fd, 4 << 20, SEEK_HOLE) < 0 ? -errno : 0, -ENXIO);
  /* reading a hole does not fill it */
  char buf[16];
  CHECK("seek/hole-reads-zero", pread(fd, buf, sizeof(buf), 100) == (ssize_t)sizeof(buf) && buf[0] == 0 &&
                                    buf[15] == 0);
  CHECK_RET("seek/read-hole-stays-hole", lseek(fd, 0, SEEK_DATA), 1 << 20);
  close(fd);
  unlink(name);
}

/* ---- futex_waitv ---- */

struct waitv {
  uint64_t val, uaddr;
  uint32_t flags, reserved;
};
#define FUTEX_32 2
#define FUTEX_PRIV 128

static uint32_t fw[2];

static void *waker(void *arg)
{
  (void)arg;
  msleep(150);
  __atomic_store_n(&fw[1], 1, __ATOMIC_SEQ_CST);
  raw6(SYS_futex, (long)&fw[1], 1 | 128 /* FUTEX_WAKE_PRIVATE */, 1, 0, 0, 0);
  return NULL;
}

static void futexv(void)
{
  if (skip_on_qemu("futex-waitv/all", "QEMU 7.2 has no futex_waitv"))
    return;
  struct waitv w[2] = {{0, (uint64_t)&fw[0], FUTEX_32 | FUTEX_PRIV, 0}, {0, (uint64_t)&fw[1], FUTEX_32 | FUTEX_PRIV, 0}};
  struct timespec ts;
  CHECK_RET("futex-waitv/zero-count", raw5(SYS_futex_waitv, w, 0, 0, 0, 0), -EINVAL);
  CHECK_RET("futex-waitv/flags", raw5(SYS_futex_waitv, w, 2, 1, 0, 0), -EINVAL);
  CHECK_RET("futex-waitv/too-many", raw5(SYS_futex_waitv, w, 129, 0, 0, 0), -EINVAL);
  struct waitv bad = w[0];
  bad.flags = FUTEX_PRIV; /* no size */
  CHECK_RET("futex-waitv/no-size", raw5(SYS_futex_waitv, &bad, 1, 0, 0, 0), -EINVAL);
  bad = w[0];
  bad.reserved = 1;
  CHECK_RET("futex-waitv/reserved", raw5(SYS_futex_waitv, &bad, 1, 0, 0, 0), -EINVAL);
  CHECK_RET("futex-waitv/efault", raw5(SYS_futex_waitv, BAD_PTR, 1, 0, 0, 0), -EFAULT);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  CHECK_RET("futex-waitv/bad-clock", raw5(SYS_futex_waitv, w, 2, 0, &ts, CLOCK_PROCESS_CPUTIME_ID), -EINVAL);
  struct waitv mism = w[1];
  mism.val = 7;
  CHECK_RET("futex-waitv/value-differs", raw5(SYS_futex_waitv, &mism, 1, 0, 0, 0), -EAGAIN);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_nsec += 50 * 1000 * 1000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000;
  }
  CHECK_RET("futex-waitv/timeout", raw5(SYS_futex_waitv, w, 2, 0, &ts, CLOCK_MONOTONIC), -ETIMEDOUT);
  pthread_t th;
  pthread_create(&th, NULL, waker, NULL);
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += 5;
  CHECK_RET("futex-waitv/woken-index", raw5(SYS_futex_waitv, w, 2, 0, &ts, CLOCK_REALTIME), 1);
  pthread_join(th, NULL);
}

int main(void)
{
  abi_family = "extras";
  setvbuf(stdout, NULL, _IONBF, 0);
  snprintf(tmpdir, sizeof(tmpdir), "%s", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  run_section("prctl", prctl_checks, 30000);
  run_section("task", task_dir, 20000);
  run_section("tmpfile", tmpfiles, 20000);
  run_section("seek", seek_holes, 20000);
  run_section("futex-waitv", futexv, 20000);
  return abi_done();
}
