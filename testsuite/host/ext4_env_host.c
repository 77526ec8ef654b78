/*
 * ext4_env_host.c — the ext4 core's environment on the host
 * (fs/ext4/ext4_env.h): the "device" is an image file, the block cache is
 * a small LRU of our own (with pinning, for the journal), the lock is a
 * flag, the time is the host's (or a fixed one).
 *
 * It is stricter than the kernel so the host tests catch core bugs early:
 * taking a block already held, taking the lock twice, a direct data
 * transfer touching a block that is in the cache (the page cache and the
 * block cache must never hold the same sectors), pinning a block not held,
 * or closing the device with blocks held, pinned or dirty all abort the
 * test with a message. host_dev_crash() drops the cache unwritten: a power
 * cut as the block cache sees it.
 */
#define _GNU_SOURCE
#include "fs/ext4/ext4_env.h"
#include "ext4_env_host.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>

#define NHASH 4096

struct ext4_buf {
  struct host_dev *dev;
  uint64_t byte;              /* offset of the block on the device */
  uint32_t size;
  uint8_t *data;
  bool dirty, held;
  int pins;
  struct ext4_buf *hnext;      /* hash chain */
  struct ext4_buf *prev, *next; /* LRU list, head = least recently used */
};

struct host_dev {
  int fd;
  uint64_t nsectors;
  bool read_only;
  int max_bufs, nbufs;
  struct ext4_buf *hash[NHASH];
  struct ext4_buf lru;         /* list head */
  struct host_stats st;
};

static int64_t fake_time;
static bool lenient;          /* damaged images: overlapping data and metadata is not a bug */
static char last_log[256];

static void die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stdout, "FAIL: host/ext4: environment: ");
  vfprintf(stdout, fmt, ap);
  fprintf(stdout, "\n");
  va_end(ap);
  fflush(stdout);
  abort();
}

/* ---- memory, lock, time, log ---- */

void *ext4_env_zalloc(size_t size) { return calloc(1, size); }
void ext4_env_free(void *p) { free(p); }

struct ext4_env_lock {
  bool held;
  const char *name;
};

static int locks_held;

struct ext4_env_lock *ext4_env_lock_new(const char *name)
{
  struct ext4_env_lock *l = calloc(1, sizeof(*l));
  if (l)
    l->name = name;
  return l;
}

void ext4_env_lock_free(struct ext4_env_lock *l)
{
  if (l && l->held)
    die("lock %s freed while held", l->name);
  free(l);
}

void ext4_env_lock(struct ext4_env_lock *l)
{
  if (l->held)
    die("lock %s taken twice (would deadlock in the kernel)", l->name);
  l->held = true;
  locks_held++;
}

void ext4_env_unlock(struct ext4_env_lock *l)
{
  if (!l->held)
    die("lock %s released but not held", l->name);
  l->held = false;
  locks_held--;
}

int64_t ext4_env_now(int32_t *nsec)
{
  if (fake_time) {
    *nsec = 0;
    return fake_time;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  *nsec = (int32_t)ts.tv_nsec;
  return ts.tv_sec;
}

void host_set_time(int64_t t) { fake_time = t; }
void host_set_lenient(bool yes) { lenient = yes; }

void ext4_env_log(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_log, sizeof(last_log), fmt, ap);
  va_end(ap);
}

const char *host_last_log(void) { return last_log; }
void host_clear_log(void) { last_log[0] = 0; }

/* ---- the device ---- */

struct host_dev *host_dev_open(const char *path, bool read_only, int max_bufs)
{
  int fd = open(path, read_only ? O_RDONLY : O_RDWR);
  if (fd < 0)
    return NULL;
  struct stat stb;
  fstat(fd, &stb);
  struct host_dev *d = calloc(1, sizeof(*d));
  d->fd = fd;
  d->nsectors = (uint64_t)stb.st_size / 512;
  d->read_only = read_only;
  d->max_bufs = max_bufs;
  d->lru.prev = d->lru.next = &d->lru;
  return d;
}

