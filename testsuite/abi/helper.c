/*
 * helper.c — the program the ABI tests execve (testsuite/abi). User space.
 *
 *   helper report ...      print what the new program image sees: argc and
 *                          argv, the environment, which of descriptors 3..9
 *                          are open, the dispositions of SIGUSR1/SIGUSR2,
 *                          the blocked mask, pid and ppid — one "key=value"
 *                          line each, for the caller to check
 *   helper exit N          exit with status N
 *   helper sleep MS        sleep MS milliseconds, then exit 0
 *   helper pid PID         exit 0 if getpid() == PID, else 1
 *   helper stack KIB       use KIB KiB of stack (recursion), then exit 0
 *   helper ids             print "ids=ruid euid suid rgid egid sgid capeff-low
 *                          capprm-low secure" (what a set-ID exec gave us)
 *
 * "report" is recognised as a prefix, so "#!helper report x y" (whose
 * interpreter argument is the one string "report x y") reports too.
 */
#include "check.h"
#include <sys/resource.h>
#include <sys/auxv.h>

extern char **environ;

/* burn: recursion that uses about 1 KiB of stack per level. */
static int burn(int levels)
{
  volatile char pad[1000];
  pad[0] = (char)levels;
  if (levels <= 0)
    return pad[0];
  return burn(levels - 1) + pad[0];
}

static int report(int argc, char **argv)
{
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++)
    printf("argv[%d]=%s\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e; e++, n++)
    printf("env=%s\n", *e);
  printf("envc=%d\n", n);
  for (int fd = 3; fd < 10; fd++)
    printf("fd%d=%s\n", fd, fcntl(fd, F_GETFD) < 0 ? "closed" : "open");
  struct sigaction sa;
  sigaction(SIGUSR1, NULL, &sa);
  printf("sigusr1=%s\n", sa.sa_handler == SIG_DFL ? "dfl" : sa.sa_handler == SIG_IGN ? "ign" : "handler");
  sigaction(SIGUSR2, NULL, &sa);
  printf("sigusr2=%s\n", sa.sa_handler == SIG_DFL ? "dfl" : sa.sa_handler == SIG_IGN ? "ign" : "handler");
  uint64_t mask = 0;
  raw4(SYS_rt_sigprocmask, SIG_BLOCK, 0, &mask, 8);
  printf("mask=%llx\n", (unsigned long long)mask);
  printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
  printf("end\n");
  return 0;
}

int main(int argc, char **argv)
{
  if (argc >= 2 && strncmp(argv[1], "report", 6) == 0)
    return report(argc, argv);
  if (argc >= 3 && strcmp(argv[1], "exit") == 0)
    return atoi(argv[2]);
  if (argc >= 3 && strcmp(argv[1], "sleep") == 0) {
    msleep(atol(argv[2]));
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "pid") == 0)
    return getpid() == atoi(argv[2]) ? 0 : 1;
  if (argc >= 2 && strcmp(argv[1], "ids") == 0) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    uint32_t hdr[2] = {0x20080522, 0}, data[6] = {0};
    raw2(SYS_capget, hdr, data);
    printf("ids=%u %u %u %u %u %u %x %x %lu\n", r, e, s, gr, ge, gs, data[0], data[1],
           getauxval(AT_SECURE));
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "stack") == 0) {
    burn(atoi(argv[2]));
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "maxrss") == 0) {
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    printf("self=%ld children=%ld\n", self.ru_maxrss, children.ru_maxrss);
    return 0;
  }
  fprintf(stderr, "helper: unknown mode\n");
  return 127;
}
