/*
 * namespaces.c — namespaces (testsuite/abi; docs/namespaces.md): the
 * /proc/<pid>/ns links (names, inode numbers equal iff the same
 * namespace), UTS namespaces made by unshare and clone and joined by setns
 * (a namespace lives while a file names it), setns and unshare errors in
 * Linux's order, the nsfs ioctls (NS_GET_USERNS, NS_GET_PARENT,
 * NS_GET_NSTYPE, NS_GET_OWNER_UID), mount namespaces (a copy of the tree;
 * mounts and unmounts on one side unseen on the other; /proc/<pid>/mounts
 * per namespace; setns back; the propagation flags; pivot_root inside
 * one), PID namespaces (numbers per namespace, the namespace's init:
 * reaper, signals, its death; unshare and setns for the children; the
 * parent namespace by ioctl; an orphan whose parent was forked into the
 * namespace from above goes to the namespace's init, not to a subreaper
 * above it), and /proc/sys/kernel/ns_last_pid with
 * a /proc/<pid> descriptor that must not signal a later process with the
 * same pid. User space; runs on Kite and on Linux.
 */
#include "check.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#ifndef CLONE_NEWUTS
#define CLONE_NEWUTS 0x04000000
#endif
#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static void hostname_is(const char *name, const char *want)
{
  struct utsname u;
  CHECKF(name, uname(&u) == 0 && !strcmp(u.nodename, want), "nodename '%s' want '%s'", u.nodename, want);
}

/* ---- the links ---- */

static void test_links(void)
{
  const char *kinds[] = {"ipc", "mnt", "net", "pid", "user", "uts"};
  ino_t seen[6];
  for (int i = 0; i < 6; i++) {
    char path[64], link[64], want[64];
    snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
    seen[i] = 0;
    if (access(path, F_OK) != 0) { /* the reference Linux has no CONFIG_NET_NS */
      abi_line("SKIP: %s/%s (no %s: a kernel without that kind of namespace)", abi_family, kinds[i], path);
      continue;
    }
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    struct stat st, lst;
    int ok = stat(path, &st) == 0 && lstat(path, &lst) == 0;
    seen[i] = ok ? st.st_ino : 0;
    snprintf(want, sizeof(want), "%s:[%lu]", kinds[i], (unsigned long)st.st_ino);
    char name[64];
    snprintf(name, sizeof(name), "%s/readlink-is-inode", kinds[i]);
    CHECKF(name, ok && !strcmp(link, want), "link '%s' want '%s'", link, want);
    snprintf(name, sizeof(name), "%s/lstat-symlink-stat-regular", kinds[i]);
    CHECK(name, ok && S_ISLNK(lst.st_mode) && S_ISREG(st.st_mode));
  }
  int distinct = 1;
  for (int i = 0; i < 6; i++)
    for (int j = i + 1; j < 6; j++)
      distinct &= !seen[i] || seen[i] != seen[j];
  CHECK("kinds-differ", distinct);
  /* the same namespaces through /proc/<pid>, for this process and a child */
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/uts", getpid());
  CHECK("uts/by-pid-same", ns_ino(path) == ns_ino("/proc/self/ns/uts"));
  int go[2];
  pipe(go);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    read(go[0], &c, 1);
    _exit(0);
  }
  snprintf(path, sizeof(path), "/proc/%d/ns/uts", pid);
  CHECK("uts/child-same", ns_ino(path) == ns_ino("/proc/self/ns/uts"));
  write(go[1], "x", 1);
  wait_status(pid);
  DIR *d = opendir("/proc/self/ns");
  int found = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    found += !strcmp(e->d_name, "uts") || !strcmp(e->d_name, "user") || !strcmp(e->d_name, "mnt");
  if (d)
    closedir(d);
  CHECK("readdir-lists-them", found == 3);
}

/* ---- UTS namespaces ---- */

