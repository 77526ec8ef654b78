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
#define SYS_open_tree 428
#define SYS_move_mount 429
#define SYS_mount_setattr 442
#define K_OPEN_TREE_CLONE 1
#define K_AT_RECURSIVE 0x8000
#define K_AT_EMPTY_PATH 0x1000
#define K_MOVE_MOUNT_F_EMPTY_PATH 4

struct k_mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

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
    abi_child_start();
    abi_family = "propagation/ns-child";
    CHECK_RET("unshare-newns", raw1(SYS_unshare, CLONE_NEWNS), 0);
    CHECKF("copy-same-group", field(a, "shared") == g, "copy shared:%d original %d", field(a, "shared"), g);
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/sub", a);
    CHECK_RET("mount-in-child-ns", mnt("none", sub, "tmpfs", 0), 0);
    touch(sub, "from-child");
    write(tell[1], "x", 1);
    abi_child_exit();
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
    abi_child_start();
    abi_family = "propagation/chroot";
    CHECK_RET("chroot", chroot(r) ? -errno : 0, 0);
    char want[64];
    snprintf(want, sizeof(want), " master:%d propagate_from:%d", g2, g1);
    CHECKF("propagate-from", fields_of("/c", f, sizeof(f)) && !strcmp(f, want), "'%s' want '%s'", f, want);
    abi_child_exit();
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

/* dir/name into a static buffer of its own (four in turn). */
static const char *sub(const char *dir, const char *name)
{
  static char bufs[4][256];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, 256, "%s/%s", dir, name);
  return b;
}

/* A tmpfs at dir with a file f in it. */
static int tmpfs_with_file(const char *dir)
{
  mkdir(dir, 0755);
  int r = mnt("none", dir, "tmpfs", 0);
  if (r == 0)
    touch(dir, "f");
  return r;
}

/* A tree to copy at t: a tmpfs with x (a tmpfs holding f) and u (an
 * unbindable tmpfs) below it. */
static int make_tree(const char *t)
{
  int r = tmpfs_with_file(t);
  if (r == 0)
    r = tmpfs_with_file(sub(t, "x"));
  if (r == 0)
    r = tmpfs_with_file(sub(t, "u"));
  if (r == 0)
    r = mnt("none", sub(t, "u"), NULL, MS_UNBINDABLE);
  return r;
}

/* A shared tmpfs at d, its peer e (a bind) and its slave s. */
static int make_group(const char *d, const char *e, const char *s)
{
  mkdir(d, 0755);
  mkdir(e, 0755);
  mkdir(s, 0755);
  int r = mnt("none", d, "tmpfs", 0);
  if (r == 0)
    r = mnt("none", d, NULL, MS_SHARED);
  if (r == 0)
    r = mnt(d, e, NULL, MS_BIND);
  if (r == 0)
    r = mnt(d, s, NULL, MS_BIND);
  if (r == 0)
    r = mnt("none", s, NULL, MS_SLAVE);
  return r;
}

/* The tree moved or bound to d/name reached d's peer e and slave s. */
static void check_replayed(const char *tag, const char *d, const char *e, const char *s,
                           const char *name)
{
  char dn[256], en[256], sn[256];
  snprintf(dn, sizeof(dn), "%s/%s", d, name);
  snprintf(en, sizeof(en), "%s/%s", e, name);
  snprintf(sn, sizeof(sn), "%s/%s", s, name);
  int g = field(dn, "shared"), gx = field(sub(dn, "x"), "shared");
  CHECKF(tag, g > 0 && gx > 0 && g != gx && field(en, "shared") == g && field(sn, "master") == g &&
               field(sub(en, "x"), "shared") == gx && field(sub(sn, "x"), "master") == gx &&
               exists(sub(en, "x"), "f") && exists(sub(sn, "x"), "f"),
         "d %d x %d e %d ex %d s master %d sx master %d", g, gx, field(en, "shared"),
         field(sub(en, "x"), "shared"), field(sn, "master"), field(sub(sn, "x"), "master"));
}

/* mount --rbind: the whole tree less unbindable mounts; onto a shared
 * mount, replayed on its peers and slaves as a tree. */
