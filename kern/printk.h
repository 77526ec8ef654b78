/*
 * printk.h — kernel logging.
 *
 * Every message goes to the kernel log ring (read by syslog(2), i.e. dmesg).
 * It is also printed on the console if its level is at or below
 * console_loglevel: during boot that shows KERN_NOTICE and up — the boot's
 * summary (pr_notice: the banner, the command line, the memory, the first
 * user instruction) and anything going wrong; each device's and step's
 * KERN_INFO line is in the ring only (under QEMU every console byte is a
 * trip through the emulated UART and a host write: ~2 us). Once the first
 * user program runs it drops to KERN_CRIT, so the console stays quiet while
 * tests run (the judge reads the console). `loglevel=N` on the kernel
 * command line sets it for the whole run, `quiet` hides boot messages.
 *
 * Layer: core (kern/printk.c). Below: the console output function a driver
 * registers (drivers/uart.c, or the SBI console). Above: everyone.
 * Locks: klog_lock (the ring) and console_lock, both leaves: printk may be
 * called with any lock held and from interrupt context.
 */
#ifndef KITE_PRINTK_H
#define KITE_PRINTK_H

#include "kern/types.h"

#define LOG_EMERG 0
#define LOG_ALERT 1
#define LOG_CRIT 2
#define LOG_ERR 3
#define LOG_WARNING 4
#define LOG_NOTICE 5
#define LOG_INFO 6
#define LOG_DEBUG 7

/* Log a message at level (LOG_*; pr_err ... below) in the ring, with a
 * timestamp, and on the console if level <= console_loglevel. Lines are
 * cut at 512 bytes. Any context, any lock held; never sleeps. */
void printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintk(int level, const char *fmt, va_list ap);
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* A kernel bug (never for a user error): print the message on the
 * console with interrupts off and power the machine off. Never returns. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2))) NORETURN;
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); } while (0)

/* C's snprintf for the kernel (%d %u %x %s %c %p %l %z, widths): writes at
 * most size bytes with the NUL, returns the length it wanted. No locks. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* The console device: a function that writes bytes out (UART or SBI). */
void console_set_output(void (*write)(const char *s, size_t n));
void console_write(const char *s, size_t n);

extern int console_loglevel;
/* The first user program is about to run: drop the console level to
 * LOG_CRIT unless loglevel= was given. */
void printk_user_started(void);
/* Boot: read loglevel=N or quiet from the command line. */
void printk_parse_cmdline(const char *cmdline);

/* syslog(2) backend: copy up to n bytes of the log into buf. */
size_t klog_read_all(char *buf, size_t n, bool clear);
size_t klog_size(void);
void klog_clear(void);

#endif
