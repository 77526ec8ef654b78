/*
 * vm.c — user address spaces: regions, page faults, copy-on-write,
 * mmap/munmap/mprotect/mremap/brk.
 *
 * Invariants:
 *  - mm->vmas is sorted and regions never overlap.
 *  - A present PTE is writable only if its region allows writing and the
 *    page is not shared copy-on-write (PTE_COW).
 *  - Every present user PTE holds one reference on its page (put_page on
 *    unmap). The trampoline page belongs to the kernel image (PG_RESERVED),
 *    so references to it are not counted.
 *
 * All functions here expect mm->lock held unless they say otherwise.
 *
 * Other harts may run threads of the same mm: a PTE that loses a page or
 * a permission is flushed from every hart that may cache it before the
 * page is freed or the call returns (kern/tlb.h).
 */
#include "kern/vm.h"
#include "kern/tlb.h"
#include "kern/mm.h"
#include "kern/task.h"
#include "kern/cred.h"
#include "kern/printk.h"
#include "kern/errno.h"
#include "fs/vfs.h"
#include "arch/riscv/vdso/vdso.h"
#include <string.h>

struct mm *mm_create(void)
{
  struct mm *mm = kzalloc(sizeof(*mm));
  if (!mm)
    return NULL;
  mm->root = pt_create_user();
  if (!mm->root) {
    kfree(mm);
    return NULL;
  }
  mm->asid = asid_alloc();
  mm->satp = MAKE_SATP(kva_to_pa(mm->root), mm->asid);
  mm->refcount = 1;
  mutex_init(&mm->lock, "mm");
  list_init(&mm->vmas);
  mm->mmap_base = USER_MMAP_BASE;
  return mm;
}

void mm_get(struct mm *mm)
{
  __atomic_add_fetch(&mm->refcount, 1, __ATOMIC_RELAXED);
}

/* Does v count in its inode's mmap_writable (shared, and may be made writable)? */
static bool vma_counts_writable(const struct vma *v)
{
  return (v->flags & VMA_SHARED) && !(v->flags & VMA_NOMAYWRITE) && v->file && v->file->inode &&
         file_writable(v->file);
}

/*
 * A new region (mm->lock held). A shared mapping that may write is counted
 * in its inode's mmap_writable; vm_mmap has checked that a seal allows it,
 * and a copy or a piece of a counted region is allowed by its original.
 */
static struct vma *vma_alloc(uaddr_t start, uaddr_t end, uint32_t prot, uint32_t flags,
                             struct file *file, uint64_t pgoff)
{
  struct vma *v = kzalloc(sizeof(*v));
  if (!v)
    return NULL;
  list_init(&v->link);
  v->start = start;
  v->end = end;
  v->prot = prot;
  v->flags = flags;
  v->file = file;
  v->pgoff = pgoff;
  if (vma_counts_writable(v))
    __atomic_add_fetch(&file->inode->mmap_writable, 1, __ATOMIC_RELAXED); /* (see vm_mmap) */
  if (file) {
    fget(file);
    if (file->fop && file->fop->vm_open)
      file->fop->vm_open(file);
  }
  return v;
}

static void vma_free(struct vma *v)
{
  if (vma_counts_writable(v))
    inode_unmap_writable(v->file->inode);
  if (v->file) {
    if (v->file->fop && v->file->fop->vm_close)
      v->file->fop->vm_close(v->file);
    fput(v->file);
  }
  kfree(v);
}

/* Link v into the sorted list. */
static void vma_insert(struct mm *mm, struct vma *v)
{
  struct vma *pos;
  list_for_each_entry(pos, &mm->vmas, link)
    if (pos->start >= v->end)
      break;
  list_add_tail(&v->link, &pos->link);
  mm->nr_vmas++;
  mm->total_vm += v->end - v->start;
}

