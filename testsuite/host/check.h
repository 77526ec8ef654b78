/*
 * check.h — a tiny test framework for host unit tests. Each CHECK prints
 * "PASS: <suite>: <what>" or "FAIL: ..."; scripts/test.sh counts the lines.
 */
#ifndef KITE_CHECK_H
#define KITE_CHECK_H
#include <stdio.h>

static int check_failures;
static const char *check_suite = "?";

#define CHECK(what, cond)                                                      \
  do {                                                                         \
    if (cond) {                                                                \
      printf("PASS: host/%s: %s\n", check_suite, what);                       \
    } else {                                                                   \
      printf("FAIL: host/%s: %s (%s:%d: %s)\n", check_suite, what, __FILE__,  \
             __LINE__, #cond);                                                 \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

#define CHECK_DONE() return check_failures ? 1 : 0

#endif
