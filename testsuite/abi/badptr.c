/*
 * badptr.c — the bad-pointer matrix (testsuite/abi): every user-pointer
 * argument of every system call Kite implements, called with each kind of
 * bad pointer, each call in a forked child of its own. It prints one line
 * per case, "MATRIX <call>/<argument>/<kind> <outcome>", and nothing
 * else is checked here: testsuite/tests/badptr.sh runs this program on
 * Kite and on the reference Linux in the same QEMU and compares the lines
 * one by one (docs/hostile.md lists the differences that remain, with
 * their reasons). User space.
 *
 * Kinds of pointer (the argument named is the only bad one):
 *   null      0
 *   one       1
 *   kernel    an address in the kernel half (0xffffffc080200000)
 *   unmapped  a page nothing is mapped at (at 4 GiB)
 *   rdonly    a read-only anonymous page          (arguments written to)
 *   rofile    a read-only mapping of a file       (arguments written to)
 *   offend    16 bytes before the end of a mapping with nothing after it:
 *             a buffer or structure running off its end (bytes are 'a')
 * Outcomes: "err <name>", "ok" (or "ret <n>" where the count matters:
 * data transfers), "sig <n>" (the call killed the child), "exit <n>" (it
 * exec'd), "timeout".
 */
#include "check.h"
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

enum { K_NULL, K_ONE, K_KERNEL, K_UNMAPPED, K_RDONLY, K_ROFILE, K_OFFEND, NKINDS };
static const char *kind_name[NKINDS] = {"null", "one", "kernel", "unmapped", "rdonly", "rofile", "offend"};
static char *kind_addr[NKINDS];

static char tmp[200], file[256], dir[256], lnk[256], sockpath[256], lowexec[300];

/* ---- setup helpers (called in the case's child) ---- */

static const char data32[] = "0123456789abcdef0123456789ABCDEF";

/* a pipe holding 32 bytes; returns the read end (*w the write end) */
static int full_pipe(int *w)
{
  int p[2];
  pipe(p);
  write(p[1], data32, 32);
  if (w)
    *w = p[1];
  return p[0];
}
/* a regular file of 32 bytes, opened read-write at position 0 */
static int data_file(void)
{
  int f = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(f, data32, 32);
  lseek(f, 0, SEEK_SET);
  return f;
}
/* a connected AF_UNIX stream pair; s[0] holds 32 bytes to read */
static void unix_pair(int s[2], int type)
{
  socketpair(AF_UNIX, type, 0, s);
  write(s[1], data32, 32);
}
/* a listening AF_UNIX socket with one connection waiting */
static int listener(void)
{
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strcpy(a.sun_path, sockpath);
  unlink(sockpath);
  bind(l, (void *)&a, sizeof(a));
  listen(l, 4);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (void *)&a, sizeof(a));
  return l;
}
static int zombie_child(void)
{
  pid_t z = fork();
  if (z == 0)
    _exit(3);
  msleep(20);
  return z;
}

#define R3(n, a, b, c) raw3(n, (long)(a), (long)(b), (long)(c))
static struct timespec ts0 = {0, 0};
static char buf[4096];

/* ---- the cases: one function per (call, argument) ---- */

/* read and write (counts matter: a buffer running off a mapping gives Linux's short count) */
static long c_read_pipe(void *P) { return R3(SYS_read, full_pipe(0), P, 32); }
static long c_read_file(void *P) { return R3(SYS_read, data_file(), P, 32); }
static long c_read_zero(void *P) { return R3(SYS_read, open("/dev/zero", O_RDONLY), P, 32); }
static long c_read_proc(void *P) { return R3(SYS_read, open("/proc/meminfo", O_RDONLY), P, 32); }
static long c_read_sock(void *P) { int s[2]; unix_pair(s, SOCK_STREAM); return R3(SYS_read, s[0], P, 32); }
static long c_read_dgram(void *P) { int s[2]; unix_pair(s, SOCK_DGRAM); return R3(SYS_read, s[0], P, 32); }
static long c_read_dir(void *P) { return R3(SYS_read, open(dir, O_RDONLY | O_DIRECTORY), P, 32); }
/* a connected TCP pair over loopback; *r holds 32 bytes to read */
static int tcp_pair(int *r)
{
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
  socklen_t len = sizeof(a);
  bind(l, (void *)&a, sizeof(a));
  listen(l, 1);
  getsockname(l, (void *)&a, &len);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, (void *)&a, sizeof(a));
  *r = accept(l, 0, 0);
  write(c, data32, 32);
  msleep(20);
  return c;
}
static int pty_slave(void)
{
  int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
  int u = 0;
  ioctl(m, TIOCSPTLCK, &u);
  int n = -1;
  ioctl(m, TIOCGPTN, &n);
  char name[32];
  snprintf(name, sizeof(name), "/dev/pts/%d", n);
  int s = open(name, O_RDWR | O_NOCTTY);
  write(m, "0123456789abcdef0123456789ABCDE\n", 32);
  msleep(20);
  return s;
}
static long c_read_tcp(void *P) { int r; tcp_pair(&r); return R3(SYS_read, r, P, 32); }
static long c_write_tcp(void *P) { int r; return R3(SYS_write, tcp_pair(&r), P, 32); }
static long c_read_pty(void *P) { return R3(SYS_read, pty_slave(), P, 32); }
static long c_write_pty(void *P) { return R3(SYS_write, pty_slave(), P, 32); }
static long c_read_eventfd(void *P) { return R3(SYS_read, eventfd(3, 0), P, 8); }
static long c_read_timerfd(void *P)
{
  int t = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec v = {{0, 0}, {0, 1000}};
  timerfd_settime(t, 0, &v, 0);
  msleep(5);
  return R3(SYS_read, t, P, 8);
}
static long c_read_signalfd(void *P)
{
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  sigprocmask(SIG_BLOCK, &s, 0);
  kill(getpid(), SIGUSR2);
  return R3(SYS_read, signalfd(-1, &s, 0), P, 128);
}
static long c_read_urandom(void *P) { return R3(SYS_read, open("/dev/urandom", O_RDONLY), P, 32); }
static long c_write_pipe(void *P) { int w; full_pipe(&w); return R3(SYS_write, w, P, 32); }
static long c_write_file(void *P) { return R3(SYS_write, data_file(), P, 32); }
static long c_write_null(void *P) { return R3(SYS_write, open("/dev/null", O_WRONLY), P, 32); }
static long c_write_sock(void *P) { int s[2]; unix_pair(s, SOCK_STREAM); return R3(SYS_write, s[1], P, 32); }
static long c_write_dgram(void *P) { int s[2]; unix_pair(s, SOCK_DGRAM); return R3(SYS_write, s[1], P, 32); }
static long c_pread(void *P) { return raw4(SYS_pread64, data_file(), P, 32, 0); }
static long c_pwrite(void *P) { return raw4(SYS_pwrite64, data_file(), P, 32, 0); }
static long c_readv_iov(void *P) { return R3(SYS_readv, full_pipe(0), P, 2); }
static long c_writev_iov(void *P) { int w; full_pipe(&w); return R3(SYS_writev, w, P, 2); }
static long c_preadv_iov(void *P) { return raw4(SYS_preadv, data_file(), P, 2, 0); }
static long c_pwritev_iov(void *P) { return raw4(SYS_pwritev, data_file(), P, 2, 0); }
/* two segments: 8 good bytes, then 32 at P */
static struct iovec two(void *P, struct iovec *v)
{
  v[0] = (struct iovec){buf, 8};
  v[1] = (struct iovec){P, 32};
  return v[0];
}
static long c_readv_base(void *P) { struct iovec v[2]; two(P, v); return R3(SYS_readv, full_pipe(0), v, 2); }
static long c_readv_base_file(void *P) { struct iovec v[2]; two(P, v); return R3(SYS_readv, data_file(), v, 2); }
static long c_writev_base(void *P) { struct iovec v[2]; int w; two(P, v); full_pipe(&w); return R3(SYS_writev, w, v, 2); }
static long c_writev_base_file(void *P) { struct iovec v[2]; two(P, v); return R3(SYS_writev, data_file(), v, 2); }
static long c_preadv_base(void *P) { struct iovec v[2]; two(P, v); return raw4(SYS_preadv, data_file(), v, 2, 0); }
static long c_pwritev_base(void *P) { struct iovec v[2]; two(P, v); return raw4(SYS_pwritev, data_file(), v, 2, 0); }
static long c_getrandom(void *P) { return R3(SYS_getrandom, P, 32, 0); }
static long c_sendfile(void *P) { int w; full_pipe(&w); return raw4(SYS_sendfile, data_file(), open(file, O_RDONLY), P, 8) + 0 * w; }
static long c_cfr_in(void *P) { int f = data_file(); char f2[300]; snprintf(f2, sizeof f2, "%s2", file);
  int g = open(f2, O_RDWR | O_CREAT | O_TRUNC, 0644); return raw6(SYS_copy_file_range, f, (long)P, g, 0, 8, 0); }
