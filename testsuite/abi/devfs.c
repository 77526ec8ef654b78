/*
 * devfs.c — the file-system view a Linux system sets up at boot
 * (testsuite/abi): /dev/shm as a tmpfs (shm_open, sem_open across fork),
 * the /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr links, the magic
 * links of /proc/self/fd (a pipe reopens through them, a socket or an
 * epoll answers ENXIO, a removed file is still reached), /proc/self/cwd,
 * and /proc/self/mountinfo (its shape, and device numbers that match
 * stat). User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#define TMPFS_MAGIC 0x01021994

/* ---- /dev/shm ---- */

static void test_shm(void)
{
  struct stat st;
  CHECK("shm/is-directory", stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode));
  CHECKF("shm/mode-1777", (st.st_mode & 07777) == 01777, "mode %o", st.st_mode & 07777);
  struct statfs sf;
  CHECKF("shm/is-tmpfs", statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC, "f_type %lx",
         (unsigned long)sf.f_type);

  char name[64];
  snprintf(name, sizeof(name), "/abi-shm-%d", getpid());
  int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  CHECKF("shm_open/create", fd >= 0, "%s", strerror(errno));
  if (fd < 0)
    return;
  char path[96];
  snprintf(path, sizeof(path), "/dev/shm%s", name);
  CHECK("shm_open/file-in-dev-shm", stat(path, &st) == 0 && S_ISREG(st.st_mode));
  CHECK("shm_open/ftruncate", ftruncate(fd, 8192) == 0);
  int *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK("shm_open/mmap-shared", m != MAP_FAILED);
  if (m == MAP_FAILED)
    return;
  m[0] = 1;
  pid_t pid = fork();
  if (pid == 0) {
    int fd2 = shm_open(name, O_RDWR, 0);
    int *m2 = fd2 < 0 ? MAP_FAILED : mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
    if (m2 == MAP_FAILED)
      _exit(2);
    m2[1] = m2[0] + 41; /* 42 */
    m2[1024] = 7;       /* the second page */
    _exit(0);
  }
  int s = wait_child_timeout(pid, 10000);
  CHECKF("shm_open/child-reopens", s == 0, "child %s", status_str(s));
  CHECKF("shm_open/shared-between-processes", m[1] == 42 && m[1024] == 7, "%d %d", m[1], m[1024]);
  munmap(m, 8192);
  close(fd);
  CHECK("shm_unlink", shm_unlink(name) == 0);
  CHECK("shm_unlink/gone", shm_open(name, O_RDWR, 0) < 0 && errno == ENOENT);
  CHECK("shm_open/excl-eexist-after-create",
        (fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600)) >= 0 &&
            shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600) < 0 && errno == EEXIST);
  close(fd);
  shm_unlink(name);

  /* a named semaphore (musl and glibc keep it in /dev/shm/sem.NAME) */
  snprintf(name, sizeof(name), "/abi-sem-%d", getpid());
  sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
  CHECKF("sem_open/create", sem != SEM_FAILED, "%s", strerror(errno));
  if (sem == SEM_FAILED)
    return;
  /* glibc names it sem.NAME, musl NAME */
  char path2[96];
  snprintf(path, sizeof(path), "/dev/shm/sem.%s", name + 1);
  snprintf(path2, sizeof(path2), "/dev/shm/%s", name + 1);
  CHECK("sem_open/file-in-dev-shm", stat(path, &st) == 0 || stat(path2, &st) == 0);
  pid = fork();
  if (pid == 0) {
    sem_t *s2 = sem_open(name, 0);
    if (s2 == SEM_FAILED)
      _exit(2);
    msleep(50);
    sem_post(s2);
    sem_post(s2);
    _exit(0);
  }
  int ok = sem_wait(sem) == 0 && sem_wait(sem) == 0;
  s = wait_child_timeout(pid, 10000);
  CHECKF("sem_open/post-from-another-process", ok && s == 0, "wait %d child %s", ok, status_str(s));
  int v = -1;
  CHECKF("sem_open/value-back-to-zero", sem_getvalue(sem, &v) == 0 && v == 0, "%d", v);
  sem_close(sem);
  CHECK("sem_unlink", sem_unlink(name) == 0 && stat(path, &st) < 0 && stat(path2, &st) < 0 && errno == ENOENT);
}

/* ---- /dev links ---- */

static int link_is(const char *path, const char *target)
{
  char buf[256];
  ssize_t n = readlink(path, buf, sizeof(buf) - 1);
  if (n < 0)
    return 0;
  buf[n] = 0;
  return strcmp(buf, target) == 0;
}

