/*
 * string.c — memory and string functions for the kernel (and for the
 * third-party code built into it: libfdt, lwIP). Host unit tests use the
 * host's libc instead, so nothing here is kernel-specific.
 *
 * Layer: lib (rank 0: the bottom; it calls nothing). Above: every other
 * file, libfdt and lwIP. No locks, no state.
 */
#include <string.h>
#include <stdlib.h>
#include <ctype.h>
#include <stdint.h>

/*
 * Copy n bytes. Word copies once the destination is 8-byte aligned: plain
 * when the source is aligned too, otherwise by reading aligned source words
 * and merging neighbours with shifts (RISC-V may trap on a misaligned load,
 * and byte copies cost eight times the instructions). The merge reads only
 * aligned words that hold at least one byte to copy, so it never touches a
 * page the copy does not.
 */
__attribute__((used)) void *memcpy(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (n >= 16) {
    while ((uintptr_t)d & 7) {
      *d++ = *s++;
      n--;
    }
    uint64_t *dw = (uint64_t *)d;
    unsigned sh = ((uintptr_t)s & 7) * 8;
    if (sh == 0) {
      const uint64_t *sw = (const uint64_t *)s;
      for (; n >= 64; n -= 64, dw += 8, sw += 8) {
        uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
        uint64_t f = sw[4], g = sw[5], h = sw[6], i = sw[7];
        dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
        dw[4] = f; dw[5] = g; dw[6] = h; dw[7] = i;
      }
      for (; n >= 8; n -= 8)
        *dw++ = *sw++;
      s = (const unsigned char *)sw;
    } else {
      const uint64_t *sw = (const uint64_t *)((uintptr_t)s & ~(uintptr_t)7);
      uint64_t lo = *sw;
      for (; n >= 32; n -= 32, dw += 4, sw += 4, s += 32) {
        uint64_t a = sw[1], b = sw[2], c = sw[3], e = sw[4];
        dw[0] = (lo >> sh) | (a << (64 - sh));
        dw[1] = (a >> sh) | (b << (64 - sh));
        dw[2] = (b >> sh) | (c << (64 - sh));
        dw[3] = (c >> sh) | (e << (64 - sh));
        lo = e;
      }
      for (; n >= 8; n -= 8, dw++, sw++, s += 8) {
        uint64_t a = sw[1];
        *dw = (lo >> sh) | (a << (64 - sh));
        lo = a;
      }
    }
    d = (unsigned char *)dw;
  }
  while (n--)
    *d++ = *s++;
  return dst;
}

__attribute__((used)) void *memmove(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0)
    return dst;
  if (d < s || d >= s + n)
    return memcpy(dst, src, n);
  while (n--)
    d[n] = s[n];
  return dst;
}

__attribute__((used)) void *memset(void *dst, int c, size_t n)
{
  unsigned char *d = dst;
  if ((((uintptr_t)d) & 7) == 0) {
    uint64_t w = (unsigned char)c;
    w |= w << 8; w |= w << 16; w |= w << 32;
    uint64_t *dw = (uint64_t *)d;
    /* 64 bytes a turn: under QEMU a loop turn is a translation block, and
     * one store per turn made zeroing a page 512 of them (docs/performance.md). */
    for (; n >= 64; n -= 64, dw += 8) {
      dw[0] = w; dw[1] = w; dw[2] = w; dw[3] = w;
      dw[4] = w; dw[5] = w; dw[6] = w; dw[7] = w;
    }
    for (; n >= 8; n -= 8)
      *dw++ = w;
    d = (unsigned char *)dw;
  }
  while (n--)
    *d++ = (unsigned char)c;
  return dst;
}

__attribute__((used)) int memcmp(const void *a, const void *b, size_t n)
{
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y)
      return *x - *y;
  return 0;
}

void *memchr(const void *s, int c, size_t n)
{
  const unsigned char *p = s;
  for (; n; n--, p++)
    if (*p == (unsigned char)c)
      return (void *)p;
  return NULL;
}

size_t strlen(const char *s)
{
  const char *p = s;
  while (*p)
    p++;
  return p - s;
}

size_t strnlen(const char *s, size_t max)
{
  size_t n = 0;
  while (n < max && s[n])
    n++;
  return n;
}

int strcmp(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
  for (; n; n--, a++, b++) {
    if (*a != *b)
      return (unsigned char)*a - (unsigned char)*b;
    if (!*a)
      return 0;
  }
  return 0;
}

char *strchr(const char *s, int c)
{
  for (;; s++) {
    if (*s == (char)c)
      return (char *)s;
    if (!*s)
      return NULL;
  }
}

char *strrchr(const char *s, int c)
{
  const char *last = NULL;
  for (;; s++) {
    if (*s == (char)c)
      last = s;
    if (!*s)
      return (char *)last;
  }
}

char *strcpy(char *dst, const char *src)
{
  char *d = dst;
  while ((*d++ = *src++))
    ;
  return dst;
}

char *strncpy(char *dst, const char *src, size_t n)
{
  size_t i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

/* Copy with truncation; always NUL-terminates when size > 0. Returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size)
{
  size_t len = strlen(src);
  if (size) {
    size_t n = len < size - 1 ? len : size - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
  }
  return len;
}

char *strstr(const char *h, const char *n)
{
  size_t ln = strlen(n);
  if (!ln)
    return (char *)h;
  for (; *h; h++)
    if (*h == *n && !strncmp(h, n, ln))
      return (char *)h;
  return NULL;
}

unsigned long strtoul(const char *s, char **end, int base)
{
  unsigned long v = 0;
  while (isspace(*s))
    s++;
  if (*s == '+')
    s++;
  if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 32) == 'x' && isxdigit(s[2])) {
    s += 2;
    base = 16;
  } else if (base == 0) {
    base = s[0] == '0' ? 8 : 10;
  }
  for (;; s++) {
    int d;
    if (isdigit(*s))
      d = *s - '0';
    else if (isalpha(*s))
      d = (*s | 32) - 'a' + 10;
    else
      break;
    if (d >= base)
      break;
    v = v * base + d;
  }
  if (end)
    *end = (char *)s;
  return v;
}

long strtol(const char *s, char **end, int base)
{
  while (isspace(*s))
    s++;
  if (*s == '-')
    return -(long)strtoul(s + 1, end, base);
  return (long)strtoul(s, end, base);
}

int atoi(const char *s)
{
  return (int)strtol(s, NULL, 10);
}
