/*
 * ext4_test_util.c — the machinery of the ext4 host tests (ext4_test.h):
 * running mke2fs, e2fsck and debugfs, mounting images with the core, the
 * model of the expected tree and its comparison with what debugfs dumps
 * and what the core reads, and path-level helpers over the core's API.
 */
#define _GNU_SOURCE
#include "ext4_test.h"
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

int ext4_test_failures;
bool quiet;
const char *workdir;
char img[600];
struct ext4_fs *fs;
struct host_dev *dev;

/* ---- tools ---- */

int sh(const char *fmt, ...)
{
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

char *run(const char *fmt, ...)
{
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  size_t cap = 1 << 16, n = 0, k;
  char *s = malloc(cap);
  while (p && (k = fread(s + n, 1, cap - n - 1, p)) > 0) {
    n += k;
    if (cap - n < 4096)
      s = realloc(s, cap *= 2);
  }
  s[n] = 0;
  if (p)
    pclose(p);
  while (n && s[n - 1] == '\n')  /* one line, for messages */
    s[--n] = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '\n')
      s[i] = ' ';
  return s;
}

bool mkimg(const char *name, uint64_t mb, const char *opts)
{
  snprintf(img, sizeof(img), "%s/%s.img", workdir, name);
  unlink(img);
  int fd = open(img, O_CREAT | O_RDWR, 0644);
  if (fd < 0 || ftruncate(fd, (off_t)(mb << 20)))
    return false;
  close(fd);
  return sh("mkfs.ext4 -q -F %s '%s' >/dev/null 2>&1", opts, img) == 0;
}

bool mnt(bool read_only)
{
  dev = host_dev_open(img, read_only, 256);
  fs = NULL;
  if (!dev)
    return false;
  int r = ext4_mount(dev, read_only, &fs);
  if (r) {
    printf("  (mount %s: %d, log: %s)\n", img, r, host_last_log());
    host_dev_close(dev);
    dev = NULL;
    return false;
  }
  return true;
}

bool umnt(void)
{
  /* Nothing but the volume's own references: the root's and the journal's. */
  uint64_t held = fs->nr_nodes - 1 - (fs->j ? 1 : 0) + (uint64_t)(fs->root->refs - 1);
  if (held)
    printf("  (%llu nodes still referenced at unmount)\n", (unsigned long long)held);
  int r = ext4_unmount(fs);
  int c = host_dev_close(dev);
  fs = NULL;
  dev = NULL;
  if (r)
    printf("  (unmount: %d, log: %s)\n", r, host_last_log());
  return r == 0 && c == 0 && held == 0;
}

void crash(void)
{
  /* The volume's memory is lost with the power, the disk keeps what was written. */
  host_dev_crash(dev);
  ext4_abandon(fs);
  fs = NULL;
  dev = NULL;
}

bool fsck_clean(void)
{
  char *out = run("e2fsck -fn '%s' 2>&1; echo rc=$?", img);
  bool ok = strstr(out, "rc=0") != NULL;
  if (!ok)
    printf("--- e2fsck -fn %s:\n%s---\n", img, out);
  free(out);
  return ok;
}

bool fsck_replay_then_clean(void)
{
  char *out = run("e2fsck -E journal_only -y '%s' 2>&1; echo rc=$?", img);
  bool ok = strstr(out, "rc=0") || strstr(out, "rc=1");
  if (!ok)
    printf("--- e2fsck -E journal_only %s:\n%s---\n", img, out);
  free(out);
  return ok && fsck_clean();
}

/* ---- random ---- */

static uint64_t rng = 88172645463325252ULL;

uint64_t rnd(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

void rnd_seed(uint64_t s) { rng = s ? s : 88172645463325252ULL; }

uint8_t *random_bytes(size_t n)
{
  uint8_t *b = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)rnd();
  return b;
}

/* ---- the model ---- */

struct mfile *model;
int nmodel;
static int capmodel;

int model_find(const char *path)
{
  for (int i = 0; i < nmodel; i++)
    if (!strcmp(model[i].path, path))
      return i;
  return -1;
}

