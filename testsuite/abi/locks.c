/*
 * locks.c — file locks and file owners (testsuite/abi): POSIX record locks
 * (F_GETLK reports, exact ranges, merging and splitting, lengths and
 * whence, EBADF/EINVAL, release on any close, F_SETLKW waits, EDEADLK,
 * EINTR), open-file-description locks (per open, l_pid -1, against POSIX
 * locks), flock (per open file, fork shares, no conflict with fcntl
 * locks, conversion), leases (F_SETLEASE/F_GETLEASE rules, the break on
 * open: the holder's signal, EWOULDBLOCK, the opener waiting until the
 * lease goes), F_SETOWN/F_SETOWN_EX/F_SETSIG and O_ASYNC signals on a
 * pipe. User space; static musl.
 */
#include "check.h"
#include <sys/file.h>
#include <poll.h>
#include <sys/stat.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#define F_SETOWN_EX_ 15
#define F_GETOWN_EX_ 16

static char path[256];

struct kflock {
  short type, whence;
  long start, len;
  int pid;
};

static long lk(int fd, int cmd, short type, short whence, long start, long len)
{
  struct kflock fl = {type, whence, start, len, 0};
  return raw3(SYS_fcntl, fd, cmd, &fl);
}

/* F_GETLK for [start, start+len): the conflicting lock in *out. */
static long getlk(int fd, int cmd, short type, long start, long len, struct kflock *out)
{
  *out = (struct kflock){type, SEEK_SET, start, len, 0};
  return raw3(SYS_fcntl, fd, cmd, out);
}

static int open_file(int flags) { return open(path, flags | O_CREAT, 0666); }