static long c_cfr_out(void *P) { int f = data_file(); char f2[300]; snprintf(f2, sizeof f2, "%s2", file);
  int g = open(f2, O_RDWR | O_CREAT | O_TRUNC, 0644); return raw6(SYS_copy_file_range, f, 0, g, (long)P, 8, 0); }
static long c_getdents(void *P) { return R3(SYS_getdents64, open(dir, O_RDONLY | O_DIRECTORY), P, 512); }
static long c_getcwd(void *P) { chdir(dir); return raw2(SYS_getcwd, P, 256); }
static long c_pipe2(void *P) { return raw2(SYS_pipe2, P, 0); }
static long c_ioctl_fionread(void *P) { return R3(SYS_ioctl, full_pipe(0), FIONREAD, P); }
static long c_ioctl_tcgets(void *P) { return R3(SYS_ioctl, open("/dev/null", O_RDWR), TCGETS, P); }
static long c_fcntl_getlk(void *P) { return R3(SYS_fcntl, data_file(), F_GETLK, P); }
static long c_fcntl_setlk(void *P) { return R3(SYS_fcntl, data_file(), F_SETLK, P); }

/* path names */
#define AT AT_FDCWD
static long c_openat(void *P) { return raw4(SYS_openat, AT, P, O_RDONLY, 0); }
static long c_mkdirat(void *P) { return R3(SYS_mkdirat, AT, P, 0755); }
static long c_mknodat(void *P) { return raw4(SYS_mknodat, AT, P, S_IFIFO | 0644, 0); }
static long c_unlinkat(void *P) { return R3(SYS_unlinkat, AT, P, 0); }
static long c_symlink_target(void *P) { char n[300]; snprintf(n, sizeof n, "%s/new-link", tmp); return R3(SYS_symlinkat, P, AT, n); }
static long c_symlink_path(void *P) { return R3(SYS_symlinkat, file, AT, P); }
static long c_link_old(void *P) { char n[300]; snprintf(n, sizeof n, "%s/new-hard", tmp); return raw5(SYS_linkat, AT, P, AT, n, 0); }
static long c_link_new(void *P) { data_file(); return raw5(SYS_linkat, AT, file, AT, P, 0); }
static long c_rename_old(void *P) { char n[300]; snprintf(n, sizeof n, "%s/new-name", tmp); return raw5(SYS_renameat2, AT, P, AT, n, 0); }
static long c_rename_new(void *P) { data_file(); return raw5(SYS_renameat2, AT, file, AT, P, 0); }
static long c_faccessat(void *P) { return R3(SYS_faccessat, AT, P, F_OK); }
static long c_faccessat2(void *P) { return raw4(SYS_faccessat2, AT, P, F_OK, 0); }
static long c_chdir(void *P) { return raw1(SYS_chdir, P); }
static long c_chroot(void *P) { return raw1(SYS_chroot, P); }
static long c_fchmodat(void *P) { return R3(SYS_fchmodat, AT, P, 0644); }
static long c_fchownat(void *P) { return raw5(SYS_fchownat, AT, P, 0, 0, 0); }
static long c_truncate(void *P) { return raw2(SYS_truncate, P, 0); }
static long c_statfs_path(void *P) { return raw2(SYS_statfs, P, buf); }
static long c_statfs_buf(void *P) { return raw2(SYS_statfs, "/", P); }
static long c_fstatfs(void *P) { return raw2(SYS_fstatfs, data_file(), P); }
static long c_fstatat_path(void *P) { return raw4(SYS_newfstatat, AT, P, buf, 0); }
static long c_fstatat_buf(void *P) { data_file(); return raw4(SYS_newfstatat, AT, file, P, 0); }
static long c_fstat(void *P) { return raw2(SYS_fstat, data_file(), P); }
static long c_statx_path(void *P) { return raw5(SYS_statx, AT, P, 0, 0x7ff, buf); }
static long c_statx_buf(void *P) { data_file(); return raw5(SYS_statx, AT, file, 0, 0x7ff, P); }
static long c_readlink_path(void *P) { return raw4(SYS_readlinkat, AT, P, buf, 256); }
static long c_readlink_buf(void *P) { return raw4(SYS_readlinkat, AT, lnk, P, 256); }
static long c_utimensat_path(void *P) { return raw4(SYS_utimensat, AT, P, 0, 0); }
static long c_utimensat_times(void *P) { data_file(); return raw4(SYS_utimensat, AT, file, P, 0); }
static long c_umount2(void *P) { return raw2(SYS_umount2, P, 0); }
static long c_mount_source(void *P) { return raw5(SYS_mount, P, dir, "tmpfs", 0, 0); }
static long c_mount_target(void *P) { return raw5(SYS_mount, "none", P, "tmpfs", 0, 0); }
static long c_mount_fstype(void *P) { return raw5(SYS_mount, "none", dir, P, 0, 0); }
static long c_mount_data(void *P) { return raw5(SYS_mount, "none", dir, "tmpfs", 0, P); }
static long c_memfd(void *P) { return raw2(SYS_memfd_create, P, 0); }
static long c_exec_path(void *P) { return R3(SYS_execve, P, 0, 0); }
static long c_exec_argv(void *P) { return R3(SYS_execve, lowexec, P, 0); }
static long c_exec_envp(void *P) { char *argv[] = {"lowexec", 0}; return R3(SYS_execve, lowexec, argv, P); }
static long c_exec_argv_str(void *P) { char *argv[] = {"lowexec", P, 0}; return R3(SYS_execve, lowexec, argv, 0); }

