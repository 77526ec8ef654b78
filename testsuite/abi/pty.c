/*
 * pty.c — pseudo-terminal ABI tests (testsuite/abi): posix_openpt,
 * grantpt, unlockpt, ptsname and the devpts nodes; the line discipline
 * through a pty (canonical lines, echo, erase/kill/werase/EOF, ICRNL and
 * ONLCR, raw mode, the four VMIN/VTIME cases); ^C ^\ ^Z as signals to the
 * foreground group; controlling terminals (open, TIOCSCTTY, TIOCNOTTY,
 * /dev/tty); window sizes and SIGWINCH; hangups both ways; master writes
 * while no slave is open; flushes waking the master; /proc/<pid>/stat's
 * terminal fields; poll, select and epoll on both ends; bounded buffers
 * (EAGAIN, blocking writers); bad pointers; the old TCGETA/TCSETA; vhangup.
 * User space; the same program runs on Linux (qemu-riscv64) and on Kite.
 */
#include "check.h"
#include <dirent.h>
#include <poll.h>
#include <termios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Where qemu-user (QEMU 7.2 linux-user/ioctls.h) is not Linux. */
#define QEMU_NO_TIOCGPTLCK "TIOCGPTLCK is not in its ioctl table: ENOSYS"
#define QEMU_TIOCGSID "TIOCGSID succeeds without storing the session id"
#define QEMU_TERMIO "struct termio is converted wrongly: c_lflag and c_cc are lost both ways"

/* ---- helpers ---- */

/* A new master (open flags) with its slave unlocked; the slave's name in
 * name. -1 if any step failed (a FAIL line says which). */
static int new_master(int flags, char *name, size_t size)
{
  int m = posix_openpt(O_RDWR | O_NOCTTY | flags);
  if (m < 0) {
    abi_check("helper/posix_openpt", 0, "%s", strerror(errno));
    return -1;
  }
  const char *n = ptsname(m);
  if (grantpt(m) || unlockpt(m) || !n) {
    abi_check("helper/unlock", 0, "%s", strerror(errno));
    close(m);
    return -1;
  }
  snprintf(name, size, "%s", n);
  return m;
}

/* A master and its opened slave (both O_NOCTTY). */
static int new_pair(int *m, int *s, char *name, size_t size)
{
  *m = new_master(0, name, size);
  if (*m < 0)
    return -1;
  *s = open(name, O_RDWR | O_NOCTTY);
  if (*s < 0) {
    abi_check("helper/open-slave", 0, "%s: %s", name, strerror(errno));
    close(*m);
    return -1;
  }
  return 0;
}

/* Write a string (no NUL bytes in it). */
static void wr(int fd, const char *str)
{
  (void)!write(fd, str, strlen(str));
}

/* poll one descriptor: its revents (0 on timeout). */
static int poll_one(int fd, short events, int ms)
{
  struct pollfd p = {fd, events, 0};
  return poll(&p, 1, ms) > 0 ? p.revents : 0;
}

/* Read from fd until buf holds `want` (or ms pass): the byte count. */
static int read_until(int fd, char *buf, int size, const char *want, int ms)
{
  int got = 0;
  buf[0] = 0;
  long long end = now_ns() + ms * 1000000LL;
  while (got < size - 1 && now_ns() < end) {
    if (!(poll_one(fd, POLLIN, 20) & POLLIN))
      continue;
    int r = read(fd, buf + got, size - 1 - got);
    if (r <= 0)
      break;
    got += r;
    buf[got] = 0;
    if (want && strstr(buf, want))
      break;
  }
  return got;
}

/* Discard what fd has to read now. */
static void drain(int fd)
{
  char buf[512];
  while (poll_one(fd, POLLIN, 50) & POLLIN)
    if (read(fd, buf, sizeof(buf)) <= 0)
      break;
}

static int raw_mode(int fd)
{
  struct termios t;
  if (tcgetattr(fd, &t))
    return -1;
  cfmakeraw(&t);
  return tcsetattr(fd, TCSANOW, &t);
}

/*
 * Children that report through a pipe: the child writes one byte per
 * event ("ack"), the parent waits for it with a time limit.
 */
static int ack_fd = -1;
static void ack(char c) { (void)!write(ack_fd, &c, 1); }

static void on_signal(int sig)
{
  switch (sig) {
  case SIGINT: ack('I'); break;
  case SIGQUIT: ack('Q'); break;
  case SIGTSTP: ack('Z'); break;
  case SIGWINCH: ack('W'); break;
  case SIGHUP: ack('H'); break;
  case SIGCONT: ack('C'); break;
  }
}

static void catch_signal(int sig) { ksigaction(sig, (void *)on_signal, 0, 0, NULL); }

/* Wait up to ms until every byte of `want` came on fd, in any order
 * (other bytes are skipped). */
static int wait_acks(int fd, const char *want, int ms)
{
  char missing[8];
  snprintf(missing, sizeof(missing), "%s", want);
  long long end = now_ns() + ms * 1000000LL;
  while (missing[0] && now_ns() < end) {
    if (!(poll_one(fd, POLLIN, 20) & POLLIN))
      continue;
    char c;
    if (read(fd, &c, 1) != 1)
      return 0;
    char *at = strchr(missing, c);
    if (c && at)
      memmove(at, at + 1, strlen(at));
  }
  return missing[0] == 0;
}

static int wait_ack(int fd, char want, int ms)
{
  char s[2] = {want, 0};
  return wait_acks(fd, s, ms);
}

struct kid {
  pid_t pid;
  int ack;      /* the parent reads the child's acks here */
  int done;     /* the parent closes this when the child may finish */
};

static int done_fd = -1; /* in the child: readable (EOF) once the parent is done */

/*
 * Fork a child running fn(arg) with ack_fd set, after closing `master`
 * (so that the parent's close is the last one); it exits with its
 * failures.
 */
static struct kid start_kid(void (*fn)(const char *), const char *arg, int master)
{
  struct kid k = {-1, -1, -1};
  int a[2], d[2];
  if (pipe(a) || pipe(d))
    return k;
  k.pid = fork();
  if (k.pid == 0) {
    close(master);
    close(a[0]);
    close(d[1]);
    ack_fd = a[1];
    done_fd = d[0];
    abi_child_start();
    fn(arg);
    _exit(abi_failures > 100 ? 100 : abi_failures);
  }
  close(a[1]);
  close(d[0]);
  k.ack = a[0];
  k.done = d[1];
  return k;
}

/* Let a child of start_kid finish and wait for it; its failures count here. */
static void finish_kid(const char *name, struct kid k, long ms)
{
  close(k.done);
  int st = wait_child_timeout(k.pid, ms);
  close(k.ack);
  if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) <= 100) {
    abi_failures += WEXITSTATUS(st);
    return;
  }
  abi_check(name, 0, "the child: %s", status_str(st));
}

/* In a child: take signals until the parent is done with us (or 10 s). */
static void idle(void)
{
  for (int i = 0; i < 1000 && !(poll_one(done_fd, POLLIN, 10) & (POLLIN | POLLHUP)); i++)
    ;
}

/* A new session whose controlling terminal is the slave `name`. */
static int become_session_with(const char *name)
{
  if (setsid() < 0)
    return -1;
  return open(name, O_RDWR);
}

/* ---- posix_openpt and friends, the nodes ---- */

