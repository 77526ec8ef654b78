/*
 * fstest.h — what the file-system test programs (testsuite/fs) share, on
 * top of the process-ABI harness (testsuite/abi/check.h: CHECK lines, raw
 * system calls, run_section). User space; built with musl (static) or
 * glibc, run on Kite and on Linux (qemu-riscv64).
 *
 * Every program is started as `prog DIR`: it makes a fresh directory under
 * DIR, works only inside it, and names its checks after the file system
 * DIR is on, as statfs's f_type says: "fs/tmpfs/<group>/<check>",
 * "fs/vfat/<group>/<check>", ... Where FAT cannot do what a POSIX file
 * system does (symlinks, hard links, modes, owners, exact times), the vfat
 * branch checks the answer Linux's vfat gives instead (fs/fat/ of the
 * Linux source): nothing is skipped silently.
 *
 * FS_ROOT in the environment may name the root of the mounted file system
 * DIR is on (for the checks of a file system's root directory).
 */
#ifndef FSTEST_H
#define FSTEST_H

#include "check.h"
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

/* f_type values (linux/magic.h) */
#define MSDOS_SUPER_MAGIC 0x4d44
#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6
#define EXT4_SUPER_MAGIC 0xef53

/* Flags some C libraries do not define (asm-generic values). */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 2
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
#ifndef O_PATH
#define O_PATH 010000000
#endif
#define KO_LARGEFILE 0100000 /* the riscv64 kernel's O_LARGEFILE */

/* The kernel's struct statx (linux/stat.h), under a name of our own. */
struct kstatx_ts {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t reserved;
};
struct kstatx {
  uint32_t mask, blksize;
  uint64_t attributes;
  uint32_t nlink, uid, gid;
  uint16_t mode, pad1;
  uint64_t ino, size, blocks, attributes_mask;
  struct kstatx_ts atime, btime, ctime, mtime;
  uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
  uint64_t spare[14];
};
#define KSTATX_TYPE 0x1U
#define KSTATX_MODE 0x2U
#define KSTATX_NLINK 0x4U
#define KSTATX_UID 0x8U
#define KSTATX_GID 0x10U
#define KSTATX_ATIME 0x20U
#define KSTATX_MTIME 0x40U
#define KSTATX_CTIME 0x80U
#define KSTATX_INO 0x100U
#define KSTATX_SIZE 0x200U
#define KSTATX_BLOCKS 0x400U
#define KSTATX_BASIC_STATS 0x7ffU
#define KSTATX_RESERVED 0x80000000U
#define KAT_STATX_FORCE_SYNC 0x2000
#define KAT_STATX_DONT_SYNC 0x4000

/* The kernel's struct linux_dirent64. */
struct kdirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* What the directory under test is on. */
static const char *fs_kind = "unknown";
static int is_vfat;
static char fs_base[PATH_MAX]; /* absolute path of this program's work directory */

/* kind_of: a short name for a statfs f_type. */
static ABI_UNUSED const char *kind_of(long type)
{
  switch ((unsigned long)type & 0xffffffffUL) {
  case MSDOS_SUPER_MAGIC: return "vfat";
  case TMPFS_MAGIC: return "tmpfs";
  case RAMFS_MAGIC: return "ramfs";
  case EXT4_SUPER_MAGIC: return "ext4";
  default: return "other";
  }
}

/*
 * fs_setup(argc, argv, prog): find out what argv[1] is on, name the family
 * "fs/<kind>", make a fresh work directory argv[1]/<prog>.<pid> and enter
 * it (its absolute path is fs_base). Exits 2 if that cannot be done.
 */
static ABI_UNUSED void fs_setup(int argc, char **argv, const char *prog)
{
  static char family[64];
  struct statfs sf;
  if (argc < 2 || statfs(argv[1], &sf) != 0) {
    fprintf(stderr, "usage: %s DIR (an existing directory to test in)\n", prog);
    exit(2);
  }
  fs_kind = kind_of(sf.f_type);
  is_vfat = strcmp(fs_kind, "vfat") == 0;
  snprintf(family, sizeof(family), "fs/%s", fs_kind);
  abi_family = family;
  char dir[PATH_MAX];
  snprintf(dir, sizeof(dir), "%s/%s.%d", argv[1], prog, (int)getpid());
  if (mkdir(dir, 0755) != 0 || chdir(dir) != 0 || !getcwd(fs_base, sizeof(fs_base))) {
    fprintf(stderr, "%s: cannot make and enter %s: %s\n", prog, dir, strerror(errno));
    exit(2);
  }
  umask(022);
}

