/* string.h — the kernel's string functions (kern/string.c). Also used by
 * libfdt and lwIP, which include <string.h>.
 * Layer: lib (the bottom: uses nothing). No locks; C's semantics. */
#ifndef KITE_STRING_H
#define KITE_STRING_H
#include <stddef.h>
/* The compiler itself emits calls to memcpy/memset/memmove/memcmp (struct
 * copies, zeroing): with link-time optimisation they must not be dropped. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/* C's searches and measures: the first c in n bytes (NULL: none); the
 * length of s, or at most max. */
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
/* C's comparisons (<0, 0, >0, as unsigned bytes), and the first / last c
 * in s (the NUL counts) or the first n in h; NULL when not found. */
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *h, const char *n);
/* C's copies; strncpy pads with NULs and may leave dst unterminated.
 * strlcpy (BSD) always terminates a non-empty dst and returns
 * strlen(src): >= size means it was cut. */
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
size_t strlcpy(char *dst, const char *src, size_t size);
#endif
