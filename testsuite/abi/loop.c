/*
 * loop.c — loop devices (testsuite/abi): /dev/loop-control hands out a
 * free device, LOOP_SET_FD binds a file, the device reads and writes the
 * file, LOOP_SET_STATUS64/GET_STATUS64 (name, offset), BLKGETSIZE64,
 * BLKRASET/BLKRAGET, the
 * errors (EBUSY, ENXIO, EBADF, EINVAL), a read-only binding, and a FAT
 * file system made and mounted on the device (and, mounted read-only, the
 * order of EROFS among the errors of unlink, rmdir and mkdir), and the device's I/O
 * counters in /sys/block/loopN/stat moving with a write and a read, the queue limits in
 * /sys/block/loopN/queue and statx's STATX_DIOALIGN on the device node, and
 * mount(MS_REMOUNT) between read-only and read-write on FAT and ext2. Kite and the reference
 * Linux only (the qemu-user sandbox has no loop devices of its own).
 * User space; static musl; needs busybox's mkfs.vfat on PATH.
 */
#include "check.h"
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <linux/loop.h>
#include <sys/sysmacros.h>

#ifndef BLKGETSIZE64
#define BLKGETSIZE64 _IOR(0x12, 114, size_t)
#endif
#ifndef BLKROGET
#define BLKROGET _IO(0x12, 94)
#endif
#ifndef BLKRASET
#define BLKRASET _IO(0x12, 98)
#define BLKRAGET _IO(0x12, 99)
#endif

#define SIZE (4 << 20)

/* /sys/block/loopN/stat's numbers into v: how many there were, or -1. */
static int read_stat(long n, unsigned long *v)
{
  char p[64];
  snprintf(p, sizeof(p), "/sys/block/loop%ld/stat", n);
  FILE *fp = fopen(p, "r");
  if (!fp)
    return -1;
  int k = 0;
  while (k < 20 && fscanf(fp, "%lu", &v[k]) == 1)
    k++;
  fclose(fp);
  return k;
}

/* The device's I/O counters (Documentation/block/stat.rst; Linux 6.1
 * prints 17 fields): a write and a read of the device move them. */
static void device_stats(long n, int d)
{
  unsigned long a[20] = {0}, b[20] = {0};
  int k = read_stat(n, a);
  if (k < 0 && !on_kite()) {
    abi_line("SKIP: loop/stat (this Linux has no /sys/block/loop%ld/stat: no sysfs mounted)", n);
    return;
  }
  CHECKF("stat/seventeen-fields", k == 17, "%d fields", k);
  static char blk[65536];
  memset(blk, 'x', sizeof(blk));
  CHECK("stat/write", pwrite(d, blk, sizeof(blk), 1 << 20) == (ssize_t)sizeof(blk) && fsync(d) == 0);
  read_stat(n, b);
  CHECKF("stat/write-sectors", b[6] - a[6] >= 128, "%lu -> %lu", a[6], b[6]);
  CHECKF("stat/write-ios", b[4] > a[4], "%lu -> %lu", a[4], b[4]);
  /* Linux counts busy time in jiffies: a loop write quicker
   * than that may leave it at 0; Kite counts milliseconds */
  CHECKF("stat/io-ticks", on_kite() ? b[9] > 0 : b[9] >= a[9], "%lu -> %lu", a[9], b[9]);
  CHECKF("stat/idle-none-in-flight", b[8] == 0, "%lu", b[8]);
  CHECK("stat/read", pread(d, blk, 4096, 3 << 20) == 4096);
  read_stat(n, a);
  CHECKF("stat/read-sectors", a[2] - b[2] >= 8, "%lu -> %lu", b[2], a[2]);
  CHECKF("stat/read-ios", a[0] > b[0], "%lu -> %lu", b[0], a[0]);
}

/* mnt is dev's file system of type, mounted read-only: MS_REMOUNT without
 * MS_RDONLY makes it writable (LTP mount03), with MS_RDONLY read-only again
 * with what was written kept. Leaves it mounted read-only. */
