/*
 * ext4_test.h — what the ext4 host tests share (testsuite/host/test_ext4*.c,
 * ext4_test_util.c): images made by mke2fs, mounting them with the core
 * (fs/ext4/) through testsuite/host/ext4_env_host.c, a model of what the
 * image should hold, and the checks by other people's tools: e2fsck -fn
 * must find nothing, and debugfs must dump exactly the model.
 */
#ifndef KITE_EXT4_TEST_H
#define KITE_EXT4_TEST_H

#include "fs/ext4/ext4_int.h"   /* the tests look inside (extent checks, counters) */
#include "ext4_env_host.h"
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* Each check prints "PASS: host/ext4: <what>" or "FAIL: ..." (counted by
 * scripts/test.sh); failures also set the exit status. */
extern int ext4_test_failures;
#define CHECK(what, cond)                                                                   \
  do {                                                                                      \
    if (cond) {                                                                             \
      printf("PASS: host/ext4: %s\n", what);                                                \
    } else {                                                                                \
      printf("FAIL: host/ext4: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond);          \
      ext4_test_failures++;                                                                 \
    }                                                                                       \
    fflush(stdout);                                                                         \
  } while (0)
#define CHECK_RET(cond, what) ({ bool c_ = (cond); CHECK(what, c_); c_; })
/* A check whose description is formatted. */
#define CHECKF(cond, ...)                                                                   \
  do {                                                                                      \
    char what_[256];                                                                        \
    snprintf(what_, sizeof(what_), __VA_ARGS__);                                            \
    CHECK(what_, cond);                                                                     \
  } while (0)

extern const char *workdir;
extern char img[600];
extern struct ext4_fs *fs;
extern struct host_dev *dev;

/* ---- tools ---- */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* output, malloc'd */
/* A fresh image: `mb` MiB, mkfs.ext4 -q -F opts (e.g. "-b 4096 -d dir"). */
bool mkimg(const char *name, uint64_t mb, const char *opts);
bool mnt(bool read_only);               /* ext4_mount on img into fs, dev */
bool umnt(void);                        /* unmount and close: nothing left behind */
void crash(void);                       /* drop everything unwritten (power cut) */
bool fsck_clean(void);                  /* e2fsck -fn finds nothing */
bool fsck_replay_then_clean(void);      /* replay the journal with e2fsck, then -fn clean */

/* ---- random ---- */
uint64_t rnd(void);
void rnd_seed(uint64_t s);
uint8_t *random_bytes(size_t n);

/* ---- the model: what the image should hold ---- */
enum mtype { M_FILE, M_DIR, M_LINK };
struct mfile {
  char *path;                           /* "/a/b" */
  enum mtype type;
  uint8_t *data;                        /* file contents or link target */
  size_t len;
};
extern struct mfile *model;
extern int nmodel;
int model_find(const char *path);
void model_set(const char *path, enum mtype type, const uint8_t *data, size_t len);
void model_del(const char *path);
void model_rename(const char *from, const char *to);
void model_clear(void);
/* Add everything under the host directory `dir` to the model as `prefix`. */
void model_load_host(const char *dir, const char *prefix);
extern bool quiet;                      /* no details of mismatches (damaged images) */
/* debugfs rdump of the image compared with the model (lost+found ignored). */
bool dump_matches(void);
/* Walk the image with the core and compare it with the model. */
bool walk_matches(void);

/* ---- the core by path ---- */
int node_at(const char *path, struct ext4_node **out);  /* referenced */
int parent_at(const char *path, struct ext4_node **dir, const char **last);
int write_file(const char *path, const uint8_t *data, size_t len);   /* create or replace */
int read_file(const char *path, uint8_t **data, size_t *len);
int make_dir(const char *path);
int remove_path(const char *path, bool dir);
int rename_path(const char *from, const char *to, unsigned flags);
int make_link(const char *target, const char *path);                 /* symlink */
int hard_link(const char *existing, const char *path);

/* scenario entry points */
void scenario_read(void);
void scenario_read_features(void);
void scenario_create(void);
void scenario_big(void);
void scenario_enospc(void);
void scenario_htree(void);
void scenario_deep(void);
void scenario_random(void);
void scenario_delalloc(void);
void scenario_fallocate(void);
void scenario_journal(void);
void scenario_replay_e2fs(void);
void scenario_orphans(void);
void scenario_fuzz(void);
void scenario_huge(void);
void scenario_xattr(void);

#endif
