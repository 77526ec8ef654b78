/*
 * exhaust.c — running out of a resource gives Linux's errno, and the
 * system gets it back (testsuite/abi, issue 9):
 *
 *   tmpfs/...   a tmpfs mounted with size= fills to exactly that size,
 *               then ENOSPC (write, fallocate, statfs agree); a tmpfs
 *               without size= gets half of RAM; fallocate past the limit
 *               fails before anything is allocated; nr_inodes= (an
 *               inode per two pages of RAM by default) ends in ENOSPC
 *               for every kind of node and for hard links; uid=, gid=
 *               and mode= give the root's owner and mode, size=N% a
 *               share of RAM
 *   shmem/...   memfd and shared anonymous pages count in Shmem
 *   fds/...     every call that makes a descriptor says EMFILE at
 *               RLIMIT_NOFILE; descriptors past it are EBADF/EINVAL
 *   pipes/...   500 full pipes hold 64 KiB each (EAGAIN when full), and
 *               give it back when closed
 *   threads/... threads until RLIMIT_NPROC (as nobody): EAGAIN, and as
 *               many again once they are joined
 *   procs/...   a kill of a group of 600 reaches every member
 *   oom/...     memory runs out: the OOM killer kills the largest process
 *               (not the one that asked last, never init)
 *   kmem/...    the kernel's own allocations when memory has run out:
 *               pipes, sockets, files, processes and mappings are refused
 *               with Linux's errnos (or the OOM killer makes room)
 *
 * On Kite, MemFree is back where it was after each (check.h). Needs root
 * (mount, setuid). Under qemu-user every case would measure the host:
 * all are skipped there; abi-ref.sh runs them on the reference Linux.
 * User space.
 */
#include "check.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>

static char dir[256];

static long blocks_free(void)
{
  struct statfs st;
  return statfs(dir, &st) ? -1 : (long)st.f_bfree;
}

/* write 64 KiB at a time until the file system refuses: bytes written, last result */
static long fill(int fd, long *last)
{
  static char chunk[65536];
  memset(chunk, 'z', sizeof(chunk));
  long total = 0, r;
  while ((r = raw3(SYS_write, fd, chunk, sizeof(chunk))) > 0)
    total += r;
  *last = r;
  return total;
}

static void tmpfs_size_round(long mem);

