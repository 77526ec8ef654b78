/*
 * usernscap.c — what a user namespace does NOT give (testsuite/abi;
 * docs/namespaces.md, "User namespaces", and docs/credentials.md). A
 * process that makes a user namespace has every capability in it, and
 * none over anything outside: an unprivileged user after
 * unshare(CLONE_NEWUSER) may not signal, ptrace, read the memory of, or
 * take descriptors from a root process of the initial namespace; a
 * set-user-ID-root program run from a namespace that does not map root
 * keeps the caller's ids; and a uid_map descriptor opened by an
 * unprivileged user and written by root is judged by its opener.
 * User space; runs on Kite and on the reference Linux (qemu-user would
 * pass the calls to the host: skipped).
 */
#include "check.h"
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#define K_CLONE_NEWUSER 0x10000000
#define K_SYS_pidfd_open 434
#define K_SYS_pidfd_getfd 438
#define UNPRIV 1000
#define SUID_COPY "/tmp/usernscap-suid"

/* Lose root: every uid and gid UNPRIV, dumpable again. 0 or -errno. */
static long drop_root(void)
{
  long r = raw3(SYS_setresgid, UNPRIV, UNPRIV, UNPRIV);
  if (!r)
    r = raw3(SYS_setresuid, UNPRIV, UNPRIV, UNPRIV);
  if (!r)
    r = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ? -errno : 0;
  return r;
}

/* A root child that waits to be killed: the target of the checks. */
static pid_t root_target(void)
{
  pid_t t = fork();
  if (t == 0) {
    for (;;)
      pause();
  }
  return t;
}

static void reap(pid_t p)
{
  kill(p, SIGKILL);
  waitpid(p, NULL, 0);
}

/* ---- an unprivileged user in its own namespace, against a root process ---- */

static volatile int secret = 42;

static void outside(pid_t target)
{
  abi_child_start();
  CHECK_RET("drop", drop_root(), 0);
  CHECK_RET("unshare-newuser", raw1(SYS_unshare, K_CLONE_NEWUSER), 0);
  CHECK_RET("kill-root-eperm", kill(target, 0) < 0 ? -errno : 0, -EPERM);
  long r = ptrace(PTRACE_ATTACH, target, 0, 0) < 0 ? -errno : 0;
  CHECK_RET("ptrace-attach-root-eperm", r, -EPERM);
  if (r == 0)
    ptrace(PTRACE_DETACH, target, 0, 0);
  int local = 0;
  struct iovec mine = { &local, sizeof(local) }, theirs = { (void *)&secret, sizeof(secret) };
  CHECK_RET("process-vm-readv-root-eperm", process_vm_readv(target, &mine, 1, &theirs, 1, 0) < 0 ? -errno : 0,
            -EPERM);
  int pidfd = (int)syscall(K_SYS_pidfd_open, target, 0);
  CHECK("pidfd-open", pidfd >= 0);
  r = raw3(K_SYS_pidfd_getfd, pidfd, 1, 0);
  CHECK_RET("pidfd-getfd-root-eperm", r, -EPERM);
  if (r >= 0)
    close((int)r);
  close(pidfd);
  /* our own children stay ours: the namespace's capabilities cover them */
  pid_t own = fork();
  if (own == 0) {
    pause();
    _exit(0);
  }
  CHECK_RET("kill-own-child", kill(own, SIGKILL) < 0 ? -errno : 0, 0);
  waitpid(own, NULL, 0);
  abi_child_exit(); /* (the target is root's: the section's root kills it) */
}

/* ---- set-user-ID root, run from a namespace that does not map root ---- */

/* Copy our own program to path, root's, mode 04755: 0 or -errno. */
static long make_suid_copy(const char *path)
{
  int in = open("/proc/self/exe", O_RDONLY);
  int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (in < 0 || out < 0)
    return -errno;
  char buf[8192];
  ssize_t n;
  while ((n = read(in, buf, sizeof(buf))) > 0)
    if (write(out, buf, n) != n)
      return -EIO;
  close(in);
  close(out);
  if (chown(path, 0, 0) || chmod(path, 04755))
    return -errno;
  return 0;
}

