/*
 * mmap.c — changing an address space's regions: mmap, munmap, mprotect,
 * mlock, brk, mremap, madvise(MADV_DONTNEED) and msync (Linux's mm/mmap.c,
 * mprotect.c, mlock.c, mremap.c, madvise.c, msync.c in one file).
 *
 * Layer: core. Neighbours: kern/vm.c (the mm, its region list and page
 * faults: vma_alloc, vma_insert, unmap_pages, fault_locked ... through
 * kern/vm_internal.h), kern/tlb.c (flushing other harts), the file a
 * region maps only through vma->ops (kern/vm.h). Callers: kern/sys_mm.c,
 * fs/exec.c, ipc/shm.c.
 *
 * Locks: every call takes mm->lock (a mutex) for its whole change; msync
 * writes back after dropping it. The invariants are vm.c's: regions sorted
 * and disjoint, a present user PTE holds a page reference, a PTE that loses
 * a page or permission is flushed everywhere before the call returns.
 */
#include "kern/vm.h"
#include "kern/vm_internal.h"
#include "kern/tlb.h"
#include "kern/mm.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "fs/file.h"
#include <string.h>

/* The access that brings in a page of a region with prot (mlock,
 * MAP_LOCKED): an execute-only page is populated as by a fetch. */
static int populate_access(uint32_t prot)
{
  if (prot & PROT_WRITE)
    return FAULT_WRITE;
  return (prot & PROT_READ) ? FAULT_READ : FAULT_EXEC;
}

/* Is [start, end) free of regions? */
static bool range_free(struct mm *mm, uaddr_t start, uaddr_t end)
{
  struct vma *v = find_vma(mm, start);
  return !v || v->start >= end;
}

/* Find a free range of len bytes, top-down below mm->mmap_base. */
static uaddr_t find_free_range(struct mm *mm, size_t len)
{
  uaddr_t top = mm->mmap_base;
  struct vma *v;
  /* Walk regions from the highest down. */
  for (struct list_head *it = mm->vmas.prev; it != &mm->vmas; it = it->prev) {
    v = list_entry(it, struct vma, link);
    if (v->start >= top)
      continue;
    if (v->end <= top && top - v->end >= len)
      return top - len;
    top = v->start;
    if (top < len + MMAP_MIN_ADDR)
      return 0;
  }
  if (top >= len + MMAP_MIN_ADDR)
    return top - len;
  return 0;
}

/*
 * Cut regions so that none straddles addr: a region [s, e) with s < addr < e
 * becomes [s, addr) and [addr, e).
 */
static int split_at(struct mm *mm, uaddr_t addr)
{
  struct vma *v = find_vma(mm, addr);
  if (!v || v->start >= addr)
    return 0;
  struct vma *tail = vma_alloc(addr, v->end, v->prot, v->flags, v->file, v->ops,
                               v->pgoff + (addr - v->start) / PAGE_SIZE);
  if (!tail)
    return -ENOMEM;
  mm->total_vm -= v->end - addr;
  v->end = addr;
  vma_insert(mm, tail);
  return 0;
}

/* Remove every region (and page) in [start, end). */
static int unmap_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
  if (split_at(mm, start) || split_at(mm, end))
    return -ENOMEM;
  struct tlb_batch tb;
  tlb_batch_init(&tb, mm);
  struct vma *v, *n;
  list_for_each_entry_safe(v, n, &mm->vmas, link) {
    if (v->start >= end)
      break;
    if (v->end <= start)
      continue;
    unmap_pages(&tb, v->start, v->end);
    vma_unlink(mm, v);
    vma_free(v);
  }
  tlb_batch_finish(&tb);
  return 0;
}

/* Merge v with its neighbours when they are the same kind of anonymous memory. */
static void try_merge(struct mm *mm, struct vma *v)
{
  if (v->file)
    return;
  if (v->link.next != &mm->vmas) {
    struct vma *n = list_entry(v->link.next, struct vma, link);
    if (!n->file && n->start == v->end && n->prot == v->prot && n->flags == v->flags) {
      vma_unlink(mm, n);
      mm->total_vm += n->end - n->start; /* now counted as part of v */
      v->end = n->end;
      vma_free(n);
    }
  }
  if (v->link.prev != &mm->vmas) {
    struct vma *p = list_entry(v->link.prev, struct vma, link);
    if (!p->file && p->end == v->start && p->prot == v->prot && p->flags == v->flags) {
      vma_unlink(mm, v);
      mm->total_vm += v->end - v->start; /* now counted as part of p */
      p->end = v->end;
      vma_free(v);
    }
  }
}