static void vma_unlink(struct mm *mm, struct vma *v)
{
  list_del(&v->link);
  mm->nr_vmas--;
  mm->total_vm -= v->end - v->start;
}

/* The first region that ends above addr (it may start above addr, too). */
struct vma *find_vma(struct mm *mm, uaddr_t addr)
{
  struct vma *v;
  list_for_each_entry(v, &mm->vmas, link)
    if (v->end > addr)
      return v;
  return NULL;
}

/* Drop the pages mapped in [start, end) (page aligned) into tb, which
 * frees them once no hart can reach them (tlb_batch_finish). */
static void unmap_pages(struct tlb_batch *tb, uaddr_t start, uaddr_t end)
{
  struct mm *mm = tb->mm;
  for (uaddr_t va = start; va < end; va += PAGE_SIZE) {
    pte_t *pte = pt_walk(mm->root, va, false);
    if (!pte) {
      /* No level-0 table: skip to the next 2 MiB boundary. */
      va = ROUND_DOWN(va, 1UL << 21) + (1UL << 21) - PAGE_SIZE;
      continue;
    }
    if (pte_present(*pte)) {
      paddr_t pa = PTE_TO_PA(*pte);
      *pte = 0;
      if (pa_is_ram(pa))
        tlb_batch_remove_page(tb, va, pa_to_page(pa));
      else
        tlb_batch_add(tb, va);
    }
  }
}

/* The program mm runs: it denies writes to its file while mapped (Linux's
 * mm->exe_file deny_write_access). NULL drops it. */
void mm_set_exe(struct mm *mm, struct file *f)
{
  if (mm->exe_file) {
    __atomic_sub_fetch(&mm->exe_file->inode->deny_writers, 1, __ATOMIC_RELAXED);
    fput(mm->exe_file);
  }
  mm->exe_file = f;
  if (f) {
    fget(f);
    __atomic_add_fetch(&f->inode->deny_writers, 1, __ATOMIC_RELAXED);
  }
}

