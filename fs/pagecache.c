/*
 * pagecache.c — the pages of files, and read/write through them (mappings
 * fault them in through fs/filemap.c).
 *
 * Each inode has a page cache: a radix tree (64 slots per node, growing
 * in height as the file grows) from page index to struct page. The tree
 * holds one reference on each page. Reads, writes and mmap faults all find
 * pages here, so there is one copy of a file's data in memory, which
 * mappings share (docs/lessons.md L7: avoid double buffering).
 *
 * A file system provides readpage (fill a page from its storage; missing:
 * pages start zeroed, as for ramfs) and writepage (store a dirty page;
 * missing: pages live only in memory). pc->lock serialises changes to one
 * file's tree; it ranks below mm->lock and inode->lock.
 *
 * Layer: fs, the VFS core (fs/pagecache.h). Above: generic_file_read and
 * _write's callers (each file system's file_ops), fs/filemap.c (faults),
 * sync and truncate. Below: the page allocator (kern/) and the file
 * systems' readpage/writepage.
 */
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "fs/perm.h"
#include "kern/mm.h"
#include "kern/uio.h"
#include "kern/vm.h"
#include "kern/task.h"
#include "kern/errno.h"
#include <string.h>

#define PC_SHIFT 6
#define PC_SLOTS (1 << PC_SHIFT)
#define PC_MASK (PC_SLOTS - 1)

static const char zero_page[PAGE_SIZE]; /* what a hole of a memory-only file reads as */

struct pc_node {
  void *slot[PC_SLOTS];
};

void page_cache_init(struct page_cache *pc)
{
  mutex_init(&pc->lock, "pagecache");
  pc->root = NULL;
  pc->height = 0;
  pc->nrpages = 0;
}

static uint64_t max_index(int height)
{
  return height >= 10 ? UINT64_MAX : (1ULL << (PC_SHIFT * height));
}

static struct page *pc_lookup(struct page_cache *pc, uint64_t index)
{
  if (pc->height == 0 || index >= max_index(pc->height))
    return NULL;
  struct pc_node *n = pc->root;
  for (int level = pc->height - 1; level > 0 && n; level--)
    n = n->slot[(index >> (PC_SHIFT * level)) & PC_MASK];
  return n ? n->slot[index & PC_MASK] : NULL;
}

static int pc_insert(struct page_cache *pc, uint64_t index, struct page *p)
{
  while (pc->height == 0 || index >= max_index(pc->height)) {
    struct pc_node *root = kzalloc(sizeof(*root));
    if (!root)
      return -ENOMEM;
    root->slot[0] = pc->root;
    pc->root = root;
    pc->height++;
  }
  struct pc_node *n = pc->root;
  for (int level = pc->height - 1; level > 0; level--) {
    void **slot = &n->slot[(index >> (PC_SHIFT * level)) & PC_MASK];
    if (!*slot && !(*slot = kzalloc(sizeof(struct pc_node))))
      return -ENOMEM;
    n = *slot;
  }
  n->slot[index & PC_MASK] = p;
  pc->nrpages++;
  return 0;
}

/* Visit every page with index >= from; fn may remove it (return true). */
static void pc_walk(struct page_cache *pc, struct pc_node *n, int level, uint64_t base,
                    uint64_t from, bool (*fn)(struct page_cache *, struct page *, void *),
                    void *arg)
{
  uint64_t span = 1ULL << (PC_SHIFT * level);
  for (int i = 0; i < PC_SLOTS; i++) {
    uint64_t start = base + i * span;
    if (!n->slot[i] || start + span <= from)
      continue;
    if (level == 0) {
      if (fn(pc, n->slot[i], arg)) {
        n->slot[i] = NULL;
        pc->nrpages--;
      }
    } else {
      pc_walk(pc, n->slot[i], level - 1, start, from, fn, arg);
    }
  }
}

static void pc_free_nodes(struct pc_node *n, int level)
{
  if (!n)
    return;
  if (level > 0)
    for (int i = 0; i < PC_SLOTS; i++)
      pc_free_nodes(n->slot[i], level - 1);
  kfree(n);
}

static void for_each_page(struct page_cache *pc, uint64_t from,
                          bool (*fn)(struct page_cache *, struct page *, void *), void *arg)
{
  if (pc->height)
    pc_walk(pc, pc->root, pc->height - 1, 0, from, fn, arg);
}

/* A memory-only file's tmpfs super block (its pages are charged to it), or NULL. */
static struct super_block *limited_sb(const struct inode *ino);

uint64_t vfs_nr_shmem_pages; /* atomic: /proc/meminfo's Shmem */

/* One more page for sb: false (ENOSPC) past its size limit (none if 0). */
static bool sb_charge(struct super_block *sb)
{
  uint64_t max = READ_ONCE(sb->max_pages);
  if (__atomic_add_fetch(&sb->nr_pages, 1, __ATOMIC_RELAXED) <= max || !max) {
    __atomic_add_fetch(&vfs_nr_shmem_pages, 1, __ATOMIC_RELAXED);
    return true;
  }
  __atomic_sub_fetch(&sb->nr_pages, 1, __ATOMIC_RELAXED);
  return false;
}

static void sb_uncharge(struct super_block *sb)
{
  __atomic_sub_fetch(&sb->nr_pages, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&vfs_nr_shmem_pages, 1, __ATOMIC_RELAXED);
}

struct page *page_cache_get(struct inode *ino, uint64_t index, bool create)
{
  (void)create;
  struct page_cache *pc = &ino->pages;
  mutex_lock(&pc->lock);
  struct page *p = pc_lookup(pc, index);
  if (!p) {
    struct super_block *lsb = limited_sb(ino);
    if (lsb && !sb_charge(lsb)) {
      mutex_unlock(&pc->lock);
      return ERR_PTR(-ENOSPC);
    }
    p = alloc_page();
    if (!p) {
      if (lsb)
        sb_uncharge(lsb);
      mutex_unlock(&pc->lock);
      return ERR_PTR(-ENOMEM);
    }
    page_set_use(p, PU_FILE);
    if (lsb)
      p->flags |= PG_CHARGED;
    if (ino->iop && ino->iop->readpage && (off_t)(index * PAGE_SIZE) < ino->size) {
      int r = ino->iop->readpage(ino, p, index);
      if (r) {
        put_page(p);
        mutex_unlock(&pc->lock);
        return ERR_PTR(r);
      }
    }
    if (pc_insert(pc, index, p)) {
      if (lsb)
        sb_uncharge(lsb);
      put_page(p);
      mutex_unlock(&pc->lock);
      return ERR_PTR(-ENOMEM);
    }
    p->cache.owner = pc;
    p->cache.index = index;
    p->flags |= PG_UPTODATE;
  }
  get_page(p);
  mutex_unlock(&pc->lock);
  return p;
}

/* The page if it is cached (referenced), else NULL: nothing is read or made. */
struct page *page_cache_peek(struct inode *ino, uint64_t index)
{
  struct page_cache *pc = &ino->pages;
  mutex_lock(&pc->lock);
  struct page *p = pc_lookup(pc, index);
  if (p)
    get_page(p);
  mutex_unlock(&pc->lock);
  return p;
}

/* A file whose data lives only in its page cache (ramfs, tmpfs, shm): no readpage. */
static bool memory_only(const struct inode *ino)
{
  return !ino->iop || !ino->iop->readpage;
}

static struct super_block *limited_sb(const struct inode *ino)
{
  return memory_only(ino) && ino->sb && ino->sb->shmem ? ino->sb : NULL;
}

/*
 * SEEK_DATA and SEEK_HOLE for memory-only files: data is where pages
 * exist, holes where they do not (tmpfs's mapping_seek_hole_data).
 */
static off_t seek_hole_data(struct inode *ino, off_t off, int whence)
{
  off_t size = READ_ONCE(ino->size);
  if (off < 0 || off >= size)
    return -ENXIO;
  struct page_cache *pc = &ino->pages;
  uint64_t last = (uint64_t)(size - 1) / PAGE_SIZE;
  mutex_lock(&pc->lock);
  uint64_t idx = (uint64_t)off / PAGE_SIZE;
  bool want_data = whence == SEEK_DATA;
  while (idx <= last && (pc_lookup(pc, idx) != NULL) != want_data)
    idx++;
  mutex_unlock(&pc->lock);
  if (idx > last)
    return want_data ? -ENXIO : size;
  off_t at = (off_t)(idx * PAGE_SIZE);
  return at > off ? at : off;
}

void page_mark_dirty(struct page *p)
{
  p->flags |= PG_DIRTY;
}

static bool drop_page(struct page_cache *pc, struct page *p, void *arg)
{
  (void)arg;
  if (p->flags & PG_CHARGED) {
    sb_uncharge(container_of(pc, struct inode, pages)->sb);
    p->flags &= (uint16_t)~PG_CHARGED;
  }
  p->cache.owner = NULL;
  put_page(p);
  return true;
}

/* Drop pages wholly past size; zero the part of the last page past size. */
void page_cache_truncate(struct inode *ino, off_t size)
{
  struct page_cache *pc = &ino->pages;
  mutex_lock(&pc->lock);
  uint64_t first = DIV_ROUND_UP((uint64_t)size, PAGE_SIZE);
  for_each_page(pc, first, drop_page, NULL);
  if (size % PAGE_SIZE) {
    struct page *p = pc_lookup(pc, size / PAGE_SIZE);
    if (p)
      memset((char *)page_to_kva(p) + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
  }
  mutex_unlock(&pc->lock);
}

void page_cache_release_all(struct inode *ino)
{
  struct page_cache *pc = &ino->pages;
  mutex_lock(&pc->lock);
  for_each_page(pc, 0, drop_page, NULL);
  pc_free_nodes(pc->root, pc->height - 1);
  pc->root = NULL;
  pc->height = 0;
  mutex_unlock(&pc->lock);
}

struct writeback_ctx {
  struct inode *ino;
  int err;
};

static bool write_page(struct page_cache *pc, struct page *p, void *arg)
{
  (void)pc;
  struct writeback_ctx *w = arg;
  if (!(p->flags & PG_DIRTY))
    return false;
  p->flags &= ~PG_DIRTY;
  int r = w->ino->iop->writepage(w->ino, p, p->cache.index);
  if (r) {
    p->flags |= PG_DIRTY;
    w->err = r;
  }
  return false;
}

int page_cache_writeback(struct inode *ino)
{
  if (!ino->iop || !ino->iop->writepage)
    return 0;
  struct writeback_ctx w = { ino, 0 };
  mutex_lock(&ino->pages.lock);
  for_each_page(&ino->pages, 0, write_page, &w);
  mutex_unlock(&ino->pages.lock);
  return w.err;
}

/* ---- generic file operations over the page cache ---- */

ssize_t generic_file_read(struct file *f, struct uio *u, off_t *pos)
{
  struct inode *ino = f->inode;
  ssize_t total = 0;
  if (*pos < 0)
    return -EINVAL;
  while (u->resid > 0) {
    off_t size = READ_ONCE(ino->size);
    if (*pos >= size)
      break;
    uint64_t index = *pos / PAGE_SIZE;
    size_t off = *pos % PAGE_SIZE;
    size_t n = MIN(MIN(PAGE_SIZE - off, u->resid), (size_t)(size - *pos));
    struct page *p = memory_only(ino) ? page_cache_peek(ino, index) : page_cache_get(ino, index, false);
    if (IS_ERR(p))
      return total ? total : PTR_ERR(p);
    /* a hole of a memory-only file reads as zeros and stays a hole */
    long c = uio_copy_to(u, p ? (char *)page_to_kva(p) + off : (char *)zero_page + off, n);
    if (p)
      put_page(p);
    if (c < 0)
      return total ? total : c;
    total += c;
    *pos += c;
    if ((size_t)c < n)
      break;
  }
  return total;
}

/*
 * Write the whole page at index of a memory-only file that has no page
 * there yet. The page is filled from u before it goes in the cache, so it
 * is not zeroed first (as Linux's shmem_write_begin: a file written in
 * whole pages, like the initramfs's, was zeroed and then copied over) and
 * no reader sees it half written. The copy runs without pc->lock: a fault
 * on u may need that lock (u can be a mapping of this very file). Returns
 * the bytes copied, a negative error, or 0 if the page is cached already
 * (the caller writes through page_cache_get). Caller holds ino->lock.
 */
static long write_new_page(struct inode *ino, uint64_t index, struct uio *u)
{
  struct page_cache *pc = &ino->pages;
  mutex_lock(&pc->lock);
  bool cached = pc_lookup(pc, index) != NULL;
  mutex_unlock(&pc->lock);
  if (cached)
    return 0;
  struct super_block *lsb = limited_sb(ino);
  if (lsb && !sb_charge(lsb))
    return -ENOSPC;
  struct page *p = alloc_pages_nozero(0);
  long c = p ? uio_copy_from(u, page_to_kva(p), PAGE_SIZE) : -ENOMEM;
  if (c <= 0)
    goto fail;
  memset((char *)page_to_kva(p) + c, 0, PAGE_SIZE - c); /* a fault cut the copy short */
  mutex_lock(&pc->lock);
  struct page *q = pc_lookup(pc, index);
  if (q) { /* a fault on a mapping made the page meanwhile */
    memcpy(page_to_kva(q), page_to_kva(p), c);
    page_mark_dirty(q);
    mutex_unlock(&pc->lock);
    goto fail;
  }
  int r = pc_insert(pc, index, p);
  if (r) {
    mutex_unlock(&pc->lock);
    c = r;
    goto fail;
  }
  page_set_use(p, PU_FILE);
  p->flags |= PG_UPTODATE | PG_DIRTY | (lsb ? PG_CHARGED : 0);
  p->cache.owner = pc;
  p->cache.index = index;
  mutex_unlock(&pc->lock);
  return c;
fail: /* c: the bytes copied into a page already cached, or the error */
  if (lsb)
    sb_uncharge(lsb);
  if (p)
    free_pages(p, 0);
  return c;
}

int page_cache_give(struct inode *ino, uint64_t index, struct page *p)
{
  if (!memory_only(ino))
    return -EINVAL;
  struct super_block *lsb = limited_sb(ino);
  if (lsb && !sb_charge(lsb))
    return -ENOSPC;
  struct page_cache *pc = &ino->pages;
  mutex_lock(&ino->lock);
  mutex_lock(&pc->lock);
  int r = pc_lookup(pc, index) ? -EEXIST : pc_insert(pc, index, p);
  if (!r) {
    page_set_use(p, PU_FILE);
    p->flags |= PG_UPTODATE | PG_DIRTY | (lsb ? PG_CHARGED : 0);
    p->cache.owner = pc;
    p->cache.index = index;
    if (ino->size < (off_t)((index + 1) * PAGE_SIZE))
      ino->size = (off_t)((index + 1) * PAGE_SIZE);
  }
  mutex_unlock(&pc->lock);
  if (!r)
    inode_touch(ino, true);
  mutex_unlock(&ino->lock);
  if (r && lsb)
    sb_uncharge(lsb);
  return r;
}

ssize_t generic_file_write(struct file *f, struct uio *u, off_t *pos)
{
  struct inode *ino = f->inode;
  ssize_t total = 0;
  mutex_lock(&ino->lock);
  if (f->flags & O_APPEND)
    *pos = ino->size;
  if (*pos < 0) {
    mutex_unlock(&ino->lock);
    return -EINVAL;
  }
  uint64_t limit = rlimit_cur(RLIMIT_FSIZE);
  if (limit != RLIM_INFINITY && (uint64_t)*pos >= limit && u->resid > 0) {
    mutex_unlock(&ino->lock);
    send_signal_task(current, SIGXFSZ, NULL);
    return -EFBIG;
  }
  if (u->resid > 0 && (ino->seals & F_SEALS_WRITE)) { /* a sealed memfd (fs/ramfs.c) */
    mutex_unlock(&ino->lock);
    return -EPERM;
  }
  if (u->resid > 0 && (ino->mode & (S_ISUID | S_ISGID)))
    file_remove_privs(ino);
  while (u->resid > 0) {
    uint64_t index = *pos / PAGE_SIZE;
    size_t off = *pos % PAGE_SIZE;
    size_t n = MIN(PAGE_SIZE - off, u->resid);
    if (limit != RLIM_INFINITY && (uint64_t)*pos + n > limit)
      n = limit - *pos;
    if (n == 0)
      break;
    if ((ino->seals & F_SEAL_GROW) && *pos + (off_t)n > ino->size) {
      if (!total) /* Linux's shmem_write_begin: the page that would grow it fails */
        total = -EPERM;
      break;
    }
    long c = 0;
    if (off == 0 && n == PAGE_SIZE && memory_only(ino))
      c = write_new_page(ino, index, u);
    if (c == 0) {
      struct page *p = page_cache_get(ino, index, true);
      if (IS_ERR(p)) {
        if (!total)
          total = PTR_ERR(p);
        break;
      }
      c = uio_copy_from(u, (char *)page_to_kva(p) + off, n);
      if (c > 0)
        page_mark_dirty(p);
      put_page(p);
    }
    if (c < 0) {
      if (!total)
        total = c;
      break;
    }
    total += c;
    *pos += c;
    if (*pos > ino->size)
      ino->size = *pos;
    if ((size_t)c < n)
      break;
  }
  if (total > 0)
    inode_touch(ino, true);
  mutex_unlock(&ino->lock);
  return total;
}

int generic_file_fsync(struct file *f, bool datasync)
{
  struct inode *ino = f->inode;
  int r = page_cache_writeback(ino);
  if (!datasync && ino->dirty && ino->iop && ino->iop->write_inode) {
    int r2 = ino->iop->write_inode(ino);
    if (!r)
      r = r2;
  }
  if (ino->sb && ino->sb->ops && ino->sb->ops->sync) {
    int r3 = ino->sb->ops->sync(ino->sb);
    if (!r)
      r = r3;
  }
  return r;
}

off_t llseek_size(struct file *f, off_t off, int whence, off_t maxsize, off_t eof)
{
  switch (whence) {
  case SEEK_SET:
    break;
  case SEEK_CUR:
    if (off == 0)
      return f->pos;
    if (__builtin_add_overflow(f->pos, off, &off))
      return -EINVAL;
    break;
  case SEEK_END:
    if (__builtin_add_overflow(eof, off, &off))
      return -EINVAL;
    break;
  case SEEK_DATA: /* the whole file is data: compared unsigned, so negative is ENXIO */
    if ((uint64_t)off >= (uint64_t)eof)
      return -ENXIO;
    break;
  case SEEK_HOLE:
    if ((uint64_t)off >= (uint64_t)eof)
      return -ENXIO;
    off = eof;
    break;
  default:
    return -EINVAL;
  }
  if (off < 0 || off > maxsize)
    return -EINVAL;
  f->pos = off;
  return off;
}

off_t generic_llseek(struct file *f, off_t off, int whence)
{
  struct inode *ino = f->inode;
  if ((whence == SEEK_DATA || whence == SEEK_HOLE) && ino && S_ISREG(ino->mode) && memory_only(ino)) {
    off_t r = seek_hole_data(ino, off, whence);
    if (r >= 0)
      f->pos = r;
    return r;
  }
  return llseek_size(f, off, whence, OFF_MAX, ino ? READ_ONCE(ino->size) : 0);
}

off_t counter_llseek(struct file *f, off_t off, int whence)
{
  if (whence == SEEK_CUR) {
    if (__builtin_add_overflow(f->pos, off, &off))
      return -EINVAL;
  } else if (whence != SEEK_SET) {
    return -EINVAL;
  }
  if (off < 0)
    return -EINVAL;
  return f->pos = off;
}

/* Change a file's size (inode->lock held). */
int vfs_truncate(struct inode *ino, off_t size)
{
  if (size < 0)
    return -EINVAL;
  if (S_ISDIR(ino->mode))
    return -EISDIR;
  if (!S_ISREG(ino->mode))
    return -EINVAL;
  uint64_t limit = rlimit_cur(RLIMIT_FSIZE);
  if (limit != RLIM_INFINITY && (uint64_t)size > limit)
    return -EFBIG;
  if ((size < ino->size && (ino->seals & F_SEAL_SHRINK)) || (size > ino->size && (ino->seals & F_SEAL_GROW)))
    return -EPERM; /* a sealed memfd */
  if (ino->iop && ino->iop->truncate) {
    int r = ino->iop->truncate(ino, size);
    if (r)
      return r;
  }
  if (size < ino->size)
    page_cache_truncate(ino, size);
  ino->size = size;
  inode_touch(ino, true);
  return 0;
}

/* ---- fallocate ---- */

static bool drop_page_before(struct page_cache *pc, struct page *p, void *arg)
{
  return p->cache.index < *(uint64_t *)arg && drop_page(pc, p, NULL);
}

/* Zero the bytes of [start, end) that fall in page idx, if it is cached. */
static void zero_in_page(struct page_cache *pc, uint64_t idx, off_t start, off_t end)
{
  struct page *p = pc_lookup(pc, idx);
  off_t base = (off_t)(idx * PAGE_SIZE);
  off_t from = MAX(start, base), to = MIN(end, base + (off_t)PAGE_SIZE);
  if (p && from < to)
    memset((char *)page_to_kva(p) + (from - base), 0, (size_t)(to - from));
}

/* A hole punched in [start, end): drop its whole pages, zero the rest of it. */
void page_cache_punch(struct inode *ino, off_t start, off_t end)
{
  struct page_cache *pc = &ino->pages;
  mutex_lock(&pc->lock);
  uint64_t first = DIV_ROUND_UP((uint64_t)start, PAGE_SIZE), stop = (uint64_t)end / PAGE_SIZE;
  if (first < stop)
    for_each_page(pc, first, drop_page_before, &stop);
  zero_in_page(pc, (uint64_t)start / PAGE_SIZE, start, end);
  zero_in_page(pc, (uint64_t)(end - 1) / PAGE_SIZE, start, end);
  mutex_unlock(&pc->lock);
}

/*
 * fallocate() for a file that lives only in the page cache (ramfs,
 * tmpfs): mode 0 and FALLOC_FL_KEEP_SIZE make the pages of [off, off+len)
 * exist (ENOSPC when memory runs out; pages made before that stay);
 * FALLOC_FL_PUNCH_HOLE frees the whole pages of the range and zeroes the
 * rest of it. The caller holds ino->lock and has checked the arguments.
 */
static int memory_fallocate(struct inode *ino, int mode, off_t off, off_t len)
{
  off_t end = off + len;
  if (mode & FALLOC_FL_PUNCH_HOLE) {
    if (ino->seals & F_SEALS_WRITE)
      return -EPERM;
    end = MIN(end, ino->size);
    if (off >= end)
      return 0;
    page_cache_punch(ino, off, end);
    inode_touch(ino, true);
    return 0;
  }
  if ((ino->seals & F_SEAL_GROW) && end > ino->size)
    return -EPERM; /* even with FALLOC_FL_KEEP_SIZE, as Linux's shmem_fallocate */
  uint64_t first = (uint64_t)off / PAGE_SIZE, stop = DIV_ROUND_UP((uint64_t)end, PAGE_SIZE);
  struct super_block *lsb = limited_sb(ino);
  if (lsb && READ_ONCE(lsb->max_pages)) { /* as Linux's shmem_fallocate: no room, ENOSPC before anything is made */
    uint64_t max = READ_ONCE(lsb->max_pages), used = READ_ONCE(lsb->nr_pages), missing = 0;
    if (stop - first > max)
      return -ENOSPC;
    mutex_lock(&ino->pages.lock);
    for (uint64_t idx = first; idx < stop; idx++)
      missing += pc_lookup(&ino->pages, idx) == NULL;
    mutex_unlock(&ino->pages.lock);
    if (used + missing > max)
      return -ENOSPC;
  }
  for (uint64_t idx = first; idx < stop; idx++) {
    struct page *p = page_cache_get(ino, idx, true);
    if (IS_ERR(p))
      return PTR_ERR(p) == -ENOMEM ? -ENOSPC : PTR_ERR(p);
    put_page(p);
  }
  if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
    return vfs_truncate(ino, end);
  return 0;
}

/*
 * fallocate(): the file system's own if it has one; memory-only files
 * above; otherwise (a disk file system without it) mode 0 grows the file
 * like truncate and the other modes are EOPNOTSUPP.
 */
int vfs_fallocate(struct inode *ino, int mode, off_t off, off_t len)
{
  uint64_t limit = rlimit_cur(RLIMIT_FSIZE);
  if (!(mode & FALLOC_FL_KEEP_SIZE) && limit != RLIM_INFINITY && (uint64_t)(off + len) > limit)
    return -EFBIG;
  if (ino->iop && ino->iop->fallocate)
    return ino->iop->fallocate(ino, mode, off, len);
  if (!ino->iop || !ino->iop->readpage)
    return memory_fallocate(ino, mode, off, len);
  if (mode != 0)
    return -EOPNOTSUPP;
  return off + len > ino->size ? vfs_truncate(ino, off + len) : 0;
}
