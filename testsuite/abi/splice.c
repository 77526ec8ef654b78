/*
 * splice.c — splice, tee, vmsplice, preadv2 and pwritev2 (testsuite/abi):
 * file to pipe and pipe to file with and without offsets (which are
 * updated, while the file position is not), pipe to pipe, sockets on
 * either side, SPLICE_F_NONBLOCK, EOF, EPIPE, a blocked splice woken by a
 * writer, a megabyte through a pipe; tee's copy that leaves the input;
 * vmsplice into and out of a pipe; preadv2/pwritev2 at an offset and at
 * the file position (-1), RWF_APPEND, RWF_NOWAIT on a pipe, the sync
 * flags; the errors in Linux's order (files that cannot be spliced:
 * EINVAL before the pipe waits). User space; runs on Kite and on
 * Linux.
 */
#include "check.h"
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define F_NONBLOCK 2 /* SPLICE_F_NONBLOCK */

static long ksplice(int in, long long *oin, int out, long long *oout, size_t len, unsigned flags)
{
  return raw6(SYS_splice, in, (long)oin, out, (long)oout, (long)len, flags);
}

static int mkfile(const char *name, const char *data)
{
  int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (data)
    write(fd, data, strlen(data));
  return fd;
}

static void test_splice(void)
{
  int fd = mkfile("s.txt", "0123456789");
  int p[2];
  pipe(p);
  long long off = 2;
  lseek(fd, 0, SEEK_SET);
  CHECK_RET("file-to-pipe/at-offset", ksplice(fd, &off, p[1], NULL, 5, 0), 5);
  CHECK("file-to-pipe/offset-updated", off == 7);
  CHECK("file-to-pipe/position-untouched", lseek(fd, 0, SEEK_CUR) == 0);
  char buf[64] = "";
  CHECK("file-to-pipe/data", read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "23456", 5));
  CHECK_RET("file-to-pipe/at-position", ksplice(fd, NULL, p[1], NULL, 4, 0), 4);
  CHECK("file-to-pipe/position-advanced", lseek(fd, 0, SEEK_CUR) == 4);
  read(p[0], buf, sizeof(buf));
  off = 8;
  CHECK_RET("file-to-pipe/short-at-eof", ksplice(fd, &off, p[1], NULL, 100, 0), 2);
  off = 10;
  CHECK_RET("file-to-pipe/eof-zero", ksplice(fd, &off, p[1], NULL, 100, 0), 0);
  read(p[0], buf, sizeof(buf));

  write(p[1], "hello", 5);
  off = 100;
  CHECK_RET("pipe-to-file/at-offset", ksplice(p[0], NULL, fd, &off, 64, 0), 5);
  struct stat st;
  fstat(fd, &st);
  memset(buf, 0, sizeof(buf));
  CHECK("pipe-to-file/data", pread(fd, buf, 5, 100) == 5 && !memcmp(buf, "hello", 5) && st.st_size == 105 &&
                                 off == 105);
  CHECK_RET("pipe-to-file/empty-nonblock-eagain", ksplice(p[0], NULL, fd, &off, 64, F_NONBLOCK), -EAGAIN);

  int q[2];
  pipe(q);
  write(p[1], "abcdef", 6);
  CHECK_RET("pipe-to-pipe", ksplice(p[0], NULL, q[1], NULL, 4, 0), 4);
  CHECK("pipe-to-pipe/moved", read(q[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "abcd", 4) &&
                                  read(p[0], buf, sizeof(buf)) == 2 && !memcmp(buf, "ef", 2));

  /* errors, in Linux's order */
  CHECK_RET("zero-length", ksplice(999, NULL, 999, NULL, 0, 0), 0);
  CHECK_RET("einval-flags", ksplice(p[0], NULL, fd, NULL, 1, 0x10), -EINVAL);
  CHECK_RET("ebadf", ksplice(999, NULL, fd, NULL, 1, 0), -EBADF);
  int fd2 = mkfile("s2.txt", "x");
  CHECK_RET("einval-no-pipe", ksplice(fd, NULL, fd2, NULL, 1, 0), -EINVAL);
  off = 0;
  CHECK_RET("espipe-offset-on-pipe", ksplice(p[0], &off, fd, NULL, 1, 0), -ESPIPE);
  CHECK_RET("einval-same-pipe", ksplice(p[0], NULL, p[1], NULL, 1, 0), -EINVAL);
  CHECK_RET("ebadf-write-end-as-input", ksplice(p[1], NULL, q[1], NULL, 1, 0), -EBADF);
  CHECK_RET("efault-offset", ksplice(fd, BAD_PTR, p[1], NULL, 1, 0), -EFAULT);
  int ap = open("s2.txt", O_WRONLY | O_APPEND);
  write(p[1], "z", 1);
  CHECK_RET("einval-append-output", ksplice(p[0], NULL, ap, NULL, 1, 0), -EINVAL);
  close(ap);
  read(p[0], buf, sizeof(buf));

  /* sockets on either side; an offset on one is EINVAL */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(p[1], "sock", 4);
  CHECK_RET("pipe-to-socket", ksplice(p[0], NULL, sv[0], NULL, 4, 0), 4);
  CHECK("pipe-to-socket/arrives", read(sv[1], buf, sizeof(buf)) == 4 && !memcmp(buf, "sock", 4));
  write(sv[1], "back", 4);
  CHECK_RET("socket-to-pipe", ksplice(sv[0], NULL, p[1], NULL, 64, 0), 4);
  CHECK("socket-to-pipe/arrives", read(p[0], buf, sizeof(buf)) == 4 && !memcmp(buf, "back", 4));
  off = 0;
  CHECK_RET("einval-offset-on-socket", ksplice(sv[0], &off, p[1], NULL, 4, 0), -EINVAL);
  close(sv[0]);
  close(sv[1]);

  /* a full pipe: EAGAIN with SPLICE_F_NONBLOCK */
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  static char big[65536];
  while (write(p[1], big, sizeof(big)) > 0)
    ;
  fcntl(p[1], F_SETFL, 0);
  off = 0;
  CHECK_RET("file-to-full-pipe-nonblock-eagain", ksplice(fd, &off, p[1], NULL, 4, F_NONBLOCK), -EAGAIN);
  close(p[0]);
  /* no reader: EPIPE (SIGPIPE ignored) */
  signal(SIGPIPE, SIG_IGN);
  CHECK_RET("file-to-readerless-pipe-epipe", ksplice(fd, &off, p[1], NULL, 4, 0), -EPIPE);
  signal(SIGPIPE, SIG_DFL);
  close(p[1]);
  /* no writer: 0 */
  pipe(p);
  close(p[1]);
  CHECK_RET("pipe-without-writer-eof", ksplice(p[0], NULL, fd, &off, 4, 0), 0);
  close(p[0]);

  /* a blocked splice is woken by a writer elsewhere */
  pipe(p);
  pid_t pid = fork();
  if (pid == 0) {
    msleep(100);
    write(p[1], "late", 4);
    _exit(0);
  }
  off = 200;
  long long t0 = now_ns();
  long r = ksplice(p[0], NULL, fd, &off, 64, 0);
  CHECKF("blocking-splice-woken", r == 4 && now_ns() - t0 >= 50000000LL, "r %ld", r);
  wait_child_timeout(pid, 5000);
  close(p[0]);
  close(p[1]);

  /* a megabyte, file → pipe → file, in a loop */
  int src = mkfile("big.src", NULL), dst = mkfile("big.dst", NULL);
  for (int i = 0; i < 256; i++) {
    for (int k = 0; k < 4096; k++)
      big[k] = (char)(i * 31 + k);
    write(src, big, 4096);
  }
  pipe(p);
  long long oi = 0, oo = 0, moved = 0;
  for (;;) {
    long a = ksplice(src, &oi, p[1], NULL, 1 << 20, 0);
    if (a <= 0)
      break;
    while (a > 0) {
      long b = ksplice(p[0], NULL, dst, &oo, a, 0);
      if (b <= 0)
        break;
      a -= b;
      moved += b;
    }
  }
  int same = moved == 1 << 20;
  static char x[4096], y[4096];
  for (long long o = 0; same && o < (1 << 20); o += 4096)
    same = pread(src, x, 4096, o) == 4096 && pread(dst, y, 4096, o) == 4096 && !memcmp(x, y, 4096);
  CHECKF("a-megabyte-through-a-pipe", same, "moved %lld", moved);
  close(p[0]);
  close(p[1]);
  close(src);
  close(dst);
  unlink("big.src");
  unlink("big.dst");
  close(fd);
  close(fd2);
  unlink("s.txt");
  unlink("s2.txt");
  /* a file that cannot be spliced is EINVAL before the pipe side waits:
   * an empty pipe into an eventfd, an eventfd or a directory into a pipe */
  int e[2];
  pipe(e);
  int ev = (int)raw2(SYS_eventfd2, 0, 0);
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  CHECK_RET("empty-pipe-to-eventfd-einval", ksplice(e[0], NULL, ev, NULL, 1, 0), -EINVAL);
  CHECK_RET("eventfd-to-pipe-einval", ksplice(ev, NULL, e[1], NULL, 8, 0), -EINVAL);
  CHECK_RET("directory-to-pipe-einval", ksplice(dir, NULL, e[1], NULL, 1, 0), -EINVAL);
  /* an unconnected unix stream socket has nothing to read: EINVAL for a
   * splice and a read alike (a seqpacket one says ENOTCONN) */
  int us = socket(AF_UNIX, SOCK_STREAM, 0), sp = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  char c;
  CHECK_RET("unconnected-unix-stream-to-pipe-einval", ksplice(us, NULL, e[1], NULL, 1, 0), -EINVAL);
  CHECK_RET("unconnected-unix-stream-read-einval", read(us, &c, 1) < 0 ? -errno : 0, -EINVAL);
  CHECK_RET("unconnected-unix-seqpacket-read-enotconn", read(sp, &c, 1) < 0 ? -errno : 0, -ENOTCONN);
  close(us);
  close(sp);
  close(dir);
  close(ev);
  close(e[0]);
  close(e[1]);
}

