/*
 * arch/cc.h — lwIP's view of the compiler and platform (Kite's port).
 *
 * Layer: the lwIP port (net/). lwIP includes this from lwip/arch.h. The
 * kernel is freestanding: <stdint.h>, <stddef.h> and <limits.h> come from
 * gcc and kern/libc; there is no <inttypes.h> and no <stdio.h>, so the
 * printf formats and the diagnostic/assert hooks are defined here.
 */
#ifndef KITE_LWIP_ARCH_CC_H
#define KITE_LWIP_ARCH_CC_H

#include <stdint.h>
#include <stddef.h>
#include "kern/types.h"   /* ssize_t, shared with the kernel */

#define SSIZE_MAX INT64_MAX
#define LWIP_NO_UNISTD_H 1

#define BYTE_ORDER LITTLE_ENDIAN

/* No <inttypes.h>: the formats lwIP's debug messages use. */
#define LWIP_NO_INTTYPES_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

/* Byte swapping: one instruction sequence instead of lwIP's generic C. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/* Diagnostics go to the kernel log ring, never to the console. */
void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_port_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x) do { lwip_port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __FILE__, __LINE__)

/* Random numbers (TCP initial sequence numbers, ports) from the kernel pool. */
uint32_t lwip_port_rand(void);
#define LWIP_RAND() lwip_port_rand()

#endif
