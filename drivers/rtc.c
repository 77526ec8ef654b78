/*
 * rtc.c — the goldfish real-time clock (QEMU virt) and /dev/rtc0.
 *
 * The device counts nanoseconds since 1970 in two 32-bit registers;
 * reading TIME_LOW latches TIME_HIGH. Kite reads it once at boot to set
 * CLOCK_REALTIME, and /dev/rtc0 answers RTC_RD_TIME (hwclock).
 *
 * Layer: drivers. Below: kern/time.c (time_set_realtime_ns),
 * drivers/chrdev.c (/dev/rtc0), kern/uaccess.c (the ioctl's copy).
 * Above: kmain (rtc_init). Locks: none (register reads only; the clock
 * has its own).
 */
#include "drivers/rtc.h"
#include "fs/fs_abi.h"
#include "fs/file.h"
#include "drivers/chrdev.h"
#include "kern/time.h"
#include "kern/vm.h"
#include "kern/errno.h"
#include "arch/riscv/riscv.h"

#define TIME_LOW 0x00
#define TIME_HIGH 0x04

#define RTC_RD_TIME 0x80247009
#define RTC_SET_TIME 0x4024700a

static volatile uint32_t *rtc;

uint64_t rtc_read_ns(void)
{
  if (!rtc)
    return 0;
  uint64_t lo = rtc[TIME_LOW / 4];
  uint64_t hi = rtc[TIME_HIGH / 4];
  return hi << 32 | lo;
}

struct rtc_time {
  int32_t tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
};

/* Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (*m <= 2));
}

static int64_t days_from_civil(int y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void epoch_to_rtc_time(int64_t secs, struct rtc_time *t)
{
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  t->tm_sec = (int)(rem % 60);
  t->tm_min = (int)(rem / 60 % 60);
  t->tm_hour = (int)(rem / 3600);
  t->tm_mday = d;
  t->tm_mon = m - 1;
  t->tm_year = y - 1900;
  t->tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
  t->tm_yday = (int)(days - days_from_civil(y, 1, 1));
  t->tm_isdst = 0;
}

static int rtc_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
  (void)f;
  if (cmd == RTC_RD_TIME) {
    struct rtc_time t;
    epoch_to_rtc_time((int64_t)(time_realtime_ns() / NSEC_PER_SEC), &t);
    return copyout(arg, &t, sizeof(t)) ? -EFAULT : 0;
  }
  if (cmd == RTC_SET_TIME) {
    struct rtc_time t;
    if (copyin(&t, arg, sizeof(t)))
      return -EFAULT;
    if (t.tm_mon < 0 || t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 ||
        t.tm_min > 59 || t.tm_sec > 60)
      return -EINVAL;
    int64_t days = days_from_civil(t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
    int64_t secs = days * 86400 + t.tm_hour * 3600 + t.tm_min * 60 + t.tm_sec;
    time_set_realtime_ns((uint64_t)secs * NSEC_PER_SEC);
    return 0;
  }
  return -ENOTTY;
}

static const struct file_ops rtc_fops = {
  .ioctl = rtc_ioctl,
};

void rtc_init(paddr_t base)
{
  if (base)
    rtc = pa_to_kva(base);
  uint64_t ns = rtc_read_ns();
  if (ns)
    time_set_realtime_ns(ns);
  chrdev_register(MKDEV(252, 0), "rtc0", &rtc_fops);
}
