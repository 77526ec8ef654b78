/*
 * buddy.c — the buddy allocator (see buddy.h). No locking here: the caller
 * (page_alloc.c) serialises access. Host-testable.
 *
 * Layer: core, the bottom of memory. Below: only kern/list.h. Above:
 * kern/page_alloc.c (the one zone over all of RAM, under zone_lock).
 * Locks: none (the caller's).
 */
#include "kern/buddy.h"
#include <string.h>

void buddy_init(struct buddy_zone *z, struct page *pages, uint64_t base_pfn, uint64_t npages)
{
  z->pages = pages;
  z->base_pfn = base_pfn;
  z->npages = npages;
  z->nr_free = 0;
  for (unsigned o = 0; o < MAX_ORDER; o++)
    list_init(&z->free[o]);
  /* No pass over the page array: at 40 bytes a page it is 10 MiB per GiB,
   * and writing it was the largest step of the boot under QEMU (docs/boot.md). */
  memset(z->deferred, 0, sizeof z->deferred);
}

/* Mark [first_pfn, first_pfn + count) as never to be handed out (boot time). */
void buddy_reserve_range(struct buddy_zone *z, uint64_t first_pfn, uint64_t count)
{
  for (uint64_t i = first_pfn - z->base_pfn; i < first_pfn - z->base_pfn + count; i++)
    z->pages[i] = (struct page){.refcount = 1, .flags = PG_RESERVED};
}

/* Zero the struct pages of [idx, end) and free them, in the largest aligned
 * blocks that fit: freeing 1 GiB page by page (262144 buddy_free calls and
 * their merges) took about 0.1 s of boot under QEMU. */
static void free_range_now(struct buddy_zone *z, uint64_t idx, uint64_t end)
{
  if (idx >= end)
    return;
  memset(&z->pages[idx], 0, (end - idx) * sizeof(struct page));
  while (idx < end) {
    unsigned order = 0; /* grow while idx stays aligned and the block fits */
    while (order < MAX_ORDER - 1 && !(idx & (1UL << order)) && idx + (2UL << order) <= end)
      order++;
    buddy_free(z, &z->pages[idx], order); /* merges with free neighbours, as any free */
    idx += 1UL << order;
  }
}

/* Remember [lo, hi) as free and not initialised; false if the table is full. */
static bool defer_regions(struct buddy_zone *z, uint64_t lo, uint64_t hi)
{
  for (int i = 0; i < BUDDY_DEFERRED_RUNS; i++) {
    struct buddy_run *r = &z->deferred[i];
    if (r->next == r->end) {
      r->next = lo;
      r->end = hi;
      z->nr_free += hi - lo;
      return true;
    }
  }
  return false;
}

/*
 * Hand [first_pfn, first_pfn + count) to the allocator. The whole regions
 * of BUDDY_REGION_PAGES inside it are deferred: nothing is written for
 * them until buddy_alloc needs one. The pages before the first and after
 * the last whole region are freed now; the buddies their frees look at are
 * in the same region, so in this range or defined before it.
 */
void buddy_add_free_range(struct buddy_zone *z, uint64_t first_pfn, uint64_t count)
{
  uint64_t idx = first_pfn - z->base_pfn, end = idx + count;
  uint64_t lo = ROUND_UP(idx, BUDDY_REGION_PAGES);
  uint64_t hi = end / BUDDY_REGION_PAGES * BUDDY_REGION_PAGES;
  if (lo < hi && defer_regions(z, lo, hi)) {
    free_range_now(z, idx, lo);
    free_range_now(z, hi, end);
  } else {
    free_range_now(z, idx, end);
  }
}

/* Take the next deferred region onto free[MAX_ORDER - 1]; false if none. */
static bool take_deferred_region(struct buddy_zone *z)
{
  for (int i = 0; i < BUDDY_DEFERRED_RUNS; i++) {
    struct buddy_run *r = &z->deferred[i];
    if (r->next < r->end) {
      struct page *p = &z->pages[r->next];
      r->next += BUDDY_REGION_PAGES;
      memset(p, 0, BUDDY_REGION_PAGES * sizeof *p);
      z->nr_free -= BUDDY_REGION_PAGES; /* buddy_free counts them again */
      buddy_free(z, p, MAX_ORDER - 1);
      return true;
    }
  }
  return false;
}

/* Make reserved pages unused again, for buddy_add_free_range. */
void buddy_unreserve_range(struct buddy_zone *z, uint64_t first_pfn, uint64_t count)
{
  for (uint64_t i = first_pfn - z->base_pfn; i < first_pfn - z->base_pfn + count; i++) {
    z->pages[i].refcount = 0;
    z->pages[i].flags = 0;
  }
}

static void add_block(struct buddy_zone *z, struct page *p, unsigned order)
{
  p->flags |= PG_BUDDY;
  p->order = order;
  list_add(&p->list, &z->free[order]);
}

static void remove_block(struct page *p)
{
  list_del(&p->list);
  p->flags &= ~PG_BUDDY;
}

/* Allocate 2^order contiguous pages; NULL if none. The first page is returned. */
struct page *buddy_alloc(struct buddy_zone *z, unsigned order)
{
  unsigned o = order;
  while (o < MAX_ORDER && list_empty(&z->free[o]))
    o++;
  if (o >= MAX_ORDER) {
    if (!take_deferred_region(z))
      return NULL;
    o = MAX_ORDER - 1;
  }
  struct page *p = list_first_entry(&z->free[o], struct page, list);
  remove_block(p);
  /* Split: give back the upper halves until the block is the right size. */
  while (o > order) {
    o--;
    add_block(z, p + (1UL << o), o);
  }
  p->order = order;
  z->nr_free -= 1UL << order;
  return p;
}

/* Return a block of 2^order pages starting at p, merging with free buddies. */
void buddy_free(struct buddy_zone *z, struct page *p, unsigned order)
{
  uint64_t idx = (uint64_t)(p - z->pages);
  z->nr_free += 1UL << order;
  while (order < MAX_ORDER - 1) {
    uint64_t buddy_idx = idx ^ (1UL << order);
    if (buddy_idx + (1UL << order) > z->npages)
      break;
    struct page *b = &z->pages[buddy_idx];
    if (!(b->flags & PG_BUDDY) || b->order != order)
      break;
    remove_block(b);
    idx &= ~(1UL << order);
    order++;
  }
  add_block(z, &z->pages[idx], order);
}