static void suid_exec(void)
{
  CHECK_RET("copy", make_suid_copy(SUID_COPY), 0);
  pid_t c = fork();
  if (c == 0) {
    char m[32];
    if (drop_root() || raw1(SYS_unshare, K_CLONE_NEWUSER))
      _exit(3);
    snprintf(m, sizeof(m), "0 %d 1", UNPRIV); /* root of the namespace is UNPRIV; kernel root unmapped */
    int fd = open("/proc/self/uid_map", O_WRONLY);
    if (fd < 0 || write(fd, m, strlen(m)) != (ssize_t)strlen(m))
      _exit(4);
    close(fd);
    execl(SUID_COPY, SUID_COPY, "report-euid", (char *)NULL);
    _exit(5);
  }
  int st = 0;
  waitpid(c, &st, 0);
  /* exit 0: the program ran with its caller's effective uid (0 here, the
   * namespace's root = UNPRIV), not the file owner's (65534 if it had) */
  CHECKF("setuid-root-unmapped-ignored", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
  unlink(SUID_COPY);
}

/* ---- a uid_map descriptor opened by a user, written by root ---- */

static void opener_rules(void)
{
  int ready[2], done[2];
  CHECK_RET("pipes", pipe(ready) || pipe(done), 0);
  pid_t inner = fork(); /* UNPRIV in a namespace of its own, maps unwritten */
  if (inner == 0) {
    char b;
    if (drop_root() || raw1(SYS_unshare, K_CLONE_NEWUSER))
      _exit(3);
    if (write(ready[1], "r", 1) != 1 || read(done[0], &b, 1) < 0)
      _exit(4);
    _exit(0);
  }
  char b;
  CHECK("inner-ready", read(ready[0], &b, 1) == 1);
  int fdpipe[2];
  CHECK_RET("fd-pipe", pipe(fdpipe), 0);
  pid_t opener = fork(); /* UNPRIV in the initial namespace: opens the map */
  if (opener == 0) {
    char path[64];
    if (drop_root())
      _exit(3);
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)inner);
    int fd = open(path, O_WRONLY);
    if (write(fdpipe[1], &fd, sizeof(fd)) != sizeof(fd) || read(done[0], &b, 1) < 0)
      _exit(4);
    _exit(0);
  }
  int theirs = -1;
  CHECK("opener-opened", read(fdpipe[0], &theirs, sizeof(theirs)) == sizeof(theirs) && theirs >= 0);
  int pidfd = (int)syscall(K_SYS_pidfd_open, opener, 0);
  int fd = pidfd >= 0 ? (int)raw3(K_SYS_pidfd_getfd, pidfd, theirs, 0) : -1;
  CHECK("root-took-fd", fd >= 0);
  /* root writing through the user's descriptor has the user's power only */
  CHECK_RET("map-root-through-user-fd-eperm", write(fd, "0 0 1", 5) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("map-own-through-user-fd", write(fd, "0 1000 1", 8) < 0 ? -errno : 0, 0);
  close(fd);
  close(pidfd);
  CHECK_RET("release", write(done[1], "dd", 2), 2);
  int st;
  CHECK("inner-exit", waitpid(inner, &st, 0) == inner && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  CHECK("opener-exit", waitpid(opener, &st, 0) == opener && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void outside_section(void)
{
  pid_t target = root_target();
  CHECK("target", target > 0);
  pid_t c = fork();
  if (c == 0)
    outside(target); /* (does not return) */
  int st = 0;
  waitpid(c, &st, 0);
  CHECKF("outside-exit", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
  reap(target);
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "report-euid") == 0)
    return geteuid() == 0 ? 0 : 1;
  abi_family = "usernscap";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (skip_on_qemu("all", "the host kernel's user namespaces; the reference Linux runs them"))
    return abi_done();
  if (access("/proc/self/ns/user", F_OK) != 0 || geteuid() != 0) {
    abi_line("SKIP: usernscap/all (no user namespaces, or not root)");
    return abi_done();
  }
  run_section("outside", outside_section, 30000);
  run_section("suid", suid_exec, 30000);
  run_section("opener", opener_rules, 30000);
  return abi_done();
}
