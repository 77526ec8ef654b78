/*
 * ucounts.c — how many namespaces a user may make (testsuite/abi;
 * docs/namespaces.md, "Counts and limits"). /proc/sys/user/max_*: the
 * files, their range (0 .. INT_MAX), who may write them (CAP_SYS_RESOURCE
 * in the reader's user namespace: root, or the root of a namespace for
 * its own set, which starts at INT_MAX); a limit of 0 makes unshare of
 * that kind ENOSPC; the counts are per user (another uid still may), a
 * namespace gone gives its count back, and a limit set in a user
 * namespace bounds what is made below it, by its children too.
 * User space; runs on Kite and on the reference Linux (qemu-user would
 * pass the calls to the host: skipped).
 */
#include "check.h"
#include <sys/wait.h>
#include <sys/prctl.h>
#include <limits.h>
#include <sys/socket.h>

#define K_CLONE_NEWUSER 0x10000000
#define K_CLONE_NEWNS 0x00020000
#define K_CLONE_NEWPID 0x20000000
#define K_CLONE_NEWIPC 0x08000000
#define K_CLONE_NEWUTS 0x04000000
#define DIR "/proc/sys/user/"

static const char *const files[] = {
  "max_user_namespaces", "max_pid_namespaces", "max_uts_namespaces", "max_ipc_namespaces",
  "max_net_namespaces", "max_mnt_namespaces", "max_cgroup_namespaces", "max_time_namespaces",
  "max_inotify_instances", "max_inotify_watches",
};

static int write_file(const char *path, const char *s)
{
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return -errno;
  int r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
  close(fd);
  return r;
}

/* The number in path, or -1. */
static long read_num(const char *path)
{
  char buf[32] = "";
  int fd = open(path, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
  if (fd >= 0)
    close(fd);
  return n > 0 ? atol(buf) : -1;
}

static int reap_status(pid_t p)
{
  int st = 0;
  if (waitpid(p, &st, 0) != p)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* In a child (as uid, unless -1): unshare(flags); its result as an errno
 * (0 for success). */
static int child_unshare(int uid, long flags)
{
  pid_t c = fork();
  if (c == 0) {
    if (uid >= 0 && (raw3(SYS_setresgid, uid, uid, uid) || raw3(SYS_setresuid, uid, uid, uid)))
      _exit(100);
    _exit((int)-raw1(SYS_unshare, flags));
  }
  return reap_status(c);
}

/* ---- the files ---- */

static void files_section(void)
{
  char path[64];
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(path, sizeof(path), DIR "%s", files[i]);
    long v = read_num(path);
    CHECKF(files[i], v > 0, "%s = %ld", path, v);
  }
  CHECK_RET("write-negative-einval", write_file(DIR "max_uts_namespaces", "-1"), -EINVAL);
  CHECK_RET("write-past-int-einval", write_file(DIR "max_uts_namespaces", "2147483648"), -EINVAL);
  CHECK_RET("write-junk-einval", write_file(DIR "max_uts_namespaces", "many"), -EINVAL);
  pid_t c = fork();
  if (c == 0) {
    if (raw3(SYS_setresuid, 1000, 1000, 1000))
      _exit(100);
    int fd = open(DIR "max_uts_namespaces", O_WRONLY);
    _exit(fd >= 0 ? 0 : errno);
  }
  CHECK_RET("user-write-eacces", reap_status(c), EACCES);
}

/* ---- a limit of 0 for each kind Kite makes ---- */

static void zero_section(void)
{
  static const struct { const char *file; long flag; } kinds[] = {
    { "max_user_namespaces", K_CLONE_NEWUSER }, { "max_uts_namespaces", K_CLONE_NEWUTS },
    { "max_ipc_namespaces", K_CLONE_NEWIPC },   { "max_mnt_namespaces", K_CLONE_NEWNS },
    { "max_pid_namespaces", K_CLONE_NEWPID },
  };
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    char path[64], old[32], name[64];
    snprintf(path, sizeof(path), DIR "%s", kinds[i].file);
    snprintf(old, sizeof(old), "%ld", read_num(path));
    snprintf(name, sizeof(name), "%s-0", kinds[i].file);
    CHECK_RET(name, write_file(path, "0"), 0);
    snprintf(name, sizeof(name), "%s-0-enospc", kinds[i].file);
    CHECK_RET(name, child_unshare(-1, kinds[i].flag), ENOSPC);
    snprintf(name, sizeof(name), "%s-restore", kinds[i].file);
    CHECK_RET(name, write_file(path, old), 0);
    snprintf(name, sizeof(name), "%s-again", kinds[i].file);
    CHECK_RET(name, child_unshare(-1, kinds[i].flag), 0);
  }
}

/* ---- per user: uid 1001 at its limit, uid 1002 not ---- */

