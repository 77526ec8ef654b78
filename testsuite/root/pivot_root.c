/*
 * pivot_root.c — pivot_root(2) and mount(MS_MOVE) as Linux has them, run as
 * root on Kite and on the reference Linux (testsuite/tests/root-handover.sh).
 * Everything happens in a child chrooted into a tmpfs jail under DIR (argv[1],
 * default /tmp), so the caller's own root is never touched:
 *   DIR/jail (tmpfs)           the child's root after chroot
 *     marker-old, plain/, file
 *     new/ (tmpfs)             the new root: marker-new, old/
 *     other/ (tmpfs)           a mount outside new/
 * Checks the errors in Linux's order (ENOENT, ENOTDIR, EBUSY, EINVAL for a
 * new_root that is not a mount or a put_old not under new_root, EFAULT),
 * then a real pivot: the old root appears at /old, the new one at /, the
 * cwd follows, and the old root can be unmounted lazily. Then MS_MOVE: a
 * mount moves with what is mounted on it, a non-mount does not move
 * (EINVAL), and a mount cannot move under itself (ELOOP).
 */
#include "../abi/check.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static long piv(const char *new_root, const char *put_old)
{
  return raw2(SYS_pivot_root, new_root, put_old);
}

static int exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0;
}

static void touch(const char *p)
{
  int fd = open(p, O_CREAT | O_WRONLY, 0644);
  if (fd >= 0)
    close(fd);
}

static int jail(const char *dir)
{
  char jail[256], p[300];
  snprintf(jail, sizeof(jail), "%s/pivot-jail", dir);
  mkdir(jail, 0755);
  if (mount("jail", jail, "tmpfs", 0, NULL)) {
    abi_line("FAIL: pivot/setup (mount tmpfs on %s: errno %d)\n", jail, errno);
    return 1;
  }
  snprintf(p, sizeof(p), "%s/new", jail);
  mkdir(p, 0755);
  mount("new", p, "tmpfs", 0, NULL);
  snprintf(p, sizeof(p), "%s/new/old", jail);
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/new/marker-new", jail);
  touch(p);
  snprintf(p, sizeof(p), "%s/other", jail);
  mkdir(p, 0755);
  mount("other", p, "tmpfs", 0, NULL);
  snprintf(p, sizeof(p), "%s/plain", jail);
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/marker-old", jail);
  touch(p);
  snprintf(p, sizeof(p), "%s/file", jail);
  touch(p);
  CHECK("chroot-into-jail", chroot(jail) == 0 && chdir("/") == 0);

  CHECK_RET("missing-new-root-ENOENT", piv("/nothing", "/new/old"), -ENOENT);
  CHECK_RET("file-as-put-old-ENOTDIR", piv("/new", "/file"), -ENOTDIR);
  CHECK_RET("root-as-new-root-EBUSY", piv("/", "/new/old"), -EBUSY);
  CHECK_RET("put-old-on-root-fs-EBUSY", piv("/new", "/plain"), -EBUSY);
  CHECK_RET("new-root-on-root-fs-EBUSY", piv("/plain", "/new/old"), -EBUSY);
  CHECK_RET("new-root-not-a-mount-EINVAL", piv("/new/old", "/new/old"), -EINVAL);
  CHECK_RET("put-old-outside-new-root-EINVAL", piv("/new", "/other"), -EINVAL);
  CHECK_RET("bad-pointer-EFAULT", piv(BAD_PTR, "/new/old"), -EFAULT);

  CHECK_RET("pivot", piv("/new", "/new/old"), 0);
  char cwd[64] = "";
  CHECK("cwd-follows-to-new-root", getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
  CHECK("new-root-is-root", exists("/marker-new") && !exists("/marker-old"));
  CHECK("old-root-at-put-old", exists("/old/marker-old") && exists("/old/other"));
  CHECK("old-new-mountpoint-now-empty", exists("/old/new") && !exists("/old/new/marker-new"));
  CHECK("dotdot-stops-at-new-root", chdir("/..") == 0 && exists("marker-new"));
  CHECK_RET("umount-old-root-lazily", raw2(SYS_umount2, "/old", MNT_DETACH), 0);
  CHECK("old-root-gone", !exists("/old/marker-old"));

  /* mount --move */
  mkdir("/a", 0755);
  mkdir("/b", 0755);
  mkdir("/c", 0755);
  CHECK_RET("mount-a", mount("a", "/a", "tmpfs", 0, NULL), 0);
  mkdir("/a/sub", 0755);
  CHECK_RET("mount-a-sub", mount("asub", "/a/sub", "tmpfs", 0, NULL), 0);
  touch("/a/sub/deep");
  touch("/a/top");
  CHECK_RET("move-non-mount-EINVAL", raw5(SYS_mount, "/c", "/b", NULL, MS_MOVE, NULL), -EINVAL);
  CHECK_RET("move-under-itself-ELOOP", raw5(SYS_mount, "/a", "/a/sub", NULL, MS_MOVE, NULL), -ELOOP);
  CHECK_RET("move-a-to-b", raw5(SYS_mount, "/a", "/b", NULL, MS_MOVE, NULL), 0);
  CHECK("moved-with-submount", exists("/b/top") && exists("/b/sub/deep") && !exists("/a/top"));
  CHECK_RET("missing-source-ENOENT", raw5(SYS_mount, "/nothing", "/c", NULL, MS_MOVE, NULL), -ENOENT);
  return abi_done();
}

int main(int argc, char **argv)
{
  abi_family = "pivot";
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  pid_t pid = fork();
  if (pid == 0)
    _exit(jail(dir));
  int st = 0;
  waitpid(pid, &st, 0);
  char cwd[256] = "";
  getcwd(cwd, sizeof(cwd));
  CHECKF("parent-root-untouched", exists("/proc/self") && WIFEXITED(st), "status %#x", st);
  return abi_failures || !WIFEXITED(st) || WEXITSTATUS(st) ? 1 : 0;
}
