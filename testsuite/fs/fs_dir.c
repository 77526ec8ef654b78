/*
 * fs_dir.c — directories and names (testsuite/fs): getdents64 (every
 * entry once, "." and "..", d_type, d_ino, small buffers, rewinding, a
 * removed directory), mkdirat and unlinkat (AT_REMOVEDIR, ENOTEMPTY,
 * EISDIR, ENOTDIR, link counts), renameat2 (over files and empty
 * directories, RENAME_NOREPLACE, RENAME_EXCHANGE, a directory into
 * itself), linkat, symlinkat, readlinkat and mknodat (EPERM on FAT, as
 * Linux's vfat), chdir, fchdir and getcwd (.., long paths, ERANGE, a
 * removed cwd). User space; run as `fs_dir DIR` (see fstest.h).
 */
#include "fstest.h"
#include <sys/sysmacros.h>

/* ---- reading directories ---- */

#define MAXNAMES 400
struct listing {
  int n;                  /* entries seen */
  char *name[MAXNAMES];   /* their names */
  unsigned char type[MAXNAMES];
  uint64_t ino[MAXNAMES];
  long error;             /* a negative getdents64 result, or 0 */
};

/* list_dir: read the whole directory fd with getdents64 calls of bufsize bytes. */
static void list_dir(long fd, size_t bufsize, struct listing *l)
{
  static char buf[65536];
  memset(l, 0, sizeof(*l));
  for (;;) {
    long n = raw3(SYS_getdents64, fd, buf, bufsize);
    if (n <= 0) {
      l->error = n;
      return;
    }
    for (long off = 0; off < n;) {
      struct kdirent64 *d = (struct kdirent64 *)(buf + off);
      if (d->d_reclen == 0 || l->n == MAXNAMES)
        return;
      l->name[l->n] = strdup(d->d_name);
      l->type[l->n] = d->d_type;
      l->ino[l->n] = d->d_ino;
      l->n++;
      off += d->d_reclen;
    }
  }
}

/* count_name: how often `name` appears in l (and its index in *at). */
static int count_name(const struct listing *l, const char *name, int *at)
{
  int c = 0;
  for (int i = 0; i < l->n; i++)
    if (strcmp(l->name[i], name) == 0) {
      c++;
      if (at)
        *at = i;
    }
  return c;
}

/*
 * listing_ok: does l hold exactly ".", "..", files f000..f<nfiles-1>
 * (regular, d_ino == st_ino) and directories sub0..sub<ndirs-1>, each once?
 * Explains the first difference in why.
 */
static int listing_ok(const struct listing *l, int nfiles, int ndirs, char *why, size_t whylen)
{
  char name[300];
  struct stat st;
  int at;
  if (l->error) {
    snprintf(why, whylen, "getdents64: %ld", l->error);
    return 0;
  }
  if (l->n != nfiles + ndirs + 2) {
    snprintf(why, whylen, "%d entries, want %d", l->n, nfiles + ndirs + 2);
    return 0;
  }
  for (int i = 0; i < nfiles + ndirs + 2; i++) {
    int dir = i >= nfiles;
    if (i < nfiles)
      snprintf(name, sizeof(name), "f%03d-a-longer-name-than-8.3", i);
    else if (i < nfiles + ndirs)
      snprintf(name, sizeof(name), "sub%d", i - nfiles);
    else
      snprintf(name, sizeof(name), "%s", i == nfiles + ndirs ? "." : "..");
    if (count_name(l, name, &at) != 1) {
      snprintf(why, whylen, "%s seen %d times", name, count_name(l, name, NULL));
      return 0;
    }
    if (l->type[at] != (dir ? DT_DIR : DT_REG)) {
      snprintf(why, whylen, "%s has d_type %d", name, l->type[at]);
      return 0;
    }
    if (i < nfiles + ndirs && (kstat(name, &st) != 0 || st.st_ino != l->ino[at])) {
      snprintf(why, whylen, "%s: d_ino %lu, st_ino %lu", name, (unsigned long)l->ino[at], (unsigned long)st.st_ino);
      return 0;
    }
  }
  return 1;
}

