/* test_buddy.c — the buddy allocator on a fake page array. */
#include "kern/buddy.h"
#include "check.h"
#include <stdlib.h>
#include <string.h>

#define NPAGES 4096
static struct page pages[NPAGES];

/* The zone's free lists point into the zone itself: set it up in place. */
static void make_zone(struct buddy_zone *z, uint64_t base, uint64_t first_free, uint64_t nfree)
{
  buddy_init(z, pages, base, NPAGES);
  buddy_add_free_range(z, base + first_free, nfree);
}

int main(void)
{
  check_suite = "buddy";
  struct buddy_zone z;
  make_zone(&z, 0x80000, 10, NPAGES - 10);
  CHECK("free count after adding a range", z.nr_free == NPAGES - 10);

  /* Single pages are distinct and come back. */
  struct page *a = buddy_alloc(&z, 0), *b = buddy_alloc(&z, 0);
  CHECK("two allocations differ", a && b && a != b);
  CHECK("reserved pages are never handed out", a - pages >= 10 && b - pages >= 10);
  buddy_free(&z, a, 0);
  buddy_free(&z, b, 0);
  CHECK("count restored after freeing", z.nr_free == NPAGES - 10);

  /* Larger blocks are aligned to their size (relative to the zone). */
  bool aligned = true;
  struct page *blocks[8];
  for (int o = 0; o < 8; o++) {
    blocks[o] = buddy_alloc(&z, o);
    if (!blocks[o] || ((blocks[o] - pages) & ((1 << o) - 1)))
      aligned = false;
  }
  CHECK("blocks of order 0..7 are naturally aligned", aligned);
  for (int o = 0; o < 8; o++)
    buddy_free(&z, blocks[o], o);
  CHECK("all blocks merged back", z.nr_free == NPAGES - 10);

  /* Exhaust memory one page at a time, then free in a random order. */
  static struct page *all[NPAGES];
  int n = 0;
  struct page *p;
  while ((p = buddy_alloc(&z, 0)))
    all[n++] = p;
  CHECK("every free page can be allocated", n == NPAGES - 10 && z.nr_free == 0);
  CHECK("allocation fails cleanly when empty", buddy_alloc(&z, 0) == NULL);
  bool distinct = true;
  char *seen = calloc(NPAGES, 1);
  for (int i = 0; i < n; i++) {
    if (seen[all[i] - pages])
      distinct = false;
    seen[all[i] - pages] = 1;
  }
  free(seen);
  CHECK("no page handed out twice", distinct);
  srand(1);
  for (int i = n - 1; i > 0; i--) {
    int j = rand() % (i + 1);
    struct page *t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  for (int i = 0; i < n; i++)
    buddy_free(&z, all[i], 0);
  CHECK("free in random order restores the count", z.nr_free == NPAGES - 10);
  /* After full merging a maximal block must be available again. */
  struct page *big = buddy_alloc(&z, MAX_ORDER - 1);
  CHECK("buddies merge into a maximal block", big != NULL);
  CHECK("orders beyond the maximum are refused", buddy_alloc(&z, MAX_ORDER) == NULL);

  /* The page array as RAM holds it at boot: anything. A reserved range
   * inside a region splits it between two free ranges; the whole regions
   * are deferred and set up only when an allocation needs them. */
  memset(pages, 0xa5, sizeof pages);
  buddy_init(&z, pages, 0x80000, NPAGES);
  buddy_reserve_range(&z, 0x80000, 10);
  buddy_reserve_range(&z, 0x80000 + 1500, 5);
  buddy_add_free_range(&z, 0x80000 + 10, 1490);
  buddy_add_free_range(&z, 0x80000 + 1505, NPAGES - 1505);
  CHECK("deferred regions count as free", z.nr_free == NPAGES - 15);
  CHECK("a deferred region is not written before it is needed",
        pages[2 * BUDDY_REGION_PAGES].refcount == 0xa5a5a5a5 &&
        pages[NPAGES - 1].refcount == 0xa5a5a5a5);
  n = 0;
  while ((p = buddy_alloc(&z, 0)))
    all[n++] = p;
  CHECK("every free page of an uninitialised array can be allocated",
        n == NPAGES - 15 && z.nr_free == 0);
  seen = calloc(NPAGES, 1);
  distinct = true;
  bool outside = false;
  for (int i = 0; i < n; i++) {
    long k = all[i] - pages;
    if (seen[k])
      distinct = false;
    seen[k] = 1;
    if (k < 10 || (k >= 1500 && k < 1505))
      outside = true;
  }
  free(seen);
  CHECK("no page handed out twice, none reserved", distinct && !outside);
  CHECK("reserved pages keep their state", pages[3].flags == PG_RESERVED &&
        pages[1502].refcount == 1 && pages[1502].flags == PG_RESERVED);
  for (int i = 0; i < n; i++)
    buddy_free(&z, all[i], 0);
  CHECK("all freed again", z.nr_free == NPAGES - 15);
  big = buddy_alloc(&z, MAX_ORDER - 1);
  struct page *big2 = buddy_alloc(&z, MAX_ORDER - 1);
  CHECK("the two whole regions merge back into maximal blocks",
        big && big2 && buddy_alloc(&z, MAX_ORDER - 1) == NULL);

  /* A maximal block straight from a deferred region. */
  memset(pages, 0xa5, sizeof pages);
  buddy_init(&z, pages, 0x80000, NPAGES);
  buddy_reserve_range(&z, 0x80000, 1);
  buddy_add_free_range(&z, 0x80001, NPAGES - 1);
  big = buddy_alloc(&z, MAX_ORDER - 1);
  CHECK("a deferred region is handed out whole, its pages zeroed",
        big && (big - pages) % BUDDY_REGION_PAGES == 0 && big[1].refcount == 0 &&
        big[BUDDY_REGION_PAGES - 1].flags == 0 && z.nr_free == NPAGES - 1 - BUDDY_REGION_PAGES);
  CHECK_DONE();
}
