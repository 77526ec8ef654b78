/*
 * openat2.c — openat2 and its RESOLVE_* flags (testsuite/abi): the size
 * handshake and the argument checks, RESOLVE_NO_SYMLINKS,
 * RESOLVE_NO_MAGICLINKS (/proc/self/fd, exe, cwd, root), RESOLVE_NO_XDEV (down into a
 * mount, up out of one, through a magic link), RESOLVE_BENEATH ("..",
 * absolute names and links, creating), RESOLVE_IN_ROOT (absolute names,
 * "..", absolute links, all inside the starting directory) and
 * RESOLVE_CACHED. User space; runs on Kite and on Linux (QEMU 7.2's user
 * mode has no openat2: the checks are made on Kite and the reference Linux).
 */
#include "check.h"
#include <sys/stat.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define R_NO_XDEV 0x01
#define R_NO_MAGICLINKS 0x02
#define R_NO_SYMLINKS 0x04
#define R_BENEATH 0x08
#define R_IN_ROOT 0x10
#define R_CACHED 0x20

struct how {
  unsigned long long flags, mode, resolve;
};

static char top[64];   /* /tmp/abi-o2-<pid> */
static int dfd = -1;   /* top/d */

static long o2(int dir, const char *path, long flags, long mode, long resolve)
{
  struct how h = {(unsigned long long)flags, (unsigned long long)mode, (unsigned long long)resolve};
  return raw4(SYS_openat2, dir, path, &h, sizeof(h));
}

/* An openat2 that must succeed and name the same file as want (a path). */
static void same_file(const char *name, int dir, const char *path, long flags, long resolve, const char *want)
{
  long fd = o2(dir, path, flags, 0, resolve);
  struct stat a, b;
  int ok = fd >= 0 && fstat((int)fd, &a) == 0 && stat(want, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
  CHECKF(name, ok, "fd %ld", fd);
  if (fd >= 0)
    close((int)fd);
}

static void setup(void)
{
  char p[128], q[128];
  snprintf(top, sizeof(top), "/tmp/abi-o2-%d", getpid());
  mkdir(top, 0755);
#define MK(fmt) (snprintf(p, sizeof(p), fmt, top), p)
  mkdir(MK("%s/d"), 0755);
  mkdir(MK("%s/d/sub"), 0755);
  close(open(MK("%s/d/file"), O_CREAT | O_WRONLY, 0644));
  close(open(MK("%s/d/froot"), O_CREAT | O_WRONLY, 0644));
  close(open(MK("%s/d/sub/f2"), O_CREAT | O_WRONLY, 0644));
  close(open(MK("%s/outside"), O_CREAT | O_WRONLY, 0644));
  symlink("file", MK("%s/d/link_rel"));
  symlink("../outside", MK("%s/d/link_up"));
  symlink("../file", MK("%s/d/sub/link_back"));
  snprintf(q, sizeof(q), "%s/d/file", top);
  symlink(q, MK("%s/d/link_abs"));
  symlink("/froot", MK("%s/d/link_root"));
  symlink("nothing-here", MK("%s/d/dangling"));
#undef MK
  snprintf(p, sizeof(p), "%s/d", top);
  dfd = open(p, O_RDONLY | O_DIRECTORY);
}

static void cleanup(void)
{
  static const char *names[] = {"d/link_rel", "d/link_up", "d/sub/link_back", "d/link_abs", "d/link_root", "d/dangling",
                                "d/sub/f2", "d/sub/new", "d/nothing-here", "d/file", "d/froot", "d/new", "outside",
                                "new"};
  char p[128];
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    snprintf(p, sizeof(p), "%s/%s", top, names[i]);
    unlink(p);
  }
  snprintf(p, sizeof(p), "%s/d/sub", top);
  rmdir(p);
  snprintf(p, sizeof(p), "%s/d", top);
  rmdir(p);
  rmdir(top);
}