/* Run fn in a child that returns a result code through its exit status. */
static int in_child(int (*fn)(void *), void *arg)
{
  pid_t c = fork();
  if (c == 0)
    _exit(fn(arg));
  int st = wait_child_timeout(c, 10000);
  return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* ---- POSIX record locks ---- */

struct probe_args {
  short type;
  long start, len;
  int pipefd;                   /* the child writes what it saw here */
};

static int probe_child(void *a)
{
  struct probe_args *p = a;
  int fd = open_file(O_RDWR);
  struct kflock fl;
  if (getlk(fd, F_GETLK, p->type, p->start, p->len, &fl))
    return 254;
  (void)!write(p->pipefd, &fl, sizeof(fl));
  return 0;
}

/* What another process sees with F_GETLK. */
static struct kflock other_sees(short type, long start, long len)
{
  int pp[2];
  pipe(pp);
  struct probe_args a = {type, start, len, pp[1]};
  struct kflock fl = {-1, 0, 0, 0, 0};
  if (in_child(probe_child, &a) == 0)
    (void)!read(pp[0], &fl, sizeof(fl));
  close(pp[0]);
  close(pp[1]);
  return fl;
}

static int other_setlk_child(void *a)
{
  struct probe_args *p = a;
  int fd = open_file(O_RDWR);
  return lk(fd, F_SETLK, p->type, SEEK_SET, p->start, p->len) == 0 ? 0 : 1;
}

static int other_can_lock(short type, long start, long len)
{
  struct probe_args a = {type, start, len, -1};
  return in_child(other_setlk_child, &a) == 0;
}

#define SEES(name, type_, start_, len_, want_type, want_start, want_len)                        \
  do {                                                                                      \
    struct kflock s_ = other_sees(type_, start_, len_);                                     \
    CHECKF(name, s_.type == (want_type) && (s_.type == F_UNLCK || (s_.start == (want_start) && \
           s_.len == (want_len) && s_.pid == getpid() && s_.whence == SEEK_SET)),            \
           "type %d start %ld len %ld pid %d", s_.type, s_.start, s_.len, s_.pid);          \
  } while (0)

static void posix_ranges(void)
{
  int fd = open_file(O_RDWR | O_TRUNC);
  CHECK_RET("posix/setlk-wr", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0);
  SEES("posix/getlk-sees-it", F_WRLCK, 5, 10, F_WRLCK, 0, 10);
  SEES("posix/getlk-after-range", F_WRLCK, 10, 10, F_UNLCK, 0, 0);
  CHECK("posix/other-blocked", !other_can_lock(F_RDLCK, 9, 1));
  CHECK("posix/other-next-byte", other_can_lock(F_WRLCK, 10, 1));
  struct kflock own;
  CHECK("posix/own-locks-no-conflict", getlk(fd, F_GETLK, F_WRLCK, 0, 10, &own) == 0 && own.type == F_UNLCK);
  /* merging: same type, touching */
  CHECK_RET("posix/rd-a", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 10), 0);
  CHECK_RET("posix/rd-b", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 110, 10), 0);
  SEES("posix/merged-touching", F_WRLCK, 100, 1, F_RDLCK, 100, 20);
  /* splitting: unlock a hole */
  CHECK_RET("posix/wr-big", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 100), 0);
  CHECK_RET("posix/unlock-middle", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 240, 20), 0);
  SEES("posix/split-left", F_RDLCK, 200, 1, F_WRLCK, 200, 40);
  SEES("posix/split-right", F_RDLCK, 299, 1, F_WRLCK, 260, 40);
  SEES("posix/split-hole", F_WRLCK, 240, 20, F_UNLCK, 0, 0);
  /* a read lock in the middle of a write lock */
  CHECK_RET("posix/rd-in-wr", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 270, 10), 0);
  SEES("posix/rd-in-wr-read-ok", F_RDLCK, 270, 10, F_UNLCK, 0, 0);
  SEES("posix/rd-in-wr-seen", F_WRLCK, 275, 1, F_RDLCK, 270, 10);
  SEES("posix/rd-in-wr-right", F_WRLCK, 285, 1, F_WRLCK, 280, 20);
  /* lengths: 0 is "to the end", negative counts back; whence */
  CHECK_RET("posix/len-0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1000, 0), 0);
  SEES("posix/len-0-to-end", F_RDLCK, 1 << 30, 1, F_WRLCK, 1000, 0);
  CHECK_RET("posix/negative-len", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 500, -10), 0);
  SEES("posix/negative-len-range", F_RDLCK, 495, 1, F_WRLCK, 490, 10);
  lseek(fd, 600, SEEK_SET);
  CHECK_RET("posix/seek-cur", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 5, 5), 0);
  SEES("posix/seek-cur-range", F_RDLCK, 605, 1, F_WRLCK, 605, 5);
  CHECK_RET("posix/start-negative", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 5), -EINVAL);
  CHECK_RET("posix/negative-len-before-0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -10), -EINVAL);
  CHECK_RET("posix/bad-whence", lk(fd, F_SETLK, F_WRLCK, 7, 0, 1), -EINVAL);
  CHECK_RET("posix/bad-type", lk(fd, F_SETLK, 9, SEEK_SET, 0, 1), -EINVAL);
  struct kflock g = {F_UNLCK, SEEK_SET, 0, 1, 0};
  CHECK_RET("posix/getlk-unlck-einval", raw3(SYS_fcntl, fd, F_GETLK, &g), -EINVAL);
  CHECK_RET("posix/efault", raw3(SYS_fcntl, fd, F_SETLK, BAD_PTR), -EFAULT);
  int ro = open(path, O_RDONLY);
  CHECK_RET("posix/wrlck-on-rdonly-ebadf", lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), -EBADF);
  /* closing any descriptor of the file drops the process's locks */
  close(ro);
  SEES("posix/close-other-fd-releases", F_WRLCK, 0, 0, F_UNLCK, 0, 0);
  close(fd);
}

