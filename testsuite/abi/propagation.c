/*
 * propagation.c — mount propagation, shared subtrees (testsuite/abi;
 * docs/vfs.md "Mount propagation"): a bind of a shared mount is its peer
 * and a mount or unmount under one peer is replayed on the other; a
 * slave receives from its master and sends nothing back; a new mount
 * namespace's copies are peers of the originals; an unbindable mount is
 * not bound (EINVAL); /proc/self/mountinfo's optional fields (shared:N,
 * master:N, propagate_from:N, unbindable) as Linux prints them. All in a
 * mount namespace of its own (everything made private first). Compares
 * peer group numbers with each other, never with fixed values. User
 * space; runs on Kite and on the reference Linux (skipped under
 * qemu-user: its mounts are the host's).
 */
#include "check.h"
#include <sys/mount.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <sched.h>
#ifndef CLONE_NEWNS
#define CLONE_NEWNS 0x00020000
#endif

static char base[128];
static int proc_dir = -1;  /* /proc, opened before a chroot that has none */

/* base/name into buf. */
static const char *at(char *buf, const char *name)
{
  snprintf(buf, 192, "%s/%s", base, name);
  return buf;
}

/* The optional fields of the topmost mount on path in /proc/self/mountinfo
 * (between the options and the "-", each with a space before it), into
 * out; false if path is not a mount point. */
static bool fields_of(const char *path, char *out, size_t len)
{
  int fd = openat(proc_dir, "self/mountinfo", O_RDONLY);
  FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
  char line[1024];
  out[0] = 0;
  bool found = false;
  while (f && fgets(line, sizeof(line), f)) {
    char *tok[64];
    int n = 0;
    for (char *s = strtok(line, " \n"); s && n < 64; s = strtok(NULL, " \n"))
      tok[n++] = s;
    if (n < 7 || strcmp(tok[4], path) != 0)
      continue;
    found = true;
    out[0] = 0;
    for (int i = 6; i < n && strcmp(tok[i], "-") != 0; i++)
      snprintf(out + strlen(out), len - strlen(out), " %s", tok[i]);
  }
  if (f)
    fclose(f);
  return found;
}

/* The N of "key:N" among path's fields (0: absent, -1: not a mount). */
static int field(const char *path, const char *key)
{
  char buf[256], want[32];
  if (!fields_of(path, buf, sizeof(buf)))
    return -1;
  snprintf(want, sizeof(want), " %s:", key);
  char *p = strstr(buf, want);
  return p ? atoi(p + strlen(want)) : 0;
}

static int mnt(const char *src, const char *dst, const char *type, unsigned long flags)
{
  return mount(src, dst, type, flags, NULL) ? -errno : 0;
}

