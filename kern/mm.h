/*
 * mm.h — physical memory: pages and the kernel allocator.
 *
 *   alloc_page()/alloc_pages(order)  one or 2^order zeroed pages (refcount 1)
 *   get_page()/put_page()            page reference counts; the last
 *                                    put_page() frees it (copy-on-write,
 *                                    page cache and shared mappings share pages)
 *   kmalloc()/kfree()                small objects (size classes on pages),
 *                                    larger sizes as whole page blocks
 *
 * The free-page count is shown in /proc/meminfo, so tests can check that
 * nothing leaked.
 *
 * Layer: core (kern/page_alloc.c over the buddy lists of kern/buddy.c;
 * kern/kmalloc.c on top). Below: arch/riscv/riscv.h (the direct map).
 * Above: everything that allocates; kern/vm.c maps these pages to user
 * space, fs/pagecache.c caches file data in them.
 *
 * Locks: zone_lock ("pages", a spinlock) guards the free lists, each
 * kmalloc size class has its own; both are leaves (nothing is taken inside
 * them), so every function here may be called with any spinlock held and
 * from interrupt context. None of them sleeps: out of memory is NULL.
 * Reference counts and the per-use counters are atomics.
 */
#ifndef KITE_MM_H
#define KITE_MM_H

#include "kern/types.h"
#include "kern/buddy.h"
#include "arch/riscv/riscv.h"

extern struct page *mem_map;   /* struct page for every page of RAM */
extern uint64_t ram_base_pfn, ram_npages;

/* Hand a range reserved at boot ([start, end) physical, rounded inward to
 * pages) to the allocator, e.g. the initrd once it is unpacked; a range
 * outside RAM or empty is ignored. Takes zone_lock. */
void page_alloc_release_reserved(paddr_t start, paddr_t end);
/* Boot, once, one hart: build mem_map right after the kernel image and
 * free every page of RAM [ram_start, +ram_size) except the kernel
 * [kernel_start, kernel_end), the page array and the `reserved` [start,
 * end) ranges (the firmware's, the DTB, the initrd). */
void page_alloc_init(paddr_t ram_start, uint64_t ram_size, paddr_t kernel_start,
                     paddr_t kernel_end, const paddr_t (*reserved)[2], int nreserved);
/* 2^order contiguous pages, zeroed (alloc_pages) or not (_nozero), as one
 * block: the first struct page has refcount 1, use PU_KERNEL, and PG_HEAD
 * when order > 0. NULL when out of memory or order >= MAX_ORDER. The
 * caller owns the reference; drop it with put_page (or free_pages). Takes
 * zone_lock; never sleeps. */
struct page *alloc_pages(unsigned order);
struct page *alloc_pages_nozero(unsigned order);
/* Free a block of 2^order pages at once, whatever its reference count:
 * only for the sole owner (put_page is the shared way). Takes zone_lock. */
void free_pages(struct page *p, unsigned order);
/* alloc_pages(0): one zeroed page, refcount 1, or NULL. */
struct page *alloc_page(void);
/* Take a reference to p; the caller already holds one (or a lock that
 * keeps p mapped or cached). Atomic. */
void get_page(struct page *p);
/* Drop a reference to p; the last one frees the page, or the whole block
 * if p is a PG_HEAD. PG_RESERVED pages are never freed. Panics on an
 * underflow (a kernel bug). Atomic; takes zone_lock only to free. */
void put_page(struct page *p);
/* put_page on pages[0..n) (the array is reused as scratch): the pages
 * freed go back under one hold of zone_lock. */
void put_pages(struct page **pages, int n);
/* Free pages now (a racy snapshot), and all pages of RAM: /proc/meminfo,
 * sysinfo, the OOM killer. No locks. */
uint64_t nr_free_pages(void);
uint64_t nr_total_pages(void);

/*
 * What each allocated page is for, counted (/proc/meminfo shows the
 * counts, so a leak shows its cause). A page starts as PU_KERNEL; the code
 * that gives it a purpose says so with page_set_use(). Kept in bits 8-10
 * of page->flags.
 */