static void posix_wait(void)
{
  int fd = open_file(O_RDWR | O_TRUNC);
  lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
  pid_t c = fork();
  if (c == 0) {
    int f2 = open_file(O_RDWR);
    long long t0 = now_ns();
    long r = lk(f2, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
    _exit(r == 0 && now_ns() - t0 > 100000000LL ? 0 : 1);
  }
  msleep(300);
  lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
  CHECK("posix/setlkw-waits-for-unlock", wait_child_timeout(c, 5000) == 0);
  /* deadlock: each waits for the other */
  lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
  c = fork();
  if (c == 0) {
    int f2 = open_file(O_RDWR);
    lk(f2, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
    long r = lk(f2, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1); /* waits for the parent */
    _exit(r == 0 ? 0 : 1);
  }
  msleep(300);
  CHECK_RET("posix/edeadlk", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), -EDEADLK);
  lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
  CHECK("posix/deadlock-partner-proceeds", wait_child_timeout(c, 5000) == 0);
  close(fd);
}

static void on_alarm(int s) { (void)s; }

static void posix_eintr(void)
{
  int fd = open_file(O_RDWR | O_TRUNC);
  lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
  pid_t c = fork();
  if (c == 0) {
    int f2 = open_file(O_RDWR);
    ksigaction(SIGALRM, (void *)on_alarm, 0, 0, NULL);
    alarm(1);
    _exit(lk(f2, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == -EINTR ? 0 : 1);
  }
  CHECK("posix/setlkw-eintr", wait_child_timeout(c, 5000) == 0);
  close(fd);
}

/* ---- open-file-description locks ---- */

static void ofd_locks(void)
{
  int a = open_file(O_RDWR | O_TRUNC), b = open_file(O_RDWR);
  CHECK_RET("ofd/setlk", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10), 0);
  CHECK_RET("ofd/other-open-same-process-eagain", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1), -EAGAIN);
  CHECK_RET("ofd/posix-same-process-eagain", lk(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), -EAGAIN);
  struct kflock g;
  CHECK("ofd/getlk-pid-minus-1", getlk(b, F_OFD_GETLK, F_RDLCK, 0, 1, &g) == 0 && g.type == F_WRLCK &&
                                     g.pid == -1 && g.start == 0 && g.len == 10);
  struct kflock bad = {F_WRLCK, SEEK_SET, 0, 1, 1};
  CHECK_RET("ofd/l_pid-einval", raw3(SYS_fcntl, a, F_OFD_SETLK, &bad), -EINVAL);
  /* a duplicate shares the lock; closing it does not release it */
  int d = dup(a);
  close(d);
  CHECK_RET("ofd/survives-close-of-dup", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), -EAGAIN);
  close(a);
  CHECK_RET("ofd/released-at-last-close", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), 0);
  close(b);
}

/* ---- flock ---- */

