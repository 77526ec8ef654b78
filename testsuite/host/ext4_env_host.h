/*
 * ext4_env_host.h — the host's environment for the ext4 core: an image
 * file as the disk (testsuite/host/ext4_env_host.c). The device handle the
 * core gets is a struct host_dev *.
 */
#ifndef KITE_EXT4_ENV_HOST_H
#define KITE_EXT4_ENV_HOST_H

#include <stdint.h>
#include <stdbool.h>

struct host_dev;

/* Open an image file as a device; max_bufs bounds the block cache (small
 * values exercise eviction). NULL if it cannot be opened. */
struct host_dev *host_dev_open(const char *path, bool read_only, int max_bufs);
/* Close it. Fails the test (returns -1) if a cached block is still held
 * or dirty: the core must have released and synced everything. */
int host_dev_close(struct host_dev *d);
/* A power cut: drop the cache without writing anything, and close. */
void host_dev_crash(struct host_dev *d);
/* Pretend the time of day is t (0: the real clock). */
void host_set_time(int64_t t);
/* Damaged images may cross-link file data and directories: allow direct
 * transfers over cached blocks (the kernel merely sees stale data then). */
void host_set_lenient(bool yes);
/* Counters, for tests that check the access pattern. */
struct host_stats {
  uint64_t breads, bmisses, rw_calls, rw_sectors, flushes;
  int held;                  /* blocks held right now */
  int locked;                /* the lock is held right now */
};
void host_dev_stats(struct host_dev *d, struct host_stats *st);
/* The last message the core logged ("" if none), and clearing it. */
const char *host_last_log(void);
void host_clear_log(void);

#endif