static void test_tmpfs_size(void)
{
  if (skip_on_qemu("tmpfs/size-limit", "mount needs a kernel of our own"))
    return;
  snprintf(dir, sizeof(dir), "%s/exhaust-tmpfs", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  mkdir(dir, 0755);
  /* a first round quietly: the slabs and tables it grows are not a leak */
  abi_quiet = 1;
  tmpfs_size_round(-1);
  abi_quiet = 0;
  tmpfs_size_round(on_kite() ? free_settled_kb() : -1);
}

static void tmpfs_size_round(long mem)
{
  CHECK_RET("tmpfs/mount-size-1m", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, "size=1m"), 0);
  struct statfs st;
  statfs(dir, &st);
  CHECKF("tmpfs/statfs-size", st.f_bsize == 4096 && st.f_blocks == 256 && st.f_bfree == 256,
         "bsize %ld, blocks %ld, free %ld (want 4096, 256, 256)", (long)st.f_bsize, (long)st.f_blocks,
         (long)st.f_bfree);
  char a[300], b[300];
  snprintf(a, sizeof(a), "%s/a", dir);
  snprintf(b, sizeof(b), "%s/b", dir);
  int fd = open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
  long last;
  long total = fill(fd, &last);
  CHECKF("tmpfs/fills-to-size-then-enospc", total == 1 << 20 && last == -ENOSPC, "%ld bytes, then %ld", total,
         last);
  CHECKF("tmpfs/statfs-full", blocks_free() == 0, "%ld blocks free", blocks_free());
  int fd2 = open(b, O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK("tmpfs/create-when-full", fd2 >= 0);
  CHECK_RET("tmpfs/fallocate-when-full", raw4(SYS_fallocate, fd2, 0, 0, 4096), -ENOSPC);
  CHECK_RET("tmpfs/write-when-full", raw3(SYS_write, fd2, "x", 1), -ENOSPC);
  /* freeing it gives the room back: truncate, then unlink */
  CHECK_RET("tmpfs/truncate-frees", raw2(SYS_ftruncate, fd, 512 << 10) == 0 ? blocks_free() : -1, 128);
  close(fd);
  unlink(a);
  CHECK_RET("tmpfs/unlink-frees", blocks_free(), 256);
  /* fallocate beyond what is free: ENOSPC before anything is taken */
  CHECK_RET("tmpfs/fallocate-over-size", raw4(SYS_fallocate, fd2, 0, 0, 2 << 20), -ENOSPC);
  CHECK_RET("tmpfs/fallocate-over-size-took-nothing", blocks_free(), 256);
  CHECK_RET("tmpfs/fallocate-fits", raw4(SYS_fallocate, fd2, 0, 0, 512 << 10), 0);
  CHECK_RET("tmpfs/fallocate-counted", blocks_free(), 128);
  struct stat sb;
  fstat(fd2, &sb);
  CHECKF("tmpfs/fallocate-size", sb.st_size == 512 << 10, "st_size %ld", (long)sb.st_size);
  close(fd2);
  unlink(b);
  CHECK_RET("tmpfs/umount", raw2(SYS_umount2, dir, 0), 0);
  if (mem >= 0)
    check_no_leak("tmpfs/size-limit-memory-back", mem);
}

static void test_tmpfs_default(void)
{
  if (skip_on_qemu("tmpfs/default-size", "mount needs a kernel of our own"))
    return;
  snprintf(dir, sizeof(dir), "%s/exhaust-tmpfs", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  mkdir(dir, 0755);
  long mem = on_kite() ? free_settled_kb() : -1;
  CHECK_RET("tmpfs/mount-default", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, NULL), 0);
  struct sysinfo si;
  sysinfo(&si);
  unsigned long half = (unsigned long)((unsigned long long)si.totalram * si.mem_unit / 4096 / 2);
  struct statfs st;
  statfs(dir, &st);
  CHECKF("tmpfs/default-half-of-ram", (unsigned long)st.f_blocks == half, "%lu blocks, half of RAM is %lu",
         (unsigned long)st.f_blocks, half);
  char a[300];
  snprintf(a, sizeof(a), "%s/big", dir);
  int fd = open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK_RET("tmpfs/fallocate-4g-enospc", raw4(SYS_fallocate, fd, 0, 0, 4LL << 30), -ENOSPC);
  struct stat sb;
  fstat(fd, &sb);
  CHECKF("tmpfs/fallocate-4g-took-nothing", sb.st_blocks == 0 && blocks_free() == (long)half,
         "st_blocks %ld, %ld blocks free", (long)sb.st_blocks, blocks_free());
  close(fd);
  unlink(a);
  CHECK_RET("tmpfs/umount-default", raw2(SYS_umount2, dir, 0), 0);
  if (mem >= 0)
    check_no_leak("tmpfs/default-memory-back", mem);
}

/* ---- tmpfs inodes (nr_inodes=) and Shmem ---- */

static long inodes_free(void)
{
  struct statfs st;
  return statfs(dir, &st) ? -1 : (long)st.f_ffree;
}

/* Make name (in dir) as a file, directory, symlink or fifo (by i % 4): 0 or -errno. */
static long make_node(int i)
{
  char p[300];
  snprintf(p, sizeof(p), "%s/n%d", dir, i);
  long r;
  switch (i % 4) {
  case 0: r = open(p, O_CREAT | O_WRONLY, 0644); if (r >= 0) close((int)r); break;
  case 1: r = mkdir(p, 0755); break;
  case 2: r = symlink("target", p); break;
  default: r = mknod(p, S_IFIFO | 0644, 0); break;
  }
  return r < 0 ? -errno : 0;
}

static void test_tmpfs_inodes(void)
{
  if (skip_on_qemu("tmpfs/nr-inodes", "mount needs a kernel of our own"))
    return;
  snprintf(dir, sizeof(dir), "%s/exhaust-tmpfs", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  mkdir(dir, 0755);
  CHECK_RET("tmpfs/mount-nr-inodes-8", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, "nr_inodes=8"), 0);
  struct statfs st;
  statfs(dir, &st);
  CHECKF("tmpfs/statfs-inodes", st.f_files == 8 && st.f_ffree == 7, "files %ld, free %ld (want 8, 7: the root has one)",
         (long)st.f_files, (long)st.f_ffree);
  int made = 0;
  long r;
  while ((r = make_node(made)) == 0 && made < 100)
    made++;
  CHECKF("tmpfs/inodes-then-enospc", made == 7 && r == -ENOSPC, "%d made, then %ld", made, r);
  CHECK_RET("tmpfs/inodes-statfs-full", inodes_free(), 0);
  for (int i = 0; i < 4; i++)
    CHECK_RET("tmpfs/inodes-full-each-kind-enospc", make_node(100 + i), -ENOSPC);
  char a[300], b[300], c[300];
  snprintf(a, sizeof(a), "%s/n0", dir);
  snprintf(b, sizeof(b), "%s/n4", dir);
  snprintf(c, sizeof(c), "%s/link", dir);
  CHECK_RET("tmpfs/inodes-link-when-full-enospc", link(a, c) < 0 ? -errno : 0, -ENOSPC);
  CHECK_RET("tmpfs/inodes-unlink-frees", unlink(b) < 0 ? -errno : inodes_free(), 1);
  /* a hard link takes one too (each pins a dentry), and its unlink gives it back */
  CHECK_RET("tmpfs/inodes-link-takes-one", link(a, c) < 0 ? -errno : inodes_free(), 0);
  CHECK_RET("tmpfs/inodes-unlink-link-frees", unlink(c) < 0 ? -errno : inodes_free(), 1);
  /* a name renamed over a hard link removes that link: its inode back */
  snprintf(b, sizeof(b), "%s/n3", dir);
  CHECK_RET("tmpfs/inodes-link-again", link(a, c) < 0 ? -errno : inodes_free(), 0);
  CHECK_RET("tmpfs/inodes-rename-over-link-frees", rename(b, c) < 0 ? -errno : inodes_free(), 1);
  for (int i = 0; i < made; i++) {
    snprintf(b, sizeof(b), "%s/n%d", dir, i);
    if (i % 4 == 1)
      rmdir(b);
    else
      unlink(b);
  }
  unlink(c);
  CHECK_RET("tmpfs/inodes-all-back", inodes_free(), 7);
  CHECK_RET("tmpfs/umount-nr-inodes", raw2(SYS_umount2, dir, 0), 0);
  /* the default: an inode per two pages of RAM, as Linux's */
  CHECK_RET("tmpfs/mount-default-inodes", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, NULL), 0);
  struct sysinfo si;
  sysinfo(&si);
  unsigned long half = (unsigned long)((unsigned long long)si.totalram * si.mem_unit / 4096 / 2);
  statfs(dir, &st);
  CHECKF("tmpfs/default-inodes-half-of-ram-pages", st.f_files == half && st.f_ffree == half - 1,
         "files %lu free %lu, half of RAM's pages is %lu", (unsigned long)st.f_files, (unsigned long)st.f_ffree,
         half);
  CHECK_RET("tmpfs/umount-default-inodes", raw2(SYS_umount2, dir, 0), 0);
}