static void test_rbind(void)
{
  char t[192], b[192], c[192], d[192], e[192], sl[192];
  abi_family = "propagation/rbind";
  CHECK_RET("make-tree", make_tree(at(t, "t")), 0);
  mkdir(at(b, "rb"), 0755);
  mkdir(at(c, "pb"), 0755);
  CHECK_RET("rbind", mnt(t, b, NULL, MS_BIND | MS_REC), 0);
  CHECK("rbind-copies-below", field(sub(b, "x"), "shared") == 0 && exists(sub(b, "x"), "f"));
  CHECK("rbind-skips-unbindable", field(sub(b, "u"), "shared") == -1 && !exists(sub(b, "u"), "f"));
  CHECK_RET("bind", mnt(t, c, NULL, MS_BIND), 0);
  CHECK("bind-top-only", field(sub(c, "x"), "shared") == -1 && !exists(sub(c, "x"), "f"));
  CHECK_RET("rbind-of-x", mnt(sub(t, "x"), sub(c, "x"), NULL, MS_BIND | MS_REC), 0);
  CHECK("rbind-of-leaf", exists(sub(c, "x"), "f"));
  CHECK_RET("group", make_group(at(d, "d"), at(e, "e"), at(sl, "s")), 0);
  mkdir(sub(d, "in"), 0755);
  CHECK_RET("rbind-onto-shared", mnt(t, sub(d, "in"), NULL, MS_BIND | MS_REC), 0);
  check_replayed("rbind-replayed", d, e, sl, "in");
  CHECK("replayed-skips-unbindable", field(sub(sub(e, "in"), "u"), "shared") == -1);
  CHECK_RET("umount-replayed-tree", umount2(sub(e, "in"), MNT_DETACH) ? -errno : 0, 0);
  CHECK("umount-replayed-tree-gone", field(sub(d, "in"), "shared") == -1 &&
        field(sub(sl, "in"), "master") == -1 && !exists(sub(sub(d, "in"), "x"), "f"));
  /* a shared tree bound recursively: each copy a peer of its original */
  CHECK_RET("make-rshared", mnt("none", t, NULL, MS_SHARED | MS_REC), 0);
  mkdir(at(b, "rb2"), 0755);
  CHECK_RET("rbind-shared", mnt(t, b, NULL, MS_BIND | MS_REC), 0);
  CHECKF("rbind-peers", field(b, "shared") == field(t, "shared") &&
         field(sub(b, "x"), "shared") == field(sub(t, "x"), "shared") && field(t, "shared") > 0,
         "b %d t %d", field(sub(b, "x"), "shared"), field(sub(t, "x"), "shared"));
}

/* MS_MOVE and move_mount onto a shared mount: the moved tree is replayed
 * on its peers and slaves; Linux's EINVAL and ELOOP cases. */
static void test_move(void)
{
  char t[192], d[192], e[192], sl[192], n[192], u[192];
  abi_family = "propagation/move";
  CHECK_RET("group", make_group(at(d, "d"), at(e, "e"), at(sl, "s")), 0);
  mkdir(sub(d, "in"), 0755);
  mkdir(sub(d, "in2"), 0755);
  mkdir(at(t, "t"), 0755);
  CHECK_RET("make-tree", tmpfs_with_file(t) || tmpfs_with_file(sub(t, "x")), 0);
  CHECK_RET("move-onto-shared", mnt(t, sub(d, "in"), NULL, MS_MOVE), 0);
  CHECK("moved-away", field(t, "shared") == -1);
  check_replayed("move-replayed", d, e, sl, "in");
  CHECK_RET("move-from-shared-parent", mnt(sub(d, "in"), t, NULL, MS_MOVE), -EINVAL);
  CHECK_RET("move-mount-from-shared-parent",
            raw5(SYS_move_mount, AT_FDCWD, (long)sub(d, "in"), AT_FDCWD, (long)t, 0), -EINVAL);
  CHECK_RET("mount-n", tmpfs_with_file(at(n, "n")), 0);
  mkdir(sub(n, "inside"), 0755);
  CHECK_RET("move-into-itself", mnt(n, sub(n, "inside"), NULL, MS_MOVE), -ELOOP);
  touch(base, "file");
  CHECK_RET("move-dir-onto-file", mnt(n, at(u, "file"), NULL, MS_MOVE), -EINVAL);
  unlink(at(u, "file"));
  CHECK_RET("unbindable-u", tmpfs_with_file(at(u, "u")) || mnt("none", u, NULL, MS_UNBINDABLE), 0);
  CHECK_RET("move-unbindable-onto-shared", mnt(u, sub(d, "in2"), NULL, MS_MOVE), -EINVAL);
  CHECK_RET("unbindable-below", mnt(u, sub(n, "inside"), NULL, MS_MOVE), 0);
  CHECK_RET("move-tree-with-unbindable", mnt(n, sub(d, "in2"), NULL, MS_MOVE), -EINVAL);
  CHECK_RET("move-mount-onto-shared", raw5(SYS_move_mount, AT_FDCWD, (long)sub(n, "inside"), AT_FDCWD,
            (long)u, 0), 0);
  CHECK_RET("move-n-onto-shared", raw5(SYS_move_mount, AT_FDCWD, (long)n, AT_FDCWD,
            (long)sub(d, "in2"), 0), 0);
  CHECK("move-mount-replayed", exists(sub(e, "in2"), "f") && exists(sub(sl, "in2"), "f") &&
        field(sub(e, "in2"), "shared") == field(sub(d, "in2"), "shared"));
  /* a shared mount moved under a private one keeps its group */
  CHECK_RET("make-u-shared", mnt("none", u, NULL, MS_SHARED), 0);
  int gu = field(u, "shared");
  mkdir(at(t, "t2"), 0755);
  CHECK_RET("move-shared", mnt(u, t, NULL, MS_MOVE), 0);
  CHECK("moved-keeps-group", gu > 0 && field(t, "shared") == gu);
}

