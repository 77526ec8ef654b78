/*
 * riscv.h — RISC-V privileged-architecture definitions for S-mode:
 * CSR access, status and interrupt bits, Sv39 page-table entries, and
 * Kite's virtual memory layout.
 *
 * Layer: arch (header only, the bottom of the kernel with kern/string.c).
 * Used by every layer above. No locks: each inline is one instruction or
 * one CSR access on this hart.
 */
#ifndef KITE_RISCV_H
#define KITE_RISCV_H

#include "kern/types.h"

#define csr_read(csr) ({ uint64_t __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ uint64_t __v = (uint64_t)(val); asm volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ uint64_t __v = (uint64_t)(val); asm volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ uint64_t __v = (uint64_t)(val); asm volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })
#define csr_read_clear(csr, val) ({ uint64_t __v = (uint64_t)(val); asm volatile("csrrc %0, " #csr ", %1" : "=r"(__v) : "rK"(__v) : "memory"); __v; })

/* sstatus */
#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_FS_OFF (0UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SSTATUS_SUM (1UL << 18)
#define SSTATUS_MXR (1UL << 19)

/* sie / sip */
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

/* scause */
#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

/* Sv39 */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PGROUNDUP(a) (((a) + PAGE_SIZE - 1) & PAGE_MASK)
#define PGROUNDDOWN(a) ((a) & PAGE_MASK)
#define SATP_SV39 (8UL << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK (0xffffUL << SATP_ASID_SHIFT)
#define MAKE_SATP(root_pa, asid) (SATP_SV39 | ((uint64_t)(asid) << 44) | ((root_pa) >> PAGE_SHIFT))

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
/* Software bit (RSW): a private page shared copy-on-write with another mm. */
#define PTE_COW (1UL << 8)
/* Software bit (RSW): a page kept while its region is PROT_NONE. V is clear,
 * so the hardware faults on it, but the page is still owned (Linux does the
 * same with its _PAGE_PROT_NONE). */
#define PTE_PROTNONE (1UL << 9)
#define PTE_FLAGS_MASK 0x3ffUL
#define PTE_TO_PA(pte) (((pte) >> 10) << PAGE_SHIFT)
#define PA_TO_PTE(pa) (((uint64_t)(pa) >> PAGE_SHIFT) << 10)
#define PX(level, va) ((((uint64_t)(va)) >> (PAGE_SHIFT + 9 * (level))) & 0x1ff)

typedef uint64_t pte_t;
/* Does this PTE hold a page (accessible or PROT_NONE)? */
static inline bool pte_present(pte_t pte) { return (pte & (PTE_V | PTE_PROTNONE)) != 0; }
typedef pte_t *pagetable_t; /* 512 PTEs, through the direct map */

/*
 * Virtual memory layout (Sv39: 39-bit addresses, sign-extended)
 *
 *   0x0000000000000000 .. USER_TOP        user space (256 GiB)
 *   DIRECT_MAP_BASE + pa                  all of physical memory and MMIO,
 *                                         1 GiB pages; the kernel image
 *                                         runs here too (linked at
 *                                         DIRECT_MAP_BASE + 0x80200000)
 *
 * One mapping for everything keeps the kernel simple: a kernel virtual
 * address is a physical address plus a constant, in both directions.
 */
#define USER_TOP 0x4000000000UL
#define DIRECT_MAP_BASE 0xffffffc000000000UL
#define DIRECT_MAP_GIB 64 /* covers MMIO (below 2 GiB) and up to 62 GiB of RAM */

/* A physical address's kernel (direct-map) address, and back. No check:
 * pa must be below DIRECT_MAP_GIB GiB, va a direct-map address. */
static inline void *pa_to_kva(paddr_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }
static inline paddr_t kva_to_pa(const void *va) { return (paddr_t)va - DIRECT_MAP_BASE; }

/* Release store of a 32-bit word: a fence, then a plain store (GCC 12
 * compiles __atomic_store_n(RELEASE) to an amoswap, which QEMU runs
 * through a helper call once there are several harts). */
static inline void store_release_u32(volatile uint32_t *p, uint32_t v)
{
  asm volatile("fence rw, w\n\tsw %1, %0" : "=m"(*p) : "r"(v) : "memory");
}
/* Full fence: earlier loads and stores before later ones. */
static inline void fence_rw_rw(void) { asm volatile("fence rw, rw" ::: "memory"); }
/* This hart's TLB: forget everything, one address (every ASID), or one
 * ASID's entries. Other harts: kern/tlb.c (SBI RFENCE). */
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_addr(uint64_t va) { asm volatile("sfence.vma %0, zero" :: "r"(va) : "memory"); }
static inline void sfence_vma_asid(uint64_t asid) { asm volatile("sfence.vma zero, %0" :: "r"(asid) : "memory"); }
/* The time CSR: ticks of the timebase (kern/time.c converts). */
static inline uint64_t rdtime(void) { uint64_t t; asm volatile("rdtime %0" : "=r"(t)); return t; }
/* Halt this hart until an interrupt is pending (taken or not). */
static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }

/* sstatus.SIE: this hart's interrupts on, off, and whether they are on.
 * Kernel code uses push_off/pop_off (kern/spinlock.h), which nest. */
static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline bool intr_get(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }

#endif
