/*
 * userns.c — user namespaces (testsuite/abi; docs/namespaces.md, "User
 * namespaces", and docs/credentials.md): clone and unshare with
 * CLONE_NEWUSER, by root and by an unprivileged user; the overflow id
 * 65534 for what a namespace does not map; /proc/<pid>/uid_map, gid_map
 * and setgroups (written once, by whom, in which order, the errors); ids
 * through the maps in get*id, set*id, setgroups, stat, chown and
 * /proc/self/status; every capability in a new namespace, none in its
 * parent (setns back EPERM); unsharing the other kinds from inside; the
 * nsfs ioctls on user namespaces; setns into one; nesting to the limit
 * (33 levels below the initial one, then ENOSPC); max_user_namespaces;
 * CLONE_FS/CLONE_THREAD and chroot refusals.
 * User space; runs on Kite and on the reference Linux (qemu-user would
 * pass the calls to the host: skipped).
 */
#include "check.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>

#define K_CLONE_NEWUSER 0x10000000
#define K_CLONE_NEWUTS 0x04000000
#define K_CLONE_NEWIPC 0x08000000
#define K_CLONE_NEWPID 0x20000000
#define K_CLONE_FS 0x00000200
#define K_CLONE_THREAD 0x00010000
#define K_CLONE_SIGHAND 0x00000800
#define K_CLONE_VM 0x00000100
#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_OWNER_UID 0xb704
#define UNPRIV 1000

/* Write s to path: 0 or -errno (open's or write's). */
static int write_file(const char *path, const char *s)
{
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -errno;
  int r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
  close(fd);
  return r;
}

static int write_pid_file(pid_t pid, const char *name, const char *s)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
  return write_file(path, s);
}

