/*
 * inotify.c — inotify (testsuite/abi): inotify_init1 and its flags,
 * inotify_add_watch (masks, IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR,
 * IN_DONT_FOLLOW, IN_ONESHOT, the errors in Linux's order),
 * inotify_rm_watch and IN_IGNORED; the events a directory hears about
 * its entries (create, open, modify, close, access, attrib, moves with
 * one cookie, delete) and those a file hears about itself (modify,
 * attrib, move, delete, IN_DELETE_SELF after the last use), getdents,
 * truncate, hard links, renames over a watched file; reading (records
 * padded to 16 bytes, EINVAL for a short buffer, EAGAIN, a blocking read
 * woken by another process, merging of equal events, IN_Q_OVERFLOW),
 * FIONREAD, poll and epoll; no memory kept after closing (Kite). In the
 * working directory. User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

struct ev {
  int wd;
  uint32_t mask, cookie;
  char name[64];
};

static struct ev evs[64];
static int nev;

/* Read every queued event (non-blocking descriptor) into evs[]. */
static int drain(int fd)
{
  char buf[4096] __attribute__((aligned(8)));
  nev = 0;
  for (;;) {
    long n = raw3(SYS_read, fd, buf, sizeof(buf));
    if (n <= 0)
      break;
    for (long off = 0; off < n;) {
      struct inotify_event *e = (struct inotify_event *)(buf + off);
      if (nev < 64) {
        evs[nev].wd = e->wd;
        evs[nev].mask = e->mask;
        evs[nev].cookie = e->cookie;
        snprintf(evs[nev].name, sizeof(evs[nev].name), "%s", e->len ? e->name : "");
        nev++;
      }
      off += sizeof(*e) + e->len;
    }
  }
  return nev;
}

/* Index of the first event from i on with this wd, mask and name ("" = none), or -1. */
static int find_ev(int from, int wd, uint32_t mask, const char *name)
{
  for (int i = from; i < nev; i++)
    if (evs[i].wd == wd && evs[i].mask == mask && !strcmp(evs[i].name, name))
      return i;
  return -1;
}

static const char *dump(void)
{
  static char s[600];
  int n = 0;
  for (int i = 0; i < nev && n < (int)sizeof(s) - 40; i++)
    n += snprintf(s + n, sizeof(s) - n, "[%d %x %s]", evs[i].wd, evs[i].mask, evs[i].name);
  if (!nev)
    snprintf(s, sizeof(s), "(none)");
  return s;
}

/* CHECK that the events, in this order (others may come between), were seen. */
static void expect_seq(const char *name, int wd, const uint32_t *masks, const char *const *names, int k)
{
  int at = 0, ok = 1;
  for (int i = 0; i < k && ok; i++) {
    int j = find_ev(at, wd, masks[i], names[i]);
    ok = j >= 0;
    at = j + 1;
  }
  CHECKF(name, ok, "%s", dump());
}

