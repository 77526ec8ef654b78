/*
 * vm.c — user address spaces: the mm and its regions, fork's copy, page
 * faults and copy-on-write, and the kernel's own pages in them (the
 * trampoline, the vDSO). The calls that change the regions — mmap,
 * munmap, mprotect, mlock, brk, mremap, madvise, msync — are kern/mmap.c,
 * over the region helpers declared in kern/vm_internal.h.
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
 *
 * Layer: core. A file-backed region reaches its file only through
 * v->ops (struct vm_operations, set by the file's mmap operation; the
 * generic ones over the page cache are in fs/filemap.c), and the program
 * file through mm->exe's release: this file names no file-system or
 * page-cache function.
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

/* A new region; one over a file (ops from the file's mmap) takes its
 * reference through ops->open. NULL when out of memory. */
struct vma *vma_alloc(uaddr_t start, uaddr_t end, uint32_t prot, uint32_t flags,
                             struct file *file, const struct vm_operations *ops, uint64_t pgoff)
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
  v->ops = ops;
  v->pgoff = pgoff;
  if (file)
    ops->open(v);
  return v;
}

void vma_free(struct vma *v)
{
  if (v->file)
    v->ops->close(v);
  kfree(v);
}

/* Link v into the sorted list. */
void vma_insert(struct mm *mm, struct vma *v)
{
  struct vma *pos;
  list_for_each_entry(pos, &mm->vmas, link)
    if (pos->start >= v->end)
      break;
  list_add_tail(&v->link, &pos->link);
  mm->nr_vmas++;
  mm->total_vm += v->end - v->start;
}

void vma_unlink(struct mm *mm, struct vma *v)
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

struct vma *vma_next(struct mm *mm, struct vma *v)
{
  return v->link.next != &mm->vmas ? list_entry(v->link.next, struct vma, link) : NULL;
}

bool vma_range_mapped(struct mm *mm, uaddr_t start, uaddr_t end)
{
  uaddr_t cur = start;
  struct vma *v;
  for_each_vma_in(mm, v, start, end) {
    if (v->start > cur)
      return false;
    cur = v->end;
  }
  return cur >= end;
}

/* Drop the pages mapped in [start, end) (page aligned) into tb, which
 * frees them once no hart can reach them (tlb_batch_finish). */
void unmap_pages(struct tlb_batch *tb, uaddr_t start, uaddr_t end)
{
  struct mm *mm = tb->mm;
  if (mm->rss > mm->hiwater_rss) /* the peak is kept before the size drops */
    mm->hiwater_rss = mm->rss;
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
      mm->rss--;
      if (pa_is_ram(pa))
        tlb_batch_remove_page(tb, va, pa_to_page(pa));
      else
        tlb_batch_add(tb, va);
    }
  }
}

