/*
 * fsbench.c — file-system benchmarks, run unchanged on Kite and on the
 * reference Linux (bench/fs.py), on a FAT32 or ext4 disk on virtio-blk.
 * Each prints "BENCH <name> <value> <unit>"; times come from
 * CLOCK_MONOTONIC.
 *
 *   fsbench write FILE MIB    write MIB MiB in 1 MiB write() calls, then
 *                             fsync: fs_write_fsync_<MIB>m in MB/s (MB =
 *                             10^6 bytes), and the two parts in seconds
 *   fsbench read FILE         read FILE to the end in 1 MiB read() calls
 *                             (run it after a remount: nothing cached):
 *                             fs_read_<MIB>m in MB/s
 *   fsbench create DIR N      create N empty files in DIR (open with
 *                             O_CREAT|O_EXCL, close): fs_create_<N> in ms,
 *                             then sync(): fs_create_<N>_sync in ms
 *   fsbench unlink DIR N      unlink the N files create made, then sync():
 *                             fs_unlink_<N>_sync in ms
 *   fsbench list DIR          read the directory (getdents64 through
 *                             readdir): fs_list_<entries> in ms; then the
 *                             same with lstat of every name (ls -l):
 *                             fs_list_stat_<entries> in ms
 *   fsbench run NAME CMD...   run CMD (fork, exec, wait), then sync():
 *                             NAME in ms (e.g. a tar extraction)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define CHUNK (1 << 20)

/* now_s: CLOCK_MONOTONIC in seconds. */
static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* die: report a failed call on the console (the host looks for BENCH-ERROR). */
static void die(const char *what, const char *path)
{
  printf("BENCH-ERROR %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

/* bench_write: create path, write mib MiB, fsync; print the rate and the two parts. */
static int bench_write(const char *path, long mib)
{
  char *buf = malloc(CHUNK);
  for (long i = 0; i < CHUNK; i++)
    buf[i] = (char)(i * 7 + 1);
  double t0 = now_s();
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0)
    die("open", path);
  for (long i = 0; i < mib; i++)
    if (write(fd, buf, CHUNK) != CHUNK)
      die("write", path);
  double t1 = now_s();
  if (fsync(fd) != 0)
    die("fsync", path);
  close(fd);
  double t2 = now_s();
  printf("BENCH fs_write_fsync_%ldm %.1f MB/s\n", mib, mib * CHUNK / 1e6 / (t2 - t0));
  printf("BENCH fs_write_part_%ldm %.2f s\n", mib, t1 - t0);
  printf("BENCH fs_fsync_part_%ldm %.2f s\n", mib, t2 - t1);
  return 0;
}

/* bench_read: read path to its end; print the rate. */
static int bench_read(const char *path)
{
  char *buf = malloc(CHUNK);
  double t0 = now_s();
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    die("open", path);
  long total = 0, n;
  while ((n = read(fd, buf, CHUNK)) > 0)
    total += n;
  if (n < 0)
    die("read", path);
  close(fd);
  double t1 = now_s();
  printf("BENCH fs_read_%ldm %.1f MB/s\n", total >> 20, total / 1e6 / (t1 - t0));
  return 0;
}

/* bench_create: create n empty files in dir; print the time, then with a sync. */
static int bench_create(const char *dir, int n)
{
  char name[4200];
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof(name), "%s/file-%04d.txt", dir, i);
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0)
      die("create", name);
    close(fd);
  }
  double t1 = now_s();
  sync();
  double t2 = now_s();
  printf("BENCH fs_create_%d %.1f ms\n", n, (t1 - t0) * 1e3);
  printf("BENCH fs_create_%d_sync %.1f ms\n", n, (t2 - t0) * 1e3);
  return 0;
}

/* bench_unlink: remove the files bench_create made; print the time with a sync. */
static int bench_unlink(const char *dir, int n)
{
  char name[4200];
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof(name), "%s/file-%04d.txt", dir, i);
    if (unlink(name) != 0)
      die("unlink", name);
  }
  sync();
  double t1 = now_s();
  printf("BENCH fs_unlink_%d_sync %.1f ms\n", n, (t1 - t0) * 1e3);
  return 0;
}

/* bench_list: list dir, then list it again with lstat of every entry. */
static int bench_list(const char *dir)
{
  double t0 = now_s();
  DIR *d = opendir(dir);
  if (!d)
    die("opendir", dir);
  int n = 0;
  while (readdir(d))
    n++;
  closedir(d);
  double t1 = now_s();
  d = opendir(dir);
  if (!d)
    die("opendir", dir);
  struct dirent *e;
  struct stat st;
  while ((e = readdir(d)))
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      die("lstat", e->d_name);
  closedir(d);
  double t2 = now_s();
  printf("BENCH fs_list_%d %.1f ms\n", n - 2, (t1 - t0) * 1e3);
  printf("BENCH fs_list_stat_%d %.1f ms\n", n - 2, (t2 - t1) * 1e3);
  return 0;
}

/* bench_run: time a command and the sync after it. */
static int bench_run(const char *name, char **argv)
{
  double t0 = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv);
    _exit(127);
  }
  int st;
  if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    die("run", argv[0]);
  sync();
  double t1 = now_s();
  printf("BENCH %s %.1f ms\n", name, (t1 - t0) * 1e3);
  return 0;
}

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 4 && strcmp(argv[1], "write") == 0)
    return bench_write(argv[2], atol(argv[3]));
  if (argc == 3 && strcmp(argv[1], "read") == 0)
    return bench_read(argv[2]);
  if (argc == 4 && strcmp(argv[1], "create") == 0)
    return bench_create(argv[2], atoi(argv[3]));
  if (argc == 4 && strcmp(argv[1], "unlink") == 0)
    return bench_unlink(argv[2], atoi(argv[3]));
  if (argc == 3 && strcmp(argv[1], "list") == 0)
    return bench_list(argv[2]);
  if (argc >= 4 && strcmp(argv[1], "run") == 0)
    return bench_run(argv[2], argv + 3);
  fprintf(stderr, "usage: fsbench write FILE MIB | read FILE | create DIR N | unlink DIR N | list DIR |"
                  " run NAME CMD...\n");
  return 2;
}
