/*
 * mm.c — memory ABI tests (testsuite/abi): brk; anonymous and file-backed
 * mmap, private and shared; MAP_FIXED and MAP_FIXED_NOREPLACE; PROT_NONE
 * guards; mprotect; partial munmap; mremap; madvise (DONTNEED, FREE);
 * msync; mincore and lazy allocation; copy-on-write after fork; and the
 * signals faults raise (SIGSEGV with SEGV_MAPERR/SEGV_ACCERR, SIGBUS past
 * the end of a file). User space.
 */
#include "check.h"
#include <sys/stat.h>

#define PG 4096L

static char tmpdir[200];

/* map: anonymous private read-write mapping of n pages (or MAP_FAILED). */
static char *map(long pages, int prot, int flags)
{
  return mmap(NULL, pages * PG, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/* resident: how many of the n pages at p are resident (mincore), or -1. */
static int resident(void *p, long pages)
{
  unsigned char vec[4096];
  if (pages > (long)sizeof(vec) || mincore(p, pages * PG, vec) != 0)
    return -1;
  int n = 0;
  for (long i = 0; i < pages; i++)
    n += vec[i] & 1;
  return n;
}

/* ---- brk ---- */

static void brk_checks(void *arg)
{
  (void)arg;
  long b0 = raw1(SYS_brk, 0);
  CHECKF("brk/query", b0 > 0 && b0 % 8 == 0, "brk(0) = %lx", b0);
  long want = (b0 + 256 * 1024 + PG - 1) & ~(PG - 1);
  long b1 = raw1(SYS_brk, want);
  CHECKF("brk/grow", b1 == want, "brk(%lx) = %lx", want, b1);
  if (b1 != want)
    return;
  char *lo = (char *)((b0 + PG - 1) & ~(PG - 1));
  int zero = 1;
  for (char *p = lo; p < (char *)want; p += 512)
    zero &= *p == 0;
  CHECK("brk/new-memory-zeroed", zero);
  memset(lo, 0xaa, want - (long)lo);
  CHECK("brk/new-memory-usable", ((volatile char *)want)[-1] == (char)0xaa);
  long shrink = (long)lo + PG;
  CHECK_RET("brk/shrink", raw1(SYS_brk, shrink), shrink);
  if (!skip_on_qemu("brk/shrunk-memory-gone", "do_brk does not unmap when brk shrinks"))
    CHECKF("brk/shrunk-memory-gone", probe(lo + 64 * 1024, 0) == SIGSEGV, "reading above the new brk: signal %d",
           probe_sig);
  CHECK_RET("brk/regrow", raw1(SYS_brk, want), want);
  CHECKF("brk/regrown-memory-zeroed", lo[64 * 1024] == 0 && lo[0] == (char)0xaa, "byte %d", lo[64 * 1024]);
  CHECK_RET("brk/below-start-refused", raw1(SYS_brk, 4096), want);
  CHECK_RET("brk/huge-refused", raw1(SYS_brk, want + (1L << 40)), want);
}

/* ---- anonymous mappings ---- */

static void test_anon(void)
{
  char *p = map(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int zero = p != MAP_FAILED;
  for (long i = 0; zero && i < 3 * PG; i++)
    zero &= p[i] == 0;
  CHECK("mmap/anon-aligned-and-zeroed", p != MAP_FAILED && ((long)p & (PG - 1)) == 0 && zero);
  munmap(p, 3 * PG);

  long before = memfree_kb();
  char *big = map(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE); /* 16 MiB */
  int r0 = resident(big, 4096);
  big[5 * PG] = 1;
  int r1 = resident(big, 4096);
  CHECKF("mmap/lazy-allocation-mincore", r0 == 0 && r1 == 1, "resident pages %d, then %d after one write", r0, r1);
  if (on_kite()) {
    long after = memfree_kb();
    CHECKF("mmap/lazy-allocation-memfree", before - after < 1024, "16 MiB mapping, one page touched: MemFree fell by %ld kB",
           before - after);
  } else {
    abi_line("SKIP: mm/mmap/lazy-allocation-memfree (not Kite: /proc/meminfo describes the host)");
  }
  munmap(big, 4096 * PG);

  CHECK_RET("mmap/einval-zero-length", raw6(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
  CHECK_RET("mmap/einval-neither-private-nor-shared", raw6(SYS_mmap, 0, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), -EINVAL);
  CHECK_RET("mmap/ebadf", raw6(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, -1, 0), -EBADF);
  CHECK_RET("mmap/einval-fixed-unaligned",
            raw6(SYS_mmap, 0x10000001, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -EINVAL);
}

/* ---- file mappings ---- */

#define FILE_SIZE (2 * PG + 100)

static int make_file(const char *path)
{
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  char buf[FILE_SIZE];
  for (int i = 0; i < FILE_SIZE; i++)
    buf[i] = 'a' + i % 26;
  write(fd, buf, sizeof(buf));
  return fd;
}

static void test_file(void)
{
  char path[300];
  snprintf(path, sizeof(path), "%s/abi-mm-file", tmpdir);
  int fd = make_file(path);
  char c;

  char *priv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  CHECKF("mmap/file-private-contents", priv != MAP_FAILED && priv[0] == 'a' && priv[PG + 1] == 'a' + (PG + 1) % 26 &&
                                           priv[FILE_SIZE - 1] == 'a' + (FILE_SIZE - 1) % 26,
         "mmap %p", priv);
  if (priv == MAP_FAILED)
    return;
  CHECK("mmap/file-tail-of-last-page-zero", priv[FILE_SIZE] == 0 && priv[3 * PG - 1] == 0);
  priv[0] = 'X';
  pread(fd, &c, 1, 0);
  CHECKF("mmap/file-private-write-stays-private", c == 'a' && priv[0] == 'X', "file byte %c", c);

  /* DONTNEED on a private file mapping drops our copy: the file shows again. */
  CHECK_RET("madvise/dontneed-file-private", raw3(SYS_madvise, priv, PG, MADV_DONTNEED), 0);
  CHECKF("madvise/dontneed-file-private-refetches", priv[0] == 'a', "byte %c", priv[0]);
  munmap(priv, 3 * PG);

  char *sh = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK("mmap/file-shared", sh != MAP_FAILED);
  if (sh == MAP_FAILED)
    return;
  sh[1] = 'Y';
  pread(fd, &c, 1, 1);
  CHECKF("mmap/file-shared-write-reaches-file", c == 'Y', "file byte %c", c);
  pwrite(fd, "Z", 1, PG + 2);
  CHECKF("mmap/file-write-reaches-shared-map", sh[PG + 2] == 'Z', "mapped byte %c", sh[PG + 2]);
  CHECK_RET("msync/sync", raw3(SYS_msync, sh, 3 * PG, MS_SYNC), 0);
  CHECK_RET("msync/async", raw3(SYS_msync, sh, PG, MS_ASYNC), 0);
  CHECK_RET("msync/invalidate", raw3(SYS_msync, sh, PG, MS_INVALIDATE), 0);
  CHECK_RET("msync/einval-sync-and-async", raw3(SYS_msync, sh, PG, MS_SYNC | MS_ASYNC), -EINVAL);
  CHECK_RET("msync/einval-unaligned", raw3(SYS_msync, sh + 1, PG, MS_SYNC), -EINVAL);
  if (!skip_on_qemu("madvise/free-einval-shared", "madvise accepts any advice (syscall.c)"))
    CHECK_RET("madvise/free-einval-shared", raw3(SYS_madvise, sh, PG, MADV_FREE), -EINVAL);

  /* SIGBUS beyond the end of the file (page 3 of a 2-page-and-a-bit file):
   * first with the default action, in a child; then caught, for siginfo. */
  char *four = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0);
  pid_t pid = fork();
  if (pid == 0) {
    c = four[3 * PG];
    _exit(0);
  }
  int st = wait_child_timeout(pid, 10000);
  CHECKF("mmap/sigbus-past-end-of-file", st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "reader: %s",
         status_str(st));
  if (!skip_on_qemu("mmap/sigbus-siginfo", "a host SIGBUS on guest memory kills the emulator")) {
    int sig = probe(four + 3 * PG, 0);
    CHECKF("mmap/sigbus-siginfo", sig == SIGBUS && probe_code == BUS_ADRERR && probe_addr == four + 3 * PG,
           "signal %d code %d addr %p (want SIGBUS BUS_ADRERR %p)", sig, probe_code, probe_addr, four + 3 * PG);
  }
  CHECKF("mmap/no-sigbus-in-last-partial-page", probe(four + 2 * PG + 200, 0) == 0, "signal %d", probe_sig);
  munmap(four, 4 * PG);
  munmap(sh, 3 * PG);
  close(fd);
  fd = open(path, O_RDONLY);
  pread(fd, &c, 1, 1);
  CHECKF("mmap/file-shared-write-persists", c == 'Y', "byte %c after unmap and reopen", c);
  CHECK_RET("mmap/eacces-shared-write-on-readonly-fd", raw6(SYS_mmap, 0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            -EACCES);
  CHECK_RET("mmap/einval-unaligned-offset", raw6(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, fd, 100), -EINVAL);
  char *ro = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
  CHECK_RET("mprotect/eacces-write-on-readonly-shared-file", raw3(SYS_mprotect, ro, PG, PROT_READ | PROT_WRITE), -EACCES);
  munmap(ro, PG);
  close(fd);
  unlink(path);
}

/* ---- sharing across fork ---- */

static void test_fork_sharing(void)
{
  char *sh = map(1, PROT_READ | PROT_WRITE, MAP_SHARED);
  char *pv = map(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  sh[0] = 's';
  pv[0] = 'p';
  int go[2];
  pipe(go);
  pid_t c = fork();
  if (c == 0) {
    char x;
    sh[0] = 'S';
    int ok = pv[0] == 'p';
    pv[0] = 'Q';
    read(go[0], &x, 1);
    ok = ok && pv[0] == 'Q';
    _exit(ok ? 0 : 1);
  }
  int st;
  pv[0] = 'P';
  write(go[1], "x", 1);
  waitpid(c, &st, 0);
  CHECK("mmap/shared-anon-across-fork", sh[0] == 'S');
  CHECKF("mmap/private-anon-copy-on-write", pv[0] == 'P' && EXITED_OK(st), "parent %c, child %s", pv[0], status_str(st));
  munmap(sh, PG);
  munmap(pv, PG);
  close(go[0]);
  close(go[1]);

  /* Copy-on-write shares the pages until written (Kite: count them). */
  if (!on_kite()) {
    abi_line("SKIP: mm/cow/pages-shared-until-written (not Kite: /proc/meminfo describes the host)");
    return;
  }
  char *buf = map(1024, PROT_READ | PROT_WRITE, MAP_PRIVATE); /* 4 MiB, all touched */
  memset(buf, 7, 1024 * PG);
  int up[2], down[2];
  pipe(up);
  pipe(down);
  long before = free_settled_kb();
  c = fork();
  if (c == 0) {
    buf[0] = 8; /* one page copied */
    long after = free_settled_kb();
    write(up[1], &after, sizeof(after));
    char x;
    read(down[0], &x, 1);
    _exit(0);
  }
  long after = 0;
  read(up[0], &after, sizeof(after));
  write(down[1], "x", 1);
  waitpid(c, &st, 0);
  CHECKF("cow/pages-shared-until-written", before - after < 1024, "fork of a 4 MiB process + one write: MemFree fell by %ld kB",
         before - after);
  close(up[0]);
  close(up[1]);
  close(down[0]);
  close(down[1]);
  munmap(buf, 1024 * PG);
}

/* ---- fixed placement, guards, mprotect, munmap ---- */

static void test_fixed(void)
{
  char *r = map(4, PROT_NONE, MAP_PRIVATE);
  char *f = mmap(r + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  CHECKF("mmap/fixed-exact-address", f == r + PG, "got %p want %p", f, r + PG);
  f[0] = 1;
  int sig = probe(r, 0);
  CHECKF("guard/prot-none-sigsegv-accerr", sig == SIGSEGV && probe_code == SEGV_ACCERR && probe_addr == r,
         "signal %d code %d addr %p", sig, probe_code, probe_addr);
  CHECKF("guard/neighbour-of-fixed-still-guarded", probe(r + 2 * PG, 1) == SIGSEGV, "signal %d", probe_sig);
  munmap(r, 4 * PG);

  r = map(2, PROT_READ, MAP_PRIVATE);
  if (!skip_on_qemu("mmap/fixed-noreplace-eexist", "MAP_FIXED_NOREPLACE is taken as a hint (mmap.c)"))
    CHECK_RET("mmap/fixed-noreplace-eexist",
              raw6(SYS_mmap, (long)r, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
  munmap(r + PG, PG);
  char *n = mmap(r + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  CHECKF("mmap/fixed-noreplace-free-address", n == r + PG, "got %p want %p", n, r + PG);
  munmap(r, 2 * PG);

  /* mprotect */
  char *m = map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  m[0] = 5;
  /* Execute-only: a load faults (RISC-V Linux sets no MXR for user
   * space: write implies read, execute does not) and so does the
   * kernel's own read of it. */
  char *x = map(1, PROT_EXEC, MAP_PRIVATE);
  sig = probe(x, 0);
  if (!skip_on_qemu("mmap/exec-only-read-sigsegv-accerr", "an execute-only page is readable on the host")) {
    CHECKF("mmap/exec-only-read-sigsegv-accerr", sig == SIGSEGV && probe_code == SEGV_ACCERR && probe_addr == x,
           "signal %d code %d", sig, probe_code);
    int pp[2];
    pipe(pp);
    CHECK_RET("mmap/exec-only-write-from-efault", raw3(SYS_write, pp[1], x, 1), -EFAULT);
    close(pp[0]);
    close(pp[1]);
  }
  munmap(x, PG);
  CHECK_RET("mprotect/read-only", raw3(SYS_mprotect, m, PG, PROT_READ), 0);
  sig = probe(m, 1);
  CHECKF("mprotect/write-to-read-only-sigsegv-accerr", sig == SIGSEGV && probe_code == SEGV_ACCERR && probe_addr == m,
         "signal %d code %d", sig, probe_code);
  CHECKF("mprotect/read-only-still-readable", probe(m, 0) == 0 && m[0] == 5, "signal %d", probe_sig);
  CHECK_RET("mprotect/none", raw3(SYS_mprotect, m, PG, PROT_NONE), 0);
  CHECKF("mprotect/none-blocks-reads", probe(m, 0) == SIGSEGV, "signal %d", probe_sig);
  CHECK_RET("mprotect/back-to-read-write", raw3(SYS_mprotect, m, 2 * PG, PROT_READ | PROT_WRITE), 0);
  CHECKF("mprotect/contents-kept", probe(m, 1) == 0 && m[0] == 1, "signal %d", probe_sig);
  CHECK_RET("mprotect/einval-unaligned", raw3(SYS_mprotect, m + 1, PG, PROT_READ), -EINVAL);
  munmap(m + PG, PG);
  CHECK_RET("mprotect/enomem-unmapped", raw3(SYS_mprotect, m, 2 * PG, PROT_READ), -ENOMEM);
  munmap(m, PG);

  /* partial munmap */
  char *u = map(4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  for (int i = 0; i < 4; i++)
    u[i * PG] = 'a' + i;
  CHECK_RET("munmap/middle-page", raw2(SYS_munmap, u + PG, PG), 0);
  sig = probe(u + PG, 0);
  CHECKF("munmap/hole-sigsegv-maperr", sig == SIGSEGV && probe_code == SEGV_MAPERR && probe_addr == u + PG,
         "signal %d code %d addr %p", sig, probe_code, probe_addr);
  CHECK("munmap/both-sides-kept", u[0] == 'a' && u[2 * PG] == 'c' && u[3 * PG] == 'd');
  CHECK_RET("munmap/einval-unaligned", raw2(SYS_munmap, u + 1, PG), -EINVAL);
  CHECK_RET("munmap/einval-zero-length", raw2(SYS_munmap, u, 0), -EINVAL);
  CHECK_RET("munmap/unmapped-range-ok", raw2(SYS_munmap, u + PG, PG), 0);
  munmap(u, 4 * PG);
  sig = probe(u + 3 * PG, 1);
  CHECKF("segv/unmapped-write-maperr", sig == SIGSEGV && probe_code == SEGV_MAPERR && probe_addr == u + 3 * PG,
         "signal %d code %d addr %p", sig, probe_code, probe_addr);
}

/* ---- mremap ---- */

static void test_mremap(void)
{
  char *a = map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  a[0] = 'm';
  a[2 * PG - 1] = 'n';
  char *b = mremap(a, 2 * PG, 64 * PG, MREMAP_MAYMOVE);
  CHECKF("mremap/grow-maymove", b != MAP_FAILED, "errno %d", errno);
  if (b == MAP_FAILED)
    return;
  CHECK("mremap/grow-keeps-contents", b[0] == 'm' && b[2 * PG - 1] == 'n' && b[63 * PG] == 0);
  char *c = mremap(b, 64 * PG, PG, 0);
  CHECKF("mremap/shrink-in-place", c == b, "got %p want %p", c, b);
  CHECKF("mremap/shrunk-tail-gone", probe(b + PG, 0) == SIGSEGV, "signal %d", probe_sig);

  /* Growing in place when the next page is taken fails without MAYMOVE. */
  char *r = map(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  munmap(r + PG, PG);
  long g = raw5(SYS_mremap, r, PG, 3 * PG, 0, 0);
  CHECK_RET("mremap/enomem-in-place-blocked", g, -ENOMEM);
  /* Moving to a chosen place: MREMAP_FIXED needs MREMAP_MAYMOVE. */
  char *dest = map(4, PROT_NONE, MAP_PRIVATE);
  CHECK_RET("mremap/einval-fixed-without-maymove", raw5(SYS_mremap, r, PG, PG, MREMAP_FIXED, dest), -EINVAL);
  r[0] = 'q';
  char *moved = (char *)raw5(SYS_mremap, r, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, dest + PG);
  CHECKF("mremap/fixed-move", moved == dest + PG && moved[0] == 'q', "got %p want %p", moved, dest + PG);
  CHECKF("mremap/old-place-gone-after-move", probe(r, 0) == SIGSEGV, "signal %d", probe_sig);
  CHECK_RET("mremap/einval-unaligned", raw5(SYS_mremap, c + 1, PG, 2 * PG, MREMAP_MAYMOVE, 0), -EINVAL);
  munmap(c, PG);
  munmap(r + 2 * PG, PG);
  munmap(dest, 4 * PG);
}

/* ---- madvise, mincore ---- */

static void test_madvise(void)
{
  char *a = map(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  a[0] = 9;
  a[PG] = 9;
  CHECK_RET("madvise/dontneed-anon", raw3(SYS_madvise, a, PG, MADV_DONTNEED), 0);
  CHECK("madvise/dontneed-anon-reads-zero", a[0] == 0 && a[PG] == 9);
  CHECK_RET("madvise/free-anon", raw3(SYS_madvise, a + PG, PG, MADV_FREE), 0);
  char v = a[PG];
  a[PG] = 4;
  CHECKF("madvise/free-anon-old-or-zero-then-writable", (v == 9 || v == 0) && a[PG] == 4, "read %d", v);
  CHECK_RET("madvise/willneed", raw3(SYS_madvise, a, 2 * PG, MADV_WILLNEED), 0);
  if (!skip_on_qemu("madvise/einval-unknown-advice", "madvise accepts any advice (syscall.c)")) {
    CHECK_RET("madvise/einval-unknown-advice", raw3(SYS_madvise, a, PG, 12345), -EINVAL);
    CHECK_RET("madvise/einval-unaligned", raw3(SYS_madvise, a + 1, PG, MADV_DONTNEED), -EINVAL);
  }
  unsigned char vec[2];
  CHECK_RET("mincore/einval-unaligned", raw3(SYS_mincore, a + 1, PG, vec), -EINVAL);
  munmap(a, 2 * PG);
  CHECK_RET("mincore/enomem-unmapped", raw3(SYS_mincore, a, PG, vec), -ENOMEM);
  if (!skip_on_qemu("madvise/enomem-unmapped", "madvise accepts any range (syscall.c)"))
    CHECK_RET("madvise/enomem-unmapped", raw3(SYS_madvise, a, PG, MADV_DONTNEED), -ENOMEM);
  CHECK_RET("msync/enomem-unmapped", raw3(SYS_msync, a, PG, MS_SYNC), -ENOMEM);
}

int main(void)
{
  abi_family = "mm";
  const char *t = getenv("ABI_TMP");
  snprintf(tmpdir, sizeof(tmpdir), "%s", t ? t : "/tmp");
  child_checks("brk/child", brk_checks, NULL, 10000);
  run_section("anon", test_anon, 60000);
  run_section("file", test_file, 60000);
  run_section("fork", test_fork_sharing, 60000);
  run_section("fixed", test_fixed, 60000);
  run_section("mremap", test_mremap, 60000);
  run_section("madvise", test_madvise, 60000);
  return abi_done();
}
