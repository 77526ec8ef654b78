/*
 * usernsmnt.c — mounts inside a user namespace (testsuite/abi;
 * docs/namespaces.md, "User namespaces", and docs/vfs.md). A process of
 * uid 1000 that makes a user and a mount namespace may mount the file
 * systems Linux marks FS_USERNS_MOUNT (tmpfs, ramfs; proc in a PID
 * namespace of its own, mqueue in an IPC namespace of its own) but not
 * the others (devtmpfs, sysfs without a network namespace); the mounts
 * its copy of the tree got from the initial namespace are locked: not
 * unmounted, moved, bound without what is below them, nor their
 * read-only or nosuid flags cleared, nor their file system remounted; a
 * proc mount may show no more than the (read-only) /proc it can see; a
 * device file on a file system the namespace owns does not open; a shared
 * mount's copy is a slave, which receives the outer side's mounts with
 * all but their top locked and sends nothing back; its own mounts are
 * locked in turn in a namespace it makes again.
 * User space; runs on Kite and on the reference Linux (qemu-user would
 * pass the calls to the host: skipped).
 */
#include "check.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>

#define K_CLONE_NEWUSER 0x10000000
#define K_CLONE_NEWNS 0x00020000
#define K_CLONE_NEWPID 0x20000000
#define K_CLONE_NEWIPC 0x08000000
#define K_SYS_mount_setattr 442
#define K_MOUNT_ATTR_RDONLY 0x1
#define UNPRIV 1000
#define BASE "/tmp/usernsmnt"

struct k_mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static long mnt(const char *src, const char *dst, const char *type, unsigned long fl, const void *data)
{
  return mount(src, dst, type, fl, data) ? -errno : 0;
}

static long umnt(const char *dst, int flags)
{
  return umount2(dst, flags) ? -errno : 0;
}

static long create(const char *path)
{
  int fd = open(path, O_CREAT | O_WRONLY, 0644);
  if (fd < 0)
    return -errno;
  close(fd);
  return 0;
}

static int write_file(const char *path, const char *s)
{
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -errno;
  int r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
  close(fd);
  return r;
}

/* One byte through a pipe: true if it came. */
static int recv1(int fd)
{
  char c;
  return read(fd, &c, 1) == 1;
}

static void send1(int fd)
{
  (void)!write(fd, "x", 1);
}

