/*
 * extras.c — smaller process and file features (testsuite/abi): prctl
 * (PR_SET_PDEATHSIG delivered when the parent dies, PR_SET_TIMERSLACK,
 * PR_SET_NO_NEW_PRIVS, PR_GET_DUMPABLE after a change of identity),
 * /proc/<pid>/task (one directory per thread, a thread's own comm),
 * O_TMPFILE (unnamed files, linking one into a directory, O_EXCL, errors),
 * SEEK_DATA/SEEK_HOLE on a sparse tmpfs file, futex_waitv, and smaller
 * file and memory rules: ETXTBSY, O_CREAT on a directory, execve with an
 * empty argv, fstatat(AT_EMPTY_PATH) on a pipe, chattr +i/+a on tmpfs and
 * statx attributes, mlock and VmLck, F_SETPIPE_SZ, statfs flags,
 * permission checks on priorities and syslog, close_range's UNSHARE, the
 * thread clock's sleep, /proc/<pid>/fdinfo, and the /proc/sys limits of
 * inotify and pipes (written on Kite and the reference Linux only, never under qemu-user),
 * memfd seals (F_ADD_SEALS/F_GET_SEALS and what each refuses); what /proc
 * calls a memfd ("/memfd:NAME (deleted)") and a removed file; atime on
 * reads and listings under relatime, strictatime, nodiratime, noatime and
 * O_NOATIME (a tmpfs of its own); getrusage's ru_maxrss (the peak kept
 * after munmap, at wait for RUSAGE_CHILDREN, and across execve; none for
 * a child reaped by SIGCHLD's SIG_IGN); RLIMIT_SIGPENDING (queued signals
 * per user: EAGAIN, or a signal without its siginfo).
 * User space; static musl.
 */
#include "check.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/fs.h>

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

/* statx, declared here: static musl's headers do not have it */
struct k_statx_ts {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t pad;
};
struct k_statx {
  uint32_t stx_mask, stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink, stx_uid, stx_gid;
  uint16_t stx_mode, pad1;
  uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
  struct k_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
  uint64_t spare[14];
};
#define K_STATX_BASIC_STATS 0x7ffu
#define K_STATX_ATTR_IMMUTABLE 0x10
#define K_STATX_ATTR_APPEND 0x20
#define K_STATX_ATTR_MOUNT_ROOT 0x2000
static int k_statx(int dfd, const char *path, int flags, unsigned mask, struct k_statx *sx)
{
  return (int)syscall(SYS_statx, dfd, path, flags, mask, sx);
}

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
  /* a thread's stat is its own: its tid, its comm, its state (the worker
   * sleeps in msleep; try a few times in case it is caught awake) */
  char line[256], want[64];
  snprintf(path, sizeof(path), "/proc/self/task/%s/stat", other);
  snprintf(want, sizeof(want), "%s (renamed) S ", other);
  int asleep = 0;
  for (int i = 0; i < 50 && !asleep; i++, msleep(10)) {
    fd = open(path, O_RDONLY);
    r = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;
    if (fd >= 0)
      close(fd);
    line[r > 0 ? r : 0] = 0;
    asleep = strncmp(line, want, strlen(want)) == 0;
  }
  CHECKF("task/thread-stat-sleeping", asleep, "\"%.40s\"", line);
  snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)raw0(SYS_gettid));
  fd = open(path, O_RDONLY);
  r = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;
  if (fd >= 0)
    close(fd);
  line[r > 0 ? r : 0] = 0;
  char *st_field = strchr(line, ')');
  CHECKF("task/own-stat-running", atoi(line) == (int)raw0(SYS_gettid) && st_field && st_field[2] == 'R',
         "\"%.40s\"", line);
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

/* ---- files: ETXTBSY, O_CREAT on a directory, empty argv, fstat of a pipe ---- */

static void file_rules(void)
{
  char helper[300], copy[300];
  snprintf(helper, sizeof(helper), "%s/helper", getenv("ABI_DIR") ? getenv("ABI_DIR") : "/abi");
  snprintf(copy, sizeof(copy), "%s/helper-copy", tmpdir);
  int in = open(helper, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  char buf[8192];
  ssize_t n;
  while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
    (void)!write(out, buf, n);
  close(in);
  /* executing a file open for writing: ETXTBSY */
  char *argv[] = {copy, "exit", "0", NULL}, *envp[] = {NULL};
  CHECK_RET("files/exec-while-open-for-write", raw3(SYS_execve, copy, argv, envp), -ETXTBSY);
  close(out);
  if (!skip_on_qemu("files/write-running-program", "the running program is qemu, not the guest's file")) {
    pid_t c = fork();
    if (c == 0) {
      char *a[] = {copy, "sleep", "500", NULL};
      execve(copy, a, envp);
      _exit(127);
    }
    msleep(200);
    int w = open(copy, O_WRONLY);
    CHECKF("files/write-running-program", w < 0 && errno == ETXTBSY, "%s", w < 0 ? strerror(errno) : "opened");
    if (w >= 0)
      close(w);
    waitpid(c, NULL, 0);
    w = open(copy, O_WRONLY);
    CHECK("files/writable-after-exit", w >= 0);
    close(w);
  }
  CHECK_RET("files/o-creat-on-directory", open(tmpdir, O_RDONLY | O_CREAT, 0600) < 0 ? -errno : 0, -EISDIR);
  /* an empty argv: the program still gets argc 1 (argv[0] "") */
  if (!skip_on_qemu("files/empty-argv", "qemu-user hands an empty argv to its own loader")) {
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
      dup2(p[1], 1);
      char *a[] = {NULL};
      execve(helper, a, envp);
      _exit(127);
    }
    close(p[1]);
    int st;
    waitpid(c, &st, 0);
    close(p[0]);
    /* helper without a mode says "unknown mode" and exits 127: it ran with argc 1 */
    CHECKF("files/empty-argv", WIFEXITED(st) && WEXITSTATUS(st) == 127, "status %x", st);
  }
  /* fstatat(fd, "", AT_EMPTY_PATH) names the descriptor, even a pipe */
  int p[2];
  pipe(p);
  struct stat st;
  CHECK("files/fstatat-empty-path-pipe", fstatat(p[0], "", &st, AT_EMPTY_PATH) == 0 && S_ISFIFO(st.st_mode));
  CHECK_RET("files/pipe-size", fcntl(p[0], F_GETPIPE_SZ), 65536);
  CHECK_RET("files/pipe-shrink", fcntl(p[0], F_SETPIPE_SZ, 0), 4096);
  CHECK_RET("files/pipe-size-shared", fcntl(p[1], F_GETPIPE_SZ), 4096);
  char data[5000];
  memset(data, 'x', sizeof(data));
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  CHECK_RET("files/pipe-holds-one-page", write(p[1], data, sizeof(data)), 4096);
  CHECK_RET("files/pipe-grow-rounds-up", fcntl(p[0], F_SETPIPE_SZ, 5000), 8192);
  CHECK_RET("files/pipe-holds-two-pages", write(p[1], data, 4096), 4096);
  CHECK_RET("files/pipe-shrink-busy", fcntl(p[0], F_SETPIPE_SZ, 0) < 0 ? -errno : 0, -EBUSY);
  int fd = open(copy, O_RDONLY);
  CHECK_RET("files/pipe-size-not-pipe", fcntl(fd, F_GETPIPE_SZ) < 0 ? -errno : 0, -EBADF);
  close(fd);
  close(p[0]);
  close(p[1]);
  unlink(copy);
}

