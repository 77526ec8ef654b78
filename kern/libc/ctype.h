/*
 * ctype.h — ASCII character classes, for the kernel and the third-party
 * code built into it (libfdt, lwIP).
 *
 * Layer: lib (header only). No locks, no locale: C's "C" locale.
 */
#ifndef KITE_CTYPE_H
#define KITE_CTYPE_H
/* C's classes for an ASCII character c (other values: false): digits,
 * white space (space, \t \n \v \f \r), letters, letters or digits, hex
 * digits, printable (0x20-0x7e). */
static inline int isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static inline int isalpha(int c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static inline int isalnum(int c) { return isalpha(c) || isdigit(c); }
static inline int isxdigit(int c) { return isdigit(c) || ((c | 32) >= 'a' && (c | 32) <= 'f'); }
static inline int isprint(int c) { return c >= 0x20 && c < 0x7f; }
/* Upper and lower case letters; the case conversions return c unchanged
 * if it is not a letter. */
static inline int isupper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int islower(int c) { return c >= 'a' && c <= 'z'; }
static inline int tolower(int c) { return isupper(c) ? c + 32 : c; }
static inline int toupper(int c) { return islower(c) ? c - 32 : c; }
#endif
