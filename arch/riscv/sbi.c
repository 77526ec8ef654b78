/*
 * sbi.c — the SBI calls Kite makes: legacy console output (early boot),
 * the timer (when the hart lacks Sstc), system reset (power-off), and for
 * several harts: starting them (HSM), inter-processor interrupts (IPI)
 * and remote TLB / instruction-cache fences (RFENCE).
 *
 * Layer: arch. Below: OpenSBI (the ecall). Above: kern/time.c (the
 * timer), kern/smp.c (HSM, IPIs), kern/tlb.c (RFENCE), kern/reboot.c
 * (power-off), kern/printk.c (early console). No locks: each call is
 * one ecall on this hart.
 */
#include "arch/riscv/sbi.h"
#include "arch/riscv/riscv.h"

struct sbiret sbi_ecall(long ext, long fid, long arg0, long arg1, long arg2)
{
  register long a0 asm("a0") = arg0;
  register long a1 asm("a1") = arg1;
  register long a2 asm("a2") = arg2;
  register long a6 asm("a6") = fid;
  register long a7 asm("a7") = ext;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
  return (struct sbiret){ a0, a1 };
}

/* Legacy extension 0x01: works on every OpenSBI, needs nothing set up. */
void sbi_console_putchar(int c)
{
  sbi_ecall(0x01, 0, c, 0, 0);
}

void sbi_set_timer(uint64_t stime_value)
{
  sbi_ecall(SBI_EXT_TIME, 0, (long)stime_value, 0, 0);
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
  return sbi_ecall(SBI_EXT_IPI, 0, (long)hart_mask, (long)hart_mask_base, 0).error;
}

/* RFENCE calls take five arguments: a3/a4 are start and size. */
static long sbi_rfence(long fid, unsigned long mask, unsigned long base, unsigned long start,
                       unsigned long size)
{
  register long a0 asm("a0") = (long)mask;
  register long a1 asm("a1") = (long)base;
  register long a2 asm("a2") = (long)start;
  register long a3 asm("a3") = (long)size;
  register long a6 asm("a6") = fid;
  register long a7 asm("a7") = SBI_EXT_RFENCE;
  asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a6), "r"(a7) : "memory");
  return a0;
}

long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
                           unsigned long start, unsigned long size)
{
  return sbi_rfence(1, hart_mask, hart_mask_base, start, size);
}

long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base)
{
  return sbi_rfence(0, hart_mask, hart_mask_base, 0, 0);
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque)
{
  return sbi_ecall(SBI_EXT_HSM, 0, (long)hartid, (long)start_pa, (long)opaque).error;
}

long sbi_hart_get_status(unsigned long hartid)
{
  struct sbiret r = sbi_ecall(SBI_EXT_HSM, 2, (long)hartid, 0, 0);
  return r.error ? r.error : r.value;
}

bool sbi_probe_extension(long ext)
{
  struct sbiret r = sbi_ecall(0x10, 3, ext, 0, 0);
  return r.error == 0 && r.value != 0;
}

paddr_t sifive_test_base = 0x100000; /* from the device tree (kern/devtree.c) */

/*
 * Power off. A failure code (1..255) goes to QEMU's sifive,test device,
 * which makes QEMU exit with that status (OpenSBI's SRST always reports
 * success); otherwise SRST, with the test device and the legacy call as
 * fallbacks.
 */
void sbi_shutdown(int code)
{
  volatile uint32_t *test = sifive_test_base ? pa_to_kva(sifive_test_base) : NULL;
  if (code && test)
    *test = ((uint32_t)(code & 0xff) << 16) | 0x3333;
  sbi_ecall(SBI_EXT_SRST, 0, 0 /* shutdown */, code ? 1 : 0, 0);
  if (test)
    *test = 0x5555;
  sbi_ecall(0x08, 0, 0, 0, 0); /* legacy shutdown */
  for (;;)
    wfi();
}
