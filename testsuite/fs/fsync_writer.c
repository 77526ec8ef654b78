/*
 * fsync_writer.c — the writer of the power-off test (testsuite/tests/
 * storage.sh). User space, static musl.
 *
 *   fsync_writer DIR N     writes DIR/synced-0 ... DIR/synced-<N-1>, each
 *                          followed by fsync of the file and of DIR, and
 *                          prints "SYNCED <name> <size>" once both fsyncs
 *                          have returned. Then prints "WRITING" and keeps
 *                          writing for ever, never syncing: it grows
 *                          DIR/busy-<k> files in 64 KiB steps, and creates,
 *                          renames and removes small files in DIR (so the
 *                          directory the synced files live in keeps
 *                          changing) until the machine is switched off.
 *   fsync_writer --expect K  writes the contents synced-K must have to
 *                          stdout (the host runs this under qemu-riscv64).
 *
 * The contents are a pure function of (K, position): nothing random, so the
 * host can check every byte after the crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

/* synced_size: the length of synced-K (between 5 KiB and about 1.3 MiB). */
static long synced_size(int k) { return 5000L + (long)k * 97531L % 1300000L; }

/* fill: the bytes of file K from position pos on. */
static void fill(unsigned char *buf, long len, int k, long pos)
{
  for (long i = 0; i < len; i++) {
    unsigned long x = (unsigned long)(pos + i);
    buf[i] = (unsigned char)((x * 2654435761UL >> 13) ^ (x >> 8) ^ (unsigned long)k * 37UL);
  }
}

/* write_all: write len bytes or die. */
static void write_all(int fd, const unsigned char *buf, long len, const char *what)
{
  while (len > 0) {
    long n = write(fd, buf, (size_t)len);
    if (n <= 0) {
      printf("WRITER-ERROR write %s: %s\n", what, strerror(errno));
      fflush(stdout);
      exit(1);
    }
    buf += n;
    len -= n;
  }
}

/* expect: write what synced-K must hold to stdout; 0. */
static int expect(int k)
{
  static unsigned char buf[CHUNK];
  long size = synced_size(k);
  for (long pos = 0; pos < size; pos += CHUNK) {
    long n = size - pos < CHUNK ? size - pos : CHUNK;
    fill(buf, n, k, pos);
    write_all(1, buf, n, "stdout");
  }
  return 0;
}

int main(int argc, char **argv)
{
  static unsigned char buf[CHUNK];
  char name[4200];
  if (argc == 3 && strcmp(argv[1], "--expect") == 0)
    return expect(atoi(argv[2]));
  if (argc != 3) {
    fprintf(stderr, "usage: fsync_writer DIR N | fsync_writer --expect K\n");
    return 2;
  }
  const char *dir = argv[1];
  int n = atoi(argv[2]);
  setvbuf(stdout, NULL, _IOLBF, 0);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  if (dfd < 0) {
    printf("WRITER-ERROR open %s: %s\n", dir, strerror(errno));
    return 1;
  }
  for (int k = 0; k < n; k++) {
    snprintf(name, sizeof(name), "%s/synced-%d", dir, k);
    int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
      printf("WRITER-ERROR create %s: %s\n", name, strerror(errno));
      return 1;
    }
    long size = synced_size(k);
    for (long pos = 0; pos < size; pos += CHUNK) {
      long len = size - pos < CHUNK ? size - pos : CHUNK;
      fill(buf, len, k, pos);
      write_all(fd, buf, len, name);
    }
    if (fsync(fd) != 0 || fsync(dfd) != 0) {
      printf("WRITER-ERROR fsync %s: %s\n", name, strerror(errno));
      return 1;
    }
    close(fd);
    printf("SYNCED synced-%d %ld\n", k, size);
  }
  printf("WRITING\n");
  /* never synced: big files growing, small files coming and going */
  for (long round = 0;; round++) {
    snprintf(name, sizeof(name), "%s/busy-%ld", dir, round % 4);
    int fd = open(name, O_CREAT | O_WRONLY | O_APPEND, 0644);
    for (int c = 0; fd >= 0 && c < 16; c++) {
      fill(buf, CHUNK, 1000 + (int)round, c * CHUNK);
      write_all(fd, buf, CHUNK, name);
    }
    if (fd >= 0)
      close(fd);
    if (round % 4 == 3) /* start the busy files over: clusters freed and reused */
      for (int b = 0; b < 4; b++) {
        snprintf(name, sizeof(name), "%s/busy-%d", dir, b);
        unlink(name);
      }
    char a[4200], b2[4200];
    snprintf(a, sizeof(a), "%s/churn file %ld with a long name", dir, round);
    snprintf(b2, sizeof(b2), "%s/churned-%ld", dir, round);
    fd = open(a, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) {
      write_all(fd, buf, 1000, a);
      close(fd);
    }
    rename(a, b2);
    if (round >= 8) {
      snprintf(b2, sizeof(b2), "%s/churned-%ld", dir, round - 8);
      unlink(b2);
    }
  }
}
