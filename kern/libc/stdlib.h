/* stdlib.h — the few stdlib functions freestanding third-party code needs. */
#ifndef KITE_STDLIB_H
#define KITE_STDLIB_H
#include <stddef.h>
int atoi(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
#endif