/*
 * enter(group): make the directory fs_base/<group> and make it the cwd, so
 * that every section works in a directory of its own; the checks that
 * follow are named "fs/<kind>/<group>/<check>". Sections run in children
 * of their own (run_section), so the name does not leak into the next.
 */
static ABI_UNUSED void enter(const char *group)
{
  static char family[96];
  snprintf(family, sizeof(family), "fs/%s/%s", fs_kind, group);
  abi_family = family;
  char dir[PATH_MAX];
  snprintf(dir, sizeof(dir), "%s/%s", fs_base, group);
  if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || chdir(dir) != 0) {
    abi_check("enter", 0, "cannot make and enter %s: %s", dir, strerror(errno));
    _exit(1);
  }
}

/* pattern: fill buf with len bytes that depend on (seed, position). */
static ABI_UNUSED void pattern(void *buf, size_t len, unsigned seed, size_t pos)
{
  unsigned char *p = buf;
  for (size_t i = 0; i < len; i++) {
    size_t x = pos + i;
    p[i] = (unsigned char)((x * 131u + (x >> 9) * 7u + seed * 29u + 1u) & 0xff);
  }
}

/* is_pattern: does buf hold pattern(len, seed, pos)? */
static ABI_UNUSED int is_pattern(const void *buf, size_t len, unsigned seed, size_t pos)
{
  const unsigned char *p = buf;
  for (size_t i = 0; i < len; i++) {
    size_t x = pos + i;
    if (p[i] != (unsigned char)((x * 131u + (x >> 9) * 7u + seed * 29u + 1u) & 0xff))
      return 0;
  }
  return 1;
}

/* all_zero: are the len bytes at buf all zero? */
static ABI_UNUSED int all_zero(const void *buf, size_t len)
{
  const unsigned char *p = buf;
  for (size_t i = 0; i < len; i++)
    if (p[i])
      return 0;
  return 1;
}

/* put_file: create or replace path with len bytes of data; 0 or -errno. */
static ABI_UNUSED long put_file(const char *path, const void *data, size_t len)
{
  long fd = raw4(SYS_openat, AT_FDCWD, path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0)
    return fd;
  long n = len ? raw3(SYS_write, fd, data, len) : 0;
  close((int)fd);
  return n == (long)len ? 0 : (n < 0 ? n : -EIO);
}

/* put_str: put_file with a string. */
static ABI_UNUSED long put_str(const char *path, const char *s) { return put_file(path, s, strlen(s)); }

/* get_file: read up to cap bytes of path into buf; the length or -errno. */
static ABI_UNUSED long get_file(const char *path, void *buf, size_t cap)
{
  long fd = raw4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
  if (fd < 0)
    return fd;
  size_t got = 0;
  long n;
  while (got < cap && (n = raw3(SYS_read, fd, (char *)buf + got, cap - got)) > 0)
    got += n;
  close((int)fd);
  return (long)got;
}

/* has_str: does path hold exactly the string s? */
static ABI_UNUSED int has_str(const char *path, const char *s)
{
  char buf[256];
  long n = get_file(path, buf, sizeof(buf) - 1);
  if (n < 0)
    return 0;
  buf[n] = 0;
  return strcmp(buf, s) == 0;
}

/* kstat / klstat: newfstatat without and with AT_SYMLINK_NOFOLLOW; raw result. */
static ABI_UNUSED long kstat(const char *path, struct stat *st) { return raw4(SYS_newfstatat, AT_FDCWD, path, st, 0); }
static ABI_UNUSED long klstat(const char *path, struct stat *st)
{
  return raw4(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/* exists: does path name something (not following a last symlink)? */
static ABI_UNUSED int exists(const char *path)
{
  struct stat st;
  return klstat(path, &st) == 0;
}

/* file_size: st_size of path, or -errno. */
static ABI_UNUSED long file_size(const char *path)
{
  struct stat st;
  long r = kstat(path, &st);
  return r < 0 ? r : (long)st.st_size;
}

/* is_root: are we the superuser (whose permission checks always pass)? */
static ABI_UNUSED int is_root(void) { return geteuid() == 0; }

/* Raw calls used everywhere. */
#define kopen(path, flags, mode) raw4(SYS_openat, AT_FDCWD, (path), (flags), (mode))
#define kmkdir(path) raw3(SYS_mkdirat, AT_FDCWD, (path), 0755)
#define kunlink(path) raw3(SYS_unlinkat, AT_FDCWD, (path), 0)
#define krmdir(path) raw3(SYS_unlinkat, AT_FDCWD, (path), AT_REMOVEDIR)
#define krename(a, b, flags) raw5(SYS_renameat2, AT_FDCWD, (a), AT_FDCWD, (b), (flags))

#endif