static int listed_in_dev_pts(const char *name)
{
  const char *base = strrchr(name, '/') + 1;
  DIR *d = opendir("/dev/pts");
  int found = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, base) == 0)
      found = 1;
  if (d)
    closedir(d);
  return found;
}

static void test_open(void)
{
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  CHECKF("open/posix_openpt", m >= 0, "%s", strerror(errno));
  if (m < 0)
    return;
  int lock = -1;
  if (!skip_on_qemu("open/tiocgptlck-new-is-locked", QEMU_NO_TIOCGPTLCK)) {
    CHECK_RET("open/tiocgptlck-new-is-locked-ret", raw3(SYS_ioctl, m, TIOCGPTLCK, &lock), 0);
    CHECKF("open/tiocgptlck-new-is-locked", lock == 1, "lock %d", lock);
  }
  char name[64];
  const char *n = ptsname(m);
  CHECKF("open/ptsname", n && strncmp(n, "/dev/pts/", 9) == 0, "%s", n ? n : strerror(errno));
  snprintf(name, sizeof(name), "%s", n ? n : "/dev/pts/none");
  int s = open(name, O_RDWR | O_NOCTTY);
  CHECKF("open/slave-locked-eio", s < 0 && errno == EIO, "open gave %d (%s)", s, strerror(errno));
  CHECK("open/grantpt", grantpt(m) == 0);
  CHECK("open/unlockpt", unlockpt(m) == 0);
  lock = -1;
  if (!skip_on_qemu("open/tiocgptlck-unlocked", QEMU_NO_TIOCGPTLCK)) {
    raw3(SYS_ioctl, m, TIOCGPTLCK, &lock);
    CHECKF("open/tiocgptlck-unlocked", lock == 0, "lock %d", lock);
  }
  unsigned ptn = 12345;
  CHECK_RET("open/tiocgptn", raw3(SYS_ioctl, m, TIOCGPTN, &ptn), 0);
  char want[64];
  snprintf(want, sizeof(want), "/dev/pts/%u", ptn);
  CHECKF("open/tiocgptn-matches-ptsname", strcmp(want, name) == 0, "%s vs %s", want, name);
  s = open(name, O_RDWR | O_NOCTTY);
  CHECKF("open/slave", s >= 0, "%s: %s", name, strerror(errno));

  struct stat st;
  CHECKF("open/slave-node", stat(name, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 &&
         minor(st.st_rdev) == ptn, "mode %o rdev %u:%u", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
  CHECKF("open/dev-ptmx-node", stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode) &&
         major(st.st_rdev) == 5 && minor(st.st_rdev) == 2, "mode %o", st.st_mode);
  struct stat fst;
  CHECK("open/fstat-slave-is-the-node", fstat(s, &fst) == 0 && stat(name, &st) == 0 &&
        fst.st_ino == st.st_ino && fst.st_rdev == st.st_rdev);
  CHECK("open/listed-in-dev-pts", listed_in_dev_pts(name));
  CHECK("open/isatty-slave", isatty(s) == 1);
  CHECK("open/isatty-master", isatty(m) == 1);
  const char *tn = ttyname(s);
  CHECKF("open/ttyname", tn && strcmp(tn, name) == 0, "%s", tn ? tn : strerror(errno));
  CHECK_RET("open/tiocgptn-on-slave-enotty", raw3(SYS_ioctl, s, TIOCGPTN, &ptn), -ENOTTY);
  int null = open("/dev/null", O_RDWR);
  CHECK_RET("open/tiocgptn-on-dev-null-enotty", raw3(SYS_ioctl, null, TIOCGPTN, &ptn), -ENOTTY);
  close(null);

  char name2[64];
  int m2 = new_master(0, name2, sizeof(name2));
  CHECKF("open/second-pair-other-number", m2 >= 0 && strcmp(name, name2) != 0, "%s and %s", name, name2);
  int peer = ioctl(m2, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  const char *pn = peer >= 0 ? ttyname(peer) : NULL;
  CHECKF("open/tiocgptpeer", peer >= 0 && pn && strcmp(pn, name2) == 0, "fd %d (%s), name %s", peer,
         strerror(errno), pn ? pn : "-");
  close(peer);

  /* The node goes when the master closes; the slave file still works. */
  close(m2);
  CHECKF("open/node-gone-after-master-close", stat(name2, &st) < 0 && errno == ENOENT, "%s",
         strerror(errno));
  CHECK("open/not-listed-after-master-close", !listed_in_dev_pts(name2));
  close(s);
  close(m);
  CHECKF("open/node-gone-after-both-close", stat(name, &st) < 0 && errno == ENOENT, "%s",
         strerror(errno));
  int reopen = open(name, O_RDWR | O_NOCTTY);
  CHECK("open/reopen-after-close-fails", reopen < 0);
}

/* ---- the line discipline, canonical ---- */

static void test_canon(void)
{
  int m, s;
  char name[64], buf[512];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  struct termios t;
  CHECK("canon/tcgetattr", tcgetattr(s, &t) == 0);
  CHECKF("canon/default-termios", (t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG) &&
         (t.c_iflag & ICRNL) && (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR) &&
         t.c_cc[VINTR] == 3 && t.c_cc[VEOF] == 4 && t.c_cc[VERASE] == 0177,
         "iflag %o oflag %o lflag %o", t.c_iflag, t.c_oflag, t.c_lflag);

  wr(m, "hel");
  CHECK("canon/partial-line-not-readable", !(poll_one(s, POLLIN, 100) & POLLIN));
  wr(m, "lo\r");
  int n = read(s, buf, sizeof(buf) - 1);
  CHECKF("canon/line-with-icrnl", n == 6 && memcmp(buf, "hello\n", 6) == 0, "read %d", n);
  n = read_until(m, buf, sizeof(buf), "hello\r\n", 2000);
  CHECKF("canon/echo", strcmp(buf, "hello\r\n") == 0, "master read %d bytes", n);

  wr(m, "ab\177c\n");
  n = read(s, buf, sizeof(buf));
  CHECKF("canon/verase", n == 3 && memcmp(buf, "ac\n", 3) == 0, "read %d", n);
  n = read_until(m, buf, sizeof(buf), "c\r\n", 2000);
  CHECKF("canon/verase-echo", strstr(buf, "\b \b") != NULL, "echo %d bytes", n);
  wr(m, "xyz\025ok\n");
  n = read(s, buf, sizeof(buf));
  CHECKF("canon/vkill", n == 3 && memcmp(buf, "ok\n", 3) == 0, "read %d", n);
  wr(m, "one two\027three\n");
  n = read(s, buf, sizeof(buf));
  CHECKF("canon/vwerase", n == 10 && memcmp(buf, "one three\n", 10) == 0, "read %d", n);
  wr(m, "abc\004");
  n = read(s, buf, sizeof(buf));
  CHECKF("canon/veof-ends-line", n == 3 && memcmp(buf, "abc", 3) == 0, "read %d: %02x %02x %02x %02x", n,
         buf[0], buf[1], buf[2], buf[3]);
  wr(m, "\004");
  n = read(s, buf, sizeof(buf));
  CHECKF("canon/veof-alone-reads-0", n == 0, "read %d", n);
  wr(m, "l1\nl2\n");
  n = read(s, buf, sizeof(buf));
  int n2 = read(s, buf + 10, sizeof(buf) - 10);
  CHECKF("canon/one-line-per-read", n == 3 && n2 == 3 && memcmp(buf + 10, "l2\n", 3) == 0, "reads %d, %d", n, n2);
  CHECK_RET("canon/nothing-left", raw3(SYS_ioctl, s, FIONREAD, &n), 0);
  CHECKF("canon/nothing-left-fionread", n == 0, "%d", n);
  wr(m, "xy\n");
  poll_one(s, POLLIN, 1000);
  int q = -1;
  CHECK_RET("canon/fionread-ret", raw3(SYS_ioctl, s, FIONREAD, &q), 0);
  CHECKF("canon/fionread", q == 3, "FIONREAD %d", q);
  n = read(s, buf, 1);
  int n3 = read(s, buf + 1, sizeof(buf) - 1);
  CHECKF("canon/short-read-keeps-rest-of-line", n == 1 && n3 == 2 && memcmp(buf, "xy\n", 3) == 0, "reads %d, %d", n, n3);
  drain(m);

  wr(s, "out\n");
  n = read_until(m, buf, sizeof(buf), "out\r\n", 2000);
  CHECKF("canon/onlcr", n == 5 && strcmp(buf, "out\r\n") == 0, "master read %d", n);
  wr(s, "abc");
  poll_one(m, POLLIN, 1000);
  q = -1;
  CHECK_RET("canon/master-fionread-ret", raw3(SYS_ioctl, m, FIONREAD, &q), 0);
  CHECKF("canon/master-fionread", q == 3, "FIONREAD %d", q);
  close(s);
  close(m);
}

/* ---- raw mode ---- */

static void test_raw(void)
{
  int m, s;
  char name[64], buf[256];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  CHECK("raw/tcsetattr", raw_mode(s) == 0);
  struct termios t;
  tcgetattr(s, &t);
  CHECKF("raw/tcgetattr-reads-back", !(t.c_lflag & (ICANON | ECHO | ISIG)) && !(t.c_oflag & OPOST) &&
         !(t.c_iflag & ICRNL), "iflag %o oflag %o lflag %o", t.c_iflag, t.c_oflag, t.c_lflag);
  wr(m, "a");
  int n = read(s, buf, sizeof(buf));
  CHECKF("raw/byte-at-a-time", n == 1 && buf[0] == 'a', "read %d", n);
  wr(m, "\r");
  n = read(s, buf, sizeof(buf));
  CHECKF("raw/no-icrnl", n == 1 && buf[0] == '\r', "read %d", n);
  CHECK("raw/no-echo", !(poll_one(m, POLLIN, 100) & POLLIN));
  wr(s, "\n");
  n = read_until(m, buf, sizeof(buf), NULL, 300);
  CHECKF("raw/no-onlcr", n == 1 && buf[0] == '\n', "master read %d", n);
  wr(m, "\003");
  n = read(s, buf, sizeof(buf));
  CHECKF("raw/ctrl-c-is-data", n == 1 && buf[0] == 3, "read %d", n);

  /* Termios through the master reach the slave (Linux's tty_mode_ioctl). */
  struct termios viam;
  CHECK("raw/tcgetattr-via-master", tcgetattr(m, &viam) == 0 && viam.c_lflag == t.c_lflag &&
        viam.c_iflag == t.c_iflag);
  viam.c_lflag |= ICANON;
  tcsetattr(m, TCSANOW, &viam);
  tcgetattr(s, &t);
  CHECK("raw/tcsetattr-via-master", t.c_lflag & ICANON);
  raw_mode(s);

  /* VMIN 0, VTIME 2: a read with nothing to read returns 0 after 0.2 s. */
  tcgetattr(s, &t);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 2;
  tcsetattr(s, TCSANOW, &t);
  long long t0 = now_ns();
  n = read(s, buf, sizeof(buf));
  long long ms = (now_ns() - t0) / 1000000;
  CHECKF("raw/vtime-timeout", n == 0 && ms >= 150 && ms < 2000, "read %d after %lld ms", n, ms);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  tcsetattr(s, TCSANOW, &t);

  wr(m, "zzz");
  poll_one(s, POLLIN, 1000);
  CHECK("raw/tcflush", tcflush(s, TCIFLUSH) == 0);
  int q = -1;
  ioctl(s, FIONREAD, &q);
  CHECKF("raw/tcflush-empties-input", q == 0, "FIONREAD %d", q);
  CHECK_RET("raw/tcflush-bad-queue-einval", raw3(SYS_ioctl, s, TCFLSH, 7), -EINVAL);
  close(s);
  close(m);
}

/* ---- VMIN and VTIME (man termios: the four cases) ---- */

static void set_min_time(int fd, int vmin, int vtime)
{
  struct termios t;
  tcgetattr(fd, &t);
  t.c_cc[VMIN] = vmin;
  t.c_cc[VTIME] = vtime;
  tcsetattr(fd, TCSANOW, &t);
}

/* A child that writes the bytes of `bytes` to fd one at a time: the first
 * after first_ms, each further one gap_ms later. */
static pid_t write_later(int fd, const char *bytes, int first_ms, int gap_ms)
{
  pid_t w = fork();
  if (w == 0) {
    msleep(first_ms);
    for (const char *b = bytes; *b; b++) {
      (void)!write(fd, b, 1);
      if (b[1])
        msleep(gap_ms);
    }
    _exit(0);
  }
  return w;
}

/* read(fd) with a stopwatch: the result, and the milliseconds in *ms. */
static int timed_read(int fd, char *buf, int size, long long *ms)
{
  long long t0 = now_ns();
  int n = read(fd, buf, size);
  *ms = (now_ns() - t0) / 1000000;
  return n;
}

static void test_vmin(void)
{
  int m, s;
  char name[64], buf[256];
  long long ms;
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  raw_mode(s);

  /* MIN 3, TIME 0: one byte is not enough; the read waits for three. */
  set_min_time(s, 3, 0);
  wr(m, "a");
  int ev = poll_one(s, POLLIN, 100);
  CHECKF("vmin/poll-waits-for-vmin", !(ev & POLLIN), "revents %#x with 1 of 3 bytes", ev);
  pid_t w = write_later(m, "bc", 300, 0);
  int n = timed_read(s, buf, sizeof(buf), &ms);
  CHECKF("vmin/read-waits-for-vmin", n == 3 && ms >= 200 && memcmp(buf, "abc", 3) == 0,
         "read %d after %lld ms", n, ms);
  wait_child_timeout(w, 5000);
  /* Asking for fewer than MIN bytes: the read ends with the count. */
  wr(m, "de");
  poll_one(s, POLLIN, 100);
  n = timed_read(s, buf, 2, &ms);
  CHECKF("vmin/count-below-vmin", n == 2 && ms < 1000, "read %d after %lld ms", n, ms);
  /* O_NONBLOCK takes what there is. */
  wr(m, "f");
  msleep(50);
  fcntl(s, F_SETFL, O_NONBLOCK);
  CHECK_RET("vmin/nonblock-takes-what-there-is", raw3(SYS_read, s, buf, sizeof(buf)), 1);
  fcntl(s, F_SETFL, 0);

  /* MIN 2, TIME 2: no timer before the first byte (it comes after 0.4 s,
   * twice TIME); after it 0.2 s without another ends the read. */
  set_min_time(s, 2, 2);
  w = write_later(m, "g", 400, 0);
  n = timed_read(s, buf, sizeof(buf), &ms);
  CHECKF("vmin/vtime-starts-at-first-byte", n == 1 && ms >= 500 && ms < 3000,
         "read %d after %lld ms (want 1 after about 600)", n, ms);
  wait_child_timeout(w, 5000);
  /* MIN 3, TIME 5: bytes 0.1 s apart keep the timer from running out,
   * and the third ends the read. */
  set_min_time(s, 3, 5);
  w = write_later(m, "hij", 100, 100);
  n = timed_read(s, buf, sizeof(buf), &ms);
  CHECKF("vmin/vtime-restarts-per-byte", n == 3 && memcmp(buf, "hij", 3) == 0,
         "read %d after %lld ms", n, ms);
  wait_child_timeout(w, 5000);
  close(s);
  close(m);
}

/* ---- the master after its slave closed ---- */

static void on_alarm(int sig) { (void)sig; }

/*
 * Linux keeps what the master writes while no slave file is open (before
 * the first open, and after the last close): it waits in the slave's
 * input for the next open. So writes succeed until the input is full;
 * then O_NONBLOCK gives EAGAIN and a blocking write waits (a signal ends
 * it) — there is no EIO. A reader of a reopened slave makes room again.
 */
static void test_slave_closed(void)
{
  char name[64], buf[1024];
  int m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  CHECK_RET("slave-closed/write-before-first-open", raw3(SYS_write, m, "early\n", 6), 6);
  int s = open(name, O_RDWR | O_NOCTTY);
  int n = s >= 0 ? read(s, buf, sizeof(buf)) : -1;
  CHECKF("slave-closed/first-open-reads-it", n == 6 && memcmp(buf, "early\n", 6) == 0, "read %d", n);
  close(s);
  int ev = poll_one(m, POLLOUT, 0);
  CHECKF("slave-closed/pollhup-and-pollout", (ev & (POLLHUP | POLLOUT)) == (POLLHUP | POLLOUT),
         "revents %#x", ev);
  CHECK_RET("slave-closed/write-after-close-kept", raw3(SYS_write, m, "late\n", 5), 5);

  /* Fill the slave's input with lines, nonblocking: EAGAIN, not EIO. */
  memset(buf, 'x', sizeof(buf));
  for (int i = 63; i < (int)sizeof(buf); i += 64)
    buf[i] = '\n';
  fcntl(m, F_SETFL, O_NONBLOCK);
  long total = 0, r;
  while ((r = raw3(SYS_write, m, buf, sizeof(buf))) > 0 && total < (1L << 20))
    total += r;
  CHECKF("slave-closed/full-eagain", r == -EAGAIN && total < (1L << 20), "wrote %ld then %ld", total, r);
  ev = poll_one(m, POLLOUT, 0);
  CHECKF("slave-closed/full-pollhup-only", ev == POLLHUP, "revents %#x", ev);

  /* A blocking writer waits (for a reopened slave's reader); a signal
   * ends the wait — it must not hang, and must not fail with EIO. (Linux
   * may take a few more lines as its flip buffers drain.) */
  fcntl(m, F_SETFL, 0);
  ksigaction(SIGALRM, (void *)on_alarm, 0, 0, NULL);
  for (int i = 0; i < 100; i++) {
    alarm(1);
    r = raw3(SYS_write, m, buf, 64);
    alarm(0);
    if (r != 64)
      break;
  }
  CHECK_RET("slave-closed/blocked-write-eintr", r, -EINTR);

  /* A new slave open reads what waited, and the master may write again. */
  s = open(name, O_RDWR | O_NOCTTY);
  n = s >= 0 ? read(s, buf, sizeof(buf)) : -1;
  CHECKF("slave-closed/reopen-reads-it", n == 5 && memcmp(buf, "late\n", 5) == 0, "read %d", n);
  tcflush(s, TCIFLUSH);
  ev = poll_one(m, POLLOUT, 1000);
  CHECKF("slave-closed/writable-again", ev == POLLOUT, "revents %#x", ev);
  close(s);
  close(m);
}

/* ---- flushing input makes room for the master ---- */

/* Fill the slave's input through the master (O_NONBLOCK, lines). */
static void fill_from_master(int m)
{
  char buf[1024];
  memset(buf, 'f', sizeof(buf));
  for (int i = 63; i < (int)sizeof(buf); i += 64)
    buf[i] = '\n';
  int fl = fcntl(m, F_GETFL);
  fcntl(m, F_SETFL, fl | O_NONBLOCK);
  for (int i = 0; i < 1024 && write(m, buf, sizeof(buf)) > 0; i++)
    ;
  fcntl(m, F_SETFL, fl);
}

/* In a child: after ms, flush fd's input with tcsetattr(TCSAFLUSH)
 * (TCSETSF) or tcflush(TCIFLUSH) (TCFLSH). */
static pid_t flush_later(int fd, int ms, int via_tcsetattr)
{
  pid_t w = fork();
  if (w == 0) {
    struct termios t;
    msleep(ms);
    tcgetattr(fd, &t);
    int r = via_tcsetattr ? tcsetattr(fd, TCSAFLUSH, &t) : tcflush(fd, TCIFLUSH);
    _exit(r ? 1 : 0);
  }
  return w;
}

static void test_flush(void)
{
  int m, s;
  char name[64];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  fill_from_master(m);
  int ev = poll_one(m, POLLOUT, 0);
  CHECKF("flush/master-full", !(ev & POLLOUT), "revents %#x", ev);
  /* A poller on the master hears of the room TCSETSF's flush made. */
  pid_t w = flush_later(s, 200, 1);
  ev = poll_one(m, POLLOUT, 3000);
  CHECKF("flush/tcsetsf-wakes-master-poll", ev & POLLOUT, "revents %#x", ev);
  wait_child_timeout(w, 5000);
  /* A blocked writer hears of a TCFLSH (a signal ends it if not). Linux
   * does not always wake a writer for TCSETSF: its flip buffers may
   * still be full; Kite's flush_input() serves both. */
  fill_from_master(m);
  w = flush_later(s, 200, 0);
  ksigaction(SIGALRM, (void *)on_alarm, 0, 0, NULL);
  alarm(3);
  long r = raw3(SYS_write, m, "woken\n", 6);
  alarm(0);
  CHECK_RET("flush/tcflush-wakes-master-writer", r, 6);
  wait_child_timeout(w, 5000);
  close(s);
  close(m);
}

/* ---- /proc/<pid>/stat: the controlling terminal ---- */

/* Fields 7 and 8 of /proc/<pid>/stat: tty_nr and tpgid. */
static int stat_tty(pid_t pid, long *tty_nr, long *tpgid)
{
  char path[64], buf[512];
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY);
  int n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
  if (fd >= 0)
    close(fd);
  if (n <= 0)
    return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the name may hold spaces */
  char state;
  long ppid, pgrp, session;
  if (!p || sscanf(p + 1, " %c %ld %ld %ld %ld %ld", &state, &ppid, &pgrp, &session, tty_nr, tpgid) != 6)
    return -1;
  return 0;
}

/* A session leader that takes the slave as its terminal, closes it, and
 * waits (ignoring the hangup) until the parent is done. */
static void kid_stat(const char *name)
{
  int fd = become_session_with(name);
  if (fd < 0) {
    abi_check("stat/child-ctty", 0, "%s", strerror(errno));
    return;
  }
  signal(SIGHUP, SIG_IGN);
  close(fd);
  ack('r');
  idle();
}

static void test_stat(void)
{
  char name[64];
  int m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  struct stat st;
  stat(name, &st);
  struct kid k = start_kid(kid_stat, name, m);
  CHECK("stat/child-ready", wait_ack(k.ack, 'r', 5000));
  long tty_nr = -2, tpgid = -2;
  int r = stat_tty(k.pid, &tty_nr, &tpgid);
  CHECKF("stat/tty-nr-slave-closed", r == 0 && tty_nr == (long)st.st_rdev && tpgid == k.pid,
         "tty_nr %#lx (want %#lx) tpgid %ld (want %d)", tty_nr, (long)st.st_rdev, tpgid, (int)k.pid);
  close(m); /* the hangup: the session loses the terminal, the pty goes */
  msleep(100);
  r = stat_tty(k.pid, &tty_nr, &tpgid);
  CHECKF("stat/tty-nr-pty-closed", r == 0 && tty_nr == 0 && tpgid == -1, "tty_nr %#lx tpgid %ld",
         tty_nr, tpgid);
  finish_kid("stat/child", k, 10000);
}

/* ---- signals from the keyboard, controlling terminals ---- */

static void kid_keyboard(const char *name)
{
  int fd = become_session_with(name);
  CHECKF("signals/open-slave", fd >= 0, "%s", strerror(errno));
  if (!skip_on_qemu("signals/open-acquires-ctty", QEMU_TIOCGSID))
    CHECKF("signals/open-acquires-ctty", tcgetsid(fd) == getpid(), "session %d", (int)tcgetsid(fd));
  CHECK("signals/foreground-group-is-ours", tcgetpgrp(fd) == getpgrp());
  int tty = open("/dev/tty", O_RDWR);
  CHECKF("signals/dev-tty-opens", tty >= 0, "%s", strerror(errno));
  catch_signal(SIGINT);
  catch_signal(SIGQUIT);
  catch_signal(SIGTSTP);
  ack('r');
  idle();
}

static void test_signals(void)
{
  int m;
  char name[64], buf[256];
  m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  struct kid k = start_kid(kid_keyboard, name, m);
  CHECK("signals/child-ready", wait_ack(k.ack, 'r', 5000));
  wr(m, "\003");
  CHECK("signals/ctrl-c-sigint", wait_ack(k.ack, 'I', 5000));
  read_until(m, buf, sizeof(buf), "^C", 2000);
  CHECKF("signals/ctrl-c-echoed", strstr(buf, "^C") != NULL, "echo [%s]", buf);
  wr(m, "\034");
  CHECK("signals/ctrl-backslash-sigquit", wait_ack(k.ack, 'Q', 5000));
  wr(m, "\032");
  CHECK("signals/ctrl-z-sigtstp", wait_ack(k.ack, 'Z', 5000));
  finish_kid("signals/child", k, 10000);
  close(m);
}

static void kid_tiocsctty(const char *name)
{
  setsid();
  int fd = open(name, O_RDWR | O_NOCTTY);
  CHECKF("ctty/noctty-open", fd >= 0, "%s", strerror(errno));
  int tty = open("/dev/tty", O_RDWR);
  CHECKF("ctty/noctty-no-dev-tty", tty < 0 && errno == ENXIO, "open gave %d (%s)", tty, strerror(errno));
  pid_t sid;
  CHECK_RET("ctty/tiocgsid-not-ours-enotty", raw3(SYS_ioctl, fd, TIOCGSID, &sid), -ENOTTY);
  CHECK_RET("ctty/tiocsctty", raw3(SYS_ioctl, fd, TIOCSCTTY, 0), 0);
  if (!skip_on_qemu("ctty/tiocsctty-session", QEMU_TIOCGSID))
    CHECK("ctty/tiocsctty-session", tcgetsid(fd) == getpid());
  tty = open("/dev/tty", O_RDWR);
  CHECKF("ctty/dev-tty-after-tiocsctty", tty >= 0, "%s", strerror(errno));
  close(tty);
  pid_t g = fork();
  if (g == 0) /* a session member that does not lead it */
    _exit(raw3(SYS_ioctl, fd, TIOCSCTTY, 0) == -EPERM ? 0 : 1);
  int st = wait_child_timeout(g, 5000);
  CHECKF("ctty/tiocsctty-non-leader-eperm", EXITED_OK(st), "%s", status_str(st));
  CHECK_RET("ctty/tiocspgrp-no-such-group", raw3(SYS_ioctl, fd, TIOCSPGRP, &(pid_t){99999}), -ESRCH);
  CHECK_RET("ctty/tiocspgrp-negative", raw3(SYS_ioctl, fd, TIOCSPGRP, &(pid_t){-2}), -EINVAL);
  /* TIOCNOTTY by the leader: the foreground group (ours) gets SIGHUP */
  signal(SIGHUP, SIG_IGN);
  CHECK_RET("ctty/tiocnotty", raw3(SYS_ioctl, fd, TIOCNOTTY, 0), 0);
  tty = open("/dev/tty", O_RDWR);
  CHECKF("ctty/no-dev-tty-after-tiocnotty", tty < 0 && errno == ENXIO, "open gave %d", tty);
  CHECK_RET("ctty/tiocgsid-after-tiocnotty", raw3(SYS_ioctl, fd, TIOCGSID, &sid), -ENOTTY);
}

static void test_ctty(void)
{
  char name[64];
  int m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  struct kid k = start_kid(kid_tiocsctty, name, m);
  finish_kid("ctty/child", k, 10000);
  /* The master's own view: not a controlling terminal of ours. */
  CHECK_RET("ctty/tiocnotty-on-master-enotty", raw3(SYS_ioctl, m, TIOCNOTTY, 0), -ENOTTY);
  pid_t pg = -1;
  CHECK_RET("ctty/tiocgpgrp-via-master", raw3(SYS_ioctl, m, TIOCGPGRP, &pg), 0);
  CHECKF("ctty/tiocgpgrp-via-master-none", pg == 0, "pgrp %d", pg);
  close(m);
  char name2[64];
  int s;
  if (new_pair(&m, &s, name2, sizeof(name2)) == 0) {
    pid_t g = fork();
    if (g == 0) /* not a session leader */
      _exit(raw3(SYS_ioctl, s, TIOCSCTTY, 0) == -EPERM ? 0 : 1);
    int st = wait_child_timeout(g, 5000);
    CHECKF("ctty/tiocsctty-not-session-leader", EXITED_OK(st), "%s", status_str(st));
    CHECK_RET("ctty/tiocgpgrp-slave-not-ours-enotty", raw3(SYS_ioctl, s, TIOCGPGRP, &pg), -ENOTTY);
    close(s);
    close(m);
  }
}

/* ---- window size ---- */

static void kid_winch(const char *name)
{
  int fd = become_session_with(name);
  if (fd < 0)
    abi_check("winsize/child-ctty", 0, "%s", strerror(errno));
  catch_signal(SIGWINCH);
  ack('r');
  idle();
}

static void test_winsize(void)
{
  int m, s;
  char name[64];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  struct winsize ws = {1, 1, 1, 1};
  CHECK("winsize/get", ioctl(s, TIOCGWINSZ, &ws) == 0);
  CHECKF("winsize/new-pty-is-0x0", ws.ws_row == 0 && ws.ws_col == 0, "%ux%u", ws.ws_row, ws.ws_col);
  struct winsize set = {30, 100, 0, 0};
  CHECK("winsize/set-via-master", ioctl(m, TIOCSWINSZ, &set) == 0);
  ioctl(s, TIOCGWINSZ, &ws);
  CHECKF("winsize/seen-by-slave", ws.ws_row == 30 && ws.ws_col == 100, "%ux%u", ws.ws_row, ws.ws_col);

  struct kid k = start_kid(kid_winch, name, m);
  CHECK("winsize/child-ready", wait_ack(k.ack, 'r', 5000));
  set.ws_row = 40;
  ioctl(m, TIOCSWINSZ, &set);
  CHECK("winsize/sigwinch-to-foreground", wait_ack(k.ack, 'W', 5000));
  ioctl(s, TIOCSWINSZ, &set);
  CHECK("winsize/no-sigwinch-when-unchanged", !wait_ack(k.ack, 'W', 300));
  set.ws_col = 90;
  ioctl(s, TIOCSWINSZ, &set);
  CHECK("winsize/sigwinch-set-via-slave", wait_ack(k.ack, 'W', 5000));
  finish_kid("winsize/child", k, 10000);
  close(s);
  close(m);
}

/* ---- hangups ---- */

static volatile int got_hup;
static void on_hup(int sig)
{
  (void)sig;
  got_hup = 1;
  ack('H');
}

static void kid_hangup(const char *name)
{
  int fd = become_session_with(name);
  if (fd < 0) {
    abi_check("hangup/child-ctty", 0, "%s", strerror(errno));
    return;
  }
  ksigaction(SIGHUP, (void *)on_hup, 0, 0, NULL);
  catch_signal(SIGCONT);
  ack('r');
  for (int i = 0; i < 1000 && !got_hup; i++)
    msleep(10);
  char buf[16];
  CHECK_RET("hangup/slave-read-eof", raw3(SYS_read, fd, buf, sizeof(buf)), 0);
  CHECK_RET("hangup/slave-write-eio", raw3(SYS_write, fd, "x", 1), -EIO);
  int ev = poll_one(fd, POLLIN | POLLOUT, 0);
  CHECKF("hangup/slave-pollhup", ev & POLLHUP, "revents %#x", ev);
  struct termios t;
  CHECK_RET("hangup/slave-ioctl-eio", raw3(SYS_ioctl, fd, TCGETS, &t), -EIO);
  int tty = open("/dev/tty", O_RDWR);
  CHECKF("hangup/ctty-gone", tty < 0 && errno == ENXIO, "open gave %d (%s)", tty, strerror(errno));
  ack('d');
}

/* The session leader exits: its foreground group gets SIGHUP. */
static void kid_leader_exits(const char *name)
{
  int fd = become_session_with(name);
  if (fd < 0) {
    abi_check("hangup/leader-ctty", 0, "%s", strerror(errno));
    return;
  }
  int ready[2];
  if (pipe(ready))
    return;
  pid_t g = fork();
  if (g == 0) { /* in our group: the foreground one */
    ksigaction(SIGHUP, (void *)on_hup, 0, 0, NULL);
    ack('r');
    (void)!write(ready[1], "r", 1);
    for (int i = 0; i < 1000 && !got_hup; i++)
      msleep(10);
    _exit(0);
  }
  char c;
  (void)!read(ready[0], &c, 1);
}

static void test_hangup(void)
{
  char name[64], buf[64];
  int m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  struct kid k = start_kid(kid_hangup, name, m);
  CHECK("hangup/child-ready", wait_ack(k.ack, 'r', 5000));
  close(m);
  CHECK("hangup/master-close-sighup-and-sigcont", wait_acks(k.ack, "HC", 5000));
  CHECK("hangup/child-checked", wait_ack(k.ack, 'd', 5000));
  finish_kid("hangup/child", k, 10000);

  m = new_master(O_NONBLOCK, name, sizeof(name));
  if (m < 0)
    return;
  CHECK_RET("hangup/master-eagain-before-slave-open", raw3(SYS_read, m, buf, sizeof(buf)), -EAGAIN);
  int s = open(name, O_RDWR | O_NOCTTY);
  raw_mode(s);
  wr(s, "bye");
  close(s);
  int ev = poll_one(m, POLLIN, 1000);
  CHECKF("hangup/master-pollhup-after-slave-close", (ev & (POLLIN | POLLHUP)) == (POLLIN | POLLHUP),
         "revents %#x", ev);
  CHECKF("hangup/master-reads-data-first", read(m, buf, sizeof(buf)) == 3 && memcmp(buf, "bye", 3) == 0,
         "%s", strerror(errno));
  CHECK_RET("hangup/master-eio-after-slave-close", raw3(SYS_read, m, buf, sizeof(buf)), -EIO);
  s = open(name, O_RDWR | O_NOCTTY);
  CHECKF("hangup/slave-reopens", s >= 0, "%s", strerror(errno));
  ev = poll_one(m, POLLIN, 0);
  CHECKF("hangup/reopen-clears-pollhup", !(ev & POLLHUP), "revents %#x", ev);
  CHECK_RET("hangup/reopen-clears-eio", raw3(SYS_read, m, buf, sizeof(buf)), -EAGAIN);
  close(s);
  close(m);

  m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  k = start_kid(kid_leader_exits, name, m);
  CHECK("hangup/grandchild-ready", wait_ack(k.ack, 'r', 5000));
  CHECK("hangup/leader-exit-sighup-foreground", wait_ack(k.ack, 'H', 5000));
  finish_kid("hangup/leader", k, 10000);
  close(m);
}

/* ---- readiness and flow control ---- */

static void test_poll(void)
{
  int m, s;
  char name[64], buf[4096];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  raw_mode(s);
  int ev = poll_one(m, POLLIN | POLLOUT, 0);
  CHECKF("poll/master-writable-not-readable", ev == POLLOUT, "revents %#x", ev);
  ev = poll_one(s, POLLIN | POLLOUT, 0);
  CHECKF("poll/slave-writable-not-readable", ev == POLLOUT, "revents %#x", ev);
  wr(m, "x");
  CHECK("poll/slave-readable", poll_one(s, POLLIN, 1000) & POLLIN);
  read(s, buf, 1);
  wr(s, "y");
  CHECK("poll/master-readable", poll_one(m, POLLIN, 1000) & POLLIN);
  read(m, buf, 1);

  /* A sleeper in epoll_wait (master) and in select (slave) is woken. */
  int ep = epoll_create1(0);
  struct epoll_event e = {.events = EPOLLIN, .data.u32 = 7};
  epoll_ctl(ep, EPOLL_CTL_ADD, m, &e);
  pid_t w = fork();
  if (w == 0) {
    msleep(150);
    wr(s, "z");
    msleep(150);
    wr(m, "q");
    _exit(0);
  }
  struct epoll_event got = {0};
  int n = epoll_wait(ep, &got, 1, 5000);
  CHECKF("poll/epoll-master-woken", n == 1 && (got.events & EPOLLIN) && got.data.u32 == 7, "n %d events %#x",
         n, got.events);
  read(m, buf, 1);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(s, &rd);
  struct timeval tv = {5, 0};
  n = select(s + 1, &rd, NULL, NULL, &tv);
  CHECKF("poll/select-slave-woken", n == 1 && FD_ISSET(s, &rd), "select %d", n);
  read(s, buf, 1);
  wait_child_timeout(w, 5000);
  close(ep);

  /* Non-blocking reads with nothing there. */
  fcntl(m, F_SETFL, O_NONBLOCK);
  fcntl(s, F_SETFL, O_NONBLOCK);
  CHECK_RET("poll/master-read-eagain", raw3(SYS_read, m, buf, 1), -EAGAIN);
  CHECK_RET("poll/slave-read-eagain", raw3(SYS_read, s, buf, 1), -EAGAIN);

  /* Bounded buffers: the master fills the slave's input ... */
  memset(buf, 'a', sizeof(buf));
  long total = 0, r;
  while ((r = raw3(SYS_write, m, buf, 1000)) > 0 && total < (1L << 20))
    total += r;
  CHECKF("poll/master-write-eagain-when-full", r == -EAGAIN && total > 0 && total < (1L << 20),
         "wrote %ld then %ld", total, r);
  /* Full: Kite then says not writable. Linux (6.x) may say writable again
   * soon after, once its flip-buffer work has moved bytes to the slave's
   * line discipline; either way, POLLOUT must mean a write goes through. */
  ev = poll_one(m, POLLOUT, 0);
  r = (ev & POLLOUT) ? raw3(SYS_write, m, buf, 1) : 0;
  if (r > 0)
    total += r;
  CHECKF("poll/master-pollout-when-full-means-room", !(ev & POLLOUT) || r == 1, "revents %#x, then write %ld",
         ev, r);
  long took = 0;
  while ((r = raw3(SYS_read, s, buf, sizeof(buf))) > 0)
    took += r;
  CHECKF("poll/slave-reads-all", took == total, "wrote %ld, read %ld", total, took);
  CHECK("poll/master-writable-after-read", poll_one(m, POLLOUT, 1000) & POLLOUT);
  /* ... and the slave fills the master's. */
  total = 0;
  while ((r = raw3(SYS_write, s, buf, 1000)) > 0 && total < (1L << 20))
    total += r;
  CHECKF("poll/slave-write-eagain-when-full", r == -EAGAIN && total > 0 && total < (1L << 20),
         "wrote %ld then %ld", total, r);
  ev = poll_one(s, POLLOUT, 0);
  CHECKF("poll/slave-not-writable-when-full", !(ev & POLLOUT), "revents %#x", ev);
  took = 0;
  for (int i = 0; i < 100 && took < total; i++) {
    while ((r = raw3(SYS_read, m, buf, sizeof(buf))) > 0)
      took += r;
    msleep(10);
  }
  CHECKF("poll/master-reads-all", took == total, "wrote %ld, read %ld", total, took);
  CHECK("poll/slave-writable-after-read", poll_one(s, POLLOUT, 1000) & POLLOUT);

  /* A blocking writer waits for the reader instead of losing bytes. */
  fcntl(m, F_SETFL, 0);
  fcntl(s, F_SETFL, 0);
  const long big = 64 * 1024;
  w = fork();
  if (w == 0) {
    static char chunk[8192];
    memset(chunk, 'b', sizeof(chunk));
    for (long sent = 0; sent < big;) {
      long k = write(m, chunk, sizeof(chunk));
      if (k <= 0)
        _exit(1);
      sent += k;
    }
    _exit(0);
  }
  long got_bytes = 0;
  int bad = 0;
  while (got_bytes < big) {
    if (!(poll_one(s, POLLIN, 5000) & POLLIN))
      break;
    r = read(s, buf, sizeof(buf));
    if (r <= 0)
      break;
    for (long i = 0; i < r; i++)
      bad += buf[i] != 'b';
    got_bytes += r;
  }
  int st = wait_child_timeout(w, 10000);
  CHECKF("poll/blocking-writer-64k", got_bytes == big && bad == 0 && EXITED_OK(st),
         "read %ld of %ld (%d wrong), writer %s", got_bytes, big, bad, status_str(st));
  close(s);
  close(m);
}

/* ---- devpts mounts ---- */

/* A second mount of devpts (on Linux a new instance, on Kite the same
 * one): it has its ptmx node; unknown options are refused. */
static void test_devpts(void)
{
  char dir[128], ptmx[160];
  snprintf(dir, sizeof(dir), "%s/devpts", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  snprintf(ptmx, sizeof(ptmx), "%s/ptmx", dir);
  mkdir(dir, 0755);
  CHECKF("devpts/mount", mount("devpts", dir, "devpts", 0, "") == 0, "%s", strerror(errno));
  struct stat st;
  CHECKF("devpts/has-ptmx", stat(ptmx, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
         minor(st.st_rdev) == 2, "%s", strerror(errno));
  CHECKF("devpts/umount", umount(dir) == 0, "%s", strerror(errno));
  errno = 0;
  CHECKF("devpts/bogus-option-einval", mount("devpts", dir, "devpts", 0, "bogus=1") < 0 && errno == EINVAL,
         "%s", strerror(errno));
  rmdir(dir);
}

/* ---- bad pointers ---- */

static void test_efault(void)
{
  int m, s;
  char name[64], buf[16];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  CHECK_RET("efault/tiocgptn", raw3(SYS_ioctl, m, TIOCGPTN, BAD_PTR), -EFAULT);
  CHECK_RET("efault/tiocsptlck", raw3(SYS_ioctl, m, TIOCSPTLCK, BAD_PTR), -EFAULT);
  CHECK_RET("efault/tcgets-kernel-ptr", raw3(SYS_ioctl, s, TCGETS, KERNEL_PTR), -EFAULT);
  CHECK_RET("efault/tcsets", raw3(SYS_ioctl, s, TCSETS, BAD_PTR), -EFAULT);
  CHECK_RET("efault/tcgets-via-master", raw3(SYS_ioctl, m, TCGETS, BAD_PTR), -EFAULT);
  CHECK_RET("efault/tiocgwinsz", raw3(SYS_ioctl, s, TIOCGWINSZ, BAD_PTR), -EFAULT);
  CHECK_RET("efault/tiocswinsz", raw3(SYS_ioctl, m, TIOCSWINSZ, KERNEL_PTR), -EFAULT);
  CHECK_RET("efault/tiocgpgrp-via-master", raw3(SYS_ioctl, m, TIOCGPGRP, BAD_PTR), -EFAULT);
  CHECK_RET("efault/tiocspgrp", raw3(SYS_ioctl, s, TIOCSPGRP, BAD_PTR), -EFAULT);
  CHECK_RET("efault/fionread-master", raw3(SYS_ioctl, m, FIONREAD, BAD_PTR), -EFAULT);
  CHECK_RET("efault/fionread-slave", raw3(SYS_ioctl, s, FIONREAD, BAD_PTR), -EFAULT);
  CHECK_RET("efault/master-write", raw3(SYS_write, m, BAD_PTR, 4), -EFAULT);
  CHECK_RET("efault/slave-write", raw3(SYS_write, s, KERNEL_PTR, 4), -EFAULT);
  raw_mode(s);
  wr(s, "keep");
  poll_one(m, POLLIN, 1000);
  CHECK_RET("efault/master-read", raw3(SYS_read, m, BAD_PTR, sizeof(buf)), -EFAULT);
  long n = raw3(SYS_read, m, buf, sizeof(buf));
  CHECKF("efault/master-read-keeps-data", n == 4 && memcmp(buf, "keep", 4) == 0, "read %ld", n);
  wr(m, "data");
  poll_one(s, POLLIN, 1000);
  CHECK_RET("efault/slave-read", raw3(SYS_read, s, KERNEL_PTR, sizeof(buf)), -EFAULT);
  n = raw3(SYS_read, s, buf, sizeof(buf));
  CHECKF("efault/slave-read-keeps-data", n == 4 && memcmp(buf, "data", 4) == 0, "read %ld", n);
  close(s);
  close(m);
}

/* ---- vhangup ---- */

/* A session leader hangs up its terminal: it gets SIGHUP and SIGCONT
 * and the session loses the terminal (what Linux does to the files open
 * on it, which it revokes, is not checked: Kite leaves them usable). */
static void kid_vhangup(const char *name)
{
  int fd = become_session_with(name);
  CHECKF("vhangup/child-ctty", fd >= 0, "%s", strerror(errno));
  catch_signal(SIGHUP);
  catch_signal(SIGCONT);
  CHECK_RET("vhangup/leader", raw0(SYS_vhangup), 0);
  int tty = open("/dev/tty", O_RDWR);
  CHECKF("vhangup/no-dev-tty-after", tty < 0 && errno == ENXIO, "open gave %d (%s)", tty, strerror(errno));
  CHECK_RET("vhangup/again-without-terminal", raw0(SYS_vhangup), 0);
}

static void test_vhangup(void)
{
  /* abi-linux runs qemu-user in a user namespace, and vhangup needs
   * CAP_SYS_TTY_CONFIG in the initial one (tty_io.c): EPERM there. The
   * reference Linux (abi-ref) and Kite run the whole section. */
  if (skip_on_qemu("vhangup/all", "run in a user namespace: no CAP_SYS_TTY_CONFIG in the initial one"))
    return;
  char name[64];
  int m = new_master(0, name, sizeof(name));
  if (m < 0)
    return;
  struct kid k = start_kid(kid_vhangup, name, m);
  CHECK("vhangup/leader-gets-sighup-sigcont", wait_acks(k.ack, "HC", 5000));
  finish_kid("vhangup/child", k, 10000);
  close(m);
  pid_t c = fork();
  if (c == 0) { /* without CAP_SYS_TTY_CONFIG */
    if (setresuid(65534, 65534, 65534))
      _exit(0); /* no such user here: nothing to check */
    _exit(raw0(SYS_vhangup) == -EPERM ? 0 : 1);
  }
  int st = wait_child_timeout(c, 5000);
  CHECKF("vhangup/unprivileged-eperm", EXITED_OK(st), "%s", status_str(st));
}

/* The System V struct termio of TCGETA/TCSETA (asm-generic/termbits.h),
 * spelled out: the C libraries disagree on whether they declare it. */
struct old_termio {
  unsigned short c_iflag, c_oflag, c_cflag, c_lflag;
  unsigned char c_line;
  unsigned char c_cc[8];
};
#define OLD_TCGETA 0x5405
#define OLD_TCSETA 0x5406
#define OLD_TCSETAW 0x5407
#define OLD_TCSETAF 0x5408

/* TCGETA shows the low 16 bits of each flag and the first 8 control
 * characters; TCSETA sets those and leaves the rest of the termios. */
static void test_termio(void)
{
  int m, s;
  char name[64];
  if (new_pair(&m, &s, name, sizeof(name)))
    return;
  struct termios t;
  struct old_termio o;
  memset(&o, 0xee, sizeof(o));
  tcgetattr(s, &t);
  CHECK_RET("termio/tcgeta", raw3(SYS_ioctl, s, OLD_TCGETA, &o), 0);
  int qemu = skip_on_qemu("termio/contents", QEMU_TERMIO);
  if (!qemu)
    CHECKF("termio/tcgeta-flags", o.c_iflag == (t.c_iflag & 0xffff) && o.c_oflag == (t.c_oflag & 0xffff) &&
           o.c_cflag == (t.c_cflag & 0xffff) && o.c_lflag == (t.c_lflag & 0xffff),
           "iflag %#x/%#x lflag %#x/%#x", o.c_iflag, t.c_iflag, o.c_lflag, t.c_lflag);
  if (!qemu)
    CHECKF("termio/tcgeta-cc", memcmp(o.c_cc, t.c_cc, 8) == 0 && o.c_cc[VINTR] == t.c_cc[VINTR],
           "VINTR %d", o.c_cc[VINTR]);
  o.c_lflag &= (unsigned short)~(ICANON | ECHO);
  o.c_cc[VINTR] = 7;
  CHECK_RET("termio/tcseta", raw3(SYS_ioctl, s, OLD_TCSETA, &o), 0);
  struct termios after;
  tcgetattr(s, &after);
  if (!qemu)
    CHECKF("termio/tcseta-sets", !(after.c_lflag & (ICANON | ECHO)) && after.c_cc[VINTR] == 7,
           "lflag %#x VINTR %d", after.c_lflag, after.c_cc[VINTR]);
  CHECKF("termio/tcseta-keeps-rest", after.c_cc[VEOL2] == t.c_cc[VEOL2] &&
         (after.c_cflag & ~0xffffu) == (t.c_cflag & ~0xffffu), "VEOL2 %d", after.c_cc[VEOL2]);
  CHECK_RET("termio/tcsetaw", raw3(SYS_ioctl, s, OLD_TCSETAW, &o), 0);
  CHECK_RET("termio/tcsetaf", raw3(SYS_ioctl, s, OLD_TCSETAF, &o), 0);
  CHECK_RET("termio/tcgeta-via-master", raw3(SYS_ioctl, m, OLD_TCGETA, &o), 0);
  CHECK_RET("termio/tcgeta-efault", raw3(SYS_ioctl, s, OLD_TCGETA, BAD_PTR), -EFAULT);
  CHECK_RET("termio/tcgeta-null-efault", raw3(SYS_ioctl, s, OLD_TCGETA, 0), -EFAULT);
  CHECK_RET("termio/tcseta-efault", raw3(SYS_ioctl, s, OLD_TCSETA, BAD_PTR), -EFAULT);
  int f = open("/proc/self/stat", O_RDONLY);
  CHECK_RET("termio/tcgeta-not-a-tty", raw3(SYS_ioctl, f, OLD_TCGETA, &o), -ENOTTY);
  close(f);
  close(s);
  close(m);
}

int main(void)
{
  abi_family = "pty";
  run_section("open", test_open, 30000);
  run_section("canon", test_canon, 30000);
  run_section("raw", test_raw, 30000);
  run_section("vmin", test_vmin, 30000);
  run_section("signals", test_signals, 30000);
  run_section("ctty", test_ctty, 30000);
  run_section("winsize", test_winsize, 30000);
  run_section("hangup", test_hangup, 30000);
  run_section("slave-closed", test_slave_closed, 30000);
  run_section("flush", test_flush, 30000);
  run_section("stat", test_stat, 30000);
  run_section("poll", test_poll, 60000);
  run_section("devpts", test_devpts, 30000);
  run_section("efault", test_efault, 30000);
  run_section("termio", test_termio, 30000);
  run_section("vhangup", test_vhangup, 30000);
  return abi_done();
}
