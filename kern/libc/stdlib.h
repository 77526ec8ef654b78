/*
 * stdlib.h — the few stdlib functions freestanding third-party code needs
 * (kern/string.c).
 *
 * Layer: lib. No locks, no errno: an out-of-range value is not reported.
 */
#ifndef KITE_STDLIB_H
#define KITE_STDLIB_H
#include <stddef.h>
/* C's conversions of the leading number of s (white space and a sign
 * allowed; base 0 reads 0x and 0 prefixes), *end (if not NULL) set after
 * the last digit read. atoi is strtol base 10. */
int atoi(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
#endif