/* ---- chattr on tmpfs, statx attributes, statfs flags ---- */

static void chattr(void)
{
  char f[300], d[300], g[300];
  snprintf(f, sizeof(f), "%s/attr-file", tmpdir);
  snprintf(d, sizeof(d), "%s/attr-dir", tmpdir);
  snprintf(g, sizeof(g), "%s/attr-dir/x", tmpdir);
  struct k_statx sx;
  if (skip_on_qemu("chattr/all", "the host's container has no CAP_LINUX_IMMUTABLE, and its tmp is not tmpfs"))
    goto mount_root;
  int fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
  int flags = -1;
  CHECK("chattr/getflags", ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && flags == 0);
  flags = FS_IMMUTABLE_FL;
  CHECK_RET("chattr/set-immutable", ioctl(fd, FS_IOC_SETFLAGS, &flags) ? -errno : 0, 0);
  CHECK("chattr/statx-immutable", k_statx(AT_FDCWD, f, 0, K_STATX_BASIC_STATS, &sx) == 0 &&
                                      (sx.stx_attributes & K_STATX_ATTR_IMMUTABLE) &&
                                      (sx.stx_attributes_mask & K_STATX_ATTR_IMMUTABLE));
  CHECK_RET("chattr/immutable-no-write-open", open(f, O_WRONLY) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("chattr/immutable-no-unlink", unlink(f) ? -errno : 0, -EPERM);
  CHECK_RET("chattr/immutable-no-chmod", chmod(f, 0600) ? -errno : 0, -EPERM);
  CHECK_RET("chattr/immutable-no-rename", rename(f, d) ? -errno : 0, -EPERM);
  flags = FS_APPEND_FL;
  CHECK_RET("chattr/set-append", ioctl(fd, FS_IOC_SETFLAGS, &flags) ? -errno : 0, 0);
  CHECK_RET("chattr/append-needs-o-append", open(f, O_WRONLY) < 0 ? -errno : 0, -EPERM);
  int a = open(f, O_WRONLY | O_APPEND);
  CHECK("chattr/append-o-append-ok", a >= 0 && write(a, "x", 1) == 1);
  close(a);
  CHECK_RET("chattr/append-no-truncate", truncate(f, 0) ? -errno : 0, -EPERM);
  CHECK_RET("chattr/append-no-unlink", unlink(f) ? -errno : 0, -EPERM);
  flags = FS_COMPR_FL;
  CHECK_RET("chattr/unsupported-flag", ioctl(fd, FS_IOC_SETFLAGS, &flags) ? -errno : 0, -EOPNOTSUPP);
  flags = 0;
  CHECK_RET("chattr/clear", ioctl(fd, FS_IOC_SETFLAGS, &flags) ? -errno : 0, 0);
  close(fd);
  CHECK_RET("chattr/unlink-after-clear", unlink(f) ? -errno : 0, 0);
  /* an immutable directory takes no new names */
  mkdir(d, 0755);
  int dfd = open(d, O_RDONLY | O_DIRECTORY);
  flags = FS_IMMUTABLE_FL;
  ioctl(dfd, FS_IOC_SETFLAGS, &flags);
  CHECK_RET("chattr/immutable-dir-no-create", open(g, O_WRONLY | O_CREAT, 0600) < 0 ? -errno : 0, -EPERM);
  flags = 0;
  ioctl(dfd, FS_IOC_SETFLAGS, &flags);
  close(dfd);
  rmdir(d);
mount_root:;
  /* statx: the root of a mount */
  CHECK("statx/mount-root", k_statx(AT_FDCWD, "/", 0, K_STATX_BASIC_STATS, &sx) == 0 &&
                                (sx.stx_attributes_mask & K_STATX_ATTR_MOUNT_ROOT) &&
                                (sx.stx_attributes & K_STATX_ATTR_MOUNT_ROOT));
  CHECK("statx/not-mount-root", k_statx(AT_FDCWD, "/proc/self", 0, K_STATX_BASIC_STATS, &sx) == 0 &&
                                    !(sx.stx_attributes & K_STATX_ATTR_MOUNT_ROOT));
  struct statfs sf;
  CHECK("statfs/valid-flag", statfs(tmpdir, &sf) == 0 && (sf.f_flags & 0x20 /* ST_VALID */));
}

/* ---- atime and the mount options (noatime, nodiratime, relatime, strictatime) ---- */

static int64_t atime_of(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 ? (int64_t)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec : -1;
}

/* Read path (a file) or list it (a directory) after a pause long enough to
 * see the clock move; did its atime change? */
static int accessed(const char *path, int oflags)
{
  int64_t before = atime_of(path);
  usleep(20000);
  char buf[512];
  int fd = open(path, O_RDONLY | oflags);
  struct stat st;
  fstat(fd, &st);
  if (S_ISDIR(st.st_mode))
    syscall(SYS_getdents64, fd, buf, sizeof(buf));
  else
    read(fd, buf, sizeof(buf));
  close(fd);
  return atime_of(path) != before;
}

static void atimes(void)
{
  char mnt[300], f[320], d[320];
  snprintf(mnt, sizeof(mnt), "%s/atime-mnt", tmpdir);
  snprintf(f, sizeof(f), "%s/f", mnt);
  snprintf(d, sizeof(d), "%s/d", mnt);
  mkdir(mnt, 0755);
  if (mount("tmpfs", mnt, "tmpfs", 0, NULL) != 0) {
    if (!skip_on_qemu("atime/all", "no tmpfs mount in the qemu-user sandbox"))
      CHECKF("atime/mount", 0, "%s", strerror(errno));
    rmdir(mnt);
    return;
  }
  int fd = open(f, O_RDWR | O_CREAT, 0644);
  write(fd, "some data", 9);
  close(fd);
  mkdir(d, 0755);
  /* relatime (the default): the first access after a change updates atime, the next does not */
  CHECK("atime/relatime-first-read", accessed(f, 0));
  CHECK("atime/relatime-second-read-kept", !accessed(f, 0));
  CHECK("atime/relatime-first-listing", accessed(d, 0));
  CHECK("atime/relatime-second-listing-kept", !accessed(d, 0));
  struct statfs sf;
  CHECK("atime/relatime-statfs", statfs(mnt, &sf) == 0 && (sf.f_flags & 0x1000 /* ST_RELATIME */));
  CHECK_RET("atime/remount-strictatime", mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_STRICTATIME, NULL) ? -errno : 0,
            0);
  CHECK("atime/strictatime-every-read", accessed(f, 0) && accessed(f, 0));
  CHECK("atime/strictatime-every-listing", accessed(d, 0) && accessed(d, 0));
  CHECK("atime/o-noatime-kept", !accessed(f, O_NOATIME));
  CHECK_RET("atime/remount-nodiratime",
            mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_STRICTATIME | MS_NODIRATIME, NULL) ? -errno : 0, 0);
  CHECK("atime/nodiratime-file-read", accessed(f, 0));
  CHECK("atime/nodiratime-listing-kept", !accessed(d, 0));
  CHECK_RET("atime/remount-noatime", mount("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_NOATIME, NULL) ? -errno : 0, 0);
  CHECK("atime/noatime-read-kept", !accessed(f, 0));
  CHECK("atime/noatime-listing-kept", !accessed(d, 0));
  CHECK("atime/noatime-statfs", statfs(mnt, &sf) == 0 && (sf.f_flags & MS_NOATIME));
  mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, NULL);
  CHECK("atime/remount-keeps-noatime", statfs(mnt, &sf) == 0 && (sf.f_flags & MS_NOATIME));
  umount(mnt);
  rmdir(mnt);
}