/* /proc/meminfo's Shmem in kB */
static long shmem_kb(void)
{
  FILE *f = fopen("/proc/meminfo", "r");
  char line[128];
  long kb = -1;
  while (f && fgets(line, sizeof(line), f))
    if (sscanf(line, "Shmem: %ld kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb;
}

/* Shared memory is counted in Shmem as Linux counts it: memfd and shared anonymous pages
 * (Linux's counters are per-CPU and batched: a little slack) */
static void test_shmem(void)
{
  if (skip_on_qemu("shmem/meminfo", "/proc/meminfo is the host's"))
    return;
  long base = shmem_kb();
  int fd = (int)raw2(SYS_memfd_create, "shm", 0);
  static char chunk[65536];
  memset(chunk, 's', sizeof(chunk));
  for (int i = 0; i < 32; i++) /* 2 MiB */
    write(fd, chunk, sizeof(chunk));
  long d = shmem_kb() - base;
  CHECKF("shmem/memfd-counted", d >= 2048 - 256 && d < 2048 + 512, "Shmem grew by %ld kB for a 2 MiB memfd", d);
  close(fd);
  d = shmem_kb() - base;
  CHECKF("shmem/memfd-freed", d < 512, "Shmem %ld kB above its start after close", d);
  char *m = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m != MAP_FAILED)
    memset(m, 1, 2 << 20);
  d = shmem_kb() - base;
  CHECKF("shmem/shared-anonymous-counted", m != MAP_FAILED && d >= 2048 - 256 && d < 2048 + 512,
         "Shmem grew by %ld kB for 2 MiB of shared anonymous memory", d);
  if (m != MAP_FAILED)
    munmap(m, 2 << 20);
  d = shmem_kb() - base;
  CHECKF("shmem/shared-anonymous-freed", d < 512, "Shmem %ld kB above its start after munmap", d);
}

/* ---- descriptors ---- */

static void test_fds(void)
{
  if (skip_on_qemu("fds/limits", "qemu's own descriptors count against the limit"))
    return;
  long mem = on_kite() ? free_settled_kb() : -1;
  struct rlimit old, lim = {64, 64};
  getrlimit(RLIMIT_NOFILE, &old);
  setrlimit(RLIMIT_NOFILE, &lim);
  int n = 0, fd, last = 0;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
    last = fd;
    n++;
  }
  CHECKF("fds/open-emfile", fd < 0 && errno == EMFILE && last == 63, "%d opened, the last %d, then errno %d", n,
         last, errno);
  int p[2], sv[2];
  CHECK_RET("fds/pipe-emfile", raw2(SYS_pipe2, p, 0), -EMFILE);
  CHECK_RET("fds/socket-emfile", raw3(SYS_socket, AF_UNIX, SOCK_STREAM, 0), -EMFILE);
  CHECK_RET("fds/socketpair-emfile", raw4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv), -EMFILE);
  CHECK_RET("fds/dup-emfile", raw1(SYS_dup, 0), -EMFILE);
  CHECK_RET("fds/eventfd-emfile", raw2(SYS_eventfd2, 0, 0), -EMFILE);
  CHECK_RET("fds/epoll-emfile", raw1(SYS_epoll_create1, 0), -EMFILE);
  CHECK_RET("fds/memfd-emfile", raw2(SYS_memfd_create, "x", 0), -EMFILE);
  CHECK_RET("fds/dup3-past-limit-ebadf", raw3(SYS_dup3, 0, 64, 0), -EBADF);
  CHECK_RET("fds/fcntl-dupfd-past-limit-einval", raw3(SYS_fcntl, 0, F_DUPFD, 64), -EINVAL);
  /* one closed: exactly one more fits, in the hole */
  close(40);
  CHECK_RET("fds/pipe-needs-two", raw2(SYS_pipe2, p, 0), -EMFILE);
  CHECK_RET("fds/one-free-slot-reused", raw3(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY), 40);
  for (int i = 3; i < 64; i++)
    close(i);
  setrlimit(RLIMIT_NOFILE, &old);
  /* many sockets, then all closed */
  int made = 0;
  for (int i = 0; i < 200; i++) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
      break;
    made++;
    close(sv[0]);
    close(sv[1]);
  }
  CHECKF("fds/socketpairs-made-and-closed", made == 200, "%d", made);
  if (mem >= 0)
    check_no_leak("fds/memory-back", mem);
}