void model_set(const char *path, enum mtype type, const uint8_t *data, size_t len)
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
  model[i].type = type;
  model[i].len = len;
  model[i].data = malloc(len ? len : 1);
  if (len)
    memcpy(model[i].data, data, len);
}

void model_del(const char *path)
{
  int i = model_find(path);
  if (i < 0)
    return;
  free(model[i].path);
  free(model[i].data);
  model[i] = model[--nmodel];
}

void model_rename(const char *from, const char *to)
{
  size_t fl = strlen(from), tl = strlen(to);
  for (int i = 0; i < nmodel; i++)  /* what `to` held goes */
    if (!strncmp(model[i].path, to, tl) && (model[i].path[tl] == 0 || model[i].path[tl] == '/') &&
        !(!strncmp(model[i].path, from, fl) && (model[i].path[fl] == 0 || model[i].path[fl] == '/'))) {
      model_del(model[i].path);
      i--;
    }
  for (int i = 0; i < nmodel; i++) {
    char *p = model[i].path;
    if (!strncmp(p, from, fl) && (p[fl] == 0 || p[fl] == '/')) {
      char *np = malloc(tl + strlen(p + fl) + 1);
      sprintf(np, "%s%s", to, p + fl);
      free(p);
      model[i].path = np;
    }
  }
}

void model_clear(void)
{
  for (int i = 0; i < nmodel; i++) {
    free(model[i].path);
    free(model[i].data);
  }
  nmodel = 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return NULL;
  struct stat st;
  fstat(fd, &st);
  uint8_t *b = malloc((size_t)st.st_size + 1);
  size_t n = 0;
  ssize_t k;
  while (n < (size_t)st.st_size && (k = read(fd, b + n, (size_t)st.st_size - n)) > 0)
    n += (size_t)k;
  close(fd);
  *len = n;
  return b;
}

void model_load_host(const char *dir, const char *prefix)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char hp[4096], mp[4096];
    snprintf(hp, sizeof(hp), "%s/%s", dir, e->d_name);
    snprintf(mp, sizeof(mp), "%s/%s", prefix, e->d_name);
    struct stat st;
    lstat(hp, &st);
    if (S_ISDIR(st.st_mode)) {
      model_set(mp, M_DIR, NULL, 0);
      model_load_host(hp, mp);
    } else if (S_ISLNK(st.st_mode)) {
      char t[4096];
      ssize_t n = readlink(hp, t, sizeof(t));
      model_set(mp, M_LINK, (uint8_t *)t, n > 0 ? (size_t)n : 0);
    } else if (S_ISREG(st.st_mode)) {
      size_t len;
      uint8_t *b = slurp(hp, &len);
      model_set(mp, M_FILE, b, len);
      free(b);
    }
  }
  if (d)
    closedir(d);
}

/* Compare the host tree at dir (a dump) with the model: returns mismatches. */
static int compare_host(const char *dir, const char *prefix, int *seen)
{
  int bad = 0;
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
        (!strcmp(e->d_name, "lost+found") && !*prefix))
      continue;
    char hp[4096], mp[4096];
    snprintf(hp, sizeof(hp), "%s/%s", dir, e->d_name);
    snprintf(mp, sizeof(mp), "%s/%s", prefix, e->d_name);
    int i = model_find(mp);
    struct stat st;
    lstat(hp, &st);
    (*seen)++;
    if (i < 0) {
      if (bad++ < 5 && !quiet)
        printf("  (debugfs shows %s, which should not exist)\n", mp);
      continue;
    }
    struct mfile *m = &model[i];
    if (S_ISDIR(st.st_mode)) {
      if (m->type != M_DIR && bad++ < 5 && !quiet)
        printf("  (%s is a directory on disk)\n", mp);
      bad += compare_host(hp, mp, seen);
    } else if (S_ISLNK(st.st_mode)) {
      char t[4096];
      ssize_t n = readlink(hp, t, sizeof(t));
      if ((m->type != M_LINK || (size_t)n != m->len || memcmp(t, m->data, m->len)) && bad++ < 5 && !quiet)
        printf("  (symlink %s differs)\n", mp);
    } else {
      size_t len;
      uint8_t *b = slurp(hp, &len);
      if ((m->type != M_FILE || len != m->len || (len && memcmp(b, m->data, len))) && bad++ < 5 && !quiet)
        printf("  (file %s differs: %zu bytes on disk, %zu expected)\n", mp, len, m->len);
      free(b);
    }
  }
  if (d)
    closedir(d);
  return bad;
}

