/*
 * fat_time.c — DOS dates and times (2-second steps, 1980 to 2107, local
 * time taken as UTC) to and from seconds since 1970.
 *
 * Layer: fs, the FAT32 core (fs/fat/fat32.h declares these). A leaf: pure
 * arithmetic, no locks; used by fat_table.c, fat_file.c, the directory
 * files and the host tests.
 */
#include "fs/fat/fat32.h"

/* ---- DOS dates and times ----
 * date: bits 15-9 year - 1980, 8-5 month, 4-0 day
 * time: bits 15-11 hours, 10-5 minutes, 4-0 seconds / 2
 * Days from the civil calendar after Howard Hinnant's algorithms. */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t fat_time_to_unix(uint16_t date, uint16_t time)
{
  unsigned m = (date >> 5) & 15, d = date & 31;
  if (m < 1)
    m = 1;
  if (m > 12)
    m = 12;
  if (d < 1)
    d = 1;
  int64_t days = days_from_civil(1980 + (date >> 9), m, d);
  return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60 + (time & 31) * 2;
}

#define FAT_EPOCH 315532800LL     /* 1980-01-01 00:00:00 UTC */
#define FAT_LAST 4354819198LL     /* 2107-12-31 23:59:58 UTC */

void fat_time_from_unix(int64_t t, uint16_t *date, uint16_t *time)
{
  if (t < FAT_EPOCH)
    t = FAT_EPOCH;
  if (t > FAT_LAST)
    t = FAT_LAST;
  int64_t days = t / 86400, secs = t % 86400, y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  *date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
  *time = (uint16_t)((secs / 3600) << 11 | ((secs / 60) % 60) << 5 | (secs % 60) / 2);
}