static void test_args(void)
{
  struct {
    struct how h;
    unsigned long long extra;
  } big = {{O_RDONLY, 0, 0}, 0};
  long fd = raw4(SYS_openat2, dfd, "file", &big, sizeof(big));
  CHECKF("size-bigger-zero-tail", fd >= 0, "%ld", fd);
  close((int)fd);
  big.extra = 1;
  CHECK_RET("size-bigger-nonzero-tail-e2big", raw4(SYS_openat2, dfd, "file", &big, sizeof(big)), -E2BIG);
  CHECK_RET("size-small-einval", raw4(SYS_openat2, dfd, "file", &big, 23), -EINVAL);
  CHECK_RET("size-over-a-page-e2big", raw4(SYS_openat2, dfd, "file", &big, 4097), -E2BIG);
  CHECK_RET("efault-how", raw4(SYS_openat2, dfd, "file", BAD_PTR, 24), -EFAULT);
  CHECK_RET("efault-path", o2(dfd, BAD_PTR, O_RDONLY, 0, 0), -EFAULT);
  CHECK_RET("einval-unknown-flag", o2(dfd, "file", 04, 0, 0), -EINVAL);
  CHECK_RET("einval-high-flag", o2(dfd, "file", 1L << 40, 0, 0), -EINVAL);
  CHECK_RET("einval-mode-without-creat", o2(dfd, "file", O_RDONLY, 0644, 0), -EINVAL);
  CHECK_RET("einval-mode-bits", o2(dfd, "new", O_CREAT | O_WRONLY, 0170644, 0), -EINVAL);
  CHECK_RET("einval-unknown-resolve", o2(dfd, "file", O_RDONLY, 0, 0x40), -EINVAL);
  CHECK_RET("einval-beneath-and-in-root", o2(dfd, "file", O_RDONLY, 0, R_BENEATH | R_IN_ROOT), -EINVAL);
  CHECK_RET("einval-path-with-rdwr", o2(dfd, "file", O_PATH | O_RDWR, 0, 0), -EINVAL);
  CHECK_RET("einval-creat-directory", o2(dfd, "new", O_CREAT | O_DIRECTORY | O_RDWR, 0600, 0), -EINVAL);
  CHECK_RET("enoent-empty", o2(dfd, "", O_RDONLY, 0, 0), -ENOENT);
  CHECK_RET("ebadf-dirfd", o2(999, "file", O_RDONLY, 0, 0), -EBADF);
  fd = o2(dfd, "file", O_RDONLY | O_CLOEXEC, 0, 0);
  CHECK("cloexec", fd >= 0 && fcntl((int)fd, F_GETFD) == FD_CLOEXEC);
  close((int)fd);
  fd = o2(dfd, "new", O_CREAT | O_EXCL | O_WRONLY, 0640, 0);
  struct stat st;
  CHECKF("creat-mode", fd >= 0 && fstat((int)fd, &st) == 0 && (st.st_mode & 0777) == (0640 & ~umask(022)),
         "fd %ld mode %o", fd, st.st_mode);
  close((int)fd);
  umask(022);
  unlinkat(dfd, "new", 0);
  char want[128];
  snprintf(want, sizeof(want), "%s/d/file", top);
  same_file("plain", dfd, "link_rel", O_RDONLY, 0, want);
}

static void test_no_symlinks(void)
{
  char want[128];
  snprintf(want, sizeof(want), "%s/d/sub/f2", top);
  same_file("no-symlinks/none-on-the-way", dfd, "sub/f2", O_RDONLY, R_NO_SYMLINKS, want);
  CHECK_RET("no-symlinks/trailing-eloop", o2(dfd, "link_rel", O_RDONLY, 0, R_NO_SYMLINKS), -ELOOP);
  CHECK_RET("no-symlinks/inner-eloop", o2(dfd, "sub/link_back/x", O_RDONLY, 0, R_NO_SYMLINKS), -ELOOP);
  long fd = o2(dfd, "link_rel", O_PATH | O_NOFOLLOW, 0, R_NO_SYMLINKS);
  struct stat st;
  CHECKF("no-symlinks/path-nofollow-opens-the-link", fd >= 0 && fstat((int)fd, &st) == 0 && S_ISLNK(st.st_mode),
         "%ld", fd);
  close((int)fd);
  CHECK_RET("no-symlinks/nofollow-eloop", o2(dfd, "link_rel", O_RDONLY | O_NOFOLLOW, 0, R_NO_SYMLINKS), -ELOOP);
  CHECK_RET("no-symlinks/creat-through-dangling-eloop",
            o2(dfd, "dangling", O_CREAT | O_WRONLY, 0600, R_NO_SYMLINKS), -ELOOP);
  CHECK_RET("no-symlinks/proc-self-eloop", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, R_NO_SYMLINKS), -ELOOP);
}

