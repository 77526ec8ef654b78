/*
 * pidns_links.h — part of pidns.c (included once, after its helpers): the
 * /proc/<pid>/ns links of a process in a new PID namespace followed from
 * several processes at once, while that process (the namespace's init)
 * follows its own and forks and reaps children there. On several harts the
 * walks meet on the same /proc/<pid> and /proc/<pid>/ns names, made fresh
 * by whichever walk comes first (docs/namespaces.md, "Risks"). Every open
 * must succeed and lead to a namespace of the right kind; for "pid", its
 * parent must be ours (NS_GET_PARENT).
 */
#include <sys/ioctl.h>

#ifndef NS_GET_PARENT
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#endif

#define RACE_WALKERS 3
#define RACE_MS 1500

/* The links a walker follows, and the type NS_GET_NSTYPE gives for each. */
static const struct {
  const char *name;
  int type;
} race_links[] = {
  {"pid", K_CLONE_NEWPID}, {"pid_for_children", K_CLONE_NEWPID}, {"uts", 0x04000000},
  {"mnt", K_CLONE_NEWNS},  {"ipc", 0x08000000},                  {"user", 0x10000000},
  {"net", 0x40000000},
};
#define NR_RACE_LINKS ((int)(sizeof(race_links) / sizeof(race_links[0])))
/* The kinds this kernel has (the reference Linux is built without network
 * namespaces: no "net" link), found before the walks start. */
static int race_has[NR_RACE_LINKS];

/* What the walkers found, in memory they share with the section. */
struct race_result {
  int opens, failures;
  char first[160]; /* the first failure, in words */
};

/* Note a failure (the first one's detail is kept). Walkers race here only
 * for the detail, which is then one walker's or another's: good enough. */
static void race_fail(struct race_result *r, const char *fmt, ...)
{
  if (__atomic_fetch_add(&r->failures, 1, __ATOMIC_RELAXED) == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->first, sizeof(r->first), fmt, ap);
    va_end(ap);
  }
}

/* Follow dir's links once each: open, NS_GET_NSTYPE, and for "pid"
 * NS_GET_PARENT, whose inode must be `parent` (0: not checked). */
static void race_walk_once(struct race_result *r, const char *dir, ino_t parent)
{
  for (int k = 0; k < NR_RACE_LINKS; k++) {
    if (!race_has[k])
      continue;
    char path[96];
    snprintf(path, sizeof(path), "%s/%s", dir, race_links[k].name);
    __atomic_fetch_add(&r->opens, 1, __ATOMIC_RELAXED);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      race_fail(r, "open %s: %s", path, strerror(errno));
      continue;
    }
    int type = ioctl(fd, NS_GET_NSTYPE);
    if (type != race_links[k].type)
      race_fail(r, "%s: NS_GET_NSTYPE %d (%s), want %d", path, type, type < 0 ? strerror(errno) : "",
                race_links[k].type);
    if (parent && k == 0) {
      int par = ioctl(fd, NS_GET_PARENT);
      struct stat st;
      if (par < 0 || fstat(par, &st) != 0 || st.st_ino != parent)
        race_fail(r, "%s: NS_GET_PARENT %d (%s)", path, par, par < 0 ? strerror(errno) : "wrong inode");
      if (par >= 0)
        close(par);
    }
    close(fd);
  }
}

static void test_links_race(void)
{
  struct race_result *res = mmap(NULL, sizeof(*res) * 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK("race/mmap", res != MAP_FAILED);
  if (res == MAP_FAILED)
    return;
  memset(res, 0, sizeof(*res) * 2);
  struct stat st;
  stat("/proc/self/ns/pid", &st);
  ino_t outer = st.st_ino;
  for (int k = 0; k < NR_RACE_LINKS; k++) {
    char path[96];
    snprintf(path, sizeof(path), "/proc/self/ns/%s", race_links[k].name);
    race_has[k] = stat(path, &st) == 0;
  }
  int stop[2];
  pipe(stop);
  /* the init of a new namespace: follows its own links (through
   * /proc/self, the same names the walkers use) and forks and reaps a
   * child that follows them too, until stop is closed */
  pid_t init = (pid_t)raw5(SYS_clone, K_CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (init == 0) {
    close(stop[1]);
    fcntl(stop[0], F_SETFL, O_NONBLOCK);
    char c;
    while (read(stop[0], &c, 1) != 0) {
      race_walk_once(&res[1], "/proc/self/ns", 0);
      pid_t k = fork();
      if (k == 0) {
        race_walk_once(&res[1], "/proc/self/ns", 0);
        _exit(0);
      }
      waitpid(k, NULL, 0);
    }
    _exit(0);
  }
  close(stop[0]);
  CHECKF("race/clone-newpid", init > 0, "%s", strerror(errno));
  if (init <= 0)
    return;
  char dir[64];
  snprintf(dir, sizeof(dir), "/proc/%d/ns", init);
  pid_t walkers[RACE_WALKERS];
  for (int w = 0; w < RACE_WALKERS; w++) {
    walkers[w] = fork();
    if (walkers[w] == 0) {
      for (long long end = now_ns() + RACE_MS * 1000000LL; now_ns() < end;)
        race_walk_once(&res[0], dir, outer);
      _exit(0);
    }
  }
  int ok = 1;
  for (int w = 0; w < RACE_WALKERS; w++)
    ok &= walkers[w] > 0 && wait_status(walkers[w]) == 0;
  close(stop[1]);
  CHECK_RET("race/init-finished", wait_status(init), 0);
  CHECK("race/walkers-finished", ok);
  CHECKF("race/outside", res[0].opens > 0 && res[0].failures == 0, "%d of %d opens failed; first: %s",
         res[0].failures, res[0].opens, res[0].first);
  CHECKF("race/inside", res[1].opens > 0 && res[1].failures == 0, "%d of %d opens failed; first: %s",
         res[1].failures, res[1].opens, res[1].first);
  munmap(res, sizeof(*res) * 2);
}
