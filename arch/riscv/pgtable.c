/*
 * pgtable.c — Sv39 page tables.
 *
 * The kernel half (root entries 256..511: the direct map, 1 GiB leaves)
 * is the boot page table from entry.S, copied into every user root table
 * so the kernel is mapped the same way in every address space. The user
 * half (entries 0..255) is built with 4 KiB leaves by kern/vm.c.
 *
 * Layer: arch, below the core kernel. It takes the pages for tables from
 * the allocator pgtable_init is given (kern/page_alloc.c, passed by
 * kern/main.c) and never names it. Neighbours: kern/vm.c and kern/uaccess.c
 * walk tables with pt_walk; kern/tlb.c loads them (vm_switch).
 * Locks: none of its own; callers hold mm->lock while changing a table.
 */
#include "kern/vm.h"
#include "kern/mm.h"
#include <string.h>

extern pte_t boot_pagetable[512]; /* bootpt.S */
pagetable_t kernel_pagetable;
uint64_t kernel_satp; /* also read by secondary harts as they start (entry.S) */
static void *(*table_alloc)(unsigned order);      /* zeroed pages */
static void (*table_free)(void *va, unsigned order);

void pgtable_init(void *(*alloc_pages)(unsigned order),
                  void (*free_pages)(void *va, unsigned order))
{
  table_alloc = alloc_pages;
  table_free = free_pages;
  kernel_pagetable = boot_pagetable;
  kernel_pagetable[2] = 0; /* drop the identity mapping used to jump up */
  kernel_satp = MAKE_SATP(kva_to_pa(kernel_pagetable), 0);
  csr_write(satp, kernel_satp);
  sfence_vma();
}

pagetable_t pt_create_user(void)
{
  pagetable_t root = table_alloc(0);
  if (!root)
    return NULL;
  memcpy(&root[256], &kernel_pagetable[256], 256 * sizeof(pte_t));
  return root;
}

/* Find the level-0 PTE for va, creating intermediate tables if alloc. */
pte_t *pt_walk(pagetable_t root, uaddr_t va, bool alloc)
{
  if (va >= USER_TOP)
    return NULL;
  pagetable_t table = root;
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &table[PX(level, va)];
    if (*pte & PTE_V) {
      if (*pte & (PTE_R | PTE_W | PTE_X))
        return NULL; /* a huge leaf: never in user space */
      table = pa_to_kva(PTE_TO_PA(*pte));
    } else {
      if (!alloc)
        return NULL;
      pagetable_t next = table_alloc(0);
      if (!next)
        return NULL;
      /* Another hart's page-table walker may follow the entry at once:
       * the zeroed table must be visible first. */
      __atomic_thread_fence(__ATOMIC_RELEASE);
      *pte = PA_TO_PTE(kva_to_pa(next)) | PTE_V;
      table = next;
    }
  }
  return &table[PX(0, va)];
}

static void free_table(pagetable_t table, int level)
{
  for (int i = 0; i < 512; i++) {
    pte_t pte = table[i];
    if ((pte & PTE_V) && !(pte & (PTE_R | PTE_W | PTE_X)) && level > 0)
      free_table(pa_to_kva(PTE_TO_PA(pte)), level - 1);
  }
  table_free(table, 0);
}

/* Free a user root and its intermediate tables (leaves are already gone). */
void pt_destroy(pagetable_t root)
{
  for (int i = 0; i < 256; i++) {
    pte_t pte = root[i];
    if (pte & PTE_V)
      free_table(pa_to_kva(PTE_TO_PA(pte)), 1);
  }
  table_free(root, 0);
}

uint64_t pte_flags_for_prot(uint32_t prot)
{
  uint64_t f = PTE_V | PTE_U | PTE_A | PTE_D;
  if (prot & PROT_READ)
    f |= PTE_R;
  if (prot & PROT_WRITE)
    f |= PTE_W | PTE_R;
  if (prot & PROT_EXEC)
    f |= PTE_X;
  return f;
}