/* ---- pipes: each holds 64 KiB, and gives it back ---- */

static void pipes_round(long mem);

static void test_pipes(void)
{
  if (skip_on_qemu("pipes/full-pipes", "the host's pipes"))
    return;
  struct rlimit old, lim = {1024 + 16, 1024 + 16};
  getrlimit(RLIMIT_NOFILE, &old);
  setrlimit(RLIMIT_NOFILE, &lim);
  /* a first round quietly: the descriptor table and slabs it grows stay */
  abi_quiet = 1;
  pipes_round(-1);
  abi_quiet = 0;
  pipes_round(on_kite() ? free_settled_kb() : -1);
  setrlimit(RLIMIT_NOFILE, &old);
}

static void pipes_round(long mem)
{
  enum { N = 500 };
  static int ends[N][2];
  static char chunk[65536];
  int made = 0;
  long held = 0;
  for (int i = 0; i < N; i++) {
    if (pipe2(ends[i], O_NONBLOCK))
      break;
    made++;
    long r;
    while ((r = write(ends[i][1], chunk, sizeof(chunk))) > 0)
      held += r;
  }
  CHECKF("pipes/500-full-pipes", made == N && held == (long)N * 65536, "%d pipes holding %ld bytes", made, held);
  /* a full pipe says EAGAIN, not more memory */
  CHECK_RET("pipes/full-eagain", raw3(SYS_write, ends[0][1], chunk, 1), -EAGAIN);
  for (int i = 0; i < made; i++) {
    close(ends[i][0]);
    close(ends[i][1]);
  }
  if (mem >= 0)
    check_no_leak("pipes/memory-back", mem);
}

