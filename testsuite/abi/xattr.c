/*
 * xattr.c — extended attributes (testsuite/abi): set, get, list and
 * remove by path, by path without following a symlink, and by
 * descriptor; XATTR_CREATE / XATTR_REPLACE, sizes (the size query, ERANGE,
 * E2BIG for values and lists past 64 KiB), names (ERANGE, a bare prefix,
 * unknown namespaces), the user. namespace only on files and directories,
 * trusted. and security., empty values, attributes that follow a rename,
 * a file system without attributes (/proc), a pipe, bad pointers, ctime,
 * and no memory kept after the files go (Kite). In the working directory
 * (tmpfs on Kite and in abi-linux.sh). User space; runs on Kite and on
 * Linux.
 *
 * Linux keeps user. attributes on tmpfs only since 6.6: on an older
 * kernel (the reference 6.1) those checks are SKIPs; trusted. needs
 * CAP_SYS_ADMIN in the initial namespace, which abi-linux.sh's sandbox
 * has not.
 */
#include "check.h"
#include <sys/stat.h>
#include <sys/xattr.h>

static int user_xattrs = 1;   /* the file system here keeps user. attributes */
static int trusted_ok = 1;    /* we may use trusted. */

static long kset(const char *p, const char *n, const void *v, size_t s, int f) { return raw5(SYS_setxattr, p, n, v, s, f); }
static long klset(const char *p, const char *n, const void *v, size_t s, int f) { return raw5(SYS_lsetxattr, p, n, v, s, f); }
static long kget(const char *p, const char *n, void *v, size_t s) { return raw4(SYS_getxattr, p, n, v, s); }
static long klget(const char *p, const char *n, void *v, size_t s) { return raw4(SYS_lgetxattr, p, n, v, s); }
static long klist(const char *p, char *l, size_t s) { return raw3(SYS_listxattr, p, l, s); }
static long krm(const char *p, const char *n) { return raw2(SYS_removexattr, p, n); }

/* Is name among the NUL-separated names of list[0..len)? */
static int listed(const char *list, long len, const char *name)
{
  for (long i = 0; i < len; i += strlen(list + i) + 1)
    if (!strcmp(list + i, name))
      return 1;
  return 0;
}

static int kernel_before(int major, int minor)
{
  struct utsname u;
  int ma = 0, mi = 0;
  if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
    return 0;
  return ma < major || (ma == major && mi < minor);
}

static void probe_fs(void)
{
  close(open("probe", O_CREAT | O_WRONLY, 0600));
  long r = kset("probe", "user.probe", "1", 1, 0);
  if (r == -EOPNOTSUPP && !on_kite() && kernel_before(6, 6))
    user_xattrs = 0;
  r = kset("probe", "trusted.probe", "1", 1, 0);
  if (r == -EPERM && !on_kite())
    trusted_ok = 0;
  unlink("probe");
}

static int skip_user(const char *name)
{
  if (user_xattrs)
    return 0;
  abi_line("SKIP: %s/%s (Linux before 6.6 keeps no user. attributes on tmpfs)", abi_family, name);
  return 1;
}