static void test_getdents(void)
{
  enter("getdents");
  kmkdir("d");
  chdir("d");
  char name[300], why[200];
  int nfiles = 150, ndirs = 3;
  for (int i = 0; i < nfiles; i++) {
    snprintf(name, sizeof(name), "f%03d-a-longer-name-than-8.3", i);
    put_str(name, "x");
  }
  for (int i = 0; i < ndirs; i++) {
    snprintf(name, sizeof(name), "sub%d", i);
    kmkdir(name);
  }
  struct listing l;
  long fd = kopen(".", O_RDONLY | O_DIRECTORY, 0);
  list_dir(fd, 32768, &l);
  CHECKF("big-buffer-every-entry-once", listing_ok(&l, nfiles, ndirs, why, sizeof(why)), "%s", why);
  /* a buffer that holds one entry at a time */
  raw3(SYS_lseek, fd, 0, SEEK_SET);
  list_dir(fd, sizeof(struct kdirent64) + 40, &l);
  CHECKF("one-entry-buffer-every-entry-once", listing_ok(&l, nfiles, ndirs, why, sizeof(why)), "%s", why);
  raw3(SYS_lseek, fd, 0, SEEK_SET);
  static char buf[4096];
  CHECK_RET("tiny-buffer-einval", raw3(SYS_getdents64, fd, buf, 10), -EINVAL);
  if (!skip_on_qemu("zero-buffer-einval", "do_getdents64 allocates a host buffer of the given size and says ENOMEM "
                                          "when that is 0"))
    CHECK_RET("zero-buffer-einval", raw3(SYS_getdents64, fd, buf, 0), -EINVAL);
  long n = raw3(SYS_getdents64, fd, buf, sizeof(buf));
  CHECKF("after-einval-still-reads", n > 0, "getdents64: %ld", n);
  CHECK_RET("efault", raw3(SYS_getdents64, fd, BAD_PTR, 4096), -EFAULT);
  /* a new file appears after a rewind */
  put_str("late", "y");
  raw3(SYS_lseek, fd, 0, SEEK_SET);
  list_dir(fd, 32768, &l);
  CHECKF("rewind-sees-new-file", count_name(&l, "late", NULL) == 1 && l.n == nfiles + ndirs + 3, "%d entries", l.n);
  close((int)fd);
  /* a directory emptied of all but a few */
  for (int i = 0; i < nfiles; i++) {
    snprintf(name, sizeof(name), "f%03d-a-longer-name-than-8.3", i);
    if (i >= 2)
      kunlink(name);
  }
  kunlink("late");
  fd = kopen(".", O_RDONLY | O_DIRECTORY, 0);
  list_dir(fd, 32768, &l);
  CHECKF("after-removals", listing_ok(&l, 2, ndirs, why, sizeof(why)), "%s", why);
  close((int)fd);
  chdir("..");

  kmkdir("empty");
  fd = kopen("empty", O_RDONLY | O_DIRECTORY, 0);
  list_dir(fd, 32768, &l);
  CHECKF("empty-dir-dot-and-dotdot", l.error == 0 && l.n == 2 && count_name(&l, ".", NULL) == 1 &&
                                         count_name(&l, "..", NULL) == 1,
         "%d entries, error %ld", l.n, l.error);
  /* Linux: reading a removed directory is ENOENT (iterate_dir, IS_DEADDIR) */
  raw3(SYS_lseek, fd, 0, SEEK_SET);
  krmdir("empty");
  CHECK_RET("removed-dir-enoent", raw3(SYS_getdents64, fd, buf, sizeof(buf)), -ENOENT);
  close((int)fd);

  put_str("file", "z");
  fd = kopen("file", O_RDONLY, 0);
  CHECK_RET("on-file-enotdir", raw3(SYS_getdents64, fd, buf, sizeof(buf)), -ENOTDIR);
  close((int)fd);
  CHECK_RET("bad-fd-ebadf", raw3(SYS_getdents64, 999, buf, sizeof(buf)), -EBADF);

  /* the root of the mounted file system also lists "." and ".." (FAT's
   * root directory has no such entries on disk: Linux makes them up) */
  const char *root = getenv("FS_ROOT");
  if (root && *root) {
    fd = kopen(root, O_RDONLY | O_DIRECTORY, 0);
    list_dir(fd, 32768, &l);
    int dot = 0, dotdot = 0;
    CHECKF("fs-root-dot-and-dotdot",
           l.error == 0 && count_name(&l, ".", &dot) == 1 && count_name(&l, "..", &dotdot) == 1 &&
               l.type[dot] == DT_DIR && l.type[dotdot] == DT_DIR,
           "error %ld, %d entries", l.error, l.n);
    close((int)fd);
  } else {
    CHECKF("fs-root-dot-and-dotdot", 0, "FS_ROOT is not set: the runner must name the mount point");
  }
}

