/*
 * fat_file.c — the FAT32 core's file data and attributes: moving whole
 * sectors between a file and a buffer (fat_read, fat_write) and bytes
 * (fat_pread, fat_pwrite), zero-filling past `valid`, sizes, times and
 * attributes (fat_getattr, fat_setattr), and reserving clusters ahead of
 * a write (fat_reserve).
 *
 * Layer: fs, the FAT32 core (fs/fat/fat32.h draws it). Below: fat_table.c
 * (mapping offsets to clusters, growing and shrinking chains, the entry),
 * fat_time.c, the environment (fat_env.h). Above: fat_vfs.c (the page
 * cache's reads and writes, setattr) and the host tests.
 *
 * Locks: each public function takes fs->lock and holds it throughout;
 * *_locked helpers expect it held. File data goes straight between the
 * device and the caller's buffer (no copy in the block cache).
 */
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"

/* ---- file data ---- */

/*
 * Move [off, off + len) of n between disk and buf (buf NULL when writing:
 * zeros). off and len are multiples of the sector size and the clusters
 * exist. Consecutive clusters go in one request.
 */
static int xfer(struct fat_fs *fs, struct fat_node *n, bool write, uint64_t off, uint8_t *buf,
                uint64_t len)
{
  const uint64_t chunk_max = FAT_ZERO_BUF;
  while (len) {
    uint32_t idx = (uint32_t)(off >> fs->cluster_shift);
    uint64_t in = off & (fs->cluster_size - 1);
    uint64_t want = FAT_DIV_UP(in + FAT_MIN(len, chunk_max), fs->cluster_size);
    uint32_t clus, run;
    int r = fat_map_run(fs, n, idx, (uint32_t)want, &clus, &run);
    if (r)
      return r;
    if (!clus) {
      fat_env_log("fat: file cluster %u missing", idx);
      return -EIO;
    }
    uint64_t bytes = FAT_MIN((uint64_t)run * fs->cluster_size - in, FAT_MIN(len, chunk_max));
    uint64_t dsector = (fat_cluster_sector(fs, clus) * fs->sector_size + in) / 512;
    r = fat_env_rw(fs->dev, write, dsector, buf ? buf : fs->zeros, (uint32_t)(bytes / 512));
    if (r)
      return r;
    off += bytes;
    len -= bytes;
    if (buf)
      buf += bytes;
  }
  return 0;
}

/* Zero the file's bytes [from, to) on disk (from >= valid; the clusters
 * exist). The sector holding `from` is read, patched and written. */
static int zero_range(struct fat_fs *fs, struct fat_node *n, uint64_t from, uint64_t to)
{
  if (from >= to)
    return 0;
  uint32_t ss = fs->sector_size;
  if (from % ss) {
    uint8_t *tmp = fat_env_zalloc(ss);
    if (!tmp)
      return -ENOMEM;
    uint64_t base = from - from % ss;
    int r = xfer(fs, n, false, base, tmp, ss);
    if (!r) {
      memset(tmp + from % ss, 0, ss - from % ss);
      r = xfer(fs, n, true, base, tmp, ss);
    }
    fat_env_free(tmp);
    if (r)
      return r;
    from = base + ss;
  }
  if (from >= to)
    return 0;
  return xfer(fs, n, true, from, NULL, FAT_ROUND_UP(to - from, (uint64_t)ss));
}

static int read_locked(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
  if (off % fs->sector_size)
    return -EINVAL;
  uint64_t ondisk = off < n->valid ? FAT_MIN((uint64_t)len, n->valid - off) : 0;
  int r = 0;
  if (ondisk)
    r = xfer(fs, n, false, off, buf, FAT_ROUND_UP(ondisk, (uint64_t)fs->sector_size));
  memset((uint8_t *)buf + ondisk, 0, FAT_ROUND_UP((uint64_t)len, fs->sector_size) - ondisk);
  return r;
}

static int write_locked(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf,
                        size_t len)
{
  if (fs->read_only)
    return -EROFS;
  if (n->is_dir)
    return -EISDIR;
  if (off % fs->sector_size)
    return -EINVAL;
  if (len == 0)
    return 0;
  if (off + len > FAT_MAX_FILE_SIZE)
    return -EFBIG;
  int r = fat_chain_length_locked(fs, n);
  if (r)
    return r;
  uint64_t need = FAT_DIV_UP(off + len, (uint64_t)fs->cluster_size);
  if (need > n->nclus && (r = fat_extend_locked(fs, n, (uint32_t)(need - n->nclus), false)))
    return r;
  if (off > n->valid && (r = zero_range(fs, n, n->valid, off)))
    return r;
  r = xfer(fs, n, true, off, (uint8_t *)buf, FAT_ROUND_UP((uint64_t)len, fs->sector_size));
  if (r)
    return r;
  if (off + len > n->valid)
    n->valid = off + len;
  return 0;
}