/* polling and waiting */
static long c_epoll_ctl(void *P) { int ep = epoll_create1(0); return raw4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, full_pipe(0), P); }
static int ready_epoll(void)
{
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {0}};
  epoll_ctl(ep, EPOLL_CTL_ADD, full_pipe(0), &ev);
  return ep;
}
static long c_epoll_events(void *P) { return raw6(SYS_epoll_pwait, ready_epoll(), (long)P, 4, 0, 0, 8); }
static long c_epoll_sigmask(void *P) { return raw6(SYS_epoll_pwait, ready_epoll(), (long)buf, 4, 0, (long)P, 8); }
static long c_ppoll_fds(void *P) { return raw5(SYS_ppoll, P, 1, &ts0, 0, 8); }
static long c_ppoll_timeout(void *P) { struct pollfd p = {full_pipe(0), POLLIN, 0}; return raw5(SYS_ppoll, &p, 1, P, 0, 8); }
static long c_ppoll_sigmask(void *P) { struct pollfd p = {full_pipe(0), POLLIN, 0}; return raw5(SYS_ppoll, &p, 1, &ts0, P, 8); }
static long c_pselect_set(void *P) { int r = full_pipe(0); return raw6(SYS_pselect6, r + 1, (long)P, 0, 0, (long)&ts0, 0); }
static long c_pselect_wset(void *P) { int r = full_pipe(0); return raw6(SYS_pselect6, r + 1, 0, (long)P, 0, (long)&ts0, 0); }
static long c_pselect_eset(void *P) { int r = full_pipe(0); return raw6(SYS_pselect6, r + 1, 0, 0, (long)P, (long)&ts0, 0); }
static long c_pselect_timeout(void *P) { return raw6(SYS_pselect6, 0, 0, 0, 0, (long)P, 0); }
static long c_pselect_sigmask(void *P) { return raw6(SYS_pselect6, 0, 0, 0, 0, (long)&ts0, (long)P); }
static long c_futex_wait(void *P) { struct timespec t = {0, 10000000}; return raw6(SYS_futex, (long)P, FUTEX_WAIT, 0, (long)&t, 0, 0); }
static long c_futex_wake(void *P) { return raw6(SYS_futex, (long)P, FUTEX_WAKE, 1, 0, 0, 0); }
static long c_futex_wake_private(void *P) { return raw6(SYS_futex, (long)P, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0); }
static long c_futex_timeout(void *P) { static int w = 0; return raw6(SYS_futex, (long)&w, FUTEX_WAIT, 0, (long)P, 0, 0); }
static long c_futex_uaddr2(void *P) { static int w = 0; return raw6(SYS_futex, (long)&w, FUTEX_CMP_REQUEUE, 1, 1, (long)P, 0); }
static long c_futex_wake_op(void *P) { static int w = 0; return raw6(SYS_futex, (long)&w, FUTEX_WAKE_OP, 1, 1, (long)P, 0); }
static long c_wait4_status(void *P) { return raw4(SYS_wait4, zombie_child(), P, 0, 0); }
static long c_wait4_rusage(void *P) { return raw4(SYS_wait4, zombie_child(), 0, 0, P); }
static long c_waitid_info(void *P) { return raw5(SYS_waitid, P_PID, zombie_child(), P, WEXITED, 0); }
static long c_waitid_rusage(void *P) { return raw5(SYS_waitid, P_PID, zombie_child(), buf, WEXITED, P); }
static long c_signalfd(void *P) { return raw4(SYS_signalfd4, -1, P, 8, 0); }
static long c_timerfd_set_new(void *P) { return raw4(SYS_timerfd_settime, timerfd_create(CLOCK_MONOTONIC, 0), 0, P, 0); }
static long c_timerfd_set_old(void *P) { struct itimerspec v = {{0, 0}, {100, 0}};
  return raw4(SYS_timerfd_settime, timerfd_create(CLOCK_MONOTONIC, 0), 0, &v, P); }
static long c_timerfd_get(void *P) { return raw2(SYS_timerfd_gettime, timerfd_create(CLOCK_MONOTONIC, 0), P); }

/* time */
static long c_nanosleep_req(void *P) { return raw2(SYS_nanosleep, P, 0); }
static long c_nanosleep_rem(void *P) { struct timespec t = {0, 1000}; return raw2(SYS_nanosleep, &t, P); }
static long c_cnanosleep_req(void *P) { return raw4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, P, 0); }
static long c_cnanosleep_rem(void *P) { struct timespec t = {0, 1000}; return raw4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &t, P); }
static long c_clock_gettime(void *P) { return raw2(SYS_clock_gettime, CLOCK_MONOTONIC, P); }
static long c_clock_getres(void *P) { return raw2(SYS_clock_getres, CLOCK_MONOTONIC, P); }
static long c_gettimeofday_tv(void *P) { return raw2(SYS_gettimeofday, P, 0); }
static long c_gettimeofday_tz(void *P) { return raw2(SYS_gettimeofday, buf, P); }
static long c_settimeofday_tv(void *P) { return raw2(SYS_settimeofday, P, 0); }
static long c_settimeofday_tz(void *P) { return raw2(SYS_settimeofday, 0, P); }
static long c_getitimer(void *P) { return raw2(SYS_getitimer, ITIMER_REAL, P); }
static long c_setitimer_new(void *P) { return R3(SYS_setitimer, ITIMER_REAL, P, 0); }
static long c_setitimer_old(void *P) { struct itimerval v = {{0, 0}, {0, 0}}; return R3(SYS_setitimer, ITIMER_REAL, &v, P); }
static long c_times(void *P) { return raw1(SYS_times, P) < 0 ? raw1(SYS_times, P) : 0; }

/* signals */
static long c_sigaction_new(void *P) { return raw4(SYS_rt_sigaction, SIGUSR1, P, 0, 8); }
static long c_sigaction_old(void *P) { return raw4(SYS_rt_sigaction, SIGUSR1, 0, P, 8); }
static long c_sigprocmask_new(void *P) { return raw4(SYS_rt_sigprocmask, SIG_BLOCK, P, 0, 8); }
static long c_sigprocmask_old(void *P) { return raw4(SYS_rt_sigprocmask, SIG_BLOCK, 0, P, 8); }
static long c_sigpending(void *P) { return raw2(SYS_rt_sigpending, P, 8); }
static void on_usr1(int s) { (void)s; }
static long c_sigsuspend(void *P)
{
  signal(SIGUSR1, on_usr1);
  pid_t me = getpid();
  if (fork() == 0) {
    msleep(50);
    kill(me, SIGUSR1);
    _exit(0);
  }
  return raw2(SYS_rt_sigsuspend, P, 8);
}
static long c_sigtimedwait_set(void *P) { return raw4(SYS_rt_sigtimedwait, P, 0, &ts0, 8); }
static long c_sigtimedwait_info(void *P)
{
  uint64_t set = SIGBIT(SIGUSR2);
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, &set, 0, 8);
  kill(getpid(), SIGUSR2);
  return raw4(SYS_rt_sigtimedwait, &set, P, &ts0, 8);
}
static long c_sigtimedwait_timeout(void *P) { uint64_t set = SIGBIT(SIGUSR2); return raw4(SYS_rt_sigtimedwait, &set, 0, P, 8); }
static long c_sigqueueinfo(void *P) { signal(SIGUSR1, SIG_IGN); return R3(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, P); }
static long c_sigaltstack_new(void *P) { return raw2(SYS_sigaltstack, P, 0); }
static long c_sigaltstack_old(void *P) { return raw2(SYS_sigaltstack, 0, P); }

