/*
 * test_ext4.c — host tests of the ext4 core (fs/ext4/) on images made by
 * Debian's mke2fs: reading what mke2fs -d and e2fsck -D wrote (1 and 4 KiB
 * blocks, htree and linear directories, fast and slow symlinks, sparse
 * files, ext2/ext3 block maps, inline data, the optional features), then
 * writing: names, data, big files, a full disk, 20,000-entry directories,
 * deep trees, random operations against a model. After every scenario
 * that writes, e2fsck -fn must find nothing and debugfs must dump exactly
 * the model. More scenarios (journal, crashes, orphans, damaged images,
 * files past 4 GiB) are in test_ext4_more.c; the machinery in
 * ext4_test_util.c.
 *
 * usage: test_ext4 WORKDIR [scenario...]   (default: all)
 */
#define _GNU_SOURCE
#include "ext4_test.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* ---- reading what mke2fs wrote ---- */

static char src[700];

/* A tree with every kind of thing mke2fs -d copies. */
static void make_source_tree(void)
{
  snprintf(src, sizeof(src), "%s/src", workdir);
  sh("rm -rf '%s' && mkdir -p '%s/a/b/c' '%s/many' '%s/empty'", src, src, src, src);
  static const size_t sizes[] = { 0, 1, 511, 512, 1023, 1024, 1025, 4095, 4096, 4097, 65536, 100000, 3 << 20 };
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    char p[800];
    snprintf(p, sizeof(p), "%s/a/f%zu", src, sizes[i]);
    FILE *f = fopen(p, "w");
    uint8_t *b = random_bytes(sizes[i]);
    fwrite(b, 1, sizes[i], f);
    fclose(f);
    free(b);
  }
  for (int i = 0; i < 3000; i++) {
    char p[800];
    snprintf(p, sizeof(p), "%s/many/entry-%d-%.*s", src, i, i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    FILE *f = fopen(p, "w");
    fprintf(f, "%d\n", i);
    fclose(f);
  }
  sh("cd '%s' && echo deep > a/b/c/deep.txt && ln -s a/f1 fast && ln -s %s slow && "
     "ln -s %s slower && truncate -s 20M sparse && echo end >> sparse && "
     "ln a/f100000 hardlink && printf 'x%%.0s' $(seq 1 300) > a/b/text",
     src, "a/b/c/............................................................deep.txt",
     "/0123456789012345678901234567890123456789/0123456789012345678901234567890123456789"
     "/0123456789012345678901234567890123456789/0123456789012345678901234567890123456789"
     "/0123456789012345678901234567890123456789/0123456789012345678901234567890123456789");
  model_clear();
  model_load_host(src, "");
}

static void check_read_only_refusals(void)
{
  struct ext4_node *root = ext4_root(fs), *n = NULL;
  int r = ext4_create(fs, root, "new", 3, 0100644, 0, 0, 0, &n);
  CHECK("a read-only mount refuses to create (EROFS)", r == -EROFS);
  r = ext4_unlink(fs, root, "fast", 4, false);
  CHECK("a read-only mount refuses to unlink (EROFS)", r == -EROFS);
  ext4_node_put(fs, root);
}

