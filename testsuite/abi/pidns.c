/*
 * pidns.c — what a PID namespace changes besides getpid (testsuite/abi;
 * docs/namespaces.md, "PID namespaces"): a /proc mounted inside one
 * lists that namespace's processes by their numbers there, /proc/<n>,
 * /proc/self, /proc/thread-self, status, stat and task/ speak its numbers,
 * and a /proc mounted outside it stays the outer one's (self dangling for
 * a reader who is not in the mount's namespace); ids the kernel keeps
 * and gives back later are given as the caller's (or receiver's)
 * namespace numbers them: SO_PEERCRED, SCM_CREDENTIALS, F_GETLK's l_pid,
 * shm_cpid/shm_lpid, msg_lspid, semctl(GETPID), mq_notify's si_pid,
 * PTRACE_GETEVENTMSG after a fork; and an orphan's subreaper is looked
 * for only inside its namespace. pidns_links.h: a namespace's /proc links
 * followed from several processes at once.
 * User space; runs on Kite and on the reference Linux (qemu-user refuses
 * CLONE_NEWPID: skipped there).
 */
#include "check.h"
#include <dirent.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define K_CLONE_NEWPID 0x20000000
#define K_CLONE_NEWNS 0x00020000

/* readlinkat as a string; "" with errno's negative in *err on failure */
static const char *link_of(int dirfd, const char *path, int *err)
{
  static char buf[128];
  ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);
  *err = n < 0 ? -errno : 0;
  buf[n > 0 ? n : 0] = 0;
  return buf;
}

static void read_text(const char *path, char *buf, size_t size)
{
  int fd = open(path, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
  buf[n > 0 ? n : 0] = 0;
  if (fd >= 0)
    close(fd);
}

/* Does file path contain line? */
static int has_line(const char *path, const char *line)
{
  char buf[4096], want[80];
  read_text(path, buf, sizeof(buf));
  snprintf(want, sizeof(want), "\n%s\n", line);
  return strstr(buf, want) != NULL;
}

/* The numeric names in directory path, ascending, into out (at most max);
 * their count, or -errno. */
static int numbers_in(const char *path, int *out, int max)
{
  DIR *d = opendir(path);
  if (!d)
    return -errno;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max)
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
      out[n++] = atoi(e->d_name);
  closedir(d);
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
      int x = out[j]; out[j] = out[j - 1]; out[j - 1] = x;
    }
  return n;
}

/* ---- /proc inside a namespace ---- */

static volatile int thread_done, thread_tid;
static char thread_link[64];

static int thread_fn(void *arg)
{
  (void)arg;
  ssize_t n = readlink("/proc/thread-self", thread_link, sizeof(thread_link) - 1);
  thread_link[n > 0 ? n : 0] = 0;
  thread_tid = (int)syscall(SYS_gettid);
  __atomic_store_n(&thread_done, 1, __ATOMIC_RELEASE);
  while (__atomic_load_n(&thread_done, __ATOMIC_ACQUIRE) != 2)
    usleep(1000);
  syscall(SYS_exit, 0);
  return 0;
}