bool dump_matches(void)
{
  char out[700];
  snprintf(out, sizeof(out), "%s/dump", workdir);
  sh("rm -rf '%s' && mkdir -p '%s'", out, out);
  if (sh("debugfs -R 'rdump / %s' '%s' >/dev/null 2>&1", out, img) != 0)
    return false;
  int seen = 0, bad = compare_host(out, "", &seen);
  if (seen != nmodel && bad++ < 5 && !quiet) {
    printf("  (debugfs dumps %d names, the model has %d)\n", seen, nmodel);
    for (int i = 0, shown = 0; i < nmodel && shown < 5; i++) {
      char hp[4200];
      struct stat st;
      snprintf(hp, sizeof(hp), "%s%s", out, model[i].path);
      if (lstat(hp, &st) && ++shown)
        printf("  (%s is missing)\n", model[i].path);
    }
    for (int i = 0; nmodel < 30 && i < nmodel; i++)
      printf("  (model: %s)\n", model[i].path);
  }
  sh("rm -rf '%s'", out);
  return bad == 0;
}

/* ---- the core by path ---- */

int node_at(const char *path, struct ext4_node **out)
{
  struct ext4_node *cur = ext4_root(fs);
  const char *p = path;
  while (*p) {
    while (*p == '/')
      p++;
    if (!*p)
      break;
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    struct ext4_node *next;
    int r = ext4_lookup(fs, cur, p, len, &next);
    ext4_node_put(fs, cur);
    if (r)
      return r;
    cur = next;
    p += len;
  }
  *out = cur;
  return 0;
}

int parent_at(const char *path, struct ext4_node **dir, const char **last)
{
  const char *slash = strrchr(path, '/');
  char pp[4096];
  size_t pl = (size_t)(slash - path);
  memcpy(pp, path, pl);
  pp[pl] = 0;
  *last = slash + 1;
  return node_at(pp, dir);
}

int write_file(const char *path, const uint8_t *data, size_t len)
{
  struct ext4_node *dir, *n;
  const char *last;
  int r = parent_at(path, &dir, &last);
  if (r)
    return r;
  r = ext4_lookup(fs, dir, last, strlen(last), &n);
  if (r == -ENOENT)
    r = ext4_create(fs, dir, last, strlen(last), 0100644, 0, 0, 0, &n);
  ext4_node_put(fs, dir);
  if (r)
    return r;
  struct ext4_attr a = { .size = 0 };
  r = ext4_setattr(fs, n, &a, EXT4_SET_SIZE);
  long w = r ? r : ext4_pwrite(fs, n, 0, data, len);
  ext4_node_put(fs, n);
  return w < 0 ? (int)w : (size_t)w == len ? 0 : -EIO;
}

int read_file(const char *path, uint8_t **data, size_t *len)
{
  struct ext4_node *n;
  int r = node_at(path, &n);
  if (r)
    return r;
  struct ext4_attr a;
  ext4_getattr(fs, n, &a);
  *data = malloc(a.size + 1);
  long got = ext4_pread(fs, n, 0, *data, a.size);
  ext4_node_put(fs, n);
  *len = got > 0 ? (size_t)got : 0;
  return got < 0 ? (int)got : 0;
}

int make_dir(const char *path)
{
  struct ext4_node *dir, *n;
  const char *last;
  int r = parent_at(path, &dir, &last);
  if (r)
    return r;
  r = ext4_create(fs, dir, last, strlen(last), 040755, 0, 0, 0, &n);
  ext4_node_put(fs, dir);
  if (!r)
    ext4_node_put(fs, n);
  return r;
}