static void read_image(const char *name, const char *mkfs_opts, bool index)
{
  char opts[1024];
  snprintf(opts, sizeof(opts), "%s -d '%s'", mkfs_opts, src);
  if (!CHECK_RET(mkimg(name, 128, opts), "mke2fs -d makes the image"))
    return;
  if (index)
    sh("e2fsck -fyD '%s' >/dev/null 2>&1", img);
  host_clear_log();
  if (!CHECK_RET(mnt(true), "read-only mount"))
    return;
  CHECKF(walk_matches(), "%s: every file, directory and symlink reads back exactly", name);
  CHECKF(!host_last_log()[0], "%s: nothing was logged (no checksum or index fallback)", name);
  struct ext4_node *n;
  if (!node_at("/many", &n)) {
    struct ext4_attr a;
    ext4_getattr(fs, n, &a);
    CHECKF(!index || (a.flags & EXT4_INDEX_FL), "%s: the 3000-entry directory is indexed", name);
    CHECKF(a.nlink == 2, "%s: its link count is 2", name);
    ext4_node_put(fs, n);
  }
  if (!node_at("/hardlink", &n)) {
    struct ext4_attr a;
    ext4_getattr(fs, n, &a);
    struct stat st;
    char hp[800];
    snprintf(hp, sizeof(hp), "%s/hardlink", src);
    stat(hp, &st);
    CHECKF(a.nlink == 2 && a.mtime.sec == st.st_mtim.tv_sec && (a.mode & 07777) == (st.st_mode & 07777),
           "%s: a hard link shows 2 links, the mode and mtime of the source", name);
    ext4_node_put(fs, n);
  }
  if (!node_at("/sparse", &n)) {
    struct ext4_attr a;
    ext4_getattr(fs, n, &a);
    CHECKF(a.blocks < 64, "%s: the 20 MiB sparse file owns almost no blocks (%llu sectors)", name,
           (unsigned long long)a.blocks);
    CHECKF(ext4_seek_data(fs, n, 0, a.size, false) == (int64_t)(a.size & ~4095ull) ||
               ext4_seek_data(fs, n, 0, a.size, false) > (20 << 20) - 8192,
           "%s: SEEK_DATA skips the hole", name);
    CHECKF(ext4_seek_data(fs, n, 0, a.size, true) == 0, "%s: SEEK_HOLE finds the hole at 0", name);
    ext4_node_put(fs, n);
  }
  check_read_only_refusals();
  struct ext4_statfs st;
  ext4_statfs(fs, &st);
  CHECKF(st.free > 0 && st.free < st.blocks && st.ffree < st.files, "%s: statfs counts", name);
  CHECK_RET(umnt(), "unmount leaves nothing held");
  CHECKF(fsck_clean(), "%s: e2fsck -fn is clean after a read-only mount", name);
}

void scenario_read(void)
{
  make_source_tree();
  read_image("read1k", "-b 1024", false);
  read_image("read4k", "-b 4096", false);
  read_image("read1k-htree", "-b 1024", true);
  read_image("read4k-htree", "-b 4096", true);
  read_image("read2k", "-b 2048", true);
  read_image("read-nocsum", "-b 4096 -O ^metadata_csum,^64bit", true);
  read_image("read-seed", "-b 4096 -O metadata_csum_seed,orphan_file", true);
}

/* Images with features Kite reads but does not write, or not at all. */
static void refuse(const char *name, const char *opts, bool readable)
{
  if (!CHECK_RET(mkimg(name, 64, opts), "mke2fs makes the image"))
    return;
  host_clear_log();
  dev = host_dev_open(img, false, 64);
  int r = ext4_mount(dev, false, &fs);
  CHECKF(r == -EROFS, "%s: read-write mount refused with EROFS (%d)", name, r);
  CHECKF(strstr(host_last_log(), "read-only") || strstr(host_last_log(), "not mounted"),
         "%s: the log says why (\"%s\")", name, host_last_log());
  if (!r)
    ext4_unmount(fs);
  host_dev_close(dev);
  if (readable) {
    CHECKF(mnt(true), "%s: read-only mount works", name);
    if (fs)
      CHECKF(walk_matches(), "%s: and reads everything", name);
    if (fs)
      umnt();
  }
  CHECKF(fsck_clean(), "%s: the image is untouched (e2fsck clean)", name);
}

