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
 */
#ifndef KITE_MM_H
#define KITE_MM_H

#include "kern/types.h"
#include "kern/buddy.h"
#include "arch/riscv/riscv.h"

extern struct page *mem_map;   /* struct page for every page of RAM */
extern uint64_t ram_base_pfn, ram_npages;

void page_alloc_release_reserved(paddr_t start, paddr_t end);  /* boot-reserved range back */
void page_alloc_init(paddr_t ram_start, uint64_t ram_size, paddr_t kernel_end,
                     const paddr_t (*reserved)[2], int nreserved);
struct page *alloc_pages(unsigned order);   /* zeroed; NULL if out of memory */
struct page *alloc_pages_nozero(unsigned order);
void free_pages(struct page *p, unsigned order);
struct page *alloc_page(void);
void get_page(struct page *p);
void put_page(struct page *p);
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
void page_set_use(struct page *p, enum page_use use);
/* kmalloc's size class i: its object size and objects in use; 0 past the last. */
int kmalloc_class_stats(int i, uint32_t *size, uint64_t *inuse);
uint64_t nr_pages_used_for(enum page_use use);

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
void kfree_pages(void *va, unsigned order);

void kmalloc_init(void);
void *kmalloc(size_t size);    /* not zeroed; NULL if out of memory */
void *kzalloc(size_t size);    /* zeroed */
void kfree(void *p);           /* kfree(NULL) does nothing */
char *kstrdup(const char *s);

#endif