/* open_tree(OPEN_TREE_CLONE [| AT_RECURSIVE]): detached copies, peers of
 * shared originals, attached with move_mount (replayed under a shared
 * target); mount_setattr's propagation on a detached copy. */
static void test_open_tree(void)
{
  char t[192], c[192], c2[192], d[192], e[192], sl[192];
  abi_family = "propagation/open-tree";
  CHECK_RET("make-tree", make_tree(at(t, "t")) || mnt("none", t, NULL, MS_SHARED), 0);
  int g = field(t, "shared");
  long fd = raw3(SYS_open_tree, AT_FDCWD, (long)t, K_OPEN_TREE_CLONE);
  CHECK("clone", fd >= 0);
  CHECK("clone-sees-top-only", exists(sub(t, "x"), "f") && faccessat((int)fd, "f", F_OK, 0) == 0 &&
        faccessat((int)fd, "x/f", F_OK, 0) != 0);
  mkdir(at(c, "c"), 0755);
  char self_fd[64];
  snprintf(self_fd, sizeof(self_fd), "/proc/self/fd/%ld", fd);
  CHECK_RET("bind-of-detached", mnt(self_fd, c, NULL, MS_BIND), -EINVAL);
  CHECK_RET("attach", raw5(SYS_move_mount, fd, (long)"", AT_FDCWD, (long)c, K_MOVE_MOUNT_F_EMPTY_PATH), 0);
  close((int)fd);
  CHECKF("clone-is-peer", g > 0 && field(c, "shared") == g && field(sub(c, "x"), "shared") == -1,
         "c %d t %d", field(c, "shared"), g);
  mkdir(sub(t, "new"), 0755);
  CHECK_RET("mount-under-original", mnt("none", sub(t, "new"), "tmpfs", 0), 0);
  CHECK("reaches-clone", field(sub(c, "new"), "shared") > 0);
  fd = raw3(SYS_open_tree, AT_FDCWD, (long)t, K_OPEN_TREE_CLONE | K_AT_RECURSIVE);
  CHECK("rclone", fd >= 0 && faccessat((int)fd, "x/f", F_OK, 0) == 0 &&
        faccessat((int)fd, "u/f", F_OK, 0) != 0);
  CHECK_RET("group", make_group(at(d, "d"), at(e, "e"), at(sl, "s")), 0);
  mkdir(sub(d, "in"), 0755);
  CHECK_RET("attach-onto-shared", raw5(SYS_move_mount, fd, (long)"", AT_FDCWD, (long)sub(d, "in"),
            K_MOVE_MOUNT_F_EMPTY_PATH), 0);
  close((int)fd);
  CHECKF("rclone-top-peer", field(sub(d, "in"), "shared") == g, "%d %d", field(sub(d, "in"), "shared"), g);
  CHECK("rclone-replayed", exists(sub(sub(e, "in"), "x"), "f") && exists(sub(sub(sl, "in"), "x"), "f") &&
        field(sub(sub(e, "in"), "x"), "shared") == field(sub(sub(d, "in"), "x"), "shared") &&
        field(sub(sub(d, "in"), "x"), "shared") > 0);
  fd = raw3(SYS_open_tree, AT_FDCWD, (long)t, K_OPEN_TREE_CLONE | K_AT_RECURSIVE);
  CHECK("rclone-dropped", fd >= 0 && close((int)fd) == 0);
  CHECK_RET("clone-unbindable", raw3(SYS_open_tree, AT_FDCWD, (long)sub(t, "u"), K_OPEN_TREE_CLONE),
            -EINVAL);
  /* made private while detached: attached without a group */
  fd = raw3(SYS_open_tree, AT_FDCWD, (long)t, K_OPEN_TREE_CLONE);
  struct k_mount_attr a = { 0, 0, MS_PRIVATE, 0 };
  CHECK_RET("setattr-detached", raw5(SYS_mount_setattr, fd, (long)"", K_AT_EMPTY_PATH, (long)&a,
            sizeof(a)), 0);
  mkdir(at(c2, "c2"), 0755);
  CHECK_RET("attach-private", raw5(SYS_move_mount, fd, (long)"", AT_FDCWD, (long)c2,
            K_MOVE_MOUNT_F_EMPTY_PATH), 0);
  close((int)fd);
  CHECK("attached-private", field(c2, "shared") == 0 && field(c2, "master") == 0);
}

