/*
 * mqueue.c — POSIX message queues (testsuite/abi): mq_open (create,
 * attributes and their limits, O_EXCL, names, access modes), priorities
 * and FIFO order, EMSGSIZE, full and empty queues (EAGAIN, timeouts, a
 * blocked receiver woken by another process), mq_getsetattr, mq_notify
 * (a signal with SI_MESGQ once, EBUSY, unregistering), poll, mq_unlink
 * while open, the mqueue file system on /dev/mqueue (the queues as files,
 * their QSIZE line, open(2) of one), RLIMIT_MSGQUEUE, the C library's
 * mq_* on top, the /proc/sys/fs/mqueue tunables (defaults, ranges,
 * msg_default for a queue made without attributes, queues_max's ENOSPC for
 * a caller without CAP_SYS_RESOURCE), no queue left by an EMFILE, and no memory kept (Kite). User
 * space; runs on Kite and on Linux.
 */
#include "check.h"
#include <mqueue.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <pthread.h>

#define MQUEUE_MAGIC 0x19800202
#define SI_MESGQ_CODE (-3)

struct kattr {
  long flags, maxmsg, msgsize, curmsgs, reserved[4];
};

static char qname[64];

static long kopen(const char *name, int oflag, int mode, struct kattr *a)
{
  return raw4(SYS_mq_open, name, oflag, mode, a);
}
static long ksend(int q, const char *m, size_t len, unsigned prio, struct timespec *to)
{
  return raw5(SYS_mq_timedsend, q, m, len, prio, to);
}
static long krecv(int q, char *m, size_t len, unsigned *prio, struct timespec *to)
{
  return raw5(SYS_mq_timedreceive, q, m, len, prio, to);
}

static struct timespec in_ms(long ms)
{
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += (ms % 1000) * 1000000L;
  t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
  t.tv_nsec %= 1000000000L;
  return t;
}