/* ---- mlock ---- */

static long vmlck_kb(void)
{
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  char *p = strstr(buf, "VmLck:");
  return p ? strtol(p + 6, NULL, 10) : -1;
}

static void mlocks(void)
{
  size_t len = 64 * 1024;
  char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long before = vmlck_kb();
  CHECKF("mlock/vmlck-present", before >= 0, "%ld", before);
  CHECK_RET("mlock/lock", mlock(m, len) ? -errno : 0, 0);
  CHECKF("mlock/vmlck-counts", vmlck_kb() == before + 64, "%ld kB", vmlck_kb());
  unsigned char vec[16];
  CHECK("mlock/resident", mincore(m, len, vec) == 0 && (vec[0] & 1) && (vec[15] & 1));
  CHECK_RET("mlock/msync-invalidate-busy", msync(m, 4096, MS_INVALIDATE) ? -errno : 0, -EBUSY);
  {
    /* mincore of a file mapping: pages in the page cache count though this
     * process never touched them (LTP mincore04) */
    char fpath[300];
    snprintf(fpath, sizeof(fpath), "%s/mincore-file", tmpdir);
    int fd = open(fpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char page[4096];
    memset(page, 'm', sizeof(page));
    for (int i = 0; i < 4; i++)
      (void)!write(fd, page, sizeof(page));
    char *fm = mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, 0);
    unsigned char fv[4] = {0};
    CHECK("mincore/file-page-cache-resident",
          fm != MAP_FAILED && mincore(fm, 4 * 4096, fv) == 0 && (fv[0] & 1) && (fv[3] & 1));
    munmap(fm, 4 * 4096);
    close(fd);
    unlink(fpath);
  }
  CHECK_RET("mlock/madvise-dontneed-einval", madvise(m, 4096, MADV_DONTNEED) ? -errno : 0, -EINVAL);
  CHECK_RET("mlock/unlock", munlock(m, len) ? -errno : 0, 0);
  /* no KSM: MADV_MERGEABLE is unknown advice (Linux without CONFIG_KSM; LTP madvise02) */
  if (access("/sys/kernel/mm/ksm", F_OK) != 0)
    CHECK_RET("madvise/mergeable-einval", madvise(m, 4096, 12 /* MADV_MERGEABLE */) ? -errno : 0, -EINVAL);
  CHECKF("mlock/vmlck-back", vmlck_kb() == before, "%ld kB", vmlck_kb());
  CHECK_RET("mlock/unmapped-enomem", mlock((void *)0x1000, 4096) ? -errno : 0, -ENOMEM);
  CHECK_RET("mlock/mlockall-bad-flags", mlockall(0) ? -errno : 0, -EINVAL);
  CHECK_RET("mlock/mincore-unaligned", mincore(m + 1, 4096, vec) ? -errno : 0, -EINVAL);
  pid_t c = fork();
  if (c == 0) {
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_MEMLOCK, &rl);
    raw3(SYS_setresuid, 1000, 1000, 1000);
    _exit(mlock(m, 4096) == -1 && errno == EPERM ? 0 : 1);
  }
  CHECK("mlock/no-limit-eperm", wait_child_timeout(c, 5000) == 0);
  c = fork();
  if (c == 0) {
    mlock(m, len);
    _exit(0);
  }
  waitpid(c, NULL, 0);
  CHECK("mlock/not-inherited-by-fork", vmlck_kb() == before);
  munmap(m, len);
}