enum page_use {
  PU_KERNEL,    /* anything not listed below (kmalloc's large blocks, tables) */
  PU_ANON,      /* user memory: anonymous and copy-on-write copies */
  PU_FILE,      /* the page cache: file data, tmpfs and shared memory */
  PU_PGTABLE,   /* page tables */
  PU_PIPE,      /* pipe buffers */
  PU_KSTACK,    /* kernel stacks */
  PU_SLAB,      /* kmalloc's slab pages */
  NR_PAGE_USES
};
#define PG_USE_SHIFT 8
#define PG_USE_MASK (7u << PG_USE_SHIFT)
/* Record what the block headed by p is for (moving its pages from the old
 * counter to use's). The caller owns p (just allocated, or under the lock
 * of the cache holding it). Atomic counters. */
void page_set_use(struct page *p, enum page_use use);
/* alloc_pages (zeroed if zero) or alloc_pages_nozero, counted as use
 * from the start: one counter update, not the three of an allocation
 * then page_set_use. */
struct page *alloc_pages_for(unsigned order, enum page_use use, bool zero);
/* Boot: the page at pa, inside a range reserved at boot (the kernel
 * image's initramfs archive), becomes an allocated page as if
 * alloc_pages_for(0, use) had returned it: refcount 1, counted under use,
 * and freed by put_page like any other once its last user drops it. The
 * initramfs gives its archive's pages to its files this way (no copy).
 * NULL if pa is not a reserved page of RAM. No locks. */
struct page *page_adopt_reserved(paddr_t pa, enum page_use use);
/* kmalloc's size class i: its object size and objects in use; 0 past the last. */
int kmalloc_class_stats(int i, uint32_t *size, uint64_t *inuse);
/* Pages now counted under use (a snapshot; /proc/meminfo). */
uint64_t nr_pages_used_for(enum page_use use);

/*
 * Conversions between a struct page, its frame number, its physical
 * address and its direct-map kernel address. No checks: the address must
 * be RAM (pa_is_ram says whether a physical address is). No locks.
 */
static inline uint64_t page_to_pfn(const struct page *p) { return ram_base_pfn + (uint64_t)(p - mem_map); }
static inline paddr_t page_to_pa(const struct page *p) { return page_to_pfn(p) << PAGE_SHIFT; }
static inline void *page_to_kva(const struct page *p) { return pa_to_kva(page_to_pa(p)); }
static inline struct page *pa_to_page(paddr_t pa) { return &mem_map[(pa >> PAGE_SHIFT) - ram_base_pfn]; }
static inline struct page *kva_to_page(const void *va) { return pa_to_page(kva_to_pa(va)); }
static inline bool pa_is_ram(paddr_t pa)
{
  uint64_t pfn = pa >> PAGE_SHIFT;
  return pfn >= ram_base_pfn && pfn < ram_base_pfn + ram_npages;
}

/* Whole zeroed pages by kernel address (e.g. page tables, kernel stacks). */
void *kalloc_pages(unsigned order);
/* The same, counted as page tables (PU_PGTABLE): what arch/ builds tables from. */
void *kalloc_pgtable(unsigned order);
/* Free what kalloc_pages/kalloc_pgtable returned (NULL: nothing). */
void kfree_pages(void *va, unsigned order);

/* Boot, once: set up the size classes' locks and lists. */
void kmalloc_init(void);
/* size bytes, 16-byte aligned: from a size class up to 2 KiB, else whole
 * pages. kmalloc leaves it uninitialised, kzalloc zeroes it. NULL when out
 * of memory. Any context (class locks are leaves); never sleeps. The caller
 * owns the object until kfree. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Free an object of kmalloc (NULL: nothing). Panics on a pointer kmalloc
 * did not return (a kernel bug). Any context. */
void kfree(void *p);
/* A kmalloc'd copy of the string s (the caller kfrees it), or NULL. */
char *kstrdup(const char *s);

#endif
