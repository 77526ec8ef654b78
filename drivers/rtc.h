/*
 * rtc.h — the goldfish RTC (drivers/rtc.c).
 *
 * Layer: drivers. Below: kern/time.c (it sets CLOCK_REALTIME),
 * drivers/chrdev.c (/dev/rtc0). Above: kmain. Locks: none (two register
 * reads; TIME_LOW latches TIME_HIGH).
 */
#ifndef KITE_RTC_H
#define KITE_RTC_H
#include "kern/types.h"
/* Boot, once: the RTC is at physical base (0: none); set CLOCK_REALTIME
 * from it and register /dev/rtc0 (252:0). */
void rtc_init(paddr_t base);
/* Nanoseconds since 1970 by the RTC, or 0 if there is none. */
uint64_t rtc_read_ns(void);
#endif