static void test_tee(void)
{
  int a[2], b[2];
  pipe(a);
  pipe(b);
  write(a[1], "abc", 3);
  CHECK_RET("copies", raw4(SYS_tee, a[0], b[1], 100, 0), 3);
  char buf[16] = "";
  CHECK("output-has-it", read(b[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3));
  memset(buf, 0, sizeof(buf));
  CHECK("input-keeps-it", read(a[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3));
  CHECK_RET("empty-nonblock-eagain", raw4(SYS_tee, a[0], b[1], 100, F_NONBLOCK), -EAGAIN);
  CHECK_RET("einval-flags", raw4(SYS_tee, a[0], b[1], 1, 0x10), -EINVAL);
  CHECK_RET("zero-length", raw4(SYS_tee, a[0], b[1], 0, 0), 0);
  CHECK_RET("einval-same-pipe", raw4(SYS_tee, a[0], a[1], 1, 0), -EINVAL);
  int fd = open("/proc/self/status", O_RDONLY);
  CHECK_RET("einval-not-a-pipe", raw4(SYS_tee, fd, b[1], 1, 0), -EINVAL);
  close(fd);
  CHECK_RET("ebadf", raw4(SYS_tee, 999, b[1], 1, 0), -EBADF);
  close(a[1]);
  CHECK_RET("no-writer-zero", raw4(SYS_tee, a[0], b[1], 1, 0), 0);
  close(a[0]);
  close(b[0]);
  close(b[1]);
}

static void test_vmsplice(void)
{
  int p[2];
  pipe(p);
  char one[] = "vm", two[] = "splice";
  struct iovec iov[2] = {{one, 2}, {two, 6}};
  CHECK_RET("into-pipe", raw4(SYS_vmsplice, p[1], iov, 2, 0), 8);
  char buf[16] = "";
  CHECK("into-pipe/data", read(p[0], buf, sizeof(buf)) == 8 && !memcmp(buf, "vmsplice", 8));
  write(p[1], "xyz", 3);
  char out[8] = "";
  struct iovec rv = {out, sizeof(out)};
  CHECK_RET("out-of-pipe", raw4(SYS_vmsplice, p[0], &rv, 1, 0), 3);
  CHECK("out-of-pipe/data", !memcmp(out, "xyz", 3));
  CHECK_RET("out-of-empty-pipe-nonblock", raw4(SYS_vmsplice, p[0], &rv, 1, F_NONBLOCK), -EAGAIN);
  CHECK_RET("einval-flags", raw4(SYS_vmsplice, p[1], iov, 2, 0x10), -EINVAL);
  CHECK_RET("einval-too-many-segments", raw4(SYS_vmsplice, p[1], iov, 1025, 0), -EINVAL);
  CHECK_RET("ebadf", raw4(SYS_vmsplice, 999, iov, 1, 0), -EBADF);
  int fd = mkfile("v.txt", NULL);
  CHECK_RET("ebadf-not-a-pipe", raw4(SYS_vmsplice, fd, iov, 1, 0), -EBADF);
  close(fd);
  unlink("v.txt");
  struct iovec bad = {BAD_PTR, 4};
  CHECK_RET("efault", raw4(SYS_vmsplice, p[1], &bad, 1, 0), -EFAULT);
  close(p[0]);
  close(p[1]);
}

#define RWF_HIPRI 1
#define RWF_DSYNC 2
#define RWF_SYNC 4
#define RWF_NOWAIT 8
#define RWF_APPEND 0x10

static long kpreadv2(int fd, struct iovec *iov, int n, long long off, int flags)
{
  return raw6(SYS_preadv2, fd, (long)iov, n, off, 0, flags);
}

static long kpwritev2(int fd, struct iovec *iov, int n, long long off, int flags)
{
  return raw6(SYS_pwritev2, fd, (long)iov, n, off, 0, flags);
}

static void test_rw2(void)
{
  if (raw6(SYS_preadv2, -1, 0, 0, 0, 0, 0) == -ENOSYS &&
      skip_on_qemu("preadv2", "QEMU 7.2's linux-user has no preadv2/pwritev2"))
    return;
  int fd = mkfile("r.txt", NULL);
  char a[] = "head", b[] = "-tail";
  struct iovec w[2] = {{a, 4}, {b, 5}};
  CHECK_RET("pwritev2/at-offset", kpwritev2(fd, w, 2, 0, 0), 9);
  CHECK("pwritev2/position-untouched", lseek(fd, 0, SEEK_CUR) == 0);
  char buf[32] = "";
  struct iovec r = {buf, sizeof(buf)};
  CHECK_RET("preadv2/at-offset", kpreadv2(fd, &r, 1, 4, 0), 5);
  CHECK("preadv2/data", !memcmp(buf, "-tail", 5));
  CHECK_RET("preadv2/at-position", kpreadv2(fd, &r, 1, -1, 0), 9);
  CHECK("preadv2/position-advanced", lseek(fd, 0, SEEK_CUR) == 9);
  char c[] = "+more";
  struct iovec w2 = {c, 5};
  CHECK_RET("pwritev2/at-position", kpwritev2(fd, &w2, 1, -1, 0), 5);
  CHECK("pwritev2/position-advanced", lseek(fd, 0, SEEK_CUR) == 14);
  char e[] = "END";
  struct iovec w3 = {e, 3};
  lseek(fd, 2, SEEK_SET);
  CHECK_RET("rwf-append", kpwritev2(fd, &w3, 1, 0, RWF_APPEND), 3);
  memset(buf, 0, sizeof(buf));
  CHECK("rwf-append/at-the-end", pread(fd, buf, sizeof(buf), 0) == 17 && !memcmp(buf + 14, "END", 3));
  CHECK("rwf-append/position-untouched", lseek(fd, 0, SEEK_CUR) == 2);
  CHECK_RET("rwf-dsync", kpwritev2(fd, &w3, 1, 0, RWF_DSYNC), 3);
  CHECK_RET("rwf-sync", kpwritev2(fd, &w3, 1, 0, RWF_SYNC), 3);
  CHECK_RET("rwf-hipri", kpreadv2(fd, &r, 1, 0, RWF_HIPRI), 17);
  CHECK_RET("eopnotsupp-flags", kpreadv2(fd, &r, 1, 0, 0x100), -EOPNOTSUPP);
  struct iovec none = {buf, 0};
  CHECK_RET("empty-ignores-flags", kpreadv2(fd, &none, 1, 0, 0x100), 0);
  CHECK_RET("einval-offset", kpreadv2(fd, &r, 1, -2, 0), -EINVAL);
  CHECK_RET("ebadf", kpreadv2(999, &r, 1, 0, 0), -EBADF);
  int p[2];
  pipe(p);
  CHECK_RET("espipe-offset-on-pipe", kpreadv2(p[0], &r, 1, 0, 0), -ESPIPE);
  /* Linux 6.1 takes RWF_NOWAIT on ext4, xfs, btrfs and block devices only */
  CHECK_RET("rwf-nowait/pipe-eopnotsupp", kpreadv2(p[0], &r, 1, -1, RWF_NOWAIT), -EOPNOTSUPP);
  CHECK_RET("rwf-nowait/tmpfs-eopnotsupp", kpreadv2(fd, &r, 1, 0, RWF_NOWAIT), -EOPNOTSUPP);
  close(p[0]);
  close(p[1]);
  close(fd);
  unlink("r.txt");
}

int main(void)
{
  abi_family = "splice";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("splice", test_splice, 60000);
  run_section("tee", test_tee, 30000);
  run_section("vmsplice", test_vmsplice, 30000);
  run_section("rw2", test_rw2, 30000);
  return abi_done();
}
