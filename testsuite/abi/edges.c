/*
 * edges.c — where Kite must answer as Linux does at the edges of the ABI
 * (testsuite/abi), beyond what the bad-pointer matrix compares:
 *
 *   noblock/...   a buffer outside user space is EFAULT at once, before a
 *                 call would sleep (Linux's access_ok): reads of an empty
 *                 pipe, socket and terminal, epoll_pwait, ppoll, futex
 *   short/...     a buffer running off the end of its mapping: the bytes
 *                 that fit and a short count where Linux gives one (files,
 *                 /dev/zero, getrandom, readv), EFAULT where Linux copies
 *                 whole chunks (pipes, sockets)
 *   futex/...     wake, requeue and wake_op on kernel and misaligned
 *                 addresses
 *   order/...     which error wins when several arguments are wrong
 *   misc/...      getgroups for root, epoll instances watching each other
 *
 * User space; runs on Linux (qemu-riscv64, the reference Linux) and Kite.
 */
#include "check.h"
#include <linux/futex.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

static char tmp[200];

/* a page of 'a's followed by nothing: p + 4096 - n has n bytes left */
static char *last_page(void)
{
  static char *m;
  if (!m) {
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 4096, 4096);
    memset(m, 'a', 4096);
  }
  return m;
}

/* run fn in a child and expect it to finish within ms (no blocking) */
static void quick(const char *name, long (*fn)(void), long want, long ms)
{
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    long r = fn();
    write(p[1], &r, sizeof(r));
    _exit(0);
  }
  close(p[1]);
  int st = wait_child_timeout(c, ms);
  long r = 1;
  int got = read(p[0], &r, sizeof(r)) == sizeof(r);
  close(p[0]);
  CHECKF(name, got && r == want, "%s, result %ld, want %ld", got ? "returned" : status_str(st), r, want);
}

static long nb_pipe(void) { int p[2]; pipe(p); return raw3(SYS_read, p[0], KERNEL_PTR, 16); }
static long nb_pipe_readv(void)
{
  int p[2];
  pipe(p);
  struct iovec v = {KERNEL_PTR, 16};
  return raw3(SYS_readv, p[0], &v, 1);
}
static long nb_socket(void) { int s[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, s); return raw6(SYS_recvfrom, s[0], (long)KERNEL_PTR, 16, 0, 0, 0); }
static long nb_tty(void)
{
  int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
  int u = 0, n = -1;
  ioctl(m, TIOCSPTLCK, &u);
  ioctl(m, TIOCGPTN, &n);
  char name[32];
  snprintf(name, sizeof(name), "/dev/pts/%d", n);
  int s = open(name, O_RDWR | O_NOCTTY);
  return raw3(SYS_read, s, KERNEL_PTR, 16);
}
static long nb_epoll(void)
{
  int ep = epoll_create1(0);
  return raw6(SYS_epoll_pwait, ep, (long)KERNEL_PTR, 4, -1, 0, 8);
}
static long nb_ppoll(void) { return raw5(SYS_ppoll, KERNEL_PTR, 1, 0, 0, 8); }
static long nb_futex(void) { return raw6(SYS_futex, (long)KERNEL_PTR, FUTEX_WAIT, 0, 0, 0, 0); }

static void test_noblock(void)
{
  quick("noblock/read-empty-pipe-kernel-buffer", nb_pipe, -EFAULT, 3000);
  quick("noblock/readv-empty-pipe-kernel-buffer", nb_pipe_readv, -EFAULT, 3000);
  quick("noblock/recvfrom-empty-socket-kernel-buffer", nb_socket, -EFAULT, 3000);
  quick("noblock/read-idle-terminal-kernel-buffer", nb_tty, -EFAULT, 3000);
  quick("noblock/epoll-pwait-kernel-events", nb_epoll, -EFAULT, 3000);
  quick("noblock/ppoll-kernel-fds", nb_ppoll, -EFAULT, 3000);
  quick("noblock/futex-wait-kernel-address", nb_futex, -EFAULT, 3000);
}

