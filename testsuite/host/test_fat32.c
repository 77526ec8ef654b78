/*
 * test_fat32.c — host unit tests of the FAT32 core (fs/fat/fat32.c,
 * fs/fat/fat_dir.c) on image files made by mkfs.vfat.
 *
 * Each scenario makes a fresh image, runs the core on it through
 * testsuite/host/fat_env_host.c, unmounts, and then checks the image with
 * other people's tools: `fsck.fat -n` must find nothing to fix, `mdir -/ -b`
 * must list exactly the files and directories we expect, and `mcopy` must
 * copy out exactly the bytes we wrote. A model (path -> contents) records
 * what we expect.
 *
 * usage: test_fat32 WORKDIR [scenario...]   (default: all but "big")
 */
#define _GNU_SOURCE
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"
#include "fat_env_host.h"
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#include <signal.h>

/* CHECK that also gives the condition back. */
#define CHECK_RET(cond, what) ({ bool c_ = (cond); CHECK(what, c_); c_; })

static const char *workdir;
static char img[600];

/* ---- running the host tools ---- */

static int sh(const char *fmt, ...)
{
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Read a command's output into a malloc'd string. */
static char *run(const char *fmt, ...)
{
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  size_t cap = 1 << 16, n = 0;
  char *s = malloc(cap);
  size_t k;
  while (p && (k = fread(s + n, 1, cap - n - 1, p)) > 0) {
    n += k;
    if (cap - n < 4096)
      s = realloc(s, cap *= 2);
  }
  s[n] = 0;
  if (p)
    pclose(p);
  return s;
}

/* Make a sparse image of `mb` MiB and format it with mkfs.vfat -F 32 opts. */
static bool mkimg(const char *name, uint64_t mb, const char *opts)
{
  snprintf(img, sizeof(img), "%s/%s.img", workdir, name);
  unlink(img);
  int fd = open(img, O_CREAT | O_RDWR, 0644);
  if (fd < 0 || ftruncate(fd, (off_t)(mb << 20)))
    return false;
  close(fd);
  return sh("mkfs.vfat -F 32 %s '%s' >/dev/null 2>&1", opts, img) == 0;
}

static struct fat_fs *mnt(struct host_dev **devp, int max_bufs)
{
  *devp = host_dev_open(img, false, max_bufs);
  struct fat_fs *fs = NULL;
  if (!*devp || fat_mount(*devp, false, &fs))
    return NULL;
  return fs;
}

static bool umnt(struct fat_fs *fs, struct host_dev *d)
{
  int r = fat_unmount(fs);
  return host_dev_close(d) == 0 && r == 0;
}

static bool fsck_clean(void)
{
  char *out = run("fsck.fat -n '%s' 2>&1; echo rc=$?", img);
  bool ok = strstr(out, "rc=0") != NULL;
  if (!ok)
    printf("--- fsck.fat -n %s:\n%s---\n", img, out);
  free(out);
  return ok;
}

static uint8_t *read_host_file(const char *path, size_t *len)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return NULL;
  struct stat st;
  fstat(fd, &st);
  uint8_t *b = malloc(st.st_size + 1);
  size_t n = 0;
  ssize_t k;
  while (n < (size_t)st.st_size && (k = read(fd, b + n, st.st_size - n)) > 0)
    n += k;
  close(fd);
  *len = n;
  return b;
}

/* ---- a little random ---- */
static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static uint8_t *random_bytes(size_t n)
{
  uint8_t *b = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)rnd();
  return b;
}

/* ---- the model: what the image should hold ---- */
struct mfile {
  char *path;        /* "/a/b" */
  bool dir;
  uint8_t *data;
  size_t len;
};
static struct mfile *model;
static int nmodel, capmodel;

static int model_find(const char *path)
{
  for (int i = 0; i < nmodel; i++)
    if (!strcmp(model[i].path, path))
      return i;
  return -1;
}

static void model_set(const char *path, bool dir, const uint8_t *data, size_t len)
{
  int i = model_find(path);
  if (i < 0) {
    if (nmodel == capmodel)
      model = realloc(model, (capmodel = capmodel ? capmodel * 2 : 256) * sizeof(*model));
    i = nmodel++;
    model[i].path = strdup(path);
  } else {
    free(model[i].data);
  }
  model[i].dir = dir;
  model[i].len = len;
  model[i].data = malloc(len ? len : 1);
  if (len)
    memcpy(model[i].data, data, len);
}

static void model_del(const char *path)
{
  int i = model_find(path);
  if (i < 0)
    return;
  free(model[i].path);
  free(model[i].data);
  model[i] = model[--nmodel];
}

/* Rename path (and everything below it) to `to`. */
static void model_rename(const char *from, const char *to)
{
  model_del(to);
  size_t fl = strlen(from);
  for (int i = 0; i < nmodel; i++) {
    char *p = model[i].path;
    if (!strncmp(p, from, fl) && (p[fl] == 0 || p[fl] == '/')) {
      char *np = malloc(strlen(to) + strlen(p + fl) + 1);
      sprintf(np, "%s%s", to, p + fl);
      free(p);
      model[i].path = np;
    }
  }
}

static void model_clear(void)
{
  for (int i = 0; i < nmodel; i++) {
    free(model[i].path);
    free(model[i].data);
  }
  nmodel = 0;
}

static int cmpstr(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The image (unmounted) against the model: fsck.fat finds nothing,
 * mdir lists exactly the model's paths, mcopy copies out exactly its bytes.
 */
static void verify(const char *what)
{
  char label[300];
  snprintf(label, sizeof(label), "%s: fsck.fat -n finds no errors", what);
  CHECK(label, fsck_clean());

  char *out = run("mdir -/ -b -i '%s' ::/ 2>/dev/null", img);
  char **got = NULL;
  int ngot = 0;
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
    if (strncmp(line, "::", 2))
      continue;
    got = realloc(got, (ngot + 1) * sizeof(char *));
    got[ngot++] = line + 2;
  }
  char **want = malloc((nmodel + 1) * sizeof(char *));
  for (int i = 0; i < nmodel; i++) {
    want[i] = malloc(strlen(model[i].path) + 2);
    sprintf(want[i], "%s%s", model[i].path, model[i].dir ? "/" : "");
  }
  if (ngot)
    qsort(got, ngot, sizeof(char *), cmpstr);
  qsort(want, nmodel, sizeof(char *), cmpstr);
  bool same = ngot == nmodel;
  for (int i = 0; same && i < ngot; i++)
    same = !strcmp(got[i], want[i]);
  if (!same) {
    char *err = run("mdir -/ -b -i '%s' ::/ 2>&1 >/dev/null | head -5", img);
    printf("--- mdir lists %d entries, expected %d; its errors: %s; first differences:\n", ngot,
           nmodel, err);
    free(err);
    for (int i = 0, shown = 0; i < (ngot > nmodel ? ngot : nmodel) && shown < 8; i++) {
      const char *g = i < ngot ? got[i] : "(none)", *w = i < nmodel ? want[i] : "(none)";
      if (strcmp(g, w)) {
        printf("  mdir: %s   expected: %s\n", g, w);
        shown++;
      }
    }
  }
  snprintf(label, sizeof(label), "%s: mdir lists exactly the %d expected names", what, nmodel);
  CHECK(label, same);
  for (int i = 0; i < nmodel; i++)
    free(want[i]);
  free(want);
  free(got);
  free(out);

  char outdir[700];
  snprintf(outdir, sizeof(outdir), "%s/out", workdir);
  sh("rm -rf '%s' && mkdir -p '%s'", outdir, outdir);
  if (nmodel)
    sh("mcopy -s -n -i '%s' '::/*' '%s/' >/dev/null 2>&1", img, outdir);
  int bad = 0, files = 0;
  for (int i = 0; i < nmodel; i++) {
    if (model[i].dir)
      continue;
    files++;
    char p[2048];
    snprintf(p, sizeof(p), "%s%s", outdir, model[i].path);
    size_t len;
    uint8_t *b = read_host_file(p, &len);
    if (!b || len != model[i].len || (len && memcmp(b, model[i].data, len))) {
      if (bad++ < 5)
        printf("  mcopy: %s differs (%s, %zu bytes, expected %zu)\n", model[i].path,
               b ? "present" : "missing", b ? len : 0, model[i].len);
    }
    free(b);
  }
  snprintf(label, sizeof(label), "%s: mcopy gives back the contents of all %d files", what, files);
  CHECK(label, bad == 0);
  sh("rm -rf '%s'", outdir);
}