/* The text of path (at most size-1 bytes), "" if unreadable. */
static char *read_file(const char *path, char *buf, size_t size)
{
  int fd = open(path, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
  buf[n > 0 ? n : 0] = 0;
  if (fd >= 0)
    close(fd);
  return buf;
}

static ino_t ino_of(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* A child made by clone(flags) that runs fn(arg) after a byte arrives on
 * go[0] and exits with fn's result. Returns the pid or -errno. */
static pid_t clone_child(long flags, int go[2], int (*fn)(void *), void *arg)
{
  long pid = raw5(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1)
      _exit(90);
    _exit(fn(arg));
  }
  return (pid_t)pid;
}

static void go(int p[2])
{
  (void)!write(p[1], "g", 1);
  close(p[1]);
}

/* ---- clone(CLONE_NEWUSER) by root: the parent writes the maps ---- */

static int mapped_child(void *arg)
{
  (void)arg;
  abi_family = "userns/mapped-child";
  abi_child_start();
  char buf[256];
  CHECK_RET("geteuid", geteuid(), 100);
  CHECK_RET("getuid", getuid(), 100);
  CHECK_RET("getgid", getgid(), 200);
  uid_t r, e, s;
  CHECK("getresuid", getresuid(&r, &e, &s) == 0 && r == 100 && e == 100 && s == 100);
  struct stat st;
  CHECK("stat-root-owner-mapped", stat("/", &st) == 0 && st.st_uid == 100 && st.st_gid == 200);
  CHECK("stat-unmapped-owner-overflow", stat("/tmp/userns-1000", &st) == 0 && st.st_uid == 65534);
  CHECK("uid-map-own", strcmp(read_file("/proc/self/uid_map", buf, sizeof(buf)),
                              "       100          0          1\n") == 0);
  char big[2048];
  CHECK("status-uid", strstr(read_file("/proc/self/status", big, sizeof(big)), "Uid:\t100\t100\t100\t100\n") != NULL);
  CHECK_RET("setgroups-eperm-denied", setgroups(0, NULL) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("setgroups-file-deny", strcmp(read_file("/proc/self/setgroups", buf, sizeof(buf)), "deny\n"), 0);
  CHECK_RET("setuid-unmapped-einval", raw1(SYS_setuid, 5), -EINVAL);
  CHECK_RET("chown-unmapped-einval", raw5(SYS_fchownat, AT_FDCWD, "/tmp/userns-1000", 5, -1, 0), -EINVAL);
  CHECK_RET("setresuid-mapped", raw3(SYS_setresuid, 100, 100, 100), 0);
  CHECK_RET("setgid-mapped", raw1(SYS_setgid, 200), 0);
  CHECK_RET("unshare-uts-inside", raw1(SYS_unshare, K_CLONE_NEWUTS), 0);
  CHECK_RET("sethostname-inside", sethostname("inner", 5) < 0 ? -errno : 0, 0);
  return abi_failures ? 1 : 0;
}

static int idle_child(void *arg)
{
  (void)arg;
  return 0;
}

static void test_clone(void)
{
  char path[64], buf[1024];
  int fd = open("/tmp/userns-1000", O_CREAT | O_WRONLY, 0644);
  CHECK("make-file", fd >= 0 && fchown(fd, UNPRIV, UNPRIV) == 0);
  close(fd);
  int p[2];
  CHECK("pipe", pipe(p) == 0);
  pid_t pid = clone_child(K_CLONE_NEWUSER, p, mapped_child, NULL);
  CHECK("clone-newuser", pid > 0);
  if (pid <= 0)
    return;
  close(p[0]);
  snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
  CHECK("ns-inode-differs", ino_of(path) != ino_of("/proc/self/ns/user") && ino_of(path) != 0);
  int ufd = open(path, O_RDONLY);
  int mine = open("/proc/self/ns/user", O_RDONLY);
  struct stat a, b;
  int owner = ioctl(ufd, NS_GET_USERNS);
  CHECK("ns-get-userns-is-ours", owner >= 0 && fstat(owner, &a) == 0 && fstat(mine, &b) == 0 && a.st_ino == b.st_ino);
  int parent = ioctl(ufd, NS_GET_PARENT);
  CHECK("ns-get-parent-is-ours", parent >= 0 && fstat(parent, &a) == 0 && a.st_ino == b.st_ino);
  uid_t ouid = 99;
  CHECK("owner-uid-root", ioctl(ufd, NS_GET_OWNER_UID, &ouid) == 0 && ouid == 0);
  close(owner);
  close(parent);
  close(mine);
  snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
  CHECK("uid-map-empty", strcmp(read_file(path, buf, sizeof(buf)), "") == 0);
  snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
  CHECK("setgroups-allow", strcmp(read_file(path, buf, sizeof(buf)), "allow\n") == 0);
  CHECK_RET("map-einval-junk", write_pid_file(pid, "uid_map", "100 0 1 x"), -EINVAL);
  CHECK_RET("map-einval-zero-count", write_pid_file(pid, "uid_map", "100 0 0"), -EINVAL);
  CHECK_RET("map-einval-overlap", write_pid_file(pid, "uid_map", "0 0 10\n5 100 1"), -EINVAL);
  CHECK_RET("map-einval-wrap", write_pid_file(pid, "uid_map", "4294967290 0 10"), -EINVAL);
  CHECK_RET("uid-map", write_pid_file(pid, "uid_map", "100 0 1"), 0);
  CHECK_RET("uid-map-twice-eperm", write_pid_file(pid, "uid_map", "100 0 1"), -EPERM);
  CHECK_RET("setgroups-einval", write_pid_file(pid, "setgroups", "maybe"), -EINVAL);
  CHECK_RET("setgroups-deny", write_pid_file(pid, "setgroups", "deny"), 0);
  CHECK_RET("setgroups-allow-again-eperm", write_pid_file(pid, "setgroups", "allow"), -EPERM);
  CHECK_RET("gid-map", write_pid_file(pid, "gid_map", "200 0 1"), 0);
  CHECK_RET("setgroups-deny-after-map-eperm", write_pid_file(pid, "setgroups", "deny"), -EPERM);
  snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
  CHECK("uid-map-read", strcmp(read_file(path, buf, sizeof(buf)), "       100          0          1\n") == 0);
  go(p);
  CHECK_RET("child", wait_status(pid), 0);
  close(ufd);
  /* many extents (past Linux's five inline ones), and the flag errors */
  CHECK("pipe2", pipe(p) == 0);
  pid = clone_child(K_CLONE_NEWUSER, p, idle_child, NULL);
  close(p[0]);
  char map[512] = "";
  for (int i = 0; i < 10; i++)
    snprintf(map + strlen(map), sizeof(map) - strlen(map), "%d %d 1\n", i * 10, 5000 + i);
  CHECK_RET("uid-map-10-extents", write_pid_file(pid, "uid_map", map), 0);
  snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
  int lines = 0;
  for (char *q = read_file(path, buf, sizeof(buf)); *q; q++)
    lines += *q == '\n';
  CHECK_RET("uid-map-10-lines", lines, 10);
  go(p);
  CHECK_RET("child2", wait_status(pid), 0);
  CHECK_RET("clone-newuser-fs-einval", raw5(SYS_clone, K_CLONE_NEWUSER | K_CLONE_FS | SIGCHLD, 0, 0, 0, 0), -EINVAL);
  CHECK_RET("clone-newuser-thread-einval",
            raw5(SYS_clone, K_CLONE_NEWUSER | K_CLONE_THREAD | K_CLONE_SIGHAND | K_CLONE_VM, 0, 0, 0, 0), -EINVAL);
  unlink("/tmp/userns-1000");
}

/* ---- unshare(CLONE_NEWUSER) by an unprivileged user ---- */

/* One more namespace below the caller's, with the caller's ids as 0. */
static long unshare_mapped(void)
{
  char m[64];
  uid_t u = geteuid();
  gid_t g = getegid();
  long r = raw1(SYS_unshare, K_CLONE_NEWUSER);
  if (r)
    return r;
  snprintf(m, sizeof(m), "0 %u 1", u);
  if ((r = write_file("/proc/self/uid_map", m)))
    return r;
  if ((r = write_file("/proc/self/setgroups", "deny")) && r != -EPERM)
    return r;
  snprintf(m, sizeof(m), "0 %u 1", g);
  return write_file("/proc/self/gid_map", m);
}

static void unprivileged(void)
{
  char buf[2048];
  int outer = open("/proc/self/ns/user", O_RDONLY);
  int outer_uts = open("/proc/self/ns/uts", O_RDONLY);
  CHECK_RET("drop", raw3(SYS_setresgid, UNPRIV, UNPRIV, UNPRIV) || raw3(SYS_setresuid, UNPRIV, UNPRIV, UNPRIV), 0);
  /* a change of ids made us non-dumpable: our /proc files would be root's */
  CHECK_RET("dumpable", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
  CHECK_RET("unshare-uts-eperm-before", raw1(SYS_unshare, K_CLONE_NEWUTS), -EPERM);
  CHECK_RET("unshare-newuser", raw1(SYS_unshare, K_CLONE_NEWUSER), 0);
  CHECK_RET("geteuid-overflow", geteuid(), 65534);
  CHECK_RET("getegid-overflow", getegid(), 65534);
  CHECK("capeff-full", strstr(read_file("/proc/self/status", buf, sizeof(buf)), "CapEff:\t000001ffffffffff") != NULL);
  CHECK_RET("uid-map-not-own-id-eperm", write_file("/proc/self/uid_map", "0 0 1"), -EPERM);
  CHECK_RET("uid-map-own-id", write_file("/proc/self/uid_map", "0 1000 1"), 0);
  CHECK_RET("gid-map-before-deny-eperm", write_file("/proc/self/gid_map", "0 1000 1"), -EPERM);
  CHECK_RET("setgroups-deny", write_file("/proc/self/setgroups", "deny"), 0);
  CHECK_RET("gid-map", write_file("/proc/self/gid_map", "0 1000 1"), 0);
  CHECK_RET("getuid-0", getuid(), 0);
  CHECK_RET("getgid-0", getgid(), 0);
  CHECK("uid-map-inside", strcmp(read_file("/proc/self/uid_map", buf, sizeof(buf)), "         0       1000          1\n") == 0);
  CHECK("status-uid-inside", strstr(read_file("/proc/self/status", buf, sizeof(buf)), "Uid:\t0\t0\t0\t0\n") != NULL);
  struct stat st;
  CHECK("stat-root-overflow", stat("/", &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534);
  int me = open("/proc/self/ns/user", O_RDONLY);
  uid_t ou = 99;
  CHECK("owner-uid-inside-0", ioctl(me, NS_GET_OWNER_UID, &ou) == 0 && ou == 0);
  CHECK_RET("parent-of-own-from-inside-eperm", ioctl(me, NS_GET_PARENT) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("setns-own-einval", raw2(SYS_setns, me, K_CLONE_NEWUSER), -EINVAL);
  CHECK_RET("setns-outer-eperm", raw2(SYS_setns, outer, K_CLONE_NEWUSER), -EPERM);
  CHECK_RET("setns-outer-uts-eperm", raw2(SYS_setns, outer_uts, K_CLONE_NEWUTS), -EPERM);
  int init_pfd = (int)raw2(434 /* pidfd_open */, 1, 0);
  CHECK_RET("setns-pidfd-init-uts-eperm", raw2(SYS_setns, init_pfd, K_CLONE_NEWUTS), -EPERM);
  close(init_pfd);
  CHECK_RET("setgroups-denied", setgroups(0, NULL) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("unshare-uts", raw1(SYS_unshare, K_CLONE_NEWUTS), 0);
  CHECK_RET("sethostname", sethostname("userns", 6) < 0 ? -errno : 0, 0);
  CHECK_RET("unshare-ipc", raw1(SYS_unshare, K_CLONE_NEWIPC), 0);
  CHECK_RET("unshare-pid", raw1(SYS_unshare, K_CLONE_NEWPID), 0);
  int inner_uts = open("/proc/self/ns/uts", O_RDONLY);
  CHECK_RET("setns-own-uts", raw2(SYS_setns, inner_uts, K_CLONE_NEWUTS), 0);
  close(inner_uts);
  /* nesting: 33 levels below the initial namespace, then ENOSPC */
  int levels = 1;
  long r;
  while ((r = unshare_mapped()) == 0 && levels < 40)
    levels++;
  CHECK_RET("nest-enospc", r, -ENOSPC);
  CHECK_RET("nest-levels", levels, 33);
  close(me);
  close(outer);
  close(outer_uts);
}

/* ---- setns into a user namespace; chroot; max_user_namespaces ---- */

static void test_setns(void)
{
  int p[2];
  CHECK("pipe", pipe(p) == 0);
  pid_t pid = clone_child(K_CLONE_NEWUSER, p, idle_child, NULL);
  close(p[0]);
  CHECK_RET("uid-map", write_pid_file(pid, "uid_map", "0 0 1"), 0);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
  int ufd = open(path, O_RDONLY);
  ino_t target = ino_of(path);
  pid_t c = fork();
  if (c == 0) {
    abi_family = "userns/setns-child";
    abi_child_start();
    CHECK_RET("setns-type-mismatch", raw2(SYS_setns, ufd, K_CLONE_NEWUTS), -EINVAL);
    CHECK_RET("setns", raw2(SYS_setns, ufd, K_CLONE_NEWUSER), 0);
    CHECK("now-inside", ino_of("/proc/self/ns/user") == target);
    CHECK_RET("geteuid-mapped", geteuid(), 0);
    CHECK_RET("getegid-unmapped", getegid(), 65534);
    CHECK_RET("setns-again-own-einval", raw2(SYS_setns, ufd, 0), -EINVAL);
    abi_child_exit();
  }
  CHECK_RET("setns-child", wait_status(c), 0);
  c = fork();
  if (c == 0) {
    abi_family = "userns/setns-pidfd-child";
    abi_child_start();
    int pfd = (int)raw2(434 /* pidfd_open */, pid, 0);
    CHECK_RET("setns-pidfd-user", raw2(SYS_setns, pfd, K_CLONE_NEWUSER), 0);
    CHECK("pidfd-now-inside", ino_of("/proc/self/ns/user") == target);
    CHECK_RET("setns-pidfd-again-own-einval", raw2(SYS_setns, pfd, K_CLONE_NEWUSER), -EINVAL);
    abi_child_exit();
  }
  CHECK_RET("setns-pidfd-child", wait_status(c), 0);
  go(p);
  CHECK_RET("target", wait_status(pid), 0);
  close(ufd);
  c = fork();
  if (c == 0) {
    abi_family = "userns/chroot-child";
    abi_child_start();
    CHECK_RET("chroot", chroot("/proc") < 0 ? -errno : 0, 0);
    CHECK_RET("unshare-chrooted-eperm", raw1(SYS_unshare, K_CLONE_NEWUSER), -EPERM);
    abi_child_exit();
  }
  CHECK_RET("chroot-child", wait_status(c), 0);
  char old[32] = "";
  int fd = open("/proc/sys/user/max_user_namespaces", O_RDONLY);
  CHECK("max-read", fd >= 0 && read(fd, old, sizeof(old) - 1) > 0 && atoi(old) > 0);
  close(fd);
  CHECK_RET("max-set-0", write_file("/proc/sys/user/max_user_namespaces", "0"), 0);
  c = fork();
  if (c == 0)
    _exit(raw1(SYS_unshare, K_CLONE_NEWUSER) == -ENOSPC ? 0 : 1);
  CHECK_RET("max-0-enospc", wait_status(c), 0);
  CHECK_RET("max-restore", write_file("/proc/sys/user/max_user_namespaces", old), 0);
}

int main(void)
{
  abi_family = "userns";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (skip_on_qemu("all", "the host kernel's user namespaces; the reference Linux runs them"))
    return abi_done();
  if (access("/proc/self/ns/user", F_OK) != 0 || access("/proc/self/uid_map", F_OK) != 0) {
    abi_line("SKIP: userns/all (no user namespaces)");
    return abi_done();
  }
  run_section("clone", test_clone, 30000);
  run_section("unprivileged", unprivileged, 30000);
  run_section("setns", test_setns, 30000);
  return abi_done();
}
