/*
 * fs_open.c — opening and naming files (testsuite/fs): openat's flags
 * (O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_PATH,
 * O_CLOEXEC, O_LARGEFILE), paths relative to a dirfd and to AT_FDCWD, and
 * path edge cases (trailing slashes, "//", "." and ".." at the root,
 * ENAMETOOLONG, ELOOP, FAT's name rules). User space; run as
 * `fs_open DIR` (see fstest.h).
 */
#include "fstest.h"

/* ---- openat flags ---- */

static void test_open(void)
{
  enter("open");
  struct stat st;
  char buf[64];

  long fd = kopen("new", O_CREAT | O_WRONLY, 0666);
  CHECKF("creat", fd >= 0, "openat: %ld", fd);
  fstat((int)fd, &st);
  if (is_vfat)
    CHECKF("creat-mode-vfat-0755", S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0755, "mode %o", st.st_mode);
  else
    CHECKF("creat-mode-minus-umask", S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "mode %o", st.st_mode);
  CHECKF("creat-owner", st.st_uid == geteuid() && st.st_size == 0, "uid %d size %ld", (int)st.st_uid,
         (long)st.st_size);
  CHECK_RET("creat-read-on-wronly-ebadf", raw3(SYS_read, fd, buf, 1), -EBADF);
  close((int)fd);

  CHECK_RET("excl-existing-eexist", kopen("new", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
  fd = kopen("new2", O_CREAT | O_EXCL | O_RDWR, 0644);
  CHECKF("excl-new", fd >= 0, "openat: %ld", fd);
  close((int)fd);
  CHECK_RET("missing-enoent", kopen("missing", O_RDONLY, 0), -ENOENT);
  CHECK_RET("creat-in-missing-dir-enoent", kopen("nodir/f", O_CREAT | O_WRONLY, 0644), -ENOENT);
  CHECK_RET("creat-below-file-enotdir", kopen("new/f", O_CREAT | O_WRONLY, 0644), -ENOTDIR);
  CHECK_RET("empty-path-enoent", kopen("", O_RDONLY, 0), -ENOENT);

  /* O_TRUNC */
  put_str("t", "hello world");
  fd = kopen("t", O_WRONLY | O_TRUNC, 0);
  CHECKF("trunc-empties", fd >= 0 && file_size("t") == 0, "fd %ld size %ld", fd, file_size("t"));
  close((int)fd);
  put_str("t", "hello world");
  fd = kopen("t", O_WRONLY, 0);
  raw3(SYS_write, fd, "J", 1);
  close((int)fd);
  CHECK("no-trunc-overwrites-in-place", has_str("t", "Jello world"));

  /* O_APPEND: every write goes to the end, whatever the offset */
  put_str("a", "abc");
  fd = kopen("a", O_WRONLY | O_APPEND, 0);
  lseek((int)fd, 0, SEEK_SET);
  long w = raw3(SYS_write, fd, "def", 3);
  long pos = lseek((int)fd, 0, SEEK_CUR);
  CHECKF("append-writes-at-end", w == 3 && has_str("a", "abcdef") && pos == 6, "write %ld pos %ld", w, pos);
  /* Linux: pwrite on an O_APPEND file appends too (pwrite(2), BUGS) */
  w = raw4(SYS_pwrite64, fd, "gh", 2, 0);
  CHECKF("append-pwrite-appends", w == 2 && has_str("a", "abcdefgh"), "pwrite %ld", w);
  CHECK("append-in-getfl", fcntl((int)fd, F_GETFL) & O_APPEND);
  close((int)fd);

  /* O_DIRECTORY and directories */
  kmkdir("d");
  CHECK_RET("directory-on-file-enotdir", kopen("t", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
  fd = kopen("d", O_RDONLY | O_DIRECTORY, 0);
  CHECKF("directory-on-dir", fd >= 0, "openat: %ld", fd);
  close((int)fd);
  CHECK_RET("dir-wronly-eisdir", kopen("d", O_WRONLY, 0), -EISDIR);
  CHECK_RET("dir-rdwr-eisdir", kopen("d", O_RDWR, 0), -EISDIR);
  CHECK_RET("creat-on-dir-eisdir", kopen("d", O_CREAT | O_WRONLY, 0644), -EISDIR);
  CHECK_RET("creat-trailing-slash-eisdir", kopen("nd/", O_CREAT | O_WRONLY, 0644), -EISDIR);
  CHECK("creat-trailing-slash-made-nothing", !exists("nd"));

  /* O_NOFOLLOW and symlinks (FAT has none: symlink is EPERM there) */
  if (is_vfat) {
    CHECK_RET("vfat-symlink-eperm", raw3(SYS_symlinkat, "t", AT_FDCWD, "lnk"), -EPERM);
    fd = kopen("t", O_RDONLY | O_NOFOLLOW, 0);
    CHECKF("nofollow-regular-file", fd >= 0, "openat: %ld", fd);
    close((int)fd);
  } else {
    raw3(SYS_symlinkat, "t", AT_FDCWD, "lnk");
    CHECK_RET("nofollow-symlink-eloop", kopen("lnk", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
    fd = kopen("lnk", O_RDONLY, 0);
    CHECKF("follow-symlink", fd >= 0 && raw3(SYS_read, fd, buf, 5) == 5 && memcmp(buf, "Jello", 5) == 0, "fd %ld", fd);
    close((int)fd);
    fd = kopen("lnk", O_PATH | O_NOFOLLOW, 0);
    CHECKF("path-nofollow-opens-the-link", fd >= 0 && fstat((int)fd, &st) == 0 && S_ISLNK(st.st_mode), "fd %ld mode %o",
           fd, st.st_mode);
    close((int)fd);
    raw3(SYS_symlinkat, "dangling-target", AT_FDCWD, "dangle");
    CHECK_RET("excl-on-dangling-symlink-eexist", kopen("dangle", O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
    fd = kopen("dangle", O_CREAT | O_WRONLY, 0644);
    CHECKF("creat-through-dangling-symlink", fd >= 0 && exists("dangling-target"), "fd %ld", fd);
    close((int)fd);
  }

  /* O_PATH: a handle for the name, not for I/O */
  fd = kopen("t", O_PATH, 0);
  CHECKF("path-opens", fd >= 0, "openat: %ld", fd);
  CHECK_RET("path-read-ebadf", raw3(SYS_read, fd, buf, 1), -EBADF);
  CHECK_RET("path-write-ebadf", raw3(SYS_write, fd, "x", 1), -EBADF);
  CHECKF("path-fstat", fstat((int)fd, &st) == 0 && st.st_size == 11, "size %ld", (long)st.st_size);
  CHECK_RET("path-fchmod-ebadf", raw2(SYS_fchmod, fd, 0644), -EBADF);
  close((int)fd);
  fd = kopen("d", O_PATH | O_DIRECTORY, 0);
  long f2 = raw4(SYS_openat, fd, "inside", O_CREAT | O_WRONLY, 0644);
  CHECKF("path-dir-as-dirfd", fd >= 0 && f2 >= 0 && exists("d/inside"), "fd %ld openat %ld", fd, f2);
  close((int)f2);
  close((int)fd);

  /* O_CLOEXEC, O_LARGEFILE (ignored: every file is large on 64 bits) */
  fd = kopen("t", O_RDONLY | O_CLOEXEC, 0);
  CHECK("cloexec", fd >= 0 && fcntl((int)fd, F_GETFD) == FD_CLOEXEC);
  close((int)fd);
  fd = kopen("t", O_RDONLY | KO_LARGEFILE, 0);
  CHECKF("largefile-accepted", fd >= 0 && (fcntl((int)fd, F_GETFL) & O_ACCMODE) == O_RDONLY &&
                                   raw3(SYS_read, fd, buf, 5) == 5,
         "fd %ld", fd);
  close((int)fd);
  fd = kopen("big-offset", O_CREAT | O_RDWR | KO_LARGEFILE, 0644);
  long long far = 3LL << 30; /* 3 GiB: beyond 2 GiB needs "large file" support */
  if (is_vfat) {
    /* FAT has no holes: a write there would zero-fill 3 GiB; seek only */
    long off = raw3(SYS_lseek, fd, far, SEEK_SET);
    CHECKF("largefile-seek-over-2g", off == far, "lseek %ld", off);
  } else {
    long pw = raw4(SYS_pwrite64, fd, "z", 1, far);
    CHECKF("largefile-offset-over-2g", pw == 1 && file_size("big-offset") == far + 1, "pwrite %ld size %ld", pw,
           file_size("big-offset"));
  }
  close((int)fd);
  kunlink("big-offset");

  /* descriptors for reading only refuse writes, and the other way */
  fd = kopen("t", O_RDONLY, 0);
  CHECK_RET("rdonly-write-ebadf", raw3(SYS_write, fd, "x", 1), -EBADF);
  close((int)fd);
  CHECK_RET("bad-dirfd-ebadf", raw4(SYS_openat, 999, "t", O_RDONLY, 0), -EBADF);
  CHECK_RET("efault-path", kopen(BAD_PTR, O_RDONLY, 0), -EFAULT);
  CHECK_RET("efault-kernel-path", kopen(KERNEL_PTR, O_RDONLY, 0), -EFAULT);
}

/* ---- dirfd-relative paths ---- */

static void test_dirfd(void)
{
  enter("dirfd");
  struct stat st;
  char abs[PATH_MAX];
  kmkdir("d");
  put_str("d/f", "in-d");
  put_str("top", "at-top");
  snprintf(abs, sizeof(abs), "%s/dirfd/top", fs_base);
  long dfd = kopen("d", O_RDONLY | O_DIRECTORY, 0);
  long fd = raw4(SYS_openat, dfd, "f", O_RDONLY, 0);
  char buf[16] = "";
  CHECKF("openat-relative", fd >= 0 && raw3(SYS_read, fd, buf, 4) == 4 && memcmp(buf, "in-d", 4) == 0, "fd %ld", fd);
  close((int)fd);
  fd = raw4(SYS_openat, dfd, abs, O_RDONLY, 0);
  CHECKF("openat-absolute-ignores-dirfd", fd >= 0 && raw3(SYS_read, fd, buf, 6) == 6 && memcmp(buf, "at-top", 6) == 0,
         "fd %ld", fd);
  close((int)fd);
  fd = raw4(SYS_openat, 999, abs, O_RDONLY, 0);
  CHECKF("openat-absolute-bad-dirfd-ignored", fd >= 0, "fd %ld", fd);
  close((int)fd);
  CHECK_RET("openat-relative-bad-dirfd-ebadf", raw4(SYS_openat, 999, "f", O_RDONLY, 0), -EBADF);
  long ffd = kopen("top", O_RDONLY, 0);
  CHECK_RET("openat-file-as-dirfd-enotdir", raw4(SYS_openat, ffd, "x", O_RDONLY, 0), -ENOTDIR);
  CHECK_RET("fstatat-file-as-dirfd-enotdir", raw4(SYS_newfstatat, ffd, "x", &st, 0), -ENOTDIR);
  close((int)ffd);
  fd = raw4(SYS_openat, AT_FDCWD, "d/f", O_RDONLY, 0);
  CHECKF("at-fdcwd", fd >= 0, "fd %ld", fd);
  close((int)fd);

  CHECK_RET("fstatat-relative", raw4(SYS_newfstatat, dfd, "f", &st, 0), 0);
  CHECK_RET("mkdirat-relative", raw3(SYS_mkdirat, dfd, "sub", 0755), 0);
  CHECKF("mkdirat-relative-made", kstat("d/sub", &st) == 0 && S_ISDIR(st.st_mode), "mode %o", st.st_mode);
  CHECK_RET("unlinkat-relative", raw3(SYS_unlinkat, dfd, "sub", AT_REMOVEDIR), 0);
  CHECK_RET("renameat2-relative", raw5(SYS_renameat2, dfd, "f", AT_FDCWD, "moved", 0), 0);
  CHECK("renameat2-relative-moved", has_str("moved", "in-d") && !exists("d/f"));
  CHECK_RET("faccessat-relative", raw3(SYS_faccessat, dfd, ".", F_OK), 0);

  /* a dirfd follows its directory when it is renamed */
  CHECK_RET("rename-dir-of-dirfd", krename("d", "d2", 0), 0);
  fd = raw4(SYS_openat, dfd, "after", O_CREAT | O_WRONLY, 0644);
  CHECKF("dirfd-follows-renamed-dir", fd >= 0 && exists("d2/after"), "fd %ld", fd);
  close((int)fd);

  /* fchdir to the dirfd */
  CHECK_RET("fchdir", raw1(SYS_fchdir, dfd), 0);
  CHECK("fchdir-relative-open", exists("after"));
  char cwd[PATH_MAX];
  char want[PATH_MAX + 8];
  snprintf(want, sizeof(want), "%s/dirfd/d2", fs_base);
  CHECKF("fchdir-getcwd", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0, "cwd %s", cwd);
  chdir("..");
  close((int)dfd);

  /* an O_PATH dirfd works as well */
  dfd = kopen("d2", O_PATH | O_DIRECTORY, 0);
  CHECK_RET("o-path-dirfd-fstatat", raw4(SYS_newfstatat, dfd, "after", &st, 0), 0);
  CHECK_RET("empty-path-without-flag-enoent", raw4(SYS_newfstatat, dfd, "", &st, 0), -ENOENT);
  close((int)dfd);
}

/* ---- path edge cases ---- */

static void test_path(void)
{
  enter("path");
  struct stat st, st2;
  put_str("file", "data");
  kmkdir("dir");
  put_str("dir/in", "x");

  CHECK_RET("file-trailing-slash-stat-enotdir", kstat("file/", &st), -ENOTDIR);
  CHECK_RET("file-trailing-slash-open-enotdir", kopen("file/", O_RDONLY, 0), -ENOTDIR);
  CHECK_RET("file-trailing-dot-enotdir", kstat("file/.", &st), -ENOTDIR);
  CHECK_RET("dir-trailing-slash", kstat("dir/", &st), 0);
  CHECK_RET("dir-trailing-slashes", kstat("dir//", &st), 0);
  CHECK_RET("double-slash-inside", kstat("dir//in", &st), 0);
  CHECK_RET("dot-components", kstat("./dir/./in", &st), 0);
  CHECK_RET("dotdot-components", kstat("dir/../dir//../file", &st), 0);
  CHECK_RET("dotdot-after-file-enotdir", kstat("file/../dir", &st), -ENOTDIR);
  CHECK_RET("mkdir-trailing-slash", kmkdir("nd/"), 0);
  CHECKF("mkdir-trailing-slash-made", kstat("nd", &st) == 0 && S_ISDIR(st.st_mode), "mode %o", st.st_mode);
  CHECK_RET("rmdir-trailing-slash", krmdir("nd/"), 0);
  CHECK_RET("unlink-file-trailing-slash-enotdir", kunlink("file/"), -ENOTDIR);
  put_str("rfile", "r"); /* its own file: a wrong answer must not spoil later checks */
  CHECK_RET("rename-to-trailing-slash-enotdir", krename("rfile", "rfile2/", 0), -ENOTDIR);
  put_str("rfile", "r");
  CHECK_RET("rename-from-trailing-slash-enotdir", krename("rfile/", "rfile3", 0), -ENOTDIR);
  CHECK_RET("rename-dir-trailing-slashes", krename("dir/", "dir2/", 0), 0);
  krename("dir2", "dir", 0);
  CHECK_RET("stat-empty-enoent", kstat("", &st), -ENOENT);

  /* the root: "/.." and "/." are "/" itself */
  kstat("/", &st);
  CHECKF("root-dotdot-is-root", kstat("/..", &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
         "ino %lu vs %lu", (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
  CHECKF("root-dotdot-dotdot-is-root", kstat("/../../.", &st2) == 0 && st2.st_ino == st.st_ino, "ino %lu",
         (unsigned long)st2.st_ino);
  CHECKF("double-slash-root", kstat("//", &st2) == 0 && st2.st_ino == st.st_ino, "ino %lu", (unsigned long)st2.st_ino);
  char cwd[PATH_MAX];
  chdir("/");
  chdir("..");
  CHECKF("chdir-dotdot-at-root", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0, "cwd %s", cwd);
  enter("path");

  /* name and path lengths: NAME_MAX 255, PATH_MAX 4096 (with the NUL) */
  char name[300];
  memset(name, 'n', 255);
  name[255] = 0;
  long fd = kopen(name, O_CREAT | O_WRONLY, 0644);
  CHECKF("name-255-ok", fd >= 0, "openat: %ld", fd);
  close((int)fd);
  CHECKF("name-255-stat", kstat(name, &st) == 0, "stat failed");
  kunlink(name);
  memset(name, 'n', 256);
  name[256] = 0;
  CHECK_RET("name-256-creat-enametoolong", kopen(name, O_CREAT | O_WRONLY, 0644), -ENAMETOOLONG);
  CHECK_RET("name-256-mkdir-enametoolong", kmkdir(name), -ENAMETOOLONG);
  static char longpath[PATH_MAX + 64];
  for (int i = 0; i < PATH_MAX + 10; i += 2)
    memcpy(longpath + i, "a/", 2);
  longpath[PATH_MAX] = 0; /* 4096 characters: too long */
  CHECK_RET("path-4096-enametoolong", kstat(longpath, &st), -ENAMETOOLONG);
  longpath[PATH_MAX - 1] = 0; /* 4095 characters: fits, but no "a" exists */
  CHECK_RET("path-4095-enoent", kstat(longpath, &st), -ENOENT);

  if (is_vfat) {
    /* Linux's vfat: names are case-insensitive; some characters are refused */
    put_str("MixedCase.txt", "mc");
    CHECK("vfat-lookup-ignores-case", has_str("mixedcase.TXT", "mc"));
    CHECK_RET("vfat-case-variant-excl-eexist", kopen("MIXEDCASE.TXT", O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
    CHECK_RET("vfat-star-einval", kopen("a*b", O_CREAT | O_WRONLY, 0644), -EINVAL);
    CHECK_RET("vfat-colon-einval", kopen("a:b", O_CREAT | O_WRONLY, 0644), -EINVAL);
    CHECK_RET("vfat-trailing-space-einval", kopen("space ", O_CREAT | O_WRONLY, 0644), -EINVAL);
    put_str("dotted", "dd");
    CHECK("vfat-trailing-dot-ignored", has_str("dotted.", "dd") && has_str("dotted...", "dd"));
    CHECK_RET("vfat-symlink-eperm", raw3(SYS_symlinkat, "file", AT_FDCWD, "sl"), -EPERM);
  } else {
    CHECK("case-sensitive", put_str("MixedCase.txt", "mc") == 0 && !exists("mixedcase.txt"));
    CHECK("star-allowed", put_str("a*b", "s") == 0 && has_str("a*b", "s"));
    /* symlink loops and chains: at most 40 links are followed */
    raw3(SYS_symlinkat, "loop2", AT_FDCWD, "loop1");
    raw3(SYS_symlinkat, "loop1", AT_FDCWD, "loop2");
    CHECK_RET("symlink-loop-stat-eloop", kstat("loop1", &st), -ELOOP);
    CHECK_RET("symlink-loop-open-eloop", kopen("loop1", O_RDONLY, 0), -ELOOP);
    CHECK_RET("symlink-loop-lstat-ok", klstat("loop1", &st), 0);
    char a[16], b[16];
    put_str("chain-end", "end");
    for (int i = 1; i <= 41; i++) {
      snprintf(a, sizeof(a), "c%d", i);
      snprintf(b, sizeof(b), "c%d", i + 1);
      raw3(SYS_symlinkat, i == 41 ? "chain-end" : b, AT_FDCWD, a);
    }
    CHECK_RET("symlink-chain-40-ok", kstat("c2", &st), 0);
    CHECK_RET("symlink-chain-41-eloop", kstat("c1", &st), -ELOOP);
    raw3(SYS_symlinkat, "dir", AT_FDCWD, "dirlink");
    CHECK_RET("symlink-to-dir-traversed", kstat("dirlink/in", &st), 0);
    CHECK_RET("symlink-to-dir-trailing-slash-lstat-is-dir", klstat("dirlink/", &st), 0);
    CHECKF("symlink-to-dir-trailing-slash-follows", S_ISDIR(st.st_mode), "mode %o", st.st_mode);
    CHECK_RET("symlink-in-middle-to-file-enotdir", kstat("c41/x", &st), -ENOTDIR);
  }
}

int main(int argc, char **argv)
{
  fs_setup(argc, argv, "fs_open");
  run_section("open", test_open, 60000);
  run_section("dirfd", test_dirfd, 60000);
  run_section("path", test_path, 60000);
  return abi_done();
}