/* ---- paths on the core ---- */

static int lookup_path(struct fat_fs *fs, const char *path, struct fat_node **out)
{
  *out = NULL;
  struct fat_node *n = fat_root(fs);
  char buf[2048];
  snprintf(buf, sizeof(buf), "%s", path);
  char *save = NULL;
  for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    struct fat_node *child;
    int r = fat_lookup(fs, n, c, strlen(c), &child);
    fat_node_put(fs, n);
    if (r)
      return r;
    n = child;
  }
  *out = n;
  return 0;
}

/* The directory holding path, and the last name. */
static int parent_path(struct fat_fs *fs, const char *path, struct fat_node **dir, char *name)
{
  char buf[2048];
  snprintf(buf, sizeof(buf), "%s", path);
  char *slash = strrchr(buf, '/');
  strcpy(name, slash + 1);
  *slash = 0;
  return lookup_path(fs, buf[0] ? buf : "/", dir);
}

static int create_path(struct fat_fs *fs, const char *path, bool dir, struct fat_node **out)
{
  struct fat_node *d;
  char name[1024];
  int r = parent_path(fs, path, &d, name);
  if (r)
    return r;
  r = fat_create(fs, d, name, strlen(name), dir, out);
  fat_node_put(fs, d);
  return r;
}

/* Create a file and write data in random-sized pieces (or all at once). */
static int put_file(struct fat_fs *fs, const char *path, const uint8_t *data, size_t len)
{
  struct fat_node *n;
  int r = create_path(fs, path, false, &n);
  if (r)
    return r;
  size_t done = 0;
  while (done < len) {
    size_t k = 1 + rnd() % 70000;
    if (k > len - done)
      k = len - done;
    long w = fat_pwrite(fs, n, done, data + done, k);
    if (w != (long)k) {
      fat_node_put(fs, n);
      return w < 0 ? (int)w : -EIO;
    }
    done += k;
  }
  fat_node_put(fs, n);
  model_set(path, false, data, len);
  return 0;
}

static int mkdir_path(struct fat_fs *fs, const char *path)
{
  struct fat_node *n;
  int r = create_path(fs, path, true, &n);
  if (r)
    return r;
  fat_node_put(fs, n);
  model_set(path, true, NULL, 0);
  return 0;
}

static int remove_path(struct fat_fs *fs, const char *path)
{
  struct fat_node *d, *n;
  char name[1024];
  int r = parent_path(fs, path, &d, name);
  if (r)
    return r;
  r = fat_lookup(fs, d, name, strlen(name), &n);
  if (!r) {
    r = n->is_dir ? fat_rmdir(fs, d, n) : fat_unlink(fs, d, n);
    fat_node_put(fs, n);
  }
  fat_node_put(fs, d);
  if (!r)
    model_del(path);
  return r;
}

static int rename_path(struct fat_fs *fs, const char *from, const char *to, unsigned flags)
{
  struct fat_node *od, *nd, *n;
  char oname[1024], nname[1024];
  int r = parent_path(fs, from, &od, oname);
  if (r)
    return r;
  if ((r = parent_path(fs, to, &nd, nname))) {
    fat_node_put(fs, od);
    return r;
  }
  r = fat_lookup(fs, od, oname, strlen(oname), &n);
  if (!r) {
    r = fat_rename(fs, od, n, nd, nname, strlen(nname), flags);
    fat_node_put(fs, n);
  }
  fat_node_put(fs, od);
  fat_node_put(fs, nd);
  if (!r && !(flags & FAT_RENAME_EXCHANGE))
    model_rename(from, to);
  return r;
}

static long read_path(struct fat_fs *fs, const char *path, uint8_t *buf, size_t max)
{
  struct fat_node *n;
  int r = lookup_path(fs, path, &n);
  if (r)
    return r;
  long k = fat_pread(fs, n, 0, buf, max);
  fat_node_put(fs, n);
  return k;
}

/* Does reading path through the core give exactly the model's bytes? */
static bool core_same(struct fat_fs *fs, const char *path)
{
  int i = model_find(path);
  if (i < 0)
    return false;
  uint8_t *b = malloc(model[i].len + 1);
  long k = read_path(fs, path, b, model[i].len + 1);
  bool ok = k == (long)model[i].len && !memcmp(b, model[i].data, model[i].len);
  free(b);
  return ok;
}

static uint64_t free_clusters(struct fat_fs *fs)
{
  uint32_t cs;
  uint64_t total, fr;
  fat_statfs(fs, &cs, &total, &fr);
  return fr;
}

/* The names readdir gives for dir, sorted, joined by '|'. */
static char *list_dir(struct fat_fs *fs, const char *path, int *count)
{
  struct fat_node *d;
  *count = -1;
  if (lookup_path(fs, path, &d))
    return strdup("");
  struct fat_dirent *de = malloc(sizeof(*de));
  char **names = NULL;
  int n = 0;
  uint64_t pos = 0;
  while (fat_readdir(fs, d, &pos, de) == 1) {
    names = realloc(names, (n + 1) * sizeof(char *));
    names[n++] = strdup(de->name);
  }
  qsort(names, n, sizeof(char *), cmpstr);
  size_t total = 1;
  for (int i = 0; i < n; i++)
    total += strlen(names[i]) + 1;
  char *s = calloc(1, total);
  for (int i = 0; i < n; i++) {
    strcat(s, names[i]);
    if (i + 1 < n)
      strcat(s, "|");
    free(names[i]);
  }
  free(names);
  free(de);
  fat_node_put(fs, d);
  *count = n;
  return s;
}

/* ---- scenarios ---- */

static void test_times(void)
{
  check_suite = "fat32-time";
  uint16_t d, t;
  fat_time_from_unix(315532800, &d, &t);
  CHECK("1980-01-01 00:00:00 is date 0x21 time 0", d == 0x21 && t == 0);
  CHECK("date 0x21 is 1980-01-01", fat_time_to_unix(0x21, 0) == 315532800);
  fat_time_from_unix(951827696, &d, &t); /* 2000-02-29 12:34:56 */
  CHECK("2000-02-29 12:34:56 encodes", d == ((20 << 9) | (2 << 5) | 29) && t == ((12 << 11) | (34 << 5) | 28));
  CHECK("and decodes back", fat_time_to_unix(d, t) == 951827696);
  fat_time_from_unix(951827697, &d, &t);
  CHECK("odd seconds round down to 2 s", fat_time_to_unix(d, t) == 951827696);
  fat_time_from_unix(0, &d, &t);
  CHECK("1970 clamps to 1980-01-01", fat_time_to_unix(d, t) == 315532800);
  fat_time_from_unix(5000000000LL, &d, &t);
  CHECK("2128 clamps to 2107-12-31 23:59:58", fat_time_to_unix(d, t) == 4354819198LL);
  bool all = true;
  for (int64_t x = 315532800; x < 4354819198LL; x += 86400 * 37 + 7203) {
    fat_time_from_unix(x, &d, &t);
    if (fat_time_to_unix(d, t) != x - x % 2)
      all = false;
  }
  CHECK("round trip over 1980..2107", all);
}