static void test_api(void)
{
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  CHECK("init1/ok", fd >= 0);
  CHECK("init1/cloexec", fcntl(fd, F_GETFD) == FD_CLOEXEC);
  CHECK("init1/nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK);
  char buf[256];
  CHECK_RET("read/empty-eagain", raw3(SYS_read, fd, buf, sizeof(buf)), -EAGAIN);
  CHECK_RET("init1/einval-flags", raw1(SYS_inotify_init1, 1), -EINVAL);
  mkdir("w", 0700);
  close(open("w/file", O_CREAT | O_WRONLY, 0600));
  CHECK_RET("add/einval-no-events", raw3(SYS_inotify_add_watch, fd, "w", 0), -EINVAL);
  CHECK_RET("add/einval-add-and-create", raw3(SYS_inotify_add_watch, fd, "w", IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE),
            -EINVAL);
  CHECK_RET("add/ebadf", raw3(SYS_inotify_add_watch, 999, "w", IN_CREATE), -EBADF);
  CHECK_RET("add/einval-not-inotify", raw3(SYS_inotify_add_watch, 0, "w", IN_CREATE), -EINVAL);
  CHECK_RET("add/enoent", raw3(SYS_inotify_add_watch, fd, "w/none", IN_CREATE), -ENOENT);
  CHECK_RET("add/enotdir-onlydir", raw3(SYS_inotify_add_watch, fd, "w/file", IN_CREATE | IN_ONLYDIR), -ENOTDIR);
  CHECK_RET("add/efault", raw3(SYS_inotify_add_watch, fd, BAD_PTR, IN_CREATE), -EFAULT);
  long wd = raw3(SYS_inotify_add_watch, fd, "w", IN_CREATE);
  CHECKF("add/wd-positive", wd > 0, "%ld", wd);
  CHECK_RET("add/same-inode-same-wd", raw3(SYS_inotify_add_watch, fd, "w/", IN_DELETE), wd);
  CHECK_RET("add/mask-create-eexist", raw3(SYS_inotify_add_watch, fd, "w", IN_CREATE | IN_MASK_CREATE), -EEXIST);
  /* the mask was replaced by IN_DELETE: a create says nothing */
  close(open("w/new1", O_CREAT | O_WRONLY, 0600));
  CHECK("add/mask-replaced", drain(fd) == 0);
  raw3(SYS_inotify_add_watch, fd, "w", IN_CREATE | IN_MASK_ADD);
  close(open("w/new2", O_CREAT | O_WRONLY, 0600));
  unlink("w/new2");
  drain(fd);
  CHECKF("add/mask-add", find_ev(0, wd, IN_CREATE, "new2") >= 0 && find_ev(0, wd, IN_DELETE, "new2") >= 0, "%s",
         dump());
  long wd2 = raw3(SYS_inotify_add_watch, fd, "w/file", IN_ALL_EVENTS);
  CHECK("add/second-watch-new-wd", wd2 > 0 && wd2 != wd);
  CHECK_RET("rm/ok", raw2(SYS_inotify_rm_watch, fd, wd2), 0);
  drain(fd);
  CHECKF("rm/ignored-event", nev == 1 && evs[0].wd == wd2 && evs[0].mask == IN_IGNORED, "%s", dump());
  CHECK_RET("rm/again-einval", raw2(SYS_inotify_rm_watch, fd, wd2), -EINVAL);
  CHECK_RET("rm/ebadf", raw2(SYS_inotify_rm_watch, 999, wd), -EBADF);
  /* a symlink: followed, or with IN_DONT_FOLLOW the link itself */
  symlink("w", "wl");
  CHECK_RET("add/follows-symlink", raw3(SYS_inotify_add_watch, fd, "wl", IN_CREATE), wd);
  long lwd = raw3(SYS_inotify_add_watch, fd, "wl", IN_ATTRIB | IN_DONT_FOLLOW);
  CHECK("add/dont-follow", lwd > 0 && lwd != wd);
  unlink("wl");
  drain(fd);
  unlink("w/new1");
  unlink("w/file");
  rmdir("w");
  close(fd);
}

static void test_dir_events(void)
{
  int fd = inotify_init1(IN_NONBLOCK);
  mkdir("d", 0700);
  int wd = inotify_add_watch(fd, "d", IN_ALL_EVENTS);
  int f = open("d/a", O_CREAT | O_WRONLY, 0600);
  write(f, "x", 1);
  write(f, "y", 1); /* merged with the IN_MODIFY before it */
  close(f);
  f = open("d/a", O_RDONLY);
  char c;
  read(f, &c, 1);
  close(f);
  chmod("d/a", 0640);
  drain(fd);
  static const uint32_t m1[] = {IN_CREATE, IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE, IN_OPEN, IN_ACCESS, IN_CLOSE_NOWRITE,
                                IN_ATTRIB};
  static const char *const n1[] = {"a", "a", "a", "a", "a", "a", "a", "a"};
  expect_seq("dir/create-open-modify-close-access-attrib", wd, m1, n1, 8);
  int modifies = 0;
  for (int i = 0; i < nev; i++)
    modifies += evs[i].mask == IN_MODIFY;
  CHECKF("read/equal-events-merged", modifies == 1, "%d IN_MODIFY: %s", modifies, dump());

  rename("d/a", "d/b");
  drain(fd);
  int from = find_ev(0, wd, IN_MOVED_FROM, "a"), to = find_ev(0, wd, IN_MOVED_TO, "b");
  CHECKF("dir/move-pair", from >= 0 && to > from, "%s", dump());
  CHECKF("dir/move-cookie", from >= 0 && to >= 0 && evs[from].cookie && evs[from].cookie == evs[to].cookie, "%s",
         dump());
  truncate("d/b", 0);
  link("d/b", "d/c");
  unlink("d/b");
  unlink("d/c");
  mkdir("d/sub", 0700);
  rmdir("d/sub");
  drain(fd);
  static const uint32_t m2[] = {IN_MODIFY, IN_CREATE, IN_DELETE, IN_DELETE, IN_CREATE | IN_ISDIR, IN_DELETE | IN_ISDIR};
  static const char *const n2[] = {"b", "c", "b", "c", "sub", "sub"};
  expect_seq("dir/truncate-link-unlink-mkdir-rmdir", wd, m2, n2, 6);

  /* listing the directory itself: open, access, close of the directory */
  int dfd = open("d", O_RDONLY | O_DIRECTORY);
  char dbuf[512];
  raw3(SYS_getdents64, dfd, dbuf, sizeof(dbuf));
  close(dfd);
  drain(fd);
  static const uint32_t m3[] = {IN_OPEN | IN_ISDIR, IN_ACCESS | IN_ISDIR, IN_CLOSE_NOWRITE | IN_ISDIR};
  static const char *const n3[] = {"", "", ""};
  expect_seq("dir/getdents-self-events", wd, m3, n3, 3);

  /* records: 16-byte aligned names, NUL-terminated */
  close(open("d/name-of-17-chars", O_CREAT | O_WRONLY, 0600));
  char rb[256] __attribute__((aligned(8)));
  long n = raw3(SYS_read, fd, rb, sizeof(rb));
  struct inotify_event *e = (struct inotify_event *)rb;
  CHECKF("read/record-padded", n >= (long)sizeof(*e) && e->len % 16 == 0 && e->len >= 18 &&
                                   !strcmp(e->name, "name-of-17-chars"), "n %ld len %u", n, e->len);
  drain(fd);
  /* a buffer too small for the next record */
  unlink("d/name-of-17-chars");
  CHECK_RET("read/einval-short-buffer", raw3(SYS_read, fd, rb, 20), -EINVAL);
  int avail = -1;
  CHECK("fionread", ioctl(fd, FIONREAD, &avail) == 0 && avail == 16 + 32);
  drain(fd);

  /* the watched directory goes */
  rmdir("d");
  drain(fd);
  static const uint32_t m4[] = {IN_DELETE_SELF, IN_IGNORED}; /* (never IN_ISDIR: Linux) */
  static const char *const n4[] = {"", ""};
  expect_seq("dir/delete-self-then-ignored", wd, m4, n4, 2);
  CHECK_RET("dir/watch-gone", raw2(SYS_inotify_rm_watch, fd, wd), -EINVAL);
  close(fd);
}

static void test_file_events(void)
{
  int fd = inotify_init1(IN_NONBLOCK);
  close(open("ff", O_CREAT | O_WRONLY | O_TRUNC, 0600));
  int wd = inotify_add_watch(fd, "ff", IN_ALL_EVENTS);
  int f = open("ff", O_WRONLY);
  write(f, "abc", 3);
  rename("ff", "gg");
  drain(fd);
  static const uint32_t m1[] = {IN_OPEN, IN_MODIFY, IN_MOVE_SELF};
  static const char *const n1[] = {"", "", ""};
  expect_seq("file/open-modify-move-self", wd, m1, n1, 3);
  /* removed while open: IN_ATTRIB now, IN_DELETE_SELF at the last close */
  unlink("gg");
  drain(fd);
  CHECKF("file/unlink-attrib", find_ev(0, wd, IN_ATTRIB, "") >= 0 && find_ev(0, wd, IN_DELETE_SELF, "") < 0, "%s",
         dump());
  close(f);
  drain(fd);
  static const uint32_t m2[] = {IN_CLOSE_WRITE, IN_DELETE_SELF, IN_IGNORED};
  static const char *const n2[] = {"", "", ""};
  expect_seq("file/delete-self-at-last-close", wd, m2, n2, 3);

  /* renamed over: the replaced file is deleted */
  close(open("p", O_CREAT | O_WRONLY, 0600));
  close(open("q", O_CREAT | O_WRONLY, 0600));
  int qwd = inotify_add_watch(fd, "q", IN_ATTRIB | IN_DELETE_SELF);
  rename("p", "q");
  drain(fd);
  static const uint32_t m3[] = {IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED};
  static const char *const n3[] = {"", "", ""};
  expect_seq("file/replaced-by-rename", qwd, m3, n3, 3);

  /* one-shot */
  int owd = inotify_add_watch(fd, "q", IN_ATTRIB | IN_ONESHOT);
  chmod("q", 0600);
  chmod("q", 0640);
  drain(fd);
  CHECKF("oneshot/one-event-then-ignored", nev == 2 && evs[0].wd == owd && evs[0].mask == IN_ATTRIB &&
                                               evs[1].mask == IN_IGNORED, "%s", dump());
  unlink("q");
  close(fd);
}

static void test_wakeups(void)
{
  int fd = inotify_init1(0);
  mkdir("b", 0700);
  inotify_add_watch(fd, "b", IN_CREATE);
  pid_t pid = fork();
  if (pid == 0) {
    msleep(100);
    close(open("b/late", O_CREAT | O_WRONLY, 0600));
    _exit(0);
  }
  char buf[256] __attribute__((aligned(8)));
  long long t0 = now_ns();
  long n = raw3(SYS_read, fd, buf, sizeof(buf));
  struct inotify_event *e = (struct inotify_event *)buf;
  CHECKF("read/blocks-until-event", n > 0 && !strcmp(e->name, "late") && now_ns() - t0 >= 50000000LL, "n %ld", n);
  wait_child_timeout(pid, 5000);
  struct pollfd p = {fd, POLLIN, 0};
  CHECK_RET("poll/quiet", poll(&p, 1, 0), 0);
  close(open("b/x", O_CREAT | O_WRONLY, 0600));
  CHECK("poll/pollin", poll(&p, 1, 1000) == 1 && (p.revents & POLLIN));
  int ep = epoll_create1(0);
  struct epoll_event ee = {EPOLLIN, {.fd = fd}}, out;
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
  CHECK("epoll/ready", epoll_wait(ep, &out, 1, 1000) == 1);
  read(fd, buf, sizeof(buf));
  CHECK("epoll/quiet-after-read", epoll_wait(ep, &out, 1, 0) == 0);
  close(ep);
  unlink("b/late");
  unlink("b/x");
  rmdir("b");
  close(fd);
}

static void test_overflow(void)
{
  long max = 16384;
  FILE *fp = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
  if (fp) {
    if (fscanf(fp, "%ld", &max) != 1)
      max = 16384;
    fclose(fp);
  }
  if (max > 100000) {
    abi_line("SKIP: %s/overflow (max_queued_events is %ld)", abi_family, max);
    return;
  }
  int fd = inotify_init1(IN_NONBLOCK);
  mkdir("o", 0700);
  close(open("o/1", O_CREAT | O_WRONLY, 0600));
  close(open("o/2", O_CREAT | O_WRONLY, 0600));
  inotify_add_watch(fd, "o", IN_OPEN);
  /* alternating names: nothing merges */
  for (long i = 0; i < max + 20; i++)
    close(open(i & 1 ? "o/1" : "o/2", O_RDONLY));
  static char buf[64 * 1024] __attribute__((aligned(8)));
  long total = 0, last_wd = 0;
  uint32_t last_mask = 0;
  for (;;) {
    long n = raw3(SYS_read, fd, buf, sizeof(buf));
    if (n <= 0)
      break;
    for (long off = 0; off < n;) {
      struct inotify_event *e = (struct inotify_event *)(buf + off);
      total++;
      last_wd = e->wd;
      last_mask = e->mask;
      off += sizeof(*e) + e->len;
    }
  }
  CHECKF("overflow/queue-limit-then-overflow-event", total == max + 1 && last_wd == -1 && last_mask == IN_Q_OVERFLOW,
         "%ld events, last wd %ld mask %x (max %ld)", total, last_wd, last_mask, max);
  unlink("o/1");
  unlink("o/2");
  rmdir("o");
  close(fd);
}

static void test_leak(void)
{
  long before = free_settled_kb();
  mkdir("lk", 0700);
  for (int round = 0; round < 3; round++) {
    int fds[40];
    for (int i = 0; i < 40; i++) {
      fds[i] = inotify_init1(0);
      inotify_add_watch(fds[i], "lk", IN_ALL_EVENTS);
      inotify_add_watch(fds[i], ".", IN_ALL_EVENTS);
    }
    close(open("lk/f", O_CREAT | O_WRONLY, 0600));
    unlink("lk/f");
    for (int i = 0; i < 40; i++)
      close(fds[i]);
  }
  rmdir("lk");
  check_no_leak("no-leak", before);
}

int main(void)
{
  abi_family = "inotify";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("api", test_api, 30000);
  run_section("dir-events", test_dir_events, 30000);
  run_section("file-events", test_file_events, 30000);
  run_section("wakeups", test_wakeups, 30000);
  run_section("overflow", test_overflow, 120000);
  run_section("leak", test_leak, 60000);
  return abi_done();
}
