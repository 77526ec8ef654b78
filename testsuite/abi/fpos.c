/*
 * fpos.c — file positions at and past their limits (testsuite/abi): a
 * negative or overflowing position must be refused everywhere a position
 * is taken — lseek (every whence, on regular files, /proc files,
 * directories and devices), pread/pwrite and their vector forms,
 * sendfile, copy_file_range, fallocate, truncate, mmap offsets — and never
 * reach a read or write, where it would index memory before or far past a
 * file's data. User space; runs on Linux (qemu-riscv64) and Kite.
 */
#include "check.h"
#include <dirent.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

static char tmpdir[200];
static char path[300];

/* a tmpfs file holding "0123456789abcdef" */
static int make_file(void)
{
  int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(f, "0123456789abcdef", 16);
  lseek(f, 0, SEEK_SET);
  return f;
}

static void test_lseek_regular(void)
{
  int f = make_file();
  char buf[32];
  CHECK_RET("lseek/data-negative-enxio", raw3(SYS_lseek, f, -8, SEEK_DATA), -ENXIO);
  CHECK_RET("lseek/data-minus-2^62-enxio", raw3(SYS_lseek, f, -(1L << 62), SEEK_DATA), -ENXIO);
  CHECK_RET("lseek/hole-negative-enxio", raw3(SYS_lseek, f, -4096, SEEK_HOLE), -ENXIO);
  CHECK_RET("lseek/data-at-eof-enxio", raw3(SYS_lseek, f, 16, SEEK_DATA), -ENXIO);
  CHECK_RET("lseek/data-inside", raw3(SYS_lseek, f, 3, SEEK_DATA), 3);
  CHECK_RET("lseek/hole-is-eof", raw3(SYS_lseek, f, 3, SEEK_HOLE), 16);
  CHECK_RET("lseek/set-negative-einval", raw3(SYS_lseek, f, -1, SEEK_SET), -EINVAL);
  CHECK_RET("lseek/position-kept", raw3(SYS_lseek, f, 0, SEEK_CUR), 16);
  CHECK_RET("lseek/cur-below-zero-einval", raw3(SYS_lseek, f, -17, SEEK_CUR), -EINVAL);
  CHECK_RET("lseek/end-below-zero-einval", raw3(SYS_lseek, f, -100, SEEK_END), -EINVAL);
  CHECK_RET("lseek/bad-whence-einval", raw3(SYS_lseek, f, 0, 5), -EINVAL);
  CHECK_RET("lseek/set-llong-max", raw3(SYS_lseek, f, LLONG_MAX, SEEK_SET), LLONG_MAX);
  CHECK_RET("lseek/cur-overflow-einval", raw3(SYS_lseek, f, 1, SEEK_CUR), -EINVAL);
  CHECK_RET("lseek/end-overflow-einval", raw3(SYS_lseek, f, LLONG_MAX, SEEK_END), -EINVAL);
  CHECK_RET("read/at-llong-max-einval", raw3(SYS_read, f, buf, 8), -EINVAL);
  CHECK_RET("write/at-llong-max-einval", raw3(SYS_write, f, "xxxxxxxx", 8), -EINVAL);
  CHECK_RET("write/zero-bytes-at-llong-max", raw3(SYS_write, f, "x", 0), 0);

  /* The old attack: a negative SEEK_DATA, then a write. The seek fails,
   * so the write lands at the position before it. */
  lseek(f, 4, SEEK_SET);
  raw3(SYS_lseek, f, -8, SEEK_DATA);
  CHECK_RET("write/after-refused-seek", raw3(SYS_write, f, "XY", 2), 2);
  memset(buf, 0, sizeof(buf));
  pread(f, buf, 16, 0);
  CHECKF("write/after-refused-seek-in-place", memcmp(buf, "0123XY6789abcdef", 16) == 0, "file: %.16s", buf);

  /* A write that ends exactly at the largest position (a sparse file). */
  CHECK_RET("lseek/set-near-max", raw3(SYS_lseek, f, LLONG_MAX - 4, SEEK_SET), LLONG_MAX - 4);
  CHECK_RET("write/ending-at-llong-max", raw3(SYS_write, f, "wxyz", 4), 4);
  struct stat st;
  fstat(f, &st);
  CHECKF("write/size-llong-max", st.st_size == LLONG_MAX, "size %lld", (long long)st.st_size);
  CHECK_RET("pread/last-bytes", raw4(SYS_pread64, f, buf, 4, LLONG_MAX - 4), 4);
  CHECK("pread/last-bytes-data", memcmp(buf, "wxyz", 4) == 0);
  CHECK_RET("ftruncate/back-to-16", raw2(SYS_ftruncate, f, 16), 0);
  int n = 0;
  CHECK_RET("ioctl/fionread-past-eof", (lseek(f, 1L << 40, SEEK_SET), raw3(SYS_ioctl, f, FIONREAD, &n)), 0);
  /* Linux stores size - position into an int: the low 32 bits */
  CHECKF("ioctl/fionread-past-eof-truncated", n == (int)(16 - (1L << 40)), "n %d", n);
  close(f);
}