/* mount_setattr(MOUNT_ATTR propagation [, AT_RECURSIVE]). */
static void test_setattr(void)
{
  char t[192], f[256];
  abi_family = "propagation/setattr";
  CHECK_RET("make-tree", make_tree(at(t, "t")), 0);
  struct k_mount_attr a = { 0, 0, MS_SHARED, 0 };
  CHECK_RET("shared", raw5(SYS_mount_setattr, AT_FDCWD, (long)t, 0, (long)&a, sizeof(a)), 0);
  CHECK("shared-top-only", field(t, "shared") > 0 && field(sub(t, "x"), "shared") == 0);
  CHECK_RET("rshared", raw5(SYS_mount_setattr, AT_FDCWD, (long)t, K_AT_RECURSIVE, (long)&a, sizeof(a)), 0);
  int g = field(t, "shared"), gx = field(sub(t, "x"), "shared");
  CHECK("rshared-all", g > 0 && gx > 0 && gx != g && field(sub(t, "u"), "shared") > 0);
  a.propagation = MS_SLAVE;
  CHECK_RET("slave", raw5(SYS_mount_setattr, AT_FDCWD, (long)sub(t, "x"), 0, (long)&a, sizeof(a)), 0);
  CHECK("slave-field", field(sub(t, "x"), "shared") == 0 && field(sub(t, "x"), "master") == 0);
  a.propagation = MS_UNBINDABLE;
  CHECK_RET("unbindable", raw5(SYS_mount_setattr, AT_FDCWD, (long)t, K_AT_RECURSIVE, (long)&a, sizeof(a)), 0);
  CHECK("unbindable-fields", fields_of(t, f, sizeof(f)) && !strcmp(f, " unbindable") &&
        fields_of(sub(t, "u"), f, sizeof(f)) && !strcmp(f, " unbindable"));
  a.propagation = MS_PRIVATE;
  CHECK_RET("rprivate", raw5(SYS_mount_setattr, AT_FDCWD, (long)t, K_AT_RECURSIVE, (long)&a, sizeof(a)), 0);
  CHECK("private-fields", fields_of(t, f, sizeof(f)) && !f[0] && fields_of(sub(t, "x"), f, sizeof(f)) && !f[0]);
  a.propagation = MS_SHARED | MS_SLAVE;
  CHECK_RET("two-types", raw5(SYS_mount_setattr, AT_FDCWD, (long)t, 0, (long)&a, sizeof(a)), -EINVAL);
  a.propagation = MS_SHARED | MS_REC;
  CHECK_RET("rec-flag", raw5(SYS_mount_setattr, AT_FDCWD, (long)t, 0, (long)&a, sizeof(a)), -EINVAL);
}

/* The private namespace every section runs in. */
static void in_own_namespace(void (*fn)(void))
{
  pid_t pid = fork();
  if (pid == 0) {
    abi_child_start();
    int ok = raw1(SYS_unshare, CLONE_NEWNS) == 0 && mnt("none", "/", NULL, MS_REC | MS_PRIVATE) == 0;
    CHECK("own-namespace", ok);
    if (ok)
      fn();
    abi_child_exit();
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
  in_own_namespace(test_rbind);
  in_own_namespace(test_move);
  in_own_namespace(test_open_tree);
  in_own_namespace(test_setattr);
  char sub[256];
  snprintf(sub, sizeof(sub), "%s/sub", a);
  rmdir(sub);
  rmdir(a);
  rmdir(b);
  rmdir(u);
  static const char *const left[] = { "t", "t2", "rb", "rb2", "pb", "d", "e", "s", "n", "c", "c2" };
  for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++)
    rmdir(at(a, left[i]));
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