static int reap_status(pid_t p)
{
  int st = 0;
  if (waitpid(p, &st, 0) != p)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- in the container: uid 1000, root of its user and mount namespaces ---- */

/* Pid 1 of a PID namespace the container made: proc, no more revealing
 * than the read-only /proc the container sees. */
static int proc_init(void)
{
  abi_family = "usernsmnt/pidns";
  abi_failures = 0;
  CHECK_RET("proc-rw-too-revealing-eperm", mnt("proc", BASE "/x", "proc", 0, NULL), -EPERM);
  CHECK_RET("proc-ro", mnt("proc", BASE "/x", "proc", MS_RDONLY, NULL), 0);
  char buf[32] = "";
  ssize_t n = readlink(BASE "/x/self", buf, sizeof(buf) - 1);
  CHECKF("proc-self-1", n == 1 && buf[0] == '1', "self -> %s", n > 0 ? buf : "?");
  CHECK_RET("proc-rw-remount-eperm", mnt(NULL, BASE "/x", NULL, MS_REMOUNT | MS_BIND, NULL), -EPERM);
  CHECK_RET("proc-umount", umnt(BASE "/x", 0), 0);
  return abi_failures ? 1 : 0;
}

/* A namespace the container makes for itself again: its own mounts are
 * locked there. */
static int nested(void)
{
  abi_family = "usernsmnt/nested";
  abi_failures = 0;
  if (raw1(SYS_unshare, K_CLONE_NEWUSER | K_CLONE_NEWNS))
    return 3;
  CHECK_RET("nested-umount-own-copy-einval", umnt(BASE "/x", 0), -EINVAL);
  CHECK_RET("nested-umount-lazy-einval", umnt(BASE "/x", MNT_DETACH), -EINVAL);
  return abi_failures ? 1 : 0;
}

static void container(int up, int down)
{
  abi_family = "usernsmnt";
  abi_failures = 0;
  if (raw3(SYS_setresgid, UNPRIV, UNPRIV, UNPRIV) || raw3(SYS_setresuid, UNPRIV, UNPRIV, UNPRIV))
    _exit(3);
  CHECK_RET("unpriv-mount-eperm", mnt("none", BASE "/x", "tmpfs", 0, NULL), -EPERM);
  if (raw1(SYS_unshare, K_CLONE_NEWUSER | K_CLONE_NEWNS))
    _exit(4);
  send1(up);                            /* the parent writes the maps */
  if (!recv1(down))
    _exit(5);
  CHECK_RET("euid-0", geteuid(), 0);
  /* file systems a user namespace may mount, and others */
  CHECK_RET("tmpfs", mnt("none", BASE "/x", "tmpfs", 0, NULL), 0);
  struct stat st;
  CHECK("tmpfs-root-ours", stat(BASE "/x", &st) == 0 && st.st_uid == 0);
  CHECK_RET("tmpfs-create", create(BASE "/x/f"), 0);
  CHECK_RET("tmpfs-umount", umnt(BASE "/x", 0), 0);
  CHECK_RET("ramfs", mnt("none", BASE "/x", "ramfs", 0, NULL), 0);
  CHECK_RET("ramfs-umount", umnt(BASE "/x", 0), 0);
  CHECK_RET("tmpfs-uid-unmapped-einval", mnt("none", BASE "/x", "tmpfs", 0, "uid=5"), -EINVAL);
  CHECK_RET("devtmpfs-eperm", mnt("none", BASE "/x", "devtmpfs", 0, NULL), -EPERM);
  CHECK_RET("sysfs-eperm", mnt("none", BASE "/x", "sysfs", 0, NULL), -EPERM);
  CHECK_RET("proc-outer-pidns-eperm", mnt("proc", BASE "/x", "proc", 0, NULL), -EPERM);
  CHECK_RET("mqueue-outer-ipcns-eperm", mnt("mqueue", BASE "/x", "mqueue", 0, NULL), -EPERM);
  /* the mounts copied from the initial namespace are locked */
  CHECK_RET("umount-copy-einval", umnt(BASE "/ro", 0), -EINVAL);
  CHECK_RET("umount-copy-lazy-einval", umnt(BASE "/ro", MNT_DETACH), -EINVAL);
  CHECK_RET("umount-base-einval", umnt(BASE, MNT_DETACH), -EINVAL);
  CHECK_RET("remount-clear-ro-eperm", mnt(NULL, BASE "/ro", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID, NULL), -EPERM);
  CHECK_RET("remount-clear-nosuid-eperm", mnt(NULL, BASE "/ro", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL),
            -EPERM);
  CHECK_RET("remount-bind-add-noexec",
            mnt(NULL, BASE "/ro", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL), 0);
  CHECK_RET("remount-sb-eperm", mnt(NULL, BASE "/ro", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL),
            -EPERM);
  CHECK_RET("ro-erofs", create(BASE "/ro/f"), -EROFS);
  struct k_mount_attr a = { 0, K_MOUNT_ATTR_RDONLY, 0, 0 };
  CHECK_RET("setattr-clear-ro-eperm", raw5(K_SYS_mount_setattr, AT_FDCWD, BASE "/ro", 0, &a, sizeof(a)), -EPERM);
  CHECK_RET("move-copy-einval", mnt(BASE "/ro", BASE "/x", NULL, MS_MOVE, NULL), -EINVAL);
  CHECK_RET("bind-hiding-einval", mnt(BASE, BASE "/x", NULL, MS_BIND, NULL), -EINVAL);
  CHECK_RET("rbind", mnt(BASE, BASE "/x", NULL, MS_BIND | MS_REC, NULL), 0);
  CHECK_RET("rbind-still-covered", access(BASE "/x/cover/hidden", F_OK) ? -errno : 0, -ENOENT);
  CHECK_RET("rbind-child-locked-einval", umnt(BASE "/x/cover", 0), -EINVAL);
  CHECK_RET("rbind-umount-lazy", umnt(BASE "/x", MNT_DETACH), 0);
  CHECK_RET("bind-ro", mnt(BASE "/ro", BASE "/x", NULL, MS_BIND, NULL), 0);
  CHECK_RET("bind-ro-erofs", create(BASE "/x/f"), -EROFS);
  CHECK_RET("bind-ro-clear-eperm", mnt(NULL, BASE "/x", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL),
            -EPERM);
  CHECK_RET("bind-ro-umount", umnt(BASE "/x", 0), 0);
  /* a device file on a file system the namespace owns does not open */
  CHECK_RET("tmpfs-for-dev", mnt("none", BASE "/y", "tmpfs", 0, NULL), 0);
  send1(up);                            /* the parent makes y/null */
  if (!recv1(down))
    _exit(6);
  CHECK("dev-made", stat(BASE "/y/null", &st) == 0 && S_ISCHR(st.st_mode));
  int fd = open(BASE "/y/null", O_RDWR);
  CHECK_RET("dev-on-own-fs-eacces", fd >= 0 ? 0 : -errno, -EACCES);
  if (fd >= 0)
    close(fd);
  fd = open("/dev/null", O_RDWR);
  CHECK_RET("dev-outer-opens", fd >= 0 ? 0 : -errno, 0);
  if (fd >= 0)
    close(fd);
  /* a tree the outer namespace mounts reaches this slave copy of BASE
   * with all but its top locked */
  send1(up);
  if (!recv1(down))
    _exit(7);
  CHECK_RET("propagated-here", access(BASE "/z/in/mark", F_OK) ? -errno : 0, 0);
  CHECK_RET("propagated-child-locked-einval", umnt(BASE "/z/in", 0), -EINVAL);
  CHECK_RET("propagated-top-lazy", umnt(BASE "/z", MNT_DETACH), 0);
  CHECK_RET("own-mount-not-sent-back", mnt("none", BASE "/x", "tmpfs", 0, NULL), 0);
  send1(up);                            /* the outer side looks at x */
  if (!recv1(down))
    _exit(8);
  CHECK_RET("own-mount-umount", umnt(BASE "/x", 0), 0);
  /* mqueue in an IPC namespace of its own */
  CHECK_RET("unshare-ipc", raw1(SYS_unshare, K_CLONE_NEWIPC), 0);
  CHECK_RET("mqueue-own-ipcns", mnt("mqueue", BASE "/x", "mqueue", 0, NULL), 0);
  CHECK_RET("mqueue-umount", umnt(BASE "/x", 0), 0);
  /* proc in a PID namespace of its own */
  CHECK_RET("unshare-pid", raw1(SYS_unshare, K_CLONE_NEWPID), 0);
  pid_t init = fork();
  if (init == 0)
    _exit(proc_init());
  CHECK_RET("pidns-init-exit", reap_status(init), 0);
  /* its own mounts are locked in a namespace it makes */
  CHECK_RET("tmpfs-again", mnt("none", BASE "/x", "tmpfs", 0, NULL), 0);
  pid_t n = fork();
  if (n == 0)
    _exit(nested());
  CHECK_RET("nested-exit", reap_status(n), 0);
  CHECK_RET("umount-own-still", umnt(BASE "/x", 0), 0);
  _exit(abi_failures ? 1 : 0);
}

/* ---- the root side: a mount namespace of its own, then the container ---- */

static void setup_and_run(void)
{
  if (raw1(SYS_unshare, K_CLONE_NEWNS) || mnt(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
    _exit(10);
  mkdir(BASE, 0755);
  if (mnt("none", BASE, "tmpfs", 0, "mode=0755"))
    _exit(11);
  mkdir(BASE "/x", 0755);
  mkdir(BASE "/y", 0755);
  mkdir(BASE "/ro", 0755);
  mkdir(BASE "/cover", 0755);
  mkdir(BASE "/z", 0755);
  if (create(BASE "/cover/hidden") || mnt("none", BASE "/ro", "tmpfs", MS_RDONLY | MS_NOSUID, NULL) ||
      mnt("none", BASE "/cover", "tmpfs", 0, NULL))
    _exit(12);
  /* BASE shared: the container's copy becomes its slave */
  if (mnt(NULL, BASE, NULL, MS_SHARED, NULL))
    _exit(15);
  /* a read-only /proc: what the container sees, and so what its own proc
   * mounts may show at most */
  if (mnt(NULL, "/proc", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
    _exit(13);
  int up[2], down[2];
  if (pipe(up) || pipe(down))
    _exit(14);
  pid_t c = fork();
  if (c == 0) {
    close(up[0]);
    close(down[1]);
    container(up[1], down[0]);
  }
  close(up[1]);
  close(down[0]);
  /* the maps, written by root of the initial namespace (through the
   * outer /proc: this namespace's is read-only); root is mapped too (as
   * the container's 1), so that root can make a file in the container's
   * tmpfs (Linux: EOVERFLOW for an owner the file system cannot name) */
  if (recv1(up[0])) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root/proc/%d/uid_map", (int)getppid(), (int)c);
    int r = write_file(path, "0 1000 1\n1 0 1\n");
    snprintf(path, sizeof(path), "/proc/%d/root/proc/%d/gid_map", (int)getppid(), (int)c);
    if (!r)
      r = write_file(path, "0 1000 1\n1 0 1\n");
    CHECK_RET("maps", r, 0);
    send1(down[1]);
  }
  if (recv1(up[0])) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root" BASE "/y/null", (int)c);
    CHECK_RET("mknod-in-container", mknod(path, S_IFCHR | 0666, makedev(1, 3)) ? -errno : 0, 0);
    send1(down[1]);
  }
  if (recv1(up[0])) { /* a tree of two mounts, bound recursively into shared BASE */
    mkdir(BASE "-t", 0755);
    long r = mnt("none", BASE "-t", "tmpfs", 0, NULL);
    mkdir(BASE "-t/in", 0755);
    if (!r)
      r = mnt("none", BASE "-t/in", "tmpfs", 0, NULL);
    if (!r)
      r = create(BASE "-t/in/mark");
    if (!r)
      r = mnt(BASE "-t", BASE "/z", NULL, MS_BIND | MS_REC, NULL);
    CHECK_RET("outer-rbind-into-shared", r, 0);
    send1(down[1]);
  }
  if (recv1(up[0])) {
    struct stat x, base;
    CHECK("slave-sends-nothing-back",
          stat(BASE "/x", &x) == 0 && stat(BASE, &base) == 0 && x.st_dev == base.st_dev);
    send1(down[1]);
  }
  CHECK_RET("container-exit", reap_status(c), 0);
  _exit(abi_failures ? 1 : 0);
}

int main(void)
{
  abi_family = "usernsmnt";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (skip_on_qemu("all", "the host kernel's mounts; the reference Linux runs them"))
    return abi_done();
  if (access("/proc/self/ns/user", F_OK) != 0 || geteuid() != 0) {
    abi_line("SKIP: usernsmnt (no user namespaces, or not root)");
    return abi_done();
  }
  pid_t p = fork();
  if (p == 0)
    setup_and_run();
  CHECK_RET("setup-exit", reap_status(p), 0);
  return abi_done();
}
