/*
 * page_alloc.c — the physical page allocator: the buddy zone over all of
 * RAM, with a lock, zeroing and reference counts on top.
 *
 * Layer: core. Below: kern/buddy.c (the free lists), kern/spinlock.c.
 * Above: kern/kmalloc.c and everything that wants whole pages.
 * Locks: zone_lock ("pages"), a leaf spinlock around every buddy call;
 * reference counts and the per-use counters are atomics.
 */
#include "kern/mm.h"
#include "kern/spinlock.h"
#include "kern/printk.h"
#include <string.h>

struct page *mem_map;
uint64_t ram_base_pfn, ram_npages;

static struct buddy_zone zone;
static struct spinlock zone_lock = SPINLOCK_INIT("pages");

/* Free the pages of [pfn, end) that no `reserved` range covers, one run
 * at a time (a test per page made 1 GiB take a tenth of a second). */
static void free_unreserved(uint64_t pfn, uint64_t end, const paddr_t (*reserved)[2],
                            int nreserved)
{
  while (pfn < end) {
    uint64_t stop = end; /* the run ends where the next reserved range begins */
    for (int i = 0; i < nreserved; i++) {
      uint64_t rs = reserved[i][0] >> PAGE_SHIFT, re = PGROUNDUP(reserved[i][1]) >> PAGE_SHIFT;
      if (rs <= pfn && pfn < re) {
        stop = pfn; /* pfn itself is reserved: skip past the range */
        pfn = MIN(re, end);
        break;
      }
      if (rs > pfn && rs < stop)
        stop = rs;
    }
    if (stop > pfn) {
      buddy_add_free_range(&zone, pfn, stop - pfn);
      pfn = stop;
    }
  }
}

/*
 * Set up the page array and the free lists.
 * RAM is [ram_start, ram_start + ram_size). The kernel image
 * [kernel_start, kernel_end) and the `reserved` ranges ([start, end)
 * physical: the firmware's, the DTB, an initrd) are never handed out. The
 * struct page array itself is placed right after the kernel.
 *
 * The RAM below the kernel that the firmware does not reserve (1.5 MiB
 * under QEMU's OpenSBI) is freed last: the free lists hand out the blocks
 * freed last first, so the boot's first allocations land in the 2 MiB the
 * firmware already occupies — memory the host has already given QEMU
 * (docs/boot.md: a first touch of guest RAM is what a boot costs most).
 */
void page_alloc_init(paddr_t ram_start, uint64_t ram_size, paddr_t kernel_start,
                     paddr_t kernel_end, const paddr_t (*reserved)[2], int nreserved)
{
  ram_base_pfn = ram_start >> PAGE_SHIFT;
  ram_npages = ram_size >> PAGE_SHIFT;
  paddr_t map_pa = PGROUNDUP(kernel_end);
  uint64_t map_bytes = PGROUNDUP(ram_npages * sizeof(struct page));
  /* The page array must not land on a reserved range (e.g. the DTB). */
  for (int i = 0; i < nreserved; i++)
    if (map_pa < reserved[i][1] && map_pa + map_bytes > reserved[i][0])
      map_pa = PGROUNDUP(reserved[i][1]);
  mem_map = pa_to_kva(map_pa);
  buddy_init(&zone, mem_map, ram_base_pfn, ram_npages);

  /* Reserve the kernel, the page array and every reserved range first, so
   * that each struct page a free range's ends look at is defined
   * (buddy_add_free_range); then free the rest. */
  uint64_t kernel_pfn = MAX(kernel_start >> PAGE_SHIFT, ram_base_pfn);
  uint64_t pfn = (map_pa + map_bytes) >> PAGE_SHIFT;
  uint64_t end = ram_base_pfn + ram_npages;
  buddy_reserve_range(&zone, kernel_pfn, pfn - kernel_pfn);
  for (int i = 0; i < nreserved; i++) {
    uint64_t rs = MAX(reserved[i][0] >> PAGE_SHIFT, ram_base_pfn);
    uint64_t re = MIN(PGROUNDUP(reserved[i][1]) >> PAGE_SHIFT, end);
    if (rs < re)
      buddy_reserve_range(&zone, rs, re - rs);
  }
  free_unreserved(pfn, end, reserved, nreserved);
  free_unreserved(ram_base_pfn, kernel_pfn, reserved, nreserved);
  pr_notice("mem: %lu MiB RAM at %#lx, %lu pages free, page array %lu KiB",
          (unsigned long)(ram_size >> 20), (unsigned long)ram_start,
          (unsigned long)zone.nr_free, (unsigned long)(map_bytes >> 10));
}

/*
 * Hand a range that was reserved at boot ([start, end) physical, page
 * aligned inward) to the allocator: an initramfs once it is unpacked.
 */
void page_alloc_release_reserved(paddr_t start, paddr_t end)
{
  uint64_t first = PGROUNDUP(start) >> PAGE_SHIFT, last = PGROUNDDOWN(end) >> PAGE_SHIFT;
  if (first < ram_base_pfn || last > ram_base_pfn + ram_npages || last <= first)
    return;
  spin_lock(&zone_lock);
  buddy_unreserve_range(&zone, first, last - first);
  buddy_add_free_range(&zone, first, last - first);
  spin_unlock(&zone_lock);
}

static uint64_t use_count[NR_PAGE_USES]; /* pages, by page_use (atomics) */

static void count_use(unsigned use, int64_t n)
{
  __atomic_add_fetch(&use_count[use], (uint64_t)n, __ATOMIC_RELAXED);
}