static void test_basic(void)
{
  struct kattr a = {0, 5, 64, 0, {0}};
  raw1(SYS_mq_unlink, qname);
  long q = kopen(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
  CHECKF("open/create", q >= 0, "%ld", q);
  if (q < 0)
    return;
  struct kattr g;
  memset(&g, 0xff, sizeof(g));
  CHECK_RET("getsetattr", raw3(SYS_mq_getsetattr, q, 0, &g), 0);
  CHECKF("getsetattr/values", g.flags == 0 && g.maxmsg == 5 && g.msgsize == 64 && g.curmsgs == 0, "%ld %ld %ld %ld",
         g.flags, g.maxmsg, g.msgsize, g.curmsgs);
  CHECK_RET("open/excl-eexist", kopen(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &a), -EEXIST);
  long q2 = kopen(qname, O_RDONLY, 0, NULL);
  CHECKF("open/existing", q2 >= 0, "%ld", q2);
  CHECK_RET("open/einval-accmode", kopen(qname, O_ACCMODE, 0, NULL), -EINVAL);

  CHECK_RET("send/prio-1", ksend(q, "low", 3, 1, NULL), 0);
  CHECK_RET("send/prio-5-first", ksend(q, "hi-a", 4, 5, NULL), 0);
  CHECK_RET("send/prio-5-second", ksend(q, "hi-b", 4, 5, NULL), 0);
  memset(&g, 0, sizeof(g));
  raw3(SYS_mq_getsetattr, q, 0, &g);
  CHECK("curmsgs", g.curmsgs == 3);
  char buf[128] = "";
  unsigned prio = 99;
  CHECK_RET("receive/emsgsize-small-buffer", krecv(q, buf, 63, &prio, NULL), -EMSGSIZE);
  long n = krecv(q, buf, sizeof(buf), &prio, NULL);
  CHECKF("receive/highest-first", n == 4 && !memcmp(buf, "hi-a", 4) && prio == 5, "n %ld prio %u", n, prio);
  n = krecv((int)q2, buf, sizeof(buf), &prio, NULL);
  CHECKF("receive/fifo-within-a-priority", n == 4 && !memcmp(buf, "hi-b", 4), "n %ld", n);
  n = krecv(q, buf, sizeof(buf), NULL, NULL);
  CHECKF("receive/lowest-last", n == 3 && !memcmp(buf, "low", 3), "n %ld", n);
  CHECK_RET("send/emsgsize", ksend(q, buf, 65, 0, NULL), -EMSGSIZE);
  CHECK_RET("send/einval-prio", ksend(q, "x", 1, 32768, NULL), -EINVAL);
  CHECK_RET("send/zero-length", ksend(q, "", 0, 0, NULL), 0);
  CHECK_RET("receive/zero-length", krecv(q, buf, sizeof(buf), NULL, NULL), 0);
  CHECK_RET("send/ebadf-read-only", ksend((int)q2, "x", 1, 0, NULL), -EBADF);
  int p[2];
  pipe(p);
  CHECK_RET("send/ebadf-not-a-queue", ksend(p[1], "x", 1, 0, NULL), -EBADF);
  CHECK_RET("send/efault", ksend(q, BAD_PTR, 4, 0, NULL), -EFAULT);
  close(p[0]);
  close(p[1]);

  /* empty and full queues */
  struct timespec to = in_ms(100);
  long long t0 = now_ns();
  CHECK_RET("receive/timeout", krecv(q, buf, sizeof(buf), NULL, &to), -ETIMEDOUT);
  CHECKF("receive/timeout-waited", now_ns() - t0 >= 80000000LL, "%lld ms", (now_ns() - t0) / 1000000);
  struct timespec bad = {0, 1000000000};
  CHECK_RET("receive/einval-timeout", krecv(q, buf, sizeof(buf), NULL, &bad), -EINVAL);
  CHECK_RET("receive/efault-timeout", krecv(q, buf, sizeof(buf), NULL, BAD_PTR), -EFAULT);
  struct kattr nb = {O_NONBLOCK, 0, 0, 0, {0}}, old;
  CHECK_RET("getsetattr/set-nonblock", raw3(SYS_mq_getsetattr, q, &nb, &old), 0);
  CHECK("getsetattr/old-flags", old.flags == 0);
  CHECK_RET("receive/empty-nonblock-eagain", krecv(q, buf, sizeof(buf), NULL, NULL), -EAGAIN);
  for (int i = 0; i < 5; i++)
    ksend(q, "f", 1, 0, NULL);
  CHECK_RET("send/full-nonblock-eagain", ksend(q, "f", 1, 0, NULL), -EAGAIN);
  struct kattr bf = {O_NONBLOCK | O_APPEND, 0, 0, 0, {0}};
  CHECK_RET("getsetattr/einval-flags", raw3(SYS_mq_getsetattr, q, &bf, 0), -EINVAL);
  nb.flags = 0;
  raw3(SYS_mq_getsetattr, q, &nb, 0);
  to = in_ms(50);
  CHECK_RET("send/full-timeout", ksend(q, "f", 1, 0, &to), -ETIMEDOUT);
  struct pollfd pf = {(int)q, POLLIN | POLLOUT, 0};
  CHECK("poll/full", poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN) && !(pf.revents & POLLOUT));
  while (krecv(q, buf, sizeof(buf), NULL, &to) >= 0)
    ;
  pf.revents = 0;
  CHECK("poll/empty", poll(&pf, 1, 0) == 1 && !(pf.revents & POLLIN) && (pf.revents & POLLOUT));

  /* a receiver blocked here, woken by a sender elsewhere */
  pid_t pid = fork();
  if (pid == 0) {
    msleep(100);
    long cq = kopen(qname, O_WRONLY, 0, NULL);
    _exit(cq >= 0 && ksend((int)cq, "late", 4, 3, NULL) == 0 ? 0 : 1);
  }
  t0 = now_ns();
  n = krecv(q, buf, sizeof(buf), &prio, NULL);
  CHECKF("receive/woken-by-another-process", n == 4 && !memcmp(buf, "late", 4) && prio == 3 &&
                                                 now_ns() - t0 >= 50000000LL, "n %ld", n);
  wait_child_timeout(pid, 5000);

  /* unlinked while open: the queue lives on for its descriptors */
  CHECK_RET("unlink", raw1(SYS_mq_unlink, qname), 0);
  CHECK_RET("unlink/again-enoent", raw1(SYS_mq_unlink, qname), -ENOENT);
  CHECK_RET("unlink/open-enoent", kopen(qname, O_RDONLY, 0, NULL), -ENOENT);
  CHECK_RET("unlinked/still-works", ksend(q, "z", 1, 0, NULL), 0);
  CHECK_RET("unlinked/still-receives", krecv((int)q2, buf, sizeof(buf), NULL, NULL), 1);
  close((int)q);
  close((int)q2);
}