/* ---- threads: until RLIMIT_NPROC, then EAGAIN, then back ---- */

#define THREAD_LIMIT 40
static int thread_gate[2];

static void *parked(void *arg)
{
  char c;
  read(thread_gate[0], &c, 1);
  return arg;
}

/* start threads until pthread_create fails: how many, and its error */
static int start_threads(pthread_t *t, int max, int *err)
{
  int n = 0;
  *err = 0;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 << 10);
  while (n < max && (*err = pthread_create(&t[n], &a, parked, NULL)) == 0)
    n++;
  return n;
}

static void threads_child(void *arg)
{
  (void)arg;
  /* Root is exempt from RLIMIT_NPROC: become nobody first (as hostile.c's nproc/) */
  CHECK("threads/drops-to-nobody", setgid(65534) == 0 && setuid(65534) == 0);
  struct rlimit rl = {THREAD_LIMIT, THREAD_LIMIT};
  CHECK("threads/setrlimit", setrlimit(RLIMIT_NPROC, &rl) == 0);
  pipe(thread_gate);
  static pthread_t t[THREAD_LIMIT + 10];
  int err;
  int n = start_threads(t, THREAD_LIMIT + 10, &err);
  /* the process's own thread counts: one fewer than the limit */
  CHECKF("threads/until-eagain", n == THREAD_LIMIT - 1 && err == EAGAIN, "%d threads, then error %d", n, err);
  char release[THREAD_LIMIT + 10];
  memset(release, 'g', sizeof(release));
  write(thread_gate[1], release, n);
  int joined = 0;
  for (int i = 0; i < n; i++)
    joined += pthread_join(t[i], NULL) == 0;
  CHECKF("threads/all-joined", joined == n, "%d of %d", joined, n);
  /* and as many again once they are gone */
  int n2 = start_threads(t, THREAD_LIMIT + 10, &err);
  CHECKF("threads/as-many-again", n2 == n && err == EAGAIN, "%d threads, then error %d", n2, err);
  write(thread_gate[1], release, n2);
  for (int i = 0; i < n2; i++)
    pthread_join(t[i], NULL);
}

static void test_threads(void)
{
  if (skip_on_qemu("threads/nproc", "the host's count of nobody's tasks"))
    return;
  long mem = on_kite() ? free_settled_kb() : -1;
  child_checks("threads", threads_child, NULL, 60000);
  if (mem >= 0)
    check_no_leak("threads/memory-back", mem);
}

/* ---- processes: a group kill reaches every member ---- */

/*
 * 600 processes in one group (more than a kernel might signal in one
 * batch), then kill(-group, SIGKILL): every one dies. The same for
 * kill(-1) is what a shell's `kill -9 -1` after a fork bomb relies on.
 */