static void test_short(void)
{
  if (skip_on_qemu("short/counts", "guest buffers are locked whole before the host call (lock_user): EFAULT"))
    return;
  char *end = last_page() + 4096 - 16;
  char path[300];
  snprintf(path, sizeof(path), "%s/edges-file", tmp);
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  char data[64];
  memset(data, 'x', sizeof(data));
  write(f, data, 64);
  CHECK_RET("short/pread-file", raw4(SYS_pread64, f, end, 32, 0), 16);
  CHECK("short/pread-file-bytes", memcmp(end, "xxxxxxxxxxxxxxxx", 16) == 0);
  memset(end, 'y', 16);
  CHECK_RET("short/pwrite-file", raw4(SYS_pwrite64, f, end, 32, 0), 16);
  char back[32] = {0};
  pread(f, back, 32, 0);
  CHECK("short/pwrite-file-wrote-what-fit", memcmp(back, "yyyyyyyyyyyyyyyyxxxxxxxxxxxxxxxx", 32) == 0);
  struct iovec v[2] = {{data, 8}, {end, 32}};
  CHECK_RET("short/preadv-file", raw4(SYS_preadv, f, v, 2, 0), 24);
  close(f);
  unlink(path);
  int z = open("/dev/zero", O_RDONLY);
  CHECK_RET("short/read-dev-zero", raw3(SYS_read, z, end, 32), 16);
  close(z);
  CHECK_RET("short/getrandom", raw3(SYS_getrandom, end, 32, 0), 16);
  int p[2];
  pipe(p);
  write(p[1], data, 32);
  CHECK_RET("short/read-pipe-efault", raw3(SYS_read, p[0], end, 32), -EFAULT);
  CHECK_RET("short/pipe-data-kept", raw3(SYS_read, p[0], data, 64), 32);
  CHECK_RET("short/write-pipe-efault", raw3(SYS_write, p[1], end, 32), -EFAULT);
  CHECK_RET("short/write-pipe-nothing-written", (fcntl(p[0], F_SETFL, O_NONBLOCK), raw3(SYS_read, p[0], data, 64)),
            -EAGAIN);
  close(p[0]);
  close(p[1]);
  int s[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, s);
  write(s[1], data, 32);
  CHECK_RET("short/recv-stream-efault", raw6(SYS_recvfrom, s[0], (long)end, 32, 0, 0, 0), -EFAULT);
  CHECK_RET("short/stream-data-kept", raw6(SYS_recvfrom, s[0], (long)data, 64, MSG_DONTWAIT, 0, 0), 32);
  close(s[0]);
  close(s[1]);
}

static void test_futex(void)
{
  CHECK_RET("futex/wake-kernel-efault", raw6(SYS_futex, (long)KERNEL_PTR, FUTEX_WAKE, 1, 0, 0, 0), -EFAULT);
  CHECK_RET("futex/wake-private-kernel-efault",
            raw6(SYS_futex, (long)KERNEL_PTR, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0), -EFAULT);
  static int w[2];
  CHECK_RET("futex/wake-misaligned-einval", raw6(SYS_futex, (long)w + 1, FUTEX_WAKE, 1, 0, 0, 0), -EINVAL);
  CHECK_RET("futex/cmp-requeue-kernel-target-efault",
            raw6(SYS_futex, (long)w, FUTEX_CMP_REQUEUE, 1, 1, (long)KERNEL_PTR, 0), -EFAULT);
  CHECK_RET("futex/wake-op-misaligned-einval", raw6(SYS_futex, (long)w, FUTEX_WAKE_OP, 1, 1, (long)w + 2, 0), -EINVAL);
  CHECK_RET("futex/wake-op-kernel-efault", raw6(SYS_futex, (long)w, FUTEX_WAKE_OP, 1, 1, (long)KERNEL_PTR, 0), -EFAULT);
  CHECK_RET("futex/wake-unmapped-private-ok",
            raw6(SYS_futex, (long)last_page() + 4096, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0), 0);
  CHECK_RET("futex/wake-unmapped-shared-efault", raw6(SYS_futex, (long)last_page() + 4096, FUTEX_WAKE, 1, 0, 0, 0),
            -EFAULT);
}

