/*
 * sbi.h — calls into OpenSBI (the Supervisor Binary Interface, SBI 1.0).
 */
#ifndef KITE_SBI_H
#define KITE_SBI_H

#include "kern/types.h"

struct sbiret {
  long error;
  long value;
};

struct sbiret sbi_ecall(long ext, long fid, long a0, long a1, long a2);
void sbi_console_putchar(int c);
void sbi_set_timer(uint64_t stime_value);
void sbi_shutdown(int code) NORETURN;
extern paddr_t sifive_test_base;
bool sbi_probe_extension(long ext);

#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_HSM 0x48534D

#endif