/* ---- mkdir, unlink, rmdir ---- */

static void test_mkdir(void)
{
  enter("mkdir");
  struct stat st, pst;
  kstat(".", &pst);
  CHECK_RET("mkdirat", raw3(SYS_mkdirat, AT_FDCWD, "d", 01777), 0);
  kstat("d", &st);
  if (is_vfat)
    CHECKF("vfat-mode-0755", S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755, "mode %o", st.st_mode);
  else
    CHECKF("mode-minus-umask-keeps-sticky", S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01755, "mode %o",
           st.st_mode);
  CHECKF("new-dir-nlink-2", st.st_nlink == 2, "nlink %ld", (long)st.st_nlink);
  struct stat pst2;
  kstat(".", &pst2);
  CHECKF("parent-nlink-grows", pst2.st_nlink == pst.st_nlink + 1, "nlink %ld then %ld", (long)pst.st_nlink,
         (long)pst2.st_nlink);
  CHECK_RET("existing-eexist", kmkdir("d"), -EEXIST);
  put_str("f", "x");
  CHECK_RET("over-file-eexist", kmkdir("f"), -EEXIST);
  CHECK_RET("missing-parent-enoent", kmkdir("nope/d"), -ENOENT);
  CHECK_RET("below-file-enotdir", kmkdir("f/d"), -ENOTDIR);
  CHECK_RET("dot-eexist", kmkdir("."), -EEXIST);
  CHECK_RET("efault", kmkdir(BAD_PTR), -EFAULT);
  long ffd = kopen("f", O_RDONLY, 0);
  CHECK_RET("file-dirfd-enotdir", raw3(SYS_mkdirat, ffd, "x", 0755), -ENOTDIR);
  close((int)ffd);

  put_str("d/inner", "y");
  CHECK_RET("unlink-dir-eisdir", kunlink("d"), -EISDIR);
  CHECK_RET("rmdir-file-enotdir", krmdir("f"), -ENOTDIR);
  CHECK_RET("rmdir-nonempty-enotempty", krmdir("d"), -ENOTEMPTY);
  CHECK_RET("rmdir-dot-einval", krmdir("d/."), -EINVAL);
  CHECK_RET("rmdir-dotdot-enotempty", krmdir("d/.."), -ENOTEMPTY);
  CHECK_RET("unlinkat-bad-flags-einval", raw3(SYS_unlinkat, AT_FDCWD, "f", 0x1), -EINVAL);
  CHECK_RET("unlink-missing-enoent", kunlink("missing"), -ENOENT);
  CHECK_RET("unlink-empty-path-enoent", kunlink(""), -ENOENT);
  CHECK_RET("unlink-efault", kunlink(BAD_PTR), -EFAULT);
  CHECK_RET("unlink-file", kunlink("d/inner"), 0);
  CHECK("unlink-file-gone", !exists("d/inner"));
  CHECK_RET("rmdir-empty", krmdir("d"), 0);
  CHECK("rmdir-gone", !exists("d"));
  kstat(".", &pst2);
  CHECKF("parent-nlink-back", pst2.st_nlink == pst.st_nlink, "nlink %ld, was %ld", (long)pst2.st_nlink,
         (long)pst.st_nlink);

  /* nested: 20 levels down and back */
  char path[400] = "n";
  int ok = 1;
  for (int i = 0; i < 20 && ok; i++) {
    ok = kmkdir(path) == 0;
    strcat(path, "/n");
  }
  put_str(path, "deep");
  CHECK("nested-20-levels", ok && has_str(path, "deep"));
  kunlink(path);
  for (int i = 0; i < 20; i++) {
    path[strlen(path) - 2] = 0;
    ok &= krmdir(path) == 0;
  }
  CHECK("nested-removed", ok && !exists("n"));
}