static void test_order(void)
{
  /* a socket pair: accept/recvfrom with an address but no length */
  int s[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, s);
  write(s[1], "x", 1);
  char b[16], addr[64];
  CHECK_RET("order/recvfrom-addr-without-len-efault", raw6(SYS_recvfrom, s[0], (long)b, 16, 0, (long)addr, 0), -EFAULT);
  close(s[0]);
  close(s[1]);
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof(a.sun_path), "%s/edges-sock", tmp);
  unlink(a.sun_path);
  bind(l, (void *)&a, sizeof(a));
  listen(l, 1);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (void *)&a, sizeof(a));
  CHECK_RET("order/accept4-addr-without-len-efault", raw4(SYS_accept4, l, addr, 0, 0), -EFAULT);
  close(c);
  close(l);
  unlink(a.sun_path);
  /* utimensat: a NULL path names the descriptor, which is checked first */
  CHECK_RET("order/utimensat-null-path-bad-fd-ebadf", raw4(SYS_utimensat, 9999, 0, 0, 0), -EBADF);
  CHECK_RET("order/utimensat-null-path-flags-einval", raw4(SYS_utimensat, 0, 0, 0, AT_SYMLINK_NOFOLLOW), -EINVAL);
  CHECK_RET("order/utimensat-null-path-fdcwd-efault", raw4(SYS_utimensat, AT_FDCWD, 0, 0, 0), -EFAULT);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  CHECK_RET("order/utimensat-omit-both-ignores-path", raw4(SYS_utimensat, AT_FDCWD, "/nonexistent", omit, 0), 0);
  CHECK_RET("order/sched-getparam-null-einval", raw2(SYS_sched_getparam, 0, 0), -EINVAL);
  CHECK_RET("order/sched-getparam-null-bad-pid-einval", raw2(SYS_sched_getparam, 0x3fffffff, 0), -EINVAL);
  CHECK_RET("order/sched-setparam-negative-pid-einval", raw2(SYS_sched_setparam, -1, b), -EINVAL);
  CHECK_RET("order/ioctl-tcgets-bad-fd-ebadf", raw3(SYS_ioctl, 9999, TCGETS, KERNEL_PTR), -EBADF);
  if (!skip_on_qemu("order/read-bad-fd-before-buffer", "the buffer is locked before the call (lock_user)"))
    CHECK_RET("order/read-bad-fd-before-buffer", raw3(SYS_read, 9999, KERNEL_PTR, 16), -EBADF);
  int d = open(tmp, O_RDONLY | O_DIRECTORY);
  CHECK_RET("order/read-directory-kernel-buffer-efault", raw3(SYS_read, d, KERNEL_PTR, 16), -EFAULT);
  CHECK_RET("order/read-directory-eisdir", raw3(SYS_read, d, b, 16), -EISDIR);
  close(d);
  int n = open("/dev/null", O_WRONLY);
  CHECK_RET("order/write-dev-null-kernel-buffer-efault", raw3(SYS_write, n, KERNEL_PTR, 16), -EFAULT);
  close(n);
  CHECK_RET("order/settimeofday-bad-zone-efault", raw2(SYS_settimeofday, 0, KERNEL_PTR), -EFAULT);
  int tz[2] = {16 * 60, 0};
  if (!skip_on_qemu("order/settimeofday-zone-range-einval", "the host refuses CAP_SYS_TIME to our namespace: EPERM"))
    CHECK_RET("order/settimeofday-zone-range-einval", raw2(SYS_settimeofday, 0, tz), -EINVAL);
}

static void test_misc(void)
{
  if (!skip_on_qemu("misc/getgroups-root-none", "the host's groups come through")) {
    CHECK_RET("misc/getgroups-root-none", raw2(SYS_getgroups, 0, 0), 0);
  }
  int a = epoll_create1(0), b = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {0}};
  CHECK_RET("misc/epoll-watch-epoll", raw4(SYS_epoll_ctl, a, EPOLL_CTL_ADD, b, &ev), 0);
  CHECK_RET("misc/epoll-loop-eloop", raw4(SYS_epoll_ctl, b, EPOLL_CTL_ADD, a, &ev), -ELOOP);
  CHECK_RET("misc/epoll-self-einval", raw4(SYS_epoll_ctl, a, EPOLL_CTL_ADD, a, &ev), -EINVAL);
  int c = epoll_create1(0);
  raw4(SYS_epoll_ctl, b, EPOLL_CTL_ADD, c, &ev);
  CHECK_RET("misc/epoll-longer-loop-eloop", raw4(SYS_epoll_ctl, c, EPOLL_CTL_ADD, a, &ev), -ELOOP);
  close(a);
  close(b);
  close(c);
}

int main(void)
{
  abi_family = "edges";
  const char *t = getenv("ABI_TMP");
  snprintf(tmp, sizeof(tmp), "%s", t ? t : "/tmp");
  long before = free_settled_kb();
  run_section("noblock", test_noblock, 60000);
  run_section("short", test_short, 30000);
  run_section("futex", test_futex, 30000);
  run_section("order", test_order, 30000);
  run_section("misc", test_misc, 30000);
  check_no_leak("no-leak", before);
  return abi_done();
}
