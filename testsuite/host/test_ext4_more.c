/*
 * test_ext4_more.c — more host scenarios for the ext4 core (see
 * test_ext4.c): delayed allocation as the VFS glue uses it, fallocate and
 * punched holes, the journal (commits, checkpoints, power cuts replayed by
 * e2fsck and by Kite), journals written by e2fsprogs (debugfs) replayed by
 * Kite, orphans, damaged images, files past 4 GiB and deep extent trees.
 */
#define _GNU_SOURCE
#include "ext4_test.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

static int expect(int got, int want, const char *what)
{
  CHECKF(got == want, "%s (%d)", what, got);
  return got;
}

static struct ext4_node *create(const char *name)
{
  struct ext4_node *root = ext4_root(fs), *n = NULL;
  int r = ext4_create(fs, root, name, strlen(name), 0100644, 0, 0, 0, &n);
  ext4_node_put(fs, root);
  return r ? NULL : n;
}

/* The glue's write path: promise, then write page by page. */
void scenario_delalloc(void)
{
  if (!CHECK_RET(mkimg("delalloc", 32, "-b 4096"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  struct ext4_statfs s0, s1;
  ext4_statfs(fs, &s0);
  struct ext4_node *n = create("f");
  uint64_t got = 0;
  expect(ext4_reserve(fs, n, 0, 1 << 20, &got), 0, "promise 1 MiB");
  CHECK("all of it", got == 1 << 20 && fs->reserved == 256);
  ext4_statfs(fs, &s1);
  CHECK("statfs counts promised blocks as used", s1.free == s0.free - 256);
  expect(ext4_reserve(fs, n, 4096, 8192, &got), 0, "promising the same blocks again costs nothing");
  CHECK("still 256 promised", fs->reserved == 256);
  uint8_t *b = random_bytes(1 << 20);
  /* pages written back in order, in runs of 32 (the glue's write-behind window) */
  int bad = 0;
  for (int p = 0; p < 256; p += 32)
    bad += ext4_write(fs, n, (uint64_t)p * 4096, b + p * 4096, 32 * 4096, 1 << 20) != 0;
  CHECK("256 pages written back", bad == 0 && fs->reserved == 0);
  struct ext4_attr a = { .size = 1 << 20 };
  expect(ext4_setattr(fs, n, &a, EXT4_SET_SIZE), 0, "the size follows");
  uint8_t *r = malloc(1 << 20);
  CHECK("reads back", ext4_pread(fs, n, 0, r, 1 << 20) == 1 << 20 && !memcmp(r, b, 1 << 20));
  model_set("/f", M_FILE, b, 1 << 20);
  /* promises dropped by truncation and by unreserve */
  expect(ext4_reserve(fs, n, 2 << 20, 1 << 20, &got), 0, "promise past the end");
  ext4_unreserve(fs, n, 2 << 20);
  CHECK("unreserve gives them back", fs->reserved == 0);
  expect(ext4_reserve(fs, n, 2 << 20, 1 << 20, &got), 0, "promise again");
  a.size = 1 << 20;
  expect(ext4_setattr(fs, n, &a, EXT4_SET_SIZE), 0, "truncate");
  CHECK("truncation drops promises past the size", fs->reserved == 0);
  /* more than the disk holds */
  expect(ext4_reserve(fs, n, 1 << 20, 64 << 20, &got), -ENOSPC, "promising more than the disk: ENOSPC");
  CHECKF(got > (8 << 20) && got < (32 << 20), "a partial promise (%llu bytes)", (unsigned long long)got);
  ext4_unreserve(fs, n, 1 << 20);
  CHECK("and all given back", fs->reserved == 0);
  ext4_node_put(fs, n);
  /* an unlinked file with promises: they go with it */
  n = create("g");
  ext4_reserve(fs, n, 0, 1 << 20, &got);
  struct ext4_node *root = ext4_root(fs);
  ext4_unlink(fs, root, "g", 1, false);
  ext4_node_put(fs, root);
  ext4_node_put(fs, n);
  CHECK("an unlinked file's promises go with it", fs->reserved == 0);
  /* Fill the disk as the glue does (promise 64 KiB, write its pages) and empty it again. */
  ext4_statfs(fs, &s0);
  n = create("fill");
  uint64_t off = 0;
  for (;;) {
    int e = ext4_reserve(fs, n, off, 64 << 10, &got);
    for (uint64_t p = 0; p < got; p += 4096)
      ext4_write(fs, n, off + p, b, 4096, off + got);
    off += got;
    if (e)
      break;
  }
  CHECKF(off > (16 << 20), "promises fill the disk (%llu bytes)", (unsigned long long)off);
  root = ext4_root(fs);
  ext4_unlink(fs, root, "fill", 4, false);
  ext4_node_put(fs, root);
  ext4_node_put(fs, n);
  ext4_statfs(fs, &s1);
  CHECKF(s1.free == s0.free && fs->reserved == 0, "emptied again, every block is back (%llu, was %llu; %llu promised)",
         (unsigned long long)s1.free, (unsigned long long)s0.free, (unsigned long long)fs->reserved);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean", fsck_clean());
  CHECK("debugfs dumps it", dump_matches());
  char *ex = run("debugfs -R 'ex /f' '%s' 2>/dev/null | grep -c '^ *[0-9]/ *[0-9]'", img);
  CHECKF(atoi(ex) == 1, "written back in runs, the file is one extent (%d)", atoi(ex));
  free(ex);
  free(b);
  free(r);
}

void scenario_fallocate(void)
{
  if (!CHECK_RET(mkimg("falloc", 64, "-b 1024"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  struct ext4_node *n = create("f");
  struct ext4_attr a;
  expect(ext4_fallocate(fs, n, EXT4_FALLOC_KEEP_SIZE, 0, 10 << 20), 0, "fallocate KEEP_SIZE 10 MiB");
  ext4_getattr(fs, n, &a);
  CHECK("the size stays 0, the blocks are there", a.size == 0 && a.blocks >= (10 << 20) / 512);
  expect(ext4_fallocate(fs, n, 0, 0, 10 << 20), 0, "fallocate 10 MiB");
  ext4_getattr(fs, n, &a);
  CHECK("the size is 10 MiB", a.size == 10 << 20);
  uint8_t *buf = calloc(1, 10 << 20), *r = malloc(10 << 20);
  CHECK("preallocated blocks read as zeros", ext4_pread(fs, n, 0, r, 10 << 20) == 10 << 20 &&
                                                 !memcmp(r, buf, 10 << 20));
  memset(buf + (5 << 20) + 100, 'X', 3000);
  CHECK("a write into the middle", ext4_pwrite(fs, n, (5 << 20) + 100, buf + (5 << 20) + 100, 3000) == 3000);
  CHECK("reads back, zeros around it", ext4_pread(fs, n, 0, r, 10 << 20) == 10 << 20 &&
                                         !memcmp(r, buf, 10 << 20));
  memset(buf + (1 << 20) + 10, 0, 1 << 20);
  uint64_t before = a.blocks;
  expect(ext4_fallocate(fs, n, EXT4_FALLOC_PUNCH_HOLE | EXT4_FALLOC_KEEP_SIZE, (1 << 20) + 10, 1 << 20), 0,
         "punch a 1 MiB hole");
  ext4_getattr(fs, n, &a);
  CHECKF(a.blocks < before - 2000, "the hole's blocks are freed (%llu -> %llu sectors)",
         (unsigned long long)before, (unsigned long long)a.blocks);
  memset(buf + (7 << 20), 'Y', 4096);
  ext4_pwrite(fs, n, 7 << 20, buf + (7 << 20), 4096);
  expect(ext4_fallocate(fs, n, EXT4_FALLOC_PUNCH_HOLE | EXT4_FALLOC_KEEP_SIZE, (7 << 20) + 1000, 100), 0,
         "punch inside a block (zeros, nothing freed)");
  memset(buf + (7 << 20) + 1000, 0, 100);
  CHECK("reads back with holes", ext4_pread(fs, n, 0, r, 10 << 20) == 10 << 20 && !memcmp(r, buf, 10 << 20));
  CHECK("SEEK_HOLE finds the punched hole", ext4_seek_data(fs, n, 0, 10 << 20, true) == (2 << 20) - 1024 ||
                                               ext4_seek_data(fs, n, 0, 10 << 20, true) == (1 << 20) + 1024);
  CHECK("the extent tree checks out", ext4_ext_check(fs, n) == 0);
  ext4_node_put(fs, n);
  model_set("/f", M_FILE, buf, 10 << 20);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean (unwritten extents, holes)", fsck_clean());
  CHECK("debugfs dumps it", dump_matches());
  free(buf);
  free(r);
}

/* ---- the journal ---- */

static char *copy_img(const char *suffix)
{
  static char c[700];
  snprintf(c, sizeof(c), "%s.%s", img, suffix);
  sh("cp --sparse=always '%s' '%s'", img, c);
  return c;
}

void scenario_journal(void)
{
  if (!CHECK_RET(mkimg("journal", 64, "-b 1024 -J size=1"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  model_clear();
  CHECK("the journal is open", fs->j != NULL);
  make_dir("/d");
  model_set("/d", M_DIR, NULL, 0);
  for (int i = 0; i < 50; i++) {
    char p[32];
    snprintf(p, sizeof(p), "/d/f%d", i);
    uint8_t *b = random_bytes((size_t)i * 1000);
    write_file(p, b, (size_t)i * 1000);
    model_set(p, M_FILE, b, (size_t)i * 1000);
    free(b);
  }
  expect(ext4_sync(fs), 0, "sync commits");
  uint64_t commits = fs->stat_commits;
  CHECK("a commit happened", commits >= 1);
  /* Changes after the sync are lost with the power. */
  write_file("/d/lost", (const uint8_t *)"lost", 4);
  remove_path("/d/f3", false);
  crash();
  char *state = run("dumpe2fs -h '%s' 2>/dev/null | grep -E 'needs_recovery|Journal start'", img);
  CHECKF(strstr(state, "needs_recovery") != NULL, "after the power cut the journal needs recovery: %s", state);
  free(state);
  char *kite = copy_img("kite");
  CHECK("e2fsck replays Kite's journal and then finds nothing", fsck_replay_then_clean());
  CHECK("the replayed image holds exactly what was synced", dump_matches());
  /* The same image recovered by Kite itself. */
  snprintf(img, sizeof(img), "%s", kite);
  if (CHECK_RET(mnt(false), "Kite mounts the crashed image (replays)")) {
    CHECK("after Kite's replay the synced state reads back", walk_matches());
    CHECK_RET(umnt(), "unmount");
    CHECK("e2fsck clean after Kite's replay", fsck_clean());
    CHECK("debugfs dumps the synced state", dump_matches());
  }
  char *js = run("dumpe2fs -h '%s' 2>/dev/null | grep -E 'Journal start|Journal features'", img);
  CHECKF(strstr(js, "Journal start:            0") != NULL, "a clean unmount leaves the log empty: %s", js);
  CHECKF(strstr(js, "journal_checksum_v3") && strstr(js, "journal_64bit"), "and v3 checksums, 64-bit tags: %s", js);
  free(js);
  /* Many commits: the log fills, checkpoints empty it. */
  if (!CHECK_RET(mnt(false), "mount"))
    return;
  uint64_t cp0 = fs->stat_checkpoints;
  for (int i = 0; i < 600; i++) {
    char p[32];
    snprintf(p, sizeof(p), "/d/c%d", i);
    write_file(p, (const uint8_t *)p, strlen(p));
    model_set(p, M_FILE, (const uint8_t *)p, strlen(p));
    if (i % 3 == 0)
      ext4_sync(fs);
  }
  ext4_sync(fs);
  CHECKF(fs->stat_checkpoints > cp0, "checkpoints happened (%llu commits)", (unsigned long long)fs->stat_commits);
  crash();
  kite = copy_img("kite2");
  CHECK("after 200 commits and a power cut: e2fsck replays and finds nothing", fsck_replay_then_clean());
  CHECK("with exactly the synced files", dump_matches());
  snprintf(img, sizeof(img), "%s", kite);
  if (CHECK_RET(mnt(false), "Kite replays it too")) {
    CHECK("reads back", walk_matches());
    CHECK_RET(umnt(), "unmount");
    CHECK("e2fsck clean", fsck_clean());
  }
}

/* Journals written by e2fsprogs (debugfs journal_write), replayed by Kite. */
void scenario_replay_e2fs(void)
{
  for (int csum = 0; csum < 2; csum++) {
    if (!CHECK_RET(mkimg("jreplay", 32, "-b 4096"), "mke2fs"))
      return;
    char data[700];
    snprintf(data, sizeof(data), "%s/blk", workdir);
    if (!CHECK_RET(mnt(false), "mount") || !CHECK_RET(write_file("/x", (const uint8_t *)"zzzz", 4) == 0, "a file") ||
        !CHECK_RET(write_file("/y", (const uint8_t *)"yyyy", 4) == 0, "another") || !CHECK_RET(umnt(), "unmount"))
      return;
    char *bx = run("debugfs -R 'bmap /x 0' '%s' 2>/dev/null", img);
    char *by = run("debugfs -R 'bmap /y 0' '%s' 2>/dev/null", img);
    long blkx = atol(bx), blky = atol(by);
    free(bx);
    free(by);
    /* two transactions: x and y get A's; the second revokes y */
    sh("head -c 8192 /dev/zero | tr '\\0' A > '%s'", data);
    char cmds[700];
    snprintf(cmds, sizeof(cmds), "%s/cmds", workdir);
    FILE *cf = fopen(cmds, "w");
    fprintf(cf, "jo%s\njw -b %ld,%ld %s\njw -r %ld %s\njc\n", csum ? " -c" : "", blkx, blky, data, blky, data);
    fclose(cf);
    char *out = run("debugfs -w -f '%s' '%s' 2>&1", cmds, img);
    free(out);
    out = run("dumpe2fs -h '%s' 2>/dev/null | grep -E 'needs_recovery|Journal features'", img);
    bool needs = strstr(out, "needs_recovery") != NULL;
    free(out);
    CHECKF(needs, "debugfs left a journal to replay (%s)", csum ? "checksums v3" : "no checksums");
    if (!needs)
      continue;
    host_clear_log();
    if (!CHECK_RET(mnt(false), "Kite mounts and replays"))
      continue;
    CHECKF(strstr(host_last_log(), "recovered") != NULL, "the log says so (\"%s\")", host_last_log());
    uint8_t *b;
    size_t len;
    read_file("/x", &b, &len);
    CHECK("a logged block is replayed", len == 4 && !memcmp(b, "AAAA", 4));
    free(b);
    read_file("/y", &b, &len);
    CHECK("a revoked block is not", len == 4 && !memcmp(b, "yyyy", 4));
    free(b);
    CHECK_RET(umnt(), "unmount");
    CHECK("e2fsck clean after Kite's replay", fsck_clean());
  }
}

void scenario_orphans(void)
{
  if (!CHECK_RET(mkimg("orphan", 32, "-b 1024"), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
    return;
  struct ext4_statfs s0, s1;
  ext4_statfs(fs, &s0);
  struct ext4_node *n = create("open");
  uint8_t *b = random_bytes(1 << 20);
  ext4_pwrite(fs, n, 0, b, 1 << 20);
  struct ext4_node *root = ext4_root(fs);
  expect(ext4_unlink(fs, root, "open", 4, false), 0, "unlink a file still in use");
  CHECK("it is an orphan", n->orphan && fs->sb.s_last_orphan == n->ino);
  uint8_t *r = malloc(1 << 20);
  CHECK("and still reads", ext4_pread(fs, n, 0, r, 1 << 20) == 1 << 20 && !memcmp(r, b, 1 << 20));
  ext4_node_put(fs, n);
  ext4_statfs(fs, &s1);
  CHECK("its blocks go with the last reference", s1.free == s0.free && fs->sb.s_last_orphan == 0);
  /* Again, but the power goes while the file is open. */
  n = create("open2");
  ext4_pwrite(fs, n, 0, b, 1 << 20);
  ext4_unlink(fs, root, "open2", 5, false);
  struct ext4_node *t = create("trunc");
  ext4_pwrite(fs, t, 0, b, 1 << 20);
  ext4_sync(fs);
  ext4_node_put(fs, root);
  crash();  /* n and t are never put */
  if (CHECK_RET(mnt(false), "mount after the power cut")) {
    ext4_statfs(fs, &s1);
    CHECKF(s1.free == s0.free - 1024, "the orphan's blocks were freed at mount (%llu vs %llu)",
           (unsigned long long)s1.free, (unsigned long long)s0.free);
    CHECK("the orphan list is empty", fs->sb.s_last_orphan == 0);
    CHECK_RET(umnt(), "unmount");
    CHECK("e2fsck clean", fsck_clean());
  }
  free(b);
  free(r);
}

/* Damaged images: random bytes over metadata; no crash, no hang, no leak. */
void scenario_fuzz(void)
{
  int rounds = getenv("EXT4_FUZZ_ROUNDS") ? atoi(getenv("EXT4_FUZZ_ROUNDS")) : 120;
  rnd_seed(getenv("EXT4_FUZZ_SEED") ? strtoull(getenv("EXT4_FUZZ_SEED"), NULL, 0) : 777);
  char base[700];
  snprintf(base, sizeof(base), "%s/src-fuzz", workdir);
  sh("rm -rf '%s' && mkdir -p '%s/d/e' && cd '%s' && for i in $(seq 1 300); do echo $i > d/f$i; done && "
     "head -c 200000 /dev/urandom > big && ln -s d/f1 l && echo x > d/e/x", base, base, base);
  char opts[800];
  snprintf(opts, sizeof(opts), "-b 1024 -d '%s'", base);
  if (!CHECK_RET(mkimg("fuzz-base", 8, opts), "mke2fs"))
    return;
  sh("e2fsck -fyD '%s' >/dev/null 2>&1", img);
  char pristine[700];
  snprintf(pristine, sizeof(pristine), "%s", img);
  snprintf(img, sizeof(img), "%s/fuzz.img", workdir);
  host_set_lenient(true);
  quiet = true;
  int mounted = 0;
  for (int round = 0; round < rounds; round++) {
    sh("cp '%s' '%s'", pristine, img);
    int fd = open(img, O_RDWR);
    int hits = 1 + (int)(rnd() % 20);
    for (int h = 0; h < hits; h++) {
      /* metadata lives in the first MiB of this small image */
      off_t at = (off_t)(rnd() % (1 << 20));
      if (rnd() % 8 == 0)
        at = 1024 + (off_t)(rnd() % 1024);  /* the superblock */
      uint8_t v = (uint8_t)rnd();
      pwrite(fd, &v, 1, at);
    }
    close(fd);
    bool rw = rnd() % 2;
    dev = host_dev_open(img, !rw, 32);
    if (ext4_mount(dev, !rw, &fs)) {
      host_dev_close(dev);
      fs = NULL;
      dev = NULL;
      continue;
    }
    mounted++;
    walk_matches();  /* the answers do not matter, only that they come */
    if (rw) {
      write_file("/new", (const uint8_t *)"new", 3);
      remove_path("/d/f7", false);
      rename_path("/d/f8", "/d/e/f8", 0);
      make_dir("/nd");
      struct ext4_node *n;
      if (!node_at("/big", &n)) {
        struct ext4_attr a = { .size = 5000 };
        ext4_setattr(fs, n, &a, EXT4_SET_SIZE);
        ext4_node_put(fs, n);
      }
    }
    ext4_unmount(fs);
    host_dev_close(dev);
    fs = NULL;
    dev = NULL;
  }
  host_set_lenient(false);
  quiet = false;
  CHECKF(true, "%d damaged images (%d mounted) walked, written and unmounted without a crash", rounds, mounted);
}

/* A file past 4 GiB, and a deep extent tree that grows and shrinks. */
void scenario_huge(void)
{
  if (!CHECK_RET(mkimg("huge", 8192, "-b 4096"), "mke2fs 8 GiB") || !CHECK_RET(mnt(false), "mount"))
    return;
  struct ext4_node *n = create("big");
  uint8_t *b = random_bytes(1 << 20), *r = malloc(1 << 20);
  uint64_t far = 5ULL << 30;
  CHECK("1 MiB written at 5 GiB", ext4_pwrite(fs, n, far, b, 1 << 20) == 1 << 20);
  CHECK("1 MiB written at 0", ext4_pwrite(fs, n, 0, b, 1 << 20) == 1 << 20);
  struct ext4_attr a;
  ext4_getattr(fs, n, &a);
  CHECK("the size is past 4 GiB", a.size == far + (1 << 20));
  CHECK("reads back at 5 GiB", ext4_pread(fs, n, far, r, 1 << 20) == 1 << 20 && !memcmp(r, b, 1 << 20));
  CHECK("the large_file feature is on", fs->sb.s_feature_ro_compat & EXT4_RO_COMPAT_LARGE_FILE);
  ext4_node_put(fs, n);
  /* every other block of 12 MiB: 1536 extents, a tree of depth 2 */
  n = create("frag");
  int bad = 0;
  for (int i = 0; i < 3072; i += 2)
    bad += ext4_pwrite(fs, n, (uint64_t)i * 4096, b + (i % 256) * 4096, 4096) != 4096;
  uint8_t *hdr = (uint8_t *)ext4_iblock(n);
  CHECKF(bad == 0 && hdr[6] >= 1, "1536 discontiguous blocks: the tree has depth %d", hdr[6]);
  CHECK("it checks out", ext4_ext_check(fs, n) == 0);
  for (int i = 1; i < 3072; i += 4)  /* fill some gaps: extents merge */
    bad += ext4_pwrite(fs, n, (uint64_t)i * 4096, b, 4096) != 4096;
  expect(ext4_fallocate(fs, n, EXT4_FALLOC_PUNCH_HOLE | EXT4_FALLOC_KEEP_SIZE, 1 << 20, 4 << 20), 0,
         "punch 4 MiB out of the middle");
  CHECK("still checks out", bad == 0 && ext4_ext_check(fs, n) == 0);
  a.size = 4096 * 5;
  expect(ext4_setattr(fs, n, &a, EXT4_SET_SIZE), 0, "truncate to 5 blocks");
  CHECK("the tree shrinks back", ext4_ext_check(fs, n) == 0 && n->blocks <= 6 * 8);
  ext4_node_put(fs, n);
  CHECK_RET(umnt(), "unmount");
  CHECK("e2fsck clean", fsck_clean());
  char *bm = run("debugfs -R 'bmap /big %llu' '%s' 2>/dev/null", (unsigned long long)(far / 4096), img);
  long pb = atol(bm);
  free(bm);
  int fd = open(img, O_RDONLY);
  static uint8_t blk[4096];
  CHECK("the block at 5 GiB is where debugfs says, with our bytes",
        pb > 0 && pread(fd, blk, 4096, (off_t)pb * 4096) == 4096 && !memcmp(blk, b, 4096));
  close(fd);
  char *st = run("debugfs -R 'stat /big' '%s' 2>/dev/null | grep -o 'Size: [0-9]*'", img);
  CHECKF(strtoull(st + 6, NULL, 10) == far + (1 << 20), "debugfs sees the 64-bit size (%s)", st);
  free(st);
  free(b);
  free(r);
  unlink(img);
}

/* Extended attributes set by Kite, read back by debugfs and after a remount. */
void scenario_xattr(void)
{
  for (int isz = 256; isz <= 512; isz *= 2) {
    char opts[64];
    snprintf(opts, sizeof(opts), "-b 4096 -I %d", isz);
    if (!CHECK_RET(mkimg("xattr", 16, opts), "mke2fs") || !CHECK_RET(mnt(false), "mount"))
      return;
    struct ext4_node *n = create("f"), *m = create("g");
    char big[900], got[1000];
    memset(big, 'v', sizeof(big));
    expect(ext4_setxattr(fs, n, "user.small", "1", 1, 0), 0, "set a small attribute (in the inode)");
    expect(ext4_setxattr(fs, n, "user.small", "2", 1, 1), -EEXIST, "XATTR_CREATE on an existing one: EEXIST");
    expect(ext4_setxattr(fs, n, "user.none", "2", 1, 2), -ENODATA, "XATTR_REPLACE on a missing one: ENODATA");
    expect(ext4_setxattr(fs, n, "user.big", big, sizeof(big), 0), 0, "a 900-byte value (in the block)");
    for (int i = 0; i < 20; i++) {
      char nm[32], v[32];
      snprintf(nm, sizeof(nm), "trusted.k%d", i);
      int vl = snprintf(v, sizeof(v), "value-%d", i);
      expect(ext4_setxattr(fs, n, nm, v, (size_t)vl, 0), 0, "another attribute");
    }
    expect(ext4_setxattr(fs, n, "user.small", "replaced", 8, 2), 0, "replace one");
    expect(ext4_setxattr(fs, n, "trusted.k5", NULL, 0, 0), 0, "remove one");
    expect(ext4_setxattr(fs, n, "system.posix_acl_access", "x", 1, 0), -EOPNOTSUPP, "POSIX ACLs: EOPNOTSUPP");
    static char huge[4096];
    expect(ext4_setxattr(fs, m, "user.huge", huge, sizeof(huge), 0), -ENOSPC, "a value larger than a block: ENOSPC");
    expect(ext4_setxattr(fs, m, "user.only", "x", 1, 0), 0, "an attribute on another file");
    expect(ext4_setxattr(fs, m, "user.only", NULL, 0, 0), 0, "removed again");
    CHECK("the first file has an attribute block", n->file_acl != 0);
    ext4_node_put(fs, n);
    ext4_node_put(fs, m);
    CHECK_RET(umnt(), "unmount");
    CHECKF(fsck_clean(), "%d-byte inodes: e2fsck clean with attributes", isz);
    char *ea = run("debugfs -R 'ea_list /f' '%s' 2>/dev/null", img);
    CHECKF(strstr(ea, "user.small (8) = \"replaced\"") && strstr(ea, "trusted.k19") &&
           !strstr(ea, "trusted.k5 ") && strstr(ea, "user.big (900)"), "debugfs lists them: %.120s", ea);
    free(ea);
    if (!CHECK_RET(mnt(false), "mount again"))
      return;
    node_at("/f", &n);
    long r = ext4_getxattr(fs, n, "user.big", got, sizeof(got));
    CHECK("the big value reads back after a remount", r == sizeof(big) && !memcmp(got, big, sizeof(big)));
    r = ext4_listxattr(fs, n, got, sizeof(got));
    int names = 0;
    for (long i = 0; i < r; i++)
      names += got[i] == 0;
    CHECKF(names == 21, "listxattr gives 21 names (%d)", names);
    for (int i = 0; i < 20; i++) {
      char nm[32];
      snprintf(nm, sizeof(nm), "trusted.k%d", i);
      ext4_setxattr(fs, n, nm, NULL, 0, 0);
    }
    ext4_setxattr(fs, n, "user.big", NULL, 0, 0);
    CHECK("removing the attributes gives the block back", n->file_acl == 0);
    ext4_node_put(fs, n);
    CHECK_RET(umnt(), "unmount");
    CHECK("e2fsck clean", fsck_clean());
  }
}
