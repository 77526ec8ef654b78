/*
 * ipcns.c — IPC namespaces (testsuite/abi; docs/namespaces.md, docs/ipc.md):
 * unshare(CLONE_NEWIPC) and clone(CLONE_NEWIPC) give a namespace with no
 * System V objects and no POSIX message queues of the parent's, limits of
 * its own (/proc/sys/kernel/shmmni), an empty /proc/sysvipc/shm; setns
 * with a /proc/<pid>/ns/ipc file goes back; clone(CLONE_NEWIPC |
 * CLONE_SYSVSEM) is EINVAL; unshare(CLONE_NEWIPC) applies the caller's
 * SEM_UNDO adjustments (it leaves its undo list); an attached shared
 * memory segment stays usable after its namespace has no task left.
 * (The raw mq_open takes the name without glibc's leading slash.)
 * User space; runs on Kite and on the reference Linux (qemu-user would
 * pass the calls to the host, where they need privilege: skipped).
 */
#include "check.h"
#include <sys/stat.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/msg.h>

#define K_CLONE_NEWIPC 0x08000000
#define K_CLONE_SYSVSEM 0x00040000
#define KEY 0x1c5e0001

static long read_long(const char *path)
{
  char buf[64] = "";
  int fd = open(path, O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
  if (fd >= 0)
    close(fd);
  return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Lines of a file (the header counts one). */
static int count_lines(const char *path)
{
  char buf[4096];
  int fd = open(path, O_RDONLY), lines = 0;
  ssize_t n;
  while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
    for (ssize_t i = 0; i < n; i++)
      lines += buf[i] == '\n';
  if (fd >= 0)
    close(fd);
  return lines;
}

/* In a new namespace: none of the outer objects; own limits and objects;
 * setns back finds the outer ones again. */
static void inner_checks(int outer_fd, int shmid, long shmmni)
{
  struct stat os;
  CHECK("new-inode", fstat(outer_fd, &os) == 0 && ns_ino("/proc/self/ns/ipc") != os.st_ino);
  CHECK_RET("shmget-outer-key-enoent", shmget(KEY, 0, 0) < 0 ? -errno : 0, -ENOENT);
  CHECK_RET("semget-outer-key-enoent", semget(KEY, 0, 0) < 0 ? -errno : 0, -ENOENT);
  CHECK_RET("msgget-outer-key-enoent", msgget(KEY, 0) < 0 ? -errno : 0, -ENOENT);
  CHECK_RET("mq-outer-enoent", raw4(SYS_mq_open, "ipcns-q", O_RDONLY, 0, 0), -ENOENT);
  CHECK_RET("shmctl-outer-id-einval", shmctl(shmid, IPC_STAT, &(struct shmid_ds){0}) < 0 ? -errno : 0,
            -EINVAL);
  CHECK("sysvipc-shm-empty", count_lines("/proc/sysvipc/shm") == 1);
  CHECK("shmmni-default", read_long("/proc/sys/kernel/shmmni") == 4096);
  CHECK_RET("shmmni-write", write_text("/proc/sys/kernel/shmmni", "77"), 0);
  CHECK("shmmni-own", read_long("/proc/sys/kernel/shmmni") == 77);
  int inner = shmget(KEY, 4096, IPC_CREAT | 0600);
  CHECK("shmget-own", inner >= 0);
  long q = raw4(SYS_mq_open, "ipcns-q", O_RDWR | O_CREAT | O_EXCL, 0600, 0);
  CHECK("mq-own-create", q >= 0);
  CHECK_RET("setns-back", raw2(SYS_setns, outer_fd, K_CLONE_NEWIPC), 0);
  CHECK("back-inode", fstat(outer_fd, &os) == 0 && ns_ino("/proc/self/ns/ipc") == os.st_ino);
  CHECK_RET("back-outer-shm", shmget(KEY, 0, 0), shmid);
  CHECK("back-outer-shmmni", read_long("/proc/sys/kernel/shmmni") == shmmni);
}

static void test_unshare(void)
{
  long shmmni = read_long("/proc/sys/kernel/shmmni");
  int shmid = shmget(KEY, 4096, IPC_CREAT | 0600);
  int semid = semget(KEY, 1, IPC_CREAT | 0600);
  int msqid = msgget(KEY, IPC_CREAT | 0600);
  long q = raw4(SYS_mq_open, "ipcns-q", O_RDWR | O_CREAT, 0600, 0);
  CHECK("outer-objects", shmid >= 0 && semid >= 0 && msqid >= 0 && q >= 0);
  int outer_fd = open("/proc/self/ns/ipc", O_RDONLY);
  CHECK("open-ns-file", outer_fd >= 0);
  pid_t pid = fork();
  if (pid == 0) {
    abi_child_start();
    abi_family = "ipcns/unshare-child";
    CHECK_RET("unshare", raw1(SYS_unshare, K_CLONE_NEWIPC), 0);
    inner_checks(outer_fd, shmid, shmmni);
    abi_child_exit();
  }
  CHECK_RET("child", wait_status(pid), 0);
  /* the child's queue and segment went with its namespace */
  CHECK("outer-shm-kept", shmget(KEY, 0, 0) == shmid);
  CHECK("outer-shmmni-kept", read_long("/proc/sys/kernel/shmmni") == shmmni);

  if (!skip_on_qemu("clone-newipc", "do_fork refuses CLONE_NEWIPC")) {
    CHECK_RET("clone-newipc-sysvsem-einval",
              raw5(SYS_clone, K_CLONE_NEWIPC | K_CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0), -EINVAL);
    pid = (pid_t)raw5(SYS_clone, K_CLONE_NEWIPC | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
      abi_child_start();
      abi_family = "ipcns/clone-child";
      inner_checks(outer_fd, shmid, shmmni);
      abi_child_exit();
    }
    CHECK_RET("clone-child", wait_status(pid), 0);
  }
  shmctl(shmid, IPC_RMID, NULL);
  semctl(semid, 0, IPC_RMID);
  msgctl(msqid, IPC_RMID, NULL);
  close((int)q);
  raw1(SYS_mq_unlink, "ipcns-q");
  close(outer_fd);
}

/* unshare(CLONE_NEWIPC) leaves the undo list: its adjustments apply now. */
static void test_sem_undo(void)
{
  int semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  CHECK("semget", semid >= 0);
  int p[2], back[2];
  pipe(p);
  pipe(back);
  pid_t pid = fork();
  if (pid == 0) {
    struct sembuf op = { 0, 1, SEM_UNDO };
    char c = semop(semid, &op, 1) == 0 ? 'a' : 'x';
    write(p[1], &c, 1);
    read(back[0], &c, 1);
    c = raw1(SYS_unshare, K_CLONE_NEWIPC) == 0 ? 'b' : 'x';
    write(p[1], &c, 1);
    read(back[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  read(p[0], &c, 1);
  CHECK("semop-undo", c == 'a' && semctl(semid, 0, GETVAL) == 1);
  write(back[1], "x", 1);
  read(p[0], &c, 1);
  CHECK("unshare", c == 'b');
  CHECK_RET("undo-applied-at-unshare", semctl(semid, 0, GETVAL), 0);
  write(back[1], "x", 1);
  CHECK_RET("undo-child", wait_status(pid), 0);
  semctl(semid, 0, IPC_RMID);
}

/* An attached segment outlives every task and file of its namespace. */
static void test_shm_outlives(void)
{
  pid_t pid = fork();
  if (pid == 0) {
    abi_child_start();
    abi_family = "ipcns/shm-outlives";
    int outer_fd = open("/proc/self/ns/ipc", O_RDONLY);
    CHECK_RET("unshare", raw1(SYS_unshare, K_CLONE_NEWIPC), 0);
    int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    char *a = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;
    CHECK("attach", a != (char *)-1);
    if (a == (char *)-1)
      _exit(1);
    strcpy(a + 4096, "kept");
    CHECK_RET("setns-back", raw2(SYS_setns, outer_fd, K_CLONE_NEWIPC), 0);
    close(outer_fd);
    /* no task and no file names the namespace now; the mapping does */
    CHECK("still-mapped", !strcmp(a + 4096, "kept"));
    CHECK_RET("shmdt", shmdt(a), 0);
    abi_child_exit();
  }
  CHECK_RET("outlives-child", wait_status(pid), 0);
}

int main(void)
{
  abi_family = "ipcns";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (skip_on_qemu("all", "the host kernel would need privilege; the reference Linux runs them"))
    return abi_done();
  if (access("/proc/self/ns/ipc", F_OK) != 0) {
    abi_line("SKIP: ipcns/all (no /proc/self/ns/ipc: a kernel without IPC namespaces)");
    return abi_done();
  }
  run_section("unshare", test_unshare, 30000);
  run_section("sem-undo", test_sem_undo, 30000);
  run_section("shm-outlives", test_shm_outlives, 30000);
  return abi_done();
}