/* ---- permission checks on priorities, syslog, socketpair errors ---- */

static void perms(void *arg)
{
  (void)arg;
  pid_t init_like = getppid(); /* a process of root's */
  raw3(SYS_setresuid, 1000, 1000, 1000);
  CHECK_RET("perm/setpriority-lower-eacces", setpriority(PRIO_PROCESS, 0, -5) ? -errno : 0, -EACCES);
  CHECK_RET("perm/setpriority-raise-ok", setpriority(PRIO_PROCESS, 0, 5) ? -errno : 0, 0);
  CHECK_RET("perm/setpriority-other-eperm", setpriority(PRIO_PROCESS, init_like, 5) ? -errno : 0, -EPERM);
  struct { int prio; } sp = {0};
  CHECK_RET("perm/sched-setparam-other-eperm", raw2(SYS_sched_setparam, init_like, &sp), -EPERM);
  uint64_t mask = 1;
  CHECK_RET("perm/setaffinity-other-eperm", raw3(SYS_sched_setaffinity, init_like, 8, &mask), -EPERM);
  CHECK_RET("perm/syslog-clear-eperm", raw3(SYS_syslog, 5 /* CLEAR */, 0, 0), -EPERM);
  if (!skip_on_qemu("perm/syslog-size-allowed", "the host's container refuses syslog to everyone"))
    CHECK("perm/syslog-size-allowed", raw3(SYS_syslog, 10 /* SIZE_BUFFER */, 0, 0) > 0);
}

static void misc_perms(void)
{
  child_checks("perm/child", perms, NULL, 10000);
  int sv[2];
  CHECK_RET("socketpair/inet-eopnotsupp", raw4(SYS_socketpair, AF_INET, SOCK_STREAM, 0, sv), -EOPNOTSUPP);
  CHECK_RET("socketpair/tcp-dgram-eprotonosupport", raw4(SYS_socketpair, AF_INET, SOCK_DGRAM, 6, sv),
            -EPROTONOSUPPORT);
}

/* ---- close_range(CLOSE_RANGE_UNSHARE), clock_nanosleep on the thread
 * clock, /proc/sys limits: inotify, pipe-max-size, the entropy count ---- */

static int unshare_fd = -1;
static volatile int unshare_closed_here, unshare_ok;

static void *unshare_thread(void *arg)
{
  (void)arg;
  /* the thread shares the table with main: unsharing first keeps main's copy */
  unshare_ok = raw3(SYS_close_range, unshare_fd, unshare_fd, 2 /* CLOSE_RANGE_UNSHARE */) == 0;
  unshare_closed_here = fcntl(unshare_fd, F_GETFD) < 0 && errno == EBADF;
  return NULL;
}

static int read_int_file(const char *path)
{
  char buf[32] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n > 0 ? atoi(buf) : -1;
}

static int write_int_file(const char *path, int v)
{
  char buf[32];
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -errno;
  int len = snprintf(buf, sizeof(buf), "%d\n", v);
  int r = write(fd, buf, len) == len ? 0 : -errno;
  close(fd);
  return r;
}

