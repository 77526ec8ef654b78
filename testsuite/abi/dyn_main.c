/*
 * dyn_main.c — dynamic-linking ABI tests (testsuite/abi), built twice:
 * dyn_musl (musl's loader, /lib/ld-musl-riscv64.so.1) and dyn_glibc
 * (glibc's, /lib/ld-linux-riscv64-lp64d.so.1). Checks that the program
 * starts through its interpreter (the auxiliary vector), dlopen()s our
 * library (constructor, symbols, dlclose), and that thread-local storage
 * works in the program and in the dlopened library across threads.
 * User space.
 */
#include "check.h"
#include <dlfcn.h>
#include <pthread.h>
#include <sys/auxv.h>

#ifndef ABI_LIBC
#define ABI_LIBC "unknown"
#endif

__thread int main_tls = 7;

static int (*lib_get)(void);
static void (*lib_set)(int);
static int *(*lib_addr)(void);

struct seen {
  int main_tls_start, lib_tls_start, errno_start;
  int *lib_addr;
};

static void *thread_fn(void *arg)
{
  struct seen *s = arg;
  s->main_tls_start = main_tls;
  main_tls = 9;
  s->lib_tls_start = lib_get();
  lib_set(10);
  s->lib_addr = lib_addr();
  s->errno_start = errno;
  errno = EPIPE;
  return (void *)(long)(main_tls == 9 && lib_get() == 10);
}

int main(void)
{
  abi_family = "dyn-" ABI_LIBC;
  CHECKF("auxv/interpreter-base", getauxval(AT_BASE) != 0, "AT_BASE %lx", getauxval(AT_BASE));
  CHECK("auxv/page-size", getauxval(AT_PAGESZ) == 4096);
  CHECK("auxv/phdr", getauxval(AT_PHDR) != 0 && getauxval(AT_PHNUM) > 0);
  CHECK("auxv/random", getauxval(AT_RANDOM) != 0);

  const char *dir = getenv("ABI_DIR");
  char path[300];
  snprintf(path, sizeof(path), "%s/libabi_dyn_%s.so", dir ? dir : "/abi", ABI_LIBC);
  CHECK("dlopen/missing-library-fails", dlopen("/nonexistent/libnothing.so", RTLD_NOW) == NULL && dlerror() != NULL);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  CHECKF("dlopen/our-library", h != NULL, "%s: %s", path, h ? "" : dlerror());
  if (!h)
    return abi_done();
  int (*add)(int, int) = (int (*)(int, int))dlsym(h, "dyn_add");
  int (*inited)(void) = (int (*)(void))dlsym(h, "dyn_inited");
  lib_get = (int (*)(void))dlsym(h, "dyn_tls_get");
  lib_set = (void (*)(int))dlsym(h, "dyn_tls_set");
  lib_addr = (int *(*)(void))dlsym(h, "dyn_tls_addr");
  CHECK("dlsym/symbols-found", add && inited && lib_get && lib_set && lib_addr);
  if (!(add && inited && lib_get && lib_set && lib_addr))
    return abi_done();
  CHECK("dlsym/call", add(2, 3) == 5);
  CHECK("dlopen/constructor-ran", inited() == 42);
  CHECK("dlsym/missing-symbol-null", dlsym(h, "no_such_symbol") == NULL);

  /* /proc/self/maps shows the library */
  char maps[16384];
  int fd = open("/proc/self/maps", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, maps, sizeof(maps) - 1) : -1;
  if (fd >= 0)
    close(fd);
  maps[n > 0 ? n : 0] = 0;
  CHECK("proc/maps-lists-library", strstr(maps, "libabi_dyn_") != NULL);

  /* TLS: the program's and the library's, per thread */
  CHECK("tls/main-initial-value", main_tls == 7);
  CHECK("tls/library-initial-value", lib_get() == 5);
  main_tls = 8;
  lib_set(6);
  errno = 0;
  struct seen s = {0};
  pthread_t t;
  void *ret = 0;
  int pc = pthread_create(&t, NULL, thread_fn, &s);
  int pj = pc == 0 ? pthread_join(t, &ret) : -1;
  CHECKF("thread/create-join", pc == 0 && pj == 0 && ret == (void *)1L, "create %d join %d", pc, pj);
  CHECKF("tls/thread-sees-initial-values", s.main_tls_start == 7 && s.lib_tls_start == 5, "main %d lib %d",
         s.main_tls_start, s.lib_tls_start);
  CHECKF("tls/values-stay-per-thread", main_tls == 8 && lib_get() == 6, "main %d lib %d", main_tls, lib_get());
  CHECK("tls/library-addresses-differ", s.lib_addr != lib_addr());
  CHECK("tls/errno-per-thread", s.errno_start == 0 && errno == 0);
  CHECK("dlclose", dlclose(h) == 0);
  return abi_done();
}
