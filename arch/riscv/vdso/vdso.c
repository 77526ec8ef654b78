/*
 * vdso.c — the virtual dynamic shared object: clock_gettime and friends in
 * user space, with no system call. The time CSR (rdtime) is readable from
 * user mode (the kernel sets scounteren.TM); the kernel's page of
 * struct vdso_data says how to turn ticks into nanoseconds.
 *
 * Built as a tiny position-independent shared library (vdso.lds), linked
 * into the kernel image and mapped into every process; its address is in
 * the auxiliary vector (AT_SYSINFO_EHDR). glibc uses it; musl 1.2.3 does
 * not on riscv64.
 *
 * Layer: user space (it runs in every process, not in the kernel); it
 * reads only the vdso_data page (vdso.h) that kern/time.c writes. Locks:
 * none; the sequence counter makes a reader retry.
 */
#include "vdso.h"
#include <stddef.h>

struct kernel_timespec {
  int64_t tv_sec, tv_nsec;
};

struct kernel_timeval {
  int64_t tv_sec, tv_usec;
};

/* The data page sits one page below the code (see vdso.lds). */
extern const struct vdso_data vdso_data __attribute__((visibility("hidden")));

static inline uint64_t rdtime(void)
{
  uint64_t t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

static long syscall2(long nr, long a0, long a1)
{
  register long x0 asm("a0") = a0;
  register long x1 asm("a1") = a1;
  register long x7 asm("a7") = nr;
  asm volatile("ecall" : "+r"(x0) : "r"(x1), "r"(x7) : "memory");
  return x0;
}

#define NR_clock_gettime 113
#define NR_clock_getres 114
#define NR_gettimeofday 169
#define NSEC_PER_SEC 1000000000ULL

/* Monotonic nanoseconds and the offset of real time from it at
 * that instant, read consistently: the offset moves while adjtimex slews. */
static void read_clock(uint64_t *mono, uint64_t *offset)
{
  const volatile struct vdso_data *d = &vdso_data; /* volatile: reread every try */
  uint32_t seq;
  do {
    seq = d->seq;
    __sync_synchronize();
    uint64_t ticks = rdtime() - d->boot_ticks;
    *mono = (uint64_t)(((unsigned __int128)ticks * d->mult) >> 32);
    int64_t since = (int64_t)(*mono - d->realtime_base_ns);
    *offset = d->realtime_offset_ns + (uint64_t)(int64_t)(((__int128)since * d->realtime_rate) >> 32);
    __sync_synchronize();
  } while ((seq & 1) || seq != d->seq);
}

int __vdso_clock_gettime(int clk, struct kernel_timespec *ts)
{
  uint64_t mono, offset, ns;
  switch (clk) {
  case 0: /* CLOCK_REALTIME */
  case 5: /* CLOCK_REALTIME_COARSE */
  case 11: /* CLOCK_TAI */
    read_clock(&mono, &offset);
    ns = mono + offset;
    break;
  case 1: /* CLOCK_MONOTONIC */
  case 4: /* CLOCK_MONOTONIC_RAW */
  case 6: /* CLOCK_MONOTONIC_COARSE */
  case 7: /* CLOCK_BOOTTIME */
    read_clock(&mono, &offset);
    ns = mono;
    break;
  default:
    return (int)syscall2(NR_clock_gettime, clk, (long)ts);
  }
  ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
  ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
  return 0;
}

int __vdso_gettimeofday(struct kernel_timeval *tv, void *tz)
{
  if (tz)
    return (int)syscall2(NR_gettimeofday, (long)tv, (long)tz);
  if (tv) {
    uint64_t mono, offset;
    read_clock(&mono, &offset);
    uint64_t ns = mono + offset;
    tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
    tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
  }
  return 0;
}

int __vdso_clock_getres(int clk, struct kernel_timespec *res)
{
  return (int)syscall2(NR_clock_getres, clk, (long)res);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
  (void)unused;
  if (cpu)
    *cpu = 0;
  if (node)
    *node = 0;
  return 0;
}

/* Return from a signal handler (the kernel's frame is on the stack). */
asm(".globl __vdso_rt_sigreturn\n"
    ".type __vdso_rt_sigreturn, @function\n"
    "__vdso_rt_sigreturn:\n"
    "  li a7, 139\n"
    "  ecall\n");