static void lru_unlink(struct ext4_buf *b)
{
  b->prev->next = b->next;
  b->next->prev = b->prev;
}

static void lru_add_tail(struct host_dev *d, struct ext4_buf *b)
{
  b->prev = d->lru.prev;
  b->next = &d->lru;
  d->lru.prev->next = b;
  d->lru.prev = b;
}

static unsigned hash_of(uint64_t byte) { return (unsigned)((byte >> 9) * 2654435761u) % NHASH; }

static struct ext4_buf *find(struct host_dev *d, uint64_t byte)
{
  for (struct ext4_buf *b = d->hash[hash_of(byte)]; b; b = b->hnext)
    if (b->byte == byte)
      return b;
  return NULL;
}

static void unhash(struct host_dev *d, struct ext4_buf *b)
{
  struct ext4_buf **pp = &d->hash[hash_of(b->byte)];
  while (*pp != b)
    pp = &(*pp)->hnext;
  *pp = b->hnext;
}

static int write_buf(struct host_dev *d, struct ext4_buf *b)
{
  if (d->read_only)
    die("write to a read-only device");
  if (pwrite(d->fd, b->data, b->size, (off_t)b->byte) != (ssize_t)b->size)
    return -EIO;
  b->dirty = false;
  return 0;
}

static void drop(struct host_dev *d, struct ext4_buf *b)
{
  unhash(d, b);
  lru_unlink(b);
  free(b->data);
  free(b);
  d->nbufs--;
}

static struct ext4_buf *get(struct host_dev *d, uint64_t blockno, uint32_t size, bool read, int *err)
{
  uint64_t byte = blockno * size;
  d->st.breads++;
  struct ext4_buf *b = find(d, byte);
  if (b) {
    if (b->size != size)
      die("block at %llu used with sizes %u and %u", (unsigned long long)byte, b->size, size);
    if (b->held)
      die("block %llu taken while already held (would deadlock in the kernel)",
          (unsigned long long)blockno);
    lru_unlink(b);
  } else {
    if ((byte + size) / 512 > d->nsectors) {
      *err = -EIO;
      return NULL;
    }
    d->st.bmisses++;
    /* evict the least recently used idle blocks */
    for (struct ext4_buf *v = d->lru.next; v != &d->lru && d->nbufs >= d->max_bufs;) {
      struct ext4_buf *nx = v->next;
      if (!v->held && !v->pins) {
        if (v->dirty && write_buf(d, v)) {
          *err = -EIO;
          return NULL;
        }
        drop(d, v);
      }
      v = nx;
    }
    b = calloc(1, sizeof(*b));
    b->dev = d;
    b->byte = byte;
    b->size = size;
    b->data = malloc(size);
    if (read) {
      if (pread(d->fd, b->data, size, (off_t)byte) != (ssize_t)size) {
        free(b->data);
        free(b);
        *err = -EIO;
        return NULL;
      }
    }
    unsigned h = hash_of(byte);
    b->hnext = d->hash[h];
    d->hash[h] = b;
    d->nbufs++;
  }
  lru_add_tail(d, b);
  b->held = true;
  d->st.held++;
  return b;
}

struct ext4_buf *ext4_env_bread(void *dev, uint64_t blockno, uint32_t size, int *err)
{
  return get(dev, blockno, size, true, err);
}

struct ext4_buf *ext4_env_bget_noread(void *dev, uint64_t blockno, uint32_t size, int *err)
{
  return get(dev, blockno, size, false, err);
}

void *ext4_env_bdata(struct ext4_buf *b) { return b->data; }

void ext4_env_bdirty(struct ext4_buf *b)
{
  if (!b->held)
    die("bdirty on a block not held");
  if (b->dev->read_only)
    die("block dirtied on a read-only device");
  b->dirty = true;
}

int ext4_env_bwrite(struct ext4_buf *b)
{
  if (!b->held)
    die("bwrite of a block not held");
  return write_buf(b->dev, b);
}

