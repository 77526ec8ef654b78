/*
 * vm_internal.h — the region helpers kern/vm.c shares with kern/mmap.c,
 * and no one else. All expect mm->lock held.
 *
 * Layer: core, private to kern/vm.c and kern/mmap.c. Locks: every
 * helper expects mm->lock (a mutex) held, as said above.
 */
#ifndef KITE_VM_INTERNAL_H
#define KITE_VM_INTERNAL_H

#include "kern/vm.h"
#include "kern/tlb.h"

/* A new region (not linked); one over a file (ops from the file's mmap)
 * takes its reference through ops->open. NULL when out of memory. */
struct vma *vma_alloc(uaddr_t start, uaddr_t end, uint32_t prot, uint32_t flags,
                      struct file *file, const struct vm_operations *ops, uint64_t pgoff);
/* Free an unlinked region (ops->close drops its file). */
void vma_free(struct vma *v);
/* Link v into mm's sorted list / take it out (mm->nr_vmas, total_vm follow). */
void vma_insert(struct mm *mm, struct vma *v);
void vma_unlink(struct mm *mm, struct vma *v);
/* Drop the pages mapped in [start, end) (page aligned) into tb, which
 * frees them once no hart can reach them (tlb_batch_finish). */
void unmap_pages(struct tlb_batch *tb, uaddr_t start, uaddr_t end);
/* Resolve a fault at addr (kern/vm.c has the contract: 0, -EFAULT,
 * -EACCES, -ENXIO, -ENOMEM). */
int fault_locked(struct mm *mm, uaddr_t addr, int access);

#endif