void mm_set_exe(struct mm *mm, struct mm_exe *e)
{
  if (e)
    __atomic_add_fetch(&e->refcount, 1, __ATOMIC_RELAXED);
  struct mm_exe *old = mm->exe;
  mm->exe = e;
  if (old && __atomic_sub_fetch(&old->refcount, 1, __ATOMIC_ACQ_REL) == 0)
    old->release(old);
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
  mm_set_exe(mm, old->exe);
  struct vma *v;
  list_for_each_entry(v, &old->vmas, link) {
    /* (memory locks are not inherited) */
    struct vma *nv = vma_alloc(v->start, v->end, v->prot, v->flags & ~VMA_LOCKED, v->file, v->ops,
                               v->pgoff);
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
      mm->rss++;
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

/*
 * Install page p at va with the region's permissions (mm->lock held).
 *
 * An entry that was invalid gets no sfence.vma: RISC-V lets a hart cache
 * an invalid entry, but then the retried access faults once more and
 * fault_locked() finds the entry present and fences ("stale TLB entry"
 * below) — correct either way, and no fence in the common case. Linux
 * fences eagerly (update_mmu_cache) to spare real harts that extra trap;
 * under QEMU 7.2 every sfence.vma flushes the whole software TLB and the
 * translated-code jump cache, whatever its address operand, and costs
 * far more than a rare extra fault (docs/performance.md).
 */
static int install_page(struct mm *mm, uaddr_t va, struct page *p, uint64_t flags)
{
  pte_t *pte = pt_walk(mm->root, va, true);
  if (!pte)
    return -ENOMEM;
  pte_t old = *pte;
  *pte = PA_TO_PTE(page_to_pa(p)) | flags;
  if (!pte_present(old))
    mm->rss++;
  if (pte_present(old)) {
    /* Replaced (a copy-on-write copy): no hart may keep using the old page. */
    tlb_flush_mm_range(mm, va, va + PAGE_SIZE);
    if (pa_is_ram(PTE_TO_PA(old)))
      put_page(pa_to_page(PTE_TO_PA(old)));
  }
  return 0;
}

/*
 * Fault-around (Linux's do_fault_around): after a read fault on a file
 * region, map the other pages of the aligned FAULT_AROUND_PAGES window
 * (inside the region) that are already in the page cache, with flags. One
 * fault then maps up to 16 pages of a file being read through: reading a
 * mapped 512 KiB file took 128 faults, now 8. Best effort: a page that is
 * not cached, or a slot already mapped, is left for its own fault. The
 * window lies in one page-table page (64 KiB aligned inside 2 MiB), so
 * its entries follow pte, the faulting page's entry. No sfence.vma, as in
 * install_page (a fence per page here made fork+exec 2x slower under
 * QEMU). mm->lock held.
 */
static void fault_around(struct mm *mm, struct vma *v, uaddr_t va, pte_t *pte, uint64_t flags)
{
  uaddr_t win = FAULT_AROUND_PAGES * PAGE_SIZE;
  uaddr_t from = MAX(ROUND_DOWN(va, win), v->start);
  uaddr_t to = MIN(ROUND_DOWN(va, win) + win, v->end);
  for (uaddr_t a = from; a < to; a += PAGE_SIZE) {
    pte_t *e = pte + ((long)a - (long)va) / (long)PAGE_SIZE;
    if (a == va || pte_present(*e))
      continue;
    struct page *p = v->ops->fault_cached(v, v->pgoff + (a - v->start) / PAGE_SIZE);
    if (!p)
      continue;
    *e = PA_TO_PTE(page_to_pa(p)) | flags; /* the entry keeps fault_cached's reference */
    mm->rss++;
  }
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
int fault_locked(struct mm *mm, uaddr_t addr, int access)
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
  /* Write implies read (the PTE gets R with W); execute does not: an
   * execute-only page has X alone, and a load from it faults again, so
   * resolving it would loop (RISC-V Linux sets no MXR for user space). */
  if ((access & FAULT_READ) && !(v->prot & (PROT_READ | PROT_WRITE)))
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
      /* Last sharer: just take it. Harts with the read-only entry,
       * this one included, fault once more and drop it (above). */
      *pte = (*pte | PTE_W | PTE_D) & ~PTE_COW;
      return 0;
    }
    struct page *np = alloc_pages_for(0, PU_ANON, false);
    if (!np)
      return -ENOMEM;
    memcpy(page_to_kva(np), page_to_kva(old), PAGE_SIZE);
    return install_page(mm, va, np, flags);
  }

  /* Not present. */
  if (!v->file) {
    struct page *p = alloc_pages_for(0, PU_ANON, true);
    if (!p)
      return -ENOMEM;
    return install_page(mm, va, p, flags);
  }

  uint64_t index = v->pgoff + (va - v->start) / PAGE_SIZE;
  struct page *p = v->ops->fault(v, index); /* dirty already if shared and writable */
  if (IS_ERR(p))
    return PTR_ERR(p);
  /* Reads of a region no one writes through map the cached neighbours too
   * (a shared writable region keeps one fault per page: it marks them dirty). */
  bool around = !(access & FAULT_WRITE) && v->ops->fault_cached &&
                !((v->flags & VMA_SHARED) && (v->prot & PROT_WRITE));
  if (v->flags & VMA_SHARED) {
    int r = install_page(mm, va, p, flags);
    if (r)
      put_page(p);
    else if (around)
      fault_around(mm, v, va, pte, flags);
    return r;
  }
  if (access & FAULT_WRITE) {
    /* Private write: our own copy right away. */
    struct page *np = alloc_pages_for(0, PU_ANON, false);
    if (!np) {
      put_page(p);
      return -ENOMEM;
    }
    memcpy(page_to_kva(np), page_to_kva(p), PAGE_SIZE);
    put_page(p);
    return install_page(mm, va, np, flags);
  }
  /* Private read: share the page-cache page until someone writes. */
  flags = (flags & ~PTE_W) | PTE_COW;
  int r = install_page(mm, va, p, flags);
  if (r)
    put_page(p);
  else if (around)
    fault_around(mm, v, va, pte, flags);
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

/* Map the kernel's trampoline page (sigreturn code) read+exec at USER_TRAMPOLINE. */
int vm_map_trampoline(struct mm *mm)
{
  extern char _trampoline_start[];
  mutex_lock(&mm->lock);
  int r = -ENOMEM;
  struct vma *v = vma_alloc(USER_TRAMPOLINE, USER_TRAMPOLINE + PAGE_SIZE,
                            PROT_READ | PROT_EXEC, VMA_VDSO, NULL, NULL, 0);
  if (!v)
    goto out;
  vma_insert(mm, v);
  pte_t *pte = pt_walk(mm->root, USER_TRAMPOLINE, true);
  if (!pte)
    goto out;
  if (!pte_present(*pte))
    mm->rss++;
  *pte = PA_TO_PTE(kva_to_pa(_trampoline_start)) | PTE_V | PTE_U | PTE_R | PTE_X | PTE_A;
  r = 0;
out:
  mutex_unlock(&mm->lock);
  return r;
}

/* Resident pages (for /proc/<pid>/stat and statm): the present PTEs,
 * counted as they are installed and dropped. */
uint64_t mm_rss_pages(struct mm *mm)
{
  mutex_lock(&mm->lock);
  uint64_t n = mm->rss;
  mutex_unlock(&mm->lock);
  return n;
}

uint64_t mm_peak_rss_pages(struct mm *mm)
{
  mutex_lock(&mm->lock);
  uint64_t n = MAX(mm->rss, mm->hiwater_rss);
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
  struct vma *v = vma_alloc(va, va + (uaddr_t)npages * PAGE_SIZE, prot, VMA_VDSO, NULL, NULL, 0);
  if (!v)
    goto out;
  vma_insert(mm, v);
  for (int i = 0; i < npages; i++) {
    pte_t *pte = pt_walk(mm->root, va + i * PAGE_SIZE, true);
    if (!pte)
      goto out;
    if (!pte_present(*pte))
      mm->rss++;
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
