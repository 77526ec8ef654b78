/*
 * tlb.h — keeping every hart's TLB in step with a page table (TLB
 * shootdown), in batches.
 *
 * ASIDs. Each mm gets an address-space identifier (mm->asid) that tags
 * its TLB entries, so switching satp between two processes needs no
 * sfence.vma: the entries of the one left behind stay, unused, under its
 * own ASID (arch/riscv/pgtable.c, vm_switch). ASID 0 is the kernel page
 * table's, and an mm's when the hart has no ASID bits: switching to
 * ASID 0 always flushes, as before ASIDs. Two rules keep stale entries
 * harmless:
 *  - An ASID is reused only after every hart flushed it: a freed ASID is
 *    "dirty" until the next global flush, done when the clean ones run
 *    out (asid_alloc, every NR_ASIDS new address spaces at most).
 *  - A hart that ran an mm may still hold its entries after it left.
 *    Every flush of the mm bumps mm->tlb_gen; a hart switching back in
 *    compares it with the generation it last flushed at
 *    (mm->hart_gen[hart]) and flushes that ASID if the mm changed since.
 *
 * The harts running an mm now are mm->cpus_active. After changing or
 * removing present PTEs, code in kern/vm.c bumps mm->tlb_gen and flushes
 * those harts: this one with sfence.vma, the others with one SBI RFENCE
 * call (remote_sfence_vma), which returns once they are done.
 *
 * Removing a page is two steps that must not be swapped: the PTE goes,
 * every hart forgets it, and only then is the page's reference dropped —
 * otherwise another thread could still write to a page that was already
 * reused. struct tlb_batch collects the range and the pages of one
 * operation (munmap, mremap, exit, MADV_DONTNEED) and flushes once for
 * all of them (or once per TLB_BATCH_PAGES pages).
 *
 * Caller holds mm->lock for all of these. The generation is bumped and the
 * mask read after the PTE stores, with a full fence in between; a hart
 * that joins the mask (sets its bit with a full fence, then reads
 * tlb_gen) either is in the mask we read or sees the new generation and
 * flushes itself.
 *
 * Layer: core (kern/tlb.c). Below: arch/riscv (sfence.vma, SBI RFENCE).
 * Above: kern/vm.c, kern/mmap.c (every PTE change), kern/sched.c
 * (vm_switch on a context switch). Locks: asid_lock (spinlock) for the
 * ASID pool; the rest under the caller's mm->lock.
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

/* An empty batch for changes to mm (the caller holds mm->lock until
 * tlb_batch_finish). */
void tlb_batch_init(struct tlb_batch *b, struct mm *mm);
/* The PTE at va changed (or went): flush va at the end. */
void tlb_batch_add(struct tlb_batch *b, uaddr_t va);
/* The PTE at va that held p went: flush va, then put_page(p). */
void tlb_batch_remove_page(struct tlb_batch *b, uaddr_t va, struct page *p);
/* Flush what was collected and drop the pages; b may be used again. */
void tlb_batch_finish(struct tlb_batch *b);

/* Flush [start, end) of mm on every hart that may cache it. */
void tlb_flush_mm_range(struct mm *mm, uaddr_t start, uaddr_t end);

/* Address-space identifiers: at most NR_ASIDS - 1 live address spaces
 * have their own (more share ASID 0, which flushes at every switch). */
#define NR_ASIDS 4096

/* Probe how many ASID bits satp has (boot hart, before any mm exists). */
void asid_init(void);
/* An ASID no hart holds entries for, for a new mm; 0 if there is none. */
uint16_t asid_alloc(void);
/* The mm with this ASID is gone; it is reused after the next global flush. */
void asid_free(uint16_t asid);
/* vm_switch() just loaded mm on this hart: flush its ASID if it changed
 * since this hart last did (see above). */
void tlb_switch_in(struct mm *mm);

/* Each hart counts its flushes (cpu->nr_tlb_local/remote: /proc/interrupts). */

#endif
