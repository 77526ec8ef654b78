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

/* Eight hex digits (either case) at s. */
static int hex8(const char *s, uint32_t *out)
{
  uint32_t v = 0;
  for (int i = 0; i < 8; i++) {
    uint32_t d = (uint32_t)(s[i] - '0');         /* '0'..'9': 0..9 */
    if (d > 9) {
      d = (uint32_t)((s[i] | 0x20) - 'a');       /* 'a'..'f', 'A'..'F': 0..5 */
      if (d > 5)
        return -1;
      d += 10;
    }
    v = v << 4 | d;
  }
  *out = v;
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