int remove_path(const char *path, bool isdir)
{
  struct ext4_node *dir;
  const char *last;
  int r = parent_at(path, &dir, &last);
  if (r)
    return r;
  r = ext4_unlink(fs, dir, last, strlen(last), isdir);
  ext4_node_put(fs, dir);
  return r;
}

int rename_path(const char *from, const char *to, unsigned flags)
{
  struct ext4_node *od, *nd;
  const char *ol, *nl;
  int r = parent_at(from, &od, &ol);
  if (r)
    return r;
  r = parent_at(to, &nd, &nl);
  if (!r) {
    r = ext4_rename(fs, od, ol, strlen(ol), nd, nl, strlen(nl), flags);
    ext4_node_put(fs, nd);
  }
  ext4_node_put(fs, od);
  return r;
}

int make_link(const char *target, const char *path)
{
  struct ext4_node *dir, *n;
  const char *last;
  int r = parent_at(path, &dir, &last);
  if (r)
    return r;
  r = ext4_symlink(fs, dir, last, strlen(last), target, 0, 0, &n);
  ext4_node_put(fs, dir);
  if (!r)
    ext4_node_put(fs, n);
  return r;
}

int hard_link(const char *existing, const char *path)
{
  struct ext4_node *dir, *n;
  const char *last;
  int r = node_at(existing, &n);
  if (r)
    return r;
  r = parent_at(path, &dir, &last);
  if (!r) {
    r = ext4_link(fs, dir, last, strlen(last), n);
    ext4_node_put(fs, dir);
  }
  ext4_node_put(fs, n);
  return r;
}

/* Walk a directory of the image comparing it with the model. */
static int walk_dir(struct ext4_node *dir, const char *prefix, int *seen)
{
  int bad = 0;
  uint64_t pos = 0;
  struct ext4_dirent de;
  int r;
  while ((r = ext4_readdir(fs, dir, &pos, &de)) == 1) {
    if (!*prefix && !strcmp(de.name, "lost+found"))
      continue;
    char mp[4096];
    snprintf(mp, sizeof(mp), "%s/%s", prefix, de.name);
    (*seen)++;
    int i = model_find(mp);
    struct ext4_node *n;
    if (i < 0 || ext4_lookup(fs, dir, de.name, de.len, &n)) {
      if (bad++ < 5 && !quiet)
        printf("  (the core reads %s, unexpected or not found by lookup)\n", mp);
      continue;
    }
    struct ext4_attr a;
    ext4_getattr(fs, n, &a);
    struct mfile *m = &model[i];
    if ((a.mode & 0170000) == 0040000) {
      bad += m->type != M_DIR;
      bad += walk_dir(n, mp, seen);
    } else if ((a.mode & 0170000) == 0120000) {
      char t[4097];
      int len = ext4_readlink(fs, n, t, sizeof(t));
      if ((m->type != M_LINK || len != (int)m->len || memcmp(t, m->data, m->len)) && bad++ < 5 && !quiet)
        printf("  (symlink %s reads differently)\n", mp);
    } else {
      uint8_t *b = malloc(a.size + 1);
      long got = ext4_pread(fs, n, 0, b, a.size);
      if ((m->type != M_FILE || got != (long)m->len || memcmp(b, m->data, m->len)) && bad++ < 5 && !quiet)
        printf("  (file %s reads differently: %ld bytes, %zu expected)\n", mp, got, m->len);
      free(b);
    }
    ext4_node_put(fs, n);
  }
  if (r < 0 && bad++ < 5 && !quiet)
    printf("  (readdir %s: %d)\n", prefix, r);
  return bad;
}

bool walk_matches(void)
{
  struct ext4_node *root = ext4_root(fs);
  int seen = 0, bad = walk_dir(root, "", &seen);
  ext4_node_put(fs, root);
  if (seen != nmodel && bad++ < 5 && !quiet)
    printf("  (the core reads %d names, the model has %d)\n", seen, nmodel);
  return bad == 0;
}
