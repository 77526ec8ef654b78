/*
 * sbi.h — calls into OpenSBI (the Supervisor Binary Interface, SBI 1.0).
 *
 * Hart masks: SBI names harts by their hart ids (which need not be
 * 0..N-1), as a 64-bit mask relative to a base id. kern/smp.c builds
 * them from Kite's logical cpu ids.
 *
 * Layer: arch (arch/riscv/sbi.c). Above: kern/ (time, smp, tlb, reboot,
 * printk). No locks; the remote calls return when the other harts are
 * done.
 */
#ifndef KITE_SBI_H
#define KITE_SBI_H

#include "kern/types.h"

struct sbiret {
  long error;
  long value;
};

/* Call SBI extension ext, function fid, with three arguments: OpenSBI's
 * error (0 or SBI_ERR_*) and value. Any context; takes no lock. */
struct sbiret sbi_ecall(long ext, long fid, long a0, long a1, long a2);
/* The legacy console: one byte out (early boot, before the UART). */
void sbi_console_putchar(int c);
/* This hart's next timer interrupt at time-CSR value stime_value (harts
 * without Sstc; kern/time.c). */
void sbi_set_timer(uint64_t stime_value);
/* Power off; code != 0 makes QEMU exit with that status (through the
 * sifive,test device at sifive_test_base, from the device tree). Never
 * returns. */
void sbi_shutdown(int code) NORETURN;
extern paddr_t sifive_test_base;
/* Does OpenSBI implement extension ext? */
bool sbi_probe_extension(long ext);

/* IPI extension: raise a supervisor software interrupt on each hart in the mask. */
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
/* RFENCE extension: sfence.vma / fence.i on the harts in the mask (waits until done).
 * start = 0, size = (unsigned long)-1 flushes everything. */
long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
                           unsigned long start, unsigned long size);
long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);
/* HSM extension: start a stopped hart at physical address start_pa in S-mode with
 * the MMU off, a0 = its hart id, a1 = opaque. */
long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque);
long sbi_hart_get_status(unsigned long hartid); /* 0 started, 1 stopped, 2/3 pending, <0 error */

#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43

#endif
