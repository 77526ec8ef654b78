/*
 * kmalloc.c — the kernel's small-object allocator.
 *
 * Sizes up to 2 KiB come from size classes (16, 32, ..., 2048 bytes). Each
 * class owns "slab" pages cut into equal objects; a free object stores the
 * next free object in its first word. A slab page with free objects sits on
 * its class's partial list; a slab whose objects are all free goes back to
 * the page allocator. Larger sizes are whole page blocks. kfree() finds out
 * which kind it has from the struct page of the address.
 *
 * Layer: core. Below: kern/page_alloc.c (slab pages and large blocks).
 * Above: everyone. Locks: one spinlock per size class (a leaf: nothing is
 * taken under it; any context).
 */
#include "kern/mm.h"
#include "kern/spinlock.h"
#include "kern/printk.h"
#include <string.h>

#define NCLASSES 8
static const uint32_t class_size[NCLASSES] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };

struct size_class {
  struct spinlock lock;
  struct list_head partial; /* slab pages with at least one free object */
};
static struct size_class classes[NCLASSES];
static uint64_t class_inuse[NCLASSES]; /* objects handed out (atomics) */

int kmalloc_class_stats(int i, uint32_t *size, uint64_t *inuse)
{
  if (i < 0 || i >= NCLASSES)
    return 0;
  *size = class_size[i];
  *inuse = READ_ONCE(class_inuse[i]);
  return 1;
}

void kmalloc_init(void)
{
  for (int i = 0; i < NCLASSES; i++) {
    spin_init(&classes[i].lock, "kmalloc");
    list_init(&classes[i].partial);
  }
}

static int size_to_class(size_t size)
{
  for (int i = 0; i < NCLASSES; i++)
    if (size <= class_size[i])
      return i;
  return -1;
}

/* A fresh slab page with every object on its free list. */
static struct page *new_slab(int cls)
{
  struct page *p = alloc_pages_nozero(0);
  if (!p)
    return NULL;
  p->flags |= PG_SLAB;
  page_set_use(p, PU_SLAB);
  p->slab_class = cls;
  p->slab.inuse = 0;
  char *base = page_to_kva(p);
  uint32_t sz = class_size[cls];
  void *free = NULL;
  for (int64_t off = PAGE_SIZE - sz; off >= 0; off -= sz) {
    *(void **)(base + off) = free;
    free = base + off;
  }
  p->slab.freelist = free;
  return p;
}

void *kmalloc(size_t size)
{
  if (size == 0)
    size = 1;
  int cls = size_to_class(size);
  if (cls < 0) {
    unsigned order = 0;
    while ((PAGE_SIZE << order) < size)
      order++;
    struct page *p = alloc_pages_nozero(order);
    if (!p)
      return NULL;
    p->flags |= PG_HEAD; /* kfree needs the order even for order 0 */
    return page_to_kva(p);
  }
  struct size_class *c = &classes[cls];
  spin_lock(&c->lock);
  struct page *p;
  if (list_empty(&c->partial)) {
    spin_unlock(&c->lock);
    p = new_slab(cls);
    if (!p)
      return NULL;
    spin_lock(&c->lock);
    list_add(&p->list, &c->partial);
  } else {
    p = list_first_entry(&c->partial, struct page, list);
  }
  void *obj = p->slab.freelist;
  p->slab.freelist = *(void **)obj;
  p->slab.inuse++;
  __atomic_add_fetch(&class_inuse[cls], 1, __ATOMIC_RELAXED);
  if (!p->slab.freelist)
    list_del(&p->list); /* full: off the partial list */
  spin_unlock(&c->lock);
  return obj;
}

void *kzalloc(size_t size)
{
  void *p = kmalloc(size);
  if (p)
    memset(p, 0, size);
  return p;
}

void kfree(void *ptr)
{
  if (!ptr)
    return;
  struct page *p = kva_to_page(ptr);
  if (!(p->flags & PG_SLAB)) {
    if (!(p->flags & PG_HEAD))
      panic("kfree: %p was not allocated by kmalloc", ptr);
    free_pages(p, p->order);
    return;
  }
  struct size_class *c = &classes[p->slab_class];
  __atomic_sub_fetch(&class_inuse[p->slab_class], 1, __ATOMIC_RELAXED);
  spin_lock(&c->lock);
  bool was_full = p->slab.freelist == NULL;
  *(void **)ptr = p->slab.freelist;
  p->slab.freelist = ptr;
  p->slab.inuse--;
  if (p->slab.inuse == 0) {
    if (!was_full)
      list_del(&p->list);
    spin_unlock(&c->lock);
    free_pages(p, 0);
    return;
  }
  if (was_full)
    list_add(&p->list, &c->partial);
  spin_unlock(&c->lock);
}

char *kstrdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = kmalloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}