/* processes, ids, limits, system information */
static long c_uname(void *P) { return raw1(SYS_uname, P); }
static long c_sysinfo(void *P) { return raw1(SYS_sysinfo, P); }
static long c_getrusage(void *P) { return raw2(SYS_getrusage, RUSAGE_SELF, P); }
static long c_getrlimit(void *P) { return raw2(SYS_getrlimit, RLIMIT_NOFILE, P); }
static long c_setrlimit(void *P) { return raw2(SYS_setrlimit, RLIMIT_NOFILE, P); }
static long c_prlimit_new(void *P) { return raw4(SYS_prlimit64, 0, RLIMIT_NOFILE, P, 0); }
static long c_prlimit_old(void *P) { return raw4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, P); }
static long c_getresuid_r(void *P) { return R3(SYS_getresuid, P, buf, buf + 8); }
static long c_getresuid_e(void *P) { return R3(SYS_getresuid, buf, P, buf + 8); }
static long c_getresuid_s(void *P) { return R3(SYS_getresuid, buf, buf + 8, P); }
static long c_getresgid_r(void *P) { return R3(SYS_getresgid, P, buf, buf + 8); }
static long c_getresgid_e(void *P) { return R3(SYS_getresgid, buf, P, buf + 8); }
static long c_getresgid_s(void *P) { return R3(SYS_getresgid, buf, buf + 8, P); }
static long c_getgroups(void *P) { return raw2(SYS_getgroups, 64, P); }
static long c_setgroups(void *P) { return raw2(SYS_setgroups, 8, P); }
static long c_sethostname(void *P) { return raw2(SYS_sethostname, P, 32); }
static long c_setdomainname(void *P) { return raw2(SYS_setdomainname, P, 32); }
static long c_getcpu_cpu(void *P) { return R3(SYS_getcpu, P, 0, 0); }
static long c_getcpu_node(void *P) { return R3(SYS_getcpu, 0, P, 0); }
static long c_getcpu_cache(void *P) { return R3(SYS_getcpu, 0, 0, P); }
static long c_sched_setparam(void *P) { return raw2(SYS_sched_setparam, 0, P); }
static long c_sched_getparam(void *P) { return raw2(SYS_sched_getparam, 0, P); }
static long c_sched_setscheduler(void *P) { return R3(SYS_sched_setscheduler, 0, SCHED_OTHER, P); }
static long c_sched_setaffinity(void *P) { return R3(SYS_sched_setaffinity, 0, 8, P); }
static long c_sched_getaffinity(void *P) { return R3(SYS_sched_getaffinity, 0, 8, P); }
static long c_syslog(void *P) { return R3(SYS_syslog, 3, P, 4096); }
static long c_prctl_set_name(void *P) { return raw5(SYS_prctl, 15, P, 0, 0, 0); }
static long c_prctl_get_name(void *P) { return raw5(SYS_prctl, 16, P, 0, 0, 0); }
static long c_reboot(void *P) { return raw4(SYS_reboot, 0xfee1dead, 672274793, 0xa1b2c3d4, P); }
static long c_set_tid_address(void *P) { return raw1(SYS_set_tid_address, P) > 0 ? 0 : -1; }
static long c_set_robust_list(void *P) { return raw2(SYS_set_robust_list, P, 24); }
static long c_get_robust_head(void *P) { return R3(SYS_get_robust_list, 0, P, buf); }
static long c_get_robust_len(void *P) { return R3(SYS_get_robust_list, 0, buf, P); }
static long clone_ret(long r) { if (r == 0) _exit(0); return r > 0 ? 0 : r; }
static long c_clone_newsp(void *P) { return clone_ret(raw5(SYS_clone, SIGCHLD, P, 0, 0, 0)); }
static long c_clone_ptid(void *P) { return clone_ret(raw5(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID, 0, P, 0, 0)); }
static long c_clone_tls(void *P) { return clone_ret(raw5(SYS_clone, SIGCHLD | CLONE_SETTLS, 0, 0, P, 0)); }
static long c_clone_ctid(void *P) { return clone_ret(raw5(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, 0, P)); }

