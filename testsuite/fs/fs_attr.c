/*
 * fs_attr.c — what the file system says about files (testsuite/fs):
 * fstat, newfstatat and statx (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH),
 * faccessat and faccessat2, fchmod and fchmodat, fchownat and fchown,
 * utimensat (UTIME_NOW, UTIME_OMIT, FAT's 2-second and 1-day clocks),
 * statfs and fstatfs. On FAT, modes, owners and times follow Linux's vfat
 * (fs/fat/file.c: fat_setattr, fat_sanitize_mode; fs/fat/misc.c:
 * fat_truncate_time). User space; run as `fs_attr DIR` (see fstest.h).
 */
#include "fstest.h"

/* ---- stat ---- */

static void test_stat(void)
{
  enter("stat");
  struct stat st, st2;
  put_str("f", "12345");
  long fd = kopen("f", O_RDONLY, 0);
  CHECK_RET("fstat", raw2(SYS_fstat, fd, &st), 0);
  CHECKF("fstat-fields", S_ISREG(st.st_mode) && st.st_size == 5 && st.st_nlink == 1 && st.st_uid == geteuid() &&
                             st.st_gid == getegid() && st.st_blksize > 0 && st.st_blocks >= 1,
         "mode %o size %ld nlink %ld uid %d blksize %ld blocks %ld", st.st_mode, (long)st.st_size, (long)st.st_nlink,
         (int)st.st_uid, (long)st.st_blksize, (long)st.st_blocks);
  time_t now = time(NULL);
  CHECKF("mtime-is-now", st.st_mtime >= now - 5 && st.st_mtime <= now + 1, "mtime %ld now %ld", (long)st.st_mtime,
         (long)now);
  CHECK_RET("newfstatat", kstat("f", &st2), 0);
  CHECKF("newfstatat-matches-fstat", st2.st_ino == st.st_ino && st2.st_dev == st.st_dev && st2.st_size == 5,
         "ino %lu/%lu", (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
  memset(&st2, 0, sizeof(st2));
  CHECK_RET("empty-path", raw4(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH), 0);
  CHECK("empty-path-is-the-fd", st2.st_ino == st.st_ino && st2.st_size == 5);
  CHECK_RET("empty-path-without-flag-enoent", raw4(SYS_newfstatat, fd, "", &st2, 0), -ENOENT);
  CHECK_RET("bad-flags-einval", raw4(SYS_newfstatat, AT_FDCWD, "f", &st2, 0x1), -EINVAL);
  CHECK_RET("fstat-efault", raw2(SYS_fstat, fd, BAD_PTR), -EFAULT);
  CHECK_RET("newfstatat-buf-efault", raw4(SYS_newfstatat, AT_FDCWD, "f", BAD_PTR, 0), -EFAULT);
  CHECK_RET("newfstatat-path-efault", raw4(SYS_newfstatat, AT_FDCWD, BAD_PTR, &st2, 0), -EFAULT);
  CHECK_RET("fstat-bad-fd-ebadf", raw2(SYS_fstat, 999, &st2), -EBADF);
  CHECK_RET("missing-enoent", kstat("missing", &st2), -ENOENT);
  close((int)fd);
  put_str("g", "");
  kstat("g", &st2);
  CHECKF("distinct-inodes-same-device", st2.st_ino != st.st_ino && st2.st_dev == st.st_dev && st2.st_size == 0,
         "ino %lu/%lu", (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
  fd = kopen("f", O_PATH, 0);
  CHECKF("fstat-o-path", raw2(SYS_fstat, fd, &st2) == 0 && st2.st_ino == st.st_ino, "ino %lu", (unsigned long)st2.st_ino);
  close((int)fd);

  /* directories: nlink is 2 + the number of subdirectories */
  kmkdir("d");
  kmkdir("d/a");
  kmkdir("d/b");
  put_str("d/file", "x");
  CHECKF("dir-nlink", kstat("d", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 4, "mode %o nlink %ld", st.st_mode,
         (long)st.st_nlink);

  if (is_vfat) {
    CHECKF("vfat-nofollow-on-file", klstat("f", &st2) == 0 && S_ISREG(st2.st_mode), "mode %o", st2.st_mode);
  } else {
    raw3(SYS_symlinkat, "f", AT_FDCWD, "s");
    CHECKF("nofollow-symlink", klstat("s", &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 1, "mode %o size %ld",
           st2.st_mode, (long)st2.st_size);
    CHECKF("follow-symlink", kstat("s", &st2) == 0 && S_ISREG(st2.st_mode) && st2.st_size == 5, "mode %o size %ld",
           st2.st_mode, (long)st2.st_size);
  }
}

/* ---- statx ---- */

static void test_statx(void)
{
  enter("statx");
  struct stat st;
  struct kstatx sx;
  put_str("f", "abcdefg");
  kstat("f", &st);
  memset(&sx, 0, sizeof(sx));
  CHECK_RET("basic", raw5(SYS_statx, AT_FDCWD, "f", 0, KSTATX_BASIC_STATS, &sx), 0);
  CHECKF("basic-mask", (sx.mask & KSTATX_BASIC_STATS) == KSTATX_BASIC_STATS, "mask %x", sx.mask);
  CHECKF("matches-stat", sx.ino == st.st_ino && sx.size == 7 && sx.mode == st.st_mode && sx.nlink == st.st_nlink &&
                             sx.uid == st.st_uid && sx.gid == st.st_gid && sx.blocks == (uint64_t)st.st_blocks,
         "ino %lu size %lu mode %o", (unsigned long)sx.ino, (unsigned long)sx.size, sx.mode);
  CHECKF("device-numbers", makedev(sx.dev_major, sx.dev_minor) == st.st_dev, "%u:%u vs %lx", sx.dev_major,
         sx.dev_minor, (unsigned long)st.st_dev);
  CHECKF("mtime-matches-stat", sx.mtime.tv_sec == st.st_mtim.tv_sec && sx.mtime.tv_nsec == st.st_mtim.tv_nsec,
         "%ld.%09u vs %ld.%09ld", (long)sx.mtime.tv_sec, sx.mtime.tv_nsec, (long)st.st_mtim.tv_sec,
         (long)st.st_mtim.tv_nsec);
  long fd = kopen("f", O_RDONLY, 0);
  memset(&sx, 0, sizeof(sx));
  CHECK_RET("empty-path", raw5(SYS_statx, fd, "", AT_EMPTY_PATH, KSTATX_BASIC_STATS, &sx), 0);
  CHECK("empty-path-is-the-fd", sx.ino == st.st_ino && sx.size == 7);
  CHECK_RET("empty-path-without-flag-enoent", raw5(SYS_statx, fd, "", 0, KSTATX_BASIC_STATS, &sx), -ENOENT);
  close((int)fd);
  CHECK_RET("reserved-mask-einval", raw5(SYS_statx, AT_FDCWD, "f", 0, KSTATX_RESERVED, &sx), -EINVAL);
  CHECK_RET("bad-flags-einval", raw5(SYS_statx, AT_FDCWD, "f", 0x1, KSTATX_BASIC_STATS, &sx), -EINVAL);
  CHECK_RET("both-sync-flags-einval",
            raw5(SYS_statx, AT_FDCWD, "f", KAT_STATX_FORCE_SYNC | KAT_STATX_DONT_SYNC, KSTATX_BASIC_STATS, &sx), -EINVAL);
  CHECK_RET("dont-sync-ok", raw5(SYS_statx, AT_FDCWD, "f", KAT_STATX_DONT_SYNC, KSTATX_BASIC_STATS, &sx), 0);
  CHECK_RET("buf-efault", raw5(SYS_statx, AT_FDCWD, "f", 0, KSTATX_BASIC_STATS, BAD_PTR), -EFAULT);
  CHECK_RET("path-efault", raw5(SYS_statx, AT_FDCWD, BAD_PTR, 0, KSTATX_BASIC_STATS, &sx), -EFAULT);
  CHECK_RET("missing-enoent", raw5(SYS_statx, AT_FDCWD, "missing", 0, KSTATX_BASIC_STATS, &sx), -ENOENT);
  kmkdir("d");
  CHECKF("directory", raw5(SYS_statx, AT_FDCWD, "d", 0, KSTATX_BASIC_STATS, &sx) == 0 && S_ISDIR(sx.mode) && sx.nlink == 2,
         "mode %o nlink %u", sx.mode, sx.nlink);
  if (is_vfat) {
    CHECKF("vfat-nofollow-on-file",
           raw5(SYS_statx, AT_FDCWD, "f", AT_SYMLINK_NOFOLLOW, KSTATX_BASIC_STATS, &sx) == 0 && S_ISREG(sx.mode),
           "mode %o", sx.mode);
  } else {
    raw3(SYS_symlinkat, "f", AT_FDCWD, "s");
    CHECKF("nofollow-symlink",
           raw5(SYS_statx, AT_FDCWD, "s", AT_SYMLINK_NOFOLLOW, KSTATX_BASIC_STATS, &sx) == 0 && S_ISLNK(sx.mode) &&
               sx.size == 1,
           "mode %o size %lu", sx.mode, (unsigned long)sx.size);
    CHECKF("follow-symlink", raw5(SYS_statx, AT_FDCWD, "s", 0, KSTATX_BASIC_STATS, &sx) == 0 && S_ISREG(sx.mode) &&
                                 sx.size == 7,
           "mode %o size %lu", sx.mode, (unsigned long)sx.size);
  }
}

/* ---- access ---- */

static void test_access(void)
{
  enter("access");
  put_str("f", "x");
  kmkdir("d");
  CHECK_RET("exists", raw3(SYS_faccessat, AT_FDCWD, "f", F_OK), 0);
  CHECK_RET("missing-enoent", raw3(SYS_faccessat, AT_FDCWD, "missing", F_OK), -ENOENT);
  CHECK_RET("read-write", raw3(SYS_faccessat, AT_FDCWD, "f", R_OK | W_OK), 0);
  CHECK_RET("below-file-enotdir", raw3(SYS_faccessat, AT_FDCWD, "f/x", F_OK), -ENOTDIR);
  CHECK_RET("bad-mode-einval", raw3(SYS_faccessat, AT_FDCWD, "f", 8), -EINVAL);
  CHECK_RET("efault", raw3(SYS_faccessat, AT_FDCWD, BAD_PTR, F_OK), -EFAULT);
  CHECK_RET("dir-search", raw3(SYS_faccessat, AT_FDCWD, "d", X_OK), 0);
  if (is_vfat) {
    /* every file on FAT is 0755 (the mount's fmask): executable */
    CHECK_RET("vfat-execute", raw3(SYS_faccessat, AT_FDCWD, "f", X_OK), 0);
  } else {
    /* even root may execute only what some x bit allows */
    CHECK_RET("execute-without-x-eacces", raw3(SYS_faccessat, AT_FDCWD, "f", X_OK), -EACCES);
    chmod("f", 0744);
    CHECK_RET("execute-with-x", raw3(SYS_faccessat, AT_FDCWD, "f", X_OK), 0);
  }
  chmod("f", 0555);
  if (is_root())
    CHECK_RET("root-writes-read-only-file", raw3(SYS_faccessat, AT_FDCWD, "f", W_OK), 0);
  else
    CHECK_RET("read-only-file-eacces", raw3(SYS_faccessat, AT_FDCWD, "f", W_OK), -EACCES);
  chmod("f", 0755);
  CHECK_RET("faccessat2", raw4(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0), 0);
  CHECK_RET("faccessat2-eaccess", raw4(SYS_faccessat2, AT_FDCWD, "f", R_OK, AT_EACCESS), 0);
  CHECK_RET("faccessat2-bad-flags-einval", raw4(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0x1), -EINVAL);
  CHECK_RET("faccessat2-bad-mode-einval", raw4(SYS_faccessat2, AT_FDCWD, "f", 8, 0), -EINVAL);
  long fd = kopen("f", O_RDONLY, 0);
  CHECK_RET("faccessat2-empty-path", raw4(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH), 0);
  close((int)fd);
  if (!is_vfat) {
    raw3(SYS_symlinkat, "missing-target", AT_FDCWD, "dangle");
    CHECK_RET("dangling-symlink-enoent", raw3(SYS_faccessat, AT_FDCWD, "dangle", F_OK), -ENOENT);
    CHECK_RET("faccessat2-nofollow-dangling", raw4(SYS_faccessat2, AT_FDCWD, "dangle", F_OK, AT_SYMLINK_NOFOLLOW), 0);
  }
}

/* ---- chmod and chown ---- */

/* mode_of: the permission bits of path (following symlinks), or -1. */
static int mode_of(const char *path)
{
  struct stat st;
  return kstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void test_chmod(void)
{
  enter("chmod");
  put_str("f", "x");
  kmkdir("d");
  long fd = kopen("f", O_RDONLY, 0);
  if (is_vfat) {
    /* fat_setattr: setuid/setgid/sticky are EPERM; a change of the r or x
     * bits is dropped without an error; all w bits off = ATTR_RO */
    CHECK_RET("vfat-fchmod-0644-accepted", raw2(SYS_fchmod, fd, 0644), 0);
    CHECKF("vfat-fchmod-0644-ignored", mode_of("f") == 0755, "mode %o", mode_of("f"));
    CHECK_RET("vfat-fchmod-0555", raw2(SYS_fchmod, fd, 0555), 0);
    CHECKF("vfat-fchmod-0555-read-only", mode_of("f") == 0555, "mode %o", mode_of("f"));
    CHECK_RET("vfat-fchmodat-0755", raw3(SYS_fchmodat, AT_FDCWD, "f", 0755), 0);
    CHECKF("vfat-fchmodat-0755-writable", mode_of("f") == 0755, "mode %o", mode_of("f"));
    CHECK_RET("vfat-setuid-eperm", raw2(SYS_fchmod, fd, 04755), -EPERM);
    CHECK_RET("vfat-sticky-eperm", raw3(SYS_fchmodat, AT_FDCWD, "d", 01755), -EPERM);
    CHECK_RET("vfat-dir-0555-accepted", raw3(SYS_fchmodat, AT_FDCWD, "d", 0555), 0);
    CHECKF("vfat-dir-0555-ignored", mode_of("d") == 0755, "mode %o", mode_of("d"));
  } else {
    CHECK_RET("fchmod", raw2(SYS_fchmod, fd, 0600), 0);
    CHECKF("fchmod-mode", mode_of("f") == 0600, "mode %o", mode_of("f"));
    CHECK_RET("fchmodat", raw3(SYS_fchmodat, AT_FDCWD, "f", 0751), 0);
    CHECKF("fchmodat-mode", mode_of("f") == 0751, "mode %o", mode_of("f"));
    CHECK_RET("setuid", raw2(SYS_fchmod, fd, 04755), 0);
    CHECKF("setuid-mode", mode_of("f") == 04755, "mode %o", mode_of("f"));
    CHECK_RET("dir-sticky", raw3(SYS_fchmodat, AT_FDCWD, "d", 01777), 0);
    CHECKF("dir-sticky-mode", mode_of("d") == 01777, "mode %o", mode_of("d"));
    CHECK_RET("file-type-bits-ignored", raw3(SYS_fchmodat, AT_FDCWD, "f", S_IFDIR | 0640), 0);
    struct stat fst;
    CHECKF("file-type-bits-ignored-mode", kstat("f", &fst) == 0 && S_ISREG(fst.st_mode) && (fst.st_mode & 07777) == 0640,
           "mode %o", fst.st_mode);
    raw3(SYS_symlinkat, "f", AT_FDCWD, "s");
    CHECK_RET("through-symlink", raw3(SYS_fchmodat, AT_FDCWD, "s", 0604), 0);
    CHECKF("through-symlink-changes-target", mode_of("f") == 0604, "mode %o", mode_of("f"));
  }
  CHECK_RET("missing-enoent", raw3(SYS_fchmodat, AT_FDCWD, "missing", 0644), -ENOENT);
  CHECK_RET("efault", raw3(SYS_fchmodat, AT_FDCWD, BAD_PTR, 0644), -EFAULT);
  CHECK_RET("bad-fd-ebadf", raw2(SYS_fchmod, 999, 0644), -EBADF);
  close((int)fd);
}

static void test_chown(void)
{
  enter("chown");
  struct stat st;
  put_str("f", "x");
  uid_t u = geteuid();
  gid_t g = getegid();
  CHECK_RET("to-self", raw5(SYS_fchownat, AT_FDCWD, "f", u, g, 0), 0);
  CHECK_RET("minus-one-no-change", raw5(SYS_fchownat, AT_FDCWD, "f", -1, -1, 0), 0);
  CHECKF("minus-one-kept-owner", kstat("f", &st) == 0 && st.st_uid == u && st.st_gid == g, "uid %d gid %d",
         (int)st.st_uid, (int)st.st_gid);
  CHECK_RET("bad-flags-einval", raw5(SYS_fchownat, AT_FDCWD, "f", u, g, 0x1), -EINVAL);
  CHECK_RET("missing-enoent", raw5(SYS_fchownat, AT_FDCWD, "missing", u, g, 0), -ENOENT);
  CHECK_RET("efault", raw5(SYS_fchownat, AT_FDCWD, BAD_PTR, u, g, 0), -EFAULT);
  long fd = kopen("f", O_RDONLY, 0);
  CHECK_RET("fchown-to-self", raw3(SYS_fchown, fd, u, g), 0);
  CHECK_RET("empty-path", raw5(SYS_fchownat, fd, "", u, g, AT_EMPTY_PATH), 0);
  if (!is_root()) {
    CHECK_RET("not-root-other-owner-eperm", raw3(SYS_fchown, fd, u + 1, -1), -EPERM);
  } else if (is_vfat) {
    /* fat_setattr: only the mount's uid and gid are possible */
    CHECK_RET("vfat-other-uid-eperm", raw3(SYS_fchown, fd, 1000, -1), -EPERM);
    CHECK_RET("vfat-other-gid-eperm", raw5(SYS_fchownat, AT_FDCWD, "f", -1, 1000, 0), -EPERM);
    CHECKF("vfat-owner-unchanged", kstat("f", &st) == 0 && st.st_uid == u && st.st_gid == g, "uid %d gid %d",
           (int)st.st_uid, (int)st.st_gid);
  } else {
    CHECK_RET("root-other-owner", raw3(SYS_fchown, fd, 1000, 1001), 0);
    CHECKF("root-other-owner-set", kstat("f", &st) == 0 && st.st_uid == 1000 && st.st_gid == 1001, "uid %d gid %d",
           (int)st.st_uid, (int)st.st_gid);
    chmod("f", 06755);
    raw5(SYS_fchownat, AT_FDCWD, "f", 1002, -1, 0);
    CHECKF("chown-clears-setuid-setgid", mode_of("f") == 0755, "mode %o", mode_of("f"));
    raw3(SYS_symlinkat, "f", AT_FDCWD, "s");
    CHECK_RET("nofollow-symlink", raw5(SYS_fchownat, AT_FDCWD, "s", 2000, 2000, AT_SYMLINK_NOFOLLOW), 0);
    struct stat lst;
    CHECKF("nofollow-changes-link-only", klstat("s", &lst) == 0 && lst.st_uid == 2000 && kstat("f", &st) == 0 &&
                                             st.st_uid == 1002,
           "link uid %d, file uid %d", (int)lst.st_uid, (int)st.st_uid);
    raw3(SYS_fchown, fd, u, g);
  }
  close((int)fd);
}

/* ---- utimensat ---- */

#define T_ATIME 1000000001L /* 2001-09-09 01:46:41 UTC */
#define T_MTIME 1000000003L

static void test_utimes(void)
{
  enter("utimes");
  struct stat st;
  put_str("f", "x");
  struct timespec ts[2] = {{T_ATIME, 123456789}, {T_MTIME, 987654321}};
  CHECK_RET("set-both", raw4(SYS_utimensat, AT_FDCWD, "f", ts, 0), 0);
  kstat("f", &st);
  if (is_vfat) {
    /* FAT: mtime in 2-second steps, atime to the day (UTC without tz=) */
    CHECKF("vfat-mtime-2s", st.st_mtim.tv_sec == T_MTIME - 1 && st.st_mtim.tv_nsec == 0, "mtime %ld.%09ld",
           (long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    CHECKF("vfat-atime-day", st.st_atim.tv_sec == T_ATIME - T_ATIME % 86400 && st.st_atim.tv_nsec == 0,
           "atime %ld.%09ld", (long)st.st_atim.tv_sec, (long)st.st_atim.tv_nsec);
  } else {
    CHECKF("mtime-exact", st.st_mtim.tv_sec == T_MTIME && st.st_mtim.tv_nsec == 987654321, "mtime %ld.%09ld",
           (long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    CHECKF("atime-exact", st.st_atim.tv_sec == T_ATIME && st.st_atim.tv_nsec == 123456789, "atime %ld.%09ld",
           (long)st.st_atim.tv_sec, (long)st.st_atim.tv_nsec);
  }
  struct stat before = st;
  time_t t0 = time(NULL);
  struct timespec now_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  CHECK_RET("omit-atime-now-mtime", raw4(SYS_utimensat, AT_FDCWD, "f", now_omit, 0), 0);
  kstat("f", &st);
  time_t t1 = time(NULL);
  CHECKF("omit-keeps-atime", st.st_atim.tv_sec == before.st_atim.tv_sec && st.st_atim.tv_nsec == before.st_atim.tv_nsec,
         "atime %ld", (long)st.st_atim.tv_sec);
  CHECKF("now-sets-mtime", st.st_mtime >= t0 - 2 && st.st_mtime <= t1 + 1, "mtime %ld, now %ld", (long)st.st_mtime,
         (long)t1);
  struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  before = st;
  CHECK_RET("omit-both", raw4(SYS_utimensat, AT_FDCWD, "f", omit2, 0), 0);
  kstat("f", &st);
  CHECK("omit-both-changes-nothing", st.st_mtim.tv_sec == before.st_mtim.tv_sec && st.st_atim.tv_sec == before.st_atim.tv_sec);
  raw4(SYS_utimensat, AT_FDCWD, "f", ts, 0);
  t0 = time(NULL);
  CHECK_RET("null-times-now", raw4(SYS_utimensat, AT_FDCWD, "f", 0, 0), 0);
  kstat("f", &st);
  CHECKF("null-times-now-set", st.st_mtime >= t0 - 2 && st.st_atime >= t0 - 86400, "mtime %ld atime %ld now %ld",
         (long)st.st_mtime, (long)st.st_atime, (long)t0);
  /* the futimens form: a descriptor and no path */
  long fd = kopen("f", O_RDWR, 0);
  CHECK_RET("fd-null-path", raw4(SYS_utimensat, fd, 0, ts, 0), 0);
  kstat("f", &st);
  CHECKF("fd-null-path-set", st.st_mtime == (is_vfat ? T_MTIME - 1 : T_MTIME), "mtime %ld", (long)st.st_mtime);
  CHECK_RET("fd-empty-path", raw4(SYS_utimensat, fd, "", ts, AT_EMPTY_PATH), 0);
  close((int)fd);
  /* a write moves mtime to now */
  t0 = time(NULL);
  fd = kopen("f", O_WRONLY | O_APPEND, 0);
  raw3(SYS_write, fd, "y", 1);
  close((int)fd);
  kstat("f", &st);
  CHECKF("write-updates-mtime", st.st_mtime >= t0 - 2, "mtime %ld now %ld", (long)st.st_mtime, (long)t0);

  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  CHECK_RET("bad-nsec-einval", raw4(SYS_utimensat, AT_FDCWD, "f", bad, 0), -EINVAL);
  CHECK_RET("bad-flags-einval", raw4(SYS_utimensat, AT_FDCWD, "f", ts, 0x1), -EINVAL);
  CHECK_RET("missing-enoent", raw4(SYS_utimensat, AT_FDCWD, "missing", ts, 0), -ENOENT);
  CHECK_RET("times-efault", raw4(SYS_utimensat, AT_FDCWD, "f", BAD_PTR, 0), -EFAULT);
  CHECK_RET("path-efault", raw4(SYS_utimensat, AT_FDCWD, BAD_PTR, ts, 0), -EFAULT);
  if (!is_vfat) {
    raw3(SYS_symlinkat, "f", AT_FDCWD, "s");
    struct timespec lts[2] = {{T_ATIME, 0}, {T_ATIME, 0}};
    raw4(SYS_utimensat, AT_FDCWD, "f", ts, 0);
    CHECK_RET("nofollow-symlink", raw4(SYS_utimensat, AT_FDCWD, "s", lts, AT_SYMLINK_NOFOLLOW), 0);
    struct stat lst;
    klstat("s", &lst);
    kstat("f", &st);
    CHECKF("nofollow-changes-link-only", lst.st_mtime == T_ATIME && st.st_mtime == T_MTIME, "link %ld file %ld",
           (long)lst.st_mtime, (long)st.st_mtime);
  }
}

/* ---- statfs ---- */

static void test_statfs(void)
{
  enter("statfs");
  struct statfs a, b;
  CHECK_RET("statfs", raw2(SYS_statfs, ".", &a), 0);
  CHECKF("type", strcmp(kind_of(a.f_type), fs_kind) == 0, "f_type %lx", (unsigned long)a.f_type);
  CHECKF("sizes", a.f_bsize > 0 && a.f_blocks > 0 && a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_bfree, "bsize %ld blocks %lu free %lu avail %lu",
         (long)a.f_bsize, (unsigned long)a.f_blocks, (unsigned long)a.f_bfree, (unsigned long)a.f_bavail);
  if (is_vfat) /* fs/fat/inode.c: FAT_LFN_LEN * NLS_MAX_CHARSET_SIZE */
    CHECKF("vfat-namelen-1530", a.f_namelen == 1530, "f_namelen %ld", (long)a.f_namelen);
  else
    CHECKF("namelen-255", a.f_namelen == 255, "f_namelen %ld", (long)a.f_namelen);
  long fd = kopen(".", O_RDONLY | O_DIRECTORY, 0);
  CHECK_RET("fstatfs", raw2(SYS_fstatfs, fd, &b), 0);
  CHECKF("fstatfs-matches", b.f_type == a.f_type && b.f_bsize == a.f_bsize && b.f_blocks == a.f_blocks &&
                                memcmp(&a.f_fsid, &b.f_fsid, sizeof(a.f_fsid)) == 0,
         "type %lx/%lx", (unsigned long)b.f_type, (unsigned long)a.f_type);
  CHECK_RET("fstatfs-efault", raw2(SYS_fstatfs, fd, BAD_PTR), -EFAULT);
  close((int)fd);
  CHECK_RET("fstatfs-bad-fd-ebadf", raw2(SYS_fstatfs, 999, &b), -EBADF);
  CHECK_RET("statfs-missing-enoent", raw2(SYS_statfs, "missing", &b), -ENOENT);
  CHECK_RET("statfs-efault", raw2(SYS_statfs, ".", BAD_PTR), -EFAULT);
  CHECK_RET("statfs-path-efault", raw2(SYS_statfs, BAD_PTR, &b), -EFAULT);
  if (is_vfat) {
    /* FAT: free clusters, exactly */
    static char buf[1 << 20];
    raw2(SYS_statfs, ".", &a);
    put_file("mib", buf, sizeof(buf));
    sync();
    raw2(SYS_statfs, ".", &b);
    long used = (long)(a.f_bfree - b.f_bfree);
    CHECKF("vfat-write-uses-clusters", used == (long)((sizeof(buf) + a.f_bsize - 1) / a.f_bsize), "%ld clusters used",
           used);
    kunlink("mib");
    sync();
    raw2(SYS_statfs, ".", &b);
    CHECKF("vfat-unlink-frees-clusters", b.f_bfree == a.f_bfree, "free %lu, was %lu", (unsigned long)b.f_bfree,
           (unsigned long)a.f_bfree);
  }
}

int main(int argc, char **argv)
{
  fs_setup(argc, argv, "fs_attr");
  run_section("stat", test_stat, 60000);
  run_section("statx", test_statx, 60000);
  run_section("access", test_access, 60000);
  run_section("chmod", test_chmod, 60000);
  run_section("chown", test_chown, 60000);
  run_section("utimes", test_utimes, 60000);
  run_section("statfs", test_statfs, 60000);
  return abi_done();
}