void scenario_read_features(void)
{
  make_source_tree();
  char opts[1024];
  snprintf(opts, sizeof(opts), "-O inline_data -d '%s'", src);
  refuse("inline", opts, true);
  refuse("quota", "-O quota", false);  /* mke2fs -d does not count quota usage */
  snprintf(opts, sizeof(opts), "-O project -I 256 -d '%s'", src);
  refuse("project", opts, true);
  /* An unknown incompatible feature: not even read-only. */
  if (mkimg("unknown", 16, "")) {
    char *out = run("debugfs -w -R 'ssv feature_incompat 0x%x' '%s' 2>&1", 0x2c2 | 0x100000, img);
    free(out);
    host_clear_log();
    dev = host_dev_open(img, true, 64);
    int r = ext4_mount(dev, true, &fs);
    CHECKF(r == -EINVAL && strstr(host_last_log(), "unsupported"),
           "an unknown incompatible feature is refused even read-only (%d, \"%s\")", r, host_last_log());
    host_dev_close(dev);
  }
  /* Not ext4 at all. */
  if (mkimg("vfat", 16, "") && sh("mkfs.vfat -F 32 '%s' >/dev/null 2>&1", img) == 0) {
    dev = host_dev_open(img, true, 64);
    CHECK("a FAT image is not ext4 (EINVAL, probe false)", ext4_mount(dev, true, &fs) == -EINVAL &&
                                                               !ext4_probe(dev));
    host_dev_close(dev);
  }
  /* Less common layouts, written too: meta_bg descriptors, sparse_super2
   * backups, largedir, 128-byte inodes (no nanoseconds, no checksum hi). */
  static const char *layouts[][2] = {
    { "metabg", "-b 1024 -O meta_bg,^resize_inode" }, { "sparse2", "-b 4096 -O sparse_super2" },
    { "largedir", "-b 1024 -O large_dir" }, { "inode128", "-b 4096 -I 128" },
  };
  for (int k = 0; k < 4; k++) {
    snprintf(opts, sizeof(opts), "%s -d '%s'", layouts[k][1], src);
    model_clear();
    model_load_host(src, "");
    if (!CHECK_RET(mkimg(layouts[k][0], 96, opts), "mke2fs") || !CHECK_RET(mnt(false), "mount read-write"))
      continue;
    CHECKF(walk_matches(), "%s: reads back", layouts[k][0]);
    uint8_t *d = random_bytes(2 << 20);
    CHECKF(write_file("/many/new", d, 2 << 20) == 0 && make_dir("/newd") == 0 &&
           remove_path("/a/f65536", false) == 0 && rename_path("/a/b", "/newd/b", 0) == 0,
           "%s: write, mkdir, unlink, rename", layouts[k][0]);
    model_set("/many/new", M_FILE, d, 2 << 20);
    model_set("/newd", M_DIR, NULL, 0);
    model_del("/a/f65536");
    model_rename("/a/b", "/newd/b");
    for (int i = 0; i < 400; i++) {  /* enough to touch several groups' bitmaps */
      char p[64];
      snprintf(p, sizeof(p), "/newd/g%d", i);
      write_file(p, d + i, 3000);
      model_set(p, M_FILE, d + i, 3000);
    }
    free(d);
    CHECK_RET(umnt(), "unmount");
    CHECKF(fsck_clean(), "%s: e2fsck clean after writing", layouts[k][0]);
    CHECKF(dump_matches(), "%s: debugfs dumps what was written", layouts[k][0]);
  }
  /* ext2 and ext3: block maps, read and written. */
  static const char *kinds[] = { "ext2", "ext3" };
  for (int k = 0; k < 2; k++) {
    model_clear();
    model_load_host(src, "");
    snprintf(img, sizeof(img), "%s/%s.img", workdir, kinds[k]);
    sh("rm -f '%s' && truncate -s 64M '%s' && mke2fs -q -F -t %s -d '%s' '%s' >/dev/null 2>&1", img, img,
       kinds[k], src, img);
    if (!CHECK_RET(mnt(false), "ext2/ext3 mount read-write"))
      continue;
    CHECKF(walk_matches(), "%s: block-mapped files read back", kinds[k]);
    uint8_t *big = random_bytes(5 << 20);
    CHECKF(write_file("/a/new", big, 5 << 20) == 0, "%s: a 5 MiB file (double indirect) is written", kinds[k]);
    model_set("/a/new", M_FILE, big, 5 << 20);
    CHECKF(write_file("/a/f3145728", big, 1000) == 0, "%s: a big file is truncated and rewritten", kinds[k]);
    model_set("/a/f3145728", M_FILE, big, 1000);
    CHECKF(remove_path("/a/f100000", false) == 0, "%s: unlink", kinds[k]);
    model_del("/a/f100000");
    CHECKF(make_dir("/newdir") == 0 && make_link("/a/new", "/newdir/l") == 0, "%s: mkdir, symlink", kinds[k]);
    model_set("/newdir", M_DIR, NULL, 0);
    model_set("/newdir/l", M_LINK, (const uint8_t *)"/a/new", 6);
    free(big);
    CHECK_RET(umnt(), "unmount");
    CHECKF(fsck_clean(), "%s: e2fsck clean after writing", kinds[k]);
    CHECKF(dump_matches(), "%s: debugfs dumps what was written", kinds[k]);
  }
}

/* ---- writing ---- */

static int expect(int got, int want, const char *what)
{
  CHECKF(got == want, "%s (%d)", what, got);
  return got;
}