static void test_user(void)
{
  if (skip_user("user/all"))
    return;
  close(open("f", O_CREAT | O_WRONLY | O_TRUNC, 0600));
  CHECK_RET("set/create", kset("f", "user.a", "hello", 5, XATTR_CREATE), 0);
  CHECK_RET("get/size-query", kget("f", "user.a", NULL, 0), 5);
  char buf[128] = "";
  CHECK_RET("get/value", kget("f", "user.a", buf, sizeof(buf)), 5);
  CHECK("get/value-bytes", !memcmp(buf, "hello", 5));
  CHECK_RET("get/erange-small-buffer", kget("f", "user.a", buf, 2), -ERANGE);
  CHECK_RET("set/create-eexist", kset("f", "user.a", "x", 1, XATTR_CREATE), -EEXIST);
  CHECK_RET("set/replace-enodata", kset("f", "user.none", "x", 1, XATTR_REPLACE), -ENODATA);
  CHECK_RET("set/einval-flags", kset("f", "user.a", "x", 1, 4), -EINVAL);
  CHECK_RET("set/replace", kset("f", "user.a", "bye", 3, XATTR_REPLACE), 0);
  memset(buf, 0, sizeof(buf));
  CHECK("set/replace-took", kget("f", "user.a", buf, sizeof(buf)) == 3 && !memcmp(buf, "bye", 3));
  CHECK_RET("set/empty-value", kset("f", "user.empty", NULL, 0, 0), 0);
  CHECK_RET("get/empty-value", kget("f", "user.empty", buf, sizeof(buf)), 0);
  kset("f", "user.b", "2", 1, 0);
  long need = klist("f", NULL, 0);
  long want = (long)(strlen("user.a") + strlen("user.empty") + strlen("user.b") + 3);
  CHECKF("list/size-query", need == want, "%ld, want %ld", need, want);
  char list[512];
  long n = klist("f", list, sizeof(list));
  CHECKF("list/names", n == need && listed(list, n, "user.a") && listed(list, n, "user.b") &&
                           listed(list, n, "user.empty"), "%ld", n);
  CHECK_RET("list/erange-small-buffer", klist("f", list, 5), -ERANGE);
  CHECK_RET("remove", krm("f", "user.b"), 0);
  CHECK_RET("remove/again-enodata", krm("f", "user.b"), -ENODATA);
  CHECK_RET("get/removed-enodata", kget("f", "user.b", buf, sizeof(buf)), -ENODATA);
  CHECK("list/after-remove", (n = klist("f", list, sizeof(list))) > 0 && !listed(list, n, "user.b"));

  /* names */
  char longname[300];
  memset(longname, 'n', sizeof(longname));
  memcpy(longname, "user.", 5);
  longname[256] = 0; /* 256 bytes: one too many */
  CHECK_RET("name/erange-too-long", kset("f", longname, "x", 1, 0), -ERANGE);
  longname[255] = 0;
  CHECK_RET("name/255-bytes-ok", kset("f", longname, "x", 1, 0), 0);
  CHECK_RET("name/erange-empty", kset("f", "", "x", 1, 0), -ERANGE);
  CHECK_RET("name/einval-bare-prefix", kset("f", "user.", "x", 1, 0), -EINVAL);
  CHECK_RET("name/eopnotsupp-unknown-namespace", kset("f", "foo.bar", "x", 1, 0), -EOPNOTSUPP);
  CHECK_RET("name/get-eopnotsupp-unknown-namespace", kget("f", "foo.bar", buf, 8), -EOPNOTSUPP);

  /* sizes */
  static char big[65537];
  memset(big, 'v', sizeof(big));
  CHECK_RET("size/64k-ok", kset("f", "user.big", big, 65536, 0), 0);
  CHECK_RET("size/e2big-past-64k", kset("f", "user.big2", big, 65537, 0), -E2BIG);
  static char out[1 << 20];
  CHECK_RET("size/get-64k", kget("f", "user.big", out, sizeof(out)), 65536);
  CHECK_RET("size/get-huge-buffer-small-value", kget("f", "user.a", out, 1 << 20), 3);

  /* by descriptor */
  int fd = open("f", O_RDONLY);
  CHECK_RET("fset/read-only-descriptor", raw5(SYS_fsetxattr, fd, "user.fd", "1", 1, 0), 0);
  CHECK_RET("fget", raw4(SYS_fgetxattr, fd, "user.fd", buf, sizeof(buf)), 1);
  CHECK("flist", (n = raw3(SYS_flistxattr, fd, list, sizeof(list))) > 0 && listed(list, n, "user.fd"));
  CHECK_RET("fremove", raw2(SYS_fremovexattr, fd, "user.fd"), 0);
  close(fd);
  CHECK_RET("fget/ebadf", raw4(SYS_fgetxattr, 999, "user.fd", buf, sizeof(buf)), -EBADF);
  int pfd = open("f", O_PATH);
  CHECK_RET("fget/ebadf-o-path", raw4(SYS_fgetxattr, pfd, "user.a", buf, sizeof(buf)), -EBADF);
  close(pfd);

  /* directories yes; symlinks, pipes: not in user. */
  mkdir("d", 0700);
  CHECK_RET("dir/set", kset("d", "user.d", "1", 1, 0), 0);
  CHECK_RET("dir/get", kget("d", "user.d", buf, sizeof(buf)), 1);
  symlink("f", "l");
  CHECK_RET("symlink/lset-eperm", klset("l", "user.x", "1", 1, 0), -EPERM);
  CHECK_RET("symlink/lget-enodata", klget("l", "user.a", buf, sizeof(buf)), -ENODATA);
  CHECK_RET("symlink/set-follows", kset("l", "user.via", "1", 1, 0), 0);
  CHECK_RET("symlink/target-has-it", kget("f", "user.via", buf, sizeof(buf)), 1);
  int p[2];
  pipe(p);
  CHECK_RET("pipe/fset-eperm", raw5(SYS_fsetxattr, p[0], "user.x", "1", 1, 0), -EPERM);
  CHECK_RET("pipe/fget-enodata", raw4(SYS_fgetxattr, p[0], "user.x", buf, sizeof(buf)), -ENODATA);
  close(p[0]);
  close(p[1]);

  /* bad pointers */
  CHECK_RET("efault/name", kset("f", BAD_PTR, "x", 1, 0), -EFAULT);
  CHECK_RET("efault/value", kset("f", "user.e", BAD_PTR, 4, 0), -EFAULT);
  CHECK_RET("efault/get-buffer", kget("f", "user.a", BAD_PTR, 16), -EFAULT);
  CHECK_RET("efault/path", kset(BAD_PTR, "user.e", "x", 1, 0), -EFAULT);
  CHECK_RET("enoent", kset("no-such-file", "user.e", "x", 1, 0), -ENOENT);

  /* ctime moves; attributes follow a rename */
  struct stat s1, s2;
  stat("f", &s1);
  msleep(20);
  kset("f", "user.t", "1", 1, 0);
  stat("f", &s2);
  CHECK("ctime-changes", s2.st_ctim.tv_sec > s1.st_ctim.tv_sec ||
                             (s2.st_ctim.tv_sec == s1.st_ctim.tv_sec && s2.st_ctim.tv_nsec > s1.st_ctim.tv_nsec));
  rename("f", "g");
  CHECK_RET("follows-rename", kget("g", "user.a", buf, sizeof(buf)), 3);

  /* a list past 64 KiB */
  close(open("many", O_CREAT | O_WRONLY, 0600));
  char nm[260];
  int ok = 1;
  for (int i = 0; i < 300 && ok; i++) {
    snprintf(nm, sizeof(nm), "user.%03d%0240d", i, 0);
    ok = kset("many", nm, "v", 1, 0) == 0;
  }
  need = klist("many", NULL, 0);
  CHECKF("list/past-64k-size-query", ok && need > 65536, "set ok %d, %ld", ok, need);
  static char biglist[70000];
  CHECK_RET("list/e2big-past-64k", klist("many", biglist, sizeof(biglist)), -E2BIG);
  unlink("many");
  unlink("g");
  unlink("l");
  rmdir("d");
}