static void test_errors(void)
{
  struct kattr a = {0, 0, 64, 0, {0}};
  CHECK_RET("open/einval-maxmsg-0", kopen("abi-mq-x", O_RDWR | O_CREAT, 0600, &a), -EINVAL);
  a.maxmsg = 5;
  a.msgsize = 0;
  CHECK_RET("open/einval-msgsize-0", kopen("abi-mq-x", O_RDWR | O_CREAT, 0600, &a), -EINVAL);
  a.maxmsg = 70000;
  a.msgsize = 8;
  CHECK_RET("open/einval-maxmsg-over-hard-limit", kopen("abi-mq-x", O_RDWR | O_CREAT, 0600, &a), -EINVAL);
  CHECK_RET("open/enoent", kopen("abi-mq-none", O_RDWR, 0, NULL), -ENOENT);
  CHECK_RET("open/eacces-slash", kopen("a/b", O_RDWR | O_CREAT, 0600, NULL), -EACCES);
  CHECK_RET("open/enoent-empty", kopen("", O_RDWR | O_CREAT, 0600, NULL), -ENOENT);
  CHECK_RET("open/eacces-dot", kopen(".", O_RDWR | O_CREAT, 0600, NULL), -EACCES);
  CHECK_RET("open/efault-attr", kopen("abi-mq-x", O_RDWR | O_CREAT, 0600, BAD_PTR), -EFAULT);
  CHECK_RET("open/efault-name", kopen(BAD_PTR, O_RDWR | O_CREAT, 0600, NULL), -EFAULT);
  CHECK_RET("unlink/eacces-slash", raw1(SYS_mq_unlink, "a/b"), -EACCES);
  /* defaults when no attributes are given */
  raw1(SYS_mq_unlink, "abi-mq-d");
  long q = kopen("abi-mq-d", O_RDWR | O_CREAT | O_CLOEXEC, 0600, NULL);
  struct kattr g;
  raw3(SYS_mq_getsetattr, q, 0, &g);
  CHECKF("open/defaults", g.maxmsg == 10 && g.msgsize == 8192, "%ld %ld", g.maxmsg, g.msgsize);
  CHECK("open/cloexec", fcntl((int)q, F_GETFD) == FD_CLOEXEC);
  close((int)q);
  raw1(SYS_mq_unlink, "abi-mq-d");
}

static volatile int notified, note_code, note_value, note_pid;
static void on_note(int sig, siginfo_t *si, void *uc)
{
  (void)sig;
  (void)uc;
  notified++;
  note_code = si->si_code;
  note_value = si->si_value.sival_int;
  note_pid = si->si_pid;
}

struct ksigevent {
  union { int i; void *p; } value;
  int signo, notify;
  int pad[12];
};

