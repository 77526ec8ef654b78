/*
 * leaks.c — memory a program can strand in the kernel must come back
 * (testsuite/abi): sockets in flight that only hold each other (Linux's
 * unix_gc), and the other causes the fuzzer found. Each case runs many
 * times; on Kite, MemFree and the count of open files (/proc/sys/fs/
 * file-nr) must be back where they were; on the reference Linux the file
 * count must be. User space; runs on Linux and Kite.
 */
#include "check.h"
#include <sys/socket.h>
#include <sys/uio.h>

/* open files in the whole system, or -1 (qemu-user shows the host's) */
static long files_open(void)
{
  if (!on_kite()) /* Linux's count is a per-CPU approximation */
    return -1;
  char buf[64] = {0};
  int f = open("/proc/sys/fs/file-nr", O_RDONLY);
  if (f < 0)
    return -1;
  read(f, buf, sizeof(buf) - 1);
  close(f);
  return strtol(buf, NULL, 10);
}

/* send fd over socket s with SCM_RIGHTS (one byte of data) */
static int send_fd(int s, int fd)
{
  char c = 'x';
  struct iovec iov = {&c, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  struct cmsghdr *c2 = CMSG_FIRSTHDR(&m);
  c2->cmsg_level = SOL_SOCKET;
  c2->cmsg_type = SCM_RIGHTS;
  c2->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c2), &fd, sizeof(int));
  return sendmsg(s, &m, 0) == 1 ? 0 : -1;
}

/* a pipe holding 64 KiB: the read end, the write end closed */
static int full_pipe(void)
{
  int p[2];
  pipe(p);
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  static char data[65536];
  while (write(p[1], data, sizeof(data)) > 0)
    ;
  close(p[1]);
  return p[0];
}

/* a socket sent over itself, carrying a full pipe too */
static int self_cycle(void)
{
  int s[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
    return -1;
  int p = full_pipe();
  int r = send_fd(s[0], s[1]) | send_fd(s[0], p);
  close(p);
  close(s[0]);
  close(s[1]);
  return r;
}

/* two datagram sockets sent over each other */
static int pair_cycle(void)
{
  int a[2], b[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, a) || socketpair(AF_UNIX, SOCK_DGRAM, 0, b))
    return -1;
  int p = full_pipe();
  int r = send_fd(a[0], b[1]) | send_fd(b[0], a[1]) | send_fd(a[0], p);
  close(p);
  close(a[0]);
  close(a[1]);
  close(b[0]);
  close(b[1]);
  return r;
}

/* not garbage: a socket in flight on a queue someone still holds */
static int reachable(int keep[2])
{
  int s[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, keep) || socketpair(AF_UNIX, SOCK_STREAM, 0, s))
    return -1;
  int r = send_fd(keep[0], s[0]) | send_fd(s[1], s[0]);
  close(s[0]);
  close(s[1]);
  return r;
}

/* a closed socket to let the collection run (Linux runs it on release) */
static void nudge(void)
{
  int s[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, s);
  close(s[0]);
  close(s[1]);
  msleep(50);
}

static void test_unix_gc(void)
{
  self_cycle(); /* the first time fills caches and slabs */
  pair_cycle();
  nudge();
  long mem = free_settled_kb(), files = files_open();
  int bad = 0;
  for (int i = 0; i < 40; i++)
    bad += self_cycle() != 0;
  nudge();
  CHECKF("unix-gc/self-cycles-sent", bad == 0, "%d failed", bad);
  long f2 = files_open();
  CHECKF("unix-gc/self-cycles-files-back", files < 0 || f2 <= files, "%ld open files before, %ld after", files, f2);
  check_no_leak("unix-gc/self-cycles-memory-back", mem);

  mem = free_settled_kb();
  files = files_open();
  bad = 0;
  for (int i = 0; i < 40; i++)
    bad += pair_cycle() != 0;
  nudge();
  CHECKF("unix-gc/pair-cycles-sent", bad == 0, "%d failed", bad);
  f2 = files_open();
  CHECKF("unix-gc/pair-cycles-files-back", files < 0 || f2 <= files, "%ld open files before, %ld after", files, f2);
  check_no_leak("unix-gc/pair-cycles-memory-back", mem);

  /* reachable from a queue we hold: not collected, and still receivable */
  int keep[2];
  CHECK("unix-gc/reachable-sent", reachable(keep) == 0);
  nudge();
  char c;
  char ctl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {&c, 1};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
  long r = recvmsg(keep[1], &m, MSG_DONTWAIT);
  int got = -1;
  if (r == 1 && CMSG_FIRSTHDR(&m))
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
  CHECKF("unix-gc/reachable-still-received", r == 1 && got >= 0, "recvmsg %ld, fd %d", r, got);
  /* and what it carried is still there: its own queue holds itself */
  m.msg_controllen = sizeof(ctl);
  r = got >= 0 ? recvmsg(got, &m, MSG_DONTWAIT) : -1;
  CHECKF("unix-gc/reachable-queue-intact", r == 1, "recvmsg %ld", r);
  close(got);
  close(keep[0]);
  close(keep[1]);
}

int main(void)
{
  abi_family = "leaks";
  run_section("unix-gc", test_unix_gc, 120000);
  return abi_done();
}
