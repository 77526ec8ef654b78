/*
 * tlb.c — TLB shootdown: flushing the harts that may cache an address
 * space, after its page table changed (see tlb.h for the rules).
 *
 * Also vm_switch: loading an address space on a hart, which keeps the mask
 * of harts that may cache it (mm->cpus_active) exact.
 *
 * Layer: core, under kern/vm.c (the only code that changes user PTEs), over
 * kern/smp.c (SBI RFENCE) and arch/riscv/riscv.h (local sfence.vma).
 * Locks: none of its own; callers hold mm->lock.
 */
#include "kern/tlb.h"
#include "kern/vm.h"
#include "kern/mm.h"
#include "kern/cpu.h"
#include "kern/task.h"

void tlb_flush_mm_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
  if (start >= end)
    return;
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
  for (int i = 0; i < b->npages; i++)
    put_page(b->pages[i]);
  tlb_batch_init(b, b->mm);
}

/*
 * Load mm's page table on this hart (NULL: the kernel's) and keep
 * mm->cpus_active exact: the bit is set before satp points at the table
 * and cleared after it no longer does (kern/tlb.h relies on it). The full
 * sfence.vma means a hart never keeps entries of an mm it left.
 */
void vm_switch(struct mm *mm)
{
  struct cpu *c = mycpu();
  struct mm *old = c->active_mm;
  uint64_t bit = cpumask_of(c->id);
  if (mm && mm != old)
    __atomic_fetch_or(&mm->cpus_active, bit, __ATOMIC_SEQ_CST);
  csr_write(satp, mm ? mm->satp : kernel_satp);
  sfence_vma();
  c->active_mm = mm;
  if (old && old != mm)
    __atomic_fetch_and(&old->cpus_active, ~bit, __ATOMIC_SEQ_CST);
}