static void test_uts(void)
{
  struct utsname outer;
  uname(&outer);
  int outer_fd = open("/proc/self/ns/uts", O_RDONLY);
  CHECK("open-ns-file", outer_fd >= 0);
  pid_t pid = fork();
  if (pid == 0) {
    abi_child_start();
    abi_family = "namespaces/uts-child";
    CHECK_RET("unshare", raw1(SYS_unshare, CLONE_NEWUTS), 0);
    struct stat os;
    CHECK("new-inode", fstat(outer_fd, &os) == 0 && ns_ino("/proc/self/ns/uts") != os.st_ino);
    hostname_is("inherits-name", outer.nodename);
    CHECK_RET("sethostname", sethostname("ns-child", 8) == 0 ? 0 : -errno, 0);
    hostname_is("own-name", "ns-child");
    char buf[80] = "";
    int fd = open("/proc/sys/kernel/hostname", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    buf[n > 0 ? n : 0] = 0;
    close(fd);
    CHECKF("proc-hostname-own", !strcmp(buf, "ns-child\n"), "'%s'", buf);
    CHECK_RET("setns-back", raw2(SYS_setns, outer_fd, CLONE_NEWUTS), 0);
    hostname_is("back-to-outer-name", outer.nodename);
    abi_child_exit();
  }
  CHECK_RET("child", wait_status(pid), 0);
  hostname_is("outer-unchanged", outer.nodename);

  /* clone(CLONE_NEWUTS): the child's own namespace from the start.
   * QEMU 7.2's linux-user runs a clone without CLONE_VM as a host fork and
   * refuses every flag outside its short list (do_fork: EINVAL). */
  if (!skip_on_qemu("clone-newuts", "do_fork refuses CLONE_NEWUTS")) {
    pid = (pid_t)raw5(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
      int ok = sethostname("cloned", 6) == 0;
      struct utsname u;
      uname(&u);
      raw1(SYS_exit_group, ok && !strcmp(u.nodename, "cloned") ? 0 : 1);
    }
    CHECKF("clone-newuts", pid > 0 && wait_status(pid) == 0, "pid %d", pid);
  }
  hostname_is("outer-unchanged-after-clone", outer.nodename);

  /* a namespace lives while a file names it: a child makes one, we keep
   * its file, the child exits, a second child joins it */
  int p[2], q[2];
  pipe(p);
  pipe(q);
  pid = fork();
  if (pid == 0) {
    char c;
    int ok = raw1(SYS_unshare, CLONE_NEWUTS) == 0 && sethostname("kept", 4) == 0;
    write(p[1], ok ? "y" : "n", 1);
    read(q[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  read(p[0], &c, 1);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/uts", pid);
  int kept = open(path, O_RDONLY);
  write(q[1], "x", 1);
  wait_status(pid);
  CHECK("kept/child-made-it", c == 'y' && kept >= 0);
  pid = fork();
  if (pid == 0) {
    struct utsname u;
    int ok = raw2(SYS_setns, kept, 0) == 0 && uname(&u) == 0 && !strcmp(u.nodename, "kept");
    _exit(ok ? 0 : 1);
  }
  CHECK_RET("kept/joined-after-maker-exited", wait_status(pid), 0);
  close(kept);
  close(outer_fd);
  close(p[0]); close(p[1]); close(q[0]); close(q[1]);
}

/* ---- mount namespaces ---- */

#ifndef CLONE_NEWNS
#define CLONE_NEWNS 0x00020000
#endif
#ifndef CLONE_FS
#define CLONE_FS 0x00000200
#endif
static char mnt_dir[128], mnt_bind[128];

/* Does the mount table file at path list a mount at dir? */
static int lists_mount(const char *path, const char *dir)
{
  FILE *f = fopen(path, "r");
  char line[512], want[160];
  snprintf(want, sizeof(want), " %s ", dir);
  int found = 0;
  while (f && fgets(line, sizeof(line), f))
    found |= strstr(line, want) != NULL;
  if (f)
    fclose(f);
  return found;
}

static int exists(const char *dir, const char *name)
{
  char path[256];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return access(path, F_OK) == 0;
}

/* The child's side: a namespace of its own, changed; the parent looks at
 * it (through the pipes) and at its own. */
static void mnt_child(int outer, int tell, int wait_fd)
{
  abi_child_start();
  abi_family = "namespaces/mnt-child";
  struct stat os;
  CHECK_RET("unshare-newns", raw1(SYS_unshare, CLONE_NEWNS), 0);
  CHECK("new-inode", fstat(outer, &os) == 0 && ns_ino("/proc/self/ns/mnt") != os.st_ino);
  CHECK_RET("make-rprivate", mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -errno : 0, 0);
  CHECK("copy-has-outer-mount", exists(mnt_dir, "outer"));
  CHECK_RET("umount-copy", umount(mnt_dir) ? -errno : 0, 0);
  CHECK("copy-unmounted", !exists(mnt_dir, "outer"));
  CHECK_RET("mount-own", mount("none", mnt_dir, "tmpfs", 0, NULL) ? -errno : 0, 0);
  char path[256];
  snprintf(path, sizeof(path), "%s/inner", mnt_dir);
  close(open(path, O_CREAT | O_WRONLY, 0644));
  CHECK("own-mount-listed", lists_mount("/proc/self/mounts", mnt_dir) &&
                            lists_mount("/proc/self/mountinfo", mnt_dir));
  write(tell, "x", 1);
  char c;
  read(wait_fd, &c, 1);
  CHECK_RET("setns-back", raw2(SYS_setns, outer, CLONE_NEWNS), 0);
  CHECK("back/same-inode", fstat(outer, &os) == 0 && ns_ino("/proc/self/ns/mnt") == os.st_ino);
  CHECK("back/sees-outer-mount", exists(mnt_dir, "outer") && !exists(mnt_dir, "inner"));
  abi_child_exit();
}

/* Propagation types are taken, an unbindable mount is not bound (what
 * propagates is propagation.c's). */
static void mnt_propagation(void)
{
  CHECK_RET("make-shared", mount("none", mnt_dir, NULL, MS_SHARED, NULL) ? -errno : 0, 0);
  CHECK_RET("make-slave", mount("none", mnt_dir, NULL, MS_SLAVE, NULL) ? -errno : 0, 0);
  CHECK_RET("make-private", mount("none", mnt_dir, NULL, MS_PRIVATE, NULL) ? -errno : 0, 0);
  CHECK_RET("two-types-einval", mount("none", mnt_dir, NULL, MS_SHARED | MS_PRIVATE, NULL) ? -errno : 0,
            -EINVAL);
  CHECK_RET("make-unbindable", mount("none", mnt_dir, NULL, MS_UNBINDABLE, NULL) ? -errno : 0, 0);
  CHECK_RET("bind-unbindable-einval", mount(mnt_dir, mnt_bind, NULL, MS_BIND, NULL) ? -errno : 0, -EINVAL);
  CHECK_RET("make-private-again", mount("none", mnt_dir, NULL, MS_PRIVATE, NULL) ? -errno : 0, 0);
}

/* pivot_root in a namespace of its own, in a chroot on a tmpfs (the
 * root must be a mount with a parent): refused under a shared mount
 * (propagation would copy it), EBUSY and EINVAL cases, then done; the old
 * root is then at put_old and goes with a lazy unmount. */
static void mnt_pivot(void)
{
  abi_child_start();
  abi_family = "namespaces/mnt-pivot";
  struct stat st;
  CHECK_RET("unshare-newns", raw1(SYS_unshare, CLONE_NEWNS), 0);
  CHECK_RET("make-rprivate", mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -errno : 0, 0);
  CHECK_RET("mount-jail", mount("none", mnt_dir, "tmpfs", 0, NULL) ? -errno : 0, 0);
  CHECK_RET("chroot", chroot(mnt_dir) == 0 && chdir("/") == 0 ? 0 : -errno, 0);
  dev_t old_dev = stat("/", &st) == 0 ? st.st_dev : 0;
  CHECK_RET("make-root-shared", mount("none", "/", NULL, MS_SHARED, NULL) ? -errno : 0, 0);
  mkdir("/new", 0755);
  mkdir("/other", 0755);
  CHECK_RET("mount-new", mount("none", "/new", "tmpfs", 0, NULL) ? -errno : 0, 0);
  CHECK_RET("mount-other", mount("none", "/other", "tmpfs", 0, NULL) ? -errno : 0, 0);
  mkdir("/new/old", 0755);
  close(open("/new/marker", O_CREAT | O_WRONLY, 0644));
  dev_t dev = stat("/new", &st) == 0 ? st.st_dev : 0;
  CHECK_RET("shared-parent-einval", raw2(SYS_pivot_root, "/new", "/new/old"), -EINVAL);
  CHECK_RET("make-rprivate-root", mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ? -errno : 0, 0);
  CHECK_RET("put-old-on-root-ebusy", raw2(SYS_pivot_root, "/new", "/"), -EBUSY);
  CHECK_RET("put-old-not-under-einval", raw2(SYS_pivot_root, "/new", "/other"), -EINVAL);
  CHECK_RET("file-enotdir", raw2(SYS_pivot_root, "/new/marker", "/new/old"), -ENOTDIR);
  CHECK_RET("pivot", raw2(SYS_pivot_root, "/new", "/new/old"), 0);
  CHECK("root-is-new", stat("/", &st) == 0 && st.st_dev == dev && access("/marker", F_OK) == 0);
  CHECK("cwd-moved", stat(".", &st) == 0 && st.st_dev == dev);
  CHECK("old-root-at-put-old", stat("/old", &st) == 0 && st.st_dev == old_dev);
  CHECK_RET("umount-old", umount2("/old", MNT_DETACH) ? -errno : 0, 0);
  CHECK("old-root-gone", stat("/old", &st) == 0 && st.st_dev == dev);
  abi_child_exit();
}

static void test_mnt(void)
{
  if (skip_on_qemu("mnt", "mounts go to the host's kernel; the reference Linux runs them"))
    return;
  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  snprintf(mnt_dir, sizeof(mnt_dir), "%s/nsmnt.%d", tmp, getpid());
  snprintf(mnt_bind, sizeof(mnt_bind), "%s/nsmnt-bind.%d", tmp, getpid());
  mkdir(mnt_dir, 0755);
  mkdir(mnt_bind, 0755);
  /* an outer mount, which the child's copy has and unmounts */
  CHECK_RET("outer-mount", mount("none", mnt_dir, "tmpfs", 0, NULL) ? -errno : 0, 0);
  char path[256];
  snprintf(path, sizeof(path), "%s/outer", mnt_dir);
  close(open(path, O_CREAT | O_WRONLY, 0644));
  int outer = open("/proc/self/ns/mnt", O_RDONLY);
  int to_parent[2], to_child[2];
  pipe(to_parent);
  pipe(to_child);
  pid_t pid = fork();
  if (pid == 0)
    mnt_child(outer, to_parent[1], to_child[0]);
  char c = 0;
  read(to_parent[0], &c, 1);
  CHECK("outer/still-mounted", exists(mnt_dir, "outer") && !exists(mnt_dir, "inner"));
  snprintf(path, sizeof(path), "/proc/%d/mounts", pid);
  CHECK("outer/child-mounts-by-pid", lists_mount(path, mnt_dir) && lists_mount("/proc/self/mounts", mnt_dir));
  snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
  CHECK("outer/child-ns-differs", ns_ino(path) != 0 && ns_ino(path) != ns_ino("/proc/self/ns/mnt"));
  write(to_child[1], "x", 1);
  CHECK_RET("child", wait_status(pid), 0);
  CHECK_RET("outer/umount", umount(mnt_dir) ? -errno : 0, 0);
  CHECK("outer/unmounted", !lists_mount("/proc/self/mounts", mnt_dir));
  /* setns with a shared fs context, clone with both flags */
  pid = (pid_t)raw5(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0)
    raw1(SYS_exit_group, raw2(SYS_setns, outer, CLONE_NEWNS) == -EINVAL ? 0 : 1);
  CHECK_RET("setns-shared-fs-einval", pid > 0 ? wait_status(pid) : -1, 0);
  CHECK_RET("clone-newns-fs-einval", raw5(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0), -EINVAL);
  pid = fork();
  if (pid == 0) {
    abi_child_start();
    abi_family = "namespaces/mnt-propagation";
    int ok = raw1(SYS_unshare, CLONE_NEWNS) == 0 &&
             mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
             mount("none", mnt_dir, "tmpfs", 0, NULL) == 0;
    CHECK("setup", ok);
    if (ok)
      mnt_propagation();
    abi_child_exit();
  }
  CHECK_RET("propagation-child", wait_status(pid), 0);
  pid = fork();
  if (pid == 0)
    mnt_pivot();
  CHECK_RET("pivot-child", wait_status(pid), 0);
  CHECK("outer/nothing-left-mounted", !lists_mount("/proc/self/mounts", mnt_dir));
  CHECK_RET("outer/rmdir", rmdir(mnt_dir) ? -errno : 0, 0);
  rmdir(mnt_bind);
  close(outer);
  close(to_parent[0]); close(to_parent[1]); close(to_child[0]); close(to_child[1]);
}

/* ---- errors ---- */

static void test_errors(void)
{
  int uts = open("/proc/self/ns/uts", O_RDONLY);
  int user = open("/proc/self/ns/user", O_RDONLY);
  int reg = open("/proc/self/status", O_RDONLY);
  CHECK_RET("setns/ebadf", raw2(SYS_setns, -1, 0), -EBADF);
  CHECK_RET("setns/einval-regular-file", raw2(SYS_setns, reg, CLONE_NEWUTS), -EINVAL);
  CHECK_RET("setns/einval-type-mismatch", raw2(SYS_setns, uts, 0x08000000 /* CLONE_NEWIPC */), -EINVAL);
  CHECK_RET("setns/einval-type-minus-one", raw2(SYS_setns, uts, -1), -EINVAL);
  CHECK_RET("setns/same-uts", raw2(SYS_setns, uts, CLONE_NEWUTS), 0);
  CHECK_RET("setns/einval-own-user-ns", raw2(SYS_setns, user, 0), -EINVAL);
  CHECK_RET("unshare/einval-minus-one", raw1(SYS_unshare, -1), -EINVAL);
  pid_t pid = fork();
  if (pid == 0) {
    abi_child_start();
    abi_family = "namespaces/errors-nobody";
    if (setresuid(65534, 65534, 65534) != 0)
      _exit(2);
    CHECK_RET("setns-eperm", raw2(SYS_setns, uts, 0), -EPERM);
    CHECK_RET("unshare-newuts-eperm", raw1(SYS_unshare, CLONE_NEWUTS), -EPERM);
    CHECK_RET("unshare-newns-eperm", raw1(SYS_unshare, 0x00020000 /* CLONE_NEWNS */), -EPERM);
    abi_child_exit();
  }
  CHECK_RET("nobody-child", wait_status(pid), 0);
  if (on_kite()) {
    /* the kinds Kite has once: what Linux built without them answers */
    CHECK_RET("kite/unshare-newnet-einval", raw1(SYS_unshare, 0x40000000), -EINVAL);
  } else {
    abi_line("SKIP: %s/kite-einval (Linux makes these namespaces)", abi_family);
  }
  close(uts);
  close(user);
  close(reg);
}

/* ---- the ioctls ---- */

static void test_ioctls(void)
{
  if (skip_on_qemu("ioctls", "qemu-user passes no nsfs ioctls; the reference Linux runs them"))
    return;
  int uts = open("/proc/self/ns/uts", O_RDONLY);
  int user = open("/proc/self/ns/user", O_RDONLY);
  int pidns = open("/proc/self/ns/pid", O_RDONLY);
  int mnt = open("/proc/self/ns/mnt", O_RDONLY);
  CHECK_RET("nstype/uts", ioctl(uts, NS_GET_NSTYPE) < 0 ? -errno : ioctl(uts, NS_GET_NSTYPE), CLONE_NEWUTS);
  CHECK_RET("nstype/user", ioctl(user, NS_GET_NSTYPE), 0x10000000);
  CHECK_RET("nstype/mnt", ioctl(mnt, NS_GET_NSTYPE), 0x00020000);
  CHECK_RET("parent/uts-einval", ioctl(uts, NS_GET_PARENT) < 0 ? -errno : 0, -EINVAL);
  CHECK_RET("parent/initial-pid-eperm", ioctl(pidns, NS_GET_PARENT) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("parent/initial-user-eperm", ioctl(user, NS_GET_PARENT) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("userns/of-user-eperm", ioctl(user, NS_GET_USERNS) < 0 ? -errno : 0, -EPERM);
  int owner = ioctl(uts, NS_GET_USERNS);
  struct stat a, b;
  CHECK("userns/of-uts-is-ours", owner >= 0 && fstat(owner, &a) == 0 && fstat(user, &b) == 0 &&
                                     a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  CHECK("userns/cloexec", owner >= 0 && (fcntl(owner, F_GETFD) & FD_CLOEXEC));
  close(owner);
  uid_t uid = 12345;
  CHECK_RET("owner-uid/uts-einval", ioctl(uts, NS_GET_OWNER_UID, &uid) < 0 ? -errno : 0, -EINVAL);
  CHECK("owner-uid/initial-root", ioctl(user, NS_GET_OWNER_UID, &uid) == 0 && uid == 0);
  CHECK_RET("owner-uid/efault", ioctl(user, NS_GET_OWNER_UID, (void *)8) < 0 ? -errno : 0, -EFAULT);
  CHECK_RET("unknown-enotty", ioctl(uts, 0xb7ff) < 0 ? -errno : 0, -ENOTTY);
  close(uts);
  close(user);
  close(pidns);
  close(mnt);
}

/* ---- PID namespaces ---- */

#define CLONE_NEWPID_ 0x20000000

/* fork into a new pid namespace (raw clone: 0 in the child) */
static pid_t fork_newpid(void)
{
  return (pid_t)raw5(SYS_clone, CLONE_NEWPID_ | SIGCHLD, 0, 0, 0, 0);
}

/* a pidfd of the outer process, made before the new namespace */
static int outer_pidfd = -1;

static volatile int got_sig, got_pid;
static void on_sig(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  got_sig = sig;
  got_pid = si->si_pid;
}

/* The init of a new namespace (pid 1), the checks from inside. */
static void pid_init_side(int outer_ns_fd, int report)
{
  abi_child_start();
  CHECK_RET("in/getpid-1", getpid(), 1);
  CHECK_RET("in/gettid-1", (int)syscall(SYS_gettid), 1);
  CHECK_RET("in/getppid-0", getppid(), 0);
  CHECK("in/pid-for-children-is-own", ns_ino("/proc/self/ns/pid_for_children") != 0);
  int own = open("/proc/self/ns/pid_for_children", O_RDONLY);
  CHECK_RET("in/get-parent-eperm", ioctl(own, NS_GET_PARENT) < 0 ? -errno : 0, -EPERM);
  CHECK_RET("in/setns-ancestor-einval", raw2(SYS_setns, outer_ns_fd, CLONE_NEWPID_), -EINVAL);
  CHECK_RET("in/setns-own", raw2(SYS_setns, own, CLONE_NEWPID_), 0);
  close(own);
  /* setns with a pidfd is all or nothing: the outer process's PID
   * namespace is above ours (EINVAL), so its UTS namespace is not joined */
  struct utsname u;
  CHECK_RET("in/own-uts", raw1(SYS_unshare, CLONE_NEWUTS) == 0 && sethostname("pid-init", 8) == 0, 1);
  CHECK_RET("in/pidfd-setns-pid-above-einval", raw2(SYS_setns, outer_pidfd, CLONE_NEWUTS | CLONE_NEWPID_), -EINVAL);
  CHECK("in/pidfd-setns-nothing-joined", uname(&u) == 0 && !strcmp(u.nodename, "pid-init"));
  /* a pidfd of a process above the caller's namespace signals nothing */
  CHECK_RET("in/pidfd-signal-above-einval", raw4(SYS_pidfd_send_signal, outer_pidfd, 0, 0, 0), -EINVAL);
  struct sigaction sa = { .sa_sigaction = on_sig, .sa_flags = SA_SIGINFO };
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR2, &sa, NULL);
  /* a child: number 2, waited for by that number, its parent is 1 */
  pid_t c = fork();
  if (c == 0)
    _exit(getpid() == 2 && getppid() == 1 ? 0 : 1);
  int st = -1;
  CHECK_RET("in/child-is-2", c, 2);
  CHECK("in/wait-by-inner-number", waitpid(2, &st, 0) == 2 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* an orphan goes to this init: A forks B and exits; B sees parent 1 */
  int p[2];
  pipe(p);
  pid_t a = fork();
  if (a == 0) {
    pid_t b = fork();
    if (b == 0) {
      close(p[0]);
      for (int i = 0; i < 2000 && getppid() != 1; i++)
        usleep(1000);
      char ok = getppid() == 1 ? 'y' : 'n';
      write(p[1], &ok, 1);
      _exit(0);
    }
    _exit(0);
  }
  close(p[1]);
  char ok = 0;
  CHECK("in/orphan-reparented-to-init", read(p[0], &ok, 1) == 1 && ok == 'y');
  close(p[0]);
  int reaped = 0;
  for (int i = 0; i < 2; i++)
    reaped += waitpid(-1, &st, 0) > 0;
  CHECK_RET("in/init-reaps-orphan", reaped, 2);
  /* signals from inside: no default action on init, a handled one arrives
   * with the sender's number */
  got_sig = 0;
  c = fork();
  if (c == 0) {
    kill(1, SIGKILL);
    kill(1, SIGTERM);
    kill(1, SIGUSR1);
    _exit(0);
  }
  waitpid(c, &st, 0);
  for (int i = 0; i < 1000 && !got_sig; i++)
    usleep(1000);
  CHECK_RET("in/init-survives-sigkill-from-inside", got_sig, SIGUSR1);
  CHECK_RET("in/si-pid-inner-number", got_pid, c);
  /* kill(-1) reaches the namespace's processes only (not init, not the
   * outer ones; the test itself would die otherwise) */
  pid_t victim = fork();
  if (victim == 0) {
    pause();
    _exit(0);
  }
  c = fork();
  if (c == 0)
    _exit(kill(-1, SIGKILL) == 0 ? 0 : 1);
  CHECK("in/kill-minus-1-ok", waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  CHECK("in/kill-minus-1-killed-sibling", waitpid(victim, &st, 0) == victim && WIFSIGNALED(st));
  /* now wait for the outer parent's signal (handled: si_pid 0, it is
   * outside), then leave a sleeper behind that must die with us */
  got_sig = 0;
  write(report, "r", 1);
  for (int i = 0; i < 5000 && got_sig != SIGUSR2; i++)
    usleep(1000);
  CHECK_RET("in/signal-from-outside", got_sig, SIGUSR2);
  CHECK_RET("in/si-pid-outside-is-0", got_pid, 0);
  pid_t sleeper = fork();
  if (sleeper == 0) {
    for (;;)
      pause();
  }
  abi_child_exit();
}

static void test_pidns(void)
{
  if (skip_on_qemu("pid", "qemu-user refuses CLONE_NEWPID; the reference Linux runs these"))
    return;
  ino_t outer = ns_ino("/proc/self/ns/pid");
  int outer_fd = open("/proc/self/ns/pid", O_RDONLY);
  int rep[2];
  pipe(rep);
  outer_pidfd = (int)raw2(434 /* SYS_pidfd_open */, getpid(), 0);
  pid_t pid = fork_newpid();
  if (pid == 0) {
    close(rep[0]);
    pid_init_side(outer_fd, rep[1]);
  }
  close(outer_pidfd);
  CHECK("clone-newpid", pid > 0);
  if (pid <= 0)
    return;
  close(rep[1]);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
  ino_t inner = ns_ino(path);
  CHECK("child-ns-differs", inner && inner != outer);
  snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children", pid);
  CHECK("child-for-children-same", ns_ino(path) == inner);
  /* /proc/<pid>/status: its number here, then in its own namespace */
  snprintf(path, sizeof(path), "/proc/%d/status", pid);
  char sbuf[4096] = "", want[64];
  int sfd = open(path, O_RDONLY);
  ssize_t sn = sfd >= 0 ? read(sfd, sbuf, sizeof(sbuf) - 1) : -1;
  sbuf[sn > 0 ? sn : 0] = 0;
  close(sfd);
  snprintf(want, sizeof(want), "\nNSpid:\t%d\t1\n", pid);
  CHECKF("status-nspid", strstr(sbuf, want) != NULL, "no '%s'", want + 1);
  snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
  int cfd = open(path, O_RDONLY);
  int par = ioctl(cfd, NS_GET_PARENT);
  struct stat st1;
  CHECK("get-parent-is-ours", par >= 0 && fstat(par, &st1) == 0 && st1.st_ino == outer);
  CHECK_RET("nstype-pid", ioctl(cfd, NS_GET_NSTYPE), CLONE_NEWPID_);
  close(par);
  char c;
  CHECK("inner-ready", read(rep[0], &c, 1) == 1);
  kill(pid, SIGUSR2);
  /* the init exits: its sleeper (it holds rep's write end) dies with it */
  CHECK_RET("init-exit", wait_status(pid), 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ssize_t n;
  do {
    n = read(rep[0], &c, 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
  } while (n > 0 && t1.tv_sec - t0.tv_sec < 10);
  CHECK_RET("init-death-kills-namespace", (int)n, 0);
  close(rep[0]);
  close(cfd);

  /* unshare: for the children only; the first child is pid 1; after it
   * exits no other child can be made there (ENOMEM) */
  pid_t u = fork();
  if (u == 0) {
    abi_child_start();
    pid_t me = getpid();
    CHECK_RET("unshare-newpid", raw1(SYS_unshare, CLONE_NEWPID_), 0);
    CHECK_RET("unshare-same-pid", getpid(), me);
    CHECK("unshare-for-children-differs",
          ns_ino("/proc/self/ns/pid_for_children") != ns_ino("/proc/self/ns/pid"));
    CHECK_RET("unshare-again-einval", raw1(SYS_unshare, CLONE_NEWPID_), -EINVAL);
    pid_t k = fork();
    if (k == 0)
      _exit(getpid() == 1 ? 0 : 1);
    CHECK_RET("unshare-first-child-is-1", wait_status(k), 0);
    CHECK_RET("fork-after-init-died-enomem", (int)raw5(SYS_clone, SIGCHLD, 0, 0, 0, 0), -ENOMEM);
    CHECK_RET("setns-back", raw2(SYS_setns, outer_fd, CLONE_NEWPID_), 0);
    k = fork();
    if (k == 0)
      _exit(0);
    CHECK("fork-after-setns-back", k > 1 && wait_status(k) == 0);
    abi_child_exit();
  }
  CHECK_RET("unshare-child", wait_status(u), 0);
  close(outer_fd);
}

/*
 * An orphan's new parent is looked for among its parent's ancestors in the
 * parent's own namespace only (Linux's find_new_reaper): this section is a
 * subreaper; it makes a namespace (its init N waits for children until
 * told to stop), joins it for its children, and forks Q there — Q is in
 * N's namespace, but its parent (this section) is not. Q forks C and
 * exits: C goes to N (its parent becomes 1), not to the subreaper above
 * (which would make it 0: a parent outside C's namespace).
 */
static void test_pid_subreaper(void)
{
  if (skip_on_qemu("pid-subreaper", "qemu-user refuses CLONE_NEWPID; the reference Linux runs these"))
    return;
  CHECK_RET("subreaper/set", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  int stop[2], res[2];
  pipe(stop);
  pipe(res);
  pid_t n = fork_newpid();
  if (n == 0) { /* N, the namespace's init: reap until stop closes */
    close(stop[1]);
    close(res[0]);
    close(res[1]);
    char c;
    while (read(stop[0], &c, 1) > 0)
      ;
    while (waitpid(-1, NULL, WNOHANG) > 0)
      ;
    _exit(0);
  }
  close(stop[0]);
  CHECK("subreaper/clone-newpid", n > 0);
  if (n <= 0)
    return;
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/pid", n);
  int nsfd = open(path, O_RDONLY);
  CHECK_RET("subreaper/setns-child-ns", raw2(SYS_setns, nsfd, CLONE_NEWPID_), 0);
  pid_t q = fork();
  if (q == 0) { /* Q, number 2 in N's namespace */
    pid_t c = fork();
    if (c == 0) { /* C: wait until Q has gone, then say who adopted it */
      close(res[0]);
      pid_t pp = getppid();
      for (int i = 0; i < 5000 && pp == 2; i++) {
        usleep(1000);
        pp = getppid();
      }
      char r = pp == 1 ? 'y' : pp == 0 ? '0' : 'n';
      write(res[1], &r, 1);
      _exit(0);
    }
    _exit(c > 0 && getpid() == 2 ? 0 : 1);
  }
  close(res[1]);
  CHECK_RET("subreaper/forked-into-ns", wait_status(q), 0);
  char r = 0;
  CHECKF("subreaper/orphan-goes-to-ns-init", read(res[0], &r, 1) == 1 && r == 'y',
         "the orphan's parent after its own exited: %s",
         r == '0' ? "0 (the subreaper outside its namespace)" : r ? "neither 1 nor 0" : "no answer");
  close(res[0]);
  close(stop[1]);
  CHECK_RET("subreaper/ns-init-exit", wait_status(n), 0);
  while (waitpid(-1, NULL, WNOHANG) > 0) /* C, had it come here */
    ;
  close(nsfd);
}

/* ---- ns_last_pid ---- */

static void test_last_pid(void)
{
  const char *f = "/proc/sys/kernel/ns_last_pid";
  if (access(f, F_OK) != 0) {
    abi_line("SKIP: %s/ns-last-pid (no %s here)", abi_family, f);
    return;
  }
  CHECK_RET("einval-negative", write_text(f, "-1"), -EINVAL);
  CHECK_RET("einval-text", write_text(f, "abc"), -EINVAL);
  /* a child, a descriptor on its /proc directory, then a second child
   * given the same pid (other processes may take it first: three tries) */
  int same = 0, dirfd = -1;
  for (int i = 0; i < 3 && !same; i++) {
    pid_t pid = fork();
    if (pid == 0)
      _exit(0);
    char path[32];
    snprintf(path, sizeof(path), "/proc/%d", pid);
    dirfd = open(path, O_DIRECTORY | O_CLOEXEC);
    wait_status(pid);
    char num[16];
    snprintf(num, sizeof(num), "%d", pid - 1);
    if (write_text(f, num) != 0)
      break;
    int go[2];
    pipe(go);
    pid_t again = fork();
    if (again == 0) {
      char c;
      read(go[0], &c, 1);
      _exit(0);
    }
    same = again == pid;
    char buf[16] = "";
    if (same) {
      int fd = open(f, O_RDONLY);
      ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
      buf[n > 0 ? n : 0] = 0;
      close(fd);
    }
    /* another process may also fork before the read (under qemu-user
     * this is the host's pid space): try again, as for the pid itself */
    if (same && atoi(buf) != pid && i < 2)
      same = 0;
    if (same) {
      CHECKF("reads-last-given", atoi(buf) == pid, "'%s' pid %d", buf, pid);
      CHECK_RET("old-dir-fd-esrch", raw4(SYS_pidfd_send_signal, dirfd, SIGUSR1, 0, 0), -ESRCH);
    }
    write(go[1], "x", 1);
    CHECK_RET("second-child-unsignalled", wait_status(again), 0);
    close(go[0]);
    close(go[1]);
    close(dirfd);
  }
  CHECK("next-fork-takes-the-pid", same);
}

int main(void)
{
  abi_family = "namespaces";
  setvbuf(stdout, NULL, _IONBF, 0);
  run_section("links", test_links, 30000);
  run_section("uts", test_uts, 30000);
  run_section("mnt", test_mnt, 30000);
  run_section("errors", test_errors, 30000);
  run_section("ioctls", test_ioctls, 30000);
  run_section("pid", test_pidns, 60000);
  run_section("pid-subreaper", test_pid_subreaper, 30000);
  run_section("last-pid", test_last_pid, 30000);
  return abi_done();
}