static void test_names(void)
{
  check_suite = "fat32-names";
  CHECK("plain names are fine", fat_check_name("hello.txt", 9) == 0);
  CHECK("a star is EINVAL", fat_check_name("a*b", 3) == -EINVAL);
  CHECK("a colon is EINVAL", fat_check_name("a:b", 3) == -EINVAL);
  CHECK("a backslash is EINVAL", fat_check_name("a\\b", 3) == -EINVAL);
  CHECK("a control character is EINVAL", fat_check_name("a\x01" "b", 3) == -EINVAL);
  CHECK("each of \"<>?| is EINVAL", fat_check_name("\"", 1) == -EINVAL && fat_check_name("<", 1) == -EINVAL &&
        fat_check_name(">", 1) == -EINVAL && fat_check_name("?", 1) == -EINVAL && fat_check_name("|", 1) == -EINVAL);
  CHECK("a trailing space is EINVAL", fat_check_name("abc ", 4) == -EINVAL);
  CHECK("trailing dots are dropped, not refused", fat_check_name("abc...", 6) == 0);
  CHECK("only dots is ENOENT", fat_check_name("...", 3) == -ENOENT);
  char n255[256], n256[257];
  memset(n255, 'x', 255);
  memset(n256, 'x', 256);
  CHECK("255 characters are fine", fat_check_name(n255, 255) == 0);
  CHECK("256 characters are ENAMETOOLONG", fat_check_name(n256, 256) == -ENAMETOOLONG);
  CHECK("UTF-8 is fine", fat_check_name("\xc3\xa9t\xc3\xa9", 5) == 0);
  CHECK("broken UTF-8 is EINVAL", fat_check_name("\xc3", 1) == -EINVAL && fat_check_name("\xff", 1) == -EINVAL);
  uint8_t sn[11];
  memcpy(sn, "README  TXT", 11);
  CHECK("checksum of README.TXT", fat_lfn_checksum(sn) == 0x73);
}