/* memory */
static long c_brk(void *P) { long cur = raw1(SYS_brk, 0); return raw1(SYS_brk, P) == cur ? 0 : 1; }
static long c_munmap(void *P) { return raw2(SYS_munmap, P, 4096); }
static long c_mremap_old(void *P) { long r = raw5(SYS_mremap, P, 4096, 8192, 1, 0); return r > 0 ? 0 : r; }
static long c_mremap_new(void *P) { void *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long r = raw5(SYS_mremap, m, 4096, 4096, 3, P); return r > 0 ? 0 : r; }
static long c_mmap(void *P) { long r = raw6(SYS_mmap, (long)P, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  return r > 0 || r < -4096 ? (r == (long)P ? 0 : 1) : r; }
static long c_mprotect(void *P) { return R3(SYS_mprotect, P, 4096, PROT_READ); }
static long c_msync(void *P) { return R3(SYS_msync, P, 4096, MS_SYNC); }
static long c_mlock(void *P) { return raw2(SYS_mlock, P, 4096); }
static long c_munlock(void *P) { return raw2(SYS_munlock, P, 4096); }
static long c_mlock2(void *P) { return raw3(284 /* mlock2 */, P, 4096, 0); }
static long c_mincore_addr(void *P) { return R3(SYS_mincore, P, 4096, buf); }
static long c_mincore_vec(void *P) { void *m = mmap(0, 4096 * 40, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); return R3(SYS_mincore, m, 4096 * 40, P); }
static long c_madvise(void *P) { return R3(SYS_madvise, P, 4096, MADV_DONTNEED); }
static long c_remap_file_pages(void *P) { return raw5(234 /* remap_file_pages */, P, 4096, 0, 0, 0); }
static long c_flush_icache_start(void *P) { return R3(259, P, (char *)P + 64, 0); }
static long c_flush_icache_end(void *P) { return R3(259, buf, P, 0); }

/* sockets */
static long c_socketpair(void *P) { return raw4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, P); }
static long c_bind(void *P) { return R3(SYS_bind, socket(AF_UNIX, SOCK_STREAM, 0), P, sizeof(struct sockaddr_un)); }
static long c_bind_inet(void *P) { return R3(SYS_bind, socket(AF_INET, SOCK_DGRAM, 0), P, 16); }
static long c_connect(void *P) { listener(); return R3(SYS_connect, socket(AF_UNIX, SOCK_STREAM, 0), P, sizeof(struct sockaddr_un)); }
static long c_accept_addr(void *P) { int len = sizeof(struct sockaddr_un); return R3(SYS_accept, listener(), P, &len); }
static long c_accept_len(void *P) { return R3(SYS_accept, listener(), buf, P); }
static long c_accept4_addr(void *P) { int len = sizeof(struct sockaddr_un); return raw4(SYS_accept4, listener(), P, &len, 0); }
static long c_accept4_len(void *P) { return raw4(SYS_accept4, listener(), buf, P, 0); }
static long c_getsockname_addr(void *P) { int len = 110, s[2]; unix_pair(s, SOCK_STREAM); return R3(SYS_getsockname, s[0], P, &len); }
static long c_getsockname_len(void *P) { int s[2]; unix_pair(s, SOCK_STREAM); return R3(SYS_getsockname, s[0], buf, P); }
static long c_getpeername_addr(void *P) { int len = 110, s[2]; unix_pair(s, SOCK_STREAM); return R3(SYS_getpeername, s[0], P, &len); }
static long c_getpeername_len(void *P) { int s[2]; unix_pair(s, SOCK_STREAM); return R3(SYS_getpeername, s[0], buf, P); }
static long c_sendto_buf(void *P) { int s[2]; unix_pair(s, SOCK_STREAM); return raw6(SYS_sendto, s[1], (long)P, 32, 0, 0, 0); }
static long c_sendto_addr(void *P) { int s = socket(AF_INET, SOCK_DGRAM, 0); return raw6(SYS_sendto, s, (long)"x", 1, 0, (long)P, 16); }
static long c_recvfrom_buf(void *P) { int s[2]; unix_pair(s, SOCK_STREAM); return raw6(SYS_recvfrom, s[0], (long)P, 32, 0, 0, 0); }
static long c_recvfrom_addr(void *P) { int s[2], len = 16; unix_pair(s, SOCK_DGRAM); return raw6(SYS_recvfrom, s[0], (long)buf, 32, 0, (long)P, (long)&len); }
static long c_recvfrom_len(void *P) { int s[2]; unix_pair(s, SOCK_DGRAM); return raw6(SYS_recvfrom, s[0], (long)buf, 32, 0, (long)buf + 64, (long)P); }
static long c_setsockopt(void *P) { return raw5(SYS_setsockopt, socket(AF_UNIX, SOCK_STREAM, 0), SOL_SOCKET, SO_RCVBUF, (long)P, 4); }
static long c_getsockopt_val(void *P) { int len = 4; return raw5(SYS_getsockopt, socket(AF_UNIX, SOCK_STREAM, 0), SOL_SOCKET, SO_RCVBUF, (long)P, (long)&len); }
static long c_getsockopt_len(void *P) { return raw5(SYS_getsockopt, socket(AF_UNIX, SOCK_STREAM, 0), SOL_SOCKET, SO_RCVBUF, (long)buf, (long)P); }
/* a msghdr whose one field `which` is P (0: the header itself) */
static long msg_call(int send, int which, void *P)
{
  int s[2];
  unix_pair(s, SOCK_DGRAM);
  static struct iovec iov;
  static struct msghdr m;
  static char name[64], ctl[64];
  iov = (struct iovec){buf, 32};
  m = (struct msghdr){.msg_name = name, .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                      .msg_controllen = sizeof(ctl)};
  if (which == 1)
    iov.iov_base = P;
  if (which == 2) {
    m.msg_name = P;
    m.msg_namelen = send ? 16 : 64;
  }
  if (which == 3)
    m.msg_control = P;
  if (which == 4)
    m.msg_iov = P;
  if (send) {
    if (which != 2)
      m.msg_namelen = 0;
    if (which != 3) {
      m.msg_control = 0;
      m.msg_controllen = 0;
    } else {
      m.msg_controllen = 32;
    }
    return R3(SYS_sendmsg, which == 2 ? socket(AF_INET, SOCK_DGRAM, 0) : s[1], which ? (void *)&m : P, 0);
  }
  return R3(SYS_recvmsg, s[0], which ? (void *)&m : P, 0);
}
static long c_sendmsg_msg(void *P) { return msg_call(1, 0, P); }
static long c_sendmsg_base(void *P) { return msg_call(1, 1, P); }
static long c_sendmsg_name(void *P) { return msg_call(1, 2, P); }
static long c_sendmsg_control(void *P) { return msg_call(1, 3, P); }
static long c_sendmsg_iov(void *P) { return msg_call(1, 4, P); }
static long c_recvmsg_msg(void *P) { return msg_call(0, 0, P); }
static long c_recvmsg_base(void *P) { return msg_call(0, 1, P); }
static long c_recvmsg_name(void *P) { return msg_call(0, 2, P); }
static long c_recvmsg_control(void *P) { return msg_call(0, 3, P); }
static long c_recvmsg_iov(void *P) { return msg_call(0, 4, P); }
static long c_recvmmsg_vec(void *P) { int s[2]; unix_pair(s, SOCK_DGRAM); return raw5(SYS_recvmmsg, s[0], (long)P, 1, MSG_DONTWAIT, 0); }
static long c_recvmmsg_timeout(void *P)
{
  int s[2];
  unix_pair(s, SOCK_DGRAM);
  struct iovec iov = {buf, 32};
  struct mmsghdr mm = {.msg_hdr = {.msg_iov = &iov, .msg_iovlen = 1}};
  return raw5(SYS_recvmmsg, s[0], (long)&mm, 1, MSG_DONTWAIT, (long)P);
}
static long c_sendmmsg_vec(void *P) { int s[2]; unix_pair(s, SOCK_DGRAM); return raw4(SYS_sendmmsg, s[1], P, 1, 0); }

