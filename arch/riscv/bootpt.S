/*
 * bootpt.S — the boot page table, the kernel's page table for good.
 *
 * Layer: arch (data only). entry.S switches the MMU on with it;
 * pgtable.c adopts it as kernel_pagetable. Locks: none (written only at
 * boot, before any other hart runs).
 */
#include "arch/riscv/asm.h"

/*
 * The boot page table: 1 GiB leaf pages (Sv39 level 2).
 *   entry 2          : VA 0x80000000 -> PA 0x80000000 (identity, for the jump)
 *   entries 256..319 : VA DIRECT_MAP_BASE + n GiB -> PA n GiB (the direct map)
 * After boot it stays the kernel's page table; pgtable_init() removes the
 * identity entry. Every user page table copies entries 256..511 (vm.c).
 */
  .section .data.pagetable, "aw"
  .balign 4096
  .globl boot_pagetable
boot_pagetable:
  .dword 0
  .dword 0
  .dword (0x80000 << 10) | PTE_KERNEL_LEAF
  .fill 253, 8, 0
  .set gib, 0
  .rept 64
  .dword ((gib * 0x40000) << 10) | PTE_KERNEL_LEAF
  .set gib, gib + 1
  .endr
  .fill 512 - 256 - 64, 8, 0