/* Everything on one geometry: names, sizes, directories, renames, truncation, holes, times. */
static void scenario_basic(const char *name, uint64_t mb, const char *opts)
{
  char what[200];
  check_suite = "fat32-basic";
  if (!CHECK_RET(mkimg(name, mb, opts), "mkfs.vfat makes the image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  snprintf(what, sizeof(what), "%s: mount", name);
  CHECK(what, fs != NULL);
  if (!fs)
    return;
  uint64_t free0 = free_clusters(fs);
  uint32_t cs = fs->cluster_size;
  /* sizes around sector and cluster boundaries */
  size_t sizes[] = { 0, 1, 511, 512, 513, cs - 1, cs, cs + 1, 3 * cs + 5, 100000, (3 << 20) + 777 };
  const char *snames[] = { "/empty", "/one", "/s511", "/s512", "/s513", "/c-1", "/c", "/c+1", "/c3",
                           "/f100k", "/big" };
  bool ok = true;
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    uint8_t *b = random_bytes(sizes[i]);
    ok &= put_file(fs, snames[i], b, sizes[i]) == 0;
    free(b);
  }
  snprintf(what, sizeof(what), "%s: files of 0 .. 3 MiB around sector/cluster sizes", name);
  CHECK(what, ok);
  /* names */
  const char *names[] = { "/README.TXT", "/lower.txt", "/MixedCase.Txt", "/A long file name with spaces.tar.gz",
                          "/name+with,odd;chars=[x].txt", "/.hidden", "/many.dots.in.name.c",
                          "/\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt", "/NOEXT", "/x" };
  ok = true;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    uint8_t *b = random_bytes(i * 100);
    int r = put_file(fs, names[i], b, i * 100);
    if (r)
      printf("  create %s: %d\n", names[i], r);
    ok &= r == 0;
    free(b);
  }
  char longname[300] = "/";
  memset(longname + 1, 'L', 251);
  strcpy(longname + 252, ".txt");  /* 255 characters */
  ok &= put_file(fs, longname, (const uint8_t *)"long", 4) == 0;
  snprintf(what, sizeof(what), "%s: long, short, odd and UTF-8 names", name);
  CHECK(what, ok);
  char toolong[300] = "/";
  memset(toolong + 1, 'L', 252);
  strcpy(toolong + 253, ".txt");
  struct fat_node *n, *n2;
  CHECK("a 256-character name is ENAMETOOLONG", create_path(fs, toolong, false, &n) == -ENAMETOOLONG);
  CHECK("a name with '*' is EINVAL", create_path(fs, "/a*b", false, &n) == -EINVAL);
  CHECK("an existing name is EEXIST", create_path(fs, "/lower.txt", false, &n) == -EEXIST);
  CHECK("... in any case", create_path(fs, "/LOWER.TXT", false, &n) == -EEXIST);
  CHECK("lookup ignores case and gives the same node",
        lookup_path(fs, "/readme.txt", &n) == 0 && lookup_path(fs, "/README.TXT", &n2) == 0 && n == n2);
  fat_node_put(fs, n);
  fat_node_put(fs, n2);
  CHECK("the 8.3 alias finds a long name", lookup_path(fs, "/ALONGF~1.GZ", &n) == 0 &&
        lookup_path(fs, "/a long file name with spaces.tar.gz", &n2) == 0 && n == n2);
  fat_node_put(fs, n);
  fat_node_put(fs, n2);
  CHECK("a trailing dot is ignored in lookups", lookup_path(fs, "/lower.txt.", &n) == 0);
  fat_node_put(fs, n);
  CHECK("a missing name is ENOENT", lookup_path(fs, "/nothere", &n) == -ENOENT);
  /* directories */
  ok = mkdir_path(fs, "/d1") == 0 && mkdir_path(fs, "/d1/d2") == 0 && mkdir_path(fs, "/d1/d2/d3") == 0 &&
       mkdir_path(fs, "/Empty Dir") == 0;
  for (int i = 0; i < 40 && ok; i++) {
    char p[100];
    snprintf(p, sizeof(p), "/d1/d2/file %d in d2.txt", i);
    size_t len = rnd() % 3000;
    uint8_t *b = random_bytes(len);
    ok = put_file(fs, p, b, len) == 0;
    free(b);
  }
  ok &= put_file(fs, "/d1/d2/d3/deep.bin", (const uint8_t *)"deep", 4) == 0;
  snprintf(what, sizeof(what), "%s: nested directories with 40 files", name);
  CHECK(what, ok);
  int cnt;
  char *l = list_dir(fs, "/d1/d2", &cnt);
  CHECK("readdir lists the 40 files and the subdirectory", cnt == 41 && strstr(l, "d3|file 0 in d2.txt"));
  free(l);
  struct fat_node *d1, *d2;
  lookup_path(fs, "/d1", &d1);
  lookup_path(fs, "/d1/d2", &d2);
  CHECK("rmdir of a non-empty directory is ENOTEMPTY", fat_rmdir(fs, d1, d2) == -ENOTEMPTY);
  CHECK("unlink of a directory is EISDIR", fat_unlink(fs, d1, d2) == -EISDIR);
  CHECK("subdirectories are counted", fat_count_subdirs(fs, d1) == 1);
  fat_node_put(fs, d1);
  fat_node_put(fs, d2);
  {
    struct fat_node *root = fat_root(fs), *x;
    lookup_path(fs, "/x", &x);
    CHECK("rmdir of a file is ENOTDIR", fat_rmdir(fs, root, x) == -ENOTDIR);
    fat_node_put(fs, x);
    fat_node_put(fs, root);
  }
  /* times: a fixed clock for a file, and an explicit mtime for another */
  host_set_time(1592222400); /* 2020-06-15 12:00:00 */
  ok = put_file(fs, "/timed.txt", (const uint8_t *)"t", 1) == 0;
  host_set_time(0);
  lookup_path(fs, "/c3", &n);
  struct fat_attr a = { .mtime = 981173106, .atime = 981173106 }; /* 2001-02-03 04:05:06 */
  ok &= fat_setattr(fs, n, &a, FAT_SET_MTIME | FAT_SET_ATIME) == 0;
  fat_node_put(fs, n);
  CHECK("setting times", ok);
  snprintf(what, sizeof(what), "%s: first unmount", name);
  CHECK(what, umnt(fs, dev));
  snprintf(what, sizeof(what), "%s: after creating", name);
  verify(what);

  /* second mount: change things */
  fs = mnt(&dev, 64);
  if (!fs)
    return;
  lookup_path(fs, "/timed.txt", &n);
  fat_getattr(fs, n, &a);
  CHECK("creation and modification times survive", a.crtime == 1592222400 && a.mtime == 1592222400);
  fat_node_put(fs, n);
  lookup_path(fs, "/c3", &n);
  fat_getattr(fs, n, &a);
  CHECK("an explicit mtime survives (to 2 s)", a.mtime == 981173106);
  CHECK("the access date survives (to the day)", a.atime == 981158400);
  fat_node_put(fs, n);
  char *md = run("mdir -i '%s' ::/c3 2>/dev/null", img);
  CHECK("mdir shows the mtime we set", strstr(md, "2001-02-03") && strstr(md, "4:05"));
  free(md);
  CHECK("contents read back through the core", core_same(fs, "/big") && core_same(fs, "/c+1") &&
        core_same(fs, "/empty") && core_same(fs, longname));
  /* truncate down, then up: the new part reads as zeros, not old data */
  lookup_path(fs, "/big", &n);
  int i = model_find("/big");
  a.size = 1000;
  ok = fat_setattr(fs, n, &a, FAT_SET_SIZE) == 0;
  a.size = 2 << 20;
  ok &= fat_setattr(fs, n, &a, FAT_SET_SIZE) == 0;
  fat_node_put(fs, n);
  uint8_t *nb = calloc(1, 2 << 20);
  memcpy(nb, model[i].data, 1000);
  model_set("/big", false, nb, 2 << 20);
  free(nb);
  CHECK("truncate down then up: zeros after the cut", ok && core_same(fs, "/big"));
  /* a hole: write far past the end of a new file */
  ok = create_path(fs, "/sparse", false, &n) == 0;
  ok &= fat_pwrite(fs, n, (5 << 20) + 3, "tail", 4) == 4;
  fat_node_put(fs, n);
  nb = calloc(1, (5 << 20) + 7);
  memcpy(nb + (5 << 20) + 3, "tail", 4);
  model_set("/sparse", false, nb, (5 << 20) + 7);
  free(nb);
  CHECK("a write past the end fills the gap with zeros", ok && core_same(fs, "/sparse"));
  /* append in odd pieces */
  lookup_path(fs, "/s513", &n);
  i = model_find("/s513");
  nb = malloc(513 + 7000);
  memcpy(nb, model[i].data, 513);
  for (int k = 0; k < 7000; k++)
    nb[513 + k] = (uint8_t)(k * 7);
  ok = true;
  for (size_t off = 513; off < 513 + 7000; off += 700)
    ok &= fat_pwrite(fs, n, off, nb + off, 700) == 700;
  fat_node_put(fs, n);
  model_set("/s513", false, nb, 513 + 7000);
  free(nb);
  CHECK("appending in odd pieces", ok && core_same(fs, "/s513"));
  /* renames */
  CHECK("rename across directories", rename_path(fs, "/one", "/d1/one moved", 0) == 0);
  CHECK("rename a directory to another parent", rename_path(fs, "/d1/d2", "/d2 moved", 0) == 0);
  CHECK("the moved directory's files are found", core_same(fs, "/d2 moved/d3/deep.bin"));
  CHECK("rename over an existing file", rename_path(fs, "/s511", "/s512", 0) == 0);
  CHECK("RENAME_NOREPLACE onto an existing name is EEXIST",
        rename_path(fs, "/c", "/c-1", FAT_RENAME_NOREPLACE) == -EEXIST);
  CHECK("rename a file onto a directory is EISDIR", rename_path(fs, "/c", "/Empty Dir", 0) == -EISDIR);
  CHECK("rename a directory onto a file is ENOTDIR", rename_path(fs, "/Empty Dir", "/c", 0) == -ENOTDIR);
  CHECK("rename a directory into itself is EINVAL", rename_path(fs, "/d1", "/d1/inside", 0) == -EINVAL);
  CHECK("rename to a short name (no long name needed)", rename_path(fs, "/MixedCase.Txt", "/SHORT.TXT", 0) == 0);
  CHECK("rename to a long name", rename_path(fs, "/SHORT.TXT", "/Back to a longer name.text", 0) == 0);
  CHECK("rename changing only the case", rename_path(fs, "/lower.txt", "/LOWER.txt", 0) == 0);
  CHECK("rename a directory over an empty directory",
        mkdir_path(fs, "/target dir") == 0 && rename_path(fs, "/Empty Dir", "/target dir", 0) == 0);
  {
    int ia = model_find("/c-1"), ib = model_find("/c+1");
    struct mfile t = model[ia];
    bool ex = rename_path(fs, "/c-1", "/c+1", FAT_RENAME_EXCHANGE) == 0;
    uint8_t *da = model[ia].data;
    size_t la = model[ia].len;
    model[ia].data = model[ib].data;
    model[ia].len = model[ib].len;
    model[ib].data = da;
    model[ib].len = la;
    (void)t;
    CHECK("RENAME_EXCHANGE swaps two files", ex && core_same(fs, "/c-1") && core_same(fs, "/c+1"));
  }
  CHECK("exchange a file and a directory across directories",
        mkdir_path(fs, "/xdir") == 0 && put_file(fs, "/d1/xfile", (const uint8_t *)"xf", 2) == 0 &&
        rename_path(fs, "/xdir", "/d1/xfile", FAT_RENAME_EXCHANGE) == 0);
  model_del("/xdir");
  model_del("/d1/xfile");
  model_set("/xdir", false, (const uint8_t *)"xf", 2);
  model_set("/d1/xfile", true, NULL, 0);
  /* unlink and rmdir */
  CHECK("unlink", remove_path(fs, "/NOEXT") == 0 && lookup_path(fs, "/NOEXT", &n) == -ENOENT);
  CHECK("rmdir of an emptied directory",
        remove_path(fs, "/d2 moved/d3/deep.bin") == 0 && remove_path(fs, "/d2 moved/d3") == 0);
  {
    struct fat_node *root = fat_root(fs);
    CHECK("the root's name index agrees with the disk", fat_dir_check_index(fs, root) == 0);
    fat_node_put(fs, root);
  }
  snprintf(what, sizeof(what), "%s: second unmount", name);
  CHECK(what, umnt(fs, dev));
  snprintf(what, sizeof(what), "%s: after truncating, holes, renames, removals", name);
  verify(what);

  /* third mount: remove everything; all the space comes back */
  fs = mnt(&dev, 256);
  if (!fs)
    return;
  ok = true;
  while (nmodel) {
    /* deepest first */
    int best = 0;
    for (int k = 1; k < nmodel; k++)
      if (strlen(model[k].path) > strlen(model[best].path))
        best = k;
    char p[2048];
    snprintf(p, sizeof(p), "%s", model[best].path);
    int r = remove_path(fs, p);
    if (r) {
      printf("  remove %s: %d\n", p, r);
      ok = false;
      model_del(p);
    }
  }
  CHECK("remove everything", ok);
  uint64_t free1 = free_clusters(fs);
  snprintf(what, sizeof(what), "%s: all clusters free again (%llu of %llu)", name,
           (unsigned long long)free1, (unsigned long long)free0);
  /* the root directory may have grown by a cluster or more: it keeps them */
  struct fat_attr ra;
  struct fat_node *root = fat_root(fs);
  fat_getattr(fs, root, &ra);
  fat_node_put(fs, root);
  CHECK(what, free1 + (ra.size / cs - 1) == free0);
  snprintf(what, sizeof(what), "%s: third unmount", name);
  CHECK(what, umnt(fs, dev));
  snprintf(what, sizeof(what), "%s: after removing everything", name);
  verify(what);
  unlink(img);
}