/* extended attributes, inotify, root, POSIX timers, clock adjustment */
#define XN "trusted.badptr" /* (user.* on tmpfs is Linux 6.6 and later) */
static long c_setxattr_path(void *P) { return raw5(SYS_setxattr, P, XN, "v", 1, 0); }
static long c_setxattr_name(void *P) { data_file(); return raw5(SYS_setxattr, file, P, "v", 1, 0); }
static long c_setxattr_value(void *P) { data_file(); return raw5(SYS_setxattr, file, XN, P, 32, 0); }
static long c_lsetxattr_path(void *P) { return raw5(SYS_lsetxattr, P, XN, "v", 1, 0); }
static long c_lsetxattr_name(void *P) { data_file(); return raw5(SYS_lsetxattr, file, P, "v", 1, 0); }
static long c_lsetxattr_value(void *P) { data_file(); return raw5(SYS_lsetxattr, file, XN, P, 32, 0); }
static long c_fsetxattr_name(void *P) { return raw5(SYS_fsetxattr, data_file(), P, "v", 1, 0); }
static long c_fsetxattr_value(void *P) { return raw5(SYS_fsetxattr, data_file(), XN, P, 32, 0); }
static int with_xattr(void) { int f = data_file(); raw5(SYS_fsetxattr, f, XN, data32, 32, 0); return f; }
static long c_getxattr_path(void *P) { return raw4(SYS_getxattr, P, XN, buf, 64); }
static long c_getxattr_name(void *P) { with_xattr(); return raw4(SYS_getxattr, file, P, buf, 64); }
static long c_getxattr_value(void *P) { with_xattr(); return raw4(SYS_getxattr, file, XN, P, 64); }
static long c_lgetxattr_path(void *P) { return raw4(SYS_lgetxattr, P, XN, buf, 64); }
static long c_lgetxattr_name(void *P) { with_xattr(); return raw4(SYS_lgetxattr, file, P, buf, 64); }
static long c_lgetxattr_value(void *P) { with_xattr(); return raw4(SYS_lgetxattr, file, XN, P, 64); }
static long c_fgetxattr_name(void *P) { return raw4(SYS_fgetxattr, with_xattr(), P, buf, 64); }
static long c_fgetxattr_value(void *P) { return raw4(SYS_fgetxattr, with_xattr(), XN, P, 64); }
static long c_listxattr_path(void *P) { return R3(SYS_listxattr, P, buf, 64); }
static long c_listxattr_list(void *P) { with_xattr(); return R3(SYS_listxattr, file, P, 64); }
static long c_llistxattr_path(void *P) { return R3(SYS_llistxattr, P, buf, 64); }
static long c_llistxattr_list(void *P) { with_xattr(); return R3(SYS_llistxattr, file, P, 64); }
static long c_flistxattr_list(void *P) { return R3(SYS_flistxattr, with_xattr(), P, 64); }
static long c_removexattr_path(void *P) { return raw2(SYS_removexattr, P, XN); }
static long c_removexattr_name(void *P) { with_xattr(); return raw2(SYS_removexattr, file, P); }
static long c_lremovexattr_path(void *P) { return raw2(SYS_lremovexattr, P, XN); }
static long c_lremovexattr_name(void *P) { with_xattr(); return raw2(SYS_lremovexattr, file, P); }
static long c_fremovexattr_name(void *P) { return raw2(SYS_fremovexattr, with_xattr(), P); }
static long c_inotify_add_watch(void *P) { return R3(SYS_inotify_add_watch, raw1(SYS_inotify_init1, 0), P, 0xfff); }
static long c_pivot_root_new(void *P) { return raw2(SYS_pivot_root, P, dir); }
static long c_pivot_root_old(void *P) { return raw2(SYS_pivot_root, "/", P); }
static long c_timer_create_sevp(void *P) { int id; return R3(SYS_timer_create, CLOCK_MONOTONIC, P, &id); }
static long c_timer_create_id(void *P) { return R3(SYS_timer_create, CLOCK_MONOTONIC, 0, P); }
static int a_timer(void) { int id = -1; raw3(SYS_timer_create, CLOCK_MONOTONIC, 0, (long)&id); return id; }
static long c_timer_gettime(void *P) { return raw2(SYS_timer_gettime, a_timer(), P); }
static long c_timer_settime_new(void *P) { return raw4(SYS_timer_settime, a_timer(), 0, P, 0); }
static long c_timer_settime_old(void *P) { struct itimerspec v = {{0, 0}, {100, 0}}; return raw4(SYS_timer_settime, a_timer(), 0, &v, P); }
static long c_clock_settime(void *P) { return raw2(SYS_clock_settime, CLOCK_REALTIME, P); }
static long c_adjtimex(void *P) { return raw1(SYS_adjtimex, P) >= 0 ? 0 : raw1(SYS_adjtimex, P); }
static long c_clock_adjtime(void *P) { long r = raw2(SYS_clock_adjtime, CLOCK_REALTIME, P); return r >= 0 ? 0 : r; }

/* capabilities and System V IPC (each object is removed again) */
struct cap_header { uint32_t version; int pid; };
static long c_capget_header(void *P) { uint32_t d[6]; return raw2(SYS_capget, P, d); }
static long c_capget_data(void *P) { struct cap_header h = {0x20080522, 0}; return raw2(SYS_capget, &h, P); }
static long c_capset_header(void *P) { uint32_t d[6] = {0}; return raw2(SYS_capset, P, d); }
static long c_capset_data(void *P) { struct cap_header h = {0x20080522, 0}; return raw2(SYS_capset, &h, P); }
#define IPC_PRIVATE_ 0
#define IPC_RMID_ 0
#define IPC_STAT_ 2
#define IPC_NOWAIT_ 04000
static long rmid(long r, long sys, int id) { raw3(sys, id, IPC_RMID_, 0); return r; }
static long c_msgsnd(void *P) { int q = (int)raw2(SYS_msgget, IPC_PRIVATE_, 0600); return rmid(raw4(SYS_msgsnd, q, P, 16, IPC_NOWAIT_), SYS_msgctl, q); }
static long c_msgrcv(void *P)
{
  int q = (int)raw2(SYS_msgget, IPC_PRIVATE_, 0600);
  struct { long type; char text[32]; } m = {1, "0123456789abcdef0123456789abcde"};
  raw4(SYS_msgsnd, q, &m, 32, IPC_NOWAIT_);
  return rmid(raw5(SYS_msgrcv, q, (long)P, 32, 0, IPC_NOWAIT_), SYS_msgctl, q);
}
static long c_msgctl(void *P) { int q = (int)raw2(SYS_msgget, IPC_PRIVATE_, 0600); return rmid(R3(SYS_msgctl, q, IPC_STAT_, P), SYS_msgctl, q); }
static long c_semop(void *P) { int s = (int)R3(SYS_semget, IPC_PRIVATE_, 1, 0600); return rmid(R3(SYS_semop, s, P, 1), SYS_semctl, s); }
static long c_semtimedop_sops(void *P) { int s = (int)R3(SYS_semget, IPC_PRIVATE_, 1, 0600);
  return rmid(raw4(SYS_semtimedop, s, P, 1, &ts0), SYS_semctl, s); }
static long c_semtimedop_timeout(void *P)
{
  int s = (int)R3(SYS_semget, IPC_PRIVATE_, 1, 0600);
  short op[3] = {0, -1, IPC_NOWAIT_ == 0 ? 0 : 0}; /* wait for a count that never comes */
  return rmid(raw4(SYS_semtimedop, s, op, 1, P), SYS_semctl, s);
}
static long c_shmat(void *P)
{
  int m = (int)R3(SYS_shmget, IPC_PRIVATE_, 4096, 0600);
  long r = R3(SYS_shmat, m, P, 0);
  return rmid(r > 0 || r < -4096 ? 0 : r, SYS_shmctl, m);
}
static long c_shmctl(void *P) { int m = (int)R3(SYS_shmget, IPC_PRIVATE_, 4096, 0600); return rmid(R3(SYS_shmctl, m, IPC_STAT_, P), SYS_shmctl, m); }
static long c_shmdt(void *P) { return raw1(SYS_shmdt, P); }

