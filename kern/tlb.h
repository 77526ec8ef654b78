/*
 * tlb.h — keeping every hart's TLB in step with a page table (TLB
 * shootdown), in batches.
 *
 * A hart caches translations of the address space in its satp only, and
 * flushes everything when it switches satp (arch/riscv/pgtable.c), so the
 * harts that may hold stale entries for an mm are exactly those in
 * mm->cpus_active. After changing or removing present PTEs, code in
 * kern/vm.c flushes those harts: this one with sfence.vma, the others
 * with one SBI RFENCE call (remote_sfence_vma), which returns once they
 * are done.
 *
 * Removing a page is two steps that must not be swapped: the PTE goes,
 * every hart forgets it, and only then is the page's reference dropped —
 * otherwise another thread could still write to a page that was already
 * reused. struct tlb_batch collects the range and the pages of one
 * operation (munmap, mremap, exit, MADV_DONTNEED) and flushes once for
 * all of them (or once per TLB_BATCH_PAGES pages).
 *
 * Caller holds mm->lock for all of these. The mask is read after the PTE
 * stores, with a full fence in between; a hart that joins the mask later
 * (sets its bit, then writes satp and sfence.vma) can only load the new
 * PTEs, so it needs no flush.
 */
#ifndef KITE_TLB_H
#define KITE_TLB_H

#include "kern/types.h"

struct mm;
struct page;

#define TLB_BATCH_PAGES 64        /* pages held back per flush */
#define TLB_FLUSH_ALL_PAGES 32    /* a larger range flushes the whole TLB instead */

struct tlb_batch {
  struct mm *mm;
  uaddr_t start, end;             /* the changed range (start >= end: nothing yet) */
  int npages;
  struct page *pages[TLB_BATCH_PAGES];
};

void tlb_batch_init(struct tlb_batch *b, struct mm *mm);
/* The PTE at va changed (or went): flush va at the end. */
void tlb_batch_add(struct tlb_batch *b, uaddr_t va);
/* The PTE at va that held p went: flush va, then put_page(p). */
void tlb_batch_remove_page(struct tlb_batch *b, uaddr_t va, struct page *p);
/* Flush what was collected and drop the pages; b may be used again. */
void tlb_batch_finish(struct tlb_batch *b);

/* Flush [start, end) of mm on every hart that may cache it. */
void tlb_flush_mm_range(struct mm *mm, uaddr_t start, uaddr_t end);

/* Each hart counts its flushes (cpu->nr_tlb_local/remote: /proc/interrupts). */

#endif