void page_set_use(struct page *p, enum page_use use)
{
  int64_t n = (p->flags & PG_HEAD) ? (1 << p->order) : 1;
  count_use((p->flags & PG_USE_MASK) >> PG_USE_SHIFT, -n);
  p->flags = (uint16_t)((p->flags & ~PG_USE_MASK) | ((unsigned)use << PG_USE_SHIFT));
  count_use(use, n);
}

uint64_t nr_pages_used_for(enum page_use use)
{
  return READ_ONCE(use_count[use]);
}

struct page *alloc_pages_for(unsigned order, enum page_use use, bool zero)
{
  if (order >= MAX_ORDER)
    return NULL;
  spin_lock(&zone_lock);
  struct page *p = buddy_alloc(&zone, order);
  spin_unlock(&zone_lock);
  if (!p)
    return NULL;
  p->refcount = 1;
  p->flags = (uint16_t)((order ? PG_HEAD : 0) | ((unsigned)use << PG_USE_SHIFT));
  p->order = order;
  count_use(use, 1 << order);
  p->cache.owner = NULL;
  p->cache.index = 0;
  list_init(&p->list);
  if (zero)
    memset(page_to_kva(p), 0, PAGE_SIZE << order);
  return p;
}

/*
 * A reserved page becomes an allocated one (the initramfs's file data,
 * fs/initramfs.c). It never was on the free lists, so nothing of the buddy
 * zone changes: the page is counted as free only once put_page frees it.
 */
struct page *page_adopt_reserved(paddr_t pa, enum page_use use)
{
  if (!pa_is_ram(pa) || (pa & (PAGE_SIZE - 1)))
    return NULL;
  struct page *p = pa_to_page(pa);
  if (!(p->flags & PG_RESERVED))
    return NULL;
  p->refcount = 1;
  p->flags = (uint16_t)((unsigned)use << PG_USE_SHIFT);
  p->order = 0;
  count_use(use, 1);
  p->cache.owner = NULL;
  p->cache.index = 0;
  list_init(&p->list);
  return p;
}

struct page *alloc_pages_nozero(unsigned order)
{
  return alloc_pages_for(order, PU_KERNEL, false);
}

struct page *alloc_pages(unsigned order)
{
  return alloc_pages_for(order, PU_KERNEL, true);
}

struct page *alloc_page(void)
{
  return alloc_pages(0);
}

void free_pages(struct page *p, unsigned order)
{
  count_use((p->flags & PG_USE_MASK) >> PG_USE_SHIFT, -(1 << order));
  p->refcount = 0;
  p->flags = 0;
  spin_lock(&zone_lock);
  buddy_free(&zone, p, order);
  spin_unlock(&zone_lock);
}

void get_page(struct page *p)
{
  __atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
}

/* Drop a reference; the last one frees the page (or the whole PG_HEAD block). */
void put_page(struct page *p)
{
  if (p->flags & PG_RESERVED)
    return;
  uint32_t left = __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL);
  if (left == 0)
    free_pages(p, (p->flags & PG_HEAD) ? p->order : 0);
  else if (unlikely(left == (uint32_t)-1))
    panic("put_page: refcount underflow at pa %#lx", (unsigned long)page_to_pa(p));
}

/*
 * put_page on each of pages[0..n): the pages whose last reference goes
 * are freed under one hold of zone_lock, and each use counter moves once
 * (munmap and exit drop thousands of pages; a lock and two atomics per
 * page cost most with several harts, docs/smp.md).
 */
void put_pages(struct page **pages, int n)
{
  int64_t freed[NR_PAGE_USES] = { 0 };
  int nfree = 0;
  for (int i = 0; i < n; i++) {
    struct page *p = pages[i];
    if (p->flags & PG_RESERVED)
      continue;
    uint32_t left = __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL);
    if (unlikely(left == (uint32_t)-1))
      panic("put_page: refcount underflow at pa %#lx", (unsigned long)page_to_pa(p));
    if (left == 0)
      pages[nfree++] = p; /* pages[] is ours: keep the ones to free in front */
  }
  if (!nfree)
    return;
  for (int i = 0; i < nfree; i++) {
    struct page *p = pages[i];
    unsigned order = (p->flags & PG_HEAD) ? p->order : 0;
    freed[(p->flags & PG_USE_MASK) >> PG_USE_SHIFT] += 1 << order;
    p->refcount = 0;
  }
  spin_lock(&zone_lock);
  for (int i = 0; i < nfree; i++) {
    struct page *p = pages[i];
    unsigned order = (p->flags & PG_HEAD) ? p->order : 0;
    p->flags = 0;
    buddy_free(&zone, p, order);
  }
  spin_unlock(&zone_lock);
  for (int u = 0; u < NR_PAGE_USES; u++)
    if (freed[u])
      count_use(u, -freed[u]);
}

uint64_t nr_free_pages(void)
{
  return READ_ONCE(zone.nr_free);
}

uint64_t nr_total_pages(void)
{
  return ram_npages;
}

void *kalloc_pages(unsigned order)
{
  struct page *p = alloc_pages(order);
  return p ? page_to_kva(p) : NULL;
}

void *kalloc_pgtable(unsigned order)
{
  struct page *p = alloc_pages(order);
  if (!p)
    return NULL;
  page_set_use(p, PU_PGTABLE);
  return page_to_kva(p);
}

void kfree_pages(void *va, unsigned order)
{
  if (va)
    free_pages(kva_to_page(va), order);
}