static void test_notify(void)
{
  char name[64];
  snprintf(name, sizeof(name), "abi-mq-n%d", getpid());
  raw1(SYS_mq_unlink, name);
  struct kattr a = {0, 4, 32, 0, {0}};
  long q = kopen(name, O_RDWR | O_CREAT, 0600, &a);
  ksigaction(SIGUSR1, (void *)on_note, SA_SIGINFO, 0, NULL);
  struct ksigevent ev = {{.i = 77}, SIGUSR1, 0 /* SIGEV_SIGNAL */, {0}};
  CHECK_RET("notify/register", raw2(SYS_mq_notify, q, &ev), 0);
  pid_t pid = fork();
  if (pid == 0) {
    /* another process may not register too */
    long r = raw2(SYS_mq_notify, q, &ev);
    _exit(r == -EBUSY ? 0 : 1);
  }
  CHECK_RET("notify/ebusy-for-another", wait_child_timeout(pid, 5000) >> 8, 0);
  ksend((int)q, "m", 1, 0, NULL);
  for (int i = 0; i < 200 && !notified; i++)
    msleep(5);
  CHECKF("notify/signal", notified == 1 && note_code == SI_MESGQ_CODE && note_value == 77 && note_pid == getpid(),
         "%d code %d value %d pid %d", notified, note_code, note_value, note_pid);
  char buf[64];
  krecv((int)q, buf, sizeof(buf), NULL, NULL);
  ksend((int)q, "m", 1, 0, NULL);
  msleep(50);
  CHECK("notify/once-only", notified == 1);
  krecv((int)q, buf, sizeof(buf), NULL, NULL);
  /* registered again; the queue not empty: no signal until it empties and fills */
  raw2(SYS_mq_notify, q, &ev);
  char line[128] = "";
  int fd = -1;
  char path[96];
  snprintf(path, sizeof(path), "/dev/mqueue/%s", name);
  struct statfs sf;
  if (statfs("/dev/mqueue", &sf) == 0 && sf.f_type == MQUEUE_MAGIC && (fd = open(path, O_RDONLY)) >= 0) {
    read(fd, line, sizeof(line) - 1);
    close(fd);
    char want[64];
    snprintf(want, sizeof(want), "NOTIFY:0     SIGNO:%-5d NOTIFY_PID:%-6d", SIGUSR1, getpid());
    CHECKF("notify/shown-in-the-file", strstr(line, want) != NULL, "%s", line);
  } else {
    abi_line("SKIP: %s/notify/shown-in-the-file (no mqueue file system on /dev/mqueue here)", abi_family);
  }
  CHECK_RET("notify/unregister", raw2(SYS_mq_notify, q, 0), 0);
  ksend((int)q, "m", 1, 0, NULL);
  msleep(50);
  CHECK("notify/none-after-unregister", notified == 1);
  struct ksigevent bad = {{0}, SIGUSR1, 9, {0}};
  CHECK_RET("notify/einval-kind", raw2(SYS_mq_notify, q, &bad), -EINVAL);
  bad.notify = 0;
  bad.signo = 65;
  CHECK_RET("notify/einval-signal", raw2(SYS_mq_notify, q, &bad), -EINVAL);
  CHECK_RET("notify/ebadf", raw2(SYS_mq_notify, 999, &ev), -EBADF);
  struct ksigevent none = {{0}, 0, 1 /* SIGEV_NONE */, {0}};
  CHECK_RET("notify/sigev-none", raw2(SYS_mq_notify, q, &none), 0);
  close((int)q);
  raw1(SYS_mq_unlink, name);
  ksigaction(SIGUSR1, (void *)SIG_DFL, 0, 0, NULL);
}