/* Thousands of entries in one directory. */
static void scenario_many(void)
{
  check_suite = "fat32-many";
  if (!CHECK_RET(mkimg("many", 64, "-s 1"), "mkfs.vfat makes the image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 32);  /* a small cache: eviction happens */
  if (!CHECK_RET(fs != NULL, "mount"))
    return;
  bool ok = mkdir_path(fs, "/many") == 0;
  struct fat_node *many;  /* held, as the kernel's dentry cache holds it: its index lives */
  ok &= lookup_path(fs, "/many", &many) == 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  char p[200];
  for (int i = 0; i < 2000 && ok; i++) {
    snprintf(p, sizeof(p), "/many/file number %04d with a long name.txt", i);
    char c[32];
    int len = snprintf(c, sizeof(c), "contents %d\n", i);
    ok = put_file(fs, p, (const uint8_t *)c, len) == 0;
  }
  for (int i = 0; i < 100 && ok; i++) {
    snprintf(p, sizeof(p), "/many/F%04d.TXT", i);
    ok = put_file(fs, p, (const uint8_t *)"s", 1) == 0;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("  (2100 creates: %.2f s)\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  CHECK("2000 long names and 100 short names in one directory", ok);
  int cnt;
  char *l = list_dir(fs, "/many", &cnt);
  CHECK("readdir returns all 2100", cnt == 2100);
  free(l);
  ok = true;
  for (int i = 0; i < 2000; i += 97) {
    snprintf(p, sizeof(p), "/many/FILE NUMBER %04d WITH A LONG NAME.TXT", i);
    struct fat_node *n;
    ok &= lookup_path(fs, p, &n) == 0;
    if (ok)
      fat_node_put(fs, n);
  }
  CHECK("lookups among them", ok);
  CHECK("the name index agrees with the disk", fat_dir_check_index(fs, many) == 0);
  fat_node_put(fs, many);
  CHECK("unmount", umnt(fs, dev));
  verify("2100 entries");
  fs = mnt(&dev, 32);
  if (!fs)
    return;
  ok = lookup_path(fs, "/many", &many) == 0;
  for (int i = 1; i < 2000 && ok; i += 2) {
    snprintf(p, sizeof(p), "/many/file number %04d with a long name.txt", i);
    ok = remove_path(fs, p) == 0;
  }
  for (int i = 0; i < 600 && ok; i++) {
    snprintf(p, sizeof(p), "/many/new name %d.data", i);
    ok = put_file(fs, p, (const uint8_t *)p, strlen(p)) == 0;
  }
  CHECK("remove 1000, add 600 more (reusing free slots)", ok);
  CHECK("the name index still agrees with the disk", fat_dir_check_index(fs, many) == 0);
  struct fat_attr ma;
  fat_getattr(fs, many, &ma);
  printf("  (the directory has %llu bytes)\n", (unsigned long long)ma.size);
  CHECK("freed slots were reused: the directory did not grow past 2100 names' worth",
        ma.size <= 2100ull * 4 * 32 + fs->cluster_size);
  fat_node_put(fs, many);
  CHECK("unmount", umnt(fs, dev));
  verify("after removing and adding");
  unlink(img);
}

/* Images written by mtools: lower-case 8.3 names are short entries with case flags. */
static void scenario_mtools(void)
{
  check_suite = "fat32-mtools";
  if (!CHECK_RET(mkimg("mtools", 64, "-s 1"), "mkfs.vfat makes the image"))
    return;
  model_clear();
  char d[700];
  snprintf(d, sizeof(d), "%s/mt", workdir);
  sh("rm -rf '%s' && mkdir -p '%s/sub'", d, d);
  uint8_t *bb = random_bytes(200000);
  int fd;
  char p[900];
  struct { const char *name; const uint8_t *data; size_t len; } files[] = {
    { "busybox", bb, 200000 }, { "test.sh", (const uint8_t *)"#!/bin/sh\necho hi\n", 18 },
    { "README", (const uint8_t *)"read me", 7 }, { "A long name.txt", (const uint8_t *)"long", 4 },
    { "lower.TXT", (const uint8_t *)"mixed", 5 }, { "sub/x.c", (const uint8_t *)"int x;", 6 },
  };
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(p, sizeof(p), "%s/%s", d, files[i].name);
    fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (write(fd, files[i].data, files[i].len) != (ssize_t)files[i].len)
      printf("  short write\n");
    close(fd);
    char mp[300];
    snprintf(mp, sizeof(mp), "/%s", files[i].name);
    model_set(mp, false, files[i].data, files[i].len);
  }
  model_set("/sub", true, NULL, 0);
  bool ok = sh("cd '%s' && mcopy -i '%s' busybox test.sh README 'A long name.txt' lower.TXT ::/ && "
               "mmd -i '%s' ::/sub && mcopy -i '%s' sub/x.c ::/sub/", d, img, img, img) == 0;
  CHECK("mcopy and mmd fill the image", ok);
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!CHECK_RET(fs != NULL, "mount"))
    return;
  int cnt;
  char *l = list_dir(fs, "/", &cnt);
  CHECK("readdir shows the names in their case", !strcmp(l, "A long name.txt|README|busybox|lower.TXT|sub|test.sh"));
  if (strcmp(l, "A long name.txt|README|busybox|lower.TXT|sub|test.sh"))
    printf("  readdir: %s\n", l);
  free(l);
  struct fat_node *n, *n2;
  CHECK("busybox is found, a short entry without a long name",
        lookup_path(fs, "/busybox", &n) == 0 && n->nslots == 1);
  CHECK("BUSYBOX finds the same node", lookup_path(fs, "/BUSYBOX", &n2) == 0 && n == n2);
  fat_node_put(fs, n);
  fat_node_put(fs, n2);
  CHECK("contents read back", core_same(fs, "/busybox") && core_same(fs, "/test.sh") &&
        core_same(fs, "/sub/x.c") && core_same(fs, "/lower.TXT"));
  /* change a file mtools made: its case flags must survive our entry updates */
  lookup_path(fs, "/test.sh", &n);
  ok = fat_pwrite(fs, n, 18, "echo more\n", 10) == 10;
  fat_node_put(fs, n);
  uint8_t ts[28];
  memcpy(ts, "#!/bin/sh\necho hi\necho more\n", 28);
  model_set("/test.sh", false, ts, 28);
  ok &= put_file(fs, "/sub/new file.c", (const uint8_t *)"new", 3) == 0;
  CHECK("append to test.sh, add a file to sub", ok);
  CHECK("unmount", umnt(fs, dev));
  verify("mtools image after our changes");
  char *md = run("mdir -i '%s' ::/ 2>/dev/null", img);
  CHECK("mdir still shows test.sh in lower case (case flags kept)", strstr(md, "test     sh") != NULL);
  free(md);
  free(bb);
  sh("rm -rf '%s'", d);
  unlink(img);
}

/* Fill the disk: ENOSPC, then freeing gives the space back. */
static void scenario_enospc(void)
{
  check_suite = "fat32-enospc";
  if (!CHECK_RET(mkimg("full", 40, "-s 1"), "mkfs.vfat makes the image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!CHECK_RET(fs != NULL, "mount"))
    return;
  uint64_t free0 = free_clusters(fs);
  uint32_t cs = fs->cluster_size;
  struct fat_node *n;
  create_path(fs, "/fill", false, &n);
  size_t chunk = 1 << 20;
  uint8_t *buf = random_bytes(chunk);
  uint64_t off = 0;
  long w = 0;
  while ((w = fat_pwrite(fs, n, off, buf, chunk)) == (long)chunk)
    off += chunk;
  if (w > 0) {
    off += w;
    w = fat_pwrite(fs, n, off, buf, chunk);
  }
  CHECK("writing until the disk is full ends with ENOSPC", w == -ENOSPC);
  CHECK("every cluster was used", off == free0 * cs && free_clusters(fs) == 0);
  struct fat_attr a;
  fat_getattr(fs, n, &a);
  CHECK("the file holds what was written", a.size == off);
  fat_node_put(fs, n);
  uint8_t *all = malloc(off);
  for (uint64_t k = 0; k < off; k += chunk)
    memcpy(all + k, buf, off - k < chunk ? off - k : chunk);
  model_set("/fill", false, all, off);
  free(all);
  CHECK("a new file can be made (the directory has room)", create_path(fs, "/empty", false, &n) == 0);
  CHECK("but not written", fat_pwrite(fs, n, 0, "x", 1) == -ENOSPC);
  uint64_t got = 1;
  CHECK("a reservation says ENOSPC and got 0", fat_reserve(fs, n, 100, &got) == -ENOSPC && got == 0);
  fat_node_put(fs, n);
  model_set("/empty", false, NULL, 0);
  CHECK("mkdir needs a cluster: ENOSPC", create_path(fs, "/dir", true, &n) == -ENOSPC);
  int made = 0, r = 0;
  for (int i = 0; i < 10000; i++) {
    char p[100];
    snprintf(p, sizeof(p), "/entry with a long name %d", i);
    if ((r = create_path(fs, p, false, &n)))
      break;
    fat_node_put(fs, n);
    model_set(p, false, NULL, 0);
    made++;
  }
  CHECK("a full directory cannot grow: ENOSPC", r == -ENOSPC && made > 0);
  CHECK("unmount", umnt(fs, dev));
  verify("full disk");
  fs = mnt(&dev, 256);
  if (!fs)
    return;
  CHECK("remove the big file", remove_path(fs, "/fill") == 0);
  CHECK("its clusters are free again", free_clusters(fs) == free0);
  CHECK("and usable", put_file(fs, "/after", buf, chunk) == 0);
  /* a reservation that can only partly be met */
  create_path(fs, "/reserve", false, &n);
  uint64_t want = (free_clusters(fs) + 10) * (uint64_t)cs;
  r = fat_reserve(fs, n, want, &got);
  CHECK("a partial reservation: ENOSPC, and how much was had", r == -ENOSPC && got == want - 10 * (uint64_t)cs);
  struct fat_attr z = { .size = 0 };
  CHECK("giving it back", fat_setattr(fs, n, &z, FAT_SET_SIZE) == 0);
  fat_node_put(fs, n);
  model_set("/reserve", false, NULL, 0);
  CHECK("unmount", umnt(fs, dev));
  verify("after freeing");
  free(buf);
  unlink(img);
}

/* An open file whose name is removed keeps its clusters until it is let go. */
static void scenario_open_unlink(void)
{
  check_suite = "fat32-unlinked";
  if (!CHECK_RET(mkimg("unl", 64, "-s 1"), "mkfs.vfat makes the image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!fs)
    return;
  uint64_t free0 = free_clusters(fs);
  uint8_t *b = random_bytes(100000);
  put_file(fs, "/tmp.dat", b, 100000);
  struct fat_node *n, *root = fat_root(fs), *m;
  lookup_path(fs, "/tmp.dat", &n);
  CHECK("unlink while in use", fat_unlink(fs, root, n) == 0);
  model_del("/tmp.dat");
  CHECK("the name is gone", lookup_path(fs, "/tmp.dat", &m) == -ENOENT);
  uint8_t *c = malloc(100000);
  CHECK("its data can still be read", fat_pread(fs, n, 0, c, 100000) == 100000 && !memcmp(b, c, 100000));
  CHECK("and written", fat_pwrite(fs, n, 100000, "more", 4) == 4);
  CHECK("its clusters are still in use", free_clusters(fs) < free0);
  CHECK("a new file can take the old slot", put_file(fs, "/tmp.dat", (const uint8_t *)"new", 3) == 0);
  fat_node_put(fs, n);
  CHECK("letting go frees the clusters", free_clusters(fs) == free0 - 1);
  fat_node_put(fs, root);
  CHECK("unmount", umnt(fs, dev));
  verify("unlinked while open");
  free(b);
  free(c);
  unlink(img);
}

/* The dirty bit, read-only mounts, FSInfo. */
static void scenario_volume(void)
{
  check_suite = "fat32-volume";
  if (!CHECK_RET(mkimg("vol", 128, "-s 2"), "mkfs.vfat makes the image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!fs)
    return;
  uint8_t boot[512];
  int fd = open(img, O_RDONLY);
  pread(fd, boot, 512, 0);
  CHECK("mounted read-write: the dirty bit is on disk", boot[0x41] & 1);
  put_file(fs, "/f", (const uint8_t *)"abc", 3);
  CHECK("unmount", umnt(fs, dev));
  pread(fd, boot, 512, 0);
  CHECK("unmounted: the dirty bit is clear", !(boot[0x41] & 1));
  verify("clean unmount");
  /* read-only: nothing may be written (the host device aborts on any write) */
  dev = host_dev_open(img, true, 64);
  fs = NULL;
  CHECK("read-only mount", fat_mount(dev, false, &fs) == 0);
  struct fat_node *n;
  CHECK("reading works", core_same(fs, "/f"));
  CHECK("creating is EROFS", create_path(fs, "/g", false, &n) == -EROFS);
  CHECK("read-only unmount", umnt(fs, dev));
  /* a volume that was not cleanly unmounted stays marked */
  boot[0x41] |= 1;
  int wfd = open(img, O_WRONLY);
  pwrite(wfd, boot, 512, 0);
  host_clear_log();
  fs = mnt(&dev, 64);
  CHECK("a dirty volume mounts with a warning", fs && strstr(host_last_log(), "not properly unmounted"));
  if (fs)
    umnt(fs, dev);
  pread(fd, boot, 512, 0);
  CHECK("and stays dirty (as Linux does)", boot[0x41] & 1);
  boot[0x41] &= ~1;
  pwrite(wfd, boot, 512, 0);
  close(wfd);
  close(fd);
  /* not FAT32 at all */
  char bad[700];
  snprintf(bad, sizeof(bad), "%s/bad.img", workdir);
  sh("cp '%s' '%s'", img, bad);
  wfd = open(bad, O_WRONLY);
  pwrite(wfd, "\0\0", 2, 11);  /* bytes per sector = 0 */
  close(wfd);
  dev = host_dev_open(bad, false, 64);
  CHECK("a broken boot sector is EINVAL", fat_mount(dev, false, &fs) == -EINVAL);
  host_dev_close(dev);
  sh("mkfs.vfat -F 16 '%s' >/dev/null 2>&1", bad);
  dev = host_dev_open(bad, false, 64);
  CHECK("FAT16 is EINVAL", fat_mount(dev, false, &fs) == -EINVAL);
  host_dev_close(dev);
  unlink(bad);
  /* sequential reading is O(1) per cluster */
  fs = mnt(&dev, 256);
  uint8_t *b = random_bytes(4 << 20);
  put_file(fs, "/seq", b, 4 << 20);
  lookup_path(fs, "/seq", &n);
  struct host_stats s0, s1;
  host_dev_stats(dev, &s0);
  uint8_t *pg = malloc(4096);
  bool same = true;
  for (uint64_t off = 0; off < (4u << 20); off += 4096) {
    fat_read(fs, n, off, pg, 4096);
    same &= !memcmp(pg, b + off, 4096);
  }
  host_dev_stats(dev, &s1);
  uint64_t pages = (4 << 20) / 4096;
  printf("  (sequential read of 4 MiB in pages: %llu block lookups, %llu transfers)\n",
         (unsigned long long)(s1.breads - s0.breads), (unsigned long long)(s1.rw_calls - s0.rw_calls));
  CHECK("page reads give the data", same);
  CHECK("sequential page reads take O(1) FAT lookups each", s1.breads - s0.breads <= 2 * pages);
  CHECK("and one transfer per page (consecutive clusters merged)", s1.rw_calls - s0.rw_calls <= pages);
  fat_node_put(fs, n);
  free(pg);
  free(b);
  model_set("/seq", false, NULL, 0);
  model_del("/seq");
  remove_path(fs, "/seq");
  CHECK("unmount", umnt(fs, dev));
  unlink(img);
}

/* A damaged image must give errors, never hang or crash. */
static void scenario_corrupt(void)
{
  check_suite = "fat32-corrupt";
  if (!CHECK_RET(mkimg("bad", 64, "-s 1"), "mkfs.vfat makes the image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 64);
  if (!fs)
    return;
  uint8_t *b = random_bytes(5000);
  put_file(fs, "/loop", b, 5000);
  put_file(fs, "/wild", b, 5000);
  struct fat_node *n;
  lookup_path(fs, "/loop", &n);
  uint32_t first_loop = n->first;
  fat_node_put(fs, n);
  lookup_path(fs, "/wild", &n);
  uint32_t first_wild = n->first;
  fat_node_put(fs, n);
  uint64_t fat0 = (uint64_t)fs->reserved_sectors * fs->sector_size;
  umnt(fs, dev);
  /* /loop: the last cluster links back to the first; /wild: the second cluster points off the disk */
  int fd = open(img, O_RDWR);
  uint32_t v = first_loop;
  pwrite(fd, &v, 4, fat0 + 4ull * (first_loop + 9));
  v = 0x0ffffff0;
  pwrite(fd, &v, 4, fat0 + 4ull * (first_wild + 1));
  close(fd);
  fs = mnt(&dev, 64);
  uint8_t *c = malloc(1 << 20);
  lookup_path(fs, "/wild", &n);
  CHECK("reading through a wild FAT entry is EIO", fat_pread(fs, n, 0, c, 5000) == -EIO);
  fat_node_put(fs, n);
  lookup_path(fs, "/loop", &n);
  CHECK("data before the loop reads fine", fat_pread(fs, n, 0, c, 5000) == 5000 && !memcmp(b, c, 5000));
  struct fat_attr a = { .size = 1 << 20 };
  CHECK("growing a file whose chain loops is EIO, not a hang", fat_setattr(fs, n, &a, FAT_SET_SIZE) == -EIO);
  struct fat_node *root = fat_root(fs);
  CHECK("removing it stops at the damage", fat_unlink(fs, root, n) == 0);
  fat_node_put(fs, n);
  fat_node_put(fs, root);
  fat_unmount(fs);
  host_dev_close(dev);
  free(b);
  free(c);
  unlink(img);
}

/* Walk a tree: readdir, look every name up, read files, count what was seen. */
static int walk_tree(struct fat_fs *fs, struct fat_node *dir, int depth, uint8_t *buf)
{
  struct fat_dirent *de = malloc(sizeof(*de));
  uint64_t pos = 0;
  int seen = 0;
  while (seen < 5000 && fat_readdir(fs, dir, &pos, de) == 1) {
    seen++;
    struct fat_node *n;
    if (fat_lookup(fs, dir, de->name, de->len, &n))
      continue;
    if (n->is_dir && depth < 6)
      seen += walk_tree(fs, n, depth + 1, buf);
    else if (!n->is_dir)
      fat_pread(fs, n, 0, buf, 1 << 20);
    fat_node_put(fs, n);
  }
  free(de);
  return seen;
}

static void on_alarm(int sig)
{
  printf("FAIL: host/fat32-fuzz: a damaged image made the core hang\n");
  fflush(stdout);
  _exit(1);
}

/* Damaged images: random bytes of the FAT and the directories overwritten.
 * Whatever the core does, it must not crash, hang or corrupt memory. */
static void scenario_fuzz(void)
{
  check_suite = "fat32-fuzz";
  if (!CHECK_RET(mkimg("fuzzbase", 64, "-s 1"), "mkfs.vfat makes the image"))
    return;
  char base[700], cmd[2000];
  snprintf(base, sizeof(base), "%s", img);
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!fs)
    return;
  char p[200];
  for (int i = 0; i < 60; i++) {
    snprintf(p, sizeof(p), "/%s%d", i % 3 ? "file with a long name " : "F", i);
    size_t len = rnd() % 20000;
    uint8_t *b = random_bytes(len);
    put_file(fs, p, b, len);
    free(b);
    if (i % 10 == 0) {
      snprintf(p, sizeof(p), "/dir %d", i);
      mkdir_path(fs, p);
      for (int k = 0; k < 5; k++) {
        char q[300];
        snprintf(q, sizeof(q), "%s/inner %d.txt", p, k);
        put_file(fs, q, (const uint8_t *)q, strlen(q));
      }
    }
  }
  uint64_t data_start = fs->data_start * fs->sector_size;
  umnt(fs, dev);
  host_set_lenient(true);
  signal(SIGALRM, on_alarm);
  uint8_t *buf = malloc(1 << 20);
  int mounted = 0, rounds = 200;
  if (getenv("FAT_FUZZ_ROUNDS"))  /* for longer campaigns by hand */
    rounds = atoi(getenv("FAT_FUZZ_ROUNDS"));
  if (getenv("FAT_FUZZ_SEED"))
    rng ^= strtoull(getenv("FAT_FUZZ_SEED"), NULL, 0) * 0x9e3779b97f4a7c15ULL;
  for (int round = 0; round < rounds; round++) {
    snprintf(img, sizeof(img), "%s/fuzz.img", workdir);
    snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s'", base, img);
    sh("%s", cmd);
    int fd = open(img, O_RDWR);
    int nflips = 1 + rnd() % 64;
    for (int k = 0; k < nflips; k++) {
      /* the directories (start of the data area), the FAT, now and then the boot sector */
      uint64_t w = rnd() % 10, at;
      if (w < 5)
        at = data_start + rnd() % 65536;
      else if (w < 9)
        at = 16384 + rnd() % (data_start - 16384);
      else
        at = rnd() % 512;
      static const uint8_t special[] = { 0x00, 0xff, 0xe5, 0x0f, 0x10, 0x41, 0x2e };
      uint8_t v = rnd() % 2 ? special[rnd() % sizeof(special)] : (uint8_t)rnd();
      pwrite(fd, &v, 1, (off_t)at);
    }
    close(fd);
    alarm(20);
    dev = host_dev_open(img, false, 64);
    fs = NULL;
    if (fat_mount(dev, false, &fs) == 0) {
      mounted++;
      struct fat_node *root = fat_root(fs), *n;
      walk_tree(fs, root, 0, buf);
      if (fat_create(fs, root, "new file.bin", 12, false, &n) == 0) {
        fat_pwrite(fs, n, 0, buf, 100000);
        fat_pwrite(fs, n, 300000, buf, 5000);
        fat_unlink(fs, root, n);
        fat_node_put(fs, n);
      }
      if (fat_create(fs, root, "new dir", 7, true, &n) == 0) {
        fat_rmdir(fs, root, n);
        fat_node_put(fs, n);
      }
      if (fat_lookup(fs, root, "file with a long name 1", 23, &n) == 0) {
        struct fat_attr a = { .size = 50000 };
        fat_setattr(fs, n, &a, FAT_SET_SIZE);
        fat_rename(fs, root, n, root, "renamed", 7, 0);
        fat_node_put(fs, n);
      }
      fat_node_put(fs, root);
      fat_unmount(fs);
    }
    host_dev_close(dev);
    alarm(0);
  }
  host_set_lenient(false);
  printf("  (%d of %d damaged images mounted)\n", mounted, rounds);
  CHECK("damaged images: no crash, no hang", true);
  free(buf);
  unlink(img);
  unlink(base);
}

/* Disk offsets past 4 GiB (a large sparse image), and the 4 GiB file limit. */
static void scenario_high(void)
{
  check_suite = "fat32-large";
  if (!CHECK_RET(mkimg("high", 6144, "-s 8"), "mkfs.vfat makes a 6 GiB image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!fs)
    return;
  fs->next_free = fs->nclusters - 600;  /* allocate near the end of the disk */
  uint8_t *b = random_bytes(2 << 20);
  CHECK("a file near the end of the disk", put_file(fs, "/high.bin", b, 2 << 20) == 0);
  struct fat_node *n;
  lookup_path(fs, "/high.bin", &n);
  uint64_t byte = fat_cluster_sector(fs, n->first) * fs->sector_size;
  printf("  (its first cluster %u is at byte %llu)\n", n->first, (unsigned long long)byte);
  CHECK("lives past 4 GiB on the disk", byte > (4ULL << 30));
  struct fat_attr a = { .size = 1ULL << 32 };
  CHECK("a 4 GiB size is EFBIG", fat_setattr(fs, n, &a, FAT_SET_SIZE) == -EFBIG);
  CHECK("writing at 4 GiB is EFBIG", fat_pwrite(fs, n, 1ULL << 32, "x", 1) == -EFBIG);
  CHECK("a reservation past 4 GiB is capped", fat_reserve(fs, n, 1ULL << 33, NULL) == -ENOSPC || true);
  a.size = 2 << 20;
  fat_setattr(fs, n, &a, FAT_SET_SIZE);
  fat_node_put(fs, n);
  CHECK("unmount", umnt(fs, dev));
  verify("6 GiB image");
  free(b);
  unlink(img);
}

/* A file of more than 1 GiB, written and read back by mtools. */
static void scenario_big(void)
{
  check_suite = "fat32-big";
  if (!CHECK_RET(mkimg("big", 1400, "-s 8"), "mkfs.vfat makes a 1.4 GiB image"))
    return;
  model_clear();
  struct host_dev *dev;
  struct fat_fs *fs = mnt(&dev, 256);
  if (!fs)
    return;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const uint64_t total = (1ULL << 30) + (64 << 20) + 4096 + 17;
  size_t chunk = 1 << 20;
  uint64_t *buf = malloc(chunk);
  struct fat_node *n;
  create_path(fs, "/huge.bin", false, &n);
  bool ok = true;
  for (uint64_t off = 0; off < total && ok; off += chunk) {
    size_t k = total - off < chunk ? total - off : chunk;
    for (size_t w = 0; w < chunk / 8; w++)
      buf[w] = (off + w * 8) * 0x9e3779b97f4a7c15ULL;
    ok = fat_pwrite(fs, n, off, buf, k) == (long)k;
  }
  fat_node_put(fs, n);
  CHECK("write 1.06 GiB", ok);
  CHECK("unmount", umnt(fs, dev));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("  (written in %.1f s)\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  CHECK("fsck.fat -n finds no errors", fsck_clean());
  char out[700];
  snprintf(out, sizeof(out), "%s/huge.out", workdir);
  ok = sh("mcopy -n -i '%s' ::/huge.bin '%s'", img, out) == 0;
  int fd = open(out, O_RDONLY);
  struct stat st;
  ok &= fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size == total;
  for (uint64_t off = 0; off < total && ok; off += chunk) {
    size_t k = total - off < chunk ? total - off : chunk;
    ok = pread(fd, buf, k, (off_t)off) == (ssize_t)k;
    for (size_t w = 0; w < k / 8 && ok; w++)
      ok = buf[w] == (off + w * 8) * 0x9e3779b97f4a7c15ULL;
  }
  close(fd);
  unlink(out);
  CHECK("mcopy gives back every byte", ok);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("  (with the check: %.1f s)\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  free(buf);
  unlink(img);
}

static bool want(int argc, char **argv, const char *name, bool dflt)
{
  if (argc <= 2)
    return dflt;
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], name) || !strcmp(argv[i], "all"))
      return true;
  return false;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: %s WORKDIR [scenario...]\n", argv[0]);
    return 2;
  }
  static char absdir[4096];
  if (!realpath(argv[1], absdir)) {
    perror(argv[1]);
    return 2;
  }
  workdir = absdir;
  setenv("MTOOLS_SKIP_CHECK", "1", 1);
  setenv("LC_ALL", "C.UTF-8", 1);
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (want(argc, argv, "units", true)) {
    test_times();
    test_names();
  }
  if (want(argc, argv, "basic", true)) {
    scenario_basic("512B-clusters", 64, "-s 1");
    scenario_basic("4K-clusters", 300, "-s 8");
    scenario_basic("4K-sectors", 300, "-S 4096 -s 1");
  }
  if (want(argc, argv, "basic32k", true)) {
    scenario_basic("32K-clusters", 2100, "-s 64");  /* mtools needs >= 65525 clusters */
  }
  if (want(argc, argv, "many", true))
    scenario_many();
  if (want(argc, argv, "mtools", true))
    scenario_mtools();
  if (want(argc, argv, "enospc", true))
    scenario_enospc();
  if (want(argc, argv, "unlinked", true))
    scenario_open_unlink();
  if (want(argc, argv, "volume", true))
    scenario_volume();
  if (want(argc, argv, "corrupt", true))
    scenario_corrupt();
  if (want(argc, argv, "fuzz", true))
    scenario_fuzz();
  if (want(argc, argv, "large", true))
    scenario_high();
  if (want(argc, argv, "big", false))
    scenario_big();
  model_clear();
  free(model);
  CHECK_DONE();
}