static void remount_rw_ro(const char *dev, const char *mnt, const char *type)
{
  char name[64], path[300], other[300], buf[8];
  struct statvfs sv;
  snprintf(path, sizeof(path), "%s/rw.txt", mnt);
  snprintf(other, sizeof(other), "%s/ro.txt", mnt);
  snprintf(name, sizeof(name), "remount/%s-rw", type);
  CHECKF(name, mount(dev, mnt, type, MS_REMOUNT, NULL) == 0, "%s", strerror(errno));
  snprintf(name, sizeof(name), "remount/%s-statvfs-rw", type);
  CHECK(name, statvfs(mnt, &sv) == 0 && !(sv.f_flag & ST_RDONLY));
  int h = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  snprintf(name, sizeof(name), "remount/%s-create", type);
  CHECKF(name, h >= 0 && write(h, "written!", 8) == 8, "%s", strerror(errno));
  close(h);
  snprintf(name, sizeof(name), "remount/%s-ro", type);
  CHECKF(name, mount(dev, mnt, type, MS_REMOUNT | MS_RDONLY, NULL) == 0, "%s", strerror(errno));
  snprintf(name, sizeof(name), "remount/%s-statvfs-ro", type);
  CHECK(name, statvfs(mnt, &sv) == 0 && (sv.f_flag & ST_RDONLY));
  snprintf(name, sizeof(name), "remount/%s-create-erofs", type);
  CHECK_RET(name, open(other, O_CREAT | O_RDWR, 0644) >= 0 ? 0 : -errno, -EROFS);
  h = open(path, O_RDONLY);
  snprintf(name, sizeof(name), "remount/%s-kept", type);
  CHECK(name, h >= 0 && read(h, buf, 8) == 8 && !memcmp(buf, "written!", 8));
  close(h);
}

/* An ext2 file system (busybox's mkfs.ext2) on a second image, mounted as
 * ext4 (the reference Linux's ext4 driver mounts ext2; it has no "ext2"):
 * read-only, then remounted read-write and read-only. Skipped without
 * mkfs.ext2. */
static void ext2_remount(void)
{
  if (system("command -v mkfs.ext2 > /dev/null 2>&1") != 0) {
    abi_line("SKIP: loop/remount/ext2 (no mkfs.ext2)");
    return;
  }
  const char *img = "loop-ext2.img", *mnt = "loop-ext2-mnt";
  int f = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK("remount/ext2-image", f >= 0 && ftruncate(f, SIZE) == 0);
  int ctl = open("/dev/loop-control", O_RDWR);
  long n = raw3(SYS_ioctl, ctl, LOOP_CTL_GET_FREE, 0);
  char dev[64], cmd[300];
  snprintf(dev, sizeof(dev), "/dev/loop%ld", n);
  int d = open(dev, O_RDWR);
  CHECK_RET("remount/ext2-set-fd", raw3(SYS_ioctl, d, LOOP_SET_FD, f), 0);
  snprintf(cmd, sizeof(cmd), "mkfs.ext2 %s > /dev/null 2>&1", dev);
  CHECK("remount/ext2-mkfs", system(cmd) == 0);
  mkdir(mnt, 0755);
  CHECKF("remount/ext2-mount-ro", mount(dev, mnt, "ext4", MS_RDONLY, NULL) == 0, "%s", strerror(errno));
  remount_rw_ro(dev, mnt, "ext4");
  CHECK("remount/ext2-umount", umount(mnt) == 0);
  raw3(SYS_ioctl, d, LOOP_CLR_FD, 0);
  close(d);
  close(ctl);
  close(f);
  unlink(img);
  rmdir(mnt);
}

/* One number from a sysfs file, or -1. */
static long read_number(const char *path)
{
  FILE *fp = fopen(path, "r");
  long v = -1;
  if (fp) {
    if (fscanf(fp, "%ld", &v) != 1)
      v = -1;
    fclose(fp);
  }
  return v;
}

/* statx's direct I/O alignment of the device node (STATX_DIOALIGN, Linux
 * 6.1) and the queue limits in /sys/block/loopN/queue that it agrees with. */
static void dio_align(long n, const char *dev)
{
  struct { uint32_t mask; uint32_t pad[35]; uint64_t mnt_id; uint32_t mem_align, offset_align;
           uint64_t spare[12]; } x;
  _Static_assert(sizeof(x) == 256, "struct statx");
  memset(&x, 0xff, sizeof(x));
  CHECK_RET("dio/statx", raw5(SYS_statx, AT_FDCWD, dev, 0, 0x2000 /* STATX_DIOALIGN */, &x), 0);
  CHECKF("dio/statx-dioalign", (x.mask & 0x2000) && x.mem_align == 512 && x.offset_align == 512,
         "mask %#x mem %u offset %u", x.mask, x.mem_align, x.offset_align);
  memset(&x, 0, sizeof(x));
  raw5(SYS_statx, AT_FDCWD, dev, 0, 0x7ff /* STATX_BASIC_STATS */, &x);
  CHECKF("dio/not-asked-not-given", !(x.mask & 0x2000) && x.mem_align == 0, "mask %#x", x.mask);
  char p[96];
  snprintf(p, sizeof(p), "/sys/block/loop%ld/queue/logical_block_size", n);
  long lbs = read_number(p);
  if (lbs < 0 && !on_kite()) {
    abi_line("SKIP: loop/dio-queue (this Linux has no /sys/block/loop%ld/queue: no sysfs mounted)", n);
    return;
  }
  CHECKF("dio/queue-logical-block-size", lbs == 512, "%ld", lbs);
  snprintf(p, sizeof(p), "/sys/block/loop%ld/queue/physical_block_size", n);
  CHECKF("dio/queue-physical-block-size", read_number(p) == 512, "%ld", read_number(p));
  snprintf(p, sizeof(p), "/sys/block/loop%ld/queue/dma_alignment", n);
  long dma = read_number(p);
  CHECKF("dio/queue-dma-alignment", dma == 511, "%ld", dma);
}