/* SIGEV_THREAD as the C library uses it: a cookie back over netlink. */
static void test_notify_thread(void)
{
  char name[64];
  snprintf(name, sizeof(name), "abi-mq-t%d", getpid());
  raw1(SYS_mq_unlink, name);
  struct kattr a = {0, 4, 32, 0, {0}};
  long q = kopen(name, O_RDWR | O_CREAT, 0600, &a);
  int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  CHECKF("thread/netlink-socket", nl >= 0, "%s", strerror(errno));
  char cookie[32];
  for (int i = 0; i < 32; i++)
    cookie[i] = (char)(0x40 + i);
  struct ksigevent ev = {{.p = cookie}, nl, 2 /* SIGEV_THREAD */, {0}};
  CHECK_RET("thread/register", raw2(SYS_mq_notify, q, &ev), 0);
  CHECK_RET("thread/ebusy", raw2(SYS_mq_notify, q, &ev), -EBUSY);
  ksend((int)q, "m", 1, 0, NULL);
  char got[64];
  struct sockaddr_nl from;
  socklen_t fl = sizeof(from);
  memset(&from, 0xff, sizeof(from));
  long n = recvfrom(nl, got, sizeof(got), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
  CHECKF("thread/cookie-woken-up", n == 32 && !memcmp(got, cookie, 31) && got[31] == 1, "n %ld last %d", n,
         n > 0 ? got[n - 1] : -1);
  CHECKF("thread/from-the-kernel", n == 32 && from.nl_family == AF_NETLINK && from.nl_pid == 0, "pid %u",
         from.nl_pid);
  CHECK("thread/once-only", recv(nl, got, sizeof(got), MSG_DONTWAIT) < 0 && errno == EAGAIN);
  char buf[64];
  krecv((int)q, buf, sizeof(buf), NULL, NULL);
  /* given up: NOTIFY_REMOVED */
  raw2(SYS_mq_notify, q, &ev);
  CHECK_RET("thread/unregister", raw2(SYS_mq_notify, q, 0), 0);
  n = recv(nl, got, sizeof(got), MSG_DONTWAIT);
  CHECKF("thread/cookie-removed", n == 32 && !memcmp(got, cookie, 31) && got[31] == 2, "n %ld", n);
  /* closing any descriptor of the queue gives it up too (Linux's flush) */
  raw2(SYS_mq_notify, q, &ev);
  int d = dup((int)q);
  close(d);
  n = recv(nl, got, sizeof(got), MSG_DONTWAIT);
  CHECKF("thread/close-of-a-dup-removes", n == 32 && got[31] == 2, "n %ld", n);
  CHECK_RET("thread/registrable-again", raw2(SYS_mq_notify, q, &ev), 0);
  raw2(SYS_mq_notify, q, 0);
  recv(nl, got, sizeof(got), MSG_DONTWAIT);
  /* the socket must be a netlink one */
  int p[2];
  pipe(p);
  ev.signo = p[0];
  CHECK_RET("thread/enotsock", raw2(SYS_mq_notify, q, &ev), -ENOTSOCK);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  ev.signo = u;
  CHECK_RET("thread/einval-not-netlink", raw2(SYS_mq_notify, q, &ev), -EINVAL);
  ev.signo = 999;
  CHECK_RET("thread/ebadf-socket", raw2(SYS_mq_notify, q, &ev), -EBADF);
  ev.signo = nl;
  ev.value.p = BAD_PTR;
  CHECK_RET("thread/efault-cookie", raw2(SYS_mq_notify, q, &ev), -EFAULT);
  close(p[0]);
  close(p[1]);
  close(u);
  close(nl);
  close((int)q);
  raw1(SYS_mq_unlink, name);
}

static volatile int thread_note;
static void on_thread_note(union sigval v)
{
  thread_note = v.sival_int;
}

/* The C library's mq_notify(SIGEV_THREAD): a function run in a new thread. */
static void test_notify_libc_thread(void)
{
  char name[64];
  snprintf(name, sizeof(name), "/abi-mq-lt%d", getpid());
  struct mq_attr a = {0, 2, 16, 0};
  mqd_t q = mq_open(name, O_RDWR | O_CREAT, 0600, &a);
  struct sigevent sev;
  memset(&sev, 0, sizeof(sev));
  sev.sigev_notify = SIGEV_THREAD;
  sev.sigev_notify_function = on_thread_note;
  sev.sigev_value.sival_int = 4242;
  CHECKF("libc-thread/register", mq_notify(q, &sev) == 0, "%s", strerror(errno));
  mq_send(q, "x", 1, 0);
  for (int i = 0; i < 400 && !thread_note; i++)
    msleep(5);
  CHECKF("libc-thread/function-ran", thread_note == 4242, "%d", thread_note);
  mq_close(q);
  mq_unlink(name);
}

static void test_fs(void)
{
  struct statfs sf;
  if (statfs("/dev/mqueue", &sf) != 0 || sf.f_type != MQUEUE_MAGIC) {
    abi_line("SKIP: %s/fs (no mqueue file system on /dev/mqueue here)", abi_family);
    return;
  }
  char name[64], path[96];
  snprintf(name, sizeof(name), "abi-mq-f%d", getpid());
  snprintf(path, sizeof(path), "/dev/mqueue/%s", name);
  raw1(SYS_mq_unlink, name);
  struct kattr a = {0, 3, 16, 0, {0}};
  long q = kopen(name, O_RDWR | O_CREAT, 0640, &a);
  struct stat st;
  CHECKF("file-appears", stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == (0640 & ~umask(022)),
         "mode %o", st.st_mode);
  umask(022);
  ksend((int)q, "hello", 5, 0, NULL);
  ksend((int)q, "xy", 2, 0, NULL);
  int fd = open(path, O_RDONLY);
  char line[128] = "";
  read(fd, line, sizeof(line) - 1);
  CHECKF("qsize-line", !strncmp(line, "QSIZE:7 ", 8) && strstr(line, "NOTIFY:0"), "%s", line);
  /* a descriptor from open(2) is a queue descriptor */
  char buf[32];
  CHECK_RET("open-2-is-a-queue", krecv(fd, buf, sizeof(buf), NULL, NULL), 5);
  close(fd);
  CHECK("unlink-2", unlink(path) == 0 && raw1(SYS_mq_unlink, name) == -ENOENT);
  close((int)q);
  /* open(2) with O_CREAT makes one with the defaults */
  fd = open(path, O_RDWR | O_CREAT, 0600);
  struct kattr g;
  CHECKF("create-by-open-2", fd >= 0 && raw3(SYS_mq_getsetattr, fd, 0, &g) == 0 && g.maxmsg == 10, "fd %d", fd);
  close(fd);
  unlink(path);
}

static void test_rlimit(void)
{
  struct rlimit rl = {1000, 1000};
  setrlimit(RLIMIT_MSGQUEUE, &rl);
  struct kattr a = {0, 10, 8192, 0, {0}};
  CHECK_RET("rlimit-emfile", kopen("abi-mq-big", O_RDWR | O_CREAT, 0600, &a), -EMFILE);
  a.maxmsg = 1;
  a.msgsize = 100;
  long q = kopen("abi-mq-small", O_RDWR | O_CREAT, 0600, &a);
  CHECKF("rlimit-small-fits", q >= 0, "%ld", q);
  raw1(SYS_mq_unlink, "abi-mq-small");
}

static void test_libc(void)
{
  char name[64];
  snprintf(name, sizeof(name), "/abi-mq-l%d", getpid());
  struct mq_attr a = {0, 2, 16, 0};
  mqd_t q = mq_open(name, O_RDWR | O_CREAT, 0600, &a);
  CHECKF("libc/open", q != (mqd_t)-1, "%s", strerror(errno));
  CHECK("libc/send", mq_send(q, "libc", 4, 2) == 0);
  char buf[16];
  unsigned prio = 0;
  CHECK("libc/receive", mq_receive(q, buf, sizeof(buf), &prio) == 4 && prio == 2 && !memcmp(buf, "libc", 4));
  CHECK("libc/close-unlink", mq_close(q) == 0 && mq_unlink(name) == 0);
}

/* /proc/sys/fs/mqueue/<name>: its value (-1 if unreadable); set: 0 or -errno. */
static long mq_sysctl(const char *name)
{
  char path[96], buf[32] = "";
  snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", name);
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n > 0 ? strtol(buf, NULL, 10) : -1;
}
static long mq_sysctl_set(const char *name, long v)
{
  char path[96], buf[32];
  snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", name);
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -errno;
  int len = snprintf(buf, sizeof(buf), "%ld", v);
  long r = write(fd, buf, (size_t)len) == len ? 0 : -errno;
  close(fd);
  return r;
}

/* EMFILE (no descriptor left) makes no queue, as on Linux. */
static void test_emfile(void)
{
  struct rlimit rl = {0, 0};
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit none = {0, rl.rlim_max};
  CHECK("emfile/setrlimit", setrlimit(RLIMIT_NOFILE, &none) == 0);
  CHECK_RET("emfile/open", kopen("abi-mq-emfile", O_RDWR | O_CREAT, 0600, NULL), -EMFILE);
  setrlimit(RLIMIT_NOFILE, &rl);
  CHECK_RET("emfile/no-queue-left", raw1(SYS_mq_unlink, "abi-mq-emfile"), -ENOENT);
}

static void test_sysctl(void)
{
  CHECKF("sysctl/defaults", mq_sysctl("queues_max") == 256 && mq_sysctl("msg_max") == 10 &&
         mq_sysctl("msgsize_max") == 8192 && mq_sysctl("msg_default") == 10 &&
         mq_sysctl("msgsize_default") == 8192, "%ld %ld %ld %ld %ld", mq_sysctl("queues_max"),
         mq_sysctl("msg_max"), mq_sysctl("msgsize_max"), mq_sysctl("msg_default"), mq_sysctl("msgsize_default"));
  CHECK_RET("sysctl/msg_max-0", mq_sysctl_set("msg_max", 0), -EINVAL);
  CHECK_RET("sysctl/msgsize_max-127", mq_sysctl_set("msgsize_max", 127), -EINVAL);
  /* a queue made without attributes takes msg_default and msgsize_default */
  CHECK_RET("sysctl/set-defaults", mq_sysctl_set("msg_default", 3) | mq_sysctl_set("msgsize_default", 200), 0);
  long q = kopen("abi-mq-dflt", O_RDWR | O_CREAT, 0600, NULL);
  struct kattr g = {0};
  CHECK_RET("sysctl/open-default", raw3(SYS_mq_getsetattr, q, 0, &g), 0);
  CHECKF("sysctl/default-attr", g.maxmsg == 3 && g.msgsize == 200, "%ld %ld", g.maxmsg, g.msgsize);
  close((int)q);
  raw1(SYS_mq_unlink, "abi-mq-dflt");
  mq_sysctl_set("msg_default", 10);
  mq_sysctl_set("msgsize_default", 8192);
  /* queues_max: ENOSPC once as many queues exist, unless CAP_SYS_RESOURCE */
  long keep = kopen("abi-mq-keep", O_RDWR | O_CREAT, 0600, NULL);
  CHECK_RET("sysctl/set-queues_max", mq_sysctl_set("queues_max", 1), 0);
  CHECK("sysctl/root-over-max", (q = kopen("abi-mq-root", O_RDWR | O_CREAT, 0600, NULL)) >= 0);
  close((int)q);
  raw1(SYS_mq_unlink, "abi-mq-root");
  CHECK("sysctl/drop-to-nobody", seteuid(65534) == 0);
  CHECK_RET("sysctl/enospc", kopen("abi-mq-user", O_RDWR | O_CREAT, 0600, NULL), -ENOSPC);
  CHECK("sysctl/back-to-root", seteuid(0) == 0);
  CHECK_RET("sysctl/restore", mq_sysctl_set("queues_max", 256), 0);
  close((int)keep);
  raw1(SYS_mq_unlink, "abi-mq-keep");
}

static void test_leak(void)
{
  long before = free_settled_kb();
  for (int round = 0; round < 5; round++) {
    struct kattr a = {0, 8, 1024, 0, {0}};
    long q = kopen("abi-mq-leak", O_RDWR | O_CREAT, 0600, &a);
    static char m[1024];
    for (int i = 0; i < 8; i++)
      ksend((int)q, m, sizeof(m), (unsigned)i, NULL);
    raw1(SYS_mq_unlink, "abi-mq-leak");
    close((int)q);
  }
  check_no_leak("no-leak", before);
}

int main(void)
{
  abi_family = "mqueue";
  setvbuf(stdout, NULL, _IONBF, 0);
  snprintf(qname, sizeof(qname), "abi-mq-%d", getpid());
  /* QEMU 7.2's linux-user/syscall.c hands mq_open and mq_unlink to the
   * host's C library with the name taken from one byte before the
   * pointer (lock_user_string(arg1 - 1)), and has no mq_notify: the
   * checks are made on Kite and on the reference Linux (abi-ref) only. */
  if (skip_on_qemu("all", "mq_open/mq_unlink read the name from arg1 - 1; no mq_notify"))
    return 0;
  run_section("basic", test_basic, 60000);
  run_section("errors", test_errors, 30000);
  run_section("notify", test_notify, 30000);
  run_section("notify-thread", test_notify_thread, 30000);
  run_section("notify-libc-thread", test_notify_libc_thread, 30000);
  run_section("fs", test_fs, 30000);
  run_section("rlimit", test_rlimit, 30000);
  run_section("libc", test_libc, 30000);
  run_section("sysctl", test_sysctl, 30000);
  run_section("emfile", test_emfile, 30000);
  run_section("leak", test_leak, 30000);
  return abi_done();
}
