/*
 * mountapi.c — the new mount API (testsuite/abi): fsopen, fsconfig,
 * fsmount and move_mount making a tmpfs mount (options, superblock flags,
 * mount attributes, the detached mount reached through its descriptor,
 * the phases: EBUSY after create and after mount), fspick reconfiguring
 * it read-only and back, open_tree (O_PATH and OPEN_TREE_CLONE copies
 * attached elsewhere), mount_setattr on a detached copy and on a mounted
 * one (statvfs flags, atime rules), and the errors of each in Linux's
 * order. Kite and the reference Linux; under qemu-user (which has no
 * fsopen) it says SKIP. User space; static musl.
 */
#include "check.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>

#ifndef SYS_fsopen
#define SYS_open_tree 428
#define SYS_move_mount 429
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#define SYS_fspick 433
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

#define K_FSCONFIG_SET_FLAG 0
#define K_FSCONFIG_SET_STRING 1
#define K_FSCONFIG_SET_PATH 3
#define K_FSCONFIG_SET_FD 5
#define K_FSCONFIG_CMD_CREATE 6
#define K_FSCONFIG_CMD_RECONFIGURE 7
#define K_MOVE_MOUNT_F_EMPTY_PATH 4
#define K_OPEN_TREE_CLONE 1
#define K_AT_RECURSIVE 0x8000
#define K_MOUNT_ATTR_RDONLY 0x1
#define K_MOUNT_ATTR_NOSUID 0x2
#define K_MOUNT_ATTR_NOEXEC 0x8
#define K_MOUNT_ATTR__ATIME 0x70
#define K_MOUNT_ATTR_NOATIME 0x10
#define K_MOUNT_ATTR_NODIRATIME 0x80
#define K_ST_NOSYMFOLLOW 0x2000
#define TMPFS_MAGIC_K 0x01021994

struct k_mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static char dir_a[256], dir_b[256];

static long fsconfig(int fd, int cmd, const char *key, const void *val, int aux)
{
  return raw5(SYS_fsconfig, fd, cmd, (long)key, (long)val, aux);
}

static long move_from_fd(int fd, const char *to)
{
  return raw5(SYS_move_mount, fd, (long)"", AT_FDCWD, (long)to, K_MOVE_MOUNT_F_EMPTY_PATH);
}

static unsigned long vfs_flags(const char *path)
{
  struct statvfs sv;
  return statvfs(path, &sv) == 0 ? sv.f_flag : ~0ul;
}