static void test_group_kill(void)
{
  if (skip_on_qemu("procs/group-kill", "600 emulators"))
    return;
  enum { N = 600 };
  static pid_t pids[N];
  long mem = on_kite() ? free_settled_kb() : -1;
  int ready[2];
  pipe(ready);
  int made = 0;
  for (int i = 0; i < N; i++) {
    pid_t c = fork();
    if (c == 0) {
      setpgid(0, i ? pids[0] : 0);
      close(ready[0]);
      write(ready[1], "r", 1);
      for (;;)
        pause();
    }
    if (c < 0)
      break;
    setpgid(c, i ? pids[0] : c); /* whoever runs first: the group exists before the write */
    pids[made++] = c;
  }
  close(ready[1]);
  char buf[N];
  long got = 0, r;
  while (got < made && (r = read(ready[0], buf, sizeof(buf))) > 0)
    got += r;
  close(ready[0]);
  CHECKF("procs/600-in-one-group", made == N && got == N, "%d made, %ld ready", made, got);
  CHECK_RET("procs/group-kill", raw2(SYS_kill, -pids[0], SIGKILL), 0);
  int killed = 0;
  for (int i = 0; i < made; i++) {
    int st = wait_child_timeout(pids[i], 10000);
    killed += st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
  }
  CHECKF("procs/group-kill-reaches-all", killed == made, "%d of %d killed", killed, made);
  if (mem >= 0)
    check_no_leak("procs/memory-back", mem);
}

/* ---- memory: the OOM killer ---- */