int fat_read(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
  fat_env_lock(fs->lock);
  int r = read_locked(fs, n, off, buf, len);
  fat_env_unlock(fs->lock);
  return r;
}

int fat_write(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf, size_t len)
{
  fat_env_lock(fs->lock);
  int r = write_locked(fs, n, off, buf, len);
  fat_env_unlock(fs->lock);
  return r;
}

#define PIO_CHUNK (1u << 20)  /* whole sectors moved per request by pread/pwrite */

long fat_pread(struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
  uint32_t ss = fs->sector_size;
  uint8_t *tmp = fat_env_zalloc(ss);
  if (!tmp)
    return -ENOMEM;
  fat_env_lock(fs->lock);
  long done = 0;
  int r = n->is_dir ? -EISDIR : 0;
  if (!r && off < n->size)
    len = FAT_MIN((uint64_t)len, n->size - off);
  else
    len = 0;
  while (!r && (size_t)done < len) {
    uint64_t pos = off + done;
    size_t left = len - done;
    if (pos % ss == 0 && left >= ss) {
      size_t nb = FAT_MIN(left - left % ss, (size_t)PIO_CHUNK);
      r = read_locked(fs, n, pos, (uint8_t *)buf + done, nb);
      done += nb;
    } else {
      size_t in = pos % ss, nb = FAT_MIN(ss - in, left);
      r = read_locked(fs, n, pos - in, tmp, ss);
      memcpy((uint8_t *)buf + done, tmp + in, nb);
      done += nb;
    }
  }
  fat_env_unlock(fs->lock);
  fat_env_free(tmp);
  return r ? r : done;
}

static void now_fat(struct fat_node *n, bool modify);

long fat_pwrite(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf, size_t len)
{
  uint32_t ss = fs->sector_size;
  if (off >= FAT_MAX_FILE_SIZE && len)
    return -EFBIG;
  len = FAT_MIN((uint64_t)len, FAT_MAX_FILE_SIZE - off);
  uint8_t *tmp = fat_env_zalloc(ss);
  if (!tmp)
    return -ENOMEM;
  fat_env_lock(fs->lock);
  long done = 0;
  int r = n->is_dir ? -EISDIR : 0;
  while (!r && (size_t)done < len) {
    uint64_t pos = off + done;
    size_t left = len - done;
    /* Write no more than the disk can take, so a full disk gives a short write. */
    if ((r = fat_chain_length_locked(fs, n)))
      break;
    uint64_t room = ((uint64_t)n->nclus + fs->free_count) * fs->cluster_size;
    if (pos >= room) {
      r = -ENOSPC;
      break;
    }
    left = FAT_MIN((uint64_t)left, room - pos);
    if (pos % ss == 0 && left >= ss) {
      size_t nb = FAT_MIN(left - left % ss, (size_t)PIO_CHUNK);
      r = write_locked(fs, n, pos, (const uint8_t *)buf + done, nb);
      if (!r)
        done += nb;
    } else {
      size_t in = pos % ss, nb = FAT_MIN(ss - in, left);
      r = read_locked(fs, n, pos - in, tmp, ss);
      if (!r) {
        memcpy(tmp + in, (const uint8_t *)buf + done, nb);
        r = write_locked(fs, n, pos - in, tmp, in + nb);
      }
      if (!r)
        done += nb;
    }
  }
  if (done) {
    if (off + done > n->size)
      n->size = (uint32_t)(off + done);
    now_fat(n, true);
    int r2 = fat_write_entry_locked(fs, n);
    if (!r)
      r = r2;
  }
  /* A failed write may have allocated past what was written: give it back. */
  uint64_t keep = FAT_DIV_UP(FAT_MAX((uint64_t)n->size, n->valid), (uint64_t)fs->cluster_size);
  if (r && n->nclus != FAT_UNKNOWN && keep < n->nclus)
    fat_shrink_locked(fs, n, (uint32_t)keep);
  fat_env_unlock(fs->lock);
  fat_env_free(tmp);
  return done ? done : r;
}

/* ---- sizes, times, attributes ---- */

/* Times kept at what FAT can store: mtime to 2 s, atime to the day. */
static int64_t fat_round_mtime(int64_t t)
{
  uint16_t d, tm;
  fat_time_from_unix(t, &d, &tm);
  return fat_time_to_unix(d, tm);
}