static void test_other_ns(void)
{
  close(open("t", O_CREAT | O_WRONLY | O_TRUNC, 0600));
  char buf[64];
  CHECK_RET("security/set", kset("t", "security.kite", "s", 1, 0), 0);
  CHECK_RET("security/get", kget("t", "security.kite", buf, sizeof(buf)), 1);
  CHECK_RET("security/remove", krm("t", "security.kite"), 0);
  if (!trusted_ok) {
    abi_line("SKIP: %s/trusted (needs CAP_SYS_ADMIN in the initial user namespace)", abi_family);
  } else {
    CHECK_RET("trusted/set", kset("t", "trusted.kite", "tt", 2, 0), 0);
    CHECK_RET("trusted/get", kget("t", "trusted.kite", buf, sizeof(buf)), 2);
    char list[256];
    long n = klist("t", list, sizeof(list));
    CHECK("trusted/listed", n > 0 && listed(list, n, "trusted.kite"));
    symlink("t", "tl");
    CHECK_RET("trusted/on-a-symlink", klset("tl", "trusted.l", "1", 1, 0), 0);
    CHECK_RET("trusted/on-a-symlink-get", klget("tl", "trusted.l", buf, sizeof(buf)), 1);
    unlink("tl");
  }
  unlink("t");

  /* a file system without extended attributes */
  CHECK_RET("procfs/get-eopnotsupp", kget("/proc/self/status", "user.x", buf, sizeof(buf)), -EOPNOTSUPP);
  CHECK_RET("procfs/set-eopnotsupp", kset("/proc/self/status", "user.x", "1", 1, 0), -EOPNOTSUPP);
  CHECK_RET("procfs/list-empty", klist("/proc/self/status", buf, sizeof(buf)), 0);
}

/* On Kite, the memory of attributes comes back with the files. */
static void test_leak(void)
{
  if (skip_user("leak"))
    return;
  long before = free_settled_kb();
  static char val[2000];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 50; i++) {
      char name[32];
      snprintf(name, sizeof(name), "leak%d", i);
      close(open(name, O_CREAT | O_WRONLY, 0600));
      for (int k = 0; k < 10; k++) {
        char an[32];
        snprintf(an, sizeof(an), "user.k%d", k);
        kset(name, an, val, sizeof(val), 0);
      }
      unlink(name);
    }
  }
  check_no_leak("no-leak", before);
}

int main(void)
{
  abi_family = "xattr";
  setvbuf(stdout, NULL, _IONBF, 0);
  probe_fs();
  run_section("user", test_user, 60000);
  run_section("namespaces", test_other_ns, 30000);
  run_section("leak", test_leak, 60000);
  return abi_done();
}