/* A tmpfs configuration with a source and created: the descriptor, or -errno. */
static long created_tmpfs(void)
{
  long fd = raw2(SYS_fsopen, (long)"tmpfs", 0);
  if (fd < 0)
    return fd;
  long r = fsconfig(fd, K_FSCONFIG_SET_STRING, "source", "abi-mountapi", 0);
  if (!r)
    r = fsconfig(fd, K_FSCONFIG_SET_STRING, "size", "1m", 0);
  if (!r)
    r = fsconfig(fd, K_FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  if (r) {
    close(fd);
    return r;
  }
  return fd;
}

static void errors(void)
{
  CHECK_RET("fsopen/bad-flags", raw2(SYS_fsopen, (long)"tmpfs", 2), -EINVAL);
  CHECK_RET("fsopen/unknown-type", raw2(SYS_fsopen, (long)"no-such-fs", 0), -ENODEV);
  CHECK_RET("fsopen/bad-pointer", raw2(SYS_fsopen, 0, 0), -EFAULT);
  long fd = raw2(SYS_fsopen, (long)"tmpfs", 1 /* FSOPEN_CLOEXEC */);
  CHECKF("fsopen/cloexec", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "%ld", fd);
  char c;
  CHECK_RET("fsopen/read-no-messages", raw3(SYS_read, fd, &c, 1), -ENODATA);
  CHECK_RET("fsconfig/negative-fd", fsconfig(-1, K_FSCONFIG_SET_FLAG, "ro", NULL, 0), -EINVAL);
  CHECK_RET("fsconfig/unknown-cmd", fsconfig(fd, 99, NULL, NULL, 0), -EOPNOTSUPP);
  CHECK_RET("fsconfig/closed-fd", fsconfig(999, K_FSCONFIG_SET_FLAG, "ro", NULL, 0), -EBADF);
  int pfd[2];
  pipe(pfd);
  CHECK_RET("fsconfig/not-a-context", fsconfig(pfd[0], K_FSCONFIG_SET_FLAG, "ro", NULL, 0), -EINVAL);
  close(pfd[0]);
  close(pfd[1]);
  CHECK_RET("fsconfig/flag-with-value", fsconfig(fd, K_FSCONFIG_SET_FLAG, "ro", "x", 0), -EINVAL);
  CHECK_RET("fsconfig/string-without-value", fsconfig(fd, K_FSCONFIG_SET_STRING, "size", NULL, 0),
            -EINVAL);
  CHECK_RET("fsconfig/create-with-key", fsconfig(fd, K_FSCONFIG_CMD_CREATE, "x", NULL, 0), -EINVAL);
  CHECK_RET("fsconfig/fd-bad", fsconfig(fd, K_FSCONFIG_SET_FD, "sync", NULL, 999), -EBADF);
  CHECK_RET("fsconfig/sync-as-path", fsconfig(fd, K_FSCONFIG_SET_PATH, "sync", "/", AT_FDCWD), 0);
  CHECK_RET("fsconfig/sync-as-fd", fsconfig(fd, K_FSCONFIG_SET_FD, "sync", NULL, 0), 0);
  CHECK_RET("fsconfig/source-as-flag", fsconfig(fd, K_FSCONFIG_SET_FLAG, "source", NULL, 0), -EINVAL);
  CHECK_RET("fsconfig/source", fsconfig(fd, K_FSCONFIG_SET_STRING, "source", "a", 0), 0);
  CHECK_RET("fsconfig/second-source", fsconfig(fd, K_FSCONFIG_SET_STRING, "source", "b", 0), -EINVAL);
  CHECK_RET("fsconfig/reconfigure-before-create",
            fsconfig(fd, K_FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), -EBUSY);
  CHECK_RET("fsmount/not-created", raw3(SYS_fsmount, fd, 0, 0), -EINVAL);
  CHECK_RET("fsmount/bad-flags", raw3(SYS_fsmount, fd, 2, 0), -EINVAL);
  CHECK_RET("fsmount/bad-attrs", raw3(SYS_fsmount, fd, 0, 0x100), -EINVAL);
  CHECK_RET("fsmount/bad-atime", raw3(SYS_fsmount, fd, 0, 0x30), -EINVAL);
  CHECK_RET("fsmount/bad-fd", raw3(SYS_fsmount, -1, 0, 0), -EBADF);
  close(fd);
  CHECK_RET("fspick/bad-flags", raw3(SYS_fspick, AT_FDCWD, (long)"/", 0x10), -EINVAL);
  CHECK_RET("fspick/bad-dirfd", raw3(SYS_fspick, -1, (long)"x", 0), -EBADF);
  CHECK_RET("fspick/no-such-path", raw3(SYS_fspick, AT_FDCWD, (long)"/no/such", 0), -ENOENT);
  CHECK_RET("fspick/not-a-mount-root", raw3(SYS_fspick, AT_FDCWD, (long)dir_a, 0), -EINVAL);
  CHECK_RET("open_tree/bad-flags", raw3(SYS_open_tree, AT_FDCWD, (long)"/", 0xFFFFFFFF), -EINVAL);
  CHECK_RET("open_tree/recursive-without-clone",
            raw3(SYS_open_tree, AT_FDCWD, (long)"/", K_AT_RECURSIVE), -EINVAL);
  CHECK_RET("open_tree/bad-dirfd", raw3(SYS_open_tree, -1, (long)"x", K_OPEN_TREE_CLONE), -EBADF);
  CHECK_RET("move_mount/bad-flags", raw5(SYS_move_mount, AT_FDCWD, (long)"/", AT_FDCWD, (long)"/", 8),
            -EINVAL);
  CHECK_RET("move_mount/not-a-mount-root",
            raw5(SYS_move_mount, AT_FDCWD, (long)dir_a, AT_FDCWD, (long)dir_b, 0), -EINVAL);
  struct k_mount_attr a = { K_MOUNT_ATTR_RDONLY, 0, 0, 0 };
  CHECK_RET("mount_setattr/small", raw5(SYS_mount_setattr, AT_FDCWD, (long)"/", 0, (long)&a, 24),
            -EINVAL);
  CHECK_RET("mount_setattr/huge", raw5(SYS_mount_setattr, AT_FDCWD, (long)"/", 0, (long)&a, 8192),
            -E2BIG);
  CHECK_RET("mount_setattr/bad-flags",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)"/", 1, (long)&a, sizeof(a)), -EINVAL);
  struct k_mount_attr nop = { 0, 0, 0, 0 };
  CHECK_RET("mount_setattr/nothing-to-do-no-lookup",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)"/no/such", 0, (long)&nop, sizeof(nop)), 0);
  struct k_mount_attr at = { K_MOUNT_ATTR_NOATIME, 0, 0, 0 };
  CHECK_RET("mount_setattr/atime-without-clear",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)"/", 0, (long)&at, sizeof(at)), -EINVAL);
  struct k_mount_attr part = { K_MOUNT_ATTR_NOATIME, K_MOUNT_ATTR_NOATIME, 0, 0 };
  CHECK_RET("mount_setattr/atime-partly-cleared",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)"/", 0, (long)&part, sizeof(part)), -EINVAL);
  struct k_mount_attr unk = { 0x40000000, 0, 0, 0 };
  CHECK_RET("mount_setattr/unknown-attr",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)"/", 0, (long)&unk, sizeof(unk)), -EINVAL);
  CHECK_RET("mount_setattr/not-a-mount-root",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)dir_a, 0, (long)&a, sizeof(a)), -EINVAL);
}