void scenario_create(void)
{
  for (int bs = 1024; bs <= 4096; bs *= 4) {
    char opts[64];
    snprintf(opts, sizeof(opts), "-b %d", bs);
    if (!CHECK_RET(mkimg("create", 64, opts), "mke2fs") || !CHECK_RET(mnt(false), "mount read-write"))
      return;
    model_clear();
    expect(make_dir("/d1"), 0, "mkdir /d1");
    expect(make_dir("/d1/d2"), 0, "mkdir /d1/d2");
    expect(make_dir("/d1"), -EEXIST, "mkdir of an existing name: EEXIST");
    model_set("/d1", M_DIR, NULL, 0);
    model_set("/d1/d2", M_DIR, NULL, 0);
    static const size_t sizes[] = { 0, 1, 1023, 1024, 4096, 4097, 12 * 1024, 13 * 1024, 300000, 1 << 20 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      char p[64];
      snprintf(p, sizeof(p), "/d1/f%zu", sizes[i]);
      uint8_t *b = random_bytes(sizes[i]);
      expect(write_file(p, b, sizes[i]), 0, "write a file");
      model_set(p, M_FILE, b, sizes[i]);
      free(b);
    }
    char longname[257];
    memset(longname, 'n', 256);
    longname[256] = 0;
    struct ext4_node *root = ext4_root(fs), *n;
    expect(ext4_create(fs, root, longname, 256, 0100644, 0, 0, 0, &n), -ENAMETOOLONG, "256-byte name: ENAMETOOLONG");
    expect(ext4_create(fs, root, longname, 255, 0100644, 0, 0, 0, &n), 0, "255-byte name");
    ext4_node_put(fs, n);
    char lp[300];
    snprintf(lp, sizeof(lp), "/%s", longname + 1);
    model_set(lp, M_FILE, NULL, 0);
    expect(ext4_create(fs, root, "fifo", 4, 010644, 0, 0, 0, &n), 0, "mkfifo");
    ext4_node_put(fs, n);
    expect(ext4_create(fs, root, "null", 4, 020644, (1 << 8) | 3, 0, 0, &n), 0, "mknod c 1 3");
    struct ext4_attr a;
    ext4_getattr(fs, n, &a);
    CHECK("a device node keeps its number", a.rdev == ((1 << 8) | 3));
    ext4_node_put(fs, n);
    expect(ext4_create(fs, root, "bigdev", 6, 060644, (300 << 8) | (1000 & 0xff) | (1000 & ~0xffu) << 12, 0, 0, &n),
           0, "mknod b 300 1000 (new encoding)");
    ext4_node_put(fs, n);
    ext4_node_put(fs, root);
    expect(make_link("/d1/f1", "/fast"), 0, "fast symlink");
    model_set("/fast", M_LINK, (const uint8_t *)"/d1/f1", 6);
    char target[1001];
    memset(target, 't', 1000);
    target[1000] = 0;
    expect(make_link(target, "/slow"), 0, "slow symlink (1000 bytes)");
    model_set("/slow", M_LINK, (const uint8_t *)target, 1000);
    expect(hard_link("/d1/f4096", "/d1/d2/hard"), 0, "hard link");
    model_set("/d1/d2/hard", M_FILE, model[model_find("/d1/f4096")].data, 4096);
    expect(hard_link("/d1", "/dirlink"), -EPERM, "hard link to a directory: EPERM");
    expect(remove_path("/d1", true), -ENOTEMPTY, "rmdir of a non-empty directory: ENOTEMPTY");
    expect(remove_path("/d1", false), -EISDIR, "unlink of a directory: EISDIR");
    expect(remove_path("/d1/f1", true), -ENOTDIR, "rmdir of a file: ENOTDIR");
    expect(remove_path("/nothing", false), -ENOENT, "unlink of nothing: ENOENT");
    /* renames */
    expect(rename_path("/d1/f0", "/d1/d2/moved", 0), 0, "rename across directories");
    model_rename("/d1/f0", "/d1/d2/moved");
    expect(rename_path("/d1/f1", "/d1/f1023", 0), 0, "rename over a file");
    model_rename("/d1/f1", "/d1/f1023");
    expect(rename_path("/d1/f1024", "/d1/f4097", EXT4_RENAME_NOREPLACE), -EEXIST, "RENAME_NOREPLACE: EEXIST");
    expect(rename_path("/d1/f1024", "/d1/d2", EXT4_RENAME_EXCHANGE), 0, "RENAME_EXCHANGE of a file and a directory");
    model_rename("/d1/f1024", "/tmpx");
    model_rename("/d1/d2", "/d1/f1024");
    model_rename("/tmpx", "/d1/d2");
    expect(make_dir("/d3"), 0, "mkdir /d3");
    model_set("/d3", M_DIR, NULL, 0);
    expect(rename_path("/d1/f1024", "/d3/sub", 0), 0, "rename a directory into another");
    model_rename("/d1/f1024", "/d3/sub");
    expect(rename_path("/d3", "/d1/d2", 0), -ENOTDIR, "rename a directory over a file: ENOTDIR");
    expect(rename_path("/d1/d2", "/d3", 0), -EISDIR, "rename a file over a directory: EISDIR");
    expect(make_dir("/empty"), 0, "mkdir /empty");
    expect(rename_path("/d3", "/empty", 0), 0, "rename a directory over an empty one");
    model_rename("/d3", "/empty");
    expect(rename_path("/fast", "/empty/sub/fast", EXT4_RENAME_EXCHANGE), -ENOENT, "RENAME_EXCHANGE with no target: ENOENT");
    if (!node_at("/empty/sub", &n)) {
      ext4_getattr(fs, n, &a);
      CHECK("a moved directory keeps 2 links", a.nlink == 2);
      ext4_node_put(fs, n);
    }
    if (!node_at("/empty", &n)) {
      ext4_getattr(fs, n, &a);
      CHECK("its new parent counts it (3 links)", a.nlink == 3);
      ext4_node_put(fs, n);
    }
    if (!node_at("/d1/f4096", &n)) {
      struct ext4_attr t = { .mode = 0600, .uid = 1000, .gid = 100, .atime = { 1000000000, 123456789 },
                             .mtime = { 2000000000, 987654321 } };
      expect(ext4_setattr(fs, n, &t, EXT4_SET_MODE | EXT4_SET_UID | EXT4_SET_GID | EXT4_SET_ATIME | EXT4_SET_MTIME),
             0, "chmod, chown, utimensat");
      ext4_node_put(fs, n);
    }
    CHECK_RET(umnt(), "unmount");
    CHECKF(fsck_clean(), "%d-byte blocks: e2fsck -fn clean after names and data", bs);
    CHECKF(dump_matches(), "%d-byte blocks: debugfs dumps exactly the model (rdump skips special files)", bs);
    char *st = run("debugfs -R 'stat /d1/f4096' '%s' 2>/dev/null", img);
    char mt[64];  /* debugfs prints seconds:extra in hex; extra = nanoseconds << 2 */
    snprintf(mt, sizeof(mt), "mtime: 0x%08x:%08x", 2000000000u, 987654321u << 2);
    CHECK("debugfs shows the mode, owner and nanosecond mtime", strstr(st, "Mode:  0600") &&
          strstr(st, "User:  1000") && strstr(st, "Group:   100") && strstr(st, mt));
    free(st);
    char *ls = run("debugfs -R 'stat /bigdev' '%s' 2>/dev/null", img);
    CHECK("debugfs shows the device number", strstr(ls, "Device major/minor number: 300:1000") != NULL);
    free(ls);
    if (CHECK_RET(mnt(false), "mount again")) {
      model_set("/fifo", M_FILE, NULL, 0);
      model_set("/null", M_FILE, NULL, 0);
      model_set("/bigdev", M_FILE, NULL, 0);
      struct ext4_node *x;
      if (!node_at("/d1/f4096", &x)) {
        ext4_getattr(fs, x, &a);
        CHECK("times keep their nanoseconds", a.mtime.sec == 2000000000 && a.mtime.nsec == 987654321 &&
              a.atime.nsec == 123456789 && a.uid == 1000 && (a.mode & 07777) == 0600);
        ext4_node_put(fs, x);
      }
      model_del("/fifo");
      model_del("/null");
      model_del("/bigdev");
      expect(remove_path("/fifo", false) | remove_path("/null", false) | remove_path("/bigdev", false), 0,
             "special files are removed");
      CHECK("the core reads back the model", walk_matches());
      CHECK_RET(umnt(), "unmount");
      CHECK("e2fsck clean", fsck_clean());
    }
  }
}

