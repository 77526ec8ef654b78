/*
 * fsbench.c — file-system benchmarks, run unchanged on Kite and on the
 * reference Linux (bench/fs.py), on a FAT32 disk on virtio-blk. Each
 * prints "BENCH <name> <value> <unit>"; times come from CLOCK_MONOTONIC.
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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 4 && strcmp(argv[1], "write") == 0)
    return bench_write(argv[2], atol(argv[3]));
  if (argc == 3 && strcmp(argv[1], "read") == 0)
    return bench_read(argv[2]);
  if (argc == 4 && strcmp(argv[1], "create") == 0)
    return bench_create(argv[2], atoi(argv[3]));
  fprintf(stderr, "usage: fsbench write FILE MIB | read FILE | create DIR N\n");
  return 2;
}