static void test_dev_links(void)
{
  CHECK("dev/fd-link", link_is("/dev/fd", "/proc/self/fd"));
  CHECK("dev/stdin-link", link_is("/dev/stdin", "/proc/self/fd/0"));
  CHECK("dev/stdout-link", link_is("/dev/stdout", "/proc/self/fd/1"));
  CHECK("dev/stderr-link", link_is("/dev/stderr", "/proc/self/fd/2"));
  struct stat a, b;
  int fd = open("/proc/self/status", O_RDONLY);
  char path[64];
  snprintf(path, sizeof(path), "/dev/fd/%d", fd);
  CHECK("dev/fd-N-is-the-file", stat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino &&
                                    a.st_dev == b.st_dev);
  close(fd);
  struct stat d;
  CHECK("dev/fd-lists-descriptors", stat("/dev/fd/0", &d) == 0 || errno == ENOENT);
}

/* ---- /proc/self/fd magic links ---- */

static int reopen(int fd, int flags)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  return open(path, flags);
}

static void test_fd_links(void)
{
  int p[2];
  pipe(p);
  struct stat ps, rs;
  fstat(p[0], &ps);
  char want[64], got[64] = "";
  snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)ps.st_ino);
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
  ssize_t n = readlink(path, got, sizeof(got) - 1);
  got[n > 0 ? n : 0] = 0;
  CHECKF("fd-link/pipe-readlink", strcmp(got, want) == 0, "%s, want %s", got, want);

  int r = reopen(p[0], O_RDONLY);
  CHECKF("fd-link/pipe-reopens", r >= 0, "%s", strerror(errno));
  CHECK("fd-link/pipe-same-inode", r >= 0 && fstat(r, &rs) == 0 && rs.st_ino == ps.st_ino && S_ISFIFO(rs.st_mode));
  write(p[1], "abc", 3);
  char buf[8] = "";
  CHECK("fd-link/pipe-reopened-reads", read(r, buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0);
  /* the original read end may go: the reopened one keeps the pipe readable */
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  CHECK("fd-link/pipe-survives-original-reader", write(p[1], "de", 2) == 2 && read(r, buf, 8) == 2);
  /* the write end reopens for writing, through /dev/fd */
  snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
  int w = open(path, O_WRONLY);
  CHECKF("fd-link/pipe-write-end-reopens", w >= 0, "%s", strerror(errno));
  close(p[1]);
  CHECK("fd-link/pipe-reopened-writes", write(w, "xyz", 3) == 3 && read(r, buf, 8) == 3 && !memcmp(buf, "xyz", 3));
  close(w);
  CHECK("fd-link/pipe-eof-after-all-writers", read(r, buf, 8) == 0);
  /* reopening a read end whose writers are gone does not wait for one */
  int r2 = reopen(r, O_RDONLY | O_NONBLOCK);
  int r3 = reopen(r, O_RDONLY);
  CHECKF("fd-link/pipe-reopen-without-writer", r2 >= 0 && r3 >= 0, "%d %d %s", r2, r3, strerror(errno));
  CHECK("fd-link/pipe-reopen-without-writer-eof", r3 >= 0 && read(r3, buf, 8) == 0);
  close(r2);
  close(r3);
  close(r);
  signal(SIGPIPE, SIG_DFL);

  /* a socket and an epoll instance: ENXIO (stat still works) */
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK("fd-link/socket-enxio", reopen(s, O_RDWR) < 0 && errno == ENXIO);
  snprintf(path, sizeof(path), "/proc/self/fd/%d", s);
  struct stat ss;
  CHECK("fd-link/socket-stat", stat(path, &ss) == 0 && S_ISSOCK(ss.st_mode));
  close(s);
  int ep = epoll_create1(0);
  CHECK("fd-link/epoll-enxio", reopen(ep, O_RDONLY) < 0 && errno == ENXIO);
  close(ep);

  /* a removed file is still reached through its descriptor's link */
  char name[64];
  snprintf(name, sizeof(name), "abi-devfs-%d", getpid());
  int f = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(f, "kept", 4);
  unlink(name);
  int f2 = reopen(f, O_RDONLY);
  memset(buf, 0, sizeof(buf));
  CHECKF("fd-link/removed-file-reopens", f2 >= 0 && read(f2, buf, 8) == 4 && !memcmp(buf, "kept", 4), "%s",
         strerror(errno));
  struct stat fs1, fs2;
  CHECK("fd-link/removed-file-same-inode", f2 >= 0 && fstat(f, &fs1) == 0 && fstat(f2, &fs2) == 0 &&
                                               fs1.st_ino == fs2.st_ino && fs2.st_nlink == 0);
  /* a new open file: its own offset */
  CHECK("fd-link/reopen-own-offset", lseek(f, 0, SEEK_CUR) == 4 && f2 >= 0 && lseek(f2, 0, SEEK_CUR) == 4);
  close(f);
  close(f2);
  CHECK("fd-link/closed-enoent", reopen(f, O_RDONLY) < 0 && errno == ENOENT);

  /* cwd is a magic link too: a name below it resolves from the cwd */
  f = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
  close(f);
  snprintf(path, sizeof(path), "/proc/self/cwd/%.40s", name);
  CHECK("cwd-link/names-resolve", (f = open(path, O_RDONLY)) >= 0);
  close(f);
  unlink(name);
  /* a directory descriptor's link reaches the directory */
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  snprintf(path, sizeof(path), "/proc/self/fd/%d/.", dfd);
  struct stat d1, d2;
  CHECK("fd-link/directory", stat(path, &d1) == 0 && stat(".", &d2) == 0 && d1.st_ino == d2.st_ino);
  close(dfd);
}

