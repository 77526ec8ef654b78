/*
 * cpio.c — the newc cpio format: a 110-byte ASCII header ("070701" and
 * thirteen 8-digit hex fields), the name, padding to 4 bytes, the data,
 * padding to 4 bytes; the entry named "TRAILER!!!" ends the archive.
 *
 * Layer: core, pure logic (no kernel calls: host-testable). Above:
 * fs/initramfs.c's unpacking at boot (kern/main.c). No locks.
 */
#include "kern/cpio.h"
#include <string.h>

#define HDR_SIZE 110

/* The eight bytes at s, the first in the low byte. A newc field is 2-byte
 * aligned (the header is 4-byte aligned, its fields start at 6): four
 * halfword loads, where a byte loop was 40 instructions. */
static uint64_t load8(const char *s)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  typedef uint16_t __attribute__((may_alias)) u16_alias;
  if (!((uintptr_t)s & 1)) {
    const u16_alias *h = (const u16_alias *)s;
    return h[0] | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 32 | (uint64_t)h[3] << 48;
  }
#endif
  uint64_t w = 0;
#pragma GCC unroll 8
  for (int i = 0; i < 8; i++)
    w |= (uint64_t)(uint8_t)s[i] << (8 * i);
  return w;
}

/* Eight hex digits (either case) at s, all eight at once in one 64-bit
 * word: the boot parses 13 fields for each of its ~440 entries, and this
 * takes 12 instructions a field fewer than a loop over the digits
 * (docs/boot.md, eighth round). */
static int hex8(const char *s, uint32_t *out)
{
  const uint64_t ones = 0x0101010101010101ULL;
  uint64_t w = load8(s);
  uint64_t letter = (w >> 6) & ones;          /* 0x40..0x7f: 'A'..'F', 'a'..'f' */
  uint64_t nib = (w & 0x0f * ones) + 9 * letter; /* '0'..'9': 0..9, 'a'/'A'..: 10.. */
  /* Valid only if each byte is the digit its value spells: the value
   * below 16 and the byte (lower-cased) '0' + value or 'a' + value - 10. */
  uint64_t ge10 = ((nib + 6 * ones) >> 4) & ones;
  if ((nib & 0x10 * ones) || (w | letter << 5) != 0x30 * ones + nib + 0x27 * ge10)
    return -1;
  /* Pack the eight nibbles, the first digit the most significant. */
  nib = (nib & 0x000f000f000f000fULL) << 4 | ((nib >> 8) & 0x000f000f000f000fULL);
  nib = (nib & 0x000000ff000000ffULL) << 8 | ((nib >> 16) & 0x000000ff000000ffULL);
  *out = (uint32_t)((nib & 0xffff) << 16 | ((nib >> 32) & 0xffff));
  return 0;
}

static size_t pad4(size_t x)
{
  return (x + 3) & ~(size_t)3;
}

int cpio_parse(const void *buf, size_t len,
               int (*fn)(const struct cpio_entry *e, void *arg), void *arg)
{
  const char *base = buf;
  size_t off = 0;
  for (;;) {
    if (off + HDR_SIZE > len)
      return -1;
    const char *h = base + off;
    if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0)
      return -1;
    uint32_t f[13];
    for (int i = 0; i < 13; i++)
      if (hex8(h + 6 + 8 * i, &f[i]))
        return -1;
    /* fields: ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize check */
    uint32_t namesize = f[11], filesize = f[6];
    if (namesize == 0 || off + HDR_SIZE + namesize > len)
      return -1;
    const char *name = h + HDR_SIZE;
    if (name[namesize - 1] != 0)
      return -1;
    size_t data_off = pad4(off + HDR_SIZE + namesize);
    if (data_off + filesize > len || data_off + filesize < data_off)
      return -1;
    if (strcmp(name, "TRAILER!!!") == 0)
      return 0;
    struct cpio_entry e = {
      .name = name,
      .mode = f[1],
      .uid = f[2],
      .gid = f[3],
      .mtime = f[5],
      .rdev_major = f[9],
      .rdev_minor = f[10],
      .ino = f[0],
      .nlink = f[4],
      .dev_major = f[7],
      .dev_minor = f[8],
      .data = base + data_off,
      .size = filesize,
    };
    int r = fn(&e, arg);
    if (r)
      return r;
    off = pad4(data_off + filesize);
  }
}