void mm_put(struct mm *mm)
{
  if (__atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  /* No hart runs on it any more (exit and exec leave it first). */
  struct tlb_batch tb;
  tlb_batch_init(&tb, mm);
  struct vma *v, *n;
  list_for_each_entry_safe(v, n, &mm->vmas, link) {
    unmap_pages(&tb, v->start, v->end);
    list_del(&v->link);
    vma_free(v);
  }
  tlb_batch_finish(&tb);
  mm_set_exe(mm, NULL);
  pt_destroy(mm->root);
  asid_free(mm->asid);
  kfree(mm);
}

/*
 * Copy an address space for fork(): the same regions; private pages
 * become copy-on-write in both, shared pages are shared.
 */
struct mm *mm_fork(struct mm *old)
{
  struct mm *mm = mm_create();
  if (!mm)
    return NULL;
  mutex_lock(&old->lock);
  mm->brk_start = old->brk_start;
  mm->brk = old->brk;
  mm->mmap_base = old->mmap_base;
  mm->stack_top = old->stack_top;
  mm->arg_start = old->arg_start;
  mm->arg_end = old->arg_end;
  mm->env_start = old->env_start;
  mm->env_end = old->env_end;
  memcpy(mm->exe_path, old->exe_path, sizeof(mm->exe_path));
  mm_set_exe(mm, old->exe_file);
  struct vma *v;
  list_for_each_entry(v, &old->vmas, link) {
    /* (memory locks are not inherited) */
    struct vma *nv = vma_alloc(v->start, v->end, v->prot, v->flags & ~VMA_LOCKED, v->file, v->pgoff);
    if (!nv)
      goto fail;
    vma_insert(mm, nv);
    for (uaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
      pte_t *src = pt_walk(old->root, va, false);
      if (!src) {
        va = ROUND_DOWN(va, 1UL << 21) + (1UL << 21) - PAGE_SIZE;
        continue;
      }
      if (!pte_present(*src))
        continue;
      pte_t *dst = pt_walk(mm->root, va, true);
      if (!dst)
        goto fail;
      paddr_t pa = PTE_TO_PA(*src);
      if (!(v->flags & VMA_SHARED))
        *src = (*src & ~PTE_W) | PTE_COW;
      *dst = *src;
      if (pa_is_ram(pa))
        get_page(pa_to_page(pa));
    }
  }
  /* The parent's pages just lost their write permission, on every hart
   * its threads run on, before any of them can write to a shared page. */
  tlb_flush_mm_range(old, 0, USER_TOP);
  mutex_unlock(&old->lock);
  return mm;
fail:
  tlb_flush_mm_range(old, 0, USER_TOP);
  mutex_unlock(&old->lock);
  mm_put(mm);
  return NULL;
}

/* Install page p at va with the region's permissions (mm->lock held). */
static int install_page(struct mm *mm, uaddr_t va, struct page *p, uint64_t flags)
{
  pte_t *pte = pt_walk(mm->root, va, true);
  if (!pte)
    return -ENOMEM;
  pte_t old = *pte;
  *pte = PA_TO_PTE(page_to_pa(p)) | flags;
  if (pte_present(old)) {
    /* Replaced (a copy-on-write copy): no hart may keep using the old page. */
    tlb_flush_mm_range(mm, va, va + PAGE_SIZE);
    if (pa_is_ram(PTE_TO_PA(old)))
      put_page(pa_to_page(PTE_TO_PA(old)));
  } else {
    sfence_vma_addr(va);
  }
  return 0;
}

/* Grow the stack region down to cover addr, if the rlimit allows. */
static struct vma *expand_stack(struct mm *mm, struct vma *v, uaddr_t addr)
{
  uaddr_t start = PGROUNDDOWN(addr);
  uint64_t limit = rlimit_cur(RLIMIT_STACK);
  if (limit == RLIM_INFINITY || limit > (1UL << 30))
    limit = 1UL << 30;
  if (v->end - start > limit)
    return NULL;
  struct vma *prev = v->link.prev != &mm->vmas ? list_entry(v->link.prev, struct vma, link) : NULL;
  if (prev && prev->end > start - PAGE_SIZE) /* keep a guard gap */
    return NULL;
  mm->total_vm += v->start - start;
  v->start = start;
  return v;
}

/*
 * Resolve a fault at addr. Returns 0 when the access can be retried,
 * -EFAULT (no region: SIGSEGV/SEGV_MAPERR), -EACCES (region forbids it:
 * SEGV_ACCERR), -ENXIO (past the end of a mapped file: SIGBUS) or -ENOMEM.
 * Caller holds mm->lock.
 */
static int fault_locked(struct mm *mm, uaddr_t addr, int access)
{
  if (addr >= USER_TOP)
    return -EFAULT;
  struct vma *v = find_vma(mm, addr);
  if (!v)
    return -EFAULT;
  if (addr < v->start) {
    if (!(v->flags & VMA_STACK) || !expand_stack(mm, v, addr))
      return -EFAULT;
  }
  if ((access & FAULT_WRITE) && !(v->prot & PROT_WRITE))
    return -EACCES;
  if ((access & FAULT_EXEC) && !(v->prot & PROT_EXEC))
    return -EACCES;
  if ((access & FAULT_READ) && !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
    return -EACCES;

  uaddr_t va = PGROUNDDOWN(addr);
  uint64_t flags = pte_flags_for_prot(v->prot);
  pte_t *pte = pt_walk(mm->root, va, true);
  if (!pte)
    return -ENOMEM;

  if (*pte & PTE_V) {
    /* Present: this must be a write to a copy-on-write page. */
    if (!(access & FAULT_WRITE) || (*pte & PTE_W)) {
      /* Raced with another thread, or a stale TLB entry of this hart
       * (a permission another hart added): drop it and retry. */
      sfence_vma_addr(va);
      return 0;
    }
    struct page *old = pa_to_page(PTE_TO_PA(*pte));
    if (old->refcount == 1 && old->cache.owner == NULL) {
      /* Last sharer: just take it. Harts with the read-only entry fault
       * once more and drop it (above). */
      *pte = (*pte | PTE_W | PTE_D) & ~PTE_COW;
      sfence_vma_addr(va);
      return 0;
    }
    struct page *np = alloc_pages_nozero(0);
    if (!np)
      return -ENOMEM;
    page_set_use(np, PU_ANON);
    memcpy(page_to_kva(np), page_to_kva(old), PAGE_SIZE);
    return install_page(mm, va, np, flags);
  }

  /* Not present. */
  if (!v->file) {
    struct page *p = alloc_page();
    if (!p)
      return -ENOMEM;
    page_set_use(p, PU_ANON);
    return install_page(mm, va, p, flags);
  }

  uint64_t index = v->pgoff + (va - v->start) / PAGE_SIZE;
  struct inode *ino = v->file->inode;
  if (index * PAGE_SIZE >= (uint64_t)ino->size && !(v->flags & VMA_SHARED && S_ISCHR(ino->mode)))
    return -ENXIO;
  struct page *p = page_cache_get(ino, index, false);
  if (IS_ERR(p))
    return PTR_ERR(p) == -ENOMEM ? -ENOMEM : -ENXIO;
  if (v->flags & VMA_SHARED) {
    if (v->prot & PROT_WRITE)
      page_mark_dirty(p);
    int r = install_page(mm, va, p, flags);
    if (r)
      put_page(p);
    return r;
  }
  if (access & FAULT_WRITE) {
    /* Private write: our own copy right away. */
    struct page *np = alloc_pages_nozero(0);
    if (!np) {
      put_page(p);
      return -ENOMEM;
    }
    page_set_use(np, PU_ANON);
    memcpy(page_to_kva(np), page_to_kva(p), PAGE_SIZE);
    put_page(p);
    return install_page(mm, va, np, flags);
  }
  /* Private read: share the page-cache page until someone writes. */
  flags = (flags & ~PTE_W) | PTE_COW;
  int r = install_page(mm, va, p, flags);
  if (r)
    put_page(p);
  return r;
}

/* For uaccess.c: resolve a fault with mm->lock already held. */
int fault_locked_for_uaccess(struct mm *mm, uaddr_t addr, int access)
{
  return fault_locked(mm, addr, access);
}

int handle_page_fault(struct mm *mm, uaddr_t addr, int access)
{
  mutex_lock(&mm->lock);
  int r = fault_locked(mm, addr, access);
  mutex_unlock(&mm->lock);
  return r;
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
  struct vma *tail = vma_alloc(addr, v->end, v->prot, v->flags, v->file,
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
  uint32_t flags = (type == MAP_PRIVATE) ? 0 : VMA_SHARED;
  long ret;
  /* A write-sealed file (memfd): no shared mapping that writes, and one
   * that reads may never be made writable (Linux's seal_check_write).
   * The count taken here holds off F_SEAL_WRITE until vma_alloc's own. */
  bool counted = false;
  if (file && file->inode && (flags & VMA_SHARED)) {
    if (READ_ONCE(file->inode->seals) & F_SEALS_WRITE) {
      if (prot & PROT_WRITE)
        return -EPERM;
      flags |= VMA_NOMAYWRITE;
    } else if (file_writable(file)) {
      if (!inode_map_writable(file->inode))
        return -EPERM;
      counted = true;
    }
  }
  mutex_lock(&mm->lock);
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
  if (mapflags & MAP_GROWSDOWN)
    flags |= VMA_STACK;
  bool locked = (mapflags & MAP_LOCKED) || mm->lock_future;
  if (locked)
    flags |= VMA_LOCKED;
  struct vma *v = vma_alloc(addr, addr + len, prot, flags, file, offset / PAGE_SIZE);
  if (!v) {
    ret = -ENOMEM;
    goto out;
  }
  vma_insert(mm, v);
  ret = (long)addr;
  if (locked && !mm->lock_future_onfault && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
    for (uaddr_t va = addr; va < addr + len; va += PAGE_SIZE)
      (void)fault_locked(mm, va, (prot & PROT_WRITE) ? FAULT_WRITE : FAULT_READ);
  if (!file && !(flags & VMA_SHARED))
    try_merge(mm, v);
out:
  mutex_unlock(&mm->lock);
  if (counted)
    inode_unmap_writable(file->inode);
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
  /* The whole range must be mapped, without holes. */
  uaddr_t cur = addr;
  struct vma *v = find_vma(mm, addr);
  while (cur < end) {
    if (!v || v->start > cur) {
      r = -ENOMEM;
      goto out;
    }
    if ((prot & PROT_WRITE) && (v->flags & VMA_SHARED) && v->file &&
        (!file_writable(v->file) || (v->flags & VMA_NOMAYWRITE))) {
      r = -EACCES;
      goto out;
    }
    cur = v->end;
    v = v->link.next != &mm->vmas ? list_entry(v->link.next, struct vma, link) : NULL;
  }
  if ((r = split_at(mm, addr)) || (r = split_at(mm, end)))
    goto out;
  list_for_each_entry(v, &mm->vmas, link) {
    if (v->start >= end)
      break;
    if (v->end <= addr)
      continue;
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
  uaddr_t cur = addr;
  struct vma *v = find_vma(mm, addr);
  while (cur < end) {
    if (!v || v->start > cur) {
      r = -ENOMEM;
      goto out;
    }
    cur = v->end;
    v = v->link.next != &mm->vmas ? list_entry(v->link.next, struct vma, link) : NULL;
  }
  if ((r = split_at(mm, addr)) || (r = split_at(mm, end)))
    goto out;
  list_for_each_entry(v, &mm->vmas, link) {
    if (v->start >= end)
      break;
    if (v->end <= addr)
      continue;
    if (!lock) {
      v->flags &= ~VMA_LOCKED;
      continue;
    }
    v->flags |= VMA_LOCKED;
    if (onfault || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
      continue;
    for (uaddr_t va = v->start; va < v->end; va += PAGE_SIZE)
      (void)fault_locked(mm, va, (v->prot & PROT_WRITE) ? FAULT_WRITE : FAULT_READ);
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
      heap = vma_alloc(old_end, new_end, PROT_READ | PROT_WRITE, VMA_HEAP, NULL, 0);
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

/* Map the kernel's trampoline page (sigreturn code) read+exec at USER_TRAMPOLINE. */
int vm_map_trampoline(struct mm *mm)
{
  extern char _trampoline_start[];
  mutex_lock(&mm->lock);
  int r = -ENOMEM;
  struct vma *v = vma_alloc(USER_TRAMPOLINE, USER_TRAMPOLINE + PAGE_SIZE,
                            PROT_READ | PROT_EXEC, VMA_VDSO, NULL, 0);
  if (!v)
    goto out;
  vma_insert(mm, v);
  pte_t *pte = pt_walk(mm->root, USER_TRAMPOLINE, true);
  if (!pte)
    goto out;
  *pte = PA_TO_PTE(kva_to_pa(_trampoline_start)) | PTE_V | PTE_U | PTE_R | PTE_X | PTE_A;
  r = 0;
out:
  mutex_unlock(&mm->lock);
  return r;
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
  struct vma *nv = vma_alloc(dest, dest + newlen, v->prot, v->flags, v->file, v->pgoff);
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
  list_for_each_entry(v, &mm->vmas, link) {
    if (v->start >= addr + len)
      break;
    if (v->end <= addr || (v->flags & (VMA_SHARED | VMA_VDSO)))
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
  struct file *files[16];
  int n = 0;
  mutex_lock(&mm->lock);
  struct vma *v;
  int r = 0;
  uaddr_t cur = addr;
  list_for_each_entry(v, &mm->vmas, link) {
    if (v->start >= addr + len)
      break;
    if (v->end <= addr)
      continue;
    if (v->start > cur)
      r = -ENOMEM;
    cur = v->end;
    if ((flags & 2 /* MS_INVALIDATE */) && (v->flags & VMA_LOCKED) && !r) {
      r = -EBUSY; /* locked pages cannot be invalidated */
      break;
    }
    if ((v->flags & VMA_SHARED) && v->file && n < 16) {
      fget(v->file);
      files[n++] = v->file;
    }
  }
  if (cur < addr + len)
    r = -ENOMEM;
  mutex_unlock(&mm->lock);
  for (int i = 0; i < n; i++) {
    page_cache_writeback(files[i]->inode);
    fput(files[i]);
  }
  return r;
}

/* Resident pages (for /proc/<pid>/stat and statm). */
uint64_t mm_rss_pages(struct mm *mm)
{
  uint64_t n = 0;
  mutex_lock(&mm->lock);
  struct vma *v;
  list_for_each_entry(v, &mm->vmas, link) {
    for (uaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
      pte_t *pte = pt_walk(mm->root, va, false);
      if (!pte) {
        va = ROUND_DOWN(va, 1UL << 21) + (1UL << 21) - PAGE_SIZE;
        continue;
      }
      if (pte_present(*pte))
        n++;
    }
  }
  mutex_unlock(&mm->lock);
  return n;
}

/*
 * Put a freshly filled private page at va (which must lie in a region),
 * with that region's permissions. For the ELF loader's partial bss page.
 */
int vm_install_private_page(struct mm *mm, uaddr_t va, struct page *p)
{
  mutex_lock(&mm->lock);
  struct vma *v = find_vma(mm, va);
  int r = -EFAULT;
  if (v && v->start <= va)
    r = install_page(mm, va, p, pte_flags_for_prot(v->prot));
  mutex_unlock(&mm->lock);
  return r;
}

/* Map kernel pages read-only (+exec) at va as a VMA_VDSO region. */
static int map_kernel_pages(struct mm *mm, uaddr_t va, const void *kva, int npages, uint32_t prot)
{
  mutex_lock(&mm->lock);
  int r = -ENOMEM;
  struct vma *v = vma_alloc(va, va + (uaddr_t)npages * PAGE_SIZE, prot, VMA_VDSO, NULL, 0);
  if (!v)
    goto out;
  vma_insert(mm, v);
  for (int i = 0; i < npages; i++) {
    pte_t *pte = pt_walk(mm->root, va + i * PAGE_SIZE, true);
    if (!pte)
      goto out;
    *pte = PA_TO_PTE(kva_to_pa((const char *)kva + i * PAGE_SIZE)) | PTE_V | PTE_U | PTE_R | PTE_A |
           ((prot & PROT_EXEC) ? PTE_X : 0);
  }
  r = 0;
out:
  mutex_unlock(&mm->lock);
  return r;
}

/*
 * The vDSO: its data page (struct vdso_data, kern/time.c) and its code
 * (arch/riscv/vdso), both part of the kernel image, shared by all.
 */
int vm_map_vdso(struct mm *mm)
{
  extern char vdso_image_start[], vdso_image_end[];
  extern struct vdso_data vdso_data_page;
  int pages = (int)DIV_ROUND_UP(vdso_image_end - vdso_image_start, PAGE_SIZE);
  int r = map_kernel_pages(mm, VDSO_DATA_ADDR, &vdso_data_page, 1, PROT_READ);
  if (!r)
    r = map_kernel_pages(mm, VDSO_TEXT_ADDR, vdso_image_start, pages, PROT_READ | PROT_EXEC);
  return r;
}