static long c_sched_getattr(void *P) { return raw4(SYS_sched_getattr, 0, P, 56, 0); }
static long c_sched_setattr(void *P) { return R3(SYS_sched_setattr, 0, P, 0); }
static long c_sched_rr_interval(void *P) { return raw2(SYS_sched_rr_get_interval, 0, P); }

struct waitv { uint64_t val, uaddr; uint32_t flags, reserved; };
static long c_futex_waitv_waiters(void *P) { return raw5(449, (long)P, 1, 0, (long)&ts0, CLOCK_MONOTONIC); }
static long c_futex_waitv_timeout(void *P)
{
  static uint32_t word = 1;
  struct waitv w = {0, (uint64_t)(uintptr_t)&word, 2 /* FUTEX2_SIZE_U32 */, 0};
  return raw5(449, (long)&w, 1, 0, (long)P, CLOCK_MONOTONIC);
}

/* the calls added after the matrix was first written (numbers: riscv64) */
static long c_clone3_args(void *P) { return raw2(435, (long)P, 88); }
static long c_epoll_pwait2_events(void *P) { return raw6(441, ready_epoll(), (long)P, 4, (long)&ts0, 0, 8); }
static long c_epoll_pwait2_sigmask(void *P) { return raw6(441, ready_epoll(), (long)buf, 4, (long)&ts0, (long)P, 8); }
static long c_epoll_pwait2_timeout(void *P) { return raw6(441, ready_epoll(), (long)buf, 4, (long)P, 0, 8); }
static long c_execveat_path(void *P) { return raw5(281, AT, (long)P, 0, 0, 0); }
static long c_execveat_argv(void *P) { return raw5(281, AT, (long)lowexec, (long)P, 0, 0); }
static long c_execveat_envp(void *P) { char *argv[] = {"lowexec", 0}; return raw5(281, AT, (long)lowexec, (long)argv, (long)P, 0); }
struct kite_mq_attr { long flags, maxmsg, msgsize, curmsgs, pad[4]; };
static int mq_fd(void)
{
  char name[64];
  snprintf(name, sizeof(name), "/badptr-%d", (int)getpid());
  struct kite_mq_attr a = {0, 4, 32, 0, {0}};
  int q = raw4(180, (long)name, O_RDWR | O_CREAT | O_NONBLOCK, 0600, (long)&a);
  raw1(181, (long)name);
  if (q >= 0)
    raw5(182, q, (long)data32, 8, 0, 0);
  return q;
}
static long c_mq_open_name(void *P) { return raw4(180, (long)P, O_RDWR | O_CREAT, 0600, 0); }
static long c_mq_open_attr(void *P) { return raw4(180, (long)"/badptr-attr", O_RDWR | O_CREAT | O_EXCL, 0600, (long)P) + 0 * raw1(181, (long)"/badptr-attr"); }
static long c_mq_unlink_name(void *P) { return raw1(181, (long)P); }
static long c_mq_send_msg(void *P) { return raw5(182, mq_fd(), (long)P, 8, 0, 0); }
static long c_mq_send_timeout(void *P) { int q = mq_fd(); raw5(182, q, (long)data32, 8, 0, 0); raw5(182, q, (long)data32, 8, 0, 0); raw5(182, q, (long)data32, 8, 0, 0);
  struct kite_mq_attr a = {0, 0, 0, 0, {0}}; raw3(185, q, (long)&a, 0); return raw5(182, q, (long)data32, 8, 0, (long)P); }
static long c_mq_receive_msg(void *P) { return raw5(183, mq_fd(), (long)P, 32, 0, 0); }
static long c_mq_receive_prio(void *P) { return raw5(183, mq_fd(), (long)buf, 32, (long)P, 0); }
static long c_mq_receive_timeout(void *P) { int q = mq_fd(); raw5(183, q, (long)buf, 32, 0, 0); return raw5(183, q, (long)buf, 32, 0, (long)P); }
static long c_mq_notify_sevp(void *P) { return raw2(184, mq_fd(), (long)P); }
static long c_mq_getsetattr_new(void *P) { return raw3(185, mq_fd(), (long)P, 0); }
static long c_mq_getsetattr_old(void *P) { return raw3(185, mq_fd(), 0, (long)P); }
static long c_openat2_path(void *P) { uint64_t how[3] = {O_RDONLY, 0, 0}; return raw4(437, AT, (long)P, (long)how, 24); }
static long c_openat2_how(void *P) { return raw4(437, AT, (long)file, (long)P, 24); }
static long c_pidfd_send_signal_info(void *P) { signal(SIGUSR1, SIG_IGN); int pfd = raw2(434, getpid(), 0); return raw4(424, pfd, SIGUSR1, (long)P, 0); }
static long c_preadv2_iov(void *P) { return raw6(286, data_file(), (long)P, 2, 0, 0, 0); }
static long c_pwritev2_iov(void *P) { return raw6(287, data_file(), (long)P, 2, 0, 0, 0); }
static long c_vm_readv_lvec(void *P) { struct iovec r = {buf, 8}; return raw6(270, getpid(), (long)P, 1, (long)&r, 1, 0); }
static long c_vm_readv_rvec(void *P) { struct iovec l = {buf, 8}; return raw6(270, getpid(), (long)&l, 1, (long)P, 1, 0); }
static long c_vm_writev_lvec(void *P) { struct iovec r = {buf, 8}; return raw6(271, getpid(), (long)P, 1, (long)&r, 1, 0); }
static long c_vm_writev_rvec(void *P) { struct iovec l = {buf, 8}; return raw6(271, getpid(), (long)&l, 1, (long)P, 1, 0); }
static long c_hwprobe_pairs(void *P) { return raw5(258, (long)P, 1, 0, 0, 0); }
static long c_hwprobe_cpus(void *P) { int64_t pair[2] = {0, 0}; return raw5(258, (long)pair, 1, 8, (long)P, 0); }
static long c_tgsigqueueinfo(void *P) { signal(SIGUSR1, SIG_IGN); return raw4(240, getpid(), gettid(), SIGUSR1, (long)P); }
static long c_splice_off_in(void *P) { int w; full_pipe(&w); return raw6(76, data_file(), (long)P, w, 0, 8, 0); }
static long c_splice_off_out(void *P) { return raw6(76, full_pipe(0), 0, data_file(), (long)P, 8, 0); }
static long c_vmsplice_iov(void *P) { int w; full_pipe(&w); return raw4(75, w, (long)P, 1, 0); }
/* the new mount API (428..433, 442) and file handles (264, 265) */
static long c_fsopen_name(void *P) { return raw2(430, (long)P, 0); }
static long c_fsconfig_key(void *P) { return raw5(431, raw2(430, (long)"tmpfs", 0), 1 /* SET_STRING */, (long)P, (long)"0755", 0); }
static long c_fsconfig_value(void *P) { return raw5(431, raw2(430, (long)"tmpfs", 0), 1, (long)"mode", (long)P, 0); }
static long c_fspick_path(void *P) { return raw3(433, AT, (long)P, 0); }
static long c_open_tree_path(void *P) { return raw3(428, AT, (long)P, 0); }
static long c_move_mount_from(void *P) { return raw5(429, AT, (long)P, AT, (long)dir, 0); }
static long c_move_mount_to(void *P) { return raw5(429, AT, (long)dir, AT, (long)P, 0); }
static uint64_t nosuid_attr[4] = {0x2 /* MOUNT_ATTR_NOSUID */, 0, 0, 0};
static long c_mount_setattr_path(void *P) { return raw5(442, AT, (long)P, 0, (long)nosuid_attr, 32); }
static long c_mount_setattr_attr(void *P) { return raw5(442, AT, (long)dir, 0, (long)P, 32); }
/* a struct file_handle with room for 128 bytes of handle */
static uint32_t fh[2 + 32] = {128, 0};
static int mnt_id;
static long c_n2h_path(void *P) { return raw5(264, AT, (long)P, (long)fh, (long)&mnt_id, 0); }
static long c_n2h_handle(void *P) { data_file(); return raw5(264, AT, (long)file, (long)P, (long)&mnt_id, 0); }
static long c_n2h_mount_id(void *P) { data_file(); return raw5(264, AT, (long)file, (long)fh, (long)P, 0); }
static long c_obh_handle(void *P) { return raw3(265, AT, (long)P, O_RDONLY); }

