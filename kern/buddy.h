/*
 * buddy.h — the buddy allocator for physical pages, and struct page.
 *
 * Every physical page of RAM has a struct page (the `pages` array). Free
 * memory is kept as blocks of 2^order pages on per-order free lists; a
 * block's "buddy" is the neighbour it was split from, found by flipping
 * bit `order` of the page index. Freeing merges buddies back together.
 *
 * This file is pure logic with no kernel dependencies: the host unit tests
 * (testsuite/host/test_buddy.c) build it against a fake page array.
 *
 * Layer: core (kern/buddy.c), under kern/page_alloc.c, which owns the
 * zone and its lock (zone_lock): none of these functions locks, the
 * caller serialises every call on a zone.
 */
#ifndef KITE_BUDDY_H
#define KITE_BUDDY_H

#include "kern/types.h"
#include "kern/list.h"

#define MAX_ORDER 11 /* blocks of 1 .. 1024 pages (4 MiB) */

/* struct page flags */
#define PG_BUDDY 0x01   /* head of a free block in a free list */
#define PG_SLAB 0x02    /* holds small kmalloc objects */
#define PG_RESERVED 0x04 /* never allocatable (kernel image, firmware, ...) */
#define PG_HEAD 0x08    /* first page of an allocated multi-page block */
#define PG_DIRTY 0x10   /* page-cache page modified since last write-back */
#define PG_UPTODATE 0x20 /* page-cache page holds the file's data */
#define PG_CHARGED 0x40 /* page-cache page counted in its tmpfs's nr_pages */

struct page {
  struct list_head list;  /* free list; slab partial list; page-cache LRU */
  uint32_t refcount;      /* 0 while free */
  uint16_t flags;
  uint8_t order;          /* block order (free head, or PG_HEAD allocation) */
  uint8_t slab_class;     /* kmalloc size class, for PG_SLAB */
  union {
    struct {              /* PG_SLAB */
      void *freelist;
      uint32_t inuse;
    } slab;
    struct {              /* page-cache page */
      void *owner;        /* the struct page_cache it belongs to */
      uint64_t index;     /* page index in the file */
    } cache;
  };
};

/* Pages in a block of the largest order: the unit of deferred initialisation. */
#define BUDDY_REGION_PAGES (1UL << (MAX_ORDER - 1))
#define BUDDY_DEFERRED_RUNS 24 /* more free runs than that are initialised at once */

/*
 * Free memory whose struct pages are not written yet: the whole largest-
 * order regions [next, end) (page indexes, multiples of BUDDY_REGION_PAGES)
 * inside a free range. buddy_alloc takes the region at `next` when the free
 * lists have nothing big enough, zeroes its struct pages and puts it on
 * free[MAX_ORDER - 1]. A 1 GiB machine's 10 MiB page array is then written
 * only where memory is used (docs/boot.md).
 */
struct buddy_run {
  uint64_t next, end;
};

struct buddy_zone {
  struct page *pages;     /* pages[0] is the page at base_pfn */
  uint64_t base_pfn;
  uint64_t npages;
  uint64_t nr_free;       /* free pages, counted in pages (deferred ones too) */
  struct list_head free[MAX_ORDER];
  struct buddy_run deferred[BUDDY_DEFERRED_RUNS]; /* empty when next == end */
};

/* A zone over pages[0 .. npages) (frame numbers from base_pfn) with nothing
 * free yet. The struct pages are not read or written here: each is
 * defined by buddy_reserve_range or buddy_add_free_range (or, deferred, by
 * the buddy_alloc that first takes its region). */
void buddy_init(struct buddy_zone *z, struct page *pages, uint64_t base_pfn, uint64_t npages);
/* Mark [first_pfn, first_pfn + count) never to be handed out (PG_RESERVED,
 * one reference: put_page leaves it alone; every other field zero); boot
 * time, before the free ranges are added. */
void buddy_reserve_range(struct buddy_zone *z, uint64_t first_pfn, uint64_t count);
/* Make reserved pages unused again, before buddy_add_free_range. */
void buddy_unreserve_range(struct buddy_zone *z, uint64_t first_pfn, uint64_t count);
/* Make [first_pfn, first_pfn + count) free (boot, and
 * page_alloc_release_reserved); its struct pages may hold anything. Its
 * whole largest-order regions are deferred (struct buddy_run), the pages
 * at its ends are zeroed and freed in the largest aligned blocks that fit.
 * The other pages of the regions at its ends must be defined already:
 * reserved, or in a range added before. */
void buddy_add_free_range(struct buddy_zone *z, uint64_t first_pfn, uint64_t count);
/* Take a free block of 2^order pages (splitting a larger one, or a
 * deferred region), or NULL if there is none; the block's pages are no
 * longer marked free. */
struct page *buddy_alloc(struct buddy_zone *z, unsigned order);
/* Give back the block of 2^order pages at p (allocated by buddy_alloc with
 * that order), merging it with its free buddies. */
void buddy_free(struct buddy_zone *z, struct page *p, unsigned order);

/* The frame number of p in z. */
static inline uint64_t buddy_page_pfn(const struct buddy_zone *z, const struct page *p)
{
  return z->base_pfn + (uint64_t)(p - z->pages);
}

#endif
