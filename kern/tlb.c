/*
 * tlb.c — TLB shootdown: flushing the harts that may cache an address
 * space, after its page table changed (see tlb.h for the rules).
 *
 * Also vm_switch: loading an address space on a hart, which keeps the mask
 * of harts that may cache it (mm->cpus_active) exact, and the ASIDs that
 * tag each address space's TLB entries (asid_alloc, asid_free).
 *
 * Layer: core, under kern/vm.c (the only code that changes user PTEs), over
 * kern/smp.c (SBI RFENCE) and arch/riscv/riscv.h (local sfence.vma).
 * Locks: callers hold mm->lock; asid_lock (a leaf spinlock) guards the
 * ASID bitmaps.
 */
#include "kern/tlb.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/cpu.h"
#include "kern/task.h"
#include "kern/spinlock.h"
#include <string.h>

void tlb_flush_mm_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
  if (start >= end)
    return;
  /* Harts that ran mm before and come back flush its ASID then. */
  __atomic_fetch_add(&mm->tlb_gen, 1, __ATOMIC_SEQ_CST);
  /* PTE stores before the read of the mask (and before any remote walk). */
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  cpumask_t mask = __atomic_load_n(&mm->cpus_active, __ATOMIC_RELAXED);
  struct cpu *c = mycpu();
  uint64_t npages = (end - start) / PAGE_SIZE;
  bool all = npages > TLB_FLUSH_ALL_PAGES;
  if (mask & cpumask_of(c->id)) {
    if (all) {
      sfence_vma();
    } else {
      for (uaddr_t va = start; va < end; va += PAGE_SIZE)
        sfence_vma_addr(va);
    }
  }
  mask &= ~cpumask_of(c->id);
  if (mask) {
    c->nr_tlb_remote++;
    smp_remote_sfence_vma(mask, all ? 0 : start, all ? (uint64_t)-1 : end - start);
  } else {
    c->nr_tlb_local++;
  }
}

void tlb_batch_init(struct tlb_batch *b, struct mm *mm)
{
  b->mm = mm;
  b->start = USER_TOP;
  b->end = 0;
  b->npages = 0;
}

void tlb_batch_add(struct tlb_batch *b, uaddr_t va)
{
  if (va < b->start)
    b->start = va;
  if (va + PAGE_SIZE > b->end)
    b->end = va + PAGE_SIZE;
}

void tlb_batch_remove_page(struct tlb_batch *b, uaddr_t va, struct page *p)
{
  tlb_batch_add(b, va);
  b->pages[b->npages++] = p;
  if (b->npages == TLB_BATCH_PAGES)
    tlb_batch_finish(b);
}

void tlb_batch_finish(struct tlb_batch *b)
{
  tlb_flush_mm_range(b->mm, b->start, b->end);
  put_pages(b->pages, b->npages);
  tlb_batch_init(b, b->mm);
}

/* ---- ASIDs (see tlb.h) ---- */

static struct spinlock asid_lock = SPINLOCK_INIT("asid");
static uint16_t asid_limit;                    /* ASIDs 1 .. asid_limit - 1 are handed out */
static uint64_t asid_used[NR_ASIDS / 64];      /* held by a live mm */
static uint64_t asid_dirty[NR_ASIDS / 64];     /* freed since the last global flush */
static uint16_t asid_next = 1;                 /* where the search starts */

void asid_init(void)
{
  /* The ASID bits that stick when all are written are the ones the hart has. */
  uint64_t satp = csr_read(satp);
  csr_write(satp, satp | SATP_ASID_MASK);
  uint64_t bits = (csr_read(satp) & SATP_ASID_MASK) >> SATP_ASID_SHIFT;
  csr_write(satp, satp);
  sfence_vma();
  asid_limit = bits + 1 < NR_ASIDS ? bits + 1 : NR_ASIDS;
  if (asid_limit < 2)
    asid_limit = 0;  /* no ASIDs: every mm uses 0 */
}

static bool asid_free_bit(int a)
{
  uint64_t m = 1UL << (a % 64);
  return !(asid_used[a / 64] & m) && !(asid_dirty[a / 64] & m);
}

/* Every hart forgets every ASID's entries; the dirty ones become clean. */
static void asid_flush_all_locked(void)
{
  sfence_vma();
  cpumask_t others = cpu_online_mask() & ~cpumask_of(mycpu()->id);
  if (others)
    smp_remote_sfence_vma(others, 0, (uint64_t)-1);
  memset(asid_dirty, 0, sizeof(asid_dirty));
}

uint16_t asid_alloc(void)
{
  if (!asid_limit)
    return 0;
  spin_lock(&asid_lock);
  uint16_t got = 0;
  for (int pass = 0; pass < 2 && !got; pass++) {
    for (int i = 1; i < asid_limit; i++) {
      int a = 1 + (asid_next - 1 + i - 1) % (asid_limit - 1);
      if (asid_free_bit(a)) {
        got = a;
        break;
      }
    }
    if (!got && pass == 0)
      asid_flush_all_locked();
  }
  if (got) {
    asid_used[got / 64] |= 1UL << (got % 64);
    asid_next = got + 1 < asid_limit ? got + 1 : 1;
  }
  spin_unlock(&asid_lock);
  return got;
}

void asid_free(uint16_t asid)
{
  if (!asid)
    return;
  spin_lock(&asid_lock);
  asid_used[asid / 64] &= ~(1UL << (asid % 64));
  asid_dirty[asid / 64] |= 1UL << (asid % 64);
  spin_unlock(&asid_lock);
}

void tlb_switch_in(struct mm *mm)
{
  struct cpu *c = mycpu();
  uint64_t gen = __atomic_load_n(&mm->tlb_gen, __ATOMIC_SEQ_CST);
  if (mm->hart_gen[c->id] != gen) {
    sfence_vma_asid(mm->asid);
    mm->hart_gen[c->id] = gen;
  }
}

/*
 * Load mm's page table on this hart (NULL: the kernel's) and keep
 * mm->cpus_active exact: the bit is set before satp points at the table
 * and cleared after it no longer does (kern/tlb.h relies on it). With an
 * ASID, the entries of the mm we leave may stay (they are tagged with its
 * ASID) and those of mm are flushed only if it changed since this hart
 * last ran it; ASID 0 (the kernel's, or no ASIDs) flushes everything.
 * Under QEMU the satp write alone empties its software TLB, so the
 * sfence.vma saved is half the cost of a switch (docs/processes.md).
 */
void vm_switch(struct mm *mm)
{
  struct cpu *c = mycpu();
  struct mm *old = c->active_mm;
  uint64_t bit = cpumask_of(c->id);
  if (mm && mm != old)
    __atomic_fetch_or(&mm->cpus_active, bit, __ATOMIC_SEQ_CST);
  csr_write(satp, mm ? mm->satp : kernel_satp);
  if (mm && mm->asid)
    tlb_switch_in(mm);
  else
    sfence_vma();
  c->active_mm = mm;
  if (old && old != mm)
    __atomic_fetch_and(&old->cpus_active, ~bit, __ATOMIC_SEQ_CST);
}