static long meminfo_kb(const char *key)
{
  char buf[4096];
  int fd = open("/proc/meminfo", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = 0;
  char *p = strstr(buf, key);
  return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* touch every page of `bytes` of fresh anonymous memory */
static char *touch(long bytes)
{
  char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return NULL;
  for (long i = 0; i < bytes; i += 4096)
    m[i] = 1;
  return m;
}

/*
 * A hog holds 60% of the available memory and sleeps; then another
 * process asks for 55%. Linux's OOM killer kills the largest — the hog —
 * and the other one gets its memory and finishes. Init lives.
 */
static void test_oom(void)
{
  if (skip_on_qemu("oom/largest-killed", "the host's memory"))
    return;
  long mem = on_kite() ? free_settled_kb() : -1;
  long avail = meminfo_kb("MemAvailable:");
  int ready[2];
  pipe(ready);
  pid_t hog = fork();
  if (hog == 0) {
    close(ready[0]);
    if (!touch(avail / 100 * 60 * 1024))
      _exit(3);
    write(ready[1], "r", 1);
    for (;;)
      pause();
  }
  close(ready[1]);
  char c;
  CHECK("oom/hog-ready", read(ready[0], &c, 1) == 1);
  close(ready[0]);
  pid_t big = fork();
  if (big == 0)
    _exit(touch(avail / 100 * 55 * 1024) ? 0 : 4);
  int st = wait_child_timeout(big, 120000);
  CHECKF("oom/second-gets-its-memory", EXITED_OK(st), "%s", status_str(st));
  int hst = wait_child_timeout(hog, 10000);
  CHECKF("oom/largest-killed", hst >= 0 && WIFSIGNALED(hst) && WTERMSIG(hst) == SIGKILL, "the hog: %s",
         status_str(hst));
  if (hst < 0) {
    kill(hog, SIGKILL);
    waitpid(hog, NULL, 0);
  }
  CHECK_RET("oom/init-alive", raw2(SYS_kill, 1, 0), 0);
  if (mem >= 0)
    check_no_leak("oom/memory-back", mem);
}

/*
 * The kernel's own allocations when memory runs out: a hog holds all but
 * a few MiB, then another process makes pipes (filled), socket pairs
 * (filled), tmpfs files, processes and mappings until each is refused.
 * Each refusal must be one of Linux's (ENOMEM, EAGAIN, ENOSPC, ENOBUFS,
 * EMFILE, ENFILE) or there is none because the OOM killer made room
 * (Linux's kills the hog) — never a panic or a hang; then everything
 * comes back.
 */
static int kmem_allowed(long r)
{
  return r >= 0 || r == -ENOMEM || r == -EAGAIN || r == -ENOSPC || r == -ENOBUFS || r == -EMFILE ||
         r == -ENFILE;
}

/* Record r for one kind of call: the first refusal Linux would not give. */
static void kmem_note(long r, long *bad)
{
  if (!kmem_allowed(r) && !*bad)
    *bad = r;
}

static void kmem_pressure(const char *tmp)
{
  static char chunk[65536];
  memset(chunk, 'k', sizeof(chunk));
  struct rlimit rl = {4096, 4096};
  setrlimit(RLIMIT_NOFILE, &rl);
  long bad = 0, r = 0;
  int n;
  for (n = 0; n < 1500; n++) { /* pipes, each filled */
    int p[2];
    if ((r = pipe2(p, O_NONBLOCK) < 0 ? -errno : 0) < 0)
      break;
    while ((r = raw3(SYS_write, p[1], chunk, sizeof(chunk))) > 0)
      ;
    if (r != -EAGAIN)
      kmem_note(r, &bad);
  }
  kmem_note(r, &bad);
  CHECKF("kmem/pipes", !bad, "%d pipes, then %ld (%s)", n, bad, strerror((int)-bad));
  raw3(SYS_close_range, 3, ~0U, 0); /* each kind runs out on its own */
  bad = 0;
  for (n = 0; n < 1000; n++) { /* stream socket pairs, each filled */
    int sv[2];
    if ((r = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0 ? -errno : 0) < 0)
      break;
    while ((r = raw6(SYS_sendto, sv[0], (long)chunk, sizeof(chunk), 0, 0, 0)) > 0)
      ;
    if (r != -EAGAIN)
      kmem_note(r, &bad);
  }
  kmem_note(r, &bad);
  CHECKF("kmem/sockets", !bad, "%d socket pairs, then %ld (%s)", n, bad, strerror((int)-bad));
  raw3(SYS_close_range, 3, ~0U, 0);
  bad = 0;
  for (n = 0; n < 2000; n++) { /* tmpfs files of 16 KiB */
    char path[300];
    snprintf(path, sizeof(path), "%s/f%d", tmp, n);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    if ((r = fd < 0 ? -errno : 0) < 0)
      break;
    r = raw3(SYS_write, fd, chunk, 16384);
    close(fd);
    if (r < 0)
      break;
  }
  kmem_note(r, &bad);
  CHECKF("kmem/files", !bad, "%d files, then %ld (%s)", n, bad, strerror((int)-bad));
  for (int i = 0; i <= n; i++) {
    char path[300];
    snprintf(path, sizeof(path), "%s/f%d", tmp, i);
    unlink(path);
  }
  bad = 0;
  static pid_t kids[300];
  int nk;
  for (nk = 0; nk < 300; nk++) { /* processes */
    pid_t c = fork();
    if (c == 0)
      for (;;)
        pause();
    if ((r = c < 0 ? -errno : 0) < 0)
      break;
    kids[nk] = c;
  }
  kmem_note(r, &bad);
  CHECKF("kmem/fork", !bad, "%d processes, then %ld (%s)", nk, bad, strerror((int)-bad));
  for (int i = 0; i < nk; i++)
    kill(kids[i], SIGKILL);
  for (int i = 0; i < nk; i++)
    waitpid(kids[i], NULL, 0);
  bad = 0;
  for (n = 0; n < 3000; n++) { /* mappings, one page of each touched */
    char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if ((r = m == MAP_FAILED ? -errno : 0) < 0)
      break;
    m[n % 16 * 4096] = 1;
    mprotect(m, 4096, PROT_READ); /* a mapping of its own each: no merging */
  }
  kmem_note(r, &bad);
  CHECKF("kmem/mmap", !bad, "%d mappings, then %ld (%s)", n, bad, strerror((int)-bad));
}

static void test_kmem(void)
{
  if (skip_on_qemu("kmem/pressure", "the host's memory"))
    return;
  char tmp[256];
  snprintf(tmp, sizeof(tmp), "%s/exhaust-kmem", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  mkdir(tmp, 0755);
  long mem = on_kite() ? free_settled_kb() : -1;
  long freekb = meminfo_kb("MemFree:");
  int ready[2];
  pipe(ready);
  /* What the hog leaves free. Linux keeps its zone watermarks (about 6 MiB
   * at 1 GiB) and needs the hog's page tables (2 MiB): with 8 MiB left its
   * OOM killer sometimes takes the hog before it is ready. */
  long keepkb = on_kite() ? 8192 : 32768;
  pid_t hog = fork();
  if (hog == 0) {
    close(ready[0]);
    if (freekb < 2 * keepkb || !touch((freekb - keepkb) * 1024))
      _exit(3);
    write(ready[1], "r", 1);
    for (;;)
      pause();
  }
  close(ready[1]);
  char c;
  CHECK("kmem/hog-ready", read(ready[0], &c, 1) == 1);
  close(ready[0]);
  pid_t w = fork();
  if (w == 0) {
    kmem_pressure(tmp);
    _exit(0);
  }
  int st = wait_child_timeout(w, 240000);
  CHECKF("kmem/finished", EXITED_OK(st), "%s", status_str(st));
  kill(hog, SIGKILL);
  waitpid(hog, NULL, 0);
  CHECK_RET("kmem/init-alive", raw2(SYS_kill, 1, 0), 0);
  for (int i = 0; i < 2000; i++) {
    char path[300];
    snprintf(path, sizeof(path), "%s/f%d", tmp, i);
    unlink(path);
  }
  rmdir(tmp);
  if (mem >= 0)
    check_no_leak("kmem/memory-back", mem);
}

/* uid=, gid=, mode= name the root's owner and mode; size=N% is a share of RAM */
static void test_tmpfs_options(void)
{
  if (skip_on_qemu("tmpfs/options", "mount needs a kernel of our own"))
    return;
  snprintf(dir, sizeof(dir), "%s/exhaust-tmpfs", getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp");
  mkdir(dir, 0755);
  struct stat st;
  CHECK_RET("tmpfs/mount-uid-gid-mode", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, "uid=1234,gid=567,mode=0710"),
            0);
  stat(dir, &st);
  CHECKF("tmpfs/root-owner-and-mode", st.st_uid == 1234 && st.st_gid == 567 && st.st_mode == (S_IFDIR | 0710),
         "uid %u gid %u mode %o", (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)st.st_mode);
  CHECK_RET("tmpfs/umount-options", raw2(SYS_umount2, dir, 0), 0);
  CHECK_RET("tmpfs/mount-default-owner", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, NULL), 0);
  stat(dir, &st);
  CHECKF("tmpfs/default-root-is-mounters-1777", st.st_uid == getuid() && st.st_gid == getgid() &&
         st.st_mode == (S_IFDIR | 01777), "uid %u gid %u mode %o", (unsigned)st.st_uid, (unsigned)st.st_gid,
         (unsigned)st.st_mode);
  CHECK_RET("tmpfs/umount-default-owner", raw2(SYS_umount2, dir, 0), 0);
  CHECK_RET("tmpfs/uid-not-a-number", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, "uid=abc"), -EINVAL);
  CHECK_RET("tmpfs/size-percent", raw5(SYS_mount, "tmpfs", dir, "tmpfs", 0, "size=25%"), 0);
  struct sysinfo si;
  sysinfo(&si);
  unsigned long quarter = (unsigned long)((unsigned long long)si.totalram * si.mem_unit / 4096 / 4);
  struct statfs sf;
  statfs(dir, &sf);
  /* Linux rounds a percentage of its page count; allow that one page */
  CHECKF("tmpfs/size-percent-of-ram", (unsigned long)sf.f_blocks + 1 >= quarter &&
         (unsigned long)sf.f_blocks <= quarter + 1, "%lu blocks, a quarter of RAM is %lu",
         (unsigned long)sf.f_blocks, quarter);
  CHECK_RET("tmpfs/umount-size-percent", raw2(SYS_umount2, dir, 0), 0);
}

int main(void)
{
  abi_family = "exhaust";
  run_section("tmpfs", test_tmpfs_size, 60000);
  run_section("tmpfs", test_tmpfs_default, 60000);
  run_section("tmpfs", test_tmpfs_inodes, 60000);
  run_section("tmpfs", test_tmpfs_options, 60000);
  run_section("shmem", test_shmem, 30000);
  run_section("fds", test_fds, 60000);
  run_section("pipes", test_pipes, 60000);
  run_section("threads", test_threads, 60000);
  run_section("procs", test_group_kill, 120000);
  run_section("oom", test_oom, 180000);
  run_section("kmem", test_kmem, 300000);
  return abi_done();
}
