/*
 * types.h — basic kernel types, shared by every layer.
 *
 * The kernel is freestanding: <stdint.h>, <stddef.h>, <stdbool.h> and
 * <stdarg.h> come from gcc itself; everything else is Kite's own.
 */
#ifndef KITE_TYPES_H
#define KITE_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef int64_t ssize_t;
typedef int64_t off_t;
typedef int32_t pid_t;
typedef uint32_t uid_t;
typedef uint32_t gid_t;
typedef uint32_t mode_t;
typedef uint64_t dev_t;
typedef uint64_t ino_t;
typedef int64_t time_t;

/*
 * A user-space address. It is an integer, not a pointer, so the compiler
 * refuses to dereference it: user memory is reached only through
 * copyin()/copyout() (kern/uaccess.c), which check it against the page table.
 */
typedef uint64_t uaddr_t;

/* Physical address. Reached through the direct map: see pa_to_kva(). */
typedef uint64_t paddr_t;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define ROUND_DOWN(x, a) ((x) / (a) * (a))
#define DIV_ROUND_UP(x, a) (((x) + (a) - 1) / (a))
#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))
#define STATIC_ASSERT(c) _Static_assert(c, #c)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
#define PACKED __attribute__((packed))
#define ALIGNED(n) __attribute__((aligned(n)))
/* Inlined whatever the compiler's size heuristics say: for the few hot
 * paths where a call and return cost more than the code (issue 14). */
#define ALWAYS_INLINE inline __attribute__((always_inline))

#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

#endif
