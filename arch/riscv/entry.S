/*
 * entry.S — the first instructions Kite runs.
 *
 * OpenSBI enters here in S-mode with the MMU off:
 *   a0 = hart id, a1 = physical address of the device tree blob.
 * We are running at the physical load address, so only PC-relative
 * addressing works. We switch on boot_pagetable (bootpt.S), which maps
 *   - physical memory 1:1 at its own address (just for the jump), and
 *   - all of physical memory at DIRECT_MAP_BASE (where the kernel is linked),
 * jump to our linked (virtual) address, set up a stack and call kmain(),
 * handing it secondary_entry (below) for the other harts and the time
 * (rdtime) at which the kernel was entered.
 *
 * Layer: entry (rank 6): it jumps to kmain (kern/main.c), the only
 * caller of everything. Below it: bootpt.S (the boot page table). Locks:
 * none; only the first hart through (the amoswap on boot_hart_claimed)
 * boots, a later one goes to secondary_entry.
 */
#include "arch/riscv/asm.h"

  .section .text.entry
  .globl _start
_start:
  csrw sie, zero
  csrw sscratch, zero          /* sscratch == 0 means "trap came from the kernel" */
  /* Only the first hart here is the boot hart. OpenSBI 1.1's hart_start
   * marks the hart "start pending" before it stores the start address, so
   * a hart that wakes in between leaves for the old address — this one
   * (seen at -smp 3 under TCG). Such a late hart is a secondary one. */
  lla t0, boot_hart_claimed
  li t1, 1
  amoswap.w.aqrl t1, t1, (t0)
  beqz t1, 1f
  lla t0, secondary_entry
  jr t0
1:
  rdtime s2                    /* when the kernel was entered, for the boot: line */
  mv s0, a0
  mv s1, a1

  lla t0, boot_pagetable       /* physical address, PC-relative */
  srli t0, t0, 12
  li t1, 8                     /* satp.MODE = Sv39 */
  slli t1, t1, 60
  or t0, t0, t1
  sfence.vma
  csrw satp, t0
  sfence.vma

  ld t0, .Lvirt_entry          /* an absolute (virtual) address */
  jr t0
  .balign 8
.Lvirt_entry:
  .dword virt_entry

  .text
virt_entry:
  la sp, boot_stack_top
  la tp, init_task             /* tp always holds the current task in the kernel */
  /* clear .bss, 64 bytes a turn (it is page-aligned at both ends: the
   * linker script): under QEMU each turn of a loop costs as much as a
   * handful of stores, and .bss is 472 KiB */
  la t0, _bss_start
  la t1, _bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  sd zero, 8(t0)
  sd zero, 16(t0)
  sd zero, 24(t0)
  sd zero, 32(t0)
  sd zero, 40(t0)
  sd zero, 48(t0)
  sd zero, 56(t0)
  addi t0, t0, 64
  j 1b
2:
  mv a0, s0
  mv a1, s1
  la a2, secondary_entry       /* kmain(hartid, dtb, secondary_entry, entry_ticks) */
  mv a3, s2
  call kmain
3:
  wfi
  j 3b

/*
 * Where a secondary hart starts (kern/smp.c starts it with SBI HSM
 * hart_start): S-mode, MMU off, a0 = its hart id. Its struct hart_boot
 * { sp, tp } is the one kern/smp.c published in smp_starting_hart (a
 * kernel virtual address), not a1: a hart that came through _start (see
 * there) has a stale a1. Harts are started one at a time.
 *
 * The boot identity mapping is gone by now, so the MMU is switched on the
 * way Linux does it: stvec points at the virtual address of the next
 * step, and the first instruction fetch after the satp write — from a
 * physical address that is no longer mapped — traps there.
 */
  .text
  .globl secondary_entry
  .balign 4
secondary_entry:
  csrw sie, zero
  csrw sscratch, zero
  mv s0, a0
  lla t0, smp_starting_hart
  ld s1, 0(t0)
  lla t0, 1f                   /* physical address of 1f ... */
  li t1, DIRECT_MAP_BASE_ASM
  add t0, t0, t1               /* ... and its virtual address */
  csrw stvec, t0
  lla t0, kernel_satp
  ld t0, 0(t0)
  sfence.vma
  csrw satp, t0
  sfence.vma
  nop                          /* not reached: the fetch above faults to 1f */
  .balign 4
1:
  ld sp, 0(s1)
  ld tp, 8(s1)
  mv a0, s0
  call secondary_main          /* kern/main.c */
2:
  wfi
  j 2b

  .section .data
  .balign 4
boot_hart_claimed:             /* not .bss: the boot hart clears that later */
  .word 0

  .section .bss.stack, "aw", @nobits
  .balign 16
boot_stack:
  .space 4096 * 4
  .globl boot_stack_top
boot_stack_top:
