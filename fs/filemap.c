/*
 * filemap.c — a file mapped into an address space: the generic
 * vm_operations over the page cache (Linux's mm/filemap.c).
 *
 * Layer: fs, beside fs/pagecache.c (whose pages the mappings share) and
 * fs/file.c (the references a region holds). kern/vm.c, below, calls
 * these only through vma->ops, which a file's mmap operation sets
 * (generic_file_mmap here, or ipc/shm.c's table that counts attaches).
 *
 * Locks: called with the mm's lock held (all but filemap_msync); page
 * faults take the page cache's lock below it (fs/pagecache.c).
 */
#include "fs/filemap.h"
#include "fs/fs_abi.h"
#include "fs/inode.h"
#include "fs/file.h"
#include "fs/pagecache.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/errno.h"

void filemap_vm_open(struct vma *v)
{
  fget(v->file);
}

void filemap_vm_close(struct vma *v)
{
  fput(v->file);
}

struct page *filemap_fault(struct vma *v, uint64_t index)
{
  struct inode *ino = v->file->inode;
  if (index * PAGE_SIZE >= (uint64_t)ino->size && !(v->flags & VMA_SHARED && S_ISCHR(ino->mode)))
    return ERR_PTR(-ENXIO);
  struct page *p = page_cache_get(ino, index, false);
  if (IS_ERR(p))
    return PTR_ERR(p) == -ENOMEM ? p : ERR_PTR(-ENXIO);
  if ((v->flags & VMA_SHARED) && (v->prot & PROT_WRITE))
    page_mark_dirty(p);
  return p;
}

struct page *filemap_fault_cached(struct vma *v, uint64_t index)
{
  struct inode *ino = v->file->inode;
  if (index * PAGE_SIZE >= (uint64_t)ino->size)
    return NULL;
  struct page *p = page_cache_peek(ino, index);
  if (p && !(p->flags & PG_UPTODATE)) {
    put_page(p);
    return NULL;
  }
  return p;
}

void *filemap_msync_hold(struct vma *v)
{
  fget(v->file);
  return v->file;
}

void filemap_msync(void *held)
{
  struct file *f = held;
  page_cache_writeback(f->inode);
  fput(f);
}

const struct vm_operations generic_file_vm_ops = {
  .open = filemap_vm_open,
  .close = filemap_vm_close,
  .fault = filemap_fault,
  .fault_cached = filemap_fault_cached,
  .msync_hold = filemap_msync_hold,
  .msync = filemap_msync,
};

/* file_ops.mmap of files whose data is in the page cache. */
int generic_file_mmap(struct file *f, struct vma *v)
{
  (void)f;
  v->ops = &generic_file_vm_ops;
  return 0;
}