/* ---- /proc/self/mountinfo ---- */

static void test_mountinfo(void)
{
  FILE *fp = fopen("/proc/self/mountinfo", "r");
  CHECK("mountinfo/exists", fp != NULL);
  if (!fp)
    return;
  enum { MAXL = 256 };
  static struct {
    int id, parent;
    unsigned ma, mi;
    char mp[128], type[32];
  } l[MAXL];
  char line[1024], bad[200] = "";
  int lines = 0, shaped = 0;
  while (fgets(line, sizeof(line), fp) && lines < MAXL) {
    char root[256], mp[256], opts[128], type[64], src[256], sopts[256];
    char *dash = strstr(line, " - ");
    int n1 = sscanf(line, "%d %d %u:%u %255s %255s %127s", &l[lines].id, &l[lines].parent, &l[lines].ma,
                    &l[lines].mi, root, mp, opts);
    int n2 = dash ? sscanf(dash + 3, "%63s %255s %255s", type, src, sopts) : 0;
    if (n1 == 7 && n2 >= 2) { /* (the super options may be empty on Linux) */
      shaped++;
      snprintf(l[lines].mp, sizeof(l[lines].mp), "%.127s", mp);
      snprintf(l[lines].type, sizeof(l[lines].type), "%.31s", type);
    } else if (!*bad) {
      snprintf(bad, sizeof(bad), "%.190s", line);
    }
    lines++;
  }
  fclose(fp);
  CHECKF("mountinfo/lines-shaped", lines > 0 && shaped == lines, "%d of %d: %s", shaped, lines, bad);
  int have_root = 0, have_proc = 0, have_shm = 0;
  for (int i = 0; i < lines; i++) {
    have_root |= !strcmp(l[i].mp, "/");
    have_proc |= !strcmp(l[i].mp, "/proc") && !strcmp(l[i].type, "proc");
    have_shm |= !strcmp(l[i].mp, "/dev/shm") && !strcmp(l[i].type, "tmpfs");
  }
  CHECK("mountinfo/has-root", have_root);
  CHECK("mountinfo/has-proc", have_proc);
  CHECK("mountinfo/has-dev-shm-tmpfs", have_shm);
  /* the last line for a mount point is the mount on top: what stat sees */
  static const char *const points[] = { "/proc", "/dev/shm" };
  int dev_ok = 1, checked = 0;
  for (unsigned k = 0; k < 2; k++) {
    int last = -1;
    for (int i = 0; i < lines; i++)
      if (!strcmp(l[i].mp, points[k]))
        last = i;
    struct stat st;
    if (last < 0 || stat(points[k], &st) != 0)
      continue;
    checked++;
    if (major(st.st_dev) != l[last].ma || minor(st.st_dev) != l[last].mi) {
      dev_ok = 0;
      snprintf(bad, sizeof(bad), "%s is %u:%u, stat says %u:%u", points[k], l[last].ma, l[last].mi,
               major(st.st_dev), minor(st.st_dev));
    }
  }
  CHECKF("mountinfo/device-numbers-match-stat", dev_ok && checked == 2, "%s (%d checked)", bad, checked);
  /* every parent is a mount listed here, but the root's (outside our view) */
  int parents_ok = 1, uniq = 1;
  for (int i = 0; i < lines; i++) {
    int found = 0;
    for (int j = 0; j < lines; j++) {
      found |= l[j].id == l[i].parent;
      uniq &= j <= i || l[i].id != l[j].id;
    }
    if (!found && strcmp(l[i].mp, "/")) {
      parents_ok = 0;
      snprintf(bad, sizeof(bad), "%s: parent %d", l[i].mp, l[i].parent);
    }
  }
  CHECKF("mountinfo/parents-listed", parents_ok, "%s", bad);
  CHECK("mountinfo/ids-unique", uniq);
}

int main(void)
{
  abi_family = "devfs";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("shm", test_shm, 30000);
  run_section("dev-links", test_dev_links, 30000);
  run_section("fd-links", test_fd_links, 30000);
  run_section("mountinfo", test_mountinfo, 30000);
  return abi_done();
}