static void test_magiclinks(void)
{
  char path[64], want[128];
  snprintf(want, sizeof(want), "%s/d/file", top);
  int f = openat(dfd, "file", O_RDONLY);
  snprintf(path, sizeof(path), "/proc/self/fd/%d", f);
  same_file("magic/followed-without-flags", AT_FDCWD, path, O_RDONLY, 0, want);
  same_file("magic/plain-symlink-ok", AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY, R_NO_MAGICLINKS,
            "/proc/self/fd");
  CHECK_RET("magic/eloop", o2(AT_FDCWD, path, O_RDONLY, 0, R_NO_MAGICLINKS), -ELOOP);
  long fd = o2(AT_FDCWD, path, O_PATH | O_NOFOLLOW, 0, R_NO_MAGICLINKS);
  CHECKF("magic/path-nofollow-ok", fd >= 0, "%ld", fd);
  close((int)fd);
  int proc = open("/proc", O_RDONLY | O_DIRECTORY);
  snprintf(path, sizeof(path), "self/fd/%d", f);
  CHECK_RET("magic/beneath-exdev", o2(proc, path, O_RDONLY, 0, R_BENEATH), -EXDEV);
  CHECK_RET("magic/in-root-exdev", o2(proc, path, O_RDONLY, 0, R_IN_ROOT), -EXDEV);
  CHECK_RET("magic/no-xdev-to-another-mount", o2(proc, path, O_RDONLY, 0, R_NO_XDEV), -EXDEV);
  close(proc);
  close(f);
  /* exe, cwd and root are magic links too, even when creating */
  CHECK_RET("magic/exe-eloop", o2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, R_NO_MAGICLINKS), -ELOOP);
  CHECK_RET("magic/exe-creat-eloop", o2(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CREAT, 0400, R_NO_MAGICLINKS),
            -ELOOP);
  CHECK_RET("magic/cwd-eloop", o2(AT_FDCWD, "/proc/self/cwd", O_RDONLY | O_DIRECTORY, 0, R_NO_MAGICLINKS), -ELOOP);
  CHECK_RET("magic/root-eloop", o2(AT_FDCWD, "/proc/self/root", O_RDONLY | O_DIRECTORY, 0, R_NO_MAGICLINKS),
            -ELOOP);
  char exe[256];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  exe[n > 0 ? n : 0] = 0;
  same_file("magic/exe-followed-without-flags", AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CREAT, 0, exe);
}

static void test_no_xdev(void)
{
  int root = open("/", O_RDONLY | O_DIRECTORY);
  CHECK_RET("no-xdev/down-into-proc", o2(root, "proc/self/status", O_RDONLY, 0, R_NO_XDEV), -EXDEV);
  CHECK_RET("no-xdev/absolute-down", o2(AT_FDCWD, "/proc/version", O_RDONLY, 0, R_NO_XDEV), -EXDEV);
  long fd = o2(root, "proc", O_PATH | O_DIRECTORY, 0, R_NO_XDEV);
  CHECK("no-xdev/the-mount-point-itself", fd == -EXDEV);
  if (fd >= 0)
    close((int)fd);
  int proc = open("/proc", O_RDONLY | O_DIRECTORY);
  CHECK_RET("no-xdev/up-out-of-a-mount", o2(proc, "..", O_PATH | O_DIRECTORY, 0, R_NO_XDEV), -EXDEV);
  fd = o2(proc, "self/..", O_PATH | O_DIRECTORY, 0, R_NO_XDEV);
  CHECKF("no-xdev/within-the-mount", fd >= 0, "%ld", fd);
  close((int)fd);
  char want[128];
  snprintf(want, sizeof(want), "%s/d/file", top);
  same_file("no-xdev/same-mount-ok", dfd, "sub/../link_rel", O_RDONLY, R_NO_XDEV, want);
  close(proc);
  close(root);
}