static void flocks(void)
{
  int a = open_file(O_RDWR | O_TRUNC), b = open_file(O_RDWR);
  CHECK_RET("flock/ex", raw2(SYS_flock, a, LOCK_EX), 0);
  CHECK_RET("flock/other-open-ewouldblock", raw2(SYS_flock, b, LOCK_SH | LOCK_NB), -EWOULDBLOCK);
  CHECK_RET("flock/fcntl-does-not-see-it", lk(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 0);
  lk(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  CHECK_RET("flock/relock-same-file", raw2(SYS_flock, a, LOCK_EX | LOCK_NB), 0);
  CHECK_RET("flock/downgrade", raw2(SYS_flock, a, LOCK_SH), 0);
  CHECK_RET("flock/shared-with-shared", raw2(SYS_flock, b, LOCK_SH | LOCK_NB), 0);
  CHECK_RET("flock/upgrade-blocked", raw2(SYS_flock, a, LOCK_EX | LOCK_NB), -EWOULDBLOCK);
  raw2(SYS_flock, b, LOCK_UN);
  /* a child holds the same open file: its unlock is ours */
  raw2(SYS_flock, a, LOCK_EX);
  pid_t c = fork();
  if (c == 0)
    _exit(raw2(SYS_flock, a, LOCK_UN) == 0 ? 0 : 1);
  wait_child_timeout(c, 5000);
  CHECK_RET("flock/fork-shares", raw2(SYS_flock, b, LOCK_EX | LOCK_NB), 0);
  CHECK_RET("flock/bad-op", raw2(SYS_flock, a, 0), -EINVAL);
  CHECK_RET("flock/bad-fd", raw2(SYS_flock, -1, LOCK_SH), -EBADF);
  close(a);
  close(b);
}

/* ---- leases ---- */

static volatile int sigio_count;
static void on_sigio(int s) { (void)s; sigio_count++; }

static void leases(void)
{
  ksigaction(SIGIO, (void *)on_sigio, 0, 0, NULL); /* a broken lease signals us */
  int fd = open(path, O_RDONLY);
  CHECK_RET("lease/getlease-none", raw3(SYS_fcntl, fd, F_GETLEASE, 0), F_UNLCK);
  CHECK_RET("lease/set-read", raw3(SYS_fcntl, fd, F_SETLEASE, F_RDLCK), 0);
  CHECK_RET("lease/get-read", raw3(SYS_fcntl, fd, F_GETLEASE, 0), F_RDLCK);
  CHECK_RET("lease/bad-type", raw3(SYS_fcntl, fd, F_SETLEASE, 7), -EINVAL);
  CHECK_RET("lease/owner-is-us", raw3(SYS_fcntl, fd, F_GETOWN, 0), getpid());
  int w = open(path, O_RDWR | O_NONBLOCK);
  CHECK_RET("lease/write-open-nonblock", w < 0 ? -errno : 0, -EWOULDBLOCK);
  if (w >= 0)
    close(w);
  CHECK_RET("lease/breaking-to-unlock", raw3(SYS_fcntl, fd, F_GETLEASE, 0), F_UNLCK);
  CHECK_RET("lease/unlock", raw3(SYS_fcntl, fd, F_SETLEASE, F_UNLCK), 0);
  /* the holder is signalled; a blocked opener goes on when the lease goes */
  sigio_count = 0;
  CHECK_RET("lease/set-again", raw3(SYS_fcntl, fd, F_SETLEASE, F_RDLCK), 0);
  pid_t c = fork();
  if (c == 0) {
    long long t0 = now_ns();
    int w2 = open(path, O_WRONLY);
    long long dt = now_ns() - t0;
    _exit(w2 >= 0 && dt > 50000000LL && dt < 20000000000LL ? 0 : 1);
  }
  for (int i = 0; i < 300 && !sigio_count; i++)
    msleep(10);
  CHECK("lease/holder-gets-sigio", sigio_count > 0);
  msleep(100);
  raw3(SYS_fcntl, fd, F_SETLEASE, F_UNLCK);
  CHECK("lease/opener-proceeds", wait_child_timeout(c, 10000) == 0);
  int w3 = open(path, O_WRONLY);
  CHECK_RET("lease/read-lease-while-writer", raw3(SYS_fcntl, fd, F_SETLEASE, F_RDLCK), -EAGAIN);
  CHECK_RET("lease/write-lease-others-open", raw3(SYS_fcntl, fd, F_SETLEASE, F_WRLCK), -EAGAIN);
  close(w3);
  CHECK_RET("lease/write-lease-alone", raw3(SYS_fcntl, fd, F_SETLEASE, F_WRLCK), 0);
  int r = open(path, O_RDONLY | O_NONBLOCK);
  CHECK_RET("lease/read-open-breaks-write-lease", r < 0 ? -errno : 0, -EWOULDBLOCK);
  CHECK_RET("lease/broken-to-read", raw3(SYS_fcntl, fd, F_GETLEASE, 0), F_RDLCK);
  CHECK_RET("lease/downgrade", raw3(SYS_fcntl, fd, F_SETLEASE, F_RDLCK), 0);
  r = open(path, O_RDONLY | O_NONBLOCK);
  CHECK("lease/read-open-after-downgrade", r >= 0);
  close(r);
  raw3(SYS_fcntl, fd, F_SETLEASE, F_UNLCK);
  int dir = open(".", O_RDONLY);
  CHECK_RET("lease/not-regular", raw3(SYS_fcntl, dir, F_SETLEASE, F_RDLCK), -EINVAL);
  close(dir);
  close(fd);
}

static void lease_not_owner(void *arg)
{
  (void)arg;
  raw3(SYS_setresgid, 1000, 1000, 1000);
  raw3(SYS_setresuid, 1000, 1000, 1000);
  int fd = open(path, O_RDONLY);
  CHECK_RET("lease/not-owner-eacces", raw3(SYS_fcntl, fd, F_SETLEASE, F_RDLCK), -EACCES);
}

static void lease_perm(void)
{
  chmod(path, 0644);
  child_checks("lease/perm-child", lease_not_owner, NULL, 10000);
}

/* ---- owners and O_ASYNC ---- */

static volatile int usr1_code, usr1_fd;
static volatile long usr1_band;
static void on_usr1(int s, siginfo_t *si, void *uc)
{
  (void)s;
  (void)uc;
  usr1_code = si->si_code;
  usr1_band = si->si_band;
  usr1_fd = si->si_fd;
}

struct owner_ex {
  int type, pid;
};

static void owners(void)
{
  int p[2];
  pipe(p);
  CHECK_RET("own/getown-none", raw3(SYS_fcntl, p[0], F_GETOWN, 0), 0);
  CHECK_RET("own/setown-pid", raw3(SYS_fcntl, p[0], F_SETOWN, getpid()), 0);
  CHECK_RET("own/getown-pid", raw3(SYS_fcntl, p[0], F_GETOWN, 0), getpid());
  setpgid(0, 0);
  CHECK_RET("own/setown-pgrp", raw3(SYS_fcntl, p[0], F_SETOWN, -getpgrp()), 0);
  CHECK_RET("own/getown-pgrp", raw3(SYS_fcntl, p[0], F_GETOWN, 0), -getpgrp());
  struct owner_ex ex = {0, 0};
  CHECK("own/getown-ex-pgrp", raw3(SYS_fcntl, p[0], F_GETOWN_EX_, &ex) == 0 && ex.type == 2 && ex.pid == getpgrp());
  ex = (struct owner_ex){0 /* TID */, (int)raw0(SYS_gettid)};
  CHECK_RET("own/setown-ex-tid", raw3(SYS_fcntl, p[0], F_SETOWN_EX_, &ex), 0);
  CHECK_RET("own/getown-tid", raw3(SYS_fcntl, p[0], F_GETOWN, 0), raw0(SYS_gettid));
  ex.type = 9;
  CHECK_RET("own/setown-ex-bad-type", raw3(SYS_fcntl, p[0], F_SETOWN_EX_, &ex), -EINVAL);
  ex = (struct owner_ex){1, 999999};
  CHECK_RET("own/setown-ex-esrch", raw3(SYS_fcntl, p[0], F_SETOWN_EX_, &ex), -ESRCH);
  CHECK_RET("own/getsig-default", raw3(SYS_fcntl, p[0], F_GETSIG, 0), 0);
  CHECK_RET("own/setsig", raw3(SYS_fcntl, p[0], F_SETSIG, SIGUSR1), 0);
  CHECK_RET("own/getsig", raw3(SYS_fcntl, p[0], F_GETSIG, 0), SIGUSR1);
  CHECK_RET("own/setsig-bad", raw3(SYS_fcntl, p[0], F_SETSIG, 65), -EINVAL);
  /* O_ASYNC: data arriving on the pipe signals the owner */
  ksigaction(SIGUSR1, (void *)on_usr1, SA_SIGINFO, 0, NULL);
  raw3(SYS_fcntl, p[0], F_SETOWN, getpid());
  usr1_code = 0;
  CHECK_RET("own/o-async", raw3(SYS_fcntl, p[0], F_SETFL, O_ASYNC), 0);
  CHECK("own/o-async-getfl", (raw3(SYS_fcntl, p[0], F_GETFL, 0) & O_ASYNC) != 0);
  pid_t c = fork();
  if (c == 0) {
    msleep(100);
    (void)!write(p[1], "x", 1);
    _exit(0);
  }
  for (int i = 0; i < 300 && !usr1_code; i++)
    msleep(10);
  wait_child_timeout(c, 5000);
  CHECKF("own/sigio-as-setsig", usr1_code == POLL_IN && (usr1_band & POLLIN) && usr1_fd == p[0],
         "code %d band %lx fd %d", usr1_code, usr1_band, usr1_fd);
  close(p[0]);
  close(p[1]);
}

int main(void)
{
  abi_family = "locks";
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  snprintf(path, sizeof(path), "%s/locks.%d", tmp, (int)getpid());
  close(open_file(O_RDWR));
  run_section("posix", posix_ranges, 60000);
  run_section("posix-wait", posix_wait, 20000);
  run_section("posix-eintr", posix_eintr, 20000);
  run_section("ofd", ofd_locks, 20000);
  run_section("flock", flocks, 20000);
  run_section("lease", leases, 40000);
  run_section("lease-perm", lease_perm, 20000);
  run_section("owner", owners, 20000);
  unlink(path);
  return abi_done();
}