/* fsopen .. move_mount: a tmpfs with options and attributes. */
static void new_mount(void)
{
  long fd = created_tmpfs();
  CHECKF("create/tmpfs", fd >= 0, "%ld", fd);
  if (fd < 0)
    return;
  CHECK_RET("create/again-busy", fsconfig(fd, K_FSCONFIG_CMD_CREATE, NULL, NULL, 0), -EBUSY);
  CHECK_RET("create/param-after-create-busy",
            fsconfig(fd, K_FSCONFIG_SET_STRING, "size", "2m", 0), -EBUSY);
  long mfd = raw3(SYS_fsmount, fd, 1 /* FSMOUNT_CLOEXEC */,
                  K_MOUNT_ATTR_NOEXEC | K_MOUNT_ATTR_NOSUID | K_MOUNT_ATTR_NODIRATIME);
  CHECKF("fsmount/ok", mfd >= 0 && (fcntl(mfd, F_GETFD) & FD_CLOEXEC), "%ld", mfd);
  CHECK_RET("fsmount/twice-busy", raw3(SYS_fsmount, fd, 0, 0), -EBUSY);
  if (mfd < 0) {
    close(fd);
    return;
  }
  struct statfs sf;
  CHECK("fsmount/fd-is-tmpfs", fstatfs(mfd, &sf) == 0 && sf.f_type == TMPFS_MAGIC_K &&
                                   sf.f_blocks * sf.f_bsize == 1 << 20);
  char c;
  CHECK_RET("fsmount/fd-is-o-path", raw3(SYS_read, mfd, &c, 1), -EBADF);
  int f = openat(mfd, "made-detached", O_CREAT | O_WRONLY, 0644);
  CHECKF("fsmount/create-in-detached", f >= 0, "%s", strerror(errno));
  close(f);
  CHECK_RET("move_mount/onto-itself", raw5(SYS_move_mount, mfd, (long)"", mfd, (long)"", 0x44),
            -EINVAL);
  CHECK_RET("move_mount/attach", move_from_fd(mfd, dir_a), 0);
  char p[300];
  snprintf(p, sizeof(p), "%s/made-detached", dir_a);
  CHECK("move_mount/file-visible", access(p, F_OK) == 0);
  unsigned long fl = vfs_flags(dir_a);
  CHECKF("fsmount/attrs-in-statvfs",
         (fl & (ST_NOEXEC | ST_NOSUID | ST_NODIRATIME)) == (ST_NOEXEC | ST_NOSUID | ST_NODIRATIME) &&
             !(fl & ST_RDONLY), "f_flag %#lx", fl);
  CHECK_RET("move_mount/attached-again-fd", move_from_fd(mfd, dir_b), 0);  /* now an ordinary move */
  CHECK("move_mount/moved", access(p, F_OK) != 0);
  close(mfd);
  snprintf(p, sizeof(p), "%s/made-detached", dir_b);
  CHECK("move_mount/survives-close", access(p, F_OK) == 0);
  /* fspick: read-only and back */
  long pk = raw3(SYS_fspick, AT_FDCWD, (long)dir_b, 1);
  CHECKF("fspick/ok", pk >= 0, "%ld", pk);
  CHECK_RET("fspick/sync-string", fsconfig(pk, K_FSCONFIG_SET_STRING, "sync", "false", 0), 0);
  CHECK_RET("fspick/ro", fsconfig(pk, K_FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
  CHECK_RET("fspick/create-busy", fsconfig(pk, K_FSCONFIG_CMD_CREATE, NULL, NULL, 0), -EBUSY);
  CHECK_RET("fspick/reconfigure", fsconfig(pk, K_FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), 0);
  CHECK("fspick/statvfs-ro", vfs_flags(dir_b) & ST_RDONLY);
  snprintf(p, sizeof(p), "%s/new", dir_b);
  CHECK_RET("fspick/ro-refuses-create", raw4(SYS_openat, AT_FDCWD, (long)p, O_CREAT | O_WRONLY, 0644),
            -EROFS);
  CHECK_RET("fspick/rw", fsconfig(pk, K_FSCONFIG_SET_FLAG, "rw", NULL, 0), 0);
  CHECK_RET("fspick/reconfigure-rw", fsconfig(pk, K_FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), 0);
  f = open(p, O_CREAT | O_WRONLY, 0644);
  CHECK("fspick/rw-creates", f >= 0);
  close(f);
  close(pk);
  CHECK_RET("fsmount/after-fspick-fsmount-busy", raw3(SYS_fsmount, fd, 0, 0), -EBUSY);
  close(fd);
  CHECK_RET("umount", umount2(dir_b, 0), 0);
  CHECK("umount/gone", access(p, F_OK) != 0);
  /* a mount never attached goes with its descriptor */
  fd = created_tmpfs();
  mfd = fd >= 0 ? raw3(SYS_fsmount, fd, 0, 0) : fd;
  close(fd);
  CHECKF("fsmount/dropped-unattached", mfd >= 0 && close(mfd) == 0, "%ld", mfd);
}

/* open_tree and mount_setattr over a tmpfs mounted at dir_a. */
static void trees(void)
{
  CHECK_RET("tree/mount", mount("abi-tree", dir_a, "tmpfs", 0, "size=1m"), 0);
  char p[300];
  snprintf(p, sizeof(p), "%s/file", dir_a);
  close(open(p, O_CREAT | O_WRONLY, 0644));
  long o = raw3(SYS_open_tree, AT_FDCWD, (long)dir_a, O_CLOEXEC);
  struct stat st;
  CHECKF("open_tree/o-path", o >= 0 && fstat(o, &st) == 0 && S_ISDIR(st.st_mode) &&
                                 raw3(SYS_read, o, p, 1) == -EBADF, "%ld", o);
  close(o);
  long c = raw3(SYS_open_tree, AT_FDCWD, (long)dir_a, K_OPEN_TREE_CLONE | O_CLOEXEC);
  CHECKF("open_tree/clone", c >= 0, "%ld", c);
  struct k_mount_attr a = { K_MOUNT_ATTR_RDONLY, 0, 0, 0 };
  CHECK_RET("mount_setattr/detached",
            raw5(SYS_mount_setattr, c, (long)"", AT_EMPTY_PATH, (long)&a, sizeof(a)), 0);
  CHECK_RET("open_tree/attach-clone", move_from_fd(c, dir_b), 0);
  close(c);
  snprintf(p, sizeof(p), "%s/file", dir_b);
  CHECK("open_tree/clone-shows-files", access(p, F_OK) == 0);
  CHECK("mount_setattr/clone-ro", vfs_flags(dir_b) & ST_RDONLY);
  CHECK("mount_setattr/original-rw", !(vfs_flags(dir_a) & ST_RDONLY));
  snprintf(p, sizeof(p), "%s/new", dir_a);
  int f = open(p, O_CREAT | O_WRONLY, 0644);
  CHECK("open_tree/original-writable", f >= 0);
  close(f);
  snprintf(p, sizeof(p), "%s/new", dir_b);
  CHECK("open_tree/same-files", access(p, F_OK) == 0);
  struct k_mount_attr b = { K_MOUNT_ATTR_NOATIME, K_MOUNT_ATTR_RDONLY | K_MOUNT_ATTR__ATIME, 0, 0 };
  CHECK_RET("mount_setattr/by-path",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)dir_b, 0, (long)&b, sizeof(b)), 0);
  unsigned long fl = vfs_flags(dir_b);
  CHECKF("mount_setattr/rw-noatime", !(fl & ST_RDONLY) && (fl & ST_NOATIME), "f_flag %#lx", fl);
  struct k_mount_attr s = { 0x200000 /* NOSYMFOLLOW */, 0, 0, 0 };
  CHECK_RET("mount_setattr/nosymfollow",
            raw5(SYS_mount_setattr, AT_FDCWD, (long)dir_b, 0, (long)&s, sizeof(s)), 0);
  CHECK("mount_setattr/nosymfollow-statvfs", vfs_flags(dir_b) & K_ST_NOSYMFOLLOW);
  CHECK_RET("tree/umount-clone", umount2(dir_b, 0), 0);
  CHECK_RET("tree/umount", umount2(dir_a, 0), 0);
}

int main(void)
{
  abi_family = "mountapi";
  setvbuf(stdout, NULL, _IONBF, 0);
  long fd = raw2(SYS_fsopen, (long)"tmpfs", 0);
  if (fd == -ENOSYS && on_qemu_user()) {
    abi_line("SKIP: mountapi/all (qemu-user: QEMU 7.2's linux-user has no fsopen)");
    return 0;
  }
  if (fd >= 0)
    close(fd);
  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  snprintf(dir_a, sizeof(dir_a), "%s/mountapi.a", tmp);
  snprintf(dir_b, sizeof(dir_b), "%s/mountapi.b", tmp);
  mkdir(dir_a, 0755);
  mkdir(dir_b, 0755);
  run_section("errors", errors, 30000);
  run_section("new-mount", new_mount, 30000);
  run_section("trees", trees, 30000);
  rmdir(dir_a);
  rmdir(dir_b);
  return abi_done();
}