void ext4_env_brelse(struct ext4_buf *b)
{
  if (!b->held)
    die("brelse of a block not held");
  b->held = false;
  b->dev->st.held--;
}

void ext4_env_bpin(struct ext4_buf *b)
{
  if (!b->held)
    die("bpin of a block not held");
  b->pins++;
}

void ext4_env_bunpin(struct ext4_buf *b)
{
  if (b->pins <= 0)
    die("bunpin of a block not pinned");
  b->pins--;
}

int ext4_env_flush(void *dev)
{
  ((struct host_dev *)dev)->st.flushes++;
  return 0;
}

int ext4_env_bsync(void *dev)
{
  struct host_dev *d = dev;
  for (struct ext4_buf *b = d->lru.next; b != &d->lru; b = b->next)
    if (b->dirty && write_buf(d, b))
      return -EIO;
  return 0;
}

void ext4_env_binvalidate(void *dev, uint64_t sector, uint64_t count)
{
  struct host_dev *d = dev;
  for (struct ext4_buf *b = d->lru.next; b != &d->lru;) {
    struct ext4_buf *nx = b->next;
    uint64_t s = b->byte / 512, n = b->size / 512;
    if (s < sector + count && sector < s + n && !b->held && !b->pins)
      drop(d, b);
    b = nx;
  }
}

int ext4_env_rw(void *dev, bool write, uint64_t sector, void *buf, uint32_t count)
{
  struct host_dev *d = dev;
  d->st.rw_calls++;
  d->st.rw_sectors += count;
  if (sector + count > d->nsectors)
    return -EIO;
  /* No cached metadata block may overlap file data moved around the cache. */
  if (d->nbufs) {
    for (uint64_t s = sector; s < sector + count; s++) {
      for (uint64_t sz = 512; sz <= 4096; sz *= 2) {
        uint64_t byte = s * 512 / sz * sz;
        struct ext4_buf *b = find(d, byte);
        if (b && b->byte / 512 + b->size / 512 > s && !lenient)
          die("direct %s of sector %llu overlaps cached block at sector %llu%s",
              write ? "write" : "read", (unsigned long long)s,
              (unsigned long long)(b->byte / 512), b->dirty ? " (dirty)" : "");
      }
    }
  }
  ssize_t n = write ? pwrite(d->fd, buf, (size_t)count * 512, (off_t)(sector * 512))
                    : pread(d->fd, buf, (size_t)count * 512, (off_t)(sector * 512));
  if (write && d->read_only)
    die("direct write to a read-only device");
  return n == (ssize_t)count * 512 ? 0 : -EIO;
}

uint64_t ext4_env_nsectors(void *dev) { return ((struct host_dev *)dev)->nsectors; }
bool ext4_env_read_only(void *dev) { return ((struct host_dev *)dev)->read_only; }

void host_dev_stats(struct host_dev *d, struct host_stats *st)
{
  *st = d->st;
  st->locked = locks_held;
}

int host_dev_close(struct host_dev *d)
{
  int bad = 0;
  for (struct ext4_buf *b = d->lru.next; b != &d->lru;) {
    struct ext4_buf *nx = b->next;
    if (b->held || b->dirty || b->pins) {
      printf("FAIL: host/ext4: block at sector %llu left %s\n", (unsigned long long)(b->byte / 512),
             b->held ? "held" : b->pins ? "pinned" : "dirty");
      bad = -1;
    }
    drop(d, b);
    b = nx;
  }
  if (locks_held) {
    printf("FAIL: host/ext4: a lock is still held\n");
    bad = -1;
  }
  close(d->fd);
  free(d);
  return bad;
}

/* A power cut: every cached block is dropped unwritten, held or not. */
void host_dev_crash(struct host_dev *d)
{
  for (struct ext4_buf *b = d->lru.next; b != &d->lru;) {
    struct ext4_buf *nx = b->next;
    drop(d, b);
    b = nx;
  }
  locks_held = 0;
  close(d->fd);
  free(d);
}