static void test_positioned(void)
{
  int f = make_file();
  char buf[32];
  struct iovec iov = {buf, 8};
  CHECK_RET("pread/negative-einval", raw4(SYS_pread64, f, buf, 8, -1), -EINVAL);
  CHECK_RET("pread/minus-4096-einval", raw4(SYS_pread64, f, buf, 8, -4096), -EINVAL);
  CHECK_RET("pwrite/negative-einval", raw4(SYS_pwrite64, f, "x", 1, -8), -EINVAL);
  CHECK_RET("preadv/negative-einval", raw4(SYS_preadv, f, &iov, 1, -4096), -EINVAL);
  CHECK_RET("pwritev/negative-einval", raw4(SYS_pwritev, f, &iov, 1, -1L << 62), -EINVAL);
  CHECK_RET("pread/end-overflow-einval", raw4(SYS_pread64, f, buf, 8, LLONG_MAX - 3), -EINVAL);
  CHECK_RET("pwrite/end-overflow-einval", raw4(SYS_pwrite64, f, "xxxxxxxx", 8, LLONG_MAX - 3), -EINVAL);
  CHECK_RET("pread/negative-before-ebadf", raw4(SYS_pread64, 9999, buf, 8, -1), -EINVAL);
  CHECK_RET("pread/past-eof-zero", raw4(SYS_pread64, f, buf, 8, 1L << 40), 0);
  CHECK_RET("pread/unchanged-data", raw4(SYS_pread64, f, buf, 16, 0), 16);
  CHECK("pread/unchanged-data-bytes", memcmp(buf, "0123456789abcdef", 16) == 0);

  /* devices: /dev/null and /dev/zero always seek to 0; pread checks the position */
  int z = open("/dev/zero", O_RDONLY);
  CHECK_RET("dev-zero/lseek-is-0", raw3(SYS_lseek, z, 12345, SEEK_SET), 0);
  CHECK_RET("dev-zero/lseek-negative-is-0", raw3(SYS_lseek, z, -5, SEEK_SET), 0);
  CHECK_RET("dev-zero/pread-negative-einval", raw4(SYS_pread64, z, buf, 8, -1), -EINVAL);
  CHECK_RET("dev-zero/pread-far", raw4(SYS_pread64, z, buf, 8, 1L << 50), 8);
  close(z);

  /* sizes */
  CHECK_RET("ftruncate/negative-einval", raw2(SYS_ftruncate, f, -1), -EINVAL);
  CHECK_RET("truncate/negative-einval", raw2(SYS_truncate, path, -4096), -EINVAL);
  CHECK_RET("fallocate/negative-offset-einval", raw4(SYS_fallocate, f, 0, -1, 10), -EINVAL);
  CHECK_RET("fallocate/zero-length-einval", raw4(SYS_fallocate, f, 0, 0, 0), -EINVAL);
  CHECK_RET("fallocate/end-overflow-efbig", raw4(SYS_fallocate, f, 0, LLONG_MAX, 2), -EFBIG);
  struct stat st;
  fstat(f, &st);
  CHECKF("fallocate/size-unchanged", st.st_size == 16, "size %lld", (long long)st.st_size);
  close(f);
}