long vm_mmap(struct mm *mm, uaddr_t addr, size_t len, uint32_t prot, uint32_t mapflags,
             struct file *file, uint64_t offset)
{
  if (len == 0 || (offset & ~PAGE_MASK))
    return -EINVAL;
  if (file && (!file->fop || !file->fop->mmap))
    return -ENODEV; /* a file kind that cannot be mapped (Linux's do_mmap) */
  len = PGROUNDUP(len);
  if (len == 0 || len >= USER_TOP)
    return -ENOMEM;
  uint32_t type = mapflags & MAP_TYPE;
  if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
    return -EINVAL;
  bool fixed = mapflags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  if (fixed && (addr & ~PAGE_MASK))
    return -EINVAL;
  if (fixed && (addr + len > USER_TOP || addr + len < addr))
    return -ENOMEM;
  if (fixed && addr < MMAP_MIN_ADDR && !capable(CAP_SYS_RAWIO))
    return -EPERM; /* Linux's cap_mmap_addr */

  uint64_t limit = rlimit_cur(RLIMIT_AS);
  /* Linux's heuristic overcommit: a private writable mapping bigger than
   * all of RAM can never be backed, so it is refused up front. */
  if (type == MAP_PRIVATE && (prot & PROT_WRITE) && !(mapflags & MAP_NORESERVE) &&
      len / PAGE_SIZE > nr_total_pages())
    return -ENOMEM;
  mutex_lock(&mm->lock);
  long ret;
  if (limit != RLIM_INFINITY && mm->total_vm + len > limit) {
    ret = -ENOMEM;
    goto out;
  }
  if (mapflags & MAP_FIXED_NOREPLACE) {
    if (!range_free(mm, addr, addr + len)) {
      ret = -EEXIST;
      goto out;
    }
  } else if (mapflags & MAP_FIXED) {
    if ((ret = unmap_range(mm, addr, addr + len)))
      goto out;
  } else {
    addr = PGROUNDDOWN(addr);
    if (!(addr >= MMAP_MIN_ADDR && addr + len <= mm->mmap_base && addr + len > addr &&
          range_free(mm, addr, addr + len)))
      addr = find_free_range(mm, len);
    if (!addr) {
      ret = -ENOMEM;
      goto out;
    }
  }
  uint32_t flags = (type == MAP_PRIVATE) ? 0 : VMA_SHARED;
  if (mapflags & MAP_GROWSDOWN)
    flags |= VMA_STACK;
  bool locked = (mapflags & MAP_LOCKED) || mm->lock_future;
  if (locked)
    flags |= VMA_LOCKED;
  struct vma *v = vma_alloc(addr, addr + len, prot, flags, NULL, NULL, 0);
  if (!v) {
    ret = -ENOMEM;
    goto out;
  }
  if (file) {
    /* The file says how it is mapped (Linux's call_mmap): it sets v->ops. */
    v->file = file;
    v->pgoff = offset / PAGE_SIZE;
    if ((ret = file->fop->mmap(file, v))) {
      kfree(v);
      goto out;
    }
    v->ops->open(v);
  }
  vma_insert(mm, v);
  ret = (long)addr;
  if (locked && !mm->lock_future_onfault && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
    for (uaddr_t va = addr; va < addr + len; va += PAGE_SIZE)
      (void)fault_locked(mm, va, populate_access(prot));
  if (!file && !(flags & VMA_SHARED))
    try_merge(mm, v);
out:
  mutex_unlock(&mm->lock);
  return ret;
}

int vm_munmap(struct mm *mm, uaddr_t addr, size_t len)
{
  if ((addr & ~PAGE_MASK) || len == 0)
    return -EINVAL;
  len = PGROUNDUP(len);
  if (addr >= USER_TOP || addr + len > USER_TOP || addr + len < addr)
    return -EINVAL;
  mutex_lock(&mm->lock);
  int r = unmap_range(mm, addr, addr + len);
  mutex_unlock(&mm->lock);
  return r;
}


/* The PTE for a page of a region after mprotect or on first mapping. */
static pte_t pte_with_prot(pte_t old, uint32_t prot)
{
  paddr_t pa = PTE_TO_PA(old);
  pte_t cow = old & PTE_COW;
  if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
    return PA_TO_PTE(pa) | PTE_PROTNONE | cow;
  uint64_t f = pte_flags_for_prot(prot);
  if (cow)
    f &= ~PTE_W; /* still shared: the write fault will copy it */
  return PA_TO_PTE(pa) | f | cow;
}

int vm_mprotect(struct mm *mm, uaddr_t addr, size_t len, uint32_t prot)
{
  if (addr & ~PAGE_MASK)
    return -EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
    return -EINVAL;
  len = PGROUNDUP(len);
  uaddr_t end = addr + len;
  if (end < addr || end > USER_TOP)
    return -ENOMEM;
  if (len == 0)
    return 0;
  mutex_lock(&mm->lock);
  int r = 0;
  /* The whole range must be mapped, without holes; the first problem in
   * address order decides the error, as on Linux. */
  uaddr_t cur = addr;
  struct vma *v;
  for_each_vma_in(mm, v, addr, end) {
    if (v->start > cur)
      break;
    if ((prot & PROT_WRITE) && (v->flags & VMA_SHARED) && v->file &&
        (!file_writable(v->file) || (v->flags & VMA_NOMAYWRITE))) {
      r = -EACCES;
      goto out;
    }
    cur = v->end;
  }
  if (cur < end) {
    r = -ENOMEM;
    goto out;
  }
  if ((r = split_at(mm, addr)) || (r = split_at(mm, end)))
    goto out;
  for_each_vma_in(mm, v, addr, end) {
    v->prot = prot;
    for (uaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
      pte_t *pte = pt_walk(mm->root, va, false);
      if (pte && pte_present(*pte))
        *pte = pte_with_prot(*pte, prot);
    }
  }
  tlb_flush_mm_range(mm, addr, end);
out:
  mutex_unlock(&mm->lock);
  return r;
}

/*
 * mlock/munlock: set or clear VMA_LOCKED on [addr, addr+len) (page aligned,
 * all mapped: else -ENOMEM), splitting regions at the ends; locking also
 * faults every page in unless `onfault` (MLOCK_ONFAULT). Locked pages are
 * never taken away here anyway (no swap): the flag is what /proc's VmLck,
 * the RLIMIT_MEMLOCK accounting and fork (children do not inherit it) see.
 */
int vm_mlock(struct mm *mm, uaddr_t addr, size_t len, bool lock, bool onfault)
{
  uaddr_t end = addr + len;
  if (end < addr)
    return -ENOMEM;
  if (len == 0)
    return 0;
  mutex_lock(&mm->lock);
  int r = 0;
  struct vma *v;
  if (!vma_range_mapped(mm, addr, end)) {
    r = -ENOMEM;
    goto out;
  }
  if ((r = split_at(mm, addr)) || (r = split_at(mm, end)))
    goto out;
  for_each_vma_in(mm, v, addr, end) {
    if (!lock) {
      v->flags &= ~VMA_LOCKED;
      continue;
    }
    v->flags |= VMA_LOCKED;
    if (onfault || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
      continue;
    for (uaddr_t va = v->start; va < v->end; va += PAGE_SIZE)
      (void)fault_locked(mm, va, populate_access(v->prot));
  }
out:
  mutex_unlock(&mm->lock);
  return r;
}

/* Bytes of mm in locked regions (VmLck); with `within`, only in [start, end). */
uint64_t vm_locked_bytes(struct mm *mm, uaddr_t start, uaddr_t end)
{
  uint64_t n = 0;
  mutex_lock(&mm->lock);
  struct vma *v;
  list_for_each_entry(v, &mm->vmas, link)
    if (v->flags & VMA_LOCKED) {
      uaddr_t s = MAX(v->start, start), e = MIN(v->end, end);
      if (e > s)
        n += e - s;
    }
  mutex_unlock(&mm->lock);
  return n;
}

/*
 * brk: move the end of the heap. Returns the new end, or the old one if the
 * request cannot be met (the Linux convention: brk never fails with errno).
 */
uaddr_t vm_brk(struct mm *mm, uaddr_t newbrk)
{
  mutex_lock(&mm->lock);
  uaddr_t old = mm->brk;
  /* (a break past the top of user space would also wrap PGROUNDUP) */
  if (newbrk < mm->brk_start || newbrk > USER_TOP - PAGE_SIZE)
    goto out;
  uaddr_t old_end = PGROUNDUP(old), new_end = PGROUNDUP(newbrk);
  if (new_end > old_end) {
    uint64_t limit = rlimit_cur(RLIMIT_DATA);
    if (limit != RLIM_INFINITY && new_end - mm->brk_start > limit)
      goto out;
    uint64_t as = rlimit_cur(RLIMIT_AS);
    if (as != RLIM_INFINITY && mm->total_vm + (new_end - old_end) > as)
      goto out;
    if (!range_free(mm, old_end, new_end + PAGE_SIZE))
      goto out;
    struct vma *heap = NULL;
    if (old_end > mm->brk_start) {
      heap = find_vma(mm, old_end - 1);
      if (heap && (heap->flags & VMA_HEAP) && heap->end == old_end) {
        heap->end = new_end;
        mm->total_vm += new_end - old_end;
      } else {
        heap = NULL;
      }
    }
    if (!heap) {
      heap = vma_alloc(old_end, new_end, PROT_READ | PROT_WRITE, VMA_HEAP, NULL, NULL, 0);
      if (!heap)
        goto out;
      vma_insert(mm, heap);
    }
  } else if (new_end < old_end) {
    if (unmap_range(mm, new_end, old_end))
      goto out;
  }
  mm->brk = newbrk;
out:
  newbrk = mm->brk;
  mutex_unlock(&mm->lock);
  return newbrk;
}

/*
 * Move the pages of [old, old+len) to new (regions already set up). The
 * page tables for the destination are made first, so running out of
 * memory (-ENOMEM) leaves every page where it was.
 */
static int move_pages(struct mm *mm, uaddr_t old, uaddr_t new, size_t len)
{
  for (size_t off = 0; off < len; off += PAGE_SIZE) {
    pte_t *src = pt_walk(mm->root, old + off, false);
    if (src && pte_present(*src) && !pt_walk(mm->root, new + off, true))
      return -ENOMEM;
  }
  for (size_t off = 0; off < len; off += PAGE_SIZE) {
    pte_t *src = pt_walk(mm->root, old + off, false);
    if (!src || !pte_present(*src))
      continue;
    pte_t *dst = pt_walk(mm->root, new + off, false);
    *dst = *src;
    *src = 0;
  }
  tlb_flush_mm_range(mm, old, old + len);
  return 0;
}

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

/* Is [start, start+len) a range of user addresses (no wrap past 2^64)? */
static bool user_range_ok(uaddr_t start, size_t len)
{
  return start <= USER_TOP && len <= USER_TOP - start;
}

/*
 * The region being resized (Linux's vma_to_resize): [old, old+oldlen)
 * must lie in one region (EFAULT), and growing must fit RLIMIT_AS.
 */
static struct vma *vma_to_resize(struct mm *mm, uaddr_t old, size_t oldlen, size_t newlen, long *err)
{
  struct vma *v = find_vma(mm, old);
  if (!v || v->start > old || oldlen > v->end - old) {
    *err = -EFAULT;
    return NULL;
  }
  uint64_t as = rlimit_cur(RLIMIT_AS);
  if (newlen > oldlen && as != RLIM_INFINITY && mm->total_vm + (newlen - oldlen) > as) {
    *err = -ENOMEM;
    return NULL;
  }
  return v;
}

/* Move [old, old+oldlen) of region v to a new region at dest of newlen bytes. */
static long move_region(struct mm *mm, uaddr_t old, size_t oldlen, size_t newlen, uaddr_t dest)
{
  long r;
  if ((r = split_at(mm, old)) || (r = split_at(mm, old + oldlen)))
    return r;
  struct vma *v = find_vma(mm, old);
  struct vma *nv = vma_alloc(dest, dest + newlen, v->prot, v->flags, v->file, v->ops, v->pgoff);
  if (!nv)
    return -ENOMEM;
  vma_insert(mm, nv);
  if ((r = move_pages(mm, old, dest, MIN(oldlen, newlen)))) {
    vma_unlink(mm, nv);
    vma_free(nv);
    return r;
  }
  struct tlb_batch tb;
  tlb_batch_init(&tb, mm);
  unmap_pages(&tb, old, old + oldlen);
  tlb_batch_finish(&tb);
  vma_unlink(mm, v);
  vma_free(v);
  return (long)dest;
}

/*
 * mremap in Linux's order: flags, alignment, lengths (EINVAL); a fixed
 * destination (EINVAL out of range or overlapping); shrinking is an
 * unmap of the tail; growing needs one region under [old, old+oldlen)
 * (EFAULT), then grows in place if the space after is free, or moves
 * (MREMAP_MAYMOVE), else ENOMEM. No range ever wraps past 2^64.
 */
long vm_mremap(struct mm *mm, uaddr_t old, size_t oldlen, size_t newlen, int flags, uaddr_t newaddr)
{
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
    return -EINVAL;
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
    return -EINVAL;
  if (old & ~PAGE_MASK)
    return -EINVAL;
  oldlen = PGROUNDUP(oldlen);
  newlen = PGROUNDUP(newlen);
  if (newlen == 0 || oldlen == 0)
    return -EINVAL;
  mutex_lock(&mm->lock);
  long r;
  struct vma *v;
  if (flags & MREMAP_FIXED) {
    r = -EINVAL;
    if ((newaddr & ~PAGE_MASK) || !user_range_ok(newaddr, newlen) ||
        (old < newaddr + newlen && newaddr < old + oldlen))
      goto out;
    r = -EPERM;
    if (newaddr < MMAP_MIN_ADDR && !capable(CAP_SYS_RAWIO))
      goto out;
    if ((r = unmap_range(mm, newaddr, newaddr + newlen)))
      goto out;
    if (oldlen > newlen) {
      r = -EINVAL;
      if (!user_range_ok(old, oldlen))
        goto out;
      if ((r = unmap_range(mm, old + newlen, old + oldlen)))
        goto out;
      oldlen = newlen;
    }
    if (!(v = vma_to_resize(mm, old, oldlen, newlen, &r)))
      goto out;
    r = move_region(mm, old, oldlen, newlen, newaddr);
    goto out;
  }
  if (oldlen >= newlen) {
    r = -EINVAL;
    if (!user_range_ok(old, oldlen))
      goto out;
    if (oldlen > newlen && (r = unmap_range(mm, old + newlen, old + oldlen)))
      goto out;
    r = (long)old;
    goto out;
  }
  if (!(v = vma_to_resize(mm, old, oldlen, newlen, &r)))
    goto out;
  /* Grow in place when the region ends here and the space after is free. */
  if (old + oldlen == v->end && user_range_ok(old, newlen) && range_free(mm, v->end, old + newlen)) {
    mm->total_vm += old + newlen - v->end;
    v->end = old + newlen;
    r = (long)old;
    goto out;
  }
  r = -ENOMEM;
  if (!(flags & MREMAP_MAYMOVE) || newlen >= USER_TOP)
    goto out;
  uaddr_t dest = find_free_range(mm, newlen);
  if (dest)
    r = move_region(mm, old, oldlen, newlen, dest);
out:
  mutex_unlock(&mm->lock);
  return r;
}

/* MADV_DONTNEED: private pages go away; the next touch sees zeros (or the file). */
int vm_madvise_dontneed(struct mm *mm, uaddr_t addr, size_t len)
{
  if (addr & ~PAGE_MASK)
    return -EINVAL;
  len = PGROUNDUP(len);
  mutex_lock(&mm->lock);
  struct tlb_batch tb;
  tlb_batch_init(&tb, mm);
  struct vma *v;
  for_each_vma_in(mm, v, addr, addr + len) {
    if (v->flags & (VMA_SHARED | VMA_VDSO))
      continue;
    unmap_pages(&tb, MAX(v->start, addr), MIN(v->end, addr + len));
  }
  tlb_batch_finish(&tb);
  mutex_unlock(&mm->lock);
  return 0;
}

/* msync: write back shared file pages in the range. */
int vm_msync(struct mm *mm, uaddr_t addr, size_t len, int flags)
{
  if (addr & ~PAGE_MASK)
    return -EINVAL;
  len = PGROUNDUP(len);
  /* Written back after mm->lock is dropped (a file system's write-back
   * may wait for a writer that is faulting on this mm). */
  struct { const struct vm_operations *ops; void *held; } wb[16];
  int n = 0;
  mutex_lock(&mm->lock);
  struct vma *v;
  int r = 0;
  uaddr_t cur = addr;
  for_each_vma_in(mm, v, addr, addr + len) {
    if (v->start > cur)
      r = -ENOMEM;
    cur = v->end;
    if ((flags & 2 /* MS_INVALIDATE */) && (v->flags & VMA_LOCKED) && !r) {
      r = -EBUSY; /* locked pages cannot be invalidated */
      break;
    }
    if ((v->flags & VMA_SHARED) && v->file && v->ops->msync_hold && n < 16) {
      void *held = v->ops->msync_hold(v);
      if (held) {
        wb[n].ops = v->ops;
        wb[n++].held = held;
      }
    }
  }
  if (cur < addr + len)
    r = -ENOMEM;
  mutex_unlock(&mm->lock);
  for (int i = 0; i < n; i++)
    wb[i].ops->msync(wb[i].held);
  return r;
}