/* ---- rename ---- */

static void test_rename(void)
{
  enter("rename");
  struct stat st, st2;
  put_str("a", "A");
  kstat("a", &st);
  CHECK_RET("plain", krename("a", "b", 0), 0);
  CHECKF("plain-moved", !exists("a") && has_str("b", "A") && kstat("b", &st2) == 0 && st2.st_ino == st.st_ino,
         "ino %lu then %lu", (unsigned long)st.st_ino, (unsigned long)st2.st_ino);
  put_str("c", "C");
  long cfd = kopen("c", O_RDONLY, 0);
  CHECK_RET("over-file", krename("b", "c", 0), 0);
  char buf[8] = "";
  CHECKF("over-file-replaced", !exists("b") && has_str("c", "A"), "c is not A");
  CHECKF("over-file-open-victim-keeps-data", raw3(SYS_read, cfd, buf, 8) == 1 && buf[0] == 'C', "read %c", buf[0]);
  close((int)cfd);
  CHECK_RET("same-name", krename("c", "c", 0), 0);
  CHECK("same-name-still-there", has_str("c", "A"));

  kmkdir("d1");
  put_str("d1/x", "X");
  kmkdir("d2");
  CHECK_RET("dir-over-empty-dir", krename("d1", "d2", 0), 0);
  CHECK("dir-over-empty-dir-moved", !exists("d1") && has_str("d2/x", "X"));
  kmkdir("d3");
  put_str("d3/y", "Y");
  CHECK_RET("dir-over-nonempty-enotempty", krename("d3", "d2", 0), -ENOTEMPTY);
  CHECK_RET("file-over-dir-eisdir", krename("c", "d2", 0), -EISDIR);
  CHECK_RET("dir-over-file-enotdir", krename("d2", "c", 0), -ENOTDIR);
  CHECK_RET("dir-into-itself-einval", krename("d2", "d2/inside", 0), -EINVAL);
  kmkdir("d2/sub");
  CHECK_RET("dir-into-own-subdir-einval", krename("d2", "d2/sub/deeper", 0), -EINVAL);
  CHECK_RET("missing-enoent", krename("missing", "z", 0), -ENOENT);
  CHECK_RET("to-missing-dir-enoent", krename("c", "nodir/z", 0), -ENOENT);
  CHECK_RET("dot-ebusy", krename("d2/.", "z", 0), -EBUSY);
  CHECK_RET("over-dot-ebusy", krename("c", "d2/.", 0), -EBUSY);

  /* across directories; a moved directory's ".." follows it */
  CHECK_RET("file-across-dirs", krename("c", "d3/c-moved", 0), 0);
  CHECK("file-across-dirs-moved", has_str("d3/c-moved", "A") && !exists("c"));
  CHECK_RET("dir-across-dirs", krename("d2/sub", "d3/sub-moved", 0), 0);
  kstat("d3", &st);
  CHECKF("moved-dir-dotdot-is-new-parent", kstat("d3/sub-moved/..", &st2) == 0 && st2.st_ino == st.st_ino,
         "ino %lu, want %lu", (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
  struct stat d2st;
  kstat("d2", &d2st);
  CHECKF("nlink-follows-moved-dir", st.st_nlink == 3 && d2st.st_nlink == 2, "d3 nlink %ld d2 nlink %ld",
         (long)st.st_nlink, (long)d2st.st_nlink);

  /* renameat2 flags */
  put_str("p", "P");
  put_str("q", "Q");
  CHECK_RET("noreplace-existing-eexist", krename("p", "q", RENAME_NOREPLACE), -EEXIST);
  CHECK("noreplace-existing-untouched", has_str("p", "P") && has_str("q", "Q"));
  CHECK_RET("noreplace-new", krename("p", "r", RENAME_NOREPLACE), 0);
  CHECK_RET("exchange-files", krename("r", "q", RENAME_EXCHANGE), 0);
  CHECK("exchange-files-swapped", has_str("r", "Q") && has_str("q", "P"));
  CHECK_RET("exchange-file-and-dir", krename("r", "d3", RENAME_EXCHANGE), 0);
  CHECKF("exchange-file-and-dir-swapped", has_str("d3", "Q") && kstat("r", &st) == 0 && S_ISDIR(st.st_mode) &&
                                              has_str("r/y", "Y"),
         "mode of r %o", st.st_mode);
  kstat("r/sub-moved/..", &st2);
  kstat("r", &st);
  CHECKF("exchange-dir-dotdot-kept", st2.st_ino == st.st_ino, "ino %lu, want %lu", (unsigned long)st2.st_ino,
         (unsigned long)st.st_ino);
  kmkdir("xa");
  kmkdir("xb");
  put_str("xa/in-a", "a");
  put_str("xb/in-b", "b");
  CHECK_RET("exchange-dirs", krename("xa", "xb", RENAME_EXCHANGE), 0);
  CHECK("exchange-dirs-contents-swapped", has_str("xa/in-b", "b") && has_str("xb/in-a", "a") && !exists("xa/in-a"));
  CHECK_RET("exchange-missing-enoent", krename("q", "missing", RENAME_EXCHANGE), -ENOENT);
  CHECK_RET("noreplace-and-exchange-einval", krename("q", "d3", RENAME_NOREPLACE | RENAME_EXCHANGE), -EINVAL);
  CHECK_RET("unknown-flag-einval", krename("q", "s", 0x80), -EINVAL);
  CHECK_RET("efault-old", krename(BAD_PTR, "s", 0), -EFAULT);
  CHECK_RET("efault-new", krename("q", BAD_PTR, 0), -EFAULT);
  long dfd = kopen("r", O_RDONLY | O_DIRECTORY, 0);
  CHECK_RET("renameat2-dirfds", raw5(SYS_renameat2, AT_FDCWD, "q", dfd, "q-in-r", 0), 0);
  CHECK("renameat2-dirfds-moved", has_str("r/q-in-r", "P"));
  close((int)dfd);

  if (!is_vfat) {
    /* two names of one file: rename does nothing */
    raw5(SYS_linkat, AT_FDCWD, "d3", AT_FDCWD, "hard", 0);
    CHECK_RET("hard-links-same-inode-noop", krename("d3", "hard", 0), 0);
    CHECK("hard-links-both-remain", has_str("d3", "Q") && has_str("hard", "Q"));
  }
}

/* ---- links, symlinks, device nodes ---- */

static void test_link(void)
{
  enter("link");
  struct stat st, st2;
  char buf[64];
  put_str("f", "data");
  kmkdir("d");
  long lr = raw5(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, "g", 0);
  long sr = raw3(SYS_symlinkat, "f", AT_FDCWD, "s");
  long mr = raw4(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0644, 0);
  if (is_vfat) {
    /* Linux's vfat has no link, symlink or mknod operations: EPERM */
    CHECK_RET("vfat-link-eperm", lr, -EPERM);
    CHECK_RET("vfat-symlink-eperm", sr, -EPERM);
    CHECK_RET("vfat-mknod-fifo-eperm", mr, -EPERM);
    CHECK("vfat-nothing-made", !exists("g") && !exists("s") && !exists("fifo"));
    CHECK_RET("vfat-readlink-regular-file-einval", raw4(SYS_readlinkat, AT_FDCWD, "f", buf, sizeof(buf)), -EINVAL);
    CHECK_RET("vfat-link-dir-eperm", raw5(SYS_linkat, AT_FDCWD, "d", AT_FDCWD, "d2", 0), -EPERM);
    kstat("f", &st);
    CHECKF("vfat-nlink-1", st.st_nlink == 1, "nlink %ld", (long)st.st_nlink);
    return;
  }
  CHECK_RET("link", lr, 0);
  kstat("f", &st);
  kstat("g", &st2);
  CHECKF("link-same-inode-nlink-2", st.st_ino == st2.st_ino && st.st_nlink == 2 && st2.st_nlink == 2,
         "ino %lu/%lu nlink %ld", (unsigned long)st.st_ino, (unsigned long)st2.st_ino, (long)st.st_nlink);
  put_str("g", "changed");
  CHECK("link-shares-data", has_str("f", "changed"));
  CHECK_RET("link-existing-eexist", raw5(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, "g", 0), -EEXIST);
  CHECK_RET("link-dir-eperm", raw5(SYS_linkat, AT_FDCWD, "d", AT_FDCWD, "d2", 0), -EPERM);
  CHECK_RET("link-missing-enoent", raw5(SYS_linkat, AT_FDCWD, "missing", AT_FDCWD, "m2", 0), -ENOENT);
  CHECK_RET("link-bad-flags-einval", raw5(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, "h", 0x1), -EINVAL);
  CHECK_RET("link-efault", raw5(SYS_linkat, AT_FDCWD, BAD_PTR, AT_FDCWD, "h", 0), -EFAULT);
  kunlink("f");
  kstat("g", &st2);
  CHECKF("unlink-one-name-nlink-1", st2.st_nlink == 1 && has_str("g", "changed"), "nlink %ld", (long)st2.st_nlink);
  /* linkat(fd, "", AT_EMPTY_PATH): a name for an open file */
  long fd = kopen("g", O_RDONLY, 0);
  CHECK_RET("link-empty-path-from-fd", raw5(SYS_linkat, fd, "", AT_FDCWD, "from-fd", AT_EMPTY_PATH), 0);
  CHECK("link-empty-path-from-fd-made", has_str("from-fd", "changed"));
  close((int)fd);

  CHECK_RET("symlink", sr, 0);
  CHECK_RET("symlink-made", klstat("s", &st), 0);
  CHECKF("symlink-lstat", S_ISLNK(st.st_mode) && st.st_size == 1, "mode %o size %ld", st.st_mode, (long)st.st_size);
  CHECK_RET("symlink-dangling-stat-enoent", kstat("s", &st), -ENOENT);
  put_str("f", "again");
  CHECK("symlink-resolves-by-name", has_str("s", "again"));
  long n = raw4(SYS_readlinkat, AT_FDCWD, "s", buf, sizeof(buf));
  CHECKF("readlink", n == 1 && buf[0] == 'f', "readlink %ld", n);
  raw3(SYS_symlinkat, "a/longer/target", AT_FDCWD, "s2");
  memset(buf, '#', sizeof(buf));
  n = raw4(SYS_readlinkat, AT_FDCWD, "s2", buf, 5);
  CHECKF("readlink-truncates-no-nul", n == 5 && memcmp(buf, "a/lon#", 6) == 0, "readlink %ld", n);
  CHECK_RET("readlink-regular-file-einval", raw4(SYS_readlinkat, AT_FDCWD, "f", buf, sizeof(buf)), -EINVAL);
  CHECK_RET("readlink-zero-size-einval", raw4(SYS_readlinkat, AT_FDCWD, "s", buf, 0), -EINVAL);
  if (!skip_on_qemu("readlink-negative-size-einval", "lock_user of the buffer with a negative size fails first: EFAULT"))
    CHECK_RET("readlink-negative-size-einval", raw4(SYS_readlinkat, AT_FDCWD, "s", buf, -1), -EINVAL);
  CHECK_RET("readlink-efault", raw4(SYS_readlinkat, AT_FDCWD, "s", BAD_PTR, 64), -EFAULT);
  CHECK_RET("readlink-missing-enoent", raw4(SYS_readlinkat, AT_FDCWD, "missing", buf, 64), -ENOENT);
  fd = kopen("s2", O_PATH | O_NOFOLLOW, 0);
  n = raw4(SYS_readlinkat, fd, "", buf, sizeof(buf));
  CHECKF("readlink-empty-path-on-o-path-fd", n == 15 && memcmp(buf, "a/longer/target", 15) == 0, "readlink %ld", n);
  close((int)fd);
  CHECK_RET("symlink-existing-eexist", raw3(SYS_symlinkat, "x", AT_FDCWD, "s"), -EEXIST);
  CHECK_RET("symlink-empty-target-enoent", raw3(SYS_symlinkat, "", AT_FDCWD, "s3"), -ENOENT);
  CHECK_RET("symlink-efault", raw3(SYS_symlinkat, BAD_PTR, AT_FDCWD, "s4"), -EFAULT);
  /* a relative target is resolved from the link's directory */
  put_str("d/target", "T");
  raw3(SYS_symlinkat, "target", AT_FDCWD, "d/rel");
  CHECK("symlink-relative-to-its-dir", has_str("d/rel", "T"));
  /* linkat follows a symlink only with AT_SYMLINK_FOLLOW */
  raw5(SYS_linkat, AT_FDCWD, "s", AT_FDCWD, "ln-nofollow", 0);
  raw5(SYS_linkat, AT_FDCWD, "s", AT_FDCWD, "ln-follow", AT_SYMLINK_FOLLOW);
  CHECKF("linkat-symlink-itself", klstat("ln-nofollow", &st) == 0 && S_ISLNK(st.st_mode), "mode %o", st.st_mode);
  CHECKF("linkat-symlink-follow", klstat("ln-follow", &st) == 0 && S_ISREG(st.st_mode), "mode %o", st.st_mode);

  CHECK_RET("mknod-fifo", mr, 0);
  CHECKF("mknod-fifo-is-fifo", klstat("fifo", &st) == 0 && S_ISFIFO(st.st_mode), "mode %o", st.st_mode);
  CHECK_RET("mknod-existing-eexist", raw4(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0644, 0), -EEXIST);
}

/* ---- the working directory ---- */

static void test_cwd(void)
{
  enter("cwd");
  char cwd[PATH_MAX + 8], want[PATH_MAX + 8];
  snprintf(want, sizeof(want), "%s/cwd", fs_base);
  long n = raw2(SYS_getcwd, cwd, sizeof(cwd));
  CHECKF("getcwd", n == (long)strlen(want) + 1 && strcmp(cwd, want) == 0, "getcwd %ld: %s", n, n > 0 ? cwd : "");
  CHECK_RET("getcwd-exact-size", raw2(SYS_getcwd, cwd, strlen(want) + 1), (long)strlen(want) + 1);
  CHECK_RET("getcwd-one-short-erange", raw2(SYS_getcwd, cwd, strlen(want)), -ERANGE);
  CHECK_RET("getcwd-tiny-erange", raw2(SYS_getcwd, cwd, 1), -ERANGE);
  CHECK_RET("getcwd-efault", raw2(SYS_getcwd, BAD_PTR, 4096), -EFAULT);

  kmkdir("sub");
  put_str("file", "f");
  CHECK_RET("chdir", raw1(SYS_chdir, "sub"), 0);
  snprintf(want, sizeof(want), "%s/cwd/sub", fs_base);
  CHECKF("chdir-getcwd", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0, "cwd %s", cwd);
  CHECK_RET("chdir-dotdot", raw1(SYS_chdir, ".."), 0);
  snprintf(want, sizeof(want), "%s/cwd", fs_base);
  CHECKF("chdir-dotdot-getcwd", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0, "cwd %s", cwd);
  CHECK_RET("chdir-dot-components", raw1(SYS_chdir, "sub/../sub/."), 0);
  chdir("..");
  CHECK_RET("chdir-file-enotdir", raw1(SYS_chdir, "file"), -ENOTDIR);
  CHECK_RET("chdir-missing-enoent", raw1(SYS_chdir, "missing"), -ENOENT);
  CHECK_RET("chdir-efault", raw1(SYS_chdir, BAD_PTR), -EFAULT);
  long fd = kopen("file", O_RDONLY, 0);
  CHECK_RET("fchdir-file-enotdir", raw1(SYS_fchdir, fd), -ENOTDIR);
  close((int)fd);
  CHECK_RET("fchdir-bad-fd-ebadf", raw1(SYS_fchdir, 999), -EBADF);
  fd = kopen("sub", O_RDONLY | O_DIRECTORY, 0);
  CHECK_RET("fchdir", raw1(SYS_fchdir, fd), 0);
  snprintf(want, sizeof(want), "%s/cwd/sub", fs_base);
  CHECKF("fchdir-getcwd", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0, "cwd %s", cwd);
  close((int)fd);
  chdir("..");

  /* a removed working directory */
  kmkdir("gone");
  chdir("gone");
  CHECK_RET("rmdir-own-cwd", krmdir("../gone"), 0);
  CHECK_RET("getcwd-removed-enoent", raw2(SYS_getcwd, cwd, sizeof(cwd)), -ENOENT);
  CHECK_RET("create-in-removed-cwd-enoent", kopen("new", O_CREAT | O_WRONLY, 0644), -ENOENT);
  CHECK_RET("chdir-dotdot-from-removed", raw1(SYS_chdir, ".."), 0);
  snprintf(want, sizeof(want), "%s/cwd", fs_base);
  CHECKF("chdir-dotdot-from-removed-getcwd", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0, "cwd %s", cwd);

  /* long paths: 200-character names, 25 levels (more than PATH_MAX) */
  char comp[201];
  memset(comp, 'L', 200);
  comp[200] = 0;
  size_t base_len = strlen(want);
  int depth = 0, ok = 1;
  while (base_len + (size_t)depth * 201 < 3000 && ok) {
    ok = kmkdir(comp) == 0 && chdir(comp) == 0;
    depth++;
  }
  n = raw2(SYS_getcwd, cwd, sizeof(cwd));
  size_t len = base_len + (size_t)depth * 201;
  CHECKF("getcwd-long-path", ok && n == (long)len + 1 && strncmp(cwd, want, base_len) == 0 &&
                                 strncmp(cwd + len - 200, comp, 200) == 0,
         "depth %d getcwd %ld, want %zu", depth, n, len + 1);
  while (len <= PATH_MAX + 200 && ok) {
    ok = kmkdir(comp) == 0 && chdir(comp) == 0;
    depth++;
    len += 201;
  }
  CHECKF("chdir-deeper-than-path-max", ok, "depth %d", depth);
  n = raw2(SYS_getcwd, cwd, sizeof(cwd));
  if (!skip_on_qemu("getcwd-longer-than-path-max-enametoolong",
                    "sys_getcwd1 calls the host C library's getcwd, which walks \"..\" itself when the "
                    "system call says ENAMETOOLONG"))
    CHECK_RET("getcwd-longer-than-path-max-enametoolong", n, -ENAMETOOLONG);
  put_str("deep-file", "deep");
  CHECK("relative-open-below-path-max", has_str("deep-file", "deep"));
  kunlink("deep-file");
  for (int i = 0; i < depth; i++) {
    chdir("..");
    ok &= krmdir(comp) == 0;
  }
  CHECKF("long-path-removed", ok && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0, "cwd %s", cwd);
}

int main(int argc, char **argv)
{
  fs_setup(argc, argv, "fs_dir");
  run_section("getdents", test_getdents, 120000);
  run_section("mkdir", test_mkdir, 60000);
  run_section("rename", test_rename, 60000);
  run_section("link", test_link, 60000);
  run_section("cwd", test_cwd, 60000);
  return abi_done();
}