static void test_copy(void)
{
  int f = make_file();
  char dst[320];
  snprintf(dst, sizeof(dst), "%s/fpos-copy", tmpdir);
  int g = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
  int p[2];
  pipe(p);
  off_t off = -1;
  CHECK_RET("sendfile/negative-offset-einval", raw4(SYS_sendfile, p[1], f, &off, 4), -EINVAL);
  off = -4096;
  CHECK_RET("sendfile/minus-4096-einval", raw4(SYS_sendfile, g, f, &off, 4), -EINVAL);
  off = LLONG_MAX - 2;
  CHECK_RET("sendfile/end-overflow-einval", raw4(SYS_sendfile, g, f, &off, 16), -EINVAL);
  CHECK_RET("sendfile/bad-offset-pointer-before-ebadf", raw4(SYS_sendfile, g, 9999, BAD_PTR, 4), -EFAULT);
  off = 2;
  CHECK_RET("sendfile/from-offset", raw4(SYS_sendfile, g, f, &off, 4), 4);
  CHECK("sendfile/offset-advanced", off == 6);

  off_t oi = -8, oo = 0;
  CHECK_RET("copy_file_range/negative-in-einval", raw6(SYS_copy_file_range, f, (long)&oi, g, (long)&oo, 4, 0), -EINVAL);
  oi = 0;
  oo = -8;
  CHECK_RET("copy_file_range/negative-out-einval", raw6(SYS_copy_file_range, f, (long)&oi, g, (long)&oo, 4, 0), -EINVAL);
  oi = -1;
  oo = 0;
  CHECK_RET("copy_file_range/wrapping-eoverflow", raw6(SYS_copy_file_range, f, (long)&oi, g, (long)&oo, 16, 0), -EOVERFLOW);
  oi = LLONG_MAX - 2;
  CHECK_RET("copy_file_range/past-eof-zero", raw6(SYS_copy_file_range, f, (long)&oi, g, (long)&oo, 16, 0), 0);
  oi = 0;
  oo = LLONG_MAX - 2;
  CHECK_RET("copy_file_range/out-cut-at-max", raw6(SYS_copy_file_range, f, (long)&oi, g, (long)&oo, 16, 0), 2);
  oo = LLONG_MAX;
  CHECK_RET("copy_file_range/out-at-max-efbig", raw6(SYS_copy_file_range, f, (long)&oi, g, (long)&oo, 16, 0), -EFBIG);
  CHECK_RET("ftruncate/copy-target-back", raw2(SYS_ftruncate, g, 0), 0);
  oi = 0;
  oo = 0;
  CHECK_RET("copy_file_range/same-file-overlap-einval", raw6(SYS_copy_file_range, f, (long)&oi, f, (long)&oo, 8, 0),
            -EINVAL);
  CHECK_RET("copy_file_range/flags-einval", raw6(SYS_copy_file_range, f, 0, g, 0, 4, 1), -EINVAL);
  CHECK_RET("copy_file_range/pipe-einval", raw6(SYS_copy_file_range, f, 0, p[1], 0, 4, 0), -EINVAL);

  /* offsets in read-only memory: the copy happens, writing them back fails */
  off_t *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ro[0] = 4;
  ro[1] = 100;
  mprotect(ro, 4096, PROT_READ);
  CHECK_RET("copy_file_range/readonly-offset-efault", raw6(SYS_copy_file_range, f, (long)&ro[0], g, (long)&ro[1], 4, 0),
            -EFAULT);
  char buf[8] = {0};
  CHECK_RET("copy_file_range/readonly-offset-copied", raw4(SYS_pread64, g, buf, 4, 100), 4);
  CHECK("copy_file_range/readonly-offset-data", memcmp(buf, "4567", 4) == 0);
  CHECK_RET("sendfile/readonly-offset-efault", raw4(SYS_sendfile, g, f, &ro[0], 4), -EFAULT);
  munmap(ro, 4096);

  /* mmap offsets: Linux riscv64 shifts the offset arithmetically into a
   * page offset, which with the pages must not wrap — even for anonymous
   * memory, where it is otherwise unused */
  if (!skip_on_qemu("mmap/anonymous-offsets", "mmap is emulated (mmap.c) and ignores them")) {
    CHECK_RET("mmap/anonymous-offset-minus-4096-eoverflow",
              raw6(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, -4096), -EOVERFLOW);
    long m = raw6(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, -8192);
    CHECKF("mmap/anonymous-offset-minus-8192-ok", m > 0 || m < -4096, "r %ld", m);
    if (m > 0 || m < -4096)
      munmap((void *)m, 4096);
  }
  CHECK_RET("mmap/unaligned-offset-einval", raw6(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, f, 100), -EINVAL);
  CHECK_RET("mmap/file-offset-past-max-eoverflow", raw6(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, f, 1L << 63),
            -EOVERFLOW);
  CHECK_RET("mmap/file-end-past-max-eoverflow", raw6(SYS_mmap, 0, 8192, PROT_READ, MAP_PRIVATE, f, LLONG_MAX - 4095),
            -EOVERFLOW);
  close(p[0]);
  close(p[1]);
  close(g);
  close(f);
  unlink(dst);
}

