/* rtc.h — the goldfish RTC (drivers/rtc.c). */
#ifndef KITE_RTC_H
#define KITE_RTC_H
#include "kern/types.h"
void rtc_init(paddr_t base);
uint64_t rtc_read_ns(void);
#endif
