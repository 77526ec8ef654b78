/*
 * efault.c — hand write() and read() addresses that are not ours: unmapped
 * user memory, a kernel address, a range running off the end of a mapping.
 * Each must fail with EFAULT (and the kernel must stay up).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;

static void expect_efault(const char *what, long r)
{
  if (r != -1 || errno != EFAULT) {
    printf("efault: %s returned %ld errno %d (%s), expected EFAULT\n", what, r, errno,
           strerror(errno));
    failures++;
  }
}

int main(void)
{
  int p[2];
  if (pipe(p)) {
    perror("pipe");
    return 1;
  }
  expect_efault("write(NULL+1)", write(p[1], (void *)1, 10));
  expect_efault("write(kernel address)", write(p[1], (void *)0xffffffc080200000UL, 10));
  expect_efault("read(NULL+1)", (write(p[1], "x", 1), read(p[0], (void *)1, 10)));
  expect_efault("read(kernel address)", (write(p[1], "y", 1), read(p[0], (void *)0xffffffc080200000UL, 10)));
  /* A buffer that starts in a mapping and runs past its end. */
  char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  munmap(page + 4096, 4096); /* make sure the next page is not ours */
  char drain[16];
  (void)!read(p[0], drain, sizeof(drain)); /* empty what the failed reads left */
  expect_efault("read(read-only page)", (write(p[1], "z", 1),
                 mprotect(page, 4096, PROT_READ), read(p[0], page, 1)));
  if (failures) {
    printf("efault: %d failures\n", failures);
    return 1;
  }
  printf("efault: ok\n");
  return 0;
}