static void loops(void)
{
  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  char img[256], dev[64], mnt[256];
  snprintf(img, sizeof(img), "%s/loop.img", tmp);
  snprintf(mnt, sizeof(mnt), "%s/loop.mnt", tmp);
  int ctl = open("/dev/loop-control", O_RDWR);
  CHECKF("loop/control-opens", ctl >= 0, "%s", strerror(errno));
  if (ctl < 0)
    return;
  long n = raw3(SYS_ioctl, ctl, LOOP_CTL_GET_FREE, 0);
  CHECKF("loop/get-free", n >= 0, "%ld", n);
  snprintf(dev, sizeof(dev), "/dev/loop%ld", n);
  struct stat st;
  CHECK("loop/node-exists", stat(dev, &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == 7 &&
                                minor(st.st_rdev) == n);
  int f = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ftruncate(f, SIZE);
  int d = open(dev, O_RDWR);
  CHECK("loop/device-opens", d >= 0);
  struct loop_info64 li;
  CHECK_RET("loop/status-unbound-enxio", raw3(SYS_ioctl, d, LOOP_GET_STATUS64, &li), -ENXIO);
  CHECK_RET("loop/clr-unbound-enxio", raw3(SYS_ioctl, d, LOOP_CLR_FD, 0), -ENXIO);
  CHECK_RET("loop/set-fd-bad-fd", raw3(SYS_ioctl, d, LOOP_SET_FD, 999), -EBADF);
  CHECK_RET("loop/set-fd", raw3(SYS_ioctl, d, LOOP_SET_FD, f), 0);
  CHECK_RET("loop/set-fd-busy", raw3(SYS_ioctl, d, LOOP_SET_FD, f), -EBUSY);
  CHECK("loop/not-free-now", raw3(SYS_ioctl, ctl, LOOP_CTL_GET_FREE, 0) != n);
  uint64_t bytes = 0;
  CHECK("loop/size", raw3(SYS_ioctl, d, BLKGETSIZE64, &bytes) == 0 && bytes == SIZE);
  /* the readahead setting, in sectors, kept in whole pages */
  unsigned long ra = 1, ra0 = 0;
  CHECK_RET("loop/blkraget", raw3(SYS_ioctl, d, BLKRAGET, &ra0), 0);
  int same = 0;
  for (unsigned long want = 0; want <= 4096; want += 512)
    same += raw3(SYS_ioctl, d, BLKRASET, want) == 0 && raw3(SYS_ioctl, d, BLKRAGET, &ra) == 0 && ra == want;
  CHECKF("loop/blkraset-reads-back", same == 9, "%d of 9 (last %lu)", same, ra);
  raw3(SYS_ioctl, d, BLKRASET, 12);
  raw3(SYS_ioctl, d, BLKRAGET, &ra);
  CHECKF("loop/blkraset-whole-pages", ra == 8, "12 sectors read back as %lu", ra);
  raw3(SYS_ioctl, d, BLKRASET, ra0);
  /* the device's bytes are the file's */
  CHECK("loop/write-device", pwrite(d, "loopdata", 8, 4096) == 8 && fsync(d) == 0);
  char buf[16] = "";
  CHECK("loop/file-sees-it", pread(f, buf, 8, 4096) == 8 && memcmp(buf, "loopdata", 8) == 0);
  pwrite(f, "fromfile", 8, 8192);
  CHECK("loop/device-sees-file", pread(d, buf, 8, 8192) == 8 && memcmp(buf, "fromfile", 8) == 0);
  device_stats(n, d);
  dio_align(n, dev);
  /* status: name and offset */
  memset(&li, 0, sizeof(li));
  strcpy((char *)li.lo_file_name, "kite-test-image");
  li.lo_offset = 4096;
  CHECK_RET("loop/set-status64", raw3(SYS_ioctl, d, LOOP_SET_STATUS64, &li), 0);
  memset(&li, 0, sizeof(li));
  CHECK_RET("loop/get-status64", raw3(SYS_ioctl, d, LOOP_GET_STATUS64, &li), 0);
  CHECKF("loop/status-fields", li.lo_number == (uint32_t)n && li.lo_offset == 4096 &&
         !strcmp((char *)li.lo_file_name, "kite-test-image"), "number %u offset %llu name %s", li.lo_number,
         (unsigned long long)li.lo_offset, li.lo_file_name);
  CHECK("loop/offset-size", raw3(SYS_ioctl, d, BLKGETSIZE64, &bytes) == 0 && bytes == SIZE - 4096);
  CHECK("loop/offset-applies", pread(d, buf, 8, 0) == 8 && memcmp(buf, "loopdata", 8) == 0);
  li.lo_offset = 0;
  raw3(SYS_ioctl, d, LOOP_SET_STATUS64, &li);
  /* a FAT file system on it */
  char cmd[300];
  snprintf(cmd, sizeof(cmd), "mkfs.vfat %s > /dev/null 2>&1", dev);
  CHECK("loop/mkfs", system(cmd) == 0);
  mkdir(mnt, 0755);
  CHECKF("loop/mount", mount(dev, mnt, "vfat", 0, NULL) == 0, "%s", strerror(errno));
  char path[300];
  snprintf(path, sizeof(path), "%s/hello.txt", mnt);
  int h = open(path, O_WRONLY | O_CREAT, 0644);
  CHECK("loop/file-on-fs", h >= 0 && write(h, "hi there", 8) == 8 && close(h) == 0);
  CHECK("loop/umount", umount(mnt) == 0);
  CHECK("loop/remount", mount(dev, mnt, "vfat", MS_RDONLY, NULL) == 0);
  h = open(path, O_RDONLY);
  memset(buf, 0, sizeof(buf));
  CHECK("loop/file-survived", h >= 0 && read(h, buf, 8) == 8 && !memcmp(buf, "hi there", 8));
  close(h);
  /* a read-only file system: EROFS comes before the name is looked up for
   * unlink and rmdir, after it for mkdir (EEXIST first), as in Linux */
  char missing[300], dot[300];
  snprintf(missing, sizeof(missing), "%s/missing", mnt);
  snprintf(dot, sizeof(dot), "%s/.", mnt);
  CHECK_RET("rofs/unlink-missing-erofs", unlink(missing) ? -errno : 0, -EROFS);
  CHECK_RET("rofs/unlink-erofs", unlink(path) ? -errno : 0, -EROFS);
  CHECK_RET("rofs/rmdir-missing-erofs", rmdir(missing) ? -errno : 0, -EROFS);
  CHECK_RET("rofs/mkdir-existing-eexist", mkdir(path, 0755) ? -errno : 0, -EEXIST);
  CHECK_RET("rofs/mkdir-erofs", mkdir(missing, 0755) ? -errno : 0, -EROFS);
  CHECK_RET("rofs/unlink-dot-eisdir", unlink(dot) ? -errno : 0, -EISDIR);
  CHECK_RET("rofs/rmdir-dot-einval", rmdir(dot) ? -errno : 0, -EINVAL);
  remount_rw_ro(dev, mnt, "vfat");
  /* a lazy unmount while a file is open: the file system goes with the
   * last use, and the device can be mounted again (LTP umount2_01 and the
   * tests after it) */
  h = open(path, O_RDONLY);
  CHECK("loop/umount-detach-busy", umount2(mnt, MNT_DETACH) == 0);
  CHECK("loop/detached-file-readable", h >= 0 && pread(h, buf, 8, 0) == 8);
  close(h);
  CHECKF("loop/remount-after-detach", mount(dev, mnt, "vfat", MS_RDONLY, NULL) == 0, "%s", strerror(errno));
  umount(mnt);
  CHECK_RET("loop/clr-fd", raw3(SYS_ioctl, d, LOOP_CLR_FD, 0), 0);
  CHECK_RET("loop/status-after-clr", raw3(SYS_ioctl, d, LOOP_GET_STATUS64, &li), -ENXIO);
  CHECK("loop/free-again", raw3(SYS_ioctl, ctl, LOOP_CTL_GET_FREE, 0) == n);
  /* a read-only file gives a read-only device */
  int ro = open(img, O_RDONLY);
  CHECK_RET("loop/set-fd-readonly", raw3(SYS_ioctl, d, LOOP_SET_FD, ro), 0);
  int rof = 0;
  CHECK("loop/ro-flag", raw3(SYS_ioctl, d, BLKROGET, &rof) == 0 && rof == 1);
  memset(&li, 0, sizeof(li));
  raw3(SYS_ioctl, d, LOOP_GET_STATUS64, &li);
  CHECK("loop/ro-status-flag", (li.lo_flags & LO_FLAGS_READ_ONLY) != 0);
  raw3(SYS_ioctl, d, LOOP_CLR_FD, 0);
  close(ro);
  close(d);
  close(f);
  close(ctl);
  unlink(img);
  rmdir(mnt);
}

int main(void)
{
  abi_family = "loop";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (on_qemu_user()) {
    abi_line("SKIP: loop/all (qemu-user: the sandbox has no loop devices of its own)");
    return 0;
  }
  run_section("loop", loops, 60000);
  run_section("remount", ext2_remount, 60000);
  return abi_done();
}