static void per_user_section(void)
{
  char old[32];
  snprintf(old, sizeof(old), "%ld", read_num(DIR "max_uts_namespaces"));
  CHECK_RET("uts-limit-1", write_file(DIR "max_uts_namespaces", "1"), 0);
  int hold[2];
  CHECK_RET("pipe", pipe(hold), 0);
  int ready[2];
  CHECK_RET("pipe2", pipe(ready), 0);
  pid_t a = fork();
  if (a == 0) { /* uid 1001 makes one UTS namespace and keeps it */
    char c;
    close(hold[1]);
    if (raw3(SYS_setresuid, 1001, 1001, 1001) || raw1(SYS_unshare, K_CLONE_NEWUSER | K_CLONE_NEWUTS))
      _exit(1);
    (void)!write(ready[1], "r", 1);
    (void)!read(hold[0], &c, 1);
    _exit(0);
  }
  close(hold[0]);
  char c;
  CHECK("holder-ready", read(ready[0], &c, 1) == 1);
  CHECK_RET("same-user-enospc", child_unshare(1001, K_CLONE_NEWUSER | K_CLONE_NEWUTS), ENOSPC);
  CHECK_RET("other-user-ok", child_unshare(1002, K_CLONE_NEWUSER | K_CLONE_NEWUTS), 0);
  close(hold[1]);
  CHECK_RET("holder-exit", reap_status(a), 0);
  CHECK_RET("given-back", child_unshare(1001, K_CLONE_NEWUSER | K_CLONE_NEWUTS), 0);
  CHECK_RET("uts-restore", write_file(DIR "max_uts_namespaces", old), 0);
  close(ready[0]);
  close(ready[1]);
}

/* ---- a namespace's own limits bind below it ---- */

static int nested_child(void)
{
  abi_family = "ucounts/nested";
  abi_failures = 0;
  /* (dumpable again after the uid change, so that its /proc files are
   * its own: Linux gives a non-dumpable process's to root) */
  if (raw3(SYS_setresgid, 1000, 1000, 1000) || raw3(SYS_setresuid, 1000, 1000, 1000) ||
      prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || raw1(SYS_unshare, K_CLONE_NEWUSER))
    return 100;
  /* its own ids mapped, so that it may make a namespace below */
  CHECK_RET("own-uid-map", write_file("/proc/self/uid_map", "0 1000 1"), 0);
  CHECK_RET("own-setgroups-deny", write_file("/proc/self/setgroups", "deny"), 0);
  CHECK_RET("own-gid-map", write_file("/proc/self/gid_map", "0 1000 1"), 0);
  CHECK_RET("own-set-intmax", read_num(DIR "max_user_namespaces"), INT_MAX);
  CHECK_RET("own-set-write", write_file(DIR "max_user_namespaces", "1"), 0);
  CHECK_RET("own-set-read", read_num(DIR "max_user_namespaces"), 1);
  CHECK_RET("own-set-uts-0", write_file(DIR "max_uts_namespaces", "0"), 0);
  CHECK_RET("own-uts-enospc", raw1(SYS_unshare, K_CLONE_NEWUTS), -ENOSPC);
  CHECK_RET("child-ns", raw1(SYS_unshare, K_CLONE_NEWUSER), 0);
  CHECK_RET("child-sees-intmax", read_num(DIR "max_user_namespaces"), INT_MAX);
  /* the grandchild would be the namespace's second: its parent's limit */
  CHECK_RET("grandchild-enospc", raw1(SYS_unshare, K_CLONE_NEWUSER), -ENOSPC);
  CHECK_RET("grandchild-uts-enospc", raw1(SYS_unshare, K_CLONE_NEWUTS), -ENOSPC);
  return abi_failures ? 1 : 0;
}

/* ---- a descriptor handed out of a namespace ---- */

/* A limit file opened in a child user namespace and passed to the parent
 * (SCM_RIGHTS) still writes the child namespace's limit, never the
 * writer's: the set is the one the file was opened in. */
static void handed_fd_section(void)
{
  abi_family = "ucounts/handed-fd";
  int sv[2];
  CHECK_RET("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  long before = read_num(DIR "max_user_namespaces");
  pid_t c = fork();
  if (c == 0) {
    abi_child_start();
    close(sv[0]);
    int fd = raw1(SYS_unshare, K_CLONE_NEWUSER) == 0 ? open(DIR "max_user_namespaces", O_WRONLY) : -1;
    char ctl[CMSG_SPACE(sizeof(int))] = { 0 }, b = 'f';
    struct iovec iov = { &b, 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    if (fd < 0 || sendmsg(sv[1], &m, 0) != 1 || read(sv[1], &b, 1) != 1)
      _exit(2);
    _exit(read_num(DIR "max_user_namespaces") == 7 ? 0 : 1);
  }
  close(sv[1]);
  char ctl[CMSG_SPACE(sizeof(int))] = { 0 }, b;
  struct iovec iov = { &b, 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
  int fd = -1;
  if (recvmsg(sv[0], &m, 0) == 1 && CMSG_FIRSTHDR(&m))
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
  CHECK("received", fd >= 0);
  CHECK_RET("write", fd >= 0 ? (int)write(fd, "7", 1) : -1, 1);
  CHECK_RET("writer-ns-unchanged", read_num(DIR "max_user_namespaces"), before);
  write(sv[0], "g", 1);
  CHECK_RET("opener-ns-changed", reap_status(c), 0);
  if (fd >= 0)
    close(fd);
  close(sv[0]);
}

int main(void)
{
  abi_family = "ucounts";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (skip_on_qemu("all", "the host kernel's limits; the reference Linux runs them"))
    return abi_done();
  if (access("/proc/self/ns/user", F_OK) != 0 || geteuid() != 0) {
    abi_line("SKIP: ucounts (no user namespaces, or not root)");
    return abi_done();
  }
  files_section();
  zero_section();
  per_user_section();
  handed_fd_section();
  abi_family = "ucounts";
  pid_t c = fork();
  if (c == 0)
    _exit(nested_child());
  CHECK_RET("nested-exit", reap_status(c), 0);
  return abi_done();
}