static int64_t fat_round_atime(int64_t t)
{
  uint16_t d, tm;
  fat_time_from_unix(t, &d, &tm);
  return fat_time_to_unix(d, 0);
}

static void now_fat(struct fat_node *n, bool modify)
{
  int32_t ns;
  int64_t now = fat_env_now(&ns);
  if (modify)
    n->mtime = fat_round_mtime(now);
}

/* Change the size of a file: free clusters past it, or allocate and zero. */
static int resize_locked(struct fat_fs *fs, struct fat_node *n, uint64_t size)
{
  if (size > FAT_MAX_FILE_SIZE)
    return -EFBIG;
  int r = fat_chain_length_locked(fs, n);
  if (r)
    return r;
  uint64_t need = FAT_DIV_UP(size, (uint64_t)fs->cluster_size);
  if (need < n->nclus && (r = fat_shrink_locked(fs, n, (uint32_t)need)))
    return r;
  if (size < n->valid)
    n->valid = size;
  if (size > n->valid) {
    if (need > n->nclus && (r = fat_extend_locked(fs, n, (uint32_t)(need - n->nclus), false)))
      return r;
    if ((r = zero_range(fs, n, n->valid, size)))
      return r;
    n->valid = size;
  }
  n->size = (uint32_t)size;
  return 0;
}

void fat_getattr(struct fat_fs *fs, struct fat_node *n, struct fat_attr *a)
{
  fat_env_lock(fs->lock);
  if (n->is_dir)
    fat_chain_length_locked(fs, n);
  a->is_dir = n->is_dir;
  a->read_only = n->attr & FAT_ATTR_RO;
  a->linked = n->linked || n == fs->root;
  a->ino = n->ino;
  a->valid = n->valid;
  a->size = n->is_dir ? (uint64_t)(n->nclus == FAT_UNKNOWN ? 0 : n->nclus) * fs->cluster_size
                      : n->size;
  a->mtime = n->mtime;
  a->atime = n->atime;
  a->crtime = n->crtime;
  a->first = n->first;
  fat_env_unlock(fs->lock);
}

int fat_setattr(struct fat_fs *fs, struct fat_node *n, const struct fat_attr *a, unsigned mask)
{
  fat_env_lock(fs->lock);
  int r = 0;
  bool changed = false;
  if (fs->read_only) {
    r = -EROFS;
    goto out;
  }
  if (mask & FAT_SET_SIZE) {
    if (n->is_dir) {
      r = -EISDIR;
      goto out;
    }
    int64_t keep = n->nclus == FAT_UNKNOWN ? -1 : (int64_t)n->nclus;
    if (a->size != n->size || (keep >= 0 &&
        (uint64_t)keep != FAT_DIV_UP(a->size, (uint64_t)fs->cluster_size)) || a->size > n->valid) {
      if ((r = resize_locked(fs, n, a->size)))
        goto out;
      changed = true;
    }
  }
  if ((mask & FAT_SET_MTIME) && fat_round_mtime(a->mtime) != n->mtime) {
    n->mtime = fat_round_mtime(a->mtime);
    changed = true;
  }
  if ((mask & FAT_SET_ATIME) && fat_round_atime(a->atime) != n->atime) {
    n->atime = fat_round_atime(a->atime);
    changed = true;
  }
  if (mask & FAT_SET_RO) {
    uint8_t attr = a->read_only ? (n->attr | FAT_ATTR_RO) : (n->attr & ~FAT_ATTR_RO);
    if (attr != n->attr) {
      n->attr = attr;
      changed = true;
    }
  }
  if (changed)
    r = fat_write_entry_locked(fs, n);
out:
  fat_env_unlock(fs->lock);
  return r;
}

int fat_reserve(struct fat_fs *fs, struct fat_node *n, uint64_t size, uint64_t *got)
{
  fat_env_lock(fs->lock);
  int r = fs->read_only ? -EROFS : fat_chain_length_locked(fs, n);
  uint64_t cs = fs->cluster_size;
  if (size > FAT_MAX_FILE_SIZE)
    size = FAT_MAX_FILE_SIZE;
  if (!r) {
    uint64_t need = FAT_DIV_UP(size, cs);
    if (need > n->nclus) {
      uint64_t want = need - n->nclus;
      if (fs->free_count != FAT_UNKNOWN && fs->free_count < want) {
        want = fs->free_count;
        r = -ENOSPC;
      }
      int r2 = fat_extend_locked(fs, n, (uint32_t)want, false);
      if (r2)
        r = r2;
    }
  }
  if (got)
    *got = n->nclus == FAT_UNKNOWN ? 0 : FAT_MIN((uint64_t)n->nclus * cs, size);
  fat_env_unlock(fs->lock);
  return r;
}
