/*
 * sbi.c — the SBI calls Kite makes: legacy console output (early boot),
 * the timer (when the hart lacks Sstc), and system reset (power-off).
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