static void test_proc_and_dirs(void)
{
  char buf[4096];
  int f = open("/proc/self/status", O_RDONLY);
  /* generated /proc files seek like Linux's seq_file: SET and CUR only */
  CHECK_RET("proc/data-negative-einval", raw3(SYS_lseek, f, -4096, SEEK_DATA), -EINVAL);
  CHECK_RET("proc/set-negative-einval", raw3(SYS_lseek, f, -4096, SEEK_SET), -EINVAL);
  CHECK_RET("proc/cur-negative-einval", raw3(SYS_lseek, f, -4096, SEEK_CUR), -EINVAL);
  CHECK_RET("proc/end-einval", raw3(SYS_lseek, f, 0, SEEK_END), -EINVAL);
  CHECK_RET("proc/pread-negative-einval", raw4(SYS_pread64, f, buf, 100, -4096), -EINVAL);
  long n = raw3(SYS_read, f, buf, sizeof(buf));
  CHECKF("proc/read-from-start", n > 5 && memcmp(buf, "Name:", 5) == 0, "r %ld", n);
  CHECK_RET("proc/set-far", raw3(SYS_lseek, f, 1L << 40, SEEK_SET), 1L << 40);
  CHECK_RET("proc/read-far-eof", raw3(SYS_read, f, buf, sizeof(buf)), 0);
  close(f);

  /* a tmpfs directory: SET and CUR only, never negative */
  int d = open(tmpdir, O_RDONLY | O_DIRECTORY);
  CHECK_RET("dir/data-negative-einval", raw3(SYS_lseek, d, -1, SEEK_DATA), -EINVAL);
  CHECK_RET("dir/set-negative-einval", raw3(SYS_lseek, d, -1, SEEK_SET), -EINVAL);
  n = raw3(SYS_getdents64, d, buf, sizeof(buf));
  CHECKF("dir/getdents-after", n > 0, "r %ld", n);
  close(d);

  /* /proc directories: positions up to 2^31 - 1 (Linux's MAX_NON_LFS for
   * procfs), past any descriptor number or pid */
  d = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
  CHECK_RET("proc-fd/seek-2^31-einval", raw3(SYS_lseek, d, 0x80000002L, SEEK_SET), -EINVAL);
  CHECK_RET("proc-fd/seek-int-max", raw3(SYS_lseek, d, 0x7fffffffL, SEEK_SET), 0x7fffffffL);
  CHECK_RET("proc-fd/getdents-past-end", raw3(SYS_getdents64, d, buf, sizeof(buf)), 0);
  CHECK_RET("proc-fd/seek-data-negative-enxio", raw3(SYS_lseek, d, -2, SEEK_DATA), -ENXIO);
  close(d);
  d = open("/proc", O_RDONLY | O_DIRECTORY);
  CHECK_RET("proc-root/seek-far", raw3(SYS_lseek, d, 0x7ffffff0L, SEEK_SET), 0x7ffffff0L);
  CHECK_RET("proc-root/getdents-far", raw3(SYS_getdents64, d, buf, sizeof(buf)), 0);
  close(d);
}

int main(void)
{
  abi_family = "fpos";
  const char *t = getenv("ABI_TMP");
  snprintf(tmpdir, sizeof(tmpdir), "%s", t ? t : "/tmp");
  snprintf(path, sizeof(path), "%s/fpos-file", tmpdir);
  long before = free_settled_kb();
  run_section("lseek", test_lseek_regular, 30000);
  run_section("positioned", test_positioned, 30000);
  run_section("copy", test_copy, 30000);
  run_section("proc-dirs", test_proc_and_dirs, 30000);
  unlink(path);
  check_no_leak("no-leak", before);
  return abi_done();
}