/* Direction: 'R' the kernel reads, 'W' it writes, 'A' an address operand.
 * Exact: 'c' when a count returned matters. */
struct mcase {
  const char *name;
  char dir, exact;
  long (*fn)(void *P);
};
#include "badptr_table.h"

/* ---- the harness ---- */

static const char *errname(long e)
{
  static const struct { int n; const char *s; } t[] = {
    {EFAULT, "EFAULT"}, {EINVAL, "EINVAL"}, {EBADF, "EBADF"}, {ENOENT, "ENOENT"}, {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"}, {EPERM, "EPERM"}, {EACCES, "EACCES"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
    {EEXIST, "EEXIST"}, {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOTTY, "ENOTTY"}, {ETIMEDOUT, "ETIMEDOUT"},
    {EINTR, "EINTR"}, {ENOSYS, "ENOSYS"}, {ESRCH, "ESRCH"}, {ECHILD, "ECHILD"}, {ENODEV, "ENODEV"},
    {ENOTCONN, "ENOTCONN"}, {EAFNOSUPPORT, "EAFNOSUPPORT"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ECONNREFUSED, "ECONNREFUSED"}, {EDESTADDRREQ, "EDESTADDRREQ"}, {EISCONN, "EISCONN"}, {EXDEV, "EXDEV"},
    {EOVERFLOW, "EOVERFLOW"}, {ENOTSOCK, "ENOTSOCK"}, {EOPNOTSUPP, "EOPNOTSUPP"}, {EMSGSIZE, "EMSGSIZE"},
    {ENOTEMPTY, "ENOTEMPTY"}, {EBUSY, "EBUSY"}, {E2BIG, "E2BIG"}, {ENOEXEC, "ENOEXEC"}, {ELOOP, "ELOOP"},
    {EROFS, "EROFS"}, {ENOBUFS, "ENOBUFS"}, {EPIPE, "EPIPE"}, {ESPIPE, "ESPIPE"}, {ERANGE, "ERANGE"},
  };
  static char other[24];
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
    if (t[i].n == e)
      return t[i].s;
  snprintf(other, sizeof(other), "errno%ld", e);
  return other;
}

static int kind_applies(const struct mcase *c, int k)
{
  return c->dir == 'W' || (k != K_RDONLY && k != K_ROFILE);
}

/* run one case in a child; format its outcome */
static void run_case(const struct mcase *c, int k, char *out, size_t n)
{
  int p[2];
  pipe(p);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    long r = c->fn(kind_addr[k]);
    (void)!write(p[1], &r, sizeof(r));
    _exit(0);
  }
  close(p[1]);
  int st = wait_child_timeout(pid, 3000);
  long r = 0;
  int got = read(p[0], &r, sizeof(r)) == sizeof(r);
  close(p[0]);
  if (got && r < 0 && r > -4096)
    snprintf(out, n, "err %s", errname(-r));
  else if (got)
    snprintf(out, n, c->exact == 'c' ? "ret %ld" : "ok", r);
  else if (st == -1)
    snprintf(out, n, "timeout");
  else if (st >= 0 && WIFSIGNALED(st))
    snprintf(out, n, "sig %d", WTERMSIG(st));
  else if (st >= 0 && WIFEXITED(st))
    snprintf(out, n, "exit %d", WEXITSTATUS(st));
  else
    snprintf(out, n, "status %d", st);
}

static void setup_kinds(void)
{
  kind_addr[K_NULL] = 0;
  kind_addr[K_ONE] = (char *)1;
  kind_addr[K_KERNEL] = KERNEL_PTR;
  /* The holes sit at 4 GiB, far from where mmap places things (top-down
   * from high addresses) and from the break, so no later mapping of a
   * case fills them. */
  kind_addr[K_UNMAPPED] = (char *)0x100000000UL;
  kind_addr[K_RDONLY] = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char rof[300];
  snprintf(rof, sizeof(rof), "%s/badptr-rofile", tmp);
  int f = open(rof, O_RDWR | O_CREAT | O_TRUNC, 0644);
  memset(buf, 'b', sizeof(buf));
  write(f, buf, sizeof(buf));
  kind_addr[K_ROFILE] = mmap(NULL, 4096, PROT_READ, MAP_SHARED, f, 0);
  close(f);
  char *last = mmap((void *)0x100010000UL, 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  memset(last, 'a', 4096);
  kind_addr[K_OFFEND] = last + 4096 - 16;
}

int main(int argc, char **argv)
{
  const char *t = getenv("ABI_TMP");
  snprintf(tmp, sizeof(tmp), "%s", t ? t : "/tmp");
  const char *d = getenv("ABI_DIR");
  snprintf(lowexec, sizeof(lowexec), "%s/lowexec", d ? d : "/abi");
  snprintf(file, sizeof(file), "%s/badptr-file", tmp);
  snprintf(dir, sizeof(dir), "%s/badptr-dir", tmp);
  snprintf(lnk, sizeof(lnk), "%s/badptr-link", tmp);
  snprintf(sockpath, sizeof(sockpath), "%s/badptr-sock", tmp);
  mkdir(dir, 0755);
  symlink(file, lnk);
  setup_kinds();
  signal(SIGPIPE, SIG_IGN);
  const char *only = argc > 1 ? argv[1] : NULL; /* a prefix: run just those cases */
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    if (only && strncmp(cases[i].name, only, strlen(only)) != 0)
      continue;
    for (int k = 0; k < NKINDS; k++) {
      if (!kind_applies(&cases[i], k))
        continue;
      char res[64];
      run_case(&cases[i], k, res, sizeof(res));
      printf("MATRIX %s/%s %s\n", cases[i].name, kind_name[k], res);
      fflush(stdout);
    }
  }
  printf("MATRIX-DONE %zu\n", sizeof(cases) / sizeof(cases[0]));
  return 0;
}