void scenario_big(void)
{
  if (!CHECK_RET(mkimg("big", 160, "-b 4096"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  size_t len = 64 << 20;
  uint8_t *b = random_bytes(len);
  struct ext4_node *root = ext4_root(fs), *n;
  expect(ext4_create(fs, root, "big", 3, 0100644, 0, 0, 0, &n), 0, "create /big");
  ext4_node_put(fs, root);
  long w = 0;
  for (size_t off = 0; off < len; off += 1 << 20)
    w += ext4_pwrite(fs, n, off, b + off, 1 << 20);
  CHECK("64 MiB written in 1 MiB pieces", w == (long)len);
  uint8_t *r = malloc(len);
  CHECK("and read back the same", ext4_pread(fs, n, 0, r, len) == (long)len && !memcmp(r, b, len));
  CHECK("the extent tree checks out", ext4_ext_check(fs, n) == 0);
  ext4_node_put(fs, n);
  model_set("/big", M_FILE, b, len);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean", fsck_clean());
  CHECK("debugfs dumps the 64 MiB exactly", dump_matches());
  if (CHECK_RET(mnt(false), "mount again")) {
    CHECK("the core reads it back after a remount", walk_matches());
    CHECK_RET(umnt(), "unmount");
  }
  char *ex = run("debugfs -R 'ex /big' '%s' 2>/dev/null | grep -c '^ *[0-9]/ *[0-9]'", img);
  CHECKF(atoi(ex) <= 4, "the 64 MiB file has few extents (%d lines)", atoi(ex));
  free(ex);
  free(r);
  free(b);
}

void scenario_enospc(void)
{
  if (!CHECK_RET(mkimg("full", 16, "-b 1024"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  struct ext4_statfs s0;
  ext4_statfs(fs, &s0);
  struct ext4_node *root = ext4_root(fs), *n;
  expect(ext4_create(fs, root, "fill", 4, 0100644, 0, 0, 0, &n), 0, "create /fill");
  uint8_t *b = random_bytes(64 << 10);
  uint64_t off = 0;
  long w;
  while ((w = ext4_pwrite(fs, n, off, b, 64 << 10)) == 64 << 10)
    off += (uint64_t)w;
  if (w > 0)
    off += (uint64_t)w;
  CHECKF(w >= 0 && w < (64 << 10), "filling ends in a short write (%ld)", w);
  CHECK("then ENOSPC", ext4_pwrite(fs, n, off, b, 4096) == -ENOSPC);
  struct ext4_statfs s1;
  ext4_statfs(fs, &s1);
  CHECKF(s1.free < 64, "statfs shows the disk full (%llu free)", (unsigned long long)s1.free);
  struct ext4_node *d;
  int r = ext4_create(fs, root, "cannot", 6, 040755, 0, 0, 0, &d);
  CHECKF(r == -ENOSPC, "mkdir on a full disk: ENOSPC (%d)", r);
  if (!r)
    ext4_node_put(fs, d);
  ext4_node_put(fs, n);
  ext4_node_put(fs, root);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean when full", fsck_clean());
  if (!CHECK_RET(mnt(false), "mount again"))
    return;
  root = ext4_root(fs);
  expect(ext4_unlink(fs, root, "fill", 4, false), 0, "unlink the filler");
  ext4_node_put(fs, root);
  ext4_statfs(fs, &s1);
  CHECKF(s1.free == s0.free, "freeing gives every block back (%llu, was %llu)", (unsigned long long)s1.free,
         (unsigned long long)s0.free);
  /* Many small files until the inodes or the blocks run out. */
  int i;
  for (i = 0; i < 100000; i++) {
    char p[32];
    snprintf(p, sizeof(p), "/s%d", i);
    if (write_file(p, b, 3000))
      break;
  }
  CHECKF(i > 1000, "%d small files fit", i);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean after running out", fsck_clean());
  free(b);
}

void scenario_htree(void)
{
  for (int bs = 1024; bs <= 4096; bs *= 4) {
    char opts[64];
    snprintf(opts, sizeof(opts), "-b %d -N 40000", bs);
    if (!CHECK_RET(mkimg("htree", 200, opts), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
      return;
    model_clear();
    make_dir("/big");
    model_set("/big", M_DIR, NULL, 0);
    struct ext4_node *dir, *n;
    node_at("/big", &dir);
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
      char name[128], p[160];
      int len = snprintf(name, sizeof(name), "file-%d-%.*s", i * 7919 % 100000, i % 60,
                         "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij");
      if (ext4_create(fs, dir, name, (size_t)len, 0100644, 0, 0, 0, &n)) {
        bad++;
        continue;
      }
      ext4_node_put(fs, n);
      snprintf(p, sizeof(p), "/big/%s", name);
      model_set(p, M_FILE, NULL, 0);
    }
    CHECKF(bad == 0, "%d-byte blocks: 20,000 names created in one directory", bs);
    struct ext4_attr a;
    ext4_getattr(fs, dir, &a);
    CHECK("it is indexed", a.flags & EXT4_INDEX_FL);
    int missing = 0;
    for (int i = 0; i < nmodel; i++) {
      if (model[i].type != M_FILE)
        continue;
      const char *name = model[i].path + 5;
      if (ext4_lookup(fs, dir, name, strlen(name), &n))
        missing++;
      else
        ext4_node_put(fs, n);
    }
    CHECKF(missing == 0, "every name is found through the index (%d missing)", missing);
    uint64_t pos = 0;
    struct ext4_dirent de;
    int count = 0;
    while (ext4_readdir(fs, dir, &pos, &de) == 1)
      count++;
    CHECKF(count == 20000, "readdir lists 20,000 (%d)", count);
    int removed = 0;
    for (int i = 0; i < nmodel; i++) {
      if (model[i].type == M_FILE && rnd() % 2) {
        const char *name = model[i].path + 5;
        if (!ext4_unlink(fs, dir, name, strlen(name), false)) {
          model_del(model[i].path);
          i--;
          removed++;
        }
      }
    }
    CHECKF(removed > 9000, "%d removed", removed);
    for (int i = 0; i < 5000; i++) {
      char name[64], p[96];
      int len = snprintf(name, sizeof(name), "again-%d", i);
      if (!ext4_create(fs, dir, name, (size_t)len, 0100644, 0, 0, 0, &n)) {
        ext4_node_put(fs, n);
        snprintf(p, sizeof(p), "/big/%s", name);
        model_set(p, M_FILE, NULL, 0);
      }
    }
    ext4_node_put(fs, dir);
    CHECK_RET(umnt(), "unmount");
    CHECKF(fsck_clean(), "%d-byte blocks: e2fsck checks the index and finds nothing", bs);
    CHECK("debugfs lists exactly the names", dump_matches());
    char *h = run("debugfs -R 'htree /big' '%s' 2>/dev/null | grep -c 'Entry #'", img);
    CHECKF(atoi(h) > 100, "debugfs walks the index (%d index entries)", atoi(h));
    free(h);
  }
}

void scenario_deep(void)
{
  if (!CHECK_RET(mkimg("deep", 32, "-b 4096"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  char p[4096] = "";
  int depth;
  for (depth = 0; depth < 200; depth++) {
    strcat(p, "/dd");
    if (make_dir(p))
      break;
    model_set(p, M_DIR, NULL, 0);
  }
  CHECK("a 200-level tree", depth == 200);
  char f[4200];
  snprintf(f, sizeof(f), "%s/leaf", p);
  CHECK("a file at the bottom", write_file(f, (const uint8_t *)"leaf", 4) == 0);
  model_set(f, M_FILE, (const uint8_t *)"leaf", 4);
  make_dir("/other");
  model_set("/other", M_DIR, NULL, 0);
  CHECK("a 199-level subtree moved elsewhere", rename_path("/dd/dd", "/other/moved", 0) == 0);
  model_rename("/dd/dd", "/other/moved");
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean", fsck_clean());
  CHECK("debugfs dumps the tree", dump_matches());
  if (!mnt(false))
    return;
  /* take it down from the bottom */
  int bad = 0;
  for (int i = nmodel - 1; i >= 0; i--) {
    int deepest = 0;
    for (int k = 0; k < nmodel; k++)
      if (strlen(model[k].path) > strlen(model[deepest].path))
        deepest = k;
    if (remove_path(model[deepest].path, model[deepest].type == M_DIR))
      bad++;
    model_del(model[deepest].path);
  }
  CHECK("everything removed from the bottom up", bad == 0 && nmodel == 0);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean", fsck_clean());
}

/* Random operations against the model, with remounts. */
void scenario_random(void)
{
  if (!CHECK_RET(mkimg("random", 64, "-b 1024"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  rnd_seed(12345);
  int fails = 0, ops = 0;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 1500; i++, ops++) {
      char a[64], b[64];
      snprintf(a, sizeof(a), "/%s%d", rnd() % 3 ? "" : "d" , (int)(rnd() % 12));
      int pick = nmodel ? (int)(rnd() % (uint64_t)nmodel) : -1;
      if (pick >= 0 && model[pick].type == M_DIR && rnd() % 2)
        snprintf(b, sizeof(b), "%s/%d", model[pick].path, (int)(rnd() % 8));
      else
        snprintf(b, sizeof(b), "%s", a);
      if (strlen(b) > 40)
        continue;
      int m = model_find(b), parent_ok = 1;
      char par[64];
      snprintf(par, sizeof(par), "%s", b);
      *strrchr(par, '/') = 0;
      if (par[0] && (model_find(par) < 0 || model[model_find(par)].type != M_DIR))
        parent_ok = 0;
      switch (rnd() % 7) {
      case 0: case 1: {  /* write a file */
        size_t len = (size_t)(rnd() % 3 ? rnd() % 5000 : rnd() % 300000);
        uint8_t *d = random_bytes(len);
        int r = write_file(b, d, len);
        bool ok = parent_ok && (m < 0 || model[m].type == M_FILE);
        if ((r == 0) != ok)
          fails++;
        if (!r)
          model_set(b, M_FILE, d, len);
        free(d);
        break;
      }
      case 2: {  /* mkdir */
        int r = make_dir(b);
        if ((r == 0) != (parent_ok && m < 0))
          fails++;
        if (!r)
          model_set(b, M_DIR, NULL, 0);
        break;
      }
      case 3: {  /* remove */
        if (m < 0)
          break;
        bool isdir = model[m].type == M_DIR;
        bool empty = true;
        size_t bl = strlen(b);
        for (int k = 0; k < nmodel; k++)
          if (!strncmp(model[k].path, b, bl) && model[k].path[bl] == '/')
            empty = false;
        int r = remove_path(b, isdir);
        if ((r == 0) != (!isdir || empty))
          fails++;
        if (!r)
          model_del(b);
        break;
      }
      case 4: {  /* rename to a fresh name */
        if (pick < 0)
          break;
        char from[64];
        snprintf(from, sizeof(from), "%s", model[pick].path);
        size_t fl = strlen(from);
        if (!strncmp(b, from, fl) && (b[fl] == '/' || !b[fl]))
          break;  /* into itself */
        if (m >= 0 || !parent_ok)
          break;
        int r = rename_path(from, b, 0);
        if (r)
          fails++;
        else
          model_rename(from, b);
        break;
      }
      case 5: {  /* truncate a file */
        if (m < 0 || model[m].type != M_FILE)
          break;
        struct ext4_node *n;
        if (node_at(b, &n)) {
          fails++;
          break;
        }
        size_t nl = (size_t)(rnd() % (model[m].len + 2000));
        struct ext4_attr at = { .size = nl };
        if (ext4_setattr(fs, n, &at, EXT4_SET_SIZE))
          fails++;
        ext4_node_put(fs, n);
        uint8_t *d = calloc(1, nl + 1);
        memcpy(d, model[m].data, MIN(nl, model[m].len));
        model_set(b, M_FILE, d, nl);
        free(d);
        break;
      }
      case 6: {  /* symlink */
        int r = make_link("some/target", b);
        if ((r == 0) != (parent_ok && m < 0))
          fails++;
        if (!r)
          model_set(b, M_LINK, (const uint8_t *)"some/target", 11);
        break;
      }
      }
    }
    CHECKF(fails == 0, "round %d: every operation answered as the model says (%d wrong)", round, fails);
    CHECK("the core reads back the model", walk_matches());
    CHECK_RET(umnt(), "unmount");
    CHECKF(fsck_clean(), "round %d: e2fsck clean", round);
    CHECKF(dump_matches(), "round %d: debugfs dumps the model", round);
    if (!CHECK_RET(mnt(false), "mount again"))
      return;
  }
  CHECK_RET(umnt(), "unmount");
  printf("  (%d random operations)\n", ops);
}

static const struct {
  const char *name;
  void (*fn)(void);
} scenarios[] = {
  { "read", scenario_read }, { "features", scenario_read_features }, { "create", scenario_create },
  { "big", scenario_big }, { "enospc", scenario_enospc }, { "htree", scenario_htree },
  { "deep", scenario_deep }, { "random", scenario_random }, { "delalloc", scenario_delalloc },
  { "fallocate", scenario_fallocate }, { "journal", scenario_journal },
  { "replay", scenario_replay_e2fs }, { "orphans", scenario_orphans }, { "fuzz", scenario_fuzz },
  { "huge", scenario_huge }, { "xattr", scenario_xattr },
};

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s WORKDIR [scenario...]\n", argv[0]);
    return 2;
  }
  workdir = argv[1];
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
    bool want = argc == 2;
    for (int k = 2; k < argc; k++)
      want |= !strcmp(argv[k], scenarios[i].name);
    if (!want)
      continue;
    printf("== %s\n", scenarios[i].name);
    scenarios[i].fn();
    if (fs) {
      printf("FAIL: host/ext4: %s left the volume mounted\n", scenarios[i].name);
      ext4_test_failures++;
      umnt();
    }
  }
  return ext4_test_failures ? 1 : 0;
}