static void test_beneath(void)
{
  char want[128], out[128];
  snprintf(want, sizeof(want), "%s/d/file", top);
  snprintf(out, sizeof(out), "%s/outside", top);
  same_file("beneath/plain", dfd, "file", O_RDONLY, R_BENEATH, want);
  same_file("beneath/dotdot-inside", dfd, "sub/../file", O_RDONLY, R_BENEATH, want);
  same_file("beneath/relative-link", dfd, "link_rel", O_RDONLY, R_BENEATH, want);
  same_file("beneath/link-up-inside", dfd, "sub/link_back", O_RDONLY, R_BENEATH, want);
  CHECK_RET("beneath/dotdot-exdev", o2(dfd, "../outside", O_RDONLY, 0, R_BENEATH), -EXDEV);
  CHECK_RET("beneath/dotdot-alone-exdev", o2(dfd, "..", O_PATH, 0, R_BENEATH), -EXDEV);
  CHECK_RET("beneath/absolute-exdev", o2(dfd, want, O_RDONLY, 0, R_BENEATH), -EXDEV);
  CHECK_RET("beneath/absolute-link-exdev", o2(dfd, "link_abs", O_RDONLY, 0, R_BENEATH), -EXDEV);
  CHECK_RET("beneath/link-out-exdev", o2(dfd, "link_up", O_RDONLY, 0, R_BENEATH), -EXDEV);
  long fd = o2(dfd, "sub/new", O_CREAT | O_WRONLY, 0600, R_BENEATH);
  CHECKF("beneath/create-inside", fd >= 0, "%ld", fd);
  close((int)fd);
  CHECK_RET("beneath/create-outside-exdev", o2(dfd, "../new", O_CREAT | O_WRONLY, 0600, R_BENEATH), -EXDEV);
  same_file("beneath/without-it-escapes", dfd, "link_up", O_RDONLY, 0, out);
  /* from the cwd */
  char cwd[256];
  getcwd(cwd, sizeof(cwd));
  char d[128];
  snprintf(d, sizeof(d), "%s/d", top);
  chdir(d);
  same_file("beneath/at-fdcwd", AT_FDCWD, "sub/f2", O_RDONLY, R_BENEATH, "sub/f2");
  CHECK_RET("beneath/at-fdcwd-dotdot-exdev", o2(AT_FDCWD, "../outside", O_RDONLY, 0, R_BENEATH), -EXDEV);
  chdir(cwd);
}

static void test_in_root(void)
{
  char want[128], froot[128];
  snprintf(want, sizeof(want), "%s/d/file", top);
  snprintf(froot, sizeof(froot), "%s/d/froot", top);
  same_file("in-root/absolute", dfd, "/file", O_RDONLY, R_IN_ROOT, want);
  same_file("in-root/dotdot-clamped", dfd, "../../../file", O_RDONLY, R_IN_ROOT, want);
  same_file("in-root/absolute-link", dfd, "link_root", O_RDONLY, R_IN_ROOT, froot);
  CHECK_RET("in-root/link-out-clamped", o2(dfd, "link_up", O_RDONLY, 0, R_IN_ROOT), -ENOENT);
  CHECK_RET("in-root/absolute-elsewhere", o2(dfd, "/proc/self/status", O_RDONLY, 0, R_IN_ROOT), -ENOENT);
  long fd = o2(dfd, "/new", O_CREAT | O_WRONLY, 0600, R_IN_ROOT);
  struct stat st;
  char made[128];
  snprintf(made, sizeof(made), "%s/d/new", top);
  CHECKF("in-root/create", fd >= 0 && stat(made, &st) == 0, "%ld", fd);
  close((int)fd);
}

static void test_cached(void)
{
  char want[128], name[64];
  snprintf(want, sizeof(want), "%s/d/file", top);
  struct stat st;
  stat(want, &st); /* in the cache now */
  same_file("cached/hit", dfd, "file", O_RDONLY, R_CACHED, want);
  snprintf(name, sizeof(name), "never-looked-up-%d", getpid());
  CHECK_RET("cached/miss-eagain", o2(dfd, name, O_RDONLY, 0, R_CACHED), -EAGAIN);
  CHECK_RET("cached/creat-eagain", o2(dfd, "file", O_CREAT | O_RDONLY, 0600, R_CACHED), -EAGAIN);
  CHECK_RET("cached/trunc-eagain", o2(dfd, "file", O_TRUNC | O_WRONLY, 0, R_CACHED), -EAGAIN);
}

int main(void)
{
  abi_family = "openat2";
  setvbuf(stdout, NULL, _IONBF, 0);
  long probe = o2(AT_FDCWD, "/", O_RDONLY, 0, 0);
  if (probe == -ENOSYS && skip_on_qemu("all", "QEMU 7.2's linux-user has no openat2"))
    return 0;
  if (probe >= 0)
    close((int)probe);
  setup();
  run_section("args", test_args, 30000);
  run_section("no-symlinks", test_no_symlinks, 30000);
  run_section("magiclinks", test_magiclinks, 30000);
  run_section("no-xdev", test_no_xdev, 30000);
  run_section("beneath", test_beneath, 30000);
  run_section("in-root", test_in_root, 30000);
  run_section("cached", test_cached, 30000);
  cleanup();
  return abi_done();
}