/* pid 1 of a new namespace (and mount namespace): its own /proc. */
static void proc_init_side(pid_t outer_pid, int outer_proc, int ready, int go, int done)
{
  int err;
  CHECK_RET("in/make-private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -errno : 0, 0);
  CHECK_RET("in/mount-proc", mount("proc", "/proc", "proc", 0, NULL) ? -errno : 0, 0);
  CHECK("in/self-is-1", strcmp(link_of(AT_FDCWD, "/proc/self", &err), "1") == 0);
  CHECK("in/thread-self", strcmp(link_of(AT_FDCWD, "/proc/thread-self", &err), "1/task/1") == 0);
  /* the outer /proc (a descriptor from before): the outer numbers */
  pid_t me_outside = 0;
  read(ready, &me_outside, sizeof(me_outside));
  char want[64];
  snprintf(want, sizeof(want), "%d", me_outside);
  const char *l = link_of(outer_proc, "self", &err);
  CHECKF("in/outer-proc-self-outer-number", strcmp(l, want) == 0, "'%s' want %s", l, want);
  int pipefd[2];
  pipe(pipefd);
  pid_t c = fork();
  if (c == 0) {
    char x;
    read(pipefd[0], &x, 1);
    _exit(0);
  }
  int nrs[16];
  int n = numbers_in("/proc", nrs, 16);
  CHECKF("in/readdir-only-own", n == 2 && nrs[0] == 1 && nrs[1] == 2, "n %d: %d %d", n, nrs[0], nrs[1]);
  CHECK("in/status-pid", has_line("/proc/2/status", "Pid:\t2") && has_line("/proc/2/status", "Tgid:\t2"));
  CHECK("in/status-ppid", has_line("/proc/2/status", "PPid:\t1"));
  CHECK("in/status-nspid-from-mount-level", has_line("/proc/2/status", "NSpid:\t2"));
  CHECK("in/init-ppid-0", has_line("/proc/1/status", "PPid:\t0") && has_line("/proc/1/status", "NSpid:\t1"));
  char buf[512];
  read_text("/proc/2/stat", buf, sizeof(buf));
  int spid = -1, sppid = -1, spgid = -1;
  char *close_paren = strrchr(buf, ')');
  sscanf(buf, "%d", &spid);
  if (close_paren)
    sscanf(close_paren + 2, "%*c %d %d", &sppid, &spgid);
  CHECKF("in/stat-ids", spid == 2 && sppid == 1 && spgid == 0, "%d %d %d", spid, sppid, spgid);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d", outer_pid);
  struct stat st;
  if (outer_pid > 2)
    CHECK_RET("in/outer-number-enoent", stat(path, &st) ? -errno : 0, -ENOENT);
  /* a thread: number 3 here, listed in task/, thread-self names it */
  static char stack[65536];
  int t = clone(thread_fn, stack + sizeof(stack), CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                CLONE_THREAD | CLONE_SYSVSEM, NULL);
  while (t > 0 && __atomic_load_n(&thread_done, __ATOMIC_ACQUIRE) != 1)
    usleep(1000);
  n = numbers_in("/proc/1/task", nrs, 16);
  CHECKF("in/task-dir", t == 3 && n == 2 && nrs[0] == 1 && nrs[1] == 3, "t %d n %d", t, n);
  CHECK("in/thread-self-of-thread", thread_tid == 3 && strcmp(thread_link, "1/task/3") == 0);
  read_text("/proc/1/task/3/stat", buf, sizeof(buf));
  CHECKF("in/task-stat", strncmp(buf, "3 (", 3) == 0, "'%.20s'", buf);
  CHECK_RET("in/task-outer-number-enoent", stat("/proc/1/task/99999", &st) ? -errno : 0, -ENOENT);
  __atomic_store_n(&thread_done, 2, __ATOMIC_RELEASE);
  char x = 'r';
  write(done, &x, 1); /* the parent looks at our /proc, then says go */
  read(go, &x, 1);
  write(pipefd[1], &x, 1);
  close(pipefd[1]);
  wait_status(c);
}

/* unshare(CLONE_NEWPID): a /proc the caller mounts is still its own
 * namespace's; one its child mounts is the new one's, where the caller
 * has no number (self dangles). */
static void proc_unshare_side(const char *d1, const char *d2)
{
  CHECK_RET("un/unshare", raw1(SYS_unshare, K_CLONE_NEWPID | K_CLONE_NEWNS), 0);
  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  CHECK_RET("un/mount", mount("proc", d1, "proc", 0, NULL) ? -errno : 0, 0);
  char want[16], path[128];
  snprintf(want, sizeof(want), "%d", getpid());
  snprintf(path, sizeof(path), "%s/self", d1);
  int err;
  const char *l = link_of(AT_FDCWD, path, &err);
  CHECKF("un/own-mount-own-namespace", strcmp(l, want) == 0, "'%s' want %s", l, want);
  pid_t k = fork();
  if (k == 0) {
    int ok = mount("proc", d2, "proc", 0, NULL) == 0;
    snprintf(path, sizeof(path), "%s/self", d2);
    ok = ok && strcmp(link_of(AT_FDCWD, path, &err), "1") == 0;
    _exit(ok ? 0 : 1);
  }
  CHECK_RET("un/child-mount-self-1", wait_status(k), 0);
  snprintf(path, sizeof(path), "%s/self", d2);
  link_of(AT_FDCWD, path, &err);
  CHECK_RET("un/self-dangles-outside", err, -ENOENT);
  int nrs[4];
  CHECK_RET("un/no-process-left", numbers_in(d2, nrs, 4), 0);
}

static void test_proc(void)
{
  int outer_proc = open("/proc", O_DIRECTORY | O_RDONLY);
  int ready[2], go[2], done[2];
  pipe(ready);
  pipe(go);
  pipe(done);
  pid_t me = getpid();
  pid_t c = (pid_t)raw5(SYS_clone, K_CLONE_NEWPID | K_CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    abi_child_start();
    close(ready[1]);
    proc_init_side(me, outer_proc, ready[0], go[0], done[1]);
    abi_child_exit();
  }
  CHECKF("clone", c > 0, "%d", c);
  write(ready[1], &c, sizeof(c));
  /* the child's /proc seen from here (once it has made its checks, its
   * child 2 still there): its numbers; our self dangles */
  char path[96], x = 0;
  int err;
  close(done[1]);
  CHECK("out/inner-checked", read(done[0], &x, 1) == 1);
  snprintf(path, sizeof(path), "/proc/%d/root/proc/self", c);
  link_of(AT_FDCWD, path, &err);
  CHECK_RET("out/inner-self-dangles", err, -ENOENT);
  snprintf(path, sizeof(path), "/proc/%d/root/proc", c);
  int nrs[16];
  int n = numbers_in(path, nrs, 16);
  CHECKF("out/inner-readdir", n >= 2 && nrs[0] == 1 && nrs[1] == 2, "n %d", n);
  snprintf(path, sizeof(path), "/proc/%d/root/proc/1/status", c);
  CHECK("out/inner-status-nspid", has_line(path, "NSpid:\t1"));
  write(go[1], "g", 1);
  CHECK_RET("in/finished", wait_status(c), 0);
  close(outer_proc);

  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  char d1[96], d2[96];
  snprintf(d1, sizeof(d1), "%s/pidns-p1.%d", tmp, me);
  snprintf(d2, sizeof(d2), "%s/pidns-p2.%d", tmp, me);
  mkdir(d1, 0755);
  mkdir(d2, 0755);
  pid_t u = fork();
  if (u == 0) {
    abi_child_start();
    proc_unshare_side(d1, d2);
    abi_child_exit();
  }
  CHECK_RET("un/finished", wait_status(u), 0);
  rmdir(d1);
  rmdir(d2);
}

#include "pidns_ids.h"
#include "pidns_links.h"

int main(void)
{
  abi_family = "pidns";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (on_qemu_user()) {
    abi_line("SKIP: pidns/all (qemu-user refuses CLONE_NEWPID)");
    return 0;
  }
  if (geteuid() != 0) {
    abi_line("SKIP: pidns/all (needs root)");
    return 0;
  }
  run_section("proc", test_proc, 60000);
  run_section("ids", test_ids, 60000);
  run_section("subreaper", test_subreaper, 30000);
  run_section("links-race", test_links_race, 30000);
  return abi_done();
}