static bool exists(const char *dir, const char *name)
{
  char path[320];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

static void touch(const char *dir, const char *name)
{
  char path[320];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  close(open(path, O_CREAT | O_WRONLY, 0644));
}

/* Peers: a bind of a shared mount, mounts and unmounts under either. */
static void peers(const char *a, const char *b)
{
  char sub_a[256], sub_b[256];
  snprintf(sub_a, sizeof(sub_a), "%s/sub", a);
  snprintf(sub_b, sizeof(sub_b), "%s/sub", b);
  CHECK_RET("mount-a", mnt("none", a, "tmpfs", 0), 0);
  CHECK("private-no-fields", field(a, "shared") == 0 && field(a, "master") == 0);
  CHECK_RET("make-shared", mnt("none", a, NULL, MS_SHARED), 0);
  int g = field(a, "shared");
  CHECK("shared-field", g > 0);
  mkdir(sub_a, 0755);
  CHECK_RET("bind-a-b", mnt(a, b, NULL, MS_BIND), 0);
  CHECKF("bind-is-peer", field(b, "shared") == g, "b shared:%d a shared:%d", field(b, "shared"), g);
  CHECK_RET("mount-under-a", mnt("none", sub_a, "tmpfs", 0), 0);
  touch(sub_a, "f");
  CHECK("replayed-on-peer", exists(sub_b, "f"));
  int ga = field(sub_a, "shared"), gb = field(sub_b, "shared");
  CHECKF("copies-are-peers", ga > 0 && ga == gb && ga != g, "sub_a %d sub_b %d a %d", ga, gb, g);
  CHECK_RET("umount-under-b", umount(sub_b) ? -errno : 0, 0);
  CHECK("umount-replayed", !exists(sub_a, "f") && field(sub_a, "shared") == -1);
  /* b a slave of a: a's mounts reach b, b's never reach a */
  CHECK_RET("make-slave", mnt("none", b, NULL, MS_SLAVE), 0);
  CHECKF("slave-fields", field(b, "master") == g && field(b, "shared") == 0 && field(a, "shared") == g,
         "b master:%d shared:%d", field(b, "master"), field(b, "shared"));
  CHECK_RET("mount-under-master", mnt("none", sub_a, "tmpfs", 0), 0);
  touch(sub_a, "g");
  CHECK("master-to-slave", exists(sub_b, "g"));
  int gs = field(sub_a, "shared");
  CHECKF("slave-copy-fields", gs > 0 && field(sub_b, "master") == gs && field(sub_b, "shared") == 0,
         "sub_a shared:%d sub_b master:%d shared:%d", gs, field(sub_b, "master"), field(sub_b, "shared"));
  CHECK_RET("umount-master-side", umount(sub_a) ? -errno : 0, 0);
  CHECK("umount-reaches-slave", field(sub_b, "master") == -1 && !exists(sub_b, "g"));
  CHECK_RET("mount-under-slave", mnt("none", sub_b, "tmpfs", 0), 0);
  touch(sub_b, "h");
  CHECK("not-back-from-slave", !exists(sub_a, "h") && field(sub_a, "shared") == -1);
  CHECK_RET("umount-slave-side", umount(sub_b) ? -errno : 0, 0);
  /* a busy copy makes a plain unmount EBUSY; a lazy one takes both */
  CHECK_RET("make-b-shared-again", mnt("none", b, NULL, MS_PRIVATE) || mnt(a, b, NULL, MS_BIND), 0);
  CHECK_RET("mount-under-a-2", mnt("none", sub_a, "tmpfs", 0), 0);
  int fd = open(sub_b, O_RDONLY | O_DIRECTORY);
  CHECK_RET("busy-copy-ebusy", umount(sub_a) ? -errno : 0, -EBUSY);
  close(fd);
  CHECK_RET("umount-a-sub", umount2(sub_a, MNT_DETACH) ? -errno : 0, 0);
  CHECK("lazy-umount-replayed", field(sub_b, "shared") == -1 && field(sub_a, "shared") == -1);
}

/* A new namespace's copies are peers of the originals: a mount in the
 * child's namespace shows in ours. */
static void namespace_copy(const char *a)
{
  int g = field(a, "shared");
  int tell[2];
  pipe(tell);
  pid_t pid = fork();
  if (pid == 0) {
    abi_family = "propagation/ns-child";
    CHECK_RET("unshare-newns", raw1(SYS_unshare, CLONE_NEWNS), 0);
    CHECKF("copy-same-group", field(a, "shared") == g, "copy shared:%d original %d", field(a, "shared"), g);
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/sub", a);
    CHECK_RET("mount-in-child-ns", mnt("none", sub, "tmpfs", 0), 0);
    touch(sub, "from-child");
    write(tell[1], "x", 1);
    _exit(abi_failures ? 1 : 0);
  }
  char c = 0;
  read(tell[0], &c, 1);
  CHECK_RET("child", wait_status(pid), 0);
  char sub[256];
  snprintf(sub, sizeof(sub), "%s/sub", a);
  CHECK("child-mount-seen-here", exists(sub, "from-child"));
  CHECK_RET("umount-it", umount(sub) ? -errno : 0, 0);
  close(tell[0]);
  close(tell[1]);
}

/* r/a shared G1, b its slave and shared G2, r/c a slave of G2: seen from
 * a chroot at r, where no member of G2 is, c propagates from G1. */
static void propagate_from(void)
{
  char r[192], a[192], b[192], c[192];
  at(r, "r");
  snprintf(a, sizeof(a), "%s/a", r);
  at(b, "pb");
  snprintf(c, sizeof(c), "%s/c", r);
  mkdir(r, 0755);
  mkdir(a, 0755);
  mkdir(b, 0755);
  mkdir(c, 0755);
  CHECK_RET("mount-a", mnt("none", a, "tmpfs", 0) || mnt("none", a, NULL, MS_SHARED), 0);
  CHECK_RET("bind-b", mnt(a, b, NULL, MS_BIND) || mnt("none", b, NULL, MS_SLAVE) ||
                      mnt("none", b, NULL, MS_SHARED), 0);
  int g1 = field(a, "shared"), g2 = field(b, "shared");
  CHECKF("b-shared-slave", g2 > 0 && g2 != g1 && field(b, "master") == g1, "b shared:%d master:%d a %d",
         g2, field(b, "master"), g1);
  CHECK_RET("bind-c", mnt(b, c, NULL, MS_BIND) || mnt("none", c, NULL, MS_SLAVE), 0);
  char f[256];
  CHECKF("c-fields", fields_of(c, f, sizeof(f)) && field(c, "master") == g2 && !strstr(f, "propagate_from"),
         "c:%s", f);
  pid_t pid = fork();
  if (pid == 0) {
    abi_family = "propagation/chroot";
    CHECK_RET("chroot", chroot(r) ? -errno : 0, 0);
    char want[64];
    snprintf(want, sizeof(want), " master:%d propagate_from:%d", g2, g1);
    CHECKF("propagate-from", fields_of("/c", f, sizeof(f)) && !strcmp(f, want), "'%s' want '%s'", f, want);
    _exit(abi_failures ? 1 : 0);
  }
  CHECK_RET("chroot-child", wait_status(pid), 0);
  umount(c);
  umount(b);
  umount(a);
  rmdir(a);
  rmdir(c);
  rmdir(b);
  rmdir(r);
}

/* MS_UNBINDABLE: shown, refuses a bind; making it shared clears it. */
static void unbindable(const char *a, const char *b)
{
  CHECK_RET("mount", mnt("none", a, "tmpfs", 0), 0);
  CHECK_RET("make-unbindable", mnt("none", a, NULL, MS_UNBINDABLE), 0);
  char f[256];
  CHECKF("field", fields_of(a, f, sizeof(f)) && !strcmp(f, " unbindable"), "'%s'", f);
  CHECK_RET("bind-einval", mnt(a, b, NULL, MS_BIND), -EINVAL);
  CHECK_RET("make-shared", mnt("none", a, NULL, MS_SHARED), 0);
  CHECK("shared-not-unbindable", fields_of(a, f, sizeof(f)) && !strstr(f, "unbindable") && field(a, "shared") > 0);
  CHECK_RET("umount", umount(a) ? -errno : 0, 0);
}

/* The private namespace every section runs in. */
static void in_own_namespace(void (*fn)(void))
{
  pid_t pid = fork();
  if (pid == 0) {
    int ok = raw1(SYS_unshare, CLONE_NEWNS) == 0 && mnt("none", "/", NULL, MS_REC | MS_PRIVATE) == 0;
    CHECK("own-namespace", ok);
    if (ok)
      fn();
    _exit(abi_failures ? 1 : 0);
  }
  CHECK_RET("section-child", wait_status(pid), 0);
}

static void test_peers(void)
{
  char a[192], b[192];
  abi_family = "propagation/peers";
  mkdir(at(a, "a"), 0755);
  mkdir(at(b, "b"), 0755);
  peers(a, b);
  abi_family = "propagation/namespace-copy";
  namespace_copy(a);
  umount(b);
  umount(a);
}

static void test_propagate_from(void)
{
  abi_family = "propagation/propagate-from";
  propagate_from();
}

static void test_unbindable(void)
{
  char a[192], b[192];
  abi_family = "propagation/unbindable";
  unbindable(at(a, "u"), at(b, "b"));
}

static void test_all(void)
{
  if (skip_on_qemu("mounts", "mounts go to the host's kernel; the reference Linux runs them"))
    return;
  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  snprintf(base, sizeof(base), "%s/prop.%d", tmp, getpid());
  mkdir(base, 0755);
  char a[192], b[192], u[192];
  mkdir(at(a, "a"), 0755);
  mkdir(at(b, "b"), 0755);
  mkdir(at(u, "u"), 0755);
  in_own_namespace(test_peers);
  in_own_namespace(test_propagate_from);
  in_own_namespace(test_unbindable);
  char sub[256];
  snprintf(sub, sizeof(sub), "%s/sub", a);
  rmdir(sub);
  rmdir(a);
  rmdir(b);
  rmdir(u);
  CHECK_RET("cleanup", rmdir(base) ? -errno : 0, 0);
}

int main(void)
{
  abi_family = "propagation";
  setvbuf(stdout, NULL, _IONBF, 0);
  proc_dir = open("/proc", O_RDONLY | O_DIRECTORY);
  run_section("all", test_all, 60000);
  return abi_done();
}
