/*
 * vdso.h — the data the kernel shares with the vDSO: one read-only page
 * mapped just below the vDSO code in every process. The kernel updates it
 * (settimeofday, adjtimex) under a sequence counter; readers retry if it changed.
 *
 * Layer: shared by the kernel (kern/time.c writes it) and the vDSO
 * (vdso.c reads it). Locks: the sequence counter (odd while the kernel
 * writes).
 */
#ifndef KITE_VDSO_H
#define KITE_VDSO_H

#include <stdint.h>

struct vdso_data {
  volatile uint32_t seq;         /* odd while the kernel is writing */
  uint32_t pad;
  uint64_t boot_ticks;           /* rdtime at boot: monotonic zero */
  uint64_t mult;                 /* ns = (ticks * mult) >> 32 */
  uint64_t realtime_offset_ns;   /* CLOCK_REALTIME = monotonic + this */
  uint64_t timebase_hz;
  /* ... + (monotonic - realtime_base_ns) * realtime_rate / 2^32: the
   * slew adjtimex asks for (0 when nothing slews the clock) */
  uint64_t realtime_base_ns;
  int64_t realtime_rate;
};

/* Where the vDSO lives in every address space (kern/vm.h has the same). */
#define VDSO_DATA_ADDR 0x3fffffb000UL   /* one page: struct vdso_data */
#define VDSO_TEXT_ADDR 0x3fffffc000UL   /* up to three pages of code */
#define VDSO_TEXT_PAGES 3

#endif