static void limits(void)
{
  unshare_fd = open("/", O_RDONLY);
  pthread_t th;
  pthread_create(&th, NULL, unshare_thread, NULL);
  pthread_join(th, NULL);
  CHECK("close-range/unshare-ok", unshare_ok);
  CHECK("close-range/unshare-closed-in-caller", unshare_closed_here);
  CHECK("close-range/unshare-kept-by-others", fcntl(unshare_fd, F_GETFD) >= 0);
  close(unshare_fd);
  struct timespec ts = {0, 1000};
  CHECK_RET("clock-nanosleep/thread-clock-eopnotsupp",
            raw4(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL), -EOPNOTSUPP);
  int ent = -1;
  int rfd = open("/dev/urandom", O_RDONLY);
  CHECK("random/entropy-avail-matches-ioctl",
        rfd >= 0 && ioctl(rfd, 0x80045200 /* RNDGETENTCNT */, &ent) == 0 &&
            read_int_file("/proc/sys/kernel/random/entropy_avail") == ent);
  close(rfd);
  /* readlink of "" names no link (ENOENT); a cwd a chroot left outside
   * the root reads "(unreachable)/..." (LTP readlink03, realpath01) */
  char lbuf[64];
  CHECK_RET("readlink/empty-path-enoent", raw4(SYS_readlinkat, AT_FDCWD, "", lbuf, sizeof(lbuf)), -ENOENT);
  if (!skip_on_qemu("getcwd/outside-chroot", "chroot would move qemu-user's own view of the host")) {
    char jail[300];
    snprintf(jail, sizeof(jail), "%s/jail", tmpdir);
    mkdir(jail, 0755);
    pid_t c = fork();
    if (c == 0) {
      char cwd[512] = {0};
      if (chdir(tmpdir) || chroot(jail))
        _exit(2);
      long n = raw2(SYS_getcwd, cwd, sizeof(cwd));
      _exit(n > 0 && strncmp(cwd, "(unreachable)/", 14) == 0 ? 0 : 1);
    }
    CHECK("getcwd/outside-chroot-unreachable", wait_child_timeout(c, 5000) == 0);
    rmdir(jail);
  }
  CHECK("inotify/max-queued-events-readable", read_int_file("/proc/sys/fs/inotify/max_queued_events") > 0);
  /* /proc/self/fdinfo: the offset, and an inotify descriptor's watches */
  int in = inotify_init1(0);
  inotify_add_watch(in, tmpdir, IN_MODIFY | IN_ONESHOT);
  char path[64], buf[1024] = {0};
  snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", in);
  int fd = open(path, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
  close(fd);
  char *w = n > 0 ? strstr(buf, "inotify wd:") : NULL;
  unsigned mask = 0;
  CHECKF("fdinfo/inotify-mask", w && sscanf(w, "inotify wd:%*x ino:%*x sdev:%*x mask:%x", &mask) == 1 &&
                                    mask == (IN_MODIFY | IN_ONESHOT), "%s", buf);
  CHECK("fdinfo/pos-line", n > 0 && strncmp(buf, "pos:\t0\n", 7) == 0);
  close(in);
  snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", in);
  CHECK_RET("fdinfo/closed-enoent", open(path, O_RDONLY) < 0 ? -errno : 0, -ENOENT);
  if (skip_on_qemu("sysctl/writes", "would change the host's /proc/sys"))
    return;
  const char *inst = "/proc/sys/fs/inotify/max_user_instances";
  int old = read_int_file(inst);
  CHECK_RET("inotify/max-user-instances-write", write_int_file(inst, 0), 0);
  in = inotify_init1(0);
  CHECK_RET("inotify/max-user-instances-emfile", in < 0 ? -errno : 0, -EMFILE);
  if (in >= 0)
    close(in);
  write_int_file(inst, old);
  in = inotify_init1(0);
  CHECK("inotify/max-user-instances-restored", in >= 0);
  close(in);
  const char *pms = "/proc/sys/fs/pipe-max-size";
  old = read_int_file(pms);
  CHECK_RET("pipe/max-size-write", write_int_file(pms, 4096), 0);
  pid_t c = fork();
  if (c == 0) {
    raw3(SYS_setresuid, 1000, 1000, 1000);
    int p[2];
    _exit(pipe(p) == 0 && fcntl(p[0], F_GETPIPE_SZ) == 4096 ? 0 : 1);
  }
  CHECK("pipe/unprivileged-new-pipe-within-max-size", wait_child_timeout(c, 5000) == 0);
  int p[2];
  CHECK("pipe/root-new-pipe-full-size", pipe(p) == 0 && fcntl(p[0], F_GETPIPE_SZ) == 65536);
  close(p[0]);
  close(p[1]);
  write_int_file(pms, old);
}

/*
 * memfd seals (fcntl F_ADD_SEALS/F_GET_SEALS): what each seal refuses, in
 * Linux's order. (A MAP_SHARED PROT_READ mapping of a write-sealed memfd
 * through a descriptor open for writing is EPERM on Linux before 6.7 and
 * allowed since; seal bits above 32 are EINVAL on 6.1 and ignored by later
 * kernels: neither is checked.)
 */
#define K_F_ADD_SEALS 1033
#define K_F_GET_SEALS 1034
#define K_SEAL_SEAL 1
#define K_SEAL_SHRINK 2
#define K_SEAL_GROW 4
#define K_SEAL_WRITE 8
#define K_SEAL_FUTURE_WRITE 16
static long sealfcntl(int fd, int cmd, long arg) { return raw3(SYS_fcntl, fd, cmd, arg); }
static long mmap_err(int fd, int prot, int flags)
{
  void *m = mmap(NULL, 8192, prot, flags, fd, 0);
  if (m == MAP_FAILED)
    return -errno;
  munmap(m, 8192);
  return 0;
}
static void memfd_seals(void)
{
  char buf[8192];
  memset(buf, 'a', sizeof(buf));
  int nos = (int)raw2(SYS_memfd_create, "noseal", 0);
  CHECK_RET("no-sealing/get", sealfcntl(nos, K_F_GET_SEALS, 0), K_SEAL_SEAL);
  CHECK_RET("no-sealing/add-eperm", sealfcntl(nos, K_F_ADD_SEALS, K_SEAL_WRITE), -EPERM);
  close(nos);
  int p[2];
  CHECK("pipe", pipe(p) == 0);
  CHECK_RET("pipe/get-einval", sealfcntl(p[0], K_F_GET_SEALS, 0), -EINVAL);
  CHECK_RET("pipe/add-read-end-eperm", sealfcntl(p[0], K_F_ADD_SEALS, K_SEAL_GROW), -EPERM);
  CHECK_RET("pipe/add-write-end-einval", sealfcntl(p[1], K_F_ADD_SEALS, K_SEAL_GROW), -EINVAL);
  close(p[0]);
  close(p[1]);

  int fd = (int)raw2(SYS_memfd_create, "sealed", 2 /* MFD_ALLOW_SEALING */);
  CHECK_RET("get-none", sealfcntl(fd, K_F_GET_SEALS, 0), 0);
  CHECK_RET("write", write(fd, buf, sizeof(buf)), (long)sizeof(buf));
  CHECK_RET("add-unknown-einval", sealfcntl(fd, K_F_ADD_SEALS, 0x100), -EINVAL);
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  int ro = open(path, O_RDONLY);
  CHECK("reopen-read-only", ro >= 0);
  CHECK_RET("add-read-only-eperm", sealfcntl(ro, K_F_ADD_SEALS, K_SEAL_GROW), -EPERM);
  CHECK_RET("get-read-only", sealfcntl(ro, K_F_GET_SEALS, 0), 0);
  /* a shared writable mapping holds off F_SEAL_WRITE */
  char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK("map-shared", m != MAP_FAILED);
  CHECK_RET("add-write-busy", sealfcntl(fd, K_F_ADD_SEALS, K_SEAL_WRITE), -EBUSY);
  CHECK_RET("get-after-busy", sealfcntl(fd, K_F_GET_SEALS, 0), 0);
  munmap(m, 8192);
  CHECK_RET("add-shrink-grow", sealfcntl(fd, K_F_ADD_SEALS, K_SEAL_SHRINK | K_SEAL_GROW), 0);
  CHECK_RET("get-shrink-grow", sealfcntl(fd, K_F_GET_SEALS, 0), K_SEAL_SHRINK | K_SEAL_GROW);
  CHECK_RET("shrink-eperm", ftruncate(fd, 4096) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("grow-eperm", ftruncate(fd, 16384) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("same-size-ok", ftruncate(fd, 8192) < 0 ? -errno : 0, 0);
  CHECK_RET("overwrite-ok", pwrite(fd, "xy", 2, 100), 2);
  CHECK_RET("append-eperm", pwrite(fd, "xy", 2, 8192) < 0 ? -errno : 0, -EPERM);
  /* a write that runs past the end: the pages inside are written, then it stops */
  CHECK_RET("write-across-end-short", pwrite(fd, buf, 8192, 4096), 4096);
  CHECK_RET("fallocate-grow-eperm", fallocate(fd, 0, 0, 16384) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("fallocate-keep-size-grow-eperm",
            fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 16384) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("fallocate-inside-ok", fallocate(fd, 0, 0, 4096) < 0 ? -errno : 0, 0);
  int trunc = open(path, O_RDWR | O_TRUNC);
  CHECK_RET("open-o-trunc-eperm", trunc < 0 ? -errno : 0, -EPERM);
  if (trunc >= 0)
    close(trunc);
  CHECK_RET("add-write", sealfcntl(fd, K_F_ADD_SEALS, K_SEAL_WRITE), 0);
  CHECK_RET("write-eperm", write(fd, "x", 1) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("write-zero-ok", write(fd, "x", 0), 0);
  CHECK_RET("punch-hole-eperm",
            fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("map-shared-write-eperm", mmap_err(fd, PROT_READ | PROT_WRITE, MAP_SHARED), -EPERM);
  CHECK_RET("map-shared-read-only-fd-ok", mmap_err(ro, PROT_READ, MAP_SHARED), 0);
  CHECK_RET("map-private-write-ok", mmap_err(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE), 0);
  m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, ro, 0);
  CHECK_RET("mprotect-write-eacces", m == MAP_FAILED ? -ENOMEM : mprotect(m, 8192, PROT_READ | PROT_WRITE) < 0 ? -errno : 0,
            -EACCES);
  CHECK("data-kept", m != MAP_FAILED && m[0] == 'a' && m[100] == 'x' && m[4096] == 'a');
  if (m != MAP_FAILED)
    munmap(m, 8192);
  CHECK_RET("add-seal", sealfcntl(fd, K_F_ADD_SEALS, K_SEAL_SEAL), 0);
  CHECK_RET("add-after-seal-eperm", sealfcntl(fd, K_F_ADD_SEALS, K_SEAL_GROW), -EPERM);
  CHECK_RET("get-all", sealfcntl(fd, K_F_GET_SEALS, 0),
            K_SEAL_SEAL | K_SEAL_SHRINK | K_SEAL_GROW | K_SEAL_WRITE);
  close(ro);
  close(fd);

  /* F_SEAL_FUTURE_WRITE: a mapping made before keeps writing; nothing new may */
  fd = (int)raw2(SYS_memfd_create, "future", 2);
  CHECK_RET("future/size", ftruncate(fd, 8192) < 0 ? -errno : 0, 0);
  m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK_RET("future/add", sealfcntl(fd, K_F_ADD_SEALS, K_SEAL_FUTURE_WRITE), 0);
  CHECK_RET("future/write-eperm", write(fd, "x", 1) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("future/map-shared-write-eperm", mmap_err(fd, PROT_READ | PROT_WRITE, MAP_SHARED), -EPERM);
  if (m != MAP_FAILED) {
    m[0] = 'z';
    char c = 0;
    CHECK("future/old-mapping-writes", pread(fd, &c, 1, 0) == 1 && c == 'z');
    munmap(m, 8192);
  }
  close(fd);
}

/* /proc/stat's "processes": forks since boot (it was the processes in existence on Kite) */
static long forks_since_boot(void)
{
  FILE *f = fopen("/proc/stat", "r");
  char line[256];
  long n = -1;
  while (f && fgets(line, sizeof(line), f))
    if (sscanf(line, "processes %ld", &n) == 1)
      break;
  if (f)
    fclose(f);
  return n;
}

static void proc_stat_forks(void)
{
  if (skip_on_qemu("proc-stat/processes-counts-forks", "/proc/stat is the host's"))
    return;
  long before = forks_since_boot();
  for (int i = 0; i < 20; i++) {
    pid_t c = fork();
    if (c == 0)
      _exit(0);
    waitpid(c, NULL, 0);
  }
  long d = forks_since_boot() - before;
  CHECKF("proc-stat/processes-counts-forks", before > 1 && d >= 20 && d < 60, "before %ld, %ld more after 20 forks",
         before, d);
}

/*
 * What /proc says of a memfd, as Linux: its fd link reads "/memfd:NAME
 * (deleted)" (also when reopened through that link), a mapping of it shows
 * the same name in maps, fstatfs says tmpfs; and a removed file's fd link
 * ends in " (deleted)".
 */
static int link_of(int fd, char *buf, size_t size)
{
  char l[64];
  snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(l, buf, size - 1);
  buf[n < 0 ? 0 : n] = 0;
  return (int)n;
}
static void memfd_names(void)
{
  char buf[512];
  int fd = (int)raw2(SYS_memfd_create, "kite-name", 0);
  link_of(fd, buf, sizeof(buf));
  CHECKF("memfd-fd-link", strcmp(buf, "/memfd:kite-name (deleted)") == 0, "readlink: [%s]", buf);
  char l[64];
  snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
  int again = open(l, O_RDWR);
  CHECKF("memfd-reopen", again >= 0, "open %s: %s", l, strerror(errno));
  if (again >= 0) {
    link_of(again, buf, sizeof(buf));
    CHECKF("memfd-reopened-fd-link", strcmp(buf, "/memfd:kite-name (deleted)") == 0, "readlink: [%s]", buf);
    close(again);
  }
  struct statfs sf;
  CHECKF("memfd-fstatfs-tmpfs", fstatfs(fd, &sf) == 0 && sf.f_type == 0x01021994, "f_type %#lx", (long)sf.f_type);
  CHECK("memfd-ftruncate", ftruncate(fd, 4096) == 0);
  void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  CHECK("memfd-mmap", m != MAP_FAILED);
  FILE *maps = fopen("/proc/self/maps", "r");
  int seen = 0;
  char line[512];
  while (maps && fgets(line, sizeof(line), maps))
    if (strstr(line, " /memfd:kite-name (deleted)\n"))
      seen = 1;
  if (maps)
    fclose(maps);
  CHECK("memfd-maps-name", seen);
  if (m != MAP_FAILED)
    munmap(m, 4096);
  close(fd);
  fd = (int)raw2(SYS_memfd_create, "", 0);
  link_of(fd, buf, sizeof(buf));
  CHECKF("memfd-empty-name", strcmp(buf, "/memfd: (deleted)") == 0, "readlink: [%s]", buf);
  close(fd);

  char path[300];
  snprintf(path, sizeof(path), "%s/extras-removed", tmpdir);
  fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
  unlink(path);
  int n = link_of(fd, buf, sizeof(buf));
  CHECKF("removed-file-link", n > 10 && strcmp(buf + n - 10, " (deleted)") == 0 &&
         strstr(buf, "/extras-removed (deleted)"), "readlink: [%s]", buf);
  close(fd);
}

/* ---- ru_maxrss: the peak resident size, kept as Linux keeps it ---- */

#define RSS_MB 24                 /* what the children touch */
#define RSS_KB (RSS_MB * 1024L)
#define RSS_SLACK_KB (RSS_KB / 8) /* page tables, libc, rounding */

/* Touch mb megabytes of fresh anonymous memory, then give it back: the
 * resident size goes up by mb and down again, the peak stays. */
static void touch_and_drop(int mb)
{
  size_t len = (size_t)mb << 20;
  char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    _exit(3);
  memset(m, 1, len);
  munmap(m, len);
}

static long maxrss_of(int who)
{
  struct rusage ru;
  return getrusage(who, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* A child that touches RSS_MB and exits (status 0 if its own peak, after the
 * memory was unmapped again, still shows it). */
static pid_t fork_toucher(void)
{
  pid_t c = fork();
  if (c == 0) {
    long before = maxrss_of(RUSAGE_SELF);
    touch_and_drop(RSS_MB);
    _exit(maxrss_of(RUSAGE_SELF) >= before + RSS_KB - RSS_SLACK_KB ? 0 : 1);
  }
  return c;
}

/* Fork a child that reaps a toucher, touches RSS_MB itself, then runs
 * "helper maxrss" (which prints its getrusage peaks) into out. Returns
 * the child's wait status. */
static int exec_maxrss(char *out, size_t outsz)
{
  char helper[300];
  snprintf(helper, sizeof(helper), "%s/helper", getenv("ABI_DIR") ? getenv("ABI_DIR") : "/abi");
  int p[2];
  if (pipe(p) < 0)
    return -1;
  pid_t c = fork();
  if (c == 0) {
    dup2(p[1], 1);
    close(p[0]);
    pid_t g = fork_toucher(); /* a reaped child of RSS_MB, and RSS_MB of our own */
    waitpid(g, 0, 0);
    touch_and_drop(RSS_MB);
    char *argv[] = {"helper", "maxrss", NULL};
    char *envp[] = {NULL};
    execve(helper, argv, envp);
    _exit(126);
  }
  close(p[1]);
  size_t n = 0;
  ssize_t r;
  while (n < outsz - 1 && ((r = read(p[0], out + n, outsz - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
    n += r > 0 ? (size_t)r : 0;
  out[n] = 0;
  close(p[0]);
  int st = -1;
  waitpid(c, &st, 0);
  return st;
}

static void maxrss_checks(void)
{
  long self0 = maxrss_of(RUSAGE_SELF);
  CHECKF("maxrss/self-nonzero", self0 > 0, "ru_maxrss %ld", self0);
  int st;
  struct rusage ru;
  pid_t c = fork_toucher();
  pid_t w = wait4(c, &st, 0, &ru);
  CHECKF("maxrss/peak-kept-after-munmap", w == c && EXITED_OK(st), "%s", status_str(st));
  CHECKF("maxrss/wait4-rusage", ru.ru_maxrss >= RSS_KB, "wait4 ru_maxrss %ld kB, touched %ld", ru.ru_maxrss, RSS_KB);
  long ch = maxrss_of(RUSAGE_CHILDREN);
  CHECKF("maxrss/children-after-wait", ch >= RSS_KB, "children %ld kB, touched %ld", ch, RSS_KB);

  /* a new process starts with no children's peak; its own peak is at
   * least what it shares with its parent */
  int p[2];
  pipe(p);
  c = fork();
  if (c == 0) {
    long v[2] = {maxrss_of(RUSAGE_CHILDREN), maxrss_of(RUSAGE_SELF)};
    write(p[1], v, sizeof(v));
    _exit(0);
  }
  long v[2] = {-1, -1};
  read(p[0], v, sizeof(v));
  waitpid(c, &st, 0);
  CHECKF("maxrss/fork-children-zero", v[0] == 0, "child's RUSAGE_CHILDREN %ld", v[0]);
  CHECKF("maxrss/fork-self", v[1] > 0, "child's RUSAGE_SELF %ld", v[1]);

  /* a child reaped by SIGCHLD's SIG_IGN is not counted */
  {
    c = fork();
    if (c == 0) {
      signal(SIGCHLD, SIG_IGN);
      pid_t g = fork_toucher();
      int r;
      while ((r = waitpid(g, 0, 0)) < 0 && errno == EINTR)
        ;
      _exit(r < 0 && errno == ECHILD && maxrss_of(RUSAGE_CHILDREN) == 0 ? 0 : 1);
    }
    waitpid(c, &st, 0);
    CHECKF("maxrss/sig-ign-not-counted", EXITED_OK(st), "%s", status_str(st));
  }

  /* execve keeps both: the old program's peak, the children's */
  char out[256];
  st = exec_maxrss(out, sizeof(out));
  long self = -1, chl = -1;
  sscanf(out, "self=%ld children=%ld", &self, &chl);
  CHECKF("maxrss/kept-across-exec", EXITED_OK(st) && self >= RSS_KB && chl >= RSS_KB,
         "%s, after exec self %ld kB, children %ld kB (touched %ld each)", status_str(st), self, chl, RSS_KB);
}

/* ---- RLIMIT_SIGPENDING: signals queued with their siginfo, per user ---- */

/* The SigQ line of /proc/self/status: queued for our user, and our limit. */
static int sigq_line(long *queued, long *limit)
{
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
  if (fd >= 0)
    close(fd);
  if (n <= 0)
    return -1;
  buf[n] = 0;
  char *l = strstr(buf, "\nSigQ:");
  return l && sscanf(l, "\nSigQ: %ld/%ld", queued, limit) == 2 ? 0 : -1;
}

/* Take a pending sig now: its si_pid, or -1 if it was not pending. */
static long take_signal(int sig)
{
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  siginfo_t si;
  struct timespec zero = {0, 0};
  if (sigtimedwait(&one, &si, &zero) != sig)
    return -1;
  return si.si_pid;
}

static void sigpending_checks(void)
{
  int rt = SIGRTMIN + 2;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, rt);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  struct rlimit old, lim;
  getrlimit(RLIMIT_SIGPENDING, &old);
  lim = old;
  lim.rlim_cur = 0;
  setrlimit(RLIMIT_SIGPENDING, &lim);
  pid_t me = getpid();
  long tid = syscall(SYS_gettid);
  /* none may be queued: a real-time signal with siginfo is refused */
  CHECK_RET("sigpending/tgkill-rt-eagain", raw3(SYS_tgkill, me, tid, rt), -EAGAIN);
  union sigval v = {.sival_int = 7};
  CHECKF("sigpending/sigqueue-rt-eagain", sigqueue(me, rt, v) < 0 && errno == EAGAIN, "errno %d", errno);
  CHECK("sigpending/rt-not-pending", take_signal(rt) == -1);
  /* kill()'s real-time signal and a standard signal still arrive, without siginfo */
  CHECK_RET("sigpending/kill-rt-sent", raw2(SYS_kill, me, rt), 0);
  CHECK_RET("sigpending/kill-rt-without-siginfo", take_signal(rt), 0);
  CHECK_RET("sigpending/tgkill-standard-sent", raw3(SYS_tgkill, me, tid, SIGUSR1), 0);
  CHECK_RET("sigpending/standard-without-siginfo", take_signal(SIGUSR1), 0);

  /* room for two more than are queued now: two, then EAGAIN */
  long queued = -1, limit = -1;
  lim.rlim_cur = old.rlim_cur;
  setrlimit(RLIMIT_SIGPENDING, &lim);
  int r = sigq_line(&queued, &limit);
  CHECKF("sigpending/proc-sigq", r == 0 && queued >= 0 && (rlim_t)limit == lim.rlim_cur, "SigQ %ld/%ld", queued, limit);
  if (r)
    return;
  lim.rlim_cur = queued + 2;
  setrlimit(RLIMIT_SIGPENDING, &lim);
  int a = sigqueue(me, rt, v), b = sigqueue(me, rt, v), c = sigqueue(me, rt, v), e = errno;
  CHECKF("sigpending/limit-counts", a == 0 && b == 0 && c < 0 && e == EAGAIN, "%d %d %d errno %d", a, b, c, e);
  long q2 = -1, l2 = -1;
  sigq_line(&q2, &l2);
  CHECKF("sigpending/proc-sigq-counts", q2 == queued + 2 && l2 == queued + 2, "SigQ %ld/%ld, was %ld", q2, l2, queued);
  CHECK_RET("sigpending/siginfo-kept", take_signal(rt), me);
  CHECKF("sigpending/room-after-taking", sigqueue(me, rt, v) == 0, "errno %d", errno);
  take_signal(rt);
  take_signal(rt);
  sigq_line(&q2, &l2);
  CHECKF("sigpending/proc-sigq-back", q2 == queued, "SigQ %ld, was %ld", q2, queued);
  setrlimit(RLIMIT_SIGPENDING, &old);
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
  run_section("files", file_rules, 30000);
  run_section("chattr", chattr, 20000);
  run_section("atime", atimes, 20000);
  run_section("mlock", mlocks, 20000);
  run_section("perms", misc_perms, 20000);
  run_section("limits", limits, 20000);
  run_section("memfd-seals", memfd_seals, 20000);
  run_section("memfd-names", memfd_names, 20000);
  run_section("proc-stat", proc_stat_forks, 20000);
  run_section("maxrss", maxrss_checks, 60000);
  run_section("sigpending", sigpending_checks, 20000);
  return abi_done();
}
